#!/usr/bin/env bash
# A virtualenv with PyTorch for the fixture generators, the interop check and the PyTorch side
# of `torch-bench` (about 5 GB with the CUDA wheels). Not needed by the tests: fixtures are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-torch
.venv-torch/bin/pip install --quiet torch numpy safetensors onnx
.venv-torch/bin/python -c 'import torch; print("torch", torch.__version__, "in .venv-torch")'
