"""Warnings raised while the run was computed (as recorded in ``run_info.json``)."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Bullets, Paragraph, Section
from peer_econ.outputs.report.context import Context


def build(ctx: Context) -> list[Section]:
    """The warnings section, absent when the run raised none."""
    notes = list(ctx.info.get("warnings", []) or [])
    if not notes:
        return []
    blocks = (Paragraph(ctx.t("warnings.intro")), Bullets(tuple(str(n) for n in notes)))
    return [Section("warnings", "appendix", ctx.t("warnings.title"), blocks)]


def footer(ctx: Context) -> str:
    """Provenance line at the bottom of the page."""
    versions = ctx.info.get("versions", {}) or {}
    return ctx.t(
        "footer",
        version=versions.get("peer_econ", "?"),
        seed=ctx.info["seed"],
        samples=ctx.number(ctx.info["n_samples"]),
        python=versions.get("python", "?"),
        numpy=versions.get("numpy", "?"),
    )
