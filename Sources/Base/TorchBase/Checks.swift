/// A misuse found by a validation check: names the op and what was wrong.
/// Ops trap with `message`; the checks are pure functions so tests can call them.
public struct TorchError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String
    /// An error with `message`. `throw TorchError("bad header")`
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Traps with `op: message` at the caller's location, or at the user's line when the caller is a
/// layer of this library (Note [Errors at the user's line]). Misuse never throws (DESIGN
/// convention 6).
@inline(never)
public func torchFail(_ op: String, _ message: String, file: StaticString, line: UInt) -> Never {
    let site = CallSites.userSite(file: file, line: line)
    if var context = site.context {
        // A layer's own check already names the layer as the op: keep only where it was called.
        if context.hasPrefix("in \(op)") {
            let rest = String(context.dropFirst(3 + op.count))
            if rest.isEmpty || rest.hasPrefix(", ") || rest.hasPrefix(" (") {
                context = rest.hasPrefix(", ") ? String(rest.dropFirst(2)) : rest
            }
        }
        if context.isEmpty { fatalError("\(op): \(message)", file: site.file, line: site.line) }
        fatalError("\(op): \(message)\n  \(context)", file: site.file, line: site.line)
    }
    fatalError("\(op): \(message)", file: site.file, line: site.line)
}

extension Result where Failure == TorchError {
    /// The value, or a trap naming `op`, the problem and the caller's line.
    @inlinable public func unwrap(_ op: String, file: StaticString, line: UInt) -> Success {
        switch self {
        case .success(let v): return v
        case .failure(let e): torchFail(op, e.message, file: file, line: line)
        }
    }
}

/// The pure checks behind the ops' refusals (shapes, dims, broadcasting), callable from tests.
///
/// ```swift
/// Checks.broadcastShapes([3, 1], [4])   // .success([3, 4])
/// ```
public enum Checks {
    /// NumPy broadcasting of two shapes, with PyTorch's error text.
    public static func broadcastShapes(_ a: [Int], _ b: [Int]) -> Result<[Int], TorchError> {
        if a == b { return .success(a) }
        let n = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        // From the last dimension, as PyTorch's infer_size: its message names the last mismatch.
        for i in stride(from: n - 1, through: 0, by: -1) {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 {
                out[i] = da
            } else if da == 1 {
                out[i] = db
            } else {
                return .failure(
                    TorchError(
                        "The size of tensor a (\(da)) must match the size of tensor b (\(db)) at non-singleton "
                            + "dimension \(i)"
                    ))
            }
        }
        return .success(out)
    }

    /// Normalises a possibly negative dimension index against `rank`.
    public static func dim(_ d: Int, rank: Int) -> Result<Int, TorchError> {
        let r = Swift.max(rank, 1)
        if d < -r || d >= r {
            return .failure(
                TorchError("Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(d))"))
        }
        return .success(d < 0 ? d + r : d)
    }

    /// Resolves a `view`/`reshape` shape with at most one -1.
    public static func inferShape(_ shape: [Int], count: Int) -> Result<[Int], TorchError> {
        var inferred = -1
        var known = 1
        for (i, s) in shape.enumerated() {
            if s == -1 {
                if inferred >= 0 { return .failure(TorchError("only one dimension can be inferred")) }
                inferred = i
            } else if s < 0 {
                return .failure(TorchError("invalid shape dimension \(s)"))
            } else {
                known *= s
            }
        }
        var out = shape
        if inferred >= 0 {
            if known == 0 || count % known != 0 {
                return .failure(TorchError("shape '\(shape)' is invalid for input of size \(count)"))
            }
            out[inferred] = count / known
        } else if known != count {
            return .failure(TorchError("shape '\(shape)' is invalid for input of size \(count)"))
        }
        return .success(out)
    }

    /// Strides for viewing `layout` as `newShape` without copying, or nil when impossible
    /// (the rule of PyTorch's `computeStride`).
    public static func viewStrides(_ layout: Layout, _ newShape: [Int]) -> [Int]? {
        let oldShape = layout.shape, oldStrides = layout.strides
        if layout.count == 0 { return Layout.contiguousStrides(newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBase = oldStrides.last ?? 1
        var tensorNumel = 1, viewNumel = 1
        var tensorD = oldShape.count - 1
        while tensorD >= 0 {
            tensorNumel *= oldShape[tensorD]
            if tensorD == 0 || (oldShape[tensorD - 1] != 1 && oldStrides[tensorD - 1] != tensorNumel * chunkBase) {
                while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBase
                    viewNumel *= newShape[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if tensorD > 0 {
                    chunkBase = oldStrides[tensorD - 1]
                    tensorNumel = 1
                    viewNumel = 1
                }
            }
            tensorD -= 1
        }
        if viewD != -1 { return nil }
        return newStrides
    }
}

/// A file that could not be read or written (missing, truncated, corrupt, hostile): names the
/// file and what was wrong. Thrown by every loader, so callers can catch and recover.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or the name of the bytes) that was read.
    public let path: String
    /// What was wrong with it.
    public let reason: String
    /// An error about the file at `path`.
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    /// An error about the file at `path`. `throw FileError(path, "truncated header")`
    public init(_ path: String, _ reason: String) { self.init(path: path, reason: reason) }
    /// `path: reason`.
    public var description: String { "\(path): \(reason)" }
}

extension Checks {
    /// Whether `actual` matches `expected` within `atol + rtol·|expected|`, with NaN equal only to
    /// NaN and infinities compared exactly (PyTorch's `isclose(equal_nan=True)`). A plain
    /// `abs(x - y) > tol` test is false for NaN and so lets a NaN through; this one does not.
    ///
    /// ```swift
    /// Checks.isClose(.nan, 1, atol: 1e-6, rtol: 1e-5)   // false
    /// Checks.isClose(.nan, .nan, atol: 0, rtol: 0)      // true
    /// ```
    @inlinable public static func isClose(_ actual: Double, _ expected: Double, atol: Double, rtol: Double) -> Bool {
        if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN }
        if actual.isInfinite || expected.isInfinite { return actual == expected }
        return Swift.abs(actual - expected) <= atol + rtol * Swift.abs(expected)
    }
}
