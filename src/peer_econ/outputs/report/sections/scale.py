"""The delivery scale: cost per participant and ICER by courses a year and municipalities."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Cell, Figure, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context

#: Axes of ``scale_curve.csv`` (runs.scale_curve.AXES).
COURSES, MUNICIPALITIES = "courses_per_municipality_per_year", "municipalities"

#: Largest spread of cost per participant across municipalities still read as "no change" [DKK].
FLAT_DKK = 0.5


def build(ctx: Context) -> list[Section]:
    """Scale-curve tables and figure (absent without ``scale_curve.csv``)."""
    table = ctx.run.maybe("scale_curve")
    if table is None or table.empty:
        return []
    courses = table[table["axis"] == COURSES]
    names = list(dict.fromkeys(courses["strategy"]))
    values = list(dict.fromkeys(courses["value"]))
    by = courses.set_index(["value", "strategy"])
    headers = (ctx.t("scale_curve.col_courses"), *(ctx.strategy(n) for n in names))
    cost_rows = tuple(
        (Cell(ctx.sig(v)), *(Cell(ctx.number(by.loc[(v, n), "cost"]), True) for n in names))
        for v in values
    )
    icer_rows = tuple(
        (
            Cell(ctx.sig(v)),
            *(
                Cell(
                    ctx.icer_cell(
                        by.loc[(v, n), "inc_cost"],
                        by.loc[(v, n), "inc_qaly"],
                        by.loc[(v, n), "icer"],
                    ),
                    True,
                )  # fmt: skip
                for n in names
            ),
        )
        for v in values
    )
    towns = table[table["axis"] == MUNICIPALITIES]
    spread = towns.groupby("strategy")["cost"].agg(lambda c: float(c.max() - c.min()))
    flat = bool((spread < FLAT_DKK).all())
    blocks = (
        Paragraph(
            ctx.t(
                "scale_curve.intro",
                municipalities=ctx.sig(ctx.info.setting("municipalities")),
                courses=ctx.sig(ctx.info.setting("courses_per_municipality_per_year")),
                samples=ctx.number(ctx.info["n_samples"]),
            )
        ),
        Table(headers, cost_rows, ctx.t("scale_curve.cost_caption"), wide=True),
        Table(
            headers,
            icer_rows,
            ctx.t("scale_curve.icer_caption", comparator=ctx.comparator),
            wide=True,
        ),  # fmt: skip
        Paragraph(ctx.t(f"scale_curve.municipalities_{'flat' if flat else 'vary'}")),
        Figure("scale_curve", ctx.t("scale_curve.figure")),
    )
    return [Section("scale", "results", ctx.t("scale_curve.title"), blocks)]
