#!/usr/bin/env python3
"""PyTorch's side of torch-gpu-check --bench: the same workloads, same keys, same timing method."""
import time
import torch

def t(fn, reps=20):
    fn(); torch.cuda.synchronize()
    s = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); torch.cuda.synchronize(); s.append(time.perf_counter() - t0)
    s.sort()
    return s[len(s) // 2]

dev = "cuda"
one = torch.ones(1, device=dev)
def adds():
    for _ in range(1000): one + one
print("torch add_1elem_us", t(adds, 5) / 1000 * 1e6)
n = 64 << 20
x = torch.ones(n, device=dev); y = torch.ones(n, device=dev)
print("torch add_64M_TBps", 3 * n * 4 / t(lambda: x + y) / 1e12)
print("torch sum_64M_TBps", n * 4 / t(lambda: x.sum()) / 1e12)
sm = torch.rand(8192, 8192, device=dev)
print("torch softmax_8192_TBps", 2 * 8192 * 8192 * 4 / t(lambda: torch.softmax(sm, 1), 10) / 1e12)
for k in (4096, 8192):
    for label, dt, tf32 in (("f32", torch.float32, False), ("tf32", torch.float32, True), ("bf16", torch.bfloat16, False)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        p = torch.rand(k, k, device=dev).to(dt); q = torch.rand(k, k, device=dev).to(dt)
        print(f"torch mm{k}_{label}_TFLOPs", 2 * k ** 3 / t(lambda: p @ q, 5) / 1e12)
torch.backends.cuda.matmul.allow_tf32 = False
xb = torch.randn(128, 784, device=dev); yb = torch.randint(0, 10, (128,), device=dev)
model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)).to(dev)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
def step():
    loss = torch.nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad(); loss.backward(); opt.step()
print("torch mlp_step_ms", t(step, 50) * 1e3)
