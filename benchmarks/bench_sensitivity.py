"""Speed of the sensitivity sweeps on the PEER model (not run as a test).

Run: ``.venv/bin/python benchmarks/bench_sensitivity.py [--n-base 16384] [--repeats 3]``

Targets (issue 6): full OWSA on every PEER parameter <= 1 s; Sobol with N = 2^14 base samples
over all uncertain PEER parameters (first + total order, default bootstrap) <= 20 s end to end,
excluding the convergence check. Prints the Sobol split (design, ppf mapping, model, SALib
analysis) and compares the indexed design with SALib's sampler + column-wise ppf.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from peer_econ.analysis import dsa, gsa  # noqa: E402
from peer_econ.inputs.load import load_inputs  # noqa: E402
from peer_econ.model.adapter import PeerModel, model_table


def best_of(repeats: int, func):  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-base", type=int, default=2**14)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--salib-n", type=int, default=2**11, help="N for SALib's own sampler")
    args = parser.parse_args()

    inputs = load_inputs("inputs")
    table = model_table(inputs)
    model = PeerModel(inputs)
    names = inputs.strategy_names
    rows: list[tuple[str, str, str]] = []

    ranges = dsa.sweep_ranges(table)
    t_owsa, _ = best_of(
        args.repeats,
        lambda: dsa.owsa(model, table, names, comparator="sau", wtp=200_000.0, ranges=ranges),
    )
    rows.append((f"OWSA, {len(ranges)} parameters x 2 ends", f"{t_owsa:.4f} s", "<= 1 s"))
    t_thr, _ = best_of(
        args.repeats,
        lambda: dsa.thresholds(model, table, names, comparator="sau", wtp=200_000.0),
    )
    rows.append(("Thresholds, all parameters x 4 strategies", f"{t_thr:.4f} s", "-"))

    outputs = gsa.DecisionOutputs(model, names, "sau", 200_000.0, ("peer_volunteer",))
    d = len(gsa.gsa_names(table))
    t_sobol, res = best_of(1, lambda: gsa.sobol_indices(outputs, table, args.n_base, rng=1))
    assert res is not None
    rows.append(
        (
            f"Sobol N={args.n_base}, D={d}, {res.n_evaluations:,} runs, 2 outputs",
            f"{t_sobol:.2f} s",
            "<= 20 s",
        )
    )
    for stage in ("design", "mapping", "model", "analysis"):
        rows.append((f"  - {stage}", f"{res.timings[stage]:.3f} s", ""))

    all_out = gsa.DecisionOutputs(model, names, "sau", 200_000.0)
    t_all, res_all = best_of(1, lambda: gsa.sobol_indices(all_out, table, args.n_base, rng=1))
    assert res_all is not None
    rows.append(
        (f"Sobol N={args.n_base}, all 4 PEER strategies (8 outputs)", f"{t_all:.2f} s", "-")
    )
    rows.append(("  - analysis", f"{res_all.timings['analysis']:.3f} s", ""))

    n_s = args.salib_n
    t_idx, des_i = best_of(args.repeats, lambda: gsa.sobol_design(table, n_s, rng=2))
    t_sal, des_s = best_of(1, lambda: gsa.sobol_design(table, n_s, rng=2, method="salib"))
    assert des_i is not None and des_s is not None
    rows.append((f"Design N={n_s}: indexed (ppf on A, B only)", f"{t_idx:.3f} s", ""))
    rows.append((f"Design N={n_s}: SALib sampler + ppf per column", f"{t_sal:.3f} s", ""))
    rows.append(
        (
            "  - split indexed / SALib",
            f"{des_i.timings['design']:.3f}+{des_i.timings['mapping']:.3f} / "
            f"{des_s.timings['design']:.3f}+{des_s.timings['mapping']:.3f} s",
            "",
        )
    )

    t_morris, _ = best_of(1, lambda: gsa.morris_indices(outputs, table, 200, rng=1))
    rows.append(("Morris, 200 trajectories", f"{t_morris:.2f} s", "-"))
    t_delta, _ = best_of(1, lambda: gsa.delta_indices(outputs, table, 1024, rng=1))
    rows.append(("Delta, 1024 samples, 10 resamples (screened)", f"{t_delta:.2f} s", "-"))

    width = max(len(r[0]) for r in rows) + 2
    print(f"{'benchmark':<{width}}{'time':>22}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}{value:>22}  {target}")


if __name__ == "__main__":
    main()
