"""Benchmark of the whole ``peer-econ run`` (PSA, every analysis, figures, report) by PSA size.

Run with ``.venv/bin/python benchmarks/bench_run.py [N ...]`` (default 10,000, 100,000 and
1,000,000 samples). Each size runs as a fresh ``peer-econ run`` process into a temporary folder;
the table gives its wall time, its peak resident memory (from the kernel's accounting of the
finished child, ``wait4``) and the stage timings recorded in ``manifest.json``.
Target (issue 14): 1,000,000 samples in at most 60 s and 4 GiB on two cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)


def bench_run(n_samples: int) -> dict[str, object]:
    """Run ``peer-econ run --n-samples n_samples``; return wall time, peak memory and stages."""
    exe = Path(sys.executable).with_name("peer-econ")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        cmd = [str(exe), "run", "--inputs", str(ROOT / "inputs"), "--n-samples", str(n_samples)]
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*cmd, "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"peer-econ run --n-samples {n_samples} failed:\n{err}")
        manifest = json.loads((out / "manifest.json").read_text())
    return {
        "n_samples": n_samples,
        "wall_s": elapsed,
        "peak_gib": usage.ru_maxrss / 1024**2,  # ru_maxrss is in KiB on Linux
        "psa_s": manifest["wall_time_s"],
        "stages": manifest.get("timings_s", {}),
    }


def main(sizes: tuple[int, ...]) -> None:
    print("peer-econ run: the whole run folder with report, a fresh process per size")
    print(f"{'n_samples':>10} {'wall s':>8} {'peak GiB':>9} {'PSA s':>7}  stages (s)")
    for n in sizes:
        r = bench_run(n)
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())  # type: ignore[attr-defined]
        print(
            f"{n:>10,} {r['wall_s']:>8.1f} {r['peak_gib']:>9.2f} {r['psa_s']:>7.1f}  {stages}",
            flush=True,
        )
    print("target: 1,000,000 samples <= 60 s wall and <= 4 GiB peak on 2 cores")


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or DEFAULT_SIZES)
