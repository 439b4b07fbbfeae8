"""Global sensitivity analysis through SALib: Sobol, Morris and the delta measure.

The bridge works on the unit cube. A SALib *problem* is built from the uncertain parameters of a
:class:`~peer_econ.parameters.table.ParameterTable` with every bound ``[0, 1]``; design points
``u`` are then mapped through each parameter's inverse CDF (``Distribution.ppf``), so the PSA
distributions are respected exactly. Fixed parameters are not in the problem and stay at their
values. The model is evaluated once on the whole design (vectorised, optionally chunked over
processes or Dask), and SALib analyses the outputs.

Sobol designs are built by indexing: in Saltelli's design every column takes its values from one
of the two base matrices A or B (rows ``A``, ``AB_1 .. AB_D``, [``BA_1 .. BA_D``], ``B`` per base
point), so only the ``2 N x D`` base values are mapped through ``ppf`` and the ``N (D + 2) x D``
design is assembled by indexing. The base matrices come from the same scrambled Sobol' sequence
SALib's sampler uses (``scipy.stats.qmc.Sobol(d=2 D)``), so the design equals SALib's.

Sobol indices, and the delta measure, assume independent inputs; correlations in the parameter
table are ignored here and the results say so.

References
----------
Saltelli A, Annoni P, Azzini I, et al. Variance based sensitivity analysis of model output.
Design and estimator for the total sensitivity index. Comput Phys Commun 2010;181:259-270.
doi:10.1016/j.cpc.2009.09.018
Morris MD. Factorial sampling plans for preliminary computational experiments. Technometrics
1991;33:161-174. doi:10.1080/00401706.1991.10484804
Campolongo F, Cariboni J, Saltelli A. An effective screening design for sensitivity analysis of
large models. Environ Model Softw 2007;22:1509-1518. doi:10.1016/j.envsoft.2006.10.004
Borgonovo E. A new uncertainty importance measure. Reliab Eng Syst Saf 2007;92:771-784.
doi:10.1016/j.ress.2006.04.015
Herman J, Usher W. SALib: an open-source Python library for sensitivity analysis. J Open Source
Softw 2017;2(9):97. doi:10.21105/joss.00097
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import qmc

from peer_econ._rng import RandomLike, check_rng
from peer_econ.analysis.dsa import (
    ModelFunction,
    _check_wtp,
    cost_effect,
    increments,
    strategy_index,
)
from peer_econ.analysis.parallel import ExecutionOptions, evaluate_rows
from peer_econ.errors import InputError
from peer_econ.parameters.table import ParameterTable

FloatArray = NDArray[np.float64]
OutputFunction = Callable[[Mapping[str, FloatArray]], Mapping[str, FloatArray]]

#: Unit values are kept this far inside (0, 1) so unbounded distributions stay finite.
UNIT_EPS = 1e-12

INDEPENDENCE_NOTE = (
    "Sobol and delta indices assume independent inputs; parameter correlations are ignored"
)


# --- problem and mapping --------------------------------------------------------------------------


def gsa_names(
    table: ParameterTable,
    parameters: Sequence[str] | None = None,
    *,
    exclude: Sequence[str] = (),
) -> tuple[str, ...]:
    """Names in the SALib problem: the uncertain parameters (or a chosen subset).

    Raises
    ------
    InputError
        A named parameter is unknown or fixed (it has no distribution to sample).
    """
    if parameters is None:
        names = tuple(n for n in table.uncertain_names() if n not in set(exclude))
    else:
        unknown = [n for n in parameters if n not in table]
        if unknown:
            raise InputError(
                f"unknown parameter(s) {unknown}; see the names in inputs/parameters.csv"
            )
        fixed = [n for n in parameters if not table[n].is_uncertain]
        if fixed:
            raise InputError(
                f"parameter(s) {fixed} are fixed (no PSA distribution); global sensitivity "
                "needs uncertain parameters"
            )
        names = tuple(parameters)
    if not names:
        raise InputError("no uncertain parameters to analyse")
    return names


def salib_problem(names: Sequence[str]) -> dict[str, Any]:
    """SALib problem on the unit cube: every bound ``[0, 1]`` (values are mapped by ``ppf``)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def map_unit(
    unit: FloatArray, table: ParameterTable, names: Sequence[str]
) -> dict[str, FloatArray]:
    """Map unit-cube values through each parameter's ``ppf``.

    Parameters
    ----------
    unit : ndarray, shape (n_rows, n_names)
        Probabilities in [0, 1] (clipped to ``[1e-12, 1 - 1e-12]``).
    table : ParameterTable
        Distributions; parameters not in ``names`` are broadcast at their base values.
    names : sequence of str
        Column order of ``unit``.

    Returns
    -------
    dict of str to ndarray, each shape (n_rows,)
        Draws for every parameter of ``table``.
    """
    u = np.clip(np.asarray(unit, dtype=np.float64), UNIT_EPS, 1.0 - UNIT_EPS)
    n = u.shape[0]
    out: dict[str, FloatArray] = {}
    pos = {name: j for j, name in enumerate(names)}
    for spec in table.specs:
        if spec.name in pos:
            out[spec.name] = spec.distribution.ppf(u[:, pos[spec.name]])
        else:
            out[spec.name] = np.broadcast_to(np.float64(spec.value), (n,))
    return out


@contextmanager
def _salib_guard() -> Iterator[None]:
    """Undo SALib's global side effects (numpy's legacy seed, warning filters and format)."""
    state = np.random.get_state()  # noqa: NPY002 (restores SALib's global seeding)
    fmt = warnings.formatwarning
    try:
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore")
            yield
    finally:
        warnings.formatwarning = fmt
        np.random.set_state(state)  # noqa: NPY002


def _seed_from(gen: np.random.Generator) -> int:
    # SALib treats seed 0 as "no seed" (``if seed:``), so never hand it a zero.
    return int(gen.integers(1, 2**31 - 1))


# --- output functions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionOutputs:
    """Picklable output function: INMB at a WTP and incremental QALYs vs a comparator.

    Parameters
    ----------
    model : callable
        ``model(draws) -> (cost, effect)`` of shape ``(n_rows, n_strategies)``.
    strategies : tuple of str
        Output columns of the model.
    comparator : str
        Reference strategy.
    wtp : float
        [DKK per QALY].
    compare : tuple of str
        Strategies to report (default: all but the comparator).

    Returns (when called)
    ---------------------
    dict
        ``"inmb:<strategy>"`` [DKK] and ``"inc_qaly:<strategy>"`` [QALY], shape ``(n_rows,)``.
    """

    model: ModelFunction
    strategies: tuple[str, ...]
    comparator: str
    wtp: float
    compare: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_wtp(self.wtp)
        strategy_index(self.strategies, self.comparator)
        for s in self.compare:
            strategy_index(self.strategies, s, "strategy")
            if s == self.comparator:
                raise InputError(
                    f"strategy {s!r} is the comparator; choose from "
                    f"{[x for x in self.strategies if x != self.comparator]}"
                )

    def __call__(self, draws: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
        cost, effect = cost_effect(self.model(draws))
        others, dc, de = increments(cost, effect, self.strategies, self.comparator)
        chosen = self.compare or others
        out: dict[str, FloatArray] = {}
        for s in chosen:
            j = others.index(s)
            out[f"inmb:{s}"] = self.wtp * de[:, j] - dc[:, j]
            out[f"inc_qaly:{s}"] = de[:, j]
        return out


def _evaluate_outputs(
    outputs: OutputFunction,
    draws: Mapping[str, FloatArray],
    options: ExecutionOptions | None,
    on_chunk: Callable[[int], None] | None,
) -> dict[str, FloatArray]:
    res = evaluate_rows(outputs, draws, options=options, on_chunk=on_chunk)
    if not isinstance(res, Mapping):
        raise InputError("the output function must return a mapping of name -> array (n_rows,)")
    return {k: np.asarray(v, dtype=np.float64) for k, v in res.items()}


def _notes(table: ParameterTable, names: Sequence[str], independence: bool) -> tuple[str, ...]:
    notes = []
    if independence:
        notes.append(INDEPENDENCE_NOTE)
        chosen = set(names)
        corr = [(a, b) for a, b, _ in table.correlations if a in chosen or b in chosen]
        if corr:
            notes.append(f"correlated pairs in the table treated as independent: {corr}")
    fixed = [s.name for s in table.specs if not s.is_uncertain]
    if fixed:
        notes.append(f"{len(fixed)} fixed parameters stay at their values")
    left_out = [n for n in table.uncertain_names() if n not in set(names)]
    if left_out:
        notes.append(f"uncertain parameters held at their means: {left_out}")
    return tuple(notes)


# --- Sobol ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SobolDesign:
    """A Saltelli design mapped to parameter values.

    Attributes
    ----------
    names : tuple of str
        Parameters in the SALib problem (D of them).
    n_base : int
        Base sample size N.
    calc_second_order : bool
        Whether the ``BA`` blocks are included (``N (2 D + 2)`` rows instead of ``N (D + 2)``).
    draws : dict of str to ndarray, each shape (n_rows,)
        Every table parameter (fixed ones as broadcast views).
    timings : dict of str to float
        ``design`` (sequence and assembly) and ``mapping`` (ppf) [s].
    """

    names: tuple[str, ...]
    n_base: int
    calc_second_order: bool
    draws: dict[str, FloatArray]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        """Rows of the design."""
        d = len(self.names)
        return self.n_base * ((2 * d + 2) if self.calc_second_order else (d + 2))


def _check_n(n_base: int, what: str = "n_base") -> int:
    if isinstance(n_base, bool) or not isinstance(n_base, (int, np.integer)) or n_base < 2:
        raise InputError(f"{what} = {n_base!r}: use a whole number >= 2 (a power of 2 is best)")
    return int(n_base)


def _sobol_base(n_base: int, d: int, gen: np.random.Generator) -> FloatArray:
    sampler = qmc.Sobol(d=2 * d, scramble=True, seed=gen)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # balance warning for non-powers of 2
        return np.asarray(sampler.random(n_base), dtype=np.float64)


def sobol_design(
    table: ParameterTable,
    n_base: int,
    *,
    names: Sequence[str] | None = None,
    calc_second_order: bool = False,
    rng: RandomLike = None,
    method: str = "indexed",
) -> SobolDesign:
    """Saltelli/Sobol' design mapped through the parameters' ``ppf``.

    Parameters
    ----------
    table : ParameterTable
    n_base : int
        Base sample size N (a power of 2 keeps the Sobol' sequence balanced).
    names : sequence of str, optional
        Parameters in the problem (default: every uncertain parameter).
    calc_second_order : bool
        Include the ``BA`` blocks for second-order indices.
    rng : numpy.random.Generator, int or None
        Scrambling of the Sobol' sequence.
    method : str
        ``indexed`` (map the 2N x D base values, assemble by indexing; fast) or ``salib``
        (SALib's sampler on the unit cube, then ``ppf`` column by column; the reference).

    Returns
    -------
    SobolDesign
    """
    n = _check_n(n_base)
    gen = check_rng(rng)
    chosen = gsa_names(table, names)
    d = len(chosen)
    blocks = (2 * d + 2) if calc_second_order else (d + 2)
    timings: dict[str, float] = {}
    if method == "indexed":
        t0 = time.perf_counter()
        base = _sobol_base(n, d, gen)
        t1 = time.perf_counter()
        a_vals = map_unit(base[:, :d], table, chosen)
        b_vals = map_unit(base[:, d:], table, chosen)
        t2 = time.perf_counter()
        draws: dict[str, FloatArray] = {}
        pos = {name: j for j, name in enumerate(chosen)}
        for spec in table.specs:
            if spec.name not in pos:
                draws[spec.name] = np.broadcast_to(np.float64(spec.value), (n * blocks,))
                continue
            k = pos[spec.name]
            a, b = a_vals[spec.name], b_vals[spec.name]
            col = np.empty((n, blocks))
            col[:, : d + 1] = a[:, None]
            col[:, 1 + k] = b
            if calc_second_order:
                col[:, d + 1 : 2 * d + 1] = b[:, None]
                col[:, d + 1 + k] = a
            col[:, -1] = b
            draws[spec.name] = col.reshape(-1)
        t3 = time.perf_counter()
        timings = {"design": (t1 - t0) + (t3 - t2), "mapping": t2 - t1}
    elif method == "salib":
        from SALib.sample import sobol as salib_sobol

        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            unit = salib_sobol.sample(
                salib_problem(chosen), n, calc_second_order=calc_second_order, seed=gen
            )
        t1 = time.perf_counter()
        draws = map_unit(unit, table, chosen)
        t2 = time.perf_counter()
        timings = {"design": t1 - t0, "mapping": t2 - t1}
    else:
        raise InputError(f"Sobol design method {method!r}; choose one of ['indexed', 'salib']")
    return SobolDesign(chosen, n, calc_second_order, draws, timings)


@dataclass(frozen=True)
class SobolResult:
    """Sobol indices per output.

    Attributes
    ----------
    indices : pandas.DataFrame
        ``output, parameter, S1, S1_conf, ST, ST_conf`` (``*_conf``: half-width of the
        bootstrap confidence interval at ``conf_level``).
    second_order : pandas.DataFrame or None
        ``output, parameter_a, parameter_b, S2, S2_conf`` when requested.
    n_base : int
        Base sample size N.
    n_evaluations : int
        Model evaluations (design rows).
    conf_level : float
    timings : dict of str to float
        ``design``, ``mapping``, ``model``, ``analysis`` [s].
    notes : tuple of str
        Caveats (independence assumption, fixed parameters).
    """

    indices: pd.DataFrame
    second_order: pd.DataFrame | None
    n_base: int
    n_evaluations: int
    conf_level: float
    timings: dict[str, float]
    notes: tuple[str, ...]


def _check_analysis(num_resamples: int, conf_level: float) -> None:
    if isinstance(num_resamples, bool) or not isinstance(num_resamples, (int, np.integer)):
        raise InputError(f"num_resamples = {num_resamples!r}: use a whole number >= 1")
    if num_resamples < 1:
        raise InputError(f"num_resamples = {num_resamples}: use a whole number >= 1")
    if not 0.0 < conf_level < 1.0:
        raise InputError(f"conf_level = {conf_level}: use a probability in (0, 1)")


def sobol_indices(
    outputs: OutputFunction,
    table: ParameterTable,
    n_base: int,
    *,
    names: Sequence[str] | None = None,
    calc_second_order: bool = False,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    rng: RandomLike = None,
    method: str = "indexed",
    options: ExecutionOptions | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> SobolResult:
    """First-order, total (and optionally second-order) Sobol indices via SALib.

    Parameters
    ----------
    outputs : callable
        ``outputs(draws) -> {name: ndarray (n_rows,)}``, e.g. :class:`DecisionOutputs`.
    table : ParameterTable
        Distributions; the uncertain ones (or ``names``) form the problem.
    n_base : int
        Base sample size N; the model runs ``N (D + 2)`` times (``N (2 D + 2)`` with second
        order).
    calc_second_order : bool
        Also estimate second-order indices.
    num_resamples : int
        Bootstrap resamples for the confidence intervals.
    conf_level : float
        Confidence level of the intervals.
    rng : numpy.random.Generator, int or None
        Scrambling of the design and the bootstrap.
    method : str
        Design construction (see :func:`sobol_design`).
    options, on_chunk : optional
        Parallel execution and progress callback.

    Returns
    -------
    SobolResult

    References
    ----------
    Saltelli et al. 2010, doi:10.1016/j.cpc.2009.09.018.
    """

    _check_analysis(num_resamples, conf_level)
    gen = check_rng(rng)
    design = sobol_design(
        table, n_base, names=names, calc_second_order=calc_second_order, rng=gen, method=method
    )
    t0 = time.perf_counter()
    ys = _evaluate_outputs(outputs, design.draws, options, on_chunk)
    t1 = time.perf_counter()
    rows, rows2 = _sobol_analysis(
        ys, design.names, calc_second_order, num_resamples, conf_level, _seed_from(gen)
    )
    t2 = time.perf_counter()
    timings = dict(design.timings)
    timings.update({"model": t1 - t0, "analysis": t2 - t1})
    return SobolResult(
        indices=pd.DataFrame(rows),
        second_order=pd.DataFrame(rows2) if calc_second_order else None,
        n_base=design.n_base,
        n_evaluations=design.n_rows,
        conf_level=conf_level,
        timings=timings,
        notes=_notes(table, design.names, independence=True),
    )


def _sobol_analysis(
    ys: Mapping[str, FloatArray],
    names: Sequence[str],
    calc_second_order: bool,
    num_resamples: int,
    conf_level: float,
    seed: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """SALib's Sobol analysis of each output: first/total-order rows and second-order rows."""
    from SALib.analyze import sobol as salib_sobol

    problem = salib_problem(names)
    rows: list[dict[str, Any]] = []
    rows2: list[dict[str, Any]] = []
    for out_name, y in ys.items():
        with _salib_guard():
            res = salib_sobol.analyze(
                problem,
                y,
                calc_second_order=calc_second_order,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=seed,
            )
        rows.extend(_index_rows(out_name, names, res, ("S1", "S1_conf", "ST", "ST_conf")))
        if calc_second_order:
            rows2.extend(_sobol_pair_rows(out_name, names, res))
    return rows, rows2


def _index_rows(
    output: str, names: Sequence[str], res: Mapping[str, Any], keys: Sequence[str]
) -> list[dict[str, Any]]:
    """SALib indices ``keys`` of one output, one row per parameter."""
    return [
        {"output": output, "parameter": p, **{key: float(res[key][k]) for key in keys}}
        for k, p in enumerate(names)
    ]


def _sobol_pair_rows(
    output: str, names: Sequence[str], res: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Second-order indices of one output, one row per pair of parameters."""
    d = len(names)
    return [
        {
            "output": output,
            "parameter_a": names[a],
            "parameter_b": names[b],
            "S2": float(res["S2"][a, b]),
            "S2_conf": float(res["S2_conf"][a, b]),
        }
        for a in range(d)
        for b in range(a + 1, d)
    ]


def sobol_convergence(
    outputs: OutputFunction,
    table: ParameterTable,
    n_base: int,
    *,
    rng: RandomLike = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Convergence check: Sobol indices at N and 2N and their change.

    Both runs share the seed, so the 2N design extends the N design's Sobol' sequence.

    Returns
    -------
    pandas.DataFrame
        ``output, parameter, S1_n, S1_2n, S1_change, ST_n, ST_2n, ST_change`` with
        ``*_change = |index(2N) - index(N)|``, plus ``n_base``.
    """
    gen = check_rng(rng)
    seed = _seed_from(gen)
    first = sobol_indices(outputs, table, n_base, rng=seed, **kwargs)
    second = sobol_indices(outputs, table, 2 * _check_n(n_base), rng=seed, **kwargs)
    a = first.indices.set_index(["output", "parameter"])
    b = second.indices.set_index(["output", "parameter"])
    frame = pd.DataFrame(
        {
            "S1_n": a["S1"],
            "S1_2n": b["S1"],
            "S1_change": (b["S1"] - a["S1"]).abs(),
            "ST_n": a["ST"],
            "ST_2n": b["ST"],
            "ST_change": (b["ST"] - a["ST"]).abs(),
        }
    ).reset_index()
    frame.insert(2, "n_base", int(n_base))
    return frame


# --- Morris ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningResult:
    """Morris or delta indices per output.

    Attributes
    ----------
    method : str
        ``morris`` or ``delta``.
    indices : pandas.DataFrame
        Morris: ``output, parameter, mu, mu_star, mu_star_conf, sigma`` (elementary effects
        per unit change of the parameter's quantile, in output units); delta: ``output,
        parameter, delta, delta_conf, S1, S1_conf``.
    n_evaluations : int
    timings : dict of str to float
    notes : tuple of str
    """

    method: str
    indices: pd.DataFrame
    n_evaluations: int
    timings: dict[str, float]
    notes: tuple[str, ...]


def morris_indices(
    outputs: OutputFunction,
    table: ParameterTable,
    n_trajectories: int = 100,
    *,
    names: Sequence[str] | None = None,
    num_levels: int = 4,
    quantile_range: tuple[float, float] = (0.01, 0.99),
    num_resamples: int = 100,
    conf_level: float = 0.95,
    rng: RandomLike = None,
    options: ExecutionOptions | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> ScreeningResult:
    """Morris elementary-effects screening (mu*, sigma) via SALib.

    The Morris grid on the unit cube is squeezed into ``quantile_range`` before ``ppf`` (the grid
    includes 0 and 1, where unbounded distributions are infinite); effects are reported per unit
    change on the unit cube.

    Parameters
    ----------
    n_trajectories : int
        Trajectories r; the model runs ``r (D + 1)`` times.
    num_levels : int
        Grid levels p (even).
    quantile_range : (float, float)
        Probabilities the grid spans, default 1st to 99th percentile.

    References
    ----------
    Morris 1991, doi:10.1080/00401706.1991.10484804; Campolongo et al. 2007,
    doi:10.1016/j.envsoft.2006.10.004.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    _check_analysis(num_resamples, conf_level)
    r = _check_n(n_trajectories, "n_trajectories")
    q_lo, q_hi = _check_morris_grid(quantile_range, num_levels)
    gen = check_rng(rng)
    chosen = gsa_names(table, names)
    problem = salib_problem(chosen)
    t0 = time.perf_counter()
    with _salib_guard():
        unit = morris_sample.sample(problem, r, num_levels=num_levels, seed=_seed_from(gen))
    t1 = time.perf_counter()
    draws = map_unit(q_lo + (q_hi - q_lo) * unit, table, chosen)
    t2 = time.perf_counter()
    ys = _evaluate_outputs(outputs, draws, options, on_chunk)
    t3 = time.perf_counter()
    rows = []
    seed = _seed_from(gen)
    for out_name, y in ys.items():
        with _salib_guard():
            res = morris_analyze.analyze(
                problem,
                unit,
                y,
                num_resamples=num_resamples,
                conf_level=conf_level,
                num_levels=num_levels,
                seed=seed,
            )
        rows.extend(_index_rows(out_name, chosen, res, ("mu", "mu_star", "mu_star_conf", "sigma")))
    t4 = time.perf_counter()
    notes = (
        f"Morris grid spans the {q_lo:g} to {q_hi:g} quantiles; effects per unit change of the "
        "quantile",
        *_notes(table, chosen, independence=False),
    )
    return ScreeningResult(
        "morris",
        pd.DataFrame(rows),
        int(unit.shape[0]),
        {"design": t1 - t0, "mapping": t2 - t1, "model": t3 - t2, "analysis": t4 - t3},
        notes,
    )


def _check_morris_grid(quantile_range: tuple[float, float], num_levels: int) -> tuple[float, float]:
    """Quantile range ``0 <= low < high <= 1`` and an even number of levels >= 2."""
    q_lo, q_hi = float(quantile_range[0]), float(quantile_range[1])
    if not 0.0 <= q_lo < q_hi <= 1.0:
        raise InputError(f"quantile_range {quantile_range}: need 0 <= low < high <= 1")
    if num_levels < 2 or num_levels % 2:
        raise InputError(f"num_levels = {num_levels}: use an even number >= 2")
    return q_lo, q_hi


# --- delta ----------------------------------------------------------------------------------------


def inert_parameters(
    outputs: OutputFunction,
    table: ParameterTable,
    names: Sequence[str],
    *,
    probes: tuple[float, ...] = (0.3, 0.7),
    moves: tuple[float, float] = (0.05, 0.95),
) -> dict[str, tuple[str, ...]]:
    """Parameters that leave each output unchanged at a few probe points (not read by the model).

    With every parameter at each probe quantile in turn, each parameter is moved to the
    ``moves`` quantiles; a parameter is inert for an output when no move changes it. This
    screens out parameters the model does not read under the chosen settings (e.g. the WSAS
    effect when MANSA is the source outcome); it is a screen, not a sensitivity measure.

    Returns
    -------
    dict of str to tuple of str
        Output name -> inert parameter names.
    """
    d = len(names)
    rows = []
    for p in probes:
        rows.append(np.full(d, p))
        for k in range(d):
            for mv in moves:
                row = np.full(d, p)
                row[k] = mv
                rows.append(row)
    unit = np.vstack(rows)
    ys = {
        k: np.asarray(v, dtype=np.float64) for k, v in outputs(map_unit(unit, table, names)).items()
    }
    per_probe = 1 + len(moves) * d
    out: dict[str, tuple[str, ...]] = {}
    for key, y in ys.items():
        scale = max(float(np.max(np.abs(y))), 1e-300)
        inert = []
        for k in range(d):
            diffs = []
            for i in range(len(probes)):
                ref = y[i * per_probe]
                idx = i * per_probe + 1 + k * len(moves) + np.arange(len(moves))
                diffs.append(np.abs(y[idx] - ref))
            if float(np.max(np.concatenate(diffs))) <= 1e-13 * scale:
                inert.append(names[k])
        out[key] = tuple(inert)
    return out


def delta_indices(
    outputs: OutputFunction,
    table: ParameterTable,
    n_samples: int = 1024,
    *,
    names: Sequence[str] | None = None,
    num_resamples: int = 10,
    conf_level: float = 0.95,
    screen: bool = True,
    rng: RandomLike = None,
    options: ExecutionOptions | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> ScreeningResult:
    """Borgonovo's moment-independent delta measure (and a first-order index) via SALib.

    The sample is a Latin hypercube on the unit cube mapped through ``ppf``. SALib's delta
    estimator (kernel densities per class and bootstrap) is slow, so parameters the model does
    not read (:func:`inert_parameters`) get delta = 0 without estimation when ``screen`` is on.

    Parameters
    ----------
    n_samples : int
        Model evaluations.
    num_resamples : int
        Bootstrap resamples (10 by default; the estimator is slow).
    screen : bool
        Skip inert parameters (reported with ``estimated = False``).

    Returns
    -------
    ScreeningResult
        ``indices`` has ``output, parameter, delta, delta_conf, S1, S1_conf, estimated``.

    References
    ----------
    Borgonovo 2007, doi:10.1016/j.ress.2006.04.015; Plischke, Borgonovo & Smith 2013,
    doi:10.1016/j.ejor.2012.11.047.
    """
    _check_analysis(num_resamples, conf_level)
    n = _check_n(n_samples, "n_samples")
    gen = check_rng(rng)
    chosen = gsa_names(table, names)
    t0 = time.perf_counter()
    unit = qmc.LatinHypercube(d=len(chosen), seed=gen).random(n)
    t1 = time.perf_counter()
    draws = map_unit(unit, table, chosen)
    t2 = time.perf_counter()
    ys = _evaluate_outputs(outputs, draws, options, on_chunk)
    inert = inert_parameters(outputs, table, chosen) if screen else {}
    t3 = time.perf_counter()
    seed = _seed_from(gen)
    rows = [
        row
        for out_name, y in ys.items()
        for row in _delta_output(
            out_name, y, unit, chosen, inert.get(out_name, ()), num_resamples, conf_level, seed
        )
    ]
    t4 = time.perf_counter()
    notes = _notes(table, chosen, independence=True)
    if screen:
        notes = (
            *notes,
            "parameters that change no output at the probe points get delta = 0 unestimated "
            "(estimated = False)",
        )
    return ScreeningResult(
        "delta",
        pd.DataFrame(rows),
        n,
        {"design": t1 - t0, "mapping": t2 - t1, "model": t3 - t2, "analysis": t4 - t3},
        notes,
    )


def _delta_output(
    output: str,
    y: FloatArray,
    unit: FloatArray,
    names: Sequence[str],
    inert: Sequence[str],
    num_resamples: int,
    conf_level: float,
    seed: int,
) -> list[dict[str, Any]]:
    """SALib's delta analysis of one output on its non-inert parameters (none when the
    output is constant), as rows per parameter (:func:`_delta_rows`)."""
    from SALib.analyze import delta as delta_analyze

    skip = set(inert)
    active = [k for k, p in enumerate(names) if p not in skip]
    res: dict[str, Any] = {}
    if active and np.ptp(y) > 0.0:
        with _salib_guard():
            res = dict(
                delta_analyze.analyze(
                    salib_problem([names[k] for k in active]),
                    unit[:, active],
                    y,
                    num_resamples=num_resamples,
                    conf_level=conf_level,
                    seed=seed,
                )
            )
    return _delta_rows(output, names, active, res)


def _delta_rows(
    output: str, names: Sequence[str], active: Sequence[int], res: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Delta and S1 of one output per parameter; 0 and ``estimated = False`` for parameters
    left out (inert) or when nothing was estimated (constant output)."""
    d_key = "delta_raw" if "delta_raw" in res else "delta"
    pos = {k: i for i, k in enumerate(active)}
    rows = []
    for k, p in enumerate(names):
        est = bool(res) and k in pos
        i = pos.get(k, 0)
        rows.append(
            {
                "output": output,
                "parameter": p,
                "delta": float(res[d_key][i]) if est else 0.0,
                "delta_conf": float(res[f"{d_key}_conf"][i]) if est else 0.0,
                "S1": float(res["S1"][i]) if est else 0.0,
                "S1_conf": float(res["S1_conf"][i]) if est else 0.0,
                "estimated": est,
            }
        )
    return rows
