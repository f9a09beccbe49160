import Torch
import TorchBase
import _CZlib

/// NumPy's `.npz`: a zip archive of `.npy` files, stored or deflated. Reading checks the archive's
/// structure, sizes and CRC-32s, and refuses members that inflate beyond their declared size or
/// beyond `maxUncompressed` (zip bombs).
public enum NPZ {
    /// The largest total uncompressed size accepted (a zip bomb is refused).
    public static var maxUncompressed = 1 << 32

    /// Reads the arrays of a `.npz` file. `let arrays = try NPZ.load("data.npz")`
    public static func load(_ path: String) throws -> [String: Tensor] {
        try deserialize(AtomicFile.read(path), source: path)
    }

    /// Writes `arrays` as an uncompressed `.npz` file, atomically. `try NPZ.save(["x": x], to: "d.npz")`
    public static func save(_ arrays: [String: Tensor], to path: String) throws {
        try AtomicFile.write(path, serialize(arrays))
    }

    /// Parses `.npz` bytes; `source` names them in errors.
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
