import Torch
import TorchBase

// Functional forms of the layers (torch.nn.functional): the modules call these with their own
// parameters and state.

/// `x · weightᵀ + bias` over the last dimension (the bias as the GEMM's starting value).
public func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil) -> Tensor {
    guard let bias else { return x.matmul(weight.t()) }
    if x.rank == 2 { return Tensor.addmm(bias, x, weight.t()) }
    if x.rank > 2 {
        let lead = Array(x.shape.dropLast())
        return Tensor.addmm(bias, x.reshape([-1, x.shape[x.rank - 1]]), weight.t()).view(lead + [weight.shape[0]])
    }
    return x.matmul(weight.t()) + bias
}

/// `x1ᵀ A x2 + b` for each output feature; `weight` [out, in1, in2].
public func bilinear(_ x1: Tensor, _ x2: Tensor, _ weight: Tensor, _ bias: Tensor? = nil) -> Tensor {
    // [N, 1, 1, in1] · [out, in1, in2] → [N, out, 1, in2] · x2 → [N, out]
    let left = x1.unsqueeze(1).unsqueeze(2).matmul(weight.unsqueeze(0)).squeeze(2)
    let y = (left * x2.unsqueeze(1)).sum(dims: [2])
    return bias.map { y + $0 } ?? y
}

/// Normalises over the trailing `normalizedShape` dimensions, then the optional affine.
public func layerNorm(
    _ x: Tensor, _ normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5
) -> Tensor {
    if x.dtype == .float16 || x.dtype == .bfloat16 {
        // Statistics and the affine in float32, one rounding at the end (PyTorch's accumulate type).
        return layerNorm(
            x.to(.float32), normalizedShape, weight: weight?.to(.float32), bias: bias?.to(.float32), eps: eps
        ).to(x.dtype)
    }
    if Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
        let y = x.fusedLayerNorm(normalizedShape.reduce(1, *), weight: weight, bias: bias, eps: eps)
    {
        return y  // one pass per row, without autograd (Tensor.fusedLayerNorm)
    }
    let dims = Array((x.rank - normalizedShape.count)..<x.rank)
    let mean = x.mean(dims: dims, keepdim: true)
    let v = x.varianceInOwnType(dims: dims, correction: 0, keepdim: true)
    var y = (x - mean) / (v + eps).sqrt()
    if let weight { y = y * weight }
    if let bias { y = y + bias }
    return y
}

/// Normalises each of `numGroups` channel groups over its channels and spatial positions, then
/// the optional per-channel affine.
public func groupNorm(
    _ x: Tensor, _ numGroups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if x.rank < 2 {
        torchFail(
            "group_norm", "Expected at least 2 dimensions for input tensor but received \(x.rank)", file: file,
            line: line)
    }
    let spatial = Array(x.shape[2...])
    let perGroup = x.shape[0] * x.shape[1] / Swift.max(numGroups, 1)
    if perGroup * spatial.reduce(1, *) == 1 {
        torchFail(
            "group_norm",
            "Expected more than 1 value per channel when training, got input size \([perGroup, numGroups] + spatial)",
            file: file, line: line)
    }
    if numGroups < 1 || x.shape[1] % numGroups != 0 {
        torchFail(
            "group_norm",
            "Expected number of channels in input to be divisible by num_groups, but got input of shape \(x.shape) "
                + "and num_groups=\(numGroups)",
            file: file, line: line)
    }
    x.requireKernel("group_norm", "GroupNormKernelImpl", .floating, file: file, line: line)
    if x.dtype == .float16 || x.dtype == .bfloat16 {
        return groupNorm(
            x.to(.float32), numGroups, weight: weight?.to(.float32), bias: bias?.to(.float32), eps: eps,
            file: file, line: line
        ).to(x.dtype)
    }
    let n = x.shape[0]
    let g = x.reshape([n, numGroups, -1])
    let mean = g.mean(dims: [2], keepdim: true), v = g.varianceInOwnType(dims: [2], correction: 0, keepdim: true)
    var y = ((g - mean) / (v + eps).sqrt()).reshape(x.shape)
    var shape = [Int](repeating: 1, count: x.rank)
    shape[1] = x.shape[1]
    if let weight { y = y * weight.view(shape) }
    if let bias { y = y + bias.view(shape) }
    return y
}

/// Divides by the root mean square over the trailing `normalizedShape` dimensions (eps: the
/// dtype's machine epsilon by default, as PyTorch), then the optional scale.
public func rmsNorm(_ x: Tensor, _ normalizedShape: [Int], weight: Tensor? = nil, eps: Double? = nil) -> Tensor {
    let dims = Array((x.rank - normalizedShape.count)..<x.rank)
    let e = eps ?? (x.dtype == .float64 ? Double.ulpOfOne : Double(Float.ulpOfOne))
    let y = x / ((x * x).mean(dims: dims, keepdim: true) + e).sqrt()
    return weight.map { y * $0 } ?? y
}

/// Batch normalisation over dimension 1: batch statistics when `training` (updating the running
/// statistics in place with `momentum`, unbiased variance, when given), else the running ones.
public func batchNorm(
    _ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil, bias: Tensor? = nil,
    training: Bool = false, momentum: Double = 0.1, eps: Double = 1e-5,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    x.requireKernel("batch_norm", "batch_norm", .floating, file: file, line: line)
    if x.dtype == .float16 || x.dtype == .bfloat16 {
        let y = batchNorm(
            x.to(.float32), runningMean: runningMean, runningVar: runningVar, weight: weight?.to(.float32),
            bias: bias?.to(.float32), training: training, momentum: momentum, eps: eps, file: file, line: line)
        return y.to(x.dtype)
    }
    let c = x.shape[1]
    let dims = [0] + Array(2..<x.rank)
    var shape = [Int](repeating: 1, count: x.rank)
    shape[1] = c
    let mean: Tensor, v: Tensor
    if training || runningMean == nil || runningVar == nil {
        mean = x.mean(dims: dims)
        v = x.varianceInOwnType(dims: dims, correction: 0)
        if training, let runningMean, let runningVar {
            let n = Double(x.count / c)
            Torch.noGrad {
                runningMean.mul_(Tensor.scalar(1 - momentum, dtype: runningMean.dtype)).add_(
                    mean.detach().to(runningMean.dtype), alpha: momentum)
                let unbiased = v.detach() * (n / Swift.max(n - 1, 1))
                runningVar.mul_(Tensor.scalar(1 - momentum, dtype: runningVar.dtype)).add_(
                    unbiased.to(runningVar.dtype), alpha: momentum)
            }
        }
    } else {
        mean = runningMean!; v = runningVar!
    }
    var y = (x - mean.view(shape)) / (v.view(shape) + eps).sqrt()
    if let weight { y = y * weight.view(shape) }
    if let bias { y = y + bias.view(shape) }
    return y
}

/// Rows of `weight` for each index; rows looked up at `paddingIdx` get no gradient. With
/// `sparse` the gradient of a leaf `weight` is a `SparseTensor` in `weight.sparseGrad` (the rows
/// looked up and their gradients, PyTorch's `sparse=True`, Note [Sparse gradients]) instead of a
/// dense tensor in `weight.grad`.
///
/// ```swift
/// let e = embedding(Tensor([[1, 2], [4, 1]]), table, sparse: true)
/// ```
public func embedding(
    _ indices: Tensor, _ weight: Tensor, paddingIdx: Int? = nil, sparse: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    var pad = paddingIdx
    if var p = paddingIdx {
        let rows = weight.shape[0]
        if p >= rows || p < -rows {
            torchFail("embedding", "Padding_idx must be within num_embeddings", file: file, line: line)
        }
        if p < 0 { p += rows }
        pad = p
    }
    if sparse && weight.isLeaf && weight.requiresGrad && Torch.isGradEnabled {
        return sparseEmbedding(indices, weight, paddingIdx: pad, file: file, line: line)
    }
    let out = weight.indexSelect(0, indices.reshape([-1]), file: file, line: line).reshape(
        indices.shape + [weight.shape[1]])
    guard let p = pad else { return out }
    guard out.requiresGrad else { return out }
    // The padding row's value is looked up as usual; only its gradient is stopped (PyTorch).
    let lookup = (indices .!= p).unsqueeze(-1)
    return Tensor.where(lookup, out, out.detach())
}

/// The lookup whose backward appends the rows' gradients to `weight.sparseGrad` (uncoalesced,
/// the padding row left out, as PyTorch's `embedding_sparse_backward`).
func sparseEmbedding(_ indices: Tensor, _ weight: Tensor, paddingIdx: Int?, file: StaticString, line: UInt) -> Tensor {
    let flat = indices.reshape([-1]).to(.int64)
    let shape = weight.shape
    return Torch.customFunction(
        "Embedding", [weight],
        forward: { _, w in
            w[0].indexSelect(0, flat, file: file, line: line).reshape(indices.shape + [shape[1]])
        },
        backward: { [weak weight] _, g in
            guard let weight else { return [nil] }
            var rows = flat
            var values = g.reshape([-1, shape[1]])
            if let p = paddingIdx {
                let keep = (flat .!= p).nonzero().reshape([-1])
                rows = flat.indexSelect(0, keep)
                values = values.indexSelect(0, keep)
            }
            // The rows passed the forward's index_select: no second range check.
            weight.accumulateSparseGrad(
                SparseTensor(unchecked: rows.unsqueeze(0), values.detach(), shape, coalesced: false))
            return [nil]
        }, file: file, line: line)
}
