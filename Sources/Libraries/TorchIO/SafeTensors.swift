import Torch
import TorchBase
#if canImport(Glibc)
    import Glibc
#endif

/// A file that could not be read or written (see `FileError`).
public typealias SerializationError = FileError

/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data.
///
/// ```swift
/// try SafeTensors.save(["w": w], to: "model.safetensors")
/// let (tensors, meta) = try SafeTensors.load("model.safetensors")
/// ```
public enum SafeTensors {
    /// Largest header accepted (the reference implementation's cap).
    public static let maxHeaderBytes = 100_000_000
    /// Most tensors accepted in one file.
    public static let maxTensors = 1_000_000

    static let names: [DType: String] = [
        .bool: "BOOL", .uint8: "U8", .int8: "I8", .int16: "I16", .int32: "I32", .int64: "I64",
        .float16: "F16", .bfloat16: "BF16", .float32: "F32", .float64: "F64", .complex64: "C64",
    ]

    /// The file's bytes for `tensors` (sorted by name) and optional string metadata.
    public static func serialize(_ tensors: [String: Tensor], metadata: [String: String]? = nil) -> [UInt8] {
        let (header, sorted) = headerAndOrder(tensors, metadata: metadata)
        var out = header
        for (_, t) in sorted {
            t.withUnsafeRawBytes { out += $0 }
        }
        return out
    }

    /// The 8-byte length and the JSON header (padded to 8 bytes), and the tensors in file order
    /// (sorted by name, contiguous, on the CPU).
    static func headerAndOrder(_ tensors: [String: Tensor], metadata: [String: String]?) -> (
        [UInt8], [(String, Tensor)]
    ) {
        var entries: [(String, JSON)] = []
        if let metadata {
            entries.append(
                ("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var offset = 0
        let sorted = tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value.cpu().contiguous()) }
        for (name, t) in sorted {
            guard let dtypeName = names[t.dtype] else {
                torchFail(
                    "SafeTensors.save",
                    "tensor '\(name)': the safetensors format has no \(t.dtype) dtype (C64, "
                        + "complex64, is its only complex one); convert it or save it as .npy or .pt",
                    file: #fileID, line: #line)
            }
            let n = t.count * t.itemSize
            entries.append(
                (
                    name,
                    .object([
                        ("dtype", .string(dtypeName)), ("shape", .array(t.shape.map { .number($0) })),
                        ("data_offsets", .array([.number(offset), .number(offset + n)])),
                    ])
                ))
            offset += n
        }
        var header = Array(JSON.object(entries).text.utf8)
        while header.count % 8 != 0 { header.append(32) }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out += $0 }
        out += header
        return (out, sorted)
    }

    /// Writes the file atomically (temporary file, flush, rename, directory flush), streaming each
    /// tensor's bytes from its storage (no copy of the whole file in memory).
    public static func save(_ tensors: [String: Tensor], metadata: [String: String]? = nil, to path: String) throws {
        let (header, ordered) = headerAndOrder(tensors, metadata: metadata)
        let contiguous = ordered.map { $0.1 }
        var chunks: [UnsafeRawBufferPointer] = []
        try header.withUnsafeBytes { h in
            chunks.append(h)
            for t in contiguous where t.count > 0 {
                chunks.append(
                    UnsafeRawBufferPointer(
                        start: t.storage.data + t.storageOffset * t.itemSize, count: t.count * t.itemSize))
            }
            try AtomicFile.write(path, chunks: chunks)
        }
        withExtendedLifetime(contiguous) {}
    }

    /// Reads a file into fresh tensors: the file is mapped, checked, and each tensor's bytes are
    /// copied once from the mapping into its own storage.
    public static func load(_ path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let file = try MappedFile(path)
        let raw = UnsafeRawBufferPointer(start: file.base, count: file.count)
        let (spans, metadata, headerEnd) = try layout(raw, source: path)
        var tensors: [String: Tensor] = [:]
        for (name, begin, end, dtype, shape) in spans {
            let t = Tensor(uninitialized: shape, dtype: dtype)
            if end > begin {
                let src = file.base! + headerEnd + begin, dst = t.storage.data
                Torch.parallelFor(end - begin, grain: 1 << 24) { r in
                    (dst + r.lowerBound).copyMemory(from: src + r.lowerBound, byteCount: r.count)
                }
            }
            tensors[name] = t
        }
        withExtendedLifetime(file) {}  // the mapping stays until the last copy is done
        return (tensors, metadata)
    }

    /// Parses and checks a whole file: header length and size cap, JSON, known dtypes, shapes
    /// whose byte size matches the offsets (overflow checked), offsets in bounds, sorted, with no
    /// holes or overlaps and covering the data exactly, no duplicate names, at most `maxTensors`.
    public static func deserialize(_ bytes: [UInt8], source: String) throws -> (
        tensors: [String: Tensor], metadata: [String: String]
    ) {
        try bytes.withUnsafeBytes { raw in
            let (spans, metadata, headerEnd) = try layout(raw, source: source)
            var tensors: [String: Tensor] = [:]
            for (name, begin, end, dtype, shape) in spans {
                let t = Tensor(uninitialized: shape, dtype: dtype)
                if end > begin {
                    t.storage.data.copyMemory(from: raw.baseAddress! + headerEnd + begin, byteCount: end - begin)
                }
                tensors[name] = t
            }
            return (tensors, metadata)
        }
    }

    /// Reads a file through a private memory map: tensors view the mapped pages (nothing is
    /// copied until a tensor is written, which copies that page only), and the map is released
    /// when the last tensor using it goes away. Every check of `deserialize` applies. A tensor
    /// whose data is not aligned to its element size is copied instead.
    public static func loadMapped(_ path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let file = try MappedFile(path)
        let raw = UnsafeRawBufferPointer(start: file.base, count: file.count)
        let (spans, metadata, headerEnd) = try layout(raw, source: path)
        var tensors: [String: Tensor] = [:]
        for (name, begin, end, dtype, shape) in spans {
            let start = headerEnd + begin
            if end > begin && start % dtype.itemSize == 0 {
                let storage = Storage(
                    wrapping: file.base! + start, byteCount: end - begin, device: .cpu, onFree: { _ = file })
                tensors[name] = Tensor(storage: storage, layout: Layout(shape: shape), dtype: dtype)
            } else {
                let t = Tensor(uninitialized: shape, dtype: dtype)
                if end > begin { t.storage.data.copyMemory(from: file.base! + start, byteCount: end - begin) }
                tensors[name] = t
            }
        }
        withExtendedLifetime(file) {}  // the mapping stays until the last copy is done
        return (tensors, metadata)
    }

    /// Checks a whole file and returns where each tensor lies in the data section.
    static func layout(_ bytes: UnsafeRawBufferPointer, source: String) throws
        -> (spans: [(String, Int, Int, DType, [Int])], metadata: [String: String], headerEnd: Int)
    {
        func fail(_ r: String) -> SerializationError { SerializationError(source, r) }
        guard bytes.count >= 8 else { throw fail("file too short for a safetensors header (\(bytes.count) bytes)") }
        let n = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(maxHeaderBytes) else {
            throw fail("header length \(n) exceeds the \(maxHeaderBytes)-byte limit")
        }
        guard Int(n) <= bytes.count - 8 else { throw fail("header length \(n) exceeds the file size \(bytes.count)") }
        let headerEnd = 8 + Int(n)
        let root: JSON
        do { root = try JSON.parse(Array(bytes[8..<headerEnd])[...]) } catch let e as JSON.ParseError {
            throw fail("invalid header JSON: \(e.message)")
        }
        guard case .object(let entries) = root else { throw fail("header is not a JSON object") }
        if entries.count > maxTensors + 1 {
            throw fail("\(entries.count) entries exceed the limit of \(maxTensors) tensors")
        }
        let dataLen = bytes.count - headerEnd
        var metadata: [String: String] = [:]
        var spans: [(String, Int, Int, DType, [Int])] = []
        for (name, v) in entries {
            if name == "__metadata__" {
                guard case .object(let kv) = v else { throw fail("__metadata__ must be an object of strings") }
                for (k, s) in kv {
                    guard case .string(let str) = s else { throw fail("__metadata__[\(k)] is not a string") }
                    metadata[k] = str
                }
                continue
            }
            guard case .object(let fields) = v else { throw fail("entry \(name) is not an object") }
            let f = Dictionary(fields, uniquingKeysWith: { a, _ in a })
            guard case .string(let dt)? = f["dtype"], let dtype = names.first(where: { $0.value == dt })?.key else {
                throw fail("tensor \(name): unknown or missing dtype")
            }
            guard case .array(let dims)? = f["shape"] else { throw fail("tensor \(name): missing shape") }
            var shape: [Int] = []
            var elements = 1
            for d in dims {
                guard case .number(let s) = d, s >= 0 else {
                    throw fail("tensor \(name): shape entries must be non-negative integers")
                }
                let (m, o) = elements.multipliedReportingOverflow(by: s)
                if o { throw fail("tensor \(name): shape \(dims.count)-d overflows") }
                elements = m
                shape.append(s)
            }
            guard case .array(let offs)? = f["data_offsets"], offs.count == 2, case .number(let begin) = offs[0],
                case .number(let end) = offs[1]
            else {
                throw fail("tensor \(name): data_offsets must be [begin, end]")
            }
            guard begin >= 0, end >= begin, end <= dataLen else {
                throw fail("tensor \(name): data_offsets [\(begin), \(end)] out of bounds for \(dataLen) data bytes")
            }
            let (size, o) = elements.multipliedReportingOverflow(by: dtype.itemSize)
            if o || size != end - begin {
                throw fail(
                    "tensor \(name): shape \(shape) of \(dtype) needs "
                        + "\(o ? "an overflowing number of" : String(size)) bytes, offsets give \(end - begin)"
                )
            }
            spans.append((name, begin, end, dtype, shape))
        }
        spans.sort { $0.1 < $1.1 || ($0.1 == $1.1 && $0.2 < $1.2) }
        var expected = 0
        for s in spans {
            if s.1 != expected {
                throw fail(
                    s.1 > expected
                        ? "hole in the data before tensor \(s.0) (bytes \(expected)..<\(s.1))"
                        : "tensor \(s.0) overlaps the previous tensor")
            }
            expected = s.2
        }
        if expected != dataLen {
            throw fail("data section has \(dataLen - expected) trailing bytes not covered by any tensor")
        }
        return (spans, metadata, headerEnd)
    }
}

/// A read-only file mapped privately into memory (copy-on-write), unmapped when released.
final class MappedFile {
    let base: UnsafeMutableRawPointer?
    let count: Int

    init(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw SerializationError(path, "cannot open file (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 {
            throw SerializationError(path, "cannot stat file (\(String(cString: strerror(errno))))")
        }
        count = Int(st.st_size)
        if count == 0 { base = nil; return }
        let p = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)
        if p == MAP_FAILED || p == nil {
            throw SerializationError(path, "cannot map file (\(String(cString: strerror(errno))))")
        }
        base = p
    }

    deinit { if let base { munmap(base, count) } }
}

extension Tensor {
    /// Calls `body` with the raw bytes of a contiguous CPU tensor.
    func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.data + storageOffset * itemSize, count: count * itemSize))
    }
}

/// Crash-safe file replacement: the new contents go to a temporary file in the same directory,
/// are flushed to disk, renamed over the old file, and the directory entry is flushed. A crash at
/// any moment leaves either the old or the new file, never a torn one.
public enum AtomicFile {
    /// Writes `bytes` to `path` through a temporary file and a rename, so a crash leaves the old file or the new one.
    public static func write(_ path: String, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write(path, chunks: [$0]) }
    }

    /// Writes the concatenation of `chunks` atomically.
    public static func write(_ path: String, chunks: [UnsafeRawBufferPointer]) throws {
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let tmp = "\(path).tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { throw SerializationError(path, "cannot create \(tmp): errno \(errno)") }
        var ok = true
        for p in chunks where ok && p.count > 0 {
            var written = 0
            while written < p.count {
                let n = Glibc.write(fd, p.baseAddress! + written, p.count - written)
                if n <= 0 { ok = false; break }
                written += n
            }
        }
        if !ok || fsync(fd) != 0 {
            close(fd); unlink(tmp)
            throw SerializationError(path, "write failed: errno \(errno)")
        }
        close(fd)
        if rename(tmp, path) != 0 { unlink(tmp); throw SerializationError(path, "rename failed: errno \(errno)") }
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// The bytes of the file at `path`.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw SerializationError(path, "cannot open file") }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw SerializationError(path, "cannot stat file") }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        try out.withUnsafeMutableBytes { p in
            while got < p.count {
                let n = Glibc.read(fd, p.baseAddress! + got, p.count - got)
                if n < 0 { throw SerializationError(path, "read failed") }
                if n == 0 { break }
                got += n
            }
        }
        if got != out.count { throw SerializationError(path, "file changed while reading") }
        return out
    }
}
