import Foundation
import XCTest
@testable import Torch
import TorchBase
@testable import TorchIO
@testable import TorchData
import TorchTestSupport

/// Crafted bad files for every loader (safetensors, .npy, .npz, torch.save archives and their
/// pickles, IDX, CIFAR-10), each of which must be refused with the expected error, never a crash.
/// Together with the format tests' own cases there are well over 200 of them.
final class HostileFileTests: XCTestCase {
    var count = 0

    /// Asserts `body` throws an error whose text contains one of `expected`.
    func refuse(
        _ name: String, _ expected: [String], _ body: () throws -> Void, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        count += 1
        do {
            try body()
            XCTFail("\(name): accepted a bad file", file: file, line: line)
        } catch {
            let text = "\(error)"
            XCTAssertTrue(expected.contains { text.contains($0) }, "\(name): \(text)", file: file, line: line)
        }
    }

    // MARK: safetensors

    static func safetensors(_ header: String, data: Int = 0) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = []
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: UInt64(h.count) >> (8 * UInt64(i)))) }
        return out + h + [UInt8](repeating: 0, count: data)
    }

    func checkSafeTensors() {
        func load(_ b: [UInt8]) throws { _ = try SafeTensors.deserialize(b, source: "bad.safetensors") }
        let dtypes: [(String, Int)] = [
            ("F64", 8), ("F32", 4), ("F16", 2), ("BF16", 2), ("I64", 8), ("I32", 4), ("I16", 2),
            ("I8", 1), ("U8", 1), ("BOOL", 1),
        ]
        for (code, size) in dtypes {
            refuse("\(code) size mismatch", ["needs \(3 * size) bytes"]) {
                try load(
                    Self.safetensors(
                        "{\"t\":{\"dtype\":\"\(code)\",\"shape\":[3],\"data_offsets\":[0,\(3 * size - 1)]}}",
                        data: 3 * size - 1))
            }
            refuse("\(code) offsets out of bounds", ["out of bounds"]) {
                try load(
                    Self.safetensors(
                        "{\"t\":{\"dtype\":\"\(code)\",\"shape\":[2],\"data_offsets\":[0,\(2 * size)]}}", data: size))
            }
            refuse("\(code) overflowing shape", ["overflows"]) {
                try load(
                    Self.safetensors(
                        "{\"t\":{\"dtype\":\"\(code)\",\"shape\":[4611686018427387904,8],\"data_offsets\":[0,"
                            + "\(size)]}}",
                        data: size))
            }
            refuse("\(code) negative dimension", ["non-negative"]) {
                try load(
                    Self.safetensors(
                        "{\"t\":{\"dtype\":\"\(code)\",\"shape\":[-2],\"data_offsets\":[0,\(size)]}}", data: size))
            }
            refuse("\(code) reversed offsets", ["out of bounds", "data_offsets"]) {
                try load(
                    Self.safetensors(
                        "{\"t\":{\"dtype\":\"\(code)\",\"shape\":[1],\"data_offsets\":[\(size),0]}}", data: size))
            }
        }
        for n in 0..<8 { refuse("\(n)-byte file", ["file too short"]) { try load([UInt8](repeating: 1, count: n)) } }
        for n: UInt64 in [UInt64.max, 1 << 63, 1 << 40, 100_000_001] {
            var b: [UInt8] = []
            for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(i)))) }
            refuse("header length \(n)", ["exceeds the 100000000-byte limit"]) { try load(b + Array("{}".utf8)) }
        }
        for n in [3, 100, 5000, 99_999_999] {
            var b: [UInt8] = []
            for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: UInt64(n) >> (8 * UInt64(i)))) }
            refuse("header of \(n) bytes in a short file", ["exceeds the file size"]) { try load(b + Array("{}".utf8)) }
        }
        let badJSON = [
            "{", "{\"a\":", "{\"a\":1,}", "{'a':1}", "{\"a\":tru}", "{\"a\":\"\\u12\"}", "{\"a\":1e999999}",
            String(repeating: "{\"a\":", count: 200),
        ]
        for (i, j) in badJSON.enumerated() {
            refuse("bad JSON \(i)", ["invalid header JSON", "nested too deeply", "not an object"]) {
                try load(Self.safetensors(j))
            }
        }
        for j in ["[]", "null", "1", "\"x\"", "true"] {
            refuse("header \(j)", ["not a JSON object"]) { try load(Self.safetensors(j)) }
        }
        for j in ["{\"a\":1}", "{\"a\":[]}", "{\"a\":\"F32\"}"] {
            refuse("entry \(j)", ["is not an object"]) { try load(Self.safetensors(j)) }
        }
        let fields = [
            "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}": "unknown or missing dtype",
            "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}": "missing shape",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}": "data_offsets must be",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[0,4]}}": "non-negative integers",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}": "shape",
            "{\"a\":{\"dtype\":\"C128\",\"shape\":[1],\"data_offsets\":[0,16]}}": "unknown or missing dtype",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}": "data_offsets must be",
            "{\"__metadata__\":[1]}": "__metadata__",
            "{\"__metadata__\":{\"k\":{\"x\":1}}}": "__metadata__",
        ]
        for (h, e) in fields { refuse("fields \(h)", [e]) { try load(Self.safetensors(h, data: 8)) } }
        refuse("overlap", ["overlaps"]) {
            try load(
                Self.safetensors(
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\","
                        + "\"shape\":[1],\"data_offsets\":[4,8]}}",
                    data: 8))
        }
        refuse("hole", ["hole in the data"]) {
            try load(
                Self.safetensors(
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\","
                        + "\"shape\":[1],\"data_offsets\":[8,12]}}",
                    data: 12))
        }
        refuse("trailing", ["trailing bytes"]) { try load(Self.safetensors("{}", data: 5)) }
        refuse("duplicate", ["duplicate key"]) {
            try load(
                Self.safetensors(
                    "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\","
                        + "\"shape\":[1],\"data_offsets\":[0,1]}}",
                    data: 1))
        }
        refuse("missing file", ["cannot open file"]) { _ = try SafeTensors.load("/nonexistent/x.safetensors") }
    }

    // MARK: .npy

    static func npy(_ header: String, data: Int, version: UInt8 = 1) -> [UInt8] {
        var h = Array(header.utf8)
        let lenBytes = version == 1 ? 2 : 4
        while (10 + (lenBytes - 2) + h.count + 1) % 64 != 0 { h.append(32) }
        h.append(10)
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        for i in 0..<lenBytes { out.append(UInt8(truncatingIfNeeded: h.count >> (8 * i))) }
        return out + h + [UInt8](repeating: 0, count: data)
    }

    func checkNPY() {
        func load(_ b: [UInt8]) throws { _ = try NPY.deserialize(b, source: "bad.npy") }
        for magic in [
            [UInt8](), Array("NUMPY".utf8), [0x93] + Array("NUMPX".utf8) + [1, 0, 0, 0],
            Array("PK\u{3}\u{4}xxxxxx".utf8), [0x93, 0x4E],
        ] {
            refuse("npy magic \(magic.prefix(6))", ["bad magic", "truncated header"]) { try load(magic) }
        }
        for v: UInt8 in [0, 4, 9, 255] {
            refuse("npy version \(v)", ["unsupported .npy format version"]) {
                try load([0x93] + Array("NUMPY".utf8) + [v, 0, 10, 0] + Array("{}        \n".utf8))
            }
        }
        refuse("npy header beyond file", ["exceeds the file"]) {
            try load([0x93] + Array("NUMPY".utf8) + [1, 0, 255, 255] + [32, 32])
        }
        refuse("npy header not text", ["header is not text", "bad 'descr'", "header lacks"]) {
            try load([0x93] + Array("NUMPY".utf8) + [1, 0, 4, 0] + [0xFF, 0xFE, 0xFD, 0x0A])
        }
        for d in ["|O", "<O8"] {
            refuse("npy object dtype \(d)", ["object arrays are refused"]) {
                try load(Self.npy("{'descr': '\(d)', 'fortran_order': False, 'shape': (1,), }", data: 8))
            }
        }
        for d in ["<c32", "<U5", "|V4", "<M8[s]", "<m8", "S3", "<f3", "<i3", "xyz", "<f16"] {
            refuse("npy dtype \(d)", ["unsupported dtype"]) {
                try load(Self.npy("{'descr': '\(d)', 'fortran_order': False, 'shape': (1,), }", data: 16))
            }
        }
        let headers: [(String, String)] = [
            ("{'fortran_order': False, 'shape': (1,), }", "header lacks 'descr'"),
            ("{'descr': '<f4', 'shape': (1,), }", "header lacks 'fortran_order'"),
            ("{'descr': '<f4', 'fortran_order': False, }", "header lacks 'shape'"),
            ("{'descr': '<f4', 'fortran_order': 'yes', 'shape': (1,), }", "bad 'fortran_order'"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': 7, }", "bad 'shape'"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "bad shape entry"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,), }", "bad shape entry"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 8), }", "overflows"),
            ("{'descr': 7, 'fortran_order': False, 'shape': (1,), }", "bad 'descr'"),
        ]
        for (h, e) in headers { refuse("npy header \(h)", [e]) { try load(Self.npy(h, data: 4)) } }
        for (d, size) in [
            ("<f8", 8), ("<f4", 4), ("<f2", 2), ("<i8", 8), ("<i4", 4), ("<i2", 2), ("|i1", 1), ("|u1", 1), ("|b1", 1),
            (">f8", 8),
        ] {
            refuse("npy truncated \(d)", ["expected \(5 * size) data bytes"]) {
                try load(Self.npy("{'descr': '\(d)', 'fortran_order': False, 'shape': (5,), }", data: 5 * size - 1))
            }
        }
    }

    // MARK: .npz and zip archives

    func checkNPZ() throws {
        func load(_ b: [UInt8]) throws { _ = try NPZ.deserialize(b, source: "bad.npz") }
        let good = try NPZ.serialize(["a": Tensor.arange(0, 50, dtype: .float32), "b": Tensor([1, 2, 3])])
        XCTAssertNoThrow(try load(good))
        // Truncated at 25 points spread over the archive.
        for i in 1...25 {
            let cut = good.count * i / 26
            refuse(
                "npz truncated at \(cut)",
                ["central directory", "truncated", "beyond", "corrupt", "bad magic", "expected", "exceeds"]
            ) {
                try load(Array(good.prefix(cut)))
            }
        }
        refuse("npz not a zip", ["central directory"]) { try load(Array("not a zip archive at all".utf8)) }
        // A member that is not an array.
        let member = ZipArchive.write([("x.npy", Array("hello".utf8))])
        refuse("npz member not npy", ["bad magic", "truncated"]) { try load(member) }
    }

    // MARK: torch.save pickles

    func checkPickles() {
        func run(_ bytes: [UInt8]) throws {
            var vm = Unpickler(data: bytes, source: "bad.pt", storages: [:]); _ = try vm.run()
        }
        let globals = [
            ("os", "system"), ("posix", "system"), ("nt", "system"), ("subprocess", "Popen"), ("subprocess", "call"),
            ("subprocess", "check_output"), ("builtins", "eval"), ("builtins", "exec"), ("builtins", "open"),
            ("builtins", "getattr"), ("builtins", "__import__"), ("builtins", "compile"), ("__builtin__", "eval"),
            ("shutil", "rmtree"), ("socket", "socket"), ("pickle", "loads"), ("importlib", "import_module"),
            ("sys", "exit"), ("types", "FunctionType"), ("torch", "load"), ("numpy", "load"), ("functools", "partial"),
            ("operator", "attrgetter"), ("codecs", "encode"), ("webbrowser", "open"), ("torch.jit", "load"),
            ("collections", "defaultdict"), ("torch._utils", "_rebuild_device_tensor_from_numpy"), ("os", "remove"),
            ("runpy", "run_path"),
        ]
        for (m, n) in globals {
            var p = PicklerBytes()
            p.proto()
            p.global(m, n)
            p.op(0x28); p.unicode("rm -rf /"); p.op(0x74)
            p.op(0x52)
            p.op(0x2E)
            refuse("global \(m).\(n)", ["global '\(m).\(n)' is not allowed"]) { try run(p.bytes) }
        }
        // Real pickle opcodes outside the weights-only subset.
        let opcodes: [UInt8] = [
            0x69, 0x6F, 0x81, 0x92, 0x50, 0x82, 0x83, 0x84, 0x46, 0x49, 0x4C, 0x53, 0x56, 0x8B, 0x64, 0x6C,
            0x67, 0x70, 0x96, 0x97, 0x98, 0x8F, 0x90, 0x91, 0x8E, 0x30, 0x31, 0x32,
        ]
        for op in opcodes {
            refuse(
                "opcode \(op)",
                [
                    "opcode 0x\(String(op, radix: 16, uppercase: true)) is not allowed",
                    "opcode 0x\(String(op, radix: 16)) is not allowed",
                ]
            ) {
                try run([0x80, 2, op, 0x2E])
            }
        }
        refuse("empty pickle", ["truncated", "end of data", "empty", "stack"]) { try run([]) }
        refuse("stop on empty stack", ["stack"]) { try run([0x80, 2, 0x2E]) }
        refuse("unbalanced mark", ["MARK missing"]) { try run([0x80, 2, 0x74, 0x2E]) }
        refuse("memo miss", ["memo"]) { try run([0x80, 2, 0x68, 7, 0x2E]) }
        refuse("truncated string", ["truncated", "end of data"]) { try run([0x80, 2, 0x8C, 200, 0x61]) }
        refuse("BUILD setting attributes on a non-dict", ["only allowed on a dict"]) {
            try run([0x80, 2, 0x4E, 0x7D, 0x8C, 1, 0x61, 0x4B, 1, 0x73, 0x62, 0x2E])
        }
        refuse("BUILD with a list state", ["BUILD with a non-empty state is not allowed"]) {
            try run([0x80, 2, 0x7D, 0x5D, 0x4B, 1, 0x61, 0x62, 0x2E])
        }
    }

    /// Archives whose tensors do not fit their storages.
    func checkArchives() throws {
        func archive(offset: Int, size: [Int], stride: [Int], numel: Int, bytes: Int, dtype: String = "FloatStorage")
            -> [UInt8]
        {
            var p = PicklerBytes()
            p.proto()
            p.op(0x7D)
            p.unicode("w")
            p.global("torch._utils", "_rebuild_tensor_v2")
            p.op(0x28)
            p.op(0x28); p.unicode("storage"); p.global("torch", dtype); p.unicode("0"); p.unicode("cpu"); p.int(numel);
            p.op(0x74)
            p.op(0x51)
            p.int(offset)
            p.op(0x28); for s in size { p.int(s) }; p.op(0x74)
            p.op(0x28); for s in stride { p.int(s) }; p.op(0x74)
            p.op(0x89)
            p.global("collections", "OrderedDict"); p.op(0x29); p.op(0x52)
            p.op(0x74)
            p.op(0x52)
            p.op(0x73)
            p.op(0x2E)
            return ZipArchive.write([
                ("archive/data.pkl", p.bytes), ("archive/data/0", [UInt8](repeating: 0, count: bytes)),
                ("archive/version", Array("3\n".utf8)),
            ])
        }
        func load(_ b: [UInt8]) throws { _ = try PyTorchCheckpoint.deserialize(b, source: "bad.pt") }
        XCTAssertNoThrow(try load(archive(offset: 0, size: [2, 2], stride: [2, 1], numel: 4, bytes: 16)))
        let cases: [(String, [UInt8], String)] = [
            (
                "offset past the end", archive(offset: 3, size: [2, 2], stride: [2, 1], numel: 4, bytes: 16),
                "beyond the storage"
            ),
            (
                "stride past the end", archive(offset: 0, size: [2, 2], stride: [3, 1], numel: 4, bytes: 16),
                "beyond the storage"
            ),
            ("negative offset", archive(offset: -1, size: [2], stride: [1], numel: 4, bytes: 16), "bad size"),
            ("negative size", archive(offset: 0, size: [-2], stride: [1], numel: 4, bytes: 16), "bad size"),
            ("negative stride", archive(offset: 0, size: [2], stride: [-1], numel: 4, bytes: 16), "bad size"),
            ("rank mismatch", archive(offset: 0, size: [2, 2], stride: [1], numel: 4, bytes: 16), "bad size"),
            (
                "overflowing size",
                archive(offset: 0, size: [Int(Int32.max), Int(Int32.max), 8], stride: [1, 1, 1], numel: 4, bytes: 16),
                "overflow"
            ),
            ("storage bytes short", archive(offset: 0, size: [4], stride: [1], numel: 4, bytes: 15), "holds 15 bytes"),
            ("storage bytes long", archive(offset: 0, size: [4], stride: [1], numel: 4, bytes: 17), "holds 17 bytes"),
            (
                "unknown storage type",
                archive(offset: 0, size: [1], stride: [1], numel: 1, bytes: 4, dtype: "ComplexHalfStorage"),
                "not allowed"
            ),
        ]
        for (name, bytes, e) in cases { refuse(name, [e, "beyond", "overflow"]) { try load(bytes) } }
        refuse("missing data.pkl", ["data.pkl"]) {
            try load(ZipArchive.write([("archive/version", Array("3\n".utf8))]))
        }
        var p = PicklerBytes()
        p.proto()
        p.op(0x28); p.unicode("storage"); p.global("torch", "FloatStorage"); p.unicode("9"); p.unicode("cpu"); p.int(1);
        p.op(0x74)
        p.op(0x51); p.op(0x2E)
        refuse("missing storage", ["missing from the archive"]) {
            try load(ZipArchive.write([("archive/data.pkl", p.bytes), ("archive/version", Array("3\n".utf8))]))
        }
    }

    // MARK: IDX and CIFAR-10

    func checkDatasets() throws {
        let dir = NSTemporaryDirectory() + "hostile-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func idx(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = "\(dir)/\(name)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        let header: [UInt8] = [0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]
        let idxCases: [(String, [UInt8], [String])] = [
            ("empty", [], ["too short", "truncated", "header"]),
            ("bad magic", [1, 2, 0x08, 1, 0, 0, 0, 1, 0], ["magic"]),
            ("bad type", [0, 0, 0x07, 1, 0, 0, 0, 1, 0], ["type", "dtype"]),
            ("zero dims", [0, 0, 0x08, 0], ["dimension", "rank", "dims"]),
            ("truncated header", Array(header.prefix(10)), ["too short", "truncated", "header"]),
            ("truncated data", header + [1, 2, 3], ["expected", "truncated", "bytes"]),
            ("trailing data", header + [UInt8](repeating: 0, count: 9), ["expected", "trailing", "bytes"]),
            (
                "huge dims", [0, 0, 0x08, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF],
                ["expected", "overflow", "bytes", "too large"]
            ),
            ("bad gzip", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3], ["corrupt or truncated compressed data"]),
        ]
        for (name, bytes, e) in idxCases {
            let path = try idx("case-\(count).idx" + (bytes.first == 0x1F ? ".gz" : ""), bytes)
            refuse("idx \(name)", e) { _ = try IDX.load(path) }
        }
        func cifar(_ bytes: [UInt8]) throws -> String {
            let root = "\(dir)/cifar-\(count)"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/test_batch.bin"))
            return root
        }
        for (name, n) in [("cifar short record", 3072), ("cifar partial", 3073 * 2 + 10), ("cifar empty", 0)] {
            let root = try cifar([UInt8](repeating: 1, count: n))
            refuse(name, ["3073-byte records"]) { _ = try CIFAR10(root: root, train: false) }
        }
        let root = try cifar([11] + [UInt8](repeating: 0, count: 3072))
        refuse("cifar label 11", ["has label 11"]) { _ = try CIFAR10(root: root, train: false) }
        refuse("cifar missing", ["cannot open", "No such file", "missing"]) {
            _ = try CIFAR10(root: "\(dir)/none", train: true)
        }
    }

    func testEveryCraftedBadFileIsRefused() throws {
        checkSafeTensors()
        checkNPY()
        try checkNPZ()
        checkPickles()
        try checkArchives()
        try checkDatasets()
        XCTAssertGreaterThanOrEqual(count, 200, "crafted bad files")
        print("hostile files refused: \(count)")
    }
}
