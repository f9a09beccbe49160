import XCTest
import Foundation
@testable import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchData
import TorchIO
import SwiftTorch
import TorchTestSupport

/// Training 2 epochs straight and 1 + checkpoint + resume + 1 give bit-identical parameters.
final class ResumeTests: XCTestCase {
    func train(_ model: Module, _ opt: SGD, _ loader: DataLoader<TensorDataset, [Tensor]>, epochs: Int) {
        for _ in 0..<epochs {
            for b in loader {
                let loss = crossEntropy(model(b[0]), b[1])
                opt.zeroGrad(); loss.backward(); opt.step()
            }
        }
    }

    func make() -> (Module, SGD, DataLoader<TensorDataset, [Tensor]>) {
        Torch.manualSeed(11)
        let x = Tensor.randn([200, 6], generator: Generator(seed: 1))
        let y = (x.sum(dim: 1) .> 0).to(.int64)
        let model = Sequential(Linear(6, 8), ReLU(), Linear(8, 2))
        let opt = SGD(model.parameters(), lr: 0.05, momentum: 0.9)
        return (model, opt, DataLoader(TensorDataset(x, y), batchSize: 16, shuffle: true, numWorkers: 2, seed: 3))
    }

    func testResumeIsBitIdentical() throws {
        let (m1, o1, l1) = make()
        train(m1, o1, l1, epochs: 2)

        let (m2, o2, l2) = make()
        train(m2, o2, l2, epochs: 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var t: [String: Tensor] = [:]
        for (k, v) in m2.stateDict() { t["model." + k] = v }
        for (i, b) in o2.buffers.enumerated() { t["optim.\(i)"] = b! }
        try SafeTensors.save(t, metadata: ["epoch": "1"], to: path)

        let (m3, o3, l3) = make()
        let (saved, meta) = try SafeTensors.load(path)
        var state: [String: Tensor] = [:]
        for (k, v) in saved where k.hasPrefix("model.") { state[String(k.dropFirst(6))] = v }
        try m3.loadStateDict(state)
        for i in o3.buffers.indices { o3.buffers[i] = saved["optim.\(i)"] }
        l3.epoch = Int(meta["epoch"]!)!
        train(m3, o3, l3, epochs: 1)

        for (a, b) in zip(m1.parameters(), m3.parameters()) { XCTAssertEqual(a.scalars, b.scalars) }
        for (a, b) in zip(o1.buffers, o3.buffers) { XCTAssertEqual(a!.scalars, b!.scalars) }
    }
}

/// The checkpoint bundle: 200 steps straight versus 100 steps, an atomic checkpoint, a fresh
/// process-like restart from it, and 100 more give bit-identical parameters, optimizer state,
/// scheduler state and random state (dropout draws from the default generator).
final class CheckpointBundleTests: TemporaryDirectoryTestCase {
    struct Run {
        let model: Module, opt: SGD, sched: LRScheduler, loader: DataLoader<TensorDataset, [Tensor]>
    }

    func make() -> Run {
        Torch.manualSeed(5)
        let g = Generator(seed: 9)
        let x = Tensor.randn([320, 6], generator: g)
        let y = (x.sum(dim: 1) .> 0).to(.int64)
        let model = Sequential(Linear(6, 16), ReLU(), Dropout(0.2), Linear(16, 2))
        let opt = SGD(model.parameters(), lr: 0.1, momentum: 0.9, weightDecay: 1e-3)
        let sched = LRScheduler.cosineAnnealingLR(opt, tMax: 10)
        return Run(
            model: model, opt: opt, sched: sched,
            loader: DataLoader(TensorDataset(x, y), batchSize: 16, shuffle: true, numWorkers: 2, seed: 4))
    }

    /// Trains whole epochs from `epoch` until `steps` more steps have run; returns the next epoch.
    func train(_ r: Run, from epoch: Int, steps: Int) -> Int {
        var done = 0, e = epoch
        while done < steps {
            r.loader.epoch = e
            for b in r.loader {
                let loss = crossEntropy(r.model(b[0]), b[1])
                r.opt.zeroGrad(); loss.backward(); r.opt.step()
                done += 1
            }
            r.sched.step()
            e += 1
        }
        return e
    }

    func testResumeFromCheckpointIsBitIdentical() throws {
        let straight = make()
        XCTAssertEqual(train(straight, from: 0, steps: 200), 10)
        let straightRNG = Generator.default.stateWords

        let first = make()
        let next = train(first, from: 0, steps: 100)
        let path = "\(dir)/run.ckpt.safetensors"
        try Checkpoint.save(
            to: path, model: first.model, optimizer: first.opt, scheduler: first.sched,
            epoch: next, step: 100, metadata: ["note": "halfway"])

        Torch.manualSeed(12345)  // a restarted process starts from some other random state
        let second = make()
        Generator.default.manualSeed(999)
        let ckpt = try Checkpoint.load(path)
        XCTAssertEqual(ckpt.epoch, 5)
        XCTAssertEqual(ckpt.step, 100)
        XCTAssertEqual(ckpt.metadata["note"], "halfway")
        try ckpt.restore(model: second.model, optimizer: second.opt, scheduler: second.sched)
        XCTAssertEqual(train(second, from: ckpt.epoch, steps: 100), 10)

        for ((n, a), (_, b)) in zip(straight.model.namedParameters(), second.model.namedParameters()) {
            XCTAssertEqual(a.scalars, b.scalars, n)
        }
        let s1 = straight.opt.stateDict(), s2 = second.opt.stateDict()
        XCTAssertEqual(Set(s1.tensors.keys), Set(s2.tensors.keys))
        for (k, v) in s1.tensors { XCTAssertEqual(v.scalars, s2.tensors[k]!.scalars, k) }
        XCTAssertEqual(s1.metadata, s2.metadata)
        XCTAssertEqual(straight.sched.stateDict(), second.sched.stateDict())
        XCTAssertEqual(straight.opt.lr, second.opt.lr)
        XCTAssertTrue(Generator.default.stateWords == straightRNG)
    }

    func testCheckpointMisuseIsReported() throws {
        let r = make()
        let path = "\(dir)/model-only.safetensors"
        try Checkpoint.save(to: path, model: r.model, epoch: 1, step: 2)
        let ckpt = try Checkpoint.load(path)
        XCTAssertThrowsError(try ckpt.restore(model: r.model, optimizer: r.opt)) { e in
            XCTAssertTrue("\(e)".contains("no optimizer state"), "\(e)")
        }
        try SafeTensors.save(["w": Tensor.zeros([2])], to: "\(dir)/plain.safetensors")
        XCTAssertThrowsError(try Checkpoint.load("\(dir)/plain.safetensors")) { e in
            XCTAssertTrue("\(e)".contains("is not a SwiftTorch checkpoint"), "\(e)")
        }
        XCTAssertThrowsError(try Generator(seed: 1).setState(Tensor.zeros([3])))
    }
}
