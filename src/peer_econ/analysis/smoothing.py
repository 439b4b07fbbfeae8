"""Penalised regression smoothers for value-of-information regression (EVPPI, EVSI).

Every smoother here is a *linear* smoother for fixed smoothing parameters: a basis matrix ``X``
``(n_samples, n_terms)``, one or more quadratic penalties ``S_j`` and smoothing parameters
``lambda_j``, giving ``beta = (X'X + sum_j lambda_j S_j)^-1 X'y``. The smoothing parameters are
chosen per response (column of ``y``) by generalised cross-validation (GCV) or by restricted
maximum likelihood (REML), in the eigen-space of the penalised problem so that a whole grid of
``lambda`` values costs one small eigen-decomposition (Wood 2017, sections 4.2 and 6.2).

Bases
-----
``cr_basis``
    Cubic regression spline (natural cubic spline parameterised by its values at ``k`` knots
    placed at quantiles of the data, penalty = integrated squared second derivative), as mgcv's
    ``bs = "cr"`` (Wood 2017, section 5.3.1). Null space of the penalty: straight lines.
tensor
    Row-wise tensor product of marginal ``cr`` bases with one penalty per margin
    (``S_1 (x) I (x) I``, ``I (x) S_2 (x) I``, ...), as mgcv's ``te()``.
additive
    Sum of centred marginal ``cr`` bases plus all pairwise products of the (standardised)
    parameters, with one penalty per margin and a ridge penalty on the interaction block.
poly
    Full polynomial of a given total degree in the standardised parameters, with all
    interactions, fitted by ordinary least squares (no penalty).

With several penalties the relative weights are chosen by a coarse coordinate search over
``log10`` weight steps {-2, -1, +1, +2} (two sweeps), and the overall ``lambda`` by a fine grid;
this is a cheap stand-in for mgcv's Newton optimisation of all ``lambda_j``.

References
----------
Wood SN. Generalized Additive Models: An Introduction with R. 2nd ed. Chapman and Hall/CRC; 2017.
doi:10.1201/9781315370279

Strong M, Oakley JE, Brennan A. Estimating multiparameter partial expected value of perfect
information from a probabilistic sensitivity analysis sample: a nonparametric regression approach.
Med Decis Making. 2014;34(3):311-326. doi:10.1177/0272989X13505910
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import linalg

from peer_econ.errors import InputError

FloatArray = NDArray[np.float64]

#: Smoothing-parameter criteria understood by :func:`penalized_fit`.
CRITERIA = ("gcv", "reml")

_LAMBDA_GRID = np.logspace(-6.0, 8.0, 113)  # multiplies 1 / (median positive eigenvalue)
_WEIGHT_STEPS = (-2.0, -1.0, 1.0, 2.0)


@dataclass(frozen=True)
class PenalizedFit:
    """Result of :func:`penalized_fit` for ``m`` responses (internal to the VOI engine).

    Attributes
    ----------
    q : ndarray, shape (n_samples, n_terms)
        Orthonormal basis of the column space of the design (``X = q r``).
    coef : ndarray, shape (n_terms, m)
        Posterior-mean coefficients in the ``q`` basis; fitted values are ``q @ coef``.
    coef_sqrt_cov : ndarray, shape (m, n_terms, n_terms)
        ``L_r`` with ``L_r L_r'`` the Bayesian posterior covariance of ``coef[:, r]``,
        ``sigma_r^2 (I + lambda_r T)^-1`` (Wood 2017, section 6.10).
    residual_corr : ndarray, shape (m, m)
        Correlation matrix of the residuals of the ``m`` responses.
    fitted : ndarray, shape (n_samples, m)
        Fitted values.
    edf : ndarray, shape (m,)
        Effective degrees of freedom (trace of the smoother matrix) per response.
    r_squared : ndarray, shape (m,)
        Coefficient of determination per response (1 - RSS / TSS; 0 for a constant response).
    smoothing : ndarray, shape (m,)
        Overall smoothing parameter ``lambda`` per response (0 when unpenalised).
    n_terms : int
        Number of basis functions after removing linearly dependent columns.
    """

    q: FloatArray
    coef: FloatArray
    coef_sqrt_cov: FloatArray
    residual_corr: FloatArray
    fitted: FloatArray
    edf: FloatArray
    r_squared: FloatArray
    smoothing: FloatArray
    n_terms: int


# --------------------------------------------------------------------------------------------
# bases
# --------------------------------------------------------------------------------------------


def _unit_scale(x: FloatArray) -> FloatArray:
    lo = float(x.min())
    span = float(x.max()) - lo
    if span <= 0.0:
        return np.zeros_like(x)
    return (x - lo) / span


def cr_knots(x: FloatArray, k: int) -> FloatArray:
    """Knots of a cubic regression spline at quantiles of ``x`` (fewer if ``x`` has ties).

    Parameters
    ----------
    x : ndarray, shape (n_samples,)
        Covariate values.
    k : int
        Requested number of knots (basis dimension), >= 3.

    Returns
    -------
    ndarray, shape (k_used,)
        Strictly increasing knots, ``k_used <= k``; ``k_used`` may be < 3 when ``x`` has fewer
        than 3 distinct values.
    """
    knots = np.unique(np.quantile(x, np.linspace(0.0, 1.0, k)))
    if knots.size < k:
        ux = np.unique(x)
        if ux.size <= k:
            return ux
        knots = np.unique(np.quantile(ux, np.linspace(0.0, 1.0, k)))
    return knots


def cr_basis(x: FloatArray, knots: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Cubic regression spline basis and penalty (mgcv ``bs = "cr"``).

    Parameters
    ----------
    x : ndarray, shape (n_samples,)
        Covariate values inside ``[knots[0], knots[-1]]``.
    knots : ndarray, shape (k,)
        Strictly increasing knots, ``k >= 3``.

    Returns
    -------
    X : ndarray, shape (n_samples, k)
        Basis: column ``j`` is the natural cubic spline that is 1 at knot ``j`` and 0 at the
        other knots, so ``X @ beta`` interpolates the knot values ``beta``.
    S : ndarray, shape (k, k)
        Penalty ``beta' S beta = integral f''(x)^2 dx``; its null space is the straight lines.

    References
    ----------
    Wood SN. Generalized Additive Models. 2nd ed. 2017, section 5.3.1. doi:10.1201/9781315370279
    """
    k = knots.size
    h = np.diff(knots)
    d = np.zeros((k - 2, k))
    b = np.zeros((k - 2, k - 2))
    for i in range(k - 2):
        d[i, i] = 1.0 / h[i]
        d[i, i + 1] = -1.0 / h[i] - 1.0 / h[i + 1]
        d[i, i + 2] = 1.0 / h[i + 1]
        b[i, i] = (h[i] + h[i + 1]) / 3.0
        if i < k - 3:
            b[i, i + 1] = b[i + 1, i] = h[i + 1] / 6.0
    f_inner = np.linalg.solve(b, d)
    f = np.vstack([np.zeros((1, k)), f_inner, np.zeros((1, k))])
    s = d.T @ f_inner
    s = 0.5 * (s + s.T)
    j = np.clip(np.searchsorted(knots, x, side="right") - 1, 0, k - 2)
    xl = knots[j]
    xu = knots[j + 1]
    hj = h[j]
    dm = xu - x
    dp = x - xl
    cm = (dm**3 / hj - hj * dm) / 6.0
    cp = (dp**3 / hj - hj * dp) / 6.0
    basis = cm[:, None] * f[j] + cp[:, None] * f[j + 1]
    rows = np.arange(x.size)
    basis[rows, j] += dm / hj
    basis[rows, j + 1] += dp / hj
    return basis, s


def _marginal(x: FloatArray, k: int) -> tuple[FloatArray, FloatArray | None]:
    """Basis for one covariate: a ``cr`` spline, or [1, x] / [1] when there are too few values."""
    xs = _unit_scale(x)
    knots = cr_knots(xs, k)
    if knots.size >= 3:
        return cr_basis(xs, knots)
    if knots.size == 2:
        return np.column_stack([np.ones_like(xs), xs]), None
    return np.ones((xs.size, 1)), None


def spline_design(x: FloatArray, k: int = 6) -> tuple[FloatArray, list[FloatArray]]:
    """Design and penalty list of a one-covariate cubic regression spline.

    Parameters
    ----------
    x : ndarray, shape (n_samples,)
        Covariate.
    k : int, default 6
        Basis dimension (number of knots).

    Returns
    -------
    X : ndarray, shape (n_samples, k_used)
    penalties : list of ndarray, shape (k_used, k_used)
        Empty when ``x`` has fewer than 3 distinct values (then the fit is linear or constant).
    """
    basis, s = _marginal(x, k)
    return basis, ([] if s is None else [s])


def tensor_design(x: FloatArray, k: int | None = None) -> tuple[FloatArray, list[FloatArray]]:
    """Tensor-product cubic regression spline design (mgcv ``te``), one penalty per margin.

    Parameters
    ----------
    x : ndarray, shape (n_samples, d)
        Covariates, ``d`` in 1..4.
    k : int, optional
        Marginal basis dimension; default 5 for ``d <= 2``, 4 for ``d = 3`` and 3 for ``d = 4``
        (25, 64 and 81 terms).

    Returns
    -------
    X : ndarray, shape (n_samples, prod k_j)
    penalties : list of ndarray
        ``S_j`` expanded with identities on the other margins.
    """
    d = x.shape[1]
    if k is None:
        k = {1: 6, 2: 5, 3: 4}.get(d, 3)
    margins = [_marginal(x[:, j], k) for j in range(d)]
    basis = margins[0][0]
    for mb, _ in margins[1:]:
        basis = (basis[:, :, None] * mb[:, None, :]).reshape(x.shape[0], -1)
    sizes = [mb.shape[1] for mb, _ in margins]
    penalties = []
    for j, (_, s) in enumerate(margins):
        if s is None:
            continue
        full: FloatArray = np.ones((1, 1))
        for i, size in enumerate(sizes):
            full = np.asarray(np.kron(full, s if i == j else np.eye(size)), dtype=np.float64)
        penalties.append(full)
    return basis, penalties


def additive_design(
    x: FloatArray, k: int = 5, interactions: bool = True
) -> tuple[FloatArray, list[FloatArray]]:
    """Additive cubic regression splines plus pairwise linear interactions.

    Parameters
    ----------
    x : ndarray, shape (n_samples, d)
        Covariates.
    k : int, default 5
        Marginal basis dimension.
    interactions : bool, default True
        Add the ``d (d - 1) / 2`` products of standardised covariates, ridge-penalised.

    Returns
    -------
    X : ndarray, shape (n_samples, 1 + d (k - 1) + d (d - 1) / 2)
    penalties : list of ndarray
    """
    n, d = x.shape
    blocks: list[FloatArray] = [np.ones((n, 1))]
    pens: list[tuple[int, FloatArray]] = []
    col = 1
    for j in range(d):
        mb, s = _marginal(x[:, j], k)
        if mb.shape[1] == 1:
            continue
        c = mb.mean(axis=0)
        qfull, _ = np.linalg.qr(c[:, None], mode="complete")
        z = qfull[:, 1:]
        blocks.append(mb @ z)
        if s is not None:
            pens.append((col, z.T @ s @ z))
        col += z.shape[1]
    if interactions and d >= 2:
        sd = x.std(axis=0)
        sd[sd == 0.0] = 1.0
        xs = (x - x.mean(axis=0)) / sd
        pairs = list(itertools.combinations(range(d), 2))
        blocks.append(np.column_stack([xs[:, a] * xs[:, b] for a, b in pairs]))
        pens.append((col, np.eye(len(pairs))))
        col += len(pairs)
    basis = np.hstack(blocks)
    penalties = []
    for start, s in pens:
        full = np.zeros((col, col))
        full[start : start + s.shape[0], start : start + s.shape[0]] = s
        penalties.append(full)
    return basis, penalties


def n_poly_terms(d: int, degree: int) -> int:
    """Number of monomials of total degree <= ``degree`` in ``d`` variables."""
    from math import comb

    return comb(d + degree, degree)


def poly_design(x: FloatArray, degree: int = 3) -> tuple[FloatArray, list[FloatArray]]:
    """Full polynomial design with all interactions, no penalty (ordinary least squares).

    Parameters
    ----------
    x : ndarray, shape (n_samples, d)
    degree : int, default 3
        Total degree; the design has ``comb(d + degree, degree)`` columns.
    """
    n, d = x.shape
    sd = x.std(axis=0)
    sd[sd == 0.0] = 1.0
    xs = (x - x.mean(axis=0)) / sd
    cols = [np.ones(n)]
    for deg in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(range(d), deg):
            cols.append(np.prod(xs[:, list(combo)], axis=1))
    return np.column_stack(cols), []


# --------------------------------------------------------------------------------------------
# fitting
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Eigen:
    vecs: FloatArray  # (p, p)
    vals: FloatArray  # (p,) eigenvalues of R^-T S_w R^-1, >= 0
    rank: int
    logdet_s: float  # log pseudo-determinant of S_w (REML only)
    scale: float  # median positive eigenvalue (lambda grid anchor)


def _eigen(
    t_list: list[FloatArray], s_list: list[FloatArray], log_w: tuple[float, ...], reml: bool
) -> _Eigen:
    p = t_list[0].shape[0] if t_list else 0
    if not t_list:
        return _Eigen(np.eye(p), np.zeros(p), 0, 0.0, 1.0)
    w = [10.0**lw for lw in log_w]
    t = sum(wj * tj for wj, tj in zip(w, t_list, strict=True))
    vals, vecs = np.linalg.eigh(0.5 * (t + t.T))
    top = float(vals.max()) if vals.size else 0.0
    pos = vals > 1e-9 * max(top, 1e-300)
    vals = np.where(pos, vals, 0.0)
    rank = int(pos.sum())
    logdet_s = 0.0
    if reml and rank:
        s = sum(wj * sj for wj, sj in zip(w, s_list, strict=True))
        sv = np.linalg.eigvalsh(0.5 * (s + s.T))
        sv = np.sort(sv)[::-1][:rank]
        logdet_s = float(np.sum(np.log(np.maximum(sv, 1e-300))))
    scale = float(np.median(vals[pos])) if rank else 1.0
    return _Eigen(vecs, vals, rank, logdet_s, scale)


def _criterion(
    eig: _Eigen, z: FloatArray, rss0: FloatArray, n: int, reml: bool
) -> tuple[FloatArray, FloatArray]:
    """Criterion over the lambda grid for each response.

    Returns ``(score (L, m), lambdas (L,))``; ``z`` is ``(p, m)`` in the eigen basis.
    """
    lam = _LAMBDA_GRID / eig.scale
    if eig.rank == 0:
        lam = np.zeros(1)
    a = lam[:, None] * eig.vals[None, :]  # (L, p)
    shrink = 1.0 / (1.0 + a)
    z2 = z**2  # (p, m)
    edf = shrink.sum(axis=1)  # (L,)
    if reml:
        prss = rss0[None, :] + (a * shrink) @ z2  # (L, m)
        prss = np.maximum(prss, 1e-300)
        null = eig.vals.size - eig.rank
        score = (n - null) * np.log(prss) + np.sum(np.log1p(a), axis=1)[:, None]
        if eig.rank:
            score -= (eig.rank * np.log(lam) + eig.logdet_s)[:, None]
        return score, lam
    rss = rss0[None, :] + ((a * shrink) ** 2) @ z2
    denom = np.maximum(n - edf, 1e-9) ** 2
    return n * rss / denom[:, None], lam


#: Above this many penalties, :func:`penalized_fit` uses one shared smoothing parameter.
MAX_SEPARATE_PENALTIES = 4
#: Largest ``|log10|`` relative weight of one penalty tried by the coordinate search.
MAX_LOG10_WEIGHT = 4.0
#: Coordinate-search sweeps over the penalties (each tries every step of every weight).
N_WEIGHT_SWEEPS = 2
#: A candidate weight must lower the criterion by more than this share of it to be taken.
REL_IMPROVEMENT = 1e-12
#: Columns whose pivoted-QR diagonal is below this share of the largest are dropped.
RANK_TOL = 1e-9


@dataclass(frozen=True)
class _Reduced:
    """The design after column scaling and a pivoted QR without dependent columns."""

    q: FloatArray  # (n, keep) orthonormal basis of the design's column space
    rinv: FloatArray  # (keep, keep) inverse of the triangular factor
    sel: NDArray[np.intp]  # (keep,) kept columns of the input design
    colnorm: FloatArray  # (p_in,) column norms used for scaling


def _reduce_design(x: FloatArray) -> _Reduced:
    """Scale the columns of ``x`` to unit norm and drop linearly dependent ones (pivoted QR)."""
    colnorm = np.sqrt(np.einsum("ij,ij->j", x, x))
    colnorm[colnorm == 0.0] = 1.0
    xn = x / colnorm
    q, r, piv = linalg.qr(xn, mode="economic", pivoting=True, check_finite=False)
    diag = np.abs(np.diag(r))
    keep = int(np.sum(diag > RANK_TOL * diag[0])) if diag.size else 0
    rinv = linalg.solve_triangular(r[:keep, :keep], np.eye(keep), check_finite=False)
    return _Reduced(q[:, :keep], rinv, piv[:keep], colnorm)


def _penalties_in_basis(
    penalties: list[FloatArray], reduced: _Reduced
) -> tuple[list[FloatArray], list[FloatArray]]:
    """Penalties on the kept scaled columns, each normalised to unit Frobenius norm (``S``),
    and the same in the orthonormal basis, ``R^-T S R^-1`` (``T``). Zero penalties are
    dropped; beyond :data:`MAX_SEPARATE_PENALTIES` they are summed into one.

    Returns ``(t_list, s_list)``.
    """
    sel, colnorm, rinv = reduced.sel, reduced.colnorm, reduced.rinv
    s_list = []
    t_list = []
    for s in penalties:
        ss = (s / np.outer(colnorm, colnorm))[np.ix_(sel, sel)]
        nrm = float(np.linalg.norm(ss))
        if nrm == 0.0:
            continue
        ss = ss / nrm
        s_list.append(ss)
        t = rinv.T @ ss @ rinv
        t_list.append(0.5 * (t + t.T))
    if len(t_list) > MAX_SEPARATE_PENALTIES:
        # Many margins (large additive groups): one shared smoothing parameter over the
        # normalised penalties keeps the search to one dimension (seconds -> milliseconds).
        t_list = [np.sum(t_list, axis=0)]
        s_list = [np.sum(s_list, axis=0)]
    return t_list, s_list


class _Criterion:
    """Best smoothing parameter for given penalty weights, with eigen-decompositions cached.

    ``f`` is ``q' y`` ``(keep, m)`` and ``rss0`` the residual sum of squares outside the
    design's column space ``(m,)``.
    """

    def __init__(
        self,
        t_list: list[FloatArray],
        s_list: list[FloatArray],
        f: FloatArray,
        rss0: FloatArray,
        n: int,
        reml: bool,
    ) -> None:
        self.t_list, self.s_list, self.f, self.rss0, self.n, self.reml = (
            t_list, s_list, f, rss0, n, reml
        )  # fmt: skip
        self.cache: dict[tuple[float, ...], _Eigen] = {}
        if not t_list:
            keep = f.shape[0]
            self.cache[()] = _Eigen(np.eye(keep), np.zeros(keep), 0, 0.0, 1.0)

    def eigen(self, log_w: tuple[float, ...]) -> _Eigen:
        """Eigen-decomposition of the weighted penalty (cached by the weights)."""
        if log_w not in self.cache:
            self.cache[log_w] = _eigen(self.t_list, self.s_list, log_w, self.reml)
        return self.cache[log_w]

    def best(self, log_w: tuple[float, ...], cols: list[int]) -> tuple[FloatArray, FloatArray]:
        """Lowest criterion over the lambda grid and its lambda, for responses ``cols``."""
        eig = self.eigen(log_w)
        z = eig.vecs.T @ self.f[:, cols]
        score, lam = _criterion(eig, z, self.rss0[cols], self.n, self.reml)
        idx = np.argmin(score, axis=0)
        return score[idx, np.arange(len(cols))], lam[idx]


def _search_weights(crit: _Criterion, m: int) -> tuple[list[tuple[float, ...]], FloatArray]:
    """Penalty weights and overall lambda per response.

    All weights start at 1 (``log10 = 0``); with several penalties a coordinate search moves one
    ``log10`` weight at a time by the steps in ``_WEIGHT_STEPS`` (staying within
    :data:`MAX_LOG10_WEIGHT`), keeping a move that lowers the criterion, for at most
    :data:`N_WEIGHT_SWEEPS` sweeps or until a sweep changes nothing.

    Returns ``(log10 weights per response, lambda per response (m,))``.
    """
    n_pen = len(crit.t_list)
    start = tuple(0.0 for _ in range(n_pen))
    best_w = [start] * m
    best_s, best_l = crit.best(start, list(range(m)))
    if n_pen <= 1:
        return best_w, best_l
    for r_i in range(m):
        cur, cur_s, cur_l = best_w[r_i], best_s[r_i], best_l[r_i]
        for _ in range(N_WEIGHT_SWEEPS):
            improved = False
            for j in range(n_pen):
                base = cur
                for step in _WEIGHT_STEPS:
                    cand = tuple(base[i] + (step if i == j else 0.0) for i in range(n_pen))
                    if max(abs(c) for c in cand) > MAX_LOG10_WEIGHT:
                        continue
                    sc, lm = crit.best(cand, [r_i])
                    if sc[0] < cur_s - REL_IMPROVEMENT * abs(cur_s):
                        cur, cur_s, cur_l = cand, float(sc[0]), float(lm[0])
                        improved = True
            if not improved:
                break
        best_w[r_i] = cur
        best_s[r_i] = cur_s
        best_l[r_i] = cur_l
    return best_w, best_l


def _shrunk_coefficients(
    crit: _Criterion,
    log_w: list[tuple[float, ...]],
    lam: FloatArray,
    posterior: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Coefficients at the chosen smoothing, in the ``q`` basis, per response.

    Returns ``(coef (keep, m), sqrt_cov (m, keep, keep) or empty, edf (m,), rss (m,))``;
    ``sqrt_cov`` is the square root of the Bayesian posterior covariance
    ``sigma^2 (I + lambda T)^-1`` with ``sigma^2 = RSS / (n - edf)``.
    """
    keep, m = crit.f.shape
    coef = np.empty((keep, m))
    sqrt_cov = np.empty((m, keep, keep)) if posterior else np.empty((0, keep, keep))
    edf = np.empty(m)
    rss = np.empty(m)
    for r_i in range(m):
        eig = crit.eigen(log_w[r_i])
        z = eig.vecs.T @ crit.f[:, r_i]
        sh = 1.0 / (1.0 + lam[r_i] * eig.vals)
        coef[:, r_i] = eig.vecs @ (sh * z)
        edf[r_i] = sh.sum()
        rss[r_i] = crit.rss0[r_i] + np.sum((z * (1.0 - sh)) ** 2)
        if posterior:
            sigma2 = max(rss[r_i], 0.0) / max(crit.n - edf[r_i], 1.0)
            sqrt_cov[r_i] = eig.vecs * (np.sqrt(sigma2 * sh))[None, :]
    return coef, sqrt_cov, edf, rss


def _r_squared(y: FloatArray, rss: FloatArray) -> FloatArray:
    """``1 - RSS / TSS`` per response column, 0 for a constant response."""
    yc = y - y.mean(axis=0)
    tss = np.einsum("ij,ij->j", yc, yc)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tss > 0.0, 1.0 - rss / np.where(tss > 0.0, tss, 1.0), 0.0)


def _residual_correlation(resid: FloatArray) -> FloatArray:
    """Correlation matrix of the residual columns (1 on the diagonal, also for zero residuals)."""
    sd = np.sqrt(np.einsum("ij,ij->j", resid, resid))
    sd[sd == 0.0] = 1.0
    rc = (resid.T @ resid) / np.outer(sd, sd)
    np.fill_diagonal(rc, 1.0)
    return rc


def penalized_fit(
    x: FloatArray,
    penalties: list[FloatArray],
    y: FloatArray,
    *,
    criterion: str = "gcv",
    posterior: bool = True,
) -> PenalizedFit:
    """Fit ``m`` responses with a penalised regression and automatic smoothing.

    Steps: reduce the design to an orthonormal basis (:func:`_reduce_design`), express the
    penalties in it (:func:`_penalties_in_basis`), choose penalty weights and the overall
    smoothing parameter per response (:func:`_search_weights`), then shrink the coefficients
    (:func:`_shrunk_coefficients`).

    Parameters
    ----------
    x : ndarray, shape (n_samples, n_terms)
        Design matrix.
    penalties : list of ndarray, each shape (n_terms, n_terms)
        Quadratic penalties (empty list: ordinary least squares).
    y : ndarray, shape (n_samples, m)
        Responses, each fitted with its own smoothing parameter(s).
    criterion : {"gcv", "reml"}
        Smoothing-parameter criterion.
    posterior : bool, default True
        Also compute the posterior square-root covariances (needed for standard errors).

    Returns
    -------
    PenalizedFit

    Raises
    ------
    InputError
        If the design has more columns than rows.
    """
    n, p_in = x.shape
    if p_in >= n:
        raise InputError(
            f"regression has {p_in} terms but only {n} samples; use more samples, "
            "fewer parameters or a smaller basis"
        )
    reduced = _reduce_design(x)
    t_list, s_list = _penalties_in_basis(penalties, reduced)
    q = reduced.q
    f = q.T @ y  # (keep, m)
    resid0 = y - q @ f
    rss0 = np.einsum("ij,ij->j", resid0, resid0)
    m = y.shape[1]
    crit = _Criterion(t_list, s_list, f, rss0, n, criterion == "reml")
    best_w, best_l = _search_weights(crit, m)
    coef, sqrt_cov, edf, rss = _shrunk_coefficients(crit, best_w, best_l, posterior)
    fitted = q @ coef
    r2 = _r_squared(y, rss)
    rc = _residual_correlation(y - fitted) if posterior and m > 1 else np.eye(m)
    smoothing = np.asarray(best_l, dtype=np.float64)
    for arr in (q, coef, sqrt_cov, rc, fitted, edf, r2, smoothing):
        arr.flags.writeable = False
    return PenalizedFit(
        q=q,
        coef=coef,
        coef_sqrt_cov=sqrt_cov,
        residual_corr=rc,
        fitted=fitted,
        edf=edf,
        r_squared=r2,
        smoothing=smoothing,
        n_terms=q.shape[1],
    )


# --------------------------------------------------------------------------------------------
# Gaussian process (hyperparameters on a subsample, subset-of-regressors fit on all rows)
# --------------------------------------------------------------------------------------------


#: Negative log marginal likelihood returned where the kernel matrix is not positive definite:
#: far above any attainable value, so the optimiser steps back.
_NLML_FAILED = 1e25


def _sq_dists(a: FloatArray, b: FloatArray) -> FloatArray:
    """Per-dimension squared distances, shape (d, len(a), len(b))."""
    return (a.T[:, :, None] - b.T[:, None, :]) ** 2


def _gp_nlml(theta: FloatArray, d2: FloatArray, y: FloatArray) -> tuple[float, FloatArray]:
    """Negative log marginal likelihood of an ARD squared-exponential GP and its gradient.

    ``theta = (log signal var, log noise var, log lengthscale_1..d)``.
    """
    n = y.size
    s2 = np.exp(theta[0])
    n2 = np.exp(theta[1])
    ell2 = np.exp(2.0 * theta[2:])
    scaled = d2 / ell2[:, None, None]
    r = np.exp(-0.5 * scaled.sum(axis=0))
    k = s2 * r + (n2 + 1e-8 * s2) * np.eye(n)
    try:
        cf = linalg.cho_factor(k, lower=True, check_finite=False)
    except linalg.LinAlgError:
        return _NLML_FAILED, np.zeros_like(theta)
    alpha = linalg.cho_solve(cf, y, check_finite=False)
    kinv = linalg.cho_solve(cf, np.eye(n), check_finite=False)
    nlml = (
        0.5 * float(y @ alpha) + float(np.sum(np.log(np.diag(cf[0])))) + 0.5 * n * np.log(2 * np.pi)
    )
    w = np.outer(alpha, alpha) - kinv
    sr = s2 * r
    grad = np.empty_like(theta)
    grad[0] = -0.5 * float(np.sum(w * sr))
    grad[1] = -0.5 * float(n2 * np.trace(w))
    grad[2:] = -0.5 * np.einsum("ij,dij->d", w * sr, scaled)
    return nlml, grad


def gp_fit(
    x: FloatArray,
    y: FloatArray,
    *,
    n_subsample: int,
    rng: np.random.Generator,
    posterior: bool = False,
    n_inducing: int = 200,
) -> PenalizedFit:
    """Gaussian-process regression of each response on ``x`` (Strong et al. 2014, section 4).

    An exact GP on 10,000 rows needs an ``n x n`` Cholesky factor (too slow), so: (1) the
    hyperparameters (signal and noise variance, one length-scale per parameter, squared-exponential
    kernel on standardised parameters, constant mean) are fitted by maximum marginal likelihood
    on a random subsample of ``n_subsample`` rows; (2) the posterior mean at all rows uses the
    subset-of-regressors approximation with ``n_inducing`` of those rows as inducing points and
    **all** rows' responses: ``f = K_nm (noise K_mm + K_mn K_nm)^-1 K_mn y``
    (Rasmussen & Williams 2006, section 8.3.1).

    Parameters
    ----------
    x, y : ndarray, shapes (n_samples, d) and (n_samples, m)
    n_subsample : int
        Rows used for the hyperparameters (min with ``n_samples``).
    rng : numpy.random.Generator
        Chooses the subsample.
    posterior : bool
        Not supported (raises) -- standard errors need a shared basis.
    n_inducing : int, default 200

    Returns
    -------
    PenalizedFit
        ``fitted``, ``edf``, ``r_squared`` and ``smoothing`` (noise/signal variance ratio) are
        set; the coefficient fields are empty.

    References
    ----------
    Rasmussen CE, Williams CKI. Gaussian Processes for Machine Learning. MIT Press; 2006.
    """
    if posterior:
        raise InputError("standard errors are not available for method='gp'; use 'tensor'")
    d = x.shape[1]
    xs, idx = _gp_standardised_subsample(x, n_subsample, rng)
    xsub = xs[idx]
    d2 = _sq_dists(xsub, xsub)
    m_ind = min(n_inducing, idx.size)
    xind = xsub[:m_ind]
    m = y.shape[1]
    fitted = np.empty_like(y)
    edf = np.empty(m)
    ratio = np.empty(m)
    for r_i in range(m):
        yr = y[:, r_i]
        mu = float(yr.mean())
        var = float(yr.var())
        if var <= 0.0:
            fitted[:, r_i] = mu
            edf[r_i] = 1.0
            ratio[r_i] = np.inf
            continue
        theta = _gp_hyperparameters(d2, (yr[idx] - mu) / np.sqrt(var), d)
        f_r, edf[r_i] = _gp_subset_of_regressors(theta, xs, xind, (yr - mu) / np.sqrt(var))
        # keep the fitted mean equal to the sample mean, as a smoother with an intercept does
        fitted[:, r_i] = mu + np.sqrt(var) * (f_r - f_r.mean())
        ratio[r_i] = np.exp(theta[1]) / np.exp(theta[0])
    resid = y - fitted
    r2 = _r_squared(y, np.einsum("ij,ij->j", resid, resid))
    empty = np.empty((0, 0))
    return PenalizedFit(
        q=empty,
        coef=empty,
        coef_sqrt_cov=np.empty((0, 0, 0)),
        residual_corr=np.eye(m),
        fitted=fitted,
        edf=edf,
        r_squared=r2,
        smoothing=ratio,
        n_terms=m_ind,
    )


#: Bounds of the log signal variance, log noise variance and log length-scales of the GP
#: (standardised response and parameters).
_GP_LOG_BOUNDS = ((-8.0, 4.0), (-10.0, 2.0), (-4.0, 5.0))
#: Iteration cap of the marginal-likelihood optimisation.
_GP_MAX_ITER = 100
#: Jitter added to the diagonal, as a share of the mean diagonal, for a stable Cholesky factor.
_GP_JITTER = 1e-8


def _gp_standardised_subsample(
    x: FloatArray, n_subsample: int, rng: np.random.Generator
) -> tuple[FloatArray, NDArray[np.intp]]:
    """Parameters standardised to mean 0 and SD 1 (constant columns only centred), and the rows
    of a random subsample of ``max(n_subsample, 10)`` rows (all rows when fewer)."""
    n = x.shape[0]
    sd = x.std(axis=0)
    sd[sd == 0.0] = 1.0
    xs = (x - x.mean(axis=0)) / sd
    n_sub = int(min(n, max(n_subsample, 10)))
    idx = rng.choice(n, size=n_sub, replace=False) if n_sub < n else np.arange(n)
    return xs, idx


def _gp_hyperparameters(d2: FloatArray, y_std: FloatArray, d: int) -> FloatArray:
    """Maximum-marginal-likelihood ``theta = (log s2, log noise2, log ell_1..ell_d)`` of an ARD
    squared-exponential GP on a standardised subsample (``d2``: per-dimension squared
    distances ``(d, n_sub, n_sub)``), by L-BFGS-B from ``s2 = noise2 = 0.5``, ``ell = 1``."""
    from scipy import optimize

    theta0 = np.concatenate([[np.log(0.5), np.log(0.5)], np.zeros(d)])
    bounds = [_GP_LOG_BOUNDS[0], _GP_LOG_BOUNDS[1]] + [_GP_LOG_BOUNDS[2]] * d
    res = optimize.minimize(
        _gp_nlml,
        theta0,
        args=(d2, y_std),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": _GP_MAX_ITER},
    )
    return np.asarray(res.x, dtype=np.float64)


def _gp_subset_of_regressors(
    theta: FloatArray, xs: FloatArray, xind: FloatArray, y_std: FloatArray
) -> tuple[FloatArray, float]:
    """Posterior mean at all rows with inducing points ``xind`` and all responses ``y_std``:
    ``f = K_nm (noise K_mm + K_mn K_nm)^-1 K_mn y``, and its effective degrees of freedom
    ``1 + trace((noise K_mm + K_mn K_nm)^-1 K_mn K_nm)``."""
    s2 = np.exp(theta[0])
    n2 = np.exp(theta[1])
    ell2 = np.exp(2.0 * theta[2:])
    m_ind = xind.shape[0]
    kmm = s2 * np.exp(-0.5 * np.sum(_sq_dists(xind, xind) / ell2[:, None, None], axis=0))
    knm = s2 * np.exp(
        -0.5 * np.sum(((xs.T[:, :, None] - xind.T[:, None, :]) ** 2) / ell2[:, None, None], axis=0)
    )
    a = n2 * kmm + knm.T @ knm
    a += _GP_JITTER * np.trace(a) / m_ind * np.eye(m_ind)
    cf = linalg.cho_factor(a, lower=True, check_finite=False)
    beta = linalg.cho_solve(cf, knm.T @ y_std, check_finite=False)
    edf = 1.0 + float(np.trace(linalg.cho_solve(cf, knm.T @ knm, check_finite=False)))
    return knm @ beta, edf
