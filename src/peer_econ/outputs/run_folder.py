"""The files of a PEER run folder: model tables, ``run_info.json`` and the run writers' hook.

Everything the report shows is written here as a file (tidy CSV tables with a fixed float
format, figures, and ``run_info.json`` with settings, labels and facts), so the report can be
rebuilt from the folder alone (:mod:`peer_econ.outputs.report`). Timestamps and timings live
only in ``manifest.json``, so the same inputs and seed give byte-identical files.
"""

from __future__ import annotations

import gzip
import io
import json
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from peer_econ.model.results import RunResult
from peer_econ.outputs.files import (
    escape_text_columns,
    peak_memory_mib,
    versions,
    write_csv,
    write_parquet_chunks,
)
from peer_econ.outputs.run_files import RUN_INFO, TABLES
from peer_econ.outputs.spool import release_spooled

#: Extra writers (decision analysis, sensitivity, value of information, budget) called with
#: ``(result, folder)``: each writes its files and returns facts the report needs that are not
#: tables (e.g. the PSA size of its scenarios) as a mapping, or ``None``.
RunWriter = Callable[[RunResult, Path], Mapping[str, Any] | None]

#: Formats of the per-sample table: Parquet (default; columnar, fast, compact) or gzip CSV.
SAMPLE_FORMATS = ("parquet", "csv")

#: File of the per-sample table in each format.
SAMPLE_FILES = {"parquet": "psa_samples.parquet", "csv": "psa_samples.csv.gz"}

#: Rows of the per-sample table written at a time (one Parquet row group each).
SAMPLE_ROWS_PER_CHUNK = 1_000_000

#: Version of the layout of ``run_info.json`` (raised when a key changes meaning).
RUN_INFO_FORMAT = 1


class RunWarning(UserWarning):
    """A warning raised while writing a run, repeated once after the folder is in place."""


def write_gzip_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Gzip-compressed CSV with a zero timestamp in the header (byte-stable)."""
    return write_gzip_csv_chunks(iter([frame]), path)


def write_gzip_csv_chunks(frames: Iterator[pd.DataFrame], path: Path) -> Path:
    """Gzip-compressed CSV written a chunk of rows at a time (header from the first chunk)."""
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        for number, frame in enumerate(frames):
            buffer = io.StringIO()
            escape_text_columns(frame).to_csv(
                buffer, index=False, header=number == 0, float_format="%.15g",
                lineterminator="\n",
            )  # fmt: skip
            handle.write(buffer.getvalue().encode("utf-8"))
    return path


def sample_chunks(result: RunResult, rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The per-sample table (columns of :meth:`RunResult.samples`) a chunk of rows at a time
    (default :data:`SAMPLE_ROWS_PER_CHUNK`), so ten million samples never sit in one frame."""
    rows = SAMPLE_ROWS_PER_CHUNK if rows is None else rows
    if result.n_samples <= rows:
        yield result.samples()
        return
    psa = result.psa
    names = result.inputs.parameters.uncertain_names()
    for start in range(0, result.n_samples, rows):
        part = slice(start, min(start + rows, result.n_samples))
        data: dict[str, np.ndarray] = {"sample": np.arange(part.start, part.stop)}
        data.update({f"cost_{s}": psa.cost[part, j] for j, s in enumerate(psa.strategies)})
        data.update({f"qaly_{s}": psa.qaly[part, j] for j, s in enumerate(psa.strategies)})
        data.update({name: np.asarray(result.draws[name])[part] for name in names})
        yield pd.DataFrame(data)
        release_spooled()


def deterministic_table(result: RunResult) -> pd.DataFrame:
    """``strategy, cost, qaly, inc_cost, inc_qaly, icer`` at the parameter means."""
    summary = result.summary()
    ref = result.psa.strategies.index(result.comparator)
    cost = summary["det_cost"].to_numpy(dtype=float)
    qaly = summary["det_qaly"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "strategy": summary["strategy"],
            "cost": cost,
            "qaly": qaly,
            "inc_cost": cost - cost[ref],
            "inc_qaly": qaly - qaly[ref],
            "icer": summary["det_icer"],
        }
    )


def parameter_table(result: RunResult) -> pd.DataFrame:
    """Every parameter as used (after ``--set``): base value, distribution with its mean, SD
    and central 95 % interval, one-way range, unit, price year, payer, module, VOI group,
    evidence tag, source and notes."""
    rows = []
    for spec in result.inputs.parameters.specs:
        dist = spec.distribution
        low, high = (spec.value, spec.value) if dist.is_fixed else dist.quantiles(0.025, 0.975)
        rows.append(
            {
                "name": spec.name,
                "value": spec.value,
                "distribution": dist.kind,
                "low": spec.low,
                "high": spec.high,
                "unit": spec.unit,
                "tag": spec.tag,
                "source": spec.source,
                "sd": float(dist.variance) ** 0.5,
                "p2_5": float(low),
                "p97_5": float(high),
                "price_year": spec.price_year,
                "payer": spec.payer,
                "module": spec.module,
                "voi_group": spec.voi_group,
                "notes": spec.notes,
            }
        )
    return pd.DataFrame(rows)


def write_run_tables(result: RunResult, folder: Path, *, samples_format: str = "parquet") -> None:
    """Write the model tables of a run into ``folder``.

    The per-sample table is ``psa_samples.parquet`` or, with ``samples_format="csv"``,
    ``psa_samples.csv.gz`` (same columns).
    """
    write_csv(deterministic_table(result), folder / TABLES["deterministic"])
    write_csv(result.summary(), folder / TABLES["headline"])
    write_csv(result.summary(trial_period=True), folder / TABLES["trial_period"])
    write_csv(result.psa_summary(), folder / TABLES["psa_summary"])
    write_csv(result.cost_items(), folder / TABLES["cost_items"])
    write_csv(result.payer_split(), folder / TABLES["payer_split"])
    write_csv(result.cost_consequence(), folder / TABLES["cost_consequence"])
    if samples_format == "csv":
        write_gzip_csv_chunks(sample_chunks(result), folder / SAMPLE_FILES["csv"])
    else:
        write_parquet_chunks(sample_chunks(result), folder / SAMPLE_FILES["parquet"])
    release_spooled()
    write_csv(parameter_table(result), folder / TABLES["parameters"])


class StageClock:
    """Wall time and peak memory after each stage of writing a run (manifest only).

    Parameters
    ----------
    on_stage : callable, optional
        Called with a label as each stage starts (progress display).
    """

    def __init__(self, on_stage: Callable[[str], None] | None = None) -> None:
        self._on_stage = on_stage
        self.timings: dict[str, float] = {}
        self.peaks: dict[str, float] = {}
        self._open: tuple[str, float] | None = None

    def start(self, key: str, label: str | None = None) -> None:
        """End the open stage and start ``key`` (shown as ``label``)."""
        self.stop()
        if self._on_stage is not None:
            self._on_stage(label or key.replace("_", " "))
        self._open = (key, time.perf_counter())

    def stop(self) -> None:
        """End the open stage: record its wall time [s] and the peak memory so far [MiB]."""
        if self._open is None:
            return
        key, began = self._open
        self.timings[key] = time.perf_counter() - began
        self.peaks[key] = peak_memory_mib()
        self._open = None


def writer_key(writer: RunWriter) -> str:
    """Stage key of a writer: its name without ``write_`` and ``_for_run``."""
    name = str(getattr(writer, "__name__", "writer"))
    return name.removeprefix("write_").removesuffix("_for_run")


def call_writers(
    result: RunResult,
    folder: Path,
    writers: Sequence[RunWriter],
    clock: StageClock | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Call each writer; return the facts they report and the distinct warnings they raised.

    With a ``clock``, each writer is a stage (timed, its peak memory recorded), and spooled
    pages are handed back between writers.
    """
    facts: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for writer in writers:
            if clock is not None:
                clock.start(writer_key(writer))
            reported = writer(result, folder)
            if clock is not None:
                clock.stop()
            release_spooled()
            if reported is None:
                continue
            if not isinstance(reported, Mapping):
                raise TypeError(
                    f"run writer {getattr(writer, '__name__', writer)!r} returned "
                    f"{type(reported).__name__}; a writer returns a mapping of facts or None"
                )
            facts.update(reported)
    notes = list(dict.fromkeys(str(w.message) for w in caught))
    return facts, notes


def labels_of(result: RunResult) -> dict[str, dict[str, dict[str, str]]]:
    """``{kind: {code: {language: label}}}`` from ``inputs/labels.csv``; strategies take their
    English label from ``strategies.csv``."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for kind, name, language, text in result.inputs.display.labels:
        out.setdefault(kind, {}).setdefault(name, {})[language] = text
    for strategy in result.inputs.strategies:
        out.setdefault("strategy", {}).setdefault(strategy.name, {})["en"] = strategy.label
    return {kind: dict(sorted(names.items())) for kind, names in sorted(out.items())}


def run_info(
    result: RunResult,
    *,
    command: str,
    language: str,
    facts: Mapping[str, Any],
    notes: Sequence[str],
    what_if: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Everything the report needs beside the tables (no timestamps: byte-stable)."""
    inputs = result.inputs
    vers = versions()
    return {
        "format": RUN_INFO_FORMAT,
        "command": command,
        "language": language,
        "n_samples": result.n_samples,
        "seed": result.seed,
        "comparator": result.comparator,
        "settings": inputs.settings.as_dict(),
        "strategies": [
            {
                "name": s.name,
                "label": s.label,
                "programme": s.programme,
                "paid_facilitators": s.paid_facilitators,
                "volunteer_facilitators": s.volunteer_facilitators,
                "companionship": s.companionship,
                "effect_multiplier": s.effect_multiplier,
                "description": s.description,
            }
            for s in inputs.strategies
        ],
        "cost_items": [
            {"item": c.item, "category": c.category, "payer": c.payer} for c in inputs.cost_items
        ],
        "labels": labels_of(result),
        "statements": dict(inputs.display.statements),
        "overrides": {k: float(v) for k, v in sorted(result.overrides.items())},
        "what_if": dict(what_if) if what_if else None,
        "facts": dict(facts),
        "warnings": list(notes),
        "input_files": [p.name for p in inputs.files],
        "versions": {k: vers[k] for k in ("peer_econ", "python", "numpy")},
    }


def write_run_info(info: Mapping[str, Any], folder: Path) -> Path:
    """Write ``run_info.json`` (sorted keys at the top level kept in insertion order)."""
    path = folder / RUN_INFO
    text = json.dumps(info, indent=2, ensure_ascii=False, allow_nan=False, default=_plain)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _plain(value: object) -> object:
    """JSON form of numpy scalars and tuples in facts."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"run_info.json cannot hold {type(value).__name__}")
