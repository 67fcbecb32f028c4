"""Prints Scripts/bench's table from the JSON lines of one run (KindlingBench's and
reference_workloads.py's), as Markdown so that it can go into BENCHMARKS.md unchanged.

Usage: summarize.py RESULTS.jsonl --command C --cpu C --cores N --repeats N --load L --load-after L
                    [--backend LINE ...]

Medians are over the runs of each side. ratio = reference time / Kindling time for the same work, which
for steps per second is Kindling's steps/s over the reference's: > 1 means Kindling is faster. Runs with
the standard library only.
"""
import argparse
import datetime
import json
import statistics

REFERENCE_NAMES = {"pytorch": "PyTorch eager", "pytorch-sdpa": "transformers SDPA (PyTorch)",
                   "onnxruntime": "ONNX Runtime (torch.onnx export)", "numpy": "numpy loop", "numpy.loadtxt": "numpy.loadtxt",
                   "pandas.read_csv": "pandas.read_csv", "sentence-transformers": "sentence-transformers encode",
                   "one-process": "Kindling, 1 process x 2 threads"}

# The targets for the ratio, by workload and reference (issue 11, the second round of speed).
TARGETS = {
    ("comparison", "pytorch"): 20.0,
    ("comparison", "numpy"): 3.0,
    ("mlp-sgd", "pytorch"): 1.3,
    ("mlp-adamw", "pytorch"): 1.5,
    ("cnn", "pytorch"): 1.7,
    ("overhead", "pytorch"): 8.0,
    ("csv", "pandas.read_csv"): 1.0,          # issue 15
    ("digits-training", "pytorch"): 1.5,      # issue 15
    ("embed-corpus", "sentence-transformers"): 1.5,  # issue 21
    ("encoder", "pytorch-sdpa"): 1.3,          # issue 21
    ("encoder", "onnxruntime"): 1.2,           # issue 21
}
# The share of the GEMM bound (the pass's matrix products alone, timed in the same process) that the
# encoder's passes must reach (issue 21).
GEMM_BOUND_TARGET = 0.85
MATMUL_TARGET, MATMUL_TARGET_FROM_SIZE = 0.95, 256
# Workloads whose peak memory must be no more than PyTorch's.
MEMORY_TARGETS = {"mlp-sgd", "mlp-adamw", "cnn", "embed-corpus"}


def target_cell(target, value):
    if target is None:
        return ""
    return f">= {target:g}: {'yes' if value >= target else 'NO'}"


def number(value, digits=3):
    """`value` with `digits` significant digits, without an exponent for the magnitudes shown here."""
    if value == 0:
        return "0"
    magnitude = len(str(int(abs(value)))) if abs(value) >= 1 else 0
    return f"{value:.{max(digits - magnitude, 0)}f}"


def process_rows(workload, lines):
    """Rows for a whole-process workload: one per reference implementation."""
    def median(implementation, key):
        values = [line[key] for line in lines if line["implementation"] == implementation]
        return statistics.median(values) if values else None

    kindling_runs = sum(1 for line in lines if line["implementation"] == "kindling")
    kindling_rss = median("kindling", "peak_rss_mb")
    if workload == "memory":
        before, after = median("kindling", "rss_mb_after_100"), median("kindling", "rss_mb_after_10000")
        return [[workload, "resident MB after 100 -> 10000 steps", f"{before:.2f} -> {after:.2f}", "", "",
                 f"{after - before:+.2f} MB", "no growth: " + ("yes" if after - before < 1 else "NO"),
                 f"{kindling_rss:.0f}", "", kindling_runs]]
    rows = []
    references = list(dict.fromkeys(line["implementation"] for line in lines if line["implementation"] != "kindling"))
    for reference in references:
        reference_rss = median(reference, "peak_rss_mb")
        if workload == "overhead":
            measure, key, higher_is_faster = "microseconds per op (fwd+bwd)", "microseconds_per_op", False
        elif workload == "comparison":
            measure, key, higher_is_faster = "seconds for 45000 steps", "seconds", False
        elif workload == "embed-corpus":
            measure, key, higher_is_faster = "lines per second, whole process", "lines_per_second", True
        else:
            measure, key, higher_is_faster = "steps per second", "steps_per_second", True
        kindling, other = median("kindling", key), median(reference, key)
        ratio = kindling / other if higher_is_faster else other / kindling
        target = target_cell(TARGETS.get((workload, reference)), ratio)
        if workload in MEMORY_TARGETS:
            target += f"; peak RSS <= the reference's: {'yes' if kindling_rss <= reference_rss else 'NO'}"
        rows.append([workload, measure, number(kindling), number(other), REFERENCE_NAMES.get(reference, reference),
                     f"{ratio:.2f}", target, f"{kindling_rss:.0f}", f"{reference_rss:.0f}", kindling_runs])
    return rows


def matmul_rows(lines):
    rows = []
    for line in lines:
        n, precision = line["n"], line["precision"]
        target = target_cell(MATMUL_TARGET if n >= MATMUL_TARGET_FROM_SIZE else None, line["ratio"])
        routine = "sgemm" if precision == "Float" else "dgemm"
        rows.append(["matmul", f"ms per {n}x{n} {precision} product", number(line["kindling_seconds"] * 1e3),
                     number(line["reference_seconds"] * 1e3), f"raw cblas_{routine}", f"{line['ratio']:.2f}",
                     target, "", "", "in-process"])
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    for option in ("command", "cpu", "cores", "repeats", "load", "load-after"):
        parser.add_argument("--" + option, required=True)
    parser.add_argument("--backend", action="append", default=[], help="one line describing a side's BLAS")
    arguments = parser.parse_args()

    lines = [json.loads(text) for text in open(arguments.results) if text.strip()]
    rows = []
    for workload in dict.fromkeys(line["workload"] for line in lines):
        group = [line for line in lines if line["workload"] == workload]
        rows += matmul_rows(group) if workload == "matmul" else process_rows(workload, group)

    print(f"Kindling benchmark, {datetime.date.today().isoformat()}")
    print(f"Machine: {arguments.cpu}, {arguments.cores} cores; both sides with 2 threads (OPENBLAS_NUM_THREADS=2, "
          f"torch.set_num_threads(2))")
    for line in arguments.backend:
        print(f"Backend: {line}")
    print(f"Load average (1, 5, 15 min): {arguments.load} before, {arguments.load_after} after")
    print(f"Command: {arguments.command}")
    print(f"Medians over {arguments.repeats} runs of each side, alternating, one process per run (matmul: 11 "
          f"alternating samples inside one process). ratio = reference time / Kindling time for the same work "
          f"(for steps per second: Kindling's over the reference's); > 1 means Kindling is faster. RSS = peak "
          f"resident memory of the process (ru_maxrss).")
    print()
    header = ["workload", "measure", "Kindling", "reference", "reference is", "ratio", "target",
              "Kindling peak RSS (MB)", "reference peak RSS (MB)", "runs"]
    table = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(header, *table)]
    print("| " + " | ".join(cell.ljust(width) for cell, width in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in table:
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)) + " |")
    distributed = [line for line in lines if line["workload"] == "distributed" and line["ranks"] > 1]
    if distributed:
        share = statistics.median(line["synchronize_share"] for line in distributed)
        megabytes = distributed[0]["gradient_bytes_per_step"] / 1e6
        allreduce = statistics.median(line["allreduce_seconds"] for line in distributed)
        print()
        print(f"distributed: {distributed[0]['ranks']} ranks x {distributed[0]['threads']} thread; each rank sends "
              f"{megabytes:.2f} MB of gradients per step; waiting for the allreduce after backward takes "
              f"{share * 100:.1f}% of a step; one allreduce of that size alone takes {allreduce * 1e3:.2f} ms "
              f"({megabytes / allreduce / 1e3:.2f} GB/s of gradient).")
    encoder = [line for line in lines if line["workload"] == "encoder" and line["implementation"] == "kindling"
               and "gemm_bound_passes_per_second" in line]
    if encoder:
        bound = statistics.median(line["gemm_bound_passes_per_second"] for line in encoder)
        rate = statistics.median(line["gemm_gflops"] for line in encoder)
        reached = statistics.median(line["steps_per_second"] for line in encoder) / bound
        print()
        print(f"GEMM bound: {bound:.2f} passes/s ({encoder[0]['gemm_gflop_per_pass']:.1f} GFLOP/pass at {rate:.0f} "
              f"GFLOP/s, the pass's own products alone in the same processes); Kindling reaches {reached * 100:.0f}% "
              f"(target >= {GEMM_BOUND_TARGET * 100:.0f}%: {'yes' if reached >= GEMM_BOUND_TARGET else 'NO'}).")
        peaks = [line["multiply_add_peak_gflops"] for line in encoder if "multiply_add_peak_gflops" in line]
        if peaks:
            peak = statistics.median(peaks)
            ceiling = peak / encoder[0]["gemm_gflop_per_pass"]
            engines = {implementation: statistics.median(line["steps_per_second"] for line in lines
                                                         if line["workload"] == "encoder"
                                                         and line["implementation"] == implementation)
                       for implementation in sorted({line["implementation"] for line in lines
                                                     if line["workload"] == "encoder"})}
            shares = ", ".join(f"{REFERENCE_NAMES.get(name, name.capitalize())} {rate / ceiling * 100:.0f}%" for name, rate in engines.items())
            print(f"Multiply-add peak: {peak:.0f} GFLOP/s (every core, the widest FMA the CPU has), so no engine can "
                  f"pass {ceiling:.2f} passes/s; of that ceiling the GEMM bound is {bound / ceiling * 100:.0f}%, "
                  f"and the engines reach: {shares}.")
    comparison = [line for line in lines if line["workload"] == "comparison" and "training_seconds" in line]
    if comparison:
        per_step = statistics.median(line["training_seconds"] / line["steps"] for line in comparison) * 1e6
        print()
        print(f"comparison: Kindling trains its networks concurrently, one per core; the table gives the wall time. "
              f"Per step of one network (the runs' training times added up, over the steps): {per_step:.1f} us (median).")


if __name__ == "__main__":
    main()
