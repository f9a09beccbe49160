import Torch
import TorchBase

/// A differentiable map between supports (`torch.distributions.transforms.Transform`): forward,
/// inverse and log |det J| of the forward at x, with the constraints it maps between.
///
/// ```swift
/// let t = ExpTransform()
/// t(Tensor([0.0]))            // [1]
/// t.inverse(Tensor([1.0]))    // [0]
/// ```
open class Transform {
    public init() {}
    /// The support of x and of y = t(x).
    open var domain: Constraint { .real }
    open var codomain: Constraint { .real }
    /// +1 for increasing, -1 for decreasing maps (univariate bijections only).
    open var sign: Double? { nil }
    open func forward(_ x: Tensor) -> Tensor { fatalError("\(type(of: self)) must override forward") }
    open func inverse(_ y: Tensor) -> Tensor { fatalError("\(type(of: self)) must override inverse") }
    /// log |dy/dx| at x (y = t(x) given too), summed over the domain's event dims.
    open func logAbsDetJacobian(_ x: Tensor, _ y: Tensor) -> Tensor {
        torchFail("Transform", "\(type(of: self)) has no log_abs_det_jacobian", file: #fileID, line: #line)
    }
    /// The shape of t(x) for x of `shape`.
    open func forwardShape(_ shape: [Int]) -> [Int] { shape }
    open func inverseShape(_ shape: [Int]) -> [Int] { shape }
    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }
}

/// softplus(x) = log(1 + eˣ), stable.
func softplus(_ x: Tensor) -> Tensor { x.clamp(min: 0.0) + (-x.abs()).exp().log1p() }

/// y = exp(x) (`ExpTransform`).
public final class ExpTransform: Transform {
    override public var codomain: Constraint { .positive }
    override public var sign: Double? { 1 }
    override public func forward(_ x: Tensor) -> Tensor { x.exp() }
    override public func inverse(_ y: Tensor) -> Tensor { y.log() }
    override public func logAbsDetJacobian(_ x: Tensor, _ y: Tensor) -> Tensor { x }
}

/// y = σ(x), kept inside (0, 1) in the dtype (`SigmoidTransform`).
public final class SigmoidTransform: Transform {
    override public var codomain: Constraint { .unitInterval }
    override public var sign: Double? { 1 }
    override public func forward(_ x: Tensor) -> Tensor {
        let f = finfo(x.dtype)
        return x.sigmoid().clamp(min: f.tiny, max: 1 - f.eps)
    }
    override public func inverse(_ y: Tensor) -> Tensor {
        let f = finfo(y.dtype)
        let c = y.clamp(min: f.tiny, max: 1 - f.eps)
        return c.log() - (-c).log1p()
    }
    override public func logAbsDetJacobian(_ x: Tensor, _ y: Tensor) -> Tensor { -softplus(-x) - softplus(x) }
}

/// y = tanh(x) (`TanhTransform`).
public final class TanhTransform: Transform {
    override public var codomain: Constraint { .interval(Tensor(-1.0), Tensor(1.0)) }
    override public var sign: Double? { 1 }
    override public func forward(_ x: Tensor) -> Tensor { x.tanh() }
    override public func inverse(_ y: Tensor) -> Tensor { y.atanh() }
    override public func logAbsDetJacobian(_ x: Tensor, _ y: Tensor) -> Tensor {
        2.0 * (Double.log(2) - x - softplus(-2.0 * x))
    }
}

/// y = loc + scale · x, over `eventDim` rightmost dims (`AffineTransform`).
public final class AffineTransform: Transform {
    public let loc: Tensor, scale: Tensor, eventDim: Int
    public init(loc: Tensor, scale: Tensor, eventDim: Int = 0) {
        (self.loc, self.scale, self.eventDim) = (loc, scale, eventDim)
    }
    override public var domain: Constraint { eventDim == 0 ? .real : .independent(.real, eventDim) }
    override public var codomain: Constraint { domain }
    override public var sign: Double? {
        let s = scale.detach().sign().toArray(Double.self)
        return s.allSatisfy { $0 == s.first } ? s.first : nil
    }
    override public func forward(_ x: Tensor) -> Tensor { loc + scale * x }
    override public func inverse(_ y: Tensor) -> Tensor { (y - loc) / scale }
    override public func logAbsDetJacobian(_ x: Tensor, _ y: Tensor) -> Tensor {
        let shape = try! Checks.broadcastShapes(x.shape, scale.shape).get()
        return sumRightmost(scale.abs().log().expand(shape), eventDim)
    }
}

/// y = xᵖ on the positive reals (`PowerTransform`).
public final class PowerTransform: Transform {
    public let exponent: Tensor
    public init(exponent: Tensor) { self.exponent = exponent }
    override public var domain: Constraint { .positive }
    override public var codomain: Constraint { .positive }
    override public var sign: Double? {
        let s = exponent.detach().sign().toArray(Double.self)
        return s.allSatisfy { $0 == s.first } ? s.first : nil
    }
    override public func forward(_ x: Tensor) -> Tensor { x.pow(exponent) }
    override public func inverse(_ y: Tensor) -> Tensor { y.pow(exponent.reciprocal()) }
    override public func logAbsDetJacobian(_ x: Tensor, _ y: Tensor) -> Tensor { (exponent * y / x).abs().log() }
}

/// The softmax of the last dim (not bijective: no Jacobian; `SoftmaxTransform`).
public final class SoftmaxTransform: Transform {
    override public var domain: Constraint { .independent(.real, 1) }
    override public var codomain: Constraint { .simplex }
    override public func forward(_ x: Tensor) -> Tensor {
        let p = (x - x.amax(dims: [-1], keepdim: true)).exp()
        return p / p.sum(dims: [-1], keepdim: true)
    }
    override public func inverse(_ y: Tensor) -> Tensor { y.log() }
}

/// ℝᴷ⁻¹ → the K-simplex by stick breaking (`StickBreakingTransform`).
public final class StickBreakingTransform: Transform {
    override public var domain: Constraint { .independent(.real, 1) }
    override public var codomain: Constraint { .simplex }
    /// log(K - i) for i = 0..<K-1 (the offsets that centre the sticks).
    private func logOffset(_ k: Int, like t: Tensor) -> Tensor {
        Tensor(shape: [k], scalars: (0..<k).map { Double(k - $0) }, dtype: t.dtype).log()
    }
    override public func forward(_ x: Tensor) -> Tensor {
        let k = x.shape.last!
        let f = finfo(x.dtype)
        let z = (x - logOffset(k, like: x)).sigmoid().clamp(min: f.tiny, max: 1 - f.eps)
        let cumprod = (1.0 - z).cumprod(dim: -1)
        let ones = Tensor.ones(Array(x.shape.dropLast()) + [1], dtype: x.dtype)
        return Tensor.cat([z, ones], dim: -1) * Tensor.cat([ones, cumprod], dim: -1)
    }
    override public func inverse(_ y: Tensor) -> Tensor {
        let k = y.shape.last! - 1
        let crop = y.narrow(-1, start: 0, length: k)
        let sf = (1.0 - crop.cumsum(dim: -1)).clamp(min: finfo(y.dtype).tiny)
        return crop.log() - sf.log() + logOffset(k, like: y)
    }
    override public func logAbsDetJacobian(_ x: Tensor, _ y: Tensor) -> Tensor {
        let k = x.shape.last!
        let shifted = x - logOffset(k, like: x)
        let logSigmoid = -softplus(-shifted)
        return (-shifted + logSigmoid + y.narrow(-1, start: 0, length: k).log()).sum(dims: [-1])
    }
    override public func forwardShape(_ shape: [Int]) -> [Int] { Array(shape.dropLast()) + [shape.last! + 1] }
    override public func inverseShape(_ shape: [Int]) -> [Int] { Array(shape.dropLast()) + [shape.last! - 1] }
}

/// The distribution of t_n(…t_1(x)) for x from `base` (`TransformedDistribution`).
///
/// ```swift
/// let logNormal = TransformedDistribution(Normal(0, 1), [ExpTransform()])
/// logNormal.logProb(Tensor(1.0))   // -0.9189
/// ```
public class TransformedDistribution: Distribution {
    public let base: Distribution
    public let transforms: [Transform]

    public init(
        _ base: Distribution, _ transforms: [Transform], validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.base = base
        self.transforms = transforms
        let baseShape = base.batchShape + base.eventShape
        let forwardShape = transforms.reduce(baseShape) { $1.forwardShape($0) }
        // The event dims: the codomain's of the last transform, plus what the base keeps beyond
        // the first transform's domain.
        let domainDim = transforms.first?.domain.eventDim ?? 0
        let codomainDim = transforms.last?.codomain.eventDim ?? 0
        let eventDim = codomainDim + Swift.max(base.eventShape.count - domainDim, 0)
        let cut = forwardShape.count - eventDim
        super.init(
            batchShape: Array(forwardShape.prefix(cut)), eventShape: Array(forwardShape.suffix(eventDim)),
            validateArgs: validateArgs, file: file, line: line)
    }

    override public var name: String { "TransformedDistribution" }
    override public var description: String { "\(name)()" }
    override public var support: Constraint {
        guard let last = transforms.last else { return base.support }
        let d = eventShape.count - last.codomain.eventDim
        return d > 0 ? .independent(last.codomain, d) : last.codomain
    }
    override public var hasRsample: Bool { base.hasRsample }

    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        Torch.noGrad { transforms.reduce(base.sample(sampleShape, generator: generator)) { $1($0) } }
    }
    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        transforms.reduce(base.rsample(sampleShape, generator: generator)) { $1($0) }
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        var eventDim = eventShape.count
        var y = value
        var result: Tensor? = nil
        for t in transforms.reversed() {
            let x = t.inverse(y)
            eventDim += t.domain.eventDim - t.codomain.eventDim
            let term = sumRightmost(t.logAbsDetJacobian(x, y), eventDim - t.domain.eventDim)
            result = result.map { $0 - term } ?? -term
            y = x
        }
        let baseTerm = sumRightmost(base.logProb(y), eventDim - base.eventShape.count)
        return result.map { $0 + baseTerm } ?? baseTerm
    }
    /// The sign of the composed map (1 or -1), or a refusal when some transform has none.
    private var monotoneSign: Double {
        var s = 1.0
        for t in transforms {
            guard let ts = t.sign else { notImplemented("cdf (a transform is not monotone)") }
            s *= ts
        }
        return s
    }
    override public func cdf(_ value: Tensor) -> Tensor {
        let sign = monotoneSign
        var v = value
        for t in transforms.reversed() { v = t.inverse(v) }
        let c = base.cdf(v)
        return sign > 0 ? c : 1.0 - c
    }
    override public func icdf(_ value: Tensor) -> Tensor {
        let p = monotoneSign > 0 ? value : 1.0 - value
        return transforms.reduce(base.icdf(p)) { $1($0) }
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        var shape = batchShape + eventShape
        for t in transforms.reversed() { shape = t.inverseShape(shape) }
        let baseBatch = Array(shape.prefix(shape.count - base.eventShape.count))
        return TransformedDistribution(base.expand(baseBatch), transforms, validateArgs: false)
    }
}
