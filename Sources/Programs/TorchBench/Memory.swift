#if canImport(Glibc)
    import Glibc
#endif

/// A child process's standard output, its peak resident memory (the kernel's `ru_maxrss` from
/// `wait4`, the same figure for every program) and its wall time; nil when it cannot be started
/// or fails.
func runMeasured(_ argv: [String]) -> (output: String, peakMiB: Double, seconds: Double)? {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return nil }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    let cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    var pid: pid_t = 0
    let t0 = now()
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cargs, environ)
    close(fds[1])
    guard rc == 0 else {
        close(fds[0])
        return nil
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fds[0], &chunk, chunk.count)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    close(fds[0])
    var status: Int32 = 0
    var usage = rusage()
    guard wait4(pid, &status, 0, &usage) == pid, status == 0 else { return nil }
    return (String(decoding: bytes, as: UTF8.self), Double(usage.ru_maxrss) / 1024, now() - t0)
}

/// The number after `prefix` on the first line that contains it ("epoch 1 done in 0.95s" → 0.95).
func number(after prefix: String, in text: String) -> Double? {
    for line in text.split(separator: "\n") {
        guard let r = line.range(of: prefix) else { continue }
        let digits = line[r.upperBound...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." }
        return Double(digits)
    }
    return nil
}

/// 12. Memory (#17): the main job (MLP, one epoch) and the MNIST example (one epoch over 2 000
/// images, test batches of 1 000), each against its PyTorch twin in the same run: epoch time and
/// peak resident memory of the whole process, measured alike for both by the kernel.
func memoryBench() {
    let dir = String(
        CommandLine.arguments[0].split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/"))
    let bin = dir.isEmpty ? "." : dir
    let python = torchPython()
    print("\nMemory: peak resident memory of whole processes (ratio > 1: SwiftTorch smaller or faster)")
    func show(_ name: String, _ ours: Double?, _ theirs: Double?, _ unit: String) {
        let o = ours.map { format3($0) + " " + unit } ?? "n/a"
        let t = theirs.map { format3($0) + " " + unit } ?? "n/a"
        var ratio = "n/a"
        if let ours, let theirs, ours > 0 { ratio = format3(theirs / ours) + "x" }
        print(pad(name, 44) + pad(o, 14) + pad("torch " + t, 20) + "ratio " + ratio)
    }
    let job = runMeasured([bin + "/torch-train", "--epochs", "1", "--logdir", "/tmp/torch-bench-main-job"])
    let theirJob = python.flatMap { runMeasured([$0, "scripts/train_torch.py", "mlp", "1"]) }
    if job == nil { print("  main job: \(bin)/torch-train did not run (swift build -c release --product torch-train)") }
    show(
        "main job epoch (MLP, batch 64)", job.flatMap { number(after: "done in", in: $0.output) },
        theirJob.flatMap { number(after: "epoch 1:", in: $0.output) }, "s")
    show("main job peak resident memory", job?.peakMiB, theirJob?.peakMiB, "MiB")
    if let job {
        let accuracy = number(after: "test accuracy", in: job.output).map { format3($0) } ?? "?"
        print("  target <= 100 MiB: \(job.peakMiB <= 100 ? "met" : "NOT met"); accuracy after one epoch \(accuracy)")
        for line in job.output.split(separator: "\n") where line.hasPrefix("peak resident memory") {
            print("  phases (VmHWM): " + line.dropFirst("peak resident memory ".count))
        }
    }
    let example = runMeasured([bin + "/mnist-example", "--epochs", "1", "--limit", "2000"])
    let theirExample = python.flatMap { runMeasured([$0, "scripts/mnist_example_torch.py", "--limit", "2000"]) }
    if example == nil { print("  \(bin)/mnist-example did not run (swift build -c release --product mnist-example)") }
    show("MNIST example peak (2 000 images, test 1 000)", example?.peakMiB, theirExample?.peakMiB, "MiB")
}
