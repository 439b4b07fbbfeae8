"""Reading and validating scenario files (``inputs/scenarios.toml``).

A scenario file holds one table per scenario::

    [scenarios.societal]
    label = "Societal perspective"
    description = "..."
    settings = { perspective = "societal" }
    parameters = { venue_per_session = 500 }

``settings`` override structural switches (:data:`SCENARIO_SETTINGS`), validated by
:meth:`ModelSettings.replace`; ``parameters`` fix parameters at a value, in the deterministic run
and in the PSA. Running them is :mod:`peer_econ.runs.scenarios`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from peer_econ.errors import MAX_ABS_VALUE, InputError
from peer_econ.inputs.text import read_text
from peer_econ.model.spec import Inputs, ModelSettings, domain_problem

#: Structural switches a scenario may set, with their types.
SCENARIO_SETTINGS: Mapping[str, type] = MappingProxyType(
    {
        "horizon_months": float,
        "trial_followup_months": float,
        "source_outcome": str,
        "utility_route": str,
        "durability": str,
        "shrinkage": bool,
        "attendance_scaling": bool,
        "attendance_model": str,
        "downstream_resource_use": bool,
        "wellbeing_offset": bool,
        "perspective": str,
        "booster_courses": int,
        "booster_interval_months": float,
        "municipalities": int,
        "courses_per_municipality_per_year": float,
        "local_coordination": str,
    }
)
SCENARIO_KEYS = ("label", "description", "settings", "parameters")
DEFAULT_FILE = "scenarios.toml"


@dataclass(frozen=True)
class Scenario:
    """One named scenario.

    Attributes
    ----------
    name : str
        Identifier (the TOML table name).
    label : str
        Display name.
    description : str
        Free text.
    settings : mapping of str to value
        Structural switches to override.
    parameters : mapping of str to float
        Parameters fixed at a value [units of the parameters].
    """

    name: str
    label: str = ""
    description: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        if not self.label:
            object.__setattr__(self, "label", self.name)


def scenario_location(source: str, name: str) -> str:
    """Where a scenario is, for messages: ``file [scenarios.name]``."""
    return f"{source} [scenarios.{name}]"


def check_scenario(
    scenario: Scenario, inputs: Inputs, *, source: str = "scenario"
) -> ModelSettings:
    """Validate a scenario against the inputs and return its settings.

    Raises
    ------
    InputError
        One line per problem, each starting with ``<source> [scenarios.NAME]`` and naming the
        key and value.
    """
    where = scenario_location(source, scenario.name)
    problems: list[str] = []
    changes: dict[str, Any] = {}
    for key, value in scenario.settings.items():
        if key not in SCENARIO_SETTINGS:
            problems.append(
                f"{where}: unknown setting {key!r}; allowed: {sorted(SCENARIO_SETTINGS)}"
            )
            continue
        expected = SCENARIO_SETTINGS[key]
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            problems.append(f"{where}: setting {key} = {value!r} must be a {expected.__name__}")
            continue
        changes[key] = value
    for key, value in scenario.parameters.items():
        if key not in inputs.parameters:
            close = [n for n in inputs.parameters.names if key.lower() in n.lower()][:3]
            hint = f"; did you mean {close}?" if close else ""
            problems.append(f"{where}: unknown parameter {key!r}{hint}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{where}: parameter {key} = {value!r} must be a number")
        elif not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
            problems.append(
                f"{where}: parameter {key} = {value!r} must be a finite number of magnitude at "
                f"most {MAX_ABS_VALUE:g}"
            )
        elif inputs.parameters[key].module != "model":
            problems.append(
                f"{where}: parameter {key!r} is not a model input (module "
                f"'{inputs.parameters[key].module}'); scenarios change model parameters only"
            )
        elif (problem := domain_problem(inputs.parameters[key], float(value))) is not None:
            problems.append(f"{where}: parameter {key} = {problem}")
    settings = inputs.settings
    if not problems:
        try:
            settings = inputs.settings.replace(**changes)
        except InputError as exc:
            problems.extend(f"{where}: {p.removeprefix('settings: ')}" for p in exc.problems)
    if not problems and settings.utility_route == "mapping" and settings.source_outcome != "mansa":
        problems.append(
            f"{where}: utility_route = 'mapping' needs source_outcome = 'mansa' (the mapping "
            f"slope is per MANSA point); got {settings.source_outcome!r}"
        )
    if problems:
        raise InputError(problems)
    return settings


def parse_scenarios(
    data: Mapping[str, Any], inputs: Inputs, *, source: str
) -> tuple[Scenario, ...]:
    """Build and validate scenarios from parsed TOML (collects every problem)."""
    problems: list[str] = []
    extra = [k for k in data if k != "scenarios"]
    if extra:
        problems.append(
            f"{source}: unknown top-level key(s) {extra}; put scenarios under [scenarios.NAME]"
        )
    tables = data.get("scenarios", {})
    if not isinstance(tables, Mapping) or not tables:
        problems.append(f"{source}: no scenarios; add tables [scenarios.NAME]")
        raise InputError(problems)
    out: list[Scenario] = []
    for name, body in tables.items():
        where = scenario_location(source, name)
        if not isinstance(body, Mapping):
            problems.append(f"{where}: must be a table with keys {list(SCENARIO_KEYS)}")
            continue
        unknown = [k for k in body if k not in SCENARIO_KEYS]
        if unknown:
            problems.append(f"{where}: unknown key(s) {unknown}; allowed: {list(SCENARIO_KEYS)}")
            continue
        settings = body.get("settings", {})
        parameters = body.get("parameters", {})
        if not isinstance(settings, Mapping) or not isinstance(parameters, Mapping):
            problems.append(f"{where}: 'settings' and 'parameters' must be tables")
            continue
        scenario = Scenario(
            name=str(name),
            label=str(body.get("label", "")),
            description=str(body.get("description", "")),
            settings=dict(settings),
            parameters=dict(parameters),
        )
        try:
            check_scenario(scenario, inputs, source=source)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        out.append(scenario)
    if problems:
        raise InputError(problems)
    return tuple(out)


def read_scenarios(path: Path | str, inputs: Inputs) -> tuple[Scenario, ...]:
    """Read and validate a scenario file.

    Raises
    ------
    InputError
        Missing or invalid file, unknown key, setting or parameter, bad setting value (every
        problem, each naming the file, scenario and key).
    """
    path = Path(path)
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    return parse_scenarios(data, inputs, source=path.as_posix())


def select_scenarios(
    scenarios: Sequence[Scenario], names: Sequence[str] | None
) -> tuple[Scenario, ...]:
    """The named scenarios in the given order (all when ``names`` is None)."""
    if names is None:
        return tuple(scenarios)
    by_name = {s.name: s for s in scenarios}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise InputError(f"unknown scenario(s) {unknown}; choose from {sorted(by_name)}")
    return tuple(by_name[n] for n in names)
