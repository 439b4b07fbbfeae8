"""The run folder and its report: ``write_run`` writes the folder, the report is read from it.

``write_run`` writes every table and ``run_info.json`` of a run, draws the figures from those
files in the run's language (:mod:`.figures`), then builds ``report.html`` by reading the folder
back (:func:`build_report`), exactly as ``peer-econ report RUN_DIR`` does later: the two give the
same bytes. A report in another language draws its figures again from the same files.

Layout of the package: :mod:`.tables` reads a folder into :class:`RunTables`; :mod:`.sections`
builds each section from the tables and a :class:`~peer_econ.outputs.language.Language`
(one module per section); :mod:`.render` turns the sections into HTML through the Jinja2
templates of ``templates/`` (autoescaped); :mod:`.pdf` prints it to A4 through headless
Chromium.

References
----------
Husereau D, Drummond M, Augustovski F, et al. Consolidated Health Economic Evaluation Reporting
Standards 2022 (CHEERS 2022) statement. Value Health 2022;25:3-9. doi:10.1016/j.jval.2021.11.1351
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from peer_econ.model.results import RunResult
from peer_econ.outputs.files import atomic_output_dir, default_run_dir, write_manifest
from peer_econ.outputs.language import Language, check_language
from peer_econ.outputs.report import sections
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.figures import in_language, write_run_figures
from peer_econ.outputs.report.tables import RunTables, read_run_folder
from peer_econ.outputs.run_files import REPORT
from peer_econ.outputs.run_folder import (
    SAMPLE_FILES,
    SAMPLE_FORMATS,
    RunWarning,
    RunWriter,
    StageClock,
    call_writers,
    deterministic_table,
    run_info,
    write_gzip_csv,
    write_run_info,
    write_run_tables,
)

__all__ = [
    "SAMPLE_FORMATS",
    "RunTables",
    "RunWarning",
    "RunWriter",
    "build_report",
    "deterministic_table",
    "read_run_folder",
    "report_path",
    "write_gzip_csv",
    "write_report",
    "write_run",
    "write_run_tables",
]


def write_run(
    result: RunResult,
    out: Path | str | None = None,
    *,
    command: str = "run",
    writers: tuple[RunWriter, ...] = (),
    lang: Language | str = "en",
    what_if: Mapping[str, Any] | None = None,
    started: float | None = None,
    force: bool = False,
    samples_format: str = "parquet",
    on_stage: Callable[[str], None] | None = None,
) -> Path:
    """Write every table of ``result`` (and the writers' output) and the report, atomically.

    Parameters
    ----------
    result : RunResult
        Output of :func:`peer_econ.runs.pipeline.run`.
    out : Path, optional
        Target folder (default a new ``reports/<timestamp>-run-<hash>/``). An explicit ``out``
        may not be or hold one of the run's input files.
    command : str
        Command name recorded in the manifest.
    writers : tuple of callables
        Further writers called as ``writer(result, folder)`` inside the temporary folder; each
        returns a mapping of facts for ``run_info.json`` or ``None``.
    lang : Language or str
        Language of ``report.html`` (``en`` or ``da``).
    what_if : mapping, optional
        What was changed against the inputs folder (``source``, ``scenario``, ``parameters``,
        ``settings``); the report shows it in a banner. By default the ``--set`` overrides of
        ``result``.
    started : float, optional
        ``time.perf_counter()`` when the command started, so the manifest's ``wall_time_s``
        covers the whole command (default: all but reading the inputs).
    force : bool
        Replace ``out`` if it holds a previous peer_econ output (see
        :func:`peer_econ.outputs.files.atomic_output_dir`).
    samples_format : {"parquet", "csv"}
        Format of the per-sample table.
    on_stage : callable, optional
        Called with a label as each stage starts (progress display); the manifest records the
        wall time [s] and peak memory [MiB] after each stage.

    Returns
    -------
    Path
        The folder written.
    """
    begin = time.perf_counter()
    if samples_format not in SAMPLE_FORMATS:
        raise ValueError(f"samples_format {samples_format!r}: one of {list(SAMPLE_FORMATS)}")
    language = lang if isinstance(lang, Language) else Language(check_language(lang))
    target = default_run_dir(Path("reports"), command) if out is None else Path(out)
    changes = what_if if what_if is not None else default_what_if(result)
    clock = StageClock(on_stage)
    protect = result.inputs.files if out is not None else ()
    with atomic_output_dir(target, force=force, protect=protect) as folder:
        clock.start("model_tables", "model tables")
        write_run_tables(result, folder, samples_format=samples_format)
        clock.stop()
        facts, notes = call_writers(result, folder, writers, clock)
        clock.start("figures")
        info = run_info(
            result, command=command, language=language.code, facts=facts, notes=notes,
            what_if=changes,
        )  # fmt: skip
        write_run_info(info, folder)
        write_run_figures(folder, language)
        clock.start("report")
        (folder / REPORT).write_text(build_report(folder, language), encoding="utf-8")
        clock.stop()
        _write_run_manifest(
            folder, result, command=command, started=started, begin=begin, what_if=changes,
            language=language, notes=notes, clock=clock, samples_format=samples_format,
        )  # fmt: skip
    for note in notes:
        warnings.warn(note, RunWarning, stacklevel=2)
    return target


def _write_run_manifest(
    folder: Path,
    result: RunResult,
    *,
    command: str,
    started: float | None,
    begin: float,
    what_if: Mapping[str, Any] | None,
    language: Language,
    notes: list[str],
    clock: StageClock,
    samples_format: str,
) -> None:
    """Write ``manifest.json`` of a run folder: seed, sample count, inputs, timings and what
    the run was (settings, overrides, what-if, strategies, language, warnings, samples file).

    Parameters
    ----------
    folder : Path
        The (temporary) run folder.
    result : RunResult
    command : str
        Command name recorded in the manifest.
    started : float or None
        ``time.perf_counter()`` when the command started: the wall time [s] is measured from
        it. Without it, the wall time is the model's (``result.wall_time_s``) plus the time
        since ``begin``.
    begin : float
        ``time.perf_counter()`` when :func:`write_run` started.
    what_if : mapping or None
        What was changed against the inputs folder (see :func:`write_run`).
    language : Language
        Language of ``report.html``.
    notes : list of str
        The run's warnings.
    clock : StageClock
        Wall time [s] and peak memory [MiB] after each stage.
    samples_format : {"parquet", "csv"}
        Format of the per-sample table.
    """
    write_manifest(
        folder,
        command=command,
        seed=result.seed,
        n_samples=result.n_samples,
        inputs=list(result.inputs.files),
        wall_time_s=(
            time.perf_counter() - started
            if started is not None
            else result.wall_time_s + time.perf_counter() - begin
        ),
        extra={
            "settings": result.inputs.settings.as_dict(),
            "overrides": dict(result.overrides),
            "what_if": what_if,
            "strategies": list(result.psa.strategies),
            "language": language.code,
            "warnings": notes,
            "timings_s": {k: round(v, 3) for k, v in clock.timings.items()},
            "peak_memory_mib_after": clock.peaks,
            "samples_file": SAMPLE_FILES[samples_format],
        },
    )


def build_report(run: RunTables | Path | str, lang: Language | str = "en") -> str:
    """The report of a run folder in ``lang`` (HTML text), from the folder's files alone.

    Parameters
    ----------
    run : RunTables, Path or str
        A run folder or its tables read back.
    lang : Language or str
        Output language (``en`` or ``da``).
    """
    tables = run if isinstance(run, RunTables) else read_run_folder(Path(run))
    language = lang if isinstance(lang, Language) else Language(check_language(lang))
    return sections.render(Context(in_language(tables, language), language))


def default_what_if(result: RunResult) -> dict[str, Any] | None:
    """The ``--set`` overrides of a run as a what-if (``None`` when nothing was changed)."""
    if not result.overrides:
        return None
    return {
        "source": "api",
        "scenario": "",
        "parameters": [
            {"name": name, "value": float(value), "base": None}
            for name, value in sorted(result.overrides.items())
        ],
        "settings": [],
    }


def report_path(folder: Path, own_language: str, lang: Language, out: Path | None = None) -> Path:
    """Where ``peer-econ report`` writes: ``out``, else ``report.html`` in the run's own
    language and ``report.<lang>.html`` in another."""
    if out is not None:
        return out
    return folder / (REPORT if lang.code == own_language else f"report.{lang.code}.html")


def write_report(
    folder: Path | str, lang: Language | str | None = None, out: Path | None = None
) -> Path:
    """Rebuild the report of a run folder from its tables (no recomputation) and write it
    atomically; ``lang`` defaults to the run's own language.

    Returns
    -------
    Path
        The HTML file written.
    """
    folder = Path(folder)
    tables = read_run_folder(folder)
    code = str(tables.info.get("language", "en")) if lang is None else lang
    language = code if isinstance(code, Language) else Language(check_language(code))
    path = report_path(folder, str(tables.info.get("language", "en")), language, out)
    html = build_report(tables, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
