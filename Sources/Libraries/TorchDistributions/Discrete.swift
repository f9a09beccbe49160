import Torch
import TorchBase

/// softplus(x) - x·t, elementwise (`binary_cross_entropy_with_logits`, no reduction).
func bceWithLogits(_ logits: Tensor, _ target: Tensor) -> Tensor { softplus(logits) - logits * target }

/// The probabilities and logits of a Bernoulli-type parameter given as either, with the
/// constraint of the one given (PyTorch validates only that one).
struct BinaryParameters {
    let probs: Tensor, logits: Tensor, givenProbs: Bool
    init(_ p: ProbsOrLogits, file: StaticString, line: UInt) {
        switch p {
        case .probs(let t):
            probs = broadcastAll([t], file: file, line: line)[0]
            (logits, givenProbs) = (probsToLogits(probs, binary: true), true)
        case .logits(let t):
            logits = broadcastAll([t], file: file, line: line)[0]
            (probs, givenProbs) = (logits.sigmoid(), false)
        }
    }
    var constraints: [(String, Tensor, Constraint)] {
        givenProbs ? [("probs", probs, .unitInterval)] : [("logits", logits, .real)]
    }
    /// The given parameter expanded to `shape`.
    func expanded(_ shape: [Int]) -> ProbsOrLogits {
        givenProbs ? .probs(probs.expand(shape)) : .logits(logits.expand(shape))
    }
}

/// The Bernoulli distribution over {0, 1} (`torch.distributions.Bernoulli`).
///
/// ```swift
/// let coin = Bernoulli(probs: Tensor([0.3]))
/// coin.logProb(Tensor([1.0]))   // [log 0.3]
/// ```
public final class Bernoulli: Distribution {
    let parameters: BinaryParameters
    public var probs: Tensor { parameters.probs }
    public var logits: Tensor { parameters.logits }

    public init(_ p: ProbsOrLogits, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line) {
        parameters = BinaryParameters(p, file: file, line: line)
        super.init(batchShape: parameters.probs.shape, validateArgs: validateArgs, file: file, line: line)
    }
    /// Bernoulli(probs:). `Bernoulli(probs: Tensor([0.5]))`
    public convenience init(probs: Tensor, validateArgs: Bool? = nil) {
        self.init(.probs(probs), validateArgs: validateArgs)
    }
    /// Bernoulli(logits:). `Bernoulli(logits: Tensor([0.0]))`
    public convenience init(logits: Tensor, validateArgs: Bool? = nil) {
        self.init(.logits(logits), validateArgs: validateArgs)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] { parameters.constraints }
    override public var support: Constraint { .boolean }
    override public var isDiscrete: Bool { true }
    override public var mean: Tensor { probs }
    override public var mode: Tensor {
        Tensor.where(probs .== 0.5, Double.nan, (probs .>= 0.5).to(probs.dtype))
    }
    override public var variance: Tensor { probs * (1.0 - probs) }

    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let shape = extendedShape(sampleShape)
        return Torch.noGrad {
            uniform(shape, like: probs, generator: generator).lt(probs.expand(shape)).to(probs.dtype)
        }
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        return -bceWithLogits(logits, value)
    }
    override public func entropy() -> Tensor { bceWithLogits(logits, probs) }
    /// [0, 1] shaped `[2, 1, ...]` (`enumerate_support(expand: false)`).
    public func enumerateSupport() -> Tensor {
        Tensor([0.0, 1.0], dtype: probs.dtype).reshape([2] + batchShape.map { _ in 1 })
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Bernoulli(parameters.expanded(batchShape), validateArgs: false)
    }
}

/// A categorical distribution over `0..<K`, the last dim of `probs`/`logits` (unnormalised;
/// `torch.distributions.Categorical`).
///
/// ```swift
/// let c = Categorical(logits: Tensor([0.0, 1.0, 2.0]))
/// let a = c.sample()        // int64, shape []
/// let lp = c.logProb(a)
/// ```
public final class Categorical: Distribution {
    /// Normalised probabilities and log-probabilities (logits minus their logsumexp).
    public let probs: Tensor
    public let logits: Tensor
    private let given: String
    public var numEvents: Int { probs.shape.last! }

    public init(_ p: ProbsOrLogits, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line) {
        let raw: Tensor
        switch p {
        case .probs(let t): raw = t; given = "probs"
        case .logits(let t): raw = t; given = "logits"
        }
        if raw.rank < 1 {
            torchFail("Categorical", "`\(given)` parameter must be at least one-dimensional.", file: file, line: line)
        }
        let r = raw.dtype.isFloatingPoint ? raw : raw.to(Torch.defaultDType)
        if given == "probs" {
            probs = r / r.sum(dims: [-1], keepdim: true)
            logits = probsToLogits(probs, binary: false)
        } else {
            logits = r - r.logsumexp(dims: [-1], keepdim: true)
            probs = logits.softmax(dim: -1)
        }
        super.init(batchShape: Array(r.shape.dropLast()), validateArgs: validateArgs, file: file, line: line)
    }
    public convenience init(probs: Tensor, validateArgs: Bool? = nil) {
        self.init(.probs(probs), validateArgs: validateArgs)
    }
    public convenience init(logits: Tensor, validateArgs: Bool? = nil) {
        self.init(.logits(logits), validateArgs: validateArgs)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        given == "probs" ? [("probs", probs, .simplex)] : [("logits", logits, .independent(.real, 1))]
    }
    override public var support: Constraint {
        .integerInterval(Tensor(0.0), Tensor(Double(numEvents - 1)))
    }
    override public var isDiscrete: Bool { true }
    override public var mean: Tensor { Tensor.full(batchShape, Double.nan, dtype: probs.dtype) }
    override public var mode: Tensor { probs.argmax(dim: -1) }
    override public var variance: Tensor { Tensor.full(batchShape, Double.nan, dtype: probs.dtype) }

    /// Category indices (int64) of shape `sampleShape + batchShape`: one inverse-CDF lookup per
    /// draw (binary search over each row's cumulative probabilities).
    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let k = numEvents
        let rows = batchShape.reduce(1, *), n = sampleShape.reduce(1, *)
        let p = probs.detach().to(.float64).contiguous().toArray(Double.self)
        var cdf = [Double](repeating: 0, count: p.count)
        for r in 0..<rows {
            var acc = 0.0
            for j in 0..<k {
                acc += p[r * k + j]
                cdf[r * k + j] = acc
            }
        }
        let u = Tensor.rand([n * rows], dtype: .float64, generator: generator).toArray(Double.self)
        var out = [Int64](repeating: 0, count: n * rows)
        cdf.withUnsafeBufferPointer { cp in
            p.withUnsafeBufferPointer { pp in
                u.withUnsafeBufferPointer { up in
                    out.withUnsafeMutableBufferPointer { op in
                        let (c, w, uu, o) = (cp.baseAddress!, pp.baseAddress!, up.baseAddress!, op.baseAddress!)
                        Torch.parallelFor(n * rows, grain: 16384) { range in
                            for d in range {
                                let base = (d % rows) * k
                                let target = uu[d] * c[base + k - 1]
                                var lo = 0, hi = k - 1
                                while lo < hi {
                                    let mid = (lo + hi) >> 1
                                    if c[base + mid] > target { hi = mid } else { lo = mid + 1 }
                                }
                                // Skip zero-probability classes at the boundary.
                                while lo < k - 1 && w[base + lo] == 0 { lo += 1 }
                                o[d] = Int64(lo)
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: sampleShape + batchShape, scalars: out).to(device: probs.device)
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let v = value.to(.int64).unsqueeze(-1)
        let shape = try! Checks.broadcastShapes(v.shape, logits.shape).get()
        let lead = Array(shape.dropLast())
        return logits.expand(lead + [numEvents]).gather(-1, v.expand(lead + [1])).squeeze(-1)
    }
    override public func entropy() -> Tensor {
        let clamped = logits.clamp(min: -finfo(logits.dtype).max)
        return -(clamped * probs).sum(dims: [-1])
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        let shape = batchShape + [numEvents]
        return Categorical(
            given == "probs" ? .probs(probs.expand(shape)) : .logits(logits.expand(shape)),
            validateArgs: false)
    }
    /// Every category, shaped `[K] + [1, ...]` (`enumerate_support(expand: false)`).
    public func enumerateSupport() -> Tensor {
        Tensor.arange(0, numEvents).reshape([numEvents] + batchShape.map { _ in 1 })
    }
}

/// A categorical distribution whose samples are one-hot vectors (`torch.distributions.OneHotCategorical`).
///
/// ```swift
/// OneHotCategorical(probs: Tensor([0.2, 0.8])).sample()   // [0, 1] or [1, 0]
/// ```
public final class OneHotCategorical: Distribution {
    public let categorical: Categorical

    public init(_ p: ProbsOrLogits, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line) {
        categorical = Categorical(p, validateArgs: validateArgs, file: file, line: line)
        super.init(
            batchShape: categorical.batchShape, eventShape: [categorical.numEvents], validateArgs: validateArgs,
            file: file, line: line)
    }
    public convenience init(probs: Tensor, validateArgs: Bool? = nil) {
        self.init(.probs(probs), validateArgs: validateArgs)
    }
    public convenience init(logits: Tensor, validateArgs: Bool? = nil) {
        self.init(.logits(logits), validateArgs: validateArgs)
    }

    public var probs: Tensor { categorical.probs }
    public var logits: Tensor { categorical.logits }
    override public var argConstraints: [(String, Tensor, Constraint)] { categorical.argConstraints }
    override public var support: Constraint { .oneHot }
    override public var isDiscrete: Bool { true }
    override public var mean: Tensor { probs }
    override public var mode: Tensor { oneHot(probs.argmax(dim: -1), categorical.numEvents, like: probs) }
    override public var variance: Tensor { probs * (1.0 - probs) }

    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        oneHot(categorical.sample(sampleShape, generator: generator), categorical.numEvents, like: probs)
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        return categorical.logProb(value.argmax(dim: -1))
    }
    override public func entropy() -> Tensor { categorical.entropy() }
    /// The K one-hot vectors shaped `[K, 1, ..., K]` (`enumerate_support(expand: false)`).
    public func enumerateSupport() -> Tensor {
        let k = categorical.numEvents
        return Tensor.eye(k, dtype: probs.dtype).reshape([k] + batchShape.map { _ in 1 } + [k])
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        OneHotCategorical(.logits(logits.expand(batchShape + eventShape)), validateArgs: false)
    }
}

/// The Poisson distribution with `rate` λ (`torch.distributions.Poisson`).
///
/// ```swift
/// Poisson(rate: Tensor([4.0])).logProb(Tensor([2.0]))   // [log(8 e^-4)]
/// ```
public final class Poisson: Distribution {
    public let rate: Tensor

    public init(rate: Tensor, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line) {
        self.rate = broadcastAll([rate], file: file, line: line)[0]
        super.init(batchShape: self.rate.shape, validateArgs: validateArgs, file: file, line: line)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] { [("rate", rate, .nonnegative)] }
    override public var support: Constraint { .nonnegativeInteger }
    override public var isDiscrete: Bool { true }
    override public var mean: Tensor { rate }
    override public var mode: Tensor { rate.floor() }
    override public var variance: Tensor { rate }

    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        Torch.noGrad { rate.expand(extendedShape(sampleShape)).contiguous().poisson(generator: generator) }
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        return Special.xlogy(value, rate) - rate - (value + 1.0).lgamma()
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Poisson(rate: rate.expand(batchShape), validateArgs: false)
    }
}

/// The number of failures before the first success (`torch.distributions.Geometric`).
///
/// ```swift
/// Geometric(probs: Tensor([0.25])).mean   // [3.0]
/// ```
public final class Geometric: Distribution {
    let parameters: BinaryParameters
    public var probs: Tensor { parameters.probs }
    public var logits: Tensor { parameters.logits }

    public init(_ p: ProbsOrLogits, validateArgs: Bool? = nil, file: StaticString = #fileID, line: UInt = #line) {
        parameters = BinaryParameters(p, file: file, line: line)
        super.init(batchShape: parameters.probs.shape, validateArgs: validateArgs, file: file, line: line)
    }
    public convenience init(probs: Tensor, validateArgs: Bool? = nil) {
        self.init(.probs(probs), validateArgs: validateArgs)
    }
    public convenience init(logits: Tensor, validateArgs: Bool? = nil) {
        self.init(.logits(logits), validateArgs: validateArgs)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] { parameters.constraints }
    override public var support: Constraint { .nonnegativeInteger }
    override public var isDiscrete: Bool { true }
    override public var mean: Tensor { 1.0 / probs - 1.0 }
    override public var mode: Tensor { Tensor.zerosLike(probs) }
    override public var variance: Tensor { (1.0 / probs - 1.0) / probs }

    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        Torch.noGrad {
            let shape = extendedShape(sampleShape)
            let u = uniform(shape, like: probs, generator: generator).clamp(min: finfo(probs.dtype).tiny)
            return (u.log() / (-probs).log1p()).floor()
        }
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let b = broadcastAll([value, probs])
        // p = 1 at value 0: 0 · log(0) counts as 0.
        let safe = Tensor.where((b[1] .== 1.0).logicalAnd(b[0] .== 0.0), 0.0, b[1])
        return b[0] * (-safe).log1p() + probs.log()
    }
    override public func entropy() -> Tensor { bceWithLogits(logits, probs) / probs }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Geometric(parameters.expanded(batchShape), validateArgs: false)
    }
}

/// Successes in `totalCount` trials (`torch.distributions.Binomial`).
///
/// ```swift
/// Binomial(totalCount: Tensor([10.0]), probs: Tensor([0.3])).mean   // [3.0]
/// ```
public final class Binomial: Distribution {
    public let totalCount: Tensor
    public let probs: Tensor
    public let logits: Tensor
    private let given: String

    public init(
        totalCount: Tensor, _ p: ProbsOrLogits, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let b: [Tensor]
        switch p {
        case .probs(let t):
            b = broadcastAll([totalCount, t], file: file, line: line)
            (probs, logits, given) = (b[1], probsToLogits(b[1], binary: true), "probs")
        case .logits(let t):
            b = broadcastAll([totalCount, t], file: file, line: line)
            (probs, logits, given) = (b[1].sigmoid(), b[1], "logits")
        }
        self.totalCount = b[0]
        super.init(batchShape: probs.shape, validateArgs: validateArgs, file: file, line: line)
    }
    public convenience init(totalCount: Tensor, probs: Tensor, validateArgs: Bool? = nil) {
        self.init(totalCount: totalCount, .probs(probs), validateArgs: validateArgs)
    }
    public convenience init(totalCount: Tensor, logits: Tensor, validateArgs: Bool? = nil) {
        self.init(totalCount: totalCount, .logits(logits), validateArgs: validateArgs)
    }

    override public var argConstraints: [(String, Tensor, Constraint)] {
        [("total_count", totalCount, .nonnegativeInteger)]
            + (given == "probs" ? [("probs", probs, .unitInterval)] : [("logits", logits, .real)])
    }
    override public var support: Constraint { .integerInterval(Tensor(0.0), totalCount) }
    override public var isDiscrete: Bool { true }
    override public var mean: Tensor { totalCount * probs }
    override public var mode: Tensor { ((totalCount + 1.0) * probs).floor().minimum(totalCount) }
    override public var variance: Tensor { totalCount * probs * (1.0 - probs) }

    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let shape = extendedShape(sampleShape)
        return Torch.noGrad {
            Tensor.binomial(count: totalCount.expand(shape), prob: probs.expand(shape), generator: generator)
        }
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let n = totalCount
        let clampByZero = (logits.clamp(min: 0.0) + logits - logits.clamp(max: 0.0)) / 2.0
        let normalize = n * clampByZero + n * (-logits.abs()).exp().log1p() - (n + 1.0).lgamma()
        return value * logits - (value + 1.0).lgamma() - (n - value + 1.0).lgamma() - normalize
    }
    /// Every count 0...n shaped `[n + 1, 1, ...]` (`enumerate_support(expand: false)`); the
    /// total count must be the same everywhere, as PyTorch's.
    public func enumerateSupport() -> Tensor {
        let counts = totalCount.detach().to(.float64).contiguous().toArray(Double.self)
        let n = counts.max() ?? 0
        if counts.contains(where: { $0 != n }) {
            fail("Inhomogeneous total count not supported by `enumerate_support`. (NotImplementedError in PyTorch)")
        }
        return Tensor.arange(0, Int(n) + 1).to(probs.dtype).reshape([Int(n) + 1] + batchShape.map { _ in 1 })
    }
    /// -Σₖ P(k) log P(k) over the support (homogeneous total count only, as PyTorch's).
    override public func entropy() -> Tensor {
        let lp = logProb(enumerateSupport())
        return -(lp.exp() * lp).sum(dims: [0])
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Binomial(
            totalCount: totalCount.expand(batchShape),
            given == "probs" ? .probs(probs.expand(batchShape)) : .logits(logits.expand(batchShape)),
            validateArgs: false)
    }
}

/// Counts of `totalCount` categorical draws (`torch.distributions.Multinomial`).
///
/// ```swift
/// Multinomial(totalCount: 10, probs: Tensor([0.2, 0.8])).sample()   // e.g. [2, 8]
/// ```
public final class Multinomial: Distribution {
    public let totalCount: Int
    public let categorical: Categorical

    public init(
        totalCount: Int = 1, _ p: ProbsOrLogits, validateArgs: Bool? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.totalCount = totalCount
        categorical = Categorical(p, validateArgs: validateArgs, file: file, line: line)
        super.init(
            batchShape: categorical.batchShape, eventShape: [categorical.numEvents], validateArgs: validateArgs,
            file: file, line: line)
    }
    public convenience init(totalCount: Int = 1, probs: Tensor, validateArgs: Bool? = nil) {
        self.init(totalCount: totalCount, .probs(probs), validateArgs: validateArgs)
    }
    public convenience init(totalCount: Int = 1, logits: Tensor, validateArgs: Bool? = nil) {
        self.init(totalCount: totalCount, .logits(logits), validateArgs: validateArgs)
    }

    public var probs: Tensor { categorical.probs }
    public var logits: Tensor { categorical.logits }
    override public var argConstraints: [(String, Tensor, Constraint)] { categorical.argConstraints }
    override public var support: Constraint {
        .independent(.integerInterval(Tensor(0.0), Tensor(Double(totalCount))), 1)
    }
    override public var isDiscrete: Bool { true }
    override public var mean: Tensor { probs * Double(totalCount) }
    override public var variance: Tensor { Double(totalCount) * probs * (1.0 - probs) }

    override public func sample(_ sampleShape: [Int] = [], generator: Generator = .default) -> Tensor {
        let draws = categorical.sample([totalCount] + sampleShape, generator: generator)
        let k = categorical.numEvents
        // Sum the one-hot draws over the leading totalCount dim.
        return oneHot(draws, k, like: probs).sum(dims: [0]).to(probs.dtype)
    }
    /// n·H(categorical) - log n! + Σ_k Σ_{x=1..n} P(Binomial(n, p_k) = x) · log x!, as PyTorch's.
    override public func entropy() -> Tensor {
        let n = Double(totalCount)
        let term1 = n * categorical.entropy() - Double.logGamma(n + 1)
        if totalCount == 0 { return term1 }
        let binomial = Binomial(totalCount: Tensor.fullLike(probs, n), probs: probs, validateArgs: false)
        let support = Tensor.arange(1, totalCount + 1).to(probs.dtype)
            .reshape([totalCount] + probs.shape.map { _ in 1 })
        let masses = binomial.logProb(support).exp()
        let term2 = (masses * (support + 1.0).lgamma()).sum(dims: [0, -1])
        return term1 + term2
    }
    override public func logProb(_ value: Tensor) -> Tensor {
        validateSample(value)
        let b = broadcastAll([logits, value])
        let safe = Tensor.where((b[1] .== 0.0).logicalAnd(b[0] .== -Double.infinity), 0.0, b[0])
        let logFactorialN = (b[1].sum(dims: [-1]) + 1.0).lgamma()
        let logFactorialXs = (b[1] + 1.0).lgamma().sum(dims: [-1])
        return logFactorialN - logFactorialXs + (safe * b[1]).sum(dims: [-1])
    }
    override public func expand(_ batchShape: [Int]) -> Distribution {
        Multinomial(totalCount: totalCount, .logits(logits.expand(batchShape + eventShape)), validateArgs: false)
    }
}
