"""Reference trajectories of torch.optim.SGD, Adam and AdamW, and PyTorch's state_dict keys for a few
module trees, for Tests/KindlingUnitTests/{Optimizer,Module}Tests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_optim.json (float64 throughout).

The problem: a tiny one-layer regression, loss = mean((tanh(X Wᵀ + b) - Y)²), with W of shape (3, 4) and b
of shape (3), fixed X (5, 4) and Y (5, 3). Each run starts from the same W and b, computes the loss and its
gradient with autograd, steps the optimizer, and records W and b after every step. Runs flagged
`skip_bias_on_odd_steps` drop b's gradient after backward on steps 1, 3, 5, ... (counting from 0), so that b
is skipped there: this pins down per-parameter step counts (Adam) and first-step momentum buffers (SGD).
Every optimizer runs its single-tensor path (foreach=False), the one PyTorch uses for CPU tensors.
"""
import json
import pathlib

import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float64)
STEPS = 25

rng = np.random.RandomState(0)
X = torch.tensor(rng.uniform(-1, 1, (5, 4)))
Y = torch.tensor(rng.uniform(-0.8, 0.8, (5, 3)))
W0 = torch.tensor(rng.uniform(-0.5, 0.5, (3, 4)))
B0 = torch.tensor(rng.uniform(-0.5, 0.5, (3,)))

RUNS = [
    ("sgd_plain", "SGD", dict(lr=0.3), False),
    ("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9), False),
    ("sgd_momentum_dampening", "SGD", dict(lr=0.1, momentum=0.9, dampening=0.3), False),
    ("sgd_nesterov", "SGD", dict(lr=0.1, momentum=0.9, nesterov=True), False),
    ("sgd_weight_decay", "SGD", dict(lr=0.3, weight_decay=0.05), False),
    ("sgd_momentum_dampening_weight_decay", "SGD",
     dict(lr=0.1, momentum=0.8, dampening=0.25, weight_decay=0.05), False),
    ("sgd_nesterov_weight_decay", "SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05), False),
    ("sgd_momentum_skipping_bias", "SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01), True),
    ("adam", "Adam", dict(lr=0.05), False),
    ("adam_defaults", "Adam", dict(), False),
    ("adam_weight_decay", "Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), False),
    ("adam_small_beta1", "Adam", dict(lr=0.05, betas=(0.3, 0.9)), False),
    ("adam_skipping_bias", "Adam", dict(lr=0.05, weight_decay=0.1), True),
    ("adamw", "AdamW", dict(lr=0.05, weight_decay=0.1), False),
    ("adamw_defaults", "AdamW", dict(), False),
    ("adamw_skipping_bias", "AdamW", dict(lr=0.05, betas=(0.85, 0.95), eps=1e-4, weight_decay=0.2), True),
]


def trajectory(kind, options, skip_bias_on_odd_steps):
    weight = nn.Parameter(W0.clone())
    bias = nn.Parameter(B0.clone())
    optimizer = getattr(torch.optim, kind)([weight, bias], foreach=False, **options)
    steps = []
    for step in range(STEPS):
        optimizer.zero_grad()
        loss = ((torch.tanh(X @ weight.T + bias) - Y) ** 2).mean()
        loss.backward()
        if skip_bias_on_odd_steps and step % 2 == 1:
            bias.grad = None
        optimizer.step()
        steps.append({"weight": weight.detach().flatten().tolist(), "bias": bias.detach().tolist()})
    return steps


class Net(nn.Module):
    """fc1/act/fc2 with a parameter and a buffer of its own, registered after the children."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 1)
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer("steps", torch.zeros(1))


class DerivedNet(Net):
    """A subclass adding a layer after the base class's."""

    def __init__(self):
        super().__init__()
        self.fc3 = nn.Linear(1, 1)


class Nested(nn.Module):
    """A Sequential, a list of blocks, an optional child that is present and one that is absent."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4))
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])
        self.projection = nn.Linear(4, 2)
        self.shortcut = None
        self.head = nn.Linear(2, 1, bias=False)


def keys(module):
    return {"state_dict": list(module.state_dict().keys()),
            "named_parameters": [name for name, _ in module.named_parameters()]}


shared = nn.Linear(3, 3)
root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_optim.json"
fixture = {
    "generator": "Scripts/reference/torch_optim.py",
    "torch_version": torch.__version__,
    "steps": STEPS,
    "inputs": X.flatten().tolist(), "inputs_shape": list(X.shape),
    "targets": Y.flatten().tolist(), "targets_shape": list(Y.shape),
    "initial_weight": W0.flatten().tolist(), "weight_shape": list(W0.shape),
    "initial_bias": B0.tolist(),
    "runs": [{"name": name, "optimizer": kind,
              "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()},
              "skip_bias_on_odd_steps": skip,
              "trajectory": trajectory(kind, options, skip)}
             for name, kind, options, skip in RUNS],
    "modules": {
        "sequential": keys(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))),
        "net": keys(Net()),
        "derived_net": keys(DerivedNet()),
        "nested": keys(Nested()),
        "shared": keys(nn.Sequential(shared, nn.ReLU(), shared)),
    },
}
output.write_text(json.dumps(fixture, indent=1) + "\n")
print(f"wrote {output.relative_to(root)}")
