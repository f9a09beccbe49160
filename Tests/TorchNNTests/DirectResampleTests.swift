import XCTest
import Torch
import TorchBase
import TorchNN
import TorchTestSupport

/// The direct 2-D resampling kernel (Note [Direct 2-D resampling]) against the dim-by-dim
/// composite that runs under autograd: the same values (to float32 rounding: the composite may
/// take a GEMM), NaN and infinities at the same places. PyTorch's values are in the differential
/// suite's `interpolate` cases.
final class DirectResampleTests: XCTestCase {
    func composite(_ x: Tensor, _ f: (Tensor) -> Tensor) -> Tensor {
        let leaf = x.detach().requiresGrad_()  // recording: the direct kernel stands aside
        return f(leaf).detach()
    }

    func testMatchesTheCompositeAcrossModesAndSizes() {
        Torch.manualSeed(4)
        let modes: [InterpolationMode] = [.bilinear, .bicubic]
        let sizes: [[Int]] = [[13, 9], [4, 17], [7, 5], [1, 3]]
        for mode in modes {
            for align in [false, true] {
                for size in sizes {
                    let x = Tensor.randn([2, 3, 7, 5])
                    let f = { (t: Tensor) in interpolate(t, size: size, mode: mode, alignCorners: align) }
                    let direct = Torch.noGrad { f(x) }
                    assertMatches(direct, composite(x, f), "\(mode) \(size) align \(align)", rtol: 1e-5, atol: 1e-5)
                }
            }
            // Scale factors, a permuted (non-contiguous) input and float16.
            let x = Tensor.randn([2, 5, 6, 3]).permute(0, 3, 1, 2)
            let g = { (t: Tensor) in interpolate(t, scaleFactor: [1.7, 0.6], mode: mode) }
            assertMatches(g(x), composite(x, g), "\(mode) scale, permuted", rtol: 1e-5, atol: 1e-5)
            let h = x.to(.float16)
            assertMatches(g(h).to(.float32), composite(h.to(.float32), g), "\(mode) float16", rtol: 2e-3, atol: 2e-3)
        }
    }

    /// Nearest modes take one tap of weight 1: exactly the composite's gather, -0 and NaN included.
    func testNearestModesAreExact() {
        var values = (0..<30).map { Float($0) - 10 }
        values[3] = -0.0
        values[7] = .nan
        values[12] = -.infinity
        let x = Tensor(shape: [1, 1, 5, 6], scalars: values)
        for mode in [InterpolationMode.nearest, .nearestExact] {
            for size in [[10, 12], [7, 4], [3, 13]] {
                let f = { (t: Tensor) in interpolate(t, size: size, mode: mode) }
                let a = f(x).toArray(Float.self), b = composite(x, f).toArray(Float.self)
                XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(mode) \(size)")
            }
        }
    }

    func testNonFiniteValuesLandWhereTheCompositePutsThem() {
        var values = (0..<48).map { Float($0) / 7 }
        values[5] = .nan
        values[20] = .infinity
        values[33] = -.infinity
        let x = Tensor(shape: [1, 2, 4, 6], scalars: values)
        for mode in [InterpolationMode.bilinear, .bicubic] {
            let f = { (t: Tensor) in interpolate(t, size: [9, 11], mode: mode) }
            let direct = f(x), reference = composite(x, f)
            XCTAssertEqual(direct.isnan().toArray(Bool.self), reference.isnan().toArray(Bool.self), "\(mode) NaN")
            XCTAssertEqual(direct.isinf().toArray(Bool.self), reference.isinf().toArray(Bool.self), "\(mode) inf")
            assertMatches(direct, reference, "\(mode) finite values", rtol: 1e-5, atol: 1e-5)
        }
    }
}
