#if canImport(Glibc)
    import Glibc
#endif
import TorchBase

// Note [Open MPI at run time]
// The collectives are Open MPI's (Debian's `openmpi-bin` 4.1, `libmpi.so.40`), opened with
// `dlopen` the first time a process group is made, so the package builds and every other test
// runs on a machine without it. Open MPI's handles (`MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_SUM`) are
// the addresses of its global objects (`&ompi_mpi_comm_world`, ...), so `dlsym` gives them
// directly; `MPI_IN_PLACE` is `(void *) 1` and `MPI_STATUS_IGNORE` is null, as in Open MPI's
// mpi.h. The library is opened RTLD_GLOBAL because Open MPI's own plugins link against it.

typealias MPIHandle = UnsafeMutableRawPointer

/// Open MPI's entry points and handles, loaded once.
final class MPILibrary: @unchecked Sendable {
    typealias InitFn = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32
    typealias FlagFn = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias VoidFn = @convention(c) () -> Int32
    typealias CommIntFn = @convention(c) (MPIHandle, UnsafeMutablePointer<Int32>) -> Int32
    typealias CommSplitFn = @convention(c) (MPIHandle, Int32, Int32, UnsafeMutablePointer<MPIHandle?>) -> Int32
    typealias Request = UnsafeMutablePointer<MPIHandle?>
    typealias IallreduceFn =
        @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, MPIHandle, MPIHandle, MPIHandle, Request) ->
        Int32
    typealias IreduceFn =
        @convention(c) (
            UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, MPIHandle, MPIHandle, Int32, MPIHandle, Request
        ) -> Int32
    typealias IbcastFn = @convention(c) (UnsafeMutableRawPointer?, Int32, MPIHandle, Int32, MPIHandle, Request) -> Int32
    typealias IbarrierFn = @convention(c) (MPIHandle, Request) -> Int32
    typealias IallgatherFn =
        @convention(c) (
            UnsafeRawPointer?, Int32, MPIHandle, UnsafeMutableRawPointer?, Int32, MPIHandle, MPIHandle, Request
        ) -> Int32
    typealias TestFn = @convention(c) (Request, UnsafeMutablePointer<Int32>, UnsafeMutableRawPointer?) -> Int32
    typealias IrootedFn =
        @convention(c) (
            UnsafeRawPointer?, Int32, MPIHandle, UnsafeMutableRawPointer?, Int32, MPIHandle, Int32, MPIHandle, Request
        ) -> Int32
    typealias IsendFn =
        @convention(c) (UnsafeRawPointer?, Int32, MPIHandle, Int32, Int32, MPIHandle, Request) -> Int32
    typealias IrecvFn =
        @convention(c) (UnsafeMutableRawPointer?, Int32, MPIHandle, Int32, Int32, MPIHandle, Request) -> Int32

    let initialize: InitFn, initialized: FlagFn, finalized: FlagFn, finalize: VoidFn
    let commRank: CommIntFn, commSize: CommIntFn, commSplit: CommSplitFn
    let iallreduce: IallreduceFn, ireduce: IreduceFn, ibcast: IbcastFn, ibarrier: IbarrierFn
    let iallgather: IallgatherFn, test: TestFn
    let igather: IrootedFn, iscatter: IrootedFn, ialltoall: IallgatherFn, ireduceScatterBlock: IallreduceFn
    let isend: IsendFn, irecv: IrecvFn
    let commWorld: MPIHandle
    private let handles: [String: MPIHandle]

    /// Open MPI, or why it cannot be had.
    static let shared: Result<MPILibrary, DistributedError> = {
        guard let h = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL) ?? dlopen("libmpi.so", RTLD_NOW | RTLD_GLOBAL)
        else {
            let why = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(
                DistributedError("Open MPI is not available (\(why)); apt-get install openmpi-bin libopenmpi3"))
        }
        do { return .success(try MPILibrary(h)) } catch let e as DistributedError { return .failure(e) } catch {
            return .failure(DistributedError("\(error)"))
        }
    }()

    private init(_ h: UnsafeMutableRawPointer) throws {
        func sym<T>(_ name: String, _: T.Type) throws -> T {
            guard let p = dlsym(h, name) else { throw DistributedError("Open MPI has no symbol \(name)") }
            return unsafeBitCast(p, to: T.self)
        }
        func handle(_ name: String) throws -> MPIHandle {
            guard let p = dlsym(h, name) else { throw DistributedError("Open MPI has no symbol \(name)") }
            return p
        }
        initialize = try sym("MPI_Init", InitFn.self)
        initialized = try sym("MPI_Initialized", FlagFn.self)
        finalized = try sym("MPI_Finalized", FlagFn.self)
        finalize = try sym("MPI_Finalize", VoidFn.self)
        commRank = try sym("MPI_Comm_rank", CommIntFn.self)
        commSize = try sym("MPI_Comm_size", CommIntFn.self)
        commSplit = try sym("MPI_Comm_split", CommSplitFn.self)
        iallreduce = try sym("MPI_Iallreduce", IallreduceFn.self)
        ireduce = try sym("MPI_Ireduce", IreduceFn.self)
        ibcast = try sym("MPI_Ibcast", IbcastFn.self)
        ibarrier = try sym("MPI_Ibarrier", IbarrierFn.self)
        iallgather = try sym("MPI_Iallgather", IallgatherFn.self)
        test = try sym("MPI_Test", TestFn.self)
        igather = try sym("MPI_Igather", IrootedFn.self)
        iscatter = try sym("MPI_Iscatter", IrootedFn.self)
        ialltoall = try sym("MPI_Ialltoall", IallgatherFn.self)
        ireduceScatterBlock = try sym("MPI_Ireduce_scatter_block", IallreduceFn.self)
        isend = try sym("MPI_Isend", IsendFn.self)
        irecv = try sym("MPI_Irecv", IrecvFn.self)
        commWorld = try handle("ompi_mpi_comm_world")
        var hs: [String: MPIHandle] = [:]
        for n in [
            "ompi_mpi_float", "ompi_mpi_double", "ompi_mpi_int8_t", "ompi_mpi_uint8_t", "ompi_mpi_int16_t",
            "ompi_mpi_int32_t", "ompi_mpi_int64_t", "ompi_mpi_op_sum", "ompi_mpi_op_prod", "ompi_mpi_op_min",
            "ompi_mpi_op_max", "ompi_mpi_op_band", "ompi_mpi_op_bor", "ompi_mpi_op_bxor",
        ] {
            hs[n] = try handle(n)
        }
        handles = hs
    }

    /// The MPI datatype of `dtype`, if MPI has one (bool travels as uint8; half types do not travel).
    func datatype(_ dtype: DType) -> MPIHandle? {
        switch dtype {
        case .float32: return handles["ompi_mpi_float"]
        case .float64: return handles["ompi_mpi_double"]
        case .int8: return handles["ompi_mpi_int8_t"]
        case .uint8, .bool: return handles["ompi_mpi_uint8_t"]
        case .int16: return handles["ompi_mpi_int16_t"]
        case .int32: return handles["ompi_mpi_int32_t"]
        case .int64: return handles["ompi_mpi_int64_t"]
        default: return nil
        }
    }

    /// The MPI reduction of `op` (average is a sum, divided afterwards).
    func operation(_ op: Distributed.ReduceOp) -> MPIHandle {
        switch op {
        case .sum, .avg: return handles["ompi_mpi_op_sum"]!
        case .product: return handles["ompi_mpi_op_prod"]!
        case .min: return handles["ompi_mpi_op_min"]!
        case .max: return handles["ompi_mpi_op_max"]!
        case .band: return handles["ompi_mpi_op_band"]!
        case .bor: return handles["ompi_mpi_op_bor"]!
        case .bxor: return handles["ompi_mpi_op_bxor"]!
        }
    }

    /// MPI_IN_PLACE in Open MPI.
    static let inPlace = UnsafeRawPointer(bitPattern: 1)
}

/// A failure of the distributed runtime (no MPI, a failed collective), naming what and where.
public struct DistributedError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String
    init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

extension Distributed {
    /// How a collective combines tensors (PyTorch's `dist.ReduceOp`).
    public enum ReduceOp: String, Sendable, CaseIterable {
        case sum, product, min, max, band, bor, bxor, avg
    }
}
