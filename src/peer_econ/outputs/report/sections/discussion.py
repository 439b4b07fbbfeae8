"""Discussion (CHEERS 2022 item 26): findings, limitations, generalisability, and how the result
sits beside other evaluations of peer support (only sources of the evidence table, cited);
and the model's validation (AdViSHE)."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Bullets, Cell, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import optimal_at

#: Numbered catalogue entries of each list (``discussion.<list>_<n>``).
LIMITATIONS = 7
OTHER_EVALUATIONS = 6
VALIDATION_PARTS = ("a", "b", "c", "d", "e")


def build(ctx: Context) -> list[Section]:
    """Findings, limitations, generalisability, other evaluations; then validation."""
    optimal = optimal_at(ctx)
    finding = (
        ctx.t("discussion.finding_none", wtp=ctx.wtp_text(), comparator=ctx.comparator)
        if optimal == ctx.info.comparator
        else ctx.t("discussion.finding", wtp=ctx.wtp_text(), option=ctx.strategy(optimal))
    )
    blocks = (
        Paragraph(finding),
        Paragraph(ctx.t("discussion.limitations_intro")),
        Bullets(tuple(ctx.t(f"discussion.limitation_{i}") for i in range(1, LIMITATIONS + 1))),
        Paragraph(ctx.t("discussion.generalisability")),
        Paragraph(ctx.t("discussion.others_intro")),
        Bullets(tuple(ctx.t(f"discussion.other_{i}") for i in range(1, OTHER_EVALUATIONS + 1))),
        Paragraph(ctx.t("discussion.others_summary")),
    )
    discussion = Section("discussion", "discussion", ctx.t("discussion.title"), blocks, (26,))
    rows = tuple(
        (Cell(ctx.t(f"validation.part_{p}")), Cell(ctx.t(f"validation.done_{p}")))
        for p in VALIDATION_PARTS
    )
    table = Table(
        (ctx.t("validation.col_part"), ctx.t("validation.col_done")),
        rows,
        ctx.t("validation.caption"),
    )
    validation = Section(
        "validation",
        "discussion",
        ctx.t("validation.title"),
        (table, Bullets(tuple(ctx.t(f"validation.gap_{i}") for i in range(1, 5)))),
    )
    return [discussion, validation]
