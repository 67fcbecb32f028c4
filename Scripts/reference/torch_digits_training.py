"""PyTorch trains the MLP that `kindling train --data digits.csv --precision double` builds, from the same initial
weights and in the same batch order, for Tests/KindlingCommandLineTests/TrainCommandTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_digits_training.json: per epoch, the training loss (the mean over the
epoch's examples of the loss of their batch, from each batch's forward pass before its update) and the validation
loss after the epoch, in float64.

The run, rebuilt with numpy's RandomState (the stream Kindling's generator reproduces), seed 0:
- data: Fixtures/datasets/digits.csv (written by sklearn_real_datasets.py); split as train_test_split(test_size=0.2,
  random_state=0): permutation(1797), the first 360 positions for validation;
- features standardized with the training split's mean and population standard deviation (1 where it is 0);
- model 64 -> 64 -> ReLU -> 32 -> ReLU -> 10, initialized by Kindling's `automatic` scheme, layer by layer from the
  same RandomState: a Linear followed by ReLU gets randn(out, in) * (sqrt(2) / sqrt(fan_in)) (Kaiming normal), the
  output layer uniform(-a, a, (out, in)) with a = sqrt(3) * sqrt(2 / (fan_in + fan_out)) (Xavier uniform); biases 0;
- each epoch: permutation(1437) from the same RandomState, batches of 32 (the last smaller), cross-entropy,
  torch.optim.Adam(lr=1e-3, foreach=False).
"""
import csv
import json
import math
import pathlib

import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float64)
ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures"
OUT = FIXTURES / "torch_digits_training.json"
SEED, EPOCHS, BATCH, LR, HIDDEN = 0, 5, 32, 1e-3, [64, 32]

with open(FIXTURES / "datasets" / "digits.csv") as f:
    rows = list(csv.reader(f))[1:]
X = np.array([[float(v) for v in row[:-1]] for row in rows])
y = np.array([int(row[-1]) for row in rows])

rs = np.random.RandomState(SEED)
permutation = rs.permutation(len(y))
validation_count = math.ceil(0.2 * len(y))
valid, train = permutation[:validation_count], permutation[validation_count:]
mean = X[train].mean(axis=0)
std = X[train].std(axis=0)
std[std == 0] = 1
X_train, X_valid = (X[train] - mean) / std, (X[valid] - mean) / std
y_train, y_valid = y[train], y[valid]

sizes = [64] + HIDDEN + [10]
layers = []
for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
    linear = nn.Linear(fan_in, fan_out)
    if index < len(sizes) - 2:
        weight = rs.randn(fan_out, fan_in) * (math.sqrt(2.0) / math.sqrt(fan_in))
    else:
        bound = math.sqrt(3.0) * (1.0 * math.sqrt(2 / (fan_in + fan_out)))
        weight = rs.uniform(-bound, bound, (fan_out, fan_in))
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weight))
        linear.bias.zero_()
    layers += [linear, nn.ReLU()] if index < len(sizes) - 2 else [linear]
model = nn.Sequential(*layers)
optimizer = torch.optim.Adam(model.parameters(), lr=LR, foreach=False)
loss_function = nn.CrossEntropyLoss()
features, labels = torch.from_numpy(X_train), torch.from_numpy(y_train)
valid_features, valid_labels = torch.from_numpy(X_valid), torch.from_numpy(y_valid)

epochs = []
for epoch in range(1, EPOCHS + 1):
    order = rs.permutation(len(y_train))
    total = 0.0
    model.train()
    for start in range(0, len(order), BATCH):
        batch = order[start:start + BATCH]
        loss = loss_function(model(features[batch]), labels[batch])
        total += loss.item() * len(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        validation_loss = loss_function(model(valid_features), valid_labels).item()
        validation_accuracy = (model(valid_features).argmax(1) == valid_labels).double().mean().item()
    epochs.append({"epoch": epoch, "trainingLoss": (total / len(y_train)).hex(), "validationLoss": validation_loss.hex(),
                   "validationAccuracy": validation_accuracy,
                   "trainingLossDecimal": total / len(y_train), "validationLossDecimal": validation_loss})

OUT.write_text(json.dumps({
    "generator": "Scripts/reference/torch_digits_training.py",
    "versions": {"numpy": np.__version__, "torch": torch.__version__},
    "seed": SEED, "epochs": EPOCHS, "batchSize": BATCH, "learningRate": LR, "hidden": HIDDEN,
    "history": epochs,
}, indent=1) + "\n")
print(f"wrote {OUT.relative_to(ROOT)}")
for e in epochs:
    print(e["epoch"], e["trainingLossDecimal"], e["validationLossDecimal"], e["validationAccuracy"])
