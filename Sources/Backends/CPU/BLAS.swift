import TorchBase
import _CTorch
#if canImport(Glibc)
    import Glibc
#endif

/// Matrix multiply on the CPU: OpenBLAS for float32/float64, a plain loop for the other types.
extension CPUKernels {
    /// `C[m, n] = A[m, k] · B[k, n]` (+ beta·C) where each matrix is given by a pointer and row/column
    /// strides in elements. BLAS needs one unit stride per matrix; other layouts go through the loop.
    public static func gemm<T: NativeScalar>(
        _: T.Type, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, aRow: Int, aCol: Int,
        b: UnsafePointer<T>, bRow: Int, bCol: Int,
        c: UnsafeMutablePointer<T>, cRow: Int, beta: T
    ) {
        if m == 0 || n == 0 { return }
        if (T.self == Float.self || T.self == Double.self) && k > 0
            && (blasLayout(aRow, aCol, k, m) == nil || blasLayout(bRow, bCol, n, k) == nil)
        {
            // A matrix with no unit stride (a permuted view): pack it row-major once, then BLAS.
            let packA = blasLayout(aRow, aCol, k, m) == nil, packB = blasLayout(bRow, bCol, n, k) == nil
            let ta = packA ? pack(a, rows: m, cols: k, rowStride: aRow, colStride: aCol) : nil
            let tb = packB ? pack(b, rows: k, cols: n, rowStride: bRow, colStride: bCol) : nil
            defer {
                if let ta { CPUAllocator.shared.deallocate(ta, bytes: m * k * MemoryLayout<T>.stride) }
                if let tb { CPUAllocator.shared.deallocate(tb, bytes: k * n * MemoryLayout<T>.stride) }
            }
            gemm(
                T.self, m: m, n: n, k: k, a: ta.map { UnsafePointer($0) } ?? a, aRow: packA ? k : aRow,
                aCol: packA ? 1 : aCol,
                b: tb.map { UnsafePointer($0) } ?? b, bRow: packB ? n : bRow, bCol: packB ? 1 : bCol, c: c, cRow: cRow,
                beta: beta)
            return
        }
        if T.self == Float.self || T.self == Double.self, blasLayout(aRow, aCol, k, m) != nil,
            blasLayout(bRow, bCol, n, k) != nil, k > 0
        {
            _ = blasSingleThreaded
            // Large products: split the rows (or columns) of C across this library's threads,
            // one single-threaded BLAS call each.
            let threads = Swift.min(Parallel.threadCount, Swift.max(m, n))
            if threads > 1 && m * n * k >= gemmSplitWork {
                let splitRows = m >= n
                let extent = splitRows ? m : n
                Parallel.forRange(threads, grain: 1) { r in
                    for chunk in r {
                        let lo = extent * chunk / threads, hi = extent * (chunk + 1) / threads
                        if hi == lo { continue }
                        if splitRows {
                            blasCall(
                                T.self, m: hi - lo, n: n, k: k, a: a + lo * aRow, aRow: aRow, aCol: aCol, b: b,
                                bRow: bRow, bCol: bCol,
                                c: c + lo * cRow, cRow: cRow, beta: beta)
                        } else {
                            blasCall(
                                T.self, m: m, n: hi - lo, k: k, a: a, aRow: aRow, aCol: aCol, b: b + lo * bCol,
                                bRow: bRow, bCol: bCol,
                                c: c + lo, cRow: cRow, beta: beta)
                        }
                    }
                }
                return
            }
            blasCall(
                T.self, m: m, n: n, k: k, a: a, aRow: aRow, aCol: aCol, b: b, bRow: bRow, bCol: bCol, c: c, cRow: cRow,
                beta: beta)
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

    /// The multiply-adds from which one product is split across threads; a batch of smaller
    /// products is spread over threads by product instead.
    static let gemmSplitWork = 1 << 21

    /// `y += alpha · x` over `n` contiguous float32 or float64 elements (BLAS axpy, split across threads).
    public static func axpy(_ dtype: DType, _ n: Int, alpha: Double, x: UnsafeRawPointer, y: UnsafeMutableRawPointer) {
        _ = blasSingleThreaded
        dtype.dispatchFloat(Axpy(n: n, alpha: alpha, x: x, y: y))
    }

    struct Axpy: KernelVisitor {
        let n: Int, alpha: Double, x: UnsafeRawPointer, y: UnsafeMutableRawPointer
        func visitFloat<T: FloatScalar>(_: T.Type) {
            let xs = x.assumingMemoryBound(to: T.self), ys = y.assumingMemoryBound(to: T.self)
            Parallel.forRange(n, grain: 1 << 16) { r in
                let cx = xs + r.lowerBound, cy = ys + r.lowerBound, count = Int32(r.count)
                // BLAS has one entry point per type.
                if T.self == Float.self {
                    cblas_saxpy(
                        count, Float(alpha), UnsafeRawPointer(cx).assumingMemoryBound(to: Float.self), 1,
                        UnsafeMutableRawPointer(cy).assumingMemoryBound(to: Float.self), 1)
                } else {
                    cblas_daxpy(
                        count, alpha, UnsafeRawPointer(cx).assumingMemoryBound(to: Double.self), 1,
                        UnsafeMutableRawPointer(cy).assumingMemoryBound(to: Double.self), 1)
                }
            }
        }
    }

    /// OpenBLAS limited to the calling thread, once (this library splits large products itself),
    /// and its kernel choice checked against the CPU (Note [OpenBLAS kernels]).
    static let blasSingleThreaded: Void = {
        openblas_set_num_threads(1)
        let f = CPUFeatures.detected
        let avx512 = f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq
        let chosen = blasCoreName
        guard
            let note = blasCoreNote(
                avx512: avx512, bf16: f.avx512bf16, cpu: f.brand, core: chosen,
                coreTypeSet: getenv("OPENBLAS_CORETYPE") != nil)
        else { return }
        // Switch to the AVX-512 kernels, keeping them only when they compute right here.
        let keep = getenv("SWIFTTORCH_OPENBLAS_CORE").map { String(cString: $0) } == "keep"
        if !keep, ctorch_openblas_force_core("SkylakeX") != 0 {
            if blasCoreName.lowercased() == "skylakex" && gemmMatchesReference() {
                switchedFrom = chosen
                return
            }
            _ = ctorch_openblas_force_core(chosen)
        }
        fputs("SwiftTorch: \(note)\n", stderr)
    }()

    /// The kernels OpenBLAS chose at start-up when they were replaced by its AVX-512 ones.
    nonisolated(unsafe) static var switchedFrom: String?

    /// Whether OpenBLAS's SGEMM and DGEMM agree with a plain double-precision product on shapes
    /// that reach the kernels' edge cases (Note [OpenBLAS kernels]: a kernel is checked where it
    /// runs, not only timed).
    static func gemmMatchesReference() -> Bool {
        for (m, n, k) in [(67, 53, 71), (1, 17, 5), (130, 9, 200)] {
            var g = SystemRandomNumberGenerator()
            let a = (0..<(m * k)).map { _ in Double.random(in: -1...1, using: &g) }
            let b = (0..<(k * n)).map { _ in Double.random(in: -1...1, using: &g) }
            var want = [Double](repeating: 0, count: m * n)
            for i in 0..<m {
                for p in 0..<k {
                    let x = a[i * k + p]
                    for j in 0..<n { want[i * n + j] += x * b[p * n + j] }
                }
            }
            var d = [Double](repeating: 0, count: m * n)
            cblas_dgemm(101, 111, 111, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &d, Int32(n))
            let af = a.map { Float($0) }, bf = b.map { Float($0) }
            var s = [Float](repeating: 0, count: m * n)
            cblas_sgemm(101, 111, 111, Int32(m), Int32(n), Int32(k), 1, af, Int32(k), bf, Int32(n), 0, &s, Int32(n))
            for i in 0..<(m * n) {
                let scale = Swift.max(1, Swift.abs(want[i]))
                if !(Swift.abs(d[i] - want[i]) <= 1e-12 * scale * Double(k)) { return false }
                if !(Swift.abs(Double(s[i]) - want[i]) <= 1e-5 * scale * Double(k)) { return false }
            }
        }
        return true
    }

    // Note [OpenBLAS kernels]: OpenBLAS picks its GEMM kernels from the CPU's model number in a
    // library constructor, before `main`, and reads OPENBLAS_CORETYPE only then. Debian's 0.3.21
    // does not know Zen 5 and runs its Haswell (AVX2) kernels there at half the speed of its
    // SkylakeX ones (issue 17: 127-136 against 234-242 GFLOP/s on one thread). A program linked to
    // it cannot choose before the constructor runs, but a DYNAMIC_ARCH build (Debian's) exports
    // `gotoblas_dynamic_quit`/`_init`, which re-run that choice: on a CPU with AVX-512 whose
    // OpenBLAS chose narrower kernels (Haswell on Zen 5, Prescott, its SSE3 fallback, on an
    // Emerald Rapids Xeon), the first BLAS call switches to its SkylakeX kernels and keeps them
    // only when SGEMM and DGEMM match a plain product on edge-case shapes; otherwise (or with
    // SWIFTTORCH_OPENBLAS_CORE=keep, or a static OpenBLAS) one line names the variable to set.
    // OPENBLAS_CORETYPE set by the user is never overridden.
    /// The line to print when OpenBLAS's kernels are narrower than the CPU's vectors, else nil.
    static func blasCoreNote(avx512: Bool, bf16: Bool, cpu: String, core: String, coreTypeSet: Bool) -> String? {
        let narrow = ["haswell", "zen", "sandybridge", "prescott", "core2", "nehalem", "barcelona", "bulldozer"]
        guard avx512, narrow.contains(core.lowercased()), !coreTypeSet else { return nil }
        let want = bf16 ? "Cooperlake" : "SkylakeX"
        let isa =
            ["haswell": "AVX2", "zen": "AVX2", "sandybridge": "AVX", "bulldozer": "AVX"][core.lowercased()] ?? "SSE"
        return "OpenBLAS chose its \(core) (\(isa)) kernels on this AVX-512 CPU (\(cpu)); "
            + "OPENBLAS_CORETYPE=\(want) in the environment runs its AVX-512 ones (faster GEMM)"
    }

    /// One BLAS call for float32/float64 operands whose layouts `blasLayout` accepts.
    static func blasCall<T: NativeScalar>(
        _: T.Type, m: Int, n: Int, k: Int,
        a: UnsafePointer<T>, aRow: Int, aCol: Int,
        b: UnsafePointer<T>, bRow: Int, bCol: Int,
        c: UnsafeMutablePointer<T>, cRow: Int, beta: T
    ) {
        if let (ta, lda) = blasLayout(aRow, aCol, k, m), let (tb, ldb) = blasLayout(bRow, bCol, n, k) {
            let order = Int32(CTorchRowMajor.rawValue)
            if T.self == Float.self {
                cblas_sgemm(
                    order, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                    UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb),
                    unsafeBitCast(beta, to: Float.self),
                    UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(cRow))
            } else {
                cblas_dgemm(
                    order, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                    UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb),
                    unsafeBitCast(beta, to: Double.self),
                    UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(cRow))
            }
        }
    }

    /// A row-major copy of a strided `rows`×`cols` matrix, in a block of the caching allocator (the
    /// caller gives it back with `CPUAllocator.shared.deallocate(_:bytes:)`, rows·cols elements).
    static func pack<T>(_ src: UnsafePointer<T>, rows: Int, cols: Int, rowStride: Int, colStride: Int)
        -> UnsafeMutablePointer<T>
    {
        // Concrete element types, so the copy loop is not generic code.
        if T.self == Float.self {
            let d = packTyped(
                UnsafeRawPointer(src).assumingMemoryBound(to: Float.self), rows: rows, cols: cols, rowStride: rowStride,
                colStride: colStride)
            return UnsafeMutableRawPointer(d).assumingMemoryBound(to: T.self)
        }
        if T.self == Double.self {
            let d = packTyped(
                UnsafeRawPointer(src).assumingMemoryBound(to: Double.self), rows: rows, cols: cols,
                rowStride: rowStride, colStride: colStride)
            return UnsafeMutableRawPointer(d).assumingMemoryBound(to: T.self)
        }
        return packTyped(src, rows: rows, cols: cols, rowStride: rowStride, colStride: colStride)
    }

    @inline(__always)
    static func packTyped<T>(_ src: UnsafePointer<T>, rows: Int, cols: Int, rowStride: Int, colStride: Int)
        -> UnsafeMutablePointer<T>
    {
        let dst = CPUAllocator.shared.allocate(Swift.max(1, rows * cols) * MemoryLayout<T>.stride)
            .bindMemory(to: T.self, capacity: Swift.max(1, rows * cols))
        Parallel.forRange(rows, grain: Swift.max(1, 65_536 / Swift.max(cols, 1))) { r in
            for i in r {
                let s = src + i * rowStride, d = dst + i * cols
                for j in 0..<cols { (d + j).initialize(to: s[j * colStride]) }
            }
        }
        return dst
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

    /// `C = A·B + beta·C` for complex64/complex128 matrices through cgemm/zgemm (one BLAS call):
    /// a matrix with no unit stride is packed row-major first.
    static func complexGemm<T: FloatScalar>(
        _: T.Type, m: Int, n: Int, k: Int,
        a: UnsafePointer<Complex<T>>, aRow: Int, aCol: Int,
        b: UnsafePointer<Complex<T>>, bRow: Int, bCol: Int,
        c: UnsafeMutablePointer<Complex<T>>, cRow: Int, beta: Double
    ) {
        _ = blasSingleThreaded
        let la = blasLayout(aRow, aCol, k, m), lb = blasLayout(bRow, bCol, n, k)
        let ta = la == nil ? packTyped(a, rows: m, cols: k, rowStride: aRow, colStride: aCol) : nil
        let tb = lb == nil ? packTyped(b, rows: k, cols: n, rowStride: bRow, colStride: bCol) : nil
        defer {
            if let ta { CPUAllocator.shared.deallocate(ta, bytes: m * k * MemoryLayout<Complex<T>>.stride) }
            if let tb { CPUAllocator.shared.deallocate(tb, bytes: k * n * MemoryLayout<Complex<T>>.stride) }
        }
        let (transA, lda) = la ?? (Int32(CTorchNoTrans.rawValue), Swift.max(k, 1))
        let (transB, ldb) = lb ?? (Int32(CTorchNoTrans.rawValue), Swift.max(n, 1))
        var one = Complex<T>(1, 0), b0 = Complex<T>(T(beta), 0)
        let order = Int32(CTorchRowMajor.rawValue)
        let ap = UnsafeRawPointer(ta.map { UnsafePointer($0) } ?? a),
            bp = UnsafeRawPointer(tb.map { UnsafePointer($0) } ?? b)
        if T.self == Float.self {
            cblas_cgemm(
                order, transA, transB, Int32(m), Int32(n), Int32(k), &one, ap, Int32(lda), bp, Int32(ldb), &b0, c,
                Int32(Swift.max(cRow, 1)))
        } else {
            cblas_zgemm(
                order, transA, transB, Int32(m), Int32(n), Int32(k), &one, ap, Int32(lda), bp, Int32(ldb), &b0, c,
                Int32(Swift.max(cRow, 1)))
        }
    }
}
