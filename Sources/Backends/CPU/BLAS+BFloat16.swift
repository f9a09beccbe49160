import Synchronization
import TorchBase
import _CTorch

// bfloat16 products on AMX tiles (Note [bfloat16 GEMM] in vbf16.c).
extension CPUKernels {
    /// Whether bfloat16 products run the AMX kernel: the CPU has AMX-BF16, Linux granted the tile
    /// state, and the chosen kernel path is avx512 (`SWIFTTORCH_CPU_CAPABILITY=avx2` or `default`
    /// takes the float32 route).
    public static var bf16GemmAvailable: Bool {
        let f = CPUFeatures.detected
        return f.amxTile && f.amxBF16 && f.avx512bf16 && CPUCapability.current == .avx512 && ctorch_amx_enable() == 1
    }

    /// How many bfloat16 products ran on AMX tiles (tests read it to see which route ran).
    public static let amxProducts = Atomic<Int>(0)

    /// `C = A·B + beta·C` for bfloat16 matrices given by pointers and strides in elements: the
    /// products summed in float32 and rounded to bfloat16 once (with `beta·C` added in float32
    /// first), as PyTorch. Without the AMX kernel, through float32 copies and SGEMM.
    static func bf16Gemm(
        m: Int, n: Int, k: Int, a: UnsafePointer<BFloat16>, aRow: Int, aCol: Int,
        b: UnsafePointer<BFloat16>, bRow: Int, bCol: Int,
        c: UnsafeMutablePointer<BFloat16>, cRow: Int, beta: Double
    ) {
        if k >= 64 && m * n * k >= 1 << 20 && bf16GemmAvailable {
            // Smaller products (or a short k, padded to 32 here) run faster through float32.
            amxProducts.add(1, ordering: .relaxed)
            let rows = (m + Int(CTORCH_BF16_ROWS) - 1) / Int(CTORCH_BF16_ROWS) * Int(CTORCH_BF16_ROWS)
            let kp = ((k + 1) / 2 + Int(CTORCH_BF16_PAIRS) - 1) / Int(CTORCH_BF16_PAIRS) * Int(CTORCH_BF16_PAIRS)
            let pa = CPUAllocator.shared.allocate(rows * kp * 4).bindMemory(to: UInt32.self, capacity: rows * kp)
            defer { CPUAllocator.shared.deallocate(pa, bytes: rows * kp * 4) }
            let a16 = UnsafeRawPointer(a).assumingMemoryBound(to: UInt16.self)
            let b16 = UnsafeRawPointer(b).assumingMemoryBound(to: UInt16.self)
            let c16 = UnsafeMutableRawPointer(c).assumingMemoryBound(to: UInt16.self)
            Parallel.forRange(rows, grain: Swift.max(1, 65_536 / kp)) { r in
                ctorch_bf16_pack_a(a16, aRow, aCol, m, k, pa, r.lowerBound, r.upperBound)
            }
            // Units: 64-column panels, and row chunks (multiples of 32) when there are fewer panels
            // than threads.
            let panels = (n + 63) / 64, blocks = rows / Int(CTORCH_BF16_ROWS)
            let chunks = Swift.min(blocks, Swift.max(1, Parallel.threadCount / panels))
            Parallel.forRange(panels * chunks, grain: 1) { r in
                for u in r {
                    let panel = u % panels, chunk = u / panels
                    let b0 = blocks * chunk / chunks, b1 = blocks * (chunk + 1) / chunks
                    let i0 = b0 * Int(CTORCH_BF16_ROWS), i1 = Swift.min(m, b1 * Int(CTORCH_BF16_ROWS))
                    if i1 <= i0 { continue }
                    ctorch_bf16_gemm_panels(
                        pa + i0 * kp, i1 - i0, k, b16, bRow, bCol, n, c16 + i0 * cRow, cRow, Float(beta), panel,
                        panel + 1)
                }
            }
            return
        }
        let sums = CPUAllocator.shared.allocate(Swift.max(1, m * n) * 4).bindMemory(
            to: Float.self, capacity: Swift.max(1, m * n))
        defer { CPUAllocator.shared.deallocate(sums, bytes: Swift.max(1, m * n) * 4) }
        if k == 0 {
            sums.initialize(repeating: 0, count: m * n)
        } else {
            let af = CPUAllocator.shared.allocate(Swift.max(1, m * k) * 4).bindMemory(
                to: Float.self, capacity: Swift.max(1, m * k))
            let bf = CPUAllocator.shared.allocate(Swift.max(1, k * n) * 4).bindMemory(
                to: Float.self, capacity: Swift.max(1, k * n))
            defer {
                CPUAllocator.shared.deallocate(af, bytes: Swift.max(1, m * k) * 4)
                CPUAllocator.shared.deallocate(bf, bytes: Swift.max(1, k * n) * 4)
            }
            Parallel.forRange(m, grain: Swift.max(1, 65_536 / k)) { r in
                for i in r { for p in 0..<k { af[i * k + p] = a[i * aRow + p * aCol].floatValue } }
            }
            Parallel.forRange(k, grain: Swift.max(1, 65_536 / Swift.max(n, 1))) { r in
                for p in r { for j in 0..<n { bf[p * n + j] = b[p * bRow + j * bCol].floatValue } }
            }
            gemm(
                Float.self, m: m, n: n, k: k, a: UnsafePointer(af), aRow: k, aCol: 1, b: UnsafePointer(bf), bRow: n,
                bCol: 1, c: sums, cRow: n, beta: 0)
        }
        let scale = Float(beta)
        Parallel.forRange(m, grain: Swift.max(1, 65_536 / Swift.max(n, 1))) { r in
            for i in r {
                let s = sums + i * n, out = c + i * cRow
                if beta == 0 {
                    for j in 0..<n { out[j] = BFloat16(s[j]) }
                } else {
                    for j in 0..<n { out[j] = BFloat16(s[j] + scale * out[j].floatValue) }
                }
            }
        }
    }
}
