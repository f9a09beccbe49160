import XCTest
import Foundation
@testable import Torch
import TorchBase
@testable import TorchNN
import TorchOptim
import TorchTestSupport

final class LayersTests: XCTestCase {
    func testActivations() {
        let x = Tensor([-2.0, -0.5, 0.0, 1.5], dtype: .float64)
        XCTAssertEqual(leakyRelu(x, negativeSlope: 0.1).scalars, [-0.2, -0.05, 0, 1.5])
        XCTAssertEqual(elu(x).scalars[0], Foundation.exp(-2.0) - 1, accuracy: 1e-12)
        XCTAssertEqual(
            mish(x).scalars[3], 1.5 * Foundation.tanh(Foundation.log1p(Foundation.exp(1.5))), accuracy: 1e-12)
        XCTAssertEqual(hardtanh(x).scalars, [-1, -0.5, 0, 1])
        XCTAssertEqual(softplus(x, beta: 2).scalars[3], Foundation.log1p(Foundation.exp(3.0)) / 2, accuracy: 1e-12)
        XCTAssertEqual(
            Sequential(LeakyReLU(), Tanh(), Identity())(x).scalars[0], Foundation.tanh(-0.02), accuracy: 1e-12)
        let leaf = Tensor([-1.3, 0.7, 2.2], dtype: .float64).requiresGrad_()
        for f in [{ leakyRelu($0) }, { elu($0) }, { mish($0) }, { softplus($0, beta: 2) }] as [(Tensor) -> Tensor] {
            XCTAssertTrue(Torch.gradcheck({ f($0[0]) }, [leaf]).passed)
        }
    }

    func testActivationModulesMatchTheirFunctions() {
        let x = Tensor([[-4.0, -1.0, 0.0, 0.5, 2.0, 7.0]], dtype: .float64)
        let pairs: [(Module, (Tensor) -> Tensor)] = [
            (SELU(), { selu($0) }), (CELU(alpha: 2), { celu($0, alpha: 2) }), (ReLU6(), { relu6($0) }),
            (Hardswish(), { hardswish($0) }), (Hardsigmoid(), { hardsigmoid($0) }), (LogSigmoid(), { logsigmoid($0) }),
            (Softsign(), { softsign($0) }), (Tanhshrink(), { tanhshrink($0) }),
            (Hardshrink(lambd: 1), { hardshrink($0, lambd: 1) }), (Softshrink(lambd: 1), { softshrink($0, lambd: 1) }),
            (Threshold(0.5, -3), { threshold($0, 0.5, -3) }), (GLU(dim: 1), { glu($0, dim: 1) }),
            (Softmin(dim: 1), { softmin($0, dim: 1) }),
        ]
        for (m, f) in pairs { assertMatches(m(x), f(x), "\(type(of: m))") }
        assertMatches(relu6(x), Tensor([[0.0, 0.0, 0.0, 0.5, 2.0, 6.0]], dtype: .float64), "relu6 values")
        assertMatches(
            hardswish(Tensor([-3.0, 0.0, 1.0, 3.0])), Tensor([0.0, 0.0, 2.0 / 3.0, 3.0]), "hardswish values")
        // PReLU's slope is a trained parameter, one per channel.
        let prelu = PReLU(numParameters: 2, dtype: .float64)
        XCTAssertEqual(prelu.parameters().count, 1)
        let y = prelu(Tensor([[-2.0, -4.0], [1.0, 3.0]], dtype: .float64))
        assertMatches(y, Tensor([[-0.5, -1.0], [1.0, 3.0]], dtype: .float64), "prelu")
        y.sum().backward()
        assertMatches(prelu.weight.grad!, Tensor([-2.0, -4.0], dtype: .float64), "prelu weight grad")
        XCTAssertEqual(Softmax2d()(Tensor.zeros([2, 3, 1, 1])).sum().item(), 2, accuracy: 1e-6)
    }

    func testLossModulesMatchTheirFunctions() {
        let x = Tensor([[0.2, -1.0, 3.0], [1.5, 0.0, -0.5]], dtype: .float64)
        let y = Tensor([[0.0, 1.0, 2.0], [1.0, 1.0, 0.0]], dtype: .float64)
        assertMatches(MSELoss()(x, y), mseLoss(x, y), "MSELoss")
        assertMatches(L1Loss(reduction: .sum)(x, y), l1Loss(x, y, reduction: .sum), "L1Loss")
        assertMatches(SmoothL1Loss(beta: 0.5)(x, y), smoothL1Loss(x, y, beta: 0.5), "SmoothL1Loss")
        assertMatches(HuberLoss(delta: 2)(x, y), huberLoss(x, y, delta: 2), "HuberLoss")
        let p = x.sigmoid(), t = (y .> 0.5).to(.float64)
        assertMatches(BCELoss()(p, t), binaryCrossEntropy(p, t), "BCELoss")
        assertMatches(BCEWithLogitsLoss()(x, t), binaryCrossEntropyWithLogits(x, t), "BCEWithLogitsLoss")
        let classes = Tensor([2, 0])
        assertMatches(
            CrossEntropyLoss(labelSmoothing: 0.1)(x, classes),
            crossEntropy(x, classes, weight: nil, labelSmoothing: 0.1), "CrossEntropyLoss")
        let logp = x.logSoftmax(dim: 1)
        assertMatches(NLLLoss(ignoreIndex: 0)(logp, classes), nllLoss(logp, classes, ignoreIndex: 0), "NLLLoss")
        assertMatches(
            KLDivLoss(reduction: .batchmean)(logp, y.softmax(dim: 1)),
            klDiv(logp, y.softmax(dim: 1), reduction: .batchmean), "KLDivLoss")
    }

    func testTensorConveniencesAndParameterVectors() {
        let x = Tensor.ones([2, 3], dtype: .float64)
        XCTAssertEqual(x.newZeros([4]).dtype, .float64)
        XCTAssertEqual(x.newFull([2], 7).toArray(Double.self), [7, 7])
        XCTAssertEqual(x.newTensor([1, 2]).dtype, .float64)
        XCTAssertEqual(Tensor.randnLike(x).shape, [2, 3])
        XCTAssertEqual(Tensor.arange(0, 6).viewAs(x).shape, [2, 3])
        XCTAssertEqual(Tensor([1, 2]).typeAs(x).dtype, .float64)
        let model = Sequential(Linear(3, 2), Linear(2, 1))
        let v = parametersToVector(model.parameters())
        XCTAssertEqual(v.shape, [3 * 2 + 2 + 2 + 1])
        vectorToParameters(v * 2.0, model.parameters())
        assertMatches(parametersToVector(model.parameters()), v * 2.0, "vectorToParameters")
        let w = model.parameters()[0]
        w.grad = Tensor.full(w.shape, 5.0, dtype: w.dtype)
        clipGradValue_([w], clipValue: 0.5)
        XCTAssertEqual(w.grad!.amax().item(), 0.5)
    }

    /// Unfold/Fold are their functions; with non-overlapping blocks fold undoes unfold, and with
    /// overlapping ones it sums each pixel once per block that covers it.
    func testFoldAndUnfold() {
        let x = Tensor.randn([2, 3, 4, 6], dtype: .float64)
        let cols = Unfold(kernelSize: 2, stride: 2)(x)
        XCTAssertEqual(cols.shape, [2, 12, 6])
        XCTAssertEqual(cols.scalars, unfold(x, kernelSize: 2, stride: 2).scalars)
        XCTAssertEqual(Fold(outputSize: [4, 6], kernelSize: 2, stride: 2)(cols).scalars, x.scalars)
        let ones = Tensor.ones([1, 1, 3, 3], dtype: .float64)
        let covered = fold(unfold(ones, kernelSize: 2), outputSize: [3, 3], kernelSize: 2)
        XCTAssertEqual(covered.scalars, [1, 2, 1, 2, 4, 2, 1, 2, 1])
    }

    /// EmbeddingBag is its function over its table; 2-D input bags are the rows.
    func testEmbeddingBagModule() {
        let bag = EmbeddingBag(6, 3, mode: .sum, paddingIdx: 0)
        let x = Tensor([1, 2, 0, 5, 4, 3])
        let y = bag(x, offsets: Tensor([0, 2]))
        XCTAssertEqual(y.shape, [2, 3])
        let rows = bag.weight.indexSelect(0, Tensor([1, 2])).sum(dim: 0)
        XCTAssertEqual(y[0].scalars, rows.scalars)
        XCTAssertEqual(bag(x.reshape([2, 3])).scalars, y.scalars)
        XCTAssertEqual(bag.weight[0].scalars, [0, 0, 0])
    }

    func testRearrangementAndSimilarityModules() {
        let x = Tensor.arange(0, 32).to(.float64).reshape([1, 8, 2, 2])
        let up = PixelShuffle(2)(x)
        XCTAssertEqual(up.shape, [1, 2, 4, 4])
        assertMatches(PixelUnshuffle(2)(up), x, "unshuffle inverts shuffle")
        let a = Tensor([[1.0, 0.0], [0.0, 2.0]], dtype: .float64),
            b = Tensor([[1.0, 1.0], [0.0, 3.0]], dtype: .float64)
        assertMatches(CosineSimilarity()(a, b), cosineSimilarity(a, b), "CosineSimilarity")
        assertMatches(PairwiseDistance(p: 1)(a, b), pairwiseDistance(a, b, p: 1), "PairwiseDistance")
        XCTAssertEqual(oneHot(Tensor([2, 0])).toArray(Int.self), [0, 0, 1, 1, 0, 0])
    }

    func testUpsampleMatchesInterpolate() {
        let x = Tensor.arange(0, 6).to(.float64).reshape([1, 1, 2, 3])
        let up = Upsample(scaleFactor: [2], mode: .nearest)(x)
        XCTAssertEqual(up.shape, [1, 1, 4, 6])
        assertMatches(up, interpolate(x, scaleFactor: [2, 2]), "Upsample nearest")
        let bl = interpolate(x, size: [3, 5], mode: .bilinear, alignCorners: true)
        // align_corners keeps the corners: the four corner values are the input's.
        XCTAssertEqual(bl[0, 0, 0, 0].item(), 0)
        XCTAssertEqual(bl[0, 0, 2, 4].item(), 5)
        XCTAssertEqual(bl[0, 0, 1, 2].item(), 2.5, accuracy: 1e-12)
    }

    func testInstanceNormModulesAndFlattenRange() {
        let x = Tensor.randn([2, 3, 4, 5], dtype: .float64)
        let norm = InstanceNorm2d(3, affine: true, dtype: .float64)
        XCTAssertEqual(norm.parameters().count, 2)
        let y = norm(x)
        // Each (sample, channel) has mean 0 and (biased) variance 1 - eps-ish.
        XCTAssertLessThan(y.mean(dims: [2, 3]).abs().amax().item(), 1e-12)
        XCTAssertEqual(y.variance(dims: [2, 3], correction: 0).mean().item(), 1, accuracy: 1e-4)
        XCTAssertEqual(InstanceNorm2d(3)(x[0]).shape, [3, 4, 5], "unbatched input")
        XCTAssertEqual(Flatten(1, 2)(x).shape, [2, 12, 5])
    }

    func testPoolingAndNorms() {
        let x = Tensor.arange(0.0, 50.0, dtype: .float64).reshape([1, 2, 5, 5])
        let a = avgPool2d(x, kernel: 2)
        XCTAssertEqual(a.shape, [1, 2, 2, 2]); XCTAssertEqual(a[0, 0, 0, 0].item(), 3)  // mean of 0, 1, 5, 6
        let ad = adaptiveAvgPool2d(x, 2, 2)
        // PyTorch's windows for 5 → 2: rows 0..<3 and 2..<5.
        XCTAssertEqual(ad[0, 0, 0, 0].item(), x[0, 0, 0..<3, 0..<3].mean().item(), accuracy: 1e-12)
        XCTAssertEqual(ad[0, 1, 1, 1].item(), x[0, 1, 2..<5, 2..<5].mean().item(), accuracy: 1e-12)
        let gn = GroupNorm(2, 4)
        let y = gn(Tensor.randn([3, 4, 2, 2]) * 5 + 2)
        XCTAssertEqual(y.reshape([3, 2, -1]).mean(dims: [2]).abs().amax().item(), 0, accuracy: 1e-5)
        let r = RMSNorm([4])(Tensor.randn([3, 4]) * 7)
        XCTAssertEqual((r * r).mean(dims: [1]).scalars[0], 1, accuracy: 1e-4)
        let leaf = (Tensor.rand([1, 1, 4, 4], dtype: .float64) + 0.1).requiresGrad_()
        XCTAssertTrue(Torch.gradcheck({ avgPool2d($0[0], kernel: 2) }, [leaf]).passed)
        XCTAssertTrue(Torch.gradcheck({ adaptiveAvgPool2d($0[0], 3, 3) }, [leaf]).passed)
    }

    func testLosses() {
        let p = Tensor([0.2, 0.7, 0.9], dtype: .float64), t = Tensor([0.0, 1.0, 1.0], dtype: .float64)
        let bce = -(Foundation.log(0.8) + Foundation.log(0.7) + Foundation.log(0.9)) / 3
        XCTAssertEqual(binaryCrossEntropy(p, t).item(), bce, accuracy: 1e-12)
        let logits = Tensor([-1.0, 0.5, 3.0], dtype: .float64)
        XCTAssertEqual(
            binaryCrossEntropyWithLogits(logits, t).item(), binaryCrossEntropy(logits.sigmoid(), t).item(),
            accuracy: 1e-12)
        let pw = Tensor([2.0], dtype: .float64)
        let weighted =
            -(Foundation.log(1 - 1 / (1 + Foundation.exp(1.0))) + 2 * Foundation.log(1 / (1 + Foundation.exp(-0.5))) + 2
            * Foundation.log(1 / (1 + Foundation.exp(-3.0)))) / 3
        XCTAssertEqual(binaryCrossEntropyWithLogits(logits, t, posWeight: pw).item(), weighted, accuracy: 1e-12)
        let a = Tensor([0.0, 2.0, -3.0], dtype: .float64), b = Tensor([0.5, 0.0, 0.0], dtype: .float64)
        XCTAssertEqual(l1Loss(a, b).item(), (0.5 + 2 + 3) / 3, accuracy: 1e-12)
        XCTAssertEqual(smoothL1Loss(a, b).item(), (0.125 + 1.5 + 2.5) / 3, accuracy: 1e-12)
        XCTAssertEqual(huberLoss(a, b, delta: 2).item(), (0.125 + 2 + 4) / 3, accuracy: 1e-12)
        let lp = Tensor([[0.25, 0.75]], dtype: .float64).log(), q = Tensor([[0.5, 0.5]], dtype: .float64)
        XCTAssertEqual(
            klDiv(lp, q, reduction: .batchmean).item(), 0.5 * Foundation.log(2.0) + 0.5 * Foundation.log(2.0 / 3),
            accuracy: 1e-12)
        // Cross entropy options against the definition.
        let z = Tensor([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [0.0, 0.0, 0.0]], dtype: .float64)
        let y = Tensor([1, 2, -100])
        let w = Tensor([1.0, 2.0, 0.5], dtype: .float64)
        let lsm = z.logSoftmax(dim: 1)
        let expected = -(2 * lsm[0, 1].item() + 0.5 * lsm[1, 2].item()) / 2.5
        XCTAssertEqual(crossEntropy(z, y, weight: w).item(), expected, accuracy: 1e-12)
        let eps = 0.1
        let row0 = (1 - eps) * -lsm[0, 1].item() + eps / 3 * -lsm[0].sum().item()
        let row1 = (1 - eps) * -lsm[1, 2].item() + eps / 3 * -lsm[1].sum().item()
        XCTAssertEqual(crossEntropy(z, y, weight: nil, labelSmoothing: eps).item(), (row0 + row1) / 2, accuracy: 1e-12)
        let leaf = z.detach().requiresGrad_()
        XCTAssertTrue(Torch.gradcheck({ crossEntropy($0[0], y, weight: w, labelSmoothing: 0.2) }, [leaf]).passed)
    }
}

final class RecurrentAndAttentionTests: XCTestCase {
    /// The fused LSTM layer's hand-written backward against finite differences, both directions.
    func testFusedLSTMLayerGradcheck() {
        let g = Generator(seed: 4)
        let gi = Tensor.randn([3, 2, 8], dtype: .float64, generator: g).requiresGrad_()
        let h0 = Tensor.randn([2, 2], dtype: .float64, generator: g).requiresGrad_()
        let c0 = Tensor.randn([2, 2], dtype: .float64, generator: g).requiresGrad_()
        let w = Tensor.randn([8, 2], dtype: .float64, generator: g).requiresGrad_()
        // Both the fused CPU cell and the tensor-op cell (the one other devices run).
        for fused in [true, false] {
            for reverse in [false, true] {
                let r = Torch.gradcheck(
                    { x in
                        let o = Recurrent.lstmLayer(x[0], x[1], x[2], x[3], reverse: reverse, allowFusedCell: fused)
                        return o[0].sum() + (o[1] * o[1]).sum() + o[2].sum() * 0.5
                    }, [gi, h0, c0, w])
                XCTAssertTrue(r.passed, "fused \(fused), reverse \(reverse): \(r)")
            }
            let a = Recurrent.lstmLayer(gi, h0, c0, w, reverse: true, allowFusedCell: fused)
            let b = Recurrent.lstmLayer(gi, h0, c0, w, reverse: true, allowFusedCell: !fused)
            assertMatches(a[0], b[0], "fused and tensor-op cells agree", rtol: 1e-12, atol: 1e-14)
        }
        // float32 takes the vectorised activations: outputs and gradients agree with the op path.
        let (g32, h32, c32, w32) = (
            gi.to(.float32).detach(), h0.to(.float32).detach(), c0.to(.float32).detach(), w.to(.float32).detach()
        )
        var results: [[Tensor]] = []
        for fused in [true, false] {
            let xs = [g32, h32, c32, w32].map { $0.clone().requiresGrad_() }
            let o = Recurrent.lstmLayer(xs[0], xs[1], xs[2], xs[3], reverse: false, allowFusedCell: fused)
            (o[0].sum() + o[1].sum() + o[2].sum()).backward()
            results.append(o.map { $0.detach() } + xs.map { $0.grad! })
        }
        for (i, (a, b)) in zip(results[0], results[1]).enumerated() {
            assertMatches(a, b, "float32 fused vs tensor-op, tensor \(i)", rtol: 1e-5, atol: 1e-6)
        }
    }

    func testLSTMAndGRUStepMatchTheEquations() {
        Torch.manualSeed(4)
        let x = Tensor.randn([1, 2, 3], dtype: .float64)
        let lstm = Recurrent(.lstm, inputSize: 3, hiddenSize: 4, dtype: .float64)
        let (out, h, c) = lstm(x)
        let w = lstm.parameters()
        let gates = x[0].matmul(w[0].t()) + w[2] + w[3]  // h0 = 0
        let i = gates.narrow(1, start: 0, length: 4).sigmoid(), g = gates.narrow(1, start: 8, length: 4).tanh()
        let o = gates.narrow(1, start: 12, length: 4).sigmoid()
        let cExp = i * g
        assertMatches(c!.squeeze(0), cExp, "lstm c")
        assertMatches(h.squeeze(0), o * cExp.tanh(), "lstm h")
        assertMatches(out[0], h[0], "lstm out")
        let gru = Recurrent(.gru, inputSize: 3, hiddenSize: 4, dtype: .float64)
        let gw = gru.parameters()
        let gi = x[0].matmul(gw[0].t()) + gw[2], gh = gw[3].unsqueeze(0).expand([2, 12])
        let r = (gi.narrow(1, start: 0, length: 4) + gh.narrow(1, start: 0, length: 4)).sigmoid()
        let z = (gi.narrow(1, start: 4, length: 4) + gh.narrow(1, start: 4, length: 4)).sigmoid()
        let n = (gi.narrow(1, start: 8, length: 4) + r * gh.narrow(1, start: 8, length: 4)).tanh()
        assertMatches(gru(x).h.squeeze(0), (1 - z) * n, "gru h")
    }

    func testShapesAndGradients() {
        let lstm = Recurrent(
            .lstm, inputSize: 3, hiddenSize: 5, numLayers: 2, batchFirst: true, bidirectional: true, dtype: .float64)
        let x = Tensor.randn([2, 4, 3], dtype: .float64)
        let (out, h, c) = lstm(x)
        XCTAssertEqual(out.shape, [2, 4, 10]); XCTAssertEqual(h.shape, [4, 2, 5]); XCTAssertEqual(c!.shape, [4, 2, 5])
        XCTAssertEqual(
            Array(lstm.namedParameters().map { $0.0 }.prefix(5)),
            // PyTorch's names and order
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse"])
        let small = Recurrent(.gru, inputSize: 2, hiddenSize: 3, dtype: .float64)
        let xi = Tensor.randn([3, 1, 2], dtype: .float64).requiresGrad_()
        XCTAssertTrue(Torch.gradcheck({ small($0[0]).output.sum(dims: [2]) }, [xi]).passed)
        let rnn = Recurrent(.rnnTanh, inputSize: 2, hiddenSize: 3, dtype: .float64)
        XCTAssertTrue(Torch.gradcheck({ rnn($0[0]).h }, [xi]).passed)
    }

    func testAttention() {
        let q = Tensor.randn([2, 3, 4], dtype: .float64), k = Tensor.randn([2, 3, 4], dtype: .float64),
            v = Tensor.randn([2, 3, 4], dtype: .float64)
        let causal = scaledDotProductAttention(q, k, v, isCausal: true)
        // The first query attends only to the first key.
        assertMatches(causal[TensorIndex.all, 0], v[TensorIndex.all, 0], "causal first row")
        let mask = Tensor([[true, true, false], [true, true, false], [true, true, false]])
        let s = (q.matmul(k.mT) / 2).maskedFill(mask.logicalNot(), -Double.infinity).softmax(dim: -1).matmul(v)
        assertMatches(scaledDotProductAttention(q, k, v, attnMask: mask), s, "bool mask")
        let mha = MultiheadAttention(embedDim: 4, numHeads: 2, batchFirst: true)
        let x = Tensor.randn([2, 5, 4])
        let (y, weights) = mha(
            x, x, x,
            keyPaddingMask: Tensor([[false, false, false, false, true], [false, false, false, false, false]]))
        let w = weights!
        XCTAssertEqual(y.shape, [2, 5, 4]); XCTAssertEqual(w.shape, [2, 5, 5])
        XCTAssertEqual(w[0, TensorIndex.all, 4].abs().amax().item(), 0)  // padded key gets no weight
        for s in w.sum(dims: [2]).scalars { XCTAssertEqual(s, 1, accuracy: 1e-5) }
        XCTAssertEqual(
            mha.namedParameters().map { $0.0 }, ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"])
    }
}

final class ConvAndTransformerTests: XCTestCase {
    func testConv1dMatchesDirectSum() {
        Torch.manualSeed(5)
        let conv = Conv1d(2, 3, kernelSize: 3, padding: 1)
        let x = Tensor.randn([1, 2, 6])
        let y = Torch.noGrad { conv(x) }
        XCTAssertEqual(y.shape, [1, 3, 6])
        var direct = conv.bias!.scalars[2]
        for c in 0..<2 { for k in 0..<3 { direct += x[0, c, 1 + k].item() * conv.weight[2, c, k].item() } }
        XCTAssertEqual(y[0, 2, 2].item(), direct, accuracy: 1e-5)
    }

    func testTransformerEncoderLayer() {
        Torch.manualSeed(6)
        for normFirst in [false, true] {
            let layer = TransformerEncoderLayer(
                dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst: normFirst)
            let x = Tensor.randn([2, 5, 8])
            let y = layer(x)
            XCTAssertEqual(y.shape, [2, 5, 8])
            y.sum().backward()
            XCTAssertNotNil(layer.linear1.weight.grad)
            XCTAssertNotNil(layer.selfAttn.inProjWeight.grad)
            // Ends with LayerNorm.
            if !normFirst { XCTAssertEqual(y.mean(dims: [2]).abs().amax().item(), 0, accuracy: 1e-5) }
        }
    }
}

final class ModuleContainerTests: XCTestCase {
    func testListsDictsAndHooks() {
        let list = ModuleList([Linear(2, 3), Linear(3, 1)])
        XCTAssertEqual(list.count, 2)
        XCTAssertEqual(list.namedParameters().map { $0.0 }, ["0.weight", "0.bias", "1.weight", "1.bias"])
        let dict = ModuleDict([("enc", Linear(4, 4))])
        dict["dec"] = Linear(4, 2)
        XCTAssertEqual(dict.keys, ["enc", "dec"])
        XCTAssertNotNil(dict["dec"] as? Linear)
        let relu = ReLU()
        var seen: [Double] = []
        let pre = relu.registerForwardPreHook { _, x in x - 1 }
        let post = relu.registerForwardHook { _, _, y in
            seen = y.scalars; return y * 10
        }
        XCTAssertEqual(relu(Tensor([0.5, 3.0])).scalars, [0, 20])
        XCTAssertEqual(seen, [0, 2])
        pre.remove(); post.remove()
        XCTAssertEqual(relu(Tensor([0.5, 3.0])).scalars, [0.5, 3])
    }
}

/// Every layer's forward passes a float64 finite-difference gradcheck with respect to its
/// input(s) (parameter gradients are checked against PyTorch's in TorchReferenceLayerTests).
final class LayerGradcheckTests: XCTestCase {
    func check(_ name: String, _ m: Module, _ shapes: [[Int]], _ call: ((Module, [Tensor]) -> Tensor)? = nil) {
        m.to(dtype: .float64)
        let g = Generator(seed: UInt64(name.count))
        let inputs = shapes.map { Tensor.randn($0, dtype: .float64, generator: g).requiresGrad_() }
        let f: ([Tensor]) -> Tensor = { x in (call ?? { m, x in m(x[0]) })(m, x) }
        let r = Torch.gradcheck(f, inputs)
        XCTAssertTrue(r.passed, "\(name): \(r)")
    }

    func testEveryLayerPassesGradcheck() {
        check("Linear", Linear(4, 3), [[2, 4]])
        check("Linear 3-d", Linear(4, 3), [[2, 2, 4]])
        check("Bilinear", Bilinear(3, 2, 2), [[2, 3], [2, 2]]) { m, x in (m as! Bilinear)(x[0], x[1]) }
        check("Conv1d", Conv1d(4, 2, kernelSize: 3, stride: 2, padding: 1, dilation: 2, groups: 2), [[1, 4, 7]])
        check("Conv2d", Conv2d(2, 3, kernelSize: [2, 3], stride: [1, 2], padding: [1, 0]), [[1, 2, 5, 5]])
        check("Conv2d same", Conv2d(2, 2, kernelSize: 3, padding: .same, dilation: 2), [[1, 2, 5, 5]])
        check("Conv3d", Conv3d(1, 2, kernelSize: 2, padding: [1, 0, 0]), [[1, 1, 3, 3, 3]])
        check(
            "ConvTranspose1d", ConvTranspose1d(2, 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1),
            [[1, 2, 4]])
        check("ConvTranspose2d", ConvTranspose2d(2, 4, kernelSize: 2, stride: 2, groups: 2), [[1, 2, 3, 3]])
        check(
            "ConvTranspose3d", ConvTranspose3d(2, 2, kernelSize: 2, stride: [2, 1, 1], padding: 1), [[1, 2, 2, 3, 3]])
        check("MaxPool1d", MaxPool1d(3, stride: 2, padding: 1, ceilMode: true), [[1, 2, 8]])
        check("MaxPool2d", MaxPool2d(2, stride: 1, dilation: 2), [[1, 2, 5, 5]])
        check("AvgPool1d", AvgPool1d(3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false), [[1, 2, 8]])
        check("AvgPool2d", AvgPool2d(3, stride: 2, padding: 1), [[1, 1, 5, 6]])
        check("AdaptiveAvgPool1d", AdaptiveAvgPool1d(3), [[1, 2, 7]])
        check("AdaptiveMaxPool2d", AdaptiveMaxPool2d(2, 3), [[1, 1, 5, 7]])
        check("LayerNorm", LayerNorm([3, 4]), [[2, 3, 4]])
        check("GroupNorm", GroupNorm(2, 4), [[2, 4, 2, 2]])
        check("RMSNorm", RMSNorm([4]), [[3, 4]])
        check("BatchNorm2d (batch statistics)", BatchNorm2d(3), [[4, 3, 2, 2]])
        check("Embedding (through its weight)", Embedding(5, 3), [[2, 3]]) { m, x in
            (m as! Embedding)(Tensor([[0, 4], [2, 2]])) * x[0].sum()
        }
        check("RNN", RNN(3, 2, numLayers: 2, bidirectional: true), [[4, 2, 3]])
        check("LSTM", LSTM(3, 2, batchFirst: true), [[2, 4, 3]])
        check("GRU", GRU(3, 2), [[4, 2, 3]])
        check("RNNCell", RNNCell(3, 2), [[2, 3], [2, 2]]) { m, x in (m as! RNNCell)(x[0], x[1]) }
        check("LSTMCell", LSTMCell(3, 2), [[2, 3], [2, 2], [2, 2]]) { m, x in
            let r = (m as! LSTMCell)(x[0], (x[1], x[2]))
            return r.h * 2 + r.c
        }
        check("GRUCell", GRUCell(3, 2), [[2, 3], [2, 2]]) { m, x in (m as! GRUCell)(x[0], x[1]) }
        check(
            "MultiheadAttention", MultiheadAttention(embedDim: 4, numHeads: 2, batchFirst: true),
            [[1, 3, 4], [1, 2, 4]]
        ) { m, x in
            (m as! MultiheadAttention)(x[0], x[1], x[1]).0
        }
        check(
            "TransformerEncoderLayer",
            TransformerEncoderLayer(dModel: 4, nhead: 2, dimFeedforward: 6, dropout: 0, batchFirst: true),
            [[1, 3, 4]])
        check(
            "TransformerDecoderLayer",
            TransformerDecoderLayer(dModel: 4, nhead: 2, dimFeedforward: 6, dropout: 0, batchFirst: true),
            [[1, 3, 4], [1, 2, 4]]
        ) { m, x in (m as! TransformerDecoderLayer).decode(x[0], memory: x[1], tgtIsCausal: true) }
        check("Flatten/Unflatten", Sequential(Flatten(), Unflatten(1, [2, 3])), [[2, 6]])
    }
}

/// The functional forms (torch.nn.functional) agree with their modules, affine parts optional.
final class FunctionalFormTests: XCTestCase {
    func testFunctionalFormsMatchModules() {
        let g = Generator(seed: 8)
        let x = Tensor.randn([4, 3, 5], dtype: .float64, generator: g)
        let ln = LayerNorm([5]).to(dtype: .float64)
        assertMatches(layerNorm(x, [5]), ln(x), "layerNorm without affine = default affine")
        let gn = GroupNorm(3, 3).to(dtype: .float64)
        assertMatches(groupNorm(x, 3), gn(x), "groupNorm")
        let rn = RMSNorm([5]).to(dtype: .float64)
        assertMatches(rmsNorm(x, [5]), rn(x), "rmsNorm")
        let bn = BatchNorm1d(3).to(dtype: .float64)
        assertMatches(batchNorm(x, runningMean: nil, runningVar: nil), bn(x), "batchNorm with batch statistics")
        let lin = Linear(5, 2).to(dtype: .float64)
        assertMatches(linear(x, lin.weight, lin.bias!), lin(x), "linear 3-d")
        assertMatches(linear(x, lin.weight), x.matmul(lin.weight.t()), "linear without bias")
        let e = Embedding(6, 2, paddingIdx: 1).to(dtype: .float64)
        let idx = Tensor([[1, 5], [0, 1]])
        assertMatches(embedding(idx, e.weight, paddingIdx: 1), e(idx), "embedding")
        let bl = Bilinear(5, 5, 3).to(dtype: .float64)
        let a = x.select(1, 0), b = x.select(1, 1)
        assertMatches(bilinear(a, b, bl.weight, bl.bias), bl(a, b), "bilinear")
    }
}

/// Note [Convolution memory]: without autograd a large batch is convolved a slice at a time into
/// the result; the values are those of the whole-batch convolution, for every kind of convolution.
final class ConvolutionSlicingTests: XCTestCase {
    override func tearDown() { convolutionChunkBytes = 32 << 20 }

    func testSlicedBatchesGiveTheWholeBatchResult() {
        let g = Generator(seed: 11)
        let x = Tensor.randn([7, 4, 9, 8], generator: g)
        let cases: [(String, Tensor, Tensor?, Int, Int, Int, Int)] = [
            ("3x3", Tensor.randn([6, 4, 3, 3], generator: g), Tensor.randn([6], generator: g), 1, 1, 1, 1),
            ("strided, padded, dilated", Tensor.randn([5, 4, 3, 2], generator: g), nil, 2, 2, 2, 1),
            ("grouped", Tensor.randn([6, 2, 3, 3], generator: g), Tensor.randn([6], generator: g), 1, 1, 1, 2),
            ("depthwise", Tensor.randn([4, 1, 3, 3], generator: g), nil, 1, 1, 1, 4),
        ]
        for (name, w, b, stride, padding, dilation, groups) in cases {
            func run() -> Tensor {
                conv2d(x, w, b, stride: stride, padding: padding, dilation: dilation, groups: groups)
            }
            convolutionChunkBytes = 32 << 20
            let whole = Torch.noGrad { run() }
            convolutionChunkBytes = 1  // one sample a slice
            let sliced = Torch.noGrad { run() }
            XCTAssertEqual(sliced.shape, whole.shape, name)
            XCTAssertTrue(sliced.allclose(whole, rtol: 1e-5, atol: 1e-5), name)
            // With autograd recording, the whole batch at once (the patches feed the weight gradient).
            let wg = w.detach().requiresGrad_()
            let y = conv2d(x, wg, b, stride: stride, padding: padding, dilation: dilation, groups: groups)
            XCTAssertTrue(y.detach().allclose(whole, rtol: 1e-5, atol: 1e-5), name)
            y.sum().backward()
            XCTAssertNotNil(wg.grad, name)
        }
    }
}

/// The fused layer norm (one pass per row, used when autograd is not recording) against the
/// composed one (used when it is): the same values, NaN where NaN, with and without the affine.
final class FusedLayerNormTests: XCTestCase {
    func testFusedAndComposedLayerNormAgree() {
        let g = Generator(seed: 21)
        let x = Tensor.randn([5, 3, 37], generator: g) * 3 + 1
        x[0, 1, 4].fill_(Float.nan)
        x[2, 0].fill_(7)  // a constant row: zero variance
        let w = Tensor.randn([37], generator: g), b = Tensor.randn([37], generator: g)
        for (weight, bias) in [(nil, nil), (w, nil), (nil, b), (w, b)] as [(Tensor?, Tensor?)] {
            let fused = Torch.noGrad { layerNorm(x, [37], weight: weight, bias: bias) }
            XCTAssertNotNil(x.fusedLayerNorm(37, weight: weight, bias: bias, eps: 1e-5))
            let composed = layerNorm(x.detach().requiresGrad_(), [37], weight: weight, bias: bias).detach()
            XCTAssertEqual(fused.shape, x.shape)
            XCTAssertTrue(fused.allclose(composed, rtol: 1e-5, atol: 1e-5, equalNaN: true))
            XCTAssertTrue(fused[0, 1].isnan().all().item() == 1)  // the NaN row stays NaN
            XCTAssertEqual(fused[0, 0].isnan().any().item(), 0)
        }
        // Two trailing dims, and float64 (no fused kernel: composed).
        let two = Torch.noGrad { layerNorm(x, [3, 37]) }
        XCTAssertTrue(
            two.allclose(
                layerNorm(x.detach().requiresGrad_(), [3, 37]).detach(), rtol: 1e-5, atol: 1e-5, equalNaN: true))
        XCTAssertNil(x.to(.float64).fusedLayerNorm(37, weight: nil, bias: nil, eps: 1e-5))
    }
}

/// Note [Depthwise convolution]: the direct kernel (no autograd) gives the composite's results
/// (im2col and a batched matrix multiply, what runs with autograd) on every geometry it takes,
/// NaN and infinities where the composite has them, on every kernel path this CPU has.
final class DepthwiseConvolutionTests: XCTestCase {
    override func tearDown() { Torch.backends.cpu.setCapability(Torch.backends.cpu.bestCapability) }

    func testDirectAndComposedDepthwiseConvolutionsAgree() {
        let g = Generator(seed: 31)
        // (channels, multiplier, height, width, kernel, stride, padding, dilation, bias)
        let cases: [(Int, Int, Int, Int, [Int], [Int], [Int], [Int], Bool)] = [
            (3, 1, 56, 56, [3, 3], [1, 1], [1, 1], [1, 1], true),  // blocks of 32, the last overlapping
            (4, 1, 13, 20, [3, 3], [1, 1], [0, 0], [1, 1], false),  // blocks of 8
            (2, 2, 9, 7, [3, 5], [1, 1], [2, 1], [1, 1], true),  // narrower than 8: one column at a time
            (3, 1, 17, 40, [3, 3], [2, 2], [1, 1], [1, 1], true),  // strided
            (2, 3, 21, 45, [5, 5], [1, 2], [2, 2], [2, 1], false),  // dilated, multiplier 3
            (5, 1, 4, 4, [1, 1], [1, 1], [0, 0], [1, 1], true),
            (2, 1, 6, 35, [3, 3], [1, 1], [3, 3], [1, 1], true),  // padding wider than the filter reaches
        ]
        for c in CPUCapability.allCases {
            guard Torch.backends.cpu.setCapability(c) else { continue }
            for (ch, m, h, w, k, s, p, d, hasBias) in cases {
                let x = Tensor.randn([2, ch, h, w], generator: g)
                x[0, 0, 1, 2].fill_(Float.nan)
                x[1, ch - 1, h - 1, w - 1].fill_(Float.infinity)
                let weight = Tensor.randn([ch * m, 1] + k, generator: g)
                let bias = hasBias ? Tensor.randn([ch * m], generator: g) : nil
                let pad: ConvPadding = .explicit(p)
                let direct = x.directDepthwiseConv2d(weight: weight, bias: bias, stride: s, padding: p, dilation: d)
                XCTAssertNotNil(direct, "the direct kernel takes \(k) stride \(s) padding \(p)")
                let viaConv = Torch.noGrad {
                    conv2d(x, weight, bias, stride: SizeSpec(s), padding: pad, dilation: SizeSpec(d), groups: ch)
                }
                let composed = conv2d(
                    x, weight.detach().requiresGrad_(), bias, stride: SizeSpec(s), padding: pad,
                    dilation: SizeSpec(d), groups: ch
                ).detach()
                let what = "depthwise \(ch)x\(m) \(h)x\(w) k\(k) s\(s) p\(p) d\(d) on \(c)"
                XCTAssertEqual(viaConv.shape, composed.shape, what)
                assertMatches(viaConv, composed, what, rtol: 1e-5, atol: 1e-5)
                if let direct { assertMatches(direct, composed, what, rtol: 1e-5, atol: 1e-5) }
                XCTAssertTrue(composed.isnan().any().item() == 1 && composed.isinf().any().item() == 1, what)
            }
        }
        // With autograd, float64, or groups short of the channels, the composite runs.
        let x = Tensor.randn([1, 4, 8, 8], generator: g), w = Tensor.randn([4, 1, 3, 3], generator: g)
        XCTAssertNil(
            x.requiresGrad_().directDepthwiseConv2d(
                weight: w, bias: nil, stride: [1, 1], padding: [1, 1], dilation: [1, 1]))
        XCTAssertNil(
            x.detach().to(.float64).directDepthwiseConv2d(
                weight: w.to(.float64), bias: nil, stride: [1, 1], padding: [1, 1], dilation: [1, 1]))
        XCTAssertNil(
            x.detach().directDepthwiseConv2d(
                weight: Tensor.randn([4, 2, 3, 3]), bias: nil, stride: [1, 1], padding: [1, 1], dilation: [1, 1]))
    }

    /// The checker used above fails on a wrong value, a NaN where a number is and an infinity.
    func testTheComparisonSeesAWrongValueANaNAndAnInfinity() {
        let good = Tensor([1.0, 2.0, 3.0])
        for bad in [[1.0, 2.5, 3.0], [1.0, .nan, 3.0], [1.0, 2.0, .infinity]] {
            XCTAssertNotNil(tensorMismatch(Tensor(bad), good, rtol: 1e-5, atol: 1e-5), "\(bad)")
        }
        XCTAssertNil(tensorMismatch(Tensor([1.0, .nan]), Tensor([1.0, .nan]), rtol: 1e-5, atol: 1e-5))
    }
}
