import XCTest
import TorchBase
@_spi(Kernels) @testable import TorchCPU

/// A test's own element function: any `UnaryFunction` runs through the CPU backend's `map`.
private enum Cube: UnaryFunction {
    static let name = "cube"
    static let keepsIntegers = true
    static func float<T: FloatScalar>(_ x: T) -> T { x * x * x }
    static func integral<T: NativeScalar>(_ x: T) -> T { T.mul(T.mul(x, x), x) }
    static func cuda(_ t: CUDAType) -> String { "(x * x * x)" }
}

private enum IsNegative: UnaryPredicate {
    static let name = "isneg"
    static func float<T: FloatScalar>(_ x: T) -> Bool { x < 0 }
    static func integral<T: NativeScalar>(_ x: T) -> Bool { x < T.zeroValue }
    static func cuda(_ t: CUDAType) -> String { "(x < 0)" }
}

/// The `Backend` contract as the CPU backend implements it, on raw buffers (no tensors, no core).
final class CPUBackendContractTests: XCTestCase {
    /// A host buffer with its operand.
    final class Buffer<T> {
        let p: UnsafeMutablePointer<T>
        let count: Int
        init(_ values: [T]) {
            count = values.count
            p = .allocate(capacity: Swift.max(values.count, 1))
            p.initialize(from: values, count: values.count)
        }
        deinit { p.deallocate() }
        func operand(_ dtype: DType, _ layout: Layout) -> KernelOperand {
            KernelOperand(base: UnsafeMutableRawPointer(p), layout: layout, dtype: dtype)
        }
        var values: [T] { Array(UnsafeBufferPointer(start: p, count: count)) }
    }

    func testMapRunsAnyElementFunctionOnFloatsIntegersAndStridedLayouts() throws {
        let x = Buffer<Double>([1, -2, 3, 0.5]), out = Buffer<Double>([0, 0, 0, 0])
        try CPUBackend.map(
            Cube.self, out.operand(.float64, Layout(shape: [4])), x.operand(.float64, Layout(shape: [4])))
        XCTAssertEqual(out.values, [1, -8, 27, 0.125])
        // A transposed (strided) input into a contiguous output.
        let y = Buffer<Float>([1, 2, 3, 4]), o2 = Buffer<Float>([0, 0, 0, 0])
        try CPUBackend.map(
            Cube.self, o2.operand(.float32, Layout(shape: [2, 2])),
            y.operand(.float32, Layout(shape: [2, 2], strides: [1, 2])))
        XCTAssertEqual(o2.values, [1, 27, 8, 64])
        let i = Buffer<Int32>([2, -3]), o3 = Buffer<Int32>([0, 0])
        try CPUBackend.map(Cube.self, o3.operand(.int32, Layout(shape: [2])), i.operand(.int32, Layout(shape: [2])))
        XCTAssertEqual(o3.values, [8, -27])
    }

    func testTestWritesBoolResults() throws {
        let x = Buffer<Int64>([3, -1, 0]), out = Buffer<Bool>([true, false, true])
        try CPUBackend.test(
            IsNegative.self, out.operand(.bool, Layout(shape: [3])), x.operand(.int64, Layout(shape: [3])))
        XCTAssertEqual(out.values, [false, true, false])
    }

    func testGatherAndScatterCountOffsetsFromTheOperandsFirstElement() throws {
        let src = Buffer<Float>([9, 10, 11, 12, 13]), out = Buffer<Float>([0, 0, 0])
        // The source starts at element 1 (offset 1): offsets 0, 3, 3 read 10, 13, 13.
        try CPUBackend.gather(
            out.operand(.float32, Layout(shape: [3])),
            src.operand(.float32, Layout(shape: [4], strides: [1], offset: 1)),
            offsets: [0, 3, 3])
        XCTAssertEqual(out.values, [10, 13, 13])
        let dst = Buffer<Float>([1, 1, 1]), vals = Buffer<Float>([5, 6, 7])
        try CPUBackend.scatter(
            dst.operand(.float32, Layout(shape: [3])), vals.operand(.float32, Layout(shape: [3])),
            offsets: [2, 0, 2], accumulate: true)
        XCTAssertEqual(dst.values, [7, 1, 13])
        try CPUBackend.scatter(
            dst.operand(.float32, Layout(shape: [3])), vals.operand(.float32, Layout(shape: [3])),
            offsets: [2, 0, 2], accumulate: false)
        XCTAssertEqual(dst.values, [6, 1, 7])  // the last write wins
    }

    func testGemmTakesStridedBatchedOperandsAndBeta() throws {
        // c[b] = a[b] · bᵀ-view + 2 · c[b], with b given transposed through its strides.
        let a = Buffer<Double>([1, 2, 3, 4, 5, 6, 7, 8])  // [2, 2, 2]
        let b = Buffer<Double>([1, 0, 0, 1])  // [1, 2, 2] broadcast over the batch
        let c = Buffer<Double>([1, 1, 1, 1, 1, 1, 1, 1])
        try CPUBackend.gemm(
            c.operand(.float64, Layout(shape: [2, 2, 2])), a.operand(.float64, Layout(shape: [2, 2, 2])),
            b.operand(.float64, Layout(shape: [2, 2, 2], strides: [0, 1, 2])), beta: 2)
        XCTAssertEqual(c.values, [3, 4, 5, 6, 7, 8, 9, 10])
        let i = Buffer<Int64>([1, 2, 3, 4]), j = Buffer<Int64>([5, 6, 7, 8]), k = Buffer<Int64>([0, 0, 0, 0])
        try CPUBackend.gemm(
            k.operand(.int64, Layout(shape: [2, 2])), i.operand(.int64, Layout(shape: [2, 2])),
            j.operand(.int64, Layout(shape: [2, 2])), beta: 0)
        XCTAssertEqual(k.values, [19, 22, 43, 50])
    }

    func testOptionalFamiliesAreDeclaredPerDType() {
        XCTAssertTrue(CPUBackend.supports(.lstmCell, .float32))
        XCTAssertTrue(CPUBackend.supports(.window2D, .float64))
        XCTAssertFalse(CPUBackend.supports(.window2D, .int64))
        XCTAssertFalse(CPUBackend.supports(.philox, .float32))
        XCTAssertThrowsError(
            try CPUBackend.philox(
                kind: 0, Buffer<Float>([0]).operand(.float32, Layout(shape: [1])),
                key: 0, start: 0))
    }
}
