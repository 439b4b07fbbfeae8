"""Writes a PEER run folder ``reports/<run-id>/`` atomically (the only writer of results).

Tables are tidy CSVs with a fixed float format, so the same inputs and seed give byte-identical
tables; timestamps and timings live only in ``manifest.json``.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from peer_econ.output import atomic_output_dir, default_run_dir, write_csv, write_manifest
from peer_econ.pipeline import RunResult

#: Extra writers (e.g. decision-analysis tables and figures) called with (result, folder).
RunWriter = Callable[[RunResult, Path], None]


def write_gzip_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Gzip-compressed CSV with a zero timestamp in the header (byte-stable)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format="%.10g", lineterminator="\n")
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


def write_run_tables(result: RunResult, folder: Path) -> None:
    """Write the model tables of a run into ``folder``."""
    write_csv(deterministic_table(result), folder / "deterministic.csv")
    write_csv(result.summary(), folder / "headline.csv")
    write_csv(result.summary(trial_period=True), folder / "trial_period.csv")
    write_csv(result.psa_summary(), folder / "psa_summary.csv")
    write_csv(result.cost_items(), folder / "cost_items.csv")
    write_csv(result.payer_split(), folder / "payer_split.csv")
    write_csv(result.cost_consequence(), folder / "cost_consequence.csv")
    write_gzip_csv(result.samples(), folder / "psa_samples.csv.gz")
    params = pd.DataFrame(
        [
            {
                "name": s.name,
                "value": s.value,
                "distribution": s.distribution.kind,
                "low": s.low,
                "high": s.high,
                "unit": s.unit,
                "tag": s.tag,
                "source": s.source,
            }
            for s in result.inputs.parameters.specs
        ]
    )
    write_csv(params, folder / "parameters_used.csv")


def write_run(
    result: RunResult,
    out: Path | None = None,
    *,
    command: str = "run",
    writers: tuple[RunWriter, ...] = (),
) -> Path:
    """Write every table of ``result`` (and extra writers' output) to ``out`` atomically.

    Parameters
    ----------
    result : RunResult
        Output of :func:`peer_econ.pipeline.run`.
    out : Path, optional
        Target folder (default a new ``reports/<timestamp>-run-<hash>/``).
    command : str
        Command name recorded in the manifest.
    writers : tuple of callables
        Further writers called as ``writer(result, folder)`` inside the temporary folder.

    Returns
    -------
    Path
        The folder written.
    """
    target = default_run_dir(Path("reports"), command) if out is None else Path(out)
    with atomic_output_dir(target) as folder:
        write_run_tables(result, folder)
        for writer in writers:
            writer(result, folder)
        write_manifest(
            folder,
            command=command,
            seed=result.seed,
            n_samples=result.n_samples,
            inputs=list(result.inputs.files),
            wall_time_s=result.wall_time_s,
            extra={
                "settings": result.inputs.settings.as_dict(),
                "overrides": dict(result.overrides),
                "strategies": list(result.psa.strategies),
            },
        )
    return target
