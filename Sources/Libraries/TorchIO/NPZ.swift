import Torch
import TorchBase
import _CZlib

/// NumPy's `.npz`: a zip archive of `.npy` files, stored or deflated. Reading checks the archive's
/// structure, sizes and CRC-32s, and refuses members that inflate beyond their declared size or
/// beyond `maxUncompressed` (zip bombs).
public enum NPZ {
    public static var maxUncompressed = 1 << 32

    public static func load(_ path: String) throws -> [String: Tensor] {
        try deserialize(AtomicFile.read(path), source: path)
    }

    public static func save(_ arrays: [String: Tensor], to path: String) throws {
        try AtomicFile.write(path, serialize(arrays))
    }

    public static func deserialize(_ b: [UInt8], source: String) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, data) in try ZipArchive.members(b, source: source, maxUncompressed: maxUncompressed) {
            let key = name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
            out[key] = try NPY.deserialize(data, source: "\(source):\(name)")
        }
        return out
    }

    /// A stored (uncompressed) archive, as `numpy.savez` writes.
    public static func serialize(_ arrays: [String: Tensor]) throws -> [UInt8] {
        ZipArchive.write(try arrays.sorted { $0.key < $1.key }.map { ($0.key + ".npy", try NPY.serialize($0.value)) })
    }
}
