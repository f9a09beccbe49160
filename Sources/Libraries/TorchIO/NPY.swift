import Torch
import TorchBase

/// NumPy's `.npy` format: versions 1.0, 2.0 and 3.0, little- and big-endian data, C and Fortran
/// order. Object arrays are refused (nothing is ever unpickled).
///
/// ```swift
/// try NPY.save(t, to: "x.npy")
/// let u = try NPY.load("x.npy")
/// ```
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    static let codes: [DType: String] = [
        .bool: "b1", .uint8: "u1", .int8: "i1", .int16: "i2", .int32: "i4", .int64: "i8",
        .float16: "f2", .float32: "f4", .float64: "f8", .complex64: "c8", .complex128: "c16",
    ]

    /// Bytes of a version 1.0 file (2.0 when the header needs it), little-endian, C order.
    public static func serialize(_ t: Tensor) throws -> [UInt8] {
        guard let code = codes[t.dtype] else { throw SerializationError("<npy>", "NumPy has no \(t.dtype) dtype") }
        let c = t.cpu().contiguous()
        let shape =
            c.shape.isEmpty
            ? "()"
            : (c.shape.count == 1 ? "(\(c.shape[0]),)" : "(" + c.shape.map(String.init).joined(separator: ", ") + ")")
        let byteOrder = c.itemSize == 1 ? "|" : "<"
        var header = Array("{'descr': '\(byteOrder)\(code)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        let v2 = header.count + 11 > 65535
        let prefix = 6 + 2 + (v2 ? 4 : 2)
        while (prefix + header.count + 1) % 64 != 0 { header.append(32) }
        header.append(10)
        var out = magic + [v2 ? 2 : 1, 0]
        let n = header.count
        out +=
            v2
            ? [UInt8(n & 255), UInt8(n >> 8 & 255), UInt8(n >> 16 & 255), UInt8(n >> 24 & 255)]
            : [UInt8(n & 255), UInt8(n >> 8)]
        out += header
        c.withUnsafeRawBytes { out += $0 }
        return out
    }

    /// Writes `t` as a `.npy` file, atomically. `try NPY.save(x, to: "x.npy")`
    public static func save(_ t: Tensor, to path: String) throws { try AtomicFile.write(path, serialize(t)) }

    /// Reads a `.npy` file. `let x = try NPY.load("x.npy")`
    public static func load(_ path: String) throws -> Tensor { try deserialize(AtomicFile.read(path), source: path) }

    /// Parses `.npy` bytes; `source` names them in errors.
    public static func deserialize(_ b: [UInt8], source: String) throws -> Tensor {
        func fail(_ r: String) -> SerializationError { SerializationError(source, r) }
        guard b.count >= 10, Array(b[0..<6]) == magic else { throw fail("not a .npy file (bad magic)") }
        let major = b[6]
        let (len, start): (Int, Int)
        switch major {
        case 1: len = Int(b[8]) | Int(b[9]) << 8; start = 10
        case 2, 3:
            guard b.count >= 12 else { throw fail("truncated header") }
            len = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24; start = 12
        default: throw fail("unsupported .npy format version \(major).\(b[7])")
        }
        guard len <= 1 << 20, start + len <= b.count else {
            throw fail("header length \(len) exceeds the file (\(b.count) bytes)")
        }
        guard let header = String(validating: b[start..<(start + len)], as: major == 3 ? UTF8.self : UTF8.self) else {
            throw fail("header is not text")
        }
        let (descr, fortran, shape) = try parseHeader(header, fail)
        var d = descr
        let order = d.first.flatMap { "<>|=".contains($0) ? $0 : nil }
        if order != nil { d.removeFirst() }
        if d.hasPrefix("O") { throw fail("object arrays are refused: loading them would need pickle") }
        guard let dtype = codes.first(where: { $0.value == d })?.key else { throw fail("unsupported dtype '\(descr)'") }
        var count = 1
        for s in shape {
            let (m, o) = count.multipliedReportingOverflow(by: s)
            if o { throw fail("shape \(shape) overflows") }
            count = m
        }
        let (bytes, o) = count.multipliedReportingOverflow(by: dtype.itemSize)
        let dataStart = start + len
        if o || b.count - dataStart != bytes {
            throw fail(
                "expected \(o ? "an overflowing number of" : String(bytes)) data bytes for shape \(shape) of "
                    + "\(descr), found \(b.count - dataStart)"
            )
        }
        let physical = fortran ? Array(shape.reversed()) : shape
        let t = Tensor(uninitialized: physical, dtype: dtype)
        b.withUnsafeBytes { src in
            if bytes > 0 { t.storage.data.copyMemory(from: src.baseAddress! + dataStart, byteCount: bytes) }
        }
        if order == ">" && dtype.itemSize > 1 {
            let p = t.storage.data.assumingMemoryBound(to: UInt8.self)
            // Complex values swap each part.
            let w = dtype.realPart.itemSize
            for i in 0..<(dtype.isComplex ? 2 * count : count) {
                for k in 0..<(w / 2) { let a = i * w + k, z = i * w + w - 1 - k; let x = p[a]; p[a] = p[z]; p[z] = x }
            }
        }
        return fortran && shape.count > 1 ? t.permute(Array((0..<shape.count).reversed())).contiguous() : t
    }

    /// Reads the Python dict literal `{'descr': ..., 'fortran_order': ..., 'shape': (...), }`.
    static func parseHeader(_ h: String, _ fail: (String) -> SerializationError) throws -> (String, Bool, [Int]) {
        func value(_ key: String) throws -> Substring {
            guard let end = h.endOfFirst("'\(key)':") else { throw fail("header lacks '\(key)'") }
            return h[end...].drop { $0 == " " }
        }
        let d = try value("descr")
        guard d.first == "'", let end = d.dropFirst().firstIndex(of: "'") else { throw fail("bad 'descr' in header") }
        let descr = String(d[d.index(after: d.startIndex)..<end])
        let f = try value("fortran_order")
        let fortran: Bool
        if f.hasPrefix("True") {
            fortran = true
        } else if f.hasPrefix("False") {
            fortran = false
        } else {
            throw fail("bad 'fortran_order'")
        }
        let s = try value("shape")
        guard s.first == "(", let close = s.firstIndex(of: ")") else { throw fail("bad 'shape' in header") }
        let inner = s[s.index(after: s.startIndex)..<close]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let p = part.trimmingCharacters(" L")
            if p.isEmpty { continue }
            guard let v = Int(p), v >= 0 else { throw fail("bad shape entry '\(part)'") }
            shape.append(v)
        }
        return (descr, fortran, shape)
    }
}

extension String {
    /// Index just after the first occurrence of `needle` (no Foundation needed).
    func endOfFirst(_ needle: String) -> String.Index? {
        let n = Array(needle)
        var i = startIndex
        while i < endIndex {
            var j = i, k = 0
            while k < n.count && j < endIndex && self[j] == n[k] { j = index(after: j); k += 1 }
            if k == n.count { return j }
            i = index(after: i)
        }
        return nil
    }
}

extension Substring {
    func trimmingCharacters(_ chars: String) -> String { String(self.filter { !chars.contains($0) }) }
}
