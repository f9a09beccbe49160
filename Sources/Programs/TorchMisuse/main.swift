// Runs one misuse case by name and is expected to trap: the tests read the trap message from
// stderr and check that it names the op, the shapes/dtypes and this file's line of the call.
// Usage: torch-misuse CASE   (prints "line N" to stdout before the failing call)
import Torch
import TorchIO
import TorchDistributions
import TorchNN
import TorchOptim

func at(_ line: UInt = #line) { print("line \(line)"); fflush_stdout() }

let name = CommandLine.arguments.dropFirst().first ?? ""
let a = Tensor.zeros([2, 3]), b = Tensor.zeros([2, 4])
switch name {
case "broadcast":
    at(); _ = a.add(b)
case "matmul":
    at(); _ = a.matmul(b)
case "view":
    at(); _ = a.t().view([6])
case "reshape":
    at(); _ = a.reshape([4, 2])
case "index":
    at(); _ = a[5]
case "select":
    at(); _ = a.select(1, -4)
case "dim":
    at(); _ = a.sum(dim: 2)
case "cat":
    at(); _ = Tensor.cat([a, b], dim: 0)
case "linear-width":
    let fc = Linear(784, 10)
    at(); _ = fc(Tensor.zeros([64, 28]))
case "conv-in-sequential":
    let model = Sequential(Conv2d(1, 4, 3), ReLU())
    at(); _ = model(Tensor.zeros([1, 3, 8, 8]))
case "op-in-forward":
    final class Net: Module {
        let fc = Linear(4, 2)
        override func forward(_ x: Tensor) -> Tensor { fc(x).view([3]) }
    }
    let net = Net()
    at(); _ = net(Tensor.zeros([1, 4]))
case "lstm-hidden":
    let lstm = LSTM(10, 20, numLayers: 2)
    at(); _ = lstm(Tensor.zeros([5, 3, 10]), (Tensor.zeros([3, 20]), Tensor.zeros([3, 20])))
case "pack-unsorted":
    at(); _ = packPaddedSequence(Tensor.zeros([4, 3, 2]), lengths: [2, 4, 1])
case "item":
    at(); _ = a.item()
case "mean-int":
    at(); _ = Tensor([1, 2, 3]).mean()
case "bool-neg":
    at(); _ = (a .> 0).neg()
case "inplace-cast":
    let i = Tensor([1, 2, 3])
    at(); i.add_(Tensor([0.5, 0.5, 0.5]))
case "expand":
    at(); _ = a.expand([3, 3])
case "dist-param":
    at(); _ = Normal(loc: Tensor.zeros([3]), scale: Tensor([1.0, -1.0, 2.0]))
case "dist-support":
    at(); let d = Exponential(rate: Tensor([1.0, 2.0]))
    _ = d.logProb(Tensor([-1.0, 1.0]))
case "dist-mvn":
    at(); _ = MultivariateNormal(loc: Tensor.zeros([2]), .covariance(Tensor([[1.0, 2.0], [2.0, 1.0]])))
case "kl-missing":
    at(); _ = klDivergence(Normal(0, 1), Poisson(rate: Tensor(1.0)))
case "rfft-complex":
    at(); _ = Torch.fft.rfft(Tensor([Complex(1.0, 2.0)]))
case "fft-points":
    at(); _ = Torch.fft.irfft(Tensor([Complex(1.0, 2.0)]))
case "view-as-complex":
    at(); _ = Tensor.ones([3, 3]).viewAsComplex()
case "complex-backward":
    let z = Tensor([Complex(1.0, 2.0)]).requiresGrad_()
    at(); (z * z).sum().backward()
case "complex-sign":
    at(); _ = Tensor([Complex(1.0, 2.0)]).sign()
case "permute":
    at(); _ = a.permute([0, 0])
case "mask-shape":
    at(); _ = a[Tensor([true, false, true])]
case "float-index":
    at(); _ = a[Tensor([0.0, 1.0])]
case "cx-eigh-phase", "cx-eig-phase", "cx-svd-phase":
    Torch.manualSeed(0)
    let z = Tensor.complex(Tensor.randn([3, 3], dtype: .float64), Tensor.randn([3, 3], dtype: .float64))
    let h = ((z + z.mH) * 0.5).detach().requiresGrad_()
    // Losses that read the vectors' phases (their real parts): PyTorch's backward refuses them.
    if name == "cx-eigh-phase" {
        at(); Linalg.eigh(h).eigenvectors.real.sum().backward()
    } else if name == "cx-eig-phase" {
        at(); Linalg.eig(h).eigenvectors.real.sum().backward()
    } else {
        at(); Linalg.svd(h).u.real.sum().backward()
    }
case "batchnorm2d-rank":
    let bn = BatchNorm2d(3)
    at(); _ = bn(Tensor.zeros([2, 3, 4]))
case "param-shape":
    final class Transposed: Module { override func forward(_ x: Tensor) -> Tensor { x.t() } }
    let fc = Linear(4, 3)
    at(); registerParametrization(fc, "weight", Transposed())
case "param-stored":
    final class Own: Module { let w = Tensor.ones([2]).requiresGrad_() }
    at(); spectralNorm(Own(), name: "w")
case "param-no-inverse":
    final class Scale: Module { override func forward(_ x: Tensor) -> Tensor { x * 2 } }
    let fc = registerParametrization(Linear(4, 3), "weight", Scale())
    at(); fc.setTensor("weight", Tensor.zeros([3, 4]))
case "param-missing":
    at(); weightNorm(Linear(4, 3), name: "wieght")
case "spectral-dim":
    at(); spectralNorm(Linear(4, 3), dim: 2)
case "sparse-adam", "sparse-dense":
    let emb = Embedding(4, 2, sparse: name == "sparse-adam")
    let opt: Optimizer = name == "sparse-adam" ? Adam(emb.parameters()) : SparseAdam(emb.parameters())
    emb(Tensor([1, 2])).sum().backward()
    at(); opt.step()
case "sparse-lr":
    at(); _ = SparseAdam([Tensor.zeros([2]).requiresGrad_()], lr: -0.1)
case "sparse-bag-max":
    let bag = EmbeddingBag(4, 2, mode: .max, sparse: true)
    at(); _ = bag(Tensor([1, 2]), offsets: Tensor([0]))
case "sparse-index":
    at(); _ = SparseTensor(indices: Tensor([[0, 3]]), values: Tensor([1.0, 2.0]), size: [3])
default:
    if !name.hasPrefix("ag-") && name != "ckpt-loop" { print("unknown case \(name)") }
}

#if canImport(Glibc)
    import Glibc
    func fflush_stdout() { fflush(stdout) }
#endif

// Autograd misuse cases.
func autogradCase(_ name: String) {
    switch name {
    case "version":
        // sin's backward reads its input, which was changed in place: refused (PyTorch too).
        let x = Tensor([1.0, 2.0]).requiresGrad_()
        let y = x * 2
        let z = y.sin()
        y.mul_(Tensor([2.0, 2.0]))
        at(); z.sum().backward()
    case "version-mul":
        // mul saves each operand for the other's gradient: w needs one, so y is read.
        let x = Tensor([1.0, 2.0]).requiresGrad_(), w = Tensor([3.0, 4.0]).requiresGrad_()
        let y = x * 2
        let z = y * w
        y.mul_(Tensor([3.0, 3.0]))
        at(); z.sum().backward()
    case "version-pow":
        let x = Tensor([1.0, 2.0]).requiresGrad_()
        let y = x * 2
        let z = y.pow(2)
        y.mul_(Tensor([3.0, 3.0]))
        at(); z.sum().backward()
    case "second-backward":
        let x = Tensor([1.0]).requiresGrad_()
        let y = (x * x).sum()
        y.backward()
        at(); y.backward()
    case "leaf-inplace":
        let x = Tensor([1.0]).requiresGrad_()
        at(); x.add_(Tensor([1.0]))
    case "leaf-view-inplace":
        let x = Tensor([1.0, 2.0]).requiresGrad_()
        at(); x[0..<1].mul_(Tensor([3.0]))
    case "anomaly":
        let x = Tensor([-1.0]).requiresGrad_()
        Torch.detectAnomaly {
            at(); let y = x.sqrt()
            y.sum().backward()
        }
    case "anomaly-operator-in-module":
        final class Scale: Module {
            override func forward(_ x: Tensor) -> Tensor { x * Tensor([Double.nan]) }
        }
        let m = Scale()
        let x = Tensor([1.0]).requiresGrad_()
        Torch.detectAnomaly {
            at(); let y = m(x)
            y.sum().backward()
        }
    case "anomaly-operator-top-level":
        let x = Tensor([1.0]).requiresGrad_()
        Torch.detectAnomaly {
            at(); let y = x * Tensor([Double.nan])
            y.sum().backward()
        }
    case "no-grad-backward":
        at(); Tensor([1.0]).backward()
    case "non-scalar":
        let x = Tensor([1.0, 2.0]).requiresGrad_()
        at(); (x * 2).backward()
    default:
        print("unknown case \(name)")
    }
}
if name.hasPrefix("ag-") { autogradCase(String(name.dropFirst(3))) }

// Crash-safety helper: saves checkpoints in a loop until killed (tests send SIGKILL at random moments).
if name == "ckpt-loop", CommandLine.arguments.count > 2 {
    let path = CommandLine.arguments[2]
    var step = 0
    while true {
        let w = Tensor.full([250_000], Double(step), dtype: .float32)
        try! SafeTensors.save(["w": w, "step": Tensor([step])], metadata: ["step": String(step)], to: path)
        step += 1
    }
}
