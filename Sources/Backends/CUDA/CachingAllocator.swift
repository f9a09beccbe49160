import TorchBase
import Synchronization

/// Raw device memory, as the caching allocator needs it: the CUDA driver on a GPU, or a
/// simulated device in tests.
public protocol DeviceMemory: AnyObject {
    /// A fresh segment of `bytes`, or nil when the device is out of memory.
    func rawAllocate(_ bytes: Int) -> UInt64?
    func rawFree(_ address: UInt64)
    /// Free bytes on the device, as far as the driver knows.
    var freeBytes: Int { get }
}

/// The caching allocator in the spirit of PyTorch's: requests are rounded to 512 bytes; small
/// ones (≤ 1 MiB) are carved out of 2 MiB segments, large ones out of segments of their own
/// (20 MiB for requests under 10 MiB). A freed block goes back to its pool, tagged with its
/// stream, is split when a smaller request takes it, and merges with free neighbours in its
/// segment. When the device is out of memory, cached segments are released and the request
/// retried before `CUDAError.outOfMemory` is thrown; the allocator stays usable afterwards.
public final class CachingAllocator: @unchecked Sendable {
    public struct Stats: Sendable, Equatable {
        public var allocated = 0  // bytes in blocks handed out
        public var reserved = 0  // bytes in segments held from the device
        public var maxAllocated = 0
        public var numAllocs = 0
        public var numFrees = 0
        public var numSegments = 0
        public var numOOMRetries = 0
    }

    final class Block {
        let segment: UInt64
        let address: UInt64
        var size: Int
        var free = true
        let small: Bool
        var stream: Int
        weak var prev: Block?  // the chain of a segment is owned from its first block
        var next: Block?
        init(segment: UInt64, address: UInt64, size: Int, small: Bool, stream: Int) {
            self.segment = segment; self.address = address; self.size = size; self.small = small; self.stream = stream
        }
    }

    struct State {
        var freeSmall: [Block] = []
        var freeLarge: [Block] = []
        var live: [UInt64: Block] = [:]
        var segments: [UInt64: (size: Int, first: Block)] = [:]
        var stats = Stats()
    }

    let device: DeviceMemory
    private let state = Mutex(State())
    public static let smallLimit = 1 << 20
    public static let smallSegment = 2 << 20

    public init(device: DeviceMemory) { self.device = device }

    public static func roundSize(_ bytes: Int) -> Int { Swift.max(512, (bytes + 511) / 512 * 512) }

    static func segmentSize(_ rounded: Int) -> Int {
        if rounded <= smallLimit { return smallSegment }
        if rounded < 10 << 20 { return 20 << 20 }
        return (rounded + (2 << 20) - 1) / (2 << 20) * (2 << 20)
    }

    /// Device address of a block of at least `bytes`, for use on `stream`.
    public func allocate(_ bytes: Int, stream: Int = 0) throws -> UInt64 {
        let size = CachingAllocator.roundSize(bytes)
        let small = size <= CachingAllocator.smallLimit
        if let b = state.withLock({ takeCached(&$0, size: size, small: small, stream: stream) }) { return b }
        let segSize = CachingAllocator.segmentSize(size)
        var address = device.rawAllocate(segSize)
        if address == nil {
            // Out of memory: give cached segments back and retry once.
            state.withLock { $0.stats.numOOMRetries += 1 }
            emptyCache()
            address = device.rawAllocate(segSize)
        }
        guard let seg = address else {
            let s = stats
            throw CUDAError.outOfMemory(
                requested: bytes, free: device.freeBytes, reserved: s.reserved, allocated: s.allocated)
        }
        return state.withLock { s in
            let block = Block(segment: seg, address: seg, size: segSize, small: small, stream: stream)
            s.segments[seg] = (segSize, block)
            s.stats.reserved += segSize
            s.stats.numSegments += 1
            return carve(&s, block, size: size)
        }
    }

    /// Takes the best-fitting cached block (smallest that fits, same stream), split if larger.
    private func takeCached(_ s: inout State, size: Int, small: Bool, stream: Int) -> UInt64? {
        let pool = small ? s.freeSmall : s.freeLarge
        var best = -1
        for (i, b) in pool.enumerated() where b.stream == stream && b.size >= size {
            if best < 0 || b.size < pool[best].size { best = i }
        }
        if best < 0 { return nil }
        let block = pool[best]
        if small { s.freeSmall.remove(at: best) } else { s.freeLarge.remove(at: best) }
        return carve(&s, block, size: size)
    }

    /// Hands out the first `size` bytes of free `block`, returning the rest to the pool.
    private func carve(_ s: inout State, _ block: Block, size: Int) -> UInt64 {
        let remainder = block.size - size
        let minSplit = block.small ? 512 : CachingAllocator.smallLimit
        if remainder >= minSplit {
            let rest = Block(
                segment: block.segment, address: block.address + UInt64(size), size: remainder,
                small: block.small, stream: block.stream)
            rest.prev = block
            rest.next = block.next
            block.next?.prev = rest
            block.next = rest
            block.size = size
            if rest.small { s.freeSmall.append(rest) } else { s.freeLarge.append(rest) }
        }
        block.free = false
        s.live[block.address] = block
        s.stats.allocated += block.size
        s.stats.maxAllocated = Swift.max(s.stats.maxAllocated, s.stats.allocated)
        s.stats.numAllocs += 1
        return block.address
    }

    /// Returns a block to its pool, merging it with free neighbours of the same segment.
    public func free(_ address: UInt64) {
        state.withLock { s in
            guard let block = s.live.removeValue(forKey: address) else {
                fatalError("CachingAllocator: free of an address it did not hand out: 0x\(String(address, radix: 16))")
            }
            s.stats.allocated -= block.size
            s.stats.numFrees += 1
            block.free = true
            var merged = block
            if let n = merged.next, n.free, n.stream == merged.stream {
                s.removeFree(n)
                merged.size += n.size
                merged.next = n.next
                n.next?.prev = merged
            }
            if let p = merged.prev, p.free, p.stream == merged.stream {
                s.removeFree(p)
                p.size += merged.size
                p.next = merged.next
                merged.next?.prev = p
                merged = p
            }
            if merged.small { s.freeSmall.append(merged) } else { s.freeLarge.append(merged) }
        }
    }

    /// Releases every segment that has no block in use.
    public func emptyCache() {
        let released: [UInt64] = state.withLock { s in
            var out: [UInt64] = []
            for (seg, info) in s.segments {
                let whole = [s.freeSmall, s.freeLarge].joined().first {
                    $0.address == seg && $0.size == info.size && $0.free
                }
                if let w = whole {
                    s.removeFree(w)
                    s.segments[seg] = nil
                    s.stats.reserved -= info.size
                    s.stats.numSegments -= 1
                    out.append(seg)
                }
            }
            return out
        }
        for seg in released { device.rawFree(seg) }
    }

    public var stats: Stats { state.withLock { $0.stats } }

    /// Resets the peak statistic (`torch.cuda.reset_peak_memory_stats`).
    public func resetPeak() { state.withLock { $0.stats.maxAllocated = $0.stats.allocated } }
}

extension CachingAllocator.State {
    mutating func removeFree(_ b: CachingAllocator.Block) {
        if let i = freeSmall.firstIndex(where: { $0 === b }) {
            freeSmall.remove(at: i)
        } else if let i = freeLarge.firstIndex(where: { $0 === b }) {
            freeLarge.remove(at: i)
        }
    }
}
