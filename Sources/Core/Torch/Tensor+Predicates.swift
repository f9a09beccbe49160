import TorchBase

// Element tests and decompositions composed from comparisons and element-wise ops: `isposinf`,
// `isneginf`, `isreal`, `heaviside`, `frexp`, `argwhere`, and the `*_scatter` ops that return a
// copy with one view replaced (`select_scatter`, `slice_scatter`, `diagonal_scatter`).

extension Tensor {
    /// Whether each element is +inf (`torch.isposinf`); false throughout for integers.
    ///
    /// ```swift
    /// Tensor([1.0, .infinity, -.infinity]).isposinf()   // [false, true, false]
    /// ```
    public func isposinf(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        infinityTest("isposinf", positive: true, file: file, line: line)
    }

    /// Whether each element is −inf (`torch.isneginf`); false throughout for integers.
    public func isneginf(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        infinityTest("isneginf", positive: false, file: file, line: line)
    }

    private func infinityTest(_ op: String, positive: Bool, file: StaticString, line: UInt) -> Tensor {
        if isComplex {
            torchFail(op, "\(op) does not support complex inputs.", file: file, line: line)
        }
        if !dtype.isFloatingPoint { return Tensor.zeros(shape, dtype: .bool).to(device: device) }
        return Torch.noGrad { positive ? self .== Double.infinity : self .== -Double.infinity }
    }

    /// Whether each element is real: its imaginary part is zero (`torch.isreal`); true throughout
    /// for real dtypes.
    ///
    /// ```swift
    /// Tensor.complex(Tensor([1.0, 1.0]), Tensor([0.0, 2.0])).isreal()   // [true, false]
    /// ```
    public func isreal() -> Tensor {
        if !isComplex { return Tensor.ones(shape, dtype: .bool).to(device: device) }
        return Torch.noGrad { imag .== 0 }
    }

    /// The Heaviside step (`torch.heaviside`): 0 below zero, 1 above, `values` at zero (broadcast;
    /// one dtype for both, as PyTorch requires). Not differentiable, as PyTorch's.
    ///
    /// ```swift
    /// Tensor([-1.0, 0.0, 2.0]).heaviside(Tensor([0.5]))   // [0, 0.5, 1]
    /// ```
    public func heaviside(_ values: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if isComplex || values.isComplex {
            torchFail(
                "heaviside", "heaviside is not yet implemented for complex tensors.", file: file, line: line)
        }
        if dtype != values.dtype {
            torchFail(
                "heaviside", "heaviside is not yet implemented for tensors with different dtypes.", file: file,
                line: line)
        }
        let shape = Checks.broadcastShapes(self.shape, values.shape).unwrap("heaviside", file: file, line: line)
        return Torch.noGrad {
            let x = expand(shape), v = values.expand(shape)
            let step = Tensor.where(x .> 0, Tensor.onesLike(x), Tensor.zerosLike(x))
            return Tensor.where(x .== 0, v, step).contiguous()
        }
    }

    /// The mantissa in [0.5, 1) (with the input's sign) and the int32 exponent of each element,
    /// x = mantissa · 2^exponent (`torch.frexp`); 0, inf and NaN give themselves and exponent 0.
    ///
    /// ```swift
    /// let (m, e) = Tensor([8.0, -0.75]).frexp()   // m [0.5, -0.75], e [4, 0]
    /// ```
    public func frexp(file: StaticString = #fileID, line: UInt = #line) -> (mantissa: Tensor, exponent: Tensor) {
        if !dtype.isFloatingPoint {
            torchFail("frexp", "torch.frexp() only supports floating-point dtypes", file: file, line: line)
        }
        let x = detach().to(.float64).contiguous()
        var mantissas = x.scalars, exponents = [Int32](repeating: 0, count: x.count)
        for i in mantissas.indices where mantissas[i].isFinite && mantissas[i] != 0 {
            let v = mantissas[i]
            // Swift's exponent is for a significand in [1, 2); frexp's for [0.5, 1).
            exponents[i] = Int32(v.exponent + 1)
            mantissas[i] = v.sign == .minus ? -v.significand / 2 : v.significand / 2
        }
        let m = Tensor(shape: shape, scalars: mantissas, dtype: dtype).to(device: device)
        return (m, Tensor(flat: exponents, shape: shape, dtype: .int32).to(device: device))
    }

    /// The indices of the non-zero elements, one row each [n, rank] (`torch.argwhere`, NumPy's
    /// `argwhere`; `nonzero` by another name).
    ///
    /// ```swift
    /// Tensor([[1, 0], [0, 3]]).argwhere()   // [[0, 0], [1, 1]]
    /// ```
    public func argwhere() -> Tensor { nonzero() }

    /// A copy of this tensor with `select(dim, index)` replaced by `src` (`torch.select_scatter`);
    /// differentiable in both.
    ///
    /// ```swift
    /// Tensor.zeros([2, 2]).selectScatter(Tensor([1.0, 2.0]), dim: 0, index: 0)   // [[1, 2], [0, 0]]
    /// ```
    public func selectScatter(
        _ src: Tensor, dim: Int, index: Int, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        scattered(src, "select_scatter", file: file, line: line) { $0.select(dim, index, file: file, line: line) }
    }

    /// A copy with `narrow`ed elements `start..<end` (every `step`th) along `dim` replaced by `src`
    /// (`torch.slice_scatter`).
    ///
    /// ```swift
    /// Tensor.zeros([4]).sliceScatter(Tensor([1.0, 2.0]), dim: 0, start: 0, end: 4, step: 2)   // [1, 0, 2, 0]
    /// ```
    public func sliceScatter(
        _ src: Tensor, dim: Int = 0, start: Int? = nil, end: Int? = nil, step: Int = 1,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let d = normDim(dim, "slice_scatter", file, line)
        var indices = [TensorIndex](repeating: .all, count: d)
        indices.append(.slice(start, end, step: step))
        return scattered(src, "slice_scatter", file: file, line: line) { $0.index(indices, file: file, line: line) }
    }

    /// A copy with `diagonal(offset:dim1:dim2:)` replaced by `src` (`torch.diagonal_scatter`).
    ///
    /// ```swift
    /// Tensor.zeros([2, 2]).diagonalScatter(Tensor([1.0, 2.0]))   // [[1, 0], [0, 2]]
    /// ```
    public func diagonalScatter(
        _ src: Tensor, offset: Int = 0, dim1: Int = 0, dim2: Int = 1, file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        scattered(src, "diagonal_scatter", file: file, line: line) {
            $0.diagonal(offset: offset, dim1: dim1, dim2: dim2)
        }
    }

    /// A clone with the view `view` of it overwritten by `src`, whose shape must be the view's.
    private func scattered(
        _ src: Tensor, _ op: String, file: StaticString, line: UInt, _ view: (Tensor) -> Tensor
    ) -> Tensor {
        let out = clone(file: file, line: line)
        let target = view(out)
        if target.shape != src.shape {
            torchFail(
                op,
                "expected src to have a size equal to the slice of self. src size = \(src.shape), slice size = "
                    + "\(target.shape)", file: file, line: line)
        }
        target.copy_(src, file: file, line: line)
        return out
    }
}
