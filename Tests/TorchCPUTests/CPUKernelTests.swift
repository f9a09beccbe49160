import XCTest
import Foundation
import Synchronization
@testable import Torch
import TorchBase
@_spi(Kernels) @testable import TorchCPU
import TorchTestSupport

final class AllocatorTests: XCTestCase {
    func testFreedBlocksAreReused() {
        let before = CPUAllocator.shared.stats
        for _ in 0..<100 { _ = Tensor.empty([1000]) }
        let after = CPUAllocator.shared.stats
        XCTAssertGreaterThanOrEqual(after.hits - before.hits, 99)
        XCTAssertEqual(CPUAllocator.sizeClass(1), 64)
        XCTAssertEqual(CPUAllocator.sizeClass(65), 128)
        XCTAssertEqual(CPUAllocator.sizeClass((1 << 20) + 1), (1 << 20) + (1 << 18))
    }
}

/// The vectorised float32 exp/tanh/sigmoid on strided views with contiguous rows (row by row)
/// agree with the same functions on a contiguous copy, element for element.
final class StridedVectorUnaryTests: XCTestCase {
    func testRowContiguousViews() {
        let x = Tensor.randn([7, 40], generator: Generator(seed: 2)) * 3
        let view = x[..., 5..<33]  // rows of 28 contiguous elements, row stride 40
        XCTAssertFalse(view.isContiguous)
        let copy = view.contiguous()
        for (name, f) in [("exp", { (t: Tensor) in t.exp() }), ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() })]
            as [(String, (Tensor) -> Tensor)]
        {
            XCTAssertEqual(f(view).scalars, f(copy).scalars, name)
        }
        let big = Tensor.randn([300, 400], generator: Generator(seed: 3))[..., 1..<399]  // above the parallel grain
        XCTAssertEqual(big.tanh().scalars, big.contiguous().tanh().scalars)
    }
}

/// The worker pool behind Parallel.forRange: every index covered exactly once, for back-to-back
/// jobs, jobs from several threads at once (all but one go through libdispatch) and nested jobs.
final class WorkerPoolTests: XCTestCase {
    func cover(_ n: Int, grain: Int) -> [Int] {
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: n)
        counts.initialize(repeating: 0, count: n)
        defer { counts.deallocate() }
        Parallel.forRange(n, grain: grain) { r in for i in r { counts[i] += 1 } }
        return Array(UnsafeBufferPointer(start: counts, count: n))
    }

    func testEveryIndexOnceUnderLoad() {
        let saved = Parallel.threadCount
        Parallel.threadCount = 4
        defer { Parallel.threadCount = saved }
        for i in 0..<2000 {
            let n = 1 + i % 97 * 13
            XCTAssertEqual(cover(n, grain: 1 + i % 7), [Int](repeating: 1, count: n))
        }
        let group = DispatchGroup()
        let failures = Atomic<Int>(0)
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                for i in 0..<300 where self.cover(50 + i, grain: 3) != [Int](repeating: 1, count: 50 + i) {
                    failures.wrappingAdd(1, ordering: .relaxed)
                }
                group.leave()
            }
        }
        group.wait()
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
        // Nested: the inner calls find the pool busy and use libdispatch.
        let outer = cover(8, grain: 1)
        XCTAssertEqual(outer, [Int](repeating: 1, count: 8))
        var inner = [[Int]](repeating: [], count: 8)
        inner.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            Parallel.forRange(8, grain: 1) { r in for i in r { (p + i).pointee = self.cover(100, grain: 10) } }
        }
        XCTAssertTrue(inner.allSatisfy { $0 == [Int](repeating: 1, count: 100) })
    }
}
