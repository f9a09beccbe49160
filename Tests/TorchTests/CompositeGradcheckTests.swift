import TorchTestSupport
import XCTest

@testable import Torch

/// Float64 gradcheck (and gradgradcheck) of the composite ops added in stop 30, whose gradients
/// come from the primitives they are built of; the differential suite compares the same gradients
/// with PyTorch's.
final class CompositeGradcheckTests: XCTestCase {
    static let g = Generator(seed: 30)

    func leaf(_ shape: [Int], lo: Double = -2, hi: Double = 2) -> Tensor {
        (Tensor.rand(shape, dtype: .float64, generator: CompositeGradcheckTests.g) * (hi - lo) + lo).requiresGrad_()
    }
    func cleaf(_ shape: [Int]) -> Tensor { (leaf(shape + [2]).detach().viewAsComplex()).requiresGrad_() }

    func check(_ name: String, _ inputs: [Tensor], second: Bool = true, _ f: @escaping ([Tensor]) -> Tensor) {
        assertGradcheck(name, inputs, second: second, f)
    }

    func testProductsAndStatistics() {
        check("inner", [leaf([2, 3]), leaf([4, 3])]) { $0[0].inner($0[1]) }
        check("vdot complex", [cleaf([3]), cleaf([3])]) { $0[0].vdot($0[1]) }
        check("cov weighted", [leaf([2, 4])]) {
            $0[0].cov(correction: 1, fweights: Tensor([1, 2, 1, 3] as [Int64]), aweights: Tensor([0.5, 1, 2, 1.5]))
        }
        check("corrcoef", [leaf([3, 5])]) { $0[0].corrcoef() }
        check("diff twice with prepend", [leaf([3, 4]), leaf([3, 1])]) { $0[0].diff(n: 2, dim: 1, prepend: $0[1]) }
        check("cdist p=2 direct", [leaf([3, 2]), leaf([4, 2])]) { Tensor.cdist($0[0], $0[1]) }
        check("cdist p=2 by matmul", [leaf([26, 2]), leaf([3, 2])], second: false) { Tensor.cdist($0[0], $0[1]) }
        check("cdist p=1", [leaf([2, 3]), leaf([2, 3], lo: 3, hi: 4)], second: false) {
            Tensor.cdist($0[0], $0[1], p: 1)
        }
        check("pdist p=3", [leaf([4, 3])]) { Tensor.pdist($0[0], p: 3) }
        check("renorm", [leaf([3, 4])]) { $0[0].renorm(p: 2, dim: 0, maxnorm: 1.5) }
    }

    func testIntegralsStacksAndScatters() {
        check("trapezoid dx", [leaf([2, 5])]) { Tensor.trapezoid($0[0], dx: 0.5) }
        check("trapezoid x", [leaf([2, 5]), leaf([5])]) { Tensor.trapezoid($0[0], x: $0[1]) }
        check("cumulative_trapezoid", [leaf([3, 4]), leaf([3, 4])]) {
            Tensor.cumulativeTrapezoid($0[0], x: $0[1], dim: 1)
        }
        check("vander", [leaf([3])]) { Tensor.vander($0[0], n: 4) }
        check("diagflat", [leaf([2, 2])]) { $0[0].diagflat(1) }
        check("hstack/vstack/dstack/column_stack", [leaf([2, 3]), leaf([2, 3])]) {
            Tensor.cat(
                [
                    Tensor.hstack($0).reshape([-1]), Tensor.vstack($0).reshape([-1]), Tensor.dstack($0).reshape([-1]),
                    Tensor.columnStack($0).reshape([-1]),
                ])
        }
        check("select_scatter", [leaf([3, 4]), leaf([4])]) { $0[0].selectScatter($0[1], dim: 0, index: 1) }
        check("slice_scatter", [leaf([3, 4]), leaf([3, 2])]) {
            $0[0].sliceScatter($0[1], dim: 1, start: 0, end: 4, step: 2)
        }
        check("diagonal_scatter", [leaf([3, 4]), leaf([3])]) { $0[0].diagonalScatter($0[1], offset: 1) }
    }

    func testCholeskySolves() {
        let a = leaf([3, 3]).detach()
        let spd = a.matmul(a.mT) + Tensor.eye(3, dtype: .float64) * 3
        let l = Linalg.cholesky(spd)
        check("cholesky_solve", [leaf([3, 2]), l.detach().requiresGrad_()]) {
            Linalg.choleskySolve($0[0], $0[1].tril())
        }
        check("cholesky_inverse upper", [l.mT.contiguous().requiresGrad_()]) {
            Linalg.choleskyInverse($0[0].triu(), upper: true)
        }
        XCTAssertLessThan(
            (Linalg.choleskyInverse(l).matmul(spd) - Tensor.eye(3, dtype: .float64)).abs().max().item(), 1e-12)
    }

    func testCatKeepsSkippedEmptyInputsInTheGraph() {
        // PyTorch skips 1-D empty tensors when checking shapes, but they stay inputs of the node
        // and take part in the dtype, so a result made from them requires grad.
        let empty = Tensor.zeros([0], dtype: .float64).requiresGrad_()
        let y = Tensor.cat([Tensor.ones([2], dtype: .float32), empty])
        XCTAssertTrue(y.requiresGrad)
        XCTAssertEqual(y.dtype, .float64)
        y.sum().backward()
        XCTAssertEqual(empty.grad?.shape, [0])
        XCTAssertTrue(Tensor.zeros([4, 0], dtype: .float64).requiresGrad_().diagflat(2).requiresGrad)
        let w = leaf([3])
        check("cat with a skipped empty input", [w, empty]) { Tensor.cat([$0[1], $0[0] * 2, $0[1]]) }
    }

    func testFrexpAndPredicates() {
        let (m, e) = Tensor([8.0, -0.75, 0, .infinity, 1e-310], dtype: .float64).frexp()
        XCTAssertEqual(m.scalars, [0.5, -0.75, 0, .infinity, m.scalars[4]])
        XCTAssertEqual(e.toArray(Int32.self), [4, 0, 0, 0, e.toArray(Int32.self)[4]])
        XCTAssertEqual(m.scalars[4] * Double.pow(2, Double(e.toArray(Int32.self)[4])), 1e-310)
        XCTAssertEqual(Tensor([1.0, .infinity, -.infinity]).isposinf().toArray(Bool.self), [false, true, false])
        XCTAssertEqual(Tensor([1.0, .infinity, -.infinity]).isneginf().toArray(Bool.self), [false, false, true])
        XCTAssertEqual(Tensor([-1.0, 0.0, 2.0]).heaviside(Tensor([0.5])).scalars, [0, 0.5, 1])
    }
}
