"""Render a run folder's report: Jinja2 templates (autoescaped) over the section blocks.

Prose passes through :class:`Prose`, which escapes it, turns ``**x**`` into bold, links
citations ``[Rn]`` to the reference list and links the first use of every glossary term to its
entry. Nothing outside the page is referenced: figures are embedded as base64 PNG.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from peer_econ.outputs.report.blocks import Section
from peer_econ.outputs.report.context import Context

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CITATION = re.compile(r"\[(R\d+)\]")


@dataclass
class Prose:
    """Turns plain text into safe HTML, linking each glossary term on its first use only.

    Parameters
    ----------
    terms : sequence of (anchor, aliases)
        Glossary anchors and the words that name each term in the text.
    references : set of str
        Citation keys with an entry in the reference list (others stay plain text).
    """

    terms: Sequence[tuple[str, Sequence[str]]]
    references: frozenset[str]
    seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        patterns = []
        self._anchor_of: dict[str, str] = {}
        aliases = [(alias, anchor) for anchor, names in self.terms for alias in names if alias]
        for index, (alias, anchor) in enumerate(sorted(aliases, key=lambda a: -len(a[0]))):
            group = f"t{index}"
            self._anchor_of[group] = anchor
            flags = "" if any(ch.isupper() for ch in alias) else "(?i)"
            body = re.escape(str(escape(alias)))
            patterns.append(f"(?P<{group}>{'(?i:' + body + ')' if flags else body})")
        self._pattern = (
            re.compile(r"(?<![\w#-])(?:" + "|".join(patterns) + r")(?![\w-])") if patterns else None
        )

    def __call__(self, text: object) -> Markup:
        html = str(escape(str(text)))
        html = _BOLD.sub(r"<b>\1</b>", html)
        html = _CITATION.sub(self._cite, html)
        if self._pattern is not None:
            html = self._link_terms(html)
        return Markup(html)

    def cite(self, text: object) -> Markup:
        """Escape ``text`` and link its citations only (table cells)."""
        return Markup(_CITATION.sub(self._cite, str(escape(str(text)))))

    def _cite(self, match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in self.references:
            return match.group(0)
        return f'<a class="cite" href="#ref-{key}">[{key}]</a>'

    def _link_terms(self, html: str) -> str:
        pattern = self._pattern
        if pattern is None:  # no glossary terms to link
            return html
        out, last = [], 0
        # never inside a tag or an existing link
        for match in pattern.finditer(html):
            if _inside_tag_or_link(html, match.start()):
                continue
            group = match.lastgroup or ""
            anchor = self._anchor_of.get(group, "")
            if not anchor or anchor in self.seen:
                continue
            self.seen.add(anchor)
            out.append(html[last : match.start()])
            out.append(f'<a class="term" href="#{anchor}">{match.group(0)}</a>')
            last = match.end()
        out.append(html[last:])
        return "".join(out)


def _inside_tag_or_link(html: str, position: int) -> bool:
    before = html[:position]
    if before.rfind("<") > before.rfind(">"):
        return True
    return before.rfind("<a ") > before.rfind("</a>")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("peer_econ.outputs.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@dataclass(frozen=True)
class Part:
    """A group of sections that starts on a new page in print."""

    key: str
    title: str
    sections: tuple[Section, ...]


def group_parts(ctx: Context, sections: Iterable[Section], order: Sequence[str]) -> list[Part]:
    """Sections grouped by part, parts in ``order``, sections in their given order."""
    by_part: dict[str, list[Section]] = {key: [] for key in order}
    for section in sections:
        by_part.setdefault(section.part, []).append(section)
    return [
        Part(key, ctx.t(f"part.{key}"), tuple(items)) for key, items in by_part.items() if items
    ]


def render_page(
    ctx: Context,
    parts: Sequence[Part],
    *,
    banner: Sequence[str],
    footer: str,
    prose: Prose,
    glossary_anchors: Mapping[str, str],
) -> str:
    """The whole page as a string (HTML5, one file, no external resources)."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        lang=ctx.lang.code,
        title=ctx.t("title"),
        subtitle=ctx.t(
            "subtitle",
            perspective=ctx.label("perspective", ctx.info.setting("perspective")),
            comparator=ctx.comparator,
        ),
        contents_title=ctx.t("contents"),
        banner_title=ctx.t("what_if.title"),
        banner=list(banner),
        parts=list(parts),
        figures=ctx.run.figures,
        prose=prose,
        footer=footer,
        glossary_anchors=glossary_anchors,
    )
