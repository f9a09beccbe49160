import XCTest
import Torch
import TorchBase
import TorchData
import TorchDistributions
import TorchIO
import TorchNN
import TorchOptim
import SwiftTorch
import TorchTestSupport

/// Every SwiftTorch spelling in docs/porting-from-pytorch.md, compiled and run, so the table
/// cannot drift from the API.
final class PortingGuideTests: XCTestCase {
    func testTensorAndAutogradRows() throws {
        Torch.manualSeed(0)
        var x = Tensor([[1.0, 2.0], [3.0, 4.0]])
        _ = (Tensor.zeros([2, 3]), Tensor.ones([2, 3]), Tensor.full([2, 3], 7.0))
        _ = (Tensor.randn([2, 3]), Tensor.rand([2, 3]), Tensor.randint(0, 10, [4]))
        _ = (Tensor.zeros(2, 3), Tensor.ones(2, 3), Tensor.randn(2, 3), Tensor.rand(2, 3))
        _ = (Tensor.arange(10), Tensor.arange(0, 10, step: 2), Tensor.linspace(0, 1, steps: 5))
        _ = (Tensor.zerosLike(x), x.newZeros([3]), Tensor.randnLike(x))
        _ = (x.shape, x.dtype, x.device, x.rank, x.count)
        _ = (x.to(.float64), x.to(device: .cpu))
        let t = Tensor.randn([2, 3, 4])
        XCTAssertEqual(t[0, .all, 1..<3].shape, [3, 2])
        XCTAssertEqual(t[TensorIndex.ellipsis, TensorIndex.newAxis].shape, [2, 3, 4, 1])
        XCTAssertEqual(t[.all, .slice(nil, nil, step: 2)].shape, [2, 2, 4])
        x[0] = Tensor(0.0)
        XCTAssertEqual(x.view([-1, 4]).shape, [1, 4])
        _ = (x.reshape([2, -1]), x.permute(1, 0), x.unsqueeze(0))
        _ = (x.sum(dim: 1, keepdim: true), x.mean(), x.max(dim: 1).values, x.max(dim: 1).indices)
        let b3 = Tensor.randn([2, 2, 2])
        _ = (x.matmul(x), b3.bmm(b3), Tensor.einsum("bij,bjk->bik", b3, b3))
        _ = (Tensor.cat([x, x], dim: 0), Tensor.stack([x, x]), Tensor.where(x.gt(Tensor(1.0)), x, x))
        _ = (x[0, 1].item(), x.scalars)
        let a = Tensor([[2.0, 1.0], [1.0, 3.0]])
        _ = (Linalg.solve(a, Tensor([[1.0], [2.0]])), Linalg.svd(a))
        _ = (FFT.rfft(Tensor([1.0, 2.0, 3.0, 4.0])), FFT.fftshift(Tensor([1.0, 2.0])))
        let z = Tensor.complex(Tensor([1.0]), Tensor([2.0]))
        _ = (z.viewAsReal(), z.real, z.conj())

        let w = Tensor.randn([3]).requiresGrad_()
        let loss = (w * w).sum()
        loss.backward()
        XCTAssertNotNil(w.grad)
        w.grad!.zero_()
        Torch.noGrad { w -= 0.1 * w.grad! }
        _ = (w.detach(), w.data)
        let y = (w * w).sum()
        _ = Torch.grad(outputs: [y], inputs: [w], createGraph: true)
        let cube = Torch.customFunction(
            "Cube", [w],
            forward: { ctx, xs in
                ctx.saveForBackward(xs[0])
                return xs[0] * xs[0] * xs[0]
            },
            backward: { ctx, g in [g * ctx.savedTensors[0] * ctx.savedTensors[0] * 3] })
        XCTAssertEqual(cube.shape, [3])
        let leaf = Tensor.randn([3], dtype: .float64).requiresGrad_()
        XCTAssertTrue(Torch.gradcheck({ $0[0].sin() }, [leaf]).passed)
        Torch.detectAnomaly { _ = (leaf * 2).sum() }
    }

    func testModuleLayerAndLossRows() throws {
        let model = Sequential(Linear(784, 10, bias: false), ReLU(inplace: true))
        _ = (model[0], model[0..<1], model.count)
        _ = (model.parameters(), model.namedParameters(), model.children())
        try model.loadStateDict(model.stateDict())
        model.train()
        model.eval()
        model.to(dtype: .float32)
        model.apply { _ in }
        _ = "\(model)"
        model.registerForwardHook { _, _, out in out }
        _ = Conv2d(1, 32, 3, 1)
        _ = Conv2d(3, 6, 5, padding: 2)
        _ = Conv2d(3, 6, kernelSize: 3, padding: .same)
        _ = ConvTranspose2d(100, 64, 4, 1, 0, bias: false)
        _ = (MaxPool2d(2), MaxPool2d(3, 2, 1), AvgPool2d(2, divisorOverride: 1))
        let img = Tensor.randn([1, 1, 4, 4])
        let (pooled, idx) = MaxPool2d(2, returnIndices: true).withIndices(img)
        _ = MaxUnpool2d(2)(pooled, idx)
        let fractional = FractionalMaxPool2d(3, outputRatio: [0.5, 0.5])
        XCTAssertEqual(fractional(Tensor.randn([1, 2, 10, 10])).shape, [1, 2, 5, 5])
        XCTAssertEqual(fractional.description, "FractionalMaxPool2d(kernel_size=3, output_ratio=[0.5, 0.5])")
        _ = (AdaptiveAvgPool2d(1), Flatten(), Unflatten(1, [2, 5]))
        _ = (BatchNorm2d(64), LayerNorm([512]), GroupNorm(4, 64))
        _ = (Dropout(0.5), LeakyReLU(0.2, inplace: true))
        _ = (Embedding(10, 3, paddingIdx: 0, maxNorm: 1.0), EmbeddingBag(10, 3, mode: .mean))
        let lstm = LSTM(10, 20, numLayers: 2, batchFirst: true)
        let h0 = Tensor.zeros([2, 3, 20])
        let (out, (h, c)) = lstm(Tensor.randn([3, 5, 10]), (h0, h0))
        XCTAssertEqual([out.shape, h.shape, c.shape], [[3, 5, 20], [2, 3, 20], [2, 3, 20]])
        _ = (GRU(10, 20), RNN(10, 20), LSTM(10, 20, projSize: 8))
        let cell = LSTMCell(1, 51)
        var (hc, cc) = cell(Tensor.randn([2, 1]))
        (hc, cc) = cell(Tensor.randn([2, 1]), (hc, cc))
        let padded = Tensor.randn([3, 4, 10])
        let packed = packPaddedSequence(padded, lengths: [2, 4, 1], batchFirst: true, enforceSorted: false)
        let (packedOut, _) = lstm(packed)
        _ = padPackedSequence(packedOut, batchFirst: true)
        _ = (
            packSequence([Tensor.randn([3]), Tensor.randn([2])]), padSequence([Tensor.randn([3]), Tensor.randn([2])])
        )
        let mha = MultiheadAttention(embedDim: 64, numHeads: 8, batchFirst: true)
        let q = Tensor.randn([2, 3, 64])
        let (attn, weights) = mha(q, q, q, keyPaddingMask: Tensor.zeros([2, 3], dtype: .bool))
        XCTAssertEqual([attn.shape, weights!.shape], [[2, 3, 64], [2, 3, 3]])
        let enc = TransformerEncoder(TransformerEncoderLayer(64, 8, 128), numLayers: 2)
        _ = enc(Tensor.randn([5, 2, 64]), mask: Transformer.generateSquareSubsequentMask(5))
        let tr = Transformer(dModel: 16, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32)
        _ = tr(
            Tensor.randn([5, 2, 16]), Tensor.randn([4, 2, 16]), tgtMask: Transformer.generateSquareSubsequentMask(4))
        _ = (PixelShuffle(3), Upsample(scaleFactor: 2.0, mode: .bicubic))
        _ = (Fold(outputSize: [4, 5], kernelSize: 2), Unfold(kernelSize: 3, padding: 1))

        let x = Tensor.randn([4, 5])
        _ = (relu(x), x.relu(), x.gelu(), x.silu(), x.sigmoid(), x.softmax(dim: 1), logSoftmax(x, dim: 1))
        _ = (maxPool2d(img, kernel: 2), maxPool2dWithIndices(img, kernel: 2))
        _ = (maxPool2d(img, 2), avgPool2d(img, 3, 2, 1), dropout(x))
        _ = (Dropout2d(0.25), channelDropout(img, p: 0.25, training: true, spatialDims: 2))
        _ = interpolate(img, scaleFactor: [2], mode: .bilinear, alignCorners: false)
        _ = interpolate(Tensor.randn([1, 1, 64, 64]), size: [32, 32], mode: .bicubic, antialias: true)
        _ = (dropout(x, p: 0.5, training: true), x.pad([1, 1]), oneHot(Tensor([1, 2]), numClasses: 10))
        _ = normalize(x, dim: 1)
        _ = scaledDotProductAttention(q, q, q, isCausal: true)

        let yClass = Tensor([1, 0, 3, 2])
        let criterion = CrossEntropyLoss(labelSmoothing: 0.1)
        _ = criterion(x, yClass)
        _ = (crossEntropy(x, yClass), nllLoss(logSoftmax(x, dim: 1), yClass), mseLoss(x, x))
        _ = (BCELoss(), BCEWithLogitsLoss(posWeight: Tensor.ones([5])), KLDivLoss(reduction: .batchmean))
        _ = (L1Loss(), SmoothL1Loss(), HuberLoss())
        let ctc = CTCLoss()
        _ = ctc(Tensor.randn([6, 1, 4]).logSoftmax(dim: 2), Tensor([[1, 2]]), inputLengths: [6], targetLengths: [2])
        _ = (TripletMarginLoss(), MultiMarginLoss(), MultiLabelSoftMarginLoss())
        _ = (SoftMarginLoss(), PoissonNLLLoss(), GaussianNLLLoss(), HingeEmbeddingLoss())
        _ = (MarginRankingLoss(), CosineEmbeddingLoss())
    }

    func testOptimDataSavingAndDistributionRows() throws {
        let model = Linear(4, 2)
        let params = model.parameters()
        _ = SGD(params, lr: 0.1, momentum: 0.9)
        let adam = Adam(params, lr: 2e-4, betas: (0.5, 0.999))
        _ = AdamW(params)
        _ = (RMSprop(params), Adagrad(params), Adadelta(params), NAdam(params), RAdam(params), Rprop(params))
        _ = ASGD(params)
        adam.zeroGrad()
        adam.step()
        let lbfgs = LBFGS(params, lr: 0.8)
        _ = lbfgs.step {
            lbfgs.zeroGrad()
            let loss = model(Tensor.randn([3, 4])).square().sum()
            loss.backward()
            return loss
        }
        _ = LRScheduler.stepLR(adam, stepSize: 1, gamma: 0.7)
        _ = LRScheduler.cosineAnnealingLR(adam, tMax: 10)
        _ = LRScheduler.oneCycleLR(adam, maxLR: 0.1, totalSteps: 10)
        _ = LRScheduler.lambdaLR(adam) { _ in 1 }
        let a = LRScheduler.linearLR(adam)
        let b = LRScheduler.exponentialLR(adam, gamma: 0.9)
        _ = SequentialLR(adam, schedulers: [a, b], milestones: [5])
        _ = ChainedScheduler([a, b])
        let plateau = ReduceLROnPlateau(adam, patience: 2)
        plateau.step(1.0)
        _ = clipGradNorm(params, maxNorm: 0.25)
        _ = fuseConvBnEval(Conv2d(3, 4, 3).eval(), BatchNorm2d(4).eval())
        let wn = weightNorm(Linear(3, 2)), sn = spectralNorm(Conv2d(3, 4, 3))
        final class P: Module { override func forward(_ x: Tensor) -> Tensor { x } }
        let pm = registerParametrization(Linear(2, 2), "weight", P())
        _ = (parametrizations(of: pm, "weight")!.original, cachedParametrizations { pm.weight })
        removeParametrizations(pm, "weight")
        _ = (wn, sn)
        _ = EmbeddingBag(10, 3, sparse: true)
        let sparseEmb = Embedding(10, 3, sparse: true)
        let sparseOpt = SparseAdam(sparseEmb.parameters())
        sparseEmb(Tensor([1, 2])).sum().backward()
        _ = sparseEmb.weight.sparseGrad
        sparseOpt.step()

        let ds = TensorDataset(Tensor.randn([8, 4]), Tensor.randn([8]))
        let loader = DataLoader(ds, batchSize: 4, shuffle: true, numWorkers: 2)
        for batch in loader {
            let (xb, yb) = (batch[0], batch[1])
            XCTAssertEqual(xb.shape[0], yb.shape[0])
        }
        let path = NSTemporaryDirectory() + "porting-guide-\(getpid()).pt"
        try Torch.save(model.stateDict(), to: path)
        _ = try Torch.load(path)
        let states = Fixtures.directory.appendingPathComponent("optim_state").path
        try SGD(Linear(3, 2).parameters(), lr: 1).loadPyTorchStateDict(states + "/sgd.pt")
        try LRScheduler.stepLR(adam, stepSize: 2, gamma: 0.5).loadPyTorchStateDict(states + "/step_lr.pt")
        try? FileManager.default.removeItem(atPath: path)
        let mu = Tensor.zeros([2]), sigma = Tensor.ones([2])
        _ = Normal(loc: mu, scale: sigma).rsample()
        let cat = Categorical(probs: Tensor([0.2, 0.8]))
        _ = cat.logProb(cat.sample())
        _ = klDivergence(Normal(loc: mu, scale: sigma), Normal(loc: mu, scale: sigma * 2))
    }
}
