// PyTorch's examples/super_resolution (model.py, main.py), line by line: the efficient sub-pixel
// CNN (Shi et al. 2016), four convolutions and a pixel shuffle, orthogonal initialisation, Adam
// and MSE, reporting PSNR. The original trains on BSDS300 crops; here the "high resolution"
// images are Fashion-MNIST's 28×28 and the inputs are their bicubic 2× downscales, so nothing is
// downloaded. The baseline line is plain bicubic upscaling, which the network should beat.
//
//   swift run -c release super-resolution-example [--upscale-factor 2] [--epochs 5] [--batch-size 64]
//                                                 [--lr 0.01] [--limit 6000] [--seed 123]
import Foundation
import SwiftTorch

var upscaleFactor = 2, epochs = 5, batchSize = 64, limit = 6000
var lr = 0.01
var seed: UInt64 = 123
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    guard let v = args.next() else { break }
    switch a {
    case "--upscale-factor": upscaleFactor = Int(v) ?? upscaleFactor
    case "--epochs": epochs = Int(v) ?? epochs
    case "--batch-size": batchSize = Int(v) ?? batchSize
    case "--lr": lr = Double(v) ?? lr
    case "--limit": limit = Int(v) ?? limit
    case "--seed": seed = UInt64(v) ?? seed
    default: print("unknown option \(a)"); exit(2)
    }
}
Torch.manualSeed(seed)

final class Net: Module {
    let relu = ReLU()
    let conv1 = Conv2d(1, 64, 5, 1, 2)
    let conv2 = Conv2d(64, 64, 3, 1, 1)
    let conv3 = Conv2d(64, 32, 3, 1, 1)
    let conv4: Conv2d
    let pixelShuffle: PixelShuffle

    init(upscaleFactor: Int) {
        conv4 = Conv2d(32, upscaleFactor * upscaleFactor, 3, 1, 1)
        pixelShuffle = PixelShuffle(upscaleFactor)
        super.init()
        initializeWeights()
    }

    override func forward(_ x: Tensor) -> Tensor {
        var x = relu(conv1(x))
        x = relu(conv2(x))
        x = relu(conv3(x))
        return pixelShuffle(conv4(x))
    }

    func initializeWeights() {
        Init.orthogonal_(conv1.weight, gain: Init.gain(.relu))
        Init.orthogonal_(conv2.weight, gain: Init.gain(.relu))
        Init.orthogonal_(conv3.weight, gain: Init.gain(.relu))
        Init.orthogonal_(conv4.weight)
    }
}

print("===> Loading datasets")
let trainSet: FashionMNIST, testSet: FashionMNIST
do {
    trainSet = try FashionMNIST(train: true)
    testSet = try FashionMNIST(train: false)
} catch {
    print("cannot load Fashion-MNIST (apt-get install dataset-fashion-mnist): \(error)")
    exit(1)
}
/// The high-resolution targets and their bicubic downscales (sizes divisible by the factor).
func pairs(_ images: Tensor, _ n: Int) -> (input: Tensor, target: Tensor) {
    let size = 28 / upscaleFactor * upscaleFactor
    let target = images.narrow(0, start: 0, length: Swift.min(n, images.shape[0])).narrow(2, start: 0, length: size)
        .narrow(3, start: 0, length: size).contiguous()
    let input = interpolate(target, size: [size / upscaleFactor], mode: .bicubic).clamp(min: 0, max: 1)
    return (input, target)
}
let train = pairs(trainSet.images, limit)
let test = pairs(testSet.images, Swift.max(limit / 6, 500))
let trainingDataLoader = DataLoader(TensorDataset(train.input, train.target), batchSize: batchSize, shuffle: true)
let testingDataLoader = DataLoader(TensorDataset(test.input, test.target), batchSize: 100)

print("===> Building model")
let model = Net(upscaleFactor: upscaleFactor)
let criterion = MSELoss()
let optimizer = Adam(model.parameters(), lr: lr)

func trainEpoch(_ epoch: Int) {
    var epochLoss = 0.0
    for (iteration, batch) in trainingDataLoader.enumerated() {
        let (input, target) = (batch[0], batch[1])
        optimizer.zeroGrad()
        let loss = criterion(model(input), target)
        epochLoss += loss.item()
        loss.backward()
        optimizer.step()
        if iteration % 20 == 0 {
            print(
                String(
                    format: "===> Epoch[%d](%d/%d): Loss: %.4f", epoch, iteration + 1, trainingDataLoader.count,
                    loss.item()))
        }
    }
    print(
        String(
            format: "===> Epoch %d Complete: Avg. Loss: %.4f", epoch,
            epochLoss / Double(trainingDataLoader.count)))
}

/// Average PSNR over the test set of `upscale` (the model, or bicubic upscaling).
func averagePSNR(_ upscale: (Tensor) -> Tensor) -> Double {
    var total = 0.0
    Torch.noGrad {
        for batch in testingDataLoader {
            let mse = criterion(upscale(batch[0]), batch[1])
            total += 10 * Foundation.log10(1 / mse.item())
        }
    }
    return total / Double(testingDataLoader.count)
}

let bicubic = averagePSNR { interpolate($0, scaleFactor: [Double(upscaleFactor)], mode: .bicubic) }
print(String(format: "===> Bicubic upscaling baseline: %.4f dB", bicubic))
var psnr = 0.0
for epoch in 1...epochs {
    trainEpoch(epoch)
    psnr = averagePSNR { model($0) }
    print(String(format: "===> Avg. PSNR: %.4f dB", psnr))
}
print(String(format: "final PSNR %.4f dB (bicubic %.4f dB)", psnr, bicubic))
