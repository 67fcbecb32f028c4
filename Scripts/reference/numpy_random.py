"""Reference draws from numpy.random.RandomState (the legacy generator behind numpy.random.seed) for
Tests/KindlingUnitTests/RandomGeneratorTests.swift, written to Tests/KindlingTestSupport/Fixtures/numpy_random.json.

For each seed the fixture holds one sequence of calls on a single RandomState, in order, with their
results. The Swift test replays the same calls on one RandomGenerator and compares every value exactly,
so the sequence also checks that each method consumes the stream exactly as numpy does: the cached
second Gaussian of randn/normal survives calls to random_sample, uniform, randint and shuffle (numpy keeps
it in the generator's state and only seed() clears it), and randint over a range of one value draws nothing.

Run: Scripts/reference/regenerate (or this file with numpy installed).
"""
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "numpy_random.json"
SEEDS = [0, 1, 3, 42, 4294967295]


def floats(values):
    """Doubles as exact hexadecimal strings (float.hex(), read back by Swift's Double(String)): decimal
    JSON numbers would depend on the reader's decimal conversion, and Foundation's JSONSerialization on
    Linux is off by one ulp for some of them."""
    return [float(v).hex() for v in np.asarray(values, dtype=np.float64).ravel()]


def ints(values):
    return [int(v) for v in np.asarray(values).ravel()]


def calls_for(seed):
    """Runs the call sequence on a fresh RandomState and returns the steps with their results."""
    rs = np.random.RandomState(seed)
    steps = []

    def step(op, values, **arguments):
        steps.append({"op": op, **arguments, "values": values})

    step("random_sample", floats(rs.random_sample(200)), count=200)
    for low, high in [(0.0, 1.0), (-3.0, 5.0), (-0.25, 0.25), (1e-3, 1e3)]:
        step("uniform", floats(rs.uniform(low, high, 20)), low=low, high=high, count=20)

    # Odd counts leave a cached Gaussian; the calls in between must not disturb it.
    step("randn", floats(rs.randn(5)), count=5)
    step("random_sample", floats(rs.random_sample(3)), count=3)
    step("randn", floats(rs.randn(1)), count=1)
    step("randn", floats(rs.randn(7)), count=7)
    step("uniform", floats(rs.uniform(-2.0, 2.0, 1)), low=-2.0, high=2.0, count=1)
    step("randn", floats(rs.randn(4)), count=4)
    step("randn", floats(rs.randn(3)), count=3)
    step("randint", ints(rs.randint(0, 10, 3)), low=0, high=10, count=3)
    step("randn", floats(rs.randn(1)), count=1)
    step("randn", floats(rs.randn(1)), count=1)
    step("randn", floats(rs.randn(101)), count=101)
    for mean, std, count in [(2.5, 0.5, 5), (-1.0, 3.0, 1), (0.0, 1e-3, 4), (100.0, 25.0, 9)]:
        step("normal", floats(rs.normal(mean, std, count)), mean=mean, std=std, count=count)

    step("randn", floats(rs.randn(1)), count=1)  # leaves a cached Gaussian across the integer draws
    for low, high in [(0, 2), (0, 10), (-5, 5), (3, 4), (0, 1000), (-7, 1 << 20),
                      (0, 1 << 32), (-(1 << 31), 1 << 31), (0, (1 << 32) + 1), (0, (1 << 40) + 3),
                      (-(1 << 40), 1 << 41), (0, 1 << 62)]:
        step("randint", ints(rs.randint(low, high, 20)), low=low, high=high, count=20)
    # One value at a time consumes the stream as an array of them does.
    step("randint", [int(rs.randint(0, 6)) for _ in range(5)], low=0, high=6, count=5)
    step("randn", floats(rs.randn(1)), count=1)

    for n in [0, 1, 2, 3, 10, 1000]:
        values = np.arange(n)
        rs.shuffle(values)
        step("shuffle", ints(values), count=n)
    step("randn", floats(rs.randn(3)), count=3)
    for n in [0, 1, 5, 100]:
        step("permutation", ints(rs.permutation(n)), count=n)

    # Reseeding clears the cached Gaussian: after an odd randn, seed() restarts the stream from scratch.
    step("randn", floats(rs.randn(3)), count=3)
    rs.seed(seed)
    step("seed", [], seed=seed)
    step("randn", floats(rs.randn(6)), count=6)
    step("random_sample", floats(rs.random_sample(2)), count=2)
    return steps


def tensor_draws():
    """Multi-dimensional draws, which numpy fills in row-major order."""
    rs = np.random.RandomState(42)
    randn = rs.randn(2, 3)
    uniform = rs.uniform(-1.0, 2.0, (4, 5))
    normal = rs.normal(1.0, 2.0, (3, 3))
    rows = np.arange(14, dtype=np.float64).reshape(7, 2)
    rs.shuffle(rows)
    return {
        "seed": 42,
        "randn": {"shape": [2, 3], "values": floats(randn)},
        "uniform": {"shape": [4, 5], "low": -1.0, "high": 2.0, "values": floats(uniform)},
        "normal": {"shape": [3, 3], "mean": 1.0, "std": 2.0, "values": floats(normal)},
        "shuffled_rows": {"shape": [7, 2], "values": floats(rows)},
    }


def main():
    fixture = {
        "generator": "Scripts/reference/numpy_random.py",
        "numpy": np.__version__,
        "sequences": [{"seed": seed, "steps": calls_for(seed)} for seed in SEEDS],
        "tensors": tensor_draws(),
    }
    OUTPUT.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
