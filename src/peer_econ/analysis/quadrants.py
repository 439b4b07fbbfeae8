"""Words for an incremental cost-effectiveness ratio, by quadrant of the CE plane.

A ratio of increments means "extra cost per extra unit of effect" only in the north-east quadrant
(costs more, gains more). A negative ratio mixes two opposite situations (cheaper and better, or
dearer and worse) and must never be printed as a number: the first is *dominant*, the second
*dominated*. In the south-west quadrant (cheaper and worse) the ratio is the saving per unit of
effect given up.
"""

from __future__ import annotations

import math

#: Labels of the quadrants without a meaningful ratio.
DOMINANT = "dominant (cost-saving and more effective)"
DOMINATED = "dominated (costs more, no more effective)"
NO_DIFFERENCE = "no difference"


def icer_value(inc_cost: float, inc_effect: float) -> float:
    """The ratio ``inc_cost / inc_effect`` where it is a trade-off, else NaN.

    NaN for dominant (``inc_cost <= 0 < inc_effect``), dominated (``inc_cost >= 0 >= inc_effect``
    with a difference), no difference, or any NaN input; the ratio in the north-east (extra cost
    per unit gained) and south-west (saving per unit lost) quadrants.
    """
    if not (math.isfinite(inc_cost) and math.isfinite(inc_effect)):
        return math.nan
    if (inc_cost > 0 and inc_effect > 0) or (inc_cost < 0 and inc_effect < 0):
        return inc_cost / inc_effect
    return math.nan


def icer_label(inc_cost: float, inc_effect: float, *, unit: str = "") -> str:
    """The ICER in words: a number only where it is a trade-off, never a negative number.

    Parameters
    ----------
    inc_cost, inc_effect : float
        Incremental cost [currency] and effect [effect unit] against the comparator.
    unit : str
        Appended to a number, e.g. ``" DKK/QALY"``.

    Returns
    -------
    str
        ``"157,169"`` (north-east), ``"dominant (cost-saving and more effective)"``,
        ``"dominated (costs more, no more effective)"``, ``"12,000 (cheaper and less effective:
        saving per unit of effect lost)"`` (south-west), ``"no difference"`` (both zero) or
        ``"-"`` (undefined, e.g. the comparator).

    Examples
    --------
    >>> icer_label(-10.0, 0.01)
    'dominant (cost-saving and more effective)'
    >>> icer_label(2000.0, 0.01, unit=" DKK/QALY")
    '200,000 DKK/QALY'
    """
    if not (math.isfinite(inc_cost) and math.isfinite(inc_effect)):
        return "-"
    if inc_cost == 0 and inc_effect == 0:
        return NO_DIFFERENCE
    if inc_effect > 0 and inc_cost <= 0:
        return DOMINANT
    if inc_effect <= 0 and inc_cost >= 0:
        return DOMINATED
    ratio = inc_cost / inc_effect
    if inc_cost < 0:
        return f"{ratio:,.0f}{unit} (cheaper and less effective: saving per unit of effect lost)"
    return f"{ratio:,.0f}{unit}"
