import TorchBase

extension Tensor {
    /// The differentiable primitive of a reduction (nil for the logical ones).
    static func reducePrimitive(_ op: ReduceOp) -> Primitive? {
        switch op {
        case .sum: return .sum
        case .prod: return .prod
        case .max: return .amax
        case .min: return .amin
        case .all, .any: return nil
        }
    }

    /// The set of dimensions a reduction covers (nil or empty: all of them).
    func reductionDims(_ dims: [Int]?, _ op: String, _ file: StaticString, _ line: UInt) -> [Bool] {
        var mask = [Bool](repeating: dims == nil || dims!.isEmpty, count: rank)
        for d in dims ?? [] {
            let n = normDim(d, op, file, line)
            if rank > 0 {
                if mask[n] && !(dims ?? []).isEmpty && dims!.filter({ normDim($0, op, file, line) == n }).count > 1 {
                    torchFail(op, "dim \(n) appears multiple times in the list of dims", file: file, line: line)
                }
                mask[n] = true
            }
        }
        return mask
    }

    func reduce(
        _ op: ReduceOp, _ name: String, dims: [Int]?, keepdim: Bool, outDType: DType,
        file: StaticString, line: UInt
    ) -> Tensor {
        if dtype.isComplex || outDType.isComplex {
            let mask = reductionDims(dims, name, file, line)
            let d = (0..<rank).filter { mask[$0] }
            let x = to(outDType)
            switch op {
            case .sum: return ComplexMath.sum(x, dims: d, keepdim: keepdim)
            case .prod: return ComplexMath.prod(x, dims: d, keepdim: keepdim)
            default: ComplexMath.refuse(name, dtype, file: file, line: line)
            }
        }
        // Fast path: a float sum of a whole small contiguous tensor with no graph to record.
        if op == .sum && (dims?.isEmpty ?? true) && !keepdim && outDType == dtype && !Tensor.shouldRecord(self)
            && layout.isContiguous && dtype.isFloatingPoint && dtype.computeType == dtype && count > 0
            && count < Kernels.grain
        {
            let out = Tensor(uninitialized: [], dtype: dtype, device: device)
            let one = Layout(shape: [count], strides: [0])
            Kernels.reduce(
                .sum, KernelOperand(base: out.storage.data, layout: one, dtype: dtype, owner: out.storage),
                KernelOperand(
                    base: storage.data, layout: Layout(shape: [count], strides: [1], offset: layout.offset),
                    dtype: dtype), device)
            return out
        }
        // A recorded sum of everything (a loss): its backward only broadcasts the gradient back.
        if op == .sum && (dims?.isEmpty ?? true) && !keepdim && outDType.isFloatingPoint && Tensor.shouldRecord(self) {
            let inShape = shape, inDType = dtype
            return Tensor.recorded(
                .sum, SmallList(self), file: file, line: line,
                forward: { reduce(op, name, dims: nil, keepdim: false, outDType: outDType, file: file, line: line) },
                backward: { _, g in [g.expand(inShape).to(inDType)] })
        }
        let mask = reductionDims(dims, name, file, line)
        if outDType.isFloatingPoint && Tensor.shouldRecord(self), let p = Tensor.reducePrimitive(op) {
            let inShape = shape, inDType = dtype
            let keepShape = (0..<rank).map { mask[$0] ? 1 : shape[$0] }
            let reducedDims = (0..<rank).filter { mask[$0] }
            // A sum's gradient needs neither its input nor its output.
            let needsSaved = op != .sum
            return Tensor.recorded(
                p, SmallList(self), save: needsSaved ? SmallList(self) : SmallList(), saveOutput: needsSaved,
                file: file, line: line,
                forward: { reduce(op, name, dims: dims, keepdim: keepdim, outDType: outDType, file: file, line: line) },
                backward: { node, g in
                    // A 0-d gradient (a full reduction) broadcasts as it is.
                    let gk = g.rank == 0 ? g : g.reshape(keepShape)
                    switch op {
                    case .sum:
                        return [gk.expand(inShape).to(inDType)]
                    case .max, .min:
                        let x = node.savedTensor(0), out = node.savedTensor(1).reshape(keepShape)
                        // NaN is the maximum where present: the gradient goes to the NaN positions.
                        let hit = ((x .== out) | (x.isnan() & out.isnan())).to(g.dtype)
                        let count = reducedDims.isEmpty ? hit : hit.sum(dims: reducedDims, keepdim: true)
                        return [(gk * hit / count).to(inDType)]
                    default:
                        let x = node.savedTensor(0)
                        return [(gk * Tensor.productOfOthers(x, reducedDims)).to(inDType)]
                    }
                })
        }
        if count == 0 && (op == .max || op == .min) {
            if mask.allSatisfy({ $0 }) {
                torchFail(
                    name,
                    "\(name)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
                        + "dim with the 'dim' argument.",
                    file: file, line: line)
            }
            if let d = (0..<rank).first(where: { mask[$0] && shape[$0] == 0 }) {
                torchFail(name, "\(name)(): Expected reduction dim \(d) to have non-zero size.", file: file, line: line)
            }
        }
        let keepShape = (0..<rank).map { mask[$0] ? 1 : shape[$0] }
        let compute = outDType.computeType
        let src = to(compute)
        let out = Tensor(uninitialized: keepShape, dtype: compute, device: device)
        let outStrides = (0..<rank).map { mask[$0] ? 0 : out.strides[$0] }
        let outOperand = KernelOperand(
            base: out.storage.data, layout: Layout(shape: shape, strides: outStrides), dtype: compute)
        if count == 0 {
            Kernels.fill(
                out.operand, op == .prod || op == .all ? 1 : 0, exactInt: op == .prod || op == .all ? 1 : 0, device)
        } else {
            Kernels.reduce(op, outOperand, src.operand, device)
        }
        let result = keepdim ? out : out.view(layout: Layout(shape: (0..<rank).filter { !mask[$0] }.map { shape[$0] }))
        return result.to(outDType)
    }

    static func accumulateType(_ t: DType) -> DType { t.isFloatingPoint || t.isComplex ? t : .int64 }

    /// Sum over `dims` (all when nil). Integral and bool inputs sum to int64.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).sum(dims: [1])   // tensor([3, 7])
    /// ```
    public func sum(
        dims: [Int]? = nil, keepdim: Bool = false, dtype: DType? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let dt = dtype ?? Tensor.accumulateType(self.dtype)
        if Tracing.isOn {
            let ds = reductionDims(dims, "sum", file, line).enumerated().filter { $0.element }.map { $0.offset }
            let attrs: [(String, TraceAttribute)] = [
                ("dims", .ints(ds)), ("keepdim", .bool(keepdim)), ("dtype", .dtype(dt)),
            ]
            return traced("sum", attrs, file, line) { $0.sum(dims: ds, keepdim: keepdim, dtype: dtype) }
        }
        return (dtype == nil ? self : to(dt)).reduce(
            .sum, "sum", dims: dims, keepdim: keepdim, outDType: dt, file: file, line: line)
    }
    /// Sum along one dimension. `x.sum(dim: 1)`
    public func sum(dim: Int, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        sum(dims: [dim], keepdim: keepdim, file: file, line: line)
    }

    /// Product over `dims` (all when nil); integral inputs multiply in int64 (`torch.prod`). `x.prod()`
    public func prod(dims: [Int]? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if Tracing.isOn { return tracedReduction("prod", dims, keepdim, file, line) { $0.prod(dims: $1, keepdim: $2) } }
        return reduce(
            .prod, "prod", dims: dims, keepdim: keepdim, outDType: Tensor.accumulateType(dtype), file: file, line: line)
    }
    /// Product along one dimension. `x.prod(dim: 0)`
    public func prod(dim: Int, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        prod(dims: [dim], keepdim: keepdim, file: file, line: line)
    }

    /// Mean over `dims`; needs a floating dtype, as in PyTorch.
    public func mean(dims: [Int]? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if !dtype.isFloatingPoint && !dtype.isComplex {
            torchFail(
                "mean",
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
                    + "Got: \(dtype)",
                file: file, line: line)
        }
        let mask = reductionDims(dims, "mean", file, line)
        if Tracing.isOn {
            let ds = mask.enumerated().filter { $0.element }.map { $0.offset }
            return traced("mean", [("dims", .ints(ds)), ("keepdim", .bool(keepdim))], file, line) {
                $0.mean(dims: ds, keepdim: keepdim)
            }
        }
        let n = (0..<rank).filter { mask[$0] }.reduce(1) { $0 * shape[$1] }
        let s = reduce(.sum, "mean", dims: dims, keepdim: keepdim, outDType: dtype.computeType, file: file, line: line)
        return (s / Double(n)).to(dtype)
    }
    /// Mean along one dimension. `x.mean(dim: 1, keepdim: true)`
    public func mean(dim: Int, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        mean(dims: [dim], keepdim: keepdim, file: file, line: line)
    }

    /// Largest element (NaN if any element is NaN).
    public func max(file: StaticString = #fileID, line: UInt = #line) -> Tensor { amax(file: file, line: line) }
    /// The smallest element, NaN winning (`torch.min`). `x.min()`
    public func min(file: StaticString = #fileID, line: UInt = #line) -> Tensor { amin(file: file, line: line) }

    /// Maximum over `dims` (all when nil), NaN winning; the gradient splits evenly among ties (`torch.amax`).
    /// `x.amax(dims: [1])`
    public func amax(dims: [Int]? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if Tracing.isOn { return tracedReduction("amax", dims, keepdim, file, line) { $0.amax(dims: $1, keepdim: $2) } }
        return reduce(.max, "amax", dims: dims, keepdim: keepdim, outDType: dtype, file: file, line: line)
    }
    /// Minimum over `dims` (all when nil), NaN winning (`torch.amin`). `x.amin(dims: [0])`
    public func amin(dims: [Int]? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if Tracing.isOn { return tracedReduction("amin", dims, keepdim, file, line) { $0.amin(dims: $1, keepdim: $2) } }
        return reduce(.min, "amin", dims: dims, keepdim: keepdim, outDType: dtype, file: file, line: line)
    }

    /// Records a reduction over `dims` (normalised; all when nil) for the tracer (Note [Tracing]).
    func tracedReduction(
        _ op: String, _ dims: [Int]?, _ keepdim: Bool, _ file: StaticString, _ line: UInt,
        _ run: @escaping (Tensor, [Int], Bool) -> Tensor
    ) -> Tensor {
        let ds = reductionDims(dims, op, file, line).enumerated().filter { $0.element }.map { $0.offset }
        return traced(op, [("dims", .ints(ds)), ("keepdim", .bool(keepdim))], file, line) { run($0, ds, keepdim) }
    }

    /// True when every element is nonzero (over `dims`, all when nil).
    /// (bool, or uint8 for a uint8 input, as PyTorch).
    public func all(dims: [Int]? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        let r = to(.bool).reduce(.all, "all", dims: dims, keepdim: keepdim, outDType: .bool, file: file, line: line)
        return dtype == .uint8 ? r.to(.uint8) : r
    }
    /// True when some element is nonzero (bool, or uint8 for a uint8 input, as PyTorch).
    public func any(dims: [Int]? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        let r = to(.bool).reduce(.any, "any", dims: dims, keepdim: keepdim, outDType: .bool, file: file, line: line)
        return dtype == .uint8 ? r.to(.uint8) : r
    }

    /// Moves dimension `d` to the end and returns a contiguous `[rows, n]` view of it.
    func rowsAlong(_ d: Int) -> (Tensor, rows: Int, n: Int) {
        var perm = Array(0..<rank)
        perm.remove(at: d)
        perm.append(d)
        let t = permute(perm).to(dtype.computeType).contiguous()
        let n = shape[d]
        return (t, n == 0 ? 0 : count / n, n)
    }

    /// Undoes `rowsAlong`: puts the last dimension of `t` back at `d`.
    static func restoreDim(_ t: Tensor, _ d: Int) -> Tensor {
        var perm = Array(0..<(t.rank - 1))
        perm.insert(t.rank - 1, at: d)
        return t.permute(perm)
    }

    func argReduce(
        isMax: Bool, dim: Int, keepdim: Bool, values wantValues: Bool, _ name: String,
        file: StaticString, line: UInt
    ) -> (values: Tensor?, indices: Tensor) {
        let d = normDim(dim, name, file, line)
        if rank > 0 && shape[d] == 0 {
            torchFail(name, "Expected reduction dim \(d) to have non-zero size.", file: file, line: line)
        }
        let src: Tensor, rows: Int, n: Int
        if rank == 0 {
            (src, rows, n) = (to(dtype.computeType).contiguous(), 1, 1)
        } else {
            (src, rows, n) = rowsAlong(d)
        }
        var outShape = shape
        if rank > 0 { if keepdim { outShape[d] = 1 } else { outShape.remove(at: d) } }
        let idx = Tensor(uninitialized: outShape, dtype: .int64, device: device)
        let vals = wantValues ? Tensor(uninitialized: outShape, dtype: src.dtype, device: device) : nil
        Kernels.argReduceRows(
            isMax: isMax, src.operand, values: vals?.operand, indices: idx.operand, rows: rows, n: n, device)
        return (vals?.to(dtype), idx)
    }

    /// Largest values along `dim` and their indices.
    public func max(dim: Int, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> (
        values: Tensor, indices: Tensor
    ) {
        let r = argReduce(isMax: true, dim: dim, keepdim: keepdim, values: true, "max", file: file, line: line)
        return (valuesAt(r.indices, dim: dim, keepdim: keepdim, r.values!, file: file, line: line), r.indices)
    }
    /// Smallest values along `dim` and their first indices (`torch.min(dim=)`). `let (v, i) = x.min(dim: 1)`
    public func min(dim: Int, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> (
        values: Tensor, indices: Tensor
    ) {
        let r = argReduce(isMax: false, dim: dim, keepdim: keepdim, values: true, "min", file: file, line: line)
        return (valuesAt(r.indices, dim: dim, keepdim: keepdim, r.values!, file: file, line: line), r.indices)
    }

    /// The values selected by `indices` along `dim`: `computed` as is, or a differentiable gather
    /// when this tensor needs grad.
    func valuesAt(_ indices: Tensor, dim: Int, keepdim: Bool, _ computed: Tensor, file: StaticString, line: UInt)
        -> Tensor
    {
        if !Tensor.shouldRecord(self) { return computed }
        if rank == 0 { return clone(file: file, line: line) }
        let d = normDim(dim, "max", file, line)
        let idx = keepdim ? indices : indices.unsqueeze(d)
        let v = gather(d, idx, file: file, line: line)
        return keepdim ? v : v.squeeze(d)
    }

    /// Index of the largest element along `dim` (of the flattened tensor when nil).
    /// With `keepdim` and no `dim`, every dimension is kept at size 1 (as PyTorch).
    public func argmax(dim: Int? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        argIndex(isMax: true, dim: dim, keepdim: keepdim, "argmax", file: file, line: line)
    }
    /// Index of the first minimum, over all elements or along `dim` (`torch.argmin`). `x.argmin(dim: 1)`
    public func argmin(dim: Int? = nil, keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        argIndex(isMax: false, dim: dim, keepdim: keepdim, "argmin", file: file, line: line)
    }

    func argIndex(isMax: Bool, dim: Int?, keepdim: Bool, _ name: String, file: StaticString, line: UInt) -> Tensor {
        if dtype == .bool { torchFail(name, "\(name)(): does not support bool input", file: file, line: line) }
        guard let dim else {
            if count == 0 {
                torchFail(
                    name, "\(name)(): Expected reduction dim to be specified for input.numel() == 0.", file: file,
                    line: line)
            }
            let i = reshape([-1]).argReduce(
                isMax: isMax, dim: 0, keepdim: false, values: false, name, file: file, line: line
            ).indices
            return keepdim ? i.reshape([Int](repeating: 1, count: rank)) : i
        }
        return argReduce(isMax: isMax, dim: dim, keepdim: keepdim, values: false, name, file: file, line: line).indices
    }

    /// Variance with `correction` (1: unbiased, as PyTorch's default). Accumulates in float64, as
    /// PyTorch's CPU kernel, so float32 inputs near the range limit do not overflow.
    ///
    /// ```swift
    /// Tensor([1.0, 2.0, 3.0, 4.0]).variance()   // 1.6667
    /// ```
    public func variance(
        dims: [Int]? = nil, correction: Int = 1, keepdim: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if dtype.isComplex {
            // PyTorch's complex variance: the parts' variances summed (a real result).
            let (re, im) = complexParts()
            return re.variance(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
                + im.variance(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
        }
        if !dtype.isFloatingPoint {
            torchFail("var", "std and var only support floating point and complex dtypes", file: file, line: line)
        }
        if dtype == .float64 {
            return varianceInOwnType(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
        }
        return to(.float64).varianceInOwnType(
            dims: dims, correction: correction, keepdim: keepdim, file: file, line: line
        ).to(dtype)
    }

    /// Variance computed in this tensor's compute type (the normalisation layers' statistics).
    package func varianceInOwnType(
        dims: [Int]? = nil, correction: Int = 1, keepdim: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if dtype.isComplex {
            // PyTorch's complex variance: the parts' variances summed (a real result).
            let (re, im) = complexParts()
            return re.variance(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
                + im.variance(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
        }
        if !dtype.isFloatingPoint {
            torchFail("var", "std and var only support floating point and complex dtypes", file: file, line: line)
        }
        let mask = reductionDims(dims, "var", file, line)
        let n = (0..<rank).filter { mask[$0] }.reduce(1) { $0 * shape[$1] }
        let x = to(dtype.computeType)
        let centered = x - x.mean(dims: dims, keepdim: true, file: file, line: line)
        let ss = (centered * centered).sum(dims: dims, keepdim: keepdim, file: file, line: line)
        return (ss / Double(Swift.max(0, n - correction))).to(dtype)
    }
    /// Standard deviation over `dims` with Bessel's `correction` (`torch.std`). `x.std(dims: [0])`
    public func std(
        dims: [Int]? = nil, correction: Int = 1, keepdim: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if dtype.isComplex {
            let v = variance(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
            return Tensor.stdFromVariance(v, file: file, line: line)
        }
        if !dtype.isFloatingPoint {
            torchFail("std", "std and var only support floating point and complex dtypes", file: file, line: line)
        }
        // The square root is taken in float64 too, before the one rounding to this dtype.
        let wide = dtype == .float64 ? self : to(.float64)
        let v = wide.varianceInOwnType(dims: dims, correction: correction, keepdim: keepdim, file: file, line: line)
        return Tensor.stdFromVariance(v, file: file, line: line).to(dtype)
    }

    /// √v with PyTorch's std backward: zero where the std is zero (not sqrt's 0/0).
    static func stdFromVariance(_ v: Tensor, file: StaticString, line: UInt) -> Tensor {
        Torch.customFunction(
            "Std", [v],
            forward: { ctx, xs in
                let r = xs[0].sqrt()
                ctx.saveForBackward(r)
                return r
            },
            backward: { ctx, g in
                let r = ctx.savedTensors[0]
                return [Tensor.where(r .== 0, 0.0, g / (r * 2))]
            }, file: file, line: line)
    }

    /// Vector p-norm over `dims` (p = 2 by default; `.infinity` gives the max-abs norm).
    public func norm(
        p: Double = 2, dims: [Int]? = nil, keepdim: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        // A complex tensor's norm is the norm of its moduli (real, of the parts' dtype).
        if dtype.isComplex { return abs().norm(p: p, dims: dims, keepdim: keepdim, file: file, line: line) }
        if !dtype.isFloatingPoint {
            torchFail(
                "norm",
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got \(dtype.pytorchName)",
                file: file, line: line)
        }
        if dtype == .float16 || dtype == .bfloat16 {
            return to(.float32).norm(p: p, dims: dims, keepdim: keepdim, file: file, line: line).to(dtype)
        }
        let a = abs()
        if p == .infinity { return a.amax(dims: dims, keepdim: keepdim, file: file, line: line) }
        if p == -.infinity { return a.amin(dims: dims, keepdim: keepdim, file: file, line: line) }
        if p == 1 { return a.sum(dims: dims, keepdim: keepdim, file: file, line: line) }
        func value(_ x: Tensor) -> Tensor {
            let a = x.abs()
            if p == 0 { return (a .!= 0).to(x.dtype).sum(dims: dims, keepdim: keepdim, file: file, line: line) }
            if p == 2 { return (a * a).sum(dims: dims, keepdim: keepdim, file: file, line: line).sqrt() }
            return a.pow(p).sum(dims: dims, keepdim: keepdim, file: file, line: line).pow(1 / p)
        }
        guard Tensor.shouldRecord(self) else { return value(self) }
        // PyTorch's norm_backward: x·|x|^(p-2)·g / ‖x‖^(p-1), zero where the norm is zero (and for
        // p = 0, whose value is a count).
        let reduced = reductionDims(dims, "norm", file, line)
        return Torch.customFunction(
            "Norm", [self],
            forward: { ctx, xs in
                let n = value(xs[0])
                ctx.saveForBackward(xs[0], n)
                return n
            },
            backward: { ctx, g in
                let x = ctx.savedTensors[0]
                if p == 0 { return [Tensor.zerosLike(x)] }
                var n = ctx.savedTensors[1], gk = g
                if !keepdim {
                    let kept = x.shape.enumerated().map { reduced[$0.offset] ? 1 : $0.element }
                    n = n.reshape(kept)
                    gk = g.reshape(kept)
                }
                // PyTorch's order of operations (x-part times g / ‖x‖^(p-1)), so huge values stay finite.
                if p < 1 {
                    let part = Tensor.where(x .== 0, 0.0, x.sign() * x.abs().pow(p - 1))
                    return [part * gk * n.pow(1 - p)]
                }
                let part = p < 2 ? x.sign() * x.abs().pow(p - 1) : (p == 2 ? x : x * x.abs().pow(p - 2))
                let scale = Tensor.where(n .== 0, 0.0, gk / (p == 2 ? n : n.pow(p - 1)))
                return [part * scale]
            }, file: file, line: line)
    }

    /// `log(sum(exp(x)))` over `dims`, computed stably.
    public func logsumexp(dims: [Int], keepdim: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        let x = dtype.isFloatingPoint ? self : to(Torch.defaultDType)
        let mask = x.reductionDims(dims, "logsumexp", file, line)
        if (0..<rank).contains(where: { mask[$0] && shape[$0] == 0 }) {
            // log(0) over an empty dimension: -inf, as PyTorch.
            let full = x.sum(dims: dims, keepdim: keepdim, file: file, line: line)
            return full + Tensor.scalar(-Double.infinity, dtype: full.dtype)
        }
        let m = x.amax(dims: dims, keepdim: true, file: file, line: line)
        let safe = Tensor.where(m.isfinite(), m, Tensor.scalar(0.0, dtype: m.dtype)).detach()
        let s = (x - safe).exp().sum(dims: dims, keepdim: true, file: file, line: line).log() + safe
        return keepdim ? s : s.squeezeDims(x.reductionDims(dims, "logsumexp", file, line))
    }

    func squeezeDims(_ mask: [Bool]) -> Tensor {
        let keep = (0..<rank).filter { !mask[$0] }
        return view(
            layout: Layout(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: layout.offset))
    }

    func scan(isProduct: Bool, dim: Int, _ name: String, file: StaticString, line: UInt) -> Tensor {
        if Tracing.isOn {
            let d = rank == 0 ? 0 : normDim(dim, name, file, line)
            return traced(name, [("dim", .int(d))], file, line) {
                $0.scan(isProduct: isProduct, dim: d, name, file: file, line: line)
            }
        }
        if dtype.isComplex {
            // A running sum of the parts; a running product by doubling (Hillis–Steele): log₂ n
            // complex products of the result with itself shifted by 1, 2, 4, ... (ones shifted in).
            let d = rank == 0 ? 0 : normDim(dim, name, file, line)
            if rank == 0 || count == 0 { return clone() }
            if isProduct {
                let n = shape[d]
                var r = self
                var offset = 1
                while offset < n {
                    var onesShape = shape
                    onesShape[d] = offset
                    let shifted = Tensor.cat(
                        [
                            Tensor.ones(onesShape, dtype: dtype, device: device),
                            r.narrow(d, start: 0, length: n - offset),
                        ],
                        dim: d)
                    r = r * shifted
                    offset *= 2
                }
                return r === self ? clone() : r
            }
            return viewAsReal().scan(isProduct: false, dim: d, name, file: file, line: line).contiguous()
                .viewAsComplex()
        }
        if dtype.isFloatingPoint && Tensor.shouldRecord(self) {
            let d = rank == 0 ? 0 : normDim(dim, name, file, line)
            return Tensor.recorded(
                isProduct ? .cumprod : .cumsum, [self], save: [self], saveOutput: true, file: file, line: line,
                forward: { scan(isProduct: isProduct, dim: dim, name, file: file, line: line) },
                backward: { node, g in
                    if self.rank == 0 { return [g] }
                    if !isProduct { return [g.flip([d]).cumsum(dim: d).flip([d])] }
                    let x = node.savedTensor(0), out = node.savedTensor(1)
                    if Torch.noGrad({ (x .== 0).any().item(Bool.self) }) {
                        return [Tensor.cumprodBackwardWithZeros(x, g, d)]
                    }
                    return [(g * out).flip([d]).cumsum(dim: d).flip([d]) / x]
                })
        }
        if rank == 0 { return to(Tensor.accumulateType(dtype)).clone() }
        let d = normDim(dim, name, file, line)
        let (src0, rows, n) = rowsAlong(d)
        let src = src0.to(Tensor.accumulateType(dtype).computeType)
        let out = Tensor(uninitialized: src.shape, dtype: src.dtype, device: device)
        if out.count > 0 { Kernels.scanRows(isProduct: isProduct, src.operand, out.operand, rows: rows, n: n, device) }
        return Tensor.restoreDim(out, d).to(Tensor.accumulateType(dtype)).contiguous()
    }

    /// For each element, the product of the other elements of its reduction group (no division,
    /// so zeros are handled): exclusive cumulative products from both ends.
    static func productOfOthers(_ x: Tensor, _ dims: [Int]) -> Tensor {
        let rest = (0..<x.rank).filter { !dims.contains($0) }
        let perm = rest + dims
        let moved = x.permute(perm)
        let outer = rest.map { x.shape[$0] }
        let r = dims.reduce(1) { $0 * x.shape[$1] }
        let flat = moved.reshape(outer + [r])
        let d = outer.count
        func exclusive(_ t: Tensor) -> Tensor {
            let ones = Tensor.onesLike(t.narrow(d, start: 0, length: Swift.min(1, r)))
            if r <= 1 { return ones }
            return Tensor.cat([ones, t.narrow(d, start: 0, length: r - 1).cumprod(dim: d)], dim: d)
        }
        let left = exclusive(flat)
        let right = exclusive(flat.flip([d])).flip([d])
        var inverse = [Int](repeating: 0, count: perm.count)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return (left * right).reshape(outer + dims.map { x.shape[$0] }).permute(inverse)
    }

    /// Running sum along `dim` (integral inputs accumulate in int64).
    public func cumsum(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        scan(isProduct: false, dim: dim, "cumsum", file: file, line: line)
    }
    /// Running product along `dim` (`torch.cumprod`). `x.cumprod(dim: 0)`
    public func cumprod(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        scan(isProduct: true, dim: dim, "cumprod", file: file, line: line)
    }
    /// `cumsum` computed in `dtype` (the input is converted first, as PyTorch's `dtype=`).
    ///
    /// ```swift
    /// Tensor([1, 2], dtype: .int32).cumsum(dim: 0, dtype: .float64)   // [1.0, 3.0]
    /// ```
    public func cumsum(dim: Int, dtype: DType, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        refuseIntegralGradient(dtype, file: file, line: line)
        return to(dtype).cumsum(dim: dim, file: file, line: line)
    }
    /// `cumprod` computed in `dtype` (the input is converted first).
    ///
    /// ```swift
    /// Tensor([2, 3], dtype: .int8).cumprod(dim: 0, dtype: .int64)   // [2, 6]
    /// ```
    public func cumprod(dim: Int, dtype: DType, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        refuseIntegralGradient(dtype, file: file, line: line)
        return to(dtype).cumprod(dim: dim, file: file, line: line)
    }
    /// `mean` computed in `dtype` (the input is converted first; integral inputs need a float
    /// `dtype`, as PyTorch).
    ///
    /// ```swift
    /// Tensor([1, 2], dtype: .int64).mean(dims: nil, dtype: .float32)   // 1.5
    /// ```
    public func mean(
        dims: [Int]?, keepdim: Bool = false, dtype: DType, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        to(dtype).mean(dims: dims, keepdim: keepdim, file: file, line: line)
    }
    /// `prod` computed in `dtype` (the input is converted first).
    ///
    /// ```swift
    /// Tensor([2, 3], dtype: .int8).prod(dims: nil, dtype: .float64)   // 6.0
    /// ```
    public func prod(
        dims: [Int]?, keepdim: Bool = false, dtype: DType, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        refuseIntegralGradient(dtype, file: file, line: line)
        return to(dtype).prod(dims: dims, keepdim: keepdim, file: file, line: line)
    }

    /// PyTorch refuses an integral result for an input that requires grad.
    private func refuseIntegralGradient(_ target: DType, file: StaticString, line: UInt) {
        if Tensor.shouldRecord(self) && !target.isFloatingPoint {
            torchFail("autograd", "Autograd not support dtype: \(target.pytorchName)", file: file, line: line)
        }
    }

    /// Sorted values along `dim` and the indices that sort it (stable; NaN sorts last ascending).
    public func sort(dim: Int = -1, descending: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> (
        values: Tensor, indices: Tensor
    ) {
        if rank == 0 { return (clone(), Tensor.zeros([], dtype: .int64, device: device)) }
        let d = normDim(dim, "sort", file, line)
        let (src, rows, n) = rowsAlong(d)
        let vals = Tensor(uninitialized: src.shape, dtype: src.dtype, device: device)
        let idx = Tensor(uninitialized: src.shape, dtype: .int64, device: device)
        if src.count > 0 {
            Kernels.sortRows(
                src.operand, values: vals.operand, indices: idx.operand, rows: rows, n: n, descending: descending,
                device)
        }
        let indices = Tensor.restoreDim(idx, d).contiguous()
        if Tensor.shouldRecord(self) { return (gather(d, indices, file: file, line: line), indices) }
        return (Tensor.restoreDim(vals, d).to(dtype).contiguous(), indices)
    }

    /// The indices that sort along `dim` (stable; NaN last ascending) (`torch.argsort`). `x.argsort(dim: 1)`
    public func argsort(dim: Int = -1, descending: Bool = false, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        sort(dim: dim, descending: descending, file: file, line: line).indices
    }

    /// The `k` largest (or smallest) values along `dim` with their indices, sorted.
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true, file: StaticString = #fileID, line: UInt = #line)
        -> (values: Tensor, indices: Tensor)
    {
        let d = rank == 0 ? 0 : normDim(dim, "topk", file, line)
        let size = rank == 0 ? 1 : shape[d]
        if k < 0 || k > size { torchFail("topk", "selected index k out of range", file: file, line: line) }
        let (v, i) = sort(dim: d, descending: largest, file: file, line: line)
        if rank == 0 { return (v, i) }
        return (v.narrow(d, start: 0, length: k).contiguous(), i.narrow(d, start: 0, length: k).contiguous())
    }
}

extension Tensor {
    /// Gradient of cumprod when the input has zeros: for each row, grad_i = prod_{k<i} x_k * R_i with
    /// R_i = g_i + x_{i+1} R_{i+1} (a reverse recurrence; first-order only).
    static func cumprodBackwardWithZeros(_ x: Tensor, _ g: Tensor, _ d: Int) -> Tensor {
        Torch.noGrad {
            let (xs, rows, n) = x.to(.float64).rowsAlong(d)
            let (gs, _, _) = g.to(.float64).rowsAlong(d)
            let xv = xs.toArray(Double.self), gv = gs.toArray(Double.self)
            var out = [Double](repeating: 0, count: xv.count)
            for r in 0..<rows {
                let o = r * n
                var acc = 0.0
                var rvals = [Double](repeating: 0, count: n)
                for i in Swift.stride(from: n - 1, through: 0, by: -1) {
                    acc = gv[o + i] + (i + 1 < n ? xv[o + i + 1] * acc : 0)
                    rvals[i] = acc
                }
                var left = 1.0
                for i in 0..<n { out[o + i] = left * rvals[i]; left *= xv[o + i] }
            }
            let t = Tensor(flat: out, shape: xs.shape, dtype: .float64)
            return restoreDim(t, d).to(x.dtype).contiguous()
        }
    }
}

extension Primitive {
    /// Reductions.
    public static let sum = Primitive("sum"), prod = Primitive("prod"), amax = Primitive("amax"),
        amin = Primitive("amin")
    /// Running sums and products.
    public static let cumsum = Primitive("cumsum"), cumprod = Primitive("cumprod")
    /// The reductions and scans, in the registry.
    static let reductions: [Primitive] = [.sum, .prod, .amax, .amin, .cumsum, .cumprod]
}
