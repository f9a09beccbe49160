import TorchBase

// `torch.linalg` functions composed from the factorization primitives, matmul and reductions
// (their gradients come from those): norms, matrix powers and exponentials, cross and vector
// products, triangular solves, the rank and condition number, and the `_ex` forms that report
// LAPACK's status instead of raising.

/// Which matrix norm `Linalg.matrixNorm` computes (PyTorch's `ord=`).
public enum MatrixNormOrder: Sendable {
    /// √(Σ x²), the Frobenius norm (`'fro'`).
    case frobenius
    /// The sum of the singular values (`'nuc'`).
    case nuclear
    /// max Σⱼ |xᵢⱼ| (`inf`) or its min (`-inf`).
    case maxRowSum, minRowSum
    /// max Σᵢ |xᵢⱼ| (`1`) or its min (`-1`).
    case maxColumnSum, minColumnSum
    /// The largest (`2`) or smallest (`-2`) singular value.
    case largestSingularValue, smallestSingularValue
}

extension Linalg {
    /// The vector `ord`-norm over `dims` (all elements when nil) (`torch.linalg.vector_norm`):
    /// ±inf give max/min |x|, 0 counts the non-zero elements.
    ///
    /// ```swift
    /// Linalg.vectorNorm(Tensor([3.0, 4.0]))   // 5.0
    /// ```
    public static func vectorNorm(
        _ x: Tensor, ord: Double = 2, dims: [Int]? = nil, keepdim: Bool = false, file: StaticString = #fileID,
        line: UInt = #line
    ) -> Tensor {
        x.norm(p: ord, dims: dims, keepdim: keepdim, file: file, line: line)
    }

    /// A matrix norm over the last two dimensions (`torch.linalg.matrix_norm`).
    ///
    /// ```swift
    /// Linalg.matrixNorm(Tensor([[1.0, -2.0], [3.0, 4.0]]), ord: .maxRowSum)   // 7.0
    /// ```
    public static func matrixNorm(
        _ x: Tensor, ord: MatrixNormOrder = .frobenius, keepdim: Bool = false, file: StaticString = #fileID,
        line: UInt = #line
    ) -> Tensor {
        if x.rank < 2 {
            torchFail(
                "linalg.matrix_norm", "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.",
                file: file, line: line)
        }
        if !x.dtype.isFloatingPoint {
            torchFail(
                "linalg.matrix_norm",
                "linalg.matrix_norm: Expected a floating point or complex tensor as input. Got \(x.dtype.pytorchName)",
                file: file, line: line)
        }
        let r: Tensor
        switch ord {
        case .frobenius: return x.norm(p: 2, dims: [-2, -1], keepdim: keepdim, file: file, line: line)
        case .maxRowSum: r = x.abs().sum(dims: [-1], keepdim: true).amax(dims: [-2], keepdim: true)
        case .minRowSum: r = x.abs().sum(dims: [-1], keepdim: true).amin(dims: [-2], keepdim: true)
        case .maxColumnSum: r = x.abs().sum(dims: [-2], keepdim: true).amax(dims: [-1], keepdim: true)
        case .minColumnSum: r = x.abs().sum(dims: [-2], keepdim: true).amin(dims: [-1], keepdim: true)
        case .nuclear: r = svdvals(x, file: file, line: line).sum(dims: [-1]).unsqueeze(-1).unsqueeze(-1)
        case .largestSingularValue:
            r = svdvals(x, file: file, line: line).amax(dims: [-1], keepdim: true).unsqueeze(-1)
        case .smallestSingularValue:
            r = svdvals(x, file: file, line: line).amin(dims: [-1], keepdim: true).unsqueeze(-1)
        }
        return keepdim ? r : r.squeeze(-1).squeeze(-1)
    }

    /// `A` to the integer power `n` by repeated squaring (`torch.linalg.matrix_power`): the
    /// identity for 0, powers of the inverse for negative `n`.
    ///
    /// ```swift
    /// Linalg.matrixPower(Tensor([[1.0, 1.0], [0.0, 1.0]]), 3)   // [[1, 3], [0, 1]]
    /// ```
    public static func matrixPower(_ a: Tensor, _ n: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if a.rank < 2 || a.shape[a.rank - 1] != a.shape[a.rank - 2] {
            torchFail(
                "linalg.matrix_power",
                "linalg.matrix_power: A must be batches of square matrices, but they are "
                    + "\(a.rank < 2 ? "not matrices" : "\(a.shape[a.rank - 2]) by \(a.shape[a.rank - 1]) matrices")",
                file: file, line: line)
        }
        let size = a.shape[a.rank - 1]
        if n == 0 {
            // The identity, still in the graph (zero gradient) as PyTorch's copy into a clone of A.
            let eye = Tensor.eye(size, dtype: a.dtype).to(device: a.device).expand(a.shape).contiguous()
            return Tensor.shouldRecord(a) ? Tensor.where(Tensor.onesLike(eye, dtype: .bool), eye, a) : eye
        }
        var base = n < 0 ? inv(a, file: file, line: line) : a
        var k = Swift.abs(n)
        var result: Tensor? = nil
        while k > 0 {
            if k & 1 == 1 { result = result.map { $0.matmul(base) } ?? base }
            k >>= 1
            if k > 0 { base = base.matmul(base) }
        }
        return result!
    }

    /// The matrix exponential of each square matrix (`torch.linalg.matrix_exp`): scaling and
    /// squaring around a degree-18 Taylor polynomial, accurate to the dtype's precision.
    ///
    /// ```swift
    /// Linalg.matrixExp(Tensor([[0.0, 1.0], [0.0, 0.0]]))   // [[1, 1], [0, 1]]
    /// ```
    public static func matrixExp(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        LAPACKCalls.check(a, "linalg.matrix_exp", file: file, line: line)
        let n = a.shape[a.rank - 1]
        if a.count == 0 { return a.clone() }
        // One scaling for the batch, from its largest 1-norm.
        let norm = Torch.noGrad { a.abs().sum(dims: [-2]).amax().item() }
        let squarings = norm.isFinite && norm > 0.5 ? Int(Double.log2(norm / 0.5).rounded(.up)) : 0
        let x = squarings > 0 ? a / Double(1 << Swift.min(squarings, 60)) : a
        let eye = Tensor.eye(n, dtype: a.dtype).to(device: a.device)
        // Horner: I + x(I + x/2(I + x/3(...))).
        var r = eye.expand(a.shape)
        for k in stride(from: 18, through: 1, by: -1) { r = eye + x.matmul(r) / Double(k) }
        for _ in 0..<squarings { r = r.matmul(r) }
        return r
    }

    /// The cross product of 3-vectors along `dim` (`torch.linalg.cross`), broadcasting the others.
    ///
    /// ```swift
    /// Linalg.cross(Tensor([1.0, 0, 0]), Tensor([0.0, 1, 0]))   // [0, 0, 1]
    /// ```
    public static func cross(
        _ a: Tensor, _ b: Tensor, dim: Int = -1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if a.rank != b.rank {
            torchFail(
                "linalg.cross", "linalg.cross: inputs must have the same number of dimensions.", file: file, line: line)
        }
        let shape = Checks.broadcastShapes(a.shape, b.shape).unwrap("linalg.cross", file: file, line: line)
        let x = a.expand(shape), y = b.expand(shape)
        let d = x.normDim(dim, "linalg.cross", file, line)
        if shape[d] != 3 {
            torchFail(
                "linalg.cross",
                "linalg.cross: inputs dimension \(dim) must have length 3. Got \(a.shape.count > d ? a.shape[d] : 0) "
                    + "and \(b.shape.count > d ? b.shape[d] : 0)", file: file, line: line)
        }
        func c(_ t: Tensor, _ i: Int) -> Tensor { t.narrow(d, start: i, length: 1) }
        let parts = [
            c(x, 1) * c(y, 2) - c(x, 2) * c(y, 1), c(x, 2) * c(y, 0) - c(x, 0) * c(y, 2),
            c(x, 0) * c(y, 1) - c(x, 1) * c(y, 0),
        ]
        return Tensor.cat(parts, dim: d, file: file, line: line)
    }

    /// Σ x·y along `dim` (`torch.linalg.vecdot`, real tensors), broadcasting the others.
    ///
    /// ```swift
    /// Linalg.vecdot(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))   // 11.0
    /// ```
    public static func vecdot(_ x: Tensor, _ y: Tensor, dim: Int = -1, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        x.mul(y).sum(dims: [dim], file: file, line: line)
    }

    /// Solves a triangular system: `A X = B` (`left`) or `X A = B`, reading only `A`'s upper or lower
    /// triangle (`torch.linalg.solve_triangular`); `unitriangular` takes its diagonal as ones.
    ///
    /// ```swift
    /// Linalg.solveTriangular(l, b, upper: false)
    /// ```
    public static func solveTriangular(
        _ a: Tensor, _ b: Tensor, upper: Bool, left: Bool = true, unitriangular: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if b.rank < 2 {
            torchFail(
                "linalg.solve_triangular",
                "linalg.solve_triangular: The input tensor B must have at least 2 dimensions.", file: file, line: line)
        }
        // B takes A's dtype, as PyTorch's.
        let b = b.to(a.dtype)
        var t = upper ? a.triu() : a.tril()
        if unitriangular {
            let n = a.shape[a.rank - 1]
            let eye = Tensor.eye(n, dtype: a.dtype).to(device: a.device)
            t = t * (1 - eye) + eye
        }
        if left { return solveMatrices(t, b, "linalg.solve_triangular", file: file, line: line) }
        // X A = B  <=>  Aᵀ Xᵀ = Bᵀ.
        return solveMatrices(t.mT, b.mT, "linalg.solve_triangular", file: file, line: line).mT
    }

    /// The number of singular values above `tol` (default: the largest times max(m, n) times the
    /// dtype's epsilon), per matrix (`torch.linalg.matrix_rank`), as int64.
    ///
    /// ```swift
    /// Linalg.matrixRank(Tensor([[1.0, 2.0], [2.0, 4.0]]))   // 1
    /// ```
    public static func matrixRank(_ a: Tensor, tol: Double? = nil, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        let s = Torch.noGrad { svdvals(a, file: file, line: line) }
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1]
        let eps = a.dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        let threshold: Tensor
        if let tol {
            threshold = Tensor.scalar(tol, dtype: a.dtype)
        } else if s.shape.last == 0 {
            threshold = Tensor.scalar(0.0, dtype: a.dtype)
        } else {
            threshold = s.amax(dims: [-1], keepdim: true) * (eps * Double(Swift.max(m, n)))
        }
        return (s .> threshold).sum(dims: [-1])
    }

    /// The 2-norm condition number σ_max / σ_min of each matrix (`torch.linalg.cond` with its
    /// default `p`).
    ///
    /// ```swift
    /// Linalg.cond(Tensor([[2.0, 0.0], [0.0, 0.5]]))   // 4.0
    /// ```
    public static func cond(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let s = svdvals(a, file: file, line: line)
        return s.amax(dims: [-1]) / s.amin(dims: [-1])
    }

    /// `inv` that reports LAPACK's status per matrix instead of refusing singular ones
    /// (`torch.linalg.inv_ex`): `info` is 0, or the 1-based index of a zero pivot.
    ///
    /// ```swift
    /// let (inverse, info) = Linalg.invEx(a)
    /// ```
    public static func invEx(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> (
        inverse: Tensor, info: Tensor
    ) {
        LAPACKCalls.check(a, "linalg.inv_ex", file: file, line: line)
        let status = Torch.noGrad { LAPACKCalls.lu(a).info }
        let info = Tensor(flat: status, shape: Array(a.shape.dropLast(2)), dtype: .int32)
        if status.contains(where: { $0 != 0 }) {
            // LAPACK's solve runs anyway, as PyTorch's: its division by the zero pivot gives inf/NaN.
            let eye = Tensor.eye(a.shape[a.rank - 1], dtype: a.dtype).to(device: a.device).expand(a.shape)
            let (x, _) = LAPACKCalls.solve(a, eye.contiguous(), evenIfSingular: true)
            return (x.contiguous(), info)
        }
        return (inv(a, file: file, line: line), info)
    }

    /// `cholesky` that reports the status per matrix instead of refusing (`torch.linalg.cholesky_ex`):
    /// `info` is 0, or the order of the leading minor that is not positive-definite.
    ///
    /// ```swift
    /// let (l, info) = Linalg.choleskyEx(a)
    /// ```
    public static func choleskyEx(_ a: Tensor, upper: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> (l: Tensor, info: Tensor)
    {
        LAPACKCalls.check(a, "linalg.cholesky_ex", file: file, line: line)
        let n = a.shape[a.rank - 1]
        let batchShape = Array(a.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let cm = LAPACKCalls.columnMajor(a.detach())
        let info = Tensor.zeros([batch], dtype: .int32, device: a.device)
        if batch > 0 && n > 0 {
            Kernels.linalg(
                .cholesky, LinalgOperands(a: cm.operand, info: info.operand, batch: batch, rows: n, cols: n), a.device)
        }
        let status = info.reshape(batchShape)
        if info.toArray(Int32.self).allSatisfy({ $0 == 0 }) {
            return (cholesky(a, upper: upper, file: file, line: line), status)
        }
        let l = cm.mT.tril().contiguous()
        return (upper ? l.mT : l, status)
    }
}
