import _CZlib

/// Reads the members of a zip archive (stored or deflated), checking structure, sizes and CRCs;
/// refuses members that inflate beyond their declared size or past `maxUncompressed` in total.
enum ZipArchive {
    static func u16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
    static func u32(_ b: [UInt8], _ o: Int) -> Int { u16(b, o) | u16(b, o + 2) << 16 }

    static func members(_ b: [UInt8], source: String, maxUncompressed: Int) throws -> [(name: String, data: [UInt8])] {
        func fail(_ r: String) -> SerializationError { SerializationError(source, r) }
        guard b.count >= 22 else { throw fail("not a zip archive (too short)") }
        var eocd = -1
        var i = b.count - 22
        while i >= Swift.max(0, b.count - 22 - 65535) {
            if b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 5 && b[i + 3] == 6 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw fail("not a zip archive (no end of central directory; truncated?)") }
        let entries = u16(b, eocd + 10), cdSize = u32(b, eocd + 12), cdOffset = u32(b, eocd + 16)
        guard cdOffset + cdSize <= eocd else { throw fail("central directory out of bounds") }
        var out: [(String, [UInt8])] = []
        var total = 0
        var p = cdOffset
        for _ in 0..<entries {
            guard p + 46 <= eocd, u32(b, p) == 0x0201_4B50 else { throw fail("bad central directory entry") }
            let method = u16(b, p + 10), crc = u32(b, p + 16), csize = u32(b, p + 20), usize = u32(b, p + 24)
            let nlen = u16(b, p + 28), elen = u16(b, p + 30), clen = u16(b, p + 32), local = u32(b, p + 42)
            guard p + 46 + nlen <= eocd else { throw fail("bad central directory entry name") }
            let name = String(decoding: b[(p + 46)..<(p + 46 + nlen)], as: UTF8.self)
            p += 46 + nlen + elen + clen
            guard local + 30 <= b.count, u32(b, local) == 0x0403_4B50 else { throw fail("\(name): bad local header") }
            let dataStart = local + 30 + u16(b, local + 26) + u16(b, local + 28)
            guard dataStart + csize <= b.count else {
                throw fail("\(name): data runs past the end of the archive (truncated)")
            }
            total += usize
            guard usize <= maxUncompressed, total <= maxUncompressed else {
                throw fail("\(name): declared size \(usize) exceeds the limit")
            }
            var data: [UInt8]
            switch method {
            case 0:
                guard csize == usize else { throw fail("\(name): stored member with different sizes") }
                data = Array(b[dataStart..<(dataStart + csize)])
            case 8:
                data = [UInt8](repeating: 0, count: usize)
                let n = b.withUnsafeBytes { src in
                    data.withUnsafeMutableBytes {
                        czlib_inflate_raw(src.baseAddress! + dataStart, csize, $0.baseAddress, usize)
                    }
                }
                if n == -2 { throw fail("\(name): inflates beyond its declared size \(usize) (zip bomb?)") }
                if n != usize { throw fail("\(name): corrupt deflate data") }
            default:
                throw fail("\(name): unsupported compression method \(method)")
            }
            let actual = data.withUnsafeBytes { Int(czlib_crc32(0, $0.baseAddress, $0.count)) }
            if actual != crc { throw fail("\(name): CRC-32 mismatch (corrupt data)") }
            if out.contains(where: { $0.0 == name }) { throw fail("duplicate member \(name)") }
            out.append((name, data))
        }
        return out
    }

    /// A stored (uncompressed) archive of `files`, members aligned to 64 bytes as torch.save does.
    static func write(_ files: [(String, [UInt8])], align: Int = 1) -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
        for (n, data) in files {
            let name = Array(n.utf8)
            let crc = data.withUnsafeBytes { Int(czlib_crc32(0, $0.baseAddress, $0.count)) }
            let offset = out.count
            // Padding in the local header's extra field puts the data on an `align` boundary.
            let headerEnd = offset + 30 + name.count
            let pad = align > 1 ? (align - (headerEnd + 4) % align) % align + 4 : 0
            let extra: [UInt8] = pad > 0 ? le16(0x4650) + le16(pad - 4) + [UInt8](repeating: 0, count: pad - 4) : []
            let common =
                le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21) + le32(crc) + le32(data.count) + le32(data.count)
                + le16(name.count)
            out += le32(0x0403_4B50) + common + le16(extra.count) + name + extra + data
            central +=
                le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset)
                + name
        }
        let cdOffset = out.count
        out += central
        out +=
            le32(0x0605_4B50) + le16(0) + le16(0) + le16(files.count) + le16(files.count) + le32(central.count)
            + le32(cdOffset) + le16(0)
        return out
    }
}
