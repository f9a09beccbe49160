"""PyTorch's time for the main job's models on this machine: the same model, batch size,
optimizer (SGD, momentum 0.9) and learning rate as `torch-train`, on Fashion-MNIST from Debian's
dataset-fashion-mnist package, reading the IDX files with numpy. Prints time per epoch and test
accuracy. Usage: python scripts/train_torch.py [mlp|cnn] [epochs] [batch] [threads]
"""
import gzip
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

root = "/usr/share/datasets/fashion-mnist"
model_name = sys.argv[1] if len(sys.argv) > 1 else "mlp"
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 64
torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 2)
torch.manual_seed(0)


def idx(name):
    with gzip.open(f"{root}/{name}", "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


x = torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32) / 255
y = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.int64)
tx = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32) / 255
ty = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.int64)
mean, std = x.mean(), x.std()
x, tx = ((x - mean) / std).unsqueeze(1), ((tx - mean) / std).unsqueeze(1)

if model_name == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    lr = 0.01
else:
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    lr = 0.03
opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch, shuffle=True)
for epoch in range(1, epochs + 1):
    model.train()
    t0 = time.perf_counter()
    for xb, yb in loader:
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
    t = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        acc = (model(tx).argmax(1) == ty).float().mean().item()
    print(f"epoch {epoch}: {t:.2f} s, test accuracy {acc:.4f}", flush=True)
print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")
