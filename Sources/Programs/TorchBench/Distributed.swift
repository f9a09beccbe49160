#if canImport(Glibc)
    import Glibc
#endif
import Torch

/// `key seconds` lines printed by `command`.
func timings(_ command: String) -> [String: Double] {
    guard let p = popen(command, "r") else { return [:] }
    var out: [String: Double] = [:]
    var buf = [CChar](repeating: 0, count: 512)
    while fgets(&buf, 512, p) != nil {
        let parts = String(cString: buf).split(separator: " ")
        if parts.count == 2, let v = Double(parts[1].filter { !$0.isWhitespace }) {
            out[String(parts[0])] = v
        }
    }
    pclose(p)
    return out
}

/// 11. Distributed (#18): 2-rank all-reduce latency and bus bandwidth (2(n-1)/n · bytes / time)
/// and a 2-rank DDP step of the MLP, ours on Open MPI (`mpirun -np 2 torch-dist-check --bench`)
/// against PyTorch's gloo (`scripts/bench_dist_torch.py`), one thread per rank, in the same run.
func distributedBench() {
    let dir = String(
        CommandLine.arguments[0].split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/"))
    let check = (dir.isEmpty ? "." : dir) + "/torch-dist-check"
    guard access(check, X_OK) == 0, access("/usr/bin/mpirun", X_OK) == 0 else {
        print("distributed: needs Open MPI and \(check) (swift build -c release --product torch-dist-check)")
        return
    }
    let env = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
    let ours = timings("\(env) mpirun --oversubscribe -np 2 --mca btl self,vader \(check) --bench 2>/dev/null")
    let theirs = torchPython().map { timings("\($0) scripts/bench_dist_torch.py 2>/dev/null") } ?? [:]
    print("")
    print("Distributed, 2 ranks on this machine (Open MPI against PyTorch's gloo; ratio > 1: SwiftTorch is faster):")
    print(pad("all-reduce float32", 22) + pad("SwiftTorch", 26) + pad("gloo", 26) + "ratio")
    for bytes in [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24, 26 << 20, 1 << 26] {
        let key = "allreduce_\(bytes)"
        func cell(_ t: Double?) -> String {
            guard let t else { return "n/a" }
            return format3(t * 1e3) + " ms " + format3(Double(bytes) / t / 1e9) + " GB/s bus"
        }
        let size = bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes >> 10) KB"
        let ratio = ours[key].flatMap { o in theirs[key].map { format3($0 / o) + "x" } } ?? "n/a"
        print(pad(size, 22) + pad(cell(ours[key]), 26) + pad(cell(theirs[key]), 26) + ratio)
    }
    let o = ours["ddp_mlp"], t = theirs["ddp_mlp"]
    print(
        pad("DDP step MLP 784-512-256-10, b128 (64 per rank)", 50) + (o.map { format3($0 * 1e3) + " ms" } ?? "n/a")
            + "  gloo " + (t.map { format3($0 * 1e3) + " ms" } ?? "n/a") + "  ratio "
            + (o.flatMap { o in t.map { format3($0 / o) + "x" } } ?? "n/a"))
}
