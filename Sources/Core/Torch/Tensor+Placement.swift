import TorchBase

// Copying, filling and reducing values into places, composed from the indexing primitives
// (`indexSelect`, `gather`, `scatter`, `scatterAdd`, `where`), so their gradients come from those:
// repeat_interleave, index_copy, index_fill, masked_scatter, put, scatter_reduce, and the
// flips and copies PyTorch spells separately.

/// How `scatterReduce` combines the values that land on one place (PyTorch's `reduce=`).
public enum ScatterReduction: Sendable {
    /// Their sum.
    case sum
    /// Their product.
    case prod
    /// Their mean (with the original value counted when `includeSelf`).
    case mean
    /// Their maximum.
    case amax
    /// Their minimum.
    case amin
}

extension Tensor {
    /// Each element repeated `repeats` times along `dim` (flattened first when nil)
    /// (`torch.repeat_interleave`).
    ///
    /// ```swift
    /// Tensor([1, 2]).repeatInterleave(2)   // [1, 1, 2, 2]
    /// ```
    public func repeatInterleave(_ repeats: Int, dim: Int? = nil, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if repeats < 0 {
            torchFail("repeat_interleave", "repeats can not be negative", file: file, line: line)
        }
        let size = dim.map { rank == 0 ? 1 : shape[normDim($0, "repeat_interleave", file, line)] } ?? count
        return repeatInterleave(
            Tensor(flat: [Int64](repeating: Int64(repeats), count: size), shape: [size], dtype: .int64), dim: dim,
            file: file, line: line)
    }

    /// Element i repeated `repeats[i]` times along `dim` (flattened first when nil)
    /// (`torch.repeat_interleave` with a tensor of repeats; one repeat count serves every element).
    ///
    /// ```swift
    /// Tensor([1, 2, 3]).repeatInterleave(Tensor([1, 0, 2]))   // [1, 3, 3]
    /// ```
    public func repeatInterleave(_ repeats: Tensor, dim: Int? = nil, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        let x = dim == nil ? reshape([-1]) : (rank == 0 ? reshape([1]) : self)
        let d = dim.map { x.normDim($0, "repeat_interleave", file, line) } ?? 0
        let size = x.shape[d]
        if repeats.rank > 1 {
            torchFail("repeat_interleave", "repeats must be 0-dim or 1-dim tensor", file: file, line: line)
        }
        if repeats.dtype.isFloatingPoint || repeats.dtype == .bool {
            torchFail(
                "repeat_interleave", "repeat_interleave only accept 1D vector as repeat", file: file, line: line)
        }
        var counts = repeats.to(.int64).contiguous().toArray(Int64.self)
        if counts.count == 1 && size != 1 { counts = [Int64](repeating: counts[0], count: size) }
        if counts.count != size {
            torchFail(
                "repeat_interleave",
                "repeats must have the same size as input along dim, but got repeats.size(0) = "
                    + "\(counts.count) and input.size(\(d)) = \(size)", file: file, line: line)
        }
        if counts.contains(where: { $0 < 0 }) {
            torchFail("repeat_interleave", "repeats can not be negative", file: file, line: line)
        }
        var index: [Int64] = []
        for (i, c) in counts.enumerated() { index += [Int64](repeating: Int64(i), count: Int(c)) }
        let idx = Tensor(flat: index, shape: [index.count], dtype: .int64).to(device: device)
        return x.indexSelect(d, idx, file: file, line: line)
    }

    /// `0, 0, 1, 2, 2, …`: each index repeated `repeats[i]` times (`torch.repeat_interleave(repeats)`).
    ///
    /// ```swift
    /// Tensor.repeatInterleave(Tensor([2, 0, 1]))   // [0, 0, 2]
    /// ```
    public static func repeatInterleave(_ repeats: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.arange(repeats.count).repeatInterleave(repeats, dim: 0, file: file, line: line)
    }

    /// The positions of `index` along `dim`, expanded to the shape of `source` (the index of
    /// scatter that copies `source`'s slices to those positions).
    private func slicesIndex(_ d: Int, _ index: Tensor, like source: Tensor) -> Tensor {
        var view = [Int](repeating: 1, count: source.rank)
        view[d] = index.count
        return index.reshape(view).expand(source.shape).contiguous()
    }

    /// A copy with the slices of `source` along `dim` written at positions `index`
    /// (`torch.index_copy`).
    ///
    /// ```swift
    /// Tensor.zeros([3, 2]).indexCopy(0, Tensor([2, 0]), Tensor.ones([2, 2]))
    /// ```
    public func indexCopy(
        _ dim: Int, _ index: Tensor, _ source: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if index.dtype != .int64 {
            torchFail(
                "index_copy", "index_copy_(): Expected a long tensor for index, but got \(index.dtype.pytorchName)",
                file: file, line: line)
        }
        if index.rank > 1 {
            torchFail(
                "index_copy", "index_copy_(): Index should have dimension 1 or 0 (got \(index.rank))",
                file: file, line: line)
        }
        if source.dtype != dtype {
            torchFail(
                "index_copy",
                "index_copy_(): self and source expected to have the same dtype, but got (self) "
                    + "\(dtype.pytorchName) and (source) \(source.dtype.pytorchName)", file: file, line: line)
        }
        let x = rank == 0 ? reshape([1]) : self
        let src = source.rank == 0 ? source.reshape([1]) : source
        let d = x.normDim(dim, "index_copy", file, line)
        let idx = index.reshape([-1])
        if src.rank != x.rank || src.shape[d] != idx.count {
            torchFail(
                "index_copy",
                "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: "
                    + "\(x.shape) at dimension \(d) and source slice shape: \(src.shape) at dimension \(d).",
                file: file, line: line)
        }
        return x.scatter(d, x.slicesIndex(d, idx, like: src), src, file: file, line: line).reshape(shape)
    }

    /// A copy with the slices at positions `index` along `dim` set to `value` (`torch.index_fill`).
    ///
    /// ```swift
    /// Tensor.zeros([2, 3]).indexFill(1, Tensor([0, 2]), -1.0)   // [[-1, 0, -1], [-1, 0, -1]]
    /// ```
    public func indexFill<S: ScalarLike>(
        _ dim: Int, _ index: Tensor, _ value: S, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if index.dtype != .int64 {
            torchFail("index_fill", "index_fill_(): Expected dtype int64 for index.", file: file, line: line)
        }
        let d = rank == 0 ? 0 : normDim(dim, "index_fill", file, line)
        let size = rank == 0 ? 1 : shape[d]
        var flags = [Bool](repeating: false, count: size)
        for i in index.to(.int64).contiguous().toArray(Int64.self) {
            let j = Int(i < 0 ? i + Int64(size) : i)
            if j < 0 || j >= size {
                torchFail(
                    "index_fill", "index \(i) is out of bounds for dimension \(d) with size \(size)", file: file,
                    line: line)
            }
            flags[j] = true
        }
        var view = [Int](repeating: 1, count: rank)
        if rank > 0 { view[d] = size }
        let mask = Tensor(flat: flags, shape: view, dtype: .bool).to(device: device)
        return maskedFill(mask, value, file: file, line: line)
    }

    /// A copy with the elements where `mask` is true replaced, in order, by the first elements of
    /// `source` (`torch.masked_scatter`); `mask` broadcasts to this shape.
    ///
    /// ```swift
    /// Tensor.zeros([3]).maskedScatter(Tensor([true, false, true]), Tensor([1.0, 2.0]))   // [1, 0, 2]
    /// ```
    public func maskedScatter(_ mask: Tensor, _ source: Tensor, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if mask.dtype != .bool {
            torchFail(
                "masked_scatter",
                "masked_scatter_ only supports boolean masks, but got mask with dtype "
                    + "\(mask.dtype.pytorchName)", file: file, line: line)
        }
        if source.dtype != dtype {
            torchFail(
                "masked_scatter",
                "masked_scatter_: expected self and source to have same dtypes but got \(dtype.pytorchName) and "
                    + "\(source.dtype.pytorchName)", file: file, line: line)
        }
        let m = mask.expand(shape).contiguous()
        let flags = m.toArray(Bool.self)
        let needed = flags.filter { $0 }.count
        if needed > source.count {
            torchFail(
                "masked_scatter",
                "masked_scatter: expected source to have at least \(needed) elements, got "
                    + "\(source.count)", file: file, line: line)
        }
        // Element k of the flattened result reads source[rank of k among the true places].
        var order = [Int64](repeating: 0, count: flags.count)
        var next: Int64 = 0
        for (k, f) in flags.enumerated() where f {
            order[k] = next
            next += 1
        }
        let picks = Tensor(flat: order, shape: shape, dtype: .int64).to(device: device)
        let taken = source.reshape([-1]).take(picks, file: file, line: line)
        return Tensor.where(m, taken, self)
    }

    /// A copy with `source`'s values written at the flat positions `index` (as if this tensor were
    /// 1-D), or added there when `accumulate` (`torch.put`).
    ///
    /// ```swift
    /// Tensor.zeros([2, 2]).put(Tensor([0, 3]), Tensor([1.0, 2.0]))   // [[1, 0], [0, 2]]
    /// ```
    public func put(
        _ index: Tensor, _ source: Tensor, accumulate: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if index.dtype != .int64 {
            torchFail(
                "put", "put_(): Expected a long tensor for index, but got \(index.dtype.pytorchName)",
                file: file, line: line)
        }
        if index.count != source.count {
            torchFail(
                "put",
                "put_(): Expected source and index to have the same number of elements, but got "
                    + "source.numel() = \(source.count), index.numel() = \(index.count)", file: file, line: line)
        }
        let n = count
        let wrapped = index.reshape([-1]).to(.int64).contiguous().toArray(Int64.self).map { i -> Int64 in
            let j = i < 0 ? i + Int64(n) : i
            if j < 0 || j >= Int64(n) {
                torchFail(
                    "put", "out of range: tried to access index \(i) on a tensor of \(n) elements.", file: file,
                    line: line)
            }
            return j
        }
        let idx = Tensor(flat: wrapped, shape: [wrapped.count], dtype: .int64).to(device: device)
        let flat = reshape([-1]), src = source.reshape([-1]).to(dtype)
        let out =
            accumulate
            ? flat.scatterAdd(0, idx, src, file: file, line: line) : flat.scatter(0, idx, src, file: file, line: line)
        return out.reshape(shape)
    }

    /// A copy of `narrow` (`torch.narrow_copy`): the slice `start..<start+length` of `dim`.
    ///
    /// ```swift
    /// Tensor.arange(5).narrowCopy(0, start: 1, length: 2)   // [1, 2]
    /// ```
    public func narrowCopy(_ dim: Int, start: Int, length: Int, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        narrow(dim, start: start, length: length, file: file, line: line).clone()
    }

    /// The columns reversed (dim 1; `torch.fliplr`); at least 2-D.
    ///
    /// ```swift
    /// Tensor([[1, 2]]).fliplr()   // [[2, 1]]
    /// ```
    public func fliplr(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank < 2 { torchFail("fliplr", "Input must be >= 2-d.", file: file, line: line) }
        return flip([1], file: file, line: line)
    }
    /// The rows reversed (dim 0; `torch.flipud`); at least 1-D.
    ///
    /// ```swift
    /// Tensor([[1], [2]]).flipud()   // [[2], [1]]
    /// ```
    public func flipud(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank < 1 { torchFail("flipud", "Input must be >= 1-d.", file: file, line: line) }
        return flip([0], file: file, line: line)
    }

    /// A copy with `src`'s values combined into the places `index` names along `dim`, by
    /// `reduce`, with this tensor's own values counted when `includeSelf` (`torch.scatter_reduce`).
    /// Differentiable for `.sum` and `.mean`.
    ///
    /// ```swift
    /// Tensor.zeros([2]).scatterReduce(0, Tensor([0, 0, 1]), Tensor([1.0, 3.0, 5.0]), reduce: .amax)   // [3, 5]
    /// ```
    public func scatterReduce(
        _ dim: Int, _ index: Tensor, _ src: Tensor, reduce: ScatterReduction, includeSelf: Bool = true,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if Tracing.isOn {
            let attrs: [(String, TraceAttribute)] = [
                ("dim", .int(dim)), ("reduce", .string("\(reduce)")), ("include_self", .bool(includeSelf)),
            ]
            return Tracing.record1("scatterReduce", [self, index, src], attrs, file: file, line: line) {
                $0[0].scatterReduce(dim, $0[1], $0[2], reduce: reduce, includeSelf: includeSelf, file: file, line: line)
            }
        }
        if src.dtype != dtype {
            torchFail(
                "scatter_reduce", "scatter(): Expected self.dtype to be equal to src.dtype", file: file, line: line)
        }
        switch reduce {
        case .sum:
            let base = includeSelf ? self : scatter(dim, index, Tensor.zerosLike(src), file: file, line: line)
            return base.scatterAdd(dim, index, src, file: file, line: line)
        case .mean:
            let base = includeSelf ? self : scatter(dim, index, Tensor.zerosLike(src), file: file, line: line)
            let sums = base.scatterAdd(dim, index, src, file: file, line: line)
            let ones = Tensor.onesLike(src, dtype: dtype)
            let start =
                includeSelf
                ? Tensor.onesLike(self, dtype: dtype)
                : Tensor.onesLike(self, dtype: dtype)
                    .scatter(dim, index, Tensor.zerosLike(src), file: file, line: line)
            var counts = start.scatterAdd(dim, index, ones, file: file, line: line)
            counts = Tensor.where(counts .== 0, Tensor.onesLike(counts), counts)
            return dtype.isFloatingPoint ? sums / counts : sums.div(counts, roundingMode: .floor)
        case .prod, .amax, .amin:
            let result = scatterCombine(dim, index, src, reduce, includeSelf: includeSelf, file: file, line: line)
            guard Tensor.shouldRecord([self, src]) else { return result }
            let d = rank == 0 ? 0 : normDim(dim, "scatter_reduce", file, line)
            return Tensor.recorded(
                .scatterReduce, [self, src], save: [self, src], saveOutput: true, file: file, line: line,
                output: result
            ) { node, g in
                let (x, s, out) = (node.savedTensor(0), node.savedTensor(1), node.savedTensor(2))
                let (gx, gs) = Tensor.scatterReduceBackward(
                    g, x, d, index, s, reduce, includeSelf: includeSelf, result: out, file: file, line: line)
                return [gx, gs]
            }
        }
    }

    /// PyTorch's gradients of scatter_reduce's prod, amax and amin: the product without each
    /// factor (zeros handled apart), or the gradient shared evenly among the values that attain
    /// the extremum.
    static func scatterReduceBackward(
        _ g: Tensor, _ x: Tensor, _ d: Int, _ index: Tensor, _ src: Tensor, _ reduce: ScatterReduction,
        includeSelf: Bool, result: Tensor, file: StaticString, line: UInt
    ) -> (Tensor, Tensor) {
        var gx: Tensor, gs: Tensor
        let zero = Tensor.scalar(0.0, dtype: x.dtype)
        if reduce == .prod {
            let maskedSelf = Tensor.where(x.eq(zero), Tensor.onesLike(x), x)
            let maskedSelfResult = maskedSelf.scatterReduce(
                d, index, src, reduce: .prod, includeSelf: includeSelf, file: file, line: line)
            gx = g * maskedSelfResult / maskedSelf
            let srcZero = src.eq(zero)
            let zeros = Tensor.zerosLike(x).scatterAdd(d, index, srcZero.to(x.dtype), file: file, line: line)
                .gather(d, index, file: file, line: line)
            let singleZero = srcZero.logicalAnd(zeros.eq(Tensor.scalar(1.0, dtype: x.dtype)))
            let maskedSrc = Tensor.where(singleZero, Tensor.onesLike(src), src)
            let maskedSrcResult = x.scatterReduce(
                d, index, maskedSrc, reduce: .prod, includeSelf: includeSelf, file: file, line: line)
            let divisor = Tensor.where(srcZero, Tensor.onesLike(src), src)
            gs = Tensor.where(
                singleZero, (g * maskedSrcResult).gather(d, index, file: file, line: line),
                (g * result).gather(d, index, file: file, line: line) / divisor)
        } else {
            let value = result.gather(d, index, file: file, line: line)
            let selfIsResult = x.eq(result).to(x.dtype), srcIsResult = src.eq(value).to(x.dtype)
            let share = selfIsResult.scatterAdd(d, index, srcIsResult, file: file, line: line)
            let distributed = g / share
            gx = selfIsResult * distributed
            gs = srcIsResult * distributed.gather(d, index, file: file, line: line)
        }
        if !includeSelf { gx = gx.scatter(d, index, Tensor.zerosLike(src), file: file, line: line) }
        return (gx, gs)
    }

    /// A copy with `source`'s slices combined into the slices `index` names along `dim`, by
    /// `reduce` (.prod, .mean, .amax or .amin), this tensor's own values counted when
    /// `includeSelf` (`torch.index_reduce`). Differentiable.
    ///
    /// ```swift
    /// Tensor.ones([3]).indexReduce(0, Tensor([0, 0]), Tensor([2.0, 5.0]), reduce: .amax)   // [5, 1, 1]
    /// ```
    public func indexReduce(
        _ dim: Int, _ index: Tensor, _ source: Tensor, reduce: ScatterReduction, includeSelf: Bool = true,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let op = "index_reduce"
        if reduce == .sum {
            torchFail(
                op, "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got sum.", file: file,
                line: line)
        }
        if index.rank > 1 {
            torchFail(
                op,
                "index_reduce_(): Index is supposed to be a vector, but got dim: \(index.rank) with type: "
                    + "\(index.dtype.pytorchName) and size: \(index.shape)", file: file, line: line)
        }
        if index.dtype != .int64 && index.dtype != .int32 {
            torchFail(
                op, "index_reduce_(): Expected a long or int tensor for index, but got \(index.dtype.pytorchName)",
                file: file, line: line)
        }
        let d = rank == 0 ? 0 : normDim(dim, op, file, line)
        var expected = shape
        if rank > 0 { expected[d] = source.rank > d ? source.shape[d] : -1 }
        if source.rank != rank || Array(source.shape) != expected {
            torchFail(
                op,
                "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = "
                    + "\(shape) source.shape = \(source.shape)", file: file, line: line)
        }
        let sliceCount = rank == 0 ? 1 : source.shape[d]
        if index.count != sliceCount {
            torchFail(
                op,
                "index_reduce_(): Number of indices (\(index.count)) should be equal to source.size(dim): "
                    + "(\(sliceCount)), for dim: \(dim)", file: file, line: line)
        }
        if source.dtype != dtype {
            torchFail(
                op,
                "index_reduce_(): self (\(dtype.pytorchName)) and source (\(source.dtype.pytorchName)) must have the "
                    + "same scalar type", file: file, line: line)
        }
        let size = rank == 0 ? 1 : shape[d]
        let picks = index.reshape([-1]).to(.int64).contiguous().toArray(Int64.self)
        for i in picks where i < 0 || i >= Int64(size) {
            torchFail(op, "index out of range in self", file: file, line: line)
        }
        if rank == 0 {
            return reshape([1]).indexReduce(
                0, index.reshape([1]), source.reshape([1]), reduce: reduce, includeSelf: includeSelf, file: file,
                line: line
            ).reshape([])
        }
        // index_reduce is scatter_reduce with the index spread over the source's other dimensions.
        var view = [Int](repeating: 1, count: rank)
        view[d] = index.count
        let spread = index.reshape(view).to(.int64).expand(source.shape).contiguous()
        return scatterReduce(d, spread, source, reduce: reduce, includeSelf: includeSelf, file: file, line: line)
    }

    /// `indexReduce` in place (`Tensor.index_reduce_`).
    ///
    /// ```swift
    /// x.indexReduce_(0, idx, src, reduce: .prod)
    /// ```
    @discardableResult
    public func indexReduce_(
        _ dim: Int, _ index: Tensor, _ source: Tensor, reduce: ScatterReduction, includeSelf: Bool = true,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        // The backward reads the old values: reduce a copy of them (PyTorch saves `original_self`).
        let old = Tensor.shouldRecord(self, source) ? clone() : self
        return copy_(
            old.indexReduce(dim, index, source, reduce: reduce, includeSelf: includeSelf, file: file, line: line),
            file: file, line: line)
    }

    /// `put` in place (`Tensor.put_`): `source`'s values written (or added, when `accumulate`) at
    /// the flat positions `index`.
    ///
    /// ```swift
    /// x.put_(Tensor([0, 3]), Tensor([1.0, 2.0]))
    /// ```
    @discardableResult
    public func put_(
        _ index: Tensor, _ source: Tensor, accumulate: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        copy_(put(index, source, accumulate: accumulate, file: file, line: line), file: file, line: line)
    }

    /// prod/amax/amin of `scatterReduce`, on host copies in float64 or int64.
    private func scatterCombine(
        _ dim: Int, _ index: Tensor, _ src: Tensor, _ reduce: ScatterReduction, includeSelf: Bool,
        file: StaticString, line: UInt
    ) -> Tensor {
        let d = rank == 0 ? 0 : normDim(dim, "scatter_reduce", file, line)
        // Validate through gather's checks (same shape rules), then walk the index.
        _ = gather(d, index, file: file, line: line)
        let idxShape = index.shape
        let idx = index.contiguous().toArray(Int64.self)
        let strides = Layout(shape: shape).strides, srcStrides = Layout(shape: src.shape).strides
        let idxStrides = Layout(shape: idxShape).strides
        // The destination and source offsets of each index element.
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(idx.count)
        for k in 0..<idx.count {
            var rest = k, destination = 0, from = 0
            for axis in 0..<idxShape.count {
                let c = rest / idxStrides[axis]
                rest %= idxStrides[axis]
                from += c * srcStrides[axis]
                destination += (axis == d ? Int(idx[k] < 0 ? idx[k] + Int64(shape[d]) : idx[k]) : c) * strides[axis]
            }
            pairs.append((destination, from))
        }
        func combine<T>(_ out: inout [T], _ values: [T], _ f: (T, T) -> T) {
            var touched = [Bool](repeating: false, count: out.count)
            for (destination, from) in pairs {
                out[destination] =
                    !includeSelf && !touched[destination] ? values[from] : f(out[destination], values[from])
                touched[destination] = true
            }
        }
        if dtype.isFloatingPoint {
            var out = to(.float64).contiguous().toArray(Double.self)
            let values = src.to(.float64).contiguous().toArray(Double.self)
            switch reduce {
            case .prod: combine(&out, values) { $0 * $1 }
            case .amax: combine(&out, values) { ($0.isNaN || $1.isNaN) ? .nan : Swift.max($0, $1) }
            default: combine(&out, values) { ($0.isNaN || $1.isNaN) ? .nan : Swift.min($0, $1) }
            }
            return Tensor(flat: out, shape: shape, dtype: .float64).to(dtype).to(device: device)
        }
        var out = to(.int64).contiguous().toArray(Int64.self)
        let values = src.to(.int64).contiguous().toArray(Int64.self)
        switch reduce {
        case .prod: combine(&out, values) { $0 &* $1 }
        case .amax: combine(&out, values) { Swift.max($0, $1) }
        default: combine(&out, values) { Swift.min($0, $1) }
        }
        return Tensor(flat: out, shape: shape, dtype: .int64).to(dtype).to(device: device)
    }
}
