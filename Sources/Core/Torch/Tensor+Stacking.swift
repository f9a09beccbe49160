import TorchBase

// NumPy-style stacking (`hstack`, `vstack`, `dstack`, `column_stack`), `broadcast_tensors`, and the
// matrices built from a vector (`diagflat`, `vander`), composed from views, `cat` and element-wise
// ops (their gradients come from those).

extension Tensor {
    /// The tensors expanded to their common broadcast shape (`torch.broadcast_tensors`), as views.
    ///
    /// ```swift
    /// let (a, b) = (Tensor.zeros([2, 3]), Tensor([1.0, 2.0, 3.0]))
    /// Tensor.broadcastTensors([a, b]).map { $0.shape }   // [[2, 3], [2, 3]]
    /// ```
    public static func broadcastTensors(
        _ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line
    ) -> [Tensor] {
        guard var shape = tensors.first?.shape else { return [] }
        for t in tensors.dropFirst() {
            shape = Checks.broadcastShapes(shape, t.shape).unwrap("broadcast_tensors", file: file, line: line)
        }
        return tensors.map { $0.expand(shape, file: file, line: line) }
    }

    /// The tensors side by side: along dim 1, or dim 0 for 1-D ones (`torch.hstack`).
    ///
    /// ```swift
    /// Tensor.hstack([Tensor([1.0, 2.0]), Tensor([3.0])])   // [1, 2, 3]
    /// ```
    public static func hstack(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let parts = stackable(tensors, "hstack", file: file, line: line).map { $0.atleast1d() }
        return cat(parts, dim: parts[0].rank == 1 ? 0 : 1, file: file, line: line)
    }

    /// The tensors one above the other, 1-D ones as rows (`torch.vstack`, `torch.row_stack`).
    ///
    /// ```swift
    /// Tensor.vstack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape   // [2, 2]
    /// ```
    public static func vstack(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        cat(stackable(tensors, "vstack", file: file, line: line).map { $0.atleast2d() }, dim: 0, file: file, line: line)
    }

    /// `vstack` under NumPy's other name (`torch.row_stack`).
    public static func rowStack(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        vstack(tensors, file: file, line: line)
    }

    /// The tensors stacked in depth, along dim 2 after `atleast3d` (`torch.dstack`).
    ///
    /// ```swift
    /// Tensor.dstack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape   // [1, 2, 2]
    /// ```
    public static func dstack(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        cat(stackable(tensors, "dstack", file: file, line: line).map { $0.atleast3d() }, dim: 2, file: file, line: line)
    }

    /// 1-D (and 0-d) tensors as columns, beside the columns of 2-D ones (`torch.column_stack`).
    ///
    /// ```swift
    /// Tensor.columnStack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])])   // [[1, 3], [2, 4]]
    /// ```
    public static func columnStack(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let parts = stackable(tensors, "column_stack", file: file, line: line).map {
            $0.rank <= 1 ? $0.reshape([$0.count, 1]) : $0
        }
        return cat(parts, dim: 1, file: file, line: line)
    }

    /// The list, refused when empty as PyTorch refuses it.
    private static func stackable(_ tensors: [Tensor], _ op: String, file: StaticString, line: UInt) -> [Tensor] {
        if tensors.isEmpty { torchFail(op, "\(op) expects a non-empty TensorList", file: file, line: line) }
        return tensors
    }

    /// A 2-D tensor with this tensor's elements (flattened) on the diagonal `offset`
    /// (`torch.diagflat`).
    ///
    /// ```swift
    /// Tensor([1.0, 2.0]).diagflat()   // [[1, 0], [0, 2]]
    /// ```
    public func diagflat(_ offset: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        reshape([-1]).diag(offset, file: file, line: line)
    }

    /// The Vandermonde matrix of a 1-D tensor (`torch.vander`): column j is x^(N−1−j), or x^j
    /// when `increasing`; N defaults to the length of x. Integer and bool inputs give int64.
    ///
    /// ```swift
    /// Tensor.vander(Tensor([1, 2, 3]), n: 3)   // [[1, 1, 1], [4, 2, 1], [9, 3, 1]]
    /// ```
    public static func vander(
        _ x: Tensor, n: Int? = nil, increasing: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if x.rank != 1 { torchFail("vander", "x must be a one-dimensional tensor.", file: file, line: line) }
        let columns = n ?? x.count
        if columns < 0 { torchFail("vander", "N must be non-negative.", file: file, line: line) }
        let base = x.dtype.isFloatingPoint || x.isComplex ? x : x.to(.int64)
        if columns == 0 { return Tensor.zeros([x.count, 0], dtype: base.dtype).to(device: x.device) }
        // x⁰, then running products, as PyTorch builds them (x^j = x^(j−1)·x).
        let powers = base.unsqueeze(1).expand([x.count, columns - 1]).cumprod(dim: 1)
        let result = Tensor.cat([Tensor.onesLike(base).unsqueeze(1), powers], dim: 1)
        return increasing ? result : result.flip([1])
    }
}
