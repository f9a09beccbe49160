import TorchBase
import _CTorch
#if canImport(Glibc)
    import Glibc
#endif

extension CPUCapability {
    /// The best this CPU and its OS support.
    @_spi(Kernels) public static var best: CPUCapability {
        CPUCapability(rawValue: Int(ctorch_best_capability())) ?? .default
    }

    /// The one whose kernels run.
    @_spi(Kernels) public static var current: CPUCapability {
        CPUCapability(rawValue: Int(ctorch_capability())) ?? .default
    }

    /// Switches the kernels to `capability`'s copies; false, with nothing changed, when the CPU lacks it.
    @_spi(Kernels) @discardableResult public static func set(_ capability: CPUCapability) -> Bool {
        ctorch_set_capability(Int32(capability.rawValue)) == 0
    }
}

/// The CPU's features as CPUID reports them (and the OS enables), read once.
@_spi(Kernels) public struct CPUFeatures: Sendable, CustomStringConvertible {
    public let avx, fma, avx2, avx512f, avx512dq, avx512bw, avx512vl, avx512vnni, avx512bf16: Bool
    public let amxTile, amxBF16, amxInt8: Bool
    /// The CPU's name (CPUID's brand string), vendor, family and model.
    public let brand: String, vendor: String, family: Int, model: Int

    public static let detected = CPUFeatures()

    init() {
        let f = ctorch_cpu_features()
        avx = f & UInt64(CTORCH_FEATURE_AVX) != 0
        fma = f & UInt64(CTORCH_FEATURE_FMA) != 0
        avx2 = f & UInt64(CTORCH_FEATURE_AVX2) != 0
        avx512f = f & UInt64(CTORCH_FEATURE_AVX512F) != 0
        avx512dq = f & UInt64(CTORCH_FEATURE_AVX512DQ) != 0
        avx512bw = f & UInt64(CTORCH_FEATURE_AVX512BW) != 0
        avx512vl = f & UInt64(CTORCH_FEATURE_AVX512VL) != 0
        avx512vnni = f & UInt64(CTORCH_FEATURE_AVX512VNNI) != 0
        avx512bf16 = f & UInt64(CTORCH_FEATURE_AVX512BF16) != 0
        amxTile = f & UInt64(CTORCH_FEATURE_AMX_TILE) != 0
        amxBF16 = f & UInt64(CTORCH_FEATURE_AMX_BF16) != 0
        amxInt8 = f & UInt64(CTORCH_FEATURE_AMX_INT8) != 0
        var info = (brand: "", vendor: "", family: 0, model: 0)
        // /proc/cpuinfo names the model; CPUID's brand string is the same text.
        if let file = fopen("/proc/cpuinfo", "r") {
            defer { fclose(file) }
            var line = [CChar](repeating: 0, count: 512)
            while fgets(&line, 512, file) != nil {
                let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let parts = text.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else {
                    if !info.brand.isEmpty { break }  // the end of the first processor's block
                    continue
                }
                let key = parts[0].trimmingSpaces, value = parts[1].trimmingSpaces
                switch key {
                case "model name": info.brand = value
                case "vendor_id": info.vendor = value
                case "cpu family": info.family = Int(value) ?? 0
                case "model": info.model = Int(value) ?? 0
                default: break
                }
            }
        }
        (brand, vendor, family, model) = info
    }

    /// The features present, by their usual names ("avx2 fma avx512f ...").
    public var names: [String] {
        let all: [(String, Bool)] = [
            ("avx", avx), ("avx2", avx2), ("fma", fma), ("avx512f", avx512f), ("avx512dq", avx512dq),
            ("avx512bw", avx512bw), ("avx512vl", avx512vl), ("avx512_vnni", avx512vnni),
            ("avx512_bf16", avx512bf16), ("amx_tile", amxTile), ("amx_bf16", amxBF16), ("amx_int8", amxInt8),
        ]
        return all.filter { $0.1 }.map { $0.0 }
    }

    /// "AMD EPYC ... (family 25, model 1): avx avx2 fma".
    public var description: String {
        "\(brand.isEmpty ? "unknown CPU" : brand) (\(vendor), family \(family), model \(model)): "
            + (names.isEmpty ? "no AVX" : names.joined(separator: " "))
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" }.reversed())
    }
}

extension CPUKernels {
    /// One thread's multiply-add throughput on the current capability's path, in GFLOP/s: a
    /// chain of vector FMAs run for about `seconds`.
    public static func fmaPeakGFLOPS(seconds: Double = 0.05) -> Double {
        func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
        }
        _ = ctorch_fma_peak(100_000)  // warm up (and let the clock ramp)
        var iters = 100_000
        while true {
            let t0 = now()
            let flops = ctorch_fma_peak(iters)
            let t = now() - t0
            if t >= seconds { return flops / t / 1e9 }
            iters *= 2
        }
    }
}

extension CPUKernels {
    /// The kernels OpenBLAS chose for this CPU ("Zen", "Haswell", "SkylakeX", "Cooperlake", ...).
    public static var blasCoreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// The kernels GEMM runs on, after this library's check of OpenBLAS's choice (Note [OpenBLAS
    /// kernels]): "SkylakeX (OpenBLAS chose Prescott)" where it switched them.
    public static var gemmKernels: String {
        _ = blasSingleThreaded
        return blasCoreName + (switchedFrom.map { " (OpenBLAS chose \($0))" } ?? "")
    }
}
