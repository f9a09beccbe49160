// A variational autoencoder, written as PyTorch's examples/vae/main.py but with
// torch.distributions: the posterior q(z|x) is a `Normal`, z comes from `rsample` (the
// reparameterisation trick) and the KL term is `klDivergence(q, prior)`. Trained on Debian's
// Fashion-MNIST; `vae.py` beside this file is the same program in PyTorch, for comparison.
//
//   swift run -c release vae-example [--epochs 2] [--seed 1] [--limit 0]
import Foundation
import SwiftTorch

var epochs = 2, seed: UInt64 = 1, limit = 0
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    if a == "--epochs", let v = args.next() { epochs = Int(v) ?? epochs }
    if a == "--seed", let v = args.next() { seed = UInt64(v) ?? seed }
    if a == "--limit", let v = args.next() { limit = Int(v) ?? limit }
}
Torch.manualSeed(seed)

let train: FashionMNIST, test: FashionMNIST
do {
    train = try FashionMNIST(train: true)
    test = try FashionMNIST(train: false)
} catch {
    print("cannot load Fashion-MNIST (apt-get install dataset-fashion-mnist): \(error)")
    exit(1)
}
var images = train.images.reshape([-1, 784])
if limit > 0 { images = images.narrow(0, start: 0, length: limit) }
let testImages = test.images.reshape([-1, 784])

/// The layers register themselves as stored properties; `forward` returns the reconstruction and
/// the posterior, so `model(x)` gives both (through the hooks, as PyTorch's `model(data)`).
final class VAE: Module, Forward1 {
    typealias Input = Tensor
    typealias Output = (Tensor, Normal)
    let fc1 = Linear(784, 400), fc21 = Linear(400, 20), fc22 = Linear(400, 20)
    let fc3 = Linear(20, 400), fc4 = Linear(400, 784)
    /// q(z|x): a diagonal normal with the encoder's mean and log-variance.
    func encode(_ x: Tensor) -> Normal {
        let h = relu(fc1(x))
        return Normal(loc: fc21(h), scale: (0.5 * fc22(h)).exp())
    }
    func decode(_ z: Tensor) -> Tensor { fc4(relu(fc3(z))).sigmoid() }
    func forward(_ x: Tensor) -> (Tensor, Normal) {
        let q = encode(x)
        return (decode(q.rsample()), q)
    }
}

let model = VAE()
let optimizer = Adam(model.parameters(), lr: 1e-3)
let prior = Normal(0, 1)

/// Reconstruction (binary cross entropy, summed) plus KL(q(z|x) ‖ N(0, 1)), summed.
func loss(_ x: Tensor) -> Tensor {
    let (recon, q) = model(x)
    return binaryCrossEntropy(recon, x, reduction: .sum) + klDivergence(q, prior.expand(q.batchShape)).sum()
}

let batch = 128
for epoch in 1...epochs {
    model.train()
    var total = 0.0
    let start = Date()
    for b in DataLoader(TensorDataset(images), batchSize: batch, shuffle: true, seed: seed &+ UInt64(epoch)) {
        let l = loss(b[0])
        optimizer.zeroGrad()
        l.backward()
        optimizer.step()
        total += l.item()
    }
    model.eval()
    let testLoss = Torch.noGrad { loss(testImages).item() } / Double(testImages.shape[0])
    let seconds = Date().timeIntervalSince(start)
    print(
        String(
            format: "====> Epoch: %d Average loss: %.4f  Test set loss: %.4f  (%.1f s)", epoch,
            total / Double(images.shape[0]), testLoss, seconds))
}
