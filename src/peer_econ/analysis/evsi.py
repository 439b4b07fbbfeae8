"""Expected value of sample information (EVSI) and expected net benefit of sampling (ENBS).

EVSI is estimated by regression on a summary statistic of the proposed study (Strong, Oakley,
Brennan & Breeze 2015): for each PSA sample ``i`` a future data set is simulated from that
sample's parameter values and reduced to a summary statistic ``T_i``; the incremental cost and
effect of every strategy are regressed on ``T`` (same smoothers as EVPPI) and

    EVSI(w) = mean_i max_d INB_hat_d(T_i) - max_d mean_i INB_hat_d(T_i).

The study design modelled here is the PEER follow-up RCT (:class:`TwoArmUtilityTrial`): two arms
of ``n_per_arm`` people each, EQ-5D-5L measured at the end of the course (3 months) and at 12
months. Its likelihood is written out in the class docstring. The design object takes the model
quantities it needs as arrays from the caller, so it does not depend on the PEER model code.

References
----------
Strong M, Oakley JE, Brennan A, Breeze P. Estimating the expected value of sample information
using the probabilistic sensitivity analysis sample: a fast, nonparametric regression-based
method. Med Decis Making. 2015;35(5):570-583. doi:10.1177/0272989X15575286

Heath A, Manolopoulou I, Baio G. Efficient Monte Carlo estimation of the expected value of sample
information using moment matching. Med Decis Making. 2018;38(2):163-173.
doi:10.1177/0272989X17738515
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from peer_econ._rng import RandomLike, check_rng
from peer_econ.analysis import voi
from peer_econ.errors import InputError

FloatArray = NDArray[np.float64]

__all__ = [
    "EVSICurve",
    "EVSIResult",
    "TwoArmUtilityTrial",
    "enbs",
    "evsi_by_sample_size",
    "evsi_regression",
    "optimal_sample_size",
]

#: Assumed individual-level SD of EQ-5D-5L utility in people using social psychiatry services.
#: An assumption for the caller to confirm (EQ-5D-5L SDs of 0.2-0.25 are typical in
#: community mental-health samples); not taken from the PEER trial, which did not measure EQ-5D.
DEFAULT_SD_UTILITY = 0.22


@dataclass(frozen=True)
class TwoArmUtilityTrial:
    r"""A two-arm RCT of PEER vs SAU measuring EQ-5D-5L at the end of the course and later.

    Likelihood (what one simulated study reports, per PSA sample ``i``): with ``n_t`` people per
    arm observed at follow-up ``t`` (``n_t = n_per_arm * retention_t``), the observed difference
    between arms in mean EQ-5D utility at the follow-ups is

    .. math::

        T_i = (T_{i,t_1}, \dots, T_{i,t_F}) \sim \mathrm{MVN}(\mu_i, \Sigma), \quad
        \mu_{i,t} = \Delta u_i \, g_i(t), \quad
        \Sigma_{tt} = 2\sigma^2 / n_t, \quad
        \Sigma_{st} = 2\rho\sigma^2 / \max(n_s, n_t),

    where ``delta_u_post`` (:math:`\Delta u_i`) is the sample's utility gain at the end of the
    course, :math:`g_i(t)` the fraction of the gain remaining at month ``t`` under the sample's
    durability (1 at or before ``end_of_course_months``), :math:`\sigma` the individual-level SD
    of EQ-5D-5L utility (the same in both arms and at every follow-up) and :math:`\rho` the
    within-person correlation of utility between follow-ups (the people seen later are a subset
    of those seen earlier, so the covariance of two arm means is :math:`\rho\sigma^2` over the
    larger group). The default design is the brief's: ``followup_months = (3, 12)``, so
    :math:`T_{i,3} \sim N(\Delta u_i, 2\sigma^2/n)` and
    :math:`T_{i,12} \sim N(\Delta u_i\, g_i(12), 2\sigma^2/n_{12})`.

    Parameters
    ----------
    n_per_arm : int
        Participants randomised per arm, >= 2.
    sd_individual_utility : float, default 0.22
        Individual-level SD of EQ-5D-5L utility :math:`\sigma` [utility]; an **assumption**
        (:data:`DEFAULT_SD_UTILITY`).
    followup_months : tuple of float, default (3, 12)
        Follow-up times [months], increasing.
    end_of_course_months : float, default 3
        Time of the end-of-course measurement [months]; follow-ups at or before it use
        ``delta_u_post`` alone.
    within_person_correlation : float, default 0.5
        :math:`\rho` in [0, 1), an assumption.
    retention : tuple of float, optional
        Fraction of randomised people observed at each follow-up (default all 1), non-increasing.

    Notes
    -----
    :meth:`simulate` needs, in ``draws``: ``"delta_u_post"`` ``(n_samples,)`` [utility] and, for
    each follow-up month ``m`` after the end of the course, ``f"remaining_fraction_{m:g}m"``
    ``(n_samples,)`` in [0, 1], e.g. ``"remaining_fraction_12m"``.
    """

    n_per_arm: int
    sd_individual_utility: float = DEFAULT_SD_UTILITY
    followup_months: tuple[float, ...] = (3.0, 12.0)
    end_of_course_months: float = 3.0
    within_person_correlation: float = 0.5
    retention: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if int(self.n_per_arm) != self.n_per_arm or self.n_per_arm < 2:
            raise InputError(f"n_per_arm = {self.n_per_arm}; use a whole number >= 2")
        if not (np.isfinite(self.sd_individual_utility) and self.sd_individual_utility > 0):
            raise InputError(
                f"sd_individual_utility = {self.sd_individual_utility}; use a number > 0"
            )
        months = tuple(float(m) for m in self.followup_months)
        if not months or any(b <= a for a, b in zip(months, months[1:], strict=False)):
            raise InputError(f"followup_months = {self.followup_months}; give increasing times")
        object.__setattr__(self, "followup_months", months)
        if not 0.0 <= self.within_person_correlation < 1.0:
            raise InputError(
                f"within_person_correlation = {self.within_person_correlation}; use [0, 1)"
            )
        if self.retention is not None:
            ret = tuple(float(r) for r in self.retention)
            if len(ret) != len(months):
                raise InputError(f"retention has {len(ret)} values for {len(months)} follow-ups")
            if any(not 0.0 < r <= 1.0 for r in ret) or any(
                b > a for a, b in zip(ret, ret[1:], strict=False)
            ):
                raise InputError(
                    f"retention = {self.retention}; use non-increasing values in (0, 1]"
                )
            object.__setattr__(self, "retention", ret)

    @property
    def statistic_names(self) -> tuple[str, ...]:
        """Names of the summary statistics, e.g. ``("mean_diff_3m", "mean_diff_12m")``."""
        return tuple(f"mean_diff_{m:g}m" for m in self.followup_months)

    @property
    def required_draws(self) -> tuple[str, ...]:
        """Keys :meth:`simulate` reads from ``draws``."""
        keys = ["delta_u_post"]
        keys += [
            f"remaining_fraction_{m:g}m"
            for m in self.followup_months
            if m > self.end_of_course_months
        ]
        return tuple(keys)

    @property
    def n_participants(self) -> int:
        """Total number randomised, ``2 * n_per_arm``."""
        return 2 * int(self.n_per_arm)

    def with_n(self, n_per_arm: int) -> TwoArmUtilityTrial:
        """The same design with another sample size per arm."""
        return replace(self, n_per_arm=n_per_arm)

    def covariance(self) -> FloatArray:
        """Sampling covariance :math:`\\Sigma` of the statistics, shape (F, F) for F follow-ups."""
        ret = (
            np.ones(len(self.followup_months))
            if self.retention is None
            else np.array(self.retention)
        )
        n_t = self.n_per_arm * ret
        s2 = self.sd_individual_utility**2
        big = np.maximum.outer(n_t, n_t)
        cov = 2.0 * self.within_person_correlation * s2 / big
        np.fill_diagonal(cov, 2.0 * s2 / n_t)
        return cov

    def expected_statistics(self, draws: Mapping[str, ArrayLike]) -> FloatArray:
        """Mean of the statistics given each sample's parameters, :math:`\\mu_i`, (n_samples, F).

        Raises
        ------
        InputError
            A required key is missing or arrays have different lengths / bad values.
        """
        missing = [k for k in self.required_draws if k not in draws]
        if missing:
            raise InputError(f"study simulation needs draws {missing}; got keys {sorted(draws)}")
        du = np.asarray(draws["delta_u_post"], dtype=np.float64)
        if du.ndim != 1 or not np.all(np.isfinite(du)):
            raise InputError("delta_u_post must be a finite 1-D array (n_samples,)")
        cols = []
        for m in self.followup_months:
            if m <= self.end_of_course_months:
                cols.append(du)
                continue
            key = f"remaining_fraction_{m:g}m"
            g = np.asarray(draws[key], dtype=np.float64)
            if g.shape != du.shape:
                raise InputError(f"{key} has shape {g.shape}; delta_u_post has {du.shape}")
            if not np.all(np.isfinite(g)) or np.any((g < 0.0) | (g > 1.0)):
                raise InputError(f"{key} must lie in [0, 1]")
            cols.append(du * g)
        return np.column_stack(cols)

    def simulate(
        self,
        draws: Mapping[str, ArrayLike],
        rng: RandomLike = None,
        *,
        standard_normals: FloatArray | None = None,
    ) -> FloatArray:
        """Simulate one study per PSA sample and return its summary statistics.

        Parameters
        ----------
        draws : mapping name -> ndarray (n_samples,)
            See the class notes for the required keys.
        rng : numpy.random.Generator, int or None
        standard_normals : ndarray, shape (n_samples, F), optional
            Use these N(0, 1) variates instead of drawing (common random numbers across designs).

        Returns
        -------
        ndarray, shape (n_samples, F)
            Observed arm differences in mean EQ-5D utility at each follow-up [utility].
        """
        mu = self.expected_statistics(draws)
        if standard_normals is None:
            standard_normals = check_rng(rng).standard_normal(mu.shape)
        elif standard_normals.shape != mu.shape:
            raise InputError(
                f"standard_normals has shape {standard_normals.shape}; expected {mu.shape}"
            )
        chol = np.linalg.cholesky(self.covariance())
        return mu + standard_normals @ chol.T


@dataclass(frozen=True)
class EVSIResult:
    """Per-person EVSI of one study design over a WTP grid.

    Attributes
    ----------
    statistics : tuple of str
        Names of the summary statistics regressed on.
    wtp : ndarray, shape (n_wtp,)
        [currency per QALY]
    evsi : ndarray, shape (n_wtp,)
        Per-person EVSI [currency], clipped to ``[0, evpi]``.
    se : ndarray, shape (n_wtp,) or None
        Regression standard error (``se=True``).
    evpi : ndarray, shape (n_wtp,)
        Per-person EVPI from the same PSA [currency].
    method : str
        Smoother used.
    raw : ndarray, shape (n_wtp,)
        Estimate before clipping.
    diagnostics : tuple of FitDiagnostic
    """

    statistics: tuple[str, ...]
    wtp: FloatArray
    evsi: FloatArray
    se: FloatArray | None
    evpi: FloatArray
    method: str
    raw: FloatArray
    diagnostics: tuple[voi.FitDiagnostic, ...] = field(default=())


def evsi_regression(
    cost: ArrayLike,
    effect: ArrayLike,
    summary_statistics: ArrayLike | pd.DataFrame,
    wtp: ArrayLike,
    *,
    statistic_names: Sequence[str] | None = None,
    method: str = "auto",
    strategies: Sequence[str] | None = None,
    reference: int | str | None = None,
    se: bool = False,
    n_se_draws: int = 500,
    smoothing_criterion: str = "gcv",
    rng: RandomLike = None,
) -> EVSIResult:
    """Per-person EVSI by regression on simulated summary statistics (Strong et al. 2015).

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        PSA costs [currency] and effects [QALY].
    summary_statistics : array_like, shape (n_samples, m), or DataFrame
        Row ``i``: the statistic(s) of a study simulated from PSA sample ``i``'s parameters.
    wtp : float or array_like, shape (n_wtp,)
        [currency per QALY]
    statistic_names : sequence of str, optional
    method, strategies, reference, se, n_se_draws, smoothing_criterion, rng
        As in :func:`peer_econ.analysis.voi.evppi`.

    Returns
    -------
    EVSIResult

    Raises
    ------
    InputError
        Row-count mismatch, non-finite values, unknown method, too many regression terms.

    References
    ----------
    Strong M, Oakley JE, Brennan A, Breeze P. Med Decis Making. 2015;35(5):570-583.
    doi:10.1177/0272989X15575286
    """
    res = voi.evppi(
        cost,
        effect,
        summary_statistics,
        wtp,
        method=method,
        strategies=strategies,
        reference=reference,
        se=se,
        n_se_draws=n_se_draws,
        smoothing_criterion=smoothing_criterion,
        parameter_names=statistic_names,
        rng=rng,
    )
    return EVSIResult(
        res.parameters, res.wtp, res.evppi, res.se, res.evpi, res.method, res.raw, res.diagnostics
    )


@dataclass(frozen=True)
class EVSICurve:
    """Per-person EVSI over a grid of sample sizes and WTP values.

    Attributes
    ----------
    n_per_arm : ndarray, shape (n_sizes,)
    wtp : ndarray, shape (n_wtp,)
        [currency per QALY]
    evsi : ndarray, shape (n_sizes, n_wtp)
        Per-person EVSI [currency].
    evpi : ndarray, shape (n_wtp,)
        Per-person EVPI [currency].
    method : str
    """

    n_per_arm: FloatArray
    wtp: FloatArray
    evsi: FloatArray
    evpi: FloatArray
    method: str

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: ``n_per_arm, wtp, evsi, evpi``."""
        nn, ww = np.meshgrid(self.n_per_arm, self.wtp, indexing="ij")
        return pd.DataFrame(
            {
                "n_per_arm": nn.ravel().astype(int),
                "wtp": ww.ravel(),
                "evsi": self.evsi.ravel(),
                "evpi": np.broadcast_to(self.evpi, self.evsi.shape).ravel(),
            }
        )


def evsi_by_sample_size(
    cost: ArrayLike,
    effect: ArrayLike,
    draws: Mapping[str, ArrayLike],
    design: TwoArmUtilityTrial,
    n_per_arm: Sequence[int] | ArrayLike,
    wtp: ArrayLike,
    *,
    method: str = "auto",
    smoothing_criterion: str = "gcv",
    rng: RandomLike = None,
) -> EVSICurve:
    """EVSI of ``design`` for each sample size per arm, with common random numbers.

    The same standard-normal variates are used for every ``n``, so the simulated statistics are
    ``mu_i + L(n) z_i`` and EVSI varies smoothly with ``n`` (differences between sample sizes
    are not swamped by simulation noise).

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        PSA costs [currency] and effects [QALY].
    draws : mapping name -> ndarray (n_samples,)
        Model quantities the design needs (``design.required_draws``), from the same PSA rows.
    design : TwoArmUtilityTrial
        Template design; only ``n_per_arm`` is varied.
    n_per_arm : sequence of int, shape (n_sizes,)
    wtp : float or array_like, shape (n_wtp,)
    method, smoothing_criterion
        As in :func:`evsi_regression`.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    EVSICurve
    """
    sizes = np.atleast_1d(np.asarray(n_per_arm))
    if sizes.ndim != 1 or sizes.size == 0:
        raise InputError("n_per_arm must be a non-empty 1-D grid of whole numbers >= 2")
    gen = check_rng(rng)
    mu = design.expected_statistics(draws)
    z = gen.standard_normal(mu.shape)
    rows = []
    evpi_v: FloatArray | None = None
    used = method
    for n in sizes:
        t = design.with_n(int(n)).simulate(draws, standard_normals=z)
        res = evsi_regression(
            cost,
            effect,
            t,
            wtp,
            statistic_names=design.statistic_names,
            method=method,
            smoothing_criterion=smoothing_criterion,
        )
        rows.append(res.evsi)
        evpi_v = res.evpi
        used = res.method
    if evpi_v is None:  # pragma: no cover - sizes is non-empty (checked above)
        raise InputError("n_per_arm must not be empty")
    return EVSICurve(
        voi._frozen(sizes.astype(np.float64)),
        voi._frozen(voi._as_wtp(wtp)),
        voi._frozen(np.vstack(rows)),
        voi._frozen(evpi_v),
        used,
    )


def enbs(
    evsi_population: ArrayLike,
    fixed_cost: float,
    cost_per_participant: float,
    n_per_arm: ArrayLike,
) -> FloatArray:
    """Expected net benefit of sampling, ``population EVSI - (fixed + 2 n c)``.

    Parameters
    ----------
    evsi_population : array_like, shape (n_sizes,) or (n_sizes, n_wtp)
        Population EVSI [currency] for each sample size (see
        :func:`peer_econ.analysis.voi.population_value`).
    fixed_cost : float
        Fixed cost of the study [currency], >= 0.
    cost_per_participant : float
        Marginal cost per randomised participant [currency], >= 0.
    n_per_arm : array_like, shape (n_sizes,)
        Participants per arm (two arms).

    Returns
    -------
    ndarray, same shape as ``evsi_population``
        ENBS [currency].
    """
    ev = np.asarray(evsi_population, dtype=np.float64)
    n = np.asarray(n_per_arm, dtype=np.float64)
    if fixed_cost < 0 or cost_per_participant < 0:
        raise InputError("study costs must be >= 0")
    if n.ndim != 1 or ev.shape[0] != n.size:
        raise InputError(
            f"evsi_population has {ev.shape[0] if ev.ndim else 0} rows for {n.size} sample sizes"
        )
    cost = fixed_cost + 2.0 * n * cost_per_participant
    return ev - (cost[:, None] if ev.ndim == 2 else cost)


def optimal_sample_size(
    n_per_arm: ArrayLike, enbs_values: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Sample size per arm with the largest ENBS, for each WTP.

    Parameters
    ----------
    n_per_arm : array_like, shape (n_sizes,)
    enbs_values : array_like, shape (n_sizes,) or (n_sizes, n_wtp)
        ENBS [currency] from :func:`enbs`.

    Returns
    -------
    n_optimal : ndarray, shape (n_wtp,) (or scalar array)
        ``0`` where no sample size has a positive ENBS (do not run the study).
    enbs_optimal : ndarray, shape (n_wtp,)
        The largest ENBS [currency], 0 where the study is not worth running.
    """
    n = np.asarray(n_per_arm, dtype=np.float64)
    e = np.asarray(enbs_values, dtype=np.float64)
    if e.shape[0] != n.size:
        raise InputError(f"enbs_values has {e.shape[0]} rows for {n.size} sample sizes")
    idx = np.argmax(e, axis=0)
    best = np.take_along_axis(e, np.expand_dims(idx, 0), axis=0)[0] if e.ndim == 2 else e[idx]
    n_opt = np.where(best > 0.0, n[idx], 0.0)
    return n_opt, np.maximum(best, 0.0)
