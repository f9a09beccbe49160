import TorchBase

/// One entry of a subscript: PyTorch's integer, slice, `...`, `None` and tensor indices.
///
/// ```swift
/// x[0]                       // select
/// x[1..<3, .ellipsis]        // slice, ellipsis
/// x[.all, .newAxis, -1]      // full slice, new axis, negative index
/// x[.slice(0, nil, step: 2)] // strided (also `stride(from: 0, to: 8, by: 2)`)
/// x[mask]                    // boolean mask; x[idx] with an int64 tensor: advanced indexing
/// ```
public enum TensorIndex {
    case index(Int)
    case slice(Int?, Int?, step: Int)
    case ellipsis
    case newAxis
    case tensor(Tensor)

    /// The whole dimension (`:` in Python).
    public static var all: TensorIndex { .slice(nil, nil, step: 1) }
    /// The elements `start..<end` with step 1 (either bound nil: open). `x[.slice(1, nil)]`
    public static func slice(_ start: Int?, _ end: Int?) -> TensorIndex { .slice(start, end, step: 1) }
}

/// Anything that can stand in a tensor subscript.
public protocol TensorIndexConvertible { var tensorIndex: TensorIndex { get } }

extension TensorIndex: TensorIndexConvertible { public var tensorIndex: TensorIndex { self } }

/// The `.all` and `.slice` spellings where a subscript mixes them with
/// ranges and integers (`x[..<n, .all]`): the subscript takes `any TensorIndexConvertible`, whose
/// implicit members these are.
public struct TensorIndexSpec: TensorIndexConvertible {
    public let tensorIndex: TensorIndex
}

extension TensorIndexConvertible where Self == TensorIndexSpec {
    /// The whole dimension (`:`).
    public static var all: TensorIndexSpec { TensorIndexSpec(tensorIndex: TensorIndex.slice(nil, nil, step: 1)) }
    /// `start:end:step` (nil bounds open). `x[0, .slice(1, nil, step: 2)]`
    public static func slice(_ start: Int?, _ end: Int?, step: Int = 1) -> TensorIndexSpec {
        TensorIndexSpec(tensorIndex: TensorIndex.slice(start, end, step: step))
    }
}
extension Int: TensorIndexConvertible { public var tensorIndex: TensorIndex { .index(self) } }
extension Range: TensorIndexConvertible where Bound == Int {
    /// `a..<b` selects `a` up to `b`.
    public var tensorIndex: TensorIndex { .slice(lowerBound, upperBound, step: 1) }
}
extension ClosedRange: TensorIndexConvertible where Bound == Int {
    /// `a...b` selects `a` through `b` (`...-1`: to the end).
    public var tensorIndex: TensorIndex { .slice(lowerBound, upperBound == -1 ? nil : upperBound + 1, step: 1) }
}
extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    /// `a...` selects from `a` to the end.
    public var tensorIndex: TensorIndex { .slice(lowerBound, nil, step: 1) }
}
extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    /// `..<b` selects up to `b`.
    public var tensorIndex: TensorIndex { .slice(nil, upperBound, step: 1) }
}
extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    /// `...b` selects through `b`.
    public var tensorIndex: TensorIndex { .slice(nil, upperBound == -1 ? nil : upperBound + 1, step: 1) }
}
extension Tensor: TensorIndexConvertible { public var tensorIndex: TensorIndex { .tensor(self) } }
extension StrideTo: TensorIndexConvertible where Element == Int {
    /// `stride(from:to:by:)` as a strided slice (its fields read through reflection; indexing is not a hot path).
    public var tensorIndex: TensorIndex {
        var start = 0, end = 0, step = 1
        for child in Mirror(reflecting: self).children {
            switch child.label {
            case "_start", "from": start = child.value as? Int ?? 0
            case "_end", "to": end = child.value as? Int ?? 0
            case "_stride", "by": step = child.value as? Int ?? 1
            default: break
            }
        }
        return .slice(start, end, step: step)
    }
}

extension Tensor {
    /// Basic and advanced indexing. Basic indices give a view; tensor indices copy (NumPy rules).
    public subscript(_ indices: TensorIndexConvertible..., file file: StaticString = #fileID, line line: UInt = #line)
        -> Tensor
    {
        get { index(indices.map { $0.tensorIndex }, file: file, line: line) }
        set { indexPut(indices.map { $0.tensorIndex }, newValue, file: file, line: line) }
    }

    /// Indexing with a list built at run time.
    public subscript(_ indices: [TensorIndexConvertible], file file: StaticString = #fileID, line line: UInt = #line)
        -> Tensor
    {
        get { index(indices.map { $0.tensorIndex }, file: file, line: line) }
        set { indexPut(indices.map { $0.tensorIndex }, newValue, file: file, line: line) }
    }

    /// `x[..., i]` style: Swift's `...` (UnboundedRange) first, meaning the whole dimension.
    public subscript(_ r: UnboundedRange, _ rest: TensorIndexConvertible..., file file: StaticString = #fileID,
        line line: UInt = #line
    ) -> Tensor {
        get { index([.all] + rest.map { $0.tensorIndex }, file: file, line: line) }
        set { indexPut([.all] + rest.map { $0.tensorIndex }, newValue, file: file, line: line) }
    }

    /// An index, then a whole dimension, then more: `x[0, ..., 1]`.
    public subscript(_ i0: TensorIndexConvertible, _ r: UnboundedRange, _ rest: TensorIndexConvertible...,
        file file: StaticString = #fileID, line line: UInt = #line
    ) -> Tensor {
        get { index([i0.tensorIndex, .all] + rest.map { $0.tensorIndex }, file: file, line: line) }
        set { indexPut([i0.tensorIndex, .all] + rest.map { $0.tensorIndex }, newValue, file: file, line: line) }
    }

    /// Result of the basic part of an index: the view and the advanced (dim, int64 index) pairs on it.
    func applyBasic(_ indices: [TensorIndex], file: StaticString, line: UInt) -> (Tensor, [(Int, Tensor)]) {
        var consumed = 0
        var ellipses = 0
        for i in indices {
            switch i {
            case .ellipsis: ellipses += 1
            case .newAxis: break
            case .tensor(let t) where t.dtype == .bool || t.dtype == .uint8: consumed += Swift.max(t.rank, 1)
            default: consumed += 1
            }
        }
        if ellipses > 1 {
            torchFail("index", "an index can only have a single ellipsis ('...')", file: file, line: line)
        }
        if consumed > rank {
            torchFail("index", "too many indices for tensor of dimension \(rank)", file: file, line: line)
        }
        var expanded: [TensorIndex] = []
        for i in indices {
            if case .ellipsis = i {
                expanded += [TensorIndex](repeating: .all, count: rank - consumed)
            } else {
                expanded.append(i)
            }
        }
        var sh = shape, st = strides, off = layout.offset
        var d = 0
        var advanced: [(Int, Tensor)] = []
        for i in expanded {
            switch i {
            case .index(let k):
                let size = sh[d]
                if k < -size || k >= size {
                    torchFail(
                        "index", "index \(k) is out of bounds for dimension \(d) with size \(size)", file: file,
                        line: line)
                }
                off += (k < 0 ? k + size : k) * st[d]
                sh.remove(at: d); st.remove(at: d)
            case let .slice(s0, e0, step):
                if step <= 0 { torchFail("index", "step must be greater than zero", file: file, line: line) }
                let size = sh[d]
                var s = s0 ?? 0, e = e0 ?? size
                if s < 0 { s += size }
                if e < 0 { e += size }
                s = Swift.min(Swift.max(s, 0), size)
                e = Swift.min(Swift.max(e, s), size)
                off += s * st[d]
                sh[d] = (e - s + step - 1) / step
                st[d] *= step
                d += 1
            case .newAxis:
                sh.insert(1, at: d); st.insert(1, at: d)
                d += 1
            case .ellipsis:
                break
            case .tensor(let t):
                if t.dtype == .bool || t.dtype == .uint8 {
                    let k = Swift.max(t.rank, 1)
                    if Array(sh[d..<(d + k)]) != t.shape && t.rank > 0 {
                        torchFail(
                            "index",
                            "The shape of the mask \(t.shape) at index \(d) does not match the shape of the indexed "
                                + "tensor \(Array(sh[d..<(d + k)]))",
                            file: file, line: line)
                    }
                    let nz = t.rank == 0 ? Tensor.zeros([t.item(Bool.self) ? 1 : 0, 1], dtype: .int64) : t.nonzero()
                    if t.rank == 0 {
                        sh.insert(1, at: d); st.insert(0, at: d)
                        advanced.append((d, nz.select(1, 0)))
                        d += 1
                    } else {
                        for j in 0..<k { advanced.append((d + j, nz.select(1, j))) }
                        d += k
                    }
                } else if t.dtype.isFloatingPoint {
                    torchFail(
                        "index", "tensors used as indices must be long, int, byte or bool tensors", file: file,
                        line: line)
                } else {
                    advanced.append((d, t.to(.int64)))
                    d += 1
                }
            }
        }
        return (view(layout: Layout(shape: sh, strides: st, offset: off)), advanced)
    }

    /// Offsets into the storage for an advanced index, in the order [broadcast index dims, rest dims],
    /// and the permutation that puts the result in NumPy's order.
    func advancedPlan(_ view: Tensor, _ adv: [(Int, Tensor)], file: StaticString, line: UInt)
        -> (offsets: [Int], shape: [Int], perm: [Int])
    {
        var bshape: [Int] = adv[0].1.shape
        for (_, t) in adv.dropFirst() {
            bshape = Checks.broadcastShapes(bshape, t.shape).unwrap("index", file: file, line: line)
        }
        let nb = bshape.product
        var boff = [Int](repeating: 0, count: nb)
        for (d, t) in adv {
            let vals = t.expand(bshape).contiguous().toArray(Int64.self)
            let size = view.shape[d], stride = view.strides[d]
            for i in 0..<nb {
                var k = Int(vals[i])
                if k < -size || k >= size {
                    torchFail(
                        "index", "index \(k) is out of bounds for dimension \(d) with size \(size)", file: file,
                        line: line)
                }
                if k < 0 { k += size }
                boff[i] += k * stride
            }
        }
        let advDims = adv.map { $0.0 }
        let rest = (0..<view.rank).filter { !advDims.contains($0) }
        let restLayout = Layout(
            shape: rest.map { view.shape[$0] }, strides: rest.map { view.strides[$0] }, offset: view.layout.offset)
        let roff = restLayout.elementOffsets()
        var offsets = [Int]()
        offsets.reserveCapacity(nb * roff.count)
        for b in boff { for r in roff { offsets.append(b + r) } }
        let sortedAdv = advDims.sorted()
        let adjacent = sortedAdv == advDims && sortedAdv.last! - sortedAdv.first! == advDims.count - 1
        let pre = adjacent ? rest.filter { $0 < advDims[0] }.count : 0
        // Result currently [B, R]; NumPy puts B after the `pre` leading rest dims when adjacent.
        let nB = bshape.count
        let perm = Array(nB..<(nB + pre)) + Array(0..<nB) + Array((nB + pre)..<(nB + rest.count))
        return (offsets, bshape + rest.map { view.shape[$0] }, perm)
    }

    func index(_ indices: [TensorIndex], file: StaticString, line: UInt) -> Tensor {
        if Tensor.shouldRecord(self) {
            // Record the selection as a gather of linear indices (computed on a contiguous stand-in).
            let standIn = linearStandIn
            let (view, adv) = standIn.applyBasic(indices, file: file, line: line)
            if adv.isEmpty { return applyBasic(indices, file: file, line: line).0 }
            let plan = standIn.advancedPlan(view, adv, file: file, line: line)
            return Tensor.gatherLinear(self, plan.offsets, shape: plan.shape, file: file, line: line).permute(plan.perm)
                .contiguous()
        }
        let (view, adv) = applyBasic(indices, file: file, line: line)
        if adv.isEmpty { return view }
        let plan = advancedPlan(view, adv, file: file, line: line)
        let out = Tensor(uninitialized: plan.shape, dtype: dtype, device: device)
        Kernels.gather(out.operand, storageOperand, offsets: plan.offsets, device)
        return out.permute(plan.perm).contiguous()
    }

    /// `value` broadcast to an advanced-indexing plan's result and laid out in the plan's element
    /// order (a view; differentiable).
    static func valuesInPlanOrder(
        _ value: Tensor, _ plan: (offsets: [Int], shape: [Int], perm: [Int]), dtype: DType,
        file: StaticString, line: UInt
    ) -> Tensor {
        let resultShape = plan.perm.map { plan.shape[$0] }
        let b = Checks.broadcastShapes(resultShape, value.shape).unwrap("index_put_", file: file, line: line)
        if b != resultShape {
            torchFail(
                "index_put_",
                "shape mismatch: value tensor of shape \(value.shape) cannot be broadcast to indexing result of "
                    + "shape \(resultShape)",
                file: file, line: line)
        }
        var inverse = [Int](repeating: 0, count: plan.perm.count)
        for (i, p) in plan.perm.enumerated() { inverse[p] = i }
        return value.to(dtype).expand(resultShape).permute(inverse)
    }

    func indexPut(_ indices: [TensorIndex], _ value: Tensor, accumulate: Bool = false, file: StaticString, line: UInt) {
        let (view, adv) = applyBasic(indices, file: file, line: line)
        if adv.isEmpty {
            if accumulate {
                view.binaryInPlace(Pointwise.Add.self, value, file: file, line: line)
            } else {
                view.copy_(value, file: file, line: line)
            }
            return
        }
        if Tensor.shouldRecord(view, value) || (view.viewBase.map(Tensor.shouldRecord) ?? false) {
            // Recorded: the new value is the old one with the indexed elements replaced (or
            // increased), written with differentiable linear gathers and scatters.
            view.rebaseInPlace("index_put_", file: file, line: line) { cur in
                let plan = advancedPlan(cur.linearStandIn, adv, file: file, line: line)
                let ordered = Tensor.valuesInPlanOrder(value, plan, dtype: cur.dtype, file: file, line: line)
                let written = Tensor.scatterAddLinear(ordered, plan.offsets, shape: cur.shape)
                if accumulate { return cur + written }
                let keep = Torch.noGrad {
                    let ones = Tensor.ones(ordered.shape, dtype: cur.dtype, device: cur.device)
                    return (Tensor.scatterAddLinear(ones, plan.offsets, shape: cur.shape) .== 0).to(cur.dtype)
                }
                return cur * keep + written
            }
            return
        }
        if accumulate && dtype.computeType != dtype {
            // float16/bfloat16: accumulate in float32, then write back once.
            let wide = to(dtype.computeType).contiguous().clone()
            wide.indexPut_(indices, value.to(dtype.computeType), accumulate: true, file: file, line: line)
            copy_(wide, file: file, line: line)
            return
        }
        let plan = advancedPlan(view, adv, file: file, line: line)
        let ordered = Tensor.valuesInPlanOrder(value, plan, dtype: dtype, file: file, line: line).contiguous()
        if accumulate {
            let native = dtype.computeType == dtype
            if !native { torchFail("index_put_", "accumulate is not supported for \(dtype)", file: file, line: line) }
        }
        Kernels.scatter(storageOperand, ordered.operand, offsets: plan.offsets, accumulate: accumulate, device)
        bumpVersion()
    }

    /// `self[indices] = values` (or `+=` with `accumulate`), PyTorch's `index_put_`.
    @discardableResult
    public func indexPut_(
        _ indices: [TensorIndexConvertible], _ values: Tensor, accumulate: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if values.dtype != dtype {
            torchFail(
                "index_put_",
                "Index put requires the source and destination dtypes match, got \(dtype.pytorchName) for the "
                    + "destination and \(values.dtype.pytorchName) for the source.",
                file: file, line: line)
        }
        indexPut(indices.map { $0.tensorIndex }, values, accumulate: accumulate, file: file, line: line)
        return self
    }

    /// Indices of the nonzero elements, shape `[n, rank]` (int64).
    public func nonzero() -> Tensor {
        let mask = to(.bool).contiguous().toArray(Bool.self)
        var out: [Int64] = []
        let r = Swift.max(rank, 0)
        for (i, m) in mask.enumerated() where m {
            out += unravelIndex(i, shape).map { Int64($0) }
        }
        let n = r == 0 ? (mask.first == true ? 1 : 0) : out.count / r
        return Tensor(flat: out, shape: [n, r], dtype: .int64).to(device: device)
    }

    /// Elements of the flattened tensor at `index` (result has `index`'s shape).
    public func take(_ index: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        reshape([-1]).index([.tensor(index)], file: file, line: line)
    }

    /// Slices of `dim` at `index` (a 1-D int tensor).
    public func indexSelect(_ dim: Int, _ index: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if index.rank > 1 {
            torchFail("indexSelect", "index_select(): Index is supposed to be a vector", file: file, line: line)
        }
        let d = rank == 0 ? 0 : normDim(dim, "indexSelect", file, line)
        if Tracing.isOn && rank > 0 {
            return Tracing.record1("indexSelect", [self, index], [("dim", .int(d))], file: file, line: line) {
                $0[0].indexSelect(d, $0[1], file: file, line: line)
            }
        }
        if rank == 0 {
            if index.count > 1 {
                torchFail(
                    "indexSelect", "index_select(): Index to scalar can have only 1 value, got \(index.count) value(s)",
                    file: file, line: line)
            }
            return reshape([1]).index([.tensor(index)], file: file, line: line)
        }
        let idx: [TensorIndex] = [TensorIndex](repeating: .all, count: d) + [.tensor(index.reshape([-1]))]
        return self.index(idx, file: file, line: line)
    }

    /// Elements where `mask` (broadcast to this shape) is true, as a 1-D tensor.
    public func maskedSelect(_ mask: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if mask.dtype != .bool {
            torchFail("masked_select", "masked_select: expected BoolTensor for mask", file: file, line: line)
        }
        let shape = Checks.broadcastShapes(self.shape, mask.shape).unwrap("maskedSelect", file: file, line: line)
        if shape.isEmpty {
            // A 0-d selection: as a one-element vector (the result is 1-D either way).
            return reshape([1]).index([.tensor(mask.reshape([1]))], file: file, line: line)
        }
        return expand(shape).index([.tensor(mask.to(.bool).expand(shape))], file: file, line: line)
    }

    /// `value` where `mask` is true, self elsewhere.
    public func maskedFill<S: ScalarLike>(_ mask: Tensor, _ value: S, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if mask.dtype != .bool {
            torchFail(
                "maskedFill", "masked_fill_ only supports boolean masks, but got mask with dtype \(mask.dtype)",
                file: file, line: line)
        }
        Tensor.checkFits(
            value.asDouble, dtype, "masked_fill", integral: !S.dtype.isFloatingPoint, file: file, line: line)
        return Tensor.where(mask, Tensor.scalar(value, dtype: dtype), self, file: file, line: line)
    }

    @discardableResult
    /// Sets the elements where `mask` is true to `value`, in place (`Tensor.masked_fill_`).
    /// `x.maskedFill_(x .< 0, 0)`
    public func maskedFill_<S: ScalarLike>(_ mask: Tensor, _ value: S, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        assignResult(maskedFill(mask, value, file: file, line: line), op: "maskedFill_", file: file, line: line)
        return self
    }

    /// Offsets for gather/scatter along `dim`: for each position p of `index`, the element of
    /// `target` at p with coordinate `dim` replaced by index[p].
    func dimIndexOffsets(_ target: Tensor, _ d: Int, _ index: Tensor, _ op: String, file: StaticString, line: UInt)
        -> [Int]
    {
        if index.rank != target.rank && !(index.rank <= 1 && target.rank <= 1) {
            torchFail(
                op, "Index tensor must have the same number of dimensions as input tensor", file: file, line: line)
        }
        for i in 0..<index.rank where i != d && index.shape[i] > target.shape[i] {
            torchFail(
                op,
                "Size does not match at dimension \(i) expected index \(index.shape) to be smaller than self "
                    + "\(target.shape) apart from dimension \(d)",
                file: file, line: line)
        }
        if index.dtype != .int64 {
            let name = op.hasPrefix("gather") ? "gather" : "scatter"
            torchFail(op, "\(name)(): Expected dtype int64 for index", file: file, line: line)
        }
        let idx = index.contiguous().toArray(Int64.self)
        let size = target.rank == 0 ? 1 : target.shape[d]
        var offsets = [Int](repeating: 0, count: idx.count)
        for (p, k) in idx.enumerated() {
            // No negative indices here (unlike indexing): PyTorch refuses them.
            if k < 0 || k >= Int64(size) {
                torchFail(
                    op, "index \(k) is out of bounds for dimension \(d) with size \(size)", file: file, line: line)
            }
            var coord = unravelIndex(p, index.shape)
            var o = target.layout.offset
            if target.rank > 0 {
                coord[d] = Int(k < 0 ? k + Int64(size) : k)
                for i in 0..<target.rank { o += coord[i] * target.strides[i] }
            }
            offsets[p] = o
        }
        return offsets
    }

    /// `out[i][j] = self[index[i][j]][j]` for `dim` 0 (and likewise for other dims).
    public func gather(_ dim: Int, _ index: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = rank == 0 ? 0 : normDim(dim, "gather", file, line)
        if Tracing.isOn {
            return Tracing.record1("gather", [self, index], [("dim", .int(d))], file: file, line: line) {
                $0[0].gather(d, $0[1], file: file, line: line)
            }
        }
        if Tensor.shouldRecord(self) {
            let idx = dimIndexOffsets(linearStandIn, d, index, "gather", file: file, line: line)
            return Tensor.gatherLinear(self, idx, shape: index.shape, file: file, line: line)
        }
        let offsets = dimIndexOffsets(self, d, index, "gather", file: file, line: line)
        let out = Tensor(uninitialized: index.shape, dtype: dtype, device: device)
        Kernels.gather(out.operand, storageOperand, offsets: offsets, device)
        return out
    }

    /// In place: `self[index[i][j]][j] = src[i][j]` for `dim` 0.
    @discardableResult
    public func scatter_(_ dim: Int, _ index: Tensor, _ src: Tensor, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        let d = rank == 0 ? 0 : normDim(dim, "scatter_", file, line)
        if src.dtype != dtype {
            torchFail("scatter_", "scatter(): Expected self.dtype to be equal to src.dtype", file: file, line: line)
        }
        let offsets = dimIndexOffsets(self, d, index, "scatter_", file: file, line: line)
        let values = src.to(dtype).contiguousPrefix(index.shape)
        Kernels.scatter(storageOperand, values.operand, offsets: offsets, accumulate: false, device)
        bumpVersion()
        return self
    }

    @discardableResult
    /// Writes `value` at `index` along `dim`, in place (`Tensor.scatter_(dim, index, value)`).
    /// `x.scatter_(1, idx, value: 1)`
    public func scatter_<S: ScalarLike>(
        _ dim: Int, _ index: Tensor, value: S, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        scatter_(dim, index, Tensor.full(index.shape, value, dtype: dtype), file: file, line: line)
    }

    /// A copy with `src` written at `index` along `dim` (`torch.scatter`). `x.scatter(1, idx, src)`
    public func scatter(_ dim: Int, _ index: Tensor, _ src: Tensor, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if Tracing.isOn {
            return Tracing.record1("scatter", [self, index, src], [("dim", .int(dim))], file: file, line: line) {
                $0[0].scatter(dim, $0[1], $0[2], file: file, line: line)
            }
        }
        if Tensor.shouldRecord(self, src) {
            let d = rank == 0 ? 0 : normDim(dim, "scatter", file, line)
            let srcShape = src.shape
            return Tensor.recorded(
                .scatterDim, [self, src], file: file, line: line,
                forward: { clone().scatter_(dim, index, src, file: file, line: line) },
                backward: { node, g in
                    let kept = node.needs(0) ? g * (1 - Tensor.zerosLike(g).scatter_(d, index, value: 1)) : nil
                    let gs = node.needs(1) ? g.gather(d, index).padTo(srcShape) : nil
                    return [kept, gs]
                })
        }
        return clone().scatter_(dim, index, src, file: file, line: line)
    }

    /// In place: `self[index[i][j]][j] += src[i][j]` for `dim` 0.
    @discardableResult
    public func scatterAdd_(
        _ dim: Int, _ index: Tensor, _ src: Tensor, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let d = rank == 0 ? 0 : normDim(dim, "scatterAdd_", file, line)
        if src.dtype != dtype {
            torchFail("scatter_add_", "scatter(): Expected self.dtype to be equal to src.dtype", file: file, line: line)
        }
        let target = dtype.computeType == dtype ? self : to(dtype.computeType)
        let offsets = dimIndexOffsets(target, d, index, "scatterAdd_", file: file, line: line)
        let values = src.to(target.dtype).contiguousPrefix(index.shape)
        Kernels.scatter(target.storageOperand, values.operand, offsets: offsets, accumulate: true, device)
        if target !== self { Kernels.copy(operand, target.operand, device) }
        bumpVersion()
        return self
    }

    /// A copy with `src` added at `index` along `dim` (`torch.scatter_add`). `x.scatterAdd(0, idx, src)`
    public func scatterAdd(_ dim: Int, _ index: Tensor, _ src: Tensor, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if Tracing.isOn {
            return Tracing.record1("scatterAdd", [self, index, src], [("dim", .int(dim))], file: file, line: line) {
                $0[0].scatterAdd(dim, $0[1], $0[2], file: file, line: line)
            }
        }
        if Tensor.shouldRecord(self, src) {
            let d = rank == 0 ? 0 : normDim(dim, "scatterAdd", file, line)
            let srcShape = src.shape
            return Tensor.recorded(
                .scatterAddDim, [self, src], file: file, line: line,
                forward: { clone().scatterAdd_(dim, index, src, file: file, line: line) },
                backward: { node, g in [g, node.needs(1) ? g.gather(d, index).padTo(srcShape) : nil] })
        }
        return clone().scatterAdd_(dim, index, src, file: file, line: line)
    }

    /// In place: adds `alpha * source` slices into the slices of `dim` named by `index`.
    @discardableResult
    public func indexAdd_(
        _ dim: Int, _ index: Tensor, _ source: Tensor, alpha: Double = 1,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let d = rank == 0 ? 0 : normDim(dim, "indexAdd_", file, line)
        if source.dtype != dtype {
            torchFail(
                "index_add_",
                "index_add_(): self (\(dtype.pytorchName)) and source (\(source.dtype.pytorchName)) must have the "
                    + "same scalar type",
                file: file, line: line)
        }
        if index.dtype != .int64 && index.dtype != .int32 {
            torchFail("index_add_", "index_add_(): Expected dtype int32/int64 for index", file: file, line: line)
        }
        if index.count == 0 { return self }
        let size = rank == 0 ? 1 : shape[d]
        // PyTorch checks the range unless a multi-dimensional self is empty.
        if (rank <= 1 || count > 0) && Torch.noGrad({ ((index .< 0) | (index .>= size)).any().item() }) != 0 {
            torchFail("index_add_", "index out of range in self", file: file, line: line)
        }
        if count == 0 { return self }
        let idx: [TensorIndex] = [TensorIndex](repeating: .all, count: d) + [.tensor(index.reshape([-1]))]
        let src = alpha == 1 ? source : source * alpha
        // Advanced indexing puts the index dimension in place when it is the only one.
        indexPut(idx, src, accumulate: true, file: file, line: line)
        return self
    }

    /// A copy with `source`'s slices added at `index` along `dim` (`torch.index_add`). `x.indexAdd(0, idx, rows)`
    public func indexAdd(
        _ dim: Int, _ index: Tensor, _ source: Tensor, alpha: Double = 1,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if Tracing.isOn {
            let attrs: [(String, TraceAttribute)] = [("dim", .int(dim)), ("alpha", .double(alpha))]
            return Tracing.record1("indexAdd", [self, index, source], attrs, file: file, line: line) {
                $0[0].indexAdd(dim, $0[1], $0[2], alpha: alpha, file: file, line: line)
            }
        }
        if source.dtype != dtype {
            torchFail(
                "index_add_",
                "index_add_(): self (\(dtype.pytorchName)) and source (\(source.dtype.pytorchName)) must have the "
                    + "same scalar type",
                file: file, line: line)
        }
        if Tensor.shouldRecord(self, source) {
            // self + (zeros with source's slices added at index): both parts are differentiable.
            let d = rank == 0 ? 0 : normDim(dim, "indexAdd", file, line)
            let standIn = linearStandIn
            let idx: [TensorIndex] = [TensorIndex](repeating: .all, count: d) + [.tensor(index.reshape([-1]))]
            let (view, adv) = standIn.applyBasic(idx, file: file, line: line)
            let plan = standIn.advancedPlan(view, adv, file: file, line: line)
            var inverse = [Int](repeating: 0, count: plan.perm.count)
            for (i, p) in plan.perm.enumerated() { inverse[p] = i }
            let ordered = (alpha == 1 ? source : source * alpha).to(dtype).permute(inverse).contiguous()
            return self + Tensor.scatterAddLinear(ordered, plan.offsets, shape: shape)
        }
        return clone().indexAdd_(dim, index, source, alpha: alpha, file: file, line: line)
    }

    /// Zero-pads this tensor at the end of each dimension up to `target` (for gradients of
    /// ops that read only a leading block of their source).
    func padTo(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        var p: [Int] = []
        for d in (0..<rank).reversed() { p += [0, target[d] - shape[d]] }
        return pad(p)
    }

    /// The leading `shape` block of this tensor (as gather/scatter read `src`), contiguous.
    func contiguousPrefix(_ shape: [Int]) -> Tensor {
        if self.shape == shape { return contiguous() }
        var t = self
        for (d, s) in shape.enumerated() where t.shape[d] != s { t = t.narrow(d, start: 0, length: s) }
        return t.contiguous()
    }
}

// The linear gather and scatter-add primitives, each the other's adjoint: every indexing op
// that selects or writes elements records one of these.
extension Tensor {
    /// `out[k] = x.flat[idx[k]]`, shaped `shape` (differentiable; its adjoint is `scatterAddLinear`).
    static func gatherLinear(_ x: Tensor, _ idx: [Int], shape: [Int], file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        func forward() -> Tensor {
            let c = x.contiguous()
            let out = Tensor(uninitialized: shape, dtype: x.dtype, device: x.device)
            Kernels.gather(out.operand, c.operand, offsets: idx, x.device)
            return out
        }
        if !shouldRecord(x) { return forward() }
        let xShape = x.shape
        return recorded(
            .gatherLinear, [x], file: file, line: line, forward: forward,
            backward: { _, g in [scatterAddLinear(g, idx, shape: xShape)] })
    }

    /// `out = zeros(shape); out.flat[idx[k]] += g[k]` (differentiable; its adjoint is `gatherLinear`).
    static func scatterAddLinear(
        _ g: Tensor, _ idx: [Int], shape: [Int], file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        func forward() -> Tensor {
            let out = Tensor.zeros(shape, dtype: g.dtype.computeType, device: g.device)
            let src = g.to(g.dtype.computeType).contiguous()
            Kernels.scatter(out.operand, src.operand, offsets: idx, accumulate: true, g.device)
            return out.to(g.dtype)
        }
        if !shouldRecord(g) { return forward() }
        let gShape = g.shape
        return recorded(
            .scatterAddLinear, [g], file: file, line: line, forward: forward,
            backward: { _, gg in [gatherLinear(gg, idx, shape: gShape)] })
    }

    /// A stand-in with this shape and contiguous strides over the same storage: index plans
    /// computed on it give linear (row-major) element indices.
    var linearStandIn: Tensor { Tensor(storage: storage, layout: Layout(shape: shape), dtype: dtype) }

    static func catBackward(_ g: Tensor, sizes: [Int], dim: Int) -> [Tensor?] {
        var start = 0
        return sizes.map { n in
            defer { start += n }; return g.narrow(dim, start: start, length: n)
        }
    }
}

extension Primitive {
    /// Element selection and its adjoint (all indexing ops record these).
    public static let gatherLinear = Primitive("gatherLinear"), scatterAddLinear = Primitive("scatterAddLinear")
    /// `scatter` and `scatter_add` along a dimension.
    public static let scatterDim = Primitive("scatterDim"), scatterAddDim = Primitive("scatterAddDim")
    /// The indexing primitives, in the registry.
    /// scatter_reduce's prod/amax/amin (sum and mean compose from scatter_add).
    public static let scatterReduce = Primitive("scatter_reduce", nodeName: "ScatterReduceBackward0")
    static let indexing: [Primitive] = [.gatherLinear, .scatterAddLinear, .scatterDim, .scatterAddDim, .scatterReduce]
}
