"""Budget impact: what funding a strategy costs each payer per year (ISPOR 2014 practice).

Budget impact is reported undiscounted, in constant 2024 prices, as spending on the budget
categories (intervention, health care, social care) of the funded strategy minus the comparator's,
split by payer, with percentile intervals over the PSA samples.

References
----------
Sullivan SD, Mauskopf JA, Augustovski F, et al. Budget impact analysis - principles of good
practice: report of the ISPOR 2012 Budget Impact Analysis Good Practice II Task Force. Value Health
2014;17:5-14. doi:10.1016/j.jval.2013.08.2291
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from peer_econ.errors import InputError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class BudgetPlan:
    """What a commissioner plans to fund.

    Attributes
    ----------
    strategy : str
        Strategy to fund (a column of the budget cost arrays).
    courses_per_year : float
        Courses per municipality per year [courses/year], > 0.
    municipalities : int
        Municipalities running the courses, >= 1.
    years : int
        Budget horizon [years], >= 1.
    ramp_up : tuple of float
        Share of the planned courses delivered in each year, in [0, 1]; years beyond the tuple
        run at 1 (full capacity). Empty: full capacity from year 1.
    """

    strategy: str
    courses_per_year: float
    municipalities: int
    years: int
    ramp_up: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        for name in ("courses_per_year", "municipalities", "years"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise InputError(f"{name.replace('_', ' ')} = {value!r}; give a number")
        if not (np.isfinite(self.courses_per_year) and self.courses_per_year > 0):
            raise InputError(f"courses per year = {self.courses_per_year!r}; give a number > 0")
        if int(self.municipalities) != self.municipalities or self.municipalities < 1:
            raise InputError(f"municipalities = {self.municipalities!r}; give a whole number >= 1")
        if int(self.years) != self.years or not 1 <= self.years <= 50:
            raise InputError(f"years = {self.years!r}; give a whole number from 1 to 50")
        if len(self.ramp_up) > self.years:
            raise InputError(
                f"ramp-up gives {len(self.ramp_up)} yearly shares for a {self.years}-year horizon; "
                "give at most one share per year"
            )
        for i, share in enumerate(self.ramp_up, start=1):
            if not (np.isfinite(share) and 0 <= share <= 1):
                raise InputError(f"ramp-up share of year {i} = {share!r}; give a number in [0, 1]")

    def share(self, year: int) -> float:
        """Share of planned courses delivered in ``year`` (1-based)."""
        return self.ramp_up[year - 1] if year <= len(self.ramp_up) else 1.0

    @property
    def courses_per_year_total(self) -> float:
        """Courses per year over all municipalities [courses/year]."""
        return self.courses_per_year * self.municipalities


def budget_impact(
    budget_cost: Mapping[str, ArrayLike],
    strategies: Sequence[str],
    plan: BudgetPlan,
    participants_per_course: ArrayLike,
    *,
    comparator: str,
    level: float = 0.95,
) -> pd.DataFrame:
    """Annual budget impact by payer.

    Parameters
    ----------
    budget_cost : mapping of payer to array, each shape (n_samples, n_strategies)
        Spending per randomised participant by payer [DKK].
    strategies : sequence of str
        Column names of the arrays.
    plan : BudgetPlan
        Strategy, courses per year, municipalities and horizon.
    participants_per_course : array_like, shape (n_samples,) or scalar
        Participants enrolled per course [persons].
    comparator : str
        Strategy whose spending is subtracted (service as usual).
    level : float
        Coverage of the percentile interval.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, payer, participants, budget_impact, lower, upper`` [DKK per year], one
        row per year and payer plus a payer ``total`` row per year, then rows with year ``all``
        summing the horizon. Constant prices, undiscounted; years differ only by the ramp-up.

    Raises
    ------
    InputError
        Unknown strategy or comparator, mismatched shapes, or a level outside (0, 1).
    """
    names = list(strategies)
    for label, name in (("strategy", plan.strategy), ("comparator", comparator)):
        if name not in names:
            raise InputError(f"{label} {name!r} is not one of the strategies {names}")
    if not 0 < level < 1:
        raise InputError(f"level = {level}; give a coverage between 0 and 1")
    j, ref = names.index(plan.strategy), names.index(comparator)
    arrays = _checked_budget_cost(budget_cost, len(names))
    n_samples = next(iter(arrays.values())).shape[0]
    per_course = _checked_participants(participants_per_course, n_samples)
    participants = per_course * plan.courses_per_year_total
    tail = (1.0 - level) / 2.0 * 100.0
    rows = []
    total = np.zeros(n_samples)
    per_payer = {}
    for payer, arr in arrays.items():
        spend = participants * (arr[:, j] - arr[:, ref])
        per_payer[payer] = spend
        total = total + spend
    per_payer["total"] = total
    horizon = {payer: np.zeros(n_samples) for payer in per_payer}
    for year in range(1, plan.years + 1):
        share = plan.share(year)
        for payer, spend in per_payer.items():
            horizon[payer] += share * spend
            rows.append(_row(year, payer, share * participants, share * spend, tail))
    for payer, spend in horizon.items():
        delivered = participants * sum(plan.share(y) for y in range(1, plan.years + 1))
        rows.append(_row("all", payer, delivered, spend, tail))
    return pd.DataFrame(rows)


def _checked_budget_cost(
    budget_cost: Mapping[str, ArrayLike], n_strategies: int
) -> dict[str, FloatArray]:
    """Payer -> finite array ``(n_samples, n_strategies)``; ``total`` is reserved."""
    arrays = {p: np.asarray(a, dtype=np.float64) for p, a in budget_cost.items()}
    if not arrays:
        raise InputError("budget_cost: no payers given")
    n_samples = next(iter(arrays.values())).shape[0]
    if "total" in arrays:
        raise InputError("budget_cost: 'total' is reserved for the sum over payers; rename it")
    for payer, arr in arrays.items():
        if not np.all(np.isfinite(arr)):
            raise InputError(f"budget_cost[{payer!r}] holds NaN or infinite values")
        if arr.shape != (n_samples, n_strategies):
            raise InputError(
                f"budget_cost[{payer!r}] has shape {arr.shape}; "
                f"expected ({n_samples}, {n_strategies})"
            )
    return arrays


def _checked_participants(participants_per_course: ArrayLike, n_samples: int) -> FloatArray:
    """Participants per course as finite numbers >= 0, shape ``(n_samples,)``."""
    per_course = np.asarray(participants_per_course, dtype=np.float64)
    if per_course.ndim > 1 or (per_course.ndim == 1 and per_course.size != n_samples):
        raise InputError(
            f"participants_per_course has shape {per_course.shape}; give one number or "
            f"one per sample ({n_samples},)"
        )
    per_course = np.broadcast_to(per_course, (n_samples,))
    if not np.all(np.isfinite(per_course)) or np.any(per_course < 0):
        raise InputError("participants_per_course: give finite numbers >= 0")
    return per_course


def _row(
    year: int | str, payer: str, participants: FloatArray, spend: FloatArray, tail: float
) -> dict[str, object]:
    lo, hi = np.percentile(spend, [tail, 100.0 - tail])
    return {
        "year": str(year),
        "payer": payer,
        "participants": float(np.mean(participants)),
        "budget_impact": float(np.mean(spend)),
        "lower": float(lo),
        "upper": float(hi),
    }
