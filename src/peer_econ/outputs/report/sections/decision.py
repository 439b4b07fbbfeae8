"""Page one: the decision for each delivery form, in plain words.

For each form: recommend or not at the reference willingness to pay and why; cost per
participant and yearly budget at the kit's scale; who pays; the chance it is worth it (saying
what the chance is of); the one assumption that could change the answer, with its threshold;
and the evidence-bound 3-month result beside the extrapolated one.
"""

from __future__ import annotations

import math

import pandas as pd

from peer_econ.outputs.report.blocks import Card, Cards, Cell, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections import assumptions
from peer_econ.outputs.report.sections.common import (
    budget_scale,
    durability_phrase,
    optimal_at,
    parameter_value,
    points_at,
    scale_phrase,
    who_pays,
)


def build(ctx: Context) -> list[Section]:
    """The decision page."""
    optimal = optimal_at(ctx)
    blocks: list[Paragraph | Cards | Table] = [Paragraph(_lead(ctx, optimal), "lead")]
    blocks.append(Paragraph(_threshold_note(ctx), "note"))
    scale = budget_scale(ctx)
    if scale is not None:
        blocks.append(Paragraph(ctx.t("decision.scale_note", scale=scale_phrase(ctx, scale))))
    blocks.append(Cards(tuple(_card(ctx, name, optimal) for name in ctx.info.programme_names)))
    blocks.append(_evidence_table(ctx))
    title = ctx.t("decision.title", wtp=ctx.wtp_text())
    return [Section("decision", "decision", title, tuple(blocks), cheers=(23,))]


def _lead(ctx: Context, optimal: str) -> str:
    if optimal == ctx.info.comparator:
        return ctx.t("decision.lead_none", wtp=ctx.wtp_text(), comparator=ctx.comparator)
    return ctx.t("decision.lead_fund", wtp=ctx.wtp_text(), option=ctx.strategy(optimal))


def _threshold_note(ctx: Context) -> str:
    """Why this WTP: no official Danish threshold; NICE's range in DKK for comparison."""
    rate = parameter_value(ctx, "gbp_dkk")
    band = ctx.info.setting("nice_band_gbp")
    if rate is None:
        return ctx.t("decision.wtp_note_plain", wtp=ctx.wtp_text())
    return ctx.t(
        "decision.wtp_note",
        wtp=ctx.wtp_text(),
        low=ctx.number(band[0] * rate),
        high=ctx.number(band[1] * rate),
        gbp_low=ctx.number(band[0]),
        gbp_high=ctx.number(band[1]),
    )


def _card(ctx: Context, name: str, optimal: str) -> Card:
    points = points_at(ctx)
    recommended = name == optimal
    rows: list[tuple[str, str]] = [(ctx.t("decision.row.why"), _why(ctx, name, optimal))]
    fc = ctx.row("funding_comparison", strategy=name)
    if fc is not None:
        rows.append(
            (
                ctx.t("decision.row.cost"),
                ctx.t("decision.cost_per_participant", amount=ctx.dkk(fc["cost_per_participant"])),
            )
        )
        rows.append(
            (
                ctx.t("decision.row.budget"),
                ctx.t(
                    "decision.budget",
                    first=ctx.dkk(fc["budget_year1"]),
                    later=ctx.dkk(fc["budget_steady_year"]),
                ),
            )
        )
        rows.append((ctx.t("decision.row.who_pays"), who_pays(ctx, name)))
    if name in points.index:
        rows.append(
            (
                ctx.t("decision.row.chance"),
                ctx.t(
                    "decision.chance",
                    ce=ctx.chance(points.loc[name, "prob_ce"]),
                    comparator=ctx.comparator,
                    wtp=ctx.wtp_text(),
                    best=ctx.chance(points.loc[name, "prob_best"]),
                    n=len(points),
                ),
            )
        )
    change = _could_change(ctx, name, fc)
    if change:
        rows.append((ctx.t("decision.row.could_change"), change))
    verdict = ctx.t("decision.recommend" if recommended else "decision.not_recommend")
    return Card(ctx.strategy(name), verdict, recommended, tuple(rows))


def _why(ctx: Context, name: str, optimal: str) -> str:
    """The reason for the verdict, from the incremental analysis and the expected net benefit."""
    if name == optimal:
        return ctx.t("decision.why_best")
    head = ctx.row("headline", strategy=name)
    if head is None:  # a folder without this strategy's headline row gives no reason
        return ""
    inmb = ctx.wtp * float(head["inc_qaly"]) - float(head["inc_cost"])
    icers = ctx.run.maybe("icers")
    status = ""
    if icers is not None and name in set(icers["strategy"]):
        status = str(icers.set_index("strategy").loc[name, "status"])
    rival = optimal
    dominator = _dominator(ctx, name) if status == "D" else None
    if not inmb > 0:
        if dominator is not None and dominator != ctx.info.comparator:
            return ctx.t("decision.why_not_worth_dominated", comparator=ctx.comparator,
                         rival=ctx.strategy(dominator))  # fmt: skip
        return ctx.t("decision.why_not_worth", comparator=ctx.comparator)
    if status == "D":
        return ctx.t("decision.why_dominated", rival=ctx.strategy(dominator or rival))
    key = "decision.why_extended" if status == "ED" else "decision.why_other_better"
    return ctx.t(key, rival=ctx.strategy(rival), comparator=ctx.comparator)


def _dominator(ctx: Context, name: str) -> str | None:
    """The cheapest strategy with at least the same mean QALYs (the one that dominates)."""
    head = ctx.run.maybe("headline")
    if head is None:
        return None
    me = head[head["strategy"] == name].iloc[0]
    better = head[(head["qaly"] >= me["qaly"] - 1e-12) & (head["cost"] < me["cost"])]
    return None if better.empty else str(better.sort_values("cost").iloc[0]["strategy"])


def _could_change(ctx: Context, name: str, fc: pd.Series | None) -> str:
    """The one assumption that could change the answer.

    A form whose standing rests on an assumed effect multiplier (paid and hybrid delivery
    against volunteers, the course alone): the multiplier at which it would change
    (``multiplier_thresholds.csv``). Against the comparator: the durability threshold (months
    the gain must last). Against another delivery form that decides its status (dominance):
    the input its comparison with that form rests on most.
    """
    assumed = assumptions.could_change(ctx, name)
    if assumed:
        return assumed
    rival = str(fc["rests_on_against"]) if fc is not None else ctx.info.comparator
    if fc is not None and rival and rival != ctx.info.comparator and str(fc["rests_on"]):
        return ctx.t(
            "decision.rests_on",
            parameter=ctx.in_text("parameter", fc["rests_on"]),
            rival=ctx.strategy(rival),
            swing=ctx.dkk(fc["rests_on_swing"]),
        )
    row = ctx.row("threshold_durability", strategy=name)
    if row is None or not math.isfinite(float(row["threshold"])):
        return ""
    base = parameter_value(ctx, "decay_months")
    inmb = float(row["base_inmb"])
    key = "decision.durability_holds" if inmb > 0 else "decision.durability_needed"
    return ctx.t(
        key,
        months=ctx.months(row["threshold"]),
        comparator=ctx.comparator,
        base=ctx.t("unit.months", value=ctx.sig(base)) if base is not None else "",
        wtp=ctx.wtp_text(row["wtp"]),
    )


def _evidence_table(ctx: Context) -> Table:
    """The evidence-bound (trial-period) result beside the extrapolated one."""
    head = ctx.run.table("headline").set_index("strategy")
    trial = ctx.run.table("trial_period").set_index("strategy")
    base_points, trial_points = points_at(ctx), points_at(ctx, trial=True)
    rows = []
    for name in ctx.info.programme_names:
        cells = [Cell(ctx.strategy(name))]
        for frame, points in ((trial, trial_points), (head, base_points)):
            row = frame.loc[name]
            cells.append(Cell(ctx.icer_cell(row["inc_cost"], row["inc_qaly"], row["icer"]), True))
            chance = points.loc[name, "prob_ce"] if name in points.index else math.nan
            cells.append(Cell(ctx.chance(chance), True))
        rows.append(tuple(cells))
    trial_months = ctx.sig(ctx.info.setting("trial_followup_months"))
    horizon = ctx.sig(ctx.info.setting("horizon_months"))
    headers = (
        ctx.t("decision.evidence.form"),
        ctx.t("decision.evidence.trial_icer", months=trial_months),
        ctx.t("decision.evidence.trial_chance", months=trial_months, wtp=ctx.wtp_text()),
        ctx.t("decision.evidence.base_icer", months=horizon),
        ctx.t("decision.evidence.base_chance", months=horizon, wtp=ctx.wtp_text()),
    )
    note = ctx.t(
        "decision.evidence.note",
        months=trial_months,
        horizon=horizon,
        durability=durability_phrase(ctx),
    )
    caption = ctx.t("decision.evidence.caption", comparator=ctx.comparator)
    return Table(headers, tuple(rows), caption, note=note)
