"""Reference values for Kindling's conv2d, maxPool2d and avgPool2d (Tests/KindlingUnitTests/ConvolutionTests.swift
and PoolingTests.swift): for several configurations, float64 inputs, the output, a random upstream gradient
and the gradients of sum(output * upstream) with respect to every input, computed by PyTorch.

Writes Tests/KindlingTestSupport/Fixtures/torch_convolution.json. Run from anywhere (Scripts/reference/regenerate).
"""
import json
import pathlib

import torch
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_convolution.json"

torch.manual_seed(0)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def case(name, function, tensors, **options):
    leaves = {k: v.clone().requires_grad_(True) for k, v in tensors.items()}
    output = function(**leaves, **options)
    upstream = torch.randn(output.shape, dtype=torch.float64)
    (output * upstream).sum().backward()
    entry = {"name": name, "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()},
             "output_shape": list(output.shape), "output": flat(output), "upstream": flat(upstream)}
    for key, leaf in leaves.items():
        entry[key + "_shape"] = list(leaf.shape)
        entry[key] = flat(leaf)
        entry["grad_" + key] = flat(leaf.grad)
    return entry


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float64)


def conv(input, weight, bias=None, **options):
    return F.conv2d(input, weight, bias, **options)


conv_cases = [
    case("3x3 plain", conv, {"input": randn(2, 3, 5, 6), "weight": randn(4, 3, 3, 3), "bias": randn(4)},
         stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1),
    case("3x2 stride 2 padding 1", conv, {"input": randn(2, 2, 7, 6), "weight": randn(3, 2, 3, 2), "bias": randn(3)},
         stride=(2, 2), padding=(1, 1), dilation=(1, 1), groups=1),
    case("dilation 2 padding (2, 1) no bias", conv, {"input": randn(1, 2, 7, 7), "weight": randn(3, 2, 3, 3)},
         stride=(1, 1), padding=(2, 1), dilation=(2, 2), groups=1),
    case("groups 2 stride (2, 1)", conv, {"input": randn(2, 4, 6, 5), "weight": randn(6, 2, 2, 3), "bias": randn(6)},
         stride=(2, 1), padding=(1, 0), dilation=(1, 1), groups=2),
    case("depthwise 3x3 padding 1", conv, {"input": randn(2, 3, 5, 5), "weight": randn(6, 1, 3, 3), "bias": randn(6)},
         stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=3),
    case("pointwise 1x1", conv, {"input": randn(3, 4, 3, 4), "weight": randn(5, 4, 1, 1), "bias": randn(5)},
         stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1),
    case("strided dilated grouped", conv, {"input": randn(2, 4, 9, 8), "weight": randn(4, 2, 2, 3), "bias": randn(4)},
         stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2),
]


def max_pool(input, **options):
    return F.max_pool2d(input, **options)


def avg_pool(input, **options):
    return F.avg_pool2d(input, **options)


# Values rounded to halves so that windows hold ties: the gradient must go to the first maximum.
ties = torch.floor(randn(2, 2, 6, 6) * 2) / 2

max_pool_cases = [
    case("2x2", max_pool, {"input": randn(2, 3, 6, 8)}, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)),
    case("3x3 stride 2 padding 1 overlapping", max_pool, {"input": randn(2, 2, 7, 6)},
         kernel_size=(3, 3), stride=(2, 2), padding=(1, 1)),
    case("3x2 stride (1, 2) padding (1, 1)", max_pool, {"input": randn(1, 2, 5, 6)},
         kernel_size=(3, 2), stride=(1, 2), padding=(1, 1)),
    case("ties 3x3 stride 1", max_pool, {"input": ties}, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)),
]

avg_pool_cases = [
    case("2x2", avg_pool, {"input": randn(2, 3, 6, 8)}, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0),
         count_include_pad=True),
    case("3x3 stride 2 padding 1 including padding", avg_pool, {"input": randn(2, 2, 7, 6)},
         kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), count_include_pad=True),
    case("3x3 stride 2 padding 1 excluding padding", avg_pool, {"input": randn(2, 2, 7, 6)},
         kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), count_include_pad=False),
    case("2x3 stride (1, 2) padding (1, 1)", avg_pool, {"input": randn(1, 2, 5, 7)},
         kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), count_include_pad=True),
    case("2x3 stride (1, 2) padding (1, 1) excluding padding", avg_pool, {"input": randn(1, 2, 5, 7)},
         kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), count_include_pad=False),
]

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "generator": "Scripts/reference/torch_convolution.py",
    "torch": torch.__version__,
    "conv2d": conv_cases,
    "max_pool2d": max_pool_cases,
    "avg_pool2d": avg_pool_cases,
}, indent=1) + "\n")
print(f"wrote {OUT.relative_to(ROOT)}")
