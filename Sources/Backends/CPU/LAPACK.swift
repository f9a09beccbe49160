import TorchBase
import _CTorch

// Dense factorizations on the CPU through the LAPACK that OpenBLAS contains (Backend.linalg).
// Each matrix of a batch is one LAPACK call; the batch is split across this library's threads,
// each call single-threaded (OpenBLAS is pinned to one thread, see BLAS.swift).

/// The LAPACK routines of one float type.
protocol LAPACKScalar: FloatScalar {
    static func getrf(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Self>,
        _ lda: UnsafePointer<Int32>, _ ipiv: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func getrs(
        _ trans: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafePointer<Self>, _ lda: UnsafePointer<Int32>, _ ipiv: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Self>, _ ldb: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func potrf(
        _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Self>,
        _ lda: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func syevd(
        _ jobz: UnsafePointer<CChar>, _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>, _ w: UnsafeMutablePointer<Self>,
        _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>, _ iwork: UnsafeMutablePointer<Int32>,
        _ liwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func geev(
        _ jobvl: UnsafePointer<CChar>, _ jobvr: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>, _ wr: UnsafeMutablePointer<Self>,
        _ wi: UnsafeMutablePointer<Self>, _ vl: UnsafeMutablePointer<Self>?, _ ldvl: UnsafePointer<Int32>,
        _ vr: UnsafeMutablePointer<Self>?, _ ldvr: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Self>,
        _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func gesdd(
        _ jobz: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Self>,
        _ u: UnsafeMutablePointer<Self>?, _ ldu: UnsafePointer<Int32>, _ vt: UnsafeMutablePointer<Self>?,
        _ ldvt: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func geqrf(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Self>,
        _ lda: UnsafePointer<Int32>, _ tau: UnsafeMutablePointer<Self>,
        _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func orgqr(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ k: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>,
        _ tau: UnsafePointer<Self>, _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>)
    static func sytrf(
        _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Self>,
        _ lda: UnsafePointer<Int32>, _ ipiv: UnsafeMutablePointer<Int32>,
        _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func gels(
        _ trans: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ nrhs: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Self>,
        _ lda: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Self>, _ ldb: UnsafePointer<Int32>,
        _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>)
    static func gelsy(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Self>, _ ldb: UnsafePointer<Int32>, _ jpvt: UnsafeMutablePointer<Int32>,
        _ rcond: UnsafePointer<Self>, _ rank: UnsafeMutablePointer<Int32>,
        _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func gelsd(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Self>, _ ldb: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Self>,
        _ rcond: UnsafePointer<Self>,
        _ rank: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
    static func gelss(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Self>, _ ldb: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Self>,
        _ rcond: UnsafePointer<Self>,
        _ rank: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>)
}

extension Float: LAPACKScalar {
    static func getrf(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Float>,
        _ lda: UnsafePointer<Int32>, _ ipiv: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { sgetrf_(m, n, a, lda, ipiv, info) }
    static func getrs(
        _ trans: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafePointer<Float>, _ lda: UnsafePointer<Int32>, _ ipiv: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Float>, _ ldb: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { sgetrs_(trans, n, nrhs, a, lda, ipiv, b, ldb, info) }
    static func potrf(
        _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Float>,
        _ lda: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { spotrf_(uplo, n, a, lda, info) }
    static func syevd(
        _ jobz: UnsafePointer<CChar>, _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>, _ w: UnsafeMutablePointer<Float>,
        _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>, _ iwork: UnsafeMutablePointer<Int32>,
        _ liwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { ssyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info) }
    static func geev(
        _ jobvl: UnsafePointer<CChar>, _ jobvr: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>, _ wr: UnsafeMutablePointer<Float>,
        _ wi: UnsafeMutablePointer<Float>, _ vl: UnsafeMutablePointer<Float>?, _ ldvl: UnsafePointer<Int32>,
        _ vr: UnsafeMutablePointer<Float>?, _ ldvr: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Float>,
        _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { sgeev_(jobvl, jobvr, n, a, lda, wr, wi, vl, ldvl, vr, ldvr, work, lwork, info) }
    static func gesdd(
        _ jobz: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Float>,
        _ u: UnsafeMutablePointer<Float>?, _ ldu: UnsafePointer<Int32>, _ vt: UnsafeMutablePointer<Float>?,
        _ ldvt: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { sgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info) }
    static func geqrf(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Float>,
        _ lda: UnsafePointer<Int32>, _ tau: UnsafeMutablePointer<Float>,
        _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { sgeqrf_(m, n, a, lda, tau, work, lwork, info) }
    static func orgqr(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ k: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>,
        _ tau: UnsafePointer<Float>, _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { sorgqr_(m, n, k, a, lda, tau, work, lwork, info) }
    static func sytrf(
        _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Float>,
        _ lda: UnsafePointer<Int32>, _ ipiv: UnsafeMutablePointer<Int32>,
        _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { ssytrf_(uplo, n, a, lda, ipiv, work, lwork, info) }
    static func gels(
        _ trans: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ nrhs: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Float>,
        _ lda: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Float>, _ ldb: UnsafePointer<Int32>,
        _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { sgels_(trans, m, n, nrhs, a, lda, b, ldb, work, lwork, info) }
    static func gelsy(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Float>, _ ldb: UnsafePointer<Int32>, _ jpvt: UnsafeMutablePointer<Int32>,
        _ rcond: UnsafePointer<Float>, _ rank: UnsafeMutablePointer<Int32>,
        _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { sgelsy_(m, n, nrhs, a, lda, b, ldb, jpvt, rcond, rank, work, lwork, info) }
    static func gelsd(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Float>, _ ldb: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Float>,
        _ rcond: UnsafePointer<Float>,
        _ rank: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { sgelsd_(m, n, nrhs, a, lda, b, ldb, s, rcond, rank, work, lwork, iwork, info) }
    static func gelss(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Float>, _ ldb: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Float>,
        _ rcond: UnsafePointer<Float>,
        _ rank: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { sgelss_(m, n, nrhs, a, lda, b, ldb, s, rcond, rank, work, lwork, info) }
}

extension Double: LAPACKScalar {
    static func getrf(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Double>,
        _ lda: UnsafePointer<Int32>, _ ipiv: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dgetrf_(m, n, a, lda, ipiv, info) }
    static func getrs(
        _ trans: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafePointer<Double>, _ lda: UnsafePointer<Int32>, _ ipiv: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Double>, _ ldb: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dgetrs_(trans, n, nrhs, a, lda, ipiv, b, ldb, info) }
    static func potrf(
        _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Double>,
        _ lda: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dpotrf_(uplo, n, a, lda, info) }
    static func syevd(
        _ jobz: UnsafePointer<CChar>, _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>, _ w: UnsafeMutablePointer<Double>,
        _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>, _ iwork: UnsafeMutablePointer<Int32>,
        _ liwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dsyevd_(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info) }
    static func geev(
        _ jobvl: UnsafePointer<CChar>, _ jobvr: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>, _ wr: UnsafeMutablePointer<Double>,
        _ wi: UnsafeMutablePointer<Double>, _ vl: UnsafeMutablePointer<Double>?, _ ldvl: UnsafePointer<Int32>,
        _ vr: UnsafeMutablePointer<Double>?, _ ldvr: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Double>,
        _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dgeev_(jobvl, jobvr, n, a, lda, wr, wi, vl, ldvl, vr, ldvr, work, lwork, info) }
    static func gesdd(
        _ jobz: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Double>,
        _ u: UnsafeMutablePointer<Double>?, _ ldu: UnsafePointer<Int32>, _ vt: UnsafeMutablePointer<Double>?,
        _ ldvt: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info) }
    static func geqrf(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Double>,
        _ lda: UnsafePointer<Int32>, _ tau: UnsafeMutablePointer<Double>,
        _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dgeqrf_(m, n, a, lda, tau, work, lwork, info) }
    static func orgqr(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ k: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>,
        _ tau: UnsafePointer<Double>, _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { dorgqr_(m, n, k, a, lda, tau, work, lwork, info) }
    static func sytrf(
        _ uplo: UnsafePointer<CChar>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Double>,
        _ lda: UnsafePointer<Int32>, _ ipiv: UnsafeMutablePointer<Int32>,
        _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dsytrf_(uplo, n, a, lda, ipiv, work, lwork, info) }
    static func gels(
        _ trans: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ nrhs: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Double>,
        _ lda: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Double>, _ ldb: UnsafePointer<Int32>,
        _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { dgels_(trans, m, n, nrhs, a, lda, b, ldb, work, lwork, info) }
    static func gelsy(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Double>, _ ldb: UnsafePointer<Int32>, _ jpvt: UnsafeMutablePointer<Int32>,
        _ rcond: UnsafePointer<Double>, _ rank: UnsafeMutablePointer<Int32>,
        _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dgelsy_(m, n, nrhs, a, lda, b, ldb, jpvt, rcond, rank, work, lwork, info) }
    static func gelsd(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Double>, _ ldb: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Double>,
        _ rcond: UnsafePointer<Double>,
        _ rank: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dgelsd_(m, n, nrhs, a, lda, b, ldb, s, rcond, rank, work, lwork, iwork, info) }
    static func gelss(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ nrhs: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Double>, _ ldb: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Double>,
        _ rcond: UnsafePointer<Double>,
        _ rank: UnsafeMutablePointer<Int32>, _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { dgelss_(m, n, nrhs, a, lda, b, ldb, s, rcond, rank, work, lwork, info) }
}

/// How a batch of LAPACK calls shares the threads.
enum LAPACKThreads {
    /// Runs `body` over the batch's matrices split across this library's threads, each LAPACK call
    /// single-threaded; one large SVD or eigendecomposition runs LAPACK's blocked code on this
    /// library's thread count instead, and OpenBLAS's workers are stopped after it (idle, they
    /// would spin against this library's).
    static func overBatch(_ op: LinalgOp, _ o: LinalgOperands, _ body: (Range<Int>) -> Void) {
        _ = CPUKernels.blasSingleThreaded
        let long = op == .svd || op == .eigh
        let wide = long && o.batch == 1 && Swift.min(o.rows, o.cols) >= 256 && Parallel.threadCount > 1
        if wide { openblas_set_num_threads(Int32(Parallel.threadCount)) }
        defer {
            if wide {
                openblas_set_num_threads(1)
                blas_thread_shutdown_()
            }
        }
        Parallel.forRange(o.batch, grain: 1, body)
    }
}

/// One `Backend.linalg` request for a float type (Note [CPU dtype dispatch]).
struct LAPACKKernel: KernelVisitor {
    let op: LinalgOp
    let o: LinalgOperands

    func visitFloat<T: FloatScalar>(_: T.Type) {
        guard let l = T.self as? any LAPACKScalar.Type else { preconditionFailure("LAPACK: \(T.self)") }
        run(l)
    }

    private func pointer<T>(_ x: KernelOperand, _: T.Type) -> UnsafeMutablePointer<T> {
        (x.base + x.layout.offset * x.dtype.itemSize).assumingMemoryBound(to: T.self)
    }

    private func run<L: LAPACKScalar>(_: L.Type) {
        let (m, n) = (o.rows, o.cols)
        let a = pointer(o.a, L.self), info = pointer(o.info, Int32.self)
        let k = Swift.min(m, n)
        LAPACKThreads.overBatch(op, o) { range in
            for i in range {
                let ai = a + i * m * n
                var mm = Int32(m), nn = Int32(n), lda = Int32(Swift.max(m, 1))
                var status: Int32 = 0
                switch op {
                case .luFactor:
                    L.getrf(&mm, &nn, ai, &lda, pointer(o.pivots!, Int32.self) + i * k, &status)
                case .luSolve:
                    var nrhs = Int32(o.nrhs), ldb = lda
                    var trans = CChar(UInt8(ascii: "N"))
                    L.getrs(
                        &trans, &nn, &nrhs, ai, &lda, pointer(o.pivots!, Int32.self) + i * n,
                        pointer(o.b!, L.self) + i * n * o.nrhs,
                        &ldb, &status)
                case .cholesky:
                    var uplo = CChar(UInt8(ascii: "L"))
                    L.potrf(&uplo, &nn, ai, &lda, &status)
                case .eigh:
                    var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "L"))
                    let w = pointer(o.values!, L.self) + i * n
                    // Workspace query, then the call.
                    var lwork: Int32 = -1, liwork: Int32 = -1, size = L.zero, isize: Int32 = 0
                    L.syevd(&jobz, &uplo, &nn, ai, &lda, w, &size, &lwork, &isize, &liwork, &status)
                    lwork = Int32(Swift.max(1, Int(Double(size) + 0.5)))
                    liwork = Swift.max(1, isize)
                    let work = UnsafeMutablePointer<L>.allocate(capacity: Int(lwork))
                    let iwork = UnsafeMutablePointer<Int32>.allocate(capacity: Int(liwork))
                    defer { work.deallocate(); iwork.deallocate() }
                    L.syevd(&jobz, &uplo, &nn, ai, &lda, w, work, &lwork, iwork, &liwork, &status)
                case .svd:
                    let vectors = o.u != nil
                    var jobz = CChar(UInt8(ascii: vectors ? (o.fullMatrices ? "A" : "S") : "N"))
                    let ucols = o.fullMatrices ? m : k, vtrows = o.fullMatrices ? n : k
                    var ldu = Int32(Swift.max(m, 1)), ldvt = Int32(Swift.max(vtrows, 1))
                    let s = pointer(o.values!, L.self) + i * k
                    let u = o.u.map { pointer($0, L.self) + i * m * ucols }
                    let vt = o.vt.map { pointer($0, L.self) + i * vtrows * n }
                    let iwork = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(1, 8 * k))
                    defer { iwork.deallocate() }
                    var lwork: Int32 = -1, size = L.zero
                    L.gesdd(&jobz, &mm, &nn, ai, &lda, s, u, &ldu, vt, &ldvt, &size, &lwork, iwork, &status)
                    lwork = Int32(Swift.max(1, Int(Double(size) + 0.5)))
                    let work = UnsafeMutablePointer<L>.allocate(capacity: Int(lwork))
                    defer { work.deallocate() }
                    L.gesdd(&jobz, &mm, &nn, ai, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &status)
                case .eig:
                    let vectors = o.u != nil
                    var jobvl = CChar(UInt8(ascii: "N")), jobvr = CChar(UInt8(ascii: vectors ? "V" : "N"))
                    var ldvl: Int32 = 1, ldvr = Int32(Swift.max(n, 1))
                    let wr = pointer(o.values!, L.self) + i * 2 * n, wi = wr + n
                    let vr = o.u.map { pointer($0, L.self) + i * n * n }
                    withWorkspace(L.self) {
                        L.geev(&jobvl, &jobvr, &nn, ai, &lda, wr, wi, nil, &ldvl, vr, &ldvr, $0, $1, &status)
                    }
                case .qr, .ldlFactor:
                    status = factor(L.self, i, ai)
                case .lstsqGels, .lstsqGelsy, .lstsqGelsd, .lstsqGelss:
                    status = leastSquares(L.self, i, ai)
                }
                info[i] = status
            }
        }
    }

    /// Runs a LAPACK call twice: a workspace query (lwork = -1), then with a workspace of the size it named.
    private func withWorkspace<L: LAPACKScalar>(
        _: L.Type, _ call: (UnsafeMutablePointer<L>, UnsafePointer<Int32>) -> Void
    ) {
        var size = L.zero, query: Int32 = -1
        call(&size, &query)
        var lwork = Int32(Swift.max(1, Int(Double(size) + 0.5)))
        let work = UnsafeMutablePointer<L>.allocate(capacity: Int(lwork))
        defer { work.deallocate() }
        call(work, &lwork)
    }

    /// QR (geqrf, then orgqr for Q) or the LDLᵀ factorization (sytrf) of matrix `i`.
    private func factor<L: LAPACKScalar>(_: L.Type, _ i: Int, _ ai: UnsafeMutablePointer<L>) -> Int32 {
        let (m, n) = (o.rows, o.cols)
        let k = Swift.min(m, n)
        var mm = Int32(m), nn = Int32(n), lda = Int32(Swift.max(m, 1)), status: Int32 = 0
        if op == .ldlFactor {
            var uplo = CChar(UInt8(ascii: "L"))
            let ipiv = pointer(o.pivots!, Int32.self) + i * n
            withWorkspace(L.self) { L.sytrf(&uplo, &nn, ai, &lda, ipiv, $0, $1, &status) }
            return status
        }
        let tau = pointer(o.values!, L.self) + i * k
        withWorkspace(L.self) { L.geqrf(&mm, &nn, ai, &lda, tau, $0, $1, &status) }
        guard status == 0, let qOperand = o.u else { return status }
        // Q's columns: the reflectors (the first min(n, qcols) columns of the factored `a`), expanded.
        let qcols = o.fullMatrices ? m : k
        let q = pointer(qOperand, L.self) + i * m * qcols
        q.initialize(repeating: L.zero, count: m * qcols)
        q.update(from: ai, count: m * Swift.min(n, qcols))
        var qc = Int32(qcols), kk = Int32(k)
        withWorkspace(L.self) { L.orgqr(&mm, &qc, &kk, q, &lda, tau, $0, $1, &status) }
        return status
    }

    /// Least squares of matrix `i` by the op's driver; the solution overwrites `b`'s first n rows.
    private func leastSquares<L: LAPACKScalar>(_: L.Type, _ i: Int, _ ai: UnsafeMutablePointer<L>) -> Int32 {
        let (m, n) = (o.rows, o.cols)
        let ldbCount = Swift.max(m, n, 1)
        var mm = Int32(m), nn = Int32(n), lda = Int32(Swift.max(m, 1)), status: Int32 = 0
        var nrhs = Int32(o.nrhs), ldb = Int32(ldbCount), rank: Int32 = 0
        var rcond = L(o.rcond)
        let b = pointer(o.b!, L.self) + i * ldbCount * o.nrhs
        switch op {
        case .lstsqGels:
            var trans = CChar(UInt8(ascii: "N"))
            withWorkspace(L.self) { L.gels(&trans, &mm, &nn, &nrhs, ai, &lda, b, &ldb, $0, $1, &status) }
        case .lstsqGelsy:
            let jpvt = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(n, 1))
            defer { jpvt.deallocate() }
            jpvt.initialize(repeating: 0, count: Swift.max(n, 1))
            withWorkspace(L.self) {
                L.gelsy(&mm, &nn, &nrhs, ai, &lda, b, &ldb, jpvt, &rcond, &rank, $0, $1, &status)
            }
        case .lstsqGelsd:
            let s = pointer(o.values!, L.self) + i * Swift.min(m, n)
            // LAPACK's bound on the integer workspace: 3·k·nlvl + 11·k, nlvl ≤ 32 for any size here.
            let iwork = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(1, Swift.min(m, n) * 107))
            defer { iwork.deallocate() }
            withWorkspace(L.self) {
                L.gelsd(&mm, &nn, &nrhs, ai, &lda, b, &ldb, s, &rcond, &rank, $0, $1, iwork, &status)
            }
        default:
            let s = pointer(o.values!, L.self) + i * Swift.min(m, n)
            withWorkspace(L.self) { L.gelss(&mm, &nn, &nrhs, ai, &lda, b, &ldb, s, &rcond, &rank, $0, $1, &status) }
        }
        if let r = o.rank { pointer(r, Int32.self)[i] = rank }
        return status
    }
}
