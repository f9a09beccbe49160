import Foundation
import XCTest
import Torch
import TorchBase

/// Reads `Fixtures/ops.json` (written by `Fixtures/generate.py`) into tensors.
public enum Fixtures {
    /// Tests/TorchTests/Fixtures: the fixtures and the generator scripts that write them.
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TorchTests/Fixtures")

    public static func load(_ name: String) -> [[String: Any]] {
        let data = try! Data(contentsOf: directory.appendingPathComponent(name))
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return root["cases"] as! [[String: Any]]
    }

    public static func dtype(_ s: String) -> DType {
        switch s {
        case "bool": return .bool
        case "uint8": return .uint8
        case "int8": return .int8
        case "int16": return .int16
        case "int32": return .int32
        case "int64": return .int64
        case "float16": return .float16
        case "float32": return .float32
        case "complex64": return .complex64
        case "complex128": return .complex128
        default: return .float64
        }
    }

    public static func number(_ v: Any) -> Double {
        if v is NSNull { return .nan }
        if let s = v as? String { return s == "inf" ? .infinity : -.infinity }
        if let b = v as? Bool { return b ? 1 : 0 }
        return (v as! NSNumber).doubleValue
    }

    /// The tensor a fixture entry describes, with its layout transform applied.
    public static func tensor(_ d: [String: Any]) -> Tensor {
        let shape = d["shape"] as! [Int]
        let dt = dtype(d["dtype"] as! String)
        let raw = d["data"] as! [Any]
        let t: Tensor
        if dt.isComplex {
            // Interleaved (real, imag) parts.
            let parts = Tensor(shape: shape + [2], scalars: raw.map(number), dtype: dt.realPart)
            t = parts.viewAsComplex()
        } else if dt.isFloatingPoint {
            t = Tensor(shape: shape, scalars: raw.map(number), dtype: dt)
        } else {
            t = Tensor(shape: shape, scalars: raw.map { Int64(number($0)) }, dtype: dt)
        }
        if (d["transform"] as? String) == "t" { return t.mT }
        return t
    }
}

/// Asserts `actual` equals the fixture `expected`: same shape and dtype, values within tolerances
/// for the dtype (NaN equal to NaN, infinities exact).
public func assertMatches(
    _ actual: Tensor, _ expected: Tensor, _ name: String, rtol: Double? = nil, atol: Double? = nil,
    file: StaticString = #filePath, line: UInt = #line
) {
    if let problem = tensorMismatch(actual, expected, rtol: rtol, atol: atol) {
        XCTFail("\(name): \(problem)", file: file, line: line)
    }
}

/// Why `actual` does not match `expected` (shape, dtype, or the first differing element and the
/// count), or nil when it does. Default tolerances: float32 1e-5/1e-6, otherwise 1e-10/1e-12.
public func tensorMismatch(_ actual: Tensor, _ expected: Tensor, rtol: Double? = nil, atol: Double? = nil) -> String? {
    if actual.shape != expected.shape { return "shape \(actual.shape), expected \(expected.shape)" }
    if actual.dtype != expected.dtype { return "dtype \(actual.dtype), expected \(expected.dtype)" }
    // Complex tensors compare part by part (element i is part i % 2 of complex element i / 2).
    let (x, y) = expected.dtype.isComplex ? (actual.viewAsReal(), expected.viewAsReal()) : (actual, expected)
    let a = x.scalars, e = y.scalars
    let r = rtol ?? (y.dtype == .float32 ? 1e-5 : 1e-10)
    let at = atol ?? (y.dtype == .float32 ? 1e-6 : 1e-12)
    let bad = mismatches(a, e, atol: at, rtol: r)
    guard let i = bad.first else { return nil }
    return "element \(i) is \(a[i]), expected \(e[i]) (\(bad.count) of \(a.count) elements differ)"
}

/// Indices where `actual` and `expected` differ: NaN matches only NaN at the same place,
/// infinities match exactly, finite values within `atol + rtol·|expected|` (`Checks.isClose`).
public func mismatches(_ actual: [Double], _ expected: [Double], atol: Double, rtol: Double) -> [Int] {
    if actual.count != expected.count { return [Swift.min(actual.count, expected.count)] }
    return actual.indices.filter { !Checks.isClose(actual[$0], expected[$0], atol: atol, rtol: rtol) }
}

/// Float64 gradcheck of `f` at `inputs`, and gradgradcheck when `second`, failing the test with
/// `name` and the checker's report.
public func assertGradcheck(
    _ name: String, _ inputs: [Tensor], second: Bool = true, file: StaticString = #filePath, line: UInt = #line,
    _ f: @escaping ([Tensor]) -> Tensor
) {
    let r = Torch.gradcheck(f, inputs)
    XCTAssertTrue(r.passed, "\(name): \(r)", file: file, line: line)
    if second {
        let r2 = Torch.gradgradcheck(f, inputs)
        XCTAssertTrue(r2.passed, "\(name) (second order): \(r2)", file: file, line: line)
    }
}
