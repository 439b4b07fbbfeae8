"""Tests of one-way, two-way and threshold analysis (peer_econ.analysis.dsa)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

from peer_econ.analysis import dsa
from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs
from peer_econ.model.adapter import PeerModel, model_table
from peer_econ.parameters.distributions import Fixed, Normal, Uniform
from peer_econ.parameters.table import ParameterSpec, ParameterTable
from peer_econ.runs import peer_sweeps

# --- a linear toy model whose answers are known exactly --------------------------------------
# Strategies: "ref" (cost 0, effect 0) and "new" with
#   cost   = C0 + A * x1           [DKK]
#   effect = E0 + B * x2           [QALY]
# so INMB(wtp) = wtp * (E0 + B x2) - (C0 + A x1).
C0, A, E0, B = 1000.0, 2000.0, 0.01, 0.02
WTP = 100_000.0
STRATS = ("ref", "new")


def toy_model(d: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    x1, x2 = np.asarray(d["x1"]), np.asarray(d["x2"])
    n = x1.shape[0]
    cost = np.column_stack([np.zeros(n), C0 + A * x1])
    effect = np.column_stack([np.zeros(n), E0 + B * x2])
    return cost, effect


def toy_table() -> ParameterTable:
    return ParameterTable(
        (
            ParameterSpec("x1", Normal(1.0, 0.1), 0.5, 1.5, "unit"),
            ParameterSpec("x2", Uniform(0.0, 2.0), 0.0, 2.0, "unit"),
            ParameterSpec("x3", Fixed(3.0), 0.0, 5.0, "unit"),  # not read by the model
            ParameterSpec("x4", Fixed(1.0), 1.0, 1.0, "unit"),  # no range
        )
    )


def inmb(x1: float, x2: float, wtp: float = WTP) -> float:
    return wtp * (E0 + B * x2) - (C0 + A * x1)


@pytest.fixture(scope="module")
def peer():  # type: ignore[no-untyped-def]
    return load_inputs("inputs")


def test_owsa_toy_exact() -> None:
    """x1: INMB(0.5) - INMB(1.5) = A = 2000; x2: swing = WTP * B * 2 = 4000; x3: 0."""
    res = dsa.owsa(toy_model, toy_table(), STRATS, comparator="ref", wtp=WTP)
    assert [r.name for r in res.ranges] == ["x1", "x2", "x3"]  # x4 has no range
    tor = res.tornado("new").set_index("parameter")
    assert tor.index.tolist() == ["x2", "x1", "x3"]  # ordered by swing
    assert tor.loc["x1", "swing"] == pytest.approx(A * 1.0)
    assert tor.loc["x2", "swing"] == pytest.approx(WTP * B * 2.0)
    assert tor.loc["x3", "swing"] == 0.0
    assert tor.loc["x1", "outcome_low"] == pytest.approx(inmb(0.5, 1.0))
    assert tor.loc["x1", "base_outcome"] == pytest.approx(inmb(1.0, 1.0))
    base = res.table[res.table["bound"] == "base"].iloc[0]
    assert base["icer"] == pytest.approx((C0 + A) / (E0 + B))


@pytest.mark.parametrize(
    ("outcome", "values"),
    [
        # parameter -> (outcome at low, outcome at high); base: x1 = 1, x2 = 1
        ("inc_cost", {"x1": (C0 + A * 0.5, C0 + A * 1.5), "x2": (C0 + A, C0 + A)}),
        ("inc_qaly", {"x2": (E0, E0 + B * 2.0), "x1": (E0 + B, E0 + B)}),
    ],
)
def test_tornado_of_each_outcome_whole_table(
    outcome: str, values: dict[str, tuple[float, float]]
) -> None:
    """The tornado of incremental cost or QALYs, every column of every row by hand: ordered by
    swing (ties in range order), a fresh 0..n-1 index, the unit and range of each parameter."""
    res = dsa.owsa(toy_model, toy_table(), STRATS, comparator="ref", wtp=WTP)
    base = {"inc_cost": C0 + A, "inc_qaly": E0 + B}[outcome]
    ranges = {"x1": (0.5, 1.5, 1.0), "x2": (0.0, 2.0, 1.0), "x3": (0.0, 5.0, 3.0)}
    rows = []
    for name in (*values, "x3"):
        low, high, mid = ranges[name]
        o_lo, o_hi = values.get(name, (base, base))
        rows.append(
            {"parameter": name, "unit": "unit", "strategy": "new", "outcome": outcome,
             "low": low, "high": high, "base_value": mid, "outcome_low": o_lo,
             "outcome_high": o_hi, "base_outcome": base, "swing": abs(o_hi - o_lo)}
        )  # fmt: skip
    expected = pd.DataFrame(rows)
    pd.testing.assert_frame_equal(res.tornado("new", outcome=outcome), expected, rtol=1e-12)
    # the default strategy is the first one besides the comparator
    pd.testing.assert_frame_equal(res.tornado(outcome=outcome), expected, rtol=1e-12)
    with pytest.raises(InputError, match=r"outcome 'qaly'; choose one of \['inmb', 'inc_cost'"):
        res.tornado("new", outcome="qaly")
    with pytest.raises(InputError, match=r"strategy 'old' is not in the one-way results"):
        res.tornado("old")


def test_owsa_interval_uses_percentiles() -> None:
    ranges = dsa.sweep_ranges(toy_table(), interval=(0.025, 0.975))
    r1 = {r.name: r for r in ranges}["x1"]
    assert r1.source == "interval"
    assert r1.low == pytest.approx(1.0 - 1.959964 * 0.1, rel=1e-6)
    assert {r.name: r for r in ranges}["x3"].source == "range"  # fixed: keeps its range


def test_sweep_ranges_errors() -> None:
    with pytest.raises(InputError, match="unknown parameter"):
        dsa.sweep_ranges(toy_table(), parameters=["nope"])
    with pytest.raises(InputError, match="x4.*nothing to vary"):
        dsa.sweep_ranges(toy_table(), parameters=["x4"])
    with pytest.raises(InputError, match="interval"):
        dsa.sweep_ranges(toy_table(), interval=(0.9, 0.1))
    with pytest.raises(InputError, match="comparator 'zzz'"):
        dsa.owsa(toy_model, toy_table(), STRATS, comparator="zzz", wtp=WTP)
    with pytest.raises(InputError, match="wtp"):
        dsa.owsa(toy_model, toy_table(), STRATS, comparator="ref", wtp=-1.0)


def test_thresholds_toy_exact() -> None:
    """x1* = (WTP (E0 + B) - C0) / A = (3000 - 1000) / 2000 = 1.0 ... shift wtp to move it."""
    wtp = 90_000.0
    res = dsa.thresholds(toy_model, toy_table(), STRATS, comparator="ref", wtp=wtp).set_index(
        "parameter"
    )
    x1_star = (wtp * (E0 + B * 1.0) - C0) / A  # 0.85
    x2_star = ((C0 + A * 1.0) / wtp - E0) / B  # 1.1667
    assert res.loc["x1", "threshold"] == pytest.approx(x1_star, abs=1e-8)
    assert res.loc["x1", "cost_effective_when"] == "below"
    assert res.loc["x2", "threshold"] == pytest.approx(x2_star, abs=1e-8)
    assert res.loc["x2", "cost_effective_when"] == "above"
    assert res.loc["x3", "status"] == dsa.NO_THRESHOLD
    assert np.isnan(res["threshold"]["x3"])


def test_bisect_rows_many_problems() -> None:
    targets = np.array([0.1, 0.5, 2.0, -3.0])

    def f(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return x**3 - targets[idx] ** 3

    roots = dsa.bisect_rows(f, np.full(4, -5.0), np.full(4, 5.0), xtol=1e-12)
    np.testing.assert_allclose(roots, targets, atol=1e-10)


def test_twsa_toy_optimal() -> None:
    res = dsa.twsa(
        toy_model,
        toy_table(),
        STRATS,
        comparator="ref",
        wtp=[WTP, 0.0],
        x="x1",
        x_values=[0.5, 1.5],
        y="x2",
        y_values=[0.0, 2.0],
    )
    g = res.grid[res.grid["wtp"] == WTP]
    for row in g.to_dict("records"):
        assert row["inmb"] == pytest.approx(inmb(row["x_value"], row["y_value"]))
    opt = res.optimal[res.optimal["wtp"] == WTP].set_index(["x_value", "y_value"])["optimal"]
    assert opt[(0.5, 2.0)] == "new"  # 5000 - 2000 > 0
    assert opt[(1.5, 0.0)] == "ref"
    assert set(res.optimal[res.optimal["wtp"] == 0.0]["optimal"]) == {"ref"}


def test_wtp_thresholds_herc() -> None:
    """HERC example (REFERENCE-CASES.md): frontier UC -> B -> D -> E at 5000/12500/20000."""
    names = ("UC", "A", "B", "C", "D", "E")
    cost = np.array([5000, 12000, 10000, 25000, 35000, 55000], dtype=float)
    effect = np.array([1.0, 1.5, 2.0, 3.0, 4.0, 5.0])
    res = dsa.wtp_thresholds(cost, effect, names, comparator="UC").set_index("strategy")
    assert not res.loc["A", "ever_optimal"] and not res.loc["C", "ever_optimal"]
    assert res.loc["UC", "wtp_optimal_to"] == pytest.approx(5000)
    assert res.loc["B", "wtp_optimal_from"] == pytest.approx(5000)
    assert res.loc["D", "wtp_optimal_from"] == pytest.approx(12500)
    assert res.loc["E", "wtp_optimal_from"] == pytest.approx(20000)
    assert np.isinf(res["wtp_optimal_to"]["E"])
    assert res.loc["B", "icer_vs_comparator"] == pytest.approx(5000)


def test_max_cost_breaks_even() -> None:
    c, e = toy_model({"x1": np.array([1.0]), "x2": np.array([1.0])})
    res = dsa.max_cost_thresholds(c, e, STRATS, comparator="ref", wtp=WTP).iloc[0]
    assert res["max_inc_cost"] == pytest.approx(WTP * (E0 + B))
    assert res["headroom"] == pytest.approx(inmb(1.0, 1.0))


# --- PEER ---------------------------------------------------------------------------------------


def test_peer_owsa_excludes_baseline(peer) -> None:  # type: ignore[no-untyped-def]
    """Speed (<= 1 s for the full OWSA) is measured in benchmarks/bench_sensitivity.py."""
    table = model_table(peer)
    model = PeerModel(peer)
    res = dsa.owsa(model, table, peer.strategy_names, comparator="sau", wtp=200_000.0)
    names = [r.name for r in res.ranges]
    assert "baseline_utility" not in names and "mansa_d" in names
    assert any("baseline_utility" in n for n in res.notes)
    assert "population" not in {table[n].module for n in names}
    # base row equals the deterministic model
    c, e = model(table.deterministic())
    base = res.table[(res.table["bound"] == "base") & (res.table["strategy"] == "peer_paid")]
    assert float(base["inc_cost"].iloc[0]) == pytest.approx(c[0, 2] - c[0, 0])
    # baseline_utility changes no incremental result
    with_bu = dsa.owsa(
        model,
        table,
        peer.strategy_names,
        comparator="sau",
        wtp=200_000.0,
        ranges=dsa.sweep_ranges(table, parameters=["baseline_utility"]),
    )
    assert with_bu.tornado("peer_volunteer")["swing"].iloc[0] == pytest.approx(0.0, abs=1e-6)


def test_peer_threshold_self_consistency(peer) -> None:  # type: ignore[no-untyped-def]
    """Re-running the model with a parameter at its threshold gives INMB ~ 0."""
    table = model_table(peer)
    model = PeerModel(peer)
    wtp = 200_000.0
    res = dsa.thresholds(model, table, peer.strategy_names, comparator="sau", wtp=wtp)
    found = res[res["status"] == "threshold found"]
    assert len(found) >= 4
    for row in found.to_dict("records"):
        draws = table.deterministic().with_values({row["parameter"]: row["threshold"]})
        c, e = model(draws)
        j = peer.strategy_names.index(row["strategy"])
        value = wtp * (e[0, j] - e[0, 0]) - (c[0, j] - c[0, 0])
        assert abs(value) < 1e-4, (row["parameter"], row["strategy"], value)
    assert (res["status"] == dsa.NO_THRESHOLD).any()


def test_peer_decision_thresholds(peer) -> None:  # type: ignore[no-untyped-def]
    out = peer_sweeps.peer_decision_thresholds(peer, wtp=200_000.0)
    dur = out["durability"].set_index("strategy")
    t_star = dur["threshold"]["peer_volunteer"]
    model = PeerModel(peer, peer.settings.replace(durability="linear"))
    table = model_table(peer)
    c, e = model(table.deterministic().with_values({"decay_months": t_star}))
    assert 200_000.0 * (e[0, 1] - e[0, 0]) - (c[0, 1] - c[0, 0]) == pytest.approx(0, abs=1e-4)
    mc = out["max_cost"].set_index("strategy")
    assert mc.loc["peer_volunteer", "headroom"] == pytest.approx(
        mc.loc["peer_volunteer", "max_inc_cost"] - mc.loc["peer_volunteer", "inc_cost"]
    )
    wt = out["wtp"].set_index("strategy")
    assert wt.loc["peer_volunteer", "wtp_optimal_from"] == pytest.approx(
        wt.loc["peer_volunteer", "icer_vs_comparator"]
    )


def test_utility_durability_grid_curve(peer) -> None:  # type: ignore[no-untyped-def]
    res = peer_sweeps.utility_durability_grid(
        peer, wtp=200_000.0, gains=[0.0, 0.02, 0.05], decays=[3.0, 12.0], curve_wtp=[200_000.0]
    )
    assert set(res.grid["strategy"]) == set(peer.strategy_names) - {"sau"}
    assert len(res.optimal) == 6
    # zero gain: INMB = - incremental cost < 0
    g0 = res.grid[res.grid["x_value"] == 0.0]
    assert (g0["inmb"] < 0).all()
    # curve point breaks even
    curve = res.threshold_curve
    assert curve is not None
    row = curve[(curve["strategy"] == "peer_volunteer") & (curve["y_value"] == 12.0)].iloc[0]
    cfg = peer.settings.replace(utility_route="direct", durability="linear")
    draws = (
        model_table(peer)
        .deterministic()
        .with_values({"direct_delta_u": row["x_threshold"], "decay_months": 12.0})
    )
    c, e = PeerModel(peer, cfg)(draws)
    assert 200_000.0 * (e[0, 1] - e[0, 0]) - (c[0, 1] - c[0, 0]) == pytest.approx(0, abs=1e-4)


# --- inputs and small helpers -------------------------------------------------------------------


def test_cost_effect_accepts_result_objects_and_checks_shapes() -> None:
    """A result with ``.cost`` and ``.qaly`` is read by attribute; anything else (here a named
    tuple whose second field is called ``effect``) is unpacked as ``(cost, effect)``; values
    come back as float64 whatever their dtype."""

    @dataclass(frozen=True)
    class Result:
        cost: list[list[int]]
        qaly: list[list[int]]

    class Pair(NamedTuple):
        cost: list[list[int]]
        effect: list[list[int]]

    for result in (Result([[1, 2]], [[0, 3]]), Pair([[1, 2]], [[0, 3]]), ([[1, 2]], [[0, 3]])):
        c, e = dsa.cost_effect(result)
        assert (c.dtype, e.dtype) == (np.float64, np.float64)
        assert (c.tolist(), e.tolist()) == ([[1.0, 2.0]], [[0.0, 3.0]])
    with pytest.raises(InputError, match=r"model returned cost \(1, 2\) and effect \(1, 3\)"):
        dsa.cost_effect(([[1.0, 2.0]], [[1.0, 2.0, 3.0]]))
    with pytest.raises(InputError, match=r"model returned cost \(2,\) and effect \(2,\)"):
        dsa.cost_effect(([1.0, 2.0], [1.0, 2.0]))


def test_icer_is_nan_where_effects_are_equal() -> None:
    out = dsa.icer([1000.0, 1000.0, -300.0], [0.0, 0.5, -0.25])
    assert out.dtype == np.float64
    assert np.isnan(out[0]) and out[1:].tolist() == [2000.0, 1200.0]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, np.True_, -1.0, "100"])
def test_wtp_must_be_a_finite_number_at_least_zero(bad: float) -> None:
    with pytest.raises(InputError, match=r"^--wtp .*: use a number >= 0 \(DKK per QALY\)$"):
        dsa.owsa(toy_model, toy_table(), STRATS, comparator="ref", wtp=bad)
    # in a list of WTP values each value is checked as given: True is not read as 1.0
    with pytest.raises(InputError, match=r"^--wtp .*: use a number >= 0"):
        dsa.twsa(toy_model, toy_table(), STRATS, comparator="ref", wtp=[WTP, bad], x="x1",
                 x_values=[1.0], y="x2", y_values=[1.0])  # fmt: skip


def test_wtp_list_reads_ints_and_numpy_numbers() -> None:
    assert dsa._wtp_list(np.array([0.0, 2.5])) == [0.0, 2.5]
    assert dsa._wtp_list(np.array([3, 4], dtype=np.int64)) == [3.0, 4.0]
    assert dsa._wtp_list(7) == [7.0]


def test_wtp_list_needs_a_value() -> None:
    with pytest.raises(InputError, match=r"^--wtp: give at least one value \(DKK per QALY\)$"):
        dsa.twsa(toy_model, toy_table(), STRATS, comparator="ref", wtp=[], x="x1",
                 x_values=[1.0], y="x2", y_values=[1.0])  # fmt: skip


@pytest.mark.parametrize("interval", [(0.0, 0.5), (0.5, 0.5), (0.1, 1.0), (0.1, 1.5)])
def test_sweep_interval_must_be_inside_zero_one(interval: tuple[float, float]) -> None:
    with pytest.raises(InputError, match=r"need two probabilities with 0 < low < high < 1"):
        dsa.sweep_ranges(toy_table(), interval=interval)


def test_sweep_ranges_skip_fixed_parameters_anywhere_in_the_table() -> None:
    """A parameter without a range in the middle of the table is skipped, the ones after it
    are kept; an unknown name is reported with the list of unknown names."""
    table = ParameterTable(
        (
            ParameterSpec("x1", Normal(1.0, 0.1), 0.5, 1.5, "DKK"),
            ParameterSpec("x4", Fixed(1.0), 1.0, 1.0, "days"),
            ParameterSpec("x2", Uniform(0.0, 2.0), 0.0, 2.0, "QALY"),
        )
    )
    ranges = dsa.sweep_ranges(table)
    assert [(r.name, r.low, r.base, r.high, r.unit, r.source) for r in ranges] == [
        ("x1", 0.5, 1.0, 1.5, "DKK", "range"),
        ("x2", 0.0, 1.0, 2.0, "QALY", "range"),
    ]
    with pytest.raises(InputError, match=r"^unknown parameter\(s\) \['nope', 'zz'\]; see"):
        dsa.sweep_ranges(table, parameters=["x1", "nope", "zz"])


def test_owsa_note_on_baseline_utility_only_when_it_is_left_out() -> None:
    table = ParameterTable(
        (*toy_table().specs, ParameterSpec("baseline_utility", Uniform(0.6, 0.8), 0.6, 0.8, ""))
    )
    left_out = dsa.owsa(toy_model, table, STRATS, comparator="ref", wtp=WTP)
    assert "baseline_utility" not in [r.name for r in left_out.ranges]
    assert left_out.notes == (dsa.EXCLUDE_NOTE,)
    ranges = dsa.sweep_ranges(table, parameters=["x1", "baseline_utility"])
    kept = dsa.owsa(toy_model, table, STRATS, comparator="ref", wtp=WTP, ranges=ranges)
    assert kept.notes == ()


def test_tornado_ties_keep_the_order_of_the_ranges() -> None:
    """Swings of incremental cost 0, 0, 1, 1 (cost = x1 + x2; x3 and x5 are read by nothing):
    the larger swings first, each tie in the order the ranges were given."""

    def model(d: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        x1, x2 = np.asarray(d["x1"]), np.asarray(d["x2"])
        return np.column_stack([np.zeros(x1.shape), x1 + x2]), np.zeros((x1.shape[0], 2))

    ranges = [
        dsa.SweepRange("x3", 0.0, 3.0, 5.0),
        dsa.SweepRange("x5", 0.0, 1.0, 2.0),
        dsa.SweepRange("x1", 0.0, 1.0, 1.0),
        dsa.SweepRange("x2", 2.0, 2.5, 3.0),
    ]
    table = ParameterTable((*toy_table().specs, ParameterSpec("x5", Fixed(1.0), 0.0, 2.0, "")))
    res = dsa.owsa(model, table, STRATS, comparator="ref", wtp=WTP, ranges=ranges)
    tor = res.tornado(outcome="inc_cost")
    assert tor["parameter"].tolist() == ["x1", "x2", "x3", "x5"]
    assert tor["swing"].tolist() == [1.0, 1.0, 0.0, 0.0]


class Refusing:
    """The toy model, refusing negative values of any parameter (``value_problem``)."""

    def __call__(self, d: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return toy_model(d)

    def value_problem(self, name: str, value: float) -> str | None:
        return f"{name} = {value} is below 0" if value < 0 else None


def test_twsa_grids_are_checked() -> None:
    """Grid values the model declares impossible are refused, naming the parameter and the
    first bad value; empty or non-finite grids are refused; one value is a grid."""

    def run(xs: list[float], ys: list[float], x: str = "x1", y: str = "x2") -> dsa.TwsaResult:
        return dsa.twsa(Refusing(), toy_table(), STRATS, comparator="ref", wtp=WTP, x=x,
                        x_values=xs, y=y, y_values=ys)  # fmt: skip

    with pytest.raises(InputError, match=r"^grid of 'x1': x1 = -1.0 is below 0$"):
        run([0.5, -1.0, -2.0], [1.0])
    with pytest.raises(InputError, match=r"^grid of 'x2': x2 = -2.0 is below 0$"):
        run([0.5], [-2.0, -1.0])
    for xs, ys, name in (([], [1.0], "x1"), ([1.0], [np.nan], "x2")):
        with pytest.raises(InputError, match=rf"^grid of '{name}': give at least one finite"):
            run(xs, ys)
    with pytest.raises(InputError, match=r"^unknown parameter 'nope'; see the names in inputs"):
        run([1.0], [1.0], y="nope")
    with pytest.raises(InputError, match=r"^two-way grid: x and y are both 'x1'; choose two"):
        run([1.0], [1.0], y="x1")
    res = run([1.5], [0.0])
    assert res.grid["inmb"].tolist() == [pytest.approx(inmb(1.5, 0.0))]
    assert dsa.grid_values("x1", [1, 2]).dtype == np.float64
