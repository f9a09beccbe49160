import Torch
import XCTest

/// torch.linalg beyond the differential suite: views are never overwritten by LAPACK, and the
/// factorizations reproduce their inputs.
final class LinalgTests: XCTestCase {
    /// LAPACK works in place on a column-major copy: a transposed or expanded input (whose
    /// transpose is already contiguous) must come back unchanged, with the right answer.
    func testViewsAreNotOverwritten() {
        let a = Tensor([[4.0, 1.0], [2.0, 3.0]], dtype: .float64)
        let before = a.toArray(Double.self)
        for m in [a, a.mT, a.unsqueeze(0).expand([3, 2, 2])] {
            let b = Tensor([[1.0], [2.0]], dtype: .float64)
            let x = Linalg.solve(m, b)
            let residual = (m.matmul(x) - b).abs().max().item()
            XCTAssertLessThan(residual, 1e-12)
            XCTAssertLessThan((m.matmul(Linalg.inv(m)) - Tensor.eye(2, dtype: .float64)).abs().max().item(), 1e-12)
            _ = Linalg.det(m)
            _ = Linalg.cholesky(m.matmul(m.mT))
            _ = Linalg.eigh(m + m.mT)
            _ = Linalg.svd(m)
        }
        XCTAssertEqual(a.toArray(Double.self), before)
    }

    /// The factors multiply back to the input: A = L Lᵀ, A = V diag(λ) Vᵀ, A = U diag(S) Vh.
    func testFactorizationsReconstruct() {
        let x = Tensor.randn([2, 4, 4], dtype: .float64)
        let spd = x.matmul(x.mT) + Tensor.eye(4, dtype: .float64)
        let l = Linalg.cholesky(spd)
        XCTAssertLessThan((l.matmul(l.mT) - spd).abs().max().item(), 1e-10)
        XCTAssertEqual(l.triu(1).abs().max().item(), 0)
        let (values, vectors) = Linalg.eigh(spd)
        let back = vectors.matmul(values.diagEmbed()).matmul(vectors.mT)
        XCTAssertLessThan((back - spd).abs().max().item(), 1e-10)
        let r = Tensor.randn([3, 5, 2], dtype: .float64)
        let (u, s, vh) = Linalg.svd(r, fullMatrices: false)
        XCTAssertEqual(u.shape, [3, 5, 2])
        XCTAssertEqual(vh.shape, [3, 2, 2])
        XCTAssertLessThan((u.matmul(s.diagEmbed()).matmul(vh) - r).abs().max().item(), 1e-10)
        let full = Linalg.svd(r, fullMatrices: true)
        XCTAssertEqual(full.u.shape, [3, 5, 5])
        XCTAssertLessThan((full.u.mT.matmul(full.u) - Tensor.eye(5, dtype: .float64)).abs().max().item(), 1e-10)
        // det through LU: a permutation's sign and a product.
        let p = Tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]], dtype: .float64)
        XCTAssertEqual(Linalg.det(p).item(), -2, accuracy: 1e-12)
        let (sign, logabs) = Linalg.slogdet(p)
        XCTAssertEqual(sign.item(), -1)
        XCTAssertEqual(logabs.item(), Double.log(2), accuracy: 1e-12)
    }
}
