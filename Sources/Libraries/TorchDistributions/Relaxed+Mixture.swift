import Torch
import TorchBase

/// Probabilities clamped into [eps, 1 - eps] of their dtype (`clamp_probs`).
func clampProbs(_ p: Tensor) -> Tensor {
    let eps = finfo(p.dtype).eps
    return p.clamp(min: eps, max: 1 - eps)
}

/// The logit of a relaxed Bernoulli sample (`LogitRelaxedBernoulli`): a logistic with location
/// logits / temperature.
public final class LogitRelaxedBernoulli: Distribution {
    public let temperature: Tensor
    let parameters: BinaryParameters
    public var probs: Tensor { parameters.probs }
    public var logits: Tensor { parameters.logits }

    public init(
        temperature: Tensor, _ p: ProbsOrLogits, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.temperature = temperature
        parameters = BinaryParameters(p, file: file, line: line)
        super.init(batchShape: parameters.probs.shape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] { parameters.constraints }
    override public var hasRsample: Bool { true }
    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let shape = extendedShape(sampleShape)
        let p = clampProbs(probs.expand(shape))
        let u = clampProbs(uniform(shape, like: probs, generator: generator))
        return (u.log() - (-u).log1p() + p.log() - (-p).log1p()) / temperature
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let diff = logits - value * temperature
        return temperature.log() + diff - 2.0 * diff.exp().log1p()
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        LogitRelaxedBernoulli(temperature: temperature, parameters.expanded(batchShape), validateArgs: false)
    }
}

/// The relaxed (Concrete) Bernoulli on (0, 1): σ of a `LogitRelaxedBernoulli` (`RelaxedBernoulli`).
///
/// ```swift
/// let d = RelaxedBernoulli(temperature: Tensor(0.5), probs: Tensor([0.3]))
/// let x = d.rsample()   // in (0, 1), differentiable in probs
/// ```
public final class RelaxedBernoulli: TransformedDistribution {
    public let logitRelaxed: LogitRelaxedBernoulli
    public init(
        temperature: Tensor, _ p: ProbsOrLogits, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        logitRelaxed = LogitRelaxedBernoulli(
            temperature: temperature, p, validateArgs: validateArgs, file: file, line: line)
        super.init(logitRelaxed, [SigmoidTransform()], validateArgs: validateArgs, file: file, line: line)
    }
    public convenience init(temperature: Tensor, probs: Tensor, validateArgs: Bool? = nil) {
        self.init(temperature: temperature, .probs(probs), validateArgs: validateArgs)
    }
    public convenience init(temperature: Tensor, logits: Tensor, validateArgs: Bool? = nil) {
        self.init(temperature: temperature, .logits(logits), validateArgs: validateArgs)
    }
    override public var name: String { "RelaxedBernoulli" }
    override public var support: Constraint { .unitInterval }
    public var temperature: Tensor { logitRelaxed.temperature }
    public var probs: Tensor { logitRelaxed.probs }
    public var logits: Tensor { logitRelaxed.logits }
}

/// The log of a relaxed one-hot categorical sample (`ExpRelaxedCategorical`): Gumbel-softmax scores.
public final class ExpRelaxedCategorical: Distribution {
    public let temperature: Tensor
    public let categorical: Categorical

    public init(
        temperature: Tensor, _ p: ProbsOrLogits, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.temperature = temperature
        categorical = Categorical(p, validateArgs: validateArgs, file: file, line: line)
        super.init(
            batchShape: categorical.batchShape, eventShape: [categorical.numEvents], validateArgs: validateArgs,
            file: file, line: line)
    }
    public var logits: Tensor { categorical.logits }
    public var probs: Tensor { categorical.probs }
    override public var argConstraints: [(String, Tensor, Constraint)] { categorical.argConstraints }
    override public var support: Constraint { .independent(.real, 1) }
    override public var hasRsample: Bool { true }
    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let u = clampProbs(uniform(extendedShape(sampleShape), like: logits, generator: generator))
        let gumbels = -(-u.log()).log()
        let scores = (logits + gumbels) / temperature
        return scores - scores.logsumexp(dims: [-1], keepdim: true)
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let k = Double(categorical.numEvents)
        let logScale = Double.logGamma(k) + temperature.log() * (k - 1)
        let score = logits - value * temperature
        return (score - score.logsumexp(dims: [-1], keepdim: true)).sum(dims: [-1]) + logScale
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        ExpRelaxedCategorical(
            temperature: temperature, .logits(logits.expand(batchShape + eventShape)), validateArgs: false)
    }
}

/// The relaxed one-hot categorical on the simplex (Gumbel-softmax; `RelaxedOneHotCategorical`).
///
/// ```swift
/// let d = RelaxedOneHotCategorical(temperature: Tensor(0.5), logits: Tensor([0.0, 1.0, 2.0]))
/// let y = d.rsample()   // a point of the simplex, differentiable in the logits
/// ```
public final class RelaxedOneHotCategorical: TransformedDistribution {
    public let expRelaxed: ExpRelaxedCategorical
    public init(
        temperature: Tensor, _ p: ProbsOrLogits, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        expRelaxed = ExpRelaxedCategorical(
            temperature: temperature, p, validateArgs: validateArgs, file: file, line: line)
        super.init(expRelaxed, [ExpTransform()], validateArgs: validateArgs, file: file, line: line)
    }
    public convenience init(temperature: Tensor, probs: Tensor, validateArgs: Bool? = nil) {
        self.init(temperature: temperature, .probs(probs), validateArgs: validateArgs)
    }
    public convenience init(temperature: Tensor, logits: Tensor, validateArgs: Bool? = nil) {
        self.init(temperature: temperature, .logits(logits), validateArgs: validateArgs)
    }
    override public var name: String { "RelaxedOneHotCategorical" }
    override public var support: Constraint { .simplex }
    public var temperature: Tensor { expRelaxed.temperature }
    public var probs: Tensor { expRelaxed.probs }
    public var logits: Tensor { expRelaxed.logits }
}

/// A mixture of `component`'s rightmost batch dim weighted by `mixture` (`MixtureSameFamily`).
///
/// ```swift
/// let gmm = MixtureSameFamily(
///     Categorical(probs: Tensor([0.3, 0.7])),
///     Normal(loc: Tensor([-1.0, 2.0]), scale: Tensor([0.5, 1.0])))
/// gmm.logProb(Tensor([0.0]))
/// ```
public final class MixtureSameFamily: Distribution {
    public let mixture: Categorical
    public let component: Distribution

    public init(
        _ mixture: Categorical, _ component: Distribution, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let cb = component.batchShape
        if cb.isEmpty {
            torchFail(
                "MixtureSameFamily", "`component_distribution` must have at least one batch dimension", file: file,
                line: line)
        }
        let mb = mixture.batchShape, lead = Array(cb.dropLast())
        for (m, c) in zip(mb.reversed(), lead.reversed()) where m != 1 && c != 1 && m != c {
            torchFail(
                "MixtureSameFamily",
                "`mixture_distribution.batch_shape` (torch.Size(\(mb))) is not compatible with "
                    + "`component_distribution.batch_shape`(torch.Size(\(lead)))", file: file, line: line)
        }
        if mixture.numEvents != cb.last! {
            torchFail(
                "MixtureSameFamily",
                "`mixture_distribution component` (\(mixture.numEvents)) does not equal "
                    + "`component_distribution.batch_shape[-1]` (\(cb.last!))", file: file, line: line)
        }
        self.mixture = mixture
        self.component = component
        super.init(
            batchShape: lead, eventShape: component.eventShape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var name: String { "MixtureSameFamily" }
    override public var description: String { "MixtureSameFamily(\n  \(mixture),\n  \(component))" }
    override public var support: Constraint { component.support }
    /// The mixture weights with unit dims for the event: [B.., k, 1..].
    private func padded(_ t: Tensor) -> Tensor {
        var r = t
        for _ in eventShape { r = r.unsqueeze(-1) }
        return r
    }
    private var mixDim: Int { -1 - eventShape.count }
    override public var mean: Tensor { (padded(mixture.probs) * component.mean).sum(dims: [mixDim]) }
    override public var variance: Tensor {
        let p = padded(mixture.probs)
        let meanCondVar = (p * component.variance).sum(dims: [mixDim])
        let varCondMean = (p * (component.mean - mean.unsqueeze(mixDim)).pow(2)).sum(dims: [mixDim])
        return meanCondVar + varCondMean
    }

    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        Torch.noGrad {
            let mix = mixture.sample(sampleShape, generator: generator)
            let comps = component.sample(sampleShape, generator: generator)
            let gatherDim = sampleShape.count + batchShape.count
            var idx = mix.unsqueeze(-1)
            for _ in eventShape { idx = idx.unsqueeze(-1) }
            idx = idx.expand(Array(mix.shape) + [1] + eventShape)
            return comps.gather(gatherDim, idx.contiguous()).squeeze(gatherDim)
        }
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let x = value.unsqueeze(-1 - eventShape.count)
        let logProbX = component.logProb(x)
        let logMix = mixture.logits.logSoftmax(dim: -1)
        return (logProbX + logMix).logsumexp(dims: [-1])
    }
    override public func cdf(_ value: Tensor) -> Tensor {
        let cdfX = component.cdf(value.unsqueeze(-1 - eventShape.count))
        return (cdfX * mixture.probs).sum(dims: [-1])
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        MixtureSameFamily(
            mixture.expand(batchShape) as! Categorical, component.expand(batchShape + [mixture.numEvents]),
            validateArgs: false)
    }
}

/// A multivariate normal with covariance W Wᵀ + diag(d) (`LowRankMultivariateNormal`), worked
/// through the r×r capacitance matrix I + Wᵀ D⁻¹ W.
///
/// ```swift
/// let d = LowRankMultivariateNormal(loc: .zeros([3]), covFactor: .ones([3, 1]), covDiag: .ones([3]))
/// ```
public final class LowRankMultivariateNormal: Distribution {
    public let loc: Tensor, covFactor: Tensor, covDiag: Tensor
    /// The Cholesky factor of I + Wᵀ D⁻¹ W.
    let capacitanceTril: Tensor

    public init(
        loc: Tensor, covFactor: Tensor, covDiag: Tensor, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        if loc.rank < 1 {
            torchFail("LowRankMultivariateNormal", "loc must be at least one-dimensional.", file: file, line: line)
        }
        let n = loc.shape.last!
        if covFactor.rank < 2 {
            torchFail(
                "LowRankMultivariateNormal",
                "cov_factor must be at least two-dimensional, with optional leading batch dimensions", file: file,
                line: line)
        }
        if covFactor.shape[covFactor.rank - 2] != n {
            torchFail(
                "LowRankMultivariateNormal",
                "cov_factor must be a batch of matrices with shape \(n) x m", file: file, line: line)
        }
        if covDiag.shape.last != n {
            torchFail(
                "LowRankMultivariateNormal", "cov_diag must be a batch of vectors with shape torch.Size([\(n)])",
                file: file, line: line)
        }
        var batch = Checks.broadcastShapes(Array(loc.shape.dropLast()), Array(covFactor.shape.dropLast(2)))
            .unwrap("LowRankMultivariateNormal", file: file, line: line)
        batch = Checks.broadcastShapes(batch, Array(covDiag.shape.dropLast()))
            .unwrap("LowRankMultivariateNormal", file: file, line: line)
        let r = covFactor.shape.last!
        self.loc = loc.expand(batch + [n])
        self.covFactor = covFactor.expand(batch + [n, r])
        self.covDiag = covDiag.expand(batch + [n])
        let wtDinv = self.covFactor.transpose(-2, -1) / self.covDiag.unsqueeze(-2)
        let cap = wtDinv.matmul(self.covFactor) + Tensor.eye(r, dtype: covFactor.dtype)
        capacitanceTril = Linalg.cholesky(cap, file: file, line: line)
        super.init(batchShape: batch, eventShape: [n], validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        [
            ("loc", loc, .independent(.real, 1)), ("cov_factor", covFactor, .independent(.real, 2)),
            ("cov_diag", covDiag, .independent(.positive, 1)),
        ]
    }
    override public var support: Constraint { .independent(.real, 1) }
    override public var hasRsample: Bool { true }
    override public var mean: Tensor { loc }
    override public var mode: Tensor { loc }
    override public var variance: Tensor { covFactor.pow(2).sum(dims: [-1]) + covDiag }
    /// W Wᵀ + diag(d).
    public var covarianceMatrix: Tensor {
        covFactor.matmul(covFactor.transpose(-2, -1)) + covDiag.diagEmbed()
    }

    override public func rsample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let shape = extendedShape(sampleShape)
        let r = covFactor.shape.last!
        let epsW = normal(Array(shape.dropLast()) + [r], like: loc, generator: generator)
        let epsD = normal(shape, like: loc, generator: generator)
        return loc + covFactor.matmul(epsW.unsqueeze(-1)).squeeze(-1) + covDiag.sqrt() * epsD
    }
    private var logDet: Tensor {
        2.0 * capacitanceTril.diagonal(dim1: -2, dim2: -1).log().sum(dims: [-1]) + covDiag.log().sum(dims: [-1])
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let diff = value - loc
        let wtDinv = covFactor.transpose(-2, -1) / covDiag.unsqueeze(-2)
        let wtDinvX = wtDinv.matmul(diff.unsqueeze(-1)).squeeze(-1)
        let m = (diff.pow(2) / covDiag).sum(dims: [-1]) - MultivariateNormal.mahalanobis(capacitanceTril, wtDinvX)
        let n = Double(eventShape[0])
        return -0.5 * (n * Double.log(2 * Double.pi) + logDet + m)
    }
    override public func entropy() -> Tensor {
        let n = Double(eventShape[0])
        return 0.5 * (n * (1.0 + Double.log(2 * Double.pi)) + logDet)
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        LowRankMultivariateNormal(
            loc: loc.expand(batchShape + eventShape),
            covFactor: covFactor.expand(batchShape + covFactor.shape.suffix(2)),
            covDiag: covDiag.expand(batchShape + eventShape), validateArgs: false)
    }
}
