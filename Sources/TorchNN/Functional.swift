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

/// Negative log likelihood of `target` class indices (int64) under log-probabilities `input`
/// [N, C] (or [C] with a 0-d target): optional class weights, targets equal to `ignoreIndex`
/// contribute nothing, and "mean" divides by the summed weight of the counted targets (NaN when
/// every target is ignored, as PyTorch).
///
/// ```swift
/// let loss = nllLoss(logp, labels, ignoreIndex: 0)
/// ```
public func nllLoss(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
                    ignoreIndex: Int = -100, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if target.dtype != .int64 {
        torchFail("nll_loss", "expected scalar type Long but found \(target.dtype.pytorchName)", file: file, line: line)
    }
    if input.rank == 1 && target.rank == 0 {
        return nllLoss(input.unsqueeze(0), target.unsqueeze(0), weight: weight, reduction: reduction,
                       ignoreIndex: ignoreIndex, file: file, line: line).squeeze(reduction == .none ? 0 : nil)
    }
    if input.rank != 2 || target.rank != 1 || target.shape[0] != input.shape[0] {
        torchFail("nll_loss", "Expected input batch_size (\(input.rank > 0 ? input.shape[0] : 0)) to match target batch_size (\(target.rank > 0 ? target.shape[0] : 0)) with input \(input.shape) and target \(target.shape)", file: file, line: line)
    }
    let c = input.shape[1]
    let valid = target .!= ignoreIndex
    let safeTarget = Tensor.where(valid, target, Tensor.zerosLike(target))
    if Torch.noGrad({ ((safeTarget .< 0) | (safeTarget .>= c)).any().item() }) != 0 {
        torchFail("nll_loss", "Target \(Torch.noGrad { Tensor.where((safeTarget .< 0) | (safeTarget .>= c), safeTarget, Tensor.zerosLike(safeTarget)).abs().amax().item() }) is out of bounds.", file: file, line: line)
    }
    var wt = valid.to(input.dtype)
    if let weight { wt = weight.indexSelect(0, safeTarget, file: file, line: line) * wt }
    let picked = input.gather(1, safeTarget.unsqueeze(1), file: file, line: line).squeeze(1)
    let loss = Tensor.where(valid, -picked * wt, Tensor.zerosLike(picked))
    switch reduction {
    case .none: return loss
    case .sum: return loss.sum()
    case .mean: return loss.sum() / wt.sum()
    }
}

/// Cross entropy between logits [N, C] and class indices [N] (PyTorch's default use).
///
/// ```swift
/// let loss = crossEntropy(model(x), labels)
/// ```
public func crossEntropy(_ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    nllLoss(logSoftmax(logits, dim: logits.rank == 1 ? 0 : 1), target, reduction: reduction, file: file, line: line)
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
