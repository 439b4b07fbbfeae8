"""Glossary of every term the report uses; prose links each term to its entry on first use."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Definitions, Section
from peer_econ.outputs.report.context import Context

#: Glossary entries (catalogue ``report.glossary.<id>.term / .match / .text``), shown in the
#: language's alphabetical order.
TERMS = (
    "icer",
    "qaly",
    "utility",
    "eq5d",
    "nmb",
    "inmb",
    "ce_plane",
    "ceac",
    "ceaf",
    "frontier",
    "expected_loss",
    "evpi",
    "evppi",
    "evsi",
    "enbs",
    "dominance",
    "extended_dominance",
    "smd",
    "psa",
    "owsa",
    "threshold",
    "wtp",
    "qpr15",
    "mansa",
    "wsas",
    "perspective",
    "payer",
    "discounting",
    "trial_period",
    "durability",
    "cost_consequence",
    "budget_impact",
    "in_kind",
    "fte",
)


def anchor(term: str) -> str:
    """Link target of a glossary entry."""
    return f"g-{term.replace('_', '-')}"


def terms(ctx: Context) -> list[tuple[str, list[str]]]:
    """``(anchor, aliases)`` of every entry, for linking prose."""
    return [
        (anchor(t), [a.strip() for a in ctx.t(f"glossary.{t}.match").split("|") if a.strip()])
        for t in TERMS
    ]


def build(ctx: Context) -> list[Section]:
    """The glossary section."""
    entries = sorted(
        ((anchor(t), ctx.t(f"glossary.{t}.term"), ctx.t(f"glossary.{t}.text")) for t in TERMS),
        key=lambda entry: entry[1].casefold(),
    )
    return [
        Section("glossary", "appendix", ctx.t("glossary.title"), (Definitions(tuple(entries)),))
    ]
