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
    static func gesdd(
        _ jobz: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Self>,
        _ u: UnsafeMutablePointer<Self>?, _ ldu: UnsafePointer<Int32>, _ vt: UnsafeMutablePointer<Self>?,
        _ ldvt: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
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
    static func gesdd(
        _ jobz: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Float>,
        _ u: UnsafeMutablePointer<Float>?, _ ldu: UnsafePointer<Int32>, _ vt: UnsafeMutablePointer<Float>?,
        _ ldvt: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { sgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info) }
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
    static func gesdd(
        _ jobz: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Double>,
        _ u: UnsafeMutablePointer<Double>?, _ ldu: UnsafePointer<Int32>, _ vt: UnsafeMutablePointer<Double>?,
        _ ldvt: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info) }
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
        _ = CPUKernels.blasSingleThreaded
        Parallel.forRange(o.batch, grain: 1) { range in
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
                }
                info[i] = status
            }
        }
    }
}
