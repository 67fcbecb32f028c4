"""Writes Tests/KindlingTestSupport/Fixtures/torch_simple_cnn.json: the state_dict keys and shapes of the
reference article's SimpleCNN (conv1, bn1, relu, pool, fc), and its output for a fixed input and fixed
parameters, for SimpleCNNTests.swift. Run: Scripts/reference/regenerate"""
import json
import pathlib

import numpy as np
import torch

root = pathlib.Path(__file__).resolve().parents[2]


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


model = SimpleCNN().double()
# Parameters and input from numpy's legacy generator, so the Swift test can draw the same values.
rng = np.random.RandomState(5)
with torch.no_grad():
    for name, tensor in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        if name.endswith("running_var"):
            tensor.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, size=tuple(tensor.shape))))
        else:
            tensor.copy_(torch.from_numpy(rng.standard_normal(size=tuple(tensor.shape)) * 0.1))
x = torch.from_numpy(rng.standard_normal(size=(2, 3, 32, 32)))
model.eval()
eval_output = model(x)
model.train()
train_output = model(x)

fixture = {
    "generator": "Scripts/reference/torch_simple_cnn.py",
    "keys": list(model.state_dict().keys()),
    "shapes": [list(t.shape) for t in model.state_dict().values()],
    "parameter_names": [name for name, _ in model.named_parameters()],
    "draw_order": "state_dict order, skipping num_batches_tracked; running_var uniform(0.5, 1.5), others standard_normal * 0.1; then the input (2, 3, 32, 32) standard_normal",
    "eval_output": eval_output.detach().numpy().ravel().tolist(),
    "train_output": train_output.detach().numpy().ravel().tolist(),
}
out = root / "Tests/KindlingTestSupport/Fixtures/torch_simple_cnn.json"
out.write_text(json.dumps(fixture))
print("wrote", out)
