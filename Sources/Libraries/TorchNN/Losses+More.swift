import Torch
import TorchBase

// The remaining losses of torch.nn.functional, composed from differentiable ops (their gradients
// come from those ops' derivatives, which is the derivative PyTorch's hand-written backwards
// compute): soft margin, multi-label soft margin, multi-class margin, Poisson NLL, triplet margin
// and CTC.

/// `log(1 + exp(-y·x))` (`F.soft_margin_loss`), as PyTorch computes it (no rescaling, so a very
/// negative margin overflows to inf as there).
public func softMarginLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduce((-(input * target)).exp().log1p(), reduction)
}

/// `-(y·log σ(x) + (1 - y)·log σ(-x))`, optionally weighted per class, averaged over the classes
/// (the last dim) and reduced over the samples (`F.multilabel_soft_margin_loss`).
public func multiLabelSoftMarginLoss(
    _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean
) -> Tensor {
    var loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if let weight { loss = loss * weight }
    let classDim = Swift.max(input.rank - 1, 0)
    let c = input.rank == 0 ? 1 : input.shape[classDim]
    loss = (input.rank == 0 ? loss : loss.sum(dims: [classDim])) / Double(c)
    return reduce(loss, reduction)
}

/// The multi-class hinge loss (`F.multi_margin_loss`): for each sample,
/// `Σ_{j ≠ y} max(0, margin − x[y] + x[j])^p / C`, each term scaled by `weight[y]`. Input [N, C]
/// or [C] with targets [N] or a 0-d target.
public func multiMarginLoss(
    _ input: Tensor, _ target: Tensor, p: Int = 1, margin: Double = 1, weight: Tensor? = nil,
    reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let op = "multi_margin_loss"
    if p != 1 && p != 2 { torchFail(op, "only p == 1 and p == 2 supported", file: file, line: line) }
    if input.rank > 2 || (input.rank == 2 && input.shape[1] == 0) || (input.rank < 2 && input.count == 0) {
        torchFail(
            op, "Expected non-empty vector or matrix with optional 0-dim batch size, but got: \(input.shape)",
            file: file, line: line)
    }
    let x = input.rank == 2 ? input : input.reshape([1, -1])
    let n = x.shape[0], c = x.shape[1]
    if target.count != n || target.rank > 1 {
        torchFail(
            op, "inconsistent target size, expected \(n) but got \(target.shape)", file: file, line: line)
    }
    if let weight, weight.rank != 1 || weight.count != c {
        torchFail(
            op, "inconsistent weight size, expected \(c) but got \(weight.shape)", file: file, line: line)
    }
    let y = target.reshape([n, 1]).to(.int64)
    if n > 0 {
        let bad = Torch.noGrad { y.lt(Tensor(0, dtype: .int64)).logicalOr(y.ge(Tensor(c, dtype: .int64))).any() }
        if bad.item() != 0 { torchFail(op, "target out of range", file: file, line: line) }
    }
    if let weight, weight.requiresGrad && Torch.isGradEnabled {
        torchFail(
            op,
            "The function 'multi_margin_loss' is not differentiable with respect to argument 'weight'. This input "
                + "cannot have requires_grad True.", file: file, line: line)
    }
    let picked = x.gather(1, y)
    // The target's own class is left out (filled, not multiplied: its term may be NaN).
    let own = Torch.noGrad {
        Tensor.zeros([n, c], dtype: .bool, device: x.device).scatter_(1, y, Tensor.ones([n, 1], dtype: .bool))
    }
    let raw = (x - picked + margin).maskedFill(own, 0.0)
    // Only terms with z > 0 count, as PyTorch's kernel tests them (a NaN term counts as 0).
    let counts = Torch.noGrad { raw.gt(Tensor(0.0, dtype: raw.dtype)) }
    var z = Tensor.where(counts, raw, Tensor.zeros([], dtype: raw.dtype, device: raw.device))
    if p == 2 { z = z * z }
    if let weight { z = z * weight.to(x.dtype).gather(0, y.reshape([n])).reshape([n, 1]) }
    var loss = z.sum(dims: [1]) / Double(c)
    if input.rank < 2 && reduction == .none { loss = loss.reshape(target.shape) }
    return reduce(loss, reduction)
}

/// The negative log-likelihood of a Poisson target (`F.poisson_nll_loss`): `exp(x) − t·x` with
/// `logInput` (the default), `x − t·log(x + eps)` without; `full` adds Stirling's term
/// `t·log t − t + ½·log(2πt)` where t > 1.
public func poissonNllLoss(
    _ input: Tensor, _ target: Tensor, logInput: Bool = true, full: Bool = false, eps: Double = 1e-8,
    reduction: Reduction = .mean
) -> Tensor {
    var loss = logInput ? input.exp() - target * input : input - target * (input + eps).log()
    if full {
        let t = target
        let stirling = t * t.log() - t + 0.5 * (t * (2 * Double.pi)).log()
        loss = loss + stirling.maskedFill(t.le(Tensor(1.0, dtype: t.dtype)), 0.0)
    }
    return reduce(loss, reduction)
}

/// The triplet loss `max(d(a, p) − d(a, n) + margin, 0)` with the p-norm pairwise distance
/// (`F.triplet_margin_loss`); `swap` uses `min(d(a, n), d(p, n))`.
public func tripletMarginLoss(
    _ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, margin: Double = 1, p: Double = 2,
    eps: Double = 1e-6, swap: Bool = false, reduction: Reduction = .mean,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if margin <= 0 {
        torchFail("triplet_margin_loss", "margin must be greater than 0, got \(margin)", file: file, line: line)
    }
    if anchor.rank != positive.rank || anchor.rank != negative.rank {
        torchFail(
            "triplet_margin_loss",
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
                + "got: anchor \(anchor.rank)D, positive \(positive.rank)D, and negative \(negative.rank)D inputs",
            file: file, line: line)
    }
    let dPos = pairwiseDistance(anchor, positive, p: p, eps: eps, file: file, line: line)
    var dNeg = pairwiseDistance(anchor, negative, p: p, eps: eps, file: file, line: line)
    if swap { dNeg = dNeg.minimum(pairwiseDistance(positive, negative, p: p, eps: eps, file: file, line: line)) }
    return reduce((dPos - dNeg + margin).clamp(min: 0), reduction)
}

/// The Connectionist Temporal Classification loss (`F.ctc_loss`): the negative log-likelihood of
/// each target sequence summed over its alignments to the input frames, by the forward (alpha)
/// recursion in log space. `logProbs` [T, N, C] (or [T, C] unbatched) are log-softmax outputs;
/// `targets` are [N, S] padded or 1-D concatenated; `mean` divides each loss by its target length
/// before averaging; `zeroInfinity` turns impossible alignments (inf) into 0 with no gradient.
public func ctcLoss(
    _ logProbs: Tensor, _ targets: Tensor, inputLengths: [Int], targetLengths: [Int], blank: Int = 0,
    reduction: Reduction = .mean, zeroInfinity: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let op = "ctc_loss"
    let unbatched = logProbs.rank == 2
    let lp = unbatched ? logProbs.unsqueeze(1) : logProbs
    if lp.rank != 3 {
        torchFail(op, "Expected 2-D or 3-D log_probs, got \(logProbs.shape)", file: file, line: line)
    }
    let (tMax, n, c) = (lp.shape[0], lp.shape[1], lp.shape[2])
    if blank < 0 || blank >= c { torchFail(op, "blank must be in label range", file: file, line: line) }
    if inputLengths.count != n {
        torchFail(op, "input_lengths must be of size batch_size", file: file, line: line)
    }
    if targetLengths.count != n {
        torchFail(op, "target_lengths must be of size batch_size", file: file, line: line)
    }
    // Each sample's labels, from the padded [N, S] or the concatenated 1-D form.
    let flat = Torch.noGrad { targets.to(.int64).contiguous() }.scalars.map { Int($0) }
    var labels: [[Int]] = []
    var offset = 0
    for b in 0..<n {
        let len = targetLengths[b]
        if inputLengths[b] < 0 || inputLengths[b] > tMax {
            torchFail(
                op,
                "Expected input_lengths to have value at most \(tMax), but got value \(inputLengths[b]) "
                    + "(while checking arguments for ctc_loss_cpu)", file: file, line: line)
        }
        if targets.rank == 2 && !unbatched {
            if len > targets.shape[1] {
                torchFail(
                    op,
                    "Expected tensor to have size at least \(len) at dimension 1, but got size "
                        + "\(targets.shape[1]) for argument #2 'targets' (while checking arguments for ctc_loss_cpu)",
                    file: file, line: line)
            }
            labels.append(Array(flat[(b * targets.shape[1])..<(b * targets.shape[1] + len)]))
        } else {
            if offset + len > flat.count {
                torchFail(op, "Expected target lengths to sum to at most \(flat.count)", file: file, line: line)
            }
            labels.append(Array(flat[offset..<(offset + len)]))
            offset += len
        }
    }
    let sMax = 2 * (labels.map(\.count).max() ?? 0) + 1
    // Extended labels (blank, l1, blank, l2, …, blank), the states that may skip one back, and
    // the final two states per sample.
    var ext = [Int64](repeating: Int64(blank), count: n * sMax)
    var skip = [Bool](repeating: false, count: n * sMax)
    var valid = [Bool](repeating: false, count: n * sMax)
    for (b, l) in labels.enumerated() {
        for s in 0..<(2 * l.count + 1) {
            valid[b * sMax + s] = true
            if s % 2 == 1 {
                ext[b * sMax + s] = Int64(l[s / 2])
                skip[b * sMax + s] = s >= 3 && l[s / 2] != l[s / 2 - 1]
            }
        }
    }
    let device = lp.device
    let extIndex = Tensor(shape: [n, sMax], scalars: ext).to(device: device)
    let skipMask = Tensor(shape: [1, n, sMax], scalars: skip.map { $0 ? Int64(1) : 0 }).to(.bool).to(device: device)
    let validMask = Tensor(shape: [n, sMax], scalars: valid.map { $0 ? Int64(1) : 0 }).to(.bool).to(device: device)
    // Emission log-probabilities of every extended state at every frame: [T, N, S'].
    let emit = lp.gather(2, extIndex.unsqueeze(0).expand([tMax, n, sMax]))
    let negInf = Tensor.full([n, 1], -Double.infinity, dtype: lp.dtype, device: device)
    let neverSkip = Tensor.full([n, 2], -Double.infinity, dtype: lp.dtype, device: device)
    // alpha₀: the first blank or the first label.
    let start = Tensor(shape: [1, sMax], scalars: (0..<sMax).map { $0 < 2 ? Int64(1) : 0 }).to(.bool)
        .to(device: device)
    var alpha = emit[0].maskedFill(start.logicalAnd(validMask).logicalNot(), -Double.infinity)
    var lastAlpha = [Tensor?](repeating: nil, count: n)
    let endsAt = Set(inputLengths)
    if endsAt.contains(1) { for b in 0..<n where inputLengths[b] == 1 { lastAlpha[b] = alpha[b] } }
    for t in 1..<Swift.max(tMax, 1) {
        let stay = alpha
        let step = Tensor.cat([negInf, alpha.narrow(1, start: 0, length: sMax - 1)], dim: 1)
        var jump = Tensor.cat([neverSkip, alpha.narrow(1, start: 0, length: Swift.max(sMax - 2, 0))], dim: 1)
        if sMax < 2 { jump = neverSkip.narrow(1, start: 0, length: sMax) }
        jump = jump.maskedFill(skipMask[0].logicalNot(), -Double.infinity)
        alpha = logAddExp3(stay, step, jump) + emit[t]
        alpha = alpha.maskedFill(validMask.logicalNot(), -Double.infinity)
        if endsAt.contains(t + 1) { for b in 0..<n where inputLengths[b] == t + 1 { lastAlpha[b] = alpha[b] } }
    }
    var losses: [Tensor] = []
    for b in 0..<n {
        let l = labels[b].count
        guard let a = lastAlpha[b] else {
            // No frames: only an empty target has an alignment.
            losses.append(Tensor.full([], l == 0 ? 0.0 : Double.infinity, dtype: lp.dtype, device: device))
            continue
        }
        let last = a.narrow(0, start: 2 * l, length: 1)
        let end = l > 0 ? logAddExp3(last, a.narrow(0, start: 2 * l - 1, length: 1), nil) : last
        losses.append(-end.reshape([]))
    }
    var loss = Tensor.stack(losses, dim: 0)
    if zeroInfinity {
        loss = Tensor.where(loss.isinf(), Tensor.zeros([], dtype: loss.dtype, device: device), loss)
    }
    switch reduction {
    case .none: return unbatched ? loss.reshape([]) : loss
    case .sum: return loss.sum()
    case .mean:
        let lengths = Tensor(shape: [n], scalars: targetLengths.map { Double(Swift.max($0, 1)) }, dtype: loss.dtype)
        return (loss / lengths.to(device: device)).mean()
    }
}

/// log(eᵃ + eᵇ + eᶜ) element-wise with -inf operands contributing nothing and no NaN gradient
/// where every operand is -inf (those positions get -inf and a zero gradient).
private func logAddExp3(_ a: Tensor, _ b: Tensor, _ c: Tensor?) -> Tensor {
    let m = Torch.noGrad {
        var m = a.maximum(b)
        if let c { m = m.maximum(c) }
        return Tensor.where(m.isinf(), Tensor.zeros([], dtype: m.dtype, device: m.device), m)
    }
    var s = (a - m).exp() + (b - m).exp()
    if let c { s = s + (c - m).exp() }
    let positive = Torch.noGrad { s.gt(Tensor(0.0, dtype: s.dtype)) }
    let safe = Tensor.where(positive, s, Tensor.ones([], dtype: s.dtype, device: s.device))
    let finite = m + safe.log()
    return Tensor.where(positive, finite, Tensor.full([], -Double.infinity, dtype: s.dtype, device: s.device))
}

/// The multi-class multi-label hinge loss (`F.multilabel_margin_loss`): input [N, C] or [C] and
/// `target` of the same shape holding class indices, ended by the first −1; for each sample
/// `Σ_j Σ_{i not a target} max(0, 1 − (x[y_j] − x[i])) / C` over its targets y_j (a repeated
/// target counts again, as PyTorch's kernel). `reduction: .none` gives one loss per sample.
public func multiLabelMarginLoss(
    _ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, file: StaticString = #fileID,
    line: UInt = #line
) -> Tensor {
    let op = "multilabel_margin_loss"
    if input.rank > 2 || (input.rank == 2 && input.shape[1] == 0) || (input.rank < 2 && input.count == 0) {
        torchFail(
            op, "Expected non-empty vector or matrix with optional 0-dim batch size, but got: \(input.shape)",
            file: file, line: line)
    }
    if target.shape != input.shape {
        torchFail(
            op, "inconsistent target size: \(target.shape) for input of size: \(input.shape)", file: file, line: line)
    }
    input.requireKernel(op, "multilabel_margin_loss_forward_out_frame", .floating, file: file, line: line)
    if input.dtype == .float16 || input.dtype == .bfloat16 {
        torchFail(
            op, "\"multilabel_margin_loss_forward_out_frame\" not implemented for '\(input.dtype.pytorchName)'",
            file: file, line: line)
    }
    if target.dtype != .int64 {
        torchFail(op, "expected scalar type Long but found \(target.dtype.pytorchName)", file: file, line: line)
    }
    let x = input.rank == 2 ? input : input.reshape([1, -1])
    let n = x.shape[0], c = x.shape[1]
    let y = target.reshape([n, c])
    // Targets up to the first −1 count; any other value outside [0, C) is refused.
    let (valid, isTarget) = Torch.noGrad { () -> (Tensor, Tensor) in
        let ended = (y .== Int64(-1)).to(.int64).cumsum(dim: 1) .> Int64(0)
        let valid = ended.logicalNot()
        let outside = (y .< Int64(0)).logicalOr(y .>= Int64(c)).logicalAnd(valid)
        if n > 0 && outside.any().item() != 0 {
            torchFail(op, "argument #2 'target' is out of range", file: file, line: line)
        }
        let classes = Tensor.arange(c, dtype: .int64).reshape([1, 1, c])
        let hits = (y.unsqueeze(2) .== classes).logicalAnd(valid.unsqueeze(2))
        return (valid, hits.any(dims: [1]))
    }
    // z[n, j, i] = 1 − x[y_j] + x[i], counted where j is a target, i is not, and z > 0.
    let picked = x.gather(1, y.clamp(min: 0, max: Swift.max(c - 1, 0)))
    let z = (x.unsqueeze(1) - picked.unsqueeze(2)) + 1.0
    let counted = Torch.noGrad {
        (z .> 0.0).logicalAnd(valid.unsqueeze(2)).logicalAnd(isTarget.logicalNot().unsqueeze(1))
    }
    var loss = Tensor.where(counted, z, 0.0).sum(dims: [1, 2]) / Double(c)
    if input.rank < 2 && reduction == .none { loss = loss.reshape([]) }
    return reduce(loss, reduction)
}

/// The triplet loss with any distance (`F.triplet_margin_with_distance_loss`):
/// `max(d(a, p) − d(a, n) + margin, 0)`, with `distance` the pairwise distance by default and
/// `swap` taking the smaller of d(a, n) and d(p, n).
///
/// ```swift
/// let loss = tripletMarginWithDistanceLoss(a, p, n, distance: { 1 - cosineSimilarity($0, $1) })
/// ```
public func tripletMarginWithDistanceLoss(
    _ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, distance: ((Tensor, Tensor) -> Tensor)? = nil,
    margin: Double = 1, swap: Bool = false, reduction: Reduction = .mean,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let op = "triplet_margin_with_distance_loss"
    if margin <= 0 { torchFail(op, "margin must be greater than 0, got \(margin)", file: file, line: line) }
    if anchor.rank != positive.rank || anchor.rank != negative.rank {
        torchFail(
            op,
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
                + "got: anchor \(anchor.rank)D, positive \(positive.rank)D, and negative \(negative.rank)D inputs",
            file: file, line: line)
    }
    let d = distance ?? { pairwiseDistance($0, $1, file: file, line: line) }
    let dPos = d(anchor, positive)
    var dNeg = d(anchor, negative)
    if swap { dNeg = dNeg.minimum(d(positive, negative)) }
    return reduce(((dPos + margin) - dNeg).clamp(min: 0.0), reduction)
}
