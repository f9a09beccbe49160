#!/usr/bin/env python3
"""Writes complex.json: PyTorch's results for SwiftTorch's complex-tensor and torch.fft tests.

Each case names an op (the Swift test keeps a table of the same names), its inputs, keyword
arguments, PyTorch's output and, for differentiable cases, the gradients of the inputs for the
real loss L = sum(view_as_real(out) * W) (or sum(out * W) for a real output), W[k] = cos(0.7·k + 0.3)
over the flattened parts. Complex tensors are written as their interleaved (real, imag) parts.
Run with PyTorch: .venv-torch/bin/python Tests/TorchTests/Fixtures/generate_complex.py
"""
import json, math, os
import torch

torch.manual_seed(7)
cases = []


def enc(t):
    t = t.detach()
    if t.is_complex():
        flat = torch.view_as_real(t.resolve_conj()).reshape(-1).double().tolist()
    else:
        flat = t.reshape(-1).double().tolist() if t.dtype != torch.bool else [float(v) for v in t.reshape(-1).tolist()]
    data = [None if math.isnan(v) else ("inf" if v == math.inf else ("-inf" if v == -math.inf else v)) for v in flat]
    return {"data": data, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}


def weights(out):
    n = (torch.view_as_real(out) if out.is_complex() else out).numel()
    w = torch.cos(torch.arange(n, dtype=torch.float64) * 0.7 + 0.3)
    return w.reshape(torch.view_as_real(out).shape if out.is_complex() else out.shape)


def add(name, op, fn, inputs, grad=True, **args):
    ins = [x.clone().requires_grad_(grad and (x.is_complex() or x.is_floating_point())) for x in inputs]
    out = fn(*ins, **args)
    if isinstance(out, torch.Tensor) and out.is_complex() and out.is_conj():
        out = out.resolve_conj()
    if out.is_complex():
        out = out.resolve_conj()
    case = {"name": name, "op": op, "inputs": [enc(x) for x in inputs], "args": args, "output": enc(out)}
    needs = [x for x in ins if x.requires_grad]
    if grad and needs and (out.is_complex() or out.is_floating_point()):
        w = weights(out).to(torch.view_as_real(out).dtype if out.is_complex() else out.dtype)
        loss = ((torch.view_as_real(out) if out.is_complex() else out) * w).sum()
        gs = torch.autograd.grad(loss, needs, allow_unused=True)
        case["grads"] = [enc(g if g is not None else torch.zeros_like(x)) for g, x in zip(gs, needs)]
    cases.append(case)


def cz(shape, dtype=torch.complex128, scale=1.0):
    return (torch.randn(shape, dtype=dtype) * scale)


# Element-wise arithmetic, with broadcasting and promotion.
for dt in [torch.complex128, torch.complex64]:
    s = str(dt).replace("torch.", "")
    a, b = cz([3, 4], dt), cz([4], dt)
    add(f"add_{s}", "add", lambda x, y: x + y, [a, b])
    add(f"sub_{s}", "sub", lambda x, y: x - y, [a, b])
    add(f"mul_{s}", "mul", lambda x, y: x * y, [a, b])
    add(f"div_{s}", "div", lambda x, y: x / y, [a, b])
    add(f"pow_{s}", "pow", lambda x, y: x ** y, [a, cz([4], dt, 0.5)])
    for u in ["exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "reciprocal", "neg", "abs",
              "angle", "conj", "sgn", "square"]:
        add(f"{u}_{s}", u, getattr(torch, u), [cz([2, 5], dt)])
x = cz([3, 4])
add("mul_real_complex", "mul", lambda x, y: x * y, [torch.randn(3, 4, dtype=torch.float64), x])
add("add_float32_complex128", "add", lambda x, y: x + y, [torch.randn(4), cz([3, 4])])
add("add_float64_complex64", "add", lambda x, y: x + y, [torch.randn(4, dtype=torch.float64), cz([3, 4], torch.complex64)])
add("mul_int_complex", "mul", lambda x, y: x * y, [torch.arange(4), cz([3, 4], torch.complex64)], grad=False)
add("mul_scalar_1j", "mul_scalar_1j", lambda x: x * 1j, [torch.randn(3, dtype=torch.float64)])
add("mul_scalar_1j_f32", "mul_scalar_1j", lambda x: x * 1j, [torch.randn(3)])
add("add_scalar_complex", "add_scalar_complex", lambda x: x + (2 - 1j), [cz([3])])
add("pow_scalar_2", "pow_scalar_2", lambda x: x ** 2, [cz([5])])
add("pow_scalar_half", "pow_scalar_half", lambda x: x ** 0.5, [cz([5])])
add("div_by_real", "div", lambda x, y: x / y, [cz([3, 2]), torch.randn(2, dtype=torch.float64)])
add("div_large", "div", lambda x, y: x / y,
    [torch.tensor([1e300 + 1e300j, 3 + 4j]), torch.tensor([1e300 + 1e300j, 1e-300 + 1e-300j])], grad=False)
add("abs_large", "abs", torch.abs, [torch.tensor([3e200 + 4e200j, 0j, -3 - 4j])], grad=False)
add("sqrt_branch", "sqrt", torch.sqrt,
    [torch.tensor([-4 + 0j, -4 - 0j, complex(-1e-20, 1.0), 1e10 + 1j, -1e10 + 1j, 0j])], grad=False)
add("exp_edges", "exp", torch.exp, [torch.tensor([complex(0, math.pi), complex(-math.inf, 0), complex(700, 0.5)])],
    grad=False)
add("log_edges", "log", torch.log, [torch.tensor([-1 + 0j, -1 - 0j, 1e-300j, complex(math.inf, 1)])], grad=False)
add("isnan", "isnan", torch.isnan, [torch.tensor([complex(math.nan, 0), complex(0, math.nan), 1 + 1j])], grad=False)
add("isinf", "isinf", torch.isinf, [torch.tensor([complex(math.inf, 0), complex(0, -math.inf), 1 + 1j])], grad=False)
add("isfinite", "isfinite", torch.isfinite, [torch.tensor([complex(math.inf, 0), complex(math.nan, 1), 1 + 1j])],
    grad=False)
add("eq", "eq", lambda x, y: x == y, [torch.tensor([1 + 1j, 2 + 0j, 1j]), torch.tensor([1 + 1j, 2 + 1j, 0j])],
    grad=False)
add("ne", "ne", lambda x, y: x != y, [torch.tensor([1 + 1j, 2 + 0j, 1j]), torch.tensor([1 + 1j, 2 + 1j, 0j])],
    grad=False)
add("abs_zero_grad", "abs", torch.abs, [torch.tensor([0j, 3 + 4j])])
add("sgn_zero", "sgn", torch.sgn, [torch.tensor([0j, 3 + 4j])], grad=False)

# Parts, construction, conversions.
add("real", "real", lambda x: x.real, [cz([2, 3])])
add("imag", "imag", lambda x: x.imag, [cz([2, 3])])
add("view_as_real", "view_as_real", torch.view_as_real, [cz([2, 3])])
add("view_as_complex", "view_as_complex", torch.view_as_complex, [torch.randn(3, 2, dtype=torch.float64)])
add("complex", "complex", torch.complex, [torch.randn(3, 1, dtype=torch.float64), torch.randn(4, dtype=torch.float64)])
add("polar", "polar", torch.polar, [torch.rand(5, dtype=torch.float64) + 0.5, torch.randn(5, dtype=torch.float64)])
add("angle_real", "angle", torch.angle, [torch.tensor([-2.0, 0.0, 3.0, math.nan, -0.0])], grad=False)
add("to_complex128", "to_complex128", lambda x: x.to(torch.complex128), [cz([4], torch.complex64)])
add("to_complex_from_real", "to_complex128", lambda x: x.to(torch.complex128), [torch.randn(4, dtype=torch.float64)])
add("to_float64", "to_float64", lambda x: x.real.to(torch.float64), [cz([4])])

# Reductions and products.
add("sum", "sum", lambda x: x.sum(), [cz([3, 4])])
add("sum_dim1", "sum_dim1", lambda x: x.sum(1), [cz([3, 4])])
add("sum_dim_neg_keep", "sum_dim_neg_keep", lambda x: x.sum(-2, keepdim=True), [cz([2, 3, 4])])
add("mean", "mean", lambda x: x.mean(), [cz([3, 4])])
add("mean_dim0", "mean_dim0", lambda x: x.mean(0), [cz([3, 4], torch.complex64)])
add("prod", "prod", lambda x: x.prod(), [cz([5], scale=0.8)])
add("prod_dim0", "prod_dim0", lambda x: x.prod(0), [cz([5, 3], scale=0.8)])
for dt in [torch.complex128, torch.complex64]:
    s = str(dt).replace("torch.", "")
    add(f"matmul_{s}", "matmul", torch.matmul, [cz([3, 4], dt), cz([4, 2], dt)])
add("matmul_batched", "matmul", torch.matmul, [cz([2, 3, 4]), cz([4])])
add("cat", "cat", lambda x, y: torch.cat([x, y], 0), [cz([2, 3]), cz([1, 3])])
add("transpose_contiguous", "transpose_contiguous", lambda x: x.t().contiguous(), [cz([2, 3])])
add("where", "where", lambda x, y: torch.where(x.real > 0, x, y), [cz([5]), cz([5])])
add("index_select", "index_select", lambda x: x[torch.tensor([2, 0])], [cz([3, 2])])

# torch.fft: every transform, lengths of every planning path (radix 4/2/3/5, generic primes up
# to 31, Bluestein above), norms, dims, n/s padding and trimming, float32 and float64.
F = torch.fft
for n in [1, 2, 3, 4, 5, 6, 7, 8, 12, 15, 16, 30, 31, 37, 49, 64, 97, 100, 106, 121, 128, 1000, 1024]:
    grad = n <= 16
    add(f"fft_{n}", "fft", lambda x: F.fft(x), [cz([2, n])], grad=grad)
    add(f"ifft_{n}", "ifft", lambda x: F.ifft(x), [cz([2, n])], grad=grad)
    add(f"rfft_{n}", "rfft", lambda x: F.rfft(x), [torch.randn(2, n, dtype=torch.float64)], grad=grad)
    add(f"irfft_{n}", "irfft_n", lambda x, n: F.irfft(x, n=n), [cz([2, n // 2 + 1])], grad=grad, n=n)
for dt in [torch.complex64]:
    add("fft_c64_60", "fft", lambda x: F.fft(x), [cz([3, 60], dt)])
    add("rfft_f32_48", "rfft", lambda x: F.rfft(x), [torch.randn(3, 48)])
    add("irfft_c64_48", "irfft_n", lambda x, n: F.irfft(x, n=n), [cz([3, 25], dt)], n=48)
    add("fft_f32_real_input", "fft", lambda x: F.fft(x), [torch.randn(5)])
    add("fft_c64_bluestein", "fft", lambda x: F.fft(x), [cz([2, 101], dt)], grad=False)
add("fft_int_input", "fft", lambda x: F.fft(x), [torch.arange(6)], grad=False)
for norm in ["backward", "ortho", "forward"]:
    add(f"fft_norm_{norm}", "fft_norm", lambda x, norm: F.fft(x, norm=norm), [cz([3, 10])], norm=norm)
    add(f"ifft_norm_{norm}", "ifft_norm", lambda x, norm: F.ifft(x, norm=norm), [cz([3, 10])], norm=norm)
    add(f"rfft_norm_{norm}", "rfft_norm", lambda x, norm: F.rfft(x, norm=norm), [torch.randn(3, 10, dtype=torch.float64)],
        norm=norm)
    add(f"irfft_norm_{norm}", "irfft_norm", lambda x, norm: F.irfft(x, norm=norm), [cz([3, 6])], norm=norm)
    add(f"hfft_norm_{norm}", "hfft_norm", lambda x, norm: F.hfft(x, norm=norm), [cz([3, 6])], norm=norm)
    add(f"ihfft_norm_{norm}", "ihfft_norm", lambda x, norm: F.ihfft(x, norm=norm), [torch.randn(3, 9, dtype=torch.float64)],
        norm=norm)
    add(f"fftn_norm_{norm}", "fftn_norm", lambda x, norm: F.fftn(x, norm=norm), [cz([3, 4, 5])], norm=norm)
    add(f"irfftn_norm_{norm}", "irfftn_norm", lambda x, norm: F.irfftn(x, norm=norm), [cz([3, 4, 5])], norm=norm)
add("fft_n_pad", "fft_n_dim", lambda x, n, dim: F.fft(x, n=n, dim=dim), [cz([5, 3])], n=8, dim=0)
add("fft_n_trim", "fft_n_dim", lambda x, n, dim: F.fft(x, n=n, dim=dim), [cz([3, 9])], n=4, dim=-1)
add("rfft_n_pad_dim0", "rfft_n_dim", lambda x, n, dim: F.rfft(x, n=n, dim=dim), [torch.randn(5, 3, dtype=torch.float64)],
    n=9, dim=0)
add("irfft_default_n_dim0", "irfft_dim", lambda x, dim: F.irfft(x, dim=dim), [cz([5, 3])], dim=0)
add("irfft_n_odd_trim", "irfft_n", lambda x, n: F.irfft(x, n=n), [cz([2, 8])], n=7)
add("irfft_n_even_pad", "irfft_n", lambda x, n: F.irfft(x, n=n), [cz([2, 3])], n=10)
add("irfft_real_input", "irfft_n", lambda x, n: F.irfft(x, n=n), [torch.randn(2, 5, dtype=torch.float64)], n=8)
add("hfft_n", "hfft_n", lambda x, n: F.hfft(x, n=n), [cz([4])], n=7)
add("ihfft_odd", "ihfft_norm", lambda x, norm: F.ihfft(x, norm=norm), [torch.randn(7, dtype=torch.float64)],
    norm="backward")
add("fft2", "fft2", lambda x: F.fft2(x), [cz([2, 6, 5])])
add("ifft2", "ifft2", lambda x: F.ifft2(x), [cz([2, 6, 5])])
add("rfft2", "rfft2", lambda x: F.rfft2(x), [torch.randn(2, 6, 5, dtype=torch.float64)])
add("irfft2", "irfft2", lambda x: F.irfft2(x), [cz([2, 6, 4])])
add("fft2_s", "fft2_s", lambda x, s: F.fft2(x, s=s), [cz([4, 4])], s=[6, 3])
add("irfft2_s", "irfft2_s", lambda x, s: F.irfft2(x, s=s), [cz([4, 4])], s=[5, 7])
add("fftn_dims", "fftn_dims", lambda x, dim: F.fftn(x, dim=dim), [cz([3, 4, 5])], dim=[0, 2])
add("ifftn_s", "ifftn_s", lambda x, s: F.ifftn(x, s=s), [cz([3, 4, 5])], s=[2, 6])
add("rfftn", "rfftn", lambda x: F.rfftn(x), [torch.randn(3, 4, 6, dtype=torch.float64)])
add("rfftn_dims", "rfftn_dims", lambda x, dim: F.rfftn(x, dim=dim), [torch.randn(3, 4, 6, dtype=torch.float64)],
    dim=[0, 1])
add("irfftn_s", "irfftn_s", lambda x, s: F.irfftn(x, s=s), [cz([3, 4, 4])], s=[3, 4, 6])
add("fft_noncontiguous", "fft_n_dim", lambda x, n, dim: F.fft(x.transpose(0, 1), n=n, dim=dim), [cz([6, 4])], n=6,
    dim=1)
add("fft_1d_real_to_ifft", "ifft_norm", lambda x, norm: F.ifft(x, norm=norm), [torch.randn(8, dtype=torch.float64)],
    norm="ortho")
add("fft_edges", "fft", lambda x: F.fft(x), [torch.tensor([1 + 0j, complex(math.inf, 0), 0j, 2j])], grad=False)
add("fft_nan", "fft", lambda x: F.fft(x), [torch.tensor([1 + 0j, complex(math.nan, 0), 0j, 2j])], grad=False)
for n in [1, 4, 5, 8]:
    add(f"fftfreq_{n}", "fftfreq", lambda n, d: F.fftfreq(n, d, dtype=torch.float64), [], grad=False, n=n, d=0.5)
    add(f"rfftfreq_{n}", "rfftfreq", lambda n, d: F.rfftfreq(n, d, dtype=torch.float64), [], grad=False, n=n, d=0.5)
add("fftshift", "fftshift", lambda x: F.fftshift(x), [torch.arange(15, dtype=torch.float64).reshape(3, 5)])
add("ifftshift", "ifftshift", lambda x: F.ifftshift(x), [torch.arange(15, dtype=torch.float64).reshape(3, 5)])
add("fftshift_dim", "fftshift_dim", lambda x, dim: F.fftshift(x, dim=dim), [cz([4, 5])], dim=[1])

# linalg.eig of real matrices: the order of the eigenvalues and each vector's phase are LAPACK's
# choices, so the cases use order- and phase-invariant outputs: the eigenvalues sorted, and
# sum |v_i^H B v_i| over the eigenvectors; their gradients too.
def eig_sorted(a):
    l = torch.linalg.eigvals(a)
    key = torch.view_as_real(l)
    order = torch.argsort(key[..., 0] * 1000 + key[..., 1], dim=-1)
    return torch.gather(l, -1, order)


B = torch.randn(4, 4, dtype=torch.float64)
for k, shape in enumerate([[4, 4], [2, 4, 4], [3, 4, 4]]):
    a = torch.randn(shape, dtype=torch.float64)
    add(f"eigvals_pow_{k}", "eigvals_pow", lambda x: (torch.linalg.eigvals(x) ** 2).sum(-1), [a])
    add(f"eigvals_sorted_{k}", "eigvals_sorted", eig_sorted, [a], grad=False)
    add(f"eig_vhbv_{k}", "eig_vhbv", lambda x, b: (torch.linalg.eig(x)[1].mH @ b.to(torch.complex128) @
                                                   torch.linalg.eig(x)[1]).diagonal(dim1=-2, dim2=-1).abs().sum(-1),
        [a, B])
add("eigvals_rotation", "eigvals_sorted", eig_sorted, [torch.tensor([[0.0, -1.0], [1.0, 0.0]], dtype=torch.float64)],
    grad=False)
add("eigvals_f32", "eigvals_sorted", eig_sorted, [torch.randn(5, 5)], grad=False)
json.dump({"cases": cases}, open(os.path.join(os.path.dirname(__file__), "complex.json"), "w"))
print(len(cases), "cases")
