"""The pieces a report section is made of; the templates turn each kind into HTML.

Sections hold plain text (escaped by the templates, with ``**bold**`` marks, citations ``[R44]``
and glossary terms linked) and never HTML, except :class:`Raw` for drawings built with escaping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from markupsafe import Markup


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of prose; ``tone`` styles it (``""``, ``note``, ``lead``)."""

    text: str
    tone: str = ""
    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True)
class Bullets:
    """A bullet list of prose items."""

    items: tuple[str, ...]
    kind: str = field(default="bullets", init=False)


@dataclass(frozen=True)
class Cell:
    """One table cell: ``text`` as shown; ``numeric`` aligns it right; ``href`` makes it a link
    inside the page; ``cite`` links ``[Rn]`` citations in it; ``code`` marks an identifier that
    may break anywhere when the column is narrow."""

    text: str
    numeric: bool = False
    href: str = ""
    cite: bool = False
    code: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a caption; ``wide`` tables get a smaller font in print."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    wide: bool = False
    note: str = ""
    kind: str = field(default="table", init=False)


@dataclass(frozen=True)
class Figure:
    """An embedded figure of the run folder (PNG stem) with its caption."""

    stem: str
    caption: str
    kind: str = field(default="figure", init=False)


@dataclass(frozen=True)
class Callout:
    """A highlighted box of prose: ``tone`` is ``key``, ``warn`` or ``whatif``."""

    tone: str
    title: str
    lines: tuple[str, ...]
    kind: str = field(default="callout", init=False)


@dataclass(frozen=True)
class Card:
    """One decision card: a title, a verdict and labelled lines of prose."""

    title: str
    verdict: str
    positive: bool
    rows: tuple[tuple[str, str], ...]
    kind: str = field(default="card", init=False)


@dataclass(frozen=True)
class Cards:
    """Decision cards side by side on screen, stacked in print."""

    cards: tuple[Card, ...]
    kind: str = field(default="cards", init=False)


@dataclass(frozen=True)
class Raw:
    """Markup built by the report itself with every text escaped (e.g. an inline SVG)."""

    html: Markup
    caption: str = ""
    kind: str = field(default="raw", init=False)


@dataclass(frozen=True)
class Definitions:
    """A definition list whose terms are link targets (glossary, references)."""

    items: tuple[tuple[str, str, str], ...]  # (anchor, term, text)
    kind: str = field(default="definitions", init=False)


Block = Paragraph | Bullets | Table | Figure | Callout | Cards | Raw | Definitions


@dataclass(frozen=True)
class Section:
    """One section of the report.

    Attributes
    ----------
    key : str
        Anchor id (letters, digits, ``-``).
    part : str
        Key of the part it belongs to (parts start on a new page in print).
    title : str
    blocks : tuple of Block
    cheers : tuple of int
        CHEERS 2022 items this section answers.
    """

    key: str
    part: str
    title: str
    blocks: tuple[Block, ...]
    cheers: tuple[int, ...] = ()


def frame_table(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str, Callable[[Any], str] | None]],
    *,
    caption: str = "",
    wide: bool = False,
    note: str = "",
) -> Table:
    """A :class:`Table` of ``frame``: ``columns`` lists ``(column, header, formatter)``; a
    formatter marks the column numeric, ``None`` shows the text as it is."""
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column, _, formatter in columns:
            value = record[column]
            if formatter is None:
                cells.append(Cell("" if _missing(value) else str(value)))
            else:
                cells.append(Cell(formatter(value), numeric=True))
        rows.append(tuple(cells))
    headers = tuple(header for _, header, _ in columns)
    return Table(headers, tuple(rows), caption, wide, note)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)
