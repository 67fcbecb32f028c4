"""Reference trajectories of torch.optim with parameter groups, AMSGrad and maximize, for
Tests/KindlingUnitTests/OptimizerVariantTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_optim_variants.json (float64 throughout).

The problem is torch_optim.py's: loss = mean((tanh(X Wᵀ + b) - Y)²) with W (3, 4), b (3), fixed X (5, 4) and
Y (5, 3) drawn from numpy.random.RandomState(0). Each run steps the optimizer 25 times and records W and b
after every step. With `groups`, W and b are two parameter groups, [W] then [b], each dict overriding the
optimizer's options as PyTorch's param_groups do; otherwise [W, b] is one group. Runs that maximize step on
the negated loss's gradient direction, i.e. they ascend the loss, as torch.optim's `maximize=True` does.
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

# (name, optimizer, options, [weight group overrides, bias group overrides] or None)
RUNS = [
    ("sgd_maximize", "SGD", dict(lr=0.05, maximize=True), None),
    ("sgd_momentum_maximize", "SGD", dict(lr=0.02, momentum=0.9, weight_decay=0.05, maximize=True), None),
    ("sgd_groups", "SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.05),
     [dict(), dict(lr=0.3, weight_decay=0.0)]),
    ("sgd_groups_plain", "SGD", dict(lr=0.3), [dict(lr=0.05), dict()]),
    ("adam_amsgrad", "Adam", dict(lr=0.05, betas=(0.8, 0.99), amsgrad=True), None),
    ("adam_amsgrad_weight_decay", "Adam", dict(lr=0.05, weight_decay=0.1, amsgrad=True), None),
    ("adam_maximize", "Adam", dict(lr=0.01, maximize=True), None),
    ("adamw_amsgrad", "AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True), None),
    ("adamw_amsgrad_maximize", "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True), None),
    ("adam_groups", "Adam", dict(lr=0.05, weight_decay=0.1), [dict(lr=0.02), dict(weight_decay=0.0)]),
    ("adamw_groups", "AdamW", dict(lr=0.05, weight_decay=0.2), [dict(), dict(lr=0.1, weight_decay=0.0)]),
]


def trajectory(kind, options, groups):
    weight = nn.Parameter(W0.clone())
    bias = nn.Parameter(B0.clone())
    if groups is None:
        parameters = [weight, bias]
    else:
        parameters = [dict(params=[weight], **groups[0]), dict(params=[bias], **groups[1])]
    optimizer = getattr(torch.optim, kind)(parameters, foreach=False, **options)
    steps = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = ((torch.tanh(X @ weight.T + bias) - Y) ** 2).mean()
        loss.backward()
        optimizer.step()
        steps.append({"weight": weight.detach().flatten().tolist(), "bias": bias.detach().tolist()})
    return steps


def jsonable(options):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}


root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_optim_variants.json"
fixture = {
    "generator": "Scripts/reference/torch_optim_variants.py",
    "torch_version": torch.__version__,
    "steps": STEPS,
    "inputs": X.flatten().tolist(), "inputs_shape": list(X.shape),
    "targets": Y.flatten().tolist(), "targets_shape": list(Y.shape),
    "initial_weight": W0.flatten().tolist(), "weight_shape": list(W0.shape),
    "initial_bias": B0.tolist(),
    "runs": [{"name": name, "optimizer": kind, "options": jsonable(options),
              "groups": None if groups is None else [jsonable(g) for g in groups],
              "skip_bias_on_odd_steps": False,
              "trajectory": trajectory(kind, options, groups)}
             for name, kind, options, groups in RUNS],
}
output.write_text(json.dumps(fixture) + "\n")
print(f"wrote {output.relative_to(root)}")
