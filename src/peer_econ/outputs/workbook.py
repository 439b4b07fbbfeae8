"""Excel workbook for the commissioner's meeting, written with xlsxwriter.

Numbers are stored as numbers with an Excel number format (so a Danish-locale Excel shows
``1.234.567`` where an English one shows ``1,234,567``), never as text and never with 12
decimals. Text is always written as a string cell; text that a spreadsheet could read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) also gets Excel's quote
prefix, so a label such as ``=HYPERLINK("x")`` arrives as the text it is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from peer_econ.errors import InputError

#: Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Excel number formats by kind of quantity.
NUMBER_FORMATS: Mapping[str, str] = {
    "dkk": "#,##0",
    "dkk_per_qaly": "#,##0",
    "qaly": "0.0000",
    "probability": "0.0%",
    "count": "#,##0",
    "decimal": "#,##0.0",
    "fte": "0.00",
    "value": "General",
    "year": "0",
}

#: Longest sheet name Excel accepts.
MAX_SHEET_TITLE = 31

#: Fixed creation time written into the file, so identical inputs give identical workbooks.
CREATED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title line, optional notes and a table.

    Attributes
    ----------
    title : str
        Sheet name (at most 31 characters, no ``[]:*?/\\``).
    frame : pandas.DataFrame
        The table; column names become the header row.
    formats : mapping of column to kind
        Number format of numeric columns, a key of :data:`NUMBER_FORMATS` (default ``value``).
    headers : mapping of column to header text
        Display names of columns (default: the column name).
    notes : tuple of str
        Lines written above the table (what it shows, units, price year).
    """

    title: str
    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        bad = set("[]:*?/\\") & set(self.title)
        if not self.title or len(self.title) > MAX_SHEET_TITLE or bad:
            raise InputError(
                f"sheet title {self.title!r}: give 1 to {MAX_SHEET_TITLE} characters "
                "without []:*?/\\"
            )
        unknown = {k for k in self.formats.values() if k not in NUMBER_FORMATS}
        if unknown:
            raise InputError(f"sheet {self.title!r}: unknown number formats {sorted(unknown)}")


def needs_quote_prefix(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    return text.startswith(FORMULA_STARTS)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def write_workbook(path: Path, sheets: Sequence[Sheet], *, title: str = "peer_econ") -> Path:
    """Write ``sheets`` to an ``.xlsx`` file at ``path``.

    Parameters
    ----------
    path : Path
        Target file (its folder must exist; callers write into an atomic output folder).
    sheets : sequence of Sheet
        Worksheets in order; titles must be unique.
    title : str
        Document title (file properties).

    Returns
    -------
    Path
    """
    import xlsxwriter

    titles = [s.title for s in sheets]
    if len(set(titles)) != len(titles):
        raise InputError(f"workbook sheets need unique titles; got {titles}")
    options = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    book = xlsxwriter.Workbook(str(path), options)
    try:
        book.set_properties({"title": title, "created": CREATED, "author": "peer_econ"})
        styles = _Styles(book)
        for sheet in sheets:
            _write_sheet(book.add_worksheet(sheet.title), sheet, styles)
    finally:
        book.close()
    return path


class _Styles:
    """Cell formats of one workbook (xlsxwriter formats belong to a workbook)."""

    def __init__(self, book: Any) -> None:
        self.heading = book.add_format({"bold": True, "font_size": 13})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})
        self.header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.text = book.add_format({})
        self.quoted = book.add_format({"quote_prefix": True})
        self.bold_text = book.add_format({"bold": True})
        self.numbers = {k: book.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items()}


def _write_sheet(ws: Any, sheet: Sheet, styles: _Styles) -> None:
    ws.write_string(0, 0, sheet.title, styles.heading)
    row = 1
    for note in sheet.notes:
        _write_text(ws, row, 0, note, styles.note, styles)
        row += 1
    row += 1
    columns = list(sheet.frame.columns)
    for col, name in enumerate(columns):
        _write_text(ws, row, col, str(sheet.headers.get(name, name)), styles.header, styles)
        width = max(10, min(40, len(str(sheet.headers.get(name, name))) + 2))
        ws.set_column(col, col, width)
    ws.freeze_panes(row + 1, 0)
    for values in sheet.frame.itertuples(index=False, name=None):
        row += 1
        for col, (name, value) in enumerate(zip(columns, values, strict=True)):
            kind = sheet.formats.get(name, "value")
            _write_cell(ws, row, col, value, styles.numbers[kind], styles)


def _write_cell(ws: Any, row: int, col: int, value: Any, number: Any, styles: _Styles) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None)
    elif isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value))
    elif _is_number(value):
        number_value = float(value)
        if math.isfinite(number_value):
            ws.write_number(row, col, number_value, number)
        else:
            ws.write_string(row, col, "infinite" if number_value > 0 else "-infinite")
    else:
        _write_text(ws, row, col, str(value), styles.text, styles)


def _write_text(ws: Any, row: int, col: int, text: str, style: Any, styles: _Styles) -> None:
    ws.write_string(row, col, text, styles.quoted if needs_quote_prefix(text) else style)
