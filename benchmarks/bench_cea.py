"""Speed benchmark of the decision-analysis engine and ``peer-econ analyse`` (not run as a test).

Run: ``.venv/bin/python benchmarks/bench_cea.py``. Prints one table:

1. CEAC + CEAF + expected loss + EVPI (tidy frames through the public API, one shared exact pass),
   100,000 samples x 3 strategies x 101 WTP values (target <= 0.05 s);
2. the same at 10,001 WTP values (target <= 3x the 101-value time);
3. heormodel 0.7.4 ``ceac`` + ``evpi`` on the same data and grid, side by side (target: peer_econ
   at least 10x faster), if heormodel is installed (``pip install heormodel==0.7.4``);
4. ``peer-econ analyse`` on 100,000 x 3 CSV files with figures, as a fresh process (target
   <= 10 s).

Times are the best of several repeats after one warm-up call (the machine may be shared; the
minimum is the least disturbed by other processes). Exit status 1 if a target is missed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from peer_econ.analysis import cea_curves

N_SAMPLES = 100_000
NAMES = ["SAU", "PEER volunteer", "PEER paid"]


def _psa(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cost = rng.normal([0.0, 4_000.0, 9_000.0], [500.0, 1_500.0, 2_500.0], (N_SAMPLES, 3))
    effect = rng.normal([1.00, 1.02, 1.03], [0.02, 0.025, 0.03], (N_SAMPLES, 3))
    return cost, effect


def _best(func: Callable[[], Any], repeats: int) -> float:
    func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def _four_curves(cost: np.ndarray, effect: np.ndarray, wtp: np.ndarray) -> None:
    curves = cea_curves(cost, effect, NAMES, wtp)
    curves.ceac_frame()
    curves.ceaf_frame()
    curves.expected_loss_frame()
    curves.evpi_frame()


def main() -> int:
    cost, effect = _psa()
    wtp_101 = np.linspace(0.0, 1_000_000.0, 101)
    wtp_10001 = np.linspace(0.0, 1_000_000.0, 10_001)
    rows: list[tuple[str, str, str, str]] = []
    ok = True

    t101 = _best(lambda: _four_curves(cost, effect, wtp_101), 40)
    passed = t101 <= 0.05
    ok &= passed
    rows.append(
        (
            "CEAC+CEAF+loss+EVPI, 100k x 3 x 101 WTP",
            f"{t101 * 1e3:8.1f} ms",
            "<= 50 ms",
            "PASS" if passed else "FAIL",
        )
    )
    t10001 = _best(lambda: _four_curves(cost, effect, wtp_10001), 20)
    passed = t10001 <= 3 * t101
    ok &= passed
    rows.append(
        (
            "CEAC+CEAF+loss+EVPI, 100k x 3 x 10,001 WTP",
            f"{t10001 * 1e3:8.1f} ms",
            f"<= 3x ({t10001 / t101:.2f}x)",
            "PASS" if passed else "FAIL",
        )
    )

    try:
        from heormodel.cea import ceac as h_ceac
        from heormodel.models import Outcomes
        from heormodel.voi import evpi as h_evpi
    except ImportError:
        rows.append(
            ("heormodel 0.7.4 ceac + evpi, 101 WTP", "-", ">= 10x", "heormodel not installed")
        )
    else:
        outcomes = Outcomes.from_wide(
            pd.DataFrame(cost, columns=NAMES), pd.DataFrame(effect, columns=NAMES)
        )

        def heor() -> None:
            h_ceac(outcomes, wtp_101)
            h_evpi(outcomes, wtp_101)

        t_heor = _best(heor, 3)
        # side by side in the same run: time peer_econ again right after
        t_ours = _best(lambda: _four_curves(cost, effect, wtp_101), 40)
        speedup = t_heor / t_ours
        passed = speedup >= 10
        ok &= passed
        rows.append(
            (
                "heormodel 0.7.4 ceac + evpi, 100k x 3 x 101 WTP",
                f"{t_heor * 1e3:8.1f} ms",
                f">= 10x ({speedup:.0f}x; ours {t_ours * 1e3:.1f} ms)",
                "PASS" if passed else "FAIL",
            )
        )
        check = cea_curves(cost, effect, NAMES, wtp_101)
        diff_ceac = np.abs(check.probability_best - h_ceac(outcomes, wtp_101).to_numpy()).max()
        diff_evpi = np.abs(check.evpi - h_evpi(outcomes, wtp_101).to_numpy()).max()
        rows.append(
            (
                "  agreement with heormodel (max abs diff)",
                f"CEAC {diff_ceac:.1e}",
                f"EVPI {diff_evpi:.1e}",
                "",
            )
        )

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pd.DataFrame(cost, columns=NAMES).to_csv(folder / "cost.csv", index_label="iteration")
        pd.DataFrame(effect, columns=NAMES).to_csv(folder / "effect.csv", index=False)
        exe = Path(sys.executable).with_name("peer-econ")
        command = [str(exe)] if exe.exists() else [sys.executable, "-m", "peer_econ.cli"]
        times = []
        for run in range(2):
            start = time.perf_counter()
            done = subprocess.run(
                [
                    *command,
                    "analyse",
                    "--cost",
                    str(folder / "cost.csv"),
                    "--effect",
                    str(folder / "effect.csv"),
                    "--out",
                    str(folder / f"out{run}"),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                ok = False
        t_cli = min(times)
        passed = t_cli <= 10.0
        ok &= passed
        rows.append(
            (
                "peer-econ analyse 100k x 3 CSV + figures (process)",
                f"{t_cli:8.2f} s",
                "<= 10 s",
                "PASS" if passed else "FAIL",
            )
        )

    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'time':>12}  {'target':<22}  result")
    for name, value, target, result in rows:
        print(f"{name:<{width}}  {value:>12}  {target:<22}  {result}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
