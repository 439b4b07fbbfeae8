"""Programme costs at a delivery scale (DESIGN 2.2a; EVIDENCE 3a).

Cost per participant depends on how much PEER is delivered, because some costs do not scale with
courses. A delivery scale is a number of municipalities and a number of courses per municipality
per year; participants per year = municipalities x courses x enrolled per group. Programme
costs that do not belong to one course are

* yearly fixed costs: local coordination not tied to a course (partnerships with municipal
  services, the volunteer community, supervision between courses), hours per municipality per
  year at the coordinator's hourly cost, or, with a dedicated local coordinator post, a share of
  a coordinator's annual cost per municipality in place of those hours and of the per-course
  coordination hours;
* one-off set-up per municipality (coordinator hours to establish the partnership and recruit
  the first volunteers, launch materials), turned into an equivalent annual cost over the
  programme's lifetime with the ordinary annuity factor at the first-year cost discount rate.

Fixed cost per participant = (yearly fixed + annuitised set-up) / participants per year. These
functions are the only place this arithmetic lives: the cost-utility model, the budget impact,
the scale curve (and any capacity plan or business case) call them.

Every function is vectorised along the sample axis: arrays are ``(n_samples,)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from peer_econ.errors import InputError

FloatArray = NDArray[np.float64]

#: How local coordination is organised: coordinator hours per course and per municipality per
#: year (base), or a dedicated post per municipality that replaces both.
LOCAL_COORDINATION = ("hours", "dedicated_post")
#: Denmark has 98 municipalities.
MAX_MUNICIPALITIES = 98
#: Most courses a municipality can run a year (one starting every week).
MAX_COURSES_PER_YEAR = 52.0


@dataclass(frozen=True)
class DeliveryScale:
    """How much PEER is delivered.

    Attributes
    ----------
    municipalities : int
        Municipalities running PEER, 1 to 98.
    courses_per_municipality_per_year : float
        Courses each municipality runs per year [courses/year], > 0.
    """

    municipalities: int
    courses_per_municipality_per_year: float

    def __post_init__(self) -> None:
        problems = scale_problems(self.municipalities, self.courses_per_municipality_per_year)
        if problems:
            raise InputError(problems)

    @property
    def courses_per_year(self) -> float:
        """Courses per year over all municipalities [courses/year]."""
        return self.municipalities * self.courses_per_municipality_per_year


def scale_problems(municipalities: object, courses: object) -> list[str]:
    """Why a delivery scale is impossible (empty when it is allowed)."""
    problems = []
    if (
        isinstance(municipalities, bool)
        or not isinstance(municipalities, (int, np.integer))
        or not 1 <= int(municipalities) <= MAX_MUNICIPALITIES
    ):
        problems.append(
            f"municipalities = {municipalities!r} must be a whole number from 1 to "
            f"{MAX_MUNICIPALITIES}"
        )
    if (
        isinstance(courses, bool)
        or not isinstance(courses, (int, float, np.number))
        or not (np.isfinite(courses) and 0 < float(courses) <= MAX_COURSES_PER_YEAR)
    ):
        problems.append(
            f"courses_per_municipality_per_year = {courses!r} must be a number in "
            f"(0, {MAX_COURSES_PER_YEAR:g}] "
            "courses a year"
        )
    return problems


def participants_per_year(scale: DeliveryScale, enrolled_per_group: ArrayLike) -> FloatArray:
    """Participants served per year: municipalities x courses x enrolled per group [persons/yr].

    Parameters
    ----------
    scale : DeliveryScale
    enrolled_per_group : array_like, shape (n_samples,) or scalar
        Participants enrolled per group (every allocated participant, attending or not).
    """
    return np.asarray(scale.courses_per_year * np.asarray(enrolled_per_group), dtype=np.float64)


def annuity_factor(rate: float, years: ArrayLike) -> FloatArray:
    """Ordinary annuity factor ``(1 - (1 + r)^-n) / r`` (``n`` when ``r`` is 0).

    The present value of 1 paid at the end of each of ``n`` years at annual rate ``r``; a
    one-off cost divided by it is the equivalent annual cost over ``n`` years.

    Parameters
    ----------
    rate : float
        Annual discount rate (e.g. 0.035), > -1.
    years : array_like
        Number of years (> 0) [years].

    Examples
    --------
    >>> round(float(annuity_factor(0.035, 5)), 4)
    4.5151
    """
    n = np.asarray(years, dtype=np.float64)
    if rate == 0.0:
        return n.copy()
    return np.asarray((1.0 - (1.0 + rate) ** (-n)) / rate, dtype=np.float64)


def coordinator_annual_cost(draws: Mapping[str, ArrayLike]) -> FloatArray:
    """Employer's annual cost of one coordinator FTE [DKK/yr, 2024 prices]:
    salary (2023, incl. pension) x wage index x (1 + overhead)."""
    return np.asarray(
        np.asarray(draws["coordinator_salary_annual"])
        * np.asarray(draws["wage_index_2023_to_2024"])
        * (1.0 + np.asarray(draws["overhead_rate"])),
        dtype=np.float64,
    )


def coordinator_hourly_cost(draws: Mapping[str, ArrayLike]) -> FloatArray:
    """Coordinator cost per productive hour [DKK/h]: annual cost / productive hours per year."""
    return coordinator_annual_cost(draws) / np.asarray(draws["productive_hours_per_year"])


@dataclass(frozen=True)
class ProgrammeFixedCosts:
    """Programme costs that do not belong to one course, at one delivery scale.

    Attributes
    ----------
    yearly : ndarray, shape (n_samples,)
        Local coordination over all municipalities [DKK per year].
    setup : ndarray, shape (n_samples,)
        One-off set-up over all municipalities [DKK, once, in year 1 of a budget].
    annualised_setup : ndarray, shape (n_samples,)
        ``setup`` / annuity factor over the programme lifetime [DKK per year].
    participants_per_year : ndarray, shape (n_samples,)
        Participants served per year at the scale [persons per year].
    """

    yearly: FloatArray
    setup: FloatArray
    annualised_setup: FloatArray
    participants_per_year: FloatArray

    @property
    def per_participant(self) -> FloatArray:
        """Fixed cost per participant: (yearly + annualised set-up) / participants per year."""
        return (self.yearly + self.annualised_setup) / self.participants_per_year


def programme_fixed_costs(
    draws: Mapping[str, ArrayLike],
    scale: DeliveryScale,
    *,
    discount_rate: float,
    local_coordination: str = "hours",
) -> ProgrammeFixedCosts:
    """Yearly fixed and set-up costs of running PEER at ``scale`` (DESIGN 2.2a).

    Parameters
    ----------
    draws : mapping of str to array, each shape (n_samples,)
        ``local_coordination_hours_per_municipality_year``, ``setup_hours_per_municipality``,
        ``setup_materials_per_municipality``, ``programme_lifetime_years``,
        ``dedicated_coordinator_fte_per_municipality``, ``participants_per_group`` and the
        coordinator's salary, wage index, overhead rate and productive hours.
    scale : DeliveryScale
    discount_rate : float
        First-year cost discount rate of the annuity (3.5 % in Denmark).
    local_coordination : {"hours", "dedicated_post"}
        ``hours``: local coordination hours per municipality per year at the coordinator's
        hourly cost; ``dedicated_post``: ``dedicated_coordinator_fte_per_municipality`` of a
        coordinator's annual cost per municipality (the engine then drops the per-course
        coordination hours, which the post covers).

    Returns
    -------
    ProgrammeFixedCosts

    Examples
    --------
    EVIDENCE 3a at the base scale (5 municipalities x 4 courses x 8 enrolled = 160 a year):
    381.36 DKK/h x 40 h x 5 = 76,272 DKK a year; set-up 5 x (80 h x 381.36 + 5,000) = 177,544
    DKK, over 5 years at 3.5 % = 39,322 DKK a year; (76,272 + 39,322) / 160 = 722 DKK per
    participant.
    """
    if local_coordination not in LOCAL_COORDINATION:
        raise InputError(
            f"local_coordination = {local_coordination!r}; choose one of {list(LOCAL_COORDINATION)}"
        )
    hourly = coordinator_hourly_cost(draws)
    if local_coordination == "hours":
        yearly_each = np.asarray(draws["local_coordination_hours_per_municipality_year"]) * hourly
    else:
        fte = np.asarray(draws["dedicated_coordinator_fte_per_municipality"])
        yearly_each = fte * coordinator_annual_cost(draws)
    setup_each = np.asarray(draws["setup_hours_per_municipality"]) * hourly + np.asarray(
        draws["setup_materials_per_municipality"]
    )
    setup = scale.municipalities * setup_each
    factor = annuity_factor(discount_rate, draws["programme_lifetime_years"])
    return ProgrammeFixedCosts(
        yearly=np.asarray(scale.municipalities * yearly_each, dtype=np.float64),
        setup=np.asarray(setup, dtype=np.float64),
        annualised_setup=np.asarray(setup / factor, dtype=np.float64),
        participants_per_year=participants_per_year(scale, draws["participants_per_group"]),
    )
