"""PyTorch options of the losses and poolings, for Tests/KindlingUnitTests/LossAndPoolingOptionTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_loss_pool_options.json (float64).

- F.nll_loss with weight and ignore_index (each reduction): the loss and its gradient with respect to the
  log-probabilities (the input itself, not logits through a softmax).
- F.cross_entropy and F.nll_loss on (N, C, d1, ...) inputs with (N, d1, ...) targets.
- F.avg_pool2d with divisor_override; F.max_pool2d with dilation and return_indices.
Inputs are drawn from numpy.random.RandomState(0) in the order below; gradients are those of sum(loss · c)
(c = 1, 2, ... for reduction 'none', 1 otherwise) and of sum(output · c) for the poolings.
"""
import json
import pathlib

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.RandomState(0)


def flat(t):
    return t.detach().flatten().tolist()


def weighted_sum(y):
    return (y * torch.arange(1, y.numel() + 1, dtype=torch.float64).reshape(y.shape)).sum()


losses = []
LOSS_CASES = [  # function, input shape, weight?, ignore_index, reduction
    ("nll", [6, 4], True, 2, "mean"),
    ("nll", [6, 4], True, 2, "sum"),
    ("nll", [6, 4], True, 2, "none"),
    ("nll", [6, 4], False, 1, "mean"),
    ("nll", [5, 3], True, None, "mean"),
    ("nll", [2, 3, 4, 2], True, 0, "mean"),
    ("cross_entropy", [2, 3, 4, 2], False, None, "mean"),
    ("cross_entropy", [2, 4, 3], True, 1, "none"),
    ("cross_entropy", [2, 4, 3], True, None, "sum"),
]
for function, shape, has_weight, ignore_index, reduction in LOSS_CASES:
    values = rng.standard_normal(shape)
    x = torch.tensor(values, requires_grad=True)
    classes = shape[1]
    target_shape = [shape[0]] + shape[2:]
    target = torch.tensor(rng.randint(0, classes, size=target_shape))
    weight = torch.tensor(rng.uniform(0.5, 2.0, classes)) if has_weight else None
    kwargs = {"weight": weight, "reduction": reduction}
    if ignore_index is not None:
        kwargs["ignore_index"] = ignore_index
    if function == "nll":
        loss = F.nll_loss(x, target, **kwargs)
    else:
        loss = F.cross_entropy(x, target, **kwargs)
    (weighted_sum(loss) if reduction == "none" else loss).backward()
    losses.append({"function": function, "input_shape": shape, "input": flat(x), "target": target.flatten().tolist(),
                   "weight": flat(weight) if has_weight else None, "ignore_index": ignore_index,
                   "reduction": reduction, "loss_shape": list(loss.shape), "loss": flat(loss),
                   "input_gradient": flat(x.grad)})

poolings = []
POOL_CASES = [  # kind, input shape, kernel, stride, padding, dilation, ceil_mode, count_include_pad, divisor_override
    ("avg", [1, 2, 6, 7], (3, 3), (2, 2), (1, 1), (1, 1), False, True, 5),
    ("avg", [1, 2, 7, 6], (3, 2), (2, 1), (1, 0), (1, 1), True, False, 2),
    ("max", [1, 2, 7, 8], (3, 3), (1, 2), (1, 1), (2, 2), False, True, None),
    ("max", [2, 1, 9, 9], (2, 3), (2, 2), (0, 1), (3, 2), True, True, None),
    ("max", [1, 2, 6, 6], (2, 2), (2, 2), (0, 0), (1, 1), False, True, None),
]
for kind, shape, kernel, stride, padding, dilation, ceil_mode, count_include_pad, divisor in POOL_CASES:
    x = torch.tensor(rng.standard_normal(shape), requires_grad=True)
    indices = None
    if kind == "avg":
        y = F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                         divisor_override=divisor)
    else:
        y, indices = F.max_pool2d(x, kernel, stride, padding, dilation=dilation, ceil_mode=ceil_mode,
                                  return_indices=True)
    weighted_sum(y).backward()
    poolings.append({"kind": kind, "input_shape": shape, "kernel": list(kernel), "stride": list(stride),
                     "padding": list(padding), "dilation": list(dilation), "ceil_mode": ceil_mode,
                     "count_include_pad": count_include_pad, "divisor_override": divisor, "input": flat(x),
                     "output_shape": list(y.shape), "output": flat(y), "input_gradient": flat(x.grad),
                     "indices": indices.flatten().tolist() if indices is not None else None})

root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_loss_pool_options.json"
output.write_text(json.dumps({"generator": "Scripts/reference/torch_loss_pool_options.py",
                              "torch_version": torch.__version__, "losses": losses, "poolings": poolings}) + "\n")
print(f"wrote {output.relative_to(root)}")
