"""The report's sections, one module each, in reading order; :func:`render` assembles the page.

Each module's ``build(ctx)`` reads the run folder's tables through the
:class:`~peer_econ.outputs.report.context.Context` and returns its sections (none when the
folder lacks the tables it needs). To add a section, write a module with a ``build`` function
and list it in :data:`BUILDERS`; the CHEERS checklist picks up the items it declares.
"""

from __future__ import annotations

from collections.abc import Callable

from peer_econ.outputs.report.blocks import Section
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.render import Prose, group_parts, render_page
from peer_econ.outputs.report.sections import (
    abstract,
    assumptions,
    budget,
    cheers,
    costs,
    decision,
    discussion,
    equity,
    glossary,
    messages,
    model,
    notes,
    outcomes,
    parameters,
    references,
    results,
    scale,
    setting,
    statements,
    uncertainty,
    voi,
    what_if,
)

#: Parts in reading order; each starts on a new page in print.
PARTS = (
    "decision",
    "summary",
    "background",
    "methods",
    "results",
    "budget",
    "discussion",
    "appendix",
)


def _statement(key: str) -> Callable[[Context], list[Section]]:
    def build(ctx: Context) -> list[Section]:
        return [statements.section_for(ctx, key)]

    return build


#: Section builders in reading order (within each part).
BUILDERS: tuple[Callable[[Context], list[Section]], ...] = (
    decision.build,
    messages.build,
    abstract.build,
    setting.build,
    outcomes.build,
    model.build,
    equity.build,
    _statement("analysis-plan"),
    _statement("engagement"),
    results.build,
    costs.build,
    assumptions.build,
    uncertainty.build,
    scale.build,
    voi.build,
    _statement("engagement-effect"),
    parameters.build,
    budget.build,
    discussion.build,
)

#: Builders of the appendix after the checklist.
APPENDIX: tuple[Callable[[Context], list[Section]], ...] = (
    _statement("funding"),
    _statement("conflicts"),
    glossary.build,
    references.build,
    notes.build,
)


def build_sections(ctx: Context) -> list[Section]:
    """Every section of the report, the CHEERS checklist built from the others."""
    sections = [section for builder in BUILDERS for section in builder(ctx)]
    appendix = [section for builder in APPENDIX for section in builder(ctx)]
    checklist = cheers.build(ctx, [*sections, *appendix])
    return [*sections, checklist, *appendix]


def render(ctx: Context) -> str:
    """The report page of a run folder."""
    sections = build_sections(ctx)
    prose = Prose(glossary.terms(ctx), frozenset(references.references()))
    anchors = {glossary.anchor(t): ctx.t(f"glossary.{t}.term") for t in glossary.TERMS}
    return render_page(
        ctx,
        group_parts(ctx, sections, PARTS),
        banner=what_if.lines(ctx),
        footer=notes.footer(ctx),
        prose=prose,
        glossary_anchors=anchors,
    )
