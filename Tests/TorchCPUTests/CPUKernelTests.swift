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

/// Note [Reducing leading dimensions]: reductions over consecutive non-innermost dimensions of a
/// contiguous tensor (the [a, r, k] block path) give what the generic strided path gives on the
/// same values laid out otherwise (a transposed copy), NaN where it is, for every op and dtype.
final class LeadingReductionTests: XCTestCase {
    func testBlockPathMatchesTheStridedPath() {
        let g = Generator(seed: 41)
        let x = Tensor.randn([3, 130, 5, 700], generator: g)  // k = 3500: several 512-column chunks
        x[1, 17, 2, 600].fill_(Float.nan)
        x[2, 5, 0, 3].fill_(Float.infinity)
        // The same values in a layout whose reduced dims are innermost: the strided path.
        let other = x.permute([0, 2, 3, 1]).contiguous().permute([0, 3, 1, 2])
        XCTAssertFalse(other.isContiguous)
        for dims in [[1], [0], [1, 2], [0, 1]] {
            for dtype in [DType.float32, .float64, .int64] {
                let a = x.to(dtype), b = other.to(dtype)
                let pairs: [(String, Tensor, Tensor)] = [
                    ("sum", a.sum(dims: dims), b.sum(dims: dims)),
                    ("amax", a.amax(dims: dims), b.amax(dims: dims)),
                    ("amin", a.amin(dims: dims, keepdim: true), b.amin(dims: dims, keepdim: true)),
                ]
                for (name, got, want) in pairs {
                    assertMatches(got, want, "\(name) over \(dims) in \(dtype)", rtol: 1e-5, atol: 1e-4)
                }
            }
        }
        // A bias gradient: the sum over rows; a NaN column stays NaN and only it.
        let rows = Tensor.randn([4096, 33], generator: g).to(.float64)
        rows[100, 7].fill_(Double.nan)
        let sums = rows.sum(dims: [0])
        let reference = rows.t().contiguous().sum(dims: [1])
        assertMatches(sums, reference, "column sums", rtol: 1e-12, atol: 1e-12)
        XCTAssertTrue(sums[7].isnan().item() == 1)
        XCTAssertEqual(sums.isnan().sum().item(Int.self), 1)
        // Booleans: all/any over the leading dim.
        let mask = x .> 0
        XCTAssertTrue(mask.all(dims: [0]).equal(mask.permute([1, 2, 3, 0]).contiguous().all(dims: [3])))
        XCTAssertTrue(mask.any(dims: [0]).equal(mask.permute([1, 2, 3, 0]).contiguous().any(dims: [3])))
    }

    /// The gradient of a selection from a permuted (dense, not contiguous) tensor goes back to the
    /// right elements: q, k and v of a transposed projection.
    func testSelectFromAPermutedTensorSendsItsGradientBack() {
        let base = Tensor.arange(0, 24).to(.float64).reshape([2, 3, 4]).requiresGrad_()
        let heads = base.permute([1, 0, 2])  // [3, 2, 4], dense but not contiguous
        let loss = heads[0].sum() * 1 + heads[1].sum() * 10 + heads[2].mul(heads[2]).sum()
        loss.backward()
        let want = Tensor.zeros([2, 3, 4], dtype: .float64)
        want[0..., 0].fill_(1)
        want[0..., 1].fill_(10)
        want[0..., 2].copy_(base.detach()[0..., 2] * 2)
        assertMatches(base.grad!, want, "gradient through the permuted selections")
    }
}

/// float32 sqrt and rsqrt run the vectorised C kernels (sqrt instructions): IEEE square roots are
/// correctly rounded, so they equal Swift's `squareRoot()` bit for bit, NaN for negatives and NaN,
/// signed zeros and infinities included, on every kernel path.
final class VectorisedSqrtTests: XCTestCase {
    override func tearDown() { CPUCapability.set(.best) }

    func testSqrtAndRsqrtEqualTheScalarResults() {
        var xs: [Float] = [0, -0, .infinity, -.infinity, .nan, -1, 1e-45, 3.4e38, 2, 0.25]
        xs += (Tensor.rand([997], generator: Generator(seed: 5)) * 1e4).toArray(Float.self)
        let x = Tensor(shape: [xs.count], scalars: xs)
        for c in CPUCapability.allCases {
            guard CPUCapability.set(c) else { continue }
            for (name, got, want) in [
                ("sqrt", x.sqrt(), xs.map { $0.squareRoot() }), ("rsqrt", x.rsqrt(), xs.map { 1 / $0.squareRoot() }),
                ("sqrt_ in place", x.clone().sqrt_(), xs.map { $0.squareRoot() }),
            ] {
                let ours = got.toArray(Float.self)
                for i in xs.indices where ours[i].bitPattern != want[i].bitPattern && !(ours[i].isNaN && want[i].isNaN)
                {
                    XCTFail("\(name) of \(xs[i]) on \(c): \(ours[i]) against \(want[i])")
                    break
                }
            }
        }
    }
}

/// A batch of small products runs its products on different threads: the same bits as one thread
/// (each product is one single-threaded BLAS call either way), for broadcast and transposed
/// operands too.
final class BatchedGemmThreadsTests: XCTestCase {
    func testSmallProductsSpreadOverThreadsGiveOneThreadsBits() {
        let g = Generator(seed: 8)
        let a = Tensor.randn([6, 4, 33, 17], generator: g), b = Tensor.randn([4, 17, 29], generator: g)
        let bt = Tensor.randn([6, 4, 29, 17], generator: g).transpose(-1, -2)
        let saved = Torch.numThreads
        Torch.numThreads = 1
        let one = [a.matmul(b), a.matmul(bt), a.to(.float64).matmul(b.to(.float64))]
        Torch.numThreads = Swift.max(2, saved)
        let many = [a.matmul(b), a.matmul(bt), a.to(.float64).matmul(b.to(.float64))]
        Torch.numThreads = saved
        for (x, y) in zip(one, many) {
            XCTAssertEqual(x.shape, [6, 4, 33, 29])
            XCTAssertTrue(x.equal(y))
        }
        // And they are the products: one batch entry against a plain loop.
        let a0 = a[2, 3].toArray(Float.self), b0 = b[3].toArray(Float.self), c0 = many[0][2, 3].toArray(Float.self)
        for i in [0, 32] {
            for j in [0, 28] {
                var s: Float = 0
                for p in 0..<17 { s += a0[i * 17 + p] * b0[p * 29 + j] }
                XCTAssertEqual(c0[i * 29 + j], s, accuracy: 1e-4)
            }
        }
    }
}

/// float32 maxima and minima of contiguous rows run the vectorised C kernels: the same values as a
/// scalar loop, NaN when a row holds one, infinities exactly, for lengths around the 16-lane body
/// and on every kernel path.
final class VectorisedExtremaTests: XCTestCase {
    override func tearDown() { CPUCapability.set(.best) }

    func testMaximaAndMinimaEqualTheScalarResults() {
        for c in CPUCapability.allCases {
            guard CPUCapability.set(c) else { continue }
            for n in [1, 7, 15, 16, 17, 33, 1000] {
                var xs = (Tensor.randn([n], generator: Generator(seed: UInt64(n))) * 100).toArray(Float.self)
                for variant in 0..<4 {
                    if variant == 1 { xs[n / 2] = .infinity }
                    if variant == 2 { xs[n - 1] = -.infinity }
                    if variant == 3 { xs[n / 3] = .nan }
                    let x = Tensor(shape: [n], scalars: xs)
                    let hasNaN = xs.contains { $0.isNaN }
                    let big = x.amax().item(Float.self), small = x.amin().item(Float.self)
                    let rows = x.reshape([1, n]).amax(dims: [1]).item(Float.self)
                    if hasNaN {
                        XCTAssertTrue(big.isNaN && small.isNaN && rows.isNaN, "n \(n) on \(c)")
                    } else {
                        XCTAssertEqual(big, xs.max()!, "amax of \(n) on \(c)")
                        XCTAssertEqual(small, xs.min()!, "amin of \(n) on \(c)")
                        XCTAssertEqual(rows, xs.max()!, "row amax of \(n) on \(c)")
                    }
                }
            }
        }
    }
}
