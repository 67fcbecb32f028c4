"""Reads checkpoints written by `kindling train --save` with numpy and safetensors alone, as the format is
documented in Sources/Kindling/Kindling.docc/CheckpointsAndPyTorch.md, and reproduces `kindling predict`.

Inputs (committed fixtures, written by the commands in CHECKPOINTS below):
- Tests/KindlingTestSupport/Fixtures/kindling_wine_checkpoint.safetensors (3-class MLP on datasets/wine.csv)
  and kindling_wine_export.safetensors (`kindling export` of it);
- Tests/KindlingTestSupport/Fixtures/kindling_diabetes_checkpoint.safetensors (regression MLP on
  datasets/diabetes_train.csv, targets standardized).
Output: Tests/KindlingTestSupport/Fixtures/kindling_checkpoint_predict.json: per checkpoint, the predictions
`kindling predict` must write for its data file (class probabilities, or values in the target's units), which
Tests/KindlingCommandLineTests/ExportCommandTests.swift compares with the command's output.
With PyTorch installed, the export is also loaded into the equivalent torch.nn.Sequential with
load_state_dict(strict=True) and its outputs checked against numpy's.

Run: Scripts/reference/.venv/bin/python Scripts/reference/kindling_checkpoint_predict.py
"""
import csv
import json
import pathlib

import numpy as np
from safetensors import safe_open

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures"

CHECKPOINTS = {
    # kindling train --data datasets/wine.csv --label-column class --epochs 5 --seed 0
    #   --save kindling_wine_checkpoint.safetensors
    "wine": ("kindling_wine_checkpoint.safetensors", "datasets/wine.csv", "class"),
    # kindling train --data datasets/diabetes_train.csv --epochs 5 --seed 0 --layers 16
    #   --save kindling_diabetes_checkpoint.safetensors
    "diabetes": ("kindling_diabetes_checkpoint.safetensors", "datasets/diabetes_test.csv", "target"),
}


def hex_floats(values):
    """The metadata writes every statistic as a C99 hexadecimal float string ("0x1.8p+1"): exact."""
    return np.array([float.fromhex(v) for v in values], dtype=np.float64)


def read_checkpoint(path):
    with safe_open(str(path), framework="numpy") as file:
        metadata = file.metadata()
        tensors = {key: file.get_tensor(key) for key in file.keys()}
    return json.loads(metadata["kindling.model"]), metadata, tensors


def activation(name, x):
    if name == "relu":
        return np.maximum(x, 0)
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "leaky-relu":
        return np.where(x > 0, x, 0.01 * x)
    if name == "elu":
        return np.where(x > 0, x, np.expm1(x))
    if name == "selu":
        return 1.0507009873554804934193349852946 * np.where(x > 0, x, 1.6732632423543772848170429916717 * np.expm1(x))
    raise ValueError(name)


def forward(model, tensors, features):
    """The MLP as kindling's ModelSpecification builds it: per hidden width a Linear, BatchNorm1d (eval: running
    statistics), the activation and Dropout (identity in eval), numbered as torch.nn.Sequential numbers them;
    then the output Linear. The features are standardized first with the saved mean and scale; a regression
    output is mapped back to the target's units with the saved target statistics."""
    dtype = np.float64
    x = features.astype(dtype)
    if model.get("standardization"):
        mean = hex_floats(model["standardization"]["mean"])
        scale = hex_floats(model["standardization"]["scale"])
        x = (x - mean) / scale
    index = 0
    for _ in model["hiddenLayers"]:
        x = x @ tensors[f"{index}.weight"].astype(dtype).T + tensors[f"{index}.bias"].astype(dtype)
        index += 1
        if model["batchNorm"]:
            p = f"{index}."
            x = (x - tensors[p + "running_mean"]) / np.sqrt(tensors[p + "running_var"].astype(dtype) + 1e-5)
            x = x * tensors[p + "weight"] + tensors[p + "bias"]
            index += 1
        x = activation(model["activation"], x)
        index += 1
        if model["dropout"] > 0:
            index += 1
    x = x @ tensors[f"{index}.weight"].astype(dtype).T + tensors[f"{index}.bias"].astype(dtype)
    if model["task"] == "regression":
        if model.get("targetStandardization"):
            x = x * hex_floats(model["targetStandardization"]["scale"]) + hex_floats(
                model["targetStandardization"]["mean"])
        return x[:, 0]
    if model["task"] == "binary":
        p1 = 1 / (1 + np.exp(-x[:, 0]))
        return np.stack([1 - p1, p1], axis=1)
    shifted = np.exp(x - x.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def read_features(path, model, label):
    with open(path, newline="") as file:
        rows = list(csv.reader(file))
    header, rows = rows[0], rows[1:]
    columns = [header.index(name) for name in model["featureNames"]]
    return np.array([[float(row[c]) for c in columns] for row in rows], dtype=np.float64)


def check_export_with_torch(name, model, features, expected):
    try:
        import torch
    except ImportError:
        print(f"{name}: PyTorch is not installed; the export was not loaded into torch.nn.Sequential")
        return
    from safetensors.torch import load_file

    layers, width = [], model["inputShape"][0]
    for size in model["hiddenLayers"]:
        layers += [torch.nn.Linear(width, size), torch.nn.ReLU()]
        width = size
    layers.append(torch.nn.Linear(width, model["outputs"]))
    net = torch.nn.Sequential(*layers).double()
    state = {k: v.double() for k, v in load_file(str(FIXTURES / "kindling_wine_export.safetensors")).items()}
    net.load_state_dict(state, strict=True)
    mean = hex_floats(model["standardization"]["mean"])
    scale = hex_floats(model["standardization"]["scale"])
    with torch.no_grad():
        logits = net(torch.from_numpy((features - mean) / scale))
    probabilities = torch.softmax(logits, dim=1).numpy()
    assert np.allclose(probabilities, expected, atol=1e-12), "the export in PyTorch differs from numpy"
    print(f"{name}: the export loads into torch.nn.Sequential with strict=True and gives the same probabilities")


reference = {"generator": "Scripts/reference/kindling_checkpoint_predict.py", "numpy": np.__version__}
for name, (checkpoint, data, label) in CHECKPOINTS.items():
    model, metadata, tensors = read_checkpoint(FIXTURES / checkpoint)
    features = read_features(FIXTURES / data, model, label)
    predictions = forward(model, tensors, features)
    entry = {"checkpoint": checkpoint, "data": data, "task": model["task"]}
    if model["task"] == "regression":
        entry["predictions"] = [float(v) for v in predictions]
    else:
        entry["classNames"] = model["classNames"]
        entry["probabilities"] = [[float(v) for v in row] for row in predictions]
        entry["predicted"] = [model["classNames"][int(i)] for i in predictions.argmax(axis=1)]
    reference[name] = entry
    if name == "wine":
        check_export_with_torch(name, model, features, predictions)
(FIXTURES / "kindling_checkpoint_predict.json").write_text(json.dumps(reference, indent=1) + "\n")
print("wrote", FIXTURES / "kindling_checkpoint_predict.json")
