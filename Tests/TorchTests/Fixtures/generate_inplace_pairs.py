#!/usr/bin/env python3
"""Programs PyTorch accepts although a tensor their graph used was changed in place afterwards
(the op's backward does not read it): y = 2x; z = f(y); y *= 3; z.sum().backward(). Writes each
program's x.grad to inplace_pairs.json (read by AutogradTests). The refused counterparts (sin,
mul by a tensor that needs grad, pow) are the ag-version* cases of MisuseTests.

    .venv-torch/bin/python Tests/TorchTests/Fixtures/generate_inplace_pairs.py
"""
import json
import os

import torch

CASES = {
    "exp": lambda y: y.exp(), "tanh": lambda y: y.tanh(), "sigmoid": lambda y: y.sigmoid(), "relu": lambda y: y.relu(),
    "sqrt": lambda y: y.sqrt(), "neg": lambda y: -y, "add": lambda y: y + 1, "sub": lambda y: y - 1,
    "mulScalar": lambda y: y * 3, "reciprocal": lambda y: y.reciprocal(), "rdiv": lambda y: 3 / y,
    "divScalar": lambda y: y / 3, "softmax": lambda y: y.softmax(0), "sum": lambda y: y.sum(),
    "matmulConst": lambda y: y @ torch.tensor([1.0, -2.0], dtype=torch.float64), "clone": lambda y: y.clone(),
    "mulConstTensor": lambda y: y * torch.tensor([3.0, 4.0], dtype=torch.float64),
}

out = {}
for name, f in CASES.items():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = x * 2
    z = f(y)
    y.mul_(3)
    z.sum().backward()
    out[name] = x.grad.tolist()
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "inplace_pairs.json")
with open(path, "w") as fh:
    json.dump({"torch": torch.__version__, "grads": out}, fh, indent=1)
print("wrote", path)
