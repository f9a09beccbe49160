"""PyTorch's side of `torch-bench --distributed`: the same all-reduces and DDP step on gloo.

Two processes on this machine (torch.multiprocessing, TCP rendezvous on 127.0.0.1), one thread
each; rank 0 prints `key seconds` lines as scripts/bench_torch.py does.
"""
import os
import socket
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F


def timed(reps, f):
    f()
    s = []
    for _ in range(reps):
        dist.barrier()
        t0 = time.perf_counter()
        f()
        s.append(time.perf_counter() - t0)
    s.sort()
    return s[len(s) // 2]


def run(rank, n, port):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=n)
    for size in [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24, 26 << 20, 1 << 26]:
        t = torch.ones(size // 4)
        s = timed(5 if size >= 1 << 24 else 20, lambda: dist.all_reduce(t))
        if rank == 0:
            print(f"allreduce_{size} {s}", flush=True)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    ddp = nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(128 // n, 784), torch.randint(0, 10, (128 // n,))

    def step():
        opt.zero_grad()
        F.cross_entropy(ddp(x), y).backward()
        opt.step()
    s = timed(20, step)
    if rank == 0:
        print(f"ddp_mlp {s}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    mp.spawn(run, args=(2, port), nprocs=2)
