"""Parameter table and draws.

A :class:`ParameterTable` is an ordered, frozen mapping from parameter name to
:class:`ParameterSpec` (base value, PSA distribution, one-way range, unit, provenance). Sampling
returns :class:`Draws`: one array of shape ``(n_samples,)`` per parameter, sample axis first, so
row ``i`` of every parameter produced sample ``i`` of every model output.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from peer_econ._rng import RandomLike, check_rng
from peer_econ.errors import InputError
from peer_econ.parameters.distributions import Distribution, Fixed

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ParameterSpec:
    """One model input.

    Attributes
    ----------
    name : str
        Identifier used by the model.
    distribution : Distribution
        PSA distribution; its mean is the deterministic base value.
    low, high : float
        One-way sensitivity range [unit].
    unit : str
        Unit of the value (e.g. ``"DKK per session"``).
    price_year : int or None
        Price year of a monetary value.
    payer : str
        Payer of the cost the value prices ("" when not a unit cost).
    module : str
        ``model`` (enters the cost-utility model), ``population`` (VOI and budget impact) or
        ``display`` (currency conversion for display).
    voi_group : str
        Named group for EVPPI rankings ("" when ungrouped).
    source, tag, notes : str
        Provenance: citation, evidence tag (FV, FV-b, DR, AS) and free text.
    """

    name: str
    distribution: Distribution
    low: float
    high: float
    unit: str
    price_year: int | None = None
    payer: str = ""
    module: str = "model"
    voi_group: str = ""
    source: str = ""
    tag: str = ""
    notes: str = ""

    @property
    def value(self) -> float:
        """Deterministic base value: the mean of the PSA distribution."""
        return float(self.distribution.mean)

    @property
    def is_uncertain(self) -> bool:
        """True when the PSA distribution has positive variance."""
        return not self.distribution.is_fixed


@dataclass(frozen=True)
class Draws(Mapping[str, FloatArray]):
    """Parameter values for ``n_samples`` samples: name -> read-only array ``(n_samples,)``."""

    arrays: Mapping[str, FloatArray]
    n_samples: int
    #: True when the arrays were just created for this object (no defensive copy needed).
    _owned: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        frozen: dict[str, FloatArray] = {}
        for name, arr in self.arrays.items():
            a = np.asarray(arr, dtype=np.float64)
            if a.shape != (self.n_samples,):
                raise InputError(
                    f"parameter '{name}' has shape {a.shape}; expected ({self.n_samples},)"
                )
            if a.flags.writeable:
                a = a if self._owned else a.copy()
                a.flags.writeable = False
            frozen[name] = a
        object.__setattr__(self, "arrays", MappingProxyType(frozen))

    def __reduce__(self) -> tuple[type[Draws], tuple[dict[str, FloatArray], int]]:
        # Mapping proxies do not pickle; rebuild from a plain dict (for worker processes).
        return (Draws, (dict(self.arrays), self.n_samples))

    def __getitem__(self, name: str) -> FloatArray:
        try:
            return self.arrays[name]
        except KeyError:
            raise KeyError(f"no parameter '{name}' in draws") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.arrays)

    def __len__(self) -> int:
        return len(self.arrays)

    def with_values(self, overrides: Mapping[str, float | FloatArray]) -> Draws:
        """Copy with some parameters replaced by a constant or an array ``(n_samples,)``."""
        new = dict(self.arrays)
        for name, value in overrides.items():
            if name not in new:
                raise InputError(f"unknown parameter '{name}'")
            arr = np.asarray(value, dtype=np.float64)
            new[name] = np.broadcast_to(arr, (self.n_samples,)) if arr.ndim == 0 else arr
        return Draws(new, self.n_samples)

    def to_frame(self, names: Sequence[str] | None = None) -> pd.DataFrame:
        """Tidy wide table: one row per sample, one column per parameter."""
        cols = list(self.arrays) if names is None else list(names)
        return pd.DataFrame({n: np.asarray(self.arrays[n]) for n in cols})


def _broadcast_constant(value: float, n_samples: int) -> FloatArray:
    arr = np.broadcast_to(np.float64(value), (n_samples,))
    return arr


@dataclass(frozen=True)
class ParameterTable:
    """Ordered collection of :class:`ParameterSpec` with optional rank correlations.

    Parameters
    ----------
    specs : tuple of ParameterSpec
        In file order; names are unique.
    correlations : tuple of (str, str, float)
        Spearman rank correlations between pairs of parameters, induced by a Gaussian copula.
    """

    specs: tuple[ParameterSpec, ...]
    correlations: tuple[tuple[str, str, float], ...] = ()
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, int] = {}
        for i, spec in enumerate(self.specs):
            if spec.name in index:
                raise InputError(f"duplicate parameter name '{spec.name}'")
            index[spec.name] = i
        object.__setattr__(self, "_index", MappingProxyType(index))
        for a, b, rho in self.correlations:
            for name in (a, b):
                if name not in index:
                    raise InputError(f"correlation names unknown parameter '{name}'")
            if not -1.0 < rho < 1.0:
                raise InputError(f"correlation {a}~{b}: rho = {rho} must lie in (-1, 1)")

    def __reduce__(
        self,
    ) -> tuple[
        type[ParameterTable], tuple[tuple[ParameterSpec, ...], tuple[tuple[str, str, float], ...]]
    ]:
        return (ParameterTable, (self.specs, self.correlations))

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __getitem__(self, name: str) -> ParameterSpec:
        try:
            return self.specs[self._index[name]]
        except KeyError:
            raise InputError(
                f"unknown parameter '{name}'; see the names in inputs/parameters.csv"
            ) from None

    def __len__(self) -> int:
        return len(self.specs)

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names in table order."""
        return tuple(s.name for s in self.specs)

    def select(self, module: str) -> ParameterTable:
        """Sub-table of the parameters whose ``module`` matches (correlations kept if inside)."""
        specs = tuple(s for s in self.specs if s.module == module)
        names = {s.name for s in specs}
        corr = tuple(c for c in self.correlations if c[0] in names and c[1] in names)
        return ParameterTable(specs, corr)

    def uncertain_names(self) -> tuple[str, ...]:
        """Names of parameters with a non-degenerate PSA distribution."""
        return tuple(s.name for s in self.specs if s.is_uncertain)

    def with_fixed(self, values: Mapping[str, float]) -> ParameterTable:
        """Copy in which the named parameters are fixed at the given values (``--set``)."""
        specs = list(self.specs)
        for name, value in values.items():
            spec = self[name]
            specs[self._index[name]] = replace(
                spec,
                distribution=Fixed(float(value)),
                low=min(spec.low, float(value)),
                high=max(spec.high, float(value)),
                notes=f"{spec.notes} [fixed at {value} by the user]".strip(),
            )
        names = set(values)
        corr = tuple(c for c in self.correlations if c[0] not in names and c[1] not in names)
        return ParameterTable(tuple(specs), corr)

    def deterministic(self) -> Draws:
        """One-row draws at the base values (the distributions' means)."""
        return Draws({s.name: np.array([s.value]) for s in self.specs}, 1)

    def sample(self, n_samples: int, rng: RandomLike = None) -> Draws:
        """Draw ``n_samples`` PSA samples.

        Independent parameters use numpy's native generators in table order; correlated ones
        use a Gaussian copula (normal scores with the correlation that gives the requested
        Spearman rho, mapped through each parameter's ``ppf``). Fixed parameters are
        broadcast views (no memory per sample).

        Parameters
        ----------
        n_samples : int
            Number of samples (>= 1).
        rng : numpy.random.Generator, int or None
            Seed or generator, normalised once.

        Returns
        -------
        Draws
            Arrays of shape ``(n_samples,)``.
        """
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
            raise InputError(f"n_samples = {n_samples!r} must be a whole number >= 1")
        if n_samples < 1:
            raise InputError(f"n_samples = {n_samples} must be >= 1")
        gen = check_rng(rng)
        correlated = self._correlated_names()
        values: dict[str, FloatArray] = {}
        for spec in self.specs:
            if spec.name in correlated:
                continue
            if spec.distribution.is_fixed:
                values[spec.name] = _broadcast_constant(spec.value, n_samples)
            else:
                values[spec.name] = spec.distribution.sample(n_samples, gen)
        if correlated:
            values.update(self._sample_copula(correlated, n_samples, gen))
        ordered = {s.name: values[s.name] for s in self.specs}
        return Draws(ordered, n_samples, _owned=True)

    def _correlated_names(self) -> tuple[str, ...]:
        involved = {a for a, _, _ in self.correlations} | {b for _, b, _ in self.correlations}
        return tuple(s.name for s in self.specs if s.name in involved and s.is_uncertain)

    def correlation_matrix(self, names: Sequence[str]) -> FloatArray:
        """Normal-score (Pearson) correlation matrix for a Gaussian copula over ``names``.

        The Spearman rho of the table converts as r = 2 sin(pi rho / 6), the exact relation
        for a bivariate normal (Kruskal 1958), so the sampled rank correlation matches rho.
        """
        pos = {n: i for i, n in enumerate(names)}
        mat = np.eye(len(names))
        for a, b, rho in self.correlations:
            if a in pos and b in pos:
                r = 2.0 * np.sin(np.pi * rho / 6.0)
                mat[pos[a], pos[b]] = mat[pos[b], pos[a]] = r
        eig = np.linalg.eigvalsh(mat)
        if eig.min() <= 1e-10:
            raise InputError(
                "correlations.csv: the correlations are not jointly possible (matrix not "
                f"positive definite; smallest eigenvalue {eig.min():.3g})"
            )
        return mat

    def _sample_copula(
        self, names: Sequence[str], n_samples: int, gen: np.random.Generator
    ) -> dict[str, FloatArray]:
        chol = np.linalg.cholesky(self.correlation_matrix(names))
        z = gen.standard_normal((n_samples, len(names))) @ chol.T
        u = special.ndtr(z)
        return {n: self[n].distribution.ppf(u[:, j]) for j, n in enumerate(names)}
