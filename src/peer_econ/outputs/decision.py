"""Decision-analysis outputs added to a PEER run folder (tables and figures).

The same model-agnostic functions serve ``peer-econ analyse``; here they get the PEER PSA, the WTP
grid of ``settings.toml`` and the eligible population of ``inputs/parameters.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peer_econ.analysis.cea import PSA, CEACurves, cea_curves
from peer_econ.errors import InputError
from peer_econ.model.results import RunResult
from peer_econ.model.spec import DiscountSchedule, ModelSettings
from peer_econ.outputs import html as H
from peer_econ.outputs.cea_tables import Population, write_cea_outputs
from peer_econ.outputs.html import ReportSection
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


def write_decision_analysis(result: RunResult, folder: Path) -> list[ReportSection]:
    """CEA tables and figures of the base-case PSA, and the ICER table of the trial period."""
    settings = result.inputs.settings
    population = eligible_population(result.inputs.parameters, settings)
    cea = write_cea_outputs(
        folder,
        result.psa.cost,
        result.psa.qaly,
        result.psa.strategies,
        wtp_grid(settings),
        comparator=result.comparator,
        population=population,
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
    write_incremental_plane(result, folder)
    band = nice_band_dkk(result)
    if band is not None:
        from peer_econ.outputs import plots

        ax = plots.plot_ceac(
            cea.curves,
            colours=plots.strategy_colours(result.psa.strategies),
            wtp_label="Willingness to pay per QALY (DKK)",
            reference_band=band,
            reference_label="NICE GBP 20,000-30,000 per QALY in DKK (reference only)",
        )
        plots.save_axes(ax, folder, "ceac")
    return decision_sections(result, folder, cea.icers, population)


def _decision_highlights(
    result: RunResult, icers: pd.DataFrame, exact: CEACurves, population: Population
) -> tuple[str, ...]:
    """Plain-text findings: the frontier, dominated variants, the chance of being best."""
    labels = {s.name: s.label for s in result.inputs.strategies}
    out = []
    rows = icers.to_dict("records")
    steps = [
        f"{labels.get(str(r['strategy']), str(r['strategy']))} at {float(r['icer']):,.0f} DKK/QALY"
        for r in rows
        if r["status"] == "ND" and np.isfinite(float(r["icer"]))
    ]
    if steps:
        out.append("Efficient options beyond service as usual: " + "; then ".join(steps) + ".")
    dominated = [
        f"{labels.get(str(r['strategy']), str(r['strategy']))} ({r['note']})"
        for r in rows
        if r["status"] != "ND"
    ]
    if dominated:
        out.append("Not efficient: " + "; ".join(dominated) + ".")
    point = result.inputs.settings.wtp_point
    g = int(np.argmin(np.abs(exact.wtp - point)))
    best = exact.optimal_strategy[g]
    j = exact.strategies.index(best)
    out.append(
        f"At {point:,.0f} DKK/QALY the best choice on expected net benefit is "
        f"{labels.get(best, best)}, with a {100 * exact.probability_best[g, j]:.0f} % chance of "
        f"being the best option; resolving all uncertainty would be worth "
        f"{exact.evpi[g]:,.0f} DKK per person ({exact.evpi[g] * population.factor / 1e6:,.1f} "
        "million DKK for the eligible population)."
    )
    return tuple(out)


def nice_band_dkk(result: RunResult) -> tuple[float, float] | None:
    """NICE's GBP 20,000-30,000 per QALY in DKK at ``gbp_dkk`` (display only; no Danish
    threshold exists)."""
    table = result.inputs.parameters
    if "gbp_dkk" not in table:
        return None
    rate = table["gbp_dkk"].value
    low, high = result.inputs.settings.nice_band_gbp
    return (low * rate, high * rate)


def write_incremental_plane(result: RunResult, folder: Path) -> None:
    """CE plane of the increments vs the comparator (``ce_plane_incremental``).

    Baseline utility moves every strategy's absolute QALYs together; the increments show the
    uncertainty that matters for the decision.
    """
    from peer_econ.outputs import plots

    psa = result.psa
    ref = psa.strategies.index(result.comparator)
    inc = PSA(psa.cost - psa.cost[:, [ref]], psa.qaly - psa.qaly[:, [ref]], psa.strategies)
    ax = plots.plot_ce_plane(
        inc,
        wtp=result.inputs.settings.wtp_point,
        colours=plots.strategy_colours(psa.strategies),
        cost_label=f"Incremental cost vs {result.comparator} (DKK)",
        effect_label=f"Incremental QALYs vs {result.comparator}",
    )
    ax.set_title("Incremental cost-effectiveness plane")
    plots.save_axes(ax, folder, "ce_plane_incremental")


def decision_sections(
    result: RunResult,
    folder: Path,
    icers: pd.DataFrame,
    population: Population,
) -> list[ReportSection]:
    """Report sections for the ICER table and the uncertainty figures."""
    settings = result.inputs.settings
    # exact curves at the reported points (no snapping to the grid)
    points = np.asarray(sorted({settings.wtp_point, *settings.wtp_report_points}))
    exact = cea_curves(result.psa.cost, result.psa.qaly, result.psa.strategies, wtp=points)
    rows = []
    for g, w in enumerate(points):
        row: dict[str, float | str] = {"WTP (DKK/QALY)": float(w)}
        for j, name in enumerate(exact.strategies):
            row[name] = float(exact.probability_best[g, j])
        row["optimal (highest expected NMB)"] = exact.optimal_strategy[g]
        per_person = float(exact.evpi[g])
        row["EVPI per person (DKK)"] = per_person
        row["population EVPI (DKK)"] = per_person * population.factor
        rows.append(row)
    prob = pd.DataFrame(rows)
    fmt = {s: H.share for s in result.psa.strategies}
    fmt.update({"WTP (DKK/QALY)": H.money, "EVPI per person (DKK)": H.money,
                "population EVPI (DKK)": H.money})  # fmt: skip
    icer_html = H.table(
        icers,
        {"cost": H.money, "effect": H.qaly, "inc_cost": H.money, "inc_effect": H.qaly,
         "icer": H.money},
        caption="Incremental analysis with strong (D) and extended (ED) dominance",
    )  # fmt: skip
    uncertainty = (
        H.table(prob, fmt, caption="Probability each strategy is cost-effective, and EVPI")
        + H.paragraph(
            f"Population EVPI uses {population.per_year:,.0f} newly eligible people a year over "
            f"{population.horizon_years} years (assumptions in inputs/parameters.csv), "
            f"discounted: {population.factor:,.0f} people."
        )
        + H.figure(
            folder / "ce_plane_incremental.png",
            f"Incremental cost-effectiveness plane vs {result.comparator} (PSA samples, means, "
            f"WTP line at {settings.wtp_point:,.0f} DKK/QALY)",
        )
        + H.figure(folder / "ceac.png", "Acceptability curves with the frontier (CEAF)")
        + H.figure(folder / "evpi.png", "Expected value of perfect information")
        + H.figure(folder / "expected_loss.png", "Expected loss by strategy")
    )
    return [
        ReportSection("icers", "Incremental cost-effectiveness", icer_html
                      + H.figure(folder / "frontier.png", "Cost-effectiveness frontier"), 50),
        ReportSection("uncertainty", "Uncertainty: PSA, acceptability and EVPI", uncertainty, 60,
                      highlights=_decision_highlights(result, icers, exact, population)),
    ]  # fmt: skip
