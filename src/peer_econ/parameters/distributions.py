"""Probability distributions for parameters, as frozen dataclasses.

Every distribution has ``mean``, ``variance``, ``ppf(u)`` (inverse CDF, vectorised) and
``sample(n_samples, rng)``. Sampling uses numpy's native generators; ``ppf`` serves the Gaussian
copula for correlated parameters and the unit-cube designs of global sensitivity analysis.
Constructors ``from_mean_se`` use the method of moments (Briggs, Claxton & Sculpher 2006, ch. 4).

References
----------
Briggs A, Claxton K, Sculpher M. Decision Modelling for Health Economic Evaluation. Oxford
University Press; 2006.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from peer_econ.errors import InputError

FloatArray = NDArray[np.float64]


def _finite(name: str, **values: float) -> None:
    for key, value in values.items():
        if not math.isfinite(value):
            raise InputError(f"{name}: {key} = {value!r} is not a finite number")


def _as_unit(u: ArrayLike) -> FloatArray:
    arr = np.asarray(u, dtype=np.float64)
    if np.any(~((arr >= 0.0) & (arr <= 1.0))):
        raise InputError("ppf takes probabilities in [0, 1] (NaN is not allowed)")
    return arr


@dataclass(frozen=True)
class Distribution(ABC):
    """Base class: a univariate distribution of one parameter."""

    kind: ClassVar[str] = "distribution"

    @property
    @abstractmethod
    def mean(self) -> float:
        """Expected value [unit of the parameter]."""

    @property
    @abstractmethod
    def variance(self) -> float:
        """Variance [unit squared]."""

    @property
    def is_fixed(self) -> bool:
        """True when the distribution puts all mass on one value."""
        return self.variance == 0.0

    @property
    def support(self) -> tuple[float, float]:
        """Closed interval outside which the density is zero."""
        return (-math.inf, math.inf)

    @abstractmethod
    def ppf(self, u: ArrayLike) -> FloatArray:
        """Inverse CDF at probabilities ``u`` (any shape, values in [0, 1])."""

    def sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        """Draw ``n_samples`` independent values, shape ``(n_samples,)``."""
        return self.ppf(rng.random(n_samples))

    def quantiles(self, low: float, high: float) -> tuple[float, float]:
        """Values at the probabilities ``low`` and ``high`` (e.g. 0.025, 0.975)."""
        q = self.ppf(np.array([low, high]))
        return float(q[0]), float(q[1])


@dataclass(frozen=True)
class Fixed(Distribution):
    """A constant: no uncertainty."""

    value: float
    kind: ClassVar[str] = "fixed"

    def __post_init__(self) -> None:
        _finite("fixed", value=self.value)

    @property
    def mean(self) -> float:
        return float(self.value)

    @property
    def variance(self) -> float:
        return 0.0

    @property
    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def ppf(self, u: ArrayLike) -> FloatArray:
        return np.full(np.shape(_as_unit(u)), float(self.value))

    def sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        return np.full(n_samples, float(self.value))


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal distribution with mean ``mu`` and standard deviation ``sd`` (> 0)."""

    mu: float
    sd: float
    kind: ClassVar[str] = "normal"

    def __post_init__(self) -> None:
        _finite("normal", mu=self.mu, sd=self.sd)
        if self.sd <= 0:
            raise InputError(f"normal: sd = {self.sd} must be > 0")

    @property
    def mean(self) -> float:
        return float(self.mu)

    @property
    def variance(self) -> float:
        return float(self.sd) ** 2

    def ppf(self, u: ArrayLike) -> FloatArray:
        return self.mu + self.sd * special.ndtri(_as_unit(u))

    def sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        return rng.normal(self.mu, self.sd, n_samples)


@dataclass(frozen=True)
class TruncatedNormal(Distribution):
    """Normal(``mu``, ``sd``) truncated to [``lower``, ``upper``] (either may be infinite).

    ``mu`` and ``sd`` describe the parent normal; ``mean`` is the truncated mean.
    """

    mu: float
    sd: float
    lower: float
    upper: float
    kind: ClassVar[str] = "truncnormal"

    def __post_init__(self) -> None:
        _finite("truncnormal", mu=self.mu, sd=self.sd)
        if self.sd <= 0:
            raise InputError(f"truncnormal: sd = {self.sd} must be > 0")
        if not self.lower < self.upper:
            raise InputError(
                f"truncnormal: lower = {self.lower} must be below upper = {self.upper}"
            )
        if self._mass <= 1e-12:
            raise InputError(
                f"truncnormal: [{self.lower}, {self.upper}] holds no probability mass of "
                f"Normal({self.mu}, {self.sd})"
            )

    @property
    def _alpha(self) -> float:
        return (self.lower - self.mu) / self.sd

    @property
    def _beta(self) -> float:
        return (self.upper - self.mu) / self.sd

    @property
    def _mass(self) -> float:
        return float(special.ndtr(self._beta) - special.ndtr(self._alpha))

    @property
    def mean(self) -> float:
        return float(stats.truncnorm.mean(self._alpha, self._beta, loc=self.mu, scale=self.sd))

    @property
    def variance(self) -> float:
        return float(stats.truncnorm.var(self._alpha, self._beta, loc=self.mu, scale=self.sd))

    @property
    def support(self) -> tuple[float, float]:
        return (self.lower, self.upper)

    def ppf(self, u: ArrayLike) -> FloatArray:
        values = stats.truncnorm.ppf(
            _as_unit(u), self._alpha, self._beta, loc=self.mu, scale=self.sd
        )
        # scipy can land a few ulps outside the bounds in the extreme tails.
        return np.clip(np.asarray(values, dtype=np.float64), self.lower, self.upper)


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Log-normal: ``log(X) ~ Normal(meanlog, sdlog)``."""

    meanlog: float
    sdlog: float
    kind: ClassVar[str] = "lognormal"

    def __post_init__(self) -> None:
        _finite("lognormal", meanlog=self.meanlog, sdlog=self.sdlog)
        if self.sdlog <= 0:
            raise InputError(f"lognormal: sdlog = {self.sdlog} must be > 0")

    @classmethod
    def from_mean_se(cls, mean: float, se: float) -> LogNormal:
        """Method of moments: sigma^2 = ln(1 + se^2/mean^2), mu = ln(mean) - sigma^2/2."""
        _finite("lognormal", mean=mean, se=se)
        if mean <= 0:
            raise InputError(f"lognormal: mean = {mean} must be > 0")
        if se <= 0:
            raise InputError(f"lognormal: se = {se} must be > 0")
        sigma2 = math.log1p(se**2 / mean**2)
        return cls(math.log(mean) - sigma2 / 2.0, math.sqrt(sigma2))

    @property
    def mean(self) -> float:
        return math.exp(self.meanlog + self.sdlog**2 / 2.0)

    @property
    def variance(self) -> float:
        return math.expm1(self.sdlog**2) * math.exp(2 * self.meanlog + self.sdlog**2)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def ppf(self, u: ArrayLike) -> FloatArray:
        return np.exp(self.meanlog + self.sdlog * special.ndtri(_as_unit(u)))

    def sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        return rng.lognormal(self.meanlog, self.sdlog, n_samples)


@dataclass(frozen=True)
class Gamma(Distribution):
    """Gamma with ``shape`` k > 0 and ``scale`` theta > 0 (mean k theta)."""

    shape: float
    scale: float
    kind: ClassVar[str] = "gamma"

    def __post_init__(self) -> None:
        _finite("gamma", shape=self.shape, scale=self.scale)
        if self.shape <= 0 or self.scale <= 0:
            raise InputError(
                f"gamma: shape = {self.shape} and scale = {self.scale} must both be > 0"
            )

    @classmethod
    def from_mean_se(cls, mean: float, se: float) -> Gamma:
        """Method of moments: shape = mean^2/se^2, scale = se^2/mean."""
        _finite("gamma", mean=mean, se=se)
        if mean <= 0:
            raise InputError(f"gamma: mean = {mean} must be > 0")
        if se <= 0:
            raise InputError(f"gamma: se = {se} must be > 0")
        return cls(mean**2 / se**2, se**2 / mean)

    @property
    def mean(self) -> float:
        return self.shape * self.scale

    @property
    def variance(self) -> float:
        return self.shape * self.scale**2

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def ppf(self, u: ArrayLike) -> FloatArray:
        return self.scale * special.gammaincinv(self.shape, _as_unit(u))

    def sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        return rng.gamma(self.shape, self.scale, n_samples)


@dataclass(frozen=True)
class Beta(Distribution):
    """Beta(``alpha``, ``beta``) on [``lower``, ``upper``] (default [0, 1]).

    A rescaled beta, ``lower + (upper - lower) * Beta(alpha, beta)``, carries bounded quantities
    such as the mapping attenuation lambda = 0.3 + 0.7 Beta(2, 5).
    """

    alpha: float
    beta: float
    lower: float = 0.0
    upper: float = 1.0
    kind: ClassVar[str] = "beta"

    def __post_init__(self) -> None:
        _finite("beta", alpha=self.alpha, beta=self.beta, lower=self.lower, upper=self.upper)
        if self.alpha <= 0 or self.beta <= 0:
            raise InputError(f"beta: alpha = {self.alpha} and beta = {self.beta} must both be > 0")
        if not self.lower < self.upper:
            raise InputError(f"beta: lower = {self.lower} must be below upper = {self.upper}")

    @classmethod
    def from_mean_se(cls, mean: float, se: float) -> Beta:
        """Method of moments on [0, 1]: alpha = m (m(1-m)/s^2 - 1), beta = (1-m)(m(1-m)/s^2 - 1).

        Raises
        ------
        InputError
            If the mean is not in (0, 1) or ``se**2 >= mean * (1 - mean)``.
        """
        _finite("beta", mean=mean, se=se)
        if not 0.0 < mean < 1.0:
            raise InputError(f"beta: mean = {mean} must lie strictly between 0 and 1")
        if se <= 0:
            raise InputError(f"beta: se = {se} must be > 0")
        if se**2 >= mean * (1.0 - mean):
            raise InputError(
                f"beta: se = {se} is too large for mean {mean}; "
                f"se must be below sqrt(mean*(1-mean)) = {math.sqrt(mean * (1 - mean)):.6g}"
            )
        common = mean * (1.0 - mean) / se**2 - 1.0
        return cls(mean * common, (1.0 - mean) * common)

    @property
    def _width(self) -> float:
        return self.upper - self.lower

    @property
    def mean(self) -> float:
        return self.lower + self._width * self.alpha / (self.alpha + self.beta)

    @property
    def variance(self) -> float:
        a, b = self.alpha, self.beta
        return self._width**2 * a * b / ((a + b) ** 2 * (a + b + 1.0))

    @property
    def support(self) -> tuple[float, float]:
        return (self.lower, self.upper)

    def ppf(self, u: ArrayLike) -> FloatArray:
        p = _as_unit(u)
        x = special.betaincinv(self.alpha, self.beta, p)
        # betaincinv underflows to NaN far in the lower tail; there I_x(a, b) ~ x^a / (a B(a, b)).
        tail = np.isnan(x) & (p < 0.5)
        if np.any(tail):
            log_x = np.log(p[tail]) + np.log(self.alpha) + special.betaln(self.alpha, self.beta)
            x = np.array(x, dtype=np.float64, copy=True)
            x[tail] = np.exp(log_x / self.alpha)
        return self.lower + self._width * x

    def sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        x = rng.beta(self.alpha, self.beta, n_samples)
        if self.lower == 0.0 and self.upper == 1.0:
            return x
        x *= self._width
        x += self.lower
        return x


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [``low``, ``high``]."""

    low: float
    high: float
    kind: ClassVar[str] = "uniform"

    def __post_init__(self) -> None:
        _finite("uniform", low=self.low, high=self.high)
        if not self.low < self.high:
            raise InputError(f"uniform: low = {self.low} must be below high = {self.high}")

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2.0

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12.0

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def ppf(self, u: ArrayLike) -> FloatArray:
        return self.low + (self.high - self.low) * _as_unit(u)

    def sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        return rng.uniform(self.low, self.high, n_samples)


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular with minimum ``low``, ``mode`` and maximum ``high``."""

    low: float
    mode: float
    high: float
    kind: ClassVar[str] = "triangular"

    def __post_init__(self) -> None:
        _finite("triangular", low=self.low, mode=self.mode, high=self.high)
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise InputError(
                f"triangular: need low <= mode <= high with low < high; got "
                f"low = {self.low}, mode = {self.mode}, high = {self.high}"
            )

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def ppf(self, u: ArrayLike) -> FloatArray:
        p = _as_unit(u)
        a, c, b = self.low, self.mode, self.high
        split = (c - a) / (b - a)
        left = a + np.sqrt(p * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - p) * (b - a) * (b - c))
        return np.where(p < split, left, right)

    def sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        if self.mode in (self.low, self.high):
            return self.ppf(rng.random(n_samples))
        return rng.triangular(self.low, self.mode, self.high, n_samples)


@dataclass(frozen=True)
class Dirichlet:
    """Dirichlet over ``k`` proportions that sum to one (e.g. a split of resource use).

    Parameters
    ----------
    alpha : tuple of float
        Concentrations, all > 0; from counts use ``alpha_i = n_i``.
    """

    alpha: tuple[float, ...]
    kind: ClassVar[str] = "dirichlet"

    def __post_init__(self) -> None:
        if len(self.alpha) < 2:
            raise InputError(f"dirichlet: needs at least 2 categories, got {len(self.alpha)}")
        for i, a in enumerate(self.alpha):
            if not (math.isfinite(a) and a > 0):
                raise InputError(f"dirichlet: alpha[{i}] = {a} must be a finite number > 0")

    @classmethod
    def from_proportions(cls, proportions: ArrayLike, total: float) -> Dirichlet:
        """Concentrations ``alpha_i = p_i * total`` from proportions summing to 1 and a total."""
        p = np.asarray(proportions, dtype=np.float64)
        if not math.isclose(float(p.sum()), 1.0, rel_tol=0, abs_tol=1e-9):
            raise InputError(f"dirichlet: proportions sum to {p.sum():.6g}, not 1")
        if total <= 0:
            raise InputError(f"dirichlet: total = {total} must be > 0")
        return cls(tuple(float(x) for x in p * total))

    @property
    def mean(self) -> FloatArray:
        """Expected proportions, shape ``(k,)``."""
        a = np.asarray(self.alpha, dtype=np.float64)
        return a / a.sum()

    def sample(self, n_samples: int, rng: np.random.Generator) -> FloatArray:
        """Draw proportions, shape ``(n_samples, k)``; rows sum to 1."""
        return rng.dirichlet(np.asarray(self.alpha, dtype=np.float64), n_samples)

    def marginal(self, i: int) -> Beta:
        """Marginal of component ``i``: Beta(alpha_i, sum(alpha) - alpha_i)."""
        total = float(sum(self.alpha))
        return Beta(self.alpha[i], total - self.alpha[i])
