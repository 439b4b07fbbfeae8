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


@pytest.mark.parametrize(("horizon_months", "end_years"), [(36.0, None), (9.0, 0.75)])
def test_wellbeing_offset_is_discounted_over_the_year_after_the_course(
    inputs: Inputs, horizon_months: float, end_years: float | None
) -> None:
    """The offset is a saving per WEMWBS point per person-year over the year after the course,
    [c, c + 1] with c = 70 / 365.25 years, cut at the horizon, discounted from randomisation:

        points = d x SD_WEMWBS x (delivered / trial attendance) = 0.3 x 8 x 1   = 2.4
        price  = -40 USD PPP x 7 DKK/USD x 1.1 (CPI)                          = -308 DKK
        years  = ∫_c^min(c+1, H) 1.035^-t dt   (0.976535 for H = 36 months)
        item   = points x price x years                                       = -721.85 DKK

    Left undiscounted the item would be -739.2 DKK (2.4 % more saving).
    """
    settings = _settings(inputs, wellbeing_offset=True, horizon_months=horizon_months)
    out = evaluate(_draws(inputs, WELLBEING), inputs, settings=settings)
    end = COURSE_YEARS + 1.0 if end_years is None else end_years
    years = _discounted_years(COURSE_YEARS, end)
    expected = 0.3 * 8.0 * (-40.0 * 7.0 * 1.1) * years
    assert out.item_costs[("peer_volunteer", "wellbeing_offset")] == pytest.approx(
        expected, rel=1e-12
    )
    if end_years is None:
        assert years == pytest.approx(0.976535, abs=1e-6)
        assert expected == pytest.approx(-721.85, abs=0.01)


def test_wellbeing_offset_follows_shrinkage_and_attendance(inputs: Inputs) -> None:
    """Shrinkage scales the SMD and attendance scales the points: 0.3 x 0.5 (shrinkage) x 8 x
    (0.25 / 0.5) = 0.6 points, a quarter of the unshrunk, full-attendance 2.4."""
    values = dict(WELLBEING, shrinkage_factor=0.5, delivered_attendance_prop=0.25)
    settings = _settings(inputs, wellbeing_offset=True, shrinkage=True)
    out = evaluate(_draws(inputs, values), inputs, settings=settings)
    years = _discounted_years(COURSE_YEARS, COURSE_YEARS + 1.0)
    expected = 0.6 * (-40.0 * 7.0 * 1.1) * years
    assert out.item_costs[("peer_volunteer", "wellbeing_offset")] == pytest.approx(
        expected, rel=1e-12
    )
    no_scaling = _settings(inputs, wellbeing_offset=True, attendance_scaling=False)
    plain = evaluate(_draws(inputs, values), inputs, settings=no_scaling)
    assert plain.item_costs[("peer_volunteer", "wellbeing_offset")] == pytest.approx(
        2.4 * (-40.0 * 7.0 * 1.1) * years, rel=1e-12
    )


def test_repeat_courses_repeat_course_costs_but_not_after_course_items(inputs: Inputs) -> None:
    """One repeat course at 12 months taken up by 40 %: every course item is multiplied by
    1 + 0.4 x 1.035^-1 = 1.386473; the wellbeing offset (a consequence of the first course's
    effect) is not repeated."""
    values = dict(WELLBEING, booster_uptake=0.4)
    once = evaluate(
        _draws(inputs, values), inputs, settings=_settings(inputs, wellbeing_offset=True)
    )
    twice = evaluate(
        _draws(inputs, values),
        inputs,
        settings=_settings(
            inputs, wellbeing_offset=True, booster_courses=1, booster_interval_months=12.0
        ),
    )
    factor = 1.0 + 0.4 / (1 + RATE)
    assert factor == pytest.approx(1.386473, abs=1e-6)
    for (strategy, item), value in once.item_costs.items():
        if strategy != "peer_volunteer":
            continue
        expected = value if item == "wellbeing_offset" else value * factor
        assert twice.item_costs[(strategy, item)] == pytest.approx(expected, rel=1e-12), item
    assert np.all(twice.cost[:, 1:] != once.cost[:, 1:])
