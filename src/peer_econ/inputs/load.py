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
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from peer_econ.errors import InputError, InputWarning
from peer_econ.model.spec import (
    COMPANIONSHIP_DELIVERY,
    COST_CATEGORIES,
    MODULES,
    PAYERS,
    TAGS,
    CostItem,
    DiscountSchedule,
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
from peer_econ.parameters.table import ParameterSpec, ParameterTable

PARAMETER_COLUMNS = (
    "name",
    "value",
    "distribution",
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
COST_ITEM_COLUMNS = ("item", "category", "payer", "description")
CORRELATION_COLUMNS = ("parameter_a", "parameter_b", "spearman_rho", "source", "tag", "notes")
#: Relative gap between a row's ``value`` and its distribution's mean that triggers a warning.
MEAN_TOLERANCE = 0.005
#: Items the model computes; ``cost_items.csv`` must list exactly these.
MODEL_COST_ITEMS = (
    "coordination",
    "volunteer_training",
    "paid_peer_training",
    "paid_facilitation",
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
        "fixed": (0, lambda v: Fixed(v), "value only"),
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
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
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
    return value


# --- parameters ------------------------------------------------------------------------------


def read_parameters(path: Path) -> ParameterTable:
    """Read ``parameters.csv`` into a validated :class:`ParameterTable`.

    Checks, for every row: known distribution (lists the valid ones), numeric cells, the
    parameters of the distribution within its support (e.g. a beta mean in (0, 1), an SE small
    enough for a beta, a positive gamma mean), ``low <= high``, the base value inside
    ``[low, high]``, unit and source present, a known tag, payer and module, unique names.
    A base value that differs from its distribution's mean by more than 0.5 % gives an
    :class:`InputWarning` (the model uses the mean).
    """
    rows = read_csv_rows(
        path, PARAMETER_COLUMNS[:10] + ("source", "tag"), optional=PARAMETER_COLUMNS
    )
    builders = _dist_builders()
    problems: list[str] = []
    specs: list[ParameterSpec] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        where = f"{path} row {number}"
        name = row["name"]
        if not name:
            problems.append(f"{where}, column 'name': empty; every parameter needs a name")
            continue
        if not name.isidentifier():
            problems.append(
                f"{where}, column 'name': {name!r} is not a valid name (letters, digits, '_')"
            )
        if name in seen:
            problems.append(
                f"{where}, column 'name': duplicate name {name!r} (first on row {seen[name]})"
            )
            continue
        seen[name] = number
        row_problems: list[str] = []
        value = _number(row["value"], f"{where}, column 'value'", row_problems)
        low = _number(row["low"], f"{where}, column 'low'", row_problems)
        high = _number(row["high"], f"{where}, column 'high'", row_problems)
        for col in ("unit", "source"):
            if not row[col]:
                row_problems.append(
                    f"{where}, column '{col}': empty; every parameter needs a {col}"
                )
        if row["tag"] not in TAGS:
            row_problems.append(
                f"{where}, column 'tag': {row['tag']!r}; choose one of {list(TAGS)}"
            )
        if row["payer"] and row["payer"] not in PAYERS:
            row_problems.append(
                f"{where}, column 'payer': unknown payer {row['payer']!r}; choose one of "
                f"{list(PAYERS)} or leave empty"
            )
        module = row["module"] or "model"
        if module not in MODULES:
            row_problems.append(
                f"{where}, column 'module': {module!r}; choose one of {list(MODULES)}"
            )
        price_year: int | None = None
        if row["price_year"]:
            py = _number(row["price_year"], f"{where}, column 'price_year'", row_problems)
            if py is not None:
                if py != int(py) or not 1990 <= py <= 2100:
                    row_problems.append(
                        f"{where}, column 'price_year': {row['price_year']!r} is not a year "
                        "between 1990 and 2100"
                    )
                else:
                    price_year = int(py)
        kind = row["distribution"].lower()
        dist: Distribution | None = None
        if kind not in builders:
            row_problems.append(
                f"{where}, column 'distribution': parameter {name!r} uses unknown distribution "
                f"{row['distribution']!r}; choose one of {list(DISTRIBUTIONS)}"
            )
        else:
            n_req, build, meaning = builders[kind]
            args: list[float] = []
            for k in range(1, 5):
                col = f"p{k}"
                needed = k <= n_req
                if kind == "beta" and k in (3, 4) and (row["p3"] or row["p4"]):
                    needed = True
                num = _number(row[col], f"{where}, column '{col}'", row_problems, required=needed)
                if num is not None and (k <= n_req or kind == "beta"):
                    args.append(num)
            if kind == "fixed" and value is not None:
                dist = Fixed(value)
                if args and args[0] != value:
                    warnings.warn(
                        f"{where}, column 'p1': {args[0]:g} differs from value {value:g}; a "
                        "fixed parameter uses its value",
                        InputWarning,
                        stacklevel=2,
                    )
            elif len(args) >= n_req and not row_problems:
                try:
                    dist = build(*args)
                except InputError as exc:
                    row_problems.append(
                        f"{where}, columns 'p1'-'p4': {exc} (for {kind}: {meaning})"
                    )
        if low is not None and high is not None and low > high:
            row_problems.append(f"{where}, columns 'low'/'high': low = {low} exceeds high = {high}")
        if dist is not None and value is not None:
            mean = float(dist.mean)
            if (
                low is not None
                and high is not None
                and low <= high
                and not low - 1e-9 * max(1.0, abs(low)) <= mean <= high + 1e-9 * max(1.0, abs(high))
            ):
                row_problems.append(
                    f"{where}, column 'value': base value (distribution mean) {mean:.6g} is "
                    f"outside the one-way range [{low:g}, {high:g}]"
                )
            gap = abs(value - mean)
            if gap > MEAN_TOLERANCE * max(abs(mean), 1e-12) and gap > 1e-12:
                warnings.warn(
                    f"{where}, column 'value': base value {value:g} differs from the mean "
                    f"{mean:.6g} of its {kind} distribution by more than 0.5%; the model uses "
                    "the mean",
                    InputWarning,
                    stacklevel=2,
                )
        if not row_problems and dist is not None and low is not None and high is not None:
            probe = ParameterSpec(name=name, distribution=dist, low=low, high=high, unit="")
            for col, v in (("value", float(dist.mean)), ("low", low), ("high", high)):
                problem = domain_problem(probe, v)
                if problem:
                    row_problems.append(f"{where}, column '{col}': {name} = {problem}")
        problems.extend(row_problems)
        if row_problems or dist is None or low is None or high is None:
            continue
        specs.append(
            ParameterSpec(
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
        )
    if not rows:
        problems.append(f"{path}: no parameter rows below the header")
    if problems:
        raise InputError(problems)
    return ParameterTable(tuple(specs))


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
        new.correlation_matrix(new._correlated_names())
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
    """Read ``cost_items.csv``: every model cost item with its category and payer."""
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
        out.append(CostItem(row["item"], row["category"], row["payer"], row["description"]))
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
    if any(not (-0.5 < r < 1.0) for _, r in pairs):
        problems.append(f"{where}: rates {[p[1] for p in pairs]} must lie in (-0.5, 1)")
        return None
    return DiscountSchedule(tuple(starts), tuple(p[1] for p in pairs))


def read_settings(path: Path) -> ModelSettings:
    """Read ``settings.toml`` into :class:`ModelSettings` (unknown keys are errors)."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    problems: list[str] = []
    kwargs: dict[str, Any] = {}
    allowed_sections = {"model", "discount", "perspectives", "psa", "wtp"}
    for section in data:
        if section not in allowed_sections:
            problems.append(
                f"{path}: unknown section [{section}]; allowed: {sorted(allowed_sections)}"
            )
    for section in ("model", "discount", "perspectives", "psa", "wtp"):
        if section in data and not isinstance(data[section], dict):
            problems.append(f"{path}: [{section}] must be a table (a [{section}] section)")
            data[section] = {}
    defaults = ModelSettings()
    model = data.get("model", {})
    model_keys = {
        "horizon_months", "trial_followup_months", "source_outcome", "utility_route",
        "durability", "shrinkage", "attendance_scaling", "downstream_resource_use",
        "wellbeing_offset", "perspective", "comparator", "headline_strategy",
        "booster_courses", "booster_interval_months",
    }  # fmt: skip
    for key, value in model.items():
        if key not in model_keys:
            problems.append(f"{path} [model]: unknown key {key!r}; allowed: {sorted(model_keys)}")
            continue
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and expected is not bool or not isinstance(value, expected):
            problems.append(f"{path} [model]: {key} = {value!r} must be a {expected.__name__}")
            continue
        kwargs[key] = value
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
    if problems:
        raise InputError(problems)
    settings = ModelSettings(**kwargs)
    check_settings(settings, str(path))
    return settings


# --- the whole folder ------------------------------------------------------------------------

INPUT_FILES = ("parameters.csv", "strategies.csv", "cost_items.csv", "settings.toml")


def load_inputs(folder: Path | str = "inputs") -> Inputs:
    """Read and validate a whole inputs folder; report problems from all files at once.

    Parameters
    ----------
    folder : Path or str
        Folder holding ``parameters.csv``, ``strategies.csv``, ``cost_items.csv``,
        ``settings.toml`` and optionally ``correlations.csv``.

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
    if problems or table is None or settings is None:
        raise InputError(problems)
    optional = ("correlations.csv", "scenarios.toml")
    files = tuple(p for p in (folder / f for f in (*INPUT_FILES, *optional)) if p.exists())
    return Inputs(table, strategies, cost_items, settings, files)


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
    headline = settings.headline_strategy or next((n for n in names if n != comparator), "")
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
        problem = domain_problem(table[name], float(value))
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
    "participants_per_group", "volunteer_expenses_per_session", "refreshments_per_session",
    "venue_per_session", "materials_per_participant", "volunteer_preparation_hours_per_session",
    "companionship_matching_hours", "companionship_meetings_per_user",
    "companionship_expenses_per_meeting", "companionship_meeting_hours",
    "companionship_travel_hours", "sosu_hjaelper_min_monthly", "volunteer_value_multiplier",
    "paid_peer_monthly_pay", "paid_peer_on_cost_rate",
    "paid_peer_hours_per_course_per_facilitator", "courses_per_paid_peer",
    "participant_time_hourly_value", "participant_time_per_session",
    "participant_transport_per_session", "mean_sessions_attended", "gp_consultation_fee",
    "psychiatric_bed_day", "psychiatric_outpatient_visit", "municipal_support_hour",
    "delta_gp_visits", "delta_outpatient_visits", "delta_bed_days", "delta_support_hours",
    "wellbeing_offset_per_wemwbs_point", "wemwbs_sd", "ppp_dkk_per_usd", "cpi_2021_to_2024",
)  # fmt: skip
