"""Random number generator normalisation: one place, used once per run."""

from __future__ import annotations

import numpy as np

from peer_econ.errors import InputError

RandomLike = np.random.Generator | int | np.integer | None


def check_rng(rng: RandomLike) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for a seed, a generator or ``None``.

    Parameters
    ----------
    rng : numpy.random.Generator, int or None
        A generator is returned unchanged; an int (0 included) seeds a new PCG64 generator;
        ``None`` gives fresh OS entropy (not reproducible).

    Raises
    ------
    InputError
        If ``rng`` is a negative integer or another type.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise InputError(f"seed {rng} is negative; use a whole number >= 0")
        return np.random.default_rng(int(rng))
    raise InputError(f"rng {rng!r} is not a seed; use a whole number >= 0 or a numpy Generator")
