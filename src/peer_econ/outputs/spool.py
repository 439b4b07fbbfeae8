"""Per-sample arrays of very large PSAs kept in memory-mapped files instead of memory.

A PSA of ten million samples holds about 3 GB of parameter draws and as much again of costs and
QALYs; together with the working memory of the analyses that exceeds what a small machine has.
The chunked pipeline (:func:`peer_econ.runs.pipeline.run` above
:data:`peer_econ.runs.pipeline.CHUNK_SAMPLES` samples) therefore writes each chunk's results into
arrays mapped from files, and the writers of a run call :func:`release_spooled` after each stage:
the pages a stage touched are handed back to the operating system (they stay on disk), so the
resident memory of a run is bounded by its largest stage, not by the whole PSA.

The files are unlinked as soon as they are mapped: nothing is left on disk when the process
ends, however it ends.
"""

from __future__ import annotations

import mmap
import os
import tempfile
import weakref
from pathlib import Path

import numpy as np
from numpy.lib.format import open_memmap
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Weak references to the spooled arrays of this process (released by :func:`release_spooled`);
#: arrays are unhashable, so a list of references rather than a weak set.
_LIVE: list[weakref.ref[np.memmap]] = []


def _alive() -> list[np.memmap]:
    arrays = [ref() for ref in _LIVE]
    _LIVE[:] = [ref for ref, array in zip(_LIVE, arrays, strict=True) if array is not None]
    return [array for array in arrays if array is not None]


def spooled_array(shape: tuple[int, ...], *, folder: Path | None = None) -> FloatArray:
    """A zero-filled float64 array backed by an anonymous (already unlinked) file.

    Parameters
    ----------
    shape : tuple of int
        E.g. ``(n_samples,)`` or ``(n_samples, n_strategies)``.
    folder : Path, optional
        Where the backing file is created (default: the system's temporary folder).

    Returns
    -------
    numpy.memmap
        Writable; mark it read-only (``flags.writeable = False``) once filled.
    """
    handle, name = tempfile.mkstemp(prefix="peer-econ-psa-", suffix=".npy", dir=folder)
    os.close(handle)
    try:
        array = open_memmap(name, mode="w+", dtype=np.float64, shape=shape)
    finally:
        os.unlink(name)  # the mapping keeps the data; the name is gone at once
    _LIVE.append(weakref.ref(array))
    return array


def release_spooled() -> None:
    """Hand the resident pages of every spooled array back to the operating system.

    Written pages are flushed to their file first; later reads fault them in again from the
    page cache or the disk, so values are unchanged.
    """
    for array in _alive():
        handle = getattr(array, "_mmap", None)
        if handle is None:
            continue
        if array.flags.writeable:
            array.flush()
        handle.madvise(mmap.MADV_DONTNEED)


def is_spooled(array: object) -> bool:
    """Whether ``array`` is, or is a view of, a spooled array."""
    alive = {id(a) for a in _alive()}
    base = array
    while base is not None:
        if id(base) in alive:
            return True
        base = getattr(base, "base", None)
    return False
