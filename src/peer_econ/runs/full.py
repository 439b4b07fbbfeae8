"""Everything ``peer-econ run`` adds to a run folder beyond the model tables.

Each writer takes the run result and the (temporary) run folder, writes its tables and
returns the facts the report needs that are not tables (the report is built from the folder
afterwards, :mod:`peer_econ.outputs.report`). The order here is the order of work.
"""

from __future__ import annotations

from pathlib import Path

from peer_econ.inputs import scenarios as scenario_files
from peer_econ.outputs.decision import write_decision_analysis
from peer_econ.outputs.files import write_csv
from peer_econ.outputs.run_files import TABLES
from peer_econ.outputs.run_folder import RunWriter
from peer_econ.runs import peer_sweeps
from peer_econ.runs import scenarios as scen
from peer_econ.runs.assumptions import write_assumptions_for_run
from peer_econ.runs.budget import write_budget_for_run
from peer_econ.runs.pipeline import RunResult
from peer_econ.runs.scale_curve import write_scale_curve_for_run
from peer_econ.runs.voi import write_voi_for_run

#: Scenario file read by the run when it exists in the inputs folder.
SCENARIO_FILE = "scenarios.toml"
#: PSA samples per scenario inside a run (the scenario command can use more).
RUN_SCENARIO_SAMPLES = 2_000


def write_sensitivity_for_run(result: RunResult, folder: Path) -> dict[str, object]:
    """Tornado, decision thresholds, the utility x durability grid and the scenario table
    (their figures are drawn from the folder afterwards)."""
    inputs = result.inputs
    wtp = inputs.settings.wtp_point
    strategy = result.inputs.settings.headline_strategy
    one_way = peer_sweeps.peer_owsa(inputs, wtp=wtp, comparator=result.comparator)
    write_csv(one_way.table, folder / TABLES["owsa"])
    peer_sweeps.write_tornado_table(one_way, strategy, folder)

    decision = peer_sweeps.peer_decision_thresholds(inputs, wtp=wtp)
    peer_sweeps.write_decision_thresholds(decision, folder)

    grid = peer_sweeps.utility_durability_grid(inputs, wtp=wtp)
    write_csv(grid.grid, folder / TABLES["utility_durability_grid"])
    if grid.threshold_curve is not None:
        write_csv(grid.threshold_curve, folder / TABLES["utility_durability_threshold"])
    facts: dict[str, object] = {"sensitivity": {"strategy": strategy}}
    facts.update(_write_scenarios(result, strategy, folder))
    return facts


def _write_scenarios(result: RunResult, strategy: str, folder: Path) -> dict[str, object]:
    files = [p for p in result.inputs.files if p.name == SCENARIO_FILE]
    path = files[0] if files else None
    if path is None:
        candidate = result.inputs.files[0].parent / SCENARIO_FILE if result.inputs.files else None
        path = candidate if candidate is not None and candidate.is_file() else None
    if path is None:
        return {}
    scenarios = scenario_files.read_scenarios(path, result.inputs)
    res = scen.run_scenarios(
        result.inputs,
        scenarios,
        n_samples=min(RUN_SCENARIO_SAMPLES, result.n_samples),
        rng=result.seed,
        wtp=result.inputs.settings.wtp_point,
    )
    write_csv(res.summary, folder / TABLES["scenarios"])
    write_csv(res.ceac, folder / TABLES["scenarios_ceac"])
    return {"scenarios": {"n_samples": res.n_samples, "strategy": strategy}}


def write_structural_for_run(result: RunResult, folder: Path) -> dict[str, object]:
    """Structural matrix (source outcome x durability x horizon), a PSA per cell."""
    strategy = result.inputs.settings.headline_strategy
    wtp = result.inputs.settings.wtp_point
    res = scen.run_structural_matrix(
        result.inputs, n_samples=min(RUN_SCENARIO_SAMPLES, result.n_samples), rng=result.seed,
        wtp=wtp,
    )  # fmt: skip
    write_csv(res.summary, folder / TABLES["structural"])
    write_csv(res.ceac, folder / TABLES["structural_ceac"])
    return {"structural": {"n_samples": res.n_samples, "strategy": strategy}}


RUN_WRITERS: tuple[RunWriter, ...] = (
    write_decision_analysis,
    write_assumptions_for_run,
    write_scale_curve_for_run,
    write_sensitivity_for_run,
    write_structural_for_run,
    write_voi_for_run,
    write_budget_for_run,
)
