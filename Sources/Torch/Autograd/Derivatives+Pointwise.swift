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

    /// Input gradients of `a op b` (nil where an input needs none), `op` read from the node's
    /// primitive so that the recorded closure captures nothing (no context allocation).
    static func binaryBackward(_ node: FunctionNode, _ g: Tensor) -> [Tensor?] {
        let op = binaryOp(of: node.primitive!)
        let a = node.savedTensor(0), b = node.savedTensor(1)
        var ga: Tensor? = nil, gb: Tensor? = nil
        let na = node.needs(0), nb = node.needs(1)
        switch op {
        case .add: ga = na ? g : nil; gb = nb ? g : nil
        case .sub: ga = na ? g : nil; gb = nb ? -g : nil
        case .mul: ga = na ? g * b : nil; gb = nb ? g * a : nil
        case .div:
            ga = na ? g / b : nil
            gb = nb ? -g * a / (b * b) : nil
        case .pow:
            if na { ga = g * b * a.pow(b - 1) }
            if nb {
                let out = node.savedTensor(2)
                let zeroBase = (a .== 0) & (b .>= 0)
                gb = Tensor.where(zeroBase, 0.0, g * out * a.log())
            }
        case .maximum, .minimum:
            let aWins = (op == .maximum ? a .> b : a .< b).to(g.dtype)
            let tie = (a .== b).to(g.dtype) * 0.5
            ga = na ? g * (aWins + tie) : nil
            gb = nb ? g * ((1 - aWins) - tie) : nil
        case .atan2:
            let denom = a * a + b * b
            ga = na ? g * b / denom : nil
            gb = nb ? -g * a / denom : nil
        case .remainder:
            ga = na ? g : nil
            gb = nb ? -g * a.div(b, roundingMode: "floor") : nil
        case .fmod:
            ga = na ? g : nil
            gb = nb ? -g * a.div(b, roundingMode: "trunc") : nil
        default: break
        }
        return [ga.map { $0.sumToShape(a.shape).to(a.dtype) }, gb.map { $0.sumToShape(b.shape).to(b.dtype) }]
    }

    static func unaryPrimitive(_ op: UnaryOp) -> Primitive? {
        switch op {
        case .logicalNot, .bitwiseNot: return nil
        default: return Primitive(rawValue: op.rawValue)
        }
    }

    /// Input gradient of `op(x)` given the output gradient `g` (x saved first, output second).
    static func unaryBackward(_ op: UnaryOp, _ node: FunctionNode, _ g: Tensor) -> Tensor {
        let x = node.savedTensor(0)
        func y() -> Tensor { node.savedTensor(1) }
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

    /// Whether the backward of `op` reads the output (saved as the second tensor).
    static func unaryNeedsOutput(_ op: UnaryOp) -> Bool {
        switch op {
        case .exp, .exp2, .expm1, .sqrt, .rsqrt, .tan, .tanh, .sigmoid, .relu, .reciprocal: return true
        default: return false
        }
    }
}
