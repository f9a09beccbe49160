#!/usr/bin/env python3
"""Checks a model exported by SwiftTorch (Torch.onnx.export) against SwiftTorch's own outputs.

usage: onnx_check.py MODEL.onnx=CASES.npz[,CASES2.npz...] [MODEL2.onnx=...]

Each CASES.npz holds input0, input1, ... (fed to the model's inputs in order) and expected0, ...
(SwiftTorch's outputs). The model must pass onnx.checker.check_model(full_check=True) and
onnxruntime's outputs must match: |ours - theirs| <= atol + rtol * |theirs| elementwise, NaN only
where the other is NaN, infinities exactly. Prints one line per case; exits 1 on any mismatch.
"""
import sys

import numpy as np
import onnx
import onnxruntime as ort

ATOL, RTOL = 1e-5, 1e-5


def mismatch(ours, theirs):
    """The first problem comparing two arrays, or None (NaN-aware, infinities exact)."""
    if ours.shape != theirs.shape:
        return f"shape {theirs.shape} != expected {ours.shape}"
    a, b = ours.astype(np.float64), theirs.astype(np.float64)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if (nan_a != nan_b).any():
        return "NaN at different places"
    inf_a, inf_b = np.isinf(a), np.isinf(b)
    if (inf_a != inf_b).any() or (a[inf_a] != b[inf_b]).any():
        return "infinities differ"
    finite = ~(nan_a | inf_a)
    err = np.abs(a[finite] - b[finite])
    bad = err > ATOL + RTOL * np.abs(b[finite])
    if bad.any():
        return f"max error {err.max():.3g} at {int(bad.sum())} elements"
    return None


def check(path, cases):
    """Checks one model on its cases; returns whether all matched."""
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    except Exception as e:  # the model itself is refused: report it and go on with the others
        print(f"{path}: refused: {type(e).__name__}: {e}")
        return False
    names = [i.name for i in sess.get_inputs()]
    failed = False
    for case in cases:
        data = np.load(case)
        feeds = {n: data[f"input{i}"] for i, n in enumerate(names)}
        outs = sess.run(None, feeds)
        for i, out in enumerate(outs):
            problem = mismatch(data[f"expected{i}"], out)
            worst = 0.0
            if problem is None and out.size and np.issubdtype(out.dtype, np.floating):
                fin = np.isfinite(out)
                worst = float(np.abs(out[fin].astype(np.float64) - data[f"expected{i}"][fin]).max(initial=0))
            print(f"{case}: output{i} {list(out.shape)} " + (problem or f"ok (max error {worst:.2g})"))
            failed = failed or problem is not None
    return not failed


def main():
    ok = True
    for arg in sys.argv[1:]:
        path, cases = arg.split("=", 1)
        ok = check(path, cases.split(",")) and ok
    print("all models match" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
