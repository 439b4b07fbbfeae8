"""Everything ``peer-econ run`` adds to a run folder beyond the model tables.

Each writer takes the run result and the (temporary) run folder, writes its files and returns
the report sections that present them. The order here is the order of work, not of the report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from peer_econ.analysis import dsa
from peer_econ.inputs import scenarios as scenario_files
from peer_econ.model.adapter import PeerModel, model_table
from peer_econ.outputs import html as H
from peer_econ.outputs.decision import write_decision_analysis
from peer_econ.outputs.files import write_csv
from peer_econ.outputs.html import ReportSection
from peer_econ.outputs.report import RunWriter
from peer_econ.runs import peer_sweeps
from peer_econ.runs import scenarios as scen
from peer_econ.runs.budget import write_budget_for_run
from peer_econ.runs.pipeline import RunResult
from peer_econ.runs.voi import write_voi_for_run

#: Scenario file read by the run when it exists in the inputs folder.
SCENARIO_FILE = "scenarios.toml"
#: PSA samples per scenario inside a run (the scenario command can use more).
RUN_SCENARIO_SAMPLES = 2_000


def write_sensitivity_for_run(result: RunResult, folder: Path) -> list[ReportSection]:
    """Tornado, decision thresholds, the utility x durability grid and the scenario table."""
    from peer_econ.outputs import plots

    inputs = result.inputs
    wtp = inputs.settings.wtp_point
    strategy = result.inputs.settings.headline_strategy
    table = model_table(inputs)
    one_way = dsa.owsa(
        PeerModel(inputs),
        table,
        inputs.strategy_names,
        comparator=result.comparator,
        wtp=wtp,
        ranges=dsa.sweep_ranges(table),
    )
    write_csv(one_way.table, folder / "owsa.csv")
    tornado = peer_sweeps.write_tornado_table(one_way, strategy, folder)
    plots.save_axes(plots.plot_tornado(tornado), folder, peer_sweeps.tornado_stem(strategy))

    decision = peer_sweeps.peer_decision_thresholds(inputs, wtp=wtp)
    peer_sweeps.write_decision_thresholds(decision, folder)

    grid = peer_sweeps.utility_durability_grid(inputs, wtp=wtp)
    write_csv(grid.grid, folder / "utility_durability_grid.csv")
    if grid.threshold_curve is not None:
        write_csv(grid.threshold_curve, folder / "utility_durability_threshold.csv")
    plots.save_axes(
        plots.plot_twsa(
            grid.grid,
            strategy=strategy,
            wtp=wtp,
            threshold_curve=grid.threshold_curve,
            x_label="Utility gain at the end of the course",
            y_label="Months until the gain has decayed to zero",
        ),
        folder,
        "utility_durability",
    )
    sections = [_sensitivity_section(result, strategy, tornado, decision, folder)]
    sections.extend(_scenario_section(result, strategy, folder))
    return sections


def _sensitivity_section(
    result: RunResult,
    strategy: str,
    tornado: pd.DataFrame,
    decision: dict[str, pd.DataFrame],
    folder: Path,
) -> ReportSection:
    wtp = result.inputs.settings.wtp_point
    top = tornado.head(10)[["parameter", "low", "high", "outcome_low", "outcome_high"]]
    body = H.paragraph(
        f"One-way sensitivity of the incremental net monetary benefit (INMB) of {strategy} vs "
        f"{result.comparator} at {wtp:,.0f} DKK/QALY; each parameter moved to the ends of its "
        "range, all others at their base values (baseline utility is left out: it changes "
        "absolute QALYs only)."
    )
    body += H.table(
        top,
        {"outcome_low": H.money, "outcome_high": H.money},
        headers={"outcome_low": "INMB at low (DKK)", "outcome_high": "INMB at high (DKK)"},
        caption="The ten largest swings",
    )
    body += H.figure(folder / f"{peer_sweeps.tornado_stem(strategy)}.png", "Tornado diagram")
    max_cost = decision.get("max_cost")
    if max_cost is not None:
        cols = [c for c in ("strategy", "inc_qaly", "inc_cost", "max_inc_cost", "headroom")
                if c in max_cost.columns]  # fmt: skip
        body += H.table(
            max_cost[cols],
            {"inc_qaly": H.qaly, "inc_cost": H.money, "max_inc_cost": H.money,
             "headroom": H.money},
            headers={"max_inc_cost": "highest incremental cost still cost-effective (DKK)",
                     "headroom": "headroom (DKK)"},
            caption=f"How much each variant may cost at {wtp:,.0f} DKK/QALY",
        )  # fmt: skip
    durability = decision.get("durability")
    if durability is not None:
        cols = [c for c in ("strategy", "threshold", "status", "cost_effective_when")
                if c in durability.columns]  # fmt: skip
        body += H.table(
            durability[cols],
            {"threshold": lambda v: "-" if not np.isfinite(float(v)) else f"{float(v):.1f}"},  # type: ignore[arg-type]
            headers={"threshold": "decay_months at break-even"},
            caption="Shortest durability (linear decay, months after the course) that keeps "
            f"each variant cost-effective at {wtp:,.0f} DKK/QALY",
        )
    body += H.paragraph(
        "Mapping-free reading: the break-even curves show which combinations of utility gain at "
        "the end of the course and durability make PEER cost-effective, whatever the mapping."
    )
    body += H.figure(folder / "utility_durability.png", "Utility gain x durability")
    drivers = ", ".join(tornado["parameter"].head(3))
    highlights = [f"The result for {strategy} is most sensitive to {drivers}."]
    if durability is not None and "threshold" in durability.columns:
        row = durability[durability["strategy"] == strategy]
        if len(row) and np.isfinite(float(row["threshold"].iloc[0])):
            highlights.append(
                f"{strategy} stays cost-effective at {wtp:,.0f} DKK/QALY if the gain lasts at "
                f"least {float(row['threshold'].iloc[0]):.1f} months after the course (linear "
                "decay to zero), other inputs at their base values."
            )
    return ReportSection(
        "sensitivity", "Sensitivity: what drives the result", body, 65,
        highlights=tuple(highlights),
    )  # fmt: skip


def _scenario_section(result: RunResult, strategy: str, folder: Path) -> list[ReportSection]:
    from peer_econ.outputs import plots

    files = [p for p in result.inputs.files if p.name == SCENARIO_FILE]
    path = files[0] if files else None
    if path is None:
        candidate = result.inputs.files[0].parent / SCENARIO_FILE if result.inputs.files else None
        path = candidate if candidate is not None and candidate.is_file() else None
    if path is None:
        return []
    scenarios = scenario_files.read_scenarios(path, result.inputs)
    res = scen.run_scenarios(
        result.inputs,
        scenarios,
        n_samples=min(RUN_SCENARIO_SAMPLES, result.n_samples),
        rng=result.seed,
        wtp=result.inputs.settings.wtp_point,
    )
    write_csv(res.summary, folder / "scenarios.csv")
    write_csv(res.ceac, folder / "scenarios_ceac.csv")
    plots.save_axes(
        plots.plot_scenario_forest(res.summary, strategy=strategy), folder, "scenarios_forest"
    )
    rows = res.summary[res.summary["strategy"] == strategy]
    shown = rows[["label", "det_icer", "psa_icer", "psa_inmb", "prob_cost_effective"]]
    body = H.table(
        shown,
        {"det_icer": H.money, "psa_icer": H.money, "psa_inmb": H.money,
         "prob_cost_effective": H.share},
        headers={"label": "scenario", "det_icer": "ICER at means", "psa_icer": "PSA ICER",
                 "psa_inmb": "INMB (DKK)", "prob_cost_effective": "P(cost-effective)"},
        caption=f"{strategy} vs {result.comparator} at "
        f"{result.inputs.settings.wtp_point:,.0f} DKK/QALY under each scenario "
        f"({res.n_samples:,} PSA samples each, common random numbers)",
    )  # fmt: skip
    every = res.summary.pivot_table(
        index="label", columns="strategy", values="psa_icer", sort=False
    ).reset_index()
    body += H.table(
        every,
        {c: H.money for c in every.columns if c != "label"},
        headers={"label": "scenario"},
        caption="PSA ICER vs service as usual of every variant under each scenario (DKK/QALY)",
    )
    body += H.figure(folder / "scenarios_forest.png", "Scenarios: INMB with 95% intervals")
    return [ReportSection("scenarios", "Scenarios", body, 67)]


def write_structural_for_run(result: RunResult, folder: Path) -> list[ReportSection]:
    """Structural matrix (source outcome x durability x horizon), a PSA per cell."""
    strategy = result.inputs.settings.headline_strategy
    wtp = result.inputs.settings.wtp_point
    res = scen.run_structural_matrix(
        result.inputs, n_samples=min(RUN_SCENARIO_SAMPLES, result.n_samples), rng=result.seed,
        wtp=wtp,
    )  # fmt: skip
    write_csv(res.summary, folder / "structural.csv")
    write_csv(res.ceac, folder / "structural_ceac.csv")
    rows = res.summary[res.summary["strategy"] == strategy]
    icers = rows.pivot_table(
        index=["source_outcome", "durability"], columns="horizon_months", values="psa_icer",
        sort=False,
    )  # fmt: skip
    probs = rows.pivot_table(
        index=["source_outcome", "durability"], columns="horizon_months",
        values="prob_cost_effective", sort=False,
    )  # fmt: skip
    icers.columns = [f"ICER, {h:g} months" for h in icers.columns]
    probs.columns = [f"P(CE), {h:g} months" for h in probs.columns]
    table = icers.join(probs).reset_index()
    fmt: dict[str, H.Formatter] = {c: H.money for c in table.columns if c.startswith("ICER")}
    fmt.update({c: H.share for c in table.columns if c.startswith("P(CE)")})
    body = H.paragraph(
        "Structural uncertainty: which outcome carries the effect to utility, how long the gain "
        f"lasts, and how far the model looks ahead. {strategy} vs {result.comparator}; "
        f"probability cost-effective at {wtp:,.0f} DKK/QALY; {res.n_samples:,} PSA samples "
        "per cell."
    ) + H.table(table, fmt, caption="PSA ICER (DKK/QALY) and probability cost-effective")
    valid = rows[np.isfinite(rows["psa_icer"]) & (rows["psa_inc_qaly"] > 0)]
    highlights: tuple[str, ...] = ()
    if len(valid):
        lo, hi = valid["psa_icer"].min(), valid["psa_icer"].max()
        highlights = (
            f"Across the structural assumptions (source outcome x durability x horizon) the ICER "
            f"of {strategy} ranges from {lo:,.0f} to {hi:,.0f} DKK/QALY.",
        )
    return [ReportSection("structural", "Structural uncertainty", body, 68, highlights=highlights)]


RUN_WRITERS: tuple[RunWriter, ...] = (
    write_decision_analysis,
    write_sensitivity_for_run,
    write_structural_for_run,
    write_voi_for_run,
    write_budget_for_run,
)
