"""PyTorch references for optimizers and learning-rate schedulers.

Run once under PyTorch (a virtualenv with `pip install torch numpy`):

    python Tests/TorchTests/Fixtures/generate_torch_optim.py

It writes `torch_optim.json` next to this script:
- "optimizers": for each optimizer and option set, the starting float32 weights, the fixed data,
  and the parameters after each of 20 steps on the loss mean((x·w + b - y)²) + 0.1·mean(w⁴);
- "schedulers": for each scheduler, the learning rate before the first step and after each of 50
  scheduler steps (SGD with lr 0.1 underneath; ReduceLROnPlateau fed a fixed metric sequence).
"""
import json
import math
import os

import torch

torch.manual_seed(0)
x = torch.randn(8, 3)
y = torch.randn(8, 4)
w0 = torch.randn(3, 4) * 0.5
b0 = torch.randn(4) * 0.1


def flat(t):
    return t.detach().reshape(-1).tolist()


def loss_fn(w, b):
    return ((x @ w + b - y) ** 2).mean() + 0.1 * (w ** 4).mean()


def run_optimizer(name, make, groups=False):
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = make([{"params": [w]}, {"params": [b], "lr": 0.05}] if groups else [w, b])
    traj = []
    for _ in range(20):
        opt.zero_grad()
        loss_fn(w, b).backward()
        opt.step()
        traj.append({"w": flat(w), "b": flat(b)})
    return {"name": name, "trajectory": traj}


O = torch.optim
optimizers = [
    run_optimizer("sgd", lambda p: O.SGD(p, lr=0.1)),
    run_optimizer("sgd_momentum_dampening_wd", lambda p: O.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    run_optimizer("sgd_nesterov", lambda p: O.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    run_optimizer("sgd_groups", lambda p: O.SGD(p, lr=0.1, momentum=0.5), groups=True),
    run_optimizer("adam", lambda p: O.Adam(p, lr=0.01)),
    run_optimizer("adam_wd_amsgrad", lambda p: O.Adam(p, lr=0.02, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    run_optimizer("adamw", lambda p: O.AdamW(p, lr=0.01, weight_decay=0.1)),
    run_optimizer("adamw_amsgrad", lambda p: O.AdamW(p, lr=0.01, amsgrad=True)),
    run_optimizer("rmsprop", lambda p: O.RMSprop(p, lr=0.01)),
    run_optimizer("rmsprop_centered_momentum_wd", lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.05,
                                                                      momentum=0.5, centered=True)),
    run_optimizer("adagrad", lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    run_optimizer("adadelta", lambda p: O.Adadelta(p, lr=1.0, rho=0.8, weight_decay=0.01)),
    run_optimizer("adamax", lambda p: O.Adamax(p, lr=0.02, weight_decay=0.01)),
    run_optimizer("nadam", lambda p: O.NAdam(p, lr=0.01)),
    run_optimizer("nadam_wd_decoupled", lambda p: O.NAdam(p, lr=0.02, betas=(0.8, 0.95), weight_decay=0.1,
                                                          momentum_decay=0.01, decoupled_weight_decay=True)),
    run_optimizer("radam", lambda p: O.RAdam(p, lr=0.01)),
    run_optimizer("radam_wd", lambda p: O.RAdam(p, lr=0.02, betas=(0.5, 0.9), weight_decay=0.1)),
    run_optimizer("rprop", lambda p: O.Rprop(p, lr=0.01)),
    run_optimizer("rprop_etas", lambda p: O.Rprop(p, lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    run_optimizer("asgd", lambda p: O.ASGD(p, lr=0.05)),
    run_optimizer("asgd_options", lambda p: O.ASGD(p, lr=0.1, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.02)),
]



def run_lbfgs(name, steps, **options):
    """LBFGS in float64 from the same start: the parameters and the returned loss after each step."""
    xd, yd = x.double(), y.double()
    w = w0.double().clone().requires_grad_(True)
    b = b0.double().clone().requires_grad_(True)
    opt = O.LBFGS([w, b], **options)

    def closure():
        opt.zero_grad()
        loss = ((xd @ w + b - yd) ** 2).mean() + 0.1 * (w ** 4).mean()
        loss.backward()
        return loss
    traj = []
    for _ in range(steps):
        loss = opt.step(closure)
        traj.append({"w": flat(w), "b": flat(b), "loss": float(loss)})
    state = opt.state[w]
    return {"name": name, "trajectory": traj, "func_evals": state["func_evals"], "n_iter": state["n_iter"]}


lbfgs = [
    run_lbfgs("lbfgs", 3),
    run_lbfgs("lbfgs_lr_history", 4, lr=0.5, max_iter=5, history_size=3),
    run_lbfgs("lbfgs_strong_wolfe", 3, max_iter=10, line_search_fn="strong_wolfe"),
    run_lbfgs("lbfgs_strong_wolfe_history", 3, lr=2.0, max_iter=8, history_size=2, line_search_fn="strong_wolfe"),
]

S = torch.optim.lr_scheduler
metrics = [1.0, 0.9, 0.95, 0.94, 0.96, 0.97, 0.8, 0.81, 0.82, 0.83, 0.84, 0.7] + [0.7 + 0.001 * i for i in range(38)]


def run_scheduler(name, make, plateau=False):
    p = torch.zeros(2, requires_grad=True)
    opt = O.SGD([p], lr=0.1, momentum=0.9)
    sched = make(opt)
    lrs = [opt.param_groups[0]["lr"]]
    momenta = [opt.param_groups[0]["momentum"]]
    for i in range(50):
        opt.step()
        if plateau:
            sched.step(metrics[i])
        else:
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(opt.param_groups[0]["momentum"])
    return {"name": name, "lrs": lrs, "momenta": momenta}


schedulers = [
    run_scheduler("step", lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
    run_scheduler("multi_step", lambda o: S.MultiStepLR(o, milestones=[5, 12, 30], gamma=0.3)),
    run_scheduler("exponential", lambda o: S.ExponentialLR(o, gamma=0.95)),
    run_scheduler("cosine_annealing", lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.001)),
    run_scheduler("cosine_warm_restarts", lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=0.01)),
    run_scheduler("cosine_warm_restarts_fixed", lambda o: S.CosineAnnealingWarmRestarts(o, T_0=7)),
    run_scheduler("linear", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=10)),
    run_scheduler("one_cycle", lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=51)),
    run_scheduler("lambda", lambda o: S.LambdaLR(o, lambda e: 1.0 / (1 + e))),
    run_scheduler("sequential", lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                                             S.ExponentialLR(o, gamma=0.9)], milestones=[5])),
    run_scheduler("plateau", lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1, min_lr=0.001), plateau=True),
    run_scheduler("polynomial", lambda o: S.PolynomialLR(o, total_iters=20, power=2.0)),
    run_scheduler("constant", lambda o: S.ConstantLR(o, factor=0.5, total_iters=8)),
    run_scheduler("multiplicative", lambda o: S.MultiplicativeLR(o, lambda e: 0.95 if e % 2 else 0.9)),
    run_scheduler("cyclic_triangular", lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5)),
    run_scheduler("cyclic_triangular2", lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                                             step_size_down=6, mode="triangular2")),
    run_scheduler("cyclic_exp_range", lambda o: S.CyclicLR(o, base_lr=0.02, max_lr=0.2, step_size_up=5,
                                                           mode="exp_range", gamma=0.97, cycle_momentum=False)),
    run_scheduler("chained", lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2),
                                                           S.ExponentialLR(o, gamma=0.9)], optimizer=o)),
    run_scheduler("chained_step_linear", lambda o: S.ChainedScheduler([S.StepLR(o, step_size=4, gamma=0.5),
                                                                       S.LinearLR(o, start_factor=0.2,
                                                                                  total_iters=6)])),
    # Not multiplicative: each scheduler's recursive step applies to the rate the previous one set.
    run_scheduler("chained_cosine_eta_min", lambda o: S.ChainedScheduler([
        S.CosineAnnealingLR(o, T_max=10, eta_min=0.01), S.ExponentialLR(o, gamma=0.95),
        S.ConstantLR(o, factor=0.5, total_iters=3)])),
    run_scheduler("chained_lambda_poly_multistep", lambda o: S.ChainedScheduler([
        S.LambdaLR(o, lambda e: 1.0 / (1 + 0.1 * e)), S.PolynomialLR(o, total_iters=30, power=1.5),
        S.MultiStepLR(o, milestones=[4, 4, 9], gamma=0.5)])),
]

# Sparse gradients (#16): an Embedding(7, 3, sparse=True, padding_idx=0) table trained on index
# batches with repeated rows and the padding row, loss mean((E[idx] · v - t)²). Per case: the
# table after each step; for the first step also the coalesced sparse gradient.
gen = torch.Generator().manual_seed(1)
sp_table0 = torch.randn(7, 3, generator=gen)
sp_v = torch.randn(3, generator=gen)
sp_batches = [torch.randint(0, 7, (2, 4), generator=gen) for _ in range(10)]
sp_targets = [torch.randn(2, 4, generator=gen) for _ in range(10)]


def run_sparse(name, make):
    emb = torch.nn.Embedding(7, 3, padding_idx=0, sparse=True)
    with torch.no_grad():
        emb.weight.copy_(sp_table0)
    opt = make([emb.weight])
    traj, first = [], None
    for idx, t in zip(sp_batches, sp_targets):
        opt.zero_grad()
        ((emb(idx) @ sp_v - t) ** 2).mean().backward()
        if first is None:
            g = emb.weight.grad.coalesce()
            first = {"indices": g.indices().reshape(-1).tolist(), "values": flat(g.values())}
        opt.step()
        traj.append(flat(emb.weight))
    return {"name": name, "trajectory": traj, "first_grad": first}


sparse = [
    run_sparse("sparse_adam", lambda p: O.SparseAdam(p, lr=0.05)),
    run_sparse("sparse_adam_options", lambda p: O.SparseAdam(p, lr=0.02, betas=(0.8, 0.9), eps=1e-6, maximize=True)),
    run_sparse("sparse_sgd", lambda p: O.SGD(p, lr=0.1)),
    run_sparse("sparse_sgd_momentum", lambda p: O.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    run_sparse("sparse_adagrad", lambda p: O.Adagrad(p, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
]

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_optim.json")
with open(out, "w") as f:
    json.dump({"torch_version": torch.__version__, "x": flat(x), "y": flat(y), "w0": flat(w0), "b0": flat(b0),
               "metrics": metrics, "optimizers": optimizers, "schedulers": schedulers, "lbfgs": lbfgs,
               "sparse": {"table0": flat(sp_table0), "v": flat(sp_v), "batches": [b.reshape(-1).tolist() for b in sp_batches],
                          "targets": [flat(t) for t in sp_targets], "cases": sparse}}, f)
print(f"wrote {len(optimizers)} optimizer and {len(schedulers)} scheduler cases to {out}")
