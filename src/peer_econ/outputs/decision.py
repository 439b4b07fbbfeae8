"""Decision-analysis tables added to a PEER run folder (their figures are drawn from the folder
afterwards, :mod:`peer_econ.outputs.report.figures`).

The same model-agnostic functions serve ``peer-econ analyse``; here they get the PEER PSA, the WTP
grid of ``settings.toml`` and the eligible population of ``inputs/parameters.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peer_econ.analysis.cea import PSA, cea_curves
from peer_econ.errors import InputError
from peer_econ.model.engine import Outcomes
from peer_econ.model.results import RunResult
from peer_econ.model.spec import DiscountSchedule, ModelSettings
from peer_econ.outputs.cea_tables import Population, write_cea_outputs
from peer_econ.outputs.files import write_csv
from peer_econ.outputs.run_files import TABLES, TRIAL_FOLDER
from peer_econ.outputs.spool import release_spooled
from peer_econ.parameters.table import ParameterTable

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


def _psa_copy(cost: FloatArray, qaly: FloatArray, strategies: tuple[str, ...]) -> PSA:
    """The decision-analysis PSA (a validated copy), with the spooled pages it was copied from
    handed back at once, so a large run holds the copy but not the copy and its source."""
    psa = PSA(cost, qaly, strategies)
    release_spooled()
    return psa


def write_decision_analysis(result: RunResult, folder: Path) -> dict[str, object]:
    """CEA tables of the base-case PSA and of the trial period, and the decision table at the
    report's WTP values; returns the eligible population and the frontier strategies whose gain
    is Monte Carlo noise as facts."""
    settings = result.inputs.settings
    population = eligible_population(result.inputs.parameters, settings)
    cea = write_cea_outputs(
        folder,
        _psa_copy(result.psa.cost, result.psa.qaly, result.psa.strategies),
        wtp=wtp_grid(settings),
        comparator=result.comparator,
        population=population,
        figures=False,
    )
    # keep the small results only: the PSA copy inside ``cea`` is the size of the PSA, and a
    # ten-million-sample run must not hold two of them (see peer_econ.outputs.spool)
    icers = cea.icers
    del cea
    release_spooled()
    trial = folder / TRIAL_FOLDER
    trial.mkdir()
    write_cea_outputs(
        trial,
        _psa_copy(result.trial_psa.cost, result.trial_psa.qaly, result.trial_psa.strategies),
        wtp=wtp_grid(settings),
        comparator=result.comparator,
        figures=False,
    )
    points = report_wtp(settings)
    write_csv(
        decision_points(result.psa, result.comparator, points, population.factor),
        folder / TABLES["decision_points"],
    )
    write_csv(
        decision_points(result.trial_psa, result.comparator, points, None),
        folder / TABLES["trial_decision_points"],
    )
    release_spooled()
    return {
        "population": {
            "per_year": population.per_year,
            "horizon_years": population.horizon_years,
            "factor": population.factor,
        },
        "frontier_noise": effect_within_noise(result, icers),
    }


def report_wtp(settings: ModelSettings) -> FloatArray:
    """The WTP values of the report's decision table: the reference point and the settings'
    ``report_points`` (``[wtp]`` of settings.toml) [DKK/QALY]."""
    points = {*settings.wtp_report_points, float(settings.wtp_point)}
    return np.asarray(sorted(points), dtype=float)


def decision_points(
    psa: Outcomes, comparator: str, wtp: FloatArray, population_factor: float | None
) -> pd.DataFrame:
    """Exact decision readouts at a few WTP values (no snapping to the grid).

    Returns
    -------
    pandas.DataFrame
        One row per WTP and strategy: ``wtp, strategy, enmb`` (expected net monetary benefit
        [DKK]), ``inmb`` (expected incremental NMB vs ``comparator`` [DKK]), ``prob_best``
        (share of samples in which the strategy has the highest NMB of all), ``prob_ce``
        (share in which its NMB beats the comparator's: INMB > 0), ``optimal`` (highest
        expected NMB), ``evpi`` [DKK per person] and ``population_evpi`` [DKK].
    """
    cost = np.asarray(psa.cost, dtype=float)
    qaly = np.asarray(psa.qaly, dtype=float)
    names = list(psa.strategies)
    curves = cea_curves(cost, qaly, names, wtp=wtp)
    ref = names.index(comparator)
    rows = []
    for g, w in enumerate(curves.wtp):
        nmb = w * qaly - cost
        inmb = nmb - nmb[:, [ref]]
        for j, name in enumerate(names):
            rows.append(
                {
                    "wtp": float(w),
                    "strategy": name,
                    "enmb": float(nmb[:, j].mean()),
                    "inmb": float(inmb[:, j].mean()),
                    "prob_best": float(curves.probability_best[g, j]),
                    "prob_ce": float(np.mean(inmb[:, j] > 0)) if j != ref else float("nan"),
                    "optimal": curves.optimal_strategy[g] == name,
                    "evpi": float(curves.evpi[g]),
                    "population_evpi": float(curves.evpi[g] * population_factor)
                    if population_factor is not None
                    else float("nan"),
                }
            )
    return pd.DataFrame(rows)


#: Incremental effects within this many Monte Carlo standard errors of 0 count as no difference.
NOISE_Z = 1.96


def effect_within_noise(result: RunResult, icers: pd.DataFrame) -> dict[str, str]:
    """Frontier strategies whose gain over their frontier comparator is Monte Carlo noise.

    With an effect multiplier of mean 1 (equal effect assumed), a variant's mean QALYs differ
    from the trialled variant's only by sampling noise, which can put a dearer variant on the
    frontier of the PSA means at an ICER that carries no information. A strategy is listed when
    its paired mean QALY difference to the comparator of its ICER lies within
    :data:`NOISE_Z` Monte Carlo standard errors (SD of the paired differences / sqrt(n)) of 0.

    Returns
    -------
    dict
        Strategy -> the strategy it is no more effective than.
    """
    psa = result.psa
    names = list(psa.strategies)
    out = {}
    for row in icers.to_dict("records"):
        note = str(row["note"])
        if row["status"] != "ND" or not note.startswith("vs "):
            continue
        versus = note.removeprefix("vs ")
        if versus not in names:
            continue
        diff = psa.qaly[:, names.index(str(row["strategy"]))] - psa.qaly[:, names.index(versus)]
        se = float(np.std(diff, ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
        if abs(float(np.mean(diff))) <= NOISE_Z * se:
            out[str(row["strategy"])] = versus
    return out
