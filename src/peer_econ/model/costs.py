"""Micro-costed intervention and resource-use costs per randomised participant (DESIGN 2.2).

Each function returns the cost of one item for one strategy, shape ``(n_samples,)`` [DKK, 2024
prices], or ``None`` when the item does not apply to the strategy. Group costs are divided by the
number enrolled per group, so every randomised participant carries them (intention to treat).
Derived unit costs (coordinator and paid-peer hourly costs, the volunteer shadow wage) are computed
here from their sampled components, never sampled themselves, to avoid double counting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from peer_econ.model.delivery import coordinator_hourly_cost, programme_fixed_costs
from peer_econ.model.discounting import integrate_linear
from peer_econ.model.effects import MONTHS_PER_YEAR, qaly_gain, wellbeing_gain_post
from peer_econ.model.spec import ModelSettings, Strategy

FloatArray = NDArray[np.float64]
MONTHS = 12.0


@dataclass(frozen=True)
class UnitCosts:
    """Derived hourly costs, shape ``(n_samples,)`` each [DKK per hour, 2024 prices]."""

    coordinator_hourly: FloatArray
    paid_peer_hourly: FloatArray
    volunteer_hourly_value: FloatArray
    trainer_cost_per_cohort: FloatArray
    paid_peer_wage_rate: FloatArray


def unit_costs(draws: Mapping[str, FloatArray]) -> UnitCosts:
    """Derive hourly costs from salaries, on-costs, overheads and hours.

    coordinator: salary_2023 x wage index x (1 + overhead) / productive hours;
    paid peer, per productive hour (the coordinators' basis: an employer also pays for
    holidays, sickness and meetings): annual pay x (1 + on-costs) x (1 + overhead) / productive
    hours, with annual pay = SOSU-hjaelper minimum x 12 x (1 + supplement), so sampled pay never
    falls below the collective agreement's minimum (the supplement is >= 0);
    volunteer shadow wage: SOSU-hjaelper minimum x 12 / paid hours x multiplier;
    training cohort: trainer hours x coordinator hourly cost + venue and catering.
    ``paid_peer_wage_rate`` is the paid peer's pay per paid hour (annual pay / paid hours), the
    number a collective agreement states [DKK per hour].
    """
    coordinator = coordinator_hourly_cost(draws)
    annual_pay = (
        draws["sosu_hjaelper_min_monthly"] * MONTHS * (1.0 + draws["paid_peer_pay_supplement"])
    )
    paid = (
        annual_pay
        * (1.0 + draws["paid_peer_on_cost_rate"])
        * (1.0 + draws["overhead_rate"])
        / draws["productive_hours_per_year"]
    )
    volunteer = (
        draws["sosu_hjaelper_min_monthly"]
        * MONTHS
        / draws["paid_hours_per_year"]
        * draws["volunteer_value_multiplier"]
    )
    trainer = (
        draws["trainer_hours_per_training_cohort"] * coordinator
        + draws["training_venue_per_cohort"]
    )
    return UnitCosts(
        coordinator, paid, volunteer, trainer, annual_pay / draws["paid_hours_per_year"]
    )


@dataclass(frozen=True)
class SharedCosts:
    """Cost terms computed once per set of draws and shared by every strategy.

    Per randomised participant, shape ``(n_samples,)`` each [DKK]; ``per_volunteer_*`` and
    ``per_paid_*`` are per facilitator of that type (strategies multiply by their numbers).
    """

    coordination: FloatArray | None
    programme_fixed: FloatArray
    refreshments: FloatArray
    materials: FloatArray
    venue: FloatArray | None
    per_volunteer_training: FloatArray
    per_facilitator_expenses: FloatArray
    per_paid_training: FloatArray
    per_paid_facilitation: FloatArray
    companionship_matching: FloatArray
    companionship_expenses: FloatArray
    companionship_paid_time: FloatArray
    per_volunteer_hours: FloatArray
    companionship_volunteer_hours: FloatArray
    volunteer_hourly_value: FloatArray
    participant_time_course: FloatArray
    participant_time_companionship: FloatArray
    participant_transport_course: FloatArray
    participant_transport_companionship: FloatArray
    downstream: dict[str, FloatArray]


def shared_costs(
    draws: Mapping[str, FloatArray],
    units: UnitCosts,
    settings: ModelSettings,
    gain_years: FloatArray | None = None,
) -> SharedCosts:
    """Compute the cost terms every programme strategy combines (see :class:`SharedCosts`).

    ``programme_fixed`` is the fixed cost per participant at the settings' delivery scale
    (:func:`peer_econ.model.delivery.programme_fixed_costs`); with a dedicated local
    coordinator post the per-course coordination hours are part of it and ``coordination`` is
    ``None``. ``gain_years`` is passed on to :func:`downstream_costs`.
    """
    d = draws
    fixed = programme_fixed_costs(
        d,
        settings.delivery_scale,
        discount_rate=settings.discount_costs.rates[0],
        local_coordination=settings.local_coordination,
    )
    per_course_coordination = settings.local_coordination == "hours"
    n_group = d["participants_per_group"]
    sessions = d["sessions_per_course"]
    seat_training = units.trainer_cost_per_cohort / d["volunteers_per_training_cohort"]
    venue = sessions * d["venue_per_session"] / n_group
    uptake = d["prop_one_to_one_uptake"]
    meetings = uptake * d["companionship_meetings_per_user"]
    meeting_hours = meetings * d["companionship_meeting_hours"]
    return SharedCosts(
        coordination=(
            d["coordinator_hours_per_course"] * units.coordinator_hourly / n_group
            if per_course_coordination
            else None
        ),
        programme_fixed=fixed.per_participant,
        refreshments=sessions * d["refreshments_per_session"] / n_group,
        materials=np.asarray(d["materials_per_participant"], dtype=np.float64),
        venue=venue if np.any(venue != 0) else None,
        per_volunteer_training=seat_training / d["courses_per_volunteer"] / n_group,
        per_facilitator_expenses=(
            sessions * d["facilitator_expenses_per_session"] / d["facilitators_per_group"] / n_group
        ),
        per_paid_training=(
            (seat_training + d["training_hours_per_volunteer"] * units.paid_peer_hourly)
            / d["courses_per_paid_peer"]
            / n_group
        ),
        per_paid_facilitation=(
            d["paid_peer_hours_per_course_per_facilitator"] * units.paid_peer_hourly / n_group
        ),
        companionship_matching=uptake
        * d["companionship_matching_hours"]
        * units.coordinator_hourly,
        companionship_expenses=meetings * d["companionship_expenses_per_meeting"],
        companionship_paid_time=meeting_hours * units.paid_peer_hourly,
        per_volunteer_hours=(
            sessions * (d["session_hours"] + d["volunteer_preparation_hours_per_session"])
            + d["training_hours_per_volunteer"] / d["courses_per_volunteer"]
        )
        / n_group,
        companionship_volunteer_hours=meeting_hours,
        volunteer_hourly_value=units.volunteer_hourly_value,
        participant_time_course=(
            d["mean_sessions_attended"]
            * d["participant_time_per_session"]
            * d["participant_time_hourly_value"]
        ),
        participant_time_companionship=(
            meetings
            * (d["companionship_meeting_hours"] + d["companionship_travel_hours"])
            * d["participant_time_hourly_value"]
        ),
        participant_transport_course=(
            d["mean_sessions_attended"] * d["participant_transport_per_session"]
        ),
        participant_transport_companionship=meetings * d["participant_transport_per_session"],
        downstream=downstream_costs(d, settings, gain_years),
    )


def _times(factor: float, arr: FloatArray) -> FloatArray:
    return arr if factor == 1.0 else factor * arr


def strategy_item_costs(
    strategy: Strategy, shared: SharedCosts, effect_scale: FloatArray | float = 1.0
) -> dict[str, FloatArray]:
    """Every non-zero cost item of one strategy, per randomised participant.

    ``effect_scale`` (shape ``(n_samples,)`` or scalar) scales the consequences of the effect
    (downstream resource use, wellbeing offset), e.g. 0.9 for the course without
    companionship.

    Returns
    -------
    dict
        Item name -> array ``(n_samples,)`` [DKK]. Items that do not apply are absent. All
        items are returned whatever the perspective; the engine selects categories. Strategies
        with the same item share one array (treat them as read-only).
    """
    if not strategy.programme:
        return {}
    n_paid = float(strategy.paid_facilitators)
    n_vol = float(strategy.volunteer_facilitators)
    items: dict[str, FloatArray] = {
        "programme_fixed": shared.programme_fixed,
        "refreshments": shared.refreshments,
        "materials": shared.materials,
    }
    if shared.coordination is not None:
        items["coordination"] = shared.coordination
    if shared.venue is not None:
        items["venue"] = shared.venue
    if n_vol:
        items["volunteer_training"] = _times(n_vol, shared.per_volunteer_training)
        items["volunteer_expenses"] = _times(n_vol, shared.per_facilitator_expenses)
    if n_paid:
        items["paid_peer_training"] = _times(n_paid, shared.per_paid_training)
        items["paid_facilitation"] = _times(n_paid, shared.per_paid_facilitation)
        # mileage and phone per session, as for volunteers (paid by the employer)
        items["paid_peer_expenses"] = _times(n_paid, shared.per_facilitator_expenses)
    companionship = strategy.companionship != "none"
    if companionship:
        items["companionship_matching"] = shared.companionship_matching
        items["companionship_expenses"] = shared.companionship_expenses
    if strategy.companionship == "paid":
        items["companionship_paid_time"] = shared.companionship_paid_time
    volunteer_hours = _times(n_vol, shared.per_volunteer_hours) if n_vol else None
    if strategy.companionship == "volunteer":
        extra = shared.companionship_volunteer_hours
        volunteer_hours = extra if volunteer_hours is None else volunteer_hours + extra
    if volunteer_hours is not None:
        items["volunteer_time"] = volunteer_hours * shared.volunteer_hourly_value
    if companionship:
        items["participant_time"] = (
            shared.participant_time_course + shared.participant_time_companionship
        )
        items["participant_transport"] = (
            shared.participant_transport_course + shared.participant_transport_companionship
        )
    else:
        items["participant_time"] = shared.participant_time_course
        items["participant_transport"] = shared.participant_transport_course
    # consequences of the effect scale with the strategy's effect (e.g. x 0.9 course only)
    for item, arr in shared.downstream.items():
        items[item] = arr * effect_scale
    return items


def downstream_costs(
    draws: Mapping[str, FloatArray],
    settings: ModelSettings,
    gain_years: FloatArray | None = None,
) -> dict[str, FloatArray]:
    """Scenario costs after randomisation: resource-use differences or the wellbeing offset.

    Resource-use differences are per participant in the first year, spread evenly over
    [0, min(1 year, horizon)] from randomisation and discounted. The wellbeing offset (Santini
    et al. 2021: healthcare cost per WEMWBS point per person-year) follows the same time course
    as the utility gain: it rises over the course to the end-of-course WEMWBS gain
    (:func:`~peer_econ.model.effects.wellbeing_gain_post`, with the same attenuation and
    attendance scaling) and then decays like it, discounted with the cost schedule. Both are
    empty unless switched on.

    Parameters
    ----------
    gain_years : ndarray, shape (n_samples,), optional
        Discounted (cost schedule) integral over the horizon of the gain path per unit
        end-of-course gain [years] (the engine passes it, repeat courses included); computed
        here for one course when omitted.

    Notes
    -----
    Santini et al. estimate the association between wellbeing and later service costs in
    cross-sectional survey data linked to registers; it is not a causal effect of raising
    wellbeing, which is why the offset is a scenario.
    """
    d = draws
    horizon = settings.horizon_months / MONTHS_PER_YEAR
    schedule = settings.discount_costs
    out: dict[str, FloatArray] = {}
    if settings.downstream_resource_use:
        # Discounted person-years of an even flow over the first year (or the horizon if shorter).
        scale = float(integrate_linear(1.0, 0.0, 0.0, min(1.0, horizon), schedule))
        out["primary_care"] = d["delta_gp_visits"] * d["gp_consultation_fee"] * scale
        out["psychiatric_outpatient"] = (
            d["delta_outpatient_visits"] * d["psychiatric_outpatient_visit"] * scale
        )
        out["psychiatric_inpatient"] = d["delta_bed_days"] * d["psychiatric_bed_day"] * scale
        out["municipal_support"] = d["delta_support_hours"] * d["municipal_support_hour"] * scale
    if settings.wellbeing_offset:
        years = (
            qaly_gain(np.ones(np.shape(d["course_weeks"])), d, settings, schedule)
            if gain_years is None
            else gain_years
        )
        # 2021 USD PPP per point-year -> 2024 DKK
        price = (
            d["wellbeing_offset_per_wemwbs_point"] * d["ppp_dkk_per_usd"] * d["cpi_2021_to_2024"]
        )
        out["wellbeing_offset"] = wellbeing_gain_post(d, settings) * price * years
    return out
