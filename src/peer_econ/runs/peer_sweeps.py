"""PEER-specific sweeps built on the model-agnostic engines of :mod:`peer_econ.analysis.dsa`:
the mapping-free utility x durability grid and the decision thresholds of the base case."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from peer_econ.analysis import dsa
from peer_econ.analysis.dsa import (
    OwsaResult,
    SweepRange,
    TwsaResult,
    grid_values,
    max_cost_thresholds,
    threshold_curve,
    thresholds,
    twsa,
    wtp_thresholds,
)
from peer_econ.analysis.parallel import ExecutionOptions
from peer_econ.errors import InputError
from peer_econ.model.adapter import PeerModel, model_table
from peer_econ.model.spec import Inputs, ModelSettings
from peer_econ.outputs.files import write_csv
from peer_econ.outputs.run_files import threshold_file, tornado_stem

#: Default axes of the mapping-free two-way grid: utility gain at course end [utility] by
#: linear durability [months].
DEFAULT_GAIN_VALUES = np.round(np.linspace(0.0, 0.08, 33), 10)
DEFAULT_DECAY_VALUES = np.array([1.0, 2.0, 3.0, 4.5, 6.0, 9.0, 12.0, 18.0, 24.0, 30.0, 36.0])


def peer_owsa(inputs: Inputs, *, wtp: float, comparator: str | None = None) -> OwsaResult:
    """One-way sensitivity of the PEER model: every ranged parameter of the inputs moved to the
    ends of its ``low``-``high`` range, the others at their means.

    Parameters
    ----------
    inputs : Inputs
        The model's inputs (overrides already applied).
    wtp : float
        Willingness to pay of the net benefit [DKK/QALY].
    comparator : str, optional
        Strategy the INMB is measured against; default the settings' comparator.
    """
    table = model_table(inputs)
    return dsa.owsa(
        PeerModel(inputs),
        table,
        inputs.strategy_names,
        comparator=inputs.settings.comparator if comparator is None else comparator,
        wtp=float(wtp),
        ranges=dsa.sweep_ranges(table),
    )


def utility_durability_grid(
    inputs: Inputs,
    *,
    wtp: float | Sequence[float],
    gains: ArrayLike | None = None,
    decays: ArrayLike | None = None,
    curve_wtp: Sequence[float] | None = None,
    settings: ModelSettings | None = None,
    options: ExecutionOptions | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> TwsaResult:
    """The mapping-free two-way grid: utility gain at course end x linear durability.

    The end-of-course utility gain is set directly (``utility_route = "direct"``, parameter
    ``direct_delta_u``), so no outcome-to-utility mapping is involved; durability is linear decay
    to zero over ``decay_months``. The attendance scaling stays as configured (ratio 1 with the
    default inputs). The threshold curve gives, for each durability and WTP, the utility gain
    at which each PEER strategy breaks even (INMB = 0).

    Parameters
    ----------
    inputs : Inputs
    wtp : float or sequence of float
        WTP values of the INMB surface [DKK per QALY].
    gains : array_like, optional
        Utility gains [utility]; default 0 to 0.08.
    decays : array_like, optional
        Decay times [months] (> 0); default 1 to 36.
    curve_wtp : sequence of float, optional
        WTP values of the threshold curves; default ``wtp``.
    settings : ModelSettings, optional
        Base settings (default ``inputs.settings``).
    """
    base = inputs.settings if settings is None else settings
    cfg = base.replace(utility_route="direct", durability="linear")
    model = PeerModel(inputs, cfg)
    table = model_table(inputs)
    g = DEFAULT_GAIN_VALUES if gains is None else grid_values("direct_delta_u", gains)
    t = DEFAULT_DECAY_VALUES if decays is None else grid_values("decay_months", decays)
    if np.any(t <= 0):
        raise InputError(f"decay_months grid {t.tolist()}: values must be > 0 months")
    res = twsa(
        model,
        table,
        inputs.strategy_names,
        comparator=cfg.comparator,
        wtp=wtp,
        x="direct_delta_u",
        x_values=g,
        y="decay_months",
        y_values=t,
        options=options,
        on_chunk=on_chunk,
    )
    curve = threshold_curve(
        model,
        table,
        inputs.strategy_names,
        comparator=cfg.comparator,
        wtp=list(curve_wtp) if curve_wtp is not None else wtp,
        x="direct_delta_u",
        x_bounds=(0.0, 1.0),
        y="decay_months",
        y_values=t,
    )
    notes = (
        "utility gain set directly (utility_route = 'direct', direct_delta_u); durability "
        "linear over decay_months; no outcome-to-EQ-5D mapping is involved",
    )
    return TwsaResult(res.x, res.y, res.grid, res.optimal, curve, res.comparator, notes)


def peer_decision_thresholds(
    inputs: Inputs,
    *,
    wtp: float,
    settings: ModelSettings | None = None,
    decay_bounds: tuple[float, float] = (0.05, 240.0),
) -> dict[str, pd.DataFrame]:
    """PEER decision thresholds at the base case.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``wtp``: WTP at which each strategy becomes cost-effective / optimal
        (:func:`wtp_thresholds`); ``max_cost``: maximum cost per participant
        (:func:`max_cost_thresholds`); ``durability``: minimum linear durability
        (``decay_months``) at which each PEER strategy is cost-effective at ``wtp``.
    """
    cfg = inputs.settings if settings is None else settings
    table = model_table(inputs)
    model = PeerModel(inputs, cfg)
    cost, effect = model(table.deterministic())
    names = inputs.strategy_names
    out = {
        "wtp": wtp_thresholds(cost, effect, names, comparator=cfg.comparator),
        # found at the parameter means: the table says so itself
        "max_cost": max_cost_thresholds(
            cost, effect, names, comparator=cfg.comparator, wtp=wtp
        ).assign(cost_basis="parameter means"),
    }
    lin = PeerModel(inputs, cfg.replace(durability="linear"))
    spec = table["decay_months"]
    rng = (SweepRange("decay_months", decay_bounds[0], spec.value, decay_bounds[1], spec.unit),)
    dur = thresholds(lin, table, names, comparator=cfg.comparator, wtp=wtp, ranges=rng, n_grid=65)
    out["durability"] = dur
    return out


# --- the tables both ``run`` and ``sensitivity`` write: one writer, one name each --------------


def write_tornado_table(owsa_result: OwsaResult, strategy: str, folder: Path) -> pd.DataFrame:
    """Write ``tornado_<strategy>.csv`` (one-way results of one strategy ordered by INMB swing)
    and return the table; ``run`` writes the headline strategy's, ``sensitivity owsa`` every
    strategy's."""
    table = owsa_result.tornado(strategy)
    write_csv(table, folder / f"{tornado_stem(strategy)}.csv")
    return table


def write_decision_thresholds(decision: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write the tables of :func:`peer_decision_thresholds` as ``threshold_wtp.csv``,
    ``threshold_max_cost.csv`` and ``threshold_durability.csv`` (``run`` and ``sensitivity
    threshold`` alike)."""
    return [write_csv(frame, folder / threshold_file(key)) for key, frame in decision.items()]
