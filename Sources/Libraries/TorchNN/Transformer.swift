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
    let config: TransformerLayerConfig

    public init(
        dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, gelu useGELU: Bool = false,
        layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false
    ) {
        config = TransformerLayerConfig(
            dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout, gelu: useGELU,
            layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst)
        linear1 = Linear(dModel, dimFeedforward)
        linear2 = Linear(dimFeedforward, dModel)
        norm1 = LayerNorm([dModel], eps: layerNormEps); norm2 = LayerNorm([dModel], eps: layerNormEps)
        dropoutP = dropout
        self.normFirst = normFirst
        activation = useGELU ? { $0.gelu() } : { $0.relu() }
        super.init()
        register("self_attn", selfAttn)
        register("linear1", linear1); register("linear2", linear2)
        register("norm1", norm1); register("norm2", norm2)
    }

    /// PyTorch's spelling, `TransformerEncoderLayer(512, 8, 2048, 0.1, activation: "gelu")`.
    public convenience init(
        _ dModel: Int, _ nhead: Int, _ dimFeedforward: Int = 2048, _ dropout: Double = 0.1,
        activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
        normFirst: Bool = false
    ) {
        self.init(
            dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
            gelu: activation == .gelu, layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
    }

    /// A new layer of the same configuration holding a copy of this one's parameters (what
    /// PyTorch's `TransformerEncoder` makes of the layer it is given).
    public func copy() -> TransformerEncoderLayer {
        let c = config
        let m = TransformerEncoderLayer(
            dModel: c.dModel, nhead: c.nhead, dimFeedforward: c.dimFeedforward, dropout: c.dropout, gelu: c.gelu,
            layerNormEps: c.layerNormEps, batchFirst: c.batchFirst, normFirst: c.normFirst)
        try! m.loadStateDict(stateDict().mapValues { $0.clone() })
        return m
    }

    /// The layer on `src` with PyTorch's masks (`src_mask` [S, S] or [N·H, S, S], bool or float;
    /// `src_key_padding_mask` [N, S]; `is_causal`), through the hooks.
    public func callAsFunction(
        _ src: Tensor, srcMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil, isCausal: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            src,
            calling: { [self] x in
                encode(x, srcMask: srcMask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: isCausal)
            }, file: file, line: line)
    }

    public override var extraRepr: String { "" }

    /// The layer on `x`, with optional masks.
    public func encode(
        _ x: Tensor, srcMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil, isCausal: Bool = false
    ) -> Tensor {
        func sa(_ h: Tensor) -> Tensor {
            dropout(
                selfAttn(
                    h, h, h, keyPaddingMask: srcKeyPaddingMask, needWeights: false, attnMask: srcMask,
                    isCausal: isCausal && srcMask == nil
                ).0, p: dropoutP, training: training)
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
    let config: TransformerLayerConfig

    public init(
        dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1, gelu useGELU: Bool = false,
        layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false
    ) {
        config = TransformerLayerConfig(
            dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout, gelu: useGELU,
            layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst)
        multiheadAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst)
        linear1 = Linear(dModel, dimFeedforward)
        linear2 = Linear(dimFeedforward, dModel)
        norm1 = LayerNorm([dModel], eps: layerNormEps); norm2 = LayerNorm([dModel], eps: layerNormEps)
        norm3 = LayerNorm([dModel], eps: layerNormEps)
        dropoutP = dropout
        self.normFirst = normFirst
        activation = useGELU ? { $0.gelu() } : { $0.relu() }
        super.init()
        register("self_attn", selfAttn)
        register("multihead_attn", multiheadAttn)
        register("linear1", linear1); register("linear2", linear2)
        register("norm1", norm1); register("norm2", norm2); register("norm3", norm3)
    }

    /// PyTorch's spelling, `TransformerDecoderLayer(512, 8, 2048, 0.1)`.
    public convenience init(
        _ dModel: Int, _ nhead: Int, _ dimFeedforward: Int = 2048, _ dropout: Double = 0.1,
        activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
        normFirst: Bool = false
    ) {
        self.init(
            dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
            gelu: activation == .gelu, layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
    }

    /// A new layer of the same configuration holding a copy of this one's parameters.
    public func copy() -> TransformerDecoderLayer {
        let c = config
        let m = TransformerDecoderLayer(
            dModel: c.dModel, nhead: c.nhead, dimFeedforward: c.dimFeedforward, dropout: c.dropout, gelu: c.gelu,
            layerNormEps: c.layerNormEps, batchFirst: c.batchFirst, normFirst: c.normFirst)
        try! m.loadStateDict(stateDict().mapValues { $0.clone() })
        return m
    }

    /// The layer on `tgt` attending to `memory`, with PyTorch's masks, through the hooks.
    public func callAsFunction(
        _ tgt: Tensor, _ memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
        tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil, tgtIsCausal: Bool = false,
        memoryIsCausal: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            tgt, memory,
            calling: { [self] t, m in
                decode(
                    t, memory: m, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                    memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal, memoryIsCausal: memoryIsCausal
                )
            }, file: file, line: line)
    }

    /// The layer on target `tgt` attending to `memory`, with optional masks.
    public func decode(
        _ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
        tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil, tgtIsCausal: Bool = false,
        memoryIsCausal: Bool = false
    ) -> Tensor {
        func sa(_ h: Tensor) -> Tensor {
            let a = selfAttn(
                h, h, h, keyPaddingMask: tgtKeyPaddingMask, needWeights: false, attnMask: tgtMask,
                isCausal: tgtIsCausal && tgtMask == nil
            ).0
            return dropout(a, p: dropoutP, training: training)
        }
        func mha(_ h: Tensor) -> Tensor {
            let a = multiheadAttn(
                h, memory, memory, keyPaddingMask: memoryKeyPaddingMask, needWeights: false, attnMask: memoryMask,
                isCausal: memoryIsCausal && memoryMask == nil
            ).0
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

/// The feed-forward activation of the Transformer layers (PyTorch's `activation="relu"|"gelu"`).
public enum TransformerActivation: String, Sendable {
    case relu, gelu
}

/// A Transformer layer's constructor arguments, kept to make copies of it.
struct TransformerLayerConfig {
    let dModel: Int, nhead: Int, dimFeedforward: Int, dropout: Double, gelu: Bool, layerNormEps: Double
    let batchFirst: Bool, normFirst: Bool
}

/// A stack of `numLayers` copies of an encoder layer and an optional final norm
/// (`torch.nn.TransformerEncoder`; every copy starts from the given layer's parameters, as
/// PyTorch's deep copies do).
///
/// ```swift
/// let encoder = TransformerEncoder(TransformerEncoderLayer(512, 8), numLayers: 6)
/// let y = encoder(src, mask: Transformer.generateSquareSubsequentMask(src.shape[0]))
/// ```
public final class TransformerEncoder: Module {
    /// The layers, `layers.0`…
    public let layers: ModuleList
    /// The final layer norm, if any.
    public let norm: Module?

    /// `numLayers` copies of `encoderLayer`, then `norm`.
    public init(_ encoderLayer: TransformerEncoderLayer, numLayers: Int, norm: Module? = nil) {
        layers = ModuleList((0..<numLayers).map { _ in encoderLayer.copy() })
        self.norm = norm
        super.init()
        register("layers", layers)
        if let norm { register("norm", norm) }
    }

    /// The stack on `src` with the same masks for every layer, through the hooks.
    public func callAsFunction(
        _ src: Tensor, mask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil, isCausal: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            src,
            calling: { [self] x in
                var h = x
                for layer in layers {
                    h = (layer as! TransformerEncoderLayer).encode(
                        h, srcMask: mask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: isCausal)
                }
                return norm.map { $0(h) } ?? h
            }, file: file, line: line)
    }

    /// The stack without masks.
    public override func forward(_ x: Tensor) -> Tensor { self(x) }
}

/// A stack of `numLayers` copies of a decoder layer and an optional final norm
/// (`torch.nn.TransformerDecoder`).
public final class TransformerDecoder: Module, Forward2 {
    /// The layers, `layers.0`…
    public let layers: ModuleList
    /// The final layer norm, if any.
    public let norm: Module?

    /// `numLayers` copies of `decoderLayer`, then `norm`.
    public init(_ decoderLayer: TransformerDecoderLayer, numLayers: Int, norm: Module? = nil) {
        layers = ModuleList((0..<numLayers).map { _ in decoderLayer.copy() })
        self.norm = norm
        super.init()
        register("layers", layers)
        if let norm { register("norm", norm) }
    }

    /// The stack on `tgt` attending to `memory`, with the same masks for every layer.
    public func callAsFunction(
        _ tgt: Tensor, _ memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
        tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil, tgtIsCausal: Bool = false,
        memoryIsCausal: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        withHooks(
            tgt, memory,
            calling: { [self] t, m in
                var h = t
                for layer in layers {
                    h = (layer as! TransformerDecoderLayer).decode(
                        h, memory: m, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                        memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal,
                        memoryIsCausal: memoryIsCausal)
                }
                return norm.map { $0(h) } ?? h
            }, file: file, line: line)
    }

    /// The stack on `tgt` attending to `memory`, without masks.
    public func forward(_ tgt: Tensor, _ memory: Tensor) -> Tensor { self(tgt, memory) }
}

/// The encoder–decoder Transformer of "Attention Is All You Need" (`torch.nn.Transformer`):
/// `numEncoderLayers` encoder and `numDecoderLayers` decoder layers, each stack ending in a
/// LayerNorm, parameters of rank > 1 Xavier-uniform initialised, as PyTorch's.
///
/// ```swift
/// let model = Transformer(dModel: 512, nhead: 8, batchFirst: true)
/// let out = model(src, tgt, tgtMask: Transformer.generateSquareSubsequentMask(tgt.shape[1]))
/// ```
public final class Transformer: Module, Forward2 {
    /// The encoder and decoder stacks.
    public let encoder: TransformerEncoder, decoder: TransformerDecoder
    /// The model width and the number of heads.
    public let dModel: Int, nhead: Int
    /// Whether inputs are [batch, sequence, feature].
    public let batchFirst: Bool

    /// A Transformer with PyTorch's defaults.
    public init(
        dModel: Int = 512, nhead: Int = 8, numEncoderLayers: Int = 6, numDecoderLayers: Int = 6,
        dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
        layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false
    ) {
        let gelu = activation == .gelu
        let enc = TransformerEncoderLayer(
            dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout, gelu: gelu,
            layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
        encoder = TransformerEncoder(
            enc, numLayers: numEncoderLayers, norm: LayerNorm([dModel], eps: layerNormEps))
        let dec = TransformerDecoderLayer(
            dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout, gelu: gelu,
            layerNormEps: layerNormEps, batchFirst: batchFirst, normFirst: normFirst)
        decoder = TransformerDecoder(
            dec, numLayers: numDecoderLayers, norm: LayerNorm([dModel], eps: layerNormEps))
        (self.dModel, self.nhead, self.batchFirst) = (dModel, nhead, batchFirst)
        super.init()
        register("encoder", encoder)
        register("decoder", decoder)
        for p in parameters() where p.rank > 1 { Init.xavierUniform_(p) }
    }

    /// The decoder's output for `tgt` attending to the encoded `src`, with PyTorch's masks.
    public func callAsFunction(
        _ src: Tensor, _ tgt: Tensor, srcMask: Tensor? = nil, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
        srcKeyPaddingMask: Tensor? = nil, tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
        srcIsCausal: Bool = false, tgtIsCausal: Bool = false, memoryIsCausal: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let batchDim = batchFirst ? 0 : 1
        if src.rank == 3 && tgt.rank == 3 && src.shape[batchDim] != tgt.shape[batchDim] {
            torchFail("Transformer", "the batch number of src and tgt must be equal", file: file, line: line)
        }
        if src.shape.last != dModel || tgt.shape.last != dModel {
            torchFail(
                "Transformer", "the feature number of src and tgt must be equal to d_model", file: file, line: line)
        }
        return withHooks(
            src, tgt,
            calling: { [self] s, t in
                let memory = encoder(s, mask: srcMask, srcKeyPaddingMask: srcKeyPaddingMask, isCausal: srcIsCausal)
                return decoder(
                    t, memory, tgtMask: tgtMask, memoryMask: memoryMask, tgtKeyPaddingMask: tgtKeyPaddingMask,
                    memoryKeyPaddingMask: memoryKeyPaddingMask, tgtIsCausal: tgtIsCausal, memoryIsCausal: memoryIsCausal
                )
            }, file: file, line: line)
    }

    /// The Transformer without masks.
    public func forward(_ src: Tensor, _ tgt: Tensor) -> Tensor { self(src, tgt) }

    /// The causal mask of PyTorch's `generate_square_subsequent_mask`: [sz, sz], 0 on and below the
    /// diagonal and -inf above.
    public static func generateSquareSubsequentMask(_ sz: Int, dtype: DType = .float32) -> Tensor {
        Tensor.full([sz, sz], -Double.infinity, dtype: dtype).triu(1)
    }
}
