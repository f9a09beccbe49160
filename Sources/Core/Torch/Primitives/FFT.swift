import TorchBase

// The three one-dimensional transforms every `Torch.fft` function is made of, each with its
// backward beside it (PyTorch's `_fft_c2c`, `_fft_r2c`, `_fft_c2r`). `scale` is the normalisation
// factor the public functions choose from `norm`. With the gradient convention of Note [Complex
// tensors] (∂L/∂Re + i·∂L/∂Im):
//   - c2c: y = s·F x, so x̄ = s·F^H ȳ, the same transform in the other direction;
//   - r2c: y = s·P F x for real x (P keeps bins 0…n/2), so x̄ = Re(s·F^H Pᵀ ȳ): the gradient
//     zero-padded to n bins, transformed back, real part;
//   - c2r: y = s·Re-linear(X) reading bins 0…n/2, each interior bin standing for itself and its
//     mirror, so X̄ = s·rfft(ȳ) with the interior bins doubled.

extension Tensor {
    /// `fft_c2c`: the unnormalised transform along `dim` (exp(∓2πi·jk/n)), times `scale`.
    func fftC2C(dim: Int, forward: Bool, scale: Double, file: StaticString, line: UInt) -> Tensor {
        if Tracing.isOn {
            let attrs: [(String, TraceAttribute)] = [
                ("dim", .int(dim)), ("forward", .bool(forward)), ("scale", .double(scale)),
            ]
            return traced("fft_c2c", attrs, file, line) {
                $0.fftC2C(dim: dim, forward: forward, scale: scale, file: file, line: line)
            }
        }
        let run = { self.fftAlong(dim, forward ? .forward : .inverse, n: self.shape[dim], scale: scale) }
        guard Tensor.shouldRecord(self) else { return run() }
        return Tensor.recorded(
            .fftC2C, SmallList(self), file: file, line: line, forward: run,
            backward: { _, g in [g.fftC2C(dim: dim, forward: !forward, scale: scale, file: file, line: line)] })
    }

    /// `fft_r2c`: the half spectrum (bins 0…n/2) along `dim` of a real tensor, times `scale`.
    func fftR2C(dim: Int, scale: Double, file: StaticString, line: UInt) -> Tensor {
        if Tracing.isOn {
            return traced("fft_r2c", [("dim", .int(dim)), ("scale", .double(scale))], file, line) {
                $0.fftR2C(dim: dim, scale: scale, file: file, line: line)
            }
        }
        let n = shape[dim]
        let run = { self.fftAlong(dim, .realForward, n: n, scale: scale) }
        guard Tensor.shouldRecord(self) else { return run() }
        let inDType = dtype
        return Tensor.recorded(
            .fftR2C, SmallList(self), file: file, line: line, forward: run,
            backward: { _, g in
                let full = g.resized(dim, n)
                return [full.fftC2C(dim: dim, forward: false, scale: scale, file: file, line: line).real.to(inDType)]
            })
    }

    /// `fft_c2r`: the real signal of length `n` along `dim` whose half spectrum is this tensor's
    /// first n/2 + 1 bins (this tensor has exactly that many), times `scale`.
    func fftC2R(dim: Int, n: Int, scale: Double, file: StaticString, line: UInt) -> Tensor {
        if Tracing.isOn {
            return traced("fft_c2r", [("dim", .int(dim)), ("n", .int(n)), ("scale", .double(scale))], file, line) {
                $0.fftC2R(dim: dim, n: n, scale: scale, file: file, line: line)
            }
        }
        let run = { self.fftAlong(dim, .realInverse, n: n, scale: scale) }
        guard Tensor.shouldRecord(self) else { return run() }
        let bins = shape[dim]
        return Tensor.recorded(
            .fftC2R, SmallList(self), file: file, line: line, forward: run,
            backward: { _, g in
                let spectrum = g.fftR2C(dim: dim, scale: scale, file: file, line: line)
                // Bins 1…⌈n/2⌉−1 stand for two bins of the full spectrum.
                let interior = (n + 1) / 2 - 1
                var weights = [Double](repeating: 1, count: bins)
                for k in 0..<Swift.max(interior, 0) where k + 1 < bins { weights[k + 1] = 2 }
                var wshape = [Int](repeating: 1, count: g.rank)
                wshape[dim] = bins
                let w = Tensor(shape: wshape, scalars: weights, dtype: g.dtype)
                return [spectrum * w]
            })
    }

    /// The backend transform along `dim`: moved last, made contiguous, one call over the rows.
    func fftAlong(_ dim: Int, _ kind: FFTKind, n: Int, scale: Double) -> Tensor {
        let last = rank - 1
        let moved = dim == last ? self : transpose(dim, last)
        var x = moved.contiguous()
        // Operands start at offset 0, where the kernels' two-element loads are aligned.
        if x.layout.offset != 0 { x = x.clone() }
        var outShape = x.shape
        let outDType: DType
        switch kind {
        case .forward, .inverse: outDType = dtype
        case .realForward: outShape[last] = n / 2 + 1; outDType = dtype.complexCounterpart
        case .realInverse: outShape[last] = n; outDType = dtype.realPart
        }
        let out = Tensor(uninitialized: outShape, dtype: outDType, device: device)
        let rows = n == 0 ? 0 : out.count / outShape[last]
        if rows > 0 { Kernels.fft(kind, out.operand, x.operand, rows: rows, n: n, device) }
        if scale != 1 {
            let parts = outDType.isComplex ? out.viewAsReal() : out
            parts.mul_(Tensor.scalar(scale, dtype: parts.dtype))
        }
        return dim == last ? out : out.transpose(dim, last)
    }

    /// This tensor with dimension `dim` cut or zero-padded to `n` (PyTorch's `n`/`s` arguments).
    func resized(_ dim: Int, _ n: Int) -> Tensor {
        let m = shape[dim]
        if m == n { return self }
        if n < m { return narrow(dim, start: 0, length: n) }
        var padShape = shape
        padShape[dim] = n - m
        return Tensor.cat([self, Tensor.zeros(padShape, dtype: dtype, device: device)], dim: dim)
    }
}

extension Primitive {
    /// The one-dimensional transforms of `Torch.fft`.
    public static let fftC2C = Primitive("fft_c2c"), fftR2C = Primitive("fft_r2c"), fftC2R = Primitive("fft_c2r")
    /// The transforms, in the registry.
    static let ffts: [Primitive] = [.fftC2C, .fftR2C, .fftC2R]
}
