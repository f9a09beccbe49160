import TorchBase

// Note [Sparse gradients]
// PyTorch's `nn.Embedding(sparse=True)` gives its weight a sparse COO gradient: the rows looked
// up and their gradients, never a dense [numEmbeddings, dim] tensor. `SparseAdam`, plain `SGD`
// and `Adagrad` update only those rows. SwiftTorch has no sparse layout inside `Tensor` (every
// kernel would have to refuse it); a sparse gradient is a `SparseTensor` kept in the leaf's
// `sparseGrad`, next to `grad`. The op that produces one (the sparse embedding) records a node
// whose backward appends its rows there (uncoalesced, as PyTorch accumulates), so the engine
// sends nothing dense to the leaf. Optimizers that cannot use it refuse it by name rather than
// skip the parameter; `zeroGrad` clears it; gradient clipping counts it.

/// A sparse COO tensor (PyTorch's `torch.sparse_coo_tensor`): `indices` [sparseDim, nnz] (int64)
/// name the positions of the first `sparseDim` dimensions, `values` [nnz, dense dims…] hold
/// what is there; positions may repeat until `coalesce()` sums them.
///
/// ```swift
/// let s = SparseTensor(indices: Tensor([[0, 2, 0]]), values: Tensor([[1.0], [2.0], [3.0]]), size: [3, 1])
/// s.coalesce().values   // [[4], [2]]
/// s.toDense()           // [[4], [0], [2]]
/// ```
public struct SparseTensor: CustomStringConvertible {
    /// [sparseDim, nnz] int64 positions.
    public let indices: Tensor
    /// [nnz] + the dense dimensions' sizes.
    public let values: Tensor
    /// The dense shape.
    public let shape: [Int]
    /// Whether the positions are sorted and distinct (`is_coalesced()`).
    public let isCoalesced: Bool

    /// A sparse tensor from its positions and values, checked as PyTorch checks
    /// `sparse_coo_tensor`.
    public init(
        indices: Tensor, values: Tensor, size: [Int], file: StaticString = #fileID, line: UInt = #line
    ) {
        let op = "sparse_coo_tensor"
        if indices.dtype != .int64 {
            torchFail(op, "indices must be an int64 tensor", file: file, line: line)
        }
        if indices.rank != 2 {
            torchFail(op, "indices must be sparse_dim x nnz, but got: \(indices.shape)", file: file, line: line)
        }
        let (sd, nnz) = (indices.shape[0], indices.shape[1])
        if sd < 1 {
            torchFail(op, "indices must have at least one sparse dimension", file: file, line: line)
        }
        if values.rank < 1 || values.shape[0] != nnz {
            torchFail(
                op, "number of values (\(values.rank == 0 ? 1 : values.shape[0])) must match nnz (\(nnz))",
                file: file, line: line)
        }
        if sd + values.rank - 1 != size.count {
            torchFail(
                op,
                "number of dimensions must be sparse_dim (\(sd)) + dense_dim (\(values.rank - 1)), but got "
                    + "\(size.count)", file: file, line: line)
        }
        if Array(values.shape.dropFirst()) != Array(size[sd...]) {
            torchFail(
                op, "values has incorrect size, expected \([nnz] + Array(size[sd...])), got \(values.shape)",
                file: file, line: line)
        }
        let idx = indices.toArray(Int64.self)
        for d in 0..<sd {
            for j in 0..<nnz where idx[d * nnz + j] < 0 || idx[d * nnz + j] >= size[d] {
                torchFail(
                    op,
                    "size is inconsistent with indices: for dim \(d), size is \(size[d]) but found index "
                        + "\(idx[d * nnz + j])", file: file, line: line)
            }
        }
        self.init(unchecked: indices, values, size, coalesced: false)
    }

    /// A sparse tensor whose positions are known to be in range (rows an index_select has
    /// already checked): no host pass over the indices.
    package init(unchecked indices: Tensor, _ values: Tensor, _ shape: [Int], coalesced: Bool) {
        self.indices = indices
        self.values = values
        self.shape = shape
        isCoalesced = coalesced
    }

    /// The number of sparse dimensions (rows of `indices`).
    public var sparseDim: Int { indices.shape[0] }
    /// The number of dense dimensions (of each value).
    public var denseDim: Int { values.rank - 1 }
    /// The number of stored positions (`_nnz()`).
    public var nnz: Int { indices.shape[1] }
    /// The values' dtype.
    public var dtype: DType { values.dtype }

    /// Repeated positions summed, positions sorted (`coalesce()`).
    public func coalesce() -> SparseTensor {
        if isCoalesced { return self }
        let (sd, n) = (sparseDim, nnz)
        let idx = indices.toArray(Int64.self)
        var keys = [Int](repeating: 0, count: n)
        for d in 0..<sd { for j in 0..<n { keys[j] = keys[j] * shape[d] + Int(idx[d * n + j]) } }
        let order = (0..<n).sorted { keys[$0] < keys[$1] }
        var unique: [Int] = []
        var inverse = [Int64](repeating: 0, count: n)
        for j in order {
            if unique.last != keys[j] { unique.append(keys[j]) }
            inverse[j] = Int64(unique.count - 1)
        }
        var newIdx = [Int64](repeating: 0, count: sd * unique.count)
        for (u, key) in unique.enumerated() {
            var k = key
            for d in stride(from: sd - 1, through: 0, by: -1) {
                newIdx[d * unique.count + u] = Int64(k % shape[d])
                k /= shape[d]
            }
        }
        let summed = Torch.noGrad {
            Tensor.zeros([unique.count] + Array(values.shape.dropFirst()), dtype: dtype, device: values.device)
                .indexAdd_(0, Tensor(shape: [n], scalars: inverse).to(device: values.device), values)
        }
        let newIndices = Tensor(shape: [sd, unique.count], scalars: newIdx).to(device: indices.device)
        return SparseTensor(unchecked: newIndices, summed, shape, coalesced: true)
    }

    /// The dense tensor (`to_dense()`): zeros with the values added at their positions.
    public func toDense() -> Tensor {
        let c = coalesce()
        let dense = Tensor.zeros(shape, dtype: dtype, device: values.device)
        if c.nnz == 0 { return dense }
        let rows = Torch.noGrad { c.linearRows() }
        return Torch.noGrad {
            dense.reshape([shape[..<sparseDim].reduce(1, *)] + Array(shape[sparseDim...]))
                .indexAdd_(0, rows, c.values).reshape(shape)
        }
    }

    /// The positions as rows of the dense tensor with its sparse dimensions flattened.
    func linearRows() -> Tensor {
        var rows = indices[0]
        for d in 1..<sparseDim { rows = rows * shape[d] + indices[d] }
        return rows
    }

    /// The two tensors' entries together, uncoalesced (`a + b` of sparse tensors, as a gradient
    /// accumulates).
    public static func + (a: SparseTensor, b: SparseTensor) -> SparseTensor {
        precondition(a.shape == b.shape && a.sparseDim == b.sparseDim, "sparse add: shapes differ")
        return SparseTensor(
            unchecked: Tensor.cat([a.indices, b.indices], dim: 1), Tensor.cat([a.values, b.values], dim: 0), a.shape,
            coalesced: false)
    }

    /// The same positions with other values (`make_sparse` in PyTorch's optimizers).
    public func withValues(_ v: Tensor) -> SparseTensor {
        SparseTensor(unchecked: indices, v, shape, coalesced: isCoalesced)
    }

    /// The values of the dense tensor `t` at this tensor's positions (`t.sparse_mask(self)`'s
    /// values), in this tensor's order.
    public func gather(from t: Tensor) -> Tensor {
        let flat = t.reshape([shape[..<sparseDim].reduce(1, *)] + Array(shape[sparseDim...]))
        return flat.indexSelect(0, linearRows())
    }

    /// Adds `alpha · values` into the dense tensor `t` at the positions, in place (`t.add_(sparse)`).
    public func addInto(_ t: Tensor, alpha: Double = 1) {
        if nnz == 0 { return }
        let flat = t.reshape([shape[..<sparseDim].reduce(1, *)] + Array(shape[sparseDim...]))
        precondition(t.isContiguous, "SparseTensor.addInto: the dense tensor must be contiguous")
        flat.indexAdd_(0, linearRows(), values, alpha: alpha)
    }

    public var description: String {
        "SparseTensor(indices: \(indices.shape), values: \(values.shape), size: \(shape), nnz: \(nnz))"
    }
}
