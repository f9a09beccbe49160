import TorchBase

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
