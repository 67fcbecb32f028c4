"""torch.nn.BatchNorm1d/2d with momentum=None (cumulative moving average) and track_running_stats=False,
over several training steps and then in eval mode, for Tests/KindlingUnitTests/BatchNormModesTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_batchnorm_modes.json (float64).

Each case draws its batches from numpy.random.RandomState(0).standard_normal(shape) * 2 + 0.5, one per
step; the layer's weight and bias are set to standard_normal(C) draws after construction (so that the
affine part matters). Each training step records the output, the gradients of sum(output³) for the input,
the weight and the bias, and the buffers afterwards; the final step runs in eval mode. `state_dict_keys`
lists the layer's state-dict keys.
"""
import json
import pathlib

import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float64)
CASES = [  # name, layer, input shape, training steps
    ("cumulative_1d", lambda: nn.BatchNorm1d(3, momentum=None), [5, 3], 4),
    ("cumulative_2d", lambda: nn.BatchNorm2d(2, momentum=None, eps=1e-3), [3, 2, 2, 3], 3),
    ("untracked_1d", lambda: nn.BatchNorm1d(3, track_running_stats=False), [4, 3, 2], 3),
    ("untracked_2d", lambda: nn.BatchNorm2d(2, track_running_stats=False, affine=False), [2, 2, 3, 2], 2),
]

rng = np.random.RandomState(0)
cases = {}
for name, make, shape, training_steps in CASES:
    layer = make()
    if layer.affine:
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(rng.standard_normal(shape[1])))
            layer.bias.copy_(torch.tensor(rng.standard_normal(shape[1])))
    steps = []
    for step in range(training_steps + 1):
        layer.train(step < training_steps)
        layer.zero_grad()
        x = torch.tensor(rng.standard_normal(shape) * 2 + 0.5, requires_grad=True)
        y = layer(x)
        (y ** 3).sum().backward()
        record = {"training": layer.training, "input": x.detach().flatten().tolist(),
                  "output": y.detach().flatten().tolist(), "input_gradient": x.grad.flatten().tolist()}
        if layer.affine:
            record["weight_gradient"] = layer.weight.grad.tolist()
            record["bias_gradient"] = layer.bias.grad.tolist()
        if layer.track_running_stats:
            record["running_mean"] = layer.running_mean.tolist()
            record["running_var"] = layer.running_var.tolist()
            record["num_batches_tracked"] = layer.num_batches_tracked.item()
        steps.append(record)
    cases[name] = {"shape": shape, "weight": layer.weight.tolist() if layer.affine else None,
                   "bias": layer.bias.tolist() if layer.affine else None,
                   "state_dict_keys": list(layer.state_dict().keys()), "steps": steps}

root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_batchnorm_modes.json"
output.write_text(json.dumps({"generator": "Scripts/reference/torch_batchnorm_modes.py",
                              "torch_version": torch.__version__, "cases": cases}) + "\n")
print(f"wrote {output.relative_to(root)}")
