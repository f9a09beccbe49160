"""PyTorch's side of `torch-bench --models`: the same workloads, printed as `key seconds` lines.

Run by the benchmark CLI with the Python of a virtualenv that has torch (see
scripts/setup-torch.sh), under MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ so that large
temporaries do not pay page faults (PyTorch's best figure, as the issues ask).
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def t(f, reps=7, inner=1):
    f()
    s = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            f()
        s.append((time.perf_counter() - t0) / inner)
    s.sort()
    return s[len(s) // 2]


quick = "--quick" in sys.argv
fft_only = "--fft-only" in sys.argv  # section 9 alone
sampling_only = "--sampling-only" in sys.argv or fft_only  # section 8 (and 9) alone
linalg_only = "--linalg-only" in sys.argv or sampling_only  # section 7 (and 8) alone
nn_only = "--nn-only" in sys.argv  # the nn section alone
torch.manual_seed(0)


def nn_bench():
    """nn layers and LBFGS (#16), all threads of this machine's budget (2)."""
    torch.set_num_threads(2)
    nreps = 3 if quick else 5
    layer = nn.TransformerEncoderLayer(256, 8, 1024, dropout=0.0, batch_first=True)
    src = torch.randn(16, 64, 256)

    def tel_fwd():
        with torch.no_grad():
            layer(src)

    def tel_fwd_bwd():
        layer.zero_grad()
        layer(src).sum().backward()
    print("tel_fwd", t(tel_fwd, reps=nreps))
    print("tel_fwd_bwd", t(tel_fwd_bwd, reps=nreps))
    cell = nn.LSTMCell(256, 512)
    xs = torch.randn(35, 32, 256)

    def lstmcell():
        cell.zero_grad()
        h, c = torch.zeros(32, 512), torch.zeros(32, 512)
        for step in range(35):
            h, c = cell(xs[step], (h, c))
        h.sum().backward()
    print("lstmcell_35", t(lstmcell, reps=nreps))
    img = torch.randn(16, 32, 64, 64)
    for mode in ("nearest", "bilinear", "bicubic"):
        kw = {} if mode == "nearest" else {"align_corners": False}
        print(f"interp_{mode}", t(lambda: F.interpolate(img, scale_factor=2, mode=mode, **kw), reps=nreps))
    theta = torch.tensor([[0.9, 0.1, 0.05], [-0.1, 0.9, 0.0]]).unsqueeze(0).expand(16, 2, 3).contiguous()
    grid = F.affine_grid(theta, [16, 32, 64, 64], align_corners=False)
    print("grid_sample", t(lambda: F.grid_sample(img, grid, align_corners=False), reps=nreps))
    X, Y = torch.randn(512, 64), torch.randn(512, 1)

    def lbfgs():
        model = nn.Sequential(nn.Linear(64, 128), nn.Tanh(), nn.Linear(128, 1))
        opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=20, tolerance_grad=0, tolerance_change=0)

        def closure():
            opt.zero_grad()
            loss = F.mse_loss(model(X), Y)
            loss.backward()
            return loss
        opt.step(closure)
    print("lbfgs_20", t(lbfgs, reps=nreps))


def export_bench():
    """Tracing, ONNX export and profiler overhead (#19): torch.onnx.export (the TorchScript-based
    exporter, which needs the onnx package) and torch.jit.trace, one thread."""
    import io
    import warnings
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed, self.lstm, self.decoder = nn.Embedding(10000, 200), nn.LSTM(200, 200, 2), nn.Linear(200, 10000)

        def forward(self, x):
            y, _ = self.lstm(self.embed(x))
            return self.decoder(y)
    lm, tokens = LM().eval(), torch.randint(0, 10000, (35, 20))
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(256, 8, 1024, dropout=0.1), 2).eval()
    src = torch.randn(64, 16, 256)
    for key, m, args in (("lstm", lm, (tokens,)), ("transformer", enc, (src,))):
        print(f"trace_{key}", t(lambda: torch.jit.trace(m, args), reps=3))
        try:
            import onnx  # noqa: F401 (torch.onnx.export needs it)
            print(f"export_{key}", t(lambda: torch.onnx.export(m, args, io.BytesIO(), dynamo=False, opset_version=17), reps=3))
        except ImportError:
            pass
    x, y = torch.ones(1), torch.ones(1)
    print("prof_off_add", t(lambda: x + y, inner=20000))
    with torch.profiler.profile():
        on = t(lambda: x + y, inner=20000)
    print("prof_on_add", on)


if "--export-only" in sys.argv:
    export_bench()
    sys.exit(0)
if nn_only:
    nn_bench()
    sys.exit(0)

# Autograd overheads (single thread is what matters here).
torch.set_num_threads(1)
a = torch.ones(1, requires_grad=True)
b = torch.ones(1, requires_grad=True)
if not linalg_only:
    print("rec_mul", t(lambda: a * b, inner=20000))
    print("tiny_backward", t(lambda: (a * b).sum().backward(), inner=2000))


def mlp_step():
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def lenet_step():
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return step


conv = nn.Conv2d(3, 64, 3, padding=1)
cx = torch.randn(32, 3, 32, 32)
cxg = cx.clone().requires_grad_(True)


def conv_fwd():
    with torch.no_grad():
        conv(cx)


def conv_fwd_bwd():
    conv.zero_grad()
    cxg.grad = None
    conv(cxg).sum().backward()


lstm = nn.LSTM(200, 200, num_layers=2)
lx = torch.randn(35, 20, 200)


def lstm_fwd_bwd():
    lstm.zero_grad()
    out, _ = lstm(lx)
    out.sum().backward()


reps = 3 if quick else 7
for threads in () if linalg_only else (1, 2):
    torch.set_num_threads(threads)
    print(f"mlp_{threads}", t(mlp_step(), reps=reps, inner=5))
    print(f"lenet_{threads}", t(lenet_step(), reps=reps, inner=3))
    print(f"conv_fwd_{threads}", t(conv_fwd, reps=reps, inner=3))
    print(f"conv_fwd_bwd_{threads}", t(conv_fwd_bwd, reps=reps))
    print(f"lstm_{threads}", t(lstm_fwd_bwd, reps=reps))

if not sampling_only:
    nn_bench()
    # Linear algebra, einsum and ordering (#14), all threads of this machine's budget (2).
    torch.set_num_threads(2)
    lreps = 3 if quick else 5
    A512 = torch.randn(512, 512) + 512 ** 0.5 * torch.eye(512)
    B512 = torch.randn(512, 64)
    S512 = A512 @ A512.mT + 512 * torch.eye(512)
    Ab = torch.randn(64, 64, 64) + 8 * torch.eye(64)
    Bb = torch.randn(64, 64, 8)
    Sb = Ab @ Ab.mT + 64 * torch.eye(64)
    print("solve512", t(lambda: torch.linalg.solve(A512, B512), reps=lreps))
    print("cholesky512", t(lambda: torch.linalg.cholesky(S512), reps=lreps))
    print("svd512", t(lambda: torch.linalg.svd(A512), reps=lreps))
    print("solve_b64", t(lambda: torch.linalg.solve(Ab, Bb), reps=lreps))
    print("cholesky_b64", t(lambda: torch.linalg.cholesky(Sb), reps=lreps))
    print("svd_b64", t(lambda: torch.linalg.svd(Ab), reps=lreps))
    q = torch.randn(8, 8, 128, 64)
    k = torch.randn(8, 8, 128, 64)
    print("einsum_attn", t(lambda: torch.einsum("bhqd,bhkd->bhqk", q, k), reps=lreps))
    c1, c2, c3 = torch.randn(256, 512), torch.randn(512, 32), torch.randn(32, 512)
    print("einsum_chain", t(lambda: torch.einsum("ij,jk,kl->il", c1, c2, c3), reps=lreps))
    big = torch.randn(10_000_000)
    print("median10M", t(lambda: big.median(), reps=3))
    print("quantile8M", t(lambda: torch.quantile(big[:8_000_000], 0.9), reps=3))
    print("unique10M", t(lambda: torch.unique(big.mul(100).round()), reps=3))
    print("sort10M", t(lambda: big.sort(), reps=3))

# Sampling throughput (#15): one million draws each, all threads.
torch.set_num_threads(2)
sreps = 3 if quick else 5
if not fft_only:
    normal = torch.distributions.Normal(torch.zeros(1000), torch.ones(1000))
    print("sample_normal", t(lambda: normal.sample((1000,)), reps=sreps))
    cat = torch.distributions.Categorical(logits=torch.randn(1000))
    print("sample_categorical", t(lambda: cat.sample((1_000_000,)), reps=sreps))
    gamma = torch.distributions.Gamma(torch.full((1000,), 2.5), torch.ones(1000))
    print("sample_gamma", t(lambda: gamma.sample((1000,)), reps=sreps))

# FFTs (#15): numpy.fft (pocketfft) and torch.fft (MKL) on the same single-precision inputs.
import numpy as np
for p in range(10, 23, 2):
    n = 1 << p
    inner = max(1, (1 << 20) // n)
    z = torch.randn(n, dtype=torch.complex64)
    x = torch.randn(n)
    zn, xn = z.numpy(), x.numpy()
    print(f"torch_fft_c_{p}", t(lambda: torch.fft.fft(z), reps=sreps, inner=inner))
    print(f"np_fft_c_{p}", t(lambda: np.fft.fft(zn), reps=sreps, inner=inner))
    print(f"torch_rfft_r_{p}", t(lambda: torch.fft.rfft(x), reps=sreps, inner=inner))
    print(f"np_rfft_r_{p}", t(lambda: np.fft.rfft(xn), reps=sreps, inner=inner))
prime = torch.randn(10007, dtype=torch.complex64)
print("torch_fft_prime", t(lambda: torch.fft.fft(prime), reps=sreps, inner=20))
print("np_fft_prime", t(lambda: np.fft.fft(prime.numpy()), reps=sreps, inner=20))
image = torch.randn(1024, 1024, dtype=torch.complex64)
print("torch_fft2_1024", t(lambda: torch.fft.fft2(image), reps=sreps))
print("np_fft2_1024", t(lambda: np.fft.fft2(image.numpy()), reps=sreps))
real_image = torch.randn(1024, 1024)
print("torch_rfft2_1024", t(lambda: torch.fft.rfft2(real_image), reps=sreps))
print("np_rfft2_1024", t(lambda: np.fft.rfft2(real_image.numpy()), reps=sreps))
