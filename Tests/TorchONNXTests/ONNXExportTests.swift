import Foundation
import Torch
import TorchIO
import TorchNN
import TorchONNX
import TorchTestSupport
import XCTest

/// Models exported by `Torch.onnx.export`, checked by onnx's full checker and run by onnxruntime
/// against SwiftTorch's own outputs (scripts/onnx_check.py, in .venv-onnx from scripts/setup.sh).
final class ONNXExportTests: XCTestCase {
    let dir = NSTemporaryDirectory() + "swifttorch-onnx-\(getpid())"
    /// Exported models and their cases, checked together by one onnx_check.py run per test.
    var pending: [String] = []

    override func setUp() {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        pending = []
    }

    /// Exports `module` called by `forward` on `inputs`, and queues a check on them and on
    /// `more` inputs (another batch size, through the dynamic axes).
    func export(
        _ name: String, _ module: Module, _ inputs: [Tensor], more: [[Tensor]] = [], opset: Int = 17,
        dynamic: [Int: Int] = [:], forward: (([Tensor]) -> [Tensor])? = nil
    ) throws {
        let path = "\(dir)/\(name).onnx"
        let call = forward ?? { xs in [module(xs[0])] }
        module.eval()
        let outs = Torch.noGrad { call(inputs) }
        var axes: [String: [Int: String]] = [:]
        for (i, d) in dynamic { axes["input\(i)"] = [d: "batch"] }
        try ONNXExport.export(module, inputs, forward: call, to: path, opset: opset, dynamicAxes: axes)
        var cases: [String] = []
        for (k, xs) in ([inputs] + more).enumerated() {
            let ys = k == 0 ? outs : Torch.noGrad { call(xs) }
            var arrays: [String: Tensor] = [:]
            for (i, x) in xs.enumerated() { arrays["input\(i)"] = x }
            for (i, y) in ys.enumerated() { arrays["expected\(i)"] = y.detach() }
            let c = "\(dir)/\(name)-\(k).npz"
            try NPZ.save(arrays, to: c)
            cases.append(c)
        }
        pending.append(path + "=" + cases.joined(separator: ","))
    }

    /// Runs onnx_check.py on everything exported, or skips when onnxruntime is not installed.
    func runChecks(file: StaticString = #filePath, line: UInt = #line) throws {
        let python = repositoryRoot.appendingPathComponent(".venv-onnx/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python), pythonCanImport(python, "onnxruntime") else {
            throw XCTSkip("no .venv-onnx with onnx and onnxruntime (scripts/setup.sh creates it)")
        }
        let script = repositoryRoot.appendingPathComponent("scripts/onnx_check.py").path
        let r = try runProgram(python, [script] + pending)
        XCTAssertEqual(r.status, 0, r.output, file: file, line: line)
        XCTAssertTrue(r.output.contains("all models match"), r.output, file: file, line: line)
    }

    func testTheCheckerFailsOnAWrongValueANaNAndAnInfinity() throws {
        Torch.manualSeed(0)
        let m = Linear(3, 2)
        let x = Tensor.randn([2, 3])
        try export("checker", m, [x])
        // Overwrite the expected outputs: one wrong value, a NaN, an infinity.
        let right = Torch.noGrad { m(x) }
        for (k, bad) in [Float(0.5), Float.nan, Float.infinity].enumerated() {
            let wrong = right.detach().clone()
            wrong[0, 0] = Tensor(right[0, 0].item(Float.self) + (k == 0 ? bad : 0) + (k == 0 ? 0 : bad))
            let c = "\(dir)/checker-bad\(k).npz"
            try NPZ.save(["input0": x, "expected0": wrong], to: c)
            pending = ["\(dir)/checker.onnx=\(c)"]
            let python = repositoryRoot.appendingPathComponent(".venv-onnx/bin/python").path
            guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no .venv-onnx") }
            let r = try runProgram(
                python, [repositoryRoot.appendingPathComponent("scripts/onnx_check.py").path] + pending)
            XCTAssertEqual(r.status, 1, r.output)
            XCTAssertTrue(r.output.contains("MISMATCH"), r.output)
        }
    }

    func testMLPAndTheMainJobsModels() throws {
        Torch.manualSeed(1)
        let mlp = Sequential(Flatten(), Linear(784, 256), ReLU(), Linear(256, 10))
        try export(
            "mlp", mlp, [Tensor.randn([4, 1, 28, 28])], more: [[Tensor.randn([7, 1, 28, 28])]], dynamic: [0: 0])
        let cnn = Sequential(
            Conv2d(1, 16, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2),
            Conv2d(16, 32, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2),
            Flatten(), Linear(32 * 7 * 7, 128), ReLU(), Linear(128, 10))
        try export(
            "cnn", cnn, [Tensor.randn([2, 1, 28, 28])], more: [[Tensor.randn([5, 1, 28, 28])]], dynamic: [0: 0])
        try runChecks()
    }

    final class LeNet5: Module {
        let conv1 = Conv2d(1, 6, kernelSize: 5, padding: 2), conv2 = Conv2d(6, 16, kernelSize: 5)
        let fc1 = Linear(16 * 5 * 5, 120), fc2 = Linear(120, 84), fc3 = Linear(84, 10)
        let pool = AvgPool2d(2)
        override func forward(_ x: Tensor) -> Tensor {
            var y = pool(conv1(x).tanh())
            y = pool(conv2(y).tanh())
            y = y.view([y.shape[0], -1])  // the batch size as an Int: exported as "copy dim 0"
            return fc3(fc2(fc1(y).relu()).relu()).logSoftmax(dim: 1)
        }
    }

    func testLeNet5WithADynamicBatch() throws {
        Torch.manualSeed(2)
        try export(
            "lenet", LeNet5(), [Tensor.randn([3, 1, 28, 28])], more: [[Tensor.randn([8, 1, 28, 28])]], dynamic: [0: 0])
        try runChecks()
    }

    final class LanguageModel: Module {
        let embed = Embedding(50, 16), lstm = LSTM(16, 24, numLayers: 2, dropout: 0.2), drop = Dropout(0.2)
        let decoder = Linear(24, 50)
        override func forward(_ x: Tensor) -> Tensor {
            let (out, _, _) = lstm(drop(embed(x)))
            return decoder(drop(out))
        }
    }

    func testRecurrentModels() throws {
        Torch.manualSeed(3)
        let tokens = Tensor.randint(0, 50, [6, 3])
        try export("lstm-lm", LanguageModel(), [tokens], more: [[Tensor.randint(0, 50, [6, 5])]], dynamic: [0: 1])
        let gru = GRU(8, 12, numLayers: 2, batchFirst: true, bidirectional: true)
        try export(
            "gru", gru, [Tensor.randn([2, 5, 8]), Tensor.randn([4, 2, 12])],
            forward: { xs in
                let (y, h) = gru(xs[0], xs[1]); return [y, h]
            })
        let lstm = LSTM(5, 7, bidirectional: true)
        try export(
            "lstm", lstm, [Tensor.randn([4, 3, 5]), Tensor.randn([2, 3, 7]), Tensor.randn([2, 3, 7])],
            forward: { xs in
                let (y, (h, c)) = lstm(xs[0], (xs[1], xs[2])); return [y, h, c]
            })
        let rnn = RNN(4, 6)
        try export(
            "rnn", rnn, [Tensor.randn([5, 2, 4])],
            forward: { xs in
                let r = rnn(xs[0], h0: nil, c0: nil); return [r.output, r.h]
            })
        // Unbatched sequences [L, H] with unbatched states, through batch-first layers too.
        let lstm1 = LSTM(5, 7, numLayers: 2, batchFirst: true)
        try export(
            "lstm-unbatched", lstm1, [Tensor.randn([4, 5]), Tensor.randn([2, 7]), Tensor.randn([2, 7])],
            forward: { xs in
                let (y, (h, c)) = lstm1(xs[0], (xs[1], xs[2])); return [y, h, c]
            })
        let gru1 = GRU(3, 4, bidirectional: true)
        try export(
            "gru-unbatched", gru1, [Tensor.randn([6, 3])],
            forward: { xs in
                let (y, h) = gru1(xs[0], nil); return [y, h]
            })
        try runChecks()
    }

    func testTransformerEncoderAndBatchNorm() throws {
        Torch.manualSeed(4)
        let encoder = TransformerEncoder(
            TransformerEncoderLayer(dModel: 16, nhead: 4, dimFeedforward: 32, dropout: 0.1), numLayers: 2)
        try export(
            "transformer", encoder, [Tensor.randn([5, 2, 16])], more: [[Tensor.randn([5, 3, 16])]], dynamic: [0: 1])
        let bn = Sequential(
            Conv2d(3, 8, kernelSize: 3), BatchNorm2d(8), ReLU(), AdaptiveAvgPool2d(1), Flatten(), Linear(8, 4))
        // Running statistics that are not the initial zeros and ones.
        bn.train()
        for _ in 0..<3 { _ = bn(Tensor.randn([6, 3, 10, 10]) * 2 + 1) }
        try export(
            "batchnorm", bn, [Tensor.randn([2, 3, 10, 10])], more: [[Tensor.randn([4, 3, 10, 10])]], dynamic: [0: 0])
        try runChecks()
    }

    func testEveryLayerAlone() throws {
        Torch.manualSeed(5)
        let r = { (s: [Int]) in Tensor.randn(s) }
        let layers: [(String, Module, Tensor)] = [
            ("linear3d", Linear(4, 3), r([2, 5, 4])),
            ("conv1d", Conv1d(2, 3, kernelSize: 3, stride: 2, padding: 1), r([2, 2, 9])),
            ("conv2d-same", Conv2d(2, 4, kernelSize: 3, padding: .same, dilation: 2, groups: 2), r([1, 2, 7, 7])),
            ("conv3d", Conv3d(2, 2, kernelSize: 2), r([1, 2, 4, 4, 4])),
            ("convT1d", ConvTranspose1d(2, 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1), r([1, 2, 5])),
            ("convT2d", ConvTranspose2d(2, 3, kernelSize: 3, stride: 2), r([1, 2, 4, 4])),
            ("maxpool1d", MaxPool1d(2), r([1, 2, 8])),
            ("maxpool2d", MaxPool2d(3, stride: 2, padding: 1), r([1, 2, 9, 9])),
            ("maxpool3d", MaxPool3d(2), r([1, 1, 4, 4, 4])), ("avgpool1d", AvgPool1d(3, stride: 2), r([1, 2, 9])),
            ("avgpool2d", AvgPool2d(2, stride: 2, padding: 1, countIncludePad: false), r([1, 2, 6, 6])),
            ("avgpool3d", AvgPool3d(2), r([1, 1, 4, 4, 4])),
            (
                "avgpool2d-divisor", AvgPool2d(3, stride: 2, padding: 1, ceilMode: true, divisorOverride: 5),
                r([1, 2, 6, 7])
            ),
            ("alphadropout", AlphaDropout(0.5), r([2, 3])),
            ("featurealphadropout", FeatureAlphaDropout(0.2), r([2, 3, 4])),
            ("rrelu", RReLU(lower: 0.1, upper: 0.4), r([2, 5])),
            ("adaptiveavg", AdaptiveAvgPool2d([2, 3]), r([1, 2, 4, 6])),
            ("adaptivemax", AdaptiveMaxPool2d(1), r([1, 2, 5, 5])), ("bn1d", BatchNorm1d(4), r([3, 4])),
            ("bn3d", BatchNorm(2), r([1, 2, 3, 3, 3])), ("layernorm", LayerNorm([4, 5]), r([2, 3, 4, 5])),
            ("groupnorm", GroupNorm(2, 4), r([2, 4, 3, 3])),
            ("instnorm1d", InstanceNorm1d(3, affine: true), r([2, 3, 6])),
            ("instnorm2d", InstanceNorm2d(3), r([2, 3, 4, 4])), ("instnorm3d", InstanceNorm3d(2), r([1, 2, 3, 3, 3])),
            ("dropout", Dropout(0.5), r([2, 3])), ("relu", ReLU(), r([2, 5])), ("leaky", LeakyReLU(0.1), r([2, 5])),
            ("elu", ELU(alpha: 0.7), r([2, 5])), ("gelu", GELU(), r([2, 5])),
            ("gelutanh", GELU(approximate: .tanh), r([2, 5])),
            ("silu", SiLU(), r([2, 5])), ("mish", Mish(), r([2, 5])), ("tanh", Tanh(), r([2, 5])),
            ("sigmoid", Sigmoid(), r([2, 5])),
            ("softplus", Softplus(beta: 2), r([2, 5])), ("hardtanh", Hardtanh(minVal: -0.5, maxVal: 0.5), r([2, 5])),
            ("relu6", ReLU6(), r([2, 5]) * 4), ("softmax", Softmax(dim: 1), r([2, 5])),
            ("logsoftmax", LogSoftmax(dim: -1), r([2, 5])),
            ("softsign", Softsign(), r([2, 5])), ("selu", SELU(), r([2, 5])),
            ("flatten", Flatten(1, 2), r([2, 3, 4, 5])),
            ("identity", Identity(), r([2, 5])), ("mha", MultiheadAttention(embedDim: 8, numHeads: 2), r([4, 2, 8])),
            (
                "encoderlayer",
                TransformerEncoderLayer(
                    dModel: 8, nhead: 2, dimFeedforward: 16, gelu: true, batchFirst: true, normFirst: true),
                r([2, 4, 8])
            ),
        ]
        for (name, m, x) in layers { try export(name, m, [x]) }
        let decoder = TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16)
        try export("decoderlayer", decoder, [r([3, 2, 8]), r([5, 2, 8])], forward: { xs in [decoder(xs[0], xs[1])] })
        let transformer = Transformer(
            dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, batchFirst: true)
        try export(
            "transformer-full", transformer, [r([2, 5, 8]), r([2, 3, 8])],
            forward: { xs in [transformer(xs[0], xs[1])] })
        let emb = Embedding(10, 4)
        try export("embedding", emb, [Tensor.randint(0, 10, [3, 2])])
        let mha = MultiheadAttention(embedDim: 8, numHeads: 2, batchFirst: true)
        try export(
            "mha-cross", mha, [r([2, 3, 8]), r([2, 5, 8]), r([2, 5, 8])],
            forward: { xs in
                let (y, w) = mha(xs[0], xs[1], xs[2]); return [y, w!]
            })
        try runChecks()
    }

    func testTensorOpsAndEveryOpset() throws {
        Torch.manualSeed(6)
        let lin = Linear(6, 6)
        let f: ([Tensor]) -> [Tensor] = { xs in
            let x = xs[0]
            let y = (lin(x).sigmoid() * 2 - x.abs().sqrt()).permute(1, 0).unsqueeze(0)
            let z = Tensor.cat([y, y.exp().neg()], dim: 0).softmax(dim: -1).sum(dims: [0]).transpose(0, 1)
            return [
                z.mean(dim: 1, keepdim: true) + x.narrow(1, start: 1, length: 2).sum(dim: 1, keepdim: true),
                x.select(1, 2).maximum(x[.all, 0]),
            ]
        }
        for opset in 17...20 { try export("ops-\(opset)", lin, [Tensor.randn([3, 6])], opset: opset, forward: f) }
        let w = Tensor.randn([6, 4]), bias = Tensor.randn([4])
        let g: ([Tensor]) -> [Tensor] = { xs in
            let x = xs[0]
            let y = Tensor.where(x .> 0, x, x * 0.1)
            return [
                y.prod(dims: [1], keepdim: true), y.amax(dims: [0]), y.amin(dims: [1]), y.cumsum(dim: 1),
                Tensor.addmm(bias, x, w), x.indexSelect(1, Tensor([4, 0, 0] as [Int64])),
                x.gather(1, Tensor([[1, 0], [5, 5], [2, 3]] as [[Int64]])),
            ]
        }
        for opset in [17, 18] { try export("ops2-\(opset)", lin, [Tensor.randn([3, 6])], opset: opset, forward: g) }
        let gn = Sequential(Conv2d(2, 4, kernelSize: 1), GroupNorm(2, 4), GELU())
        for opset in 17...20 { try export("gn-\(opset)", gn, [Tensor.randn([2, 2, 3, 3])], opset: opset) }
        try runChecks()
    }

    /// The MNIST example's network (layers and functional calls mixed, as PyTorch's example).
    final class MNISTNet: Module {
        let conv1 = Conv2d(1, 32, 3, 1), conv2 = Conv2d(32, 64, 3, 1)
        let dropout1 = Dropout(0.25), dropout2 = Dropout(0.5)
        let fc1 = Linear(9216, 128), fc2 = Linear(128, 10)
        override func forward(_ x: Tensor) -> Tensor {
            var x = relu(conv1(x))
            x = maxPool2d(relu(conv2(x)), kernel: 2)
            x = dropout1(x).flatten(startDim: 1)
            return logSoftmax(fc2(dropout2(relu(fc1(x)))), dim: 1)
        }
    }

    /// Weights held as parameters and used through the functional forms.
    final class FunctionalNet: Module {
        let w1 = parameter(Tensor.randn([4, 2, 3, 3]) * 0.3), b1 = parameter(Tensor.randn([4]))
        let w2 = parameter(Tensor.randn([3, 4, 3]) * 0.3)
        override func forward(_ x: Tensor) -> Tensor {
            var y = conv2d(x, w1, b1, stride: 1, padding: .same, dilation: 2)
            y = avgPool2d(y.tanh(), kernel: 2, ceilMode: true, countIncludePad: false)
            y = y.flatten(startDim: 2)
            y = conv1d(y, w2, nil, stride: 2, padding: 1)
            return maxPool1d(y, kernel: 2, stride: 1, dilation: 1)
        }
    }

    func testFunctionalForwards() throws {
        Torch.manualSeed(9)
        try export(
            "mnist-example", MNISTNet(), [Tensor.randn([2, 1, 28, 28])], more: [[Tensor.randn([3, 1, 28, 28])]],
            dynamic: [0: 0])
        try export(
            "functional", FunctionalNet(), [Tensor.randn([2, 2, 9, 9])], more: [[Tensor.randn([5, 2, 9, 9])]],
            dynamic: [0: 0])
        // Max pooling with PyTorch's per-plane indices, as a layer and as a function.
        let pool = MaxPool2d(3, stride: 2, padding: 1, returnIndices: true)
        try export(
            "maxpool-indices", pool, [Tensor.randn([2, 3, 7, 6])], more: [[Tensor.randn([3, 3, 7, 6])]],
            dynamic: [0: 0],
            forward: { xs in
                let (v, i) = pool.withIndices(xs[0]); return [v, i]
            })
        try export(
            "maxpool1d-indices", Identity(), [Tensor.randn([2, 2, 9])],
            forward: { xs in
                let (v, i) = maxPool1dWithIndices(xs[0], kernel: 2, stride: 2, dilation: 2, ceilMode: true)
                return [v, i]
            })
        try export(
            "avgpool-divisor", Identity(), [Tensor.randn([2, 3, 7, 6])], more: [[Tensor.randn([4, 3, 7, 6])]],
            dynamic: [0: 0],
            forward: { xs in [avgPool2d(xs[0], kernel: 3, stride: 2, padding: 1, ceilMode: true, divisorOverride: 4)] })
        try runChecks()
    }

    func testSpatialTransformer() throws {
        Torch.manualSeed(12)
        // A localisation layer predicts θ, affineGrid and gridSample warp the input with it.
        let localise = Linear(2 * 6 * 5, 6)
        func warp(_ x: Tensor, mode: GridSampleMode, padding: GridSamplePadding, align: Bool) -> Tensor {
            let theta =
                (localise(x.flatten(startDim: 1)) * 0.3).reshape([-1, 2, 3])
                + Tensor([[1, 0, 0], [0, 1, 0]] as [[Float]])
            let grid = affineGrid(theta, size: [x.shape[0], 2, 4, 7], alignCorners: align)
            return gridSample(x, grid, mode: mode, paddingMode: padding, alignCorners: align)
        }
        let cases: [(GridSampleMode, GridSamplePadding, Bool, Int)] = [
            (.bilinear, .zeros, false, 17), (.nearest, .border, true, 17), (.bicubic, .reflection, false, 20),
            (.bilinear, .reflection, true, 20),
        ]
        for (k, (mode, padding, align, opset)) in cases.enumerated() {
            try export(
                "stn-\(k)", localise, [Tensor.randn([3, 2, 6, 5])], more: [[Tensor.randn([5, 2, 6, 5])]], opset: opset,
                dynamic: [0: 0], forward: { xs in [warp(xs[0], mode: mode, padding: padding, align: align)] })
        }
        // 3-D sampling (GridSample of opset 20) at a grid given as an input.
        try export(
            "grid-sample-3d", localise, [Tensor.randn([2, 2, 3, 4, 5]), Tensor.rand([2, 2, 3, 2, 3]) * 2.4 - 1.2],
            opset: 20, forward: { xs in [gridSample(xs[0], xs[1], paddingMode: .border)] })
        XCTAssertThrowsError(
            try ONNXExport.export(
                localise, [Tensor.randn([1, 1, 2, 2, 2]), Tensor.rand([1, 1, 1, 1, 3])],
                forward: { xs in [gridSample(xs[0], xs[1])] }, to: "\(dir)/refused.onnx", opset: 17)
        ) { XCTAssertTrue("\($0)".contains("opset 20"), "\($0)") }
        try runChecks()
    }

    func testAttentionMasks() throws {
        Torch.manualSeed(10)
        let r = { (s: [Int]) in Tensor.randn(s) }
        let mha = MultiheadAttention(embedDim: 8, numHeads: 2)
        let attnMask = r([4, 6]) * 0.5
        let padding = Tensor([[false, false, true, false, false, true], [false, true, false, false, false, false]])
        try export(
            "mha-masks", mha, [r([4, 2, 8]), r([6, 2, 8])],
            forward: { xs in
                let (y, w) = mha(xs[0], xs[1], xs[1], keyPaddingMask: padding, attnMask: attnMask)
                return [y, w!]
            })
        let causal = MultiheadAttention(embedDim: 8, numHeads: 4, batchFirst: true)
        try export(
            "mha-causal", causal, [r([2, 5, 8])],
            forward: { xs in
                let (y, w) = causal(xs[0], xs[0], xs[0], averageAttnWeights: false, isCausal: true)
                return [y, w!]
            })
        let encoder = TransformerEncoder(TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16), numLayers: 2)
        let square = Transformer.generateSquareSubsequentMask(5)
        let keyPadding = Tensor([[false, false, false, false, true], [false, false, false, false, false]])
        try export(
            "encoder-masks", encoder, [r([5, 2, 8])],
            forward: { xs in [encoder(xs[0], mask: square, srcKeyPaddingMask: keyPadding)] })
        try runChecks()
    }

    func testLosses() throws {
        Torch.manualSeed(8)
        let logits = Tensor.randn([6, 5]), labels = Tensor([0, 4, 2, -100, 1, 3] as [Int64])
        let pred = Tensor.randn([4, 3]), target = Tensor.randn([4, 3])
        let cases: [(String, Loss, [Tensor])] = [
            ("ce-mean", CrossEntropyLoss(), [logits, labels]),
            ("ce-none", CrossEntropyLoss(reduction: .none), [logits, labels]),
            ("nll-sum", NLLLoss(reduction: .sum), [logits.logSoftmax(dim: 1), labels]),
            ("mse", MSELoss(), [pred, target]), ("l1-sum", L1Loss(reduction: .sum), [pred, target]),
            ("bce-logits", BCEWithLogitsLoss(), [pred, target.sigmoid()]),
            ("ce-weighted", CrossEntropyLoss(weight: Tensor.rand([5]) + 0.5), [logits, labels]),
            ("nll-weighted-none", NLLLoss(weight: Tensor.rand([5]) + 0.5, reduction: .none), [logits, labels]),
            ("smooth-l1", SmoothL1Loss(beta: 0.7), [pred * 2, target]),
            ("smooth-l1-beta0", SmoothL1Loss(reduction: .sum, beta: 0), [pred, target]),
            ("huber", HuberLoss(reduction: .none, delta: 0.8), [pred * 2, target]),
            ("bce", BCELoss(), [pred.sigmoid(), target.sigmoid()]),
            (
                "bce-weighted-saturated", BCELoss(weight: Tensor.rand([3])),
                [(pred * 40).sigmoid(), (target .> 0).to(.float32)]
            ),
            ("soft-margin", SoftMarginLoss(), [pred, target.sign()]),
            ("hinge-embedding", HingeEmbeddingLoss(margin: 0.5, reduction: .none), [pred, target.sign()]),
        ]
        for (name, l, inputs) in cases {
            try export(name, l, inputs, forward: { xs in [l(xs[0], xs[1])] })
        }
        try runChecks()
    }

    func testExternalDataFile() throws {
        Torch.manualSeed(7)
        let m = Sequential(Linear(32, 64), ReLU(), Linear(64, 4))
        let path = "\(dir)/external.onnx"
        m.eval()
        let x = Tensor.randn([2, 32])
        try ONNXExport.export(m, [x], to: path, externalDataThreshold: 256)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".data"))
        let model = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertLessThan(model.count, 4096)  // the weights are in the data file
        try NPZ.save(["input0": x, "expected0": Torch.noGrad { m(x) }], to: "\(dir)/external.npz")
        pending = ["\(path)=\(dir)/external.npz"]
        try runChecks()
    }

    func testAnOpWithNoExportNamesItAndTheUsersLine() {
        let m = Linear(3, 3)
        let line = #line + 1
        let f: ([Tensor]) -> [Tensor] = { xs in [m(xs[0]).cumprod(dim: 1)] }
        XCTAssertThrowsError(try ONNXExport.export(m, [Tensor.randn([2, 3])], forward: f, to: "\(dir)/bad.onnx")) { e in
            XCTAssertTrue("\(e)".contains("cumprod") && "\(e)".contains("has no ONNX export"), "\(e)")
            XCTAssertTrue("\(e)".contains("ONNXExportTests.swift:\(line)"), "\(e)")
        }
        let pool = FractionalMaxPool2d(2, outputSize: [3, 3])
        let line2 = #line + 1
        let g: ([Tensor]) -> [Tensor] = { xs in [pool(xs[0])] }
        XCTAssertThrowsError(
            try ONNXExport.export(pool, [Tensor.randn([1, 1, 6, 6])], forward: g, to: "\(dir)/bad2.onnx")
        ) { e in
            XCTAssertTrue("\(e)".contains("FractionalMaxPool2d"), "\(e)")
            XCTAssertTrue("\(e)".contains("ONNXExportTests.swift:\(line2)"), "\(e)")
        }
    }
}
