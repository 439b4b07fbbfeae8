"""Hypothesis properties of peer_econ.analysis.cea (invariants that hold for every PSA)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from peer_econ.analysis import cea_curves, icer_table

WTP = np.array([0.0, 50.0, 100.0, 250.0, 1000.0, 5000.0])


@st.composite
def psas(draw: st.DrawFn, *, integers: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Small PSAs; integer-valued data makes exact ties (and exact arithmetic) common."""
    n = draw(st.integers(1, 12))
    k = draw(st.integers(1, 5))
    if integers:
        cost = draw(arrays(np.int64, (n, k), elements=st.integers(0, 20))).astype(float) * 50.0
        effect = draw(arrays(np.int64, (n, k), elements=st.integers(-3, 3))).astype(float)
    else:
        values = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, width=64)
        cost = draw(arrays(np.float64, (n, k), elements=values))
        effect = draw(arrays(np.float64, (n, k), elements=values)) / 1000.0
    names = draw(
        st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=k, max_size=k, unique=True)
    )
    return cost, effect, names


@settings(max_examples=150, deadline=None)
@given(psas())
def test_ceac_rows_sum_to_one_and_evpi_is_min_loss(data: tuple) -> None:
    cost, effect, names = data
    curves = cea_curves(cost, effect, names, WTP)
    np.testing.assert_allclose(curves.probability_best.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (curves.evpi >= 0).all()
    assert (curves.loss >= 0).all()
    np.testing.assert_array_equal(curves.evpi, curves.loss[np.arange(WTP.size), curves.optimal])
    np.testing.assert_allclose(curves.evpi, curves.loss.min(axis=1), rtol=0, atol=1e-9)
    # EVPI = E[max NMB] - max E[NMB], by brute force
    nmb = WTP[:, None, None] * effect[None] - cost[None]
    direct = nmb.max(axis=2).mean(axis=1) - nmb.mean(axis=1).max(axis=1)
    np.testing.assert_allclose(curves.evpi, direct, rtol=1e-9, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(psas(integers=False))
def test_evpi_matches_brute_force_on_real_valued_data(data: tuple) -> None:
    cost, effect, names = data
    curves = cea_curves(cost, effect, names, WTP)
    nmb = WTP[:, None, None] * effect[None] - cost[None]
    direct = nmb.max(axis=2).mean(axis=1) - nmb.mean(axis=1).max(axis=1)
    np.testing.assert_allclose(curves.evpi, direct, rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(curves.probability_best.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(psas(), st.randoms(use_true_random=False))
def test_invariant_to_strategy_order(data: tuple, random: object) -> None:
    cost, effect, names = data
    k = len(names)
    perm = list(range(k))
    random.shuffle(perm)  # type: ignore[attr-defined]
    a = cea_curves(cost, effect, names, WTP)
    b = cea_curves(cost[:, perm], effect[:, perm], [names[j] for j in perm], WTP)
    np.testing.assert_array_equal(a.probability_best[:, perm], b.probability_best)
    np.testing.assert_array_equal(a.loss[:, perm], b.loss)
    np.testing.assert_array_equal(a.evpi, b.evpi)
    assert a.optimal_strategy == b.optimal_strategy
    pd.testing.assert_frame_equal(
        icer_table(cost, effect, names),
        icer_table(cost[:, perm], effect[:, perm], [names[j] for j in perm]),
    )


@settings(max_examples=150, deadline=None)
@given(psas(), st.integers(-10, 10).map(lambda x: x * 1000.0))
def test_invariant_to_a_common_cost_shift(data: tuple, shift: float) -> None:
    cost, effect, names = data
    a = cea_curves(cost, effect, names, WTP)
    b = cea_curves(cost + shift, effect, names, WTP)
    np.testing.assert_array_equal(a.probability_best, b.probability_best)
    np.testing.assert_allclose(a.evpi, b.evpi, atol=1e-9)
    np.testing.assert_allclose(a.loss, b.loss, atol=1e-9)
    ta = icer_table(cost, effect, names)
    tb = icer_table(cost + shift, effect, names)
    pd.testing.assert_frame_equal(ta.drop(columns="cost"), tb.drop(columns="cost"))


@settings(max_examples=150, deadline=None)
@given(psas())
def test_icer_table_unchanged_by_a_strictly_dominated_strategy(data: tuple) -> None:
    cost, effect, names = data
    extra_cost = np.full((cost.shape[0], 1), cost.max() + 100.0)
    extra_effect = np.full((cost.shape[0], 1), effect.min() - 1.0)
    base = icer_table(cost, effect, names)
    more = icer_table(
        np.hstack([cost, extra_cost]), np.hstack([effect, extra_effect]), [*names, "zzzz"]
    )
    assert more.set_index("strategy").loc["zzzz", "status"] == "D"
    kept = more[more["strategy"] != "zzzz"].reset_index(drop=True)
    # notes may only change from "" (nothing to compare with) to "dominant"
    pd.testing.assert_frame_equal(kept.drop(columns="note"), base.drop(columns="note"))
    changed = kept["note"] != base["note"]
    assert (base["note"][changed] == "").all()
    assert (kept["note"][changed] == "dominant").all()


@settings(max_examples=100, deadline=None)
@given(psas())
def test_icer_table_frontier_is_convex_and_increasing(data: tuple) -> None:
    cost, effect, names = data
    table = icer_table(cost, effect, names)
    front = table[(table["status"] == "ND") & ~table["note"].str.startswith("identical")]
    assert (np.diff(front["cost"]) > 0).all()
    assert (np.diff(front["effect"]) > 0).all()
    icers = front["icer"].to_numpy()[1:]
    assert (np.diff(icers) >= -1e-9 * np.abs(icers[1:])).all()
    assert set(table["status"]) <= {"ND", "D", "ED"}
    assert sorted(table["strategy"]) == sorted(names)
