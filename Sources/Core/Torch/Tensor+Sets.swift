import TorchBase

// Unique slices along a dimension, combinations of a vector's elements and histograms with their
// bin edges: host-side index work over the values, then gathers (so `combinations` is
// differentiable through `indexSelect`).

extension Tensor {
    /// The distinct slices along `dim`, sorted lexicographically (`torch.unique(dim=)`), with each
    /// slice's position among them (`inverse`, [size of dim]) and how often each occurs (`counts`).
    ///
    /// ```swift
    /// Tensor([[1, 2], [1, 2], [0, 5]]).unique(dim: 0).values   // [[0, 5], [1, 2]]
    /// ```
    public func unique(
        dim: Int, returnInverse: Bool = false, returnCounts: Bool = false, file: StaticString = #fileID,
        line: UInt = #line
    ) -> (values: Tensor, inverse: Tensor?, counts: Tensor?) {
        uniqueSlices(dim: dim, consecutive: false, returnInverse, returnCounts, "unique", file: file, line: line)
    }

    /// The first slice of each run of equal consecutive slices along `dim`
    /// (`torch.unique_consecutive(dim=)`), with each slice's run and the runs' lengths.
    ///
    /// ```swift
    /// Tensor([[1, 2], [1, 2], [0, 5]]).uniqueConsecutive(dim: 0).values   // [[1, 2], [0, 5]]
    /// ```
    public func uniqueConsecutive(
        dim: Int, returnInverse: Bool = false, returnCounts: Bool = false, file: StaticString = #fileID,
        line: UInt = #line
    ) -> (values: Tensor, inverse: Tensor?, counts: Tensor?) {
        uniqueSlices(
            dim: dim, consecutive: true, returnInverse, returnCounts, "unique_consecutive", file: file, line: line)
    }

    private func uniqueSlices(
        dim: Int, consecutive: Bool, _ returnInverse: Bool, _ returnCounts: Bool, _ op: String,
        file: StaticString, line: UInt
    ) -> (values: Tensor, inverse: Tensor?, counts: Tensor?) {
        let d = normDim(dim, op, file, line)
        let n = shape[d]
        let moved = detach().movedim(d, 0).contiguous()
        let width = n == 0 ? 0 : count / n
        if width == 0 && n > 0 {
            torchFail(
                op, "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied",
                file: file, line: line)
        }
        // Each slice as a row of values: the order (lexicographic, stable), then runs of equal rows.
        func groups<T: Comparable>(_ v: [T]) -> (order: [Int], same: (Int, Int) -> Bool) {
            func row(_ i: Int) -> ArraySlice<T> { v[(i * width)..<((i + 1) * width)] }
            let same: (Int, Int) -> Bool = { row($0) == row($1) }
            if consecutive { return (Array(0..<n), same) }
            let order = Array(0..<n).sorted { a, b in
                let (ra, rb) = (row(a), row(b))
                return ra.lexicographicallyPrecedes(rb) || (ra == rb && a < b)
            }
            return (order, same)
        }
        let (order, same) =
            dtype.isFloatingPoint
            ? groups(moved.to(.float64).toArray(Double.self)) : groups(moved.to(.int64).toArray(Int64.self))
        var firsts: [Int64] = [], counts: [Int64] = [], inverse = [Int64](repeating: 0, count: n)
        for (k, i) in order.enumerated() {
            if k == 0 || !same(order[k - 1], i) {
                firsts.append(Int64(i))
                counts.append(0)
            }
            counts[counts.count - 1] += 1
            inverse[i] = Int64(firsts.count - 1)
        }
        let picks = Tensor(flat: firsts, shape: [firsts.count], dtype: .int64).to(device: device)
        let values = moved.indexSelect(0, picks).movedim(0, d)
        let inv = returnInverse ? Tensor(flat: inverse, shape: [n], dtype: .int64).to(device: device) : nil
        let cnt = returnCounts ? Tensor(flat: counts, shape: [counts.count], dtype: .int64).to(device: device) : nil
        return (values, inv, cnt)
    }

    /// The length-`r` combinations of this 1-D tensor's elements, in order, as rows
    /// (`torch.combinations`; `withReplacement` lets an element repeat). Differentiable.
    ///
    /// ```swift
    /// Tensor([1, 2, 3]).combinations()   // [[1, 2], [1, 3], [2, 3]]
    /// ```
    public func combinations(
        r: Int = 2, withReplacement: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if rank != 1 {
            torchFail("combinations", "Expect a 1D vector, but got shape \(shape)", file: file, line: line)
        }
        if r < 0 { torchFail("combinations", "Expect a non-negative number, but got \(r)", file: file, line: line) }
        if r == 0 { return Tensor.zeros([0], dtype: dtype, device: device) }
        let n = shape[0]
        var rows: [Int64] = []
        var current = [Int](repeating: 0, count: r)
        func fill(_ position: Int, _ start: Int) {
            if position == r {
                rows.append(contentsOf: current.map { Int64($0) })
                return
            }
            var i = start
            while i < n {
                current[position] = i
                fill(position + 1, withReplacement ? i : i + 1)
                i += 1
            }
        }
        fill(0, 0)
        let count = rows.count / r
        let index = Tensor(flat: rows, shape: [rows.count], dtype: .int64).to(device: device)
        return indexSelect(0, index, file: file, line: line).reshape([count, r])
    }
}

/// What `Tensor.histogram` bins by (PyTorch's `bins=`): a count of equal-width bins over a range,
/// or explicit, increasing bin edges.
public enum HistogramBins {
    /// `count` equal bins over `range` (the data's min and max when nil).
    case count(Int, range: (Double, Double)? = nil)
    /// These edges (a 1-D increasing tensor of the input's dtype).
    case edges(Tensor)
}

extension Tensor {
    /// A histogram of the elements (`torch.histogram`) and its bin edges: each element in bin i when
    /// edges[i] ≤ x < edges[i+1] (the last bin includes its right edge); elements outside, and NaNs,
    /// are ignored. `weight` adds its value instead of 1; `density` divides by the total and the
    /// bin widths.
    ///
    /// ```swift
    /// let (hist, edges) = Tensor([1.0, 2.0, 1.0, 4.0]).histogram(.count(3))
    /// // hist [2, 1, 1], edges [1, 2, 3, 4]
    /// ```
    public func histogram(
        _ bins: HistogramBins, weight: Tensor? = nil, density: Bool = false, file: StaticString = #fileID,
        line: UInt = #line
    ) -> (hist: Tensor, binEdges: Tensor) {
        if !dtype.isFloatingPoint || dtype.computeType != dtype {
            torchFail("histogram", "\"histogramdd\" not implemented for '\(dtype.pytorchName)'", file: file, line: line)
        }
        if let weight, weight.shape != shape {
            torchFail(
                "histogram",
                "torch.histogramdd: if weight tensor is provided, it should have the same shape as the input tensor "
                    + "excluding its innermost dimension, but got input with shape \(shape) and weight with shape "
                    + "\(weight.shape)", file: file, line: line)
        }
        let xs = detach().to(.float64).contiguous().toArray(Double.self)
        var edges: Tensor
        switch bins {
        case .count(let k, let range):
            if k <= 0 {
                torchFail(
                    "histogram", "torch.histogram(): bins must be > 0, but got \(k) for dimension 0", file: file,
                    line: line)
            }
            let finite = xs.filter { !$0.isNaN }
            var (lo, hi) = range ?? (finite.min() ?? 0, finite.max() ?? 0)
            if range == nil && finite.isEmpty { (lo, hi) = (0, 1) }
            if lo > hi {
                torchFail(
                    "histogram",
                    "torch.histogramdd: min should not exceed max, but got min \(shortNumber(lo)) max "
                        + "\(shortNumber(hi)) for dimension 0", file: file, line: line)
            }
            if !lo.isFinite || !hi.isFinite {
                torchFail(
                    "histogram",
                    "torch.histogramdd: dimension 0's range [\(shortNumber(lo)), \(shortNumber(hi))] is not finite",
                    file: file, line: line)
            }
            if lo == hi {
                lo -= 0.5
                hi += 0.5
            }
            edges = Tensor.linspace(lo, hi, steps: k + 1, dtype: dtype).to(device: device)
        case .edges(let e):
            if e.rank != 1 || e.count < 2 {
                torchFail(
                    "histogram",
                    "torch.histogramdd(): bins tensor should have one dimension and at least 2 elements, but got "
                        + "\(e.rank) dimensions and \(e.count) elements", file: file, line: line)
            }
            edges = e.detach()
        }
        let e = edges.to(.float64).contiguous().toArray(Double.self)
        let nb = e.count - 1
        let ws = weight.map { $0.detach().to(.float64).contiguous().toArray(Double.self) }
        var hist = [Double](repeating: 0, count: nb)
        for (i, x) in xs.enumerated() where x >= e[0] && x <= e[nb] {
            // The last edge not above x (binary search), the right end folded into the last bin.
            var lo = 0, hi = nb
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if e[mid] <= x { lo = mid } else { hi = mid - 1 }
            }
            hist[Swift.min(lo, nb - 1)] += ws?[i] ?? 1
        }
        if density {
            let total = hist.reduce(0, +)
            for i in 0..<nb { hist[i] /= total * (e[i + 1] - e[i]) }
        }
        return (Tensor(flat: hist, shape: [nb], dtype: dtype).to(device: device), edges)
    }
}

/// A number as C++'s stream writes a whole or infinite one in PyTorch's messages ("3", "inf").
private func shortNumber(_ x: Double) -> String {
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded() && Swift.abs(x) < 1e15 { return "\(Int(x))" }
    return "\(x)"
}
