import TorchBase

// Pairwise distances (`cdist`, `pdist`), `renorm`, and the trapezoidal rule, composed from
// reductions, matrix products and element-wise ops (their gradients come from those).

extension Tensor {
    /// The p-norm distances between the rows of `x1` [*, P, M] and `x2` [*, R, M], batched
    /// (`torch.cdist`): [*, P, R]. For p = 2 with more than 25 rows on either side the squared
    /// distances come from one matrix product (PyTorch's default `use_mm_for_euclid_dist_if_necessary`).
    ///
    /// ```swift
    /// Tensor.cdist(Tensor([[0.0, 0.0]]), Tensor([[3.0, 4.0]]))   // [[5]]
    /// ```
    public static func cdist(
        _ x1: Tensor, _ x2: Tensor, p: Double = 2, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        func fail(_ message: String) -> Never { torchFail("cdist", message, file: file, line: line) }
        if x1.rank < 2 { fail("cdist only supports at least 2D tensors, X1 got: \(x1.rank)D") }
        if x2.rank < 2 { fail("cdist only supports at least 2D tensors, X2 got: \(x2.rank)D") }
        let m1 = x1.shape[x1.rank - 1], m2 = x2.shape[x2.rank - 1]
        if m1 != m2 { fail("X1 and X2 must have the same number of columns. X1: \(m1) X2: \(m2)") }
        if !x1.dtype.isFloatingPoint {
            fail("cdist only supports floating-point dtypes, X1 got: \(x1.dtype.pytorchName)")
        }
        if !x2.dtype.isFloatingPoint {
            fail("cdist only supports floating-point dtypes, X2 got: \(x2.dtype.pytorchName)")
        }
        if p < 0 { fail("cdist only supports non-negative p values") }
        let batch = Checks.broadcastShapes(Array(x1.shape.dropLast(2)), Array(x2.shape.dropLast(2))).unwrap(
            "cdist", file: file, line: line)
        let r1 = x1.shape[x1.rank - 2], r2 = x2.shape[x2.rank - 2]
        let a = x1.expand(batch + [r1, m1]), b = x2.expand(batch + [r2, m2])
        if p == 2 && (r1 > 25 || r2 > 25) {
            // ‖a‖² + ‖b‖² − 2 a·bᵀ, clamped at 0 before the square root (PyTorch's _euclidean_dist).
            let aa = a.square().sum(dims: [-1], keepdim: true), bb = b.square().sum(dims: [-1], keepdim: true)
            let d2 = (aa - a.matmul(b.mT) * 2 + bb.mT).clamp(min: 0)
            return d2.sqrt()
        }
        return (a.unsqueeze(-2) - b.unsqueeze(-3)).norm(p: p, dims: [-1], file: file, line: line)
    }

    /// The p-norm distances between every pair of rows i < j of a 2-D tensor, in row order
    /// (`torch.pdist`): n(n−1)/2 values.
    ///
    /// ```swift
    /// Tensor.pdist(Tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))   // [5, 10, 5]
    /// ```
    public static func pdist(_ x: Tensor, p: Double = 2, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if x.rank != 2 { torchFail("pdist", "pdist only supports 2D tensors, got: \(x.rank)D", file: file, line: line) }
        if !x.dtype.isFloatingPoint {
            torchFail(
                "pdist", "pdist only supports floating-point dtypes, got: \(x.dtype.pytorchName)", file: file,
                line: line)
        }
        if p < 0 { torchFail("pdist", "pdist only supports non-negative p values", file: file, line: line) }
        let n = x.shape[0]
        let pairs = Tensor.triuIndices(n, n, offset: 1)
        let first = x.indexSelect(0, pairs[0]), second = x.indexSelect(0, pairs[1])
        return (first - second).norm(p: p, dims: [-1], file: file, line: line)
    }

    /// Each slice along `dim` scaled down to p-norm `maxnorm` where its norm exceeds it
    /// (`torch.renorm`); the others unchanged.
    ///
    /// ```swift
    /// Tensor([[3.0, 4.0], [0.3, 0.4]]).renorm(p: 2, dim: 0, maxnorm: 1)   // [[0.6, 0.8], [0.3, 0.4]]
    /// ```
    public func renorm(
        p: Double, dim: Int, maxnorm: Double, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if p <= 0 { torchFail("renorm", "renorm: non-positive-norm not supported", file: file, line: line) }
        if maxnorm < 0 {
            let shown = maxnorm == maxnorm.rounded() ? "\(Int(maxnorm))" : "\(maxnorm)"
            torchFail("renorm", "renorm: expected maxnorm to be >= 0 but got \(shown)", file: file, line: line)
        }
        if rank < 2 {
            torchFail(
                "renorm", "renorm: input needs at least 2 dimensions, got \(rank) dimensions", file: file, line: line)
        }
        if !dtype.isFloatingPoint && !isComplex {
            torchFail(
                "renorm",
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got \(dtype.pytorchName)",
                file: file, line: line)
        }
        let d = normDim(dim, "renorm", file, line)
        let others = (0..<rank).filter { $0 != d }
        let norms = norm(p: p, dims: others, keepdim: true, file: file, line: line)
        // PyTorch's factor: maxnorm / (norm + 1e-7) where the norm exceeds maxnorm, 1 elsewhere.
        let factor = Tensor.where(norms .> maxnorm, maxnorm / (norms + 1e-7), Tensor.onesLike(norms))
        return self * factor.to(dtype.realPart)
    }

    /// The integral of `y` along `dim` by the trapezoidal rule with sample spacing `dx`
    /// (`torch.trapezoid(y, dx=…)`, `torch.trapz`); integer samples give float32.
    ///
    /// ```swift
    /// Tensor.trapezoid(Tensor([1.0, 2.0, 3.0]))   // 4.0
    /// ```
    public static func trapezoid(
        _ y: Tensor, dx: Double = 1, dim: Int = -1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        if let empty = emptyIntegral(y, dim, file: file, line: line) { return empty }
        let (left, right) = trapezoidSides(y, dim, file: file, line: line)
        return ((left + right) * (dx / 2)).sum(dims: [y.normDim(dim, "trapezoid", file, line)])
    }

    /// PyTorch's result over no samples: zeros of y's dtype, before any other check.
    private static func emptyIntegral(_ y: Tensor, _ dim: Int, file: StaticString, line: UInt) -> Tensor? {
        let d = y.normDim(dim, "trapezoid", file, line)
        guard y.shape[d] == 0 else { return nil }
        var shape = y.shape
        shape.remove(at: d)
        return Tensor.zeros(shape, dtype: y.dtype).to(device: y.device)
    }

    /// The integral of `y` along `dim` at the sample points `x` (1-D, one per sample, or of y's
    /// shape) by the trapezoidal rule (`torch.trapezoid(y, x)`).
    ///
    /// ```swift
    /// Tensor.trapezoid(Tensor([1.0, 2.0, 3.0]), x: Tensor([0.0, 1.0, 3.0]))   // 6.5
    /// ```
    public static func trapezoid(
        _ y: Tensor, x: Tensor, dim: Int = -1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let d = y.normDim(dim, "trapezoid", file, line)
        if let empty = emptyIntegral(y, dim, file: file, line: line) { return empty }
        let (left, right) = trapezoidSides(y, dim, file: file, line: line)
        return (spacing(y, x, d, file: file, line: line) * (left + right) / 2).sum(dims: [d])
    }

    /// `trapezoid` under its older name (`torch.trapz`).
    public static func trapz(_ y: Tensor, dx: Double = 1, dim: Int = -1) -> Tensor { trapezoid(y, dx: dx, dim: dim) }

    /// The running integral of `y` along `dim` by the trapezoidal rule (`torch.cumulative_trapezoid`):
    /// one value fewer than samples.
    ///
    /// ```swift
    /// Tensor.cumulativeTrapezoid(Tensor([1.0, 2.0, 3.0]))   // [1.5, 4]
    /// ```
    public static func cumulativeTrapezoid(
        _ y: Tensor, x: Tensor? = nil, dx: Double = 1, dim: Int = -1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let d = y.normDim(dim, "cumulative_trapezoid", file, line)
        let (left, right) = trapezoidSides(y, dim, file: file, line: line)
        let areas =
            x.map { spacing(y, $0, d, "cumulative_trapezoid", file: file, line: line) * (left + right) / 2 }
            ?? (left + right) * (dx / 2)
        return areas.cumsum(dim: d)
    }

    /// y without its last and without its first sample along `dim` (floats; integers as float32).
    private static func trapezoidSides(_ y: Tensor, _ dim: Int, file: StaticString, line: UInt) -> (Tensor, Tensor) {
        let y = y.dtype.isFloatingPoint || y.isComplex ? y : y.to(.float32)
        let d = y.normDim(dim, "trapezoid", file, line)
        let n = y.shape[d]
        if n == 0 { return (y, y) }
        return (y.narrow(d, start: 0, length: n - 1), y.narrow(d, start: 1, length: n - 1))
    }

    /// The spacing between consecutive sample points `x` along `d`, shaped to broadcast with y's.
    private static func spacing(
        _ y: Tensor, _ x: Tensor, _ d: Int, _ op: String = "trapezoid", file: StaticString, line: UInt
    ) -> Tensor {
        if x.rank == 1 {
            if x.count != y.shape[d] {
                torchFail(op, "\(op): There must be one `x` value for each sample point", file: file, line: line)
            }
            var shape = [Int](repeating: 1, count: y.rank)
            shape[d] = Swift.max(x.count - 1, 0)
            return x.diff().reshape(shape)
        }
        return x.diff(dim: d)
    }
}
