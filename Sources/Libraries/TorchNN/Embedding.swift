import Torch
import TorchBase

// Embedding lookup tables (`torch.nn.Embedding`).

/// A lookup table of `numEmbeddings` vectors (normal(0, 1) init; the `paddingIdx` row is zero
/// and receives no gradient).
public final class Embedding: Module {
    public let weight: Tensor
    public let paddingIdx: Int?

    public init(_ numEmbeddings: Int, _ dim: Int, paddingIdx: Int? = nil) {
        let w = Tensor.randn([numEmbeddings, dim])
        if let p = paddingIdx { w[p] = Tensor(0.0) }
        weight = w
        self.paddingIdx = paddingIdx
        super.init()
        registerParameter("weight", weight)
    }

    public override func forward(_ indices: Tensor) -> Tensor {
        embedding(indices, weight, paddingIdx: paddingIdx)
    }
}
