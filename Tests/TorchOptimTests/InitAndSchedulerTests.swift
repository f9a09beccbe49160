import XCTest
import Foundation
@testable import Torch
import TorchBase
@testable import TorchNN
import TorchOptim
import TorchTestSupport

final class InitAndSchedulerTests: XCTestCase {
    func testInitialisers() {
        let g = Generator(seed: 8)
        let w = Tensor.empty([64, 128])
        Init.xavierUniform_(w, generator: g)
        XCTAssertLessThanOrEqual(w.abs().amax().item(), (6.0 / 192).squareRoot() + 1e-6)
        let k = Tensor.empty([256, 512])
        Init.kaimingNormal_(k, nonlinearity: .relu, generator: g)
        XCTAssertEqual(k.std().item(), (2.0 / 512).squareRoot(), accuracy: 0.003)
        let t = Tensor.empty([1000])
        Init.truncNormal_(t, std: 1, a: -0.5, b: 0.5, generator: g)
        XCTAssertLessThanOrEqual(t.abs().amax().item(), 0.5)
        for shape in [[4, 6], [6, 4]] {
            let q = Tensor.empty(shape, dtype: .float64)
            Init.orthogonal_(q, generator: g)
            let gram = shape[0] < shape[1] ? q.matmul(q.t()) : q.t().matmul(q)
            assertMatches(gram, Tensor.eye(4, dtype: .float64), "orthogonal \(shape)", rtol: 1e-9, atol: 1e-9)
        }
        XCTAssertEqual(Init.gain(.tanh), 5.0 / 3)
        let e = Tensor.empty([2, 3]); Init.eye_(e); XCTAssertEqual(e.scalars, [1, 0, 0, 0, 1, 0])
    }

    func testMoreSchedulersAndLayers() {
        let p = Tensor([1.0]).requiresGrad_()
        let o = SGD([p], lr: 1.0)
        let wr = LRScheduler.cosineAnnealingWarmRestarts(o, t0: 2, tMult: 2)
        var lrs: [Double] = []
        for _ in 0..<7 { lrs.append(o.lr); wr.step() }
        // Periods 2, 4: restarts at epochs 2 and 6.
        XCTAssertEqual(lrs[0], 1); XCTAssertEqual(lrs[1], 0.5, accuracy: 1e-12);
        XCTAssertEqual(lrs[2], 1, accuracy: 1e-12)
        XCTAssertEqual(lrs[4], 0.5, accuracy: 1e-12); XCTAssertEqual(lrs[6], 1, accuracy: 1e-12)
        let o2 = SGD([p], lr: 0)
        let oc = LRScheduler.oneCycleLR(o2, maxLR: 1, totalSteps: 10)
        var c: [Double] = []
        for _ in 0..<10 { c.append(o2.lr); oc.step() }
        XCTAssertEqual(c[0], 0.04, accuracy: 1e-12); XCTAssertEqual(c[2], 1, accuracy: 1e-12)
        XCTAssertEqual(c[9], 0.04 / 1e4, accuracy: 1e-12)
        let o3 = SGD([p], lr: 1)
        let plateau = ReduceLROnPlateau(o3, patience: 1)
        for m in [1.0, 0.5, 0.6, 0.7, 0.8] { plateau.step(m) }
        XCTAssertEqual(o3.lr, 0.1, accuracy: 1e-12)
        let bil = Bilinear(2, 3, 4)
        let x1 = Tensor.randn([5, 2]), x2 = Tensor.randn([5, 3])
        let y = Torch.noGrad { bil(x1, x2) }
        let direct = (x1[0].unsqueeze(0).matmul(bil.weight[1]).matmul(x2[0].unsqueeze(1))).item() + bil.bias[1].item()
        XCTAssertEqual(y[0, 1].item(), direct, accuracy: 1e-4)
        XCTAssertEqual(Unflatten(1, [2, 3])(Tensor.zeros([4, 6])).shape, [4, 2, 3])
        XCTAssertEqual(
            marginRankingLoss(Tensor([1.0, 0.0]), Tensor([0.0, 1.0]), Tensor([1.0, 1.0]), margin: 0.5).item(), 0.75,
            accuracy: 1e-6)
        XCTAssertEqual(
            cosineEmbeddingLoss(Tensor([[1.0, 0.0]]), Tensor([[1.0, 0.0]]), Tensor([1.0])).item(), 0, accuracy: 1e-6)
        let z = Tensor([[1.0, 2.0]]), soft = Tensor([[0.25, 0.75]])
        XCTAssertEqual(
            crossEntropy(z, probabilities: soft).item(),
            -(0.25 * z.logSoftmax(dim: 1)[0, 0].item() + 0.75 * z.logSoftmax(dim: 1)[0, 1].item()), accuracy: 1e-6)
    }
}
