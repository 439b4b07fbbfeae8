"""Figures (matplotlib is imported only here): Axes in, Axes out.

Every plot takes a result object or table, draws on the given ``ax`` (or a new figure's axes) and
returns the Axes. Plots never compute statistics and never call ``plt.show()``; figures are built
with :class:`matplotlib.figure.Figure` directly (no pyplot state), so they are safe in scripts,
tests and servers. One colour per strategy throughout: :func:`strategy_colours` maps names in the
analysis' strategy order onto a fixed colour-blind-safe palette (Okabe-Ito, then tab10).
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
from matplotlib.ticker import FuncFormatter

from peer_econ.errors import InputError

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


def _money(value: float, _pos: int | None = None) -> str:
    return f"{value:,.0f}"


def _colours(colours: Mapping[str, str] | None, strategies: Sequence[str]) -> Mapping[str, str]:
    return colours if colours is not None else strategy_colours(strategies)


def _style(ax: Axes) -> None:
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def plot_ce_plane(
    psa: PSA,
    *,
    wtp: float | None = None,
    ax: Axes | None = None,
    max_points: int = 5_000,
    colours: Mapping[str, str] | None = None,
    cost_label: str = "Cost per person",
    effect_label: str = "Effect per person (QALY)",
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
    cost_label, effect_label : str
        Axis labels.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    cmap = _colours(colours, psa.strategies)
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
    for j, name in enumerate(psa.strategies):
        ax.scatter(
            [psa.mean_effect[j]],
            [psa.mean_cost[j]],
            s=60,
            color=cmap[name],
            edgecolors="black",
            linewidths=0.8,
            zorder=3,
            label=name,
        )
    if wtp is not None:
        ref = int(psa.rank[0])
        x0, y0 = float(psa.mean_effect[ref]), float(psa.mean_cost[ref])
        ax.axline(
            (x0, y0),
            slope=float(wtp),
            color="#555555",
            linestyle="--",
            linewidth=1,
            label=f"WTP {float(wtp):,.0f} (line through the cheapest mean)",
        )
    ax.set_xlabel(effect_label)
    ax.set_ylabel(cost_label)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_title("Cost-effectiveness plane")
    ax.legend(loc="best", fontsize="small", frameon=False)
    _style(ax)
    return ax


def plot_ceac(
    curves: CEACurves,
    *,
    ax: Axes | None = None,
    colours: Mapping[str, str] | None = None,
    wtp_label: str = "Willingness to pay per QALY",
    reference_band: tuple[float, float] | None = None,
    reference_label: str = "reference range",
) -> Axes:
    """CEAC of every strategy with the CEAF marked.

    Parameters
    ----------
    curves : peer_econ.analysis.CEACurves
    ax : matplotlib.axes.Axes, optional
    colours : mapping of str to str, optional
    wtp_label : str
        x-axis label.
    reference_band : (float, float), optional
        A WTP range to shade, e.g. a threshold used elsewhere [currency per effect unit].
    reference_label : str
        Legend text of the band.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
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
        label="CEAF (highest expected NMB)",
        zorder=1,
    )
    if reference_band is not None:
        ax.axvspan(*reference_band, color="#999999", alpha=0.15, lw=0, label=reference_label)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(wtp_label)
    ax.set_ylabel("Probability cost-effective")
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_title("Cost-effectiveness acceptability curves and frontier")
    ax.legend(loc="best", fontsize="small", frameon=False)
    _style(ax)
    return ax


def plot_evpi(
    curves: CEACurves,
    *,
    population_factor: float | None = None,
    ax: Axes | None = None,
    wtp_label: str = "Willingness to pay per QALY",
) -> Axes:
    """Per-person EVPI curve, with a population EVPI axis when a population factor is given.

    Parameters
    ----------
    curves : peer_econ.analysis.CEACurves
    population_factor : float, optional
        Discounted population (see :func:`peer_econ.analysis.discounted_population`), > 0; adds
        a right-hand axis in population EVPI [currency] (a rescaled axis, no new statistic).
    ax : matplotlib.axes.Axes, optional
    wtp_label : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    ax.plot(curves.wtp, curves.evpi, color=CEAF_COLOUR, lw=1.8, label="EVPI per person")
    ax.set_xlabel(wtp_label)
    ax.set_ylabel("EVPI per person")
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
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
        sec.set_ylabel("Population EVPI")
        sec.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_title("Expected value of perfect information")
    _style(ax)
    return ax


def plot_expected_loss(
    curves: CEACurves,
    *,
    ax: Axes | None = None,
    colours: Mapping[str, str] | None = None,
    wtp_label: str = "Willingness to pay per QALY",
) -> Axes:
    """Expected loss curves of every strategy; the lower envelope is the EVPI.

    Parameters
    ----------
    curves : peer_econ.analysis.CEACurves
    ax : matplotlib.axes.Axes, optional
    colours : mapping of str to str, optional
    wtp_label : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    cmap = _colours(colours, curves.strategies)
    for j, name in enumerate(curves.strategies):
        ax.plot(curves.wtp, curves.loss[:, j], color=cmap[name], lw=1.6, label=name)
    ax.plot(curves.wtp, curves.evpi, color=CEAF_COLOUR, lw=4, alpha=0.25, label="EVPI", zorder=1)
    ax.set_xlabel(wtp_label)
    ax.set_ylabel("Expected loss per person")
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_ylim(bottom=0)
    ax.set_title("Expected loss curves")
    ax.legend(loc="best", fontsize="small", frameon=False)
    _style(ax)
    return ax


def plot_frontier(
    icers: pd.DataFrame,
    *,
    ax: Axes | None = None,
    colours: Mapping[str, str] | None = None,
    cost_label: str = "Mean cost per person",
    effect_label: str = "Mean effect per person (QALY)",
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
    cost_label, effect_label : str

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    order: Sequence[str] = icers.attrs.get("strategies", list(icers["strategy"]))
    cmap = _colours(colours, order)
    front = icers[icers["status"] == "ND"]
    ax.plot(front["effect"], front["cost"], color=CEAF_COLOUR, lw=1.2, zorder=1, label="frontier")
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
            label=f"{data.strategy} ({data.status})",
        )
    ax.set_xlabel(effect_label)
    ax.set_ylabel(cost_label)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_title("Cost-effectiveness frontier (ND on the line; D, ED off it)")
    ax.legend(loc="best", fontsize="small", frameon=False)
    _style(ax)
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
    as_written(fig)
    with matplotlib.rc_context(
        {"svg.hashsalt": "peer_econ", "svg.fonttype": "path", "text.parse_math": False}
    ):
        fig.savefig(png, dpi=dpi, metadata={"Software": None})
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


def png_bytes(fig: Any, dpi: int) -> bytes:
    """``fig`` as PNG bytes, its texts as written (:func:`as_written`)."""
    as_written(fig)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"text.parse_math": False}):
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def close_figure(fig: Any) -> None:
    """Release a figure's drawing resources (figures here are not registered with pyplot)."""
    fig.clear()


def plot_tornado(table: pd.DataFrame, *, ax: Axes | None = None, max_bars: int = 15) -> Axes:
    """Tornado of one strategy from ``OwsaResult.tornado()`` (already ordered by swing).

    Bars run from the base outcome to the outcome at the low (light) and high (dark) end of
    each parameter's range; the vertical line marks the base value.
    """
    ax = _sens_axes(ax, (7.0, 0.35 * min(len(table), max_bars) + 1.5))
    t = table.head(max_bars).iloc[::-1]
    y = np.arange(len(t))
    base = float(t["base_outcome"].iloc[0]) if len(t) else 0.0
    lo = t["outcome_low"].to_numpy() - base
    hi = t["outcome_high"].to_numpy() - base
    ax.barh(y, lo, left=base, color="#9ecae1", label="parameter at low value")
    ax.barh(y, hi, left=base, color="#3182bd", label="parameter at high value")
    ax.axvline(base, color="black", linewidth=1, label="base case")
    ax.axvline(0.0, color="grey", linewidth=0.8, linestyle=":")
    labels = [
        f"{p} [{lo_v:.3g}, {hi_v:.3g}]"
        for p, lo_v, hi_v in zip(t["parameter"], t["low"], t["high"], strict=True)
    ]
    ax.set_yticks(y, labels, fontsize=8)
    outcome = str(t["outcome"].iloc[0]) if len(t) else "inmb"
    names = {
        "inmb": "Incremental net monetary benefit [DKK]",
        "inc_cost": "Incremental cost [DKK]",
        "inc_qaly": "Incremental QALYs",
    }
    ax.set_xlabel(names.get(outcome, outcome))
    if len(t):
        ax.set_title(f"{t['strategy'].iloc[0]}: one-way sensitivity")
    ax.legend(fontsize=7, loc="lower right")
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
) -> Axes:
    """Heat map of INMB over a two-way grid (``TwsaResult.grid``) with break-even curves.

    The INMB = 0 contour is drawn from the grid; threshold curves (``TwsaResult.threshold_curve``)
    are overlaid, one line per WTP.
    """
    ax = _sens_axes(ax)
    g = grid[(grid["strategy"] == strategy) & (grid["wtp"] == wtp)]
    pivot = g.pivot(index="y_value", columns="x_value", values="inmb")
    xs, ys, z = pivot.columns.to_numpy(), pivot.index.to_numpy(), pivot.to_numpy()
    lim = float(np.nanmax(np.abs(z))) or 1.0
    mesh = ax.pcolormesh(xs, ys, z, cmap="RdBu", vmin=-lim, vmax=lim, shading="nearest")
    ax.figure.colorbar(mesh, ax=ax, label=f"INMB at {wtp:,.0f} DKK/QALY [DKK]")
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
                label=f"break-even at {w:,.0f} DKK/QALY",
            )
        ax.set_xlim(xs.min(), xs.max())
        if len(tc):
            ax.legend(fontsize=7, loc="upper right")
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(f"{strategy}: two-way sensitivity")
    return ax


def plot_scenario_forest(summary: pd.DataFrame, *, strategy: str, ax: Axes | None = None) -> Axes:
    """Forest plot of scenarios (``ScenarioResult.summary``): PSA mean INMB with 95% interval,
    deterministic INMB as an open marker, the base case as a reference line."""
    s = summary[summary["strategy"] == strategy].iloc[::-1]
    ax = _sens_axes(ax, (7.0, 0.3 * len(s) + 1.5))
    y = np.arange(len(s))
    mean = s["psa_inmb"].to_numpy()
    err = np.vstack([mean - s["psa_inmb_low"].to_numpy(), s["psa_inmb_high"].to_numpy() - mean])
    ax.errorbar(
        mean, y, xerr=err, fmt="o", color="#3182bd", capsize=2, label="PSA mean (95% interval)"
    )
    ax.plot(s["det_inmb"], y, "o", mfc="none", color="black", label="deterministic")
    ax.axvline(0.0, color="grey", linestyle=":")
    if "base" in set(s["scenario"]):
        ax.axvline(
            float(s.loc[s["scenario"] == "base", "psa_inmb"].iloc[0]),
            color="#3182bd",
            linewidth=0.8,
        )
    ax.set_yticks(y, s["label"], fontsize=8)
    wtp = float(s["wtp"].iloc[0]) if len(s) else 0.0
    ax.set_xlabel(
        f"INMB vs {s['comparator'].iloc[0] if len(s) else ''} at {wtp:,.0f} DKK/QALY [DKK]"
    )
    ax.set_title(f"{strategy}: scenarios")
    ax.legend(fontsize=7, loc="lower right")
    return ax


def plot_ceac_scenario(
    ceac: pd.DataFrame, *, wtp: float | None = None, ax: Axes | None = None
) -> Axes:
    """CEAC of one scenario (rows of ``ScenarioResult.ceac`` for that scenario)."""
    ax = _sens_axes(ax)
    for strategy, sub in ceac.groupby("strategy", sort=False):
        ax.plot(sub["wtp"], sub["prob_best"], label=str(strategy))
    if wtp is not None:
        ax.axvline(wtp, color="grey", linestyle=":", linewidth=0.8)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Willingness to pay [DKK per QALY]")
    ax.set_ylabel("Probability of highest net benefit")
    if len(ceac):
        ax.set_title(str(ceac["scenario"].iloc[0]))
    ax.legend(fontsize=7)
    return ax


def _sens_bars(
    frame: pd.DataFrame, cols: list[tuple[str, str | None, str]], ax: Axes, max_bars: int
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
    indices: pd.DataFrame, *, output: str, ax: Axes | None = None, max_bars: int = 15
) -> Axes:
    """Bar chart of first-order and total Sobol indices with confidence intervals
    (``SobolResult.indices``), ordered by total index."""
    f = indices[indices["output"] == output].sort_values("ST", ascending=False)
    ax = _sens_axes(ax, (7.0, 0.3 * min(len(f), max_bars) + 1.5))
    _sens_bars(
        f, [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")], ax, max_bars
    )
    ax.set_xlabel("Sobol index (independent inputs)")
    ax.set_title(output)
    return ax


def plot_morris(
    indices: pd.DataFrame, *, output: str, ax: Axes | None = None, max_bars: int = 15
) -> Axes:
    """Morris mu* (with interval) and sigma bars (``ScreeningResult.indices``)."""
    f = indices[indices["output"] == output].sort_values("mu_star", ascending=False)
    ax = _sens_axes(ax, (7.0, 0.3 * min(len(f), max_bars) + 1.5))
    _sens_bars(f, [("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma")], ax, max_bars)
    ax.set_xlabel("Elementary effect per unit step of the design cube [output units]")
    ax.set_title(output)
    return ax


def plot_delta(
    indices: pd.DataFrame, *, output: str, ax: Axes | None = None, max_bars: int = 15
) -> Axes:
    """Delta moment-independent measure and S1 bars (``ScreeningResult.indices``)."""
    f = indices[indices["output"] == output].sort_values("delta", ascending=False)
    ax = _sens_axes(ax, (7.0, 0.3 * min(len(f), max_bars) + 1.5))
    _sens_bars(f, [("delta", "delta_conf", "delta"), ("S1", "S1_conf", "S1")], ax, max_bars)
    ax.set_xlabel("Index")
    ax.set_title(output)
    return ax


# --- value of information ------------------------------------------------------------------


def plot_evppi_curves(
    curves: pd.DataFrame, *, names: Sequence[str] | None = None, ax: Axes | None = None
) -> Axes:
    """EVPPI [currency per person] against WTP, one line per parameter or group, EVPI dashed.

    ``curves`` is the table of :func:`peer_econ.analysis.voi.evppi_curves` (or
    ``EVPPIResult.to_frame()``); ``names`` selects and orders the lines.
    """
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
        ax.plot(first["wtp"], first["evpi"], color="black", linestyle="--", label="EVPI")
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel("Willingness to pay per QALY")
    ax.set_ylabel("Value of information per person")
    ax.set_title("Expected value of partial perfect information")
    ax.legend(fontsize="small", frameon=False)
    _style(ax)
    return ax


def plot_evppi_ranking(ranking: pd.DataFrame, *, top: int = 15, ax: Axes | None = None) -> Axes:
    """Horizontal bars of EVPPI at one WTP, largest at the top (``evppi_ranking`` table);
    groups orange, single parameters blue, EVPI as a dashed line."""
    tab = ranking.head(top).iloc[::-1]
    ax = _sens_axes(ax, (7.0, 0.35 * len(tab) + 1.5))
    kinds = tab["kind"] if "kind" in tab else pd.Series(["parameter"] * len(tab))
    colours = [PALETTE[4] if k == "group" else PALETTE[0] for k in kinds]
    has_se = "se" in tab and bool(tab["se"].notna().any())
    xerr = (1.96 * tab["se"]).to_numpy() if has_se else None
    ax.barh(tab["name"].astype(str), tab["evppi"], xerr=xerr, color=colours)
    if "evpi" in tab and len(tab):
        ax.axvline(float(tab["evpi"].iloc[0]), color="black", linestyle="--", linewidth=1,
                   label="EVPI")  # fmt: skip
        ax.legend(fontsize="small", frameon=False)
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel("EVPPI per person")
    ax.set_title("Value of resolving each uncertainty (groups in orange)")
    _style(ax)
    return ax


def plot_enbs(
    n_per_arm: Any, enbs_values: Any, *, n_optimal: float | None = None, ax: Axes | None = None
) -> Axes:
    """Expected net benefit of sampling [currency] against participants per arm (one WTP)."""
    ax = _sens_axes(ax, (6.5, 4.2))
    n = np.asarray(n_per_arm, dtype=float)
    e = np.asarray(enbs_values, dtype=float)
    ax.plot(n, e, marker="o", color=PALETTE[0])
    ax.axhline(0.0, color="grey", linewidth=0.8)
    if n_optimal is not None and n_optimal > 0:
        ax.axvline(n_optimal, color=PALETTE[1], linestyle=":", label=f"optimal n = {n_optimal:g}")
        ax.legend(fontsize="small", frameon=False)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel("Participants per arm")
    ax.set_ylabel("Expected net benefit of sampling")
    ax.set_title("Proposed trial: EQ-5D-5L at 3 and 12 months")
    _style(ax)
    return ax


# --- budget impact ---------------------------------------------------------------------------


def save_axes(ax: Axes, folder: Path | str, stem: str) -> tuple[Path, Path]:
    """Save the figure that holds ``ax`` as PNG and SVG (see :func:`save_figure`)."""
    fig = ax.get_figure()
    if not isinstance(fig, Figure):
        raise InputError(f"figure '{stem}': the axes belong to no figure")
    return save_figure(fig, folder, stem)


def plot_budget_years(
    table: pd.DataFrame, *, labels: Mapping[str, str] | None = None, ax: Axes | None = None
) -> Axes:
    """Stacked yearly budget by payer from a ``budget_by_payer`` table.

    Spending stacks upward from zero and savings (negative totals) downward, so no payer hides
    another; in-kind contributions are hatched; the total over payers is a black marker with its
    95 % interval. The value axis always includes zero and every bar (never cut).
    """
    ax = _sens_axes(ax, (7.0, 4.2))
    names = dict(labels or {})
    years = [y for y in dict.fromkeys(table["year"]) if y != "all"]
    payers = [p for p in dict.fromkeys(table["payer"]) if p != "total"]
    x = np.arange(len(years), dtype=float)
    up, down = np.zeros(len(years)), np.zeros(len(years))
    for i, payer in enumerate(payers):
        rows = table[(table["payer"] == payer)].set_index("year").loc[years]
        colour = PALETTE[i % len(PALETTE)]
        for column, hatch, suffix in (("cash", None, ""), ("in_kind", "//", " (in kind)")):
            values = rows[column].to_numpy(dtype=float)
            if not np.any(values != 0):
                continue
            base = np.where(values >= 0, up, down)
            ax.bar(x, values, bottom=base, color=colour, hatch=hatch, edgecolor="white",
                   alpha=0.6 if hatch else 1.0, label=names.get(payer, payer) + suffix)  # fmt: skip
            up = up + np.where(values >= 0, values, 0.0)
            down = down + np.where(values < 0, values, 0.0)
    total = table[table["payer"] == "total"].set_index("year").loc[years]
    mean = total["total"].to_numpy(dtype=float)
    err = np.vstack([mean - total["total_lower"], total["total_upper"] - mean])
    ax.errorbar(x, mean, yerr=err, fmt="o", color="black", capsize=3, markersize=4,
                label="net total, 95% interval")  # fmt: skip
    low = min(0.0, float(down.min()), float(total["total_lower"].min()))
    high = max(0.0, float(up.max()), float(total["total_upper"].max()))
    pad = 0.08 * (high - low or 1.0)
    ax.set_ylim(low - (pad if low < 0 else 0.0), high + pad)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks(x, [str(y) for y in years])
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel("Year")
    ax.set_ylabel("Spending per year (DKK 2024, undiscounted)")
    ax.set_title("Budget by year and payer (savings below zero)")
    ax.legend(fontsize="small", frameon=False)
    _style(ax)
    return ax


def plot_cumulative_net(
    table: pd.DataFrame,
    payback: Mapping[str, int | None],
    *,
    ax: Axes | None = None,
) -> Axes:
    """Cumulative net result by authority (``business_case`` table) with 95 % bands and the
    payback year of each authority marked where there is one."""
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
            ax.annotate(f"pays back in year {year}", (year, 0.0), xytext=(4, 6),
                        textcoords="offset points", color=colour, fontsize="small")  # fmt: skip
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_xlabel("Year")
    ax.set_ylabel("Cumulative net result (DKK 2024)")
    ax.set_title("Business case: savings minus investment, cumulative")
    ax.legend(fontsize="small", frameon=False)
    _style(ax)
    return ax


# --- delivery scale ------------------------------------------------------------------------


def plot_scale_curve(table: pd.DataFrame, *, colours: Mapping[str, str] | None = None) -> Figure:
    """Three panels from a scale-curve table (``peer_econ.runs.scale_curve.scale_curve``): cost
    per participant with its 95 % PSA interval and the ICER against courses per municipality
    per year, and cost per participant against the number of municipalities.

    Points where the ICER is not a trade-off (dominant or dominated) are left out of the ICER
    panel rather than drawn as negative numbers.
    """
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
    cost_ax.set_xlabel("Courses per municipality per year")
    cost_ax.set_ylabel("Cost per participant (DKK, PSA mean, 95% interval)")
    icer_ax.set_xlabel("Courses per municipality per year")
    icer_ax.set_ylabel("ICER vs service as usual (DKK/QALY)")
    town_ax.set_xlabel("Municipalities")
    town_ax.set_xscale("log")
    town_ax.set_ylabel("Cost per participant (DKK, PSA mean)")
    for ax in (cost_ax, icer_ax, town_ax):
        ax.yaxis.set_major_formatter(FuncFormatter(_money))
        _style(ax)
    cost_ax.legend(fontsize="small", frameon=False)
    return fig
