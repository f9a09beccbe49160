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
    /// The floating types, complex64 and complex128.
    case floatingOrComplex
    /// The floating types and int64 (average pooling, undilated convolutions).
    case floatingOrLong
    /// Everything but bool.
    case notBool

    func allows(_ d: DType) -> Bool {
        switch self {
        case .floating: return d.isFloatingPoint
        case .floatingOrComplex: return d.isFloatingPoint || d.isComplex
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

    /// `bitwiseAnd` → `bitwise_and` (PyTorch's spelling in messages).
    static func snake(_ s: String) -> String {
        var out = ""
        for c in s {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
