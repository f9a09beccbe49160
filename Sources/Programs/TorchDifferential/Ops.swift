import Torch
import TorchBase
import TorchNN

/// The Swift call for each op name of the generator: inputs (views) and the case's attributes in,
/// outputs out. An op of the generator with no entry here is reported as missing.
typealias DiffOp = (_ xs: [Tensor], _ c: DiffCase) -> [Tensor]

func one(_ f: @escaping (Tensor) -> Tensor) -> DiffOp { { xs, _ in [f(xs[0])] } }
func two(_ f: @escaping (Tensor, Tensor) -> Tensor) -> DiffOp { { xs, _ in [f(xs[0], xs[1])] } }

private func reduction(_ r: String) -> Reduction {
    switch r {
    case "sum": return .sum
    case "none": return .none
    default: return .mean
    }
}

/// Dims of a reduction: nil (all) or the listed ones; an empty list reduces everything, as PyTorch.
private func dimsArg(_ c: DiffCase) -> [Int]? {
    guard let d = c.intsOrNil("dims"), !d.isEmpty else { return nil }
    return d
}

let unaryOps: [String: DiffOp] = [
    "abs": one { $0.abs() }, "neg": one { $0.neg() }, "sign": one { $0.sign() }, "square": one { $0.square() },
    "exp": one { $0.exp() }, "exp2": one { $0.exp2() }, "expm1": one { $0.expm1() }, "log": one { $0.log() },
    "log2": one { $0.log2() }, "log10": one { $0.log10() }, "log1p": one { $0.log1p() }, "sqrt": one { $0.sqrt() },
    "rsqrt": one { $0.rsqrt() }, "sin": one { $0.sin() }, "cos": one { $0.cos() }, "tan": one { $0.tan() },
    "asin": one { $0.asin() }, "acos": one { $0.acos() }, "atan": one { $0.atan() }, "sinh": one { $0.sinh() },
    "cosh": one { $0.cosh() }, "tanh": one { $0.tanh() }, "sigmoid": one { $0.sigmoid() }, "relu": one { $0.relu() },
    "erf": one { $0.erf() }, "erfc": one { $0.erfc() }, "floor": one { $0.floor() }, "ceil": one { $0.ceil() },
    "round": one { $0.round() }, "trunc": one { $0.trunc() }, "reciprocal": one { $0.reciprocal() },
    "logical_not": one { $0.logicalNot() }, "bitwise_not": one { $0.bitwiseNot() }, "isnan": one { $0.isnan() },
    "isinf": one { $0.isinf() }, "isfinite": one { $0.isfinite() }, "nan_to_num": one { $0.nanToNum() },
    "silu": one { silu($0) }, "gelu": one { gelu($0) }, "softplus": one { softplus($0) }, "mish": one { mish($0) },
    "elu": one { elu($0) }, "leaky_relu": one { leakyRelu($0) }, "hardtanh": one { hardtanh($0) },
    "selu": one { selu($0) }, "celu": one { celu($0) }, "relu6": one { relu6($0) },
    "hardswish": one { hardswish($0) }, "hardsigmoid": one { hardsigmoid($0) }, "logsigmoid": one { logsigmoid($0) },
    "softsign": one { softsign($0) }, "tanhshrink": one { tanhshrink($0) }, "hardshrink": one { hardshrink($0) },
    "softshrink": one { softshrink($0) },
    "celu_alpha": { xs, c in [celu(xs[0], alpha: c.double("alpha"))] },
    "hardshrink_lambd": { xs, c in [hardshrink(xs[0], lambd: c.double("lambd"))] },
    "softshrink_lambd": { xs, c in [softshrink(xs[0], lambd: c.double("lambd"))] },
    "threshold": { xs, c in [threshold(xs[0], c.double("t"), c.double("v"))] },
    "glu": { xs, c in [glu(xs[0], dim: c.int("dim"))] },
    "prelu": { xs, _ in [prelu(xs[0], xs[1])] },
    "softmin": { xs, c in [softmin(xs[0], dim: c.int("dim"))] },
    "reshape_as": { xs, _ in [xs[0].reshapeAs(xs[1])] },
    "pixel_shuffle": { xs, c in [pixelShuffle(xs[0], c.int("r"))] },
    "pixel_unshuffle": { xs, c in [pixelUnshuffle(xs[0], c.int("r"))] },
    "cosine_similarity": { xs, c in [cosineSimilarity(xs[0], xs[1], dim: c.int("dim"), eps: c.double("eps"))] },
    "pairwise_distance": { xs, c in
        [pairwiseDistance(xs[0], xs[1], p: c.double("p"), eps: c.double("eps"), keepdim: c.bool("keepdim"))]
    },
    "normalize": { xs, c in [normalize(xs[0], p: c.double("p"), dim: c.int("dim"))] },
    "one_hot": { xs, c in [oneHot(xs[0], numClasses: c.int("k"))] },
    "special_gammainc": { xs, _ in [Special.gammainc(xs[0], xs[1])] },
    "special_gammaincc": { xs, _ in [Special.gammaincc(xs[0], xs[1])] },
    "instance_norm": { xs, c in
        [
            instanceNorm(
                xs[0], weight: xs.count > 1 ? xs[1] : nil, bias: xs.count > 2 ? xs[2] : nil, eps: c.double("eps"))
        ]
    },
    "interpolate": interpolateOp,
    "view_as": { xs, _ in [xs[0].viewAs(xs[1])] },
    "type_as": { xs, _ in [xs[0].typeAs(xs[1])] },
    "new_zeros": { xs, c in [xs[0].newZeros(c.ints("shape"))] },
    "new_ones": { xs, c in [xs[0].newOnes(c.ints("shape"))] },
    "new_full": { xs, c in [xs[0].newFull(c.ints("shape"), c.double("v"))] },
    "gelu_tanh": one { gelu($0, approximate: .tanh) }, "logit_eps": { xs, c in [xs[0].logit(eps: c.double("eps"))] },
    "softplus_beta": { xs, c in [softplus(xs[0], beta: c.double("beta"), threshold: c.double("threshold"))] },
    "elu_alpha": { xs, c in [elu(xs[0], alpha: c.double("alpha"))] },
    "leaky_relu_slope": { xs, c in [leakyRelu(xs[0], negativeSlope: c.double("slope"))] },
    "hardtanh_range": { xs, c in [hardtanh(xs[0], minVal: c.double("lo"), maxVal: c.double("hi"))] },
]

/// The special functions and the other element-wise ops of #14.
let specialOps: [String: DiffOp] = [
    "special_i0e": one { Special.i0e($0) }, "special_i1": one { Special.i1($0) },
    "special_i1e": one { Special.i1e($0) },
    "special_ndtr": one { Special.ndtr($0) }, "special_ndtri": one { Special.ndtri($0) },
    "special_log_ndtr": one { Special.logNdtr($0) }, "special_erfcx": one { Special.erfcx($0) },
    "special_entr": one { Special.entr($0) }, "special_expit": one { Special.expit($0) },
    "signbit": one { $0.signbit() }, "positive": one { $0.positive() },
    "polygamma": { xs, c in [xs[0].polygamma(c.int("n"))] }, "mvlgamma": { xs, c in [xs[0].mvlgamma(p: c.int("p"))] },
    "hypot": two { $0.hypot($1) }, "fmax": two { $0.fmax($1) }, "fmin": two { $0.fmin($1) },
    "copysign": two { $0.copysign($1) }, "logaddexp": two { $0.logaddexp($1) },
    "logaddexp2": two { $0.logaddexp2($1) }, "nextafter": two { $0.nextafter($1) }, "ldexp": two { $0.ldexp($1) },
    "float_power": two { $0.floatPower($1) }, "true_divide": two { $0.trueDivide($1) },
    "bitwise_left_shift": two { $0 << $1 }, "bitwise_right_shift": two { $0 >> $1 }, "gcd": two { $0.gcd($1) },
    "lcm": two { $0.lcm($1) }, "special_xlog1py": two { Special.xlog1py($0, $1) },
    "special_zeta": two { Special.zeta($0, $1) },
    "isclose": { xs, c in
        [xs[0].isclose(xs[1], rtol: c.double("rtol"), atol: c.double("atol"), equalNaN: c.bool("equal_nan"))]
    },
    "allclose": { xs, c in
        let r = xs[0].allclose(xs[1], rtol: c.double("rtol"), atol: c.double("atol"), equalNaN: c.bool("equal_nan"))
        return [Tensor.scalar(r, dtype: .bool)]
    },
    "equal": { xs, _ in [Tensor.scalar(xs[0].equal(xs[1]), dtype: .bool)] },
]

/// The composite shape, product and statistics ops of #14.
let compositeOps: [String: DiffOp] = [
    "movedim": { xs, c in [xs[0].movedim(c.ints("src"), c.ints("dst"))] },
    "swapaxes": { xs, c in [xs[0].swapaxes(c.int("a"), c.int("b"))] },
    "atleast_1d": one { $0.atleast1d() }, "atleast_2d": one { $0.atleast2d() }, "atleast_3d": one { $0.atleast3d() },
    "tensor_split_sections": { xs, c in xs[0].tensorSplit(sections: c.int("n"), dim: c.int("dim")) },
    "tensor_split_indices": { xs, c in xs[0].tensorSplit(indices: c.ints("idx"), dim: c.int("dim")) },
    "hsplit": { xs, c in xs[0].hsplit(c.int("n")) }, "vsplit": { xs, c in xs[0].vsplit(c.int("n")) },
    "dsplit": { xs, c in xs[0].dsplit(c.int("n")) },
    "rot90": { xs, c in [xs[0].rot90(c.int("k"), dims: c.ints("dims"))] },
    "meshgrid": { xs, c in Tensor.meshgrid(xs, indexing: c.bool("xy") ? .xy : .ij) },
    "cartesian_prod": { xs, _ in [Tensor.cartesianProd(xs)] }, "block_diag": { xs, _ in [Tensor.blockDiag(xs)] },
    "take_along_dim": { xs, c in [xs[0].takeAlongDim(xs[1], dim: c.intOrNil("dim"))] },
    "trace": one { $0.trace() }, "diag": { xs, c in [xs[0].diag(c.int("offset"))] },
    "diag_embed": { xs, c in [xs[0].diagEmbed(offset: c.int("offset"), dim1: c.int("d1"), dim2: c.int("d2"))] },
    "kron": two { $0.kron($1) }, "tensordot": { xs, c in [xs[0].tensordot(xs[1], dims: c.int("dims"))] },
    "tensordot_lists": { xs, c in [xs[0].tensordot(xs[1], dims: (c.ints("da"), c.ints("db")))] },
    "baddbmm": { xs, c in [Tensor.baddbmm(xs[0], xs[1], xs[2], beta: c.double("beta"), alpha: c.double("alpha"))] },
    "addbmm": { xs, c in [Tensor.addbmm(xs[0], xs[1], xs[2], beta: c.double("beta"), alpha: c.double("alpha"))] },
    "addmv": { xs, c in [Tensor.addmv(xs[0], xs[1], xs[2], beta: c.double("beta"), alpha: c.double("alpha"))] },
    "addr": { xs, c in [Tensor.addr(xs[0], xs[1], xs[2], beta: c.double("beta"), alpha: c.double("alpha"))] },
    "multi_dot": { xs, _ in [Tensor.multiDot(xs)] }, "chain_matmul": { xs, _ in [Tensor.chainMatmul(xs)] },
    "tril_indices": { _, c in [Tensor.trilIndices(c.int("r"), c.int("c"), offset: c.int("o"))] },
    "triu_indices": { _, c in [Tensor.triuIndices(c.int("r"), c.int("c"), offset: c.int("o"))] },
    "nansum": { xs, c in [xs[0].nansum(dims: dimsArg(c), keepdim: c.bool("keepdim"))] },
    "nanmean": { xs, c in [xs[0].nanmean(dims: dimsArg(c), keepdim: c.bool("keepdim"))] },
    "count_nonzero": { xs, c in [xs[0].countNonzero(dims: dimsArg(c))] },
    "aminmax": { xs, c in
        let r = xs[0].aminmax(dim: c.int("dim"), keepdim: c.bool("keepdim"))
        return [r.min, r.max]
    },
    "var_mean": { xs, c in
        let r = xs[0].varMean(dims: dimsArg(c), correction: c.int("correction"), keepdim: c.bool("keepdim"))
        return [r.variance, r.mean]
    },
    "std_mean": { xs, c in
        let r = xs[0].stdMean(dims: dimsArg(c), correction: c.int("correction"), keepdim: c.bool("keepdim"))
        return [r.std, r.mean]
    },
    "msort": one { $0.msort() }, "logcumsumexp": { xs, c in [xs[0].logcumsumexp(dim: c.int("dim"))] },
    "cummax": { xs, c in
        let r = xs[0].cummax(dim: c.int("dim"))
        return [r.values, r.indices]
    },
    "cummin": { xs, c in
        let r = xs[0].cummin(dim: c.int("dim"))
        return [r.values, r.indices]
    },
]

private func interpolation(_ s: String) -> QuantileInterpolation {
    switch s {
    case "lower": return .lower
    case "higher": return .higher
    case "midpoint": return .midpoint
    case "nearest": return .nearest
    default: return .linear
    }
}

private func quantileOp(_ nan: Bool) -> DiffOp {
    { xs, c in
        let dim = c.intOrNil("dim"), keep = c.bool("keepdim"), how = interpolation(c.string("interp"))
        if let qs = c.doublesOrNil("q") {
            return [
                nan
                    ? xs[0].nanquantile(qs, dim: dim, keepdim: keep, interpolation: how)
                    : xs[0].quantile(qs, dim: dim, keepdim: keep, interpolation: how)
            ]
        }
        let q = c.double("q")
        return [
            nan
                ? xs[0].nanquantile(q, dim: dim, keepdim: keep, interpolation: how)
                : xs[0].quantile(q, dim: dim, keepdim: keep, interpolation: how)
        ]
    }
}

private func uniqueOutputs(_ r: (values: Tensor, inverse: Tensor?, counts: Tensor?)) -> [Tensor] {
    [r.values] + [r.inverse, r.counts].compactMap { $0 }
}

/// Order statistics and sets (#14).
let orderOps: [String: DiffOp] = [
    "median_all": one { $0.median() }, "nanmedian_all": one { $0.nanmedian() },
    "median_dim": { xs, c in
        let r = xs[0].median(dim: c.int("dim"), keepdim: c.bool("keepdim"))
        return [r.values, r.indices]
    },
    "nanmedian_dim": { xs, c in
        let r = xs[0].nanmedian(dim: c.int("dim"), keepdim: c.bool("keepdim"))
        return [r.values, r.indices]
    },
    "kthvalue": { xs, c in
        let r = xs[0].kthvalue(c.int("k"), dim: c.int("dim"), keepdim: c.bool("keepdim"))
        return [r.values, r.indices]
    },
    "mode": { xs, c in
        let r = xs[0].mode(dim: c.int("dim"), keepdim: c.bool("keepdim"))
        return [r.values, r.indices]
    },
    "quantile": quantileOp(false), "nanquantile": quantileOp(true),
    "unique": { xs, c in
        uniqueOutputs(xs[0].unique(returnInverse: c.bool("inverse"), returnCounts: c.bool("counts")))
    },
    "unique_consecutive": { xs, c in
        uniqueOutputs(xs[0].uniqueConsecutive(returnInverse: c.bool("inverse"), returnCounts: c.bool("counts")))
    },
    "searchsorted": { xs, c in [xs[0].searchsorted(xs[1], right: c.bool("right"))] },
    "searchsorted_sorter": { xs, c in
        [xs[0].searchsorted(xs[1], right: c.bool("right"), side: SearchSide(rawValue: c.string("side")), sorter: xs[2])]
    },
    "unique_dim": { xs, c in
        uniqueOutputs(xs[0].unique(dim: c.int("dim"), returnInverse: c.bool("inverse"), returnCounts: c.bool("counts")))
    },
    "unique_consecutive_dim": { xs, c in
        uniqueOutputs(
            xs[0].uniqueConsecutive(dim: c.int("dim"), returnInverse: c.bool("inverse"), returnCounts: c.bool("counts"))
        )
    },
    "histogram": { xs, c in
        let weight = c.bool("weight") ? xs.last : nil
        let bins: HistogramBins
        switch c.string("kind") {
        case "edges": bins = .edges(xs[1])
        case "range": bins = .count(c.int("bins"), range: (c.double("lo"), c.double("hi")))
        default: bins = .count(c.int("bins"))
        }
        let r = xs[0].histogram(bins, weight: weight, density: c.bool("density"))
        return [r.hist, r.binEdges]
    },
    "combinations": { xs, c in [xs[0].combinations(r: c.int("r"), withReplacement: c.bool("rep"))] },
    "bucketize": { xs, c in [xs[1].bucketize(xs[0], right: c.bool("right"))] },
    "bincount": { xs, c in
        [xs[0].bincount(weights: xs.count > 1 ? xs[1] : nil, minlength: c.int("minlength"))]
    },
    "histc": { xs, c in [xs[0].histc(bins: c.int("bins"), min: c.double("lo"), max: c.double("hi"))] },
]

private func dtypeArg(_ c: DiffCase) -> DType {
    switch c.string("dt") {
    case "float32": return .float32
    case "float64": return .float64
    default: return .int64
    }
}

private func reduction(_ name: String) -> ScatterReduction {
    let modes: [String: ScatterReduction] = ["sum": .sum, "prod": .prod, "mean": .mean, "amax": .amax, "amin": .amin]
    return modes[name]!
}

private func scatterReduceOp(_ xs: [Tensor], _ c: DiffCase) -> Tensor {
    xs[0].scatterReduce(c.int("dim"), xs[1], xs[2], reduce: reduction(c.string("reduce")), includeSelf: c.bool("self"))
}

/// Symmetric (Hermitian for a complex x), as the generator's `_sym`.
func symmetric(_ x: Tensor) -> Tensor { (x + x.mH) / 2 }
/// Symmetric (Hermitian) positive-definite, as the generator's `_spd`.
func positiveDefinite(_ x: Tensor) -> Tensor {
    let n = x.shape[x.rank - 1]
    return x.matmul(x.mH) + Tensor.eye(n, dtype: x.dtype) * Double(n)
}

/// torch.linalg (#14); outputs with a sign freedom compared through sign-free functions, as the
/// generator does.
let linalgNewOps: [String: DiffOp] = [
    "linalg_inv": one { Linalg.inv($0) }, "linalg_det": one { Linalg.det($0) },
    "linalg_slogdet": { xs, _ in
        let r = Linalg.slogdet(xs[0])
        return [r.sign, r.logabsdet]
    },
    "logdet": one { $0.logdet() }, "linalg_solve": two { Linalg.solve($0, $1) },
    "linalg_cholesky": { xs, c in [Linalg.cholesky(positiveDefinite(xs[0]), upper: c.bool("upper"))] },
    "linalg_cholesky_not_pd": { xs, _ in [Linalg.cholesky(-positiveDefinite(xs[0]))] },
    "linalg_eigh": { xs, _ in
        let r = Linalg.eigh(symmetric(xs[0]))
        return [r.eigenvalues, r.eigenvectors * r.eigenvectors]
    },
    "linalg_eigvalsh": { xs, _ in [Linalg.eigvalsh(symmetric(xs[0]))] },
    "linalg_svd": { xs, c in
        let r = Linalg.svd(xs[0], fullMatrices: c.bool("full"))
        return [r.u.abs(), r.s, r.vh.abs()]
    },
    "linalg_svdvals": one { Linalg.svdvals($0) },
    "einsum": { xs, c in [Tensor.einsum(c.string("eq"), xs)] },
    "repeat_interleave": { xs, c in
        if let r = c.intOrNil("r") { return [xs[0].repeatInterleave(r, dim: c.intOrNil("dim"))] }
        return [xs[0].repeatInterleave(xs[1], dim: c.intOrNil("dim"))]
    },
    "index_copy": { xs, c in [xs[0].indexCopy(c.int("dim"), xs[1], xs[2])] },
    "index_fill": { xs, c in
        [
            xs[0].dtype.isFloatingPoint
                ? xs[0].indexFill(c.int("dim"), xs[1], -2.5) : xs[0].indexFill(c.int("dim"), xs[1], 3)
        ]
    },
    "masked_scatter": { xs, _ in [xs[0].maskedScatter(xs[1], xs[2])] },
    "put": { xs, c in [xs[0].put(xs[1], xs[2], accumulate: c.bool("acc"))] },
    "narrow_copy": { xs, c in [xs[0].narrowCopy(0, start: c.int("s"), length: c.int("l"))] },
    "fliplr": one { $0.fliplr() }, "flipud": one { $0.flipud() },
    "round_decimals": { xs, c in [xs[0].round(decimals: c.int("d"))] },
    "floor_divide_scalar": { xs, c in
        [
            c.scalar("s").apply(
                int: { xs[0].floorDivide($0) }, float: { xs[0].floorDivide($0) }, bool: { xs[0].floorDivide($0) })
        ]
    },
    "div_trunc_scalar": { xs, c in
        [
            c.scalar("s").apply(
                int: { xs[0].div($0, roundingMode: .trunc) }, float: { xs[0].div($0, roundingMode: .trunc) },
                bool: { xs[0].div($0, roundingMode: .trunc) })
        ]
    },
    "div_floor_scalar": { xs, c in
        [
            c.scalar("s").apply(
                int: { xs[0].div($0, roundingMode: .floor) }, float: { xs[0].div($0, roundingMode: .floor) },
                bool: { xs[0].div($0, roundingMode: .floor) })
        ]
    },
    "rremainder_scalar": { xs, c in
        [
            c.scalar("s").apply(
                int: { Tensor.remainder($0, xs[0]) }, float: { Tensor.remainder($0, xs[0]) },
                bool: { Tensor.remainder($0, xs[0]) })
        ]
    },
    "bitwise_and_scalar": { xs, c in
        [c.scalar("s").apply(int: { xs[0] & $0 }, float: { xs[0] & $0 }, bool: { xs[0] & $0 })]
    },
    "bitwise_or_scalar": { xs, c in
        [c.scalar("s").apply(int: { xs[0] | $0 }, float: { xs[0] | $0 }, bool: { xs[0] | $0 })]
    },
    "bitwise_xor_scalar": { xs, c in
        [c.scalar("s").apply(int: { xs[0] ^ $0 }, float: { xs[0] ^ $0 }, bool: { xs[0] ^ $0 })]
    },
    "where_scalars": { xs, c in
        [
            c.scalar("a").apply(
                int: { a in
                    c.scalar("b").apply(
                        int: { Tensor.where(xs[0], a, $0) }, float: { Tensor.where(xs[0], a, $0) },
                        bool: { Tensor.where(xs[0], a, $0) })
                },
                float: { a in
                    c.scalar("b").apply(
                        int: { Tensor.where(xs[0], a, $0) }, float: { Tensor.where(xs[0], a, $0) },
                        bool: { Tensor.where(xs[0], a, $0) })
                },
                bool: { a in
                    c.scalar("b").apply(
                        int: { Tensor.where(xs[0], a, $0) }, float: { Tensor.where(xs[0], a, $0) },
                        bool: { Tensor.where(xs[0], a, $0) })
                })
        ]
    },
    "add_scalar_alpha": { xs, c in
        [
            c.scalar("s").apply(
                int: { s in
                    c.scalar("alpha").apply(
                        int: { xs[0].add(s, alpha: $0) }, float: { xs[0].add(s, alpha: $0) },
                        bool: { xs[0].add(s, alpha: $0) })
                },
                float: { s in
                    c.scalar("alpha").apply(
                        int: { xs[0].add(s, alpha: $0) }, float: { xs[0].add(s, alpha: $0) },
                        bool: { xs[0].add(s, alpha: $0) })
                },
                bool: { s in
                    c.scalar("alpha").apply(
                        int: { xs[0].add(s, alpha: $0) }, float: { xs[0].add(s, alpha: $0) },
                        bool: { xs[0].add(s, alpha: $0) })
                })
        ]
    },
    "sub_scalar_alpha": { xs, c in
        [
            c.scalar("s").apply(
                int: { s in
                    c.scalar("alpha").apply(
                        int: { xs[0].sub(s, alpha: $0) }, float: { xs[0].sub(s, alpha: $0) },
                        bool: { xs[0].sub(s, alpha: $0) })
                },
                float: { s in
                    c.scalar("alpha").apply(
                        int: { xs[0].sub(s, alpha: $0) }, float: { xs[0].sub(s, alpha: $0) },
                        bool: { xs[0].sub(s, alpha: $0) })
                },
                bool: { s in
                    c.scalar("alpha").apply(
                        int: { xs[0].sub(s, alpha: $0) }, float: { xs[0].sub(s, alpha: $0) },
                        bool: { xs[0].sub(s, alpha: $0) })
                })
        ]
    },
    "squeeze_dims": { xs, c in [xs[0].squeeze(dims: c.ints("dims"))] },
    "mean_dtype": { xs, c in [xs[0].mean(dims: dimsArg(c), keepdim: c.bool("keepdim"), dtype: dtypeArg(c))] },
    "prod_dtype": { xs, c in [xs[0].prod(dims: [c.int("dim")], keepdim: c.bool("keepdim"), dtype: dtypeArg(c))] },
    "cumsum_dtype": { xs, c in [xs[0].cumsum(dim: c.int("dim"), dtype: dtypeArg(c))] },
    "cumprod_dtype": { xs, c in [xs[0].cumprod(dim: c.int("dim"), dtype: dtypeArg(c))] },
    "softmax_dtype": { xs, c in [xs[0].softmax(dim: c.int("dim"), dtype: dtypeArg(c))] },
    "log_softmax_dtype": { xs, c in [xs[0].logSoftmax(dim: c.int("dim"), dtype: dtypeArg(c))] },
    "scatter_reduce": { xs, c in [scatterReduceOp(xs, c)] },
    "scatter_reduce_grad": { xs, c in [scatterReduceOp(xs, c)] },
    "scatter_reduce_extrema_grad": { xs, c in [scatterReduceOp(xs, c)] },
    "put_": { xs, c in [xs[0].clone().put_(xs[1], xs[2], accumulate: c.bool("acc"))] },
    "index_reduce": { xs, c in
        [
            xs[0].indexReduce(
                c.int("dim"), xs[1], xs[2], reduce: reduction(c.string("reduce")), includeSelf: c.bool("self"))
        ]
    },
    "index_reduce_": { xs, c in
        [
            xs[0].clone().indexReduce_(
                c.int("dim"), xs[1], xs[2], reduce: reduction(c.string("reduce")), includeSelf: c.bool("self"))
        ]
    },
    "linalg_vector_norm": { xs, c in
        [Linalg.vectorNorm(xs[0], ord: c.double("ord"), dims: c.intsOrNil("dims"), keepdim: c.bool("keepdim"))]
    },
    "linalg_matrix_norm": { xs, c in
        let orders: [String: MatrixNormOrder] = [
            "fro": .frobenius, "nuc": .nuclear, "inf": .maxRowSum, "-inf": .minRowSum, "1": .maxColumnSum,
            "-1": .minColumnSum, "2": .largestSingularValue, "-2": .smallestSingularValue,
        ]
        return [Linalg.matrixNorm(xs[0], ord: orders[c.string("ord")]!, keepdim: c.bool("keepdim"))]
    },
    "linalg_matrix_power": { xs, c in [Linalg.matrixPower(xs[0], c.int("n"))] },
    "linalg_matrix_exp": { xs, c in [Linalg.matrixExp(xs[0] * c.double("scale"))] },
    "linalg_cross": { xs, c in [Linalg.cross(xs[0], xs[1], dim: c.int("dim"))] },
    "linalg_vecdot": two { Linalg.vecdot($0, $1) },
    "linalg_solve_triangular": { xs, c in
        [
            Linalg.solveTriangular(
                xs[0], xs[1], upper: c.bool("upper"), left: c.bool("left"), unitriangular: c.bool("unit"))
        ]
    },
    "linalg_matrix_rank": one { Linalg.matrixRank($0) }, "linalg_cond": one { Linalg.cond($0) },
    "linalg_inv_ex": { xs, _ in
        let r = Linalg.invEx(xs[0])
        let ok = r.info.eq(Tensor.scalar(Int32(0), dtype: .int32)).unsqueeze(-1).unsqueeze(-1)
        return [Tensor.where(ok, r.inverse, Tensor.zerosLike(r.inverse)), r.info]
    },
    "linalg_cholesky_ex": { xs, c in
        let r = Linalg.choleskyEx(positiveDefinite(xs[0]) * c.double("sign"))
        return [r.l, r.info]
    },
]

/// QR with its column signs normalized by R's diagonal, as the generator's `_qr`.
func normalizedQR(_ x: Tensor, _ mode: QRMode) -> [Tensor] {
    let (q, r) = Linalg.qr(x, mode: mode)
    let k = Swift.min(x.shape[x.rank - 2], x.shape[x.rank - 1])
    var d = r.diagonal(offset: 0, dim1: -2, dim2: -1).narrow(-1, start: 0, length: k).sgn()
    d = Tensor.where(d.eq(Tensor.scalar(0.0, dtype: d.dtype)), Tensor.onesLike(d), d)
    let rn = r.narrow(-2, start: 0, length: k) * d.conj().unsqueeze(-1)
    if mode == .r { return [rn] }
    return [q.narrow(-1, start: 0, length: k) * d.unsqueeze(-2), rn]
}

/// QR, LU, LDLᵀ, least squares, pinv (#14, second part).
let decompositionOps: [String: DiffOp] = [
    "linalg_qr": { xs, c in normalizedQR(xs[0], QRMode(rawValue: c.string("mode"))!) },
    "linalg_lu_factor": { xs, _ in
        let r = Linalg.luFactor(xs[0])
        return [r.lu, r.pivots]
    },
    "linalg_lu_factor_ex": { xs, _ in
        let r = Linalg.luFactorEx(xs[0])
        return [r.lu, r.pivots, r.info]
    },
    "linalg_lu": { xs, _ in
        let r = Linalg.lu(xs[0])
        return [r.p, r.l, r.u]
    },
    "lu_unpack": { xs, _ in
        let f = Linalg.luFactor(xs[0])
        let r = Linalg.luUnpack(f.lu, f.pivots)
        return [r.p, r.l, r.u]
    },
    "linalg_lu_solve": { xs, c in
        let f = Linalg.luFactor(xs[0])
        return [Linalg.luSolve(f.lu, f.pivots, xs[1], left: c.bool("left"), adjoint: c.bool("adjoint"))]
    },
    "linalg_ldl_factor": { xs, _ in
        let r = Linalg.ldlFactor(symmetric(xs[0]))
        return [r.ld, r.pivots]
    },
    "linalg_lstsq": { xs, c in
        var driver = LstsqDriver(rawValue: c.string("driver"))!
        let k = Swift.min(xs[0].shape[xs[0].rank - 2], xs[0].shape[xs[0].rank - 1])
        if driver == .gels && xs[0].numel > 0 && Linalg.matrixRank(xs[0]).amin().item(Int64.self) != Int64(k) {
            driver = .gelsy
        }
        let r = Linalg.lstsq(xs[0], xs[1], driver: driver)
        return [r.solution, r.residuals, r.rank, r.singularValues]
    },
    "linalg_pinv": one { Linalg.pinv($0) },
    "linalg_pinv_hermitian": { xs, _ in [Linalg.pinv(symmetric(xs[0]), hermitian: true)] },
    "linalg_solve_ex": { xs, _ in
        let r = Linalg.solveEx(xs[0], xs[1])
        var ok = r.info.eq(Tensor.scalar(Int32(0), dtype: .int32))
        while ok.rank < r.result.rank { ok = ok.unsqueeze(-1) }
        return [Tensor.where(ok, r.result, Tensor.zerosLike(r.result)), r.info]
    },
    "linalg_solve_left": { xs, _ in [Linalg.solve(xs[0], xs[1], left: false)] },
    "linalg_norm": { xs, c in
        let keepdim = c.bool("keepdim"), dims = c.intsOrNil("dims")
        if let name = c.stringOrNil("ord"), name == "fro" || name == "nuc" {
            let order: MatrixNormOrder = name == "fro" ? .frobenius : .nuclear
            return [Linalg.norm(xs[0], ord: order, dims: dims, keepdim: keepdim)]
        }
        return [Linalg.norm(xs[0], ord: c.doubleOrNil("ord"), dims: dims, keepdim: keepdim)]
    },
    "linalg_matrix_norm_dims": { xs, c in
        [
            Linalg.matrixNorm(
                xs[0], ord: matrixOrders[c.string("ord")]!, dims: c.ints("dims"), keepdim: c.bool("keepdim"))
        ]
    },
    "linalg_vector_norm_dtype": { xs, c in
        [Linalg.vectorNorm(xs[0], ord: c.double("ord"), dtype: dtypeArg(c.stringOrNil("dtype")))]
    },
    "linalg_cond_p": { xs, c in [Linalg.cond(xs[0], p: matrixOrders[c.string("p")]!)] },
    "linalg_matrix_rank_tol": { xs, c in
        let h = c.bool("h")
        return [
            Linalg.matrixRank(
                h ? symmetric(xs[0]) : xs[0], atol: c.doubleOrNil("atol"), rtol: c.doubleOrNil("rtol"), hermitian: h)
        ]
    },
]

/// PyTorch's `ord=` spellings of the matrix norms.
let matrixOrders: [String: MatrixNormOrder] = [
    "fro": .frobenius, "nuc": .nuclear, "inf": .maxRowSum, "-inf": .minRowSum, "1": .maxColumnSum,
    "-1": .minColumnSum, "2": .largestSingularValue, "-2": .smallestSingularValue,
]

let binaryOps: [String: DiffOp] = [
    "add": two { $0.add($1) }, "sub": two { $0.sub($1) }, "mul": two { $0.mul($1) }, "div": two { $0.div($1) },
    "div_floor": two { $0.div($1, roundingMode: .floor) }, "div_trunc": two { $0.div($1, roundingMode: .trunc) },
    "floor_divide": two { $0.floorDivide($1) }, "remainder": two { $0.remainder($1) }, "fmod": two { $0.fmod($1) },
    "pow": two { $0.pow($1) }, "maximum": two { $0.maximum($1) }, "minimum": two { $0.minimum($1) },
    "atan2": two { $0.atan2($1) }, "xlogy": two { $0.xlogy($1) }, "bitwise_and": two { $0 & $1 },
    "bitwise_or": two { $0 | $1 },
    "bitwise_xor": two { $0 ^ $1 }, "logical_and": two { $0.logicalAnd($1) }, "logical_or": two { $0.logicalOr($1) },
    "logical_xor": two { $0.logicalXor($1) }, "eq": two { $0.eq($1) }, "ne": two { $0.ne($1) }, "lt": two { $0.lt($1) },
    "le": two { $0.le($1) }, "gt": two { $0.gt($1) }, "ge": two { $0.ge($1) },
    "add_alpha": { xs, c in
        [
            c.scalar("alpha").apply(
                int: { xs[0].add(xs[1], alpha: $0) }, float: { xs[0].add(xs[1], alpha: $0) },
                bool: { xs[0].add(xs[1], alpha: $0) })
        ]
    },
    "sub_alpha": { xs, c in
        [
            c.scalar("alpha").apply(
                int: { xs[0].sub(xs[1], alpha: $0) }, float: { xs[0].sub(xs[1], alpha: $0) },
                bool: { xs[0].sub(xs[1], alpha: $0) })
        ]
    },
    "add_scalar": { xs, c in
        [c.scalar("scalar").apply(int: { xs[0] + $0 }, float: { xs[0] + $0 }, bool: { xs[0] + $0 })]
    },
    "sub_scalar": { xs, c in
        [c.scalar("scalar").apply(int: { xs[0] - $0 }, float: { xs[0] - $0 }, bool: { xs[0] - $0 })]
    },
    "mul_scalar": { xs, c in
        [c.scalar("scalar").apply(int: { xs[0] * $0 }, float: { xs[0] * $0 }, bool: { xs[0] * $0 })]
    },
    "div_scalar": { xs, c in
        [c.scalar("scalar").apply(int: { xs[0] / $0 }, float: { xs[0] / $0 }, bool: { xs[0] / $0 })]
    },
    "pow_scalar": { xs, c in
        [c.scalar("scalar").apply(int: { xs[0].pow($0) }, float: { xs[0].pow($0) }, bool: { xs[0].pow($0) })]
    },
    "remainder_scalar": { xs, c in
        [
            c.scalar("scalar").apply(
                int: { xs[0].remainder($0) }, float: { xs[0].remainder($0) }, bool: { xs[0].remainder($0) })
        ]
    },
    "fmod_scalar": { xs, c in
        [c.scalar("scalar").apply(int: { xs[0].fmod($0) }, float: { xs[0].fmod($0) }, bool: { xs[0].fmod($0) })]
    },
    "rpow_scalar": { xs, c in
        [
            c.scalar("scalar").apply(
                int: { Tensor.pow($0, xs[0]) }, float: { Tensor.pow($0, xs[0]) }, bool: { Tensor.pow($0, xs[0]) })
        ]
    },
    "clamp": { xs, c in
        if c.string("kind") == "int" { return [xs[0].clamp(min: c.intOrNil("min"), max: c.intOrNil("max"))] }
        return [xs[0].clamp(min: c.doubleOrNil("min"), max: c.doubleOrNil("max"))]
    },
    "clamp_tensor": { xs, _ in [xs[0].clamp(min: xs[1], max: xs[2])] },
    "where": { xs, _ in [Tensor.where(xs[0], xs[1], xs[2])] },
    "lerp": { xs, c in [xs[0].lerp(xs[1], weight: c.double("weight"))] },
    "lerp_tensor": { xs, _ in [xs[0].lerp(xs[1], weight: xs[2])] },
]

let reductionOps: [String: DiffOp] = [
    "sum": { xs, c in [xs[0].sum(dims: dimsArg(c), keepdim: c.bool("keepdim"))] },
    "mean": { xs, c in [xs[0].mean(dims: dimsArg(c), keepdim: c.bool("keepdim"))] },
    "prod_dim": { xs, c in [xs[0].prod(dim: c.int("dim"), keepdim: c.bool("keepdim"))] },
    "prod": one { $0.prod() },
    "amax": { xs, c in [xs[0].amax(dims: dimsArg(c), keepdim: c.bool("keepdim"))] },
    "amin": { xs, c in [xs[0].amin(dims: dimsArg(c), keepdim: c.bool("keepdim"))] },
    "max": one { $0.max() }, "min": one { $0.min() },
    "max_dim": { xs, c in
        let r = xs[0].max(dim: c.int("dim"), keepdim: c.bool("keepdim")); return [r.values, r.indices]
    },
    "min_dim": { xs, c in
        let r = xs[0].min(dim: c.int("dim"), keepdim: c.bool("keepdim")); return [r.values, r.indices]
    },
    "argmax": { xs, c in [xs[0].argmax(dim: c.intOrNil("dim"), keepdim: c.bool("keepdim"))] },
    "argmin": { xs, c in [xs[0].argmin(dim: c.intOrNil("dim"), keepdim: c.bool("keepdim"))] },
    "all": { xs, c in [xs[0].all(dims: dimsArg(c), keepdim: c.bool("keepdim"))] },
    "any": { xs, c in [xs[0].any(dims: dimsArg(c), keepdim: c.bool("keepdim"))] },
    "logsumexp": { xs, c in [xs[0].logsumexp(dims: c.ints("dims"), keepdim: c.bool("keepdim"))] },
    "var": { xs, c in [xs[0].variance(dims: dimsArg(c), correction: c.int("correction"), keepdim: c.bool("keepdim"))] },
    "std": { xs, c in [xs[0].std(dims: dimsArg(c), correction: c.int("correction"), keepdim: c.bool("keepdim"))] },
    "norm": { xs, c in [xs[0].norm(p: c.double("p"), dims: dimsArg(c), keepdim: c.bool("keepdim"))] },
    "cumsum": { xs, c in [xs[0].cumsum(dim: c.int("dim"))] },
    "cumprod": { xs, c in [xs[0].cumprod(dim: c.int("dim"))] },
    "softmax": { xs, c in [xs[0].softmax(dim: c.int("dim"))] },
    "log_softmax": { xs, c in [xs[0].logSoftmax(dim: c.int("dim"))] },
    "sort": { xs, c in
        let r = xs[0].sort(dim: c.int("dim"), descending: c.bool("descending")); return [r.values, r.indices]
    },
    "argsort": { xs, c in [xs[0].argsort(dim: c.int("dim"), descending: c.bool("descending"))] },
    "topk": { xs, c in
        let r = xs[0].topk(c.int("k"), dim: c.int("dim"), largest: c.bool("largest"))
        return [r.values, r.indices]
    },
]

let shapeOps: [String: DiffOp] = [
    "reshape": { xs, c in [xs[0].reshape(c.ints("shape"))] },
    "permute": { xs, c in [xs[0].permute(c.ints("dims"))] },
    "transpose": { xs, c in [xs[0].transpose(c.int("d0"), c.int("d1"))] },
    "flatten": { xs, c in
        let r = Swift.max(xs[0].rank, 1)
        let a = ((c.int("d0") % r) + r) % r, b = ((c.int("d1") % r) + r) % r
        return [xs[0].flatten(startDim: Swift.min(a, b), endDim: Swift.max(a, b))]
    },
    "squeeze": { xs, c in [xs[0].squeeze(c.intOrNil("dim"))] },
    "unsqueeze": { xs, c in [xs[0].unsqueeze(c.int("dim"))] },
    "flip": { xs, c in [xs[0].flip(c.ints("dims"))] },
    "roll": { xs, c in [xs[0].roll(c.ints("shifts"), dims: c.ints("dims"))] },
    "tril": { xs, c in [xs[0].tril(c.int("diagonal"))] },
    "triu": { xs, c in [xs[0].triu(c.int("diagonal"))] },
    "diagonal": { xs, c in [xs[0].diagonal(offset: c.int("offset"), dim1: c.int("dim1"), dim2: c.int("dim2"))] },
    "narrow": { xs, c in [xs[0].narrow(c.int("dim"), start: c.int("start"), length: c.int("length"))] },
    "cat": { xs, c in [Tensor.cat(xs, dim: c.int("dim"))] },
    "stack": { xs, c in [Tensor.stack(xs, dim: c.int("dim"))] },
    "expand": { xs, c in [xs[0].expand(c.ints("shape"))] },
    "tile": { xs, c in [xs[0].tile(c.ints("reps"))] },
    "repeat": { xs, c in
        var reps = c.ints("reps")
        if reps.count < xs[0].rank { reps += [Int](repeating: 1, count: xs[0].rank - reps.count) }
        return [xs[0].repeat(reps)]
    },
    "gather": { xs, c in [xs[0].gather(c.int("dim"), xs[1])] },
    "index_select": { xs, c in [xs[0].indexSelect(c.int("dim"), xs[1])] },
    "scatter_add": { xs, c in [xs[0].scatterAdd(c.int("dim"), xs[1], xs[2])] },
    "index_add": { xs, c in [xs[0].indexAdd(c.int("dim"), xs[1], xs[2], alpha: Double(c.int("alpha")))] },
    "masked_fill": { xs, c in
        [
            c.scalar("value").apply(
                int: { xs[0].maskedFill(xs[1], $0) }, float: { xs[0].maskedFill(xs[1], $0) },
                bool: { xs[0].maskedFill(xs[1], $0) })
        ]
    },
    "masked_select": { xs, _ in [xs[0].maskedSelect(xs[1])] },
    "take": { xs, _ in [xs[0].take(xs[1])] },
    "nonzero": one { $0.nonzero() },
]

private func dtypeArg(_ s: String?) -> DType? {
    switch s {
    case "float32": return .float32
    case "float64": return .float64
    case "int64": return .int64
    case "int32": return .int32
    case "float16": return .float16
    case "bfloat16": return .bfloat16
    default: return nil
    }
}

let linalgOps: [String: DiffOp] = [
    "mm": two { $0.mm($1) }, "mv": two { $0.mv($1) }, "bmm": two { $0.bmm($1) }, "dot": two { $0.dot($1) },
    "outer": two { $0.outer($1) }, "matmul": two { $0.matmul($1) },
    "addmm": { xs, c in
        // Each scalar keeps its own Python kind (an int beta with a float alpha).
        switch (c.scalar("beta"), c.scalar("alpha")) {
        case (.int(let b), .int(let a)): return [Tensor.addmm(xs[0], xs[1], xs[2], beta: b, alpha: a)]
        case (.int(let b), let a): return [Tensor.addmm(xs[0], xs[1], xs[2], beta: b, alpha: a.asDouble)]
        case (let b, .int(let a)): return [Tensor.addmm(xs[0], xs[1], xs[2], beta: b.asDouble, alpha: a)]
        case (let b, let a): return [Tensor.addmm(xs[0], xs[1], xs[2], beta: b.asDouble, alpha: a.asDouble)]
        }
    },
    "linspace": { _, c in
        [
            Tensor.linspace(
                c.double("start"), c.double("end"), steps: c.int("steps"), dtype: dtypeArg(c.stringOrNil("dtype")))
        ]
    },
    "logspace": { _, c in
        [
            Tensor.logspace(
                c.double("start") / 4, c.double("end") / 40, steps: c.int("steps"),
                dtype: dtypeArg(c.stringOrNil("dtype")))
        ]
    },
    "arange": { _, c in
        let dt = dtypeArg(c.stringOrNil("dtype"))
        if c.string("kind") == "int" {
            return [Tensor.arange(c.int("start"), c.int("end"), step: c.int("step"), dtype: dt)]
        }
        return [Tensor.arange(c.double("start"), c.double("end"), step: c.double("step"), dtype: dt)]
    },
]

private func third(_ xs: [Tensor]) -> Tensor? { xs.count > 2 ? xs[2] : nil }

let nnOps: [String: DiffOp] = [
    "linear": { xs, _ in [linear(xs[0], xs[1], third(xs))] },
    "conv1d": { xs, c in
        [
            conv1d(
                xs[0], xs[1], third(xs), stride: SizeSpec(c.int("stride")),
                padding: c.int("padding"),
                dilation: SizeSpec(c.int("dilation")))
        ]
    },
    "conv2d": { xs, c in
        [
            conv2d(
                xs[0], xs[1], third(xs), stride: SizeSpec(c.int("stride")),
                padding: c.int("padding"),
                dilation: SizeSpec(c.int("dilation")))
        ]
    },
    "conv2d_direct": { xs, c in
        [
            conv2d(
                xs[0], xs[1], third(xs), stride: SizeSpec(c.int("stride")), padding: c.int("padding"),
                dilation: SizeSpec(c.int("dilation")))
        ]
    },
    "conv2d_depthwise": { xs, c in
        [
            conv2d(
                xs[0], xs[1], third(xs), stride: SizeSpec(c.int("stride")), padding: c.int("padding"),
                dilation: SizeSpec(c.int("dilation")), groups: c.int("groups"))
        ]
    },
    "conv_transpose1d": { xs, c in
        [
            convTranspose1d(
                xs[0], xs[1], third(xs), stride: SizeSpec(c.int("stride")), padding: SizeSpec(c.int("padding")),
                outputPadding: SizeSpec(c.int("output_padding")), dilation: SizeSpec(c.int("dilation")))
        ]
    },
    "conv_transpose2d": { xs, c in
        [
            convTranspose2d(
                xs[0], xs[1], third(xs), stride: SizeSpec(c.int("stride")), padding: SizeSpec(c.int("padding")),
                outputPadding: SizeSpec(c.int("output_padding")), dilation: SizeSpec(c.int("dilation")))
        ]
    },
    "conv_transpose3d": { xs, c in
        [
            convTranspose3d(
                xs[0], xs[1], third(xs), stride: SizeSpec(c.int("stride")), padding: SizeSpec(c.int("padding")),
                outputPadding: SizeSpec(c.int("output_padding")), dilation: SizeSpec(c.int("dilation")))
        ]
    },
    "max_pool1d": { xs, c in
        [
            maxPool1d(
                xs[0], kernel: SizeSpec(c.int("kernel")), stride: c.intOrNil("stride").map { SizeSpec($0) },
                padding: SizeSpec(c.int("padding")), dilation: SizeSpec(c.int("dilation")),
                ceilMode: c.bool("ceil_mode"))
        ]
    },
    "max_pool2d": { xs, c in
        [
            maxPool2d(
                xs[0], kernel: SizeSpec(c.int("kernel")), stride: c.intOrNil("stride").map { SizeSpec($0) },
                padding: SizeSpec(c.int("padding")), dilation: SizeSpec(c.int("dilation")),
                ceilMode: c.bool("ceil_mode"))
        ]
    },
    "avg_pool1d": { xs, c in
        [
            avgPool1d(
                xs[0], kernel: SizeSpec(c.int("kernel")), stride: c.intOrNil("stride").map { SizeSpec($0) },
                padding: SizeSpec(c.int("padding")), ceilMode: c.bool("ceil_mode"),
                countIncludePad: c.bool("count_include_pad"))
        ]
    },
    "avg_pool2d": { xs, c in
        [
            avgPool2d(
                xs[0], kernel: SizeSpec(c.int("kernel")), stride: c.intOrNil("stride").map { SizeSpec($0) },
                padding: SizeSpec(c.int("padding")), ceilMode: c.bool("ceil_mode"),
                countIncludePad: c.bool("count_include_pad"))
        ]
    },
    "adaptive_avg_pool1d": { xs, c in [adaptiveAvgPool1d(xs[0], c.ints("out")[0])] },
    "adaptive_avg_pool2d": { xs, c in
        let o = c.ints("out"); return [adaptiveAvgPool2d(xs[0], o[0], o[1])]
    },
    "adaptive_max_pool1d": { xs, c in [adaptiveMaxPool1d(xs[0], c.ints("out")[0])] },
    "adaptive_max_pool2d": { xs, c in
        let o = c.ints("out"); return [adaptiveMaxPool2d(xs[0], o[0], o[1])]
    },
    "layer_norm": { xs, c in
        [layerNorm(xs[0], c.ints("normalized"), weight: xs.count > 1 ? xs[1] : nil, bias: xs.count > 2 ? xs[2] : nil)]
    },
    "group_norm": { xs, c in
        [groupNorm(xs[0], c.int("groups"), weight: xs.count > 1 ? xs[1] : nil, bias: xs.count > 2 ? xs[2] : nil)]
    },
    "batch_norm": { xs, _ in
        [
            batchNorm(
                xs[0], runningMean: nil, runningVar: nil, weight: xs.count > 1 ? xs[1] : nil,
                bias: xs.count > 2 ? xs[2] : nil, training: true)
        ]
    },
    "embedding": { xs, c in [embedding(xs[0], xs[1], paddingIdx: c.intOrNil("padding_idx"))] },
    "mse_loss": { xs, c in [mseLoss(xs[0], xs[1], reduction: reduction(c.string("reduction")))] },
    "l1_loss": { xs, c in [l1Loss(xs[0], xs[1], reduction: reduction(c.string("reduction")))] },
    "huber_loss": { xs, c in
        [huberLoss(xs[0], xs[1], delta: c.double("beta"), reduction: reduction(c.string("reduction")))]
    },
    "smooth_l1_loss": { xs, c in
        [smoothL1Loss(xs[0], xs[1], beta: c.double("beta"), reduction: reduction(c.string("reduction")))]
    },
    "binary_cross_entropy": { xs, c in [binaryCrossEntropy(xs[0], xs[1], reduction: reduction(c.string("reduction")))]
    },
    "binary_cross_entropy_with_logits": { xs, c in
        [binaryCrossEntropyWithLogits(xs[0], xs[1], reduction: reduction(c.string("reduction")))]
    },
    "kl_div": { xs, c in [klDiv(xs[0], xs[1], reduction: KLDivReduction(rawValue: c.string("reduction"))!)] },
    "cross_entropy": { xs, c in
        [
            crossEntropy(
                xs[0], xs[1], weight: nil, ignoreIndex: c.int("ignore_index"),
                reduction: reduction(c.string("reduction")))
        ]
    },
    "nll_loss": { xs, c in
        [nllLoss(xs[0], xs[1], reduction: reduction(c.string("reduction")), ignoreIndex: c.int("ignore_index"))]
    },
    "scaled_dot_product_attention": { xs, c in
        [
            scaledDotProductAttention(
                xs[0], xs[1], xs[2], attnMask: xs.count > 3 ? xs[3] : nil, isCausal: c.bool("causal"))
        ]
    },
    "dropout": { xs, c in [dropout(xs[0], p: c.double("p"), training: true)] },
]

let inPlaceOps: [String: DiffOp] = [
    "add_": { xs, _ in [xs[0].add_(xs[1])] }, "mul_": { xs, _ in [xs[0].mul_(xs[1])] },
    "sub_": { xs, _ in [xs[0].sub_(xs[1])] }, "div_": { xs, _ in [xs[0].div_(xs[1])] },
    "copy_": { xs, _ in [xs[0].copy_(xs[1])] }, "neg_": { xs, _ in [xs[0].neg_()] },
    "fill_": { xs, c in
        [c.scalar("value").apply(int: { xs[0].fill_($0) }, float: { xs[0].fill_($0) }, bool: { xs[0].fill_($0) })]
    },
    "clamp_": { xs, c in
        if c.string("kind") == "int" { return [xs[0].clamp_(min: c.intOrNil("min"), max: c.intOrNil("max"))] }
        return [xs[0].clamp_(min: c.doubleOrNil("min"), max: c.doubleOrNil("max"))]
    },
    "index_put_": { xs, c in [xs[0].indexPut_([xs[1]], xs[2], accumulate: c.bool("accumulate"))] },
    "pad": { xs, c in
        let mode: PadMode
        switch c.string("mode") {
        case "reflect": mode = .reflect
        case "replicate": mode = .replicate
        case "circular": mode = .circular
        default: mode = .constant
        }
        return [xs[0].pad(c.ints("pad"), mode: mode)]
    },
]

let moreOps: [String: DiffOp] = [
    "view": { xs, c in [xs[0].view(c.ints("shape"))] },
    "t": one { $0.t() },
    "zeros_like": one { Tensor.zerosLike($0) },
    "ones_like": one { Tensor.onesLike($0) },
    "expand_as": { xs, _ in [xs[0].expandAs(xs[1])] },
    "scatter": { xs, c in [xs[0].scatter(c.int("dim"), xs[1], xs[2])] },
    "chunk": { xs, c in xs[0].chunk(c.int("n"), dim: c.int("dim")) },
    "split": { xs, c in xs[0].split(c.int("n"), dim: c.int("dim")) },
    "unbind": { xs, c in xs[0].unbind(c.int("dim")) },
    "select": { xs, c in [xs[0].select(c.int("dim"), c.int("index"))] },
    "unfold": { xs, c in [xs[0].unfold(c.int("dim"), size: c.int("size"), step: c.int("step"))] },
    "unflatten": { xs, c in [xs[0].unflatten(c.int("dim"), c.ints("sizes"))] },
    "index": { xs, c in
        switch c.string("kind") {
        case "int": return [xs[0][c.int("i")]]
        case "slice": return [xs[0][TensorIndex.slice(c.intOrNil("start"), c.intOrNil("stop"), step: c.int("step"))]]
        case "int_tensor": return [c.intOrNil("i").map { xs[0][xs[1], $0] } ?? xs[0][xs[1]]]
        case "tensor2": return [xs[0][xs[1], xs[2]]]
        default: return [xs[0][xs[1]]]
        }
    },
    "eye": { _, c in [Tensor.eye(c.int("n"), c.intOrNil("m"), dtype: dtypeArg(c.stringOrNil("dtype")))] },
    "full": { _, c in
        let dt = dtypeArg(c.stringOrNil("dtype"))
        return [
            c.scalar("value").apply(
                int: { Tensor.full([c.int("n"), 2], $0, dtype: dt) },
                float: { Tensor.full([c.int("n"), 2], $0, dtype: dt) },
                bool: { Tensor.full([c.int("n"), 2], $0, dtype: dt) })
        ]
    },
    "nan_to_num_args": { xs, c in
        [xs[0].nanToNum(nan: c.double("nan"), posinf: c.doubleOrNil("posinf"), neginf: c.doubleOrNil("neginf"))]
    },
    "bilinear": { xs, _ in [bilinear(xs[0], xs[1], xs[2], xs.count > 3 ? xs[3] : nil)] },
    "conv3d": { xs, c in
        [conv3d(xs[0], xs[1], stride: SizeSpec(c.int("stride")), padding: c.int("padding"))]
    },
    "rms_norm": { xs, c in [rmsNorm(xs[0], c.ints("normalized"), weight: xs.count > 1 ? xs[1] : nil)] },
    "cosine_embedding_loss": { xs, c in
        [
            cosineEmbeddingLoss(
                xs[0], xs[1], xs[2], margin: c.double("margin"), reduction: reduction(c.string("reduction")))
        ]
    },
    "margin_ranking_loss": { xs, c in
        [
            marginRankingLoss(
                xs[0], xs[1], xs[2], margin: c.double("margin"), reduction: reduction(c.string("reduction")))
        ]
    },
]

/// Every op the replay knows, by the generator's name.
let allOps: [String: DiffOp] = {
    var all: [String: DiffOp] = [:]
    for table in [
        unaryOps, binaryOps, specialOps, compositeOps, orderOps, linalgNewOps, decompositionOps, reductionOps, shapeOps,
        linalgOps, nnOps,
        inPlaceOps,
        moreOps, fftOps, complexOps, foldOps, poolingOps, moreLossOps, productAndStackOps, spatialAndRandomOps,
    ] {
        all.merge(table) { a, _ in a }
    }
    all.merge(complexLinalgOps(all)) { a, _ in a }
    // Every unary primitive is callable by its name without an entry here (Note [Unary primitives]).
    for name in Tensor.unaryPrimitiveNames where all[name] == nil {
        all[name] = one { $0.unary(named: name)! }
    }
    return all
}()

/// `interpolate` with the mode, size or scale and alignment of the case (every mode's op).
let interpolateOp: DiffOp = { xs, c in
    let mode = InterpolationMode(rawValue: c.string("mode"))!
    let align = c.args["align"].map { DiffCase.number($0) != 0 }
    let antialias = c.args["aa"].map { DiffCase.number($0) != 0 } ?? false
    return [
        interpolate(
            xs[0], size: c.intsOrNil("size"), scaleFactor: c.doublesOrNil("scale"), mode: mode, alignCorners: align,
            antialias: antialias)
    ]
}
