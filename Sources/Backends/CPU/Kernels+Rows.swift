import TorchBase

/// Kernels over the last dimension of a contiguous `[rows, n]` block: arg-reductions, scans, sorts.
extension CPUKernels {
    /// Max or min of each row with the index of its first occurrence (NaN wins, as in PyTorch).
    public static func argReduce(
        isMax: Bool, src: KernelOperand, rows: Int, n: Int,
        values: KernelOperand?, indices: UnsafeMutablePointer<Int64>
    ) {
        src.dtype.dispatchNative(ArgVisitor(isMax: isMax, src: src, rows: rows, n: n, values: values, indices: indices))
    }

    struct ArgVisitor: KernelVisitor {
        let isMax: Bool, src: KernelOperand, rows: Int, n: Int, values: KernelOperand?
        let indices: UnsafeMutablePointer<Int64>
        func visitNative<T: NativeScalar>(_: T.Type) {
            let sp = src.pointer(T.self)
            let vp = values?.pointer(T.self)
            let isMax = self.isMax, n = self.n, indices = self.indices
            Parallel.forRange(rows, grain: Swift.max(1, 4096 / Swift.max(n, 1))) { r in
                for row in r {
                    let p = sp + row * n
                    var best = p[0], bi = 0
                    if !best.isNaNValue {
                        for i in 1..<Swift.max(n, 1) {
                            let v = p[i]
                            if v.isNaNValue { best = v; bi = i; break }
                            if isMax ? (v > best) : (v < best) { best = v; bi = i }
                        }
                    }
                    indices[row] = Int64(bi)
                    vp?[row] = best
                }
            }
        }
    }

    /// Inclusive prefix sums (or products) along each row, `out` contiguous like `src`.
    public static func scan(isProduct: Bool, src: KernelOperand, out: KernelOperand, rows: Int, n: Int) {
        src.dtype.dispatchNative(ScanVisitor(isProduct: isProduct, src: src, out: out, rows: rows, n: n))
    }

    struct ScanVisitor: KernelVisitor {
        let isProduct: Bool, src: KernelOperand, out: KernelOperand, rows: Int, n: Int
        func visitNative<T: NativeScalar>(_: T.Type) {
            let sp = src.pointer(T.self), op = out.pointer(T.self)
            let isProduct = self.isProduct, n = self.n
            Parallel.forRange(rows, grain: Swift.max(1, 4096 / Swift.max(n, 1))) { r in
                for row in r {
                    var acc = isProduct ? T.oneValue : T.zeroValue
                    for i in 0..<n {
                        acc = isProduct ? T.mul(acc, sp[row * n + i]) : T.add(acc, sp[row * n + i])
                        op[row * n + i] = acc
                    }
                }
            }
        }
    }

    /// Stable sort of each row; writes sorted values and the permutation. NaN sorts as largest.
    public static func sortRows(
        src: KernelOperand, values: KernelOperand, indices: UnsafeMutablePointer<Int64>,
        rows: Int, n: Int, descending: Bool
    ) {
        if n >= radixThreshold && n <= Int(UInt32.max) {
            radixSortRows(src: src, values: values, indices: indices, rows: rows, n: n, descending: descending)
            return
        }
        src.dtype.dispatchNative(
            SortVisitor(src: src, values: values, indices: indices, rows: rows, n: n, descending: descending))
    }

    struct SortVisitor: KernelVisitor {
        let src: KernelOperand, values: KernelOperand, indices: UnsafeMutablePointer<Int64>
        let rows: Int, n: Int, descending: Bool
        func visitNative<T: NativeScalar>(_: T.Type) {
            let sp = src.pointer(T.self), vp = values.pointer(T.self)
            let n = self.n, descending = self.descending, indices = self.indices
            Parallel.forRange(rows, grain: 1) { r in
                var perm = [Int](repeating: 0, count: n)
                for row in r {
                    let p = sp + row * n
                    for i in 0..<n { perm[i] = i }
                    // NaN is treated as larger than every number; ties keep their order.
                    func less(_ i: Int, _ j: Int) -> Bool {
                        let a = p[i], b = p[j]
                        if a.isNaNValue || b.isNaNValue {
                            if a.isNaNValue && b.isNaNValue { return i < j }
                            return descending ? a.isNaNValue : b.isNaNValue
                        }
                        if a == b { return i < j }
                        return descending ? a > b : a < b
                    }
                    perm.sort(by: less)
                    for i in 0..<n {
                        indices[row * n + i] = Int64(perm[i])
                        vp[row * n + i] = p[perm[i]]
                    }
                }
            }
        }
    }
}
