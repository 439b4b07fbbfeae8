"""Tests of ``peer_econ.parameters.distributions``.

Kinds (STYLE 3.3 item 7): (a) hand-calculated method-of-moments values, (c) analytic moments and
quantiles against scipy.stats, (d) seeded Monte Carlo checks, (e) hypothesis invariants and
(f) ``pytest.raises(InputError, match=...)`` for impossible inputs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from peer_econ.errors import InputError
from peer_econ.parameters.distributions import (
    Beta,
    Dirichlet,
    Distribution,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
    Triangular,
    TruncatedNormal,
    Uniform,
)

# --- (a) method of moments, hand arithmetic ----------------------------------------------------


def test_beta_from_mean_se_hand_values() -> None:
    """Beta from m = 0.25, s = 0.06.

    m(1-m) = 0.25 * 0.75 = 0.1875;  s^2 = 0.0036;  m(1-m)/s^2 = 52.083333...;
    common = 52.083333 - 1 = 51.083333...;
    alpha = 0.25 * 51.083333 = 12.7708333...;  beta = 0.75 * 51.083333 = 38.3125.
    """
    dist = Beta.from_mean_se(0.25, 0.06)
    assert dist.alpha == pytest.approx(12.770833333333, rel=1e-12)
    assert dist.beta == pytest.approx(38.3125, rel=1e-12)
    assert (dist.lower, dist.upper) == (0.0, 1.0)
    # the moments come back: mean 0.25, variance 0.0036
    assert dist.mean == pytest.approx(0.25, rel=1e-12)
    assert dist.variance == pytest.approx(0.06**2, rel=1e-12)


def test_beta_from_mean_se_second_hand_case() -> None:
    """m = 0.5, s = 0.1: m(1-m)/s^2 = 0.25/0.01 = 25; common = 24; alpha = beta = 12."""
    dist = Beta.from_mean_se(0.5, 0.1)
    assert dist.alpha == pytest.approx(12.0, rel=1e-12)
    assert dist.beta == pytest.approx(12.0, rel=1e-12)


def test_gamma_from_mean_se_hand_values() -> None:
    """Gamma from m = 1200, s = 300.

    shape = m^2/s^2 = 1,440,000 / 90,000 = 16;  scale = s^2/m = 90,000 / 1200 = 75;
    mean = 16 * 75 = 1200;  variance = 16 * 75^2 = 90,000 = 300^2.
    """
    dist = Gamma.from_mean_se(1200.0, 300.0)
    assert dist.shape == pytest.approx(16.0, rel=1e-12)
    assert dist.scale == pytest.approx(75.0, rel=1e-12)
    assert dist.mean == pytest.approx(1200.0, rel=1e-12)
    assert dist.variance == pytest.approx(90_000.0, rel=1e-12)


def test_lognormal_from_mean_se_hand_values() -> None:
    """LogNormal from m = 100, s = 50.

    sigma^2 = ln(1 + s^2/m^2) = ln(1 + 2500/10000) = ln 1.25 = 0.22314355131;
    sigma = sqrt(0.22314355131) = 0.47238072;
    mu = ln 100 - sigma^2/2 = 4.60517018599 - 0.11157177566 = 4.49359841034.
    """
    dist = LogNormal.from_mean_se(100.0, 50.0)
    assert dist.sdlog**2 == pytest.approx(0.22314355131, rel=1e-10)
    assert dist.sdlog == pytest.approx(0.47238072, rel=1e-7)
    assert dist.meanlog == pytest.approx(4.49359841034, rel=1e-10)
    assert dist.mean == pytest.approx(100.0, rel=1e-12)
    assert dist.variance == pytest.approx(2500.0, rel=1e-10)


def test_dirichlet_from_proportions_and_marginal() -> None:
    """p = (0.2, 0.3, 0.5), total 40 -> alpha = (8, 12, 20); marginal 1 is Beta(12, 28)."""
    dist = Dirichlet.from_proportions([0.2, 0.3, 0.5], 40.0)
    assert dist.alpha == pytest.approx((8.0, 12.0, 20.0), rel=1e-12)
    np.testing.assert_allclose(dist.mean, [0.2, 0.3, 0.5], rtol=1e-12)
    marg = dist.marginal(1)
    assert isinstance(marg, Beta)
    assert (marg.alpha, marg.beta) == pytest.approx((12.0, 28.0))
    assert marg.mean == pytest.approx(0.3)


# --- (f) impossible inputs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: Beta.from_mean_se(1.2, 0.1), r"mean = 1\.2 must lie strictly between 0 and 1"),
        (lambda: Beta.from_mean_se(0.0, 0.1), r"mean = 0\.0 must lie strictly between 0 and 1"),
        (lambda: Beta.from_mean_se(1.0, 0.1), r"between 0 and 1"),
        (lambda: Beta.from_mean_se(0.5, 0.5), r"se = 0\.5 is too large.*sqrt\(mean\*\(1-mean\)\)"),
        (lambda: Beta.from_mean_se(0.1, 0.35), r"too large for mean 0\.1.* = 0\.3$"),
        (lambda: Beta.from_mean_se(0.5, 0.0), r"se = 0\.0 must be > 0"),
        (lambda: Beta(0.0, 2.0), r"alpha = 0\.0 .* must both be > 0"),
        (lambda: Beta(2.0, 5.0, 1.0, 0.3), r"lower = 1\.0 must be below upper = 0\.3"),
        (lambda: Gamma.from_mean_se(-5.0, 1.0), r"gamma: mean = -5\.0 must be > 0"),
        (lambda: Gamma.from_mean_se(5.0, -1.0), r"gamma: se = -1\.0 must be > 0"),
        (lambda: Gamma(-1.0, 2.0), r"shape = -1\.0 .* must both be > 0"),
        (lambda: LogNormal.from_mean_se(0.0, 1.0), r"lognormal: mean = 0\.0 must be > 0"),
        (lambda: LogNormal.from_mean_se(-3.0, 1.0), r"lognormal: mean = -3\.0 must be > 0"),
        (lambda: LogNormal(0.0, 0.0), r"sdlog = 0\.0 must be > 0"),
        (lambda: Normal(0.0, -1.0), r"normal: sd = -1\.0 must be > 0"),
        (lambda: Normal(math.nan, 1.0), r"mu = nan is not a finite number"),
        (lambda: Triangular(5.0, 4.0, 3.0), r"low <= mode <= high.*low = 5\.0"),
        (lambda: Triangular(1.0, 4.0, 3.0), r"low <= mode <= high.*mode = 4\.0"),
        (lambda: Triangular(2.0, 2.0, 2.0), r"low < high"),
        (lambda: Uniform(2.0, 1.0), r"uniform: low = 2\.0 must be below high = 1\.0"),
        (lambda: Uniform(1.0, 1.0), r"uniform: low = 1\.0 must be below high = 1\.0"),
        (lambda: TruncatedNormal(0.0, 1.0, 50.0, 60.0), r"holds no probability mass"),
        (lambda: TruncatedNormal(0.0, 1.0, 2.0, 1.0), r"lower = 2\.0 must be below upper"),
        (lambda: TruncatedNormal(0.0, 0.0, 0.0, 1.0), r"truncnormal: sd = 0\.0 must be > 0"),
        (lambda: Dirichlet((3.0,)), r"at least 2 categories, got 1"),
        (lambda: Dirichlet(()), r"at least 2 categories, got 0"),
        (lambda: Dirichlet((1.0, 0.0)), r"alpha\[1\] = 0\.0 must be a finite number > 0"),
        (lambda: Dirichlet((-1.0, 2.0)), r"alpha\[0\] = -1\.0 must be"),
        (lambda: Dirichlet.from_proportions([0.5, 0.6], 10.0), r"proportions sum to 1\.1, not 1"),
        (lambda: Dirichlet.from_proportions([0.5, 0.5], 0.0), r"total = 0\.0 must be > 0"),
        (lambda: Fixed(math.inf), r"value = inf is not a finite number"),
    ],
)
def test_impossible_inputs_rejected(factory, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=match):
        factory()


def test_input_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        Beta.from_mean_se(2.0, 0.1)


def test_ppf_rejects_probabilities_outside_unit_interval() -> None:
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        Normal(0.0, 1.0).ppf([0.5, 1.5])
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        Gamma(2.0, 1.0).ppf(-0.1)


# --- (c) analytic moments and quantiles against scipy ------------------------------------------

CASES: list[tuple[str, Distribution, object]] = [
    ("normal", Normal(3.0, 2.0), stats.norm(loc=3.0, scale=2.0)),
    (
        "truncnormal",
        TruncatedNormal(1.0, 2.0, 0.0, 5.0),
        stats.truncnorm((0.0 - 1.0) / 2.0, (5.0 - 1.0) / 2.0, loc=1.0, scale=2.0),
    ),
    (
        "truncnormal_half_infinite",
        TruncatedNormal(-1.0, 1.5, 0.0, math.inf),
        stats.truncnorm((0.0 + 1.0) / 1.5, math.inf, loc=-1.0, scale=1.5),
    ),
    ("lognormal", LogNormal(1.2, 0.4), stats.lognorm(s=0.4, scale=math.exp(1.2))),
    ("gamma", Gamma(3.5, 120.0), stats.gamma(a=3.5, scale=120.0)),
    ("gamma_small_shape", Gamma(0.4, 2.0), stats.gamma(a=0.4, scale=2.0)),
    ("beta", Beta(2.0, 5.0), stats.beta(2.0, 5.0)),
    ("beta_rescaled", Beta(2.0, 5.0, 0.3, 1.0), stats.beta(2.0, 5.0, loc=0.3, scale=0.7)),
    ("uniform", Uniform(-2.0, 6.0), stats.uniform(loc=-2.0, scale=8.0)),
    ("triangular", Triangular(1.0, 2.5, 6.0), stats.triang(c=1.5 / 5.0, loc=1.0, scale=5.0)),
    ("triangular_mode_low", Triangular(1.0, 1.0, 4.0), stats.triang(c=0.0, loc=1.0, scale=3.0)),
    ("triangular_mode_high", Triangular(1.0, 4.0, 4.0), stats.triang(c=1.0, loc=1.0, scale=3.0)),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("label", "dist", "ref"), CASES, ids=IDS)
def test_mean_and_variance_match_scipy(label: str, dist: Distribution, ref) -> None:  # type: ignore[no-untyped-def]
    assert dist.mean == pytest.approx(ref.mean(), rel=1e-10, abs=1e-12)
    assert dist.variance == pytest.approx(ref.var(), rel=1e-9, abs=1e-12)


def test_rescaled_beta_hand_moments() -> None:
    """lambda = 0.3 + 0.7 Beta(2, 5): mean = 0.3 + 0.7 * 2/7 = 0.5;
    variance = 0.49 * (2*5) / (7^2 * 8) = 0.49 * 10 / 392 = 0.0125.
    """
    dist = Beta(2.0, 5.0, 0.3, 1.0)
    assert dist.mean == pytest.approx(0.5, rel=1e-12)
    assert dist.variance == pytest.approx(0.0125, rel=1e-12)
    assert dist.support == (0.3, 1.0)


def test_triangular_hand_moments() -> None:
    """Triangular(1, 2.5, 6): mean = (1 + 2.5 + 6)/3 = 3.1666...;
    variance = (1 + 36 + 6.25 - 6 - 2.5 - 15)/18 = 19.75/18 = 1.097222...
    """
    dist = Triangular(1.0, 2.5, 6.0)
    assert dist.mean == pytest.approx(9.5 / 3.0, rel=1e-12)
    assert dist.variance == pytest.approx(19.75 / 18.0, rel=1e-12)


GRID = np.array([0.0, 1e-6, 0.001, 0.025, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 0.975, 0.999, 1.0])


@pytest.mark.parametrize(("label", "dist", "ref"), CASES, ids=IDS)
def test_ppf_matches_scipy_on_grid(label: str, dist: Distribution, ref) -> None:  # type: ignore[no-untyped-def]
    got = dist.ppf(GRID)
    want = ref.ppf(GRID)
    assert got.shape == GRID.shape
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(got[~finite], want[~finite])


@pytest.mark.parametrize(("label", "dist", "ref"), CASES, ids=IDS)
def test_ppf_keeps_shape_and_scalar(label: str, dist: Distribution, ref) -> None:  # type: ignore[no-untyped-def]
    u = np.full((3, 4), 0.4)
    assert dist.ppf(u).shape == (3, 4)
    assert np.shape(dist.ppf(0.4)) == ()
    assert float(dist.ppf(0.4)) == pytest.approx(float(ref.ppf(0.4)), rel=1e-8)


def test_fixed_ppf_and_moments() -> None:
    dist = Fixed(7.5)
    np.testing.assert_array_equal(dist.ppf(GRID), np.full(GRID.shape, 7.5))
    assert dist.mean == 7.5
    assert dist.variance == 0.0
    assert dist.is_fixed
    assert not Normal(0.0, 1.0).is_fixed


def test_quantiles_of_normal() -> None:
    """Normal(0, 1) 95 % interval: +-1.959963985."""
    low, high = Normal(0.0, 1.0).quantiles(0.025, 0.975)
    assert low == pytest.approx(-1.959963985, rel=1e-9)
    assert high == pytest.approx(1.959963985, rel=1e-9)


# --- (d) sampling -------------------------------------------------------------------------------

N_MC = 200_000


@pytest.mark.parametrize(("label", "dist", "ref"), CASES, ids=IDS)
def test_sample_mean_within_four_mc_standard_errors(label: str, dist: Distribution, ref) -> None:  # type: ignore[no-untyped-def]
    """|sample mean - mean| < 4 * sqrt(variance / n) with n = 200,000 and seed 12345."""
    x = dist.sample(N_MC, np.random.default_rng(12345))
    mc_se = math.sqrt(dist.variance / N_MC)
    assert abs(x.mean() - dist.mean) < 4.0 * mc_se
    lo, hi = dist.support
    assert x.min() >= lo
    assert x.max() <= hi


@pytest.mark.parametrize(("label", "dist", "ref"), CASES, ids=IDS)
def test_sample_variance_close(label: str, dist: Distribution, ref) -> None:  # type: ignore[no-untyped-def]
    x = dist.sample(N_MC, np.random.default_rng(777))
    assert x.var() == pytest.approx(dist.variance, rel=0.03)


ALL_DISTS = [c[1] for c in CASES] + [Fixed(2.0)]


@pytest.mark.parametrize("dist", ALL_DISTS, ids=[*IDS, "fixed"])
@pytest.mark.parametrize("n", [1, 5])
def test_sample_shape(dist: Distribution, n: int) -> None:
    x = dist.sample(n, np.random.default_rng(0))
    assert isinstance(x, np.ndarray)
    assert x.shape == (n,)
    assert x.dtype == np.float64
    assert np.all(np.isfinite(x))


@pytest.mark.parametrize("dist", ALL_DISTS, ids=[*IDS, "fixed"])
def test_sample_reproducible_with_seed(dist: Distribution) -> None:
    a = dist.sample(50, np.random.default_rng(42))
    b = dist.sample(50, np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)


def test_fixed_sample_is_constant() -> None:
    np.testing.assert_array_equal(Fixed(3.25).sample(4, np.random.default_rng(0)), [3.25] * 4)


def test_dirichlet_rows_sum_to_one_and_marginals_match_beta() -> None:
    """Dirichlet(8, 12, 20): marginal i is Beta(alpha_i, 40 - alpha_i).

    Component 0: mean 8/40 = 0.2, variance 8*32/(40^2*41) = 256/65,600 = 0.00390244.
    """
    dist = Dirichlet((8.0, 12.0, 20.0))
    x = dist.sample(N_MC, np.random.default_rng(2024))
    assert x.shape == (N_MC, 3)
    np.testing.assert_allclose(x.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert dist.marginal(0).variance == pytest.approx(256.0 / 65_600.0, rel=1e-12)
    for i in range(3):
        marg = dist.marginal(i)
        mc_se = math.sqrt(marg.variance / N_MC)
        assert abs(x[:, i].mean() - marg.mean) < 4.0 * mc_se
        assert x[:, i].var() == pytest.approx(marg.variance, rel=0.03)
        # the whole marginal distribution, not just its moments
        ks = stats.kstest(x[:20_000, i], stats.beta(marg.alpha, marg.beta).cdf)
        assert ks.pvalue > 1e-3


def test_dirichlet_sample_n1() -> None:
    x = Dirichlet((1.0, 2.0)).sample(1, np.random.default_rng(0))
    assert x.shape == (1, 2)
    assert x.sum() == pytest.approx(1.0)


# --- (e) invariants -----------------------------------------------------------------------------

_pos = st.floats(min_value=0.05, max_value=200.0, allow_nan=False, allow_infinity=False)
_loc = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
_sd = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
# Probabilities below 1e-100 (other than 0) are left out here: scipy's betaincinv gives NaN there
# (see test_beta_ppf_finite_in_extreme_tail); the extreme tails have their own tests below.
_unit = st.one_of(
    st.just(0.0), st.just(1.0), st.floats(min_value=1e-100, max_value=1.0, allow_nan=False)
)


@st.composite
def valid_distributions(draw: st.DrawFn) -> Distribution:
    kind = draw(
        st.sampled_from(
            ["normal", "truncnormal", "lognormal", "gamma", "beta", "uniform", "triangular"]
        )
    )
    if kind == "normal":
        return Normal(draw(_loc), draw(_sd))
    if kind == "truncnormal":
        mu, sd = draw(_loc), draw(_sd)
        lo = mu + sd * draw(st.floats(min_value=-3.0, max_value=2.0))
        hi = lo + sd * draw(st.floats(min_value=0.1, max_value=5.0))
        return TruncatedNormal(mu, sd, lo, hi)
    if kind == "lognormal":
        return LogNormal(
            draw(st.floats(min_value=-5.0, max_value=10.0)),
            draw(st.floats(min_value=0.01, max_value=2.0)),
        )
    if kind == "gamma":
        return Gamma(draw(_pos), draw(_sd))
    if kind == "beta":
        lower = draw(_loc)
        width = draw(_sd)
        return Beta(draw(_pos), draw(_pos), lower, lower + width)
    low = draw(_loc)
    width = draw(_sd)
    if kind == "uniform":
        return Uniform(low, low + width)
    return Triangular(low, low + width * draw(_unit), low + width)


@settings(max_examples=150, deadline=None)
@given(dist=valid_distributions(), u=st.lists(_unit, min_size=2, max_size=40))
def test_ppf_non_decreasing(dist: Distribution, u: list[float]) -> None:
    """For any valid parameters, ppf(sorted u) is non-decreasing and inside the support.

    A slack of a few ulps is allowed: scipy's truncnorm.ppf is 1 ulp non-monotone right at
    the lower bound (TruncatedNormal(0, 1, 1.9921875, 2.9921875): ppf(0) = 1.9921875 but
    ppf(6e-169) = 1.9921874999999998); see ``test_truncnormal_ppf_stays_in_support``.
    """
    q = dist.ppf(np.sort(np.asarray(u)))
    spread = math.sqrt(dist.variance)
    slack = (
        64
        * np.finfo(float).eps
        * np.where(np.isfinite(q[:-1]), np.maximum(np.abs(q[:-1]), spread), 0.0)
    )
    assert np.all(q[1:] >= q[:-1] - slack)  # inf >= inf holds where np.diff gives nan
    lo, hi = dist.support
    inner = q[np.isfinite(q)]
    scale = max(1.0, abs(lo) if math.isfinite(lo) else 0.0, abs(hi) if math.isfinite(hi) else 0.0)
    assert np.all(inner >= lo - 1e-9 * scale)
    assert np.all(inner <= hi + 1e-9 * scale)


@settings(max_examples=100, deadline=None)
@given(
    mean=st.floats(min_value=0.01, max_value=0.99),
    frac=st.floats(min_value=0.01, max_value=0.99),
)
def test_beta_from_mean_se_roundtrip(mean: float, frac: float) -> None:
    """Any se below sqrt(m(1-m)) is accepted and the moments round-trip."""
    se = frac * math.sqrt(mean * (1.0 - mean))
    dist = Beta.from_mean_se(mean, se)
    assert dist.mean == pytest.approx(mean, rel=1e-9)
    assert dist.variance == pytest.approx(se**2, rel=1e-8)


@settings(max_examples=100, deadline=None)
@given(
    mean=st.floats(min_value=1e-3, max_value=1e6),
    cv=st.floats(min_value=1e-3, max_value=5.0),
)
def test_gamma_and_lognormal_from_mean_se_roundtrip(mean: float, cv: float) -> None:
    se = cv * mean
    for dist in (Gamma.from_mean_se(mean, se), LogNormal.from_mean_se(mean, se)):
        assert dist.mean == pytest.approx(mean, rel=1e-9)
        assert dist.variance == pytest.approx(se**2, rel=1e-8)


def test_truncnormal_ppf_stays_in_support() -> None:
    """Normal(0.5, 1) truncated to [0, inf): ppf(u) >= 0 for every u in [0, 1]."""
    dist = TruncatedNormal(0.5, 1.0, 0.0, math.inf)
    q = dist.ppf(np.array([0.0, 1e-300, 1e-200, 1e-20, 1e-17]))
    assert np.all(q >= 0.0)


def test_beta_ppf_finite_in_extreme_tail() -> None:
    """Beta(2, 4) near x = 0: B(2, 4) = 1! 3! / 5! = 1/20, density ~ 20 x, so F(x) ~ 10 x^2 and
    ppf(u) ~ sqrt(u / 10): ppf(1e-300) ~ sqrt(1e-301) = 3.1623e-151, ppf(1e-200) ~ 3.1623e-101.
    """
    q = Beta(2.0, 4.0).ppf(np.array([1e-300, 1e-200]))
    np.testing.assert_allclose(q, [math.sqrt(1e-301), math.sqrt(1e-201)], rtol=1e-6)


def test_ppf_rejects_nan() -> None:
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        Normal(0.0, 1.0).ppf([0.5, math.nan])
