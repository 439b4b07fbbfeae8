"""Everything ``peer-econ run`` would reject in an inputs folder, checked before any work starts.

:func:`validate_folder` is what ``validate-inputs`` reports and what ``run``, ``voi``, ``budget``
and the sensitivity commands check first, so a problem surfaces in seconds, not after the PSA.
"""

from __future__ import annotations

from pathlib import Path

from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs
from peer_econ.inputs.output_settings import output_problems
from peer_econ.inputs.scenarios import DEFAULT_FILE, read_scenarios
from peer_econ.model.spec import Inputs


def strategy_problems(inputs: Inputs, folder: Path) -> list[str]:
    """At least one strategy besides the comparator: there is nothing to decide otherwise."""
    comparator = inputs.settings.comparator
    others = [s.name for s in inputs.strategies if s.name != comparator]
    if others:
        return []
    return [
        f"{folder / 'strategies.csv'}: only the comparator {comparator!r} is listed; add at least "
        "one strategy to compare with it"
    ]


def validate_folder(folder: Path | str = "inputs") -> Inputs:
    """Load an inputs folder and check it as a run would, listing every problem at once.

    Checks the files :func:`peer_econ.inputs.load.load_inputs` reads, that at least one strategy
    besides the comparator exists, the ``[output]`` table of ``settings.toml`` (language), and
    the scenario file (``scenarios.toml``, when present):
    TOML syntax, unknown keys, settings and parameters, impossible values.

    Raises
    ------
    InputError
        Every problem found, one line each.
    """
    folder = Path(folder)
    inputs = load_inputs(folder)
    problems = strategy_problems(inputs, folder)
    problems.extend(output_problems(folder / "settings.toml"))
    scenario_file = folder / DEFAULT_FILE
    if scenario_file.exists():
        try:
            read_scenarios(scenario_file, inputs)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return inputs
