"""Write every cost-effectiveness table and figure of one PSA into a folder.

Used by ``peer-econ analyse`` (bring-your-own PSA) and by ``peer-econ run`` for PEER. The
folder must already exist (use :func:`peer_econ.outputs.files.atomic_output_dir` for
all-or-nothing output). Tables are tidy CSVs written with
:func:`peer_econ.outputs.files.write_csv`, so identical inputs give byte-identical files.
Figures need matplotlib, imported lazily through :mod:`peer_econ.outputs.plots`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from peer_econ.analysis.cea import (
    PSA,
    CEACurves,
    cea_curves,
    discounted_population,
    icer_table,
    incremental_nmb,
    psa_summary,
    wtp_switch_points,
)
from peer_econ.errors import InputError
from peer_econ.outputs.files import write_csv

if TYPE_CHECKING:
    from peer_econ.inputs.psa_files import PSATable

DEFAULT_WTP = np.arange(0.0, 1_000_000.0 + 1.0, 10_000.0)
"""Default WTP grid: 0 to 1,000,000 in steps of 10,000 [currency/effect unit]."""

MAX_INTERVAL_WTP = 101
"""At most this many WTP values get percentile intervals of incremental NMB (cost O(n * n_wtp))."""

INTERVAL_BUDGET = 20_000_000
"""Samples x WTP values sorted for the intervals of incremental NMB: a PSA of more than
``INTERVAL_BUDGET / MAX_INTERVAL_WTP`` (198,019) samples gets intervals on fewer grid values,
``INTERVAL_BUDGET // n_samples`` but at least :data:`MIN_INTERVAL_WTP` (20 at a million)."""

MIN_INTERVAL_WTP = 11
"""Fewest WTP values with intervals of incremental NMB, however large the PSA."""


def interval_points(n_samples: int) -> int:
    """How many evenly spaced WTP values get intervals of incremental NMB for a PSA size."""
    return min(MAX_INTERVAL_WTP, max(MIN_INTERVAL_WTP, INTERVAL_BUDGET // max(n_samples, 1)))


__all__ = ["DEFAULT_WTP", "CEAOutputs", "Population", "write_cea_outputs", "write_evppi_table"]


@dataclass(frozen=True)
class Population:
    """Population affected by the decision, for population EVPI.

    Attributes
    ----------
    per_year : float
        People newly facing the decision each year [persons/year].
    horizon_years : int
        Years the decision applies.
    discount_rate : float or tuple of float
        Constant annual rate or one rate per year (see
        :func:`peer_econ.analysis.discounted_population`).
    """

    per_year: float
    horizon_years: int
    discount_rate: float | tuple[float, ...] = 0.035

    @property
    def factor(self) -> float:
        """Discounted population [persons]."""
        return discounted_population(self.per_year, self.horizon_years, self.discount_rate)


@dataclass(frozen=True)
class CEAOutputs:
    """What :func:`write_cea_outputs` computed and wrote.

    Attributes
    ----------
    folder : Path
    files : tuple of Path
        Every file written, tables first.
    psa : PSA
    curves : CEACurves
    icers : pandas.DataFrame
        :func:`peer_econ.analysis.icer_table` output.
    summary : pandas.DataFrame
        :func:`peer_econ.analysis.psa_summary` output.
    """

    folder: Path
    files: tuple[Path, ...]
    psa: PSA
    curves: CEACurves
    icers: pd.DataFrame
    summary: pd.DataFrame


def _interval_grid(wtp: np.ndarray, limit: int) -> np.ndarray:
    """At most ``limit`` evenly spaced values of the WTP grid ``wtp``, shape ``(n_wtp,)``
    [currency/effect unit], both ends kept."""
    if wtp.size <= limit:
        return wtp
    picks = np.unique(np.linspace(0, wtp.size - 1, limit).round().astype(np.int64))
    return wtp[picks]


def write_cea_outputs(
    folder: Path | str,
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
    wtp: ArrayLike | None = None,
    *,
    comparator: str | None = None,
    level: float = 0.95,
    population: Population | None = None,
    figures: bool = True,
    ce_plane_wtp: float | None = None,
    effect_label: str = "QALY",
    labels: Mapping[str, str] | None = None,
) -> CEAOutputs:
    """Compute the decision analysis of one PSA and write its tables and figures.

    Parameters
    ----------
    folder : Path or str
        Existing folder to write into (files of the same name are replaced).
    cost, effect : array_like, shape (n_samples, n_strategies)
        Cost [currency] and effect [effect unit] per person, or a :class:`PSA` as ``cost``.
    strategies : sequence of str, length n_strategies
    wtp : array_like, shape (n_wtp,), optional
        WTP grid [currency/effect unit]; default :data:`DEFAULT_WTP`.
    comparator : str, optional
        Comparator of the increments in ``summary.csv`` and ``incremental_nmb.csv``; default the
        reference strategy of the ICER table (cheapest non-dominated).
    level : float
        Coverage of the percentile intervals.
    population : Population, optional
        Adds ``population_evpi`` to ``evpi.csv`` and a population axis to the EVPI figure.
    figures : bool
        Also write the figures (PNG + SVG).
    ce_plane_wtp : float, optional
        WTP line on the CE plane; default the grid value closest to the middle of the grid.
    effect_label : str
        Unit of effect used in axis labels.
    labels : mapping, optional
        Display name of each strategy for the figures (tables keep the strategy names).

    Returns
    -------
    CEAOutputs

    Notes
    -----
    Files: ``summary.csv`` (means, percentile intervals, paired increments vs the comparator and
    CE-plane quadrant shares), ``icers.csv`` (``strategy, cost, effect, inc_cost, inc_effect,
    icer, status, note``), ``ceac.csv`` (``wtp, strategy, probability, on_frontier``),
    ``ceaf.csv`` (``wtp, strategy, probability``), ``evpi.csv`` (``wtp, evpi`` [+
    ``population_evpi``]), ``expected_loss.csv`` (``wtp, strategy, expected_loss``),
    ``enmb.csv`` (``wtp, strategy, enmb``), ``incremental_nmb.csv`` (intervals on at most 101
    evenly spaced grid values; fewer above 198,019 samples, see :func:`interval_points`),
    ``wtp_switch.csv`` (``wtp, from_strategy, to_strategy``: where the optimal strategy
    changes), and figures ``ce_plane``, ``ceac``, ``evpi``,
    ``expected_loss``, ``frontier`` as PNG and SVG.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"output folder {folder}: does not exist; create it first")
    psa = cost if isinstance(cost, PSA) else PSA(cost, effect, strategies)  # type: ignore[arg-type]
    curves = cea_curves(psa, wtp=DEFAULT_WTP if wtp is None else wtp)
    icers = icer_table(psa)
    summary = psa_summary(psa, comparator=comparator, level=level)
    tables = _cea_tables(psa, curves, icers, summary, comparator, level, population)
    files = [write_csv(frame, folder / name) for name, frame in tables.items()]
    if figures:
        shown = named_for_figures(psa, curves, icers, labels)
        files.extend(_write_figures(folder, *shown, population, ce_plane_wtp, effect_label))
    return CEAOutputs(
        folder=folder, files=tuple(files), psa=psa, curves=curves, icers=icers, summary=summary
    )


def _cea_tables(
    psa: PSA,
    curves: CEACurves,
    icers: pd.DataFrame,
    summary: pd.DataFrame,
    comparator: str | None,
    level: float,
    population: Population | None,
) -> dict[str, pd.DataFrame]:
    """The tables of :func:`write_cea_outputs` by file name, in the order they are written.

    Parameters
    ----------
    psa : PSA
    curves : CEACurves
        Curves of ``psa`` over the WTP grid [currency/effect unit].
    icers, summary : pandas.DataFrame
        :func:`peer_econ.analysis.icer_table` and :func:`peer_econ.analysis.psa_summary`.
    comparator : str or None
        Comparator of the incremental NMB (None: the ICER table's reference).
    level : float
        Coverage of the percentile intervals of incremental NMB.
    population : Population or None
        Adds ``population_evpi`` [currency] to ``evpi.csv``.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``summary.csv``, ``icers.csv``, ``ceac.csv``, ``ceaf.csv``, ``evpi.csv``,
        ``expected_loss.csv``, ``enmb.csv``, ``incremental_nmb.csv`` (on at most
        :func:`interval_points` grid values) and ``wtp_switch.csv``.
    """
    inc = incremental_nmb(
        psa,
        wtp=_interval_grid(np.asarray(curves.wtp), interval_points(psa.n_samples)),
        comparator=comparator,
        level=level,
    )
    evpi_frame = curves.evpi_frame()
    if population is not None:
        evpi_frame["population_evpi"] = evpi_frame["evpi"] * population.factor
    return {
        "summary.csv": summary,
        "icers.csv": icers,
        "ceac.csv": curves.ceac_frame(),
        "ceaf.csv": curves.ceaf_frame(),
        "evpi.csv": evpi_frame,
        "expected_loss.csv": curves.expected_loss_frame(),
        "enmb.csv": curves.enmb_frame(),
        "incremental_nmb.csv": inc,
        "wtp_switch.csv": wtp_switch_points(psa),
    }


def named_for_figures(
    psa: PSA, curves: CEACurves, icers: pd.DataFrame, labels: Mapping[str, str] | None
) -> tuple[PSA, CEACurves, pd.DataFrame]:
    """The PSA, curves and ICER table with strategies renamed to their display labels (for
    figure legends); unchanged without labels."""
    if not labels:
        return psa, curves, icers
    names = tuple(labels.get(s, s) for s in psa.strategies)
    renamed = icers.assign(strategy=[labels.get(s, s) for s in icers["strategy"]])
    order = icers.attrs.get("strategies", list(icers["strategy"]))
    renamed.attrs = {**icers.attrs, "strategies": [labels.get(s, s) for s in order]}
    return (
        PSA(psa.cost, psa.effect, names),
        dataclasses.replace(curves, strategies=names),
        renamed,
    )


def _write_figures(
    folder: Path,
    psa: PSA,
    curves: CEACurves,
    icers: pd.DataFrame,
    population: Population | None,
    ce_plane_wtp: float | None,
    effect_label: str,
) -> list[Path]:
    from peer_econ.outputs import plots

    colours = plots.strategy_colours(psa.strategies)
    wtp_label = f"Willingness to pay per {effect_label}"
    if ce_plane_wtp is None:
        ce_plane_wtp = float(curves.wtp[curves.wtp.size // 2])
    axes = {
        "ce_plane": plots.plot_ce_plane(
            psa,
            wtp=ce_plane_wtp,
            colours=colours,
            effect_label=f"Effect per person ({effect_label})",
        ),
        "ceac": plots.plot_ceac(curves, colours=colours, wtp_label=wtp_label),
        "evpi": plots.plot_evpi(
            curves,
            population_factor=None if population is None else population.factor,
            wtp_label=wtp_label,
        ),
        "expected_loss": plots.plot_expected_loss(curves, colours=colours, wtp_label=wtp_label),
        "frontier": plots.plot_frontier(
            icers, colours=colours, effect_label=f"Mean effect per person ({effect_label})"
        ),
    }
    written: list[Path] = []
    for stem, ax in axes.items():
        fig = ax.get_figure()
        if fig is None:  # pragma: no cover - axes created by plots always have a figure
            continue
        written.extend(plots.save_figure(fig, folder, stem))  # type: ignore[arg-type]
    return written


def write_evppi_table(
    folder: Path,
    psa: PSA,
    parameters: PSATable | None,
    groups: Mapping[str, Sequence[str]],
    wtp: ArrayLike,
) -> Path:
    """Regression EVPPI of each group over the WTP grid -> ``evppi.csv``
    (``parameters, wtp, evppi, se, method``)."""
    from peer_econ.analysis.voi import evppi_curves

    if parameters is None:  # pragma: no cover - guarded by runs.analyse.parse_evppi_specs
        raise InputError("--evppi needs --parameters FILE")
    frame = pd.DataFrame(parameters.values, columns=list(parameters.columns))
    curves = evppi_curves(
        psa.cost, psa.effect, frame, np.asarray(wtp, dtype=float), dict(groups),
        include_single=False, strategies=psa.strategies,
    )  # fmt: skip
    # ``parameters`` names the group as given on the command line (``a+b``).
    table = curves.assign(parameters=curves["name"])[["parameters", "wtp", "evppi", "se", "method"]]
    return write_csv(table, folder / "evppi.csv")
