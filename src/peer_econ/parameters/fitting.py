"""PSA distributions fitted around a base value (DESIGN 2.8: ``value`` is what a user edits).

A parameter row gives its base ``value`` and its uncertainty, either a standard error or a 95 %
interval (normal, lognormal, gamma, beta) or the bounds of its range (triangular, uniform). The
distribution is fitted so that its mean is ``value``:

* normal, lognormal, gamma, beta: method of moments from mean = ``value`` and SD = the standard
  error; a 95 % interval ``[low, high]`` gives SE = (high - low) / (2 x 1.959964) (its width on
  the normal approximation; for skewed families the fitted quantiles differ a little from the
  interval, and are reported beside it);
* triangular: bounds ``[low, high]``; the mode that gives mean ``value`` is
  ``3 x value - low - high`` (it must lie within the bounds);
* uniform: bounds ``[low, high]``; its mean is their midpoint, so ``value`` must be the midpoint.

Editing ``value`` then moves the base case and the PSA together.

References
----------
Briggs A, Claxton K, Sculpher M. Decision Modelling for Health Economic Evaluation. Oxford
University Press; 2006, ch. 4 (method of moments).
"""

from __future__ import annotations

import math

from scipy import special

from peer_econ.errors import InputError
from peer_econ.parameters.distributions import (
    Beta,
    Distribution,
    Gamma,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
)

#: Standard-normal quantile of 0.975: a 95 % interval spans 2 x Z95 standard errors.
Z95 = float(special.ndtri(0.975))
#: Relative gap allowed between ``value`` and a distribution's mean (DESIGN 2.8: 0.1 %).
MEAN_TOLERANCE = 0.001
#: Families fitted from a standard error or a 95 % interval by the method of moments.
MOMENT_FAMILIES = ("normal", "lognormal", "gamma", "beta")
#: Families fitted from the bounds of their range.
BOUNDED_FAMILIES = ("triangular", "uniform")
FITTED_FAMILIES = MOMENT_FAMILIES + BOUNDED_FAMILIES


def se_from_interval(low: float, high: float) -> float:
    """Standard error implied by a 95 % interval: (high - low) / (2 x 1.959964).

    Raises
    ------
    InputError
        If ``low >= high``.
    """
    if not low < high:
        raise InputError(f"the 95 % interval [{low:g}, {high:g}] needs low < high")
    return (high - low) / (2.0 * Z95)


def fit_from_moments(family: str, value: float, se: float) -> Distribution:
    """A distribution of ``family`` with mean ``value`` and standard deviation ``se``.

    Parameters
    ----------
    family : {"normal", "lognormal", "gamma", "beta"}
    value : float
        Mean [unit of the parameter].
    se : float
        Standard deviation of the PSA distribution (the standard error of the estimate), > 0.

    Raises
    ------
    InputError
        Unknown family, or a mean/SE the family cannot have (e.g. a gamma mean <= 0, a beta SE
        too large for its mean).
    """
    if family == "normal":
        return Normal(value, se)
    if family == "lognormal":
        return LogNormal.from_mean_se(value, se)
    if family == "gamma":
        return Gamma.from_mean_se(value, se)
    if family == "beta":
        return Beta.from_mean_se(value, se)
    raise InputError(f"{family!r} is not fitted by moments; use one of {list(MOMENT_FAMILIES)}")


def fit_from_bounds(family: str, value: float, low: float, high: float) -> Distribution:
    """A triangular or uniform distribution on ``[low, high]`` with mean ``value``.

    Raises
    ------
    InputError
        If the bounds are not ordered, the triangular mode ``3 value - low - high`` falls outside
        them, or ``value`` is not the uniform's midpoint (within 0.1 %).
    """
    if not low < high:
        raise InputError(f"bounds [{low:g}, {high:g}] need low < high")
    if family == "triangular":
        mode = 3.0 * value - low - high
        if not low <= mode <= high:
            reach = ((2.0 * low + high) / 3.0, (low + 2.0 * high) / 3.0)
            raise InputError(
                f"no triangular distribution on [{low:g}, {high:g}] has mean {value:g} (the "
                f"mode would be {mode:g}); a mean must lie in [{reach[0]:.6g}, {reach[1]:.6g}], "
                "so move the bounds"
            )
        return Triangular(low, min(max(mode, low), high), high)
    if family == "uniform":
        mid = (low + high) / 2.0
        if not close_to_mean(value, mid):
            half = (high - low) / 2.0
            raise InputError(
                f"a uniform distribution on [{low:g}, {high:g}] has mean {mid:g}, not {value:g}; "
                f"set the bounds to value -/+ half the width ({value - half:g}, {value + half:g}) "
                f"or set value to {mid:g}"
            )
        return Uniform(low, high)
    raise InputError(f"{family!r} is not fitted by bounds; use one of {list(BOUNDED_FAMILIES)}")


def close_to_mean(value: float, mean: float, tolerance: float = MEAN_TOLERANCE) -> bool:
    """True when ``value`` lies within ``tolerance`` (relative) of ``mean``."""
    gap = abs(value - mean)
    return gap <= tolerance * abs(mean) or gap <= 1e-12


def spread(distribution: Distribution) -> float:
    """Standard deviation of a distribution [unit of the parameter]."""
    return math.sqrt(max(float(distribution.variance), 0.0))
