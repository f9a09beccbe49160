import XCTest
import Foundation
@testable import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchData

final class NNTests: XCTestCase {
    func testLinearAndStateDict() throws {
        Torch.manualSeed(3)
        let model = Sequential(Linear(4, 3), ReLU(), Linear(3, 2))
        XCTAssertEqual(model.namedParameters().map { $0.0 }, ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(model.parameters().map { $0.count }.reduce(0, +), 4 * 3 + 3 + 3 * 2 + 2)
        let x = Tensor.randn([5, 4])
        let l = model.children()[0] as! Linear
        let manual = (x.matmul(l.weight.t()) + l.bias!).relu()
        XCTAssertEqual(Torch.noGrad { model.children()[1](model.children()[0](x)) }.scalars, Torch.noGrad { manual }.scalars)
        // Default init bounds: kaiming uniform(a=sqrt 5) gives |w| <= 1/sqrt(fan_in).
        XCTAssertLessThanOrEqual(l.weight.abs().amax().item(), 0.5 + 1e-6)

        let other = Sequential(Linear(4, 3), ReLU(), Linear(3, 2))
        try other.loadStateDict(model.stateDict())
        XCTAssertEqual(other.parameters()[0].scalars, model.parameters()[0].scalars)

        var bad = model.stateDict()
        bad["0.weight"] = Tensor.zeros([2, 2])
        bad["extra"] = Tensor.zeros([1])
        bad["2.bias"] = nil
        XCTAssertThrowsError(try other.loadStateDict(bad)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("size mismatch for 0.weight: copying a param with shape [2, 2] from checkpoint, the shape in current model is [3, 4]."), text)
            XCTAssertTrue(text.contains("Missing key(s) in state_dict: \"2.bias\"."), text)
            XCTAssertTrue(text.contains("Unexpected key(s) in state_dict: \"extra\"."), text)
        }
        bad["0.weight"] = model.stateDict()["0.weight"]
        let r = try other.loadStateDict(bad, strict: false)
        XCTAssertEqual(r.missing, ["2.bias"]); XCTAssertEqual(r.unexpected, ["extra"])
        model.eval()
        XCTAssertFalse(model.children()[0].training)
    }

    func testCrossEntropyMatchesDefinition() {
        let logits = Tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]], dtype: .float64)
        let target = Tensor([1, 2])
        let loss = crossEntropy(logits, target).item()
        let row0 = -(2.0 - Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(0.5)))
        let row1 = -(3.0 - Foundation.log(Foundation.exp(0.1) + Foundation.exp(-1.0) + Foundation.exp(3.0)))
        XCTAssertEqual(loss, (row0 + row1) / 2, accuracy: 1e-12)
        let p = softmax(logits, dim: 1)
        for s in p.sum(dim: 1).scalars { XCTAssertEqual(s, 1, accuracy: 1e-12) }
    }

    func testFusedSoftmaxMatchesComposite() {
        for dt in [DType.float32, .float64] {
            let x = Tensor([[1.0, 2.0, 3.0, 1000.0], [-Double.infinity, 0.5, -2.0, 4.0], [0, 0, 0, 0]], dtype: dt)
            for d in [0, 1] {
                let composite = (x - x.logsumexp(dims: [d], keepdim: true))
                assertMatches(x.logSoftmax(dim: d), composite, "logSoftmax \(dt) dim \(d)", rtol: 1e-6, atol: 1e-6)
                assertMatches(x.softmax(dim: d), composite.exp(), "softmax \(dt) dim \(d)", rtol: 1e-6, atol: 1e-7)
            }
        }
        XCTAssertEqual(Tensor([1, 2, 3]).to(.float64).softmax(dim: 0).dtype, .float64)   // integers are refused, as PyTorch
    }

    func testLayerGradchecks() {
        let g = Generator(seed: 5)
        let x = Tensor.randn([2, 2, 5, 5], dtype: .float64, generator: g).requiresGrad_()
        let w = Tensor.randn([3, 2, 3, 3], dtype: .float64, generator: g).requiresGrad_()
        let b = Tensor.randn([3], dtype: .float64, generator: g).requiresGrad_()
        XCTAssertTrue(Torch.gradcheck({ conv2d($0[0], $0[1], $0[2], stride: 2, padding: 1) }, [x, w, b]).passed)
        XCTAssertTrue(Torch.gradcheck({ maxPool2d($0[0], kernel: 2) }, [x]).passed)
        let logits = Tensor.randn([4, 3], dtype: .float64, generator: g).requiresGrad_()
        XCTAssertTrue(Torch.gradcheck({ crossEntropy($0[0], Tensor([0, 2, 1, 2])) }, [logits]).passed)
        // conv2d against a direct sum for one output element.
        let out = Torch.noGrad { conv2d(x, w, b, padding: 1) }
        var direct = b.scalars[1]
        for c in 0..<2 { for i in 0..<3 { for j in 0..<3 {
            let xi = 1 + i - 1, xj = 2 + j - 1
            direct += x[0, c, xi, xj].item() * w[1, c, i, j].item()
        } } }
        XCTAssertEqual(out[0, 1, 1, 2].item(), direct, accuracy: 1e-12)
    }

    func testSGDMomentumUpdateRule() {
        let p = Tensor([1.0, -2.0], dtype: .float64).requiresGrad_()
        let opt = SGD([p], lr: 0.1, momentum: 0.9, weightDecay: 0.01)
        var buf: [Double]? = nil
        var expected = [1.0, -2.0]
        for _ in 0..<3 {
            opt.zeroGrad()
            (p * p).sum().backward()
            let d = zip(expected, expected).map { 2 * $0 + 0.01 * $1 }
            buf = buf.map { b in zip(b, d).map { 0.9 * $0 + $1 } } ?? d
            expected = zip(expected, buf!).map { $0 - 0.1 * $1 }
            opt.step()
        }
        XCTAssertEqual(p.scalars[0], expected[0], accuracy: 1e-12)
        XCTAssertEqual(p.scalars[1], expected[1], accuracy: 1e-12)
    }

    func testTrainingReducesLoss() {
        Torch.manualSeed(1)
        let x = Tensor.randn([256, 2])
        let y = ((x[..., 0] * x[..., 1]) .> 0).to(.int64)
        let model = Sequential(Linear(2, 16), ReLU(), Linear(16, 2))
        let opt = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
        var first = 0.0, last = 0.0
        for epoch in 0..<60 {
            for b in DataLoader(TensorDataset(x, y), batchSize: 64, shuffle: true, seed: UInt64(epoch)) {
                let loss = crossEntropy(model(b[0]), b[1])
                opt.zeroGrad(); loss.backward(); opt.step()
                if epoch == 0 && first == 0 { first = loss.item() }
                last = loss.item()
            }
        }
        XCTAssertLessThan(last, first * 0.5)
    }
}

final class IDXTests: XCTestCase {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-idx-\(getpid())")

    override func setUp() { try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let url = dir.appendingPathComponent(name)
        FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        return url.path
    }

    func idx(_ shape: [Int], _ data: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0, 0, 8, UInt8(shape.count)]
        for d in shape { b += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return b + data
    }

    func testReadsPlainAndGzipped() throws {
        let path = write("a-idx3-ubyte", idx([2, 2, 3], Array(0..<12)))
        let t = try IDX.load(path)
        XCTAssertEqual(t.shape, [2, 2, 3]); XCTAssertEqual(t.dtype, .uint8)
        XCTAssertEqual(t.toArray(Int.self), Array(0..<12))
        XCTAssertEqual(try runProgram("/bin/gzip", ["-k", "-f", path]).status, 0)
        XCTAssertEqual(try IDX.load(path + ".gz").toArray(Int.self), Array(0..<12))
    }

    func testFashionMNISTLayoutFromAnyRoot() throws {
        _ = write("train-images-idx3-ubyte", idx([3, 28, 28], [UInt8](repeating: 255, count: 3 * 784)))
        _ = write("train-labels-idx1-ubyte", idx([3], [1, 2, 9]))
        let ds = try FashionMNIST(root: dir.path, train: true)
        XCTAssertEqual(ds.images.shape, [3, 1, 28, 28]); XCTAssertEqual(ds.images.amax().item(), 1)
        XCTAssertEqual(ds.labels.toArray(Int.self), [1, 2, 9])
        _ = write("t10k-images-idx3-ubyte", idx([3, 28, 28], [UInt8](repeating: 0, count: 3 * 784)))
        _ = write("t10k-labels-idx1-ubyte", idx([2], [1, 2]))
        XCTAssertThrowsError(try FashionMNIST(root: dir.path, train: false)) { e in
            XCTAssertTrue("\(e)".contains("t10k-labels-idx1-ubyte: expected 3 labels"), "\(e)")
        }
    }

    func testBadFilesGiveClearErrors() {
        func error(_ bytes: [UInt8]) -> String {
            let path = write("bad", bytes)
            do { _ = try IDX.load(path); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(error([0, 0]).contains("file too short"))
        XCTAssertTrue(error([1, 0, 8, 1, 0, 0, 0, 1, 5]).contains("bad magic number"))
        XCTAssertTrue(error([0, 0, 0x0D, 1, 0, 0, 0, 1, 5]).contains("unsupported IDX element type"))
        XCTAssertTrue(error([0, 0, 8, 2, 0, 0, 0, 1]).contains("truncated header"))
        XCTAssertTrue(error(idx([4, 4], [1, 2, 3])).contains("expected 16 data bytes for shape [4, 4], found 3 (truncated or corrupt)"))
        XCTAssertTrue(error([0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255]).contains("overflow"))
        XCTAssertTrue(error([]).contains("file too short for an IDX header (0 bytes)"))
        do { _ = try IDX.load(dir.appendingPathComponent("missing").path); XCTFail() } catch {
            XCTAssertTrue("\(error)".contains("cannot open file"))
        }
    }
}

final class CIFARTests: XCTestCase {
    func testReadsBinaryBatchesAndRejectsBadOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cifar-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func record(_ label: UInt8, _ fill: UInt8) -> [UInt8] { [label] + [UInt8](repeating: fill, count: 3072) }
        FileManager.default.createFile(atPath: dir.appendingPathComponent("test_batch.bin").path,
                                       contents: Data(record(3, 255) + record(9, 0)))
        let ds = try CIFAR10(root: dir.path, train: false)
        XCTAssertEqual(ds.images.shape, [2, 3, 32, 32])
        XCTAssertEqual(ds.labels.toArray(Int.self), [3, 9])
        XCTAssertEqual(ds.images[0].amin().item(), 1); XCTAssertEqual(ds.images[1].amax().item(), 0)
        FileManager.default.createFile(atPath: dir.appendingPathComponent("test_batch.bin").path, contents: Data(record(3, 1).dropLast(5)))
        XCTAssertThrowsError(try CIFAR10(root: dir.path, train: false)) { e in
            XCTAssertTrue("\(e)".contains("test_batch.bin: size 3068 is not a whole number of 3073-byte records"), "\(e)")
        }
        FileManager.default.createFile(atPath: dir.appendingPathComponent("test_batch.bin").path, contents: Data(record(12, 1)))
        XCTAssertThrowsError(try CIFAR10(root: dir.path, train: false)) { e in XCTAssertTrue("\(e)".contains("label 12"), "\(e)") }
        XCTAssertThrowsError(try CIFAR10(root: dir.path, train: true)) { e in XCTAssertTrue("\(e)".contains("data_batch_1.bin: cannot open file"), "\(e)") }
    }
}

final class OptimAndNormTests: XCTestCase {
    /// Adam / AdamW / amsgrad against PyTorch's update rule written out in Double.
    func testAdamMatchesTheUpdateRule() {
        for (decoupled, amsgrad) in [(false, false), (true, false), (false, true)] {
            let p = Tensor([1.0, -2.0, 0.5], dtype: .float64).requiresGrad_()
            let opt = Adam([p], lr: 0.1, betas: (0.9, 0.99), eps: 1e-8, weightDecay: 0.1, amsgrad: amsgrad, decoupledWeightDecay: decoupled)
            var w = [1.0, -2.0, 0.5], m = [0.0, 0, 0], v = [0.0, 0, 0], vmax = [0.0, 0, 0]
            for t in 1...20 {
                opt.zeroGrad()
                (p * p * p).sum().backward()
                opt.step()
                for i in 0..<3 {
                    var g = 3 * w[i] * w[i]
                    if decoupled { w[i] *= 1 - 0.1 * 0.1 } else { g += 0.1 * w[i] }
                    m[i] = 0.9 * m[i] + 0.1 * g
                    v[i] = 0.99 * v[i] + 0.01 * g * g
                    vmax[i] = max(vmax[i], v[i])
                    let bc1 = 1 - Foundation.pow(0.9, Double(t)), bc2 = 1 - Foundation.pow(0.99, Double(t))
                    let second = amsgrad ? vmax[i] : v[i]
                    w[i] -= 0.1 * (m[i] / bc1) / ((second / bc2).squareRoot() + 1e-8)
                }
            }
            for i in 0..<3 { XCTAssertEqual(p.scalars[i], w[i], accuracy: 1e-10, "decoupled \(decoupled) amsgrad \(amsgrad)") }
        }
    }

    func testSchedulers() {
        let p = Tensor([1.0]).requiresGrad_()
        func lrs(_ make: (Optimizer) -> LRScheduler) -> [Double] {
            let o = SGD([p], lr: 0.1)
            let s = make(o)
            return (0..<6).map { _ in defer { s.step() }; return o.lr }
        }
        XCTAssertEqual(lrs { .stepLR($0, stepSize: 2, gamma: 0.5) }, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
        XCTAssertEqual(lrs { .multiStepLR($0, milestones: [1, 4], gamma: 0.1) }.map { ($0 * 1e6).rounded() / 1e6 }, [0.1, 0.01, 0.01, 0.01, 0.001, 0.001])
        let cos = lrs { .cosineAnnealingLR($0, tMax: 4) }
        XCTAssertEqual(cos[2], 0.05, accuracy: 1e-12); XCTAssertEqual(cos[4], 0, accuracy: 1e-12)
        XCTAssertEqual(lrs { .linearLR($0, startFactor: 0.5, endFactor: 1, totalIters: 2) }.map { ($0 * 1e6).rounded() / 1e6 }, [0.05, 0.075, 0.1, 0.1, 0.1, 0.1])
        XCTAssertEqual(lrs { .exponentialLR($0, gamma: 0.5) }[3], 0.0125, accuracy: 1e-12)
        XCTAssertEqual(lrs { .lambdaLR($0) { 1.0 / Double($0 + 1) } }[1], 0.05, accuracy: 1e-12)
    }

    func testNormsEmbeddingAndClipping() {
        let x = Tensor.randn([4, 3, 5, 5], dtype: .float64, generator: Generator(seed: 2)) * 3 + 1
        let bn = BatchNorm(3)
        let y = bn(x.to(.float32)).to(.float64)
        for c in 0..<3 {
            XCTAssertEqual(y.select(1, c).mean().item(), 0, accuracy: 1e-5)
            XCTAssertEqual(y.select(1, c).variance(correction: 0).item(), 1, accuracy: 1e-3)
        }
        XCTAssertEqual(bn.runningMean!.scalars[0], 0.1 * x.select(1, 0).mean().item(), accuracy: 1e-5)
        bn.eval()
        XCTAssertEqual(bn(x.to(.float32)).shape, [4, 3, 5, 5])
        let ln = LayerNorm([5])
        let z = ln(x.to(.float32))
        XCTAssertEqual(z.mean(dims: [3]).abs().amax().item(), 0, accuracy: 1e-5)
        let emb = Embedding(10, 4, paddingIdx: 0)
        let e = emb(Tensor([[0, 3], [3, 9]]))
        XCTAssertEqual(e.shape, [2, 2, 4]); XCTAssertEqual(e[0, 0].abs().sum().item(), 0)
        e.sum().backward()
        XCTAssertEqual(emb.weight.grad![0].abs().sum().item(), 0)
        XCTAssertEqual(emb.weight.grad![3].scalars, [2, 2, 2, 2])
        let w = Tensor([3.0, 4.0]).requiresGrad_()
        (w * w).sum().backward()           // grad [6, 8], norm 10
        XCTAssertEqual(clipGradNorm([w], maxNorm: 5), 10, accuracy: 1e-6)
        XCTAssertEqual(w.grad!.scalars[0], 3, accuracy: 1e-5)
        clipGradValue([w], clip: 1)
        XCTAssertEqual(w.grad!.scalars, [1, 1])
        let ps = [Tensor.randn([3, 3], dtype: .float64).requiresGrad_()]
        XCTAssertTrue(Torch.gradcheck({ LayerNorm([3]).forwardDouble($0[0]) }, ps).passed)
    }
}

extension LayerNorm {
    func forwardDouble(_ x: Tensor) -> Tensor {
        let mean = x.mean(dims: [1], keepdim: true), v = x.variance(dims: [1], correction: 0, keepdim: true)
        return (x - mean) / (v + eps).sqrt() * weight.to(.float64) + bias.to(.float64)
    }
}

final class MoreOptimizerTests: XCTestCase {
    /// Each optimizer against its update rule written out in Double, 15 steps on f(p) = Σ p³.
    func testUpdateRules() {
        let start = [1.0, -0.5, 0.25]
        func run(_ make: ([Tensor]) -> Optimizer) -> [Double] {
            let p = Tensor(start, dtype: .float64).requiresGrad_()
            let o = make([p])
            for _ in 0..<15 { o.zeroGrad(setToNil: true); (p * p * p).sum().backward(); o.step() }
            return p.scalars
        }
        func reference(_ rule: (inout [Double], [Double], Int, inout [String: [Double]]) -> Void) -> [Double] {
            var w = start
            var st: [String: [Double]] = [:]
            for t in 1...15 { let g = w.map { 3 * $0 * $0 }; rule(&w, g, t, &st) }
            return w
        }
        func zeros(_ st: inout [String: [Double]], _ k: String, _ v: Double = 0) -> [Double] { st[k] ?? [v, v, v] }
        let rms = reference { w, g, _, st in
            var v = zeros(&st, "v")
            for i in 0..<3 { v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i]; w[i] -= 0.01 * g[i] / (v[i].squareRoot() + 1e-8) }
            st["v"] = v
        }
        let ada = reference { w, g, t, st in
            var s = zeros(&st, "s", 0.1)
            for i in 0..<3 { s[i] += g[i] * g[i]; w[i] -= 0.05 / (1 + Double(t - 1) * 0.01) * g[i] / (s[i].squareRoot() + 1e-10) }
            st["s"] = s
        }
        let delta = reference { w, g, _, st in
            var v = zeros(&st, "v"), u = zeros(&st, "u")
            for i in 0..<3 {
                v[i] = 0.9 * v[i] + 0.1 * g[i] * g[i]
                let d = (u[i] + 1e-6).squareRoot() / (v[i] + 1e-6).squareRoot() * g[i]
                u[i] = 0.9 * u[i] + 0.1 * d * d
                w[i] -= d
            }
            st["v"] = v; st["u"] = u
        }
        let amax = reference { w, g, t, st in
            var m = zeros(&st, "m"), u = zeros(&st, "u")
            for i in 0..<3 {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                u[i] = max(0.999 * u[i], abs(g[i]) + 1e-8)
                w[i] -= 0.002 / (1 - Foundation.pow(0.9, Double(t))) * m[i] / u[i]
            }
            st["m"] = m; st["u"] = u
        }
        let got = [run { RMSprop($0) }, run { Adagrad($0, lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1) },
                   run { Adadelta($0) }, run { Adamax($0) }]
        for (g, r) in zip(got, [rms, ada, delta, amax]) {
            for i in 0..<3 { XCTAssertEqual(g[i], r[i], accuracy: 1e-10) }
        }
    }
}

final class ParamGroupTests: XCTestCase {
    func testPerGroupOptionsStateDictAndSchedulers() throws {
        let a = Tensor([1.0], dtype: .float64).requiresGrad_(), b = Tensor([1.0], dtype: .float64).requiresGrad_()
        let opt = SGD(groups: [ParamGroup([a], lr: 0.1), ParamGroup([b], options: ["momentum": 0.9])], lr: 0.5)
        XCTAssertEqual(opt.paramGroups.map { $0.lr! }, [0.1, 0.5])
        for _ in 0..<2 {
            opt.zeroGrad()
            (a * 2 + b * 2).sum().backward()
            opt.step()
        }
        XCTAssertEqual(a.scalars[0], 1 - 0.1 * 2 * 2, accuracy: 1e-12)            // no momentum in group 0
        XCTAssertEqual(b.scalars[0], 1 - 0.5 * 2 - 0.5 * (2 * 0.9 + 2), accuracy: 1e-12)
        XCTAssertNil(opt.buffers[0]); XCTAssertNotNil(opt.buffers[1])

        // A scheduler scales each group's own base learning rate.
        let s = LRScheduler.stepLR(opt, stepSize: 1, gamma: 0.5)
        s.step()
        XCTAssertEqual(opt.paramGroups.map { $0.lr! }, [0.05, 0.25])

        // State dict round trip into a fresh optimizer.
        let (tensors, meta) = opt.stateDict()
        XCTAssertEqual(meta["step"], "2"); XCTAssertEqual(meta["group.1.momentum"], "0.9")
        let a2 = Tensor([1.0], dtype: .float64).requiresGrad_(), b2 = Tensor([1.0], dtype: .float64).requiresGrad_()
        let fresh = SGD(groups: [ParamGroup([a2]), ParamGroup([b2])], lr: 1)
        try fresh.loadStateDict(tensors, metadata: meta)
        XCTAssertEqual(fresh.paramGroups.map { $0.lr! }, [0.05, 0.25])
        XCTAssertEqual(fresh.paramGroups[1].options["momentum"], 0.9)
        XCTAssertEqual(fresh.buffers[1]!.scalars, opt.buffers[1]!.scalars)
        XCTAssertThrowsError(try SGD([a2], lr: 1).loadStateDict(tensors, metadata: meta)) { e in
            XCTAssertTrue("\(e)".contains("2 parameter groups, the optimizer has 1"), "\(e)")
        }
        let adam = Adam([a], lr: 0.01)
        adam.zeroGrad(); (a * a).sum().backward(); adam.step()
        XCTAssertEqual(Set(adam.stateDict().tensors.keys), ["state.0.exp_avg", "state.0.exp_avg_sq", "state.0.step"])
    }
}
