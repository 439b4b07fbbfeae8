"""``peer-econ analyse``: the decision analysis of a PSA brought as CSV files."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from peer_econ.analysis.cea import PSA, validate_wtp
from peer_econ.errors import MAX_ABS_VALUE, InputError
from peer_econ.inputs.options import MAX_WTP_POINTS
from peer_econ.inputs.psa_files import PSAFiles, PSATable, read_psa_files
from peer_econ.outputs.cea_tables import (
    DEFAULT_WTP,
    CEAOutputs,
    Population,
    write_cea_outputs,
    write_evppi_table,
)
from peer_econ.outputs.files import atomic_output_dir, default_run_dir, write_manifest

FloatArray = NDArray[np.float64]


def analyse_csv(
    cost: Path | str,
    effect: Path | str,
    *,
    parameters: Path | str | None = None,
    wtp: str | ArrayLike | None = None,
    out: Path | str | None = None,
    figures: bool = True,
    population: Population | None = None,
    command: str = "analyse",
    evppi_specs: Sequence[str] = (),
    force: bool = False,
) -> CEAOutputs:
    """``peer-econ analyse``: read a PSA from CSV files and write its decision analysis.

    Everything is validated before anything is written; the output folder appears only when
    everything succeeded (:func:`peer_econ.outputs.files.atomic_output_dir`).

    Parameters
    ----------
    cost, effect : Path or str
        CSV files: header of strategy names, one row per PSA sample (see
        :mod:`peer_econ.inputs.psa_files`).
    parameters : Path or str, optional
        Parameter draws, one row per sample; validated (same row count as ``cost``) and recorded
        in the manifest for value-of-information analyses.
    wtp : str or array_like, optional
        ``"a,b,c"`` or ``"start:stop:step"`` (inclusive), or the values; default
        :data:`DEFAULT_WTP`.
    out : Path or str, optional
        Output folder; default a new folder under ``reports/``. It may not be, contain or lie
        inside the folder of an input file.
    figures : bool
        Write the figures too.
    population : Population, optional
        Adds population EVPI (``evpi.csv`` column ``population_evpi`` and the EVPI figure).
    command : str
        Command name recorded in the manifest.
    evppi_specs : sequence of str
        ``--evppi`` values (see :func:`parse_evppi_specs`).
    force : bool
        Replace ``out`` if it holds a previous peer_econ output.

    Returns
    -------
    CEAOutputs
        ``folder`` is the final output folder. Raises InputError on any problem with the
        files, the WTP specification or the output folder.
    """
    started = time.perf_counter()
    files = read_psa_files(cost, effect, parameters)
    grid = _wtp_grid(wtp)
    factor = _population_factor(population)
    psa = PSA(files.cost.values, files.effect.values, files.strategies)
    target = Path(out) if out is not None else default_run_dir(Path("reports"), "analyse")
    groups = parse_evppi_specs(evppi_specs, files.parameters)
    inputs = [t.path for t in (files.cost, files.effect, files.parameters) if t is not None]
    with atomic_output_dir(target, force=force, protect=inputs if out is not None else ()) as tmp:
        result = write_cea_outputs(tmp, psa, wtp=grid, figures=figures, population=population)
        if groups:
            evppi_file = write_evppi_table(tmp, psa, files.parameters, groups, grid)
            result = replace(result, files=(*result.files, evppi_file))
        write_manifest(
            tmp,
            command=command,
            seed=None,
            n_samples=psa.n_samples,
            inputs=inputs,
            wall_time_s=time.perf_counter() - started,
            extra=_manifest_extra(files, psa, result, wtp, population, factor, groups),
        )
    return CEAOutputs(
        folder=target,
        files=tuple(target / p.name for p in result.files),
        psa=result.psa,
        curves=result.curves,
        icers=result.icers,
        summary=result.summary,
    )


def _wtp_grid(wtp: str | ArrayLike | None) -> FloatArray:
    """The WTP grid from a ``--wtp`` text, values, or :data:`DEFAULT_WTP` [currency per QALY]."""
    if wtp is None:
        return DEFAULT_WTP
    if isinstance(wtp, str):
        return parse_wtp_spec(wtp)
    return validate_wtp(wtp, label="--wtp")


def _population_factor(population: Population | None) -> float | None:
    """Discounted population of the EVPI, checked before anything is written."""
    if population is None:
        return None
    try:
        return population.factor
    except InputError as exc:
        raise InputError([f"population: {p}" for p in exc.problems]) from None


def _manifest_extra(
    files: PSAFiles,
    psa: PSA,
    result: CEAOutputs,
    wtp: str | ArrayLike | None,
    population: Population | None,
    factor: float | None,
    groups: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """What the manifest of ``analyse`` records beyond the common fields: strategies, WTP
    grid, index columns dropped, parameter file, population, EVPPI groups, notes, files."""
    tables = (("cost", files.cost), ("effect", files.effect), ("parameters", files.parameters))
    return {
        "strategies": list(psa.strategies),
        "n_strategies": psa.n_strategies,
        "wtp": {
            "n": int(np.size(result.curves.wtp)),
            "min": float(result.curves.wtp[0]),
            "max": float(result.curves.wtp[-1]),
            "spec": wtp if isinstance(wtp, str) else None,
        },
        "index_columns_dropped": {
            label: tab.index_column
            for label, tab in tables
            if tab is not None and tab.index_column is not None
        },
        "parameters": None
        if files.parameters is None
        else {"file": files.parameters.path.as_posix(), "names": list(files.parameters.columns)},
        "population": None
        if population is None
        else {
            "per_year": population.per_year,
            "horizon_years": population.horizon_years,
            "discount_rate": population.discount_rate,
            "discounted_population": factor,
            "convention": "annual cohorts, discounted at the start of each year",
        },
        "evppi": {name: list(cols) for name, cols in groups.items()},
        "notes": list(files.notes),
        "files": sorted(p.name for p in result.files) + ["manifest.json"],
    }


def parse_evppi_specs(
    specs: Sequence[str], parameters: PSATable | None
) -> dict[str, tuple[str, ...]]:
    """``--evppi`` values -> named groups: ``each`` (every column alone) or ``a+b+c``.

    Raises
    ------
    InputError
        ``--evppi`` without ``--parameters``, or an unknown parameter name.
    """
    if not specs:
        return {}
    if parameters is None:
        raise InputError("--evppi needs --parameters FILE with the parameter draws")
    names = parameters.columns
    groups: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        if spec.strip() == "each":
            groups.update({n: (n,) for n in names})
            continue
        members = tuple(m.strip() for m in spec.split("+"))
        unknown = [m for m in members if m not in names]
        if unknown or not all(members):
            raise InputError(
                f"--evppi {spec!r}: unknown parameter(s) {unknown} in {parameters.path}; "
                f"columns are {list(names)}"
            )
        groups["+".join(members)] = members
    return groups


def _number(text: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"--wtp {spec!r}: {text.strip()!r} is not a number; give a comma list "
            "(0,20000,50000) or start:stop:step (0:1000000:10000)"
        ) from None
    if not math.isfinite(value):
        raise InputError(f"--wtp {spec!r}: {text.strip()!r} is not finite; give finite numbers")
    if abs(value) > MAX_ABS_VALUE:
        raise InputError(
            f"--wtp {spec!r}: {text.strip()!r} exceeds the limit of {MAX_ABS_VALUE:g} DKK/QALY"
        )
    return value


def parse_wtp_spec(spec: str) -> FloatArray:
    """Parse a WTP grid: a comma list ``"0,20000,50000"`` or ``"start:stop:step"`` (inclusive).

    Parameters
    ----------
    spec : str
        The specification. ``start:stop:step`` includes ``stop`` when it lies on the grid (to a
        relative tolerance of 1e-9 of the step).

    Returns
    -------
    numpy.ndarray, shape (n_wtp,)
        Willingness-to-pay values [currency/effect unit], >= 0 and strictly increasing.

    Raises
    ------
    InputError
        Not numbers, negative values, a non-increasing list, step <= 0, stop < start, or more
        than :data:`~peer_econ.inputs.options.MAX_WTP_POINTS` points.
    """
    from peer_econ.analysis.cea import validate_wtp

    text = spec.strip()
    if not text:
        raise InputError("--wtp is empty; give a comma list or start:stop:step")
    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise InputError(
                f"--wtp {spec!r}: a range needs three parts start:stop:step, got {len(parts)}"
            )
        start, stop, step = (_number(p, spec) for p in parts)
        if start < 0:
            raise InputError(f"--wtp {spec!r}: start {start:g} is negative; WTP must be >= 0")
        if step <= 0:
            raise InputError(f"--wtp {spec!r}: step {step:g} must be > 0")
        if stop < start:
            raise InputError(f"--wtp {spec!r}: stop {stop:g} is below start {start:g}")
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_WTP_POINTS:
            raise InputError(
                f"--wtp {spec!r}: {count} points; at most {MAX_WTP_POINTS} are allowed"
            )
        values = start + step * np.arange(count, dtype=np.float64)
        if abs(values[-1] - stop) <= 1e-9 * step:
            values[-1] = stop
        return validate_wtp(values, label=f"--wtp {spec!r}")
    items: Sequence[str] = text.split(",")
    values = np.asarray([_number(item, spec) for item in items], dtype=np.float64)
    return validate_wtp(values, label=f"--wtp {spec!r}")
