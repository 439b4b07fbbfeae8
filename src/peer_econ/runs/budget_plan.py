"""The commissioner's kit: capacity, multi-year budget by item and payer, business case by
authority and the funding comparison of every delivery form, from one PEER run.

No second cost model: the budget re-uses the model's cost functions
(:func:`peer_econ.model.costs.unit_costs`, :func:`~peer_econ.model.costs.shared_costs`,
:func:`~peer_econ.model.costs.strategy_item_costs`) on the run's PSA draws, undiscounted
(budget-impact convention, ISPOR 2014), and multiplies them by the participants of each year.
Only the timing differs from the cost-utility analysis, as budget practice requires: training is
paid when people are trained (the whole first cohort in year 1; see
:mod:`peer_econ.model.capacity`) instead of being spread over the courses they lead, so a steady
year equals the cost model at the same scale.

References
----------
Sullivan SD, Mauskopf JA, Augustovski F, et al. Budget impact analysis - principles of good
practice: report of the ISPOR 2012 Budget Impact Analysis Good Practice II Task Force. Value Health
2014;17:5-14. doi:10.1016/j.jval.2013.08.2291
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peer_econ.analysis.budget import (
    BudgetLine,
    budget_by_item,
    budget_by_payer,
    business_case,
    payback_year,
)
from peer_econ.errors import InputError
from peer_econ.model.capacity import CapacityPlan, DeliveryPlan, capacity_plan, capacity_table
from peer_econ.model.costs import shared_costs, strategy_item_costs, unit_costs
from peer_econ.model.delivery import programme_fixed_costs
from peer_econ.model.engine import AFTER_COURSE_ITEMS, BUDGET_CATEGORIES
from peer_econ.model.results import RunResult
from peer_econ.model.spec import PAYERS, DiscountSchedule, Strategy

FloatArray = NDArray[np.float64]

#: Which authority each payer belongs to in the business case (SØM's public budgets plus the
#: NGO/grant funder that pays most of PEER); participants' and volunteers' time are no budget.
AUTHORITY_OF_PAYER: Mapping[str, str] = MappingProxyType(
    {"municipality": "kommune", "region": "region", "state": "stat", "ngo_grant": "ngo_grant"}
)

_NO_DISCOUNT = DiscountSchedule((0.0,), (0.0,))

#: PSA samples a budget is computed from at most (the run's first ones): a budget holds
#: ``(years, n_samples)`` arrays for every item of every delivery form, about 1.3 GB per form at
#: a million samples; 100,000 keep the means' Monte Carlo error below 0.3 % of a standard
#: deviation and the whole kit near 0.5 GB.
BUDGET_MAX_SAMPLES = 100_000
#: The model's fixed programme cost per participant (replaced in budgets by the two lines below).
PROGRAMME_FIXED_ITEM = "programme_fixed"
#: Budget lines of programme costs at the plan's scale.
LOCAL_COORDINATION_LINE, SETUP_LINE = "local_coordination", "setup"


@dataclass(frozen=True)
class StrategyBudget:
    """Capacity and budget lines of one delivery form at one scale.

    Attributes
    ----------
    strategy : str
    capacity : CapacityPlan
        Arrays ``(years, n_samples)``.
    lines : tuple of BudgetLine
        Spending (and scenario savings) by item and payer, ``(years, n_samples)`` each.
    """

    strategy: str
    capacity: CapacityPlan
    lines: tuple[BudgetLine, ...]

    def by_item(self) -> pd.DataFrame:
        """``budget_by_item`` with a ``strategy`` column first."""
        return budget_by_item(self.lines).assign(strategy=self.strategy)

    def by_payer(self) -> pd.DataFrame:
        """``budget_by_payer`` with a ``strategy`` column."""
        return budget_by_payer(self.lines).assign(strategy=self.strategy)

    def business_case(self) -> pd.DataFrame:
        """``business_case`` by authority with a ``strategy`` column."""
        return business_case(self.lines, AUTHORITY_OF_PAYER).assign(strategy=self.strategy)

    def payback(self) -> dict[str, int | None]:
        """Payback year of each authority from its mean cumulative net (None: none)."""
        case = self.business_case()
        return {
            str(a): payback_year(rows["cumulative_net"].to_numpy())
            for a, rows in case.groupby("authority", sort=False)
        }


@dataclass(frozen=True)
class BudgetResult:
    """The commissioner's kit for several delivery forms at one scale."""

    scale: DeliveryPlan
    comparator: str
    budgets: Mapping[str, StrategyBudget]
    #: PSA samples the budgets were computed from (the first ones of the run).
    n_samples: int

    def _stack(self, method: str) -> pd.DataFrame:
        frames = [getattr(b, method)() for b in self.budgets.values()]
        out = pd.concat(frames, ignore_index=True)
        return out[["strategy", *[c for c in out.columns if c != "strategy"]]]

    def by_item(self) -> pd.DataFrame:
        """Yearly spending by strategy, item and payer (``budget_by_item`` columns)."""
        return self._stack("by_item")

    def by_payer(self) -> pd.DataFrame:
        """Yearly spending by strategy and payer, cash and in kind apart."""
        return self._stack("by_payer")

    def business_case(self) -> pd.DataFrame:
        """Cumulative net result by strategy, authority and year."""
        return self._stack("business_case")

    def capacity(self) -> pd.DataFrame:
        """Capacity needs by strategy, year and quantity."""
        return pd.concat(
            [capacity_table(b.capacity) for b in self.budgets.values()], ignore_index=True
        )


def _per_participant_items(result: RunResult, strategy: Strategy) -> dict[str, FloatArray]:
    """Undiscounted cost of every item per randomised participant, ``(n_samples,)`` each."""
    draws = result.draws
    settings = result.inputs.settings.replace(discount_costs=_NO_DISCOUNT)
    shared = shared_costs(draws, unit_costs(draws), settings)
    scale = np.asarray(result.psa.effect_scale[strategy.name])
    return {
        item: np.broadcast_to(np.asarray(arr, dtype=np.float64), (result.n_samples,))
        for item, arr in strategy_item_costs(strategy, shared, scale).items()
    }


def _startup_training_lines(
    result: RunResult,
    capacity: CapacityPlan,
    running: Mapping[str, FloatArray],
    payer_of: Mapping[str, str],
    cash: Mapping[str, bool],
) -> list[BudgetLine]:
    """Training beyond the steady state: the first cohorts and the growth of ramp-up years.

    People trained (capacity plan) x the model's cost per trained person, minus the running
    training cost already counted per participant; zero in a steady year.
    """
    draws = result.draws
    units = unit_costs(draws)
    seat = units.trainer_cost_per_cohort / np.asarray(draws["volunteers_per_training_cohort"])
    paid_seat = seat + np.asarray(draws["training_hours_per_volunteer"]) * units.paid_peer_hourly
    flows = {
        "volunteer_training": capacity.volunteers_trained * seat,
        "paid_peer_training": capacity.paid_peers_trained * paid_seat,
    }
    lines = []
    for item, amounts in flows.items():
        extra = amounts - running.get(item, 0.0)
        if np.any(np.abs(extra) > 1e-9 * np.maximum(np.abs(amounts), 1.0)):
            lines.append(BudgetLine(item, payer_of[item], "start-up", cash[item], extra))
    return lines


def _programme_lines(result: RunResult, scale: DeliveryPlan, payer: str) -> list[BudgetLine]:
    """Programme costs at the plan's scale (:func:`peer_econ.model.delivery.programme_fixed_costs`):
    local coordination every year and the one-off set-up in year 1, in cash (not annuitised:
    a budget shows money when it is spent)."""
    settings = result.inputs.settings
    costs = programme_fixed_costs(
        result.draws,
        scale.scale,
        discount_rate=settings.discount_costs.rates[0],
        local_coordination=settings.local_coordination,
    )
    n = result.n_samples
    yearly = np.broadcast_to(np.asarray(costs.yearly, dtype=np.float64), (scale.years, n)).copy()
    setup = np.zeros((scale.years, n))
    setup[0] = costs.setup
    return [
        BudgetLine(LOCAL_COORDINATION_LINE, payer, "running", True, yearly),
        BudgetLine(SETUP_LINE, payer, "start-up", True, setup),
    ]


def strategy_budget(result: RunResult, strategy_name: str, scale: DeliveryPlan) -> StrategyBudget:
    """Capacity and yearly budget lines of one delivery form minus the comparator.

    Per-participant items (undiscounted, budget categories only, without the model's fixed
    programme cost per participant) are multiplied by the participants enrolled in each year
    (``running``); programme costs at the plan's scale add local coordination every year and
    the set-up in year 1; training beyond the steady state (first
    cohorts, ramp-up growth) is a ``start-up`` line; items that follow from the effect
    (downstream resource use, wellbeing offset) are ``saving`` lines.
    """
    inputs = result.inputs
    by_name = {s.name: s for s in inputs.strategies}
    if strategy_name not in by_name:
        raise InputError(f"strategy {strategy_name!r}: choose one of {list(by_name)}")
    strategy, comparator = by_name[strategy_name], by_name[result.comparator]
    payer_of = {c.item: c.payer for c in inputs.cost_items}
    category_of = {c.item: c.category for c in inputs.cost_items}
    cash = {c.item: not getattr(c, "in_kind", False) for c in inputs.cost_items}
    settings = inputs.settings
    capacity = capacity_plan(
        result.draws, strategy, scale, local_coordination=settings.local_coordination
    )
    own = _per_participant_items(result, strategy)
    ref = _per_participant_items(result, comparator)
    lines = []
    running: dict[str, FloatArray] = {}
    for item in dict.fromkeys([*own, *ref]):
        # the model's fixed cost per participant belongs to the model's scale: the budget
        # takes the programme costs at the plan's scale instead (below)
        if category_of[item] not in BUDGET_CATEGORIES or item == PROGRAMME_FIXED_ITEM:
            continue
        per_person = own.get(item, 0.0) - ref.get(item, 0.0)
        amounts = capacity.participants * per_person
        if not np.any(amounts != 0):
            continue
        running[item] = amounts
        kind = "saving" if item in AFTER_COURSE_ITEMS else "running"
        lines.append(BudgetLine(item, payer_of[item], kind, cash[item], amounts))
    lines += _startup_training_lines(result, capacity, running, payer_of, cash)
    if strategy.programme and not comparator.programme:
        lines += _programme_lines(result, scale, payer_of[PROGRAMME_FIXED_ITEM])
    if not lines:
        zeros = np.zeros((scale.years, result.n_samples))
        lines.append(BudgetLine("none", "ngo_grant", "running", True, zeros))
    return StrategyBudget(strategy_name, capacity, tuple(lines))


def programme_strategies(result: RunResult) -> tuple[str, ...]:
    """Every strategy that delivers the programme (all but the comparator)."""
    return tuple(s.name for s in result.inputs.strategies if s.programme)


def run_budget(
    result: RunResult, scale: DeliveryPlan, strategies: Sequence[str] | None = None
) -> BudgetResult:
    """Capacity, budget and business case of each delivery form at ``scale``, from at most the
    first :data:`BUDGET_MAX_SAMPLES` PSA samples (``BudgetResult.n_samples``)."""
    names = programme_strategies(result) if strategies is None else tuple(strategies)
    if not names:
        raise InputError("budget: no delivery form to fund; the inputs hold only the comparator")
    used = result.first_samples(BUDGET_MAX_SAMPLES)
    budgets = {name: strategy_budget(used, name, scale) for name in names}
    return BudgetResult(scale, result.comparator, MappingProxyType(budgets), used.n_samples)


def _status_words(status: str, note: str, labels: Mapping[str, str]) -> str:
    """Dominance status of an ``icer_table`` row in plain words, strategies by their labels."""
    words = {"ND": "efficient", "D": "dominated", "ED": "extendedly dominated"}[status]
    for name in sorted(labels, key=len, reverse=True):
        note = note.replace(name, labels[name])
    if status != "ND" and note.startswith(words):
        return note
    if note == "reference":
        return "reference (cheapest efficient option)"
    return f"{words} ({note})" if note else words


def frontier_statuses(result: RunResult, icers: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Strategy -> (status, note) of the incremental analysis, with Monte Carlo noise removed.

    A dearer variant whose mean gain over its frontier comparator lies within Monte Carlo error
    (:func:`peer_econ.outputs.decision.effect_within_noise`: equal effect assumed, so only
    sampling noise separates them) is in effect dominated by it, and so is whatever it
    dominates.
    """
    from peer_econ.outputs.decision import effect_within_noise

    noise = effect_within_noise(result, icers)
    out = {}
    for row in icers.to_dict("records"):
        name, status, note = str(row["strategy"]), str(row["status"]), str(row["note"])
        if name in noise:
            status, note = "D", f"dominated by {noise[name]}"
        elif note.startswith("dominated by ") and note.removeprefix("dominated by ") in noise:
            note = f"dominated by {noise[note.removeprefix('dominated by ')]}"
        out[name] = (status, note)
    return out


def decision_rival(status: str, note: str, comparator: str) -> str:
    """The strategy a delivery form must beat to change its status: the previous frontier
    strategy of an efficient one, the strategy that dominates it, or the more effective
    frontier neighbour of an extendedly dominated one."""
    for prefix in ("vs ", "dominated by "):
        if note.startswith(prefix) and status in ("ND", "D"):
            return note[len(prefix) :]
    if status == "ED" and " and " in note:
        return note.rsplit(" and ", 1)[1]
    return comparator


def _rests_on(result: RunResult, strategy: str, rival: str, wtp: float) -> tuple[str, float]:
    """The input whose one-way range moves the strategy's INMB against ``rival`` most."""
    from peer_econ.runs.peer_sweeps import peer_owsa

    one_way = peer_owsa(result.inputs, wtp=wtp, comparator=rival)
    top = one_way.tornado(strategy).iloc[0]
    return str(top["parameter"]), float(top["swing"])


def comparison_wtp(result: RunResult) -> tuple[float, ...]:
    """WTP values of the funding comparison [DKK per QALY]: NICE's band converted at the
    run's GBP rate and the settings' single-WTP readout, ascending."""
    settings = result.inputs.settings
    rate = float(result.inputs.parameters["gbp_dkk"].value)
    band = tuple(round(g * rate, -3) for g in settings.nice_band_gbp)
    return tuple(sorted({*band, float(settings.wtp_point)}))


def _spending_columns(plan: StrategyBudget, years: int) -> dict[str, float]:
    """The spending columns of one delivery form in :func:`funding_comparison`.

    Parameters
    ----------
    plan : StrategyBudget
        The form's budget at the scale of the comparison.
    years : int
        Budget horizon; its last year is the steady year.

    Returns
    -------
    dict of str to float
        ``cost_per_participant`` (steady-year spending per enrolled participant, PSA mean of
        the per-sample ratio) [DKK]; ``budget_year1``, ``budget_steady_year`` and
        ``budget_<payer>`` (steady year, by payer) [DKK per year].
    """
    by_payer = plan.by_payer()
    last = by_payer[by_payer["year"] == str(years)].set_index("payer")["total"]
    first = by_payer[by_payer["year"] == "1"].set_index("payer")["total"]
    steady_total = sum(line.amounts[-1] for line in plan.lines)
    steady_participants = plan.capacity.participants[-1]
    columns = {
        "cost_per_participant": float(np.mean(steady_total / steady_participants)),
        "budget_year1": float(first["total"]),
        "budget_steady_year": float(last["total"]),
    }
    for payer in last.index:
        if payer != "total":
            columns[f"budget_{payer}"] = float(last[payer])
    return columns


def funding_comparison(
    result: RunResult, budget: BudgetResult, wtp: Sequence[float] | None = None
) -> pd.DataFrame:
    """Every delivery form side by side: cost, budget, capacity, QALYs, ICER, chance.

    Returns
    -------
    pandas.DataFrame
        One row per delivery form: ``strategy, label``; ``cost_per_participant`` (steady-year
        spending per enrolled participant at this scale, undiscounted: the PSA mean of the
        per-sample ratio, which equals the model's per-participant budget cost) [DKK];
        ``budget_year1``, ``budget_steady_year`` and ``budget_<payer>`` (steady year, by payer)
        [DKK per year]; ``volunteers_trained_year1``, ``coordinator_fte``, ``paid_peer_fte``;
        ``inc_qaly`` (PSA mean vs the comparator) [QALY]; ``icer`` [DKK/QALY] and ``status``
        (in words) from the incremental analysis of all strategies (PSA means), with
        ``status_code`` (``ND``, ``D``, ``ED`` or ``reference``) and ``status_by`` (the
        strategy that decides it, see :func:`decision_rival`); ``prob_ce_<wtp>`` = share
        of PSA samples in which the form is cost-effective against the comparator (INMB > 0) at
        each WTP; ``assumed_effect``: the
        effect-multiplier parameter the form's effect rests on (empty for the trialled form);
        ``rests_on`` and ``rests_on_swing``: the input whose one-way range moves its
        INMB most at the settings' WTP [DKK], against ``rests_on_against`` (the strategy it must
        beat to change its status: see :func:`decision_rival`).
    """
    from peer_econ.analysis.cea import icer_table

    points = comparison_wtp(result) if wtp is None else tuple(float(w) for w in wtp)
    psa = result.psa
    names = list(psa.strategies)
    ref = names.index(result.comparator)
    table = icer_table(psa.cost, psa.qaly, names)
    statuses = frontier_statuses(result, table)
    icers = table.set_index("strategy")
    icer_of = {
        name: float(value) if statuses[name][0] == "ND" else float("nan")
        for name, value in zip(icers.index, icers["icer"], strict=True)
    }
    labels = {s.name: s.label for s in result.inputs.strategies}
    by_strategy = {s.name: s for s in result.inputs.strategies}
    rows = []
    for name, plan in budget.budgets.items():
        j = names.index(name)
        d_cost, d_qaly = psa.cost[:, j] - psa.cost[:, ref], psa.qaly[:, j] - psa.qaly[:, ref]
        status, note = statuses[name]
        rival = decision_rival(status, note, result.comparator)
        top, swing = _rests_on(result, name, rival, result.inputs.settings.wtp_point)
        row: dict[str, object] = {
            "strategy": name,
            "label": labels[name],
            **_spending_columns(plan, budget.scale.years),
            "volunteers_trained_year1": float(plan.capacity.volunteers_trained[0].mean()),
            "coordinator_fte": float(plan.capacity.coordinator_fte[-1].mean()),
            "paid_peer_fte": float(plan.capacity.paid_peer_fte[-1].mean()),
            "inc_qaly": float(d_qaly.mean()),
            "icer": icer_of[name],
            "status": _status_words(status, note, labels),
            "status_code": "reference" if note == "reference" else status,
            "status_by": "" if note == "reference" else rival,
        }
        for w in points:
            row[f"prob_ce_{w:.0f}"] = float(np.mean(w * d_qaly - d_cost > 0))
        row["assumed_effect"] = by_strategy[name].effect_multiplier or ""
        row["rests_on"] = top
        row["rests_on_swing"] = swing
        row["rests_on_against"] = rival
        rows.append(row)
    frame = pd.DataFrame(rows)
    payer_columns = [c for c in frame.columns if c.startswith("budget_") and c[7:] in PAYERS]
    frame[payer_columns] = frame[payer_columns].fillna(0.0)
    return frame
