#if canImport(Glibc)
    import Glibc
#endif
import RealModule
import Torch
import TorchBase

// Losses beyond cross entropy, as PyTorch defines them (reduction "mean" by default).

/// Mean (or summed) absolute error (`torch.nn.functional.l1_loss`). `l1Loss(pred, target)`
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduce((input - target).abs(), reduction)
}

/// Quadratic below `beta`, linear above (PyTorch's smooth_l1_loss).
public func smoothL1Loss(
    _ input: Tensor, _ target: Tensor, beta: Double = 1, reduction: Reduction = .mean,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    input.requireKernel("smooth_l1_loss", "smooth_l1_cpu", .floating, file: file, line: line)
    let d = (input - target).abs()
    if beta == 0 { return reduce(d, reduction) }
    // The quadratic branch sees d clamped to beta, so an infinite residual gives the linear
    // branch's gradient and no 0 · inf (PyTorch's analytic gradient).
    let q = d.clamp(max: beta)
    return reduce(Tensor.where(d .< beta, q * q * (0.5 / beta), d - beta / 2), reduction)
}

/// Huber loss: quadratic below `delta`, linear above (`torch.nn.functional.huber_loss`).
///
/// ```swift
/// let loss = huberLoss(pred, target, delta: 1)
/// ```
public func huberLoss(
    _ input: Tensor, _ target: Tensor, delta: Double = 1, reduction: Reduction = .mean,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    input.requireKernel("huber_loss", "huber_cpu", .floating, file: file, line: line)
    let d = (input - target).abs()
    let q = d.clamp(max: delta)
    return reduce(Tensor.where(d .< delta, q * q * 0.5, (d - delta / 2) * delta), reduction)
}

/// Binary cross entropy of probabilities (log clamped at -100, as PyTorch does).
public func binaryCrossEntropy(
    _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    input.requireKernel("binary_cross_entropy", "binary_cross_entropy", .floating, file: file, line: line)
    if input.shape != target.shape {
        torchFail(
            "binary_cross_entropy",
            "Using a target size (\(target.shape)) that is different to the input size (\(input.shape)) is "
                + "deprecated. Please ensure they have the same size.",
            file: file, line: line)
    }
    if Torch.noGrad({ ((input .< 0) | (input .> 1)).any().item() }) != 0 {
        torchFail("binary_cross_entropy", "all elements of input should be between 0 and 1", file: file, line: line)
    }
    // PyTorch's analytic gradients: (x - t) / max((1 - x)·x, 1e-12) for the input (finite at 0
    // and 1, where the log is clamped), the clamped log-odds for the target.
    let l = Torch.customFunction(
        "BinaryCrossEntropy", [input, target],
        forward: { ctx, xs in
            ctx.saveForBackward(xs[0], xs[1])
            let (x, t) = (xs[0], xs[1])
            return -(t * x.log().clamp(min: -100.0) + (1 - t) * (1 - x).log().clamp(min: -100.0))
        },
        backward: { ctx, g in
            let x = ctx.savedTensors[0], t = ctx.savedTensors[1]
            let gx = g * (x - t) / ((1 - x) * x).clamp(min: 1e-12)
            let gt = g * ((1 - x).log().clamp(min: -100.0) - x.log().clamp(min: -100.0))
            return [gx, gt]
        }, file: file, line: line)
    return reduce(weight.map { l * $0 } ?? l, reduction)
}

/// Binary cross entropy on logits, stable for large |x|, with an optional positive-class weight.
public func binaryCrossEntropyWithLogits(
    _ input: Tensor, _ target: Tensor, posWeight: Tensor? = nil,
    reduction: Reduction = .mean, file: StaticString = #fileID,
    line: UInt = #line
) -> Tensor {
    input.requireKernel("binary_cross_entropy_with_logits", "log_sigmoid_cpu", .floating, file: file, line: line)
    // log(1 + exp(-x)) computed as softplus(-x).
    let logSigNeg = (-input).softplus()  // -log(sigmoid(x))
    let l: Tensor
    if let pw = posWeight {
        l = (1 - target) * input + (1 + (pw - 1) * target) * logSigNeg
    } else {
        l = (1 - target) * input + logSigNeg
    }
    return reduce(l, reduction)
}

/// KL divergence with `input` as log-probabilities (reduction "batchmean" divides by the batch).
/// How `klDiv` reduces (PyTorch's `reduction`, with its "batchmean").
public enum KLDivReduction: String, Sendable, CaseIterable { case none, mean, sum, batchmean }

/// The KL divergence of `target` from the log-probabilities `input` (`torch.nn.functional.kl_div`).
///
/// ```swift
/// let loss = klDiv(logp, q, reduction: .batchmean)
/// ```
public func klDiv(
    _ input: Tensor, _ target: Tensor, reduction: KLDivReduction = .mean, logTarget: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if !input.dtype.isFloatingPoint || !target.dtype.isFloatingPoint {
        torchFail("kl_div", "kl_div: Integral inputs not supported.", file: file, line: line)
    }
    // PyTorch's formula: xlogy(t, t) - t·x (its gradients, NaN included at t = 0 for the target).
    let l = logTarget ? target.exp() * (target - input) : target.xlogy(target, file: file, line: line) - target * input
    switch reduction {
    case .sum: return l.sum()
    case .batchmean: return input.rank == 0 ? l.sum() : l.sum() / Double(input.shape[0])
    case .none: return l
    case .mean: return l.mean()
    }
}

/// Cross entropy with PyTorch's options: class weights, ignored index, label smoothing.
public func crossEntropy(
    _ logits: Tensor, _ target: Tensor, weight: Tensor?, ignoreIndex: Int = -100,
    labelSmoothing: Double = 0, reduction: Reduction = .mean,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if target.dtype.isFloatingPoint && target.shape == logits.shape && labelSmoothing == 0 && weight == nil {
        return crossEntropy(logits, probabilities: target, reduction: reduction)
    }
    if target.dtype != .int64 && target.dtype != .uint8 {
        if target.dtype.isFloatingPoint {
            torchFail(
                "cross_entropy", "expected scalar type Long but found \(target.dtype.pytorchName)", file: file,
                line: line)
        }
        torchFail(
            "cross_entropy", "expected target dtype to be Long or Byte, but got \(target.dtype.pytorchName)",
            file: file, line: line)
    }
    if !logits.dtype.isFloatingPoint {
        logits.requireKernel("cross_entropy", "log_softmax_lastdim_kernel_impl", .floating, file: file, line: line)
    }
    let logp = logits.logSoftmax(dim: logits.rank == 1 ? 0 : 1)
    if labelSmoothing == 0 {
        return nllLoss(
            logp, target.to(.int64), weight: weight, reduction: reduction, ignoreIndex: ignoreIndex, file: file,
            line: line)
    }
    let target = target.to(.int64)
    let c = logits.shape[1]
    let valid = (target .!= ignoreIndex)
    let safeTarget = Tensor.where(valid, target, 0)
    let w = weight ?? Tensor.ones([c], dtype: logits.dtype)
    let wt = w.indexSelect(0, safeTarget) * valid.to(logits.dtype)
    let nll = -logp.gather(1, safeTarget.unsqueeze(1)).squeeze(1) * wt
    var loss = nll
    if labelSmoothing > 0 {
        let smooth = -(logp * w.unsqueeze(0)).sum(dims: [1]) * valid.to(logits.dtype)
        loss = nll * (1 - labelSmoothing) + smooth * (labelSmoothing / Double(c))
    }
    switch reduction {
    case .none: return loss
    case .sum: return loss.sum()
    case .mean: return loss.sum() / wt.sum()
    }
}

/// `max(0, -y (x1 - x2) + margin)` averaged.
public func marginRankingLoss(_ x1: Tensor, _ x2: Tensor, _ y: Tensor, margin: Double = 0, reduction: Reduction = .mean)
    -> Tensor
{
    reduce((-y * (x1 - x2) + margin).relu(), reduction)
}

/// `1 - cos(x1, x2)` where y = 1, `max(0, cos - margin)` where y = -1.
public func cosineEmbeddingLoss(
    _ x1: Tensor, _ x2: Tensor, _ y: Tensor, margin: Double = 0, reduction: Reduction = .mean
) -> Tensor {
    let cos = (x1 * x2).sum(dims: [1]) / ((x1 * x1).sum(dims: [1]) * (x2 * x2).sum(dims: [1]) + 1e-12).sqrt()
    let l = Tensor.where(y .> 0, 1 - cos, (cos - margin).relu())
    return reduce(l, reduction)
}

/// Cross entropy against class probabilities [N, C] (soft targets).
public func crossEntropy(_ logits: Tensor, probabilities target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduce(-(logits.logSoftmax(dim: 1) * target).sum(dims: [1]), reduction)
}

/// How a loss reduces over the batch.
public enum Reduction: String, Sendable { case none, mean, sum }

/// The largest out-of-range class index among `targets` (for nll_loss's refusal message).
private func badTarget(_ targets: Tensor, _ classes: Int) -> Int64 {
    let outside = (targets .< 0) | (targets .>= classes)
    return Tensor.where(outside, targets, Tensor.zerosLike(targets)).abs().amax().item()
}

/// Negative log likelihood of `target` class indices (int64) under log-probabilities `input`
/// [N, C] (or [C] with a 0-d target): optional class weights, targets equal to `ignoreIndex`
/// contribute nothing, and "mean" divides by the summed weight of the counted targets (NaN when
/// every target is ignored, as PyTorch).
///
/// ```swift
/// let loss = nllLoss(logp, labels, ignoreIndex: 0)
/// ```
public func nllLoss(
    _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
    ignoreIndex: Int = -100, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if target.dtype == .uint8 {
        return nllLoss(
            input, target.to(.int64), weight: weight, reduction: reduction, ignoreIndex: ignoreIndex, file: file,
            line: line)
    }
    if target.dtype != .int64 {
        torchFail("nll_loss", "expected scalar type Long but found \(target.dtype.pytorchName)", file: file, line: line)
    }
    input.requireKernel("nll_loss", "nll_loss_out_frame", .floating, file: file, line: line)
    if input.rank == 1 && target.rank == 0 {
        return nllLoss(
            input.unsqueeze(0), target.unsqueeze(0), weight: weight, reduction: reduction,
            ignoreIndex: ignoreIndex, file: file, line: line
        ).squeeze(reduction == .none ? 0 : nil)
    }
    if input.rank != 2 || target.rank != 1 || target.shape[0] != input.shape[0] {
        torchFail(
            "nll_loss",
            "Expected input batch_size (\(input.rank > 0 ? input.shape[0] : 0)) to match target batch_size "
                + "(\(target.rank > 0 ? target.shape[0] : 0)) with input \(input.shape) and target \(target.shape)",
            file: file, line: line)
    }
    let c = input.shape[1]
    let valid = target .!= ignoreIndex
    let safeTarget = Tensor.where(valid, target, Tensor.zerosLike(target))
    if Torch.noGrad({ ((safeTarget .< 0) | (safeTarget .>= c)).any().item() }) != 0 {
        torchFail(
            "nll_loss",
            "Target \(Torch.noGrad { badTarget(safeTarget, c) }) is out of bounds.",
            file: file, line: line)
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
public func crossEntropy(
    _ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    crossEntropy(logits, target, weight: nil, reduction: reduction, file: file, line: line)
}

/// Mean (or summed) squared error (`torch.nn.functional.mse_loss`). `mseLoss(pred, target)`
public func mseLoss(
    _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    input.requireKernel("mse_loss", "mse_cpu", .floating, file: file, line: line)
    if input.shape != target.shape { MSEWarning.once(input.shape, target.shape) }
    let d = input - target
    return reduce(d * d, reduction)
}
