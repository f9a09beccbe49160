import XCTest
import Foundation
@testable import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchData
import TorchTestSupport

final class OptimAndNormTests: XCTestCase {
    /// Adam / AdamW / amsgrad against PyTorch's update rule written out in Double.
    func testAdamMatchesTheUpdateRule() {
        for (decoupled, amsgrad) in [(false, false), (true, false), (false, true)] {
            let p = Tensor([1.0, -2.0, 0.5], dtype: .float64).requiresGrad_()
            let opt = Adam(
                [p], lr: 0.1, betas: (0.9, 0.99), eps: 1e-8, weightDecay: 0.1, amsgrad: amsgrad,
                decoupledWeightDecay: decoupled)
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
            for i in 0..<3 {
                XCTAssertEqual(p.scalars[i], w[i], accuracy: 1e-10, "decoupled \(decoupled) amsgrad \(amsgrad)")
            }
        }
    }

    func testSchedulers() {
        let p = Tensor([1.0]).requiresGrad_()
        func lrs(_ make: (Optimizer) -> LRScheduler) -> [Double] {
            let o = SGD([p], lr: 0.1)
            let s = make(o)
            return (0..<6).map { _ in
                defer { s.step() }; return o.lr
            }
        }
        XCTAssertEqual(lrs { .stepLR($0, stepSize: 2, gamma: 0.5) }, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
        XCTAssertEqual(
            lrs { .multiStepLR($0, milestones: [1, 4], gamma: 0.1) }.map { ($0 * 1e6).rounded() / 1e6 },
            [0.1, 0.01, 0.01, 0.01, 0.001, 0.001])
        let cos = lrs { .cosineAnnealingLR($0, tMax: 4) }
        XCTAssertEqual(cos[2], 0.05, accuracy: 1e-12); XCTAssertEqual(cos[4], 0, accuracy: 1e-12)
        XCTAssertEqual(
            lrs { .linearLR($0, startFactor: 0.5, endFactor: 1, totalIters: 2) }.map { ($0 * 1e6).rounded() / 1e6 },
            [0.05, 0.075, 0.1, 0.1, 0.1, 0.1])
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
        (w * w).sum().backward()  // grad [6, 8], norm 10
        XCTAssertEqual(clipGradNorm([w], maxNorm: 5), 10, accuracy: 1e-6)
        XCTAssertEqual(w.grad!.scalars[0], 3, accuracy: 1e-5)
        clipGradValue([w], clip: 1)
        XCTAssertEqual(w.grad!.scalars, [1, 1])
        let ps = [Tensor.randn([3, 3], dtype: .float64).requiresGrad_()]
        XCTAssertTrue(Torch.gradcheck({ LayerNorm([3]).forwardDouble($0[0]) }, ps).passed)
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
            for i in 0..<3 {
                s[i] += g[i] * g[i]; w[i] -= 0.05 / (1 + Double(t - 1) * 0.01) * g[i] / (s[i].squareRoot() + 1e-10)
            }
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
        let got = [
            run { RMSprop($0) }, run { Adagrad($0, lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1) },
            run { Adadelta($0) }, run { Adamax($0) },
        ]
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
        XCTAssertEqual(a.scalars[0], 1 - 0.1 * 2 * 2, accuracy: 1e-12)  // no momentum in group 0
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

extension LayerNorm {
    func forwardDouble(_ x: Tensor) -> Tensor {
        let mean = x.mean(dims: [1], keepdim: true), v = x.variance(dims: [1], correction: 0, keepdim: true)
        return (x - mean) / (v + eps).sqrt() * weight.to(.float64) + bias.to(.float64)
    }
}
