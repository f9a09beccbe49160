import Torch
import TorchBase
import TorchNN

// The complex and torch.fft ops of the generator: a complex input arrives as its real [..., 2]
// parts and is made complex here with viewAsComplex, a complex output leaves as viewAsReal, as
// the generator does on PyTorch's side.

private func cplx(_ x: Tensor) -> Tensor { x.viewAsComplex() }
private func rview(_ t: Tensor) -> Tensor { t.isComplex ? t.viewAsReal() : t }
private func norm(_ c: DiffCase) -> FFTNorm { c.stringOrNil("norm").flatMap(FFTNorm.init(rawValue:)) ?? .backward }

private typealias Transform1 = (Tensor, Int?, Int, FFTNorm) -> Tensor
private typealias TransformN = (Tensor, [Int]?, [Int]?, FFTNorm) -> Tensor

private func fft1(_ complexInput: Bool, _ f: @escaping Transform1) -> DiffOp {
    { xs, c in [rview(f(complexInput ? cplx(xs[0]) : xs[0], c.intOrNil("n"), c.int("dim"), norm(c)))] }
}

private func fftN(_ complexInput: Bool, _ f: @escaping TransformN) -> DiffOp {
    { xs, c in [rview(f(complexInput ? cplx(xs[0]) : xs[0], c.intsOrNil("s"), c.intsOrNil("dims"), norm(c)))] }
}

private func cxUnary(_ f: @escaping (Tensor) -> Tensor) -> DiffOp { { xs, _ in [rview(f(cplx(xs[0])))] } }
private func cxBinary(_ f: @escaping (Tensor, Tensor) -> Tensor) -> DiffOp {
    { xs, _ in [rview(f(cplx(xs[0]), cplx(xs[1])))] }
}

let fftOps: [String: DiffOp] = [
    "fft_fft": fft1(true) { Torch.fft.fft($0, n: $1, dim: $2, norm: $3) },
    "fft_ifft": fft1(true) { Torch.fft.ifft($0, n: $1, dim: $2, norm: $3) },
    "fft_rfft": fft1(false) { Torch.fft.rfft($0, n: $1, dim: $2, norm: $3) },
    "fft_irfft": fft1(true) { Torch.fft.irfft($0, n: $1, dim: $2, norm: $3) },
    "fft_hfft": fft1(true) { Torch.fft.hfft($0, n: $1, dim: $2, norm: $3) },
    "fft_ihfft": fft1(false) { Torch.fft.ihfft($0, n: $1, dim: $2, norm: $3) },
    "fft_fft_real": fft1(false) { Torch.fft.fft($0, n: $1, dim: $2, norm: $3) },
    "fft_fft2": fftN(true) { x, s, _, n in Torch.fft.fft2(x, s: s, norm: n) },
    "fft_ifft2": fftN(true) { x, s, _, n in Torch.fft.ifft2(x, s: s, norm: n) },
    "fft_rfft2": fftN(false) { x, s, _, n in Torch.fft.rfft2(x, s: s, norm: n) },
    "fft_irfft2": fftN(true) { x, s, _, n in Torch.fft.irfft2(x, s: s, norm: n) },
    "fft_fftn": fftN(true) { Torch.fft.fftn($0, s: $1, dim: $2, norm: $3) },
    "fft_ifftn": fftN(true) { Torch.fft.ifftn($0, s: $1, dim: $2, norm: $3) },
    "fft_rfftn": fftN(false) { Torch.fft.rfftn($0, s: $1, dim: $2, norm: $3) },
    "fft_irfftn": fftN(true) { Torch.fft.irfftn($0, s: $1, dim: $2, norm: $3) },
    "fft_hfft2": fftN(true) { x, s, _, n in Torch.fft.hfft2(x, s: s, norm: n) },
    "fft_ihfft2": fftN(false) { x, s, _, n in Torch.fft.ihfft2(x, s: s, norm: n) },
    "fft_hfftn": fftN(true) { Torch.fft.hfftn($0, s: $1, dim: $2, norm: $3) },
    "fft_ihfftn": fftN(false) { Torch.fft.ihfftn($0, s: $1, dim: $2, norm: $3) },
    "fft_fftshift": { xs, c in [Torch.fft.fftshift(xs[0], dim: c.intsOrNil("dims"))] },
    "fft_ifftshift": { xs, c in [Torch.fft.ifftshift(xs[0], dim: c.intsOrNil("dims"))] },
    "fft_fftfreq": { _, c in [Torch.fft.fftfreq(c.int("n"), d: c.double("d"), dtype: .float64)] },
    "fft_rfftfreq": { _, c in [Torch.fft.rfftfreq(c.int("n"), d: c.double("d"), dtype: .float64)] },
]

let complexOps: [String: DiffOp] = [
    "cx_add": cxBinary { $0 + $1 }, "cx_sub": cxBinary { $0 - $1 }, "cx_mul": cxBinary { $0 * $1 },
    "cx_div": cxBinary { $0 / $1 }, "cx_eq": cxBinary { $0 .== $1 }, "cx_mul_conj": cxBinary { $0 * $1.conj() },
    "cx_exp": cxUnary { $0.exp() }, "cx_log": cxUnary { $0.log() }, "cx_sqrt": cxUnary { $0.sqrt() },
    "cx_abs": cxUnary { $0.abs() }, "cx_angle": cxUnary { $0.angle() }, "cx_sin": cxUnary { $0.sin() },
    "cx_cos": cxUnary { $0.cos() }, "cx_tanh": cxUnary { $0.tanh() }, "cx_reciprocal": cxUnary { $0.reciprocal() },
    "cx_sgn": cxUnary { $0.sgn() }, "cx_conj": cxUnary { $0.conj() }, "cx_neg": cxUnary { -$0 },
    "cx_square": cxUnary { $0.square() }, "cx_real": cxUnary { $0.real }, "cx_imag": cxUnary { $0.imag },
    "cx_sum": cxUnary { $0.sum() }, "cx_mean": cxUnary { $0.mean() }, "cx_prod": cxUnary { $0.prod() },
    "cx_log2": cxUnary { $0.log2() }, "cx_log10": cxUnary { $0.log10() }, "cx_log1p": cxUnary { $0.log1p() },
    "cx_exp2": cxUnary { $0.exp2() }, "cx_expm1": cxUnary { $0.expm1() }, "cx_rsqrt": cxUnary { $0.rsqrt() },
    "cx_sigmoid": cxUnary { $0.sigmoid() }, "cx_silu": cxUnary { silu($0) }, "cx_asin": cxUnary { $0.asin() },
    "cx_acos": cxUnary { $0.acos() }, "cx_atan": cxUnary { $0.atan() }, "cx_asinh": cxUnary { $0.asinh() },
    "cx_acosh": cxUnary { $0.acosh() }, "cx_atanh": cxUnary { $0.atanh() }, "cx_sinc": cxUnary { $0.sinc() },
    "cx_deg2rad": cxUnary { $0.deg2rad() }, "cx_rad2deg": cxUnary { $0.rad2deg() },
    "cx_signbit": cxUnary { $0.signbit() }, "cx_trunc": cxUnary { $0.trunc() },
    "cx_inner": cxBinary { $0.inner($1) }, "cx_vdot": cxBinary { $0.vdot($1) },
    "cx_addcmul": { xs, c in [rview(cplx(xs[0]).addcmul(cplx(xs[1]), cplx(xs[2]), value: c.double("v")))] },
    "cx_lerp": { xs, c in [rview(cplx(xs[0]).lerp(cplx(xs[1]), weight: c.double("w")))] },
    "cx_diff": { xs, c in [rview(cplx(xs[0]).diff(n: c.int("n"), dim: 0))] },
    "cx_cov": { xs, c in [rview(cplx(xs[0]).cov(correction: c.int("c")))] },
    "cx_corrcoef": cxUnary { $0.corrcoef() },
    "cx_sum_dim": { xs, c in [rview(cplx(xs[0]).sum(dim: c.int("dim"), keepdim: c.bool("keepdim")))] },
    "cx_matmul": cxBinary { $0.matmul($1) },
    "complex": { xs, _ in [rview(Tensor.complex(xs[0], xs[1]))] },
    "polar": { xs, _ in [rview(Tensor.polar(xs[0], xs[1]))] },
    "cx_pow_scalar": { xs, c in [rview(cplx(xs[0]).pow(c.double("p")))] },
    "cx_cumsum": { xs, c in [rview(cplx(xs[0]).cumsum(dim: c.int("dim")))] },
    "cx_cumprod": { xs, c in [rview(cplx(xs[0]).cumprod(dim: c.int("dim")))] },
    "cx_var": { xs, c in
        [cplx(xs[0]).variance(dims: c.intsOrNil("dims"), correction: c.int("correction"), keepdim: c.bool("keepdim"))]
    },
    "cx_std": { xs, c in
        [cplx(xs[0]).std(dims: c.intsOrNil("dims"), correction: c.int("correction"), keepdim: c.bool("keepdim"))]
    },
    "cx_vector_norm": { xs, c in
        [Linalg.vectorNorm(cplx(xs[0]), ord: c.double("ord"), dims: c.intsOrNil("dims"), keepdim: c.bool("keepdim"))]
    },
    "linalg_eigvals": { xs, _ in
        let l = Linalg.eigvals(xs[0])
        return [rview(l.gather(-1, (l.real * 1000 + l.imag).argsort(dim: -1)))]
    },
    "linalg_eig_vhbv": { xs, _ in
        let v = Linalg.eig(xs[0]).eigenvectors
        return [v.mT.conj().matmul(xs[1].to(v.dtype)).matmul(v).diagonal(dim1: -2, dim2: -1).abs().sum(dim: -1)]
    },
]

let foldOps: [String: DiffOp] = [
    "channel_shuffle": { xs, c in [channelShuffle(xs[0], groups: c.int("g"))] },
    "local_response_norm": { xs, c in
        [
            localResponseNorm(
                xs[0], size: c.int("size"), alpha: c.double("alpha"), beta: c.double("beta"), k: c.double("k"))
        ]
    },
    "lp_pool1d": { xs, c in
        [
            lpPool1d(
                xs[0], normType: c.double("p"), kernelSize: c.int("k"), stride: c.intOrNil("s"),
                ceilMode: c.bool("ceil"))
        ]
    },
    "lp_pool2d": { xs, c in
        [
            lpPool2d(
                xs[0], normType: c.double("p"), kernelSize: SizeSpec(c.int("k")),
                stride: c.intOrNil("s").map { SizeSpec($0) },
                ceilMode: c.bool("ceil"))
        ]
    },
    "pad_sequence": { xs, c in
        [
            padSequence(
                xs, batchFirst: c.bool("first"), paddingValue: c.double("value"),
                paddingSide: PaddingSide(rawValue: c.string("side"))!)
        ]
    },
    "embedding_bag": { xs, c in
        [
            embeddingBag(
                xs[0], xs[1], offsets: c.intsOrNil("offsets").map { Tensor($0) },
                mode: EmbeddingBagMode(rawValue: c.string("mode"))!, perSampleWeights: xs.count > 2 ? xs[2] : nil,
                includeLastOffset: c.bool("last"), paddingIdx: c.intOrNil("pad"))
        ]
    },
    "nn_unfold": { xs, c in
        [
            unfold(
                xs[0], kernelSize: SizeSpec(c.ints("k")), dilation: SizeSpec(c.ints("d")),
                padding: SizeSpec(c.ints("p")),
                stride: SizeSpec(c.ints("s")))
        ]
    },
    "nn_fold": { xs, c in
        [
            fold(
                xs[0], outputSize: SizeSpec(c.ints("size")), kernelSize: SizeSpec(c.ints("k")),
                dilation: SizeSpec(c.ints("d")), padding: SizeSpec(c.ints("p")), stride: SizeSpec(c.ints("s")))
        ]
    },
]

/// The complex twins of the torch.linalg ops (the generator's `CX_LINALG`): the real op's replay
/// on inputs made complex from their parts, complex outputs as parts.
private let complexLinalgNames = [
    "linalg_inv", "linalg_det", "linalg_slogdet", "logdet", "linalg_solve", "linalg_cholesky",
    "linalg_cholesky_not_pd", "linalg_eigvalsh", "linalg_svd", "linalg_svdvals", "linalg_matrix_norm",
    "linalg_matrix_power", "linalg_matrix_exp", "linalg_cross", "linalg_vecdot", "linalg_solve_triangular",
    "linalg_matrix_rank", "linalg_cond", "linalg_inv_ex", "linalg_cholesky_ex", "linalg_qr",
    "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_lu", "lu_unpack", "linalg_lu_solve",
    "linalg_ldl_factor", "linalg_lstsq", "linalg_pinv", "linalg_pinv_hermitian", "linalg_solve_ex",
    "linalg_solve_left", "linalg_norm", "linalg_matrix_norm_dims", "linalg_cond_p", "linalg_matrix_rank_tol",
    "linalg_eigvals", "linalg_eig_vhbv",
]

/// `cx_<name>` for each name above, from the real ops in `real`, plus the complex-only cases.
func complexLinalgOps(_ real: [String: DiffOp]) -> [String: DiffOp] {
    var ops: [String: DiffOp] = [:]
    for name in complexLinalgNames {
        guard let f = real[name] else { preconditionFailure("no real op \(name) for its complex twin") }
        ops["cx_" + name] = { xs, c in f(xs.map(cplx), c).map(rview) }
    }
    ops["cx_linalg_eigh"] = { xs, _ in
        let r = Linalg.eigh(symmetric(cplx(xs[0])))
        return [r.eigenvalues, r.eigenvectors.abs()]
    }
    ops["cx_linalg_ldl_factor_hermitian"] = { xs, _ in
        let r = Linalg.ldlFactor(symmetric(cplx(xs[0])), hermitian: true)
        return [rview(r.ld), r.pivots]
    }
    return ops
}
