import TorchBase

// Views share storage with their base: a write through a view is seen in the base.
extension Tensor {
    func normDim(_ d: Int, _ op: String, _ file: StaticString, _ line: UInt, rank r: Int? = nil) -> Int {
        Checks.dim(d, rank: r ?? rank).unwrap(op, file: file, line: line)
    }

    /// A traced reshape's target on replay: a size equal to the traced input's size at the same
    /// place follows the input's size there now (ONNX's 0, "copy that dim"), so that
    /// `x.view([x.shape[0], -1])` replays with another batch size.
    static func followingInput(_ target: [Int], traced: [Int], now: [Int]) -> [Int] {
        if traced == now { return target }
        return target.enumerated().map { i, s in i < traced.count && i < now.count && s == traced[i] ? now[i] : s }
    }

    /// A view with a new shape (one entry may be -1). Traps when the strides do not allow a view;
    /// use `reshape` to copy in that case.
    public func view(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn {
            let traced = self.shape
            return self.traced("reshape", [("shape", .ints(shape))], file, line) {
                $0.view(Tensor.followingInput(shape, traced: traced, now: $0.shape))
            }
        }
        let s = Checks.inferShape(shape, count: count).unwrap("view", file: file, line: line)
        guard let st = rank == 0 ? Layout.contiguousStrides(s) : Checks.viewStrides(layout, s) else {
            torchFail(
                "view",
                "view size is not compatible with input tensor's size and stride (at least one dimension spans "
                    + "across two contiguous subspaces). Use .reshape(...) instead.",
                file: file, line: line)
        }
        return view(layout: Layout(shape: s, strides: st, offset: layout.offset))
    }

    /// The variadic form of `view(_:)`. `x.view(2, -1)`
    public func view(_ shape: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        view(shape, file: file, line: line)
    }

    /// Same elements with a new shape: a view when possible, else a copy.
    public func reshape(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn {
            let traced = self.shape
            return self.traced("reshape", [("shape", .ints(shape))], file, line) {
                $0.reshape(Tensor.followingInput(shape, traced: traced, now: $0.shape))
            }
        }
        let s = Checks.inferShape(shape, count: count).unwrap("reshape", file: file, line: line)
        if let st = rank == 0 ? Layout.contiguousStrides(s) : Checks.viewStrides(layout, s) {
            return view(layout: Layout(shape: s, strides: st, offset: layout.offset))
        }
        return clone().view(s, file: file, line: line)
    }

    /// The variadic form of `reshape(_:)`. `x.reshape(4, 3)`
    public func reshape(_ shape: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        reshape(shape, file: file, line: line)
    }

    /// Merges dimensions `startDim...endDim` into one.
    public func flatten(startDim: Int = 0, endDim: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor
    {
        if rank == 0 { return reshape([1]) }
        let s = normDim(startDim, "flatten", file, line), e = normDim(endDim, "flatten", file, line)
        if Tracing.isOn {
            return traced("flatten", [("startDim", .int(s)), ("endDim", .int(e))], file, line) {
                $0.flatten(startDim: s, endDim: e)
            }
        }
        if s > e {
            torchFail(
                "flatten", "flatten() has invalid args: start_dim cannot come after end_dim", file: file, line: line)
        }
        let merged = shape[s...e].reduce(1, *)
        return reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]), file: file, line: line)
    }

    /// Splits dimension `dim` into `sizes` (one may be -1).
    public func unflatten(_ dim: Int, _ sizes: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = normDim(dim, "unflatten", file, line)
        let inner = Checks.inferShape(sizes, count: shape[d]).unwrap("unflatten", file: file, line: line)
        return view(Array(shape[..<d]) + inner + Array(shape[(d + 1)...]), file: file, line: line)
    }

    /// Removes dimensions of size 1 (all of them, or only `dim`).
    public func squeeze(_ dim: Int? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn, let dim, rank > 0 {
            let d = normDim(dim, "squeeze", file, line)
            if shape[d] == 1 { return traced("squeeze", [("dim", .int(d))], file, line) { $0.squeeze(d) } }
        }
        if let dim {
            if rank == 0 { return self }
            let d = normDim(dim, "squeeze", file, line)
            if shape[d] != 1 { return self }
            var sh = shape, st = strides
            sh.remove(at: d); st.remove(at: d)
            return view(layout: Layout(shape: sh, strides: st, offset: layout.offset))
        }
        let keep = (0..<rank).filter { shape[$0] != 1 }
        return view(
            layout: Layout(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: layout.offset))
    }

    /// Removes the dimensions among `dims` that have size 1 (`torch.squeeze(x, dims)`).
    ///
    /// ```swift
    /// Tensor.zeros([1, 3, 1]).squeeze(dims: [0, 1, 2]).shape   // [3]
    /// ```
    public func squeeze(dims: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank == 0 {
            for d in dims { _ = normDim(d, "squeeze", file, line) }
            return self
        }
        let normalized = dims.map { normDim($0, "squeeze", file, line) }
        for (i, d) in normalized.enumerated() where normalized[..<i].contains(d) {
            torchFail("squeeze", "dim \(d) appears multiple times in the list of dims", file: file, line: line)
        }
        let drop = Set(normalized.filter { shape[$0] == 1 })
        let keep = (0..<rank).filter { !drop.contains($0) }
        return view(
            layout: Layout(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: layout.offset))
    }

    /// Inserts a dimension of size 1 at `dim` (in `-rank-1...rank`).
    public func unsqueeze(_ dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = normDim(dim, "unsqueeze", file, line, rank: rank + 1)
        if Tracing.isOn { return traced("unsqueeze", [("dim", .int(d))], file, line) { $0.unsqueeze(d) } }
        var sh = shape, st = strides
        let s = d < rank ? shape[d] * strides[d] : 1
        sh.insert(1, at: d); st.insert(s, at: d)
        return view(layout: Layout(shape: sh, strides: st, offset: layout.offset))
    }

    /// Reorders the dimensions.
    public func permute(_ dims: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if dims.count != rank {
            torchFail(
                "permute", "number of dims don't match in permute: got \(dims.count) for a tensor of rank \(rank)",
                file: file, line: line)
        }
        let d = dims.map { normDim($0, "permute", file, line) }
        if Set(d).count != rank { torchFail("permute", "repeated dim in permute: \(dims)", file: file, line: line) }
        if Tracing.isOn { return traced("permute", [("dims", .ints(d))], file, line) { $0.permute(d) } }
        return view(layout: Layout(shape: d.map { shape[$0] }, strides: d.map { strides[$0] }, offset: layout.offset))
    }

    /// The variadic form of `permute(_:)`. `x.permute(0, 2, 1)`
    public func permute(_ dims: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        permute(dims, file: file, line: line)
    }

    /// Swaps two dimensions.
    public func transpose(_ d0: Int, _ d1: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank == 0 { return self }
        let a = normDim(d0, "transpose", file, line), b = normDim(d1, "transpose", file, line)
        if Tracing.isOn {
            var d = Array(0..<rank)
            d.swapAt(a, b)
            return traced("permute", [("dims", .ints(d))], file, line) { $0.permute(d) }
        }
        return view(layout: layout.transposed(a, b))
    }

    /// Transpose of a matrix (rank ≤ 2).
    public func t(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank > 2 {
            torchFail("t", "t() expects a tensor with <= 2 dimensions, but self is \(rank)D", file: file, line: line)
        }
        return rank < 2 ? self : transpose(0, 1)
    }

    /// Transpose of the last two dimensions (batched matrices).
    public var mT: Tensor { transpose(-2, -1) }
    /// The conjugate transpose of the last two dimensions (`Tensor.mH`): `mT` for real tensors.
    public var mH: Tensor { isComplex ? transpose(-2, -1).conj() : transpose(-2, -1) }

    /// Broadcasts size-1 dimensions to `sizes` without copying (-1 keeps a size).
    public func expand(_ sizes: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if Tracing.isOn { return traced("expand", [("sizes", .ints(sizes))], file, line) { $0.expand(sizes) } }
        if sizes.count < rank {
            torchFail(
                "expand",
                "the number of sizes provided (\(sizes.count)) must be greater or equal to the number of dimensions "
                    + "in the tensor (\(rank))",
                file: file, line: line)
        }
        let pad = sizes.count - rank
        var sh = [Int](), st = [Int]()
        for (i, s) in sizes.enumerated() {
            if i < pad {
                if s < 0 {
                    torchFail(
                        "expand", "the expanded size \(s) is not allowed in a leading, non-existing dimension",
                        file: file, line: line)
                }
                sh.append(s); st.append(0)
                continue
            }
            let cur = shape[i - pad]
            let target = s == -1 ? cur : s
            if cur == target {
                sh.append(cur); st.append(strides[i - pad])
            } else if cur == 1 {
                sh.append(target); st.append(0)
            } else {
                torchFail(
                    "expand",
                    "The expanded size of the tensor (\(target)) must match the existing size (\(cur)) at "
                        + "non-singleton dimension \(i).  Target sizes: \(sizes).  Tensor sizes: \(shape)",
                    file: file, line: line)
            }
        }
        return view(layout: Layout(shape: sh, strides: st, offset: layout.offset))
    }

    /// The variadic form of `expand(_:)`. `x.expand(4, -1)`
    public func expand(_ sizes: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        expand(sizes, file: file, line: line)
    }
    /// This tensor expanded to `other`'s shape (`Tensor.expand_as`). `bias.expandAs(y)`
    public func expandAs(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        expand(other.shape, file: file, line: line)
    }

    /// `length` elements of `dim` from `start`.
    public func narrow(_ dim: Int, start: Int, length: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor
    {
        let d = normDim(dim, "narrow", file, line)
        let s = start < 0 ? start + shape[d] : start
        if Tracing.isOn, s >= 0, length >= 0, s + length <= shape[d] {
            let attrs: [(String, TraceAttribute)] = [("dim", .int(d)), ("start", .int(s)), ("length", .int(length))]
            return traced("narrow", attrs, file, line) { $0.narrow(d, start: s, length: length) }
        }
        if s < 0 || length < 0 || s + length > shape[d] {
            torchFail(
                "narrow", "start (\(start)) + length (\(length)) exceeds dimension size (\(shape[d])).", file: file,
                line: line)
        }
        var sh = shape
        sh[d] = length
        return view(layout: Layout(shape: sh, strides: strides, offset: layout.offset + s * strides[d]))
    }

    /// The slice at `index` of `dim`, with that dimension removed.
    public func select(_ dim: Int, _ index: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank == 0 { torchFail("select", "select() cannot be applied to a 0-dim tensor.", file: file, line: line) }
        let d = normDim(dim, "select", file, line)
        let size = shape[d]
        if index < -size || index >= size {
            torchFail(
                "select", "index \(index) is out of bounds for dimension \(d) with size \(size)", file: file, line: line
            )
        }
        let i = index < 0 ? index + size : index
        if Tracing.isOn {
            return traced("select", [("dim", .int(d)), ("index", .int(i))], file, line) { $0.select(d, i) }
        }
        var sh = shape, st = strides
        sh.remove(at: d); st.remove(at: d)
        return view(layout: Layout(shape: sh, strides: st, offset: layout.offset + i * strides[d]))
    }

    /// Sliding windows of `size` with `step` along `dim`, as a new last dimension.
    public func unfold(_ dim: Int, size: Int, step: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = rank == 0 ? 0 : normDim(dim, "unfold", file, line)
        let len = rank == 0 ? 1 : shape[d]
        if size > len {
            torchFail(
                "unfold", "maximum size for tensor at dimension \(d) is \(len) but size is \(size)", file: file,
                line: line)
        }
        if step <= 0 { torchFail("unfold", "step is \(step) but must be > 0", file: file, line: line) }
        var sh = shape, st = strides
        if rank == 0 { return view(layout: Layout(shape: [size], strides: [1], offset: layout.offset)) }
        sh[d] = (len - size) / step + 1
        st[d] = strides[d] * step
        sh.append(size); st.append(strides[d])
        return view(layout: Layout(shape: sh, strides: st, offset: layout.offset))
    }

    /// Splits into `chunks` pieces along `dim` (the last may be smaller).
    public func chunk(_ chunks: Int, dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        if chunks <= 0 {
            torchFail("chunk", "chunk expects `chunks` to be greater than 0, got: \(chunks)", file: file, line: line)
        }
        let d = normDim(dim, "chunk", file, line)
        // An empty dimension splits into `chunks` empty pieces, as PyTorch.
        if shape[d] == 0 { return (0..<chunks).map { _ in narrow(d, start: 0, length: 0, file: file, line: line) } }
        let size = Swift.max(1, (shape[d] + chunks - 1) / chunks)
        return split(size, dim: d, file: file, line: line)
    }

    /// Pieces of `size` along `dim` (the last may be smaller).
    public func split(_ size: Int, dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        let d = normDim(dim, "split", file, line)
        let n = shape[d]
        if n == 0 { return [self] }
        return split(
            sizes: Swift.stride(from: 0, to: n, by: size).map { Swift.min(size, n - $0) }, dim: d, file: file,
            line: line)
    }

    /// Pieces with the given sizes along `dim`; they must add up to the dimension's size.
    public func split(sizes: [Int], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        let d = normDim(dim, "split", file, line)
        if sizes.reduce(0, +) != shape[d] {
            torchFail(
                "split",
                "split_with_sizes expects split_sizes to sum exactly to \(shape[d]) (input tensor's size at "
                    + "dimension \(d)), but got split_sizes=\(sizes)",
                file: file, line: line)
        }
        var start = 0
        let pieces = Torch.noGrad {
            sizes.map { s in
                defer { start += s }; return narrow(d, start: start, length: s)
            }
        }
        return recordPieces(pieces, dim: d, stacked: false, name: "SplitWithSizesBackward0", file: file, line: line)
    }

    /// The slices along `dim`, each without that dimension.
    public func unbind(_ dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        let d = normDim(dim, "unbind", file, line)
        let pieces = Torch.noGrad { (0..<shape[d]).map { select(d, $0) } }
        return recordPieces(pieces, dim: d, stacked: true, name: "UnbindBackward0", file: file, line: line)
    }

    /// Views of this tensor recorded as the outputs of one node, whose backward concatenates (or
    /// stacks) their gradients, zeros for pieces that got none: one gradient of this tensor's
    /// size instead of one per piece (an RNN's time steps, an LSTM's gates).
    func recordPieces(_ pieces: [Tensor], dim d: Int, stacked: Bool, name: String, file: StaticString, line: UInt)
        -> [Tensor]
    {
        guard Tensor.shouldRecord(self) else { return pieces }
        let shapes = pieces.map { $0.shape }
        let dt = dtype, dev = device
        let node = FunctionNode(name: name, inputs: [self], numOutputs: pieces.count, file: file, line: line) {
            _, grads in
            let parts = grads.enumerated().map { i, g in g ?? Tensor.zeros(shapes[i], dtype: dt, device: dev) }
            return [stacked ? Tensor.stack(parts, dim: d) : Tensor.cat(parts, dim: d)]
        }
        for (i, p) in pieces.enumerated() {
            p.creator = node
            p.outputNr = i
        }
        return pieces
    }

    /// The diagonal of the `dim1`×`dim2` matrices, as a new last dimension.
    public func diagonal(
        offset: Int = 0, dim1: Int = 0, dim2: Int = 1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let a = normDim(dim1, "diagonal", file, line), b = normDim(dim2, "diagonal", file, line)
        if a == b {
            torchFail("diagonal", "diagonal dimensions cannot be identical \(dim1), \(dim2)", file: file, line: line)
        }
        var off = layout.offset
        let n: Int
        if offset >= 0 {
            n = Swift.max(0, Swift.min(shape[a], shape[b] - offset))
            if n > 0 { off += offset * strides[b] }
        } else {
            n = Swift.max(0, Swift.min(shape[a] + offset, shape[b]))
            if n > 0 { off -= offset * strides[a] }
        }
        var sh = [Int](), st = [Int]()
        for i in 0..<rank where i != a && i != b { sh.append(shape[i]); st.append(strides[i]) }
        sh.append(n); st.append(strides[a] + strides[b])
        return view(layout: Layout(shape: sh, strides: st, offset: off))
    }

    /// A view with arbitrary shape, strides and storage offset; it must stay inside the storage.
    public func asStrided(
        _ size: [Int], _ stride: [Int], storageOffset: Int? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if size.count != stride.count {
            torchFail("asStrided", "mismatch in length of strides and shape", file: file, line: line)
        }
        if stride.contains(where: { $0 < 0 }) {
            torchFail(
                "asStrided", "as_strided: Negative strides are not supported at the moment, got strides: \(stride)",
                file: file, line: line)
        }
        let l = Layout(shape: size, strides: stride, offset: storageOffset ?? layout.offset)
        if let ext = l.storageExtent, (ext.max + 1) * itemSize > storage.byteCount || ext.min < 0 {
            torchFail(
                "asStrided",
                "setStorage: sizes \(size), strides \(stride), storage offset \(l.offset) and itemsize \(itemSize) "
                    + "requiring a storage size of \((ext.max + 1) * itemSize) are out of bounds for storage of size "
                    + "\(storage.byteCount)",
                file: file, line: line)
        }
        return view(layout: l)
    }
}

extension Tensor {
    /// Records a one-input op of this tensor for the tracer (Note [Tracing]); `run` is the op.
    func traced(
        _ op: String, _ attributes: [(String, TraceAttribute)], _ file: StaticString, _ line: UInt,
        _ run: @escaping (Tensor) -> Tensor
    ) -> Tensor {
        Tracing.record1(op, [self], attributes, file: file, line: line) { run($0[0]) }
    }
}
