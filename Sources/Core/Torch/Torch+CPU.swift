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
        /// `Torch.cpu.emptyCache()`
        public static func emptyCache() { CPUAllocator.shared.emptyCache() }

        /// The most bytes of freed blocks the allocator keeps (default 256 MiB, or
        /// `SWIFTTORCH_CPU_CACHE_LIMIT`); lowering it frees the excess at once.
        /// `Torch.cpu.cacheLimit = 16 << 20`
        public static var cacheLimit: Int {
            get { CPUAllocator.shared.cacheLimit }
            set { CPUAllocator.shared.cacheLimit = newValue }
        }

        /// Starts the peaks (`peakAllocated`, and `peakResident` where Linux allows) from now.
        /// `Torch.cpu.resetPeakMemoryStats()`
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

extension Torch {
    /// Backend settings and facts (`torch.backends`).
    public enum Backends {
        /// The CPU backend: the CPU's features and the instruction set its kernels use.
        public enum CPU {
            /// The instruction set whose kernels run (`torch.backends.cpu.get_cpu_capability()`).
            ///
            /// ```swift
            /// print(Torch.backends.cpu.capability)   // avx2
            /// ```
            public static var capability: CPUCapability { CPUCapability.current }

            /// The best instruction set this CPU and its OS support.
            public static var bestCapability: CPUCapability { CPUCapability.best }

            /// Runs the kernels of `capability` from now on, as `SWIFTTORCH_CPU_CAPABILITY` does at
            /// start (to compare paths); false, with nothing changed, when the CPU lacks it.
            /// `Torch.backends.cpu.setCapability(.default)`
            @discardableResult public static func setCapability(_ capability: CPUCapability) -> Bool {
                CPUCapability.set(capability)
            }

            /// The CPU's name and the features CPUID reports ("avx2", "fma", "avx512f", ...,
            /// "avx512_bf16", "amx_tile").
            public static var cpuName: String { CPUFeatures.detected.brand }
            public static var features: [String] { CPUFeatures.detected.names }
            /// One line: name, vendor, family, model and features.
            public static var summary: String { CPUFeatures.detected.description }

            /// One thread's vector multiply-add throughput on the current path (GFLOP/s), measured
            /// by a chain of FMAs for about `seconds`: the peak GEMM is judged against.
            public static func fmaPeakGFLOPS(seconds: Double = 0.05) -> Double {
                CPUKernels.fmaPeakGFLOPS(seconds: seconds)
            }
        }

        public static var cpu: CPU.Type { CPU.self }
    }

    /// `Torch.backends.cpu.capability`.
    public static var backends: Backends.Type { Backends.self }
}
