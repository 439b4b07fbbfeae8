"""Read and validate an inputs folder (the only module that reads ``inputs/``).

Each reader collects every problem in every row and raises one :class:`InputError` whose lines
name file, row, column, the value found and what is allowed. Byte-order marks, Windows line
endings and trailing blank lines are accepted silently; a wrong delimiter is reported.
Row numbers count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from peer_econ.errors import MAX_ABS_VALUE, InputError
from peer_econ.inputs.display import LABELS_FILE, STATEMENTS_FILE, read_display_texts
from peer_econ.inputs.options import (
    DISCOUNT_RATE_RANGE,
    MAX_SAMPLES,
    MAX_SEED,
    MAX_WTP_POINTS,
)
from peer_econ.inputs.text import read_text
from peer_econ.model.spec import (
    COMPANIONSHIP_DELIVERY,
    COST_CATEGORIES,
    MODULES,
    PAYERS,
    TAGS,
    CostItem,
    DiscountSchedule,
    DisplayTexts,
    Inputs,
    ModelSettings,
    Strategy,
    check_settings,
    domain_problem,
)
from peer_econ.parameters.distributions import (
    Beta,
    Distribution,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
    Triangular,
    TruncatedNormal,
    Uniform,
)
from peer_econ.parameters.fitting import (
    BOUNDED_FAMILIES,
    FITTED_FAMILIES,
    MEAN_TOLERANCE,
    MOMENT_FAMILIES,
    close_to_mean,
    fit_from_bounds,
    fit_from_moments,
    se_from_interval,
    spread,
)
from peer_econ.parameters.table import ParameterSpec, ParameterTable

PARAMETER_COLUMNS = (
    "name",
    "value",
    "distribution",
    "se",
    "psa_low",
    "psa_high",
    "p1",
    "p2",
    "p3",
    "p4",
    "low",
    "high",
    "unit",
    "price_year",
    "payer",
    "module",
    "voi_group",
    "source",
    "tag",
    "notes",
)
STRATEGY_COLUMNS = (
    "strategy",
    "label",
    "programme",
    "paid_facilitators",
    "volunteer_facilitators",
    "companionship",
    "effect_multiplier",
    "description",
)
COST_ITEM_COLUMNS = ("item", "category", "payer", "in_kind", "description")
CORRELATION_COLUMNS = ("parameter_a", "parameter_b", "spearman_rho", "source", "tag", "notes")
#: Columns a parameters file must have (the others may be absent).
REQUIRED_PARAMETER_COLUMNS = (
    "name",
    "value",
    "distribution",
    "low",
    "high",
    "unit",
    "source",
    "tag",
)
#: Columns that give a distribution fitted around ``value`` (DESIGN 2.8).
UNCERTAINTY_COLUMNS = ("se", "psa_low", "psa_high")
#: Columns that give a distribution by its own parameters.
RAW_COLUMNS = ("p1", "p2", "p3", "p4")
#: Items the model computes; ``cost_items.csv`` must list exactly these.
MODEL_COST_ITEMS = (
    "coordination",
    "programme_fixed",
    "volunteer_training",
    "paid_peer_training",
    "paid_facilitation",
    "paid_peer_expenses",
    "volunteer_expenses",
    "refreshments",
    "venue",
    "materials",
    "companionship_matching",
    "companionship_expenses",
    "companionship_paid_time",
    "volunteer_time",
    "participant_time",
    "participant_transport",
    "primary_care",
    "psychiatric_outpatient",
    "psychiatric_inpatient",
    "municipal_support",
    "wellbeing_offset",
)


def _dist_builders() -> dict[str, tuple[int, Callable[..., Distribution], str]]:
    """Distribution name -> (number of required p-columns, constructor, meaning of p1..p4)."""
    return {
        "fixed": (0, Fixed, "value only, or p1 = value"),
        "normal": (2, Normal, "p1 = mean, p2 = sd"),
        "truncnormal": (4, TruncatedNormal, "p1 = mu, p2 = sd, p3 = lower, p4 = upper"),
        "lognormal": (2, LogNormal, "p1 = meanlog, p2 = sdlog"),
        "lognormal_mean_se": (2, LogNormal.from_mean_se, "p1 = mean, p2 = se"),
        "gamma": (2, Gamma, "p1 = shape, p2 = scale"),
        "gamma_mean_se": (2, Gamma.from_mean_se, "p1 = mean, p2 = se"),
        "beta": (2, Beta, "p1 = alpha, p2 = beta, optional p3 = lower, p4 = upper"),
        "beta_mean_se": (2, Beta.from_mean_se, "p1 = mean, p2 = se"),
        "uniform": (2, Uniform, "p1 = low, p2 = high"),
        "triangular": (3, Triangular, "p1 = low, p2 = mode, p3 = high"),
    }


DISTRIBUTIONS = tuple(sorted(_dist_builders()))


def _row_distribution(
    row: Mapping[str, str], value: float | None, where: str, problems: list[str]
) -> Distribution | None:
    """The PSA distribution of one parameter row (``None`` after recording its problems)."""
    kind = row["distribution"].lower()
    if kind not in _dist_builders():
        problems.append(
            f"{where}, column 'distribution': parameter {row['name']!r} uses unknown distribution "
            f"{row['distribution']!r}; choose one of {list(DISTRIBUTIONS)}"
        )
        return None
    fitted = [c for c in UNCERTAINTY_COLUMNS if row.get(c, "")]
    raw = [c for c in RAW_COLUMNS if row.get(c, "")]
    if fitted and raw:
        problems.append(
            f"{where}, columns {fitted + raw}: give the uncertainty either as se/psa_low/psa_high "
            "(a distribution fitted around value) or as p1-p4 (its own parameters), not both"
        )
        return None
    if value is None or problems:
        return None
    if kind == "fixed":
        if fitted:
            problems.append(
                f"{where}, columns {fitted}: a fixed parameter has no uncertainty; clear them or "
                f"choose one of {list(FITTED_FAMILIES)}"
            )
            return None
        return _raw_distribution(row, kind, value, where, problems) if raw else Fixed(value)
    if fitted or (kind in FITTED_FAMILIES and not raw):
        return _fitted_distribution(row, kind, value, where, problems)
    return _raw_distribution(row, kind, value, where, problems)


def _fitted_distribution(
    row: Mapping[str, str], kind: str, value: float, where: str, problems: list[str]
) -> Distribution | None:
    """Distribution fitted around ``value`` from ``se`` or ``psa_low``/``psa_high``."""
    if kind not in FITTED_FAMILIES:
        problems.append(
            f"{where}, column 'distribution': {kind!r} takes its own parameters p1-p4; "
            f"se/psa_low/psa_high fit one of {list(FITTED_FAMILIES)} around value"
        )
        return None
    local: list[str] = []
    se = _number(row.get("se", ""), f"{where}, column 'se'", local, required=False)
    low = _number(row.get("psa_low", ""), f"{where}, column 'psa_low'", local, required=False)
    high = _number(row.get("psa_high", ""), f"{where}, column 'psa_high'", local, required=False)
    problems.extend(local)
    if local:
        return None
    interval = low is not None or high is not None
    meaning = "bounds" if kind in BOUNDED_FAMILIES else "95 % interval"
    if kind in BOUNDED_FAMILIES and se is not None:
        problems.append(
            f"{where}, column 'se': a {kind} distribution is fitted from its bounds psa_low and "
            "psa_high, not from a standard error"
        )
        return None
    if se is not None and interval:
        problems.append(
            f"{where}, columns 'se'/'psa_low'/'psa_high': give a standard error or a 95 % "
            "interval, not both"
        )
        return None
    if se is None and (low is None or high is None):
        need = (
            "psa_low and psa_high (its bounds)"
            if kind in BOUNDED_FAMILIES
            else ("se (a standard error) or psa_low and psa_high (a 95 % interval)")
        )
        problems.append(f"{where}: a {kind} distribution around value needs {need}")
        return None
    try:
        if kind in BOUNDED_FAMILIES:
            return fit_from_bounds(kind, value, float(low), float(high))  # type: ignore[arg-type]
        if se is None:
            if not float(low) <= value <= float(high):  # type: ignore[arg-type]
                problems.append(
                    f"{where}, column 'value': {value:g} lies outside its 95 % interval "
                    f"[{low:g}, {high:g}] (psa_low, psa_high)"
                )
                return None
            se = se_from_interval(float(low), float(high))  # type: ignore[arg-type]
        return fit_from_moments(kind, value, se)
    except InputError as exc:
        cols = "'psa_low'/'psa_high'" if interval else "'se'"
        problems.append(f"{where}, columns 'value'/{cols} ({kind} {meaning}): {exc}")
        return None


def _raw_distribution(
    row: Mapping[str, str], kind: str, value: float, where: str, problems: list[str]
) -> Distribution | None:
    """Distribution given by its own parameters ``p1``-``p4``; ``value`` must be its mean."""
    n_req, build, meaning = _dist_builders()[kind]
    args: list[float] = []
    local: list[str] = []
    for k in range(1, 5):
        col = f"p{k}"
        needed = k <= n_req or (kind == "beta" and k in (3, 4) and bool(row["p3"] or row["p4"]))
        num = _number(row.get(col, ""), f"{where}, column '{col}'", local, required=needed)
        if num is not None and (k <= max(n_req, 1) or kind == "beta"):
            args.append(num)
    if kind == "fixed" and not args and not local:
        local.append(f"{where}, column 'p1': empty; a fixed parameter given by p1-p4 needs p1")
    problems.extend(local)
    if local:
        return None
    try:
        dist = Fixed(args[0]) if kind == "fixed" else build(*args)
    except InputError as exc:
        problems.append(f"{where}, columns 'p1'-'p4': {exc} (for {kind}: {meaning})")
        return None
    mean = float(dist.mean)
    if not close_to_mean(value, mean):
        problems.append(f"{where}, column 'value': {_mean_gap_message(kind, value, dist)}")
        return None
    return dist


def _mean_gap_message(kind: str, value: float, dist: Distribution) -> str:
    """Why a raw-parameter row is rejected, with both numbers and how to fix it."""
    mean = float(dist.mean)
    gap = abs(value - mean) / max(abs(mean), 1e-12)
    family = kind.removesuffix("_mean_se")
    fix = f"set value to {mean:.6g}"
    if family in MOMENT_FAMILIES and dist.variance > 0:
        fix += (
            f", or clear p1-p4 and give se = {spread(dist):.4g} (this distribution's spread) "
            f"so that a {family} distribution is fitted around value"
        )
    elif kind in BOUNDED_FAMILIES:
        fix += ", or clear p1-p4 and give the bounds as psa_low and psa_high"
    return (
        f"{value:g} differs from the mean {mean:.6g} of its {kind} distribution (p1-p4) by "
        f"{100 * gap:.3g} %, more than {100 * MEAN_TOLERANCE:g} %; the edit would be ignored, "
        f"so {fix}"
    )


# --- CSV reading -----------------------------------------------------------------------------


def read_csv_rows(
    path: Path, required: Sequence[str], *, optional: Sequence[str] = ()
) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV into ``(row number, {column: text})`` pairs, header checked.

    Parameters
    ----------
    path : Path
        CSV file (UTF-8, optional BOM, any line ending, comma-delimited).
    required : sequence of str
        Columns that must be present.
    optional : sequence of str
        Columns that may be absent (read as "").

    Raises
    ------
    InputError
        Missing file, empty file, wrong delimiter, missing or duplicated columns.
    """
    text = read_text(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise InputError(
            f"{path}: file is empty; expected a header row with columns {list(required)}"
        )
    reader = csv.reader(io.StringIO("\n".join(lines)))
    rows = list(reader)
    header = [h.strip() for h in rows[0]]
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        found = next(d for d in (";", "\t", "|") if d in header[0])
        raise InputError(
            f"{path} row 1: header is delimited by {found!r}; use commas (',') between columns"
        )
    problems = []
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        problems.append(f"{path} row 1: duplicated column(s) {dupes}")
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(f"{path} row 1: missing column(s) {missing}; required: {list(required)}")
    if problems:
        raise InputError(problems)
    out: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(
                f"{path} row {number}: {len(cells)} cells but the header has {len(header)} "
                "columns (an unquoted comma?)"
            )
            continue
        record = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        for col in optional:
            record.setdefault(col, "")
        out.append((number, record))
    if problems:
        raise InputError(problems)
    return out


def _number(text: str, where: str, problems: list[str], *, required: bool = True) -> float | None:
    if text == "":
        if required:
            problems.append(f"{where}: empty; a number is required")
        return None
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        problems.append(f"{where}: {text!r} is not a number")
        return None
    if not math.isfinite(value):
        problems.append(f"{where}: {text!r} is not a finite number")
        return None
    if abs(value) > MAX_ABS_VALUE:
        problems.append(
            f"{where}: {text!r} exceeds the limit of {MAX_ABS_VALUE:g} in magnitude (the model's "
            "arithmetic would overflow)"
        )
        return None
    return value


# --- parameters ------------------------------------------------------------------------------


def read_parameters(path: Path) -> ParameterTable:
    """Read ``parameters.csv`` into a validated :class:`ParameterTable`.

    The PSA distribution is fitted around ``value`` from ``se`` or the 95 % interval
    ``psa_low``-``psa_high`` (normal, lognormal, gamma, beta; method of moments) or from the
    bounds ``psa_low``-``psa_high`` (triangular, uniform), so editing ``value`` moves the base
    case and the PSA together (:mod:`peer_econ.parameters.fitting`). A row may instead give the
    distribution by its own parameters ``p1``-``p4``; then ``value`` must lie within 0.1 % of
    that distribution's mean, or the row is an error that names both numbers and the fix.

    Checks, for every row: known distribution (lists the valid ones), numeric cells, the
    parameters of the distribution within its support (e.g. a beta mean in (0, 1), an SE small
    enough for a beta, a positive gamma mean), ``low <= high``, the base value inside
    ``[low, high]``, unit and source present, a known tag, payer and module, unique names.
    """
    rows = read_csv_rows(path, REQUIRED_PARAMETER_COLUMNS, optional=PARAMETER_COLUMNS)
    problems: list[str] = []
    specs: list[ParameterSpec] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        where = f"{path} row {number}"
        name = _parameter_name(row["name"], where, number, seen, problems)
        if name is None:
            continue
        row_problems: list[str] = []
        spec = _parameter_spec(name, row, where, row_problems)
        problems.extend(row_problems)
        if spec is not None:
            specs.append(spec)
    if not rows:
        problems.append(f"{path}: no parameter rows below the header")
    if problems:
        raise InputError(problems)
    return ParameterTable(tuple(specs))


def _parameter_name(
    name: str, where: str, number: int, seen: dict[str, int], problems: list[str]
) -> str | None:
    """The name of one ``parameters.csv`` row, checked.

    Parameters
    ----------
    name : str
        The row's ``name`` cell.
    where : str
        ``"<file> row <number>"``, for messages.
    number : int
        Row number in the file.
    seen : dict of str to int
        Name -> row number of the rows read so far; the name is added.
    problems : list of str
        Problems found so far; this row's are appended.

    Returns
    -------
    str or None
        The name; ``None`` when it is empty or repeats an earlier row's (the row is skipped).
        A name that is not an identifier is a problem, but the rest of the row is still read.
    """
    if not name:
        problems.append(f"{where}, column 'name': empty; every parameter needs a name")
        return None
    if not name.isidentifier():
        problems.append(
            f"{where}, column 'name': {name!r} is not a valid name (letters, digits, '_')"
        )
    if name in seen:
        problems.append(
            f"{where}, column 'name': duplicate name {name!r} (first on row {seen[name]})"
        )
        return None
    seen[name] = number
    return name


def _parameter_spec(
    name: str, row: Mapping[str, str], where: str, problems: list[str]
) -> ParameterSpec | None:
    """One named ``parameters.csv`` row as a :class:`ParameterSpec`.

    The cells are checked in the order of the problems reported: the numbers ``value``,
    ``low`` and ``high``, the descriptive columns (:func:`_parameter_labels`), the PSA
    distribution (:func:`_row_distribution`), then the one-way range (:func:`_range_problems`).

    Parameters
    ----------
    name : str
        The row's checked name.
    row : mapping of str to str
        The row's cells by column.
    where : str
        ``"<file> row <number>"``, for messages.
    problems : list of str
        This row's problems (appended to; empty on entry).

    Returns
    -------
    ParameterSpec or None
        ``None`` when the row has a problem.
    """
    value = _number(row["value"], f"{where}, column 'value'", problems)
    low = _number(row["low"], f"{where}, column 'low'", problems)
    high = _number(row["high"], f"{where}, column 'high'", problems)
    price_year, module = _parameter_labels(row, where, problems)
    dist = _row_distribution(row, value, where, problems)
    _range_problems(name, dist, value, low, high, where, problems)
    if problems or dist is None or low is None or high is None:
        return None
    return ParameterSpec(
        name=name,
        distribution=dist,
        low=low,
        high=high,
        unit=row["unit"],
        price_year=price_year,
        payer=row["payer"],
        module=module,
        voi_group=row["voi_group"],
        source=row["source"],
        tag=row["tag"],
        notes=row["notes"],
    )


def _parameter_labels(
    row: Mapping[str, str], where: str, problems: list[str]
) -> tuple[int | None, str]:
    """Check the descriptive columns of one ``parameters.csv`` row: ``unit`` and ``source``
    present, a known ``tag``, ``payer`` (or empty) and ``module``, a ``price_year`` (or empty)
    between 1990 and 2100.

    Returns
    -------
    price_year : int or None
        Price year of a cost [calendar year]; ``None`` when empty or invalid.
    module : str
        The row's module (``model`` when empty).
    """
    for col in ("unit", "source"):
        if not row[col]:
            problems.append(f"{where}, column '{col}': empty; every parameter needs a {col}")
    if row["tag"] not in TAGS:
        problems.append(f"{where}, column 'tag': {row['tag']!r}; choose one of {list(TAGS)}")
    if row["payer"] and row["payer"] not in PAYERS:
        problems.append(
            f"{where}, column 'payer': unknown payer {row['payer']!r}; choose one of "
            f"{list(PAYERS)} or leave empty"
        )
    module = row["module"] or "model"
    if module not in MODULES:
        problems.append(f"{where}, column 'module': {module!r}; choose one of {list(MODULES)}")
    price_year: int | None = None
    if row["price_year"]:
        py = _number(row["price_year"], f"{where}, column 'price_year'", problems)
        if py is not None:
            if py != int(py) or not 1990 <= py <= 2100:
                problems.append(
                    f"{where}, column 'price_year': {row['price_year']!r} is not a year "
                    "between 1990 and 2100"
                )
            else:
                price_year = int(py)
    return price_year, module


def _range_problems(
    name: str,
    dist: Distribution | None,
    value: float | None,
    low: float | None,
    high: float | None,
    where: str,
    problems: list[str],
) -> None:
    """Check the one-way range ``[low, high]`` of one parameter row against its distribution.

    Records ``low > high``, a distribution mean (the base value) outside the range, and, on a
    row with no other problem, a mean, ``low`` or ``high`` outside the parameter's domain
    (:func:`peer_econ.model.spec.domain_problem`).

    Parameters
    ----------
    name : str
    dist : Distribution or None
        The row's PSA distribution (``None`` when it could not be built).
    value, low, high : float or None
        The row's base value and one-way range [the parameter's unit] (``None`` when invalid).
    where : str
        ``"<file> row <number>"``, for messages.
    problems : list of str
        This row's problems (appended to).
    """
    if low is not None and high is not None and low > high:
        problems.append(f"{where}, columns 'low'/'high': low = {low} exceeds high = {high}")
    if dist is not None and value is not None:
        mean = float(dist.mean)
        if (
            low is not None
            and high is not None
            and low <= high
            and not low - 1e-9 * max(1.0, abs(low)) <= mean <= high + 1e-9 * max(1.0, abs(high))
        ):
            problems.append(
                f"{where}, column 'value': base value (distribution mean) {mean:.6g} is "
                f"outside the one-way range [{low:g}, {high:g}]"
            )
    if not problems and dist is not None and low is not None and high is not None:
        probe = ParameterSpec(name=name, distribution=dist, low=low, high=high, unit="")
        for col, v in (("value", float(dist.mean)), ("low", low), ("high", high)):
            problem = domain_problem(probe, v)
            if problem:
                problems.append(f"{where}, column '{col}': {name} = {problem}")


def read_correlations(path: Path, table: ParameterTable) -> ParameterTable:
    """Attach Spearman rank correlations from ``correlations.csv`` (absent file: none)."""
    if not path.exists():
        return table
    rows = read_csv_rows(path, CORRELATION_COLUMNS[:3], optional=CORRELATION_COLUMNS)
    problems: list[str] = []
    pairs: list[tuple[str, str, float]] = []
    seen: set[frozenset[str]] = set()
    for number, row in rows:
        where = f"{path} row {number}"
        a, b = row["parameter_a"], row["parameter_b"]
        ok = True
        for col, name in (("parameter_a", a), ("parameter_b", b)):
            if name not in table:
                problems.append(f"{where}, column '{col}': unknown parameter {name!r}")
                ok = False
            elif not table[name].is_uncertain:
                problems.append(
                    f"{where}, column '{col}': parameter {name!r} is fixed; only uncertain "
                    "parameters can be correlated"
                )
                ok = False
        if a == b:
            problems.append(f"{where}: a parameter cannot be correlated with itself ({a!r})")
            ok = False
        if frozenset((a, b)) in seen:
            problems.append(f"{where}: pair {a!r}~{b!r} is listed twice")
            ok = False
        seen.add(frozenset((a, b)))
        rho = _number(row["spearman_rho"], f"{where}, column 'spearman_rho'", problems)
        if rho is not None and not -1.0 < rho < 1.0:
            problems.append(
                f"{where}, column 'spearman_rho': {rho} must lie strictly between -1 and 1"
            )
            ok = False
        if ok and rho is not None:
            pairs.append((a, b, rho))
    if problems:
        raise InputError(problems)
    new = ParameterTable(table.specs, tuple(pairs))
    if pairs:
        try:
            new.correlation_matrix(new._correlated_names())
        except InputError as exc:
            numbers = [number for number, _ in rows]
            detail = exc.problems[0].partition("correlations.csv: ")[2] or exc.problems[0]
            raise InputError(
                f"{path} rows {numbers[0]}-{numbers[-1]}, column 'spearman_rho': {detail}; "
                "lower some of these correlations"
            ) from None
    return new


# --- strategies and cost items ---------------------------------------------------------------


def read_strategies(
    path: Path, table: ParameterTable, facilitators_per_group: int
) -> tuple[Strategy, ...]:
    """Read ``strategies.csv``: each strategy as a row of switches and parameter overrides."""
    rows = read_csv_rows(path, STRATEGY_COLUMNS[:6], optional=STRATEGY_COLUMNS)
    problems: list[str] = []
    out: list[Strategy] = []
    seen: set[str] = set()
    for number, row in rows:
        where = f"{path} row {number}"
        name = row["strategy"]
        if not name or not name.isidentifier():
            problems.append(
                f"{where}, column 'strategy': {name!r} is not a valid name (letters, digits, '_')"
            )
            continue
        if name in seen:
            problems.append(f"{where}, column 'strategy': duplicate strategy {name!r}")
            continue
        seen.add(name)
        flags: dict[str, int] = {}
        for col in ("programme", "paid_facilitators", "volunteer_facilitators"):
            num = _number(row[col], f"{where}, column '{col}'", problems)
            if num is not None and (num != int(num) or num < 0):
                problems.append(
                    f"{where}, column '{col}': {row[col]!r} must be a whole number >= 0"
                )
            elif num is not None:
                flags[col] = int(num)
        if flags.get("programme", 0) not in (0, 1):
            problems.append(f"{where}, column 'programme': {row['programme']!r}; use 0 or 1")
        comp = row["companionship"]
        if comp not in COMPANIONSHIP_DELIVERY:
            problems.append(
                f"{where}, column 'companionship': {comp!r}; choose one of "
                f"{list(COMPANIONSHIP_DELIVERY)}"
            )
        multiplier = row["effect_multiplier"]
        if multiplier and multiplier not in table:
            problems.append(
                f"{where}, column 'effect_multiplier': unknown parameter {multiplier!r}"
            )
        if len(flags) == 3:
            total = flags["paid_facilitators"] + flags["volunteer_facilitators"]
            if flags["programme"] == 1 and total != facilitators_per_group:
                problems.append(
                    f"{where}, columns 'paid_facilitators'/'volunteer_facilitators': they sum to "
                    f"{total}; a programme needs facilitators_per_group = {facilitators_per_group}"
                )
            if flags["programme"] == 0 and (total or comp != "none" or multiplier):
                problems.append(
                    f"{where}: a strategy without the programme (programme = 0) cannot have "
                    "facilitators, companionship or an effect multiplier"
                )
            if flags["programme"] == 1 and comp == "paid" and flags["paid_facilitators"] == 0:
                problems.append(
                    f"{where}, column 'companionship': 'paid' needs at least one paid facilitator"
                )
            out.append(
                Strategy(
                    name=name,
                    label=row["label"] or name,
                    programme=bool(flags["programme"]),
                    paid_facilitators=flags["paid_facilitators"],
                    volunteer_facilitators=flags["volunteer_facilitators"],
                    companionship=comp,
                    effect_multiplier=multiplier,
                    description=row["description"],
                )
            )
    if not rows:
        problems.append(f"{path}: no strategy rows below the header")
    if problems:
        raise InputError(problems)
    return tuple(out)


def read_cost_items(path: Path) -> tuple[CostItem, ...]:
    """Read ``cost_items.csv``: every model cost item with its category, payer and whether it
    is an in-kind contribution (``in_kind`` 1: counted like any cost, but no cash outlay)."""
    rows = read_csv_rows(path, COST_ITEM_COLUMNS[:3], optional=COST_ITEM_COLUMNS)
    problems: list[str] = []
    out: list[CostItem] = []
    for number, row in rows:
        where = f"{path} row {number}"
        if row["item"] not in MODEL_COST_ITEMS:
            problems.append(
                f"{where}, column 'item': unknown cost item {row['item']!r}; the model computes "
                f"{list(MODEL_COST_ITEMS)}"
            )
        if row["category"] not in COST_CATEGORIES:
            problems.append(
                f"{where}, column 'category': {row['category']!r}; choose one of "
                f"{list(COST_CATEGORIES)}"
            )
        if row["payer"] not in PAYERS:
            problems.append(
                f"{where}, column 'payer': unknown payer {row['payer']!r}; choose one of "
                f"{list(PAYERS)}"
            )
        in_kind = row["in_kind"] or "0"
        if in_kind not in ("0", "1"):
            problems.append(
                f"{where}, column 'in_kind': {row['in_kind']!r}; use 1 (an in-kind contribution: "
                "counted in the cost-utility analysis, no cash outlay in the budget) or 0"
            )
        out.append(
            CostItem(row["item"], row["category"], row["payer"], row["description"], in_kind == "1")
        )
    listed = [c.item for c in out]
    missing = [i for i in MODEL_COST_ITEMS if i not in listed]
    if missing:
        problems.append(f"{path}: cost item(s) {missing} are missing; every model item needs a row")
    dupes = sorted({i for i in listed if listed.count(i) > 1})
    if dupes:
        problems.append(f"{path}: cost item(s) {dupes} are listed more than once")
    if problems:
        raise InputError(problems)
    return tuple(out)


# --- settings --------------------------------------------------------------------------------

#: Keys of the ``[model]`` section: structural switches.
MODEL_KEYS = (
    "horizon_months", "trial_followup_months", "source_outcome", "utility_route", "durability",
    "shrinkage", "attendance_scaling", "attendance_model", "downstream_resource_use",
    "wellbeing_offset",
    "perspective", "comparator", "headline_strategy", "booster_courses",
    "booster_interval_months",
)  # fmt: skip
#: Keys of the ``[delivery]`` section (DESIGN 2.2a).
DELIVERY_KEYS = ("municipalities", "courses_per_municipality_per_year", "local_coordination")


def _read_typed_keys(
    section: Mapping[str, Any],
    keys: Sequence[str],
    name: str,
    path: Path,
    kwargs: dict[str, Any],
    problems: list[str],
) -> None:
    """Copy ``section``'s known keys into ``kwargs``, typed like the ModelSettings defaults."""
    defaults = ModelSettings()
    for key, value in section.items():
        if key not in keys:
            problems.append(f"{path} [{name}]: unknown key {key!r}; allowed: {sorted(keys)}")
            continue
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and expected is not bool or not isinstance(value, expected):
            problems.append(f"{path} [{name}]: {key} = {value!r} must be a {expected.__name__}")
            continue
        kwargs[key] = value


def _schedule(value: Any, where: str, problems: list[str]) -> DiscountSchedule | None:
    try:
        pairs = [(float(s), float(r)) for s, r in value]
    except (TypeError, ValueError):
        problems.append(
            f"{where}: {value!r} is not a list of [start_year, annual_rate] pairs, "
            "e.g. [[0, 0.035], [35, 0.025]]"
        )
        return None
    if not pairs or pairs[0][0] != 0.0:
        problems.append(f"{where}: the first [start_year, rate] pair must start at year 0")
        return None
    starts = [p[0] for p in pairs]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        problems.append(f"{where}: start years {starts} must increase strictly")
        return None
    low, high = DISCOUNT_RATE_RANGE
    if any(not (low < r < high) for _, r in pairs):
        problems.append(f"{where}: rates {[p[1] for p in pairs]} must lie in ({low:g}, {high:g})")
        return None
    return DiscountSchedule(tuple(starts), tuple(p[1] for p in pairs))


def read_settings(path: Path) -> ModelSettings:
    """Read ``settings.toml`` into :class:`ModelSettings` (unknown keys are errors)."""
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    problems: list[str] = []
    kwargs: dict[str, Any] = {}
    # [output] says how results are shown (inputs.output_settings), not what the model reads
    allowed_sections = {"model", "delivery", "discount", "perspectives", "psa", "wtp", "output"}
    for section in data:
        if section not in allowed_sections:
            problems.append(
                f"{path}: unknown section [{section}]; allowed: {sorted(allowed_sections)}"
            )
    for section in ("model", "delivery", "discount", "perspectives", "psa", "wtp"):
        if section in data and not isinstance(data[section], dict):
            problems.append(f"{path}: [{section}] must be a table (a [{section}] section)")
            data[section] = {}
    _read_typed_keys(data.get("delivery", {}), DELIVERY_KEYS, "delivery", path, kwargs, problems)
    _read_typed_keys(data.get("model", {}), MODEL_KEYS, "model", path, kwargs, problems)
    discount = data.get("discount", {})
    for key, value in discount.items():
        if key not in ("costs", "effects"):
            problems.append(f"{path} [discount]: unknown key {key!r}; use 'costs' and 'effects'")
            continue
        sched = _schedule(value, f"{path} [discount] {key}", problems)
        if sched is not None:
            kwargs[f"discount_{key}"] = sched
    if "perspectives" in data:
        persp = data["perspectives"]
        if not isinstance(persp, dict) or not all(isinstance(v, list) for v in persp.values()):
            problems.append(f"{path} [perspectives]: each perspective is a list of categories")
        else:
            kwargs["perspectives"] = {k: tuple(v) for k, v in persp.items()}
    psa = data.get("psa", {})
    for key, value in psa.items():
        if key not in ("n_samples", "seed"):
            problems.append(f"{path} [psa]: unknown key {key!r}; use n_samples and seed")
        elif not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path} [psa]: {key} = {value!r} must be a whole number")
        else:
            kwargs[key] = value
    wtp = data.get("wtp", {})
    for key, value in wtp.items():
        if key in ("start", "stop", "step", "point"):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                problems.append(f"{path} [wtp]: {key} = {value!r} must be a number (DKK/QALY)")
            else:
                kwargs[f"wtp_{key}"] = float(value)
        elif key in ("report_points", "curve_points"):
            numeric = isinstance(value, list) and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value
            )
            if not numeric:
                problems.append(
                    f"{path} [wtp]: {key} = {value!r} must be a list of numbers >= 0 (DKK/QALY)"
                )
            else:
                kwargs[f"wtp_{key}"] = tuple(float(v) for v in value)
        elif key == "nice_band_gbp":
            numeric = isinstance(value, list) and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
            )
            if not (numeric and len(value) == 2 and 0 <= value[0] <= value[1]):
                problems.append(
                    f"{path} [wtp]: nice_band_gbp = {value!r} must be [low, high] in GBP/QALY "
                    "with 0 <= low <= high"
                )
            else:
                kwargs["nice_band_gbp"] = (float(value[0]), float(value[1]))
        else:
            problems.append(f"{path} [wtp]: unknown key {key!r}")
    problems.extend(_psa_and_wtp_problems(kwargs, path))
    if problems:
        raise InputError(problems)
    settings = ModelSettings(**kwargs)
    check_settings(settings, str(path))
    return settings


def _psa_and_wtp_problems(values: Mapping[str, Any], path: Path) -> list[str]:
    """Bounds of [psa] and [wtp] values that the model checks do not cover: finite WTP values
    within the input limit, a grid of at most :data:`MAX_WTP_POINTS` points, PSA size and seed
    in range (the same limits as the command-line options)."""
    problems = []
    for key in ("wtp_start", "wtp_stop", "wtp_step", "wtp_point"):
        value = values.get(key)
        if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_ABS_VALUE):
            problems.append(
                f"{path} [wtp]: {key.removeprefix('wtp_')} = {value!r} must be a finite number "
                f"from 0 to {MAX_ABS_VALUE:g} DKK/QALY"
            )
    defaults = ModelSettings()
    start, stop, step = (
        values.get(f"wtp_{k}", getattr(defaults, f"wtp_{k}")) for k in ("start", "stop", "step")
    )
    if not problems and step > 0 and stop > start:
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_WTP_POINTS:
            problems.append(
                f"{path} [wtp]: start = {start:g}, stop = {stop:g}, step = {step:g} make "
                f"{count:,} grid points; at most {MAX_WTP_POINTS:,} are allowed (use a larger step)"
            )
    n_samples, seed = values.get("n_samples"), values.get("seed")
    if n_samples is not None and not 1 <= n_samples <= MAX_SAMPLES:
        problems.append(f"{path} [psa]: n_samples = {n_samples} must be from 1 to {MAX_SAMPLES:,}")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        problems.append(f"{path} [psa]: seed = {seed} must be from 0 to {MAX_SEED}")
    return problems


# --- the whole folder ------------------------------------------------------------------------

INPUT_FILES = ("parameters.csv", "strategies.csv", "cost_items.csv", "settings.toml")


def load_inputs(folder: Path | str = "inputs") -> Inputs:
    """Read and validate a whole inputs folder; report problems from all files at once.

    Parameters
    ----------
    folder : Path or str
        Folder holding ``parameters.csv``, ``strategies.csv``, ``cost_items.csv``,
        ``settings.toml`` and optionally ``correlations.csv``, ``scenarios.toml``, ``labels.csv``
        (display names of codes) and ``report.toml`` (the analyst's statements for the report).

    Raises
    ------
    InputError
        Every problem found, one line each.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: inputs folder not found")
    problems: list[str] = []
    table: ParameterTable | None = None
    settings: ModelSettings | None = None
    cost_items: tuple[CostItem, ...] = ()
    try:
        table = read_parameters(folder / "parameters.csv")
        table = read_correlations(folder / "correlations.csv", table)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        settings = read_settings(folder / "settings.toml")
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        cost_items = read_cost_items(folder / "cost_items.csv")
    except InputError as exc:
        problems.extend(exc.problems)
    strategies: tuple[Strategy, ...] = ()
    if table is not None:
        missing = [n for n in REQUIRED_PARAMETERS if n not in table]
        if missing:
            problems.append(
                f"{folder / 'parameters.csv'}: parameters the model needs are missing: {missing}"
            )
        fpg = table["facilitators_per_group"].value if "facilitators_per_group" in table else 2
        try:
            strategies = read_strategies(folder / "strategies.csv", table, int(fpg))
        except InputError as exc:
            problems.extend(exc.problems)
    if settings is not None and strategies:
        settings = _named_strategies(settings, strategies, folder / "settings.toml", problems)
    display = DisplayTexts()
    try:
        display = read_display_texts(folder, read_csv_rows)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems or table is None or settings is None:
        raise InputError(problems)
    optional = ("correlations.csv", "scenarios.toml", LABELS_FILE, STATEMENTS_FILE)
    files = tuple(p for p in (folder / f for f in (*INPUT_FILES, *optional)) if p.exists())
    return Inputs(table, strategies, cost_items, settings, files, display)


def _named_strategies(
    settings: ModelSettings, strategies: tuple[Strategy, ...], path: Path, problems: list[str]
) -> ModelSettings:
    """Fill in and check the comparator and the headline strategy (strategies are data).

    An empty comparator becomes the first strategy without the programme, an empty headline
    strategy the first other strategy of ``strategies.csv``. Both must name strategies of the
    table, and they must differ.
    """
    names = [s.name for s in strategies]
    comparator = settings.comparator or next(
        (s.name for s in strategies if not s.programme), names[0]
    )
    others = [n for n in names if n != comparator]
    if comparator in names and not others:
        problems.append(
            f"{path.parent / 'strategies.csv'}: only the comparator {comparator!r} is listed; add "
            "at least one strategy to compare with it"
        )
        return settings
    headline = settings.headline_strategy or next(iter(others), "")
    for key, value in (("comparator", comparator), ("headline_strategy", headline)):
        if value not in names:
            problems.append(
                f"{path} [model]: {key} = {value!r} is not a strategy in strategies.csv ({names})"
            )
    if comparator == headline:
        problems.append(
            f"{path} [model]: headline_strategy = {headline!r} is the comparator; name the "
            f"strategy the single-strategy outputs describe, one of {names}"
        )
    return dataclasses.replace(settings, comparator=comparator, headline_strategy=headline)


def parse_overrides(items: Sequence[str], table: ParameterTable) -> dict[str, float]:
    """Parse ``NAME=VALUE`` strings (``--set``) against the parameter table."""
    problems: list[str] = []
    out: dict[str, float] = {}
    for item in items:
        if "=" not in item:
            problems.append(f"--set {item!r}: use NAME=VALUE, e.g. --set participants_per_group=10")
            continue
        name, _, text = item.partition("=")
        name = name.strip()
        if name not in table:
            close = [n for n in table.names if name.lower() in n.lower()][:3]
            hint = f"; did you mean {close}?" if close else ""
            problems.append(f"--set {item!r}: unknown parameter {name!r}{hint}")
            continue
        value = _number(text.strip(), f"--set {item!r}", problems)
        if value is not None:
            problem = domain_problem(table[name], value)
            if problem:
                problems.append(f"--set {item!r}: {name} = {problem}")
            else:
                out[name] = value
    if problems:
        raise InputError(problems)
    return out


def overrides_from_mapping(values: Mapping[str, float], table: ParameterTable) -> dict[str, float]:
    """Check a mapping of overrides against the table (API twin of :func:`parse_overrides`)."""
    unknown = [n for n in values if n not in table]
    if unknown:
        raise InputError(f"unknown parameter(s) {unknown}; see inputs/parameters.csv")
    problems = []
    for name, value in values.items():
        number = float(value)
        if not math.isfinite(number) or abs(number) > MAX_ABS_VALUE:
            # the model's arithmetic would overflow (or carry NaN) into every result
            problems.append(
                f"override {name} = {number:g}: give a finite number of at most "
                f"{MAX_ABS_VALUE:g} in magnitude"
            )
            continue
        problem = domain_problem(table[name], number)
        if problem:
            problems.append(f"override {name} = {problem}")
    if problems:
        raise InputError(problems)
    return {k: float(v) for k, v in values.items()}


#: Parameters the model reads; a custom inputs folder must define all of them.
REQUIRED_PARAMETERS = (
    "mansa_d", "wsas_d", "qpr15_d", "qpr15_md", "mansa_md", "wsas_md", "sd_eq5d_target",
    "lambda_share", "r_mansa_eq5d", "r_wsas_eq5d", "r_qpr15_eq5d", "mapping_slope_mansa",
    "direct_delta_u", "baseline_utility", "shrinkage_factor", "trial_attendance_prop",
    "delivered_attendance_prop", "prop_one_to_one_uptake", "decay_months", "half_life_months",
    "coordinator_salary_annual", "wage_index_2023_to_2024", "overhead_rate",
    "productive_hours_per_year", "paid_hours_per_year", "coordinator_hours_per_course",
    "trainer_hours_per_training_cohort", "training_venue_per_cohort",
    "volunteers_per_training_cohort", "courses_per_volunteer", "training_hours_per_volunteer",
    "sessions_per_course", "session_hours", "facilitators_per_group", "course_weeks",
    "participants_per_group", "facilitator_expenses_per_session", "refreshments_per_session",
    "venue_per_session", "materials_per_participant", "volunteer_preparation_hours_per_session",
    "companionship_matching_hours", "companionship_meetings_per_user",
    "companionship_expenses_per_meeting", "companionship_meeting_hours",
    "companionship_travel_hours", "sosu_hjaelper_min_monthly", "volunteer_value_multiplier",
    "paid_peer_pay_supplement", "paid_peer_on_cost_rate",
    "paid_peer_hours_per_course_per_facilitator", "courses_per_paid_peer",
    "participant_time_hourly_value", "participant_time_per_session",
    "participant_transport_per_session", "mean_sessions_attended", "gp_consultation_fee",
    "psychiatric_bed_day", "psychiatric_outpatient_visit", "municipal_support_hour",
    "delta_gp_visits", "delta_outpatient_visits", "delta_bed_days", "delta_support_hours",
    "wellbeing_offset_per_wemwbs_point", "wemwbs_sd", "ppp_dkk_per_usd", "cpi_2021_to_2024",
    "local_coordination_hours_per_municipality_year", "setup_hours_per_municipality",
    "setup_materials_per_municipality", "programme_lifetime_years",
    "dedicated_coordinator_fte_per_municipality", "trial_mean_sessions_attended",
)  # fmt: skip
