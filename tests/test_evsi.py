"""Tests of peer_econ.analysis.evsi: trial design, regression EVSI, ENBS and optimal sample size."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from peer_econ.analysis.evsi import (
    EVSICurve,
    TwoArmUtilityTrial,
    enbs,
    evsi_by_sample_size,
    evsi_regression,
    optimal_sample_size,
)
from peer_econ.analysis.voi import evppi, population_value
from peer_econ.errors import InputError

WTP = 20_000.0


def unit_normal_loss(m: float, s: float) -> float:
    return float(s * stats.norm.pdf(m / s) + m * stats.norm.cdf(m / s) - max(0.0, m))


def utility_psa(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, dict, np.ndarray]:
    """PEER-like PSA: QALY gain = delta_u * (0.25 + 0.75 * g12) (gain over a year, decaying).

    delta_u ~ N(0.03, 0.02^2), g12 ~ Beta(2, 3), the cost difference ~ N(400, 100^2) does not
    depend on what the trial measures. Two strategies (SAU, PEER).
    """
    rng = np.random.default_rng(seed)
    du = rng.normal(0.03, 0.02, n)
    g12 = rng.beta(2.0, 3.0, n)
    dc = rng.normal(400.0, 100.0, n)
    qaly = du * (0.25 + 0.75 * g12)
    cost = np.column_stack([np.zeros(n), dc])
    effect = np.column_stack([np.zeros(n), qaly])
    draws = {"delta_u_post": du, "remaining_fraction_12m": g12}
    return cost, effect, draws, dc


# ------------------------------------------------------------------ the design (a)


def test_covariance_hand_calculation() -> None:
    """sigma = 0.2, n = 50, rho = 0.5, 80 % seen at 12 m (n12 = 40):
    var3 = 2 * 0.04 / 50 = 0.0016; var12 = 2 * 0.04 / 40 = 0.002;
    cov = 2 * 0.5 * 0.04 / 50 = 0.0008."""
    d = TwoArmUtilityTrial(50, sd_individual_utility=0.2, retention=(1.0, 0.8))
    np.testing.assert_allclose(d.covariance(), [[0.0016, 0.0008], [0.0008, 0.002]])
    assert d.statistic_names == ("mean_diff_3m", "mean_diff_12m")
    assert d.required_draws == ("delta_u_post", "remaining_fraction_12m")
    assert d.n_participants == 100


def test_simulate_mean_and_spread() -> None:
    n = 200_000
    draws = {"delta_u_post": np.full(n, 0.05), "remaining_fraction_12m": np.full(n, 0.4)}
    d = TwoArmUtilityTrial(100)
    t = d.simulate(draws, rng=0)
    assert t.shape == (n, 2)
    np.testing.assert_allclose(t.mean(axis=0), [0.05, 0.02], atol=3e-4)
    np.testing.assert_allclose(np.cov(t.T), d.covariance(), rtol=0.02)
    np.testing.assert_array_equal(t, d.simulate(draws, rng=0))


def test_simulate_adds_correlated_noise_to_the_expected_statistics() -> None:
    """Given standard normals Z, the statistics are mu + Z L' with L L' the covariance (so the
    same Z gives the same study whatever the sample size: common random numbers)."""
    _, _, draws, _ = utility_psa(5, seed=2)
    design = TwoArmUtilityTrial(50, sd_individual_utility=0.2, retention=(1.0, 0.8))
    z = np.random.default_rng(9).standard_normal((5, 2))
    chol = np.linalg.cholesky(design.covariance())
    expected = design.expected_statistics(draws) + z @ chol.T
    np.testing.assert_allclose(design.simulate(draws, standard_normals=z), expected, rtol=1e-12)
    seeded = design.simulate(draws, rng=4)
    np.testing.assert_array_equal(seeded, design.simulate(draws, rng=4))


def test_evsi_curve_is_reproducible_with_a_seed() -> None:
    cost, effect, draws, _ = utility_psa(2_000, seed=3)
    wtp = np.array([20_000.0])
    design = TwoArmUtilityTrial(10)
    a = evsi_by_sample_size(cost, effect, draws, design, [20, 200], wtp, rng=5)
    b = evsi_by_sample_size(cost, effect, draws, design, [20, 200], wtp, rng=5)
    np.testing.assert_array_equal(a.evsi, b.evsi)
    c = evsi_by_sample_size(cost, effect, draws, design, [20, 200], wtp, rng=6)
    assert not np.array_equal(a.evsi, c.evsi)


def test_design_bad_input() -> None:
    with pytest.raises(InputError, match="n_per_arm = 1"):
        TwoArmUtilityTrial(1)
    with pytest.raises(InputError, match="sd_individual_utility"):
        TwoArmUtilityTrial(10, sd_individual_utility=0.0)
    with pytest.raises(InputError, match="increasing"):
        TwoArmUtilityTrial(10, followup_months=(12, 3))
    with pytest.raises(InputError, match=r"needs draws \['remaining_fraction_12m'\]"):
        TwoArmUtilityTrial(10).simulate({"delta_u_post": np.zeros(3)}, rng=0)
    with pytest.raises(InputError, match=r"remaining_fraction_12m must lie in \[0, 1\]"):
        TwoArmUtilityTrial(10).simulate(
            {"delta_u_post": np.zeros(3), "remaining_fraction_12m": np.full(3, 2.0)}, rng=0
        )


# ------------------------------------------------------------------ analytic EVSI (c)


def test_evsi_normal_normal_closed_form() -> None:
    """INB = WTP * delta - 400 with delta ~ N(0.03, 0.02^2); one follow-up T ~ N(delta, v),
    v = 2 sigma^2 / n. E[INB | T] ~ N(200, (WTP s^2)^2 / (s^2 + v)), so EVSI is the unit normal
    loss with that SD: sigma = 0.22, n = 50 gives v = 0.001936, SD = 400 sqrt(0.171) = 165.6."""
    n = 40_000
    rng = np.random.default_rng(2)
    du = rng.normal(0.03, 0.02, n)
    cost = np.column_stack([np.zeros(n), np.full(n, 400.0)])
    effect = np.column_stack([np.zeros(n), du])
    design = TwoArmUtilityTrial(50, followup_months=(3.0,))
    t = design.simulate({"delta_u_post": du}, rng=3)
    res = evsi_regression(cost, effect, t, WTP)
    s2, v = 0.02**2, 2 * 0.22**2 / 50
    expected = unit_normal_loss(200.0, WTP * s2 / np.sqrt(s2 + v))
    assert res.evsi[0] == pytest.approx(expected, rel=0.06)
    assert res.statistics == ("p0",)


# ------------------------------------------------------------------ properties (e)


@pytest.fixture(scope="module")
def curve_case() -> tuple:
    cost, effect, draws, dc = utility_psa(20_000, seed=7)
    wtp = np.array([10_000.0, 20_000.0, 30_000.0])
    sizes = [10, 50, 200, 1000, 10**7]
    curve = evsi_by_sample_size(cost, effect, draws, TwoArmUtilityTrial(10), sizes, wtp, rng=1)
    informed = evppi(cost, effect, draws, wtp)
    return curve, informed


def test_evsi_increases_with_n(curve_case: tuple) -> None:
    curve, informed = curve_case
    assert isinstance(curve, EVSICurve)
    assert curve.evsi.shape == (5, 3)
    tol = 0.02 * informed.evpi
    assert np.all(np.diff(curve.evsi, axis=0) >= -tol)
    assert np.all(curve.evsi[-1] > curve.evsi[0])


def test_evsi_below_evppi_of_informed_parameters(curve_case: tuple) -> None:
    curve, informed = curve_case
    tol = 0.03 * informed.evpi
    assert np.all(curve.evsi <= informed.evppi + tol)
    np.testing.assert_allclose(curve.evsi[-1], informed.evppi, rtol=0.05, atol=1e-6)
    assert np.all(informed.evppi <= informed.evpi)


def test_curve_to_frame(curve_case: tuple) -> None:
    curve, _ = curve_case
    frame = curve.to_frame()
    assert list(frame.columns) == ["n_per_arm", "wtp", "evsi", "evpi"]
    assert len(frame) == 15


# ------------------------------------------------------------------ ENBS (a)


def test_enbs_and_optimal_n_hand_calculation() -> None:
    """Population EVSI 100k / 180k / 200k at n = 50 / 100 / 200 per arm; fixed 50k, 200 per
    participant: costs 70k / 90k / 130k, ENBS 30k / 90k / 70k -> n* = 100."""
    n = np.array([50, 100, 200])
    e = enbs([100_000.0, 180_000.0, 200_000.0], 50_000.0, 200.0, n)
    np.testing.assert_allclose(e, [30_000.0, 90_000.0, 70_000.0])
    n_opt, best = optimal_sample_size(n, e)
    assert float(n_opt) == 100.0 and float(best) == 90_000.0
    e2 = enbs(np.array([[1.0, 100_000.0], [2.0, 180_000.0], [3.0, 200_000.0]]), 50_000.0, 200.0, n)
    n_opt2, best2 = optimal_sample_size(n, e2)
    np.testing.assert_array_equal(n_opt2, [0.0, 100.0])  # study not worth it at the first WTP
    np.testing.assert_array_equal(best2, [0.0, 90_000.0])
    with pytest.raises(InputError, match="study costs"):
        enbs([1.0], -1.0, 0.0, [10])
    with pytest.raises(InputError, match="study costs"):
        enbs([1.0], 0.0, -1.0, [10])
    # a free study is allowed: ENBS = population EVSI
    np.testing.assert_array_equal(enbs([5.0, 7.0], 0.0, 0.0, [10, 20]), [5.0, 7.0])
    np.testing.assert_array_equal(enbs([5.0], 0.5, 0.25, [1]), [4.0])  # 5 - (0.5 + 2 x 0.25)


def test_optimal_sample_size_needs_a_positive_enbs() -> None:
    """n* is the size with the largest ENBS only when that ENBS is > 0 (a study worth 0.5 is
    still worth running); at exactly 0 the study is not run."""
    n = np.array([10.0, 20.0])
    n_opt, best = optimal_sample_size(n, np.array([[0.0, 0.5], [-1.0, 0.25]]))
    np.testing.assert_array_equal(n_opt, [0.0, 10.0])
    np.testing.assert_array_equal(best, [0.0, 0.5])
    single, value = optimal_sample_size(n, np.array([-3.0, 0.5]))
    assert float(single) == 20.0 and float(value) == 0.5
    with pytest.raises(InputError, match="3 rows for 2 sample sizes"):
        optimal_sample_size(n, np.zeros((3, 1)))


def test_population_enbs_pipeline(curve_case: tuple) -> None:
    """Population EVSI = EVSI x 500 x sum_{t<10} 1.035^-t; ENBS = that - (300,000 + 2 n x
    1,500); the optimum per WTP is the largest ENBS and its n, or (0, 0) when none is > 0."""
    curve, _ = curve_case
    pop = population_value(curve.evsi, 500.0, 10, 0.035)
    multiplier = 500.0 * sum(1.035**-t for t in range(10))
    np.testing.assert_allclose(pop, curve.evsi * multiplier, rtol=1e-12)
    e = enbs(pop, 300_000.0, 1_500.0, curve.n_per_arm)
    n = np.asarray(curve.n_per_arm, dtype=float)
    np.testing.assert_allclose(e, pop - (300_000.0 + 2 * n * 1_500.0)[:, None], rtol=1e-12)
    n_opt, best = optimal_sample_size(curve.n_per_arm, e)
    assert n_opt.shape == (3,)
    top = e.max(axis=0)
    np.testing.assert_array_equal(best, np.where(top > 0, top, 0.0))
    np.testing.assert_array_equal(n_opt, np.where(top > 0, n[e.argmax(axis=0)], 0.0))


def test_evsi_regression_passes_every_option_to_the_regression() -> None:
    """EVSI by regression is the EVPPI of the simulated statistics: the same numbers, fields
    and options (reference, labels, standard errors, seed) as :func:`voi.evppi` on them."""
    cost, effect, draws, _ = utility_psa(3_000, seed=12)
    design = TwoArmUtilityTrial(50)
    stats = design.simulate(draws, rng=1)
    wtp = np.array([10_000.0, 30_000.0])
    names = ["m3", "m12"]
    res = evsi_regression(
        cost, effect, stats, wtp, statistic_names=names, n_se_draws=50,
        strategies=["SAU", "PEER"], reference="PEER", se=True, rng=3,
    )  # fmt: skip
    ref = evppi(
        cost, effect, stats, wtp, parameter_names=names, n_se_draws=50,
        strategies=["SAU", "PEER"], reference="PEER", se=True, rng=3,
    )  # fmt: skip
    assert res.statistics == ("m3", "m12")
    np.testing.assert_array_equal(res.wtp, wtp)
    np.testing.assert_array_equal(res.evsi, ref.evppi)
    np.testing.assert_array_equal(res.evpi, ref.evpi)
    np.testing.assert_array_equal(res.raw, ref.raw)
    assert res.se is not None and ref.se is not None
    np.testing.assert_array_equal(res.se, ref.se)
    assert res.method == ref.method == "tensor"
    assert res.diagnostics == ref.diagnostics
    assert res.diagnostics[0].response == "cost[SAU] - cost[PEER]"


def test_curve_keeps_grid_evpi_and_method_and_tabulates_by_size_then_wtp() -> None:
    """The curve holds the size grid (as floats), the WTP grid, the EVPI of the PSA and the
    method the regression used; each row of the table is one (size, WTP) pair, sizes outer."""
    cost, effect, draws, _ = utility_psa(2_000, seed=3)
    wtp = np.array([10_000.0, 30_000.0])
    design = TwoArmUtilityTrial(10)
    curve = evsi_by_sample_size(cost, effect, draws, design, [20, 200, 2000], wtp, rng=4)
    np.testing.assert_array_equal(curve.n_per_arm, [20.0, 200.0, 2000.0])
    assert curve.n_per_arm.dtype == np.float64
    np.testing.assert_array_equal(curve.wtp, wtp)
    single = evsi_regression(cost, effect, design.with_n(2000).simulate(draws, rng=4), wtp)
    np.testing.assert_allclose(curve.evpi, single.evpi, rtol=1e-12)
    assert curve.method == single.method
    frame = curve.to_frame()
    assert frame["n_per_arm"].tolist() == [20, 20, 200, 200, 2000, 2000]
    assert frame["n_per_arm"].dtype.kind == "i"
    assert frame["wtp"].tolist() == [10_000.0, 30_000.0] * 3
    np.testing.assert_array_equal(frame["evsi"], curve.evsi.ravel())
    np.testing.assert_array_equal(frame["evpi"], np.tile(curve.evpi, 3))
    one = evsi_by_sample_size(cost, effect, draws, design, [50], wtp, rng=4)
    assert one.evsi.shape == (1, 2)


@pytest.mark.parametrize("sizes", [[], [[20, 200]]])
def test_curve_needs_a_one_dimensional_grid(sizes: list) -> None:
    cost, effect, draws, _ = utility_psa(200, seed=3)
    with pytest.raises(
        InputError, match=r"^n_per_arm must be a non-empty 1-D grid of whole numbers >= 2$"
    ):
        evsi_by_sample_size(cost, effect, draws, TwoArmUtilityTrial(10), sizes, WTP, rng=1)


def test_enbs_messages() -> None:
    with pytest.raises(InputError, match=r"^study costs must be >= 0$"):
        enbs([1.0], -1.0, 0.0, [10])
    with pytest.raises(InputError, match=r"^evsi_population has 1 rows for 2 sample sizes$"):
        enbs([1.0], 0.0, 0.0, [10, 20])
    with pytest.raises(InputError, match=r"^evsi_population has 2 rows for 4 sample sizes$"):
        enbs([1.0, 2.0], 0.0, 0.0, [[10, 20], [30, 40]])


def test_options_reach_the_regression_from_the_curve_and_by_default() -> None:
    """The curve passes its method and smoothing criterion on (poly / REML give other numbers
    than the default tensor spline / GCV); EVSI by regression computes no standard error by
    default and uses 500 draws for it when asked, as EVPPI does."""
    cost, effect, draws, _ = utility_psa(1_500, seed=12)
    design = TwoArmUtilityTrial(50)
    wtp = np.array([10_000.0, 30_000.0])
    z = np.random.default_rng(4).standard_normal((1_500, 2))
    stats = design.simulate(draws, standard_normals=z)
    for method, criterion in (("poly", "gcv"), ("tensor", "reml")):
        curve = evsi_by_sample_size(
            cost, effect, draws, design, [50], wtp, method=method,
            smoothing_criterion=criterion, rng=4,
        )  # fmt: skip
        ref = evppi(cost, effect, stats, wtp, method=method, smoothing_criterion=criterion)
        np.testing.assert_array_equal(curve.evsi[0], ref.evppi)
        direct = evsi_regression(
            cost, effect, stats, wtp, method=method, smoothing_criterion=criterion
        )
        np.testing.assert_array_equal(direct.evsi, ref.evppi)
        assert curve.method == direct.method == method
    default = evppi(cost, effect, stats, wtp)
    assert not np.array_equal(default.evppi, evppi(cost, effect, stats, wtp, method="poly").evppi)
    assert evsi_regression(cost, effect, stats, wtp).se is None
    with_se = evsi_regression(cost, effect, stats, wtp, se=True, rng=3)
    ref_se = evppi(cost, effect, stats, wtp, se=True, n_se_draws=500, rng=3)
    assert with_se.se is not None and ref_se.se is not None
    np.testing.assert_array_equal(with_se.se, ref_se.se)


def test_design_bounds_and_messages() -> None:
    """Two per arm, a correlation of 0 and follow-ups given as a list are allowed (kept as a
    tuple of floats); equal follow-up times, a correlation of 1 or more, a 2-D or shorter
    remaining fraction are not; remaining fractions of exactly 0 and 1 are allowed."""
    assert TwoArmUtilityTrial(2).n_participants == 4
    months: Any = [3, 12]  # a list of whole months, as a user may give it
    design = TwoArmUtilityTrial(10, followup_months=months, within_person_correlation=0.0)
    assert design.followup_months == (3.0, 12.0)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"followup_months": (3, 3)}, "give increasing times"),
        ({"within_person_correlation": 1.0}, r"within_person_correlation = 1\.0; use \[0, 1\)"),
        ({"within_person_correlation": 1.5}, r"within_person_correlation = 1\.5"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InputError, match=message):
            TwoArmUtilityTrial(10, **kwargs)
    ends = {"delta_u_post": np.array([0.1, 0.2]), "remaining_fraction_12m": np.array([0.0, 1.0])}
    np.testing.assert_array_equal(
        TwoArmUtilityTrial(10).expected_statistics(ends), [[0.1, 0.0], [0.2, 0.2]]
    )
    with pytest.raises(
        InputError, match=r"^delta_u_post must be a finite 1-D array \(n_samples,\)$"
    ):
        TwoArmUtilityTrial(10, followup_months=(1.0,)).expected_statistics(
            {"delta_u_post": np.zeros((2, 2))}
        )
    short = {"delta_u_post": np.zeros(3), "remaining_fraction_12m": np.zeros(2)}
    with pytest.raises(
        InputError, match=r"^remaining_fraction_12m has shape \(2,\); delta_u_post has \(3,\)$"
    ):
        TwoArmUtilityTrial(10).expected_statistics(short)


def test_retention_bounds_and_messages() -> None:
    """Retention is one value per follow-up in (0, 1], non-increasing (equal allowed), kept as a
    tuple of floats."""
    kept: Any = [1, 0.8]
    assert TwoArmUtilityTrial(10, retention=kept).retention == (1.0, 0.8)
    assert TwoArmUtilityTrial(10, retention=(0.8, 0.8)).retention == (0.8, 0.8)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"retention": (1.0,)}, r"^retention has 1 values for 2 follow-ups$"),
        ({"retention": (1.0, 0.0)}, r"retention = \(1\.0, 0\.0\); use non-increasing"),
        ({"retention": (1.5, 1.0)}, r"retention = \(1\.5, 1\.0\)"),
        (
            {"followup_months": (3.0, 12.0, 24.0), "retention": (1.0, 0.8, 0.9)},
            r"retention = \(1\.0, 0\.8, 0\.9\)",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(InputError, match=message):
            TwoArmUtilityTrial(10, **kwargs)
