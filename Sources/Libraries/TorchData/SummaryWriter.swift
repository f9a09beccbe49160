import Torch
#if canImport(Glibc)
    import Glibc
#endif

/// Writes scalar summaries as TensorBoard event files (`events.out.tfevents.*`): TFRecord framing
/// (length, masked CRC-32C of the length, the serialized `Event` protobuf, its masked CRC) with
/// the protobufs encoded by hand, so no protobuf library is needed.
///
/// ```swift
/// let w = try SummaryWriter(logDir: "runs/mlp")
/// try w.addScalar("loss/train", 0.42, step: 100)
/// ```
public final class SummaryWriter {
    /// The event file being written.
    public let path: String
    let file: UnsafeMutablePointer<FILE>

    /// A new TensorBoard event file in `logDir` (created if missing).
    /// `let w = try SummaryWriter(logDir: "runs/mlp")`
    public init(logDir: String) throws {
        var prefix = logDir.hasPrefix("/") ? "/" : ""
        for part in logDir.split(separator: "/") {
            prefix += part
            mkdir(prefix, 0o755)
            prefix += "/"
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let now = SummaryWriter.wallTime()
        path = "\(logDir)/events.out.tfevents.\(Int(now)).\(String(cString: host)).\(getpid())"
        guard let f = fopen(path, "wb") else { throw DataError(path: path, reason: "cannot create event file") }
        file = f
        try write(event(wallTime: now, step: 0, fileVersion: "brain.Event:2", summary: nil))
    }

    deinit { fclose(file) }

    static func wallTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Records `value` under `tag` at `step` and flushes it to disk.
    public func addScalar(_ tag: String, _ value: Double, step: Int) throws {
        var v = Proto()
        v.string(1, tag)
        v.float(2, Float(value))
        var summary = Proto()
        summary.message(1, v)
        try write(event(wallTime: SummaryWriter.wallTime(), step: step, fileVersion: nil, summary: summary))
        fflush(file)
    }

    func event(wallTime: Double, step: Int, fileVersion: String?, summary: Proto?) -> [UInt8] {
        var e = Proto()
        e.double(1, wallTime)
        e.varintField(2, UInt64(bitPattern: Int64(step)))
        if let fileVersion { e.string(3, fileVersion) }
        if let summary { e.message(5, summary) }
        return e.bytes
    }

    func write(_ data: [UInt8]) throws {
        var len = UInt64(data.count).littleEndian
        let lenBytes = withUnsafeBytes(of: &len) { Array($0) }
        var record = lenBytes
        record += le32(CRC32C.masked(lenBytes))
        record += data
        record += le32(CRC32C.masked(data))
        if fwrite(record, 1, record.count, file) != record.count { throw DataError(path: path, reason: "write failed") }
    }

    func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255), UInt8(v >> 16 & 255), UInt8(v >> 24)] }
}

/// A minimal protobuf encoder (varints, fixed 32/64-bit, length-delimited fields).
struct Proto {
    var bytes: [UInt8] = []
    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    mutating func key(_ field: Int, _ wire: Int) { varint(UInt64(field << 3 | wire)) }
    mutating func varintField(_ field: Int, _ v: UInt64) { key(field, 0); varint(v) }
    mutating func double(_ field: Int, _ v: Double) {
        key(field, 1)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 }
    }
    mutating func float(_ field: Int, _ v: Float) {
        key(field, 5)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 }
    }
    mutating func string(_ field: Int, _ s: String) {
        key(field, 2); varint(UInt64(s.utf8.count)); bytes += Array(s.utf8)
    }
    mutating func message(_ field: Int, _ m: Proto) { key(field, 2); varint(UInt64(m.bytes.count)); bytes += m.bytes }
}

/// CRC-32C (Castagnoli), with TFRecord's masking.
enum CRC32C {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    static func checksum(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func masked(_ data: [UInt8]) -> UInt32 {
        let c = checksum(data)
        return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
    }
}
