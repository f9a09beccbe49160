#!/usr/bin/env python3
"""PyTorch's VAE example (examples/vae), shrunk to 16-12-3 and ported line by line: from fixed
weights, inputs and reparameterisation noise, 30 Adam steps of BCE(sum) + KL. Writes the
weights, data, noise and PyTorch's losses to vae.json; TutorialTests.testVAE trains the same
model in SwiftTorch. Its loss squares mu (`mu.pow(2)`), which is negative half the time.

    .venv-torch/bin/python Tests/TorchTests/Fixtures/generate_vae.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
D, H, Z, N, STEPS = 16, 12, 3, 8, 30


class VAE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(D, H)
        self.fc21 = torch.nn.Linear(H, Z)
        self.fc22 = torch.nn.Linear(H, Z)
        self.fc3 = torch.nn.Linear(Z, H)
        self.fc4 = torch.nn.Linear(H, D)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar, eps):
        std = torch.exp(0.5 * logvar)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x, eps):
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, eps)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


model = VAE()
weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
x = torch.rand(N, D)
noise = [torch.randn(N, Z) for _ in range(STEPS)]
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
losses = []
for step in range(STEPS):
    opt.zero_grad()
    recon, mu, logvar = model(x, noise[step])
    loss = loss_function(recon, x, mu, logvar)
    loss.backward()
    losses.append(loss.item())
    opt.step()

out = {"weights": {k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in weights.items()},
       "x": x.flatten().tolist(), "noise": [n.flatten().tolist() for n in noise], "losses": losses,
       "sizes": [D, H, Z, N, STEPS]}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vae.json")
with open(path, "w") as fh:
    json.dump(out, fh)
print("wrote", path, "losses", losses[0], "->", losses[-1])
