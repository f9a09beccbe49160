"""Keeps the committed PyTorch outputs of the earlier cases after ops were appended to generate.py.

PyTorch's float16/bfloat16 conv_transpose results depend on which oneDNN kernels the CPU that runs
the generator gets, so regenerating on another machine can move an earlier case by an ulp. After
appending ops (which leaves the earlier cases' inputs unchanged):
    git show HEAD:Tests/TorchTests/Fixtures/differential/cases.safetensors > /tmp/old.safetensors
    .venv-torch/bin/python Tests/TorchTests/Fixtures/differential/generate.py
    .venv-torch/bin/python Tests/TorchTests/Fixtures/differential/keep_outputs.py /tmp/old.safetensors
"""
import json
import os
import sys

from safetensors import safe_open
from safetensors.torch import load_file, save_file

NEW = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.safetensors")
old_path = sys.argv[1]
old, new = load_file(old_path), load_file(NEW)
with safe_open(NEW, "pt") as f:
    meta = f.metadata()
with safe_open(old_path, "pt") as f:
    old_cases = json.loads(f.metadata()["cases"])
if json.loads(meta["cases"])[: len(old_cases)] != old_cases:
    sys.exit("the earlier cases changed: regenerate from scratch instead")
new.update(old)
save_file(new, NEW, metadata=meta)
print("kept %d earlier tensors; %d in all" % (len(old), len(new)))
