import XCTest
import Foundation
import Synchronization
@testable import Torch
import TorchBase
@_spi(Kernels) import TorchCPU
import TorchTestSupport

final class PromotionTests: XCTestCase {
    func testPromoteTypesTable() {
        // PyTorch's documented rules.
        XCTAssertEqual(promoteTypes(.uint8, .int8), .int16)
        XCTAssertEqual(promoteTypes(.int32, .int64), .int64)
        XCTAssertEqual(promoteTypes(.bool, .uint8), .uint8)
        XCTAssertEqual(promoteTypes(.int64, .float16), .float16)
        XCTAssertEqual(promoteTypes(.float16, .bfloat16), .float32)
        XCTAssertEqual(promoteTypes(.float32, .float64), .float64)
        XCTAssertEqual(promoteTypes(.uint8, .int64), .int64)
        for a in DType.allCases {
            XCTAssertEqual(promoteTypes(a, a), a)
            for b in DType.allCases { XCTAssertEqual(promoteTypes(a, b), promoteTypes(b, a)) }
        }
    }

    func testScalarsDoNotPromoteWithinCategory() {
        XCTAssertEqual((Tensor.ones([2]) * 2.5).dtype, .float32)
        XCTAssertEqual((Tensor.ones([2], dtype: .float16) * 2.5).dtype, .float16)
        XCTAssertEqual((Tensor([1, 2], dtype: .int32) + 5).dtype, .int32)
        XCTAssertEqual((Tensor([1, 2], dtype: .int32) * 2.5).dtype, .float32)
        XCTAssertEqual((Tensor([true, false]) + 1).dtype, .int64)
        XCTAssertEqual((Tensor([1, 2], dtype: .uint8) + 300).toArray(Int.self), [45, 46])
        XCTAssertEqual((Tensor([1, 2]) / 2).dtype, .float32)
        XCTAssertEqual((Tensor([1, 2]) / Tensor([2, 2])).scalars, [0.5, 1])
    }

    func testZeroDimTensorsRankBelowDimensioned() {
        let f32 = Tensor.ones([2]), f64Scalar = Tensor(2.0, dtype: .float64)
        XCTAssertEqual((f32 * f64Scalar).dtype, .float32)
        let i = Tensor([1, 2], dtype: .int32)
        XCTAssertEqual((i + Tensor(2, dtype: .int64)).dtype, .int32)
        XCTAssertEqual((i + Tensor(2.0, dtype: .float64)).dtype, .float64)
        XCTAssertEqual(resultType([.tensor(.int32, isZeroDim: false), .scalar(.float64)]), .float32)
    }
}
