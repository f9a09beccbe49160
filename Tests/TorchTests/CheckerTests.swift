import XCTest
@testable import Torch
import TorchBase
import TorchTestSupport

/// The comparison helpers themselves: each must fail on a wrong value, a NaN and an infinity
/// (a plain `abs(x - y) > tol` test lets NaN through).
final class CheckerTests: XCTestCase {
    func testIsCloseRefusesNaNInfinityAndWrongValues() {
        XCTAssertTrue(Checks.isClose(1.0, 1.0 + 1e-9, atol: 1e-8, rtol: 0))
        XCTAssertTrue(Checks.isClose(.nan, .nan, atol: 0, rtol: 0))
        XCTAssertTrue(Checks.isClose(.infinity, .infinity, atol: 0, rtol: 0))
        XCTAssertFalse(Checks.isClose(.nan, 1, atol: 1e9, rtol: 1e9))
        XCTAssertFalse(Checks.isClose(1, .nan, atol: 1e9, rtol: 1e9))
        XCTAssertFalse(Checks.isClose(.infinity, 1e300, atol: 1e9, rtol: 1e9))
        XCTAssertFalse(Checks.isClose(1e300, .infinity, atol: 1e9, rtol: 1e9))
        XCTAssertFalse(Checks.isClose(.infinity, -.infinity, atol: 1e9, rtol: 1e9))
        XCTAssertFalse(Checks.isClose(1.1, 1.0, atol: 1e-3, rtol: 1e-3))
    }

    func testMismatchesSeesNaNInfinityAndWrongValues() {
        XCTAssertEqual(mismatches([1, .nan, 3], [1, .nan, 3], atol: 1e-6, rtol: 1e-5), [])
        XCTAssertEqual(mismatches([1, .nan, 3], [1, 2, 3], atol: 1e-6, rtol: 1e-5), [1])
        XCTAssertEqual(mismatches([1, 2, 3], [1, .nan, 3], atol: 1e-6, rtol: 1e-5), [1])
        XCTAssertEqual(mismatches([.infinity, 2], [1e38, 2], atol: 1e-6, rtol: 1e-5), [0])
        XCTAssertEqual(mismatches([1, 2.5], [1, 2], atol: 1e-6, rtol: 1e-5), [1])
        XCTAssertEqual(mismatches([1, 2], [1], atol: 1e-6, rtol: 1e-5), [1])
    }

    func testTensorMismatchSeesNaNInfinityWrongValueShapeAndDType() {
        let e = Tensor([1.0, 2.0, 3.0], dtype: .float64)
        XCTAssertNil(tensorMismatch(Tensor([1.0, 2.0, 3.0], dtype: .float64), e))
        XCTAssertNotNil(tensorMismatch(Tensor([1.0, .nan, 3.0], dtype: .float64), e))
        XCTAssertNotNil(tensorMismatch(Tensor([1.0, .infinity, 3.0], dtype: .float64), e))
        XCTAssertNotNil(tensorMismatch(Tensor([1.0, 2.001, 3.0], dtype: .float64), e))
        XCTAssertNotNil(tensorMismatch(Tensor([1.0, 2.0, 3.0], dtype: .float32), e))
        XCTAssertNotNil(tensorMismatch(Tensor([1.0, 2.0], dtype: .float64), e))
    }

    func testTensorMismatchComparesBothPartsOfComplexTensors() {
        let e = Tensor([Complex(1.0, 2.0), Complex(3.0, -4.0)])
        XCTAssertNil(tensorMismatch(Tensor([Complex(1.0, 2.0), Complex(3.0, -4.0)]), e))
        XCTAssertNotNil(tensorMismatch(Tensor([Complex(1.0, 2.0), Complex(3.0, 4.0)]), e))
        XCTAssertNotNil(tensorMismatch(Tensor([Complex(1.0, Double.nan), Complex(3.0, -4.0)]), e))
        XCTAssertNotNil(tensorMismatch(Tensor([Complex(1.0, 2.0), Complex(Double.infinity, -4.0)]), e))
        XCTAssertNotNil(tensorMismatch(e.to(.complex64), e))
        XCTAssertNotNil(tensorMismatch(e.real, e))
    }

    func testGradcheckFailsOnWrongNaNAndInfiniteGradients() {
        let x = Tensor([0.5, 1.5], dtype: .float64).requiresGrad_()
        XCTAssertTrue(Torch.gradcheck({ $0[0].exp().sum() }, [x]).passed)
        // Custom functions whose backward is wrong, NaN, or infinite must fail the check.
        for bad in [2.0, Double.nan, Double.infinity] {
            let f: ([Tensor]) -> Tensor = { xs in
                Torch.customFunction(
                    "Bad", [xs[0]],
                    forward: { ctx, ins in
                        ctx.saveForBackward(ins[0]); return ins[0].exp()
                    },
                    backward: { ctx, g in [g * ctx.savedTensors[0].exp() * bad] })
            }
            XCTAssertFalse(Torch.gradcheck({ f($0).sum() }, [x]).passed, "gradient scaled by \(bad) passed")
        }
    }
}
