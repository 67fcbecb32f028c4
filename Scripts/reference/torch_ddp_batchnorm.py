"""PyTorch DistributedDataParallel on the gloo backend, 2 processes, a float64 model with BatchNorm, for
Tests/KindlingCommandLineTests/DistributedTests.swift (its `batchnorm` scenario in
Tests/KindlingDistributedWorker).

Writes Tests/KindlingTestSupport/Fixtures/torch_ddp_batchnorm.json: the data, each rank's initial state
(rank 1 starts from other weights, which DDP replaces with rank 0's), each rank's batches, and every rank's
state_dict (parameters and buffers) after each SGD step. The model is
Sequential(Linear(5, 8), BatchNorm1d(8), ReLU(), Linear(8, 3)); the loss is cross_entropy (mean); the
optimizer SGD(lr=0.1, momentum=0.9). DDP broadcasts the buffers from rank 0 before every forward pass
(broadcast_buffers=True, its default), so BatchNorm normalizes with each rank's own batch statistics while
the running statistics that survive are rank 0's.
"""
import json
import os
import pathlib
import tempfile

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

RANKS = 2
STEPS = 4
BATCH = 4
FEATURES = np.random.RandomState(1).randn(16, 5)
LABELS = [i % 3 for i in range(16)]
BATCHES = [[[(step * RANKS * BATCH + rank * BATCH + i) % 16 for i in range(BATCH)] for rank in range(RANKS)]
           for step in range(STEPS)]


def model(seed):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).double()
    with torch.no_grad():
        net[1].weight.uniform_(0.5, 1.5)
        net[1].bias.uniform_(-0.5, 0.5)
    return net


def state(net):
    return {key: value.detach().double().flatten().tolist() for key, value in net.state_dict().items()}


def run(rank, init_file, out_folder):
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=RANKS)
    net = model(seed=10 + rank)
    initial = state(net)
    parallel = DistributedDataParallel(net)
    optimizer = torch.optim.SGD(parallel.parameters(), lr=0.1, momentum=0.9)
    features = torch.tensor(FEATURES)
    labels = torch.tensor(LABELS)
    steps = []
    for step in range(STEPS):
        rows = BATCHES[step][rank]
        loss = torch.nn.functional.cross_entropy(parallel(features[rows]), labels[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        steps.append(state(net))
    pathlib.Path(out_folder, f"{rank}.json").write_text(json.dumps({"initial": initial, "steps": steps}))
    dist.destroy_process_group()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        mp.spawn(run, args=(os.path.join(folder, "init"), folder), nprocs=RANKS)
        ranks = [json.loads(pathlib.Path(folder, f"{rank}.json").read_text()) for rank in range(RANKS)]
    out = pathlib.Path(__file__).resolve().parents[2] / "Tests/KindlingTestSupport/Fixtures/torch_ddp_batchnorm.json"
    out.write_text(json.dumps({
        "features": FEATURES.flatten().tolist(), "labels": LABELS, "batches": BATCHES,
        "ranks": ranks,
    }) + "\n")
    print(f"wrote {out}")
