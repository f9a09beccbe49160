import Torch
import TorchBase

/// A training checkpoint: the model's state dict, the optimizer's and scheduler's state, epoch and
/// step, random generator states and user metadata, in one safetensors file written atomically
/// (temporary file in the same directory, flushed, renamed over the old one, directory flushed),
/// so that a crash mid-save leaves the previous checkpoint intact. Restoring it continues a run
/// exactly as if it had never stopped.
///
/// TorchIO knows only state dictionaries; `import SwiftTorch` adds the forms that take a `Module`,
/// an `Optimizer` and a scheduler directly (Libraries/SwiftTorch/Checkpoint+Training.swift).
///
/// ```swift
/// try Checkpoint.save(to: "run.ckpt.safetensors", model: model, optimizer: opt, scheduler: sched,
///                     epoch: epoch, step: step)
/// let ckpt = try Checkpoint.load("run.ckpt.safetensors")
/// try ckpt.restore(model: model, optimizer: opt, scheduler: sched)
/// ```
public struct Checkpoint {
    /// The format tag written into every checkpoint's metadata.
    public static let format = "swifttorch-checkpoint-1"

    /// The model's state dictionary.
    public var model: [String: Tensor]
    /// The optimizer's state tensors and metadata, if saved.
    public var optimizer: (tensors: [String: Tensor], metadata: [String: String])?
    /// The scheduler's state, if saved.
    public var scheduler: [String: String]?
    /// The epoch the checkpoint was written after.
    public var epoch: Int
    /// The global step.
    public var step: Int
    /// Generator states by name (`getState()` tensors).
    public var generators: [String: Tensor]
    /// Other string entries (the generator state, user data).
    public var metadata: [String: String]

    /// Writes a checkpoint of a model's state dictionary (and optionally an optimizer's and a
    /// scheduler's state) atomically.
    ///
    /// ```swift
    /// try Checkpoint.save(to: path, modelState: model.stateDict(), epoch: 3, step: 1200)
    /// ```
    public static func save(
        to path: String, modelState: [String: Tensor],
        optimizerState: (tensors: [String: Tensor], metadata: [String: String])? = nil,
        schedulerState: [String: String]? = nil,
        epoch: Int, step: Int, generators: [String: Generator] = ["default": .default],
        metadata: [String: String] = [:]
    ) throws {
        var tensors: [String: Tensor] = [:]
        var meta: [String: String] = ["format": format, "epoch": String(epoch), "step": String(step)]
        for (k, v) in modelState { tensors["model." + k] = v }
        if let (t, m) = optimizerState {
            for (k, v) in t { tensors["optimizer." + k] = v }
            for (k, v) in m { meta["optimizer." + k] = v }
            meta["has_optimizer"] = "1"
        }
        if let schedulerState {
            for (k, v) in schedulerState { meta["scheduler." + k] = v }
            meta["has_scheduler"] = "1"
        }
        for (name, g) in generators { tensors["generator." + name] = g.getState() }
        for (k, v) in metadata { meta["user." + k] = v }
        try SafeTensors.save(tensors, metadata: meta, to: path)
    }

    /// Reads a checkpoint written by `save` (any other safetensors file is refused).
    public static func load(_ path: String) throws -> Checkpoint {
        let (tensors, meta) = try SafeTensors.load(path)
        guard meta["format"] == format else {
            throw TorchError(
                "\(path) is not a SwiftTorch checkpoint (format \(meta["format"].map { "'\($0)'" } ?? "missing"), "
                    + "expected '\(format)')"
            )
        }
        guard let epoch = meta["epoch"].flatMap({ Int($0) }), let step = meta["step"].flatMap({ Int($0) }) else {
            throw TorchError("\(path): checkpoint metadata lacks an integer epoch and step")
        }
        func strip(_ prefix: String, _ d: [String: Tensor]) -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for (k, v) in d where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = v }
            return out
        }
        func stripMeta(_ prefix: String) -> [String: String] {
            var out: [String: String] = [:]
            for (k, v) in meta where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = v }
            return out
        }
        return Checkpoint(
            model: strip("model.", tensors),
            optimizer: meta["has_optimizer"] == "1" ? (strip("optimizer.", tensors), stripMeta("optimizer.")) : nil,
            scheduler: meta["has_scheduler"] == "1" ? stripMeta("scheduler.") : nil,
            epoch: epoch, step: step, generators: strip("generator.", tensors), metadata: stripMeta("user."))
    }

    /// Restores the generators' states. Asking for a generator the checkpoint does not hold is an error.
    ///
    /// ```swift
    /// try ckpt.restoreGenerators(["default": .default])
    /// ```
    public func restoreGenerators(_ generators: [String: Generator] = ["default": .default]) throws {
        for (name, g) in generators {
            guard let state = self.generators[name] else {
                throw TorchError("the checkpoint holds no state for generator '\(name)'")
            }
            try g.setState(state)
        }
    }
}
