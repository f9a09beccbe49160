import TorchBase

/// The memory behind one or more tensors. Views share it; the version counter counts in-place
/// writes through any of them (autograd compares it to detect stale saved tensors).
public final class Storage: @unchecked Sendable {
    /// The first byte (a device address on CUDA, never dereferenced on the host).
    public let data: UnsafeMutableRawPointer
    /// The size in bytes.
    public let byteCount: Int
    /// Where the memory lives.
    public let device: Device
    /// Bumped by every in-place write.
    public var version: Int = 0
    private let onFree: (() -> Void)?
    private let cached: Bool

    /// Fresh memory from the device's caching allocator (contents undefined). On CUDA, running
    /// out of memory after the cache was released traps; use `init(throwingByteCount:device:)`
    /// to catch it.
    public convenience init(byteCount: Int, device: Device = .cpu) {
        do { try self.init(throwingByteCount: byteCount, device: device) } catch {
            fatalError("Storage on \(device): \(error)")
        }
    }

    /// Fresh memory, throwing `CUDAError` when the device cannot provide it.
    public init(throwingByteCount byteCount: Int, device: Device = .cpu) throws {
        self.byteCount = byteCount
        self.device = device
        self.onFree = nil
        self.cached = true
        self.data = try Kernels.allocate(byteCount, device)
    }

    /// Wraps memory the caller owns; `onFree` runs when the last tensor using it goes away.
    public init(
        wrapping data: UnsafeMutableRawPointer, byteCount: Int, device: Device = .cpu, onFree: (() -> Void)? = nil
    ) {
        self.data = data
        self.byteCount = byteCount
        self.device = device
        self.onFree = onFree
        self.cached = false
    }

    deinit {
        if !cached { onFree?(); return }
        Kernels.deallocate(data, bytes: byteCount, device)
    }
}
