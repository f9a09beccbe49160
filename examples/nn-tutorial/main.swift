// PyTorch's tutorial "What is torch.nn really?", stage by stage, on Debian's Fashion-MNIST:
// logistic regression from scratch (raw tensors, manual SGD), then refactored with
// crossEntropy, a Module with Parameters, Linear, optim, TensorDataset and DataLoader, a
// fit()/lossBatch() loop with validation, and finally a CNN in a Sequential with a Lambda layer
// and AdaptiveAvgPool2d.
//
//   swift run -c release nn-tutorial-example [--epochs 2] [--limit 0]
import Foundation
import SwiftTorch

var epochs = 2, limit = 0
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    guard let v = args.next() else { break }
    switch a {
    case "--epochs": epochs = Int(v) ?? epochs
    case "--limit": limit = Int(v) ?? limit
    default: print("unknown option \(a)"); exit(2)
    }
}
Torch.manualSeed(0)

let trainSet: FashionMNIST, validSet: FashionMNIST
do {
    trainSet = try FashionMNIST(train: true)
    validSet = try FashionMNIST(train: false)
} catch {
    print("cannot load Fashion-MNIST (apt-get install dataset-fashion-mnist): \(error)")
    exit(1)
}
var xTrain = trainSet.images.reshape([-1, 784]), yTrain = trainSet.labels
var xValid = validSet.images.reshape([-1, 784]), yValid = validSet.labels
if limit > 0 {
    (xTrain, yTrain) = (xTrain.narrow(0, start: 0, length: limit), yTrain.narrow(0, start: 0, length: limit))
    let n = Swift.min(limit, xValid.shape[0])
    (xValid, yValid) = (xValid.narrow(0, start: 0, length: n), yValid.narrow(0, start: 0, length: n))
}
let n = xTrain.shape[0]
print(xTrain.shape, yTrain.min().item(), yTrain.max().item())

let bs = 64  // batch size
let lr = 0.5  // learning rate

func accuracy(_ out: Tensor, _ yb: Tensor) -> Double {
    out.argmax(dim: 1).eq(yb).to(.float32).mean().item()
}

// MARK: Neural net from scratch (no torch.nn).
do {
    let weights = (Tensor.randn([784, 10]) / Foundation.sqrt(784.0)).requiresGrad_()
    let bias = Tensor.zeros([10]).requiresGrad_()
    func logSoftmax(_ x: Tensor) -> Tensor { x - x.exp().sum(dim: -1).log().unsqueeze(-1) }
    func model(_ xb: Tensor) -> Tensor { logSoftmax(xb.matmul(weights) + bias) }
    func nll(_ input: Tensor, _ target: Tensor) -> Tensor {
        -input.gather(1, target.unsqueeze(1)).mean()
    }
    for _ in 0..<epochs {
        for i in 0..<((n - 1) / bs + 1) {
            let (start, end) = (i * bs, Swift.min(i * bs + bs, n))
            let xb = xTrain.narrow(0, start: start, length: end - start)
            let yb = yTrain.narrow(0, start: start, length: end - start)
            let loss = nll(model(xb), yb)
            loss.backward()
            Torch.noGrad {
                weights -= weights.grad! * lr
                bias -= bias.grad! * lr
                weights.grad!.zero_()
                bias.grad!.zero_()
            }
        }
    }
    let out = Torch.noGrad { model(xValid) }
    print(
        String(format: "from scratch: valid loss %.4f, accuracy %.4f", nll(out, yValid).item(), accuracy(out, yValid)))
}

// MARK: Refactored with nn: a Module, crossEntropy, optim, TensorDataset and DataLoader.
final class MnistLogistic: Module {
    let lin = Linear(784, 10)
    override func forward(_ xb: Tensor) -> Tensor { lin(xb) }
}

/// The loss of one batch, and a step of `opt` if given (the tutorial's loss_batch).
func lossBatch(_ model: Module, _ lossFunc: (Tensor, Tensor) -> Tensor, _ xb: Tensor, _ yb: Tensor, _ opt: Optimizer?)
    -> (Double, Int)
{
    let loss = lossFunc(model(xb), yb)
    if let opt {
        loss.backward()
        opt.step()
        opt.zeroGrad()
    }
    return (loss.item(), xb.shape[0])
}

/// Trains for `epochs`, printing the validation loss after each (the tutorial's fit).
@discardableResult
func fit(
    _ epochs: Int, _ model: Module, _ lossFunc: (Tensor, Tensor) -> Tensor, _ opt: Optimizer,
    _ trainDL: DataLoader<TensorDataset, [Tensor]>, _ validDL: DataLoader<TensorDataset, [Tensor]>, name: String
) -> Double {
    var validLoss = 0.0
    for epoch in 0..<epochs {
        model.train()
        for batch in trainDL { _ = lossBatch(model, lossFunc, batch[0], batch[1], opt) }
        model.eval()
        let (losses, nums) = Torch.noGrad {
            let results = validDL.map { lossBatch(model, lossFunc, $0[0], $0[1], nil) }
            return (results.map(\.0), results.map(\.1))
        }
        validLoss = zip(losses, nums).map { $0 * Double($1) }.reduce(0, +) / Double(nums.reduce(0, +))
        print(String(format: "%@: epoch %d, valid loss %.4f", name, epoch, validLoss))
    }
    return validLoss
}

func getData(_ trainDS: TensorDataset, _ validDS: TensorDataset, _ bs: Int) -> (
    DataLoader<TensorDataset, [Tensor]>, DataLoader<TensorDataset, [Tensor]>
) {
    (DataLoader(trainDS, batchSize: bs, shuffle: true), DataLoader(validDS, batchSize: bs * 2))
}

let (trainDL, validDL) = getData(TensorDataset(xTrain, yTrain), TensorDataset(xValid, yValid), bs)
let lossFunc: (Tensor, Tensor) -> Tensor = { crossEntropy($0, $1) }
do {
    let model = MnistLogistic()
    let opt = SGD(model.parameters(), lr: lr)
    fit(epochs, model, lossFunc, opt, trainDL, validDL, name: "logistic")
    let out = Torch.noGrad { model(xValid) }
    print(String(format: "logistic: accuracy %.4f", accuracy(out, yValid)))
}

// MARK: A CNN as a Sequential, with a Lambda layer for the reshape.
final class Lambda: Module {
    let function: (Tensor) -> Tensor
    init(_ function: @escaping (Tensor) -> Tensor) {
        self.function = function
        super.init()
    }
    override func forward(_ x: Tensor) -> Tensor { function(x) }
}

func preprocess(_ x: Tensor) -> Tensor { x.view([-1, 1, 28, 28]) }

do {
    let model = Sequential(
        Lambda(preprocess),
        Conv2d(1, 16, kernelSize: 3, stride: 2, padding: 1),
        ReLU(),
        Conv2d(16, 16, kernelSize: 3, stride: 2, padding: 1),
        ReLU(),
        Conv2d(16, 10, kernelSize: 3, stride: 2, padding: 1),
        ReLU(),
        AdaptiveAvgPool2d(1),
        Lambda { $0.view([$0.shape[0], -1]) }
    )
    let opt = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
    let validLoss = fit(epochs, model, lossFunc, opt, trainDL, validDL, name: "cnn")
    let out = Torch.noGrad { model.eval()(xValid) }
    print(String(format: "cnn: final valid loss %.4f, accuracy %.4f", validLoss, accuracy(out, yValid)))
}
