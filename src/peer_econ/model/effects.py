"""Outcome gains mapped to utilities, and their time course.

Utility gain at the end of the course (DESIGN 2.3), by route:

* ``smd`` (base): ``delta_u = d * SD_EQ5D * lambda`` with ``lambda = r + (1 - r) * share``,
  the Cochrane re-expression of a standardised mean difference (Higgins & Green 2011, §12.6.4)
  attenuated towards the OLS mapping bound ``r`` (Lu, Brazier & Ades 2013);
* ``mapping``: ``delta_u = slope * mean difference`` of the source outcome (a linear mapping);
* ``direct``: a utility difference measured directly.

Time course (DESIGN 2.4): the gain rises linearly over the course (length ``c``) to
``delta_u``, then follows a durability function ``g`` of the time since the course ended.

References
----------
Lu G, Brazier JE, Ades AE. Mapping from disease-specific to generic health-related quality-of-life
scales: a common factor model. Value Health 2013;16:177-184. doi:10.1016/j.jval.2012.07.003
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from peer_econ.model.discounting import integrate_exponential, integrate_linear
from peer_econ.model.spec import DiscountSchedule, ModelSettings

FloatArray = NDArray[np.float64]

#: Days per year used to turn weeks and months into years.
DAYS_PER_YEAR = 365.25
MONTHS_PER_YEAR = 12.0

_D_NAMES = {"mansa": "mansa_d", "wsas": "wsas_d", "qpr15": "qpr15_d"}
_R_NAMES = {"mansa": "r_mansa_eq5d", "wsas": "r_wsas_eq5d", "qpr15": "r_qpr15_eq5d"}


def course_years(draws: Mapping[str, FloatArray]) -> FloatArray:
    """Length of the course [years], from ``course_weeks``: weeks x 7 / 365.25."""
    return np.asarray(draws["course_weeks"]) * 7.0 / DAYS_PER_YEAR


def source_effect_size(draws: Mapping[str, FloatArray], settings: ModelSettings) -> FloatArray:
    """Standardised effect ``d`` of the chosen source outcome (shrunk if switched on)."""
    d = np.asarray(draws[_D_NAMES[settings.source_outcome]])
    if settings.shrinkage:
        d = d * draws["shrinkage_factor"]
    return d


def attenuation(draws: Mapping[str, FloatArray], settings: ModelSettings) -> FloatArray:
    """Mapping attenuation ``lambda = r + (1 - r) * share`` [dimensionless]."""
    r = np.asarray(draws[_R_NAMES[settings.source_outcome]])
    return r + (1.0 - r) * draws["lambda_share"]


def attendance_factor(draws: Mapping[str, FloatArray], settings: ModelSettings) -> FloatArray:
    """Scaling of the trial effect for attendance in routine delivery, ``(n_samples,)``.

    ``complier_average`` (base; AS): delivered / trial share attending 8 or more sessions, as if
    the effect came from those who attend. ``dose_response`` (scenario; AS): the effect is
    proportional to sessions attended, mean sessions attended in routine delivery / in the
    trial. 1 when ``attendance_scaling`` is off.
    """
    if not settings.attendance_scaling:
        return np.ones(np.shape(draws["course_weeks"]))
    if settings.attendance_model == "dose_response":
        ratio = draws["mean_sessions_attended"] / draws["trial_mean_sessions_attended"]
    else:
        ratio = draws["delivered_attendance_prop"] / draws["trial_attendance_prop"]
    return np.asarray(ratio, dtype=np.float64)


def wellbeing_gain_post(draws: Mapping[str, FloatArray], settings: ModelSettings) -> FloatArray:
    """WEMWBS gain of full PEER at the end of the course [WEMWBS points], ``(n_samples,)``.

    The source outcome's SMD is re-expressed in WEMWBS points with the same attenuation as the
    utility gain (``lambda``: a disease-specific effect shrinks on a generic scale) and the same
    attendance scaling: ``d x lambda x SD(WEMWBS) x attendance``. That the MANSA effect carries
    over to WEMWBS at all is an assumption (AS).
    """
    points = source_effect_size(draws, settings) * attenuation(draws, settings) * draws["wemwbs_sd"]
    return np.asarray(points * attendance_factor(draws, settings), dtype=np.float64)


def utility_gain_post(draws: Mapping[str, FloatArray], settings: ModelSettings) -> FloatArray:
    """Utility gain of full PEER at the end of the course, shape ``(n_samples,)`` [utility].

    Includes the attendance scaling (delivered / trial attendance) when switched on; strategy
    multipliers (e.g. course only) are applied by the engine.
    """
    if settings.utility_route == "smd":
        gain = source_effect_size(draws, settings) * draws["sd_eq5d_target"]
        gain = gain * attenuation(draws, settings)
    elif settings.utility_route == "mapping":
        md = np.asarray(draws["mansa_md"])
        if settings.shrinkage:
            md = md * draws["shrinkage_factor"]
        gain = draws["mapping_slope_mansa"] * md
    else:
        gain = np.asarray(draws["direct_delta_u"], dtype=np.float64)
    return np.asarray(gain * attendance_factor(draws, settings), dtype=np.float64)


def remaining_fraction(
    months_after_start: float,
    draws: Mapping[str, FloatArray],
    settings: ModelSettings,
    *,
    within_horizon: bool = True,
) -> FloatArray:
    """Share of the end-of-course gain still present at a time after randomisation.

    Parameters
    ----------
    months_after_start : float
        Time since randomisation [months].
    within_horizon : bool
        If true (the model's view) the share is 0 beyond the model horizon; if false it is the
        share a study would observe then (the durability function does not stop at the horizon).

    Returns
    -------
    ndarray, shape (n_samples,)
        ``t / c`` during the course, ``g(t - c)`` after it.
    """
    c = course_years(draws)
    t = months_after_start / MONTHS_PER_YEAR
    horizon = settings.horizon_months / MONTHS_PER_YEAR
    after = np.maximum(t - c, 0.0)
    shape = settings.durability
    if shape == "none":
        g = np.where(t <= settings.trial_followup_months / MONTHS_PER_YEAR, 1.0, 0.0)
    elif shape == "linear":
        span = np.asarray(draws["decay_months"]) / MONTHS_PER_YEAR
        g = np.clip(1.0 - after / span, 0.0, 1.0)
    elif shape == "exponential":
        half = np.asarray(draws["half_life_months"]) / MONTHS_PER_YEAR
        g = np.exp(-np.log(2.0) * after / half)
    else:
        g = np.ones_like(c)
    frac = np.where(t < c, t / c, g) * np.ones_like(c)
    if not within_horizon:
        return frac
    return np.where(t <= horizon, frac, 0.0)


def _segment(
    level_start: FloatArray | float,
    peak: FloatArray,
    start: float,
    stop: float,
    draws: Mapping[str, FloatArray],
    settings: ModelSettings,
    shape: str,
    schedule: DiscountSchedule,
) -> tuple[FloatArray, FloatArray]:
    """One course's gain path on ``[start, stop]`` [years]: a linear ramp from ``level_start``
    to ``peak`` over the course, then the durability function from the end of the course.

    Returns the discounted integral [QALY] and the gain at ``stop`` [utility], both
    ``(n_samples,)``; the second is the starting level of a following (booster) course.
    """
    c = course_years(draws)
    end_course = start + c
    slope = (peak - level_start) / c
    total = integrate_linear(
        level_start - slope * start, slope, start, np.minimum(end_course, stop), schedule
    )
    on_ramp = level_start + slope * (stop - start)
    after = stop - end_course
    if shape == "none":
        hold_end = min(start + settings.trial_followup_months / MONTHS_PER_YEAR, stop)
        total = total + integrate_linear(peak, 0.0, end_course, hold_end, schedule)
        later = np.where(stop <= hold_end, peak, 0.0)
    elif shape == "linear":
        span = np.asarray(draws["decay_months"]) / MONTHS_PER_YEAR
        decay_end = np.minimum(end_course + span, stop)
        total = total + integrate_linear(
            peak * (1.0 + end_course / span), -peak / span, end_course, decay_end, schedule
        )
        later = peak * np.clip(1.0 - after / span, 0.0, 1.0)
    elif shape == "exponential":
        half = np.asarray(draws["half_life_months"]) / MONTHS_PER_YEAR
        kappa = np.log(2.0) / half
        total = total + integrate_exponential(peak, kappa, end_course, end_course, stop, schedule)
        later = peak * np.exp(-kappa * np.maximum(after, 0.0))
    else:
        total = total + integrate_linear(peak, 0.0, end_course, stop, schedule)
        later = peak * np.ones_like(c)
    level_end = np.where(after < 0, on_ramp, later)
    return np.asarray(total, dtype=np.float64), np.asarray(level_end, dtype=np.float64)


def qaly_gain(
    gain_post: FloatArray,
    draws: Mapping[str, FloatArray],
    settings: ModelSettings,
    schedule: DiscountSchedule,
    *,
    horizon_months: float | None = None,
    durability: str | None = None,
) -> FloatArray:
    """Discounted QALYs gained by one course, closed form, shape ``(n_samples,)`` [QALY].

    Parameters
    ----------
    gain_post : ndarray, shape (n_samples,)
        Utility gain at the end of the course [utility].
    draws : mapping
        Parameter draws (``course_weeks``, ``decay_months``, ``half_life_months``).
    settings : ModelSettings
        Horizon, durability shape and trial follow-up.
    schedule : DiscountSchedule
        Discount rates for effects.
    horizon_months, durability : optional
        Overrides (the trial-period analysis uses the trial follow-up and ``sustained``).
    """
    h_months = settings.horizon_months if horizon_months is None else horizon_months
    shape = settings.durability if durability is None else durability
    peak = np.asarray(gain_post, dtype=np.float64)
    total, _ = _segment(
        0.0, peak, 0.0, h_months / MONTHS_PER_YEAR, draws, settings, shape, schedule
    )
    return total


def boosted_qaly_gain(
    draws: Mapping[str, FloatArray],
    settings: ModelSettings,
    schedule: DiscountSchedule,
    starts_months: tuple[float, ...],
    *,
    horizon_months: float,
) -> FloatArray:
    """Discounted QALYs per unit end-of-course gain for those who take repeat courses.

    The first course runs until the first repeat starts; each repeat course ramps the gain from
    its current level back up to ``max(booster_effect_multiplier, current level)`` (a repeat
    never lowers the gain) and then decays like the first. Linear in the end-of-course gain,
    so it is computed for a unit gain, shape ``(n_samples,)`` [QALY per unit utility].
    """
    shape = settings.durability
    bounds = [0.0, *(m / MONTHS_PER_YEAR for m in starts_months), horizon_months / MONTHS_PER_YEAR]
    n = np.shape(course_years(draws))[0]
    level: FloatArray = np.zeros(n)
    total: FloatArray = np.zeros(n)
    target = np.asarray(draws["booster_effect_multiplier"], dtype=np.float64) * np.ones(n)
    for k in range(len(bounds) - 1):
        peak = np.ones(n) if k == 0 else np.maximum(target, level)
        part, level = _segment(
            level, peak, bounds[k], bounds[k + 1], draws, settings, shape, schedule
        )
        total = total + part
    return total


def booster_starts(settings: ModelSettings, horizon_months: float) -> tuple[float, ...]:
    """Start months of the repeat courses that begin before the horizon."""
    return tuple(
        k * settings.booster_interval_months
        for k in range(1, settings.booster_courses + 1)
        if k * settings.booster_interval_months < horizon_months
    )


def baseline_qalys(
    draws: Mapping[str, FloatArray], schedule: DiscountSchedule, horizon_months: float
) -> FloatArray:
    """Discounted QALYs on the service-as-usual path: constant baseline utility to the horizon."""
    return integrate_linear(
        draws["baseline_utility"], 0.0, 0.0, horizon_months / MONTHS_PER_YEAR, schedule
    )
