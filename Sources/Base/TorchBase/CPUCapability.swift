/// The instruction sets the CPU kernels are compiled for, of which one runs: the best the CPU has
/// unless `SWIFTTORCH_CPU_CAPABILITY` (or PyTorch's `ATEN_CPU_CAPABILITY`) asks for less (Note [CPU
/// capability] in the CPU backend's vmath.c). `Torch.backends.cpu.capability`.
public enum CPUCapability: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// x86-64's baseline (SSE2), and every other architecture.
    case `default` = 0
    /// AVX2 with FMA (Haswell, Zen 1-3 and later).
    case avx2 = 1
    /// AVX-512 F, DQ, BW and VL (Skylake-X, Ice Lake, Sapphire Rapids, Zen 4, Zen 5).
    case avx512 = 2

    public static func < (a: CPUCapability, b: CPUCapability) -> Bool { a.rawValue < b.rawValue }

    /// "default", "avx2" or "avx512", the values `SWIFTTORCH_CPU_CAPABILITY` takes.
    public var description: String {
        switch self {
        case .default: return "default"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }

    /// PyTorch's name for it (`torch.backends.cpu.get_cpu_capability()`: "DEFAULT", "AVX2", "AVX512").
    public var pytorchName: String { description.uppercased() }
}
