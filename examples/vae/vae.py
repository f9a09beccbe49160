"""The same VAE in PyTorch (examples/vae/main.py with torch.distributions), on Debian's Fashion-MNIST.

    .venv-torch/bin/python examples/vae/vae.py [--epochs 2]
"""
import argparse, gzip, time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Normal, kl_divergence

p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()
torch.manual_seed(a.seed)


def images(name):
    with gzip.open(f"/usr/share/datasets/fashion-mnist/{name}-images-idx3-ubyte.gz") as f:
        return torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=16).copy()).float().view(-1, 784) / 255


train, test = images("train"), images("t10k")


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return Normal(self.fc21(h), (0.5 * self.fc22(h)).exp())

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))


model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
prior = Normal(0.0, 1.0)


def loss_of(x):
    q = model.encode(x)
    recon = model.decode(q.rsample())
    return F.binary_cross_entropy(recon, x, reduction="sum") + kl_divergence(q, prior.expand(q.batch_shape)).sum()


for epoch in range(1, a.epochs + 1):
    total, start = 0.0, time.time()
    for idx in torch.randperm(len(train)).split(128):
        loss = loss_of(train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    with torch.no_grad():
        test_loss = loss_of(test).item() / len(test)
    print(f"====> Epoch: {epoch} Average loss: {total / len(train):.4f}  Test set loss: {test_loss:.4f}  "
          f"({time.time() - start:.1f} s)")
