"""Writes distributions.json: PyTorch's values for the distributions SwiftTorch implements.

Run with the project's PyTorch virtualenv (scripts/setup-torch.sh) plus SciPy and mpmath:
    .venv-torch/bin/pip install scipy
    .venv-torch/bin/python Tests/TorchDistributionsTests/Fixtures/generate.py

Sections:
- cases: a distribution (class and float64 parameters), a value in its support and probabilities,
  and what PyTorch computes: mean, mode, variance, entropy, log_prob, cdf, icdf (absent where
  PyTorch raises NotImplementedError);
- kl: pairs with PyTorch's kl_divergence;
- refusals: parameters or values PyTorch's validation rejects, with its ValueError text;
- gamma_grad: exact dx/dalpha of standard gamma samples (mpmath, 30 digits);
- chi2: sampling tests: for fixed parameters, SciPy's equal-probability bin edges (continuous) or
  probability masses (discrete), with the chi-squared critical value at a false-failure rate of 1e-6.
"""
import json
import math
import os

import mpmath
import numpy as np
import scipy.stats as st
import torch
import torch.distributions as D

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def enc(t):
    t = torch.as_tensor(t).detach()
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and math.isnan(v):
            data.append(None)
        elif isinstance(v, float) and math.isinf(v):
            data.append("inf" if v > 0 else "-inf")
        else:
            data.append(v)
    dtype = {torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}.get(t.dtype, "float64")
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def pos(*s, lo=0.3, hi=3.0):
    return torch.rand(*s) * (hi - lo) + lo


def spd(b, k):
    a = torch.randn(b, k, k)
    return a @ a.mT + torch.eye(k) * 0.5


def make(name, p):
    T = D.transforms
    if name == "TransformedAffineExp":
        return D.TransformedDistribution(D.Normal(p["loc"], p["scale"]),
                                         [T.AffineTransform(p["a"], p["b"]), T.ExpTransform()])
    if name == "TransformedSigmoid":
        return D.TransformedDistribution(D.Normal(p["loc"], p["scale"]), [T.SigmoidTransform()])
    if name == "TransformedTanh":
        return D.TransformedDistribution(D.Normal(p["loc"], p["scale"]), [T.TanhTransform()])
    if name == "TransformedStickBreaking":
        return D.TransformedDistribution(D.Independent(D.Normal(p["loc"], p["scale"]), 1),
                                         [T.StickBreakingTransform()])
    if name == "TransformedPower":
        return D.TransformedDistribution(D.Exponential(p["rate"]), [T.PowerTransform(p["exponent"])])
    if name == "MixtureSameFamilyNormal":
        return D.MixtureSameFamily(D.Categorical(probs=p["mix"]), D.Normal(p["loc"], p["scale"]))
    if name == "MixtureSameFamilyMVN":
        return D.MixtureSameFamily(D.Categorical(probs=p["mix"]),
                                   D.MultivariateNormal(p["loc"], scale_tril=p["scale_tril"]))
    if name == "MultivariateNormal":
        kind = p["kind"]
        return D.MultivariateNormal(p["loc"], **{kind: p["matrix"]})
    if name == "Independent":
        return D.Independent(D.Normal(p["loc"], p["scale"]), 1)
    if name == "Multinomial":
        return D.Multinomial(int(p["total_count"]), probs=p["probs"])
    kw = {k: v for k, v in p.items()}
    return getattr(D, name)(**kw)


def param_sets():
    b = [3]
    b2 = [2, 3]
    yield "Normal", {"loc": torch.randn(*b2), "scale": pos(*b2)}
    yield "Uniform", (lambda lo: {"low": lo, "high": lo + pos(*b)})(torch.randn(*b))
    yield "Exponential", {"rate": pos(*b)}
    yield "Laplace", {"loc": torch.randn(*b), "scale": pos(*b)}
    yield "Cauchy", {"loc": torch.randn(*b), "scale": pos(*b)}
    yield "LogNormal", {"loc": torch.randn(*b) * 0.5, "scale": pos(*b, hi=1.0)}
    yield "Gamma", {"concentration": pos(*b2, lo=0.2), "rate": pos(*b2)}
    yield "Chi2", {"df": pos(*b, lo=0.5, hi=6.0)}
    yield "Beta", {"concentration1": pos(*b), "concentration0": pos(*b)}
    yield "Dirichlet", {"concentration": pos(2, 4)}
    yield "Dirichlet", {"concentration": pos(2, 3, lo=0.2, hi=0.9)}
    yield "StudentT", {"df": torch.tensor([0.8, 1.5, 3.0, 7.0]), "loc": torch.randn(4), "scale": pos(4)}
    yield "Bernoulli", {"probs": torch.tensor([0.1, 0.5, 0.9])}
    yield "Bernoulli", {"logits": torch.randn(*b2)}
    yield "Categorical", {"probs": pos(2, 5)}
    yield "Categorical", {"logits": torch.randn(3, 4)}
    yield "OneHotCategorical", {"probs": pos(2, 4)}
    yield "Poisson", {"rate": pos(*b, lo=0.5, hi=12.0)}
    yield "Geometric", {"probs": pos(*b, lo=0.05, hi=0.95)}
    yield "Binomial", {"total_count": torch.tensor([5.0, 10.0, 20.0]), "probs": pos(*b, lo=0.05, hi=0.95)}
    yield "Binomial", {"total_count": torch.tensor([8.0, 8.0, 8.0]), "probs": pos(*b, lo=0.05, hi=0.95)}
    yield "Multinomial", {"total_count": 6, "probs": pos(2, 4)}
    yield "MultivariateNormal", {"kind": "covariance_matrix", "loc": torch.randn(2, 3), "matrix": spd(2, 3)}
    yield "MultivariateNormal", {"kind": "precision_matrix", "loc": torch.randn(3), "matrix": spd(1, 3)[0]}
    yield "MultivariateNormal", {
        "kind": "scale_tril", "loc": torch.randn(2, 3), "matrix": torch.linalg.cholesky(spd(2, 3))}
    yield "Independent", {"loc": torch.randn(2, 3), "scale": pos(2, 3)}
    yield "TransformedAffineExp", {"loc": torch.randn(3), "scale": pos(3), "a": torch.randn(3),
                                   "b": torch.tensor([-1.5, -0.5, -2.0])}
    yield "TransformedAffineExp", {"loc": torch.randn(3), "scale": pos(3), "a": torch.randn(3), "b": pos(3)}
    yield "TransformedSigmoid", {"loc": torch.randn(3), "scale": pos(3)}
    yield "TransformedTanh", {"loc": torch.randn(3) * 0.3, "scale": pos(3, hi=1.0)}
    yield "TransformedStickBreaking", {"loc": torch.randn(2, 3), "scale": pos(2, 3)}
    yield "TransformedPower", {"rate": pos(3), "exponent": torch.tensor([0.5, 2.0, 3.0])}
    yield "RelaxedBernoulli", {"temperature": torch.tensor(0.7), "probs": pos(3, lo=0.1, hi=0.9)}
    yield "RelaxedOneHotCategorical", {"temperature": torch.tensor(0.5), "logits": torch.randn(2, 4)}
    yield "MixtureSameFamilyNormal", {"mix": pos(2, 3), "loc": torch.randn(2, 3), "scale": pos(2, 3)}
    yield "MixtureSameFamilyMVN", {"mix": pos(3), "loc": torch.randn(3, 2),
                                   "scale_tril": torch.linalg.cholesky(spd(3, 2))}
    yield "LowRankMultivariateNormal", {"loc": torch.randn(2, 3), "cov_factor": torch.randn(2, 3, 2),
                                        "cov_diag": pos(2, 3)}


def try_(f):
    try:
        return enc(f())
    except NotImplementedError:
        return None


def cases():
    out = []
    for name, p in param_sets():
        d = make(name, p)
        value = d.sample([2])
        probs = torch.rand(value.shape).clamp(0.05, 0.95)
        res = {}
        for key, f in [
            ("mean", lambda: d.mean), ("mode", lambda: d.mode), ("variance", lambda: d.variance),
            ("entropy", lambda: d.entropy()), ("log_prob", lambda: d.log_prob(value)),
            ("cdf", lambda: d.cdf(value)), ("icdf", lambda: d.icdf(probs)),
        ]:
            r = try_(f)
            if r is not None:
                res[key] = r
        params = {k: (enc(v) if torch.is_tensor(v) else v) for k, v in p.items()}
        out.append({"dist": name, "params": params, "value": enc(value), "probs": enc(probs),
                    "batch_shape": list(d.batch_shape), "event_shape": list(d.event_shape), "results": res})
    return out


def kl_pairs():
    b = [3]
    pairs = [
        ("Normal", "Normal", lambda: {"loc": torch.randn(*b), "scale": pos(*b)}, None),
        ("Bernoulli", "Bernoulli", lambda: {"probs": torch.tensor([0.0, 0.3, 1.0])}, None),
        ("Categorical", "Categorical", lambda: {"probs": pos(2, 4)}, None),
        ("OneHotCategorical", "OneHotCategorical", lambda: {"logits": torch.randn(2, 4)}, None),
        ("Uniform", "Uniform", lambda: (lambda lo: {"low": lo, "high": lo + pos(*b)})(torch.randn(*b)), None),
        ("Exponential", "Exponential", lambda: {"rate": pos(*b)}, None),
        ("Laplace", "Laplace", lambda: {"loc": torch.randn(*b), "scale": pos(*b)}, None),
        ("Cauchy", "Cauchy", lambda: {"loc": torch.randn(*b), "scale": pos(*b)}, None),
        ("LogNormal", "LogNormal", lambda: {"loc": torch.randn(*b), "scale": pos(*b)}, None),
        ("Gamma", "Gamma", lambda: {"concentration": pos(*b), "rate": pos(*b)}, None),
        ("Chi2", "Gamma", lambda: {"df": pos(*b, lo=0.5, hi=5.0)},
         lambda: {"concentration": pos(*b), "rate": pos(*b)}),
        ("Beta", "Beta", lambda: {"concentration1": pos(*b), "concentration0": pos(*b)}, None),
        ("Dirichlet", "Dirichlet", lambda: {"concentration": pos(2, 4)}, None),
        ("Poisson", "Poisson", lambda: {"rate": pos(*b, hi=8.0)}, None),
        ("Geometric", "Geometric", lambda: {"probs": pos(*b, lo=0.1, hi=0.9)}, None),
        ("MultivariateNormal", "MultivariateNormal",
         lambda: {"kind": "covariance_matrix", "loc": torch.randn(2, 3), "matrix": spd(2, 3)}, None),
        ("Independent", "Independent", lambda: {"loc": torch.randn(2, 3), "scale": pos(2, 3)}, None),
        ("Binomial", "Binomial", lambda: {"total_count": torch.tensor([4.0, 6.0, 6.0]), "probs": pos(*b, lo=0.1, hi=0.9)},
         lambda: {"total_count": torch.tensor([4.0, 5.0, 6.0]), "probs": pos(*b, lo=0.1, hi=0.9)}),
        ("Exponential", "Gamma", lambda: {"rate": pos(*b)}, lambda: {"concentration": pos(*b), "rate": pos(*b)}),
        ("Normal", "Laplace", lambda: {"loc": torch.randn(*b), "scale": pos(*b)},
         lambda: {"loc": torch.randn(*b), "scale": pos(*b)}),
        ("Uniform", "Normal", lambda: (lambda lo: {"low": lo, "high": lo + pos(*b)})(torch.randn(*b)),
         lambda: {"loc": torch.randn(*b), "scale": pos(*b)}),
    ]
    out = []
    for pn, qn, pf, qf in pairs:
        pp, qp = pf(), (qf or pf)()
        kl = D.kl_divergence(make(pn, pp), make(qn, qp))
        out.append({
            "p": pn, "q": qn,
            "p_params": {k: (enc(v) if torch.is_tensor(v) else v) for k, v in pp.items()},
            "q_params": {k: (enc(v) if torch.is_tensor(v) else v) for k, v in qp.items()},
            "kl": enc(kl)})
    return out


def refusals():
    out = []

    def refuse(name, params, value=None):
        try:
            d = make(name, params)
            d.log_prob(value)
        except ValueError as e:
            out.append({"dist": name, "params": {k: enc(v) for k, v in params.items()},
                        "value": enc(value) if value is not None else None, "error": str(e)})
            return
        raise AssertionError("PyTorch accepted " + name)

    refuse("Normal", {"loc": torch.zeros(3), "scale": torch.tensor([1.0, -1.0, 2.0])})
    refuse("Gamma", {"concentration": torch.tensor([0.0, 1.0]), "rate": torch.ones(2)})
    refuse("Bernoulli", {"probs": torch.tensor([0.5, 1.5])})
    refuse("Exponential", {"rate": torch.ones(2)}, torch.tensor([-1.0, 1.0]))
    refuse("Poisson", {"rate": torch.ones(2)}, torch.tensor([0.5, 1.0]))
    refuse("Normal", {"loc": torch.zeros(3), "scale": torch.ones(3)}, torch.zeros(2))
    refuse("Dirichlet", {"concentration": torch.ones(3)}, torch.tensor([0.5, 0.5, 0.5]))
    return out


def gamma_grad():
    mpmath.mp.dps = 30
    out = []
    for a in [0.05, 0.3, 1.0, 2.5, 10.0, 150.0]:
        for q in [0.02, 0.3, 0.5, 0.8, 0.995]:
            x = float(st.gamma.ppf(q, a))
            F = lambda aa: mpmath.gammainc(aa, 0, x, regularized=True)
            f = mpmath.mpf(x) ** (a - 1) * mpmath.e ** (-x) / mpmath.gamma(a)
            out.append({"alpha": a, "x": x, "grad": float(-mpmath.diff(F, a) / f)})
    return out


N = 20000  # draws per sampling test
CRIT = lambda dof: float(st.chi2.isf(1e-6, dof))


def chi2_specs():
    """Equal-probability bins from SciPy's quantiles (continuous) or masses (discrete)."""
    specs = []
    bins = 20
    qs = [i / bins for i in range(1, bins)]

    def cont(name, params, frozen):
        specs.append({"dist": name, "params": params, "edges": [float(frozen.ppf(q)) for q in qs], "draws": N,
                      "critical": CRIT(bins - 1)})

    cont("Normal", {"loc": 1.5, "scale": 2.0}, st.norm(1.5, 2.0))
    cont("Uniform", {"low": -1.0, "high": 3.0}, st.uniform(-1.0, 4.0))
    cont("Exponential", {"rate": 2.0}, st.expon(scale=0.5))
    cont("Laplace", {"loc": 0.5, "scale": 1.5}, st.laplace(0.5, 1.5))
    cont("Cauchy", {"loc": -1.0, "scale": 0.5}, st.cauchy(-1.0, 0.5))
    cont("LogNormal", {"loc": 0.2, "scale": 0.7}, st.lognorm(0.7, scale=math.exp(0.2)))
    for a in [0.1, 0.7, 1.0, 3.5, 40.0]:
        cont("Gamma", {"concentration": a, "rate": 2.0}, st.gamma(a, scale=0.5))
    cont("Chi2", {"df": 3.0}, st.chi2(3.0))
    cont("Beta", {"concentration1": 0.6, "concentration0": 2.5}, st.beta(0.6, 2.5))
    cont("StudentT", {"df": 2.5, "loc": 1.0, "scale": 2.0}, st.t(2.5, 1.0, 2.0))
    # Weibull(k = 1.5) as Exponential(1) ** (1 / 1.5).
    cont("TransformedPower", {"rate": 1.0, "exponent": 1 / 1.5}, st.weibull_min(1.5))

    class Mixture:  # 0.3 N(-1, 0.5²) + 0.7 N(2, 1): quantiles by root finding on the CDF.
        def ppf(self, q):
            from scipy.optimize import brentq
            cdf = lambda x: 0.3 * st.norm.cdf(x, -1, 0.5) + 0.7 * st.norm.cdf(x, 2, 1) - q
            return brentq(cdf, -20, 20, xtol=1e-14)

    cont("MixtureSameFamilyNormal", {"mix": [0.3, 0.7], "loc": [-1.0, 2.0], "scale": [0.5, 1.0]}, Mixture())

    def disc(name, params, pmf, support_max):
        # Integer bins [lo, hi] merged until each expects at least 5 of N draws; the last is open.
        bins, lo, acc = [], 0, 0.0
        for k in range(support_max + 1):
            acc += float(pmf(k))
            if acc * N >= 5:
                bins.append([lo, k, acc])
                lo, acc = k + 1, 0.0
        tail = max(0.0, 1.0 - sum(b[2] for b in bins))
        if bins and tail * N < 5:
            bins[-1][2] += tail
            bins[-1][1] = -1
        else:
            bins.append([lo, -1, tail])
        specs.append({"dist": name, "params": params, "bins": bins, "draws": N, "critical": CRIT(len(bins) - 1)})

    for lam in [0.5, 4.0, 9.9, 10.0, 35.0]:
        top = int(lam + 8 * math.sqrt(lam) + 5)
        disc("Poisson", {"rate": lam}, st.poisson(lam).pmf, top)
    for n, p in [(10, 0.3), (40, 0.6), (200, 0.25), (1000, 0.97)]:
        lo = 0
        disc("Binomial", {"total_count": float(n), "probs": p}, st.binom(n, p).pmf, n)
    disc("Geometric", {"probs": 0.3}, lambda k: st.geom(0.3).pmf(k + 1), 40)
    probs = [0.05, 0.1, 0.2, 0.3, 0.35]
    disc("Categorical", {"probs": probs}, lambda k: probs[k], len(probs) - 1)
    return specs


def main():
    root = {"cases": cases(), "kl": kl_pairs(), "refusals": refusals(), "gamma_grad": gamma_grad(),
            "chi2": chi2_specs(), "torch": torch.__version__}
    with open(os.path.join(HERE, "distributions.json"), "w") as f:
        json.dump(root, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
