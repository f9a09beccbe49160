import TorchBase

// Note [Dense factorizations]: `torch.linalg`'s LU, Cholesky, symmetric eigen- and singular-value
// decompositions run in the backend's `linalg` family (LAPACK from OpenBLAS on the CPU; the GPU
// falls back to it, counted, until cuSOLVER is wired). LAPACK is column-major: a row-major
// [.., m, n] batch is handed over as the contiguous copy of its transpose, whose bytes are the
// column-major matrices, and results come back the same way. Each primitive below records its
// node with PyTorch's derivative formula beside its forward; inv, det, slogdet, solve,
// cholesky, eigh and svdvals are differentiable (twice, their backward being built from them).

extension Primitive {
    /// The factorization primitives, PyTorch's node names.
    public static let linalgInv = Primitive("linalg_inv", nodeName: "LinalgInvExBackward0"),
        linalgDet = Primitive("linalg_det", nodeName: "LinalgDetBackward0"),
        linalgSlogdet = Primitive("linalg_slogdet", nodeName: "LinalgSlogdetBackward0"),
        linalgSolve = Primitive("linalg_solve", nodeName: "LinalgSolveExBackward0"),
        linalgCholesky = Primitive("linalg_cholesky", nodeName: "LinalgCholeskyExBackward0"),
        linalgEigh = Primitive("linalg_eigh", nodeName: "LinalgEighBackward0"),
        linalgSvdvals = Primitive("linalg_svdvals", nodeName: "LinalgSvdBackward0")
    /// The factorizations, in the registry.
    static let factorizations: [Primitive] =
        [
            .linalgInv, .linalgDet, .linalgSlogdet, .linalgSolve, .linalgCholesky, .linalgEigh, .linalgSvdvals,
        ] + decompositions
}

/// The LAPACK plumbing shared by the factorization primitives (Note [Dense factorizations]).
enum LAPACKCalls {
    /// Refuses what `torch.linalg` refuses: non-float dtypes, low precision, fewer than 2 dims,
    /// and (when `square`) non-square matrices.
    static func check(_ a: Tensor, _ op: String, square: Bool = true, file: StaticString, line: UInt) {
        if !a.dtype.isFloatingPoint && !a.isComplex {
            torchFail(
                op, "\(op): Expected a floating point or complex tensor as input. Got \(a.dtype.pytorchName)",
                file: file, line: line)
        }
        if a.dtype.computeType != a.dtype {
            torchFail(
                op, "\(op): Low precision dtypes not supported. Got \(a.dtype.pytorchName)", file: file, line: line)
        }
        if a.rank < 2 {
            torchFail(
                op, "\(op): The input tensor A must have at least 2 dimensions.", file: file, line: line)
        }
        if square && a.shape[a.rank - 1] != a.shape[a.rank - 2] {
            torchFail(
                op,
                "\(op): A must be batches of square matrices, but they are \(a.shape[a.rank - 2]) by "
                    + "\(a.shape[a.rank - 1]) matrices", file: file, line: line)
        }
    }

    /// The column-major buffer of a batch of matrices: a fresh contiguous copy of the transpose
    /// (always a copy: LAPACK overwrites it, and the transpose of a transposed view is contiguous).
    static func columnMajor(_ a: Tensor) -> Tensor { a.transpose(-2, -1).clone() }

    /// Traps with PyTorch's message for the first matrix whose status is not 0.
    static func raise(
        _ info: [Int32], batched: Bool, _ op: String, file: StaticString, line: UInt, _ what: (Int32) -> String
    ) {
        guard let i = info.firstIndex(where: { $0 != 0 }) else { return }
        let prefix = batched ? "(Batch element \(i)): " : ""
        torchFail(op, "\(op): \(prefix)\(what(info[i]))", file: file, line: line)
    }

    /// LU factors (column-major, `[batch.., n, n]` memory of the transposes) and int32 pivots of a
    /// batch of square matrices, with LAPACK's status per matrix.
    static func lu(_ a: Tensor) -> (lu: Tensor, pivots: Tensor, info: [Int32]) {
        let n = a.shape[a.rank - 1]
        let batchShape = Array(a.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let cm = columnMajor(a.detach())
        let pivots = Tensor.zeros(batchShape + [n], dtype: .int32, device: a.device)
        let info = Tensor.zeros([batch], dtype: .int32, device: a.device)
        if batch > 0 && n > 0 {
            var o = LinalgOperands(a: cm.operand, info: info.operand, batch: batch, rows: n, cols: n)
            o.pivots = pivots.operand
            Kernels.linalg(.luFactor, o, a.device)
        }
        return (cm, pivots, info.toArray(Int32.self))
    }

    /// Solves `A X = B` for a batch of square `a` and right-hand sides `b` [.., n, k] (batch shapes
    /// equal), returning X and the LU status per matrix.
    static func solve(_ a: Tensor, _ b: Tensor, evenIfSingular: Bool = false) -> (x: Tensor, info: [Int32]) {
        let n = a.shape[a.rank - 1], k = b.shape[b.rank - 1]
        let (factors, pivots, info) = lu(a)
        let batch = Array(a.shape.dropLast(2)).reduce(1, *)
        let rhs = columnMajor(b.detach().to(a.dtype))
        if batch > 0 && n > 0 && k > 0 && (evenIfSingular || !info.contains(where: { $0 != 0 })) {
            var o = LinalgOperands(
                a: factors.operand, info: Tensor.zeros([batch], dtype: .int32, device: a.device).operand, batch: batch,
                rows: n, cols: n)
            o.pivots = pivots.operand
            o.b = rhs.operand
            o.nrhs = k
            Kernels.linalg(.luSolve, o, a.device)
        }
        return (rhs.transpose(-2, -1), info)
    }
}

/// `torch.linalg`: dense linear algebra over batches of matrices (the last two dimensions), in
/// float32 and float64. `Torch.linalg` names this namespace.
///
/// ```swift
/// let x = Linalg.solve(a, b)        // a x = b
/// let (values, vectors) = Linalg.eigh(s)
/// ```
public enum Linalg {
    /// The inverse of each square matrix (`torch.linalg.inv`); a singular one is refused with
    /// PyTorch's message.
    ///
    /// ```swift
    /// Linalg.inv(Tensor([[2.0, 0.0], [0.0, 4.0]]))   // [[0.5, 0], [0, 0.25]]
    /// ```
    public static func inv(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1("linalg_inv", [a], [], file: file, line: line) { ts in
                inv(ts[0], file: file, line: line)
            }
        }
        LAPACKCalls.check(a, "linalg.inv", file: file, line: line)
        let n = a.shape[a.rank - 1]
        func forward() -> Tensor {
            let eye = Tensor.eye(n, dtype: a.dtype).to(device: a.device).expand(a.shape).contiguous()
            let (x, info) = LAPACKCalls.solve(a, eye)
            LAPACKCalls.raise(info, batched: a.rank > 2, "linalg.inv", file: file, line: line) {
                "The diagonal element \($0) is zero, the inversion could not be completed because the input "
                    + "matrix is singular."
            }
            return x.contiguous()
        }
        guard Tensor.shouldRecord(a) else { return forward() }
        return Tensor.recorded(.linalgInv, [a], saveOutput: true, file: file, line: line, forward: forward) { node, g in
            let ainvH = node.savedTensor(0).mH
            return [-(ainvH.matmul(g).matmul(ainvH))]
        }
    }

    /// The determinant of each square matrix (`torch.linalg.det`), from its LU factors.
    ///
    /// ```swift
    /// Linalg.det(Tensor([[1.0, 2.0], [3.0, 4.0]]))   // -2.0
    /// ```
    public static func det(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1("linalg_det", [a], [], file: file, line: line) { ts in
                det(ts[0], file: file, line: line)
            }
        }
        LAPACKCalls.check(a, "linalg.det", file: file, line: line)
        func forward() -> Tensor {
            let (sign, diagonal) = luSignAndDiagonal(a)
            return diagonal.prod(dims: [-1]) * sign
        }
        guard Tensor.shouldRecord(a) else { return forward() }
        return Tensor.recorded(.linalgDet, [a], save: [a], saveOutput: true, file: file, line: line, forward: forward) {
            node, g in
            let x = node.savedTensor(0), d = node.savedTensor(1)
            // g · conj(det) · A^{-H} (A nonsingular).
            return [(g * d.conj()).unsqueeze(-1).unsqueeze(-1) * Linalg.inv(x).mH]
        }
    }

    /// The sign and the log of the absolute value of each determinant (`torch.linalg.slogdet`):
    /// (0, -inf) for a singular matrix.
    ///
    /// ```swift
    /// let (sign, logabsdet) = Linalg.slogdet(a)
    /// ```
    public static func slogdet(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> (
        sign: Tensor, logabsdet: Tensor
    ) {
        if Tracing.isOn {
            let o = Tracing.record("linalg_slogdet", [a], [], file: file, line: line) { ts in
                let r = slogdet(ts[0], file: file, line: line)
                return [r.0, r.1]
            }
            return (sign: o[0], logabsdet: o[1])
        }
        LAPACKCalls.check(a, "linalg.slogdet", file: file, line: line)
        let (sign, diagonal) = luSignAndDiagonal(a)
        // A complex determinant's sign is the product of the diagonal's phases (`sgn`).
        let signs = Torch.noGrad { (sign * (a.isComplex ? diagonal.sgn() : diagonal.sign()).prod(dims: [-1])) }
        let logabs = Torch.noGrad { diagonal.abs().log().sum(dims: [-1]) }
        guard Tensor.shouldRecord(a) else { return (signs, logabs) }
        // Both outputs of one node (as PyTorch's, where the sign requires grad too): packed on a
        // last dimension of 2 (the log as a complex number for a complex A). PyTorch's formula:
        // gA = (g_logabs − i·Im(conj(g_sign)·sign)) · A^{-H}; the sign's part is zero for real A.
        let packed = Tensor.recorded(
            .linalgSlogdet, [a], save: [a], saveOutput: true, file: file, line: line,
            forward: { Tensor.stack([signs, logabs.to(a.dtype)], dim: -1) }
        ) { node, g in
            var gl = g.select(-1, 1)
            if gl.isComplex {
                let phase = (g.select(-1, 0).conj() * node.savedTensor(1).select(-1, 0)).imag
                gl = Tensor.complex(gl.real, -phase)
            }
            return [gl.unsqueeze(-1).unsqueeze(-1) * Linalg.inv(node.savedTensor(0)).mH]
        }
        let logOut = packed.select(-1, 1)
        return (packed.select(-1, 0), a.isComplex ? logOut.real : logOut)
    }

    /// The LU permutation's sign and the diagonal of U, per matrix.
    private static func luSignAndDiagonal(_ a: Tensor) -> (sign: Tensor, diagonal: Tensor) {
        let n = a.shape[a.rank - 1]
        let (factors, pivots, _) = LAPACKCalls.lu(a)
        // Column-major buffer: its diagonal is U's.
        let diagonal = factors.diagonal(offset: 0, dim1: -2, dim2: -1)
        let steps = Tensor.arange(1, n + 1, dtype: .int32).to(device: a.device)
        let swaps = pivots.ne(steps).sum(dims: [-1])
        let even = swaps.remainder(2).eq(Tensor.scalar(Int64(0), dtype: .int64))
        let sign = Tensor.where(even, Tensor.scalar(1.0, dtype: a.dtype), Tensor.scalar(-1.0, dtype: a.dtype))
        return (sign, diagonal)
    }

    /// The solution X of `A X = B` (`torch.linalg.solve`), or of `X A = B` when not `left`; B may be
    /// a vector (or a batch of vectors) and the batch dimensions broadcast.
    ///
    /// ```swift
    /// Linalg.solve(Tensor([[2.0, 0.0], [0.0, 4.0]]), Tensor([2.0, 8.0]))   // [1.0, 2.0]
    /// ```
    public static func solve(
        _ a: Tensor, _ b: Tensor, left: Bool = true, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1("linalg_solve", [a, b], [("left", .bool(left))], file: file, line: line) { ts in
                solve(ts[0], ts[1], left: left, file: file, line: line)
            }
        }
        if !left {
            // X A = B  <=>  Aᵀ Xᵀ = Bᵀ.
            let vector = b.rank == 1 || (b.rank == a.rank - 1 && Array(b.shape) == Array(a.shape.dropLast()))
            if vector {
                let n = a.shape[a.rank - 1]
                let message =
                    n != 1
                    ? "linalg.solve: Incompatible shapes of A and B for the equation XA = B (\(n)x\(n) and \(n)x1)"
                    : "linalg.solve: Vector broadcasting of the left hand side is not supported for left=False. In "
                        + "this case linalg.solve is equivalent to B / A.squeeze(-1)"
                torchFail("linalg.solve", message, file: file, line: line)
            }
            return solveMatrices(a.mT, b.mT, "linalg.solve", file: file, line: line).mT
        }
        let vector = b.rank == 1 || (b.rank == a.rank - 1 && Array(b.shape) == Array(a.shape.dropLast()))
        if vector { return solveMatrices(a, b.unsqueeze(-1), "linalg.solve", file: file, line: line).squeeze(-1) }
        return solveMatrices(a, b, "linalg.solve", file: file, line: line)
    }

    /// `solve` with `b` a (batch of) matrices, the batch dimensions broadcast.
    static func solveMatrices(_ a: Tensor, _ rhs: Tensor, _ op: String, file: StaticString, line: UInt) -> Tensor {
        let b = rhs
        LAPACKCalls.check(a, op, file: file, line: line)
        if b.dtype != a.dtype {
            torchFail(
                "linalg.solve",
                "linalg.solve: Expected A and B to have the same dtype, but found A of type \(a.dtype.pytorchName) "
                    + "and B of type \(b.dtype.pytorchName) instead", file: file, line: line)
        }
        let n = a.shape[a.rank - 1]
        if rhs.shape[rhs.rank - 2] != n {
            torchFail(
                "linalg.solve",
                "linalg.solve: Incompatible shapes of A and B for the equation AX = B (\(a.shape[a.rank - 2])x\(n) "
                    + "and \(rhs.shape[rhs.rank - 2])x\(rhs.shape[rhs.rank - 1]))", file: file, line: line)
        }
        let batch = Checks.broadcastShapes(Array(a.shape.dropLast(2)), Array(rhs.shape.dropLast(2))).unwrap(
            "linalg.solve", file: file, line: line)
        let ae = a.expand(batch + [n, n]), be = rhs.expand(batch + Array(rhs.shape.suffix(2)))
        func forward() -> Tensor {
            let (x, info) = LAPACKCalls.solve(ae, be)
            LAPACKCalls.raise(info, batched: !batch.isEmpty, "torch.linalg.solve", file: file, line: line) { _ in
                "The solver failed because the input matrix is singular."
            }
            return x.contiguous()
        }
        if Tensor.shouldRecord([ae, be]) {
            return Tensor.recorded(.linalgSolve, [ae, be], save: [ae, be], file: file, line: line, forward: forward) {
                node, g in
                // gB = A^{-H} g, gA = -gB X^H (X solved again so that second derivatives see it).
                let a = node.savedTensor(0), b = node.savedTensor(1)
                let gb = solveMatrices(a.mH, g, op, file: file, line: line)
                return [node.needs(0) ? -gb.matmul(solveMatrices(a, b, op, file: file, line: line).mH) : nil, gb]
            }
        }
        return forward()
    }

    /// The lower Cholesky factor L of each symmetric positive-definite matrix, `A = L Lᵀ`
    /// (`torch.linalg.cholesky`; only the lower triangle is read), or `Lᵀ` when `upper`.
    ///
    /// ```swift
    /// Linalg.cholesky(Tensor([[4.0, 2.0], [2.0, 3.0]]))   // [[2, 0], [1, 1.4142]]
    /// ```
    public static func cholesky(
        _ a: Tensor, upper: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1("linalg_cholesky", [a], [("upper", .bool(upper))], file: file, line: line) { ts in
                cholesky(ts[0], upper: upper, file: file, line: line)
            }
        }
        LAPACKCalls.check(a, "linalg.cholesky", file: file, line: line)
        let n = a.shape[a.rank - 1]
        func forward() -> Tensor {
            let batch = Array(a.shape.dropLast(2)).reduce(1, *)
            let cm = LAPACKCalls.columnMajor(a.detach())
            let info = Tensor.zeros([batch], dtype: .int32, device: a.device)
            if batch > 0 && n > 0 {
                Kernels.linalg(
                    .cholesky, LinalgOperands(a: cm.operand, info: info.operand, batch: batch, rows: n, cols: n),
                    a.device)
            }
            LAPACKCalls.raise(info.toArray(Int32.self), batched: a.rank > 2, "linalg.cholesky", file: file, line: line)
            {
                "The factorization could not be completed because the input is not positive-definite (the leading "
                    + "minor of order \($0) is not positive-definite)."
            }
            return cm.transpose(-2, -1).tril().contiguous()
        }
        var l: Tensor
        if Tensor.shouldRecord(a) {
            l = Tensor.recorded(.linalgCholesky, [a], saveOutput: true, file: file, line: line, forward: forward) {
                node, g in
                // PyTorch's formula: gA = L^{-H} Φ L^{-1}, Φ = ½(T + tril(T, -1)ᴴ), T = tril(Lᴴ gL).
                let l = node.savedTensor(0)
                let t = l.mH.matmul(g).tril()
                let phi = (t + t.tril(-1).mH) * 0.5
                let linv = Linalg.inv(l)
                return [linv.mH.matmul(phi).matmul(linv)]
            }
        } else {
            l = forward()
        }
        return upper ? l.mH : l
    }

    /// The eigenvalues (ascending) and orthonormal eigenvectors (columns) of each symmetric matrix
    /// (`torch.linalg.eigh`, lower triangle read).
    ///
    /// ```swift
    /// let (values, vectors) = Linalg.eigh(Tensor([[2.0, 1.0], [1.0, 2.0]]))   // [1, 3]
    /// ```
    public static func eigh(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> (
        eigenvalues: Tensor, eigenvectors: Tensor
    ) {
        if Tracing.isOn {
            let o = Tracing.record("linalg_eigh", [a], [], file: file, line: line) { ts in
                let r = eigh(ts[0], file: file, line: line)
                return [r.0, r.1]
            }
            return (eigenvalues: o[0], eigenvectors: o[1])
        }
        LAPACKCalls.check(a, "linalg.eigh", file: file, line: line)
        let n = a.shape[a.rank - 1]
        let batchShape = Array(a.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let cm = LAPACKCalls.columnMajor(a.detach())
        // Real eigenvalues for a Hermitian complex A too.
        let values = Tensor.zeros(batchShape + [n], dtype: a.dtype.realPart, device: a.device)
        let info = Tensor.zeros([batch], dtype: .int32, device: a.device)
        if batch > 0 && n > 0 {
            var o = LinalgOperands(a: cm.operand, info: info.operand, batch: batch, rows: n, cols: n)
            o.values = values.operand
            Kernels.linalg(.eigh, o, a.device)
        }
        LAPACKCalls.raise(info.toArray(Int32.self), batched: a.rank > 2, "linalg.eigh", file: file, line: line) {
            "The algorithm failed to converge because the input matrix is ill-conditioned or has too many "
                + "repeated eigenvalues (error code: \($0))."
        }
        let vectors = cm.transpose(-2, -1).contiguous()
        guard Tensor.shouldRecord(a) else { return (values, vectors) }
        // One node for both outputs: the eigenvalues are the node's output, the eigenvectors a
        // second output carried through `eighVectors` (see below).
        return eighRecorded(a, values, vectors, file: file, line: line)
    }

    /// The eigenvalues of each symmetric matrix, ascending (`torch.linalg.eigvalsh`).
    ///
    /// ```swift
    /// Linalg.eigvalsh(Tensor([[2.0, 1.0], [1.0, 2.0]]))   // [1, 3]
    /// ```
    public static func eigvalsh(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        eigh(a, file: file, line: line).eigenvalues
    }

    /// Records eigh: the values and vectors as two views of one recorded [.., n + 1, n] result
    /// (row 0 the values, as complex numbers for a complex A, rows 1... the vectors), whose
    /// backward is PyTorch's `gA = V (diag(gL) + offdiag(½(VᴴgV − gVᴴV)) / E) Vᴴ`, E_ij = λ_j − λ_i.
    private static func eighRecorded(_ a: Tensor, _ values: Tensor, _ vectors: Tensor, file: StaticString, line: UInt)
        -> (eigenvalues: Tensor, eigenvectors: Tensor)
    {
        let packed = Tensor.recorded(
            .linalgEigh, [a], saveOutput: true, file: file, line: line,
            forward: { Tensor.cat([values.to(vectors.dtype).unsqueeze(-2), vectors], dim: -2) }
        ) { node, g in
            let out = node.savedTensor(0)
            let n = out.shape[out.rank - 1]
            var l = out.narrow(-2, start: 0, length: 1).squeeze(-2)
            let v = out.narrow(-2, start: 1, length: n)
            var gl = g.narrow(-2, start: 0, length: 1).squeeze(-2)
            let gv = g.narrow(-2, start: 1, length: n)
            let vhgv = v.mH.matmul(gv)
            if l.isComplex {
                (l, gl) = (l.real, gl.real)
                let d = vhgv.diagonal(dim1: -2, dim2: -1).imag
                LAPACKCalls.requirePhaseInvariance(
                    d, Tensor.zerosLike(d), "linalg.eigh",
                    "linalg_eigh_backward: The eigenvectors in the complex case are specified up to multiplication "
                        + "by e^{i phi}. The specified loss function depends on this quantity, so it is ill-defined.",
                    file: file, line: line)
            }
            var skew = (vhgv - vhgv.mH) * 0.5
            let eye = Tensor.eye(n, dtype: l.dtype).to(device: l.device)
            // The skew part's diagonal (imaginary, from the eigenvectors' phases) does not count.
            if skew.isComplex { skew = skew * (1 - eye) }
            let e = l.unsqueeze(-2) - l.unsqueeze(-1) + eye
            let inner = skew / e + gl.diagEmbed()
            return [v.matmul(inner).matmul(v.mH)]
        }
        let n = vectors.shape[vectors.rank - 1]
        let l = packed.narrow(-2, start: 0, length: 1).squeeze(-2)
        return (a.isComplex ? l.real : l, packed.narrow(-2, start: 1, length: n))
    }

    /// The singular value decomposition `A = U diag(S) Vh` of each [m, n] matrix
    /// (`torch.linalg.svd`): U [m, m] and Vh [n, n] with `fullMatrices`, else [m, k] and [k, n]
    /// (k = min(m, n)); S descending. Differentiable (PyTorch's formula, which needs distinct
    /// singular values when the loss reads U or Vh).
    ///
    /// ```swift
    /// let (u, s, vh) = Linalg.svd(a, fullMatrices: false)
    /// ```
    public static func svd(_ a: Tensor, fullMatrices: Bool = true, file: StaticString = #fileID, line: UInt = #line)
        -> (u: Tensor, s: Tensor, vh: Tensor)
    {
        if Tracing.isOn {
            let o = Tracing.record("linalg_svd", [a], [("full_matrices", .bool(fullMatrices))], file: file, line: line)
            { ts in
                let r = svd(ts[0], fullMatrices: fullMatrices, file: file, line: line)
                return [r.0, r.1, r.2]
            }
            return (u: o[0], s: o[1], vh: o[2])
        }
        LAPACKCalls.check(a, "linalg.svd", square: false, file: file, line: line)
        let (u, s, vh) = svdRaw(a, vectors: true, fullMatrices: fullMatrices, file: file, line: line)
        guard Tensor.shouldRecord(a) else { return (u, s, vh) }
        return svdRecorded(a, u, s, vh, fullMatrices: fullMatrices, file: file, line: line)
    }

    /// The singular values of each matrix, descending (`torch.linalg.svdvals`); differentiable
    /// (`gA = U diag(gS) Vh`).
    ///
    /// ```swift
    /// Linalg.svdvals(Tensor([[3.0, 0.0], [0.0, -4.0]]))   // [4, 3]
    /// ```
    public static func svdvals(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1("linalg_svdvals", [a], [], file: file, line: line) { ts in
                svdvals(ts[0], file: file, line: line)
            }
        }
        LAPACKCalls.check(a, "linalg.svdvals", square: false, file: file, line: line)
        guard Tensor.shouldRecord(a) else {
            return svdRaw(a, vectors: false, fullMatrices: false, file: file, line: line).s
        }
        let (u, s, vh) = svdRaw(a, vectors: true, fullMatrices: false, file: file, line: line)
        return Tensor.recorded(.linalgSvdvals, [a], save: [a], file: file, line: line, forward: { s }) { node, g in
            // U and Vh from a recorded svd when the backward is itself recorded (second derivatives).
            let (uu, _, vvh) =
                GradMode.isEnabled && node.savedTensor(0).needsGradient
                ? svd(node.savedTensor(0), fullMatrices: false, file: file, line: line) : (u, s, vh)
            return [(uu * g.unsqueeze(-2)).matmul(vvh)]
        }
    }

    static func svdRaw(_ a: Tensor, vectors: Bool, fullMatrices: Bool, file: StaticString, line: UInt) -> (
        u: Tensor, s: Tensor, vh: Tensor
    ) {
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1], k = Swift.min(m, n)
        let batchShape = Array(a.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        // A's row-major bytes are Aᵀ column-major: LAPACK factors Aᵀ = V S Uᵀ, whose column-major U
        // and Vᵀ are, read row-major, A's Vh and U. No transposes either way.
        let at = a.detach().contiguous().clone()
        let s = Tensor.zeros(batchShape + [k], dtype: a.dtype.realPart, device: a.device)
        var uOut = Tensor.zeros(batchShape + [m, fullMatrices ? m : k], dtype: a.dtype, device: a.device)
        var vhOut = Tensor.zeros(batchShape + [fullMatrices ? n : k, n], dtype: a.dtype, device: a.device)
        let info = Tensor.zeros([batch], dtype: .int32, device: a.device)
        if batch > 0 && k > 0 {
            var o = LinalgOperands(a: at.operand, info: info.operand, batch: batch, rows: n, cols: m)
            o.values = s.operand
            if vectors {
                o.u = vhOut.operand
                o.vt = uOut.operand
            }
            o.fullMatrices = fullMatrices
            Kernels.linalg(.svd, o, a.device)
        }
        LAPACKCalls.raise(info.toArray(Int32.self), batched: a.rank > 2, "linalg.svd", file: file, line: line) {
            // LAPACK reports a NaN in A as an illegal 4th argument.
            $0 < 0
                ? "The algorithm failed to converge because the input matrix contained non-finite values."
                : "The algorithm failed to converge because the input matrix is ill-conditioned or has too many "
                    + "repeated singular values (error code: \($0))."
        }
        if k == 0 && fullMatrices {
            // LAPACK is not called on empty matrices: the full factors are identities.
            uOut = Tensor.eye(m, dtype: a.dtype).to(device: a.device).expand(batchShape + [m, m]).contiguous()
            vhOut = Tensor.eye(n, dtype: a.dtype).to(device: a.device).expand(batchShape + [n, n]).contiguous()
        }
        return (uOut, s, vhOut)
    }
}

extension Torch {
    /// `torch.linalg`: the dense linear algebra functions (`Torch.linalg.inv(a)`).
    ///
    /// ```swift
    /// let x = Torch.linalg.solve(a, b)
    /// ```
    public static var linalg: Linalg.Type { Linalg.self }
}

extension Tensor {
    /// The inverse of each square matrix (`Tensor.inverse`, `torch.linalg.inv`).
    ///
    /// ```swift
    /// let ainv = a.inverse()
    /// ```
    public func inverse(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Linalg.inv(self, file: file, line: line)
    }
    /// The determinant of each square matrix (`Tensor.det`, `torch.linalg.det`).
    ///
    /// ```swift
    /// Tensor([[1.0, 2.0], [3.0, 4.0]]).det()   // -2.0
    /// ```
    public func det(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Linalg.det(self, file: file, line: line)
    }
    /// log(det) of each square matrix (`torch.logdet`): NaN for a negative determinant, -inf for 0;
    /// the complex logarithm, log|det| + i·arg(det), for a complex matrix.
    ///
    /// ```swift
    /// Tensor([[2.0, 0.0], [0.0, 3.0]]).logdet()   // log 6
    /// ```
    public func logdet(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (sign, logabs) = Linalg.slogdet(self, file: file, line: line)
        if isComplex { return sign.log() + logabs }
        return Tensor.where(sign .< 0, Double.nan, logabs)
    }
}
