import TorchBase

// QR, LU, LDLᵀ, least squares, the pseudo-inverse and the differentiable SVD (Note [Dense
// factorizations]). Factorizations with several outputs record one node whose output packs them
// (`Tensor.recordedOutputs`); each backward is PyTorch's formula, written with ops that record, so
// that second derivatives follow.

extension Primitive {
    /// The decomposition primitives, PyTorch's node names.
    public static let linalgQr = Primitive("linalg_qr", nodeName: "LinalgQrBackward0"),
        linalgLuFactor = Primitive("linalg_lu_factor", nodeName: "LinalgLuFactorExBackward0"),
        linalgSvd = Primitive("linalg_svd", nodeName: "LinalgSvdBackward0"),
        linalgPinv = Primitive("linalg_pinv", nodeName: "LinalgPinvBackward0"),
        linalgLstsq = Primitive("linalg_lstsq", nodeName: "LinalgLstsqBackward0")
    /// The decompositions, in the registry.
    static let decompositions: [Primitive] = [.linalgQr, .linalgLuFactor, .linalgSvd, .linalgPinv, .linalgLstsq]
}

/// What `Linalg.qr` returns (PyTorch's `mode=`).
public enum QRMode: String, Sendable {
    /// Q [m, k] and R [k, n], k = min(m, n).
    case reduced
    /// Q [m, m] and R [m, n].
    case complete
    /// R [k, n] only; Q is empty.
    case r
}

/// The LAPACK driver of `Linalg.lstsq` (PyTorch's `driver=`).
public enum LstsqDriver: String, Sendable {
    /// QR, full rank assumed; residuals whenever m > n.
    case gels
    /// Complete orthogonal factorization with pivoting (PyTorch's CPU default); the rank.
    case gelsy
    /// SVD, divide and conquer; the rank and singular values.
    case gelsd
    /// SVD; the rank and singular values.
    case gelss
}

extension Tensor {
    /// Records one node for `p` over several outputs computed by `forward` (which records nothing):
    /// they are packed, flattened, into the node's output and handed out as views. The backward
    /// gets the outputs and their gradients (zeros for unused ones) split back. Outputs of one
    /// dtype, or complex ones beside real ones of its parts' dtype (singular values beside complex
    /// singular vectors), packed as complex numbers and handed out as their real parts.
    static func recordedOutputs(
        _ p: Primitive, _ inputs: SmallList<Tensor>, save: SmallList<Tensor> = SmallList(), file: StaticString,
        line: UInt, outputs: [Tensor],
        backward: @escaping (_ node: FunctionNode, _ outputs: [Tensor], _ grads: [Tensor]) -> [Tensor?]
    ) -> [Tensor] {
        let shapes = outputs.map { Array($0.shape) }
        let counts = outputs.map(\.numel)
        let packedType = outputs.first(where: \.isComplex)?.dtype ?? outputs[0].dtype
        let realParts = outputs.map { $0.dtype != packedType }
        func split(_ t: Tensor) -> [Tensor] {
            var start = 0
            return zip(zip(shapes, counts), realParts).map { sizes, real in
                defer { start += sizes.1 }
                let part = t.narrow(0, start: start, length: sizes.1).reshape(sizes.0)
                return real ? part.real : part
            }
        }
        let packed = Tensor.recorded(
            p, inputs, save: save, saveOutput: true, file: file, line: line,
            output: Tensor.cat(outputs.map { $0.to(packedType).reshape([-1]) }, dim: 0)
        ) { node, g in
            backward(node, split(node.savedTensor(save.count)), split(g))
        }
        return split(packed)
    }
}

extension LAPACKCalls {
    /// Traps with `message` unless `x` ≈ `y` (PyTorch's lax allclose, rtol = atol = 1e-2): the
    /// imaginary parts of the diagonal of Vᴴ gV, which vanish when a loss does not depend on the
    /// phases of complex eigen- or singular vectors.
    static func requirePhaseInvariance(
        _ x: Tensor, _ y: Tensor, _ op: String, _ message: String, file: StaticString, line: UInt
    ) {
        let close = Torch.noGrad { ((x - y).abs() .<= y.abs() * 0.01 + 0.01).all().item(Bool.self) }
        if !close { torchFail(op, message, file: file, line: line) }
    }

    /// Empty float tensors of a's dtype and device, shaped `shape`.
    static func empty(_ shape: [Int], like a: Tensor, dtype: DType? = nil) -> Tensor {
        Tensor.zeros(shape, dtype: dtype ?? a.dtype, device: a.device)
    }

    /// LU factors (row-major [.., m, n], L's strict lower part and U's upper), int32 1-based pivots
    /// [.., k] and LAPACK's status per matrix, of any [.., m, n] batch.
    static func luFactors(_ a: Tensor) -> (lu: Tensor, pivots: Tensor, info: Tensor) {
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1], k = Swift.min(m, n)
        let batchShape = Array(a.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let cm = columnMajor(a.detach())
        let pivots = empty(batchShape + [k], like: a, dtype: .int32)
        let info = empty([batch], like: a, dtype: .int32)
        if batch > 0 && k > 0 {
            var o = LinalgOperands(a: cm.operand, info: info.operand, batch: batch, rows: m, cols: n)
            o.pivots = pivots.operand
            Kernels.linalg(.luFactor, o, a.device)
        }
        return (cm.mT.contiguous(), pivots, info.reshape(batchShape))
    }
}

extension Linalg {
    /// The QR decomposition `A = Q R` of each [m, n] matrix (`torch.linalg.qr`): Q with
    /// orthonormal columns, R upper triangular; `mode` picks the shapes (see `QRMode`).
    /// Differentiable except for `.r` and for `.complete` with m > n, as PyTorch's.
    ///
    /// ```swift
    /// let (q, r) = Linalg.qr(a)          // q.matmul(r) ≈ a
    /// ```
    public static func qr(_ a: Tensor, mode: QRMode = .reduced, file: StaticString = #fileID, line: UInt = #line)
        -> (q: Tensor, r: Tensor)
    {
        if Tracing.isOn {
            let o = Tracing.record("linalg_qr", [a], [("mode", .string(mode.rawValue))], file: file, line: line) { ts in
                let r = qr(ts[0], mode: mode, file: file, line: line)
                return [r.0, r.1]
            }
            return (q: o[0], r: o[1])
        }
        LAPACKCalls.check(a, "linalg.qr", square: false, file: file, line: line)
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1], k = Swift.min(m, n)
        let batchShape = Array(a.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let qcols = mode == .complete ? m : k
        let cm = LAPACKCalls.columnMajor(a.detach())
        let tau = LAPACKCalls.empty(batchShape + [k], like: a)
        let qcm = LAPACKCalls.empty(batchShape + [qcols, m], like: a)
        let info = LAPACKCalls.empty([batch], like: a, dtype: .int32)
        if batch > 0 && k > 0 {
            var o = LinalgOperands(a: cm.operand, info: info.operand, batch: batch, rows: m, cols: n)
            o.values = tau.operand
            if mode != .r { o.u = qcm.operand }
            o.fullMatrices = mode == .complete
            Kernels.linalg(.qr, o, a.device)
        }
        // R: the upper triangle of the factored matrix, its first `rrows` rows.
        let rrows = mode == .complete ? m : k
        let r = cm.mT.narrow(-2, start: 0, length: rrows).triu().contiguous()
        var q = qcm.mT.contiguous()
        if mode == .r {
            q = LAPACKCalls.empty([0], like: a)
        } else if k == 0 && mode == .complete {
            q = Tensor.eye(m, dtype: a.dtype).to(device: a.device).expand(batchShape + [m, m]).contiguous()
        }
        guard Tensor.shouldRecord(a) else { return (q, r) }
        // As PyTorch's, these are refused when the gradient is asked for, not before.
        var refusal: String?
        if mode == .r {
            refusal =
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                + "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr."
        } else if mode == .complete && m > n {
            refusal = "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        }
        if let refusal {
            let rr = Tensor.recorded(.linalgQr, [a], save: [], saveOutput: false, file: file, line: line, output: r) {
                _, _ in torchFail("linalg.qr", refusal, file: file, line: line)
            }
            return (q, rr)
        }
        let outs = Tensor.recordedOutputs(.linalgQr, [a], file: file, line: line, outputs: [q, r]) { _, o, g in
            [qrBackward(gQ: g[0], gR: g[1], q: o[0], r: o[1])]
        }
        return (outs[0], outs[1])
    }

    /// PyTorch's QR backward: with X = gR Rᴴ − Qᴴ gQ, for m ≥ n gA = (Q sym(X) + gQ) R⁻ᴴ where
    /// sym(X) = triu(X, 1) + triu(X, 1)ᴴ + Re(diag(X)); for m < n the square part of R takes
    /// Q tril(Xᴴ − X) (its imaginary diagonal halved) and gR adds Q gR.
    static func qrBackward(gQ: Tensor, gR: Tensor, q: Tensor, r: Tensor) -> Tensor {
        let m = q.shape[q.rank - 2], n = r.shape[r.rank - 1]
        let x = gR.matmul(r.mH) - q.mH.matmul(gQ)
        if m >= n {
            let diagonal = x.diagonal(dim1: -2, dim2: -1)
            let sym = x.triu(1) + x.triu(1).mH + (x.isComplex ? diagonal.real : diagonal).diagEmbed()
            return solveTriangular(r.mH, q.matmul(sym) + gQ, upper: false, left: false)
        }
        var skew = (x.mH - x).tril()
        if skew.isComplex { skew = skew - skew.diagonal(dim1: -2, dim2: -1).diagEmbed() * 0.5 }
        let square = r.narrow(-1, start: 0, length: m)
        var ga = solveTriangular(square.mH, q.matmul(skew), upper: false, left: false)
        var zshape = Array(r.shape)
        zshape[zshape.count - 1] = n - m
        ga = Tensor.cat([ga, Tensor.zeros(zshape, dtype: ga.dtype, device: ga.device)], dim: -1)
        return ga + q.matmul(gR)
    }
}

extension Linalg {
    /// The LU factorization with partial pivoting of each [m, n] matrix, packed
    /// (`torch.linalg.lu_factor`): L's strict lower part and U's upper part in one [m, n] matrix,
    /// and LAPACK's 1-based int32 pivots [k]. A zero pivot is refused with PyTorch's message
    /// (`luFactorEx` reports it instead). Differentiable.
    ///
    /// ```swift
    /// let (lu, pivots) = Linalg.luFactor(a)
    /// let x = Linalg.luSolve(lu, pivots, b)
    /// ```
    public static func luFactor(_ a: Tensor, pivot: Bool = true, file: StaticString = #fileID, line: UInt = #line)
        -> (lu: Tensor, pivots: Tensor)
    {
        if Tracing.isOn {
            let o = Tracing.record("linalg_lu_factor", [a], [("pivot", .bool(pivot))], file: file, line: line) { ts in
                let r = luFactor(ts[0], pivot: pivot, file: file, line: line)
                return [r.0, r.1]
            }
            return (lu: o[0], pivots: o[1])
        }
        let (lu, pivots, info) = luFactorEx(a, pivot: pivot, file: file, line: line)
        LAPACKCalls.raise(
            info.toArray(Int32.self), batched: a.rank > 2, "torch.linalg.lu_factor", file: file, line: line
        ) {
            "U[\($0),\($0)] is zero and using it on lu_solve would result in a division by zero. If you still want "
                + "to perform the factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        }
        return (lu, pivots)
    }

    /// `luFactor` that reports, per matrix, the 1-based index of the first zero pivot in `info`
    /// (0 when none) instead of refusing (`torch.linalg.lu_factor_ex`).
    ///
    /// ```swift
    /// let (lu, pivots, info) = Linalg.luFactorEx(a)
    /// ```
    public static func luFactorEx(_ a: Tensor, pivot: Bool = true, file: StaticString = #fileID, line: UInt = #line)
        -> (lu: Tensor, pivots: Tensor, info: Tensor)
    {
        if Tracing.isOn {
            let o = Tracing.record("linalg_lu_factor_ex", [a], [("pivot", .bool(pivot))], file: file, line: line) {
                ts in
                let r = luFactorEx(ts[0], pivot: pivot, file: file, line: line)
                return [r.0, r.1, r.2]
            }
            return (lu: o[0], pivots: o[1], info: o[2])
        }
        if a.rank < 2 {
            torchFail(
                "linalg.lu_factor",
                "torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: \(a.shape) instead",
                file: file, line: line)
        }
        LAPACKCalls.check(a, "linalg.lu_factor", square: false, file: file, line: line)
        if !pivot {
            torchFail(
                "linalg.lu_factor", "linalg.lu_factor: LU without pivoting is not implemented on the CPU",
                file: file, line: line)
        }
        let (lu, pivots, info) = LAPACKCalls.luFactors(a)
        guard Tensor.shouldRecord(a) else { return (lu, pivots, info) }
        let out = Tensor.recorded(.linalgLuFactor, [a], save: [], saveOutput: true, file: file, line: line, output: lu)
        {
            node, g in
            let (p, l, u) = luUnpack(node.savedTensor(0), pivots)
            let m = l.shape[l.rank - 2], n = u.shape[u.rank - 1], k = Swift.min(m, n)
            return [luBackward(gL: g.narrow(-1, start: 0, length: k), gU: g.narrow(-2, start: 0, length: k), p, l, u)]
        }
        return (out, pivots, info)
    }

    /// PyTorch's backward of A = P L U given the factors' gradients.
    static func luBackward(gL: Tensor, gU: Tensor, _ p: Tensor, _ l: Tensor, _ u: Tensor) -> Tensor {
        let m = l.shape[l.rank - 2], n = u.shape[u.rank - 1], k = Swift.min(m, n)
        var ga: Tensor
        if m == n {
            ga = l.mH.matmul(gL).tril(-1) + gU.matmul(u.mH).triu()
            ga = solveTriangular(u.mH, ga, upper: false, left: false)
            ga = solveTriangular(l.mH, ga, upper: true, left: true, unitriangular: true)
        } else if m < n {
            let u1 = u.narrow(-1, start: 0, length: k)
            ga = l.mH.matmul(gL) - gU.triu().matmul(u.mH)
            ga = solveTriangular(u1.mH, ga.tril(-1), upper: false, left: false)
            ga = Tensor.cat(
                [ga + gU.narrow(-1, start: 0, length: k).triu(), gU.narrow(-1, start: k, length: n - k)], dim: -1)
            ga = solveTriangular(l.mH, ga, upper: true, left: true, unitriangular: true)
        } else {
            let l1 = l.narrow(-2, start: 0, length: k)
            ga = gU.matmul(u.mH) - l.mH.matmul(gL.tril(-1))
            ga = solveTriangular(l1.mH, ga.triu(), upper: true, left: true, unitriangular: true)
            ga = Tensor.cat(
                [ga + gL.narrow(-2, start: 0, length: k).tril(-1), gL.narrow(-2, start: k, length: m - k)], dim: -2)
            ga = solveTriangular(u.mH, ga, upper: false, left: false)
        }
        return p.matmul(ga)
    }

    /// The permutation P [m, m], unit lower L [m, k] and upper U [k, n] of packed LU factors,
    /// A = P L U (`torch.lu_unpack`); empty tensors for the parts not asked for.
    ///
    /// ```swift
    /// let (p, l, u) = Linalg.luUnpack(lu, pivots)
    /// ```
    public static func luUnpack(
        _ lu: Tensor, _ pivots: Tensor, unpackData: Bool = true, unpackPivots: Bool = true,
        file: StaticString = #fileID, line: UInt = #line
    ) -> (p: Tensor, l: Tensor, u: Tensor) {
        if lu.rank < 2 {
            torchFail(
                "lu_unpack",
                "torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: \(lu.shape) instead",
                file: file, line: line)
        }
        if unpackPivots && pivots.dtype != .int32 {
            torchFail(
                "lu_unpack",
                "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype. Note: this "
                    + "function is intended to be used with the output produced by torch.linalg.lu_factor",
                file: file, line: line)
        }
        let m = lu.shape[lu.rank - 2], n = lu.shape[lu.rank - 1], k = Swift.min(m, n)
        let none = Tensor.zeros([0], dtype: lu.dtype, device: lu.device)
        var l = none, u = none, p = none
        if unpackData {
            let eye = Tensor.eye(m, k, dtype: lu.dtype).to(device: lu.device)
            l = lu.narrow(-1, start: 0, length: k).tril(-1) + eye
            u = lu.narrow(-2, start: 0, length: k).triu()
        }
        if unpackPivots {
            // Apply LAPACK's row swaps to the identity's rows: A's row perm[i] is (L U)'s row i.
            let batchShape = Array(pivots.shape.dropLast())
            let batch = batchShape.reduce(1, *)
            let piv = pivots.reshape([batch, k]).toArray(Int32.self)
            var ones = [Double](repeating: 0, count: batch * m * m)
            for b in 0..<batch {
                var perm = Array(0..<m)
                for i in 0..<k { perm.swapAt(i, Int(piv[b * k + i]) - 1) }
                for i in 0..<m { ones[b * m * m + perm[i] * m + i] = 1 }
            }
            p = Tensor(flat: ones, shape: batchShape + [m, m], dtype: lu.dtype).to(device: lu.device)
        }
        return (p, l, u)
    }

    /// The P L U factorization of each [m, n] matrix (`torch.linalg.lu`): P [m, m], L [m, k] unit
    /// lower triangular, U [k, n] upper triangular. Differentiable.
    ///
    /// ```swift
    /// let (p, l, u) = Linalg.lu(a)       // p.matmul(l).matmul(u) ≈ a
    /// ```
    public static func lu(_ a: Tensor, pivot: Bool = true, file: StaticString = #fileID, line: UInt = #line)
        -> (p: Tensor, l: Tensor, u: Tensor)
    {
        let (lu, pivots, _) = luFactorEx(a, pivot: pivot, file: file, line: line)
        return luUnpack(lu, pivots, file: file, line: line)
    }

    /// Solves `A X = B` (`left`) or `X A = B` from A's `luFactor` output, with Aᵀ when `adjoint`
    /// (`torch.linalg.lu_solve`); the batch dimensions broadcast. Differentiable in LU and B.
    ///
    /// ```swift
    /// let (lu, pivots) = Linalg.luFactor(a)
    /// let x = Linalg.luSolve(lu, pivots, b)
    /// ```
    public static func luSolve(
        _ lu: Tensor, _ pivots: Tensor, _ b: Tensor, left: Bool = true, adjoint: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        LAPACKCalls.check(lu, "linalg.lu_solve", file: file, line: line)
        if b.rank < 2 {
            torchFail(
                "linalg.lu_solve", "linalg.lu_solve: The input tensor B must have at least 2 dimensions.",
                file: file, line: line)
        }
        let n = lu.shape[lu.rank - 1]
        let bRows = left ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        if bRows != n {
            let shown =
                left ? "\(b.shape[b.rank - 2])x\(b.shape[b.rank - 1])" : "\(b.shape[b.rank - 1])x\(b.shape[b.rank - 2])"
            torchFail(
                "linalg.lu_solve",
                "linalg.lu_solve: Incompatible shapes of A and B for the equation \(left ? "AX = B" : "XA = B") "
                    + "(\(n)x\(n) and \(shown))", file: file, line: line)
        }
        if !left { return luSolve(lu, pivots, b.mH, left: true, adjoint: !adjoint, file: file, line: line).mH }
        let (p, l, u) = luUnpack(lu, pivots, file: file, line: line)
        let rhs = b.to(lu.dtype)
        if adjoint {
            // Aᴴ X = B with A = P L U: X = P L⁻ᴴ U⁻ᴴ B.
            let y = solveTriangular(u.mH, rhs, upper: false, file: file, line: line)
            return p.matmul(solveTriangular(l.mH, y, upper: true, unitriangular: true, file: file, line: line))
        }
        let y = solveTriangular(l, p.mT.matmul(rhs), upper: false, unitriangular: true, file: file, line: line)
        return solveTriangular(u, y, upper: true, file: file, line: line)
    }

    /// The Bunch-Kaufman factorization A = L D Lᵀ of each symmetric matrix (lower triangle read),
    /// packed as LAPACK's sytrf leaves it, and its int32 pivots (`torch.linalg.ldl_factor`); not
    /// differentiable, as PyTorch's.
    ///
    /// ```swift
    /// let (ld, pivots) = Linalg.ldlFactor(a)
    /// ```
    public static func ldlFactor(
        _ a: Tensor, hermitian: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> (ld: Tensor, pivots: Tensor) {
        let (ld, pivots, info) = ldlFactorEx(a, hermitian: hermitian, file: file, line: line)
        LAPACKCalls.raise(
            info.toArray(Int32.self), batched: a.rank > 2, "torch.linalg.ldl_factor", file: file, line: line
        ) {
            "The factorization could not be completed because the block diagonal matrix D is singular (D[\($0),"
                + "\($0)] is zero)."
        }
        return (ld, pivots)
    }

    /// `ldlFactor` with LAPACK's status per matrix (`torch.linalg.ldl_factor_ex`): 0, or the
    /// 1-based index of a zero diagonal block of D.
    ///
    /// ```swift
    /// let (ld, pivots, info) = Linalg.ldlFactorEx(a)
    /// ```
    public static func ldlFactorEx(
        _ a: Tensor, hermitian: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> (ld: Tensor, pivots: Tensor, info: Tensor) {
        LAPACKCalls.check(a, "torch.linalg.ldl_factor_ex", file: file, line: line)
        let n = a.shape[a.rank - 1]
        let batchShape = Array(a.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let cm = LAPACKCalls.columnMajor(a.detach())
        let pivots = LAPACKCalls.empty(batchShape + [n], like: a, dtype: .int32)
        let info = LAPACKCalls.empty([batch], like: a, dtype: .int32)
        if batch > 0 && n > 0 {
            var o = LinalgOperands(a: cm.operand, info: info.operand, batch: batch, rows: n, cols: n)
            o.pivots = pivots.operand
            o.hermitian = hermitian
            Kernels.linalg(.ldlFactor, o, a.device)
        }
        return (cm.mT.tril().contiguous(), pivots, info.reshape(batchShape))
    }
}

extension Linalg {
    /// Records `svd`'s three outputs on one node whose backward is PyTorch's `svd_backward` (a
    /// full factorization's extra columns of U and rows of Vh are dropped first).
    static func svdRecorded(
        _ a: Tensor, _ u: Tensor, _ s: Tensor, _ vh: Tensor, fullMatrices: Bool, file: StaticString, line: UInt
    ) -> (u: Tensor, s: Tensor, vh: Tensor) {
        let outs = Tensor.recordedOutputs(.linalgSvd, [a], file: file, line: line, outputs: [u, s, vh]) { _, o, g in
            var (u, vh, gU, gVh) = (o[0], o[2], g[0], g[2])
            if fullMatrices {
                let k = o[1].shape[o[1].rank - 1]
                u = u.narrow(-1, start: 0, length: k)
                gU = gU.narrow(-1, start: 0, length: k)
                vh = vh.narrow(-2, start: 0, length: k)
                gVh = gVh.narrow(-2, start: 0, length: k)
            }
            if u.isComplex {
                // The loss may not depend on the phases of the singular vectors (PyTorch's check).
                let du = u.mH.matmul(gU).diagonal(dim1: -2, dim2: -1).imag
                let dv = vh.matmul(gVh.mH).diagonal(dim1: -2, dim2: -1).imag
                LAPACKCalls.requirePhaseInvariance(
                    du, -dv, "linalg.svd",
                    "svd_backward: The singular vectors in the complex case are specified up to multiplication by "
                        + "e^{i phi}. The specified loss function depends on this phase term, making it ill-defined.",
                    file: file, line: line)
            }
            return [svdBackward(gU: gU, gS: g[1], gVh: gVh, u: u, s: o[1], vh: vh)]
        }
        return (outs[0], outs[1], outs[2])
    }

    /// PyTorch's SVD backward. A gradient that is zero throughout counts as absent, as PyTorch's
    /// undefined one, so that a loss on S alone needs no distinct singular values. For complex A
    /// the diagonal gains i·Im(diag(Uᴴ gU)) / S (the phases of U's columns).
    static func svdBackward(gU: Tensor, gS: Tensor, gVh: Tensor, u: Tensor, s: Tensor, vh: Tensor) -> Tensor {
        let m = u.shape[u.rank - 2], n = vh.shape[vh.rank - 1]
        let hasU = Torch.noGrad { gU.ne(Tensor.scalar(0.0, dtype: gU.dtype)).any().item(Bool.self) }
        let hasV = Torch.noGrad { gVh.ne(Tensor.scalar(0.0, dtype: gU.dtype)).any().item(Bool.self) }
        if !hasU && !hasV {
            return m >= n ? u.matmul(gS.unsqueeze(-1) * vh) : (u * gS.unsqueeze(-2)).matmul(vh)
        }
        let uhgu = u.mH.matmul(gU), vhgv = vh.matmul(gVh.mH)
        let skewU = uhgu - uhgu.mH, skewV = vhgv - vhgv.mH
        let s2 = s * s
        let e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + Tensor.onesLike(s).diagEmbed()
        var ga: Tensor
        if hasU && hasV {
            ga = (skewU * s.unsqueeze(-2) + s.unsqueeze(-1) * skewV) / e
        } else if hasU {
            ga = (skewU / e) * s.unsqueeze(-2)
        } else {
            ga = s.unsqueeze(-1) * (skewV / e)
        }
        ga = ga + gS.diagEmbed()
        if ga.isComplex && hasU {
            let phase = uhgu.diagonal(dim1: -2, dim2: -1).imag / s
            ga = ga + Tensor.complex(Tensor.zerosLike(phase), phase).diagEmbed()
        }
        if m > n && hasU {
            let gUSinv = gU / s.unsqueeze(-2)
            ga = u.matmul(ga) + gUSinv - u.matmul(u.mH.matmul(gUSinv))
            return ga.matmul(vh)
        }
        if m < n && hasV {
            let sinvgVh = gVh / s.unsqueeze(-1)
            ga = ga.matmul(vh) + sinvgVh - sinvgVh.matmul(vh.mH).matmul(vh)
            return u.matmul(ga)
        }
        return u.matmul(ga).matmul(vh)
    }

    /// The Moore-Penrose pseudo-inverse of each [m, n] matrix (`torch.linalg.pinv`), from the SVD
    /// (or, when `hermitian`, the symmetric eigendecomposition): singular values at or below
    /// max(atol, rtol · σ_max) count as zero; rtol defaults to max(m, n) · ε, or to 0 when only a
    /// positive atol is given. Differentiable (PyTorch's formula).
    ///
    /// ```swift
    /// Linalg.pinv(Tensor([[1.0, 2.0], [2.0, 4.0]]))
    /// ```
    public static func pinv(
        _ a: Tensor, atol: Double? = nil, rtol: Double? = nil, hermitian: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if Tracing.isOn {
            return Tracing.record1(
                "linalg_pinv", [a], [("hermitian", .bool(hermitian))] + pinvTolerances(atol, rtol), file: file,
                line: line
            ) { ts in pinv(ts[0], atol: atol, rtol: rtol, hermitian: hermitian, file: file, line: line) }
        }
        if a.rank < 2 || !(a.dtype.isFloatingPoint || a.isComplex) || a.dtype.computeType != a.dtype {
            torchFail(
                "linalg.pinv",
                "linalg.pinv(\(a.dtype.pytorchName){\(a.shape)}): expected a tensor with 2 or more dimensions of float, "
                    + "double, cfloat or cdouble types", file: file, line: line)
        }
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1]
        let eps = a.dtype.realPart == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        let defaultRtol = eps * Double(Swift.max(m, n))
        let relative = rtol ?? ((atol ?? 0) > 0 ? 0 : defaultRtol)
        let absolute = atol ?? 0
        func forward() -> Tensor {
            if a.numel == 0 {
                return Tensor.zeros(Array(a.shape.dropLast(2)) + [n, m], dtype: a.dtype, device: a.device)
            }
            let x = a.detach()
            if hermitian {
                let (values, vectors) = eigh(x, file: file, line: line)
                let magnitude = values.abs()
                let keep = magnitude .> (magnitude.amax(dims: [-1], keepdim: true) * relative).clamp(min: absolute)
                let inverse = Tensor.where(keep, values.reciprocal(), Tensor.zerosLike(values))
                return (vectors * inverse.unsqueeze(-2)).matmul(vectors.mH)
            }
            let (u, s, vh) = svdRaw(x, vectors: true, fullMatrices: false, file: file, line: line)
            let keep = s .> (s.amax(dims: [-1], keepdim: true) * relative).clamp(min: absolute)
            let inverse = Tensor.where(keep, s.reciprocal(), Tensor.zerosLike(s))
            return (vh.mH * inverse.unsqueeze(-2)).matmul(u.mH)
        }
        guard Tensor.shouldRecord(a) else { return forward() }
        return Tensor.recorded(.linalgPinv, [a], save: [a], saveOutput: true, file: file, line: line, forward: forward)
        {
            node, g in [pinvBackward(g, pinv: node.savedTensor(1), a: node.savedTensor(0))]
        }
    }

    /// PyTorch's backward of the pseudo-inverse, in terms of the pseudo-inverse itself.
    static func pinvBackward(_ g: Tensor, pinv: Tensor, a: Tensor) -> Tensor {
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1]
        let pinvT = pinv.mH, gT = g.mH
        if m <= n {
            let k = gT.matmul(pinv)
            let kpinvT = k.matmul(pinvT)
            let first = kpinvT - pinv.matmul(k).mH - a.matmul(pinv).matmul(kpinvT)
            return first + pinvT.matmul(pinv).matmul(gT - k.matmul(a))
        }
        let k = pinv.matmul(gT)
        let pinvTk = pinvT.matmul(k)
        let first = pinvTk - k.matmul(pinv).mH + (gT - a.matmul(k)).matmul(pinv).matmul(pinvT)
        return first - pinvTk.matmul(pinv).matmul(a)
    }
}

extension Linalg {
    /// The least-squares solutions of `A X ≈ B` (`torch.linalg.lstsq`), batched and broadcast, with
    /// PyTorch's extra outputs: the squared residuals (when m > n, every matrix has full rank and
    /// the driver is not gelsy; else empty), the effective rank (not for gels) and the singular
    /// values (gelsd, gelss). Singular values ≤ rcond · σ_max count as zero (default rcond:
    /// max(m, n) · ε). Differentiable in A and B (PyTorch's formula through the pseudo-inverse).
    ///
    /// ```swift
    /// let x = Linalg.lstsq(a, b).solution
    /// ```
    public static func lstsq(
        _ a: Tensor, _ b: Tensor, rcond: Double? = nil, driver: LstsqDriver = .gelsy,
        file: StaticString = #fileID, line: UInt = #line
    ) -> (solution: Tensor, residuals: Tensor, rank: Tensor, singularValues: Tensor) {
        if Tracing.isOn {
            let o = Tracing.record(
                "linalg_lstsq", [a, b],
                [("driver", .string(driver.rawValue))] + (rcond.map { [("rcond", TraceAttribute.double($0))] } ?? []),
                file: file, line: line
            ) { ts in
                let r = lstsq(ts[0], ts[1], rcond: rcond, driver: driver, file: file, line: line)
                return [r.0, r.1, r.2, r.3]
            }
            return (solution: o[0], residuals: o[1], rank: o[2], singularValues: o[3])
        }
        let op = "torch.linalg.lstsq"
        if a.rank < 2 {
            torchFail(op, "\(op): input must have at least 2 dimensions.", file: file, line: line)
        }
        if b.rank < 1 {
            torchFail(op, "\(op): other must have at least 1 dimension.", file: file, line: line)
        }
        if a.dtype != b.dtype {
            torchFail(
                op,
                "\(op): Expected input and other to have the same dtype, but got input's dtype "
                    + "\(a.dtype.description) and other's dtype \(b.dtype.description)", file: file, line: line)
        }
        LAPACKCalls.check(a, op, square: false, file: file, line: line)
        if a.rank < b.rank || a.rank - b.rank > 1 {
            torchFail(
                op, "\(op): input.dim() must be greater or equal to other.dim() and (input.dim() - other.dim()) <= 1",
                file: file, line: line)
        }
        // PyTorch's rule here: B with one dimension fewer than A is a (batch of) vector(s).
        let vector = b.rank == a.rank - 1
        let bm = vector ? b.unsqueeze(-1) : b
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1], k = Swift.min(m, n)
        if bm.shape[bm.rank - 2] != m {
            torchFail(op, "\(op): input.size(-2) should match other.size(-2)", file: file, line: line)
        }
        let batchShape = Checks.broadcastShapes(Array(a.shape.dropLast(2)), Array(bm.shape.dropLast(2))).unwrap(
            op, file: file, line: line)
        let nrhs = bm.shape[bm.rank - 1]
        let ae = a.expand(batchShape + [m, n]), be = bm.expand(batchShape + [m, nrhs])
        let batch = batchShape.reduce(1, *)
        let eps = a.dtype.realPart == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        // B's buffer: column-major, each column max(m, n) long (the solution takes its first n rows).
        let rows = Swift.max(m, n)
        let padded = Tensor.cat(
            [be.detach(), Tensor.zeros(batchShape + [rows - m, nrhs], dtype: a.dtype, device: a.device)], dim: -2)
        let bcm = LAPACKCalls.columnMajor(padded)
        let cm = LAPACKCalls.columnMajor(ae.detach())
        let info = LAPACKCalls.empty([batch], like: a, dtype: .int32)
        let rank = LAPACKCalls.empty([batch], like: a, dtype: .int32)
        let svdDriver = driver == .gelsd || driver == .gelss
        let values = LAPACKCalls.empty(svdDriver ? batchShape + [k] : [0], like: a, dtype: a.dtype.realPart)
        if batch > 0 && k > 0 && nrhs > 0 {
            let ops: [LstsqDriver: LinalgOp] = [
                .gels: .lstsqGels, .gelsy: .lstsqGelsy, .gelsd: .lstsqGelsd, .gelss: .lstsqGelss,
            ]
            var o = LinalgOperands(a: cm.operand, info: info.operand, batch: batch, rows: m, cols: n)
            o.b = bcm.operand
            o.nrhs = nrhs
            o.rank = rank.operand
            o.values = values.operand
            o.rcond = rcond ?? eps * Double(rows)
            Kernels.linalg(ops[driver]!, o, a.device)
        }
        if driver == .gels {
            LAPACKCalls.raise(info.toArray(Int32.self), batched: !batchShape.isEmpty, op, file: file, line: line) {
                "The least squares solution could not be computed because the input matrix does not have full rank "
                    + "(error code: \($0))."
            }
        }
        let ranks = rank.toArray(Int32.self)
        var solution = bcm.mT.narrow(-2, start: 0, length: n).contiguous()
        if k == 0 || nrhs == 0 { solution = Tensor.zeros(batchShape + [n, nrhs], dtype: a.dtype, device: a.device) }
        let fullRank = driver == .gels || (driver != .gelsy && ranks.allSatisfy { Int($0) == n })
        var residuals = LAPACKCalls.empty([0], like: a, dtype: a.dtype.realPart)
        if m > n && fullRank && driver != .gelsy {
            residuals = bcm.mT.narrow(-2, start: n, length: m - n).abs().square().sum(dims: [-2])
        }
        let rankOut =
            driver == .gels
            ? LAPACKCalls.empty([0], like: a, dtype: .int64)
            : rank.to(.int64).reshape(batchShape)
        func vectorForm(_ t: Tensor) -> Tensor { vector ? t.squeeze(-1) : t }
        guard Tensor.shouldRecord([ae, be]) else {
            return (vectorForm(solution), residuals, rankOut, values)
        }
        let outs = Tensor.recordedOutputs(
            .linalgLstsq, [ae, be], save: [ae, be], file: file, line: line, outputs: [solution, residuals]
        ) { node, o, g in
            let a = node.savedTensor(0), b = node.savedTensor(1)
            let pinvA = pinv(a, file: file, line: line)
            var ga = pinvBackward(g[0].matmul(b.mH), pinv: pinvA, a: a)
            var gb = pinvA.mH.matmul(g[0])
            if o[1].numel > 0 {
                // The residuals ‖A X − B‖² per column.
                let r = a.matmul(o[0]) - b
                let gl = g[1].unsqueeze(-2)
                ga = ga + (gl * r).matmul(o[0].mH) * 2
                gb = gb - gl * r * 2
            }
            return [ga, gb]
        }
        return (vectorForm(outs[0]), outs[1], rankOut, values)
    }

    /// `solve` that reports LAPACK's status per matrix (0, or the 1-based index of a zero pivot)
    /// instead of refusing a singular A (`torch.linalg.solve_ex`).
    ///
    /// ```swift
    /// let (x, info) = Linalg.solveEx(a, b)
    /// ```
    public static func solveEx(
        _ a: Tensor, _ b: Tensor, left: Bool = true, file: StaticString = #fileID, line: UInt = #line
    ) -> (result: Tensor, info: Tensor) {
        LAPACKCalls.check(a, "linalg.solve_ex", file: file, line: line)
        let status = Torch.noGrad { LAPACKCalls.lu(a).info }
        let info = Tensor(flat: status, shape: Array(a.shape.dropLast(2)), dtype: .int32)
        if !status.contains(where: { $0 != 0 }) {
            return (solve(a, b, left: left, file: file, line: line), info)
        }
        // LAPACK's solve runs anyway, as PyTorch's: its division by the zero pivot gives inf/NaN.
        let vector = b.rank == 1 || (b.rank == a.rank - 1 && Array(b.shape) == Array(a.shape.dropLast()))
        var rhs = vector ? b.unsqueeze(-1) : b
        let system = left ? a : a.mT
        if !left { rhs = rhs.mT }
        let batch = Checks.broadcastShapes(Array(system.shape.dropLast(2)), Array(rhs.shape.dropLast(2))).unwrap(
            "linalg.solve_ex", file: file, line: line)
        let n = a.shape[a.rank - 1]
        let x = Torch.noGrad {
            LAPACKCalls.solve(
                system.expand(batch + [n, n]).contiguous(), rhs.expand(batch + Array(rhs.shape.suffix(2))).contiguous(),
                evenIfSingular: true
            ).x
        }
        let out = left ? x : x.mT
        return ((vector ? out.squeeze(-1) : out).contiguous(), info)
    }
}

/// The tolerances `Linalg.pinv` was given, as trace attributes.
private func pinvTolerances(_ atol: Double?, _ rtol: Double?) -> [(String, TraceAttribute)] {
    (atol.map { [("atol", TraceAttribute.double($0))] } ?? [])
        + (rtol.map { [("rtol", TraceAttribute.double($0))] } ?? [])
}
