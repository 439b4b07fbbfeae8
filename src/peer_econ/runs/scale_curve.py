"""The scale curve (DESIGN 2.2a): cost per participant, incremental cost and ICER of each
delivery form against how much PEER is delivered.

Each point re-evaluates the model on the run's PSA draws with the delivery scale of the settings
changed (courses per municipality per year, or the number of municipalities), so the curve comes
from the one cost model; every evaluation is vectorised over the samples
(a million at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from peer_econ.analysis.quadrants import icer_label, icer_value
from peer_econ.model.results import RunResult
from peer_econ.outputs.files import write_csv
from peer_econ.outputs.run_files import TABLES
from peer_econ.runs.pipeline import evaluate_in_chunks

#: Courses per municipality per year on the curve (DESIGN 2.2a: 1 to 12).
COURSES = tuple(float(c) for c in range(1, 13))
#: Municipalities on the curve (the trial's 5; a 20-municipality roll-out; all 98).
MUNICIPALITIES = (1, 2, 5, 10, 20, 50, 98)
#: Axes of the curve, as settings names.
AXES = ("courses_per_municipality_per_year", "municipalities")
#: PSA samples the curve is computed from at most (the run's first ones): each of its 19 points
#: re-evaluates the model, 17 s at a million samples; 100,000 keep the Monte Carlo error of a
#: mean below 0.3 % of its standard deviation and of a probability below 0.0016.
SCALE_CURVE_MAX_SAMPLES = 100_000


def scale_curve(
    result: RunResult,
    *,
    courses: Sequence[float] = COURSES,
    municipalities: Sequence[int] = MUNICIPALITIES,
    wtp: float | None = None,
) -> pd.DataFrame:
    """Cost per participant, incremental cost and ICER against the delivery scale.

    One axis varies at a time; the other stays at the settings' value. The curve uses at most
    the first :data:`SCALE_CURVE_MAX_SAMPLES` PSA samples.

    Returns
    -------
    pandas.DataFrame
        One row per ``axis, value, strategy`` (programme strategies): ``cost`` (PSA mean cost
        per randomised participant at that scale) with ``cost_p2_5``/``cost_p97_5``,
        ``fixed_cost`` (its fixed programme cost per participant), ``inc_cost`` vs the
        comparator with its interval, ``inc_qaly``, ``icer`` (mean increments; NaN where not a
        trade-off), ``icer_label`` (words, never a negative number) and
        ``prob_cost_effective`` (P(INMB > 0) vs the comparator at ``wtp``) [DKK, QALY].
    """
    result = result.first_samples(SCALE_CURVE_MAX_SAMPLES)
    settings = result.inputs.settings
    w = settings.wtp_point if wtp is None else float(wtp)
    names = list(result.psa.strategies)
    ref = names.index(result.comparator)
    programme = [s.name for s in result.inputs.strategies if s.programme]
    rows: list[dict[str, object]] = []
    points = [(AXES[0], float(c)) for c in courses] + [(AXES[1], int(m)) for m in municipalities]
    for axis, value in points:
        cfg = settings.replace(**{axis: value})
        out = evaluate_in_chunks(result.draws, result.inputs, cfg)
        for name in programme:
            j = names.index(name)
            cost = out.cost[:, j]
            inc_cost = cost - out.cost[:, ref]
            inc_qaly = out.qaly[:, j] - out.qaly[:, ref]
            mean_c, mean_q = float(inc_cost.mean()), float(inc_qaly.mean())
            lo, hi = np.percentile(cost, [2.5, 97.5])
            ilo, ihi = np.percentile(inc_cost, [2.5, 97.5])
            rows.append(
                {
                    "axis": axis,
                    "value": float(value),
                    "strategy": name,
                    "cost": float(cost.mean()),
                    "cost_p2_5": float(lo),
                    "cost_p97_5": float(hi),
                    "fixed_cost": out.item_costs.get((name, "programme_fixed"), 0.0),
                    "inc_cost": mean_c,
                    "inc_cost_p2_5": float(ilo),
                    "inc_cost_p97_5": float(ihi),
                    "inc_qaly": mean_q,
                    "icer": icer_value(mean_c, mean_q),
                    "icer_label": icer_label(mean_c, mean_q, unit=" DKK/QALY"),
                    "prob_cost_effective": float(np.mean(w * inc_qaly - inc_cost > 0)),
                }
            )
    return pd.DataFrame(rows)


def write_scale_curve_for_run(result: RunResult, folder: Path) -> dict[str, object] | None:
    """``scale_curve.csv`` (the report reads it back and draws its figure from it); returns
    the number of PSA samples it used as the run's ``scale_curve`` fact."""
    write_csv(scale_curve(result), folder / TABLES["scale_curve"])
    return {"scale_curve": {"n_samples": min(result.n_samples, SCALE_CURVE_MAX_SAMPLES)}}
