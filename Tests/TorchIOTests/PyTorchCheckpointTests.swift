import XCTest
import Foundation
@testable import Torch
import TorchBase
@testable import TorchIO
import TorchTestSupport

/// torch.save-format checkpoints, generated and checked by scripts/torch_checkpoint_check.py
/// (which mimics torch.save's layout and torch.load(weights_only=True)'s rules without PyTorch).
final class PyTorchCheckpointTests: TemporaryDirectoryTestCase {

    func script(_ args: [String]) throws -> String {
        let r = try runProgram(
            "/usr/bin/env",
            ["python3", repositoryRoot.appendingPathComponent("scripts/torch_checkpoint_check.py").path] + args)
        XCTAssertEqual(r.status, 0)
        return r.output
    }

    func testReadsStateDictsAndRefusesEverythingElse() throws {
        _ = try script(["write", dir])
        let state = try PyTorchCheckpoint.loadStateDict("\(dir)/model.pt")
        XCTAssertEqual(state["fc.weight"]!.shape, [3, 4]);
        XCTAssertEqual(state["fc.weight"]!.scalars, (0..<12).map(Double.init))
        XCTAssertEqual(state["fc.bias"]!.scalars, [1.5, -2.0]); XCTAssertEqual(state["steps"]!.toArray(Int.self), [7])
        XCTAssertEqual(state["fc.weight_t"]!.shape, [2, 3])  // offset 1, strides (1, 4): a strided view of the storage
        XCTAssertEqual(state["fc.weight_t"]!.scalars, [1, 5, 9, 2, 6, 10])
        func err(_ f: String) -> String {
            do { _ = try PyTorchCheckpoint.load("\(dir)/\(f)"); return "none" } catch { return "\(error)" }
        }
        XCTAssertTrue(
            err("os_system.pt").contains("global 'posix.system' is not allowed")
                || err("os_system.pt").contains("global 'os.system' is not allowed"), err("os_system.pt"))
        XCTAssertTrue(
            err("eval.pt").contains("global '__builtin__.eval' is not allowed")
                || err("eval.pt").contains("global 'builtins.eval' is not allowed"), err("eval.pt"))
        XCTAssertTrue(err("unknown.pt").contains("global 'zipfile.ZipInfo' is not allowed"), err("unknown.pt"))
        XCTAssertTrue(err("bad_offset.pt").contains("beyond the storage"), err("bad_offset.pt"))
        XCTAssertTrue(err("missing.pt").contains("cannot open file"))
        // Truncated archive and a bad opcode.
        let good = try AtomicFile.read("\(dir)/model.pt")
        XCTAssertThrowsError(try PyTorchCheckpoint.deserialize(Array(good.prefix(good.count / 2)), source: "t.pt"))
        var vm = Unpickler(data: [0x80, 2, 0x69], source: "x.pt", storages: [:])
        XCTAssertThrowsError(try vm.run()) { e in XCTAssertTrue("\(e)".contains("opcode 0x69 is not allowed"), "\(e)") }
    }

    func testOurFilesReadAsWeightsOnlyStateDicts() throws {
        let path = "\(dir)/ours.pt"
        try PyTorchCheckpoint.save(
            [
                ("w", Tensor.arange(0, 6, dtype: .float32).reshape([2, 3]).t()), ("n", Tensor([3, 4])),
                ("big", Tensor.zeros([300], dtype: .float64)),
            ], to: path)
        let text = try script(["read", path])
        XCTAssertEqual(text, "w float32 [3, 2] 15.0\nn int64 [2] 7.0\nbig float64 [300] 0.0\n")
        let back = try PyTorchCheckpoint.loadStateDict(path)
        XCTAssertEqual(back["w"]!.scalars, [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(back["big"]!.count, 300)
    }
}

final class SaveLoadByExtensionTests: XCTestCase {
    func testEveryFormatRoundTrips() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-io-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = ["a.weight": Tensor.arange(0, 6, dtype: .float32).reshape([2, 3]), "b": Tensor([1, 2, 3])]
        for ext in ["safetensors", "pt", "pth", "npz"] {
            let path = "\(dir)/state.\(ext)"
            try Torch.save(state, to: path)
            let back = try Torch.load(path)
            XCTAssertEqual(Set(back.keys), Set(state.keys), ext)
            for (k, v) in state {
                XCTAssertEqual(back[k]!.scalars, v.scalars, "\(ext) \(k)"); XCTAssertEqual(back[k]!.dtype, v.dtype)
            }
        }
        try Torch.save(["x": Tensor([1.5])], to: "\(dir)/x.npy")
        XCTAssertEqual(try Torch.load("\(dir)/x.npy")[""]!.scalars, [1.5])
        XCTAssertThrowsError(try Torch.save(state, to: "\(dir)/x.npy"))
        XCTAssertThrowsError(try Torch.save(state, to: "\(dir)/x.weird")) { e in
            XCTAssertTrue("\(e)".contains("unknown file extension"))
        }
    }
}
