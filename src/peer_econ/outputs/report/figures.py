"""The figures of a run folder, drawn from the folder's own files in one language.

``peer-econ run`` writes its tables, then draws every figure the report embeds
(:data:`peer_econ.outputs.run_files.FIGURES`) from those tables in the run's language
(:func:`write_run_figures`); ``peer-econ report RUN_DIR --lang da`` on a run in another language
draws the same figures again in memory from the same files (:func:`figures_base64`), so the
figures of a report always speak its language and a run folder never holds two sets. Titles,
axis labels and legends come from the ``figure`` part of the message catalogue
(:mod:`peer_econ.outputs.plots`); strategy, parameter, scenario and payer names are the labels
of ``inputs/labels.csv`` in the language (English when a label is missing).

The CE planes read the per-sample table (``psa_samples.parquet`` or ``psa_samples.csv.gz``) one
column at a time: the means are those of all samples, the scatter shows at most
``MAX_POINTS`` evenly spaced samples, as :func:`peer_econ.outputs.plots.plot_ce_plane` does.
"""

from __future__ import annotations

import base64
import dataclasses
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from peer_econ.analysis.budget import payback_year
from peer_econ.analysis.cea import PSA, CEACurves
from peer_econ.outputs.language import Language
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.tables import RunTables, read_run_folder
from peer_econ.outputs.run_files import FIGURES, figure_stems
from peer_econ.outputs.run_folder import SAMPLE_FILES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Samples shown per strategy in a CE plane scatter.
MAX_POINTS = 5_000
#: Width [characters] at which long parameter labels wrap in the bar charts.
LABEL_WIDTH = 34
#: Bars of the tornado and of the EVPPI ranking, lines of the EVPPI curves.
TORNADO_BARS, RANKING_BARS, CURVE_LINES = 15, 15, 6


def _figure(ax: Any) -> Figure:
    return ax.get_figure()


def _colours(ctx: Context) -> dict[str, str]:
    """Colour of each strategy label, in the run's strategy order (the same in every figure)."""
    from peer_econ.outputs import plots

    names = ctx.info.strategy_names
    by_code = plots.strategy_colours(names)
    return {ctx.strategy(name): by_code[name] for name in names}


def _wrapped(ctx: Context, kind: str, name: object) -> str:
    label = ctx.label(kind, name)
    if kind == "parameter" and label == str(name):
        label = ctx.label("voi_group", name)
    return textwrap.fill(label, LABEL_WIDTH)


# --- decision analysis ---------------------------------------------------------------------


def _curves(ctx: Context) -> CEACurves | None:
    """The CEA curves of the base-case PSA from ``ceac``, ``ceaf``, ``evpi``, ``enmb`` and
    ``expected_loss`` (strategies as labels, in the run's order)."""
    needed = ("ceac", "ceaf", "evpi", "enmb", "expected_loss")
    if not all(ctx.run.has(key) for key in needed):
        return None
    names = list(ctx.info.strategy_names)

    def wide(key: str, column: str) -> Any:
        table = ctx.run.table(key).pivot(index="wtp", columns="strategy", values=column)
        return table[names].sort_index().to_numpy(dtype=float)

    evpi = ctx.run.table("evpi").sort_values("wtp")
    ceaf = ctx.run.table("ceaf").sort_values("wtp")
    return CEACurves(
        wtp=evpi["wtp"].to_numpy(dtype=float),
        strategies=tuple(ctx.strategy(n) for n in names),
        n_samples=int(ctx.info["n_samples"]),
        probability_best=wide("ceac", "probability"),
        optimal=np.asarray([names.index(str(s)) for s in ceaf["strategy"]], dtype=np.int64),
        ceaf=ceaf["probability"].to_numpy(dtype=float),
        enmb=wide("enmb", "enmb"),
        loss=wide("expected_loss", "expected_loss"),
        evpi=evpi["evpi"].to_numpy(dtype=float),
    )


def _ceac(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots
    from peer_econ.outputs.report.sections.common import parameter_value

    curves = _curves(ctx)
    if curves is None:
        return None
    lang = ctx.lang
    rate = parameter_value(ctx, "gbp_dkk")
    low, high = ctx.info.setting("nice_band_gbp")
    band = None if rate is None else (float(low) * rate, float(high) * rate)
    ax = plots.plot_ceac(
        curves,
        colours=_colours(ctx),
        wtp_label=lang.t("figure.wtp_per_qaly_dkk") if band else None,
        reference_band=band,
        reference_label=lang.t("figure.ceac.nice_band") if band else None,
        lang=lang,
    )
    return _figure(ax)


def _evpi(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    curves = _curves(ctx)
    if curves is None:
        return None
    factor = ctx.info.fact("population", "factor")
    ax = plots.plot_evpi(
        curves, population_factor=None if factor is None else float(factor), lang=ctx.lang
    )
    return _figure(ax)


def _expected_loss(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    curves = _curves(ctx)
    if curves is None:
        return None
    return _figure(plots.plot_expected_loss(curves, colours=_colours(ctx), lang=ctx.lang))


def _frontier(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    if not ctx.run.has("icers"):
        return None
    icers = ctx.run.table("icers")
    icers = icers.assign(strategy=[ctx.strategy(s) for s in icers["strategy"]])
    icers.attrs["strategies"] = [ctx.strategy(s) for s in ctx.info.strategy_names]
    return _figure(plots.plot_frontier(icers, colours=_colours(ctx), lang=ctx.lang))


def _sample_columns(folder: Path, columns: list[str]) -> Callable[[str], Any]:
    """A reader of one column of the per-sample table at a time."""
    parquet = folder / SAMPLE_FILES["parquet"]
    if parquet.is_file():
        return lambda column: pd.read_parquet(parquet, columns=[column])[column].to_numpy(float)
    gzip = folder / SAMPLE_FILES["csv"]
    if gzip.is_file():
        return lambda column: pd.read_csv(gzip, usecols=[column])[column].to_numpy(float)
    raise FileNotFoundError(folder / SAMPLE_FILES["parquet"])


def _plane_data(ctx: Context, incremental: bool) -> tuple[PSA, Any, Any] | None:
    """A PSA of at most :data:`MAX_POINTS` evenly spaced samples (increments vs the comparator
    when ``incremental``) and the means of all samples (cost, effect)."""
    names = list(ctx.info.strategy_names)
    try:
        read = _sample_columns(ctx.run.folder, names)
    except FileNotFoundError:
        return None
    n = int(ctx.info["n_samples"])
    rows = np.arange(n)
    if n > MAX_POINTS:
        rows = np.unique(np.linspace(0, n - 1, MAX_POINTS).round().astype(np.int64))
    reference = {"cost": 0.0, "qaly": 0.0}
    if incremental:
        reference = {kind: read(f"{kind}_{ctx.info.comparator}") for kind in reference}
    shown: dict[str, list[Any]] = {"cost": [], "qaly": []}
    means: dict[str, list[float]] = {"cost": [], "qaly": []}
    for name in names:
        for kind in ("cost", "qaly"):
            values = read(f"{kind}_{name}") - reference[kind]
            shown[kind].append(values[rows])
            means[kind].append(float(values.mean()))
    labels = tuple(ctx.strategy(n) for n in names)
    psa = PSA(np.column_stack(shown["cost"]), np.column_stack(shown["qaly"]), labels)
    return psa, np.asarray(means["cost"]), np.asarray(means["qaly"])


def _plane(ctx: Context, incremental: bool) -> Figure | None:
    from peer_econ.outputs import plots

    data = _plane_data(ctx, incremental)
    if data is None:
        return None
    psa, mean_cost, mean_effect = data
    lang = ctx.lang
    reference = ctx.in_text("strategy", ctx.info.comparator)
    ax = plots.plot_ce_plane(
        psa,
        wtp=float(ctx.info.setting("wtp_point")),
        colours=_colours(ctx),
        means=(mean_cost, mean_effect),
        cost_label=lang.t("figure.ce_plane.inc_cost", reference=reference) if incremental else None,
        effect_label=lang.t("figure.ce_plane.inc_effect", reference=reference)
        if incremental
        else None,
        title=lang.t("figure.ce_plane.title_incremental") if incremental else None,
        lang=lang,
    )
    return _figure(ax)


# --- sensitivity ---------------------------------------------------------------------------


def _tornado(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    if not ctx.run.has("tornado"):
        return None
    table = ctx.run.table("tornado")
    shown = table.assign(
        parameter=[_wrapped(ctx, "parameter", p) for p in table["parameter"]],
        strategy=[ctx.strategy(s) for s in table["strategy"]],
    )
    return _figure(plots.plot_tornado(shown, max_bars=TORNADO_BARS, lang=ctx.lang))


def _strategy_table(ctx: Context, section: str, name: str) -> tuple[str, pd.DataFrame] | None:
    """The strategy a run section was written for (run fact ``<section>.strategy``) and the
    run's table ``name``; None when the run has either missing (the figure is then left out)."""
    strategy = ctx.info.fact(section, "strategy")
    if strategy is None or not ctx.run.has(name):
        return None
    return str(strategy), ctx.run.table(name)


def _utility_durability(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    found = _strategy_table(ctx, "sensitivity", "utility_durability_grid")
    if found is None:
        return None
    strategy, grid = found
    lang = ctx.lang
    curve = ctx.run.maybe("utility_durability_threshold")
    ax = plots.plot_twsa(
        grid.assign(strategy=[ctx.strategy(s) for s in grid["strategy"]]),
        strategy=ctx.strategy(strategy),
        wtp=float(ctx.info.setting("wtp_point")),
        threshold_curve=None
        if curve is None
        else curve.assign(strategy=[ctx.strategy(s) for s in curve["strategy"]]),
        x_label=lang.t("figure.twsa.utility_gain"),
        y_label=lang.t("figure.twsa.durability_months"),
        lang=lang,
    )
    return _figure(ax)


def _scenarios_forest(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    found = _strategy_table(ctx, "scenarios", "scenarios")
    if found is None:
        return None
    strategy, table = found
    shown = table.assign(
        strategy=[ctx.strategy(s) for s in table["strategy"]],
        comparator=[ctx.in_text("strategy", s) for s in table["comparator"]],
        label=[
            ctx.info.label("scenario", code, ctx.lang.code) or str(label)
            for code, label in zip(table["scenario"], table["label"], strict=True)
        ],
    )
    ax = plots.plot_scenario_forest(shown, strategy=ctx.strategy(strategy), lang=ctx.lang)
    return _figure(ax)


# --- value of information ------------------------------------------------------------------


def _named(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(name=[_wrapped(ctx, "parameter", n) for n in frame["name"]])


def _evppi_ranking(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    if not ctx.run.has("evppi_ranking"):
        return None
    top = ctx.run.table("evppi_ranking").head(RANKING_BARS)
    return _figure(plots.plot_evppi_ranking(_named(ctx, top), lang=ctx.lang))


def _evppi_curves(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    if not (ctx.run.has("evppi") and ctx.run.has("evppi_ranking")):
        return None
    top = list(ctx.run.table("evppi_ranking")["name"].head(CURVE_LINES))
    evppi = ctx.run.table("evppi")
    curves = evppi[evppi["name"].isin(top)]
    return _figure(plots.plot_evppi_curves(_named(ctx, curves), lang=ctx.lang))


def _enbs(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    wtp = ctx.info.fact("voi", "wtp_point")
    evsi = ctx.run.maybe("evsi")
    if wtp is None or evsi is None or not len(evsi):
        return None
    at = evsi[evsi["wtp"] == float(wtp)]
    optimal = ctx.run.maybe("evsi_optimal")
    best = None if optimal is None else optimal[optimal["wtp"] == float(wtp)]
    n_opt = float(best["n_optimal"].iloc[0]) if best is not None and len(best) else None
    ax = plots.plot_enbs(at["n_per_arm"], at["enbs"], n_optimal=n_opt, lang=ctx.lang)
    return _figure(ax)


# --- budget and scale ----------------------------------------------------------------------


def _budget_years(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    found = _strategy_table(ctx, "budget", "budget_by_payer")
    if found is None:
        return None
    strategy, table = found
    rows = table[table["strategy"] == strategy].drop(columns="strategy")
    payers = {str(p): ctx.lang.t(f"payer.{p}") for p in dict.fromkeys(rows["payer"])}
    return _figure(plots.plot_budget_years(rows, labels=payers, lang=ctx.lang))


def _business_case(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    found = _strategy_table(ctx, "budget", "business_case")
    if found is None:
        return None
    strategy, table = found
    case = table[table["strategy"] == strategy]
    words = {a: ctx.lang.t(f"authority.{a}") for a in dict.fromkeys(case["authority"])}
    payback = {
        words[str(a)]: payback_year(rows["cumulative_net"].to_numpy(dtype=float))
        for a, rows in case.groupby("authority", sort=False)
    }
    shown = case.assign(authority=[words[a] for a in case["authority"]])
    return _figure(plots.plot_cumulative_net(shown, payback, lang=ctx.lang))


def _scale_curve(ctx: Context) -> Figure | None:
    from peer_econ.outputs import plots

    if not ctx.run.has("scale_curve"):
        return None
    table = ctx.run.table("scale_curve")
    shown = table.assign(strategy=[ctx.strategy(s) for s in table["strategy"]])
    return plots.plot_scale_curve(shown, colours=_colours(ctx), lang=ctx.lang)


def _ce_plane(ctx: Context) -> Figure | None:
    return _plane(ctx, incremental=False)


def _ce_plane_incremental(ctx: Context) -> Figure | None:
    return _plane(ctx, incremental=True)


#: How each figure of :data:`~peer_econ.outputs.run_files.FIGURES` is drawn from a run folder.
DRAWERS: Mapping[str, Callable[[Context], Figure | None]] = MappingProxyType(
    {
        "ce_plane": _ce_plane,
        "ce_plane_incremental": _ce_plane_incremental,
        "ceac": _ceac,
        "evpi": _evpi,
        "expected_loss": _expected_loss,
        "frontier": _frontier,
        "tornado": _tornado,
        "utility_durability": _utility_durability,
        "scenarios_forest": _scenarios_forest,
        "evppi_ranking": _evppi_ranking,
        "evppi_curves": _evppi_curves,
        "enbs": _enbs,
        "budget_years": _budget_years,
        "business_case": _business_case,
        "scale_curve": _scale_curve,
    }
)
if set(DRAWERS) != set(FIGURES):  # pragma: no cover - caught by the test suite on import
    raise ImportError(f"figure drawers {sorted(DRAWERS)} differ from FIGURES {sorted(FIGURES)}")


def draw_figures(run: RunTables, lang: Language) -> dict[str, Figure]:
    """Every figure the folder's files allow, drawn in ``lang``, by stem (a figure whose tables
    the run did not write is left out, as the report leaves out its section)."""
    ctx = Context(run, lang)
    drawn = {stem: DRAWERS[stem](ctx) for stem in FIGURES}
    return {stem: fig for stem, fig in drawn.items() if fig is not None}


def write_run_figures(folder: Path | str, lang: Language) -> list[Path]:
    """Draw the figures of a run folder from its files and save each as PNG and SVG there."""
    from peer_econ.outputs import plots

    folder = Path(folder)
    run = read_run_folder(folder)
    strategy = run.info.fact("sensitivity", "strategy")
    stems = figure_stems(None if strategy is None else str(strategy))
    written: list[Path] = []
    for key, fig in draw_figures(run, lang).items():
        written.extend(plots.save_figure(fig, folder, stems[key]))
        plots.close_figure(fig)
    return written


def figures_base64(run: RunTables, lang: Language) -> dict[str, str]:
    """The figures of a run folder drawn in ``lang`` in memory, as base64 PNG by stem (the
    bytes :func:`write_run_figures` would write)."""
    from peer_econ.outputs import plots

    out = {}
    for stem, fig in draw_figures(run, lang).items():
        out[stem] = base64.b64encode(plots.png_bytes(fig)).decode("ascii")
        plots.close_figure(fig)
    return out


def in_language(run: RunTables, lang: Language) -> RunTables:
    """``run`` with its figures in ``lang``: the folder's own PNGs when the run was written in
    ``lang``, else the figures drawn again from its files."""
    if str(run.info.get("language", "en")) == lang.code:
        return run
    return dataclasses.replace(run, figures=MappingProxyType(figures_base64(run, lang)))
