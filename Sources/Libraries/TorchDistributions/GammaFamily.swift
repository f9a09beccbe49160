import Torch
import TorchBase

// The distributions sampled through the standard gamma, reparameterised by its implicit
// gradient (Note [Gamma sampling and its gradient] in Torch). Dirichlet's and Beta's rsample
// normalise independent gammas, whose implicit gradients flow through the division: an unbiased
// pathwise gradient, as PyTorch's (which differentiates the Beta CDF instead; the two agree in
// expectation, which is what the tests check).

/// Γ(α, 1) samples clamped into the dtype's positive range, as PyTorch's rsample.
func standardGammaSamples(_ alpha: Tensor, generator: Generator) -> Tensor {
    Tensor.standardGamma(alpha.contiguous(), generator: generator)
}

/// The gamma distribution with `concentration` α and `rate` β (`torch.distributions.Gamma`).
///
/// ```swift
/// Gamma(concentration: Tensor([2.0]), rate: Tensor([1.0])).mean   // [2.0]
/// ```
public class Gamma: Distribution {
    public let concentration: Tensor
    public let rate: Tensor

    public init(
        concentration: Tensor, rate: Tensor, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let p = broadcastAll([concentration, rate], file: file, line: line)
        (self.concentration, self.rate) = (p[0], p[1])
        super.init(batchShape: p[0].shape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        [("concentration", concentration, .positive), ("rate", rate, .positive)]
    }
    override public var support: Constraint { .nonnegative }
    override public var hasRsample: Bool { true }
    override public var mean: Tensor { concentration / rate }
    override public var mode: Tensor { ((concentration - 1.0) / rate).clamp(min: 0.0) }
    override public var variance: Tensor { concentration / rate.pow(2) }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let shape = extendedShape(sampleShape)
        let g = standardGammaSamples(concentration.expand(shape), generator: generator)
        return (g / rate.expand(shape)).clamp(min: finfo(g.dtype).tiny)
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        return Special.xlogy(concentration, rate) + Special.xlogy(concentration - 1.0, value) - rate * value
            - concentration.lgamma()
    }
    override public func cdf(_ value: Tensor) -> Tensor {
        validateSample(value)
        return Special.gammainc(concentration, rate * value)
    }
    override public func entropy() -> Tensor {
        let a = concentration
        return a - rate.log() + a.lgamma() + (1.0 - a) * a.digamma()
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Gamma(concentration: concentration.expand(batchShape), rate: rate.expand(batchShape), validateArgs: false)
    }
}

/// The chi-squared distribution with `df` degrees of freedom: Γ(df/2, 1/2) (`torch.distributions.Chi2`).
///
/// ```swift
/// Chi2(df: Tensor([3.0])).variance   // [6.0]
/// ```
public final class Chi2: Gamma {
    public let df: Tensor

    public init(df: Tensor, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line) {
        let d = broadcastAll([df], file: file, line: line)[0]
        self.df = d
        super.init(
            concentration: 0.5 * d, rate: Tensor.fullLike(d, 0.5), validateArgs: validateArgs, file: file,
            line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] { [("df", df, .positive)] }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Chi2(df: df.expand(batchShape), validateArgs: false)
    }
}

/// The Dirichlet distribution over the simplex (`torch.distributions.Dirichlet`); the last dim of
/// `concentration` is the event.
///
/// ```swift
/// Dirichlet(concentration: Tensor([1.0, 2.0, 3.0])).mean   // [1/6, 1/3, 1/2]
/// ```
public final class Dirichlet: Distribution {
    public let concentration: Tensor

    public init(
        concentration: Tensor, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line
    ) {
        if concentration.rank < 1 {
            torchFail(
                "Dirichlet", "`concentration` parameter must be at least one-dimensional.", file: file,
                line: line)
        }
        self.concentration = concentration.dtype.isFloatingPoint ? concentration : concentration.to(Torch.defaultDType)
        super.init(
            batchShape: Array(concentration.shape.dropLast()), eventShape: [concentration.shape.last!],
            validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        [("concentration", concentration, .independent(.positive, 1))]
    }
    override public var support: Constraint { .simplex }
    override public var hasRsample: Bool { true }
    override public var mean: Tensor { concentration / concentration.sum(dims: [-1], keepdim: true) }
    override public var mode: Tensor {
        let cm1 = (concentration - 1.0).clamp(min: 0.0)
        let interior = cm1 / cm1.sum(dims: [-1], keepdim: true)
        // Where every α < 1 the density is largest at a vertex: PyTorch puts it at argmax.
        let allBelow = (concentration .< 1.0).all(dims: [-1], keepdim: true)
        let k = concentration.shape.last!
        let vertex = oneHot(interior.argmax(dim: -1), k, like: interior)
        return Tensor.where(allBelow, vertex, interior)
    }
    override public var variance: Tensor {
        let total = concentration.sum(dims: [-1], keepdim: true)
        return concentration * (total - concentration) / (total.pow(2) * (total + 1.0))
    }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let shape = extendedShape(sampleShape)
        let g = standardGammaSamples(concentration.expand(shape), generator: generator)
        let info = finfo(g.dtype)
        return (g / g.sum(dims: [-1], keepdim: true)).clamp(min: info.tiny, max: 1 - info.eps)
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let a = concentration
        return Special.xlogy(a - 1.0, value).sum(dims: [-1]) + a.sum(dims: [-1]).lgamma()
            - a.lgamma().sum(dims: [-1])
    }
    override public func entropy() -> Tensor {
        let a = concentration
        let k = Double(a.shape.last!)
        let a0 = a.sum(dims: [-1])
        let first = a.lgamma().sum(dims: [-1]) - a0.lgamma() - (k - a0) * a0.digamma()
        return first - ((a - 1.0) * a.digamma()).sum(dims: [-1])
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Dirichlet(concentration: concentration.expand(batchShape + eventShape), validateArgs: false)
    }
}

/// The beta distribution on [0, 1] (`torch.distributions.Beta`).
///
/// ```swift
/// Beta(concentration1: Tensor([2.0]), concentration0: Tensor([2.0])).mean   // [0.5]
/// ```
public final class Beta: Distribution {
    public let concentration1: Tensor
    public let concentration0: Tensor
    let dirichlet: Dirichlet

    public init(
        concentration1: Tensor, concentration0: Tensor, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let p = broadcastAll([concentration1, concentration0], file: file, line: line)
        (self.concentration1, self.concentration0) = (p[0], p[1])
        dirichlet = Dirichlet(
            concentration: Tensor.stack([p[0], p[1]], dim: -1), validateArgs: validateArgs, file: file, line: line)
        super.init(batchShape: p[0].shape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        [("concentration1", concentration1, .positive), ("concentration0", concentration0, .positive)]
    }
    override public var support: Constraint { .unitInterval }
    override public var hasRsample: Bool { true }
    override public var mean: Tensor { concentration1 / (concentration1 + concentration0) }
    override public var mode: Tensor { dirichlet.mode.select(-1, 0) }
    override public var variance: Tensor {
        let total = concentration1 + concentration0
        return concentration1 * concentration0 / (total.pow(2) * (total + 1.0))
    }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        dirichlet.rsample(sampleShape, generator: generator).select(-1, 0)
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        return dirichlet.logProb(Tensor.stack([value, 1.0 - value], dim: -1))
    }
    override public func entropy() -> Tensor { dirichlet.entropy() }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Beta(
            concentration1: concentration1.expand(batchShape), concentration0: concentration0.expand(batchShape),
            validateArgs: false)
    }
}

/// Student's t distribution (`torch.distributions.StudentT`).
///
/// ```swift
/// StudentT(df: Tensor([3.0]), loc: Tensor([0.0]), scale: Tensor([1.0])).variance   // [3.0]
/// ```
public final class StudentT: Distribution {
    public let df: Tensor
    public let loc: Tensor
    public let scale: Tensor

    public init(
        df: Tensor, loc: Tensor, scale: Tensor, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let p = broadcastAll([df, loc, scale], file: file, line: line)
        (self.df, self.loc, self.scale) = (p[0], p[1], p[2])
        super.init(batchShape: p[0].shape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        [("df", df, .positive), ("loc", loc, .real), ("scale", scale, .positive)]
    }
    override public var hasRsample: Bool { true }
    override public var mean: Tensor { Tensor.where(df .<= 1.0, Double.nan, loc) }
    override public var mode: Tensor { loc }
    override public var variance: Tensor {
        let finite = scale.pow(2) * df / (df - 2.0)
        let heavy = Tensor.where(df .> 1.0, Double.infinity, Tensor.fullLike(df, Double.nan))
        return Tensor.where(df .> 2.0, finite, heavy)
    }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        // X ~ N(0, 1), Z ~ χ²(df): loc + scale · X / sqrt(Z / df).
        let shape = extendedShape(sampleShape)
        let x = normal(shape, like: df, generator: generator)
        let z = 2.0 * standardGammaSamples(0.5 * df.expand(shape), generator: generator)
        return loc + scale * x * (z / df).rsqrt()
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let y = (value - loc) / scale
        let z =
            scale.log() + 0.5 * df.log() + 0.5 * Double.log(Double.pi) + (0.5 * df).lgamma()
            - (0.5 * (df + 1.0)).lgamma()
        return -0.5 * (df + 1.0) * (y.pow(2) / df).log1p() - z
    }
    override public func entropy() -> Tensor {
        let half = 0.5 * df, halfUp = 0.5 * (df + 1.0)
        let lbeta = half.lgamma() + 0.5 * Double.log(Double.pi) - halfUp.lgamma()
        return scale.log() + halfUp * (halfUp.digamma() - half.digamma()) + 0.5 * df.log() + lbeta
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        StudentT(
            df: df.expand(batchShape), loc: loc.expand(batchShape), scale: scale.expand(batchShape),
            validateArgs: false)
    }
}

/// One-hot rows of `indices` (int64) over `k` classes, in `like`'s dtype.
func oneHot(_ indices: Tensor, _ k: Int, like: Tensor) -> Tensor {
    let classes = Tensor(shape: [k], scalars: (0..<k).map { Int64($0) })
    return indices.unsqueeze(-1).eq(classes).to(like.dtype)
}
