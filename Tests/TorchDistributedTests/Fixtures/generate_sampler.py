"""PyTorch's DistributedSampler without shuffling, as the reference for DistributedSamplerTests.

Run with .venv-torch/bin/python; writes sampler.json beside this file: for each (count,
num_replicas, drop_last), every rank's indices and len(sampler).
"""
import json
import os

from torch.utils.data.distributed import DistributedSampler

cases = []
for count in (0, 1, 5, 10, 12, 13):
    for replicas in (1, 2, 3, 4):
        for drop_last in (False, True):
            ranks = []
            for rank in range(replicas):
                s = DistributedSampler(range(count), num_replicas=replicas, rank=rank, shuffle=False,
                                       drop_last=drop_last)
                ranks.append(list(iter(s)))
            cases.append({"count": count, "replicas": replicas, "drop_last": drop_last,
                          "num_samples": len(s), "indices": ranks})
with open(os.path.join(os.path.dirname(__file__), "sampler.json"), "w") as f:
    json.dump(cases, f)
print(len(cases), "cases")
