import Foundation
import XCTest
@testable import Torch
import TorchBase
@testable import TorchIO
import TorchNN
import TorchTestSupport

/// `torch.save` files from real PyTorch (`Fixtures/torch_files`, written by
/// `scripts/torch_interop.py write-fixtures`) are read bit for bit; files SwiftTorch writes are
/// read bit for bit by `torch.load(weights_only=True)` when a torch virtualenv is present.
final class TorchInteropTests: TemporaryDirectoryTestCase {
    static let fixtures = Fixtures.directory.appendingPathComponent("torch_files")

    /// The row-major bytes of a tensor as lowercase hex.
    static func hex(_ t: Tensor) -> String {
        let c = t.contiguous()
        let p = (c.storage.data + c.storageOffset * c.itemSize).assumingMemoryBound(to: UInt8.self)
        let digits = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(c.count * c.itemSize * 2)
        for i in 0..<(c.count * c.itemSize) {
            s.append(digits[Int(p[i] >> 4)])
            s.append(digits[Int(p[i] & 15)])
        }
        return s
    }

    /// Flattens a loaded pickle into the script's dotted entries.
    static func describe(_ v: PickleValue, _ prefix: String, _ out: inout [String: [String: Any]]) {
        func key(_ k: String) -> String { prefix.isEmpty ? k : prefix + "." + k }
        switch v {
        case .tensor(let t): out[prefix] = ["dtype": "\(t.dtype)", "shape": t.shape, "hex": hex(t)]
        case .dict(let d):
            for (k, x) in d.items {
                switch k {
                case .string(let s): describe(x, key(s), &out)
                case .int(let i): describe(x, key(String(i)), &out)
                default: out[key("?")] = ["value": "unsupported key"]
                }
            }
        case .list(let l): for (i, x) in l.items.enumerated() { describe(x, key(String(i)), &out) }
        case .tuple(let items): for (i, x) in items.enumerated() { describe(x, key(String(i)), &out) }
        case .int(let i): out[prefix] = ["value": i]
        case .float(let f): out[prefix] = ["value": f]
        case .string(let s): out[prefix] = ["value": s]
        case .bool(let b): out[prefix] = ["value": b ? 1 : 0]  // JSON booleans read back as 1 and 0
        case .none: out[prefix] = ["value": NSNull()]
        default: out[prefix] = ["value": "unsupported \(v)"]
        }
    }

    func testReadsFilesWrittenByPyTorch() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let files = root["files"] as! [String: [String: [String: Any]]]
        XCTAssertEqual(files.keys.filter { $0.hasSuffix(".pt") }.count, 2)
        var tensors = 0
        for (name, expected) in files where name.hasSuffix(".pt") && name != "trained_convnet.pt" {
            let loaded = try PyTorchCheckpoint.load(Self.fixtures.appendingPathComponent(name).path)
            var got: [String: [String: Any]] = [:]
            Self.describe(loaded, "", &got)
            XCTAssertEqual(Set(got.keys), Set(expected.keys), name)
            for (k, e) in expected {
                guard let g = got[k] else { continue }
                if let hex = e["hex"] as? String {
                    tensors += 1
                    XCTAssertEqual(g["dtype"] as? String, e["dtype"] as? String, "\(name) \(k) dtype")
                    XCTAssertEqual(g["shape"] as? [Int], e["shape"] as? [Int], "\(name) \(k) shape")
                    XCTAssertEqual(g["hex"] as? String, hex, "\(name) \(k) bytes")
                } else {
                    XCTAssertEqual("\(g["value"]!)", "\(e["value"]!)", "\(name) \(k) value")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(tensors, 21)
        // The strided views share one storage with their base, as in PyTorch.
        let state = try PyTorchCheckpoint.loadStateDict(Self.fixtures.appendingPathComponent("state_dict.pt").path)
        XCTAssertTrue(state["transposed"]!.sharesStorage(with: state["base"]!))
        XCTAssertEqual(state["sliced"]!.storageOffset, 8)
    }

    /// A float32 tensor from the script's hex bytes.
    static func tensor(hex: String, shape: [Int]) -> Tensor {
        var bytes: [UInt8] = []
        var it = hex.makeIterator()
        while let h = it.next(), let l = it.next() { bytes.append(UInt8(String([h, l]), radix: 16)!) }
        let floats = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return Tensor(shape: shape, scalars: floats)
    }

    /// Weights trained in PyTorch load by name into the same SwiftTorch model, which then gives
    /// PyTorch's outputs.
    func testPyTorchTrainedWeightsLoadIntoTheSameModel() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json"))
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let io = (root["files"] as! [String: [String: [String: Any]]])["trained_convnet_io"]!
        let probe = Self.tensor(hex: io["probe"]!["hex"] as! String, shape: io["probe"]!["shape"] as! [Int])
        let expected = Self.tensor(hex: io["output"]!["hex"] as! String, shape: io["output"]!["shape"] as! [Int])
        let model = Sequential(
            Conv2d(1, 4, kernelSize: 3, padding: 1), BatchNorm2d(4), ReLU(), MaxPool2d(2), Flatten(), Linear(64, 3))
        let state = try PyTorchCheckpoint.loadStateDict(Self.fixtures.appendingPathComponent("trained_convnet.pt").path)
        XCTAssertEqual(state.count, 9)
        _ = try model.loadStateDict(state, strict: true)
        model.eval()
        let out = Torch.noGrad { model(probe) }
        assertMatches(out.contiguous(), expected, "trained convnet output", rtol: 1e-5, atol: 1e-6)
    }

    /// Runs where `import torch` works in SWIFTTORCH_TORCH_PYTHON or .venv-torch (`.ci/run`
    /// installs it); elsewhere it is skipped with the reason.
    func testPyTorchReadsOurFilesBitForBit() throws {
        let python =
            ProcessInfo.processInfo.environment["SWIFTTORCH_TORCH_PYTHON"]
            ?? repositoryRoot.appendingPathComponent(".venv-torch/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python), pythonCanImport(python, "torch") else {
            throw XCTSkip(
                "no Python with a working `import torch` at \(python) (scripts/setup-torch.sh); files written by "
                    + "PyTorch are still checked above"
            )
        }
        let base = Tensor.arange(0, 24, dtype: .float32).reshape([4, 6])
        let state: [(String, Tensor)] = [
            ("float32", Tensor.randn([3, 4], generator: Generator(seed: 3))),
            ("float64", Tensor([1.5, -2.25, 1e300], dtype: .float64)),
            ("float16", Tensor([0.5, -1, 65504], dtype: .float16)),
            ("bfloat16", Tensor([1, -3.5, 1e30], dtype: .bfloat16)),
            ("int64", Tensor.arange(-3, 5, dtype: .int64)),
            ("int32", Tensor([1, -2, 2_147_483_647], dtype: .int32)),
            ("int8", Tensor([-128, 127], dtype: .int8)),
            ("uint8", Tensor([0, 255], dtype: .uint8)),
            ("bool", Tensor([true, false, true])),
            ("scalar", Tensor(3.5)),
            ("empty", Tensor.zeros([0, 3])),
            ("transposed", base.t()),
            ("sliced", base[1..<3, 2..<5]),
            ("complex64", Tensor([Complex(Float(1.5), -2), Complex(0, 3)])),
            ("complex128", Tensor([[Complex(1.0, 2.0), Complex(-0.5, 1e300)]]).t()),
        ]
        let path = "\(dir)/ours.pt"
        try PyTorchCheckpoint.save(state, to: path)
        var expected: [String: [String: Any]] = [:]
        for (k, t) in state { expected[k] = ["dtype": "\(t.dtype)", "shape": t.shape, "hex": Self.hex(t)] }
        let json = try JSONSerialization.data(withJSONObject: expected)
        try json.write(to: URL(fileURLWithPath: "\(dir)/expected.json"))
        let r = try runProgram(
            python,
            [
                repositoryRoot.appendingPathComponent("scripts/torch_interop.py").path, "check", path,
                "\(dir)/expected.json",
            ])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.output.trimmingCharacters(in: .whitespacesAndNewlines), "ok \(state.count)")
    }
}
