"""Running named what-if scenarios and the structural scenario matrix.

Scenarios are read and validated by :mod:`peer_econ.inputs.scenarios`. Every scenario is run
deterministically (all parameters at their means) and probabilistically. All scenarios share
one set of PSA draws (common random numbers): a scenario's parameter overrides replace columns
of the shared draws, so differences between scenarios are not Monte Carlo noise.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from peer_econ._rng import RandomLike, check_rng
from peer_econ.analysis.dsa import _check_wtp, increments
from peer_econ.analysis.quadrants import icer_label, icer_value
from peer_econ.errors import InputError
from peer_econ.inputs.scenarios import (
    Scenario,
    check_scenario,
    scenario_location,
)
from peer_econ.model.adapter import PeerModel, model_table
from peer_econ.model.spec import Inputs, ModelSettings
from peer_econ.parameters.table import Draws

FloatArray = NDArray[np.float64]

# --- running --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    """Deterministic and probabilistic results of several scenarios.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per ``scenario, strategy`` (non-comparators): ``label, comparator, wtp,
        det_inc_cost, det_inc_qaly, det_icer, det_icer_label, det_inmb`` (all parameters at their
        means) and ``psa_inc_cost, psa_inc_qaly, psa_icer, psa_icer_label, psa_inmb,
        psa_inmb_low, psa_inmb_high, prob_cost_effective, prob_best`` (PSA; ``psa_icer`` = mean
        cost over mean QALYs, NaN where it is no trade-off (dominant or dominated), which the
        ``*_icer_label`` columns then say in words, so no negative ICER is ever shown;
        ``low``/``high`` the 2.5th/97.5th percentiles; ``prob_cost_effective`` = P(INMB > 0)
        vs the comparator; ``prob_best`` = P(highest NMB among all strategies)) [DKK, QALY].
    ceac : pandas.DataFrame
        ``scenario, wtp, strategy, prob_best`` over the WTP grid (all strategies).
    settings : pandas.DataFrame
        ``scenario, label, key, value``: what each scenario changed.
    n_samples : int
    notes : tuple of str
    """

    summary: pd.DataFrame
    ceac: pd.DataFrame
    settings: pd.DataFrame
    n_samples: int
    notes: tuple[str, ...] = ()


def _ceac(
    cost: FloatArray, effect: FloatArray, strategies: Sequence[str], wtp_grid: FloatArray
) -> FloatArray:
    """P(each strategy has the highest NMB), shape ``(n_wtp, n_strategies)``, by the exact
    CEAC of :func:`peer_econ.analysis.cea.cea_curves` (same tie rule as everywhere else)."""
    from peer_econ.analysis.cea import cea_curves

    return np.asarray(cea_curves(cost, effect, strategies, wtp=wtp_grid).probability_best)


def _wtp_grid(settings: ModelSettings, wtp_grid: ArrayLike | None) -> FloatArray:
    if wtp_grid is None:
        n = int(round((settings.wtp_stop - settings.wtp_start) / settings.wtp_step))
        return np.asarray(
            settings.wtp_start + settings.wtp_step * np.arange(n + 1), dtype=np.float64
        )
    grid = np.asarray(wtp_grid, dtype=np.float64).ravel()
    if grid.size == 0 or np.any(~np.isfinite(grid)) or np.any(grid < 0):
        raise InputError("WTP grid: give finite values >= 0 (DKK per QALY)")
    return grid


def evaluate_scenario(
    inputs: Inputs,
    scenario: Scenario,
    psa_draws: Draws,
    *,
    source: str = "scenario",
) -> tuple[tuple[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]:
    """Deterministic and PSA ``(cost, qaly)`` of one scenario (shared draws, overrides applied)."""
    settings = check_scenario(scenario, inputs, source=source)
    table = model_table(inputs)
    overrides = {k: float(v) for k, v in scenario.parameters.items() if k in table}
    det = table.deterministic().with_values(overrides)
    psa = psa_draws.with_values(overrides)
    model = PeerModel(inputs, settings)
    try:
        return model(det), model(psa)
    except InputError as exc:
        raise InputError(
            [f"{scenario_location(source, scenario.name)}: {p}" for p in exc.problems]
        ) from None


def run_scenarios(
    inputs: Inputs,
    scenarios: Sequence[Scenario],
    *,
    n_samples: int | None = None,
    rng: RandomLike = None,
    wtp: float | None = None,
    wtp_grid: ArrayLike | None = None,
    source: str = "scenario",
    on_scenario: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """Run every scenario deterministically and with PSA (common random numbers).

    Parameters
    ----------
    inputs : Inputs
    scenarios : sequence of Scenario
    n_samples : int, optional
        PSA samples (default ``inputs.settings.n_samples``).
    rng : numpy.random.Generator, int or None
        Seed of the shared PSA draws (default ``inputs.settings.seed``).
    wtp : float, optional
        WTP of the INMB and probabilities [DKK per QALY] (default ``settings.wtp_point``).
    wtp_grid : array_like, optional
        WTP values of the CEACs (default the settings' grid).
    on_scenario : callable, optional
        Called with each scenario name when it is done (progress).

    Returns
    -------
    ScenarioResult
    """
    if not scenarios:
        raise InputError("no scenarios to run")
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"duplicate scenario name(s) {dupes}")
    n = inputs.settings.n_samples if n_samples is None else n_samples
    gen = check_rng(inputs.settings.seed if rng is None else rng)
    w = _check_wtp(inputs.settings.wtp_point if wtp is None else wtp)
    grid = _wtp_grid(inputs.settings, wtp_grid)
    draws = model_table(inputs).sample(n, gen)
    strategies = inputs.strategy_names
    summaries, ceacs, changes = [], [], []
    for sc in scenarios:
        det, psa = evaluate_scenario(inputs, sc, draws, source=source)
        comparator = check_scenario(sc, inputs, source=source).comparator
        summaries.extend(_summary_rows(sc, strategies, comparator, w, det, psa))
        ceacs.append(_ceac_frame(sc.name, *psa, strategies, grid))
        changes.extend(_change_rows(sc))
        if on_scenario is not None:
            on_scenario(sc.name)
    notes = (
        "all scenarios share one set of PSA draws (common random numbers); parameter overrides "
        "fix the parameter at that value in the PSA",
    )
    change_frame = pd.DataFrame(changes, columns=["scenario", "label", "kind", "key", "value"])
    change_frame["value"] = change_frame["value"].astype(str)
    return ScenarioResult(
        pd.DataFrame(summaries), pd.concat(ceacs, ignore_index=True), change_frame, n, notes
    )


def _summary_rows(
    scenario: Scenario,
    strategies: Sequence[str],
    comparator: str,
    wtp: float,
    det: tuple[FloatArray, FloatArray],
    psa: tuple[FloatArray, FloatArray],
) -> list[dict[str, object]]:
    """The rows of :attr:`ScenarioResult.summary` for one scenario, one per strategy but the
    comparator.

    Parameters
    ----------
    scenario : Scenario
    strategies : sequence of str, length n_strategies
    comparator : str
        The scenario's comparator.
    wtp : float
        WTP of the INMB and probabilities [DKK per QALY].
    det : (numpy.ndarray, numpy.ndarray), each shape (1, n_strategies)
        Deterministic cost [DKK] and QALYs per person.
    psa : (numpy.ndarray, numpy.ndarray), each shape (n_samples, n_strategies)
        PSA cost [DKK] and QALYs per person.
    """
    (c_det, e_det), (c, e) = det, psa
    others, dc_det, de_det = increments(c_det, e_det, strategies, comparator)
    _, dc, de = increments(c, e, strategies, comparator)
    inmb = wtp * de - dc
    best = np.argmax(wtp * e - c, axis=1)
    rows: list[dict[str, object]] = []
    for j, s in enumerate(others):
        mc, me = float(dc[:, j].mean()), float(de[:, j].mean())
        rows.append(
            {
                "scenario": scenario.name,
                "label": scenario.label,
                "strategy": s,
                "comparator": comparator,
                "wtp": wtp,
                "det_inc_cost": float(dc_det[0, j]),
                "det_inc_qaly": float(de_det[0, j]),
                "det_icer": icer_value(float(dc_det[0, j]), float(de_det[0, j])),
                "det_icer_label": icer_label(float(dc_det[0, j]), float(de_det[0, j])),
                "det_inmb": float(wtp * de_det[0, j] - dc_det[0, j]),
                "psa_inc_cost": mc,
                "psa_inc_qaly": me,
                "psa_icer": icer_value(mc, me),
                "psa_icer_label": icer_label(mc, me),
                "psa_inmb": float(inmb[:, j].mean()),
                "psa_inmb_low": float(np.quantile(inmb[:, j], 0.025)),
                "psa_inmb_high": float(np.quantile(inmb[:, j], 0.975)),
                "prob_cost_effective": float(np.mean(inmb[:, j] > 0)),
                "prob_best": float(np.mean(best == strategies.index(s))),
            }
        )
    return rows


def _ceac_frame(
    name: str, cost: FloatArray, effect: FloatArray, strategies: Sequence[str], grid: FloatArray
) -> pd.DataFrame:
    """The CEAC of one scenario as ``scenario, wtp, strategy, prob_best`` rows.

    Parameters
    ----------
    name : str
        Scenario name.
    cost, effect : numpy.ndarray, shape (n_samples, n_strategies)
        PSA cost [DKK] and QALYs per person.
    strategies : sequence of str, length n_strategies
    grid : numpy.ndarray, shape (n_wtp,)
        WTP values [DKK per QALY].
    """
    probs = _ceac(cost, effect, strategies, grid)
    return pd.DataFrame(
        {
            "scenario": name,
            "wtp": np.repeat(grid, len(strategies)),
            "strategy": np.tile(np.asarray(strategies, dtype=object), grid.size),
            "prob_best": probs.ravel(),
        }
    )


def _change_rows(scenario: Scenario) -> list[dict[str, object]]:
    """What one scenario changes, one ``scenario, label, kind, key, value`` row per setting
    (``kind`` "setting") and parameter override (``kind`` "parameter")."""
    return [
        {
            "scenario": scenario.name,
            "label": scenario.label,
            "kind": "setting" if key in scenario.settings else "parameter",
            "key": key,
            "value": value,
        }
        for key, value in {**scenario.settings, **scenario.parameters}.items()
    ]


# --- structural matrix ----------------------------------------------------------------------------

DEFAULT_SOURCES = ("mansa", "wsas", "qpr15")
DEFAULT_DURABILITIES = ("none", "linear", "exponential", "sustained")
DEFAULT_HORIZONS = (12.0, 36.0, 60.0)


def structural_scenarios(
    source_outcomes: Sequence[str] = DEFAULT_SOURCES,
    durabilities: Sequence[str] = DEFAULT_DURABILITIES,
    horizons: Sequence[float] = DEFAULT_HORIZONS,
) -> tuple[Scenario, ...]:
    """Scenarios of the structural matrix: source outcome x durability x horizon [months]."""
    out = []
    for src, dur, hor in itertools.product(source_outcomes, durabilities, horizons):
        name = f"{src}__{dur}__{hor:g}m"
        out.append(
            Scenario(
                name,
                label=f"{src}, {dur} durability, {hor:g} months",
                settings={
                    "source_outcome": src,
                    "durability": dur,
                    "horizon_months": float(hor),
                },
            )
        )
    return tuple(out)


def run_structural_matrix(
    inputs: Inputs,
    *,
    source_outcomes: Sequence[str] = DEFAULT_SOURCES,
    durabilities: Sequence[str] = DEFAULT_DURABILITIES,
    horizons: Sequence[float] = DEFAULT_HORIZONS,
    n_samples: int = 2000,
    rng: RandomLike = None,
    wtp: float | None = None,
    wtp_grid: ArrayLike | None = None,
    on_scenario: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """The structural scenario matrix, each cell with its own PSA and CEAC.

    The summary gains columns ``source_outcome, durability, horizon_months``.
    """
    scen = structural_scenarios(source_outcomes, durabilities, horizons)
    res = run_scenarios(
        inputs,
        scen,
        n_samples=n_samples,
        rng=rng,
        wtp=wtp,
        wtp_grid=wtp_grid,
        source="structural matrix",
        on_scenario=on_scenario,
    )
    summary = res.summary.copy()
    parts = summary["scenario"].str.split("__", expand=True)
    summary.insert(2, "source_outcome", parts[0])
    summary.insert(3, "durability", parts[1])
    summary.insert(4, "horizon_months", parts[2].str.removesuffix("m").astype(float))
    return ScenarioResult(summary, res.ceac, res.settings, res.n_samples, res.notes)
