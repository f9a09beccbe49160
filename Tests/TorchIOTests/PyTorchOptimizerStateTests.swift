import Foundation
import XCTest
import SwiftTorch
import TorchTestSupport

/// Optimizer state dicts saved by PyTorch (`torch.save(optimizer.state_dict())`, written by
/// Fixtures/generate_optim_state.py) load into SwiftTorch's optimizers: the next step from the
/// loaded state equals PyTorch's next step, with the hyperparameters taken from the file.
final class PyTorchOptimizerStateTests: XCTestCase {
    let dir = Fixtures.directory.appendingPathComponent("optim_state").path
    lazy var expected: [String: Any] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    func numbers(_ v: Any?) -> [Double] { (v as! [NSNumber]).map { $0.doubleValue } }

    func resumeAndStep(_ name: String, _ make: ([Tensor]) -> BaseOptimizer) throws {
        let model = Linear(3, 2, dtype: .float64)
        try model.loadStateDict(PyTorchCheckpoint.loadStateDict(dir + "/\(name)_model.pt"))
        let opt = make(model.parameters())
        try opt.loadPyTorchStateDict(dir + "/\(name).pt")
        let x = Tensor(shape: [5, 3], scalars: numbers(expected["x"]), dtype: .float64)
        let y = Tensor(shape: [5, 2], scalars: numbers(expected["y"]), dtype: .float64)
        opt.zeroGrad()
        mseLoss(model(x), y).backward()
        opt.step()
        let want = expected[name] as! [String: Any]
        for (key, value) in model.stateDict() {
            let w = numbers(want[key])
            for (a, b) in zip(value.flatten().scalars, w) {
                XCTAssertEqual(a, b, accuracy: 1e-12, "\(name) \(key): \(value.flatten().scalars) vs \(w)")
            }
        }
    }

    func testAdamResumesFromPyTorchsState() throws {
        // Built with the defaults: lr 0.05, betas (0.8, 0.99) and amsgrad come from the file.
        try resumeAndStep("adam") { Adam($0) }
    }

    func testSGDResumesFromPyTorchsState() throws {
        try resumeAndStep("sgd") { SGD($0, lr: 1) }
    }

    func testMismatchedGroupsAreRefused() throws {
        let opt = SGD(Linear(3, 2).parameters() + [Tensor.zeros([1]).requiresGrad_()], lr: 0.1)
        XCTAssertThrowsError(try opt.loadPyTorchStateDict(dir + "/sgd.pt")) { error in
            XCTAssertTrue("\(error)".contains("param group 0 holds 2 parameters, the optimizer's 3"), "\(error)")
        }
        XCTAssertThrowsError(try opt.loadPyTorchStateDict(dir + "/sgd_model.pt")) { error in
            XCTAssertTrue("\(error)".contains("not an optimizer state dict"), "\(error)")
        }
    }

    func testSchedulersResumeFromPyTorchsState() throws {
        let cases: [(String, (Optimizer) -> LRScheduler)] = [
            ("step_lr", { LRScheduler.stepLR($0, stepSize: 2, gamma: 0.5) }),
            ("cosine_lr", { LRScheduler.cosineAnnealingLR($0, tMax: 10, etaMin: 0.001) }),
        ]
        for (name, make) in cases {
            let opt = SGD(Linear(3, 2).parameters(), lr: 0.1)
            let sched = make(opt)
            try sched.loadPyTorchStateDict(dir + "/\(name).pt")
            XCTAssertEqual(sched.lastEpoch, 5, name)
            XCTAssertEqual(opt.lr, (expected[name] as! NSNumber).doubleValue, accuracy: 1e-15, name)
        }
        // ChainedScheduler: PyTorch saves its schedulers' states under "_schedulers".
        let opt = SGD(Linear(3, 2).parameters(), lr: 0.1)
        let chained = ChainedScheduler([
            LRScheduler.constantLR(opt, factor: 0.1, totalIters: 2), LRScheduler.exponentialLR(opt, gamma: 0.9),
        ])
        try chained.loadPyTorchStateDict(dir + "/chained.pt")
        XCTAssertEqual(chained.schedulers.map(\.lastEpoch), [5, 5])
        XCTAssertEqual(opt.lr, (expected["chained"] as! NSNumber).doubleValue, accuracy: 1e-15)
        chained.step()
        XCTAssertEqual(opt.lr, (expected["chained_next"] as! NSNumber).doubleValue, accuracy: 1e-15)
    }
}
