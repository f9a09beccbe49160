import XCTest
import Torch
import TorchBase
import TorchNN
import TorchOptim

/// Stored properties register themselves (Note [Automatic registration]) and forwards with any
/// inputs and outputs go through the hooks (Note [Forward with any inputs]).
final class ModuleRegistrationTests: XCTestCase {
    final class Net: Module {
        let conv1 = Conv2d(1, 4, kernelSize: 3)
        var blocks = [Linear(4, 4), Linear(4, 4)]
        let heads: [String: Module] = ["b": Linear(4, 1), "a": Linear(4, 2)]
        var extra: Linear? = nil
        let scale = parameter(Tensor.ones([4]))
        let frozen = parameter(Tensor.zeros([2]), requiresGrad: false)
        let constant = Tensor.ones([3])  // an attribute, not state
        lazy var late = Linear(2, 2)
        override func forward(_ x: Tensor) -> Tensor { x }
    }

    func testStoredPropertiesRegisterInDeclarationOrder() {
        let net = Net()
        XCTAssertEqual(
            net.namedChildren().map { $0.0 }, ["conv1", "blocks.0", "blocks.1", "heads.a", "heads.b"])
        XCTAssertEqual(
            net.namedParameters().map { $0.0 },
            [
                "scale", "frozen", "conv1.weight", "conv1.bias", "blocks.0.weight", "blocks.0.bias",
                "blocks.1.weight", "blocks.1.bias", "heads.a.weight", "heads.a.bias", "heads.b.weight",
                "heads.b.bias",
            ])
        XCTAssertFalse(net.frozen.requiresGrad)
        XCTAssertTrue(net.scale.requiresGrad && net.scale.isParameter)
        // An optional and a lazy property join once they hold a module; a reassigned var follows.
        net.extra = Linear(4, 4)
        _ = net.late
        XCTAssertEqual(net.namedChildren().map { $0.0 }.suffix(2), ["extra", "late"])
        let replacement = Linear(4, 4)
        net.blocks[1] = replacement
        XCTAssertTrue(net.namedChildren().contains { $0.0 == "blocks.1" && $0.1 === replacement })
        XCTAssertEqual(Set(net.stateDict().keys).count, net.namedParameters().count)
        XCTAssertTrue(net.modules().contains { $0 === net.late })
    }

    func testExplicitRegistrationStillWorks() {
        final class Old: Module {
            let fc = Linear(3, 2)
            let other = Linear(2, 2)
            override init() {
                super.init()
                register("fc", fc)  // the old spelling: the same name is one entry
                register("renamed", other)  // another name for the same object: PyTorch keeps both
            }
        }
        let old = Old()
        XCTAssertEqual(old.namedParameters().map { $0.0 }, ["fc.weight", "fc.bias", "renamed.weight", "renamed.bias"])
        XCTAssertEqual(old.stateDict().count, 6)
        // Library layers are not reflected: their private storage is not state.
        XCTAssertEqual(LSTM(3, 4).namedParameters().count, 4)
    }

    func testTiedWeightsAreOneParameterButTwoStateDictKeys() {
        final class Tied: Module {
            let inner = Linear(4, 4)
            let shared: Linear
            let w: Tensor
            override init() {
                shared = inner
                w = inner.weight
                super.init()
            }
        }
        let m = Tied()
        XCTAssertEqual(m.namedParameters().map { $0.0 }, ["w", "inner.bias"])
        XCTAssertEqual(m.namedParameters(removeDuplicate: false).count, 5)
        XCTAssertEqual(Set(m.stateDict().keys), ["w", "inner.weight", "inner.bias", "shared.weight", "shared.bias"])
        XCTAssertEqual(m.modules().count, 2)
        XCTAssertEqual(m.namedModules(removeDuplicate: false).map { $0.0 }, ["", "inner", "shared"])
    }

    func testAForgottenRegistrationStillTrains() {
        // What used to run but never train: a layer stored and not registered.
        final class Model: Module {
            let hidden = Linear(2, 8)
            let out = Linear(8, 1)
            override func forward(_ x: Tensor) -> Tensor { out(relu(hidden(x))) }
        }
        Torch.manualSeed(0)
        let m = Model()
        let before = m.hidden.weight.clone()
        let opt = SGD(m.parameters(), lr: 0.1)
        let x = Tensor.randn([16, 2])
        let loss = (m(x) - x.sum(dim: 1, keepdim: true)).square().mean()
        loss.backward()
        opt.step()
        XCTAssertEqual(m.parameters().count, 4)
        XCTAssertFalse(before.equal(m.hidden.weight))
    }

    final class Seq2: Module, Forward2 {
        let cell = LSTMCell(3, 5)
        func forward(_ x: Tensor, _ state: (Tensor, Tensor)) -> (Tensor, (Tensor, Tensor)) {
            let (h, c) = cell(x, (state.0, state.1))
            return (h * 2, (h, c))
        }
    }

    final class Triple: Module, Forward1 {
        typealias Input = Tensor
        typealias Output = (Tensor, Tensor, Tensor)
        func forward(_ x: Tensor) -> (Tensor, Tensor, Tensor) { (x, x + 1, x + 2) }
    }

    func testForwardWithAnyInputsAndOutputsRunsTheHooks() {
        let m = Seq2()
        var seenInputs = 0
        var seenOutput: Any?
        let h1 = m.registerForwardPreHook(inputs: { _, xs in
            seenInputs = xs.count
            return nil
        })
        let h2 = m.registerForwardHook(inputs: { _, _, out in
            seenOutput = out
            return nil
        })
        let x = Tensor.randn([2, 3])
        let (y, (h, c)) = m(x, (Tensor.zeros([2, 5]), Tensor.zeros([2, 5])))
        XCTAssertEqual(seenInputs, 2)
        XCTAssertTrue(seenOutput is (Tensor, (Tensor, Tensor)))
        XCTAssertEqual(y.shape, [2, 5])
        XCTAssertTrue(y.allclose(h * 2))
        XCTAssertEqual(c.shape, [2, 5])
        h1.remove()
        h2.remove()

        let t = Triple()
        // A pre-hook replaces the input; a hook replaces the output (same types).
        t.registerForwardPreHook(inputs: { _, xs in [(xs[0] as! Tensor) * 10] })
        t.registerForwardHook(inputs: { _, _, out in
            let (a, b, c) = out as! (Tensor, Tensor, Tensor)
            return (a, b, c * 0)
        })
        let (a, b, c2) = t(Tensor([1.0]))
        XCTAssertEqual(a.scalars, [10])
        XCTAssertEqual(b.scalars, [11])
        XCTAssertEqual(c2.scalars, [0])
        // A one-tensor hook does not fire for a module of other outputs.
        var fired = false
        t.registerForwardHook { _, _, y in
            fired = true
            return y
        }
        _ = t(Tensor([1.0]))
        XCTAssertFalse(fired)
    }

    func testModulesPrintAsPyTorchPrintsThem() {
        let seq = Sequential(Conv2d(1, 32, 3, 1), ReLU(), MaxPool2d(2), Flatten(), Dropout(0.25), Linear(9216, 128))
        XCTAssertEqual(
            seq.description,
            """
            Sequential(
              (0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))
              (1): ReLU()
              (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
              (3): Flatten(start_dim=1, end_dim=-1)
              (4): Dropout(p=0.25, inplace=False)
              (5): Linear(in_features=9216, out_features=128, bias=True)
            )
            """)
        final class Net: Module {
            let emb = Embedding(10, 4, paddingIdx: 0)
            let rnn = LSTM(4, 8, numLayers: 2, batchFirst: true)
            let norm = LayerNorm([8])
            let head = Sequential(Linear(8, 2), LogSoftmax(dim: 1))
        }
        XCTAssertEqual(
            Net().description,
            """
            Net(
              (emb): Embedding(10, 4, padding_idx=0)
              (rnn): LSTM(4, 8, num_layers=2, batch_first=True)
              (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
              (head): Sequential(
                (0): Linear(in_features=8, out_features=2, bias=True)
                (1): LogSoftmax(dim=1)
              )
            )
            """)
        XCTAssertEqual(
            ConvTranspose2d(64, 32, 4, 2, 1, bias: false).description,
            "ConvTranspose2d(64, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False)")
        XCTAssertEqual(
            ConvTranspose3d(16, 8, 2, stride: 2).description,
            "ConvTranspose3d(16, 8, kernel_size=(2, 2, 2), stride=(2, 2, 2))")
        XCTAssertEqual(
            BatchNorm2d(32).description,
            "BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)")
        XCTAssertTrue(BatchNorm1d(4).description.hasPrefix("BatchNorm1d(4, "))
        XCTAssertTrue(BatchNorm3d(4, momentum: nil).description.hasPrefix("BatchNorm3d(4, eps=1e-05, momentum=None"))
        XCTAssertEqual(AvgPool2d(3, 2, 1).description, "AvgPool2d(kernel_size=3, stride=2, padding=1)")
        XCTAssertEqual(
            Conv2d(3, 6, 5, padding: 2, groups: 3).description,
            "Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), groups=3)")
    }

    func testInplaceFlags() {
        let x = Tensor([-1.0, 2.0])
        let y = ReLU(inplace: true)(x)
        XCTAssertTrue(y === x || y.storage === x.storage)
        XCTAssertEqual(x.scalars, [0, 2])
        Torch.manualSeed(0)
        let d = Tensor.ones([1000])
        _ = Dropout(0.5, inplace: true)(d)
        let zeros = d.eq(Tensor(0.0)).sum().item()
        XCTAssertTrue(zeros > 400 && zeros < 600, "\(zeros)")
        // In place and through autograd: the gradient is the mask, scaled.
        let leaf = Tensor.ones([8]).requiresGrad_()
        let h = leaf * 1.0
        Dropout(0.5, inplace: true)(h).sum().backward()
        XCTAssertTrue(Set(leaf.grad!.scalars).isSubset(of: [0, 2]))
    }

    func testRecurrentCellsRunTheHooks() {
        let cell = LSTMCell(2, 3)
        var seen: [Int] = []
        cell.registerForwardHook(inputs: { _, inputs, output in
            seen.append(inputs.count)
            XCTAssertTrue(output is (h: Tensor, c: Tensor))
            return nil
        })
        let (h, c) = cell(Tensor.randn([4, 2]))
        _ = cell(Tensor.randn([4, 2]), (h, c))
        XCTAssertEqual(seen, [2, 2])
        let gru = GRUCell(2, 3)
        gru.registerForwardPreHook(inputs: { _, inputs in [(inputs[0] as! Tensor) * 0, inputs[1]] })
        let zero = gru(Tensor.randn([1, 2]), Tensor.zeros([1, 3]))
        XCTAssertTrue(zero.allclose(gru.forward(Tensor.zeros([1, 2]))))
    }

    func testSequentialIndexingSlicingAndListIteration() {
        let s = Sequential(Linear(4, 8), ReLU(), Linear(8, 2))
        XCTAssertTrue(s[0] is Linear)
        XCTAssertTrue(s[-1] is Linear)
        XCTAssertEqual(s.count, 3)
        let head = s[0..<2]
        XCTAssertEqual(head.namedChildren().map { $0.0 }, ["0", "1"])
        XCTAssertTrue(head[0] === s[0])
        XCTAssertEqual(head(Tensor.ones([1, 4])).shape, [1, 8])
        s.append(Sigmoid())
        XCTAssertEqual(s.count, 4)
        let named = Sequential([("fc", Linear(2, 2)), ("act", Tanh())])
        XCTAssertEqual(named.namedParameters().map { $0.0 }, ["fc.weight", "fc.bias"])
        let list = ModuleList([Linear(2, 2), ReLU()])
        var kinds: [String] = []
        for layer in list { kinds.append("\(type(of: layer))") }
        XCTAssertEqual(kinds, ["Linear", "ReLU"])
        XCTAssertTrue(list[-1] is ReLU)
        XCTAssertEqual(list[0..<1].count, 1)
    }
}

/// Layers spelled as a PyTorch user writes them: positional sizes, `Int` variables, `[Int]`.
final class LayerSpellingTests: XCTestCase {
    func testPositionalSizesAndIntVariables() {
        let k = 3, s = 1, channels = 8
        let conv = Conv2d(1, channels, k, s)
        XCTAssertEqual(conv.weight.shape, [8, 1, 3, 3])
        XCTAssertEqual(conv.stride, [1, 1])
        let conv2 = Conv2d(1, 4, [3, 5], 2, [1, 2])
        XCTAssertEqual(conv2(Tensor.zeros([1, 1, 8, 8])).shape, [1, 4, 4, 4])
        let same = Conv1d(2, 2, kernelSize: k, padding: .same)
        XCTAssertEqual(same(Tensor.zeros([1, 2, 9])).shape, [1, 2, 9])
        let up = ConvTranspose2d(4, 2, 4, 2, 1)
        XCTAssertEqual(up(Tensor.zeros([1, 4, 5, 5])).shape, [1, 2, 10, 10])
        let pool = MaxPool2d(2, 2)
        XCTAssertEqual(pool(Tensor.zeros([1, 1, 6, 6])).shape, [1, 1, 3, 3])
        XCTAssertEqual(AvgPool2d(k, stride: 2, padding: 1)(Tensor.zeros([1, 1, 6, 6])).shape, [1, 1, 3, 3])
        XCTAssertEqual(AdaptiveAvgPool2d(1)(Tensor.zeros([2, 3, 5, 7])).shape, [2, 3, 1, 1])
        XCTAssertEqual(AdaptiveMaxPool2d([2, 3])(Tensor.zeros([2, 3, 5, 7])).shape, [2, 3, 2, 3])
        XCTAssertEqual(maxPool2d(Tensor.zeros([1, 1, 4, 4]), kernel: k, stride: s).shape, [1, 1, 2, 2])
        XCTAssertEqual(Flatten(1, -1)(Tensor.zeros([2, 3, 4])).shape, [2, 12])
    }

    func testChannelDropoutVariadicShapesAndPositionalPools() {
        Torch.manualSeed(1)
        let x = Tensor.ones(8, 16, 3, 3)
        XCTAssertEqual(x.shape, [8, 16, 3, 3])
        let drop = Dropout2d(0.5)
        let y = drop(x)
        // Whole channels: every 3×3 map is all 0 or all 2.
        let perChannel = y.reshape([8 * 16, 9])
        XCTAssertTrue(perChannel.amin(dims: [1]).equal(perChannel.amax(dims: [1])))
        let kept = perChannel.amax(dims: [1]).scalars
        XCTAssertTrue(Set(kept).isSubset(of: [0, 2]) && kept.contains(0) && kept.contains(2))
        drop.eval()
        XCTAssertTrue(drop(x).equal(x))
        XCTAssertEqual(Dropout1d()(Tensor.ones(2, 3, 4)).shape, [2, 3, 4])
        let img = Tensor.randn(1, 2, 6, 6)
        XCTAssertTrue(maxPool2d(img, 2).equal(maxPool2d(img, kernel: 2)))
        XCTAssertTrue(avgPool2d(img, 3, 2, 1).equal(avgPool2d(img, kernel: 3, stride: 2, padding: 1)))
        XCTAssertEqual(dropout(img).shape, img.shape)  // PyTorch's defaults p = 0.5, training
    }

    func testMaxPoolIndicesRoundTripThroughUnpool() {
        let x = Tensor([[[[1.0, 5, 2, 0], [3, 4, 8, 1], [0, 9, 6, 2], [7, 1, 3, 4]]]])
        let pool = MaxPool2d(2, returnIndices: true)
        let (y, idx) = pool.withIndices(x)
        XCTAssertEqual(y.scalars, [5, 8, 9, 6])
        XCTAssertEqual(idx.scalars, [1, 6, 9, 10])
        let unpool = MaxUnpool2d(2)
        let back = unpool(y, idx)
        XCTAssertEqual(back.shape, [1, 1, 4, 4])
        XCTAssertEqual(back.sum().item(), 28)
        XCTAssertEqual(back[0, 0, 1, 2].item(), 8)
        XCTAssertEqual(unpool(y, idx, outputSize: [5, 5]).shape, [1, 1, 5, 5])
        // Gradients flow through the unpooling to the pooled values.
        let leaf = y.detach().requiresGrad_()
        unpool(leaf, idx).square().sum().backward()
        XCTAssertEqual(leaf.grad?.scalars, [10, 16, 18, 12])
        // The hooks see both inputs.
        var seen = 0
        unpool.registerForwardPreHook(inputs: { _, xs in
            seen = xs.count
            return nil
        })
        _ = unpool(y, idx)
        XCTAssertEqual(seen, 2)
        XCTAssertEqual(AvgPool2d(2, divisorOverride: 1)(x).scalars, [13, 11, 17, 15])
    }
}

/// Upsampling modules as PyTorch spells them.
final class UpsampleSpellingTests: XCTestCase {
    func testScalarFactorsSizesAndModes() {
        let x = Tensor.arange(16, dtype: .float32).reshape([1, 1, 4, 4])
        XCTAssertEqual(Upsample(scaleFactor: 2.0, mode: .bicubic)(x).shape, [1, 1, 8, 8])
        XCTAssertEqual(Upsample(size: 2, mode: .area)(x).scalars, [2.5, 4.5, 10.5, 12.5])
        XCTAssertEqual(Upsample(scaleFactor: 2.0).description, "Upsample(scale_factor=2.0, mode='nearest')")
        // Bicubic reproduces a linear ramp exactly away from the borders (Keys' kernel is exact
        // on linear functions), with align_corners everywhere.
        let ramp = interpolate(x, size: [7, 7], mode: .bicubic, alignCorners: true)
        XCTAssertEqual(ramp[0, 0, 3, 3].item(), 7.5, accuracy: 1e-5)
        XCTAssertEqual(ramp[0, 0, 6, 6].item(), 15, accuracy: 1e-5)
    }
}

/// The loss modules added with the remaining losses call their functions with their options.
final class MoreLossModuleTests: XCTestCase {
    func testModulesMatchTheirFunctions() {
        Torch.manualSeed(3)
        let x = Tensor.randn([4, 5], dtype: .float64), y = Tensor([1, 0, 4, 2])
        let signs = Tensor.randn([4, 5], dtype: .float64).sign()
        XCTAssertTrue(SoftMarginLoss()(x, signs).equal(softMarginLoss(x, signs)))
        XCTAssertTrue(
            MultiMarginLoss(p: 2, margin: 0.5)(x, y).equal(multiMarginLoss(x, y, p: 2, margin: 0.5)))
        let targets01 = (signs + 1) / 2
        XCTAssertTrue(MultiLabelSoftMarginLoss()(x, targets01).equal(multiLabelSoftMarginLoss(x, targets01)))
        XCTAssertTrue(PoissonNLLLoss(full: true)(x, targets01).equal(poissonNllLoss(x, targets01, full: true)))
        XCTAssertTrue(HingeEmbeddingLoss(margin: 2)(x, signs).equal(hingeEmbeddingLoss(x, signs, margin: 2)))
        let v = x.abs() + 0.1
        XCTAssertTrue(GaussianNLLLoss()(x, signs, v).equal(gaussianNllLoss(x, signs, v)))
        let (a, p, n) = (x, x + 0.1, x.flip([0]))
        XCTAssertTrue(TripletMarginLoss(swap: true)(a, p, n).equal(tripletMarginLoss(a, p, n, swap: true)))
        XCTAssertTrue(MarginRankingLoss(margin: 0.1)(x, p, signs).equal(marginRankingLoss(x, p, signs, margin: 0.1)))
        // CTC: a target that the frames spell with certainty costs nothing.
        var lp = Tensor.full([3, 1, 3], -1e9, dtype: .float64)
        for (t, c) in [(0, 1), (1, 0), (2, 2)] { lp[t, 0, c] = Tensor(0.0, dtype: .float64) }
        let ctc = CTCLoss()(lp, Tensor([[1, 2]]), inputLengths: [3], targetLengths: [2])
        XCTAssertEqual(ctc.item(), 0, accuracy: 1e-9)
    }
}

/// Packed sequences lay out their rows as PyTorch's (`pack_sequence` of [1, 2, 3], [4, 5], [6]
/// is data [1, 4, 6, 2, 5, 3], batch_sizes [3, 2, 1]).
final class PackedSequenceTests: XCTestCase {
    func testPackingLayoutAndRoundTrip() {
        let packed = packSequence([Tensor([1.0, 2, 3]), Tensor([4.0, 5]), Tensor([6.0])])
        XCTAssertEqual(packed.data.scalars, [1, 4, 6, 2, 5, 3])
        XCTAssertEqual(packed.batchSizes, [3, 2, 1])
        XCTAssertNil(packed.sortedIndices)
        let unsorted = packSequence([Tensor([4.0, 5]), Tensor([1.0, 2, 3])], enforceSorted: false)
        XCTAssertEqual(unsorted.sortedIndices, [1, 0])
        XCTAssertEqual(unsorted.unsortedIndices, [1, 0])
        XCTAssertEqual(unsorted.data.scalars, [1, 4, 2, 5, 3])
        let (padded, lengths) = padPackedSequence(unsorted, batchFirst: true, paddingValue: -1, totalLength: 4)
        XCTAssertEqual(padded.shape, [2, 4])
        XCTAssertEqual(padded.scalars, [4, 5, -1, -1, 1, 2, 3, -1])
        XCTAssertEqual(lengths.scalars, [2, 3])
        // Gradients flow through packing and unpacking to the padded positions that were used.
        let x = Tensor.ones([3, 2, 1]).requiresGrad_()
        let p = packPaddedSequence(x, lengths: [3, 1])
        padPackedSequence(p.with(data: p.data * 2)).0.sum().backward()
        XCTAssertEqual(x.grad?.scalars, [2, 2, 2, 0, 2, 0])
    }
}

/// `fuseConvBnEval` folds an evaluation-mode batch norm into the convolution before it.
final class FuseConvBnTests: XCTestCase {
    func testFusedConvolutionEqualsConvThenBatchNorm() {
        Torch.manualSeed(7)
        let conv = Conv2d(3, 4, 3, padding: 1, groups: 1).to(dtype: .float64)
        let bn = BatchNorm2d(4, dtype: .float64)
        // Running statistics that are not the identity.
        for _ in 0..<3 { _ = bn(conv(Tensor.randn([2, 3, 5, 5], dtype: .float64) * 2 + 1)) }
        Torch.noGrad {
            _ = bn.weight!.copy_(Tensor.rand([4], dtype: .float64) + 0.5)
            _ = bn.bias!.copy_(Tensor.randn([4], dtype: .float64))
        }
        conv.eval()
        bn.eval()
        let fused = fuseConvBnEval(conv, bn)
        XCTAssertTrue(fused is Conv2d)
        let x = Tensor.randn([2, 3, 5, 5], dtype: .float64)
        XCTAssertTrue(fused(x).allclose(bn(conv(x)), rtol: 1e-12, atol: 1e-12))
    }
}
