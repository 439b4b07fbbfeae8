"""Figures (matplotlib is imported only here): Axes in, Axes out.

Every plot takes a result object or table, draws on the given ``ax`` (or a new figure's axes) and
returns the Axes. Plots never compute statistics and never call ``plt.show()``; figures are built
with :class:`matplotlib.figure.Figure` directly (no pyplot state), so they are safe in scripts,
tests and servers. One colour per strategy throughout: :func:`strategy_colours` maps names in the
analysis' strategy order onto a fixed colour-blind-safe palette (Okabe-Ito, then tab10).

Every text in a figure (titles, axis labels, legends) comes from the ``figure`` part of the
message catalogue (``outputs/locale/<code>/figures.toml``) in the language passed as ``lang``
(English by default), and tick numbers carry that language's marks: amounts through Babel
(``1.234.567`` in Danish), other ticks with matplotlib's choice of decimals and the language's
decimal mark (``0,25``). Names passed in (strategies, parameters) are shown as given: callers
pass display labels in the language of the figure.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, ScalarFormatter

from peer_econ.errors import InputError
from peer_econ.outputs.language import Language

if TYPE_CHECKING:
    from peer_econ.analysis.cea import PSA, CEACurves

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
    "#8c564b",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#9467bd",
    "#2ca02c",
    "#d62728",
    "#1f77b4",
)
CEAF_COLOUR = "#333333"
FIGSIZE = (7.0, 4.8)

__all__ = [
    "PALETTE",
    "plot_ce_plane",
    "plot_ceac",
    "plot_evpi",
    "plot_expected_loss",
    "plot_frontier",
    "plot_tornado",
    "plot_twsa",
    "plot_scenario_forest",
    "plot_ceac_scenario",
    "plot_sobol",
    "plot_morris",
    "plot_delta",
    "plot_evppi_curves",
    "plot_evppi_ranking",
    "plot_enbs",
    "plot_budget_years",
    "plot_cumulative_net",
    "plot_scale_curve",
    "close_figure",
    "language_ticks",
    "money_ticks",
    "png_bytes",
    "save_axes",
    "save_figure",
    "strategy_colours",
]


def strategy_colours(strategies: Sequence[str]) -> dict[str, str]:
    """Map strategy names (in analysis order) to palette colours; cycles after 16 strategies.

    Parameters
    ----------
    strategies : sequence of str
        All strategies of the analysis, in their fixed order (e.g. ``PSA.strategies``). Pass the
        full list even when a figure shows a subset, so colours agree across figures.

    Returns
    -------
    dict of str to str
        Hex colour per strategy name.
    """
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(strategies)}


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    return fig.add_subplot()


_ENGLISH = Language("en")


def _lang(lang: Language | None) -> Language:
    return _ENGLISH if lang is None else lang


class _LanguageTicks(ScalarFormatter):
    """Matplotlib's own tick texts (its choice of decimals, offset and sign) with the decimal
    mark of a language (Babel's CLDR symbol, e.g. ``,`` in Danish)."""

    def __init__(self, lang: Language) -> None:
        from babel.numbers import get_decimal_symbol

        super().__init__()
        self._mark = str(get_decimal_symbol(lang.locale))

    def _marked(self, text: str) -> str:
        return text.replace(".", self._mark)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self._marked(super().__call__(x, pos))

    def get_offset(self) -> str:
        return self._marked(super().get_offset())


def language_ticks(lang: Language | None = None) -> ScalarFormatter:
    """Tick formatter for a linear axis of plain numbers in ``lang`` (default English)."""
    return _LanguageTicks(_lang(lang))


def money_ticks(lang: Language | None = None) -> FuncFormatter:
    """Tick formatter for amounts: whole numbers with the grouping of ``lang`` (Babel)."""
    language = _lang(lang)
    return FuncFormatter(lambda value, _pos=None: language.number(value))


def _number_axes(ax: Axes, lang: Language) -> None:
    """Give every linear axis of ``ax`` that still has matplotlib's default formatter the
    language's decimal mark (amount axes already carry :func:`money_ticks`)."""
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "linear" and type(axis.get_major_formatter()) is ScalarFormatter:
            axis.set_major_formatter(_LanguageTicks(lang))


def _colours(colours: Mapping[str, str] | None, strategies: Sequence[str]) -> Mapping[str, str]:
    return colours if colours is not None else strategy_colours(strategies)


def _style(ax: Axes, lang: Language | None = None) -> None:
    _number_axes(ax, _lang(lang))
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _plane_samples(ax: Axes, psa: PSA, cmap: Mapping[str, str], max_points: int) -> None:
    """Scatter at most ``max_points`` evenly spaced samples per strategy (the same sample
    indices for every strategy), rasterised so a large PSA stays a small file."""
    n = psa.n_samples
    if n > max_points:
        rows = np.unique(np.linspace(0, n - 1, max(int(max_points), 1)).round().astype(np.int64))
    else:
        rows = np.arange(n)
    for j, name in enumerate(psa.strategies):
        ax.scatter(
            psa.effect[rows, j],
            psa.cost[rows, j],
            s=4,
            alpha=0.25,
            color=cmap[name],
            linewidths=0,
            rasterized=True,
        )


def _wtp_line(
    ax: Axes,
    strategies: Sequence[str],
    mean_cost: Any,
    mean_effect: Any,
    wtp: float,
    language: Language,
) -> None:
    """A line of slope ``wtp`` [currency/effect unit] through the mean of the cheapest strategy
    (most effective, then first by name, on ties)."""
    ref = min(
        range(len(strategies)),
        key=lambda j: (mean_cost[j], -mean_effect[j], strategies[j]),
    )
    ax.axline(
        (float(mean_effect[ref]), float(mean_cost[ref])),
        slope=wtp,
        color="#555555",
        linestyle="--",
        linewidth=1,
        label=language.t("figure.ce_plane.wtp_line", wtp=language.number(wtp)),
    )


def plot_ce_plane(
    psa: PSA,
    *,
    wtp: float | None = None,
    ax: Axes | None = None,
    max_points: int = 5_000,
    colours: Mapping[str, str] | None = None,
    cost_label: str | None = None,
    effect_label: str | None = None,
    title: str | None = None,
    means: tuple[Any, Any] | None = None,
    lang: Language | None = None,
) -> Axes:
    """Cost-effectiveness plane: samples, means and a WTP line.

    Parameters
    ----------
    psa : peer_econ.analysis.PSA
        Validated PSA output.
    wtp : float, optional
        Draw a line of slope ``wtp`` [currency/effect unit] through the mean of the cheapest
        strategy (first in tie-break order).
    ax : matplotlib.axes.Axes, optional
    max_points : int
        At most this many samples per strategy are drawn (evenly spaced sample indices, the same
        for every strategy); the scatter is rasterised, so a 100,000-sample plane stays small.
        Means are always those of all samples.
    colours : mapping of str to str, optional
        Colour per strategy; default :func:`strategy_colours` of ``psa.strategies``.
    cost_label, effect_label, title : str, optional
        Axis labels and title (default: the catalogue's, per person and in QALYs).
    means : (array, array), optional
        Mean cost and effect per strategy, each ``(n_strategies,)``, when ``psa`` holds a
        subsample of the PSA (the means shown are then those of all samples); default the
        means of ``psa``.
    lang : Language, optional
        Language of the texts and ticks (default English).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    language = _lang(lang)
    cmap = _colours(colours, psa.strategies)
    _plane_samples(ax, psa, cmap, max_points)
    mean_cost, mean_effect = (psa.mean_cost, psa.mean_effect) if means is None else means
    for j, name in enumerate(psa.strategies):
        ax.scatter(
            [mean_effect[j]],
            [mean_cost[j]],
            s=60,
            color=cmap[name],
            edgecolors="black",
            linewidths=0.8,
            zorder=3,
            label=name,
        )
    if wtp is not None:
        _wtp_line(ax, psa.strategies, mean_cost, mean_effect, float(wtp), language)
    ax.set_xlabel(effect_label or language.t("figure.ce_plane.effect", effect="QALY"))
    ax.set_ylabel(cost_label or language.t("figure.ce_plane.cost"))
    ax.yaxis.set_major_formatter(money_ticks(language))
    ax.set_title(title or language.t("figure.ce_plane.title"))
    ax.legend(loc="best", fontsize="small", frameon=False)
    _style(ax, language)
    return ax


def plot_ceac(
    curves: CEACurves,
    *,
    ax: Axes | None = None,
    colours: Mapping[str, str] | None = None,
    wtp_label: str | None = None,
    reference_band: tuple[float, float] | None = None,
    reference_label: str | None = None,
    lang: Language | None = None,
) -> Axes:
    """CEAC of every strategy with the CEAF marked.

    Parameters
    ----------
    curves : peer_econ.analysis.CEACurves
    ax : matplotlib.axes.Axes, optional
    colours : mapping of str to str, optional
    wtp_label : str, optional
        x-axis label (default: willingness to pay per QALY).
    reference_band : (float, float), optional
        A WTP range to shade, e.g. a threshold used elsewhere [currency per effect unit].
    reference_label : str, optional
        Legend text of the band.
    lang : Language, optional
        Language of the texts and ticks (default English).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    language = _lang(lang)
    cmap = _colours(colours, curves.strategies)
    for j, name in enumerate(curves.strategies):
        ax.plot(curves.wtp, curves.probability_best[:, j], color=cmap[name], lw=1.6, label=name)
    ax.plot(
        curves.wtp,
        curves.ceaf,
        color=CEAF_COLOUR,
        lw=4,
        alpha=0.25,
        solid_capstyle="butt",
        label=language.t("figure.ceac.ceaf"),
        zorder=1,
    )
    if reference_band is not None:
        band_label = reference_label or language.t("figure.ceac.reference")
        ax.axvspan(*reference_band, color="#999999", alpha=0.15, lw=0, label=band_label)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(wtp_label or language.t("figure.wtp_per_effect", effect="QALY"))
    ax.set_ylabel(language.t("figure.ceac.probability"))
    ax.xaxis.set_major_formatter(money_ticks(language))
    ax.set_title(language.t("figure.ceac.title"))
    ax.legend(loc="best", fontsize="small", frameon=False)
    _style(ax, language)
    return ax


def plot_evpi(
    curves: CEACurves,
    *,
    population_factor: float | None = None,
    ax: Axes | None = None,
    wtp_label: str | None = None,
    lang: Language | None = None,
) -> Axes:
    """Per-person EVPI curve, with a population EVPI axis when a population factor is given.

    Parameters
    ----------
    curves : peer_econ.analysis.CEACurves
    population_factor : float, optional
        Discounted population (see :func:`peer_econ.analysis.discounted_population`), > 0; adds
        a right-hand axis in population EVPI [currency] (a rescaled axis, no new statistic).
    ax : matplotlib.axes.Axes, optional
    wtp_label : str, optional
    lang : Language, optional
        Language of the texts and ticks (default English).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    language = _lang(lang)
    per_person = language.t("figure.evpi.per_person")
    ax.plot(curves.wtp, curves.evpi, color=CEAF_COLOUR, lw=1.8, label=per_person)
    ax.set_xlabel(wtp_label or language.t("figure.wtp_per_effect", effect="QALY"))
    ax.set_ylabel(per_person)
    ax.xaxis.set_major_formatter(money_ticks(language))
    ax.yaxis.set_major_formatter(money_ticks(language))
    ax.set_ylim(bottom=0)
    if population_factor is not None:
        factor = float(population_factor)
        if not factor > 0:
            raise InputError(f"population_factor: {population_factor!r}; give a number > 0")

        def forward(values: Any) -> Any:
            return np.asarray(values, dtype=np.float64) * factor

        def inverse(values: Any) -> Any:
            return np.asarray(values, dtype=np.float64) / factor

        sec = ax.secondary_yaxis("right", functions=(forward, inverse))
        sec.set_ylabel(language.t("figure.evpi.population"))
        sec.yaxis.set_major_formatter(money_ticks(language))
    ax.set_title(language.t("figure.evpi.title"))
    _style(ax, language)
    return ax


def plot_expected_loss(
    curves: CEACurves,
    *,
    ax: Axes | None = None,
    colours: Mapping[str, str] | None = None,
    wtp_label: str | None = None,
    lang: Language | None = None,
) -> Axes:
    """Expected loss curves of every strategy; the lower envelope is the EVPI.

    Parameters
    ----------
    curves : peer_econ.analysis.CEACurves
    ax : matplotlib.axes.Axes, optional
    colours : mapping of str to str, optional
    wtp_label : str, optional
    lang : Language, optional
        Language of the texts and ticks (default English).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    language = _lang(lang)
    cmap = _colours(colours, curves.strategies)
    for j, name in enumerate(curves.strategies):
        ax.plot(curves.wtp, curves.loss[:, j], color=cmap[name], lw=1.6, label=name)
    evpi = language.t("figure.loss.evpi")
    ax.plot(curves.wtp, curves.evpi, color=CEAF_COLOUR, lw=4, alpha=0.25, label=evpi, zorder=1)
    ax.set_xlabel(wtp_label or language.t("figure.wtp_per_effect", effect="QALY"))
    ax.set_ylabel(language.t("figure.loss.per_person"))
    ax.xaxis.set_major_formatter(money_ticks(language))
    ax.yaxis.set_major_formatter(money_ticks(language))
    ax.set_ylim(bottom=0)
    ax.set_title(language.t("figure.loss.title"))
    ax.legend(loc="best", fontsize="small", frameon=False)
    _style(ax, language)
    return ax


def plot_frontier(
    icers: pd.DataFrame,
    *,
    ax: Axes | None = None,
    colours: Mapping[str, str] | None = None,
    cost_label: str | None = None,
    effect_label: str | None = None,
    lang: Language | None = None,
) -> Axes:
    """Cost-effectiveness frontier: mean cost and effect of each strategy, frontier joined.

    Parameters
    ----------
    icers : pandas.DataFrame
        Output of :func:`peer_econ.analysis.icer_table` (columns ``strategy, cost, effect,
        status``).
    ax : matplotlib.axes.Axes, optional
    colours : mapping of str to str, optional
        Default: :func:`strategy_colours` of ``icers.attrs["strategies"]`` (the analysis order,
        set by ``icer_table``), else of the table's row order.
    cost_label, effect_label : str, optional
    lang : Language, optional
        Language of the texts and ticks (default English).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    language = _lang(lang)
    words = {code: language.t(f"figure.frontier.{code}") for code in ("ND", "D", "ED")}
    order: Sequence[str] = icers.attrs.get("strategies", list(icers["strategy"]))
    cmap = _colours(colours, order)
    front = icers[icers["status"] == "ND"]
    ax.plot(front["effect"], front["cost"], color=CEAF_COLOUR, lw=1.2, zorder=1,
            label=language.t("figure.frontier.line"))  # fmt: skip
    markers = {"ND": "o", "D": "X", "ED": "s"}
    for row in icers.itertuples(index=False):
        data: Any = row
        ax.scatter(
            [data.effect],
            [data.cost],
            s=70,
            marker=markers.get(str(data.status), "o"),
            color=cmap.get(str(data.strategy), "#888888"),
            edgecolors="black",
            linewidths=0.6,
            zorder=3,
            label=language.t(
                "figure.frontier.point",
                strategy=data.strategy,
                status=words.get(str(data.status), str(data.status)),
            ),
        )
    ax.set_xlabel(effect_label or language.t("figure.frontier.effect", effect="QALY"))
    ax.set_ylabel(cost_label or language.t("figure.frontier.cost"))
    ax.yaxis.set_major_formatter(money_ticks(language))
    ax.set_title(language.t("figure.frontier.title"))
    ax.legend(loc="best", fontsize="small", frameon=False)
    _style(ax, language)
    return ax


def save_figure(fig: Figure, folder: Path | str, stem: str, *, dpi: int = 150) -> tuple[Path, Path]:
    """Save a figure as ``<stem>.png`` and ``<stem>.svg`` in ``folder``.

    SVG output carries no date and fixed element ids, so identical figures give identical files.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    folder : Path or str
        Existing folder.
    stem : str
        File name without extension.
    dpi : int
        PNG resolution [dots per inch] (also used for rasterised layers in the SVG).

    Returns
    -------
    tuple of Path
        The PNG and SVG paths.
    """
    folder = Path(folder)
    png = folder / f"{stem}.png"
    svg = folder / f"{stem}.svg"
    png.write_bytes(png_bytes(fig, dpi=dpi))
    with matplotlib.rc_context(
        {"svg.hashsalt": "peer_econ", "svg.fonttype": "path", "text.parse_math": False}
    ):
        fig.savefig(svg, dpi=dpi, metadata={"Date": None, "Creator": None})
    return png, svg


# --- sensitivity analysis ------------------------------------------------------------------


def _sens_axes(ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def as_written(fig: Any) -> None:
    """Show every text of ``fig`` as written, ``$`` included.

    Labels come from the user's inputs (``strategies.csv``, ``labels.csv``): a label holding two
    ``$`` would otherwise be read as a formula, and one that is not valid mathtext stops the
    drawing with an error. Texts made while drawing (tick labels) get the same setting from
    ``text.parse_math`` off around ``savefig``.
    """
    for text in fig.findobj(Text):
        text.set_parse_math(False)


def png_bytes(fig: Any, *, dpi: int = 150) -> bytes:
    """The PNG of ``fig`` as :func:`save_figure` writes it: texts as written
    (:func:`as_written`), no software tag (same bytes for the same figure)."""
    as_written(fig)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"text.parse_math": False}):
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def close_figure(fig: Any) -> None:
    """Release a figure's drawing resources (figures here are not registered with pyplot)."""
    fig.clear()


def plot_tornado(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    max_bars: int = 15,
    lang: Language | None = None,
) -> Axes:
    """Tornado of one strategy from ``OwsaResult.tornado()`` (already ordered by swing).

    Bars run from the base outcome to the outcome at the low (light) and high (dark) end of
    each parameter's range; the vertical line marks the base value. Range ends are shown to
    three significant figures in ``lang`` (default English).
    """
    language = _lang(lang)
    ax = _sens_axes(ax, (7.0, 0.35 * min(len(table), max_bars) + 1.5))
    t = table.head(max_bars).iloc[::-1]
    y = np.arange(len(t))
    base = float(t["base_outcome"].iloc[0]) if len(t) else 0.0
    lo = t["outcome_low"].to_numpy() - base
    hi = t["outcome_high"].to_numpy() - base
    ax.barh(y, lo, left=base, color="#9ecae1", label=language.t("figure.tornado.low"))
    ax.barh(y, hi, left=base, color="#3182bd", label=language.t("figure.tornado.high"))
    ax.axvline(base, color="black", linewidth=1, label=language.t("figure.tornado.base"))
    ax.axvline(0.0, color="grey", linewidth=0.8, linestyle=":")
    labels = [
        language.t(
            "figure.tornado.tick",
            parameter=p,
            low=language.significant(lo_v),
            high=language.significant(hi_v),
        )
        for p, lo_v, hi_v in zip(t["parameter"], t["low"], t["high"], strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=8)
    outcome = str(t["outcome"].iloc[0]) if len(t) else "inmb"
    key = f"figure.tornado.{outcome}"
    ax.set_xlabel(language.t(key) if _ENGLISH.has(key) else outcome)
    if outcome in ("inmb", "inc_cost"):
        ax.xaxis.set_major_formatter(money_ticks(language))
    if len(t):
        ax.set_title(language.t("figure.tornado.title", strategy=t["strategy"].iloc[0]))
    ax.legend(fontsize=7, loc="lower right")
    _number_axes(ax, language)
    return ax


def plot_twsa(
    grid: pd.DataFrame,
    *,
    strategy: str,
    wtp: float,
    threshold_curve: pd.DataFrame | None = None,
    x_label: str = "x",
    y_label: str = "y",
    ax: Axes | None = None,
    lang: Language | None = None,
) -> Axes:
    """Heat map of INMB over a two-way grid (``TwsaResult.grid``) with break-even curves.

    The INMB = 0 contour is drawn from the grid; threshold curves (``TwsaResult.threshold_curve``)
    are overlaid, one line per WTP. Texts and ticks in ``lang`` (default English).
    """
    language = _lang(lang)
    ax = _sens_axes(ax)
    g = grid[(grid["strategy"] == strategy) & (grid["wtp"] == wtp)]
    pivot = g.pivot(index="y_value", columns="x_value", values="inmb")
    xs, ys, z = pivot.columns.to_numpy(), pivot.index.to_numpy(), pivot.to_numpy()
    lim = float(np.nanmax(np.abs(z))) or 1.0
    mesh = ax.pcolormesh(xs, ys, z, cmap="RdBu", vmin=-lim, vmax=lim, shading="nearest")
    bar = ax.figure.colorbar(
        mesh, ax=ax, label=language.t("figure.twsa.colour", wtp=language.number(wtp))
    )
    bar.ax.yaxis.set_major_formatter(money_ticks(language))
    if z.shape[0] > 1 and z.shape[1] > 1 and np.nanmin(z) < 0 < np.nanmax(z):
        ax.contour(xs, ys, z, levels=[0.0], colors="black", linewidths=1.2)
    if threshold_curve is not None:
        tc = threshold_curve[threshold_curve["strategy"] == strategy]
        for w, sub in tc.groupby("wtp"):
            sub = sub.sort_values("y_value")
            ax.plot(
                sub["x_threshold"],
                sub["y_value"],
                linestyle="--",
                linewidth=1.2,
                label=language.t("figure.twsa.break_even", wtp=language.number(w)),
            )
        ax.set_xlim(xs.min(), xs.max())
        if len(tc):
            ax.legend(fontsize=7, loc="upper right")
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(language.t("figure.twsa.title", strategy=strategy))
    _number_axes(ax, language)
    return ax


def plot_scenario_forest(
    summary: pd.DataFrame,
    *,
    strategy: str,
    ax: Axes | None = None,
    lang: Language | None = None,
) -> Axes:
    """Forest plot of scenarios (``ScenarioResult.summary``): PSA mean INMB with 95% interval,
    deterministic INMB as an open marker, the base case as a reference line; row labels from
    the ``label`` column, texts and ticks in ``lang`` (default English)."""
    language = _lang(lang)
    s = summary[summary["strategy"] == strategy].iloc[::-1]
    ax = _sens_axes(ax, (7.0, 0.3 * len(s) + 1.5))
    y = np.arange(len(s))
    mean = s["psa_inmb"].to_numpy()
    err = np.vstack([mean - s["psa_inmb_low"].to_numpy(), s["psa_inmb_high"].to_numpy() - mean])
    ax.errorbar(
        mean, y, xerr=err, fmt="o", color="#3182bd", capsize=2,
        label=language.t("figure.scenarios.psa_mean"),
    )  # fmt: skip
    ax.plot(s["det_inmb"], y, "o", mfc="none", color="black",
            label=language.t("figure.scenarios.deterministic"))  # fmt: skip
    ax.axvline(0.0, color="grey", linestyle=":")
    if "base" in set(s["scenario"]):
        ax.axvline(
            float(s.loc[s["scenario"] == "base", "psa_inmb"].iloc[0]),
            color="#3182bd",
            linewidth=0.8,
        )
    ax.set_yticks(y, s["label"], fontsize=8)
    wtp = float(s["wtp"].iloc[0]) if len(s) else 0.0
    comparator = s["comparator"].iloc[0] if len(s) else ""
    ax.set_xlabel(
        language.t("figure.scenarios.inmb", comparator=comparator, wtp=language.number(wtp))
    )
    ax.xaxis.set_major_formatter(money_ticks(language))
    ax.set_title(language.t("figure.scenarios.title", strategy=strategy))
    ax.legend(fontsize=7, loc="lower right")
    return ax


def plot_ceac_scenario(
    ceac: pd.DataFrame,
    *,
    wtp: float | None = None,
    ax: Axes | None = None,
    lang: Language | None = None,
) -> Axes:
    """CEAC of one scenario (rows of ``ScenarioResult.ceac`` for that scenario)."""
    language = _lang(lang)
    ax = _sens_axes(ax)
    for strategy, sub in ceac.groupby("strategy", sort=False):
        ax.plot(sub["wtp"], sub["prob_best"], label=str(strategy))
    if wtp is not None:
        ax.axvline(wtp, color="grey", linestyle=":", linewidth=0.8)
    ax.set_ylim(0, 1)
    ax.set_xlabel(language.t("figure.wtp_dkk_per_qaly"))
    ax.set_ylabel(language.t("figure.scenarios.probability_best"))
    if len(ceac):
        ax.set_title(str(ceac["scenario"].iloc[0]))
    ax.legend(fontsize=7)
    _number_axes(ax, language)
    return ax


def _sens_bars(
    frame: pd.DataFrame, cols: Sequence[tuple[str, str | None, str]], ax: Axes, max_bars: int
) -> None:
    f = frame.head(max_bars)
    y = np.arange(len(f))
    h = 0.8 / len(cols)
    for i, (col, conf, label) in enumerate(cols):
        xerr = f[conf].to_numpy() if conf else None
        ax.barh(y + i * h, f[col].to_numpy(), height=h, xerr=xerr, label=label, capsize=2)
    ax.set_yticks(y + h * (len(cols) - 1) / 2, f["parameter"], fontsize=8)
    ax.invert_yaxis()
    ax.legend(fontsize=7)


def plot_sobol(
    indices: pd.DataFrame,
    *,
    output: str,
    ax: Axes | None = None,
    max_bars: int = 15,
    lang: Language | None = None,
) -> Axes:
    """Bar chart of first-order and total Sobol indices with confidence intervals
    (``SobolResult.indices``), ordered by total index."""
    language = _lang(lang)
    f = indices[indices["output"] == output].sort_values("ST", ascending=False)
    ax = _sens_axes(ax, (7.0, 0.3 * min(len(f), max_bars) + 1.5))
    bars = [
        ("S1", "S1_conf", language.t("figure.gsa.first_order")),
        ("ST", "ST_conf", language.t("figure.gsa.total")),
    ]
    _sens_bars(f, bars, ax, max_bars)
    ax.set_xlabel(language.t("figure.gsa.sobol"))
    ax.set_title(output)
    _number_axes(ax, language)
    return ax


def plot_morris(
    indices: pd.DataFrame,
    *,
    output: str,
    ax: Axes | None = None,
    max_bars: int = 15,
    lang: Language | None = None,
) -> Axes:
    """Morris mu* (with interval) and sigma bars (``ScreeningResult.indices``)."""
    language = _lang(lang)
    f = indices[indices["output"] == output].sort_values("mu_star", ascending=False)
    ax = _sens_axes(ax, (7.0, 0.3 * min(len(f), max_bars) + 1.5))
    bars = [
        ("mu_star", "mu_star_conf", language.t("figure.gsa.mu_star")),
        ("sigma", None, language.t("figure.gsa.sigma")),
    ]
    _sens_bars(f, bars, ax, max_bars)
    ax.set_xlabel(language.t("figure.gsa.elementary_effect"))
    ax.set_title(output)
    _number_axes(ax, language)
    return ax


def plot_delta(
    indices: pd.DataFrame,
    *,
    output: str,
    ax: Axes | None = None,
    max_bars: int = 15,
    lang: Language | None = None,
) -> Axes:
    """Delta moment-independent measure and S1 bars (``ScreeningResult.indices``)."""
    language = _lang(lang)
    f = indices[indices["output"] == output].sort_values("delta", ascending=False)
    ax = _sens_axes(ax, (7.0, 0.3 * min(len(f), max_bars) + 1.5))
    bars = [
        ("delta", "delta_conf", language.t("figure.gsa.delta")),
        ("S1", "S1_conf", language.t("figure.gsa.s1")),
    ]
    _sens_bars(f, bars, ax, max_bars)
    ax.set_xlabel(language.t("figure.gsa.index"))
    ax.set_title(output)
    _number_axes(ax, language)
    return ax


# --- value of information ------------------------------------------------------------------


def plot_evppi_curves(
    curves: pd.DataFrame,
    *,
    names: Sequence[str] | None = None,
    ax: Axes | None = None,
    lang: Language | None = None,
) -> Axes:
    """EVPPI [currency per person] against WTP, one line per parameter or group, EVPI dashed.

    ``curves`` is the table of :func:`peer_econ.analysis.voi.evppi_curves` (or
    ``EVPPIResult.to_frame()``); ``names`` selects and orders the lines. Texts and ticks in
    ``lang`` (default English).
    """
    language = _lang(lang)
    ax = _sens_axes(ax)
    keep = list(dict.fromkeys(curves["name"])) if names is None else list(names)
    for name in keep:
        sub = curves[curves["name"] == name].sort_values("wtp")
        ax.plot(sub["wtp"], sub["evppi"], label=str(name))
        if "se" in sub and sub["se"].notna().any():
            lo = np.maximum(sub["evppi"] - 1.96 * sub["se"], 0.0)
            ax.fill_between(sub["wtp"], lo, sub["evppi"] + 1.96 * sub["se"], alpha=0.2)
    if keep:
        first = curves[curves["name"] == keep[0]].sort_values("wtp")
        ax.plot(first["wtp"], first["evpi"], color="black", linestyle="--",
                label=language.t("figure.voi.evpi"))  # fmt: skip
    ax.xaxis.set_major_formatter(money_ticks(language))
    ax.set_xlabel(language.t("figure.voi.wtp"))
    ax.set_ylabel(language.t("figure.voi.per_person"))
    ax.set_title(language.t("figure.voi.evppi_title"))
    ax.legend(fontsize="small", frameon=False)
    _style(ax, language)
    return ax


def plot_evppi_ranking(
    ranking: pd.DataFrame, *, top: int = 15, ax: Axes | None = None, lang: Language | None = None
) -> Axes:
    """Horizontal bars of EVPPI at one WTP, largest at the top (``evppi_ranking`` table);
    groups orange, single parameters blue, EVPI as a dashed line."""
    language = _lang(lang)
    tab = ranking.head(top).iloc[::-1]
    ax = _sens_axes(ax, (7.0, 0.35 * len(tab) + 1.5))
    kinds = tab["kind"] if "kind" in tab else pd.Series(["parameter"] * len(tab))
    colours = [PALETTE[4] if k == "group" else PALETTE[0] for k in kinds]
    has_se = "se" in tab and bool(tab["se"].notna().any())
    xerr = (1.96 * tab["se"]).to_numpy() if has_se else None
    ax.barh(tab["name"].astype(str), tab["evppi"], xerr=xerr, color=colours)
    if "evpi" in tab and len(tab):
        ax.axvline(float(tab["evpi"].iloc[0]), color="black", linestyle="--", linewidth=1,
                   label=language.t("figure.voi.evpi"))  # fmt: skip
        ax.legend(fontsize="small", frameon=False)
    ax.xaxis.set_major_formatter(money_ticks(language))
    ax.set_xlabel(language.t("figure.voi.evppi_per_person"))
    ax.set_title(language.t("figure.voi.ranking_title"))
    _style(ax, language)
    return ax


def plot_enbs(
    n_per_arm: Any,
    enbs_values: Any,
    *,
    n_optimal: float | None = None,
    ax: Axes | None = None,
    lang: Language | None = None,
) -> Axes:
    """Expected net benefit of sampling [currency] against participants per arm (one WTP)."""
    language = _lang(lang)
    ax = _sens_axes(ax, (6.5, 4.2))
    n = np.asarray(n_per_arm, dtype=float)
    e = np.asarray(enbs_values, dtype=float)
    ax.plot(n, e, marker="o", color=PALETTE[0])
    ax.axhline(0.0, color="grey", linewidth=0.8)
    if n_optimal is not None and n_optimal > 0:
        optimal = language.t("figure.voi.optimal_n", n=language.significant(n_optimal, 6))
        ax.axvline(n_optimal, color=PALETTE[1], linestyle=":", label=optimal)
        ax.legend(fontsize="small", frameon=False)
    ax.yaxis.set_major_formatter(money_ticks(language))
    ax.set_xlabel(language.t("figure.voi.participants"))
    ax.set_ylabel(language.t("figure.voi.enbs"))
    ax.set_title(language.t("figure.voi.enbs_title"))
    _style(ax, language)
    return ax


# --- budget impact ---------------------------------------------------------------------------


def save_axes(ax: Axes, folder: Path | str, stem: str) -> tuple[Path, Path]:
    """Save the figure that holds ``ax`` as PNG and SVG (see :func:`save_figure`)."""
    fig = ax.get_figure()
    if not isinstance(fig, Figure):
        raise InputError(f"figure '{stem}': the axes belong to no figure")
    return save_figure(fig, folder, stem)


def plot_budget_years(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    lang: Language | None = None,
) -> Axes:
    """Stacked yearly budget by payer from a ``budget_by_payer`` table.

    Spending stacks upward from zero and savings (negative totals) downward, so no payer hides
    another; in-kind contributions are hatched; the total over payers is a black marker with its
    95 % interval. The value axis always includes zero and every bar (never cut). ``labels``
    gives payer names; texts and ticks in ``lang`` (default English).
    """
    language = _lang(lang)
    ax = _sens_axes(ax, (7.0, 4.2))
    names = dict(labels or {})
    years = [y for y in dict.fromkeys(table["year"]) if y != "all"]
    payers = [p for p in dict.fromkeys(table["payer"]) if p != "total"]
    x = np.arange(len(years), dtype=float)
    up, down = np.zeros(len(years)), np.zeros(len(years))
    for i, payer in enumerate(payers):
        rows = table[(table["payer"] == payer)].set_index("year").loc[years]
        colour = PALETTE[i % len(PALETTE)]
        name = names.get(payer, payer)
        kinds = (
            ("cash", None, name),
            ("in_kind", "//", language.t("figure.budget.in_kind", payer=name)),
        )
        for column, hatch, label in kinds:
            values = rows[column].to_numpy(dtype=float)
            if not np.any(values != 0):
                continue
            base = np.where(values >= 0, up, down)
            ax.bar(x, values, bottom=base, color=colour, hatch=hatch, edgecolor="white",
                   alpha=0.6 if hatch else 1.0, label=label)  # fmt: skip
            up = up + np.where(values >= 0, values, 0.0)
            down = down + np.where(values < 0, values, 0.0)
    total = table[table["payer"] == "total"].set_index("year").loc[years]
    mean = total["total"].to_numpy(dtype=float)
    err = np.vstack([mean - total["total_lower"], total["total_upper"] - mean])
    ax.errorbar(x, mean, yerr=err, fmt="o", color="black", capsize=3, markersize=4,
                label=language.t("figure.budget.net_total"))  # fmt: skip
    low = min(0.0, float(down.min()), float(total["total_lower"].min()))
    high = max(0.0, float(up.max()), float(total["total_upper"].max()))
    pad = 0.08 * (high - low or 1.0)
    ax.set_ylim(low - (pad if low < 0 else 0.0), high + pad)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks(x, [str(y) for y in years])
    ax.yaxis.set_major_formatter(money_ticks(language))
    ax.set_xlabel(language.t("figure.budget.year"))
    ax.set_ylabel(language.t("figure.budget.spending"))
    ax.set_title(language.t("figure.budget.title"))
    ax.legend(fontsize="small", frameon=False)
    _style(ax, language)
    return ax


def plot_cumulative_net(
    table: pd.DataFrame,
    payback: Mapping[str, int | None],
    *,
    ax: Axes | None = None,
    lang: Language | None = None,
) -> Axes:
    """Cumulative net result by authority (``business_case`` table) with 95 % bands and the
    payback year of each authority marked where there is one; texts and ticks in ``lang``
    (default English)."""
    language = _lang(lang)
    ax = _sens_axes(ax, (7.0, 4.2))
    for i, (authority, rows) in enumerate(table.groupby("authority", sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        years = rows["year"].to_numpy(dtype=float)
        ax.fill_between(years, rows["cumulative_lower"], rows["cumulative_upper"], color=colour,
                        alpha=0.15, linewidth=0)  # fmt: skip
        ax.plot(years, rows["cumulative_net"], marker="o", color=colour, label=str(authority))
        year = payback.get(str(authority))
        if year is not None:
            ax.axvline(year, color=colour, linestyle=":", linewidth=1.0)
            words = language.t("figure.budget.pays_back", year=year)
            ax.annotate(words, (year, 0.0), xytext=(4, 6), textcoords="offset points",
                        color=colour, fontsize="small")  # fmt: skip
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.yaxis.set_major_formatter(money_ticks(language))
    ax.set_xlabel(language.t("figure.budget.year"))
    ax.set_ylabel(language.t("figure.budget.cumulative"))
    ax.set_title(language.t("figure.budget.business_title"))
    ax.legend(fontsize="small", frameon=False)
    _style(ax, language)
    return ax


# --- delivery scale ------------------------------------------------------------------------


def plot_scale_curve(
    table: pd.DataFrame,
    *,
    colours: Mapping[str, str] | None = None,
    lang: Language | None = None,
) -> Figure:
    """Three panels from a scale-curve table (``peer_econ.runs.scale_curve.scale_curve``): cost
    per participant with its 95 % PSA interval and the ICER against courses per municipality
    per year, and cost per participant against the number of municipalities.

    Points where the ICER is not a trade-off (dominant or dominated) are left out of the ICER
    panel rather than drawn as negative numbers. Texts and ticks in ``lang`` (default English).
    """
    language = _lang(lang)
    fig = Figure(figsize=(12.0, 4.2), layout="constrained")
    cost_ax, icer_ax, town_ax = fig.subplots(1, 3)
    strategies = list(dict.fromkeys(table["strategy"]))
    palette = _colours(colours, strategies)
    for name in strategies:
        colour = palette.get(name, "#333333")
        rows = table[(table["strategy"] == name) & (table["axis"] != "municipalities")]
        x = rows["value"].to_numpy(dtype=float)
        cost_ax.plot(x, rows["cost"], color=colour, label=name, marker="o", markersize=3)
        cost_ax.fill_between(x, rows["cost_p2_5"], rows["cost_p97_5"], color=colour, alpha=0.12)
        icer = rows["icer"].to_numpy(dtype=float)
        icer_ax.plot(x, np.where(icer > 0, icer, np.nan), color=colour, marker="o", markersize=3)
        towns = table[(table["strategy"] == name) & (table["axis"] == "municipalities")]
        town_ax.plot(towns["value"], towns["cost"], color=colour, marker="o", markersize=3)
    cost_ax.set_xlabel(language.t("figure.scale.courses"))
    cost_ax.set_ylabel(language.t("figure.scale.cost"))
    icer_ax.set_xlabel(language.t("figure.scale.courses"))
    icer_ax.set_ylabel(language.t("figure.scale.icer"))
    town_ax.set_xlabel(language.t("figure.scale.municipalities"))
    town_ax.set_xscale("log")
    town_ax.set_ylabel(language.t("figure.scale.cost_mean"))
    for ax in (cost_ax, icer_ax, town_ax):
        ax.yaxis.set_major_formatter(money_ticks(language))
        _style(ax, language)
    cost_ax.legend(fontsize="small", frameon=False)
    return fig
