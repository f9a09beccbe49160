import XCTest
@testable import Torch
@_spi(Kernels) @testable import TorchCPU
import TorchTestSupport

/// Note [CPU capability]: every kernel path this CPU can run gives the default path's results:
/// sums bit for bit (one accumulation order everywhere), the rest within PyTorch's float32
/// tolerances (`assert_close`: rtol 1.3e-6, atol 1e-5; FMA contraction moves the last bits),
/// NaN where NaN and infinities exactly.
final class CPUCapabilityTests: XCTestCase {
    override func tearDown() { CPUCapability.set(.best) }

    /// Inputs with every edge the kernels handle: ±0, ±inf, NaN, overflow and underflow ranges,
    /// the tanh small-argument cut, and a long random run (vector bodies and scalar tails).
    func inputs() -> [Float] {
        var xs: [Float] = [
            0, -0, .infinity, -.infinity, .nan, 88.7, 88.8, -103.9, -104.1, 1e-30, -1e-30, 0.0003, 7.9, -7.95,
        ]
        xs += (Tensor.rand([1_003], generator: Generator(seed: 17)) * 60 - 30).toArray(Float.self)
        return xs
    }

    func testEveryPathMatchesTheDefaultPath() throws {
        let xs = inputs()
        let x = Tensor(shape: [xs.count], scalars: xs)
        let finite = Tensor(shape: [xs.count - 5], scalars: Array(xs[5...]))
        let wide = Tensor.randn([4097], generator: Generator(seed: 3)).to(.float64)
        // Rows of 91 (vector bodies and tails) with a NaN row, an inf row and an all -inf row.
        let rows = Tensor.randn([7, 91], generator: Generator(seed: 5)) * 4
        rows[1, 3].fill_(Float.nan)
        rows[2, 90].fill_(Float.infinity)
        rows[3].fill_(-Float.infinity)
        let w = Tensor.randn([91], generator: Generator(seed: 6))
        let depthwiseInput = Tensor.randn([2, 3, 11, 45], generator: Generator(seed: 7))
        depthwiseInput[1, 2, 5, 0].fill_(Float.nan)
        let depthwiseWeight = Tensor.randn([3, 1, 3, 3], generator: Generator(seed: 8))
        func results() -> [String: [Double]] {
            [
                "exp": x.exp().toArray(Double.self), "tanh": x.tanh().toArray(Double.self),
                "sigmoid": x.sigmoid().toArray(Double.self), "sqrt": x.sqrt().toArray(Double.self),
                "rsqrt": x.rsqrt().toArray(Double.self), "sum f32": [finite.sum().item()],
                "sum f64": [wide.sum().item()],
                "randn": Tensor.randn([1031], generator: Generator(seed: 9)).toArray(Double.self),
                "softmax": rows.softmax(dim: 1).toArray(Double.self),
                "logSoftmax": rows.logSoftmax(dim: 1).toArray(Double.self),
                "layerNorm": rows.fusedLayerNorm(91, weight: w, bias: nil, eps: 1e-5)!.toArray(Double.self),
                "depthwise": depthwiseInput.directDepthwiseConv2d(
                    weight: depthwiseWeight, bias: nil, stride: [1, 1], padding: [1, 1], dilation: [1, 1]
                )!.toArray(Double.self),
            ]
        }
        XCTAssertTrue(CPUCapability.set(.default))
        XCTAssertEqual(Torch.backends.cpu.capability, .default)
        let reference = results()
        var ran: [CPUCapability] = []
        for c in CPUCapability.allCases where c > .default {
            guard CPUCapability.set(c) else { continue }
            ran.append(c)
            XCTAssertEqual(Torch.backends.cpu.capability, c)
            let got = results()
            for (name, ref) in reference {
                let ours = got[name]!
                if name.hasPrefix("sum") {
                    XCTAssertEqual(ours, ref, "\(name) on \(c)")  // the same accumulation order
                    continue
                }
                for i in ref.indices {
                    let (a, b) = (ours[i], ref[i])
                    let close = abs(a - b) <= 1e-5 + 1.3e-6 * abs(b)
                    let same = a.isNaN ? b.isNaN : (a.isInfinite || b.isInfinite ? a == b : close)
                    if !same {
                        XCTFail("\(name) on \(c) at \(i): \(a) against \(b)")
                        break
                    }
                }
            }
        }
        print(
            "kernel paths compared with the default: \(ran.map(\.description)) (this CPU: \(Torch.backends.cpu.summary))"
        )
        if CPUCapability.best < .avx512 {
            print(
                "note: no AVX-512 here; the avx512 copies are compiled and their instructions checked by the build only"
            )
        }
    }

    /// The checker above fails on a wrong value, a NaN and an infinity (it can fail).
    func testTheComparisonCatchesWrongValues() {
        func same(_ a: Double, _ b: Double) -> Bool {
            a.isNaN ? b.isNaN : (a.isInfinite || b.isInfinite ? a == b : abs(a - b) <= 1e-5 + 1.3e-6 * abs(b))
        }
        XCTAssertTrue(same(1, 1 + 1e-6)); XCTAssertTrue(same(.nan, .nan)); XCTAssertTrue(same(.infinity, .infinity))
        XCTAssertFalse(same(1, 1.0001)); XCTAssertFalse(same(1000, 1000.01)); XCTAssertFalse(same(.nan, 1));
        XCTAssertFalse(same(1, .nan))
        XCTAssertFalse(same(.infinity, 3e38)); XCTAssertFalse(same(-.infinity, .infinity))
    }

    func testAPathTheCPULacksIsRefusedAndFeaturesAreConsistent() {
        let f = CPUFeatures.detected
        XCTAssertEqual(Torch.backends.cpu.capability, CPUCapability.best)
        if !(f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq) {
            XCTAssertFalse(CPUCapability.set(.avx512))
            XCTAssertEqual(Torch.backends.cpu.capability, CPUCapability.best)
        }
        if CPUCapability.best >= .avx2 { XCTAssertTrue(f.avx2 && f.fma) }
        XCTAssertTrue(CPUCapability.set(.default))
        XCTAssertEqual(CPUCapability.avx512.pytorchName, "AVX512")
        XCTAssertEqual(CPUCapability.default.pytorchName, "DEFAULT")
        XCTAssertFalse(Torch.backends.cpu.summary.isEmpty)
        // The FMA chain measures something real and wider paths measure more.
        CPUCapability.set(.best)
        XCTAssertGreaterThan(Torch.backends.cpu.fmaPeakGFLOPS(seconds: 0.01), 1)
    }
}

/// Note [OpenBLAS kernels]: an AVX-512 CPU whose OpenBLAS chose AVX2 kernels gets one line naming
/// the variable that fixes it; nothing is said when the kernels fit or the user already chose.
final class BLASKernelNoteTests: XCTestCase {
    func testTheNoteAppearsOnlyWhenTheKernelsAreNarrowerThanTheCPU() {
        let zen5 = CPUKernels.blasCoreNote(avx512: true, bf16: true, cpu: "Zen 5", core: "Haswell", coreTypeSet: false)
        XCTAssertTrue(zen5?.contains("OPENBLAS_CORETYPE=Cooperlake") == true, zen5 ?? "nil")
        let skx = CPUKernels.blasCoreNote(avx512: true, bf16: false, cpu: "X", core: "Zen", coreTypeSet: false)
        XCTAssertTrue(skx?.contains("OPENBLAS_CORETYPE=SkylakeX") == true, skx ?? "nil")
        // Debian's 0.3.21 falls back to its Prescott (SSE3) kernels on an Emerald Rapids Xeon.
        let emr = CPUKernels.blasCoreNote(avx512: true, bf16: true, cpu: "Xeon", core: "Prescott", coreTypeSet: false)
        XCTAssertTrue(emr?.contains("Prescott (SSE) kernels") == true, emr ?? "nil")
        XCTAssertNil(
            CPUKernels.blasCoreNote(avx512: true, bf16: true, cpu: "Zen 4", core: "Cooperlake", coreTypeSet: false))
        XCTAssertNil(CPUKernels.blasCoreNote(avx512: true, bf16: false, cpu: "X", core: "Haswell", coreTypeSet: true))
        XCTAssertNil(CPUKernels.blasCoreNote(avx512: false, bf16: false, cpu: "Zen 3", core: "Zen", coreTypeSet: false))
        XCTAssertFalse(CPUKernels.blasCoreName.isEmpty)
    }

    /// On an AVX-512 CPU whose OpenBLAS chose narrower kernels, the first BLAS call switches to its
    /// SkylakeX kernels, kept only after they match a plain product here.
    func testNarrowKernelsAreReplacedByCheckedAVX512Ones() {
        _ = CPUKernels.blasSingleThreaded
        XCTAssertTrue(CPUKernels.gemmMatchesReference(), "OpenBLAS's \(CPUKernels.blasCoreName) GEMM")
        let f = CPUFeatures.detected
        let avx512 = f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq
        if let from = CPUKernels.switchedFrom {
            XCTAssertEqual(CPUKernels.blasCoreName.lowercased(), "skylakex")
            XCTAssertNotNil(
                CPUKernels.blasCoreNote(avx512: avx512, bf16: false, cpu: "", core: from, coreTypeSet: false))
            print("note: OpenBLAS's \(from) kernels were replaced by its \(CPUKernels.blasCoreName) ones")
        } else {
            // Kept: the kernels fit the CPU, the user chose, or this OpenBLAS cannot switch.
            print("note: OpenBLAS runs its \(CPUKernels.blasCoreName) kernels (AVX-512: \(avx512))")
        }
    }
}
