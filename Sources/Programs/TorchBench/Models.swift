import Torch
import TorchBase
import TorchNN
import TorchOptim
import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// The training workloads of the benchmark, built the way a user would write them.
enum ModelBench {
    static func mlpStep() -> () -> Void {
        let model = Sequential(Linear(784, 512), ReLU(), Linear(512, 256), ReLU(), Linear(256, 10))
        let opt = SGD(model.parameters(), lr: 0.01, momentum: 0.9)
        let x = Tensor.randn([128, 784]), y = Tensor.randint(0, 10, [128])
        return {
            opt.zeroGrad()
            crossEntropy(model(x), y).backward()
            opt.step()
        }
    }

    static func lenetStep() -> () -> Void {
        let model = Sequential(
            Conv2d(1, 6, kernelSize: 5, padding: 2), ReLU(), MaxPool2d(2), Conv2d(6, 16, kernelSize: 5), ReLU(),
            MaxPool2d(2), Flatten(), Linear(400, 120), ReLU(), Linear(120, 84), ReLU(), Linear(84, 10))
        let opt = SGD(model.parameters(), lr: 0.01, momentum: 0.9)
        let x = Tensor.randn([64, 1, 28, 28]), y = Tensor.randint(0, 10, [64])
        return {
            opt.zeroGrad()
            crossEntropy(model(x), y).backward()
            opt.step()
        }
    }

    static func conv() -> (() -> Void, () -> Void) {
        let conv = Conv2d(3, 64, kernelSize: 3, padding: 1)
        let x = Tensor.randn([32, 3, 32, 32])
        let xg = x.clone().requiresGrad_()
        return (
            { Torch.noGrad { _ = conv(x) } },
            {
                conv.zeroGrad()
                xg.grad = nil
                conv(xg).sum().backward()
            }
        )
    }

    static func lstm() -> () -> Void {
        let lstm = LSTM(200, 200, numLayers: 2)
        let x = Tensor.randn([35, 20, 200])
        return {
            lstm.zeroGrad()
            lstm(x).sum().backward()
        }
    }
}

/// PyTorch's timings of the same workloads (scripts/bench_torch.py), keyed as that script prints them.
func runPyTorch() -> [String: Double] {
    guard let python = torchPython() else { return [:] }
    let script = "scripts/bench_torch.py"
    guard access(script, R_OK) == 0 else { return [:] }
    let env = "MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296"
    let args = ["--quick", "--linalg-only", "--sampling-only", "--fft-only", "--nn-only", "--export-only"].filter {
        CommandLine.arguments.contains($0)
    }.map {
        " " + $0
    }.joined()
    guard let p = popen("\(env) \(python) \(script)\(args) 2>/dev/null", "r") else { return [:] }
    var out: [String: Double] = [:]
    var buf = [CChar](repeating: 0, count: 512)
    while fgets(&buf, 512, p) != nil {
        let parts = String(cString: buf).split(separator: " ")
        if parts.count == 2, let v = Double(parts[1].filter { !$0.isWhitespace }) { out[String(parts[0])] = v }
    }
    pclose(p)
    return out
}

func torchPython() -> String? {
    if let p = ProcessInfo.processInfo.environment["SWIFTTORCH_TORCH_PYTHON"], access(p, X_OK) == 0 { return p }
    let local = ".venv-torch/bin/python"
    return access(local, X_OK) == 0 ? local : nil
}

func pytorchVersion() -> String {
    guard let python = torchPython(),
        let p = popen("\(python) -c 'import torch; print(torch.__version__)' 2>/dev/null", "r")
    else { return "?" }
    var buf = [CChar](repeating: 0, count: 128)
    let v = fgets(&buf, 128, p) != nil ? String(cString: buf).filter { !$0.isWhitespace } : "?"
    pclose(p)
    return v
}
