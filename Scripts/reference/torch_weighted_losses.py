"""F.cross_entropy with class weights, ignore_index, label smoothing and probability targets, and
F.binary_cross_entropy_with_logits with weight and pos_weight, under every reduction (values and
gradients), for Tests/KindlingUnitTests/WeightedLossTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_weighted_losses.json (float64).

Inputs come from numpy.random.RandomState(0): logits (6, 4) = standard_normal * 2, class indices, soft
targets (softmax of standard_normal), class weights uniform(0.2, 2); for the binary loss, logits (5, 3) =
standard_normal * 3 with two entries set to ±40, targets uniform(0, 1), pos_weight uniform(0.5, 3) of
shape (3,), weight uniform(0.2, 2) of shape (5, 1). The gradient is that of the loss for 'mean' and 'sum',
and of sum(loss * c) with c = 1, 2, 3, ... in row-major order for 'none'.
"""
import json
import pathlib

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.RandomState(0)
LOGITS = rng.standard_normal((6, 4)) * 2
INDICES = [2, 0, 3, 1, 1, 2]
SOFT = rng.standard_normal((6, 4))
SOFT = np.exp(SOFT) / np.exp(SOFT).sum(axis=1, keepdims=True)
CLASS_WEIGHTS = rng.uniform(0.2, 2, 4)
BINARY_LOGITS = rng.standard_normal((5, 3)) * 3
BINARY_LOGITS[1, 2], BINARY_LOGITS[3, 0] = 40.0, -40.0
BINARY_TARGETS = rng.uniform(0, 1, (5, 3))
POSITIVE_WEIGHT = rng.uniform(0.5, 3, 3)
ELEMENT_WEIGHT = rng.uniform(0.2, 2, (5, 1))

INDEX_CASES = [  # name, weight?, ignore_index, label_smoothing
    ("weighted", True, None, 0.0),
    ("ignored", False, 1, 0.0),
    ("smoothed", False, None, 0.2),
    ("weighted_ignored_smoothed", True, 2, 0.15),
]
PROBABILITY_CASES = [("probabilities", False, 0.0), ("probabilities_weighted_smoothed", True, 0.1)]
BINARY_CASES = [("positive_weight", True, False), ("element_weight", False, True), ("both_weights", True, True)]


def backward(loss, reduction, tensors):
    if reduction == "none":
        loss = (loss * torch.arange(1, loss.numel() + 1, dtype=torch.float64).reshape(loss.shape)).sum()
    loss.backward()
    return [t.grad.flatten().tolist() for t in tensors]


cases = []
for reduction in ["mean", "sum", "none"]:
    for name, weighted, ignore_index, smoothing in INDEX_CASES:
        x = torch.tensor(LOGITS, requires_grad=True)
        options = dict(weight=torch.tensor(CLASS_WEIGHTS) if weighted else None, label_smoothing=smoothing,
                       reduction=reduction)
        if ignore_index is not None:
            options["ignore_index"] = ignore_index
        loss = F.cross_entropy(x, torch.tensor(INDICES), **options)
        value = loss.detach().flatten().tolist()
        (dx,) = backward(loss, reduction, [x])
        cases.append({"name": name, "kind": "indices", "reduction": reduction, "weighted": weighted,
                      "ignore_index": ignore_index, "label_smoothing": smoothing,
                      "loss": value, "logits_gradient": dx})
    for name, weighted, smoothing in PROBABILITY_CASES:
        x = torch.tensor(LOGITS, requires_grad=True)
        t = torch.tensor(SOFT, requires_grad=True)
        loss = F.cross_entropy(x, t, weight=torch.tensor(CLASS_WEIGHTS) if weighted else None,
                               label_smoothing=smoothing, reduction=reduction)
        value = loss.detach().flatten().tolist()
        dx, dt = backward(loss, reduction, [x, t])
        cases.append({"name": name, "kind": "probabilities", "reduction": reduction, "weighted": weighted,
                      "label_smoothing": smoothing, "loss": value, "logits_gradient": dx, "targets_gradient": dt})
    for name, positive, element in BINARY_CASES:
        x = torch.tensor(BINARY_LOGITS, requires_grad=True)
        t = torch.tensor(BINARY_TARGETS, requires_grad=True)
        loss = F.binary_cross_entropy_with_logits(
            x, t, weight=torch.tensor(ELEMENT_WEIGHT) if element else None,
            pos_weight=torch.tensor(POSITIVE_WEIGHT) if positive else None, reduction=reduction)
        value = loss.detach().flatten().tolist()
        dx, dt = backward(loss, reduction, [x, t])
        cases.append({"name": name, "kind": "binary", "reduction": reduction, "positive_weight": positive,
                      "element_weight": element, "loss": value, "logits_gradient": dx, "targets_gradient": dt})

root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_weighted_losses.json"
output.write_text(json.dumps({
    "generator": "Scripts/reference/torch_weighted_losses.py", "torch_version": torch.__version__,
    "logits": LOGITS.flatten().tolist(), "indices": INDICES, "soft_targets": SOFT.flatten().tolist(),
    "class_weights": CLASS_WEIGHTS.tolist(), "binary_logits": BINARY_LOGITS.flatten().tolist(),
    "binary_targets": BINARY_TARGETS.flatten().tolist(), "positive_weight": POSITIVE_WEIGHT.tolist(),
    "element_weight": ELEMENT_WEIGHT.flatten().tolist(), "cases": cases}) + "\n")
print(f"wrote {output.relative_to(root)}")
