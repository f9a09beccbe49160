import XCTest
import TorchBase

/// The index arithmetic, device rules and CUDA spelling helpers of TorchBase that the backends and
/// the router rely on.
final class LayoutAndDeviceTests: XCTestCase {
    func testElementOffsetsWalkRowMajorOverAnyStrides() {
        XCTAssertEqual(Layout(shape: [2, 3]).elementOffsets(), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(Layout(shape: [2, 2], strides: [1, 2]).elementOffsets(), [0, 2, 1, 3])
        XCTAssertEqual(Layout(shape: [3], strides: [0], offset: 4).elementOffsets(), [4, 4, 4])
        XCTAssertEqual(Layout(shape: [2, 1, 2], strides: [10, 7, 3], offset: 1).elementOffsets(), [1, 4, 11, 14])
        XCTAssertEqual(Layout(shape: [], strides: [], offset: 5).elementOffsets(), [5])
        XCTAssertEqual(Layout(shape: [0, 3]).elementOffsets(), [])
    }

    func testExtentCoversTheLastElementReached() {
        XCTAssertEqual(Layout(shape: [2, 3]).extent, 6)
        XCTAssertEqual(Layout(shape: [2, 2], strides: [1, 2], offset: 3).extent, 7)
        XCTAssertEqual(Layout(shape: [4], strides: [0], offset: 2).extent, 3)
        XCTAssertEqual(Layout(shape: [0], strides: [1], offset: 2).extent, 2)
    }

    func testCommonDevicePrefersTheAccelerator() {
        XCTAssertEqual(Device.common(.cpu, .cpu), .cpu)
        XCTAssertEqual(Device.common(.cpu, .cuda(0)), .cuda(0))
        XCTAssertEqual(Device.common(.cuda(0), .cpu), .cuda(0))
        XCTAssertEqual(Device.cuda(1).swiftLiteral, ".cuda(1)")
        // CPU scalars join ops on any device; nothing else moves implicitly.
        XCTAssertTrue(Device.cuda(0).accepts0D(from: .cpu))
        XCTAssertTrue(Device.cpu.accepts0D(from: .cpu))
        XCTAssertFalse(Device.cpu.accepts0D(from: .cuda(0)))
        XCTAssertFalse(Device.cuda(0).accepts0D(from: .cuda(1)))
        XCTAssertEqual(Device.cpu.descriptionSuffix, "")
        XCTAssertEqual(Device.cuda(0).descriptionSuffix, ", device: .cuda(0)")
    }

    func testCUDATypeSpellsFunctionsAndLiterals() {
        XCTAssertEqual(CUDAType(.float32).fn("exp"), "expf")
        XCTAssertEqual(CUDAType(.float64).fn("exp"), "exp")
        XCTAssertEqual(CUDAType(.int64).name, "long long")
        XCTAssertEqual(CUDAType(.float32).lit("0.5"), "(float)0.5")
        XCTAssertFalse(CUDAType(.int8).isFloatingPoint)
    }

    func testPowerScalarSpecialCasesOnlyHalfExponents() {
        // PyTorch's tensor-scalar kernel: sqrt and rsqrt for ±0.5, which differ from pow at -0 and -inf.
        XCTAssertEqual(Double.powerScalar(-0.0, 0.5).sign, .minus)
        XCTAssertEqual(Double.power(-0.0, 0.5).sign, .plus)
        XCTAssertTrue(Double.powerScalar(-.infinity, 0.5).isNaN)
        XCTAssertEqual(Double.power(-.infinity, 0.5), .infinity)
        XCTAssertEqual(Double.powerScalar(-0.0, -0.5), -.infinity)
        XCTAssertEqual(Float.powerScalar(4, 3), 64)
        XCTAssertEqual(Int64.powerScalar(-2, 3), -8)
    }
}

/// `Layout.isDense`: the elements fill the storage range from the offset once each, in any order.
final class DenseLayoutTests: XCTestCase {
    func testDenseLayouts() {
        let c = Layout(shape: [2, 3, 4], strides: [12, 4, 1])
        XCTAssertTrue(c.isDense)
        XCTAssertTrue(c.transposed(0, 2).isDense)  // a permutation of contiguous dims
        XCTAssertTrue(Layout(shape: [3, 4], strides: [4, 1], offset: 8).isDense)  // from its own offset
        XCTAssertFalse(Layout(shape: [2, 2], strides: [4, 1]).isDense)  // a slice of columns: gaps
        XCTAssertFalse(Layout(shape: [2, 3], strides: [0, 1]).isDense)  // expanded: overlapping
        XCTAssertFalse(Layout(shape: [3], strides: [-1], offset: 2).isDense)  // a negative stride
        XCTAssertFalse(Layout(shape: [0, 3], strides: [3, 1]).isDense)  // empty
    }
}
