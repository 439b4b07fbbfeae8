"""Figures (matplotlib is imported only here): Axes in, Axes out.

Every plot takes a result object or table, draws on the given ``ax`` (or a new figure's axes) and
returns the Axes. Plots never compute statistics and never call ``plt.show()``; figures are built
with :class:`matplotlib.figure.Figure` directly (no pyplot state), so they are safe in scripts,
tests and servers. One colour per strategy throughout: :func:`strategy_colours` maps names in the
analysis' strategy order onto a fixed colour-blind-safe palette (Okabe-Ito, then tab10).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
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
) -> Axes:
    """CEAC of every strategy with the CEAF marked.

    Parameters
    ----------
    curves : peer_econ.analysis.CEACurves
    ax : matplotlib.axes.Axes, optional
    colours : mapping of str to str, optional
    wtp_label : str
        x-axis label.

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
    with matplotlib.rc_context({"svg.hashsalt": "peer_econ", "svg.fonttype": "path"}):
        fig.savefig(png, dpi=dpi, metadata={"Software": None})
        fig.savefig(svg, dpi=dpi, metadata={"Date": None, "Creator": None})
    return png, svg
