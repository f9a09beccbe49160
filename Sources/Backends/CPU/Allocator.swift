import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// The caching CPU allocator: 64-byte aligned blocks, kept by size class after they are freed
/// and handed out again, so that an op that allocates its result does not pay for fresh pages
/// (DESIGN convention 8). Cached bytes are capped; past the cap freed blocks go back to the system.
@_spi(Kernels) public final class CPUAllocator: @unchecked Sendable {
    public static let shared = CPUAllocator()

    public struct Stats: Sendable {
        public var allocated = 0  // bytes in live blocks
        public var cached = 0  // bytes held in free lists
        public var hits = 0
        public var misses = 0
    }

    private struct State {
        /// Free blocks of up to 4 KiB by size class index (bytes / 64 - 1): an array lookup, no hashing.
        var small: [[UnsafeMutableRawPointer]] = Array(repeating: [], count: 64)
        var free: [Int: [UnsafeMutableRawPointer]] = [:]
        var stats = Stats()

        mutating func pop(_ size: Int) -> UnsafeMutableRawPointer? {
            size <= 4096 ? small[size / 64 - 1].popLast() : free[size]?.popLast()
        }

        mutating func push(_ p: UnsafeMutableRawPointer, _ size: Int) {
            if size <= 4096 { small[size / 64 - 1].append(p) } else { free[size, default: []].append(p) }
        }
    }

    private let state = Mutex(State())
    public var cacheLimit = 4 << 30

    /// Size class of a request: multiples of 64 bytes up to 1 MiB, then eighths of a power of two.
    @inlinable public static func sizeClass(_ bytes: Int) -> Int {
        let b = Swift.max(bytes, 1)
        if b <= 1 << 20 { return (b + 63) & ~63 }
        let p = Int.bitWidth - (b - 1).leadingZeroBitCount  // next power of two exponent
        let step = 1 << (p - 3)
        return (b + step - 1) / step * step
    }

    public func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        let size = CPUAllocator.sizeClass(bytes)
        let cached: UnsafeMutableRawPointer? = state.withLock { s in
            if let p = s.pop(size) {
                s.stats.cached -= size
                s.stats.allocated += size
                s.stats.hits += 1
                return p
            }
            s.stats.allocated += size
            s.stats.misses += 1
            return nil
        }
        if let p = cached { return p }
        var raw: UnsafeMutableRawPointer? = nil
        if posix_memalign(&raw, 64, size) != 0 || raw == nil {
            emptyCache()
            guard posix_memalign(&raw, 64, size) == 0, let r = raw else {
                fatalError("CPUAllocator: out of memory allocating \(size) bytes")
            }
            return r
        }
        return raw!
    }

    public func deallocate(_ p: UnsafeMutableRawPointer, bytes: Int) {
        let size = CPUAllocator.sizeClass(bytes)
        let keep: Bool = state.withLock { s in
            s.stats.allocated -= size
            if s.stats.cached + size > cacheLimit { return false }
            s.push(p, size)
            s.stats.cached += size
            return true
        }
        if !keep { free(p) }
    }

    /// Returns every cached block to the system.
    public func emptyCache() {
        let blocks: [UnsafeMutableRawPointer] = state.withLock { s in
            let all = s.free.values.flatMap { $0 } + s.small.flatMap { $0 }
            s.free = [:]
            s.small = Array(repeating: [], count: 64)
            s.stats.cached = 0
            return all
        }
        for p in blocks { free(p) }
    }

    public var stats: Stats { state.withLock { $0.stats } }
}
