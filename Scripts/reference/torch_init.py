"""Reference values for Kindling's initializers (Tests/KindlingUnitTests/InitializerTests.swift), written to
Tests/KindlingTestSupport/Fixtures/torch_init.json.

torch.nn.init's own functions are run in float64 with their random fills redirected to numpy's legacy
RandomState (numpy.random.seed semantics): uniform_(a, b) takes RandomState.uniform(a, b, n), normal_(m, s)
takes RandomState.normal(m, s, n), randperm(n) takes RandomState.permutation(n), each in row-major order.
Kindling's RandomGenerator reproduces that stream, so given the same seed the outputs must agree to
rounding: this checks PyTorch's formulas (bounds, standard deviations, fans, gains), the draw order, the
inverse-CDF truncated normal, orthogonal's QR sign convention and sparse's zero pattern at once.
The truncated normal follows PyTorch's inverse-CDF trunc_normal_ (see inverse_cdf_trunc_normal_), built
from torch's own erfinv.
"""
import json
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.init as init

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_init.json"

torch.set_default_dtype(torch.float64)


class NumpyStream:
    """Redirects torch's in-place random fills to one numpy RandomState while active."""

    def __init__(self, seed):
        self.state = np.random.RandomState(seed)

    def __enter__(self):
        self.saved = (torch.Tensor.uniform_, torch.Tensor.normal_, torch.randperm)
        state = self.state

        def uniform_(tensor, a=0.0, b=1.0, generator=None):
            values = state.uniform(a, b, tensor.numel())
            tensor.copy_(torch.from_numpy(values).reshape(tensor.shape))
            return tensor

        def normal_(tensor, mean=0.0, std=1.0, generator=None):
            values = state.normal(mean, std, tensor.numel())
            tensor.copy_(torch.from_numpy(values).reshape(tensor.shape))
            return tensor

        def randperm(n, *args, **kwargs):
            return torch.from_numpy(state.permutation(n))

        torch.Tensor.uniform_, torch.Tensor.normal_, torch.randperm = uniform_, normal_, randperm
        return self

    def __exit__(self, *exc):
        torch.Tensor.uniform_, torch.Tensor.normal_, torch.randperm = self.saved


def inverse_cdf_trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0):
    """torch.nn.init.trunc_normal_ as PyTorch wrote it until it switched to rejection sampling (the
    torch installed here samples by rejection, whose draw count depends on the values): the same
    truncated distribution, sampled by inverse CDF with one uniform per element, as Kindling does."""
    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    with torch.no_grad():
        low, high = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
        tensor.uniform_(2 * low - 1, 2 * high - 1)
        tensor.erfinv_()
        tensor.mul_(std * math.sqrt(2.0))
        tensor.add_(mean)
        tensor.clamp_(min=a, max=b)
    return tensor


def run(name, shape, seed, fill, **arguments):
    tensor = torch.empty(shape, dtype=torch.float64)
    with NumpyStream(seed):
        fill(tensor, **arguments)
    return {"name": name, "shape": list(shape), "seed": seed, "arguments": arguments,
            "values": tensor.flatten().tolist()}


gains = [{"nonlinearity": n, "param": p, "gain": init.calculate_gain(n, p)} for n, p in [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None), ("conv_transpose1d", None),
    ("conv_transpose2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
    ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0.0),
    ("leaky_relu", math.sqrt(5)), ("selu", None)]]

fans = []
for shape in [(3, 2), (10, 5), (32, 3, 3, 3), (64, 16, 5), (8, 4, 3, 3, 3), (4, 2, 1, 1), (7, 1, 5, 5)]:
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(torch.empty(shape))
    fans.append({"shape": list(shape), "fan_in": fan_in, "fan_out": fan_out})

deterministic = []
for shape in [(3, 5), (4, 2), (3, 3)]:
    deterministic.append(run("eye", shape, 0, init.eye_))
for shape, groups in [((4, 2, 3), 1), ((6, 4, 3, 3), 2), ((2, 2, 3, 3, 3), 1), ((3, 5, 3, 2), 1),
                      ((4, 3, 2, 2), 1), ((8, 2, 3, 3), 4)]:
    deterministic.append(run("dirac", shape, 0, init.dirac_, groups=groups))

random = [
    run("uniform", (4, 5), 11, init.uniform_, a=-0.3, b=0.7),
    run("normal", (4, 5), 12, init.normal_, mean=0.5, std=2.0),
    run("trunc_normal", (40, 25), 13, inverse_cdf_trunc_normal_, mean=0.0, std=1.0, a=-2.0, b=2.0),
    run("trunc_normal", (40, 25), 14, inverse_cdf_trunc_normal_, mean=1.0, std=0.5, a=0.2, b=2.5),
    run("trunc_normal", (20, 10), 15, inverse_cdf_trunc_normal_, mean=0.0, std=1.0, a=1.5, b=3.0),
    run("xavier_uniform", (6, 5), 16, init.xavier_uniform_, gain=1.0),
    run("xavier_uniform", (8, 3, 3, 3), 17, init.xavier_uniform_, gain=5.0 / 3),
    run("xavier_normal", (6, 5), 18, init.xavier_normal_, gain=1.0),
    run("xavier_normal", (4, 2, 3, 3), 19, init.xavier_normal_, gain=math.sqrt(2)),
    run("kaiming_uniform", (6, 5), 20, init.kaiming_uniform_),
    run("kaiming_uniform", (6, 5), 21, init.kaiming_uniform_, a=math.sqrt(5)),
    run("kaiming_uniform", (8, 3, 3, 3), 22, init.kaiming_uniform_, mode="fan_out", nonlinearity="relu"),
    run("kaiming_normal", (6, 5), 23, init.kaiming_normal_),
    run("kaiming_normal", (8, 3, 3, 3), 24, init.kaiming_normal_, mode="fan_out", nonlinearity="relu"),
    run("kaiming_normal", (5, 7), 25, init.kaiming_normal_, a=0.2, mode="fan_in", nonlinearity="leaky_relu"),
    run("kaiming_normal", (5, 7), 26, init.kaiming_normal_, nonlinearity="tanh"),
    run("orthogonal", (6, 4), 27, init.orthogonal_),
    run("orthogonal", (4, 6), 28, init.orthogonal_, gain=2.0),
    run("orthogonal", (5, 5), 29, init.orthogonal_),
    run("orthogonal", (8, 3, 3, 3), 30, init.orthogonal_, gain=math.sqrt(2)),
    run("orthogonal", (30, 2, 2, 2), 31, init.orthogonal_),
    run("sparse", (10, 6), 32, init.sparse_, sparsity=0.3, std=0.01),
    run("sparse", (7, 4), 33, init.sparse_, sparsity=0.5, std=1.0),
]

erfinv_points = [0.0, 1e-12, -1e-7, 0.1, -0.25, 0.5, 0.75, -0.9, 0.99, -0.999, 0.9999, 0.999999,
                 1 - 1e-10, -(1 - 1e-14), 0.3183098861837907, 0.8427007929497149]
erfinv = {"y": erfinv_points,
          "x": torch.special.erfinv(torch.tensor(erfinv_points, dtype=torch.float64)).tolist()}

OUT.write_text(json.dumps({
    "generator": "Scripts/reference/torch_init.py",
    "torch": torch.__version__, "numpy": np.__version__,
    "gains": gains, "fans": fans, "deterministic": deterministic, "random": random, "erfinv": erfinv,
}, indent=1) + "\n")
print(f"wrote {OUT.relative_to(ROOT)}")
