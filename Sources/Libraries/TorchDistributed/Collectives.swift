import Torch
import TorchBase

// The collectives of the default group (or `group:`), in place on CPU contiguous tensors (Note
// [Collectives with deadlines]). Each `xAsync` form returns the `Work` in flight.
extension Distributed {
    /// Combines `tensor` across ranks with `op`, in place on every rank (`dist.all_reduce`).
    ///
    /// ```swift
    /// try Torch.distributed.allReduce(grad, op: .avg)
    /// ```
    public static func allReduce(
        _ tensor: Tensor, op: ReduceOp = .sum, group: ProcessGroup? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) throws {
        try allReduceAsync(tensor, op: op, group: group, file: file, line: line).wait()
    }

    /// Starts `allReduce`; `wait()` on the result completes it (`async_op=True`).
    public static func allReduceAsync(
        _ tensor: Tensor, op: ReduceOp = .sum, group: ProcessGroup? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) throws -> Work {
        let g = Distributed.group(group, "allReduce", file: file, line: line)
        checkOp(op, tensor.dtype, "allReduce", file: file, line: line)
        let what = try begin("allReduce(\(op.rawValue))", g, tensor)
        let (target, copyBack) = transportable(tensor)
        let n = Double(g.worldSize)
        let work = Work(
            mpi: g.mpi, what: what, timeout: g.timeout,
            finish: {
                Torch.noGrad {
                    if op == .avg { target.copy_(target / n) }
                    copyBack()
                    tensor.bumpVersion()
                }
            })
        guard let mpi = g.mpi else { return work }
        let buf = work.buffer(target, "allReduce", file: file, line: line)
        let rc = mpi.iallreduce(
            MPILibrary.inPlace, buf, Int32(target.count), mpi.datatype(target.dtype)!, mpi.operation(op),
            g.comm, work.requestPointer)
        if rc != 0 { throw DistributedError("\(what): MPI_Iallreduce failed (error \(rc))") }
        return work
    }

    /// Copies `tensor` from rank `src` to every rank, in place (`dist.broadcast`).
    public static func broadcast(
        _ tensor: Tensor, src: Int, group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws {
        try broadcastAsync(tensor, src: src, group: group, file: file, line: line).wait()
    }

    /// Starts `broadcast`.
    public static func broadcastAsync(
        _ tensor: Tensor, src: Int, group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> Work {
        let g = Distributed.group(group, "broadcast", file: file, line: line)
        checkRank(src, g, "broadcast", file: file, line: line)
        let what = try begin("broadcast(src: \(src))", g, tensor)
        let (target, copyBack) = transportable(tensor)
        let work = Work(
            mpi: g.mpi, what: what, timeout: g.timeout,
            finish: {
                Torch.noGrad { copyBack() }
                tensor.bumpVersion()
            })
        guard let mpi = g.mpi else { return work }
        let buf = work.buffer(target, "broadcast", file: file, line: line)
        let rc = mpi.ibcast(
            buf, Int32(target.count), mpi.datatype(target.dtype)!, Int32(g.local(src)!), g.comm, work.requestPointer)
        if rc != 0 { throw DistributedError("\(what): MPI_Ibcast failed (error \(rc))") }
        return work
    }

    /// Combines `tensor` across ranks into rank `dst`'s copy (`dist.reduce`); the others keep theirs.
    public static func reduce(
        _ tensor: Tensor, dst: Int, op: ReduceOp = .sum, group: ProcessGroup? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) throws {
        let g = Distributed.group(group, "reduce", file: file, line: line)
        checkRank(dst, g, "reduce", file: file, line: line)
        checkOp(op, tensor.dtype, "reduce", file: file, line: line)
        let what = try begin("reduce(\(op.rawValue), dst: \(dst))", g, tensor)
        let (target, copyBack) = transportable(tensor)
        let isRoot = g.ranks[g.rank] == dst
        let n = Double(g.worldSize)
        let work = Work(
            mpi: g.mpi, what: what, timeout: g.timeout,
            finish: {
                guard isRoot else { return }
                Torch.noGrad {
                    if op == .avg { target.copy_(target / n) }
                    copyBack()
                }
                tensor.bumpVersion()
            })
        if let mpi = g.mpi {
            let buf = work.buffer(target, "reduce", file: file, line: line)
            let rc = mpi.ireduce(
                isRoot ? MPILibrary.inPlace : UnsafeRawPointer(buf), isRoot ? buf : nil, Int32(target.count),
                mpi.datatype(target.dtype)!, mpi.operation(op), Int32(g.local(dst)!), g.comm, work.requestPointer)
            if rc != 0 { throw DistributedError("\(what): MPI_Ireduce failed (error \(rc))") }
        }
        try work.wait()
    }

    /// Every rank's `tensor`, in rank order (`dist.all_gather`).
    public static func allGather(
        _ tensor: Tensor, group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> [Tensor] {
        try allGatherIntoTensor(tensor, group: group, file: file, line: line).unbind(0)
    }

    /// Every rank's `tensor` stacked along a new first dim (`dist.all_gather_into_tensor`).
    public static func allGatherIntoTensor(
        _ tensor: Tensor, group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> Tensor {
        let g = Distributed.group(group, "allGather", file: file, line: line)
        let what = try begin("allGather", g, tensor)
        let (source, _) = transportable(tensor.contiguous())
        let out = Tensor.empty([g.worldSize] + tensor.shape, dtype: source.dtype)
        let work = Work(mpi: g.mpi, what: what, timeout: g.timeout)
        if let mpi = g.mpi {
            let dt = mpi.datatype(source.dtype)!
            let rc = mpi.iallgather(
                work.buffer(source, "allGather", file: file, line: line), Int32(source.count), dt,
                work.buffer(out, "allGather", file: file, line: line), Int32(source.count), dt, g.comm,
                work.requestPointer)
            if rc != 0 { throw DistributedError("\(what): MPI_Iallgather failed (error \(rc))") }
        } else {
            Torch.noGrad { out[0].copy_(source) }
        }
        try work.wait()
        return out.dtype == tensor.dtype ? out : Torch.noGrad { out.to(tensor.dtype) }
    }

    /// Blocks until every rank has reached it (`dist.barrier`).
    public static func barrier(group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line) throws {
        let g = Distributed.group(group, "barrier", file: file, line: line)
        let work = Work(mpi: g.mpi, what: "barrier #\(g.next()) on rank \(g.rank)", timeout: g.timeout)
        if let mpi = g.mpi {
            let rc = mpi.ibarrier(g.comm, work.requestPointer)
            if rc != 0 { throw DistributedError("barrier: MPI_Ibarrier failed (error \(rc))") }
        }
        try work.wait()
    }

    /// The next collective's description (for errors), after the cross-rank check of debug mode.
    static func begin(collective: Bool = true, _ op: String, _ g: ProcessGroup, _ t: Tensor) throws -> String {
        let what = "\(op) #\(g.next()) on rank \(g.rank) of \(g.worldSize) (\(t.dtype) \(t.shape))"
        if collective && g.debug { try g.checkSameCall(op, t, what) }
        return what
    }

    static func checkRank(_ r: Int, _ g: ProcessGroup, _ op: String, file: StaticString, line: UInt) {
        if g.local(r) == nil {
            torchFail(op, "Invalid rank \(r): the group's ranks are \(g.ranks)", file: file, line: line)
        }
    }

    static func checkOp(_ op: ReduceOp, _ dtype: DType, _ name: String, file: StaticString, line: UInt) {
        let bitwise: Set<ReduceOp> = [.band, .bor, .bxor]
        if bitwise.contains(op) && (dtype.isFloatingPoint || dtype.isComplex) {
            torchFail(name, "Cannot use ReduceOp.\(op.rawValue.uppercased()) with \(dtype)", file: file, line: line)
        }
        if op == .avg && !dtype.isFloatingPoint {
            torchFail(name, "ReduceOp.AVG needs a floating-point tensor, got \(dtype)", file: file, line: line)
        }
        if dtype == .bool && [.sum, .product, .avg].contains(op) {
            torchFail(
                name, "bool tensors reduce with min, max, band, bor or bxor, not \(op.rawValue)", file: file, line: line
            )
        }
        if dtype.isComplex {
            torchFail(name, "complex tensors are not supported by the MPI backend yet", file: file, line: line)
        }
    }

    /// The tensor MPI works on (itself, or a float32 copy of a half tensor) and how to write it back.
    static func transportable(_ t: Tensor) -> (Tensor, () -> Void) {
        if t.dtype == .float16 || t.dtype == .bfloat16 {
            let wide = Torch.noGrad { t.to(.float32).contiguous() }
            return (wide, { t.copy_(wide) })
        }
        return (t, {})
    }
}
