"""Writes Tests/KindlingTestSupport/Fixtures/sklearn_datasets.json: toy datasets made by scikit-learn (and the
CS231n spiral made by numpy) after seeding numpy's global RandomState, for DatasetTests.swift to compare
Kindling's generators with exactly (bit for bit in Double).

Every float is written twice: as a JSON number (repr, the shortest string that round-trips) and, for the
features, as float.hex() strings so that the comparison cannot depend on a decimal parser.
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.datasets import make_blobs, make_circles, make_moons

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "sklearn_datasets.json"


def entry(call, seed, X, y):
    return {
        "call": call,
        "seed": seed,
        "features": [[float(v) for v in row] for row in X],
        "featuresHex": [[float(v).hex() for v in row] for row in X],
        "labels": [int(v) for v in y],
    }


def cs231n_spiral(points_per_class, classes):
    # The CS231n spiral (cs231n.github.io/neural-networks-case-study): for each class j in turn,
    # r = linspace(0, 1, N), t = linspace(4j, 4(j+1), N) + randn(N) * 0.2, rows [r sin t, r cos t].
    X = np.zeros((points_per_class * classes, 2))
    y = np.zeros(points_per_class * classes, dtype=int)
    for j in range(classes):
        ix = range(points_per_class * j, points_per_class * (j + 1))
        r = np.linspace(0.0, 1, points_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, points_per_class) + np.random.randn(points_per_class) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def seeded(seed, make):
    np.random.seed(seed)
    return make()


datasets = {}
# The course's data (DESIGN.md, the reference experiment).
datasets["circlesTrain"] = entry("make_circles(n_samples=300, noise=.05)", 1,
                                 *seeded(1, lambda: make_circles(n_samples=300, noise=.05)))
datasets["circlesTest"] = entry("make_circles(n_samples=100, noise=.05)", 2,
                                *seeded(2, lambda: make_circles(n_samples=100, noise=.05)))
# An odd count (outer circle gets n // 2) and another factor.
datasets["circlesOdd"] = entry("make_circles(n_samples=51, noise=0.1, factor=0.5)", 5,
                               *seeded(5, lambda: make_circles(n_samples=51, noise=0.1, factor=0.5)))
datasets["moons"] = entry("make_moons(n_samples=101, noise=0.2)", 3,
                          *seeded(3, lambda: make_moons(n_samples=101, noise=0.2)))
datasets["blobsRandomCenters"] = entry(
    "make_blobs(n_samples=50, centers=3, cluster_std=1.5)", 4,
    *seeded(4, lambda: make_blobs(n_samples=50, centers=3, cluster_std=1.5)))
datasets["blobsGivenCenters"] = entry(
    "make_blobs(n_samples=40, centers=[[0, 0], [3, 3], [-3, 2]], cluster_std=0.5)", 6,
    *seeded(6, lambda: make_blobs(n_samples=40, centers=[[0, 0], [3, 3], [-3, 2]], cluster_std=0.5)))
datasets["spiral"] = entry("CS231n spiral, N=20 points per class, K=3 classes", 0,
                           *seeded(0, lambda: cs231n_spiral(20, 3)))

fixture = {
    "generator": "Scripts/reference/sklearn_datasets.py",
    "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__},
    "datasets": datasets,
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(fixture) + "\n")
print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")
