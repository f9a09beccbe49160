import XCTest
import Torch
@testable import TorchConformance

/// The device conformance cases (Tests/TorchConformance) on every device there is: on the CPU the
/// float32 kernels are compared with the float64 results, on a GPU every kernel with the CPU's.
/// `torch-gpu-check` runs the same case list on the GPU machine.
final class DeviceConformanceTests: XCTestCase {
    func check(_ device: Device) {
        let r = Conformance.run(on: device)
        XCTAssertGreaterThan(r.passed, 300, "too few cases ran on \(device)")
        for f in r.failures.prefix(20) { XCTFail("\(device): \(f)") }
        XCTAssertTrue(r.failures.isEmpty, "\(r.failures.count) conformance failures on \(device)")
    }

    func testCPU() { check(.cpu) }

    func testCUDA() throws {
        try XCTSkipUnless(Torch.CUDA.isAvailable, "no GPU: \(Torch.CUDA.unavailableReason ?? "?")")
        check(.cuda(0))
    }
}

/// The conformance comparison fails on a wrong value, a NaN and an infinity.
final class ConformanceCheckerTests: XCTestCase {
    func testMismatchSeesWrongValuesNaNAndInfinity() {
        let c = ConformanceCase(name: "t", dtype: .float64, againstFloat64: true, rtol: 1e-6, atol: 1e-6) { _, _ in
            Tensor([1.0])
        }
        let want = Tensor([1.0, 2.0, .nan, .infinity])
        XCTAssertNil(Conformance.mismatch(Tensor([1.0, 2.0, .nan, .infinity]), want, c))
        XCTAssertNotNil(Conformance.mismatch(Tensor([1.0, 2.1, .nan, .infinity]), want, c))
        XCTAssertNotNil(Conformance.mismatch(Tensor([1.0, 2.0, 0.0, .infinity]), want, c))
        XCTAssertNotNil(Conformance.mismatch(Tensor([1.0, 2.0, .nan, -.infinity]), want, c))
        XCTAssertNotNil(Conformance.mismatch(Tensor([1.0, .nan, .nan, .infinity]), want, c))
    }
}
