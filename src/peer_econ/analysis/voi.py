"""Value of information: EVPI, EVPPI (regression and nested Monte Carlo), rankings, population VOI.

All functions take PSA output ``cost`` and ``effect`` of shape ``(n_samples, n_strategies)`` in
currency [e.g. DKK] and health units [QALY], a willingness-to-pay grid ``wtp`` [currency per
QALY] and, for EVPPI, the parameter draws that produced the PSA, row ``i`` of the draws giving row
``i`` of the outcomes.

Regression EVPPI (Strong, Oakley & Brennan 2014)
------------------------------------------------
A reference strategy ``r`` is chosen (default: the strategy with the lowest mean cost, so results
do not depend on the order of the strategy columns). For every other strategy ``d`` the
incremental cost ``dC_d = C_d - C_r`` and incremental effect ``dE_d = E_d - E_r`` are regressed
*once* on the parameters of interest ``phi``, giving ``g_d(phi) ~ E[dC_d | phi]`` and
``h_d(phi) ~ E[dE_d | phi]``. For each WTP ``w`` the fitted incremental net benefit is
``INB_d = w h_d - g_d`` (``INB_r = 0``) and

    EVPPI(w) = mean_i max_d INB_{i,d} - max_d mean_i INB_{i,d}.

The smoothers are linear in the response, so a fine WTP grid costs one max-and-mean per WTP value.
The estimate is kept in ``[0, EVPI(w)]`` (EVPI from the same PSA); an
:class:`~peer_econ.errors.EstimationWarning` says when the raw estimate fell outside.

Smoothers (``method``): ``"spline"`` (one parameter: penalised cubic regression spline, 6 knots at
quantiles, GCV or REML; several parameters: additive splines + pairwise linear interactions),
``"tensor"`` (tensor-product cubic regression splines, at most 4 parameters), ``"additive"``,
``"poly"`` (full polynomial with interactions, OLS) and ``"gp"`` (a Gaussian process fitted on a
random subsample of ``gp_subsample`` rows, see :func:`smoothing.gp_fit`). ``"auto"`` picks
``spline`` for one parameter, ``tensor`` for 2-3 and ``additive`` for more.

Standard error (``se=True``): coefficients are drawn from their approximate Bayesian posterior,
``beta ~ N(beta_hat, sigma^2 (X'X + lambda S)^-1)``, with draws of the cost and effect fits
correlated as their residuals are, and EVPPI is recomputed for each draw (Strong et al. 2014,
section "Estimating the upper bound of the standard error"); ``se`` is the standard deviation over
draws. It measures regression (fitting) uncertainty only, not the bias of the smoother.

Performance: one parameter, 10,000 samples x 3 strategies, 15 WTP values takes about 4 ms; 30
parameters at 100 WTP values about 0.15 s; a 3-parameter tensor group about 35 ms (single-threaded
BLAS, see ``benchmarks/bench_voi.py``). The matrices are tall and thin, so BLAS threads gain
little; on a busy shared machine multi-threaded OpenBLAS can be many times slower, and callers
running many fits may set ``OPENBLAS_NUM_THREADS=1``.

References
----------
Strong M, Oakley JE, Brennan A. Estimating multiparameter partial expected value of perfect
information from a probabilistic sensitivity analysis sample: a nonparametric regression approach.
Med Decis Making. 2014;34(3):311-326. doi:10.1177/0272989X13505910

Brennan A, Kharroubi S, O'Hagan A, Chilcott J. Calculating partial expected value of perfect
information via Monte Carlo sampling algorithms. Med Decis Making. 2007;27(4):448-470.
doi:10.1177/0272989X07302555
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from peer_econ._rng import RandomLike, check_rng
from peer_econ.analysis import smoothing
from peer_econ.errors import EstimationWarning, InputError, InputWarning

FloatArray = NDArray[np.float64]

METHODS = ("auto", "spline", "tensor", "additive", "poly", "gp")

__all__ = [
    "EVPPIResult",
    "EVPPIResults",
    "FitDiagnostic",
    "METHODS",
    "evppi",
    "evppi_curves",
    "evppi_nested",
    "evppi_ranking",
    "population_multiplier",
    "population_value",
]


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------


def _frozen(a: ArrayLike) -> FloatArray:
    arr = np.array(a, dtype=np.float64, copy=True)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True)
class FitDiagnostic:
    """Goodness of fit of one regression of an incremental outcome on the parameters.

    Attributes
    ----------
    response : str
        E.g. ``"cost[B] - cost[A]"`` (strategy B minus reference A).
    edf : float
        Effective degrees of freedom of the fit (trace of the smoother matrix).
    r_squared : float
        Share of the response variance explained by the fit, in [0, 1].
    smoothing : float
        Selected smoothing parameter (0 when unpenalised).
    n_terms : int
        Number of regression terms (basis functions).
    """

    response: str
    edf: float
    r_squared: float
    smoothing: float
    n_terms: int


@dataclass(frozen=True)
class EVPPIResult:
    """EVPPI of one parameter or one group of parameters over a WTP grid.

    Attributes
    ----------
    name : str
        Label (the parameter name, or the group name).
    parameters : tuple of str
        Parameters in the group.
    wtp : ndarray, shape (n_wtp,)
        Willingness to pay [currency per QALY].
    evppi : ndarray, shape (n_wtp,)
        Per-person EVPPI [currency], clipped to ``[0, evpi]``.
    se : ndarray, shape (n_wtp,) or None
        Standard error of ``evppi`` from the regression-coefficient posterior (``se=True``);
        for ``method="nested"`` the outer-loop Monte Carlo standard error.
    evpi : ndarray, shape (n_wtp,)
        Per-person EVPI [currency] from the same PSA.
    method : str
        Smoother used (``"spline"``, ``"tensor"``, ``"additive"``, ``"poly"``, ``"gp"``,
        ``"nested"`` or ``"constant"``).
    raw : ndarray, shape (n_wtp,)
        Estimate before clipping.
    diagnostics : tuple of FitDiagnostic
        One per regression fitted (incremental cost and effect of each non-reference strategy).
    """

    name: str
    parameters: tuple[str, ...]
    wtp: FloatArray
    evppi: FloatArray
    se: FloatArray | None
    evpi: FloatArray
    method: str
    raw: FloatArray
    diagnostics: tuple[FitDiagnostic, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """Tidy table with columns ``name, parameters, wtp, evppi, se, evpi, method``."""
        n = self.wtp.size
        return pd.DataFrame(
            {
                "name": [self.name] * n,
                "parameters": [", ".join(self.parameters)] * n,
                "wtp": self.wtp,
                "evppi": self.evppi,
                "se": self.se if self.se is not None else np.full(n, np.nan),
                "evpi": self.evpi,
                "method": [self.method] * n,
            }
        )

    def diagnostics_frame(self) -> pd.DataFrame:
        """One row per fitted regression: ``response, edf, r_squared, smoothing, n_terms``."""
        return pd.DataFrame(
            [vars(d) for d in self.diagnostics],
            columns=["response", "edf", "r_squared", "smoothing", "n_terms"],
        )


@dataclass(frozen=True)
class EVPPIResults:
    """EVPPI of several parameters or groups (the result of ``evppi(..., groups=...)``).

    Attributes
    ----------
    results : tuple of EVPPIResult
        In the order the groups were given.
    """

    results: tuple[EVPPIResult, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Group labels."""
        return tuple(r.name for r in self.results)

    def __getitem__(self, name: str) -> EVPPIResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def __len__(self) -> int:
        return len(self.results)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table of every group (see :meth:`EVPPIResult.to_frame`)."""
        return pd.concat([r.to_frame() for r in self.results], ignore_index=True)


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------


def _as_outcomes(cost: ArrayLike, effect: ArrayLike) -> tuple[FloatArray, FloatArray]:
    c = np.asarray(cost, dtype=np.float64)
    e = np.asarray(effect, dtype=np.float64)
    if c.ndim == 1:
        c = c[:, None]
    if e.ndim == 1:
        e = e[:, None]
    if c.ndim != 2 or e.ndim != 2:
        raise InputError(
            f"cost and effect must be 2-D (n_samples, n_strategies); got shapes {c.shape} "
            f"and {e.shape}"
        )
    if c.shape != e.shape:
        raise InputError(f"cost has shape {c.shape} but effect has shape {e.shape}")
    if c.shape[0] < 2:
        raise InputError(f"PSA has {c.shape[0]} sample; value of information needs at least 2")
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(e))):
        raise InputError("cost or effect contains NaN or infinite values")
    return c, e


def _as_wtp(wtp: ArrayLike) -> FloatArray:
    w = np.atleast_1d(np.asarray(wtp, dtype=np.float64))
    if w.ndim != 1 or w.size == 0:
        raise InputError(f"wtp must be a number or a 1-D grid; got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise InputError("wtp contains NaN or infinite values")
    return w


ParameterLike = pd.DataFrame | Mapping[str, ArrayLike] | ArrayLike


def _as_parameters(
    parameters: ParameterLike, n_samples: int, parameter_names: Sequence[str] | None
) -> tuple[FloatArray, tuple[str, ...]]:
    if isinstance(parameters, pd.DataFrame):
        names = tuple(str(c) for c in parameters.columns)
        try:
            x = parameters.to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"parameters contain non-numeric values ({exc})") from None
    elif isinstance(parameters, Mapping):
        names = tuple(str(k) for k in parameters)
        cols = [np.asarray(v, dtype=np.float64) for v in parameters.values()]
        for name, col in zip(names, cols, strict=True):
            if col.shape != (n_samples,):
                raise InputError(
                    f"parameter '{name}' has shape {col.shape}; the PSA has {n_samples} samples"
                )
        x = np.column_stack(cols) if cols else np.empty((n_samples, 0))
    else:
        x = np.asarray(parameters, dtype=np.float64)
        if x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2:
            raise InputError(f"parameters must be 2-D (n_samples, n_parameters); got {x.shape}")
        if parameter_names is None:
            names = tuple(f"p{j}" for j in range(x.shape[1]))
        else:
            names = tuple(str(s) for s in parameter_names)
            if len(names) != x.shape[1]:
                raise InputError(f"{len(names)} parameter names for {x.shape[1]} parameter columns")
    if x.shape[0] != n_samples:
        raise InputError(
            f"parameters have {x.shape[0]} rows but the PSA has {n_samples} samples; "
            "row i of the draws must give row i of cost and effect"
        )
    if len(set(names)) != len(names):
        dup = sorted({s for s in names if names.count(s) > 1})
        raise InputError(f"duplicate parameter names: {dup}")
    if not np.all(np.isfinite(x)):
        bad = [names[j] for j in range(x.shape[1]) if not np.all(np.isfinite(x[:, j]))]
        raise InputError(f"parameters contain NaN or infinite values: {bad}")
    return x, names


def _as_groups(
    groups: Mapping[str, Sequence[str]] | Sequence[Sequence[str] | str] | None,
    names: tuple[str, ...],
) -> list[tuple[str, tuple[str, ...]]]:
    if groups is None:
        return [(" + ".join(names), names)]
    if isinstance(groups, Mapping):
        items = [(str(k), tuple(v) if not isinstance(v, str) else (v,)) for k, v in groups.items()]
    else:
        items = []
        for g in groups:
            cols = (g,) if isinstance(g, str) else tuple(g)
            items.append((" + ".join(cols), cols))
    known = set(names)
    out = []
    for label, cols in items:
        if not cols:
            raise InputError(f"group '{label}' has no parameters")
        unknown = [c for c in cols if c not in known]
        if unknown:
            shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
            raise InputError(
                f"group '{label}': unknown parameter(s) {unknown}; known parameters: {shown}"
            )
        out.append((label, tuple(dict.fromkeys(cols))))
    return out


def _strategy_names(strategies: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if strategies is None:
        return tuple(f"s{j}" for j in range(k))
    names = tuple(str(s) for s in strategies)
    if len(names) != k:
        raise InputError(f"{len(names)} strategy names for {k} strategies (columns of cost)")
    return names


def _reference(
    c: FloatArray, e: FloatArray, reference: int | str | None, names: tuple[str, ...]
) -> int:
    if reference is None:
        mc = c.mean(axis=0)
        me = e.mean(axis=0)
        order = np.lexsort((me, mc))  # lowest mean cost, ties: lowest mean effect
        return int(order[0])
    if isinstance(reference, str):
        if reference not in names:
            raise InputError(f"reference strategy '{reference}' is not one of {list(names)}")
        return names.index(reference)
    if not 0 <= int(reference) < c.shape[1]:
        raise InputError(f"reference strategy index {reference} is outside 0..{c.shape[1] - 1}")
    return int(reference)


# --------------------------------------------------------------------------------------------
# the max-mean kernel and EVPI on increments
# --------------------------------------------------------------------------------------------


def _mean_max_inb(g: FloatArray, h: FloatArray, wtp: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``mean_i max(0, max_d INB)`` and ``max(0, max_d mean_i INB)`` for each WTP.

    ``g`` and ``h`` are the (fitted) incremental cost and effect, shape ``(n, k - 1)``.
    """
    n, km1 = g.shape
    w_n = wtp.size
    mean_max = np.empty(w_n)
    if km1 == 0:
        return np.zeros(w_n), np.zeros(w_n)
    gm = g.mean(axis=0)
    hm = h.mean(axis=0)
    max_mean = np.maximum(0.0, np.max(wtp[:, None] * hm[None, :] - gm[None, :], axis=1))
    # blocks of samples small enough to stay in cache: (wtp block) x (sample block) <= 32k floats
    w_step = min(w_n, 256)
    n_step = max(256, 32_768 // w_step)
    total = np.zeros(w_n)
    for a in range(0, w_n, w_step):
        w = wtp[a : a + w_step]
        best = np.empty((w.size, min(n_step, n)))
        tmp = np.empty_like(best)
        for b in range(0, n, n_step):
            e = min(n, b + n_step)
            bb = best[:, : e - b]
            tt = tmp[:, : e - b]
            np.multiply.outer(w, h[b:e, 0], out=bb)
            bb -= g[b:e, 0]
            np.maximum(bb, 0.0, out=bb)
            for d in range(1, km1):
                np.multiply.outer(w, h[b:e, d], out=tt)
                tt -= g[b:e, d]
                np.maximum(bb, tt, out=bb)
            total[a : a + w_step] += bb.sum(axis=1)
    mean_max[:] = total / n
    return mean_max, max_mean


def _evpi(g: FloatArray, h: FloatArray, wtp: FloatArray) -> FloatArray:
    """Per-person EVPI from incremental outcomes over a reference strategy.

    ``g`` and ``h`` are incremental cost and effect, shape ``(n_samples, n_strategies - 1)``;
    returns ``mean_i max(0, max_d INB) - max(0, max_d mean_i INB)``, shape ``(n_wtp,)``
    [currency], >= 0. The public EVPI of a PSA is :func:`peer_econ.analysis.cea.evpi`.
    """
    mean_max, max_mean = _mean_max_inb(g, h, wtp)
    return np.maximum(mean_max - max_mean, 0.0)


# --------------------------------------------------------------------------------------------
# regression EVPPI
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    c: FloatArray
    wtp: FloatArray
    x: FloatArray
    names: tuple[str, ...]
    y: FloatArray  # (n, 2 (k-1)): dC then dE
    labels: tuple[str, ...]
    evpi: FloatArray


def _prepare(
    cost: ArrayLike,
    effect: ArrayLike,
    parameters: ParameterLike,
    wtp: ArrayLike,
    strategies: Sequence[str] | None,
    reference: int | str | None,
    parameter_names: Sequence[str] | None,
) -> _Prepared:
    c, e = _as_outcomes(cost, effect)
    w = _as_wtp(wtp)
    x, names = _as_parameters(parameters, c.shape[0], parameter_names)
    if not names:
        raise InputError("parameters has no columns")
    snames = _strategy_names(strategies, c.shape[1])
    ref = _reference(c, e, reference, snames)
    others = [j for j in range(c.shape[1]) if j != ref]
    dc = c[:, others] - c[:, [ref]]
    de = e[:, others] - e[:, [ref]]
    y = np.hstack([dc, de])
    labels = tuple(f"cost[{snames[j]}] - cost[{snames[ref]}]" for j in others) + tuple(
        f"effect[{snames[j]}] - effect[{snames[ref]}]" for j in others
    )
    return _Prepared(c, w, x, names, y, labels, _evpi(dc, de, w))


def _resolve_method(method: str, d: int) -> str:
    if method not in METHODS:
        raise InputError(f"unknown EVPPI method '{method}'; choose one of {list(METHODS)}")
    if method == "auto":
        return "spline" if d == 1 else ("tensor" if d <= 3 else "additive")
    if method == "tensor" and d > 4:
        raise InputError(
            f"tensor-product smoother takes at most 4 parameters, got {d}; "
            "use method='additive' or 'gp'"
        )
    if method == "spline" and d > 1:
        return "additive"
    return method


def _design(
    method: str, x: FloatArray, degree: int, k: int | None
) -> tuple[FloatArray, list[FloatArray]]:
    """Design matrix and penalty matrices of a linear smoother: ``method`` is ``"spline"``,
    ``"tensor"``, ``"additive"`` or ``"poly"`` (:func:`_resolve_method` rejects other names)."""
    if method == "spline":
        return smoothing.spline_design(x[:, 0], 6 if k is None else k)
    if method == "tensor":
        return smoothing.tensor_design(x, k)
    if method == "additive":
        return smoothing.additive_design(x, 5 if k is None else k)
    n_terms = smoothing.n_poly_terms(x.shape[1], degree)
    if n_terms >= x.shape[0]:
        raise InputError(
            f"polynomial of degree {degree} in {x.shape[1]} parameters has {n_terms} terms "
            f"but only {x.shape[0]} samples; lower the degree or use more samples"
        )
    return smoothing.poly_design(x, degree)


def _fit(
    method: str,
    x: FloatArray,
    y: FloatArray,
    *,
    criterion: str,
    degree: int,
    k: int | None,
    posterior: bool,
    gp_subsample: int,
    rng: np.random.Generator,
) -> smoothing.PenalizedFit:
    if method == "gp":
        return smoothing.gp_fit(x, y, n_subsample=gp_subsample, rng=rng, posterior=posterior)
    xd, pens = _design(method, x, degree, k)
    return smoothing.penalized_fit(xd, pens, y, criterion=criterion, posterior=posterior)


def _se_from_posterior(
    fit: smoothing.PenalizedFit,
    wtp: FloatArray,
    km1: int,
    n_draws: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray]:
    """EVPPI for posterior draws of the coefficients; returns (se, draws (n_draws, n_wtp))."""
    p = fit.q.shape[1]
    m = fit.coef.shape[1]
    chol = np.linalg.cholesky(fit.residual_corr + 1e-12 * np.eye(m))
    out = np.empty((n_draws, wtp.size))
    block = max(1, int(2_000_000 // max(1, fit.q.shape[0] * m)))
    for a in range(0, n_draws, block):
        b = min(n_draws, a + block)
        xi = rng.standard_normal((b - a, p, m)) @ chol.T  # (s, p, m)
        coef = fit.coef[None] + np.einsum("rpq,sqr->spr", fit.coef_sqrt_cov, xi)
        fitted = np.einsum("np,spm->snm", fit.q, coef, optimize=True)
        for s in range(b - a):
            mm, mx = _mean_max_inb(fitted[s, :, :km1], fitted[s, :, km1:], wtp)
            out[a + s] = mm - mx
    return out.std(axis=0, ddof=1), out


def _clip(raw: FloatArray, evpi_values: FloatArray, label: str) -> FloatArray:
    tol = 1e-6 * np.maximum(np.abs(evpi_values), 1e-9)
    low = raw < -tol
    high = raw > evpi_values + tol
    if np.any(low) or np.any(high):
        parts = []
        if np.any(low):
            parts.append(f"below 0 at {int(low.sum())} WTP value(s)")
        if np.any(high):
            parts.append(f"above EVPI at {int(high.sum())} WTP value(s)")
        warnings.warn(
            f"EVPPI of '{label}' was {' and '.join(parts)}; clipped to [0, EVPI] "
            "(the regression over- or under-fits; check the fit diagnostics)",
            EstimationWarning,
            stacklevel=4,
        )
    return np.clip(raw, 0.0, np.maximum(evpi_values, 0.0))


@dataclass(frozen=True)
class _FitOptions:
    """How each group's incremental outcomes are regressed (arguments of :func:`evppi`)."""

    method: str
    criterion: str = "gcv"
    degree: int = 3
    k: int | None = None
    se: bool = False
    n_se_draws: int = 500
    gp_subsample: int = 500

    def __post_init__(self) -> None:
        if self.criterion not in smoothing.CRITERIA:
            raise InputError(
                f"unknown smoothing criterion '{self.criterion}'; choose one of "
                f"{list(smoothing.CRITERIA)}"
            )
        if self.n_se_draws < 2:
            raise InputError(f"n_se_draws = {self.n_se_draws}; use at least 2")


def _varying_columns(prep: _Prepared, cols: tuple[str, ...], warn_constant: bool) -> FloatArray:
    """The group's parameter draws without constant columns ``(n_samples, d)``, warning about
    the constant ones when asked."""
    x = prep.x[:, [prep.names.index(cname) for cname in cols]]
    varying = [j for j in range(x.shape[1]) if np.ptp(x[:, j]) > 0.0]
    constant = [cols[j] for j in range(len(cols)) if j not in varying]
    if constant and warn_constant:
        warnings.warn(
            f"parameter(s) {constant} are constant in the PSA; their EVPPI is 0"
            + (" and they are left out of the group" if varying else ""),
            InputWarning,
            stacklevel=4,
        )
    return x[:, varying]


def _diagnostics(fit: smoothing.PenalizedFit, labels: tuple[str, ...]) -> tuple[FitDiagnostic, ...]:
    """Goodness of fit of each regression (one per incremental outcome)."""
    return tuple(
        FitDiagnostic(
            lab,
            float(fit.edf[r]),
            float(np.clip(fit.r_squared[r], 0.0, 1.0)),
            float(fit.smoothing[r]),
            int(fit.n_terms),
        )
        for r, lab in enumerate(labels)
    )


def _evppi_group(
    prep: _Prepared,
    label: str,
    cols: tuple[str, ...],
    options: _FitOptions,
    rng: np.random.Generator,
    *,
    warn_constant: bool = True,
) -> EVPPIResult:
    """EVPPI of one group: regress the increments on its varying parameters, take the expected
    maximum of the fitted net benefits, clip to ``[0, EVPI]`` (zero for a constant group)."""
    x = _varying_columns(prep, cols, warn_constant)
    km1 = prep.c.shape[1] - 1
    if x.shape[1] == 0 or km1 == 0:
        zeros = _frozen(np.zeros(prep.wtp.size))
        return EVPPIResult(
            label, cols, _frozen(prep.wtp), zeros, zeros if options.se else None,
            _frozen(prep.evpi), "constant", zeros, (),
        )  # fmt: skip
    used = _resolve_method(options.method, x.shape[1])
    fit = _fit(
        used,
        x,
        prep.y,
        criterion=options.criterion,
        degree=options.degree,
        k=options.k,
        posterior=options.se,
        gp_subsample=options.gp_subsample,
        rng=rng,
    )
    mean_max, max_mean = _mean_max_inb(fit.fitted[:, :km1], fit.fitted[:, km1:], prep.wtp)
    raw = mean_max - max_mean
    value = _clip(raw, prep.evpi, label)
    se_arr = None
    if options.se:
        se_arr, _ = _se_from_posterior(fit, prep.wtp, km1, options.n_se_draws, rng)
    return EVPPIResult(
        label,
        cols,
        _frozen(prep.wtp),
        _frozen(value),
        None if se_arr is None else _frozen(se_arr),
        _frozen(prep.evpi),
        used,
        _frozen(raw),
        _diagnostics(fit, prep.labels),
    )


@overload
def evppi(
    cost: ArrayLike,
    effect: ArrayLike,
    parameters: ParameterLike,
    wtp: ArrayLike,
    *,
    groups: None = None,
    method: str = ...,
    strategies: Sequence[str] | None = ...,
    reference: int | str | None = ...,
    se: bool = ...,
    n_se_draws: int = ...,
    smoothing_criterion: str = ...,
    degree: int = ...,
    k: int | None = ...,
    gp_subsample: int = ...,
    parameter_names: Sequence[str] | None = ...,
    rng: RandomLike = ...,
) -> EVPPIResult: ...


@overload
def evppi(
    cost: ArrayLike,
    effect: ArrayLike,
    parameters: ParameterLike,
    wtp: ArrayLike,
    *,
    groups: Mapping[str, Sequence[str]] | Sequence[Sequence[str] | str],
    method: str = ...,
    strategies: Sequence[str] | None = ...,
    reference: int | str | None = ...,
    se: bool = ...,
    n_se_draws: int = ...,
    smoothing_criterion: str = ...,
    degree: int = ...,
    k: int | None = ...,
    gp_subsample: int = ...,
    parameter_names: Sequence[str] | None = ...,
    rng: RandomLike = ...,
) -> EVPPIResults: ...


def evppi(
    cost: ArrayLike,
    effect: ArrayLike,
    parameters: ParameterLike,
    wtp: ArrayLike,
    *,
    groups: Mapping[str, Sequence[str]] | Sequence[Sequence[str] | str] | None = None,
    method: str = "auto",
    strategies: Sequence[str] | None = None,
    reference: int | str | None = None,
    se: bool = False,
    n_se_draws: int = 500,
    smoothing_criterion: str = "gcv",
    degree: int = 3,
    k: int | None = None,
    gp_subsample: int = 500,
    parameter_names: Sequence[str] | None = None,
    rng: RandomLike = None,
) -> EVPPIResult | EVPPIResults:
    """Per-person EVPPI by nonparametric regression (Strong, Oakley & Brennan 2014).

    Parameters
    ----------
    cost : array_like, shape (n_samples, n_strategies)
        PSA costs per person [currency].
    effect : array_like, shape (n_samples, n_strategies)
        PSA effects per person [QALY].
    parameters : DataFrame, mapping name -> array (n_samples,), or array (n_samples, n_parameters)
        Parameter draws; row ``i`` produced row ``i`` of ``cost`` and ``effect``. Without
        ``groups`` all columns form **one** group (one column: single-parameter EVPPI).
    wtp : float or array_like, shape (n_wtp,)
        Willingness to pay [currency per QALY]; the fits are shared by all values.
    groups : mapping name -> list of columns, or list of column lists / names, optional
        Several groups at once; then an :class:`EVPPIResults` is returned.
    method : {"auto", "spline", "tensor", "additive", "poly", "gp"}
        Smoother (see the module docstring).
    strategies, reference : sequence of str, int or str, optional
        Strategy labels of the diagnostics (default ``s0, s1, ...``); reference strategy of
        the incremental regressions (default: lowest mean cost).
    se, n_se_draws : bool (default False), int (default 500)
        Also estimate a standard error from ``n_se_draws`` posterior draws of the coefficients.
    smoothing_criterion : {"gcv", "reml"}, default "gcv"
    degree, k : int (default 3), int or None
        Total degree for ``method="poly"``; basis dimension per parameter (spline default 6;
        tensor 5/4/3 for 2/3/4 parameters).
    gp_subsample : int, default 500
        Rows used to fit the Gaussian process hyperparameters (``method="gp"``).
    parameter_names : sequence of str, optional
        Column names when ``parameters`` is a plain array.
    rng : numpy.random.Generator, int or None
        Checked always; random numbers are drawn by ``se=True`` and ``method="gp"`` only.

    Returns
    -------
    EVPPIResult or EVPPIResults
        ``EVPPIResults`` when ``groups`` is given.

    Raises
    ------
    InputError
        Mismatched row counts, unknown names or method, too many terms, non-finite values.

    Warns
    -----
    InputWarning, EstimationWarning
        A parameter is constant (its EVPPI is 0); the raw estimate fell outside ``[0, EVPI]``
        and was clipped.

    References
    ----------
    Strong M, Oakley JE, Brennan A. Med Decis Making. 2014;34(3):311-326.
    doi:10.1177/0272989X13505910
    """
    options = _FitOptions(method, smoothing_criterion, degree, k, se, n_se_draws, gp_subsample)
    gen = check_rng(rng)
    prep = _prepare(cost, effect, parameters, wtp, strategies, reference, parameter_names)
    group_list = _as_groups(groups, prep.names)
    results = tuple(_evppi_group(prep, label, cols, options, gen) for label, cols in group_list)
    return results[0] if groups is None else EVPPIResults(results)


def _all_groups(
    names: tuple[str, ...],
    groups: Mapping[str, Sequence[str]] | Sequence[Sequence[str] | str] | None,
    include_single: bool,
) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    items: list[tuple[str, tuple[str, ...]]] = (
        [(nm, (nm,)) for nm in names] if include_single else []
    )
    kinds = ["parameter"] * len(items)
    if groups is not None:
        extra = _as_groups(groups, names)
        items += extra
        kinds += ["group"] * len(extra)
    return items, kinds


def evppi_curves(
    cost: ArrayLike,
    effect: ArrayLike,
    parameters: ParameterLike,
    wtp: ArrayLike,
    groups: Mapping[str, Sequence[str]] | Sequence[Sequence[str] | str] | None = None,
    *,
    include_single: bool = True,
    method: str = "auto",
    strategies: Sequence[str] | None = None,
    reference: int | str | None = None,
    se: bool = False,
    n_se_draws: int = 200,
    smoothing_criterion: str = "gcv",
    parameter_names: Sequence[str] | None = None,
    rng: RandomLike = None,
) -> pd.DataFrame:
    """EVPPI curves over WTP for every parameter and every named group.

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        PSA costs [currency] and effects [QALY].
    parameters : DataFrame, mapping or array (n_samples, n_parameters)
        Parameter draws.
    wtp : array_like, shape (n_wtp,)
        Willingness-to-pay grid [currency per QALY].
    groups : mapping or list, optional
        Named groups evaluated in addition to the single parameters.
    include_single : bool, default True
        Include every parameter on its own.
    method, strategies, reference, se, n_se_draws, smoothing_criterion, parameter_names, rng
        As in :func:`evppi`.

    Returns
    -------
    DataFrame
        Tidy: ``name, kind, parameters, wtp, evppi, se, evpi, share, method`` with
        ``kind`` in {"parameter", "group"} and ``share = evppi / evpi`` (NaN where EVPI is 0).
        Constant parameters get EVPPI 0 (one :class:`InputWarning` lists them).
    """
    # the curves use the default smoother settings and a larger GP subsample
    options = _FitOptions(
        method, smoothing_criterion, se=se, n_se_draws=n_se_draws, gp_subsample=1000
    )
    gen = check_rng(rng)
    prep = _prepare(cost, effect, parameters, wtp, strategies, reference, parameter_names)
    items, kinds = _all_groups(prep.names, groups, include_single)
    const = [nm for j, nm in enumerate(prep.names) if np.ptp(prep.x[:, j]) == 0.0]
    if const:
        warnings.warn(
            f"parameter(s) {const} are constant in the PSA; their EVPPI is 0",
            InputWarning,
            stacklevel=2,
        )
    frames = []
    for (label, cols), kind in zip(items, kinds, strict=True):
        res = _evppi_group(prep, label, cols, options, gen, warn_constant=False)
        fr = res.to_frame()
        fr.insert(1, "kind", kind)
        frames.append(fr)
    out = pd.concat(frames, ignore_index=True)
    # EVPPI is clipped to [0, EVPI], so where EVPI is 0 the share is 0 / 0: NaN (pandas: no warning)
    out["share"] = out["evppi"] / out["evpi"]
    return out[["name", "kind", "parameters", "wtp", "evppi", "se", "evpi", "share", "method"]]


def evppi_ranking(
    cost: ArrayLike,
    effect: ArrayLike,
    parameters: ParameterLike,
    wtp_point: float,
    groups: Mapping[str, Sequence[str]] | Sequence[Sequence[str] | str] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """EVPPI of every parameter and named group at one WTP, sorted from largest to smallest.

    Parameters
    ----------
    cost, effect : array_like, shape (n_samples, n_strategies)
        PSA costs [currency] and effects [QALY].
    parameters : DataFrame, mapping or array (n_samples, n_parameters)
        Parameter draws.
    wtp_point : float
        Willingness to pay [currency per QALY].
    groups : mapping or list, optional
        Named groups, e.g. ``{"utility gain": ["d_mansa", "sd_eq5d", "attenuation"]}``.
    **kwargs
        Passed to :func:`evppi_curves` (``method``, ``se``, ``rng``, ...).

    Returns
    -------
    DataFrame
        ``rank, name, kind, parameters, evppi, se, evpi, share, method``, one row per parameter
        or group, sorted by ``evppi`` descending (ties keep the input order).
    """
    w = _as_wtp(wtp_point)
    if w.size != 1:
        raise InputError(f"wtp_point must be one number; got {w.size} values")
    tab = evppi_curves(cost, effect, parameters, w, groups, **kwargs)
    tab = tab.drop(columns="wtp").sort_values("evppi", ascending=False, kind="stable")
    tab = tab.reset_index(drop=True)
    tab.insert(0, "rank", np.arange(1, len(tab) + 1))
    return tab


# --------------------------------------------------------------------------------------------
# nested Monte Carlo EVPPI (accuracy oracle)
# --------------------------------------------------------------------------------------------

ModelFn = Callable[[Mapping[str, FloatArray]], tuple[ArrayLike, ArrayLike]]


def evppi_nested(
    model: ModelFn,
    sample_phi: Callable[[int, np.random.Generator], Mapping[str, FloatArray]],
    sample_psi_given_phi: Callable[
        [Mapping[str, FloatArray], np.random.Generator], Mapping[str, FloatArray]
    ],
    wtp: ArrayLike,
    n_outer: int,
    n_inner: int,
    rng: RandomLike = None,
    *,
    chunk_size: int = 200_000,
) -> EVPPIResult:
    """Two-level (nested) Monte Carlo EVPPI, for small models and as a test oracle.

    ``EVPPI = E_phi[max_d E_{psi|phi} NB_d] - max_d E[NB_d]`` with ``NB_d = wtp * E_d - C_d``.
    Outer draws ``phi_j`` (``j = 1..n_outer``) come from ``sample_phi``; for each, ``n_inner``
    draws of the other parameters from ``sample_psi_given_phi``. The whole ``outer x inner`` block
    is evaluated in one vectorised model call (in chunks of about ``chunk_size`` rows). The
    estimator is biased upwards by O(1 / n_inner) (Brennan et al. 2007).

    Parameters
    ----------
    model : callable
        ``model(params) -> (cost, effect)``: ``params`` maps every parameter name to an array
        ``(m,)``; returns two arrays ``(m, n_strategies)`` [currency], [QALY].
    sample_phi : callable
        ``sample_phi(n, rng) -> {name: (n,)}``: the parameters of interest.
    sample_psi_given_phi : callable
        ``sample_psi_given_phi(phi, rng) -> {name: (m,)}``: one draw of the remaining parameters
        for each row of ``phi`` (arrays ``(m,)``; each outer draw is repeated ``n_inner`` times).
    wtp : float or array_like, shape (n_wtp,)
        Willingness to pay [currency per QALY].
    n_outer, n_inner : int
        Outer and inner sample sizes (>= 2 each).
    rng : numpy.random.Generator, int or None
    chunk_size : int, default 200000
        Model rows evaluated per call.

    Returns
    -------
    EVPPIResult
        ``method="nested"``; ``se`` is the outer-loop Monte Carlo standard error of the first
        term; ``evpi`` is from the pooled samples.

    References
    ----------
    Brennan A, Kharroubi S, O'Hagan A, Chilcott J. Med Decis Making. 2007;27(4):448-470.
    doi:10.1177/0272989X07302555
    """
    if n_outer < 2 or n_inner < 2:
        raise InputError(f"n_outer = {n_outer}, n_inner = {n_inner}; both must be >= 2")
    gen = check_rng(rng)
    w = _as_wtp(wtp)
    phi = {kk: np.asarray(v, dtype=np.float64) for kk, v in sample_phi(n_outer, gen).items()}
    sums = _nested_sums(model, phi, sample_psi_given_phi, n_outer, n_inner, w, gen, chunk_size)
    mc, me = sums.inner_cost, sums.inner_effect
    total = n_outer * n_inner
    pc = np.asarray(sums.cost) / total
    pe = np.asarray(sums.effect) / total
    first = np.empty((n_outer, w.size))
    for j, wi in enumerate(w):
        first[:, j] = np.max(wi * me - mc, axis=1)
    max_mean = np.max(w[:, None] * pe[None, :] - pc[None, :], axis=1)
    raw = first.mean(axis=0) - max_mean
    se_arr = first.std(axis=0, ddof=1) / np.sqrt(n_outer)
    evpi_v = np.maximum(sums.max_nmb / total - max_mean, 0.0)
    value = np.clip(raw, 0.0, evpi_v)
    names = tuple(phi)
    return EVPPIResult(
        " + ".join(names),
        names,
        _frozen(w),
        _frozen(value),
        _frozen(se_arr),
        _frozen(evpi_v),
        "nested",
        _frozen(raw),
        (),
    )


@dataclass(frozen=True)
class _NestedSums:
    """Inner means ``(n_outer, n_strategies)`` and pooled sums of the nested simulation:
    cost and effect per strategy ``(n_strategies,)``, the per-sample maximum NMB ``(n_wtp,)``."""

    inner_cost: FloatArray
    inner_effect: FloatArray
    cost: FloatArray
    effect: FloatArray
    max_nmb: FloatArray


def _nested_sums(
    model: ModelFn,
    phi: Mapping[str, FloatArray],
    sample_psi_given_phi: Callable[
        [Mapping[str, FloatArray], np.random.Generator], Mapping[str, FloatArray]
    ],
    n_outer: int,
    n_inner: int,
    wtp: FloatArray,
    gen: np.random.Generator,
    chunk_size: int,
) -> _NestedSums:
    """Run the ``outer x inner`` simulation in chunks of about ``chunk_size`` rows (whole outer
    draws each) and collect the inner means and the pooled sums."""
    outer_per_chunk = max(1, chunk_size // n_inner)
    mean_c: list[FloatArray] = []
    mean_e: list[FloatArray] = []
    pooled_max: FloatArray = np.zeros(wtp.size)
    pooled_c: FloatArray | float = 0.0
    pooled_e: FloatArray | float = 0.0
    for a in range(0, n_outer, outer_per_chunk):
        b = min(n_outer, a + outer_per_chunk)
        rep = {kk: np.repeat(v[a:b], n_inner) for kk, v in phi.items()}
        psi = sample_psi_given_phi(rep, gen)
        params = {**rep, **{kk: np.asarray(v, dtype=np.float64) for kk, v in psi.items()}}
        c, e = _as_outcomes(*model(params))
        ks = c.shape[1]
        mean_c.append(c.reshape(b - a, n_inner, ks).mean(axis=1))
        mean_e.append(e.reshape(b - a, n_inner, ks).mean(axis=1))
        pooled_c = pooled_c + c.sum(axis=0)
        pooled_e = pooled_e + e.sum(axis=0)
        pooled_max = pooled_max + np.array([np.max(wi * e - c, axis=1).sum() for wi in wtp])
    return _NestedSums(
        np.vstack(mean_c),
        np.vstack(mean_e),
        np.asarray(pooled_c),
        np.asarray(pooled_e),
        pooled_max,
    )


# --------------------------------------------------------------------------------------------
# population scaling
# --------------------------------------------------------------------------------------------


def population_multiplier(
    population_per_year: float | ArrayLike, horizon_years: int, discount_rate: float
) -> float:
    """Discounted number of people affected over the decision horizon.

    ``sum_{t=0}^{H-1} pop_t (1 + r)^-t``: annual cohorts, each discounted to the start of its year
    (the first cohort undiscounted).

    Parameters
    ----------
    population_per_year : float or array_like, shape (horizon_years,)
        Eligible people per year [persons per year]; a constant or one value per year.
    horizon_years : int
        Decision horizon ``H`` [years], >= 1.
    discount_rate : float
        Annual discount rate ``r`` [per year], e.g. 0.035, > -1.

    Returns
    -------
    float
        Discounted population [persons].

    Raises
    ------
    InputError
        Negative population, horizon < 1, rate <= -1, or a per-year array of the wrong length.
    """
    from peer_econ.analysis.cea import discounted_population

    if not np.isfinite(discount_rate) or discount_rate <= -1.0:
        raise InputError(f"discount_rate = {discount_rate}; use a finite rate > -1")
    return discounted_population(population_per_year, horizon_years, discount_rate)


def population_value(
    per_person: ArrayLike,
    population_per_year: float | ArrayLike,
    horizon_years: int,
    discount_rate: float,
) -> FloatArray:
    """Population EVPI / EVPPI / EVSI [currency] = per-person value x discounted population.

    Parameters
    ----------
    per_person : array_like, any shape
        Per-person value [currency].
    population_per_year, horizon_years, discount_rate
        As in :func:`population_multiplier`.

    Returns
    -------
    ndarray, same shape as ``per_person``
    """
    mult = population_multiplier(population_per_year, horizon_years, discount_rate)
    return np.asarray(per_person, dtype=np.float64) * mult
