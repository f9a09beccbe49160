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
        guard let op = BinaryOp(rawValue: p.rawValue) else { preconditionFailure("\(p) is not a binary primitive") }
        return op
    }

    /// What the backward of `a op b` reads (see Note [What autograd saves]), given which inputs
    /// need a gradient. The saved tensors are stored in the order a, b, output.
    static func binarySaves(_ op: BinaryOp, needsA: Bool, needsB: Bool) -> (a: Bool, b: Bool, out: Bool) {
        switch op {
        case .add, .sub: return (false, false, false)
        case .mul: return (needsB, needsA, false)
        case .div: return (needsB, true, false)
        case .pow: return (true, true, needsB)
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
        case .pow:
            let a = a(), b = b()
            if na {
                // PyTorch's pow_backward: zero where the exponent is 0 (no 0 · inf from a^-1 at a = 0).
                let d = b * a.pow(b - 1)
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

    static func unaryPrimitive(_ op: UnaryOp) -> Primitive? {
        switch op {
        case .logicalNot, .bitwiseNot: return nil
        default: return Primitive(rawValue: op.rawValue)
        }
    }

    /// Input gradient of `op(x)` given the output gradient `g` (x saved first when its formula
    /// reads it, then the output when it reads that: `unarySaves`).
    static func unaryBackward(_ op: UnaryOp, _ node: FunctionNode, _ g: Tensor) -> Tensor {
        let rule = unarySaves(op)
        let x = rule.input ? node.savedTensor(0) : g   // unpacked once; unused where not saved
        func y() -> Tensor { node.savedTensor(rule.input ? 1 : 0) }
        switch op {
        case .neg: return -g
        case .abs: return g * x.sign()
        case .sign, .floor, .ceil, .round, .trunc: return Tensor.zerosLike(g)
        case .square: return g * x * 2
        case .exp: return g * y()
        case .exp2: return g * y() * 0.69314718055994530942
        case .expm1: return g * (y() + 1)
        case .log: return g / x
        case .log2: return g / (x * 0.69314718055994530942)
        case .log10: return g / (x * 2.30258509299404568402)
        case .log1p: return g / (x + 1)
        case .sqrt: return g / (y() * 2)
        case .rsqrt: let r = y(); return g * r * r * r * -0.5
        case .sin: return g * x.cos()
        case .cos: return -g * x.sin()
        case .tan: let r = y(); return g * (r * r + 1)
        case .asin: return g / (1 - x * x).sqrt()
        case .acos: return -g / (1 - x * x).sqrt()
        case .atan: return g / (x * x + 1)
        case .sinh: return g * x.cosh()
        case .cosh: return g * x.sinh()
        case .tanh: let r = y(); return g * (1 - r * r)
        case .sigmoid: let r = y(); return g * r * (1 - r)
        case .relu:
            // One fused pass unless this backward is itself recorded (createGraph needs g · mask).
            let out = y()
            if !GradMode.isEnabled && g.dtype == out.dtype { return Tensor.binary(.reluBackward, g, out) }
            return g * (out .> 0).to(g.dtype)
        case .gelu:
            let cdf = ((x * 0.70710678118654752440).erf() + 1) * 0.5
            let pdf = (x * x * -0.5).exp() * 0.39894228040143267794
            return g * (cdf + x * pdf)
        case .geluTanh:
            let k = 0.79788456080286535588, c = 0.044715
            let t = ((x + x * x * x * c) * k).tanh()
            let dt = (1 - t * t) * ((x * x * (3 * c) + 1) * k)
            return g * ((t + 1) * 0.5 + x * dt * 0.5)
        case .silu:
            let s = x.sigmoid()
            return g * s * (x * (1 - s) + 1)
        case .softplus:
            return Tensor.where(x .> 20, g, g * x.sigmoid())
        case .erf: return g * (x * x * -1).exp() * 1.12837916709551257390
        case .erfc: return g * (x * x * -1).exp() * -1.12837916709551257390
        case .reciprocal: let r = y(); return -g * r * r
        case .logicalNot, .bitwiseNot: return Tensor.zerosLike(g)
        }
    }

    /// What the backward of `op` reads (see Note [What autograd saves]): its input, its output,
    /// or neither (`neg`, and the piecewise-constant ops whose gradient is zero).
    static func unarySaves(_ op: UnaryOp) -> (input: Bool, output: Bool) {
        switch op {
        case .exp, .exp2, .expm1, .sqrt, .rsqrt, .tan, .tanh, .sigmoid, .relu, .reciprocal: return (false, true)
        case .neg, .sign, .floor, .ceil, .round, .trunc, .logicalNot, .bitwiseNot: return (false, false)
        default: return (true, false)
        }
    }
}
