#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for SwiftTorch (run as root, or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
need=()
dpkg -s libopenblas-dev >/dev/null 2>&1 || need+=(libopenblas-dev)
dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || need+=(dataset-fashion-mnist)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)
# Open MPI: the collectives of TorchDistributed (opened at run time; its tests skip without it).
dpkg -s openmpi-bin >/dev/null 2>&1 || need+=(openmpi-bin)
# NumPy from Debian: stock Debian 12/13 refuse a system-wide `pip install` (PEP 668).
python3 -c "import numpy" 2>/dev/null || need+=(python3-numpy)
python3 -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
# Python packages some interop tests read our files with (tensorboard, safetensors), in a
# virtualenv of the project's; the tests that need them skip with a message when it is missing.
# onnx and onnxruntime (a few MB) check the models Torch.onnx.export writes; the ONNX tests skip
# with a message without them.
if [ ! -x .venv-onnx/bin/python ]; then
  (python3 -m venv .venv-onnx && .venv-onnx/bin/pip install -q onnx onnxruntime numpy) \
    || echo "note: could not install onnx/onnxruntime into .venv-onnx; the ONNX runtime checks will skip"
fi
if [ ! -x .venv-tb/bin/python ]; then
  (python3 -m venv .venv-tb && .venv-tb/bin/pip install -q tensorboard safetensors numpy) \
    || echo "note: could not install tensorboard/safetensors into .venv-tb; their interop tests will skip"
fi
