import XCTest
import Foundation
@testable import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchData
import TorchIO

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
