"""Continuous discounting with stepped annual rates, in closed form.

The discount factor at time ``t`` [years] is

    D(t) = prod_{j} exp(-rho_j * |[s_j, s_{j+1}) ∩ [0, t)|),   rho_j = ln(1 + r_j),

i.e. continuous compounding at the annual rate ``r_j`` within the years its step covers and never
retroactively (Finansministeriet 2021 for the Danish 3.5 % / 2.5 % / 1.5 % steps). At a constant
rate this is ``(1 + r) ** -t``. Integrals of linear and exponential flows against ``D`` are exact,
so there are no cycles and no half-cycle correction.

References
----------
Finansministeriet. Dokumentationsnotat - den samfundsøkonomiske diskonteringsrente. 7 Jan 2021.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from peer_econ.model.spec import DiscountSchedule

FloatArray = NDArray[np.float64]

#: Below this value of rho * length [dimensionless] the series expansions are used.
_SERIES_CUTOFF = 1e-4


def _segments(schedule: DiscountSchedule) -> list[tuple[float, float, float, float]]:
    """(start, end, rho, D(start)) for each step of the schedule."""
    out = []
    log_d = 0.0
    starts = list(schedule.starts) + [np.inf]
    for j, rate in enumerate(schedule.rates):
        rho = float(np.log1p(rate))
        start, end = float(starts[j]), float(starts[j + 1])
        out.append((start, end, rho, float(np.exp(log_d))))
        if np.isfinite(end):
            log_d -= rho * (end - start)
    return out


def discount_factor(t: ArrayLike, schedule: DiscountSchedule) -> FloatArray:
    """Discount factor ``D(t)`` at times ``t`` [years] (any shape, t >= 0)."""
    t = np.asarray(t, dtype=np.float64)
    out = np.zeros_like(t)
    for start, end, rho, d0 in _segments(schedule):
        inside = (t >= start) & (t < end)
        out = np.where(inside, d0 * np.exp(-rho * (t - start)), out)
    return out


def _e0(rho: float, length: FloatArray) -> FloatArray:
    """∫_0^L exp(-rho u) du."""
    x = rho * length
    safe = np.where(np.abs(x) < _SERIES_CUTOFF, 1.0, x)
    exact = np.where(rho == 0.0, length, -np.expm1(-safe) / (rho if rho != 0 else 1.0))
    series = length * (1.0 - x / 2.0 + x * x / 6.0)
    return np.where(np.abs(x) < _SERIES_CUTOFF, series, exact)


def _e1(rho: float, length: FloatArray) -> FloatArray:
    """∫_0^L u exp(-rho u) du."""
    x = rho * length
    series = length * length * (0.5 - x / 3.0 + x * x / 8.0)
    if rho == 0.0:
        return series
    exact = (_e0(rho, length) - length * np.exp(-x)) / rho
    return np.where(np.abs(x) < _SERIES_CUTOFF, series, exact)


def integrate_linear(
    intercept: ArrayLike,
    slope: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    schedule: DiscountSchedule,
) -> FloatArray:
    """Discounted integral ``∫_start^end (intercept + slope * t) D(t) dt``.

    Parameters
    ----------
    intercept, slope : array_like
        Flow ``f(t) = intercept + slope * t`` [unit per year; unit per year^2]; broadcastable.
    start, end : array_like
        Integration limits [years]; where ``end <= start`` the integral is 0.
    schedule : DiscountSchedule
        Stepped annual discount rates.

    Returns
    -------
    ndarray
        Broadcast shape of the inputs [unit].
    """
    a = np.asarray(intercept, dtype=np.float64)
    b = np.asarray(slope, dtype=np.float64)
    t0 = np.asarray(start, dtype=np.float64)
    t1 = np.asarray(end, dtype=np.float64)
    total = np.zeros(np.broadcast_shapes(a.shape, b.shape, t0.shape, t1.shape))
    for seg_start, seg_end, rho, d0 in _segments(schedule):
        lo = np.maximum(t0, seg_start)
        hi = np.minimum(t1, seg_end)
        length = np.maximum(hi - lo, 0.0)
        if not np.any(length > 0):
            continue
        lo_safe = np.where(length > 0, lo, seg_start)
        scale = d0 * np.exp(-rho * (lo_safe - seg_start))
        total = total + scale * ((a + b * lo_safe) * _e0(rho, length) + b * _e1(rho, length))
    return total


def integrate_exponential(
    amplitude: ArrayLike,
    decay_rate: ArrayLike,
    origin: ArrayLike,
    start: ArrayLike,
    end: ArrayLike,
    schedule: DiscountSchedule,
) -> FloatArray:
    """Discounted integral ``∫_start^end amplitude * exp(-decay_rate (t - origin)) D(t) dt``.

    Parameters
    ----------
    amplitude : array_like
        Flow at ``t = origin`` [unit per year].
    decay_rate : array_like
        Continuous decay rate [per year], >= 0.
    origin, start, end : array_like
        Times [years]; where ``end <= start`` the integral is 0.
    schedule : DiscountSchedule
        Stepped annual discount rates.
    """
    amp = np.asarray(amplitude, dtype=np.float64)
    kappa = np.asarray(decay_rate, dtype=np.float64)
    t_origin = np.asarray(origin, dtype=np.float64)
    t0 = np.asarray(start, dtype=np.float64)
    t1 = np.asarray(end, dtype=np.float64)
    shape = np.broadcast_shapes(amp.shape, kappa.shape, t_origin.shape, t0.shape, t1.shape)
    total = np.zeros(shape)
    for seg_start, seg_end, rho, d0 in _segments(schedule):
        lo = np.maximum(t0, seg_start)
        hi = np.minimum(t1, seg_end)
        length = np.maximum(hi - lo, 0.0)
        if not np.any(length > 0):
            continue
        lo_safe = np.where(length > 0, lo, seg_start)
        rate = kappa + rho
        x = rate * length
        series = length * (1.0 - x / 2.0 + x * x / 6.0)
        safe_rate = np.where(np.abs(x) < _SERIES_CUTOFF, 1.0, rate)
        exact = -np.expm1(-np.where(np.abs(x) < _SERIES_CUTOFF, 1.0, x)) / safe_rate
        e0 = np.where(np.abs(x) < _SERIES_CUTOFF, series, exact)
        scale = d0 * np.exp(-rho * (lo_safe - seg_start)) * np.exp(-kappa * (lo_safe - t_origin))
        total = total + amp * scale * e0
    return total
