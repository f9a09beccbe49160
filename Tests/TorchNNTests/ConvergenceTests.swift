import XCTest
import Foundation
@testable import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchData
import TorchTestSupport

/// A short version of the main job on the real Fashion-MNIST files (Debian's package, installed
/// by scripts/setup.sh): one epoch of the MLP on 12,000 images must reach 0.75 test accuracy (0.786 seen here).
final class ConvergenceTests: XCTestCase {
    func testMLPLearnsFashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: FashionMNIST.defaultRoot + "/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("dataset-fashion-mnist is not installed")
        }
        Torch.manualSeed(0)
        let train = try FashionMNIST(train: true), test = try FashionMNIST(train: false)
        let x = train.images.narrow(0, start: 0, length: 12_000), y = train.labels.narrow(0, start: 0, length: 12_000)
        let model = Sequential(Flatten(), Linear(784, 256), ReLU(), Linear(256, 10))
        let opt = SGD(model.parameters(), lr: 0.01, momentum: 0.9)
        for b in DataLoader(TensorDataset((x - 0.286) / 0.353, y), batchSize: 64, shuffle: true, numWorkers: 1, seed: 1)
        {
            let loss = crossEntropy(model(b[0]), b[1])
            opt.zeroGrad(); loss.backward(); opt.step()
        }
        let predictions = Torch.noGrad { model((test.images - 0.286) / 0.353).argmax(dim: 1) }
        let accuracy = (predictions .== test.labels).to(.float64).mean().item()
        print("Fashion-MNIST short run: test accuracy \(accuracy)")
        XCTAssertGreaterThan(accuracy, 0.75, "test accuracy \(accuracy)")
    }
}
