import Foundation
import XCTest
@testable import Torch
import TorchBase
@testable import TorchIO
@testable import TorchData

/// A bounded-time mutation fuzzer for every loader: valid files with random bit flips, byte
/// overwrites with boundary values, truncations, duplicated and deleted chunks. Each input must
/// either load or throw; a crash or hang fails the run, and what loads may not be far larger than
/// the input (no allocation driven by an unchecked size field).
final class FuzzTests: XCTestCase {
    /// Seconds per loader (SWIFTTORCH_FUZZ_SECONDS overrides; CI uses the default).
    static let budget: Double = ProcessInfo.processInfo.environment["SWIFTTORCH_FUZZ_SECONDS"].flatMap(Double.init) ?? 1.5

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
    func fuzz(_ name: String, seeds: [[UInt8]], maxGrowth: Int = 1, _ load: ([UInt8]) throws -> [Tensor]) -> (Int, Int) {
        var rng = Rng(state: 0xC0FFEE ^ UInt64(name.hashValue & 0xFFFF))
        let start = Date()
        var tried = 0, accepted = 0
        while Date().timeIntervalSince(start) < Self.budget {
            let input = Self.mutate(seeds[rng.below(seeds.count)], &rng)
            tried += 1
            if let tensors = try? load(input) {
                accepted += 1
                let bytes = tensors.reduce(0) { $0 + $1.count * $1.itemSize }
                XCTAssertLessThanOrEqual(bytes, Swift.max(input.count, 64) * maxGrowth, "\(name): \(input.count) input bytes loaded as \(bytes)")
            }
        }
        XCTAssertGreaterThan(tried, 100, name)
        print("fuzz \(name): \(tried) inputs, \(accepted) accepted")
        return (tried, accepted)
    }

    func testLoadersSurviveMutatedInputs() throws {
        let st = SafeTensors.serialize(["a": Tensor.arange(0, 6, dtype: .float32).reshape([2, 3]), "b": Tensor([1, 2], dtype: .int64),
                                        "c": Tensor([true, false])], metadata: ["k": "v"])
        _ = fuzz("safetensors", seeds: [st]) { Array(try SafeTensors.deserialize($0, source: "fuzz").tensors.values) }

        let npy = [try NPY.serialize(Tensor.randn([3, 4])), try NPY.serialize(Tensor([1, 2, 3], dtype: .int16)),
                   try NPY.serialize(Tensor.randn([2, 2], dtype: .float64).t())]
        _ = fuzz("npy", seeds: npy) { [try NPY.deserialize($0, source: "fuzz")] }

        let npz = try NPZ.serialize(["x": Tensor.arange(0, 40, dtype: .float32), "y": Tensor([1, 2], dtype: .int64)])
        // Deflate may legitimately expand ~1000×; the declared sizes still bound the output.
        _ = fuzz("npz", seeds: [npz], maxGrowth: 1100) { Array(try NPZ.deserialize($0, source: "fuzz").values) }

        let dir = NSTemporaryDirectory() + "fuzz-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try PyTorchCheckpoint.save([("w", Tensor.randn([3, 2])), ("n", Tensor([7], dtype: .int64))], to: "\(dir)/seed.pt")
        let pt = try AtomicFile.read("\(dir)/seed.pt")
        _ = fuzz("torch.save", seeds: [pt]) { Array(try Self.tensors(PyTorchCheckpoint.deserialize($0, source: "fuzz"))) }

        var pickle = PicklerBytes()
        pickle.proto()
        pickle.op(0x7D); pickle.unicode("k"); pickle.op(0x5D); pickle.int(3); pickle.op(0x61); pickle.op(0x73); pickle.op(0x2E)
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
