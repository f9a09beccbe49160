import Torch
import TorchBase

/// A distribution with a location and a positive scale broadcast together (Normal, Laplace, Cauchy).
public class LocationScaleDistribution: Distribution {
    public let loc: Tensor
    public let scale: Tensor

    public init(
        loc: Tensor, scale: Tensor, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line
    ) {
        let p = broadcastAll([loc, scale], file: file, line: line)
        (self.loc, self.scale) = (p[0], p[1])
        super.init(batchShape: p[0].shape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        [("loc", loc, .real), ("scale", scale, .positive)]
    }
    override public var hasRsample: Bool { true }
}

/// The normal distribution N(loc, scale²) (`torch.distributions.Normal`).
///
/// ```swift
/// let d = Normal(loc: Tensor([0.0]), scale: Tensor([1.0]))
/// d.logProb(Tensor([0.0]))   // [-0.9189]
/// ```
public final class Normal: LocationScaleDistribution {
    /// Scalar parameters (a batch shape of []). `Normal(0, 1)`
    public convenience init(_ loc: Double, _ scale: Double, validateArgs: Bool? = nil) {
        self.init(loc: Tensor(loc), scale: Tensor(scale), validateArgs: validateArgs)
    }

    override public var mean: Tensor { loc }
    override public var mode: Tensor { loc }
    override public var variance: Tensor { scale.pow(2) }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let eps = normal(extendedShape(sampleShape), like: loc, generator: generator)
        return loc + eps * scale
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let logNorm = 0.5 * Double.log(2 * Double.pi)
        return -((value - loc).pow(2)) / (2.0 * scale.pow(2)) - scale.log() - logNorm
    }
    override public func cdf(_ value: Tensor) -> Tensor {
        validateSample(value)
        return 0.5 * (1.0 + ((value - loc) * scale.reciprocal() / 2.0.squareRoot()).erf())
    }
    override public func icdf(_ value: Tensor) -> Tensor {
        loc + scale * (2.0 * value - 1.0).erfinv() * 2.0.squareRoot()
    }
    override public func entropy() -> Tensor { 0.5 + 0.5 * Double.log(2 * Double.pi) + scale.log() }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Normal(loc: loc.expand(batchShape), scale: scale.expand(batchShape), validateArgs: false)
    }
}

/// The uniform distribution on [low, high) (`torch.distributions.Uniform`).
///
/// ```swift
/// let d = Uniform(low: Tensor([0.0]), high: Tensor([2.0]))
/// d.entropy()   // [0.6931]
/// ```
public final class Uniform: Distribution {
    public let low: Tensor
    public let high: Tensor

    public init(
        low: Tensor, high: Tensor, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line
    ) {
        let p = broadcastAll([low, high], file: file, line: line)
        (self.low, self.high) = (p[0], p[1])
        super.init(batchShape: p[0].shape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        [("low", low, .lessThan(high)), ("high", high, .above(low))]
    }
    override public var support: Constraint { .interval(low, high) }
    override public var hasRsample: Bool { true }
    override public var mean: Tensor { (high + low) / 2.0 }
    override public var mode: Tensor { high * Double.nan }
    override public var variance: Tensor { (high - low).pow(2) / 12.0 }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let u = uniform(extendedShape(sampleShape), like: low, generator: generator)
        return low + u * (high - low)
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let inside = low.le(value).logicalAnd(high.gt(value)).to(low.dtype)
        return inside.log() - (high - low).log()
    }
    override public func cdf(_ value: Tensor) -> Tensor {
        validateSample(value)
        return ((value - low) / (high - low)).clamp(min: 0.0, max: 1.0)
    }
    override public func icdf(_ value: Tensor) -> Tensor { value * (high - low) + low }
    override public func entropy() -> Tensor { (high - low).log() }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Uniform(low: low.expand(batchShape), high: high.expand(batchShape), validateArgs: false)
    }
}

/// The exponential distribution with `rate` λ (`torch.distributions.Exponential`).
///
/// ```swift
/// Exponential(rate: Tensor([2.0])).mean   // [0.5]
/// ```
public final class Exponential: Distribution {
    public let rate: Tensor

    public init(rate: Tensor, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line) {
        self.rate = broadcastAll([rate], file: file, line: line)[0]
        super.init(batchShape: self.rate.shape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] { [("rate", rate, .positive)] }
    override public var support: Constraint { .nonnegative }
    override public var hasRsample: Bool { true }
    override public var mean: Tensor { rate.reciprocal() }
    override public var mode: Tensor { Tensor.zerosLike(rate) }
    override public var variance: Tensor { rate.pow(-2) }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        // -log(1 - u) is a standard exponential; u < 1 keeps it finite.
        let u = uniform(extendedShape(sampleShape), like: rate, generator: generator)
        return -(-u).log1p() / rate
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        return rate.log() - rate * value
    }
    override public func cdf(_ value: Tensor) -> Tensor {
        validateSample(value)
        return 1.0 - (-rate * value).exp()
    }
    override public func icdf(_ value: Tensor) -> Tensor { -(-value).log1p() / rate }
    override public func entropy() -> Tensor { 1.0 - rate.log() }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Exponential(rate: rate.expand(batchShape), validateArgs: false)
    }
}

/// The Laplace distribution (`torch.distributions.Laplace`).
///
/// ```swift
/// Laplace(loc: Tensor([0.0]), scale: Tensor([1.0])).variance   // [2.0]
/// ```
public final class Laplace: LocationScaleDistribution {

    override public var mean: Tensor { loc }
    override public var mode: Tensor { loc }
    override public var variance: Tensor { 2.0 * scale.pow(2) }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        // u uniform in (eps - 1, 1), as PyTorch's (keeps log1p(-|u|) finite).
        let eps = finfo(loc.dtype).eps
        let u = uniform(extendedShape(sampleShape), like: loc, generator: generator) * (2.0 - eps) + (eps - 1.0)
        return loc - scale * u.sign() * (-u.abs()).log1p()
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        return -(2.0 * scale).log() - (value - loc).abs() / scale
    }
    override public func cdf(_ value: Tensor) -> Tensor {
        validateSample(value)
        return 0.5 - 0.5 * (value - loc).sign() * (-(value - loc).abs() / scale).expm1()
    }
    override public func icdf(_ value: Tensor) -> Tensor {
        let term = value - 0.5
        return loc - scale * term.sign() * (-2.0 * term.abs()).log1p()
    }
    override public func entropy() -> Tensor { 1.0 + (2.0 * scale).log() }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Laplace(loc: loc.expand(batchShape), scale: scale.expand(batchShape), validateArgs: false)
    }
}

/// The Cauchy distribution (`torch.distributions.Cauchy`): no mean or variance (NaN and inf).
///
/// ```swift
/// Cauchy(loc: Tensor([0.0]), scale: Tensor([1.0])).cdf(Tensor([1.0]))   // [0.75]
/// ```
public final class Cauchy: LocationScaleDistribution {

    override public var mean: Tensor { Tensor.fullLike(loc, Double.nan) }
    override public var mode: Tensor { loc }
    override public var variance: Tensor { Tensor.fullLike(loc, Double.infinity) }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let u = uniform(extendedShape(sampleShape), like: loc, generator: generator)
        return loc + scale * (Double.pi * (u - 0.5)).tan()
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        return -Double.log(Double.pi) - scale.log() - ((value - loc) / scale).pow(2).log1p()
    }
    override public func cdf(_ value: Tensor) -> Tensor {
        validateSample(value)
        return ((value - loc) / scale).atan() / Double.pi + 0.5
    }
    override public func icdf(_ value: Tensor) -> Tensor { (Double.pi * (value - 0.5)).tan() * scale + loc }
    override public func entropy() -> Tensor { Double.log(4 * Double.pi) + scale.log() }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Cauchy(loc: loc.expand(batchShape), scale: scale.expand(batchShape), validateArgs: false)
    }
}

/// The log-normal distribution: exp of N(loc, scale²) (`torch.distributions.LogNormal`).
///
/// ```swift
/// LogNormal(loc: Tensor([0.0]), scale: Tensor([1.0])).mean   // [1.6487]
/// ```
public final class LogNormal: Distribution {
    public let loc: Tensor
    public let scale: Tensor
    /// The normal distribution of log x.
    public let base: Normal

    public init(
        loc: Tensor, scale: Tensor, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line
    ) {
        base = Normal(loc: loc, scale: scale, validateArgs: validateArgs, file: file, line: line)
        (self.loc, self.scale) = (base.loc, base.scale)
        super.init(batchShape: base.batchShape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        [("loc", loc, .real), ("scale", scale, .positive)]
    }
    override public var support: Constraint { .positive }
    override public var hasRsample: Bool { true }
    override public var mean: Tensor { (loc + scale.pow(2) / 2.0).exp() }
    override public var mode: Tensor { (loc - scale.pow(2)).exp() }
    override public var variance: Tensor {
        let s2 = scale.pow(2)
        return s2.expm1() * (2.0 * loc + s2).exp()
    }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        base.rsample(sampleShape, generator: generator).exp()
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let y = value.log()
        return base.logProb(y) - y
    }
    override public func cdf(_ value: Tensor) -> Tensor {
        validateSample(value)
        return base.cdf(value.log())
    }
    override public func icdf(_ value: Tensor) -> Tensor { base.icdf(value).exp() }
    override public func entropy() -> Tensor { base.entropy() + loc }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        LogNormal(loc: loc.expand(batchShape), scale: scale.expand(batchShape), validateArgs: false)
    }
}
