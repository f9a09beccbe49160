import XCTest
import Foundation
@testable import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchData
import TorchTestSupport

final class NNTests: XCTestCase {
    func testLinearAndStateDict() throws {
        Torch.manualSeed(3)
        let model = Sequential(Linear(4, 3), ReLU(), Linear(3, 2))
        XCTAssertEqual(model.namedParameters().map { $0.0 }, ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(model.parameters().map { $0.count }.reduce(0, +), 4 * 3 + 3 + 3 * 2 + 2)
        let x = Tensor.randn([5, 4])
        let l = model.children()[0] as! Linear
        let manual = (x.matmul(l.weight.t()) + l.bias!).relu()
        XCTAssertEqual(
            Torch.noGrad { model.children()[1](model.children()[0](x)) }.scalars, Torch.noGrad { manual }.scalars)
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
            XCTAssertTrue(
                text.contains(
                    "size mismatch for 0.weight: copying a param with shape [2, 2] from checkpoint, the shape in "
                        + "current model is [3, 4]."
                ), text)
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
        // Integers are refused, as PyTorch.
        XCTAssertEqual(Tensor([1, 2, 3]).to(.float64).softmax(dim: 0).dtype, .float64)
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
        for c in 0..<2 {
            for i in 0..<3 {
                for j in 0..<3 {
                    let xi = 1 + i - 1, xj = 2 + j - 1
                    direct += x[0, c, xi, xj].item() * w[1, c, i, j].item()
                }
            }
        }
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
