"""Read the display texts of an inputs folder: labels of codes and the analyst's statements.

``labels.csv`` gives every code that a page may show (parameters, payers, perspectives, cost
items, resource categories, strategies, scenarios, VOI groups, structural switches) a readable
name in English (``label``) and Danish (``label_da``). ``report.toml`` holds what the analyst
states for reporting items a model cannot answer (CHEERS 2022 items 4, 21, 25, 27 and 28). Both
files are optional: without them pages fall back to the codes, and ``validate-inputs`` lists
every code that lacks a label.
"""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from peer_econ.errors import InputError, InputWarning
from peer_econ.model.spec import DisplayTexts, Inputs

LABEL_COLUMNS = ("kind", "name", "label", "label_da")
#: Kinds of code a label may name.
LABEL_KINDS = (
    "parameter",
    "payer",
    "perspective",
    "cost_item",
    "category",
    "strategy",
    "scenario",
    "voi_group",
    "outcome",
    "durability",
    "utility_route",
    "unit",
)
#: Languages of the label columns: ``label`` is English, ``label_<code>`` another language.
LABEL_LANGUAGES = {"label": "en", "label_da": "da"}
#: Statements of ``report.toml`` (CHEERS 2022 item in brackets).
STATEMENT_KEYS = (
    "analysis_plan",  # 4: health economic analysis plan
    "engagement_approach",  # 21: approach to engagement with patients and others affected
    "engagement_effect",  # 25: effect of that engagement
    "funding",  # 27: source of funding
    "conflicts_of_interest",  # 28
)
LABELS_FILE = "labels.csv"
STATEMENTS_FILE = "report.toml"

#: The CSV reader of :mod:`peer_econ.inputs.load` (passed in: load imports this module).
RowReader = Callable[..., Sequence[tuple[int, dict[str, str]]]]


def read_labels(path: Path, read_rows: RowReader) -> tuple[tuple[str, str, str, str], ...]:
    """Read ``labels.csv`` into ``(kind, name, language, text)`` rows (empty cells skipped).

    ``read_rows`` is :func:`peer_econ.inputs.load.read_csv_rows` (header, BOM and delimiter
    checks shared with every other CSV of the inputs folder).

    Raises
    ------
    InputError
        Unknown kind, empty name, or a (kind, name) pair listed twice; every problem at once.
    """
    rows = read_rows(path, LABEL_COLUMNS[:3], optional=LABEL_COLUMNS)
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str, str, str]] = []
    for number, row in rows:
        where = f"{path} row {number}"
        kind, name = row["kind"], row["name"]
        if kind not in LABEL_KINDS:
            problems.append(f"{where}, column 'kind': {kind!r}; choose one of {list(LABEL_KINDS)}")
            continue
        if not name:
            problems.append(f"{where}, column 'name': empty; give the code the label names")
            continue
        if (kind, name) in seen:
            problems.append(f"{where}: {kind} {name!r} is listed twice; keep one row")
            continue
        seen.add((kind, name))
        for column, language in LABEL_LANGUAGES.items():
            if row.get(column, ""):
                out.append((kind, name, language, row[column]))
    if problems:
        raise InputError(problems)
    return tuple(out)


def read_statements(path: Path) -> tuple[tuple[str, str], ...]:
    """Read ``report.toml`` (table ``[report]``) into ``(key, text)`` pairs, texts stripped.

    Raises
    ------
    InputError
        Not TOML, no ``[report]`` table, an unknown key or a value that is not text.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    body = data.get("report")
    if not isinstance(body, dict):
        raise InputError(f"{path}: needs a [report] table with keys {list(STATEMENT_KEYS)}")
    problems = [
        f"{path} [report]: unknown key {key!r}; allowed: {list(STATEMENT_KEYS)}"
        for key in body
        if key not in STATEMENT_KEYS
    ]
    problems += [
        f'{path} [report]: {key} = {value!r} must be text ("" when nothing is stated)'
        for key, value in body.items()
        if key in STATEMENT_KEYS and not isinstance(value, str)
    ]
    if problems:
        raise InputError(problems)
    return tuple((key, str(body.get(key, "")).strip()) for key in STATEMENT_KEYS)


def read_display_texts(folder: Path, read_rows: RowReader) -> DisplayTexts:
    """Labels and statements of an inputs folder (each file optional)."""
    path = folder / LABELS_FILE
    labels = read_labels(path, read_rows) if path.is_file() else ()
    statements = (
        read_statements(folder / STATEMENTS_FILE)
        if (folder / STATEMENTS_FILE).is_file()
        else tuple((key, "") for key in STATEMENT_KEYS)
    )
    return DisplayTexts(labels, statements)


def coded_names(inputs: Inputs, scenarios: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Every ``(kind, name)`` code of ``inputs`` that a page may show."""
    settings = inputs.settings
    codes: list[tuple[str, str]] = [("parameter", s.name) for s in inputs.parameters.specs]
    codes += [("strategy", s.name) for s in inputs.strategies]
    codes += [("cost_item", c.item) for c in inputs.cost_items]
    codes += [("payer", p) for p in dict.fromkeys(c.payer for c in inputs.cost_items)]
    codes += [("category", c) for c in dict.fromkeys(c.category for c in inputs.cost_items)]
    codes += [("perspective", p) for p in settings.perspectives]
    groups = dict.fromkeys(s.voi_group for s in inputs.parameters.specs if s.voi_group)
    codes += [("voi_group", g) for g in groups]
    codes += [("scenario", name) for name in scenarios]
    codes += [("unit", u) for u in dict.fromkeys(s.unit for s in inputs.parameters.specs if s.unit)]
    return codes


def label_problems(inputs: Inputs, scenarios: Iterable[str] = ()) -> list[str]:
    """One line per code without an English or a Danish label (``validate-inputs`` warns).

    Strategies and scenarios take their English label from ``strategies.csv`` and
    ``scenarios.toml``, and units are English words already, so only their Danish label is
    asked of ``labels.csv``.
    """
    texts = inputs.display
    codes = coded_names(inputs, scenarios)
    own_english = (
        {("strategy", s.name) for s in inputs.strategies}
        | {("scenario", name) for name in scenarios}
        | {code for code in codes if code[0] == "unit"}
    )
    problems = []
    for kind, name in codes:
        missing = [
            column
            for column, language in LABEL_LANGUAGES.items()
            if not texts.label(kind, name, language)
            and not (language == "en" and (kind, name) in own_english)
        ]
        if missing:
            problems.append(
                f"{LABELS_FILE}: {kind} {name!r} has no {' or '.join(missing)}; pages will show "
                "the code instead"
            )
    return problems


def scenario_names(inputs: Inputs) -> list[str]:
    """Names of the scenarios in the folder's ``scenarios.toml`` (none when it is absent)."""
    for path in inputs.files:
        if path.name == "scenarios.toml":
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                return []  # reported by the scenario reader, which names the problem
            body = data.get("scenarios", {})
            return list(body) if isinstance(body, dict) else []
    return []


def warn_missing_labels(inputs: Inputs) -> int:
    """Warn (:class:`~peer_econ.errors.InputWarning`) once per code without a label; return
    how many lack one."""
    problems = label_problems(inputs, scenario_names(inputs))
    for problem in problems:
        warnings.warn(problem, InputWarning, stacklevel=2)
    return len(problems)
