"""Tests of ``peer_econ.model.discounting`` (continuous discounting with stepped annual rates).

Kinds (STYLE 3.3 item 7): (a) hand-calculated factors, (c) closed forms from
REFERENCE-CASES.md and numerical quadrature, (b) oracle loop against the vectorised code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from peer_econ.model.discounting import discount_factor, integrate_exponential, integrate_linear
from peer_econ.model.spec import DiscountSchedule, ModelSettings

DANISH = DiscountSchedule((0.0, 35.0, 70.0), (0.035, 0.025, 0.015))
CONST = DiscountSchedule((0.0,), (0.035,))
ZERO = DiscountSchedule((0.0,), (0.0,))


def quad(f, a: float, b: float) -> float:  # type: ignore[no-untyped-def]
    """Adaptive quadrature with the schedule's steps as break points."""
    points = [p for p in (35.0, 70.0) if a < p < b]
    value, _ = integrate.quad(f, a, b, points=points or None, epsabs=1e-13, epsrel=1e-12, limit=200)
    return float(value)


def d_oracle(t: float, schedule: DiscountSchedule) -> float:
    """Slow, obvious D(t): multiply (1 + r_j)^-(years of step j before t)."""
    starts = [*schedule.starts, math.inf]
    out = 1.0
    for j, rate in enumerate(schedule.rates):
        years = max(0.0, min(t, starts[j + 1]) - starts[j])
        out *= (1.0 + rate) ** -years
    return out


# --- discount factor ----------------------------------------------------------------------------


def test_default_settings_use_danish_schedule() -> None:
    settings = ModelSettings()
    assert settings.discount_costs == DANISH
    assert settings.discount_effects == DANISH


@pytest.mark.parametrize("t", [0.0, 0.25, 1.0, 2.5, 10.0, 35.0, 50.0, 100.0])
def test_constant_rate_factor(t: float) -> None:
    """D(t) = (1 + r)^-t; e.g. 1.035^-10 = 0.708918814, 1.035^-2.5 = 0.917590958."""
    assert float(discount_factor(t, CONST)) == pytest.approx(1.035**-t, rel=1e-13)


def test_constant_rate_hand_values() -> None:
    np.testing.assert_allclose(
        discount_factor([0.0, 2.5, 10.0], CONST),
        [1.0, 0.9175909583570, 0.7089188137098],
        rtol=1e-12,
    )


def test_danish_factor_at_40_years() -> None:
    """D(40) = 1.035^-35 * 1.025^-5 = 0.299976862 * 0.883854288 = 0.265135835."""
    d40 = float(discount_factor(40.0, DANISH))
    assert d40 == pytest.approx(1.035**-35 * 1.025**-5, rel=1e-13)
    assert d40 == pytest.approx(0.2651358353602, rel=1e-11)


def test_danish_factor_after_70_years() -> None:
    """D(75) = 1.035^-35 * 1.025^-35 * 1.015^-5 = 0.117333563."""
    d75 = float(discount_factor(75.0, DANISH))
    assert d75 == pytest.approx(1.035**-35 * 1.025**-35 * 1.015**-5, rel=1e-13)
    assert d75 == pytest.approx(0.11733356258104, rel=1e-11)


def test_rate_applies_to_own_years_only() -> None:
    """Before year 35 the Danish schedule equals a constant 3.5 %; a later, lower step never
    acts retroactively (D(40) is not 1.025^-40 nor 1.035^-40)."""
    t = np.linspace(0.0, 34.999, 200)
    np.testing.assert_allclose(discount_factor(t, DANISH), 1.035**-t, rtol=1e-13)
    d40 = float(discount_factor(40.0, DANISH))
    assert d40 > 1.035**-40
    assert d40 < 1.025**-40


def test_factor_continuous_at_steps_and_decreasing() -> None:
    for step in (35.0, 70.0):
        left = float(discount_factor(step - 1e-9, DANISH))
        right = float(discount_factor(step, DANISH))
        assert right == pytest.approx(left, rel=1e-9)
    t = np.linspace(0.0, 150.0, 3001)
    assert np.all(np.diff(discount_factor(t, DANISH)) < 0)


def test_factor_matches_oracle_and_keeps_shape() -> None:
    t = np.array([[0.0, 1.5, 34.0], [35.0, 69.9, 120.0]])
    got = discount_factor(t, DANISH)
    assert got.shape == (2, 3)
    want = np.vectorize(lambda x: d_oracle(x, DANISH))(t)
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_zero_rate_factor_is_one() -> None:
    np.testing.assert_array_equal(discount_factor([0.0, 5.0, 100.0], ZERO), 1.0)


# --- integrate_linear ---------------------------------------------------------------------------


@pytest.mark.parametrize(("t0", "t1"), [(0.0, 10.0), (0.0, 3.0), (2.0, 2.5), (5.0, 30.0)])
def test_constant_flow_closed_form(t0: float, t1: float) -> None:
    """∫ D = (exp(-rho t0) - exp(-rho t1)) / rho, rho = ln 1.035 = 0.0344014267.

    E.g. [0, 10]: (1 - 1.035^-10) / 0.0344014267 = 0.2910811863 / 0.0344014267 = 8.461311465.
    """
    rho = math.log(1.035)
    want = (math.exp(-rho * t0) - math.exp(-rho * t1)) / rho
    got = float(integrate_linear(1.0, 0.0, t0, t1, CONST))
    assert got == pytest.approx(want, rel=1e-13)
    if (t0, t1) == (0.0, 10.0):
        assert got == pytest.approx(8.461311464840, rel=1e-11)


def test_constant_flow_across_danish_step_hand() -> None:
    """[30, 40] at the Danish rates: ∫_30^35 1.035^-t dt + D(35) ∫_0^5 1.025^-u du
    = (1.035^-30 - 1.035^-35)/ln 1.035 + 1.035^-35 (1 - 1.025^-5)/ln 1.025."""
    r1, r2 = math.log(1.035), math.log(1.025)
    want = (1.035**-30 - 1.035**-35) / r1 + 1.035**-35 * (1 - 1.025**-5) / r2
    assert float(integrate_linear(1.0, 0.0, 30.0, 40.0, DANISH)) == pytest.approx(want, rel=1e-13)


@pytest.mark.parametrize(
    ("a", "b", "t0", "t1"),
    [
        (1.0, 0.0, 0.0, 3.0),  # constant, 3-year horizon
        (0.0, 1.0, 0.0, 3.0),  # ramp up
        (2.0, -0.5, 0.0, 4.0),  # linear decay to 0 at 4 years
        (100.0, -2.0, 30.0, 45.0),  # decay crossing the 35-year step
        (5.0, 0.3, 60.0, 90.0),  # crossing the 70-year step
        (1.0, -0.01, 0.0, 100.0),  # crossing both
        (-3.0, 0.2, 33.0, 36.0),
    ],
)
def test_linear_against_quadrature(a: float, b: float, t0: float, t1: float) -> None:
    got = float(integrate_linear(a, b, t0, t1, DANISH))
    want = quad(lambda t: (a + b * t) * d_oracle(t, DANISH), t0, t1)
    assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_linear_against_trapezoid() -> None:
    """A 1e5-point trapezoid over [0, 50] of (3 - 0.05 t) D(t): error O(h^2) ~ 1e-9."""
    t = np.linspace(0.0, 50.0, 100_001)
    f = (3.0 - 0.05 * t) * discount_factor(t, DANISH)
    want = float(np.sum((f[1:] + f[:-1]) / 2.0 * np.diff(t)))
    got = float(integrate_linear(3.0, -0.05, 0.0, 50.0, DANISH))
    assert got == pytest.approx(want, rel=1e-8)


@pytest.mark.parametrize(
    ("a", "b", "t0", "t1"), [(1.0, 0.0, 0.0, 3.0), (2.0, 3.0, 1.0, 4.0), (0.5, -0.1, 10.0, 80.0)]
)
def test_zero_rate_linear_is_polynomial(a: float, b: float, t0: float, t1: float) -> None:
    """r = 0: ∫ (a + b t) dt = a (t1 - t0) + b (t1^2 - t0^2) / 2; e.g. a = 2, b = 3 on [1, 4]:
    2 * 3 + 3 * (16 - 1) / 2 = 6 + 22.5 = 28.5."""
    want = a * (t1 - t0) + b * (t1**2 - t0**2) / 2.0
    got = float(integrate_linear(a, b, t0, t1, ZERO))
    assert got == pytest.approx(want, rel=1e-13)
    if (a, b, t0, t1) == (2.0, 3.0, 1.0, 4.0):
        assert got == pytest.approx(28.5, rel=1e-13)


@pytest.mark.parametrize(("t0", "t1"), [(5.0, 5.0), (5.0, 2.0), (40.0, 0.0)])
def test_linear_empty_interval_is_zero(t0: float, t1: float) -> None:
    assert float(integrate_linear(7.0, 1.0, t0, t1, DANISH)) == 0.0
    assert float(integrate_exponential(7.0, 0.2, 0.0, t0, t1, DANISH)) == 0.0


def test_linear_additive_over_split_intervals() -> None:
    whole = integrate_linear(1.5, 0.2, 0.0, 80.0, DANISH)
    parts = sum(
        integrate_linear(1.5, 0.2, lo, hi, DANISH)
        for lo, hi in ((0.0, 12.3), (12.3, 35.0), (35.0, 71.0), (71.0, 80.0))
    )
    assert float(whole) == pytest.approx(float(parts), rel=1e-13)


@pytest.mark.parametrize("length", [1e-9, 1e-6, 1e-4, 2e-3, 0.01])
def test_linear_series_branch_short_intervals(length: float) -> None:
    """For rho * length near the series cutoff (1e-4) the result still matches the closed form
    ∫_t0^{t0+L} (a + b t) D dt with a = 1, b = 2, t0 = 3 at a constant 3.5 %.

    Closed form: ∫ (a + b t) e^{-rho t} = [-(a + b t)/rho - b/rho^2] e^{-rho t}.
    """
    rho = math.log(1.035)
    t0, t1 = 3.0, 3.0 + length

    def antiderivative(t: float) -> float:
        return (-(1.0 + 2.0 * t) / rho - 2.0 / rho**2) * math.exp(-rho * t)

    exact_small = quad(lambda t: (1.0 + 2.0 * t) * math.exp(-rho * t), t0, t1)
    got = float(integrate_linear(1.0, 2.0, t0, t1, CONST))
    assert got == pytest.approx(exact_small, rel=1e-10)
    if length >= 1e-4:
        assert got == pytest.approx(antiderivative(t1) - antiderivative(t0), rel=1e-8)


def test_tiny_rate_close_to_zero_rate() -> None:
    tiny = DiscountSchedule((0.0,), (1e-9,))
    got = float(integrate_linear(1.0, 1.0, 0.0, 10.0, tiny))
    assert got == pytest.approx(10.0 + 50.0, rel=1e-7)


def test_negative_rate_against_quadrature() -> None:
    neg = DiscountSchedule((0.0, 5.0), (-0.02, 0.03))
    got = float(integrate_linear(1.0, 0.5, 0.0, 12.0, neg))
    want = quad(lambda t: (1.0 + 0.5 * t) * d_oracle(t, neg), 0.0, 12.0)
    assert got == pytest.approx(want, rel=1e-10)


# --- integrate_exponential ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amp", "kappa", "origin", "t0", "t1"),
    [
        (1.0, 0.5, 0.0, 0.0, 3.0),
        (0.2, 0.0277, 0.25, 0.25, 3.0),
        (10.0, 0.1, 30.0, 30.0, 45.0),  # decay starting at 30, crossing the 35-year step
        (1.0, 0.05, 0.0, 20.0, 100.0),  # crossing both steps
        (3.0, 0.0, 0.0, 0.0, 40.0),  # no decay: constant flow
        (1.0, 2.0, 5.0, 0.0, 10.0),  # start before origin (flow > amp there)
    ],
)
def test_exponential_against_quadrature(
    amp: float, kappa: float, origin: float, t0: float, t1: float
) -> None:
    got = float(integrate_exponential(amp, kappa, origin, t0, t1, DANISH))
    want = quad(lambda t: amp * math.exp(-kappa * (t - origin)) * d_oracle(t, DANISH), t0, t1)
    assert got == pytest.approx(want, rel=1e-10, abs=1e-13)


def test_exponential_constant_rate_closed_form() -> None:
    """Amplitude 2, decay 0.3 from origin 1, over [1, 4] at 3.5 %: with c = 0.3 + ln 1.035,
    2 * 1.035^-1 * (1 - exp(-3 c)) / c."""
    c = 0.3 + math.log(1.035)
    want = 2.0 * 1.035**-1 * (1.0 - math.exp(-3.0 * c)) / c
    got = float(integrate_exponential(2.0, 0.3, 1.0, 1.0, 4.0, CONST))
    assert got == pytest.approx(want, rel=1e-13)


@pytest.mark.parametrize(
    ("kappa", "t0", "t1"), [(0.3, 0.0, 5.0), (0.05, 2.0, 90.0), (0.0, 1.0, 3.0)]
)
def test_zero_rate_exponential_is_plain_integral(kappa: float, t0: float, t1: float) -> None:
    """r = 0: ∫ A e^{-k (t - s)} dt = A e^{k s} (e^{-k t0} - e^{-k t1}) / k (or A (t1 - t0))."""
    amp, origin = 1.7, 0.5
    if kappa == 0.0:
        want = amp * (t1 - t0)
    else:
        want = amp * math.exp(kappa * origin) * (math.exp(-kappa * t0) - math.exp(-kappa * t1))
        want /= kappa
    got = float(integrate_exponential(amp, kappa, origin, t0, t1, ZERO))
    assert got == pytest.approx(want, rel=1e-12)


def test_exponential_with_zero_decay_equals_linear_constant() -> None:
    a = integrate_exponential(4.0, 0.0, 0.0, 0.0, 80.0, DANISH)
    b = integrate_linear(4.0, 0.0, 0.0, 80.0, DANISH)
    assert float(a) == pytest.approx(float(b), rel=1e-13)


# --- vectorisation: oracle loop -----------------------------------------------------------------


def test_linear_vectorised_matches_scalar_loop() -> None:
    rng = np.random.default_rng(7)
    n = 60
    a = rng.normal(1.0, 0.5, n)
    b = rng.normal(0.0, 0.1, n)
    t0 = rng.uniform(0.0, 80.0, n)
    t1 = t0 + rng.uniform(-5.0, 40.0, n)  # some empty intervals
    got = integrate_linear(a, b, t0, t1, DANISH)
    assert got.shape == (n,)
    want = np.array([float(integrate_linear(a[i], b[i], t0[i], t1[i], DANISH)) for i in range(n)])
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0.0)
    assert np.all(got[t1 <= t0] == 0.0)


def test_exponential_vectorised_matches_scalar_loop() -> None:
    rng = np.random.default_rng(8)
    n = 60
    amp = rng.uniform(0.0, 2.0, n)
    kappa = rng.uniform(0.0, 1.0, n)
    origin = rng.uniform(0.0, 5.0, n)
    t0 = origin + rng.uniform(0.0, 40.0, n)
    t1 = t0 + rng.uniform(-5.0, 50.0, n)
    got = integrate_exponential(amp, kappa, origin, t0, t1, DANISH)
    want = np.array(
        [
            float(integrate_exponential(amp[i], kappa[i], origin[i], t0[i], t1[i], DANISH))
            for i in range(n)
        ]
    )
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0.0)


def test_broadcasting_sample_by_strategy() -> None:
    """(n_samples, 1) intercepts against (n_strategies,) end times give (n_samples, k)."""
    a = np.array([[1.0], [2.0], [3.0]])
    t1 = np.array([1.0, 3.0])
    got = integrate_linear(a, 0.0, 0.0, t1, DANISH)
    assert got.shape == (3, 2)
    for i in range(3):
        for j in range(2):
            assert got[i, j] == pytest.approx(
                float(integrate_linear(a[i, 0], 0.0, 0.0, t1[j], DANISH)), rel=1e-14
            )


# --- the series branch (rho x length < 1e-4) against 60-digit arithmetic ---------------------


def _decimal_linear(a: float, b: float, start: float, end: float, rate: str) -> float:
    """∫_start^end (a + b t) (1 + r)^-t dt in 60-digit decimal arithmetic, from the
    antiderivative -e^{-rho t} ((a + b t) / rho + b / rho^2), rho = ln(1 + r)."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        rho = (1 + Decimal(rate)).ln()
        da, db = Decimal(a), Decimal(b)

        def antiderivative(t: Decimal) -> Decimal:
            return -(-rho * t).exp() * ((da + db * t) / rho + db / (rho * rho))

        return float(antiderivative(Decimal(end)) - antiderivative(Decimal(start)))


def _decimal_exponential(
    amplitude: float, kappa: float, origin: float, start: float, end: float, rate: str
) -> float:
    """∫_start^end A e^{-kappa (t - origin)} (1 + r)^-t dt in 60-digit decimal arithmetic:
    A e^{kappa origin} (e^{-(kappa + rho) start} - e^{-(kappa + rho) end}) / (kappa + rho)."""
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        total = Decimal(kappa) + (1 + Decimal(rate)).ln()
        value = (
            Decimal(amplitude)
            * (Decimal(kappa) * Decimal(origin)).exp()
            * ((-total * Decimal(start)).exp() - (-total * Decimal(end)).exp())
            / total
        )
        return float(value)


@pytest.mark.parametrize("x", [9e-5, 3e-5])
def test_short_segments_use_an_accurate_series(x: float) -> None:
    """Below rho x length = 1e-4 the integrals switch to second-order series; their truncation
    error (x^3 / 24 ~ 3e-14) is far below rtol = 1e-12, and any wrong coefficient (e.g. x^2/9
    for x^2/8: 2e-10 relative at x = 9e-5) far above it (abs=0: the values are ~1e-5, below
    pytest.approx's default absolute tolerance)."""
    schedule = DiscountSchedule((0.0,), (0.035,))
    rho = math.log1p(0.035)
    start = 0.5
    end = start + x / rho
    got = float(integrate_linear(2.0, 3.0, start, end, schedule))
    assert got == pytest.approx(_decimal_linear(2.0, 3.0, start, end, "0.035"), rel=1e-12, abs=0.0)
    # a flow that starts at 0 (intercept -slope x start) weighs the slope term alone
    ramp = float(integrate_linear(-1.5, 3.0, start, end, schedule))
    assert ramp == pytest.approx(
        _decimal_linear(-1.5, 3.0, start, end, "0.035"), rel=1e-12, abs=0.0
    )
    kappa = 0.01
    end_e = start + x / (kappa + rho)
    got_e = float(integrate_exponential(2.0, kappa, 0.2, start, end_e, schedule))
    expected_e = _decimal_exponential(2.0, kappa, 0.2, start, end_e, "0.035")
    assert got_e == pytest.approx(expected_e, rel=1e-12, abs=0.0)


@pytest.mark.parametrize("x", [0.5, 2e-3])
def test_long_segments_match_decimal_arithmetic(x: float) -> None:
    """The exact branch, same references."""
    schedule = DiscountSchedule((0.0,), (0.035,))
    rho = math.log1p(0.035)
    end = 0.5 + x / rho
    got = float(integrate_linear(2.0, 3.0, 0.5, end, schedule))
    assert got == pytest.approx(_decimal_linear(2.0, 3.0, 0.5, end, "0.035"), rel=1e-12, abs=0.0)
    got_e = float(integrate_exponential(2.0, 0.01, 0.2, 0.5, end, schedule))
    assert got_e == pytest.approx(
        _decimal_exponential(2.0, 0.01, 0.2, 0.5, end, "0.035"), rel=1e-12
    )


@pytest.mark.parametrize("position", range(4))
def test_empty_interval_keeps_the_broadcast_shape_linear(position: int) -> None:
    """An empty interval gives zeros of the broadcast shape of all arguments, whichever one is
    the array."""
    args: list[float | np.ndarray] = [1.0, 0.5, 2.0, 2.0]
    args[position] = np.full(3, args[position])
    out = integrate_linear(*args, DANISH)  # type: ignore[arg-type, call-arg]
    assert out.shape == (3,)
    np.testing.assert_array_equal(out, 0.0)


@pytest.mark.parametrize("position", range(5))
def test_empty_interval_keeps_the_broadcast_shape_exponential(position: int) -> None:
    args: list[float | np.ndarray] = [1.0, 0.5, 0.0, 2.0, 2.0]
    args[position] = np.full(3, args[position])
    out = integrate_exponential(*args, DANISH)  # type: ignore[arg-type, call-arg]
    assert out.shape == (3,)
    np.testing.assert_array_equal(out, 0.0)
