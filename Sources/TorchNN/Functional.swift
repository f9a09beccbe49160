import Torch
import TorchBase

// Functional forms of activations and losses, built from differentiable primitives.

public func relu(_ x: Tensor) -> Tensor { x.relu() }

/// `log(softmax(x))` along `dim`, computed stably.
public func logSoftmax(_ x: Tensor, dim: Int) -> Tensor { x.logSoftmax(dim: dim) }

public func softmax(_ x: Tensor, dim: Int) -> Tensor { x.softmax(dim: dim) }

/// How a loss reduces over the batch.
public enum Reduction: String, Sendable { case none, mean, sum }

func reduce(_ t: Tensor, _ r: Reduction) -> Tensor {
    switch r {
    case .none: return t
    case .mean: return t.mean()
    case .sum: return t.sum()
    }
}

/// Negative log likelihood of `target` class indices under log-probabilities `input` [N, C].
public func nllLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if input.rank != 2 || target.rank != 1 || target.shape[0] != input.shape[0] {
        torchFail("nllLoss", "expected input [N, C] and target [N], got \(input.shape) and \(target.shape)", file: file, line: line)
    }
    let picked = input.gather(1, target.unsqueeze(1), file: file, line: line).squeeze(1)
    return reduce(-picked, reduction)
}

/// Cross entropy between logits [N, C] and class indices [N] (PyTorch's default use).
///
/// ```swift
/// let loss = crossEntropy(model(x), labels)
/// ```
public func crossEntropy(_ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    nllLoss(logSoftmax(logits, dim: 1), target, reduction: reduction, file: file, line: line)
}

public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    let d = input - target
    return reduce(d * d, reduction)
}

/// Zeroes elements with probability `p` in training and rescales the rest by 1/(1-p).
public func dropout(_ x: Tensor, p: Double, training: Bool, generator: Generator = .default) -> Tensor {
    if !training || p == 0 { return x }
    let keep = Tensor.bernoulli(x.shape, p: 1 - p, dtype: x.dtype, generator: generator)
    return x * keep / (1 - p)
}
