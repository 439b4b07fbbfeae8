"""``peer-econ budget`` and the budget section of a run: tables, figure, report section.

The budget impact of a plan (a strategy run at a delivery scale for some years) is assembled from
the run's PSA with the model's own functions, so it is the same cost model as the cost-utility
analysis:

* course costs: participants per year x the cash spending per participant of each payer (the
  model's ``budget_cost``) without the fixed programme cost per participant, which belongs to the
  model's delivery scale;
* fixed programme costs at the plan's scale
  (:func:`peer_econ.model.delivery.programme_fixed_costs`): yearly local coordination every
  year and the one-off set-up as a start-up cost in year 1 (DESIGN 2.2a), not annuitised,
  since a budget shows cash when it is spent;
* in-kind contributions (a lent venue) as their own lines: a resource used, no cash outlay.

Constant 2024 prices, undiscounted (ISPOR budget impact practice).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peer_econ.analysis.budget import BudgetPlan
from peer_econ.errors import InputError
from peer_econ.model.delivery import DeliveryScale, participants_per_year, programme_fixed_costs
from peer_econ.outputs import html as H
from peer_econ.outputs.files import atomic_output_dir, default_run_dir, write_csv, write_manifest
from peer_econ.outputs.html import ReportSection
from peer_econ.runs.pipeline import RunResult

FloatArray = NDArray[np.float64]

#: Cash and in-kind lines of a budget table.
CASH, IN_KIND = "cash", "in kind"
#: Coverage of the budget intervals.
LEVEL = 0.95


def default_plan(result: RunResult, strategy: str = "peer_volunteer", years: int = 5) -> BudgetPlan:
    """The plan every run report shows: the settings' delivery scale for ``years`` years."""
    settings = result.inputs.settings
    return BudgetPlan(
        strategy, settings.courses_per_municipality_per_year, settings.municipalities, years
    )


def _yearly_lines(result: RunResult, plan: BudgetPlan) -> tuple[
    FloatArray, dict[tuple[str, str], FloatArray], FloatArray, str
]:  # fmt: skip
    """Per sample: participants per year at full capacity, spending per participant by
    ``(payer, kind)`` without fixed programme costs, the set-up cost, and the payer of the
    fixed costs (with the yearly fixed cost folded into the lines as ``("fixed", payer)``)."""
    psa = result.psa
    names = list(psa.strategies)
    for label, name in (("strategy", plan.strategy), ("comparator", result.comparator)):
        if name not in names:
            raise InputError(f"{label} {name!r} is not one of the strategies {names}")
    j, ref = names.index(plan.strategy), names.index(result.comparator)
    scale = DeliveryScale(int(plan.municipalities), float(plan.courses_per_year))
    participants = participants_per_year(scale, result.draws["participants_per_group"])
    per_participant: dict[tuple[str, str], FloatArray] = {}
    for payer, arr in psa.budget_cost.items():
        spend = arr[:, j] - arr[:, ref]
        fixed = psa.programme_fixed_cost.get(payer)
        if fixed is not None:
            spend = spend - (fixed[:, j] - fixed[:, ref])
        per_participant[(payer, CASH)] = np.asarray(spend, dtype=np.float64)
    for payer, arr in psa.in_kind_cost.items():
        per_participant[(payer, IN_KIND)] = np.asarray(arr[:, j] - arr[:, ref], dtype=np.float64)
    by_name = {s.name: s for s in result.inputs.strategies}
    programme = by_name[plan.strategy].programme and not by_name[result.comparator].programme
    payer = next(c.payer for c in result.inputs.cost_items if c.item == "programme_fixed")
    n = result.n_samples
    yearly, setup = np.zeros(n), np.zeros(n)
    if programme:
        settings = result.inputs.settings
        costs = programme_fixed_costs(
            result.draws,
            scale,
            discount_rate=settings.discount_costs.rates[0],
            local_coordination=settings.local_coordination,
        )
        yearly, setup = costs.yearly, costs.setup
    per_participant.setdefault((payer, CASH), np.zeros(n))
    per_participant[("fixed", payer)] = yearly
    return participants, per_participant, setup, payer


def budget_table(result: RunResult, plan: BudgetPlan) -> pd.DataFrame:
    """Budget impact of ``plan`` per year, payer and kind (cash or in kind), from the PSA.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, payer, kind, participants, budget_impact, lower, upper, setup``: mean
        spending minus the comparator's [DKK per year], its 2.5 and 97.5 percentiles, and the
        part that is one-off set-up (year 1 only). One row per year, payer and kind, then payer
        ``total`` per kind, then year ``all`` summing the plan's years. Participants per year are
        municipalities x courses x enrolled per group (mean over the PSA), times the ramp-up.
    """
    participants, lines, setup, fixed_payer = _yearly_lines(result, plan)
    yearly_fixed = lines.pop(("fixed", fixed_payer))
    tail = (1.0 - LEVEL) / 2.0 * 100.0
    rows: list[dict[str, object]] = []
    horizon: dict[tuple[str, str], FloatArray] = {}
    for year in range(1, plan.years + 1):
        share = plan.share(year)
        spend_by_line: dict[tuple[str, str], FloatArray] = {}
        for (payer, kind), per_person in lines.items():
            spend = share * participants * per_person
            start = np.zeros_like(spend)
            if kind == CASH and payer == fixed_payer:
                start = setup if year == 1 else start
                spend = spend + yearly_fixed + start
            spend_by_line[(payer, kind)] = spend
            rows.append(_row(year, payer, kind, share * participants, spend, start, tail))
        for kind in dict.fromkeys(k for _, k in lines):
            total = np.sum([v for (_, k), v in spend_by_line.items() if k == kind], axis=0)
            start = setup if (year == 1 and kind == CASH) else np.zeros_like(setup)
            rows.append(_row(year, "total", kind, share * participants, total, start, tail))
            spend_by_line[("total", kind)] = total
        for key, spend in spend_by_line.items():
            horizon[key] = horizon.get(key, 0.0) + spend
    delivered = participants * sum(plan.share(y) for y in range(1, plan.years + 1))
    for (payer, kind), spend in horizon.items():
        start = setup if (kind == CASH and payer in (fixed_payer, "total")) else 0.0 * setup
        rows.append(_row("all", payer, kind, delivered, spend, start, tail))
    return pd.DataFrame(rows)


def _row(
    year: int | str,
    payer: str,
    kind: str,
    participants: FloatArray,
    spend: FloatArray,
    setup: FloatArray,
    tail: float,
) -> dict[str, object]:
    lo, hi = np.percentile(spend, [tail, 100.0 - tail])
    return {
        "year": str(year),
        "payer": payer,
        "kind": kind,
        "participants": float(np.mean(participants)),
        "budget_impact": float(np.mean(spend)),
        "lower": float(lo),
        "upper": float(hi),
        "setup": float(np.mean(setup)),
    }


def cash_budget(table: pd.DataFrame) -> pd.DataFrame:
    """Cash lines only, in-kind lines dropped (for the stacked budget figure)."""
    return table[table["kind"] == CASH].reset_index(drop=True)


def write_budget_files(result: RunResult, plan: BudgetPlan, folder: Path) -> pd.DataFrame:
    """Write ``budget.csv`` and the ``budget`` figure (cash by payer); return the table."""
    from peer_econ.outputs import plots

    table = budget_table(result, plan)
    write_csv(table, folder / "budget.csv")
    plots.save_axes(plots.plot_budget(cash_budget(table)), folder, "budget")
    return table


def budget_section(table: pd.DataFrame, plan: BudgetPlan, folder: Path) -> ReportSection:
    """Report section on what the plan costs each payer, in cash and in kind."""
    shown = table[["year", "payer", "kind", "participants", "budget_impact", "lower", "upper",
                   "setup"]]  # fmt: skip
    body = H.paragraph(
        f"Funding {plan.strategy} with {plan.courses_per_year:g} courses a year in each of "
        f"{plan.municipalities} municipalities for {plan.years} years (constant 2024 prices, "
        "undiscounted; spending on intervention, health and social care by payer, minus "
        "service as usual; participants' and volunteers' time are not budget items). Cash is "
        "money paid out; in kind is a resource a payer contributes without paying (a lent "
        "meeting room): the cost-utility analysis counts it, the cash budget does not. Fixed "
        "programme costs are shown as spent: local coordination every year, set-up once in "
        "year 1 (the cost-utility analysis spreads set-up over the programme's lifetime)."
    ) + H.table(
        shown,
        {"participants": H.money, "budget_impact": H.money, "lower": H.money, "upper": H.money,
         "setup": H.money},
        headers={"budget_impact": "budget impact (DKK)", "lower": "2.5 %", "upper": "97.5 %",
                 "setup": "of which set-up (DKK)"},
        caption="Budget impact per year, payer and kind (year 'all' sums the plan's years)",
    )  # fmt: skip
    body += H.figure(folder / "budget.png", "Cash budget impact per year by payer")
    return ReportSection(
        "budget", "Budget impact and who pays", body, 75, highlights=(_highlight(table, plan),)
    )


def _cell(table: pd.DataFrame, year: str, payer: str, kind: str, column: str) -> float:
    """One number of a budget table (0 when the line is absent)."""
    rows = table[(table["year"] == year) & (table["payer"] == payer) & (table["kind"] == kind)]
    return float(rows[column].iloc[0]) if len(rows) else 0.0


def _highlight(table: pd.DataFrame, plan: BudgetPlan) -> str:
    last = str(plan.years)
    cash = table[(table["kind"] == CASH) & (table["payer"] != "total") & (table["year"] == last)]
    payers = ", ".join(
        f"{r['payer']} {float(r['budget_impact']):,.0f}"
        for r in cash.to_dict("records")
        if float(r["budget_impact"]) > 0.5
    )
    cash_total = _cell(table, last, "total", CASH, "budget_impact")
    served = _cell(table, last, "total", CASH, "participants")
    text = (
        f"Running {plan.strategy} with {plan.courses_per_year:g} courses a year in each of "
        f"{plan.municipalities} municipalities (about {served:,.0f} participants a year) costs "
        f"about {cash_total:,.0f} DKK cash a year in full running ({payers} DKK; "
        f"{cash_total / served:,.0f} DKK cash per participant served)"
    )
    setup = _cell(table, "1", "total", CASH, "setup")
    if setup > 0.5:
        text += (
            f"; year 1 {_cell(table, '1', 'total', CASH, 'budget_impact'):,.0f} DKK including "
            f"{setup:,.0f} DKK set-up"
        )
    in_kind = _cell(table, last, "total", IN_KIND, "budget_impact")
    if in_kind > 0.5:
        text += f"; plus {in_kind:,.0f} DKK a year in kind (lent venues: no cash outlay)"
    return text + "."


def cash_per_participant(result: RunResult, strategy: str) -> float:
    """Cash budget per participant served in a full running year at the settings' delivery
    scale: mean yearly cash budget impact / mean participants (in-kind items excluded; set-up
    excluded, it falls in year 1) [DKK]."""
    plan = default_plan(result, strategy, years=2)
    table = budget_table(result, plan)
    return _cell(table, "2", "total", CASH, "budget_impact") / _cell(
        table, "2", "total", CASH, "participants"
    )


def cost_definitions_for_run(result: RunResult, folder: Path) -> list[ReportSection]:
    """Report section defining every cost-per-participant figure of the run, with its value."""
    settings = result.inputs.settings
    per = result.cost_per_participant().set_index("strategy").to_dict("index")
    programme = [s.name for s in result.inputs.strategies if s.programme]
    scale = (
        f"{settings.municipalities} municipalities x "
        f"{settings.courses_per_municipality_per_year:g} courses a year"
    )
    concepts = [
        ("expected", f"Expected cost per randomised participant (PSA mean) at {scale}",
         "the headline: key results, headline.csv, ICERs, scale curve at the base scale; the "
         "commissioner app shows the same figure from its own, smaller PSA"),
        ("at_parameter_means", "Cost per randomised participant at the parameter means "
         "(deterministic)", "deterministic.csv, 'det ICER', threshold tables, tornado"),
        ("per_course", "Per course, without fixed programme costs (PSA mean)",
         "what one more course costs in a programme that already runs"),
        ("fixed_programme", f"Fixed programme cost per participant at {scale} (PSA mean)",
         "item programme_fixed: local coordination and annuitised set-up"),
        ("per_attending", "Per participant attending 8 or more sessions (expected / expected "
         "share attending)", "costs of all randomised participants carried by attenders"),
    ]  # fmt: skip
    rows = []
    for key, label, used in concepts:
        row: dict[str, object] = {"figure": label}
        row.update({name: per[name][key] for name in programme})
        row["used in"] = used
        rows.append(row)
    cash: dict[str, object] = {
        "figure": f"Cash budget per participant served, full running year at {scale} (mean "
        "budget / mean participants; in-kind venue and year-1 set-up excluded)"
    }
    cash.update({name: cash_per_participant(result, name) for name in programme})
    cash["used in"] = "budget impact (budget.csv)"
    rows.append(cash)
    table = pd.DataFrame(rows)
    body = H.paragraph(
        "Every cost per participant in this report is one of these figures, and is labelled "
        "with which. They differ for stated reasons: the PSA mean exceeds the cost at the "
        "parameter means because costs divide by uncertain numbers (group size, volunteers per "
        "training cohort, courses per volunteer); the cash budget leaves out the lent venue (in "
        "kind) and counts larger groups as serving more participants at a lower cost each (a "
        "ratio of means, not a mean of ratios)."
    ) + H.table(
        table,
        {name: H.money for name in programme},
        caption="Cost per participant: which number is which (DKK 2024)",
    )
    return [ReportSection("cost-definitions", "Cost per participant: definitions", body, 42)]


def write_budget_for_run(result: RunResult, folder: Path) -> list[ReportSection]:
    """Run-folder writer: the budget impact at the settings' delivery scale."""
    if "peer_volunteer" not in result.psa.strategies:
        return []
    plan = default_plan(result)
    table = write_budget_files(result, plan, folder)
    return [budget_section(table, plan, folder)]


def write_budget_run(
    result: RunResult, plan: BudgetPlan, out: Path | None = None
) -> tuple[Path, pd.DataFrame]:
    """``peer-econ budget``: write the budget table, figure and manifest atomically."""
    started = time.perf_counter()
    target = default_run_dir(Path("reports"), "budget") if out is None else Path(out)
    with atomic_output_dir(target) as folder:
        table = write_budget_files(result, plan, folder)
        write_manifest(
            folder,
            command="budget",
            seed=result.seed,
            n_samples=result.n_samples,
            inputs=list(result.inputs.files),
            wall_time_s=time.perf_counter() - started + result.wall_time_s,
            extra={
                "plan": {
                    "strategy": plan.strategy,
                    "courses_per_year": plan.courses_per_year,
                    "municipalities": plan.municipalities,
                    "years": plan.years,
                    "ramp_up": list(plan.ramp_up),
                },
                "comparator": result.comparator,
                "prices": "DKK 2024, undiscounted (budget impact convention)",
            },
        )
    return target, table
