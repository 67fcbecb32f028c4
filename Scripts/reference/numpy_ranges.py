"""numpy.arange and numpy.linspace values, bit for bit, for Kindling's Tensor.arange and Tensor.linspace
(issue 10, section 4): numpy computes arange's values as start + i * delta with
delta = (start + step) - start (the second value is start + step itself), and linspace's as
i * step + start with step = (stop - start) / divisions, the last value set to stop.

Writes Tests/KindlingTestSupport/Fixtures/numpy_ranges.json, read by RangeTests: for each case the arguments
and the values as float.hex strings (exact), in float64 and in float32 (numpy with dtype=float32 and
float32 arguments). Run: Scripts/reference/regenerate (or this file with the venv's python).
"""
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "Tests" / "KindlingTestSupport" / "Fixtures" / "numpy_ranges.json"
STEPS = [0.1, 0.2, 0.3, 0.7, 0.01, 0.05, 1 / 3, 2.5, -0.1, -0.3, -1 / 7]


def hexes(values):
    return [float(v).hex() for v in values]


def arange_cases(random, dtype, count):
    cases = [(0.3, 2.0, 0.1), (0.0, 1.0, 0.1), (-1.0, 1.0, 0.2), (1.0, 0.0, -0.1), (0.5, 0.5, 0.1), (0.0, 5.0, 1.0)]
    while len(cases) < count:
        start = round(random.uniform(-5, 5), int(random.randint(0, 4)))
        step = float(random.choice(STEPS))
        stop = start + step * random.randint(1, 30) + step * random.uniform(-0.5, 0.5)
        cases.append((start, stop, step))
    result = []
    for start, stop, step in cases:
        start, stop, step = dtype(start), dtype(stop), dtype(step)
        values = np.arange(start, stop, step, dtype=dtype)
        result.append({"start": float(start).hex(), "end": float(stop).hex(), "step": float(step).hex(),
                       "values": hexes(values)})
    return result


def linspace_cases(random, dtype, count):
    cases = [(0.0, 1.0, 11, True), (0.0, 2 * np.pi, 150, False), (0.3, 2.0, 18, True), (-1.0, 1.0, 1, True),
             (2.0, 2.0, 5, True), (0.0, 1.0, 0, True), (1.0, -1.0, 7, False), (0.0, 5e-324, 5, True),
             (0.0, 2e-323, 9, True)]
    while len(cases) < count:
        start = round(random.uniform(-5, 5), int(random.randint(0, 4)))
        stop = start + random.uniform(-10, 10)
        cases.append((start, stop, int(random.randint(2, 30)), bool(random.randint(0, 2))))
    result = []
    for start, stop, num, endpoint in cases:
        start, stop = dtype(start), dtype(stop)
        values = np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype)
        result.append({"start": float(start).hex(), "end": float(stop).hex(), "count": num,
                       "endpoint": endpoint, "values": hexes(values)})
    return result


def main():
    random = np.random.RandomState(10)
    fixture = {
        "generator": "Scripts/reference/numpy_ranges.py",
        "numpy": np.__version__,
        "arange": {"float64": arange_cases(random, np.float64, 120), "float32": arange_cases(random, np.float32, 60)},
        "linspace": {"float64": linspace_cases(random, np.float64, 80), "float32": linspace_cases(random, np.float32, 40)},
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(fixture, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
