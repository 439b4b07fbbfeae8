"""Tests of peer_econ.analysis.cea: ICER table, exact CEAC/CEAF/expected loss/EVPI, summaries."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from peer_econ.analysis import (
    PSA,
    cea_curves,
    ceac,
    ceaf,
    discounted_population,
    evpi,
    expected_loss,
    expected_nmb,
    icer_table,
    incremental_nmb,
    nhb,
    nmb,
    population_evpi,
    psa_summary,
    validate_wtp,
    wtp_switch_points,
)
from peer_econ.errors import InputError
from reference.cea_reference import (
    HERC_COST,
    HERC_EFFECT,
    HERC_FRONTIER,
    HERC_FRONTIER_ICERS,
    HERC_STATUS,
    HERC_STRATEGIES,
    HIV_COST,
    HIV_EFFECT,
    HIV_ICER_ABS_TOL,
    HIV_ICERS,
    HIV_STATUS,
    HIV_STRATEGIES,
)

# --------------------------------------------------------------------------------------------
# oracles: obvious loops, per sample and per WTP
# --------------------------------------------------------------------------------------------


def tie_rank(cost: np.ndarray, effect: np.ndarray, names: list[str]) -> list[int]:
    """Documented tie-break order: mean cost ascending, mean effect descending, name."""
    mc, me = cost.mean(axis=0), effect.mean(axis=0)
    return sorted(range(len(names)), key=lambda j: (mc[j], -me[j], names[j]))


def oracle_curves(
    cost: np.ndarray, effect: np.ndarray, names: list[str], wtp: np.ndarray
) -> dict[str, np.ndarray]:
    n, k = cost.shape
    rank = tie_rank(cost, effect, names)
    prob = np.zeros((wtp.size, k))
    loss = np.zeros((wtp.size, k))
    evpi_v = np.zeros(wtp.size)
    optimal = np.zeros(wtp.size, dtype=int)
    for g, w in enumerate(wtp):
        best_sum = 0.0
        sums = np.zeros(k)
        for i in range(n):
            values = [w * effect[i, d] - cost[i, d] for d in range(k)]
            best = rank[0]
            for d in rank[1:]:
                if values[d] > values[best]:
                    best = d
            prob[g, best] += 1
            best_sum += values[best]
            sums += values
        prob[g] /= n
        mean_best = best_sum / n
        means = sums / n
        # documented rule: expected NMBs within 1e-12 * (w max|E| + max|C|) are tied
        tol = 1e-12 * (w * np.abs(effect.mean(axis=0)).max() + np.abs(cost.mean(axis=0)).max())
        top = max(means)
        opt = next(d for d in rank if means[d] >= top - tol)
        optimal[g] = opt
        loss[g] = mean_best - means
        evpi_v[g] = mean_best - means[opt]
    return {"prob": prob, "loss": loss, "evpi": evpi_v, "optimal": optimal}


def herc() -> tuple[np.ndarray, np.ndarray, list[str]]:
    return np.array(HERC_COST), np.array(HERC_EFFECT), list(HERC_STRATEGIES)


# --------------------------------------------------------------------------------------------
# ICER table: published reference cases
# --------------------------------------------------------------------------------------------


def test_herc_six_strategies() -> None:
    """dampack's HERC example: frontier UC -> B -> D -> E; A is D (by B), C is ED.

    C vs B: 15,000/1 = 15,000 > D vs C: 10,000/1 = 10,000, so C is extendedly dominated; then
    D vs B: 25,000/2 = 12,500 and E vs D: 20,000/1 = 20,000.
    """
    c, e, names = herc()
    table = icer_table(c, e, names)
    assert list(table["strategy"][: len(HERC_FRONTIER)]) == list(HERC_FRONTIER)
    front = table[table["status"] == "ND"]
    np.testing.assert_allclose(front["icer"], HERC_FRONTIER_ICERS, equal_nan=True)
    assert dict(zip(table["strategy"], table["status"], strict=True)) == HERC_STATUS
    notes = dict(zip(table["strategy"], table["note"], strict=True))
    assert notes["A"] == "dominated by B"
    assert notes["C"] == "extendedly dominated by B and D"
    assert notes["UC"] == "reference"
    assert list(table.columns) == [
        "strategy",
        "cost",
        "effect",
        "inc_cost",
        "inc_effect",
        "icer",
        "status",
        "note",
    ]
    dominated = table[table["status"] != "ND"]
    assert dominated[["inc_cost", "inc_effect", "icer"]].isna().all().all()


def test_paltiel_hiv_screening() -> None:
    table = icer_table(np.array(HIV_COST), np.array(HIV_EFFECT), list(HIV_STRATEGIES))
    status = dict(zip(table["strategy"], table["status"], strict=True))
    assert status == HIV_STATUS
    icers = dict(zip(table["strategy"], table["icer"], strict=True))
    for name, expected in HIV_ICERS.items():
        if math.isnan(expected):
            assert math.isnan(icers[name])
        else:
            assert icers[name] == pytest.approx(expected, abs=HIV_ICER_ABS_TOL)


def test_herc_every_input_order_gives_same_table() -> None:
    c, e, names = herc()
    base = icer_table(c, e, names)
    for perm in itertools.permutations(range(6)):
        p = list(perm)
        table = icer_table(c[p], e[p], [names[j] for j in p])
        pd.testing.assert_frame_equal(table, base)


def test_psa_means_drive_the_table() -> None:
    """Two samples per strategy whose means are the HERC values give the HERC table."""
    c, e, names = herc()
    cost = np.vstack([c - 1000.0, c + 1000.0])
    effect = np.vstack([e + 0.25, e - 0.25])
    table = icer_table(cost, effect, names)
    assert dict(zip(table["strategy"], table["status"], strict=True)) == HERC_STATUS


# --------------------------------------------------------------------------------------------
# ICER table: edge cases that broke published tools
# --------------------------------------------------------------------------------------------


def test_one_strategy() -> None:
    table = icer_table([100.0], [1.0], ["only"])
    assert list(table["status"]) == ["ND"]
    assert math.isnan(table["icer"].iloc[0])
    assert table["note"].iloc[0] == ""
    curves = cea_curves(np.full((5, 1), 3.0), np.ones((5, 1)), ["only"], [0.0, 10.0])
    np.testing.assert_array_equal(curves.probability_best, 1.0)
    np.testing.assert_array_equal(curves.evpi, 0.0)
    np.testing.assert_array_equal(curves.ceaf, 1.0)


def test_identical_strategies_are_handled_deterministically() -> None:
    table = icer_table([100.0, 100.0, 50.0], [2.0, 2.0, 1.0], ["twin_b", "twin_a", "base"])
    assert list(table["strategy"]) == ["base", "twin_a", "twin_b"]
    assert list(table["status"]) == ["ND", "ND", "ND"]
    assert table["note"].iloc[2] == "identical to twin_a"
    assert table["icer"].iloc[1] == pytest.approx(50.0)
    assert table["icer"].iloc[2] == pytest.approx(50.0)
    # CEAC: the identical pair ties in every sample; the name rule picks twin_a
    cost = np.array([[100.0, 100.0, 50.0]] * 4)
    effect = np.array([[2.0, 2.0, 1.0]] * 4)
    curves = cea_curves(cost, effect, ["twin_b", "twin_a", "base"], [0.0, 50.0, 100.0])
    np.testing.assert_array_equal(curves.probability_best.sum(axis=1), 1.0)
    np.testing.assert_array_equal(curves.probability_best[:, 0], 0.0)
    # at wtp = 50 all three tie exactly; the cheapest wins the tie
    np.testing.assert_array_equal(curves.probability_best[:, 2], [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(curves.probability_best[:, 1], [0.0, 0.0, 1.0])


def test_equal_effects_different_costs() -> None:
    table = icer_table([100.0, 200.0], [1.0, 1.0], ["cheap", "dear"])
    assert dict(zip(table["strategy"], table["status"], strict=True)) == {
        "cheap": "ND",
        "dear": "D",
    }
    assert table["note"].iloc[0] == "dominant"


def test_equal_costs_different_effects() -> None:
    table = icer_table([100.0, 100.0, 50.0], [1.0, 2.0, 0.5], ["low", "high", "base"])
    status = dict(zip(table["strategy"], table["status"], strict=True))
    assert status == {"base": "ND", "high": "ND", "low": "D"}


def test_cheapest_is_not_least_effective() -> None:
    table = icer_table([100.0, 200.0, 300.0], [2.0, 1.0, 3.0], ["cheap", "worse", "best"])
    status = dict(zip(table["strategy"], table["status"], strict=True))
    assert status == {"cheap": "ND", "worse": "D", "best": "ND"}
    assert table["icer"].iloc[1] == pytest.approx(200.0)  # (300 - 100) / (3 - 2)


def test_every_strategy_dominated_by_one() -> None:
    table = icer_table([10.0, 20.0, 30.0, 40.0], [5.0, 4.0, 3.0, 5.0], ["top", "b", "c", "d"])
    assert table["strategy"].iloc[0] == "top"
    assert table["note"].iloc[0] == "dominant"
    assert math.isnan(table["icer"].iloc[0])
    assert list(table["status"]) == ["ND", "D", "D", "D"]
    assert all(note == "dominated by top" for note in table["note"].iloc[1:])


def test_extended_dominance_chain_is_iterated() -> None:
    """A(0, 0), B(1, 20), C(2, 30), D(4, 50) as (effect, cost).

    Pass 1: ICERs B 20, C 10, D 10 -> B is ED (20 > 10); C vs D 10 = 10 is not.
    Pass 2: A, C, D: C 15 > D 10 -> C is ED, exposed only by removing B. Frontier A -> D (12.5).
    """
    table = icer_table([0.0, 20.0, 30.0, 50.0], [0.0, 1.0, 2.0, 4.0], ["A", "B", "C", "D"])
    status = dict(zip(table["strategy"], table["status"], strict=True))
    assert status == {"A": "ND", "B": "ED", "C": "ED", "D": "ND"}
    assert table["icer"].iloc[1] == pytest.approx(12.5)


def test_collinear_frontier_points_stay_non_dominated() -> None:
    table = icer_table([0.0, 10.0, 20.0], [0.0, 1.0, 2.0], ["a", "b", "c"])
    assert list(table["status"]) == ["ND", "ND", "ND"]


def test_negative_effects_and_south_west_strategy() -> None:
    """A cheaper, less effective strategy becomes the reference; increments stay positive."""
    table = icer_table([500.0, 100.0, 900.0], [-1.0, -3.0, 0.5], ["mid", "sw", "top"])
    assert list(table["strategy"]) == ["sw", "mid", "top"]
    assert table["icer"].iloc[1] == pytest.approx(200.0)
    assert table["icer"].iloc[2] == pytest.approx(400.0 / 1.5)
    assert (table["inc_effect"].dropna() > 0).all()


def test_adding_a_dominated_strategy_leaves_the_rest_unchanged() -> None:
    c, e, names = herc()
    base = icer_table(c, e, names)
    more = icer_table(np.append(c, 60_000.0), np.append(e, 0.5), [*names, "Z"])
    assert more["status"].iloc[-1] == "D"
    pd.testing.assert_frame_equal(
        more[more["strategy"] != "Z"].reset_index(drop=True), base, check_like=False
    )


# --------------------------------------------------------------------------------------------
# curves against the slow oracle
# --------------------------------------------------------------------------------------------


@pytest.fixture(params=[8192, 7], ids=["one-chunk", "chunks-of-7"])
def sample_chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run a test with the default sample block size and with tiny blocks (many chunks)."""
    monkeypatch.setattr("peer_econ.analysis.cea.SAMPLE_CHUNK", request.param)
    return int(request.param)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_curves_match_slow_oracle_on_random_inputs(seed: int, k: int, sample_chunk: int) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    cost = rng.normal(1000.0 * np.arange(k), 400.0, (n, k))
    effect = rng.normal(0.02 * np.arange(k), 0.03, (n, k))
    names = [f"s{j}" for j in range(k)]
    wtp = np.linspace(0.0, 150_000.0, 41)
    got = cea_curves(cost, effect, names, wtp)
    want = oracle_curves(cost, effect, names, wtp)
    np.testing.assert_array_equal(got.probability_best, want["prob"])
    np.testing.assert_array_equal(got.optimal, want["optimal"])
    np.testing.assert_allclose(got.loss, want["loss"], rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(got.evpi, want["evpi"], rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(got.ceaf, want["prob"][np.arange(wtp.size), want["optimal"]])


@pytest.mark.parametrize("seed", [3, 4])
def test_curves_match_oracle_with_many_exact_ties(seed: int, sample_chunk: int) -> None:
    """Small integer costs and effects on a grid through the breakpoints: ties everywhere."""
    rng = np.random.default_rng(seed)
    n, k = 40, 4
    cost = rng.integers(0, 4, (n, k)).astype(float) * 100.0
    effect = rng.integers(0, 3, (n, k)).astype(float)
    names = ["d", "b", "a", "c"]
    wtp = np.arange(0.0, 501.0, 25.0)
    got = cea_curves(cost, effect, names, wtp)
    want = oracle_curves(cost, effect, names, wtp)
    np.testing.assert_array_equal(got.probability_best, want["prob"])
    np.testing.assert_array_equal(got.optimal, want["optimal"])
    np.testing.assert_allclose(got.loss, want["loss"], atol=1e-9)
    np.testing.assert_allclose(got.evpi, want["evpi"], atol=1e-9)
    np.testing.assert_allclose(got.probability_best.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_concurrent_lines_at_a_grid_point() -> None:
    """Three lines meet at w = 10; the middle one wins that point only (it is ranked first)."""
    cost = np.array([[0.0, 10.0, 20.0]])
    effect = np.array([[0.0, 1.0, 2.0]])
    wtp = np.array([5.0, 10.0, 15.0])
    got = cea_curves(cost, effect, ["low", "mid", "high"], wtp)
    want = oracle_curves(cost, effect, ["low", "mid", "high"], wtp)
    np.testing.assert_array_equal(got.probability_best, want["prob"])
    np.testing.assert_array_equal(got.probability_best[1], [1.0, 0.0, 0.0])


def test_grid_resolution_does_not_change_shared_points() -> None:
    rng = np.random.default_rng(7)
    cost = rng.normal([0.0, 500.0, 800.0], 300.0, (2000, 3))
    effect = rng.normal([0.0, 0.02, 0.03], 0.02, (2000, 3))
    fine = cea_curves(cost, effect, ["a", "b", "c"], np.linspace(0, 100_000, 10_001))
    coarse = cea_curves(cost, effect, ["a", "b", "c"], np.linspace(0, 100_000, 11))
    np.testing.assert_array_equal(fine.probability_best[::1000], coarse.probability_best)
    np.testing.assert_allclose(fine.evpi[::1000], coarse.evpi, rtol=1e-12, atol=1e-9)


def test_deterministic_herc_curves_and_switch_points() -> None:
    c, e, names = herc()
    switches = wtp_switch_points(c, e, names)
    assert list(switches["wtp"]) == [5_000.0, 12_500.0, 20_000.0]
    assert list(switches["from_strategy"]) == ["UC", "B", "D"]
    assert list(switches["to_strategy"]) == ["B", "D", "E"]
    curves = cea_curves(c, e, names, [0.0, 5_000.0, 5_001.0, 20_000.0, 30_000.0])
    assert curves.optimal_strategy == ("UC", "UC", "B", "D", "E")
    np.testing.assert_array_equal(curves.ceaf, 1.0)
    np.testing.assert_array_equal(curves.evpi, 0.0)


def test_switch_points_empty_when_one_strategy_always_optimal() -> None:
    frame = wtp_switch_points([10.0, 20.0], [2.0, 1.0], ["a", "b"])
    assert frame.empty
    assert list(frame.columns) == ["wtp", "from_strategy", "to_strategy"]


# --------------------------------------------------------------------------------------------
# analytic EVPI
# --------------------------------------------------------------------------------------------


def unit_normal_loss(m: float, s: float) -> float:
    return float(s * stats.norm.pdf(m / s) + m * stats.norm.cdf(m / s) - max(0.0, m))


@pytest.mark.parametrize("wtp", [10_000.0, 20_000.0, 30_000.0])
def test_two_strategy_normal_evpi(wtp: float) -> None:
    """INB(w) = w * dE - dC ~ N(w * 0.05 - 1000, (w * 0.04)^2 + 300^2): unit normal loss."""
    rng = np.random.default_rng(2024)
    n = 100_000
    d_e = rng.normal(0.05, 0.04, n)
    d_c = rng.normal(1000.0, 300.0, n)
    cost = np.column_stack([np.zeros(n), d_c])
    effect = np.column_stack([np.zeros(n), d_e])
    got = cea_curves(cost, effect, ["A", "B"], [wtp]).evpi[0]
    m = wtp * 0.05 - 1000.0
    s = math.hypot(wtp * 0.04, 300.0)
    inb = wtp * d_e - d_c
    se = np.std(np.maximum(inb, 0.0) - np.maximum(0.0, inb.mean())) / math.sqrt(n)
    assert abs(got - unit_normal_loss(m, s)) < 3 * se


# --------------------------------------------------------------------------------------------
# tidy frames, net benefit, summaries
# --------------------------------------------------------------------------------------------


def small_psa() -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(11)
    cost = rng.normal([100.0, 300.0, 450.0], 80.0, (500, 3))
    effect = rng.normal([1.0, 1.01, 1.015], 0.01, (500, 3))
    return cost, effect, ["sau", "peer", "paid"]


def test_frames_have_documented_columns_and_shapes() -> None:
    cost, effect, names = small_psa()
    wtp = [0.0, 20_000.0, 50_000.0]
    frame = ceac(cost, effect, names, wtp)
    assert list(frame.columns) == ["wtp", "strategy", "probability", "on_frontier"]
    assert len(frame) == 9
    assert list(frame["strategy"][:3]) == names
    np.testing.assert_allclose(frame.groupby("wtp")["probability"].sum(), 1.0)
    assert (frame.groupby("wtp")["on_frontier"].sum() == 1).all()
    assert list(ceaf(cost, effect, names, wtp).columns) == ["wtp", "strategy", "probability"]
    assert list(evpi(cost, effect, names, wtp).columns) == ["wtp", "evpi"]
    loss = expected_loss(cost, effect, names, wtp)
    assert list(loss.columns) == ["wtp", "strategy", "expected_loss"]
    enmb = expected_nmb(cost, effect, names, wtp)
    assert list(enmb.columns) == ["wtp", "strategy", "enmb"]
    np.testing.assert_allclose(
        enmb["enmb"].to_numpy().reshape(3, 3),
        np.asarray(wtp)[:, None] * effect.mean(axis=0) - cost.mean(axis=0),
    )


def test_results_are_frozen_and_read_only() -> None:
    cost, effect, names = small_psa()
    curves = cea_curves(cost, effect, names, [0.0, 1.0])
    with pytest.raises(ValueError, match="read-only"):
        curves.evpi[0] = 1.0
    with pytest.raises(AttributeError):
        curves.evpi = np.zeros(2)  # type: ignore[misc]
    psa = PSA(cost, effect, tuple(names))
    cost[0, 0] = 1e9  # the PSA keeps its own copy
    assert psa.cost[0, 0] != 1e9
    assert not psa.cost.flags.writeable


def test_psa_object_is_accepted_everywhere() -> None:
    cost, effect, names = small_psa()
    psa = PSA(cost, effect, tuple(names))
    pd.testing.assert_frame_equal(icer_table(psa), icer_table(cost, effect, names))
    pd.testing.assert_frame_equal(evpi(psa, wtp=[1.0, 2.0]), evpi(cost, effect, names, [1.0, 2.0]))


def test_nmb_and_nhb() -> None:
    cost = np.array([[100.0, 300.0]])
    effect = np.array([[1.0, 1.5]])
    np.testing.assert_allclose(nmb(cost, effect, 1000.0), [[900.0, 1200.0]])
    np.testing.assert_allclose(nhb(cost, effect, 1000.0), [[0.9, 1.2]])
    with pytest.raises(InputError, match="wtp > 0"):
        nhb(cost, effect, 0.0)
    with pytest.raises(InputError, match="one willingness-to-pay"):
        nmb(cost, effect, [1.0, 2.0])  # type: ignore[arg-type]


def test_psa_summary_intervals_and_quadrants() -> None:
    cost = np.array([[0.0, 10.0], [0.0, -10.0], [0.0, 20.0], [0.0, 5.0]])
    effect = np.array([[0.0, 1.0], [0.0, 1.0], [0.0, -1.0], [0.0, 0.0]])
    frame = psa_summary(cost, effect, ["ref", "new"], comparator="ref", level=0.5)
    row = frame.set_index("strategy").loc["new"]
    assert row["comparator"] == "ref"
    assert row["inc_cost"] == pytest.approx(6.25)
    assert row["inc_effect"] == pytest.approx(0.25)
    # NE: (10, 1); SE: (-10, 1); NW: (20, -1) and (5, 0) (on the axis counts as west)
    assert (row["p_ne"], row["p_se"], row["p_nw"], row["p_sw"]) == (0.25, 0.25, 0.5, 0.0)
    np.testing.assert_allclose(
        [row["inc_cost_lower"], row["inc_cost_upper"]], np.quantile([10, -10, 20, 5], [0.25, 0.75])
    )
    assert frame.set_index("strategy").loc["ref", ["inc_cost", "p_ne"]].isna().all()


def test_psa_summary_default_comparator_is_icer_reference() -> None:
    cost, effect, names = small_psa()
    frame = psa_summary(cost, effect, names)
    assert set(frame["comparator"]) == {icer_table(cost, effect, names)["strategy"].iloc[0]}


def test_incremental_nmb_paired_intervals() -> None:
    cost, effect, names = small_psa()
    frame = incremental_nmb(cost, effect, names, [0.0, 30_000.0], comparator="sau", level=0.9)
    assert list(frame.columns) == [
        "wtp",
        "strategy",
        "comparator",
        "inc_nmb",
        "inc_nmb_lower",
        "inc_nmb_upper",
        "p_positive",
    ]
    assert len(frame) == 4
    row = frame[(frame["wtp"] == 30_000.0) & (frame["strategy"] == "peer")].iloc[0]
    inb = 30_000.0 * (effect[:, 1] - effect[:, 0]) - (cost[:, 1] - cost[:, 0])
    assert row["inc_nmb"] == pytest.approx(inb.mean())
    assert row["inc_nmb_lower"] == pytest.approx(np.quantile(inb, 0.05))
    assert row["inc_nmb_upper"] == pytest.approx(np.quantile(inb, 0.95))
    assert row["p_positive"] == pytest.approx((inb > 0).mean())
    with pytest.raises(InputError, match="comparator"):
        incremental_nmb(cost, effect, names, [0.0], comparator="nope")


# --------------------------------------------------------------------------------------------
# population EVPI
# --------------------------------------------------------------------------------------------


def test_population_evpi_constant_rate() -> None:
    """1,000 people a year for 3 years at 3.5 %: 1000 (1 + 1/1.035 + 1/1.035^2)."""
    factor = 1000.0 * (1 + 1 / 1.035 + 1 / 1.035**2)
    assert discounted_population(1000.0, 3, 0.035) == pytest.approx(factor)
    np.testing.assert_allclose(
        population_evpi([2.0, 4.0], 1000.0, 3, 0.035), [2 * factor, 4 * factor]
    )
    assert discounted_population(10.0, 1, 0.5) == 10.0
    assert discounted_population(10.0, 4, 0.0) == 40.0


def test_population_evpi_stepped_schedule() -> None:
    got = discounted_population(100.0, 3, [0.035, 0.025, 0.015])
    assert got == pytest.approx(100.0 * (1 + 1 / 1.035 + 1 / (1.035 * 1.025)))
    with pytest.raises(InputError, match="at least 2 annual rates"):
        discounted_population(100.0, 3, [0.035])
    with pytest.raises(InputError, match="horizon_years"):
        discounted_population(100.0, 0, 0.035)
    with pytest.raises(InputError, match="population_per_year"):
        discounted_population(-1.0, 3, 0.035)


# --------------------------------------------------------------------------------------------
# validation of API arguments
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "effect", "names", "match"),
    [
        (np.zeros((3, 2)), np.zeros((3, 3)), ["a", "b"], "shape"),
        (np.zeros((3, 2)), np.zeros((4, 2)), ["a", "b"], "shape"),
        (np.zeros((3, 2, 1)), np.zeros((3, 2, 1)), ["a", "b"], "shape"),
        (np.zeros((0, 2)), np.zeros((0, 2)), ["a", "b"], "at least one sample"),
        (np.zeros((3, 2)), np.zeros((3, 2)), ["a"], "1 names given for 2"),
        (np.zeros((3, 2)), np.zeros((3, 2)), ["a", "a"], "used twice"),
        (np.zeros((3, 2)), np.zeros((3, 2)), ["a", " "], "empty"),
        (np.zeros((3, 2)), np.zeros((3, 2)), None, "sequence of 2"),
        ([[0.0, "x"]], [[0.0, 1.0]], ["a", "b"], "numbers"),
        ([[0.0, np.nan]], [[0.0, 1.0]], ["a", "b"], r"cost: sample 1 .* 'b': value nan"),
        ([[0.0, 1.0]], [[np.inf, 1.0]], ["a", "b"], r"effect: sample 1 .* 'a'"),
    ],
)
def test_bad_arrays_raise_input_error(
    cost: object, effect: object, names: object, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        icer_table(cost, effect, names)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("wtp", "match"),
    [
        ([0.0, -1.0], ">= 0"),
        ([10.0, 5.0], "strictly increasing"),
        ([10.0, 10.0], "strictly increasing"),
        ([], "empty"),
        ([0.0, np.nan], "finite"),
        ([[0.0, 1.0]], "1-D"),
        (["a"], "numbers"),
    ],
)
def test_bad_wtp_raise_input_error(wtp: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        validate_wtp(wtp)  # type: ignore[arg-type]
    cost, effect, names = small_psa()
    with pytest.raises(InputError, match=match):
        cea_curves(cost, effect, names, wtp)  # type: ignore[arg-type]


def test_bad_level_and_input_error_is_value_error() -> None:
    cost, effect, names = small_psa()
    with pytest.raises(ValueError, match=r"level"):
        psa_summary(cost, effect, names, level=1.5)


@pytest.mark.parametrize(
    "grid",
    [
        np.linspace(0.0, 1_000_000.0, 101),
        np.arange(0.0, 501.0, 25.0),
        np.linspace(0.0, 1.0, 11),
        np.array([0.0, 1.0, 5.0, 6.0]),  # not uniform: searchsorted fallback
        np.array([3.0]),
    ],
)
def test_grid_binning_equals_searchsorted(grid: np.ndarray) -> None:
    from peer_econ.analysis.cea import _bins

    rng = np.random.default_rng(0)
    span = grid[-1] - grid[0] + 1.0
    values = np.concatenate(
        [
            grid,
            np.nextafter(grid, -np.inf),
            np.nextafter(grid, np.inf),
            rng.uniform(grid[0] - span, grid[-1] + span, 1000),
            [np.inf, -1.0, 0.0, 1e300],
        ]
    )
    np.testing.assert_array_equal(_bins(grid, values), np.searchsorted(grid, values, "right"))


def adversarial_values(grid: np.ndarray) -> np.ndarray:
    """Grid points, one ulp either side of each, random values beyond both ends, inf."""
    rng = np.random.default_rng(0)
    span = grid[-1] - grid[0] + 1.0
    return np.concatenate(
        [
            grid,
            np.nextafter(grid, -np.inf),
            np.nextafter(grid, np.inf),
            (grid[:-1] + grid[1:]) / 2.0,
            rng.uniform(grid[0] - span, grid[-1] + span, 1000),
            [np.inf, -np.inf, grid[0] - 1e-300, -1.0, 0.0, 1e300, -1e300],
        ]
    )


def test_uniform_step_only_for_uniform_grids_of_three_or_more() -> None:
    from peer_econ.analysis.cea import _uniform_step

    assert _uniform_step(np.linspace(0.0, 1.0, 11)) == 1.0 / 10
    assert _uniform_step(np.array([1000.0, 1500.0, 2000.0])) == 500.0
    assert _uniform_step(np.array([0.0, 1.0, 5.0, 6.0])) == 0.0
    assert _uniform_step(np.array([0.0, 1.0])) == 0.0
    assert _uniform_step(np.array([3.0])) == 0.0
    # within 1e-9 of a step of the uniform points counts as uniform, 1e-6 does not
    assert _uniform_step(np.array([0.0, 1.0 + 1e-12, 2.0])) == 1.0
    assert _uniform_step(np.array([0.0, 1.0 + 1e-6, 2.0])) == 0.0
    # the tolerance is relative to the step: 1e-7 off a step of 1000 is uniform
    assert _uniform_step(np.array([0.0, 1000.0 + 1e-7, 2000.0])) == 1000.0


@pytest.mark.parametrize(
    "grid",
    [
        np.linspace(0.0, 1.0, 11),
        # 4 of its points are estimated one position low: the upward fix-up is needed
        np.linspace(0.0, 0.7, 8),
        np.arange(0.0, 50_001.0, 1000.0),
        np.linspace(1000.0, 2000.0, 3),
    ],
)
def test_uniform_bins_by_arithmetic_equal_searchsorted(grid: np.ndarray) -> None:
    from peer_econ.analysis.cea import _uniform_bins, _uniform_step

    values = adversarial_values(grid)
    got = _uniform_bins(grid, values, _uniform_step(grid))
    assert got.dtype == np.intp
    np.testing.assert_array_equal(got, np.searchsorted(grid, values, "right"))


def test_are_bins_accepts_searchsorted_and_refuses_any_position_moved_by_one() -> None:
    from peer_econ.analysis.cea import _are_bins

    grid = np.linspace(0.0, 1.0, 11)
    values = adversarial_values(grid)
    right = np.searchsorted(grid, values, "right")
    assert _are_bins(grid, values, right)
    for i in range(values.size):
        for shift in (-1, 1):
            moved = right.copy()
            moved[i] += shift
            if 0 <= moved[i] <= grid.size:
                assert not _are_bins(grid, values, moved), (values[i], right[i], shift)


def test_tie_at_rounded_breakpoint_follows_rank_rule() -> None:
    """Deterministic A (0, 0.1) vs B (3000, 0.4): the ICER 3000/0.3 rounds to 9999.999999999998,
    but at w = 10,000 the NMBs tie exactly (1,000 each), so the cheaper A wins there and the
    CEAF of the optimal strategy is 1 at every grid point."""
    curves = cea_curves([0.0, 3000.0], [0.1, 0.4], ["A", "B"], [0, 5000, 10000, 20000])
    np.testing.assert_array_equal(curves.probability_best[:, 0], [1, 1, 1, 0])
    np.testing.assert_array_equal(curves.ceaf, 1.0)
    np.testing.assert_array_equal(curves.evpi, 0.0)


def test_decimal_effects_match_oracle() -> None:
    """Effects on a 0.1 grid put many breakpoints within rounding of grid points."""
    rng = np.random.default_rng(12)
    for _ in range(60):
        n, k = 40, 3
        effect = rng.integers(0, 6, (n, k)) / 10
        cost = rng.integers(0, 6, (n, k)) * 1000.0
        grid = np.arange(0.0, 60_001.0, 2_500.0)
        got = cea_curves(cost, effect, ["a", "b", "c"], grid)
        want = oracle_curves(cost, effect, ["a", "b", "c"], grid)
        np.testing.assert_allclose(got.probability_best, want["prob"], atol=1e-12)
        np.testing.assert_allclose(got.evpi, want["evpi"], atol=1e-9)


def test_icer_table_nontransitive_tolerance_dominance() -> None:
    """Within rounding i dominates j and j dominates k but i does not dominate k: no crash,
    k is still reported as dominated."""
    table = icer_table([1, 2, 3, 100], [0, 0.9e-12, 1.8e-12, 1], ["i", "j", "k", "z"])
    status = table.set_index("strategy")["status"]
    assert status["k"] == "D" and status["j"] == "D"
    assert list(table.loc[table["status"] == "ND", "strategy"]) == ["i", "z"]
