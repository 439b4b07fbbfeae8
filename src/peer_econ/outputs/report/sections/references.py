"""The reference list: every source the report cites as ``[Rn]`` (prose and parameter table).

Entries come from ``references.toml`` beside this module (the evidence table's section 8);
they are bibliographic data, the same in every language, printed as text (no links out).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from peer_econ.outputs.report.blocks import Definitions, Paragraph, Section
from peer_econ.outputs.report.context import Context


@cache
def references() -> dict[str, str]:
    """Citation key (``R1``) -> reference text, in key order."""
    text = (
        resources.files("peer_econ.outputs.report")
        .joinpath("references.toml")
        .read_text(encoding="utf-8")
    )
    entries = tomllib.loads(text)["references"]
    return dict(sorted(entries.items(), key=lambda kv: int(kv[0][1:])))


def build(ctx: Context) -> list[Section]:
    """The references section."""
    items = tuple((f"ref-{key}", f"[{key}]", text) for key, text in references().items())
    blocks = (Paragraph(ctx.t("references.intro")), Definitions(items))
    return [Section("references", "appendix", ctx.t("references.title"), blocks)]
