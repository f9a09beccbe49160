import TorchBase
import TorchCPU

/// Global settings and entry points, PyTorch's `torch.*` functions that are not methods.
public enum Torch {
    /// The dtype that floating factories and Swift `Double` literals use (`torch.get_default_dtype`).
    nonisolated(unsafe) public static var defaultDType: DType = .float32

    /// Seeds the default generator: the same seed gives the same numbers on every run.
    public static func manualSeed(_ seed: UInt64) { Generator.default.manualSeed(seed) }

    /// Number of threads CPU kernels use (`torch.set_num_threads`).
    public static var numThreads: Int {
        get { Parallel.threadCount }
        set { Parallel.threadCount = max(1, newValue) }
    }
}

/// Thin calls from the core into the CPU backend for the operations every file needs.
enum CPUKernelsBridge {
    static func fill(_ t: Tensor, _ v: Double, exactInt: Int64?) {
        Kernels.fill(t.operand, v, exactInt: exactInt, t.device)
        t.bumpVersion()
    }
}
