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
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from peer_econ.model.results import RunResult
from peer_econ.outputs.files import versions, write_csv
from peer_econ.outputs.run_files import RUN_INFO, TABLES

#: Extra writers (decision analysis, sensitivity, value of information, budget) called with
#: ``(result, folder)``: each writes its files and returns facts the report needs that are not
#: tables (e.g. the PSA size of its scenarios) as a mapping, or ``None``.
RunWriter = Callable[[RunResult, Path], Mapping[str, Any] | None]

#: Version of the layout of ``run_info.json`` (raised when a key changes meaning).
RUN_INFO_FORMAT = 1


class RunWarning(UserWarning):
    """A warning raised while writing a run, repeated once after the folder is in place."""


def write_gzip_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Gzip-compressed CSV with a zero timestamp in the header (byte-stable)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format="%.15g", lineterminator="\n")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(buffer.getvalue().encode("utf-8"))
    return path


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


def write_run_tables(result: RunResult, folder: Path) -> None:
    """Write the model tables of a run into ``folder``."""
    write_csv(deterministic_table(result), folder / TABLES["deterministic"])
    write_csv(result.summary(), folder / TABLES["headline"])
    write_csv(result.summary(trial_period=True), folder / TABLES["trial_period"])
    write_csv(result.psa_summary(), folder / TABLES["psa_summary"])
    write_csv(result.cost_items(), folder / TABLES["cost_items"])
    write_csv(result.payer_split(), folder / TABLES["payer_split"])
    write_csv(result.cost_consequence(), folder / TABLES["cost_consequence"])
    write_gzip_csv(result.samples(), folder / "psa_samples.csv.gz")
    write_csv(parameter_table(result), folder / TABLES["parameters"])


def call_writers(
    result: RunResult, folder: Path, writers: Sequence[RunWriter]
) -> tuple[dict[str, Any], list[str]]:
    """Call each writer; return the facts they report and the distinct warnings they raised."""
    facts: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for writer in writers:
            reported = writer(result, folder)
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
