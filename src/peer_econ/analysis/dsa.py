"""Deterministic sensitivity analysis: one-way (tornado), two-way grids and thresholds.

The engines are model-agnostic. A *model* is any callable

``model(draws) -> (cost, effect)``

taking a mapping of parameter name -> array ``(n_rows,)`` and returning costs and effects of
shape ``(n_rows, n_strategies)`` (an object with ``.cost`` and ``.qaly`` is accepted too). Each
sweep builds one design with one row per point (all other parameters at their base values, the
means of their PSA distributions) and evaluates it in one vectorised call, optionally in chunks
on local processes or a Dask cluster (:mod:`peer_econ.analysis.parallel`).

The PEER engine is presented as such a callable by :class:`peer_econ.model.adapter.PeerModel`.
A model may also offer ``value_problem(name, value) -> str | None`` saying why a value is
impossible for a parameter; two-way grids then refuse such values.

Incremental results are against a comparator: incremental cost ``dC`` [DKK], incremental
effect ``dE`` [QALY], ICER ``dC / dE`` [DKK per QALY] (NaN when ``dE = 0``) and incremental net
monetary benefit ``INMB = wtp * dE - dC`` [DKK] at the willingness to pay ``wtp``
[DKK per QALY].

References
----------
Briggs AH, Weinstein MC, Fenwick EAL, et al. Model parameter estimation and uncertainty analysis:
a report of the ISPOR-SMDM Modeling Good Research Practices Task Force-6. Med Decis Making
2012;32:722-732. doi:10.1177/0272989X12458348
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from peer_econ.analysis.parallel import ExecutionOptions, evaluate_rows
from peer_econ.errors import InputError
from peer_econ.parameters.table import ParameterTable

FloatArray = NDArray[np.float64]
ModelFunction = Callable[[Mapping[str, FloatArray]], Any]

#: Parameters left out of sweeps and rankings by default: baseline utility changes the absolute
#: QALYs of every strategy equally, so it never changes an incremental result (DESIGN 2.3).
DEFAULT_EXCLUDE = ("baseline_utility",)
EXCLUDE_NOTE = (
    "baseline_utility is left out: it shifts the QALYs of every strategy equally and changes no "
    "incremental result"
)
NO_THRESHOLD = "no threshold in range"


# --- small helpers --------------------------------------------------------------------------------


def cost_effect(result: Any) -> tuple[FloatArray, FloatArray]:
    """Normalise a model result to ``(cost, effect)``, each shape ``(n_rows, n_strategies)``."""
    if hasattr(result, "cost") and hasattr(result, "qaly"):
        cost, effect = result.cost, result.qaly
    else:
        cost, effect = result
    c = np.asarray(cost, dtype=np.float64)
    e = np.asarray(effect, dtype=np.float64)
    if c.ndim != 2 or c.shape != e.shape:
        raise InputError(
            f"model returned cost {c.shape} and effect {e.shape}; expected equal shapes "
            "(n_rows, n_strategies)"
        )
    return c, e


@dataclass(frozen=True)
class _CostEffect:
    """Picklable wrapper so parallel evaluation always returns a ``(cost, effect)`` tuple."""

    model: ModelFunction

    def __call__(self, draws: Mapping[str, FloatArray]) -> tuple[FloatArray, FloatArray]:
        return cost_effect(self.model(draws))


def run_model(
    model: ModelFunction,
    draws: Mapping[str, FloatArray],
    *,
    options: ExecutionOptions | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Evaluate ``model`` on every row of ``draws`` (chunked; serial, processes or Dask)."""
    cost, effect = evaluate_rows(_CostEffect(model), draws, options=options, on_chunk=on_chunk)
    return cost, effect


def strategy_index(strategies: Sequence[str], name: str, what: str = "comparator") -> int:
    """Column of a strategy; :class:`InputError` naming the choices when unknown."""
    try:
        return list(strategies).index(name)
    except ValueError:
        raise InputError(
            f"{what} {name!r} is not a strategy; choose one of {list(strategies)}"
        ) from None


def increments(
    cost: FloatArray, effect: FloatArray, strategies: Sequence[str], comparator: str
) -> tuple[tuple[str, ...], FloatArray, FloatArray]:
    """Incremental cost and effect of every other strategy vs the comparator.

    Returns
    -------
    others : tuple of str
        Strategy names except the comparator.
    inc_cost, inc_effect : ndarray, shape (n_rows, n_strategies - 1)
        [DKK] and [QALY].
    """
    j = strategy_index(strategies, comparator)
    keep = [i for i in range(len(strategies)) if i != j]
    others = tuple(strategies[i] for i in keep)
    return others, cost[:, keep] - cost[:, [j]], effect[:, keep] - effect[:, [j]]


def icer(inc_cost: ArrayLike, inc_effect: ArrayLike) -> FloatArray:
    """ICER ``dC / dE`` [DKK per QALY]; NaN where ``dE == 0``."""
    c = np.asarray(inc_cost, dtype=np.float64)
    e = np.asarray(inc_effect, dtype=np.float64)
    # the divisor is never 0 (1.0 stands in where dE = 0, and np.where discards that quotient)
    return np.where(e != 0.0, c / np.where(e != 0.0, e, 1.0), np.nan)


def _check_wtp(wtp: object) -> float:
    # bool is an int to Python and numpy: refuse True/False before reading a number
    number = isinstance(wtp, (int, float, np.integer, np.floating))
    if isinstance(wtp, (bool, np.bool_)) or not number or not np.isfinite(wtp) or wtp < 0:  # type: ignore[call-overload, operator]
        raise InputError(f"--wtp {wtp!r}: use a number >= 0 (DKK per QALY)")
    return float(wtp)  # type: ignore[arg-type]


def _wtp_list(wtp: ArrayLike) -> list[float]:
    # each value is checked as given (a True in a list is refused, not read as 1.0)
    values = np.atleast_1d(np.asarray(wtp, dtype=object)).ravel()
    if values.size == 0:
        raise InputError("--wtp: give at least one value (DKK per QALY)")
    return [_check_wtp(w) for w in values]


def base_draws(table: ParameterTable, n_rows: int) -> dict[str, FloatArray]:
    """Every parameter at its base value, as writable arrays ``(n_rows,)``."""
    return {s.name: np.full(n_rows, s.value) for s in table.specs}


# --- sweep ranges ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepRange:
    """The one-way range of one parameter.

    Attributes
    ----------
    name : str
        Parameter name.
    low, base, high : float
        Range ends and base value [unit of the parameter].
    unit : str
        Unit of the parameter.
    source : str
        ``range`` (the table's ``low``/``high``) or ``interval`` (PSA percentiles).
    """

    name: str
    low: float
    base: float
    high: float
    unit: str = ""
    source: str = "range"


def sweep_ranges(
    table: ParameterTable,
    *,
    parameters: Sequence[str] | None = None,
    interval: tuple[float, float] | None = None,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
) -> tuple[SweepRange, ...]:
    """Ranges of the parameters a one-way sweep varies.

    Parameters
    ----------
    table : ParameterTable
        Parameters (for PEER: :func:`peer_econ.model.adapter.model_table`).
    parameters : sequence of str, optional
        Names to vary; default every parameter whose range or interval has ``low < high``,
        except ``exclude``. Named parameters are kept even when excluded by default.
    interval : (float, float), optional
        Probabilities, e.g. ``(0.025, 0.975)``: use these percentiles of each uncertain
        parameter's PSA distribution instead of the table's range (fixed parameters keep their
        table range).
    exclude : sequence of str
        Left out by default (``baseline_utility``).

    Raises
    ------
    InputError
        Unknown parameter name or an interval outside (0, 1).
    """
    if interval is not None:
        lo_p, hi_p = float(interval[0]), float(interval[1])
        if not 0.0 < lo_p < hi_p < 1.0:
            raise InputError(
                f"--interval {interval}: need two probabilities with 0 < low < high < 1"
            )
    if parameters is None:
        names = [s.name for s in table.specs if s.name not in set(exclude)]
        explicit = False
    else:
        unknown = [n for n in parameters if n not in table]
        if unknown:
            raise InputError(
                f"unknown parameter(s) {unknown}; see the names in inputs/parameters.csv"
            )
        names = list(dict.fromkeys(parameters))
        explicit = True
    out: list[SweepRange] = []
    for name in names:
        spec = table[name]
        low, high, source = float(spec.low), float(spec.high), "range"
        if interval is not None and spec.is_uncertain:
            low, high = spec.distribution.quantiles(lo_p, hi_p)
            source = "interval"
        if not low < high:
            if explicit:
                raise InputError(
                    f"parameter {name!r}: range low = {low} is not below high = {high}; "
                    "nothing to vary"
                )
            continue
        out.append(SweepRange(name, low, spec.value, high, spec.unit, source))
    return tuple(out)


# --- one-way --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwsaResult:
    """One-way sensitivity analysis.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: one row per ``parameter, strategy, bound`` (``low``, ``high``; plus one
        ``bound == "base"`` row per strategy with ``parameter == ""``) with columns
        ``parameter, unit, strategy, comparator, wtp, bound, value, inc_cost, inc_qaly, icer,
        inmb`` [DKK, QALY, DKK/QALY, DKK].
    ranges : tuple of SweepRange
        What was varied.
    wtp : float
        Willingness to pay [DKK per QALY].
    comparator : str
        Reference strategy.
    notes : tuple of str
        Caveats to print beside the results.
    """

    table: pd.DataFrame
    ranges: tuple[SweepRange, ...]
    wtp: float
    comparator: str
    notes: tuple[str, ...] = ()

    @property
    def strategies(self) -> tuple[str, ...]:
        """Strategies compared with the comparator."""
        return tuple(dict.fromkeys(self.table["strategy"]))

    def tornado(self, strategy: str | None = None, *, outcome: str = "inmb") -> pd.DataFrame:
        """Tornado data for one strategy, ordered by swing (largest first).

        Parameters
        ----------
        strategy : str, optional
            Strategy vs the comparator (default: the first one).
        outcome : str
            ``inmb`` [DKK], ``inc_cost`` [DKK] or ``inc_qaly`` [QALY].

        Returns
        -------
        pandas.DataFrame
            ``parameter, unit, strategy, outcome, low, high, base_value, outcome_low,
            outcome_high, base_outcome, swing`` with ``swing = |outcome_high - outcome_low|``.
        """
        if outcome not in ("inmb", "inc_cost", "inc_qaly"):
            raise InputError(f"outcome {outcome!r}; choose one of ['inmb', 'inc_cost', 'inc_qaly']")
        strategy = self.strategies[0] if strategy is None else strategy
        if strategy not in self.strategies:
            raise InputError(
                f"strategy {strategy!r} is not in the one-way results; choose one of "
                f"{list(self.strategies)}"
            )
        t = self.table[self.table["strategy"] == strategy]
        base_value = float(t.loc[t["bound"] == "base", outcome].iloc[0])
        low = t[t["bound"] == "low"].set_index("parameter")
        high = t[t["bound"] == "high"].set_index("parameter")
        rows = []
        for r in self.ranges:
            o_lo = float(low.at[r.name, outcome])  # type: ignore[arg-type]
            o_hi = float(high.at[r.name, outcome])  # type: ignore[arg-type]
            rows.append(
                {
                    "parameter": r.name,
                    "unit": r.unit,
                    "strategy": strategy,
                    "outcome": outcome,
                    "low": r.low,
                    "high": r.high,
                    "base_value": r.base,
                    "outcome_low": o_lo,
                    "outcome_high": o_hi,
                    "base_outcome": base_value,
                    "swing": abs(o_hi - o_lo),
                }
            )
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        return frame.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def _row_frame(
    strategies: Sequence[str],
    comparator: str,
    wtp: float,
    cost: FloatArray,
    effect: FloatArray,
) -> tuple[tuple[str, ...], FloatArray, FloatArray, FloatArray, FloatArray]:
    others, dc, de = increments(cost, effect, strategies, comparator)
    return others, dc, de, icer(dc, de), wtp * de - dc


def owsa(
    model: ModelFunction,
    table: ParameterTable,
    strategies: Sequence[str],
    *,
    comparator: str,
    wtp: float,
    ranges: Sequence[SweepRange] | None = None,
    options: ExecutionOptions | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> OwsaResult:
    """One-way sensitivity analysis of every ranged parameter, in one vectorised evaluation.

    Row 0 of the design is the base case; rows ``1 + 2i`` and ``2 + 2i`` set parameter ``i`` to
    its low and high value with all others at base.

    Parameters
    ----------
    model : callable
        ``model(draws) -> (cost, effect)``, shapes ``(n_rows, n_strategies)``.
    table : ParameterTable
        Base values (distribution means) and ranges.
    strategies : sequence of str
        Column names of the model outputs.
    comparator : str
        Reference strategy for increments.
    wtp : float
        Willingness to pay for the INMB [DKK per QALY].
    ranges : sequence of SweepRange, optional
        Default :func:`sweep_ranges` of ``table``.
    options, on_chunk : optional
        Parallel execution and progress callback
        (see :func:`~peer_econ.analysis.parallel.evaluate_rows`).

    Returns
    -------
    OwsaResult
    """
    w = _check_wtp(wtp)
    strategy_index(strategies, comparator)
    rs = tuple(sweep_ranges(table) if ranges is None else ranges)
    n = 1 + 2 * len(rs)
    draws = base_draws(table, n)
    for i, r in enumerate(rs):
        draws[r.name][1 + 2 * i] = r.low
        draws[r.name][2 + 2 * i] = r.high
    cost, effect = run_model(model, draws, options=options, on_chunk=on_chunk)
    others, dc, de, ic, inmb = _row_frame(strategies, comparator, w, cost, effect)
    params = [""] + [r.name for r in rs for _ in (0, 1)]
    units = [""] + [r.unit for r in rs for _ in (0, 1)]
    bounds = ["base"] + ["low", "high"] * len(rs)
    values = [np.nan] + [v for r in rs for v in (r.low, r.high)]
    frames = []
    for j, s in enumerate(others):
        frames.append(
            pd.DataFrame(
                {
                    "parameter": params,
                    "unit": units,
                    "strategy": s,
                    "comparator": comparator,
                    "wtp": w,
                    "bound": bounds,
                    "value": values,
                    "inc_cost": dc[:, j],
                    "inc_qaly": de[:, j],
                    "icer": ic[:, j],
                    "inmb": inmb[:, j],
                }
            )
        )
    notes = []
    names = {r.name for r in rs}
    if "baseline_utility" in table and "baseline_utility" not in names:
        notes.append(EXCLUDE_NOTE)
    return OwsaResult(pd.concat(frames, ignore_index=True), rs, w, comparator, tuple(notes))


# --- two-way --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TwsaResult:
    """Two-way grid over parameters ``x`` and ``y``.

    Attributes
    ----------
    x, y : str
        Parameter names (``x`` varies fastest within the tidy tables).
    grid : pandas.DataFrame
        One row per ``x_value, y_value, wtp, strategy`` (non-comparators) with ``inc_cost,
        inc_qaly, inmb`` [DKK, QALY, DKK].
    optimal : pandas.DataFrame
        One row per ``x_value, y_value, wtp`` with ``optimal`` (strategy with the highest net
        monetary benefit, comparator included) and its ``nmb`` [DKK].
    threshold_curve : pandas.DataFrame or None
        ``y_value, wtp, strategy, x_threshold, status``: the ``x`` at which INMB = 0.
    comparator : str
        Reference strategy.
    notes : tuple of str
        Caveats.
    """

    x: str
    y: str
    grid: pd.DataFrame
    optimal: pd.DataFrame
    threshold_curve: pd.DataFrame | None = None
    comparator: str = ""
    notes: tuple[str, ...] = field(default=())


def grid_values(name: str, values: ArrayLike, model: ModelFunction | None = None) -> FloatArray:
    """Grid of ``name`` as a float array; refuses empty or non-finite grids and values the
    model declares impossible (its optional ``value_problem(name, value)`` method)."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise InputError(f"grid of {name!r}: give at least one finite value")
    check = getattr(model, "value_problem", None)
    if check is not None:
        bad = [p for v in arr if (p := check(name, float(v))) is not None]
        if bad:
            raise InputError(f"grid of {name!r}: {bad[0]}")
    return arr


def twsa(
    model: ModelFunction,
    table: ParameterTable,
    strategies: Sequence[str],
    *,
    comparator: str,
    wtp: float | Sequence[float],
    x: str,
    x_values: ArrayLike,
    y: str,
    y_values: ArrayLike,
    options: ExecutionOptions | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> TwsaResult:
    """Two-way sensitivity analysis: INMB surface and optimal strategy on an ``x`` by ``y`` grid.

    All ``len(x_values) * len(y_values)`` points are evaluated in one design (other parameters
    at base); every WTP value reuses the same evaluations.

    Parameters
    ----------
    model, table, strategies, comparator : see :func:`owsa`
    wtp : float or sequence of float
        Willingness to pay [DKK per QALY].
    x, y : str
        Parameter names (distinct, in ``table``).
    x_values, y_values : array_like, shape (n_x,), (n_y,)
        Grid values [units of the parameters].

    Returns
    -------
    TwsaResult
    """
    wtps = _wtp_list(wtp)
    strategy_index(strategies, comparator)
    for name in (x, y):
        if name not in table:
            raise InputError(f"unknown parameter {name!r}; see the names in inputs/parameters.csv")
    if x == y:
        raise InputError(f"two-way grid: x and y are both {x!r}; choose two parameters")
    xs, ys = grid_values(x, x_values, model), grid_values(y, y_values, model)
    xx, yy = np.meshgrid(xs, ys)  # shape (n_y, n_x): x varies fastest
    n = xx.size
    draws = base_draws(table, n)
    draws[x] = xx.ravel().copy()
    draws[y] = yy.ravel().copy()
    cost, effect = run_model(model, draws, options=options, on_chunk=on_chunk)
    cells = {"x_value": xx.ravel(), "y_value": yy.ravel()}
    grids = [_twsa_inmb(cells, cost, effect, strategies, comparator, w) for w in wtps]
    optimal = [_twsa_optimal(cells, cost, effect, strategies, w) for w in wtps]
    return TwsaResult(
        x,
        y,
        pd.concat(grids, ignore_index=True),
        pd.concat(optimal, ignore_index=True),
        None,
        comparator,
    )


def _twsa_inmb(
    cells: Mapping[str, FloatArray],
    cost: FloatArray,
    effect: FloatArray,
    strategies: Sequence[str],
    comparator: str,
    wtp: float,
) -> pd.DataFrame:
    """Grid rows at one WTP: increments and INMB of every strategy vs the comparator."""
    others, dc, de = increments(cost, effect, strategies, comparator)
    inmb = wtp * de - dc
    frames = [
        pd.DataFrame(
            {
                **cells,
                "wtp": wtp,
                "strategy": s,
                "inc_cost": dc[:, j],
                "inc_qaly": de[:, j],
                "inmb": inmb[:, j],
            }
        )
        for j, s in enumerate(others)
    ]
    return pd.concat(frames, ignore_index=True)


def _twsa_optimal(
    cells: Mapping[str, FloatArray],
    cost: FloatArray,
    effect: FloatArray,
    strategies: Sequence[str],
    wtp: float,
) -> pd.DataFrame:
    """Optimal strategy (highest NMB, first at ties) and its NMB in every cell at one WTP."""
    nmb = wtp * effect - cost
    best = np.argmax(nmb, axis=1)
    return pd.DataFrame(
        {
            **cells,
            "wtp": wtp,
            "optimal": np.asarray(strategies, dtype=object)[best],
            "nmb": nmb[np.arange(nmb.shape[0]), best],
        }
    )


# --- threshold analysis ---------------------------------------------------------------------------


def bisect_rows(
    func: Callable[[FloatArray, NDArray[np.intp]], FloatArray],
    lo: ArrayLike,
    hi: ArrayLike,
    *,
    xtol: float = 1e-10,
    rtol: float = 1e-12,
    max_iter: int = 200,
) -> FloatArray:
    """Solve ``m`` root problems at once by bisection, one vectorised call per iteration.

    Parameters
    ----------
    func : callable
        ``func(x, idx) -> values``: evaluates problem ``idx[i]`` at ``x[i]``; shapes ``(m',)``.
    lo, hi : array_like, shape (m,)
        Brackets with ``func(lo) * func(hi) <= 0`` (a zero at an end is returned as is).
    xtol, rtol : float
        Stop when ``hi - lo <= xtol + rtol * |mid|``.
    max_iter : int
        Iteration cap.

    Returns
    -------
    ndarray, shape (m,)
        Roots (the final midpoint, or the end value when an end is an exact zero).
    """
    a = np.array(lo, dtype=np.float64, copy=True)
    b = np.array(hi, dtype=np.float64, copy=True)
    idx = np.arange(a.size)
    fa = func(a, idx)
    fb = func(b, idx)
    done = (fa == 0.0) | (fb == 0.0)
    root = np.where(fa == 0.0, a, np.where(fb == 0.0, b, np.nan))
    for _ in range(max_iter):
        active = np.flatnonzero(~done)
        if active.size == 0:
            break
        mid = 0.5 * (a[active] + b[active])
        fm = func(mid, active)
        zero = fm == 0.0
        left = np.sign(fm) == np.sign(fa[active])
        a[active] = np.where(left, mid, a[active])
        fa[active] = np.where(left, fm, fa[active])
        b[active] = np.where(left, b[active], mid)
        conv = zero | (b[active] - a[active] <= xtol + rtol * np.abs(mid))
        root[active] = np.where(zero, mid, np.where(conv, 0.5 * (a[active] + b[active]), np.nan))
        done[active] = conv
    left_over = ~done
    root[left_over] = 0.5 * (a[left_over] + b[left_over])
    return root


def _brackets(xs: FloatArray, f: FloatArray) -> list[tuple[float, float]]:
    """Consecutive grid points where ``f`` changes sign (or touches zero)."""
    out = []
    for i in range(len(xs) - 1):
        if f[i] == 0.0:
            out.append((xs[i], xs[i]))
        elif f[i] * f[i + 1] < 0.0:
            out.append((xs[i], xs[i + 1]))
    if f[-1] == 0.0:
        out.append((xs[-1], xs[-1]))
    return out


def thresholds(
    model: ModelFunction,
    table: ParameterTable,
    strategies: Sequence[str],
    *,
    comparator: str,
    wtp: float,
    ranges: Sequence[SweepRange] | None = None,
    n_grid: int = 33,
    xtol: float = 1e-9,
    options: ExecutionOptions | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Parameter values at which INMB = 0 (ICER = WTP), by scanning and bisection.

    For each parameter and strategy the range is scanned at ``n_grid`` equally spaced points
    (one vectorised evaluation for all parameters); every sign change of INMB is then refined
    by bisection (one vectorised evaluation per iteration for all brackets). Roots closer than
    the grid spacing to each other (a double root) can be missed; a range with no sign change
    is reported honestly as ``no threshold in range``.

    Parameters
    ----------
    model, table, strategies, comparator, wtp : see :func:`owsa`
    ranges : sequence of SweepRange, optional
        Parameters and search ranges; default :func:`sweep_ranges`.
    n_grid : int
        Scan points per range (>= 2).
    xtol : float
        Absolute tolerance of the root relative to the range width.

    Returns
    -------
    pandas.DataFrame
        One row per ``parameter, strategy``: ``unit, comparator, wtp, low, high, base_value,
        base_inmb, inmb_low, inmb_high, threshold, n_thresholds, all_thresholds,
        cost_effective_when, status``. ``threshold`` is the root closest to the base value (NaN
        when none); ``cost_effective_when`` is ``above``/``below`` (INMB > 0 on that side of
        the threshold), ``always``/``never`` in range otherwise.
    """
    w = _check_wtp(wtp)
    if n_grid < 2:
        raise InputError(f"n_grid = {n_grid}: use at least 2 scan points")
    strategy_index(strategies, comparator)
    rs = tuple(sweep_ranges(table) if ranges is None else ranges)
    if not rs:
        return pd.DataFrame()
    grids = [np.linspace(r.low, r.high, n_grid) for r in rs]
    cost, effect = run_model(
        model, _scan_draws(table, rs, grids), options=options, on_chunk=on_chunk
    )
    others, dc, de = increments(cost, effect, strategies, comparator)
    inmb = w * de - dc
    blocks = [inmb[1 + i * n_grid : 1 + (i + 1) * n_grid] for i in range(len(rs))]
    brackets = _sign_changes(grids, blocks)
    roots = _refine_roots(
        model, table, rs, brackets, strategies, comparator, w, xtol=xtol, options=options
    )
    rows = [
        {
            "parameter": r.name,
            "unit": r.unit,
            "strategy": s,
            "comparator": comparator,
            "wtp": w,
            "low": r.low,
            "high": r.high,
            "base_value": r.base,
            "base_inmb": float(inmb[0, j]),
            "inmb_low": float(blocks[i][0, j]),
            "inmb_high": float(blocks[i][-1, j]),
            **_classify_thresholds(
                _roots_of(brackets, roots, i, j), r.base, grids[i], blocks[i][:, j]
            ),
        }
        for i, r in enumerate(rs)
        for j, s in enumerate(others)
    ]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class _Bracket:
    """A sign change of INMB between two scan points: range ``range_index``, strategy column
    ``column`` (of the non-comparator strategies), parameter values ``lo`` and ``hi``."""

    range_index: int
    column: int
    lo: float
    hi: float


def _sign_changes(grids: Sequence[FloatArray], blocks: Sequence[FloatArray]) -> list[_Bracket]:
    """Every sign change of the scanned INMB ``blocks[i][:, j]`` over ``grids[i]``, in range
    and strategy order."""
    return [
        _Bracket(i, j, lo, hi)
        for i, block in enumerate(blocks)
        for j in range(block.shape[1])
        for lo, hi in _brackets(grids[i], block[:, j])
    ]


def _scan_draws(
    table: ParameterTable, rs: Sequence[SweepRange], grids: Sequence[FloatArray]
) -> dict[str, FloatArray]:
    """Draws for the scan: row 0 the base case, then ``n_grid`` rows per range in which only
    that range's parameter moves along its grid."""
    n_grid = len(grids[0])  # thresholds scans only when there is at least one range
    draws = base_draws(table, 1 + n_grid * len(rs))
    for i, r in enumerate(rs):
        draws[r.name][1 + i * n_grid : 1 + (i + 1) * n_grid] = grids[i]
    return draws


def _refine_roots(
    model: ModelFunction,
    table: ParameterTable,
    rs: Sequence[SweepRange],
    brackets: Sequence[_Bracket],
    strategies: Sequence[str],
    comparator: str,
    wtp: float,
    *,
    xtol: float,
    options: ExecutionOptions | None,
) -> FloatArray:
    """Refine every bracket to a root of INMB by bisection, all brackets in one model call per
    iteration; ``xtol`` is relative to the narrowest range width. Returns ``(n_brackets,)``."""
    if not brackets:
        return np.array([], dtype=np.float64)
    range_of = np.array([b.range_index for b in brackets])
    column_of = np.array([b.column for b in brackets])
    names = [r.name for r in rs]

    def inmb_at(xv: FloatArray, idx: NDArray[np.intp]) -> FloatArray:
        d = base_draws(table, xv.size)
        for k, name in enumerate(names):
            sel = range_of[idx] == k
            if np.any(sel):
                d[name][sel] = xv[sel]
        c, e = run_model(model, d, options=options)
        _, dcx, dex = increments(c, e, strategies, comparator)
        vals = wtp * dex - dcx
        return vals[np.arange(xv.size), column_of[idx]]

    lo_arr = np.array([b.lo for b in brackets])
    hi_arr = np.array([b.hi for b in brackets])
    widths = np.array([rs[i].high - rs[i].low for i in range_of])
    return bisect_rows(inmb_at, lo_arr, hi_arr, xtol=float(xtol * widths.min()), rtol=1e-12)


def _roots_of(
    brackets: Sequence[_Bracket],
    roots: FloatArray,
    range_index: int,
    column: int,
    tol: float = 1e-12,
) -> list[float]:
    """Sorted roots of one range and strategy column, near-duplicates (closer than ``tol``)
    dropped."""
    ordered = sorted(
        float(roots[k])
        for k, b in enumerate(brackets)
        if b.range_index == range_index and b.column == column
    )
    return [v for k, v in enumerate(ordered) if k == 0 or v - ordered[k - 1] > tol]


def _classify_thresholds(
    found: Sequence[float], base: float, grid: FloatArray, inmb: FloatArray
) -> dict[str, Any]:
    """The threshold columns of one parameter and strategy from its roots and its INMB scan.

    ``threshold`` is the root closest to the base value; ``cost_effective_when`` is the side on
    which INMB is positive, judged from the scan points next to that root (``above``,
    ``below``, ``at threshold only``), or ``always``/``never`` without a root.
    """
    if found:
        best = min(found, key=lambda v: abs(v - base))
        right = inmb[grid > best]
        left = inmb[grid < best]
        if right.size and right[0] > 0:
            when = "above"
        elif left.size and left[-1] > 0:
            when = "below"
        else:
            when = "at threshold only"
        status = "threshold found" if len(found) == 1 else "several thresholds"
    else:
        best = np.nan
        when = "always" if np.all(inmb > 0) else "never"
        status = NO_THRESHOLD
    return {
        "threshold": best,
        "n_thresholds": len(found),
        "all_thresholds": ";".join(f"{v:.10g}" for v in found),
        "cost_effective_when": when,
        "status": status,
    }


def threshold_curve(
    model: ModelFunction,
    table: ParameterTable,
    strategies: Sequence[str],
    *,
    comparator: str,
    wtp: float | Sequence[float],
    x: str,
    x_bounds: tuple[float, float],
    y: str,
    y_values: ArrayLike,
    n_grid: int = 17,
    options: ExecutionOptions | None = None,
) -> pd.DataFrame:
    """For each ``y`` value and WTP, the ``x`` at which INMB = 0 (the decision boundary).

    Parameters
    ----------
    model, table, strategies, comparator : see :func:`owsa`
    wtp : float or sequence of float
        [DKK per QALY].
    x : str
        Parameter solved for, searched within ``x_bounds``.
    y : str
        Parameter held at each of ``y_values``.
    n_grid : int
        Scan points for bracketing.

    Returns
    -------
    pandas.DataFrame
        ``y_value, wtp, strategy, x_threshold, status`` (status ``threshold found`` or
        ``no threshold in range``; with several roots the smallest is reported).
    """
    wtps = _wtp_list(wtp)
    ys = grid_values(y, y_values)
    rows = []
    for w in wtps:
        for yv in ys:
            rng = (SweepRange(x, float(x_bounds[0]), float(x_bounds[0]), float(x_bounds[1])),)
            sub = _fixed_table(table, {y: float(yv)})
            res = thresholds(
                model,
                sub,
                strategies,
                comparator=comparator,
                wtp=w,
                ranges=rng,
                n_grid=n_grid,
                options=options,
            )
            for rec in res.itertuples(index=False):
                roots = [float(v) for v in str(rec.all_thresholds).split(";") if v]
                rows.append(
                    {
                        "y_value": float(yv),
                        "wtp": w,
                        "strategy": rec.strategy,
                        "x_threshold": min(roots) if roots else np.nan,
                        "status": "threshold found" if roots else NO_THRESHOLD,
                    }
                )
    return pd.DataFrame(rows)


def _fixed_table(table: ParameterTable, values: Mapping[str, float]) -> ParameterTable:
    return table.with_fixed(values)


# --- decision thresholds --------------------------------------------------------------------------


def wtp_thresholds(
    cost: ArrayLike, effect: ArrayLike, strategies: Sequence[str], *, comparator: str
) -> pd.DataFrame:
    """WTP values at which each strategy becomes cost-effective and optimal.

    Uses mean costs and effects over rows (one row = the deterministic case).

    Parameters
    ----------
    cost, effect : array_like, shape (n_rows, n_strategies) or (n_strategies,)
        [DKK], [QALY].
    strategies : sequence of str
    comparator : str

    Returns
    -------
    pandas.DataFrame
        ``strategy, cost, effect, icer_vs_comparator, wtp_optimal_from, wtp_optimal_to,
        ever_optimal``: a strategy has the highest expected net monetary benefit for WTP in
        ``[wtp_optimal_from, wtp_optimal_to]`` (``inf`` when it stays optimal); it is
        cost-effective vs the comparator for WTP above ``icer_vs_comparator`` (when it gains
        QALYs).
    """
    c = np.atleast_2d(np.asarray(cost, dtype=np.float64)).mean(axis=0)
    e = np.atleast_2d(np.asarray(effect, dtype=np.float64)).mean(axis=0)
    j0 = strategy_index(strategies, comparator)
    rows = []
    for i, s in enumerate(strategies):
        lower, upper = 0.0, np.inf
        for k in range(len(strategies)):
            if k == i:
                continue
            de, dc = float(e[i] - e[k]), float(c[i] - c[k])
            if de > 0:
                lower = max(lower, dc / de)
            elif de < 0:
                upper = min(upper, dc / de)
            elif dc > 0 or (dc == 0 and k < i):
                lower, upper = np.inf, -np.inf  # same effect, costs more (or tie): never optimal
        ever = lower <= upper
        rows.append(
            {
                "strategy": s,
                "cost": c[i],
                "effect": e[i],
                "icer_vs_comparator": (
                    np.nan if i == j0 else float(icer(c[i] - c[j0], e[i] - e[j0]))
                ),
                "wtp_optimal_from": lower if ever else np.nan,
                "wtp_optimal_to": upper if ever else np.nan,
                "ever_optimal": bool(ever),
            }
        )
    return pd.DataFrame(rows)


def max_cost_thresholds(
    cost: ArrayLike,
    effect: ArrayLike,
    strategies: Sequence[str],
    *,
    comparator: str,
    wtp: float,
) -> pd.DataFrame:
    """Highest cost per participant at which each strategy stays cost-effective.

    INMB = wtp * dE - dC = 0 gives the maximum incremental cost ``wtp * dE`` and the maximum
    cost per participant ``cost(comparator) + wtp * dE`` [DKK], reported beside the actual
    values (means over rows).

    Returns
    -------
    pandas.DataFrame
        ``strategy, comparator, wtp, inc_qaly, inc_cost, max_inc_cost, cost, max_cost,
        headroom`` (``headroom = max_inc_cost - inc_cost``; > 0 means cost-effective).
    """
    w = _check_wtp(wtp)
    c = np.atleast_2d(np.asarray(cost, dtype=np.float64))
    e = np.atleast_2d(np.asarray(effect, dtype=np.float64))
    others, dc, de = increments(c, e, strategies, comparator)
    j0 = strategy_index(strategies, comparator)
    base_cost = float(c[:, j0].mean())
    rows = []
    for j, s in enumerate(others):
        inc_q, inc_c = float(de[:, j].mean()), float(dc[:, j].mean())
        rows.append(
            {
                "strategy": s,
                "comparator": comparator,
                "wtp": w,
                "inc_qaly": inc_q,
                "inc_cost": inc_c,
                "max_inc_cost": w * inc_q,
                "cost": base_cost + inc_c,
                "max_cost": base_cost + w * inc_q,
                "headroom": w * inc_q - inc_c,
            }
        )
    return pd.DataFrame(rows)
