#!/usr/bin/env python3
"""Programs from PyTorch's "Learning PyTorch with Examples" tutorial (fit sin(x) with a cubic),
run in PyTorch from fixed initial values: the loss after every 100 steps and the final
coefficients go to tutorials.json, and TutorialTests runs the same programs in SwiftTorch.
Each squares negative residuals with `pow(2)` and raises negative inputs to `pow(3)`, the
operations that made these programs end in NaN before pow followed C's semantics.

    .venv-torch/bin/python Tests/TorchTests/Fixtures/generate_tutorials.py
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
init = [0.1, -0.2, 0.3, -0.05]
out = {"init": init}

# 1. Tensors and autograd: manual updates.
a, b, c, d = (torch.tensor(v, requires_grad=True) for v in init)
lr = 1e-6
losses = []
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= lr * p.grad
            p.grad = None
out["autograd"] = {"losses": losses, "coefficients": [a.item(), b.item(), c.item(), d.item()]}

# 2. nn + optim: a Linear layer on (x, x^2, x^3) features, MSE loss summed, RMSprop.
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
model = torch.nn.Linear(3, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([init[1:]]))
    model.bias.copy_(torch.tensor([init[0]]))
loss_fn = torch.nn.MSELoss(reduction="sum")
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
losses = []
for t in range(2000):
    loss = loss_fn(model(xx).flatten(), y)
    if t % 100 == 99:
        losses.append(loss.item())
    opt.zero_grad()
    loss.backward()
    opt.step()
out["rmsprop"] = {"losses": losses, "coefficients": [model.bias.item()] + model.weight.flatten().tolist()}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tutorials.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", path)
