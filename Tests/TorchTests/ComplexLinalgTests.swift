import XCTest

@testable import Torch

/// torch.linalg on complex64/complex128 (Note [Complex LAPACK]): every factorization satisfies its
/// definition, and every differentiable one passes gradcheck and gradgradcheck on complex128
/// inputs through phase-free functions of its outputs. The differential suite's `cx_linalg_*`
/// cases compare the same ops with PyTorch.
final class ComplexLinalgTests: XCTestCase {
    override func setUp() { Torch.manualSeed(3) }

    func cx(_ shape: [Int], shift: Double = 0) -> Tensor {
        var a = Tensor.complex(Tensor.randn(shape, dtype: .float64), Tensor.randn(shape, dtype: .float64))
        if shift != 0 { a = a + Tensor.eye(shape[shape.count - 1], dtype: .complex128) * shift }
        return a.detach().requiresGrad_()
    }
    func hermitian(_ x: Tensor) -> Tensor { (x + x.mH) * 0.5 }
    func positiveDefinite(_ x: Tensor) -> Tensor {
        x.matmul(x.mH) + Tensor.eye(x.shape[x.rank - 1], dtype: x.dtype) * 3.0
    }
    func maxError(_ x: Tensor, _ y: Tensor) -> Double { (x - y).abs().max().item() }

    func assertGradients(
        _ name: String, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
        _ f: @escaping ([Tensor]) -> Tensor
    ) {
        let first = Torch.gradcheck(f, inputs)
        XCTAssertTrue(first.passed, "\(name): \(first)", file: file, line: line)
        let second = Torch.gradgradcheck(f, inputs)
        XCTAssertTrue(second.passed, "\(name) (second order): \(second)", file: file, line: line)
    }

    func testFactorizationsSatisfyTheirDefinitions() {
        let a = cx([2, 3, 3], shift: 3).detach()
        let eye = Tensor.eye(3, dtype: .complex128)
        XCTAssertLessThan(maxError(Linalg.inv(a).matmul(a), eye), 1e-12)
        let (l, v) = Linalg.eig(a)
        XCTAssertEqual(l.dtype, .complex128)
        XCTAssertLessThan(maxError(a.matmul(v), v * l.unsqueeze(-2)), 1e-12)
        let (u, s, vh) = Linalg.svd(a)
        XCTAssertEqual(s.dtype, .float64)
        XCTAssertLessThan(maxError((u * s.unsqueeze(-2)).matmul(vh), a), 1e-12)
        let h = hermitian(a)
        let (hl, hv) = Linalg.eigh(h)
        XCTAssertEqual(hl.dtype, .float64)
        XCTAssertLessThan(maxError(h.matmul(hv), hv * hl.unsqueeze(-2)), 1e-12)
        let (q, r) = Linalg.qr(a)
        XCTAssertLessThan(maxError(q.matmul(r), a), 1e-12)
        let c = Linalg.cholesky(positiveDefinite(a))
        XCTAssertLessThan(maxError(c.matmul(c.mH), positiveDefinite(a)), 1e-12)
        XCTAssertLessThan(maxError(Linalg.cholesky(positiveDefinite(a), upper: true), c.mH), 1e-15)
        // det = Π eigenvalues; slogdet's sign is a phase; logdet the complex logarithm.
        let det = Linalg.det(a)
        XCTAssertLessThan(maxError(det, l.prod(dims: [-1])), 1e-11)
        let (sign, logabs) = Linalg.slogdet(a)
        XCTAssertEqual(logabs.dtype, .float64)
        XCTAssertLessThan(maxError(sign * logabs.exp(), det), 1e-11)
        XCTAssertLessThan(maxError(a.logdet().exp(), det), 1e-11)
        let (p, lower, upper) = Linalg.lu(a)
        XCTAssertLessThan(maxError(p.matmul(lower).matmul(upper), a), 1e-12)
        let b = cx([2, 3, 2]).detach()
        XCTAssertLessThan(maxError(a.matmul(Linalg.solve(a, b)), b), 1e-12)
        let tall = cx([5, 3]).detach(), rhs = cx([5, 2]).detach()
        let reference = Linalg.pinv(tall).matmul(rhs)
        for driver in [LstsqDriver.gels, .gelsy, .gelsd, .gelss] {
            XCTAssertLessThan(maxError(Linalg.lstsq(tall, rhs, driver: driver).solution, reference), 1e-12, "\(driver)")
        }
        // complex64 goes through the c routines.
        let a32 = a.to(.complex64)
        XCTAssertLessThan(maxError(Linalg.inv(a32).matmul(a32), eye.to(.complex64)), 1e-5)
        XCTAssertLessThan(maxError(Linalg.svdvals(a32).to(.float64), s), 1e-5)
    }

    func testHermitianLDLFactorization() {
        let h = hermitian(cx([4, 4], shift: 20).detach())
        let (ld, pivots) = Linalg.ldlFactor(h, hermitian: true)
        // Without pivoting swaps (pivots 1...n), A = L D Lᴴ with L unit lower and D the diagonal.
        XCTAssertEqual(pivots.toArray(Int32.self), [1, 2, 3, 4])
        let eye = Tensor.eye(4, dtype: .complex128)
        let lower = ld.tril(-1) + eye
        let d = ld.diagonal(dim1: -2, dim2: -1).diagEmbed()
        XCTAssertLessThan(maxError(lower.matmul(d).matmul(lower.mH), h), 1e-12)
    }

    func testGradientsOfTheSquareFactorizations() {
        let a = cx([2, 3, 3], shift: 3)
        assertGradients("inv", [a]) { Linalg.inv($0[0]) }
        assertGradients("det", [a]) { Linalg.det($0[0]) }
        assertGradients("slogdet sign", [a]) { Linalg.slogdet($0[0]).sign }
        assertGradients("slogdet log", [a]) { Linalg.slogdet($0[0]).logabsdet }
        assertGradients("logdet", [a]) { $0[0].logdet() }
        let b = cx([2, 3, 2])
        assertGradients("solve", [a, b]) { Linalg.solve($0[0], $0[1]) }
        assertGradients("solve left: false", [a, cx([2, 2, 3])]) { Linalg.solve($0[0], $0[1], left: false) }
        assertGradients("cholesky", [a]) { Linalg.cholesky(self.positiveDefinite($0[0])) }
        assertGradients("eigvalsh", [a]) { Linalg.eigvalsh(self.hermitian($0[0])) }
        assertGradients("eigh |V|", [a]) { Linalg.eigh(self.hermitian($0[0])).eigenvectors.abs() }
        assertGradients("eigvals", [cx([3, 3])]) { Linalg.eigvals($0[0]) }
        assertGradients("eig VᴴV", [cx([3, 3])]) {
            let v = Linalg.eig($0[0]).eigenvectors
            return v.mH.matmul(v).abs()
        }
        assertGradients("matrix_exp", [cx([3, 3])]) { Linalg.matrixExp($0[0] * 0.3) }
        assertGradients("matrix_power -2", [a]) { Linalg.matrixPower($0[0], -2) }
        assertGradients("cond", [a]) { Linalg.cond($0[0]) }
        assertGradients("solve_triangular", [a, b]) { Linalg.solveTriangular($0[0], $0[1], upper: true) }
    }

    func testGradientsOfTheRectangularFactorizations() {
        assertGradients("svdvals", [cx([2, 3, 4])]) { Linalg.svdvals($0[0]) }
        assertGradients("svd U Vh", [cx([3, 4])]) {
            let r = Linalg.svd($0[0], fullMatrices: false)
            return r.u.matmul(r.vh)
        }
        assertGradients("svd |U| tall", [cx([4, 2])]) { Linalg.svd($0[0], fullMatrices: false).u.abs() }
        assertGradients("svd |Vh| wide", [cx([2, 4])]) { Linalg.svd($0[0], fullMatrices: false).vh.abs() }
        for shape in [[4, 3], [2, 4]] {
            assertGradients("qr \(shape)", [cx(shape)]) {
                let r = Linalg.qr($0[0])
                return Tensor.cat([r.q.reshape([-1]), r.r.reshape([-1])])
            }
            assertGradients("lu \(shape)", [cx(shape)]) {
                let r = Linalg.lu($0[0])
                return Tensor.cat([r.l.reshape([-1]), r.u.reshape([-1])])
            }
        }
        let factors = Linalg.luFactor(cx([3, 3], shift: 2).detach())
        for (left, adjoint) in [(true, false), (true, true), (false, false), (false, true)] {
            assertGradients("lu_solve left \(left) adjoint \(adjoint)", [cx(left ? [3, 2] : [2, 3])]) {
                Linalg.luSolve(factors.lu, factors.pivots, $0[0], left: left, adjoint: adjoint)
            }
        }
        assertGradients("pinv", [cx([3, 2])]) { Linalg.pinv($0[0]) }
        assertGradients("pinv hermitian", [cx([3, 3])]) { Linalg.pinv(self.hermitian($0[0]), hermitian: true) }
        for driver in [LstsqDriver.gels, .gelsy, .gelsd] {
            assertGradients("lstsq \(driver)", [cx([4, 2]), cx([4, 2])]) {
                Linalg.lstsq($0[0], $0[1], driver: driver).solution
            }
        }
        assertGradients("lstsq residuals", [cx([4, 2]), cx([4, 2])]) {
            Linalg.lstsq($0[0], $0[1], driver: .gelsd).residuals
        }
        assertGradients("nuclear norm", [cx([3, 3])]) { Linalg.matrixNorm($0[0], ord: .nuclear) }
        assertGradients("vecdot", [cx([3, 3]), cx([3, 3])]) { Linalg.vecdot($0[0], $0[1]) }
    }

    func testVecdotConjugatesItsFirstArgument() {
        let x = Tensor.complex(Tensor([0.0, 1.0], dtype: .float64), Tensor([1.0, 0.0], dtype: .float64))
        // conj(i)·i + conj(1)·1 = 1 + 1.
        let v = Linalg.vecdot(x, x)
        XCTAssertEqual(v.real.item(), 2.0)
        XCTAssertEqual(v.imag.item(), 0.0)
    }
}
