"""Row-chunked evaluation of a design: serial, on local processes (``jobs``) or on Dask.

Sensitivity designs (one-way, two-way, threshold scans, Saltelli/Morris/delta designs) are
tables of independent rows. :func:`evaluate_rows` splits such a table into fixed chunks of rows,
evaluates a row function on each chunk and concatenates the results in order. The chunk
boundaries depend only on ``chunk_size`` and the number of rows, never on ``jobs`` or on the
scheduler, so a serial run, a process-pool run and a Dask run evaluate exactly the same arrays and
give bit-identical results.

The row function must be picklable for ``jobs > 1`` and for Dask (a module-level function or a
frozen dataclass with ``__call__`` such as :class:`peer_econ.model.adapter.PeerModel`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from peer_econ.errors import InputError

FloatArray = NDArray[np.float64]
RowResult = Any  # ndarray, tuple of ndarrays or mapping of str -> ndarray (sample axis first)
RowFunction = Callable[[Mapping[str, FloatArray]], RowResult]

#: Default number of rows per chunk: large enough to amortise Python overhead, small enough to
#: keep the model's temporaries (a few dozen arrays per strategy) in memory comfortably.
DEFAULT_CHUNK_SIZE = 65_536


@dataclass(frozen=True)
class ExecutionOptions:
    """Where and how a sweep is evaluated.

    Attributes
    ----------
    jobs : int
        Local worker processes (1 = in this process).
    scheduler : str or None
        Address of an existing Dask distributed scheduler (e.g. ``tcp://10.0.0.5:8786``);
        overrides ``jobs``.
    chunk_size : int
        Rows per chunk; results do not depend on it.
    """

    jobs: int = 1
    scheduler: str | None = None
    chunk_size: int = DEFAULT_CHUNK_SIZE

    def __post_init__(self) -> None:
        if isinstance(self.jobs, bool) or not isinstance(self.jobs, (int, np.integer)):
            raise InputError(f"--jobs {self.jobs!r}: use a whole number >= 1")
        if self.jobs < 1:
            raise InputError(f"--jobs {self.jobs}: use a whole number >= 1")
        if isinstance(self.chunk_size, bool) or not isinstance(self.chunk_size, (int, np.integer)):
            raise InputError(f"chunk_size {self.chunk_size!r}: use a whole number >= 1")
        if self.chunk_size < 1:
            raise InputError(f"chunk_size {self.chunk_size}: use a whole number >= 1")
        if self.scheduler is not None and not str(self.scheduler).strip():
            raise InputError("--scheduler: give an address such as tcp://host:8786")


# A chunk travels as (n_rows, {name: array or float}); constant columns go as one float.
_Packed = tuple[int, dict[str, FloatArray | float]]


def _is_constant(arr: FloatArray) -> bool:
    return arr.ndim == 1 and arr.shape[0] > 0 and arr.strides[0] == 0


def _pack(draws: Mapping[str, FloatArray], start: int, stop: int) -> _Packed:
    cols: dict[str, FloatArray | float] = {}
    for name, value in draws.items():
        arr = np.asarray(value)
        cols[name] = float(arr[0]) if _is_constant(arr) else np.ascontiguousarray(arr[start:stop])
    return stop - start, cols


def _unpack(packed: _Packed) -> dict[str, FloatArray]:
    n, cols = packed
    out: dict[str, FloatArray] = {}
    for name, value in cols.items():
        if isinstance(value, float):
            out[name] = np.broadcast_to(np.float64(value), (n,))
        else:
            out[name] = value
    return out


def _run_packed(func: RowFunction, packed: _Packed) -> RowResult:
    return func(_unpack(packed))


def n_rows(draws: Mapping[str, FloatArray]) -> int:
    """Number of rows of a design (the common length of its columns)."""
    lengths = {int(np.shape(v)[0]) for v in draws.values()}
    if len(lengths) != 1:
        raise InputError(f"design columns have different lengths {sorted(lengths)}")
    return lengths.pop()


def chunk_bounds(n: int, chunk_size: int) -> list[tuple[int, int]]:
    """Row ranges ``[(start, stop), ...]`` of consecutive chunks covering ``n`` rows."""
    return [(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]


def _concatenate(parts: Sequence[RowResult]) -> RowResult:
    first = parts[0]
    if isinstance(first, Mapping):
        return {key: np.concatenate([p[key] for p in parts], axis=0) for key in first}
    if isinstance(first, tuple):
        return tuple(np.concatenate([p[i] for p in parts], axis=0) for i in range(len(first)))
    return np.concatenate(list(parts), axis=0)


def _iter_serial(func: RowFunction, packs: Iterator[_Packed]) -> Iterator[RowResult]:
    for packed in packs:
        yield _run_packed(func, packed)


def evaluate_rows(
    func: RowFunction,
    draws: Mapping[str, FloatArray],
    *,
    options: ExecutionOptions | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> RowResult:
    """Evaluate ``func`` on every row of ``draws``, in chunks, and join the results in order.

    Parameters
    ----------
    func : callable
        ``func(draws_chunk) -> result`` where ``draws_chunk`` maps each name to an array
        ``(n_chunk,)`` and ``result`` is an ndarray with the sample axis first, a tuple of such
        arrays or a mapping of str to such arrays.
    draws : mapping of str to ndarray, each shape (n_rows,)
        The design, one row per evaluation. Constant columns (zero-stride broadcast views) are
        sent as one number.
    options : ExecutionOptions, optional
        Serial (default), ``jobs`` local processes or a Dask ``scheduler`` address.
    on_chunk : callable, optional
        Called with the number of rows of each finished chunk (progress bars).

    Returns
    -------
    Same structure as ``func`` returns, with ``n_rows`` along the first axis.

    Raises
    ------
    InputError
        If the design is empty or its columns differ in length, or Dask is requested but not
        installed.
    """
    opts = ExecutionOptions() if options is None else options
    n = n_rows(draws)
    if n == 0:
        raise InputError("the design has no rows to evaluate")
    # with several workers, split even a small design so every worker gets rows; the model is
    # row-wise, so the split never changes the results
    size = opts.chunk_size
    if opts.scheduler is not None or opts.jobs > 1:
        workers = opts.jobs if opts.scheduler is None else max(opts.jobs, 2)
        size = max(1, min(size, -(-n // workers)))
    bounds = chunk_bounds(n, size)
    packs = (_pack(draws, a, b) for a, b in bounds)
    parts: list[RowResult] = []
    if opts.scheduler is not None:
        results: Iterator[RowResult] = _iter_dask(func, packs, opts.scheduler)
    elif opts.jobs > 1 and len(bounds) > 1:
        results = _iter_processes(func, packs, opts.jobs)
    else:
        results = _iter_serial(func, packs)
    for (a, b), part in zip(bounds, results, strict=True):
        parts.append(part)
        if on_chunk is not None:
            on_chunk(b - a)
    return _concatenate(parts)


def _iter_processes(func: RowFunction, packs: Iterator[_Packed], jobs: int) -> Iterator[RowResult]:
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_run_packed, func, packed) for packed in packs]
        for fut in futures:
            yield fut.result()


def _iter_dask(func: RowFunction, packs: Iterator[_Packed], address: str) -> Iterator[RowResult]:
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise InputError(
            f"--scheduler {address}: dask.distributed is not installed; "
            "install the extra with pip install 'peer_econ[dask]'"
        ) from None
    try:
        client = Client(address, set_as_default=False, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(
            f"--scheduler {address}: cannot reach a Dask scheduler there ({exc})"
        ) from None
    with client:
        remote_func = client.scatter(func, broadcast=True)
        futures = [client.submit(_run_packed, remote_func, packed, pure=False) for packed in packs]
        for fut in futures:
            yield fut.result()
