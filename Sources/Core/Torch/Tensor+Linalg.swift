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
        _ x: Tensor, ord: Double = 2, dims: [Int]? = nil, keepdim: Bool = false, dtype: DType? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let x = normInput(x, dtype, "linalg.vector_norm", file: file, line: line)
        return x.norm(p: ord, dims: dims, keepdim: keepdim, file: file, line: line)
    }

    /// `x` converted to the `dtype:` of a norm, refused as PyTorch refuses it.
    static func normInput(_ x: Tensor, _ dtype: DType?, _ op: String, file: StaticString, line: UInt) -> Tensor {
        guard let dtype else { return x }
        if !dtype.isFloatingPoint {
            torchFail(
                op, "\(op): dtype should be floating point or complex, but got \(dtype.pytorchName)", file: file,
                line: line)
        }
        if x.dtype.isFloatingPoint && promoteTypes(x.dtype, dtype) != dtype {
            torchFail(
                op,
                "\(op): the dtype of the input (\(x.dtype.pytorchName)) should be convertible without narrowing to the "
                    + "specified dtype (\(dtype.pytorchName))", file: file, line: line)
        }
        return x.to(dtype)
    }

    /// The matrix norm of a numeric `ord` (1, -1, 2, -2, ±inf), or PyTorch's refusal.
    static func matrixOrder(_ ord: Double, file: StaticString, line: UInt) -> MatrixNormOrder {
        switch ord {
        case 1: return .maxColumnSum
        case -1: return .minColumnSum
        case 2: return .largestSingularValue
        case -2: return .smallestSingularValue
        case .infinity: return .maxRowSum
        case -.infinity: return .minRowSum
        default:
            let shown = ord == ord.rounded() && Swift.abs(ord) < 1e15 ? "\(Int(ord))" : "\(ord)"
            torchFail(
                "linalg.matrix_norm", "linalg.matrix_norm: Order \(shown) not supported.", file: file, line: line)
        }
    }

    /// A matrix norm over the two dimensions `dims` (`torch.linalg.matrix_norm`).
    ///
    /// ```swift
    /// Linalg.matrixNorm(Tensor([[1.0, -2.0], [3.0, 4.0]]), ord: .maxRowSum)   // 7.0
    /// ```
    public static func matrixNorm(
        _ x: Tensor, ord: MatrixNormOrder = .frobenius, dims: [Int] = [-2, -1], keepdim: Bool = false,
        dtype: DType? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if x.rank < 2 {
            torchFail(
                "linalg.matrix_norm", "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.",
                file: file, line: line)
        }
        if !x.dtype.isFloatingPoint && !x.isComplex {
            torchFail(
                "linalg.matrix_norm",
                "linalg.matrix_norm: Expected a floating point or complex tensor as input. Got \(x.dtype.pytorchName)",
                file: file, line: line)
        }
        if dims.count != 2 {
            torchFail(
                "linalg.matrix_norm",
                "linalg.matrix_norm: dim must be a 2-tuple. Got \(dims.map(String.init).joined(separator: " "))",
                file: file, line: line)
        }
        let d0 = Checks.dim(dims[0], rank: x.rank).unwrap("linalg.matrix_norm", file: file, line: line)
        let d1 = Checks.dim(dims[1], rank: x.rank).unwrap("linalg.matrix_norm", file: file, line: line)
        if d0 == d1 {
            torchFail(
                "linalg.matrix_norm", "linalg.matrix_norm: dims must be different. Got (\(dims[0]), \(dims[1]))",
                file: file, line: line)
        }
        let x = normInput(x, dtype, "linalg.matrix_norm", file: file, line: line)
        if d0 != x.rank - 2 || d1 != x.rank - 1 {
            var r = matrixNorm(x.movedim([d0, d1], [-2, -1]), ord: ord, file: file, line: line)
            if keepdim { for d in [d0, d1].sorted() { r = r.unsqueeze(d) } }
            return r
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

    /// `torch.linalg.norm` with a numeric (or no) `ord`: a vector norm over one dim (or all
    /// elements when neither `ord` nor `dims` is given), a matrix norm over two (`ord` 1, -1, 2,
    /// -2, ±inf; Frobenius when nil); with `ord` but no `dims` the input must be 1-D or 2-D.
    ///
    /// ```swift
    /// Linalg.norm(Tensor([[3.0, 0.0], [0.0, 4.0]]))            // 5.0
    /// Linalg.norm(Tensor([[3.0, 0.0], [0.0, 4.0]]), ord: 2)    // 4.0 (largest singular value)
    /// ```
    public static func norm(
        _ x: Tensor, ord: Double? = nil, dims: [Int]? = nil, keepdim: Bool = false, dtype: DType? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if let dims, dims.count != 1 && dims.count != 2 {
            torchFail(
                "linalg.norm", "linalg.norm: If dim is specified, it must be of length 1 or 2. Got \(dims)",
                file: file, line: line)
        }
        if ord != nil && dims == nil && x.rank != 1 && x.rank != 2 {
            torchFail(
                "linalg.norm",
                "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got \(x.rank)D.",
                file: file, line: line)
        }
        // Without `ord` the Frobenius norm over two dims is their vector 2-norm, as PyTorch computes it.
        let matrixDims = ord == nil ? nil : dims.map { $0.count == 2 ? $0 : nil } ?? (x.rank == 2 ? [-2, -1] : nil)
        if let matrixDims {
            let order = ord.map { matrixOrder($0, file: file, line: line) } ?? .frobenius
            return matrixNorm(x, ord: order, dims: matrixDims, keepdim: keepdim, dtype: dtype, file: file, line: line)
        }
        return vectorNorm(x, ord: ord ?? 2, dims: dims, keepdim: keepdim, dtype: dtype, file: file, line: line)
    }

    /// `torch.linalg.norm` with a matrix order (`.frobenius`, `.nuclear`, ...) over `dims` (the
    /// input must be 2-D when nil).
    ///
    /// ```swift
    /// Linalg.norm(a, ord: .nuclear)
    /// ```
    public static func norm(
        _ x: Tensor, ord: MatrixNormOrder, dims: [Int]? = nil, keepdim: Bool = false, dtype: DType? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        // A 1-D input reaches matrix_norm's own refusal, as PyTorch's.
        if dims == nil && x.rank > 2 {
            torchFail(
                "linalg.norm",
                "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got \(x.rank)D.",
                file: file, line: line)
        }
        return matrixNorm(x, ord: ord, dims: dims ?? [-2, -1], keepdim: keepdim, dtype: dtype, file: file, line: line)
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
        // Single precision is computed in double and rounded once: each squaring doubles the
        // rounding error, which in float32 reached 7e-4 relative on inputs of 1-norm 12 (more
        // than PyTorch's own float32 result differs from the exact one).
        if a.dtype == .float32 || a.dtype == .complex64 {
            return matrixExp(a.to(a.dtype == .float32 ? .float64 : .complex128), file: file, line: line).to(a.dtype)
        }
        // One scaling for the batch, from its largest 1-norm, to PyTorch's bound for its degree-18
        // Taylor polynomial in double precision (truncation below 1e-16).
        let norm = Torch.noGrad { a.abs().sum(dims: [-2]).amax().item() }
        let theta = 1.090863719290036
        let squarings = norm.isFinite && norm > theta ? Int(Double.log2(norm / theta).rounded(.up)) : 0
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

    /// Σ conj(x)·y along `dim` (`torch.linalg.vecdot`), broadcasting the others.
    ///
    /// ```swift
    /// Linalg.vecdot(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))   // 11.0
    /// ```
    public static func vecdot(_ x: Tensor, _ y: Tensor, dim: Int = -1, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        (x.isComplex ? x.conj() : x).mul(y).sum(dims: [dim], file: file, line: line)
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
        // X A = B  <=>  Aᵀ Xᵀ = Bᵀ (plain transposes: the conjugates would cancel).
        return solveMatrices(t.mT, b.mT, "linalg.solve_triangular", file: file, line: line).mT
    }

    /// The number of singular values above the tolerance, per matrix (`torch.linalg.matrix_rank`),
    /// as int64: max(atol, rtol · σ_max), rtol defaulting to max(m, n) · ε (or 0 when only a
    /// positive atol is given); `tol` is the older spelling of atol; `hermitian` uses the
    /// eigenvalues' magnitudes.
    ///
    /// ```swift
    /// Linalg.matrixRank(Tensor([[1.0, 2.0], [2.0, 4.0]]))   // 1
    /// ```
    public static func matrixRank(
        _ a: Tensor, atol: Double? = nil, rtol: Double? = nil, hermitian: Bool = false, tol: Double? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        LAPACKCalls.check(a, "linalg.matrix_rank", square: hermitian, file: file, line: line)
        let s = Torch.noGrad {
            hermitian
                ? eigvalsh(a, file: file, line: line).abs() : svdvals(a, file: file, line: line)
        }
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1]
        let eps = a.dtype.realPart == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        let absolute = atol ?? tol ?? 0
        let relative = rtol ?? (absolute > 0 ? 0 : eps * Double(Swift.max(m, n)))
        if s.shape.last == 0 { return Tensor.zeros(Array(s.shape.dropLast()), dtype: .int64, device: a.device) }
        let threshold = (s.amax(dims: [-1], keepdim: true) * relative).clamp(min: absolute)
        return (s .> threshold).sum(dims: [-1])
    }

    /// The condition number of each matrix in the norm `p` (`torch.linalg.cond`): σ_max / σ_min for
    /// nil or `.largestSingularValue` (σ_min / σ_max for `.smallestSingularValue`), else
    /// ‖A‖ · ‖A⁻¹‖ for square A, inf where A is singular.
    ///
    /// ```swift
    /// Linalg.cond(Tensor([[2.0, 0.0], [0.0, 0.5]]))                 // 4.0
    /// Linalg.cond(Tensor([[2.0, 0.0], [0.0, 0.5]]), p: .frobenius)  // 8.5
    /// ```
    public static func cond(
        _ a: Tensor, p: MatrixNormOrder? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        switch p {
        case nil, .largestSingularValue?:
            let s = svdvals(a, file: file, line: line)
            return s.amax(dims: [-1]) / s.amin(dims: [-1])
        case .smallestSingularValue?:
            let s = svdvals(a, file: file, line: line)
            return s.amin(dims: [-1]) / s.amax(dims: [-1])
        case let order?:
            let names: [MatrixNormOrder: String] = [
                .frobenius: "fro", .nuclear: "nuc", .maxRowSum: "inf", .minRowSum: "-inf", .maxColumnSum: "1",
                .minColumnSum: "-1",
            ]
            LAPACKCalls.check(a, "linalg.cond(ord=\(names[order]!))", file: file, line: line)
            if order == .nuclear {
                // As PyTorch's: from the singular values, Σσ · Σ(1/σ) (finite but huge for a rank-deficient A).
                let s = svdvals(a, file: file, line: line)
                return s.sum(dims: [-1]) * s.reciprocal().sum(dims: [-1])
            }
            // As PyTorch's: a singular matrix's inverse counts as all +inf.
            let (inverse, info) = invEx(a, file: file, line: line)
            let singular = info.ne(Tensor.scalar(Int32(0), dtype: .int32)).unsqueeze(-1).unsqueeze(-1)
            let bounded = Tensor.where(singular, Double.infinity, inverse)
            let value =
                matrixNorm(a, ord: order, file: file, line: line)
                * matrixNorm(bounded, ord: order, file: file, line: line)
            // 0 · inf (a zero matrix) counts as inf, as NumPy's.
            return value.nanToNum(nan: .infinity, posinf: .infinity, neginf: -.infinity)
        }
    }

    /// Solves `A X = B` from the Cholesky factor of A (`torch.cholesky_solve(B, L, upper)`): two
    /// triangular solves, batched and broadcast.
    ///
    /// ```swift
    /// let l = Linalg.cholesky(a)
    /// let x = Linalg.choleskySolve(b, l)   // a.matmul(x) ≈ b
    /// ```
    public static func choleskySolve(
        _ b: Tensor, _ factor: Tensor, upper: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if b.dtype != factor.dtype {
            torchFail(
                "cholesky_solve",
                "Expected b and A to have the same dtype, but found b of type \(b.dtype.pytorchName) and A of type "
                    + "\(factor.dtype.pytorchName) instead.", file: file, line: line)
        }
        let l = upper ? factor.mH : factor
        let y = solveTriangular(l, b, upper: false, file: file, line: line)
        return solveTriangular(l.mH, y, upper: true, file: file, line: line)
    }

    /// The inverse of A from its Cholesky factor (`torch.cholesky_inverse(L, upper)`).
    ///
    /// ```swift
    /// Linalg.choleskyInverse(Linalg.cholesky(a))   // ≈ Linalg.inv(a)
    /// ```
    public static func choleskyInverse(
        _ factor: Tensor, upper: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        LAPACKCalls.check(factor, "cholesky_inverse", file: file, line: line)
        let n = factor.shape[factor.rank - 1]
        let eye = Tensor.eye(n, dtype: factor.dtype).to(device: factor.device).expand(factor.shape)
        return choleskySolve(eye, factor, upper: upper, file: file, line: line)
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
