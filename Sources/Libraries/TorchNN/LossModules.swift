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
    /// `criterion(input, target)`. ```let l = MSELoss()(pred, y)```
    public func callAsFunction(
        _ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        loss(input, target, file: file, line: line)
    }
}

/// Mean squared error. ```MSELoss()(pred, target)```
public final class MSELoss: Loss {
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        mseLoss(input, target, reduction: reduction, file: file, line: line)
    }
}

/// Mean absolute error. ```L1Loss()(pred, target)```
public final class L1Loss: Loss {
    override public func loss(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        l1Loss(input, target, reduction: reduction)
    }
}

/// Smooth L1 (quadratic below `beta`). ```SmoothL1Loss(beta: 0.5)(pred, target)```
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

/// Huber (quadratic below `delta`). ```HuberLoss(delta: 2)(pred, target)```
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

/// Binary cross entropy of probabilities, optionally weighted. ```BCELoss()(sigmoid(z), y)```
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

/// Binary cross entropy of logits (`pos_weight` for the positive class). ```BCEWithLogitsLoss()(z, y)```
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

/// Negative log likelihood of log-probabilities. ```NLLLoss(ignoreIndex: 0)(logp, y)```
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

/// Cross entropy of logits against class indices. ```CrossEntropyLoss(labelSmoothing: 0.1)(z, y)```
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

/// KL divergence of log-probabilities against a target distribution. ```KLDivLoss(reduction: .batchmean)```
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
