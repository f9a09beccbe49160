import Torch
import TorchBase

// Embedding lookup tables (`torch.nn.Embedding`).

/// A lookup table of `numEmbeddings` vectors (normal(0, 1) init; the `paddingIdx` row is zero
/// and receives no gradient).
public final class Embedding: Module {
    /// The table [numEmbeddings, dim], standard-normal initialised (through its
    /// parametrizations, if any).
    public var weight: Tensor { tensor("weight") }
    /// The number of rows and their size.
    public let numEmbeddings: Int, embeddingDim: Int
    /// The index whose row is zero and receives no gradient, if any.
    public let paddingIdx: Int?
    /// With `maxNorm`, every row looked up whose `normType`-norm exceeds it is rescaled to that
    /// norm in place first (PyTorch's `max_norm`, `norm_type`).
    public let maxNorm: Double?, normType: Double
    /// Whether the weight's gradient is sparse (`weight.sparseGrad`, for `SparseAdam`), PyTorch's
    /// `sparse=True` (Note [Sparse gradients]).
    public let sparse: Bool

    /// A table of `numEmbeddings` vectors of size `dim`.
    ///
    /// ```swift
    /// let emb = Embedding(10_000, 128, paddingIdx: 0)
    /// ```
    public init(
        _ numEmbeddings: Int, _ dim: Int, paddingIdx: Int? = nil, maxNorm: Double? = nil, normType: Double = 2,
        sparse: Bool = false
    ) {
        let w = Tensor.randn([numEmbeddings, dim])
        if let p = paddingIdx { w[p] = Tensor(0.0) }
        (self.numEmbeddings, self.embeddingDim) = (numEmbeddings, dim)
        self.paddingIdx = paddingIdx
        (self.maxNorm, self.normType) = (maxNorm, normType)
        self.sparse = sparse
        super.init()
        registerParameter("weight", w)
    }

    public override var extraRepr: String {
        "\(numEmbeddings), \(embeddingDim)" + (paddingIdx.map { ", padding_idx=\($0)" } ?? "")
            + (sparse ? ", sparse=True" : "")
    }
    /// The rows of `weight` at the integer `indices` (shape `indices.shape + [dim]`).
    public override func forward(_ indices: Tensor) -> Tensor {
        let w = weight
        if let maxNorm { embeddingRenorm_(w, indices, maxNorm: maxNorm, normType: normType) }
        return embedding(indices, w, paddingIdx: paddingIdx, sparse: sparse)
    }
}

/// Rescales, in place and without recording, each row of `weight` that `indices` names and whose
/// `normType`-norm exceeds `maxNorm` to norm `maxNorm` (PyTorch's `embedding_renorm_`, with its
/// `maxNorm / (norm + 1e-7)` factor).
public func embeddingRenorm_(_ weight: Tensor, _ indices: Tensor, maxNorm: Double, normType: Double = 2) {
    Torch.noGrad {
        let rows = indices.flatten().to(.int64).unique().values
        if rows.count == 0 { return }
        let picked = weight.indexSelect(0, rows)
        let norms = picked.abs().pow(normType).sum(dims: [1], keepdim: true).pow(1 / normType)
        let scale = Tensor.where(
            norms.gt(Tensor(maxNorm, dtype: norms.dtype)), maxNorm / (norms + 1e-7),
            Tensor.ones([], dtype: norms.dtype, device: norms.device))
        weight[rows] = picked * scale  // only the looked-up rows are written
    }
}
