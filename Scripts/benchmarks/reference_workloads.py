"""The reference side of Scripts/bench: the same workloads as Kindling's KindlingBench, written the way
PyTorch's and numpy's users write them. Prints one JSON object per line:
{"workload", "implementation", "seconds", "steps", "peak_rss_mb", ...}.

Usage: reference_workloads.py WORKLOAD
  comparison-torch   zeros / random / He on the course's circles data, 2-10-5-1, full batch, 15000 steps
                     each, nn.Sequential + BCEWithLogitsLoss + optim.SGD (PyTorch eager)
  comparison-numpy   the same with the course's hand-written numpy loop
  mlp-sgd, mlp-adamw 784-1024-1024-10, batch 256, cross-entropy, Float, SGD(momentum 0.9) / AdamW
  cnn                SimpleCNN (Conv2d 3->32 3x3 pad 1, BatchNorm2d, ReLU, MaxPool2d 2, Linear 8192->10),
                     batch 64 of 3x32x32, SGD with momentum
  encoder            all-MiniLM-L6-v2 ($KINDLING_ENCODER) forward, batch 32 x sequence 64, transformers'
                     BertModel (eager attention) under torch.no_grad; adds sentences_per_second
  encoder-sdpa       the same with transformers' default attention (torch's scaled_dot_product_attention)
  encoder-onnxruntime  the same passes in ONNX Runtime: the model exported once by torch.onnx.export into
                     .build/bench/onnx, run with 2 intra-op threads, 1 inter-op, ORT_ENABLE_ALL
  overhead           per-op cost: forward + backward of a chain of 20 element-wise ops and a sum on
                     4-element float32 tensors; adds microseconds_per_op
  backend [WORKLOAD...]  prints (no JSON) one line each for numpy's BLAS (threadpoolctl: library, version,
                     kernels, threads) and PyTorch's (its build configuration: BLAS, CPU capability, threads),
                     and for ONNX Runtime's (version, providers, threads) when the workloads include encoder
  csv-numpy, csv-pandas  one parse of a 50 MB numeric CSV (250000 x 20, written first, the same bytes as
                     KindlingBench's csv workload) with numpy.loadtxt / pandas.read_csv
  digits-training    kindling train's loop on digits in PyTorch eager: 64-64-32-10 ReLU MLP, float32,
                     Adam(lr 1e-3), batches of 32 by a per-epoch permutation, 20 epochs of 1437 rows
  embed-corpus       a whole Python process that imports sentence-transformers, loads $KINDLING_ENCODER,
                     encodes every line of $KINDLING_CORPUS with encode's defaults (batch 32, sorted by
                     length) and saves the .npy; seconds and peak_rss_mb are the child process's
  corpus PATH        writes the embed-corpus text (no JSON): see corpus()
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
    return timed_classifier_steps(model, optimizer, x, labels, warm_up=5, steps=steps)


def cnn(steps=20, frozen_backbone=False):
    """KindlingBench's cnn workload; with frozen_backbone (cnn-frozen), conv1 and bn1 are frozen and the
    optimizer gets the head's parameters only."""
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
    if frozen_backbone:
        model.conv1.requires_grad_(False)
        model.bn1.requires_grad_(False)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(trainable, lr=0.01, momentum=0.9)
    x = torch.randn(64, 3, 32, 32)
    labels = torch.randint(0, 10, (64,))
    return timed_classifier_steps(model, optimizer, x, labels, warm_up=3, steps=steps)


def timed(run, warm_up, count):
    """Seconds for `count` calls of `run`, after `warm_up` untimed ones."""
    for _ in range(warm_up):
        run()
    start = time.perf_counter()
    for _ in range(count):
        run()
    return time.perf_counter() - start


def timed_classifier_steps(model, optimizer, x, labels, warm_up, steps):
    """Seconds for `steps` training steps (zero_grad, cross-entropy forward, backward, optimizer step) on
    one fixed batch, after `warm_up` untimed ones; returns (seconds, steps)."""
    import torch

    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        optimizer.step()

    return timed(step, warm_up, steps), steps


def overhead(warm_up=200, passes=5000):
    """The same chain as KindlingBench's overhead workload: 21 recorded operations per pass."""
    import torch
    x = torch.tensor([0.1, 0.2, 0.3, 0.4], requires_grad=True)
    w = torch.tensor([0.9, 1.1, 0.8, 1.2], requires_grad=True)
    b = torch.tensor([0.01, -0.02, 0.03, -0.04], requires_grad=True)

    def one_pass():
        y = x
        for _ in range(5):
            y = y * w
            y = y + b
            y = torch.tanh(y)
            y = y - x
        y.sum().backward()

    seconds = timed(one_pass, warm_up, passes)
    return seconds, passes, {"microseconds_per_op": seconds / (passes * 21) * 1e6}


def encoder_inputs():
    """The ids of KindlingBench's encoder workload in shape (drawn by torch, not the same values: the
    cost does not depend on them), and an all-ones attention mask."""
    import torch
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, 30000, (32, 64), generator=generator)
    return ids, torch.ones_like(ids)


def timed_passes(one_pass, warm_up, passes):
    seconds = timed(one_pass, warm_up, passes)
    return seconds, passes, {"sentences_per_second": passes * 32 / seconds}


def encoder(attention="eager", warm_up=2, passes=5):
    """The same forward passes as KindlingBench's encoder workload: transformers' BertModel with the
    given attention implementation ("eager", or "sdpa": transformers' default, torch's fused
    scaled_dot_product_attention) under torch.no_grad."""
    import os
    import torch
    from transformers import BertModel
    model = BertModel.from_pretrained(os.environ["KINDLING_ENCODER"], local_files_only=True,
                                      add_pooling_layer=False, attn_implementation=attention).eval()
    ids, mask = encoder_inputs()
    with torch.no_grad():
        return timed_passes(lambda: model(input_ids=ids, attention_mask=mask), warm_up, passes)


def encoder_onnx_file():
    """all-MiniLM-L6-v2's BertModel exported once by torch.onnx.export (inputs input_ids and
    attention_mask, batch and sequence dynamic, output last_hidden_state) into .build/bench/onnx, named by
    the model folder's path and the weights' size and time so that another model or new weights export
    again."""
    import hashlib
    import os
    folder = os.environ["KINDLING_ENCODER"]
    weights = os.path.join(folder, "model.safetensors")
    status = os.stat(weights)
    key = hashlib.sha256(f"{os.path.realpath(folder)} {status.st_size} {status.st_mtime_ns}".encode()).hexdigest()
    path = os.path.join(".build", "bench", "onnx", f"encoder-{key[:16]}.onnx")
    if os.path.exists(path):
        return path
    import torch
    from transformers import BertModel
    bert = BertModel.from_pretrained(folder, local_files_only=True, add_pooling_layer=False,
                                     attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        """BertModel called by keywords (its forward's positional order is not input_ids, attention_mask)."""
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    model = LastHiddenState().eval()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ids, mask = encoder_inputs()
    partial = path + f".partial-{os.getpid()}"
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask), partial, input_names=["input_ids", "attention_mask"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask")})
    os.replace(partial, path)
    return path


def onnxruntime_session():
    """An ONNX Runtime session on the exported encoder: CPU, 2 intra-op threads, 1 inter-op thread,
    sequential execution, every graph optimization (ORT_ENABLE_ALL, which fuses attention, GELU and
    the skip layer norms)."""
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(encoder_onnx_file(), options, providers=["CPUExecutionProvider"])


def encoder_onnxruntime(warm_up=2, passes=5):
    """The encoder workload's passes in ONNX Runtime (see onnxruntime_session)."""
    session = onnxruntime_session()
    ids, mask = encoder_inputs()
    feed = {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
    return timed_passes(lambda: session.run(None, feed), warm_up, passes)


CORPUS_MODULES = ["argparse", "asyncio", "collections", "csv", "datetime", "decimal", "email", "fractions",
                  "functools", "http.client", "inspect", "json", "logging", "os", "pathlib", "random", "re",
                  "shutil", "socket", "sqlite3", "statistics", "string", "subprocess", "tarfile", "threading",
                  "typing", "unittest", "urllib.request", "xml.etree.ElementTree", "zipfile"]


def corpus(path, count=3000):
    """The embed-corpus text: English prose of varied length, reproducible from the Python in use. The
    sentences of the docstrings of CORPUS_MODULES (each module's, then its members' by name), whitespace
    collapsed, split after . ! or ? followed by a space, those of 3 to 120 words, the first `count` distinct
    ones, one per line."""
    import importlib
    import re
    lines, seen = [], set()
    for name in CORPUS_MODULES:
        module = importlib.import_module(name)
        for doc in [module.__doc__] + [getattr(value, "__doc__", None) for _, value in sorted(vars(module).items())]:
            if not isinstance(doc, str):
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(doc.split())):
                if 3 <= len(sentence.split()) <= 120 and sentence not in seen:
                    seen.add(sentence)
                    lines.append(sentence)
    if len(lines) < count:
        sys.exit(f"corpus: only {len(lines)} sentences in the docstrings, {count} wanted")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines[:count]) + "\n")


def embed_corpus():
    """The whole process a user runs to embed a file with sentence-transformers, timed from outside."""
    import os
    import subprocess
    import tempfile
    script = ("import sys, numpy, torch; torch.set_num_threads(2)\n"
              "from sentence_transformers import SentenceTransformer\n"
              "model = SentenceTransformer(sys.argv[1], device='cpu')\n"
              "lines = [l for l in open(sys.argv[2], encoding='utf-8').read().splitlines() if l.strip()]\n"
              "numpy.save(sys.argv[3], model.encode(lines))\n")
    output = os.path.join(tempfile.gettempdir(), f"kindling-bench-{os.getpid()}.npy")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, os.environ["KINDLING_ENCODER"], os.environ["KINDLING_CORPUS"],
                    output], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    os.remove(output)
    with open(os.environ["KINDLING_CORPUS"], encoding="utf-8") as f:
        count = sum(1 for line in f if line.strip())
    return seconds, 1, {"peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0,
                        "lines": count, "lines_per_second": count / seconds}


def csv_file():
    """The benchmark CSV: row i, column j is ((i * 31 + j * 17) % 10007) / 97 with "%.6f" (C printf, as Swift's)."""
    import os
    import tempfile
    rows, columns = 250_000, 20
    path = os.path.join(tempfile.gettempdir(), f"kindling-bench-{os.getpid()}.csv")
    j = np.arange(columns)
    with open(path, "w") as f:
        for i in range(rows):
            f.write(",".join("%.6f" % v for v in ((i * 31 + j * 17) % 10007) / 97) + "\n")
    return path, rows * columns


def csv_parse(parse):
    import os
    path, count = csv_file()
    try:
        parse(path)
        start = time.perf_counter()
        values = parse(path)
        seconds = time.perf_counter() - start
        assert values.size == count, values.shape
    finally:
        os.remove(path)
    return seconds, 1


def digits_training(epochs=20):
    import csv
    import math
    import torch
    from torch import nn
    with open("Tests/KindlingTestSupport/Fixtures/datasets/digits.csv") as f:
        rows = list(csv.reader(f))[1:]
    X = np.array([[float(v) for v in row[:-1]] for row in rows])
    y = np.array([int(row[-1]) for row in rows])
    rs = np.random.RandomState(0)
    train = rs.permutation(len(y))[math.ceil(0.2 * len(y)):]
    std = X[train].std(axis=0)
    std[std == 0] = 1
    features = torch.tensor((X[train] - X[train].mean(axis=0)) / std, dtype=torch.float32)
    labels = torch.tensor(y[train])
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        order = torch.from_numpy(rs.permutation(len(labels)))
        total = 0.0
        for start in range(0, len(order), 32):
            batch = order[start:start + 32]
            loss = loss_fn(model(features[batch]), labels[batch])
            total += loss.item() * len(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return total

    return timed(epoch, 1, epochs), epochs * math.ceil(len(labels) / 32)


WORKLOADS = {
    "csv-numpy": ("csv", "numpy.loadtxt", lambda: csv_parse(lambda path: np.loadtxt(path, delimiter=","))),
    "csv-pandas": ("csv", "pandas.read_csv",
                   lambda: csv_parse(lambda path: __import__("pandas").read_csv(path, header=None).to_numpy())),
    "digits-training": ("digits-training", "pytorch", digits_training),
    "comparison-torch": ("comparison", "pytorch", comparison_torch),
    "comparison-numpy": ("comparison", "numpy", comparison_numpy),
    "mlp-sgd": ("mlp-sgd", "pytorch", lambda: mlp("sgd")),
    "mlp-adamw": ("mlp-adamw", "pytorch", lambda: mlp("adamw")),
    "cnn": ("cnn", "pytorch", cnn),
    "cnn-frozen": ("cnn-frozen", "pytorch", lambda: cnn(frozen_backbone=True)),
    "overhead": ("overhead", "pytorch", overhead),
    "encoder": ("encoder", "pytorch", encoder),
    "encoder-sdpa": ("encoder", "pytorch-sdpa", lambda: encoder("sdpa")),
    "encoder-onnxruntime": ("encoder", "onnxruntime", encoder_onnxruntime),
    "embed-corpus": ("embed-corpus", "sentence-transformers", embed_corpus),
}


def backend(workloads):
    """One line per reference engine that the named workloads (all when none) run."""
    import re
    import threadpoolctl
    import torch
    torch.set_num_threads(2)
    blas = [info for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]
    described = ", ".join(f"{info['internal_api']} {info.get('version')} ({info['prefix']}), kernels "
                          f"{info.get('architecture', 'unknown')}, {info['num_threads']} threads" for info in blas)
    print(f"numpy {np.__version__}: {described or 'no BLAS found by threadpoolctl'}")
    config = torch.__config__.show()
    blas_info = re.search(r"BLAS_INFO=(\w+)", config)
    mkl = re.search(r"Math Kernel Library Version ([\w.-]+)", config)
    print(f"PyTorch {torch.__version__}: BLAS {blas_info.group(1) if blas_info else 'unknown'}"
          f"{' ' + mkl.group(1) if mkl else ''}, CPU capability {torch.backends.cpu.get_cpu_capability()}, "
          f"{torch.get_num_threads()} threads")
    if not workloads or "encoder" in workloads:
        import onnxruntime
        options = onnxruntime_session().get_session_options()
        print(f"ONNX Runtime {onnxruntime.__version__}: providers {', '.join(onnxruntime.get_available_providers())} "
              f"(sessions on CPUExecutionProvider, MLAS kernels), {options.intra_op_num_threads} intra-op threads, "
              f"{options.inter_op_num_threads} inter-op, {options.graph_optimization_level.name}")


def main():
    name = sys.argv[1]
    if name == "backend":
        backend(sys.argv[2:])
        return
    if name == "corpus":
        corpus(sys.argv[2])
        return
    workload, implementation, run = WORKLOADS[name]
    try:
        import torch
        torch.set_num_threads(2)
    except ImportError:
        pass
    seconds, steps, *extra = run()
    print(json.dumps({"workload": workload, "implementation": implementation, "seconds": seconds,
                      "steps": steps, "steps_per_second": steps / seconds, "peak_rss_mb": peak_rss_mb(),
                      **(extra[0] if extra else {})}))


if __name__ == "__main__":
    main()
