"""Write every cost-effectiveness table and figure of one PSA into a folder.

Used by ``peer-econ analyse`` (bring-your-own PSA) and by ``peer-econ run`` for PEER. The folder
must already exist (use :func:`peer_econ.output.atomic_output_dir` for all-or-nothing output).
Tables are tidy CSVs written with :func:`peer_econ.output.write_csv`, so identical inputs give
byte-identical files. Figures need matplotlib, imported lazily through :mod:`peer_econ.plots`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

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
from peer_econ.analysis.psa_io import PSATable
from peer_econ.errors import InputError
from peer_econ.output import write_csv

DEFAULT_WTP = np.arange(0.0, 1_000_000.0 + 1.0, 10_000.0)
"""Default WTP grid: 0 to 1,000,000 in steps of 10,000 [currency/effect unit]."""

MAX_INTERVAL_WTP = 101
"""At most this many WTP values get percentile intervals of incremental NMB (cost O(n * n_wtp))."""

__all__ = ["DEFAULT_WTP", "CEAOutputs", "Population", "analyse_csv", "write_cea_outputs"]


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
    evenly spaced grid values), ``wtp_switch.csv`` (``wtp, from_strategy, to_strategy``: where
    the optimal strategy changes), and figures ``ce_plane``, ``ceac``, ``evpi``,
    ``expected_loss``, ``frontier`` as PNG and SVG.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"output folder {folder}: does not exist; create it first")
    psa = cost if isinstance(cost, PSA) else PSA(cost, effect, strategies)  # type: ignore[arg-type]
    grid = DEFAULT_WTP if wtp is None else wtp
    curves = cea_curves(psa, wtp=grid)
    icers = icer_table(psa)
    summary = psa_summary(psa, comparator=comparator, level=level)
    inc = incremental_nmb(
        psa,
        wtp=_interval_grid(np.asarray(curves.wtp), MAX_INTERVAL_WTP),
        comparator=comparator,
        level=level,
    )
    evpi_frame = curves.evpi_frame()
    if population is not None:
        evpi_frame["population_evpi"] = evpi_frame["evpi"] * population.factor
    tables = {
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
    files = [write_csv(frame, folder / name) for name, frame in tables.items()]
    if figures:
        files.extend(
            _write_figures(folder, psa, curves, icers, population, ce_plane_wtp, effect_label)
        )
    return CEAOutputs(
        folder=folder, files=tuple(files), psa=psa, curves=curves, icers=icers, summary=summary
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
    from peer_econ import plots

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


def analyse_csv(
    cost: Path | str,
    effect: Path | str,
    *,
    parameters: Path | str | None = None,
    wtp: str | ArrayLike | None = None,
    out: Path | str | None = None,
    figures: bool = True,
    population: Population | None = None,
    command: str = "analyse",
    evppi_specs: Sequence[str] = (),
) -> CEAOutputs:
    """``peer-econ analyse``: read a PSA from CSV files and write its decision analysis.

    Every input is read and validated before anything is written; the output folder appears
    only when everything succeeded (:func:`peer_econ.output.atomic_output_dir`).

    Parameters
    ----------
    cost, effect : Path or str
        CSV files: header of strategy names, one row per PSA sample (see
        :mod:`peer_econ.analysis.psa_io`).
    parameters : Path or str, optional
        Parameter draws, one row per sample; validated (same row count as ``cost``) and recorded
        in the manifest for value-of-information analyses.
    wtp : str or array_like, optional
        ``"a,b,c"`` or ``"start:stop:step"`` (inclusive), or the values; default
        :data:`DEFAULT_WTP`.
    out : Path or str, optional
        Output folder (replaced if it exists); default a new folder under ``reports/``.
    figures : bool
        Write the figures too.
    population : Population, optional
        Adds population EVPI (``evpi.csv`` column ``population_evpi`` and the EVPI figure).
    command : str
        Command name recorded in the manifest.

    Returns
    -------
    CEAOutputs
        ``folder`` is the final output folder.

    Raises
    ------
    InputError
        Any problem with the files, the WTP specification or the output folder.
    """
    import time

    from peer_econ.analysis.cea import validate_wtp
    from peer_econ.analysis.psa_io import parse_wtp_spec, read_psa_files
    from peer_econ.output import atomic_output_dir, default_run_dir, write_manifest

    started = time.perf_counter()
    files = read_psa_files(cost, effect, parameters)
    if wtp is None:
        grid = DEFAULT_WTP
    elif isinstance(wtp, str):
        grid = parse_wtp_spec(wtp)
    else:
        grid = validate_wtp(wtp, label="--wtp")
    if population is not None:
        try:
            factor = population.factor
        except InputError as exc:
            raise InputError([f"population: {p}" for p in exc.problems]) from None
    psa = PSA(files.cost.values, files.effect.values, files.strategies)
    target = Path(out) if out is not None else default_run_dir(Path("reports"), "analyse")
    inputs = [files.cost.path, files.effect.path]
    if files.parameters is not None:
        inputs.append(files.parameters.path)
    groups = parse_evppi_specs(evppi_specs, files.parameters)
    with atomic_output_dir(target) as tmp:
        result = write_cea_outputs(tmp, psa, wtp=grid, figures=figures, population=population)
        if groups:
            evppi_file = write_evppi_table(tmp, psa, files.parameters, groups, grid)
            result = replace(result, files=(*result.files, evppi_file))
        write_manifest(
            tmp,
            command=command,
            seed=None,
            n_samples=psa.n_samples,
            inputs=inputs,
            wall_time_s=time.perf_counter() - started,
            extra={
                "strategies": list(psa.strategies),
                "n_strategies": psa.n_strategies,
                "wtp": {
                    "n": int(np.size(result.curves.wtp)),
                    "min": float(result.curves.wtp[0]),
                    "max": float(result.curves.wtp[-1]),
                    "spec": wtp if isinstance(wtp, str) else None,
                },
                "index_columns_dropped": {
                    label: tab.index_column
                    for label, tab in (
                        ("cost", files.cost),
                        ("effect", files.effect),
                        ("parameters", files.parameters),
                    )
                    if tab is not None and tab.index_column is not None
                },
                "parameters": None
                if files.parameters is None
                else {
                    "file": files.parameters.path.as_posix(),
                    "names": list(files.parameters.columns),
                },
                "population": None
                if population is None
                else {
                    "per_year": population.per_year,
                    "horizon_years": population.horizon_years,
                    "discount_rate": population.discount_rate,
                    "discounted_population": factor,
                    "convention": "annual cohorts, discounted at the start of each year",
                },
                "evppi": {name: list(cols) for name, cols in groups.items()},
                "notes": list(files.notes),
                "files": sorted(p.name for p in result.files) + ["manifest.json"],
            },
        )
    final = [target / p.name for p in result.files]
    return CEAOutputs(
        folder=target,
        files=tuple(final),
        psa=result.psa,
        curves=result.curves,
        icers=result.icers,
        summary=result.summary,
    )


def parse_evppi_specs(
    specs: Sequence[str], parameters: PSATable | None
) -> dict[str, tuple[str, ...]]:
    """``--evppi`` values -> named groups: ``each`` (every column alone) or ``a+b+c``.

    Raises
    ------
    InputError
        ``--evppi`` without ``--parameters``, or an unknown parameter name.
    """
    if not specs:
        return {}
    if parameters is None:
        raise InputError("--evppi needs --parameters FILE with the parameter draws")
    names = parameters.columns
    groups: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        if spec.strip() == "each":
            groups.update({n: (n,) for n in names})
            continue
        members = tuple(m.strip() for m in spec.split("+"))
        unknown = [m for m in members if m not in names]
        if unknown or not all(members):
            raise InputError(
                f"--evppi {spec!r}: unknown parameter(s) {unknown} in {parameters.path}; "
                f"columns are {list(names)}"
            )
        groups["+".join(members)] = members
    return groups


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

    if parameters is None:  # pragma: no cover - guarded by parse_evppi_specs
        raise InputError("--evppi needs --parameters FILE")
    frame = pd.DataFrame(parameters.values, columns=list(parameters.columns))
    curves = evppi_curves(
        psa.cost, psa.effect, frame, np.asarray(wtp, dtype=float), dict(groups),
        include_single=False, strategies=psa.strategies,
    )  # fmt: skip
    # ``parameters`` names the group as given on the command line (``a+b``).
    table = curves.assign(parameters=curves["name"])[["parameters", "wtp", "evppi", "se", "method"]]
    return write_csv(table, folder / "evppi.csv")
