"""The CHEERS 2022 checklist: each of the 28 items mapped to the sections that answer it.

Husereau D, Drummond M, Augustovski F, et al. CHEERS 2022. Value Health 2022;25:3-9.
"""

from __future__ import annotations

from collections.abc import Sequence

from peer_econ.outputs.report.blocks import Cell, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.statements import STATEMENTS, provided

#: Number of CHEERS 2022 items.
N_ITEMS = 28
#: Anchor of the report title (item 1 is answered by the title itself).
TITLE_ANCHOR = "title"


def build(ctx: Context, sections: Sequence[Section]) -> Section:
    """The checklist table, built from the items each section declares."""
    where: dict[int, list[Section]] = {}
    for section in sections:
        for item in section.cheers:
            where.setdefault(item, []).append(section)
    statement_items = {item: key for _, _, key, item in STATEMENTS}
    rows = []
    for item in range(1, N_ITEMS + 1):
        links = where.get(item, [])
        if item == 1:
            place = Cell(ctx.t("cheers.title_place"), href=f"#{TITLE_ANCHOR}")
        elif links:
            place = Cell(links[0].title, href=f"#{links[0].key}")
        else:
            place = Cell(ctx.t("cheers.missing"))
        status = "cheers.reported"
        if item in statement_items and not provided(ctx, statement_items[item]):
            status = "cheers.not_provided"
        elif item != 1 and not links:
            status = "cheers.missing"
        also = ctx.t("list.comma").join(s.title for s in links[1:])
        rows.append(
            (
                Cell(str(item), True),
                Cell(ctx.t(f"cheers.item_{item}")),
                place,
                Cell(ctx.t(status) + (ctx.t("cheers.also", sections=also) if also else "")),
            )
        )
    headers = tuple(ctx.t(f"cheers.col_{k}") for k in ("item", "topic", "where", "status"))
    table = Table(headers, tuple(rows), ctx.t("cheers.caption"), wide=True)
    blocks = (Paragraph(ctx.t("cheers.intro")), table)
    return Section("cheers", "appendix", ctx.t("cheers.title"), blocks)
