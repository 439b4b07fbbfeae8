"""Named what-if scenarios and the structural scenario matrix.

A scenario file (``inputs/scenarios.toml``) holds one table per scenario::

    [scenarios.societal]
    label = "Societal perspective"
    description = "..."
    settings = { perspective = "societal" }
    parameters = { venue_per_session = 500 }

``settings`` override structural switches (:data:`SCENARIO_SETTINGS`), validated by
:meth:`ModelSettings.replace`; ``parameters`` fix parameters at a value, in the deterministic run
and in the PSA. Every scenario is run deterministically (all parameters at their means) and
probabilistically. All scenarios share one set of PSA draws (common random numbers): a
scenario's parameter overrides replace columns of the shared draws, so differences between
scenarios are not Monte Carlo noise.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from peer_econ._rng import RandomLike, check_rng
from peer_econ.analysis.dsa import PeerModel, _check_wtp, icer, increments, model_table
from peer_econ.errors import InputError
from peer_econ.model.spec import Inputs, ModelSettings, domain_problem
from peer_econ.parameters.table import Draws

FloatArray = NDArray[np.float64]

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
        "downstream_resource_use": bool,
        "wellbeing_offset": bool,
        "perspective": str,
        "booster_courses": int,
        "booster_interval_months": float,
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


def _where(source: str, name: str) -> str:
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
    where = _where(source, scenario.name)
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
        where = _where(source, name)
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
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
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


# --- running --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    """Deterministic and probabilistic results of several scenarios.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per ``scenario, strategy`` (non-comparators): ``label, comparator, wtp,
        det_inc_cost, det_inc_qaly, det_icer, det_inmb`` (all parameters at their means) and
        ``psa_inc_cost, psa_inc_qaly, psa_icer, psa_inmb, psa_inmb_low, psa_inmb_high,
        prob_cost_effective, prob_best`` (PSA; ``psa_icer`` = mean cost over mean QALYs;
        ``low``/``high`` the 2.5th/97.5th percentiles; ``prob_cost_effective`` = P(INMB > 0)
        vs the comparator; ``prob_best`` = P(highest NMB among all strategies)) [DKK, QALY].
    ceac : pandas.DataFrame
        ``scenario, wtp, strategy, prob_best`` over the WTP grid (all strategies).
    settings : pandas.DataFrame
        ``scenario, label, key, value``: what each scenario changed.
    n_samples : int
    notes : tuple of str
    """

    summary: pd.DataFrame
    ceac: pd.DataFrame
    settings: pd.DataFrame
    n_samples: int
    notes: tuple[str, ...] = ()


def _ceac(
    cost: FloatArray, effect: FloatArray, strategies: Sequence[str], wtp_grid: FloatArray
) -> FloatArray:
    """P(each strategy has the highest NMB), shape ``(n_wtp, n_strategies)``, by the exact
    CEAC of :func:`peer_econ.analysis.cea.cea_curves` (same tie rule as everywhere else)."""
    from peer_econ.analysis.cea import cea_curves

    return np.asarray(cea_curves(cost, effect, strategies, wtp=wtp_grid).probability_best)


def _wtp_grid(settings: ModelSettings, wtp_grid: ArrayLike | None) -> FloatArray:
    if wtp_grid is None:
        n = int(round((settings.wtp_stop - settings.wtp_start) / settings.wtp_step))
        return np.asarray(
            settings.wtp_start + settings.wtp_step * np.arange(n + 1), dtype=np.float64
        )
    grid = np.asarray(wtp_grid, dtype=np.float64).ravel()
    if grid.size == 0 or np.any(~np.isfinite(grid)) or np.any(grid < 0):
        raise InputError("WTP grid: give finite values >= 0 (DKK per QALY)")
    return grid


def evaluate_scenario(
    inputs: Inputs,
    scenario: Scenario,
    psa_draws: Draws,
    *,
    source: str = "scenario",
) -> tuple[tuple[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]:
    """Deterministic and PSA ``(cost, qaly)`` of one scenario (shared draws, overrides applied)."""
    settings = check_scenario(scenario, inputs, source=source)
    table = model_table(inputs)
    overrides = {k: float(v) for k, v in scenario.parameters.items() if k in table}
    det = table.deterministic().with_values(overrides)
    psa = psa_draws.with_values(overrides)
    model = PeerModel(inputs, settings)
    try:
        return model(det), model(psa)
    except InputError as exc:
        raise InputError([f"{_where(source, scenario.name)}: {p}" for p in exc.problems]) from None


def run_scenarios(
    inputs: Inputs,
    scenarios: Sequence[Scenario],
    *,
    n_samples: int | None = None,
    rng: RandomLike = None,
    wtp: float | None = None,
    wtp_grid: ArrayLike | None = None,
    source: str = "scenario",
    on_scenario: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """Run every scenario deterministically and with PSA (common random numbers).

    Parameters
    ----------
    inputs : Inputs
    scenarios : sequence of Scenario
    n_samples : int, optional
        PSA samples (default ``inputs.settings.n_samples``).
    rng : numpy.random.Generator, int or None
        Seed of the shared PSA draws (default ``inputs.settings.seed``).
    wtp : float, optional
        WTP of the INMB and probabilities [DKK per QALY] (default ``settings.wtp_point``).
    wtp_grid : array_like, optional
        WTP values of the CEACs (default the settings' grid).
    on_scenario : callable, optional
        Called with each scenario name when it is done (progress).

    Returns
    -------
    ScenarioResult
    """
    if not scenarios:
        raise InputError("no scenarios to run")
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"duplicate scenario name(s) {dupes}")
    n = inputs.settings.n_samples if n_samples is None else n_samples
    gen = check_rng(inputs.settings.seed if rng is None else rng)
    w = _check_wtp(inputs.settings.wtp_point if wtp is None else wtp)
    grid = _wtp_grid(inputs.settings, wtp_grid)
    draws = model_table(inputs).sample(n, gen)
    strategies = inputs.strategy_names
    summaries, ceacs, changes = [], [], []
    for sc in scenarios:
        (c_det, e_det), (c, e) = evaluate_scenario(inputs, sc, draws, source=source)
        settings = check_scenario(sc, inputs, source=source)
        comp = settings.comparator
        others, dc_det, de_det = increments(c_det, e_det, strategies, comp)
        _, dc, de = increments(c, e, strategies, comp)
        inmb = w * de - dc
        best = np.argmax(w * e - c, axis=1)
        for j, s in enumerate(others):
            mc, me = float(dc[:, j].mean()), float(de[:, j].mean())
            summaries.append(
                {
                    "scenario": sc.name,
                    "label": sc.label,
                    "strategy": s,
                    "comparator": comp,
                    "wtp": w,
                    "det_inc_cost": float(dc_det[0, j]),
                    "det_inc_qaly": float(de_det[0, j]),
                    "det_icer": float(icer(dc_det[0, j], de_det[0, j])),
                    "det_inmb": float(w * de_det[0, j] - dc_det[0, j]),
                    "psa_inc_cost": mc,
                    "psa_inc_qaly": me,
                    "psa_icer": float(icer(mc, me)),
                    "psa_inmb": float(inmb[:, j].mean()),
                    "psa_inmb_low": float(np.quantile(inmb[:, j], 0.025)),
                    "psa_inmb_high": float(np.quantile(inmb[:, j], 0.975)),
                    "prob_cost_effective": float(np.mean(inmb[:, j] > 0)),
                    "prob_best": float(np.mean(best == strategies.index(s))),
                }
            )
        probs = _ceac(c, e, strategies, grid)
        ceacs.append(
            pd.DataFrame(
                {
                    "scenario": sc.name,
                    "wtp": np.repeat(grid, len(strategies)),
                    "strategy": np.tile(np.asarray(strategies, dtype=object), grid.size),
                    "prob_best": probs.ravel(),
                }
            )
        )
        for key, value in {**sc.settings, **sc.parameters}.items():
            kind = "setting" if key in sc.settings else "parameter"
            changes.append(
                {"scenario": sc.name, "label": sc.label, "kind": kind, "key": key, "value": value}
            )
        if on_scenario is not None:
            on_scenario(sc.name)
    notes = (
        "all scenarios share one set of PSA draws (common random numbers); parameter overrides "
        "fix the parameter at that value in the PSA",
    )
    change_frame = pd.DataFrame(changes, columns=["scenario", "label", "kind", "key", "value"])
    change_frame["value"] = change_frame["value"].astype(str)
    return ScenarioResult(
        pd.DataFrame(summaries), pd.concat(ceacs, ignore_index=True), change_frame, n, notes
    )


# --- structural matrix ----------------------------------------------------------------------------

DEFAULT_SOURCES = ("mansa", "wsas", "qpr15")
DEFAULT_DURABILITIES = ("none", "linear", "exponential", "sustained")
DEFAULT_HORIZONS = (12.0, 36.0, 60.0)


def structural_scenarios(
    source_outcomes: Sequence[str] = DEFAULT_SOURCES,
    durabilities: Sequence[str] = DEFAULT_DURABILITIES,
    horizons: Sequence[float] = DEFAULT_HORIZONS,
) -> tuple[Scenario, ...]:
    """Scenarios of the structural matrix: source outcome x durability x horizon [months]."""
    out = []
    for src, dur, hor in itertools.product(source_outcomes, durabilities, horizons):
        name = f"{src}__{dur}__{hor:g}m"
        out.append(
            Scenario(
                name,
                label=f"{src}, {dur} durability, {hor:g} months",
                settings={
                    "source_outcome": src,
                    "durability": dur,
                    "horizon_months": float(hor),
                },
            )
        )
    return tuple(out)


def run_structural_matrix(
    inputs: Inputs,
    *,
    source_outcomes: Sequence[str] = DEFAULT_SOURCES,
    durabilities: Sequence[str] = DEFAULT_DURABILITIES,
    horizons: Sequence[float] = DEFAULT_HORIZONS,
    n_samples: int = 2000,
    rng: RandomLike = None,
    wtp: float | None = None,
    wtp_grid: ArrayLike | None = None,
    on_scenario: Callable[[str], None] | None = None,
) -> ScenarioResult:
    """The structural scenario matrix, each cell with its own PSA and CEAC.

    The summary gains columns ``source_outcome, durability, horizon_months``.
    """
    scen = structural_scenarios(source_outcomes, durabilities, horizons)
    res = run_scenarios(
        inputs,
        scen,
        n_samples=n_samples,
        rng=rng,
        wtp=wtp,
        wtp_grid=wtp_grid,
        source="structural matrix",
        on_scenario=on_scenario,
    )
    summary = res.summary.copy()
    parts = summary["scenario"].str.split("__", expand=True)
    summary.insert(2, "source_outcome", parts[0])
    summary.insert(3, "durability", parts[1])
    summary.insert(4, "horizon_months", parts[2].str.removesuffix("m").astype(float))
    return ScenarioResult(summary, res.ceac, res.settings, res.n_samples, res.notes)
