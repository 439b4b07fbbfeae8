"""What the analyst states for items a model cannot answer (``inputs/report.toml``): the health
economic analysis plan (CHEERS 2022 item 4), engagement with patients and others affected (21,
25), funding (27) and conflicts of interest (28). Empty statements are flagged "not provided",
never filled in."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Paragraph, Section
from peer_econ.outputs.report.context import Context

#: (section key, part, statement key, CHEERS item)
STATEMENTS = (
    ("analysis-plan", "methods", "analysis_plan", 4),
    ("engagement", "methods", "engagement_approach", 21),
    ("engagement-effect", "results", "engagement_effect", 25),
    ("funding", "appendix", "funding", 27),
    ("conflicts", "appendix", "conflicts_of_interest", 28),
)


def provided(ctx: Context, key: str) -> bool:
    """Whether the analyst stated something for ``key``."""
    return bool(ctx.info.statement(key))


def section_for(ctx: Context, section_key: str) -> Section:
    """The section of one statement."""
    for key, part, statement, item in STATEMENTS:
        if key == section_key:
            text = ctx.info.statement(statement)
            body = (
                Paragraph(ctx.t("statements.as_stated", text=text))
                if text
                else Paragraph(ctx.t("statements.not_provided"), "warn")
            )
            return Section(key, part, ctx.t(f"statements.{statement}"), (body,), cheers=(item,))
    raise KeyError(section_key)
