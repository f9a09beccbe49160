// Note [ONNX protobuf by hand]
// ONNX files are protobuf messages (onnx.proto3). We write the handful of messages an export
// needs with this small encoder (varints, fixed32 floats, length-delimited fields) instead of
// swift-protobuf and generated code. Measured on the 2-core CI machine (AMD EPYC, Swift 6.3.1):
// swift-protobuf 1.39's runtime alone (97 files, 28,900 lines) takes 34 s to build in debug and
// 73 s in release, before any generated `onnx.pb.swift`; this whole module, exporter included,
// rebuilds in 4 s. It adds no dependency, and the project already writes TensorBoard's protobuf
// the same way. Field numbers are onnx.proto's; the reader is onnx itself (the tests run
// `onnx.checker.check_model(full_check=True)` on every export).

/// A protobuf message being written: fields appended in order.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    private mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wire: Int) { varint(UInt64(field << 3 | wire)) }

    /// An int64/int32/enum field (negative values as ten-byte two's complement, as protobuf).
    mutating func int(_ field: Int, _ v: Int) {
        tag(field, 0)
        varint(UInt64(bitPattern: Int64(v)))
    }

    /// A float field.
    mutating func float(_ field: Int, _ v: Float) {
        tag(field, 5)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A bytes field.
    mutating func data(_ field: Int, _ v: [UInt8]) {
        tag(field, 2)
        varint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

    /// A string field.
    mutating func string(_ field: Int, _ v: String) { data(field, Array(v.utf8)) }

    /// An embedded message field.
    mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var m = ProtoWriter()
        build(&m)
        data(field, m.bytes)
    }

    /// A packed repeated int64 field.
    mutating func packedInts(_ field: Int, _ vs: [Int]) {
        var m = ProtoWriter()
        for v in vs { m.varint(UInt64(bitPattern: Int64(v))) }
        data(field, m.bytes)
    }

    /// A packed repeated float field.
    mutating func packedFloats(_ field: Int, _ vs: [Float]) {
        var m = ProtoWriter()
        for v in vs { withUnsafeBytes(of: v.bitPattern.littleEndian) { m.bytes.append(contentsOf: $0) } }
        data(field, m.bytes)
    }
}
