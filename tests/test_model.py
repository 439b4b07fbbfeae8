"""Tests of the PEER cost-utility model: hand calculations, an independent re-computation and
TECH-VER-style black-box checks (Büyükkaramikli et al. 2019)."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from peer_econ.inputs.load import load_inputs
from peer_econ.model import evaluate
from peer_econ.model.costs import unit_costs
from peer_econ.model.effects import qaly_gain, remaining_fraction
from peer_econ.model.spec import DiscountSchedule, Inputs
from peer_econ.parameters.table import ParameterTable
from peer_econ.runs.pipeline import run

INPUTS = Path(__file__).resolve().parents[1] / "inputs"


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return load_inputs(INPUTS)


def _base(inputs: Inputs, **overrides: float) -> dict[str, np.ndarray]:
    draws = inputs.parameters.deterministic()
    return dict(draws.with_values(overrides)) if overrides else dict(draws)


def _col(inputs: Inputs, name: str) -> int:
    return inputs.strategy_names.index(name)


def test_peer_volunteer_cost_by_hand(inputs: Inputs) -> None:
    """Cost per randomised participant of PEER with volunteers, from the base values.

    coordinator hourly = 498,908 x 1.009 x (1 + 0.25) / 1,650          = 381.3622 DKK/h
    coordination        = 30 h x 381.3622 / 8 enrolled                  = 1,430.108
    training cohort     = 40 h x 381.3622 + 4,000                        = 19,254.49
    volunteer training  = 2 volunteers x 19,254.49 / 10 / 2.5 / 8       = 192.545
    volunteer expenses  = 10 sessions x 300 / 8                          = 375
    refreshments        = 10 x 200 / 8                                   = 250
    venue (in kind, at its opportunity cost) = 10 x 300 / 8              = 375
    materials           = 100
    companionship       = 0.10 x (3 h x 381.3622 + 12 meetings x 100)    = 114.409 + 120
    per course                                                           = 2,957.062 DKK
    programme fixed cost at 5 municipalities x 4 courses x 8 = 160 a year (EVIDENCE 3a):
      (5 x 40 h x 381.3622 + 5 x (80 h x 381.3622 + 5,000) / 4.515052) / 160 = 722.471
    total                                                                = 3,679.533 DKK
    """
    out = evaluate(inputs.parameters.deterministic(), inputs)
    j = _col(inputs, "peer_volunteer")
    hourly = 498_908 * 1.009 * 1.25 / 1_650
    expected = (
        30 * hourly / 8
        + 2 * (40 * hourly + 4_000) / 10 / 2.5 / 8
        + 10 * 300 / 8
        + 10 * 200 / 8
        + 10 * 300 / 8
        + 100
        + 0.10 * (3 * hourly + 12 * 100)
    )
    assert expected == pytest.approx(2_957.062, abs=0.001)
    annuity = (1 - 1.035**-5) / 0.035
    expected += (5 * 40 * hourly + 5 * (80 * hourly + 5_000) / annuity) / 160
    assert expected == pytest.approx(3_679.533, abs=0.001)
    assert out.cost[0, j] == pytest.approx(expected, rel=1e-12)
    assert out.cost[0, _col(inputs, "sau")] == 0.0


def test_paid_peer_cost_by_hand(inputs: Inputs) -> None:
    """Paid peers cost per productive hour, like coordinators (DESIGN 2.2; EVIDENCE 7a).

    annual pay      = 27,850.89 x 12 x (1 + 0.05)                        = 350,921.21 DKK
    hourly cost     = 350,921.21 x (1 + 0.25) x (1 + 0.25) / 1,650        = 332.3117 DKK/h
    (pay per paid hour = 350,921.21 / 1,924 = 182.39, EVIDENCE 7a)
    paid facilitation = 2 x 40 h x 332.3117 / 8                          = 3,323.117
    paid training   = 2 x (19,254.49 / 10 + 16 h x 332.3117) / 6 / 8      = 301.768
    paid expenses   = 2 x 10 x 150 / 8 (as volunteers', EVIDENCE 3a)     = 375
    companionship meetings by paid peers = 0.10 x 12 x 1.5 h x 332.3117   = 598.161
    """
    out = evaluate(inputs.parameters.deterministic(), inputs)
    units = unit_costs(inputs.parameters.deterministic())
    hourly = 27_850.89 * 12 * 1.05 * 1.25 * 1.25 / 1_650
    assert hourly == pytest.approx(332.3117, abs=1e-4)
    assert units.paid_peer_hourly[0] == pytest.approx(hourly, rel=1e-12)
    assert units.paid_peer_wage_rate[0] == pytest.approx(182.39, abs=0.01)
    coordinator = 498_908 * 1.009 * 1.25 / 1_650
    items = {
        "paid_facilitation": 2 * 40 * hourly / 8,
        "paid_peer_training": 2 * ((40 * coordinator + 4_000) / 10 + 16 * hourly) / 6 / 8,
        "paid_peer_expenses": 2 * 10 * 150 / 8,
        "companionship_paid_time": 0.10 * 12 * 1.5 * hourly,
    }
    assert items["paid_facilitation"] == pytest.approx(3_323.117, abs=1e-3)
    assert items["paid_peer_training"] == pytest.approx(301.768, abs=1e-3)
    assert items["companionship_paid_time"] == pytest.approx(598.161, abs=1e-3)
    for item, expected in items.items():
        assert out.item_costs[("peer_paid", item)] == pytest.approx(expected, rel=1e-12), item
    assert ("peer_paid", "volunteer_expenses") not in out.item_costs
    assert out.item_costs[("peer_hybrid", "paid_peer_expenses")] == pytest.approx(187.5)
    assert out.item_costs[("peer_hybrid", "volunteer_expenses")] == pytest.approx(187.5)


def test_paid_peer_pay_never_below_the_agreement_minimum(inputs: Inputs) -> None:
    """Sampled pay per paid hour >= the SOSU-hjaelper minimum 27,850.89 x 12 / 1,924 = 173.71."""
    draws = inputs.parameters.sample(20_000, 5)
    pay = unit_costs(draws).paid_peer_wage_rate
    minimum = 27_850.89 * 12 / 1_924
    assert minimum == pytest.approx(173.71, abs=0.005)
    assert pay.min() >= minimum
    assert pay.mean() == pytest.approx(minimum * 1.05, rel=0.01)


def test_venue_is_in_kind_counted_but_no_cash(inputs: Inputs) -> None:
    """The venue (10 x 300 / 8 = 375 DKK per participant, municipality) counts in the
    cost-utility analysis and appears in the budget as in kind, not as cash."""
    det = inputs.parameters.deterministic()
    out = evaluate(det, inputs)
    j = _col(inputs, "peer_volunteer")
    assert out.item_costs[("peer_volunteer", "venue")] == pytest.approx(375.0, rel=1e-12)
    assert "venue" in out.counted_items
    assert out.in_kind_cost["municipality"][0, j] == pytest.approx(375.0, rel=1e-12)
    cash = sum(float(arr[0, j]) for arr in out.budget_cost.values())
    assert cash == pytest.approx(out.cost[0, j] - 375.0, rel=1e-12)
    assert float(out.budget_cost["municipality"][0, j]) == 0.0
    free = evaluate(det.with_values({"venue_per_session": 0.0}), inputs)
    assert out.cost[0, j] - free.cost[0, j] == pytest.approx(375.0, rel=1e-12)


def test_peer_volunteer_qaly_gain_by_hand(inputs: Inputs) -> None:
    """QALY gain of PEER with volunteers at the base values.

    delta_u = d_MANSA x SD_EQ5D x lambda = 0.26 x (53.8 x 0.0040892) x (0.3 + 0.7 x 2/7)
            = 0.26 x 0.21999896 x 0.5 = 0.0285999
    course c = 70 / 365.25 = 0.19165 years; linear decay over T = 12 months = 1 year.
    Undiscounted gain = delta_u x (c/2 + T/2) = 0.0285999 x 0.595825 = 0.0170405 QALY.
    Discounted at rho = ln(1.035): ramp  = delta_u/c x ∫_0^c t e^{-rho t} dt
                                   decay = delta_u x ∫_c^{c+1} (1 - (t - c)) e^{-rho t} dt,
    both evaluated below with closed-form antiderivatives written out by hand.
    """
    out = evaluate(inputs.parameters.deterministic(), inputs)
    j = _col(inputs, "peer_volunteer")
    du = 0.26 * (53.8 * 0.0040892) * (0.3 + 0.7 * 2 / 7)
    c = 70 / 365.25
    rho = math.log(1.035)

    def anti_t(t: float) -> float:  # antiderivative of t e^{-rho t}
        return -math.exp(-rho * t) * (t / rho + 1 / rho**2)

    def anti_1(t: float) -> float:  # antiderivative of e^{-rho t}
        return -math.exp(-rho * t) / rho

    ramp = du / c * (anti_t(c) - anti_t(0.0))
    # 1 - (t - c) = (1 + c) - t on [c, c + 1]
    decay = du * ((1 + c) * (anti_1(c + 1) - anti_1(c)) - (anti_t(c + 1) - anti_t(c)))
    assert du * (c / 2 + 0.5) == pytest.approx(0.0170405, abs=1e-7)
    assert out.qaly_gain[0, j] == pytest.approx(ramp + decay, rel=1e-10)
    assert out.qaly[0, j] - out.qaly[0, _col(inputs, "sau")] == pytest.approx(ramp + decay)


def _plain_recompute(p: dict[str, float], strategy: str) -> tuple[float, float]:
    """Independent plain-Python re-computation of cost and discounted QALY gain (no model code).

    QALYs by a fine midpoint sum (2,000 steps per year) of gain x (1.035)^-t over 36 months.
    """
    hourly = (
        p["coordinator_salary_annual"]
        * p["wage_index_2023_to_2024"]
        * (1 + p["overhead_rate"])
        / p["productive_hours_per_year"]
    )
    paid_hourly = (
        p["sosu_hjaelper_min_monthly"]
        * 12
        * (1 + p["paid_peer_pay_supplement"])
        * (1 + p["paid_peer_on_cost_rate"])
        * (1 + p["overhead_rate"])
        / p["productive_hours_per_year"]
    )
    n = p["participants_per_group"]
    sessions = p["sessions_per_course"]
    trainer = p["trainer_hours_per_training_cohort"] * hourly + p["training_venue_per_cohort"]
    seat = trainer / p["volunteers_per_training_cohort"]
    paid, vol, companion = {
        "peer_volunteer": (0, 2, "volunteer"),
        "peer_paid": (2, 0, "paid"),
        "peer_hybrid": (1, 1, "volunteer"),
        "peer_course_only": (0, 2, "none"),
    }[strategy]
    cost = p["coordinator_hours_per_course"] * hourly / n
    cost += sessions * (p["refreshments_per_session"] + p["venue_per_session"]) / n
    cost += p["materials_per_participant"]
    cost += vol * seat / p["courses_per_volunteer"] / n
    cost += sessions * p["facilitator_expenses_per_session"] * (vol + paid) / 2 / n
    cost += (
        paid * (seat + p["training_hours_per_volunteer"] * paid_hourly) / p["courses_per_paid_peer"]
    ) / n
    cost += paid * p["paid_peer_hours_per_course_per_facilitator"] * paid_hourly / n
    # fixed programme costs: 5 municipalities x 4 courses a year; annuity at 3.5 %
    rate = 0.035
    annuity = (1 - (1 + rate) ** -p["programme_lifetime_years"]) / rate
    yearly = 5 * p["local_coordination_hours_per_municipality_year"] * hourly
    setup = 5 * (p["setup_hours_per_municipality"] * hourly + p["setup_materials_per_municipality"])
    cost += (yearly + setup / annuity) / (5 * 4 * n)
    uptake = p["prop_one_to_one_uptake"]
    if companion != "none":
        cost += uptake * p["companionship_matching_hours"] * hourly
        cost += (
            uptake * p["companionship_meetings_per_user"] * p["companionship_expenses_per_meeting"]
        )
    if companion == "paid":
        cost += (
            uptake
            * p["companionship_meetings_per_user"]
            * p["companionship_meeting_hours"]
            * paid_hourly
        )
    lam = p["r_mansa_eq5d"] + (1 - p["r_mansa_eq5d"]) * p["lambda_share"]
    du = p["mansa_d"] * p["sd_eq5d_target"] * lam
    du *= p["delivered_attendance_prop"] / p["trial_attendance_prop"]  # complier average
    if strategy == "peer_course_only":
        du *= p["course_only_effect_multiplier"]
    if strategy in ("peer_paid", "peer_hybrid"):
        du *= p["paid_delivery_effect_multiplier"]
    c = p["course_weeks"] * 7 / 365.25
    span = p["decay_months"] / 12
    steps = 6000
    width = 3.0 / steps
    total = 0.0
    for i in range(steps):
        t = (i + 0.5) * width
        g = t / c if t < c else max(0.0, 1 - (t - c) / span)
        total += du * g * 1.035 ** (-t) * width
    return cost, total


@pytest.mark.parametrize(
    "strategy", ["peer_volunteer", "peer_paid", "peer_hybrid", "peer_course_only"]
)
def test_independent_recomputation(inputs: Inputs, strategy: str) -> None:
    p = {k: float(v[0]) for k, v in inputs.parameters.deterministic().items()}
    cost, gain = _plain_recompute(p, strategy)
    out = evaluate(inputs.parameters.deterministic(), inputs)
    j = _col(inputs, strategy)
    assert out.cost[0, j] == pytest.approx(cost, rel=1e-12)
    assert out.qaly_gain[0, j] == pytest.approx(gain, rel=1e-6)


def test_independent_recomputation_on_random_draws(inputs: Inputs) -> None:
    """The vectorised model matches the plain loop sample by sample (oracle, 20 PSA draws)."""
    draws = inputs.parameters.sample(20, 7)
    out = evaluate(draws, inputs)
    for i in range(draws.n_samples):
        p = {k: float(v[i]) for k, v in draws.items()}
        for strategy in ("peer_volunteer", "peer_paid"):
            cost, gain = _plain_recompute(p, strategy)
            j = _col(inputs, strategy)
            assert out.cost[i, j] == pytest.approx(cost, rel=1e-12)
            assert out.qaly_gain[i, j] == pytest.approx(gain, rel=1e-5, abs=1e-9)


@pytest.mark.parametrize("durability", ["none", "linear", "exponential", "sustained"])
@pytest.mark.parametrize("horizon", [3.0, 12.0, 36.0, 480.0])
def test_qaly_closed_form_matches_monthly_trapezoid(
    inputs: Inputs, durability: str, horizon: float
) -> None:
    """Closed-form discounted QALYs vs a fine trapezoid over the gain path (the test oracle);
    the 480-month horizon crosses the 35-year step of the Danish schedule."""
    settings = replace(inputs.settings, durability=durability, horizon_months=horizon)
    draws = dict(inputs.parameters.sample(5, 3))
    gain_post = np.linspace(0.01, 0.05, 5)
    exact = qaly_gain(gain_post, draws, settings, settings.discount_effects)
    steps = int(horizon * 100)
    width = horizon / steps / 12  # years
    mid_months = (np.arange(steps) + 0.5) * horizon / steps
    frac = np.stack([remaining_fraction(m, draws, settings) for m in mid_months], axis=1)
    t = mid_months / 12
    # D(t) for the Danish steps, summed step by step: 3.5 % to 35 y, 2.5 % to 70 y, 1.5 % after.
    log_d = (
        np.log(1.035) * np.minimum(t, 35)
        + np.log(1.025) * np.clip(t - 35, 0, 35)
        + np.log(1.015) * np.maximum(t - 70, 0)
    )
    approx = (gain_post[:, None] * frac * np.exp(-log_d)).sum(axis=1) * width
    # Midpoint rule: O(h^2) error away from kinks; the course end falls inside one step.
    np.testing.assert_allclose(exact, approx, rtol=2e-4, atol=1e-8)


def test_zero_effect_gives_zero_qaly_gain(inputs: Inputs) -> None:
    out = evaluate(_base(inputs, mansa_d=0.0), inputs)
    np.testing.assert_array_equal(out.qaly_gain, 0.0)
    np.testing.assert_allclose(out.qaly - out.qaly[:, [0]], 0.0, atol=0)


def test_doubling_every_unit_cost_doubles_costs(inputs: Inputs) -> None:
    """All monetary inputs (unit contains 'DKK') x2, societal perspective, scenario costs on."""
    settings = replace(inputs.settings, perspective="societal", downstream_resource_use=True)
    base_values = _base(
        inputs, delta_gp_visits=-1, delta_bed_days=0.5, delta_outpatient_visits=1,
        delta_support_hours=-2, venue_per_session=300,
    )  # fmt: skip
    money = [s.name for s in inputs.parameters.specs if "DKK" in s.unit]
    assert "coordinator_salary_annual" in money and "psychiatric_bed_day" in money
    doubled = dict(base_values)
    for name in money:
        doubled[name] = base_values[name] * 2
    a = evaluate(base_values, inputs, settings=settings)
    b = evaluate(doubled, inputs, settings=settings)
    assert np.all(a.cost[0, 1:] != 0)
    np.testing.assert_allclose(b.cost, 2 * a.cost, rtol=1e-12)
    np.testing.assert_array_equal(b.qaly, a.qaly)


def test_trial_period_does_not_depend_on_durability(inputs: Inputs) -> None:
    draws = inputs.parameters.sample(50, 11)
    results = []
    for shape in ("none", "linear", "exponential", "sustained"):
        settings = replace(inputs.settings, durability=shape)
        out = evaluate(
            draws.with_values({"decay_months": 2.0, "half_life_months": 40.0}),
            inputs,
            settings=settings,
            horizon_months=3.0,
            durability="sustained",
        )
        results.append(out.qaly_gain)
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])


def test_trial_period_gain_is_held_to_follow_up(inputs: Inputs) -> None:
    """Trial period: ramp over 10 weeks, then held to 3 months; about 0.0044 QALY undiscounted
    (EVIDENCE 7): 0.0286 x (0.19165/2 + (0.25 - 0.19165)) = 0.00441."""
    settings = replace(inputs.settings, discount_effects=DiscountSchedule((0.0,), (0.0,)))
    out = evaluate(
        inputs.parameters.deterministic(),
        inputs,
        settings=settings,
        horizon_months=3.0,
        durability="sustained",
    )
    du = 0.26 * (53.8 * 0.0040892) * 0.5
    c = 70 / 365.25
    assert out.qaly_gain[0, 1] == pytest.approx(du * (c / 2 + (0.25 - c)), rel=1e-10)
    assert out.qaly_gain[0, 1] == pytest.approx(0.00441, abs=1e-5)


def test_baseline_utility_changes_absolute_qalys_not_increments(inputs: Inputs) -> None:
    low = evaluate(_base(inputs, baseline_utility=0.5), inputs)
    high = evaluate(_base(inputs, baseline_utility=0.8), inputs)
    assert np.all(high.qaly > low.qaly)
    np.testing.assert_allclose(high.qaly - high.qaly[:, [0]], low.qaly - low.qaly[:, [0]])
    np.testing.assert_array_equal(high.cost, low.cost)


def test_perspective_adds_categories_never_removes(inputs: Inputs) -> None:
    draws = inputs.parameters.sample(200, 5)
    costs = {
        p: evaluate(draws, inputs, settings=replace(inputs.settings, perspective=p)).cost
        for p in ("health_and_social_care", "limited_societal", "societal")
    }
    assert np.all(costs["limited_societal"] >= costs["health_and_social_care"])
    assert np.all(costs["societal"] >= costs["limited_societal"])
    # Volunteer time only in the societal perspective: paid delivery has none.
    j = _col(inputs, "peer_paid")
    np.testing.assert_allclose(costs["societal"][:, j], costs["limited_societal"][:, j])


def test_payer_never_decides_what_counts(inputs: Inputs) -> None:
    moved = replace(
        inputs,
        cost_items=tuple(replace(c, payer="volunteers_participants") for c in inputs.cost_items),
    )
    draws = inputs.parameters.sample(100, 2)
    np.testing.assert_array_equal(evaluate(draws, moved).cost, evaluate(draws, inputs).cost)


def test_group_costs_vanish_with_very_large_groups(inputs: Inputs) -> None:
    """Extreme value: per-participant group costs -> 0, leaving materials and companionship."""
    out = evaluate(_base(inputs, participants_per_group=1e9), inputs)
    j = _col(inputs, "peer_volunteer")
    hourly = 498_908 * 1.009 * 1.25 / 1_650
    assert out.cost[0, j] == pytest.approx(100 + 0.10 * (3 * hourly + 12 * 100), rel=1e-6)


def test_costs_linear_in_coordinator_hours(inputs: Inputs) -> None:
    hours = np.array([10.0, 20.0, 40.0])
    draws = inputs.parameters.deterministic()
    base = {k: np.repeat(v, 3) for k, v in draws.items()}
    base["coordinator_hours_per_course"] = hours
    out = evaluate(base, inputs)
    diffs = np.diff(out.cost[:, 1]) / np.diff(hours)
    assert diffs[0] == pytest.approx(diffs[1], rel=1e-12)


def test_shrinkage_and_source_outcome_switches(inputs: Inputs) -> None:
    det = inputs.parameters.deterministic()
    base = evaluate(det, inputs).qaly_gain[0, 1]
    shrunk = evaluate(det, inputs, settings=replace(inputs.settings, shrinkage=True))
    assert shrunk.qaly_gain[0, 1] == pytest.approx(base * 0.20 / 0.43, rel=1e-9)
    wsas = evaluate(det, inputs, settings=replace(inputs.settings, source_outcome="wsas"))
    assert wsas.qaly_gain[0, 1] == pytest.approx(base * 0.37 / 0.26, rel=1e-9)
    qpr = evaluate(det, inputs, settings=replace(inputs.settings, source_outcome="qpr15"))
    lam_qpr = 0.2 + 0.8 * 2 / 7
    assert qpr.qaly_gain[0, 1] == pytest.approx(base * 0.43 * lam_qpr / (0.26 * 0.5), rel=1e-9)


def test_attendance_scaling(inputs: Inputs) -> None:
    det = inputs.parameters.deterministic()
    base = evaluate(det, inputs).qaly_gain[0, 1]
    low = evaluate(det.with_values({"delivered_attendance_prop": 0.23}), inputs)
    assert low.qaly_gain[0, 1] == pytest.approx(base / 2, rel=1e-12)


def test_attendance_dose_response(inputs: Inputs) -> None:
    """Dose-response: effect x mean sessions attended / trial mean sessions = x 5/7 at 5
    sessions; participant time follows the 5 sessions; complier-average unaffected by it."""
    det = inputs.parameters.deterministic()
    five = det.with_values({"mean_sessions_attended": 5.0})
    base = evaluate(det, inputs)
    dose = replace(inputs.settings, attendance_model="dose_response")
    out = evaluate(five, inputs, settings=dose)
    j = _col(inputs, "peer_volunteer")
    assert out.qaly_gain[0, j] == pytest.approx(base.qaly_gain[0, j] * 5 / 7, rel=1e-12)
    assert evaluate(det, inputs, settings=dose).qaly_gain[0, j] == pytest.approx(
        base.qaly_gain[0, j], rel=1e-12
    )  # 7 / 7 at the base values
    complier = evaluate(five, inputs)
    assert complier.qaly_gain[0, j] == pytest.approx(base.qaly_gain[0, j], rel=1e-12)
    societal = replace(dose, perspective="limited_societal")
    time5 = evaluate(five, inputs, settings=societal).item_costs[
        ("peer_volunteer", "participant_time")
    ]
    time7 = evaluate(det, inputs, settings=societal).item_costs[
        ("peer_volunteer", "participant_time")
    ]
    companion = 0.1 * 12 * (1.5 + 0.5) * 190
    assert time5 - companion == pytest.approx((time7 - companion) * 5 / 7, rel=1e-12)
    off = replace(dose, attendance_scaling=False)
    assert evaluate(five, inputs, settings=off).qaly_gain[0, j] == pytest.approx(
        base.qaly_gain[0, j], rel=1e-12
    )


def test_course_only_multiplier_and_no_companionship(inputs: Inputs) -> None:
    out = evaluate(inputs.parameters.deterministic(), inputs)
    full, course = _col(inputs, "peer_volunteer"), _col(inputs, "peer_course_only")
    assert out.qaly_gain[0, course] == pytest.approx(0.9 * out.qaly_gain[0, full], rel=1e-12)
    assert ("peer_course_only", "companionship_expenses") not in out.item_costs
    hourly = 498_908 * 1.009 * 1.25 / 1_650
    saved = 0.10 * (3 * hourly + 12 * 100)
    assert out.cost[0, full] - out.cost[0, course] == pytest.approx(saved, rel=1e-12)


def test_utility_routes(inputs: Inputs) -> None:
    det = inputs.parameters.deterministic()
    direct = evaluate(
        det.with_values({"direct_delta_u": 0.05}),
        inputs,
        settings=replace(inputs.settings, utility_route="direct"),
    )
    unit = evaluate(
        det.with_values({"direct_delta_u": 1.0}),
        inputs,
        settings=replace(inputs.settings, utility_route="direct"),
    )
    assert direct.qaly_gain[0, 1] == pytest.approx(0.05 * unit.qaly_gain[0, 1])
    mapping = evaluate(det, inputs, settings=replace(inputs.settings, utility_route="mapping"))
    assert mapping.utility_gain_post[0] == pytest.approx(0.00794 * 3.6, rel=1e-12)


def test_strategies_are_data(inputs: Inputs, tmp_path: Path) -> None:
    """A new delivery variant is a row in strategies.csv, not code."""
    folder = tmp_path / "inputs"
    shutil.copytree(INPUTS, folder)
    with (folder / "strategies.csv").open("a") as handle:
        handle.write(
            "paid_course_only,Paid course only,1,2,0,none,course_only_effect_multiplier,x\n"
        )
    custom = load_inputs(folder)
    out = evaluate(custom.parameters.deterministic(), custom)
    j = custom.strategy_names.index("paid_course_only")
    k = custom.strategy_names.index("peer_paid")
    assert out.cost[0, j] < out.cost[0, k]
    assert out.qaly_gain[0, j] == pytest.approx(0.9 * out.qaly_gain[0, k])


def test_wellbeing_offset_reduces_costs(inputs: Inputs) -> None:
    """The offset follows the utility gain's time course and attenuation (DESIGN 2.2):

    WEMWBS gain at course end = d 0.26 x lambda 0.5 x SD 8.7               = 1.131 points
    price per point-year      = -42.5 USD x 6.6 DKK/USD x 1.122735 (CPI)   = -314.927 DKK
    point-years, discounted   = the QALY integral per unit gain: ramp over the 10-week course,
                                linear decay over 12 months, 3.5 % (same schedule as effects)
    offset = 1.131 x -314.931 x (QALY gain / utility gain at course end)
    """
    det = inputs.parameters.deterministic()
    on = evaluate(det, inputs, settings=replace(inputs.settings, wellbeing_offset=True))
    off = evaluate(det, inputs)
    j = _col(inputs, "peer_volunteer")
    saving = on.item_costs[("peer_volunteer", "wellbeing_offset")]
    points = 0.26 * 0.5 * 8.7
    price = -42.5 * 6.6 * 1.122734694
    assert price == pytest.approx(-314.927, abs=1e-3)
    years = on.qaly_gain[0, j] / on.utility_gain_post[0]
    assert saving == pytest.approx(points * price * years, rel=1e-12)
    # the undiscounted point-years are c/2 + T/2 = 0.0958 + 0.5 = 0.5958: discounting lowers them
    assert 0.57 < years < 0.5958
    assert on.cost[0, j] == pytest.approx(off.cost[0, j] + saving)


def test_wellbeing_offset_is_discounted_from_randomisation(inputs: Inputs) -> None:
    """With costs undiscounted the point-years are exactly c/2 + T/2 (ramp from t = 0, linear
    decay over 12 months after the course), whatever the effects' discount rate; with costs at
    3.5 % they are smaller. Fails if the offset were undiscounted, started at the end of the
    course, or ran a full year at the end-of-course level."""
    det = inputs.parameters.deterministic()
    zero = DiscountSchedule((0.0,), (0.0,))
    settings = replace(inputs.settings, wellbeing_offset=True, discount_costs=zero)
    flat = evaluate(det, inputs, settings=settings)
    base = evaluate(det, inputs, settings=replace(inputs.settings, wellbeing_offset=True))
    unit = 0.26 * 0.5 * 8.7 * -42.5 * 6.6 * 1.122734694
    c = 70 / 365.25
    assert flat.item_costs[("peer_volunteer", "wellbeing_offset")] == pytest.approx(
        unit * (c / 2 + 0.5), rel=1e-12
    )
    discounted = base.item_costs[("peer_volunteer", "wellbeing_offset")]
    assert unit * (c / 2 + 0.5) < discounted < 0.97 * unit * (c / 2 + 0.5)
    # trial period: ramp over the course then held to 3 months, nothing after
    trial = evaluate(
        det, inputs, settings=settings, horizon_months=3.0, durability="sustained"
    ).item_costs[("peer_volunteer", "wellbeing_offset")]
    assert trial == pytest.approx(unit * (c / 2 + (0.25 - c)), rel=1e-12)


def test_n_samples_one_and_seed_reproducible(inputs: Inputs) -> None:
    one = run(inputs, n_samples=1, seed=0)
    assert one.psa.cost.shape == (1, 5)
    a = run(inputs, n_samples=500, seed=42)
    b = run(inputs, n_samples=500, seed=42)
    np.testing.assert_array_equal(a.psa.cost, b.psa.cost)
    np.testing.assert_array_equal(a.psa.qaly, b.psa.qaly)
    c = run(inputs, n_samples=500, seed=43)
    assert not np.array_equal(a.psa.cost, c.psa.cost)


def test_psa_centre_matches_deterministic(inputs: Inputs) -> None:
    """Deterministic inputs equal the PSA means: the PSA mean QALY gain is within 3 Monte Carlo
    SEs of the deterministic one (the gain is a product of independent factors, so exact in
    expectation except for the decay truncation at the horizon)."""
    result = run(inputs, n_samples=20_000, seed=5)
    psa = result.psa.qaly_gain[:, 1]
    se = psa.std() / math.sqrt(psa.size)
    assert abs(psa.mean() - result.deterministic.qaly_gain[0, 1]) < 3 * se


def test_fixed_overrides_apply_to_psa(inputs: Inputs) -> None:
    table: ParameterTable = inputs.parameters
    result = run(inputs, n_samples=100, seed=1, overrides={"participants_per_group": 10})
    assert np.all(np.asarray(result.draws["participants_per_group"]) == 10)
    assert table["participants_per_group"].is_uncertain


def test_wellbeing_offset_follows_effect_scaling(inputs: Inputs) -> None:
    """The offset is driven by the effect: x 0.9 for the course only, x attendance ratio."""
    det = inputs.parameters.deterministic()
    settings = replace(inputs.settings, wellbeing_offset=True)
    out = evaluate(det, inputs, settings=settings)
    full = out.item_costs[("peer_volunteer", "wellbeing_offset")]
    course = out.item_costs[("peer_course_only", "wellbeing_offset")]
    assert course == pytest.approx(0.9 * full, rel=1e-12)
    low = evaluate(det.with_values({"delivered_attendance_prop": 0.23}), inputs, settings=settings)
    assert low.item_costs[("peer_volunteer", "wellbeing_offset")] == pytest.approx(full / 2)


def test_cost_consequence_follows_effect_modifiers(inputs: Inputs) -> None:
    """QPR-15 difference: trial value x strategy multiplier x attendance ratio (x shrinkage).
    Attendance, the shrinkage factor and the course-only multiplier are fixed in every run, so
    all runs share their draws and the ratios are exact."""
    fixed = {
        "delivered_attendance_prop": 0.46,
        "shrinkage_factor": 0.20 / 0.43,
        "course_only_effect_multiplier": 0.9,
    }
    base = run(inputs, n_samples=400, seed=4, overrides=fixed).cost_consequence()
    base = base.set_index("strategy")
    half = run(
        inputs, n_samples=400, seed=4, overrides={**fixed, "delivered_attendance_prop": 0.23}
    )
    halved = half.cost_consequence().set_index("strategy")
    assert halved.loc["peer_volunteer", "qpr15_md"] == pytest.approx(
        base.loc["peer_volunteer", "qpr15_md"] / 2, rel=1e-12
    )
    assert base.loc["peer_course_only", "qpr15_md"] == pytest.approx(
        base.loc["peer_volunteer", "qpr15_md"] * 0.9, rel=1e-12
    )
    shrunk = run(
        inputs.with_settings(shrinkage=True), n_samples=400, seed=4, overrides=fixed
    ).cost_consequence()
    assert shrunk.set_index("strategy").loc["peer_volunteer", "qpr15_md"] == pytest.approx(
        base.loc["peer_volunteer", "qpr15_md"] * 0.20 / 0.43, rel=1e-9
    )


def test_booster_courses_repeat_costs_and_gain(inputs: Inputs) -> None:
    """Two yearly repeat courses taken by half of participants, restoring the full gain
    (booster_effect_multiplier set to 1; its base value is 0.75).

    Costs: 3,679.53 x (1 + 0.5 x (1.035^-1 + 1.035^-2)) (repeat courses paid at their start).
    QALYs: first course + 0.5 x the same gain path shifted by 12 and 24 months (midpoint sum,
    truncated at the 36-month horizon).
    """
    det = inputs.parameters.deterministic().with_values({"booster_effect_multiplier": 1.0})
    settings = replace(inputs.settings, booster_courses=2, booster_interval_months=12.0)
    base = evaluate(det, inputs)
    boosted = evaluate(det, inputs, settings=settings)
    j = _col(inputs, "peer_volunteer")
    factor = 1 + 0.5 * (1.035**-1 + 1.035**-2)
    assert boosted.cost[0, j] == pytest.approx(base.cost[0, j] * factor, rel=1e-12)
    du = 0.26 * (53.8 * 0.0040892) * 0.5
    c = 70 / 365.25
    steps = 36_000
    width = 3.0 / steps
    total = 0.0
    for i in range(steps):
        t = (i + 0.5) * width
        g = 0.0
        for start, weight in ((0.0, 1.0), (1.0, 0.5), (2.0, 0.5)):
            s = t - start
            if s < 0:
                continue
            g += weight * (s / c if s < c else max(0.0, 1 - (s - c)))
        total += du * g * 1.035 ** (-t) * width
    assert boosted.qaly_gain[0, j] == pytest.approx(total, rel=1e-5)
    trial = evaluate(det, inputs, settings=settings, horizon_months=3.0, durability="sustained")
    trial_base = evaluate(det, inputs, horizon_months=3.0, durability="sustained")
    np.testing.assert_array_equal(trial.cost, trial_base.cost)
    np.testing.assert_array_equal(trial.qaly_gain, trial_base.qaly_gain)


def test_booster_settings_validated(inputs: Inputs) -> None:
    from peer_econ.errors import InputError

    with pytest.raises(InputError, match="booster_courses"):
        inputs.settings.replace(booster_courses=-1)
    with pytest.raises(InputError, match="booster_interval_months"):
        inputs.settings.replace(booster_interval_months=0.0)


def test_boosters_restore_the_gain_never_stack(inputs: Inputs) -> None:
    """Sustained gain: a repeat course has nothing to restore, so QALYs do not change (only
    costs do); the gain never exceeds the end-of-course level."""
    det = inputs.parameters.deterministic()
    sustained = replace(inputs.settings, durability="sustained")
    boosted = replace(sustained, booster_courses=2)
    a = evaluate(det, inputs, settings=sustained)
    b = evaluate(det, inputs, settings=boosted)
    np.testing.assert_allclose(b.qaly_gain, a.qaly_gain, rtol=1e-12)
    assert b.cost[0, 1] > a.cost[0, 1]


def test_booster_restore_path_matches_quadrature(inputs: Inputs) -> None:
    """Exponential decay (half-life 6 months), repeat at 12 and 24 months for half of people:
    they ramp from the residual back to the full gain; the rest keep the first path."""
    det = inputs.parameters.deterministic().with_values(
        {"half_life_months": 6.0, "booster_effect_multiplier": 1.0}
    )
    settings = replace(
        inputs.settings, durability="exponential", booster_courses=2,
        booster_interval_months=12.0,
    )  # fmt: skip
    out = evaluate(det, inputs, settings=settings)
    du = 0.26 * (53.8 * 0.0040892) * 0.5
    c = 70 / 365.25
    k = np.log(2) / 0.5

    def first(t: float) -> float:
        return t / c if t < c else float(np.exp(-k * (t - c)))

    def boosted(t: float) -> float:
        level, start = 0.0, 0.0
        for s in (1.0, 2.0):
            if t < s:
                break
            # level at the start of this repeat course, from the previous path
            level = _path(start, level, s, c, k)
            start = s
        return _path(start, level, t, c, k)

    steps = 30_000
    width = 3.0 / steps
    total = 0.0
    for i in range(steps):
        t = (i + 0.5) * width
        total += du * (0.5 * first(t) + 0.5 * boosted(t)) * 1.035 ** (-t) * width
    assert out.qaly_gain[0, 1] == pytest.approx(total, rel=1e-5)


def _path(start: float, level: float, t: float, c: float, k: float) -> float:
    """Gain at t of a course starting at `start` from `level`, peak 1, exponential decay."""
    x = t - start
    peak = max(1.0, level)
    if x < c:
        return level + (peak - level) * x / c
    return peak * float(np.exp(-k * (x - c)))


def test_downstream_differences_scale_with_effect(inputs: Inputs) -> None:
    """Resource-use differences are consequences of the effect: x 0.9 for the course only."""
    det = inputs.parameters.deterministic().with_values({"delta_bed_days": -0.5})
    settings = replace(inputs.settings, downstream_resource_use=True)
    out = evaluate(det, inputs, settings=settings)
    full = out.item_costs[("peer_volunteer", "psychiatric_inpatient")]
    # -0.5 bed days x price, spread over the first year and discounted at 3.5 %:
    # ∫_0^1 1.035^-t dt = (1 - 1/1.035) / ln 1.035 = 0.982995 years
    price = float(det["psychiatric_bed_day"][0])
    assert full == pytest.approx(-0.5 * price * (1 - 1 / 1.035) / math.log(1.035), rel=1e-12)
    assert out.item_costs[("peer_course_only", "psychiatric_inpatient")] == pytest.approx(
        0.9 * full, rel=1e-12
    )
