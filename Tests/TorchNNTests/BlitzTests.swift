import Foundation
import XCTest
import SwiftTorch
import TorchTestSupport

/// docs/blitz.md, run: every code block of the page is in this file verbatim (checked by
/// `testEveryBlockOfThePageIsHere`), inside the tests below.
final class BlitzTests: XCTestCase {
    func testTensors() {
        let data = Tensor([[1.0, 2.0], [3.0, 4.0]])
        let ones = Tensor.onesLike(data)
        let rand = Tensor.randLike(data)
        let shaped = Tensor.zeros([2, 3])
        print(data.shape, data.dtype, data.device)  // [2, 2] float32 cpu
        XCTAssertEqual(ones.scalars, [1, 1, 1, 1])
        XCTAssertEqual(rand.shape, [2, 2])
        XCTAssertEqual(shaped.shape, [2, 3])
        XCTAssertEqual("\(data.shape) \(data.dtype) \(data.device)", "[2, 2] float32 cpu")

        let tensor = Tensor.ones([4, 4])
        tensor[.all, 1] = Tensor(0.0)
        let joined = Tensor.cat([tensor, tensor, tensor], dim: 1)  // [4, 12]
        let y1 = tensor.matmul(tensor.t())
        let z1 = tensor * tensor
        let total = tensor.sum().item()  // 12.0
        XCTAssertEqual(joined.shape, [4, 12])
        XCTAssertEqual(y1.shape, [4, 4])
        XCTAssertEqual(z1.sum().item(), 12)
        XCTAssertEqual(total, 12)

        let counts = Tensor.ones([5])
        counts.add_(Tensor(1.0))
        print(counts.scalars)  // [2.0, 2.0, 2.0, 2.0, 2.0]
        XCTAssertEqual(counts.scalars, [2, 2, 2, 2, 2])
    }

    func testAutograd() {
        let a = Tensor([2.0, 3.0]).requiresGrad_()
        let b = Tensor([6.0, 4.0]).requiresGrad_()
        let q = 3 * a.pow(3) - b.pow(2)
        q.sum().backward()
        print(a.grad!.scalars, b.grad!.scalars)  // [36.0, 81.0] [-12.0, -8.0]
        XCTAssertEqual(a.grad!.scalars, [36, 81])
        XCTAssertEqual(b.grad!.scalars, [-12, -8])
    }

    final class Net: Module {
        let conv1 = Conv2d(1, 6, 5)
        let conv2 = Conv2d(6, 16, 5)
        let fc1 = Linear(16 * 5 * 5, 120)
        let fc2 = Linear(120, 84)
        let fc3 = Linear(84, 10)

        override func forward(_ input: Tensor) -> Tensor {
            var x = maxPool2d(relu(conv1(input)), kernel: 2)
            x = maxPool2d(relu(conv2(x)), kernel: 2)
            x = x.flatten(startDim: 1)
            x = relu(fc1(x))
            x = relu(fc2(x))
            return fc3(x)
        }
    }

    func testNeuralNetworks() {
        let net = Net()
        print(net.parameters().count)  // 10
        let input = Tensor.randn([1, 1, 32, 32])
        let target = Tensor.randn([1, 10])
        let criterion = MSELoss()
        let optimizer = SGD(net.parameters(), lr: 0.01)
        optimizer.zeroGrad()
        let loss = criterion(net(input), target)
        loss.backward()
        optimizer.step()
        XCTAssertEqual(net.parameters().count, 10)
        XCTAssertLessThan(criterion(net(input), target).item(), loss.item())
    }

    func testTrainingAClassifier() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") else {
            throw XCTSkip("no Fashion-MNIST (apt-get install dataset-fashion-mnist)")
        }
        Torch.manualSeed(0)
        let train = try FashionMNIST(train: true)
        let images = train.images.narrow(0, start: 0, length: 512)
        let labels = train.labels.narrow(0, start: 0, length: 512)
        let loader = DataLoader(TensorDataset(images, labels), batchSize: 32, shuffle: true)

        let model = Sequential(
            Conv2d(1, 8, 3, padding: 1), ReLU(), MaxPool2d(2),
            Flatten(), Linear(8 * 14 * 14, 10))
        let classifier = CrossEntropyLoss()
        let sgd = SGD(model.parameters(), lr: 0.05, momentum: 0.9)
        for epoch in 1...2 {
            var running = 0.0
            for batch in loader {
                sgd.zeroGrad()
                let out = model(batch[0])
                let batchLoss = classifier(out, batch[1])
                batchLoss.backward()
                sgd.step()
                running += batchLoss.item()
            }
            print("epoch \(epoch): loss \(running / Double(loader.count))")
        }

        let correct = Torch.noGrad {
            model.eval()(images).argmax(dim: 1).eq(labels).sum().item()
        }
        print("accuracy on the training images: \(correct / 512)")
        XCTAssertGreaterThan(correct / 512, 0.5)
    }

    /// Each ```swift block of docs/blitz.md appears in this file, line for line (indentation aside).
    func testEveryBlockOfThePageIsHere() throws {
        let root = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent("docs/blitz.md"), encoding: .utf8)
        let me = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        // Indentation and runs of spaces aside (swift format aligns the trailing comments its way).
        func normalized(_ lines: [Substring]) -> String {
            lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
                .joined(separator: "\n")
        }
        let mine = normalized(me.split(separator: "\n", omittingEmptySubsequences: false))
        var blocks: [[Substring]] = []
        var current: [Substring]?
        for line in page.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```swift") {
                current = []
            } else if line.hasPrefix("```"), let block = current {
                blocks.append(block)
                current = nil
            } else {
                current?.append(line)
            }
        }
        XCTAssertEqual(blocks.count, 8)
        // The check can fail: a line that is not here is not found.
        let absent = "let tensor = Tensor.ones([4, " + "5])"
        XCTAssertFalse(mine.contains(normalized([Substring(absent)])))
        for block in blocks {
            XCTAssertTrue(mine.contains(normalized(block)), "not in BlitzTests:\n\(block.joined(separator: "\n"))")
        }
    }
}
