"""Reference weights for Kindling's LSUV initialization (Tests/KindlingRegressionTests/LSUVTests.swift), written to
Tests/KindlingTestSupport/Fixtures/lsuv_reference.json.

Runs LSUVinit (exported as lsuv_with_singlebatch) from the `lsuv` package (0.3.0, Mishkin's own code) in float64 on three
small models. For the two cases with the orthonormal pre-initialization, torch's normal_ is redirected to
numpy's legacy RandomState (as torch_init.py does), so the pre-initialization draws the very numbers
Kindling's generator draws from the same seed and the whole scheme can be compared end to end. The third
case starts from given weights with nonzero biases and no pre-initialization, so the output's std is
not linear in the weight and the package needs several scalings per layer; its verbose output is parsed to
record how many, and the script checks that no layer reaches the package's attempt limit (where the
package, which checks `attempts > max_attempts` after scaling, would make one scaling more than the paper).

The package has a bug that shows only when a layer needs a second scaling: the counter that finds the
layer to scale (gg['counter_to_apply_correction']) is reset after each layer but not after each scaling,
so from the second scaling of layer k >= 1 on, the package scales the FIRST layer's weight instead of layer
k's. Each case is therefore run twice: "after" with that one counter reset added (the paper's algorithm,
which Kindling follows) and "after_package" with the package as published. With the orthonormal
pre-initialization the biases are 0, one scaling always suffices and the two agree (checked here).
"""
import contextlib
import copy
import io
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from lsuv import lsuv_with_singlebatch as LSUVinit
from lsuv import lsuvinit

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "lsuv_reference.json"

torch.set_default_dtype(torch.float64)


@contextlib.contextmanager
def numpy_normal(seed):
    """torch's in-place normal_ draws RandomState(seed).normal in row-major order while active."""
    state = np.random.RandomState(seed)
    saved = torch.Tensor.normal_

    def normal_(tensor, mean=0.0, std=1.0, generator=None):
        values = state.normal(mean, std, tensor.numel())
        tensor.copy_(torch.from_numpy(values).reshape(tensor.shape))
        return tensor

    torch.Tensor.normal_ = normal_
    try:
        yield
    finally:
        torch.Tensor.normal_ = saved


PUBLISHED_CORRECTION = lsuvinit.apply_weights_correction


def correction_with_counter_reset(module):
    """The package's apply_weights_correction, then the counter reset once the scaling is applied."""
    PUBLISHED_CORRECTION(module)
    if not lsuvinit.gg['correction_needed']:
        lsuvinit.gg['counter_to_apply_correction'] = 0


def run_lsuv(model, batch, fixed, **arguments):
    """LSUVinit with its printout captured; returns the number of scalings per layer."""
    printed = io.StringIO()
    lsuvinit.apply_weights_correction = correction_with_counter_reset if fixed else PUBLISHED_CORRECTION
    try:
        with contextlib.redirect_stdout(printed):
            LSUVinit(model, batch, verbose=True, **arguments)
    finally:
        lsuvinit.apply_weights_correction = PUBLISHED_CORRECTION
    scalings, current = [], 0
    for line in printed.getvalue().splitlines():
        if line.startswith("Applying correction"):
            current += 1
        if line.startswith("finish at layer"):
            scalings.append(current)
            current = 0
    assert all(count <= 10 for count in scalings), scalings
    return scalings


def state(model):
    return {key: {"shape": list(value.shape), "values": value.flatten().tolist()}
            for key, value in model.state_dict().items()}


def case(name, model, batch, seed=None):
    before = state(model)
    published = copy.deepcopy(model)
    results = []
    for fixed, network in [(True, model), (False, published)]:
        if seed is None:
            scalings = run_lsuv(network, batch, fixed, do_orthonorm=False)
        else:
            with numpy_normal(seed):
                scalings = run_lsuv(network, batch, fixed, do_orthonorm=True)
        results.append((state(network), scalings))
    (after, scalings), (after_package, _) = results
    if seed is not None:
        assert after == after_package, name
    return {"name": name, "preinitialization_seed": seed,
            "batch": {"shape": list(batch.shape), "values": batch.flatten().tolist()},
            "before": before, "after": after, "scalings": scalings, "after_package": after_package}


def main():
    torch.manual_seed(0)
    cases = []
    batch = torch.from_numpy(np.random.RandomState(4).randn(32, 8))
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3))
    cases.append(case("mlp-tanh", model, batch, seed=5))

    batch = torch.from_numpy(np.random.RandomState(6).randn(8, 3, 8, 8))
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 6, 3, stride=2), nn.ReLU(),
                          nn.Flatten(), nn.Linear(54, 2))
    cases.append(case("cnn-relu", model, batch, seed=7))

    batch = torch.from_numpy(np.random.RandomState(8).randn(32, 8) * 3 + 1)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    weights = np.random.RandomState(9)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.from_numpy(weights.uniform(-1, 1, parameter.numel())).reshape(parameter.shape))
    cases.append(case("mlp-relu-biases-without-preinitialization", model, batch))

    document = {"source": "Scripts/reference/lsuv_reference.py", "lsuv_version": "0.3.0",
                "torch": torch.__version__, "cases": cases}
    OUT.write_text(json.dumps(document))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes); scalings:", [c["scalings"] for c in cases])


if __name__ == "__main__":
    main()
