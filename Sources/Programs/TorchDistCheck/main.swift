// torch-dist-check: the distributed checks, run by the tests under `mpirun -np N`. Every rank
// checks every collective for every dtype and op against a reference it computes alone from all
// ranks' inputs, async works waited in reverse order, a deadline that fires and then completes,
// and DDP against single-process gradient accumulation. Prints one line per failure and
// `rank R: N passed, M failed`; exits 1 when anything failed.
#if canImport(Glibc)
    import Glibc
#endif
import Torch
import TorchNN
import TorchOptim
import TorchDistributed

setvbuf(stdout, nil, _IOLBF, 0)
do {
    try Torch.distributed.initProcessGroup(backend: .mpi, timeout: 60)
} catch {
    print("cannot start: \(error)")
    exit(2)
}
let rank = Torch.distributed.rank, n = Torch.distributed.worldSize
// `--bench`: all-reduce latency and bus bandwidth, and a DDP training step (rank 0 prints).
if CommandLine.arguments.contains("--bench") {
    do { try distributedBench(rank: rank, n: n) } catch { print("bench failed: \(error)") }
    Torch.distributed.destroyProcessGroup()
    exit(0)
}
// `--mismatch` (with TORCH_DISTRIBUTED_DEBUG=DETAIL): the last rank all-reduces another shape; the
// debug check must name it on every rank instead of mixing data or hanging.
if CommandLine.arguments.contains("--mismatch") {
    do {
        try Torch.distributed.allReduce(Tensor.ones([rank == n - 1 ? 5 : 4]))
        print("rank \(rank): the mismatch went unnoticed")
    } catch { print("rank \(rank): \(error)") }
    Torch.distributed.destroyProcessGroup()
    exit(0)
}
// `--sparse`: DDP over a sparse embedding must refuse (its gradients bypass the buckets).
if CommandLine.arguments.contains("--sparse") {
    _ = try? DistributedDataParallel(Sequential(Embedding(4, 2, sparse: true), Linear(2, 1)))
    print("rank \(rank): DDP accepted a sparse embedding")
    exit(0)
}
// `--die`: the last rank is killed before a collective; the job must end, not hang.
if CommandLine.arguments.contains("--die") {
    if rank == n - 1 { kill(getpid(), SIGKILL) }
    do {
        try Torch.distributed.allReduceAsync(Tensor.ones([4])).wait(timeout: 10)
        print("rank \(rank): the collective completed without the dead rank")
    } catch { print("rank \(rank): \(error)") }
    exit(3)
}
var passed = 0, failed = 0
func check(_ ok: Bool, _ what: @autoclosure () -> String) {
    if ok {
        passed += 1
    } else {
        failed += 1
        print("rank \(rank): FAIL \(what())")
    }
}

// Rank r's input: [r+1, r+2, ..., r+6] (bool: its parity), in `dtype`.
func input(_ r: Int, _ dtype: DType) -> Tensor {
    let v = Tensor.arange(0, 6, dtype: .float64) + Double(r + 1)
    return dtype == .bool ? (v.remainder(2) .== 0) : v.to(dtype)
}

func reference(_ op: Distributed.ReduceOp, _ dtype: DType) -> Tensor {
    let xs = (0..<n).map { input($0, dtype.isFloatingPoint ? .float64 : (dtype == .bool ? .bool : .int64)) }
    var acc = xs[0]
    for x in xs.dropFirst() {
        switch op {
        case .sum, .avg: acc = acc + x
        case .product: acc = acc * x
        case .min: acc = dtype == .bool ? (acc & x) : acc.minimum(x)
        case .max: acc = dtype == .bool ? (acc | x) : acc.maximum(x)
        case .band: acc = acc & x
        case .bor: acc = acc | x
        case .bxor: acc = acc ^ x
        }
    }
    if op == .avg { acc = acc / Double(n) }
    return acc.to(dtype)
}

let dtypes: [DType] = [.float32, .float64, .float16, .bfloat16, .int8, .uint8, .int16, .int32, .int64, .bool]
for dtype in dtypes {
    for op in Distributed.ReduceOp.allCases {
        if [.band, .bor, .bxor].contains(op) && dtype.isFloatingPoint { continue }
        if op == .avg && !dtype.isFloatingPoint { continue }
        if dtype == .bool && [.sum, .product, .avg].contains(op) { continue }
        if op == .product && dtype != .float64 && dtype != .int64 && n > 2 { continue }  // overflow
        let t = input(rank, dtype)
        do {
            try Torch.distributed.allReduce(t, op: op)
            let want = reference(op, dtype)
            check(t.toArray(Double.self) == want.toArray(Double.self), "allReduce \(op) \(dtype): \(t) != \(want)")
        } catch { check(false, "allReduce \(op) \(dtype): \(error)") }
    }
    do {
        let b = input(rank, dtype)
        try Torch.distributed.broadcast(b, src: n - 1)
        check(b.toArray(Double.self) == input(n - 1, dtype).toArray(Double.self), "broadcast \(dtype)")
        if dtype != .bool {
            let r = input(rank, dtype)
            try Torch.distributed.reduce(r, dst: 0, op: .max)
            let want = rank == 0 ? reference(.max, dtype) : input(rank, dtype)
            check(r.toArray(Double.self) == want.toArray(Double.self), "reduce \(dtype) on rank \(rank)")
        }
        let all = try Torch.distributed.allGather(input(rank, dtype).reshape([2, 3]))
        check(all.count == n, "allGather count")
        for (i, g) in all.enumerated() {
            check(g.shape == [2, 3] && g.dtype == dtype, "allGather shape \(g.shape) \(g.dtype)")
            check(
                g.reshape([6]).toArray(Double.self) == input(i, dtype).toArray(Double.self), "allGather \(dtype) [\(i)]"
            )
        }
    } catch { check(false, "\(dtype): \(error)") }
}

// The rooted, all-to-all and point-to-point collectives, in float32 and int64.
for dtype in [DType.float32, .int64, .float16] {
    do {
        let mine = input(rank, dtype)
        let gathered = try Torch.distributed.gather(mine, dst: 0)
        if rank == 0 {
            check(gathered?.count == n, "gather count")
            for (i, t) in (gathered ?? []).enumerated() {
                check(t.toArray(Double.self) == input(i, dtype).toArray(Double.self), "gather \(dtype) [\(i)]")
            }
        } else {
            check(gathered == nil, "gather off the root")
        }
        let out = Tensor.zeros([6], dtype: dtype)
        let list = rank == n - 1 ? (0..<n).map { input($0 * 10, dtype) } : nil
        try Torch.distributed.scatter(out, scatterList: list, src: n - 1)
        check(out.toArray(Double.self) == input(rank * 10, dtype).toArray(Double.self), "scatter \(dtype)")
        // allToAll: rank r sends input(100 r + j) to rank j.
        let sent = (0..<n).map { input(100 * rank + $0, dtype) }
        let got = try Torch.distributed.allToAll(sent)
        for (j, t) in got.enumerated() {
            check(
                t.toArray(Double.self) == input(100 * j + rank, dtype).toArray(Double.self), "allToAll \(dtype) [\(j)]")
        }
        let rs = Tensor.zeros([6], dtype: dtype)
        try Torch.distributed.reduceScatter(rs, (0..<n).map { input(rank + $0, dtype) })
        let want = (0..<n).map { input($0 + rank, .float64) }.reduce(Tensor.zeros([6], dtype: .float64), +)
        check(rs.toArray(Double.self) == want.toArray(Double.self), "reduceScatter \(dtype)")
        // A ring of point-to-point messages.
        let inbox = Tensor.zeros([6], dtype: dtype)
        let r = try Torch.distributed.irecv(inbox, src: (rank + n - 1) % n, tag: 7)
        let s = try Torch.distributed.isend(mine, dst: (rank + 1) % n, tag: 7)
        try s.wait()
        try r.wait()
        check(inbox.toArray(Double.self) == input((rank + n - 1) % n, dtype).toArray(Double.self), "send/recv \(dtype)")
        // The same ring the other way, as one batch.
        let back = Tensor.zeros([6], dtype: dtype)
        let works = try Torch.distributed.batchIsendIrecv([
            .isend(mine, peer: (rank + n - 1) % n, tag: 8), .irecv(back, peer: (rank + 1) % n, tag: 8),
        ])
        for w in works { try w.wait() }
        check(
            back.toArray(Double.self) == input((rank + 1) % n, dtype).toArray(Double.self), "batchIsendIrecv \(dtype)")
    } catch { check(false, "rooted \(dtype): \(error)") }
}

// A subgroup of the first and last ranks: collectives among them alone, src/dst as global ranks.
do {
    let members = [0, n - 1]
    let sub = try Torch.distributed.newGroup(ranks: members)
    check((sub != nil) == members.contains(rank), "newGroup membership")
    if let sub {
        check(sub.worldSize == Set(members).count && sub.ranks == Array(Set(members)).sorted(), "newGroup size")
        let t = Tensor.full([3], Double(rank + 1))
        try Torch.distributed.allReduce(t, group: sub)
        let want = Double(Set(members).map { $0 + 1 }.reduce(0, +))
        check(t.toArray(Double.self) == [want, want, want], "subgroup allReduce \(t)")
        let b = Tensor.full([2], Double(rank))
        try Torch.distributed.broadcast(b, src: n - 1, group: sub)
        check(b.toArray(Double.self) == [Double(n - 1), Double(n - 1)], "subgroup broadcast from global rank")
    }
    try Torch.distributed.barrier()
} catch { check(false, "newGroup: \(error)") }

// Codable values.
do {
    struct Config: Codable, Equatable {
        var name: String
        var sizes: [Int]
    }
    let c = try Torch.distributed.broadcastObject(rank == 0 ? Config(name: "run-α", sizes: [3, 1, 4]) : nil, src: 0)
    check(c == Config(name: "run-α", sizes: [3, 1, 4]), "broadcastObject")
    let all = try Torch.distributed.allGatherObject(String(repeating: "x", count: rank + 1))
    check(all == (0..<n).map { String(repeating: "x", count: $0 + 1) }, "allGatherObject \(all)")
} catch { check(false, "objects: \(error)") }

// Async works waited out of order.
do {
    let a = Tensor.full([1000], Double(rank)), b = Tensor.full([10], Double(rank + 10))
    let wa = try Torch.distributed.allReduceAsync(a), wb = try Torch.distributed.allReduceAsync(b, op: .max)
    try wb.wait()
    try wa.wait()
    check(a.toArray(Double.self).allSatisfy { $0 == Double(n * (n - 1) / 2) }, "async allReduce sum")
    check(b.toArray(Double.self).allSatisfy { $0 == Double(n - 1 + 10) }, "async allReduce max")
    try Torch.distributed.barrier()
} catch { check(false, "async: \(error)") }

// A deadline: the last rank joins 2 s late; the others' 0.5 s wait throws, then completes.
do {
    let t = Tensor.ones([4])
    if rank == n - 1 { usleep(2_000_000) }
    let w = try Torch.distributed.allReduceAsync(t)
    if rank != n - 1 {
        do {
            try w.wait(timeout: 0.5)
            check(false, "the deadline did not fire")
        } catch {
            check("\(error)".contains("did not complete within 0.5 s"), "deadline message: \(error)")
            check("\(error)".contains("allReduce(sum) #"), "deadline names the op: \(error)")
        }
    }
    try w.wait(timeout: 30)
    check(t.toArray(Double.self) == [Double](repeating: Double(n), count: 4), "late allReduce")
} catch { check(false, "deadline: \(error)") }

// DDP against single-process gradient accumulation of every rank's micro-batch.
do {
    Torch.manualSeed(UInt64(100 + rank))  // different initial weights: DDP must broadcast rank 0's
    let model = Sequential(Linear(5, 8), Tanh(), Linear(8, 3))
    Torch.manualSeed(7)
    let x = Tensor.randn([4 * n, 5]), y = Tensor.randn([4 * n, 3])
    // The reference model: rank 0's weights, on every rank.
    var state = model.stateDict()
    for k in state.keys.sorted() {  // the same order on every rank
        try Torch.distributed.broadcast(state[k]!, src: 0)
        state[k] = state[k]!.clone()
    }
    let reference = Sequential(Linear(5, 8), Tanh(), Linear(8, 3))
    try reference.loadStateDict(state)
    let ddp = try DistributedDataParallel(model, bucketCapMB: 0.0002)  // several small buckets
    check(ddp.bucketSizes.count > 1, "several buckets: \(ddp.bucketSizes)")
    func shard(_ t: Tensor, _ r: Int) -> Tensor { t.narrow(0, start: 4 * r, length: 4) }
    let opt = SGD(ddp.parameters(), lr: 0.1)
    for step in 0..<3 {
        opt.zeroGrad()
        mseLoss(ddp(shard(x, rank)), shard(y, rank)).backward()
        // The reference: every rank's micro-batch through one model, gradients summed, then averaged.
        reference.zeroGrad()
        for r in 0..<n { mseLoss(reference(shard(x, r)), shard(y, r)).backward() }
        for ((name, p), (_, q)) in zip(model.namedParameters(), reference.namedParameters()) {
            let want = Torch.noGrad { q.grad! / Double(n) }
            let got = p.grad!
            if n == 2 {
                check(got.toArray(Float.self) == want.toArray(Float.self), "DDP grad \(name) step \(step) bitwise")
            } else {
                let err = Torch.noGrad { ((got - want).abs().max() / (want.abs().max() + 1e-12)).item() }
                check(err <= 1e-6, "DDP grad \(name) step \(step): relative error \(err)")
            }
        }
        opt.step()
        Torch.noGrad { for (p, q) in zip(model.parameters(), reference.parameters()) { q.copy_(p) } }
        // Every rank holds the same bits.
        let flat = Torch.noGrad { Tensor.cat(model.parameters().map { $0.reshape([-1]) }) }
        let everyone = try Torch.distributed.allGather(flat)
        check(
            everyone.allSatisfy { $0.toArray(Float.self) == flat.toArray(Float.self) },
            "identical parameters step \(step)")
    }
    // noSync: two micro-batches accumulate locally, the next synced backward averages their sum.
    opt.zeroGrad()
    ddp.noSync { mseLoss(ddp(shard(x, rank)), shard(y, rank)).backward() }
    mseLoss(ddp(shard(y.narrow(1, start: 0, length: 3).matmul(Tensor.ones([3, 5])), rank)), shard(y, rank)).backward()
    reference.zeroGrad()
    var sums: [Tensor] = []
    for r in 0..<n {
        reference.zeroGrad()
        mseLoss(reference(shard(x, r)), shard(y, r)).backward()
        let z = shard(y.narrow(1, start: 0, length: 3).matmul(Tensor.ones([3, 5])), r)
        mseLoss(reference(z), shard(y, r)).backward()
        let g = reference.parameters().map { $0.grad!.clone() }
        sums = sums.isEmpty ? g : zip(sums, g).map { $0 + $1 }
    }
    for ((name, p), s) in zip(model.namedParameters(), sums) {
        let want = Torch.noGrad { s / Double(n) }
        let err = Torch.noGrad { ((p.grad! - want).abs().max() / (want.abs().max() + 1e-12)).item() }
        check(err <= 1e-6, "noSync grad \(name): relative error \(err)")
    }
} catch { check(false, "DDP: \(error)") }

// findUnusedParameters: a branch the forward never uses gets zero gradients, the rest the average.
do {
    final class Branchy: Module {
        let used = Linear(5, 3), unused = Linear(5, 3)
        override func forward(_ x: Tensor) -> Tensor { used(x) }
    }
    let model = Branchy()
    let ddp = try DistributedDataParallel(model, findUnusedParameters: true)
    let x = Tensor.full([2, 5], Double(rank + 1))
    for _ in 0..<2 {
        model.zeroGrad()
        ddp(x).sum().backward()
        let g = model.used.weight.grad!.toArray(Float.self)
        let want = Float((1...n).reduce(0, +)) * 2 / Float(n)  // mean over ranks of 2·(rank+1)
        check(g.allSatisfy { $0 == want }, "findUnusedParameters used grad \(g.prefix(3))")
        check(model.unused.weight.grad?.toArray(Float.self).allSatisfy { $0 == 0 } == true, "unused grad is zero")
    }
} catch { check(false, "findUnusedParameters: \(error)") }

print("rank \(rank): \(passed) passed, \(failed) failed")
Torch.distributed.destroyProcessGroup()
exit(failed == 0 ? 0 : 1)
