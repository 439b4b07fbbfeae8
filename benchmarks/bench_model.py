"""Benchmark of the PEER model: sampling + evaluation at up to a million samples, and `run`.

Run with ``.venv/bin/python benchmarks/bench_model.py``. Prints a table of wall time and peak
memory. Each size runs in a fresh subprocess so peak memory and first-touch costs are honest.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
from peer_econ.inputs.load import load_inputs
from peer_econ.model import evaluate
n = int(sys.argv[1])
inputs = load_inputs(sys.argv[2])
t0 = time.perf_counter()
draws = inputs.parameters.sample(n, 1)
t1 = time.perf_counter()
out = evaluate(draws, inputs)
t2 = time.perf_counter()
warm0 = time.perf_counter()
draws = inputs.parameters.sample(n, 2)
out = evaluate(draws, inputs)
warm = time.perf_counter() - warm0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"sample": t1 - t0, "model": t2 - t1, "warm": warm, "peak_mib": peak}))
"""


def bench_psa(n: int) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(ROOT / "inputs")],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def bench_run_command() -> float:
    """Wall time of `peer-econ run` on the default inputs (what `make run` runs after install)."""
    exe = Path(sys.executable).with_name("peer-econ")
    out = ROOT / "reports" / ".bench-run"
    start = time.perf_counter()
    subprocess.run([str(exe), "run", "--out", str(out)], cwd=ROOT, capture_output=True, check=True)
    elapsed = time.perf_counter() - start
    subprocess.run(["rm", "-rf", str(out)], check=True)
    return elapsed


def main() -> None:
    print("PEER model: sampling + evaluation of all 5 strategies (fresh process per size)")
    print(
        f"{'n_samples':>10} {'sample s':>9} {'model s':>8} {'total s':>8} {'warm s':>7} "
        f"{'peak MiB':>9}"
    )
    for n in (10_000, 100_000, 1_000_000):
        r = bench_psa(n)
        total = r["sample"] + r["model"]
        print(
            f"{n:>10,} {r['sample']:>9.3f} {r['model']:>8.3f} {total:>8.3f} {r['warm']:>7.3f} "
            f"{r['peak_mib']:>9.0f}"
        )
    print(
        "target: 1,000,000 samples <= 2 s wall and <= 2 GiB peak (total = first run in process;"
        " warm = a second run)"
    )
    print(f"\n`peer-econ run` on default inputs: {bench_run_command():.2f} s (target <= 30 s)")


if __name__ == "__main__":
    main()
