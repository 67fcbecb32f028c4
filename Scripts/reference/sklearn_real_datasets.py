"""Exports scikit-learn's bundled real datasets as files a user would have, for the data readers' tests
(Tests/KindlingUnitTests/DataReaderTests.swift) and the digits comparison of the command-line article
(Sources/Kindling/Kindling.docc/TheCommandLine.md).

Writes into Tests/KindlingTestSupport/Fixtures/datasets/:
- digits.csv (header, 64 pixel columns then "target", integers), wine.csv (label column "class" first, string
  labels class_0..class_2), breast_cancer.csv (every field quoted: csv.QUOTE_NONNUMERIC, string labels
  malignant/benign last), diabetes.csv (no header, real-valued target last, floats written with repr);
- digits as IDX (the MNIST format): digits-images-idx3-ubyte and digits-labels-idx1-ubyte, also gzip-compressed
  (mtime 0, so the bytes are reproducible);
- digits as NPY: digits-features.npy ('|u1', (1797, 64)) and digits-labels.npy ('<i8');
- npy/: one 3 x 4 array of small integers in every dtype the reader supports (f4, f8, i1-i8, u1-u8), each
  little- and big-endian, C and Fortran order, plus format versions 2.0 and 3.0;
and Tests/KindlingTestSupport/Fixtures/sklearn_real_datasets.json: what numpy reads back from each file (shape, column
sums with math.fsum, the first row, as float.hex() strings because Foundation's JSON parser does not round
every decimal correctly; class names in sorted order), the indices of the seeded train/validation
split (sklearn's train_test_split(test_size=0.2, random_state=0) = RandomState(0).permutation(n), validation
first), and the accuracies of scikit-learn's LogisticRegression and MLPClassifier on digits for that split.
"""
import csv
import gzip
import io
import json
import math
import pathlib
import struct

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures"
DATA = FIXTURES / "datasets"
NPY = DATA / "npy"
DATA.mkdir(parents=True, exist_ok=True)
NPY.mkdir(parents=True, exist_ok=True)


def write_csv(name, header, rows, quoting=csv.QUOTE_MINIMAL):
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=quoting, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    (DATA / name).write_text(buffer.getvalue())


def summary(features, labels, names=None):
    features = np.asarray(features, dtype=np.float64)
    entry = {
        "shape": list(features.shape),
        "columnSums": [math.fsum(features[:, j]).hex() for j in range(features.shape[1])],
        "firstRow": [float(v).hex() for v in features[0]],
    }
    if names is not None:
        entry["classNames"] = names
        entry["labelCounts"] = [int((np.asarray(labels) == k).sum()) for k in range(len(names))]
    else:
        entry["targetSum"] = math.fsum(float(v) for v in labels).hex()
        entry["firstTarget"] = float(labels[0]).hex()
    return entry


reference = {"generator": "Scripts/reference/sklearn_real_datasets.py",
             "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__}, "datasets": {}}

# digits: 1797 x 64 integers 0..16, labels 0..9.
digits = load_digits()
X, y = digits.data.astype(np.int64), digits.target.astype(np.int64)
write_csv("digits.csv", [f"pixel_{i // 8}_{i % 8}" for i in range(64)] + ["target"],
          [list(map(int, row)) + [int(label)] for row, label in zip(X, y)])
reference["datasets"]["digits"] = summary(X, y, [str(k) for k in range(10)])

images = X.astype(np.uint8).reshape(-1, 8, 8)
idx_images = struct.pack(">BBBB", 0, 0, 0x08, 3) + struct.pack(">III", *images.shape) + images.tobytes()
idx_labels = struct.pack(">BBBB", 0, 0, 0x08, 1) + struct.pack(">I", len(y)) + y.astype(np.uint8).tobytes()
for name, payload in [("digits-images-idx3-ubyte", idx_images), ("digits-labels-idx1-ubyte", idx_labels)]:
    (DATA / name).write_bytes(payload)
    with open(DATA / (name + ".gz"), "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as z:
        z.write(payload)
np.save(DATA / "digits-features.npy", X.astype(np.uint8))
np.save(DATA / "digits-labels.npy", y.astype("<i8"))

# The seeded split and scikit-learn's classifiers on it (features standardized with the training split).
permutation = np.random.RandomState(0).permutation(len(y))
X_train, X_valid, y_train, y_valid = train_test_split(X.astype(np.float64), y, test_size=0.2, random_state=0)
validation_count = math.ceil(0.2 * len(y))
assert (X_valid == X[permutation[:validation_count]]).all() and (X_train == X[permutation[validation_count:]]).all()
scaler = StandardScaler().fit(X_train)
logistic = LogisticRegression(max_iter=5000).fit(scaler.transform(X_train), y_train)
mlp = MLPClassifier(hidden_layer_sizes=(64, 32), random_state=0, max_iter=500).fit(scaler.transform(X_train), y_train)
reference["digitsSplit"] = {
    "call": "train_test_split(X, y, test_size=0.2, random_state=0)",
    "validationIndices": [int(i) for i in permutation[:validation_count]],
    "trainingIndices": [int(i) for i in permutation[validation_count:]],
    "logisticRegressionAccuracy": float(logistic.score(scaler.transform(X_valid), y_valid)),
    "logisticRegressionCall": "LogisticRegression(max_iter=5000) on StandardScaler features",
    "mlpClassifierAccuracy": float(mlp.score(scaler.transform(X_valid), y_valid)),
    "mlpClassifierCall": "MLPClassifier(hidden_layer_sizes=(64, 32), random_state=0, max_iter=500) on StandardScaler features",
}

# wine: label column first, string labels.
wine = load_wine()
names = [f"class_{k}" for k in range(3)]
write_csv("wine.csv", ["class"] + list(wine.feature_names),
          [[names[label]] + [repr(float(v)) for v in row] for row, label in zip(wine.data, wine.target)])
reference["datasets"]["wine"] = summary(wine.data, wine.target, names)

# breast cancer: every field quoted, string labels last ("benign" sorts before "malignant").
cancer = load_breast_cancer()
label_names = [str(cancer.target_names[k]) for k in cancer.target]
write_csv("breast_cancer.csv", list(cancer.feature_names) + ["diagnosis"],
          [[float(v) for v in row] + [name] for row, name in zip(cancer.data, label_names)],
          quoting=csv.QUOTE_NONNUMERIC)
sorted_names = sorted(set(label_names))
reference["datasets"]["breast_cancer"] = summary(cancer.data, [sorted_names.index(n) for n in label_names], sorted_names)

# diabetes: no header, real-valued target last.
diabetes = load_diabetes()
write_csv("diabetes.csv", None,
          [[repr(float(v)) for v in row] + [repr(float(t))] for row, t in zip(diabetes.data, diabetes.target)])
reference["datasets"]["diabetes"] = summary(diabetes.data, diabetes.target)

# NPY: every supported dtype, both byte orders, both memory orders; versions 2.0 and 3.0.
small = np.array([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 120]], dtype=np.float64)
reference["npy"] = {"values": small.tolist(), "files": []}
for code in ["f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]:
    for endian in ["<", ">"]:
        if code[1] == "1" and endian == ">":
            continue
        dtype = np.dtype(("|" if code[1] == "1" else endian) + code)
        for order in ["C", "F"]:
            name = f"{code}-{'little' if endian == '<' else 'big'}-{order}.npy"
            np.save(NPY / name, np.asarray(small, dtype=dtype, order=order))
            reference["npy"]["files"].append(name)
for version in [(2, 0), (3, 0)]:
    name = f"f8-little-C-v{version[0]}.npy"
    with open(NPY / name, "wb") as f:
        np.lib.format.write_array(f, small, version=version)
    reference["npy"]["files"].append(name)

(FIXTURES / "sklearn_real_datasets.json").write_text(json.dumps(reference) + "\n")
for path in sorted(DATA.rglob("*")):
    if path.is_file():
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
print(f"wrote {(FIXTURES / 'sklearn_real_datasets.json').relative_to(ROOT)}")
print(json.dumps({k: v for k, v in reference["digitsSplit"].items() if "Indices" not in k}, indent=1))
