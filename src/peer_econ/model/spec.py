"""Specifications the model reads: strategies, cost items, settings (frozen, validated by load)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from peer_econ.errors import InputError
from peer_econ.model.delivery import LOCAL_COORDINATION, DeliveryScale, scale_problems
from peer_econ.parameters.table import ParameterSpec, ParameterTable

SOURCE_OUTCOMES = ("mansa", "wsas", "qpr15")
UTILITY_ROUTES = ("smd", "mapping", "direct")
DURABILITY_SHAPES = ("none", "linear", "exponential", "sustained")
COMPANIONSHIP_DELIVERY = ("none", "volunteer", "paid")
#: How attendance in routine delivery scales the trial effect (DESIGN 2.3): by the share
#: attending 8 or more sessions (complier average) or in proportion to sessions attended.
ATTENDANCE_MODELS = ("complier_average", "dose_response")
COST_CATEGORIES = ("intervention", "health_care", "social_care", "participant", "volunteer_time")
PAYERS = ("municipality", "region", "ngo_grant", "volunteers_participants")
MODULES = ("model", "population", "display")
TAGS = ("FV", "FV-b", "DR", "AS")


#: Parameters the model divides by, or durations and counts: they must be > 0.
POSITIVE_PARAMETERS = (
    "decay_months", "half_life_months", "participants_per_group", "programme_lifetime_years",
    "volunteers_per_training_cohort", "courses_per_volunteer", "courses_per_paid_peer",
    "productive_hours_per_year", "paid_hours_per_year", "course_weeks", "trial_attendance_prop",
    "facilitators_per_group", "sessions_per_course", "trial_mean_sessions_attended",
)  # fmt: skip
#: Proportions and shares: they must lie in [0, 1].
UNIT_INTERVAL_PARAMETERS = (
    "delivered_attendance_prop", "trial_attendance_prop", "prop_one_to_one_uptake",
    "lambda_share", "r_mansa_eq5d", "r_wsas_eq5d", "r_qpr15_eq5d", "overhead_rate",
    "paid_peer_on_cost_rate", "eligible_share_per_year", "booster_uptake",
)  # fmt: skip
#: Words in a unit that mark quantities that cannot be negative (prices, hours, counts).
_NONNEGATIVE_UNITS = ("DKK", "hour", "session", "meeting", "course", "person", "month", "week",
                      "factor", "participant", "FTE", "year")  # fmt: skip
#: Parameters the strategies are checked against when loaded: not to be overridden.
STRUCTURAL_PARAMETERS = ("facilitators_per_group",)
#: Distributions whose support bounds the values that make sense (costs, rates, counts).
_BOUNDED_KINDS = ("gamma", "lognormal", "beta")


def domain_problem(spec: ParameterSpec, value: float) -> str | None:
    """Why ``value`` is impossible for this parameter, or ``None`` if it is allowed.

    Values must be finite; proportions lie in [0, 1]; durations, counts and divisors are > 0;
    parameters with a gamma, lognormal or beta distribution stay in its support (e.g. no
    negative unit cost). Triangular and uniform ranges are judgements, not limits, so values
    outside them are allowed (what-if analyses).
    """
    if not np.isfinite(value):
        return f"{value!r} is not a finite number"
    name = spec.name
    if name in STRUCTURAL_PARAMETERS and value != spec.value:
        return (
            f"{value:g} cannot be set here: the strategies table is built on "
            f"{spec.value:g}; change inputs/strategies.csv and parameters.csv together"
        )
    if name in UNIT_INTERVAL_PARAMETERS and not 0.0 <= value <= 1.0:
        return f"{value:g} is outside [0, 1] (a proportion)"
    if name in POSITIVE_PARAMETERS and value <= 0.0:
        return f"{value:g} must be > 0"
    differences = name.startswith("delta_") or "per WEMWBS point" in spec.unit
    if value < 0.0 and not differences and any(w in spec.unit for w in _NONNEGATIVE_UNITS):
        return f"{value:g} must be >= 0 ({spec.unit})"
    if spec.distribution.kind in _BOUNDED_KINDS:
        low, high = spec.distribution.support
        if not low <= value <= high:
            return (
                f"{value:g} is outside the support [{low:g}, {high:g}] of its "
                f"{spec.distribution.kind} distribution"
            )
    return None


@dataclass(frozen=True)
class Strategy:
    """One comparator, defined as data (a row of ``inputs/strategies.csv``).

    Attributes
    ----------
    name : str
        Identifier: the ``strategy`` column of ``strategies.csv``.
    label : str
        Display name.
    programme : bool
        Whether the PEER course is delivered (False for service as usual).
    paid_facilitators, volunteer_facilitators : int
        Facilitators per group by type; they sum to ``facilitators_per_group`` for a programme.
    companionship : str
        Who delivers one-to-one companionship: ``none``, ``volunteer`` or ``paid``.
    effect_multiplier : str
        Name of a parameter that scales the effect ("" for none).
    description : str
        Free text.
    """

    name: str
    label: str
    programme: bool
    paid_facilitators: int
    volunteer_facilitators: int
    companionship: str
    effect_multiplier: str = ""
    description: str = ""


@dataclass(frozen=True)
class CostItem:
    """A cost item with the resource category that perspectives select and the payer.

    ``in_kind`` marks a resource a payer contributes without a cash outlay (e.g. a lent meeting
    room): the cost-utility analysis counts it like any cost, the budget shows it apart.
    """

    item: str
    category: str
    payer: str
    description: str = ""
    in_kind: bool = False


@dataclass(frozen=True)
class DiscountSchedule:
    """Stepped annual discount rates: ``rates[j]`` applies from year ``starts[j]`` on.

    Attributes
    ----------
    starts : tuple of float
        Start years, strictly increasing, the first 0 [years].
    rates : tuple of float
        Annual rates (e.g. 0.035) [per year], each > -1.
    """

    starts: tuple[float, ...]
    rates: tuple[float, ...]


@dataclass(frozen=True)
class ModelSettings:
    """Structural switches and run settings (``inputs/settings.toml``).

    ``comparator`` is the reference strategy of every increment and ``headline_strategy`` the
    strategy that single-strategy outputs describe (tornado, scenario forest, global sensitivity,
    budget impact). Strategies are data: an empty name is filled in when the inputs folder is
    loaded (the comparator: the first strategy without the programme; the headline: the first
    other strategy in ``strategies.csv``).
    """

    horizon_months: float = 36.0
    trial_followup_months: float = 3.0
    source_outcome: str = "mansa"
    utility_route: str = "smd"
    durability: str = "linear"
    shrinkage: bool = False
    attendance_scaling: bool = True
    attendance_model: str = "complier_average"
    downstream_resource_use: bool = False
    wellbeing_offset: bool = False
    perspective: str = "health_and_social_care"
    comparator: str = ""
    headline_strategy: str = ""
    booster_courses: int = 0
    booster_interval_months: float = 12.0
    municipalities: int = 5
    courses_per_municipality_per_year: float = 4.0
    local_coordination: str = "hours"
    discount_costs: DiscountSchedule = DiscountSchedule((0.0, 35.0, 70.0), (0.035, 0.025, 0.015))
    discount_effects: DiscountSchedule = DiscountSchedule((0.0, 35.0, 70.0), (0.035, 0.025, 0.015))
    perspectives: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "health_and_social_care": ("intervention", "health_care", "social_care"),
            "limited_societal": ("intervention", "health_care", "social_care", "participant"),
            "societal": (
                "intervention",
                "health_care",
                "social_care",
                "participant",
                "volunteer_time",
            ),
        }
    )
    n_samples: int = 10_000
    seed: int = 20250695
    wtp_start: float = 0.0
    wtp_stop: float = 1_000_000.0
    wtp_step: float = 10_000.0
    wtp_point: float = 200_000.0
    #: WTP values [DKK/QALY] of the report's probability and EVPI table (with ``wtp_point``).
    wtp_report_points: tuple[float, ...] = (100_000.0, 300_000.0, 500_000.0)
    #: WTP values [DKK/QALY] of the two-way grid's break-even curves (with ``wtp_point``).
    wtp_curve_points: tuple[float, ...] = (100_000.0, 400_000.0)
    nice_band_gbp: tuple[float, float] = (20_000.0, 30_000.0)

    def __hash__(self) -> int:
        return hash(self.as_dict().__repr__())

    def replace(self, **changes: Any) -> ModelSettings:
        """Copy with some fields changed (validated by :func:`check_settings`)."""
        new = replace(self, **changes)
        check_settings(new, "settings")
        return new

    @property
    def delivery_scale(self) -> DeliveryScale:
        """Municipalities and courses per municipality per year (DESIGN 2.2a)."""
        return DeliveryScale(self.municipalities, self.courses_per_municipality_per_year)

    @property
    def categories(self) -> tuple[str, ...]:
        """Resource categories counted under the chosen perspective."""
        return self.perspectives[self.perspective]

    def as_dict(self) -> dict[str, Any]:
        """Plain dictionary (for manifests and reports)."""
        out: dict[str, Any] = {}
        for key in self.__dataclass_fields__:
            value = getattr(self, key)
            if isinstance(value, DiscountSchedule):
                value = [list(p) for p in zip(value.starts, value.rates, strict=True)]
            out[key] = value
        return out


@dataclass(frozen=True)
class DisplayTexts:
    """Words for codes and the analyst's statements: what pages show, never what the model reads.

    Attributes
    ----------
    labels : tuple of (kind, name, language, text)
        Display name of a code (``inputs/labels.csv``): ``kind`` is e.g. ``parameter``, ``payer``,
        ``perspective``, ``cost_item``, ``strategy``; ``language`` is ``en``, ``da``, ...
    statements : tuple of (key, text)
        What the analyst states for reporting items a model cannot answer
        (``inputs/report.toml``: analysis plan, engagement, funding, conflicts of interest);
        empty text means "not provided".
    """

    labels: tuple[tuple[str, str, str, str], ...] = ()
    statements: tuple[tuple[str, str], ...] = ()

    def label(self, kind: str, name: str, language: str) -> str:
        """The label of ``name`` in ``language``, or "" when none is given."""
        for row in self.labels:
            if row[:3] == (kind, name, language):
                return row[3]
        return ""


@dataclass(frozen=True)
class Inputs:
    """Everything the model reads, loaded and validated from one inputs folder."""

    parameters: ParameterTable
    strategies: tuple[Strategy, ...]
    cost_items: tuple[CostItem, ...]
    settings: ModelSettings
    files: tuple[Path, ...] = ()
    display: DisplayTexts = DisplayTexts()

    @property
    def strategy_names(self) -> tuple[str, ...]:
        """Strategy identifiers in table order."""
        return tuple(s.name for s in self.strategies)

    def with_settings(self, **changes: Any) -> Inputs:
        """Copy with changed settings."""
        return replace(self, settings=self.settings.replace(**changes))

    def with_parameters(self, parameters: ParameterTable) -> Inputs:
        """Copy with another parameter table."""
        return replace(self, parameters=parameters)


def check_settings(settings: ModelSettings, where: str) -> None:
    """Validate structural switches; raise one :class:`InputError` listing every problem."""
    problems: list[str] = []
    choices = {
        "source_outcome": SOURCE_OUTCOMES,
        "utility_route": UTILITY_ROUTES,
        "durability": DURABILITY_SHAPES,
        "perspective": tuple(settings.perspectives),
        "local_coordination": LOCAL_COORDINATION,
        "attendance_model": ATTENDANCE_MODELS,
    }
    for key, allowed in choices.items():
        value = getattr(settings, key)
        if value not in allowed:
            problems.append(f"{where}: {key} = {value!r}; choose one of {list(allowed)}")
    for name, cats in settings.perspectives.items():
        bad = [c for c in cats if c not in COST_CATEGORIES]
        if bad:
            problems.append(
                f"{where}: perspective {name!r} lists unknown categories {bad}; choose from "
                f"{list(COST_CATEGORIES)}"
            )
        if "intervention" not in cats:
            problems.append(
                f"{where}: perspective {name!r} must count 'intervention' costs (DESIGN 2.5)"
            )
    for key in ("shrinkage", "attendance_scaling", "downstream_resource_use", "wellbeing_offset"):
        value = getattr(settings, key)
        if not isinstance(value, bool):
            problems.append(f"{where}: {key} = {value!r} must be true or false")
    for key in ("horizon_months", "trial_followup_months"):
        value = getattr(settings, key)
        if isinstance(value, bool) or not (isinstance(value, (int, float)) and 0 < value <= 1200):
            problems.append(f"{where}: {key} = {value!r} must be a number in (0, 1200] months")
    courses = settings.booster_courses
    if isinstance(courses, bool) or not isinstance(courses, int) or not 0 <= courses <= 50:
        problems.append(
            f"{where}: booster_courses = {courses!r} must be a whole number from 0 to 50"
        )
    interval = settings.booster_interval_months
    if isinstance(interval, bool) or not (
        isinstance(interval, (int, float)) and 0 < interval <= 600
    ):
        problems.append(
            f"{where}: booster_interval_months = {interval!r} must be a number in (0, 600] months"
        )
    problems.extend(
        f"{where}: {p}"
        for p in scale_problems(settings.municipalities, settings.courses_per_municipality_per_year)
    )
    if settings.downstream_resource_use and settings.wellbeing_offset:
        problems.append(
            f"{where}: downstream_resource_use and wellbeing_offset are mutually exclusive "
            "(both count the same savings; DESIGN 2.2)"
        )
    if isinstance(settings.n_samples, bool) or not (
        isinstance(settings.n_samples, int) and settings.n_samples >= 1
    ):
        problems.append(f"{where}: n_samples = {settings.n_samples!r} must be a whole number >= 1")
    if isinstance(settings.seed, bool) or not (
        isinstance(settings.seed, int) and settings.seed >= 0
    ):
        problems.append(f"{where}: seed = {settings.seed!r} must be a whole number >= 0")
    if not (0 <= settings.wtp_start < settings.wtp_stop and settings.wtp_step > 0):
        problems.append(
            f"{where}: WTP grid start = {settings.wtp_start}, stop = {settings.wtp_stop}, "
            f"step = {settings.wtp_step}; need 0 <= start < stop and step > 0"
        )
    if problems:
        raise InputError(problems)
