import TorchBase

// The binary element-wise primitives (`BinaryOp`): promotion, the record site, the forward's dtype
// plan and backend call, in-place and `out=` forms, and (below) what each saves and its derivative.

/// Note [Pointwise dtype plan]: the result dtype follows PyTorch's promotion; kernels compute in
/// `dtype.computeType` (float16/bfloat16 in float32) and the result is converted back; comparisons
/// and logical ops produce bool.
extension Tensor {
    static func binaryResultType(_ op: BinaryOp, _ common: DType, file: StaticString, line: UInt) -> DType {
        switch op {
        case .div, .atan2:
            return common.isFloatingPoint ? common : Torch.defaultDType
        case .sub where common == .bool:
            torchFail(
                "sub",
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                    + "`logicalXor()` operator instead.",
                file: file, line: line)
        case .bitwiseAnd, .bitwiseOr, .bitwiseXor:
            if common.isFloatingPoint {
                torchFail(
                    op.rawValue, "\"\(Tensor.snake(op.rawValue))_cpu\" not implemented for '\(common.pytorchName)'",
                    file: file, line: line)
            }
            return common
        default:
            return common
        }
    }

    /// `a op b` with broadcasting and promotion. `common` is the promoted input dtype.
    static func binary(
        _ op: BinaryOp, _ a: Tensor, _ b: Tensor, common: DType,
        file: StaticString, line: UInt
    ) -> Tensor {
        // (A bool tensor to a Python-scalar power is computed by PyTorch: only tensor exponents are checked.)
        if (a.dtype == .bool || b.dtype == .bool)
            && !((op == .pow || op == .powScalar) && b.rank == 0 && a.dtype == .bool)
        {
            checkBinarySupport(op, a.dtype, b.dtype, common: common, file: file, line: line)
        }
        if shouldRecord(a, b), let p = binaryPrimitive(op) {
            // Note [What autograd saves]: only what the derivative formula reads, as PyTorch's
            // derivatives.yaml (`add` nothing, `mul` the other operand of an input that needs a
            // gradient, `exp` its result), so in-place changes to the rest stay legal.
            let rule = binarySaves(op, needsA: a.needsGradient, needsB: b.needsGradient)
            var save = SmallList<Tensor>()
            if rule.a { save.append(a) }
            if rule.b { save.append(b) }
            // Shapes and dtypes for the backward, kept only for inputs that are not saved.
            let meta = rule.a && rule.b ? SmallList<TensorMeta>() : SmallList(TensorMeta(a), TensorMeta(b))
            if a.dtype == common && b.dtype == common && common.computeType == common {
                // No dtype conversions: the raw op records nothing, so it needs no noGrad scope.
                return recorded(
                    p, SmallList(a, b), save: save, saveOutput: rule.out, inputMeta: meta, file: file, line: line,
                    output: binaryRaw(op, a, b, common: common, file: file, line: line),
                    backward: { node, g in binaryBackward(node, g) })
            }
            return recorded(
                p, SmallList(a, b), save: save, saveOutput: rule.out, inputMeta: meta, file: file, line: line,
                forward: { binaryRaw(op, a, b, common: common, file: file, line: line) },
                backward: { node, g in binaryBackward(node, g) })
        }
        return binaryRaw(op, a, b, common: common, file: file, line: line)
    }

    static func binaryRaw(
        _ op: BinaryOp, _ a: Tensor, _ b: Tensor, common: DType,
        file: StaticString, line: UInt
    ) -> Tensor {
        // Fast path: add/sub/mul of one computable dtype, one shape, both contiguous on one device
        // (the common small-op case): no promotion plan, no broadcast layouts. Note [Fast paths]:
        // core only skips its own planning here; which loop runs is the backend's choice.
        if a.dtype == b.dtype && (op == .add || op == .sub || op == .mul) && a.dtype != .bool
            && a.dtype.computeType == a.dtype && a.layout.isContiguous && b.layout.isContiguous && a.shape == b.shape
            && a.layout.offset == 0 && a.device == b.device
        {
            let out = Tensor(uninitializedContiguous: a.layout, dtype: a.dtype, device: a.device)
            Kernels.binaryFlat(
                op, a.dtype, out: out.storage.data, a: a.storage.data,
                b: b.storage.data + b.layout.offset * b.itemSize, count: a.count, a.device)
            return out
        }
        let shape =
            a.shape == b.shape
            ? a.shape : Checks.broadcastShapes(a.shape, b.shape).unwrap(op.rawValue, file: file, line: line)
        var a = a, b = b
        if a.device != b.device {
            // A CPU 0-d tensor (a Swift scalar) may meet a tensor on any device, as in PyTorch.
            if a.rank == 0 && b.device.accepts0D(from: a.device) {
                a = a.to(device: b.device)
            } else if b.rank == 0 && a.device.accepts0D(from: b.device) {
                b = b.to(device: a.device)
            } else {
                torchFail(
                    op.rawValue,
                    "Expected all tensors to be on the same device, but found at least two devices, \(a.device) and "
                        + "\(b.device)!",
                    file: file, line: line)
            }
        }
        let valueType = binaryResultType(op, common, file: file, line: line)
        let compute = valueType.computeType
        let outType = op.isComparison ? DType.bool : compute
        // Inputs of another dtype are first rounded to the common one (an int64 compared with a
        // float16 is compared as float16), then widened to the compute type, as PyTorch.
        let cast = op.isComparison ? common : valueType
        let x = a.dtype == cast || cast == compute ? a.to(compute) : a.to(cast).to(compute)
        let y = b.dtype == cast || cast == compute ? b.to(compute) : b.to(cast).to(compute)
        let out = Tensor.uninitialized(like: a.shape == shape ? a : b, shape: shape, dtype: outType)
        Kernels.binary(op, out.operand, x.operand(broadcastTo: shape), y.operand(broadcastTo: shape), a.device)
        return op.isComparison ? out : out.to(valueType)
    }

    /// Tensor-tensor op with PyTorch's promotion.
    package static func binary(
        _ op: BinaryOp, _ a: Tensor, _ b: Tensor,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let common =
            a.dtype == b.dtype
            ? a.dtype
            : resultType([.tensor(a.dtype, isZeroDim: a.rank == 0), .tensor(b.dtype, isZeroDim: b.rank == 0)])
        return binary(op, a, b, common: common, file: file, line: line)
    }

    /// Tensor-scalar op: the scalar never raises the tensor's dtype within its category.
    package static func binary<S: ScalarLike>(
        _ op: BinaryOp, _ a: Tensor, scalar: S, reversed: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let common = a.resultDType(withScalar: S.self)
        if op == .sub && (S.scalarKind == .bool || a.dtype == .bool) {
            checkBinarySupport(
                op, a.dtype, S.scalarKind == .bool ? .bool : S.scalarKind, common: common, file: file, line: line)
        }
        // A true division (or atan2) of an integral tensor computes in floating point: the scalar
        // joins it there, never wrapped into the tensor's integral dtype (uint8 / -1 is -x).
        let valueType = op == .div || op == .atan2 ? binaryResultType(op, common, file: file, line: line) : common
        let s = Tensor.scalar(scalar, dtype: valueType)
        // PyTorch's tensor-scalar pow special-cases exponents ±0.5 on float32/float64 (`powScalar`).
        let op = op == .pow && !reversed && common.isFloatingPoint && common.computeType == common ? .powScalar : op
        return reversed
            ? binary(op, s, a, common: common, file: file, line: line)
            : binary(op, a, s, common: common, file: file, line: line)
    }

    /// PyTorch's `can_cast`: no float to integral, no non-bool to bool.
    static func canCast(_ from: DType, to: DType) -> Bool {
        if from.isFloatingPoint && !to.isFloatingPoint { return false }
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

    /// In-place `self = self op other`, written straight into self when no conversion is needed.
    package func binaryInPlace(_ op: BinaryOp, _ other: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        checkNoInternalOverlap(op.rawValue + "_", file: file, line: line)
        if Tensor.shouldRecord(self, other) {
            rebaseInPlace(op.rawValue + "_", file: file, line: line) {
                Tensor.binary(op, $0, other, file: file, line: line)
            }
            return
        }
        // Fast path: add/sub/mul of one computable dtype and shape, both contiguous on one device
        // (gradient accumulation, optimizer steps): written straight into self.
        if dtype == other.dtype && (op == .add || op == .sub || op == .mul) && dtype != .bool
            && dtype.computeType == dtype
            && layout.isContiguous && other.layout.isContiguous && shape == other.shape && device == other.device
            && (other.storage !== storage || other.layout == layout)
        {
            let d = storage.data + layout.offset * itemSize
            Kernels.binaryFlat(
                op, dtype, out: d, a: d, b: other.storage.data + other.layout.offset * itemSize, count: count, device)
            bumpVersion()
            return
        }
        if other.dtype == dtype && dtype.computeType == dtype && !op.isComparison && op != .div && op != .atan2
            && (other.device == device || other.rank == 0)
        {
            let b = Checks.broadcastShapes(shape, other.shape).unwrap(op.rawValue + "_", file: file, line: line)
            if b == shape {
                _ = Tensor.binaryResultType(op, dtype, file: file, line: line)
                let src = other.storage === storage && other.layout != layout ? other.clone() : other
                Kernels.binary(op, operand, operand, src.onDevice(device).operand(broadcastTo: shape), device)
                bumpVersion()
                return
            }
        }
        assignResult(
            Tensor.binary(op, self, other, file: file, line: line), op: op.rawValue + "_", file: file, line: line)
    }

    package func binaryInPlace<S: ScalarLike>(
        _ op: BinaryOp, scalar: S, file: StaticString = #fileID, line: UInt = #line
    ) {
        if resultDType(withScalar: S.self) == dtype {
            // The scalar-exponent pow kernel (see `binary(_:_:scalar:)`).
            let op = op == .pow && dtype.isFloatingPoint && dtype.computeType == dtype ? .powScalar : op
            binaryInPlace(op, Tensor.scalar(scalar, dtype: dtype), file: file, line: line)
        } else {
            assignResult(
                Tensor.binary(op, self, scalar: scalar, file: file, line: line), op: op.rawValue + "_", file: file,
                line: line)
        }
    }

}

extension Tensor {
    /// `out = a op b` written into an existing tensor of the broadcast shape (PyTorch's `out=`).
    package static func binary(
        _ op: BinaryOp, _ a: Tensor, _ b: Tensor, out: Tensor,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        if a.dtype == b.dtype && a.dtype == out.dtype && out.dtype.computeType == out.dtype && !op.isComparison
            && op != .div
        {
            let shape = Checks.broadcastShapes(a.shape, b.shape).unwrap(op.rawValue, file: file, line: line)
            if shape == out.shape {
                Kernels.binary(
                    op, out.operand, a.operand(broadcastTo: shape), b.operand(broadcastTo: shape), out.device)
                out.bumpVersion()
                return
            }
        }
        out.assignResult(binary(op, a, b, file: file, line: line), op: op.rawValue, file: file, line: line)
    }
}

extension Torch {
    /// `out = a + b` into an existing tensor (PyTorch's `torch.add(a, b, out=out)`).
    public static func add(_ a: Tensor, _ b: Tensor, out: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        Tensor.binary(.add, a, b, out: out, file: file, line: line)
    }
    /// `out = a * b` into an existing tensor (`torch.mul(a, b, out=out)`). ```Torch.mul(a, b, out: o)```
    public static func mul(_ a: Tensor, _ b: Tensor, out: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        Tensor.binary(.mul, a, b, out: out, file: file, line: line)
    }
}

// Derivatives of the element-wise primitives, written with differentiable ops so that they can
// be differentiated again (createGraph).
extension Tensor {
    static func binaryPrimitive(_ op: BinaryOp) -> Primitive? {
        switch op {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .pow: return .pow
        case .powScalar: return .powScalar
        case .maximum: return .maximum
        case .minimum: return .minimum
        case .atan2: return .atan2
        case .remainder: return .remainder
        case .fmod: return .fmod
        default: return nil
        }
    }

    /// The binary op of a binary primitive (inverse of `binaryPrimitive`: the names agree).
    static func binaryOp(of p: Primitive) -> BinaryOp {
        guard let op = BinaryOp(rawValue: p.name) else { preconditionFailure("\(p) is not a binary primitive") }
        return op
    }

    /// What the backward of `a op b` reads (see Note [What autograd saves]), given which inputs
    /// need a gradient. The saved tensors are stored in the order a, b, output.
    static func binarySaves(_ op: BinaryOp, needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) {
        switch op {
        case .add, .sub: return (false, false, false)
        case .mul: return (needsB, needsA, false)
        case .div: return (needsB, true, false)
        case .pow, .powScalar: return (true, true, needsB)
        case .remainder, .fmod: return (needsB, needsB, false)
        default: return (true, true, false)
        }
    }

    /// Input gradients of `a op b` (nil where an input needs none), `op` read from the node's
    /// primitive so that the recorded closure captures nothing (no context allocation).
    static func binaryBackward(_ node: FunctionNode, _ g: Tensor) -> [Tensor?] {
        let op = binaryOp(of: node.primitive!)
        let na = node.needs(0), nb = node.needs(1)
        let rule = binarySaves(op, needsA: na, needsB: nb)
        // Saved tensors in order a, b, output; each read only where the rule saved it.
        func a() -> Tensor { node.savedTensor(0) }
        func b() -> Tensor { node.savedTensor(rule.a ? 1 : 0) }
        func out() -> Tensor { node.savedTensor((rule.a ? 1 : 0) + (rule.b ? 1 : 0)) }
        let (shapeA, dtypeA, shapeB, dtypeB): ([Int], DType, [Int], DType)
        if node.inputMeta.isEmpty {
            let (a, b) = (a(), b())
            (shapeA, dtypeA, shapeB, dtypeB) = (a.shape, a.dtype, b.shape, b.dtype)
        } else {
            let (ma, mb) = (node.inputMeta[0], node.inputMeta[1])
            (shapeA, dtypeA, shapeB, dtypeB) = (ma.shape, ma.dtype, mb.shape, mb.dtype)
        }
        var ga: Tensor? = nil, gb: Tensor? = nil
        switch op {
        case .add: ga = na ? g : nil; gb = nb ? g : nil
        case .sub: ga = na ? g : nil; gb = nb ? -g : nil
        case .mul: ga = na ? g * b() : nil; gb = nb ? g * a() : nil
        case .div:
            let b = b()
            ga = na ? g / b : nil
            gb = nb ? -g * a() / (b * b) : nil
        case .pow, .powScalar:
            let a = a(), b = b()
            if na {
                // PyTorch's pow_backward: zero where the exponent is 0 (no 0 · inf from a^-1 at a = 0);
                // a scalar exponent's `a^(b-1)` is again the scalar kernel (rsqrt for b = 0.5).
                let d = b * Tensor.binary(op, a, b - 1)
                ga = g * Tensor.where(b .== 0, Tensor.zerosLike(d), d)
            }
            if nb {
                let zeroBase = (a .== 0) & (b .>= 0)
                gb = Tensor.where(zeroBase, 0.0, g * out() * a.log())
            }
        case .maximum, .minimum:
            let a = a(), b = b()
            let aWins = (op == .maximum ? a .> b : a .< b).to(g.dtype)
            let tie = (a .== b).to(g.dtype) * 0.5
            ga = na ? g * (aWins + tie) : nil
            gb = nb ? g * ((1 - aWins) - tie) : nil
        case .atan2:
            let a = a(), b = b()
            let denom = a * a + b * b
            ga = na ? g * b / denom : nil
            gb = nb ? -g * a / denom : nil
        case .remainder:
            ga = na ? g : nil
            gb = nb ? -g * a().div(b(), roundingMode: .floor) : nil
        case .fmod:
            ga = na ? g : nil
            gb = nb ? -g * a().div(b(), roundingMode: .trunc) : nil
        default: break
        }
        return [ga.map { $0.sumToShape(shapeA).to(dtypeA) }, gb.map { $0.sumToShape(shapeB).to(dtypeB) }]
    }
}
