#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import Torch
import TorchBase

/// `torch.distributed`: the default process group and its collectives.
///
/// ```swift
/// try Torch.distributed.initProcessGroup(backend: .mpi)   // under `mpirun -np 2`
/// let t = Tensor.ones([4]) * Double(Torch.distributed.rank + 1)
/// try Torch.distributed.allReduce(t)                      // [3, 3, 3, 3] on both ranks
/// ```
public enum Distributed {
    nonisolated(unsafe) static var world: ProcessGroup?
    nonisolated(unsafe) static var finalized = false

    /// Starts the default process group. Under `mpirun` the rank and world size are Open MPI's
    /// (`OMPI_COMM_WORLD_RANK`, `OMPI_COMM_WORLD_SIZE`); a program started alone is a world of
    /// one. `timeout`: seconds any collective may wait before it throws (PyTorch's default 30 min).
    public static func initProcessGroup(backend: DistributedBackend = .mpi, timeout: Double = 1800) throws {
        if world != nil { throw DistributedError("initProcessGroup: the default process group is already initialized") }
        if finalized {
            throw DistributedError("initProcessGroup: MPI cannot be started again after destroyProcessGroup")
        }
        let env = ProcessInfo.processInfo.environment
        guard let size = env["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init) ?? env["WORLD_SIZE"].flatMap(Int.init),
            size > 1
        else {
            world = ProcessGroup(rank: 0, worldSize: 1, timeout: timeout, mpi: nil)
            return
        }
        let mpi = try MPILibrary.shared.get()
        var flag: Int32 = 0
        _ = mpi.initialized(&flag)
        if flag == 0 {
            let rc = mpi.initialize(nil, nil)
            if rc != 0 { throw DistributedError("initProcessGroup: MPI_Init failed (error \(rc))") }
        }
        var rank: Int32 = 0, n: Int32 = 0
        _ = mpi.commRank(mpi.commWorld, &rank)
        _ = mpi.commSize(mpi.commWorld, &n)
        world = ProcessGroup(rank: Int(rank), worldSize: Int(n), timeout: timeout, mpi: mpi)
        world?.debug = env["TORCH_DISTRIBUTED_DEBUG"] == "DETAIL"
        // torchrun's per-rank variables, for programs that read them.
        setenv("RANK", "\(rank)", 0)
        setenv("LOCAL_RANK", env["OMPI_COMM_WORLD_LOCAL_RANK"] ?? "\(rank)", 0)
        setenv("WORLD_SIZE", "\(n)", 0)
    }

    /// A group of the default group's ranks `ranks` (global ranks), for collectives among them alone
    /// (`dist.new_group`). Every rank must call it; the others get nil.
    ///
    /// ```swift
    /// let evens = try Torch.distributed.newGroup(ranks: [0, 2])
    /// if let evens { try Torch.distributed.allReduce(t, group: evens) }
    /// ```
    public static func newGroup(ranks: [Int], file: StaticString = #fileID, line: UInt = #line) throws -> ProcessGroup?
    {
        let w = group(nil, "newGroup", file: file, line: line)
        let members = Array(Set(ranks)).sorted()
        if let bad = members.first(where: { $0 < 0 || $0 >= w.worldSize }) {
            torchFail("newGroup", "rank \(bad) is not in the world of \(w.worldSize)", file: file, line: line)
        }
        let isMember = members.contains(w.rank)
        guard let mpi = w.mpi else {
            return isMember ? ProcessGroup(rank: 0, worldSize: 1, timeout: w.timeout, mpi: nil) : nil
        }
        var comm: MPIHandle?
        let undefined: Int32 = -32766  // Open MPI's MPI_UNDEFINED
        let rc = mpi.commSplit(w.comm, isMember ? 0 : undefined, Int32(w.rank), &comm)
        if rc != 0 { throw DistributedError("newGroup: MPI_Comm_split failed (error \(rc))") }
        guard isMember, let comm else { return nil }
        var rank: Int32 = 0, n: Int32 = 0
        _ = mpi.commRank(comm, &rank)
        _ = mpi.commSize(comm, &n)
        let g = ProcessGroup(
            rank: Int(rank), worldSize: Int(n), timeout: w.timeout, mpi: mpi, comm: comm, ranks: members)
        g.debug = w.debug
        return g
    }

    /// Whether `initProcessGroup` has run (`torch.distributed.is_initialized`).
    public static var isInitialized: Bool { world != nil }
    /// This process's rank in the default group.
    public static var rank: Int { world?.rank ?? 0 }
    /// The number of processes in the default group.
    public static var worldSize: Int { world?.worldSize ?? 1 }
    /// The default group, when initialized.
    public static var defaultGroup: ProcessGroup? { world }

    /// Ends the default group (MPI_Finalize; MPI cannot start again in this process).
    public static func destroyProcessGroup() {
        if let mpi = world?.mpi {
            _ = mpi.finalize()
            finalized = true
        }
        world = nil
    }

    static func group(_ g: ProcessGroup?, _ op: String, file: StaticString, line: UInt) -> ProcessGroup {
        guard let g = g ?? world else {
            torchFail(
                op,
                "Default process group has not been initialized, please make sure to call "
                    + "init_process_group.", file: file, line: line)
        }
        return g
    }

    /// The raw bytes of a CPU contiguous tensor (what MPI reads and writes).
    static func buffer(_ t: Tensor, _ op: String, file: StaticString, line: UInt) -> UnsafeMutableRawPointer {
        if t.device != .cpu {
            torchFail(op, "the MPI backend takes CPU tensors, got one on \(t.device)", file: file, line: line)
        }
        if !t.isContiguous { torchFail(op, "Tensors must be contiguous", file: file, line: line) }
        if t.count > Int(Int32.max) {
            torchFail(op, "tensors over 2^31 elements are not supported yet", file: file, line: line)
        }
        return t.storage.data + t.storageOffset * t.itemSize
    }
}

extension Torch {
    /// `torch.distributed`: `Torch.distributed.initProcessGroup()`, collectives, DDP.
    public static var distributed: Distributed.Type { Distributed.self }
}
