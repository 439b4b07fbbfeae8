"""The scale curve (DESIGN 2.2a): cost per participant, incremental cost and ICER of each
delivery form against how much PEER is delivered.

Each point re-evaluates the model on the run's PSA draws with the delivery scale of the settings
changed (courses per municipality per year, or the number of municipalities), so the curve comes
from the one cost model; every evaluation is vectorised over the samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from peer_econ.analysis.quadrants import icer_label, icer_value
from peer_econ.model.engine import evaluate
from peer_econ.model.results import RunResult
from peer_econ.outputs import html as H
from peer_econ.outputs.files import write_csv
from peer_econ.outputs.html import ReportSection

#: Courses per municipality per year on the curve (DESIGN 2.2a: 1 to 12).
COURSES = tuple(float(c) for c in range(1, 13))
#: Municipalities on the curve (the trial's 5; a 20-municipality roll-out; all 98).
MUNICIPALITIES = (1, 2, 5, 10, 20, 50, 98)
#: Axes of the curve, as settings names.
AXES = ("courses_per_municipality_per_year", "municipalities")


def scale_curve(
    result: RunResult,
    *,
    courses: Sequence[float] = COURSES,
    municipalities: Sequence[int] = MUNICIPALITIES,
    wtp: float | None = None,
) -> pd.DataFrame:
    """Cost per participant, incremental cost and ICER against the delivery scale.

    One axis varies at a time; the other stays at the settings' value.

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
    settings = result.inputs.settings
    w = settings.wtp_point if wtp is None else float(wtp)
    names = list(result.psa.strategies)
    ref = names.index(result.comparator)
    programme = [s.name for s in result.inputs.strategies if s.programme]
    rows: list[dict[str, object]] = []
    points = [(AXES[0], float(c)) for c in courses] + [(AXES[1], int(m)) for m in municipalities]
    for axis, value in points:
        cfg = settings.replace(**{axis: value})
        out = evaluate(result.draws, result.inputs, settings=cfg)
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


def write_scale_curve_for_run(result: RunResult, folder: Path) -> list[ReportSection]:
    """``scale_curve.csv``, the ``scale_curve`` figure and its report section."""
    from peer_econ.outputs import plots

    table = scale_curve(result)
    write_csv(table, folder / "scale_curve.csv")
    colours = plots.strategy_colours(result.psa.strategies)
    plots.save_figure(plots.plot_scale_curve(table, colours=colours), folder, "scale_curve")
    return [_section(result, table, folder)]


def _section(result: RunResult, table: pd.DataFrame, folder: Path) -> ReportSection:
    settings = result.inputs.settings
    wtp = settings.wtp_point
    labels = {s.name: s.label for s in result.inputs.strategies}
    by_courses = table[table["axis"] == AXES[0]]
    wide = by_courses.pivot_table(
        index="value", columns="strategy", values="cost", sort=False
    ).reset_index()
    icers = by_courses.pivot_table(
        index="value", columns="strategy", values="icer_label", aggfunc="first", sort=False
    ).reset_index()
    by_town = table[table["axis"] == AXES[1]]
    spread = by_town.groupby("strategy")["cost"].agg(lambda c: float(c.max() - c.min()))
    flat = bool((spread < 0.5).all())
    body = H.paragraph(
        "Cost per randomised participant (PSA mean, counted items of the perspective) depends on "
        "how much PEER is delivered, because local coordination and set-up do not scale with "
        f"courses. Base scale: {settings.municipalities} municipalities x "
        f"{settings.courses_per_municipality_per_year:g} courses a year; one axis varies at a "
        f"time; {result.n_samples:,} PSA samples, common random numbers."
    )
    body += H.table(
        wide.rename(columns={"value": "courses per municipality per year"}),
        {s: H.money for s in wide.columns if s != "value"},
        caption="Cost per participant (DKK) by courses per municipality per year",
    )
    body += H.table(
        icers.rename(columns={"value": "courses per municipality per year"}),
        caption="ICER vs service as usual by courses per municipality per year (mean increments; "
        "words where there is no trade-off)",
    )
    body += H.paragraph(
        "Number of municipalities: "
        + (
            "every fixed cost is per municipality (local coordination, set-up), so the number "
            "of municipalities does not change the cost per participant; only courses per "
            "municipality spread the fixed costs."
            if flat
            else "cost per participant changes with the number of municipalities (see "
            "scale_curve.csv)."
        )
    )
    body += H.figure(folder / "scale_curve.png", "Scale curve: cost per participant and ICER")
    strategies = list(dict.fromkeys(table["strategy"]))
    head = "peer_volunteer" if "peer_volunteer" in strategies else str(strategies[0])
    rows = by_courses[by_courses["strategy"] == head].set_index("value")
    low, high = rows.index.min(), rows.index.max()
    highlight = (
        f"Scale: {labels.get(head, head)} costs {rows.loc[low, 'cost']:,.0f} DKK per participant "
        f"at {low:g} course a year per municipality and {rows.loc[high, 'cost']:,.0f} at "
        f"{high:g} (ICER {rows.loc[low, 'icer_label']} and {rows.loc[high, 'icer_label']}; "
        f"chance cost-effective at {wtp:,.0f} DKK/QALY "
        f"{100 * rows.loc[low, 'prob_cost_effective']:.0f} % and "
        f"{100 * rows.loc[high, 'prob_cost_effective']:.0f} %)."
    )
    return ReportSection(
        "scale", "Delivery scale: cost per participant and ICER", body, 70,
        highlights=(highlight,),
    )  # fmt: skip
