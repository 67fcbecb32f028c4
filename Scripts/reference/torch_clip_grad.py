"""torch.nn.utils.clip_grad_norm_ and clip_grad_value_ on fixed gradients, for
Tests/KindlingUnitTests/GradientClippingTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_clip_grad.json (float64).

Three parameters of shapes (3, 4), (4,) and (2, 2, 2) get gradients drawn from
numpy.random.RandomState(7).normal(0, 1) in that order (row-major); a fourth parameter of shape (3,) has no
gradient. Each case clips a fresh copy of the gradients and records the returned total norm and the
gradients after clipping.
"""
import json
import pathlib

import numpy as np
import torch

SHAPES = [(3, 4), (4,), (2, 2, 2)]
rng = np.random.RandomState(7)
GRADIENTS = [rng.normal(0, 1, shape) for shape in SHAPES]

NORM_CASES = [  # (name, max_norm, norm_type)
    ("l2_clipped", 1.0, 2.0),
    ("l2_unclipped", 100.0, 2.0),
    ("l1_clipped", 2.5, 1.0),
    ("inf_clipped", 0.5, "inf"),
    ("inf_unclipped", 10.0, "inf"),
    ("l3_clipped", 1.5, 3.0),
    ("half_norm_clipped", 4.0, 0.5),
]
VALUE_CASES = [("value_half", 0.5), ("value_large", 10.0)]


def parameters():
    result = [torch.nn.Parameter(torch.zeros(shape, dtype=torch.float64)) for shape in SHAPES]
    for p, g in zip(result, GRADIENTS):
        p.grad = torch.tensor(g)
    return result + [torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))]


def flat(params):
    return [p.grad.flatten().tolist() for p in params if p.grad is not None]


cases = []
for name, max_norm, norm_type in NORM_CASES:
    params = parameters()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=float(norm_type))
    cases.append({"name": name, "max_norm": max_norm, "norm_type": norm_type,
                  "total_norm": total.item(), "gradients": flat(params)})
for name, clip_value in VALUE_CASES:
    params = parameters()
    torch.nn.utils.clip_grad_value_(params, clip_value)
    cases.append({"name": name, "clip_value": clip_value, "gradients": flat(params)})

root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_clip_grad.json"
fixture = {
    "generator": "Scripts/reference/torch_clip_grad.py",
    "torch_version": torch.__version__,
    "shapes": [list(s) for s in SHAPES],
    "gradients": [g.flatten().tolist() for g in GRADIENTS],
    "cases": cases,
}
output.write_text(json.dumps(fixture, indent=1) + "\n")
print(f"wrote {output.relative_to(root)}")
