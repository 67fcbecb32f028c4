"""The docs' He run of the initialization comparison, trained with a learning-rate schedule and gradient
clipping in PyTorch, for Tests/KindlingRegressionTests/ScheduledComparisonTests.swift (the library and
`kindling compare-init --schedule ... --clip-grad-norm ...`).

Writes Tests/KindlingTestSupport/Fixtures/torch_scheduled_comparison.json (float64).

The experiment is DESIGN.md's: make_circles(n_samples=300, noise=.05) after np.random.seed(1); a 2-10-5-1
ReLU network with He weights randn(out, in) * sqrt(2 / in) drawn layer by layer after np.random.seed(3),
biases 0; BCEWithLogitsLoss; full-batch SGD. Each step: zero_grad, forward, loss (recorded every RECORD
steps, before the update), backward, clip_grad_norm_(max_norm), optimizer.step(), scheduler.step().
The `clipped_steps` field counts the steps whose gradient norm exceeded the limit (so that the reference
shows clipping at work).
"""
import json
import pathlib

import numpy as np
import torch
from sklearn.datasets import make_circles
from torch import nn
from torch.optim import lr_scheduler as S

torch.set_default_dtype(torch.float64)
ITERATIONS = 2000
RECORD = 100

np.random.seed(1)
X, y = make_circles(n_samples=300, noise=.05)
features = torch.tensor(X)
targets = torch.tensor(y, dtype=torch.float64).reshape(-1, 1)


def he_model():
    rng = np.random.RandomState(3)
    layers = []
    for fan_in, fan_out in [(2, 10), (10, 5), (5, 1)]:
        linear = nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(rng.randn(fan_out, fan_in) * np.sqrt(2 / fan_in)))
            linear.bias.zero_()
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


# name, lr, momentum, CLI spelling of the schedule, scheduler factory, max_norm
RUNS = [
    ("warm_up_cosine_clipped", 0.5, 0.0, "warmup:100+cosine", 0.25,
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.01, total_iters=100),
                                  S.CosineAnnealingLR(o, T_max=ITERATIONS - 100)], milestones=[100])),
    ("one_cycle_momentum_clipped", 0.2, 0.9, "onecycle", 0.5,
     lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=ITERATIONS, cycle_momentum=False)),
    ("step_unclipped", 0.3, 0.0, "step:500:0.5", None, lambda o: S.StepLR(o, step_size=500, gamma=0.5)),
]


def run(lr, momentum, make_scheduler, max_norm):
    model = he_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, foreach=False)
    scheduler = make_scheduler(optimizer)
    criterion = nn.BCEWithLogitsLoss()
    losses, clipped = [], 0
    for step in range(ITERATIONS):
        optimizer.zero_grad()
        loss = criterion(model(features), targets)
        if step % RECORD == 0:
            losses.append(loss.item())
        loss.backward()
        if max_norm is not None:
            clipped += int(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm).item() > max_norm)
        optimizer.step()
        scheduler.step()
    with torch.no_grad():
        accuracy = ((model(features) > 0).double() == targets).double().mean().item()
    return losses, clipped, accuracy


root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_scheduled_comparison.json"
runs = {}
for name, lr, momentum, schedule, max_norm, make in RUNS:
    losses, clipped, accuracy = run(lr, momentum, make, max_norm)
    runs[name] = {"learning_rate": lr, "momentum": momentum, "schedule": schedule, "clip_grad_norm": max_norm,
                  "losses": losses, "clipped_steps": clipped, "train_accuracy": accuracy}
    print(name, "clipped", clipped, "last loss", losses[-1], "accuracy", accuracy)
fixture = {"generator": "Scripts/reference/torch_scheduled_comparison.py", "torch_version": torch.__version__,
           "iterations": ITERATIONS, "record_every": RECORD, "runs": runs}
output.write_text(json.dumps(fixture, indent=1) + "\n")
print(f"wrote {output.relative_to(root)}")
