"""What the dominance of a PEER variant rests on: effect-multiplier thresholds.

The trial tested PEER with volunteers and with the companionship offer. Every other variant
(course only, paid peers, hybrid) takes its effect from an assumed multiplier of that effect
(``effect_multiplier`` in ``inputs/strategies.csv``), so its place on the frontier is an
assumption too. For each such variant this module finds the multiplier at which the conclusion
would change:

* a variant that costs less than the trialled one (course only) is *efficient* (on the frontier
  of the full incremental analysis) from some multiplier on: the efficiency threshold;
* a variant that costs more (paid, hybrid) is worth its extra cost over the trialled one at the
  reference WTP from some multiplier on: the head-to-head threshold (against volunteers, not
  against service as usual).

Both use the PSA means. Mean cost and QALYs are linear in a strategy's effect multiplier (the gain
and every cost that follows the effect scale with it), so two model evaluations on the run's PSA
draws, at multiplier 0 and 1, give them exactly for every multiplier.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peer_econ.analysis.cea import cea_curves, icer_table
from peer_econ.model.results import RunResult
from peer_econ.model.spec import Strategy
from peer_econ.outputs.files import write_csv
from peer_econ.outputs.run_files import TABLES
from peer_econ.runs.pipeline import evaluate_in_chunks

FloatArray = NDArray[np.float64]

#: Largest multiplier searched for an efficiency threshold (3 x the trial effect).
MAX_MULTIPLIER = 3.0
#: Bisection steps (the interval shrinks to 3 / 2^60: far below any displayed digit).
BISECTION_STEPS = 60


@dataclass(frozen=True)
class LinearMeans:
    """Mean cost and QALYs of every strategy as ``a + b x multiplier``, shape (n_strategies,)."""

    cost0: FloatArray
    cost_slope: FloatArray
    qaly0: FloatArray
    qaly_slope: FloatArray

    def at(self, multiplier: float) -> tuple[FloatArray, FloatArray]:
        """Mean cost and QALYs with the multiplier fixed at ``multiplier``."""
        return (
            self.cost0 + multiplier * self.cost_slope,
            self.qaly0 + multiplier * self.qaly_slope,
        )


def linear_means(result: RunResult, parameter: str) -> LinearMeans:
    """Mean cost and QALYs over the run's PSA draws as linear functions of ``parameter``."""
    at0 = evaluate_in_chunks(result.draws.with_values({parameter: 0.0}), result.inputs)
    m0c, m0q = at0.cost.mean(axis=0), at0.qaly.mean(axis=0)
    del at0  # a ten-million-sample run holds one evaluation at a time
    at1 = evaluate_in_chunks(result.draws.with_values({parameter: 1.0}), result.inputs)
    return LinearMeans(m0c, at1.cost.mean(axis=0) - m0c, m0q, at1.qaly.mean(axis=0) - m0q)


def efficiency_threshold(means: LinearMeans, strategies: tuple[str, ...], strategy: str) -> float:
    """Smallest multiplier at which ``strategy`` is on the efficiency frontier (status ND) of
    the incremental analysis of the means; ``inf`` if not even at :data:`MAX_MULTIPLIER`."""

    def efficient(m: float) -> bool:
        cost, qaly = means.at(m)
        table = icer_table(cost, qaly, strategies)
        return bool(table.set_index("strategy").loc[strategy, "status"] == "ND")

    low, high = 0.0, MAX_MULTIPLIER
    if efficient(low):
        return 0.0
    if not efficient(high):
        return float("inf")
    for _ in range(BISECTION_STEPS):
        mid = (low + high) / 2.0
        low, high = (low, mid) if efficient(mid) else (mid, high)
    return high


def head_to_head_threshold(
    means: LinearMeans, strategies: tuple[str, ...], strategy: str, versus: str, wtp: float
) -> float:
    """Multiplier at which ``strategy`` breaks even with ``versus`` at ``wtp``: mean INMB
    ``wtp x dQALY - dcost = 0`` (``inf`` when more effect cannot pay for the extra cost)."""
    j, r = strategies.index(strategy), strategies.index(versus)
    intercept = wtp * (means.qaly0[j] - means.qaly0[r]) - (means.cost0[j] - means.cost0[r])
    slope = wtp * (means.qaly_slope[j] - means.qaly_slope[r]) - (
        means.cost_slope[j] - means.cost_slope[r]
    )
    if slope <= 0:
        return float("inf")
    return float(-intercept / slope)


def reference_variant(strategies: tuple[Strategy, ...]) -> Strategy | None:
    """The trialled variant: the first programme strategy without an effect multiplier."""
    return next((s for s in strategies if s.programme and not s.effect_multiplier), None)


def multiplier_thresholds(result: RunResult, *, wtp: float) -> pd.DataFrame:
    """For each strategy whose effect rests on an assumed multiplier, where it would change.

    Returns
    -------
    pandas.DataFrame
        One row per such strategy: ``strategy, parameter, assumed`` (the multiplier's mean),
        ``distribution, tag, status`` (in the PSA-mean incremental analysis), ``question``
        (``efficient`` or ``worth its extra cost vs <reference>``), ``threshold`` (the
        multiplier at which the answer changes; ``inf`` if it never does), ``cost_vs_reference``
        (difference in mean cost) [DKK] and ``prob_best`` at ``wtp``.
    """
    inputs = result.inputs
    reference = reference_variant(inputs.strategies)
    psa = result.psa
    names = tuple(psa.strategies)
    status = icer_table(psa.cost, psa.qaly, names).set_index("strategy")["status"]
    curves = cea_curves(psa.cost, psa.qaly, names, wtp=[wtp])
    mean_cost = psa.cost.mean(axis=0)
    rows = []
    for strategy in inputs.strategies:
        if not (strategy.programme and strategy.effect_multiplier) or reference is None:
            continue
        spec = inputs.parameters[strategy.effect_multiplier]
        means = linear_means(result, strategy.effect_multiplier)
        j, r = names.index(strategy.name), names.index(reference.name)
        cheaper = mean_cost[j] < mean_cost[r]
        if cheaper:
            question = "efficient"
            threshold = efficiency_threshold(means, names, strategy.name)
        else:
            question = f"worth its extra cost vs {reference.name}"
            threshold = head_to_head_threshold(means, names, strategy.name, reference.name, wtp)
        low, high = spec.distribution.quantiles(0.025, 0.975)
        rows.append(
            {
                "strategy": strategy.name,
                "parameter": spec.name,
                "assumed": spec.value,
                "distribution": f"{spec.distribution.kind}, 95 % {low:.3g}-{high:.3g}",
                "tag": spec.tag,
                "status": str(status[strategy.name]),
                "question": question,
                "reference": reference.name,
                "wtp": wtp,
                "threshold": threshold,
                "cost_vs_reference": float(mean_cost[j] - mean_cost[r]),
                "prob_best": float(curves.probability_best[0, j]),
            }
        )
    return pd.DataFrame(rows)


def _sentence(row: Mapping[Hashable, Any], labels: Mapping[str, str]) -> str:
    """One key message: the conclusion, the assumption it rests on, and where it would flip."""
    name = labels.get(str(row["strategy"]), str(row["strategy"]))
    ref = labels.get(str(row["reference"]), str(row["reference"]))
    assumed, threshold = float(row["assumed"]), float(row["threshold"])
    chance = f"{100 * float(row['prob_best']):.0f} %"
    wtp = float(row["wtp"])
    where = (
        f"at least {threshold:.2f} x the trialled effect"
        if np.isfinite(threshold)
        else f"not even at {MAX_MULTIPLIER:g} x the trialled effect"
    )
    if row["question"] == "efficient":
        verdict = "efficient" if row["status"] == "ND" else {
            "ED": "extendedly dominated", "D": "dominated"
        }.get(str(row["status"]), str(row["status"]))  # fmt: skip
        return (
            f"{name} is {verdict} on the assumption that its effect is {assumed:.2f} x that of "
            f"{ref} ({row['parameter']}, {row['distribution']}, {row['tag']}); it would be "
            f"efficient with an effect of {where}. Chance of being the best option at "
            f"{wtp:,.0f} DKK/QALY: {chance}."
        )
    if abs(assumed - 1.0) < 1e-9:
        verdict = f"dominated by {ref} by assumption of equal effect"
    else:
        verdict = f"not worth its extra cost over {ref} on the assumed effect {assumed:.2f} x"
    more = (
        f"{100 * (threshold - 1):.0f} % more effective than with volunteers (multiplier "
        f"{threshold:.2f})"
        if np.isfinite(threshold)
        else "more effective than any multiplier can make up for"
    )
    return (
        f"{name} is {verdict} ({row['parameter']}, {row['distribution']}, {row['tag']}): it "
        f"costs {float(row['cost_vs_reference']):,.0f} DKK more per participant and would be "
        f"worth that at {wtp:,.0f} DKK/QALY only if it were {more}. Chance of being the best "
        f"option: {chance}."
    )


def _two_decimals(value: object) -> str:
    return f"{float(str(value)):.2f}"


def _threshold_text(value: object) -> str:
    number = float(str(value))
    return "never" if not np.isfinite(number) else f"{number:.3f}"


def write_assumptions_for_run(result: RunResult, folder: Path) -> dict[str, object] | None:
    """``multiplier_thresholds.csv``: the effect multiplier at which each variant's standing
    would change (the report reads it back for what the ranking rests on)."""
    wtp = result.inputs.settings.wtp_point
    table = multiplier_thresholds(result, wtp=wtp)
    if table.empty:
        return None
    write_csv(table, folder / TABLES["multiplier_thresholds"])
    return {"assumptions": {"wtp": wtp, "max_multiplier": MAX_MULTIPLIER}}
