"""Orchestration of the sensitivity sub-commands: run, write tidy CSVs, figures and a manifest.

One function per ``peer-econ sensitivity`` sub-command (``owsa``, ``twsa``, ``threshold``,
``scenarios``, ``structural``, ``sobol``, ``morris``, ``delta``). Each writes into an output
folder atomically (:func:`peer_econ.outputs.files.atomic_output_dir`: a failed run leaves
nothing), and
returns the folder. Progress bars (``rich``) live only here and are off unless ``progress=True``;
the computational functions in :mod:`peer_econ.analysis` stay print-free.

Figures are drawn by the plot functions of :mod:`peer_econ.outputs.plots` (``plot_tornado``,
``plot_twsa``, ``plot_scenario_forest``, ``plot_ceac_scenario``, ``plot_sobol``,
``plot_morris``, ``plot_delta``) and listed in the manifest; ``figures=False`` skips them.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from peer_econ.analysis import dsa, gsa
from peer_econ.analysis.parallel import ExecutionOptions
from peer_econ.errors import EstimationWarning, InputError
from peer_econ.inputs import scenarios as scenario_files
from peer_econ.model.adapter import PeerModel, model_table
from peer_econ.model.spec import Inputs
from peer_econ.outputs.files import atomic_output_dir, write_csv, write_manifest
from peer_econ.outputs.run_files import safe_stem, tornado_stem
from peer_econ.runs import peer_sweeps
from peer_econ.runs import scenarios as scen

ProgressCallback = Callable[[int], None]

#: Sobol indices whose bootstrap confidence half-width exceeds this multiple of the index's
#: magnitude are flagged: their size (and often their sign) is not resolved by the design.
SOBOL_CI_RATIO = 1.0


# --- helpers --------------------------------------------------------------------------------------


@contextmanager
def _progress(
    enabled: bool, description: str, total: int, *, then: str | None = None
) -> Iterator[ProgressCallback | None]:
    """A ``rich`` progress bar on stderr advanced by the callback it yields (None when disabled).

    ``then`` names the stage that follows once the bar is full (e.g. SALib's analysis after the
    model evaluations), so the display says what the remaining wait is for.
    """
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)
        done = [0]

        def advance(n: int) -> None:
            bar.advance(task, n)
            done[0] += n
            if then is not None and done[0] >= total:
                bar.update(task, description=then)

        yield advance


class _Figures:
    """Draw figures with :mod:`peer_econ.outputs.plots` and save them as PNG + SVG."""

    def __init__(self, folder: Path, enabled: bool) -> None:
        self.folder = folder
        self.enabled = enabled
        self.written: list[str] = []
        self.skipped: list[str] = []

    def draw(self, func_name: str, stem: str, *args: Any, **kwargs: Any) -> None:
        if not self.enabled:
            return
        from peer_econ.outputs import plots

        ax = getattr(plots, func_name)(*args, **kwargs)
        plots.save_axes(ax, self.folder, stem)
        plots.close_figure(ax.figure)
        self.written.append(stem)

    def manifest(self) -> dict[str, list[str]]:
        return {"figures": self.written, "figures_skipped": self.skipped}


def _wtp(inputs: Inputs, wtp: float | None) -> float:
    return float(inputs.settings.wtp_point if wtp is None else wtp)


def _manifest(
    folder: Path,
    command: str,
    inputs: Inputs,
    started: float,
    *,
    seed: int | None = None,
    n_samples: int | None = None,
    options: ExecutionOptions | None = None,
    figures: _Figures | None = None,
    extra_files: Sequence[Path] = (),
    **extra: Any,
) -> None:
    opts = options or ExecutionOptions()
    info: dict[str, Any] = {
        "settings": inputs.settings.as_dict(),
        "execution": {
            "jobs": opts.jobs,
            "scheduler": opts.scheduler,
            "chunk_size": opts.chunk_size,
        },
        **extra,
    }
    if figures is not None:
        info.update(figures.manifest())
    write_manifest(
        folder,
        command=command,
        seed=seed,
        n_samples=n_samples,
        inputs=[*inputs.files, *extra_files],
        wall_time_s=time.perf_counter() - started,
        extra=info,
    )


# --- one-way --------------------------------------------------------------------------------------


def run_owsa(
    inputs: Inputs,
    out_dir: Path | str,
    *,
    wtp: float | None = None,
    interval: tuple[float, float] | None = None,
    parameters: Sequence[str] | None = None,
    options: ExecutionOptions | None = None,
    progress: bool = False,
    force: bool = False,
    figures: bool = True,
) -> Path:
    """One-way sensitivity analysis of every ranged model parameter; tornado per strategy.

    Writes ``owsa.csv`` (tidy low/base/high results), ``tornado_<strategy>.csv`` (ordered by
    INMB swing) with ``tornado_<strategy>.png/.svg`` for every strategy, and ``manifest.json``.

    Parameters
    ----------
    inputs : Inputs
    out_dir : Path or str
        Output folder (replaced atomically).
    wtp : float, optional
        [DKK per QALY]; default ``settings.wtp_point``.
    interval : (float, float), optional
        Use these percentiles of the PSA distributions instead of the table ranges.
    parameters : sequence of str, optional
        Parameters to vary (default every ranged model parameter except baseline_utility).
    """
    started = time.perf_counter()
    w = _wtp(inputs, wtp)
    table = model_table(inputs)
    ranges = dsa.sweep_ranges(table, parameters=parameters, interval=interval)
    model = PeerModel(inputs)
    with _progress(progress, "one-way sweep", 1 + 2 * len(ranges)) as tick:
        res = dsa.owsa(
            model,
            table,
            inputs.strategy_names,
            comparator=inputs.settings.comparator,
            wtp=w,
            ranges=ranges,
            options=options,
            on_chunk=tick,
        )
    out = Path(out_dir)
    with atomic_output_dir(out, force=force, protect=inputs.files) as tmp:
        figs = _Figures(tmp, figures)
        write_csv(res.table, tmp / "owsa.csv")
        for s in res.strategies:
            tornado = peer_sweeps.write_tornado_table(res, s, tmp)
            figs.draw("plot_tornado", tornado_stem(s), tornado)
        _manifest(
            tmp,
            "sensitivity owsa",
            inputs,
            started,
            options=options,
            figures=figs,
            wtp=w,
            interval=interval,
            n_parameters=len(ranges),
            notes=list(res.notes),
        )
    return out


# --- two-way --------------------------------------------------------------------------------------


def run_twsa(
    inputs: Inputs,
    out_dir: Path | str,
    *,
    wtp: float | Sequence[float] | None = None,
    x: str | None = None,
    x_values: Sequence[float] | None = None,
    y: str | None = None,
    y_values: Sequence[float] | None = None,
    curve_wtp: Sequence[float] | None = None,
    options: ExecutionOptions | None = None,
    progress: bool = False,
    force: bool = False,
    figures: bool = True,
) -> Path:
    """Two-way grid: INMB surface and optimal strategy per cell, with a heat map.

    Without ``x``/``y`` this is the mapping-free default: end-of-course utility gain x linear
    durability, with threshold curves at ``curve_wtp`` (default: the WTP point and the
    ``curve_points`` of the settings' ``[wtp]`` table). With ``x`` and ``y`` any two
    parameters are crossed over ``x_values`` x ``y_values`` (default 11 points across each
    table range).

    Writes ``twsa_grid.csv``, ``twsa_optimal.csv``, ``twsa_threshold_curve.csv`` (default grid),
    ``twsa_<strategy>.png/.svg`` and ``manifest.json``.
    """
    started = time.perf_counter()
    point = _wtp(inputs, None)
    wtps = [point] if wtp is None else list(np.atleast_1d(np.asarray(wtp, dtype=float)))
    if (x is None) != (y is None):
        raise InputError("two-way: give both --x and --y, or neither for the default grid")
    res = _twsa_grid(inputs, wtps, (x, x_values), (y, y_values), curve_wtp, options, progress)
    out = Path(out_dir)
    with atomic_output_dir(out, force=force, protect=inputs.files) as tmp:
        figs = _Figures(tmp, figures)
        _write_twsa(tmp, res, wtps[0], figs)
        _manifest(
            tmp,
            "sensitivity twsa",
            inputs,
            started,
            options=options,
            figures=figs,
            x=res.x,
            y=res.y,
            wtp=wtps,
            notes=list(res.notes),
        )
    return out


def _twsa_grid(
    inputs: Inputs,
    wtps: list[float],
    x: tuple[str | None, Sequence[float] | None],
    y: tuple[str | None, Sequence[float] | None],
    curve_wtp: Sequence[float] | None,
    options: ExecutionOptions | None,
    progress: bool,
) -> dsa.TwsaResult:
    """The two-way grid of :func:`run_twsa`, with a progress bar over its cells.

    Parameters
    ----------
    inputs : Inputs
    wtps : list of float
        WTP values of the INMB surface [DKK per QALY].
    x, y : (str or None, sequence of float or None)
        Parameter name and grid values [the parameter's unit]. Without names, the default grid
        of end-of-course utility gain [utility] x linear durability [months] (values default to
        :data:`peer_sweeps.DEFAULT_GAIN_VALUES` and :data:`peer_sweeps.DEFAULT_DECAY_VALUES`);
        with names, values default to 11 points across the table range (:func:`_default_axis`).
    curve_wtp : sequence of float, optional
        WTP values of the default grid's break-even curves [DKK per QALY] (default the WTP
        point and the settings' ``curve_points``).
    options : ExecutionOptions, optional
    progress : bool
        Show a progress bar.
    """
    (x_name, x_values), (y_name, y_values) = x, y
    if x_name is None or y_name is None:
        default_curves = {_wtp(inputs, None), *inputs.settings.wtp_curve_points}
        curves = list(curve_wtp) if curve_wtp is not None else sorted(default_curves)
        n_cells = len(peer_sweeps.DEFAULT_GAIN_VALUES if x_values is None else x_values) * len(
            peer_sweeps.DEFAULT_DECAY_VALUES if y_values is None else y_values
        )
        with _progress(progress, "two-way grid", n_cells) as tick:
            return peer_sweeps.utility_durability_grid(
                inputs,
                wtp=wtps,
                gains=x_values,
                decays=y_values,
                curve_wtp=curves,
                options=options,
                on_chunk=tick,
            )
    table = model_table(inputs)
    xs = _default_axis(table, x_name) if x_values is None else np.asarray(x_values, dtype=float)
    ys = _default_axis(table, y_name) if y_values is None else np.asarray(y_values, dtype=float)
    with _progress(progress, "two-way grid", xs.size * ys.size) as tick:
        return dsa.twsa(
            PeerModel(inputs),
            table,
            inputs.strategy_names,
            comparator=inputs.settings.comparator,
            wtp=wtps,
            x=x_name,
            x_values=xs,
            y=y_name,
            y_values=ys,
            options=options,
            on_chunk=tick,
        )


def _write_twsa(folder: Path, res: dsa.TwsaResult, wtp: float, figs: _Figures) -> None:
    """Write the tables of a two-way grid (``twsa_grid.csv``, ``twsa_optimal.csv``,
    ``twsa_threshold_curve.csv`` when there are curves) and one heat map per strategy at
    ``wtp`` [DKK per QALY]."""
    write_csv(res.grid, folder / "twsa_grid.csv")
    write_csv(res.optimal, folder / "twsa_optimal.csv")
    if res.threshold_curve is not None:
        write_csv(res.threshold_curve, folder / "twsa_threshold_curve.csv")
    for s in dict.fromkeys(res.grid["strategy"]):
        figs.draw(
            "plot_twsa",
            f"twsa_{safe_stem(str(s))}",
            res.grid,
            strategy=s,
            wtp=wtp,
            threshold_curve=res.threshold_curve,
            x_label=res.x,
            y_label=res.y,
        )


def _default_axis(table: Any, name: str, n: int = 11) -> np.ndarray:
    spec = table[name]
    if not spec.low < spec.high:
        raise InputError(
            f"parameter {name!r} has no range (low = high = {spec.low}); give its grid values"
        )
    return np.linspace(spec.low, spec.high, n)


# --- thresholds -----------------------------------------------------------------------------------


def run_threshold(
    inputs: Inputs,
    out_dir: Path | str,
    *,
    wtp: float | None = None,
    parameters: Sequence[str] | None = None,
    n_grid: int = 33,
    options: ExecutionOptions | None = None,
    progress: bool = False,
    force: bool = False,
) -> Path:
    """Threshold analysis: parameter values, WTP, maximum cost and minimum durability.

    Writes ``thresholds.csv`` (per parameter and strategy; ``no threshold in range`` when INMB
    keeps its sign), ``threshold_wtp.csv``, ``threshold_max_cost.csv``,
    ``threshold_durability.csv`` and ``manifest.json``.
    """
    started = time.perf_counter()
    w = _wtp(inputs, wtp)
    table = model_table(inputs)
    ranges = dsa.sweep_ranges(table, parameters=parameters)
    with _progress(progress, "threshold scan", 1 + n_grid * len(ranges)) as tick:
        res = dsa.thresholds(
            PeerModel(inputs),
            table,
            inputs.strategy_names,
            comparator=inputs.settings.comparator,
            wtp=w,
            ranges=ranges,
            n_grid=n_grid,
            options=options,
            on_chunk=tick,
        )
    decision = peer_sweeps.peer_decision_thresholds(inputs, wtp=w)
    out = Path(out_dir)
    with atomic_output_dir(out, force=force, protect=inputs.files) as tmp:
        write_csv(res, tmp / "thresholds.csv")
        peer_sweeps.write_decision_thresholds(decision, tmp)
        _manifest(
            tmp,
            "sensitivity threshold",
            inputs,
            started,
            options=options,
            wtp=w,
            n_grid=n_grid,
            notes=[
                dsa.EXCLUDE_NOTE,
                "thresholds from a scan of each range plus bisection; roots closer together "
                "than the scan spacing can be missed",
                "minimum durability: decay_months under linear durability",
            ],
        )
    return out


# --- scenarios ------------------------------------------------------------------------------------


def _write_scenario_result(
    tmp: Path, res: scen.ScenarioResult, figs: _Figures, prefix: str, wtp: float
) -> None:
    write_csv(res.summary, tmp / f"{prefix}.csv")
    write_csv(res.ceac, tmp / f"{prefix}_ceac.csv")
    write_csv(res.settings, tmp / f"{prefix}_changes.csv")
    for s in dict.fromkeys(res.summary["strategy"]):
        stem = f"{prefix}_forest_{safe_stem(str(s))}"
        figs.draw("plot_scenario_forest", stem, res.summary, strategy=s)
    for name in dict.fromkeys(res.ceac["scenario"]):
        sub = res.ceac[res.ceac["scenario"] == name]
        figs.draw("plot_ceac_scenario", f"{prefix}_ceac_{safe_stem(str(name))}", sub, wtp=wtp)


def run_scenario_analysis(
    inputs: Inputs,
    out_dir: Path | str,
    *,
    scenario_file: Path | str | None = None,
    names: Sequence[str] | None = None,
    n_samples: int | None = None,
    seed: int | None = None,
    wtp: float | None = None,
    progress: bool = False,
    force: bool = False,
    figures: bool = True,
) -> Path:
    """Run named scenarios (deterministic + PSA) and write the comparison.

    Writes ``scenarios.csv`` (one row per scenario and strategy), ``scenarios_ceac.csv``,
    ``scenarios_changes.csv``, forest plots per strategy, one CEAC per scenario and
    ``manifest.json``.

    Parameters
    ----------
    scenario_file : Path or str, optional
        Default ``<inputs folder>/scenarios.toml``.
    names : sequence of str, optional
        Scenarios to run (default all, in file order).
    n_samples, seed : int, optional
        PSA size and seed (default from settings).
    """
    started = time.perf_counter()
    path = Path(scenario_file) if scenario_file is not None else _default_scenario_file(inputs)
    all_scen = scenario_files.read_scenarios(path, inputs)
    chosen = scenario_files.select_scenarios(all_scen, names)
    n = inputs.settings.n_samples if n_samples is None else n_samples
    s = inputs.settings.seed if seed is None else seed
    w = _wtp(inputs, wtp)
    with _progress(progress, "scenarios", len(chosen)) as tick:
        res = scen.run_scenarios(
            inputs,
            chosen,
            n_samples=n,
            rng=s,
            wtp=w,
            source=path.as_posix(),
            on_scenario=None if tick is None else (lambda _name: tick(1)),
        )
    out = Path(out_dir)
    with atomic_output_dir(out, force=force, protect=[*inputs.files, path]) as tmp:
        figs = _Figures(tmp, figures)
        _write_scenario_result(tmp, res, figs, "scenarios", w)
        _manifest(
            tmp,
            "sensitivity scenarios",
            inputs,
            started,
            seed=s,
            n_samples=n,
            figures=figs,
            extra_files=[path],
            wtp=w,
            scenarios=[x.name for x in chosen],
            notes=list(res.notes),
        )
    return out


def _default_scenario_file(inputs: Inputs) -> Path:
    folders = {p.parent for p in inputs.files}
    for folder in sorted(folders):
        candidate = folder / scenario_files.DEFAULT_FILE
        if candidate.is_file():
            return candidate
    return Path("inputs") / scenario_files.DEFAULT_FILE


def run_structural(
    inputs: Inputs,
    out_dir: Path | str,
    *,
    source_outcomes: Sequence[str] = scen.DEFAULT_SOURCES,
    durabilities: Sequence[str] = scen.DEFAULT_DURABILITIES,
    horizons: Sequence[float] = scen.DEFAULT_HORIZONS,
    n_samples: int = 2000,
    seed: int | None = None,
    wtp: float | None = None,
    progress: bool = False,
    force: bool = False,
    figures: bool = True,
) -> Path:
    """Structural scenario matrix (source outcome x durability x horizon), PSA + CEAC per cell.

    Writes ``structural.csv``, ``structural_ceac.csv``, ``structural_changes.csv``, figures and
    ``manifest.json``.
    """
    started = time.perf_counter()
    s = inputs.settings.seed if seed is None else seed
    w = _wtp(inputs, wtp)
    total = len(source_outcomes) * len(durabilities) * len(horizons)
    with _progress(progress, "structural matrix", total) as tick:
        res = scen.run_structural_matrix(
            inputs,
            source_outcomes=source_outcomes,
            durabilities=durabilities,
            horizons=horizons,
            n_samples=n_samples,
            rng=s,
            wtp=w,
            on_scenario=None if tick is None else (lambda _name: tick(1)),
        )
    out = Path(out_dir)
    with atomic_output_dir(out, force=force, protect=inputs.files) as tmp:
        figs = _Figures(tmp, figures)
        write_csv(res.summary, tmp / "structural.csv")
        write_csv(res.ceac, tmp / "structural_ceac.csv")
        write_csv(res.settings, tmp / "structural_changes.csv")
        for st in dict.fromkeys(res.summary["strategy"]):
            figs.draw("plot_scenario_forest", f"structural_forest_{safe_stem(str(st))}",
                      res.summary, strategy=st)  # fmt: skip
        _manifest(
            tmp,
            "sensitivity structural",
            inputs,
            started,
            seed=s,
            n_samples=n_samples,
            figures=figs,
            wtp=w,
            source_outcomes=list(source_outcomes),
            durabilities=list(durabilities),
            horizons=[float(h) for h in horizons],
            notes=list(res.notes),
        )
    return out


# --- global ---------------------------------------------------------------------------------------


def _outputs(inputs: Inputs, wtp: float, strategies: Sequence[str] | None) -> gsa.DecisionOutputs:
    """Decision outputs of the chosen strategies: ``None`` for every strategy but the
    comparator, empty (the default of the commands) for the headline strategy of the settings."""
    comp = inputs.settings.comparator
    if strategies is None:
        chosen = tuple(s for s in inputs.strategy_names if s != comp)
    else:
        chosen = tuple(strategies) or (inputs.settings.headline_strategy,)
    return gsa.DecisionOutputs(PeerModel(inputs), inputs.strategy_names, comp, wtp, chosen)


#: Strategies of the global analyses by default: none named, i.e. the headline strategy.
DEFAULT_GSA_STRATEGIES: tuple[str, ...] = ()


def run_sobol(
    inputs: Inputs,
    out_dir: Path | str,
    *,
    n_base: int = 2**14,
    wtp: float | None = None,
    strategies: Sequence[str] | None = DEFAULT_GSA_STRATEGIES,
    second_order: bool = False,
    num_resamples: int = 100,
    convergence: bool = False,
    seed: int | None = None,
    options: ExecutionOptions | None = None,
    progress: bool = False,
    force: bool = False,
    figures: bool = True,
) -> Path:
    """Sobol indices (first, total, optional second order) of INMB and incremental QALYs.

    Writes ``sobol.csv`` (``output, parameter, S1, S1_conf, ST, ST_conf``), ``sobol_s2.csv``
    (second order), ``sobol_convergence.csv`` (N vs 2N, if asked), bar charts and
    ``manifest.json`` (with the independence note, the stage timings and a warning when
    confidence intervals are wider than the indices they belong to). Timings stay out of the
    tables, so identical runs give identical tables.

    Parameters
    ----------
    strategies : sequence of str or None
        Strategies vs the comparator whose outputs are analysed (None: all; empty, the
        default: the headline strategy of the settings).
    """
    started = time.perf_counter()
    w = _wtp(inputs, wtp)
    s = inputs.settings.seed if seed is None else seed
    outputs = _outputs(inputs, w, strategies)
    table = model_table(inputs)
    d = len(gsa.gsa_names(table))
    rows = n_base * ((2 * d + 2) if second_order else (d + 2))
    with _progress(progress, "Sobol design", rows, then="SALib analysis (bootstrap)") as tick:
        res = gsa.sobol_indices(
            outputs,
            table,
            n_base,
            calc_second_order=second_order,
            num_resamples=num_resamples,
            rng=s,
            options=options,
            on_chunk=tick,
        )
    conv = None
    if convergence:
        conv = gsa.sobol_convergence(
            outputs, table, n_base, rng=s, num_resamples=num_resamples, options=options
        )
    out = Path(out_dir)
    with atomic_output_dir(out, force=force, protect=inputs.files) as tmp:
        figs = _Figures(tmp, figures)
        _write_sobol(tmp, res, conv, figs)
        _manifest(
            tmp,
            "sensitivity sobol",
            inputs,
            started,
            seed=s,
            n_samples=res.n_evaluations,
            options=options,
            figures=figs,
            wtp=w,
            n_base=n_base,
            second_order=second_order,
            num_resamples=num_resamples,
            timings=res.timings,
            convergence_max_change=_largest_changes(conv),
            notes=list(res.notes),
            warnings=sobol_warnings(res.indices),
        )
    for text in sobol_warnings(res.indices):
        warnings.warn(text, EstimationWarning, stacklevel=2)
    return out


def _write_sobol(
    folder: Path, res: gsa.SobolResult, conv: pd.DataFrame | None, figs: _Figures
) -> None:
    """Write the Sobol tables (``sobol.csv``; ``sobol_s2.csv`` with second order;
    ``sobol_convergence.csv`` with a convergence check ``conv``) and one bar chart per
    output."""
    write_csv(res.indices, folder / "sobol.csv")
    if res.second_order is not None:
        write_csv(res.second_order, folder / "sobol_s2.csv")
    if conv is not None:
        write_csv(conv, folder / "sobol_convergence.csv")
    for name in dict.fromkeys(res.indices["output"]):
        figs.draw("plot_sobol", f"sobol_{safe_stem(str(name))}", res.indices, output=name)


def _largest_changes(conv: pd.DataFrame | None) -> dict[str, float] | None:
    """Largest change of any first-order (``S1``) and total-order (``ST``) index from N to 2N
    base samples (``None`` without a convergence check)."""
    if conv is None:
        return None
    return {"S1": float(conv["S1_change"].max()), "ST": float(conv["ST_change"].max())}


def sobol_warnings(indices: pd.DataFrame) -> list[str]:
    """One warning per output whose first- or total-order confidence intervals are wider than
    the indices (``S_conf > SOBOL_CI_RATIO x |S|`` for an index above 0.01), naming them."""
    out = []
    for output, rows in indices.groupby("output", sort=False):
        wide = [
            f"{row['parameter']} ({kind} {row[kind]:.3f} +/- {row[kind + '_conf']:.3f})"
            for row in rows.to_dict("records")
            for kind in ("S1", "ST")
            if abs(row[kind]) > 0.01 and row[kind + "_conf"] > SOBOL_CI_RATIO * abs(row[kind])
        ]
        if wide:
            out.append(
                f"Sobol indices of {output}: confidence intervals wider than the indices for "
                f"{len(wide)} of them (e.g. {', '.join(wide[:3])}); increase --n-base"
            )
    return out


def run_morris(
    inputs: Inputs,
    out_dir: Path | str,
    *,
    n_trajectories: int = 200,
    num_levels: int = 4,
    wtp: float | None = None,
    strategies: Sequence[str] | None = DEFAULT_GSA_STRATEGIES,
    seed: int | None = None,
    options: ExecutionOptions | None = None,
    progress: bool = False,
    force: bool = False,
    figures: bool = True,
) -> Path:
    """Morris screening (mu*, sigma); writes ``morris.csv``, bar charts and ``manifest.json``."""
    started = time.perf_counter()
    w = _wtp(inputs, wtp)
    s = inputs.settings.seed if seed is None else seed
    table = model_table(inputs)
    d = len(gsa.gsa_names(table))
    with _progress(progress, "Morris design", n_trajectories * (d + 1)) as tick:
        res = gsa.morris_indices(
            _outputs(inputs, w, strategies),
            table,
            n_trajectories,
            num_levels=num_levels,
            rng=s,
            options=options,
            on_chunk=tick,
        )
    return _write_screening(
        inputs, out_dir, res, started, "morris", s, w, options, figures, force=force
    )


def run_delta(
    inputs: Inputs,
    out_dir: Path | str,
    *,
    n_samples: int = 1024,
    num_resamples: int = 10,
    wtp: float | None = None,
    strategies: Sequence[str] | None = DEFAULT_GSA_STRATEGIES,
    seed: int | None = None,
    options: ExecutionOptions | None = None,
    progress: bool = False,
    force: bool = False,
    figures: bool = True,
) -> Path:
    """Delta moment-independent measure; writes ``delta.csv``, bar charts and ``manifest.json``."""
    started = time.perf_counter()
    w = _wtp(inputs, wtp)
    s = inputs.settings.seed if seed is None else seed
    with _progress(progress, "delta sample", n_samples) as tick:
        res = gsa.delta_indices(
            _outputs(inputs, w, strategies),
            model_table(inputs),
            n_samples,
            num_resamples=num_resamples,
            rng=s,
            options=options,
            on_chunk=tick,
        )
    return _write_screening(
        inputs, out_dir, res, started, "delta", s, w, options, figures, force=force
    )


def _write_screening(
    inputs: Inputs,
    out_dir: Path | str,
    res: gsa.ScreeningResult,
    started: float,
    method: str,
    seed: int,
    wtp: float,
    options: ExecutionOptions | None,
    figures: bool,
    *,
    force: bool = False,
) -> Path:
    out = Path(out_dir)
    plot = {"morris": "plot_morris", "delta": "plot_delta"}[method]
    with atomic_output_dir(out, force=force, protect=inputs.files) as tmp:
        figs = _Figures(tmp, figures)
        write_csv(res.indices, tmp / f"{method}.csv")
        for name in dict.fromkeys(res.indices["output"]):
            figs.draw(plot, f"{method}_{safe_stem(str(name))}", res.indices, output=name)
        _manifest(
            tmp,
            f"sensitivity {method}",
            inputs,
            started,
            seed=seed,
            n_samples=res.n_evaluations,
            options=options,
            figures=figs,
            wtp=wtp,
            timings=res.timings,
            notes=list(res.notes),
        )
    return out


#: Sub-command name -> orchestration function (for the CLI).
COMMANDS: Mapping[str, Callable[..., Path]] = {
    "owsa": run_owsa,
    "twsa": run_twsa,
    "threshold": run_threshold,
    "scenarios": run_scenario_analysis,
    "structural": run_structural,
    "sobol": run_sobol,
    "morris": run_morris,
    "delta": run_delta,
}


#: What each sensitivity command's summary ranks: (table file, grouping column, ranking column,
#: what the ranking column means, number format), largest first.
SUMMARY_TABLES: Mapping[str, tuple[str, str, str, str, str]] = MappingProxyType(
    {
        "owsa": ("tornado_*.csv", "strategy", "swing", "swing of net benefit, DKK", ",.0f"),
        "sobol": ("sobol.csv", "output", "ST", "total-order Sobol index", ".3f"),
        "morris": ("morris.csv", "output", "mu_star", "Morris mu*", ".3g"),
        "delta": ("delta.csv", "output", "delta", "delta index", ".3f"),
    }
)
#: Inputs named per group in a summary.
SUMMARY_TOP = 3


def summary_lines(command: str, folder: Path, inputs: Inputs) -> list[str]:
    """A few lines on what a sensitivity command found, read from the tables it wrote: the
    inputs that matter most per strategy or output (``owsa``, ``sobol``, ``morris``,
    ``delta``); other commands point to their tables."""
    if command not in SUMMARY_TABLES:
        return []
    name, group, column, meaning, number = SUMMARY_TABLES[command]
    strategies = {s.name: s.label for s in inputs.strategies}
    if command == "owsa":  # one tornado table per strategy
        files = [folder / f"{tornado_stem(s)}.csv" for s in strategies]
        table = pd.concat([pd.read_csv(f) for f in files if f.is_file()], ignore_index=True)
    else:
        table = pd.read_csv(folder / name)
    lines = []
    for key, rows in table.groupby(group, sort=False):
        top = rows.sort_values(column, ascending=False, kind="stable").head(SUMMARY_TOP)
        ranked = "; ".join(
            f"{_parameter_label(inputs, str(p))} ({v:{number}})"
            for p, v in zip(top["parameter"], top[column], strict=True)
        )
        lines.append(f"{strategies.get(str(key), key)}: most influential ({meaning}): {ranked}")
    return lines


def _parameter_label(inputs: Inputs, name: str) -> str:
    return inputs.display.label("parameter", name, "en") or name
