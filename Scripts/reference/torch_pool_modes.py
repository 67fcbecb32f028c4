"""F.max_pool2d and F.avg_pool2d with ceil_mode and count_include_pad (values and gradients), for
Tests/KindlingUnitTests/PoolingModesTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_pool_modes.json (float64).

Each case draws its input from numpy.random.RandomState(0).standard_normal(shape) and records the output
and the gradient of sum(output · c), c = 1, 2, 3, ... in row-major order (so that every window's gradient
differs).
"""
import json
import pathlib

import numpy as np
import torch
import torch.nn.functional as F

CASES = [  # kind, input shape, kernel, stride, padding, ceil_mode, count_include_pad
    ("max", [2, 2, 5, 5], (2, 2), (2, 2), (0, 0), True, True),
    ("max", [1, 3, 7, 6], (3, 3), (2, 2), (1, 1), True, True),
    ("max", [1, 2, 6, 7], (3, 2), (2, 3), (0, 1), True, True),
    ("max", [1, 1, 5, 5], (2, 2), (2, 2), (0, 0), False, True),
    ("avg", [2, 2, 5, 5], (2, 2), (2, 2), (0, 0), True, True),
    ("avg", [1, 3, 7, 6], (3, 3), (2, 2), (1, 1), True, True),
    ("avg", [1, 3, 7, 6], (3, 3), (2, 2), (1, 1), True, False),
    ("avg", [1, 2, 6, 7], (3, 2), (2, 3), (1, 1), False, False),
    ("avg", [1, 2, 8, 5], (4, 3), (3, 2), (2, 1), True, True),
    ("avg", [1, 2, 8, 5], (4, 3), (3, 2), (2, 1), True, False),
]

rng = np.random.RandomState(0)
cases = []
for kind, shape, kernel, stride, padding, ceil_mode, count_include_pad in CASES:
    x = torch.tensor(rng.standard_normal(shape), requires_grad=True)
    if kind == "max":
        y = F.max_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode)
    else:
        y = F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    (y * torch.arange(1, y.numel() + 1, dtype=torch.float64).reshape(y.shape)).sum().backward()
    cases.append({"kind": kind, "input_shape": shape, "kernel": list(kernel), "stride": list(stride),
                  "padding": list(padding), "ceil_mode": ceil_mode, "count_include_pad": count_include_pad,
                  "input": x.detach().flatten().tolist(), "output_shape": list(y.shape),
                  "output": y.detach().flatten().tolist(), "input_gradient": x.grad.flatten().tolist()})

root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_pool_modes.json"
output.write_text(json.dumps({"generator": "Scripts/reference/torch_pool_modes.py",
                              "torch_version": torch.__version__, "cases": cases}) + "\n")
print(f"wrote {output.relative_to(root)}")
