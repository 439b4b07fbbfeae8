"""Figures show labels as written: a ``$`` from the user's inputs is a dollar sign, never the
start of a mathtext formula (an invalid one stopped ``run`` and the app with a traceback)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text

from peer_econ.analysis import PSA, cea_curves
from peer_econ.outputs import plots

#: Not valid mathtext: drawing it as a formula raises ValueError.
FORMULA = "$\\frac{x$ costs 5 $"


def _psa() -> PSA:
    rng = np.random.default_rng(3)
    cost = rng.normal([0.0, 1_000.0], 100.0, size=(200, 2))
    qaly = rng.normal([0.0, 0.01], 0.002, size=(200, 2))
    return PSA(cost, qaly, ("Service as usual", FORMULA))


def test_saved_figures_keep_dollar_signs_as_text(tmp_path: Path) -> None:
    psa = _psa()
    ax = plots.plot_ceac(cea_curves(psa, wtp=np.array([0.0, 1e5])))
    ax.set_title(FORMULA)
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    png, svg = plots.save_figure(fig, tmp_path, "ceac")
    assert png.stat().st_size > 0 and svg.stat().st_size > 0
    texts = [t for t in fig.findobj(Text) if t.get_text() == FORMULA]
    assert len(texts) >= 2 and not any(t.get_parse_math() for t in texts)  # legend and title


def test_png_bytes_draw_tick_labels_as_text() -> None:
    """Tick labels made while drawing get the same setting from the context around savefig."""
    ax = plots.plot_ce_plane(_psa())
    ax.set_yticks([0.0, 1_000.0], [FORMULA, "$a$"])
    assert plots.png_bytes(ax.get_figure(), dpi=50).startswith(b"\x89PNG")
