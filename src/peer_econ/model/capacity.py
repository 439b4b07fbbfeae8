"""What delivering PEER at a scale needs: groups, volunteers, training cohorts, trainer,
coordinator and paid-peer hours, year by year (vectorised along the sample axis).

The arithmetic mirrors the cost model (:mod:`peer_econ.model.costs`), so a steady year of the
capacity plan needs exactly the resources the cost per participant pays for:

- groups per year = municipalities x courses per municipality per year x the year's ramp-up share;
  participants enrolled = groups x participants per group;
- facilitator slots = groups x facilitators of each kind per group (from the strategy);
- a volunteer leads ``courses_per_volunteer`` courses in all and leaves at the yearly attrition
  rate ``a``, so leads ``courses_per_volunteer x a`` courses a year; active volunteers = volunteer
  slots / (``courses_per_volunteer`` x ``a``);
- volunteers trained in a year = active volunteers - those retained from the year before
  (``(1 - a)`` of last year's), never below 0: the whole first cohort in year 1, then
  ``slots / courses_per_volunteer`` a year in a steady state (the cost model's amortisation);
- training cohorts = trained / ``volunteers_per_training_cohort``; trainer hours = cohorts x
  ``trainer_hours_per_training_cohort``; paid peers are trained the same way over
  ``courses_per_paid_peer``;
- coordinator hours = groups x ``coordinator_hours_per_course`` + municipalities x
  ``local_coordination_hours_per_municipality_year`` + participants x companionship uptake x
  ``companionship_matching_hours``; FTE = hours / ``productive_hours_per_year``;
- paid-peer hours = paid slots x ``paid_peer_hours_per_course_per_facilitator`` (+ companionship
  meetings and travel when paid peers deliver companionship); FTE on the same productive-hour
  basis.

Counts are expected values (fractional); :func:`capacity_table` adds the rounded-up numbers a
commissioner recruits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peer_econ.errors import InputError
from peer_econ.model.delivery import LOCAL_COORDINATION, DeliveryScale, scale_problems
from peer_econ.model.spec import Strategy

FloatArray = NDArray[np.float64]

#: Longest budget horizon a plan may cover [years] (budget-impact practice: 1 to 10 years).
MAX_YEARS = 10


@dataclass(frozen=True)
class DeliveryPlan:
    """A delivery scale over a budget horizon, with ramp-up.

    Attributes
    ----------
    municipalities : int
        Municipalities running the course, 1 to 98.
    courses_per_municipality_per_year : float
        Courses (groups) per municipality per year at full capacity, in (0, 52].
    years : int
        Budget horizon [years], 1 to :data:`MAX_YEARS`.
    ramp_up : tuple of float
        Share of the planned courses delivered in each year, in [0, 1]; years beyond the tuple
        run at full capacity.
    """

    municipalities: int
    courses_per_municipality_per_year: float
    years: int = 5
    ramp_up: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        problems = plan_problems(
            self.municipalities, self.courses_per_municipality_per_year, self.years, self.ramp_up
        )
        if problems:
            raise InputError(problems)

    @classmethod
    def from_participants(
        cls,
        participants_per_year: float,
        municipalities: int,
        participants_per_group: float,
        *,
        years: int = 5,
        ramp_up: Sequence[float] = (),
    ) -> DeliveryPlan:
        """The plan that serves ``participants_per_year`` enrolled participants.

        Courses per municipality = participants / (group size x municipalities), fractional
        (an average over municipalities and years).
        """
        for name, value in (
            ("participants per year", participants_per_year),
            ("participants per group", participants_per_group),
        ):
            if not _is_number(value) or not math.isfinite(value):
                raise InputError(f"{name} = {value!r}; give a number")
        if participants_per_year <= 0:
            raise InputError(
                f"participants per year = {participants_per_year!r}; give a number > 0"
            )
        if participants_per_group < 2:
            raise InputError(
                f"participants per group = {participants_per_group!r}; a group needs at least 2"
            )
        problems = plan_problems(municipalities, 1.0, years, tuple(ramp_up))
        if problems:
            raise InputError(problems)
        courses = participants_per_year / (participants_per_group * municipalities)
        return cls(municipalities, courses, years, tuple(float(s) for s in ramp_up))

    @property
    def scale(self) -> DeliveryScale:
        """The delivery scale at full capacity (the model's programme-cost arithmetic)."""
        return DeliveryScale(
            int(self.municipalities), float(self.courses_per_municipality_per_year)
        )

    def share(self, year: int) -> float:
        """Share of planned courses delivered in ``year`` (1-based)."""
        return self.ramp_up[year - 1] if year <= len(self.ramp_up) else 1.0

    @property
    def shares(self) -> FloatArray:
        """Ramp-up share of every year, shape ``(years,)``."""
        return np.array([self.share(y) for y in range(1, self.years + 1)], dtype=np.float64)

    @property
    def groups_per_year(self) -> float:
        """Groups (courses) per year over all municipalities at full capacity."""
        return float(self.municipalities * self.courses_per_municipality_per_year)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def plan_problems(
    municipalities: object, courses: object, years: object, ramp_up: Sequence[object]
) -> list[str]:
    """Every problem with a delivery plan, as one-line messages (empty when valid): the
    scale's (:func:`peer_econ.model.delivery.scale_problems`), the horizon and the ramp-up."""
    problems = scale_problems(municipalities, courses)
    if (
        not _is_number(years)
        or not math.isfinite(years)  # type: ignore[arg-type]
        or int(years) != years  # type: ignore[call-overload]
        or not 1 <= int(years) <= MAX_YEARS  # type: ignore[call-overload]
    ):
        problems.append(f"years = {years!r}; give a whole number from 1 to {MAX_YEARS}")
    elif len(ramp_up) > int(years):  # type: ignore[call-overload]
        problems.append(
            f"ramp-up gives {len(ramp_up)} yearly shares for a {years}-year horizon; "
            "give at most one share per year"
        )
    for i, share in enumerate(ramp_up, start=1):
        if not _is_number(share) or not (math.isfinite(share) and 0 <= share <= 1):  # type: ignore[arg-type, operator]
            problems.append(f"ramp-up share of year {i} = {share!r}; give a number in [0, 1]")
    return problems


@dataclass(frozen=True)
class CapacityPlan:
    """Resources needed each year, arrays of shape ``(years, n_samples)``.

    Attributes
    ----------
    strategy : str
    scale : DeliveryPlan
    groups, participants, attending : ndarray
        Groups run, participants enrolled and participants attending [per year].
    volunteer_slots, volunteers_active, volunteers_trained, volunteer_cohorts : ndarray
        Volunteer facilitator places, volunteers active, volunteers to recruit and train, and
        training cohorts [per year].
    paid_slots, paid_peers_trained, paid_cohorts : ndarray
        The same for paid peer workers (paid peers leave after ``courses_per_paid_peer``).
    trainer_hours, coordinator_hours, coordinator_fte, paid_peer_hours, paid_peer_fte : ndarray
        Hours [h per year] and full-time equivalents [FTE] (hours / productive hours per year).
    """

    strategy: str
    scale: DeliveryPlan
    groups: FloatArray
    participants: FloatArray
    attending: FloatArray
    volunteer_slots: FloatArray
    volunteers_active: FloatArray
    volunteers_trained: FloatArray
    volunteer_cohorts: FloatArray
    paid_slots: FloatArray
    paid_peers_trained: FloatArray
    paid_cohorts: FloatArray
    trainer_hours: FloatArray
    coordinator_hours: FloatArray
    coordinator_fte: FloatArray
    paid_peer_hours: FloatArray
    paid_peer_fte: FloatArray

    #: Quantities of :func:`capacity_table`, with their labels and units (in this order).
    QUANTITIES = (
        ("groups", "Groups (courses) run", "groups"),
        ("participants", "Participants enrolled", "persons"),
        ("attending", "Participants attending", "persons"),
        ("volunteers_active", "Volunteer facilitators active", "persons"),
        ("volunteers_trained", "Volunteers to recruit and train", "persons"),
        ("volunteer_cohorts", "Volunteer training cohorts", "cohorts"),
        ("paid_peers_trained", "Paid peer workers to recruit and train", "persons"),
        ("trainer_hours", "Trainer hours", "hours"),
        ("coordinator_hours", "Coordinator hours", "hours"),
        ("coordinator_fte", "Coordinator full-time equivalents", "FTE"),
        ("paid_peer_hours", "Paid peer worker hours", "hours"),
        ("paid_peer_fte", "Paid peer worker full-time equivalents", "FTE"),
    )


def _replacement_flow(
    slots: FloatArray, courses_per_person: FloatArray, courses_per_person_year: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Active people and people to train each year, shape ``(years, n)`` each.

    Active = slots / courses a person leads a year; trained = active - retained from last
    year, retained = last year's active x (1 - attrition), attrition = courses a year / courses
    in all (never above 1: nobody stays longer than their courses last).
    """
    attrition = np.minimum(courses_per_person_year / courses_per_person, 1.0)
    active = slots / courses_per_person_year
    retained = np.zeros_like(active)
    retained[1:] = active[:-1] * (1.0 - attrition)
    return active, np.maximum(active - retained, 0.0)


def _param(draws: Mapping[str, FloatArray], name: str) -> FloatArray:
    """One parameter as a float array of at least one dimension (scalars become ``(1,)``)."""
    return np.atleast_1d(np.asarray(draws[name], dtype=np.float64))


@dataclass(frozen=True)
class _Groups:
    """Groups run, participants enrolled and attending, shape ``(years, n)`` each, and the
    ramp-up shares ``(years, 1)``; zeros for a strategy without the programme."""

    shares: FloatArray
    groups: FloatArray
    participants: FloatArray
    attending: FloatArray
    programme: float


def _groups(draws: Mapping[str, FloatArray], strategy: Strategy, scale: DeliveryPlan) -> _Groups:
    """Groups = ramp-up share x groups a year at full capacity; participants = groups x
    participants per group; attending = participants x delivered attendance."""
    shares = scale.shares[:, None]
    group_size = _param(draws, "participants_per_group")
    groups = shares * scale.groups_per_year * np.ones_like(group_size)
    participants = groups * group_size
    attending = participants * _param(draws, "delivered_attendance_prop")
    programme = 1.0 if strategy.programme else 0.0
    return _Groups(
        shares, groups * programme, participants * programme, attending * programme, programme
    )


@dataclass(frozen=True)
class _Facilitators:
    """Facilitator places, people active and to train, and training cohorts, ``(years, n)``."""

    volunteer_slots: FloatArray
    volunteers_active: FloatArray
    volunteers_trained: FloatArray
    volunteer_cohorts: FloatArray
    paid_slots: FloatArray
    paid_peers_trained: FloatArray
    paid_cohorts: FloatArray


def _facilitators(
    draws: Mapping[str, FloatArray], strategy: Strategy, scale: DeliveryPlan, groups: FloatArray
) -> _Facilitators:
    """Volunteers and paid peers to keep every group's facilitator places filled
    (:func:`_replacement_flow`), and the training cohorts that train them."""
    volunteer_slots = groups * strategy.volunteer_facilitators
    attrition = _param(draws, "volunteer_annual_attrition")
    per_volunteer = _param(draws, "courses_per_volunteer")
    active, trained = _replacement_flow(volunteer_slots, per_volunteer, per_volunteer * attrition)
    cohort_size = _param(draws, "volunteers_per_training_cohort")
    paid_slots = groups * strategy.paid_facilitators
    per_paid = _param(draws, "courses_per_paid_peer")
    # A municipality's paid team leads all its courses, so a paid peer leads the planned
    # courses a year (at most all of their courses in one year).
    paid_per_year = np.minimum(scale.courses_per_municipality_per_year, per_paid)
    _, paid_trained = _replacement_flow(paid_slots, per_paid, paid_per_year)
    return _Facilitators(
        volunteer_slots=volunteer_slots,
        volunteers_active=active,
        volunteers_trained=trained,
        volunteer_cohorts=trained / cohort_size,
        paid_slots=paid_slots,
        paid_peers_trained=paid_trained,
        paid_cohorts=paid_trained / cohort_size,
    )


def _coordinator_hours(
    draws: Mapping[str, FloatArray],
    scale: DeliveryPlan,
    run: _Groups,
    companionship: FloatArray,
    local_coordination: str,
) -> FloatArray:
    """Coordinator hours a year, ``(years, n)``: per course and per municipality (or a
    dedicated post in place of both) plus matching for each companionship."""
    municipal_years = run.shares * scale.municipalities * run.programme
    if local_coordination == "dedicated_post":
        post = _param(draws, "dedicated_coordinator_fte_per_municipality") * _param(
            draws, "productive_hours_per_year"
        )
        course_and_local = municipal_years * post
    else:
        local_hours = _param(draws, "local_coordination_hours_per_municipality_year")
        course_and_local = (
            run.groups * _param(draws, "coordinator_hours_per_course")
            + municipal_years * local_hours
        )
    return course_and_local + companionship * _param(draws, "companionship_matching_hours")


def _paid_peer_hours(
    draws: Mapping[str, FloatArray],
    strategy: Strategy,
    paid_slots: FloatArray,
    companionship: FloatArray,
) -> FloatArray:
    """Paid-peer hours a year, ``(years, n)``: hours per course per facilitator place, plus
    companionship meetings and travel when paid peers deliver companionship."""
    hours = paid_slots * _param(draws, "paid_peer_hours_per_course_per_facilitator")
    if strategy.companionship == "paid":
        hours = hours + companionship * _param(draws, "companionship_meetings_per_user") * (
            _param(draws, "companionship_meeting_hours")
            + _param(draws, "companionship_travel_hours")
        )
    return hours


def capacity_plan(
    draws: Mapping[str, FloatArray],
    strategy: Strategy,
    scale: DeliveryPlan,
    *,
    local_coordination: str = "hours",
) -> CapacityPlan:
    """Resources needed to deliver ``strategy`` at ``scale``, year by year.

    Parameters
    ----------
    draws : mapping of str to ndarray, each shape (n_samples,) (or scalars)
        Parameter values (PSA draws or the base case).
    strategy : Strategy
        Delivery form: facilitators of each kind and who delivers companionship.
    scale : DeliveryPlan
        Municipalities, courses a year, horizon and ramp-up.
    local_coordination : {"hours", "dedicated_post"}
        As in the settings: coordinator hours per course and per municipality, or a dedicated
        post of ``dedicated_coordinator_fte_per_municipality`` in place of both (DESIGN 2.2a).

    Returns
    -------
    CapacityPlan
        Arrays of shape ``(scale.years, n_samples)``.
    """
    if local_coordination not in LOCAL_COORDINATION:
        raise InputError(
            f"local_coordination = {local_coordination!r}; choose one of {list(LOCAL_COORDINATION)}"
        )
    run = _groups(draws, strategy, scale)
    people = _facilitators(draws, strategy, scale, run.groups)
    trainer_hours = (people.volunteer_cohorts + people.paid_cohorts) * _param(
        draws, "trainer_hours_per_training_cohort"
    )
    offers_companionship = 1.0 if strategy.companionship != "none" else 0.0
    companionship = (
        run.participants * _param(draws, "prop_one_to_one_uptake") * offers_companionship
    )
    coordinator_hours = _coordinator_hours(draws, scale, run, companionship, local_coordination)
    paid_hours = _paid_peer_hours(draws, strategy, people.paid_slots, companionship)
    productive = _param(draws, "productive_hours_per_year")
    return CapacityPlan(
        strategy=strategy.name,
        scale=scale,
        groups=run.groups,
        participants=run.participants,
        attending=run.attending,
        volunteer_slots=people.volunteer_slots,
        volunteers_active=people.volunteers_active,
        volunteers_trained=people.volunteers_trained,
        volunteer_cohorts=people.volunteer_cohorts,
        paid_slots=people.paid_slots,
        paid_peers_trained=people.paid_peers_trained,
        paid_cohorts=people.paid_cohorts,
        trainer_hours=trainer_hours,
        coordinator_hours=coordinator_hours,
        coordinator_fte=coordinator_hours / productive,
        paid_peer_hours=paid_hours,
        paid_peer_fte=paid_hours / productive,
    )


def capacity_table(plan: CapacityPlan, *, level: float = 0.95) -> pd.DataFrame:
    """Tidy table of a capacity plan: one row per year and quantity.

    Columns ``strategy, year, quantity, label, unit, mean, lower, upper, rounded_up``: the PSA
    mean, the percentile interval at ``level`` and the mean rounded up to whole persons, groups
    or cohorts (hours and FTE are not rounded; NaN there).
    """
    if not 0 < level < 1:
        raise InputError(f"level = {level}; give a coverage between 0 and 1")
    tail = (1.0 - level) / 2.0 * 100.0
    rows = []
    whole_units = {"groups", "persons", "cohorts"}
    for year in range(plan.scale.years):
        for name, label, unit in CapacityPlan.QUANTITIES:
            values = np.asarray(getattr(plan, name))[year]
            mean = float(values.mean())
            lo, hi = np.percentile(values, [tail, 100.0 - tail])
            rows.append(
                {
                    "strategy": plan.strategy,
                    "year": year + 1,
                    "quantity": name,
                    "label": label,
                    "unit": unit,
                    "mean": mean,
                    "lower": float(lo),
                    "upper": float(hi),
                    "rounded_up": float(math.ceil(mean - 1e-9))
                    if unit in whole_units
                    else math.nan,
                }
            )
    return pd.DataFrame(rows)
