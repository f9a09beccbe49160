import Torch
import TorchBase

// Attention: `scaledDotProductAttention` and `MultiheadAttention`.

/// `softmax(q kᵀ · scale + mask) v` over the last two dimensions. A bool mask keeps `true`
/// positions; a float mask is added. `isCausal` masks future positions (not together with a
/// mask, as PyTorch). A query row whose every key is masked attends to nothing and gives zeros
/// (PyTorch 2.5 and later); `dropoutP` drops attention weights in training, as PyTorch's `dropout_p`.
///
/// ```swift
/// let out = scaledDotProductAttention(q, k, v, isCausal: true)
/// ```
public func scaledDotProductAttention(
    _ q: Tensor, _ k: Tensor, _ v: Tensor, attnMask: Tensor? = nil,
    dropoutP: Double = 0, isCausal: Bool = false, scale: Double? = nil,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    if isCausal && attnMask != nil {
        torchFail(
            "scaled_dot_product_attention",
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True", file: file,
            line: line)
    }
    let d = q.shape[q.rank - 1]
    var scores = q.matmul(k.mT) * (scale ?? 1 / Double(d).squareRoot())
    let (lq, lk) = (q.shape[q.rank - 2], k.shape[k.rank - 2])
    if isCausal {
        let keep = Tensor.ones([lq, lk], dtype: .bool, device: q.device).tril()
        scores = scores.maskedFill(keep.logicalNot(), -Double.infinity)
    }
    if let m = attnMask {
        scores = m.dtype == .bool ? scores.maskedFill(m.logicalNot(), -Double.infinity) : scores + m
    }
    var attn = scores.softmax(dim: -1)
    if isCausal || attnMask != nil {
        let dead = Torch.noGrad { (scores .== -Double.infinity).all(dims: [-1], keepdim: true) }
        attn = Tensor.where(dead, Tensor.scalar(0.0, dtype: attn.dtype), attn)
    }
    if dropoutP > 0 { attn = dropout(attn, p: dropoutP, training: true) }
    return attn.matmul(v)
}

/// Multi-head attention with PyTorch's packed input projection (`in_proj_weight`) and output
/// projection. Inputs [L, N, E] (or [N, L, E] with `batchFirst`).
public final class MultiheadAttention: Module {
    /// The model width, the number of heads (which divides it) and whether inputs are [batch, seq, embed].
    public let embedDim: Int, numHeads: Int, batchFirst: Bool
    /// Dropout probability on the attention weights in training (PyTorch's `dropout`).
    public let dropoutP: Double
    /// The packed query/key/value projection [3·embed, embed] and its bias.
    public var inProjWeight: Tensor { tensor("in_proj_weight") }
    /// The packed input projections' bias [3·embedDim].
    public var inProjBias: Tensor { tensor("in_proj_bias") }
    /// The output projection.
    public let outProj: Linear

    /// Attention over `numHeads` heads of `embedDim / numHeads` each, with `dropout` on the weights.
    ///
    /// ```swift
    /// let mha = MultiheadAttention(embedDim: 64, numHeads: 8, batchFirst: true)
    /// ```
    public init(embedDim: Int, numHeads: Int, dropout: Double = 0, batchFirst: Bool = false) {
        precondition(embedDim % numHeads == 0, "embed_dim must be divisible by num_heads")
        self.embedDim = embedDim; self.numHeads = numHeads; self.batchFirst = batchFirst; self.dropoutP = dropout
        let inProjWeight = Tensor.empty([3 * embedDim, embedDim])
        let a = (6.0 / Double(4 * embedDim)).squareRoot()  // xavier uniform over [3E, E]
        Init.uniform_(inProjWeight, -a, a)
        let inProjBias = Tensor.zeros([3 * embedDim])
        outProj = Linear(embedDim, embedDim)
        Init.zeros_(outProj.bias!)
        super.init()
        registerParameter("in_proj_weight", inProjWeight)
        registerParameter("in_proj_bias", inProjBias)
        register("out_proj", outProj)
    }

    /// Returns the attended output and the attention weights: averaged over heads [N, L, S], per
    /// head [N, H, L, S] with `averageAttnWeights: false`, nil with `needWeights: false`. Masks as
    /// PyTorch's: a bool `attnMask` ([L, S] or [N·H, L, S]) or `keyPaddingMask` ([N, S]) masks its
    /// `true` positions, a float one is added to the scores.
    public func callAsFunction(
        _ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil, needWeights: Bool = true,
        attnMask: Tensor? = nil, averageAttnWeights: Bool = true, isCausal: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> (Tensor, Tensor?) {
        if Tracing.isTracing && (keyPaddingMask != nil || attnMask != nil || isCausal) {
            // One node whose inputs include the masks (a layer's node otherwise holds only the
            // tensors its hooks see), the flags as attributes.
            var inputs = [query, key, value]
            if let attnMask { inputs.append(attnMask) }
            if let keyPaddingMask { inputs.append(keyPaddingMask) }
            let (hasMask, hasPad) = (attnMask != nil, keyPaddingMask != nil)
            let attrs: [(String, TraceAttribute)] = [
                ("attnMask", .bool(hasMask)), ("keyPaddingMask", .bool(hasPad)), ("isCausal", .bool(isCausal)),
                ("needWeights", .bool(needWeights)), ("averageAttnWeights", .bool(averageAttnWeights)),
            ]
            let outs = Tracing.record("MultiheadAttention", inputs, attrs, module: self, file: file, line: line) {
                [self] ts in
                let r = self(
                    ts[0], ts[1], ts[2], keyPaddingMask: hasPad ? ts[ts.count - 1] : nil, needWeights: needWeights,
                    attnMask: hasMask ? ts[3] : nil, averageAttnWeights: averageAttnWeights, isCausal: isCausal,
                    file: file, line: line)
                return [r.0] + (r.1.map { [$0] } ?? [])
            }
            return (outs[0], outs.count > 1 ? outs[1] : nil)
        }
        return withHooks(
            query, key, value,
            calling: { [self] q, k, v in
                attend(
                    q, k, v, keyPaddingMask: keyPaddingMask, needWeights: needWeights, attnMask: attnMask,
                    averageAttnWeights: averageAttnWeights, isCausal: isCausal)
            }, file: file, line: line)
    }

    func attend(
        _ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor?, needWeights: Bool,
        attnMask: Tensor?, averageAttnWeights: Bool, isCausal: Bool
    ) -> (Tensor, Tensor?) {
        let q0 = batchFirst ? query : query.transpose(0, 1)  // [N, L, E]
        let k0 = batchFirst ? key : key.transpose(0, 1)
        let v0 = batchFirst ? value : value.transpose(0, 1)
        let E = embedDim, H = numHeads, hd = E / H
        func proj(_ x: Tensor, _ i: Int) -> Tensor {
            let w = inProjWeight.narrow(0, start: i * E, length: E), b = inProjBias.narrow(0, start: i * E, length: E)
            let y = x.matmul(w.t()) + b
            return y.reshape([x.shape[0], x.shape[1], H, hd]).transpose(1, 2)  // [N, H, L, hd]
        }
        let q: Tensor, k: Tensor, v: Tensor
        if query === key && key === value {
            // Self-attention: one GEMM with the packed [3E, E] projection (PyTorch's
            // in_projection_packed), then the three parts as views.
            let n = q0.shape[0], l = q0.shape[1]
            let packed = Tensor.addmm(inProjBias, q0.reshape([n * l, E]), inProjWeight.t())
                .reshape([n, l, 3, H, hd]).permute(2, 0, 3, 1, 4)  // [3, N, H, L, hd]
            (q, k, v) = (packed[0], packed[1], packed[2])
        } else {
            (q, k, v) = (proj(q0, 0), proj(k0, 1), proj(v0, 2))
        }
        var scores = q.matmul(k.mT) / Double(hd).squareRoot()  // [N, H, Lq, Lk]
        if isCausal {
            let keep = Tensor.ones([q.shape[2], k.shape[2]], dtype: .bool).tril()
            scores = scores.maskedFill(keep.logicalNot(), -Double.infinity)
        }
        if var m = attnMask {
            // [N·H, L, S] masks are per batch element and head.
            if m.rank == 3 { m = m.reshape([q.shape[0], H, m.shape[1], m.shape[2]]) }
            scores = m.dtype == .bool ? scores.maskedFill(m, -Double.infinity) : scores + m.to(scores.dtype)
        }
        if let pad = keyPaddingMask {
            let p = pad.view([pad.shape[0], 1, 1, pad.shape[1]])
            scores = pad.dtype == .bool ? scores.maskedFill(p, -Double.infinity) : scores + p.to(scores.dtype)
        }
        var attn = scores.softmax(dim: -1)
        if dropoutP > 0 && training { attn = dropout(attn, p: dropoutP, training: true) }
        let out = attn.matmul(v).transpose(1, 2).reshape([q0.shape[0], q0.shape[1], E])
        let y = outProj(out)
        let weights: Tensor? = needWeights ? (averageAttnWeights ? attn.mean(dims: [1]) : attn) : nil
        return (batchFirst ? y : y.transpose(0, 1), weights)
    }

    /// Self-attention of `x`: `self(x, x, x).0`.
    public override func forward(_ x: Tensor) -> Tensor { self(x, x, x).0 }
}
