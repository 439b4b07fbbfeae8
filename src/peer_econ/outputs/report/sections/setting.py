"""Methods: population, setting and comparators (CHEERS 2022 items 5, 6, 7); perspective, time
horizon, discounting and currency (items 8, 9, 10, 15)."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Bullets, Cell, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import parameter_value


def build(ctx: Context) -> list[Section]:
    """Population and setting, comparators, perspective and horizon, discounting, currency."""
    return [
        Section(
            "population",
            "methods",
            ctx.t("setting.title"),
            (Paragraph(ctx.t("setting.population")), Paragraph(ctx.t("setting.setting"))),
            cheers=(5, 6),
        ),
        _comparators(ctx),
        _perspective(ctx),
        _discounting(ctx),
        _currency(ctx),
    ]


def _comparators(ctx: Context) -> Section:
    rows = []
    for s in ctx.info.strategies:
        multiplier = str(s.get("effect_multiplier") or "")
        rows.append(
            (
                Cell(ctx.strategy(s["name"])),
                Cell(ctx.number(s["paid_facilitators"]), True),
                Cell(ctx.number(s["volunteer_facilitators"]), True),
                Cell(ctx.t(f"setting.companionship_{s['companionship']}")),
                Cell(
                    ctx.t("setting.effect_scaled", parameter=ctx.parameter(multiplier))
                    if multiplier
                    else ctx.t("setting.effect_as_trial" if s["programme"] else "setting.no_effect")
                ),
            )
        )
    headers = tuple(
        ctx.t(f"setting.comparator_{key}")
        for key in ("option", "paid", "volunteers", "companionship", "effect")
    )
    table = Table(headers, tuple(rows), ctx.t("setting.comparators_caption"))
    blocks = (Paragraph(ctx.t("setting.comparators", comparator=ctx.comparator)), table)
    return Section("comparators", "methods", ctx.t("setting.comparators_title"), blocks, (7,))


def _perspective(ctx: Context) -> Section:
    settings = ctx.info.settings
    perspective = str(settings["perspective"])
    counted = [ctx.label("category", c) for c in settings["perspectives"][perspective]]
    others = [
        ctx.t(
            "setting.other_perspective",
            perspective=ctx.label("perspective", name),
            categories=ctx.t("list.comma").join(ctx.label("category", c) for c in cats),
        )
        for name, cats in settings["perspectives"].items()
        if name != perspective
    ]
    blocks = (
        Paragraph(
            ctx.t(
                "setting.perspective",
                perspective=ctx.label("perspective", perspective),
                categories=ctx.t("list.comma").join(counted),
            )
        ),
        Bullets(tuple(others)),
        Paragraph(
            ctx.t(
                "setting.horizon",
                horizon=ctx.sig(settings["horizon_months"]),
                trial=ctx.sig(settings["trial_followup_months"]),
            )
        ),
    )
    return Section("perspective", "methods", ctx.t("setting.perspective_title"), blocks, (8, 9))


def _schedule_text(ctx: Context, schedule: list[list[float]]) -> str:
    return ctx.t("list.comma").join(
        ctx.t("setting.rate_from", rate=ctx.number(100 * rate, 1), year=ctx.sig(start))
        for start, rate in schedule
    )


def _discounting(ctx: Context) -> Section:
    settings = ctx.info.settings
    costs = _schedule_text(ctx, settings["discount_costs"])
    effects = _schedule_text(ctx, settings["discount_effects"])
    rule = (
        ctx.t("setting.discount_same", rates=costs)
        if costs == effects
        else ctx.t("setting.discount_apart", costs=costs, effects=effects)
    )
    first = settings["discount_costs"][0][1]
    blocks = (
        Paragraph(rule),
        Paragraph(ctx.t("setting.discount_sources")),
        Paragraph(
            ctx.t(
                "setting.discount_horizon",
                horizon=ctx.sig(settings["horizon_months"]),
                rate=ctx.number(100 * first, 1),
            )
        ),
    )
    return Section("discounting", "methods", ctx.t("setting.discount_title"), blocks, (10,))


def _currency(ctx: Context) -> Section:
    eur, gbp = parameter_value(ctx, "eur_dkk"), parameter_value(ctx, "gbp_dkk")
    lines = [ctx.t("setting.currency")]
    if eur is not None and gbp is not None:
        lines.append(ctx.t("setting.conversion", eur=ctx.sig(eur, 6), gbp=ctx.sig(gbp)))
    blocks = tuple(Paragraph(line) for line in lines)
    return Section("currency", "methods", ctx.t("setting.currency_title"), blocks, (15,))
