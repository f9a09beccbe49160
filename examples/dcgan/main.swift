// PyTorch's examples/dcgan/main.py, line by line, on Fashion-MNIST padded to 32×32 (the original
// trains 64×64 images: one up- and one down-sampling stage fewer here). A generator of transposed
// convolutions with batch norm and ReLU, a discriminator of strided convolutions with leaky
// ReLU, DCGAN's N(0, 0.02) initialisation, BCE and Adam(2e-4, β1 = 0.5).
//
//   swift run -c release dcgan-example [--epochs 1] [--batch-size 64] [--nz 100] [--ngf 32]
//                                      [--ndf 32] [--limit 0] [--seed 999]
import Foundation
import SwiftTorch

var epochs = 1, batchSize = 64, nz = 100, ngf = 32, ndf = 32, limit = 0, logInterval = 50
var lr = 0.0002, beta1 = 0.5
var seed: UInt64 = 999
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    guard let v = args.next() else { break }
    switch a {
    case "--epochs": epochs = Int(v) ?? epochs
    case "--batch-size": batchSize = Int(v) ?? batchSize
    case "--nz": nz = Int(v) ?? nz
    case "--ngf": ngf = Int(v) ?? ngf
    case "--ndf": ndf = Int(v) ?? ndf
    case "--limit": limit = Int(v) ?? limit
    case "--seed": seed = UInt64(v) ?? seed
    case "--log-interval": logInterval = Int(v) ?? logInterval
    default: print("unknown option \(a)"); exit(2)
    }
}
print("Random Seed: ", seed)
Torch.manualSeed(seed)
let nc = 1

/// Custom weights initialization called on netG and netD.
func weightsInit(_ m: Module) {
    if let conv = m as? ConvNd {
        Init.normal_(conv.weight, mean: 0.0, std: 0.02)
    } else if let convT = m as? ConvTransposeNd {
        Init.normal_(convT.weight, mean: 0.0, std: 0.02)
    } else if let bn = m as? BatchNorm {
        Init.normal_(bn.weight!, mean: 1.0, std: 0.02)
        Init.zeros_(bn.bias!)
    }
}

final class Generator: Module {
    let main: Sequential
    override init() {
        main = Sequential(
            // input is Z, going into a convolution
            ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias: false),
            BatchNorm2d(ngf * 4),
            ReLU(inplace: true),
            // state size. (ngf*4) x 4 x 4
            ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias: false),
            BatchNorm2d(ngf * 2),
            ReLU(inplace: true),
            // state size. (ngf*2) x 8 x 8
            ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias: false),
            BatchNorm2d(ngf),
            ReLU(inplace: true),
            // state size. (ngf) x 16 x 16
            ConvTranspose2d(ngf, nc, 4, 2, 1, bias: false),
            Tanh()
            // state size. (nc) x 32 x 32
        )
    }
    override func forward(_ input: Tensor) -> Tensor { main(input) }
}

final class Discriminator: Module {
    let main: Sequential
    override init() {
        main = Sequential(
            // input is (nc) x 32 x 32
            Conv2d(nc, ndf, 4, 2, 1, bias: false),
            LeakyReLU(0.2, inplace: true),
            // state size. (ndf) x 16 x 16
            Conv2d(ndf, ndf * 2, 4, 2, 1, bias: false),
            BatchNorm2d(ndf * 2),
            LeakyReLU(0.2, inplace: true),
            // state size. (ndf*2) x 8 x 8
            Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias: false),
            BatchNorm2d(ndf * 4),
            LeakyReLU(0.2, inplace: true),
            // state size. (ndf*4) x 4 x 4
            Conv2d(ndf * 4, 1, 4, 1, 0, bias: false),
            Sigmoid()
        )
    }
    override func forward(_ input: Tensor) -> Tensor { main(input).view([-1, 1]).squeeze(1) }
}

let dataset: FashionMNIST
do { dataset = try FashionMNIST(train: true) } catch {
    print("cannot load Fashion-MNIST (apt-get install dataset-fashion-mnist): \(error)")
    exit(1)
}
// transforms.Resize/Pad to 32, ToTensor, Normalize((0.5,), (0.5,)): pixels in [-1, 1].
var images = (dataset.images.pad([2, 2, 2, 2]) - 0.5) / 0.5
if limit > 0 { images = images.narrow(0, start: 0, length: limit) }
let dataloader = DataLoader(TensorDataset(images), batchSize: batchSize, shuffle: true, seed: seed)

let netG = Generator()
netG.apply(weightsInit)
print(netG)
let netD = Discriminator()
netD.apply(weightsInit)
print(netD)

let criterion = BCELoss()
let fixedNoise = Tensor.randn([batchSize, nz, 1, 1])
let realLabel = 1.0, fakeLabel = 0.0

// setup optimizer
let optimizerD = Adam(netD.parameters(), lr: lr, betas: (beta1, 0.999))
let optimizerG = Adam(netG.parameters(), lr: lr, betas: (beta1, 0.999))

var lastDx = 0.0, lastDGz = 0.0
for epoch in 0..<epochs {
    for (i, batch) in dataloader.enumerated() {
        // (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        // train with real
        netD.zeroGrad()
        let realCPU = batch[0]
        let bsz = realCPU.shape[0]
        var label = Tensor.full([bsz], realLabel)
        var output = netD(realCPU)
        let errDReal = criterion(output, label)
        errDReal.backward()
        let dX = output.mean().item()

        // train with fake
        let noise = Tensor.randn([bsz, nz, 1, 1])
        let fake = netG(noise)
        label = Tensor.full([bsz], fakeLabel)
        output = netD(fake.detach())
        let errDFake = criterion(output, label)
        errDFake.backward()
        let dGz1 = output.mean().item()
        let errD = errDReal + errDFake
        optimizerD.step()

        // (2) Update G network: maximize log(D(G(z)))
        netG.zeroGrad()
        label = Tensor.full([bsz], realLabel)  // fake labels are real for generator cost
        output = netD(fake)
        let errG = criterion(output, label)
        errG.backward()
        let dGz2 = output.mean().item()
        optimizerG.step()
        (lastDx, lastDGz) = (dX, dGz2)

        if i % logInterval == 0 {
            print(
                String(
                    format: "[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f", epoch, epochs,
                    i, dataloader.count, errD.item(), errG.item(), dX, dGz1, dGz2))
        }
    }
}
// The generated samples' pixel statistics against the data's (a generator that learned nothing
// stays near its initial grey; one that learned matches the mean and spread of the images).
let samples = Torch.noGrad { netG.eval()(fixedNoise) }
let realMean = images.mean().item(), fakeMean = samples.mean().item()
print(
    String(
        format: "final D(x): %.4f D(G(z)): %.4f | pixel mean real %.3f fake %.3f | std real %.3f fake %.3f", lastDx,
        lastDGz, realMean, fakeMean, images.std().item(), samples.std().item()))
