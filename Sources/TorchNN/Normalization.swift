import Torch
import TorchBase

/// Layer normalisation over the trailing `normalizedShape` dimensions, with affine weight and bias.
public final class LayerNorm: Module {
    public let normalizedShape: [Int]
    public let eps: Double
    public let weight: Tensor, bias: Tensor

    public init(_ normalizedShape: [Int], eps: Double = 1e-5) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = Tensor.ones(normalizedShape)
        bias = Tensor.zeros(normalizedShape)
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let dims = Array((x.rank - normalizedShape.count)..<x.rank)
        let mean = x.mean(dims: dims, keepdim: true)
        let v = x.variance(dims: dims, correction: 0, keepdim: true)
        return (x - mean) / (v + eps).sqrt() * weight + bias
    }
}

/// Batch normalisation over the channel dimension 1 of [N, C] or [N, C, H, W] inputs: batch
/// statistics in training (running statistics updated with `momentum`, unbiased variance),
/// running statistics in eval mode.
public final class BatchNorm: Module {
    public let numFeatures: Int, eps: Double, momentum: Double
    public let weight: Tensor, bias: Tensor
    public let runningMean: Tensor, runningVar: Tensor

    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        weight = Tensor.ones([numFeatures]); bias = Tensor.zeros([numFeatures])
        runningMean = Tensor.zeros([numFeatures]); runningVar = Tensor.ones([numFeatures])
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
        registerBuffer("running_mean", runningMean)
        registerBuffer("running_var", runningVar)
    }

    public override func forward(_ x: Tensor) -> Tensor {
        let dims = [0] + Array(2..<x.rank)
        var shape = [Int](repeating: 1, count: x.rank)
        shape[1] = numFeatures
        let mean: Tensor, v: Tensor
        if training {
            mean = x.mean(dims: dims)
            v = x.variance(dims: dims, correction: 0)
            let n = Double(x.count / numFeatures)
            Torch.noGrad {
                runningMean.mul_(Tensor.scalar(1 - momentum, dtype: runningMean.dtype)).add_(mean.detach(), alpha: momentum)
                runningVar.mul_(Tensor.scalar(1 - momentum, dtype: runningVar.dtype)).add_(v.detach() * (n / Swift.max(n - 1, 1)), alpha: momentum)
            }
        } else {
            mean = runningMean; v = runningVar
        }
        return (x - mean.view(shape)) / (v.view(shape) + eps).sqrt() * weight.view(shape) + bias.view(shape)
    }
}

public typealias BatchNorm1d = BatchNorm
public typealias BatchNorm2d = BatchNorm

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
        var out = weight.indexSelect(0, indices.reshape([-1])).reshape(indices.shape + [weight.shape[1]])
        if let p = paddingIdx {
            // Rows looked up at the padding index contribute no gradient.
            let keep = (indices .!= p).to(weight.dtype).unsqueeze(-1)
            out = out * keep
        }
        return out
    }
}
