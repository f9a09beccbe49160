// The GPU conformance check and benchmark, built as a static binary and run on the GPU machine
// (../shared/GPU.md). Compares every op the CUDA backend runs with the CPU result, checks the
// allocator (out of memory caught and recovered, bytes back to baseline), trains a small MLP on
// the GPU, and times workloads for comparison with PyTorch (the PyTorch side is timed by a Python
// script in the same run). Prints "N passed, M failed".
// Usage: torch-gpu-check [--bench]
import Torch
import TorchBase
@_spi(Kernels) import TorchCUDA
import TorchNN
import TorchOptim
import TorchConformance
#if canImport(Glibc)
    import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

var passed = 0, failed = 0
func check(_ name: String, _ ok: Bool, _ detail: String = "") {
    if ok { passed += 1 } else { failed += 1; print("FAIL \(name) \(detail)") }
}

/// Max |a - b| relative to tolerances, comparing a GPU result with the CPU one.
func close(_ name: String, _ gpu: Tensor, _ cpu: Tensor, rtol: Double = 1e-5, atol: Double = 1e-5) {
    if gpu.shape != cpu.shape || gpu.dtype != cpu.dtype {
        check(name, false, "shape/dtype \(gpu.shape) \(gpu.dtype) vs \(cpu.shape) \(cpu.dtype)")
        return
    }
    let g = gpu.to(.float64).scalars, c = cpu.to(.float64).scalars
    var worst = 0.0
    var ok = true
    for (x, y) in zip(g, c) {
        if !Checks.isClose(x, y, atol: atol, rtol: rtol) { ok = false }
        if x.isFinite && y.isFinite { worst = max(worst, abs(x - y)) }
    }
    check(name, ok, "max abs error \(worst)")
}

setvbuf(stdout, nil, _IOLBF, 0)
guard Torch.CUDA.isAvailable else {
    print("no GPU: \(Torch.CUDA.unavailableReason ?? "?")")
    print("0 passed, 0 failed, 1 skipped")
    exit(0)
}
let rt = try! CUDARuntime.get()
print("device: \(rt.name), sm_\(rt.arch)")
let gpu: Device = .cuda(0)
let baseline = Torch.CUDA.memoryAllocated

// The device conformance cases (Tests/TorchConformance), the same list DeviceConformanceTests
// runs on every device: each op on the GPU against the CPU (float ops against float64).
let g = Generator(seed: 3)
let conformance = Conformance.run(on: gpu)
passed += conformance.passed
for f in conformance.failures { check(f, false) }
let big = Tensor.rand([3_000_001], dtype: .float64, generator: g)
close("sum large (two-pass)", big.cuda().sum(), big.sum(), rtol: 1e-9)
let wide = Tensor.rand([3, 20000], dtype: .float32, generator: g) * 10
close("softmax wide rows (uncached)", wide.cuda().softmax(dim: 1), wide.softmax(dim: 1), rtol: 1e-4, atol: 1e-7)
// Half-precision and TF32 products (cuBLAS).
let m1 = Tensor.rand([64, 96], dtype: .float32, generator: g),
    m2 = Tensor.rand([96, 32], dtype: .float32, generator: g)
close(
    "matmul f16", m1.to(.float16).cuda().matmul(m2.to(.float16).cuda()).to(.float32),
    m1.to(.float16).to(.float32).matmul(m2.to(.float16).to(.float32)), rtol: 1e-2, atol: 5e-2)
close(
    "matmul bf16", m1.to(.bfloat16).cuda().matmul(m2.to(.bfloat16).cuda()).to(.float32),
    m1.to(.bfloat16).to(.float32).matmul(m2.to(.bfloat16).to(.float32)), rtol: 2e-2, atol: 2e-1)
Torch.CUDA.allowTF32 = true
close("matmul tf32", m1.cuda().matmul(m2.cuda()), m1.matmul(m2), rtol: 5e-3, atol: 5e-2)
Torch.CUDA.allowTF32 = false

// The GPU draws the same Philox numbers as the CPU for the same seed.
for dt in [DType.float32, .float64] {
    close(
        "rand \(dt) same stream as CPU", Tensor.rand([1001], dtype: dt, device: gpu, generator: Generator(seed: 7)),
        Tensor.rand([1001], dtype: dt, generator: Generator(seed: 7)), rtol: 0, atol: 0)
    close(
        "randn \(dt) same stream as CPU", Tensor.randn([1001], dtype: dt, device: gpu, generator: Generator(seed: 8)),
        Tensor.randn([1001], dtype: dt, generator: Generator(seed: 8)), rtol: 1e-12, atol: 1e-12)
}
do {
    let g1 = Generator(seed: 9), g2 = Generator(seed: 9)
    _ = Tensor.randn([5], device: gpu, generator: g1); _ = Tensor.randn([5], generator: g2)
    close(
        "generator state advances alike", Tensor.rand([3], device: gpu, generator: g1), Tensor.rand([3], generator: g2),
        rtol: 0, atol: 0)
}

// Gradients on the GPU match the CPU's.
do {
    let w = Tensor.rand([6, 5], dtype: .float64, generator: g)
    let x = Tensor.rand([4, 6], dtype: .float64, generator: g)
    func loss(_ w: Tensor, _ x: Tensor) -> Tensor {
        let h = x.matmul(w).tanh()
        return logSoftmaxLoss(h) + (h[..., 1..<3] * 2).sum() + h.amax(dims: [1]).sum()
    }
    func logSoftmaxLoss(_ h: Tensor) -> Tensor { crossEntropy(h, Tensor([0, 2, 4, 1]).to(device: h.device)) }
    let wc = w.clone().requiresGrad_(), wg = w.cuda().requiresGrad_()
    loss(wc, x).backward()
    loss(wg, x.cuda()).backward()
    close("gradient through matmul/tanh/crossEntropy/slices/amax", wg.grad!, wc.grad!, rtol: 1e-10, atol: 1e-12)
    check("gradient stays on the GPU", wg.grad!.device == gpu)
}

// A convnet's gradients (im2col, col2im, max pooling, cross entropy) on the GPU match the CPU's.
do {
    let x = Tensor.rand([2, 3, 8, 8], dtype: .float64, generator: g)
    let w = Tensor.rand([4, 3, 3, 3], dtype: .float64, generator: g) - 0.5
    func net(_ x: Tensor, _ w: Tensor) -> Tensor {
        let h = maxPool2d(conv2d(x, w, padding: 1).relu(), kernel: 2)
        return crossEntropy(h.flatten(startDim: 1), Tensor([3, 60]).to(device: h.device))
    }
    let wc = w.clone().requiresGrad_(), wg = w.cuda().requiresGrad_()
    net(x, wc).backward()
    net(x.cuda(), wg).backward()
    close("convnet gradient", wg.grad!, wc.grad!, rtol: 1e-10, atol: 1e-12)
}

// Training an MLP on the GPU reduces the loss.
do {
    Torch.manualSeed(0)
    let x = Tensor.randn([512, 20]).cuda()
    let y = (x[..., 0] .> 0).to(.int64)
    let model = Sequential(Linear(20, 64), ReLU(), Linear(64, 2))
    // Parameters live on the GPU.
    let params = model.parameters().map { $0.cuda().detach().requiresGrad_() }
    func forward(_ x: Tensor) -> Tensor {
        (x.matmul(params[0].t()) + params[1]).relu().matmul(params[2].t()) + params[3]
    }
    let opt = SGD(params, lr: 0.1, momentum: 0.9)
    var first = 0.0, last = 0.0
    for step in 0..<100 {
        let l = crossEntropy(forward(x), y)
        opt.zeroGrad(); l.backward(); opt.step()
        if step == 0 { first = l.item() }
        last = l.item()
    }
    check("MLP trains on the GPU (loss \(first) -> \(last))", last < first * 0.5)
}

// Allocator: out of memory is caught, then the allocator still works; bytes return to baseline.
do {
    do {
        _ = try Storage(throwingByteCount: 1 << 45, device: gpu)
        check("out of memory throws", false)
    } catch let e as CUDAError {
        check(
            "out of memory throws a catchable error", "\(e)".contains("CUDA out of memory. Tried to allocate"), "\(e)")
    } catch { check("out of memory error type", false, "\(error)") }
    let after = Tensor.ones([1000], device: gpu).sum().item()
    check("allocator usable after out of memory", after == 1000)
    let stats = Torch.CUDA.stats!
    check("OOM retried after freeing the cache", stats.numOOMRetries >= 1)
}
check(
    "allocated bytes back to baseline (\(Torch.CUDA.memoryAllocated) vs \(baseline))",
    Torch.CUDA.memoryAllocated == baseline)
print(
    "memory: allocated \(Torch.CUDA.memoryAllocated), reserved \(Torch.CUDA.memoryReserved), peak "
        + "\(Torch.CUDA.maxMemoryAllocated)"
)
print("\(passed) passed, \(failed) failed")

// Benchmarks (medians of CUDA-synchronised wall times).
if CommandLine.arguments.contains("--bench") {
    func timeIt(_ reps: Int = 20, _ body: () -> Void) -> Double {
        body(); try! Torch.CUDA.synchronize()
        var t: [Double] = []
        for _ in 0..<reps {
            let t0 = now(); body(); try! Torch.CUDA.synchronize(); t.append(now() - t0)
        }
        t.sort()
        return t[t.count / 2]
    }
    let one = Tensor.ones([1], device: gpu)
    let ovh = timeIt(5) { for _ in 0..<1000 { _ = one + one } } / 1000
    print("bench add_1elem_us \(ovh * 1e6)")
    let n = 64 << 20
    let x = Tensor.ones([n], device: gpu), y = Tensor.ones([n], device: gpu)
    let tAdd = timeIt { _ = x + y }
    print("bench add_64M_TBps \(Double(3 * n * 4) / tAdd / 1e12)")
    let tSum = timeIt { _ = x.sum() }
    print("bench sum_64M_TBps \(Double(n * 4) / tSum / 1e12)")
    let sm = Tensor.rand([8192, 8192]).cuda()
    let tSoft = timeIt(10) { _ = softmax(sm, dim: 1) }
    print("bench softmax_8192_TBps \(Double(2 * 8192 * 8192 * 4) / tSoft / 1e12)")
    for k in [4096, 8192] {
        for (label, dt, tf32) in [("f32", DType.float32, false), ("tf32", .float32, true), ("bf16", .bfloat16, false)] {
            Torch.CUDA.allowTF32 = tf32
            let p = Tensor.rand([k, k]).to(dt).cuda(), q = Tensor.rand([k, k]).to(dt).cuda()
            let t = timeIt(5) { _ = p.matmul(q) }
            print("bench mm\(k)_\(label)_TFLOPs \(2 * pow(Double(k), 3) / t / 1e12)")
        }
    }
    Torch.CUDA.allowTF32 = false
    let xb = Tensor.randn([128, 784]).cuda(), yb = Tensor.randint(0, 10, [128]).cuda()
    let mlp = [
        Tensor.randn([512, 784]) * 0.03, Tensor.zeros([512]), Tensor.randn([256, 512]) * 0.04, Tensor.zeros([256]),
        Tensor.randn([10, 256]) * 0.06, Tensor.zeros([10]),
    ].map { $0.cuda().requiresGrad_() }
    let sgd = SGD(mlp, lr: 0.01, momentum: 0.9)
    let tStep = timeIt(50) {
        var h = (xb.matmul(mlp[0].t()) + mlp[1]).relu()
        h = (h.matmul(mlp[2].t()) + mlp[3]).relu()
        let l = crossEntropy(h.matmul(mlp[4].t()) + mlp[5], yb)
        sgd.zeroGrad(); l.backward(); sgd.step()
    }
    print("bench mlp_step_ms \(tStep * 1e3)")
}
