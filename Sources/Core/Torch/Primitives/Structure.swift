import TorchBase

// The structural primitives: dtype and device conversion, clone, concatenation and `where`, each
// with its backward beside it (Note [What autograd saves]: none of them saves a tensor but
// `where`, which keeps its condition).

extension Tensor {
    /// This tensor converted to `dtype` (itself when it already has it).
    public func to(_ dtype: DType, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if dtype == self.dtype { return self }
        if Tracing.isOn { return traced("to", [("dtype", .dtype(dtype))], file, line) { $0.to(dtype) } }
        if (dtype.isFloatingPoint || dtype.isComplex) && Tensor.shouldRecord(self) {
            let from = self.dtype
            return Tensor.recorded(
                .toDType, [self], file: file, line: line, forward: { to(dtype) },
                backward: { _, g in [g.to(from)] })
        }
        let out = Tensor(uninitialized: shape, dtype: dtype, device: device)
        Kernels.copy(out.operand, operand, device)
        return out
    }

    /// This tensor on `device` (itself when already there). Differentiable.
    ///
    /// ```swift
    /// let g = x.to(device: .cuda(0))
    /// ```
    public func to(device target: Device, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if target == device { return self }
        if Tracing.isOn {
            return traced("toDevice", [("device", .string("\(target)"))], file, line) { $0.to(device: target) }
        }
        if Tensor.shouldRecord(self) {
            let from = device
            return Tensor.recorded(
                .toDevice, [self], file: file, line: line, forward: { to(device: target) },
                backward: { _, g in [g.to(device: from)] })
        }
        let src = contiguous()
        let out = Tensor(uninitialized: shape, dtype: dtype, device: target)
        let bytes = count * itemSize
        withExtendedLifetime(src) {
            Kernels.transfer(
                to: out.storage.data, on: target, from: src.storage.data + src.layout.offset * itemSize,
                on: device, bytes: bytes)
        }
        return out
    }

    /// A copy with its own contiguous storage.
    public func clone(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn { return traced("clone", [], file, line) { $0.clone() } }
        if Tensor.shouldRecord(self) {
            return Tensor.recorded(
                .clone, [self], file: file, line: line, forward: { clone() }, backward: { _, g in [g] })
        }
        let out = Tensor(uninitialized: shape, dtype: dtype, device: device)
        Kernels.copy(out.operand, operand, device)
        return out
    }

    /// Concatenates along `dim`; all other dimensions must match. Dtypes are promoted.
    ///
    /// ```swift
    /// Tensor.cat([a, b], dim: 1)
    /// ```
    public static func cat(_ tensors: [Tensor], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if tensors.isEmpty { torchFail("cat", "expected a non-empty list of Tensors", file: file, line: line) }
        if Tracing.isOn {
            let d = Checks.dim(dim, rank: tensors[0].rank).unwrap("cat", file: file, line: line)
            return Tracing.record1("cat", tensors, [("dim", .int(d))], file: file, line: line) {
                Tensor.cat($0, dim: d)
            }
        }
        // Like PyTorch, 1-D empty tensors are skipped.
        let parts = tensors.filter { !($0.rank == 1 && $0.count == 0) }
        guard let first = parts.first else {
            let dt = tensors.dropFirst().reduce(tensors[0].dtype) { promoteTypes($0, $1.dtype) }
            return tensors[0].to(dt).clone()
        }
        if first.rank == 0 {
            torchFail("cat", "zero-dimensional tensor (at position 0) cannot be concatenated", file: file, line: line)
        }
        let d = first.normDim(dim, "cat", file, line)
        // The result dtype promotes over every input, the skipped empty ones included.
        var dt = tensors.dropFirst().reduce(tensors[0].dtype) { promoteTypes($0, $1.dtype) }
        var total = 0
        for (i, t) in parts.enumerated() {
            if t.rank != first.rank {
                torchFail(
                    "cat", "Tensors must have same number of dimensions: got \(first.rank) and \(t.rank)", file: file,
                    line: line)
            }
            for j in 0..<t.rank where j != d && t.shape[j] != first.shape[j] {
                torchFail(
                    "cat",
                    "Sizes of tensors must match except in dimension \(d). Expected size \(first.shape[j]) but got "
                        + "size \(t.shape[j]) for tensor number \(i) in the list.",
                    file: file, line: line)
            }
            dt = promoteTypes(dt, t.dtype)
            total += t.shape[d]
        }
        // The skipped empty tensors stay inputs of the node (their gradients empty), so that a
        // result made from them alone still requires grad, as PyTorch's.
        if shouldRecord(tensors) {
            let kept = tensors.map { !($0.rank == 1 && $0.count == 0) }
            let sizes = parts.map { $0.shape[d] }
            let dtypes = tensors.map { $0.dtype }
            return recorded(
                .cat, SmallList(tensors), file: file, line: line,
                forward: { cat(parts, dim: d, file: file, line: line).to(dt) },
                backward: { _, g in
                    var slices = catBackward(g, sizes: sizes, dim: d).makeIterator()
                    return zip(kept, dtypes).map { keep, dtype in
                        keep ? slices.next()!?.to(dtype) : Tensor.zeros([0], dtype: dtype, device: g.device)
                    }
                })
        }
        var sh = first.shape
        sh[d] = total
        let dev = first.device
        let out = Tensor(uninitialized: sh, dtype: dt, device: dev)
        var start = 0
        for t in parts {
            let n = t.shape[d]
            if t.device != dev {
                torchFail(
                    "cat",
                    "Expected all tensors to be on the same device, but found at least two devices, \(dev) and "
                        + "\(t.device)!",
                    file: file, line: line)
            }
            if n > 0 { Kernels.copy(out.narrow(d, start: start, length: n).operand, t.operand, dev) }
            start += n
        }
        return out
    }

    /// `condition ? a : b` element-wise, with broadcasting and promotion of `a` and `b`.
    public static func `where`(
        _ condition: Tensor, _ a: Tensor, _ b: Tensor,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1("where", [condition, a, b], file: file, line: line) {
                Tensor.where($0[0], $0[1], $0[2], file: file, line: line)
            }
        }
        let s1 = Checks.broadcastShapes(condition.shape, a.shape).unwrap("where", file: file, line: line)
        let shape = Checks.broadcastShapes(s1, b.shape).unwrap("where", file: file, line: line)
        let common =
            a.dtype == b.dtype
            ? a.dtype
            : resultType([.tensor(a.dtype, isZeroDim: a.rank == 0), .tensor(b.dtype, isZeroDim: b.rank == 0)])
        if shouldRecord(a, b) {
            let (sa, sb) = (a.shape, b.shape)
            return recorded(
                .whereSelect, [a, b], save: [condition], file: file, line: line,
                forward: { Tensor.where(condition, a, b, file: file, line: line) },
                backward: { node, g in
                    let c = node.savedTensor(0)
                    let zero = Tensor.scalar(0, dtype: g.dtype)
                    return [
                        node.needs(0) ? Tensor.where(c, g, zero).sumToShape(sa).to(a.dtype) : nil,
                        node.needs(1) ? Tensor.where(c, zero, g).sumToShape(sb).to(b.dtype) : nil,
                    ]
                })
        }
        let dev = Device.common(Device.common(a.device, b.device), condition.device)
        let out = Tensor(uninitialized: shape, dtype: common, device: dev)
        Kernels.whereSelect(
            out.operand, condition.to(.bool).onDevice(dev).operand(broadcastTo: shape),
            a.to(common).onDevice(dev).operand(broadcastTo: shape),
            b.to(common).onDevice(dev).operand(broadcastTo: shape), dev)
        return out
    }
}

extension Primitive {
    /// A dtype conversion, a move between devices, a copy.
    public static let toDType = Primitive("toDType"), toDevice = Primitive("toDevice"), clone = Primitive("clone")
    /// Concatenation and `where`.
    public static let cat = Primitive("cat"), whereSelect = Primitive("whereSelect")
    /// The structural primitives, in the registry.
    static let conversions: [Primitive] = [.toDType, .toDevice, .clone, .cat, .whereSelect]
}
