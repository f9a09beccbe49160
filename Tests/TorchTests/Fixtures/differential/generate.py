#!/usr/bin/env python3
"""Differential cases against PyTorch (in the spirit of PyTorch's OpInfo).

For every public op in OPS, makes random cases: all ten dtypes, ranks 0-5, empty and size-1
dimensions, non-contiguous views (transposed, stepped, expanded, offset), edge values (nan, +-inf,
-0.0, huge, subnormal, integer extremes), PyTorch's refusals with their messages, and float64
gradients. Writes one safetensors file: inputs, outputs and gradients as tensors, the case list as
JSON in the metadata under "cases". `torch-diff` (Sources/Programs/TorchDifferential) replays it.

    .venv-torch/bin/python Tests/TorchTests/Fixtures/differential/generate.py            # CI set
    N=200 SEED=7 OUT=/tmp/big.safetensors .venv-torch/bin/python .../generate.py         # larger run
"""
import json
import math
import os
import random
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
N = int(os.environ.get("N", "8"))
SEED = int(os.environ.get("SEED", "0"))
OUT = os.environ.get("OUT", os.path.join(HERE, "cases.safetensors"))
ONLY = os.environ.get("ONLY")

ALL = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
TD = {n: getattr(torch, n) for n in ALL}

rng = random.Random(SEED)
torch.manual_seed(SEED)


# ----------------------------------------------------------------------------- values and views

# Ops that sum many products (matrix products, convolutions) get no near-overflow values: which
# partial sum overflows first depends on the order of accumulation, which is each library's own.
HUGE = {"on": True}


def edge_values(dt):
    if dt == "bool":
        return [True, False]
    if dt in INTS:
        info = torch.iinfo(TD[dt])
        return [info.min, info.max, 0, 1, -1 if dt != "uint8" else 2]
    fi = torch.finfo(TD[dt])
    huge = [fi.max / 2, -fi.max / 2] if HUGE["on"] else [4.0, -4.0]
    return [math.nan, math.inf, -math.inf, -0.0, 0.0] + huge + [fi.tiny / 4, 1e-3, 1.0, -1.0, 0.5]


def values(shape, dt, edge=0.15, lo=None, hi=None):
    n = 1
    for s in shape:
        n *= s
    if dt == "bool":
        vals = [rng.random() < 0.5 for _ in range(n)]
    elif dt in INTS:
        a, b = (0, 12) if dt == "uint8" else (-8, 8)
        if lo is not None:
            a, b = int(lo), int(hi)
        vals = [rng.randint(a, b) for _ in range(n)]
    else:
        if lo is not None:
            vals = [rng.uniform(lo, hi) for _ in range(n)]
        else:
            vals = [rng.gauss(0, 2) for _ in range(n)]
    if edge > 0:
        ev = edge_values(dt)
        vals = [rng.choice(ev) if rng.random() < edge else v for v in vals]
    t = torch.tensor(vals, dtype=torch.float64 if dt in FLOATS else None).reshape(shape) if n else torch.zeros(shape)
    if dt in INTS:
        t = torch.tensor(vals, dtype=torch.int64).reshape(shape) if n else torch.zeros(shape, dtype=torch.int64)
        return t.to(TD[dt]) if dt != "uint8" else (t % 256).to(torch.uint8)
    return t.to(TD[dt])


def rand_shape(rank=None, lo=0, hi=5, empty=0.08, one=0.2):
    if rank is None:
        rank = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4, 5])
    shape = []
    for _ in range(rank):
        r = rng.random()
        if r < empty:
            shape.append(0)
        elif r < empty + one:
            shape.append(1)
        else:
            shape.append(rng.randint(max(lo, 2), hi))
    return shape


def view_kinds(shape):
    kinds = ["contig", "contig"]
    if len(shape) >= 2:
        kinds.append("T")
    if len(shape) >= 1:
        kinds += ["step", "offset"]
        if shape[0] != 1:
            kinds.append("expand")
    return kinds


def make_view(base, kind):
    """The view `kind` of a stored base (the expanded view is made in Input.tensor)."""
    if kind == "T":
        return base.transpose(0, -1)
    if kind == "step":
        return base[::2]
    if kind == "offset":
        return base[1:]
    return base


def base_for(shape, kind):
    """The stored (contiguous) tensor shape from which view `kind` gives `shape`."""
    if kind == "T":
        s = list(shape)
        s[0], s[-1] = s[-1], s[0]
        return s
    if kind == "step":
        return [shape[0] * 2 - (1 if shape[0] > 0 else 0)] + list(shape[1:])
    if kind == "offset":
        return [shape[0] + 1] + list(shape[1:])
    if kind == "expand":
        return [1] + list(shape[1:])
    return list(shape)


class Input:
    """One tensor input: stored base, view kind, and the view PyTorch computes on."""

    def __init__(self, shape, dt, view=None, edge=0.15, lo=None, hi=None, exact=None, grad=True):
        if exact is not None:
            self.base = exact
            self.view = "contig"
        else:
            self.view = view if view is not None else rng.choice(view_kinds(shape))
            self.base = values(base_for(shape, self.view), dt, edge, lo, hi).contiguous()
        self.shape = list(shape)
        self.grad = grad

    def tensor(self, requires_grad):
        b = self.base.detach().clone()
        if requires_grad:
            b.requires_grad_(True)
        if self.view == "expand":
            v = b.expand(self.shape[0], *b.shape[1:])
        else:
            v = make_view(b, self.view)
        return b, v


# ----------------------------------------------------------------------------- op registry

OPS = []


ACCUMULATING = {"mm", "mv", "bmm", "dot", "matmul", "addmm", "linear", "bilinear", "conv1d", "conv2d", "conv3d",
                "conv_transpose1d", "conv_transpose2d", "cosine_similarity", "pairwise_distance", "normalize",
                "instance_norm", "interpolate_cubic_area", "triplet_margin_loss", "interpolate_antialias",
                "conv2d_depthwise", "conv2d_direct"}


def op(name, family, fn, sample, grad=True, rtol=None, atol=None, tol=None):
    """`tol`: per-dtype (rtol, atol) overriding the defaults, e.g. float32 factorizations."""
    OPS.append(dict(name=name, family=family, fn=fn, sample=sample, grad=grad, rtol=rtol, atol=atol, tol=tol or {}))


def pick(dts):
    return rng.choice(dts)


def unary_sample(dts=ALL, lo=None, hi=None):
    def s():
        dt = pick(dts)
        shape = rand_shape()
        return [Input(shape, dt, lo=lo, hi=hi)], {}
    return s


def broadcast_pair():
    a = rand_shape()
    r = rng.random()
    if r < 0.4:
        b = list(a)
    elif r < 0.55:
        b = []
    elif r < 0.85:
        b = [1 if rng.random() < 0.4 else s for s in a[rng.randint(0, len(a)):]]
    else:
        b = rand_shape()  # may not broadcast: PyTorch's refusal
    if rng.random() < 0.5:
        a, b = b, a
    return a, b


def binary_sample(dts=ALL, same=0.6, lo=None, hi=None):
    def s():
        a, b = broadcast_pair()
        da = pick(dts)
        db = da if rng.random() < same else pick(dts)
        return [Input(a, da, lo=lo, hi=hi), Input(b, db, lo=lo, hi=hi)], {}
    return s


def scalar_arg(kind=None):
    kind = kind or rng.choice(["int", "float", "bool", "int", "float"])
    if kind == "int":
        return {"kind": "int", "value": rng.choice([0, 1, 2, 3, -1, -2, 5])}
    if kind == "bool":
        return {"kind": "bool", "value": rng.random() < 0.5}
    return {"kind": "float", "value": rng.choice([0.5, -1.5, 2.0, 2.5, -0.25, 3.0, math.inf, -math.inf, math.nan])}


def py_scalar(a):
    return a["value"]


UNARY = {
    "abs": torch.abs, "neg": torch.neg, "sign": torch.sign, "square": torch.square, "exp": torch.exp,
    "exp2": torch.exp2, "expm1": torch.expm1, "log": torch.log, "log2": torch.log2, "log10": torch.log10,
    "log1p": torch.log1p, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt, "sin": torch.sin, "cos": torch.cos,
    "tan": torch.tan, "asin": torch.asin, "acos": torch.acos, "atan": torch.atan, "sinh": torch.sinh,
    "cosh": torch.cosh, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "erf": torch.erf,
    "erfc": torch.erfc, "floor": torch.floor, "ceil": torch.ceil, "round": torch.round, "trunc": torch.trunc,
    "reciprocal": torch.reciprocal, "logical_not": torch.logical_not, "bitwise_not": torch.bitwise_not,
    "isnan": torch.isnan, "isinf": torch.isinf, "isfinite": torch.isfinite, "nan_to_num": torch.nan_to_num,
    "silu": F.silu, "gelu": F.gelu, "softplus": F.softplus, "mish": F.mish, "elu": F.elu,
    "leaky_relu": F.leaky_relu, "hardtanh": F.hardtanh,
}
NONDIFF = {"sign", "floor", "ceil", "round", "trunc", "logical_not", "bitwise_not", "isnan", "isinf", "isfinite"}
for name, f in UNARY.items():
    fam = "activation" if name in ("silu", "gelu", "softplus", "mish", "elu", "leaky_relu", "hardtanh", "relu") else "unary"
    op(name, fam, (lambda f: lambda xs, a: f(xs[0]))(f), unary_sample(), grad=name not in NONDIFF)

def logit_sample(eps):
    def s():
        x = Input(rand_shape(), pick(ALL), lo=-0.2, hi=1.2)
        # PyTorch's logit gradient at -0.0 depends on which of its loops runs (the vectorised body
        # divides, giving -inf·sign(g); the scalar loop gives g·inf): zeros are made +0.0 here.
        if x.base.is_floating_point():
            x.base = torch.where(x.base == 0, torch.zeros_like(x.base), x.base)
        return [x], ({"eps": rng.choice([0.0, 1e-6, 0.1, 0.25])} if eps else {})
    return s


op("logit", "unary", lambda xs, a: torch.logit(xs[0]), logit_sample(False))
op("logit_eps", "unary", lambda xs, a: torch.logit(xs[0], eps=a["eps"]), logit_sample(True))
op("gelu_tanh", "activation", lambda xs, a: F.gelu(xs[0], approximate="tanh"), unary_sample())
op("softplus_beta", "activation", lambda xs, a: F.softplus(xs[0], beta=a["beta"], threshold=a["threshold"]),
   lambda: ([Input(rand_shape(), pick(ALL))], {"beta": rng.choice([0.5, 1.0, 2.0]), "threshold": rng.choice([20.0, 5.0])}))
op("elu_alpha", "activation", lambda xs, a: F.elu(xs[0], alpha=a["alpha"]),
   lambda: ([Input(rand_shape(), pick(ALL))], {"alpha": rng.choice([0.5, 1.0, 2.0])}))
op("leaky_relu_slope", "activation", lambda xs, a: F.leaky_relu(xs[0], negative_slope=a["slope"]),
   lambda: ([Input(rand_shape(), pick(ALL))], {"slope": rng.choice([0.01, 0.2])}))
op("hardtanh_range", "activation", lambda xs, a: F.hardtanh(xs[0], a["lo"], a["hi"]),
   lambda: ([Input(rand_shape(), pick(ALL), edge=0.1)], {"lo": rng.choice([-1.0, -2.0, 0.0]), "hi": rng.choice([1.0, 2.0])}))

BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "div_floor": lambda a, b: torch.div(a, b, rounding_mode="floor"),
    "div_trunc": lambda a, b: torch.div(a, b, rounding_mode="trunc"),
    "floor_divide": torch.floor_divide, "remainder": torch.remainder, "fmod": torch.fmod, "pow": torch.pow,
    "maximum": torch.maximum, "minimum": torch.minimum, "atan2": torch.atan2,
    "bitwise_and": torch.bitwise_and, "bitwise_or": torch.bitwise_or, "bitwise_xor": torch.bitwise_xor,
    "logical_and": torch.logical_and, "logical_or": torch.logical_or, "logical_xor": torch.logical_xor,
    "xlogy": torch.xlogy, "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
}
BINARY_NONDIFF = {"div_floor", "div_trunc", "floor_divide", "bitwise_and", "bitwise_or", "bitwise_xor",
                  "logical_and", "logical_or", "logical_xor", "eq", "ne", "lt", "le", "gt", "ge"}
INT_DIV = {"div_floor", "div_trunc", "floor_divide", "remainder", "fmod"}


def binary_nonzero_sample(dts=ALL):
    base = binary_sample(dts)

    def s():
        xs, a = base()
        # Integer division by zero traps in PyTorch too: keep integer divisors nonzero.
        y = xs[1]
        if y.base.dtype in (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool):
            y.base = torch.where(y.base == 0, torch.ones_like(y.base), y.base)
            if y.base.dtype != torch.bool and y.base.dtype != torch.uint8:
                # INT_MIN / -1 traps the CPU (SIGFPE) in PyTorch itself: no -1 divisors.
                y.base = torch.where(y.base == -1, torch.full_like(y.base, 2), y.base)
        return xs, a
    return s


for name, f in BINARY.items():
    sampler = binary_nonzero_sample() if name in INT_DIV else binary_sample()
    op(name, "binary", (lambda f: lambda xs, a: f(xs[0], xs[1]))(f), sampler, grad=name not in BINARY_NONDIFF)

op("add_alpha", "binary", lambda xs, a: torch.add(xs[0], xs[1], alpha=py_scalar(a["alpha"])),
   lambda: (binary_sample()()[0], {"alpha": scalar_arg(rng.choice(["int", "float"]))}))
op("sub_alpha", "binary", lambda xs, a: torch.sub(xs[0], xs[1], alpha=py_scalar(a["alpha"])),
   lambda: (binary_sample()()[0], {"alpha": scalar_arg(rng.choice(["int", "float"]))}))

# Special functions and the rest of the element-wise ops (#14): (function, low, high) of the
# sampled values (None: the default normal spread), every dtype, with edge values.
SPECIAL_UNARY = {
    "asinh": (torch.asinh, None, None), "acosh": (torch.acosh, 0.5, 4.0), "atanh": (torch.atanh, -1.1, 1.1),
    "deg2rad": (torch.deg2rad, None, None), "rad2deg": (torch.rad2deg, None, None), "sinc": (torch.sinc, None, None),
    "frac": (torch.frac, None, None), "erfinv": (torch.erfinv, -1.1, 1.1), "lgamma": (torch.lgamma, None, None),
    "digamma": (torch.digamma, None, None), "i0": (torch.i0, None, None),
    "special_i0e": (torch.special.i0e, None, None), "special_i1": (torch.special.i1, None, None),
    "special_i1e": (torch.special.i1e, None, None), "special_ndtr": (torch.special.ndtr, None, None),
    "special_ndtri": (torch.special.ndtri, -0.1, 1.1), "special_log_ndtr": (torch.special.log_ndtr, -40.0, 6.0),
    "special_erfcx": (torch.special.erfcx, -5.0, 40.0), "special_entr": (torch.special.entr, -0.5, 3.0),
    "special_expit": (torch.special.expit, None, None), "signbit": (torch.signbit, None, None),
    "positive": (torch.positive, None, None),
}
# PyTorch evaluates i0e's Chebyshev series in float16/bfloat16 arithmetic for those dtypes (several
# ulps off, e.g. i0e(0.2930) = 0.7632 against 0.7622): SwiftTorch rounds the float64 value once, so
# i0e is sampled without them (docs/pytorch-differences.md).
NO_HALF = [d for d in ALL if d not in ("float16", "bfloat16")]
for name, (f, lo, hi) in SPECIAL_UNARY.items():
    dts = NO_HALF if name == "special_i0e" else ALL
    op(name, "unary", (lambda f: lambda xs, a: f(xs[0]))(f), unary_sample(dts=dts, lo=lo, hi=hi),
       grad=name not in ("signbit", "positive", "frac"))
op("polygamma", "unary", lambda xs, a: torch.polygamma(a["n"], xs[0]),
   lambda: ([Input(rand_shape(), pick(ALL), lo=-3.0, hi=6.0)], {"n": rng.choice([0, 1, 2, 3])}))
op("mvlgamma", "unary", lambda xs, a: torch.mvlgamma(xs[0], a["p"]),
   lambda: ([Input(rand_shape(), pick(FLOATS), lo=1.6, hi=6.0, edge=0.02)], {"p": rng.choice([1, 2, 3, 4])}))

SPECIAL_BINARY = {
    "hypot": torch.hypot, "fmax": torch.fmax, "fmin": torch.fmin, "copysign": torch.copysign,
    "logaddexp": torch.logaddexp, "logaddexp2": torch.logaddexp2, "nextafter": torch.nextafter,
    "ldexp": torch.ldexp, "float_power": torch.float_power, "true_divide": torch.true_divide,
    "bitwise_left_shift": torch.bitwise_left_shift, "bitwise_right_shift": torch.bitwise_right_shift,
    "gcd": torch.gcd, "lcm": torch.lcm, "special_xlog1py": torch.special.xlog1py, "special_zeta": torch.special.zeta,
}
SPECIAL_BINARY_NONDIFF = {"nextafter", "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm"}


def no_edge_pair():
    """A binary sample without edge values: gcd/lcm of INT_MIN and -1 traps PyTorch itself (SIGFPE)."""
    a, b = broadcast_pair()
    da = pick(ALL)
    db = da if rng.random() < 0.6 else pick(ALL)
    return [Input(a, da, edge=0), Input(b, db, edge=0)], {}


for name, f in SPECIAL_BINARY.items():
    op(name, "binary", (lambda f: lambda xs, a: f(xs[0], xs[1]))(f),
       no_edge_pair if name in ("gcd", "lcm") else binary_sample(), grad=name not in SPECIAL_BINARY_NONDIFF)


def isclose_sample():
    """Same-dtype pairs (sometimes not, for the refusal) where many elements are near each other."""
    a, b = broadcast_pair()
    da = pick(ALL)
    db = da if rng.random() < 0.9 else pick(ALL)
    x, y = Input(a, da), Input(b, db)
    if a == b and da == db and da in FLOATS:
        xb = values(a, da)
        noise = (torch.rand(a, dtype=torch.float64) - 0.5) * rng.choice([1e-9, 1e-6, 1e-3])
        near = (xb.to(torch.float64) * (1 + noise) + noise).to(xb.dtype)
        yb = torch.where(torch.rand(a) < 0.7, near, values(a, da))
        x, y = Input(a, da, exact=xb), Input(b, db, exact=yb)
    return [x, y], {"rtol": rng.choice([1e-5, 1e-3, 0.0]), "atol": rng.choice([1e-8, 1e-4, 0.0]),
                    "equal_nan": rng.random() < 0.5}


op("isclose", "binary", lambda xs, a: torch.isclose(xs[0], xs[1], a["rtol"], a["atol"], a["equal_nan"]),
   isclose_sample, grad=False)
op("allclose", "binary",
   lambda xs, a: torch.tensor(torch.allclose(xs[0], xs[1], a["rtol"], a["atol"], a["equal_nan"])),
   isclose_sample, grad=False)
op("equal", "binary", lambda xs, a: torch.tensor(torch.equal(xs[0], xs[1])), isclose_sample, grad=False)

SCALAR_BINARY = {"add_scalar": torch.add, "sub_scalar": torch.sub, "mul_scalar": torch.mul, "div_scalar": torch.div,
                 "pow_scalar": torch.pow, "remainder_scalar": torch.remainder, "fmod_scalar": torch.fmod}
for name, f in SCALAR_BINARY.items():
    def samp(name=name):
        s = scalar_arg()
        if name in ("remainder_scalar", "fmod_scalar") and s["kind"] != "float" and (not s["value"] or s["value"] == -1):
            s["value"] = 3 if s["kind"] == "int" else True
        if name == "pow_scalar" and rng.random() < 0.5:
            s = rng.choice([{"kind": "int", "value": v} for v in (2, 3, -1, -2, 0)] +
                           [{"kind": "float", "value": v} for v in (0.5, -0.5, 3.0, 1.5, -2.0)])
        return [Input(rand_shape(), pick(ALL))], {"scalar": s}
    op(name, "scalar", (lambda f: lambda xs, a: f(xs[0], py_scalar(a["scalar"])))(f), samp,
       grad=name not in ("remainder_scalar", "fmod_scalar"))
op("rpow_scalar", "scalar", lambda xs, a: torch.pow(py_scalar(a["scalar"]), xs[0]),
   lambda: ([Input(rand_shape(), pick(ALL))], {"scalar": scalar_arg(rng.choice(["int", "float"]))}))


def clamp_sample():
    lo = rng.choice([None, -1, -0.5, 0, 1.5, -300])
    hi = rng.choice([None, 1, 0.5, 2.5, 300])
    kind = rng.choice(["int", "float"])
    conv = (lambda v: None if v is None else (int(v) if kind == "int" else float(v)))
    return [Input(rand_shape(), pick(ALL))], {"min": conv(lo), "max": conv(hi), "kind": kind}


op("clamp", "scalar", lambda xs, a: torch.clamp(xs[0], a["min"], a["max"]), clamp_sample)


def clamp_tensor_sample():
    shape = rand_shape()
    dt = pick(ALL)
    x = Input(shape, dt)
    lo = Input(shape, dt, edge=0.05)
    hi = Input(shape, dt, edge=0.05)
    return [x, lo, hi], {}


op("clamp_tensor", "binary", lambda xs, a: torch.clamp(xs[0], xs[1], xs[2]), clamp_tensor_sample)


def where_sample():
    a, b = broadcast_pair()
    c = [s for s in a] if rng.random() < 0.7 else []
    return [Input(c, "bool"), Input(a, pick(ALL)), Input(b, pick(ALL))], {}


op("where", "binary", lambda xs, a: torch.where(xs[0], xs[1], xs[2]), where_sample)


def lerp_sample():
    shape = rand_shape()
    dt = pick(ALL)
    dt2 = dt if rng.random() < 0.85 else pick(ALL)
    w = rng.choice([0.25, 0.5, 0.75, 1.5, -0.5])
    return [Input(shape, dt), Input(shape, dt2)], {"weight": w}


op("lerp", "binary", lambda xs, a: torch.lerp(xs[0], xs[1], a["weight"]), lerp_sample)


def lerp_tensor_sample():
    shape = rand_shape()
    dt = pick(FLOATS + ["int64"])
    return [Input(shape, dt), Input(shape, dt), Input(shape, dt, edge=0, lo=-0.5, hi=1.5)], {}


op("lerp_tensor", "binary", lambda xs, a: torch.lerp(xs[0], xs[1], xs[2]), lerp_tensor_sample)


# ----------------------------------------------------------------------------- reductions

def dims_arg(rank, allow_none=True):
    if rank == 0:
        return None if allow_none and rng.random() < 0.5 else []
    if allow_none and rng.random() < 0.3:
        return None
    k = rng.randint(1, rank)
    return sorted(rng.sample(range(rank), k))


def red_sample(dts=ALL, edge=0.1):
    def s():
        shape = rand_shape()
        return [Input(shape, pick(dts), edge=edge)], {"dims": dims_arg(len(shape)), "keepdim": rng.random() < 0.5}
    return s


def dim_sample(dts=ALL, edge=0.1, need_dim=True):
    def s():
        shape = rand_shape(rank=rng.choice([0, 1, 2, 3, 4]))
        d = rng.randint(-len(shape), len(shape) - 1) if shape else rng.choice([0, -1])
        return [Input(shape, pick(dts), edge=edge)], {"dim": d, "keepdim": rng.random() < 0.5}
    return s


def _dims(a):
    return a["dims"] if a["dims"] is not None else None


op("sum", "reduction", lambda xs, a: torch.sum(xs[0], dim=_dims(a), keepdim=a["keepdim"]), red_sample())
op("mean", "reduction", lambda xs, a: torch.mean(xs[0], dim=_dims(a), keepdim=a["keepdim"]), red_sample())
op("prod_dim", "reduction", lambda xs, a: torch.prod(xs[0], dim=a["dim"], keepdim=a["keepdim"]), dim_sample())
op("prod", "reduction", lambda xs, a: torch.prod(xs[0]), unary_sample())
op("amax", "reduction", lambda xs, a: torch.amax(xs[0], dim=a["dims"] if a["dims"] is not None else (), keepdim=a["keepdim"]), red_sample())
op("amin", "reduction", lambda xs, a: torch.amin(xs[0], dim=a["dims"] if a["dims"] is not None else (), keepdim=a["keepdim"]), red_sample())
op("max", "reduction", lambda xs, a: torch.max(xs[0]), unary_sample())
op("min", "reduction", lambda xs, a: torch.min(xs[0]), unary_sample())
op("max_dim", "reduction", lambda xs, a: tuple(torch.max(xs[0], dim=a["dim"], keepdim=a["keepdim"])), dim_sample())
op("min_dim", "reduction", lambda xs, a: tuple(torch.min(xs[0], dim=a["dim"], keepdim=a["keepdim"])), dim_sample())


def arg_sample():
    shape = rand_shape(rank=rng.choice([0, 1, 2, 3]))
    d = None if rng.random() < 0.4 else (rng.randint(-len(shape), len(shape) - 1) if shape else 0)
    return [Input(shape, pick(ALL), edge=0.1)], {"dim": d, "keepdim": rng.random() < 0.5}


op("argmax", "reduction", lambda xs, a: torch.argmax(xs[0], dim=a["dim"], keepdim=a["keepdim"]), arg_sample, grad=False)
op("argmin", "reduction", lambda xs, a: torch.argmin(xs[0], dim=a["dim"], keepdim=a["keepdim"]), arg_sample, grad=False)
op("all", "reduction", lambda xs, a: torch.all(xs[0], dim=None if a["dims"] is None else tuple(a["dims"]), keepdim=a["keepdim"]), red_sample(), grad=False)
op("any", "reduction", lambda xs, a: torch.any(xs[0], dim=None if a["dims"] is None else tuple(a["dims"]), keepdim=a["keepdim"]), red_sample(), grad=False)


def lse_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]))
    return [Input(shape, pick(ALL), edge=0.1)], {"dims": dims_arg(len(shape), allow_none=False), "keepdim": rng.random() < 0.5}


op("logsumexp", "reduction", lambda xs, a: torch.logsumexp(xs[0], dim=a["dims"], keepdim=a["keepdim"]), lse_sample)


def var_sample():
    shape = rand_shape()
    return [Input(shape, pick(ALL), edge=0.05)], {"dims": dims_arg(len(shape)), "keepdim": rng.random() < 0.5,
                                                 "correction": rng.choice([0, 1, 1])}


op("var", "reduction", lambda xs, a: torch.var(xs[0], dim=a["dims"], correction=a["correction"], keepdim=a["keepdim"]), var_sample)
op("std", "reduction", lambda xs, a: torch.std(xs[0], dim=a["dims"], correction=a["correction"], keepdim=a["keepdim"]), var_sample)


def norm_sample():
    shape = rand_shape()
    return [Input(shape, pick(FLOATS + ["int64"]), edge=0.05)], {"p": rng.choice([1.0, 2.0, 3.0, math.inf]),
                                                                "dims": dims_arg(len(shape)), "keepdim": rng.random() < 0.5}


op("norm", "reduction", lambda xs, a: torch.linalg.vector_norm(xs[0], ord=a["p"], dim=a["dims"], keepdim=a["keepdim"]), norm_sample)
op("cumsum", "scan", lambda xs, a: torch.cumsum(xs[0], dim=a["dim"]), dim_sample())
op("cumprod", "scan", lambda xs, a: torch.cumprod(xs[0], dim=a["dim"]), dim_sample())
op("softmax", "softmax", lambda xs, a: torch.softmax(xs[0], dim=a["dim"]), dim_sample())
op("log_softmax", "softmax", lambda xs, a: torch.log_softmax(xs[0], dim=a["dim"]), dim_sample())


def sort_sample():
    shape = rand_shape(rank=rng.choice([0, 1, 2, 3]))
    d = rng.randint(-len(shape), len(shape) - 1) if shape else 0
    return [Input(shape, pick(ALL), edge=0.1)], {"dim": d, "descending": rng.random() < 0.5}


op("sort", "sort", lambda xs, a: tuple(torch.sort(xs[0], dim=a["dim"], descending=a["descending"], stable=True)), sort_sample)
op("argsort", "sort", lambda xs, a: torch.argsort(xs[0], dim=a["dim"], descending=a["descending"], stable=True), sort_sample, grad=False)


def topk_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]), lo=2)
    d = rng.randint(-len(shape), len(shape) - 1)
    k = rng.randint(0, shape[d]) if shape[d] > 0 else 0
    # Distinct values: the order among ties is not specified by PyTorch.
    dt = pick(["float32", "float64", "int64", "int32"])
    n = 1
    for s in shape:
        n *= s
    vals = torch.randperm(max(n, 1))[:n].reshape(shape).to(TD[dt])
    return [Input(shape, dt, exact=vals)], {"k": k, "dim": d, "largest": rng.random() < 0.5}


op("topk", "sort", lambda xs, a: tuple(torch.topk(xs[0], a["k"], dim=a["dim"], largest=a["largest"])), topk_sample)

# ----------------------------------------------------------------------------- shape and indexing


def shape_sample(dts=ALL, rank=None):
    def s():
        return [Input(rand_shape(rank=rank), pick(dts), edge=0.05)], {}
    return s


def reshape_sample():
    shape = rand_shape()
    n = 1
    for x in shape:
        n *= x
    target = [n] if rng.random() < 0.4 else ([-1] if rng.random() < 0.5 else [1, n])
    if n > 0 and n % 2 == 0 and rng.random() < 0.4:
        target = [2, -1]
    return [Input(shape, pick(ALL), edge=0.05)], {"shape": target}


op("reshape", "shape", lambda xs, a: xs[0].reshape(a["shape"]), reshape_sample)


def permute_sample():
    shape = rand_shape()
    p = list(range(len(shape)))
    rng.shuffle(p)
    return [Input(shape, pick(ALL), edge=0.05)], {"dims": p}


op("permute", "shape", lambda xs, a: xs[0].permute(a["dims"]), permute_sample)


def two_dims_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3, 4]))
    r = len(shape)
    return [Input(shape, pick(ALL), edge=0.05)], {"d0": rng.randint(-r, r - 1), "d1": rng.randint(-r, r - 1)}


op("transpose", "shape", lambda xs, a: xs[0].transpose(a["d0"], a["d1"]), two_dims_sample)
op("flatten", "shape", lambda xs, a: xs[0].flatten(min(a["d0"] % max(xs[0].dim(), 1), a["d1"] % max(xs[0].dim(), 1)),
                                                    max(a["d0"] % max(xs[0].dim(), 1), a["d1"] % max(xs[0].dim(), 1))), two_dims_sample)


def squeeze_sample():
    shape = rand_shape(one=0.5)
    d = None if rng.random() < 0.4 or not shape else rng.randint(-len(shape), len(shape) - 1)
    return [Input(shape, pick(ALL), edge=0.05)], {"dim": d}


op("squeeze", "shape", lambda xs, a: xs[0].squeeze() if a["dim"] is None else xs[0].squeeze(a["dim"]), squeeze_sample)


def unsqueeze_sample():
    shape = rand_shape(rank=rng.choice([0, 1, 2, 3]))
    return [Input(shape, pick(ALL), edge=0.05)], {"dim": rng.randint(-len(shape) - 1, len(shape))}


op("unsqueeze", "shape", lambda xs, a: xs[0].unsqueeze(a["dim"]), unsqueeze_sample)


def flip_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]))
    return [Input(shape, pick(ALL), edge=0.05)], {"dims": dims_arg(len(shape), allow_none=False)}


op("flip", "shape", lambda xs, a: xs[0].flip(a["dims"]), flip_sample)


def roll_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]))
    d = rng.randint(0, len(shape) - 1)
    return [Input(shape, pick(ALL), edge=0.05)], {"shifts": [rng.randint(-4, 4)], "dims": [d]}


op("roll", "shape", lambda xs, a: xs[0].roll(a["shifts"], a["dims"]), roll_sample)


def tri_sample():
    shape = rand_shape(rank=rng.choice([2, 2, 3]))
    return [Input(shape, pick(ALL), edge=0.05)], {"diagonal": rng.randint(-2, 2)}


op("tril", "shape", lambda xs, a: xs[0].tril(a["diagonal"]), tri_sample)
op("triu", "shape", lambda xs, a: xs[0].triu(a["diagonal"]), tri_sample)


def diag_sample():
    shape = rand_shape(rank=rng.choice([2, 3]))
    r = len(shape)
    d1 = rng.randint(0, r - 1)
    d2 = rng.choice([d for d in range(r) if d != d1])
    return [Input(shape, pick(ALL), edge=0.05)], {"offset": rng.randint(-2, 2), "dim1": d1, "dim2": d2}


op("diagonal", "shape", lambda xs, a: torch.diagonal(xs[0], a["offset"], a["dim1"], a["dim2"]), diag_sample)


def narrow_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]), lo=1)
    d = rng.randint(0, len(shape) - 1)
    start = rng.randint(0, shape[d])
    return [Input(shape, pick(ALL), edge=0.05)], {"dim": d, "start": start, "length": rng.randint(0, shape[d] - start)}


op("narrow", "shape", lambda xs, a: xs[0].narrow(a["dim"], a["start"], a["length"]), narrow_sample)


def cat_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]))
    d = rng.randint(0, len(shape) - 1)
    k = rng.randint(1, 3)
    ins = []
    for _ in range(k):
        s = list(shape)
        s[d] = rng.randint(0, 3)
        ins.append(Input(s, pick(ALL) if rng.random() < 0.3 else "float64" if rng.random() < 0.5 else "float32", edge=0.05))
    return ins, {"dim": d}


op("cat", "shape", lambda xs, a: torch.cat(xs, dim=a["dim"]), cat_sample)


def stack_sample():
    shape = rand_shape(rank=rng.choice([0, 1, 2]))
    k = rng.randint(1, 3)
    dt = pick(ALL)
    return [Input(shape, dt, edge=0.05) for _ in range(k)], {"dim": rng.randint(-len(shape) - 1, len(shape))}


op("stack", "shape", lambda xs, a: torch.stack(xs, dim=a["dim"]), stack_sample)


def expand_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]), one=0.5)
    target = [rng.choice([s, 3]) if s == 1 else s for s in shape]
    if rng.random() < 0.3:
        target = [2] + target
    return [Input(shape, pick(ALL), edge=0.05, view="contig")], {"shape": target}


op("expand", "shape", lambda xs, a: xs[0].expand(a["shape"]), expand_sample)


def tile_sample():
    shape = rand_shape(rank=rng.choice([1, 2]))
    return [Input(shape, pick(ALL), edge=0.05)], {"reps": [rng.randint(1, 3) for _ in range(rng.randint(1, 3))]}


op("tile", "shape", lambda xs, a: xs[0].tile(a["reps"]), tile_sample)
op("repeat", "shape", lambda xs, a: xs[0].repeat(*([1] * max(0, xs[0].dim() - len(a["reps"])) + a["reps"])) if len(a["reps"]) >= xs[0].dim() else xs[0].repeat(*(a["reps"] + [1] * (xs[0].dim() - len(a["reps"])))), tile_sample)


def index_sample(kind):
    def s():
        shape = rand_shape(rank=rng.choice([1, 2, 3]), lo=1)
        r = len(shape)
        d = rng.randint(-r, r - 1)
        size = shape[d]
        dt = pick(ALL)
        x = Input(shape, dt, edge=0.05)
        if kind == "gather":
            ishape = [rng.randint(0, s) for s in shape]
            hi = size - 1 if rng.random() < 0.9 else size
            lo = 0 if rng.random() < 0.9 else -1
            idx = torch.randint(lo, max(hi, 0) + 1, ishape) if size > 0 else torch.zeros(ishape, dtype=torch.int64)
            return [x, Input(ishape, "int64", exact=idx, grad=False)], {"dim": d}
        if kind == "index_select":
            n = rng.randint(0, 4)
            idx = torch.randint(0, max(size, 1), [n])
            return [x, Input([n], "int64", exact=idx, grad=False)], {"dim": d}
        if kind in ("scatter", "scatter_add"):
            ishape = [rng.randint(0, s) for s in shape]
            n = 1
            for q in ishape:
                n *= q
            idx = torch.randint(0, max(size, 1), ishape)
            sdt = dt if rng.random() < 0.85 else pick(ALL)
            src = Input(ishape, sdt, edge=0.0, view="contig")
            return [x, Input(ishape, "int64", exact=idx, grad=False), src], {"dim": d}
        if kind == "index_add":
            n = rng.randint(0, 3)
            idx = torch.randint(0, max(size, 1), [n])
            sshape = list(shape)
            sshape[d] = n
            sdt = dt if rng.random() < 0.85 else pick(ALL)
            return [x, Input([n], "int64", exact=idx, grad=False), Input(sshape, sdt, edge=0.0)], {"dim": d, "alpha": rng.choice([1, 2])}
    return s


op("gather", "indexing", lambda xs, a: torch.gather(xs[0], a["dim"], xs[1]), index_sample("gather"))
op("index_select", "indexing", lambda xs, a: torch.index_select(xs[0], a["dim"], xs[1]), index_sample("index_select"))
op("scatter_add", "indexing", lambda xs, a: torch.scatter_add(xs[0], a["dim"], xs[1], xs[2]), index_sample("scatter_add"))
op("index_add", "indexing", lambda xs, a: torch.index_add(xs[0], a["dim"], xs[1], xs[2], alpha=a["alpha"]), index_sample("index_add"))


def mask_sample():
    shape = rand_shape()
    mshape = list(shape) if rng.random() < 0.7 else shape[rng.randint(0, len(shape)):]
    mdt = "bool" if rng.random() < 0.9 else "uint8"
    m = Input(mshape, mdt, edge=0)
    if mdt == "uint8":
        m.base = m.base.clamp(0, 1)
    return [Input(shape, pick(ALL), edge=0.05), m], {"value": scalar_arg()}


op("masked_fill", "indexing", lambda xs, a: xs[0].masked_fill(xs[1], py_scalar(a["value"])), mask_sample)
op("masked_select", "indexing", lambda xs, a: torch.masked_select(xs[0], xs[1]), mask_sample)


def take_sample():
    shape = rand_shape(lo=1)
    n = 1
    for s in shape:
        n *= s
    ishape = rand_shape(rank=rng.choice([0, 1, 2]))
    idx = torch.randint(-n, max(n, 1), ishape) if n > 0 else torch.zeros(ishape, dtype=torch.int64)
    return [Input(shape, pick(ALL), edge=0.05), Input(ishape, "int64", exact=idx, grad=False)], {}


op("take", "indexing", lambda xs, a: torch.take(xs[0], xs[1]), take_sample)
op("nonzero", "indexing", lambda xs, a: torch.nonzero(xs[0]), unary_sample(), grad=False)

op("scatter", "indexing", lambda xs, a: torch.scatter(xs[0], a["dim"], xs[1], xs[2]), index_sample("scatter"))


def split_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]))
    d = rng.randint(-len(shape), len(shape) - 1)
    return [Input(shape, pick(ALL), edge=0.05)], {"dim": d, "n": rng.randint(1, 3)}


op("chunk", "shape", lambda xs, a: tuple(torch.chunk(xs[0], a["n"], dim=a["dim"])), split_sample)
op("split", "shape", lambda xs, a: tuple(torch.split(xs[0], a["n"], dim=a["dim"])), split_sample)
op("unbind", "shape", lambda xs, a: tuple(torch.unbind(xs[0], dim=a["dim"])), split_sample)


def select_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]), lo=1)
    d = rng.randint(-len(shape), len(shape) - 1)
    return [Input(shape, pick(ALL), edge=0.05)], {"dim": d, "index": rng.randint(-shape[d] - 1, shape[d])}


op("select", "shape", lambda xs, a: xs[0].select(a["dim"], a["index"]), select_sample)


def unfold_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]), lo=1)
    d = rng.randint(0, len(shape) - 1)
    return [Input(shape, pick(ALL), edge=0.05)], {"dim": d, "size": rng.randint(0, shape[d] + 1), "step": rng.randint(1, 3)}


op("unfold", "shape", lambda xs, a: xs[0].unfold(a["dim"], a["size"], a["step"]), unfold_sample)


def unflatten_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]), lo=1)
    d = rng.randint(0, len(shape) - 1)
    n = shape[d]
    sizes = rng.choice([[1, n], [n, 1], [-1, 1], [n]] + ([[2, n // 2]] if n % 2 == 0 else []))
    return [Input(shape, pick(ALL), edge=0.05)], {"dim": d, "sizes": sizes}


op("unflatten", "shape", lambda xs, a: xs[0].unflatten(a["dim"], a["sizes"]), unflatten_sample)


def index_tensor_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]), lo=1)
    kind = rng.choice(["int", "slice", "tensor", "mask", "tensor2", "int_tensor"])
    args = {"kind": kind}
    ins = [Input(shape, pick(ALL), edge=0.05)]
    if kind == "int":
        args["i"] = rng.randint(-shape[0], shape[0] - 1) if shape[0] > 0 else 0
    elif kind == "slice":
        args["start"], args["stop"], args["step"] = rng.randint(-3, 3), rng.choice([None, -1, 2, 5]), rng.randint(1, 3)
    elif kind in ("tensor", "int_tensor"):
        n = rng.randint(0, 4)
        ins.append(Input([n], "int64", exact=torch.randint(-shape[0], max(shape[0], 1), [n]) if shape[0] > 0 else torch.zeros([n], dtype=torch.int64), grad=False))
        if kind == "int_tensor" and len(shape) > 1:
            args["i"] = rng.randint(0, shape[1] - 1) if shape[1] > 0 else 0
    elif kind == "tensor2" and len(shape) > 1:
        n = rng.randint(0, 3)
        ins.append(Input([n], "int64", exact=torch.randint(0, max(shape[0], 1), [n]), grad=False))
        ins.append(Input([n], "int64", exact=torch.randint(0, max(shape[1], 1), [n]), grad=False))
    elif kind == "mask":
        ins.append(Input(shape, "bool", edge=0))
    else:
        args["kind"] = "int"
        args["i"] = 0
    return ins, args


def index_tensor_fn(xs, a):
    k = a["kind"]
    if k == "int":
        return xs[0][a["i"]]
    if k == "slice":
        return xs[0][a["start"]:a["stop"]:a["step"]]
    if k == "tensor":
        return xs[0][xs[1]]
    if k == "int_tensor":
        return xs[0][xs[1], a["i"]] if "i" in a else xs[0][xs[1]]
    if k == "tensor2":
        return xs[0][xs[1], xs[2]]
    return xs[0][xs[1]]


op("index", "indexing", index_tensor_fn, index_tensor_sample)


def creation_sample():
    return [], {"n": rng.randint(0, 4), "m": rng.choice([None, 0, 2, 5]), "dtype": pick(["float32", "float64", "int64", "int32"]),
                "value": scalar_arg(rng.choice(["int", "float"]))}


op("eye", "creation", lambda xs, a: torch.eye(a["n"], a["m"] if a["m"] is not None else a["n"], dtype=TD[a["dtype"]]), creation_sample, grad=False)
op("full", "creation", lambda xs, a: torch.full([a["n"], 2], py_scalar(a["value"]), dtype=TD[a["dtype"]]), creation_sample, grad=False)


def nan_to_num_sample():
    return [Input(rand_shape(), pick(FLOATS), edge=0.4)], {"nan": rng.choice([0.0, 1.5]), "posinf": rng.choice([None, 9.0]),
                                                         "neginf": rng.choice([None, -9.0])}


op("nan_to_num_args", "unary", lambda xs, a: torch.nan_to_num(xs[0], a["nan"], a["posinf"], a["neginf"]), nan_to_num_sample)

def view_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]))
    n = 1
    for q in shape:
        n *= q
    return [Input(shape, pick(ALL), edge=0.05)], {"shape": rng.choice([[n], [-1], [1, n], [n, 1]])}


op("view", "shape", lambda xs, a: xs[0].view(a["shape"]), view_sample)
op("t", "shape", lambda xs, a: xs[0].t(), shape_sample(rank=None))
op("zeros_like", "creation", lambda xs, a: torch.zeros_like(xs[0]), shape_sample(), grad=False)
op("ones_like", "creation", lambda xs, a: torch.ones_like(xs[0]), shape_sample(), grad=False)


def expand_as_sample():
    xs, a = expand_sample()
    target = a["shape"]
    return [xs[0], Input(target, pick(ALL), edge=0)], {}


op("expand_as", "shape", lambda xs, a: xs[0].expand_as(xs[1]), expand_as_sample)

# ----------------------------------------------------------------------------- in place


def inplace_sample():
    a, b = broadcast_pair()
    if rng.random() < 0.5:
        b = list(a[len(a) - len(b):]) if len(b) <= len(a) else b
    return [Input(a, pick(ALL)), Input(b, pick(ALL))], {}


op("add_", "inplace", lambda xs, a: xs[0].add_(xs[1]), inplace_sample, grad=False)
op("mul_", "inplace", lambda xs, a: xs[0].mul_(xs[1]), inplace_sample, grad=False)
op("sub_", "inplace", lambda xs, a: xs[0].sub_(xs[1]), inplace_sample, grad=False)
op("div_", "inplace", lambda xs, a: xs[0].div_(xs[1]), inplace_sample, grad=False)
op("copy_", "inplace", lambda xs, a: xs[0].copy_(xs[1]), inplace_sample, grad=False)
op("fill_", "inplace", lambda xs, a: xs[0].fill_(py_scalar(a["value"])),
   lambda: ([Input(rand_shape(), pick(ALL))], {"value": scalar_arg(rng.choice(["int", "float"]))}), grad=False)
op("neg_", "inplace", lambda xs, a: xs[0].neg_(), unary_sample(), grad=False)
op("clamp_", "inplace", lambda xs, a: xs[0].clamp_(a["min"], a["max"]), clamp_sample, grad=False)


def index_put_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3]), lo=1)
    dt = pick(ALL)
    n = rng.randint(0, 3)
    idx = torch.randint(0, max(shape[0], 1), [n])
    vdt = dt if rng.random() < 0.7 else pick(ALL)
    return [Input(shape, dt, view="contig"), Input([n], "int64", exact=idx, grad=False),
            Input([n] + shape[1:], vdt, view="contig")], {"accumulate": rng.random() < 0.5}


op("index_put_", "inplace", lambda xs, a: xs[0].index_put_((xs[1],), xs[2], accumulate=a["accumulate"]), index_put_sample, grad=False)


def pad_sample():
    shape = rand_shape(rank=rng.choice([1, 2, 3, 4]), lo=2)
    mode = rng.choice(["constant", "constant", "reflect", "replicate", "circular"])
    k = rng.randint(1, 3)
    pads = [rng.randint(0, 1) for _ in range(2 * k)]
    return [Input(shape, pick(FLOATS))], {"pad": pads, "mode": mode}


op("pad", "shape", lambda xs, a: F.pad(xs[0], a["pad"], mode=a["mode"]), pad_sample)

# ----------------------------------------------------------------------------- linear algebra


def mm_sample(kind):
    def s():
        n, k, m, b = (rng.randint(0, 4) for _ in range(4))
        dt = pick(ALL)
        dt2 = dt if rng.random() < 0.85 else pick(ALL)
        if kind == "mm":
            return [Input([n, k], dt, edge=0.03), Input([k, m], dt2, edge=0.03)], {}
        if kind == "mv":
            return [Input([n, k], dt, edge=0.03), Input([k], dt2, edge=0.03)], {}
        if kind == "bmm":
            return [Input([b, n, k], dt, edge=0.03), Input([b, k, m], dt2, edge=0.03)], {}
        if kind == "dot":
            return [Input([k], dt, edge=0.03), Input([k], dt2, edge=0.03)], {}
        if kind == "outer":
            return [Input([n], dt, edge=0.03), Input([m], dt2, edge=0.03)], {}
        if kind == "matmul":
            ra, rb = rng.randint(1, 4), rng.randint(1, 4)
            batch = [rng.choice([1, 2]) for _ in range(max(ra, rb) - 2)]
            sa = (batch[len(batch) - (ra - 2):] if ra > 2 else []) + ([n, k] if ra >= 2 else [k])
            sb = (batch[len(batch) - (rb - 2):] if rb > 2 else []) + ([k, m] if rb >= 2 else [k])
            return [Input(sa, dt, edge=0.03), Input(sb, dt2, edge=0.03)], {}
        if kind == "addmm":
            return [Input(rng.choice([[n, m], [m], []]), dt, edge=0.03), Input([n, k], dt, edge=0.03), Input([k, m], dt2, edge=0.03)], \
                   {"beta": scalar_arg(rng.choice(["int", "float"])), "alpha": scalar_arg(rng.choice(["int", "float"]))}
    return s


op("mm", "linalg", lambda xs, a: torch.mm(xs[0], xs[1]), mm_sample("mm"))
op("mv", "linalg", lambda xs, a: torch.mv(xs[0], xs[1]), mm_sample("mv"))
op("bmm", "linalg", lambda xs, a: torch.bmm(xs[0], xs[1]), mm_sample("bmm"))
op("dot", "linalg", lambda xs, a: torch.dot(xs[0], xs[1]), mm_sample("dot"))
op("outer", "linalg", lambda xs, a: torch.outer(xs[0], xs[1]), mm_sample("outer"))
op("matmul", "linalg", lambda xs, a: torch.matmul(xs[0], xs[1]), mm_sample("matmul"))
op("addmm", "linalg", lambda xs, a: torch.addmm(xs[0], xs[1], xs[2], beta=py_scalar(a["beta"]), alpha=py_scalar(a["alpha"])), mm_sample("addmm"))

# ----------------------------------------------------------------------------- creation


def linspace_sample():
    return [], {"start": rng.choice([0.0, -3.0, 1.5, 10.0]), "end": rng.choice([1.0, 7.0, -2.5, 100.0]),
                "steps": rng.choice([0, 1, 2, 5, 7]), "dtype": pick(["float32", "float64", "int64", "int32"])}


op("linspace", "creation", lambda xs, a: torch.linspace(a["start"], a["end"], a["steps"], dtype=TD[a["dtype"]]), linspace_sample, grad=False)
op("logspace", "creation", lambda xs, a: torch.logspace(a["start"] / 4, a["end"] / 40, a["steps"], dtype=TD[a["dtype"]]), linspace_sample, grad=False)


def arange_sample():
    kind = rng.choice(["int", "float"])
    if kind == "int":
        st, en, sp = rng.randint(-5, 3), rng.randint(-2, 9), rng.choice([1, 2, 3, -1])
    else:
        st, en, sp = rng.choice([0.0, -1.5, 0.5]), rng.choice([3.7, 5.0, -2.2]), rng.choice([0.5, 1.0, 1.3, -0.7])
    return [], {"start": st, "end": en, "step": sp, "kind": kind,
                "dtype": rng.choice([None, "float32", "float64", "int64", "int32"])}


op("arange", "creation", lambda xs, a: torch.arange(a["start"], a["end"], a["step"], dtype=None if a["dtype"] is None else TD[a["dtype"]]), arange_sample, grad=False)

# ----------------------------------------------------------------------------- nn functional


def nn_sample(kind):
    def s():
        dt = pick(ALL) if rng.random() < 0.25 else pick(["float32", "float64"])
        if kind == "linear":
            n, i, o = rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, 4)
            ins = [Input([n, i], dt, edge=0.02), Input([o, i], dt, edge=0.02)]
            if rng.random() < 0.6:
                ins.append(Input([o], dt, edge=0.02))
            return ins, {}
        if kind in ("conv1d", "conv2d"):
            r = 1 if kind == "conv1d" else 2
            n, c, o, g = rng.randint(1, 2), rng.choice([1, 2]), rng.choice([1, 2]), 1
            spatial = [rng.randint(3, 6) for _ in range(r)]
            ks = [rng.randint(1, 3) for _ in range(r)]
            ins = [Input([n, c] + spatial, dt, edge=0.02), Input([o, c] + ks, dt, edge=0.02)]
            if rng.random() < 0.5:
                ins.append(Input([o], dt, edge=0.02))
            return ins, {"stride": rng.choice([1, 2]), "padding": rng.choice([0, 1]), "dilation": rng.choice([1, 2])}
        if kind in ("conv_transpose1d", "conv_transpose2d"):
            r = 1 if kind == "conv_transpose1d" else 2
            n, c, o = rng.randint(1, 2), rng.choice([1, 2]), rng.choice([1, 2])
            spatial = [rng.randint(2, 4) for _ in range(r)]
            ks = [rng.randint(1, 3) for _ in range(r)]
            stride, dil = rng.choice([1, 2, 3]), rng.choice([1, 2])
            ins = [Input([n, c] + spatial, dt, edge=0.02), Input([c, o] + ks, dt, edge=0.02)]
            if rng.random() < 0.5:
                ins.append(Input([o], dt, edge=0.02))
            return ins, {"stride": stride, "padding": rng.choice([0, 1]), "dilation": dil,
                         "output_padding": rng.randint(0, max(stride, dil) - 1)}
        if kind in ("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d"):
            r = 1 if kind.endswith("1d") else 2
            k = rng.choice([1, 2, 3])
            spatial = [rng.randint(k, 6) for _ in range(r)]
            edge = 0.1
            dtp = dt
            ins = [Input([rng.randint(1, 2), rng.randint(1, 2)] + spatial, dtp, edge=edge)]
            # Ties: small integer values make equal maxima common.
            if rng.random() < 0.5 and dtp in FLOATS:
                ins[0].base = ins[0].base.round().clamp(-1, 1) if not ins[0].base.isnan().any() else ins[0].base
            args = {"kernel": k, "stride": rng.choice([None, 1, 2]), "padding": rng.randint(0, k // 2), "ceil_mode": rng.random() < 0.3}
            if kind.startswith("max"):
                args["dilation"] = rng.choice([1, 2]) if spatial[0] >= 2 * k else 1
            else:
                args["count_include_pad"] = rng.random() < 0.5
            return ins, args
        if kind in ("adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d"):
            r = 1 if kind.endswith("1d") else 2
            spatial = [rng.randint(1, 7) for _ in range(r)]
            ins = [Input([rng.randint(1, 2), rng.randint(1, 2)] + spatial, dt, edge=0.05)]
            if rng.random() < 0.5 and dt in FLOATS:
                ins[0].base = ins[0].base.round().clamp(-1, 1)
            return ins, {"out": [rng.randint(1, 4) for _ in range(r)]}
        if kind == "layer_norm":
            shape = [rng.randint(1, 3), rng.randint(1, 5)]
            ins = [Input(shape, dt, edge=0.02)]
            affine = rng.random() < 0.5
            if affine:
                ins += [Input(shape[-1:], dt, edge=0), Input(shape[-1:], dt, edge=0)]
            return ins, {"normalized": shape[-1:]}
        if kind == "group_norm":
            g = rng.choice([1, 2])
            c = g * rng.randint(1, 2)
            shape = [rng.randint(1, 2), c, rng.randint(1, 4)]
            ins = [Input(shape, dt, edge=0.02)]
            if rng.random() < 0.5:
                ins += [Input([c], dt, edge=0), Input([c], dt, edge=0)]
            return ins, {"groups": g}
        if kind == "batch_norm":
            c = rng.randint(1, 3)
            shape = [rng.randint(2, 4), c] + ([rng.randint(1, 3)] if rng.random() < 0.5 else [])
            # Two values per channel normalise to exactly -1 and 1: the input's gradient is zero up
            # to each library's rounding noise. At least three values per channel.
            if shape[0] * math.prod(shape[2:]) < 3:
                shape[0] = 3
            ins = [Input(shape, dt, edge=0.02)]
            if rng.random() < 0.5:
                ins += [Input([c], dt, edge=0), Input([c], dt, edge=0)]
            return ins, {}
        if kind == "embedding":
            nw, d = rng.randint(1, 6), rng.randint(1, 3)
            ishape = rand_shape(rank=rng.choice([1, 2]))
            idx = torch.randint(0, nw, ishape)
            pad = rng.choice([None, 0, -1])
            return [Input(ishape, "int64", exact=idx, grad=False), Input([nw, d], pick(["float32", "float64"]), edge=0)], {"padding_idx": pad}
    return s


def _conv(xs, a, f):
    return f(xs[0], xs[1], xs[2] if len(xs) > 2 else None, stride=a["stride"], padding=a["padding"], dilation=a["dilation"])


def _convt(xs, a, f):
    return f(xs[0], xs[1], xs[2] if len(xs) > 2 else None, stride=a["stride"], padding=a["padding"],
             output_padding=a["output_padding"], dilation=a["dilation"])


def _pool(xs, a, f):
    if "dilation" in a:
        return f(xs[0], a["kernel"], a["stride"], a["padding"], dilation=a["dilation"], ceil_mode=a["ceil_mode"])
    return f(xs[0], a["kernel"], a["stride"], a["padding"], ceil_mode=a["ceil_mode"], count_include_pad=a["count_include_pad"])


op("linear", "nn", lambda xs, a: F.linear(xs[0], xs[1], xs[2] if len(xs) > 2 else None), nn_sample("linear"))
op("conv1d", "nn", lambda xs, a: _conv(xs, a, F.conv1d), nn_sample("conv1d"))
op("conv2d", "nn", lambda xs, a: _conv(xs, a, F.conv2d), nn_sample("conv2d"))
op("conv_transpose1d", "nn", lambda xs, a: _convt(xs, a, F.conv_transpose1d), nn_sample("conv_transpose1d"))
op("conv_transpose2d", "nn", lambda xs, a: _convt(xs, a, F.conv_transpose2d), nn_sample("conv_transpose2d"))
op("max_pool1d", "pool", lambda xs, a: _pool(xs, a, F.max_pool1d), nn_sample("max_pool1d"))
op("max_pool2d", "pool", lambda xs, a: _pool(xs, a, F.max_pool2d), nn_sample("max_pool2d"))
op("avg_pool1d", "pool", lambda xs, a: _pool(xs, a, F.avg_pool1d), nn_sample("avg_pool1d"))
op("avg_pool2d", "pool", lambda xs, a: _pool(xs, a, F.avg_pool2d), nn_sample("avg_pool2d"))
op("adaptive_avg_pool1d", "pool", lambda xs, a: F.adaptive_avg_pool1d(xs[0], a["out"]), nn_sample("adaptive_avg_pool1d"))
op("adaptive_avg_pool2d", "pool", lambda xs, a: F.adaptive_avg_pool2d(xs[0], a["out"]), nn_sample("adaptive_avg_pool2d"))
op("adaptive_max_pool1d", "pool", lambda xs, a: F.adaptive_max_pool1d(xs[0], a["out"]), nn_sample("adaptive_max_pool1d"))
op("adaptive_max_pool2d", "pool", lambda xs, a: F.adaptive_max_pool2d(xs[0], a["out"]), nn_sample("adaptive_max_pool2d"))
op("layer_norm", "norm", lambda xs, a: F.layer_norm(xs[0], a["normalized"], *(xs[1:3] if len(xs) > 1 else (None, None))), nn_sample("layer_norm"))
op("group_norm", "norm", lambda xs, a: F.group_norm(xs[0], a["groups"], *(xs[1:3] if len(xs) > 1 else (None, None))), nn_sample("group_norm"))
op("batch_norm", "norm", lambda xs, a: F.batch_norm(xs[0], None, None, *(xs[1:3] if len(xs) > 1 else (None, None)), training=True), nn_sample("batch_norm"))
op("embedding", "nn", lambda xs, a: F.embedding(xs[0], xs[1], padding_idx=a["padding_idx"]), nn_sample("embedding"))


def loss_sample(kind):
    def s():
        dt = pick(["float32", "float64"]) if rng.random() < 0.85 else pick(ALL)
        red = rng.choice(["mean", "sum", "none"])
        if kind in ("mse", "huber", "smooth_l1", "l1"):
            shape = rand_shape(rank=rng.choice([0, 1, 2]))
            return [Input(shape, dt, edge=0.05), Input(shape, dt, edge=0.05)], {"reduction": red, "beta": rng.choice([1.0, 0.5])}
        if kind in ("bce", "bce_logits"):
            shape = rand_shape(rank=rng.choice([1, 2]))
            if kind == "bce":
                return [Input(shape, dt, edge=0, lo=0.0, hi=1.0), Input(shape, dt, edge=0, lo=0.0, hi=1.0)], {"reduction": red}
            return [Input(shape, dt, edge=0.05), Input(shape, dt, edge=0, lo=0.0, hi=1.0)], {"reduction": red}
        if kind == "kl_div":
            shape = rand_shape(rank=rng.choice([1, 2]))
            t = Input(shape, dt, edge=0, lo=0.0, hi=1.0)
            t.base = torch.where(torch.rand(t.base.shape) < 0.2, torch.zeros_like(t.base), t.base)
            return [Input(shape, dt, edge=0.0, lo=-3, hi=0), t], {"reduction": rng.choice(["mean", "sum", "none", "batchmean"])}
        if kind in ("cross_entropy", "nll"):
            n, c = rng.randint(1, 4), rng.randint(1, 5)
            tgt = torch.randint(0, c, [n])
            ignore = -100
            if rng.random() < 0.3:
                ignore = int(tgt[0])
            tdt = "int64" if rng.random() < 0.9 else pick(["float32", "int32"])
            return [Input([n, c], dt, edge=0.02), Input([n], tdt, exact=tgt.to(TD[tdt]), grad=False)], {"reduction": red, "ignore_index": ignore}
    return s


op("mse_loss", "loss", lambda xs, a: F.mse_loss(xs[0], xs[1], reduction=a["reduction"]), loss_sample("mse"))
op("l1_loss", "loss", lambda xs, a: F.l1_loss(xs[0], xs[1], reduction=a["reduction"]), loss_sample("l1"))
op("huber_loss", "loss", lambda xs, a: F.huber_loss(xs[0], xs[1], reduction=a["reduction"], delta=a["beta"]), loss_sample("huber"))
op("smooth_l1_loss", "loss", lambda xs, a: F.smooth_l1_loss(xs[0], xs[1], reduction=a["reduction"], beta=a["beta"]), loss_sample("smooth_l1"))
op("binary_cross_entropy", "loss", lambda xs, a: F.binary_cross_entropy(xs[0], xs[1], reduction=a["reduction"]), loss_sample("bce"))
op("binary_cross_entropy_with_logits", "loss", lambda xs, a: F.binary_cross_entropy_with_logits(xs[0], xs[1], reduction=a["reduction"]), loss_sample("bce_logits"))
op("kl_div", "loss", lambda xs, a: F.kl_div(xs[0], xs[1], reduction=a["reduction"]), loss_sample("kl_div"))
op("cross_entropy", "loss", lambda xs, a: F.cross_entropy(xs[0], xs[1], reduction=a["reduction"], ignore_index=a["ignore_index"]), loss_sample("cross_entropy"))
op("nll_loss", "loss", lambda xs, a: F.nll_loss(xs[0], xs[1], reduction=a["reduction"], ignore_index=a["ignore_index"]), loss_sample("nll"))


def extra_nn_sample(kind):
    def s():
        dt = pick(["float32", "float64"])
        if kind == "bilinear":
            n, i1, i2, o = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3)
            ins = [Input([n, i1], dt, edge=0), Input([n, i2], dt, edge=0), Input([o, i1, i2], dt, edge=0)]
            if rng.random() < 0.5:
                ins.append(Input([o], dt, edge=0))
            return ins, {}
        if kind == "conv3d":
            ins = [Input([1, rng.choice([1, 2]), 3, 4, 3], dt, edge=0), Input([2, 0, 2, 2, 1], dt, edge=0)]
            ins[1] = Input([2, ins[0].shape[1], 2, 2, 1], dt, edge=0)
            return ins, {"stride": rng.choice([1, 2]), "padding": rng.choice([0, 1])}
        if kind == "rms_norm":
            shape = [rng.randint(1, 3), rng.randint(1, 4)]
            ins = [Input(shape, pick(FLOATS), edge=0.02)]
            if rng.random() < 0.5:
                ins.append(Input(shape[-1:], ins[0].base.dtype.__str__().replace("torch.", ""), edge=0))
            return ins, {"normalized": shape[-1:]}
        if kind in ("cosine_embedding", "margin_ranking"):
            n, d = rng.randint(1, 4), rng.randint(1, 4)
            y = torch.tensor([rng.choice([-1.0, 1.0]) for _ in range(n)], dtype=TD[dt])
            shape = [n, d] if kind == "cosine_embedding" else [n]
            return [Input(shape, dt, edge=0), Input(shape, dt, edge=0), Input([n], dt, exact=y, grad=False)], \
                   {"margin": rng.choice([0.0, 0.3]), "reduction": rng.choice(["mean", "sum", "none"])}
    return s


op("bilinear", "nn", lambda xs, a: F.bilinear(xs[0], xs[1], xs[2], xs[3] if len(xs) > 3 else None), extra_nn_sample("bilinear"))
op("conv3d", "nn", lambda xs, a: F.conv3d(xs[0], xs[1], stride=a["stride"], padding=a["padding"]), extra_nn_sample("conv3d"))
op("rms_norm", "norm", lambda xs, a: F.rms_norm(xs[0], a["normalized"], xs[1] if len(xs) > 1 else None), extra_nn_sample("rms_norm"))
op("cosine_embedding_loss", "loss", lambda xs, a: F.cosine_embedding_loss(xs[0], xs[1], xs[2], margin=a["margin"], reduction=a["reduction"]), extra_nn_sample("cosine_embedding"))
op("margin_ranking_loss", "loss", lambda xs, a: F.margin_ranking_loss(xs[0], xs[1], xs[2], margin=a["margin"], reduction=a["reduction"]), extra_nn_sample("margin_ranking"))


def sdpa_sample():
    b, l, s, e = rng.randint(1, 2), rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4)
    dt = pick(["float32", "float64"])
    ins = [Input([b, l, e], dt, edge=0), Input([b, s, e], dt, edge=0), Input([b, s, e], dt, edge=0)]
    causal = rng.random() < 0.3
    if not causal and rng.random() < 0.5:
        m = torch.rand(l, s) < 0.6
        if rng.random() < 0.5:
            m[0] = False  # a fully masked query row
        ins.append(Input([l, s], "bool", exact=m, grad=False))
    return ins, {"causal": causal}


op("scaled_dot_product_attention", "nn",
   lambda xs, a: F.scaled_dot_product_attention(xs[0], xs[1], xs[2], attn_mask=xs[3] if len(xs) > 3 else None, is_causal=a["causal"]),
   sdpa_sample)


def dropout_sample():
    return [Input(rand_shape(), pick(["float32", "float64"]))], {"p": rng.choice([0.0, 1.0])}


op("dropout", "nn", lambda xs, a: F.dropout(xs[0], p=a["p"], training=True), dropout_sample)


# ----------------------------------------------------------------------------- #14 composites

def one_sample(rank_lo=0, rank_hi=4, dts=ALL):
    return [Input(rand_shape(rank=rng.randint(rank_lo, rank_hi)), pick(dts))]


def movedim_sample():
    x = one_sample(1, 4)
    r = len(x[0].shape)
    k = rng.randint(1, r)
    src = rng.sample(range(r), k)
    dst = rng.sample(range(r), k)
    if rng.random() < 0.3:
        src = [d - r for d in src]
    return x, {"src": src, "dst": dst}


op("movedim", "shape", lambda xs, a: torch.movedim(xs[0], a["src"], a["dst"]), movedim_sample)
op("swapaxes", "shape", lambda xs, a: torch.swapaxes(xs[0], a["a"], a["b"]),
   lambda: (one_sample(1, 4), {"a": rng.randint(-1, 0), "b": rng.randint(0, 1)}))
for k, f in (("atleast_1d", torch.atleast_1d), ("atleast_2d", torch.atleast_2d), ("atleast_3d", torch.atleast_3d)):
    op(k, "shape", (lambda f: lambda xs, a: f(xs[0]))(f), lambda: (one_sample(0, 4), {}))
op("tensor_split_sections", "shape", lambda xs, a: torch.tensor_split(xs[0], a["n"], dim=a["dim"]),
   lambda: (one_sample(1, 3), {"n": rng.randint(1, 4), "dim": rng.choice([0, -1])}))
op("tensor_split_indices", "shape", lambda xs, a: torch.tensor_split(xs[0], a["idx"], dim=a["dim"]),
   lambda: (one_sample(1, 3), {"idx": sorted(rng.sample(range(-2, 6), rng.randint(0, 3))), "dim": rng.choice([0, -1])}))
for k, f in (("hsplit", torch.hsplit), ("vsplit", torch.vsplit), ("dsplit", torch.dsplit)):
    op(k, "shape", (lambda f: lambda xs, a: f(xs[0], a["n"]))(f), lambda: (one_sample(1, 4), {"n": rng.choice([1, 2, 3])}))
op("rot90", "shape", lambda xs, a: torch.rot90(xs[0], a["k"], a["dims"]),
   lambda: (one_sample(2, 4), {"k": rng.randint(-2, 5), "dims": rng.choice([[0, 1], [1, 0], [-1, 0], [0, -1]])}))


def meshgrid_sample():
    dt = pick(ALL)
    return [Input([rng.randint(0, 4)], dt) for _ in range(rng.randint(1, 3))], {"xy": rng.random() < 0.5}


op("meshgrid", "shape", lambda xs, a: torch.meshgrid(*xs, indexing="xy" if a["xy"] else "ij"), meshgrid_sample)
op("cartesian_prod", "shape", lambda xs, a: torch.cartesian_prod(*xs), meshgrid_sample)
op("block_diag", "shape", lambda xs, a: torch.block_diag(*xs),
   lambda: ([Input(rand_shape(rank=rng.randint(0, 2)), pick(ALL)) for _ in range(rng.randint(1, 3))], {}))


def take_along_sample():
    shape = rand_shape(rank=rng.randint(1, 3), lo=1)
    shape = [max(s, 1) for s in shape]
    d = rng.randint(-len(shape), len(shape) - 1)
    ishape = list(shape)
    ishape[d] = rng.randint(1, 4)
    idx = torch.randint(0, shape[d], ishape, dtype=torch.int64)
    use_dim = rng.random() < 0.8
    if not use_dim:
        idx = torch.randint(0, max(1, math.prod(shape)), ishape, dtype=torch.int64)
    # Without a dim PyTorch flattens with view(-1), refusing non-viewable inputs that SwiftTorch
    # flattens by copying (docs/pytorch-differences.md): those get contiguous inputs.
    return [Input(shape, pick(ALL), view=None if use_dim else "contig"),
            Input(ishape, "int64", exact=idx, grad=False)], {"dim": d if use_dim else None}


op("take_along_dim", "indexing", lambda xs, a: torch.take_along_dim(xs[0], xs[1], dim=a["dim"]), take_along_sample)
op("trace", "linalg", lambda xs, a: torch.trace(xs[0]), lambda: ([Input(rand_shape(rank=2), pick(ALL))], {}))
op("diag", "linalg", lambda xs, a: torch.diag(xs[0], a["offset"]),
   lambda: ([Input(rand_shape(rank=rng.randint(1, 2)), pick(ALL))], {"offset": rng.randint(-2, 2)}))
op("diag_embed", "linalg", lambda xs, a: torch.diag_embed(xs[0], a["offset"], a["d1"], a["d2"]),
   lambda: ([Input(rand_shape(rank=rng.randint(1, 3)), pick(ALL))],
            {"offset": rng.randint(-2, 2), "d1": rng.choice([0, -2, 1]), "d2": rng.choice([-1, 2, 0])}))
# PyTorch's kron reshapes with _unsafe_view, refusing some transposed inputs that SwiftTorch
# computes (docs/pytorch-differences.md): kron gets contiguous inputs.
op("kron", "linalg", lambda xs, a: torch.kron(xs[0], xs[1]),
   lambda: ([Input(rand_shape(rank=rng.randint(0, 3), hi=3), pick(FLOATS + ["int64"]), view="contig")
             for _ in range(2)], {}))


def tensordot_sample(lists):
    k = rng.randint(0, 2)
    common = [rng.randint(1, 3) for _ in range(k)]
    a = [rng.randint(1, 3) for _ in range(rng.randint(0, 2))] + common
    b = common + [rng.randint(1, 3) for _ in range(rng.randint(0, 2))]
    dt = pick(["float32", "float64"])
    if not lists:
        return [Input(a, dt, edge=0), Input(b, dt, edge=0)], {"dims": k}
    return [Input(a, dt, edge=0), Input(b, dt, edge=0)], {"da": list(range(len(a) - k, len(a))), "db": list(range(k))}


# var_mean/std_mean report PyTorch's one-pass (Welford) mean, whose rounding with near-overflow
# values depends on its accumulation order; histc's bin position overflows there (undefined in C++).
ACCUMULATING.update({"tensordot", "tensordot_lists", "baddbmm", "addbmm", "addmv", "addr", "multi_dot",
                     "chain_matmul", "kron", "trace", "var_mean", "std_mean", "histc"})
op("tensordot", "linalg", lambda xs, a: torch.tensordot(xs[0], xs[1], dims=a["dims"]), lambda: tensordot_sample(False))
op("tensordot_lists", "linalg", lambda xs, a: torch.tensordot(xs[0], xs[1], dims=(a["da"], a["db"])),
   lambda: tensordot_sample(True))


def addprod_sample(kind):
    b, n, k, m = rng.randint(1, 3), rng.randint(1, 4), rng.randint(0, 3), rng.randint(1, 4)
    dt = pick(["float32", "float64"])
    shapes = {"baddbmm": ([b, n, m], [b, n, k], [b, k, m]), "addbmm": ([n, m], [b, n, k], [b, k, m]),
              "addmv": ([n], [n, k], [k]), "addr": ([n, m], [n], [m])}[kind]
    ins = [Input(s, dt, edge=0.05) for s in shapes]
    if rng.random() < 0.3:  # a broadcast input
        ins[0] = Input(shapes[0][-1:], dt)
    return ins, {"beta": rng.choice([1.0, 0.0, 0.5]), "alpha": rng.choice([1.0, 2.0, -0.5])}


for kind, f in (("baddbmm", torch.baddbmm), ("addbmm", torch.addbmm), ("addmv", torch.addmv), ("addr", torch.addr)):
    op(kind, "linalg", (lambda f: lambda xs, a: f(xs[0], xs[1], xs[2], beta=a["beta"], alpha=a["alpha"]))(f),
       (lambda kind: lambda: addprod_sample(kind))(kind))


def chain_sample(allow_vectors):
    n = rng.randint(2, 4)
    dims = [rng.randint(1, 4) for _ in range(n + 1)]
    shapes = [[dims[i], dims[i + 1]] for i in range(n)]
    if allow_vectors and rng.random() < 0.5:
        shapes[0] = [dims[1]]
    if allow_vectors and rng.random() < 0.5:
        shapes[-1] = [dims[-2]]
    dt = pick(["float32", "float64"])
    return [Input(s, dt, edge=0) for s in shapes], {}


op("multi_dot", "linalg", lambda xs, a: torch.linalg.multi_dot(xs), lambda: chain_sample(True))
op("chain_matmul", "linalg", lambda xs, a: torch.chain_matmul(*xs), lambda: chain_sample(False))
op("tril_indices", "linalg", lambda xs, a: torch.tril_indices(a["r"], a["c"], a["o"]),
   lambda: ([], {"r": rng.randint(0, 4), "c": rng.randint(0, 4), "o": rng.randint(-2, 2)}), grad=False)
op("triu_indices", "linalg", lambda xs, a: torch.triu_indices(a["r"], a["c"], a["o"]),
   lambda: ([], {"r": rng.randint(0, 4), "c": rng.randint(0, 4), "o": rng.randint(-2, 2)}), grad=False)

op("nansum", "reduction", lambda xs, a: torch.nansum(xs[0], dim=_dims(a), keepdim=a["keepdim"]), red_sample())
op("nanmean", "reduction", lambda xs, a: torch.nanmean(xs[0], dim=_dims(a), keepdim=a["keepdim"]), red_sample())
op("count_nonzero", "reduction", lambda xs, a: torch.count_nonzero(xs[0], dim=_dims(a)), red_sample(), grad=False)
op("aminmax", "reduction", lambda xs, a: torch.aminmax(xs[0], dim=a["dim"], keepdim=a["keepdim"]), dim_sample(),
   grad=False)
op("var_mean", "reduction",
   lambda xs, a: torch.var_mean(xs[0], dim=a["dims"], correction=a["correction"], keepdim=a["keepdim"]), var_sample)
op("std_mean", "reduction",
   lambda xs, a: torch.std_mean(xs[0], dim=a["dims"], correction=a["correction"], keepdim=a["keepdim"]), var_sample)
op("msort", "sort", lambda xs, a: torch.msort(xs[0]), lambda: (one_sample(1, 3), {}), grad=False)
op("logcumsumexp", "scan", lambda xs, a: torch.logcumsumexp(xs[0], dim=a["dim"]), dim_sample())
op("cummax", "scan", lambda xs, a: torch.cummax(xs[0], dim=a["dim"]), dim_sample())
op("cummin", "scan", lambda xs, a: torch.cummin(xs[0], dim=a["dim"]), dim_sample())


# Order statistics and sets (#14). Ops that return indices get tie-free float inputs (no edge
# values): which of equal elements PyTorch's selection reports is its implementation's choice.

def distinct_sample(rank_lo=1, rank_hi=3, nan=False):
    def s():
        shape = rand_shape(rank=rng.randint(rank_lo, rank_hi), lo=1)
        shape = [max(x, 1) for x in shape]
        # No expanded views either: their repeats are ties (and PyTorch's median reads stale
        # values from them).
        x = Input(shape, pick(["float32", "float64"]), edge=0,
                  view=rng.choice([k for k in view_kinds(shape) if k != "expand"]))
        if nan and rng.random() < 0.5:
            b = x.base.clone().flatten()
            b[rng.randrange(b.numel())] = math.nan
            x.base = b.reshape(x.base.shape)
        d = rng.randint(-len(shape), len(shape) - 1)
        return [x], {"dim": d, "keepdim": rng.random() < 0.5}
    return s


op("median_all", "reduction", lambda xs, a: torch.median(xs[0]), red_sample())
op("nanmedian_all", "reduction", lambda xs, a: torch.nanmedian(xs[0]), red_sample())
op("median_dim", "reduction", lambda xs, a: torch.median(xs[0], dim=a["dim"], keepdim=a["keepdim"]),
   distinct_sample(nan=True))
op("nanmedian_dim", "reduction", lambda xs, a: torch.nanmedian(xs[0], dim=a["dim"], keepdim=a["keepdim"]),
   distinct_sample(nan=True))
op("kthvalue", "reduction", lambda xs, a: torch.kthvalue(xs[0], a["k"], dim=a["dim"], keepdim=a["keepdim"]),
   lambda: (lambda xs, a: (xs, dict(a, k=rng.randint(1, max(1, xs[0].shape[a["dim"]])))))(*distinct_sample()()))
op("mode", "reduction", lambda xs, a: torch.mode(xs[0], dim=a["dim"], keepdim=a["keepdim"]),
   lambda: ([Input(rand_shape(rank=rng.randint(1, 3), lo=1), pick(INTS), lo=0, hi=3, edge=0)],
            {"dim": -1, "keepdim": rng.random() < 0.5}), grad=False)


def quantile_sample():
    shape = rand_shape(rank=rng.randint(0, 3), lo=1)
    x = Input(shape, pick(["float32", "float64", "float32", "int64"]), edge=0.1)
    dim = None if rng.random() < 0.3 or not shape else rng.randint(-len(shape), len(shape) - 1)
    q = rng.choice([0.0, 0.25, 0.5, 0.9, 1.0, [0.1, 0.5], [0.0, 1.0, 0.3], 1.5])
    return [x], {"q": q, "dim": dim, "keepdim": rng.random() < 0.5,
                 "interp": rng.choice(["linear", "lower", "higher", "midpoint", "nearest"])}


def _q(a, dt):
    return torch.tensor(a["q"], dtype=dt) if isinstance(a["q"], list) else a["q"]


op("quantile", "reduction", lambda xs, a: torch.quantile(xs[0], _q(a, xs[0].dtype), dim=a["dim"], keepdim=a["keepdim"],
                                                          interpolation=a["interp"]), quantile_sample)
op("nanquantile", "reduction", lambda xs, a: torch.nanquantile(xs[0], _q(a, xs[0].dtype), dim=a["dim"],
                                                                keepdim=a["keepdim"], interpolation=a["interp"]),
   quantile_sample)


def unique_sample():
    return [Input(rand_shape(rank=rng.randint(0, 3)), pick(ALL), lo=-3, hi=3, edge=0.1)], \
        {"inverse": rng.random() < 0.5, "counts": rng.random() < 0.5}


def _unique(f, x, a):
    r = f(x, return_inverse=a["inverse"], return_counts=a["counts"])
    return r if isinstance(r, tuple) else (r,)


op("unique", "sort", lambda xs, a: _unique(torch.unique, xs[0], a), unique_sample, grad=False)
op("unique_consecutive", "sort", lambda xs, a: _unique(torch.unique_consecutive, xs[0], a), unique_sample, grad=False)


def search_sample():
    n = rng.randint(0, 6)
    dt = pick(["float32", "float64", "int64", "int32"])
    b = torch.sort(values([n], dt, edge=0)).values
    if rng.random() < 0.3 and n:
        b[rng.randrange(n)] = b[0]
        b = torch.sort(b).values
    return [Input([n], dt, exact=b, grad=False), Input(rand_shape(rank=rng.randint(0, 2)), dt, grad=False)], \
        {"right": rng.random() < 0.5}


op("searchsorted", "sort", lambda xs, a: torch.searchsorted(xs[0], xs[1], right=a["right"]), search_sample, grad=False)
op("bucketize", "sort", lambda xs, a: torch.bucketize(xs[1], xs[0], right=a["right"]), search_sample, grad=False)


def bincount_sample():
    n = rng.randint(0, 8)
    x = torch.randint(0, 6, (n,), dtype=torch.int64)
    ins = [Input([n], "int64", exact=x, grad=False)]
    if rng.random() < 0.5:
        ins.append(Input([n], pick(["float32", "float64"]), edge=0))
    return ins, {"minlength": rng.choice([0, 3, 8])}


op("bincount", "reduction",
   lambda xs, a: torch.bincount(xs[0], weights=xs[1] if len(xs) > 1 else None, minlength=a["minlength"]),
   bincount_sample, grad=False)
op("histc", "reduction", lambda xs, a: torch.histc(xs[0], bins=a["bins"], min=a["lo"], max=a["hi"]),
   lambda: ([Input(rand_shape(rank=rng.randint(0, 2)), pick(["float32", "float64"]), edge=0.05)],
            rng.choice([{"bins": 4, "lo": 0.0, "hi": 0.0}, {"bins": 5, "lo": -2.0, "hi": 2.0},
                        {"bins": 3, "lo": 1.0, "hi": 1.0}])), grad=False)


# torch.linalg (#14). Square inputs are X + n·I (well conditioned) unless a case asks for a singular
# one; symmetric and positive-definite inputs are made inside the op so gradients reach X. Outputs
# with a sign (gauge) freedom are compared through sign-free functions of them.

def matrix_sample(square=True, singular=0.0, rhs=False):
    def s():
        batch = rand_shape(rank=rng.randint(0, 2), lo=1, hi=3)
        batch = [max(b, 1) for b in batch]
        n = rng.randint(1, 4)
        m = n if square else rng.randint(1, 4)
        dt = pick(["float32", "float64"])
        x = values(batch + [m, n], dt, edge=0)
        if square:
            x = x + n * torch.eye(n, dtype=x.dtype)
            if rng.random() < singular:
                x = torch.zeros_like(x)
        ins = [Input(batch + [m, n], dt, exact=x.contiguous())]
        if rhs:
            k = rng.choice([None, 1, 2])
            bshape = batch + ([n] if k is None else [n, k])
            ins.append(Input(bshape, dt, edge=0))
        return ins, {}
    return s


def _sym(x):
    """Symmetric (Hermitian for a complex x)."""
    return (x + x.mH) / 2


def _spd(x):
    """Symmetric (Hermitian) positive-definite."""
    return x @ x.mH + x.shape[-1] * torch.eye(x.shape[-1], dtype=x.dtype)


# float32 factorizations: LAPACK implementations round differently, scaled by the condition number.
LA32 = {"float32": (1e-4, 1e-5)}
ACCUMULATING.update({"linalg_inv", "linalg_det", "linalg_slogdet", "linalg_solve", "linalg_cholesky", "linalg_eigh",
                     "linalg_eigvalsh", "linalg_svd", "linalg_svdvals", "logdet"})
op("linalg_inv", "linalg", lambda xs, a: torch.linalg.inv(xs[0]), matrix_sample(singular=0.1), tol=LA32)
op("linalg_det", "linalg", lambda xs, a: torch.linalg.det(xs[0]), matrix_sample(), tol=LA32)
op("linalg_slogdet", "linalg", lambda xs, a: torch.linalg.slogdet(xs[0]), matrix_sample(), tol=LA32)
op("logdet", "linalg", lambda xs, a: torch.logdet(xs[0]), matrix_sample(), tol=LA32)
op("linalg_solve", "linalg", lambda xs, a: torch.linalg.solve(xs[0], xs[1]), matrix_sample(singular=0.1, rhs=True), tol=LA32)
op("linalg_cholesky", "linalg", lambda xs, a: torch.linalg.cholesky(_spd(xs[0]), upper=a["upper"]),
   lambda: (matrix_sample()()[0], {"upper": rng.random() < 0.3}), tol=LA32)
op("linalg_cholesky_not_pd", "linalg", lambda xs, a: torch.linalg.cholesky(-_spd(xs[0])), matrix_sample(), grad=False)
op("linalg_eigh", "linalg", lambda xs, a: (lambda r: (r[0], r[1] * r[1]))(torch.linalg.eigh(_sym(xs[0]))),
   matrix_sample(), tol=LA32)
op("linalg_eigvalsh", "linalg", lambda xs, a: torch.linalg.eigvalsh(_sym(xs[0])), matrix_sample(), tol=LA32)
op("linalg_svd", "linalg", lambda xs, a: (lambda r: (r[0].abs(), r[1], r[2].abs()))(
    torch.linalg.svd(xs[0], full_matrices=a["full"])),
   lambda: (matrix_sample(square=False)()[0], {"full": rng.random() < 0.3}), tol=LA32)
op("linalg_svdvals", "linalg", lambda xs, a: torch.linalg.svdvals(xs[0]), matrix_sample(square=False), tol=LA32)


def norm_sample():
    shape = rand_shape(rank=rng.randint(1, 3))
    return [Input(shape, pick(["float32", "float64"]), edge=0.05)], {
        "ord": rng.choice([2.0, 1.0, 3.0, math.inf, -math.inf, 0.0, 0.5]), "dims": dims_arg(len(shape)),
        "keepdim": rng.random() < 0.5}


MATRIX_ORDS = {"fro": "fro", "nuc": "nuc", "inf": math.inf, "-inf": -math.inf, "1": 1, "-1": -1, "2": 2, "-2": -2}
ACCUMULATING.update({"linalg_vector_norm", "linalg_matrix_norm", "linalg_matrix_power", "linalg_matrix_exp",
                     "linalg_cross", "linalg_vecdot", "linalg_solve_triangular", "linalg_matrix_rank", "linalg_cond",
                     "linalg_inv_ex", "linalg_cholesky_ex"})
op("linalg_vector_norm", "linalg",
   lambda xs, a: torch.linalg.vector_norm(xs[0], ord=a["ord"], dim=a["dims"], keepdim=a["keepdim"]), norm_sample)
op("linalg_matrix_norm", "linalg",
   lambda xs, a: torch.linalg.matrix_norm(xs[0], ord=MATRIX_ORDS[a["ord"]], keepdim=a["keepdim"]),
   lambda: (matrix_sample(square=False)()[0], {"ord": rng.choice(list(MATRIX_ORDS)), "keepdim": rng.random() < 0.5}),
   tol=LA32)
op("linalg_matrix_power", "linalg", lambda xs, a: torch.linalg.matrix_power(xs[0], a["n"]),
   lambda: (matrix_sample()()[0], {"n": rng.choice([0, 1, 2, 3, -1, -2])}), tol=LA32)
op("linalg_matrix_exp", "linalg", lambda xs, a: torch.linalg.matrix_exp(xs[0] * a["scale"]),
   lambda: (matrix_sample()()[0], {"scale": rng.choice([0.1, 0.5, 1.0])}), tol=LA32)
op("linalg_cross", "linalg", lambda xs, a: torch.linalg.cross(xs[0], xs[1], dim=a["dim"]),
   lambda: ([Input(s, d) for s, d in [([rng.randint(1, 3), 3], "float64"), (rng.choice([[3], [1, 3]]), "float64")]],
            {"dim": -1}))
op("linalg_vecdot", "linalg", lambda xs, a: torch.linalg.vecdot(xs[0], xs[1]),
   lambda: ([Input([2, 4], "float64"), Input([4], "float64")], {}))
op("linalg_solve_triangular", "linalg",
   lambda xs, a: torch.linalg.solve_triangular(xs[0], xs[1], upper=a["upper"], left=a["left"],
                                               unitriangular=a["unit"]),
   lambda: (lambda ins: (ins, {"upper": rng.random() < 0.5, "left": True, "unit": rng.random() < 0.3}))(
       (lambda a: a + [Input([a[0].shape[-1], 2], pick(["float32", "float64"]), edge=0)])(matrix_sample()()[0])),
   tol=LA32)
op("linalg_matrix_rank", "linalg", lambda xs, a: torch.linalg.matrix_rank(xs[0]),
   matrix_sample(square=False), grad=False)
op("linalg_cond", "linalg", lambda xs, a: torch.linalg.cond(xs[0]), matrix_sample(), tol=LA32)
# A singular matrix's inv_ex values are whatever LAPACK's solve divides into (inf or NaN by build):
# only its info is compared there.
def _inv_ex(x):
    r = torch.linalg.inv_ex(x)
    ok = (r.info == 0).unsqueeze(-1).unsqueeze(-1)
    return torch.where(ok, r.inverse, torch.zeros_like(r.inverse)), r.info


op("linalg_inv_ex", "linalg", lambda xs, a: _inv_ex(xs[0]), matrix_sample(singular=0.2), tol=LA32, grad=False)
op("linalg_cholesky_ex", "linalg", lambda xs, a: torch.linalg.cholesky_ex(_spd(xs[0]) * a["sign"]),
   lambda: (matrix_sample()()[0], {"sign": rng.choice([1.0, 1.0, -1.0])}), tol=LA32, grad=False)


# QR, LU, LDLᵀ, least squares, pinv (#14, second part). QR's column signs are normalized by R's
# diagonal (a gauge both sides fix the same way in LAPACK, normalized anyway).
def _qr(x, mode):
    q, r = torch.linalg.qr(x, mode=mode)
    k = min(x.shape[-2], x.shape[-1])
    d = torch.sgn(torch.diagonal(r, dim1=-2, dim2=-1)[..., :k])
    d = torch.where(d == 0, torch.ones_like(d), d)
    rn = r[..., :k, :] * d.conj().unsqueeze(-1)
    if mode == "r":
        return rn
    return q[..., :k] * d.unsqueeze(-2), rn


def _solve_ex(a, b):
    r = torch.linalg.solve_ex(a, b)
    ok = (r.info == 0)
    ok = ok.reshape(ok.shape + (1,) * (r.result.dim() - ok.dim()))
    return torch.where(ok, r.result, torch.zeros_like(r.result)), r.info


def lstsq_sample():
    batch = [rng.randint(1, 2) for _ in range(rng.randint(0, 1))]
    m, n = rng.randint(1, 5), rng.randint(1, 5)
    dt = pick(["float32", "float64"])
    x = values(batch + [m, n], dt, edge=0)
    if rng.random() < 0.2 and n > 1:
        x[..., -1] = x[..., 0]  # rank-deficient
    k = rng.choice([None, 1, 3])
    b = Input(batch + ([m] if k is None else [m, k]), dt, edge=0)
    return [Input(batch + [m, n], dt, exact=x.contiguous()), b], {"driver": rng.choice(["gelsy", "gelsd", "gelss", "gels"])}


def _lstsq(a, b, driver):
    full = torch.linalg.matrix_rank(a).min() == min(a.shape[-2:]) if a.numel() else True
    if driver == "gels" and not full:
        driver = "gelsy"
    r = torch.linalg.lstsq(a, b, driver=driver)
    return r.solution, r.residuals, r.rank, r.singular_values


ACCUMULATING.update({"linalg_norm", "linalg_matrix_norm_dims", "linalg_vector_norm_dtype", "linalg_cond_p",
                     "linalg_matrix_rank_tol"})
ACCUMULATING.update({"linalg_qr", "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_lu", "linalg_lu_solve",
                     "lu_unpack", "linalg_ldl_factor", "linalg_lstsq", "linalg_pinv", "linalg_solve_ex",
                     "linalg_solve_left"})
op("linalg_qr", "linalg", lambda xs, a: _qr(xs[0], a["mode"]),
   lambda: (matrix_sample(square=False)()[0], {"mode": rng.choice(["reduced", "reduced", "complete", "r"])}), tol=LA32)
op("linalg_lu_factor", "linalg", lambda xs, a: torch.linalg.lu_factor(xs[0]), matrix_sample(square=False, singular=0.1),
   tol=LA32)
op("linalg_lu_factor_ex", "linalg", lambda xs, a: torch.linalg.lu_factor_ex(xs[0]),
   matrix_sample(square=False, singular=0.2), tol=LA32, grad=False)
op("linalg_lu", "linalg", lambda xs, a: torch.linalg.lu(xs[0]), matrix_sample(square=False), tol=LA32)
op("lu_unpack", "linalg", lambda xs, a: torch.lu_unpack(*torch.linalg.lu_factor(xs[0])), matrix_sample(), tol=LA32)
def linalg_norm_sample():
    rank = rng.randint(1, 3)
    shape = [rng.randint(1, 4) for _ in range(rank)]
    ins = [Input(shape, pick(["float32", "float64"]), edge=0)]
    ords = [None, 2.0, 1.0, -1.0, math.inf, -math.inf, -2.0, 3.0, 0.5, "fro", "nuc"]
    dims = rng.choice([None, [rng.randrange(rank)], [0, rank - 1] if rank > 1 else [0], [-1, 0], [0, 0]])
    return ins, {"ord": rng.choice(ords), "dims": dims, "keepdim": rng.random() < 0.4}


def _linalg_norm(x, a):
    return torch.linalg.norm(x, ord=a["ord"], dim=None if a["dims"] is None else tuple(a["dims"]), keepdim=a["keepdim"])


op("linalg_norm", "linalg", lambda xs, a: _linalg_norm(xs[0], a), linalg_norm_sample, tol=LA32)
op("linalg_matrix_norm_dims", "linalg",
   lambda xs, a: torch.linalg.matrix_norm(xs[0], ord=MATRIX_ORDS[a["ord"]], dim=tuple(a["dims"]), keepdim=a["keepdim"]),
   lambda: ([Input([rng.randint(1, 3) for _ in range(3)], pick(["float32", "float64"]), edge=0)],
            {"ord": rng.choice(list(MATRIX_ORDS)), "dims": rng.choice([[0, 2], [2, 0], [1, -1], [0, 1]]),
             "keepdim": rng.random() < 0.5}), tol=LA32)
op("linalg_vector_norm_dtype", "linalg",
   lambda xs, a: torch.linalg.vector_norm(xs[0], ord=a["ord"], dtype=TD[a["dtype"]]),
   lambda: ([Input(rand_shape(rank=rng.randint(1, 2)), pick(["float16", "float32", "float64"]), edge=0.05)],
            {"ord": rng.choice([2.0, 1.0, math.inf]), "dtype": rng.choice(["float32", "float64", "float16", "int64"])}),
   tol=LA32)
op("linalg_cond_p", "linalg", lambda xs, a: torch.linalg.cond(xs[0], p=MATRIX_ORDS[a["p"]]),
   lambda: (matrix_sample(square=rng.random() < 0.85, singular=0.1)()[0], {"p": rng.choice(list(MATRIX_ORDS))}),
   tol=LA32)
op("linalg_matrix_rank_tol", "linalg",
   lambda xs, a: torch.linalg.matrix_rank(_sym(xs[0]) if a["h"] else xs[0], atol=a["atol"], rtol=a["rtol"],
                                          hermitian=a["h"]),
   lambda: (matrix_sample(square=True)()[0], {"atol": rng.choice([None, 0.5, 2.0]), "rtol": rng.choice([None, 0.3]),
                                              "h": rng.random() < 0.3}), grad=False)


def lu_solve_sample():
    ins = matrix_sample()()[0]
    n, left = ins[0].shape[-1], rng.random() < 0.5
    dt = str(ins[0].base.dtype).replace("torch.", "")
    ins.append(Input([n, 2] if left else [2, n], dt, edge=0))
    return ins, {"left": left, "adjoint": rng.random() < 0.5}


op("linalg_lu_solve", "linalg",
   lambda xs, a: torch.linalg.lu_solve(*torch.linalg.lu_factor(xs[0]), xs[1], left=a["left"], adjoint=a["adjoint"]),
   lu_solve_sample, tol=LA32)
op("linalg_ldl_factor", "linalg", lambda xs, a: torch.linalg.ldl_factor(_sym(xs[0])), matrix_sample(), tol=LA32,
   grad=False)
op("linalg_lstsq", "linalg", lambda xs, a: _lstsq(xs[0], xs[1], a["driver"]), lstsq_sample, tol=LA32)
op("linalg_pinv", "linalg", lambda xs, a: torch.linalg.pinv(xs[0]), matrix_sample(square=False), tol=LA32)
op("linalg_pinv_hermitian", "linalg", lambda xs, a: torch.linalg.pinv(_sym(xs[0]), hermitian=True),
   matrix_sample(), tol=LA32)
op("linalg_solve_ex", "linalg", lambda xs, a: _solve_ex(xs[0], xs[1]), matrix_sample(singular=0.2, rhs=True),
   tol=LA32, grad=False)
op("linalg_solve_left", "linalg", lambda xs, a: torch.linalg.solve(xs[0], xs[1], left=False),
   lambda: (lambda ins: (ins + [Input([2, ins[0].shape[-1]], str(ins[0].base.dtype)[6:], edge=0)], {}))(
       matrix_sample()()[0]),
   tol=LA32)


EINSUM = ["ij,jk->ik", "bij,bjk->bik", "ii->i", "ii", "ij->ji", "i,i->", "i,j->ij", "bhqd,bhkd->bhqk", "ij,ij->ij",
          "ij->", "iij->j", "ij,jk,kl->il", "ijk,jl,lk->i", "...ij,...jk->...ik", "...ij->...ji", "ab...,b->a...",
          "i,i", "ij,jk", "bn,anm,bm->ba", "ijk", "ik,kj->", "ij,jk->iz"]


def einsum_sample():
    eq = rng.choice(EINSUM)
    lhs = eq.split("->")[0]
    size = {c: rng.randint(1, 4) for c in "abcdefghijklmnopqrstuvwxyz"}
    ins = []
    dt = pick(["float32", "float64", "int64"])
    ell = [rng.randint(1, 3) for _ in range(rng.randint(0, 2))]
    for spec in lhs.split(","):
        shape = []
        for part in spec.split("..."):
            pass
        if "..." in spec:
            before, after = spec.split("...")
            shape = [size[c] for c in before] + ell + [size[c] for c in after]
        else:
            shape = [size[c] for c in spec]
        # Three or more operands: no edge values, since which infinities meet (inf or NaN) depends on
        # the contraction order (SwiftTorch's greedy one, PyTorch's left-to-right without opt_einsum).
        ins.append(Input(shape, dt, edge=0.05 if lhs.count(",") < 2 else 0))
    return ins, {"eq": eq}


op("einsum", "linalg", lambda xs, a: torch.einsum(a["eq"], *xs), einsum_sample, tol=LA32)
ACCUMULATING.update({"einsum"})


# Placement ops (#14): indices drawn in range (and distinct where PyTorch's result would depend on
# which duplicate writes last).

def rep_sample():
    shape = rand_shape(rank=rng.randint(0, 3))
    dim = None if rng.random() < 0.3 or not shape else rng.randint(-len(shape), len(shape) - 1)
    size = (math.prod(shape) if dim is None else shape[dim]) if shape else 1
    if rng.random() < 0.5:
        return [Input(shape, pick(ALL))], {"dim": dim, "r": rng.randint(0, 3)}
    reps = torch.randint(0, 3, (size,), dtype=torch.int64)
    return [Input(shape, pick(ALL)), Input([size], "int64", exact=reps, grad=False)], {"dim": dim, "r": None}


op("repeat_interleave", "indexing",
   lambda xs, a: torch.repeat_interleave(xs[0], a["r"] if a["r"] is not None else xs[1], dim=a["dim"]), rep_sample)


def place_sample(with_source):
    shape = [max(s, 1) for s in rand_shape(rank=rng.randint(1, 3), lo=1)]
    d = rng.randint(-len(shape), len(shape) - 1)
    k = rng.randint(0, shape[d])
    idx = torch.randperm(shape[d])[:k].to(torch.int64)
    dt = pick(ALL)
    ins = [Input(shape, dt), Input([k], "int64", exact=idx, grad=False)]
    if with_source:
        sshape = list(shape)
        sshape[d] = k
        ins.append(Input(sshape, dt))
    return ins, {"dim": d}


op("index_copy", "indexing", lambda xs, a: torch.index_copy(xs[0], a["dim"], xs[1], xs[2]), lambda: place_sample(True))
op("index_fill", "indexing", lambda xs, a: torch.index_fill(xs[0], a["dim"], xs[1], -2.5 if xs[0].is_floating_point()
                                                              else 3), lambda: place_sample(False))


def masked_scatter_sample():
    shape = rand_shape(rank=rng.randint(0, 3))
    dt = pick(ALL)
    mask = torch.rand(shape) < 0.5
    return [Input(shape, dt), Input(shape, "bool", exact=mask, grad=False), Input([max(1, int(mask.sum()) + 1)], dt)], {}


op("masked_scatter", "indexing", lambda xs, a: xs[0].masked_scatter(xs[1], xs[2]), masked_scatter_sample)


def put_sample():
    shape = [max(s, 1) for s in rand_shape(rank=rng.randint(1, 3), lo=1)]
    n = math.prod(shape)
    acc = rng.random() < 0.5
    k = rng.randint(0, n)
    idx = torch.randint(-n, n, (k,)) if acc else (torch.randperm(n)[:k] - (n if rng.random() < 0.3 else 0))
    dt = pick(["float32", "float64", "int64"])
    return [Input(shape, dt), Input([k], "int64", exact=idx.to(torch.int64), grad=False), Input([k], dt)], \
        {"acc": acc}


op("put", "indexing", lambda xs, a: xs[0].put(xs[1], xs[2], accumulate=a["acc"]), put_sample)
op("narrow_copy", "shape", lambda xs, a: torch.narrow_copy(xs[0], 0, a["s"], a["l"]),
   lambda: ([Input([4, 3], pick(ALL))], {"s": rng.randint(0, 2), "l": rng.randint(0, 2)}))
op("fliplr", "shape", lambda xs, a: torch.fliplr(xs[0]), lambda: (one_sample(1, 3), {}))
op("flipud", "shape", lambda xs, a: torch.flipud(xs[0]), lambda: (one_sample(0, 3), {}))


def scatter_reduce_sample():
    shape = [max(s, 1) for s in rand_shape(rank=rng.randint(1, 3), lo=1)]
    d = rng.randint(0, len(shape) - 1)
    ishape = list(shape)
    ishape[d] = rng.randint(1, 5)
    idx = torch.randint(0, shape[d], ishape, dtype=torch.int64)
    red = rng.choice(["sum", "prod", "mean", "amax", "amin"])
    dt = pick(["float32", "float64", "int64"])
    return [Input(shape, dt, edge=0.05), Input(ishape, "int64", exact=idx, grad=False), Input(ishape, dt, edge=0.05)], \
        {"dim": d, "reduce": red, "self": rng.random() < 0.5}


op("scatter_reduce", "indexing",
   lambda xs, a: torch.scatter_reduce(xs[0], a["dim"], xs[1], xs[2], a["reduce"], include_self=a["self"]),
   scatter_reduce_sample, grad=False)
op("scatter_reduce_grad", "indexing",
   lambda xs, a: torch.scatter_reduce(xs[0], a["dim"], xs[1], xs[2], a["reduce"], include_self=a["self"]),
   lambda: (lambda r: (r[0], dict(r[1], reduce=rng.choice(["sum", "mean"]))))(scatter_reduce_sample()))

op("scatter_reduce_extrema_grad", "indexing",
   lambda xs, a: torch.scatter_reduce(xs[0], a["dim"], xs[1], xs[2], a["reduce"], include_self=a["self"]),
   lambda: (lambda r: (r[0], dict(r[1], reduce=rng.choice(["prod", "amax", "amin"]))))(scatter_reduce_sample()))
op("put_", "indexing", lambda xs, a: xs[0].clone().put_(xs[1], xs[2], accumulate=a["acc"]), put_sample)


def index_reduce_sample():
    shape = [max(s, 1) for s in rand_shape(rank=rng.randint(1, 3), lo=1)]
    d = rng.randint(0, len(shape) - 1)
    k = rng.randint(0, 4)
    sshape = list(shape)
    sshape[d] = k
    idx = torch.randint(-shape[d], shape[d], (k,), dtype=torch.int64)
    dt = pick(["float32", "float64", "int64"])
    if rng.random() < 0.1:
        sshape[-1] += 1
    return [Input(shape, dt, edge=0.05), Input([k], "int64", exact=idx, grad=False), Input(sshape, dt, edge=0.05)], \
        {"dim": d, "reduce": rng.choice(["prod", "mean", "amax", "amin", "prod", "sum"]), "self": rng.random() < 0.5}


op("index_reduce", "indexing",
   lambda xs, a: xs[0].index_reduce(a["dim"], xs[1], xs[2], a["reduce"], include_self=a["self"]), index_reduce_sample)
op("index_reduce_", "indexing",
   lambda xs, a: xs[0].clone().index_reduce_(a["dim"], xs[1], xs[2], a["reduce"], include_self=a["self"]),
   index_reduce_sample)


def combinations_sample():
    return [Input([rng.randint(0, 5)], pick(ALL))], {"r": rng.choice([0, 1, 2, 2, 3]), "rep": rng.random() < 0.4}


op("combinations", "shape", lambda xs, a: torch.combinations(xs[0], r=a["r"], with_replacement=a["rep"]),
   combinations_sample)


def histogram_sample():
    shape = rand_shape(rank=rng.randint(0, 2))
    dt = pick(["float32", "float64"])
    ins = [Input(shape, dt, edge=0.05 if rng.random() < 0.5 else 0)]
    kind = rng.choice(["count", "range", "edges"])
    args = {"kind": kind, "bins": rng.randint(1, 5), "density": rng.random() < 0.3, "weight": rng.random() < 0.3}
    if kind == "range":
        args["lo"], args["hi"] = rng.choice([(-1.0, 1.0), (0.0, 3.0), (2.0, 2.0), (1.0, -1.0)])
    if kind == "edges":
        e = torch.sort(torch.tensor([rng.uniform(-3, 3) for _ in range(rng.randint(2, 5))])).values.to(TD[dt])
        ins.append(Input(list(e.shape), dt, exact=e, grad=False))
    if args["weight"]:
        ins.append(Input(shape, dt, edge=0, lo=0, hi=2, grad=False))
    return ins, args


def _histogram(xs, a):
    w = xs[-1] if a["weight"] else None
    if a["kind"] == "edges":
        return torch.histogram(xs[0], xs[1], weight=w, density=a["density"])
    if a["kind"] == "range":
        return torch.histogram(xs[0], a["bins"], range=(a["lo"], a["hi"]), weight=w, density=a["density"])
    return torch.histogram(xs[0], a["bins"], weight=w, density=a["density"])


op("histogram", "sort", _histogram, histogram_sample, grad=False)


def unique_dim_sample():
    shape = [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
    dt = pick(["float32", "float64", "int64", "int32", "bool", "int8"])
    x = values(shape, dt, lo=0, hi=2, edge=0) if dt not in FLOATS else values(shape, dt, lo=0, hi=2, edge=0).round()
    return [Input(shape, dt, exact=x)], {"dim": rng.randrange(len(shape)), "inverse": rng.random() < 0.5,
                                         "counts": rng.random() < 0.5}


op("unique_dim", "sort", lambda xs, a: _unique(lambda x, **k: torch.unique(x, dim=a["dim"], **k), xs[0], a),
   unique_dim_sample, grad=False)
op("unique_consecutive_dim", "sort",
   lambda xs, a: _unique(lambda x, **k: torch.unique_consecutive(x, dim=a["dim"], **k), xs[0], a),
   unique_dim_sample, grad=False)


def search_sorter_sample():
    ins, args = search_sample()
    n = ins[0].shape[0]
    perm = torch.randperm(n)
    shuffled = ins[0].base[torch.argsort(perm)] if n else ins[0].base
    sorter = torch.argsort(shuffled, stable=True) if n else torch.zeros(0, dtype=torch.int64)
    ins[0] = Input([n], str(ins[0].base.dtype)[6:], exact=shuffled.contiguous(), grad=False)
    ins.append(Input([n], "int64", exact=sorter, grad=False))
    return ins, {"side": rng.choice(["left", "right"]), "right": rng.random() < 0.2}


op("searchsorted_sorter", "sort",
   lambda xs, a: torch.searchsorted(xs[0], xs[1], side=a["side"], right=a["right"], sorter=xs[2]),
   search_sorter_sample, grad=False)


# Arguments PyTorch has that the first milestone lacked (#14).
op("round_decimals", "unary", lambda xs, a: torch.round(xs[0], decimals=a["d"]),
   lambda: ([Input(rand_shape(), pick(FLOATS + ["int64"]))], {"d": rng.choice([1, 2, 3, -1, -2, 0])}), grad=False)
op("squeeze_dims", "shape", lambda xs, a: torch.squeeze(xs[0], tuple(a["dims"])),
   lambda: (lambda shape: ([Input(shape, pick(ALL))],
                           {"dims": rng.sample(range(-len(shape), len(shape)), rng.randint(0, len(shape)))
                            if shape else []}))(rand_shape(one=0.5)))
DT_TARGETS = ["float32", "float64", "int64"]
op("mean_dtype", "reduction", lambda xs, a: torch.mean(xs[0], dim=_dims(a), keepdim=a["keepdim"], dtype=TD[a["dt"]]),
   lambda: (lambda r: (r[0], dict(r[1], dt=rng.choice(["float32", "float64"]))))(red_sample()()))
op("prod_dtype", "reduction", lambda xs, a: torch.prod(xs[0], dim=a["dim"], keepdim=a["keepdim"], dtype=TD[a["dt"]]),
   lambda: (lambda r: (r[0], dict(r[1], dt=rng.choice(DT_TARGETS))))(dim_sample()()))
op("cumsum_dtype", "scan", lambda xs, a: torch.cumsum(xs[0], dim=a["dim"], dtype=TD[a["dt"]]),
   lambda: (lambda r: (r[0], dict(r[1], dt=rng.choice(DT_TARGETS))))(dim_sample()()))
op("cumprod_dtype", "scan", lambda xs, a: torch.cumprod(xs[0], dim=a["dim"], dtype=TD[a["dt"]]),
   lambda: (lambda r: (r[0], dict(r[1], dt=rng.choice(DT_TARGETS))))(dim_sample()()))
op("softmax_dtype", "softmax", lambda xs, a: torch.softmax(xs[0], dim=a["dim"], dtype=TD[a["dt"]]),
   lambda: (lambda r: (r[0], dict(r[1], dt=rng.choice(["float32", "float64"]))))(dim_sample(dts=FLOATS)()))
op("log_softmax_dtype", "softmax", lambda xs, a: torch.log_softmax(xs[0], dim=a["dim"], dtype=TD[a["dt"]]),
   lambda: (lambda r: (r[0], dict(r[1], dt=rng.choice(["float32", "float64"]))))(dim_sample(dts=FLOATS)()))


# Python-scalar forms (#14).
def scalar_form_sample(kind=None, nonzero=False):
    def s():
        a = scalar_arg(kind)
        if nonzero and a["kind"] != "float" and (not a["value"] or a["value"] == -1):
            a["value"] = 3 if a["kind"] == "int" else True
        return [Input(rand_shape(), pick(ALL))], {"s": a}
    return s


op("floor_divide_scalar", "scalar", lambda xs, a: torch.floor_divide(xs[0], py_scalar(a["s"])),
   scalar_form_sample(nonzero=True), grad=False)
op("div_trunc_scalar", "scalar", lambda xs, a: torch.div(xs[0], py_scalar(a["s"]), rounding_mode="trunc"),
   scalar_form_sample(nonzero=True), grad=False)
op("div_floor_scalar", "scalar", lambda xs, a: torch.div(xs[0], py_scalar(a["s"]), rounding_mode="floor"),
   scalar_form_sample(nonzero=True), grad=False)
op("rremainder_scalar", "scalar", lambda xs, a: torch.remainder(py_scalar(a["s"]), xs[0]),
   scalar_form_sample())
for nm, f in (("bitwise_and_scalar", torch.bitwise_and), ("bitwise_or_scalar", torch.bitwise_or),
              ("bitwise_xor_scalar", torch.bitwise_xor)):
    op(nm, "scalar", (lambda f: lambda xs, a: f(xs[0], py_scalar(a["s"])))(f),
       scalar_form_sample(kind=rng.choice(["int", "bool"])), grad=False)
op("where_scalars", "scalar", lambda xs, a: torch.where(xs[0], py_scalar(a["a"]), py_scalar(a["b"])),
   lambda: ([Input(rand_shape(), "bool")], {"a": scalar_arg(), "b": scalar_arg()}), grad=False)
op("add_scalar_alpha", "scalar", lambda xs, a: torch.add(xs[0], py_scalar(a["s"]), alpha=py_scalar(a["alpha"])),
   lambda: ([Input(rand_shape(), pick(ALL))], {"s": scalar_arg(rng.choice(["int", "float"])),
                                               "alpha": scalar_arg(rng.choice(["int", "float"]))}))
op("sub_scalar_alpha", "scalar", lambda xs, a: torch.sub(xs[0], py_scalar(a["s"]), alpha=py_scalar(a["alpha"])),
   lambda: ([Input(rand_shape(), pick(ALL))], {"s": scalar_arg(rng.choice(["int", "float"])),
                                               "alpha": scalar_arg(rng.choice(["int", "float"]))}))


# ----------------------------------------------------------------------------- driver

def tolerance(dt):
    return {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}.get(dt, (0, 0))


def sanitize(v):
    """JSON without NaN/Infinity literals: non-finite floats become "nan", "inf", "-inf"."""
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, dict):
        return {k: sanitize(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [sanitize(x) for x in v]
    return v


def first_line(e):
    msg = str(e).strip().split("\n")[0]
    return msg[:300]


# The rest of torch.nn.functional's activations (#16).
for name, f in {"selu": F.selu, "celu": F.celu, "relu6": F.relu6, "hardswish": F.hardswish,
                "hardsigmoid": F.hardsigmoid, "logsigmoid": F.logsigmoid, "softsign": F.softsign,
                "tanhshrink": F.tanhshrink, "hardshrink": F.hardshrink, "softshrink": F.softshrink}.items():
    op(name, "activation", (lambda f: lambda xs, a: f(xs[0]))(f), unary_sample())
op("celu_alpha", "activation", lambda xs, a: F.celu(xs[0], alpha=a["alpha"]),
   lambda: ([Input(rand_shape(), pick(ALL))], {"alpha": rng.choice([0.5, 2.0])}))
op("hardshrink_lambd", "activation", lambda xs, a: F.hardshrink(xs[0], a["lambd"]),
   lambda: ([Input(rand_shape(), pick(ALL), edge=0.1)], {"lambd": rng.choice([0.0, 0.25, 1.0])}))
op("softshrink_lambd", "activation", lambda xs, a: F.softshrink(xs[0], a["lambd"]),
   lambda: ([Input(rand_shape(), pick(ALL), edge=0.1)], {"lambd": rng.choice([0.0, 0.25, 1.0, -1.0])}))
op("threshold", "activation", lambda xs, a: F.threshold(xs[0], a["t"], a["v"]),
   lambda: ([Input(rand_shape(), pick(ALL), edge=0.1)], {"t": rng.choice([0.0, 0.5, -1.0]), "v": rng.choice([0.0, -2.0, 7.0])}))
op("glu", "activation", lambda xs, a: F.glu(xs[0], a["dim"]),
   lambda: (lambda shape: ([Input(shape, pick(ALL))], {"dim": rng.randint(-max(len(shape), 1), max(len(shape), 1) - 1)}))(
       [rng.choice([1, 2, 3, 4]) for _ in range(rng.randint(0, 3))]))
op("prelu", "activation", lambda xs, a: F.prelu(xs[0], xs[1]),
   lambda: (lambda shape: ([Input(shape, pick(FLOATS)), Input([shape[1] if len(shape) > 1 and rng.random() < 0.7 else 1], pick(FLOATS))], {}))(
       [rng.choice([1, 2, 3]) for _ in range(rng.randint(1, 4))]))
op("softmin", "activation", lambda xs, a: F.softmin(xs[0], dim=a["dim"]),
   lambda: (lambda shape: ([Input(shape, pick(FLOATS))], {"dim": rng.randint(-max(len(shape), 1), max(len(shape), 1) - 1)}))(
       rand_shape()))


# Tensor conveniences (#16): *_as and new_*.
def as_pair():
    a = rand_shape()
    n = 1
    for d in a:
        n *= d
    r = rng.random()
    b = [n] if r < 0.5 else (list(reversed(a)) if r < 0.8 else rand_shape())
    return ([Input(a, pick(ALL)), Input(b, pick(ALL))], {})


op("reshape_as", "shape", lambda xs, a: xs[0].reshape_as(xs[1]), as_pair)
op("view_as", "shape", lambda xs, a: xs[0].view_as(xs[1]), as_pair)
op("type_as", "shape", lambda xs, a: xs[0].type_as(xs[1]), binary_sample(), grad=False)
op("new_zeros", "creation", lambda xs, a: xs[0].new_zeros(a["shape"]),
   lambda: ([Input(rand_shape(), pick(ALL))], {"shape": rand_shape()}), grad=False)
op("new_ones", "creation", lambda xs, a: xs[0].new_ones(a["shape"]),
   lambda: ([Input(rand_shape(), pick(ALL))], {"shape": rand_shape()}), grad=False)
op("new_full", "creation", lambda xs, a: xs[0].new_full(a["shape"], a["v"]),
   lambda: ([Input(rand_shape(), pick(FLOATS))], {"shape": rand_shape(), "v": rng.choice([0.5, -2.0, 3.0])}),
   grad=False)


# Rearrangements, similarity, distance, one-hot (#16).
def shuffle_sample(up):
    def s():
        r = rng.choice([1, 2, 3, 0]) if rng.random() < 0.95 else -1
        lead = [rng.choice([1, 2]) for _ in range(rng.randint(0, 2))]
        c = rng.choice([1, 2]) * (max(r, 1) ** 2 if up else 1)
        if rng.random() < 0.15:
            c += 1
        h = rng.choice([1, 2]) * (1 if up else max(r, 1)) + (1 if (not up and rng.random() < 0.15) else 0)
        w = rng.choice([1, 2]) * (1 if up else max(r, 1))
        shape = lead + [c, h, w] if rng.random() < 0.95 else [c, h]
        return [Input(shape, pick(ALL))], {"r": r}
    return s


op("pixel_shuffle", "shape", lambda xs, a: F.pixel_shuffle(xs[0], a["r"]), shuffle_sample(True))
op("pixel_unshuffle", "shape", lambda xs, a: F.pixel_unshuffle(xs[0], a["r"]), shuffle_sample(False))
op("cosine_similarity", "reduction", lambda xs, a: F.cosine_similarity(xs[0], xs[1], dim=a["dim"], eps=a["eps"]),
   lambda: (lambda shape: ([Input(shape, pick(FLOATS)), Input(shape if rng.random() < 0.8 else shape[1:], pick(FLOATS))],
                           {"dim": rng.randint(-len(shape), len(shape) - 1), "eps": rng.choice([1e-8, 0.5])}))(
       [rng.choice([1, 2, 3]) for _ in range(rng.randint(1, 3))]))
op("pairwise_distance", "reduction",
   lambda xs, a: F.pairwise_distance(xs[0], xs[1], p=a["p"], eps=a["eps"], keepdim=a["keepdim"]),
   lambda: (lambda shape: ([Input(shape, pick(FLOATS)), Input(shape, pick(FLOATS))],
                           {"p": rng.choice([1.0, 2.0, 3.0]), "eps": rng.choice([1e-6, 0.0]), "keepdim": rng.random() < 0.5}))(
       [rng.choice([1, 2, 3]) for _ in range(rng.randint(1, 3))]))
op("normalize", "reduction", lambda xs, a: F.normalize(xs[0], p=a["p"], dim=a["dim"]),
   lambda: (lambda shape: ([Input(shape, pick(FLOATS))], {"p": rng.choice([1.0, 2.0]), "dim": rng.randint(-len(shape), len(shape) - 1)}))(
       [rng.choice([1, 2, 3]) for _ in range(rng.randint(1, 3))]))
op("one_hot", "indexing", lambda xs, a: F.one_hot(xs[0], a["k"]),
   lambda: ([Input(rand_shape(), rng.choice(["int64", "int64", "int64", "int32"]), lo=0, hi=4)], {"k": rng.choice([-1, 4, 6, 2])}),
   grad=False)


# interpolate (#16): nearest, nearest-exact, linear, bilinear, trilinear; size or scale_factor.
def interp_sample():
    mode = rng.choice(["nearest", "nearest-exact", "linear", "bilinear", "trilinear", "bilinear", "nearest"])
    rank = {"linear": 3, "bilinear": 4, "trilinear": 5}.get(mode) or rng.choice([3, 4, 5])
    if rng.random() < 0.05:
        rank = rng.choice([2, 3, 4, 5, 6])
    shape = [rng.choice([1, 2]), rng.choice([1, 2])] + [rng.choice([1, 2, 3, 5]) for _ in range(max(rank - 2, 0))]
    shape = shape[:rank]
    args = {"mode": mode}
    k = max(rank - 2, 1)
    if rng.random() < 0.5:
        args["size"] = [rng.choice([1, 2, 3, 4, 6, 7]) for _ in range(k)]
    else:
        args["scale"] = [rng.choice([0.5, 1.0, 1.5, 2.0, 3.0, 0.7]) for _ in range(k)]
    if mode in ("linear", "bilinear", "trilinear") and rng.random() < 0.5:
        args["align"] = rng.random() < 0.5
    dt = pick(FLOATS) if mode not in ("nearest", "nearest-exact") or rng.random() < 0.7 else pick(ALL)
    return [Input(shape, dt)], args


def interp(xs, a):
    kw = {"mode": a["mode"]}
    if "size" in a:
        kw["size"] = a["size"]
    else:
        kw["scale_factor"] = a["scale"]
    if "align" in a:
        kw["align_corners"] = a["align"]
    return F.interpolate(xs[0], **kw)


# Half types: PyTorch's reduced-precision linear kernels round weights and sums a little
# differently (one or two half ulps on a few elements); float32/float64 are held to the defaults.
op("interpolate", "shape", interp, interp_sample, tol={"float16": (1e-2, 1e-3), "bfloat16": (3e-2, 1e-2)})


# instance_norm (#16): the input's own statistics, optional per-channel weight and bias.
def inorm_sample():
    shape = [rng.choice([1, 2]), rng.choice([1, 3])] + [rng.choice([1, 2, 3]) for _ in range(rng.randint(0, 3))]
    dt = pick(FLOATS)
    ins = [Input(shape, dt)]
    affine = rng.random() < 0.5 and len(shape) > 1
    if affine:
        ins += [Input([shape[1]], dt), Input([shape[1]], dt)]
    return ins, {"eps": rng.choice([1e-5, 0.1])}


op("instance_norm", "norm",
   lambda xs, a: F.instance_norm(xs[0], weight=xs[1] if len(xs) > 1 else None, bias=xs[2] if len(xs) > 2 else None,
                                 eps=a["eps"]), inorm_sample,
   tol={"float16": (1e-2, 1e-2), "bfloat16": (5e-2, 5e-2), "float32": (1e-4, 1e-5)})


# Incomplete gamma (#15; Gamma.cdf): differentiable in x only, as PyTorch's.
def igamma_sample():
    a, b = broadcast_pair()
    # Inside the domain only: PyTorch flushes subnormal a and x to zero and gives NaN at inf/inf,
    # edges we do not follow (docs/pytorch-differences.md).
    return [Input(a, pick(FLOATS), lo=0.05, hi=6.0, grad=False, edge=0.0),
            Input(b, pick(FLOATS), lo=0.0, hi=8.0, edge=0.0)], {}


op("special_gammainc", "unary", lambda xs, a: torch.special.gammainc(xs[0], xs[1]), igamma_sample,
   tol={"float32": (1e-4, 1e-6), "float16": (1e-2, 1e-3), "bfloat16": (3e-2, 1e-2)})
op("special_gammaincc", "unary", lambda xs, a: torch.special.gammaincc(xs[0], xs[1]), igamma_sample,
   tol={"float32": (1e-4, 1e-6), "float16": (1e-2, 1e-3), "bfloat16": (3e-2, 1e-2)})



# ----------------------------------------------------------------------------- complex and torch.fft (#15)
# A complex input is stored as its real [..., 2] parts and made complex inside the op with
# view_as_complex (a view, so gradients flow to the parts); a complex output is returned as
# view_as_real. The fixture stays real (safetensors has no complex128) while the whole complex
# path, gradients included, is exercised. Values carry no edge values: where inf and NaN land in
# a transform depends on each library's order of butterflies.
CX = ["float32", "float64"]
FFT_SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 31, 37, 64]
FFT_TOL = {"float32": (2e-4, 2e-4), "float64": (1e-9, 1e-9)}


def cplx(x):
    return torch.view_as_complex(x)


def rview(o):
    return torch.view_as_real(o.resolve_conj()) if o.is_complex() else o


def fft_shape(lo=1, hi=3):
    """Signal shapes of a few hundred elements at most (one long dimension, short others)."""
    shape = [rng.choice(FFT_SIZES) for _ in range(rng.randint(lo, hi))]
    while len(shape) > 1 and math.prod(shape) > 256:
        shape[rng.randrange(len(shape))] = rng.choice(FFT_SIZES[:6])
    return shape


def cx_input(shape, dts=CX):
    kinds = ["contig", "contig", "offset"] + (["step", "expand"] if shape and shape[0] != 1 else [])
    return Input(list(shape) + [2], pick(dts), view=rng.choice(kinds) if shape else "contig", edge=0)


def norm_arg():
    return rng.choice([None, "backward", "ortho", "forward"])


def fft1_sample(complex_in, dts=None):
    def s():
        shape = fft_shape()
        x = cx_input(shape) if complex_in else Input(shape, pick(dts or CX), edge=0)
        r = len(shape)
        n = rng.choice([None, None, rng.choice(FFT_SIZES)])
        return [x], {"n": n, "dim": rng.randint(-r, r - 1), "norm": norm_arg()}
    return s


def fftn_sample(complex_in, fixed_two=False):
    def s():
        shape = fft_shape(2 if fixed_two else 1, 3)
        x = cx_input(shape) if complex_in else Input(shape, pick(CX), edge=0)
        r = len(shape)
        if fixed_two:
            dims = None
        else:
            dims = rng.choice([None, sorted(rng.sample(range(r), rng.randint(1, r)))])
        k = 2 if fixed_two else (len(dims) if dims is not None else r)
        s_arg = rng.choice([None, [rng.choice(FFT_SIZES) for _ in range(k)]])
        if dims is None and s_arg is not None and not fixed_two:
            s_arg = s_arg[:r]
        return [x], {"s": s_arg, "dims": dims, "norm": norm_arg()}
    return s


F1 = {"fft_fft": (torch.fft.fft, True), "fft_ifft": (torch.fft.ifft, True), "fft_rfft": (torch.fft.rfft, False),
      "fft_irfft": (torch.fft.irfft, True), "fft_hfft": (torch.fft.hfft, True), "fft_ihfft": (torch.fft.ihfft, False)}
for name, (f, cin) in F1.items():
    op(name, "fft", (lambda f, cin: lambda xs, a: rview(f(cplx(xs[0]) if cin else xs[0], n=a["n"], dim=a["dim"],
                                                                 norm=a["norm"])))(f, cin),
       fft1_sample(cin), tol=FFT_TOL)
# Real input to the complex transforms: promotion (integers to float32, float16 refused on the CPU).
op("fft_fft_real", "fft", lambda xs, a: rview(torch.fft.fft(xs[0], n=a["n"], dim=a["dim"], norm=a["norm"])),
   fft1_sample(False, dts=["float32", "float64", "int64", "int32", "bool", "float16"]), tol=FFT_TOL)
FN = {"fft_fft2": (torch.fft.fft2, True, True), "fft_ifft2": (torch.fft.ifft2, True, True),
      "fft_rfft2": (torch.fft.rfft2, False, True), "fft_irfft2": (torch.fft.irfft2, True, True),
      "fft_fftn": (torch.fft.fftn, True, False), "fft_ifftn": (torch.fft.ifftn, True, False),
      "fft_rfftn": (torch.fft.rfftn, False, False), "fft_irfftn": (torch.fft.irfftn, True, False)}
for name, (f, cin, two) in FN.items():
    def call(f, cin, two):
        def g(xs, a):
            x = cplx(xs[0]) if cin else xs[0]
            if two:
                return rview(f(x, s=a["s"], norm=a["norm"]))
            return rview(f(x, s=a["s"], dim=a["dims"], norm=a["norm"]))
        return g
    op(name, "fft", call(f, cin, two), fftn_sample(cin, two), tol=FFT_TOL)


def shift_sample():
    shape = rand_shape()
    r = len(shape)
    dims = rng.choice([None, sorted(rng.sample(range(r), rng.randint(1, r)))]) if r else None
    return [Input(shape, pick(ALL))], {"dims": dims}


op("fft_fftshift", "fft", lambda xs, a: torch.fft.fftshift(xs[0], dim=a["dims"]), shift_sample)
op("fft_ifftshift", "fft", lambda xs, a: torch.fft.ifftshift(xs[0], dim=a["dims"]), shift_sample)
op("fft_fftfreq", "fft", lambda xs, a: torch.fft.fftfreq(a["n"], a["d"], dtype=torch.float64),
   lambda: ([], {"n": rng.randint(1, 12), "d": rng.choice([1.0, 0.5, 0.1])}), grad=False)
op("fft_rfftfreq", "fft", lambda xs, a: torch.fft.rfftfreq(a["n"], a["d"], dtype=torch.float64),
   lambda: ([], {"n": rng.randint(1, 12), "d": rng.choice([1.0, 0.5, 0.1])}), grad=False)


def cx_pair():
    a, b = broadcast_pair()
    dt = pick(CX)
    return [Input(list(a) + [2], dt, view="contig", edge=0), Input(list(b) + [2], dt, view="contig", edge=0)]


CX_BINARY = {"cx_add": torch.add, "cx_sub": torch.sub, "cx_mul": torch.mul, "cx_div": torch.div,
             "cx_eq": torch.eq, "cx_mul_conj": lambda x, y: x * y.conj()}
for name, f in CX_BINARY.items():
    op(name, "complex", (lambda f: lambda xs, a: rview(f(cplx(xs[0]), cplx(xs[1]))))(f), lambda: (cx_pair(), {}),
       grad=name != "cx_eq")
CX_UNARY = {"cx_exp": torch.exp, "cx_log": torch.log, "cx_sqrt": torch.sqrt, "cx_abs": torch.abs,
            "cx_angle": torch.angle, "cx_sin": torch.sin, "cx_cos": torch.cos, "cx_tanh": torch.tanh,
            "cx_reciprocal": torch.reciprocal, "cx_sgn": torch.sgn, "cx_conj": torch.conj, "cx_neg": torch.neg,
            "cx_square": torch.square, "cx_real": torch.real, "cx_imag": torch.imag,
            "cx_sum": lambda z: z.sum(), "cx_mean": lambda z: z.mean(), "cx_prod": lambda z: z.prod()}
for name, f in CX_UNARY.items():
    op(name, "complex", (lambda f: lambda xs, a: rview(f(cplx(xs[0]))))(f),
       lambda: ([cx_input(rand_shape(hi=4))], {}), tol={"float32": (1e-5, 1e-5)})
op("cx_sum_dim", "complex", lambda xs, a: rview(cplx(xs[0]).sum(a["dim"], keepdim=a["keepdim"])),
   lambda: (lambda sh: ([cx_input(sh)], {"dim": rng.randint(-len(sh), len(sh) - 1), "keepdim": rng.random() < 0.5}))(
       rand_shape(rank=rng.randint(1, 3))))
op("cx_matmul", "complex", lambda xs, a: rview(cplx(xs[0]) @ cplx(xs[1])),
   lambda: (lambda dt, m, k, n: ([Input([m, k, 2], dt, view="contig", edge=0), Input([k, n, 2], dt, view="contig",
                                                                                       edge=0)], {}))(
       pick(CX), rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)), tol={"float32": (1e-5, 1e-5)})
op("complex", "complex", lambda xs, a: rview(torch.complex(xs[0], xs[1])),
   lambda: (lambda dt: ([Input(s, dt, edge=0) for s in broadcast_pair()], {}))(pick(CX)))
op("polar", "complex", lambda xs, a: rview(torch.polar(xs[0], xs[1])),
   lambda: (lambda dt, sh: ([Input(sh, dt, lo=0.1, hi=3.0, edge=0), Input(sh, dt, edge=0)], {}))(pick(CX), rand_shape()))
op("cx_pow_scalar", "complex", lambda xs, a: rview(cplx(xs[0]) ** a["p"]),
   lambda: ([cx_input(rand_shape(hi=4))], {"p": rng.choice([2, 3, 0.5, -1.5])}), tol={"float32": (1e-4, 1e-5)})



def eig_sorted(a):
    """Eigenvalues in an order of their own (LAPACK's order is each build's choice)."""
    l = torch.linalg.eigvals(a)
    key = torch.view_as_real(l)
    return torch.gather(l, -1, torch.argsort(key[..., 0] * 1000 + key[..., 1], dim=-1))


def eig_sample(with_b):
    def s():
        n = rng.randint(1, 5)
        batch = rng.choice([[], [], [2], [1, 3]])
        dt = pick(CX + (["int64"] if rng.random() < 0.05 else []))
        shape = batch + [n, n] if rng.random() > 0.05 else batch + [n, n + 1]
        xs = [Input(shape, dt, view=rng.choice(["contig", "T"]) if len(shape) >= 2 else "contig", edge=0)]
        if with_b:
            xs.append(Input([n, n], dt, view="contig", edge=0))
        return xs, {}
    return s


op("linalg_eigvals", "linalg", lambda xs, a: rview(eig_sorted(xs[0])), eig_sample(False),
   tol={"float32": (1e-4, 1e-4), "float64": (1e-7, 1e-7)})
op("linalg_eig_vhbv", "linalg",
   lambda xs, a: (lambda v: (v.mH @ xs[1].to(v.dtype) @ v).diagonal(dim1=-2, dim2=-1).abs().sum(-1))(
       torch.linalg.eig(xs[0])[1]),
   eig_sample(True), tol={"float32": (1e-4, 1e-4), "float64": (1e-7, 1e-7)})


# The Hermitian N-D transforms (appended after the others, so earlier cases keep their inputs).
HFN = {"fft_hfft2": (torch.fft.hfft2, True, True), "fft_ihfft2": (torch.fft.ihfft2, False, True),
       "fft_hfftn": (torch.fft.hfftn, True, False), "fft_ihfftn": (torch.fft.ihfftn, False, False)}
for name, (f, cin, two) in HFN.items():
    op(name, "fft", call(f, cin, two), fftn_sample(cin, two), tol=FFT_TOL)


# Sliding blocks (F.unfold / F.fold, #16).
def fold_geometry():
    return {"k": [rng.randint(0 if rng.random() < 0.03 else 1, 3), rng.randint(1, 3)],
            "d": [rng.randint(1, 2), rng.randint(1, 2)], "p": [rng.randint(0, 1), rng.randint(0, 2)],
            "s": [rng.randint(1, 2), rng.randint(1, 3)]}


def unfold_sample():
    a = fold_geometry()
    shape = [rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 7), rng.randint(1, 7)]
    if rng.random() < 0.2:
        shape = shape[1:]
    return [Input(shape, pick(FLOATS + ["int64"]), edge=0.05)], a


def fold_sample():
    a = fold_geometry()
    size = [rng.randint(2, 7), rng.randint(2, 7)]
    k, d, p, s = a["k"], a["d"], a["p"], a["s"]
    blocks = [(size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
    c = rng.randint(1, 3)
    length = max(blocks[0], 0) * max(blocks[1], 0) + (1 if rng.random() < 0.05 else 0)
    shape = [rng.randint(1, 2), c * k[0] * k[1], length]
    if rng.random() < 0.2:
        shape = shape[1:]
    a["size"] = size
    return [Input(shape, pick(FLOATS), edge=0.05)], a


op("nn_unfold", "nn", lambda xs, a: F.unfold(xs[0], a["k"], dilation=a["d"], padding=a["p"], stride=a["s"]), unfold_sample)
op("nn_fold", "nn", lambda xs, a: F.fold(xs[0], a["size"], a["k"], dilation=a["d"], padding=a["p"], stride=a["s"]),
   fold_sample)


def embedding_bag_sample():
    e, d = rng.randint(1, 6), rng.randint(1, 4)
    dt = pick(["float32", "float64"])
    w = Input([e, d], dt, view="contig", edge=0)
    mode = rng.choice(["sum", "mean", "max"])
    pad = rng.choice([None, None, rng.randrange(e)])
    hi = e if rng.random() < 0.03 else e - 1  # now and then an index out of range
    if rng.random() < 0.3:
        x = Input([rng.randint(1, 3), rng.randint(1, 4)], "int64", view="contig", edge=0, lo=0, hi=hi, grad=False)
        args = {"mode": mode, "pad": pad, "offsets": None, "last": False}
    else:
        n = rng.randint(0, 8)
        x = Input([n], "int64", view="contig", edge=0, lo=0, hi=hi, grad=False)
        offsets = sorted([0] + [rng.randint(0, n) for _ in range(rng.randint(0, 3))])
        last = rng.random() < 0.3
        if last:
            offsets.append(n)
        args = {"mode": mode, "pad": pad, "offsets": offsets, "last": last}
    ins = [x, w]
    if mode == "sum" and rng.random() < 0.4:
        ins.append(Input(x.shape, dt, view="contig", edge=0))
    return ins, args


op("embedding_bag", "nn",
   lambda xs, a: F.embedding_bag(xs[0], xs[1], torch.tensor(a["offsets"]) if a["offsets"] is not None else None,
                                 mode=a["mode"], per_sample_weights=xs[2] if len(xs) > 2 else None,
                                 include_last_offset=a["last"], padding_idx=a["pad"]),
   embedding_bag_sample)


# Channel layers, LP pooling and sequence padding (#16).
def channel_shuffle_sample():
    shape = [rng.randint(1, 2), rng.choice([1, 2, 4, 6, 5]), rng.randint(1, 3)] + [rng.randint(1, 3)] * rng.randint(0, 1)
    if rng.random() < 0.05:
        shape = shape[:2]
    return [Input(shape, pick(ALL))], {"g": rng.choice([1, 2, 3, 0 if rng.random() < 0.05 else 2])}


def lrn_sample():
    shape = [rng.randint(1, 2), rng.randint(1, 6)] + [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.05:
        shape = shape[:2]
    # Contiguous: PyTorch's own view inside refuses some strided 4-D+ inputs (ours accepts them).
    return [Input(shape, pick(["float32", "float64"]), view="contig", edge=0.05)], {
        "size": rng.randint(1, 5), "alpha": rng.choice([1e-4, 0.01, 1.0]), "beta": rng.choice([0.75, 0.5, 1.0]),
        "k": rng.choice([1.0, 2.0])}


def lp_sample(rank):
    def s():
        shape = [rng.randint(1, 2), rng.randint(1, 3)] + [rng.randint(2, 7) for _ in range(rank)]
        k = rng.randint(1, 3)
        return [Input(shape, pick(["float32", "float64"]), lo=0.1, hi=2.0, edge=0)], {
            "p": rng.choice([1.0, 2.0, 3.0]), "k": k, "s": rng.choice([None, 1, 2]), "ceil": rng.random() < 0.3}
    return s


def pad_sequence_sample():
    dt = pick(["float32", "float64", "int64"])
    tail = [rng.randint(1, 3)] * rng.randint(0, 1)
    return [Input([rng.randint(1, 5)] + tail, dt, view="contig") for _ in range(rng.randint(1, 4))], {
        "first": rng.random() < 0.5, "value": rng.choice([0.0, -1.0, 2.5]), "side": rng.choice(["right", "left"])}


op("channel_shuffle", "nn", lambda xs, a: F.channel_shuffle(xs[0], a["g"]), channel_shuffle_sample, grad=False)
op("local_response_norm", "nn",
   lambda xs, a: F.local_response_norm(xs[0], a["size"], alpha=a["alpha"], beta=a["beta"], k=a["k"]), lrn_sample)
op("lp_pool1d", "nn", lambda xs, a: F.lp_pool1d(xs[0], a["p"], a["k"], stride=a["s"], ceil_mode=a["ceil"]),
   lp_sample(1))
op("lp_pool2d", "nn", lambda xs, a: F.lp_pool2d(xs[0], a["p"], a["k"], stride=a["s"], ceil_mode=a["ceil"]),
   lp_sample(2))
op("pad_sequence", "nn", lambda xs, a: torch.nn.utils.rnn.pad_sequence(
    xs, batch_first=a["first"], padding_value=a["value"], padding_side=a["side"]), pad_sequence_sample)


# More complex reductions: running sums, variance/std (a real result) and vector norms.
def cx_reduce_sample():
    shape = rand_shape(hi=4)
    r = len(shape)
    dims = rng.choice([None, sorted(rng.sample(range(r), rng.randint(1, r)))]) if r else None
    reduced = math.prod(shape[d] for d in (dims if dims is not None else range(r)))
    # No variance with no degrees of freedom: PyTorch's complex var gradient there (NaN for the
    # real part, 0 for the imaginary) is an artefact of its formula; ours is NaN for both.
    correction = rng.choice([0, 1]) if reduced > 1 else 0
    return [cx_input(shape)], {"dim": rng.randint(-r, r - 1) if r else 0, "dims": dims, "correction": correction,
                               "keepdim": rng.random() < 0.5,
                               "ord": rng.choice([2.0, 1.0, 3.0, math.inf, -math.inf, 0.0])}


op("cx_cumsum", "complex", lambda xs, a: rview(cplx(xs[0]).cumsum(a["dim"])), cx_reduce_sample)
op("cx_var", "complex", lambda xs, a: torch.var(cplx(xs[0]), dim=a["dims"], correction=a["correction"],
                                                keepdim=a["keepdim"]), cx_reduce_sample, tol={"float32": (1e-5, 1e-5)})
op("cx_std", "complex", lambda xs, a: torch.std(cplx(xs[0]), dim=a["dims"], correction=a["correction"],
                                                keepdim=a["keepdim"]), cx_reduce_sample, tol={"float32": (1e-5, 1e-5)})
op("cx_vector_norm", "complex", lambda xs, a: torch.linalg.vector_norm(cplx(xs[0]), ord=a["ord"], dim=a["dims"],
                                                                       keepdim=a["keepdim"]), cx_reduce_sample,
   tol={"float32": (1e-5, 1e-5)})

op("cx_cumprod", "complex", lambda xs, a: rview(cplx(xs[0]).cumprod(a["dim"])), cx_reduce_sample,
   tol={"float32": (1e-5, 1e-5)})

# Pooling with indices, unpooling, divisor_override and 3-D pooling (#16).
def pool_idx_sample(rank):
    def s():
        k = rng.choice([1, 2, 3])
        shape = [rng.randint(1, 2), rng.randint(1, 2)] + [rng.randint(k, 6) for _ in range(rank)]
        if rng.random() < 0.15:
            shape = shape[1:]
        dt = pick(["float32", "float64"])
        ins = [Input(shape, dt, edge=0.1)]
        if rng.random() < 0.5 and not ins[0].base.isnan().any():
            ins[0].base = ins[0].base.round().clamp(-1, 1)  # ties
        return ins, {"k": k, "s": rng.choice([None, 1, 2]), "p": rng.randint(0, k // 2),
                     "d": rng.choice([1, 2]) if min(shape[-rank:]) >= 2 * k else 1, "ceil": rng.random() < 0.3}
    return s


def _pool_idx(xs, a, f):
    return tuple(f(xs[0], a["k"], a["s"], a["p"], dilation=a["d"], ceil_mode=a["ceil"], return_indices=True))


op("max_pool1d_with_indices", "pool", lambda xs, a: _pool_idx(xs, a, F.max_pool1d), pool_idx_sample(1))
op("max_pool2d_with_indices", "pool", lambda xs, a: _pool_idx(xs, a, F.max_pool2d), pool_idx_sample(2))


def unpool_sample(rank):
    def s():
        k = rng.choice([1, 2, 3])
        st = rng.choice([None, 1, 2, 3])
        p = rng.randint(0, k // 2)
        spatial = [rng.randint(k, 6) for _ in range(rank)]
        n, c = rng.randint(1, 2), rng.randint(1, 2)
        x = torch.randn([n, c] + spatial, dtype=torch.float64)
        pool = F.max_pool1d if rank == 1 else F.max_pool2d
        y, idx = pool(x, k, st, p, return_indices=True)
        dt = pick(["float32", "float64"])
        if rng.random() < 0.15:
            y, idx = y[0], idx[0]
        if rng.random() < 0.05:
            idx = idx + 1000  # an index out of range
        ins = [Input(list(y.shape), dt, exact=y.to(getattr(torch, dt))),
               Input(list(idx.shape), "int64", exact=idx, grad=False)]
        out = None
        if rng.random() < 0.4:
            out = [sz * (st or k) - 2 * p + k - 1 + rng.randint(-1, 1) for sz in y.shape[-rank:]]
        return ins, {"k": k, "s": st, "p": p, "out": out}
    return s


op("max_unpool1d", "pool", lambda xs, a: F.max_unpool1d(xs[0], xs[1], a["k"], a["s"], a["p"], output_size=a["out"]),
   unpool_sample(1))
op("max_unpool2d", "pool", lambda xs, a: F.max_unpool2d(xs[0], xs[1], a["k"], a["s"], a["p"], output_size=a["out"]),
   unpool_sample(2))


def pool3d_sample(avg):
    def s():
        k = rng.choice([1, 2])
        shape = [rng.randint(1, 2), rng.randint(1, 2)] + [rng.randint(k, 4) for _ in range(3)]
        if rng.random() < 0.15:
            shape = shape[1:]
        a = {"k": k, "s": rng.choice([None, 1, 2]), "p": rng.randint(0, k // 2), "ceil": rng.random() < 0.3}
        if avg:
            a["cip"] = rng.random() < 0.5
            a["div"] = rng.choice([None, None, 3, 0 if rng.random() < 0.1 else 5])
        return [Input(shape, pick(["float32", "float64"]), edge=0.05)], a
    return s


def avg2d_divisor_sample():
    ins, a = pool3d_sample(True)()
    return [Input(ins[0].shape[:-1], pick(["float32", "float64"]), edge=0.05)], a


op("avg_pool2d_divisor", "pool",
   lambda xs, a: F.avg_pool2d(xs[0], a["k"], a["s"], a["p"], ceil_mode=a["ceil"], count_include_pad=a["cip"],
                              divisor_override=a["div"]),
   lambda: avg2d_divisor_sample())
op("max_pool3d", "pool", lambda xs, a: F.max_pool3d(xs[0], a["k"], a["s"], a["p"], ceil_mode=a["ceil"]),
   pool3d_sample(False))
op("avg_pool3d", "pool",
   lambda xs, a: F.avg_pool3d(xs[0], a["k"], a["s"], a["p"], ceil_mode=a["ceil"], count_include_pad=a["cip"],
                              divisor_override=a["div"]), pool3d_sample(True))


# Bicubic and area interpolation (#16).
def interp2_sample():
    mode = rng.choice(["bicubic", "bicubic", "area"])
    rank = 4 if mode == "bicubic" else rng.choice([3, 4, 5])
    if rng.random() < 0.05:
        rank = rng.choice([3, 5])
    shape = [rng.choice([1, 2]), rng.choice([1, 2])] + [rng.choice([1, 2, 3, 5, 6]) for _ in range(rank - 2)]
    args = {"mode": mode}
    k = rank - 2
    if rng.random() < 0.5:
        args["size"] = [rng.choice([1, 2, 3, 4, 6, 7, 9]) for _ in range(k)]
    else:
        args["scale"] = [rng.choice([0.5, 1.0, 1.5, 2.0, 3.0, 0.7]) for _ in range(k)]
    if mode == "bicubic" and rng.random() < 0.5:
        args["align"] = rng.random() < 0.5
    return [Input(shape, pick(["float32", "float64"]))], args


op("interpolate_cubic_area", "shape", interp, interp2_sample)


# The remaining losses (#16).
def loss_pair_sample(kind):
    def s():
        n, c = rng.randint(1, 4), rng.randint(1, 5)
        dt = pick(["float32", "float64"])
        red = rng.choice(["mean", "sum", "none"])
        if kind == "soft_margin":
            shape = rand_shape(hi=3)
            y = torch.tensor([rng.choice([-1.0, 1.0]) for _ in range(math.prod(shape))]).reshape(shape)
            return [Input(shape, dt, edge=0.05), Input(shape, dt, exact=y.to(getattr(torch, dt)), grad=False)], {"red": red}
        if kind == "multilabel":
            y = torch.tensor([[float(rng.random() < 0.5) for _ in range(c)] for _ in range(n)])
            ins = [Input([n, c], dt, edge=0.05), Input([n, c], dt, exact=y.to(getattr(torch, dt)), grad=False)]
            if rng.random() < 0.4:
                ins.append(Input([c], dt, edge=0, lo=0.1, hi=2.0))
            return ins, {"red": red}
        if kind == "multi_margin":
            y = torch.tensor([rng.randrange(c) for _ in range(n)])
            if rng.random() < 0.05:
                y[0] = c  # out of range
            a = {"red": red, "p": rng.choice([1, 2, 2, 3 if rng.random() < 0.1 else 1]),
                 "margin": rng.choice([1.0, 0.5, 2.0])}
            ins = [Input([n, c], dt, edge=0.05), Input([n], "int64", exact=y, grad=False)]
            if rng.random() < 0.3:
                ins.append(Input([c], dt, edge=0, lo=0.1, hi=2.0))
            if rng.random() < 0.15:
                ins[0] = Input([c], dt, edge=0.05)
                ins[1] = Input([], "int64", exact=torch.tensor(rng.randrange(c)), grad=False)
            return ins, a
        if kind == "poisson":
            shape = rand_shape(hi=3)
            log_input = rng.random() < 0.5
            x = Input(shape, dt, edge=0.05) if log_input else Input(shape, dt, lo=0.01, hi=3.0, edge=0)
            t = Input(shape, dt, lo=0.0, hi=5.0, edge=0, grad=False)
            return [x, t], {"red": red, "log": log_input, "full": rng.random() < 0.5}
        if kind == "triplet":
            d = rng.randint(1, 4)
            shape = [n, d] if rng.random() < 0.85 else [d]
            return [Input(shape, dt, edge=0.02) for _ in range(3)], {
                "red": red, "margin": rng.choice([1.0, 0.5, -1.0 if rng.random() < 0.1 else 2.0]),
                "p": rng.choice([2.0, 1.0, 3.0]), "swap": rng.random() < 0.5}
    return s


op("soft_margin_loss", "loss", lambda xs, a: F.soft_margin_loss(xs[0], xs[1], reduction=a["red"]),
   loss_pair_sample("soft_margin"))
op("multilabel_soft_margin_loss", "loss",
   lambda xs, a: F.multilabel_soft_margin_loss(xs[0], xs[1], weight=xs[2] if len(xs) > 2 else None,
                                               reduction=a["red"]), loss_pair_sample("multilabel"))
op("multi_margin_loss", "loss",
   lambda xs, a: F.multi_margin_loss(xs[0], xs[1], p=a["p"], margin=a["margin"],
                                     weight=xs[2] if len(xs) > 2 else None, reduction=a["red"]),
   loss_pair_sample("multi_margin"))
op("poisson_nll_loss", "loss",
   lambda xs, a: F.poisson_nll_loss(xs[0], xs[1], log_input=a["log"], full=a["full"], reduction=a["red"]),
   loss_pair_sample("poisson"))
op("triplet_margin_loss", "loss",
   lambda xs, a: F.triplet_margin_loss(xs[0], xs[1], xs[2], margin=a["margin"], p=a["p"], swap=a["swap"],
                                       reduction=a["red"]), loss_pair_sample("triplet"))


def ctc_sample():
    t_max, n, c = rng.randint(1, 8), rng.randint(1, 3), rng.randint(2, 5)
    dt = pick(["float32", "float64"])
    lengths = [rng.randint(0, min(4, t_max)) for _ in range(n)]
    s = max(lengths + [1])
    tg = torch.tensor([[rng.randint(1, c - 1) if rng.random() < 0.8 else 1 for _ in range(s)] for _ in range(n)])
    zero = rng.random() < 0.3
    # Frames each target needs (a blank between repeated labels); without zero_infinity the input is
    # long enough (PyTorch's gradient of an impossible alignment is NaN, ours zero).
    need = [lengths[b] + sum(1 for i in range(1, lengths[b]) if tg[b, i] == tg[b, i - 1]) for b in range(n)]
    t_max = max([t_max] + need)
    in_lens = [rng.randint(max(1, t_max // 2), t_max) for _ in range(n)]
    if not zero:
        in_lens = [max(l, need[b], 1) for b, l in enumerate(in_lens)]
    concat = rng.random() < 0.3
    if concat:
        tg = torch.cat([tg[b, :lengths[b]] for b in range(n)]) if sum(lengths) else torch.zeros(0, dtype=torch.int64)
    return [Input([t_max, n, c], dt, edge=0), Input(list(tg.shape), "int64", exact=tg, grad=False)], {
        "in": in_lens, "tl": lengths, "red": rng.choice(["mean", "sum", "none"]), "zero": zero}


# CTC on logits through log_softmax: PyTorch's ctc backward is the gradient through a
# log_softmax (its formula assumes normalised log-probabilities), ours the plain derivative; the
# two agree on the logits.
op("ctc_loss", "loss",
   lambda xs, a: F.ctc_loss(xs[0].log_softmax(2), xs[1], a["in"], a["tl"], reduction=a["red"],
                            zero_infinity=a["zero"]), ctc_sample)


def hinge_sample():
    shape = rand_shape(hi=3)
    dt = pick(["float32", "float64"])
    y = torch.tensor([rng.choice([-1.0, 1.0]) for _ in range(math.prod(shape))]).reshape(shape)
    return [Input(shape, dt, edge=0.05), Input(shape, dt, exact=y.to(getattr(torch, dt)), grad=False)], {
        "red": rng.choice(["mean", "sum", "none"]), "margin": rng.choice([1.0, 0.5, 2.0])}


def gauss_sample():
    n, d = rng.randint(1, 4), rng.randint(1, 3)
    dt = pick(["float32", "float64"])
    vshape = rng.choice([[n, d], [n], [n, 1], [n + 1] if rng.random() < 0.1 else [n, d]])
    lo = -0.5 if rng.random() < 0.05 else 1e-7
    return [Input([n, d], dt, edge=0.02), Input([n, d], dt, edge=0.02, grad=False),
            Input(vshape, dt, lo=lo, hi=2.0, edge=0)], {
        "red": rng.choice(["mean", "sum", "none"]), "full": rng.random() < 0.5, "eps": rng.choice([1e-6, 0.1])}


op("hinge_embedding_loss", "loss",
   lambda xs, a: F.hinge_embedding_loss(xs[0], xs[1], margin=a["margin"], reduction=a["red"]), hinge_sample)
op("gaussian_nll_loss", "loss",
   lambda xs, a: F.gaussian_nll_loss(xs[0], xs[1], xs[2], full=a["full"], eps=a["eps"], reduction=a["red"]),
   gauss_sample)


# Fractional max pooling with given window placements (#16).
def fractional_sample():
    k = [rng.randint(1, 3), rng.randint(1, 3)]
    shape = [rng.randint(1, 2), rng.randint(1, 3), rng.randint(k[0] + 1, 9), rng.randint(k[1] + 1, 9)]
    unbatched = rng.random() < 0.15
    a = {"k": k}
    if rng.random() < 0.6:
        a["out"] = [rng.randint(1, shape[2] - k[0] + (2 if rng.random() < 0.05 else 1)),
                    rng.randint(1, shape[3] - k[1] + 1)]
    else:
        a["ratio"] = [rng.choice([0.5, 0.6, 0.75]), rng.choice([0.5, 0.7])]
    dt = pick(["float32", "float64"])
    # float32 cases without gradients: a gradient case turns the input into float64, and PyTorch
    # refuses samples of another dtype than the input's.
    x = Input(shape[1:] if unbatched else shape, dt, edge=0.05, grad=dt == "float64")
    if rng.random() < 0.4 and not x.base.isnan().any():
        x.base = x.base.round().clamp(-1, 1)  # ties
    samples = torch.rand(1 if unbatched else shape[0], shape[1], 2).to(getattr(torch, dt))
    return [x, Input(list(samples.shape), dt, exact=samples, grad=False)], a


def _fractional(xs, a):
    return tuple(F.fractional_max_pool2d(xs[0], a["k"], output_size=a.get("out"), output_ratio=a.get("ratio"),
                                         return_indices=True, _random_samples=xs[1]))


op("fractional_max_pool2d", "pool", _fractional, fractional_sample)


# Antialiased bilinear/bicubic interpolation (#16): mostly downsampling, where it matters.
def interp_aa_sample():
    mode = rng.choice(["bilinear", "bicubic"])
    shape = [rng.choice([1, 2]), rng.choice([1, 2]), rng.randint(1, 12), rng.randint(2, 12)]
    args = {"mode": mode, "aa": True}
    # An output width of 1 is kept out: PyTorch's separable antialiased kernel then repeats the
    # first output row down the height (docs/pytorch-differences.md).
    if rng.random() < 0.5:
        args["size"] = [rng.randint(1, 8), rng.randint(2, 8)]
    else:
        args["scale"] = [rng.choice([0.3, 0.5, 0.75, 1.0, 1.5, 2.0]) for _ in range(2)]
        if int(shape[3] * args["scale"][1]) < 2:
            args["scale"][1] = 2.0
    if rng.random() < 0.4:
        args["align"] = rng.random() < 0.5
    # Finite inputs: where an infinity meets a zero weight at a window's edge PyTorch and SwiftTorch
    # differ (docs/pytorch-differences.md).
    return [Input(shape, pick(["float32", "float64"]), edge=0)], args


def interp_aa(xs, a):
    kw = {"mode": a["mode"], "antialias": True}
    if "size" in a:
        kw["size"] = a["size"]
    else:
        kw["scale_factor"] = a["scale"]
    if "align" in a:
        kw["align_corners"] = a["align"]
    return F.interpolate(xs[0], **kw)


op("interpolate_antialias", "shape", interp_aa, interp_aa_sample)


def depthwise_sample():
    """Depthwise convolutions (groups == channels): float32 mostly, where the direct kernel runs
    without autograd; widths on both sides of its blocks of 8 and 32 columns."""
    dt = "float32" if rng.random() < 0.6 else pick(["float64", "float16", "bfloat16"])
    n, c, m = rng.randint(1, 2), rng.randint(1, 3), rng.choice([1, 1, 2])
    ks = [rng.choice([1, 3, 3, 5]), rng.choice([1, 3, 3, 5])]
    spatial = [rng.randint(3, 12), rng.choice([5, 9, 20, 37, 45])]
    ins = [Input([n, c] + spatial, dt, edge=0.02), Input([c * m, 1] + ks, dt, edge=0.02)]
    if rng.random() < 0.5:
        ins.append(Input([c * m], dt, edge=0.02))
    return ins, {"stride": rng.choice([1, 1, 2]), "padding": rng.choice([0, 1, 2]), "dilation": rng.choice([1, 1, 2]),
                 "groups": c}


op("conv2d_depthwise", "nn", lambda xs, a: F.conv2d(xs[0], xs[1], xs[2] if len(xs) > 2 else None, stride=a["stride"],
                                                     padding=a["padding"], dilation=a["dilation"], groups=a["groups"]),
   depthwise_sample)



# Complex twins of the torch.linalg ops (#15): the same samples with every float input made
# complex (its values the real parts, fresh values the imaginary parts, a zero matrix kept zero and
# a repeated first column kept repeated), stored as real [..., 2] parts like the other complex
# cases (views are covered by the real twins). Outputs with a phase freedom go through
# phase-free functions: |V| of eigenvectors, R's diagonal made real and positive in QR.
def complex_twin_sample(sample):
    def s():
        while True:
            ins, args = sample()
            if all(i.base.dtype.is_floating_point for i in ins):
                break
        out = []
        for i in ins:
            re = i.tensor(False)[1].detach().contiguous()
            im = values(list(re.shape), str(re.dtype)[6:], edge=0) * 0.5
            if re.numel() and not re.any():
                im = torch.zeros_like(re)
            if re.dim() >= 2 and re.shape[-1] > 1 and torch.equal(re[..., -1], re[..., 0]):
                im[..., -1] = im[..., 0]
            out.append(Input(list(re.shape) + [2], None, exact=torch.stack([re, im], dim=-1).contiguous(), grad=i.grad))
        return out, args
    return s


def complex_twin(fn):
    def g(xs, a):
        out = fn([cplx(x) for x in xs], a)
        return tuple(rview(o) for o in out) if isinstance(out, tuple) else rview(out)
    return g


CX_LINALG = ["linalg_inv", "linalg_det", "linalg_slogdet", "logdet", "linalg_solve", "linalg_cholesky",
             "linalg_cholesky_not_pd", "linalg_eigvalsh", "linalg_svd", "linalg_svdvals", "linalg_matrix_norm",
             "linalg_matrix_power", "linalg_matrix_exp", "linalg_cross", "linalg_vecdot", "linalg_solve_triangular",
             "linalg_matrix_rank", "linalg_cond", "linalg_inv_ex", "linalg_cholesky_ex", "linalg_qr",
             "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_lu", "lu_unpack", "linalg_lu_solve",
             "linalg_ldl_factor", "linalg_lstsq", "linalg_pinv", "linalg_pinv_hermitian", "linalg_solve_ex",
             "linalg_solve_left", "linalg_norm", "linalg_matrix_norm_dims", "linalg_cond_p", "linalg_matrix_rank_tol",
             "linalg_eigvals", "linalg_eig_vhbv"]
_REAL_OPS = {o["name"]: o for o in OPS}
for _name in CX_LINALG:
    _spec = _REAL_OPS[_name]
    ACCUMULATING.add("cx_" + _name)
    op("cx_" + _name, "linalg", complex_twin(_spec["fn"]), complex_twin_sample(_spec["sample"]), grad=_spec["grad"],
       tol={"float32": (1e-4, 1e-4), "float64": (1e-7, 1e-7)})
ACCUMULATING.update({"cx_linalg_eigh", "cx_linalg_ldl_factor_hermitian"})
op("cx_linalg_eigh", "linalg", complex_twin(lambda xs, a: (lambda r: (r[0], r[1].abs()))(torch.linalg.eigh(_sym(xs[0])))),
   complex_twin_sample(matrix_sample()), tol={"float32": (1e-4, 1e-4), "float64": (1e-7, 1e-7)})
op("cx_linalg_ldl_factor_hermitian", "linalg",
   complex_twin(lambda xs, a: torch.linalg.ldl_factor(_sym(xs[0]), hermitian=True)),
   complex_twin_sample(matrix_sample()), grad=False, tol={"float32": (1e-4, 1e-4), "float64": (1e-7, 1e-7)})


# More complex element-wise functions (appended so that earlier cases keep their inputs), and the
# ones PyTorch refuses for complex input.
CX_UNARY_MORE = {"cx_log2": torch.log2, "cx_log10": torch.log10, "cx_log1p": torch.log1p, "cx_exp2": torch.exp2,
                 "cx_expm1": torch.expm1, "cx_rsqrt": torch.rsqrt, "cx_sigmoid": torch.sigmoid,
                 "cx_silu": F.silu, "cx_asin": torch.asin, "cx_acos": torch.acos, "cx_atan": torch.atan,
                 "cx_asinh": torch.asinh, "cx_acosh": torch.acosh, "cx_atanh": torch.atanh, "cx_sinc": torch.sinc,
                 "cx_deg2rad": torch.deg2rad, "cx_rad2deg": torch.rad2deg, "cx_signbit": torch.signbit,
                 "cx_trunc": torch.trunc}
for name, f in CX_UNARY_MORE.items():
    op(name, "complex", (lambda f: lambda xs, a: rview(f(cplx(xs[0]))))(f),
       lambda: ([cx_input(rand_shape(hi=4))], {}), tol={"float32": (1e-5, 1e-5)})


# Products, differences and covariances found missing in stop 30 (#14), real and complex.
def inner_sample():
    dt = pick(ALL[1:] if rng.random() < 0.3 else ["float32", "float64"])
    k = rng.randint(0, 4)
    a = rand_shape(rank=rng.randint(0, 2)) + [k]
    b = rand_shape(rank=rng.randint(0, 2)) + [k if rng.random() < 0.9 else k + 1]
    if rng.random() < 0.1:
        a = []
    other = dt if rng.random() < 0.95 else ("float64" if dt != "float64" else "float32")
    return [Input(a, dt, edge=0.05), Input(b, other, edge=0.05)], {}


def vdot_sample():
    dt = pick(["float32", "float64", "int64"])
    n = rng.randint(0, 6)
    a = [n] if rng.random() < 0.9 else [n, 1]
    m = n if rng.random() < 0.9 else n + 1
    return [Input(a, dt, edge=0.05), Input([m], dt if rng.random() < 0.95 else "float16", edge=0.05)], {}


def addc_sample():
    shapes = broadcast_pair()
    dts = [pick(ALL[1:]) for _ in range(3)] if rng.random() < 0.3 else [pick(["float32", "float64"])] * 3
    # Integer operands without their extremes: PyTorch's gradient multiplies tensor2 by value in
    # tensor2's own integer type, so an extreme overflows there (a quirk not reproduced here).
    ins = [Input(s, d, edge=0.05 if d in FLOATS else 0)
           for s, d in zip([shapes[0], shapes[1], shapes[rng.randint(0, 1)]], dts)]
    # PyTorch's gradient also scales an integer operand by value in its own type: a negative
    # value wraps around in uint8, so unsigned operands get positive values.
    return ins, {"value": rng.choice([1, 0.5, 3] if "uint8" in dts else [1, 0.5, -2, 3])}


def diff_sample():
    shape = rand_shape(rank=rng.randint(0, 3))
    r = len(shape)
    dt = pick(ALL)
    ins = [Input(shape, dt, edge=0.05)]
    args = {"n": rng.choice([0, 1, 1, 2, 3, 7, -1]), "dim": rng.randint(-r, r - 1) if r else 0, "pre": False,
            "app": False}
    if r and rng.random() < 0.4:
        extra = list(shape)
        extra[args["dim"]] = rng.randint(0, 2)
        if rng.random() < 0.1:
            extra = extra[1:]
        ins.append(Input(extra, dt, edge=0.05))
        args["pre" if rng.random() < 0.5 else "app"] = True
    return ins, args


def _diff(xs, a):
    kw = {}
    if a["pre"]:
        kw["prepend"] = xs[1]
    if a["app"]:
        kw["append"] = xs[1]
    return torch.diff(xs[0], n=a["n"], dim=a["dim"], **kw)


def cov_sample():
    rank = rng.choice([0, 1, 2, 2, 2, 3])
    shape = [rng.randint(1, 4) if rng.random() > 0.05 else 0 for _ in range(rank)]
    dt = pick(["float32", "float64", "int64", "bool"] if rng.random() < 0.15 else ["float32", "float64"])
    obs = shape[-1] if shape else 1
    # One observation with gradients: PyTorch's cov writes in place into a view of the leaf and
    # refuses (an artifact of its implementation), so those are compared without gradients.
    ins = [Input(shape, dt, edge=0, grad=obs > 1)]
    args = {"correction": rng.choice([0, 1, 1, 2]), "fw": False, "aw": False}
    if rank and rng.random() < 0.3:
        n = obs if rng.random() < 0.9 else obs + 1
        ins.append(Input([n], "int64", exact=torch.randint(0 if rng.random() < 0.9 else -1, 4, (n,)), grad=False))
        args["fw"] = True
    if rank and rng.random() < 0.3:
        # One observation: a mixed-dtype aweights meets a PyTorch quirk (its mm refuses float
        # against double), and the degrees of freedom are 0 exactly or a rounding away from it.
        aw_dt = pick(["float32", "float64"]) if obs > 1 else (dt if dt in FLOATS else "float32")
        ins.append(Input([obs], aw_dt, lo=0.0, hi=2.0, edge=0, grad=False))
        args["aw"] = True
        if obs == 1:
            args["correction"] = 0
    return ins, args


def _cov(xs, a):
    k = 1
    fw = aw = None
    if a["fw"]:
        fw = xs[k]
        k += 1
    if a["aw"]:
        aw = xs[k]
    return torch.cov(xs[0], correction=a["correction"], fweights=fw, aweights=aw)


def cross_sample():
    shape = [rng.randint(1, 4) for _ in range(rng.randint(1, 3))]
    shape[rng.randrange(len(shape))] = 3 if rng.random() < 0.9 else 2
    dt = pick(["float32", "float64", "int64"])
    return [Input(shape, dt, edge=0.05), Input(shape, dt, edge=0.05)], {}


ACCUMULATING.update({"inner", "vdot", "cov", "corrcoef", "cx_inner", "cx_vdot", "cx_cov", "cx_corrcoef"})
op("inner", "linalg", lambda xs, a: torch.inner(xs[0], xs[1]), inner_sample)
op("vdot", "linalg", lambda xs, a: torch.vdot(xs[0], xs[1]), vdot_sample)
op("addcmul", "binary", lambda xs, a: torch.addcmul(xs[0], xs[1], xs[2], value=a["value"]), addc_sample)
op("addcdiv", "binary", lambda xs, a: torch.addcdiv(xs[0], xs[1], xs[2], value=a["value"]), addc_sample)
op("diff", "shape", _diff, diff_sample)
op("cov", "reduction", _cov, cov_sample, tol={"float32": (1e-4, 1e-5)})
op("corrcoef", "reduction", lambda xs, a: torch.corrcoef(xs[0]), cov_sample, tol={"float32": (1e-4, 1e-5)})
op("cross_default_dim", "linalg", lambda xs, a: torch.cross(xs[0], xs[1]), cross_sample)


def cx_pair_of(shapes):
    dt = pick(CX)
    return [Input(list(s) + [2], dt, view="contig", edge=0) for s in shapes]


op("cx_inner", "complex", lambda xs, a: rview(torch.inner(cplx(xs[0]), cplx(xs[1]))),
   lambda: (cx_pair_of([[2, 3], [4, 3]] if rng.random() < 0.5 else [[3], [2, 3]]), {}), tol={"float32": (1e-5, 1e-5)})
op("cx_vdot", "complex", lambda xs, a: rview(torch.vdot(cplx(xs[0]), cplx(xs[1]))),
   lambda: (lambda n: (cx_pair_of([[n], [n]]), {}))(rng.randint(0, 5)), tol={"float32": (1e-5, 1e-5)})
op("cx_addcmul", "complex", lambda xs, a: rview(torch.addcmul(cplx(xs[0]), cplx(xs[1]), cplx(xs[2]), value=a["v"])),
   lambda: (cx_pair_of([[2, 3], [3], [2, 1]]), {"v": rng.choice([1, 0.5])}), tol={"float32": (1e-5, 1e-5)})
op("cx_lerp", "complex", lambda xs, a: rview(torch.lerp(cplx(xs[0]), cplx(xs[1]), a["w"])),
   lambda: (cx_pair_of([[2, 3], [2, 3]]), {"w": rng.choice([0.25, 0.75, -1.5])}), tol={"float32": (1e-5, 1e-5)})
op("cx_diff", "complex", lambda xs, a: rview(torch.diff(cplx(xs[0]), n=a["n"], dim=0)),
   lambda: (cx_pair_of([[rng.randint(1, 5), 2]]), {"n": rng.randint(0, 3)}))
op("cx_cov", "complex", lambda xs, a: rview(torch.cov(cplx(xs[0]), correction=a["c"])),
   lambda: (cx_pair_of([[rng.randint(1, 3), rng.randint(2, 5)]]), {"c": rng.choice([0, 1])}),
   tol={"float32": (1e-4, 1e-5)})
op("cx_corrcoef", "complex", lambda xs, a: rview(torch.corrcoef(cplx(xs[0]))),
   lambda: (cx_pair_of([[rng.randint(1, 3), rng.randint(2, 5)]]), {}), tol={"float32": (1e-4, 1e-5)})


# More missing ops found in stop 30 (#14): stacking, distances, the trapezoidal rule, element tests,
# the *_scatter copies and the Cholesky-based solves.
def stack_list_sample():
    n = rng.randint(0 if rng.random() < 0.05 else 1, 3)
    base = rand_shape(rank=rng.randint(0, 3), lo=1)
    dt = pick(ALL)
    ins = []
    for _ in range(n):
        sh = list(base)
        if sh and rng.random() < 0.3:
            k = rng.randrange(len(sh))
            sh[k] = rng.randint(1, 4)
        ins.append(Input(sh, dt, edge=0.05))
    return ins, {}


for _name, _f in [("hstack", torch.hstack), ("vstack", torch.vstack), ("dstack", torch.dstack),
                  ("column_stack", torch.column_stack), ("row_stack", torch.vstack)]:
    op(_name, "shape", (lambda f: lambda xs, a: f(list(xs)))(_f), stack_list_sample)
op("broadcast_tensors", "shape", lambda xs, a: tuple(torch.broadcast_tensors(*xs)),
   lambda: ([Input(s, pick(ALL)) for s in broadcast_pair()], {}))
op("diagflat", "shape", lambda xs, a: torch.diagflat(xs[0], a["offset"]),
   lambda: ([Input(rand_shape(rank=rng.randint(0, 2), hi=4), pick(ALL))], {"offset": rng.randint(-2, 2)}))
op("vander", "shape", lambda xs, a: torch.vander(xs[0], N=a["n"], increasing=a["inc"]),
   lambda: ([Input(rand_shape(rank=1 if rng.random() < 0.95 else 2, hi=5), pick(["float32", "float64", "int64", "int32"]),
                   lo=-2, hi=2, edge=0)], {"n": rng.choice([None, 0, 1, 3, 5, -1]), "inc": rng.random() < 0.5}))


def cdist_sample():
    batch = rng.choice([[], [], [2], [1, 2]])
    m = rng.randint(1, 4)
    r1, r2 = rng.choice([1, 3, 5, 30]), rng.choice([1, 4, 27])
    dt = pick(["float32", "float64"] if rng.random() > 0.05 else ["int64"])
    ins = [Input(batch + [r1, m], dt, edge=0), Input(rng.choice([batch, []]) + [r2, m if rng.random() > 0.05 else m + 1], dt, edge=0)]
    if rng.random() < 0.03:
        ins[0] = Input([m], dt, edge=0)
    return ins, {"p": rng.choice([2.0, 2.0, 1.0, 3.0, 0.0, math.inf, -1.0])}


ACCUMULATING.update({"cdist", "pdist", "cholesky_solve", "cholesky_inverse", "trapezoid", "trapezoid_x",
                     "cumulative_trapezoid"})
op("cdist", "nn", lambda xs, a: torch.cdist(xs[0], xs[1], p=a["p"]), cdist_sample, tol={"float32": (1e-4, 1e-4)})
op("pdist", "nn", lambda xs, a: torch.pdist(xs[0], p=a["p"]),
   lambda: ([Input([rng.randint(1, 6), rng.randint(1, 4)] if rng.random() > 0.05 else [2, 2, 2],
                   pick(["float32", "float64"]), edge=0)], {"p": rng.choice([2.0, 1.0, 3.0, math.inf, -1.0])}),
   tol={"float32": (1e-4, 1e-4)})
op("renorm", "norm", lambda xs, a: torch.renorm(xs[0], a["p"], a["dim"], a["maxnorm"]),
   lambda: (lambda sh: ([Input(sh, pick(["float32", "float64"] if rng.random() > 0.05 else ["int64"]), edge=0)],
                        {"p": rng.choice([1.0, 2.0, 3.0, -1.0]), "dim": rng.randint(-len(sh), len(sh) - 1),
                         "maxnorm": rng.choice([0.5, 1.0, 5.0, -1.0])}))(rand_shape(rank=rng.randint(1, 3), lo=1)))


def trapz_sample(with_x):
    def s():
        sh = rand_shape(rank=rng.randint(1, 3))
        r = len(sh)
        d = rng.randint(-r, r - 1)
        dt = pick(["float32", "float64", "int64"])
        ins = [Input(sh, dt, edge=0)]
        if with_x:
            n = sh[d]
            ins.append(Input([n if rng.random() > 0.05 else n + 1] if rng.random() < 0.7 else sh, dt, edge=0))
        return ins, {"dim": d, "dx": rng.choice([1.0, 0.5, 2.0])}
    return s


op("trapezoid", "reduction", lambda xs, a: torch.trapezoid(xs[0], dx=a["dx"], dim=a["dim"]), trapz_sample(False))
op("trapezoid_x", "reduction", lambda xs, a: torch.trapezoid(xs[0], xs[1], dim=a["dim"]), trapz_sample(True))
op("cumulative_trapezoid", "reduction",
   lambda xs, a: torch.cumulative_trapezoid(xs[0], xs[1], dim=a["dim"]) if len(xs) > 1
   else torch.cumulative_trapezoid(xs[0], dx=a["dx"], dim=a["dim"]),
   lambda: trapz_sample(rng.random() < 0.5)())
op("isposinf", "unary", lambda xs, a: torch.isposinf(xs[0]), unary_sample(), grad=False)
op("isneginf", "unary", lambda xs, a: torch.isneginf(xs[0]), unary_sample(), grad=False)
op("isreal", "unary", lambda xs, a: torch.isreal(xs[0]), unary_sample(), grad=False)
op("cx_isreal", "complex", lambda xs, a: torch.isreal(cplx(xs[0])),
   lambda: (lambda sh: ([Input(sh + [2], pick(CX), view="contig", exact=torch.where(
       torch.rand(sh + [2]) < 0.5, torch.zeros(sh + [2]), torch.randn(sh + [2])))], {}))(rand_shape(hi=4)), grad=False)
op("heaviside", "binary", lambda xs, a: torch.heaviside(xs[0], xs[1]),
   lambda: (lambda dt, sh: ([Input(sh[0], dt, edge=0.3), Input(sh[1], dt if rng.random() > 0.1 else "float64")], {}))(
       pick(ALL), broadcast_pair()), grad=False)
op("frexp", "unary", lambda xs, a: torch.frexp(xs[0]), unary_sample(dts=["float32", "float64", "float16", "int64"]),
   grad=False)
op("argwhere", "indexing", lambda xs, a: torch.argwhere(xs[0]),
   lambda: ([Input(rand_shape(hi=4), pick(ALL), edge=0.4)], {}), grad=False)


def scatter_view_sample(kind):
    def s():
        sh = [rng.randint(1, 3) for _ in range(rng.randint(1 if kind != "diagonal" else 2, 3))]
        r = len(sh)
        dt = pick(["float32", "float64", "int64"])
        x = torch.zeros(sh)
        if kind == "select":
            d = rng.randint(-r, r - 1)
            args = {"dim": d, "index": rng.randint(-sh[d], sh[d] - 1)}
            v = x.select(d, args["index"])
        elif kind == "slice":
            d = rng.randint(0, r - 1)
            args = {"dim": d, "start": rng.choice([None, 0, 1, -2]), "end": rng.choice([None, 2, 5, -1]),
                    "step": rng.choice([1, 1, 2])}
            v = x[(slice(None),) * d + (slice(args["start"], args["end"], args["step"]),)]
        else:
            args = {"offset": rng.randint(-1, 1), "dim1": 0, "dim2": rng.choice([1, -1])}
            v = x.diagonal(args["offset"], args["dim1"], args["dim2"])
        vs = list(v.shape)
        if rng.random() < 0.05:
            vs = vs[:-1] + [vs[-1] + 1] if vs else [2]
        return [Input(sh, dt, edge=0.05), Input(vs, dt, edge=0.05)], args
    return s


op("select_scatter", "indexing", lambda xs, a: torch.select_scatter(xs[0], xs[1], a["dim"], a["index"]),
   scatter_view_sample("select"))
op("slice_scatter", "indexing",
   lambda xs, a: torch.slice_scatter(xs[0], xs[1], a["dim"], a["start"], a["end"], a["step"]),
   scatter_view_sample("slice"))
op("diagonal_scatter", "indexing",
   lambda xs, a: torch.diagonal_scatter(xs[0], xs[1], a["offset"], a["dim1"], a["dim2"]), scatter_view_sample("diagonal"))


def cholesky_solve_sample():
    ins, _ = matrix_sample()()
    n = ins[0].shape[-1]
    dt = str(ins[0].base.dtype)[6:]
    ins.append(Input([n, rng.randint(1, 3)], dt, edge=0))
    return ins, {"upper": rng.random() < 0.5}


def _chol(x, upper):
    return torch.linalg.cholesky(_spd(x), upper=upper)


op("cholesky_solve", "linalg", lambda xs, a: torch.cholesky_solve(xs[1], _chol(xs[0], a["upper"]), upper=a["upper"]),
   cholesky_solve_sample, tol=LA32)
op("cholesky_inverse", "linalg", lambda xs, a: torch.cholesky_inverse(_chol(xs[0], a["upper"]), upper=a["upper"]),
   lambda: (matrix_sample()()[0], {"upper": rng.random() < 0.5}), tol=LA32)


# conv_transpose3d (stop 30): the 2-D sample's geometry with a third spatial dimension.
def convt3d_sample():
    # Half precision is left out: PyTorch's 3-D kernel accumulates in it (ours in float32).
    dt = pick(["float32", "float64"] if rng.random() > 0.2 else ["float32", "float64"] + INTS)
    n, c, o = rng.randint(1, 2), rng.choice([1, 2]), rng.choice([1, 2])
    spatial = [rng.randint(2, 3) for _ in range(3)]
    ks = [rng.randint(1, 2) for _ in range(3)]
    stride, dil = rng.choice([1, 2]), rng.choice([1, 2])
    ins = [Input([n, c] + spatial, dt, edge=0.02), Input([c, o] + ks, dt, edge=0.02)]
    if rng.random() < 0.5:
        ins.append(Input([o], dt, edge=0.02))
    # No padding: an empty output is refused or computed by PyTorch depending on which of its 3-D
    # backends (oneDNN or its own) takes the case.
    return ins, {"stride": stride, "padding": 0, "dilation": dil,
                 "output_padding": rng.randint(0, max(stride, dil) - 1)}


ACCUMULATING.add("conv_transpose3d")
op("conv_transpose3d", "nn", lambda xs, a: _convt(xs, a, F.conv_transpose3d), convt3d_sample)

# Spatial transformers, the remaining losses, randomized activations and alpha dropout (stop 31).
def _grid_values(shape, dt):
    n = math.prod(shape)
    vals = [rng.choice([-1.0, 1.0, 0.0, 0.5, -0.25]) if rng.random() < 0.15 else rng.uniform(-1.3, 1.3)
            for _ in range(n)]
    return torch.tensor(vals, dtype=torch.float64).reshape(shape).to(getattr(torch, dt))


def grid_sample_sample():
    k = 2 if rng.random() < 0.75 else 3
    dt = pick(["float32", "float64"])
    n, c = rng.randint(1, 2), rng.choice([1, 2, 3, 0] if rng.random() < 0.1 else [1, 2, 3])
    spatial = [rng.randint(1, 5) for _ in range(k)]
    out = [rng.randint(1, 4) for _ in range(k)]
    mode = rng.choice(["bilinear", "nearest", "bicubic"] if k == 2 else ["bilinear", "nearest"])
    args = {"mode": mode, "pad": rng.choice(["zeros", "border", "reflection"]), "align": rng.random() < 0.5}
    gdt = dt
    if rng.random() < 0.04:
        gdt = "float64" if dt == "float32" else "float32"
    gshape = [n] + out + [k]
    if rng.random() < 0.04:
        gshape = [n + 1] + out + [k]
    elif rng.random() < 0.04:
        gshape = [n] + out + [k + 1]
    elif rng.random() < 0.04:
        spatial[0] = 0
    ins = [Input([n, c] + spatial, dt, edge=0.03),
           Input(gshape, gdt, exact=_grid_values(gshape, gdt))]
    if rng.random() < 0.03:
        ins[0] = Input([n, c] + spatial, "int64", edge=0)
        ins[1] = Input(gshape, "int64", exact=torch.zeros(gshape, dtype=torch.int64), grad=False)
    return ins, args


op("grid_sample", "nn",
   lambda xs, a: F.grid_sample(xs[0], xs[1], mode=a["mode"], padding_mode=a["pad"], align_corners=a["align"]),
   grid_sample_sample)


def affine_grid_sample():
    k = 2 if rng.random() < 0.7 else 3
    dt = pick(["float32", "float64"])
    n = rng.randint(1, 3)
    size = [n, rng.randint(1, 3)] + [rng.randint(1, 5) for _ in range(k)]
    tshape = [n, k, k + 1]
    r = rng.random()
    if r < 0.03:
        tshape = [n, k + 1, k + 1]
    elif r < 0.06:
        size = size[:-1] if k == 2 else size + [2]
    elif r < 0.08:
        size[-1] = 0
    elif r < 0.1:
        tshape[0] = n + 1
    elif r < 0.12:
        dt = "int64"
    return [Input(tshape, dt, edge=0.02)], {"size": size, "align": rng.random() < 0.5}


op("affine_grid", "nn", lambda xs, a: F.affine_grid(xs[0], a["size"], align_corners=a["align"]), affine_grid_sample)


def multilabel_margin_sample():
    n, c = rng.randint(1, 4), rng.randint(1, 5)
    dt = pick(["float32", "float64"])
    rows = []
    for _ in range(n):
        length = rng.randint(0, c)
        row = [rng.randrange(c) if rng.random() < 0.2 else v for v in rng.sample(range(c), length)]
        if length < c:
            row.append(-1)
        row += [rng.choice([-1, rng.randrange(c)]) for _ in range(c - len(row))]
        rows.append(row[:c])
    y = torch.tensor(rows, dtype=torch.int64)
    if rng.random() < 0.05:
        y[0, 0] = rng.choice([c, -2])
    shape = [n, c]
    if rng.random() < 0.2:
        shape, y = [c], y[0]
    ins = [Input(shape, dt, edge=0.05), Input(list(y.shape), "int64", exact=y, grad=False)]
    if rng.random() < 0.04:
        ins[1] = Input([n + 1, c], "int64", exact=torch.zeros(n + 1, c, dtype=torch.int64), grad=False)
    return ins, {"red": rng.choice(["mean", "sum", "none"])}


op("multilabel_margin_loss", "loss",
   lambda xs, a: F.multilabel_margin_loss(xs[0], xs[1], reduction=a["red"]), multilabel_margin_sample)

_DISTANCES = {
    "pairwise": None,
    "cosine": lambda a, b: 1.0 - F.cosine_similarity(a, b, dim=-1),
    "l1": lambda a, b: (a - b).abs().sum(-1),
}


def triplet_distance_sample():
    ins, args = loss_pair_sample("triplet")()
    del args["p"]
    args["dist"] = rng.choice(list(_DISTANCES))
    if rng.random() < 0.04:
        ins[2] = Input(ins[2].shape[1:] or [2, 2], str(ins[2].base.dtype)[6:], edge=0.02)
    return ins, args


ACCUMULATING.add("triplet_margin_with_distance_loss")
op("triplet_margin_with_distance_loss", "loss",
   lambda xs, a: F.triplet_margin_with_distance_loss(xs[0], xs[1], xs[2], distance_function=_DISTANCES[a["dist"]],
                                                    margin=a["margin"], swap=a["swap"], reduction=a["red"]),
   triplet_distance_sample)


def rrelu_sample():
    dt = pick(["float32", "float64", "float16"] if rng.random() > 0.05 else INTS)
    lower = rng.choice([0.125, 0.0, 0.2, 0.5])
    upper = rng.choice([1.0 / 3.0, 0.3, 0.8]) if rng.random() > 0.05 else lower / 2.0 - 0.1
    return [Input(rand_shape(), dt)], {"lower": lower, "upper": upper}


# Evaluation mode: the slope (lower + upper) / 2; training's random slopes are checked in NNTests.
op("rrelu", "nn", lambda xs, a: F.rrelu(xs[0], a["lower"], a["upper"], training=False), rrelu_sample)


def alpha_dropout_sample(feature):
    def s():
        dt = pick(["float32", "float64"] if rng.random() > 0.05 else INTS)
        training = rng.random() < 0.5
        # Deterministic cases: evaluation mode, or p of 0 or 1 in training; and the refusals.
        p = rng.choice([0.0, 1.0, 0.5 if not training else 1.0, 0.2 if not training else 0.0])
        if rng.random() < 0.05:
            p = rng.choice([-0.1, 1.5])
        shape = rand_shape()
        if feature and training and rng.random() < 0.1:
            p, shape = 0.5, [rng.randint(1, 3)]  # refused before any draw
        return [Input(shape, dt)], {"p": p, "training": training}
    return s


op("alpha_dropout", "nn", lambda xs, a: F.alpha_dropout(xs[0], a["p"], training=a["training"]),
   alpha_dropout_sample(False))
op("feature_alpha_dropout", "nn", lambda xs, a: F.feature_alpha_dropout(xs[0], a["p"], training=a["training"]),
   alpha_dropout_sample(True))


def gumbel_sample():
    dt = pick(["float32", "float64"] if rng.random() > 0.05 else INTS)
    shape = rand_shape(lo=1, empty=0)
    ins, hard = [Input(shape, dt, edge=0)], rng.random() < 0.5
    low = -len(shape) - (rng.random() < 0.05)  # sometimes out of range: PyTorch's refusal
    return ins, {"hard": hard, "dim": rng.randint(low, max(len(shape) - 1, 0))}


# A temperature of 1e30 makes every sample uniform over `dim` whatever the noise (the noise itself
# is checked in NNTests): the shape, dtype, dim handling and refusals are compared; a hard sample is
# compared by its sums over `dim` (ties make its one-hot position arbitrary).
def _gumbel(xs, a):
    y = F.gumbel_softmax(xs[0], tau=1e30, hard=a["hard"], dim=a["dim"])
    return y.sum(a["dim"]) if a["hard"] and xs[0].dim() > 0 else y


op("gumbel_softmax", "nn", _gumbel, gumbel_sample)


def direct_conv_sample():
    """Stride-1 convolutions with one group: float32 mostly, where the direct kernel runs without
    autograd (Note [Direct convolution]); output channels on both sides of its blocks of 6, widths on
    both sides of its 8-, 16- and 64-output blocks, filters up to 5x5, dilation, uneven filters.
    float32 sums of up to 225 products: atol 1e-4 (the small-channel conv2d op keeps the default)."""
    dt = "float32" if rng.random() < 0.7 else pick(["float64", "float16", "bfloat16"])
    n, c, o = rng.randint(1, 2), rng.randint(1, 9), rng.choice([1, 5, 6, 7, 12, 14])
    ks = [rng.choice([1, 2, 3, 3, 5]), rng.choice([1, 2, 3, 3, 5])]
    spatial = [rng.randint(5, 12), rng.choice([5, 9, 17, 33, 70])]
    # PyTorch 2.15's bfloat16 convolution on an AVX-512 BF16 CPU (oneDNN) gives NaN next to an
    # infinite input, where its float32 convolution gives numbers: bfloat16 cases have no edge values.
    # Weights have none: an infinite weight times a padding zero is NaN in PyTorch's float64 (im2col)
    # convolution and in ours, while its float32 (oneDNN) one skips the padding.
    edge = 0.0 if dt == "bfloat16" else 0.02
    ins = [Input([n, c] + spatial, dt, edge=edge), Input([o, c] + ks, dt, edge=0.0)]
    if rng.random() < 0.5:
        ins.append(Input([o], dt, edge=edge))
    return ins, {"stride": 1, "padding": rng.choice([0, 1, 2]), "dilation": rng.choice([1, 1, 2])}


op("conv2d_direct", "nn", lambda xs, a: F.conv2d(xs[0], xs[1], xs[2] if len(xs) > 2 else None, stride=a["stride"],
                                                  padding=a["padding"], dilation=a["dilation"]),
   direct_conv_sample, tol={"float32": (1e-5, 1e-4)})


def main():
    tensors = {}
    cases = []
    for spec in OPS:
        if ONLY and spec["name"] not in ONLY.split(","):
            continue
        HUGE["on"] = spec["name"] not in ACCUMULATING
        for j in range(N):
            ins, args = spec["sample"]()
            cid = len(cases)
            grad_case = spec["grad"] and j % 3 == 0 and ins and all(
                (not i.grad) or i.base.dtype == torch.float64 or not i.base.dtype.is_floating_point for i in ins)
            if spec["grad"] and j % 3 == 0:
                # A float64 gradient case: floating inputs in float64 with few edge values.
                for i in ins:
                    if i.grad and i.base.dtype.is_floating_point:
                        i.base = i.base.to(torch.float64)
                        # Finite and moderate: float32 extremes carried into float64 only cancel.
                        ok = torch.isfinite(i.base) & (i.base.abs() < 1e30)
                        i.base = torch.where(ok, i.base, torch.full_like(i.base, 0.75))
                grad_case = any(i.grad and i.base.dtype == torch.float64 for i in ins)
            case = {"id": cid, "op": spec["name"], "family": spec["family"], "args": args, "inputs": []}
            leaves, views = [], []
            for k, i in enumerate(ins):
                name = "c%d.in%d" % (cid, k)
                tensors[name] = i.base.contiguous()
                rg = bool(grad_case and i.grad and i.base.dtype == torch.float64)
                case["inputs"].append({"name": name, "view": i.view, "shape": i.shape, "grad": rg})
                b, v = i.tensor(rg)
                leaves.append(b)
                views.append(v)
            try:
                out = spec["fn"](views, args)
            except Exception as e:  # PyTorch's refusal: the replay must refuse too
                case["error"] = first_line(e)
                cases.append(case)
                continue
            outs = list(out) if isinstance(out, tuple) else [out]
            case["outputs"] = []
            for k, o in enumerate(outs):
                name = "c%d.out%d" % (cid, k)
                tensors[name] = o.detach().contiguous().clone()
                dtn = str(o.dtype).replace("torch.", "")
                rt, at = spec["tol"].get(dtn) or tolerance(dtn)
                case["outputs"].append({"name": name, "rtol": spec["rtol"] or rt, "atol": spec["atol"] or at})
            if grad_case:
                diff = [o for o in outs if o.requires_grad]
                if diff:
                    gouts = [torch.randn_like(o) for o in diff]
                    want = [l for l, i in zip(leaves, case["inputs"]) if i["grad"]]
                    try:
                        grads = torch.autograd.grad(diff, want, gouts, allow_unused=True)
                    except Exception:  # PyTorch has no backward for this case: outputs only
                        grads = None
                if diff and grads is not None:
                    case["grad_outputs"] = []
                    for k, g in enumerate(gouts):
                        name = "c%d.gout%d" % (cid, k)
                        tensors[name] = g.contiguous()
                        case["grad_outputs"].append(name)
                    case["grads"] = []
                    for k, g in enumerate(grads):
                        name = "c%d.grad%d" % (cid, k)
                        tensors[name] = (g if g is not None else torch.zeros_like(want[k])).contiguous()
                        case["grads"].append(name)
            cases.append(case)
    tensors = {k: v.detach().clone().contiguous() for k, v in tensors.items()}
    meta = {"cases": json.dumps(sanitize(cases), allow_nan=False), "seed": str(SEED), "n": str(N), "torch": torch.__version__}
    save_file(tensors, OUT, metadata=meta)
    errors = sum(1 for c in cases if "error" in c)
    grads = sum(1 for c in cases if "grads" in c)
    print("%d cases (%d refusals, %d with gradients) over %d ops -> %s (%d bytes)" %
          (len(cases), errors, grads, len({c["op"] for c in cases}), OUT, os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
