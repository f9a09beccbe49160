import Torch
import TorchBase

extension Torch {
    /// Saves named tensors in the format the extension names: `.safetensors`, `.pt`/`.pth`
    /// (torch.save's zip format), `.npz`, or `.npy` (exactly one tensor). Writes are atomic.
    ///
    /// ```swift
    /// try Torch.save(model.stateDict(), to: "model.safetensors")
    /// ```
    public static func save(_ tensors: [String: Tensor], to path: String) throws {
        switch fileFormat(path) {
        case "safetensors": try SafeTensors.save(tensors, to: path)
        case "pt": try PyTorchCheckpoint.save(tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, to: path)
        case "npz": try NPZ.save(tensors, to: path)
        case "npy":
            guard tensors.count == 1 else {
                throw SerializationError(path, ".npy holds exactly one array, got \(tensors.count)")
            }
            try NPY.save(tensors.first!.value, to: path)
        default: throw SerializationError(path, "unknown file extension (use .safetensors, .pt, .pth, .npz or .npy)")
        }
    }

    /// Loads named tensors, choosing the reader from the extension (see `save`). A `.npy` file
    /// loads under the name "" and a `.pt` file's nested dictionaries flatten to dotted names.
    public static func load(_ path: String) throws -> [String: Tensor] {
        switch fileFormat(path) {
        case "safetensors": return try SafeTensors.load(path).tensors
        case "pt": return try PyTorchCheckpoint.loadStateDict(path)
        case "npz": return try NPZ.load(path)
        case "npy": return ["": try NPY.load(path)]
        default: throw SerializationError(path, "unknown file extension (use .safetensors, .pt, .pth, .npz or .npy)")
        }
    }

    static func fileFormat(_ path: String) -> String {
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "safetensors": return "safetensors"
        case "pt", "pth", "bin": return "pt"
        case "npz": return "npz"
        case "npy": return "npy"
        default: return ""
        }
    }
}
