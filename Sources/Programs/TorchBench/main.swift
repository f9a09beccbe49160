// The benchmark CLI: times SwiftTorch and NumPy on the same workloads in one run and prints ratios.
// Usage: swift run -c release torch-bench [--quick] [--models-only] [--linalg-only] [--sampling-only] [--fft-only]
//                                         [--nn-only] [--export-only] [--distributed] [--memory] [--kernels [--runs N] [--threads 1,2,4]]
import Torch
import TorchBase
@_spi(Kernels) import TorchCPU
import TorchNN
import TorchOptim
import TorchIO
import TorchDistributions
import TorchONNX
import Foundation
#if canImport(Glibc)
    import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median seconds per call of `body` over `reps` timed runs of `inner` calls each.
func time(reps: Int = 7, inner: Int = 1, _ body: () -> Void) -> Double {
    body()
    var samples: [Double] = []
    for _ in 0..<reps {
        let t0 = now()
        for _ in 0..<inner { body() }
        samples.append((now() - t0) / Double(inner))
    }
    samples.sort()
    return samples[samples.count / 2]
}

let quick = CommandLine.arguments.contains("--quick")
if CommandLine.arguments.contains("--distributed") {
    distributedBench()
    exit(0)
}
if CommandLine.arguments.contains("--memory") {
    memoryBench()
    exit(0)
}
if CommandLine.arguments.contains("--kernels") {
    let runs = CommandLine.arguments.firstIndex(of: "--runs").flatMap { i in
        i + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[i + 1]) : nil
    }
    // `--threads 1,2,4`: the thread counts each row runs at (default: 1 and all).
    let threads = CommandLine.arguments.firstIndex(of: "--threads").flatMap { i in
        i + 1 < CommandLine.arguments.count
            ? CommandLine.arguments[i + 1].split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 } : nil
    }
    kernelsBench(reps: quick ? 3 : 5, runs: Swift.max(1, runs ?? 1), threadCounts: threads)
    exit(0)
}
if CommandLine.arguments.contains("--record-loop") {
    // For profilers: a recorded mul and a tiny backward, many times.
    let a = Tensor.ones([1]).requiresGrad_(), b = Tensor.ones([1]).requiresGrad_()
    let muls = CommandLine.arguments.contains("--backward-only") ? 0 : 400_000
    let backwards = CommandLine.arguments.contains("--record-only") ? 0 : 40_000
    for _ in 0..<muls { _ = a * b }
    for _ in 0..<backwards { (a * b).sum().backward() }
    exit(0)
}
if CommandLine.arguments.contains("--scalar-loop") {
    let t64 = Tensor.randint(0, 10, [128])
    for _ in 0..<2_000_000 { _ = t64 + 1 }
    exit(0)
}
if CommandLine.arguments.contains("--ce-loop") {
    let logits = Tensor.randn([128, 10]), y = Tensor.randint(0, 10, [128])
    for _ in 0..<200_000 { _ = crossEntropy(logits, y) }
    exit(0)
}
if CommandLine.arguments.contains("--micro") {
    // Per-op times of the MLP's pieces (for before/after comparisons of the op core).
    Torch.numThreads = 1
    let x = Tensor.randn([128, 512]), w = Tensor.randn([256, 512]), b = Tensor.randn([256])
    let logits = Tensor.randn([128, 10]), y = Tensor.randint(0, 10, [128])
    print("relu 128x512", time(inner: 50) { _ = x.relu() } * 1e6, "us")
    print("exp 128x512", time(inner: 50) { _ = x.exp() } * 1e6, "us")
    print("sin 128x512", time(inner: 50) { _ = x.sin() } * 1e6, "us")
    print("add 128x512", time(inner: 50) { _ = x + x } * 1e6, "us")
    print("addmm 128x512x256", time(inner: 20) { _ = Tensor.addmm(b, x, w.t()) } * 1e6, "us")
    print("crossEntropy 128x10", time(inner: 50) { _ = crossEntropy(logits, y) } * 1e6, "us")
    print("sum 128x512", time(inner: 50) { _ = x.sum() } * 1e6, "us")
    let t64 = Tensor.randint(0, 10, [128]), bm = t64 .> 3
    print("ne scalar int64 128", time(inner: 200) { _ = t64 .!= -100 } * 1e9, "ns")
    print("or bool 128", time(inner: 200) { _ = bm | bm } * 1e9, "ns")
    print("ne tensor int64 128", time(inner: 200) { _ = t64 .!= t64 } * 1e9, "ns")
    print("add scalar int64 128", time(inner: 200) { _ = t64 + 1 } * 1e9, "ns")
    print("scalar int64", time(inner: 200) { _ = Tensor.scalar(-100, dtype: .int64) } * 1e9, "ns")
    print("where int64 128", time(inner: 200) { _ = Tensor.where(bm, t64, Tensor.zerosLike(t64)) } * 1e9, "ns")
    print("mul float 128", time(inner: 200) { _ = logits[0] * logits[1] } * 1e9, "ns")
    print("neg 128x10", time(inner: 200) { _ = -logits } * 1e9, "ns")
    print("zeros 128x512", time(inner: 50) { _ = Tensor.zeros([128, 512]) } * 1e6, "us")
    exit(0)
}
if CommandLine.arguments.contains("--overhead-loop") {
    // For profilers: just the 1-element add, many times.
    let a = Tensor.ones([1]), b = Tensor.ones([1])
    for _ in 0..<200_000 { _ = a + b }
    print("a+b", time(inner: 200_000) { _ = a + b } * 1e9, "ns")
    let x1 = Tensor.rand([1_000_000]), y1 = Tensor.rand([1_000_000])
    print("add 1M", time(inner: 20) { _ = x1 + y1 } * 1e6, "us")
    print(CPUAllocator.shared.stats)
    print("empty", time(inner: 200_000) { _ = Tensor.empty([1]) } * 1e9, "ns")
    print("Layout", time(inner: 200_000) { _ = Layout(shape: [1]) } * 1e9, "ns")
    print("Storage", time(inner: 200_000) { _ = Storage(byteCount: 4) } * 1e9, "ns")
    let o = Tensor.empty([1])
    print("add out", time(inner: 200_000) { Torch.add(a, b, out: o) } * 1e9, "ns")
    exit(0)
}
if let i = CommandLine.arguments.firstIndex(of: "--profile"), i + 1 < CommandLine.arguments.count {
    // For profilers: one training workload, many times.
    let work: () -> Void
    if CommandLine.arguments[i + 1] == "mlp-phases" {
        Torch.numThreads = 1
        let model = Sequential(Linear(784, 512), ReLU(), Linear(512, 256), ReLU(), Linear(256, 10))
        let opt = SGD(model.parameters(), lr: 0.01, momentum: 0.9)
        let x = Tensor.randn([128, 784]), y = Tensor.randint(0, 10, [128])
        var loss = crossEntropy(model(x), y)
        let f = time(reps: 7, inner: 5) { loss = crossEntropy(model(x), y) }
        let fb = time(reps: 7, inner: 5) {
            opt.zeroGrad(); crossEntropy(model(x), y).backward()
        }
        let st = time(reps: 7, inner: 5) { opt.step() }
        let w = Tensor.randn([512, 784]), h = Tensor.randn([128, 784])
        let mm = time(reps: 7, inner: 5) { _ = h.matmul(w.t()) }
        print(
            "forward", f * 1e3, "forward+backward", fb * 1e3, "step", st * 1e3, "one 128x784x512 matmul", mm * 1e3,
            loss.item(Float.self))
        exit(0)
    }
    switch CommandLine.arguments[i + 1] {
    case "mlp": work = ModelBench.mlpStep()
    case "lenet": work = ModelBench.lenetStep()
    case "conv": work = ModelBench.conv().0
    case "conv-backward": work = ModelBench.conv().1
    default: work = ModelBench.lstm()
    }
    for _ in 0..<3 { work() }
    let t0 = now()
    var calls = 0
    while now() - t0 < 3 { work(); calls += 1 }
    print("per call", (now() - t0) / Double(calls) * 1e3, "ms over", calls, "calls")
    exit(0)
}
if CommandLine.arguments.contains("--io") {
    // safetensors throughput for a 500 MB file, against Python's safetensors (numpy API) from
    // .venv-tb (scripts/setup.sh makes it) in the same run, on the same disk.
    let dir = "/tmp/swifttorch-io-\(getpid())"
    mkdir(dir, 0o755)
    defer { _ = system("rm -rf \(dir)") }
    var tensors: [String: Tensor] = [:]
    for i in 0..<4 { tensors["t\(i)"] = Tensor.rand([31_250_000]) }
    let mb = 500.0
    let path = "\(dir)/ours.safetensors"
    let save = time(reps: 3) { try! SafeTensors.save(tensors, to: path) }
    let load = time(reps: 3) { _ = try! SafeTensors.load(path) }
    let mapped = time(reps: 3) { _ = try! SafeTensors.loadMapped(path) }
    let mappedSum = time(reps: 3) {
        let (t, _) = try! SafeTensors.loadMapped(path); for v in t.values { _ = v.sum() }
    }
    let py = """
        import time, numpy as np
        from safetensors.numpy import save_file, load_file
        t = {f"t{i}": np.random.rand(31_250_000).astype(np.float32) for i in range(4)}
        def best(f):
            s = []
            for _ in range(3):
                t0 = time.perf_counter(); f(); s.append(time.perf_counter() - t0)
            return sorted(s)[1]
        print("save", best(lambda: save_file(t, "\(dir)/py.safetensors")))
        print("load", best(lambda: load_file("\(path)")))
        """
    let script = "\(dir)/io.py"
    _ = FileManager.default.createFile(atPath: script, contents: py.data(using: .utf8))
    var pyTimes: [String: Double] = [:]
    if let p = popen(".venv-tb/bin/python \(script) 2>&1", "r") {
        var buf = [CChar](repeating: 0, count: 512)
        while fgets(&buf, 512, p) != nil {
            let parts = String(cString: buf).split(separator: " ")
            if parts.count == 2, let v = Double(parts[1].filter { !$0.isWhitespace }) { pyTimes[String(parts[0])] = v }
        }
        pclose(p)
    }
    func line(_ name: String, _ t: Double, _ ref: Double?) {
        let r =
            ref.map { "python safetensors " + format3(mb / $0) + " MB/s, ratio " + format3($0 / t) + "x" }
            ?? "python n/a"
        print(pad(name, 46) + pad(format3(mb / t) + " MB/s", 16) + r)
    }
    if pyTimes.isEmpty { print("Python safetensors timings unavailable (.venv-tb missing: run scripts/setup.sh)") }
    print("safetensors, 500 MB in 4 float32 tensors:")
    line("save (atomic: temp file, fsync, rename, dir fsync)", save, pyTimes["save"])
    line("load (copied into tensors)", load, pyTimes["load"])
    line("load memory-mapped (no copy)", mapped, pyTimes["load"])
    line("load memory-mapped + sum of every tensor", mappedSum, nil)
    exit(0)
}
let big = quick ? 1_000_000 : 10_000_000

// NumPy's side, run once in a child process; prints "key value" lines.
let numpyScript = """
    import numpy as np, time
    def t(f, reps=7, inner=1):
        f(); s=[]
        for _ in range(reps):
            t0=time.perf_counter()
            for _ in range(inner): f()
            s.append((time.perf_counter()-t0)/inner)
        s.sort(); return s[len(s)//2]
    n=\(big)
    a=np.ones(1,np.float32); b=np.ones(1,np.float32)
    print('overhead', t(lambda: a+b, inner=100000))
    x=np.random.rand(n).astype(np.float32); y=np.random.rand(n).astype(np.float32); o=np.empty_like(x)
    print('add_alloc', t(lambda: x+y)); print('add_out', t(lambda: np.add(x,y,out=o)))
    print('exp', t(lambda: np.exp(x))); print('tanh', t(lambda: np.tanh(x))); print('sum', t(lambda: x.sum()))
    for k in (256,512,1024,2048):
        A=np.random.rand(k,k).astype(np.float32); B=np.random.rand(k,k).astype(np.float32)
        print('mm%d'%k, t(lambda: A@B, reps=5))
    """

func runNumPy() -> [String: Double] {
    let path = "/tmp/swifttorch-bench-\(getpid()).py"
    guard let f = fopen(path, "w") else { return [:] }
    fputs(numpyScript, f)
    fclose(f)
    guard let p = popen("python3 \(path) 2>/dev/null", "r") else { return [:] }
    var out: [String: Double] = [:]
    var buf = [CChar](repeating: 0, count: 512)
    while fgets(&buf, 512, p) != nil {
        let line = String(cString: buf).split(separator: " ")
        if line.count == 2, let v = Double(line[1].trimmingCharacters(in: " \n")) { out[String(line[0])] = v }
    }
    pclose(p)
    unlink(path)
    return out
}

extension Substring {
    func trimmingCharacters(in set: String) -> String { String(self.filter { !set.contains($0) }) }
}

let modelsOnly = CommandLine.arguments.contains("--models-only")
let np = modelsOnly ? [:] : runNumPy()
if np.isEmpty { print("warning: NumPy timings unavailable (python3 with numpy not found)") }

func row(_ name: String, _ ours: Double, _ theirs: Double?, unit: String, higherIsBetter: Bool) {
    let o = String(format3(ours)), t = theirs.map { format3($0) } ?? "n/a"
    var ratio = "n/a"
    if let th = theirs, th > 0 { ratio = format3(higherIsBetter ? ours / th : th / ours) + "x" }
    print(pad(name, 34) + pad(o + " " + unit, 18) + pad("numpy " + t, 20) + "speed ratio " + ratio)
}

func format3(_ v: Double) -> String {
    if v >= 100 { return String(Int(v.rounded())) }
    let scaled = (v * 1000).rounded() / 1000
    return String(scaled)
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

print("SwiftTorch benchmark (\(Torch.numThreads) threads; ratios > 1 mean SwiftTorch is faster)")

if !modelsOnly {
    // 1. Per-op overhead.
    let a1 = Tensor.ones([1]), b1 = Tensor.ones([1])
    let ovh = time(inner: 100_000) { _ = a1 + b1 }
    row("add 1-element float32 overhead", ovh * 1e6, np["overhead"].map { $0 * 1e6 }, unit: "us", higherIsBetter: false)

    // Autograd overheads are timed with PyTorch's in section 6.

    // 2. Allocating add versus add into an existing tensor.
    let x = Tensor.rand([big]), y = Tensor.rand([big]), o = Tensor.empty([big])
    let addAlloc = time { _ = x + y }
    let addOut = time { Torch.add(x, y, out: o) }
    row(
        "add 10M float32 (allocating)", addAlloc * 1e3, np["add_alloc"].map { $0 * 1e3 }, unit: "ms",
        higherIsBetter: false)
    row("add 10M float32 (out=)", addOut * 1e3, np["add_out"].map { $0 * 1e3 }, unit: "ms", higherIsBetter: false)
    print("  allocating / out= time ratio: \(format3(addAlloc / addOut)) (target <= 1.2)")

    // 3-4. Bandwidth of exp, tanh (1 and all threads) and sum.
    let bytes = Double(big * 4)
    for (name, f) in [("exp", { _ = x.exp() }), ("tanh", { _ = x.tanh() })] as [(String, () -> Void)] {
        let threads = Torch.numThreads
        Torch.numThreads = 1
        let t1 = time(f)
        Torch.numThreads = threads
        let tn = time(f)
        let ref = np[name].map { 2 * bytes / $0 / 1e9 }
        row("\(name) 10M float32, 1 thread", 2 * bytes / t1 / 1e9, ref, unit: "GB/s", higherIsBetter: true)
        row("\(name) 10M float32, \(threads) threads", 2 * bytes / tn / 1e9, ref, unit: "GB/s", higherIsBetter: true)
    }
    do {
        let threads = Torch.numThreads
        Torch.numThreads = 1
        let t1 = time { _ = x.sum() }
        Torch.numThreads = threads
        let tn = time { _ = x.sum() }
        let ref = np["sum"].map { bytes / $0 / 1e9 }
        row("sum 10M float32, 1 thread", bytes / t1 / 1e9, ref, unit: "GB/s", higherIsBetter: true)
        row("sum 10M float32, \(threads) threads", bytes / tn / 1e9, ref, unit: "GB/s", higherIsBetter: true)
    }

    // 5. Matmul.
    for k in [256, 512, 1024, 2048] {
        let a = Tensor.rand([k, k]), b = Tensor.rand([k, k])
        let t = time(reps: 5) { _ = a.matmul(b) }
        let flops = 2 * Double(k) * Double(k) * Double(k)
        row(
            "matmul \(k) float32", flops / t / 1e9, np["mm\(k)"].map { flops / $0 / 1e9 }, unit: "GFLOP/s",
            higherIsBetter: true)
    }
}

// 6. Training workloads against PyTorch (run in a child process from a virtualenv with torch:
// SWIFTTORCH_TORCH_PYTHON, or .venv-torch/bin/python; scripts/setup-torch.sh makes one).
if !CommandLine.arguments.contains("--no-models") {
    let pt = runPyTorch()
    print("")
    if pt.isEmpty {
        print(
            "PyTorch timings unavailable (no torch virtualenv: run scripts/setup-torch.sh or set "
                + "SWIFTTORCH_TORCH_PYTHON)"
        )
    } else {
        print("Against PyTorch \(pytorchVersion()) in the same run (ratio > 1: SwiftTorch is faster):")
    }
    func vs(_ name: String, _ ours: Double, _ key: String) {
        let theirs = pt[key]
        let ratio = theirs.map { format3($0 / ours) + "x" } ?? "n/a"
        print(
            pad(name, 40) + pad(format3(ours * 1e3) + " ms", 14)
                + pad("torch " + (theirs.map { format3($0 * 1e3) + " ms" } ?? "n/a"), 20) + "speed ratio " + ratio)
    }
    let fftOnly = CommandLine.arguments.contains("--fft-only")
    let samplingOnly = CommandLine.arguments.contains("--sampling-only") || fftOnly
    let exportOnly = CommandLine.arguments.contains("--export-only")
    let nnOnly = CommandLine.arguments.contains("--nn-only") || exportOnly
    let linalgOnly = CommandLine.arguments.contains("--linalg-only") || samplingOnly || nnOnly
    if !linalgOnly {
        let a = Tensor.ones([1]).requiresGrad_(), b = Tensor.ones([1]).requiresGrad_()
        let saved = Torch.numThreads
        Torch.numThreads = 1
        let rec = time(inner: 50_000) { _ = a * b }
        let bw = time(inner: 5_000) { (a * b).sum().backward() }
        Torch.numThreads = saved
        print(
            pad("mul 1-element while recording", 40) + pad(format3(rec * 1e6) + " us", 14)
                + pad("torch " + (pt["rec_mul"].map { format3($0 * 1e6) + " us" } ?? "n/a"), 20)
                + "speed ratio " + (pt["rec_mul"].map { format3($0 / rec) + "x" } ?? "n/a") + "  (target <= 0.6 us)")
        print(
            pad("((a * b).sum()).backward()", 40) + pad(format3(bw * 1e6) + " us", 14)
                + pad("torch " + (pt["tiny_backward"].map { format3($0 * 1e6) + " us" } ?? "n/a"), 20)
                + "speed ratio " + (pt["tiny_backward"].map { format3($0 / bw) + "x" } ?? "n/a") + "  (target <= 5 us)")
    }
    let reps = quick ? 3 : 7
    let saved = Torch.numThreads
    for threads in linalgOnly ? [] : [1, 2] {
        Torch.numThreads = threads
        vs(
            "MLP 784-512-256-10 SGD step, b128, \(threads)T", time(reps: reps, inner: 5, ModelBench.mlpStep()),
            "mlp_\(threads)")
        vs("LeNet-5 SGD step, b64, \(threads)T", time(reps: reps, inner: 3, ModelBench.lenetStep()), "lenet_\(threads)")
        let (fwd, fwdBwd) = ModelBench.conv()
        vs("conv2d 32x3x32x32->64 3x3 fwd, \(threads)T", time(reps: reps, inner: 3, fwd), "conv_fwd_\(threads)")
        vs("conv2d fwd+bwd, \(threads)T", time(reps: reps, fwdBwd), "conv_fwd_bwd_\(threads)")
        vs("LSTM 2x200, seq 35, b20 fwd+bwd, \(threads)T", time(reps: reps, ModelBench.lstm()), "lstm_\(threads)")
    }
    Torch.numThreads = saved

    if exportOnly {
        exportBench(vs, pt)
    } else {
        if !samplingOnly { nnBench(vs) }
        if !nnOnly {
            if !samplingOnly { linalgBench(vs) }
            if !fftOnly { samplingBench(vs) }
            fftBench(pt)
        }
    }
}

// 6b. nn layers and LBFGS (#16), with all threads.
func nnBench(_ vs: (String, Double, String) -> Void) {
    let nreps = quick ? 3 : 5
    Torch.manualSeed(0)
    let layer = TransformerEncoderLayer(dModel: 256, nhead: 8, dimFeedforward: 1024, dropout: 0, batchFirst: true)
    let src = Tensor.randn([16, 64, 256])
    vs(
        "TransformerEncoderLayer 256/8 fwd b16 s64",
        time(reps: nreps) { Torch.noGrad { _ = layer(src) } }, "tel_fwd")
    vs(
        "TransformerEncoderLayer fwd+bwd",
        time(reps: nreps) {
            layer.zeroGrad()
            layer(src).sum().backward()
        }, "tel_fwd_bwd")
    let cell = LSTMCell(256, 512)
    let xs = Tensor.randn([35, 32, 256]).unbind(0)
    vs(
        "LSTMCell 256->512 35 steps b32 fwd+bwd",
        time(reps: nreps) {
            cell.zeroGrad()
            var (h, c) = (Tensor.zeros([32, 512]), Tensor.zeros([32, 512]))
            for x in xs { (h, c) = cell(x, (h, c)) }
            h.sum().backward()
        }, "lstmcell_35")
    let img = Tensor.randn([16, 32, 64, 64])
    for mode in [InterpolationMode.nearest, .bilinear, .bicubic] {
        let align: Bool? = mode == .nearest ? nil : false
        vs(
            "interpolate \(mode.rawValue) x2 16x32x64x64",
            time(reps: nreps) { _ = interpolate(img, scaleFactor: [2], mode: mode, alignCorners: align) },
            "interp_\(mode.rawValue)")
    }
    // A spatial transformer's sampling (#14): an affine grid over the same images.
    let theta = Tensor([[0.9, 0.1, 0.05], [-0.1, 0.9, 0.0]] as [[Double]]).unsqueeze(0).expand([16, 2, 3]).contiguous()
    let grid = affineGrid(theta, size: [16, 32, 64, 64])
    vs("grid_sample bilinear 16x32x64x64", time(reps: nreps) { _ = gridSample(img, grid) }, "grid_sample")
    let x = Tensor.randn([512, 64]), y = Tensor.randn([512, 1])
    vs(
        "LBFGS step (20 iterations) MLP 64-128-1",
        time(reps: nreps) {
            let model = Sequential(Linear(64, 128), Tanh(), Linear(128, 1))
            let opt = LBFGS(model.parameters(), lr: 1, maxIter: 20, toleranceGrad: 0, toleranceChange: 0)
            _ = opt.step {
                opt.zeroGrad()
                let loss = mseLoss(model(x), y)
                loss.backward()
                return loss
            }
        }, "lbfgs_20")
}

func linalgBench(_ vs: (String, Double, String) -> Void) {
    // 7. Linear algebra, einsum and ordering (#14), with all threads.
    let lreps = quick ? 3 : 5
    let n512 = Tensor.randn([512, 512]) + Tensor.eye(512) * 512.0.squareRoot()
    // Positive-definite with room to spare in float32 (a product alone can round to singular).
    let b512 = Tensor.randn([512, 64]), s512 = n512.matmul(n512.mT) + Tensor.eye(512) * 512.0
    let ab = Tensor.randn([64, 64, 64]) + Tensor.eye(64) * 8.0
    let bb = Tensor.randn([64, 64, 8]), sb = ab.matmul(ab.mT) + Tensor.eye(64) * 64.0
    vs("linalg.solve 512x512 (64 rhs)", time(reps: lreps) { _ = Linalg.solve(n512, b512) }, "solve512")
    vs("linalg.cholesky 512x512", time(reps: lreps) { _ = Linalg.cholesky(s512) }, "cholesky512")
    vs("linalg.svd 512x512", time(reps: lreps) { _ = Linalg.svd(n512) }, "svd512")
    vs("linalg.solve 64 x 64x64 (8 rhs)", time(reps: lreps) { _ = Linalg.solve(ab, bb) }, "solve_b64")
    vs("linalg.cholesky 64 x 64x64", time(reps: lreps) { _ = Linalg.cholesky(sb) }, "cholesky_b64")
    vs("linalg.svd 64 x 64x64", time(reps: lreps) { _ = Linalg.svd(ab) }, "svd_b64")
    let q = Tensor.randn([8, 8, 128, 64]), k = Tensor.randn([8, 8, 128, 64])
    vs(
        "einsum bhqd,bhkd->bhqk 8x8x128x64", time(reps: lreps) { _ = Tensor.einsum("bhqd,bhkd->bhqk", q, k) },
        "einsum_attn")
    let c1 = Tensor.randn([256, 512]), c2 = Tensor.randn([512, 32]), c3 = Tensor.randn([32, 512])
    vs(
        "einsum ij,jk,kl->il (3 operands)", time(reps: lreps) { _ = Tensor.einsum("ij,jk,kl->il", c1, c2, c3) },
        "einsum_chain")
    let big10 = Tensor.randn([10_000_000])
    vs("median 10M float32", time(reps: 3) { _ = big10.median() }, "median10M")
    let big8 = big10.narrow(0, start: 0, length: 8_000_000)
    vs("quantile(0.9) 8M float32", time(reps: 3) { _ = big8.quantile(0.9) }, "quantile8M")
    // Rounding included, as PyTorch's side times it.
    vs("unique 10M float32 (~5k values)", time(reps: 3) { _ = (big10 * 100.0).round().unique() }, "unique10M")
    vs("sort 10M float32", time(reps: 3) { _ = big10.sort(dim: 0) }, "sort10M")
}

// 8. Sampling throughput (#15): one million draws each, with all threads.
func samplingBench(_ vs: (String, Double, String) -> Void) {
    let sreps = quick ? 3 : 5
    let normal = Normal(loc: Tensor.zeros([1000]), scale: Tensor.ones([1000]))
    vs("Normal.sample 1M (1000 x batch 1000)", time(reps: sreps) { _ = normal.sample([1000]) }, "sample_normal")
    let categorical = Categorical(logits: Tensor.randn([1000]))
    vs(
        "Categorical(1000 classes).sample 1M", time(reps: sreps) { _ = categorical.sample([1_000_000]) },
        "sample_categorical")
    let gamma = Gamma(concentration: Tensor.full([1000], 2.5), rate: Tensor.ones([1000]))
    vs("Gamma(2.5).sample 1M", time(reps: sreps) { _ = gamma.sample([1000]) }, "sample_gamma")
}

// 9. FFTs (#15), against numpy.fft (pocketfft) and torch.fft (MKL on x86) in the same run, all threads.
func fftBench(_ pt: [String: Double]) {
    print("")
    print("FFT (single precision; ratio > 1: SwiftTorch is faster):")
    print(pad("transform", 30) + pad("SwiftTorch", 14) + pad("numpy", 24) + "torch")
    func row(_ name: String, _ ours: Double, _ key: String) {
        func cell(_ prefix: String) -> String {
            guard let theirs = pt[prefix + key] else { return "n/a" }
            return format3(theirs * 1e3) + " ms (" + format3(theirs / ours) + "x)"
        }
        print(pad(name, 30) + pad(format3(ours * 1e3) + " ms", 14) + pad(cell("np_"), 24) + cell("torch_"))
    }
    let reps = quick ? 3 : 5
    for p in stride(from: 10, through: 22, by: 2) {
        let n = 1 << p
        let inner = Swift.max(1, (1 << 20) / n)
        let z = Tensor.randn([n], dtype: .complex64), x = Tensor.randn([n])
        row("fft complex 2^\(p)", time(reps: reps, inner: inner) { _ = Torch.fft.fft(z) }, "fft_c_\(p)")
        row("rfft real 2^\(p)", time(reps: reps, inner: inner) { _ = Torch.fft.rfft(x) }, "rfft_r_\(p)")
    }
    let prime = Tensor.randn([10_007], dtype: .complex64)
    row("fft complex 10007 (prime)", time(reps: reps, inner: 20) { _ = Torch.fft.fft(prime) }, "fft_prime")
    let image = Tensor.randn([1024, 1024], dtype: .complex64)
    row("fft2 complex 1024x1024", time(reps: reps) { _ = Torch.fft.fft2(image) }, "fft2_1024")
    let realImage = Tensor.randn([1024, 1024])
    row("rfft2 real 1024x1024", time(reps: reps) { _ = Torch.fft.rfft2(realImage) }, "rfft2_1024")
}

// 10. Tracing, ONNX export and the profiler (#19), one thread: export against torch.onnx.export
// (TorchScript-based) and tracing against torch.jit.trace; the profiler's cost per op.
func exportBench(_ vs: (String, Double, String) -> Void, _ torchTimings: [String: Double]) {
    let saved = Torch.numThreads
    Torch.numThreads = 1
    defer { Torch.numThreads = saved }
    Torch.manualSeed(0)
    final class LM: Module {
        let embed = Embedding(10000, 200), lstm = LSTM(200, 200, numLayers: 2), decoder = Linear(200, 10000)
        override func forward(_ x: Tensor) -> Tensor { decoder(lstm(embed(x)).output) }
    }
    let lm = LM().eval(), tokens = Tensor.randint(0, 10000, [35, 20])
    let encoder = TransformerEncoder(
        TransformerEncoderLayer(dModel: 256, nhead: 8, dimFeedforward: 1024, dropout: 0.1), numLayers: 2
    ).eval()
    let src = Tensor.randn([64, 16, 256])
    let path = NSTemporaryDirectory() + "torch-bench-\(getpid()).onnx"
    defer { unlink(path) }
    for (key, model, x) in [("lstm", lm as Module, tokens), ("transformer", encoder, src)] {
        vs(
            "Torch.trace \(key) (vs torch.jit.trace)",
            time(reps: 3) { _ = try! Torch.trace(model, exampleInputs: [x]) }, "trace_\(key)")
        vs(
            "onnx.export \(key) (vs torch.onnx.export)",
            time(reps: 3) { try! ONNXExport.export(model, [x], to: path) }, "export_\(key)")
    }
    let a = Tensor.ones([1]), b = Tensor.ones([1])
    let off = time(inner: 20_000) { _ = a + b }
    var onTime = 0.0
    _ = Torch.profiler.profile { onTime = time(inner: 20_000) { _ = a + b } }
    func ns(_ name: String, _ ours: Double, _ key: String) {
        let theirs = torchTimings[key]
        print(
            pad(name, 40) + pad(format3(ours * 1e9) + " ns", 14)
                + pad("torch " + (theirs.map { format3($0 * 1e9) + " ns" } ?? "n/a"), 20)
                + "speed ratio " + (theirs.map { format3($0 / ours) + "x" } ?? "n/a"))
    }
    ns("add 1-element, profiler off", off, "prof_off_add")
    ns("add 1-element, profiler on", onTime, "prof_on_add")
    print(pad("profiler cost per op", 40) + format3((onTime - off) * 1e9) + " ns (target <= 1000 ns)")
}
