import Torch
import TorchBase
import RealModule

/// Parameter initialisation (`torch.nn.init`), drawing from the default generator.
public enum Init {
    /// Uniform in [a, b], in place.
    public static func uniform_(_ t: Tensor, _ a: Double, _ b: Double, generator: Generator = .default) {
        Torch.noGrad { t.copy_(Tensor.rand(t.shape, dtype: t.dtype, generator: generator) * (b - a) + a) }
    }

    public static func normal_(_ t: Tensor, mean: Double = 0, std: Double = 1, generator: Generator = .default) {
        Torch.noGrad { t.copy_(Tensor.normal(mean: mean, std: std, t.shape, dtype: t.dtype, generator: generator)) }
    }

    public static func zeros_(_ t: Tensor) { Torch.noGrad { _ = t.zero_() } }

    /// (fan_in, fan_out) of a weight shaped [out, in, k...].
    public static func fans(_ shape: [Int]) -> (Int, Int) {
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape.count > 1 ? shape[1] * receptive : shape[0], shape[0] * receptive)
    }

    /// PyTorch's default bias of Linear and Conv layers: uniform in ±1/√fanIn.
    public static func defaultBias(_ n: Int, fanIn: Int, dtype: DType = .float32) -> Tensor {
        let b = Tensor.empty([n], dtype: dtype)
        let bound = 1 / Double(fanIn).squareRoot()
        uniform_(b, -bound, bound)
        return b
    }

    /// Kaiming uniform with `a = sqrt(5)`: PyTorch's default for Linear and Conv weights.
    public static func kaimingUniform_(_ t: Tensor, a: Double = 5.0.squareRoot(), generator: Generator = .default) {
        let fanIn = Double(fans(t.shape).0)
        let gain = (2.0 / (1 + a * a)).squareRoot()
        let bound = gain * (3.0 / fanIn).squareRoot()
        uniform_(t, -bound, bound, generator: generator)
    }
}

/// `y = x Wᵀ + b`, PyTorch's default initialisation.
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        weight = Tensor.empty([outFeatures, inFeatures], dtype: dtype)
        Init.kaimingUniform_(weight)
        self.bias = bias ? Init.defaultBias(outFeatures, fanIn: inFeatures, dtype: dtype) : nil
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override func forward(_ x: Tensor) -> Tensor { linear(x, weight, bias) }
}

public final class ReLU: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.relu() }
}

public final class Flatten: Module {
    let start: Int
    public init(startDim: Int = 1) { start = startDim; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.flatten(startDim: start) }
}

public final class Dropout: Module {
    let p: Double
    public init(_ p: Double = 0.5) { self.p = p; super.init() }
    public override func forward(_ x: Tensor) -> Tensor { dropout(x, p: p, training: training) }
}

/// A Transformer encoder layer: self-attention and a feed-forward block, each with dropout, a
/// residual connection and LayerNorm (after, or before with `normFirst`), as PyTorch's.
public final class TransformerEncoderLayer: Module {
    public let selfAttn: MultiheadAttention
    public let linear1: Linear, linear2: Linear
    public let norm1: LayerNorm, norm2: LayerNorm
    let dropoutP: Double, normFirst: Bool, activation: (Tensor) -> Tensor

    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, gelu useGELU: Bool = false,
                batchFirst: Bool = false, normFirst: Bool = false) {
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst)
        linear1 = Linear(dModel, dimFeedforward)
        linear2 = Linear(dimFeedforward, dModel)
        norm1 = LayerNorm([dModel]); norm2 = LayerNorm([dModel])
        dropoutP = dropout
        self.normFirst = normFirst
        activation = useGELU ? { $0.gelu() } : { $0.relu() }
        super.init()
        register("self_attn", selfAttn)
        register("linear1", linear1); register("linear2", linear2)
        register("norm1", norm1); register("norm2", norm2)
    }

    /// The layer on `x`, with an optional key padding mask and causal masking.
    public func encode(_ x: Tensor, srcKeyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        func sa(_ h: Tensor) -> Tensor {
            dropout(selfAttn(h, h, h, keyPaddingMask: srcKeyPaddingMask, isCausal: isCausal).0, p: dropoutP, training: training)
        }
        func ff(_ h: Tensor) -> Tensor {
            dropout(linear2(dropout(activation(linear1(h)), p: dropoutP, training: training)), p: dropoutP, training: training)
        }
        if normFirst {
            let h = x + sa(norm1(x))
            return h + ff(norm2(h))
        }
        let h = norm1(x + sa(x))
        return norm2(h + ff(h))
    }

    public override func forward(_ x: Tensor) -> Tensor { encode(x) }
}

/// A Transformer decoder layer, as PyTorch's: causal-capable self-attention over the target,
/// attention over the encoder's `memory`, and a feed-forward block, each with dropout, a residual
/// connection and LayerNorm (after each block, or before with `normFirst`).
///
/// ```swift
/// let layer = TransformerDecoderLayer(dModel: 64, nhead: 4, batchFirst: true)
/// let y = layer.decode(tgt, memory: mem, tgtIsCausal: true)
/// ```
public final class TransformerDecoderLayer: Module {
    public let selfAttn: MultiheadAttention, multiheadAttn: MultiheadAttention
    public let linear1: Linear, linear2: Linear
    public let norm1: LayerNorm, norm2: LayerNorm, norm3: LayerNorm
    let dropoutP: Double, normFirst: Bool, activation: (Tensor) -> Tensor

    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, gelu useGELU: Bool = false,
                batchFirst: Bool = false, normFirst: Bool = false) {
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst)
        multiheadAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst)
        linear1 = Linear(dModel, dimFeedforward)
        linear2 = Linear(dimFeedforward, dModel)
        norm1 = LayerNorm([dModel]); norm2 = LayerNorm([dModel]); norm3 = LayerNorm([dModel])
        dropoutP = dropout
        self.normFirst = normFirst
        activation = useGELU ? { $0.gelu() } : { $0.relu() }
        super.init()
        register("self_attn", selfAttn)
        register("multihead_attn", multiheadAttn)
        register("linear1", linear1); register("linear2", linear2)
        register("norm1", norm1); register("norm2", norm2); register("norm3", norm3)
    }

    /// The layer on target `tgt` attending to `memory`, with optional masks.
    public func decode(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                       tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil, tgtIsCausal: Bool = false) -> Tensor {
        func sa(_ h: Tensor) -> Tensor {
            let a = selfAttn(h, h, h, keyPaddingMask: tgtKeyPaddingMask, attnMask: tgtMask, isCausal: tgtIsCausal).0
            return dropout(a, p: dropoutP, training: training)
        }
        func mha(_ h: Tensor) -> Tensor {
            let a = multiheadAttn(h, memory, memory, keyPaddingMask: memoryKeyPaddingMask, attnMask: memoryMask).0
            return dropout(a, p: dropoutP, training: training)
        }
        func ff(_ h: Tensor) -> Tensor {
            dropout(linear2(dropout(activation(linear1(h)), p: dropoutP, training: training)), p: dropoutP, training: training)
        }
        if normFirst {
            var x = tgt + sa(norm1(tgt))
            x = x + mha(norm2(x))
            return x + ff(norm3(x))
        }
        var x = norm1(tgt + sa(tgt))
        x = norm2(x + mha(x))
        return norm3(x + ff(x))
    }

    /// Self-attention only makes sense with a memory: call `decode(_:memory:)`.
    public override func forward(_ x: Tensor) -> Tensor {
        torchFail("TransformerDecoderLayer", "forward needs the encoder memory: call decode(tgt, memory:)", file: #fileID, line: #line)
    }
}
