import TorchBase

// Note [Kernel dtype support]: PyTorch has no kernel for some (op, dtype) pairs — float-only
// activations on integers, rounding and matrix products on bool — and refuses them with
// `"<kernel>" not implemented for '<Type>'`, naming its internal kernel. SwiftTorch could compute
// many of these, but a program that runs here must run under PyTorch, so the same pairs are
// refused with the same text. Every such rule is written once, here, and called from the op.

/// Which dtypes an op's kernel accepts.
package enum KernelDTypes {
    /// float16, bfloat16, float32, float64.
    case floating
    /// The floating types and int64 (average pooling, undilated convolutions).
    case floatingOrLong
    /// Everything but bool.
    case notBool

    func allows(_ d: DType) -> Bool {
        switch self {
        case .floating: return d.isFloatingPoint
        case .floatingOrLong: return d.isFloatingPoint || d == .int64
        case .notBool: return d != .bool
        }
    }
}

extension Tensor {
    /// Traps as PyTorch does when its kernel `kernel` has no version for this tensor's dtype.
    ///
    /// ```swift
    /// x.requireKernel("silu", "silu_cpu", .floating)   // traps on an int64 x
    /// ```
    package func requireKernel(
        _ op: String, _ kernel: String, _ allowed: KernelDTypes,
        file: StaticString, line: UInt
    ) {
        if !allowed.allows(dtype) {
            torchFail(op, "\"\(kernel)\" not implemented for '\(dtype.pytorchName)'", file: file, line: line)
        }
    }

    /// The kernel-support rule of a binary op on its promoted dtype `common`.
    static func checkBinarySupport(
        _ op: BinaryOp, _ a: DType, _ b: DType, common: DType,
        file: StaticString, line: UInt
    ) {
        switch op {
        case .sub where a == .bool || b == .bool:
            if a == .bool && b == .bool {
                torchFail(
                    "sub",
                    "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                        + "`logical_xor()` operator instead.",
                    file: file, line: line)
            }
            torchFail(
                "sub",
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
                    + "mask, use the `~` or `logical_not()` operator instead.",
                file: file, line: line)
        case .remainder where common == .bool:
            torchFail("remainder", "\"remainder_cpu\" not implemented for 'Bool'", file: file, line: line)
        case .fmod where common == .bool:
            torchFail("fmod", "\"fmod_cpu\" not implemented for 'Bool'", file: file, line: line)
        case .floorDivide where common == .bool:
            torchFail("floor_divide", "\"div_floor_cpu\" not implemented for 'Bool'", file: file, line: line)
        case .pow where common == .bool:
            torchFail("pow", "\"pow\" not implemented for 'Bool'", file: file, line: line)
        default: break
        }
    }

    /// `bitwiseAnd` → `bitwise_and` (PyTorch's spelling in messages).
    static func snake(_ s: String) -> String {
        var out = ""
        for c in s {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
