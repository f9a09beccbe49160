// `import Torch` brings TorchBase's vocabulary (DType, Device, Layout, ...) with it.
@_exported import TorchBase

/// Global settings and entry points, PyTorch's `torch.*` functions that are not methods.
public enum Torch {
    /// The dtype that floating factories and Swift `Double` literals use (`torch.get_default_dtype`).
    nonisolated(unsafe) public static var defaultDType: DType = .float32

    /// Seeds the default generator: the same seed gives the same numbers on every run.
    public static func manualSeed(_ seed: UInt64) { Generator.default.manualSeed(seed) }
}
