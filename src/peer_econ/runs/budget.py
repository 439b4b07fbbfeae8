"""``peer-econ budget`` and the budget section of a run: tables, figure, report section."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from peer_econ.analysis.budget import BudgetPlan, budget_impact
from peer_econ.model.spec import ModelSettings
from peer_econ.outputs import html as H
from peer_econ.outputs.files import atomic_output_dir, default_run_dir, write_csv, write_manifest
from peer_econ.outputs.html import ReportSection
from peer_econ.runs.pipeline import RunResult


def default_plan(settings: ModelSettings) -> BudgetPlan:
    """Plan shown in every run report: the headline strategy in the five trial municipalities,
    four courses a year each, over five years."""
    return BudgetPlan(settings.headline_strategy, courses_per_year=4, municipalities=5, years=5)


def budget_table(result: RunResult, plan: BudgetPlan) -> pd.DataFrame:
    """Budget impact of ``plan`` from the run's PSA (participants per course sampled)."""
    return budget_impact(
        result.psa.budget_cost,
        result.psa.strategies,
        plan,
        result.draws["participants_per_group"],
        comparator=result.comparator,
    )


def write_budget_files(result: RunResult, plan: BudgetPlan, folder: Path) -> pd.DataFrame:
    """Write ``budget.csv`` and the ``budget`` figure; return the table."""
    from peer_econ.outputs import plots

    table = budget_table(result, plan)
    write_csv(table, folder / "budget.csv")
    plots.save_axes(plots.plot_budget(table), folder, "budget")
    return table


def budget_section(table: pd.DataFrame, plan: BudgetPlan, folder: Path) -> ReportSection:
    """Report section on what the plan costs each payer."""
    shown = table[["year", "payer", "participants", "budget_impact", "lower", "upper"]]
    body = H.paragraph(
        f"Funding {plan.strategy} with {plan.courses_per_year:g} courses a year in each of "
        f"{plan.municipalities} municipalities for {plan.years} years (constant 2024 prices, "
        "undiscounted; spending on intervention, health and social care by payer, minus "
        "service as usual; participants' and volunteers' time are not budget items)."
    ) + H.table(
        shown,
        {"participants": H.money, "budget_impact": H.money, "lower": H.money, "upper": H.money},
        headers={"budget_impact": "budget impact (DKK)", "lower": "2.5 %", "upper": "97.5 %"},
        caption="Budget impact per year and payer (year 'all' sums the horizon)",
    )
    body += H.figure(folder / "budget.png", "Budget impact per year by payer")
    full_year = table[(table["year"] == str(plan.years)) & (table["payer"] != "total")]
    total = table[(table["year"] == str(plan.years)) & (table["payer"] == "total")]
    payers = ", ".join(
        f"{r['payer']} {float(r['budget_impact']):,.0f}"
        for r in full_year.to_dict("records")
        if float(r["budget_impact"]) > 0.5
    )
    highlight = (
        f"Running {plan.strategy} with {plan.courses_per_year:g} courses a year in each of "
        f"{plan.municipalities} municipalities (about {float(total['participants'].iloc[0]):,.0f} "
        f"participants) costs about {float(total['budget_impact'].iloc[0]):,.0f} DKK a year"
        + (f" ({payers} DKK)." if payers else ".")
    )
    return ReportSection("budget", "Budget impact and who pays", body, 75, highlights=(highlight,))


def write_budget_for_run(result: RunResult, folder: Path) -> list[ReportSection]:
    """Run-folder writer: the default plan's budget impact."""
    plan = default_plan(result.inputs.settings)
    if plan.strategy not in result.psa.strategies:
        return []
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
