import TorchBase

/// Iterates `k` operands of one shape in row-major order, handing the kernel one innermost
/// row at a time: the element offset of each operand at the row's start, the row length and the
/// operands' inner strides. Dimensions of size 1 are dropped and adjacent dimensions that are
/// contiguous for every operand are merged first (PyTorch's TensorIterator does the same), so a
/// contiguous or broadcast-scalar operand reaches the kernel as one long row.
@usableFromInline struct StridedLoop {
    @usableFromInline let k: Int
    @usableFromInline let shape: [Int]  // coalesced, outermost first; never empty
    @usableFromInline let strides: [Int]  // strides[d * k + j] for operand j
    @usableFromInline let bases: [Int]  // operand offsets
    @usableFromInline let count: Int

    @usableFromInline init(shape: [Int], operands: [Layout]) {
        let k = operands.count
        self.k = k
        var sh: [Int] = []
        var st: [Int] = []
        sh.reserveCapacity(shape.count)
        for d in 0..<shape.count where shape[d] != 1 {
            let canMerge =
                !sh.isEmpty
                && operands.indices.allSatisfy { j in
                    st[(sh.count - 1) * k + j] == operands[j].strides[d] * shape[d]
                }
            if canMerge {
                sh[sh.count - 1] *= shape[d]
                for j in 0..<k { st[(sh.count - 1) * k + j] = operands[j].strides[d] }
            } else {
                sh.append(shape[d])
                for j in 0..<k { st.append(operands[j].strides[d]) }
            }
        }
        if sh.isEmpty {
            sh = [1]
            st = [Int](repeating: 0, count: k)
        }
        self.shape = sh
        self.strides = st
        self.bases = operands.map { $0.offset }
        self.count = sh.reduce(1, *)
    }

    @inlinable var innerSize: Int { shape[shape.count - 1] }

    @inlinable func innerStride(_ j: Int) -> Int { strides[(shape.count - 1) * k + j] }

    /// Runs `body(offsets, n)` over the rows covering linear positions `range`.
    /// `offsets[j]` is operand j's element offset at the row's first element.
    @inlinable func run(_ range: Range<Int>, _ body: (UnsafeMutablePointer<Int>, Int) -> Void) {
        let rank = shape.count
        let inner = shape[rank - 1]
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank + k) { buf in
            let idx = buf.baseAddress!
            let off = idx + rank
            // Position the counters at range.lowerBound.
            var rem = range.lowerBound
            var d = rank - 1
            while d >= 0 { idx[d] = rem % shape[d]; rem /= shape[d]; d -= 1 }
            for j in 0..<k {
                var o = bases[j]
                for d in 0..<rank { o += idx[d] * strides[d * k + j] }
                off[j] = o
            }
            var pos = range.lowerBound
            while pos < range.upperBound {
                let n = Swift.min(inner - idx[rank - 1], range.upperBound - pos)
                body(off, n)
                pos += n
                // Advance the counters by n (the inner dimension) and carry outward.
                idx[rank - 1] += n
                for j in 0..<k { off[j] += n * strides[(rank - 1) * k + j] }
                var dd = rank - 1
                while dd > 0 && idx[dd] == shape[dd] {
                    idx[dd] = 0
                    for j in 0..<k { off[j] -= shape[dd] * strides[dd * k + j] }
                    dd -= 1
                    idx[dd] += 1
                    for j in 0..<k { off[j] += strides[dd * k + j] }
                }
            }
        }
    }

    /// Runs the whole iteration space, split across cores when large and `parallel` is true.
    @inlinable func forEachRow(parallel: Bool = true, _ body: (UnsafeMutablePointer<Int>, Int) -> Void) {
        if parallel {
            Parallel.forRange(count) { r in run(r, body) }
        } else {
            run(0..<count, body)
        }
    }
}
