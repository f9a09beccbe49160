#if canImport(Glibc)
    import Glibc
#endif
import Torch
@_spi(Kernels) import TorchCPU
import TorchNN
import TorchOptim
import Foundation

/// The issue-17 rows: one workload per name, the same shapes as scripts/bench_kernels_torch.py.
/// Each returns the closure timed (after a warm-up call).
enum KernelBench {
    static func workloads() -> [(name: String, key: String, flops: Double?, body: () -> Void)] {
        Torch.manualSeed(0)
        var rows: [(String, String, Double?, () -> Void)] = []
        for n in [1024, 4096] {
            let a = Tensor.randn([n, n]), b = Tensor.randn([n, n])
            rows.append(("SGEMM \(n)", "sgemm\(n)", 2 * Double(n * n) * Double(n), { _ = a.matmul(b) }))
        }
        // DCGAN's generator: a transposed 4x4 stride-2 convolution, 128 -> 64 channels, 16 -> 32 px.
        let convT = ConvTranspose2d(128, 64, kernelSize: 4, stride: 2, padding: 1, bias: false)
        let zT = Tensor.randn([16, 128, 16, 16])
        rows.append(("DCGAN convT 4x4 s2 128->64 16px b16 fwd", "convt", nil, { Torch.noGrad { _ = convT(zT) } }))
        // Super-resolution's 3x3 64 -> 64 convolution on 64x64 images.
        let sr = Conv2d(64, 64, kernelSize: 3, padding: 1)
        let xSR = Tensor.randn([4, 64, 64, 64])
        rows.append(("conv 3x3 64->64 64px b4 fwd", "conv3x3", nil, { Torch.noGrad { _ = sr(xSR) } }))
        let dw = Conv2d(64, 64, kernelSize: 3, padding: 1, groups: 64)
        let xDW = Tensor.randn([8, 64, 56, 56])
        rows.append(("depthwise 3x3 64ch 56px b8 fwd", "depthwise", nil, { Torch.noGrad { _ = dw(xDW) } }))
        let pw = Conv2d(64, 256, kernelSize: 1)
        rows.append(("conv 1x1 64->256 56px b8 fwd", "conv1x1", nil, { Torch.noGrad { _ = pw(xDW) } }))
        // The MNIST example's network, one Adadelta step on a batch of 64.
        let net = Sequential(
            Conv2d(1, 32, kernelSize: 3), ReLU(), Conv2d(32, 64, kernelSize: 3), ReLU(), MaxPool2d(2),
            Flatten(), Linear(9216, 128), ReLU(), Linear(128, 10), LogSoftmax(dim: 1))
        let opt = Adadelta(net.parameters(), lr: 1)
        let xM = Tensor.randn([64, 1, 28, 28]), yM = Tensor.randint(0, 10, [64])
        rows.append(
            (
                "MNIST convnet Adadelta step b64", "mnist_step", nil,
                {
                    opt.zeroGrad()
                    nllLoss(net(xM), yM).backward()
                    opt.step()
                }
            ))
        let tel = TransformerEncoderLayer(dModel: 256, nhead: 4, dimFeedforward: 1024, dropout: 0, batchFirst: true)
        let src = Tensor.randn([32, 128, 256])
        rows.append(
            (
                "Transformer layer d256 h4 s128 b32 fwd+bwd", "tel_big", nil,
                {
                    tel.zeroGrad()
                    tel(src).sum().backward()
                }
            ))
        // PyTorch's word_language_model step (LSTM, emsize = nhid = 200, 2 layers, bptt 35, batch 20,
        // dropout 0.2, a 10 000-word vocabulary): embedding, LSTM with the hidden state carried
        // over, decoder, cross entropy, backward, gradient clipping at 0.25, hand-written SGD.
        let vocab = 10_000
        let emb = Embedding(vocab, 200), lstm = LSTM(200, 200, numLayers: 2, dropout: 0.2)
        let dec = Linear(200, vocab), drop = Dropout(0.2)
        let lmParams = emb.parameters() + lstm.parameters() + dec.parameters()
        let tokens = Tensor.randint(0, vocab, [35, 20]), targets = Tensor.randint(0, vocab, [35 * 20])
        var hidden = (Tensor.zeros([2, 20, 200]), Tensor.zeros([2, 20, 200]))
        rows.append(
            (
                "word-LM LSTM step 2x200 bptt35 b20 vocab10k", "wordlm", nil,
                {
                    for p in lmParams { p.grad = nil }
                    let (out, h) = lstm(drop(emb(tokens)), (hidden.0.detach(), hidden.1.detach()))
                    hidden = h
                    crossEntropy(dec(drop(out)).view([-1, vocab]), targets).backward()
                    _ = clipGradNorm(lmParams, maxNorm: 0.25)
                    Torch.noGrad { for p in lmParams { p.add_(p.grad!, alpha: -20.0) } }
                }
            ))
        let ln = LayerNorm([1024])
        let xLN = Tensor.randn([4096, 1024])
        rows.append(("layer norm 4096x1024 fwd", "layernorm", nil, { Torch.noGrad { _ = ln(xLN) } }))
        rows.append(("softmax 4096x1024 fwd", "softmax", nil, { _ = xLN.softmax(dim: 1) }))
        // bfloat16 (Note [bfloat16 GEMM]: AMX tiles where the CPU has them, else float32).
        let a16 = Tensor.randn([2048, 2048]).to(.bfloat16), b16 = Tensor.randn([2048, 2048]).to(.bfloat16)
        rows.append(("bf16 GEMM 2048", "bf16gemm2048", 2 * 2048.0 * 2048.0 * 2048.0, { _ = a16.matmul(b16) }))
        let sr16 = Conv2d(64, 64, kernelSize: 3, padding: 1, dtype: .bfloat16), xSR16 = xSR.to(.bfloat16)
        rows.append(("bf16 conv 3x3 64->64 64px b4 fwd", "bf16conv3x3", nil, { Torch.noGrad { _ = sr16(xSR16) } }))
        return rows
    }
}

/// `--kernels`: the CPU's features and kernel path, its FMA peak, and the rows above at 1 and all
/// threads (or at `threadCounts`, `--threads 1,2,4`) against PyTorch in the same run
/// (scripts/bench_kernels_torch.py), SGEMM also as a share of the peak, then each row's thread
/// scaling for both. `runs` > 1 repeats everything (PyTorch too) and prints each row's median times.
func kernelsBench(reps: Int, runs: Int = 1, threadCounts: [Int]? = nil) {
    print("CPU: \(Torch.backends.cpu.summary)")
    print(
        "kernel path: \(Torch.backends.cpu.capability) (best here: \(Torch.backends.cpu.bestCapability); "
            + "SWIFTTORCH_CPU_CAPABILITY=default|avx2|avx512 chooses), GEMM: OpenBLAS "
            + CPUKernels.gemmKernels + " kernels")
    let peak1 = Torch.backends.cpu.fmaPeakGFLOPS(seconds: 0.2)
    let threads = Torch.numThreads
    var perThread = [Double](repeating: 0, count: threads)
    perThread.withUnsafeMutableBufferPointer { p in
        let base = p.baseAddress!
        Torch.parallelFor(threads, grain: 1) { r in
            for t in r { base[t] = Torch.backends.cpu.fmaPeakGFLOPS(seconds: 0.2) }
        }
    }
    let peakAll = perThread.reduce(0, +)
    print("FMA peak: \(format3(peak1)) GFLOP/s on 1 thread, \(format3(peakAll)) GFLOP/s on \(threads) threads")
    let rows = KernelBench.workloads()
    let counts = threadCounts ?? (threads > 1 ? [1, threads] : [1])
    let countList = counts.map(String.init).joined(separator: ",")
    var oursRuns: [String: [Double]] = [:], theirRuns: [String: [Double]] = [:]
    // PyTorch answers row by row from one process (interleaved: each row's two sides are timed
    // seconds apart, not minutes; this VM's speed drifts by 2x over minutes); without it, one
    // batch run of the script before ours.
    let server = torchPython().flatMap { TorchRowServer(python: $0) }
    for run in 0..<runs {
        if runs > 1 { print("run \(run + 1) of \(runs)") }
        if server == nil, let python = torchPython() {
            for (k, v) in timings("\(python) scripts/bench_kernels_torch.py \(reps) \(countList) 2>/dev/null") {
                theirRuns[k, default: []].append(v)
            }
        }
        for t in counts {
            for row in rows {
                let key = "\(row.key)_\(t)"
                // Which side goes first alternates between runs.
                if let server, run % 2 == 1, let v = server.time(row.key, threads: t, reps: reps) {
                    theirRuns[key, default: []].append(v)
                }
                Torch.numThreads = t
                oursRuns[key, default: []].append(time(reps: reps, row.body))
                if let server, run % 2 == 0, let v = server.time(row.key, threads: t, reps: reps) {
                    theirRuns[key, default: []].append(v)
                }
            }
        }
    }
    server?.close()
    func median(_ v: [Double]?) -> Double? {
        guard let v, !v.isEmpty else { return nil }
        return v.sorted()[v.count / 2]
    }
    print("")
    print(
        pad("workload" + (runs > 1 ? " (medians of \(runs) runs)" : ""), 46) + pad("threads", 9) + pad("SwiftTorch", 14)
            + pad("torch", 14) + "ratio")
    for t in counts {
        for row in rows {
            let ours = median(oursRuns["\(row.key)_\(t)"]) ?? 0
            let ref = median(theirRuns["\(row.key)_\(t)"])
            var line = pad(row.name, 46) + pad("\(t)", 9) + pad(format3(ours * 1e3) + " ms", 14)
            line += pad(ref.map { format3($0 * 1e3) + " ms" } ?? "n/a", 14)
            line += ref.map { format3($0 / ours) + "x" } ?? "n/a"
            if let flops = row.flops {
                let rate = flops / ours / 1e9
                let peakAt = t == 1 ? peak1 : (t >= threads ? peakAll : peak1 * Double(t))
                let share = rate / peakAt * 100
                line += "  \(format3(rate)) GFLOP/s, \(format3(share))% of the float32 FMA peak"
            }
            print(line)
        }
    }
    if counts.count > 1, let first = counts.first {
        // Thread scaling: each row's time at the first count over its time at each count.
        print("")
        print(
            pad("scaling (time at \(first) thread(s) / time at t)", 46) + pad("threads", 9) + pad("SwiftTorch", 14)
                + "torch")
        for row in rows {
            for t in counts.dropFirst() {
                let ours = median(oursRuns["\(row.key)_\(t)"]), base = median(oursRuns["\(row.key)_\(first)"])
                let ref = median(theirRuns["\(row.key)_\(t)"]), refBase = median(theirRuns["\(row.key)_\(first)"])
                var line = pad(row.name, 46) + pad("\(t)", 9)
                line += pad(ours.flatMap { o in base.map { format3($0 / o) + "x" } } ?? "n/a", 14)
                line += ref.flatMap { r in refBase.map { format3($0 / r) + "x" } } ?? "n/a"
                print(line)
            }
        }
    }
    Torch.numThreads = threads
}

/// scripts/bench_kernels_torch.py --serve: one PyTorch process timing one row per request.
final class TorchRowServer {
    let process = Process()
    let input = Pipe(), output = Pipe()
    var pending = Data()

    init?(python: String) {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["scripts/bench_kernels_torch.py", "--serve"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        guard readLine() == "ready" else {
            process.terminate()
            return nil
        }
    }

    func readLine() -> String? {
        while true {
            if let i = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<i], as: UTF8.self)
                pending = Data(pending[(i + 1)...])
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            pending.append(chunk)
        }
    }

    /// PyTorch's median seconds for `key` at `threads` over `reps` runs after a warm-up; then a
    /// pause, so that its OpenMP threads stop spinning before SwiftTorch's next timing.
    func time(_ key: String, threads: Int, reps: Int) -> Double? {
        input.fileHandleForWriting.write(Data("\(key) \(threads) \(reps)\n".utf8))
        let v = readLine().flatMap { Double($0) }
        usleep(200_000)
        return v.flatMap { $0.isFinite ? $0 : nil }
    }

    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
