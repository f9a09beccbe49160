import TorchBase

/// The normalisation of a transform pair (`norm=` in `torch.fft`): which direction is scaled.
public enum FFTNorm: String, Sendable {
    /// The forward transform unscaled, the inverse by 1/n (PyTorch's default).
    case backward
    /// Both scaled by 1/√n (unitary).
    case ortho
    /// The forward transform by 1/n, the inverse unscaled.
    case forward

    /// The factor of a transform over `n` points in the forward (or inverse) direction.
    func scale(_ n: Int, forward isForward: Bool) -> Double {
        switch self {
        case .backward: return isForward ? 1 : 1 / Double(n)
        case .forward: return isForward ? 1 / Double(n) : 1
        case .ortho: return 1 / Double(n).squareRoot()
        }
    }
}

/// `torch.fft`: discrete Fourier transforms of any length along any dimensions, batched over the
/// others, float32/float64 and complex64/complex128, differentiable (Note [CPU FFT]).
///
/// ```swift
/// let x = Tensor.randn([8, 1000])
/// let spectrum = Torch.fft.rfft(x)                 // [8, 501], complex64
/// let back = Torch.fft.irfft(spectrum, n: 1000)     // ≈ x
/// ```
public enum FFT {
    /// The one-dimensional transform (`torch.fft.fft`); `n` pads with zeros or trims.
    ///
    /// ```swift
    /// Torch.fft.fft(Tensor([1.0, 0, 0, 0]))   // [1+0j, 1+0j, 1+0j, 1+0j]
    /// ```
    public static func fft(
        _ x: Tensor, n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2cn(x, s: n.map { [$0] }, dims: [dim], forward: true, norm: norm, "fft_fft", file: file, line: line)
    }

    /// The inverse of `fft` (`torch.fft.ifft`). `Torch.fft.ifft(Torch.fft.fft(x))   // ≈ x`
    public static func ifft(
        _ x: Tensor, n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2cn(x, s: n.map { [$0] }, dims: [dim], forward: false, norm: norm, "fft_ifft", file: file, line: line)
    }

    /// The half spectrum (bins 0…n/2) of a real signal (`torch.fft.rfft`).
    /// `Torch.fft.rfft(Tensor([1.0, 2, 3, 4]))   // [10+0j, -2+2j, -2+0j]`
    public static func rfft(
        _ x: Tensor, n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        r2cn(x, s: n.map { [$0] }, dims: [dim], norm: norm, "fft_rfft", file: file, line: line)
    }

    /// The real signal of length `n` (default 2·(bins − 1)) with this half spectrum
    /// (`torch.fft.irfft`). `Torch.fft.irfft(Torch.fft.rfft(x), n: x.size(-1))   // ≈ x`
    public static func irfft(
        _ x: Tensor, n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2rn(x, s: n.map { [$0] }, dims: [dim], norm: norm, "fft_irfft", file: file, line: line)
    }

    /// The real spectrum of a Hermitian-symmetric signal given by its first half
    /// (`torch.fft.hfft`: `irfft` of the conjugate with the opposite normalisation).
    /// `Torch.fft.hfft(Tensor([Complex(1.0, 0), Complex(2.0, 0)]))   // [5., -3.]`
    public static func hfft(
        _ x: Tensor, n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2rn(x, s: n.map { [$0] }, dims: [dim], norm: norm, "fft_hfft", hermitian: true, file: file, line: line)
    }

    /// The inverse of `hfft` for a real signal (`torch.fft.ihfft`: the conjugate of `rfft`
    /// with the opposite normalisation). `Torch.fft.ihfft(Tensor([5.0, -3.0]))   // [1+0j, 4+0j]`
    public static func ihfft(
        _ x: Tensor, n: Int? = nil, dim: Int = -1, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        r2cn(x, s: n.map { [$0] }, dims: [dim], norm: norm, "fft_ihfft", hermitian: true, file: file, line: line)
    }

    /// The 2-D transform over `dim` (default the last two) (`torch.fft.fft2`).
    /// `Torch.fft.fft2(Tensor.randn([4, 32, 32]))   // [4, 32, 32], complex64`
    public static func fft2(
        _ x: Tensor, s: [Int]? = nil, dim: [Int] = [-2, -1], norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2cn(x, s: s, dims: dim, forward: true, norm: norm, "fft_fft2", file: file, line: line)
    }

    /// The inverse of `fft2` (`torch.fft.ifft2`). `Torch.fft.ifft2(Torch.fft.fft2(x))   // ≈ x`
    public static func ifft2(
        _ x: Tensor, s: [Int]? = nil, dim: [Int] = [-2, -1], norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2cn(x, s: s, dims: dim, forward: false, norm: norm, "fft_ifft2", file: file, line: line)
    }

    /// The 2-D transform of a real signal, halved along the last of `dim` (`torch.fft.rfft2`).
    /// `Torch.fft.rfft2(Tensor.randn([32, 32]))   // [32, 17]`
    public static func rfft2(
        _ x: Tensor, s: [Int]? = nil, dim: [Int] = [-2, -1], norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        r2cn(x, s: s, dims: dim, norm: norm, "fft_rfft2", file: file, line: line)
    }

    /// The inverse of `rfft2` (`torch.fft.irfft2`). `Torch.fft.irfft2(Torch.fft.rfft2(x), s: [32, 32])`
    public static func irfft2(
        _ x: Tensor, s: [Int]? = nil, dim: [Int] = [-2, -1], norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2rn(x, s: s, dims: dim, norm: norm, "fft_irfft2", file: file, line: line)
    }

    /// The N-D transform over `dim` (default: all, or the last `s.count`) (`torch.fft.fftn`).
    /// `Torch.fft.fftn(Tensor.randn([4, 8, 8]), dim: [1, 2])`
    public static func fftn(
        _ x: Tensor, s: [Int]? = nil, dim: [Int]? = nil, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2cn(x, s: s, dims: dim, forward: true, norm: norm, "fft_fftn", file: file, line: line)
    }

    /// The inverse of `fftn` (`torch.fft.ifftn`). `Torch.fft.ifftn(Torch.fft.fftn(x))   // ≈ x`
    public static func ifftn(
        _ x: Tensor, s: [Int]? = nil, dim: [Int]? = nil, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2cn(x, s: s, dims: dim, forward: false, norm: norm, "fft_ifftn", file: file, line: line)
    }

    /// The N-D transform of a real signal, halved along the last of `dim` (`torch.fft.rfftn`).
    /// `Torch.fft.rfftn(Tensor.randn([4, 8, 8]))   // [4, 8, 5]`
    public static func rfftn(
        _ x: Tensor, s: [Int]? = nil, dim: [Int]? = nil, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        r2cn(x, s: s, dims: dim, norm: norm, "fft_rfftn", file: file, line: line)
    }

    /// The inverse of `rfftn` (`torch.fft.irfftn`). `Torch.fft.irfftn(Torch.fft.rfftn(x), s: [4, 8, 8])`
    public static func irfftn(
        _ x: Tensor, s: [Int]? = nil, dim: [Int]? = nil, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2rn(x, s: s, dims: dim, norm: norm, "fft_irfftn", file: file, line: line)
    }

    /// The 2-D `hfftn` over `dim` (default the last two) (`torch.fft.hfft2`).
    /// `Torch.fft.hfft2(Tensor.randn([4, 3], dtype: .complex64), s: [4, 4])   // [4, 4], float32`
    public static func hfft2(
        _ x: Tensor, s: [Int]? = nil, dim: [Int] = [-2, -1], norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        hfftn(x, s: s, dim: dim, norm: norm, file: file, line: line)
    }

    /// The inverse of `hfft2` for a real signal (`torch.fft.ihfft2`).
    /// `Torch.fft.ihfft2(Tensor.randn([4, 4]))   // [4, 3], complex64`
    public static func ihfft2(
        _ x: Tensor, s: [Int]? = nil, dim: [Int] = [-2, -1], norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        ihfftn(x, s: s, dim: dim, norm: norm, file: file, line: line)
    }

    /// The N-D transform of a signal Hermitian-symmetric in the last of `dim`, given by its half
    /// (`torch.fft.hfftn`): forward transforms over the other dims, then a conjugated real
    /// transform; real output, `s` the last dim's full length (default 2·(bins − 1)).
    /// `Torch.fft.hfftn(Tensor.randn([2, 3, 5], dtype: .complex64))   // [2, 3, 8]`
    public static func hfftn(
        _ x: Tensor, s: [Int]? = nil, dim: [Int]? = nil, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        c2rn(x, s: s, dims: dim, norm: norm, "fft_hfftn", hermitian: true, file: file, line: line)
    }

    /// The inverse of `hfftn` for a real signal (`torch.fft.ihfftn`): the conjugated half
    /// spectrum of the last of `dim`, then inverse transforms over the others.
    /// `Torch.fft.ihfftn(Tensor.randn([2, 3, 8]))   // [2, 3, 5], complex64`
    public static func ihfftn(
        _ x: Tensor, s: [Int]? = nil, dim: [Int]? = nil, norm: FFTNorm = .backward,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        r2cn(x, s: s, dims: dim, norm: norm, "fft_ihfftn", hermitian: true, file: file, line: line)
    }

    /// The sample frequencies of an `n`-point transform with spacing `d` (`torch.fft.fftfreq`):
    /// [0, 1, …, ⌈n/2⌉−1, −⌊n/2⌋, …, −1] / (d·n).
    /// `Torch.fft.fftfreq(4)   // [0.0, 0.25, -0.5, -0.25]`
    public static func fftfreq(_ n: Int, d: Double = 1, dtype: DType? = nil, device: Device = .cpu) -> Tensor {
        let values = (0..<n).map { k in Double(k < (n + 1) / 2 ? k : k - n) / (d * Double(n)) }
        return Tensor(shape: [n], scalars: values, dtype: dtype ?? Torch.defaultDType).to(device: device)
    }

    /// The sample frequencies of `rfft` (`torch.fft.rfftfreq`): [0, 1, …, ⌊n/2⌋] / (d·n).
    /// `Torch.fft.rfftfreq(4)   // [0.0, 0.25, 0.5]`
    public static func rfftfreq(_ n: Int, d: Double = 1, dtype: DType? = nil, device: Device = .cpu) -> Tensor {
        let values = (0...(n / 2)).map { Double($0) / (d * Double(n)) }
        return Tensor(shape: [n / 2 + 1], scalars: values, dtype: dtype ?? Torch.defaultDType).to(device: device)
    }

    /// Moves the zero frequency to the centre (`torch.fft.fftshift`; all dims by default).
    /// `Torch.fft.fftshift(Torch.fft.fftfreq(4))   // [-0.5, -0.25, 0.0, 0.25]`
    public static func fftshift(_ x: Tensor, dim: [Int]? = nil) -> Tensor {
        let dims = dim ?? Array(0..<x.rank)
        return x.roll(dims.map { x.size($0) / 2 }, dims: dims)
    }

    /// The inverse of `fftshift` (`torch.fft.ifftshift`). `Torch.fft.ifftshift(Torch.fft.fftshift(x))   // x`
    public static func ifftshift(_ x: Tensor, dim: [Int]? = nil) -> Tensor {
        let dims = dim ?? Array(0..<x.rank)
        return x.roll(dims.map { -(x.size($0) / 2) }, dims: dims)
    }

    // MARK: the shared plan of every transform

    /// Floating and complex inputs as they are; integers and bool in the default float dtype;
    /// half types refused, as PyTorch's CPU transforms refuse them.
    static func promoted(_ x: Tensor, _ op: String, file: StaticString, line: UInt) -> Tensor {
        if x.dtype == .float16 || x.dtype == .bfloat16 {
            torchFail(op, "Unsupported dtype \(x.dtype.pytorchName)", file: file, line: line)
        }
        return x.dtype.isFloatingPoint || x.isComplex ? x : x.to(Torch.defaultDType)
    }

    static func complexInput(_ x: Tensor, _ op: String, file: StaticString, line: UInt) -> Tensor {
        let p = promoted(x, op, file: file, line: line)
        return p.isComplex ? p : p.to(p.dtype.complexCounterpart)
    }

    /// The normalised dims and sizes of an N-D transform (PyTorch's `canonicalize_fft_shape_and_dim_args`).
    static func plan(
        _ x: Tensor, s: [Int]?, dims: [Int]?, _ op: String, file: StaticString, line: UInt
    ) -> (dims: [Int], sizes: [Int?]) {
        if let s, let dims, s.count != dims.count {
            torchFail(op, "When given, dim and shape arguments must have the same length", file: file, line: line)
        }
        let chosen = dims ?? (s.map { Array((x.rank - $0.count)..<x.rank) } ?? Array(0..<x.rank))
        if let s, s.count > x.rank {
            torchFail(
                op, "Got shape with \(s.count) values but input tensor only has \(x.rank) dimensions.",
                file: file, line: line)
        }
        let d = chosen.map { Checks.dim($0, rank: x.rank).unwrap(op, file: file, line: line) }
        if Set(d).count != d.count { torchFail(op, "FFT dims must be unique", file: file, line: line) }
        let sizes: [Int?] = s.map { $0.map { $0 == -1 ? nil : $0 } } ?? d.map { _ in nil }
        for n in sizes.compactMap({ $0 }) where n < 1 {
            torchFail(op, "Invalid number of data points (\(n)) specified", file: file, line: line)
        }
        return (d, sizes)
    }

    static func c2cn(
        _ x: Tensor, s: [Int]?, dims: [Int]?, forward: Bool, norm: FFTNorm, _ op: String,
        file: StaticString, line: UInt
    ) -> Tensor {
        var z = complexInput(x, op, file: file, line: line)
        let (d, sizes) = plan(z, s: s, dims: dims, op, file: file, line: line)
        for (dim, size) in zip(d, sizes) {
            let n = size ?? z.shape[dim]
            if n < 1 { torchFail(op, "Invalid number of data points (\(n)) specified", file: file, line: line) }
            z = z.resized(dim, n).fftC2C(
                dim: dim, forward: forward, scale: norm.scale(n, forward: forward),
                file: file, line: line)
        }
        return z
    }

    /// A real transform over the last of `dims`, then complex ones over the others; `hermitian`
    /// (ihfft, ihfftn): in the inverse direction, the half spectrum conjugated in between.
    static func r2cn(
        _ x: Tensor, s: [Int]?, dims: [Int]?, norm: FFTNorm, _ op: String, hermitian: Bool = false,
        file: StaticString, line: UInt
    ) -> Tensor {
        if x.isComplex {
            let name = String(op.dropFirst(4))
            torchFail(op, "\(name) expects a real input tensor, but got \(x.dtype.pytorchName)", file: file, line: line)
        }
        let r = promoted(x, op, file: file, line: line)
        let (d, sizes) = plan(r, s: s, dims: dims, op, file: file, line: line)
        guard let lastDim = d.last else { return r.to(r.dtype.complexCounterpart) }
        let n = sizes.last! ?? r.shape[lastDim]
        if n < 1 { torchFail(op, "Invalid number of data points (\(n)) specified", file: file, line: line) }
        let forward = !hermitian
        var z = r.resized(lastDim, n).fftR2C(
            dim: lastDim, scale: norm.scale(n, forward: forward), file: file, line: line)
        if hermitian { z = z.conj() }
        for (dim, size) in zip(d.dropLast(), sizes.dropLast()) {
            let m = size ?? z.shape[dim]
            z = z.resized(dim, m).fftC2C(
                dim: dim, forward: forward, scale: norm.scale(m, forward: forward), file: file, line: line)
        }
        return z
    }

    /// Complex transforms over all but the last of `dims`, then the half spectrum to real over it;
    /// `hermitian` (hfft, hfftn): in the forward direction, conjugated before the last.
    static func c2rn(
        _ x: Tensor, s: [Int]?, dims: [Int]?, norm: FFTNorm, _ op: String, hermitian: Bool = false,
        file: StaticString, line: UInt
    ) -> Tensor {
        var z = complexInput(x, op, file: file, line: line)
        let (d, sizes) = plan(z, s: s, dims: dims, op, file: file, line: line)
        guard let lastDim = d.last else { return z.real.clone() }
        let forward = hermitian
        for (dim, size) in zip(d.dropLast(), sizes.dropLast()) {
            let m = size ?? z.shape[dim]
            z = z.resized(dim, m).fftC2C(
                dim: dim, forward: forward, scale: norm.scale(m, forward: forward), file: file, line: line)
        }
        let n = sizes.last! ?? 2 * (z.shape[lastDim] - 1)
        if n < 1 { torchFail(op, "Invalid number of data points (\(n)) specified", file: file, line: line) }
        let half = z.resized(lastDim, n / 2 + 1)
        return (hermitian ? half.conj() : half).fftC2R(
            dim: lastDim, n: n, scale: norm.scale(n, forward: forward), file: file, line: line)
    }
}

extension Torch {
    /// `torch.fft` (`Torch.fft.rfft(x)`).
    public static var fft: FFT.Type { FFT.self }
}
