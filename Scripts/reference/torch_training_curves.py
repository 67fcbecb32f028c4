"""Reference loss curves of two small training runs in PyTorch, for
Tests/KindlingRegressionTests/TrainingCurveTests.swift.

Writes Tests/KindlingTestSupport/Fixtures/torch_training_curves.json (float64, plus the float32 curves).

Each run is built from numpy so that Kindling can rebuild it exactly:
- the data: sklearn's make_moons after np.random.seed(s), or the CS231n spiral drawn from np.random (the
  draw order of Kindling's Dataset.moons / Dataset.spirals);
- the initial weights: np.random.RandomState(init_seed), then for each Linear layer in order
  randn(out, in) * sqrt(2 / in) (He, the course's formula; Kindling's `initializeWeights(.he)`), biases 0;
- the batches: a separate np.random.RandomState(shuffle_seed); each epoch starts with its permutation(n),
  cut into consecutive batches of batch_size rows, the last one smaller (Kindling's `train(batchSize:)`).
Then torch.optim trains with the loss of each batch; the loss of every k-th step (0, k, 2k, ...) is recorded
from that step's forward pass, before its update, and the train accuracy is taken after the last update.
Every optimizer runs its single-tensor path (foreach=False), the one PyTorch uses for CPU tensors. Each run is
repeated in float32 (data and initial weights rounded from float64), the reference for Kindling's Float runs.

The recording interval is prime to the number of batches per epoch (7 for 10 batches, 23 for 5), so the
recorded steps visit every batch position, the smaller last batch included.
"""
import json
import pathlib

import numpy as np
import sklearn
import torch
from sklearn.datasets import make_moons
from torch import nn

torch.set_default_dtype(torch.float64)
ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "torch_training_curves.json"


def moons(count, noise, seed):
    np.random.seed(seed)
    return make_moons(n_samples=count, noise=noise)


def spirals(points_per_class, classes, noise, seed):
    # The CS231n spiral (cs231n.github.io/neural-networks-case-study), Kindling's Dataset.spirals: for each
    # class j in turn, r = linspace(0, 1, N), t = linspace(4j, 4(j+1), N) + randn(N) * noise.
    np.random.seed(seed)
    X = np.zeros((points_per_class * classes, 2))
    y = np.zeros(points_per_class * classes, dtype=int)
    for j in range(classes):
        ix = range(points_per_class * j, points_per_class * (j + 1))
        r = np.linspace(0.0, 1, points_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, points_per_class) + np.random.randn(points_per_class) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def he_model(layer_sizes, init_seed):
    """Linear/ReLU stack with weights randn(out, in) * sqrt(2 / in) from one RandomState, biases 0."""
    rng = np.random.RandomState(init_seed)
    layers = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        linear = nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(rng.randn(fan_out, fan_in) * np.sqrt(2 / fan_in)))
            linear.bias.zero_()
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def run(X, y, layer_sizes, init_seed, make_optimizer, loss_kind, batch_size, shuffle_seed, epochs, record_every,
        dtype=torch.float64):
    features = torch.tensor(X, dtype=dtype)
    if loss_kind == "binaryCrossEntropyWithLogits":
        criterion = nn.BCEWithLogitsLoss()
        targets = torch.tensor(y, dtype=dtype).reshape(-1, 1)
    else:
        criterion = nn.CrossEntropyLoss()
        targets = torch.tensor(y, dtype=torch.long)
    model = he_model(layer_sizes, init_seed).to(dtype)
    optimizer = make_optimizer(model.parameters())
    shuffler = np.random.RandomState(shuffle_seed)
    count = len(y)
    steps, losses = [], []
    step = 0
    for _ in range(epochs):
        order = shuffler.permutation(count)
        for start in range(0, count, batch_size):
            rows = torch.tensor(order[start:start + batch_size])
            optimizer.zero_grad()
            loss = criterion(model(features[rows]), targets[rows])
            if step % record_every == 0:
                steps.append(step)
                losses.append(loss.item())
            loss.backward()
            optimizer.step()
            step += 1
    with torch.no_grad():
        logits = model(features)
        predicted = (logits[:, 0] > 0).long() if logits.shape[1] == 1 else logits.argmax(dim=1)
        accuracy = (predicted.numpy() == y).mean()
    return steps, losses, float(accuracy), step


def curve(name, description, data_call, data, layer_sizes, init_seed, optimizer_call, make_optimizer, loss_kind,
          batch_size, shuffle_seed, epochs, record_every):
    X, y = data
    arguments = (X, y, layer_sizes, init_seed, make_optimizer, loss_kind, batch_size, shuffle_seed, epochs, record_every)
    steps, losses, accuracy, total = run(*arguments)
    # The same run in float32 (data and initial weights rounded from float64): how far single-precision
    # rounding alone moves PyTorch's own curve, the yardstick for Kindling's Float tolerance.
    _, single_losses, single_accuracy, _ = run(*arguments, dtype=torch.float32)
    float32_deviations = np.abs(np.array(single_losses) - losses) / np.abs(losses)
    return name, {
        "description": description,
        "data": data_call,
        "layerSizes": layer_sizes,
        "initSeed": init_seed,
        "optimizer": optimizer_call,
        "loss": loss_kind,
        "batchSize": batch_size,
        "shuffleSeed": shuffle_seed,
        "epochs": epochs,
        "totalSteps": total,
        "recordEvery": record_every,
        "steps": steps,
        "losses": losses,
        "trainAccuracy": accuracy,
        "float32Losses": single_losses,
        "float32MaxRelativeDeviation": float(float32_deviations.max()),
        "float32TrainAccuracy": single_accuracy,
    }


curves = dict([
    curve("moonsAdamW",
          "make_moons, 2-16-16-1 ReLU, He init, AdamW, batches of 32 reshuffled every epoch, BCE with logits",
          "np.random.seed(1); make_moons(n_samples=300, noise=0.2)", moons(300, 0.2, 1),
          [2, 16, 16, 1], 3, "AdamW(lr=0.01, weight_decay=0.01)",
          lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.01, foreach=False),
          "binaryCrossEntropyWithLogits", 32, 2, 30, 7),
    curve("spiralsMomentumSGD",
          "CS231n spiral (3 classes), 2-32-32-3 ReLU, He init, SGD with momentum, batches of 64 reshuffled "
          "every epoch, cross-entropy",
          "np.random.seed(1); CS231n spiral, N=100 points per class, K=3 classes, noise 0.2",
          spirals(100, 3, 0.2, 1), [2, 32, 32, 3], 3, "SGD(lr=0.1, momentum=0.9)",
          lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, foreach=False),
          "crossEntropy", 64, 2, 100, 23),
])

fixture = {
    "generator": "Scripts/reference/torch_training_curves.py",
    "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__, "torch": torch.__version__},
    "curves": curves,
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(fixture, indent=1) + "\n")
print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")
for name, entry in curves.items():
    print(f"{name}: {entry['totalSteps']} steps, loss {entry['losses'][0]:.6f} -> {entry['losses'][-1]:.6f}, "
          f"train accuracy {entry['trainAccuracy']}; float32: max relative deviation "
          f"{entry['float32MaxRelativeDeviation']:.2e}, train accuracy {entry['float32TrainAccuracy']}")
