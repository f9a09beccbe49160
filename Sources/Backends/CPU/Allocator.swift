import Synchronization
import _CTorch
#if canImport(Glibc)
    import Glibc
#endif

// Note [CPU memory]
// The caching CPU allocator keeps freed blocks by size class and hands them out again, so that an
// op that allocates its result does not pay for fresh pages (DESIGN convention 8): a fresh 1 MiB
// block costs 256 page faults (about 60 µs here), more than the add that fills it. What it keeps
// is bounded, because every cached byte is resident memory the program is not using:
// - `cacheLimit` bytes in all (default 256 MiB, `SWIFTTORCH_CPU_CACHE_LIMIT` in bytes or with a
//   K/M/G suffix, `Torch.cpu.cacheLimit` at run time); a freed block that would pass the limit
//   goes back to the system, and so does every block larger than a quarter of the limit (a
//   dataset-sized temporary is not worth keeping: its page faults are small beside its work).
//   Measured on the 2-core Zen 3 machine: at 64 MiB the 33 MB outputs of `torch-bench`'s
//   interpolation rows and the Transformer's activations were refaulted on every call (2.2x and
//   1.8x slower than with a cache); at 256 MiB they run as with an unbounded cache, the main job
//   peaks at 88 MiB either way (its live temporaries are small), and the MNIST example with
//   1 000-image test batches at 609 MB (442 MB at 64 MiB; PyTorch 1 165 MiB).
//   glibc's malloc would otherwise keep large freed blocks resident in its heap (its mmap
//   threshold rises to each large block freed), so the allocator fixes that threshold at 1 MiB.
// - A freed block that would pass the limit first makes room by returning cached blocks of other
//   sizes, largest first: what was freed last is what a loop asks for next. Keeping the old
//   blocks instead, `torch-bench --kernels` ran its Transformer row at 401 ms after the SGEMM rows
//   had filled the cache with 64 MiB blocks, against 266 ms alone.
// - Lowering the limit trims the cache at once; `Torch.cpu.emptyCache()` empties it.
// Until stop 28 the limit was 4 GiB and every temporary was kept: the main job (an MLP on
// Fashion-MNIST) peaked at 1.84 GB resident, most of it normalised copies of the dataset held in
// the cache after they died. `Torch.cpu.memoryStats()` reports live, cached and peak bytes beside
// the process's resident set (VmRSS/VmHWM), so each phase of a program can be measured.

/// The caching CPU allocator: 64-byte aligned blocks, kept by size class after they are freed and
/// handed out again, within a bounded cache (Note [CPU memory]).
@_spi(Kernels) public final class CPUAllocator: @unchecked Sendable {
    public static let shared = CPUAllocator()

    public struct Stats: Sendable {
        public var allocated = 0  // bytes in live blocks
        public var cached = 0  // bytes held in free lists
        public var peakAllocated = 0  // the most `allocated` has been since the last reset
        public var hits = 0
        public var misses = 0
    }

    private struct State {
        /// Free blocks of up to 4 KiB by size class index (bytes / 64 - 1): an array lookup, no hashing.
        var small: [[UnsafeMutableRawPointer]] = Array(repeating: [], count: 64)
        var free: [Int: [UnsafeMutableRawPointer]] = [:]
        var stats = Stats()
        var limit = CPUAllocator.defaultLimit()

        mutating func pop(_ size: Int) -> UnsafeMutableRawPointer? {
            size <= 4096 ? small[size / 64 - 1].popLast() : free[size]?.popLast()
        }

        mutating func push(_ p: UnsafeMutableRawPointer, _ size: Int) {
            if size <= 4096 { small[size / 64 - 1].append(p) } else { free[size, default: []].append(p) }
        }

        /// Takes cached blocks out, largest first (blocks of size `sparing` last), until at most
        /// `target` bytes stay cached.
        mutating func trim(to target: Int, sparing: Int = 0) -> [UnsafeMutableRawPointer] {
            var out: [UnsafeMutableRawPointer] = []
            let order = free.keys.filter { $0 != sparing }.sorted(by: >) + (free[sparing] == nil ? [] : [sparing])
            for size in order where stats.cached > target {
                while stats.cached > target, let p = free[size]?.popLast() {
                    out.append(p)
                    stats.cached -= size
                }
                if free[size]?.isEmpty == true { free[size] = nil }
            }
            var i = small.count - 1
            while stats.cached > target && i >= 0 {
                while stats.cached > target, let p = small[i].popLast() {
                    out.append(p)
                    stats.cached -= (i + 1) * 64
                }
                i -= 1
            }
            return out
        }
    }

    private let state = Mutex(State())

    private init() {
        // glibc raises its mmap threshold to the size of each large block freed (up to 32 MiB), after
        // which such blocks come from the heap and their pages stay resident after `free`. Blocks
        // this cache does not keep should go back to the system: fix the threshold at 1 MiB.
        ctorch_set_mmap_threshold(1 << 20)
    }

    /// The default cache bound: `SWIFTTORCH_CPU_CACHE_LIMIT` (bytes, or with a K/M/G suffix), else 256 MiB.
    static func defaultLimit() -> Int {
        guard let raw = getenv("SWIFTTORCH_CPU_CACHE_LIMIT") else { return 256 << 20 }
        return parseByteCount(String(cString: raw)) ?? (256 << 20)
    }

    /// "64M", "1G", "4096", "0" as a byte count; nil when it is not one.
    public static func parseByteCount(_ text: String) -> Int? {
        var digits = Substring(text.trimmingCharacters())
        var scale = 1
        if let last = digits.last, let shift = ["K": 10, "M": 20, "G": 30][String(last).uppercased()] {
            scale = 1 << shift
            digits = digits.dropLast()
        }
        guard let v = Int(digits), v >= 0 else { return nil }
        let (r, overflow) = v.multipliedReportingOverflow(by: scale)
        return overflow ? nil : r
    }

    /// Bytes the cache may hold in all; lowering it returns the excess to the system at once.
    public var cacheLimit: Int {
        get { state.withLock { $0.limit } }
        set {
            let blocks = state.withLock { s in
                s.limit = Swift.max(0, newValue)
                return s.trim(to: s.limit)
            }
            for p in blocks { free(p) }
        }
    }

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
            s.stats.allocated += size
            s.stats.peakAllocated = Swift.max(s.stats.peakAllocated, s.stats.allocated)
            if let p = s.pop(size) {
                s.stats.cached -= size
                s.stats.hits += 1
                return p
            }
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
        // A block freed now is likelier to be asked for again than blocks of other sizes cached
        // earlier (a loop frees what its next iteration allocates): make room by returning those,
        // largest first, rather than dropping this one.
        let (keep, evicted): (Bool, [UnsafeMutableRawPointer]) = state.withLock { s in
            s.stats.allocated -= size
            if size > s.limit / 4 { return (false, []) }
            let out = s.stats.cached + size > s.limit ? s.trim(to: s.limit - size, sparing: size) : []
            if s.stats.cached + size > s.limit { return (false, out) }
            s.push(p, size)
            s.stats.cached += size
            return (true, out)
        }
        for q in evicted { free(q) }
        if !keep { free(p) }
    }

    /// Returns every cached block to the system.
    public func emptyCache() {
        let blocks: [UnsafeMutableRawPointer] = state.withLock { s in s.trim(to: 0) }
        for p in blocks { free(p) }
    }

    /// Starts `peakAllocated` again from the bytes live now.
    public func resetPeak() { state.withLock { $0.stats.peakAllocated = $0.stats.allocated } }

    public var stats: Stats { state.withLock { $0.stats } }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " || $0 == "\n" }).reversed())
    }
}
