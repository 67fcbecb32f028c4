"""Residual networks at PyTorch's semantics, for Tests/KindlingUnitTests/ResidualNetworkTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_residual.json (float64).

- F.adaptive_avg_pool2d on inputs from numpy.random.RandomState(0).standard_normal: the output and the
  gradient of sum(output · c), c = 1, 2, 3, ... in row-major order.
- Residual blocks and networks written as torchvision writes BasicBlock (conv3x3-BN-ReLU-conv3x3-BN plus the
  identity or a 1x1-conv+BN projection, then ReLU; norm_layer=nn.Identity for the plain style), as the Fixup
  authors write FixupBasicBlock and FixupResNet (github.com/hongyi-zhang/Fixup, imagenet/models/fixup_resnet_imagenet.py),
  and SkipInit's x + alpha * f(x), each for images (convolutions) and tables (linear layers). Every entry of
  the state dict is set from RandomState(1) (parameters standard normal * 0.5, running variances uniform in
  [0.5, 1.5]), the module runs in training mode on an input from RandomState(2), and the fixture records the
  keys in state_dict order, the state, the output, the gradients of sum(output · c) with respect to the input
  and every parameter, and the buffers after the forward pass.
"""
import json
import pathlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def branch_layer(kind, inplanes, planes, stride=1, kernel=3):
    if kind == "conv":
        return nn.Conv2d(inplanes, planes, kernel_size=kernel, stride=stride, padding=kernel // 2, bias=False)
    return nn.Linear(inplanes, planes, bias=False)


def norm(kind, planes):
    return nn.BatchNorm2d(planes) if kind == "conv" else nn.BatchNorm1d(planes)


class BasicBlock(nn.Module):
    """torchvision.models.resnet.BasicBlock (conv or linear layers; norm_layer Identity for 'plain')."""

    def __init__(self, kind, inplanes, planes, stride=1, normalized=True, skip_init=False):
        super().__init__()
        norm_layer = (lambda c: norm(kind, c)) if normalized else (lambda c: nn.Identity())
        if skip_init:
            self.alpha = nn.Parameter(torch.zeros(1))
        else:
            self.alpha = None
        self.conv1 = branch_layer(kind, inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = branch_layer(kind, planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(branch_layer(kind, inplanes, planes, stride, kernel=1), norm_layer(planes))

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.alpha is not None:
            out = out * self.alpha
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class FixupBasicBlock(nn.Module):
    """The Fixup authors' FixupBasicBlock (conv or linear layers)."""

    def __init__(self, kind, inplanes, planes, stride=1):
        super().__init__()
        self.bias1a = nn.Parameter(torch.zeros(1))
        self.conv1 = branch_layer(kind, inplanes, planes, stride)
        self.bias1b = nn.Parameter(torch.zeros(1))
        self.relu = nn.ReLU(inplace=True)
        self.bias2a = nn.Parameter(torch.zeros(1))
        self.conv2 = branch_layer(kind, planes, planes)
        self.scale = nn.Parameter(torch.ones(1))
        self.bias2b = nn.Parameter(torch.zeros(1))
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = branch_layer(kind, inplanes, planes, stride, kernel=1)

    def forward(self, x):
        identity = x
        out = self.conv1(x + self.bias1a)
        out = self.relu(out + self.bias1b)
        out = self.conv2(out + self.bias2a)
        out = out * self.scale + self.bias2b
        if self.downsample is not None:
            identity = self.downsample(x + self.bias1a)
        out += identity
        out = self.relu(out)
        return out


def make_block(kind, style, inplanes, planes, stride=1):
    if style == "fixup":
        return FixupBasicBlock(kind, inplanes, planes, stride)
    return BasicBlock(kind, inplanes, planes, stride, normalized=style == "batchnorm", skip_init=style == "skipinit")


class LinearBlock(nn.Module):
    """A block for tables: the same computation, its layers named fc1 and fc2."""

    def __init__(self, style, inplanes, planes):
        super().__init__()
        inner = make_block("linear", style, inplanes, planes)
        for name, parameter in inner._parameters.items():
            self.register_parameter(name, parameter)
        for name, module in inner._modules.items():
            self.add_module({"conv1": "fc1", "conv2": "fc2"}.get(name, name), module)
        self.inner = [inner]

    def forward(self, x):
        return self.inner[0](x)


class ResNet(nn.Module):
    """torchvision's ResNet for small images (3x3 stem, no max pool), as FixupResNet with style fixup."""

    def __init__(self, style, in_channels, classes, blocks_per_stage, widths):
        super().__init__()
        if style == "fixup":
            self.bias1 = nn.Parameter(torch.zeros(1))
        self.conv1 = nn.Conv2d(in_channels, widths[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0]) if style == "batchnorm" else None
        self.relu = nn.ReLU(inplace=True)
        inplanes = widths[0]
        for index, (count, width) in enumerate(zip(blocks_per_stage, widths)):
            blocks = []
            for number in range(count):
                blocks.append(make_block("conv", style, inplanes, width, 2 if index > 0 and number == 0 else 1))
                inplanes = width
            setattr(self, f"layer{index + 1}", nn.Sequential(*blocks))
        self.stages = len(widths)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        if style == "fixup":
            self.bias2 = nn.Parameter(torch.zeros(1))
        self.fc = nn.Linear(inplanes, classes)
        self.style = style

    def forward(self, x):
        x = self.conv1(x)
        if self.bn1 is not None:
            x = self.bn1(x)
        if self.style == "fixup":
            x = x + self.bias1
        x = self.relu(x)
        for index in range(self.stages):
            x = getattr(self, f"layer{index + 1}")(x)
        x = self.avgpool(x)
        x = x.view(x.size(0), -1)
        if self.style == "fixup":
            x = x + self.bias2
        return self.fc(x)


class ResidualMLP(nn.Module):
    def __init__(self, style, features, classes, width, depth):
        super().__init__()
        self.stem = nn.Linear(features, width)
        self.relu = nn.ReLU()
        self.blocks = nn.Sequential(*[LinearBlock(style, width, width) for _ in range(depth)])
        if style == "fixup":
            self.bias2 = nn.Parameter(torch.zeros(1))
        self.fc = nn.Linear(width, classes)
        self.style = style

    def forward(self, x):
        x = self.blocks(self.relu(self.stem(x)))
        if self.style == "fixup":
            x = x + self.bias2
        return self.fc(x)


def weighted_sum(y):
    return (y * torch.arange(1, y.numel() + 1, dtype=torch.float64).reshape(y.shape)).sum()


def flat(t):
    return t.detach().flatten().tolist()


pooling = []
rng = np.random.RandomState(0)
for shape, size in [([2, 3, 5, 7], [3, 4]), ([1, 2, 3, 3], [5, 4]), ([2, 2, 6, 6], [1, 1]), ([1, 1, 7, 5], [2, 3])]:
    x = torch.tensor(rng.standard_normal(shape), requires_grad=True)
    y = F.adaptive_avg_pool2d(x, size)
    weighted_sum(y).backward()
    pooling.append({"input_shape": shape, "output_size": size, "input": flat(x), "output_shape": list(y.shape),
                    "output": flat(y), "input_gradient": flat(x.grad)})

MODELS = [  # name, constructor, input shape
    ("block conv batchnorm stride 2", lambda: make_block("conv", "batchnorm", 3, 4, 2), [2, 3, 6, 6]),
    ("block conv batchnorm identity", lambda: make_block("conv", "batchnorm", 3, 3), [2, 3, 5, 5]),
    ("block conv plain stride 2", lambda: make_block("conv", "plain", 3, 4, 2), [2, 3, 6, 6]),
    ("block conv fixup stride 2", lambda: make_block("conv", "fixup", 3, 4, 2), [2, 3, 6, 6]),
    ("block conv fixup identity", lambda: make_block("conv", "fixup", 3, 3), [2, 3, 5, 5]),
    ("block conv skipinit stride 2", lambda: make_block("conv", "skipinit", 3, 4, 2), [2, 3, 6, 6]),
    ("block linear batchnorm", lambda: LinearBlock("batchnorm", 5, 5), [4, 5]),
    ("block linear fixup", lambda: LinearBlock("fixup", 5, 5), [4, 5]),
    ("resnet batchnorm", lambda: ResNet("batchnorm", 2, 3, [1, 2], [4, 6]), [2, 2, 6, 6]),
    ("resnet plain", lambda: ResNet("plain", 2, 3, [1, 2], [4, 6]), [2, 2, 6, 6]),
    ("resnet fixup", lambda: ResNet("fixup", 2, 3, [1, 2], [4, 6]), [2, 2, 6, 6]),
    ("resnet skipinit", lambda: ResNet("skipinit", 2, 3, [1, 2], [4, 6]), [2, 2, 6, 6]),
    ("mlp batchnorm", lambda: ResidualMLP("batchnorm", 5, 3, 4, 2), [4, 5]),
    ("mlp fixup", lambda: ResidualMLP("fixup", 5, 3, 4, 2), [4, 5]),
    ("mlp skipinit", lambda: ResidualMLP("skipinit", 5, 3, 4, 2), [4, 5]),
]

models = []
for name, make, input_shape in MODELS:
    model = make()
    model.train()
    state_rng = np.random.RandomState(1)
    state = {}
    with torch.no_grad():
        for key, value in model.state_dict().items():
            if key.endswith("num_batches_tracked"):
                continue
            if key.endswith("running_var"):
                value.copy_(torch.tensor(state_rng.uniform(0.5, 1.5, value.shape)))
            else:
                value.copy_(torch.tensor(state_rng.standard_normal(value.shape) * 0.5))
            state[key] = flat(value)
    keys = list(model.state_dict().keys())
    x = torch.tensor(np.random.RandomState(2).standard_normal(input_shape), requires_grad=True)
    y = model(x)
    weighted_sum(y).backward()
    models.append({
        "name": name, "keys": keys, "state": state, "input_shape": input_shape, "input": flat(x),
        "output_shape": list(y.shape), "output": flat(y), "input_gradient": flat(x.grad),
        "parameter_gradients": {k: flat(p.grad) for k, p in model.named_parameters()},
        "buffers_after": {k: flat(b) for k, b in model.named_buffers() if not k.endswith("num_batches_tracked")},
    })

root = pathlib.Path(__file__).resolve().parents[2]
output = root / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_residual.json"
output.write_text(json.dumps({"generator": "Scripts/reference/torch_residual.py", "torch_version": torch.__version__,
                              "adaptive_avg_pool2d": pooling, "models": models}) + "\n")
print(f"wrote {output.relative_to(root)}")
