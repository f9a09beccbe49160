import TorchBase
import _CTorch

/// Matrix multiply on the CPU: OpenBLAS for float32/float64, a plain loop for the other types.
extension CPUKernels {
    /// `C[m, n] = A[m, k] · B[k, n]` (+ beta·C) where each matrix is given by a pointer and row/column
    /// strides in elements. BLAS needs one unit stride per matrix; other layouts go through the loop.
    public static func gemm<T: NativeScalar>(_: T.Type, m: Int, n: Int, k: Int,
                                             a: UnsafePointer<T>, aRow: Int, aCol: Int,
                                             b: UnsafePointer<T>, bRow: Int, bCol: Int,
                                             c: UnsafeMutablePointer<T>, cRow: Int, beta: T) {
        if m == 0 || n == 0 { return }
        if T.self == Float.self || T.self == Double.self, let (ta, lda) = blasLayout(aRow, aCol, k, m),
           let (tb, ldb) = blasLayout(bRow, bCol, n, k), k > 0 {
            let order = Int32(CTorchRowMajor.rawValue)
            if T.self == Float.self {
                cblas_sgemm(order, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                            UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                            UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb),
                            unsafeBitCast(beta, to: Float.self),
                            UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(cRow))
            } else {
                cblas_dgemm(order, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                            UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                            UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb),
                            unsafeBitCast(beta, to: Double.self),
                            UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(cRow))
            }
            return
        }
        for i in 0..<m {
            for j in 0..<n {
                var acc = T.zeroValue
                for p in 0..<k { acc = T.add(acc, T.mul(a[i * aRow + p * aCol], b[p * bRow + j * bCol])) }
                let cp = c + i * cRow + j
                cp.pointee = beta == T.zeroValue ? acc : T.add(acc, T.mul(beta, cp.pointee))
            }
        }
    }

    /// (transpose flag, leading dimension) for a row-major BLAS call, or nil when neither stride is 1.
    static func blasLayout(_ rowStride: Int, _ colStride: Int, _ cols: Int, _ rows: Int) -> (Int32, Int)? {
        if colStride == 1 && (rowStride >= Swift.max(1, cols) || rows == 1) {
            return (Int32(CTorchNoTrans.rawValue), Swift.max(rowStride, Swift.max(1, cols)))
        }
        if rowStride == 1 && (colStride >= Swift.max(1, rows) || cols == 1) {
            return (Int32(CTorchTrans.rawValue), Swift.max(colStride, Swift.max(1, rows)))
        }
        return nil
    }
}
