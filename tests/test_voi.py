"""Tests of peer_econ.analysis.voi: EVPI, regression EVPPI, nested Monte Carlo, population VOI."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from peer_econ.analysis import smoothing
from peer_econ.analysis.cea import evpi as cea_evpi
from peer_econ.analysis.voi import (
    EVPPIResult,
    EVPPIResults,
    _as_parameters,
    _clip,
    _se_from_posterior,
    evppi,
    evppi_curves,
    evppi_nested,
    evppi_ranking,
    population_multiplier,
    population_value,
)
from peer_econ.errors import EstimationWarning, InputError, InputWarning


def evpi(cost: np.ndarray, effect: np.ndarray, wtp: float | np.ndarray) -> np.ndarray:
    """EVPI per WTP from the public function (the one name for EVPI), as an array."""
    names = [f"s{j}" for j in range(np.shape(cost)[1])]
    frame = cea_evpi(cost, effect, names, wtp=np.atleast_1d(np.asarray(wtp, dtype=float)))
    return frame["evpi"].to_numpy()


def unit_normal_loss(m: float, s: float) -> float:
    """EVPI of a two-strategy choice with INB ~ N(m, s^2): s phi(m/s) + m Phi(m/s) - max(0, m)."""
    if s == 0.0:
        return 0.0
    return float(s * stats.norm.pdf(m / s) + m * stats.norm.cdf(m / s) - max(0.0, m))


M, S1, S2, S3 = 100.0, 300.0, 200.0, 0.0  # INB = M + S1 x1 + S2 x2 (+ 0 x3)


def linear_normal_psa(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Two strategies; INB of B over A = M + S1 x1 + S2 x2 with x ~ N(0, 1); x3 does not enter.

    Written as cost and effect at WTP 20,000: effect gain = INB / 40,000, cost = -INB / 2, so that
    INB(20,000) = 20,000 * INB / 40,000 + INB / 2 = INB.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    inb = M + S1 * x[:, 0] + S2 * x[:, 1] + S3 * x[:, 2]
    cost = np.column_stack([np.full(n, 1000.0), 1000.0 - inb / 2.0])
    effect = np.column_stack([np.full(n, 1.0), 1.0 + inb / 40_000.0])
    return cost, effect, pd.DataFrame(x, columns=["x1", "x2", "x3"])


def analytic_evppi(names: list[str]) -> float:
    s = {"x1": S1, "x2": S2, "x3": S3}
    return unit_normal_loss(M, float(np.sqrt(sum(s[k] ** 2 for k in names))))


@pytest.fixture(scope="module")
def lin() -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    return linear_normal_psa(20_000, seed=11)


# ------------------------------------------------------------------ analytic cases (c)


def test_evpi_matches_unit_normal_loss(lin: tuple) -> None:
    cost, effect, _ = lin
    got = evpi(cost, effect, 20_000.0)[0]
    assert got == pytest.approx(analytic_evppi(["x1", "x2"]), rel=0.04)


@pytest.mark.parametrize("group", [["x1"], ["x2"], ["x1", "x2"]])
def test_evppi_linear_normal_closed_form(lin: tuple, group: list[str]) -> None:
    cost, effect, x = lin
    res = evppi(cost, effect, x[group], 20_000.0)
    assert res.evppi[0] == pytest.approx(analytic_evppi(group), rel=0.05)


def test_parameter_outside_model_has_zero_evppi(lin: tuple) -> None:
    cost, effect, x = lin
    res = evppi(cost, effect, x[["x3"]], 20_000.0)
    assert res.evppi[0] < 0.01 * res.evpi[0]


def test_all_parameters_approach_evpi(lin: tuple) -> None:
    cost, effect, x = lin
    res = evppi(cost, effect, x, 20_000.0)
    assert res.method == "tensor"
    assert res.evppi[0] == pytest.approx(res.evpi[0], rel=0.02)


def test_monotone_in_group_inclusion(lin: tuple) -> None:
    cost, effect, x = lin
    w = np.array([10_000.0, 20_000.0, 40_000.0])
    res = evppi(cost, effect, x, w, groups=[["x1"], ["x1", "x2"], ["x1", "x2", "x3"]])
    v = np.vstack([r.evppi for r in res.results])
    tol = 0.02 * res.results[0].evpi
    assert np.all(v[0] <= v[1] + tol)
    assert np.all(v[1] <= v[2] + tol)


@pytest.mark.parametrize("method", ["poly", "additive", "tensor", "spline"])
def test_methods_agree_on_linear_case(lin: tuple, method: str) -> None:
    cost, effect, x = lin
    res = evppi(cost, effect, x[["x1"]], 20_000.0, method=method)
    assert res.evppi[0] == pytest.approx(analytic_evppi(["x1"]), rel=0.05)


@pytest.mark.filterwarnings("ignore::peer_econ.errors.EstimationWarning")
def test_gp_method_on_subsample(lin: tuple) -> None:
    cost, effect, x = lin
    res = evppi(
        cost[:4000],
        effect[:4000],
        x[["x1", "x2"]][:4000],
        20_000.0,
        method="gp",
        gp_subsample=300,
        rng=0,
    )
    assert res.method == "gp"
    assert res.evppi[0] == pytest.approx(res.evpi[0], rel=0.05)


def test_reml_close_to_gcv(lin: tuple) -> None:
    cost, effect, x = lin
    a = evppi(cost, effect, x[["x1"]], 20_000.0).evppi[0]
    b = evppi(cost, effect, x[["x1"]], 20_000.0, smoothing_criterion="reml").evppi[0]
    assert a == pytest.approx(b, rel=0.01)


@pytest.mark.slow
def test_evppi_closed_form_100k_within_3_se() -> None:
    cost, effect, x = linear_normal_psa(100_000, seed=5)
    for group in (["x1"], ["x2"], ["x1", "x2"]):
        res = evppi(cost, effect, x[group], 20_000.0, se=True, n_se_draws=200, rng=1)
        # Monte Carlo SE of the EVPPI estimate itself ~ sd(max(0, INB_fit)) / sqrt(n)
        mc_se = 330.0 / np.sqrt(100_000)
        se = float(np.hypot(res.se[0], mc_se)) if res.se is not None else mc_se
        assert abs(res.evppi[0] - analytic_evppi(group)) < 3.0 * se + 0.5


# ------------------------------------------------------------------ nested Monte Carlo oracle (b)


def _toy_model(p: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Three strategies, nonlinear in (a, b, c): effect gains a*b and 1.3*a*b*exp(-c)."""
    a, b, c = p["a"], p["b"], p["c"]
    effect = np.column_stack([np.zeros_like(a), a * b, 1.3 * a * b * np.exp(-c)])
    cost = np.column_stack([np.zeros_like(a), 900.0 + 300.0 * c, 1500.0 + 200.0 * b])
    return cost, effect


def _toy_draw(n: int, rng: np.random.Generator) -> dict:
    return {
        "a": rng.normal(0.05, 0.03, n),
        "b": rng.gamma(4.0, 0.25, n),
        "c": rng.uniform(0.0, 1.0, n),
    }


def test_nested_oracle_on_nonlinear_model() -> None:
    rng = np.random.default_rng(3)
    draws = _toy_draw(20_000, rng)
    cost, effect = _toy_model(draws)
    w = np.array([20_000.0, 40_000.0])
    reg = evppi(cost, effect, {"a": draws["a"]}, w)

    def phi(n: int, g: np.random.Generator) -> dict[str, np.ndarray]:
        return {"a": g.normal(0.05, 0.03, n)}

    def psi(ph: Mapping[str, np.ndarray], g: np.random.Generator) -> dict[str, np.ndarray]:
        m = ph["a"].size
        return {"b": g.gamma(4.0, 0.25, m), "c": g.uniform(0.0, 1.0, m)}

    nest = evppi_nested(_toy_model, phi, psi, w, n_outer=2000, n_inner=400, rng=4)
    assert nest.method == "nested"
    assert nest.se is not None
    tol = 4.0 * nest.se + 0.06 * nest.evppi
    assert np.all(np.abs(reg.evppi - nest.evppi) < tol)


@pytest.mark.slow
def test_nested_oracle_group_large() -> None:
    rng = np.random.default_rng(8)
    draws = _toy_draw(50_000, rng)
    cost, effect = _toy_model(draws)
    w = np.array([30_000.0])
    reg = evppi(cost, effect, {"a": draws["a"], "c": draws["c"]}, w)

    def phi(n: int, g: np.random.Generator) -> dict[str, np.ndarray]:
        return {"a": g.normal(0.05, 0.03, n), "c": g.uniform(0.0, 1.0, n)}

    def psi(ph: Mapping[str, np.ndarray], g: np.random.Generator) -> dict[str, np.ndarray]:
        return {"b": g.gamma(4.0, 0.25, ph["a"].size)}

    nest = evppi_nested(_toy_model, phi, psi, w, n_outer=5000, n_inner=1000, rng=9)
    assert nest.se is not None
    assert abs(reg.evppi[0] - nest.evppi[0]) < 4.0 * nest.se[0] + 0.05 * nest.evppi[0]


# ------------------------------------------------------------------ results and API


def test_result_is_frozen_and_tidy(lin: tuple) -> None:
    cost, effect, x = lin
    res = evppi(cost, effect, x[["x1"]], [0.0, 20_000.0], strategies=["A", "B"])
    assert isinstance(res, EVPPIResult)
    with pytest.raises(ValueError):
        res.evppi[0] = 1.0
    frame = res.to_frame()
    assert list(frame.columns) == ["name", "parameters", "wtp", "evppi", "se", "evpi", "method"]
    assert len(frame) == 2
    diag = res.diagnostics_frame()
    # reference = lowest mean cost (B here), whatever the column order
    assert list(diag["response"]) == ["cost[A] - cost[B]", "effect[A] - effect[B]"]
    assert np.all((diag["r_squared"] > 0.5) & (diag["r_squared"] <= 1.0))


def test_groups_mapping_returns_collection(lin: tuple) -> None:
    cost, effect, x = lin
    res = evppi(cost, effect, x, 20_000.0, groups={"both": ["x1", "x2"], "one": "x1"})
    assert isinstance(res, EVPPIResults)
    assert res.names == ("both", "one")
    assert res["one"].parameters == ("x1",)
    assert len(res.to_frame()) == 2


def test_wtp_grid_equals_pointwise(lin: tuple) -> None:
    """The fits do not depend on WTP, so a grid gives the same values as one call per WTP."""
    cost, effect, x = lin
    grid = np.array([0.0, 15_000.0, 20_000.0, 60_000.0])
    res = evppi(cost, effect, x[["x1"]], grid)
    single = [evppi(cost, effect, x[["x1"]], w).evppi[0] for w in grid]
    np.testing.assert_allclose(res.evppi, single, rtol=1e-10, atol=1e-9)


def test_se_opt_in_reproducible(lin: tuple) -> None:
    cost, effect, x = lin
    a = evppi(cost, effect, x[["x1"]], [20_000.0], se=True, n_se_draws=100, rng=0)
    b = evppi(cost, effect, x[["x1"]], [20_000.0], se=True, n_se_draws=100, rng=0)
    assert a.se is not None and b.se is not None
    assert 0.0 < a.se[0] < 0.1 * a.evppi[0]
    np.testing.assert_array_equal(a.se, b.se)
    assert evppi(cost, effect, x[["x1"]], [20_000.0]).se is None


def test_ranking_and_curves(lin: tuple) -> None:
    cost, effect, x = lin
    rank = evppi_ranking(cost, effect, x, 20_000.0, groups={"x1 and x2": ["x1", "x2"]})
    assert list(rank["name"])[:2] == ["x1 and x2", "x1"]
    assert list(rank["rank"]) == [1, 2, 3, 4]
    assert rank["evppi"].is_monotonic_decreasing
    curves = evppi_curves(cost, effect, x, np.linspace(0, 50_000, 11))
    assert len(curves) == 3 * 11
    assert set(curves["kind"]) == {"parameter"}


def test_parameters_as_array_and_mapping(lin: tuple) -> None:
    cost, effect, x = lin
    a = evppi(cost, effect, x[["x1"]].to_numpy(), 20_000.0, parameter_names=["x1"])
    b = evppi(cost, effect, {"x1": x["x1"].to_numpy()}, 20_000.0)
    c = evppi(cost, effect, x[["x1"]], 20_000.0)
    assert a.evppi[0] == b.evppi[0] == c.evppi[0]
    assert a.parameters == ("x1",)


def test_single_sample_strategy_and_one_strategy() -> None:
    rng = np.random.default_rng(0)
    cost = rng.normal(size=(50, 1))
    res = evppi(cost, cost, {"p": rng.normal(size=50)}, [0.0, 1.0])
    np.testing.assert_array_equal(res.evppi, [0.0, 0.0])


# ------------------------------------------------------------------ bad input (f)


def test_row_count_mismatch(lin: tuple) -> None:
    cost, effect, x = lin
    with pytest.raises(InputError, match="parameters have 100 rows but the PSA has 20000"):
        evppi(cost, effect, x.iloc[:100], 20_000.0)


def test_unknown_parameter_name(lin: tuple) -> None:
    cost, effect, x = lin
    with pytest.raises(InputError, match=r"unknown parameter\(s\) \['nope'\]"):
        evppi(cost, effect, x, 20_000.0, groups=[["x1", "nope"]])


def test_unknown_method(lin: tuple) -> None:
    cost, effect, x = lin
    with pytest.raises(InputError, match="unknown EVPPI method 'loess'"):
        evppi(cost, effect, x[["x1"]], 20_000.0, method="loess")


def test_more_terms_than_samples() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20, 4))
    cost = rng.normal(size=(20, 2))
    with pytest.raises(InputError, match="35 terms but only 20 samples"):
        evppi(cost, cost, x, 1.0, method="poly", degree=3)
    with pytest.raises(InputError, match="terms but only 20 samples"):
        evppi(cost, cost, x[:, :3], 1.0, method="tensor")


def test_non_finite_and_shapes(lin: tuple) -> None:
    cost, effect, x = lin
    bad = x.copy()
    bad.iloc[3, 0] = np.nan
    with pytest.raises(InputError, match=r"NaN or infinite values: \['x1'\]"):
        evppi(cost, effect, bad, 1.0)
    with pytest.raises(InputError, match="cost has shape"):
        evppi(cost, effect[:, :1], x, 1.0)


def test_constant_parameter_gives_zero_with_warning(lin: tuple) -> None:
    cost, effect, x = lin
    xx = x.assign(k=3.0)
    with pytest.warns(InputWarning, match=r"\['k'\] are constant"):
        res = evppi(cost, effect, xx[["k"]], 20_000.0)
    assert res.evppi[0] == 0.0
    assert res.method == "constant"
    with pytest.warns(InputWarning, match="left out of the group"):
        res2 = evppi(cost, effect, xx[["x1", "k"]], 20_000.0)
    assert res2.evppi[0] == pytest.approx(analytic_evppi(["x1"]), rel=0.05)


def test_clip_warns_outside_range() -> None:
    evpi_v = np.array([10.0, 10.0, 10.0])
    with pytest.warns(EstimationWarning, match="above EVPI at 1 WTP"):
        out = _clip(np.array([5.0, 11.0, 10.0]), evpi_v, "g")
    np.testing.assert_array_equal(out, [5.0, 10.0, 10.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _clip(np.array([0.0, 10.0 + 1e-9, 3.0]), evpi_v, "g")


# ------------------------------------------------------------------ population VOI (a)


def test_population_multiplier_hand_calculation() -> None:
    """100 people a year for 3 years at 3.5 %: 100 (1 + 1/1.035 + 1/1.035^2) ~ 293.4."""
    expected = 100.0 * (1.0 + 1.0 / 1.035 + 1.0 / 1.035**2)
    assert population_multiplier(100.0, 3, 0.035) == pytest.approx(expected)
    assert population_multiplier([100.0, 50.0], 2, 0.0) == 150.0
    np.testing.assert_allclose(population_value([2.0, 4.0], 100.0, 1, 0.035), [200.0, 400.0])
    with pytest.raises(InputError, match="horizon_years"):
        population_multiplier(100.0, 0, 0.035)
    with pytest.raises(InputError, match="2 values for a 3-year horizon"):
        population_multiplier([1.0, 2.0], 3, 0.035)


# ------------------------------------------------------------------ invariants (e)


def small_psa(seed: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1,000 samples, k strategies, two parameters driving cost and effect linearly + noise."""
    rng = np.random.default_rng(seed)
    n = 1000
    x = rng.normal(size=(n, 2))
    beta_e = rng.normal(size=(2, k)) * 0.1
    beta_c = rng.normal(size=(2, k)) * 100
    effect = x @ beta_e + 0.05 * rng.normal(size=(n, k)) + rng.normal(0, 0.05, k)
    cost = x @ beta_c + 50 * rng.normal(size=(n, k)) + rng.normal(0, 50, k)
    return cost, effect, x


#: Examples per property test; fewer under mutation testing (mutmut sets MUTANT_UNDER_TEST), where
#: the test runs for every surviving mutant of the functions it calls.
PROPERTY_EXAMPLES = 4 if "MUTANT_UNDER_TEST" in os.environ else 15


@settings(
    max_examples=PROPERTY_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.integers(0, 2**31 - 1), st.integers(2, 4))
def test_property_bounds_and_strategy_order(seed: int, k: int) -> None:
    cost, effect, x = small_psa(seed, k)
    w = np.array([0.0, 1000.0, 5000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        res = evppi(cost, effect, x[:, :1], w)
        perm = np.random.default_rng(seed).permutation(cost.shape[1])
        res_p = evppi(
            cost[:, perm],
            effect[:, perm],
            x[:, :1],
            w,
            strategies=[f"z{j}" for j in range(cost.shape[1])],
        )
        both = evppi(cost, effect, x, w)
    assert np.all(res.evppi >= 0.0)
    assert np.all(res.evppi <= res.evpi)
    np.testing.assert_allclose(res.evppi, res_p.evppi, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(res.evpi, evpi(cost, effect, w), rtol=1e-12, atol=1e-9)
    # monotone in group inclusion up to regression noise (1,000 samples)
    assert np.all(res.evppi <= both.evppi + 0.1 * res.evpi + 1e-9)


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_property_same_rng_same_output(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, 2))
    cost = np.column_stack([np.zeros(300), 100 * x[:, 0] + rng.normal(size=300)])
    effect = np.column_stack([np.zeros(300), 0.01 * x[:, 1] + 0.001 * rng.normal(size=300)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        a = evppi(cost, effect, x, [1e4], se=True, n_se_draws=20, rng=seed)
        b = evppi(cost, effect, x, [1e4], se=True, n_se_draws=20, rng=seed)
    np.testing.assert_array_equal(a.evppi, b.evppi)
    assert a.se is not None and b.se is not None
    np.testing.assert_array_equal(a.se, b.se)


def test_discrete_parameters_and_tiny_psa() -> None:
    """A binary parameter gets a linear (2-term) fit; a 4-level one a 4-knot spline; n = 1 fails."""
    rng = np.random.default_rng(0)
    n = 4000
    b = rng.integers(0, 2, n).astype(float)
    q = rng.integers(0, 4, n).astype(float)
    inb = 100.0 * (b - 0.5) + 50.0 * (q - 1.5)
    cost = np.column_stack([np.zeros(n), -inb])
    effect = np.zeros((n, 2))
    rb = evppi(cost, effect, {"b": b}, 0.0)
    rq = evppi(cost, effect, {"q": q}, 0.0)
    assert rb.diagnostics[0].n_terms == 2 and rq.diagnostics[0].n_terms == 4
    both = evppi(cost, effect, {"b": b, "q": q}, 0.0)
    assert both.evppi[0] == pytest.approx(both.evpi[0], rel=1e-9)
    with pytest.raises(InputError, match="PSA has 1 sample"):
        evppi(cost[:1], effect[:1], {"b": b[:1]}, 0.0)


# ------------------------------------------------------------------ nested EVPPI by hand (a)


def _hand_model(p: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two strategies: the second costs 0.5 and gains a + b QALYs over the first."""
    a, b = p["a"], p["b"]
    cost = np.column_stack([np.zeros_like(a), np.full_like(a, 0.5)])
    return cost, np.column_stack([np.zeros_like(a), a + b])


def _hand_phi(n: int, g: np.random.Generator) -> dict[str, np.ndarray]:
    return {"a": np.arange(float(n)) % 2}  # 0, 1, 0, 1, ...


def _hand_psi(ph: Mapping[str, np.ndarray], g: np.random.Generator) -> dict[str, np.ndarray]:
    return {"b": np.where(np.arange(ph["a"].size) % 2 == 0, -1.0, 1.0)}  # -1, 1, -1, 1, ...


@pytest.mark.parametrize("chunk_size", [200_000, 2, 3])
def test_nested_evppi_by_hand(chunk_size: int) -> None:
    """a in {0, 1} (outer), b in {-1, 1} (inner), WTP 1: inner means of NB = (-0.5, 0.5) for the
    second strategy, so E_a[max(0, mean NB)] = (0 + 0.5) / 2 = 0.25; E[NB] = 0 for both, so
    EVPPI = 0.25 (SE = sd(0, 0.5) / sqrt 2 = 0.25). Per-sample max NB: 0, 0.5, 0, 1.5 -> EVPI
    = 0.5. At WTP 3: inner means (-0.5, 2.5) -> 1.25; max mean 1 -> EVPPI 0.25; per-sample
    max 0, 2.5, 0, 5.5 -> EVPI 2 - 1 = 1. Chunks of 2 or 3 rows (one outer draw each) give the
    same numbers."""
    res = evppi_nested(
        _hand_model, _hand_phi, _hand_psi, [1.0, 3.0], n_outer=2, n_inner=2, rng=0,
        chunk_size=chunk_size,
    )  # fmt: skip
    assert (res.name, res.parameters, res.method, res.diagnostics) == ("a", ("a",), "nested", ())
    np.testing.assert_array_equal(res.wtp, [1.0, 3.0])
    np.testing.assert_allclose(res.evppi, [0.25, 0.25], rtol=1e-12)
    np.testing.assert_allclose(res.raw, [0.25, 0.25], rtol=1e-12)
    assert res.se is not None
    np.testing.assert_allclose(res.se, [0.25, np.std([0.0, 2.5], ddof=1) / np.sqrt(2)])
    np.testing.assert_allclose(res.evpi, [0.5, 1.0], rtol=1e-12)


def test_nested_evppi_four_outer_draws_and_sizes() -> None:
    """Four outer draws (a = 0, 1, 0, 1), three inner each (b = -1, 1, -1 for the first block
    ...): the estimate averages the four inner maxima; sizes below 2 are refused."""
    res = evppi_nested(_hand_model, _hand_phi, _hand_psi, 1.0, n_outer=4, n_inner=3, rng=0)
    # rows: b alternates over all 12 rows, so the blocks' b means are -1/3, 1/3, -1/3, 1/3
    inner = np.array([0 - 1 / 3, 1 + 1 / 3, 0 - 1 / 3, 1 + 1 / 3]) - 0.5
    first = np.maximum(inner, 0.0).mean()
    pooled = max(0.0, 0.5 + 0.0 - 0.5)
    assert res.raw[0] == pytest.approx(first - pooled, rel=1e-12)
    for n_outer, n_inner in ((1, 5), (5, 1)):
        with pytest.raises(InputError, match=rf"n_outer = {n_outer}, n_inner = {n_inner}; both"):
            evppi_nested(_hand_model, _hand_phi, _hand_psi, 1.0, n_outer, n_inner)


def test_curves_columns_groups_and_share(lin: tuple) -> None:
    """Every row of the curves is the EVPPI of its parameter or group at its WTP, with the kind,
    the share of EVPI (NaN where EVPI is 0) and the method; groups only with include_single off;
    the options reach each EVPPI."""
    cost, effect, x = lin
    w = np.array([0.0, 20_000.0])
    curves = evppi_curves(
        cost, effect, x, w, {"both": ["x1", "x2"]}, include_single=False, method="poly"
    )
    assert list(curves.columns) == [
        "name", "kind", "parameters", "wtp", "evppi", "se", "evpi", "share", "method",
    ]  # fmt: skip
    assert curves["kind"].tolist() == ["group", "group"]
    assert curves["name"].tolist() == ["both", "both"]
    ref = evppi(cost, effect, x[["x1", "x2"]], w, method="poly")
    np.testing.assert_allclose(curves["evppi"], ref.evppi, rtol=1e-12)
    np.testing.assert_allclose(curves["evpi"], ref.evpi, rtol=1e-12)
    assert curves["method"].tolist() == ["poly", "poly"]
    evpi_v, evppi_v = curves["evpi"].to_numpy(), curves["evppi"].to_numpy()
    expected = np.full(evpi_v.shape, np.nan)
    np.divide(evppi_v, evpi_v, out=expected, where=evpi_v > 0)
    np.testing.assert_allclose(curves["share"].to_numpy(), expected, rtol=1e-12)
    full = evppi_curves(cost, effect, x, w, {"both": ["x1", "x2"]})
    assert full["kind"].tolist() == ["parameter"] * 6 + ["group"] * 2


def test_result_tables_cell_by_cell() -> None:
    """The tidy tables carry every field: names joined by ", ", NaN standard errors when none
    were computed, one diagnostics row per fitted regression; a collection finds a group by
    name (KeyError otherwise) and stacks the groups' tables in order."""
    from peer_econ.analysis.voi import FitDiagnostic

    fit = FitDiagnostic("cost[A] - cost[B]", 3.5, 0.9, 12.0, 7)
    one = EVPPIResult(
        "g", ("x1", "x2"), np.array([0.0, 1.0]), np.array([0.1, 0.2]), None,
        np.array([0.3, 0.4]), "poly", np.array([0.1, 0.2]), (fit,),
    )  # fmt: skip
    frame = one.to_frame()
    assert frame["name"].tolist() == ["g", "g"]
    assert frame["parameters"].tolist() == ["x1, x2", "x1, x2"]
    assert frame["wtp"].tolist() == [0.0, 1.0]
    assert frame["evppi"].tolist() == [0.1, 0.2]
    assert frame["se"].isna().all()
    assert frame["evpi"].tolist() == [0.3, 0.4]
    assert frame["method"].tolist() == ["poly", "poly"]
    diag = one.diagnostics_frame()
    assert diag.to_dict("records") == [
        {"response": "cost[A] - cost[B]", "edf": 3.5, "r_squared": 0.9, "smoothing": 12.0,
         "n_terms": 7},
    ]  # fmt: skip
    two = EVPPIResult(
        "h", ("x3",), np.array([0.0, 1.0]), np.array([0.0, 0.05]), np.array([0.01, 0.02]),
        np.array([0.3, 0.4]), "spline", np.array([0.0, 0.05]),
    )  # fmt: skip
    both = EVPPIResults((one, two))
    assert both["h"] is two and both["g"] is one
    with pytest.raises(KeyError):
        both["x1"]
    stacked = both.to_frame()
    assert stacked["name"].tolist() == ["g", "g", "h", "h"]
    assert stacked["se"].tolist()[2:] == [0.01, 0.02]
    assert stacked.index.tolist() == [0, 1, 2, 3]


def test_ranking_columns_ties_and_messages(lin: tuple) -> None:
    """Rank is the first column; 20 constant parameters (EVPPI 0 each) keep their input order
    (a stable sort); one WTP only."""
    cost, effect, x = lin
    flat = pd.DataFrame({f"p{i:02d}": np.ones(len(x)) for i in range(20)})
    with pytest.warns(InputWarning, match="constant"):
        rank = evppi_ranking(cost, effect, flat, 20_000.0)
    assert list(rank.columns)[0] == "rank"
    assert rank["name"].tolist() == [f"p{i:02d}" for i in range(20)]
    assert rank["rank"].tolist() == list(range(1, 21))
    with pytest.raises(InputError, match=r"^wtp_point must be one number; got 2 values$"):
        two: Any = [1.0, 2.0]
        evppi_ranking(cost, effect, x, two)


def test_population_multiplier_rate_messages() -> None:
    for rate in (-1.0, -1.5, float("nan"), float("inf")):
        with pytest.raises(InputError, match=r"^discount_rate = .*; use a finite rate > -1$"):
            population_multiplier(100.0, 3, rate)


def test_nested_evppi_is_reproducible_with_a_seed() -> None:
    """The seed drives both samplers: the same seed gives the same numbers, another seed not."""

    def phi(n: int, g: np.random.Generator) -> dict[str, np.ndarray]:
        return {"a": g.normal(0.05, 0.03, n)}

    def psi(ph: Mapping[str, np.ndarray], g: np.random.Generator) -> dict[str, np.ndarray]:
        m = ph["a"].size
        return {"b": g.gamma(4.0, 0.25, m), "c": g.uniform(0.0, 1.0, m)}

    def run(seed: int) -> EVPPIResult:
        return evppi_nested(_toy_model, phi, psi, 20_000.0, n_outer=50, n_inner=20, rng=seed)

    np.testing.assert_array_equal(run(4).raw, run(4).raw)
    assert not np.array_equal(run(4).raw, run(5).raw)


def test_curves_pass_every_option_to_each_evppi(lin: tuple) -> None:
    """Each curve row equals :func:`evppi` of its group with the same options: method,
    smoothing criterion, labels and reference, standard errors (200 draws by default, from the
    seed); the rows are numbered 0, 1, ...; no standard errors
    unless asked."""
    cost, effect, x = lin
    w = np.array([10_000.0, 20_000.0])
    arr = x[["x1", "x2"]].to_numpy()
    common: dict[str, Any] = {"strategies": ["A", "B"], "reference": "A"}
    curves = evppi_curves(
        cost, effect, arr, w, [["u", "v"]], include_single=False, parameter_names=["u", "v"],
        smoothing_criterion="reml", se=True, rng=3, **common,
    )  # fmt: skip
    ref = evppi(
        cost, effect, arr, w, parameter_names=["u", "v"], smoothing_criterion="reml", se=True,
        n_se_draws=200, rng=3, **common,
    )  # fmt: skip
    assert isinstance(ref, EVPPIResult) and ref.se is not None
    assert curves["parameters"].tolist() == ["u, v", "u, v"]
    np.testing.assert_array_equal(curves["evppi"], ref.evppi)
    np.testing.assert_array_equal(curves["se"], ref.se)
    assert curves.index.tolist() == [0, 1]
    plain = evppi_curves(cost, effect, x, w)
    assert plain["se"].isna().all()
    assert plain.index.tolist() == list(range(6))


def test_curves_warn_once_about_constant_parameters(lin: tuple) -> None:
    """A constant parameter has EVPPI 0 and is named in one InputWarning, however many groups
    hold it."""
    cost, effect, x = lin
    with_constant = x.assign(c=1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        curves = evppi_curves(cost, effect, with_constant, 20_000.0, {"c and x1": ["c", "x1"]})
    relevant = [w for w in caught if issubclass(w.category, InputWarning)]
    assert len(relevant) == 1
    assert "parameter(s) ['c'] are constant in the PSA" in str(relevant[0].message)
    assert curves.loc[curves["name"] == "c", "evppi"].tolist() == [0.0]


# ------------------------------------------------------------------ oracles for the regression


def increments(cost: np.ndarray, effect: np.ndarray, ref: int | None = None) -> np.ndarray:
    """``[dC, dE]`` of every strategy over ``ref`` (default: the lowest mean cost), shape
    ``(n, 2 (k - 1))``."""
    ref = int(np.argmin(cost.mean(axis=0))) if ref is None else ref
    others = [j for j in range(cost.shape[1]) if j != ref]
    return np.hstack([cost[:, others] - cost[:, [ref]], effect[:, others] - effect[:, [ref]]])


def evppi_of_fitted(fitted: np.ndarray, w: float) -> float:
    """``mean_i max(0, max_d INB) - max(0, max_d mean_i INB)`` of fitted ``[dC, dE]`` columns."""
    km1 = fitted.shape[1] // 2
    inb = w * fitted[:, km1:] - fitted[:, :km1]
    return float(np.maximum(inb.max(axis=1), 0.0).mean() - max(0.0, inb.mean(axis=0).max()))


def posterior_evppi_draws(
    fit: smoothing.PenalizedFit, wtp: np.ndarray, n_draws: int, seed: int
) -> np.ndarray:
    """EVPPI for each posterior draw of the coefficients, one draw at a time: coefficients of
    response ``r`` = ``coef_r + L_r z_r`` with ``z`` standard normals ``(n_terms, m)`` correlated
    across the ``m`` responses as their residuals are (``z = e chol(R)'``)."""
    rng = np.random.default_rng(seed)
    p, m = fit.coef.shape
    chol = np.linalg.cholesky(fit.residual_corr)
    out = np.empty((n_draws, wtp.size))
    for s in range(n_draws):
        z = rng.standard_normal((p, m)) @ chol.T
        coef = fit.coef + np.column_stack([fit.coef_sqrt_cov[r] @ z[:, r] for r in range(m)])
        fitted = fit.q @ coef
        out[s] = [evppi_of_fitted(fitted, w) for w in wtp]
    return out


def noisy_linear_psa(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """:func:`linear_normal_psa` with N(0, 300^2) noise on the cost of B (so R^2 < 1)."""
    cost, effect, x = linear_normal_psa(n, seed)
    cost[:, 1] += np.random.default_rng(seed + 1).normal(0.0, 300.0, n)
    return cost, effect, x


# ------------------------------------------------------------------ every option reaches its fit


def test_clip_to_zero_and_evpi_with_a_relative_tolerance() -> None:
    """Raw values below 0 are set to 0 and above EVPI to EVPI (to 0 where EVPI is 0); the
    warning counts each side and ignores excursions of at most 1e-6 x EVPI."""
    evpi_v = np.array([10.0, 10.0, 0.5, 0.0, 10.0])
    with pytest.warns(EstimationWarning) as caught:
        out = _clip(np.array([-3.0, 11.0, 0.8, -1e-3, 4.0]), evpi_v, "g")
    np.testing.assert_array_equal(out, [0.0, 10.0, 0.5, 0.0, 4.0])
    assert len(caught) == 1
    assert str(caught[0].message).startswith(
        "EVPPI of 'g' was below 0 at 2 WTP value(s) and above EVPI at 2 WTP value(s); clipped"
    )
    with pytest.warns(EstimationWarning, match=r"^EVPPI of 'h' was below 0 at 1 WTP value\(s\);"):
        np.testing.assert_array_equal(_clip(np.array([-2.0]), np.array([10.0]), "h"), [0.0])
    # tolerance 1e-6 x EVPI: an excursion of exactly that is silent, twice that warns
    for evpi_one in (10.0, 0.01):
        tol = 1e-6 * evpi_one
        e = np.array([evpi_one, evpi_one])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _clip(np.array([-tol, evpi_one + tol]), e, "g")
        with pytest.warns(EstimationWarning, match="below 0 at 1 WTP value.* above EVPI at 1 WTP"):
            _clip(np.array([-2.0 * tol, evpi_one + 2.0 * tol]), e, "g")


def test_basis_size_follows_k_degree_and_documented_defaults() -> None:
    """Number of regression terms: spline k (default 6); tensor k^d (default 5 for two
    parameters); additive 1 + d (k - 1) + d (d - 1) / 2 (default k = 5); poly comb(d + degree,
    degree) (default degree 3)."""
    cost, effect, x = linear_normal_psa(2000, seed=41)

    def n_terms(cols: list[str], **kw: Any) -> int:
        res = evppi(cost, effect, x[cols], 20_000.0, **kw)
        return res.diagnostics[0].n_terms

    assert n_terms(["x1"]) == 6
    assert n_terms(["x1"], k=4) == 4
    assert n_terms(["x1"], method="spline", k=9) == 9
    assert n_terms(["x1", "x2"], method="tensor") == 25
    assert n_terms(["x1", "x2"], method="tensor", k=3) == 9
    assert n_terms(["x1", "x2", "x3"], method="additive") == 1 + 3 * 4 + 3
    assert n_terms(["x1", "x2", "x3"], method="additive", k=4) == 1 + 3 * 3 + 3
    assert n_terms(["x1", "x2"], method="poly") == 10
    assert n_terms(["x1", "x2"], method="poly", degree=1) == 3
    assert n_terms(["x1", "x2"], method="poly", degree=2) == 6


def test_auto_method_by_number_of_parameters() -> None:
    """'auto': spline for one parameter, tensor for two or three, additive for more;
    'spline' with several parameters is additive; 'tensor' takes at most 4 (3^4 terms)."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(600, 5))
    cost = np.column_stack([np.zeros(600), x.sum(axis=1) + rng.normal(size=600)])
    effect = np.zeros((600, 2))
    used = [evppi(cost, effect, x[:, :d], 0.0).method for d in (1, 2, 3, 4)]
    assert used == ["spline", "tensor", "tensor", "additive"]
    assert evppi(cost, effect, x[:, :1], 0.0, method="spline").method == "spline"
    assert evppi(cost, effect, x[:, :2], 0.0, method="spline").method == "additive"
    four = evppi(cost, effect, x[:, :4], 0.0, method="tensor")
    assert (four.method, four.diagnostics[0].n_terms) == ("tensor", 3**4)
    with pytest.raises(InputError, match="at most 4 parameters, got 5"):
        evppi(cost, effect, x, 0.0, method="tensor")


def test_poly_fit_matches_least_squares_oracle() -> None:
    """method='poly' is ordinary least squares: EVPPI, R^2, edf (= number of terms) and
    smoothing (0) equal those of numpy's least-squares fit of [1, x1, x2]."""
    cost, effect, x = noisy_linear_psa(1500, seed=31)
    w = np.array([10_000.0, 20_000.0])
    res = evppi(cost, effect, x[["x1", "x2"]], w, method="poly", degree=1)
    y = increments(cost, effect)
    design = np.column_stack([np.ones(len(x)), x["x1"], x["x2"]])
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    fitted = design @ beta
    np.testing.assert_allclose(res.raw, [evppi_of_fitted(fitted, wi) for wi in w], rtol=1e-9)
    yc = y - y.mean(axis=0)
    r2 = 1.0 - ((y - fitted) ** 2).sum(axis=0) / (yc**2).sum(axis=0)
    assert 0.2 < r2[0] < 0.9 and r2[1] == pytest.approx(1.0)  # noisy cost, exact effect
    diag = res.diagnostics_frame()
    np.testing.assert_allclose(diag["r_squared"], r2, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(diag["edf"], [3.0, 3.0], rtol=1e-9)
    assert diag["smoothing"].tolist() == [0.0, 0.0]
    assert diag["n_terms"].tolist() == [3, 3]


def test_poly_needs_more_samples_than_terms() -> None:
    """A degree-2 polynomial in 2 parameters has 6 terms: 6 samples are refused, 7 are fitted."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(7, 2))
    cost = rng.normal(size=(7, 2))
    with pytest.raises(
        InputError,
        match="^polynomial of degree 2 in 2 parameters has 6 terms but only 6 samples; lower",
    ):
        evppi(cost[:6], cost[:6], x[:6], 1.0, method="poly", degree=2)
    assert evppi(cost, cost, x, 1.0, method="poly", degree=2).diagnostics[0].n_terms == 6


def test_smoothing_criterion_reaches_the_fit() -> None:
    """REML EVPPI equals the EVPPI of the REML spline fit itself (and differs from GCV)."""
    cost, effect, x = noisy_linear_psa(3000, seed=17)
    w = np.array([20_000.0])
    design, penalties = smoothing.spline_design(x["x1"].to_numpy(), 6)
    y = increments(cost, effect)
    for crit in ("reml", "gcv"):
        fit = smoothing.penalized_fit(design, penalties, y, criterion=crit, posterior=False)
        res = evppi(cost, effect, x[["x1"]], w, smoothing_criterion=crit)
        assert res.raw[0] == pytest.approx(evppi_of_fitted(fit.fitted, 20_000.0), rel=1e-9)
    reml = evppi(cost, effect, x[["x1"]], w, smoothing_criterion="reml")
    gcv = evppi(cost, effect, x[["x1"]], w)
    assert reml.diagnostics[0].smoothing != gcv.diagnostics[0].smoothing


def test_posterior_draws_match_a_draw_by_draw_oracle() -> None:
    """The standard-error draws (three blocks of draws: 10,000 rows x 4 responses) equal a plain
    loop over draws; se is their standard deviation with n - 1 in the denominator. Against the
    reference s0, INB of s1 is about -10 x at WTP 10,000 and 100 + 30 x at 20,000, of s2
    -30 + 10 x and 90 - 10 x (x ~ N(0, 1)), plus noise: the choice hangs on x at both."""
    rng = np.random.default_rng(9)
    n = 10_000
    x = rng.normal(size=n)
    cost = np.column_stack([np.zeros(n), 100 + 50 * x, 150 - 30 * x])
    cost[:, 1:] += rng.normal(0.0, 70.0, (n, 2))
    effect = np.column_stack([np.zeros(n), 0.01 + 0.004 * x, 0.012 - 0.002 * x])
    effect[:, 1:] += rng.normal(0.0, 0.003, (n, 2))
    y = increments(cost, effect)
    design, penalties = smoothing.spline_design(x, 6)
    fit = smoothing.penalized_fit(design, penalties, y, posterior=True)
    wtp = np.array([10_000.0, 20_000.0])
    se, draws = _se_from_posterior(fit, wtp, 2, 120, np.random.default_rng(4))
    expected = posterior_evppi_draws(fit, wtp, 120, seed=4)
    np.testing.assert_allclose(draws, expected, rtol=1e-8, atol=1e-8 * np.abs(expected).max())
    np.testing.assert_allclose(se, expected.std(axis=0, ddof=1), rtol=1e-8)
    assert np.all(draws.mean(axis=0) > 2.0) and np.all(se > 0.01 * draws.mean(axis=0))


def test_se_uses_n_se_draws_and_500_by_default() -> None:
    """evppi(se=True) is the SD over n_se_draws posterior draws (500 unless given) of the
    least-squares fit, drawn from the seed (reference A, which B beats on average)."""
    cost, effect, x = noisy_linear_psa(400, seed=3)
    w = np.array([20_000.0])
    design = smoothing.poly_design(x[["x1"]].to_numpy(), 1)[0]
    fit = smoothing.penalized_fit(design, [], increments(cost, effect, ref=0), posterior=True)
    for n_draws in (40, None):
        kw: dict[str, Any] = {} if n_draws is None else {"n_se_draws": n_draws}
        res = evppi(
            cost, effect, x[["x1"]], w, method="poly", degree=1, se=True, rng=7, reference=0, **kw
        )
        expected = posterior_evppi_draws(fit, w, n_draws or 500, seed=7).std(axis=0, ddof=1)
        assert res.se is not None
        np.testing.assert_allclose(res.se, expected, rtol=1e-8)


def test_gp_options_reach_the_gaussian_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Gaussian process gets the caller's generator and subsample size (500 by default,
    1,000 in the curves); a seed gives the same estimate, another seed another subsample; it
    refuses standard errors."""
    rng = np.random.default_rng(0)
    n = 300
    x = rng.standard_normal((n, 1))
    cost = np.column_stack([np.zeros(n), -(100 + 300 * x[:, 0] + 200 * rng.standard_normal(n))])
    effect = np.zeros((n, 2))
    calls: list[tuple[int, np.random.Generator]] = []
    real_gp_fit = smoothing.gp_fit

    def spy(xx: np.ndarray, yy: np.ndarray, **kw: Any) -> smoothing.PenalizedFit:
        calls.append((kw["n_subsample"], kw["rng"]))
        return real_gp_fit(xx, yy, **kw)

    monkeypatch.setattr(smoothing, "gp_fit", spy)
    gen = np.random.default_rng(1)
    res = evppi(cost, effect, x, 0.0, method="gp", rng=gen)
    assert calls[-1][0] == 500 and calls[-1][1] is gen
    assert res.method == "gp"
    assert res.evppi[0] == pytest.approx(unit_normal_loss(100.0, 300.0), rel=0.25)
    evppi(cost, effect, x, 0.0, method="gp", gp_subsample=120, rng=1)
    assert calls[-1][0] == 120
    evppi_curves(cost, effect, x, [0.0], method="gp", rng=1)
    assert calls[-1][0] == 1000

    def sub(seed: int) -> float:
        return evppi(cost, effect, x, 0.0, method="gp", gp_subsample=100, rng=seed).raw[0]

    assert sub(1) == sub(1) != sub(2)
    with pytest.raises(InputError, match="standard errors are not available for method='gp'"):
        evppi(cost, effect, x, 0.0, method="gp", se=True, rng=1)


def test_results_do_not_freeze_the_callers_arrays(lin: tuple) -> None:
    """The results hold read-only copies: the caller's WTP array stays writeable and changing
    it afterwards changes no result."""
    cost, effect, x = lin
    w = np.array([10_000.0, 20_000.0])
    res = evppi(cost, effect, x[["x1"]], w)
    curves = evppi_curves(cost, effect, x[["x1"]], w)
    nest = evppi_nested(_hand_model, _hand_phi, _hand_psi, w, n_outer=2, n_inner=2, rng=0)
    assert w.flags.writeable
    w[:] = 0.0
    for arr in (res.wtp, nest.wtp):
        np.testing.assert_array_equal(arr, [10_000.0, 20_000.0])
        assert not arr.flags.writeable
    assert curves["wtp"].tolist() == [10_000.0, 20_000.0]


def test_nested_group_name_joins_parameters() -> None:
    """Two outer parameters (a as in the hand example, c = 0 not used by the model): the result
    is named 'a + c' and the EVPPI is the hand example's 0.25."""

    def phi(n: int, g: np.random.Generator) -> dict[str, np.ndarray]:
        return {**_hand_phi(n, g), "c": np.zeros(n)}

    res = evppi_nested(_hand_model, phi, _hand_psi, 1.0, n_outer=2, n_inner=2, rng=0)
    assert (res.name, res.parameters) == ("a + c", ("a", "c"))
    np.testing.assert_allclose(res.evppi, [0.25], rtol=1e-12)


def test_ranking_passes_options_and_keeps_tied_input_order() -> None:
    """Six standardised parameters with INB slopes 700 ... 130 (EVPPI = unit normal loss,
    largest first) interleaved with eleven constant ones (EVPPI 0, a tie kept in input order);
    the options reach every EVPPI; the columns are the documented ones, rows numbered from 0."""
    rng = np.random.default_rng(13)
    n = 20_000
    slopes = [700.0, 500.0, 350.0, 250.0, 180.0, 130.0]
    x = rng.standard_normal((n, len(slopes)))
    x = (x - x.mean(axis=0)) / x.std(axis=0)  # mean INB exactly M
    inb = M + x @ np.array(slopes)
    cost = np.column_stack([np.full(n, 1000.0), 1000.0 - inb / 2.0])
    effect = np.column_stack([np.full(n, 1.0), 1.0 + inb / 40_000.0])
    cols: dict[str, np.ndarray] = {}
    for j in range(17):
        cols[f"p{j:02d}"] = x[:, j // 3] if j % 3 == 0 else np.ones(n)
    with pytest.warns(InputWarning, match="constant"):
        rank = evppi_ranking(cost, effect, cols, 20_000.0, method="poly")
    assert list(rank.columns) == [
        "rank", "name", "kind", "parameters", "evppi", "se", "evpi", "share", "method",
    ]  # fmt: skip
    assert rank.index.tolist() == list(range(17))
    informative = [f"p{j:02d}" for j in range(0, 17, 3)]
    constant = [f"p{j:02d}" for j in range(17) if j % 3]
    assert rank["name"].tolist() == informative + constant
    expected = [unit_normal_loss(M, s) for s in slopes]
    # each single-parameter fit has the other parameters as residual (SD ~1,000): its slope is
    # off by ~1,000 / sqrt(n) ~ 7 and the EVPPI by ~0.35 x 7 ~ 2.5 per SE; allow 3 SE
    np.testing.assert_allclose(rank["evppi"][:6], expected, rtol=0.02, atol=8.0)
    assert rank["method"].tolist() == ["poly"] * 6 + ["constant"] * 11


def test_curves_share_of_small_and_zero_evpi() -> None:
    """B costs 1 more and gains 0.001 (1 + x) QALY, x ~ N(0, 1): at WTP 0 EVPI is 0 (share NaN);
    at WTP 1,000 INB = x, so EVPI = E[max(0, x)] = 1 / sqrt(2 pi) ~ 0.40 < 1, and x is the only
    uncertainty, so EVPPI = EVPI (share 1)."""
    x = np.random.default_rng(23).standard_normal(4000)
    cost = np.column_stack([np.zeros(4000), np.ones(4000)])
    effect = np.column_stack([np.zeros(4000), 0.001 * (1.0 + x)])
    curves = evppi_curves(cost, effect, {"x": x}, [0.0, 1000.0])
    assert curves["evpi"].tolist()[0] == 0.0 and curves["evppi"].tolist()[0] == 0.0
    assert curves["evpi"][1] == pytest.approx(1.0 / np.sqrt(2.0 * np.pi), abs=0.04)
    assert np.isnan(curves["share"][0])
    assert curves["share"][1] == pytest.approx(1.0, abs=1e-6)


def test_empty_diagnostics_float_se_and_missing_group() -> None:
    """A constant group has no fits: an empty diagnostics table with the documented columns;
    standard errors not computed are a float column of NaN; an unknown group name is a
    KeyError naming it."""
    rng = np.random.default_rng(0)
    cost = rng.normal(size=(50, 2))
    with pytest.warns(InputWarning, match="constant"):
        res = evppi(cost, cost, {"k": np.ones(50)}, 1.0)
    diag = res.diagnostics_frame()
    assert list(diag.columns) == ["response", "edf", "r_squared", "smoothing", "n_terms"]
    assert len(diag) == 0
    frame = res.to_frame()
    assert frame["se"].dtype == np.float64 and frame["se"].isna().all()
    with pytest.raises(KeyError, match="'nope'"):
        EVPPIResults((res,))["nope"]


# ------------------------------------------------------------------ kernel and input checks


def evpi_by_hand(cost: np.ndarray, effect: np.ndarray, w: float) -> float:
    """``mean_i max_d NB_id - max_d mean_i NB_id`` with ``NB = w E - C``, straight from the
    definition (no reference strategy, no blocks)."""
    nb = w * effect - cost
    return float(nb.max(axis=1).mean() - nb.mean(axis=0).max())


def test_kernel_over_blocks_matches_the_definition() -> None:
    """300 WTP values (two blocks of at most 256) x 1,000 samples (four blocks of 256) x 4
    strategies: EVPI is the definition's, and raw EVPPI of the only parameter is the
    definition's on numpy's least-squares fit."""
    rng = np.random.default_rng(29)
    n = 1000
    x = rng.normal(size=n)
    cost = np.column_stack([np.zeros(n), 200 + 80 * x, 400 - 60 * x, 300 + 10 * x])
    effect = np.column_stack([np.zeros(n), 0.01 + 0.004 * x, 0.02 - 0.003 * x, 0.015 + 0 * x])
    cost[:, 1:] += rng.normal(0, 30, (n, 3))
    effect[:, 1:] += rng.normal(0, 0.002, (n, 3))
    w = np.linspace(0.0, 60_000.0, 300)
    res = evppi(cost, effect, {"x": x}, w, method="poly", degree=1)
    np.testing.assert_allclose(
        res.evpi, [evpi_by_hand(cost, effect, wi) for wi in w], rtol=1e-9, atol=1e-9
    )
    design = np.column_stack([np.ones(n), x])
    fitted = design @ np.linalg.lstsq(design, increments(cost, effect), rcond=None)[0]
    expected_raw = [evppi_of_fitted(fitted, wi) for wi in w]
    np.testing.assert_allclose(res.raw, expected_raw, rtol=1e-8, atol=1e-8)
    assert np.all(res.evppi <= res.evpi) and res.evpi.max() > 10.0


def test_one_dimensional_outcomes_and_wtp_shapes() -> None:
    """1-D cost and effect are one strategy (EVPPI 0); a scalar WTP is a grid of one; a 2-D or
    empty grid, NaN WTP, 3-D outcomes and NaN or infinite outcomes are refused."""
    rng = np.random.default_rng(1)
    c = rng.normal(size=30)
    x = {"p": rng.normal(size=30)}
    one = evppi(c, c, x, 5.0)
    assert one.method == "constant" and one.evppi.tolist() == [0.0] and one.wtp.tolist() == [5.0]
    assert one.evpi.tolist() == [0.0] and one.diagnostics == ()
    cost = np.column_stack([c, c + 1.0])
    with pytest.raises(
        InputError, match=r"^wtp must be a number or a 1-D grid; got shape \(1, 2\)$"
    ):
        evppi(cost, cost, x, [[1.0, 2.0]])
    with pytest.raises(InputError, match=r"got shape \(0,\)$"):
        evppi(cost, cost, x, [])
    with pytest.raises(InputError, match="^wtp contains NaN or infinite values$"):
        evppi(cost, cost, x, [1.0, np.nan])
    with pytest.raises(InputError, match=r"must be 2-D .*got shapes \(30, 2, 1\) and \(30, 2\)$"):
        evppi(cost[:, :, None], cost, x, 1.0)
    with pytest.raises(InputError, match=r"got shapes \(30, 2\) and \(30, 2, 1\)$"):
        evppi(cost, cost[:, :, None], x, 1.0)
    for bad_cost, bad_effect in ((np.inf, 0.0), (0.0, np.nan)):
        c2, e2 = cost.copy(), cost.copy()
        c2[3, 1] += bad_cost
        e2[4, 0] += bad_effect
        with pytest.raises(InputError, match="^cost or effect contains NaN or infinite values$"):
            evppi(c2, e2, x, 1.0)
    with pytest.raises(InputError, match=r"^cost has shape \(30, 2\) but effect has shape \(30,"):
        evppi(cost, c, x, 1.0)
    # two samples are enough: NB of B over A is -1 and +1 at WTP 0, so EVPI = (0 + 1) / 2 - 0
    with pytest.warns(InputWarning, match="constant"):
        two = evppi([[0.0, 1.0], [0.0, -1.0]], np.zeros((2, 2)), {"k": [1.0, 1.0]}, 0.0)
    assert two.evpi.tolist() == [0.5] and two.evppi.tolist() == [0.0]


def test_parameters_in_every_form_and_their_errors() -> None:
    """Parameters as a DataFrame, a mapping or an array (1-D: one column 'p0'); wrong shapes,
    names, duplicates, non-numeric values and an empty table are refused with the name."""
    rng = np.random.default_rng(4)
    n = 40
    cost = np.column_stack([np.zeros(n), rng.normal(size=n)])
    a, b = rng.normal(size=n), rng.normal(size=n)
    plain = evppi(cost, cost, a, 1.0)
    assert plain.parameters == ("p0",) and plain.name == "p0"
    two = evppi(cost, cost, np.column_stack([a, b]), 1.0)
    assert two.parameters == ("p0", "p1") and two.name == "p0 + p1"
    named = evppi(cost, cost, np.column_stack([a, b]), 1.0, parameter_names=["a", "b"])
    assert named.name == "a + b"
    frame = evppi(cost, cost, pd.DataFrame({"a": a, "b": b}), 1.0)
    mapping = evppi(cost, cost, {"a": a, "b": b}, 1.0)
    np.testing.assert_array_equal(frame.evppi, named.evppi)
    np.testing.assert_array_equal(mapping.evppi, named.evppi)
    with pytest.raises(InputError, match=r"^parameters contain non-numeric values \("):
        evppi(cost, cost, pd.DataFrame({"a": ["x"] * n}), 1.0)
    with pytest.raises(InputError, match=r"^parameter 'b' has shape \(39,\); the PSA has 40"):
        evppi(cost, cost, {"a": a, "b": b[:39]}, 1.0)
    with pytest.raises(InputError, match=r"^parameters must be 2-D .*; got \(40, 2, 1\)$"):
        evppi(cost, cost, np.ones((n, 2, 1)), 1.0)
    with pytest.raises(InputError, match="^1 parameter names for 2 parameter columns$"):
        evppi(cost, cost, np.column_stack([a, b]), 1.0, parameter_names=["a"])
    with pytest.raises(InputError, match=r"^duplicate parameter names: \['a'\]$"):
        evppi(cost, cost, np.column_stack([a, b, a]), 1.0, parameter_names=["a", "b", "a"])
    with pytest.raises(InputError, match="^parameters has no columns$"):
        evppi(cost, cost, {}, 1.0)
    bad = np.column_stack([a, b, b])
    bad[2, 1] = np.inf
    bad[5, 2] = np.nan
    with pytest.raises(InputError, match=r"NaN or infinite values: \['p1', 'p2'\]$"):
        evppi(cost, cost, bad, 1.0)


def test_groups_labels_and_errors() -> None:
    """A list gives groups named by their joined columns (a bare name is a group of one,
    repeats dropped); a mapping keeps its labels; an empty group is refused; an unknown name
    lists at most 12 known ones."""
    rng = np.random.default_rng(8)
    n = 60
    cols = {f"q{j:02d}": rng.normal(size=n) for j in range(14)}
    cost = np.column_stack([np.zeros(n), cols["q00"] + rng.normal(size=n)])
    res = evppi(cost, cost, cols, 1.0, groups=["q00", ["q01", "q02", "q01"]])
    assert res.names == ("q00", "q01 + q02 + q01")
    assert res.results[1].parameters == ("q01", "q02")
    named = evppi(cost, cost, cols, 1.0, groups={"one": "q03", "two": ["q04", "q05"]})
    assert [(r.name, r.parameters) for r in named.results] == [
        ("one", ("q03",)), ("two", ("q04", "q05")),
    ]  # fmt: skip
    with pytest.raises(InputError, match="^group 'empty' has no parameters$"):
        evppi(cost, cost, cols, 1.0, groups={"empty": []})
    shown = ", ".join(f"q{j:02d}" for j in range(12)) + ", ..."
    with pytest.raises(
        InputError, match=rf"unknown parameter\(s\) \['z'\]; known parameters: {shown}$"
    ):
        evppi(cost, cost, cols, 1.0, groups=[["z"]])
    few = {k: cols[k] for k in ("q00", "q01")}
    with pytest.raises(InputError, match=r"known parameters: q00, q01$"):
        evppi(cost, cost, few, 1.0, groups=[["z"]])
    for count, tail in ((12, ""), (13, ", ...")):
        some = {k: cols[k] for k in list(cols)[:count]}
        with pytest.raises(InputError, match=rf"known parameters: {shown[:-5]}{tail}$"):
            evppi(cost, cost, some, 1.0, groups=[["z"]])


@pytest.mark.filterwarnings("ignore::peer_econ.errors.EstimationWarning")
def test_strategy_names_and_reference() -> None:
    """Labels s0, s1, ... by default; the reference is the lowest mean cost (ties: the lowest
    mean effect), or given by name or index; wrong names, counts and indices are refused."""
    rng = np.random.default_rng(6)
    n = 50
    x = {"p": rng.normal(size=n)}
    cost = np.column_stack([np.full(n, 5.0), np.full(n, 5.0), 10 + x["p"]])
    effect = np.column_stack([np.full(n, 0.2), np.full(n, 0.1), 0.3 + 0 * x["p"]])

    def responses(**kw: Any) -> list[str]:
        return [d.response for d in evppi(cost, effect, x, 1.0, **kw).diagnostics]

    # s0 and s1 tie on cost; s1 has the lower effect, so s1 is the reference
    assert responses() == [
        "cost[s0] - cost[s1]", "cost[s2] - cost[s1]", "effect[s0] - effect[s1]",
        "effect[s2] - effect[s1]",
    ]  # fmt: skip
    labels = ["A", "B", "C"]
    assert responses(strategies=labels, reference="C")[:2] == [
        "cost[A] - cost[C]",
        "cost[B] - cost[C]",
    ]
    assert responses(strategies=labels, reference=0)[:2] == [
        "cost[B] - cost[A]",
        "cost[C] - cost[A]",
    ]
    with pytest.raises(
        InputError, match=r"^reference strategy 'D' is not one of \['A', 'B', 'C'\]$"
    ):
        evppi(cost, effect, x, 1.0, strategies=labels, reference="D")
    for index in (3, -1):
        with pytest.raises(
            InputError, match=rf"^reference strategy index {index} is outside 0..2$"
        ):
            evppi(cost, effect, x, 1.0, reference=index)
    with pytest.raises(
        InputError, match=r"^2 strategy names for 3 strategies \(columns of cost\)$"
    ):
        evppi(cost, effect, x, 1.0, strategies=["A", "B"])


def test_constant_group_with_standard_errors_and_option_checks() -> None:
    """A constant group: EVPPI, raw and se 0 at every WTP, EVPI still the PSA's, method
    'constant'; n_se_draws must be >= 2 (2 is fine); the criterion must be known."""
    rng = np.random.default_rng(12)
    n = 80
    p = rng.normal(size=n)
    cost = np.column_stack([np.zeros(n), 10 * p])
    w = [0.0, 1.0]
    with pytest.warns(InputWarning, match="constant"):
        res = evppi(cost, cost, {"k": np.ones(n)}, w, se=True, rng=0)
    assert res.wtp.tolist() == w
    assert res.se is not None and res.se.tolist() == [0.0, 0.0]
    assert res.evppi.tolist() == [0.0, 0.0] and res.raw.tolist() == [0.0, 0.0]
    np.testing.assert_allclose(res.evpi, [evpi_by_hand(cost, cost, wi) for wi in w], rtol=1e-12)
    assert (res.method, res.parameters, res.name) == ("constant", ("k",), "k")
    ok = evppi(cost, cost, {"p": p}, w, method="poly", degree=1, se=True, n_se_draws=2, rng=0)
    assert ok.se is not None and ok.se.shape == (2,)
    with pytest.raises(InputError, match="^n_se_draws = 1; use at least 2$"):
        evppi(cost, cost, {"p": p}, w, se=True, n_se_draws=1)
    with pytest.raises(
        InputError, match=r"^unknown smoothing criterion 'aic'; choose one of \['gcv', 'reml'\]$"
    ):
        evppi(cost, cost, {"p": p}, w, smoothing_criterion="aic")


def test_overfitted_line_is_clipped_to_evpi_with_a_warning_naming_the_group() -> None:
    """x uniform on (0, 1); B costs 1 more than A below x = 0.5 and the same above, so at WTP 0
    B is never better and EVPI = 0. The least-squares line of INB on x is
    -0.5 + 1.5 (x - 0.5), positive above x = 5/6: raw EVPPI = int_{5/6}^1 (1.5 x - 1.25) dx
    = 1/48 > EVPI, clipped to 0 with a warning that names the group."""
    n = 6000
    x = (np.arange(n) + 0.5) / n
    cost = np.column_stack([np.zeros(n), np.where(x < 0.5, 1.0, 0.0)])
    effect = np.zeros((n, 2))
    with pytest.warns(EstimationWarning, match=r"^EVPPI of 'step' was above EVPI at 1 WTP"):
        res = evppi(cost, effect, {"x": x}, 0.0, groups={"step": ["x"]}, method="poly", degree=1)
    one = res["step"]
    assert one.evpi.tolist() == [0.0] and one.evppi.tolist() == [0.0]
    assert one.raw[0] == pytest.approx(1.0 / 48.0, rel=1e-3)


def test_inputs_of_any_float_type_are_read_as_float64() -> None:
    """Outcomes and parameters given in float32 give exactly the results of the same values in
    float64 (no single-precision arithmetic on the way: A's outcomes are far smaller than B's,
    so their differences round in float32); an empty mapping of parameters is an (n, 0)
    table, refused by evppi."""
    rng = np.random.default_rng(37)
    n = 1000
    x = rng.normal(size=(n, 2))
    small = 0.1 + 0.01 * rng.random((n, 2))
    cost = np.column_stack([small[:, 0], 1000.0 + 300.0 * x[:, 0] + rng.normal(0, 100, n)])
    effect = np.column_stack([small[:, 1], 1.0 + 0.02 * x[:, 1] + rng.normal(0, 0.005, n)])
    c32, e32, x32 = cost.astype(np.float32), effect.astype(np.float32), x.astype(np.float32)
    w = [1_000.0, 1_200.0]  # INB of B about 0.9 w - 1,000: the choice is open
    as64 = evppi(c32.astype(np.float64), e32.astype(np.float64), x32[:, :2].astype(np.float64), w)
    for params in (x32[:, :2], {"p0": x32[:, 0], "p1": x32[:, 1]}):
        got = evppi(c32, e32, params, w)
        np.testing.assert_array_equal(got.raw, as64.raw)
        np.testing.assert_array_equal(got.evpi, as64.evpi)
    assert np.all(as64.evppi > 10.0)
    table, names = _as_parameters({}, 7, None)
    assert table.shape == (7, 0) and names == ()
