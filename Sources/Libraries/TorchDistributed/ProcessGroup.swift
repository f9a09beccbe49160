#if canImport(Glibc)
    import Glibc
#endif
import Torch
import TorchBase

// Note [Collectives with deadlines]
// Every collective is started with Open MPI's nonblocking form (MPI_Iallreduce, MPI_Ibcast, ...)
// and waited for by polling MPI_Test, which also drives Open MPI's progress engine. A blocking
// call is the same start followed by `wait()`. Polling lets each wait have a deadline: a rank that
// died or called a different collective makes the others throw, naming the op, its sequence
// number in this process group and the rank, instead of hanging (PyTorch's NCCL watchdog and
// `timeout=`). Tensors are reduced in place in their own storage (CPU, contiguous); dtypes MPI
// has no type for (float16, bfloat16) travel through a float32 copy.

/// The backend the process group runs on.
public enum DistributedBackend: String, Sendable {
    /// Open MPI, for CPU tensors (launch with `mpirun -np N`).
    case mpi
}

/// The processes of one job and their collectives (PyTorch's `ProcessGroup`).
public final class ProcessGroup: @unchecked Sendable {
    /// This process's rank, `0..<worldSize`.
    public let rank: Int
    /// The number of processes.
    public let worldSize: Int
    /// How long a collective may wait before it throws.
    public var timeout: Double
    /// Open MPI, absent in a world of one started without `mpirun`.
    let mpi: MPILibrary?
    /// The group's communicator (MPI_COMM_WORLD for the default group).
    let comm: MPIHandle
    /// The global ranks of the members, in group-rank order (src/dst arguments are global ranks,
    /// as in PyTorch).
    public let ranks: [Int]
    /// Collectives started so far (for error messages).
    public private(set) var sequenceNumber = 0
    /// Whether each collective first checks that every rank calls the same one with the same
    /// shape and dtype (`TORCH_DISTRIBUTED_DEBUG=DETAIL`).
    public var debug = false

    init(rank: Int, worldSize: Int, timeout: Double, mpi: MPILibrary?, comm: MPIHandle? = nil, ranks: [Int]? = nil) {
        (self.rank, self.worldSize, self.timeout, self.mpi) = (rank, worldSize, timeout, mpi)
        self.comm = comm ?? mpi?.commWorld ?? UnsafeMutableRawPointer(bitPattern: 1)!
        self.ranks = ranks ?? Array(0..<worldSize)
    }

    /// The group rank of global rank `r` (nil when it is not a member).
    func local(_ r: Int) -> Int? { ranks.firstIndex(of: r) }

    func next() -> Int {
        sequenceNumber += 1
        return sequenceNumber
    }

    /// Debug mode: gathers every rank's (op, dtype, shape, sequence number) and throws naming the
    /// ranks that disagree with rank 0, before the collective itself could hang or mix data.
    func checkSameCall(_ op: String, _ t: Tensor, _ what: String) throws {
        guard let mpi, worldSize > 1 else { return }
        let name = op.prefix { $0 != "(" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: the same on every rank
        for b in name.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        var mine: [Int64] = [Int64(bitPattern: hash), Int64(t.dtype.itemSize), Int64(t.rank), Int64(sequenceNumber)]
        mine += (0..<6).map { $0 < t.rank ? Int64(t.shape[$0]) : -1 }
        let width = mine.count
        var all = [Int64](repeating: 0, count: width * worldSize)
        let work = Work(mpi: mpi, what: "debug check before \(what)", timeout: timeout)
        let dt = mpi.datatype(.int64)!
        let rc = mine.withUnsafeBytes { src in
            all.withUnsafeMutableBytes { dst in
                mpi.iallgather(
                    src.baseAddress, Int32(width), dt, dst.baseAddress, Int32(width), dt, mpi.commWorld,
                    work.requestPointer)
            }
        }
        if rc != 0 { throw DistributedError("debug check: MPI_Iallgather failed (error \(rc))") }
        try work.wait()
        let reference = Array(all[0..<width])
        let differing = (1..<worldSize).filter { Array(all[$0 * width..<($0 + 1) * width]) != reference }
        if !differing.isEmpty {
            let describe = { (r: Int) -> String in
                let row = Array(all[r * width..<(r + 1) * width])
                let shape = row[4..<(4 + Int(row[2]))].map(String.init).joined(separator: ", ")
                let hash = UInt64(bitPattern: row[0]) % 100_000
                return "rank \(r): collective #\(row[3]), op hash \(hash), shape [\(shape)]"
            }
            throw DistributedError(
                "\(what): ranks \(differing) called a different collective or shape than rank 0 (\(describe(0)); "
                    + differing.map(describe).joined(separator: "; ") + ")")
        }
    }
}

/// A collective in flight (PyTorch's `Work`): `wait()` blocks until it completes or its deadline.
public final class Work: @unchecked Sendable {
    private var request = UnsafeMutablePointer<MPIHandle?>.allocate(capacity: 1)
    private let mpi: MPILibrary?
    private let what: String
    private let timeout: Double
    private var finish: (() -> Void)?
    private var done = false
    /// The tensors MPI reads or writes, kept alive until it completes (a contiguous or converted
    /// copy would otherwise be freed while MPI still uses its memory).
    private var inUse: [Tensor] = []

    init(mpi: MPILibrary?, what: String, timeout: Double, finish: (() -> Void)? = nil) {
        request.initialize(to: nil)
        (self.mpi, self.what, self.timeout, self.finish) = (mpi, what, timeout, finish)
    }

    deinit { request.deallocate() }

    var requestPointer: UnsafeMutablePointer<MPIHandle?> { request }

    /// The raw bytes of `t` for MPI (`Distributed.buffer`), with `t` kept alive until completion.
    func buffer(_ t: Tensor, _ op: String, file: StaticString, line: UInt) -> UnsafeMutableRawPointer {
        inUse.append(t)
        return Distributed.buffer(t, op, file: file, line: line)
    }

    /// Whether it has completed (drives the progress engine once).
    public func isCompleted() -> Bool {
        if done { return true }
        guard let mpi, request.pointee != nil else { return complete() }
        var flag: Int32 = 0
        _ = mpi.test(request, &flag, nil)
        return flag != 0 ? complete() : false
    }

    private func complete() -> Bool {
        done = true
        finish?()
        finish = nil
        inUse = []
        return true
    }

    /// Blocks until the collective completes; throws when it does not within `timeout` seconds
    /// (the group's by default). A wait that threw can be waited for again.
    public func wait(timeout: Double? = nil) throws {
        let timeout = timeout ?? self.timeout
        if isCompleted() { return }
        let start = Work.now()
        var spins = 0
        while !isCompleted() {
            spins += 1
            if spins > 1000 { usleep(20) }
            if Work.now() - start > timeout {
                throw DistributedError(
                    "\(what) did not complete within \(timeout) s: a rank may have died or called another collective")
            }
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
