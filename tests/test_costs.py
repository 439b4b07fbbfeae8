"""Cost items after the course, by hand: when they start, how they are discounted, whom they follow.

Each test fixes every parameter it uses (``with_values``) and a single constant discount rate, so
the expected value is a closed form written out in the docstring and compared at ``rel=1e-12``:
a wrong start time, a missing discount factor or a wrong horizon cut changes the result by far
more than that. These tests were written against mutants the rest of the suite let through
(issue 16): downstream resource use counted from the end of the course instead of
randomisation, and the wellbeing offset left undiscounted.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from peer_econ.inputs.load import load_inputs
from peer_econ.model import evaluate
from peer_econ.model.spec import DiscountSchedule, Inputs, ModelSettings
from peer_econ.parameters.table import Draws

INPUTS = Path(__file__).resolve().parents[1] / "inputs"

RATE = 0.035
RHO = math.log1p(RATE)
#: Course length [years]: 10 weeks x 7 days / 365.25 days.
COURSE_YEARS = 10 * 7 / 365.25

#: Resource-use differences and their unit costs [per participant; DKK per unit].
DOWNSTREAM = {
    "primary_care": ("delta_gp_visits", -1.5, "gp_consultation_fee", 160.0),
    "psychiatric_outpatient": (
        "delta_outpatient_visits",
        0.5,
        "psychiatric_outpatient_visit",
        2500.0,
    ),
    "psychiatric_inpatient": ("delta_bed_days", -0.5, "psychiatric_bed_day", 6000.0),
    "municipal_support": ("delta_support_hours", -2.0, "municipal_support_hour", 500.0),
}

#: Inputs of the wellbeing offset: SMD, WEMWBS SD [points], USD PPP per point-year, DKK per USD
#: PPP, CPI 2021 -> 2024, attendance (delivered = trial, so the ratio is 1).
WELLBEING = {
    "mansa_d": 0.3,
    "wemwbs_sd": 8.0,
    "wellbeing_offset_per_wemwbs_point": -40.0,
    "ppp_dkk_per_usd": 7.0,
    "cpi_2021_to_2024": 1.1,
    "delivered_attendance_prop": 0.5,
    "trial_attendance_prop": 0.5,
    "course_weeks": 10.0,
}


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return load_inputs(INPUTS)


def _settings(inputs: Inputs, **changes: object) -> ModelSettings:
    """Base settings with one constant 3.5 % rate for costs and effects."""
    flat = DiscountSchedule((0.0,), (RATE,))
    base = dict(
        discount_costs=flat,
        discount_effects=flat,
        horizon_months=36.0,
        source_outcome="mansa",
        shrinkage=False,
        attendance_scaling=True,
        booster_courses=0,
    )
    base.update(changes)
    return replace(inputs.settings, **base)  # type: ignore[arg-type]


def _discounted_years(start: float, end: float) -> float:
    """∫_start^end (1 + r)^-t dt = ((1 + r)^-start - (1 + r)^-end) / ln(1 + r) [years]."""
    return ((1 + RATE) ** -start - (1 + RATE) ** -end) / RHO


def _draws(inputs: Inputs, values: dict[str, float]) -> Draws:
    return inputs.parameters.deterministic().with_values(values)


def _downstream_values() -> dict[str, float]:
    values = {"course_weeks": 10.0}
    for delta, amount, unit, price in DOWNSTREAM.values():
        values[delta] = amount
        values[unit] = price
    return values


@pytest.mark.parametrize(("horizon_months", "end_years"), [(36.0, 1.0), (6.0, 0.5)])
def test_downstream_resource_use_runs_from_randomisation(
    inputs: Inputs, horizon_months: float, end_years: float
) -> None:
    """Each difference is spread evenly over the first year from randomisation (t = 0), cut at
    the horizon, and discounted:

        item = delta x unit cost x ∫_0^min(1, H) 1.035^-t dt
        ∫_0^1   = (1 - 1.035^-1) / ln 1.035   = 0.982995 years
        ∫_0^0.5 = (1 - 1.035^-0.5) / ln 1.035 = 0.495724 years

    Starting at the end of the course (t = c = 0.19165 years) instead would give
    ∫_c^(c+1) = 0.976535 (0.66 % less) and ignoring the discount 1.0 (1.7 % more).
    """
    settings = _settings(inputs, downstream_resource_use=True, horizon_months=horizon_months)
    out = evaluate(_draws(inputs, _downstream_values()), inputs, settings=settings)
    years = _discounted_years(0.0, end_years)
    for item, (_, amount, _, price) in DOWNSTREAM.items():
        expected = amount * price * years
        assert out.item_costs[("peer_volunteer", item)] == pytest.approx(expected, rel=1e-12)
        assert ("sau", item) not in out.item_costs
    assert years == pytest.approx({1.0: 0.982995, 0.5: 0.495724}[end_years], abs=1e-6)


def test_downstream_resource_use_counts_in_total_cost(inputs: Inputs) -> None:
    """The items enter the health and social care total once each (no double counting)."""
    values = _downstream_values()
    on = evaluate(
        _draws(inputs, values), inputs, settings=_settings(inputs, downstream_resource_use=True)
    )
    off = evaluate(_draws(inputs, values), inputs, settings=_settings(inputs))
    j = inputs.strategy_names.index("peer_volunteer")
    added = sum(amount * price for _, amount, _, price in DOWNSTREAM.values())
    expected = off.cost[0, j] + added * _discounted_years(0.0, 1.0)
    assert on.cost[0, j] == pytest.approx(expected, rel=1e-12)


# --- every item of every strategy, by hand ----------------------------------------------------

#: Facilitators (paid, volunteer) and who delivers companionship, per strategy (strategies.csv).
DELIVERY = {
    "peer_volunteer": (0, 2, "volunteer"),
    "peer_paid": (2, 0, "paid"),
    "peer_hybrid": (1, 1, "volunteer"),
    "peer_course_only": (0, 2, "none"),
}


#: Values that make every item non-zero and every facilitator count matter.
ITEM_VALUES = {
    "venue_per_session": 350.0, "prop_one_to_one_uptake": 0.4, "volunteer_value_multiplier": 1.3,
}  # fmt: skip


def test_mean_item_costs_table(inputs: Inputs) -> None:
    """One row per strategy and item (zeros included) with its category, payer, whether the
    perspective counts it and its mean cost over the samples."""
    draws = inputs.parameters.sample(50, 3)
    out = evaluate(draws, inputs)
    table = out.mean_item_costs(inputs.cost_items)
    assert len(table) == len(inputs.strategy_names) * len(inputs.cost_items)
    counted = set(inputs.settings.categories)
    for row in table.to_dict("records"):
        item = next(c for c in inputs.cost_items if c.item == row["item"])
        assert (row["category"], row["payer"]) == (item.category, item.payer)
        assert row["counted"] == (item.category in counted)
        assert row["cost"] == out.item_costs.get((row["strategy"], row["item"]), 0.0)
    j = inputs.strategy_names.index("peer_volunteer")
    coordination = table[
        (table["strategy"] == "peer_volunteer") & (table["item"] == "coordination")
    ]
    assert coordination["cost"].iloc[0] > 0
    total = table[(table["strategy"] == "peer_volunteer") & table["counted"]]["cost"].sum()
    assert total == pytest.approx(float(np.mean(out.cost[:, j])), rel=1e-12)


# --- QALYs: the baseline path and repeat courses, against quadrature -----------------------


@pytest.mark.parametrize("horizon_months", [6.0, 36.0])
def test_baseline_qalys_by_hand(inputs: Inputs, horizon_months: float) -> None:
    """Service as usual: constant baseline utility u0 to the horizon H, discounted:
    QALY = u0 x (1 - 1.035^-H) / ln 1.035 (H in years); u0 = 0.6 here."""
    draws = _draws(inputs, {"baseline_utility": 0.6})
    out = evaluate(draws, inputs, settings=_settings(inputs, horizon_months=horizon_months))
    expected = 0.6 * _discounted_years(0.0, horizon_months / 12.0)
    assert out.qaly[0, inputs.strategy_names.index("sau")] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(out.qaly - out.qaly_gain, expected, rtol=1e-12)


def _course_path(
    t: np.ndarray,
    starts: list[float],
    stop: float,
    durability: str,
    target: float,
    course: float,
    decay_years: float,
    half_life_years: float,
    followup_years: float,
) -> np.ndarray:
    """Gain path per unit end-of-course gain for those who take every course (plain loop over
    courses): each course ramps linearly from the current level to its peak (1 for the first,
    max(target, level) for repeats) over ``course`` years, then decays by ``durability``."""
    bounds = [*starts, stop]
    level = 0.0
    out = np.zeros_like(t)
    for k in range(len(starts)):
        a, b = bounds[k], bounds[k + 1]
        peak = 1.0 if k == 0 else max(target, level)

        def value(x: float, a: float = a, peak: float = peak, start_level: float = level) -> float:
            end = a + course
            if x < end:
                return start_level + (peak - start_level) * (x - a) / course
            after = x - end
            if durability == "linear":
                return peak * min(max(1.0 - after / decay_years, 0.0), 1.0)
            if durability == "exponential":
                return peak * float(np.exp(-np.log(2.0) * after / half_life_years))
            if durability == "none":
                return peak if x <= a + followup_years else 0.0
            return peak

        inside = (t >= a) & (t < b)
        out[inside] = [value(float(x)) for x in t[inside]]
        level = value(b)
    return out


@pytest.mark.parametrize("durability", ["none", "linear", "exponential", "sustained"])
@pytest.mark.parametrize("target", [0.6, 1.3])
def test_repeat_courses_follow_the_plain_path(
    inputs: Inputs, durability: str, target: float
) -> None:
    """Two repeat courses (12 and 24 months), all take them: the model's discounted QALY gain
    equals a midpoint sum (20,000 steps a year) of the plain path x 1.035^-t, for every
    durability and a repeat peak below and above the first."""
    values = {
        "booster_effect_multiplier": target, "booster_uptake": 1.0, "decay_months": 9.0,
        "half_life_months": 7.0, "course_weeks": 10.0, "mansa_d": 0.3,
    }  # fmt: skip
    settings = _settings(
        inputs, durability=durability, booster_courses=2, booster_interval_months=12.0
    )
    out = evaluate(_draws(inputs, values), inputs, settings=settings)
    steps = 60_000
    t = (np.arange(steps) + 0.5) * 3.0 / steps
    path = _course_path(
        t, [0.0, 1.0, 2.0], 3.0, durability, target, COURSE_YEARS, 0.75, 7.0 / 12.0, 0.25
    )
    unit = float(np.sum(path * (1 + RATE) ** -t) * 3.0 / steps)
    j = inputs.strategy_names.index("peer_volunteer")
    expected = out.utility_gain_post[0] * unit
    assert out.qaly_gain[0, j] == pytest.approx(expected, rel=2e-5)


@pytest.mark.parametrize("durability", ["none", "linear"])
@pytest.mark.parametrize("interval_months", [1.5, 3.0])
@pytest.mark.parametrize("target", [0.6, 1.3])
def test_repeat_courses_starting_early(
    inputs: Inputs, durability: str, interval_months: float, target: float
) -> None:
    """Repeats every 1.5 months start while the previous course still ramps up (it lasts 2.3
    months), so a repeat starts from the ramp's level; every 3 months a repeat starts exactly
    when the trial follow-up ends, where the held gain still counts (``none``)."""
    values = {
        "booster_effect_multiplier": target, "booster_uptake": 1.0, "decay_months": 9.0,
        "course_weeks": 10.0, "mansa_d": 0.3,
    }  # fmt: skip
    settings = _settings(
        inputs, durability=durability, booster_courses=2, booster_interval_months=interval_months
    )
    out = evaluate(_draws(inputs, values), inputs, settings=settings)
    steps = 60_000
    t = (np.arange(steps) + 0.5) * 3.0 / steps
    step = interval_months / 12.0
    path = _course_path(
        t, [0.0, step, 2 * step], 3.0, durability, target, COURSE_YEARS, 0.75, 1.0, 0.25
    )
    unit = float(np.sum(path * (1 + RATE) ** -t) * 3.0 / steps)
    j = inputs.strategy_names.index("peer_volunteer")
    assert out.qaly_gain[0, j] == pytest.approx(out.utility_gain_post[0] * unit, rel=2e-5)


def test_venue_item_exists_when_it_costs_anything(inputs: Inputs) -> None:
    """A free venue is no item; 0.8 DKK a session for 10 sessions and 8 participants is
    exactly 1 DKK per participant, and it is counted."""
    values = {"sessions_per_course": 10.0, "participants_per_group": 8.0}
    free = evaluate(_draws(inputs, values | {"venue_per_session": 0.0}), inputs)
    assert ("peer_volunteer", "venue") not in free.item_costs
    cheap = evaluate(_draws(inputs, values | {"venue_per_session": 0.8}), inputs)
    assert cheap.item_costs[("peer_volunteer", "venue")] == 1.0
    j = inputs.strategy_names.index("peer_volunteer")
    assert cheap.cost[0, j] == pytest.approx(free.cost[0, j] + 1.0, rel=1e-12)


def test_paid_course_with_volunteer_companions(inputs: Inputs) -> None:
    """Strategies are data: paid facilitators with volunteer companionship value only the
    companions' hours as volunteer time (uptake x meetings x hours x hourly value)."""
    from peer_econ.model.costs import shared_costs, strategy_item_costs, unit_costs
    from peer_econ.model.spec import Strategy

    draws = _draws(inputs, ITEM_VALUES)
    p = {name: float(values[0]) for name, values in draws.items()}
    shared = shared_costs(draws, unit_costs(draws), _settings(inputs))
    mixed = Strategy("mixed", "Mixed", True, 2, 0, "volunteer")
    items = strategy_item_costs(mixed, shared)
    hours = p["prop_one_to_one_uptake"] * p["companionship_meetings_per_user"]
    hours *= p["companionship_meeting_hours"]
    hourly = p["sosu_hjaelper_min_monthly"] * 12 / p["paid_hours_per_year"] * 1.3
    assert items["volunteer_time"][0] == pytest.approx(hours * hourly, rel=1e-12)
    assert "volunteer_training" not in items and "companionship_paid_time" not in items


def test_effect_scale_defaults_to_the_full_effect(inputs: Inputs) -> None:
    """Without an effect scale the downstream items are those of the full effect."""
    from peer_econ.model.costs import shared_costs, strategy_item_costs, unit_costs

    draws = _draws(inputs, _downstream_values())
    settings = _settings(inputs, downstream_resource_use=True)
    shared = shared_costs(draws, unit_costs(draws), settings)
    strategy = next(s for s in inputs.strategies if s.name == "peer_volunteer")
    items = strategy_item_costs(strategy, shared)
    for item, value in shared.downstream.items():
        np.testing.assert_array_equal(items[item], value)
