import XCTest
@testable import Torch
import TorchBase
@_spi(Kernels) import TorchCPU
import TorchTestSupport

/// bfloat16 products (Note [bfloat16 GEMM]): float32 sums rounded once, on AMX tiles where the CPU
/// has them and through float32 on every other kernel path; both against a float64 product.
final class BFloat16GemmTests: XCTestCase {
    override func tearDown() { Torch.backends.cpu.setCapability(Torch.backends.cpu.bestCapability) }

    func testBFloat16ProductsMatchARoundedFloat64Product() {
        let g = Generator(seed: 23)
        // (m, k, n): blocks of 6 rows and 64 columns and their tails, odd k, k past one block of
        // 256 pairs, a single row and column.
        // The first four run on AMX tiles where the CPU has them (k >= 64 and m·n·k >= 2^20); the
        // rest, smaller, through float32.
        let shapes = [
            (130, 1031, 70), (37, 600, 129), (33, 64, 500), (64, 128, 130),
            (7, 13, 70), (1, 1, 1), (6, 2, 64), (130, 9, 200), (3, 1031, 5),
        ]
        for cap in CPUCapability.allCases {
            guard Torch.backends.cpu.setCapability(cap) else { continue }
            let before = CPUKernels.amxProducts.load(ordering: .relaxed)
            for (m, k, n) in shapes {
                let what = "bf16 \(m)x\(k)x\(n) on \(cap) (AMX kernel: \(CPUKernels.bf16GemmAvailable))"
                let a = Tensor.randn([m, k], generator: g).to(.bfloat16)
                let b = Tensor.randn([k, n], generator: g).to(.bfloat16)
                let y = a.matmul(b)
                XCTAssertEqual(y.dtype, .bfloat16, what)
                let want = a.to(.float64).matmul(b.to(.float64))
                // One rounding to bfloat16 (2^-8 relative) and float32 sums of k products.
                assertMatches(y.to(.float64), want, what, rtol: 1.0 / 128, atol: 1e-5 * Double(k))
                // Transposed operands (the other packing strides) and a batch.
                let at = a.t().contiguous().t(), bt = b.t().contiguous().t()
                assertMatches(
                    at.matmul(bt).to(.float64), want, what + " transposed", rtol: 1.0 / 128, atol: 1e-5 * Double(k))
                let ab = Tensor.stack([a, a * 2.0], dim: 0), bb = Tensor.stack([b, b], dim: 0)
                assertMatches(
                    ab.matmul(bb).to(.float64), Tensor.stack([want, want * 2.0], dim: 0), what + " batched",
                    rtol: 1.0 / 64, atol: 1e-5 * Double(k))
            }
            // Each large product (and its transposed and batched twins) ran on the tiles here.
            let tiles = CPUKernels.amxProducts.load(ordering: .relaxed) - before
            XCTAssertEqual(tiles, CPUKernels.bf16GemmAvailable ? 4 * 4 : 0, "\(cap)")
            // NaN and infinity reach the products that read them (a product large enough for the tiles).
            let a = Tensor.ones([128, 128]).to(.bfloat16), b = Tensor.ones([128, 128]).to(.bfloat16)
            a[0, 1].fill_(Float.nan)
            b[127, 1].fill_(Float.infinity)
            let y = a.matmul(b).to(.float32)
            XCTAssertTrue(y[0].isnan().all().item() == 1, "\(cap)")
            XCTAssertEqual(y[1, 0].item(Float.self), 128, "\(cap)")
            XCTAssertEqual(y[5, 1].item(Float.self), .infinity, "\(cap)")
            XCTAssertEqual(y[5, 2].item(Float.self), 128, "\(cap)")
        }
    }
}
