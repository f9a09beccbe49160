@_spi(Kernels) import TorchCPU
#if canImport(Glibc)
    import Glibc
#endif

extension Torch {
    /// The CPU's memory: the caching allocator's bounds and statistics and the process's resident
    /// memory (Note [CPU memory] in the CPU backend). `Torch.cpu.memoryStats()`.
    public enum CPU {
        /// What `memoryStats()` reports, in bytes.
        public struct MemoryStats: Sendable, CustomStringConvertible {
            /// Bytes in live tensors' blocks (as allocated, rounded to size classes).
            public var allocated: Int
            /// The most `allocated` has been since start or `resetPeakMemoryStats()`.
            public var peakAllocated: Int
            /// Bytes of freed blocks the allocator keeps for reuse.
            public var cached: Int
            /// The bound on `cached`.
            public var cacheLimit: Int
            /// Allocations served from the cache, and from the system.
            public var cacheHits: Int, cacheMisses: Int
            /// The process's resident memory now (Linux `VmRSS`; 0 where unknown).
            public var resident: Int
            /// The process's peak resident memory (`VmHWM`) since start or `resetPeakMemoryStats()`.
            public var peakResident: Int

            /// One line in MiB.
            public var description: String {
                func mib(_ b: Int) -> String { String(Double(b / 10_486) / 100) + " MiB" }
                return "allocated \(mib(allocated)) (peak \(mib(peakAllocated))), cached \(mib(cached)) "
                    + "of \(mib(cacheLimit)), resident \(mib(resident)) (peak \(mib(peakResident)))"
            }
        }

        /// Live, cached and peak bytes of the CPU allocator beside the process's resident memory.
        ///
        /// ```swift
        /// print(Torch.cpu.memoryStats().peakResident / 1_048_576, "MiB")
        /// ```
        public static func memoryStats() -> MemoryStats {
            let s = CPUAllocator.shared.stats
            let (rss, hwm) = residentMemory()
            return MemoryStats(
                allocated: s.allocated, peakAllocated: s.peakAllocated, cached: s.cached,
                cacheLimit: CPUAllocator.shared.cacheLimit, cacheHits: s.hits, cacheMisses: s.misses,
                resident: rss, peakResident: hwm)
        }

        /// Returns the allocator's cached blocks to the system (`torch.cuda.empty_cache`'s CPU twin).
        /// ```Torch.cpu.emptyCache()```
        public static func emptyCache() { CPUAllocator.shared.emptyCache() }

        /// The most bytes of freed blocks the allocator keeps (default 256 MiB, or
        /// `SWIFTTORCH_CPU_CACHE_LIMIT`); lowering it frees the excess at once.
        /// ```Torch.cpu.cacheLimit = 16 << 20```
        public static var cacheLimit: Int {
            get { CPUAllocator.shared.cacheLimit }
            set { CPUAllocator.shared.cacheLimit = newValue }
        }

        /// Starts the peaks (`peakAllocated`, and `peakResident` where Linux allows) from now.
        /// ```Torch.cpu.resetPeakMemoryStats()```
        public static func resetPeakMemoryStats() {
            CPUAllocator.shared.resetPeak()
            // Writing 5 to clear_refs resets VmHWM to the current resident size (Linux 4.0+).
            if let f = fopen("/proc/self/clear_refs", "w") {
                fputs("5", f)
                fclose(f)
            }
        }

        /// VmRSS and VmHWM of this process in bytes, from /proc/self/status (0, 0 elsewhere).
        static func residentMemory() -> (Int, Int) {
            guard let f = fopen("/proc/self/status", "r") else { return (0, 0) }
            defer { fclose(f) }
            var rss = 0, hwm = 0
            var line = [CChar](repeating: 0, count: 256)
            while fgets(&line, 256, f) != nil {
                let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
                let kib = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
                if text.hasPrefix("VmRSS:") { rss = kib * 1024 }
                if text.hasPrefix("VmHWM:") { hwm = kib * 1024 }
            }
            return (rss, hwm)
        }
    }

    /// `Torch.cpu.memoryStats()`, `Torch.cpu.emptyCache()`, `Torch.cpu.cacheLimit`.
    public static var cpu: CPU.Type { CPU.self }
}
