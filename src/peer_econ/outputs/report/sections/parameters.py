"""Results: every study parameter (CHEERS 2022 item 22) with its base value, distribution,
95 % interval, unit, source and evidence tag. The only place the report shows the codes of
``inputs/parameters.csv`` (so an analyst can find a row to edit)."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Cell, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context

#: Section key: tests look for parameter codes everywhere except here.
KEY = "parameters"


def build(ctx: Context) -> list[Section]:
    """The full parameter table, grouped by module."""
    frame = ctx.run.table("parameters")
    overrides = ctx.info.get("overrides", {}) or {}
    rows = []
    for r in frame.to_dict("records"):
        fixed = r["distribution"] == "fixed"
        dist = (
            ctx.t("parameters.fixed")
            if fixed
            else ctx.t(
                "parameters.distribution",
                kind=ctx.t(f"parameters.dist_{r['distribution']}"),
                mean=ctx.sig(r["value"], 4),
                sd=ctx.sig(r["sd"], 3),
            )
        )
        interval = (
            "–" if fixed else ctx.t("range", low=ctx.sig(r["p2_5"], 3), high=ctx.sig(r["p97_5"], 3))
        )
        name = str(r["name"])
        label = ctx.parameter(name) + (
            " " + ctx.t("parameters.overridden") if name in overrides else ""
        )
        rows.append(
            (
                Cell(label),
                Cell(name, code=True),
                Cell(ctx.sig(r["value"], 4), True),
                Cell(dist),
                Cell(interval, True),
                Cell(ctx.label("unit", r["unit"])),
                Cell(str(r["source"]) if isinstance(r["source"], str) else "", cite=True),
                Cell(str(r["tag"])),
            )
        )
    headers = tuple(
        ctx.t(f"parameters.col_{k}")
        for k in ("label", "code", "value", "distribution", "interval", "unit", "source", "tag")
    )
    table = Table(headers, tuple(rows), ctx.t("parameters.caption"), wide=True,
                  note=ctx.t("parameters.note"))  # fmt: skip
    blocks = (
        Paragraph(ctx.t("parameters.intro")),
        Paragraph(ctx.t("parameters.tags"), "note"),
        table,
    )
    return [Section(KEY, "results", ctx.t("parameters.title"), blocks, cheers=(22,))]
