"""PyTorch's side of `torch-bench --kernels`: the same workloads and shapes as
Sources/Programs/TorchBench/Kernels.swift, each timed at each thread count (1 and 2 unless given; median of
`reps` runs after a warm-up), printed as `key_threads seconds` lines.
Usage: bench_kernels_torch.py [reps] [threads, e.g. 1,2,4]
       bench_kernels_torch.py --serve (requests "key threads reps" on standard input, one a line)
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

args = [a for a in sys.argv[1:] if a != "--serve"]
reps = int(args[0]) if len(args) > 0 else 5
thread_counts = [int(v) for v in args[1].split(",")] if len(args) > 1 else [1, 2]
torch.manual_seed(0)


def t(f):
    f()
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        samples.append(time.perf_counter() - t0)
    return sorted(samples)[len(samples) // 2]


rows = []
for n in (1024, 4096):
    a, b = torch.randn(n, n), torch.randn(n, n)
    rows.append((f"sgemm{n}", lambda a=a, b=b: a @ b))
conv_t = nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1, bias=False)
z_t = torch.randn(16, 128, 16, 16)
sr = nn.Conv2d(64, 64, 3, padding=1)
x_sr = torch.randn(4, 64, 64, 64)
dw = nn.Conv2d(64, 64, 3, padding=1, groups=64)
x_dw = torch.randn(8, 64, 56, 56)
pw = nn.Conv2d(64, 256, 1)


def no_grad(f):
    def g():
        with torch.no_grad():
            f()
    return g


rows += [("convt", no_grad(lambda: conv_t(z_t))), ("conv3x3", no_grad(lambda: sr(x_sr))),
         ("depthwise", no_grad(lambda: dw(x_dw))), ("conv1x1", no_grad(lambda: pw(x_dw)))]
net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10), nn.LogSoftmax(dim=1))
opt = torch.optim.Adadelta(net.parameters(), lr=1.0)
x_m, y_m = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))


def mnist_step():
    opt.zero_grad()
    F.nll_loss(net(x_m), y_m).backward()
    opt.step()


tel = nn.TransformerEncoderLayer(256, 4, 1024, dropout=0.0, batch_first=True)
src = torch.randn(32, 128, 256)


def tel_step():
    tel.zero_grad()
    tel(src).sum().backward()


# PyTorch's word_language_model step (LSTM, emsize = nhid = 200, 2 layers, bptt 35, batch 20,
# dropout 0.2, a 10 000-word vocabulary), as Kernels.swift.
vocab = 10_000
emb, lstm, dec, drop = nn.Embedding(vocab, 200), nn.LSTM(200, 200, 2, dropout=0.2), nn.Linear(200, vocab), nn.Dropout(0.2)
lm_params = list(emb.parameters()) + list(lstm.parameters()) + list(dec.parameters())
tokens, targets = torch.randint(0, vocab, (35, 20)), torch.randint(0, vocab, (35 * 20,))
hidden = [(torch.zeros(2, 20, 200), torch.zeros(2, 20, 200))]


def wordlm_step():
    for p in lm_params:
        p.grad = None
    out, h = lstm(drop(emb(tokens)), tuple(t.detach() for t in hidden[0]))
    hidden[0] = h
    F.cross_entropy(dec(drop(out)).view(-1, vocab), targets).backward()
    torch.nn.utils.clip_grad_norm_(lm_params, 0.25)
    with torch.no_grad():
        for p in lm_params:
            p.add_(p.grad, alpha=-20.0)


ln = nn.LayerNorm(1024)
x_ln = torch.randn(4096, 1024)
rows += [("mnist_step", mnist_step), ("tel_big", tel_step), ("wordlm", wordlm_step),
         ("layernorm", no_grad(lambda: ln(x_ln))), ("softmax", lambda: x_ln.softmax(dim=1))]
# bfloat16 (Note [bfloat16 GEMM]): a product and super-resolution's convolution.
a16, b16 = torch.randn(2048, 2048).bfloat16(), torch.randn(2048, 2048).bfloat16()
sr16, x_sr16 = nn.Conv2d(64, 64, 3, padding=1).bfloat16(), x_sr.bfloat16()
rows += [("bf16gemm2048", lambda: a16 @ b16), ("bf16conv3x3", no_grad(lambda: sr16(x_sr16)))]
if "--serve" in sys.argv:
    # Interleaved with SwiftTorch's timings (torch-bench --kernels): one request a line,
    # "key threads reps", answered with the median seconds, so that both sides of a row are
    # timed within seconds of each other on a machine whose speed drifts.
    table = dict(rows)
    print("ready", flush=True)
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 3 or parts[0] not in table:
            print("nan", flush=True)
            continue
        torch.set_num_threads(int(parts[1]))
        reps = int(parts[2])
        print(t(table[parts[0]]), flush=True)
    sys.exit(0)
for threads in thread_counts:
    torch.set_num_threads(threads)
    for key, f in rows:
        print(f"{key}_{threads} {t(f)}", flush=True)
