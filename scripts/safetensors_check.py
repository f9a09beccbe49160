#!/usr/bin/env python3
"""Cross-checks our safetensors files with the reference `safetensors` package.
  read PATH       prints 'name dtype shape sum' for every tensor of a file we wrote
  write PATH      writes a file of known tensors for us to read"""
import sys
import numpy as np
from safetensors.numpy import load_file, save_file

if sys.argv[1] == "read":
    for name, a in sorted(load_file(sys.argv[2]).items()):
        print(name, a.dtype, list(a.shape), float(a.astype(np.float64).sum()))
else:
    save_file({"a": np.arange(12, dtype=np.float32).reshape(3, 4), "b": np.array([1, -2, 3], dtype=np.int64),
               "c": np.array([[True, False]]), "h": np.array([0.5, -1.25], dtype=np.float16)}, sys.argv[2],
              metadata={"source": "numpy"})
