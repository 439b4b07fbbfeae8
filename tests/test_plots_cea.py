"""Tests of the CEA figures in peer_econ.outputs.plots: Axes in, Axes out, stable colours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from peer_econ.analysis import PSA, cea_curves, icer_table
from peer_econ.errors import InputError
from peer_econ.outputs import plots

NAMES = ("SAU", "PEER", "paid")


@pytest.fixture(scope="module")
def psa() -> PSA:
    rng = np.random.default_rng(3)
    cost = rng.normal([0.0, 2000.0, 4000.0], 500.0, (400, 3))
    effect = rng.normal([1.0, 1.03, 1.04], 0.02, (400, 3))
    return PSA(cost, effect, NAMES)


def test_each_plot_returns_the_axes_it_was_given(psa: PSA) -> None:
    curves = cea_curves(psa, wtp=np.linspace(0, 200_000, 41))
    table = icer_table(psa)
    for draw in (
        lambda ax: plots.plot_ce_plane(psa, wtp=50_000.0, ax=ax),
        lambda ax: plots.plot_ceac(curves, ax=ax),
        lambda ax: plots.plot_evpi(curves, population_factor=1234.0, ax=ax),
        lambda ax: plots.plot_expected_loss(curves, ax=ax),
        lambda ax: plots.plot_frontier(table, ax=ax),
    ):
        ax = Figure().add_subplot()
        assert draw(ax) is ax
    assert isinstance(plots.plot_ceac(curves), Axes)


def test_one_colour_per_strategy_across_figures(psa: PSA) -> None:
    curves = cea_curves(psa, wtp=[0.0, 1e4, 2e4])
    colours = plots.strategy_colours(NAMES)
    ceac_ax = plots.plot_ceac(curves)
    loss_ax = plots.plot_expected_loss(curves)
    frontier_ax = plots.plot_frontier(icer_table(psa))
    for ax in (ceac_ax, loss_ax):
        lines = {line.get_label(): to_hex(line.get_color()) for line in ax.get_lines()}
        for name in NAMES:
            assert lines[name] == colours[name].lower()
    points = {
        str(c.get_label()): to_hex(np.asarray(c.get_facecolor())[0])
        for c in frontier_ax.collections
    }
    for name in NAMES:
        label = next(k for k in points if k.startswith(f"{name} ("))
        assert points[label] == colours[name].lower()


def test_ce_plane_is_thinned_and_rasterised(psa: PSA) -> None:
    ax = plots.plot_ce_plane(psa, max_points=50)
    scatters = ax.collections[:3]
    assert all(np.asarray(s.get_offsets()).shape[0] == 50 for s in scatters)
    assert all(s.get_rasterized() for s in scatters)


def test_save_figure_writes_png_and_svg(tmp_path: Path, psa: PSA) -> None:
    ax = plots.plot_ce_plane(psa, wtp=20_000.0)
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    png, svg = plots.save_figure(fig, tmp_path, "plane")
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in svg.read_bytes()[:500]
    # the same figure drawn afresh gives the same SVG bytes (no dates, salted ids)
    again = plots.plot_ce_plane(psa, wtp=20_000.0).get_figure()
    assert isinstance(again, Figure)
    _, svg2 = plots.save_figure(again, tmp_path, "plane2")
    assert svg.read_bytes() == svg2.read_bytes()


@pytest.mark.slow
def test_100k_ce_plane_stays_small(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    psa = PSA(rng.normal(size=(100_000, 3)), rng.normal(size=(100_000, 3)), NAMES)
    fig = plots.plot_ce_plane(psa).get_figure()
    assert isinstance(fig, Figure)
    png, svg = plots.save_figure(fig, tmp_path, "plane")
    assert svg.stat().st_size < 2_000_000
    assert png.stat().st_size < 2_000_000


def test_population_factor_must_be_positive(psa: PSA) -> None:
    curves = cea_curves(psa, wtp=[0.0, 1.0])
    with pytest.raises(InputError, match="population_factor"):
        plots.plot_evpi(curves, population_factor=0.0)
