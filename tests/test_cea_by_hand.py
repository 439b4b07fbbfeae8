"""Whole tables of peer_econ.analysis.cea checked against numbers written out by hand.

Written for the survivors of mutation testing (``make mutate MODULES="analysis.cea"``): every
column of the summary tables, the inputs each function refuses (with their messages), and the
two places where the exact CEAC re-evaluates a grid point that sits on a breakpoint.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.typing import ArrayLike

from peer_econ.analysis import (
    PSA,
    cea_curves,
    discounted_population,
    icer_table,
    incremental_nmb,
    nhb,
    nmb,
    population_evpi,
    psa_summary,
    validate_wtp,
)
from peer_econ.errors import InputError


def quartiles(values: list[float]) -> tuple[float, float]:
    """25th and 75th percentiles of four values by the linear rule written out: the p-th
    percentile of sorted ``x0..x3`` sits at position ``3p``."""
    x = sorted(values)
    assert len(x) == 4
    return x[0] + 0.75 * (x[1] - x[0]), x[2] + 0.25 * (x[3] - x[2])


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


# --------------------------------------------------------------------------------------------
# psa_summary: four samples, three strategies, increments against the middle one
# --------------------------------------------------------------------------------------------

NAMES = ["low", "mid", "high"]
COST = {
    "low": [100.0, 120.0, 90.0, 110.0],
    "mid": [200.0, 200.0, 210.0, 190.0],
    "high": [300.0, 200.5, 210.0, 150.0],
}
EFFECT = {
    "low": [1.0, 1.1, 0.9, 1.0],
    "mid": [2.0, 2.2, 1.8, 2.0],
    "high": [3.0, 2.1, 2.0, 2.3],
}


def as_matrix(table: dict[str, list[float]]) -> np.ndarray:
    return np.column_stack([table[name] for name in NAMES])


def test_psa_summary_whole_table_against_a_comparator_that_is_not_the_cheapest() -> None:
    frame = psa_summary(as_matrix(COST), as_matrix(EFFECT), NAMES, comparator="mid", level=0.5)
    assert list(frame.columns) == [
        "strategy", "cost", "cost_lower", "cost_upper", "effect", "effect_lower",
        "effect_upper", "comparator", "inc_cost", "inc_cost_lower", "inc_cost_upper",
        "inc_effect", "inc_effect_lower", "inc_effect_upper", "p_ne", "p_se", "p_nw", "p_sw",
    ]  # fmt: skip
    assert list(frame["strategy"]) == NAMES
    assert list(frame["comparator"]) == ["mid"] * 3
    rows = frame.set_index("strategy")
    for name in NAMES:
        row = rows.loc[name]
        assert row["cost"] == pytest.approx(mean(COST[name]), rel=1e-12)
        assert row["effect"] == pytest.approx(mean(EFFECT[name]), rel=1e-12)
        assert (row["cost_lower"], row["cost_upper"]) == pytest.approx(quartiles(COST[name]))
        assert (row["effect_lower"], row["effect_upper"]) == pytest.approx(quartiles(EFFECT[name]))
    # high minus mid, sample by sample: cost +100, +0.5, 0, -40; effect +1, -0.1, +0.2, +0.3
    d_cost = [100.0, 0.5, 0.0, -40.0]
    d_effect = [1.0, -0.1, 0.2, 0.3]
    high = rows.loc["high"]
    assert high["inc_cost"] == pytest.approx(15.125, rel=1e-12)
    assert high["inc_effect"] == pytest.approx(0.35, rel=1e-12)
    assert (high["inc_cost_lower"], high["inc_cost_upper"]) == pytest.approx(quartiles(d_cost))
    assert (high["inc_effect_lower"], high["inc_effect_upper"]) == pytest.approx(
        quartiles(d_effect)
    )
    # quadrants: NE sample 1; NW sample 2 (+0.5 DKK costs more); SE samples 3 (on the cost
    # axis: counts as south) and 4
    assert (high["p_ne"], high["p_se"], high["p_nw"], high["p_sw"]) == (0.25, 0.5, 0.25, 0.0)
    low = rows.loc["low"]
    assert low["inc_cost"] == pytest.approx(mean([-100.0, -80.0, -120.0, -80.0]), rel=1e-12)
    assert low["inc_effect"] == pytest.approx(mean([-1.0, -1.1, -0.9, -1.0]), rel=1e-12)
    assert (low["inc_cost_lower"], low["inc_cost_upper"]) == pytest.approx((-105.0, -80.0))
    assert (low["p_ne"], low["p_se"], low["p_nw"], low["p_sw"]) == (0.0, 0.0, 0.0, 1.0)
    increments = [c for c in frame.columns if c.startswith(("inc_", "p_"))]
    assert rows.loc["mid", increments].isna().all()
    assert rows.loc["mid", increments].map(lambda v: isinstance(v, float)).all()


def test_psa_summary_comparator_given_overrides_the_icer_reference() -> None:
    by_default = psa_summary(as_matrix(COST), as_matrix(EFFECT), NAMES)
    assert set(by_default["comparator"]) == {"low"}  # the cheapest, the ICER table's reference
    chosen = psa_summary(as_matrix(COST), as_matrix(EFFECT), NAMES, comparator="high")
    assert set(chosen["comparator"]) == {"high"}
    assert chosen.set_index("strategy").loc["mid", "inc_cost"] == pytest.approx(-15.125)


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.1])
def test_summaries_refuse_a_level_outside_0_1(level: float) -> None:
    with pytest.raises(InputError, match=rf"^level: {level!r} is not a probability"):
        psa_summary(as_matrix(COST), as_matrix(EFFECT), NAMES, level=level)
    with pytest.raises(InputError, match=rf"^level: {level!r} is not a probability"):
        incremental_nmb(as_matrix(COST), as_matrix(EFFECT), NAMES, [0.0], level=level)


# --------------------------------------------------------------------------------------------
# incremental_nmb
# --------------------------------------------------------------------------------------------


def test_incremental_nmb_whole_table_by_hand() -> None:
    # at WTP 100 the increments of high over mid are 100*[1, -0.1, 0.2, 0.3] - [100, 0.5, 0, -40]
    # = [0, -10.5, 20, 70]: one sample exactly at 0 (not positive); at WTP 2.5 sample 3
    # gives 0.5 (positive though below 1)
    frame = incremental_nmb(
        as_matrix(COST), as_matrix(EFFECT), NAMES, [0.0, 2.5, 100.0], comparator="mid", level=0.5
    )
    assert list(frame.columns) == [
        "wtp", "strategy", "comparator", "inc_nmb", "inc_nmb_lower", "inc_nmb_upper",
        "p_positive",
    ]  # fmt: skip
    assert list(frame["wtp"]) == [0.0, 0.0, 2.5, 2.5, 100.0, 100.0]
    assert list(frame["strategy"]) == ["low", "high"] * 3
    assert set(frame["comparator"]) == {"mid"}
    d_cost = {"low": [-100.0, -80.0, -120.0, -80.0], "high": [100.0, 0.5, 0.0, -40.0]}
    d_effect = {"low": [-1.0, -1.1, -0.9, -1.0], "high": [1.0, -0.1, 0.2, 0.3]}
    for record in frame.to_dict("records"):
        wtp, name = float(record["wtp"]), str(record["strategy"])
        inb = [wtp * de - dc for dc, de in zip(d_cost[name], d_effect[name], strict=True)]
        assert record["inc_nmb"] == pytest.approx(mean(inb), rel=1e-12, abs=1e-12)
        assert (record["inc_nmb_lower"], record["inc_nmb_upper"]) == pytest.approx(quartiles(inb))
        assert record["p_positive"] == sum(v > 0 for v in inb) / 4
    # high: [-100, -0.5, 0, 40]; [-97.5, -0.75, 0.5, 40.75]; [0, -10.5, 20, 70]
    high = frame[frame["strategy"] == "high"]["p_positive"]
    assert list(high) == [0.25, 0.5, 0.5]


def test_incremental_nmb_in_many_wtp_chunks_equals_one_quantile_per_wtp() -> None:
    # 100,000 samples make chunks of 20 WTP values; 45 values need three chunks
    rng = np.random.default_rng(5)
    n = 100_000
    cost = rng.normal([0.0, 100.0, 250.0], 50.0, (n, 3))
    effect = rng.normal([0.0, 0.01, 0.012], 0.01, (n, 3))
    grid = np.linspace(0.0, 44_000.0, 45)
    frame = incremental_nmb(cost, effect, ["a", "b", "c"], grid, comparator="a", level=0.9)
    assert list(frame["wtp"]) == list(np.repeat(grid, 2))
    assert list(frame["strategy"]) == ["b", "c"] * 45
    for j, name in [(1, "b"), (2, "c")]:
        rows = frame[frame["strategy"] == name]
        inb = grid[:, None] * (effect[:, j] - effect[:, 0])[None, :] - (cost[:, j] - cost[:, 0])
        lower, upper = np.quantile(inb, [0.05, 0.95], axis=1)
        np.testing.assert_allclose(rows["inc_nmb_lower"], lower, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(rows["inc_nmb_upper"], upper, rtol=1e-12, atol=1e-9)
        np.testing.assert_array_equal(rows["p_positive"], (inb > 0).mean(axis=1))


def test_incremental_nmb_of_one_strategy_is_an_empty_table_with_its_columns() -> None:
    frame = incremental_nmb([[1.0], [2.0]], [[0.1], [0.2]], ["only"], [0.0, 1.0])
    assert frame.empty
    assert list(frame.columns) == [
        "wtp", "strategy", "comparator", "inc_nmb", "inc_nmb_lower", "inc_nmb_upper",
        "p_positive",
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------
# nmb and nhb
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("benefit", [nmb, nhb])
def test_net_benefit_names_the_array_at_fault(
    benefit: Callable[[ArrayLike, ArrayLike, float], np.ndarray],
) -> None:
    func = benefit
    with pytest.raises(InputError, match=r"^cost: expected shape \(n_samples, n_strategies\)"):
        func(np.zeros((1, 1, 2)), np.zeros((1, 2)), 10.0)
    with pytest.raises(InputError, match=r"^effect: expected shape \(n_samples, n_strategies\)"):
        func(np.zeros((1, 2)), np.zeros((1, 1, 2)), 10.0)
    with pytest.raises(InputError, match=r"^cost: values must be numbers"):
        func([["x", "y"]], np.zeros((1, 2)), 10.0)
    with pytest.raises(InputError, match=r"^effect: values must be numbers"):
        func(np.zeros((1, 2)), [["x", "y"]], 10.0)
    with pytest.raises(
        InputError, match=r"^cost has shape \(1, 2\) but effect has shape \(1, 3\)$"
    ):
        func(np.zeros((1, 2)), np.zeros((1, 3)), 10.0)


def test_net_benefit_takes_one_wtp() -> None:
    with pytest.raises(InputError, match=r"^wtp: nmb takes one willingness-to-pay value; use"):
        nmb([[1.0]], [[1.0]], [1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^wtp: nhb takes one willingness-to-pay value$"):
        nhb([[1.0]], [[1.0]], [1.0, 2.0])  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"^wtp: net health benefit needs wtp > 0, got 0$"):
        nhb([[1.0]], [[1.0]], 0.0)


def test_nhb_at_a_wtp_below_one() -> None:
    # 2 QALYs less 3 DKK at 0.5 DKK per QALY: 2 - 6 = -4 QALYs
    np.testing.assert_array_equal(nhb([[3.0]], [[2.0]], 0.5), [[-4.0]])


# --------------------------------------------------------------------------------------------
# population
# --------------------------------------------------------------------------------------------


def test_discounted_population_defaults_to_no_discounting() -> None:
    assert discounted_population(10.0, 3) == 30.0
    np.testing.assert_array_equal(population_evpi([2.0, 5.0], 10.0, 3), [60.0, 150.0])


def test_discounted_population_takes_zero_and_fractional_cohorts() -> None:
    assert discounted_population(0.0, 3, 0.035) == 0.0
    assert discounted_population([0.5, 0.0, 2.0], 3, 1.0) == pytest.approx(0.5 + 2.0 / 4.0)


def test_discounted_population_schedule_of_exactly_h_minus_1_rates() -> None:
    # years 0, 1, 2 of 100 people: factors 1, 1/1.1, 1/(1.1 * 1.25)
    got = discounted_population(100.0, 3, [0.1, 0.25])
    assert got == pytest.approx(100.0 * (1.0 + 1.0 / 1.1 + 1.0 / (1.1 * 1.25)), rel=1e-14)


@pytest.mark.parametrize("horizon", [True, 2.5, 0])
def test_discounted_population_refuses_a_horizon_that_is_not_a_whole_number(
    horizon: object,
) -> None:
    with pytest.raises(InputError, match=rf"^horizon_years: {horizon!r}; give a whole number"):
        discounted_population(10.0, horizon)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rates", "listed"),
    [(-1.0, "[-1.0]"), ([0.03, -1.5], "[-1.5]"), ([-1.0, 0.02, -3.0], "[-3.0, -1.0]")],
)
def test_discounted_population_refuses_rates_at_or_below_minus_one(
    rates: float | list[float], listed: str
) -> None:
    with pytest.raises(InputError) as error:
        discounted_population(10.0, len(rates) + 1 if isinstance(rates, list) else 3, rates)
    assert str(error.value) == f"discount_rate: rates must be finite and > -1; got {listed}"


def test_discounted_population_refuses_a_non_finite_rate() -> None:
    with pytest.raises(InputError, match=r"^discount_rate: rates must be finite and > -1; got"):
        discounted_population(10.0, 3, [0.03, math.inf])


# --------------------------------------------------------------------------------------------
# exact CEAC at grid points that sit on a breakpoint
# --------------------------------------------------------------------------------------------


def test_tie_on_the_first_grid_point_goes_to_the_strategy_first_in_rank() -> None:
    # sample 1: B = (cost 100, 1 QALY) ties A = (0, 0) at exactly WTP 100, the first grid
    # point; sample 2 makes B the cheaper on average, so B is first in the tie-break order and
    # wins the tie. B is best in both samples at WTP 100.
    cost = [[0.0, 100.0], [1000.0, 0.0]]
    effect = [[0.0, 1.0], [0.0, 0.0]]
    curves = cea_curves(cost, effect, ["A", "B"], [100.0, 200.0, 300.0])
    np.testing.assert_array_equal(curves.probability_best[:, 1], [1.0, 1.0, 1.0])


def test_tie_on_the_last_grid_point_within_rounding_of_the_breakpoint() -> None:
    # B = (9.1, 1.3) against A = (0, 0): 9.1 / 1.3 rounds to 6.999999999999999, but
    # 7 * 1.3 - 9.1 is exactly 0, a tie at the last grid point 7 that the tie rule gives to A
    # (cheaper, first in rank)
    assert 9.1 / 1.3 < 7.0 and 7.0 * 1.3 - 9.1 == 0.0
    curves = cea_curves([[0.0, 9.1]], [[0.0, 1.3]], ["A", "B"], [5.0, 6.0, 7.0])
    np.testing.assert_array_equal(curves.probability_best[:, 0], [1.0, 1.0, 1.0])


def test_ceaf_frame_names_the_optimal_strategy() -> None:
    cost = [[0.0, 100.0], [0.0, 100.0]]
    effect = [[0.0, 1.0], [0.0, 1.0]]
    curves = cea_curves(cost, effect, ["A", "B"], [50.0, 150.0])
    frame = curves.ceaf_frame()
    pd.testing.assert_frame_equal(
        frame,
        pd.DataFrame({"wtp": [50.0, 150.0], "strategy": ["A", "B"], "probability": [1.0, 1.0]}),
    )


# --------------------------------------------------------------------------------------------
# icer_table, every cell
# --------------------------------------------------------------------------------------------


def test_icer_table_every_cell_by_hand() -> None:
    # (cost, effect): S (0, 0) the reference; T (1000, 1) ICER 1000 vs S; Y identical to T;
    # U (1500, 1.2): ICER 2500 vs T exceeds 1875 of V vs U, so extendedly dominated;
    # V (3000, 2) ICER 2000 vs T once U is out; W (2000, 0.9) and X (2000, 0.5) cost more
    # than T for less: dominated, W first (equal cost: the more effective first)
    names = ["X", "V", "U", "T", "S", "W", "Y"]
    cost = {"S": 0.0, "T": 1000.0, "Y": 1000.0, "U": 1500.0, "V": 3000.0, "W": 2000.0, "X": 2000.0}
    effect = {"S": 0.0, "T": 1.0, "Y": 1.0, "U": 1.2, "V": 2.0, "W": 0.9, "X": 0.5}
    table = icer_table([cost[n] for n in names], [effect[n] for n in names], names)
    nan = math.nan
    expected = pd.DataFrame(
        [
            ["S", 0.0, 0.0, nan, nan, nan, "ND", "reference"],
            ["T", 1000.0, 1.0, 1000.0, 1.0, 1000.0, "ND", "vs S"],
            ["Y", 1000.0, 1.0, 1000.0, 1.0, 1000.0, "ND", "identical to T"],
            ["V", 3000.0, 2.0, 2000.0, 1.0, 2000.0, "ND", "vs T"],
            ["U", 1500.0, 1.2, nan, nan, nan, "ED", "extendedly dominated by T and V"],
            ["W", 2000.0, 0.9, nan, nan, nan, "D", "dominated by T"],
            ["X", 2000.0, 0.5, nan, nan, nan, "D", "dominated by T"],
        ],
        columns=["strategy", "cost", "effect", "inc_cost", "inc_effect", "icer", "status", "note"],
    )
    pd.testing.assert_frame_equal(table, expected, check_exact=False, rtol=1e-12)
    assert table.attrs["strategies"] == names  # the input order, for the frontier's colours


def test_icer_table_dominator_when_dominance_within_tolerance_is_not_transitive() -> None:
    # Means within 1e-12 of the largest cost (1e-9 here) count as equal. B costs 0.9e-9 less
    # than A and C 0.9e-9 less than B: A dominates B and B dominates C, but A does not dominate
    # C (1.8e-9 apart). C's only dominator is B, itself dominated: the note names B.
    names = ["A", "B", "C", "D"]
    cost = [1000.0, 1000.0 - 0.9e-9, 1000.0 - 1.8e-9, 500.0]
    effect = [1.0, 0.5, 0.3, 0.1]
    table = icer_table(cost, effect, names).set_index("strategy")
    assert list(table.index) == ["D", "A", "C", "B"]
    assert list(table["status"]) == ["ND", "ND", "D", "D"]
    assert table.loc["C", "note"] == "dominated by B"
    assert table.loc["B", "note"] == "dominated by A"
    assert table.loc["A", "icer"] == pytest.approx(500.0 / 0.9, rel=1e-12)


def test_icer_table_keeps_points_collinear_within_rounding_on_the_frontier() -> None:
    # b sits 1e-9 DKK above the line from a to c: the ICERs 1000 + 1e-9 and 1000 - 1e-9 are
    # equal within the relative 1e-9, so b is not extendedly dominated
    table = icer_table([0.0, 1000.0 + 1e-9, 2000.0], [0.0, 1.0, 2.0], ["a", "b", "c"])
    assert list(table["status"]) == ["ND", "ND", "ND"]
    assert list(table["note"]) == ["reference", "vs a", "vs b"]


# --------------------------------------------------------------------------------------------
# the PSA container and the WTP grid: what they refuse, in words
# --------------------------------------------------------------------------------------------

#: PSA as a user calls it, with lists (its fields are typed as the arrays it stores)
make_psa: Any = PSA


def test_psa_keeps_names_as_a_tuple_and_names_the_array_at_fault() -> None:
    psa = make_psa([[1.0, 2.0]], [[0.1, 0.2]], ["a", "b"])
    assert psa.strategies == ("a", "b") and isinstance(psa.strategies, tuple)
    with pytest.raises(InputError, match=r"^cost: expected shape \(n_samples, n_strategies\)"):
        make_psa(np.zeros((1, 1, 2)), np.zeros((1, 2)), ["a", "b"])
    with pytest.raises(InputError, match=r"^effect: expected shape \(n_samples, n_strategies\)"):
        make_psa(np.zeros((1, 2)), np.zeros((1, 1, 2)), ["a", "b"])


def test_psa_non_finite_message_counts_the_others() -> None:
    nan, inf = math.nan, math.inf
    with pytest.raises(InputError) as one:
        make_psa([[1.0, 2.0], [3.0, 4.0]], [[0.1, 0.2], [0.3, nan]], ["a", "b"])
    assert str(one.value) == (
        "effect: sample 2 (row index 1), strategy 'b': value nan is not finite; every value "
        "must be a finite number"
    )
    with pytest.raises(InputError) as two:
        make_psa([[1.0, 2.0], [3.0, 4.0]], [[nan, 0.2], [0.3, inf]], ["a", "b"])
    assert str(two.value).endswith("must be a finite number (1 more non-finite value)")
    with pytest.raises(InputError) as three:
        make_psa([[1.0, nan], [inf, -inf]], [[0.1, 0.2], [0.3, 0.4]], ["a", "b"])
    assert str(three.value) == (
        "cost: sample 1 (row index 0), strategy 'b': value nan is not finite; every value "
        "must be a finite number (2 more non-finite values)"
    )


def test_psa_names_the_position_of_a_bad_name() -> None:
    with pytest.raises(InputError) as error:
        make_psa([[1.0, 2.0, 3.0]], [[0.1, 0.2, 0.3]], ["a", 3, " "])
    assert str(error.value) == (
        "strategies: name 2 is 3; names must be strings\n"
        "strategies: name 3 is empty; give every strategy a name"
    )


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ([0.0, 1.0, math.nan], "wtp: value 3 is nan; values must be finite numbers"),
        ([0.0, -1.0], "wtp: value 2 is -1; values must be >= 0"),
        ([0.5, 2.0, -3.0], "wtp: value 3 is -3; values must be >= 0"),
        (
            [0.0, 5.0, 5.0, 3.0],
            "wtp: value 3 (5) does not exceed value 2 (5); the grid must be strictly increasing",
        ),
        (
            [0.0, 0.5, 0.4],
            "wtp: value 3 (0.4) does not exceed value 2 (0.5); the grid must be strictly "
            "increasing",
        ),
    ],
)
def test_wtp_grid_message_names_the_first_bad_value(grid: list[float], message: str) -> None:
    with pytest.raises(InputError) as error:
        validate_wtp(grid)
    assert str(error.value) == message


def test_cea_curves_record_the_number_of_samples() -> None:
    curves = cea_curves(as_matrix(COST), as_matrix(EFFECT), NAMES, [0.0, 100.0])
    assert curves.n_samples == 4
