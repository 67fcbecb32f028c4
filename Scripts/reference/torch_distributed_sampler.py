"""torch.utils.data.DistributedSampler's shares, for Tests/KindlingUnitTests/DistributedSamplerTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_distributed_sampler.json: for each case (number of examples,
number of ranks, shuffle, seed, drop_last) and epochs 0 and 1, every rank's list of indices as PyTorch's
DistributedSampler gives it. With shuffle, the sampler's torch.randperm(n, generator=g) is replaced by
numpy.random.RandomState(g.initial_seed()).permutation(n), the generator Kindling reproduces; the sampler's
own code (seed + epoch, padding by repetition, drop_last, striding by rank) is PyTorch's, unchanged.
"""
import json
import pathlib

import numpy as np
import torch
from torch.utils.data import DistributedSampler



def numpy_randperm(n, generator=None, **kwargs):
    return torch.tensor(np.random.RandomState(generator.initial_seed()).permutation(n))


torch.randperm = numpy_randperm

CASES = [  # (count, replicas, shuffle, seed, drop_last)
    (10, 3, False, 0, False),
    (10, 3, False, 0, True),
    (30, 2, True, 3, False),
    (31, 4, True, 5, False),
    (31, 4, True, 5, True),
    (2, 5, True, 1, False),
    (0, 2, False, 0, False),
]

results = []
for count, replicas, shuffle, seed, drop_last in CASES:
    epochs = []
    for epoch in (0, 1):
        shares = []
        for rank in range(replicas):
            sampler = DistributedSampler(
                range(count), num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed, drop_last=drop_last)
            sampler.set_epoch(epoch)
            shares.append([int(i) for i in sampler])
        epochs.append(shares)
    results.append({"count": count, "replicas": replicas, "shuffle": shuffle, "seed": seed,
                    "drop_last": drop_last, "epochs": epochs})

out = pathlib.Path(__file__).resolve().parents[2] / "Tests/KindlingTestSupport/Fixtures/torch_distributed_sampler.json"
out.write_text(json.dumps(results) + "\n")
print(f"wrote {out}")
