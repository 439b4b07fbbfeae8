"""Whole result tables of the one-way, two-way and threshold analyses (peer_econ.analysis.dsa),
every cell by hand, on a three-strategy linear model whose comparator has costs and QALYs of its
own (so increments must subtract it) and whose numbers are exact in binary floating point."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from peer_econ.analysis import dsa
from peer_econ.analysis.parallel import ExecutionOptions
from peer_econ.parameters.distributions import Fixed, Normal, Uniform
from peer_econ.parameters.table import ParameterSpec, ParameterTable

# Strategies "ref" (comparator), "a" and "b"; parameters p (cost driver), q (effect driver) and
# z (read by no strategy):
#   ref: cost  512 + 128 p   effect 1 + q / 8
#   a:   cost 1024 + 256 p   effect 1 + q / 4
#   b:   cost 2048           effect 1.5
# so against ref:  a: dC = 512 + 128 p, dE = q / 8;   b: dC = 1536 - 128 p, dE = 1/2 - q / 8,
# and at WTP = 8192 DKK/QALY:  INMB_a = 1024 q - 512 - 128 p,  INMB_b = 2560 - 1024 q + 128 p.
STRATS = ("ref", "a", "b")
WTP = 8192.0


def lin3(d: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    p, q = np.asarray(d["p"], dtype=float), np.asarray(d["q"], dtype=float)
    cost = np.column_stack([512 + 128 * p, 1024 + 256 * p, np.full(p.shape, 2048.0)])
    effect = np.column_stack([1 + q / 8, 1 + q / 4, np.full(p.shape, 1.5)])
    return cost, effect


def lin3_table() -> ParameterTable:
    """Base values (distribution means) p = 2, q = 1, z = 3."""
    return ParameterTable(
        (
            ParameterSpec("p", Normal(2.0, 0.5), 0.0, 4.0, "DKK"),
            ParameterSpec("q", Uniform(0.0, 2.0), 0.0, 2.0, "QALY"),
            ParameterSpec("z", Fixed(3.0), 0.0, 5.0, "days"),
        )
    )


def hand(p: float, q: float) -> dict[str, tuple[float, float]]:
    """(dC, dE) of a and b against ref, from the closed forms above."""
    return {"a": (512 + 128 * p, q / 8), "b": (1536 - 128 * p, 0.5 - q / 8)}


def test_owsa_whole_table_against_a_costly_comparator() -> None:
    """Every row of the one-way table: the base row, then low/high of p, q and z per strategy,
    increments net of the comparator's own cost and QALYs, ICER NaN where dE = 0 (a at q = 0)."""
    res = dsa.owsa(lin3, lin3_table(), STRATS, comparator="ref", wtp=WTP)
    points = [("", "", "base", np.nan, 2.0, 1.0)]
    for name, unit, low, high in (("p", "DKK", 0.0, 4.0), ("q", "QALY", 0.0, 2.0)):
        for bound, v in (("low", low), ("high", high)):
            p, q = (v, 1.0) if name == "p" else (2.0, v)
            points.append((name, unit, bound, v, p, q))
    points += [("z", "days", "low", 0.0, 2.0, 1.0), ("z", "days", "high", 5.0, 2.0, 1.0)]
    rows = []
    for s in ("a", "b"):
        for name, unit, bound, value, p, q in points:
            dc, de = hand(p, q)[s]
            rows.append(
                {"parameter": name, "unit": unit, "strategy": s, "comparator": "ref",
                 "wtp": WTP, "bound": bound, "value": value, "inc_cost": dc, "inc_qaly": de,
                 "icer": dc / de if de != 0 else np.nan, "inmb": WTP * de - dc}
            )  # fmt: skip
    pd.testing.assert_frame_equal(res.table, pd.DataFrame(rows), rtol=1e-12)
    assert np.isnan(res.table["icer"].iloc[3])  # a at q = 0: dE = 0, ICER NaN
    assert (res.wtp, res.comparator, res.notes) == (WTP, "ref", ())  # no baseline_utility here
    assert [(r.name, r.low, r.base, r.high, r.unit) for r in res.ranges] == [
        ("p", 0.0, 2.0, 4.0, "DKK"),
        ("q", 0.0, 1.0, 2.0, "QALY"),
        ("z", 0.0, 3.0, 5.0, "days"),
    ]
    # the tornado of b: INMB_b swings 1024 over p (1536 .. 2048) and 2048 over q (2816 .. 768)
    tor = res.tornado("b")
    assert tor["parameter"].tolist() == ["q", "p", "z"]
    assert tor["swing"].tolist() == [2048.0, 512.0, 0.0]
    assert tor["base_outcome"].tolist() == [1792.0] * 3


def test_twsa_whole_grid_and_optimal_strategy() -> None:
    """INMB grid and optimal strategy on p in {0, 4} x q in {0, 2} at WTP 8192 and 0.

    NMB = WTP x effect - cost: at 8192, ref 7680 + 1024 q - 128 p, a 7168 + 2048 q - 256 p,
    b 10240; at (p, q) = (4, 2) a and b tie at 10240 and the first (a) is reported. At WTP 0
    the cheapest (ref) is optimal everywhere."""
    res = dsa.twsa(
        lin3, lin3_table(), STRATS, comparator="ref", wtp=[WTP, 0.0],
        x="p", x_values=[0.0, 4.0], y="q", y_values=[0.0, 2.0],
    )  # fmt: skip
    cells = [(0.0, 0.0), (4.0, 0.0), (0.0, 2.0), (4.0, 2.0)]  # x varies fastest
    grid = [
        {"x_value": p, "y_value": q, "wtp": w, "strategy": s, "inc_cost": hand(p, q)[s][0],
         "inc_qaly": hand(p, q)[s][1], "inmb": w * hand(p, q)[s][1] - hand(p, q)[s][0]}
        for w in (WTP, 0.0) for s in ("a", "b") for p, q in cells
    ]  # fmt: skip
    pd.testing.assert_frame_equal(res.grid, pd.DataFrame(grid), rtol=1e-12)
    optimal = [
        (WTP, "b", 10240.0), (WTP, "b", 10240.0), (WTP, "a", 11264.0), (WTP, "a", 10240.0),
        (0.0, "ref", -512.0), (0.0, "ref", -1024.0), (0.0, "ref", -512.0), (0.0, "ref", -1024.0),
    ]  # fmt: skip
    expected = pd.DataFrame(
        [{"x_value": p, "y_value": q, "wtp": w, "optimal": s, "nmb": v}
         for (w, s, v), (p, q) in zip(optimal, cells * 2, strict=True)]
    )  # fmt: skip
    pd.testing.assert_frame_equal(res.optimal, expected, rtol=1e-12)
    assert (res.x, res.y, res.comparator, res.threshold_curve) == ("p", "q", "ref", None)


def test_thresholds_whole_table() -> None:
    """Roots of INMB by hand, at base p = 2, q = 1 (INMB_a = 256, INMB_b = 1792):
    a over q: 1024 q - 768 = 0 at q = 0.75, a scan point (step 1/16), positive above;
    a over p: 512 - 128 p = 0 at p = 4, the end of the range, positive below (16 at 3.875);
    b: 2816 - 1024 q >= 768 and 1536 + 128 p > 0 in range, z moves nothing: always."""
    res = dsa.thresholds(lin3, lin3_table(), STRATS, comparator="ref", wtp=WTP)
    found = {"status": "threshold found", "n_thresholds": 1}
    none = {"threshold": np.nan, "n_thresholds": 0, "all_thresholds": "",
            "cost_effective_when": "always", "status": dsa.NO_THRESHOLD}  # fmt: skip
    cells = [
        ("p", "DKK", "a", 0.0, 4.0, 2.0, 256.0, 512.0, 0.0,
         {**found, "threshold": 4.0, "all_thresholds": "4", "cost_effective_when": "below"}),
        ("p", "DKK", "b", 0.0, 4.0, 2.0, 1792.0, 1536.0, 2048.0, none),
        ("q", "QALY", "a", 0.0, 2.0, 1.0, 256.0, -768.0, 1280.0,
         {**found, "threshold": 0.75, "all_thresholds": "0.75", "cost_effective_when": "above"}),
        ("q", "QALY", "b", 0.0, 2.0, 1.0, 1792.0, 2816.0, 768.0, none),
        ("z", "days", "a", 0.0, 5.0, 3.0, 256.0, 256.0, 256.0, none),
        ("z", "days", "b", 0.0, 5.0, 3.0, 1792.0, 1792.0, 1792.0, none),
    ]  # fmt: skip
    rows = [
        {"parameter": n, "unit": u, "strategy": s, "comparator": "ref", "wtp": WTP, "low": lo,
         "high": hi, "base_value": b, "base_inmb": bi, "inmb_low": il, "inmb_high": ih,
         "threshold": extra["threshold"], "n_thresholds": extra["n_thresholds"],
         "all_thresholds": extra["all_thresholds"],
         "cost_effective_when": extra["cost_effective_when"], "status": extra["status"]}
        for n, u, s, lo, hi, b, bi, il, ih, extra in cells
    ]  # fmt: skip
    pd.testing.assert_frame_equal(res, pd.DataFrame(rows), rtol=1e-12)


def test_max_cost_thresholds_whole_table() -> None:
    """Means over two rows (p, q) = (0, 0) and (4, 2): ref cost 768; a: dC 768, dE 1/8;
    b: dC 1280, dE 3/8. At 8192 DKK/QALY: a may cost 1024 more than ref (max cost 1792,
    headroom 256); b may cost 3072 more (max cost 3840, headroom 1792)."""
    cost, effect = lin3({"p": np.array([0.0, 4.0]), "q": np.array([0.0, 2.0])})
    res = dsa.max_cost_thresholds(cost, effect, STRATS, comparator="ref", wtp=WTP)
    expected = pd.DataFrame(
        [
            {"strategy": "a", "comparator": "ref", "wtp": WTP, "inc_qaly": 0.125,
             "inc_cost": 768.0, "max_inc_cost": 1024.0, "cost": 1536.0, "max_cost": 1792.0,
             "headroom": 256.0},
            {"strategy": "b", "comparator": "ref", "wtp": WTP, "inc_qaly": 0.375,
             "inc_cost": 1280.0, "max_inc_cost": 3072.0, "cost": 2048.0, "max_cost": 3840.0,
             "headroom": 1792.0},
        ]
    )  # fmt: skip
    pd.testing.assert_frame_equal(res, expected, rtol=1e-12)


class Recording:
    """lin3 that records the number of rows of every call (serial evaluation only)."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, d: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        self.calls.append(int(np.shape(d["p"])[0]))
        return lin3(d)


def test_execution_options_and_progress_reach_every_evaluation() -> None:
    """With chunks of 2 rows, no model call sees more than 2 rows (also not the bisection of
    thresholds, nor the scans of the threshold curve), and the progress callback counts every
    row of the design: one-way 1 + 2 x 3, two-way 2 x 3, threshold scan 1 + 5 x 3."""
    opts = ExecutionOptions(chunk_size=2)
    table = lin3_table()
    runs = {
        "owsa": (lambda m, t: dsa.owsa(m, table, STRATS, comparator="ref", wtp=WTP,
                                       options=opts, on_chunk=t), 7),
        "twsa": (lambda m, t: dsa.twsa(m, table, STRATS, comparator="ref", wtp=WTP, x="p",
                                       x_values=[0.0, 1.0, 4.0], y="q", y_values=[0.0, 2.0],
                                       options=opts, on_chunk=t), 6),
        # at WTP 4096 four roots, bisected together: INMB_a = 512 q - 768 and
        # INMB_b = 768 - 512 q are 0 at q = 1.5; at q = 1, INMB_a = -128 p, INMB_b = 128 p
        "thresholds": (lambda m, t: dsa.thresholds(m, table, STRATS, comparator="ref",
                                                   wtp=4096.0, n_grid=5, options=opts,
                                                   on_chunk=t), 16),
    }  # fmt: skip
    results: dict[str, Any] = {}
    for name, (run, n_rows) in runs.items():
        model, ticks = Recording(), []  # type: ignore[var-annotated]
        results[name] = run(model, ticks.append)
        assert max(model.calls) <= 2, name
        assert sum(ticks) == n_rows and max(ticks) <= 2, name
    assert results["thresholds"]["threshold"].tolist()[:4] == [0.0, 0.0, 1.5, 1.5]
    # the curve's scans (1 + 3 rows each) go in chunks of 2 as well
    model = Recording()
    curve = dsa.threshold_curve(
        model, table, STRATS, comparator="ref", wtp=WTP, x="q", x_bounds=(0.0, 2.0), y="p",
        y_values=[2.0, 3.0, 4.0], n_grid=3, options=opts,
    )  # fmt: skip
    assert max(model.calls) <= 2
    # a: q* = (512 + 128 p) / 1024 = 0.75, 0.875, 1.0; b: q* = (2560 + 128 p) / 1024 > 2
    assert curve["x_threshold"].tolist()[::2] == pytest.approx([0.75, 0.875, 1.0], abs=1e-8)


def test_default_scan_points() -> None:
    """thresholds scans 33 points per range and threshold_curve 17 by default (their
    docstrings): a model without a sign change is evaluated once, on 1 + n_grid x ranges rows."""
    model = Recording()
    table = ParameterTable((ParameterSpec("p", Fixed(2.0), 0.0, 1.0, "DKK"),
                            ParameterSpec("q", Fixed(1.0), 0.0, 1.0, "QALY")))  # fmt: skip
    res = dsa.thresholds(model, table, STRATS, comparator="ref", wtp=0.0)
    assert model.calls == [1 + 33 * 2]
    assert set(res["cost_effective_when"]) == {"never"}  # INMB = -dC < 0 at WTP 0
    model = Recording()
    dsa.threshold_curve(
        model, table, STRATS, comparator="ref", wtp=0.0, x="q", x_bounds=(0.0, 1.0), y="p",
        y_values=[1.0],
    )  # fmt: skip
    assert model.calls == [1 + 17]
