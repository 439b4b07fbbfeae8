"""Budget impact arithmetic (ISPOR 2014 practice) on yearly spending arrays of any model.

A budget is a list of :class:`BudgetLine` (one cost item paid by one payer, an array of shape
``(n_years, n_samples)``, undiscounted in constant prices, savings negative). From it come the
yearly spending by item and payer (cash and in kind apart), and the SØM-style business case by
authority: investment, savings, cumulative net result, payback year and the chance of payback
over the PSA samples.

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
