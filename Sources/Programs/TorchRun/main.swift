// torch-run: starts N copies of a program as one distributed job (PyTorch's `torchrun`).
//
//   torch-run --nproc-per-node 2 .build/release/torch-train --epochs 3
//
// The rendezvous and the collectives are Open MPI's (Note [Open MPI at run time]), so this
// launcher hands the job to `mpirun` on this node: it replaces itself with mpirun (signals reach
// the job as they would reach mpirun, which forwards them to every rank), passes torchrun's
// variables (WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT on a free port) to every rank
// (each rank's RANK and LOCAL_RANK are Open MPI's OMPI_COMM_WORLD_RANK / _LOCAL_RANK, which
// `initProcessGroup` reads), allows running as root and more ranks than cores, and mpirun exits
// non-zero when any rank fails.
#if canImport(Glibc)
    import Glibc
#endif

func usage() -> Never {
    fputs("usage: torch-run --nproc-per-node N program [args...]\n", stderr)
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
var nproc = 1
while let first = args.first, first.hasPrefix("--") {
    args.removeFirst()
    if first == "--nproc-per-node" || first == "--nproc_per_node", let v = args.first.flatMap({ Int($0) }), v > 0 {
        nproc = v
        args.removeFirst()
    } else if first.hasPrefix("--nproc-per-node="), let v = Int(first.dropFirst(17)), v > 0 {
        nproc = v
    } else if first == "--help" || first == "-h" {
        usage()
    } else {
        fputs("torch-run: unknown option \(first)\n", stderr)
        usage()
    }
}
guard !args.isEmpty else { usage() }
let candidates: [String] = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"]
let mpirun = candidates.first { access($0, X_OK) == 0 }
guard let mpirun else {
    fputs("torch-run: mpirun not found (apt-get install openmpi-bin)\n", stderr)
    exit(127)
}

/// A free TCP port on this machine (torchrun's MASTER_PORT when none is given).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
        }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

setenv("WORLD_SIZE", "\(nproc)", 1)
setenv("LOCAL_WORLD_SIZE", "\(nproc)", 1)
if getenv("MASTER_ADDR") == nil { setenv("MASTER_ADDR", "127.0.0.1", 1) }
if getenv("MASTER_PORT") == nil { setenv("MASTER_PORT", "\(freePort())", 1) }
setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1)
setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1)
var argv = [mpirun, "--oversubscribe", "-np", "\(nproc)", "--mca", "btl", "self,vader"]
for v in ["WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"] { argv += ["-x", v] }
argv += args
var cargs = argv.map { strdup($0) } + [nil]
execv(mpirun, &cargs)
fputs("torch-run: cannot run \(mpirun): \(String(cString: strerror(errno)))\n", stderr)
exit(127)
