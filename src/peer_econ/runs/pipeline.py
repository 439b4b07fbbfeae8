"""The orchestrator: owns the RNG, the call order and the provenance of a PEER run.

``peer_econ.run(...)``, the command line and any app all go through :func:`run`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from peer_econ._rng import check_rng
from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs, overrides_from_mapping
from peer_econ.model.engine import evaluate
from peer_econ.model.results import RunResult, outcome_modifier
from peer_econ.model.spec import Inputs

__all__ = ["RunResult", "describe_changes", "outcome_modifier", "prepare_inputs", "run"]


def prepare_inputs(
    inputs: Inputs | Path | str = "inputs",
    *,
    perspective: str | None = None,
    overrides: Mapping[str, float] | None = None,
    n_samples: int | None = None,
    seed: int | None = None,
) -> Inputs:
    """Load (if needed) and apply run options: perspective, ``--set`` overrides, size and seed."""
    loaded = inputs if isinstance(inputs, Inputs) else load_inputs(Path(inputs))
    changes: dict[str, object] = {}
    if perspective is not None:
        changes["perspective"] = perspective
    if n_samples is not None:
        changes["n_samples"] = n_samples
    if seed is not None:
        changes["seed"] = seed
    if changes:
        loaded = loaded.with_settings(**changes)
    if overrides:
        values = overrides_from_mapping(overrides, loaded.parameters)
        loaded = loaded.with_parameters(loaded.parameters.with_fixed(values))
    return loaded


def run(
    inputs: Inputs | Path | str = "inputs",
    *,
    n_samples: int | None = None,
    seed: int | None = None,
    perspective: str | None = None,
    overrides: Mapping[str, float] | None = None,
) -> RunResult:
    """Run the PEER base case, its PSA and the trial-period analysis.

    Parameters
    ----------
    inputs : Inputs, Path or str
        Loaded inputs or an inputs folder (default ``inputs``).
    n_samples : int, optional
        PSA size (default from ``settings.toml``).
    seed : int, optional
        Seed (default from ``settings.toml``); the one RNG of the run is made from it here.
    perspective : str, optional
        ``health_and_social_care``, ``limited_societal`` or ``societal``.
    overrides : mapping, optional
        Parameter values to fix (base case and PSA), as ``--set`` does.

    Returns
    -------
    RunResult
    """
    start = time.perf_counter()
    prepared = prepare_inputs(
        inputs, perspective=perspective, overrides=overrides, n_samples=n_samples, seed=seed
    )
    settings = prepared.settings
    if settings.n_samples < 1:
        raise InputError(f"n_samples = {settings.n_samples} must be >= 1")
    rng = check_rng(settings.seed)
    table = prepared.parameters
    draws = table.sample(settings.n_samples, rng)
    det_draws = table.deterministic()
    follow_up = settings.trial_followup_months
    result = RunResult(
        inputs=prepared,
        seed=settings.seed,
        draws=draws,
        deterministic=evaluate(det_draws, prepared),
        psa=evaluate(draws, prepared),
        trial_deterministic=evaluate(
            det_draws, prepared, horizon_months=follow_up, durability="sustained"
        ),
        trial_psa=evaluate(draws, prepared, horizon_months=follow_up, durability="sustained"),
        overrides=dict(overrides or {}),
        wall_time_s=0.0,
    )
    return replace(result, wall_time_s=time.perf_counter() - start)


#: Settings that size or seed a run rather than change what it models.
RUN_SIZE_SETTINGS = ("n_samples", "seed")


def describe_changes(
    base: Inputs, result: RunResult, *, source: str = "cli", scenario: str = ""
) -> dict[str, object] | None:
    """What a run changed against the inputs folder it started from, for the report's what-if
    banner: parameters fixed by ``--set`` (with their values in the inputs) and settings that
    differ (e.g. ``--perspective``); ``None`` when nothing was changed.

    Parameters
    ----------
    base : Inputs
        The inputs folder as loaded, before any option was applied.
    result : RunResult
        The run.
    source : str
        Where the change came from: ``cli``, ``app``, ``scenario`` or ``api``.
    scenario : str
        Label of a scenario that was applied ("" for none).
    """
    parameters = [
        {
            "name": name,
            "value": float(value),
            "base": base.parameters[name].value if name in base.parameters else None,
        }
        for name, value in sorted(result.overrides.items())
    ]
    before, after = base.settings.as_dict(), result.inputs.settings.as_dict()
    settings = [
        {"name": key, "value": after[key], "base": before.get(key)}
        for key in after
        if key not in RUN_SIZE_SETTINGS and after[key] != before.get(key)
    ]
    if not parameters and not settings and not scenario:
        return None
    return {"source": source, "scenario": scenario, "parameters": parameters, "settings": settings}
