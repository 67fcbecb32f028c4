"""State-dict keys and shapes of a model built with nn.ModuleList and nn.ModuleDict, for
Tests/KindlingUnitTests/ContainerTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_containers.json.

The model: `stem` Linear(2, 4); `blocks` a ModuleList of [Linear(4, 4), BatchNorm1d(4)] plus a Linear(4, 4)
appended after construction; `heads` a ModuleDict {"classifier": Linear(4, 3), "regressor": Linear(4, 1)}
with "classifier" then replaced by Linear(4, 5) (it keeps its place) and "extra" = Sequential(Linear(4, 2),
ReLU()) added last.
"""
import json
import pathlib

import torch
from torch import nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Linear(2, 4)
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.BatchNorm1d(4)])
        self.blocks.append(nn.Linear(4, 4))
        self.heads = nn.ModuleDict({"classifier": nn.Linear(4, 3), "regressor": nn.Linear(4, 1)})
        self.heads["classifier"] = nn.Linear(4, 5)
        self.heads["extra"] = nn.Sequential(nn.Linear(4, 2), nn.ReLU())


model = Model()
root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_containers.json"
output.write_text(json.dumps({
    "generator": "Scripts/reference/torch_containers.py", "torch_version": torch.__version__,
    "state_dict": [[key, list(value.shape)] for key, value in model.state_dict().items()],
    "named_parameters": [name for name, _ in model.named_parameters()],
    "named_modules": [name for name, _ in model.named_modules()],
}, indent=1) + "\n")
print(f"wrote {output.relative_to(root)}")
