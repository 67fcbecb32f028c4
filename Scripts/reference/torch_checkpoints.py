"""PyTorch on both sides of a safetensors checkpoint, for CheckpointInteropTests.swift.

1. PyTorch trains, in float64, nn.Sequential(Linear(4, 8), BatchNorm1d(8), ReLU, Dropout(0.3), Linear(8, 3))
   for 5 steps (SGD, lr 0.1, momentum 0.9) and the articles' SimpleCNN (num_classes=2) for 3 steps (lr
   0.001, so that its outputs stay small enough for Float's rounding to stay below 1e-5), cross-entropy
   on random data, saves their state_dict()s with safetensors.torch.save_file, and records their eval-
   mode outputs on fixed inputs:
   - Fixtures/torch_mlp_f64.safetensors (F64; num_batches_tracked I64) and torch_mlp_f32.safetensors (the
     same model .float()); outputs in float64 and float32;
   - Fixtures/torch_simple_cnn_f32.safetensors (F32, to keep the fixture small); outputs of the float32
     model and of the float64 model holding the same (float32-rounded) weights.
   Eval inputs are numpy.random.RandomState(seed).standard_normal(shape) (seed 31 for the MLP's (5, 4),
   seed 32 for the CNN's (2, 3, 32, 32)), which Kindling's RandomGenerator reproduces.
2. PyTorch loads Fixtures/kindling_mlp.safetensors, written by Kindling (CheckpointInteropTests
   testKindlingFileIsWhatKindlingWritesAndPyTorchReproducesIt, which checks that Kindling still writes
   exactly these bytes), into the same nn.Sequential in float64 with strict=True, and records its
   eval-mode outputs on the MLP's inputs, which the Kindling test compares with its own.
Everything goes to Fixtures/torch_checkpoints.json. Run: Scripts/reference/regenerate"""
import copy
import json
import pathlib

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

fixtures = pathlib.Path(__file__).resolve().parents[2] / "Tests/KindlingTestSupport/Fixtures"


class SimpleCNN(torch.nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(in_channels=3, out_channels=32, kernel_size=3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(32)
        self.relu = torch.nn.ReLU(inplace=True)
        self.pool = torch.nn.MaxPool2d(kernel_size=2, stride=2)
        self.fc = torch.nn.Linear(32 * 16 * 16, num_classes)

    def forward(self, x):
        x = self.pool(self.relu(self.bn1(self.conv1(x))))
        return self.fc(x.view(x.size(0), -1))


def mlp():
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(),
                               torch.nn.Dropout(0.3), torch.nn.Linear(8, 3)).double()


def train(model, x, labels, steps, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), labels).backward()
        optimizer.step()
    model.eval()


def eval_output(model, x):
    with torch.no_grad():
        return model(x).flatten().tolist()


torch.manual_seed(0)
mlp_input = torch.from_numpy(np.random.RandomState(31).standard_normal((5, 4)))
cnn_input = torch.from_numpy(np.random.RandomState(32).standard_normal((2, 3, 32, 32)))

model = mlp()
train(model, torch.randn(16, 4, dtype=torch.float64), torch.randint(0, 3, (16,)), steps=5, lr=0.1)
save_file(model.state_dict(), fixtures / "torch_mlp_f64.safetensors", metadata={"format": "pt"})
model32 = copy.deepcopy(model).float()
save_file(model32.state_dict(), fixtures / "torch_mlp_f32.safetensors", metadata={"format": "pt"})

cnn = SimpleCNN(num_classes=2).double()
train(cnn, torch.randn(4, 3, 32, 32, dtype=torch.float64), torch.randint(0, 2, (4,)), steps=3, lr=0.001)
cnn32 = copy.deepcopy(cnn).float()
save_file(cnn32.state_dict(), fixtures / "torch_simple_cnn_f32.safetensors", metadata={"format": "pt"})
cnn64 = SimpleCNN(num_classes=2).double()
cnn64.load_state_dict(load_file(fixtures / "torch_simple_cnn_f32.safetensors"), strict=True)  # float32 values, held in float64
cnn64.eval()

reference = {
    "generator": "Scripts/reference/torch_checkpoints.py",
    "mlp_num_batches_tracked": int(model[1].num_batches_tracked),
    "mlp_eval_output_f64": eval_output(model, mlp_input),
    "mlp_eval_output_f32": eval_output(model32, mlp_input.float()),
    "cnn_num_batches_tracked": int(cnn.bn1.num_batches_tracked),
    "cnn_eval_output_f64": eval_output(cnn64, cnn_input),
    "cnn_eval_output_f32": eval_output(cnn32, cnn_input.float()),
}

kindling_file = fixtures / "kindling_mlp.safetensors"
if kindling_file.exists():
    with safe_open(kindling_file, framework="pt") as f:
        dtypes = {key: str(f.get_slice(key).get_dtype()) for key in f.keys()}
    assert dtypes["1.num_batches_tracked"] == "I64", dtypes
    from_kindling = mlp()
    result = from_kindling.load_state_dict(load_file(kindling_file), strict=True)
    assert not result.missing_keys and not result.unexpected_keys, result
    from_kindling.eval()
    reference["kindling_mlp_dtypes"] = dtypes
    reference["kindling_mlp_num_batches_tracked"] = int(from_kindling[1].num_batches_tracked)
    reference["kindling_mlp_eval_output_f64"] = eval_output(from_kindling, mlp_input)
else:
    print("note: no", kindling_file, "yet: run the Swift test with KINDLING_WRITE_FIXTURES=1 first")

(fixtures / "torch_checkpoints.json").write_text(json.dumps(reference, indent=1))
print("wrote", fixtures / "torch_checkpoints.json")
