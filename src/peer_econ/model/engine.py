"""The PEER cost-utility engine: draws in, outcomes out, vectorised along the sample axis."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peer_econ.errors import InputError
from peer_econ.model.costs import shared_costs, strategy_item_costs, unit_costs
from peer_econ.model.discounting import discount_factor
from peer_econ.model.effects import (
    MONTHS_PER_YEAR,
    baseline_qalys,
    boosted_qaly_gain,
    booster_starts,
    qaly_gain,
    utility_gain_post,
)
from peer_econ.model.spec import CostItem, Inputs, ModelSettings, Strategy

FloatArray = NDArray[np.float64]

#: Trial outcomes reported beside costs in the cost-consequence table (mean differences).
TRIAL_OUTCOMES = ("qpr15_md", "mansa_md", "wsas_md")


def _readonly(arr: FloatArray) -> FloatArray:
    """Mark an array the engine created as read-only (no copy)."""
    out = np.asarray(arr, dtype=np.float64)
    if out.flags.writeable:
        out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Outcomes:
    """Model outputs for ``n_samples`` samples and ``n_strategies`` strategies.

    Attributes
    ----------
    strategies : tuple of str
        Strategy names, the column order of every array.
    cost : ndarray, shape (n_samples, n_strategies)
        Total discounted cost per randomised participant under the run's perspective [DKK 2024].
    qaly : ndarray, shape (n_samples, n_strategies)
        Discounted QALYs per participant over the horizon [QALY].
    qaly_gain : ndarray, shape (n_samples, n_strategies)
        QALYs gained over service as usual (0 for strategies without the programme) [QALY].
    item_costs : mapping
        ``(strategy, item)`` -> mean cost over the samples for every non-zero item [DKK], all
        categories (also those the perspective leaves out). Per-sample item arrays are not
        kept: at a million samples they would cost more memory than the rest of the run.
    counted_items : tuple of str
        Items counted under the perspective.
    utility_gain_post : ndarray, shape (n_samples,)
        Utility gain of full PEER at the end of the course [utility].
    effect_scale : mapping
        Strategy -> array ``(n_samples,)``: multiplier of the effect (0 for SAU, 1 for full
        PEER); constants are broadcast views.
    budget_cost : mapping
        Payer -> array ``(n_samples, n_strategies)``: what each payer spends in cash per
        participant on the budget categories (intervention, health care, social care), whatever
        the perspective; participants' and volunteers' time are not budget items, in-kind
        contributions are in ``in_kind_cost`` [DKK].
    in_kind_cost : mapping
        Payer -> array ``(n_samples, n_strategies)``: in-kind contributions per participant
        (items marked ``in_kind`` in ``cost_items.csv``, e.g. a lent venue): counted in the
        cost-utility analysis, no cash outlay [DKK].
    programme_fixed_cost : mapping
        Payer -> array ``(n_samples, n_strategies)``: the part of ``budget_cost`` that is the
        fixed programme cost per participant at the settings' delivery scale (item
        ``programme_fixed``), so a budget at another scale can replace it by that scale's
        yearly and set-up costs [DKK].
    """

    strategies: tuple[str, ...]
    cost: FloatArray
    qaly: FloatArray
    qaly_gain: FloatArray
    item_costs: Mapping[tuple[str, str], float]
    counted_items: tuple[str, ...]
    utility_gain_post: FloatArray
    effect_scale: Mapping[str, FloatArray]
    budget_cost: Mapping[str, FloatArray]
    in_kind_cost: Mapping[str, FloatArray]
    programme_fixed_cost: Mapping[str, FloatArray]

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.cost.shape[0])

    def mean_item_costs(self, cost_items: tuple[CostItem, ...]) -> pd.DataFrame:
        """Tidy table ``strategy, item, category, payer, counted, cost`` of mean item costs [DKK].

        Every strategy lists every item (zeros included) so tables line up across strategies.
        """
        rows = []
        for strategy in self.strategies:
            for item in cost_items:
                mean = self.item_costs.get((strategy, item.item), 0.0)
                rows.append(
                    {
                        "strategy": strategy,
                        "item": item.item,
                        "category": item.category,
                        "payer": item.payer,
                        "counted": item.item in self.counted_items,
                        "cost": mean,
                    }
                )
        return pd.DataFrame(rows)


def _effect_scale(strategy: Strategy, draws: Mapping[str, FloatArray], n: int) -> FloatArray:
    if not strategy.programme:
        return np.broadcast_to(np.float64(0.0), (n,))
    if strategy.effect_multiplier:
        return np.broadcast_to(np.asarray(draws[strategy.effect_multiplier], dtype=float), (n,))
    return np.broadcast_to(np.float64(1.0), (n,))


def evaluate(
    draws: Mapping[str, FloatArray],
    inputs: Inputs,
    *,
    settings: ModelSettings | None = None,
    horizon_months: float | None = None,
    durability: str | None = None,
) -> Outcomes:
    """Evaluate every strategy for every sample at once.

    Parameters
    ----------
    draws : mapping of str to ndarray, each shape (n_samples,)
        Parameter values (e.g. :class:`~peer_econ.parameters.table.Draws`).
    inputs : Inputs
        Strategies, cost items and default settings.
    settings : ModelSettings, optional
        Overrides ``inputs.settings`` (scenarios).
    horizon_months, durability : optional
        Overrides for the trial-period analysis (horizon = follow-up, gain held to it).

    Returns
    -------
    Outcomes
        Costs and QALYs with shape ``(n_samples, n_strategies)``.
    """
    cfg = inputs.settings if settings is None else settings
    first = next(iter(draws.values()))
    n = int(np.shape(first)[0])
    h_months = cfg.horizon_months if horizon_months is None else horizon_months
    if cfg.utility_route == "mapping" and cfg.source_outcome != "mansa":
        raise InputError(
            f"utility_route 'mapping' uses the MANSA mapping slope; source_outcome is "
            f"{cfg.source_outcome!r} (use 'mansa' or another route)"
        )
    categories = {c.item: c.category for c in inputs.cost_items}
    counted = tuple(item for item, cat in categories.items() if cat in cfg.categories)
    k = len(inputs.strategies)
    # Column-major (n, k) arrays: each strategy's column is contiguous, so the per-strategy
    # writes below are streaming writes rather than strided ones.
    cost = _columns(n, k)
    gain = _columns(n, k)
    gain_post = np.empty(n)
    item_sums: dict[tuple[str, str], float] = {}
    payer_of = {c.item: c.payer for c in inputs.cost_items if c.category in BUDGET_CATEGORIES}
    in_kind = frozenset(c.item for c in inputs.cost_items if c.in_kind)
    # Allocated when a payer first spends (memory is the cost at a million samples).
    budget: dict[str, FloatArray] = {}
    kind_budget: dict[str, FloatArray] = {}
    fixed_budget: dict[str, FloatArray] = {}
    # Blocks keep temporaries small and reused (far fewer page faults at a million samples);
    # within a block every operation is vectorised over samples.
    for lo in range(0, n, BLOCK_SIZE):
        hi = min(lo + BLOCK_SIZE, n)
        block = {name: np.asarray(arr)[lo:hi] for name, arr in draws.items()}
        budgets = _Budgets(payer_of, in_kind, budget, kind_budget, fixed_budget, lo, hi, n)
        _evaluate_block(
            block, inputs, cfg, h_months, durability, set(counted),
            cost[lo:hi], gain[lo:hi], gain_post[lo:hi], item_sums, budgets,
        )  # fmt: skip
    base = np.broadcast_to(baseline_qalys(draws, cfg.discount_effects, h_months), (n,))
    cash_payers = dict.fromkeys(p for item, p in payer_of.items() if item not in in_kind)
    return Outcomes(
        strategies=tuple(s.name for s in inputs.strategies),
        cost=_readonly(cost),
        qaly=_readonly(base[:, None] + gain),
        qaly_gain=_readonly(gain),
        item_costs=MappingProxyType({key: total / n for key, total in item_sums.items()}),
        counted_items=counted,
        utility_gain_post=_readonly(gain_post),
        effect_scale=MappingProxyType(
            {s.name: _readonly(_effect_scale(s, draws, n)) for s in inputs.strategies}
        ),
        budget_cost=_frozen_budget(budget, cash_payers, n, k),
        in_kind_cost=_frozen_budget(kind_budget, kind_budget, n, k),
        programme_fixed_cost=_frozen_budget(fixed_budget, fixed_budget, n, k),
    )


def _frozen_budget(
    arrays: Mapping[str, FloatArray], payers: Iterable[str], n: int, k: int
) -> Mapping[str, FloatArray]:
    """Read-only per-payer arrays ``(n, k)``; payers that never spent get broadcast zeros."""
    return MappingProxyType(
        {p: _readonly(arrays[p]) if p in arrays else _zeros(n, k) for p in payers}
    )


#: Items that follow from the effect in the year after randomisation: repeat courses do not
#: repeat them.
AFTER_COURSE_ITEMS = frozenset(
    {"primary_care", "psychiatric_outpatient", "psychiatric_inpatient", "municipal_support",
     "wellbeing_offset"}
)  # fmt: skip

#: Items that are fixed programme costs spread over participants at the delivery scale.
PROGRAMME_FIXED_ITEMS = frozenset({"programme_fixed"})

#: Resource categories that are spending by a payer (budget impact); time is not.
BUDGET_CATEGORIES = ("intervention", "health_care", "social_care")


def _zeros(n: int, k: int) -> FloatArray:
    """Read-only zeros of shape (n, k) without memory per sample."""
    return np.broadcast_to(np.float64(0.0), (n, k))


def _columns(n: int, k: int, fill: float | None = None) -> FloatArray:
    """An (n, k) array stored column by column (Fortran order)."""
    out = np.empty((n, k), order="F")
    if fill is not None:
        out.fill(fill)
    return out


#: Samples evaluated together; results do not depend on it.
BLOCK_SIZE = 65_536


@dataclass(frozen=True)
class _Budgets:
    """Where a block adds its budget spending: payer of each budget item, the in-kind items,
    full-size cash, in-kind and programme-fixed arrays per payer (allocated on first use) and
    the block's rows."""

    payer_of: Mapping[str, str]
    in_kind: frozenset[str]
    cash: dict[str, FloatArray]
    kind: dict[str, FloatArray]
    fixed: dict[str, FloatArray]
    lo: int
    hi: int
    n_total: int

    def add(self, item: str, column: int, n_strategies: int, arr: FloatArray) -> None:
        """Add one item's per-participant cost of one strategy to its payer's array."""
        payer = self.payer_of.get(item)
        if payer is None:
            return
        targets = [self.kind if item in self.in_kind else self.cash]
        if item in PROGRAMME_FIXED_ITEMS:
            targets.append(self.fixed)
        for target in targets:
            if payer not in target:
                target[payer] = _columns(self.n_total, n_strategies, fill=0.0)
            target[payer][self.lo : self.hi, column] += arr


def _evaluate_block(
    draws: Mapping[str, FloatArray],
    inputs: Inputs,
    cfg: ModelSettings,
    h_months: float,
    durability: str | None,
    counted: set[str],
    cost: FloatArray,
    gain: FloatArray,
    gain_post: FloatArray,
    item_sums: dict[tuple[str, str], float],
    budgets: _Budgets,
) -> None:
    """Fill the given output views for rows ``budgets.lo:budgets.hi``."""
    n = cost.shape[0]
    horizon_cfg = cfg if h_months == cfg.horizon_months else _with_horizon(cfg, h_months)
    gain_post[:] = utility_gain_post(draws, cfg)
    unit_gain = qaly_gain(
        np.ones(n), draws, cfg, cfg.discount_effects, horizon_months=h_months, durability=durability
    )
    # Repeat courses: each restores a share of the gain from its own start and repeats the
    # course costs (x uptake) at that time; none fall within the trial period.
    starts = booster_starts(cfg, h_months) if durability is None else ()
    cost_factor: FloatArray | None = None
    if starts:
        # those who take the repeat courses follow the boosted path, the others the first one
        uptake = np.asarray(draws["booster_uptake"])
        boosted = boosted_qaly_gain(
            draws, cfg, cfg.discount_effects, starts, horizon_months=h_months
        )
        unit_gain = (1.0 - uptake) * unit_gain + uptake * boosted
        at_starts = discount_factor(np.asarray(starts) / MONTHS_PER_YEAR, cfg.discount_costs)
        cost_factor = 1.0 + uptake * float(np.sum(at_starts))
    gain_years = _gain_years_for_costs(draws, cfg, h_months, durability, starts, unit_gain)
    shared = shared_costs(draws, unit_costs(draws), horizon_cfg, gain_years)
    # Strategies share item arrays: sum each array once, keeping it alive while keyed by id.
    sums: dict[int, tuple[FloatArray, FloatArray, float]] = {}
    # QALY gain is linear in the end-of-course gain: integrate a unit gain once.
    full_gain = gain_post * unit_gain
    for j, strategy in enumerate(inputs.strategies):
        scale_j = _effect_scale(strategy, draws, n)
        gain[:, j] = full_gain * scale_j
        total = np.zeros(n)
        for item, raw in strategy_item_costs(strategy, shared, scale_j).items():
            key = id(raw)
            if key not in sums:
                full = np.broadcast_to(raw, (n,))
                if cost_factor is not None and item not in AFTER_COURSE_ITEMS:
                    full = full * cost_factor
                sums[key] = (raw, full, float(np.sum(full)))
            _, arr, block_sum = sums[key]
            name = (strategy.name, item)
            item_sums[name] = item_sums.get(name, 0.0) + block_sum
            if item in counted:
                total += arr
            budgets.add(item, j, len(inputs.strategies), arr)
        cost[:, j] = total


def _gain_years_for_costs(
    draws: Mapping[str, FloatArray],
    cfg: ModelSettings,
    h_months: float,
    durability: str | None,
    starts: tuple[float, ...],
    unit_gain_effects: FloatArray,
) -> FloatArray | None:
    """The gain path per unit end-of-course gain, integrated with the *cost* discount schedule
    [years], for costs that follow the effect (the wellbeing offset); ``None`` when no such cost
    is switched on. Equal to the QALY integral when both schedules agree."""
    if not cfg.wellbeing_offset:
        return None
    if cfg.discount_costs == cfg.discount_effects:
        return unit_gain_effects
    n = np.shape(unit_gain_effects)[0]
    years = qaly_gain(
        np.ones(n), draws, cfg, cfg.discount_costs, horizon_months=h_months, durability=durability
    )
    if starts:
        uptake = np.asarray(draws["booster_uptake"])
        boosted = boosted_qaly_gain(draws, cfg, cfg.discount_costs, starts, horizon_months=h_months)
        years = (1.0 - uptake) * years + uptake * boosted
    return years


def _with_horizon(settings: ModelSettings, horizon_months: float) -> ModelSettings:
    from dataclasses import replace

    return replace(settings, horizon_months=horizon_months)
