import TorchBase

// `cov` and `corrcoef`, composed from reductions, element-wise ops and a matrix product (their
// gradients come from those), with PyTorch's weighting, normalization and refusals.

extension Tensor {
    /// The covariance matrix of the variables in the rows of a 2-D tensor (observations in the
    /// columns; a 1-D tensor is one variable) (`torch.cov`). `fweights` are integer repeat counts
    /// and `aweights` observation weights, one per column; the normalization is
    /// Σw − correction (Σw − correction·Σ(w·a)/Σw with `aweights`), clamped at 0 (infinities then).
    ///
    /// ```swift
    /// Tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]).cov()   // [[1, -1], [-1, 1]]
    /// ```
    public func cov(
        correction: Int = 1, fweights: Tensor? = nil, aweights: Tensor? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        func fail(_ message: String) -> Never { torchFail("cov", "cov(): " + message, file: file, line: line) }
        if rank > 2 { fail("expected input to have two or fewer dimensions but got an input with \(rank) dimensions") }
        if dtype == .bool { fail("bool dtype is not supported for input") }
        var x = rank < 2 ? reshape([1, -1]) : self
        if !(x.dtype.isFloatingPoint || x.isComplex) { x = x.to(.float32) }
        let observations = x.shape[1]
        var w: Tensor? = nil
        for (name, weights) in [("fweights", fweights), ("aweights", aweights)] {
            guard let weights else { continue }
            let frequency = name == "fweights"
            if weights.rank > 1 {
                fail(
                    "expected \(name) to have one or fewer dimensions but got \(name) with \(weights.rank) dimensions")
            }
            if frequency && !(weights.dtype.isIntegral && weights.dtype != .bool) {
                fail(
                    "expected fweights to have integral dtype but got fweights with \(weights.dtype.pytorchName) dtype")
            }
            if !frequency && !weights.dtype.isFloatingPoint {
                fail(
                    "expected aweights to have floating point dtype but got aweights with \(weights.dtype.pytorchName) "
                        + "dtype")
            }
            if weights.count != observations {
                fail(
                    "expected \(name) to have the same numel as there are observations in the input but got "
                        + "\(weights.count) != \(observations)")
            }
            if observations > 0 && Torch.noGrad({ (weights .< 0).any().item(Bool.self) }) {
                fail("\(name) cannot be negative")
            }
            w = w.map { $0 * weights } ?? weights
        }
        let total: Tensor
        if let w {
            total = w.sum()
            if Torch.noGrad({ (total .== 0).item(Bool.self) }) { fail("weights sum to zero, can't be normalized") }
        } else {
            total = Tensor.scalar(Int64(observations), dtype: .int64).to(device: device)
        }
        let weighted = w.map { x * $0 } ?? x
        let average = weighted.sum(dims: [1]) / total
        var norm: Tensor
        if let w, let aweights, correction != 0 {
            norm = total - (w * aweights).sum() * Double(correction) / total
        } else {
            norm = total - Tensor.scalar(Int64(correction), dtype: .int64).to(device: device)
        }
        if Torch.noGrad({ (norm .<= 0).item(Bool.self) }) { norm = Tensor.zerosLike(norm) }
        let centred = x - average.unsqueeze(1)
        let rhs = w.map { centred * $0 } ?? centred
        let c = centred.matmul((rhs.isComplex ? rhs.conj() : rhs).t().to(centred.dtype), file: file, line: line)
        return c.div(norm.to(c.isComplex ? c.dtype.realPart : c.dtype)).squeeze()
    }

    /// The Pearson correlation coefficients of the variables in the rows (`torch.corrcoef`):
    /// `cov` normalized by the standard deviations, clipped to [-1, 1] (each part for complex).
    ///
    /// ```swift
    /// Tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]).corrcoef()   // [[1, -1], [-1, 1]]
    /// ```
    public func corrcoef(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if rank > 2 {
            torchFail(
                "corrcoef",
                "corrcoef(): expected input to have two or fewer dimensions but got an input with \(rank) dimensions",
                file: file, line: line)
        }
        let c = cov(file: file, line: line)
        if c.rank == 0 { return c / c }
        let d = c.diagonal(dim1: 0, dim2: 1)
        let std = (d.isComplex ? d.real : d).sqrt()
        let r = c / std.reshape([-1, 1]) / std.reshape([1, -1])
        if r.isComplex { return Tensor.complex(r.real.clamp(min: -1, max: 1), r.imag.clamp(min: -1, max: 1)) }
        return r.clamp(min: -1, max: 1)
    }
}
