import TorchBase

// Products and contractions composed from the matrix-product primitives (`matmul`, `addmm`)
// and views: trace, diag, diag_embed, kron, tensordot, the batched and vector add-products,
// chains of products, and the triangle index lists. Their gradients come from the primitives.

extension Tensor {
    /// The sum of the main diagonal of a 2-D tensor (`torch.trace`); integers sum to int64.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).trace()   // 5
    /// ```
    public func trace(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank != 2 {
            torchFail("trace", "trace: expected a matrix, but got tensor with dim \(rank)", file: file, line: line)
        }
        if dtype == .bool { torchFail("trace", "\"trace\" not implemented for 'Bool'", file: file, line: line) }
        return diagonal(file: file, line: line).sum()
    }

    /// A 1-D input as the `offset` diagonal of a square matrix, or a 2-D input's `offset`
    /// diagonal as a 1-D copy (`torch.diag`).
    ///
    /// ```swift
    /// Tensor([1, 2]).diag()          // [[1, 0], [0, 2]]
    /// Tensor([[1, 2], [3, 4]]).diag() // [1, 4]
    /// ```
    public func diag(_ offset: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        switch rank {
        case 1: return diagEmbed(offset: offset, dim1: 0, dim2: 1, file: file, line: line)
        case 2: return diagonal(offset: offset, file: file, line: line).contiguous()
        default: torchFail("diag", "diag(): Supports 1D or 2D tensors. Got \(rank)D", file: file, line: line)
        }
    }

    /// Square matrices whose `offset` diagonal (in dims `dim1`, `dim2` of the result) holds the
    /// last dimension of this tensor (`torch.diag_embed`).
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).diagEmbed().shape   // [2, 2, 2]
    /// ```
    public func diagEmbed(
        offset: Int = 0, dim1: Int = -2, dim2: Int = -1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let outRank = rank + 1
        let d1 = normDim(dim1, "diag_embed", file, line, rank: outRank)
        let d2 = normDim(dim2, "diag_embed", file, line, rank: outRank)
        if d1 == d2 {
            torchFail(
                "diag_embed", "diagonal dimensions cannot be identical \(dim1), \(dim2)", file: file, line: line)
        }
        let m = rank == 0 ? 1 : shape[rank - 1]
        let n = m + Swift.abs(offset)
        let lead = Swift.max(0, -offset), trail = Swift.max(0, offset)
        // Element k of the last dimension lands at index k + lead of dim1 and k + trail of dim2:
        // pad it to length n so that index i of dim1 reads it, broadcast over dim2, then keep
        // the positions on the diagonal.
        var v = rank == 0 ? reshape([1]) : self
        if lead + trail > 0 {
            var padShape = v.shape
            padShape[padShape.count - 1] = lead
            let before = Tensor.zeros(padShape, dtype: dtype, device: device)
            padShape[padShape.count - 1] = trail
            let after = Tensor.zeros(padShape, dtype: dtype, device: device)
            v = Tensor.cat([before, v, after], dim: -1)
        }
        let r = v.rank
        var outShape = Array(v.shape.dropLast())
        for d in [Swift.min(d1, d2), Swift.max(d1, d2)] { outShape.insert(n, at: d) }
        let values = v.unsqueeze(-1).movedim([r - 1, r], [d1, d2]).expand(outShape)
        let rows = Tensor.arange(n).unsqueeze(1), cols = Tensor.arange(n).unsqueeze(0)
        let onDiagonal = (cols - rows).eq(Tensor.scalar(Int64(offset), dtype: .int64))
        let mask = onDiagonal.reshape([Int](repeating: 1, count: r - 1) + [n, n]).movedim([r - 1, r], [d1, d2])
        return Tensor.where(
            mask.to(device: device).expand(outShape), values, Tensor.zeros([], dtype: dtype, device: device))
    }
}

extension Tensor {
    /// `t · k` keeping an integral dtype for whole `k` (the add-product scale factors).
    fileprivate static func scaled(_ t: Tensor, _ k: Double) -> Tensor {
        if k == 1 { return t }
        if !t.dtype.isFloatingPoint && k == k.rounded() { return t * Int64(k) }
        return t * k
    }

    /// `beta·input + alpha·product`, ignoring `input` (even NaN) when `beta` is 0, as PyTorch.
    fileprivate static func addProduct(
        _ op: String, _ input: Tensor, _ product: Tensor, beta: Double, alpha: Double, file: StaticString, line: UInt
    ) -> Tensor {
        let target = Checks.broadcastShapes(input.shape, product.shape).unwrap(op, file: file, line: line)
        if target != product.shape {
            torchFail(
                op, "The input of shape \(input.shape) cannot be broadcast to the product's shape \(product.shape)",
                file: file, line: line)
        }
        let p = scaled(product, alpha)
        if beta == 0 { return p + Tensor.zeros([], dtype: input.dtype, device: input.device) }
        return scaled(input, beta).add(p, file: file, line: line)
    }

    /// `beta·input + alpha·(batch1 @ batch2)` over a batch of matrices (`torch.baddbmm`).
    ///
    /// ```swift
    /// let y = Tensor.baddbmm(bias, a, b, beta: 0.5)   // a: [B, n, k], b: [B, k, m]
    /// ```
    public static func baddbmm(
        _ input: Tensor, _ batch1: Tensor, _ batch2: Tensor, beta: Double = 1, alpha: Double = 1,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let p = batch1.bmm(batch2, file: file, line: line)
        return addProduct("baddbmm", input, p, beta: beta, alpha: alpha, file: file, line: line)
    }
    /// `beta·input + alpha·Σᵢ batch1[i] @ batch2[i]` (`torch.addbmm`).
    ///
    /// ```swift
    /// let y = Tensor.addbmm(bias, a, b)   // a: [B, n, k], b: [B, k, m] -> [n, m]
    /// ```
    public static func addbmm(
        _ input: Tensor, _ batch1: Tensor, _ batch2: Tensor, beta: Double = 1, alpha: Double = 1,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let p = batch1.bmm(batch2, file: file, line: line).sum(dims: [0], dtype: batch1.dtype)
        return addProduct("addbmm", input, p, beta: beta, alpha: alpha, file: file, line: line)
    }
    /// `beta·input + alpha·(mat @ vec)` (`torch.addmv`).
    ///
    /// ```swift
    /// let y = Tensor.addmv(bias, W, x)
    /// ```
    public static func addmv(
        _ input: Tensor, _ mat: Tensor, _ vec: Tensor, beta: Double = 1, alpha: Double = 1,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if mat.rank != 2 || vec.rank != 1 {
            torchFail(
                "addmv", "vector + matrix @ vector expected, got \(input.rank), \(mat.rank), \(vec.rank)", file: file,
                line: line)
        }
        let p = mat.mv(vec, file: file, line: line)
        return addProduct("addmv", input, p, beta: beta, alpha: alpha, file: file, line: line)
    }
    /// `beta·input + alpha·outer(vec1, vec2)` (`torch.addr`).
    ///
    /// ```swift
    /// let y = Tensor.addr(m, u, v)
    /// ```
    public static func addr(
        _ input: Tensor, _ vec1: Tensor, _ vec2: Tensor, beta: Double = 1, alpha: Double = 1,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if vec1.rank != 1 || vec2.rank != 1 {
            torchFail(
                "addr", "addr: Expected 1-D argument vec1, but got \(vec1.rank)-D", file: file, line: line)
        }
        let p = vec1.outer(vec2, file: file, line: line)
        return addProduct("addr", input, p, beta: beta, alpha: alpha, file: file, line: line)
    }

    /// The cross product of 3-vectors along `dim` (`torch.cross`); without `dim`, along the
    /// first dimension of size 3, as PyTorch's legacy default.
    ///
    /// ```swift
    /// Tensor([1.0, 0, 0]).cross(Tensor([0.0, 1, 0]))   // [0, 0, 1]
    /// ```
    public func cross(_ other: Tensor, dim: Int? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if let dim { return Linalg.cross(self, other, dim: dim, file: file, line: line) }
        if rank != other.rank {
            torchFail(
                "linalg.cross", "linalg.cross: inputs must have the same number of dimensions.", file: file, line: line)
        }
        let shape = Checks.broadcastShapes(shape, other.shape).unwrap("cross", file: file, line: line)
        guard let first = shape.firstIndex(of: 3) else {
            torchFail("cross", "no dimension of size 3 in input", file: file, line: line)
        }
        return Linalg.cross(self, other, dim: first, file: file, line: line)
    }

    /// The inner product over the last dimension (`torch.inner`): [*a, k] and [*b, k] give
    /// [*a, *b]; a 0-d operand multiplies. Otherwise both operands must have one dtype.
    ///
    /// ```swift
    /// Tensor([1.0, 2.0]).inner(Tensor([[3.0, 4.0], [5.0, 6.0]]))   // [11, 17]
    /// ```
    public func inner(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        // A 0-d operand multiplies, promoting as `mul` does.
        if rank == 0 || other.rank == 0 { return mul(other, file: file, line: line) }
        if shape[rank - 1] != other.shape[other.rank - 1] {
            torchFail(
                "inner",
                "inner() the last dimension must match on both input tensors but got shapes \(shape) and "
                    + "\(other.shape)", file: file, line: line)
        }
        if dtype != other.dtype {
            torchFail("inner", "both inputs should have same dtype", file: file, line: line)
        }
        return tensordot(other, dims: ([rank - 1], [other.rank - 1]), file: file, line: line)
    }

    /// The dot product of two 1-D tensors with the first conjugated (`torch.vdot`): Σ conj(xᵢ)·yᵢ.
    ///
    /// ```swift
    /// Tensor([1.0, 2.0]).vdot(Tensor([3.0, 4.0]))   // 11
    /// ```
    public func vdot(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank != 1 || other.rank != 1 {
            torchFail(
                "vdot", "1D tensors expected, but got \(rank)D and \(other.rank)D tensors", file: file, line: line)
        }
        if dtype != other.dtype {
            torchFail(
                "vdot",
                "dot : expected both vectors to have same dtype, but found \(dtype.pytorchName) and "
                    + "\(other.dtype.pytorchName)", file: file, line: line)
        }
        if count != other.count {
            torchFail(
                "vdot",
                "inconsistent tensor size, expected tensor [\(count)] and src [\(other.count)] to have the same number "
                    + "of elements, but got \(count) and \(other.count) elements respectively", file: file, line: line)
        }
        return (isComplex ? conj() : self).dot(other, file: file, line: line)
    }

    /// The Kronecker product (`torch.kron`): blocks `self[i] · other`, over every dimension.
    ///
    /// ```swift
    /// Tensor([[1, 2]]).kron(Tensor([[1], [10]]))   // [[1, 2], [10, 20]]
    /// ```
    public func kron(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let r = Swift.max(rank, other.rank)
        let a = reshape([Int](repeating: 1, count: r - rank) + shape)
        let b = other.reshape([Int](repeating: 1, count: r - other.rank) + other.shape)
        var aShape: [Int] = [], bShape: [Int] = [], outShape: [Int] = []
        for i in 0..<r {
            aShape += [a.shape[i], 1]
            bShape += [1, b.shape[i]]
            outShape.append(a.shape[i] * b.shape[i])
        }
        return a.reshape(aShape).mul(b.reshape(bShape)).reshape(outShape)
    }

    /// Contracts the last `dims` dimensions of self with the first `dims` of other
    /// (`torch.tensordot(a, b, dims=n)`).
    ///
    /// ```swift
    /// a.tensordot(b, dims: 2)   // a: [2, 3, 4], b: [3, 4, 5] -> [2, 5]
    /// ```
    public func tensordot(_ other: Tensor, dims: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if dims < 0 {
            torchFail("tensordot", "tensordot expects dims >= 0, but got dims=\(dims)", file: file, line: line)
        }
        if dims > rank || dims > other.rank {
            torchFail(
                "tensordot", "tensordot expects dims < ndim_a or ndim_b, but got dims=\(dims)", file: file, line: line)
        }
        return tensordot(
            other, dims: (Array(rank - dims..<rank), Array(0..<dims)), file: file, line: line)
    }
    /// Contracts dimensions `dims.0` of self with `dims.1` of other, pairwise
    /// (`torch.tensordot(a, b, dims=([..], [..]))`); the result has self's free dimensions, then
    /// other's.
    ///
    /// ```swift
    /// a.tensordot(b, dims: ([1], [0]))   // a matrix product
    /// ```
    public func tensordot(
        _ other: Tensor, dims: ([Int], [Int]), file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if dims.0.count != dims.1.count {
            torchFail(
                "tensordot", "both dimension lists should have same length", file: file, line: line)
        }
        let ca = dims.0.map { normDim($0, "tensordot", file, line) }
        let cb = dims.1.map { other.normDim($0, "tensordot", file, line) }
        for (x, y) in zip(ca, cb) where shape[x] != other.shape[y] {
            torchFail(
                "tensordot",
                "contracted dimensions need to match, but first has size \(shape[x]) in dim \(x) and second has "
                    + "size \(other.shape[y]) in dim \(y)", file: file, line: line)
        }
        let freeA = (0..<rank).filter { !ca.contains($0) }, freeB = (0..<other.rank).filter { !cb.contains($0) }
        let k = ca.reduce(1) { $0 * shape[$1] }
        let m = freeA.reduce(1) { $0 * shape[$1] }, n = freeB.reduce(1) { $0 * other.shape[$1] }
        let a2 = permute(freeA + ca, file: file, line: line).reshape([m, k])
        let b2 = other.permute(cb + freeB, file: file, line: line).reshape([k, n])
        return a2.mm(b2, file: file, line: line).reshape(freeA.map { shape[$0] } + freeB.map { other.shape[$0] })
    }

    /// The product of a chain of matrices (`torch.linalg.multi_dot`): the first may be 1-D (a
    /// row) and the last 1-D (a column), which are then dropped from the result.
    ///
    /// ```swift
    /// Tensor.multiDot([a, b, c])   // a @ b @ c
    /// ```
    public static func multiDot(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if tensors.count < 2 {
            torchFail(
                "multi_dot", "multi_dot(): expected at least 2 tensors but got \(tensors.count)", file: file,
                line: line)
        }
        for (i, t) in tensors.enumerated() {
            let edge = i == 0 || i == tensors.count - 1
            if t.rank != 2 && !(edge && t.rank == 1) {
                torchFail(
                    "multi_dot",
                    edge
                        ? "multi_dot(): the \(i == 0 ? "first" : "last") tensor must be 1D or 2D but got \(t.rank)D"
                        : "multi_dot(): tensor \(i) must be 2D but got \(t.rank)D", file: file, line: line)
            }
        }
        let firstRow = tensors[0].rank == 1, lastColumn = tensors[tensors.count - 1].rank == 1
        var mats = tensors
        if firstRow { mats[0] = mats[0].unsqueeze(0) }
        if lastColumn { mats[mats.count - 1] = mats[mats.count - 1].unsqueeze(1) }
        var out = mats[0]
        for m in mats.dropFirst() { out = out.mm(m, file: file, line: line) }
        if firstRow { out = out.squeeze(0) }
        if lastColumn { out = out.squeeze(-1) }
        return out
    }
    /// The product of a chain of 2-D matrices (`torch.chain_matmul`, deprecated in PyTorch for
    /// `multi_dot`).
    ///
    /// ```swift
    /// Tensor.chainMatmul([a, b, c])
    /// ```
    public static func chainMatmul(_ matrices: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if matrices.isEmpty {
            torchFail("chain_matmul", "chain_matmul(): Expected one or more matrices", file: file, line: line)
        }
        for t in matrices where t.rank != 2 {
            torchFail("chain_matmul", "Tensor dimension is \(t.rank), expected 2 instead.", file: file, line: line)
        }
        if matrices.count == 1 { return matrices[0].clone() }
        return multiDot(matrices, file: file, line: line)
    }

    /// The coordinates of the lower triangle (on and below the `offset` diagonal) of a `row`×`col`
    /// matrix, as a [2, N] int64 tensor in row-major order (`torch.tril_indices`).
    ///
    /// ```swift
    /// Tensor.trilIndices(3, 3)   // [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    /// ```
    public static func trilIndices(_ row: Int, _ col: Int, offset: Int = 0) -> Tensor {
        triangleIndices(row, col) { r, c in c - r <= offset }
    }
    /// The coordinates of the upper triangle (on and above the `offset` diagonal), as
    /// `trilIndices` (`torch.triu_indices`).
    ///
    /// ```swift
    /// Tensor.triuIndices(2, 3)   // [[0, 0, 0, 1, 1], [0, 1, 2, 1, 2]]
    /// ```
    public static func triuIndices(_ row: Int, _ col: Int, offset: Int = 0) -> Tensor {
        triangleIndices(row, col) { r, c in c - r >= offset }
    }
    private static func triangleIndices(_ row: Int, _ col: Int, _ keep: (Int, Int) -> Bool) -> Tensor {
        var rows: [Int64] = [], cols: [Int64] = []
        for r in 0..<Swift.max(row, 0) {
            for c in 0..<Swift.max(col, 0) where keep(r, c) {
                rows.append(Int64(r))
                cols.append(Int64(c))
            }
        }
        return Tensor(flat: rows + cols, shape: [2, rows.count], dtype: .int64)
    }
}
