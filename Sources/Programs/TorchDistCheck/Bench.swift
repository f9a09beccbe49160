#if canImport(Glibc)
    import Glibc
#endif
import Torch
import TorchNN
import TorchOptim
import TorchDistributed

func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median seconds of `body` over `reps` runs, every rank in step (a barrier before each run).
func timed(reps: Int, _ body: () throws -> Void) throws -> Double {
    try body()
    var s: [Double] = []
    for _ in 0..<reps {
        try Torch.distributed.barrier()
        let t0 = seconds()
        try body()
        s.append(seconds() - t0)
    }
    return s.sorted()[s.count / 2]
}

/// Lines `allreduce_<bytes> <seconds>` and `ddp_mlp <seconds>` on rank 0, for torch-bench.
func distributedBench(rank: Int, n: Int) throws {
    Torch.numThreads = 1
    for bytes in [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24, 26 << 20, 1 << 26] {
        let t = Tensor.ones([bytes / 4])
        let reps = bytes >= 1 << 24 ? 5 : 20
        let s = try timed(reps: reps) { try Torch.distributed.allReduce(t) }
        if rank == 0 { print("allreduce_\(bytes) \(s)") }
    }
    Torch.manualSeed(0)
    let model = Sequential(Linear(784, 512), ReLU(), Linear(512, 256), ReLU(), Linear(256, 10))
    let ddp = try DistributedDataParallel(model)
    let opt = SGD(model.parameters(), lr: 0.01, momentum: 0.9)
    let x = Tensor.randn([128 / n, 784]), y = Tensor.randint(0, 10, [128 / n])
    let s = try timed(reps: 20) {
        opt.zeroGrad()
        crossEntropy(ddp(x), y).backward()
        opt.step()
    }
    if rank == 0 { print("ddp_mlp \(s)") }
}
