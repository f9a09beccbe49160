#!/usr/bin/env python3
"""Generates ops.json: NumPy reference results for SwiftTorch's op-family tests.

Each case names an op, its inputs (flat data, shape, dtype and an optional layout transform that
the Swift side applies identically: "t" transposes the last two dims, giving a non-contiguous input)
and the expected result. Run: python3 Tests/TorchTests/Fixtures/generate.py
"""
import json, math, os
import numpy as np
from scipy import special

rng = np.random.default_rng(1234)
cases = []

def enc(a):
    a = np.asarray(a)
    if a.dtype == np.bool_:
        data = [bool(v) for v in a.ravel()]
    elif a.dtype.kind in "iu":
        data = [int(v) for v in a.ravel()]
    else:
        data = [None if math.isnan(v) else (("inf" if v > 0 else "-inf") if math.isinf(v) else float(v)) for v in a.ravel().astype(np.float64)]
    return {"data": data, "shape": list(a.shape), "dtype": str(a.dtype).replace("bool", "bool")}

def inp(a, transform="none"):
    d = enc(a)
    d["transform"] = transform
    return d

def add(name, op, inputs, expected, **args):
    cases.append({"name": name, "op": op, "inputs": inputs, "args": args,
                  "expected": [enc(e) for e in (expected if isinstance(expected, tuple) else (expected,))]})

def base_t(x):
    """For a 't' input: the stored array is x.swapaxes(-1,-2) made contiguous, transposed back in Swift."""
    return np.ascontiguousarray(np.swapaxes(x, -1, -2))

gelu = lambda x: 0.5 * x * (1 + special.erf(x / math.sqrt(2)))
unary = {
    "neg": np.negative, "abs": np.abs, "sign": np.sign, "square": np.square, "exp": np.exp, "exp2": np.exp2,
    "expm1": np.expm1, "log": np.log, "log2": np.log2, "log10": np.log10, "log1p": np.log1p, "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x), "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin,
    "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "relu": lambda x: np.maximum(x, 0), "gelu": gelu,
    "silu": lambda x: x / (1 + np.exp(-x)), "softplus": lambda x: np.where(x > 20, x, np.log1p(np.exp(x))),
    "erf": special.erf, "erfc": special.erfc, "floor": np.floor, "ceil": np.ceil, "round": np.round,
    "trunc": np.trunc, "reciprocal": lambda x: 1 / x,
}
positive = {"log", "log2", "log10", "sqrt", "rsqrt"}
unit = {"asin", "acos"}
for name, f in unary.items():
    for dt in ["float64", "float32"]:
        if name in positive: x = rng.uniform(0.1, 5, (3, 4))
        elif name in unit: x = rng.uniform(-0.99, 0.99, (3, 4))
        elif name == "log1p": x = rng.uniform(-0.9, 3, (3, 4))
        else: x = rng.uniform(-3, 3, (3, 4))
        if name in ("round",): x = np.array([[0.5, 1.5, 2.5, -0.5], [-1.5, 2.4, 2.6, -2.5], [0.0, 3.5, -3.5, 1.49]])
        x = x.astype(dt)
        add(f"{name}_{dt}", name, [inp(x)], f(x.astype(np.float64)).astype(dt))
        # Non-contiguous input.
        add(f"{name}_{dt}_t", name, [inp(base_t(x.T.copy()).T.copy().T, "t")], f(x.T.astype(np.float64)).astype(dt))
# Integer inputs promote to float32 for floating ops.
xi = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int64)
add("exp_int", "exp", [inp(xi)], np.exp(xi.astype(np.float64)).astype(np.float32))
add("abs_int", "abs", [inp(np.array([-3, 0, 4], dtype=np.int32))], np.array([3, 0, 4], dtype=np.int32))
add("neg_int8", "neg", [inp(np.array([-128, 5], dtype=np.int8))], np.array([-128, -5], dtype=np.int8))
add("exp_0d", "exp", [inp(np.array(0.5))], np.array(np.exp(0.5)))
add("exp_empty", "exp", [inp(np.zeros((0, 3)))], np.zeros((0, 3)))
add("tanh_large", "tanh", [inp(np.linspace(-12, 12, 97).astype(np.float32))], np.tanh(np.linspace(-12, 12, 97)).astype(np.float32))
add("exp_large", "exp", [inp(np.linspace(-100, 100, 201).astype(np.float32))], np.exp(np.linspace(-100, 100, 201).astype(np.float32).astype(np.float64)).astype(np.float32))

binary = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "remainder": np.remainder, "fmod": np.fmod, "pow": np.power, "maximum": np.maximum,
    "minimum": np.minimum, "atan2": np.arctan2, "floor_divide": np.floor_divide,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
}
shapes = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (3,)), ((0, 4), (1, 4))]
for name, f in binary.items():
    for sa, sb in shapes:
        for dt in ["float64", "int64"]:
            if dt == "int64" and name in ("atan2",): continue
            if dt == "int64":
                a = rng.integers(-9, 10, sa); b = rng.integers(1, 6, sb)
                if name == "pow": a = rng.integers(-3, 4, sa); b = rng.integers(0, 4, sb)
            else:
                a = rng.uniform(-3, 3, sa); b = rng.uniform(0.5, 3, sb)
                if name == "pow": a = rng.uniform(0.1, 3, sa)
            a = np.asarray(a).astype(dt); b = np.asarray(b).astype(dt)
            if dt == "float64" and name in ("remainder", "fmod", "div", "floor_divide"):
                b = b * np.where(rng.integers(0, 2, b.shape) == 1, 1, -1)
            exp = f(a, b)
            if name == "div" and dt == "int64": exp = exp.astype(np.float32)
            add(f"{name}_{dt}_{sa}_{sb}", name, [inp(a), inp(b)], exp)
# Non-contiguous and mixed dtypes.
a = rng.uniform(-2, 2, (4, 3)); b = rng.uniform(-2, 2, (3, 4))
add("add_t", "add", [inp(base_t(a.T), "t"), inp(b)], a.T + b)
add("mul_i32_f32", "mul", [inp(np.array([1, 2, 3], dtype=np.int32)), inp(np.array([0.5, 1.5, 2.5], dtype=np.float32))], np.array([0.5, 3.0, 7.5], dtype=np.float32))
add("add_u8_i8", "add", [inp(np.array([200, 10], dtype=np.uint8)), inp(np.array([-1, 5], dtype=np.int8))], np.array([199, 15], dtype=np.int16))
add("add_u8_wrap", "add", [inp(np.array([250, 10], dtype=np.uint8)), inp(np.array([10, 5], dtype=np.uint8))], np.array([4, 15], dtype=np.uint8))
add("maximum_nan", "maximum", [inp(np.array([1.0, np.nan, 3.0])), inp(np.array([2.0, 1.0, np.nan]))], np.array([2.0, np.nan, np.nan]))

# Reductions.
x = rng.uniform(-3, 3, (3, 4, 5))
xt = rng.uniform(-3, 3, (5, 4))
for keep in [False, True]:
    for dims in [None, [0], [1], [-1], [0, 2]]:
        tag = f"{dims}_{keep}"
        ax = None if dims is None else tuple(dims)
        add(f"sum_{tag}", "sum", [inp(x)], np.sum(x, axis=ax, keepdims=keep), dims=dims, keepdim=keep)
        add(f"mean_{tag}", "mean", [inp(x)], np.mean(x, axis=ax, keepdims=keep), dims=dims, keepdim=keep)
        add(f"prod_{tag}", "prod", [inp(x)], np.prod(x, axis=ax, keepdims=keep), dims=dims, keepdim=keep)
        add(f"amax_{tag}", "amax", [inp(x)], np.amax(x, axis=ax, keepdims=keep), dims=dims, keepdim=keep)
        add(f"amin_{tag}", "amin", [inp(x)], np.amin(x, axis=ax, keepdims=keep), dims=dims, keepdim=keep)
        add(f"var_{tag}", "var", [inp(x)], np.var(x, axis=ax, keepdims=keep, ddof=1), dims=dims, keepdim=keep, correction=1)
        add(f"std0_{tag}", "std", [inp(x)], np.std(x, axis=ax, keepdims=keep, ddof=0), dims=dims, keepdim=keep, correction=0)
        add(f"norm_{tag}", "norm", [inp(x)], np.sqrt(np.sum(x * x, axis=ax, keepdims=keep)), dims=dims, keepdim=keep, p=2.0)
        add(f"norm1_{tag}", "norm", [inp(x)], np.sum(np.abs(x), axis=ax, keepdims=keep), dims=dims, keepdim=keep, p=1.0)
        if dims is not None:
            add(f"logsumexp_{tag}", "logsumexp", [inp(x)], special.logsumexp(x, axis=ax, keepdims=keep), dims=dims, keepdim=keep)
        add(f"sum_t_{tag}", "sum", [inp(base_t(xt.T), "t")], np.sum(xt.T, axis=None if dims is None or 2 in dims or -1 in dims and False else None, keepdims=keep), dims=None, keepdim=keep)
    for d in [0, 1, 2, -1]:
        add(f"argmax_{d}_{keep}", "argmax", [inp(x)], np.expand_dims(np.argmax(x, axis=d), d) if keep else np.argmax(x, axis=d), dim=d, keepdim=keep)
        add(f"argmin_{d}_{keep}", "argmin", [inp(x)], np.expand_dims(np.argmin(x, axis=d), d) if keep else np.argmin(x, axis=d), dim=d, keepdim=keep)
        add(f"maxdim_{d}_{keep}", "max_dim", [inp(x)], (np.amax(x, axis=d, keepdims=keep), np.expand_dims(np.argmax(x, axis=d), d) if keep else np.argmax(x, axis=d)), dim=d, keepdim=keep)
xi = rng.integers(-5, 6, (4, 6))
add("sum_int", "sum", [inp(xi.astype(np.int32))], np.sum(xi).astype(np.int64), dims=None, keepdim=False)
add("sum_bool", "sum", [inp(xi > 0)], np.sum(xi > 0).astype(np.int64), dims=None, keepdim=False)
add("sum_empty", "sum", [inp(np.zeros((0, 3)))], np.zeros(3), dims=[0], keepdim=False)
add("sum_0d", "sum", [inp(np.array(2.5))], np.array(2.5), dims=None, keepdim=False)
big = rng.uniform(0, 1, 100_003).astype(np.float32)
add("sum_big_f32", "sum", [inp(big)], np.array(np.sum(big.astype(np.float64))).astype(np.float32), dims=None, keepdim=False)
add("all", "all", [inp(xi > -5)], np.all(xi > -5), dims=None, keepdim=False)
add("any_dim", "any", [inp(xi > 4)], np.any(xi > 4, axis=1), dims=[1], keepdim=False)
for d in [0, 1, -1]:
    add(f"cumsum_{d}", "cumsum", [inp(x)], np.cumsum(x, axis=d), dim=d)
    add(f"cumprod_{d}", "cumprod", [inp(x)], np.cumprod(x, axis=d), dim=d)
    add(f"sort_{d}", "sort", [inp(x)], (np.sort(x, axis=d), np.argsort(x, axis=d, kind="stable")), dim=d, descending=False)
    add(f"sortdesc_{d}", "sort", [inp(x)], (-np.sort(-x, axis=d), np.argsort(-x, axis=d, kind="stable")), dim=d, descending=True)
add("cumsum_int", "cumsum", [inp(xi.astype(np.int32))], np.cumsum(xi, axis=1).astype(np.int64), dim=1)
ties = np.array([3, 1, 2, 1, 3, 0], dtype=np.int64)
add("sort_ties", "sort", [inp(ties)], (np.sort(ties, kind="stable"), np.argsort(ties, kind="stable")), dim=0, descending=False)
add("topk", "topk", [inp(x)], (-np.sort(-x, axis=-1)[..., :2], np.argsort(-x, axis=-1, kind="stable")[..., :2]), k=2, dim=-1, largest=True)
add("topk_small", "topk", [inp(x)], (np.sort(x, axis=1)[:, :3], np.argsort(x, axis=1, kind="stable")[:, :3]), k=3, dim=1, largest=False)

# Shape ops.
a = rng.uniform(-1, 1, (2, 3)); b = rng.uniform(-1, 1, (2, 2)); c = rng.uniform(-1, 1, (2, 3))
add("cat_1", "cat", [inp(a), inp(b)], np.concatenate([a, b], axis=1), dim=1)
add("cat_0", "cat", [inp(a), inp(c)], np.concatenate([a, c], axis=0), dim=0)
add("stack_1", "stack", [inp(a), inp(c)], np.stack([a, c], axis=1), dim=1)
x = rng.uniform(-1, 1, (3, 4, 2))
add("flip_01", "flip", [inp(x)], np.flip(x, axis=(0, 1)), dims=[0, 1])
add("roll", "roll", [inp(x)], np.roll(x, (1, -2), axis=(0, 1)), shifts=[1, -2], dims=[0, 1])
add("roll_flat", "roll", [inp(x)], np.roll(x, 5), shifts=[5], dims=[])
add("repeat", "repeat", [inp(a)], np.tile(a, (2, 2, 3)), sizes=[2, 2, 3])
add("tile", "tile", [inp(a)], np.tile(a, (2,)), sizes=[2])
m = rng.uniform(-1, 1, (2, 4, 5))
for k in [-1, 0, 2]:
    add(f"tril_{k}", "tril", [inp(m)], np.tril(m, k), diagonal=k)
    add(f"triu_{k}", "triu", [inp(m)], np.triu(m, k), diagonal=k)
p = rng.uniform(-1, 1, (2, 3, 4))
add("pad_const", "pad", [inp(p)], np.pad(p, ((0, 0), (2, 1), (1, 3)), constant_values=1.5), padding=[1, 3, 2, 1], mode="constant", value=1.5)
add("pad_reflect", "pad", [inp(p)], np.pad(p, ((0, 0), (2, 1), (3, 2)), mode="reflect"), padding=[3, 2, 2, 1], mode="reflect", value=0.0)
add("pad_replicate", "pad", [inp(p)], np.pad(p, ((0, 0), (1, 2), (2, 4)), mode="edge"), padding=[2, 4, 1, 2], mode="replicate", value=0.0)
add("pad_neg", "pad", [inp(p)], p[:, :, 1:3], padding=[-1, -1], mode="constant", value=0.0)

# Matmul in every rank.
def mm(sa, sb, dt="float64", tag=""):
    a = rng.uniform(-1, 1, sa).astype(dt); b = rng.uniform(-1, 1, sb).astype(dt)
    add(f"matmul_{sa}_{sb}_{dt}{tag}", "matmul", [inp(a), inp(b)], np.matmul(a, b))
for sa, sb in [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4, 5)),
               ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)), ((0, 4), (4, 3)), ((3, 0), (0, 2))]:
    mm(sa, sb)
mm((5, 7), (7, 3), "float32")
mm((3, 4), (4, 2), "int64")
a = rng.uniform(-1, 1, (6, 4)); b = rng.uniform(-1, 1, (5, 6))
add("matmul_tt", "matmul", [inp(base_t(a.T), "t"), inp(base_t(b.T), "t")], a.T @ b.T)

# Indexing and gather/scatter.
x = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
add("adv_0", "index", [inp(x), inp(np.array([2, 0, -1]))], x[[2, 0, -1]], spec="T")
add("adv_1", "index", [inp(x), inp(np.array([[1, 3], [0, 2]]))], x[:, [[1, 3], [0, 2]]], spec=":T")
add("adv_pair", "index", [inp(x), inp(np.array([0, 2])), inp(np.array([1, 3]))], x[[0, 2], [1, 3]], spec="TT")
add("adv_split", "index", [inp(x), inp(np.array([0, 2])), inp(np.array([1, 4]))], x[[0, 2], :, [1, 4]], spec="T:T")
add("adv_mid", "index", [inp(x), inp(np.array([1, 3])), inp(np.array([0, 4]))], x[:, [1, 3], [0, 4]], spec=":TT")
mask = x[..., 0] > 20
add("adv_mask", "index", [inp(x), inp(mask)], x[mask], spec="T")
add("adv_slice_t", "index", [inp(x), inp(np.array([4, 0]))], x[1:, ::2, [4, 0]], spec="S1NS2T")
idx = rng.integers(0, 4, (3, 4, 5))
add("gather_1", "gather", [inp(x), inp(idx)], np.take_along_axis(x, idx, axis=1), dim=1)
idx2 = np.array([[0, 1, 2, 0], [2, 0, 0, 1]])
xx = rng.uniform(-1, 1, (3, 4))
add("gather_0", "gather", [inp(xx), inp(idx2)], np.take_along_axis(xx, idx2, axis=0), dim=0)
src = rng.uniform(-1, 1, (2, 4))
sc = np.zeros((3, 4)); sa = np.zeros((3, 4))
for i in range(2):
    for j in range(4):
        sc[idx2[i, j], j] = src[i, j]; sa[idx2[i, j], j] += src[i, j]
add("scatter_0", "scatter", [inp(np.zeros((3, 4))), inp(idx2), inp(src)], sc, dim=0)
add("scatter_add_0", "scatter_add", [inp(np.zeros((3, 4))), inp(idx2), inp(src)], sa, dim=0)
add("index_select_1", "index_select", [inp(x), inp(np.array([3, 0, 3]))], x[:, [3, 0, 3]], dim=1)
ia = np.zeros((3, 4)); srcr = rng.uniform(-1, 1, (3, 3)); ii = np.array([1, 3, 1])
ia2 = ia.copy(); np.add.at(ia2, (slice(None), ii), srcr)
add("index_add_1", "index_add", [inp(ia), inp(ii), inp(srcr)], ia2, dim=1)
add("take", "take", [inp(x), inp(np.array([[0, 59], [7, -1]]))], np.take(x, [[0, 59], [7, 59]]))
nzx = np.array([[0, 1.5, 0], [2, 0, 3]])
add("nonzero", "nonzero", [inp(nzx)], np.argwhere(nzx))
cond = rng.uniform(0, 1, (3, 1)) > 0.5
add("where", "where", [inp(cond), inp(rng.uniform(-1, 1, (3, 4))), inp(np.array([7.0, 8.0, 9.0, 10.0]))], None)
cases[-1]["expected"] = [enc(np.where(np.array(cases[-1]["inputs"][0]["data"]).reshape(3, 1), np.array(cases[-1]["inputs"][1]["data"]).reshape(3, 4), np.array([7.0, 8.0, 9.0, 10.0])))]
add("masked_select", "masked_select", [inp(xx), inp(xx > 0)], xx[xx > 0])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops.json")
with open(out, "w") as fh:
    json.dump({"generator": "generate.py", "numpy": np.__version__, "cases": cases}, fh, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {out}")
