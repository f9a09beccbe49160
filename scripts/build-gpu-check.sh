#!/usr/bin/env bash
# Builds torch-gpu-check as a static binary (needs only glibc and libstdc++ on the GPU machine)
# into .carry/bin/, which .git/info/exclude keeps out of commits. See ../shared/GPU.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .carry/openblas .carry/bin
ln -sf /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.a .carry/openblas/libopenblas.a
grep -qx '/.carry/' .git/info/exclude 2>/dev/null || echo '/.carry/' >> .git/info/exclude
# Debian has no static libgfortran; OpenBLAS's LAPACK needs one routine of it (scripts/gfortran_shim.c).
cc -O2 -c scripts/gfortran_shim.c -o .carry/openblas/gfortran_shim.o
swift build -c release --static-swift-stdlib --product torch-gpu-check \
  -Xlinker -L"$PWD/.carry/openblas" -Xlinker "$PWD/.carry/openblas/gfortran_shim.o" --scratch-path .build-static
cp .build-static/release/torch-gpu-check .carry/bin/
strip .carry/bin/torch-gpu-check
echo "built .carry/bin/torch-gpu-check"
