#if canImport(Glibc)
    import Glibc
#endif
import Torch
import TorchBase

// Loss modules (`torch.nn.MSELoss`, …): each holds its options and calls its functional form as
// `criterion(input, target)`, with the caller's line in errors.

/// The base of the loss modules: no parameters, called with an input and a target.
open class Loss: Module {
    /// How the per-element losses reduce.
    public let reduction: Reduction
    public init(reduction: Reduction = .mean) {
        self.reduction = reduction
        super.init()
    }
    /// The loss of `input` against `target`.
    open func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        fatalError("\(type(of: self)) must override loss(_:_:file:line:)")
    }
    /// `criterion(input, target)`. `let l = MSELoss()(pred, y)`
    public func callAsFunction(
        _ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(input, target, calling: { [self] in loss($0, $1, file: file, line: line) }, file: file, line: line)
    }
}

/// Mean squared error. `MSELoss()(pred, target)`
public final class MSELoss: Loss {
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        mseLoss(input, target, reduction: reduction, file: file, line: line)
    }
}

/// Mean absolute error. `L1Loss()(pred, target)`
public final class L1Loss: Loss {
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        l1Loss(input, target, reduction: reduction)
    }
}

/// Smooth L1 (quadratic below `beta`). `SmoothL1Loss(beta: 0.5)(pred, target)`
public final class SmoothL1Loss: Loss {
    public let beta: Double
    public init(reduction: Reduction = .mean, beta: Double = 1) {
        self.beta = beta
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        smoothL1Loss(input, target, beta: beta, reduction: reduction, file: file, line: line)
    }
}

/// Huber (quadratic below `delta`). `HuberLoss(delta: 2)(pred, target)`
public final class HuberLoss: Loss {
    public let delta: Double
    public init(reduction: Reduction = .mean, delta: Double = 1) {
        self.delta = delta
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        huberLoss(input, target, delta: delta, reduction: reduction, file: file, line: line)
    }
}

/// Binary cross entropy of probabilities, optionally weighted. `BCELoss()(sigmoid(z), y)`
public final class BCELoss: Loss {
    public let weight: Tensor?
    public init(weight: Tensor? = nil, reduction: Reduction = .mean) {
        self.weight = weight
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        binaryCrossEntropy(input, target, weight: weight, reduction: reduction, file: file, line: line)
    }
}

/// Binary cross entropy of logits (`pos_weight` for the positive class). `BCEWithLogitsLoss()(z, y)`
public final class BCEWithLogitsLoss: Loss {
    public let posWeight: Tensor?
    public init(reduction: Reduction = .mean, posWeight: Tensor? = nil) {
        self.posWeight = posWeight
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        binaryCrossEntropyWithLogits(
            input, target, posWeight: posWeight, reduction: reduction, file: file, line: line)
    }
}

/// Negative log likelihood of log-probabilities. `NLLLoss(ignoreIndex: 0)(logp, y)`
public final class NLLLoss: Loss {
    public let weight: Tensor?, ignoreIndex: Int
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean) {
        (self.weight, self.ignoreIndex) = (weight, ignoreIndex)
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        nllLoss(input, target, weight: weight, reduction: reduction, ignoreIndex: ignoreIndex, file: file, line: line)
    }
}

/// Cross entropy of logits against class indices. `CrossEntropyLoss(labelSmoothing: 0.1)(z, y)`
public final class CrossEntropyLoss: Loss {
    public let weight: Tensor?, ignoreIndex: Int, labelSmoothing: Double
    public init(
        weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean, labelSmoothing: Double = 0
    ) {
        (self.weight, self.ignoreIndex, self.labelSmoothing) = (weight, ignoreIndex, labelSmoothing)
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        crossEntropy(
            input, target, weight: weight, ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing,
            reduction: reduction, file: file, line: line)
    }
}

/// KL divergence of log-probabilities against a target distribution. `KLDivLoss(reduction: .batchmean)`
public final class KLDivLoss: Module {
    public let reduction: KLDivReduction, logTarget: Bool
    public init(reduction: KLDivReduction = .mean, logTarget: Bool = false) {
        (self.reduction, self.logTarget) = (reduction, logTarget)
        super.init()
    }
    /// `criterion(input, target)`.
    public func callAsFunction(
        _ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        klDiv(input, target, reduction: reduction, logTarget: logTarget, file: file, line: line)
    }
}

/// `log(1 + exp(-y·x))`, y ∈ {-1, 1}. `SoftMarginLoss()(x, y)`
public final class SoftMarginLoss: Loss {
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        softMarginLoss(input, target, reduction: reduction)
    }
}

/// Multi-label one-versus-all loss of logits against 0/1 targets. `MultiLabelSoftMarginLoss()(z, y)`
public final class MultiLabelSoftMarginLoss: Loss {
    public let weight: Tensor?
    public init(weight: Tensor? = nil, reduction: Reduction = .mean) {
        self.weight = weight
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        multiLabelSoftMarginLoss(input, target, weight: weight, reduction: reduction)
    }
}

/// The multi-class hinge loss. `MultiMarginLoss(p: 2, margin: 0.5)(scores, classes)`
public final class MultiMarginLoss: Loss {
    public let p: Int, margin: Double, weight: Tensor?
    public init(p: Int = 1, margin: Double = 1, weight: Tensor? = nil, reduction: Reduction = .mean) {
        (self.p, self.margin, self.weight) = (p, margin, weight)
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        multiMarginLoss(
            input, target, p: p, margin: margin, weight: weight, reduction: reduction, file: file, line: line)
    }
}

/// Poisson negative log-likelihood. `PoissonNLLLoss(logInput: true)(logRate, counts)`
public final class PoissonNLLLoss: Loss {
    public let logInput: Bool, full: Bool, eps: Double
    public init(logInput: Bool = true, full: Bool = false, eps: Double = 1e-8, reduction: Reduction = .mean) {
        (self.logInput, self.full, self.eps) = (logInput, full, eps)
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        poissonNllLoss(input, target, logInput: logInput, full: full, eps: eps, reduction: reduction)
    }
}

/// `max(0, -y·x + margin)` for y = -1 and `x` for y = 1 (`F.hinge_embedding_loss`).
public func hingeEmbeddingLoss(
    _ input: Tensor, _ target: Tensor, margin: Double = 1, reduction: Reduction = .mean
) -> Tensor {
    let zero = Tensor.zeros([], dtype: input.dtype, device: input.device)
    let marginPart = Tensor.where(target.ne(Tensor(1.0, dtype: target.dtype)), (margin - input).clamp(min: 0), zero)
    let selfPart = Tensor.where(target.ne(Tensor(-1.0, dtype: target.dtype)), input, zero)
    return reduce(marginPart + selfPart, reduction)
}

/// Hinge embedding loss. `HingeEmbeddingLoss(margin: 2)(distances, y)`
public final class HingeEmbeddingLoss: Loss {
    public let margin: Double
    public init(margin: Double = 1, reduction: Reduction = .mean) {
        self.margin = margin
        super.init(reduction: reduction)
    }
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        hingeEmbeddingLoss(input, target, margin: margin, reduction: reduction)
    }
}

/// The Gaussian negative log-likelihood `½(log σ² + (x − t)²/σ²)` (`F.gaussian_nll_loss`), the
/// variance clamped at `eps` without a gradient through the clamp, as PyTorch; `full` adds ½·log 2π.
public func gaussianNllLoss(
    _ input: Tensor, _ target: Tensor, _ variance: Tensor, full: Bool = false, eps: Double = 1e-6,
    reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    var v = variance
    if v.shape != input.shape {
        let lead = Array(input.shape.dropLast())
        if lead == v.shape {
            v = v.unsqueeze(-1)  // one variance per sample: (N, D) input, (N,) variance
        } else if !(lead == Array(v.shape.dropLast()) && v.shape.last == 1) {
            torchFail("gaussian_nll_loss", "var is of incorrect size", file: file, line: line)
        }
    }
    if Torch.noGrad({ v.lt(Tensor(0.0, dtype: v.dtype)).any().item() != 0 }) {
        torchFail("gaussian_nll_loss", "var has negative entry/entries", file: file, line: line)
    }
    // var.clamp_(min=eps) under no_grad on a clone: the gradient passes as if unclamped.
    let clamped = v + Torch.noGrad { v.clamp(min: eps) - v }
    var loss = 0.5 * (clamped.log() + (input - target).square() / clamped)
    if full { loss = loss + 0.5 * Glibc.log(2 * Double.pi) }
    return reduce(loss, reduction)
}

/// Gaussian negative log-likelihood, called with the predicted variance too.
/// `GaussianNLLLoss()(mean, target, variance)`
public final class GaussianNLLLoss: Module {
    public let full: Bool, eps: Double, reduction: Reduction
    public init(full: Bool = false, eps: Double = 1e-6, reduction: Reduction = .mean) {
        (self.full, self.eps, self.reduction) = (full, eps, reduction)
        super.init()
    }
    /// `criterion(input, target, variance)`.
    public func callAsFunction(
        _ input: Tensor, _ target: Tensor, _ variance: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            input, target, variance,
            calling: { [self] in
                gaussianNllLoss($0, $1, $2, full: full, eps: eps, reduction: reduction, file: file, line: line)
            }, file: file, line: line)
    }
}

/// The triplet margin loss, called with anchor, positive and negative.
/// `TripletMarginLoss(margin: 1)(anchor, positive, negative)`
public final class TripletMarginLoss: Module {
    public let margin: Double, p: Double, eps: Double, swap: Bool, reduction: Reduction
    public init(margin: Double = 1, p: Double = 2, eps: Double = 1e-6, swap: Bool = false, reduction: Reduction = .mean)
    {
        (self.margin, self.p, self.eps, self.swap, self.reduction) = (margin, p, eps, swap, reduction)
        super.init()
    }
    /// `criterion(anchor, positive, negative)`.
    public func callAsFunction(
        _ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            anchor, positive, negative,
            calling: { [self] in
                tripletMarginLoss(
                    $0, $1, $2, margin: margin, p: p, eps: eps, swap: swap, reduction: reduction, file: file, line: line
                )
            }, file: file, line: line)
    }
}

/// `max(0, −y·(x1 − x2) + margin)` as a module. `MarginRankingLoss(margin: 0.1)(x1, x2, y)`
public final class MarginRankingLoss: Module {
    public let margin: Double, reduction: Reduction
    public init(margin: Double = 0, reduction: Reduction = .mean) {
        (self.margin, self.reduction) = (margin, reduction)
        super.init()
    }
    /// `criterion(x1, x2, y)`.
    public func callAsFunction(
        _ x1: Tensor, _ x2: Tensor, _ y: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            x1, x2, y, calling: { [self] in marginRankingLoss($0, $1, $2, margin: margin, reduction: reduction) },
            file: file, line: line)
    }
}

/// The cosine embedding loss as a module. `CosineEmbeddingLoss(margin: 0.2)(a, b, y)`
public final class CosineEmbeddingLoss: Module {
    public let margin: Double, reduction: Reduction
    public init(margin: Double = 0, reduction: Reduction = .mean) {
        (self.margin, self.reduction) = (margin, reduction)
        super.init()
    }
    /// `criterion(x1, x2, y)`.
    public func callAsFunction(
        _ x1: Tensor, _ x2: Tensor, _ y: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            x1, x2, y, calling: { [self] in cosineEmbeddingLoss($0, $1, $2, margin: margin, reduction: reduction) },
            file: file, line: line)
    }
}

/// The CTC loss as a module (`torch.nn.CTCLoss`).
/// `CTCLoss(blank: 0)(logProbs, targets, inputLengths: [50, 48], targetLengths: [20, 17])`
public final class CTCLoss: Module {
    public let blank: Int, reduction: Reduction, zeroInfinity: Bool
    public init(blank: Int = 0, reduction: Reduction = .mean, zeroInfinity: Bool = false) {
        (self.blank, self.reduction, self.zeroInfinity) = (blank, reduction, zeroInfinity)
        super.init()
    }
    /// `criterion(log_probs, targets, input_lengths, target_lengths)`.
    public func callAsFunction(
        _ logProbs: Tensor, _ targets: Tensor, inputLengths: [Int], targetLengths: [Int],
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            logProbs, targets,
            calling: { [self] in
                ctcLoss(
                    $0, $1, inputLengths: inputLengths, targetLengths: targetLengths, blank: blank,
                    reduction: reduction,
                    zeroInfinity: zeroInfinity, file: file, line: line)
            }, file: file, line: line)
    }
}

/// `multiLabelMarginLoss` as a module. `MultiLabelMarginLoss()(scores, targets)`
public final class MultiLabelMarginLoss: Module {
    public let reduction: Reduction
    public init(reduction: Reduction = .mean) {
        self.reduction = reduction
        super.init()
    }
    /// `criterion(input, target)`.
    public func callAsFunction(
        _ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            input, target,
            calling: { [self] in multiLabelMarginLoss($0, $1, reduction: reduction, file: file, line: line) },
            file: file, line: line)
    }
}

/// `tripletMarginWithDistanceLoss` as a module; without a distance it holds a `PairwiseDistance`
/// child (`distance_function`), as PyTorch's. `TripletMarginWithDistanceLoss(margin: 0.5)(a, p, n)`
public final class TripletMarginWithDistanceLoss: Module {
    public let margin: Double, swap: Bool, reduction: Reduction
    let distance: (Tensor, Tensor) -> Tensor
    public init(
        distance: ((Tensor, Tensor) -> Tensor)? = nil, margin: Double = 1, swap: Bool = false,
        reduction: Reduction = .mean
    ) {
        (self.margin, self.swap, self.reduction) = (margin, swap, reduction)
        if let distance {
            self.distance = distance
            super.init()
        } else {
            let pairwise = PairwiseDistance()
            self.distance = { pairwise($0, $1) }
            super.init()
            register("distance_function", pairwise)
        }
    }
    /// `criterion(anchor, positive, negative)`.
    public func callAsFunction(
        _ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            anchor, positive, negative,
            calling: { [self] in
                tripletMarginWithDistanceLoss(
                    $0, $1, $2, distance: distance, margin: margin, swap: swap, reduction: reduction, file: file,
                    line: line)
            }, file: file, line: line)
    }
}
