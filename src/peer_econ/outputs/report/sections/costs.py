"""Cost per participant: which number is which (``cost_definitions.csv``)."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Cell, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context


def build(ctx: Context) -> list[Section]:
    """Every cost-per-participant figure of the run with its value per delivery form."""
    table = ctx.run.maybe("cost_definitions")
    if table is None or table.empty:
        return []
    names = list(dict.fromkeys(table["strategy"]))
    by = table.set_index(["concept", "strategy"])["cost_per_participant"]
    first = table.iloc[0]
    scale = ctx.t(
        "cost_definitions.scale",
        municipalities=ctx.sig(first["municipalities"]),
        courses=ctx.sig(first["courses_per_municipality_per_year"]),
    )
    rows = tuple(
        (
            Cell(ctx.t(f"cost_definitions.{concept}", scale=scale)),
            *(Cell(ctx.number(by.loc[(concept, n)]), True) for n in names),
            Cell(ctx.t(f"cost_definitions.used_{concept}")),
        )
        for concept in dict.fromkeys(table["concept"])
    )
    headers = (
        ctx.t("cost_definitions.col_figure"),
        *(ctx.strategy(n) for n in names),
        ctx.t("cost_definitions.col_used"),
    )
    blocks = (
        Paragraph(ctx.t("cost_definitions.intro")),
        Table(headers, rows, ctx.t("cost_definitions.caption"), wide=True),
    )
    return [Section("cost-definitions", "results", ctx.t("cost_definitions.title"), blocks)]
