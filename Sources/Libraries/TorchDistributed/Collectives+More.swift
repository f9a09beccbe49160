import Torch
import TorchBase

// The rooted, all-to-all and point-to-point collectives (Note [Collectives with deadlines]).
// Lists of tensors are of one shape and dtype, as PyTorch's `gather`/`scatter` lists; they travel
// as one contiguous [worldSize, ...] tensor.
extension Distributed {
    /// Every rank's `tensor`, in rank order, on rank `dst` (nil on the others) (`dist.gather`).
    public static func gather(
        _ tensor: Tensor, dst: Int, group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> [Tensor]? {
        let g = Distributed.group(group, "gather", file: file, line: line)
        checkRank(dst, g, "gather", file: file, line: line)
        let (source, _) = transportable(tensor.contiguous())
        let isRoot = g.ranks[g.rank] == dst
        let out = Tensor.empty(isRoot ? [g.worldSize] + tensor.shape : [0], dtype: source.dtype)
        let work = Work(mpi: g.mpi, what: try begin("gather(dst: \(dst))", g, tensor), timeout: g.timeout)
        if let mpi = g.mpi {
            let dt = mpi.datatype(source.dtype)!
            let rc = mpi.igather(
                work.buffer(source, "gather", file: file, line: line), Int32(source.count), dt,
                isRoot ? work.buffer(out, "gather", file: file, line: line) : nil, Int32(source.count), dt,
                Int32(g.local(dst)!),
                g.comm, work.requestPointer)
            if rc != 0 { throw DistributedError("gather: MPI_Igather failed (error \(rc))") }
        } else {
            Torch.noGrad { out[0].copy_(source) }
        }
        try work.wait()
        return isRoot ? Torch.noGrad { out.to(tensor.dtype).unbind(0) } : nil
    }

    /// Rank `src`'s `scatterList[i]` into rank i's `output`, in place (`dist.scatter`).
    public static func scatter(
        _ output: Tensor, scatterList: [Tensor]? = nil, src: Int, group: ProcessGroup? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) throws {
        let g = Distributed.group(group, "scatter", file: file, line: line)
        checkRank(src, g, "scatter", file: file, line: line)
        let isRoot = g.ranks[g.rank] == src
        var stacked = Tensor.empty([0], dtype: output.dtype)
        if isRoot {
            guard let list = scatterList, list.count == g.worldSize, list.allSatisfy({ $0.shape == output.shape })
            else {
                torchFail(
                    "scatter",
                    "the source rank needs a scatter list of \(g.worldSize) tensors of shape \(output.shape)",
                    file: file, line: line)
            }
            stacked = Torch.noGrad { Tensor.stack(list).to(output.dtype).contiguous() }
        }
        let (target, copyBack) = transportable(output)
        let (source, _) = transportable(stacked)
        let work = Work(
            mpi: g.mpi, what: try begin("scatter(src: \(src))", g, output), timeout: g.timeout,
            finish: {
                Torch.noGrad { copyBack() }
                output.bumpVersion()
            })
        if let mpi = g.mpi {
            let dt = mpi.datatype(target.dtype)!
            let rc = mpi.iscatter(
                isRoot ? UnsafeRawPointer(work.buffer(source, "scatter", file: file, line: line)) : nil,
                Int32(target.count), dt, work.buffer(target, "scatter", file: file, line: line), Int32(target.count),
                dt,
                Int32(g.local(src)!), g.comm, work.requestPointer)
            if rc != 0 { throw DistributedError("scatter: MPI_Iscatter failed (error \(rc))") }
        } else {
            Torch.noGrad { target.copy_(source[0]) }
        }
        try work.wait()
    }

    /// `inputs[i]` goes to rank i; the result's element j came from rank j (`dist.all_to_all`).
    public static func allToAll(
        _ inputs: [Tensor], group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> [Tensor] {
        let g = Distributed.group(group, "allToAll", file: file, line: line)
        guard inputs.count == g.worldSize, let first = inputs.first, inputs.allSatisfy({ $0.shape == first.shape })
        else {
            torchFail("allToAll", "needs \(g.worldSize) tensors of one shape", file: file, line: line)
        }
        let (source, _) = transportable(Torch.noGrad { Tensor.stack(inputs).contiguous() })
        let out = Tensor.empty(source.shape, dtype: source.dtype)
        let work = Work(mpi: g.mpi, what: try begin("allToAll", g, first), timeout: g.timeout)
        if let mpi = g.mpi {
            let dt = mpi.datatype(source.dtype)!, n = Int32(first.count)
            let rc = mpi.ialltoall(
                work.buffer(source, "allToAll", file: file, line: line), n, dt,
                work.buffer(out, "allToAll", file: file, line: line),
                n, dt, g.comm, work.requestPointer)
            if rc != 0 { throw DistributedError("allToAll: MPI_Ialltoall failed (error \(rc))") }
        } else {
            Torch.noGrad { out.copy_(source) }
        }
        try work.wait()
        return Torch.noGrad { out.to(first.dtype).unbind(0) }
    }

    /// `output` = `inputs[rank]` combined with `op` across ranks (`dist.reduce_scatter`).
    public static func reduceScatter(
        _ output: Tensor, _ inputs: [Tensor], op: ReduceOp = .sum, group: ProcessGroup? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) throws {
        let g = Distributed.group(group, "reduceScatter", file: file, line: line)
        checkOp(op, output.dtype, "reduceScatter", file: file, line: line)
        guard inputs.count == g.worldSize, inputs.allSatisfy({ $0.shape == output.shape }) else {
            torchFail(
                "reduceScatter", "needs \(g.worldSize) inputs of the output's shape \(output.shape)", file: file,
                line: line)
        }
        let (source, _) = transportable(Torch.noGrad { Tensor.stack(inputs).to(output.dtype).contiguous() })
        let (target, copyBack) = transportable(output)
        let n = Double(g.worldSize)
        let work = Work(
            mpi: g.mpi, what: try begin("reduceScatter(\(op.rawValue))", g, output), timeout: g.timeout,
            finish: {
                Torch.noGrad {
                    if op == .avg { target.copy_(target / n) }
                    copyBack()
                }
                output.bumpVersion()
            })
        if let mpi = g.mpi {
            let rc = mpi.ireduceScatterBlock(
                work.buffer(source, "reduceScatter", file: file, line: line),
                work.buffer(target, "reduceScatter", file: file, line: line), Int32(target.count),
                mpi.datatype(target.dtype)!, mpi.operation(op), g.comm, work.requestPointer)
            if rc != 0 { throw DistributedError("reduceScatter: MPI_Ireduce_scatter_block failed (error \(rc))") }
        } else {
            Torch.noGrad { target.copy_(source[0]) }
        }
        try work.wait()
    }

    /// Starts sending `tensor` to rank `dst` (`dist.isend`); `wait()` before changing it.
    public static func isend(
        _ tensor: Tensor, dst: Int, tag: Int = 0, group: ProcessGroup? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) throws -> Work {
        let g = Distributed.group(group, "isend", file: file, line: line)
        checkRank(dst, g, "isend", file: file, line: line)
        let (source, _) = transportable(tensor.contiguous())
        let work = Work(
            mpi: g.mpi, what: try begin(collective: false, "isend(dst: \(dst), tag: \(tag))", g, tensor),
            timeout: g.timeout)
        guard let mpi = g.mpi else { torchFail("isend", "a world of one has no other rank", file: file, line: line) }
        let rc = mpi.isend(
            work.buffer(source, "isend", file: file, line: line), Int32(source.count), mpi.datatype(source.dtype)!,
            Int32(g.local(dst)!), Int32(tag), g.comm, work.requestPointer)
        if rc != 0 { throw DistributedError("isend: MPI_Isend failed (error \(rc))") }
        return work
    }

    /// Starts receiving rank `src`'s tensor into `tensor` (`dist.irecv`).
    public static func irecv(
        _ tensor: Tensor, src: Int, tag: Int = 0, group: ProcessGroup? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) throws -> Work {
        let g = Distributed.group(group, "irecv", file: file, line: line)
        checkRank(src, g, "irecv", file: file, line: line)
        let (target, copyBack) = transportable(tensor)
        let work = Work(
            mpi: g.mpi, what: try begin(collective: false, "irecv(src: \(src), tag: \(tag))", g, tensor),
            timeout: g.timeout,
            finish: {
                Torch.noGrad { copyBack() }
                tensor.bumpVersion()
            })
        guard let mpi = g.mpi else { torchFail("irecv", "a world of one has no other rank", file: file, line: line) }
        let rc = mpi.irecv(
            work.buffer(target, "irecv", file: file, line: line), Int32(target.count), mpi.datatype(target.dtype)!,
            Int32(g.local(src)!), Int32(tag), g.comm, work.requestPointer)
        if rc != 0 { throw DistributedError("irecv: MPI_Irecv failed (error \(rc))") }
        return work
    }

    /// Sends `tensor` to rank `dst` and waits (`dist.send`).
    public static func send(
        _ tensor: Tensor, dst: Int, tag: Int = 0, group: ProcessGroup? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) throws {
        try isend(tensor, dst: dst, tag: tag, group: group, file: file, line: line).wait()
    }

    /// Receives rank `src`'s tensor into `tensor` and waits (`dist.recv`).
    public static func recv(
        _ tensor: Tensor, src: Int, tag: Int = 0, group: ProcessGroup? = nil, file: StaticString = #fileID,
        line: UInt = #line
    ) throws {
        try irecv(tensor, src: src, tag: tag, group: group, file: file, line: line).wait()
    }
}

extension Distributed {
    /// One point-to-point operation for `batchIsendIrecv` (PyTorch's `dist.P2POp`).
    public enum P2POp {
        /// Send the tensor to global rank `peer`.
        case isend(Tensor, peer: Int, tag: Int = 0)
        /// Receive into the tensor from global rank `peer`.
        case irecv(Tensor, peer: Int, tag: Int = 0)
    }

    /// Starts every operation of `ops` at once and returns their works, to wait on (so that a ring
    /// of sends and receives cannot deadlock on ordering) (`dist.batch_isend_irecv`).
    public static func batchIsendIrecv(
        _ ops: [P2POp], group: ProcessGroup? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> [Work] {
        try ops.map { op in
            switch op {
            case .isend(let t, let peer, let tag):
                return try isend(t, dst: peer, tag: tag, group: group, file: file, line: line)
            case .irecv(let t, let peer, let tag):
                return try irecv(t, src: peer, tag: tag, group: group, file: file, line: line)
            }
        }
    }
}
