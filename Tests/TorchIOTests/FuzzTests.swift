import Foundation
import XCTest
@testable import Torch
import TorchBase
@testable import TorchIO
@testable import TorchData
import TorchTestSupport

/// A bounded-time mutation fuzzer for every loader: valid files with random bit flips, byte
/// overwrites with boundary values, truncations, duplicated and deleted chunks. Each input must
/// either load or throw; a crash or hang fails the run, and what loads may not be far larger than
/// the input (no allocation driven by an unchecked size field).
///
/// Every run prints its seed (SWIFTTORCH_FUZZ_SEED repeats one). Zip-based formats (npz,
/// torch.save) are mutated inside a member and re-packed with correct CRCs, so the mutations
/// reach the npy and pickle parsers instead of stopping at the checksum. An input that fails is
/// saved under Fixtures/fuzz-regressions (a crash through a signal handler that writes the input
/// being parsed), and `testRegressionInputs` replays every saved one.
final class FuzzTests: XCTestCase {
    /// Seconds per loader (SWIFTTORCH_FUZZ_SECONDS overrides; CI uses the default).
    static let budget: Double =
        ProcessInfo.processInfo.environment["SWIFTTORCH_FUZZ_SECONDS"].flatMap(Double.init) ?? 1.5
    /// The run's seed: SWIFTTORCH_FUZZ_SEED, else from the clock.
    static let seed: UInt64 =
        ProcessInfo.processInfo.environment["SWIFTTORCH_FUZZ_SEED"].flatMap { UInt64($0) }
        ?? UInt64(Date().timeIntervalSince1970 * 1000)
    static let regressions = Fixtures.directory.appendingPathComponent("fuzz-regressions")

    /// A stable hash of a loader's name (String.hashValue changes between processes).
    static func fnv(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(Swift.max(n, 1))) }
    }

    static func mutate(_ input: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + rng.below(4)) {
            if b.isEmpty { b = [UInt8(rng.below(256))]; continue }
            switch rng.below(6) {
            case 0: b[rng.below(b.count)] ^= UInt8(1 << rng.below(8))
            case 1: b[rng.below(b.count)] = [0, 0xFF, 0x7F, 0x80, 0x01, 0x30][rng.below(6)]
            case 2: b = Array(b.prefix(rng.below(b.count)))
            case 3:
                let i = rng.below(b.count), n = Swift.min(1 + rng.below(16), b.count - i)
                b.insert(contentsOf: b[i..<(i + n)], at: rng.below(b.count))
            case 4:
                let i = rng.below(b.count), n = Swift.min(1 + rng.below(16), b.count - i)
                b.removeSubrange(i..<(i + n))
            default:
                // A little-endian 32-bit field set to a boundary value.
                let i = rng.below(Swift.max(b.count - 4, 1))
                let v: UInt32 = [0, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 1 << 20][rng.below(5)]
                for k in 0..<Swift.min(4, b.count - i) { b[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            }
        }
        return b
    }

    /// Fuzzes `load` from `seeds` for the time budget; returns (inputs tried, inputs accepted).
    /// `mutate` turns a seed into an input (by default `FuzzTests.mutate`; zip formats re-pack).
    func fuzz(
        _ name: String, seeds: [[UInt8]], maxGrowth: Int = 1,
        mutate: (([UInt8], inout Rng) -> [UInt8])? = nil, _ load: ([UInt8]) throws -> [Tensor]
    ) -> (Int, Int) {
        var rng = Rng(state: Self.seed ^ Self.fnv(name))
        print("fuzz \(name): seed \(Self.seed) (SWIFTTORCH_FUZZ_SEED=\(Self.seed) repeats it)")
        CrashCapture.install(path: Self.regressions.appendingPathComponent("crash-\(name)-\(Self.seed).bin").path)
        defer { CrashCapture.clear() }
        let start = Date()
        var tried = 0, accepted = 0
        while Date().timeIntervalSince(start) < Self.budget {
            let seed = seeds[rng.below(seeds.count)]
            let input = mutate?(seed, &rng) ?? Self.mutate(seed, &rng)
            tried += 1
            CrashCapture.current(input)
            if let tensors = try? load(input) {
                accepted += 1
                let bytes = tensors.reduce(0) { $0 + $1.count * $1.itemSize }
                if bytes > Swift.max(input.count, 64) * maxGrowth {
                    let saved = Self.saveRegression(name, input)
                    XCTFail("\(name): \(input.count) input bytes loaded as \(bytes) (input saved as \(saved))")
                }
            }
        }
        XCTAssertGreaterThan(tried, 100, name)
        print("fuzz \(name): \(tried) inputs, \(accepted) accepted")
        return (tried, accepted)
    }

    /// Writes a failing input to Fixtures/fuzz-regressions; returns its file name.
    @discardableResult
    static func saveRegression(_ name: String, _ input: [UInt8]) -> String {
        try? FileManager.default.createDirectory(at: regressions, withIntermediateDirectories: true)
        let file = "\(name)-\(String(fnv(input.map { String($0) }.joined(separator: ",")), radix: 16)).bin"
        try? Data(input).write(to: regressions.appendingPathComponent(file))
        return file
    }

    /// Mutates one member of a zip archive and re-packs it with correct CRCs and sizes.
    static func mutateZipMember(_ seed: [UInt8], _ rng: inout Rng) -> [UInt8] {
        guard var files = try? ZipArchive.members(seed, source: "fuzz", maxUncompressed: 1 << 24), !files.isEmpty else {
            return mutate(seed, &rng)
        }
        if rng.below(8) == 0 { return mutate(seed, &rng) }  // sometimes the container itself
        let k = rng.below(files.count)
        files[k].data = mutate(files[k].data, &rng)
        return ZipArchive.write(files.map { ($0.name, $0.data) })
    }

    func testLoadersSurviveMutatedInputs() throws {
        let st = SafeTensors.serialize(
            [
                "a": Tensor.arange(0, 6, dtype: .float32).reshape([2, 3]), "b": Tensor([1, 2], dtype: .int64),
                "c": Tensor([true, false]),
            ], metadata: ["k": "v"])
        _ = fuzz("safetensors", seeds: [st]) { Array(try SafeTensors.deserialize($0, source: "fuzz").tensors.values) }

        let npy = [
            try NPY.serialize(Tensor.randn([3, 4])), try NPY.serialize(Tensor([1, 2, 3], dtype: .int16)),
            try NPY.serialize(Tensor.randn([2, 2], dtype: .float64).t()),
        ]
        _ = fuzz("npy", seeds: npy) { [try NPY.deserialize($0, source: "fuzz")] }

        let npz = try NPZ.serialize(["x": Tensor.arange(0, 40, dtype: .float32), "y": Tensor([1, 2], dtype: .int64)])
        // Deflate may legitimately expand ~1000×; the declared sizes still bound the output.
        _ = fuzz("npz", seeds: [npz], maxGrowth: 1100, mutate: Self.mutateZipMember) {
            Array(try NPZ.deserialize($0, source: "fuzz").values)
        }

        let dir = NSTemporaryDirectory() + "fuzz-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try PyTorchCheckpoint.save(
            [("w", Tensor.randn([3, 2])), ("n", Tensor([7], dtype: .int64))], to: "\(dir)/seed.pt")
        let pt = try AtomicFile.read("\(dir)/seed.pt")
        _ = fuzz("torch.save", seeds: [pt], mutate: Self.mutateZipMember) {
            Array(try Self.tensors(PyTorchCheckpoint.deserialize($0, source: "fuzz")))
        }

        var pickle = PicklerBytes()
        pickle.proto()
        pickle.op(0x7D); pickle.unicode("k"); pickle.op(0x5D); pickle.int(3); pickle.op(0x61); pickle.op(0x73);
        pickle.op(0x2E)
        _ = fuzz("pickle", seeds: [pickle.bytes]) { b in
            var vm = Unpickler(data: b, source: "fuzz", storages: [:])
            _ = try vm.run()
            return []
        }

        let idx: [UInt8] = [0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2] + (0..<12).map { UInt8($0) }
        let path = "\(dir)/fuzz.idx"
        _ = fuzz("idx", seeds: [idx]) { b in
            try Data(b).write(to: URL(fileURLWithPath: path))
            return [try IDX.load(path)]
        }
    }

    /// Every saved failing input still loads or throws (no crash) within the size bound.
    func testRegressionInputs() throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Self.regressions.path)) ?? []
        for f in files where f.hasSuffix(".bin") {
            let b = [UInt8](try Data(contentsOf: Self.regressions.appendingPathComponent(f)))
            let kind = f.hasPrefix("crash-") ? String(f.dropFirst(6)) : f
            var loaded: [Tensor]? = nil
            if kind.hasPrefix("safetensors") {
                loaded = try? Array(SafeTensors.deserialize(b, source: f).tensors.values)
            } else if kind.hasPrefix("npz") {
                loaded = try? Array(NPZ.deserialize(b, source: f).values)
            } else if kind.hasPrefix("npy") {
                loaded = try? [NPY.deserialize(b, source: f)]
            } else if kind.hasPrefix("torch.save") {
                loaded = try? Self.tensors(PyTorchCheckpoint.deserialize(b, source: f))
            }
            let bytes = loaded?.reduce(0) { $0 + $1.count * $1.itemSize } ?? 0
            XCTAssertLessThanOrEqual(bytes, Swift.max(b.count, 64) * (kind.hasPrefix("npz") ? 1100 : 1), f)
        }
        print("fuzz regressions: \(files.filter { $0.hasSuffix(".bin") }.count) saved inputs replayed")
    }

    static func tensors(_ v: PickleValue) -> [Tensor] {
        switch v {
        case .tensor(let t): return [t]
        case .dict(let d): return d.items.flatMap { tensors($0.1) }
        case .list(let l): return l.items.flatMap(tensors)
        case .tuple(let t): return t.flatMap(tensors)
        default: return []
        }
    }
}

/// Saves the input being parsed when the process dies of a trap or a memory fault: a signal
/// handler writes it (async-signal-safe `open`/`write`) to the regression path, then re-raises.
enum CrashCapture {
    nonisolated(unsafe) static var buffer: UnsafeMutablePointer<UInt8>? = nil
    nonisolated(unsafe) static var length = 0
    nonisolated(unsafe) static var capacity = 0
    nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>? = nil

    static func install(path p: String) {
        try? FileManager.default.createDirectory(at: FuzzTests.regressions, withIntermediateDirectories: true)
        free(path)
        path = strdup(p)
        for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            signal(sig) { s in
                if let path = CrashCapture.path, let buffer = CrashCapture.buffer {
                    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                    if fd >= 0 { _ = write(fd, buffer, CrashCapture.length); close(fd) }
                }
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }

    /// Records the input about to be parsed.
    static func current(_ input: [UInt8]) {
        if input.count > capacity || buffer == nil {
            buffer?.deallocate()
            capacity = Swift.max(input.count, 2 * capacity, 64)
            buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        }
        input.withUnsafeBufferPointer { if let b = $0.baseAddress { buffer!.update(from: b, count: input.count) } }
        length = input.count
    }

    static func clear() {
        for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] { signal(sig, SIG_DFL) }
        length = 0
    }
}
