"""Bounds of every numeric command-line option, checked before any work starts.

The command line (``cli.py``) only parses text; these functions decide what values are allowed,
with one-line :class:`~peer_econ.errors.InputError` messages that name the option, the value
found and the allowed range. The same limits apply to the matching keys of ``settings.toml``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from peer_econ.errors import MAX_ABS_VALUE, InputError
from peer_econ.model.capacity import MAX_YEARS
from peer_econ.model.delivery import MAX_COURSES_PER_YEAR, MAX_MUNICIPALITIES

#: Largest PSA size of one run (larger runs are processed in chunks) [samples].
MAX_SAMPLES = 10_000_000
#: Largest seed numpy's SeedSequence is given here (any non-negative 63-bit integer).
MAX_SEED = 2**63 - 1
#: Most points of a WTP grid (settings.toml [wtp] or ``--wtp``); finer grids add nothing
#: readable and cost time and memory in every curve.
MAX_WTP_POINTS = 10_001
#: Open interval of annual discount rates, as for the schedules of settings.toml.
DISCOUNT_RATE_RANGE = (-0.5, 1.0)
#: Most worker processes of ``--jobs``.
MAX_JOBS = 256
#: Participants per arm of a proposed study (``voi --sample-sizes``).
STUDY_SIZE_RANGE = (2, 100_000)
#: Most values in a comma list option (``--sample-sizes``, ``--x-values``, ``--wtp a,b``).
MAX_LIST_VALUES = 201
#: Smallest Sobol base sample that gives indices worth reading (SALib's bootstrap intervals
#: are wider than the indices themselves below a few hundred rows) and the largest one whose
#: design fits in a few GiB: with PEER's 40 uncertain parameters, 65,536 x (40 + 2) rows of 40
#: doubles are 0.9 GB per copy, twice that with second-order indices.
SOBOL_N_BASE_RANGE = (256, 2**16)
#: Morris trajectories and grid levels.
MORRIS_TRAJECTORIES_RANGE = (2, 10_000)
MORRIS_LEVELS_RANGE = (2, 100)
#: Samples of the delta moment-independent measure (SALib needs a few hundred for its density
#: estimates).
DELTA_SAMPLES_RANGE = (200, 1_000_000)
#: Years of a population EVPI horizon.
YEARS_RANGE = (1, 100)
#: Years of a budget plan (budget-impact practice: 1 to 10).
BUDGET_YEARS_RANGE = (1, MAX_YEARS)
#: Municipalities of a budget plan (Denmark has 98).
MUNICIPALITIES_RANGE = (1, MAX_MUNICIPALITIES)
#: Courses per municipality per year in a budget plan (one starting every week at most).
COURSES_PER_YEAR_MAX = MAX_COURSES_PER_YEAR
#: TCP ports of the local app.
PORT_RANGE = (1, 65535)


def check_int(value: int | None, option: str, low: int, high: int) -> int | None:
    """A whole-number option in ``[low, high]`` (None passes through)."""
    if value is None:
        return None
    if not low <= value <= high:
        raise InputError(f"{option} {value}: give a whole number from {low:,} to {high:,}")
    return value


def check_float(
    value: float | None,
    option: str,
    low: float,
    high: float,
    *,
    open_low: bool = False,
    open_high: bool = False,
    unit: str = "",
) -> float | None:
    """A number option in the interval from ``low`` to ``high`` (None passes through)."""
    if value is None:
        return None
    below = value <= low if open_low else value < low
    above = value >= high if open_high else value > high
    if not math.isfinite(value) or below or above:
        left, right = "(" if open_low else "[", ")" if open_high else "]"
        suffix = f" {unit}" if unit else ""
        raise InputError(
            f"{option} {value:g}: give a finite number in {left}{low:g}, {high:g}{right}{suffix}"
        )
    return value


def check_wtp(value: float | None, option: str = "--wtp") -> float | None:
    """A willingness to pay in ``[0, MAX_ABS_VALUE]`` DKK/QALY."""
    return check_float(value, option, 0.0, MAX_ABS_VALUE, unit="DKK/QALY")


def check_discount(value: float | None, option: str = "--discount") -> float | None:
    """An annual discount rate in the range settings.toml allows."""
    low, high = DISCOUNT_RATE_RANGE
    return check_float(value, option, low, high, open_low=True, open_high=True, unit="per year")


def parse_numbers(
    text: str | None,
    option: str,
    *,
    low: float = -MAX_ABS_VALUE,
    high: float = MAX_ABS_VALUE,
    integer: bool = False,
    max_count: int = MAX_LIST_VALUES,
) -> list[float] | None:
    """``"a,b,c"`` -> numbers within ``[low, high]``, with one-line errors naming the option."""
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise InputError(f"{option} {text!r}: give numbers separated by commas")
    values: list[float] = []
    for part in parts:
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise InputError(
                f"{option} {text!r}: {part!r} is not a number; give numbers separated by commas"
            ) from None
        kind = "whole numbers" if integer else "finite numbers"
        if (
            not math.isfinite(value)
            or not low <= value <= high
            or (integer and value != int(value))
        ):
            raise InputError(f"{option} {text!r}: {part!r}; give {kind} from {low:g} to {high:g}")
        values.append(value)
    if len(values) > max_count:
        raise InputError(f"{option}: {len(values)} values; give at most {max_count}")
    return values


def check_sample_sizes(text: str | None, option: str = "--sample-sizes") -> list[int] | None:
    """Participants per arm of a proposed study: whole numbers in :data:`STUDY_SIZE_RANGE`."""
    low, high = STUDY_SIZE_RANGE
    values = parse_numbers(text, option, low=low, high=high, integer=True)
    return None if values is None else [int(v) for v in values]


def check_probability_pair(values: Sequence[float] | None, option: str) -> tuple[float, float]:
    """Two probabilities ``0 < low < high < 1`` (e.g. ``--interval 0.025,0.975``)."""
    if values is None or len(values) != 2 or not 0 < values[0] < values[1] < 1:
        raise InputError(
            f"{option} {values}: give two probabilities 0 < low < high < 1, e.g. 0.025,0.975"
        )
    return (values[0], values[1])


def check_sobol_base(n_base: int, option: str = "--n-base") -> int:
    """A power of two in :data:`SOBOL_N_BASE_RANGE` (Saltelli sampling needs powers of two)."""
    low, high = SOBOL_N_BASE_RANGE
    if not low <= n_base <= high or n_base & (n_base - 1):
        raise InputError(
            f"{option} {n_base}: give a power of two from {low:,} to {high:,} (e.g. 16384); "
            "smaller designs give confidence intervals wider than the indices"
        )
    return n_base
