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
        Strategy to fund (e.g. ``peer_volunteer``).
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
    arrays = {p: np.asarray(a, dtype=np.float64) for p, a in budget_cost.items()}
    if not arrays:
        raise InputError("budget_cost: no payers given")
    n_samples = next(iter(arrays.values())).shape[0]
    if "total" in arrays:
        raise InputError("budget_cost: 'total' is reserved for the sum over payers; rename it")
    for payer, arr in arrays.items():
        if not np.all(np.isfinite(arr)):
            raise InputError(f"budget_cost[{payer!r}] holds NaN or infinite values")
        if arr.shape != (n_samples, len(names)):
            raise InputError(
                f"budget_cost[{payer!r}] has shape {arr.shape}; "
                f"expected ({n_samples}, {len(names)})"
            )
    per_course = np.asarray(participants_per_course, dtype=np.float64)
    if per_course.ndim > 1 or (per_course.ndim == 1 and per_course.size != n_samples):
        raise InputError(
            f"participants_per_course has shape {per_course.shape}; give one number or "
            f"one per sample ({n_samples},)"
        )
    per_course = np.broadcast_to(per_course, (n_samples,))
    if not np.all(np.isfinite(per_course)) or np.any(per_course < 0):
        raise InputError("participants_per_course: give finite numbers >= 0")
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


# --- multi-year budget by item and payer, and the business case by authority -------------------

#: Kinds of budget line: one-off start-up spending, running spending, and savings (negative
#: spending elsewhere in the public sector, only from scenarios that model them).
LINE_KINDS = ("start-up", "running", "saving")


@dataclass(frozen=True)
class BudgetLine:
    """One cost item paid by one payer, year by year.

    Attributes
    ----------
    item : str
        Cost item (e.g. ``coordination``).
    payer : str
        Who pays (e.g. ``municipality``).
    kind : str
        ``start-up``, ``running`` or ``saving`` (:data:`LINE_KINDS`).
    cash : bool
        False for in-kind contributions (a resource used but no cash outlay, e.g. a lent room).
    amounts : ndarray, shape (n_years, n_samples)
        Spending per year [DKK, constant prices, undiscounted]; savings are negative.
    """

    item: str
    payer: str
    kind: str
    cash: bool
    amounts: FloatArray

    def __post_init__(self) -> None:
        if self.kind not in LINE_KINDS:
            raise InputError(f"budget line {self.item!r}: kind {self.kind!r}; use {LINE_KINDS}")
        arr = np.asarray(self.amounts, dtype=np.float64)
        if arr.ndim != 2:
            raise InputError(
                f"budget line {self.item!r}: amounts have shape {arr.shape}; "
                "expected (n_years, n_samples)"
            )
        if not np.all(np.isfinite(arr)):
            raise InputError(f"budget line {self.item!r} ({self.payer}): NaN or infinite amounts")
        object.__setattr__(self, "amounts", arr)


def _check_lines(lines: Sequence[BudgetLine]) -> tuple[int, int]:
    if not lines:
        raise InputError("budget: no budget lines given")
    shape = lines[0].amounts.shape
    for line in lines:
        if line.amounts.shape != shape:
            raise InputError(
                f"budget line {line.item!r} ({line.payer}) has shape {line.amounts.shape}; "
                f"expected {shape} like the others"
            )
    return shape


def _summary(values: FloatArray, tail: float) -> tuple[float, float, float]:
    lo, hi = np.percentile(values, [tail, 100.0 - tail])
    return float(values.mean()), float(lo), float(hi)


def _tail(level: float) -> float:
    if not 0 < level < 1:
        raise InputError(f"level = {level}; give a coverage between 0 and 1")
    return (1.0 - level) / 2.0 * 100.0


def budget_by_item(lines: Sequence[BudgetLine], *, level: float = 0.95) -> pd.DataFrame:
    """Yearly spending by item and payer.

    Returns
    -------
    pandas.DataFrame
        ``year, item, payer, kind, cash, mean, lower, upper`` [DKK per year], one row per
        year and line, in the order of ``lines``; ``lower``/``upper`` are the PSA percentiles
        at ``level``.
    """
    n_years, _ = _check_lines(lines)
    tail = _tail(level)
    rows = []
    for year in range(n_years):
        for line in lines:
            mean, lo, hi = _summary(line.amounts[year], tail)
            rows.append(
                {
                    "year": year + 1,
                    "item": line.item,
                    "payer": line.payer,
                    "kind": line.kind,
                    "cash": line.cash,
                    "mean": mean,
                    "lower": lo,
                    "upper": hi,
                }
            )
    return pd.DataFrame(rows)


def budget_by_payer(lines: Sequence[BudgetLine], *, level: float = 0.95) -> pd.DataFrame:
    """Yearly spending by payer, cash and in kind kept apart, with the total over payers.

    Returns
    -------
    pandas.DataFrame
        ``year, payer, cash, in_kind, total, total_lower, total_upper`` [DKK per year]; payer
        ``total`` sums all payers; year ``all`` sums the horizon. Intervals are percentiles of
        the per-sample sums (not sums of percentiles).
    """
    n_years, n_samples = _check_lines(lines)
    tail = _tail(level)
    payers = list(dict.fromkeys(line.payer for line in lines))
    labels = [str(y) for y in range(1, n_years + 1)] + ["all"]

    def with_horizon(amounts: FloatArray) -> FloatArray:
        return np.vstack([amounts, amounts.sum(axis=0, keepdims=True)])

    zeros = np.zeros((n_years + 1, n_samples))
    split: dict[str, tuple[FloatArray, FloatArray]] = {}
    for payer in payers:
        chosen = [line for line in lines if line.payer == payer]
        cash = sum((with_horizon(x.amounts) for x in chosen if x.cash), zeros)
        kind = sum((with_horizon(x.amounts) for x in chosen if not x.cash), zeros)
        split[payer] = (cash, kind)
    split["total"] = (
        sum((c for c, _ in split.values()), zeros),
        sum((k for _, k in split.values()), zeros),
    )
    rows = []
    for i, label in enumerate(labels):
        for payer, (cash, kind) in split.items():
            mean, lo, hi = _summary(cash[i] + kind[i], tail)
            rows.append(
                {
                    "year": label,
                    "payer": payer,
                    "cash": float(cash[i].mean()),
                    "in_kind": float(kind[i].mean()),
                    "total": mean,
                    "total_lower": lo,
                    "total_upper": hi,
                }
            )
    return pd.DataFrame(rows)


def payback_year(cumulative_net: ArrayLike) -> int | None:
    """First year (1-based) from which the cumulative net result stays >= 0, or ``None``.

    ``cumulative_net`` has shape ``(n_years,)`` [DKK]; "stays" means every later year is >= 0
    too, so a result that turns positive and falls back does not count as paid back.
    """
    values = np.asarray(cumulative_net, dtype=np.float64)
    if values.ndim != 1:
        raise InputError(f"cumulative_net has shape {values.shape}; expected (n_years,)")
    negative = np.flatnonzero(values < 0)
    if negative.size == 0:
        return 1
    first_after = int(negative[-1]) + 1
    return first_after + 1 if first_after < values.size else None


def business_case(
    lines: Sequence[BudgetLine],
    authorities: Mapping[str, str],
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """Investment, savings and net result by authority and year, SØM style.

    Parameters
    ----------
    lines : sequence of BudgetLine
        Spending and (scenario) savings lines, each ``(n_years, n_samples)``.
    authorities : mapping of payer to authority
        Which authority each payer belongs to (e.g. ``municipality -> kommune``); authorities
        are reported in the order of first appearance; payers not listed are left out.
    level : float
        Coverage of the percentile intervals.

    Returns
    -------
    pandas.DataFrame
        ``authority, year, investment, savings, net, cumulative_net, cumulative_lower,
        cumulative_upper, prob_paid_back`` [DKK]: investment = spending on cost lines (cash and
        in kind), savings = minus the saving lines, net = savings - investment, cumulative over
        the years; ``prob_paid_back`` = share of PSA samples whose cumulative net is >= 0.
    """
    n_years, n_samples = _check_lines(lines)
    tail = _tail(level)
    rows = []
    for authority in dict.fromkeys(authorities.values()):
        payers = {p for p, a in authorities.items() if a == authority}
        chosen = [line for line in lines if line.payer in payers]
        invest = sum(
            (line.amounts for line in chosen if line.kind != "saving"),
            np.zeros((n_years, n_samples)),
        )
        savings = -sum(
            (line.amounts for line in chosen if line.kind == "saving"),
            np.zeros((n_years, n_samples)),
        )
        cumulative = np.cumsum(savings - invest, axis=0)
        for year in range(n_years):
            mean, lo, hi = _summary(cumulative[year], tail)
            rows.append(
                {
                    "authority": authority,
                    "year": year + 1,
                    "investment": float(invest[year].mean()),
                    "savings": float(savings[year].mean()),
                    "net": float((savings[year] - invest[year]).mean()),
                    "cumulative_net": mean,
                    "cumulative_lower": lo,
                    "cumulative_upper": hi,
                    "prob_paid_back": float(np.mean(cumulative[year] >= 0.0)),
                }
            )
    return pd.DataFrame(rows)
