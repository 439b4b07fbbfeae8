"""Speed benchmark of the value-of-information engine (not run as a test).

Run: ``.venv/bin/python benchmarks/bench_voi.py``. Prints one table:

1. single-parameter EVPPI, 10,000 samples x 3 strategies, 15 WTP values (target <= 0.02 s),
   with and without the standard error, and side by side with heormodel 0.7.4's spline EVPPI at
   one WTP (target: at least 2x faster), if heormodel is installed;
2. EVPPI of 30 parameters at 100 WTP values, 10,000 samples (target <= 2 s);
3. a 3-parameter group, 10,000 samples (target <= 0.5 s);
4. EVSI of a two-arm utility trial at 8 sample sizes (informative only).

BLAS threads: by default the benchmark runs single-threaded BLAS (``OPENBLAS_NUM_THREADS=1`` etc.,
set before numpy is imported). The VOI fits work on tall, thin matrices (10,000 x 6 to 10,000 x 81)
where threads gain little, and on a busy shared machine multi-threaded OpenBLAS was 5-20x slower
(its threads spin while other processes hold the cores). ``--blas-threads N`` keeps N threads.
Times are the best of several repeats after one warm-up call (the machine may be shared;
the minimum is the least disturbed by other processes).
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    _threads = "1"
    if "--blas-threads" in sys.argv:
        _threads = sys.argv[sys.argv.index("--blas-threads") + 1]
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from peer_econ.analysis.evsi import TwoArmUtilityTrial, evsi_by_sample_size
from peer_econ.analysis.voi import evppi, evppi_curves, evppi_nested

N_SAMPLES = 10_000
N_PARAMS = 30


def _model(q: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Cost and effect (m, 3) of the benchmark model; only p00..p04 and e0..e2 matter."""
    d_u = 0.03 + 0.01 * q["p00"]
    dur = np.exp(0.3 * q["p01"])
    c1 = 5000 + 800 * q["p02"] + 200 * q["p03"] ** 2
    c2 = 7000 + 1200 * q["p04"]
    effect = np.column_stack(
        [0.01 * q["e0"], d_u * dur + 0.01 * q["e1"], 1.2 * d_u * dur + 0.01 * q["e2"]]
    )
    cost = np.column_stack([100 * q["e0"], c1, c2])
    return cost, effect


def _psa(seed: int = 1) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """A nonlinear 3-strategy PSA driven by 30 parameters (5 matter, 25 are noise)."""
    rng = np.random.default_rng(seed)
    n = N_SAMPLES
    p = pd.DataFrame({f"p{j:02d}": rng.normal(size=n) for j in range(N_PARAMS)})
    noise = rng.normal(size=(n, 3))
    q = {
        **{c: p[c].to_numpy() for c in p.columns},
        "e0": noise[:, 0],
        "e1": noise[:, 1],
        "e2": noise[:, 2],
    }
    cost, effect = _model(q)
    return cost, effect, p


def _nested_p00(wtp: float) -> tuple[float, float]:
    """Nested Monte Carlo EVPPI of p00 (1000 outer x 1000 inner) and its outer-loop SE."""

    def phi(n: int, g: np.random.Generator) -> dict[str, np.ndarray]:
        return {"p00": g.normal(size=n)}

    def psi(ph: dict[str, np.ndarray], g: np.random.Generator) -> dict[str, np.ndarray]:
        m = ph["p00"].size
        return {k: g.normal(size=m) for k in ("p01", "p02", "p03", "p04", "e0", "e1", "e2")}

    res = evppi_nested(_model, phi, psi, wtp, n_outer=1000, n_inner=1000, rng=5)
    assert res.se is not None
    return float(res.evppi[0]), float(res.se[0])


def _time(fn: Callable[[], object], repeats: int = 7) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    cost, effect, p = _psa()
    wtp15 = np.linspace(0, 700_000, 15)
    wtp100 = np.linspace(0, 1_000_000, 100)
    rows: list[tuple[str, float, str]] = []
    warnings.simplefilter("ignore")

    t_single = _time(lambda: evppi(cost, effect, p[["p00"]], wtp15))
    rows.append(("single parameter, 15 WTP, no SE", t_single, "<= 0.02 s"))
    t_single1 = _time(lambda: evppi(cost, effect, p[["p00"]], 200_000.0))
    rows.append(("single parameter, 1 WTP, no SE", t_single1, ""))
    t_reml = _time(lambda: evppi(cost, effect, p[["p00"]], wtp15, smoothing_criterion="reml"))
    rows.append(("single parameter, 15 WTP, REML", t_reml, ""))
    t_se = _time(lambda: evppi(cost, effect, p[["p00"]], wtp15, se=True, rng=0), repeats=3)
    rows.append(("single parameter, 15 WTP, SE (500 draws)", t_se, "opt-in"))

    try:
        from heormodel.models import Outcomes
        from heormodel.voi import evppi as h_evppi
    except ImportError:
        print("heormodel not installed: side-by-side comparison skipped")
    else:
        names = ["s0", "s1", "s2"]
        draws = p.copy()
        draws.index = pd.RangeIndex(N_SAMPLES, name="iteration")
        out = Outcomes.from_wide(
            pd.DataFrame(cost, columns=names), pd.DataFrame(effect, columns=names)
        )
        t_h = _time(lambda: h_evppi(out, draws, "p00", 200_000.0), repeats=5)
        rows.append(("heormodel 0.7.4 spline, 1 WTP", t_h, ""))
        rows.append(
            ("  speed-up of peer_econ (15 WTP) vs heormodel (1 WTP)", t_h / t_single, ">= 2x")
        )
        ours = evppi(cost, effect, p[["p00"]], 200_000.0).evppi[0]
        theirs = h_evppi(out, draws, "p00", 200_000.0)
        print(f"EVPPI(p00) at 200,000: peer_econ {ours:.2f}, heormodel {theirs:.2f}")
    nest, nest_se = _nested_p00(200_000.0)
    se_reg = evppi(cost, effect, p[["p00"]], 200_000.0, se=True, rng=0)
    assert se_reg.se is not None
    print(
        f"EVPPI(p00) at 200,000: peer_econ spline {se_reg.evppi[0]:.2f} "
        f"(regression SE {se_reg.se[0]:.2f}); nested Monte Carlo oracle {nest:.2f} "
        f"(SE {nest_se:.2f}, upward bias O(1/n_inner))"
    )

    t_all = _time(lambda: evppi_curves(cost, effect, p, wtp100), repeats=3)
    rows.append((f"all {N_PARAMS} parameters, 100 WTP", t_all, "<= 2 s"))

    t_grp = _time(lambda: evppi(cost, effect, p[["p00", "p01", "p02"]], wtp15), repeats=3)
    rows.append(("3-parameter group (tensor spline), 15 WTP", t_grp, "<= 0.5 s"))
    t_gp = _time(
        lambda: evppi(cost, effect, p[["p00", "p01", "p02"]], wtp15, method="gp", rng=0), repeats=1
    )
    rows.append(("3-parameter group (GP, 500-row subsample)", t_gp, ""))

    rng = np.random.default_rng(3)
    d_u = 0.03 + 0.01 * p["p00"].to_numpy()
    draws_s = {
        "delta_u_post": d_u,
        "remaining_fraction_12m": np.clip(
            1 - 12 / (12 * np.exp(0.3 * p["p01"].to_numpy()) * 2), 0, 1
        ),
    }
    design = TwoArmUtilityTrial(n_per_arm=50)
    t_evsi = _time(
        lambda: evsi_by_sample_size(
            cost, effect, draws_s, design, [10, 25, 50, 100, 200, 400, 800, 1600], wtp15, rng=rng
        ),
        repeats=1,
    )
    rows.append(("EVSI, 8 sample sizes x 15 WTP", t_evsi, ""))

    print(f"BLAS threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark'.ljust(width)}  {'value':>10}  target")
    for name, value, target in rows:
        unit = "x" if "speed-up" in name else "s"
        print(f"{name.ljust(width)}  {value:>9.4f}{unit}  {target}")


if __name__ == "__main__":
    main()
