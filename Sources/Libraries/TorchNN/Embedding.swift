import Torch
import TorchBase

// Embedding lookup tables (`torch.nn.Embedding`).

/// A lookup table of `numEmbeddings` vectors (normal(0, 1) init; the `paddingIdx` row is zero
/// and receives no gradient).
public final class Embedding: Module {
    /// The table [numEmbeddings, dim], standard-normal initialised.
    public let weight: Tensor
    /// The index whose row is zero and receives no gradient, if any.
    public let paddingIdx: Int?

    /// A table of `numEmbeddings` vectors of size `dim`.
    ///
    /// ```swift
    /// let emb = Embedding(10_000, 128, paddingIdx: 0)
    /// ```
    public init(_ numEmbeddings: Int, _ dim: Int, paddingIdx: Int? = nil) {
        let w = Tensor.randn([numEmbeddings, dim])
        if let p = paddingIdx { w[p] = Tensor(0.0) }
        weight = w
        self.paddingIdx = paddingIdx
        super.init()
        registerParameter("weight", weight)
    }

    /// The rows of `weight` at the integer `indices` (shape `indices.shape + [dim]`).
    public override var extraRepr: String {
        "\(weight.shape[0]), \(weight.shape[1])" + (paddingIdx.map { ", padding_idx=\($0)" } ?? "")
    }
    public override func forward(_ indices: Tensor) -> Tensor {
        embedding(indices, weight, paddingIdx: paddingIdx)
    }
}
