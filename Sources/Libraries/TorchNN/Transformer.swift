import Torch
import TorchBase
import RealModule

// Transformer encoder and decoder layers (`torch.nn.TransformerEncoderLayer`, `TransformerDecoderLayer`).

/// A Transformer encoder layer: self-attention and a feed-forward block, each with dropout, a
/// residual connection and LayerNorm (after, or before with `normFirst`), as PyTorch's.
public final class TransformerEncoderLayer: Module {
    /// The self-attention block.
    public let selfAttn: MultiheadAttention
    /// The feed-forward block's two projections.
    public let linear1: Linear, linear2: Linear
    /// The layer norms after (or, with `normFirst`, before) each block.
    public let norm1: LayerNorm, norm2: LayerNorm
    let dropoutP: Double, normFirst: Bool, activation: (Tensor) -> Tensor

    /// One encoder layer: self-attention then a feed-forward block of width `dimFeedforward`.
    ///
    /// ```swift
    /// let layer = TransformerEncoderLayer(dModel: 64, nhead: 4)
    /// ```
    public init(
        dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, gelu useGELU: Bool = false,
        batchFirst: Bool = false, normFirst: Bool = false
    ) {
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
            dropout(
                selfAttn(h, h, h, keyPaddingMask: srcKeyPaddingMask, isCausal: isCausal).0, p: dropoutP,
                training: training)
        }
        func ff(_ h: Tensor) -> Tensor {
            dropout(
                linear2(dropout(activation(linear1(h)), p: dropoutP, training: training)), p: dropoutP,
                training: training)
        }
        if normFirst {
            let h = x + sa(norm1(x))
            return h + ff(norm2(h))
        }
        let h = norm1(x + sa(x))
        return norm2(h + ff(h))
    }

    /// The layer applied to the sequence `x` (no mask).
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
    /// The self-attention and the attention over the encoder's output.
    public let selfAttn: MultiheadAttention, multiheadAttn: MultiheadAttention
    /// The feed-forward block's two projections.
    public let linear1: Linear, linear2: Linear
    /// The layer norms of the three blocks.
    public let norm1: LayerNorm, norm2: LayerNorm, norm3: LayerNorm
    let dropoutP: Double, normFirst: Bool, activation: (Tensor) -> Tensor

    /// One decoder layer: self-attention, attention over `memory`, feed-forward.
    ///
    /// ```swift
    /// let layer = TransformerDecoderLayer(dModel: 64, nhead: 4)
    /// ```
    public init(
        dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, gelu useGELU: Bool = false,
        batchFirst: Bool = false, normFirst: Bool = false
    ) {
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
    public func decode(
        _ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
        tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil, tgtIsCausal: Bool = false
    ) -> Tensor {
        func sa(_ h: Tensor) -> Tensor {
            let a = selfAttn(h, h, h, keyPaddingMask: tgtKeyPaddingMask, attnMask: tgtMask, isCausal: tgtIsCausal).0
            return dropout(a, p: dropoutP, training: training)
        }
        func mha(_ h: Tensor) -> Tensor {
            let a = multiheadAttn(h, memory, memory, keyPaddingMask: memoryKeyPaddingMask, attnMask: memoryMask).0
            return dropout(a, p: dropoutP, training: training)
        }
        func ff(_ h: Tensor) -> Tensor {
            dropout(
                linear2(dropout(activation(linear1(h)), p: dropoutP, training: training)), p: dropoutP,
                training: training)
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
        torchFail(
            "TransformerDecoderLayer", "forward needs the encoder memory: call decode(tgt, memory:)", file: #fileID,
            line: #line)
    }
}
