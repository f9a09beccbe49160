import TorchBase

// Order statistics and sets, composed from the stable sort (NaN last) and `gather`, so values
// carry their gradients to the selected elements: median/nanmedian, kthvalue, mode, quantile and
// nanquantile, unique/unique_consecutive, searchsorted/bucketize, bincount and histc. Index
// bookkeeping that no kernel does (run lengths, binary searches) runs on host copies.

/// How `quantile` picks between the two order statistics around a fractional position
/// (PyTorch's `interpolation=`).
public enum QuantileInterpolation: Sendable {
    /// `lower + (upper - lower) · fraction`.
    case linear
    /// The lower one.
    case lower
    /// The upper one.
    case higher
    /// Their average.
    case midpoint
    /// The nearer one (ties to the even position).
    case nearest
}

extension Tensor {
    /// Int64 copies of an integral or bool tensor's elements (contiguous order).
    fileprivate func int64Array() -> [Int64] { to(.int64).contiguous().toArray(Int64.self) }

    /// The lower median of all elements (`torch.median()`); NaN when any element is NaN. Its
    /// gradient is shared evenly by the elements equal to it, as PyTorch's.
    ///
    /// ```swift
    /// Tensor([3.0, 1.0, 2.0, 4.0]).median()   // 2.0
    /// ```
    public func median(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        medianAll(ignoringNaN: false, file: file, line: line)
    }
    /// The lower median of the non-NaN elements (`torch.nanmedian()`); NaN when all are NaN.
    ///
    /// ```swift
    /// Tensor([3.0, .nan, 1.0]).nanmedian()   // 1.0
    /// ```
    public func nanmedian(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        medianAll(ignoringNaN: true, file: file, line: line)
    }
    private func medianAll(ignoringNaN: Bool, file: StaticString, line: UInt) -> Tensor {
        let flat = reshape([-1])
        let n = flat.count
        if dtype == .bool && n > 0 {
            torchFail(
                ignoringNaN ? "nanmedian" : "median", "\"median_cpu\" not implemented for 'Bool'", file: file,
                line: line)
        }
        let value: Tensor
        if n == 0 {
            // PyTorch fills the result with NaN cast to the input's dtype.
            value = Tensor.scalar(Double.nan, dtype: .float64).to(dtype).to(device: device)
        } else {
            let nans = dtype.isFloatingPoint ? Torch.noGrad { flat.isnan().sum().item(Int64.self) } : 0
            let valid = ignoringNaN ? n - Int(nans) : n
            if (!ignoringNaN && nans > 0) || valid == 0 {
                value = Tensor.scalar(Double.nan, dtype: dtype).to(device: device)
            } else {
                value = Torch.noGrad { flat.detach().sortedValues(at: [(valid - 1) / 2]) }.reshape([])
            }
        }
        guard Tensor.shouldRecord(self) else { return value }
        let shape = self.shape
        return Torch.customFunction(
            ignoringNaN ? "Nanmedian" : "Median", [self],
            forward: { ctx, xs in
                ctx.saveForBackward(xs[0])
                return value.clone()
            },
            backward: { ctx, g in
                let x = ctx.savedTensors[0]
                let mask = value.isnan().item(Bool.self) ? x.isnan() : x.eq(value)
                let count = mask.sum().to(g.dtype)
                return [Tensor.where(mask, g / count, Tensor.zeros([], dtype: g.dtype)).reshape(shape)]
            }, file: file, line: line)
    }

    /// The lower median along `dim` and its index (`torch.median(dim:)`); a slice with a NaN gives
    /// NaN and the index of its first NaN.
    ///
    /// ```swift
    /// let (values, indices) = x.median(dim: 1)
    /// ```
    public func median(dim: Int, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> (values: Tensor, indices: Tensor)
    {
        orderStatistic(dim, keepdim: keepdim, "median", file: file, line: line) { valid, n in
            valid < n ? nil : (valid - 1) / 2
        }
    }
    /// The lower median of the non-NaN elements along `dim` and its index (`torch.nanmedian(dim:)`).
    ///
    /// ```swift
    /// let (values, indices) = x.nanmedian(dim: 0)
    /// ```
    public func nanmedian(dim: Int, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> (values: Tensor, indices: Tensor)
    {
        orderStatistic(dim, keepdim: keepdim, "nanmedian", file: file, line: line) { valid, _ in
            valid == 0 ? 0 : (valid - 1) / 2
        }
    }
    /// The `k`-th smallest element (1-based) along `dim` and its index (`torch.kthvalue`); NaN
    /// counts as the largest.
    ///
    /// ```swift
    /// Tensor([3.0, 1.0, 2.0]).kthvalue(2).values   // 2.0
    /// ```
    public func kthvalue(
        _ k: Int, dim: Int = -1, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> (values: Tensor, indices: Tensor) {
        let size = rank == 0 ? 1 : shape[normDim(dim, "kthvalue", file, line)]
        if k < 1 || k > size {
            torchFail(
                "kthvalue", "kthvalue(): selected number k out of range for dimension \(dim)", file: file, line: line)
        }
        return orderStatistic(dim, keepdim: keepdim, "kthvalue", file: file, line: line) { _, _ in k - 1 }
    }

    /// The element of each slice along `dim` at sorted position `pick(nonNaN, n)` (nil: the slice's
    /// first NaN), with its index; values are gathered so that gradients reach the chosen elements.
    private func orderStatistic(
        _ dim: Int, keepdim: Bool, _ op: String, file: StaticString, line: UInt, _ pick: (Int, Int) -> Int?
    ) -> (values: Tensor, indices: Tensor) {
        let x = rank == 0 ? reshape([1]) : self
        let d = x.normDim(dim, op, file, line)
        let n = x.shape[d]
        if n == 0 {
            torchFail(op, "\(op)(): Expected reduction dim \(d) to have non-zero size.", file: file, line: line)
        }
        let moved = x.movedim(d, -1)
        let rows = moved.count / n
        let order = Torch.noGrad { moved.sort(dim: -1, file: file, line: line).indices }.reshape([rows, n]).int64Array()
        var nanFlags = [Bool](repeating: false, count: rows * n)
        if dtype.isFloatingPoint { nanFlags = moved.isnan().reshape([rows, n]).contiguous().toArray(Bool.self) }
        var chosen = [Int64](repeating: 0, count: rows)
        for r in 0..<rows {
            let flags = nanFlags[(r * n)..<(r * n + n)]
            let valid = flags.filter { !$0 }.count
            if let p = pick(valid, n) {
                chosen[r] = order[r * n + Swift.min(p, n - 1)]
            } else {
                chosen[r] = Int64(flags.firstIndex(of: true)! - r * n)
            }
        }
        var keptShape = moved.shape
        keptShape[keptShape.count - 1] = 1
        let index = Tensor(flat: chosen, shape: keptShape, dtype: .int64).to(device: device).movedim(-1, d)
        var values = x.gather(d, index, file: file, line: line)
        var indices = index
        if !keepdim || rank == 0 {
            values = values.squeeze(d)
            indices = indices.squeeze(d)
        }
        if rank == 0 {
            values = values.reshape([])
            indices = indices.reshape([])
        }
        return (values, indices)
    }

    /// The most frequent value along `dim` (the smallest among equally frequent ones) and the last
    /// index where it occurs (`torch.mode`).
    ///
    /// ```swift
    /// Tensor([1.0, 5.0, 3.0, 3.0, 1.0]).mode().values   // 1.0
    /// ```
    public func mode(dim: Int = -1, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> (values: Tensor, indices: Tensor)
    {
        let x = rank == 0 ? reshape([1]) : self
        let d = x.normDim(dim, "mode", file, line)
        let n = x.shape[d]
        if n == 0 {
            torchFail("mode", "mode(): Expected reduction dim \(d) to have non-zero size.", file: file, line: line)
        }
        let moved = x.movedim(d, -1).contiguous()
        let rows = moved.count / n
        let (sortedValues, sortedIndex) = Torch.noGrad { moved.sort(dim: -1, file: file, line: line) }
        // Equal neighbours in sorted order extend a run (NaN never equals, so each NaN is a run).
        let same =
            n > 1
            ? sortedValues.narrow(-1, start: 1, length: n - 1).eq(sortedValues.narrow(-1, start: 0, length: n - 1))
                .reshape([rows, n - 1]).contiguous().toArray(Bool.self) : []
        let order = sortedIndex.reshape([rows, n]).int64Array()
        var chosen = [Int64](repeating: 0, count: rows)
        for r in 0..<rows {
            var best = 0, bestLength = 0, start = 0
            for i in 1...n {
                if i < n && same[r * (n - 1) + i - 1] { continue }
                if i - start > bestLength { (best, bestLength) = (start, i - start) }
                start = i
            }
            // The run's last original index (the sort is stable, so its largest).
            chosen[r] = order[r * n + best + bestLength - 1]
        }
        var keptShape = moved.shape
        keptShape[keptShape.count - 1] = 1
        let index = Tensor(flat: chosen, shape: keptShape, dtype: .int64).to(device: device).movedim(-1, d)
        var values = x.gather(d, index, file: file, line: line), indices = index
        if !keepdim || rank == 0 {
            values = values.squeeze(d)
            indices = indices.squeeze(d)
        }
        if rank == 0 { (values, indices) = (values.reshape([]), indices.reshape([])) }
        return (values, indices)
    }

    /// The `q`-quantiles along `dim` (all elements when nil) by `interpolation`
    /// (`torch.quantile`); a slice with a NaN gives NaN. Several `q` add a leading dimension.
    ///
    /// ```swift
    /// Tensor([1.0, 2.0, 3.0, 4.0]).quantile([0.5])   // [2.5]
    /// ```
    public func quantile(
        _ q: [Double], dim: Int? = nil, keepdim: Bool = false, interpolation: QuantileInterpolation = .linear,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        quantiles(q, dim: dim, keepdim: keepdim, interpolation, ignoringNaN: false, "quantile", file: file, line: line)
    }
    /// One `q`-quantile (`torch.quantile` with a float `q`): no leading dimension.
    ///
    /// ```swift
    /// Tensor([1.0, 2.0, 3.0, 4.0]).quantile(0.25)   // 1.75
    /// ```
    public func quantile(
        _ q: Double, dim: Int? = nil, keepdim: Bool = false, interpolation: QuantileInterpolation = .linear,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        quantiles(
            [q], dim: dim, keepdim: keepdim, interpolation, ignoringNaN: false, scalarQ: true, "quantile", file: file,
            line: line
        )
        .squeeze(0)
    }
    /// The quantiles of the non-NaN elements (`torch.nanquantile`).
    ///
    /// ```swift
    /// Tensor([1.0, .nan, 3.0]).nanquantile([0.5])   // [2.0]
    /// ```
    public func nanquantile(
        _ q: [Double], dim: Int? = nil, keepdim: Bool = false, interpolation: QuantileInterpolation = .linear,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        quantiles(
            q, dim: dim, keepdim: keepdim, interpolation, ignoringNaN: true, "nanquantile", file: file, line: line)
    }
    /// One quantile of the non-NaN elements (`torch.nanquantile` with a float `q`).
    ///
    /// ```swift
    /// Tensor([1.0, .nan, 3.0]).nanquantile(0.5)   // 2.0
    /// ```
    public func nanquantile(
        _ q: Double, dim: Int? = nil, keepdim: Bool = false, interpolation: QuantileInterpolation = .linear,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        quantiles(
            [q], dim: dim, keepdim: keepdim, interpolation, ignoringNaN: true, scalarQ: true, "nanquantile", file: file,
            line: line
        )
        .squeeze(0)
    }

    private func quantiles(
        _ q: [Double], dim: Int?, keepdim: Bool, _ interpolation: QuantileInterpolation, ignoringNaN: Bool,
        scalarQ: Bool = false, _ op: String, file: StaticString, line: UInt
    ) -> Tensor {
        // PyTorch's checks in its order, all worded "quantile()": a float q's range first.
        if scalarQ, let v = q.first, !(v >= 0 && v <= 1) {
            let shown = v == v.rounded() && Swift.abs(v) < 1e15 ? "\(Int(v))" : "\(v)"
            torchFail(op, "quantile() q must be in the range [0, 1] but got \(shown)", file: file, line: line)
        }
        if count == 0 { torchFail(op, "quantile() input tensor must be non-empty", file: file, line: line) }
        if dtype != .float32 && dtype != .float64 {
            torchFail(op, "quantile() input tensor must be either float or double dtype", file: file, line: line)
        }
        for v in q where !(v >= 0 && v <= 1) {
            torchFail(op, "quantile() q values must be in the range [0, 1]", file: file, line: line)
        }
        // The slices as rows of a [rows, n] matrix, sorted (NaN last).
        let x: Tensor, d: Int
        if let dim {
            x = rank == 0 ? reshape([1]) : self
            d = x.normDim(dim, op, file, line)
        } else {
            x = reshape([-1])
            d = 0
        }
        let n = x.shape[d]
        if n == 0 { torchFail(op, "quantile() input tensor must be non-empty", file: file, line: line) }
        let moved = x.movedim(d, -1)
        let rows = moved.count / n
        // Selection gives the values at row-independent positions without sorting (no gradient);
        // otherwise the rows are sorted and the positions gathered.
        let selecting = !Tensor.shouldRecord(self) && (!ignoringNaN || rows == 1)
        let sorted =
            selecting
            ? moved.reshape([rows, n]) : moved.reshape([rows, n]).sort(dim: -1, file: file, line: line).values
        let nanCounts = Torch.noGrad { sorted.isnan().sum(dims: [1]) }.int64Array()
        var lowIndex: [Int64] = [], highIndex: [Int64] = [], weights: [Double] = [], isNaN: [Bool] = []
        for v in q {
            for r in 0..<rows {
                let valid = n - Int(nanCounts[r])
                let empty = ignoringNaN ? valid == 0 : nanCounts[r] > 0
                let count = ignoringNaN ? valid : n
                let position = v * Double(Swift.max(count - 1, 0))
                var low = position.rounded(.down), high = position.rounded(.up)
                switch interpolation {
                case .lower: high = low
                case .higher: low = high
                case .nearest:
                    low = position.rounded(.toNearestOrEven)
                    high = low
                case .linear, .midpoint: break
                }
                lowIndex.append(Int64(empty ? 0 : low))
                highIndex.append(Int64(empty ? 0 : high))
                weights.append(interpolation == .midpoint ? 0.5 : position - position.rounded(.down))
                isNaN.append(empty)
            }
        }
        let k = q.count
        let lo: Tensor, hi: Tensor
        if selecting {
            // Every row that is not NaN has the same positions here (row r's entries are at
            // q·rows + r); a NaN row's result is replaced below.
            var reference: [Int] = []
            var positions = Set<Int>()
            for j in 0..<k {
                let r0: Int = (0..<rows).first { !isNaN[j * rows + $0] } ?? 0
                reference.append(r0)
                positions.insert(Int(lowIndex[j * rows + r0]))
                positions.insert(Int(highIndex[j * rows + r0]))
            }
            let wanted: [Int] = positions.sorted()
            var column: [Int: Int64] = [:]
            for (c, position) in wanted.enumerated() { column[position] = Int64(c) }
            let picked = sorted.sortedValues(at: wanted).t().unsqueeze(-1)
            func take(_ index: [Int64]) -> Tensor {
                let columns: [Int64] = (0..<k).map { column[Int(index[$0 * rows + reference[$0]])]! }
                return picked.indexSelect(0, Tensor(flat: columns, shape: [k], dtype: .int64).to(device: device))
            }
            (lo, hi) = (take(lowIndex), take(highIndex))
        } else {
            let expanded = sorted.unsqueeze(0).expand([k, rows, n])
            lo = expanded.gather(2, Tensor(flat: lowIndex, shape: [k, rows, 1], dtype: .int64).to(device: device))
            hi = expanded.gather(2, Tensor(flat: highIndex, shape: [k, rows, 1], dtype: .int64).to(device: device))
        }
        var result: Tensor
        switch interpolation {
        case .lower, .higher, .nearest: result = lo
        case .linear, .midpoint:
            let w = Tensor(flat: weights, shape: [k, rows, 1], dtype: dtype).to(device: device)
            // PyTorch's lerp: from the nearer end, so that weight 1 gives `hi` exactly.
            result = Tensor.where(w .< 0.5, lo + w * (hi - lo), hi - (hi - lo) * (1 - w))
        }
        let nanMask = Tensor(flat: isNaN, shape: [k, rows, 1], dtype: .bool).to(device: device)
        result = Tensor.where(nanMask, Double.nan, result)
        // Back to the slice's shape: the reduced dim is 1 (kept) or gone.
        var outShape = moved.shape
        outShape[outShape.count - 1] = 1
        result = result.reshape([k] + outShape).movedim(-1, d + 1)
        if dim == nil {
            return keepdim ? result.reshape([k] + [Int](repeating: 1, count: rank)) : result.reshape([k])
        }
        return keepdim ? result : result.squeeze(d + 1)
    }
}

/// Which end of a run of equal boundaries `searchsorted` returns (PyTorch's `side=`).
public enum SearchSide: String, Sendable {
    /// Before the equal elements (the default).
    case left
    /// After them (`right=True`).
    case right
}

extension Tensor {
    /// The sorted distinct elements (`torch.unique` with `sorted=True`), with, when asked, each
    /// element's position in them (`inverse`, this tensor's shape) and how often each occurs
    /// (`counts`). NaNs are each distinct, as PyTorch's.
    ///
    /// ```swift
    /// let (values, inverse, counts) = Tensor([3, 1, 3]).unique(returnInverse: true, returnCounts: true)
    /// // [1, 3], [1, 0, 1], [1, 2]
    /// ```
    public func unique(
        returnInverse: Bool = false, returnCounts: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> (values: Tensor, inverse: Tensor?, counts: Tensor?) {
        let flat = reshape([-1]).detach()
        let (sorted, order) = flat.sort(dim: 0, file: file, line: line)
        let r = runs(of: sorted, file: file, line: line)
        let values = sorted.indexSelect(0, Tensor(flat: r.starts, shape: [r.starts.count], dtype: .int64))
        var inverse: Tensor? = nil
        if returnInverse {
            var ids = [Int64](repeating: 0, count: flat.count)
            let o = order.int64Array()
            for (k, id) in r.runIds.enumerated() { ids[Int(o[k])] = id }
            inverse = Tensor(flat: ids, shape: shape, dtype: .int64).to(device: device)
        }
        let counts = returnCounts ? Tensor(flat: r.lengths, shape: [r.lengths.count], dtype: .int64) : nil
        return (values, inverse, counts?.to(device: device))
    }

    /// The first element of each run of equal consecutive elements (`torch.unique_consecutive`),
    /// flattened, with each element's run (`inverse`) and the runs' lengths (`counts`).
    ///
    /// ```swift
    /// Tensor([1, 1, 2, 1]).uniqueConsecutive().values   // [1, 2, 1]
    /// ```
    public func uniqueConsecutive(
        returnInverse: Bool = false, returnCounts: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> (values: Tensor, inverse: Tensor?, counts: Tensor?) {
        let flat = reshape([-1]).detach()
        let r = runs(of: flat, file: file, line: line)
        let values = flat.indexSelect(0, Tensor(flat: r.starts, shape: [r.starts.count], dtype: .int64))
        let inverse = returnInverse ? Tensor(flat: r.runIds, shape: shape, dtype: .int64).to(device: device) : nil
        let counts = returnCounts ? Tensor(flat: r.lengths, shape: [r.lengths.count], dtype: .int64) : nil
        return (values, inverse, counts?.to(device: device))
    }

    /// The values at sorted positions `positions` (NaN last) of each row of the last dimension,
    /// [.., positions.count], by selection rather than a full sort (`Backend.selectRows`).
    func sortedValues(at positions: [Int]) -> Tensor {
        let n = shape[rank - 1]
        let rowsShape = Array(shape.dropLast())
        let src = to(dtype.computeType).contiguous()
        let out = Tensor(uninitialized: rowsShape + [positions.count], dtype: src.dtype, device: device)
        let rows = rowsShape.reduce(1, *)
        if rows > 0 && !positions.isEmpty {
            Kernels.selectRows(src.operand, out.operand, rows: rows, n: n, positions: positions, device)
        }
        return out.to(dtype)
    }

    /// The runs of equal neighbours of a 1-D tensor: each run's start, length, and each element's run.
    private func runs(of flat: Tensor, file: StaticString, line: UInt) -> (
        starts: [Int64], lengths: [Int64], runIds: [Int64]
    ) {
        let n = flat.count
        if n == 0 { return ([], [], []) }
        let same =
            n > 1
            ? flat.narrow(0, start: 1, length: n - 1).eq(flat.narrow(0, start: 0, length: n - 1)).contiguous()
                .toArray(Bool.self) : []
        var starts: [Int64] = [0], lengths: [Int64] = [], ids = [Int64](repeating: 0, count: n)
        for i in 1..<Swift.max(n, 1) where !same[i - 1] {
            lengths.append(Int64(i) - starts.last!)
            starts.append(Int64(i))
        }
        lengths.append(Int64(n) - starts.last!)
        var run: Int64 = 0
        for i in 0..<n {
            if i > 0 && !same[i - 1] { run += 1 }
            ids[i] = run
        }
        return (starts, lengths, ids)
    }

    /// For each of `values`, the index where it would be inserted into the last dimension of
    /// this sorted tensor to keep it sorted (`torch.searchsorted`): before equal elements, or after
    /// them when `right`. A 1-D sequence serves every value; otherwise the leading dimensions match.
    ///
    /// ```swift
    /// Tensor([1, 3, 5]).searchsorted(Tensor([3, 6]))   // [1, 3]
    /// ```
    public func searchsorted(
        _ values: Tensor, right: Bool = false, side: SearchSide? = nil, sorter: Tensor? = nil, outInt32: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if let side, right && side == .left {
            torchFail(
                "searchsorted",
                "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True",
                file: file, line: line)
        }
        if let sorter {
            if sorter.dtype != .int64 {
                torchFail(
                    "searchsorted",
                    "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype \(sorter.dtype.pytorchName)",
                    file: file, line: line)
            }
            if sorter.shape != shape {
                torchFail(
                    "searchsorted",
                    "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor "
                        + "\(shape)and got sorter tensor \(sorter.shape)", file: file, line: line)
            }
            let n = Int64(shape.last ?? 0)
            if sorter.int64Array().contains(where: { $0 < 0 || $0 >= n }) {
                torchFail("searchsorted", "torch.searchsorted(): sorter index out of range", file: file, line: line)
            }
            return gather(-1, sorter, file: file, line: line).searchsorted(
                values, right: right || side == .right, outInt32: outInt32, file: file, line: line)
        }
        let right = right || side == .right
        if rank == 0 {
            torchFail(
                "searchsorted",
                "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                    + "dimension", file: file, line: line)
        }
        if rank > 1 && (values.rank != rank || Array(values.shape.dropLast()) != Array(shape.dropLast())) {
            torchFail(
                "searchsorted",
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                    + "boundaries tensor and input value tensor must match, but we got boundaries tensor "
                    + "\(shape) and input value tensor \(values.shape)", file: file, line: line)
        }
        let common = Tensor.commonType(self, values)
        let n = shape[rank - 1]
        let rows = rank == 1 ? 1 : count / Swift.max(n, 1)
        let perRow = rank == 1 ? values.count : values.shape.last ?? 1
        var out = [Int64](repeating: 0, count: values.count)
        func search<T: Comparable>(_ b: [T], _ v: [T], _ nan: (T) -> Bool) {
            for r in 0..<(rank == 1 ? 1 : rows) {
                let base = rank == 1 ? 0 : r * n
                let vs = rank == 1 ? 0..<v.count : (r * perRow)..<(r * perRow + perRow)
                for i in vs {
                    var lo = 0, hi = n
                    let x = v[i]
                    while lo < hi {
                        let mid = lo + (hi - lo) / 2
                        let b0 = b[base + mid]
                        // PyTorch's comparisons: a NaN value goes past every boundary.
                        let goRight = nan(x) || (right ? !(b0 > x) : !(b0 >= x))
                        if goRight { lo = mid + 1 } else { hi = mid }
                    }
                    out[i] = Int64(lo)
                }
            }
        }
        if common.isFloatingPoint {
            let b = to(.float64).contiguous().toArray(Double.self),
                v = values.to(.float64).contiguous().toArray(Double.self)
            search(b, v) { $0.isNaN }
        } else {
            search(int64Array(), values.int64Array()) { _ in false }
        }
        let result = Tensor(flat: out, shape: values.shape, dtype: .int64).to(device: values.device)
        return outInt32 ? result.to(.int32) : result
    }

    /// The index of the bucket of each element among sorted 1-D `boundaries` (`torch.bucketize`):
    /// `boundaries[i-1] < x <= boundaries[i]`, or `boundaries[i-1] <= x < boundaries[i]` when `right`.
    ///
    /// ```swift
    /// Tensor([1, 4, 6]).bucketize(Tensor([2, 4, 6]))   // [0, 1, 2]
    /// ```
    public func bucketize(
        _ boundaries: Tensor, right: Bool = false, outInt32: Bool = false, file: StaticString = #fileID,
        line: UInt = #line
    ) -> Tensor {
        if boundaries.rank != 1 {
            torchFail(
                "bucketize", "boundaries tensor must be 1 dimension, but got dim(\(boundaries.rank))", file: file,
                line: line)
        }
        return boundaries.searchsorted(self, right: right, outInt32: outInt32, file: file, line: line)
    }

    /// How often each non-negative integer occurs in this 1-D tensor (`torch.bincount`), or the
    /// sum of `weights` at its occurrences; at least `minlength` bins.
    ///
    /// ```swift
    /// Tensor([0, 2, 2]).bincount()   // [1, 0, 2]
    /// ```
    public func bincount(
        weights: Tensor? = nil, minlength: Int = 0, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if rank != 1 || dtype.isFloatingPoint || dtype == .bool {
            torchFail("bincount", "bincount only supports 1-d non-negative integral inputs.", file: file, line: line)
        }
        if minlength < 0 { torchFail("bincount", "minlength should be >= 0", file: file, line: line) }
        let xs = int64Array()
        if xs.contains(where: { $0 < 0 }) {
            torchFail("bincount", "bincount only supports 1-d non-negative integral inputs.", file: file, line: line)
        }
        if let weights, weights.rank != 1 || weights.count != count {
            torchFail(
                "bincount", "weights should be 1-d and have the same length as input", file: file, line: line)
        }
        let bins = Swift.max(Int(xs.max().map { $0 + 1 } ?? 0), minlength)
        // An empty input counts nothing: int64 zeros whatever the weights (PyTorch).
        if xs.isEmpty { return Tensor.zeros([minlength], dtype: .int64, device: device) }
        let index = Tensor(flat: xs, shape: [xs.count], dtype: .int64).to(device: device)
        guard let weights else {
            let ones = Tensor.ones([xs.count], dtype: .int64, device: device)
            return Tensor.zeros([bins], dtype: .int64, device: device).indexAdd(0, index, ones)
        }
        let outType: DType = weights.dtype == .float32 ? .float32 : .float64
        return Tensor.zeros([bins], dtype: outType, device: device).indexAdd(0, index, weights.to(outType))
    }

    /// A histogram of `bins` equal-width bins over [min, max] (`torch.histc`); with min == max the
    /// data's own range is used; elements outside are ignored, the maximum falls in the last bin.
    ///
    /// ```swift
    /// Tensor([1.0, 2.0, 1.0]).histc(bins: 4, min: 0, max: 3)   // [0, 2, 1, 0]
    /// ```
    public func histc(
        bins: Int = 100, min lo: Double = 0, max hi: Double = 0, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if !dtype.isFloatingPoint {
            torchFail("histc", "\"histogram_cpu\" not implemented for '\(dtype.pytorchName)'", file: file, line: line)
        }
        if bins <= 0 { torchFail("histc", "torch.histc(): bins must be > 0, but got \(bins)", file: file, line: line) }
        let xs = to(.float64).contiguous().toArray(Double.self)
        var (a, b) = (lo, hi)
        if a == b && !xs.isEmpty {
            let hasNaN = xs.contains { $0.isNaN }
            a = hasNaN ? .nan : xs.min()!
            b = hasNaN ? .nan : xs.max()!
        }
        if a == b {
            a -= 1
            b += 1
        }
        if !a.isFinite || !b.isFinite {
            torchFail(
                "histc", "torch.histc(): range of [\(a), \(b)] is not finite", file: file, line: line)
        }
        if a > b { torchFail("histc", "torch.histc(): max must be larger than min", file: file, line: line) }
        var counts = [Double](repeating: 0, count: bins)
        for x in xs where x >= a && x <= b {
            // PyTorch's position; its product overflows for near-overflow ranges, so then divide first.
            var t = (x - a) * Double(bins) / (b - a)
            if !t.isFinite { t = (x - a) / (b - a) * Double(bins) }
            let k = Swift.min(Swift.max(Int(t), 0), bins - 1)
            counts[k] += 1
        }
        return Tensor(flat: counts, shape: [bins], dtype: dtype).to(device: device)
    }
}
