"""Interop with real PyTorch for `torch.save` files (needs a virtualenv with torch, see
scripts/setup-torch.sh).

    python scripts/torch_interop.py write-fixtures Tests/TorchTests/Fixtures/torch_files
        Writes checkpoints with torch.save and `expected.json`: for every tensor (dotted path in
        the nested structure) its dtype, shape and the hex of its bytes in row-major order. The
        Swift tests read the files and compare bit for bit.

    python scripts/torch_interop.py check FILE.pt EXPECTED.json
        Loads a file SwiftTorch wrote with torch.load(weights_only=True) and compares every tensor
        bit for bit with EXPECTED.json (same format). Prints "ok N" or the first difference, and
        exits non-zero on a mismatch. Run it (the tests do, when torch is available) whenever the
        writer changes.
"""
import json
import os
import sys

import torch


def hexbytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes().hex()
    return t.numpy().tobytes().hex()


def describe(obj, prefix, out):
    if isinstance(obj, torch.Tensor):
        out[prefix] = {"dtype": str(obj.dtype).replace("torch.", ""), "shape": list(obj.shape), "hex": hexbytes(obj)}
    elif isinstance(obj, dict):
        for k, v in obj.items():
            describe(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            describe(v, f"{prefix}.{i}" if prefix else str(i), out)
    elif isinstance(obj, (int, float, str, bool)) or obj is None:
        out[prefix] = {"value": obj}


def write_fixtures(d):
    os.makedirs(d, exist_ok=True)
    g = torch.Generator().manual_seed(7)
    base = torch.randn(4, 6, generator=g)
    state = {
        "float32": torch.randn(3, 4, generator=g),
        "float64": torch.randn(5, generator=g, dtype=torch.float64),
        "float16": torch.randn(2, 3, generator=g).half(),
        "bfloat16": torch.randn(2, 3, generator=g).bfloat16(),
        "int64": torch.arange(-3, 5),
        "int32": torch.tensor([1, -2, 2**31 - 1], dtype=torch.int32),
        "int16": torch.tensor([-32768, 7], dtype=torch.int16),
        "int8": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "uint8": torch.tensor([0, 255, 9], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
        "transposed": base.t(),               # non-contiguous view of a shared storage
        "sliced": base[1:3, 2:5],             # storage offset and strides
        "base": base,
        "high_rank": torch.arange(2 * 1 * 3 * 1 * 2, dtype=torch.float32).reshape(2, 1, 3, 1, 2),
    }
    gc = torch.Generator().manual_seed(11)
    state["complex64"] = torch.randn(3, generator=gc, dtype=torch.complex64)
    state["complex128"] = torch.randn(2, 2, generator=gc, dtype=torch.complex128).t()
    torch.save(state, os.path.join(d, "state_dict.pt"))
    nested = {"model": {"fc": {"weight": torch.ones(2, 2), "bias": torch.zeros(2)}},
              "buffers": [torch.tensor([1, 2]), torch.tensor([[0.5]])],
              "pair": (torch.tensor([9.0]), 4),
              "epoch": 3, "lr": 0.25, "name": "run-1", "flag": True, "nothing": None}
    torch.save(nested, os.path.join(d, "nested.pt"))
    # A small convnet trained for a few steps in PyTorch: SwiftTorch builds the same model, loads
    # these weights by name and must give the same outputs.
    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    xs, ys = torch.randn(16, 1, 8, 8), torch.randint(0, 3, (16,))
    for _ in range(5):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xs), ys).backward()
        opt.step()
    model.eval()
    probe = torch.randn(2, 1, 8, 8)
    torch.save(model.state_dict(), os.path.join(d, "trained_convnet.pt"))
    trained = {"probe": probe, "output": model(probe).detach()}
    expected = {"trained_convnet_io": {}}
    describe(trained, "", expected["trained_convnet_io"])
    for name, obj in [("state_dict.pt", state), ("nested.pt", nested)]:
        entries = {}
        describe(obj, "", entries)
        expected[name] = entries
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump({"torch_version": torch.__version__, "files": expected}, f, indent=1, sort_keys=True)
    print(f"wrote fixtures to {d}")


def check(path, expected_path):
    with open(expected_path) as f:
        expected = json.load(f)
    obj = torch.load(path, weights_only=True)
    got = {}
    describe(obj, "", got)
    n = 0
    for k, e in expected.items():
        if k not in got:
            print(f"missing {k}")
            sys.exit(1)
        g = got[k]
        if g != e:
            print(f"mismatch at {k}: got {json.dumps(g)[:200]}, expected {json.dumps(e)[:200]}")
            sys.exit(1)
        n += 1
    extra = set(got) - set(expected)
    if extra:
        print(f"unexpected entries {sorted(extra)}")
        sys.exit(1)
    print(f"ok {n}")


if __name__ == "__main__":
    if sys.argv[1] == "write-fixtures":
        write_fixtures(sys.argv[2])
    elif sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
