import TorchBase

// `addcmul`/`addcdiv` (the update of Adam-like optimizers as one call) and the finite
// differences `diff`, composed from the element-wise primitives (their gradients come from those).

extension Primitive {
    /// `addcmul` and `addcdiv`, PyTorch's node names.
    public static let addcmul = Primitive("addcmul", nodeName: "AddcmulBackward0"),
        addcdiv = Primitive("addcdiv", nodeName: "AddcdivBackward0")
    /// The fused accumulations, in the registry.
    static let accumulations: [Primitive] = [.addcmul, .addcdiv]
}

extension Tensor {
    /// `t · value` in t's dtype: the scalar truncated toward zero for an integral dtype, as
    /// PyTorch converts it.
    private static func scaled(_ t: Tensor, _ value: Double) -> Tensor {
        if value == 1 { return t }
        if t.dtype.isFloatingPoint || t.isComplex { return t * value }
        return t * Tensor.scalar(value.rounded(.towardZero), dtype: t.dtype)
    }

    /// `self + value · t1 ∘ t2` (∘: × or ÷) for `p`: the three operands broadcast (checked in
    /// PyTorch's order) and promoted (the scalar takes no part), computed as PyTorch's kernel does
    /// (value · t1 first; half precision in float32 with one rounding), with PyTorch's derivatives:
    /// for addcmul g·(t2·value), g·(t1·value); for addcdiv g·(value/t2), −g·(value·t1/t2²).
    private func accumulate(
        _ p: Primitive, _ t1: Tensor, _ t2: Tensor, value: Double, file: StaticString, line: UInt
    ) -> Tensor {
        let op = p.name
        let first = Checks.broadcastShapes(shape, t1.shape).unwrap(op, file: file, line: line)
        let shape = Checks.broadcastShapes(first, t2.shape).unwrap(op, file: file, line: line)
        let common = resultType([self, t1, t2].map { .tensor($0.dtype, isZeroDim: $0.rank == 0) })
        let (x, a, b) = (to(common).expand(shape), t1.to(common).expand(shape), t2.to(common).expand(shape))
        let divide = p == .addcdiv
        func compute(_ x: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
            if x.dtype == .float16 || x.dtype == .bfloat16 {
                return compute(x.to(.float32), a.to(.float32), b.to(.float32)).to(common)
            }
            let scaled = Tensor.scaled(a, value)
            return x.add(divide ? scaled.div(b, file: file, line: line) : scaled.mul(b, file: file, line: line))
        }
        guard Tensor.shouldRecord([x, a, b]) else { return compute(x, a, b) }
        return Tensor.recorded(p, [x, a, b], save: [a, b], file: file, line: line, forward: { compute(x, a, b) }) {
            node, g in
            let a = node.savedTensor(0), b = node.savedTensor(1)
            func conj(_ t: Tensor) -> Tensor { t.isComplex ? t.conj() : t }
            if divide {
                let ga = node.needs(1) ? g * conj(value / b) : nil
                let gb = node.needs(2) ? -g * conj(a * value / (b * b)) : nil
                return [g, ga, gb]
            }
            return [g, node.needs(1) ? g * conj(b * value) : nil, node.needs(2) ? g * conj(a * value) : nil]
        }
    }

    /// `self + value · tensor1 · tensor2`, broadcast (`torch.addcmul`).
    ///
    /// ```swift
    /// Tensor([1.0, 1.0]).addcmul(Tensor([2.0, 3.0]), Tensor([4.0, 5.0]), value: 0.5)   // [5, 8.5]
    /// ```
    public func addcmul(
        _ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        accumulate(.addcmul, tensor1, tensor2, value: value, file: file, line: line)
    }

    /// `self + value · tensor1 / tensor2`, broadcast (`torch.addcdiv`); integer `tensor1` and
    /// `tensor2` are refused with PyTorch's message.
    ///
    /// ```swift
    /// Tensor([1.0, 1.0]).addcdiv(Tensor([2.0, 3.0]), Tensor([4.0, 6.0]), value: 2)   // [2, 2]
    /// ```
    public func addcdiv(
        _ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if !(tensor1.dtype.isFloatingPoint || tensor1.isComplex)
            && !(tensor2.dtype.isFloatingPoint || tensor2.isComplex)
        {
            torchFail(
                "addcdiv",
                "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform "
                    + "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as "
                    + "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
                    + "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the "
                    + "latter implementation: (input + value * tensor1 / tensor2), for all dtypes.", file: file,
                line: line)
        }
        return accumulate(.addcdiv, tensor1, tensor2, value: value, file: file, line: line)
    }

    /// In-place `addcmul`: the result is written into this tensor (its dtype kept, as PyTorch's `addcmul_`).
    @discardableResult public func addcmul_(
        _ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        copy_(addcmul(tensor1, tensor2, value: value, file: file, line: line), file: file, line: line)
    }

    /// In-place `addcdiv` (PyTorch's `addcdiv_`).
    @discardableResult public func addcdiv_(
        _ tensor1: Tensor, _ tensor2: Tensor, value: Double = 1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        copy_(addcdiv(tensor1, tensor2, value: value, file: file, line: line), file: file, line: line)
    }

    /// The `n`-th forward difference along `dim` (`torch.diff`): `out[i] = x[i + 1] - x[i]`,
    /// applied `n` times, after concatenating `prepend` before and `append` after (same rank, sizes
    /// matching but along `dim`); bool tensors differ by exclusive or. Empty when `n` reaches the size.
    ///
    /// ```swift
    /// Tensor([1, 3, 6, 10]).diff()          // [2, 3, 4]
    /// Tensor([1, 3, 6, 10]).diff(n: 2)      // [1, 1]
    /// ```
    public func diff(
        n: Int = 1, dim: Int = -1, prepend: Tensor? = nil, append: Tensor? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if rank == 0 {
            torchFail("diff", "diff expects input to be at least one-dimensional", file: file, line: line)
        }
        if n < 0 { torchFail("diff", "order must be non-negative but got \(n)", file: file, line: line) }
        for extra in [prepend, append].compactMap({ $0 }) where extra.rank != rank {
            torchFail(
                "diff", "diff expects prepend or append to be the same dimension as input", file: file, line: line)
        }
        let d = normDim(dim, "diff", file, line)
        // PyTorch returns the input itself for n = 0, prepend and append unused.
        if n == 0 { return clone() }
        let parts = [prepend, self, append].compactMap { $0 }
        var x = parts.count > 1 ? Tensor.cat(parts, dim: d, file: file, line: line) : self
        for _ in 0..<n {
            let size = x.shape[d]
            if size == 0 { break }
            let later = x.narrow(d, start: 1, length: size - 1), earlier = x.narrow(d, start: 0, length: size - 1)
            x = x.dtype == .bool ? later.logicalXor(earlier) : later.sub(earlier, file: file, line: line)
        }
        return x
    }
}
