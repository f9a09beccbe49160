import TorchBase
import TorchCPU

/// The memory behind one or more tensors. Views share it; the version counter counts in-place
/// writes through any of them (autograd compares it to detect stale saved tensors).
public final class Storage: @unchecked Sendable {
    public let data: UnsafeMutableRawPointer
    public let byteCount: Int
    public let device: Device
    /// Bumped by every in-place write.
    public var version: Int = 0
    private let onFree: (() -> Void)?
    private let cached: Bool

    /// Fresh memory from the caching allocator (contents undefined).
    public init(byteCount: Int, device: Device = .cpu) {
        precondition(device == .cpu, "Storage: device \(device) is not available in this build")
        self.byteCount = byteCount
        self.device = device
        self.data = CPUAllocator.shared.allocate(byteCount)
        self.onFree = nil
        self.cached = true
    }

    /// Wraps memory the caller owns; `onFree` runs when the last tensor using it goes away.
    public init(wrapping data: UnsafeMutableRawPointer, byteCount: Int, device: Device = .cpu, onFree: (() -> Void)? = nil) {
        self.data = data
        self.byteCount = byteCount
        self.device = device
        self.onFree = onFree
        self.cached = false
    }

    deinit {
        if cached { CPUAllocator.shared.deallocate(data, bytes: byteCount) } else { onFree?() }
    }
}
