"""Cost-effectiveness decision analysis of probabilistic sensitivity analysis (PSA) output.

Every function takes ``cost`` and ``effect`` arrays of shape ``(n_samples, n_strategies)`` (sample
axis first; a 1-D array of length ``n_strategies`` is read as one sample, i.e. deterministic
results), the strategy names, and where relevant a 1-D ``wtp`` grid (willingness to pay, currency
per unit of effect, e.g. [DKK/QALY]). Nothing here knows about the PEER model.

Conventions
-----------
* Net monetary benefit ``NMB_d(w) = w * effect_d - cost_d`` [currency]; net health benefit
  ``NHB_d(w) = effect_d - cost_d / w`` [effect units], ``w > 0``.
* **Tie-breaking.** Strategies are ranked once by (mean cost ascending, mean effect descending,
  name ascending). Whenever two strategies tie exactly (NMB of one sample, expected NMB, position
  in the ICER table), the strategy ranked first wins, i.e. at an exact tie the strategy with the
  lower *mean* cost is preferred ("adopt only if the ICER is below the threshold"), even in a
  sample where it happens to cost more. The rank depends only on the data
  and the names, so every result is independent of the input order of the strategies.
* CEAC: probability that a strategy has the highest NMB (exact argmax per sample, ties as above,
  so every row sums to 1). The *optimal* (frontier) strategy at ``w`` is the one with the highest
  expected NMB (expected NMBs within ``REL_TOL_MEANS`` = 1e-12 of ``w * max|mean effect| +
  max|mean cost|`` count as tied, so rounding noise cannot break a tie); CEAF is the CEAC value
  of that strategy.
* Expected loss of ``d``: ``E[max_j NMB_j - NMB_d]``; EVPI: ``E[max_j NMB_j] - max_j E[NMB_j]``,
  which is the expected loss of the optimal strategy (the smallest expected loss).

Exact curves
------------
Per sample the NMB lines ``w * e_d - c_d`` form an upper envelope that changes winner at most
``n_strategies - 1`` times on ``w >= 0``. :func:`cea_curves` finds these breakpoints once
(``O(n_samples * n_strategies**2)``, vectorised over samples), bins them into the WTP grid with one
``searchsorted`` (arithmetic on uniform grids) and accumulates winner counts and winner
cost/effect sums with cumulative sums; samples are processed in blocks of ``SAMPLE_CHUNK``, so
the working vectors stay in cache.
CEAC, CEAF, expected loss and EVPI at ``n_wtp`` grid points then cost
``O(n_breakpoints * log(n_wtp) + n_wtp * n_strategies)``: exact at any grid resolution, with no
``(n_samples, n_wtp)`` array ever formed. Grid points that coincide exactly with a breakpoint are
re-evaluated directly so that ties follow the rule above.

References
----------
Briggs A, Claxton K, Sculpher M. Decision Modelling for Health Economic Evaluation. Oxford
University Press; 2006 (ch. 9: incremental analysis, extended dominance).
Barton GR, Briggs AH, Fenwick EAL. Optimal cost-effectiveness decisions: the role of the
cost-effectiveness acceptability curve (CEAC), the cost-effectiveness acceptability frontier
(CEAF), and the expected value of perfection information (EVPI). Value Health 2008;11(5):886-897.
doi:10.1111/j.1524-4733.2008.00358.x
Alarid-Escudero F, Enns EA, Kuntz KM, Michaud TL, Jalal H. "Time traveling is just too dangerous"
but some methods are worth revisiting: the advantages of expected loss curves over
cost-effectiveness acceptability curves and frontier. Value Health 2019;22(5):611-618.
doi:10.1016/j.jval.2019.02.008
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from peer_econ.errors import InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

STATUS_NON_DOMINATED = "ND"
STATUS_DOMINATED = "D"
STATUS_EXTENDED_DOMINATED = "ED"

REL_TOL_MEANS = 1e-12
"""Mean costs (effects) closer than this times the largest absolute mean cost (effect) are equal."""
SAMPLE_CHUNK = 8192
"""Samples per block in :func:`cea_curves` (64 KB vectors: cache-resident, no fresh pages)."""
REL_TOL_ICER = 1e-9
"""Relative tolerance of the extended-dominance comparison (collinear points stay ND)."""

__all__ = [
    "PSA",
    "CEACurves",
    "cea_curves",
    "ceac",
    "ceaf",
    "evpi",
    "expected_loss",
    "expected_nmb",
    "icer_table",
    "incremental_nmb",
    "nhb",
    "nmb",
    "discounted_population",
    "population_evpi",
    "psa_summary",
    "validate_wtp",
    "wtp_switch_points",
]


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def _readonly(arr: NDArray[Any]) -> NDArray[Any]:
    out = np.array(arr, copy=True)
    out.flags.writeable = False
    return out


def _as_matrix(values: ArrayLike, label: str) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{label}: values must be numbers ({exc})") from None
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise InputError(
            f"{label}: expected shape (n_samples, n_strategies), got an array of shape {arr.shape}"
        )
    return arr


def _check_finite(arr: FloatArray, label: str, strategies: Sequence[str]) -> None:
    finite = np.isfinite(arr)
    if finite.all():
        return
    rows, cols = np.nonzero(~finite)
    n_bad = rows.size
    row, col = int(rows[0]), int(cols[0])
    others = n_bad - 1
    more = f" ({others} more non-finite value{'s' if others > 1 else ''})" if others else ""
    raise InputError(
        f"{label}: sample {row + 1} (row index {row}), strategy {strategies[col]!r}: value "
        f"{float(arr[row, col])!r} is not finite; every value must be a finite number{more}"
    )


def _check_names(strategies: Sequence[str] | None, n_strategies: int) -> tuple[str, ...]:
    if strategies is None or isinstance(strategies, str):
        raise InputError(
            f"strategies: give a sequence of {n_strategies} strategy names, got {strategies!r}"
        )
    names = tuple(strategies)
    if len(names) != n_strategies:
        raise InputError(
            f"strategies: {len(names)} names given for {n_strategies} strategy columns; "
            "give one name per column"
        )
    problems = []
    for j, name in enumerate(names):
        if not isinstance(name, str):
            problems.append(f"strategies: name {j + 1} is {name!r}; names must be strings")
        elif not name.strip():
            problems.append(f"strategies: name {j + 1} is empty; give every strategy a name")
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if isinstance(name, str) and name in seen:
            problems.append(
                f"strategies: name {name!r} is used twice (positions {seen[name] + 1} and "
                f"{j + 1}); strategy names must be unique"
            )
        seen.setdefault(str(name), j)
    if problems:
        raise InputError(problems)
    return names


def validate_wtp(wtp: ArrayLike, *, label: str = "wtp") -> FloatArray:
    """Check a willingness-to-pay grid and return it as a read-only 1-D float array.

    Parameters
    ----------
    wtp : float or array_like, shape (n_wtp,)
        Willingness to pay per unit of effect [currency/effect unit, e.g. DKK/QALY]; finite,
        non-negative and strictly increasing.
    label : str
        Name used in error messages.

    Returns
    -------
    numpy.ndarray, shape (n_wtp,)

    Raises
    ------
    InputError
        If the grid is empty, not 1-D, not numeric, not finite, negative or not strictly increasing.
    """
    try:
        arr = np.asarray(wtp, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{label}: values must be numbers, got {wtp!r}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"{label}: expected a 1-D grid, got an array of shape {arr.shape}")
    if arr.size == 0:
        raise InputError(f"{label}: the grid is empty; give at least one value")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            f"{label}: value {i + 1} is {float(arr[i])}; values must be finite numbers"
        )
    if (arr < 0).any():
        i = int(np.argmax(arr < 0))
        raise InputError(f"{label}: value {i + 1} is {arr[i]:g}; values must be >= 0")
    steps = np.diff(arr)
    if (steps <= 0).any():
        i = int(np.argmax(steps <= 0))
        raise InputError(
            f"{label}: value {i + 2} ({arr[i + 1]:g}) does not exceed value {i + 1} "
            f"({arr[i]:g}); the grid must be strictly increasing"
        )
    return _readonly(arr)


# --------------------------------------------------------------------------------------------
# the PSA container
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PSA:
    """Validated PSA output: costs and effects of every strategy in every sample.

    Parameters
    ----------
    cost : array_like, shape (n_samples, n_strategies)
        Cost per person [currency]. A 1-D array of length ``n_strategies`` is one sample.
    effect : array_like, shape (n_samples, n_strategies)
        Effect per person [effect unit, e.g. QALY].
    strategies : sequence of str, length n_strategies
        Unique, non-empty strategy names, in column order.

    Attributes
    ----------
    mean_cost, mean_effect : numpy.ndarray, shape (n_strategies,)
        Sample means [currency], [effect unit].
    rank : numpy.ndarray of int, shape (n_strategies,)
        Column indices in tie-break order: (mean cost ascending, mean effect descending, name).

    Raises
    ------
    InputError
        On shape mismatch, non-numeric or non-finite values, or bad names.

    Notes
    -----
    Arrays are copied and made read-only.
    """

    cost: FloatArray
    effect: FloatArray
    strategies: tuple[str, ...]
    mean_cost: FloatArray = field(init=False, repr=False)
    mean_effect: FloatArray = field(init=False, repr=False)
    rank: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        cost = _as_matrix(self.cost, "cost")
        effect = _as_matrix(self.effect, "effect")
        if cost.shape != effect.shape:
            raise InputError(
                f"cost has shape {cost.shape} but effect has shape {effect.shape}; both must be "
                "(n_samples, n_strategies)"
            )
        n_samples, n_strategies = cost.shape
        if n_samples == 0 or n_strategies == 0:
            raise InputError(
                f"cost and effect have shape {cost.shape}; need at least one sample and one "
                "strategy"
            )
        names = _check_names(self.strategies, n_strategies)
        _check_finite(cost, "cost", names)
        _check_finite(effect, "effect", names)
        mean_cost = cost.mean(axis=0)
        mean_effect = effect.mean(axis=0)
        order = sorted(range(n_strategies), key=lambda j: (mean_cost[j], -mean_effect[j], names[j]))
        object.__setattr__(self, "cost", _readonly(cost))
        object.__setattr__(self, "effect", _readonly(effect))
        object.__setattr__(self, "strategies", names)
        object.__setattr__(self, "mean_cost", _readonly(mean_cost))
        object.__setattr__(self, "mean_effect", _readonly(mean_effect))
        object.__setattr__(self, "rank", _readonly(np.asarray(order, dtype=np.int64)))

    @property
    def n_samples(self) -> int:
        """Number of PSA samples."""
        return int(self.cost.shape[0])

    @property
    def n_strategies(self) -> int:
        """Number of strategies."""
        return int(self.cost.shape[1])


def _psa(cost: ArrayLike | PSA, effect: ArrayLike | None, strategies: Sequence[str] | None) -> PSA:
    if isinstance(cost, PSA):
        return cost
    return PSA(cost, effect, strategies)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# net benefit
# --------------------------------------------------------------------------------------------


def nmb(cost: ArrayLike, effect: ArrayLike, wtp: float) -> FloatArray:
    """Net monetary benefit ``wtp * effect - cost`` of every strategy in every sample.

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        Cost [currency] and effect [effect unit].
    wtp : float
        Willingness to pay [currency/effect unit], finite and >= 0.

    Returns
    -------
    numpy.ndarray, shape (n_samples, n_strategies)
        NMB [currency].
    """
    w = float(validate_wtp(wtp)[0]) if np.ndim(wtp) == 0 else math.nan
    if math.isnan(w):
        raise InputError("wtp: nmb takes one willingness-to-pay value; use expected_nmb for a grid")
    c = _as_matrix(cost, "cost")
    e = _as_matrix(effect, "effect")
    if c.shape != e.shape:
        raise InputError(f"cost has shape {c.shape} but effect has shape {e.shape}")
    return w * e - c


def nhb(cost: ArrayLike, effect: ArrayLike, wtp: float) -> FloatArray:
    """Net health benefit ``effect - cost / wtp`` of every strategy in every sample.

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        Cost [currency] and effect [effect unit].
    wtp : float
        Willingness to pay [currency/effect unit], finite and > 0.

    Returns
    -------
    numpy.ndarray, shape (n_samples, n_strategies)
        NHB [effect unit].
    """
    if np.ndim(wtp) != 0:
        raise InputError("wtp: nhb takes one willingness-to-pay value")
    w = float(validate_wtp(wtp)[0])
    if w <= 0:
        raise InputError(f"wtp: net health benefit needs wtp > 0, got {w:g}")
    c = _as_matrix(cost, "cost")
    e = _as_matrix(effect, "effect")
    if c.shape != e.shape:
        raise InputError(f"cost has shape {c.shape} but effect has shape {e.shape}")
    return e - c / w


# --------------------------------------------------------------------------------------------
# exact curves via per-sample breakpoints
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Envelope:
    """Per-sample upper envelope of the NMB lines on ``w >= 0`` (rows in tie-break order).

    Step ``s`` of sample ``i`` moves the winner from ``src[s, i]`` to ``dst[s, i]`` at
    ``wtp[s, i]``; ``wtp`` is non-decreasing in ``s`` and ``inf`` once the sample has no further
    change (such entries fall beyond every grid and are ignored). ``effect[s]`` and ``cost[s]``
    are the effect and cost of the winner before step ``s`` (``effect[-1]``: after the last).
    """

    start: NDArray[np.intp]  # (n_samples,) winner at w = 0
    wtp: FloatArray  # (n_steps, n_samples)
    src: NDArray[np.intp]  # (n_steps, n_samples) winner left of the breakpoint
    dst: NDArray[np.intp]  # (n_steps, n_samples) winner right of the breakpoint
    effect: FloatArray  # (n_steps + 1, n_samples)
    cost: FloatArray  # (n_steps + 1, n_samples)


def _blend(target: NDArray[Any], value: NDArray[Any], mask: NDArray[np.int64]) -> None:
    """``target[mask] = value[mask]`` for 8-byte arrays, branch-free on the bit patterns.

    ``mask`` is 0 or -1 (all bits set) per element. Much faster than boolean-mask assignment
    when the mask is random, and exact (bits are copied, not computed).
    """
    t = target.view(np.int64)
    v = value.view(np.int64)
    diff = np.bitwise_xor(t, v)
    diff &= mask
    t ^= diff


class _Scratch:
    """Work arrays of one envelope step, allocated once per call, shape ``(n_samples,)``."""

    def __init__(self, n: int) -> None:
        self.slope = np.empty(n)
        self.cross = np.empty(n)
        self.steeper = np.empty(n, dtype=bool)
        self.better = np.empty(n, dtype=bool)
        self.level = np.empty(n, dtype=bool)
        self.mask = np.empty(n, dtype=np.int64)
        self.index = np.empty(n, dtype=np.intp)


def _cheapest(c_t: FloatArray) -> NDArray[np.intp]:
    """Row with the lowest cost per sample (the first at ties): the winner at ``w = 0``."""
    k, n = c_t.shape
    start = np.zeros(n, dtype=np.intp)
    best = c_t[0].copy()
    for j in range(1, k):
        cheaper = c_t[j] < best
        start[cheaper] = j
        np.minimum(best, c_t[j], out=best)
    return start


def _first_overtaker(
    c_t: FloatArray,
    e_t: FloatArray,
    c_cur: FloatArray,
    e_cur: FloatArray,
    w_now: FloatArray,
    first: FloatArray,
    nxt: NDArray[np.intp],
    tmp: _Scratch,
) -> None:
    """For every sample, the steeper line that overtakes the current winner first at
    ``w >= w_now``: its crossing point goes to ``first`` (``inf`` if none) and its row to
    ``nxt``; at equal crossing points the steepest line wins, then the first row."""
    n = e_cur.size
    first_e = np.full(n, -np.inf)
    for j in range(c_t.shape[0]):
        e_j = e_t[j]
        np.subtract(e_j, e_cur, out=tmp.slope)
        np.greater(tmp.slope, 0.0, out=tmp.steeper)
        np.subtract(c_t[j], c_cur, out=tmp.cross)
        # crossing point; garbage (inf/nan) where not steeper, masked out below
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            np.divide(tmp.cross, tmp.slope, out=tmp.cross)
        np.maximum(tmp.cross, w_now, out=tmp.cross)
        np.less(tmp.cross, first, out=tmp.better)
        np.equal(tmp.cross, first, out=tmp.level)
        tmp.level &= e_j > first_e
        tmp.better |= tmp.level
        tmp.better &= tmp.steeper
        np.copyto(tmp.mask, tmp.better, casting="unsafe")
        np.negative(tmp.mask, out=tmp.mask)  # 0 or -1 (all bits set)
        _blend(first, tmp.cross, tmp.mask)
        _blend(first_e, e_j, tmp.mask)
        tmp.index.fill(j)
        _blend(nxt, tmp.index, tmp.mask)


def _envelope(c_t: FloatArray, e_t: FloatArray) -> _Envelope:
    """Breakpoints of ``max_d (w * e_t[d] - c_t[d])`` for ``w >= 0``.

    ``c_t`` and ``e_t`` are C-contiguous ``(k, n)`` arrays (strategy axis first), rows in
    tie-break order: at a tie the first row wins. Each step moves every sample to the steepest
    line that overtakes its current winner first (:func:`_first_overtaker`; identical lines:
    the first row); the slope strictly increases, so there are at most ``k - 1`` steps. Works
    row by row on whole sample vectors (``k`` is small, ``n`` large) without compressing
    arrays between steps.
    """
    k, n = c_t.shape
    start = _cheapest(c_t)
    steps = k - 1
    w_all = np.full((steps, n), np.inf)
    src_all = np.empty((steps, n), dtype=np.intp)
    dst_all = np.empty((steps, n), dtype=np.intp)
    e_hist = np.empty((steps + 1, n))
    c_hist = np.empty((steps + 1, n))
    c_flat = c_t.reshape(-1)
    e_flat = e_t.reshape(-1)
    samples = np.arange(n, dtype=np.intp)
    current = start
    w_now = np.zeros(n)
    tmp = _Scratch(n)
    used = 0
    for step in range(steps):
        at = current * n + samples
        np.take(e_flat, at, out=e_hist[step])
        np.take(c_flat, at, out=c_hist[step])
        dst_all[step] = current
        src_all[step] = current
        _first_overtaker(
            c_t, e_t, c_hist[step], e_hist[step], w_now, w_all[step], dst_all[step], tmp
        )
        used = step + 1
        if not np.isfinite(w_all[step]).any():
            break
        current = dst_all[step]
        w_now = w_all[step]
    if steps:
        at = dst_all[used - 1] * n + samples  # winner after the last step
        np.take(e_flat, at, out=e_hist[used])
        np.take(c_flat, at, out=c_hist[used])
    else:
        e_hist[0] = e_flat[start * n + samples]
        c_hist[0] = c_flat[start * n + samples]
    return _Envelope(
        start,
        w_all[:used],
        src_all[:used],
        dst_all[:used],
        e_hist[: used + 1],
        c_hist[: used + 1],
    )


def _uniform_step(grid: FloatArray) -> float:
    """Spacing of a uniform grid of at least 3 points [grid unit]; 0 for any other grid."""
    m = grid.size
    if m < 3:
        return 0.0
    step = float(grid[-1] - grid[0]) / (m - 1)
    on_grid = np.abs(grid - (grid[0] + step * np.arange(m))) <= 1e-9 * step
    return step if step > 0 and bool(np.all(on_grid)) else 0.0


def _uniform_bins(grid: FloatArray, values: FloatArray, step: float) -> NDArray[np.intp]:
    """``searchsorted(grid, values, side="right")`` on a uniform grid by arithmetic: the
    position estimated from ``step``, then moved by one where rounding put it on the wrong
    side of a grid point."""
    m = grid.size
    clipped = np.clip(values, grid[0] - step, grid[-1] + step)
    est = ((clipped - grid[0]) * (1.0 / step)).astype(np.intp)
    est += 1
    np.clip(est, 0, m, out=est)
    est -= (est > 0) & (grid[np.maximum(est - 1, 0)] > values)
    est += (est < m) & (grid[np.minimum(est, m - 1)] <= values)
    return est


def _are_bins(grid: FloatArray, values: FloatArray, est: NDArray[np.intp]) -> bool:
    """Whether every ``est`` is the right-side insertion point of its value in the sorted
    ``grid``: ``grid[est - 1] <= value < grid[est]`` (a missing end counts as satisfied)."""
    m = grid.size
    low_ok = (est == 0) | (grid[np.maximum(est - 1, 0)] <= values)
    high_ok = (est == m) | (grid[np.minimum(est, m - 1)] > values)
    return bool(np.all(low_ok & high_ok))


def _bins(grid: FloatArray, values: FloatArray) -> NDArray[np.intp]:
    """``searchsorted(grid, values, side="right")``: by arithmetic when the grid is uniform
    (:func:`_uniform_bins`, kept only if :func:`_are_bins` confirms every position), else by
    binary search."""
    step = _uniform_step(grid)
    if step > 0:
        est = _uniform_bins(grid, values, step)
        if _are_bins(grid, values, est):
            return est
    return np.searchsorted(grid, values, side="right")


@dataclass(frozen=True)
class CEACurves:
    """CEAC, CEAF, expected NMB, expected loss and EVPI on one WTP grid.

    All arrays are read-only; strategy columns follow ``strategies`` (the input order).

    Attributes
    ----------
    wtp : numpy.ndarray, shape (n_wtp,)
        Willingness to pay [currency/effect unit].
    strategies : tuple of str, length n_strategies
    n_samples : int
    probability_best : numpy.ndarray, shape (n_wtp, n_strategies)
        CEAC: share of samples in which each strategy has the highest NMB; rows sum to 1.
    optimal : numpy.ndarray of int, shape (n_wtp,)
        Column of the strategy with the highest expected NMB (the frontier strategy).
    ceaf : numpy.ndarray, shape (n_wtp,)
        ``probability_best[i, optimal[i]]``.
    enmb : numpy.ndarray, shape (n_wtp, n_strategies)
        Expected NMB [currency].
    loss : numpy.ndarray, shape (n_wtp, n_strategies)
        Expected loss ``E[max_j NMB_j - NMB_d]`` [currency], >= 0.
    evpi : numpy.ndarray, shape (n_wtp,)
        Per-person EVPI [currency]: the expected loss of the optimal strategy.
    """

    wtp: FloatArray
    strategies: tuple[str, ...]
    n_samples: int
    probability_best: FloatArray
    optimal: IntArray
    ceaf: FloatArray
    enmb: FloatArray
    loss: FloatArray
    evpi: FloatArray

    @property
    def optimal_strategy(self) -> tuple[str, ...]:
        """Name of the optimal (highest expected NMB) strategy at each WTP, length n_wtp."""
        return tuple(self.strategies[int(j)] for j in self.optimal)

    def _long(self, values: FloatArray, column: str) -> pd.DataFrame:
        m, k = values.shape
        return pd.DataFrame(
            {
                "wtp": np.repeat(self.wtp, k),
                "strategy": np.tile(np.asarray(self.strategies, dtype=object), m),
                column: values.reshape(-1),
            }
        )

    def ceac_frame(self) -> pd.DataFrame:
        """CEAC, long format: ``wtp, strategy, probability, on_frontier``.

        ``n_wtp * n_strategies`` rows, ordered by WTP, then strategy (input order).

        ``on_frontier`` is true for the strategy with the highest expected NMB at that WTP.
        """
        frame = self._long(self.probability_best, "probability")
        k = len(self.strategies)
        frame["on_frontier"] = (np.arange(k)[None, :] == self.optimal[:, None]).reshape(-1)
        return frame

    def ceaf_frame(self) -> pd.DataFrame:
        """CEAF: ``wtp, strategy, probability`` with the optimal strategy (n_wtp rows)."""
        return pd.DataFrame(
            {
                "wtp": self.wtp,
                "strategy": np.asarray(self.optimal_strategy, dtype=object),
                "probability": self.ceaf,
            }
        )

    def expected_loss_frame(self) -> pd.DataFrame:
        """Expected loss, long format: ``wtp, strategy, expected_loss`` [currency]."""
        return self._long(self.loss, "expected_loss")

    def enmb_frame(self) -> pd.DataFrame:
        """Expected NMB, long format: ``wtp, strategy, enmb`` [currency]."""
        return self._long(self.enmb, "enmb")

    def evpi_frame(self) -> pd.DataFrame:
        """Per-person EVPI: ``wtp, evpi`` [currency] (n_wtp rows)."""
        return pd.DataFrame({"wtp": self.wtp, "evpi": self.evpi})


#: Relative distance at which a grid point counts as sitting on a breakpoint [dimensionless].
REL_TOL_BREAKPOINT = 1e-9


def _refine_near_breakpoints(
    grid: FloatArray,
    bp_wtp: FloatArray,
    after: NDArray[np.int64],
    env: _Envelope,
    c_t: FloatArray,
    e_t: FloatArray,
    fix: NDArray[np.int64],
) -> None:
    """Correct the counted winner at grid points within rounding of a per-sample breakpoint.

    The sweep counts, at grid point ``g``, the winner after every breakpoint below ``grid[g]``.
    A computed breakpoint can sit a few ulps off a grid point where the NMBs tie exactly; there
    the winner is re-evaluated directly (``argmax`` in rank order, i.e. the tie rule) and the
    counts in ``fix`` (shape ``(n_wtp, k)``) are corrected.
    """
    m = grid.size
    steps, chunk = env.wtp.shape
    tol = REL_TOL_BREAKPOINT * np.maximum(np.abs(bp_wtp), 1.0)
    finite = np.isfinite(bp_wtp)
    below = np.maximum(after - 1, 0)
    above = np.minimum(after, m - 1)
    near_below = finite & (after > 0) & (np.abs(grid[below] - bp_wtp) <= tol)
    near_above = finite & (after < m) & (np.abs(grid[above] - bp_wtp) <= tol)
    flat = np.concatenate([np.flatnonzero(near_below), np.flatnonzero(near_above)])
    if flat.size == 0:
        return
    points = np.concatenate([below[near_below], above[near_above]])
    samples = flat % chunk
    key = np.unique(samples * m + points)
    i, g = key // m, key % m
    # counted winner: destination of the last step counted at g, else the start winner
    after_2d = after.reshape(steps, chunk)
    n_counted = np.sum(after_2d[:, i] <= g[None, :], axis=0)
    dst_2d = env.dst.reshape(steps, chunk)
    last = np.maximum(n_counted - 1, 0)
    counted = np.where(n_counted > 0, dst_2d[last, i], env.start[i])
    direct = np.argmax(grid[g][:, None] * e_t[:, i].T - c_t[:, i].T, axis=1)
    moved = direct != counted
    np.add.at(fix, (g[moved], counted[moved]), -1)
    np.add.at(fix, (g[moved], direct[moved]), 1)


def cea_curves(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
    wtp: ArrayLike = (),
) -> CEACurves:
    """All WTP-dependent decision curves in one exact pass: CEAC, CEAF, expected NMB, loss, EVPI.

    Parameters
    ----------
    cost : array_like, shape (n_samples, n_strategies), or PSA
        Cost per person [currency]; or a :class:`PSA` (then ``effect`` and ``strategies`` are
        ignored).
    effect : array_like, shape (n_samples, n_strategies)
        Effect per person [effect unit].
    strategies : sequence of str, length n_strategies
        Strategy names.
    wtp : array_like, shape (n_wtp,)
        Willingness to pay [currency/effect unit], >= 0 and strictly increasing.

    Returns
    -------
    CEACurves

    Raises
    ------
    InputError
        On invalid arrays, names or WTP grid.

    Notes
    -----
    Exact for every grid point, at a cost of ``O(n_samples * n_strategies**2 +
    n_breakpoints * log(n_wtp) + n_wtp * n_strategies)``; see the module notes.
    """
    psa = _psa(cost, effect, strategies)
    grid = validate_wtp(wtp)
    rank = psa.rank
    n, k = psa.cost.shape
    m = grid.size
    won = _winners(psa, grid)
    counts = won.counts
    mean_e = psa.mean_effect[rank]
    mean_c = psa.mean_cost[rank]
    gap_e = won.effect_change[:, None] + (won.effect_at_zero - mean_e)[None, :]
    gap_c = won.cost_change[:, None] + (won.cost_at_zero - mean_c)[None, :]
    loss = np.maximum(grid[:, None] * gap_e - gap_c, 0.0)
    # a strategy that wins in every sample loses nothing (not rounding noise from the sums)
    loss[counts == n] = 0.0
    enmb = grid[:, None] * mean_e[None, :] - mean_c[None, :]
    # expected NMBs within rounding noise of the best count as tied: first in rank order wins
    scale = grid * float(np.max(np.abs(mean_e))) + float(np.max(np.abs(mean_c)))
    tied = enmb >= (enmb.max(axis=1) - REL_TOL_MEANS * scale)[:, None]
    optimal = np.argmax(tied, axis=1)
    evpi_values = loss[np.arange(m), optimal]
    prob = counts / n
    ceaf_values = prob[np.arange(m), optimal]

    # back to input order
    inverse = np.empty(k, dtype=np.int64)
    inverse[rank] = np.arange(k)
    return CEACurves(
        wtp=grid,
        strategies=psa.strategies,
        n_samples=n,
        probability_best=_readonly(prob[:, inverse]),
        optimal=_readonly(rank[optimal]),
        ceaf=_readonly(ceaf_values),
        enmb=_readonly(enmb[:, inverse]),
        loss=_readonly(loss[:, inverse]),
        evpi=_readonly(evpi_values),
    )


@dataclass(frozen=True)
class _Winners:
    """Who has the highest NMB in each sample, summarised at each grid point.

    ``counts`` ``(n_wtp, n_strategies)``: samples won by each strategy (rank order). The mean
    effect of the per-sample winner at grid point ``g`` is ``effect_at_zero + effect_change[g]``
    (kept apart as computed); the same for cost.
    """

    counts: NDArray[np.int64]
    effect_change: FloatArray
    cost_change: FloatArray
    effect_at_zero: float
    cost_at_zero: float


def _winners(psa: PSA, grid: FloatArray) -> _Winners:
    """Count winners and sum their effects and costs over the grid from the per-sample
    envelopes (:func:`_envelope`), chunk by chunk of samples: a breakpoint at ``t`` changes
    the winner at every grid point ``w > t``, so each is added once to the bin after ``t`` and
    the bins are summed up along the grid."""
    rank = psa.rank
    n, k = psa.cost.shape
    m = grid.size
    size = (m + 1) * k
    change = np.zeros(size, dtype=np.int64)  # winner count changes per grid bin
    fix = np.zeros((m, k), dtype=np.int64)  # corrections at grid points hit exactly
    sum_de = np.zeros(m + 1)  # changes of the winners' effect sum per grid bin
    sum_dc = np.zeros(m + 1)
    start_counts = np.zeros(k, dtype=np.int64)
    sum_e0 = 0.0
    sum_c0 = 0.0
    # samples in chunks: small arrays stay in cache and are reused by the allocator
    for lo in range(0, n, SAMPLE_CHUNK):
        # (k, chunk), rows in tie-break order
        c_t = np.ascontiguousarray(psa.cost[lo : lo + SAMPLE_CHUNK].T[rank])
        e_t = np.ascontiguousarray(psa.effect[lo : lo + SAMPLE_CHUNK].T[rank])
        env = _envelope(c_t, e_t)
        bp_wtp = env.wtp.reshape(-1)
        after = _bins(grid, bp_wtp)  # m for t >= last grid point or inf
        change += np.bincount(after * k + env.dst.reshape(-1), minlength=size)
        change -= np.bincount(after * k + env.src.reshape(-1), minlength=size)
        start_counts += np.bincount(env.start, minlength=k)
        sum_de += np.bincount(
            after, weights=np.diff(env.effect, axis=0).reshape(-1), minlength=m + 1
        )
        sum_dc += np.bincount(after, weights=np.diff(env.cost, axis=0).reshape(-1), minlength=m + 1)
        sum_e0 += float(env.effect[0].sum())
        sum_c0 += float(env.cost[0].sum())
        # grid points at (or within rounding of) a breakpoint: re-evaluate those samples
        # directly, so exact ties follow the rank rule whatever the rounding of the breakpoint
        _refine_near_breakpoints(grid, bp_wtp, after, env, c_t, e_t, fix)
    counts = np.cumsum(change.reshape(m + 1, k), axis=0)[:m] + start_counts[None, :] + fix
    return _Winners(
        counts,
        np.cumsum(sum_de)[:m] / n,
        np.cumsum(sum_dc)[:m] / n,
        sum_e0 / n,
        sum_c0 / n,
    )


def ceac(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
    wtp: ArrayLike = (),
) -> pd.DataFrame:
    """Cost-effectiveness acceptability curves with the frontier flag.

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        Cost [currency] and effect [effect unit] (or a :class:`PSA` as ``cost``).
    strategies : sequence of str, length n_strategies
    wtp : array_like, shape (n_wtp,)
        Willingness to pay [currency/effect unit], >= 0, strictly increasing.

    Returns
    -------
    pandas.DataFrame
        ``n_wtp * n_strategies`` rows ``wtp, strategy, probability, on_frontier``: the share of
        samples in which the strategy has the highest NMB (per WTP the probabilities sum to 1),
        and whether it has the highest expected NMB.
    """
    return cea_curves(cost, effect, strategies, wtp).ceac_frame()


def ceaf(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
    wtp: ArrayLike = (),
) -> pd.DataFrame:
    """Cost-effectiveness acceptability frontier.

    Returns
    -------
    pandas.DataFrame
        ``n_wtp`` rows ``wtp, strategy, probability``: the strategy with the highest expected NMB
        and the probability that it is the best strategy. Arguments as :func:`ceac`.
    """
    return cea_curves(cost, effect, strategies, wtp).ceaf_frame()


def expected_loss(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
    wtp: ArrayLike = (),
) -> pd.DataFrame:
    """Expected loss curves ``E[max_j NMB_j - NMB_d]``.

    Returns
    -------
    pandas.DataFrame
        ``n_wtp * n_strategies`` rows ``wtp, strategy, expected_loss`` [currency per person].
        Arguments as :func:`ceac`.
    """
    return cea_curves(cost, effect, strategies, wtp).expected_loss_frame()


def evpi(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
    wtp: ArrayLike = (),
) -> pd.DataFrame:
    """Per-person expected value of perfect information, ``E[max_d NMB_d] - max_d E[NMB_d]``.

    Returns
    -------
    pandas.DataFrame
        ``n_wtp`` rows ``wtp, evpi`` [currency per person], >= 0. For a population see
        :func:`population_evpi`. Arguments as :func:`ceac`.
    """
    return cea_curves(cost, effect, strategies, wtp).evpi_frame()


def expected_nmb(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
    wtp: ArrayLike = (),
) -> pd.DataFrame:
    """Expected net monetary benefit of every strategy.

    Returns
    -------
    pandas.DataFrame
        ``n_wtp * n_strategies`` rows ``wtp, strategy, enmb`` [currency per person].
        Arguments as :func:`ceac`.
    """
    return cea_curves(cost, effect, strategies, wtp).enmb_frame()


def wtp_switch_points(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
) -> pd.DataFrame:
    """WTP values k* at which the optimal strategy (highest expected NMB) changes.

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        Cost [currency] and effect [effect unit] (or a :class:`PSA` as ``cost``).
    strategies : sequence of str, length n_strategies

    Returns
    -------
    pandas.DataFrame
        One row per switch on ``wtp >= 0``, increasing: ``wtp, from_strategy, to_strategy``.
        ``wtp`` is exact (the ICER between the two frontier strategies); at ``wtp`` itself both
        have the same expected NMB and the tie rule keeps ``from_strategy``. Empty when one
        strategy is optimal at every WTP.
    """
    psa = _psa(cost, effect, strategies)
    rank = psa.rank
    env = _envelope(psa.mean_cost[rank][:, None].copy(), psa.mean_effect[rank][:, None].copy())
    finite = np.isfinite(env.wtp[:, 0])
    names = np.asarray(psa.strategies, dtype=object)
    return pd.DataFrame(
        {
            "wtp": env.wtp[finite, 0].astype(np.float64),
            "from_strategy": names[rank[env.src[finite, 0]]],
            "to_strategy": names[rank[env.dst[finite, 0]]],
        }
    )


# --------------------------------------------------------------------------------------------
# incremental analysis
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Means:
    """Mean cost and effect per strategy with the tolerances below which means count as equal."""

    cost: FloatArray
    effect: FloatArray
    names: tuple[str, ...]
    tol_c: float
    tol_e: float

    @classmethod
    def of(cls, cost: FloatArray, effect: FloatArray, names: tuple[str, ...]) -> _Means:
        """Tolerances ``REL_TOL_MEANS`` x the largest absolute mean (rounding noise)."""
        tol_c = REL_TOL_MEANS * float(np.max(np.abs(cost)))
        tol_e = REL_TOL_MEANS * float(np.max(np.abs(effect)))
        return cls(cost, effect, names, tol_c, tol_e)

    def order_key(self, j: int) -> tuple[float, float, str]:
        """Tie-break order: mean cost ascending, mean effect descending, name."""
        return (self.cost[j], -self.effect[j], self.names[j])

    def same(self, i: int, j: int) -> bool:
        """Means equal within the tolerances."""
        return bool(
            abs(self.cost[i] - self.cost[j]) <= self.tol_c
            and abs(self.effect[i] - self.effect[j]) <= self.tol_e
        )

    def dominates(self, i: int, j: int) -> bool:
        """``i`` costs no more and is at least as effective as ``j`` (within the tolerances)."""
        return bool(
            self.cost[i] <= self.cost[j] + self.tol_c
            and self.effect[i] >= self.effect[j] - self.tol_e
        )


def _identical_groups(means: _Means) -> list[list[int]]:
    """Strategies with equal means grouped; each group sorted by name (its first member is the
    representative), groups in tie-break order of their representatives."""
    groups: list[list[int]] = []
    for j in sorted(range(len(means.names)), key=means.order_key):
        for group in groups:
            if means.same(group[0], j):
                group.append(j)
                break
        else:
            groups.append([j])
    for group in groups:
        group.sort(key=lambda j: means.names[j])
    groups.sort(key=lambda g: means.order_key(g[0]))
    return groups


def _extended_frontier(means: _Means, undominated: list[int]) -> list[int]:
    """Remove extendedly dominated strategies from the undominated ones (cost and effect strictly
    increasing) until the ICERs increase along the frontier; return the frontier.

    ICERs are compared without dividing and within
    a relative ``REL_TOL_ICER``, so equal ICERs (collinear points) stay on the frontier.
    """
    c_, e_ = means.cost, means.effect
    frontier = list(undominated)
    while len(frontier) >= 3:
        bad = []
        for i in range(1, len(frontier) - 1):
            a, b, c = frontier[i - 1], frontier[i], frontier[i + 1]
            # ICER(b vs a) > ICER(c vs b), compared without dividing; equal ICERs stay ND
            lhs = (c_[b] - c_[a]) * (e_[c] - e_[b])
            rhs = (c_[c] - c_[b]) * (e_[b] - e_[a])
            if lhs > rhs + REL_TOL_ICER * (abs(lhs) + abs(rhs)):
                bad.append(b)
        if not bad:
            break
        frontier = [j for j in frontier if j not in bad]
    return frontier


def _icer_row(
    means: _Means, j: int, status: str, note: str, inc: tuple[float, float, float]
) -> dict[str, Any]:
    """One row of the ICER table."""
    return {
        "strategy": means.names[j],
        "cost": float(means.cost[j]),
        "effect": float(means.effect[j]),
        "inc_cost": inc[0],
        "inc_effect": inc[1],
        "icer": inc[2],
        "status": status,
        "note": note,
    }


_NO_INCREMENT = (math.nan, math.nan, math.nan)


def _frontier_rows(
    means: _Means, frontier: list[int], reps: list[int], copies: Mapping[int, list[int]]
) -> list[dict[str, Any]]:
    """Rows of the frontier strategies by increasing cost: increments and ICER over the previous
    frontier strategy (none for the first, the reference or a dominant strategy), each followed
    by the strategies identical to it."""
    rows: list[dict[str, Any]] = []
    dominant = len(frontier) == 1 and len(reps) > 1
    for pos, j in enumerate(frontier):
        if pos == 0:
            inc = _NO_INCREMENT
            note = "dominant" if dominant else ("reference" if len(reps) > 1 else "")
        else:
            p = frontier[pos - 1]
            d_c = float(means.cost[j] - means.cost[p])
            d_e = float(means.effect[j] - means.effect[p])
            inc = (d_c, d_e, d_c / d_e)
            note = f"vs {means.names[p]}"
        rows.append(_icer_row(means, j, STATUS_NON_DOMINATED, note, inc))
        rows.extend(
            _icer_row(means, x, STATUS_NON_DOMINATED, f"identical to {means.names[j]}", inc)
            for x in copies[j]
        )
    return rows


def _dominated_rows(
    means: _Means,
    frontier: list[int],
    reps: list[int],
    strong: set[int],
    copies: Mapping[int, list[int]],
) -> list[dict[str, Any]]:
    """Rows of the strategies off the frontier in tie-break order: ``D`` with a dominator (an
    undominated one when there is one: with tolerances dominance need not be transitive) or
    ``ED`` with the frontier neighbours, each followed by the strategies identical to it."""
    rows: list[dict[str, Any]] = []
    cost = means.cost
    for j in reps:
        if j in frontier:
            continue
        if j in strong:
            by = next(
                (i for i in reps if i not in strong and means.dominates(i, j)),
                next(i for i in reps if i != j and means.dominates(i, j)),
            )
            status, note = STATUS_DOMINATED, f"dominated by {means.names[by]}"
        else:
            lo = max((f for f in frontier if cost[f] < cost[j]), key=cost.__getitem__)
            hi = min((f for f in frontier if cost[f] > cost[j]), key=cost.__getitem__)
            status = STATUS_EXTENDED_DOMINATED
            note = f"extendedly dominated by {means.names[lo]} and {means.names[hi]}"
        rows.append(_icer_row(means, j, status, note, _NO_INCREMENT))
        rows.extend(
            _icer_row(means, x, status, f"identical to {means.names[j]}", _NO_INCREMENT)
            for x in copies[j]
        )
    return rows


def _icer_rows(
    mean_cost: FloatArray, mean_effect: FloatArray, names: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Rows of the incremental analysis (see :func:`icer_table` for the columns and rules).

    Steps: group strategies with equal means (:func:`_identical_groups`); mark the strongly
    dominated representatives; drop the extendedly dominated ones from the rest
    (:func:`_extended_frontier`); write the frontier rows with their ICERs
    (:func:`_frontier_rows`), then the dominated rows (:func:`_dominated_rows`).

    Parameters
    ----------
    mean_cost, mean_effect : ndarray, shape (n_strategies,)
        Mean cost [currency] and effect [effect unit] of each strategy.
    names : tuple of str
        Strategy names, in the order of the means.
    """
    means = _Means.of(mean_cost, mean_effect, names)
    groups = _identical_groups(means)
    reps = [g[0] for g in groups]
    copies = {g[0]: g[1:] for g in groups}
    strong = {j for j in reps if any(means.dominates(i, j) for i in reps if i != j)}
    undominated = [j for j in reps if j not in strong]  # cost and effect strictly increasing
    frontier = _extended_frontier(means, undominated)
    return _frontier_rows(means, frontier, reps, copies) + _dominated_rows(
        means, frontier, reps, strong, copies
    )


def icer_table(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Incremental cost-effectiveness table with strong and extended dominance.

    Uses the mean cost and effect of each strategy over the samples (one sample: deterministic
    results).

    Parameters
    ----------
    cost : array_like, shape (n_samples, n_strategies) or (n_strategies,), or PSA
        Cost per person [currency].
    effect : array_like, same shape as ``cost``
        Effect per person [effect unit].
    strategies : sequence of str, length n_strategies
        Unique strategy names.

    Returns
    -------
    pandas.DataFrame
        One row per strategy, columns:

        ``strategy``; ``cost`` [currency] and ``effect`` [effect unit] (means);
        ``inc_cost``, ``inc_effect``, ``icer`` [currency/effect unit]: increments over the
        previous strategy on the efficiency frontier (NaN for the reference strategy and for
        dominated strategies); ``status``: ``ND`` (on the frontier), ``D`` (strongly dominated:
        another strategy costs no more and is at least as effective, one of them strictly) or
        ``ED`` (extendedly dominated: its ICER exceeds that of the next more effective frontier
        strategy; the check is iterated until no ED strategy is left, so the frontier is the
        lower convex hull of the (effect, cost) points); ``note``: ``reference`` (the first,
        cheapest frontier strategy), ``dominant`` (a single strategy dominates every other one;
        its ICER is NaN), ``vs X`` (the comparator of an ICER), ``dominated by X`` (a
        non-dominated strategy that dominates it), ``extendedly dominated by X and Y`` (its
        frontier neighbours) or ``identical to X``.

        Row order: frontier strategies by increasing cost, then the dominated (``D`` and ``ED``)
        strategies in tie-break order (mean cost ascending, mean effect descending, name).
        Strategies with identical mean cost and effect share the status and increments of the
        first of them by name and follow it directly. Collinear frontier points (equal ICERs)
        stay ``ND``. Means that differ by less than ``REL_TOL_MEANS`` (1e-12) of the largest
        absolute mean are treated as equal, and ICERs within a relative ``REL_TOL_ICER`` (1e-9)
        as equal, so rounding noise (e.g. a common cost shift) cannot flip a status. The table
        does not depend on the input order.
    """
    psa = _psa(cost, effect, strategies)
    rows = _icer_rows(np.asarray(psa.mean_cost), np.asarray(psa.mean_effect), psa.strategies)
    frame = pd.DataFrame(
        rows,
        columns=["strategy", "cost", "effect", "inc_cost", "inc_effect", "icer", "status", "note"],
    )
    frame.attrs["strategies"] = list(psa.strategies)
    return frame


# --------------------------------------------------------------------------------------------
# uncertainty around the increments
# --------------------------------------------------------------------------------------------


def _check_level(level: float) -> tuple[float, float]:
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise InputError(f"level: {level!r} is not a probability; give a value in (0, 1)")
    tail = (1.0 - float(level)) / 2.0
    return tail, 1.0 - tail


def _comparator_index(psa: PSA, comparator: str | None) -> int:
    if comparator is None:
        table = icer_table(psa)
        return psa.strategies.index(str(table["strategy"].iloc[0]))
    if comparator not in psa.strategies:
        raise InputError(
            f"comparator: {comparator!r} is not a strategy; choose one of {list(psa.strategies)}"
        )
    return psa.strategies.index(comparator)


def psa_summary(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
    *,
    comparator: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Means, percentile intervals and paired increments versus a comparator.

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        Cost [currency] and effect [effect unit] (or a :class:`PSA` as ``cost``).
    strategies : sequence of str, length n_strategies
    comparator : str, optional
        Strategy the increments are taken against; default the reference (first) strategy of
        :func:`icer_table`, i.e. the cheapest non-dominated one.
    level : float
        Coverage of the percentile intervals, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        One row per strategy (input order): ``strategy, cost, cost_lower, cost_upper, effect,
        effect_lower, effect_upper, comparator, inc_cost, inc_cost_lower, inc_cost_upper,
        inc_effect, inc_effect_lower, inc_effect_upper, p_ne, p_se, p_nw, p_sw``.
        Increments are paired per sample (strategy minus comparator) and summarised by their mean
        and percentile interval; no ratio intervals are given, as they flip sign. ``p_*`` are the
        shares of samples in each CE-plane quadrant: north = incremental cost > 0, east =
        incremental effect > 0; samples on an axis count as south or west. The comparator's own
        row has NaN increments.
    """
    psa = _psa(cost, effect, strategies)
    lo, hi = _check_level(level)
    ref = _comparator_index(psa, comparator)
    c, e = psa.cost, psa.effect
    q_c = np.quantile(c, [lo, hi], axis=0)
    q_e = np.quantile(e, [lo, hi], axis=0)
    d_c = c - c[:, [ref]]
    d_e = e - e[:, [ref]]
    q_dc = np.quantile(d_c, [lo, hi], axis=0)
    q_de = np.quantile(d_e, [lo, hi], axis=0)
    north = d_c > 0
    east = d_e > 0
    frame = pd.DataFrame(
        {
            "strategy": list(psa.strategies),
            "cost": psa.mean_cost,
            "cost_lower": q_c[0],
            "cost_upper": q_c[1],
            "effect": psa.mean_effect,
            "effect_lower": q_e[0],
            "effect_upper": q_e[1],
            "comparator": psa.strategies[ref],
            "inc_cost": d_c.mean(axis=0),
            "inc_cost_lower": q_dc[0],
            "inc_cost_upper": q_dc[1],
            "inc_effect": d_e.mean(axis=0),
            "inc_effect_lower": q_de[0],
            "inc_effect_upper": q_de[1],
            "p_ne": (north & east).mean(axis=0),
            "p_se": (~north & east).mean(axis=0),
            "p_nw": (north & ~east).mean(axis=0),
            "p_sw": (~north & ~east).mean(axis=0),
        }
    )
    inc_cols = [col for col in frame.columns if col.startswith(("inc_", "p_"))]
    frame.loc[ref, inc_cols] = math.nan
    return frame


def incremental_nmb(
    cost: ArrayLike | PSA,
    effect: ArrayLike | None = None,
    strategies: Sequence[str] | None = None,
    wtp: ArrayLike = (),
    *,
    comparator: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Paired incremental net monetary benefit versus a comparator, with percentile intervals.

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        Cost [currency] and effect [effect unit] (or a :class:`PSA` as ``cost``).
    strategies : sequence of str, length n_strategies
    wtp : array_like, shape (n_wtp,)
        Willingness to pay [currency/effect unit]. Cost is ``O(n_samples * n_wtp)`` per strategy
        (quantiles are not linear), so pass a coarse grid for large PSAs.
    comparator : str, optional
        As in :func:`psa_summary`.
    level : float
        Interval coverage, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        ``n_wtp * (n_strategies - 1)`` rows ``wtp, strategy, comparator, inc_nmb, inc_nmb_lower,
        inc_nmb_upper, p_positive`` [currency]; ``p_positive`` is the share of samples with
        incremental NMB > 0.
    """
    psa = _psa(cost, effect, strategies)
    grid = validate_wtp(wtp)
    lo, hi = _check_level(level)
    ref = _comparator_index(psa, comparator)
    others = [j for j in range(psa.n_strategies) if j != ref]
    m = grid.size
    chunk = max(1, 2_000_000 // max(psa.n_samples, 1))
    blocks = []
    for j in others:
        d_c = psa.cost[:, j] - psa.cost[:, ref]
        d_e = psa.effect[:, j] - psa.effect[:, ref]
        lower = np.empty(m)
        upper = np.empty(m)
        positive = np.empty(m)
        for start in range(0, m, chunk):
            w = grid[start : start + chunk]
            inb = w[:, None] * d_e[None, :] - d_c[None, :]
            q = np.quantile(inb, [lo, hi], axis=1)
            lower[start : start + chunk] = q[0]
            upper[start : start + chunk] = q[1]
            positive[start : start + chunk] = (inb > 0).mean(axis=1)
        blocks.append(
            pd.DataFrame(
                {
                    "wtp": grid,
                    "strategy": psa.strategies[j],
                    "comparator": psa.strategies[ref],
                    "inc_nmb": grid * d_e.mean() - d_c.mean(),
                    "inc_nmb_lower": lower,
                    "inc_nmb_upper": upper,
                    "p_positive": positive,
                }
            )
        )
    columns = [
        "wtp",
        "strategy",
        "comparator",
        "inc_nmb",
        "inc_nmb_lower",
        "inc_nmb_upper",
        "p_positive",
    ]
    if not blocks:
        return pd.DataFrame({col: [] for col in columns})
    frame = pd.concat(blocks, ignore_index=True)
    order = np.argsort(frame["wtp"].to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# population EVPI
# --------------------------------------------------------------------------------------------


def discounted_population(
    population_per_year: float | ArrayLike,
    horizon_years: int,
    discount_rate: float | Sequence[float] = 0.0,
) -> float:
    """Discounted number of people affected by the decision over the horizon.

    ``sum_{t=0}^{H-1} N * prod_{s<t} (1 + r_s)^-1``: a new cohort of ``N`` people each year,
    discounted at the start of its year (the first cohort is not discounted). With a constant rate
    the factor of year ``t`` is ``(1 + r)^-t``.

    Parameters
    ----------
    population_per_year : float or array_like, shape (horizon_years,)
        People newly facing the decision each year [persons/year], >= 0; a constant or one
        value per year.
    horizon_years : int
        Number of years the decision applies, >= 1.
    discount_rate : float or sequence of float
        Constant annual rate (e.g. 0.035), or one rate per year (a stepped schedule, at least
        ``horizon_years - 1`` values, the rate of year ``s`` discounting from year ``s`` to
        ``s + 1``); each > -1.

    Returns
    -------
    float
        Discounted population [persons].

    Raises
    ------
    InputError
        On a negative population, a horizon below 1, or invalid rates.
    """
    if isinstance(horizon_years, bool) or int(horizon_years) != horizon_years or horizon_years < 1:
        raise InputError(f"horizon_years: {horizon_years!r}; give a whole number of years >= 1")
    h = int(horizon_years)
    people = np.asarray(population_per_year, dtype=np.float64)
    if people.ndim == 0:
        people = np.full(h, float(people))
    if people.shape != (h,):
        raise InputError(
            f"population_per_year has {people.size} values for a {h}-year horizon; give one "
            "number or one per year"
        )
    if (~np.isfinite(people)).any() or (people < 0).any():
        raise InputError(f"population_per_year: {population_per_year!r}; give numbers >= 0")
    if np.ndim(discount_rate) == 0:
        rates = np.full(max(h - 1, 0), float(discount_rate))  # type: ignore[arg-type]
    else:
        rates = np.asarray(discount_rate, dtype=np.float64)
        if rates.ndim != 1 or rates.size < h - 1:
            raise InputError(
                f"discount_rate: a schedule needs at least {h - 1} annual rates for a {h}-year "
                f"horizon, got {rates.size}"
            )
        rates = rates[: h - 1]
    if (~np.isfinite(rates)).any() or (rates <= -1).any():
        bad = sorted({float(r) for r in rates if not (np.isfinite(r) and r > -1)})
        raise InputError(f"discount_rate: rates must be finite and > -1; got {bad}")
    factors = np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + rates))])
    return float(np.dot(people, factors))


def population_evpi(
    evpi_per_person: ArrayLike,
    population_per_year: float,
    horizon_years: int,
    discount_rate: float | Sequence[float] = 0.0,
) -> FloatArray:
    """Population EVPI: per-person EVPI times the discounted population.

    Parameters
    ----------
    evpi_per_person : array_like, shape (n_wtp,) or scalar
        Per-person EVPI [currency/person], e.g. ``CEACurves.evpi``.
    population_per_year, horizon_years, discount_rate
        See :func:`discounted_population` (annual cohorts discounted at the start of each year).

    Returns
    -------
    numpy.ndarray, same shape as ``evpi_per_person``
        Population EVPI [currency].
    """
    factor = discounted_population(population_per_year, horizon_years, discount_rate)
    return np.asarray(evpi_per_person, dtype=np.float64) * factor
