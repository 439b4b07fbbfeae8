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

from peer_econ.model.discounting import integrate_linear
from peer_econ.model.effects import MONTHS_PER_YEAR, course_years, source_effect_size
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


def unit_costs(draws: Mapping[str, FloatArray]) -> UnitCosts:
    """Derive hourly costs from salaries, on-costs, overheads and hours.

    coordinator: salary_2023 x wage index x (1 + overhead) / productive hours;
    paid peer: monthly pay x 12 / paid hours x (1 + on-costs) x (1 + overhead);
    volunteer shadow wage: SOSU-hjaelper minimum x 12 / paid hours x multiplier;
    training cohort: trainer hours x coordinator hourly cost + venue and catering.
    """
    coordinator = (
        draws["coordinator_salary_annual"]
        * draws["wage_index_2023_to_2024"]
        * (1.0 + draws["overhead_rate"])
        / draws["productive_hours_per_year"]
    )
    wage = draws["paid_peer_monthly_pay"] * MONTHS / draws["paid_hours_per_year"]
    paid = wage * (1.0 + draws["paid_peer_on_cost_rate"]) * (1.0 + draws["overhead_rate"])
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
    return UnitCosts(coordinator, paid, volunteer, trainer)


def strategy_item_costs(
    strategy: Strategy,
    draws: Mapping[str, FloatArray],
    units: UnitCosts,
    settings: ModelSettings,
) -> dict[str, FloatArray]:
    """Every non-zero cost item of one strategy, per randomised participant.

    Returns
    -------
    dict
        Item name -> array ``(n_samples,)`` [DKK]. Items that do not apply are absent.
        All items are returned whatever the perspective; the engine selects categories.
    """
    if not strategy.programme:
        return {}
    d = draws
    n_group = d["participants_per_group"]
    sessions = d["sessions_per_course"]
    n_paid = float(strategy.paid_facilitators)
    n_vol = float(strategy.volunteer_facilitators)
    seat_training = units.trainer_cost_per_cohort / d["volunteers_per_training_cohort"]
    items: dict[str, FloatArray] = {
        "coordination": d["coordinator_hours_per_course"] * units.coordinator_hourly / n_group,
        "refreshments": sessions * d["refreshments_per_session"] / n_group,
        "materials": np.asarray(d["materials_per_participant"], dtype=np.float64),
    }
    venue = sessions * d["venue_per_session"] / n_group
    if np.any(venue != 0):
        items["venue"] = venue
    if n_vol:
        items["volunteer_training"] = n_vol * seat_training / d["courses_per_volunteer"] / n_group
        items["volunteer_expenses"] = (
            sessions * d["volunteer_expenses_per_session"] * (n_vol / d["facilitators_per_group"])
        ) / n_group
    if n_paid:
        own_training = d["training_hours_per_volunteer"] * units.paid_peer_hourly
        items["paid_peer_training"] = (
            n_paid * (seat_training + own_training) / d["courses_per_paid_peer"] / n_group
        )
        items["paid_facilitation"] = (
            n_paid * d["paid_peer_hours_per_course_per_facilitator"] * units.paid_peer_hourly
        ) / n_group
    uptake = d["prop_one_to_one_uptake"]
    meetings = uptake * d["companionship_meetings_per_user"]
    if strategy.companionship != "none":
        items["companionship_matching"] = (
            uptake * d["companionship_matching_hours"] * units.coordinator_hourly
        )
        items["companionship_expenses"] = meetings * d["companionship_expenses_per_meeting"]
    if strategy.companionship == "paid":
        items["companionship_paid_time"] = (
            meetings * d["companionship_meeting_hours"] * units.paid_peer_hourly
        )
    volunteer_hours = (
        n_vol
        * (
            sessions * (d["session_hours"] + d["volunteer_preparation_hours_per_session"])
            + d["training_hours_per_volunteer"] / d["courses_per_volunteer"]
        )
        / n_group
    )
    if strategy.companionship == "volunteer":
        volunteer_hours = volunteer_hours + meetings * d["companionship_meeting_hours"]
    if np.any(volunteer_hours != 0):
        items["volunteer_time"] = volunteer_hours * units.volunteer_hourly_value
    attended = d["mean_sessions_attended"]
    participant_hours = attended * d["participant_time_per_session"]
    trips = np.asarray(attended, dtype=np.float64)
    if strategy.companionship != "none":
        participant_hours = participant_hours + meetings * (
            d["companionship_meeting_hours"] + d["companionship_travel_hours"]
        )
        trips = trips + meetings
    items["participant_time"] = participant_hours * d["participant_time_hourly_value"]
    items["participant_transport"] = trips * d["participant_transport_per_session"]
    items.update(downstream_costs(d, settings))
    return items


def downstream_costs(
    draws: Mapping[str, FloatArray], settings: ModelSettings
) -> dict[str, FloatArray]:
    """Scenario costs after the course: resource-use differences or the wellbeing offset.

    Resource-use differences are per participant in the first year, spread evenly over
    [0, min(1 year, horizon)] and discounted; the wellbeing offset is a saving per WEMWBS point per
    person-year over the year after the course (Santini et al. 2021), with the WEMWBS gain taken
    as the source SMD times the WEMWBS SD (an assumption). Both are empty unless switched on.
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
        c = course_years(d)
        years = integrate_linear(1.0, 0.0, c, np.minimum(c + 1.0, horizon), schedule)
        points = source_effect_size(d, settings) * d["wemwbs_sd"]
        out["wellbeing_offset"] = (
            points * d["wellbeing_offset_per_wemwbs_point"] * d["ppp_dkk_per_usd"] * years
        )
    return out
