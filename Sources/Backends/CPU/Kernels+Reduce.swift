import TorchBase
import _CTorch

@inline(__always) func combine<T: NativeScalar>(_ op: ReduceOp, _ a: T, _ b: T) -> T {
    switch op {
    case .sum: return T.add(a, b)
    case .prod: return T.mul(a, b)
    case .max: return T.maximum(a, b)
    case .min: return T.minimum(a, b)
    case .all: return (a.isNonZero && b.isNonZero) ? T.oneValue : T.zeroValue
    case .any: return (a.isNonZero || b.isNonZero) ? T.oneValue : T.zeroValue
    }
}

@inline(__always) func identity<T: NativeScalar>(_ op: ReduceOp, _: T.Type) -> T {
    switch op {
    case .sum, .any: return T.zeroValue
    case .prod, .all: return T.oneValue
    case .max: return T.lowest
    case .min: return T.highest
    }
}

/// Reduces a strided row; float sums, and float32 maxima and minima, of contiguous rows take the
/// vectorised paths.
@inline(__always) func reduceRow<T: NativeScalar>(_ op: ReduceOp, _ p: UnsafePointer<T>, _ n: Int, _ stride: Int) -> T {
    if (op == .max || op == .min) && stride == 1 && n > 0 && T.self == Float.self {
        let f = UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
        return unsafeBitCast(op == .max ? ctorch_max_f32(f, n) : ctorch_min_f32(f, n), to: T.self)
    }
    if op == .sum && stride == 1 {
        if T.self == Float.self {
            return unsafeBitCast(ctorch_sum_f32(UnsafeRawPointer(p).assumingMemoryBound(to: Float.self), n), to: T.self)
        }
        if T.self == Double.self {
            return unsafeBitCast(
                ctorch_sum_f64(UnsafeRawPointer(p).assumingMemoryBound(to: Double.self), n), to: T.self)
        }
    }
    var acc = identity(op, T.self)
    for i in 0..<n { acc = combine(op, acc, p[i * stride]) }
    return acc
}

extension CPUKernels {
    /// Reduces `src` into `out`, whose layout is `src`'s shape with stride 0 on the reduced
    /// dimensions (a keepdim result broadcast back over them). Both share a native dtype.
    public static func reduce(_ op: ReduceOp, _ out: KernelOperand, _ src: KernelOperand) {
        src.dtype.dispatchNative(ReduceVisitor(op: op, out: out, src: src))
    }

    struct ReduceVisitor: KernelVisitor {
        let op: ReduceOp, out: KernelOperand, src: KernelOperand
        func visitNative<T: NativeScalar>(_: T.Type) {
            let op = self.op
            let sp = src.base.assumingMemoryBound(to: T.self)
            let dp = out.base.assumingMemoryBound(to: T.self)
            let shape = src.layout.shape
            // Whole tensor, contiguous: split across cores, then combine the partial results.
            if out.layout.strides.allSatisfy({ $0 == 0 }) && src.layout.isContiguous {
                let n = src.layout.count
                let base = sp + src.layout.offset
                let chunks = n >= 1 << 16 ? Parallel.threadCount : 1
                if chunks == 1 {
                    dp[out.layout.offset] = reduceRow(op, base, n, 1)
                    return
                }
                var partial = [T](repeating: identity(op, T.self), count: chunks)
                partial.withUnsafeMutableBufferPointer { pb in
                    let pbase = pb.baseAddress!
                    Parallel.forRange(chunks, grain: 1) { r in
                        for c in r {
                            let lo = n * c / chunks, hi = n * (c + 1) / chunks
                            pbase[c] = reduceRow(op, base + lo, hi - lo, 1)
                        }
                    }
                }
                var acc = identity(op, T.self)
                for p in partial { acc = combine(op, acc, p) }
                dp[out.layout.offset] = acc
                return
            }
            let reduced = (0..<shape.count).filter { out.layout.strides[$0] == 0 && shape[$0] != 1 }
            if let (a, r, k) = CPUKernels.middleBlock(src.layout, out.layout, reduced) {
                CPUKernels.reduceMiddle(
                    op, UnsafePointer(sp + src.layout.offset), dp + out.layout.offset, a: a, r: r, k: k)
                return
            }
            // Reduced dimensions innermost in the iteration: one result per row of the reduced block.
            let kept = (0..<shape.count).filter { !reduced.contains($0) }
            let blockShape = reduced.map { shape[$0] }
            let blockStrides = reduced.map { src.layout.strides[$0] }
            let blockLoop = StridedLoop(shape: blockShape, operands: [Layout(shape: blockShape, strides: blockStrides)])
            let outerShape = kept.map { shape[$0] }
            let outerLoop = StridedLoop(
                shape: outerShape,
                operands: [
                    Layout(shape: outerShape, strides: kept.map { src.layout.strides[$0] }, offset: src.layout.offset),
                    Layout(shape: outerShape, strides: kept.map { out.layout.strides[$0] }, offset: out.layout.offset),
                ])
            let innerStride = blockLoop.innerStride(0)
            let rows = outerLoop.count
            Parallel.forRange(rows, grain: Swift.max(1, Parallel.grain / Swift.max(blockLoop.count, 1))) { r in
                outerLoop.run(r) { off, n in
                    let ss = outerLoop.innerStride(0), os = outerLoop.innerStride(1)
                    for i in 0..<n {
                        let s = sp + off[0] + i * ss
                        var acc = identity(op, T.self)
                        blockLoop.run(0..<blockLoop.count) { boff, bn in
                            acc = combine(op, acc, reduceRow(op, s + boff[0], bn, innerStride))
                        }
                        dp[off[1] + i * os] = acc
                    }
                }
            }
        }
    }
}

// Note [Reducing leading dimensions]: a reduction over dimensions that are not innermost (a
// bias gradient: the sum over the rows of a [4096, 1024] gradient) walked one output element at a
// time, a strided column each, which misses the cache on every element (34 ms of a Transformer
// layer's backward). Where the source is contiguous and the reduced dimensions are consecutive,
// the source is an [a, r, k] block and the result [a, k]: rows are combined into a buffer of up to
// 512 columns, a vector operation per row, in groups of 64 rows whose partial results are then
// combined (the rounding error of a sum grows with 64 + r/64 rather than r).
extension CPUKernels {
    /// (a, r, k) when `src` is contiguous, the `reduced` dimensions (sizes > 1) are consecutive with
    /// something kept after them, and `out` holds the kept dimensions contiguously; nil otherwise.
    static func middleBlock(_ src: Layout, _ out: Layout, _ reduced: [Int]) -> (Int, Int, Int)? {
        guard src.isContiguous, let p = reduced.first, let last = reduced.last, last - p + 1 == reduced.count
        else { return nil }
        let shape = src.shape
        let a = shape[..<p].reduce(1, *), r = shape[p...last].reduce(1, *), k = shape[(last + 1)...].reduce(1, *)
        guard k > 1 else { return nil }
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) where !(p...last).contains(d) && shape[d] != 1 {
            if out.strides[d] != expected { return nil }
            expected *= shape[d]
        }
        return (a, r, k)
    }

    /// Combines the r rows of each contiguous [r, k] block of `src` (a blocks) into `dst` [a, k].
    static func reduceMiddle<T: NativeScalar>(
        _ op: ReduceOp, _ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, a: Int, r: Int, k: Int
    ) {
        let width = 512, group = 64
        let perRow = (k + width - 1) / width
        Parallel.forRange(a * perRow, grain: Swift.max(1, Parallel.grain / Swift.max(r * Swift.min(k, width), 1))) {
            tasks in
            withUnsafeTemporaryAllocation(of: T.self, capacity: 2 * width) { buffer in
                let acc = buffer.baseAddress!, part = acc + width
                for task in tasks {
                    let block = task / perRow, k0 = task % perRow * width
                    let len = Swift.min(width, k - k0)
                    acc.update(repeating: identity(op, T.self), count: len)
                    var r0 = 0
                    while r0 < r {
                        let r1 = Swift.min(r, r0 + group)
                        part.update(from: src + (block * r + r0) * k + k0, count: len)
                        for i in (r0 + 1)..<r1 {
                            let row = src + (block * r + i) * k + k0
                            if op == .sum {  // written out, so that the sum's loop vectorises
                                for j in 0..<len { part[j] = T.add(part[j], row[j]) }
                            } else {
                                for j in 0..<len { part[j] = combine(op, part[j], row[j]) }
                            }
                        }
                        for j in 0..<len { acc[j] = combine(op, acc[j], part[j]) }
                        r0 = r1
                    }
                    (dst + block * k + k0).update(from: acc, count: len)
                }
            }
        }
    }
}
