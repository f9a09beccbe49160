/// Where a tensor's memory lives.
///
/// ```swift
/// let d: Device = .cuda(0)
/// d.description  // "cuda:0"
/// ```
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case cpu
    case cuda(Int)

    public var description: String {
        switch self {
        case .cpu: return "cpu"
        case .cuda(let i): return "cuda:\(i)"
        }
    }

    public var isCUDA: Bool { if case .cuda = self { return true } else { return false } }

    /// The CUDA device index (0 for the CPU).
    public var cudaIndex: Int { if case .cuda(let i) = self { return i } else { return 0 } }
}
