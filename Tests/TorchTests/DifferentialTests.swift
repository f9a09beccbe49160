import Foundation
import XCTest
@testable import Torch
import TorchBase
import TorchIO
import TorchTestSupport

/// Replays the differential cases against PyTorch (`Fixtures/differential/generate.py` wrote
/// them) through `torch-diff`, in a child process because a case PyTorch refuses must trap here.
/// Every case must match: outputs (dtype, shape, values with NaN only at NaN and infinities
/// exact), float64 gradients, and refusals (a trap from `torchFail`, not a crash).
/// `SWIFTTORCH_DIFF_FILE` replays another file (a larger run made with `N=` and `SEED=`);
/// `SWIFTTORCH_DIFF_MESSAGES=1` prints the refusals whose message is not PyTorch's.
final class DifferentialTests: XCTestCase {
    struct Outcome {
        var passed = 0, refusedOK = 0, messageMatches = 0
        var failures: [String] = []
        var perFamily: [String: (pass: Int, total: Int)] = [:]
    }

    static var fixture: String {
        ProcessInfo.processInfo.environment["SWIFTTORCH_DIFF_FILE"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "Fixtures/differential/cases.safetensors"
            ).path
    }

    static func binary() -> URL? {
        let dir = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("torch-diff"), dir.appendingPathComponent("torch-diff"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../.build/debug/torch-diff"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `torch-diff` from case `from` (its kernels on `capability`'s path when given); returns
    /// its stdout lines, stderr and exit status.
    static func run(_ exe: URL, from: Int, capability: CPUCapability? = nil) -> (
        lines: [String], stderr: String, status: Int32
    ) {
        let env = capability.map { ["SWIFTTORCH_CPU_CAPABILITY": $0.description] } ?? [:]
        // On a lower kernel path the refusals are left out: they are decided before any kernel
        // runs, and each one restarts the replay (most of its time).
        let skip = capability == nil ? [] : ["--skip-refusals"]
        let r = runCapturing(exe, [fixture, "--from", String(from)] + skip, environment: env)
        return (r.stdout.split(separator: "\n").map(String.init), r.stderr, r.status)
    }

    /// The trap message of a `torchFail` ("Fatal error: op: message"), or nil for a crash.
    static func trapMessage(_ stderr: String) -> String? {
        guard let r = stderr.range(of: "Fatal error: ") else { return nil }
        let msg = String(stderr[r.upperBound...].prefix { $0 != "\n" })
        let runtime = [
            "Index out of range", "Unexpectedly found nil", "Division by zero", "Not enough bits",
            "Array index is out of range", "Range requires lowerBound", "Can't form Range",
            "Double value cannot be converted", "Float value cannot be converted", "arithmetic overflow",
        ]
        if runtime.contains(where: { msg.contains($0) }) { return nil }
        return msg.contains(": ") ? msg : nil
    }

    func testEveryCaseMatchesPyTorch() throws { try replay(capability: nil) }

    /// The same cases on every other kernel path this CPU can run (SWIFTTORCH_CPU_CAPABILITY,
    /// Note [CPU capability]): the default (SSE2) copies here, and avx2 on an AVX-512 machine.
    func testEveryCaseMatchesPyTorchOnTheOtherKernelPaths() throws {
        let lower = CPUCapability.allCases.filter { $0 < Torch.backends.cpu.bestCapability }
        if Torch.backends.cpu.bestCapability < .avx512 {
            print("note: this CPU has no AVX-512, so the avx512 kernels are compiled but not run here")
        }
        if lower.isEmpty { throw XCTSkip("this CPU runs only the default kernels") }
        for c in lower { try replay(capability: c) }
    }

    func replay(capability: CPUCapability?) throws {
        guard let exe = DifferentialTests.binary() else { return XCTFail("torch-diff is not built") }
        let file = try SafeTensors.load(DifferentialTests.fixture)
        let cases = try JSONSerialization.jsonObject(with: Data(file.metadata["cases"]!.utf8)) as! [[String: Any]]
        var o = Outcome()
        func family(_ id: Int) -> String { cases[id]["family"] as! String }
        func op(_ id: Int) -> String { cases[id]["op"] as! String }
        func record(_ id: Int, _ ok: Bool, _ why: String? = nil) {
            var f = o.perFamily[family(id)] ?? (0, 0)
            f.total += 1
            if ok { f.pass += 1; o.passed += 1 } else { o.failures.append("case \(id) \(op(id)): \(why ?? "")") }
            o.perFamily[family(id)] = f
        }
        var from = 0
        var restarts = 0
        while from < cases.count {
            let r = DifferentialTests.run(exe, from: from, capability: capability)
            if let capability, !r.lines.contains("kernels \(capability)") {
                return XCTFail("torch-diff did not run the \(capability) kernels: \(r.lines.prefix(3))")
            }
            var running: Int? = nil
            for line in r.lines {
                let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
                guard parts.count >= 2, let id = Int(parts[1]) else { continue }
                switch parts[0] {
                case "run": running = id
                case "ok": record(id, true); running = nil
                case "fail": record(id, false, parts.count > 2 ? parts[2] : nil); running = nil
                case "missing": record(id, false, "no Swift op for \(op(id))"); running = nil
                default: break
                }
            }
            if r.lines.last == "done" { break }
            guard let id = running else {
                XCTFail("torch-diff stopped outside a case (status \(r.status)): \(r.stderr.suffix(500))")
                break
            }
            restarts += 1
            let expected = cases[id]["error"] as? String
            if let msg = DifferentialTests.trapMessage(r.stderr) {
                if let expected {
                    o.refusedOK += 1
                    if msg.contains(expected) {
                        o.messageMatches += 1
                    } else if ProcessInfo.processInfo.environment["SWIFTTORCH_DIFF_MESSAGES"] != nil {
                        print("  message \(id) \(op(id)): \(msg.prefix(200))\n    PyTorch: \(expected.prefix(200))")
                    }
                    record(id, true)
                } else {
                    record(id, false, "traps where PyTorch computes: \(msg)")
                }
            } else {
                record(id, false, "crashed (status \(r.status)): \(r.stderr.suffix(300))")
            }
            from = id + 1
        }
        let total = o.perFamily.values.reduce(0) { $0 + $1.total }
        print(
            "differential (kernels: \(capability?.description ?? "best, \(Torch.backends.cpu.capability)")): "
                + "\(o.passed) of \(total) cases match PyTorch (\(o.refusedOK) refusals, \(o.messageMatches) "
                + "with PyTorch's exact message), \(restarts) restarts"
        )
        for (f, c) in o.perFamily.sorted(by: { $0.key < $1.key }) { print("  \(f): \(c.pass)/\(c.total)") }
        for f in o.failures { print("  FAIL \(f)") }
        let expected = capability == nil ? cases.count : cases.filter { $0["error"] == nil }.count
        XCTAssertEqual(total, expected, "not every case ran")
        XCTAssertEqual(
            o.failures.count, 0, "\(o.failures.count) cases differ from PyTorch; first: \(o.failures.first ?? "")")
    }
}
