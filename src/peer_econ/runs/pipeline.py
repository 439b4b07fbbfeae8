"""The orchestrator: owns the RNG, the call order and the provenance of a PEER run.

``peer_econ.run(...)``, the command line and any app all go through :func:`run`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from peer_econ._rng import check_rng
from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs, overrides_from_mapping
from peer_econ.model.engine import Outcomes, evaluate
from peer_econ.model.results import RunResult, outcome_modifier
from peer_econ.model.spec import Inputs, ModelSettings, Strategy
from peer_econ.outputs.spool import release_spooled, spooled_array
from peer_econ.parameters.table import Draws

FloatArray = NDArray[np.float64]

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
    det_draws = table.deterministic()
    follow_up = settings.trial_followup_months
    if settings.n_samples > CHUNK_SAMPLES:
        draws, psa, trial_psa = _psa_in_chunks(prepared, rng)
    else:
        draws = table.sample(settings.n_samples, rng)
        psa = evaluate(draws, prepared)
        trial_psa = evaluate(draws, prepared, horizon_months=follow_up, durability="sustained")
        check_finite(psa, "PSA")
    deterministic = evaluate(det_draws, prepared)
    check_finite(deterministic, "base case")
    result = RunResult(
        inputs=prepared,
        seed=settings.seed,
        draws=draws,
        deterministic=deterministic,
        psa=psa,
        trial_deterministic=evaluate(
            det_draws, prepared, horizon_months=follow_up, durability="sustained"
        ),
        trial_psa=trial_psa,
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


#: PSAs larger than this are sampled and evaluated in chunks of this many samples, with their
#: per-sample arrays kept in memory-mapped files (:mod:`peer_econ.outputs.spool`), so that ten
#: million samples run in a few GiB. Runs up to this size are sampled in one go (unchanged).
CHUNK_SAMPLES = 1_000_000


@dataclass(frozen=True)
class SampleOutcomes:
    """Cost and QALYs per sample of every strategy and the mean item costs of one evaluation.

    Attributes
    ----------
    cost, qaly : ndarray, shape (n_samples, n_strategies)
        Discounted cost [DKK] and QALYs per randomised participant.
    item_costs : mapping of (strategy, item) to float
        Mean cost of each item over the samples [DKK per participant].
    """

    cost: NDArray[np.float64]
    qaly: NDArray[np.float64]
    item_costs: Mapping[tuple[str, str], float]


def evaluate_in_chunks(
    draws: Draws,
    inputs: Inputs,
    settings: ModelSettings | None = None,
    *,
    chunk: int = CHUNK_SAMPLES,
) -> SampleOutcomes:
    """The model on ``draws``, ``chunk`` samples at a time, so its temporaries stay bounded
    (a re-evaluation of a ten-million-sample run would otherwise need several times its
    size). Item means are combined weighted by chunk size; with one chunk the result is that
    of a single evaluation, bit for bit."""
    n = draws.n_samples
    if n <= chunk:  # the arrays as the engine lays them out: sums in the same order
        out = evaluate(draws, inputs, settings=settings)
        return SampleOutcomes(np.asarray(out.cost), np.asarray(out.qaly), out.item_costs)
    k = len(inputs.strategy_names)
    cost, qaly = np.empty((n, k)), np.empty((n, k))
    items: dict[tuple[str, str], float] = {}
    for start in range(0, n, chunk):
        rows = slice(start, min(start + chunk, n))
        size = rows.stop - rows.start
        part = Draws({name: draws[name][rows] for name in draws}, size)
        out = evaluate(part, inputs, settings=settings)
        cost[rows], qaly[rows] = out.cost, out.qaly
        for key, mean in out.item_costs.items():
            items[key] = items.get(key, 0.0) + mean * (size / n)
        del out, part
        release_spooled()  # the chunk's pages of spooled draws: read again only when needed
    return SampleOutcomes(cost, qaly, items)


def _psa_in_chunks(inputs: Inputs, rng: np.random.Generator) -> tuple[Draws, Outcomes, Outcomes]:
    """The PSA and its trial-period twin, chunk by chunk, into spooled arrays.

    The one generator of the run draws the chunks one after another, so the result depends on
    the seed alone. Item costs are combined as sample-weighted means; the trial-period outcomes
    keep costs, QALYs and QALY gains (their budget split is not used).
    """
    n = inputs.settings.n_samples
    table = inputs.parameters
    strategies = inputs.strategy_names
    k = len(strategies)
    uncertain = table.uncertain_names()
    store = {name: spooled_array((n,)) for name in uncertain}
    psa_parts = {key: spooled_array((n, k)) for key in ("cost", "qaly", "qaly_gain")}
    trial_parts = {key: spooled_array((n, k)) for key in ("cost", "qaly", "qaly_gain")}
    gain_post = spooled_array((n,))
    budget: dict[str, FloatArray] = {}
    in_kind: dict[str, FloatArray] = {}
    fixed: dict[str, FloatArray] = {}
    item_sums: dict[tuple[str, str], float] = {}
    counted: tuple[str, ...] = ()
    follow_up = inputs.settings.trial_followup_months
    for start in range(0, n, CHUNK_SAMPLES):
        rows = slice(start, min(start + CHUNK_SAMPLES, n))
        size = rows.stop - rows.start
        draws = table.sample(size, rng)
        psa = evaluate(draws, inputs)
        check_finite(psa, "PSA")
        trial = evaluate(draws, inputs, horizon_months=follow_up, durability="sustained")
        for name in uncertain:
            store[name][rows] = draws[name]
        for key, target in psa_parts.items():
            target[rows] = getattr(psa, key)
        for key, target in trial_parts.items():
            target[rows] = getattr(trial, key)
        gain_post[rows] = psa.utility_gain_post
        for parts, source in (
            (budget, psa.budget_cost),
            (in_kind, psa.in_kind_cost),
            (fixed, psa.programme_fixed_cost),
        ):
            for payer, values in source.items():
                if payer not in parts:
                    parts[payer] = spooled_array((n, k))
                parts[payer][rows] = values
        for item, mean in psa.item_costs.items():
            item_sums[item] = item_sums.get(item, 0.0) + mean * size
        counted = psa.counted_items
        release_spooled()
    for array in (*store.values(), *psa_parts.values(), *trial_parts.values(), gain_post,
                  *budget.values(), *in_kind.values(), *fixed.values()):  # fmt: skip
        array.flags.writeable = False
    arrays = {
        s.name: store[s.name] if s.name in store else np.broadcast_to(np.float64(s.value), (n,))
        for s in table.specs
    }
    all_draws = Draws(arrays, n, _owned=True)
    item_costs = {key: total / n for key, total in item_sums.items()}
    scale = {s.name: _effect_scale(s, all_draws, n) for s in inputs.strategies}
    psa_all = Outcomes(
        strategies, psa_parts["cost"], psa_parts["qaly"], psa_parts["qaly_gain"], item_costs,
        counted, gain_post, scale, budget, in_kind, fixed,
    )  # fmt: skip
    trial_all = Outcomes(
        strategies, trial_parts["cost"], trial_parts["qaly"], trial_parts["qaly_gain"],
        item_costs, counted, gain_post, scale, {}, {}, {},
    )  # fmt: skip
    return all_draws, psa_all, trial_all


def _effect_scale(strategy: Strategy, draws: Draws, n: int) -> FloatArray:
    """Effect multiplier of a strategy per sample, as the engine defines it (0 without the
    programme, the named multiplier parameter, or 1)."""
    if not strategy.programme:
        return np.broadcast_to(np.float64(0.0), (n,))
    if strategy.effect_multiplier:
        return np.broadcast_to(draws[strategy.effect_multiplier], (n,))
    return np.broadcast_to(np.float64(1.0), (n,))


def check_finite(outcomes: Outcomes, label: str) -> None:
    """Refuse results that overflowed or are undefined (a last guard: inputs are bounded by
    :data:`peer_econ.errors.MAX_ABS_VALUE`, which keeps the model's arithmetic finite)."""
    for name, values in (("cost", outcomes.cost), ("QALYs", outcomes.qaly)):
        finite = np.isfinite(values)
        if not finite.all():
            column = int(np.flatnonzero(~finite.all(axis=0))[0])
            raise InputError(
                f"{label} {name} of strategy {outcomes.strategies[column]!r} are not finite in "
                f"{int((~finite).sum()):,} values; an input in parameters.csv is too large or "
                "extreme for the model (check the values, SEs and ranges you changed)"
            )
