import Foundation
import XCTest
@testable import Torch
import TorchBase
import TorchOptim
import TorchTestSupport

/// Optimizers and schedulers against PyTorch (`Fixtures/torch_optim.json`, written by
/// `Fixtures/generate_torch_optim.py`): 20-step parameter trajectories in float32 and 50-step
/// learning-rate sequences.
final class TorchReferenceOptimTests: XCTestCase {
    static let root: [String: Any] = {
        let url = Fixtures.directory.appendingPathComponent("torch_optim.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func floats(_ key: String) -> [Float] { (root[key] as! [NSNumber]).map { $0.floatValue } }

    static func makeOptimizer(_ name: String, _ w: Tensor, _ b: Tensor) -> Optimizer? {
        let p = [w, b]
        switch name {
        case "sgd": return SGD(p, lr: 0.1)
        case "sgd_momentum_dampening_wd": return SGD(p, lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01)
        case "sgd_nesterov": return SGD(p, lr: 0.05, momentum: 0.9, nesterov: true)
        case "sgd_groups": return SGD(groups: [ParamGroup([w]), ParamGroup([b], lr: 0.05)], lr: 0.1, momentum: 0.5)
        case "adam": return Adam(p, lr: 0.01)
        case "adam_wd_amsgrad": return Adam(p, lr: 0.02, betas: (0.8, 0.9), weightDecay: 0.1, amsgrad: true)
        case "adamw": return AdamW(p, lr: 0.01, weightDecay: 0.1)
        case "adamw_amsgrad": return AdamW(p, lr: 0.01, amsgrad: true)
        case "rmsprop": return RMSprop(p, lr: 0.01)
        case "rmsprop_centered_momentum_wd":
            return RMSprop(p, lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: 0.05, momentum: 0.5, centered: true)
        case "adagrad": return Adagrad(p, lr: 0.1, lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1)
        case "adadelta": return Adadelta(p, lr: 1.0, rho: 0.8, weightDecay: 0.01)
        case "adamax": return Adamax(p, lr: 0.02, weightDecay: 0.01)
        case "nadam": return NAdam(p, lr: 0.01)
        case "nadam_wd_decoupled":
            return NAdam(
                p, lr: 0.02, betas: (0.8, 0.95), weightDecay: 0.1, momentumDecay: 0.01, decoupledWeightDecay: true)
        case "radam": return RAdam(p, lr: 0.01)
        case "radam_wd": return RAdam(p, lr: 0.02, betas: (0.5, 0.9), weightDecay: 0.1)
        case "rprop": return Rprop(p, lr: 0.01)
        case "rprop_etas": return Rprop(p, lr: 0.05, etas: (0.3, 1.5), stepSizes: (1e-3, 0.2))
        case "asgd": return ASGD(p, lr: 0.05)
        case "asgd_options": return ASGD(p, lr: 0.1, lambd: 0.01, alpha: 0.5, t0: 5, weightDecay: 0.02)
        default: return nil
        }
    }

    func testOptimizerTrajectoriesMatchPyTorch() {
        let x = Tensor(shape: [8, 3], scalars: Self.floats("x"))
        let y = Tensor(shape: [8, 4], scalars: Self.floats("y"))
        let cases = Self.root["optimizers"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 21)
        for c in cases {
            let name = c["name"] as! String
            let w = Tensor(shape: [3, 4], scalars: Self.floats("w0")).requiresGrad_()
            let b = Tensor(shape: [4], scalars: Self.floats("b0")).requiresGrad_()
            guard let opt = Self.makeOptimizer(name, w, b) else { XCTFail("\(name): no SwiftTorch spelling"); continue }
            let trajectory = c["trajectory"] as! [[String: [NSNumber]]]
            for (step, expected) in trajectory.enumerated() {
                opt.zeroGrad(setToNone: step % 2 == 0)
                let r = x.matmul(w) + b - y
                let loss = (r * r).mean() + (w * w * w * w).mean() * 0.1
                loss.backward()
                opt.step()
                let ew = Tensor(shape: [3, 4], scalars: expected["w"]!.map { $0.floatValue })
                let eb = Tensor(shape: [4], scalars: expected["b"]!.map { $0.floatValue })
                assertMatches(w.detach(), ew, "\(name) step \(step + 1) w", rtol: 2e-5, atol: 2e-6)
                assertMatches(b.detach(), eb, "\(name) step \(step + 1) b", rtol: 2e-5, atol: 2e-6)
            }
        }
    }

    /// LBFGS in float64, with and without the strong-Wolfe line search: parameters, returned loss
    /// and PyTorch's counts of evaluations and iterations after each step.
    func testLBFGSMatchesPyTorch() throws {
        let x = Tensor(shape: [8, 3], scalars: Self.floats("x")).to(.float64)
        let y = Tensor(shape: [8, 4], scalars: Self.floats("y")).to(.float64)
        let cases = Self.root["lbfgs"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 4)
        for c in cases {
            let name = c["name"] as! String
            let w = Tensor(shape: [3, 4], scalars: Self.floats("w0")).to(.float64).requiresGrad_()
            let b = Tensor(shape: [4], scalars: Self.floats("b0")).to(.float64).requiresGrad_()
            let opt: LBFGS
            switch name {
            case "lbfgs": opt = LBFGS([w, b])
            case "lbfgs_lr_history": opt = LBFGS([w, b], lr: 0.5, maxIter: 5, historySize: 3)
            case "lbfgs_strong_wolfe": opt = LBFGS([w, b], maxIter: 10, lineSearch: .strongWolfe)
            default: opt = LBFGS([w, b], lr: 2, maxIter: 8, historySize: 2, lineSearch: .strongWolfe)
            }
            let closure = { () -> Tensor in
                opt.zeroGrad()
                let r = x.matmul(w) + b - y
                let loss = (r * r).mean() + (w * w * w * w).mean() * 0.1
                loss.backward()
                return loss
            }
            for (k, e) in (c["trajectory"] as! [[String: Any]]).enumerated() {
                let loss = opt.step(closure: closure).item()
                XCTAssertEqual(loss, (e["loss"] as! NSNumber).doubleValue, accuracy: 1e-9, "\(name) step \(k + 1) loss")
                let ew = Tensor(shape: [3, 4], scalars: (e["w"] as! [NSNumber]).map { $0.doubleValue })
                let eb = Tensor(shape: [4], scalars: (e["b"] as! [NSNumber]).map { $0.doubleValue })
                assertMatches(w.detach(), ew, "\(name) step \(k + 1) w", rtol: 1e-7, atol: 1e-9)
                assertMatches(b.detach(), eb, "\(name) step \(k + 1) b", rtol: 1e-7, atol: 1e-9)
            }
            XCTAssertEqual(opt.funcEvals, (c["func_evals"] as! NSNumber).intValue, name)
            XCTAssertEqual(opt.iterations, (c["n_iter"] as! NSNumber).intValue, name)
            // The history survives a state-dict round trip: the next step is the same from a copy.
            let (t, m) = opt.stateDict()
            let w2 = w.detach().clone().requiresGrad_(), b2 = b.detach().clone().requiresGrad_()
            let copy = LBFGS(
                [w2, b2], lr: opt.lr, maxIter: opt.maxIter, historySize: opt.historySize, lineSearch: opt.lineSearch)
            try copy.loadStateDict(t, metadata: m)
            _ = opt.step(closure: closure)
            _ = copy.step {
                copy.zeroGrad()
                let r = x.matmul(w2) + b2 - y
                let loss = (r * r).mean() + (w2 * w2 * w2 * w2).mean() * 0.1
                loss.backward()
                return loss
            }
            assertMatches(w2.detach(), w.detach(), "\(name) resumed from its state dict", rtol: 1e-12, atol: 1e-14)
        }
    }

    func testSchedulerLearningRatesMatchPyTorch() {
        let metrics = (Self.root["metrics"] as! [NSNumber]).map { $0.doubleValue }
        let cases = Self.root["schedulers"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 21)
        for c in cases {
            let name = c["name"] as! String
            let expected = (c["lrs"] as! [NSNumber]).map { $0.doubleValue }
            let p = Tensor.zeros([2]).requiresGrad_()
            let opt = SGD([p], lr: 0.1, momentum: 0.9)
            var step: (Int) -> Void
            switch name {
            case "step": let s = LRScheduler.stepLR(opt, stepSize: 7, gamma: 0.5); step = { _ in s.step() }
            case "multi_step":
                let s = LRScheduler.multiStepLR(opt, milestones: [5, 12, 30], gamma: 0.3); step = { _ in s.step() }
            case "exponential": let s = LRScheduler.exponentialLR(opt, gamma: 0.95); step = { _ in s.step() }
            case "cosine_annealing":
                let s = LRScheduler.cosineAnnealingLR(opt, tMax: 20, etaMin: 0.001); step = { _ in s.step() }
            case "cosine_warm_restarts":
                let s = LRScheduler.cosineAnnealingWarmRestarts(opt, t0: 10, tMult: 2, etaMin: 0.01);
                step = { _ in s.step() }
            case "cosine_warm_restarts_fixed":
                let s = LRScheduler.cosineAnnealingWarmRestarts(opt, t0: 7); step = { _ in s.step() }
            case "linear":
                let s = LRScheduler.linearLR(opt, startFactor: 0.25, endFactor: 1, totalIters: 10);
                step = { _ in s.step() }
            case "one_cycle": let s = LRScheduler.oneCycleLR(opt, maxLR: 1.0, totalSteps: 51); step = { _ in s.step() }
            case "lambda": let s = LRScheduler.lambdaLR(opt) { 1.0 / Double(1 + $0) }; step = { _ in s.step() }
            case "sequential":
                let s = SequentialLR(
                    opt,
                    schedulers: [
                        LRScheduler.linearLR(opt, startFactor: 0.1, totalIters: 5),
                        LRScheduler.exponentialLR(opt, gamma: 0.9),
                    ], milestones: [5])
                step = { _ in s.step() }
            case "chained":
                let s = ChainedScheduler([
                    LRScheduler.constantLR(opt, factor: 0.1, totalIters: 2), LRScheduler.exponentialLR(opt, gamma: 0.9),
                ])
                step = { _ in s.step() }
            case "chained_step_linear":
                let s = ChainedScheduler([
                    LRScheduler.stepLR(opt, stepSize: 4, gamma: 0.5),
                    LRScheduler.linearLR(opt, startFactor: 0.2, totalIters: 6),
                ])
                step = { _ in s.step() }
            case "chained_cosine_eta_min":
                let s = ChainedScheduler([
                    LRScheduler.cosineAnnealingLR(opt, tMax: 10, etaMin: 0.01),
                    LRScheduler.exponentialLR(opt, gamma: 0.95),
                    LRScheduler.constantLR(opt, factor: 0.5, totalIters: 3),
                ])
                step = { _ in s.step() }
            case "chained_lambda_poly_multistep":
                let s = ChainedScheduler([
                    LRScheduler.lambdaLR(opt) { 1.0 / (1 + 0.1 * Double($0)) },
                    LRScheduler.polynomialLR(opt, totalIters: 30, power: 1.5),
                    LRScheduler.multiStepLR(opt, milestones: [4, 4, 9], gamma: 0.5),
                ])
                step = { _ in s.step() }
            case "plateau":
                let s = ReduceLROnPlateau(opt, factor: 0.5, patience: 2, cooldown: 1, minLR: 0.001)
                step = { i in s.step(metrics[i]) }
            case "polynomial": let s = LRScheduler.polynomialLR(opt, totalIters: 20, power: 2); step = { _ in s.step() }
            case "constant": let s = LRScheduler.constantLR(opt, factor: 0.5, totalIters: 8); step = { _ in s.step() }
            case "multiplicative":
                let s = LRScheduler.multiplicativeLR(opt) { $0 % 2 == 1 ? 0.95 : 0.9 }
                step = { _ in s.step() }
            case "cyclic_triangular":
                let s = LRScheduler.cyclicLR(opt, baseLR: 0.01, maxLR: 0.1, stepSizeUp: 5)
                step = { _ in s.step() }
            case "cyclic_triangular2":
                let s = LRScheduler.cyclicLR(
                    opt, baseLR: 0.01, maxLR: 0.1, stepSizeUp: 4, stepSizeDown: 6, mode: .triangular2)
                step = { _ in s.step() }
            case "cyclic_exp_range":
                let s = LRScheduler.cyclicLR(
                    opt, baseLR: 0.02, maxLR: 0.2, stepSizeUp: 5, mode: .expRange, gamma: 0.97, cycleMomentum: false)
                step = { _ in s.step() }
            default:
                XCTFail("\(name): no SwiftTorch spelling")
                continue
            }
            var lrs = [opt.lr]
            var momenta = [opt.paramGroups[0].options["momentum"] ?? 0.9]
            for i in 0..<50 {
                opt.step()
                step(i)
                lrs.append(opt.lr)
                momenta.append(opt.paramGroups[0].options["momentum"] ?? 0.9)
            }
            // Momentum as PyTorch's scheduler leaves it (OneCycleLR cycles it by default).
            let expectedMomenta = (c["momenta"] as! [NSNumber]).map { $0.doubleValue }
            XCTAssertEqual(mismatches(momenta, expectedMomenta, atol: 1e-12, rtol: 1e-9), [], "\(name): momentum")
            XCTAssertEqual(lrs.count, expected.count, name)
            for (i, (a, e)) in zip(lrs, expected).enumerated() where !Checks.isClose(a, e, atol: 1e-12, rtol: 1e-9) {
                XCTFail("\(name): learning rate after \(i) steps is \(a), PyTorch's is \(e)")
                break
            }
        }
    }

    /// Scheduler state survives a state-dict round trip and continues the same schedule.
    func testSchedulerStateDictRoundTrip() throws {
        let opt = SGD([Tensor.zeros([1]).requiresGrad_()], lr: 0.1)
        let s = LRScheduler.cosineAnnealingLR(opt, tMax: 10)
        for _ in 0..<4 { s.step() }
        let saved = s.stateDict()
        let opt2 = SGD([Tensor.zeros([1]).requiresGrad_()], lr: 0.1)
        let s2 = LRScheduler.cosineAnnealingLR(opt2, tMax: 10)
        try s2.loadStateDict(saved)
        XCTAssertEqual(opt2.lr, opt.lr)
        s.step(); s2.step()
        XCTAssertEqual(opt2.lr, opt.lr)

        let p = ReduceLROnPlateau(opt, patience: 0)
        p.step(1.0); p.step(2.0)
        let p2 = ReduceLROnPlateau(opt2, patience: 0)
        try p2.loadStateDict(p.stateDict())
        XCTAssertEqual(p2.best, 1.0)
        XCTAssertEqual(opt2.lr, opt.lr)
        XCTAssertThrowsError(try s2.loadStateDict([:]))
    }
}
