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
from decimal import Decimal, localcontext
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

#: Inputs of the wellbeing offset: SMD, correlation and share of the mapping attenuation, WEMWBS
#: SD [points], USD PPP per point-year, DKK per USD PPP, CPI 2021 -> 2024, attendance (delivered =
#: trial, so the ratio is 1), course length and linear decay over 9 months.
WELLBEING = {
    "mansa_d": 0.3, "r_mansa_eq5d": 0.3, "lambda_share": 0.2, "wemwbs_sd": 8.0,
    "wellbeing_offset_per_wemwbs_point": -40.0, "ppp_dkk_per_usd": 7.0, "cpi_2021_to_2024": 1.1,
    "delivered_attendance_prop": 0.5, "trial_attendance_prop": 0.5, "course_weeks": 10.0,
    "decay_months": 9.0,
}  # fmt: skip

#: Resource categories that are a payer's spending (budget impact).
BUDGET = ("intervention", "health_care", "social_care")


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
        durability="linear",
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


# --- the wellbeing offset: the effect's time course, discounted from randomisation -------------


def _path_years(course: float, decay: float, stop: float) -> float:
    """∫_0^stop g(t) 1.035^-t dt [years] for the gain path per unit end-of-course gain with
    linear durability: g rises as t / c over the course [0, c] and falls as 1 - (t - c) / T
    for T = ``decay`` years after it, cut at ``stop`` (>= c):

        ramp = (1 - e^(-ρc) (1 + ρc)) / (ρ² c)
        fall = e^(-ρc) [(1 - e^(-ρS)) / ρ - (1 - e^(-ρS) (1 + ρS)) / (ρ² T)],  S = min(stop - c, T)

    evaluated in 40-digit decimal arithmetic (in floats the ramp's 1 - e^(-ρc) (1 + ρc) loses
    about 5 digits to cancellation).
    """
    with localcontext() as ctx:
        ctx.prec = 40
        rho = Decimal("1.035").ln()
        c, span = Decimal(course), Decimal(decay)
        s = min(Decimal(stop) - c, span)
        ramp = (1 - (-rho * c).exp() * (1 + rho * c)) / (rho**2 * c)
        tail = (-rho * s).exp()
        fall = (-rho * c).exp() * ((1 - tail) / rho - (1 - tail * (1 + rho * s)) / (rho**2 * span))
        return float(ramp + fall)


#: WEMWBS points of ``WELLBEING``: d x lambda x SD = 0.3 x (0.3 + 0.7 x 0.2) x 8 [points].
POINTS = 0.3 * (0.3 + 0.7 * 0.2) * 8.0
#: Offset per point-year: -40 USD PPP x 7 DKK/USD x 1.1 (CPI 2021 -> 2024) [DKK].
PRICE = -40.0 * 7.0 * 1.1


def test_path_years_closed_form_against_a_midpoint_sum() -> None:
    """The closed form of :func:`_path_years` equals a 200,000-step midpoint sum."""
    c, span = COURSE_YEARS, 0.75
    for stop in (c + span, 0.5):
        t = (np.arange(200_000) + 0.5) * stop / 200_000
        g = np.where(t < c, t / c, np.clip(1 - (t - c) / span, 0.0, 1.0))
        quadrature = float(np.sum(g * (1 + RATE) ** -t) * stop / 200_000)
        assert _path_years(c, span, stop) == pytest.approx(quadrature, rel=1e-9)


@pytest.mark.parametrize(("horizon_months", "stop"), [(36.0, None), (6.0, 0.5)])
def test_wellbeing_offset_is_discounted_from_randomisation_by_hand(
    inputs: Inputs, horizon_months: float, stop: float | None
) -> None:
    """The offset (a saving per WEMWBS point per person-year) follows the gain path from
    randomisation: up over the course (c = 70 / 365.25 years), down over the 9 months of linear
    decay, cut at the horizon, discounted at 3.5 %:

        points = d x lambda x SD_WEMWBS x (delivered / trial attendance) = 1.056 x 1
        price  = -40 USD PPP x 7 DKK/USD x 1.1 (CPI)                    = -308 DKK
        item   = points x price x ∫_0^min(c + 0.75, H) g(t) 1.035^-t dt
               = -308 x 1.056 x 0.464757 = -151.16 DKK (H = 36 months)

    Left undiscounted it would be -153.13 DKK (c/2 + 0.75/2 point-years, 1.3 % more saving);
    started at the end of the course, or held a year at the end-of-course level, far more.
    Every programme strategy carries it times its effect multiplier (x 1.2 paid delivery, x 0.9
    course only).
    """
    values = WELLBEING | {
        "paid_delivery_effect_multiplier": 1.2, "course_only_effect_multiplier": 0.9,
    }  # fmt: skip
    settings = _settings(inputs, wellbeing_offset=True, horizon_months=horizon_months)
    out = evaluate(_draws(inputs, values), inputs, settings=settings)
    years = _path_years(COURSE_YEARS, 0.75, COURSE_YEARS + 0.75 if stop is None else stop)
    expected = POINTS * PRICE * years
    scale = {"peer_volunteer": 1.0, "peer_paid": 1.2, "peer_hybrid": 1.2, "peer_course_only": 0.9}
    for strategy, multiplier in scale.items():
        got = out.item_costs[(strategy, "wellbeing_offset")]
        assert got == pytest.approx(expected * multiplier, rel=1e-12), strategy
    assert ("sau", "wellbeing_offset") not in out.item_costs
    if stop is None:
        assert years == pytest.approx(0.464757, abs=1e-6)
        assert expected == pytest.approx(-151.16, abs=0.01)
        assert POINTS * PRICE * (COURSE_YEARS + 0.75) / 2 == pytest.approx(-153.13, abs=0.01)


@pytest.mark.parametrize(
    ("changes", "values", "points"),
    [
        # shrinkage x 0.5 and attendance 0.25 / 0.5: a quarter of 1.056
        ({"shrinkage": True}, {"shrinkage_factor": 0.5, "delivered_attendance_prop": 0.25}, 0.264),
        # no attendance scaling: the attendance ratio is ignored
        ({"attendance_scaling": False}, {"delivered_attendance_prop": 0.25}, POINTS),
        # dose response: sessions attended 5 of the trial's 7
        (
            {"attendance_model": "dose_response"},
            {"mean_sessions_attended": 5.0, "trial_mean_sessions_attended": 7.0},
            POINTS * 5 / 7,
        ),
        # another source outcome: its own SMD and correlation, 0.4 x (0.5 + 0.5 x 0.2) x 8
        ({"source_outcome": "wsas"}, {"wsas_d": 0.4, "r_wsas_eq5d": 0.5}, 1.92),
    ],
)
def test_wellbeing_offset_follows_the_effect_size(
    inputs: Inputs, changes: dict[str, object], values: dict[str, float], points: float
) -> None:
    """The offset's WEMWBS points follow the effect as the utility gain does: shrinkage,
    attendance scaling (either model) and the source outcome."""
    settings = _settings(inputs, wellbeing_offset=True, **changes)
    out = evaluate(_draws(inputs, WELLBEING | values), inputs, settings=settings)
    years = _path_years(COURSE_YEARS, 0.75, COURSE_YEARS + 0.75)
    assert out.item_costs[("peer_volunteer", "wellbeing_offset")] == pytest.approx(
        points * PRICE * years, rel=1e-12
    )


@pytest.mark.parametrize("effects_rate", [RATE, 0.0])
def test_repeat_courses_repeat_course_costs_not_after_course_items(
    inputs: Inputs, effects_rate: float
) -> None:
    """One repeat course at 12 months, taken up by 40 %, restoring 0.6 of the gain:

    * every course item (fixed programme costs included: they are per course place) is
      multiplied by 1 + 0.4 x 1.035^-1 = 1.386473 (the cost discount rate, whatever the
      effects' rate);
    * resource use in the year after randomisation is not repeated;
    * the wellbeing offset follows the repeat course's gain: the first path has ended before
      the repeat starts (c + 0.75 < 1 year), so the repeat adds 0.4 x 0.6 x 1.035^-1 of the
      first path's discounted point-years (discounted with the cost rate).
    """
    values = WELLBEING | {
        "booster_uptake": 0.4, "booster_effect_multiplier": 0.6, "delta_gp_visits": -1.5,
        "gp_consultation_fee": 160.0,
    }  # fmt: skip
    effects = DiscountSchedule((0.0,), (effects_rate,))
    draws = _draws(inputs, values)
    factor = 1.0 + 0.4 / (1 + RATE)
    assert factor == pytest.approx(1.386473, abs=1e-6)
    for scenario in ("downstream_resource_use", "wellbeing_offset"):
        plain = _settings(inputs, discount_effects=effects, **{scenario: True})
        once = evaluate(draws, inputs, settings=plain)
        repeat = replace(plain, booster_courses=1, booster_interval_months=12.0)
        twice = evaluate(draws, inputs, settings=repeat)
        items = [key for key in once.item_costs if key[0] != "sau"]
        assert set(items) == set(twice.item_costs)
        for strategy, item in items:
            value = once.item_costs[(strategy, item)]
            if item == "wellbeing_offset":
                continue
            expected = value if item == "primary_care" else value * factor
            got = twice.item_costs[(strategy, item)]
            assert got == pytest.approx(expected, rel=1e-12), (strategy, item)
    first = _path_years(COURSE_YEARS, 0.75, COURSE_YEARS + 0.75)
    offset = twice.item_costs[("peer_volunteer", "wellbeing_offset")]
    expected = POINTS * PRICE * first * (1 + 0.4 * 0.6 / (1 + RATE))
    assert offset == pytest.approx(expected, rel=1e-12)


# --- every item of every strategy, by hand ----------------------------------------------------

#: Facilitators (paid, volunteer), who delivers companionship and the parameter of the effect
#: multiplier, per strategy (as in strategies.csv).
DELIVERY = {
    "peer_volunteer": (0, 2, "volunteer", None),
    "peer_paid": (2, 0, "paid", "paid_delivery_effect_multiplier"),
    "peer_hybrid": (1, 1, "volunteer", "paid_delivery_effect_multiplier"),
    "peer_course_only": (0, 2, "none", "course_only_effect_multiplier"),
}

#: Values that make every item non-zero, every multiplier matter (paid delivery x 1.2) and keep
#: the inputs of one formula apart; resource-use differences make the downstream items count.
ITEM_VALUES = {
    "prop_one_to_one_uptake": 0.4, "volunteer_value_multiplier": 1.3,
    "paid_delivery_effect_multiplier": 1.2, "paid_peer_pay_supplement": 0.07,
    "facilitator_expenses_per_session": 330.0, "dedicated_coordinator_fte_per_municipality": 0.6,
}  # fmt: skip
ITEM_VALUES |= _downstream_values()


def _annuity(years: float) -> float:
    """Ordinary annuity factor (1 - 1.035^-n) / 0.035 (4.5151 for 5 years)."""
    return (1 - (1 + RATE) ** -years) / RATE


def _programme_fixed_by_hand(
    p: dict[str, float], municipalities: int, courses: float, coordination: str
) -> float:
    """Fixed programme cost per participant (EVIDENCE 3a): (yearly local coordination + set-up
    annuitised over the programme lifetime) / (municipalities x courses x enrolled)."""
    annual = (
        p["coordinator_salary_annual"] * p["wage_index_2023_to_2024"] * (1 + p["overhead_rate"])
    )
    hourly = annual / p["productive_hours_per_year"]
    if coordination == "hours":
        yearly = municipalities * p["local_coordination_hours_per_municipality_year"] * hourly
    else:
        yearly = municipalities * p["dedicated_coordinator_fte_per_municipality"] * annual
    setup = municipalities * (
        p["setup_hours_per_municipality"] * hourly + p["setup_materials_per_municipality"]
    )
    per_year = municipalities * courses * p["participants_per_group"]
    return (yearly + setup / _annuity(p["programme_lifetime_years"])) / per_year


def _items_by_hand(
    p: dict[str, float], strategy: str, municipalities: int, courses: float, coordination: str
) -> dict[str, float]:
    """Every cost item of one strategy written out from the parameter values [DKK per
    randomised participant]; group items divided by the participants per group ``n``."""
    paid, vol, companion, multiplier = DELIVERY[strategy]
    n = p["participants_per_group"]
    sessions = p["sessions_per_course"]
    hourly = (
        p["coordinator_salary_annual"] * p["wage_index_2023_to_2024"] * (1 + p["overhead_rate"])
    ) / p["productive_hours_per_year"]
    # paid peers: the agreement's minimum x (1 + supplement), per productive hour
    paid_hourly = (
        p["sosu_hjaelper_min_monthly"] * 12 * (1 + p["paid_peer_pay_supplement"])
        * (1 + p["paid_peer_on_cost_rate"]) * (1 + p["overhead_rate"])
        / p["productive_hours_per_year"]
    )  # fmt: skip
    volunteer_hourly = (
        p["sosu_hjaelper_min_monthly"] * 12 / p["paid_hours_per_year"]
        * p["volunteer_value_multiplier"]
    )  # fmt: skip
    seat = (p["trainer_hours_per_training_cohort"] * hourly + p["training_venue_per_cohort"]) / p[
        "volunteers_per_training_cohort"
    ]
    expenses = sessions * p["facilitator_expenses_per_session"] / p["facilitators_per_group"] / n
    meetings = p["prop_one_to_one_uptake"] * p["companionship_meetings_per_user"]
    scale = 1.0 if multiplier is None else p[multiplier]
    first_year = (1 - 1 / (1 + RATE)) / RHO  # discounted person-years of the first year
    items = {
        "programme_fixed": _programme_fixed_by_hand(p, municipalities, courses, coordination),
        "coordination": p["coordinator_hours_per_course"] * hourly / n
        if coordination == "hours" else 0.0,
        "refreshments": sessions * p["refreshments_per_session"] / n,
        "materials": p["materials_per_participant"],
        "venue": sessions * p["venue_per_session"] / n,
        "volunteer_training": vol * seat / p["courses_per_volunteer"] / n,
        "volunteer_expenses": vol * expenses,
        "paid_peer_training": paid
        * (seat + p["training_hours_per_volunteer"] * paid_hourly) / p["courses_per_paid_peer"] / n,
        "paid_facilitation": paid * p["paid_peer_hours_per_course_per_facilitator"]
        * paid_hourly / n,
        "paid_peer_expenses": paid * expenses,
        "participant_time": p["mean_sessions_attended"] * p["participant_time_per_session"]
        * p["participant_time_hourly_value"],
        "participant_transport": p["mean_sessions_attended"]
        * p["participant_transport_per_session"],
    }  # fmt: skip
    for item, (delta, _, unit, _) in DOWNSTREAM.items():
        items[item] = p[delta] * p[unit] * first_year * scale
    volunteer_hours = (
        vol
        * (
            sessions * (p["session_hours"] + p["volunteer_preparation_hours_per_session"])
            + p["training_hours_per_volunteer"] / p["courses_per_volunteer"]
        )
        / n
    )
    if companion != "none":
        items["companionship_matching"] = (
            p["prop_one_to_one_uptake"] * p["companionship_matching_hours"] * hourly
        )
        items["companionship_expenses"] = meetings * p["companionship_expenses_per_meeting"]
        items["participant_time"] += (
            meetings
            * (p["companionship_meeting_hours"] + p["companionship_travel_hours"])
            * p["participant_time_hourly_value"]
        )
        items["participant_transport"] += meetings * p["participant_transport_per_session"]
    if companion == "paid":
        items["companionship_paid_time"] = meetings * p["companionship_meeting_hours"] * paid_hourly
    if companion == "volunteer":
        volunteer_hours += meetings * p["companionship_meeting_hours"]
    items["volunteer_time"] = volunteer_hours * volunteer_hourly
    return {item: value for item, value in items.items() if value != 0.0}


#: Delivery scales of the by-hand tests: municipalities, courses a year, local coordination.
SCALES = [(5, 4.0, "hours"), (20, 6.5, "dedicated_post")]


def _scaled_settings(
    inputs: Inputs, scale: tuple[int, float, str], **changes: object
) -> ModelSettings:
    municipalities, courses, coordination = scale
    return _settings(
        inputs,
        municipalities=municipalities,
        courses_per_municipality_per_year=courses,
        local_coordination=coordination,
        downstream_resource_use=True,
        **changes,
    )


def _values(draws: Draws) -> dict[str, float]:
    return {name: float(values[0]) for name, values in draws.items()}


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("strategy", sorted(DELIVERY))
def test_every_item_of_every_strategy_by_hand(
    inputs: Inputs, strategy: str, scale: tuple[int, float, str]
) -> None:
    """Each item of the model equals the hand formula (societal perspective: all items count),
    the model has no other item, and the total is their sum; service as usual has none. With a
    dedicated coordinator post the per-course coordination hours are part of the post."""
    draws = _draws(inputs, ITEM_VALUES)
    out = evaluate(draws, inputs, settings=_scaled_settings(inputs, scale, perspective="societal"))
    expected = _items_by_hand(_values(draws), strategy, *scale)
    got = {item: value for (s, item), value in out.item_costs.items() if s == strategy}
    assert set(got) == set(expected)
    for item, value in expected.items():
        assert got[item] == pytest.approx(value, rel=1e-12), item
    j = inputs.strategy_names.index(strategy)
    assert out.cost[0, j] == pytest.approx(sum(expected.values()), rel=1e-12)
    assert not any(s == "sau" for s, _ in out.item_costs)
    assert out.cost[0, inputs.strategy_names.index("sau")] == 0.0


def test_fixed_cost_at_the_base_scale_is_evidence_3a(inputs: Inputs) -> None:
    """The hand formula reproduces EVIDENCE 3a's shadow check at the base values: 722 DKK per
    participant (5 municipalities x 4 courses x 8 enrolled; 722.47 unrounded)."""
    p = _values(inputs.parameters.deterministic())
    assert _programme_fixed_by_hand(p, 5, 4.0, "hours") == pytest.approx(722.47, abs=0.01)


@pytest.mark.parametrize("perspective", ["health_and_social_care", "limited_societal"])
def test_total_cost_counts_the_perspective_s_categories(inputs: Inputs, perspective: str) -> None:
    """The total is the sum of the items whose category the perspective counts: no time in the
    health and social care perspective, participants' but not volunteers' time in the limited
    societal one."""
    draws = _draws(inputs, ITEM_VALUES)
    out = evaluate(
        draws, inputs, settings=_scaled_settings(inputs, SCALES[0], perspective=perspective)
    )
    left_out = {"health_and_social_care": {"participant", "volunteer_time"},
                "limited_societal": {"volunteer_time"}}[perspective]  # fmt: skip
    category = {c.item: c.category for c in inputs.cost_items}
    for j, strategy in enumerate(inputs.strategy_names[1:], start=1):
        items = _items_by_hand(_values(draws), strategy, *SCALES[0])
        expected = sum(v for item, v in items.items() if category[item] not in left_out)
        assert out.cost[0, j] == pytest.approx(expected, rel=1e-12), strategy


@pytest.mark.parametrize("scale", SCALES)
def test_budget_cost_is_spending_by_payer(inputs: Inputs, scale: tuple[int, float, str]) -> None:
    """Budget cost of a payer = the sum of its cash items in the budget categories
    (intervention, health care, social care) whatever the perspective, from the hand formulas;
    in-kind items (the lent venue) are the in-kind cost, not cash; the programme-fixed part is
    the fixed item; time is nobody's budget."""
    draws = _draws(inputs, ITEM_VALUES)
    out = evaluate(draws, inputs, settings=_scaled_settings(inputs, scale))
    budget = {c.item: c for c in inputs.cost_items if c.category in BUDGET}
    assert set(out.budget_cost) == {"ngo_grant", "municipality", "region"}
    assert set(out.in_kind_cost) == {"municipality"}
    assert set(out.programme_fixed_cost) == {"ngo_grant"}
    for j, strategy in enumerate(inputs.strategy_names):
        items = {} if strategy == "sau" else _items_by_hand(_values(draws), strategy, *scale)
        for payer, spend in out.budget_cost.items():
            expected = sum(
                v for item, v in items.items()
                if item in budget and budget[item].payer == payer and not budget[item].in_kind
            )  # fmt: skip
            assert spend[0, j] == pytest.approx(expected, rel=1e-12, abs=1e-12), (payer, strategy)
        venue = items.get("venue", 0.0)
        assert out.in_kind_cost["municipality"][0, j] == pytest.approx(venue, rel=1e-12)
        fixed = items.get("programme_fixed", 0.0)
        assert out.programme_fixed_cost["ngo_grant"][0, j] == pytest.approx(fixed, rel=1e-12)
    ngo = out.budget_cost["ngo_grant"][0, inputs.strategy_names.index("peer_volunteer")]
    assert ngo > 0


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


def test_wellbeing_offset_of_one_course_without_the_engine(inputs: Inputs) -> None:
    """Called without the engine's integral, the cost terms integrate one course's gain path
    themselves (cost schedule, horizon cut): the same closed form as through the engine."""
    from peer_econ.model.costs import shared_costs, unit_costs

    draws = _draws(inputs, WELLBEING)
    for horizon, stop in ((36.0, COURSE_YEARS + 0.75), (6.0, 0.5)):
        settings = _settings(inputs, wellbeing_offset=True, horizon_months=horizon)
        shared = shared_costs(draws, unit_costs(draws), settings)
        years = _path_years(COURSE_YEARS, 0.75, stop)
        assert shared.downstream["wellbeing_offset"][0] == pytest.approx(
            POINTS * PRICE * years, rel=1e-12
        )
