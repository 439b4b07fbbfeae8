"""The commissioner's kit: funding comparison, budget by year and payer, business case."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Cell, Figure, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import budget_scale, scale_phrase


def build(ctx: Context) -> list[Section]:
    """Budget impact and who pays (absent when the run has no programme to budget)."""
    scale = budget_scale(ctx)
    comparison = ctx.run.maybe("funding_comparison")
    if scale is None or comparison is None:
        return []
    prob = f"prob_ce_{ctx.wtp:.0f}"
    rows = tuple(
        (
            Cell(ctx.strategy(r["strategy"])),
            Cell(ctx.number(r["cost_per_participant"]), True),
            Cell(ctx.number(r["budget_year1"]), True),
            Cell(ctx.number(r["budget_steady_year"]), True),
            Cell(ctx.number(r["coordinator_fte"], 2), True),
            Cell(ctx.number(r["paid_peer_fte"], 2), True),
            Cell(ctx.number(r["volunteers_trained_year1"]), True),
            Cell(ctx.chance(r[prob]) if prob in r else "–", True),
        )
        for r in comparison.to_dict("records")
    )
    headers = tuple(
        ctx.t(f"budget.col_{k}", wtp=ctx.wtp_text(), comparator=ctx.comparator)
        for k in ("option", "per_participant", "year1", "later", "coordinator", "paid",
                  "volunteers", "chance")
    )  # fmt: skip
    funding = Table(headers, rows, ctx.t("budget.comparison_caption"), wide=True,
                    note=ctx.t("budget.comparison_note"))  # fmt: skip
    by_payer = ctx.run.table("budget_by_payer")
    mine = by_payer[by_payer["strategy"] == scale.strategy]
    yearly = tuple(
        (
            Cell(ctx.t("budget.all_years") if str(r["year"]) == "all" else str(r["year"])),
            Cell(
                ctx.t("budget.total") if r["payer"] == "total" else ctx.label("payer", r["payer"])
            ),
            Cell(ctx.number(r["cash"]), True),
            Cell(ctx.number(r["in_kind"]), True),
            Cell(ctx.number(r["total"]), True),
            Cell(
                ctx.t("range", low=ctx.number(r["total_lower"]), high=ctx.number(r["total_upper"])),
                True,
            ),
        )
        for r in mine.to_dict("records")
    )
    headers = tuple(
        ctx.t(f"budget.year_col_{k}")
        for k in ("year", "payer", "cash", "in_kind", "total", "interval")
    )
    budget = Table(
        headers,
        yearly,
        ctx.t("budget.by_year_caption", option=ctx.strategy(scale.strategy)),
        wide=True,
    )
    blocks = (
        Paragraph(ctx.t("budget.intro", scale=scale_phrase(ctx, scale), years=scale.years)),
        Paragraph(ctx.t("budget.definitions"), "note"),
        funding,
        budget,
        Figure("budget_years", ctx.t("budget.years_figure", option=ctx.strategy(scale.strategy))),
        Paragraph(ctx.t("budget.business")),
        Figure(
            "business_case", ctx.t("budget.business_figure", option=ctx.strategy(scale.strategy))
        ),
    )
    return [Section("budget", "budget", ctx.t("budget.title"), blocks)]
