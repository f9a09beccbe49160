import TorchBase

// The eigendecomposition of general (non-symmetric) matrices, whose eigenvalues and
// eigenvectors are complex: LAPACK's geev (its c/z form for a complex A), with PyTorch's backward
//   gA = V^{-H} (diag(gL) + offdiag[(VᴴgV − VᴴV·diag(Re(VᴴgV))) / E*]) Vᴴ,  E_ij = λ_j − λ_i,
// its real part for a real A (Note [Complex tensors] gives the complex gradients their meaning).

extension Primitive {
    /// `linalg.eig`.
    public static let linalgEig = Primitive("linalg_eig", nodeName: "LinalgEigBackward0")
    /// The eigendecomposition, in the registry.
    static let eigs: [Primitive] = [.linalgEig]
}

extension Linalg {
    /// The eigenvalues and right eigenvectors (columns, unit norm, largest component real) of
    /// each square matrix (`torch.linalg.eig`), complex64/complex128; differentiable.
    ///
    /// ```swift
    /// let (l, v) = Linalg.eig(Tensor([[0.0, -1.0], [1.0, 0.0]]))   // l = [0+1j, 0-1j]
    /// ```
    public static func eig(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> (
        eigenvalues: Tensor, eigenvectors: Tensor
    ) {
        if Tracing.isOn {
            let o = Tracing.record("linalg_eig", [a], [], file: file, line: line) { ts in
                let r = eig(ts[0], file: file, line: line)
                return [r.0, r.1]
            }
            return (eigenvalues: o[0], eigenvectors: o[1])
        }
        let (values, vectors) = eigRaw(a, "linalg.eig", file: file, line: line)
        guard Tensor.shouldRecord(a) else { return (values, vectors) }
        // One node for both outputs, as eigh: row 0 of the packed result the values, the rest V.
        let n = vectors.shape[vectors.rank - 1]
        let packed = Tensor.recorded(
            .linalgEig, [a], saveOutput: true, file: file, line: line,
            forward: { Tensor.cat([values.unsqueeze(-2), vectors], dim: -2) }
        ) { node, g in
            let out = node.savedTensor(0)
            let l = out.narrow(-2, start: 0, length: 1).squeeze(-2), v = out.narrow(-2, start: 1, length: n)
            let gl = g.narrow(-2, start: 0, length: 1).squeeze(-2), gv = g.narrow(-2, start: 1, length: n)
            if a.isComplex || l.isComplex {
                let d = v.mH.matmul(gv).diagonal(dim1: -2, dim2: -1).imag
                LAPACKCalls.requirePhaseInvariance(
                    d, Tensor.zerosLike(d), "linalg.eig",
                    "linalg_eig_backward: The eigenvectors in the complex case are specified up to multiplication by "
                        + "e^{i phi}. The specified loss function depends on this quantity, so it is ill-defined.",
                    file: file, line: line)
            }
            let ga = eigBackward(gl, gv, l, v)
            return [a.isComplex ? ga : ga.real]
        }
        return (packed.narrow(-2, start: 0, length: 1).squeeze(-2), packed.narrow(-2, start: 1, length: n))
    }

    /// The eigenvalues of each square matrix (`torch.linalg.eigvals`); differentiable.
    ///
    /// ```swift
    /// Linalg.eigvals(Tensor([[2.0, 0.0], [0.0, 3.0]]))   // [2+0j, 3+0j]
    /// ```
    public static func eigvals(_ a: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if !Tensor.shouldRecord(a) { return eigRaw(a, "linalg.eigvals", vectors: false, file: file, line: line).0 }
        return eig(a, file: file, line: line).eigenvalues
    }

    /// geev over the batch: the complex eigenvalues and (when asked) eigenvectors, unrecorded.
    static func eigRaw(_ a: Tensor, _ op: String, vectors: Bool = true, file: StaticString, line: UInt) -> (
        Tensor, Tensor
    ) {
        if !a.dtype.isFloatingPoint && !a.isComplex {
            // PyTorch's message: it looks for the complex counterpart of the dtype first.
            torchFail(op, "Unknown Complex ScalarType for \(a.dtype.pytorchName)", file: file, line: line)
        }
        LAPACKCalls.check(a, op, file: file, line: line)
        let n = a.shape[a.rank - 1]
        let batchShape = Array(a.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let (values, vr) = geev(
            LAPACKCalls.columnMajor(a.detach()), batchShape, op, vectors: vectors, file: file, line: line)
        // A complex A: the eigenvalues and vectors come back complex.
        if a.isComplex { return (values, vectors ? vr.mT.contiguous() : Tensor.zeros([0], dtype: a.dtype)) }
        let wr = values.narrow(-1, start: 0, length: n).contiguous()
        let wi = values.narrow(-1, start: n, length: n).contiguous()
        let l = Tensor.complex(wr, wi)
        guard vectors else { return (l, Tensor.zeros([0], dtype: l.dtype)) }
        // LAPACK's packing: column j real for a real λ_j; columns j, j+1 the real and imaginary
        // parts of the vector of λ_j (Im > 0), whose conjugate belongs to λ_{j+1}.
        let r = vr.mT.contiguous().to(.float64).scalars, im = wi.to(.float64).scalars
        var re = [Double](repeating: 0, count: r.count), ii = re
        for b in 0..<batch {
            let base = b * n * n
            var j = 0
            while j < n {
                if im[b * n + j] == 0 || j + 1 == n {
                    for i in 0..<n { re[base + i * n + j] = r[base + i * n + j] }
                    j += 1
                    continue
                }
                for i in 0..<n {
                    let x = r[base + i * n + j], y = r[base + i * n + j + 1]
                    (re[base + i * n + j], ii[base + i * n + j]) = (x, y)
                    (re[base + i * n + j + 1], ii[base + i * n + j + 1]) = (x, -y)
                }
                j += 2
            }
        }
        let shape = batchShape + [n, n]
        let v = Tensor.complex(
            Tensor(shape: shape, scalars: re, dtype: a.dtype).to(device: a.device),
            Tensor(shape: shape, scalars: ii, dtype: a.dtype).to(device: a.device))
        return (l, v)
    }

    /// geev over a column-major batch `cm`: the eigenvalues (a real A: [batch.., 2n], real parts
    /// then imaginary ones; a complex A: [batch.., n] complex) and the right eigenvectors in
    /// LAPACK's column-major layout (real packing for a real A), refused as PyTorch refuses
    /// when geev does not converge.
    private static func geev(
        _ cm: Tensor, _ batchShape: [Int], _ op: String, vectors: Bool, file: StaticString, line: UInt
    ) -> (values: Tensor, vectors: Tensor) {
        let n = cm.shape[cm.rank - 1]
        let batch = batchShape.reduce(1, *)
        let values = Tensor.zeros(batchShape + [cm.isComplex ? n : 2 * n], dtype: cm.dtype, device: cm.device)
        let vr = Tensor.zeros(batchShape + [n, n], dtype: cm.dtype, device: cm.device)
        let info = Tensor.zeros([batch], dtype: .int32, device: cm.device)
        if batch > 0 && n > 0 {
            var o = LinalgOperands(a: cm.operand, info: info.operand, batch: batch, rows: n, cols: n)
            o.values = values.operand
            if vectors { o.u = vr.operand }
            Kernels.linalg(.eig, o, cm.device)
        }
        LAPACKCalls.raise(info.toArray(Int32.self), batched: !batchShape.isEmpty, op, file: file, line: line) {
            "The algorithm failed to converge because the input matrix is ill-conditioned or has too many "
                + "repeated eigenvalues (error code: \($0))."
        }
        return (values, vr)
    }

    /// PyTorch's `linalg_eig_backward` for the output gradients `gl`, `gv` (complex).
    static func eigBackward(_ gl: Tensor, _ gv: Tensor, _ l: Tensor, _ v: Tensor) -> Tensor {
        let n = v.shape[v.rank - 1]
        let eye = Tensor.eye(n, dtype: v.dtype.realPart).to(device: v.device)
        let vh = v.mT.conj()
        let vhgv = vh.matmul(gv)
        let diagRe = vhgv.diagonal(dim1: -2, dim2: -1).real
        var inner = vhgv - vh.matmul(v * diagRe.unsqueeze(-2))
        let lc = l.conj()
        // E*_ij = conj(λ_j) − conj(λ_i), with ones on the diagonal (replaced by gL below).
        inner = inner / (lc.unsqueeze(-2) - lc.unsqueeze(-1) + eye)
        inner = inner * (1 - eye) + gl.unsqueeze(-1) * eye
        return Linalg.solve(vh, inner.matmul(vh))
    }
}
