import TorchBase

// Reductions and scans composed from the reduction, element-wise and structural primitives
// (their gradients come from those): NaN-ignoring sums and means, counts, min-and-max,
// variance/std with the mean, msort, and the running log-sum-exp, max and min.

extension Tensor {
    /// The sum over `dims` treating NaN as zero (`torch.nansum`).
    ///
    /// ```swift
    /// Tensor([1.0, .nan, 2.0]).nansum()   // 3.0
    /// ```
    public func nansum(
        dims: [Int]? = nil, keepdim: Bool = false, dtype: DType? = nil, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let x = self.dtype.isFloatingPoint ? Tensor.where(isnan(), 0.0, self) : self
        return x.sum(dims: dims, keepdim: keepdim, dtype: dtype, file: file, line: line)
    }
    /// The mean over `dims` of the non-NaN elements (`torch.nanmean`); floating dtypes only.
    ///
    /// ```swift
    /// Tensor([1.0, .nan, 2.0]).nanmean()   // 1.5
    /// ```
    public func nanmean(dims: [Int]? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if !dtype.isFloatingPoint {
            torchFail(
                "nanmean",
                "nanmean(): expected input to have floating point or complex dtype but got \(dtype.pytorchName)",
                file: file, line: line)
        }
        let count = isnan().logicalNot().sum(dims: dims, keepdim: keepdim, file: file, line: line)
        return nansum(dims: dims, keepdim: keepdim, file: file, line: line) / count.to(dtype)
    }
    /// The number of non-zero elements over `dims` (all when nil), as int64 (`torch.count_nonzero`).
    ///
    /// ```swift
    /// Tensor([[0, 1], [2, 0]]).countNonzero(dims: [0])   // [1, 1]
    /// ```
    public func countNonzero(dims: [Int]? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        ne(Tensor.zeros([], dtype: dtype, device: device)).sum(dims: dims, file: file, line: line)
    }
    /// The minimum and maximum over `dim` (all elements when nil) in one call (`torch.aminmax`).
    ///
    /// ```swift
    /// let (lo, hi) = x.aminmax(dim: 1)
    /// ```
    public func aminmax(dim: Int? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> (min: Tensor, max: Tensor)
    {
        if count == 0 && (dim == nil || rank == 0) {
            torchFail(
                "aminmax",
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.",
                file: file, line: line)
        }
        let dims = dim.map { [$0] }
        return (
            amin(dims: dims, keepdim: keepdim, file: file, line: line),
            amax(dims: dims, keepdim: keepdim, file: file, line: line)
        )
    }
    /// The variance and the mean over `dims` (`torch.var_mean`).
    ///
    /// ```swift
    /// let (v, m) = x.varMean(dims: [0])
    /// ```
    public func varMean(
        dims: [Int]? = nil, correction: Int = 1, keepdim: Bool = false, file: StaticString = #fileID,
        line: UInt = #line
    ) -> (variance: Tensor, mean: Tensor) {
        let v = variance(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
        return (v, welfordMean(v, dims: dims, keepdim: keepdim, file: file, line: line))
    }
    /// The standard deviation and the mean over `dims` (`torch.std_mean`).
    ///
    /// ```swift
    /// let (s, m) = x.stdMean(dims: [0], correction: 0)
    /// ```
    public func stdMean(
        dims: [Int]? = nil, correction: Int = 1, keepdim: Bool = false, file: StaticString = #fileID,
        line: UInt = #line
    ) -> (std: Tensor, mean: Tensor) {
        let v = variance(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
        let s = std(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
        return (s, welfordMean(v, dims: dims, keepdim: keepdim, file: file, line: line))
    }

    /// The mean as PyTorch's one-pass (Welford) `var_mean` reports it: an infinite mean of two or
    /// more elements whose variance is NaN (an infinity met mid-way) is NaN there.
    private func welfordMean(_ v: Tensor, dims: [Int]?, keepdim: Bool, file: StaticString, line: UInt) -> Tensor {
        let m = mean(dims: dims, keepdim: keepdim, file: file, line: line)
        let reduced = (dims ?? Array(0..<rank)).reduce(1) {
            $0 * (rank == 0 ? 1 : shape[normDim($1, "var_mean", file, line)])
        }
        if reduced < 2 { return m }
        return Tensor.where(v.isnan() & m.isinf(), Double.nan, m)
    }
    /// The values sorted along the first dimension (`torch.msort`).
    ///
    /// ```swift
    /// Tensor([[3, 1], [2, 4]]).msort()   // [[2, 1], [3, 4]]
    /// ```
    public func msort(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        sort(dim: 0, file: file, line: line).values
    }

    /// log Σⱼ≤ᵢ exp(xⱼ) along `dim`, as a running `logaddexp` so that small early terms are not
    /// lost to a later maximum (`torch.logcumsumexp`); floating dtypes only.
    ///
    /// ```swift
    /// Tensor([0.0, 0.0]).logcumsumexp(dim: 0)   // [0.0, 0.6931]
    /// ```
    public func logcumsumexp(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if !dtype.isFloatingPoint {
            torchFail(
                "logcumsumexp", "\"logcumsumexp_out_cpu\" not implemented for '\(dtype.pytorchName)'", file: file,
                line: line)
        }
        // float16/bfloat16 accumulate in float32 and round each output once, as PyTorch.
        let r = to(dtype.computeType).runningScan(dim, "logcumsumexp", file: file, line: line) { $0.logaddexp($1) }
        return r.to(dtype)
    }
    /// The running maximum along `dim` and the index where each was taken (the later one on ties;
    /// NaN, once met, stays), as `torch.cummax`.
    ///
    /// ```swift
    /// let (values, indices) = Tensor([1, 3, 2]).cummax(dim: 0)   // [1, 3, 3], [0, 1, 1]
    /// ```
    public func cummax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> (values: Tensor, indices: Tensor)
    {
        runningExtremum(dim, "cummax", file: file, line: line) { v, acc in v .>= acc }
    }
    /// The running minimum along `dim` and the index where each was taken, as `torch.cummin`.
    ///
    /// ```swift
    /// let (values, indices) = Tensor([3, 1, 2]).cummin(dim: 0)   // [3, 1, 1], [0, 1, 1]
    /// ```
    public func cummin(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> (values: Tensor, indices: Tensor)
    {
        runningExtremum(dim, "cummin", file: file, line: line) { v, acc in v .<= acc }
    }

    /// Slices along `dim` combined left to right with `step`, stacked back.
    private func runningScan(
        _ dim: Int, _ op: String, file: StaticString, line: UInt, _ step: (Tensor, Tensor) -> Tensor
    ) -> Tensor {
        if rank == 0 { return clone() }
        let d = normDim(dim, op, file, line)
        if shape[d] == 0 { return clone() }
        var acc = select(d, 0)
        var out = [acc]
        for i in 1..<shape[d] {
            acc = step(acc, select(d, i))
            out.append(acc)
        }
        return Tensor.stack(out, dim: d, file: file, line: line)
    }

    /// The running extremum: the slice replaces the running value where `takes` holds, or where it
    /// is NaN while the running value is not.
    private func runningExtremum(
        _ dim: Int, _ op: String, file: StaticString, line: UInt, _ takes: (Tensor, Tensor) -> Tensor
    ) -> (values: Tensor, indices: Tensor) {
        if rank == 0 { return (clone(), Tensor.zeros([], dtype: .int64, device: device)) }
        let d = normDim(dim, op, file, line)
        if shape[d] == 0 { return (clone(), Tensor.zeros(shape, dtype: .int64, device: device)) }
        var value = select(d, 0)
        var index = Tensor.zeros(value.shape, dtype: .int64, device: device)
        var values = [value], indices = [index]
        let float = dtype.isFloatingPoint
        for i in 1..<shape[d] {
            let v = select(d, i)
            var take = takes(v, value)
            if float { take = (take | v.isnan()) & value.isnan().logicalNot() }
            value = Tensor.where(take, v, value)
            index = Tensor.where(take, Tensor.scalar(Int64(i), dtype: .int64), index)
            values.append(value)
            indices.append(index)
        }
        return (
            Tensor.stack(values, dim: d, file: file, line: line), Tensor.stack(indices, dim: d, file: file, line: line)
        )
    }
}
