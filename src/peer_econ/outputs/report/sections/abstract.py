"""Structured abstract (CHEERS 2022 item 2) and the objective and decision problem (item 3)."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Bullets, Paragraph, Section
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import (
    durability_phrase,
    mapping_phrase,
    optimal_at,
    points_at,
)


def build(ctx: Context) -> list[Section]:
    """The abstract (summary part) and the decision problem (background part)."""
    return [_abstract(ctx), _problem(ctx)]


def _abstract(ctx: Context) -> Section:
    settings = ctx.info.settings
    n_options = len(ctx.info.strategy_names)
    methods = ctx.t(
        "abstract.methods",
        n=n_options,
        perspective=ctx.label("perspective", settings["perspective"]),
        horizon=ctx.sig(settings["horizon_months"]),
        trial=ctx.sig(settings["trial_followup_months"]),
        mapping=mapping_phrase(ctx),
        durability=durability_phrase(ctx),
        samples=ctx.number(ctx.info["n_samples"]),
    )
    lines = [
        ("abstract.background_title", ctx.t("abstract.background")),
        ("abstract.objective_title", ctx.t("abstract.objective", comparator=ctx.comparator)),
        ("abstract.methods_title", methods),
        ("abstract.results_title", _results(ctx)),
        ("abstract.conclusions_title", _conclusion(ctx)),
    ]
    blocks = tuple(Paragraph(f"**{ctx.t(title)}** {text}") for title, text in lines)
    return Section("abstract", "summary", ctx.t("abstract.title"), blocks, cheers=(2,))


def _results(ctx: Context) -> str:
    optimal = optimal_at(ctx)
    name = optimal if optimal and optimal != ctx.info.comparator else ctx.info.programme_names[0]
    head = ctx.row("headline", strategy=name)
    trial = ctx.row("trial_period", strategy=name)
    points = points_at(ctx)
    if head is None or trial is None or name not in points.index:
        return ""
    return ctx.t(
        "abstract.results",
        option=ctx.strategy(name),
        comparator=ctx.comparator,
        cost=ctx.dkk(head["inc_cost"]),
        qaly=ctx.qaly(head["inc_qaly"]),
        icer=ctx.icer(head["inc_cost"], head["inc_qaly"], head["icer"]),
        trial_icer=ctx.icer(trial["inc_cost"], trial["inc_qaly"], trial["icer"]),
        months=ctx.sig(ctx.info.setting("trial_followup_months")),
        ce=ctx.chance(points.loc[name, "prob_ce"]),
        best=ctx.chance(points.loc[name, "prob_best"]),
        n=len(points),
        wtp=ctx.wtp_text(),
    )


def _conclusion(ctx: Context) -> str:
    optimal = optimal_at(ctx)
    if optimal == ctx.info.comparator:
        core = ctx.t("abstract.conclusion_none", wtp=ctx.wtp_text(), comparator=ctx.comparator)
    else:
        core = ctx.t("abstract.conclusion_fund", wtp=ctx.wtp_text(), option=ctx.strategy(optimal))
    return core + " " + ctx.t("abstract.conclusion_caveat")


def _problem(ctx: Context) -> Section:
    options = [
        ctx.t("problem.option", option=ctx.strategy(s["name"]))
        for s in ctx.info.strategies
        if s["name"] != ctx.info.comparator
    ]
    blocks = (
        Paragraph(ctx.t("problem.background")),
        Paragraph(ctx.t("problem.gap")),
        Paragraph(ctx.t("problem.decision", comparator=ctx.comparator)),
        Bullets(tuple(options)),
        Paragraph(ctx.t("problem.objective", comparator=ctx.comparator, wtp=ctx.wtp_text())),
    )
    return Section("decision-problem", "background", ctx.t("problem.title"), blocks, cheers=(3,))
