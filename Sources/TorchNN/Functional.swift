import Foundation
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
    if target.dtype == .uint8 {
        return nllLoss(input, target.to(.int64), weight: weight, reduction: reduction, ignoreIndex: ignoreIndex, file: file, line: line)
    }
    if target.dtype != .int64 {
        torchFail("nll_loss", "expected scalar type Long but found \(target.dtype.pytorchName)", file: file, line: line)
    }
    input.requireKernel("nll_loss", "nll_loss_out_frame", .floating, file: file, line: line)
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
    let zero = Tensor.zerosLike(picked)
    switch reduction {
    case .none: return Tensor.where(valid, -picked * wt, zero)
    case .sum: return Tensor.where(valid, -picked * wt, zero).sum()
    case .mean:
        // Divide each counted term by the total weight (a constant), so that ignored targets get a
        // zero gradient even when every target is ignored; the value is then 0/0 = NaN, as PyTorch.
        let total = Torch.noGrad { wt.sum().item() }
        let scale = Tensor.scalar(total == 0 ? 0 : 1 / total, dtype: input.dtype)
        let s = Tensor.where(valid, -picked * wt * scale, zero).sum()
        return total == 0 ? s + Tensor.scalar(Double.nan, dtype: s.dtype) : s
    }
}

/// Cross entropy between logits [N, C] and class indices [N] (PyTorch's default use).
///
/// ```swift
/// let loss = crossEntropy(model(x), labels)
/// ```
public func crossEntropy(_ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    crossEntropy(logits, target, weight: nil, reduction: reduction, file: file, line: line)
}

public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    input.requireKernel("mse_loss", "mse_cpu", .floating, file: file, line: line)
    if input.shape != target.shape { MSEWarning.once(input.shape, target.shape) }
    let d = input - target
    return reduce(d * d, reduction)
}

/// PyTorch's UserWarning for `mse_loss` with broadcasting shapes, printed once per process.
enum MSEWarning {
    nonisolated(unsafe) static var warned = false
    static func once(_ a: [Int], _ b: [Int]) {
        if warned { return }
        warned = true
        let msg = "UserWarning: Using a target size (\(b)) that is different to the input size (\(a)). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.\n"
        FileHandle.standardError.write(msg.data(using: .utf8)!)
    }
}

/// Zeroes elements with probability `p` in training and rescales the rest by 1/(1-p).
public func dropout(_ x: Tensor, p: Double, training: Bool, generator: Generator = .default,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if p < 0 || p > 1 || p.isNaN {
        torchFail("dropout", "dropout probability has to be between 0 and 1, but got \(p)", file: file, line: line)
    }
    if !training || p == 0 { return x }
    // Everything dropped: x · 0, as PyTorch (no division by zero).
    if p == 1 { return x * Tensor.scalar(0.0, dtype: x.dtype) }
    let keep = Tensor.bernoulli(x.shape, p: 1 - p, dtype: x.dtype, generator: generator)
    return x * keep / (1 - p)
}
