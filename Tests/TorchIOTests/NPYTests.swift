import XCTest
import Foundation
@testable import Torch
import TorchBase
@testable import TorchIO
import TorchTestSupport

final class NPYTests: TemporaryDirectoryTestCase {

    func testRoundTripAndNumPyReadsOurs() throws {
        var checks: [(String, String)] = []
        for dt in DType.allCases where dt != .bfloat16 {
            for (si, shape) in ([[], [0], [5], [2, 3, 4]] as [[Int]]).enumerated() {
                let t = Tensor.arange(0, shape.product, dtype: .float64).reshape(shape).to(dt)
                let path = "\(dir)/\(dt)_\(si).npy"
                try NPY.save(
                    dt == .float32 && shape.count == 3 ? t.permute([2, 1, 0]).contiguous().permute([2, 1, 0]) : t,
                    to: path)
                let back = try NPY.load(path)
                XCTAssertEqual(back.shape, t.shape); XCTAssertEqual(back.dtype, t.dtype)
                XCTAssertEqual(back.to(.float64).scalars, t.to(.float64).scalars)
                checks.append((path, "\(dt) \(shape) \(t.to(.float64).sum().item())"))
            }
        }
        // One NumPy process reads every file we wrote.
        let paths = checks.map { "'\($0.0)'" }.joined(separator: ",")
        let lines = try python(
            "import numpy as np\nfor p in [\(paths)]:\n    a = np.load(p); print(a.dtype, list(a.shape), "
                + "float(a.real.astype('f8').sum()))"
        )
        .split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, checks.count)
        for (line, (_, expected)) in zip(lines, checks) { XCTAssertEqual(line, expected) }
        XCTAssertThrowsError(try NPY.serialize(Tensor.zeros([2], dtype: .bfloat16)))
    }

    /// Complex arrays both ways, with their imaginary parts: NumPy reads ours, we read NumPy's
    /// (little- and big-endian, each part byte-swapped on its own).
    func testComplexBothWays() throws {
        let z = Tensor([[Complex(1.5, -2.0), Complex(0.25, 3.0)]], dtype: .complex64)
        try NPY.save(z, to: "\(dir)/z.npy")
        let out = try python("import numpy as np\na = np.load('\(dir)/z.npy'); print(a.dtype, a.tolist())")
        XCTAssertEqual(out.trimmingCharacters(in: .whitespacesAndNewlines), "complex64 [[(1.5-2j), (0.25+3j)]]")
        _ = try python(
            """
            import numpy as np
            np.save('\(dir)/le.npy', np.array([1 + 2j, -3.5 - 0.5j], dtype='<c16'))
            np.save('\(dir)/be.npy', np.array([1 + 2j, -3.5 - 0.5j], dtype='>c8'))
            """)
        for (name, dtype) in [("le", DType.complex128), ("be", .complex64)] {
            let t = try NPY.load("\(dir)/\(name).npy")
            XCTAssertEqual(t.dtype, dtype)
            XCTAssertEqual(t.viewAsReal().to(.float64).scalars, [1, 2, -3.5, -0.5], name)
        }
    }

    /// Files written by NumPy: big-endian, Fortran order, version 2 and 3 headers.
    func testReadsNumPyFiles() throws {
        _ = try python(
            """
            import numpy as np, numpy.lib.format as f
            a = np.arange(24, dtype='>f8').reshape(2, 3, 4)
            np.save('\(dir)/be.npy', a)
            np.save('\(dir)/fortran.npy', np.asfortranarray(np.arange(6, dtype='<i4').reshape(2, 3)))
            for v in [(2, 0), (3, 0)]:
                with open('\(dir)/v%d.npy' % v[0], 'wb') as fh:
                    f.write_array(fh, np.arange(5, dtype=np.int16), version=v)
            np.save('\(dir)/obj.npy', np.array([{'a': 1}], dtype=object), allow_pickle=True)
            """)
        XCTAssertEqual(try NPY.load("\(dir)/be.npy").scalars, (0..<24).map(Double.init))
        XCTAssertEqual(try NPY.load("\(dir)/be.npy").shape, [2, 3, 4])
        XCTAssertEqual(try NPY.load("\(dir)/fortran.npy").toArray(Int.self), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try NPY.load("\(dir)/v2.npy").toArray(Int.self), [0, 1, 2, 3, 4])
        XCTAssertEqual(try NPY.load("\(dir)/v3.npy").toArray(Int.self), [0, 1, 2, 3, 4])
        XCTAssertThrowsError(try NPY.load("\(dir)/obj.npy")) { e in
            XCTAssertTrue("\(e)".contains("object arrays are refused"), "\(e)")
        }
    }

    func testBadFiles() {
        func err(_ b: [UInt8]) -> String {
            do { _ = try NPY.deserialize(b, source: "x.npy"); return "none" } catch { return "\(error)" }
        }
        let good = try! NPY.serialize(Tensor([1.0, 2.0], dtype: .float64))
        XCTAssertTrue(err(Array("hello world".utf8)).contains("bad magic"))
        XCTAssertTrue(err(Array(good.dropLast(3))).contains("expected 16 data bytes for shape [2]"))
        XCTAssertTrue(err(Array(good[0..<6]) + [9, 0, 0, 0]).contains("unsupported .npy format version 9"))
        XCTAssertTrue(
            err(Array(good[0..<8]) + [255, 255] + [UInt8](repeating: 32, count: 10)).contains("exceeds the file"))
        var weird = good
        if let r = String(decoding: good, as: UTF8.self).range(of: "<f8") {
            let i = String(decoding: good, as: UTF8.self).utf8.distance(
                from: String(decoding: good, as: UTF8.self).startIndex, to: r.lowerBound)
            weird[i + 1] = UInt8(ascii: "c")
        }
        XCTAssertTrue(err(weird).contains("unsupported dtype"), err(weird))
    }
}
