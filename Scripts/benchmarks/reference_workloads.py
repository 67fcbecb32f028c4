"""The reference side of Scripts/bench: the same workloads as Kindling's KindlingBench, written the way
PyTorch's and numpy's users write them. Prints one JSON object per line:
{"workload", "implementation", "seconds", "steps", "peak_rss_mb", ...}.

Usage: reference_workloads.py WORKLOAD [--repeats N]
  comparison-torch   zeros / random / He on the course's circles data, 2-10-5-1, full batch, 15000 steps
                     each, nn.Sequential + BCEWithLogitsLoss + optim.SGD (PyTorch eager)
  comparison-numpy   the same with the course's hand-written numpy loop
  mlp-sgd, mlp-adamw 784-1024-1024-10, batch 256, cross-entropy, Float, SGD(momentum 0.9) / AdamW
  cnn                SimpleCNN (Conv2d 3->32 3x3 pad 1, BatchNorm2d, ReLU, MaxPool2d 2, Linear 8192->10),
                     batch 64 of 3x32x32, SGD with momentum
"""
import json
import resource
import sys
import time

import numpy as np


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def course_data():
    import sklearn.datasets
    np.random.seed(1)
    x, y = sklearn.datasets.make_circles(n_samples=300, noise=.05)
    return x, y


def comparison_numpy():
    x, y = course_data()
    X, Y = x.T, y.reshape(1, -1)

    def relu(z):
        return np.maximum(0, z)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    start = time.perf_counter()
    for kind in ("zeros", "random", "he"):
        np.random.seed(3)
        dims = [2, 10, 5, 1]
        p = {}
        for l in range(1, 4):
            if kind == "zeros":
                p["W%d" % l] = np.zeros((dims[l], dims[l - 1]))
            elif kind == "random":
                p["W%d" % l] = np.random.randn(dims[l], dims[l - 1]) * 10
            else:
                p["W%d" % l] = np.random.randn(dims[l], dims[l - 1]) * np.sqrt(2. / dims[l - 1])
            p["b%d" % l] = np.zeros((dims[l], 1))
        m = X.shape[1]
        for i in range(15000):
            z1 = p["W1"] @ X + p["b1"]; a1 = relu(z1)
            z2 = p["W2"] @ a1 + p["b2"]; a2 = relu(z2)
            z3 = p["W3"] @ a2 + p["b3"]; a3 = sigmoid(z3)
            if i % 1000 == 0:
                with np.errstate(divide="ignore", invalid="ignore"):
                    np.nansum(-np.log(a3) * Y - np.log(1 - a3) * (1 - Y)) / m
            dz3 = (a3 - Y) / m
            dW3 = dz3 @ a2.T; db3 = dz3.sum(axis=1, keepdims=True)
            dz2 = (p["W3"].T @ dz3) * (a2 > 0); dW2 = dz2 @ a1.T; db2 = dz2.sum(axis=1, keepdims=True)
            dz1 = (p["W2"].T @ dz2) * (a1 > 0); dW1 = dz1 @ X.T; db1 = dz1.sum(axis=1, keepdims=True)
            for k, g in (("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2), ("W3", dW3), ("b3", db3)):
                p[k] -= 0.01 * g
    return time.perf_counter() - start, 45000


def comparison_torch():
    import torch
    x, y = course_data()
    X = torch.tensor(x, dtype=torch.float64)
    Y = torch.tensor(y, dtype=torch.float64).reshape(-1, 1)
    start = time.perf_counter()
    for kind in ("zeros", "random", "he"):
        torch.manual_seed(3)
        model = torch.nn.Sequential(torch.nn.Linear(2, 10), torch.nn.ReLU(), torch.nn.Linear(10, 5),
                                    torch.nn.ReLU(), torch.nn.Linear(5, 1)).double()
        with torch.no_grad():
            for layer in model:
                if isinstance(layer, torch.nn.Linear):
                    torch.nn.init.zeros_(layer.bias)
                    if kind == "zeros":
                        torch.nn.init.zeros_(layer.weight)
                    elif kind == "random":
                        torch.nn.init.normal_(layer.weight, std=10.0)
                    else:
                        torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        loss_fn = torch.nn.BCEWithLogitsLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for i in range(15000):
            optimizer.zero_grad()
            loss = loss_fn(model(X), Y)
            loss.backward()
            optimizer.step()
            if i % 1000 == 0:
                loss.item()
    return time.perf_counter() - start, 45000


def mlp(optimizer_name, steps=60):
    import torch
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 1024),
                                torch.nn.ReLU(), torch.nn.Linear(1024, 10))
    if optimizer_name == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randn(256, 784)
    labels = torch.randint(0, 10, (256,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        optimizer.step()

    for _ in range(5):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return time.perf_counter() - start, steps


def cnn(steps=20):
    import torch

    class SimpleCNN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(3, 32, 3, padding=1)
            self.bn1 = torch.nn.BatchNorm2d(32)
            self.relu = torch.nn.ReLU()
            self.pool = torch.nn.MaxPool2d(2)
            self.fc = torch.nn.Linear(32 * 16 * 16, 10)

        def forward(self, x):
            x = self.pool(self.relu(self.bn1(self.conv1(x))))
            return self.fc(torch.flatten(x, 1))

    torch.manual_seed(0)
    model = SimpleCNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(64, 3, 32, 32)
    labels = torch.randint(0, 10, (64,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        optimizer.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return time.perf_counter() - start, steps


WORKLOADS = {
    "comparison-torch": ("comparison", "pytorch", comparison_torch),
    "comparison-numpy": ("comparison", "numpy", comparison_numpy),
    "mlp-sgd": ("mlp-sgd", "pytorch", lambda: mlp("sgd")),
    "mlp-adamw": ("mlp-adamw", "pytorch", lambda: mlp("adamw")),
    "cnn": ("cnn", "pytorch", cnn),
}


def main():
    name = sys.argv[1]
    workload, implementation, run = WORKLOADS[name]
    try:
        import torch
        torch.set_num_threads(2)
    except ImportError:
        pass
    seconds, steps = run()
    print(json.dumps({"workload": workload, "implementation": implementation, "seconds": seconds,
                      "steps": steps, "steps_per_second": steps / seconds, "peak_rss_mb": peak_rss_mb()}))


if __name__ == "__main__":
    main()
