import Torch
import TorchBase
import TorchNN

// Note [DDP gradient buckets]
// As PyTorch's reducer: parameters are grouped, in reverse order (the order backward reaches
// them), into flat buckets of one dtype (the first up to 1 MiB, the others up to `bucketCapMB`).
// A hook on each parameter's gradient copies what `.grad` would become (the old `.grad`, from
// earlier backwards or `noSync` ones, plus the incoming gradient) into its bucket and returns
// zeros, so the leaf accumulates nothing yet; when a bucket is full its averaging all-reduce starts
// at once, overlapping the rest of backward. The hook of the last parameter to get its gradient
// waits for every bucket and writes each averaged slice into its parameter's `.grad` (its own by
// returning it onto a zeroed `.grad`), as PyTorch's reducer writes the averaged bucket back. Every
// rank ends with the same bits: one all-reduce result, divided the same way.

/// Data-parallel training across the ranks of a process group (PyTorch's
/// `DistributedDataParallel`): the parameters and buffers start as rank 0's, and every backward
/// averages the gradients across ranks.
///
/// ```swift
/// try Torch.distributed.initProcessGroup()
/// let ddp = try DistributedDataParallel(model)
/// let loss = crossEntropy(ddp(x), y)
/// loss.backward()          // gradients averaged across ranks
/// opt.step()
/// ```
public final class DistributedDataParallel: Module {
    /// The wrapped model (PyTorch's `ddp.module`; its `stateDict()` has no `module.` prefix).
    public let module: Module
    private let reducer: Reducer
    private let broadcastBuffers: Bool
    /// Whether each forward looks for parameters its output does not depend on and counts them
    /// as ready with a zero gradient (PyTorch's `find_unused_parameters`).
    public let findUnusedParameters: Bool

    /// Wraps `module`: broadcasts its parameters and buffers from rank 0 and hooks its gradients.
    /// `bucketCapMB`: the size of a gradient bucket.
    public init(
        _ module: Module, bucketCapMB: Double = 25, broadcastBuffers: Bool = true,
        findUnusedParameters: Bool = false, group: ProcessGroup? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) throws {
        self.findUnusedParameters = findUnusedParameters
        // Sparse gradients (Note [Sparse gradients]) bypass the gradient hooks the buckets use:
        // refused rather than left unsynchronised across ranks.
        for (name, m) in module.namedModules()
        where (m as? Embedding)?.sparse == true || (m as? EmbeddingBag)?.sparse == true {
            torchFail(
                "DistributedDataParallel",
                "\(name.isEmpty ? "the module" : name) has sparse gradients (sparse: true), which "
                    + "DistributedDataParallel does not all-reduce; use sparse: false", file: file, line: line)
        }
        let g = Distributed.group(group, "DistributedDataParallel", file: file, line: line)
        self.module = module
        self.broadcastBuffers = broadcastBuffers
        let named = module.namedParameters().filter { $0.1.requiresGrad }
        try Torch.noGrad {
            for (_, p) in module.namedParameters() { try Distributed.broadcast(p, src: 0, group: g) }
            for (_, b) in module.namedBuffers() { try Distributed.broadcast(b, src: 0, group: g) }
        }
        reducer = Reducer(named: named, group: g, bucketCapMB: bucketCapMB)
        super.init()
        register("module", module)
    }

    /// `module(x)`; first broadcasts the buffers from rank 0 (`broadcast_buffers`) and checks that
    /// the previous backward reduced every gradient.
    public override func forward(_ x: Tensor) -> Tensor {
        do {
            try reducer.checkFinished()
            if broadcastBuffers && training && reducer.group.worldSize > 1 {
                try Torch.noGrad { for (_, b) in module.namedBuffers() { try Distributed.broadcast(b, src: 0) } }
            }
        } catch {
            torchFail("DistributedDataParallel", "\(error)", file: #fileID, line: #line)
        }
        let y = module(x)
        if findUnusedParameters && training && Torch.isGradEnabled {
            reducer.markUnused(reachable: y.reachableLeafIDs())
        }
        return y
    }

    /// Runs `body` with gradient averaging off: gradients accumulate locally (`no_sync`), to be
    /// averaged by the first backward after it.
    public func noSync<R>(_ body: () throws -> R) rethrows -> R {
        reducer.enabled = false
        defer { reducer.enabled = true }
        return try body()
    }

    /// Gradient buckets in flight (for tests and the benchmark): their sizes in elements.
    public var bucketSizes: [Int] { reducer.buckets.map { $0.buffer.count } }
}

/// The gradient buckets of one DDP model (Note [DDP gradient buckets]).
final class Reducer {
    final class Bucket {
        var params: [(name: String, tensor: Tensor, offset: Int)] = []
        var buffer = Tensor.empty([0])
        var pending = 0
        var work: Work?
    }

    let group: ProcessGroup
    var buckets: [Bucket] = []
    var location: [ObjectIdentifier: (bucket: Int, index: Int)] = [:]
    var enabled = true
    var started = false
    var launched = 0
    var handles: [HookHandle] = []
    /// Parameters this step's forward did not reach.
    var unused = Set<ObjectIdentifier>()

    init(named: [(String, Tensor)], group: ProcessGroup, bucketCapMB: Double) {
        self.group = group
        var current = Bucket()
        var bytes = 0
        let bucketBytes = Int(bucketCapMB * 1_048_576)
        var cap = Swift.min(1 << 20, bucketBytes)
        for (name, p) in named.reversed() {
            if !current.params.isEmpty && (bytes + p.count * p.itemSize > cap || current.buffer.dtype != p.dtype) {
                buckets.append(current)
                current = Bucket()
                bytes = 0
                cap = bucketBytes
            }
            if current.params.isEmpty { current.buffer = Tensor.empty([0], dtype: p.dtype) }
            current.params.append((name, p, bytes / p.itemSize))
            bytes += p.count * p.itemSize
        }
        if !current.params.isEmpty { buckets.append(current) }
        for (b, bucket) in buckets.enumerated() {
            let total = bucket.params.last.map { $0.offset + $0.tensor.count } ?? 0
            bucket.buffer = Tensor.zeros([total], dtype: bucket.buffer.dtype)
            for (i, entry) in bucket.params.enumerated() {
                location[ObjectIdentifier(entry.tensor)] = (b, i)
                handles.append(
                    entry.tensor.registerHook { [unowned self, unowned p = entry.tensor] g in self.ready(p, g) })
            }
        }
    }

    deinit { for h in handles { h.remove() } }

    /// The hook: the gradient `g` of parameter `p` has arrived.
    func ready(_ p: Tensor, _ g: Tensor) -> Tensor? {
        guard enabled, let (b, i) = location[ObjectIdentifier(p)] else { return nil }
        if !started {
            started = true
            launched = 0
            for bucket in buckets { bucket.pending = bucket.params.count }
        }
        let bucket = buckets[b]
        let entry = bucket.params[i]
        Torch.noGrad {
            // What `.grad` would hold after this backward (gradients accumulated under `noSync` too).
            let local = p.grad.map { $0 + g } ?? g
            bucket.buffer.narrow(0, start: entry.offset, length: p.count).copy_(local.reshape([p.count]))
        }
        bucket.pending -= 1
        if bucket.pending == 0 {
            // A profiler span per bucket launch (and per wait below), as PyTorch's reducer records.
            Profiling.span("DDP: all-reduce bucket \(b) (\(bucket.buffer.count) elements)", .user) {
                do { bucket.work = try Distributed.allReduceAsync(bucket.buffer, op: .avg, group: group) } catch {
                    torchFail("DistributedDataParallel", "\(error)", file: #fileID, line: #line)
                }
            }
            launched += 1
        }
        guard launched == buckets.count else { return Torch.noGrad { Tensor.zerosLike(g) } }
        // The last gradient: wait for every bucket and hand out the averages.
        started = false
        defer { unused.removeAll() }
        var own: Tensor?
        Torch.noGrad {
            for (index, bucket) in buckets.enumerated() {
                Profiling.span("DDP: wait bucket \(index)", .user) {
                    do { try bucket.work?.wait() } catch {
                        torchFail("DistributedDataParallel", "\(error)", file: #fileID, line: #line)
                    }
                }
                bucket.work = nil
                for e in bucket.params {
                    let avg = bucket.buffer.narrow(0, start: e.offset, length: e.tensor.count).reshape(e.tensor.shape)
                    if e.tensor === p {
                        // Accumulated onto zeros after this hook returns: exactly the average.
                        e.tensor.grad?.zero_()
                        own = avg.clone()
                    } else if let grad = e.tensor.grad {
                        grad.copy_(avg)
                    } else if unused.contains(ObjectIdentifier(e.tensor)) {
                        e.tensor.grad = avg.clone()  // used on another rank, or zeros
                    }
                }
            }
        }
        return own
    }

    /// Counts the parameters the output does not reach as ready, with a zero gradient of their own.
    func markUnused(reachable: Set<ObjectIdentifier>) {
        guard enabled else { return }
        for bucket in buckets {
            for e in bucket.params where !(e.tensor.leafID.map(reachable.contains) ?? false) {
                unused.insert(ObjectIdentifier(e.tensor))
                _ = ready(e.tensor, Tensor.zerosLike(e.tensor))
            }
        }
    }

    /// Throws when the previous backward left buckets unreduced: parameters without gradients.
    func checkFinished() throws {
        guard started else { return }
        started = false
        var missing: [String] = []
        for bucket in buckets where bucket.pending > 0 {
            for e in bucket.params where e.tensor.grad == nil { missing.append(e.name) }
        }
        throw DistributedError(
            "Expected to have finished reduction in the prior iteration before starting a new one: parameters "
                + "that did not receive gradients: \(missing.isEmpty ? "(some)" : missing.joined(separator: ", "))")
    }
}
