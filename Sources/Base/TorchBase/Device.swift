/// Where a tensor's memory lives.
///
/// ```swift
/// let d: Device = .cuda(0)
/// d.description  // "cuda:0"
/// ```
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case cpu
    case cuda(Int)

    /// PyTorch's spelling: `cpu`, `cuda:0`.
    public var description: String {
        switch self {
        case .cpu: return "cpu"
        case .cuda(let i): return "cuda:\(i)"
        }
    }

    /// Whether this is a CUDA device.
    public var isCUDA: Bool { if case .cuda = self { return true } else { return false } }

    /// How Swift code names this device (`.cpu`, `.cuda(0)`), for descriptions.
    public var swiftLiteral: String {
        switch self {
        case .cpu: return ".cpu"
        case .cuda(let i): return ".cuda(\(i))"
        }
    }

    /// Whether a 0-d tensor on `other` may join an op on this device (PyTorch moves CPU scalars to
    /// any device; nothing else moves implicitly).
    ///
    /// ```swift
    /// Device.cuda(0).accepts0D(from: .cpu)   // true
    /// ```
    public func accepts0D(from other: Device) -> Bool { other == self || other == .cpu }

    /// How a tensor's description names this device after its values (empty for the CPU, as
    /// PyTorch prints no device for CPU tensors).
    public var descriptionSuffix: String { self == .cpu ? "" : ", device: \(swiftLiteral)" }

    /// The device an op over operands on `a` and `b` runs on: the accelerator when one of them is
    /// on the CPU (a CPU scalar meets a tensor on any device, as in PyTorch), else `a`.
    ///
    /// ```swift
    /// Device.common(.cpu, .cuda(0))   // .cuda(0)
    /// ```
    public static func common(_ a: Device, _ b: Device) -> Device { a == .cpu ? b : a }

    /// The CUDA device index (0 for the CPU).
    public var cudaIndex: Int { if case .cuda(let i) = self { return i } else { return 0 } }
}
