"""torch.nn.functional.conv2d with padding='same' and padding='valid' (values and gradients), for
Tests/KindlingUnitTests/ConvolutionPaddingTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_conv_padding.json (float64).

Each case draws the input (N, C, H, W), the weight (O, C / groups, kH, kW) and the bias (O) from
numpy.random.RandomState(0).standard_normal in that order, and records the output and the gradients of
sum(output²) for input, weight and bias. Odd totals dilation · (k − 1) exercise PyTorch's extra zero after
the input.
"""
import json
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
import warnings

warnings.filterwarnings("ignore", message="Using padding=.same. with even kernel")

CASES = [  # input shape, weight shape, padding, dilation, groups
    ([2, 3, 5, 6], [4, 3, 3, 3], "same", (1, 1), 1),
    ([1, 2, 5, 5], [3, 2, 4, 4], "same", (1, 1), 1),
    ([2, 2, 6, 5], [2, 2, 2, 3], "same", (1, 1), 1),
    ([1, 4, 7, 6], [4, 2, 3, 2], "same", (2, 3), 2),
    ([2, 3, 5, 6], [4, 3, 3, 2], "valid", (1, 1), 1),
    ([1, 2, 7, 7], [2, 2, 3, 3], "valid", (2, 1), 1),
]

rng = np.random.RandomState(0)
cases = []
for input_shape, weight_shape, padding, dilation, groups in CASES:
    x = torch.tensor(rng.standard_normal(input_shape), requires_grad=True)
    w = torch.tensor(rng.standard_normal(weight_shape), requires_grad=True)
    b = torch.tensor(rng.standard_normal(weight_shape[0]), requires_grad=True)
    y = F.conv2d(x, w, b, padding=padding, dilation=dilation, groups=groups)
    (y ** 2).sum().backward()
    cases.append({"input_shape": input_shape, "weight_shape": weight_shape, "padding": padding,
                  "dilation": list(dilation), "groups": groups,
                  "input": x.detach().flatten().tolist(), "weight": w.detach().flatten().tolist(),
                  "bias": b.detach().tolist(), "output_shape": list(y.shape), "output": y.detach().flatten().tolist(),
                  "input_gradient": x.grad.flatten().tolist(), "weight_gradient": w.grad.flatten().tolist(),
                  "bias_gradient": b.grad.tolist()})

root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_conv_padding.json"
output.write_text(json.dumps({"generator": "Scripts/reference/torch_conv_padding.py",
                              "torch_version": torch.__version__, "cases": cases}) + "\n")
print(f"wrote {output.relative_to(root)}")
