import Torch
import TorchIO
import TorchNN
import TorchOptim

// Checkpoints of the training objects themselves: TorchIO stores state dictionaries and knows
// nothing of nn or optim (libraries use only core); these forms, above all the libraries, take the
// module, optimizer and scheduler and convert.
extension Checkpoint {
    /// Writes a checkpoint of `model` (and optionally `optimizer`, `scheduler`) atomically.
    ///
    /// ```swift
    /// try Checkpoint.save(to: "run.ckpt.safetensors", model: model, optimizer: opt, epoch: e, step: s)
    /// ```
    public static func save(
        to path: String, model: Module, optimizer: Optimizer? = nil, scheduler: SchedulerState? = nil,
        epoch: Int, step: Int, generators: [String: Generator] = ["default": .default],
        metadata: [String: String] = [:]
    ) throws {
        try save(
            to: path, modelState: model.stateDict(), optimizerState: optimizer?.stateDict(),
            schedulerState: scheduler?.stateDict(), epoch: epoch, step: step, generators: generators,
            metadata: metadata)
    }

    /// Loads the saved state into `model`, `optimizer`, `scheduler` and `generators`. Asking for a
    /// part the checkpoint does not hold is an error.
    ///
    /// ```swift
    /// try Checkpoint.load(path).restore(model: model, optimizer: opt, scheduler: sched)
    /// ```
    public func restore(
        model: Module, optimizer: Optimizer? = nil, scheduler: SchedulerState? = nil,
        generators: [String: Generator] = ["default": .default], strict: Bool = true
    ) throws {
        _ = try model.loadStateDict(self.model, strict: strict)
        if let optimizer {
            guard let state = self.optimizer else { throw TorchError("the checkpoint holds no optimizer state") }
            try optimizer.loadStateDict(state.tensors, metadata: state.metadata)
        }
        if let scheduler {
            guard let state = self.scheduler else { throw TorchError("the checkpoint holds no scheduler state") }
            try scheduler.loadStateDict(state)
        }
        try restoreGenerators(generators)
    }
}
