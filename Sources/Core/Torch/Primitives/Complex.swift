import TorchBase

// Note [Complex tensors]: a complex64/complex128 tensor stores (real, imaginary) pairs, as C99,
// NumPy and PyTorch do, and `viewAsReal` sees the same memory as a float tensor with a trailing
// dimension of 2. Complex arithmetic is written here once, on those real views, out of the real
// primitives: the backends need no complex kernels beyond copies and fills (which convert with
// both parts), and autograd needs no complex formulas. Gradients follow from the two view
// primitives below: the gradient of a real loss L with respect to z = x + iy is
// ∂L/∂x + i·∂L/∂y, which is PyTorch's convention (the conjugate Wirtinger derivative, times 2), so
// `z.grad` agrees with PyTorch's for every composite. Each element-wise primitive and reduction
// routes a complex operand here before it records anything (Tensor.binary, Tensor.unary,
// Tensor.reduce); an op with no complex form refuses it with PyTorch's kernel message.
//
// `conj` is eager (a negated copy of the imaginary parts), not PyTorch's lazy conjugate bit: a
// conjugate bit would have to be honoured by every kernel and view of every backend, while the
// copy costs one pass over memory; `isConj()` is therefore always false.

extension Layout {
    /// The layout of a complex layout's parts as real elements: a trailing dimension of 2.
    var complexParts: Layout {
        Layout(shape: shape + [2], strides: strides.map { $0 * 2 } + [1], offset: offset * 2)
    }
}

extension Tensor {
    /// The same memory as a real tensor with a trailing dimension of 2 holding the real and
    /// imaginary parts (`torch.view_as_real`; a view: writes go through to this tensor).
    ///
    /// ```swift
    /// Tensor([Complex(1.0, 2.0)]).viewAsReal()   // [[1.0, 2.0]], float64
    /// ```
    public func viewAsReal(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn { return traced("view_as_real", [], file, line) { $0.viewAsReal(file: file, line: line) } }
        if !dtype.isComplex {
            torchFail("view_as_real", "view_as_real is only supported for complex tensors", file: file, line: line)
        }
        let parts = layout.complexParts, realType = dtype.realPart
        let make = { Tensor(storage: self.storage, layout: parts, dtype: realType) }
        guard Tensor.shouldRecord(self) else { return make().markedPartsView() }
        return Tensor.recorded(
            .viewAsReal, SmallList(self), file: file, line: line, forward: make,
            backward: { _, g in [g.contiguous().viewAsComplex()] }
        ).markedPartsView()
    }

    /// A real tensor whose last dimension (of size 2, stride 1) holds real and imaginary parts,
    /// seen as a complex tensor (`torch.view_as_complex`; a view).
    ///
    /// ```swift
    /// Tensor([[1.0, 2.0]], dtype: .float32).viewAsComplex()   // [1+2j], complex64
    /// ```
    public func viewAsComplex(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn {
            return traced("view_as_complex", [], file, line) { $0.viewAsComplex(file: file, line: line) }
        }
        if let problem = Checks.viewAsComplexProblem(dtype, layout) {
            torchFail("view_as_complex", problem, file: file, line: line)
        }
        let l = Layout(
            shape: Array(shape.dropLast()), strides: strides.dropLast().map { $0 / 2 }, offset: layout.offset / 2)
        let complexType = dtype.complexCounterpart
        let make = { Tensor(storage: self.storage, layout: l, dtype: complexType) }
        guard Tensor.shouldRecord(self) else { return make().markedPartsView() }
        return Tensor.recorded(
            .viewAsComplex, SmallList(self), file: file, line: line, forward: make,
            backward: { _, g in [g.viewAsReal()] }
        ).markedPartsView()
    }

    /// A view between a complex tensor and its parts: an in-place write to it while autograd
    /// records is refused (see `rebaseInPlace`), since the graph of the other view would not see it.
    func markedPartsView() -> Tensor {
        isPartsView = true
        return self
    }

    /// The real and imaginary parts of a complex tensor as real views.
    func complexParts() -> (re: Tensor, im: Tensor) {
        let r = viewAsReal()
        return (r.select(-1, 0), r.select(-1, 1))
    }

    /// The complex tensor with parts `re` and `im` (one shape and real dtype).
    static func fromParts(_ re: Tensor, _ im: Tensor) -> Tensor {
        Tensor.stack([re, im], dim: -1).viewAsComplex()
    }
}

extension Checks {
    /// Why `view_as_complex` refuses a tensor of `dtype` and `layout` (PyTorch's texts), or nil.
    public static func viewAsComplexProblem(_ dtype: DType, _ layout: Layout) -> String? {
        if dtype != .float32 && dtype != .float64 {
            return "view_as_complex is only supported for float and double tensors, but got a tensor of scalar type: "
                + dtype.pytorchName
        }
        if layout.rank == 0 || layout.shape.last != 2 { return "Tensor must have a last dimension of size 2" }
        if layout.strides.last != 1 { return "Tensor must have a last dimension with stride 1" }
        for (n, s) in zip(layout.shape.dropLast(), layout.strides.dropLast()) where n > 1 && s % 2 != 0 {
            return "Tensor must have a stride divisible by 2 for all but last dimension"
        }
        if layout.offset % 2 != 0 { return "Tensor must have a storage_offset divisible by 2" }
        return nil
    }
}

extension Primitive {
    /// `viewAsReal`.
    public static let viewAsReal = Primitive("view_as_real")
    /// `viewAsComplex`.
    public static let viewAsComplex = Primitive("view_as_complex")
    /// The complex views, in the registry.
    static let complexViews: [Primitive] = [.viewAsReal, .viewAsComplex]
}
