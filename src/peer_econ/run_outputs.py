"""Decision-analysis outputs added to a PEER run folder (tables and figures).

The same model-agnostic functions serve ``peer-econ analyse``; here they get the PEER PSA, the WTP
grid of ``settings.toml`` and the eligible population of ``inputs/parameters.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from peer_econ.analysis.cea_outputs import Population, write_cea_outputs
from peer_econ.errors import InputError
from peer_econ.model.spec import DiscountSchedule, ModelSettings
from peer_econ.parameters.table import ParameterTable
from peer_econ.pipeline import RunResult
from peer_econ.report import RunWriter

FloatArray = NDArray[np.float64]


def wtp_grid(settings: ModelSettings) -> FloatArray:
    """WTP grid of the settings, ``start`` to ``stop`` inclusive [DKK/QALY]."""
    count = int(round((settings.wtp_stop - settings.wtp_start) / settings.wtp_step))
    grid = settings.wtp_start + settings.wtp_step * np.arange(count + 1)
    return np.asarray(grid[grid <= settings.wtp_stop + 1e-9 * settings.wtp_step], dtype=float)


def annual_rates(schedule: DiscountSchedule, years: int) -> tuple[float, ...]:
    """The rate that applies in each of ``years`` years of a stepped schedule."""
    rates = []
    for year in range(years):
        rate = schedule.rates[0]
        for start, r in zip(schedule.starts, schedule.rates, strict=True):
            if year >= start:
                rate = r
        rates.append(rate)
    return tuple(rates)


def eligible_population(table: ParameterTable, settings: ModelSettings) -> Population:
    """People newly eligible for PEER each year, the decision horizon and its discounting.

    ``per_year = national_adult_service_users x eligible_share_per_year`` (means; both tagged in
    ``inputs/parameters.csv``), discounted with the cost schedule of the settings.
    """
    needed = ("national_adult_service_users", "eligible_share_per_year", "decision_horizon_years")
    missing = [n for n in needed if n not in table]
    if missing:
        raise InputError(f"parameters.csv: population parameters {missing} are missing")
    per_year = table["national_adult_service_users"].value * table["eligible_share_per_year"].value
    horizon = int(round(table["decision_horizon_years"].value))
    return Population(per_year, horizon, annual_rates(settings.discount_costs, horizon))


def write_decision_analysis(result: RunResult, folder: Path) -> None:
    """CEA tables and figures of the base-case PSA, and the ICER table of the trial period."""
    settings = result.inputs.settings
    write_cea_outputs(
        folder,
        result.psa.cost,
        result.psa.qaly,
        result.psa.strategies,
        wtp_grid(settings),
        comparator=result.comparator,
        population=eligible_population(result.inputs.parameters, settings),
        ce_plane_wtp=settings.wtp_point,
        effect_label="QALY",
    )
    trial = folder / "trial_period"
    trial.mkdir()
    write_cea_outputs(
        trial,
        result.trial_psa.cost,
        result.trial_psa.qaly,
        result.trial_psa.strategies,
        wtp_grid(settings),
        comparator=result.comparator,
        figures=False,
    )


RUN_WRITERS: tuple[RunWriter, ...] = (write_decision_analysis,)
