"""PyTorch optimizer state dicts for `loadPyTorchStateDict`: a Linear(3, 2) trained 3 steps by Adam
(amsgrad) and by SGD (momentum, nesterov, weight decay), each saved with torch.save, plus the
parameters before and after one more step on the same batch.

    .venv-torch/bin/python Tests/TorchTests/Fixtures/generate_optim_state.py

writes optim_state/{adam,sgd}.pt (the optimizers' state_dict()), optim_state/{adam,sgd}_model.pt
(the model's state_dict() after 3 steps), optim_state/{step_lr,cosine_lr,chained}.pt (schedulers
after 5 epochs) and optim_state/expected.json (the batch, the parameters after the 4th step, the
schedulers' learning rates).
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim_state")
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
x, y = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 2, dtype=torch.float64)
expected = {"x": x.flatten().tolist(), "y": y.flatten().tolist()}
makers = {
    "adam": lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), amsgrad=True),
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
}
for name, make in makers.items():
    model = nn.Linear(3, 2).double()
    opt = make(model.parameters())

    def step():
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()
    for _ in range(3):
        step()
    torch.save(opt.state_dict(), os.path.join(out, f"{name}.pt"))
    torch.save(model.state_dict(), os.path.join(out, f"{name}_model.pt"))
    step()
    expected[name] = {k: v.flatten().tolist() for k, v in model.state_dict().items()}
# Schedulers: StepLR and CosineAnnealingLR after 5 epochs, and the learning rate they give.
for name, make in {
    "step_lr": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5),
    "cosine_lr": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
}.items():
    opt = torch.optim.SGD(nn.Linear(3, 2).parameters(), lr=0.1)
    sched = make(opt)
    for _ in range(5):
        opt.step()
        sched.step()
    torch.save(sched.state_dict(), os.path.join(out, f"{name}.pt"))
    expected[name] = opt.param_groups[0]["lr"]
# ChainedScheduler (constant warm-up times exponential decay) after 5 epochs, and after a 6th.
opt = torch.optim.SGD(nn.Linear(3, 2).parameters(), lr=0.1)
S = torch.optim.lr_scheduler
sched = S.ChainedScheduler([S.ConstantLR(opt, factor=0.1, total_iters=2), S.ExponentialLR(opt, gamma=0.9)])
for _ in range(5):
    opt.step()
    sched.step()
torch.save(sched.state_dict(), os.path.join(out, "chained.pt"))
expected["chained"] = opt.param_groups[0]["lr"]
opt.step()
sched.step()
expected["chained_next"] = opt.param_groups[0]["lr"]
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f)
print("wrote", sorted(os.listdir(out)))
