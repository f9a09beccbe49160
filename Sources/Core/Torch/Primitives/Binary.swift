import TorchBase

// Note [Binary primitives]: each element-wise function of two tensors is one type, defined once in
// Binary+Arithmetic.swift or Binary+Comparison.swift: its name, its math for every backend
// (`BinaryFunction`/`BinaryPredicate`, Note [Element functions]), its result dtype and refusals,
// what its backward reads and the backward itself. This file is the generic part they share:
// promotion, the record site, the forward's dtype plan and backend call, the in-place and `out=`
// forms.

/// Note [Pointwise dtype plan]: the result dtype follows PyTorch's promotion; kernels compute in
/// `dtype.computeType` (float16/bfloat16 in float32) and the result is converted back; comparisons
/// and logical ops produce bool.

/// What a binary primitive's backward reads back (Note [What autograd saves]): the tensors it
/// saved, in the order a, b, output.
struct BinarySaved {
    let node: FunctionNode
    let rule: (a: Bool, b: Bool, out: Bool)
    func a() -> Tensor { node.savedTensor(0) }
    func b() -> Tensor { node.savedTensor(rule.a ? 1 : 0) }
    func out() -> Tensor { node.savedTensor((rule.a ? 1 : 0) + (rule.b ? 1 : 0)) }
}

/// An element-wise primitive of two tensors with a value result (Note [Binary primitives]).
protocol BinaryPrimitive: BinaryFunction {
    /// The primitive its nodes record (nil: not differentiable, nothing is recorded).
    static var primitive: Primitive? { get }
    /// Whether small same-shape contiguous operands take the flat fast path (add, sub, mul).
    static var flatFastPath: Bool { get }
    /// The result dtype for the promoted input dtype `common`, trapping on refused dtypes.
    static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType
    /// PyTorch's refusals of bool operands (called when `a` or `b` is bool).
    static func checkBool(_ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt)
    /// PyTorch's refusals of a tensor of dtype `tensor` with a Swift scalar of kind `scalarKind`.
    static func checkScalar(_ tensor: DType, _ scalarKind: DType, common: DType, file: StaticString, line: UInt)
    /// Whether a 0-d CPU operand (a Swift scalar) of a float16/bfloat16 op joins the computation
    /// in float32 unrounded, as PyTorch's add/sub/mul/div kernels read it (`original_scalar_value`).
    static var scalarKeepsPrecision: Bool { get }
    /// Whether integral inputs compute in floating point (true division, atan2): a scalar operand
    /// is then made in the floating result dtype rather than the tensor's.
    static var computesInFloat: Bool { get }
    /// Which of a, b and the output the backward reads, given which inputs need a gradient.
    static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool)
    /// The gradients of a and b (nil where not needed) from the output gradient `g`.
    static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?)
}

extension BinaryPrimitive {
    static var primitive: Primitive? { nil }
    static var flatFastPath: Bool { false }
    static func resultType(_ common: DType, file: StaticString, line: UInt) -> DType { common }
    static func checkBool(_ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt) {}
    static func checkScalar(_ tensor: DType, _ scalarKind: DType, common: DType, file: StaticString, line: UInt) {}
    static var computesInFloat: Bool { false }
    static var scalarKeepsPrecision: Bool { false }
    static func saves(needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) { (true, true, false) }
    static func derivative(_ g: Tensor, _ s: BinarySaved, needsA: Bool, needsB: Bool) -> (Tensor?, Tensor?) {
        (nil, nil)
    }
}

/// An element-wise comparison or logical op of two tensors with a bool result; not differentiable.
protocol ComparisonPrimitive: BinaryPredicate {}

extension Tensor {
    /// The common dtype of two tensor operands (PyTorch's promotion; a 0-d tensor does not raise a
    /// dimensioned one within its kind).
    static func commonType(_ a: Tensor, _ b: Tensor) -> DType {
        a.dtype == b.dtype
            ? a.dtype
            : resultType([.tensor(a.dtype, isZeroDim: a.rank == 0), .tensor(b.dtype, isZeroDim: b.rank == 0)])
    }

    /// `P(a, b)` with broadcasting and promotion.
    static func binary<P: BinaryPrimitive>(
        _ p: P.Type, _ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        binary(p, a, b, common: commonType(a, b), file: file, line: line)
    }

    /// `P(a, b)` where `common` is the promoted input dtype: records one node when a gradient is needed.
    static func binary<P: BinaryPrimitive>(
        _: P.Type, _ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt
    ) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1(P.name, [a, b], file: file, line: line) {
                binary(P.self, $0[0], $0[1], common: common, file: file, line: line)
            }
        }
        if common.isComplex { return ComplexMath.binary(P.self, a, b, common: common, file: file, line: line) }
        if a.dtype == .bool || b.dtype == .bool { P.checkBool(a, b, common: common, file: file, line: line) }
        if shouldRecord(a, b), let p = P.primitive {
            // Note [What autograd saves]: only what the derivative formula reads, as PyTorch's
            // derivatives.yaml (`add` nothing, `mul` the other operand of an input that needs a
            // gradient, `exp` its result), so in-place changes to the rest stay legal.
            let rule = P.saves(needsA: a.needsGradient, needsB: b.needsGradient)
            var save = SmallList<Tensor>()
            if rule.a { save.append(a) }
            if rule.b { save.append(b) }
            // Shapes and dtypes for the backward, kept only for inputs that are not saved.
            let meta = rule.a && rule.b ? SmallList<TensorMeta>() : SmallList(TensorMeta(a), TensorMeta(b))
            if a.dtype == common && b.dtype == common && common.computeType == common {
                // No dtype conversions: the raw op records nothing, so it needs no noGrad scope.
                return recorded(
                    p, SmallList(a, b), save: save, saveOutput: rule.out, inputMeta: meta, file: file, line: line,
                    output: binaryRaw(P.self, a, b, common: common, file: file, line: line),
                    backward: { node, g in binaryBackward(P.self, node, g) })
            }
            return recorded(
                p, SmallList(a, b), save: save, saveOutput: rule.out, inputMeta: meta, file: file, line: line,
                forward: { binaryRaw(P.self, a, b, common: common, file: file, line: line) },
                backward: { node, g in binaryBackward(P.self, node, g) })
        }
        return binaryRaw(P.self, a, b, common: common, file: file, line: line)
    }

    /// Both operands on one device: a CPU 0-d tensor (a Swift scalar) joins a tensor on any device,
    /// as in PyTorch; other mixes are refused.
    static func sameDevice(_ a: Tensor, _ b: Tensor, _ name: String, file: StaticString, line: UInt) -> (Tensor, Tensor)
    {
        if a.device == b.device { return (a, b) }
        if a.rank == 0 && b.device.accepts0D(from: a.device) { return (a.to(device: b.device), b) }
        if b.rank == 0 && a.device.accepts0D(from: b.device) { return (a, b.to(device: a.device)) }
        torchFail(
            name,
            "Expected all tensors to be on the same device, but found at least two devices, \(a.device) and "
                + "\(b.device)!",
            file: file, line: line)
    }

    /// The forward: the dtype plan (Note [Pointwise dtype plan]) around one backend call.
    static func binaryRaw<P: BinaryPrimitive>(
        _: P.Type, _ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt
    ) -> Tensor {
        // Fast path: add/sub/mul of one computable dtype, one shape, both contiguous on one device
        // (the common small-op case): no promotion plan, no broadcast layouts. Note [Fast paths]:
        // core only skips its own planning here; which loop runs is the backend's choice.
        if P.flatFastPath && a.dtype == b.dtype && a.dtype != .bool && a.dtype.computeType == a.dtype
            && a.layout.isContiguous && b.layout.isContiguous && a.shape == b.shape && a.layout.offset == 0
            && a.device == b.device
        {
            let out = Tensor(uninitializedContiguous: a.layout, dtype: a.dtype, device: a.device)
            Kernels.mapFlat(
                P.self, a.dtype, out: out.storage.data, a: a.storage.data,
                b: b.storage.data + b.layout.offset * b.itemSize, count: a.count, a.device)
            return out
        }
        let shape =
            a.shape == b.shape
            ? a.shape : Checks.broadcastShapes(a.shape, b.shape).unwrap(P.name, file: file, line: line)
        let (a, b) = sameDevice(a, b, P.name, file: file, line: line)
        let valueType = P.resultType(common, file: file, line: line)
        let compute = valueType.computeType
        // Inputs of another dtype are first rounded to the common one, then widened to the compute
        // type, as PyTorch.
        // A 0-d operand (of a full-width dtype) of add/sub/mul/div with a float16/bfloat16 result is
        // read unrounded, as PyTorch's kernels read a CPU scalar; a 0-d half one is rounded first.
        let keep = P.scalarKeepsPrecision && valueType != compute && valueType.isFloatingPoint
        let x =
            a.dtype == valueType || valueType == compute
                || (keep && a.rank == 0 && b.rank > 0 && a.dtype.computeType == a.dtype)
            ? a.to(compute) : a.to(valueType).to(compute)
        let y =
            b.dtype == valueType || valueType == compute
                || (keep && b.rank == 0 && a.rank > 0 && b.dtype.computeType == b.dtype)
            ? b.to(compute) : b.to(valueType).to(compute)
        let out = Tensor.uninitialized(like: a.shape == shape ? a : b, shape: shape, dtype: compute)
        Kernels.map(P.self, out.operand, x.operand(broadcastTo: shape), y.operand(broadcastTo: shape), a.device)
        return out.to(valueType)
    }

    /// The backward of a binary primitive, reading back what it saved.
    static func binaryBackward<P: BinaryPrimitive>(_: P.Type, _ node: FunctionNode, _ g: Tensor) -> [Tensor?] {
        let na = node.needs(0), nb = node.needs(1)
        let saved = BinarySaved(node: node, rule: P.saves(needsA: na, needsB: nb))
        let (shapeA, dtypeA, shapeB, dtypeB): ([Int], DType, [Int], DType)
        if node.inputMeta.isEmpty {
            let (a, b) = (saved.a(), saved.b())
            (shapeA, dtypeA, shapeB, dtypeB) = (a.shape, a.dtype, b.shape, b.dtype)
        } else {
            let (ma, mb) = (node.inputMeta[0], node.inputMeta[1])
            (shapeA, dtypeA, shapeB, dtypeB) = (ma.shape, ma.dtype, mb.shape, mb.dtype)
        }
        let (ga, gb) = P.derivative(g, saved, needsA: na, needsB: nb)
        return [ga.map { $0.sumToShape(shapeA).to(dtypeA) }, gb.map { $0.sumToShape(shapeB).to(dtypeB) }]
    }

    /// `P(a, scalar)` (or `P(scalar, a)` when `reversed`): the scalar never raises the tensor's
    /// dtype within its category.
    @inline(__always)
    static func binary<P: BinaryPrimitive, S: ScalarLike>(
        _: P.Type, _ a: Tensor, scalar: S, reversed: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        binary(P.self, a, scalar: ScalarOperand(scalar), reversed: reversed, file: file, line: line)
    }

    static func binary<P: BinaryPrimitive>(
        _: P.Type, _ a: Tensor, scalar: ScalarOperand, reversed: Bool, file: StaticString, line: UInt
    ) -> Tensor {
        let common = a.resultDType(withScalarKind: scalar.kind)
        // PyTorch's tensor-scalar pow special-cases exponents ±0.5 on float32/float64 (`PowScalar`).
        if P.self == Pointwise.Pow.self && !reversed && common.isFloatingPoint && common.computeType == common {
            return binary(Pointwise.PowScalar.self, a, scalar: scalar, reversed: false, file: file, line: line)
        }
        P.checkScalar(a.dtype, scalar.kind, common: common, file: file, line: line)
        // A true division (or atan2) of an integral tensor computes in floating point: the scalar
        // joins it there, never wrapped into the tensor's integral dtype (uint8 / -1 is -x).
        let s: Tensor
        if P.computesInFloat {
            s = scalar.tensor(P.resultType(common, file: file, line: line))
        } else if P.scalarKeepsPrecision && common.isFloatingPoint {
            s = scalar.tensor(common.computeType)
        } else {
            s = scalar.tensor(common)
        }
        return reversed
            ? binary(P.self, s, a, common: common, file: file, line: line)
            : binary(P.self, a, s, common: common, file: file, line: line)
    }

    /// `P(a, b)` as a bool tensor, compared in the promoted dtype.
    static func compare<P: ComparisonPrimitive>(
        _: P.Type, _ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        compare(P.self, a, b, common: commonType(a, b), file: file, line: line)
    }

    static func compare<P: ComparisonPrimitive>(
        _: P.Type, _ a: Tensor, _ b: Tensor, common: DType, file: StaticString, line: UInt
    ) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1(P.name, [a, b], file: file, line: line) {
                compare(P.self, $0[0], $0[1], common: common, file: file, line: line)
            }
        }
        if common.isComplex { return ComplexMath.compare(P.self, a, b, common: common, file: file, line: line) }
        let shape =
            a.shape == b.shape
            ? a.shape : Checks.broadcastShapes(a.shape, b.shape).unwrap(P.name, file: file, line: line)
        let (a, b) = sameDevice(a, b, P.name, file: file, line: line)
        let compute = common.computeType
        // An int64 compared with a float16 is compared as float16: rounded to the common dtype first.
        let x = a.dtype == common || common == compute ? a.to(compute) : a.to(common).to(compute)
        let y = b.dtype == common || common == compute ? b.to(compute) : b.to(common).to(compute)
        let out = Tensor.uninitialized(like: a.shape == shape ? a : b, shape: shape, dtype: .bool)
        Kernels.test(P.self, out.operand, x.operand(broadcastTo: shape), y.operand(broadcastTo: shape), a.device)
        return out
    }

    /// `P(a, scalar)` as a bool tensor.
    @inline(__always)
    static func compare<P: ComparisonPrimitive, S: ScalarLike>(
        _: P.Type, _ a: Tensor, scalar: S, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        compare(P.self, a, scalar: ScalarOperand(scalar), file: file, line: line)
    }

    static func compare<P: ComparisonPrimitive>(
        _: P.Type, _ a: Tensor, scalar: ScalarOperand, file: StaticString, line: UInt
    ) -> Tensor {
        let common = a.resultDType(withScalarKind: scalar.kind)
        return compare(P.self, a, scalar.tensor(common), common: common, file: file, line: line)
    }

    /// PyTorch's `can_cast`: no float to integral, no non-bool to bool.
    static func canCast(_ from: DType, to: DType) -> Bool {
        if from.isComplex && !to.isComplex { return false }
        if from.isFloatingPoint && !to.isFloatingPoint && !to.isComplex { return false }
        if from != .bool && to == .bool { return false }
        return true
    }

    /// Traps as PyTorch does when `result` cannot be written into this tensor: a dtype it may not be
    /// cast to, or another shape.
    func checkResultFits(_ result: Tensor, op: String, file: StaticString, line: UInt) {
        if !Tensor.canCast(result.dtype, to: dtype) {
            torchFail(
                op, "result type \(result.dtype) can't be cast to the desired output type \(dtype)", file: file,
                line: line)
        }
        if result.shape != shape {
            torchFail(
                op, "output with shape \(shape) doesn't match the broadcast shape \(result.shape)", file: file,
                line: line)
        }
    }

    /// Writes `result` (of this shape) into self, checking that its dtype may be cast to ours.
    func assignResult(_ result: Tensor, op: String, file: StaticString, line: UInt) {
        checkNoInternalOverlap(op, file: file, line: line)
        if Tracing.isTracing && Tracing.assignInPlace(self, result) { return }
        if Tensor.shouldRecord(self, result) {
            rebaseInPlace(op, file: file, line: line) { _ in result }
            return
        }
        checkResultFits(result, op: op, file: file, line: line)
        if result.storage !== storage || result.layout != layout {
            Kernels.copy(operand, result.operand, device)
        }
        bumpVersion()
    }

    /// In-place `self = P(self, other)`, written straight into self when no conversion is needed.
    func binaryInPlace<P: BinaryPrimitive>(
        _: P.Type, _ other: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) {
        let name = P.name + "_"
        checkNoInternalOverlap(name, file: file, line: line)
        if Tracing.isTracing {
            // Recorded as the functional op, then written in (Note [Tracing]).
            assignResult(Tensor.binary(P.self, self, other, file: file, line: line), op: name, file: file, line: line)
            return
        }
        if Tensor.shouldRecord(self, other) {
            rebaseInPlace(name, file: file, line: line) { Tensor.binary(P.self, $0, other, file: file, line: line) }
            return
        }
        // Fast path: add/sub/mul of one computable dtype and shape, both contiguous on one device
        // (gradient accumulation, optimizer steps): written straight into self.
        if P.flatFastPath && dtype == other.dtype && dtype != .bool && dtype.computeType == dtype && !dtype.isComplex
            && layout.isContiguous && other.layout.isContiguous && shape == other.shape && device == other.device
            && (other.storage !== storage || other.layout == layout)
        {
            let d = storage.data + layout.offset * itemSize
            Kernels.mapFlat(
                P.self, dtype, out: d, a: d, b: other.storage.data + other.layout.offset * itemSize, count: count,
                device)
            bumpVersion()
            return
        }
        if other.dtype == dtype && dtype.computeType == dtype && !dtype.isComplex
            && (other.device == device || other.rank == 0)
        {
            let b = Checks.broadcastShapes(shape, other.shape).unwrap(name, file: file, line: line)
            if b == shape && P.resultType(dtype, file: file, line: line) == dtype {
                let src = other.storage === storage && other.layout != layout ? other.clone() : other
                Kernels.map(P.self, operand, operand, src.onDevice(device).operand(broadcastTo: shape), device)
                bumpVersion()
                return
            }
        }
        assignResult(Tensor.binary(P.self, self, other, file: file, line: line), op: name, file: file, line: line)
    }

    /// In-place `self = P(self, scalar)`.
    @inline(__always)
    func binaryInPlace<P: BinaryPrimitive, S: ScalarLike>(
        _: P.Type, scalar: S, file: StaticString = #fileID, line: UInt = #line
    ) {
        binaryInPlace(P.self, scalar: ScalarOperand(scalar), file: file, line: line)
    }

    func binaryInPlace<P: BinaryPrimitive>(_: P.Type, scalar: ScalarOperand, file: StaticString, line: UInt) {
        if resultDType(withScalarKind: scalar.kind) == dtype {
            // The scalar-exponent pow kernel (see `binary(_:_:scalar:)`).
            if P.self == Pointwise.Pow.self && dtype.isFloatingPoint && dtype.computeType == dtype {
                binaryInPlace(Pointwise.PowScalar.self, scalar.tensor(dtype), file: file, line: line)
            } else {
                binaryInPlace(P.self, scalar.tensor(dtype), file: file, line: line)
            }
        } else {
            assignResult(
                Tensor.binary(P.self, self, scalar: scalar, reversed: false, file: file, line: line), op: P.name + "_",
                file: file, line: line)
        }
    }

    /// `out = P(a, b)` written into an existing tensor of the broadcast shape (PyTorch's `out=`).
    static func binary<P: BinaryPrimitive>(
        _: P.Type, _ a: Tensor, _ b: Tensor, out: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) {
        if a.dtype == b.dtype && a.dtype == out.dtype && out.dtype.computeType == out.dtype {
            let shape = Checks.broadcastShapes(a.shape, b.shape).unwrap(P.name, file: file, line: line)
            if shape == out.shape && P.resultType(out.dtype, file: file, line: line) == out.dtype {
                Kernels.map(
                    P.self, out.operand, a.operand(broadcastTo: shape), b.operand(broadcastTo: shape), out.device)
                out.bumpVersion()
                return
            }
        }
        out.assignResult(binary(P.self, a, b, file: file, line: line), op: P.name, file: file, line: line)
    }
}

extension Torch {
    /// `out = a + b` into an existing tensor (PyTorch's `torch.add(a, b, out=out)`).
    public static func add(_ a: Tensor, _ b: Tensor, out: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        Tensor.binary(Pointwise.Add.self, a, b, out: out, file: file, line: line)
    }
    /// `out = a * b` into an existing tensor (`torch.mul(a, b, out=out)`). `Torch.mul(a, b, out: o)`
    public static func mul(_ a: Tensor, _ b: Tensor, out: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        Tensor.binary(Pointwise.Mul.self, a, b, out: out, file: file, line: line)
    }
}

extension Tensor {
    /// The names of the binary primitives with value results, in registry order (tests and tools).
    package static var binaryPrimitiveNames: [String] { BinaryPrimitives.all.map { $0.name } }
    /// The names of the comparison and logical primitives.
    package static var comparisonNames: [String] { BinaryPrimitives.comparisons.map { $0.name } }

    /// The binary (or comparison) primitive `name` of `a` and `b`, or nil when there is none. (Through
    /// the registry the call is not specialised: for tests and tools, not hot paths.)
    package static func binary(
        named name: String, _ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor? {
        if let p = BinaryPrimitives.all.first(where: { $0.name == name }) {
            return binary(p, a, b, file: file, line: line)
        }
        if let p = BinaryPrimitives.comparisons.first(where: { $0.name == name }) {
            return compare(p, a, b, file: file, line: line)
        }
        return nil
    }

    /// The binary (or comparison) primitive `name` of `a` and a Swift scalar, or nil when there is none.
    package static func binary<S: ScalarLike>(
        named name: String, _ a: Tensor, scalar: S, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor? {
        if let p = BinaryPrimitives.all.first(where: { $0.name == name }) {
            return binary(p, a, scalar: scalar, file: file, line: line)
        }
        if let p = BinaryPrimitives.comparisons.first(where: { $0.name == name }) {
            return compare(p, a, scalar: scalar, file: file, line: line)
        }
        return nil
    }
}
