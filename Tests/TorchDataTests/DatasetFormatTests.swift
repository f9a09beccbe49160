import XCTest
import Foundation
@testable import Torch
import TorchBase
import TorchNN
import TorchOptim
import TorchData
import TorchTestSupport

final class IDXTests: XCTestCase {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-idx-\(getpid())")

    override func setUp() { try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let url = dir.appendingPathComponent(name)
        FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        return url.path
    }

    func idx(_ shape: [Int], _ data: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0, 0, 8, UInt8(shape.count)]
        for d in shape { b += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return b + data
    }

    func testReadsPlainAndGzipped() throws {
        let path = write("a-idx3-ubyte", idx([2, 2, 3], Array(0..<12)))
        let t = try IDX.load(path)
        XCTAssertEqual(t.shape, [2, 2, 3]); XCTAssertEqual(t.dtype, .uint8)
        XCTAssertEqual(t.toArray(Int.self), Array(0..<12))
        XCTAssertEqual(try runProgram("/bin/gzip", ["-k", "-f", path]).status, 0)
        XCTAssertEqual(try IDX.load(path + ".gz").toArray(Int.self), Array(0..<12))
    }

    /// A header that claims more data than the file can hold is refused before anything is
    /// allocated: plain files hold their size, gzip at most 1032 times theirs.
    func testAHeaderClaimingTooMuchIsRefusedBeforeAllocating() throws {
        let path = write("huge-idx1-ubyte", idx([1 << 30, 64], [1, 2, 3]))  // claims 64 GiB
        XCTAssertThrowsError(try IDX.load(path)) { e in
            XCTAssertTrue(
                "\(e)".contains("expected 68719476736 data bytes for shape [1073741824, 64], found 3"), "\(e)")
        }
        XCTAssertEqual(try runProgram("/bin/gzip", ["-k", "-f", path]).status, 0)
        XCTAssertThrowsError(try IDX.load(path + ".gz")) { e in
            XCTAssertTrue("\(e)".contains("found at most"), "\(e)")
        }
        // FashionMNIST keeps the pixels as uint8 and converts on demand.
        let pixels = Tensor(shape: [2, 28, 28], scalars: [UInt8](repeating: 255, count: 1568), dtype: .uint8)
        let f = FashionMNIST.toFloat(pixels)
        XCTAssertEqual(f.shape, [2, 1, 28, 28]); XCTAssertEqual(f.dtype, .float32)
        XCTAssertEqual(f.amin().item(), 1)
        XCTAssertEqual(pixels.dtype, .uint8)
    }

    func testFashionMNISTLayoutFromAnyRoot() throws {
        _ = write("train-images-idx3-ubyte", idx([3, 28, 28], [UInt8](repeating: 255, count: 3 * 784)))
        _ = write("train-labels-idx1-ubyte", idx([3], [1, 2, 9]))
        let ds = try FashionMNIST(root: dir.path, train: true)
        XCTAssertEqual(ds.images.shape, [3, 1, 28, 28]); XCTAssertEqual(ds.images.amax().item(), 1)
        XCTAssertEqual(ds.data.shape, [3, 28, 28]); XCTAssertEqual(ds.data.dtype, .uint8)
        XCTAssertEqual(ds.labels.toArray(Int.self), [1, 2, 9])
        _ = write("t10k-images-idx3-ubyte", idx([3, 28, 28], [UInt8](repeating: 0, count: 3 * 784)))
        _ = write("t10k-labels-idx1-ubyte", idx([2], [1, 2]))
        XCTAssertThrowsError(try FashionMNIST(root: dir.path, train: false)) { e in
            XCTAssertTrue("\(e)".contains("t10k-labels-idx1-ubyte: expected 3 labels"), "\(e)")
        }
    }

    func testBadFilesGiveClearErrors() {
        func error(_ bytes: [UInt8]) -> String {
            let path = write("bad", bytes)
            do { _ = try IDX.load(path); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(error([0, 0]).contains("file too short"))
        XCTAssertTrue(error([1, 0, 8, 1, 0, 0, 0, 1, 5]).contains("bad magic number"))
        XCTAssertTrue(error([0, 0, 0x0D, 1, 0, 0, 0, 1, 5]).contains("unsupported IDX element type"))
        XCTAssertTrue(error([0, 0, 8, 2, 0, 0, 0, 1]).contains("truncated header"))
        XCTAssertTrue(
            error(idx([4, 4], [1, 2, 3])).contains(
                "expected 16 data bytes for shape [4, 4], found 3 (truncated or corrupt)"))
        XCTAssertTrue(
            error([0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255]).contains("overflow"))
        XCTAssertTrue(error([]).contains("file too short for an IDX header (0 bytes)"))
        do { _ = try IDX.load(dir.appendingPathComponent("missing").path); XCTFail() } catch {
            XCTAssertTrue("\(error)".contains("cannot open file"))
        }
    }
}

final class CIFARTests: XCTestCase {
    func testReadsBinaryBatchesAndRejectsBadOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cifar-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func record(_ label: UInt8, _ fill: UInt8) -> [UInt8] { [label] + [UInt8](repeating: fill, count: 3072) }
        FileManager.default.createFile(
            atPath: dir.appendingPathComponent("test_batch.bin").path,
            contents: Data(record(3, 255) + record(9, 0)))
        let ds = try CIFAR10(root: dir.path, train: false)
        XCTAssertEqual(ds.images.shape, [2, 3, 32, 32])
        XCTAssertEqual(ds.labels.toArray(Int.self), [3, 9])
        XCTAssertEqual(ds.images[0].amin().item(), 1); XCTAssertEqual(ds.images[1].amax().item(), 0)
        FileManager.default.createFile(
            atPath: dir.appendingPathComponent("test_batch.bin").path, contents: Data(record(3, 1).dropLast(5)))
        XCTAssertThrowsError(try CIFAR10(root: dir.path, train: false)) { e in
            XCTAssertTrue(
                "\(e)".contains("test_batch.bin: size 3068 is not a whole number of 3073-byte records"), "\(e)")
        }
        FileManager.default.createFile(
            atPath: dir.appendingPathComponent("test_batch.bin").path, contents: Data(record(12, 1)))
        XCTAssertThrowsError(try CIFAR10(root: dir.path, train: false)) { e in
            XCTAssertTrue("\(e)".contains("label 12"), "\(e)")
        }
        XCTAssertThrowsError(try CIFAR10(root: dir.path, train: true)) { e in
            XCTAssertTrue("\(e)".contains("data_batch_1.bin: cannot open file"), "\(e)")
        }
    }
}
