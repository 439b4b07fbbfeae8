"""Read and validate PSA output from CSV files, and parse willingness-to-pay specifications.

Layout (as dampack's ``make_psa_obj`` and BCEA's ``e``/``c`` matrices): a header of strategy
names and one row per PSA sample. A leading index column (empty header, ``iteration``,
``sample`` or ``sim``, as R and pandas exports often carry; also pandas' ``Unnamed: 0``) is
recognised and dropped. A UTF-8 byte-order mark, CRLF line ends, surrounding spaces and trailing
blank lines are accepted silently. Every problem is reported as one line naming the file, row,
column, value and what is allowed (rows are data rows, 1 = the first line after the header;
``line`` is the line in the file).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peer_econ.errors import MAX_ABS_VALUE, InputError
from peer_econ.inputs.text import decode_text

FloatArray = NDArray[np.float64]

INDEX_COLUMN_NAMES = ("", "iteration", "sample", "sim", "unnamed: 0")
MAX_CELL_PROBLEMS = 5
__all__ = [
    "PSAFiles",
    "PSATable",
    "read_psa_csv",
    "read_psa_files",
]


@dataclass(frozen=True)
class PSATable:
    """One validated PSA table read from a CSV file.

    Attributes
    ----------
    path : Path
    columns : tuple of str, length n_columns
        Column names (strategies or parameters) after dropping an index column.
    values : numpy.ndarray, shape (n_samples, n_columns)
        Finite values, read-only.
    index_column : str or None
        Header of the dropped leading index column (``""`` for an empty header), or None.
    """

    path: Path
    columns: tuple[str, ...]
    values: FloatArray
    index_column: str | None

    @property
    def n_samples(self) -> int:
        """Number of data rows."""
        return int(self.values.shape[0])


@dataclass(frozen=True)
class PSAFiles:
    """Validated cost, effect and (optional) parameter tables of one PSA.

    Attributes
    ----------
    cost, effect : PSATable
        Same strategies in the same order (the effect columns are reordered to the cost file's
        order when both files name the same strategies in a different order).
    parameters : PSATable or None
        Parameter draws, same number of rows as ``cost``.
    notes : tuple of str
        What was recognised or adjusted (dropped index columns, reordered columns).
    """

    cost: PSATable
    effect: PSATable
    parameters: PSATable | None
    notes: tuple[str, ...]

    @property
    def strategies(self) -> tuple[str, ...]:
        """Strategy names in column order."""
        return self.cost.columns


def _decode(path: Path, label: str) -> str:
    if not path.exists():
        raise InputError(f"{label} {path}: file not found; give the path of a CSV file")
    if path.is_dir():
        raise InputError(f"{label} {path}: is a folder; give the path of a CSV file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{label} {path}: cannot be read ({exc.strerror or exc})") from None
    return decode_text(raw, f"{label} {path}")


def _ragged_row(where: str, body: list[str], header_line: int, n_cols: int, header: str) -> str:
    """Message for the first data line whose field count differs from the header's."""
    hint = ""
    if n_cols == 1 and ";" in header:
        hint = " (the file looks semicolon-separated; save it as comma-separated CSV)"
    for i, fields in enumerate(csv.reader(body)):
        if body[i].strip() and len(fields) != n_cols:
            return (
                f"{where} line {header_line + 2 + i}: {len(fields)} field"
                f"{'' if len(fields) == 1 else 's'} but the header has "
                f"{n_cols}; every row needs one value per header column{hint}"
            )
    return f"{where}: cannot parse the rows as CSV with {n_cols} columns{hint}"


def read_psa_csv(path: Path | str, *, label: str = "file", what: str = "strategy") -> PSATable:
    """Read one PSA table (header of names, one row per sample) and validate every cell.

    Parameters
    ----------
    path : Path or str
        CSV file.
    label : str
        How to name the file in messages (e.g. ``"--cost"``).
    what : str
        What a column is (``"strategy"`` or ``"parameter"``), for messages.

    Returns
    -------
    PSATable

    Raises
    ------
    InputError
        Missing or empty file, no data rows, empty or duplicate names, ragged rows, and
        non-numeric, empty, NaN or infinite cells (up to five listed per file).
    """
    path = Path(path)
    text = _decode(path, label)
    where = f"{label} {path}"
    lines = _content_lines(text, where, what)
    header_line = next(i for i, line in enumerate(lines) if line.strip())
    header = [name.strip() for name in next(csv.reader([lines[header_line]]))]
    index_column = None
    if len(header) >= 2 and header[0].lower() in INDEX_COLUMN_NAMES:
        index_column = header[0]
    names = header[1:] if index_column is not None else header
    offset = 1 if index_column is not None else 0
    _check_names(names, offset, header_line, where, what)
    body = lines[header_line + 1 :]
    frame = _read_body(body, lines[header_line], header_line, len(header), where)
    # line numbers of the data rows (blank lines skipped by the parser)
    line_no = np.asarray(
        [header_line + 2 + i for i, line in enumerate(body) if line.strip()], dtype=np.int64
    )
    values = _cell_values(frame.iloc[:, offset:], names, line_no, where)
    return PSATable(path=path, columns=tuple(names), values=values, index_column=index_column)


def _content_lines(text: str, where: str, what: str) -> list[str]:
    """The lines of a PSA file without trailing blank lines.

    Raises
    ------
    InputError
        When nothing but blank lines is left (an empty file).
    """
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or not "".join(lines).strip():
        raise InputError(
            f"{where}: file is empty; give a header of {what} names and one row per sample"
        )
    return lines


def _check_names(names: list[str], offset: int, header_line: int, where: str, what: str) -> None:
    """Check the column names of a PSA file's header: none empty, none repeated.

    Parameters
    ----------
    names : list of str
        Column names after a dropped index column.
    offset : int
        1 when an index column was dropped, else 0 (messages give the file's column numbers).
    header_line : int
        Index of the header among the file's lines (0 = first line).
    where, what : str
        The file and what a column is, for messages.

    Raises
    ------
    InputError
        Every empty and every repeated name.
    """
    problems = []
    for j, name in enumerate(names):
        if not name:
            problems.append(
                f"{where} line {header_line + 1}, column {j + offset + 1}: empty {what} name; "
                f"give every column a name"
            )
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if name and name in seen:
            problems.append(
                f"{where} line {header_line + 1}: {what} name {name!r} appears in columns "
                f"{seen[name] + offset + 1} and {j + offset + 1}; names must be unique"
            )
        seen.setdefault(name, j)
    if problems:
        raise InputError(problems)


def _read_body(
    body: list[str], header: str, header_line: int, n_cols: int, where: str
) -> pd.DataFrame:
    """The data lines of a PSA file as text cells, one column per header column.

    Parameters
    ----------
    body : list of str
        The lines below the header.
    header : str
        The header line as written.
    header_line : int
        Index of the header among the file's lines (0 = first line).
    n_cols : int
        Columns of the header (an index column included).
    where : str
        The file, for messages.

    Returns
    -------
    pandas.DataFrame
        Shape ``(n_samples, n_cols)`` of str, blank lines skipped.

    Raises
    ------
    InputError
        No data rows, a header that looks semicolon- or tab-separated, or a row whose number of
        fields differs from the header's.
    """
    if not any(line.strip() for line in body):
        raise InputError(f"{where}: header but no data rows; give one row per PSA sample")
    for delimiter, name in ((";", "semicolon"), ("\t", "tab")):
        if n_cols == 1 and delimiter in header:
            raise InputError(
                f"{where} line {header_line + 1}: the header looks {name}-separated "
                f"({header[:60]!r}); save the file as comma-separated CSV"
            )
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(body)),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            skipinitialspace=True,
            engine="c",
        )
    except pd.errors.ParserError:
        frame = None
    if frame is None or frame.shape[1] != n_cols:
        raise InputError(_ragged_row(where, body, header_line, n_cols, header))
    return frame


def _cell_values(
    cells: pd.DataFrame, names: list[str], line_no: NDArray[np.int64], where: str
) -> FloatArray:
    """The cells of a PSA table as numbers, every one checked.

    Parameters
    ----------
    cells : pandas.DataFrame, shape (n_samples, n_columns)
        Text cells of the named columns.
    names : list of str, length n_columns
        Column names, for messages.
    line_no : numpy.ndarray of int, shape (n_samples,)
        Line in the file of each data row, for messages.
    where : str
        The file, for messages.

    Returns
    -------
    numpy.ndarray, shape (n_samples, n_columns)
        Finite values of magnitude at most ``MAX_ABS_VALUE``, read-only.

    Raises
    ------
    InputError
        Non-numeric, empty, NaN, infinite or too large cells: the first
        ``MAX_CELL_PROBLEMS`` named, and how many more there are.
    """
    values = np.empty(cells.shape, dtype=np.float64)
    bad: list[str] = []
    n_bad = 0
    for j in range(cells.shape[1]):
        raw = cells.iloc[:, j].to_numpy(dtype=object)
        col = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            broken = ~(np.abs(col) <= MAX_ABS_VALUE)
        if broken.any():
            rows = np.flatnonzero(broken)
            n_bad += rows.size
            for i in rows[: max(0, MAX_CELL_PROBLEMS - len(bad))]:
                cell = raw[i]
                shown = "empty cell" if cell is None or str(cell).strip() == "" else repr(cell)
                what_is_wrong = (
                    f"exceeds the limit of {MAX_ABS_VALUE:g} in magnitude"
                    if np.isfinite(col[i])
                    else "is not a finite number"
                )
                bad.append(
                    f"{where} row {i + 1} (line {line_no[i]}), column {names[j]!r}: {shown} "
                    f"{what_is_wrong}; every cell must be a finite number of magnitude at most "
                    f"{MAX_ABS_VALUE:g}"
                )
        values[:, j] = col
    if bad:
        if n_bad > len(bad):
            bad.append(f"{where}: {n_bad - len(bad)} more cells are not valid numbers")
        raise InputError(bad)
    values.flags.writeable = False
    return values


def read_psa_files(
    cost: Path | str,
    effect: Path | str,
    parameters: Path | str | None = None,
) -> PSAFiles:
    """Read and cross-check the cost, effect and optional parameter CSV files of one PSA.

    Parameters
    ----------
    cost, effect : Path or str
        CSV files with a header of strategy names and one row per sample: cost per person
        [currency] and effect per person [effect unit].
    parameters : Path or str, optional
        Parameter draws (header of parameter names), one row per sample in the same order.

    Returns
    -------
    PSAFiles

    Raises
    ------
    InputError
        Any problem of :func:`read_psa_csv`, different row counts, or different strategy names.
    """
    problems: list[str] = []
    tables: dict[str, PSATable] = {}
    specs: list[tuple[str, Path | str | None, str]] = [
        ("--cost", cost, "strategy"),
        ("--effect", effect, "strategy"),
        ("--parameters", parameters, "parameter"),
    ]
    for label, path, what in specs:
        if path is None:
            continue
        try:
            tables[label] = read_psa_csv(path, label=label, what=what)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    c_tab, e_tab = tables["--cost"], tables["--effect"]
    p_tab = tables.get("--parameters")
    notes: list[str] = []
    for label, tab in tables.items():
        if tab.index_column is not None:
            header = tab.index_column if tab.index_column else "(empty header)"
            notes.append(f"{label} {tab.path}: dropped leading index column {header!r}")
    for label, other in (("--effect", e_tab), ("--parameters", p_tab)):
        if other is not None and other.n_samples != c_tab.n_samples:
            problems.append(
                f"{label} {other.path} has {other.n_samples} data rows but --cost {c_tab.path} has "
                f"{c_tab.n_samples}; give one row per PSA sample, in the same order, in both"
            )
    if set(c_tab.columns) != set(e_tab.columns) or len(c_tab.columns) != len(e_tab.columns):
        only_c = [n for n in c_tab.columns if n not in e_tab.columns]
        only_e = [n for n in e_tab.columns if n not in c_tab.columns]
        problems.append(
            f"--effect {e_tab.path} header: strategies {only_e} are not in --cost "
            f"{c_tab.path}, which has {only_c} instead; both files need the same strategy names"
        )
    if problems:
        raise InputError(problems)
    if e_tab.columns != c_tab.columns:
        order = [e_tab.columns.index(n) for n in c_tab.columns]
        values = e_tab.values[:, order]
        values.flags.writeable = False
        e_tab = PSATable(e_tab.path, c_tab.columns, values, e_tab.index_column)
        notes.append(f"--effect {e_tab.path}: columns reordered to the --cost file's order")
    return PSAFiles(cost=c_tab, effect=e_tab, parameters=p_tab, notes=tuple(notes))
