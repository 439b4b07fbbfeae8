"""Key messages: the findings a commissioner needs, each probability saying what it is of."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import pandas as pd

from peer_econ.outputs.report.blocks import Bullets, Section
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import (
    budget_scale,
    headline_strategy,
    optimal_at,
    points_at,
    scale_phrase,
    trial_messages,
    who_pays,
)


def build(ctx: Context) -> list[Section]:
    """Bullets from the incremental analysis, the PSA, sensitivity, VOI and the budget."""
    items = [*_frontier(ctx), *_decision(ctx), *_drivers(ctx), *_structural(ctx)]
    items += trial_messages(ctx)
    items += _budget(ctx)
    title = ctx.t("messages.title")
    return [Section("key-messages", "summary", title, (Bullets(tuple(items)),), cheers=(23,))]


def _frontier(ctx: Context) -> list[str]:
    icers = ctx.run.maybe("icers")
    if icers is None:
        return []
    out = []
    steps = [
        ctx.t("messages.frontier_step", option=ctx.strategy(r["strategy"]),
              icer=ctx.per_qaly(r["icer"]), previous=_previous(ctx, icers, r))
        for r in icers.to_dict("records")
        if r["status"] == "ND" and math.isfinite(float(r["icer"]))
    ]  # fmt: skip
    if steps:
        out.append(ctx.t("messages.frontier", steps=ctx.t("list.then").join(steps)))
    else:
        out.append(ctx.t("messages.frontier_none", comparator=ctx.comparator))
    inefficient = [
        ctx.t(f"messages.status_{r['status']}", option=ctx.strategy(r["strategy"]))
        for r in icers.to_dict("records")
        if r["status"] in ("D", "ED")
    ]
    if inefficient:
        out.append(ctx.t("messages.inefficient", items=ctx.t("list.semicolon").join(inefficient)))
    return out


def _previous(ctx: Context, icers: pd.DataFrame, row: Mapping[Hashable, object]) -> str:
    """The frontier strategy an ND option is compared with (the one before it)."""
    frontier = [r for r in icers.to_dict("records") if r["status"] == "ND"]
    names = [str(r["strategy"]) for r in frontier]
    index = names.index(str(row["strategy"]))
    if index == 0 or names[index - 1] == ctx.info.comparator:
        return ctx.comparator
    return ctx.strategy(names[index - 1])


def _decision(ctx: Context) -> list[str]:
    optimal = optimal_at(ctx)
    points = points_at(ctx)
    if points.empty:
        return []
    if optimal == ctx.info.comparator:
        return [ctx.t("messages.best_is_comparator", wtp=ctx.wtp_text(), comparator=ctx.comparator)]
    out = [
        ctx.t(
            "messages.best",
            wtp=ctx.wtp_text(),
            option=ctx.strategy(optimal),
            best=ctx.chance(points.loc[optimal, "prob_best"]),
            n=len(points),
            ce=ctx.chance(points.loc[optimal, "prob_ce"]),
            comparator=ctx.comparator,
        )
    ]
    trial = ctx.row("trial_period", strategy=optimal)
    trial_points = points_at(ctx, trial=True)
    if trial is not None and optimal in trial_points.index:
        out.append(
            ctx.t(
                "messages.trial_period",
                months=ctx.sig(ctx.info.setting("trial_followup_months")),
                option=ctx.strategy(optimal),
                icer=ctx.icer(trial["inc_cost"], trial["inc_qaly"], trial["icer"]),
                ce=ctx.chance(trial_points.loc[optimal, "prob_ce"]),
                comparator=ctx.comparator,
                wtp=ctx.wtp_text(),
            )
        )
    return out


def _drivers(ctx: Context) -> list[str]:
    tornado = ctx.run.maybe("tornado")
    out = []
    strategy = headline_strategy(ctx)
    if tornado is not None and len(tornado):
        top = [ctx.in_text("parameter", p) for p in tornado["parameter"].head(3)]
        out.append(ctx.t("messages.drivers", option=ctx.strategy(strategy), items=_and(ctx, top)))
    row = ctx.row("threshold_durability", strategy=strategy)
    if row is not None and math.isfinite(float(row["threshold"])):
        out.append(
            ctx.t(
                "messages.durability",
                option=ctx.strategy(strategy),
                wtp=ctx.wtp_text(row["wtp"]),
                months=ctx.months(row["threshold"]),
            )
        )
    return out


def _structural(ctx: Context) -> list[str]:
    frame = ctx.run.maybe("structural")
    if frame is None:
        return []
    strategy = headline_strategy(ctx)
    rows = frame[(frame["strategy"] == strategy) & (frame["psa_inc_qaly"] > 0)]
    rows = rows[rows["psa_inc_cost"] > 0]
    if rows.empty:
        return []
    return [
        ctx.t(
            "messages.structural",
            option=ctx.strategy(strategy),
            low=ctx.per_qaly(rows["psa_icer"].min()),
            high=ctx.per_qaly(rows["psa_icer"].max()),
        )
    ]


def _budget(ctx: Context) -> list[str]:
    scale = budget_scale(ctx)
    fc = ctx.row("funding_comparison", strategy=scale.strategy) if scale else None
    if scale is None or fc is None:
        return []
    return [
        ctx.t(
            "messages.budget",
            option=ctx.strategy(scale.strategy),
            scale=scale_phrase(ctx, scale),
            later=ctx.dkk(fc["budget_steady_year"]),
            first=ctx.dkk(fc["budget_year1"]),
            payers=who_pays(ctx, scale.strategy),
        )
    ]


def _and(ctx: Context, items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ctx.t("list.comma").join(items[:-1]) + ctx.t("list.final_and") + items[-1]
