"""Names of the files in a run folder, in one place.

Writers save their tables under these names and the report reads them back by key, so renaming
a file is a one-line change here. Keys are stable identifiers used in code; values are paths
relative to the run folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: Settings, labels and facts of the run that the report needs beside the tables.
RUN_INFO = "run_info.json"
#: Provenance: seed, versions, input hashes, command line and timings.
MANIFEST = "manifest.json"
#: The report built from the folder (``report.<lang>.html`` for another language).
REPORT = "report.html"
#: Sub-folder with the decision tables of the trial period.
TRIAL_FOLDER = "trial_period"

#: Tables of a run folder: key -> file name.
TABLES: Mapping[str, str] = MappingProxyType(
    {
        # model tables (outputs.run_folder)
        "headline": "headline.csv",
        "deterministic": "deterministic.csv",
        "trial_period": "trial_period.csv",
        "psa_summary": "psa_summary.csv",
        "cost_items": "cost_items.csv",
        "payer_split": "payer_split.csv",
        "cost_consequence": "cost_consequence.csv",
        "parameters": "parameters_used.csv",
        # decision analysis (outputs.decision, outputs.cea_tables)
        "summary": "summary.csv",
        "icers": "icers.csv",
        "ceac": "ceac.csv",
        "ceaf": "ceaf.csv",
        "evpi": "evpi.csv",
        "expected_loss": "expected_loss.csv",
        "enmb": "enmb.csv",
        "incremental_nmb": "incremental_nmb.csv",
        "wtp_switch": "wtp_switch.csv",
        "decision_points": "decision_points.csv",
        "trial_icers": f"{TRIAL_FOLDER}/icers.csv",
        "trial_decision_points": f"{TRIAL_FOLDER}/decision_points.csv",
        # sensitivity (runs.full)
        "owsa": "owsa.csv",
        "threshold_durability": "threshold_durability.csv",
        "threshold_max_cost": "threshold_max_cost.csv",
        "threshold_wtp": "threshold_wtp.csv",
        "utility_durability_grid": "utility_durability_grid.csv",
        "utility_durability_threshold": "utility_durability_threshold.csv",
        "scenarios": "scenarios.csv",
        "scenarios_ceac": "scenarios_ceac.csv",
        "structural": "structural.csv",
        "structural_ceac": "structural_ceac.csv",
        # value of information (runs.voi)
        "evppi": "evppi.csv",
        "evppi_ranking": "evppi_ranking.csv",
        "evppi_inactive": "evppi_inactive.csv",
        "evsi": "evsi.csv",
        "evsi_optimal": "evsi_optimal.csv",
        "voi_sampling": "voi_sampling.csv",
        # assumptions the answer rests on and the delivery scale (runs.assumptions,
        # runs.scale_curve)
        "multiplier_thresholds": "multiplier_thresholds.csv",
        "scale_curve": "scale_curve.csv",
        # the commissioner's kit (runs.budget)
        "funding_comparison": "funding_comparison.csv",
        "budget_by_payer": "budget_by_payer.csv",
        "budget_by_item": "budget_by_item.csv",
        "business_case": "business_case.csv",
        "capacity": "capacity.csv",
        "cost_definitions": "cost_definitions.csv",
    }
)

#: Figures embedded in the report (PNG stems; an SVG of the same stem sits beside each).
FIGURES = (
    "ce_plane",
    "ce_plane_incremental",
    "ceac",
    "evpi",
    "expected_loss",
    "frontier",
    "tornado",
    "utility_durability",
    "scenarios_forest",
    "evppi_ranking",
    "evppi_curves",
    "enbs",
    "budget_years",
    "business_case",
    "scale_curve",
)


#: Key under which the report finds the tornado of the run's headline strategy (its file is
#: :func:`tornado_stem` of that strategy, named in the run's ``sensitivity`` fact).
TORNADO = "tornado"


def safe_stem(name: str) -> str:
    """``name`` with every character but letters, digits, ``-`` and ``_`` replaced by ``_``."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def tornado_stem(strategy: str) -> str:
    """File stem of a strategy's tornado table and figure: ``tornado_<strategy>``; ``run``
    writes the headline strategy's, ``sensitivity owsa`` every strategy's."""
    return f"tornado_{safe_stem(strategy)}"


def figure_stems(sensitivity_strategy: str | None) -> dict[str, str]:
    """File stem of each figure of :data:`FIGURES` by key: the key itself, except the tornado,
    which is ``tornado_<strategy>`` of the run's headline strategy (``None``: no tornado)."""
    stems = {key: key for key in FIGURES if key != TORNADO}
    if sensitivity_strategy is not None:
        stems[TORNADO] = tornado_stem(sensitivity_strategy)
    return stems


def threshold_file(key: str) -> str:
    """File name of the decision-threshold table ``key`` (``durability``, ``max_cost``, ...)."""
    return TABLES.get(f"threshold_{key}", f"threshold_{key}.csv")


def table_file(key: str) -> str:
    """File name of table ``key`` (a ``KeyError`` names an unknown key)."""
    return TABLES[key]
