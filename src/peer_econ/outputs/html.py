"""Self-contained HTML report of a PEER run, structured along CHEERS 2022.

The page embeds its figures (PNG as base64) and tables, so it reads offline in any browser and can
be mailed to a commissioner. It is built from in-memory results; figures are taken from the run
folder being written (never from earlier runs).

References
----------
Husereau D, Drummond M, Augustovski F, et al. Consolidated Health Economic Evaluation Reporting
Standards 2022 (CHEERS 2022) statement. Value Health 2022;25:3-9. doi:10.1016/j.jval.2021.11.1351
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

Formatter = Callable[[object], str]


@dataclass(frozen=True)
class ReportSection:
    """One section of the HTML report.

    Attributes
    ----------
    key : str
        Anchor id (letters, digits, ``-``).
    title : str
        Heading.
    body : str
        HTML fragment (already escaped where it holds user text).
    order : int
        Position; sections are sorted by it, then by key.
    highlights : tuple of str
        One-sentence findings (plain text) collected into the report's key messages.
    """

    key: str
    title: str
    body: str
    order: int = 100
    highlights: tuple[str, ...] = ()


def esc(text: object) -> str:
    """HTML-escape any value's text."""
    return html.escape(str(text))


def money(value: object) -> str:
    """Thousands-separated whole currency, '-' for NaN."""
    number = float(value)  # type: ignore[arg-type]
    return "-" if not np.isfinite(number) else f"{number:,.0f}"


def qaly(value: object) -> str:
    """QALYs to four decimals, '-' for NaN."""
    number = float(value)  # type: ignore[arg-type]
    return "-" if not np.isfinite(number) else f"{number:.4f}"


def share(value: object) -> str:
    """A proportion as a percentage."""
    number = float(value)  # type: ignore[arg-type]
    return "-" if not np.isfinite(number) else f"{100 * number:.1f} %"


def table(
    frame: pd.DataFrame,
    formats: Mapping[str, Formatter] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    caption: str = "",
) -> str:
    """An HTML table of ``frame`` with per-column formatters and readable headers."""
    formats = formats or {}
    headers = headers or {}
    cols = list(frame.columns)
    head = "".join(f"<th>{esc(headers.get(c, c))}</th>" for c in cols)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for col, value in zip(cols, record, strict=True):
            fmt = formats.get(col)
            text = fmt(value) if fmt is not None else esc(_plain(value))
            numeric = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
            cells.append(f'<td class="{"num" if numeric else "txt"}">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _plain(value: object) -> str:
    if isinstance(value, float):
        return "-" if not np.isfinite(value) else f"{value:,.6g}"
    return str(value)


def figure(path: Path, caption: str) -> str:
    """Embed a PNG as base64 with a caption; empty string when the file is absent."""
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def paragraph(text: str) -> str:
    """An escaped paragraph."""
    return f"<p>{esc(text)}</p>"


def bullet_list(items: Sequence[str]) -> str:
    """An escaped bullet list."""
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1d1d1d;line-height:1.5}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #0072b2;padding-bottom:.2em;
margin-top:2em}h3{margin-top:1.4em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}caption{text-align:left;
font-weight:600;padding:.3em 0}th,td{border:1px solid #ccc;padding:.3em .6em}
th{background:#eef4f9;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}
.key{background:#f4f8fb;border-left:4px solid #0072b2;padding:.6em 1em}
.warn{background:#fff6e5;border-left:4px solid #e69f00;padding:.6em 1em}
nav ol{columns:2}code{background:#f2f2f2;padding:0 .2em}
footer{margin-top:3em;font-size:.8em;color:#666}
"""


def render(title: str, subtitle: str, sections: Sequence[ReportSection], footer: str) -> str:
    """The whole page: title, contents, sections in order, footer."""
    ordered = sorted(sections, key=lambda s: (s.order, s.key))
    nav = "".join(f'<li><a href="#{esc(s.key)}">{esc(s.title)}</a></li>' for s in ordered)
    body = "".join(
        f'<section id="{esc(s.key)}"><h2>{esc(s.title)}</h2>{s.body}</section>' for s in ordered
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>"
        f"<nav><h2>Contents</h2><ol>{nav}</ol></nav>{body}"
        f"<footer>{footer}</footer></body></html>\n"
    )
