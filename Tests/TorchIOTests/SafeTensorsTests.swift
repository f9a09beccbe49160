import XCTest
import Foundation
@testable import Torch
import TorchBase
@testable import TorchIO
import TorchTestSupport

final class SafeTensorsTests: TemporaryDirectoryTestCase {

    func testRoundTripEveryDTypeAndShape() throws {
        var tensors: [String: Tensor] = [:]
        // complex128 has no safetensors dtype (C64 is its only complex one).
        for dt in DType.allCases where dt != .complex128 {
            tensors["m_\(dt)"] = Tensor.arange(0, 24, dtype: .float64).reshape([2, 3, 4]).to(dt)
        }
        tensors["complex"] = Tensor.complex(Tensor([1.5, -2.0]), Tensor([0.25, 3.0]))
        tensors["scalar"] = Tensor(3.5, dtype: .float64)
        tensors["empty"] = Tensor.zeros([0, 3])
        tensors["rank6"] = Tensor.rand([1, 2, 1, 3, 1, 2])
        tensors["noncontiguous"] = Tensor.arange(0, 12, dtype: .float32).reshape([3, 4]).t()
        let path = dir + "/all.safetensors"
        try SafeTensors.save(tensors, metadata: ["epoch": "3"], to: path)
        let (back, meta) = try SafeTensors.load(path)
        XCTAssertEqual(meta, ["epoch": "3"])
        XCTAssertEqual(Set(back.keys), Set(tensors.keys))
        for (k, t) in tensors {
            XCTAssertEqual(back[k]!.shape, t.shape, k); XCTAssertEqual(back[k]!.dtype, t.dtype, k)
            XCTAssertEqual(back[k]!.to(.float64).scalars, t.to(.float64).scalars, k)
            if t.isComplex { XCTAssertEqual(back[k]!.imag.scalars, t.imag.scalars, k) }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp.\(getpid())"))
    }

    func bad(_ bytes: [UInt8]) -> String {
        do { _ = try SafeTensors.deserialize(bytes, source: "bad.safetensors"); return "no error" } catch {
            return "\(error)"
        }
    }

    func file(_ header: String, data: Int = 0) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out += $0 }
        return out + h + [UInt8](repeating: 0, count: data)
    }

    func testHostileFilesGiveClearErrors() {
        XCTAssertTrue(bad([1, 2]).contains("file too short"))
        XCTAssertTrue(bad([255, 255, 255, 255, 255, 255, 255, 127]).contains("exceeds the 100000000-byte limit"))
        XCTAssertTrue(bad([100, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8)).contains("exceeds the file size"))
        XCTAssertTrue(bad(file("{\"a\":")).contains("invalid header JSON"))
        XCTAssertTrue(bad(file("[1]")).contains("not a JSON object"))
        XCTAssertTrue(
            bad(file("{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: 4)).contains(
                "unknown or missing dtype"))
        XCTAssertTrue(
            bad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", data: 4)).contains(
                "non-negative"))
        XCTAssertTrue(
            bad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}", data: 4))
                .contains("overflows"))
        XCTAssertTrue(
            bad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", data: 4)).contains(
                "needs 8 bytes, offsets give 4"))
        XCTAssertTrue(
            bad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,400]}}", data: 4)).contains(
                "out of bounds"))
        XCTAssertTrue(
            bad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", data: 8)).contains(
                "hole in the data"))
        XCTAssertTrue(
            bad(
                file(
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\","
                        + "\"shape\":[1],\"data_offsets\":[0,4]}}",
                    data: 4)
            ).contains("overlaps"))
        XCTAssertTrue(
            bad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: 12)).contains(
                "trailing bytes"))
        XCTAssertTrue(
            bad(
                file(
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\","
                        + "\"shape\":[1],\"data_offsets\":[0,4]}}",
                    data: 4)
            ).contains("duplicate key"))
        XCTAssertTrue(bad(file("{\"__metadata__\":{\"k\":1}}")).contains("__metadata__"))
        XCTAssertTrue(
            bad(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", data: 4)).contains(
                "data_offsets must be"))
        XCTAssertTrue(bad(file(String(repeating: "[", count: 40))).contains("nested too deeply"))
        XCTAssertTrue(bad(file("{} x")).contains("unexpected data"))
    }

    /// Files we write are read by the reference package, and files it writes are read by us.
    func testReferenceImplementationInterop() throws {
        let python = repositoryRoot.appendingPathComponent(".venv-tb/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python), pythonCanImport(python, "safetensors.numpy") else {
            throw XCTSkip("no .venv-tb with safetensors (scripts/setup.sh creates it)")
        }
        func run(_ args: [String]) throws -> String {
            let r = try runProgram(
                python, [repositoryRoot.appendingPathComponent("scripts/safetensors_check.py").path] + args)
            XCTAssertEqual(r.status, 0, "safetensors_check.py \(args[0]) failed")
            return r.output
        }
        let ours = dir + "/ours.safetensors"
        try SafeTensors.save(
            [
                "x": Tensor.arange(0, 6, dtype: .float32).reshape([2, 3]), "y": Tensor([1, 2, 3], dtype: .int16),
                "z": Tensor([0.5, 1.5], dtype: .float16),
            ], to: ours)  // numpy has no bfloat16
        let read = try run(["read", ours])
        XCTAssertTrue(read.contains("x float32 [2, 3] 15.0"), read)
        XCTAssertTrue(read.contains("y int16 [3] 6.0"), read)
        let theirs = dir + "/theirs.safetensors"
        _ = try run(["write", theirs])
        let (t, meta) = try SafeTensors.load(theirs)
        XCTAssertEqual(meta["source"], "numpy")
        XCTAssertEqual(t["a"]!.scalars, (0..<12).map(Double.init)); XCTAssertEqual(t["a"]!.shape, [3, 4])
        XCTAssertEqual(t["b"]!.toArray(Int.self), [1, -2, 3])
        XCTAssertEqual(t["c"]!.toArray(Bool.self), [true, false])
        XCTAssertEqual(t["h"]!.dtype, .float16); XCTAssertEqual(t["h"]!.scalars, [0.5, -1.25])
    }
}

/// A process saving checkpoints is killed with SIGKILL at random moments, 50 times: the last
/// complete checkpoint always loads and is self-consistent.
final class CrashSafetyTests: XCTestCase {
    func testKilledWhileSavingLeavesALoadableCheckpoint() throws {
        let exe = try XCTUnwrap(programBinary("torch-misuse"), "torch-misuse not built")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ckpt.safetensors").path
        var lastStep = -1
        var midWrite = 0, partial = 0
        let full = 250_000 * 4
        for round in 0..<50 {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["ckpt-loop", path]
            try p.run()
            // Let it write at least one checkpoint in the first round, then kill at a random moment.
            if round == 0 { while !FileManager.default.fileExists(atPath: path) { usleep(1000) } }
            usleep(UInt32.random(in: 2_000...40_000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            // Proof that this kill landed mid-write: the writer's temporary file is left behind (the
            // kill came after it was created and before the rename); shorter than a checkpoint when
            // the kill came during the write itself. It is removed before the next round.
            let tmp = "\(path).tmp.\(p.processIdentifier)"
            if let size = (try? FileManager.default.attributesOfItem(atPath: tmp))?[.size] as? Int {
                midWrite += 1
                if size < full { partial += 1 }
                try? FileManager.default.removeItem(atPath: tmp)
            }
            let (t, meta) = try SafeTensors.load(path)
            let step = t["step"]!.item(Int.self)
            XCTAssertEqual(meta["step"], String(step))
            XCTAssertEqual(t["w"]!.count, 250_000)
            XCTAssertEqual(t["w"]!.amin().item(), Double(step)); XCTAssertEqual(t["w"]!.amax().item(), Double(step))
            lastStep = step
        }
        XCTAssertGreaterThanOrEqual(lastStep, 0)
        // The writer spends most of its time writing, so some of the 50 kills must land mid-write.
        XCTAssertGreaterThan(midWrite, 0, "no kill interrupted a write")
        print(
            "crash safety: \(midWrite) of 50 kills landed mid-write (\(partial) in a partly written file); the "
                + "checkpoint loaded every time"
        )
    }
}

/// Memory-mapped reading: tensors alias the mapped file (no copy), pass every check, and a write
/// to one never reaches the file (private, copy-on-write mapping).
final class SafeTensorsMappedTests: TemporaryDirectoryTestCase {
    func testMappedLoadAliasesTheFileAndChecksIt() throws {
        let path = "\(dir)/m.safetensors"
        let a = Tensor.arange(0, 1000, dtype: .float32), b = Tensor.arange(0, 64, dtype: .int64)
        try SafeTensors.save(["a": a, "b": b], to: path)
        let (mapped, _) = try SafeTensors.loadMapped(path)
        XCTAssertEqual(mapped["a"]!.scalars, a.scalars)
        XCTAssertEqual(mapped["b"]!.toArray(Int64.self), b.toArray(Int64.self))
        // Both views lie in one mapping, at the distance their offsets in the file give.
        let (copied, _) = try SafeTensors.load(path)
        XCTAssertEqual(copied["a"]!.scalars, a.scalars)
        let distance = mapped["b"]!.storage.data - mapped["a"]!.storage.data
        XCTAssertTrue(distance == 1000 * 4 || distance == -64 * 8, "distance \(distance)")
        mapped["a"]![0] = Tensor(Float(-5))
        XCTAssertEqual(mapped["a"]!.scalars[0], -5)
        XCTAssertEqual(try SafeTensors.load(path).tensors["a"]!.scalars[0], 0)  // the file is untouched
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "\(dir)/bad.safetensors"))
        XCTAssertThrowsError(try SafeTensors.loadMapped("\(dir)/bad.safetensors")) { e in
            XCTAssertTrue("\(e)".contains("file too short"), "\(e)")
        }
        XCTAssertThrowsError(try SafeTensors.loadMapped("\(dir)/missing.safetensors"))
    }
}
