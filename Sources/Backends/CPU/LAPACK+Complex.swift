import TorchBase
import _CTorch

// Note [Complex LAPACK]: complex64 and complex128 matrices go through LAPACK's c* and z* routines
// of the same OpenBLAS. ctorch.h declares their float arrays untyped, so the two precisions have
// one Swift signature and one body below serves both (`pick` chooses the routine). The layout
// contract is the real one's (Backend.linalg): column-major matrices one after another. What
// differs: Hermitian eigenvalues and singular values come back real (the `values` operand has the
// real dtype), `eig` writes complex eigenvalues [batch, n] and eigenvectors directly, QR's scales
// are complex, and the routines take a real workspace (`rwork`) beside the complex one.

/// One `Backend.linalg` request for a complex dtype.
struct ComplexLAPACKKernel {
    let op: LinalgOp
    let o: LinalgOperands

    /// complex128 (z routines) rather than complex64 (c routines).
    private var double: Bool { o.a.dtype == .complex128 }
    /// Bytes of one complex element, and of one real part.
    private var complexSize: Int { double ? 16 : 8 }
    private var realSize: Int { double ? 8 : 4 }

    private func pick<F>(_ c: F, _ z: F) -> F { double ? z : c }

    private func raw(_ x: KernelOperand) -> UnsafeMutableRawPointer { x.base + x.layout.offset * x.dtype.itemSize }

    private func int32(_ x: KernelOperand) -> UnsafeMutablePointer<Int32> {
        raw(x).assumingMemoryBound(to: Int32.self)
    }

    /// A LAPACK workspace size returned in the first element of a query's work array (real part).
    private func size(_ p: UnsafeRawPointer) -> Int32 {
        let v = double ? p.load(as: Double.self) : Double(p.load(as: Float.self))
        return Int32(Swift.max(1, Int(v + 0.5)))
    }

    /// Zeroed scratch memory of `count` elements of `bytes` each (freed after `body`).
    private func scratch<R>(_ count: Int, _ bytes: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R {
        let p = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, count) * bytes, alignment: 16)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(1, count) * bytes)
        defer { p.deallocate() }
        return body(p)
    }

    /// Runs a call twice: a complex workspace query (lwork = -1), then with the size it named.
    private func withWorkspace(_ call: (UnsafeMutableRawPointer, UnsafePointer<Int32>) -> Void) {
        var query: Int32 = -1
        var lwork = scratch(1, complexSize) { q -> Int32 in
            call(q, &query)
            return size(q)
        }
        scratch(Int(lwork), complexSize) { call($0, &lwork) }
    }

    func run() {
        let (m, n) = (o.rows, o.cols)
        let a = raw(o.a), info = int32(o.info)
        LAPACKThreads.overBatch(op, o) { range in
            for i in range { info[i] = matrix(i, a + i * m * n * complexSize) }
        }
    }

    /// The op on matrix `i`, LAPACK's status.
    private func matrix(_ i: Int, _ ai: UnsafeMutableRawPointer) -> Int32 {
        let (m, n) = (o.rows, o.cols)
        let k = Swift.min(m, n)
        var mm = Int32(m), nn = Int32(n), lda = Int32(Swift.max(m, 1))
        var status: Int32 = 0
        switch op {
        case .luFactor:
            pick(cgetrf_, zgetrf_)(&mm, &nn, ai, &lda, int32(o.pivots!) + i * k, &status)
        case .luSolve:
            var nrhs = Int32(o.nrhs), ldb = lda, trans = CChar(UInt8(ascii: "N"))
            let b = raw(o.b!) + i * n * o.nrhs * complexSize
            pick(cgetrs_, zgetrs_)(&trans, &nn, &nrhs, ai, &lda, int32(o.pivots!) + i * n, b, &ldb, &status)
        case .cholesky:
            var uplo = CChar(UInt8(ascii: "L"))
            pick(cpotrf_, zpotrf_)(&uplo, &nn, ai, &lda, &status)
        case .eigh:
            status = eigh(i, ai)
        case .eig:
            status = eig(i, ai)
        case .svd:
            status = svd(i, ai)
        case .qr:
            status = qr(i, ai)
        case .ldlFactor:
            var uplo = CChar(UInt8(ascii: "L"))
            let ipiv = int32(o.pivots!) + i * n
            let call = o.hermitian ? pick(chetrf_, zhetrf_) : pick(csytrf_, zsytrf_)
            withWorkspace { call(&uplo, &nn, ai, &lda, ipiv, $0, $1, &status) }
        case .lstsqGels, .lstsqGelsy, .lstsqGelsd, .lstsqGelss:
            status = leastSquares(i, ai)
        }
        return status
    }

    /// heevd: real eigenvalues into `values`, the eigenvectors over `a`.
    private func eigh(_ i: Int, _ ai: UnsafeMutableRawPointer) -> Int32 {
        let n = o.cols
        var nn = Int32(n), lda = Int32(Swift.max(n, 1)), status: Int32 = 0
        var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "L"))
        let w = raw(o.values!) + i * n * realSize
        let heevd = pick(cheevd_, zheevd_)
        // One query names all three workspaces.
        var lwork: Int32 = -1, lrwork: Int32 = -1, liwork: Int32 = -1, isize: Int32 = 0
        let (cw, rw) = scratch(1, complexSize) { q in
            scratch(1, complexSize) { r in
                heevd(&jobz, &uplo, &nn, ai, &lda, w, q, &lwork, r, &lrwork, &isize, &liwork, &status)
                return (size(q), size(r))
            }
        }
        (lwork, lrwork, liwork) = (cw, rw, Swift.max(1, isize))
        scratch(Int(lwork), complexSize) { work in
            scratch(Int(lrwork), realSize) { rwork in
                scratch(Int(liwork), 4) { iwork in
                    heevd(
                        &jobz, &uplo, &nn, ai, &lda, w, work, &lwork, rwork, &lrwork,
                        iwork.assumingMemoryBound(to: Int32.self), &liwork, &status)
                }
            }
        }
        return status
    }

    /// geev: complex eigenvalues into `values` [batch, n], right eigenvectors into `u` when given.
    private func eig(_ i: Int, _ ai: UnsafeMutableRawPointer) -> Int32 {
        let n = o.cols
        var nn = Int32(n), lda = Int32(Swift.max(n, 1)), status: Int32 = 0
        var jobvl = CChar(UInt8(ascii: "N")), jobvr = CChar(UInt8(ascii: o.u != nil ? "V" : "N"))
        var ldvl: Int32 = 1, ldvr = Int32(Swift.max(n, 1))
        let w = raw(o.values!) + i * n * complexSize
        let vr = o.u.map { raw($0) + i * n * n * complexSize }
        let geev = pick(cgeev_, zgeev_)
        scratch(2 * n, realSize) { rwork in
            withWorkspace { geev(&jobvl, &jobvr, &nn, ai, &lda, w, nil, &ldvl, vr, &ldvr, $0, $1, rwork, &status) }
        }
        return status
    }

    /// gesdd: real singular values into `values`, the vectors into `u`/`vt` when given.
    private func svd(_ i: Int, _ ai: UnsafeMutableRawPointer) -> Int32 {
        let (m, n) = (o.rows, o.cols)
        let k = Swift.min(m, n), big = Swift.max(m, n)
        var mm = Int32(m), nn = Int32(n), lda = Int32(Swift.max(m, 1)), status: Int32 = 0
        let vectors = o.u != nil
        var jobz = CChar(UInt8(ascii: vectors ? (o.fullMatrices ? "A" : "S") : "N"))
        let ucols = o.fullMatrices ? m : k, vtrows = o.fullMatrices ? n : k
        var ldu = Int32(Swift.max(m, 1)), ldvt = Int32(Swift.max(vtrows, 1))
        let s = raw(o.values!) + i * k * realSize
        let u = o.u.map { raw($0) + i * m * ucols * complexSize }
        let vt = o.vt.map { raw($0) + i * vtrows * n * complexSize }
        // LAPACK's bound on the real workspace.
        let lrwork = vectors ? Swift.max(5 * k * k + 5 * k, 2 * big * k + 2 * k * k + k) : 7 * k
        let gesdd = pick(cgesdd_, zgesdd_)
        scratch(lrwork, realSize) { rwork in
            scratch(8 * k, 4) { iw in
                let iwork = iw.assumingMemoryBound(to: Int32.self)
                withWorkspace { gesdd(&jobz, &mm, &nn, ai, &lda, s, u, &ldu, vt, &ldvt, $0, $1, rwork, iwork, &status) }
            }
        }
        return status
    }

    /// geqrf, then ungqr for Q's first `fullMatrices ? m : k` columns into `u` when given.
    private func qr(_ i: Int, _ ai: UnsafeMutableRawPointer) -> Int32 {
        let (m, n) = (o.rows, o.cols)
        let k = Swift.min(m, n)
        var mm = Int32(m), nn = Int32(n), lda = Int32(Swift.max(m, 1)), status: Int32 = 0
        let tau = raw(o.values!) + i * k * complexSize
        withWorkspace { pick(cgeqrf_, zgeqrf_)(&mm, &nn, ai, &lda, tau, $0, $1, &status) }
        guard status == 0, let qOperand = o.u else { return status }
        let qcols = o.fullMatrices ? m : k
        let q = raw(qOperand) + i * m * qcols * complexSize
        q.initializeMemory(as: UInt8.self, repeating: 0, count: m * qcols * complexSize)
        q.copyMemory(from: ai, byteCount: m * Swift.min(n, qcols) * complexSize)
        var qc = Int32(qcols), kk = Int32(k)
        withWorkspace { pick(cungqr_, zungqr_)(&mm, &qc, &kk, q, &lda, tau, $0, $1, &status) }
        return status
    }

    /// Least squares of matrix `i` by the op's driver; the solution overwrites `b`'s first n rows.
    private func leastSquares(_ i: Int, _ ai: UnsafeMutableRawPointer) -> Int32 {
        let (m, n) = (o.rows, o.cols)
        let k = Swift.min(m, n), ldbCount = Swift.max(m, n, 1)
        var mm = Int32(m), nn = Int32(n), lda = Int32(Swift.max(m, 1)), status: Int32 = 0
        var nrhs = Int32(o.nrhs), ldb = Int32(ldbCount), rank: Int32 = 0
        var rcondF = Float(o.rcond), rcondD = o.rcond
        let b = raw(o.b!) + i * ldbCount * o.nrhs * complexSize
        withUnsafeMutableBytes(of: &rcondF) { rf in
            withUnsafeMutableBytes(of: &rcondD) { rd in
                let rcond = UnsafeRawPointer(double ? rd.baseAddress! : rf.baseAddress!)
                switch op {
                case .lstsqGels:
                    var trans = CChar(UInt8(ascii: "N"))
                    withWorkspace { pick(cgels_, zgels_)(&trans, &mm, &nn, &nrhs, ai, &lda, b, &ldb, $0, $1, &status) }
                case .lstsqGelsy:
                    let gelsy = pick(cgelsy_, zgelsy_)
                    scratch(n, 4) { jp in
                        scratch(2 * n, realSize) { rwork in
                            let jpvt = jp.assumingMemoryBound(to: Int32.self)
                            withWorkspace {
                                gelsy(&mm, &nn, &nrhs, ai, &lda, b, &ldb, jpvt, rcond, &rank, $0, $1, rwork, &status)
                            }
                        }
                    }
                case .lstsqGelsd:
                    status = gelsd(i, ai, b, rcond, &rank)
                default:
                    let s = raw(o.values!) + i * k * realSize
                    let gelss = pick(cgelss_, zgelss_)
                    scratch(5 * k, realSize) { rwork in
                        withWorkspace {
                            gelss(&mm, &nn, &nrhs, ai, &lda, b, &ldb, s, rcond, &rank, $0, $1, rwork, &status)
                        }
                    }
                }
            }
        }
        if let r = o.rank { int32(r)[i] = rank }
        return status
    }

    /// gelsd, whose query names its complex, real and integer workspaces.
    private func gelsd(
        _ i: Int, _ ai: UnsafeMutableRawPointer, _ b: UnsafeMutableRawPointer, _ rcond: UnsafeRawPointer,
        _ rank: inout Int32
    ) -> Int32 {
        let (m, n) = (o.rows, o.cols)
        var mm = Int32(m), nn = Int32(n), lda = Int32(Swift.max(m, 1)), status: Int32 = 0
        var nrhs = Int32(o.nrhs), ldb = Int32(Swift.max(m, n, 1))
        let s = raw(o.values!) + i * Swift.min(m, n) * realSize
        let gelsd = pick(cgelsd_, zgelsd_)
        var lwork: Int32 = -1, isize: Int32 = 0
        let (cw, rw) = scratch(1, complexSize) { q in
            scratch(1, complexSize) { r in
                gelsd(&mm, &nn, &nrhs, ai, &lda, b, &ldb, s, rcond, &rank, q, &lwork, r, &isize, &status)
                return (size(q), size(r))
            }
        }
        lwork = cw
        scratch(Int(cw), complexSize) { work in
            scratch(Int(rw), realSize) { rwork in
                scratch(Int(Swift.max(1, isize)), 4) { iw in
                    let iwork = iw.assumingMemoryBound(to: Int32.self)
                    gelsd(&mm, &nn, &nrhs, ai, &lda, b, &ldb, s, rcond, &rank, work, &lwork, rwork, iwork, &status)
                }
            }
        }
        return status
    }
}
