"""Learning rates of torch.optim.lr_scheduler at every step, for
Tests/KindlingUnitTests/LearningRateScheduleTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_lr_scheduler.json.

Each case builds SGD over two parameter groups with learning rates 0.1 and 0.03, attaches the scheduler, and
runs PyTorch's documented loop: record each group's lr, optimizer.step(), scheduler.step(). `lrs[t]` is the
pair of rates that optimizer step t used (t = 0 before any scheduler step).
"""
import json
import pathlib
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")
INITIAL = [0.1, 0.03]

CASES = [
    ("step", 40, lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
    ("step_default_gamma", 25, lambda o: S.StepLR(o, step_size=10)),
    ("multi_step", 40, lambda o: S.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3)),
    ("exponential", 40, lambda o: S.ExponentialLR(o, gamma=0.9)),
    ("cosine_annealing", 50, lambda o: S.CosineAnnealingLR(o, T_max=20, eta_min=0.001)),
    ("cosine_annealing_to_zero", 30, lambda o: S.CosineAnnealingLR(o, T_max=30)),
    ("linear_warm_up", 20, lambda o: S.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=8)),
    ("linear_defaults", 10, lambda o: S.LinearLR(o)),
    ("linear_decay", 20, lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=12)),
    ("one_cycle", 50, lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=50, cycle_momentum=False)),
    ("one_cycle_linear", 40, lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=40, pct_start=0.25,
                                                  anneal_strategy="linear", div_factor=10.0,
                                                  final_div_factor=100.0, cycle_momentum=False)),
    ("one_cycle_three_phase", 60, lambda o: S.OneCycleLR(o, max_lr=0.4, total_steps=60, three_phase=True,
                                                       cycle_momentum=False)),
    ("warm_up_then_cosine", 45, lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(o, T_max=35)], milestones=[5])),
    ("warm_up_then_exponential", 30, lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.25, total_iters=4), S.ExponentialLR(o, gamma=0.8)], milestones=[6])),
    ("three_stages", 40, lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=4), S.StepLR(o, step_size=3, gamma=0.5),
            S.CosineAnnealingLR(o, T_max=10, eta_min=0.002)], milestones=[4, 10])),
]


def rates(steps, make):
    parameters = [torch.nn.Parameter(torch.zeros(2, dtype=torch.float64)) for _ in INITIAL]
    optimizer = torch.optim.SGD([dict(params=[p], lr=lr) for p, lr in zip(parameters, INITIAL)], lr=1.0)
    scheduler = make(optimizer)
    result = []
    for _ in range(steps):
        result.append([group["lr"] for group in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    return result


root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_lr_scheduler.json"
fixture = {
    "generator": "Scripts/reference/torch_lr_scheduler.py",
    "torch_version": torch.__version__,
    "initial_learning_rates": INITIAL,
    "cases": {name: rates(steps, make) for name, steps, make in CASES},
}
output.write_text(json.dumps(fixture) + "\n")
print(f"wrote {output.relative_to(root)}")
