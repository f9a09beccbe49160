// PyTorch's examples/mnist/main.py, line by line, on Debian's Fashion-MNIST: two convolutions,
// max pooling, dropout, two linear layers, log-softmax and NLL, Adadelta with StepLR.
//
//   swift run -c release mnist-example [--epochs 14] [--batch-size 64] [--lr 1.0] [--gamma 0.7]
//                                      [--seed 1] [--limit 0] [--log-interval 10]
import Foundation
import SwiftTorch

var epochs = 14, batchSize = 64, testBatchSize = 1000, logInterval = 10, limit = 0
var lr = 1.0, gamma = 0.7
var seed: UInt64 = 1
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    guard let v = args.next() else { break }
    switch a {
    case "--epochs": epochs = Int(v) ?? epochs
    case "--batch-size": batchSize = Int(v) ?? batchSize
    case "--lr": lr = Double(v) ?? lr
    case "--gamma": gamma = Double(v) ?? gamma
    case "--seed": seed = UInt64(v) ?? seed
    case "--limit": limit = Int(v) ?? limit
    case "--log-interval": logInterval = Int(v) ?? logInterval
    default: print("unknown option \(a)"); exit(2)
    }
}
Torch.manualSeed(seed)

final class Net: Module {
    let conv1 = Conv2d(1, 32, 3, 1)
    let conv2 = Conv2d(32, 64, 3, 1)
    let dropout1 = Dropout(0.25)
    let dropout2 = Dropout(0.5)
    let fc1 = Linear(9216, 128)
    let fc2 = Linear(128, 10)

    override func forward(_ x: Tensor) -> Tensor {
        var x = conv1(x)
        x = relu(x)
        x = conv2(x)
        x = relu(x)
        x = maxPool2d(x, kernel: 2)
        x = dropout1(x)
        x = x.flatten(startDim: 1)
        x = fc1(x)
        x = relu(x)
        x = dropout2(x)
        x = fc2(x)
        return logSoftmax(x, dim: 1)
    }
}

/// A batch of uint8 pixels as float images normalised with MNIST's mean and standard deviation, as
/// the PyTorch example's `transforms.ToTensor()` and `transforms.Normalize((0.1307,), (0.3081,))`
/// (per batch, so the dataset stays uint8).
func normalize(_ pixels: Tensor) -> Tensor { (FashionMNIST.toFloat(pixels) - 0.1307) / 0.3081 }

func train(_ model: Net, _ loader: DataLoader<TensorDataset, [Tensor]>, _ optimizer: Optimizer, epoch: Int) {
    model.train()
    for (batchIdx, batch) in loader.enumerated() {
        let (data, target) = (normalize(batch[0]), batch[1])
        optimizer.zeroGrad()
        let output = model(data)
        let loss = nllLoss(output, target)
        loss.backward()
        optimizer.step()
        if batchIdx % logInterval == 0 {
            let seen = batchIdx * data.shape[0], total = loader.dataset.count
            let pct = 100.0 * Double(batchIdx) / Double(loader.count)
            print(String(format: "Train Epoch: %d [%d/%d (%.0f%%)]\tLoss: %.6f", epoch, seen, total, pct, loss.item()))
        }
    }
}

func test(_ model: Net, _ loader: DataLoader<TensorDataset, [Tensor]>) -> Double {
    model.eval()
    var testLoss = 0.0, correct = 0
    Torch.noGrad {
        for batch in loader {
            let (data, target) = (normalize(batch[0]), batch[1])
            let output = model(data)
            testLoss += nllLoss(output, target, reduction: .sum).item()
            let pred = output.argmax(dim: 1, keepdim: true)
            correct += Int(pred.eq(target.viewAs(pred)).sum().item())
        }
    }
    let n = loader.dataset.count
    testLoss /= Double(n)
    let accuracy = 100.0 * Double(correct) / Double(n)
    print(String(format: "\nTest set: Average loss: %.4f, Accuracy: %d/%d (%.0f%%)\n", testLoss, correct, n, accuracy))
    return accuracy
}

let trainSet: FashionMNIST, testSet: FashionMNIST
do {
    trainSet = try FashionMNIST(train: true)
    testSet = try FashionMNIST(train: false)
} catch {
    print("cannot load Fashion-MNIST (apt-get install dataset-fashion-mnist): \(error)")
    exit(1)
}
var (images, labels) = (trainSet.data, trainSet.labels)
var (testImages, testLabels) = (testSet.data, testSet.labels)
if limit > 0 {
    (images, labels) = (images.narrow(0, start: 0, length: limit), labels.narrow(0, start: 0, length: limit))
    let n = Swift.min(limit, testImages.shape[0])
    (testImages, testLabels) = (testImages.narrow(0, start: 0, length: n), testLabels.narrow(0, start: 0, length: n))
}
let trainLoader = DataLoader(TensorDataset(images, labels), batchSize: batchSize, shuffle: true, seed: seed)
let testLoader = DataLoader(TensorDataset(testImages, testLabels), batchSize: testBatchSize)

let model = Net()
let optimizer = Adadelta(model.parameters(), lr: lr)
let scheduler = LRScheduler.stepLR(optimizer, stepSize: 1, gamma: gamma)
for epoch in 1...epochs {
    train(model, trainLoader, optimizer, epoch: epoch)
    _ = test(model, testLoader)
    scheduler.step()
}
