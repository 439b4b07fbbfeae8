"""The orchestrator: owns the RNG, the call order and the provenance of a PEER run.

``peer_econ.run(...)``, the command line and any app all go through :func:`run`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from peer_econ._rng import check_rng
from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs, overrides_from_mapping
from peer_econ.model.engine import evaluate
from peer_econ.model.results import RunResult, outcome_modifier
from peer_econ.model.spec import Inputs

__all__ = ["RunResult", "outcome_modifier", "prepare_inputs", "run"]


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
    check_finite(result)
    return replace(result, wall_time_s=time.perf_counter() - start)


def check_finite(result: RunResult) -> None:
    """Refuse results that overflowed or are undefined (a last guard: inputs are bounded by
    :data:`peer_econ.errors.MAX_ABS_VALUE`, which keeps the model's arithmetic finite)."""
    for label, outcomes in (("PSA", result.psa), ("base case", result.deterministic)):
        for name, values in (("cost", outcomes.cost), ("QALYs", outcomes.qaly)):
            finite = np.isfinite(values)
            if not finite.all():
                column = int(np.flatnonzero(~finite.all(axis=0))[0])
                raise InputError(
                    f"{label} {name} of strategy {outcomes.strategies[column]!r} are not finite "
                    f"in {int((~finite).sum()):,} values; an input in parameters.csv is too large "
                    "or extreme for the model (check the values, SEs and ranges you changed)"
                )
