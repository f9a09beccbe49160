import TorchBase

// Shape operations composed from views and the structural primitives (so their gradients come
// from those): moving and swapping dimensions, at-least-n-d, splitting by sections or indices,
// rotation, grids, block diagonals and taking along a dimension.

/// How `Tensor.meshgrid` orders its outputs' dimensions (PyTorch's `indexing=`).
public enum MeshgridIndexing: Sendable {
    /// Matrix indexing: output dimension i follows input i.
    case ij
    /// Cartesian indexing: the first two dimensions swapped (NumPy's default).
    case xy
}

extension Tensor {
    /// The dimensions `source` moved to the positions `destination`, the others keeping their
    /// order (`torch.movedim`); a view.
    ///
    /// ```swift
    /// Tensor.zeros([2, 3, 4]).movedim([0], [2]).shape   // [3, 4, 2]
    /// ```
    public func movedim(_ source: [Int], _ destination: [Int], file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if source.count != destination.count {
            torchFail(
                "movedim",
                "movedim: Invalid source or destination dims: source (\(source) dims) should contain the same "
                    + "number of dims as destination (\(destination) dims)", file: file, line: line)
        }
        let src = source.map { normDim($0, "movedim", file, line) }
        let dst = destination.map { normDim($0, "movedim", file, line) }
        if Set(src).count != src.count {
            torchFail("movedim", "movedim: repeated dim in `source` (\(source))", file: file, line: line)
        }
        if Set(dst).count != dst.count {
            torchFail("movedim", "movedim: repeated dim in `destination` (\(destination))", file: file, line: line)
        }
        var order = [Int](repeating: -1, count: rank)
        for (s, d) in zip(src, dst) { order[d] = s }
        var rest = (0..<rank).filter { !src.contains($0) }.makeIterator()
        for i in 0..<rank where order[i] < 0 { order[i] = rest.next()! }
        return permute(order, file: file, line: line)
    }
    /// `movedim` of one dimension.
    ///
    /// ```swift
    /// Tensor.zeros([2, 3, 4]).movedim(-1, 0).shape   // [4, 2, 3]
    /// ```
    public func movedim(_ source: Int, _ destination: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        movedim([source], [destination], file: file, line: line)
    }
    /// `movedim` (`torch.moveaxis`, NumPy's name).
    ///
    /// ```swift
    /// Tensor.zeros([2, 3]).moveaxis(0, 1).shape   // [3, 2]
    /// ```
    public func moveaxis(_ source: Int, _ destination: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor
    {
        movedim([source], [destination], file: file, line: line)
    }
    /// `transpose` (`torch.swapaxes`, NumPy's name; also `swapdims`).
    ///
    /// ```swift
    /// Tensor.zeros([2, 3]).swapaxes(0, 1).shape   // [3, 2]
    /// ```
    public func swapaxes(_ a: Int, _ b: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        transpose(a, b, file: file, line: line)
    }
    /// `transpose` (`torch.swapdims`).
    ///
    /// ```swift
    /// Tensor.zeros([2, 3]).swapdims(0, 1).shape   // [3, 2]
    /// ```
    public func swapdims(_ a: Int, _ b: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        transpose(a, b, file: file, line: line)
    }
    /// This tensor with at least one dimension (`torch.atleast_1d`): a 0-d one becomes [1].
    ///
    /// ```swift
    /// Tensor.scalar(3.0, dtype: .float32).atleast1d().shape   // [1]
    /// ```
    public func atleast1d() -> Tensor { rank == 0 ? reshape([1]) : self }
    /// This tensor with at least two dimensions (`torch.atleast_2d`): [n] becomes [1, n].
    ///
    /// ```swift
    /// Tensor([1.0, 2.0]).atleast2d().shape   // [1, 2]
    /// ```
    public func atleast2d() -> Tensor {
        switch rank {
        case 0: return reshape([1, 1])
        case 1: return unsqueeze(0)
        default: return self
        }
    }
    /// This tensor with at least three dimensions (`torch.atleast_3d`): [n] becomes [1, n, 1] and
    /// [m, n] becomes [m, n, 1].
    ///
    /// ```swift
    /// Tensor([1.0, 2.0]).atleast3d().shape   // [1, 2, 1]
    /// ```
    public func atleast3d() -> Tensor {
        switch rank {
        case 0: return reshape([1, 1, 1])
        case 1: return unsqueeze(0).unsqueeze(-1)
        case 2: return unsqueeze(-1)
        default: return self
        }
    }

    /// `sections` views along `dim` whose sizes differ by at most one, the larger first
    /// (`torch.tensor_split(x, sections, dim)`); unlike `chunk`, always exactly `sections` pieces.
    ///
    /// ```swift
    /// Tensor.arange(7).tensorSplit(sections: 3).map { $0.shape }   // [[3], [2], [2]]
    /// ```
    public func tensorSplit(sections: Int, dim: Int = 0, file: StaticString = #fileID, line: UInt = #line)
        -> [Tensor]
    {
        if rank == 0 {
            torchFail(
                "tensor_split", "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims",
                file: file, line: line)
        }
        if sections <= 0 {
            torchFail(
                "tensor_split", "number of sections must be larger than 0, got \(sections)", file: file, line: line)
        }
        let d = normDim(dim, "tensor_split", file, line)
        let n = shape[d]
        let small = n / sections, extra = n % sections
        var start = 0
        return (0..<sections).map { i in
            let len = small + (i < extra ? 1 : 0)
            defer { start += len }
            return narrow(d, start: start, length: len, file: file, line: line)
        }
    }
    /// Views along `dim` split before each of `indices` (`torch.tensor_split(x, indices, dim)`);
    /// indices past the end give empty pieces.
    ///
    /// ```swift
    /// Tensor.arange(6).tensorSplit(indices: [1, 4]).map { $0.shape }   // [[1], [3], [2]]
    /// ```
    public func tensorSplit(indices: [Int], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line)
        -> [Tensor]
    {
        if rank == 0 {
            torchFail(
                "tensor_split", "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims",
                file: file, line: line)
        }
        let d = normDim(dim, "tensor_split", file, line)
        let n = shape[d]
        // Piece i is x[indices[i-1]:indices[i]] with Python's slice rules (negative indices count
        // from the end, out-of-range ones clamp).
        func clamp(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + n : i, 0), n) }
        var pieces: [Tensor] = []
        var previous = 0
        for index in indices + [n] {
            let start = clamp(previous), stop = clamp(index)
            pieces.append(narrow(d, start: start, length: Swift.max(stop - start, 0), file: file, line: line))
            previous = index
        }
        return pieces
    }
    /// Splits along `dim` into `sections` equal pieces, refusing sizes that do not divide (the
    /// shared rule of `hsplit`, `vsplit` and `dsplit`).
    private func evenSplit(_ op: String, _ sections: Int, dim: Int, file: StaticString, line: UInt) -> [Tensor] {
        if sections == 0 || shape[dim] % sections != 0 {
            torchFail(
                op,
                "torch.\(op) attempted to split along dimension \(dim), but the size of the dimension \(shape[dim]) "
                    + "is not divisible by the split_size \(sections)!", file: file, line: line)
        }
        return tensorSplit(sections: sections, dim: dim, file: file, line: line)
    }
    /// Splits column-wise (dim 1, or 0 for 1-D) into `sections` equal pieces (`torch.hsplit`).
    ///
    /// ```swift
    /// Tensor.zeros([2, 4]).hsplit(2).map { $0.shape }   // [[2, 2], [2, 2]]
    /// ```
    public func hsplit(_ sections: Int, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        if rank == 0 {
            torchFail(
                "hsplit",
                "torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!",
                file: file, line: line)
        }
        return evenSplit("hsplit", sections, dim: rank == 1 ? 0 : 1, file: file, line: line)
    }
    /// `hsplit` before each of `indices`.
    ///
    /// ```swift
    /// Tensor.zeros([2, 4]).hsplit(indices: [1]).map { $0.shape }   // [[2, 1], [2, 3]]
    /// ```
    public func hsplit(indices: [Int], file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        if rank == 0 {
            torchFail(
                "hsplit",
                "torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!",
                file: file, line: line)
        }
        return tensorSplit(indices: indices, dim: rank == 1 ? 0 : 1, file: file, line: line)
    }
    /// Splits row-wise (dim 0) into `sections` equal pieces (`torch.vsplit`); at least 2-D.
    ///
    /// ```swift
    /// Tensor.zeros([4, 2]).vsplit(2).map { $0.shape }   // [[2, 2], [2, 2]]
    /// ```
    public func vsplit(_ sections: Int, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        requireRank(2, "vsplit", file: file, line: line)
        return evenSplit("vsplit", sections, dim: 0, file: file, line: line)
    }
    /// `vsplit` before each of `indices`.
    ///
    /// ```swift
    /// Tensor.zeros([4, 2]).vsplit(indices: [3]).map { $0.shape }   // [[3, 2], [1, 2]]
    /// ```
    public func vsplit(indices: [Int], file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        requireRank(2, "vsplit", file: file, line: line)
        return tensorSplit(indices: indices, dim: 0, file: file, line: line)
    }
    /// Splits depth-wise (dim 2) into `sections` equal pieces (`torch.dsplit`); at least 3-D.
    ///
    /// ```swift
    /// Tensor.zeros([1, 1, 4]).dsplit(2).map { $0.shape }   // [[1, 1, 2], [1, 1, 2]]
    /// ```
    public func dsplit(_ sections: Int, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        requireRank(3, "dsplit", file: file, line: line)
        return evenSplit("dsplit", sections, dim: 2, file: file, line: line)
    }
    /// `dsplit` before each of `indices`.
    ///
    /// ```swift
    /// Tensor.zeros([1, 1, 4]).dsplit(indices: [1]).map { $0.shape }   // [[1, 1, 1], [1, 1, 3]]
    /// ```
    public func dsplit(indices: [Int], file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        requireRank(3, "dsplit", file: file, line: line)
        return tensorSplit(indices: indices, dim: 2, file: file, line: line)
    }
    private func requireRank(_ n: Int, _ op: String, file: StaticString, line: UInt) {
        if rank < n {
            torchFail(
                op,
                "torch.\(op) requires a tensor with at least \(n) dimension, but got a tensor with \(rank) dimensions!",
                file: file, line: line)
        }
    }

    /// Rotates by 90° `k` times in the plane of `dims`, from the first towards the second
    /// (`torch.rot90`).
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).rot90()   // [[2, 4], [1, 3]]
    /// ```
    public func rot90(_ k: Int = 1, dims: [Int] = [0, 1], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if dims.count != 2 {
            torchFail(
                "rot90", "expected total rotation dims == 2, but got dims = \(dims.count)", file: file, line: line)
        }
        if rank < 2 {
            torchFail("rot90", "expected total dims >= 2, but got total dims = \(rank)", file: file, line: line)
        }
        let a = normDim(dims[0], "rot90", file, line), b = normDim(dims[1], "rot90", file, line)
        if a == b {
            torchFail(
                "rot90", "expected rotation dims to be different, but got dim0 = \(a) and dim1 = \(b)", file: file,
                line: line)
        }
        switch ((k % 4) + 4) % 4 {
        case 1: return flip([b], file: file, line: line).transpose(a, b, file: file, line: line)
        case 2: return flip([a, b], file: file, line: line)
        case 3: return flip([a], file: file, line: line).transpose(a, b, file: file, line: line)
        default: return clone()
        }
    }

    /// Coordinate grids from 1-D (or 0-d) tensors (`torch.meshgrid`): output i holds input i's
    /// values broadcast over the grid of all the inputs' sizes.
    ///
    /// ```swift
    /// let g = Tensor.meshgrid([Tensor([1, 2]), Tensor([3, 4, 5])], indexing: .ij)   // two [2, 3] grids
    /// ```
    public static func meshgrid(
        _ tensors: [Tensor], indexing: MeshgridIndexing = .ij, file: StaticString = #fileID, line: UInt = #line
    ) -> [Tensor] {
        if tensors.isEmpty {
            torchFail("meshgrid", "meshgrid expects a non-empty TensorList", file: file, line: line)
        }
        for t in tensors where t.rank > 1 {
            torchFail(
                "meshgrid", "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: \(t.rank)D",
                file: file, line: line)
        }
        for t in tensors.dropFirst() where t.dtype != tensors[0].dtype || t.device != tensors[0].device {
            torchFail(
                "meshgrid", "torch.meshgrid: Expected all tensors in the tensor list to have the same dtype and device",
                file: file, line: line)
        }
        var inputs = tensors
        let swap = indexing == .xy && inputs.count >= 2
        if swap { inputs.swapAt(0, 1) }
        let sizes = inputs.map { $0.count }
        var grids = inputs.enumerated().map { i, t -> Tensor in
            var view = [Int](repeating: 1, count: sizes.count)
            view[i] = sizes[i]
            return t.reshape(view).expand(sizes)
        }
        if swap { grids.swapAt(0, 1) }
        return grids
    }

    /// The Cartesian product of 1-D tensors as rows of a [∏ sizes, count] tensor
    /// (`torch.cartesian_prod`; one input is returned as it is).
    ///
    /// ```swift
    /// Tensor.cartesianProd([Tensor([1, 2]), Tensor([3, 4])])   // [[1, 3], [1, 4], [2, 3], [2, 4]]
    /// ```
    public static func cartesianProd(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        for t in tensors where t.rank != 1 {
            torchFail(
                "cartesian_prod", "Expect a 1D vector, but got shape \(t.shape)", file: file, line: line)
        }
        if tensors.count == 1 { return tensors[0] }
        let grids = meshgrid(tensors, indexing: .ij, file: file, line: line)
        return Tensor.stack(grids.map { $0.flatten() }, dim: 1, file: file, line: line)
    }

    /// The block-diagonal matrix of the inputs (each 0-d, 1-D as one row, or 2-D), in their
    /// promoted dtype (`torch.block_diag`).
    ///
    /// ```swift
    /// Tensor.blockDiag([Tensor([[1, 2]]), Tensor([[3], [4]])]).shape   // [3, 3]
    /// ```
    public static func blockDiag(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        for (i, t) in tensors.enumerated() where t.rank > 2 {
            torchFail(
                "block_diag",
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input \(i) has \(t.rank) dimensions",
                file: file, line: line)
        }
        let blocks = tensors.map { t -> Tensor in
            switch t.rank {
            case 0: return t.reshape([1, 1])
            case 1: return t.unsqueeze(0)
            default: return t
            }
        }
        let dtype =
            tensors.isEmpty
            ? Torch.defaultDType : resultType(tensors.map { .tensor($0.dtype, isZeroDim: $0.rank == 0) })
        let rows = blocks.reduce(0) { $0 + $1.shape[0] }, cols = blocks.reduce(0) { $0 + $1.shape[1] }
        var pieces: [Tensor] = []
        var col = 0
        for b in blocks {
            let left = Tensor.zeros([b.shape[0], col], dtype: dtype, device: b.device)
            let right = Tensor.zeros([b.shape[0], cols - col - b.shape[1]], dtype: dtype, device: b.device)
            pieces.append(Tensor.cat([left, b.to(dtype), right], dim: 1, file: file, line: line))
            col += b.shape[1]
        }
        if pieces.isEmpty { return Tensor.zeros([rows, cols], dtype: dtype) }
        return Tensor.cat(pieces, dim: 0, file: file, line: line)
    }

    /// Values at `indices` along `dim`, broadcasting the other dimensions (`torch.take_along_dim`);
    /// with no `dim`, both are flattened first.
    ///
    /// ```swift
    /// let top = x.takeAlongDim(x.argmax(dim: 1, keepdim: true), dim: 1)
    /// ```
    public func takeAlongDim(_ indices: Tensor, dim: Int? = nil, file: StaticString = #fileID, line: UInt = #line)
        -> Tensor
    {
        if indices.dtype != .int64 {
            torchFail(
                "take_along_dim",
                "torch.take_along_dim(): dtype of indices should be Long but got \(indices.dtype.pytorchName)",
                file: file, line: line)
        }
        guard let dim else { return flatten().gather(0, indices.flatten(), file: file, line: line) }
        if rank != indices.rank {
            torchFail(
                "take_along_dim",
                "torch.take_along_dim(): input and indices should have the same number of dimensions, but got "
                    + "\(rank) dimensions for input, and \(indices.rank) dimensions for indices", file: file,
                line: line)
        }
        let d = normDim(dim, "take_along_dim", file, line)
        var selfShape = shape, indexShape = indices.shape
        selfShape[d] = 1
        indexShape[d] = 1
        let common = Checks.broadcastShapes(selfShape, indexShape).unwrap("take_along_dim", file: file, line: line)
        var selfTarget = common, indexTarget = common
        selfTarget[d] = shape[d]
        indexTarget[d] = indices.shape[d]
        return expand(selfTarget).gather(d, indices.expand(indexTarget), file: file, line: line)
    }
}
