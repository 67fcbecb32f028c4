"""OneCycleLR with cycle_momentum and per-group max_lr, for Tests/KindlingUnitTests/OneCycleMomentumTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_one_cycle_momentum.json (float64).

Each case trains two parameter groups (p0 = [1, -2, 3], p1 = [0.5, 0.25]) on the loss
sum(c0 · p0²) / 2 + sum(c1 · p1²) / 2 (c0 = [1, 2, 3], c1 = [4, 5]) with the optimizer and the scheduler given,
in PyTorch's documented loop: record every group's lr and the momentum (SGD's momentum, Adam's betas[0]),
backward, optimizer.step(), scheduler.step(). `final` holds the parameters after the last step.
"""
import json
import pathlib

import torch
from torch.optim import lr_scheduler as S

C = [torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), torch.tensor([4.0, 5.0], dtype=torch.float64)]

CASES = [  # name, steps, optimizer, scheduler
    ("sgd_two_groups", 20,
     lambda groups: torch.optim.SGD(groups, lr=0.1, momentum=0.9),
     lambda o: S.OneCycleLR(o, max_lr=[0.05, 0.02], total_steps=20, base_momentum=0.8, max_momentum=0.95)),
    ("sgd_without_momentum", 12,
     lambda groups: torch.optim.SGD(groups, lr=0.1),
     lambda o: S.OneCycleLR(o, max_lr=0.03, total_steps=12)),
    ("adam_three_phase_linear", 15,
     lambda groups: torch.optim.Adam(groups, lr=0.01),
     lambda o: S.OneCycleLR(o, max_lr=[0.1, 0.04], total_steps=15, three_phase=True, anneal_strategy="linear",
                            base_momentum=0.85, max_momentum=0.95, div_factor=10.0)),
]


def run(steps, make_optimizer, make_scheduler):
    parameters = [torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)),
                  torch.nn.Parameter(torch.tensor([0.5, 0.25], dtype=torch.float64))]
    optimizer = make_optimizer([dict(params=[p]) for p in parameters])
    scheduler = make_scheduler(optimizer)
    lrs, momenta = [], []
    for _ in range(steps):
        group = optimizer.param_groups[0]
        lrs.append([g["lr"] for g in optimizer.param_groups])
        momenta.append(group["momentum"] if "momentum" in group else group["betas"][0])
        optimizer.zero_grad()
        sum(((c * p * p).sum() / 2 for c, p in zip(C, parameters))).backward()
        optimizer.step()
        scheduler.step()
    return {"lrs": lrs, "momenta": momenta, "final": [p.detach().tolist() for p in parameters]}


root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_one_cycle_momentum.json"
fixture = {"generator": "Scripts/reference/torch_one_cycle_momentum.py", "torch_version": torch.__version__,
           "cases": {name: run(steps, o, s) for name, steps, o, s in CASES}}
output.write_text(json.dumps(fixture) + "\n")
print(f"wrote {output.relative_to(root)}")
