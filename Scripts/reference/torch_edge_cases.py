"""NaN, ±inf and boundary inputs through Kindling's element-wise functions, softmax, reductions and pools, as
PyTorch computes them in float64: values, indices and gradients (issue 10, sections 2 and 4), and the
values and indices of torch.max(x, dim) / torch.min(x, dim) on random inputs.

Writes Tests/KindlingTestSupport/Fixtures/torch_edge_cases.json, read by EdgeCaseTests. Every tensor is stored
flat in row-major order with its shape; a non-finite number is stored as the string "nan", "inf" or
"-inf" (JSON has no such numbers). Gradients are vector-Jacobian products with the stored `upstream`.
Run: Scripts/reference/regenerate (or this file with the venv's python).
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_edge_cases.json"
GENERATOR = torch.Generator().manual_seed(10)
NAN, INF = math.nan, math.inf


def randn(*shape):
    return torch.randn(shape, generator=GENERATOR, dtype=torch.float64)


def number(value):
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def flat(tensor):
    return [number(v) for v in tensor.detach().reshape(-1).tolist()]


def case(name, function, x, **arguments):
    """The output of function(x) (a tensor, or a (values, indices) pair) and the gradient for a random
    upstream gradient."""
    x = x.clone().requires_grad_(True)
    result = function(x)
    values, indices = (result.values, result.indices) if isinstance(result, tuple) else (result, None)
    upstream = randn(*values.shape)
    values.backward(upstream)
    record = {"name": name, "arguments": arguments, "shape": list(x.shape), "input": flat(x),
              "upstream": flat(upstream), "outputShape": list(values.shape), "output": flat(values),
              "gradient": flat(x.grad)}
    if indices is not None:
        record["indices"] = indices.reshape(-1).tolist()
    return record


def tensor(values):
    return torch.tensor(values, dtype=torch.float64)


# NaN, both infinities, both clamp bounds exactly, zero and ordinary values.
SPECIAL = tensor([NAN, INF, -INF, 0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, -1e-3, 40.0, -40.0])


def elementwise():
    cases = [
        case("relu", F.relu, SPECIAL),
        case("leakyReLU", lambda x: F.leaky_relu(x, 0.1), SPECIAL, negativeSlope=0.1),
        case("elu", lambda x: F.elu(x, 1.0), SPECIAL, alpha=1.0),
        case("elu", lambda x: F.elu(x, 0.5), SPECIAL, alpha=0.5),
        case("selu", F.selu, SPECIAL),
        case("hardtanh", F.hardtanh, SPECIAL, min=-1.0, max=1.0),
        case("hardtanh", lambda x: F.hardtanh(x, -2.0, 0.5), SPECIAL, min=-2.0, max=0.5),
        case("clamp", lambda x: torch.clamp(x, -1.0, 1.0), SPECIAL, min=-1.0, max=1.0),
        case("clamp", lambda x: torch.clamp(x, min=-1.0), SPECIAL, min=-1.0),
        case("clamp", lambda x: torch.clamp(x, max=1.0), SPECIAL, max=1.0),
        case("clamp", lambda x: torch.clamp(x, 0.5, 0.5), SPECIAL, min=0.5, max=0.5),
        case("sigmoid", torch.sigmoid, SPECIAL),
        case("tanh", torch.tanh, SPECIAL),
        case("abs", torch.abs, SPECIAL),
        case("exp", torch.exp, SPECIAL),
        case("log", torch.log, SPECIAL),
        case("sqrt", torch.sqrt, SPECIAL),
    ]
    rows = tensor([[INF, 0.0, 1.0], [NAN, 0.0, 1.0], [-INF, 0.0, 1.0], [-INF, -INF, -INF], [INF, INF, 0.0],
                   [1000.0, 0.0, -1000.0]])
    cases += [
        case("softmax", lambda x: torch.softmax(x, 1), rows, axis=1),
        case("logSoftmax", lambda x: torch.log_softmax(x, 1), rows, axis=1),
    ]
    targets = tensor([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    classes = [0, 1, 2, 0, 1, 2]
    cases += [
        case("binaryCrossEntropyWithLogits",
             lambda x: F.binary_cross_entropy_with_logits(x, targets, reduction="none"), SPECIAL,
             targets=targets.tolist(), reduction="none"),
        case("meanSquaredError", lambda x: F.mse_loss(x, targets, reduction="none"), SPECIAL,
             targets=targets.tolist(), reduction="none"),
        case("crossEntropy", lambda x: F.cross_entropy(x, torch.tensor(classes), reduction="none"), rows,
             classIndices=classes, reduction="none"),
    ]
    at_zero = tensor([0.0, 2.0, -2.0, 0.25, -0.25, NAN, INF, -INF])
    for exponent in [0.0, 1.0, 2.0, 3.0, 4.0, 0.5, -0.5, -1.0, -2.0, 1.5, 2.5, -1.5]:
        cases.append(case("pow", lambda x: torch.pow(x, exponent), at_zero, exponent=exponent))
    return cases


def reductions():
    nonfinite = tensor([[1.0, NAN, 3.0, NAN], [2.0, 5.0, -INF, INF], [3.0, 1.0, 3.0, 0.0], [-INF, -INF, -INF, -INF]])
    ties = tensor([[1.0, INF], [INF, 2.0], [-1.0, -1.0]])
    finite = randn(3, 4, 5)
    cases = []
    for name, x in [("nonfinite", nonfinite), ("ties", ties)]:
        cases += [
            case("max", lambda x: x.max(), x, input=name),
            case("min", lambda x: x.min(), x, input=name),
            case("amax", lambda x: x.amax((0, 1)), x, input=name, axes=[0, 1]),
            case("amin", lambda x: x.amin((0, 1)), x, input=name, axes=[0, 1]),
        ]
        for axis in [0, 1]:
            cases += [
                case("amax", lambda x: x.amax(axis), x, input=name, axes=[axis]),
                case("amin", lambda x: x.amin(axis), x, input=name, axes=[axis]),
                case("maxWithIndices", lambda x: torch.max(x, axis), x, input=name, axis=axis),
                case("minWithIndices", lambda x: torch.min(x, axis), x, input=name, axis=axis),
            ]
    for axis, keepdim in [(1, False), (-1, True), (0, False)]:
        cases += [
            case("maxWithIndices", lambda x: torch.max(x, axis, keepdim=keepdim), finite, input="finite",
                 axis=axis, keepingDims=keepdim),
            case("minWithIndices", lambda x: torch.min(x, axis, keepdim=keepdim), finite, input="finite",
                 axis=axis, keepingDims=keepdim),
        ]
    arg = []
    for name, x in [("nonfinite", nonfinite), ("ties", ties)]:
        for axis in [0, 1]:
            arg.append({"input": name, "shape": list(x.shape), "values": flat(x), "axis": axis,
                        "argmax": x.argmax(axis).tolist(), "argmin": x.argmin(axis).tolist()})
    return cases, arg


def pooling():
    plane = tensor([[1.0, NAN, 3.0, 4.0, 0.0], [2.0, -INF, 0.0, INF, 1.0], [NAN, NAN, 1.0, 2.0, -1.0],
                    [INF, -INF, 5.0, 6.0, 2.0], [0.5, 1.5, -INF, -INF, 3.0]])
    x = torch.stack([plane, plane.flip(0)]).unsqueeze(0)   # (1, 2, 5, 5)
    return [
        case("maxPool2d", lambda x: F.max_pool2d(x, 2), x, kernelSize=2, stride=2, padding=0),
        case("maxPool2d", lambda x: F.max_pool2d(x, 3, 1, 1), x, kernelSize=3, stride=1, padding=1),
        case("avgPool2d", lambda x: F.avg_pool2d(x, 2), x, kernelSize=2, stride=2, padding=0),
        case("avgPool2d", lambda x: F.avg_pool2d(x, 3, 1, 1), x, kernelSize=3, stride=1, padding=1),
    ]


def main():
    reduction_cases, arg_cases = reductions()
    fixture = {
        "generator": "Scripts/reference/torch_edge_cases.py",
        "torch": torch.__version__,
        "elementwise": elementwise(),
        "reductions": reduction_cases,
        "argExtrema": arg_cases,
        "pooling": pooling(),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(fixture, indent=None, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
