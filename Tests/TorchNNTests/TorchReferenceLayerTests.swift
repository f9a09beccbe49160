import XCTest
@testable import Torch
import TorchBase
import TorchNN
import TorchTestSupport

/// Layers and losses against PyTorch (`Fixtures/torch_nn.json`, written by
/// `Fixtures/generate_torch_nn.py` under PyTorch): each module is converted to float64, loads
/// PyTorch's state dict strictly (so parameter and buffer names match PyTorch's), and must give
/// PyTorch's outputs, input and parameter gradients, and buffers after the call.
final class TorchReferenceLayerTests: XCTestCase {
    typealias Forward = (Module?, [String: Tensor]) -> [Tensor]

    /// The SwiftTorch spelling of every fixture case: a module (or nil) and how to call it.
    static func make(_ name: String) -> (Module?, Forward)? {
        let call: Forward = { m, x in [m!(x["x"]!)] }
        func act(_ f: @escaping (Tensor) -> Tensor) -> (Module?, Forward) { (nil, { _, x in [f(x["x"]!)] }) }
        func loss(_ f: @escaping ([String: Tensor]) -> Tensor) -> (Module?, Forward) { (nil, { _, x in [f(x)] }) }
        switch name {
        case "linear": return (Linear(5, 3), call)
        case "linear_nobias_3d": return (Linear(5, 3, bias: false), call)
        case "bilinear": return (Bilinear(3, 4, 2), { m, x in [(m as! Bilinear)(x["x1"]!, x["x2"]!)] })
        case "conv1d": return (Conv1d(4, 6, kernelSize: 3, stride: 2, padding: 1, dilation: 2, groups: 2), call)
        case "conv2d": return (Conv2d(3, 4, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0]), call)
        case "conv2d_same": return (Conv2d(2, 3, kernelSize: [4, 3], padding: .same, dilation: 2), call)
        case "conv2d_depthwise": return (Conv2d(4, 4, kernelSize: 3, groups: 4, bias: false), call)
        case "conv2d_unbatched": return (Conv2d(2, 3, kernelSize: 2), call)
        case "conv3d": return (Conv3d(2, 3, kernelSize: [2, 3, 2], stride: [1, 2, 1], padding: [1, 0, 1]), call)
        case "conv_transpose1d":
            return (ConvTranspose1d(4, 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1), call)
        case "conv_transpose2d":
            return (
                ConvTranspose2d(
                    4, 4, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0], outputPadding: [1, 0],
                    groups: 2, dilation: [1, 2]), call
            )
        case "max_pool1d": return (MaxPool1d(3, stride: 2, padding: 1, ceilMode: true), call)
        case "max_pool2d": return (MaxPool2d(3, stride: 2, padding: 1, dilation: 2), call)
        case "avg_pool1d": return (AvgPool1d(4, stride: 3, padding: 2, ceilMode: true, countIncludePad: false), call)
        case "avg_pool2d": return (AvgPool2d(3, stride: 2, padding: 1, ceilMode: true), call)
        case "avg_pool2d_plain": return (AvgPool2d(2), call)
        case "adaptive_avg_pool1d": return (AdaptiveAvgPool1d(4), call)
        case "adaptive_avg_pool2d": return (AdaptiveAvgPool2d(3, 4), call)
        case "adaptive_avg_pool2d_even": return (AdaptiveAvgPool2d(2, 3), call)
        case "adaptive_max_pool1d": return (AdaptiveMaxPool1d(4), call)
        case "adaptive_max_pool2d": return (AdaptiveMaxPool2d(3, 5), call)
        case "layer_norm": return (LayerNorm([4, 5]), call)
        case "group_norm": return (GroupNorm(2, 4), call)
        case "rms_norm": return (RMSNorm([5]), call)
        case "batch_norm2d_train": return (BatchNorm2d(3), call)
        case "batch_norm2d_eval": return (BatchNorm2d(3).eval(), call)
        case "batch_norm1d_3d": return (BatchNorm1d(3, momentum: nil), call)
        case "embedding": return (Embedding(10, 4, paddingIdx: 2), { m, x in [m!(x["idx"]!)] })
        case "act_relu": return act { relu($0) }
        case "act_leaky_relu": return act { leakyRelu($0, negativeSlope: 0.2) }
        case "act_elu": return act { elu($0, alpha: 0.7) }
        case "act_gelu": return act { gelu($0) }
        case "act_gelu_tanh": return act { gelu($0, approximate: .tanh) }
        case "act_silu": return act { silu($0) }
        case "act_mish": return act { mish($0) }
        case "act_tanh": return act { $0.tanh() }
        case "act_sigmoid": return act { $0.sigmoid() }
        case "act_softmax": return act { softmax($0, dim: 1) }
        case "act_log_softmax": return act { logSoftmax($0, dim: 0) }
        case "act_softplus": return act { softplus($0, beta: 2, threshold: 3) }
        case "act_hardtanh": return act { hardtanh($0, minVal: -0.5, maxVal: 1.5) }
        case "rnn_bidirectional":
            return (
                RNN(3, 4, numLayers: 2, batchFirst: true, bidirectional: true),
                { m, x in
                    let r = (m as! Recurrent)(x["x"]!, h0: nil)
                    return [r.output, r.h]
                }
            )
        case "lstm_two_layers":
            return (
                LSTM(3, 4, numLayers: 2),
                { m, x in
                    let r = (m as! Recurrent)(x["x"]!, h0: x["h0"]!, c0: x["c0"]!)
                    return [r.output, r.h, r.c!]
                }
            )
        case "lstm_bidirectional":
            return (
                LSTM(3, 4, numLayers: 2, batchFirst: true, bidirectional: true),
                { m, x in
                    let r = (m as! Recurrent)(x["x"]!, h0: nil)
                    return [r.output, r.h, r.c!]
                }
            )
        case "gru":
            return (
                GRU(3, 4, batchFirst: true),
                { m, x in
                    let r = (m as! Recurrent)(x["x"]!, h0: nil)
                    return [r.output, r.h]
                }
            )
        case "rnn_cell_tanh":
            return (RNNCell(3, 4), { m, x in [(m as! RNNCell)(x["x"]!, x["h"]!)] })
        case "rnn_cell_relu_nobias":
            return (RNNCell(3, 4, bias: false, nonlinearity: .relu), { m, x in [(m as! RNNCell)(x["x"]!)] })
        case "lstm_cell":
            return (
                LSTMCell(3, 4),
                { m, x in
                    let r = (m as! LSTMCell)(x["x"]!, (x["h"]!, x["c"]!))
                    return [r.h, r.c]
                }
            )
        case "lstm_cell_two_steps_unbatched":
            return (
                LSTMCell(3, 4),
                { m, x in
                    let cell = m as! LSTMCell
                    let r = cell(x["x2"]!, cell(x["x1"]!))
                    return [r.h, r.c]
                }
            )
        case "gru_cell": return (GRUCell(3, 4), { m, x in [(m as! GRUCell)(x["x"]!, x["h"]!)] })
        case "gru_cell_nobias_unbatched": return (GRUCell(3, 4, bias: false), { m, x in [(m as! GRUCell)(x["x"]!)] })
        case "multihead_attention":
            return (
                MultiheadAttention(embedDim: 8, numHeads: 2, batchFirst: true),
                { m, x in
                    let (out, weights) = (m as! MultiheadAttention)(
                        x["q"]!, x["k"]!, x["v"]!, keyPaddingMask: x["mask"]!.to(.bool))
                    return [out, weights!]
                }
            )
        case "transformer_encoder_layer":
            return (
                TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true), call
            )
        case "transformer_encoder_layer_norm_first_gelu":
            return (
                TransformerEncoderLayer(
                    dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, gelu: true, batchFirst: true,
                    normFirst: true), call
            )
        case "transformer_decoder_layer":
            return (
                TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true),
                { m, x in
                    [
                        (m as! TransformerDecoderLayer).decode(
                            x["x"]!, memory: x["mem"]!, memoryKeyPaddingMask: x["mpad"]!.to(.bool), tgtIsCausal: true)
                    ]
                }
            )
        case "transformer_decoder_layer_norm_first_gelu":
            return (
                TransformerDecoderLayer(
                    dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, gelu: true, batchFirst: true, normFirst: true),
                { m, x in [(m as! TransformerDecoderLayer).decode(x["x"]!, memory: x["mem"]!)] }
            )
        case "scaled_dot_product_attention_causal":
            return (nil, { _, x in [scaledDotProductAttention(x["q"]!, x["k"]!, x["v"]!, isCausal: true)] })
        case "cross_entropy_options":
            return loss { crossEntropy($0["x"]!, $0["y"]!, weight: $0["w"]!, ignoreIndex: -1, labelSmoothing: 0.1) }
        case "cross_entropy_probabilities": return loss { crossEntropy($0["x"]!, probabilities: $0["p"]!) }
        case "cross_entropy_sum": return loss { crossEntropy($0["x"]!, $0["y"]!, reduction: .sum) }
        case "nll_loss": return loss { nllLoss($0["x"]!, $0["y"]!) }
        case "mse_loss": return loss { mseLoss($0["a"]!, $0["b"]!) }
        case "l1_loss": return loss { l1Loss($0["a"]!, $0["b"]!, reduction: .sum) }
        case "smooth_l1_loss": return loss { smoothL1Loss($0["a"]!, $0["b"]!, beta: 0.5) }
        case "huber_loss": return loss { huberLoss($0["a"]!, $0["b"]!, delta: 0.7) }
        case "binary_cross_entropy": return loss { binaryCrossEntropy($0["p"]!, $0["t"]!) }
        case "binary_cross_entropy_with_logits":
            return loss { binaryCrossEntropyWithLogits($0["x"]!, $0["t"]!, posWeight: $0["pw"]!) }
        case "kl_div_batchmean": return loss { klDiv($0["x"]!, $0["t"]!, reduction: .batchmean) }
        case "kl_div_log_target": return loss { klDiv($0["x"]!, $0["t"]!, reduction: .sum, logTarget: true) }
        case "cosine_embedding_loss": return loss { cosineEmbeddingLoss($0["a"]!, $0["b"]!, $0["y"]!, margin: 0.1) }
        case "margin_ranking_loss": return loss { marginRankingLoss($0["a"]!, $0["b"]!, $0["y"]!, margin: 0.2) }
        case "transformer_encoder":
            let layer = TransformerEncoderLayer(8, 2, 16, 0.0, batchFirst: true)
            return (
                TransformerEncoder(layer, numLayers: 2, norm: LayerNorm([8])),
                { m, x in
                    [
                        (m as! TransformerEncoder)(
                            x["x"]!, mask: Transformer.generateSquareSubsequentMask(5, dtype: .float64),
                            srcKeyPaddingMask: x["pad"]!.to(.bool))
                    ]
                }
            )
        case "transformer":
            return (
                Transformer(
                    dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0,
                    batchFirst: true),
                { m, x in
                    let pad = x["pad"]!.to(.bool)
                    return [
                        (m as! Transformer)(
                            x["src"]!, x["tgt"]!, tgtMask: Transformer.generateSquareSubsequentMask(3, dtype: .float64),
                            srcKeyPaddingMask: pad, memoryKeyPaddingMask: pad)
                    ]
                }
            )
        case "multihead_attention_per_head_bool_mask":
            return (
                MultiheadAttention(embedDim: 8, numHeads: 2),
                { m, x in
                    let (out, weights) = (m as! MultiheadAttention)(
                        x["q"]!, x["k"]!, x["v"]!, attnMask: x["mask"]!.to(.bool), averageAttnWeights: false)
                    return [out, weights!]
                }
            )
        case "lstm_packed":
            return (
                LSTM(3, 4, numLayers: 2, batchFirst: true, bidirectional: true),
                { m, x in
                    let packed = packPaddedSequence(
                        x["x"]!, lengths: [3, 5, 2], batchFirst: true, enforceSorted: false)
                    let (out, (h, c)) = (m as! LSTM)(packed)
                    return [padPackedSequence(out, batchFirst: true).0, h, c]
                }
            )
        case "gru_packed":
            return (
                GRU(3, 4, bidirectional: true),
                { m, x in
                    let packed = packPaddedSequence(x["x"]!, lengths: [2, 4, 1], enforceSorted: false)
                    let (out, h) = (m as! GRU)(packed)
                    return [padPackedSequence(out).0, h]
                }
            )
        case "lstm_unbatched_with_state":
            return (
                LSTM(3, 4, numLayers: 2),
                { m, x in
                    let (out, (h, c)) = (m as! LSTM)(x["x"]!, (x["h"]!, x["c"]!))
                    return [out, h, c]
                }
            )
        case "embedding_max_norm": return (Embedding(10, 3, maxNorm: 1.0), call)
        case "embedding_max_norm_p1": return (Embedding(6, 4, maxNorm: 0.5, normType: 1), call)
        case "lstm_proj":
            return (
                LSTM(3, 5, numLayers: 2, batchFirst: true, bidirectional: true, projSize: 2),
                { m, x in
                    let (out, (h, c)) = (m as! LSTM)(x["x"]!, nil)
                    return [out, h, c]
                }
            )
        case "lstm_proj_packed":
            return (
                LSTM(3, 4, projSize: 3),
                { m, x in
                    let packed = packPaddedSequence(x["x"]!, lengths: [4, 2, 3], enforceSorted: false)
                    let (out, (h, c)) = (m as! LSTM)(packed)
                    return [padPackedSequence(out).0, h, c]
                }
            )
        case "linear_weight_norm": return (weightNorm(Linear(5, 3)), call)
        case "conv2d_weight_norm_whole": return (weightNorm(Conv2d(2, 3, 3), dim: nil), call)
        case "conv_transpose2d_weight_norm_dim1":
            return (weightNorm(ConvTranspose2d(3, 4, kernelSize: 2, stride: 2), dim: 1), call)
        case "conv1d_weight_norm_last": return (weightNorm(Conv1d(2, 3, kernelSize: 4), dim: 2), call)
        case "embedding_weight_norm_dim1": return (weightNorm(Embedding(6, 3), dim: 1), { m, x in [m!(x["idx"]!)] })
        case "lstm_weight_norm_hh":
            return (
                weightNorm(LSTM(3, 4), name: "weight_hh_l0"),
                { m, x in
                    let (out, (h, c)) = (m as! LSTM)(x["x"]!, nil)
                    return [out, h, c]
                }
            )
        case "linear_spectral_norm_train": return (spectralNorm(Linear(5, 4)), call)
        case "conv2d_spectral_norm_eval": return (spectralNorm(Conv2d(3, 4, 3), nPowerIterations: 2).eval(), call)
        case "conv_transpose2d_spectral_norm":
            return (spectralNorm(ConvTranspose2d(4, 3, kernelSize: 3), nPowerIterations: 3), call)
        case "gru_cell_spectral_norm_ih":
            return (spectralNorm(GRUCell(3, 4), name: "weight_ih"), { m, x in [(m as! GRUCell)(x["x"]!, x["h"]!)] })
        case "linear_weight_and_spectral_norm": return (spectralNorm(weightNorm(Linear(4, 3))), call)
        case "prelu_spectral_norm_vector": return (spectralNorm(PReLU(numParameters: 3, initValue: 0.3)), call)
        default: return nil
        }
    }

    func testLayersAndLossesMatchPyTorch() throws {
        let cases = Fixtures.load("torch_nn.json")
        XCTAssertGreaterThanOrEqual(cases.count, 65)
        for c in cases {
            let name = c["name"] as! String
            guard let (module, forward) = TorchReferenceLayerTests.make(name) else {
                XCTFail("\(name): no SwiftTorch spelling for this fixture case")
                continue
            }
            let grads = c["grads"] as! [String: [String: Any]]
            var params: [String: Tensor] = [:]
            for (k, v) in c["params"] as! [String: [String: Any]] { params[k] = Fixtures.tensor(v) }
            if let module {
                module.to(dtype: .float64)
                do {
                    _ = try module.loadStateDict(params, strict: true)
                } catch {
                    XCTFail("\(name): loading PyTorch's state dict: \(error)")
                    continue
                }
            }
            var inputs: [String: Tensor] = [:]
            for (k, v) in c["inputs"] as! [String: [String: Any]] {
                let t = Fixtures.tensor(v)
                inputs[k] = grads[k] != nil ? t.requiresGrad_() : t
            }
            let outs = forward(module, inputs)
            let expected = (c["outputs"] as! [[String: Any]]).map(Fixtures.tensor)
            let upstream = (c["upstream"] as! [[String: Any]]).map(Fixtures.tensor)
            XCTAssertEqual(outs.count, expected.count, "\(name): number of outputs")
            for (i, (o, e)) in zip(outs, expected).enumerated() {
                assertMatches(o.to(.float64), e, "\(name) output \(i)", rtol: 1e-9, atol: 1e-10)
            }
            let terms = zip(outs, upstream).filter { $0.0.requiresGrad }.map { ($0.0 * $0.1).sum() }
            if let first = terms.first {
                terms.dropFirst().reduce(first, +).backward()
            }
            let named = Dictionary(uniqueKeysWithValues: module?.namedParameters() ?? [])
            for (k, v) in grads {
                let expectedGrad = Fixtures.tensor(v)
                guard let t = inputs[k] ?? named[k] else { XCTFail("\(name): no tensor named \(k)"); continue }
                guard let g = t.grad else { XCTFail("\(name): no gradient for \(k)"); continue }
                assertMatches(g, expectedGrad, "\(name) grad \(k)", rtol: 1e-8, atol: 1e-10)
            }
            if let module, let after = c["buffers_after"] as? [String: [String: Any]] {
                let buffers = Dictionary(uniqueKeysWithValues: module.namedBuffers())
                for (k, v) in after {
                    guard let b = buffers[k] else { XCTFail("\(name): no buffer \(k)"); continue }
                    let e = Fixtures.tensor(v)
                    assertMatches(
                        b.dtype == e.dtype ? b : b.to(e.dtype), e, "\(name) buffer \(k)", rtol: 1e-9, atol: 1e-12)
                }
            }
        }
    }
}
