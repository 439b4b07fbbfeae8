"""The app's exports: the current scenario as the meeting workbook and as a run folder.

Both are written by the library's own writers (:func:`~peer_econ.runs.budget.workbook_sheets`,
:func:`~peer_econ.outputs.report.write_run` with the run writers of
:mod:`peer_econ.runs.full`), at the scenario's delivery scale and WTP, and both carry the
"what I changed" list: a sheet of the workbook, and in the run folder ``what_if.csv``, the
report's what-if banner (from ``run_info.json``) and the manifest's ``what_if`` list.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from peer_econ.app.scenario import Change, at_wtp
from peer_econ.app.text import change_words
from peer_econ.model.capacity import DeliveryPlan
from peer_econ.model.results import RunResult
from peer_econ.outputs.files import atomic_output_dir, default_run_dir, write_csv
from peer_econ.outputs.language import Language
from peer_econ.outputs.report import RunWriter, write_run
from peer_econ.outputs.workbook import Sheet, write_workbook
from peer_econ.runs.budget import (
    WORKBOOK_NAME,
    compute_kit,
    workbook_sheets,
    write_budget_for_run,
    write_kit_for_run,
)
from peer_econ.runs.full import RUN_WRITERS


def what_if_frame(changes: Sequence[Change], lang: Language) -> pd.DataFrame:
    """The changes as a table: what changed in words, then the raw values."""
    return pd.DataFrame(
        {
            "change": [change_words(lang, c) for c in changes],
            "kind": [c.kind for c in changes],
            "name": [c.name for c in changes],
            "base": [str(c.base) for c in changes],
            "value": [str(c.value) for c in changes],
            "outside_evidence": [c.outside_evidence for c in changes],
        }
    )


def workbook_bytes(
    result: RunResult,
    scale: DeliveryPlan,
    wtp: float,
    changes: Sequence[Change],
    lang: Language,
) -> bytes:
    """The meeting workbook of the scenario (the ``peer-econ budget`` sheets plus a sheet of
    the changes), as the bytes of an ``.xlsx`` file."""
    priced = at_wtp(result, wtp)
    kit = compute_kit(priced, scale)
    sheets = workbook_sheets(priced, kit, lang)
    changed = what_if_frame(changes, lang)[["change"]].rename(
        columns={"change": lang.t("app.export.what_if_column")}
    )
    if changed.empty:
        changed = pd.DataFrame({lang.t("app.export.what_if_column"): [lang.t("app.export.none")]})
    sheets.append(Sheet(lang.t("app.export.what_if_sheet"), changed))
    with tempfile.TemporaryDirectory(prefix="peer-econ-app-") as tmp:
        path = write_workbook(Path(tmp) / WORKBOOK_NAME, sheets)
        return path.read_bytes()


#: App change names -> the setting names of the report's what-if banner.
SETTING_NAMES = {"wtp": "wtp_point", "courses_per_year": "courses_per_municipality_per_year"}


def what_if_mapping(changes: Sequence[Change]) -> dict[str, object]:
    """The changes in the form of :func:`~peer_econ.outputs.report.write_run`'s ``what_if``
    (source ``app``): parameters with their inputs value, whether fixing them removed an
    uncertainty and the evidence range when the value lies outside it; settings and delivery
    scale with their inputs value. The report writes the banner from it in its own language."""
    parameters = []
    settings = []
    for change in changes:
        if change.kind == "parameter":
            record: dict[str, object] = {
                "name": change.name,
                "value": float(str(change.value)),
                "base": float(str(change.base)),
                "uncertain": change.uncertain,
            }
            if change.outside_evidence:
                record.update(outside_evidence=True, low=change.low, high=change.high)
            parameters.append(record)
        else:
            settings.append(
                {
                    "name": SETTING_NAMES.get(change.name, change.name),
                    "value": _plain(change.value),
                    "base": _plain(change.base),
                }
            )
    return {"source": "app", "scenario": "", "parameters": parameters, "settings": settings}


def _plain(value: object) -> object:
    """A change value as JSON holds it (tuples as lists)."""
    return list(value) if isinstance(value, tuple) else value


def _budget_writer(scale: DeliveryPlan) -> RunWriter:
    """Run-folder writer of the commissioner's kit at the scenario's scale (the run's own
    writer uses the settings' scale)."""

    def write_scenario_budget_for_run(result: RunResult, folder: Path) -> dict[str, object]:
        return write_kit_for_run(result, compute_kit(result, scale), folder)

    return write_scenario_budget_for_run


def _what_if_table_writer(changes: Sequence[Change]) -> RunWriter:
    """Run-folder writer of ``what_if.csv`` (the changes in words and as raw values)."""

    def write_what_if_for_run(result: RunResult, folder: Path) -> None:
        write_csv(what_if_frame(changes, Language("en")), folder / "what_if.csv")

    return write_what_if_for_run


def write_app_run(
    result: RunResult,
    scale: DeliveryPlan,
    wtp: float,
    changes: Sequence[Change],
    root: Path | str = "reports",
) -> Path:
    """Write the scenario's run folder (tables, figures, workbook, ``report.html``) under
    ``root`` and return its path.

    The folder is built in a temporary folder and renamed into place; its ``manifest.json``
    records ``command: app``, the delivery scale and ``what_if`` (the changes as records).
    """
    priced = at_wtp(result, wtp)
    writers = (
        *(w for w in RUN_WRITERS if w is not write_budget_for_run),
        _budget_writer(scale),
        _what_if_table_writer(changes),
    )
    target = default_run_dir(Path(root), "app")
    with atomic_output_dir(target) as folder:
        inner = write_run(
            priced, folder / "run", command="app", writers=writers,
            what_if=what_if_mapping(changes),
        )  # fmt: skip
        for entry in sorted(inner.iterdir()):
            entry.rename(folder / entry.name)
        inner.rmdir()
        manifest_path = folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["scale"] = {
            "municipalities": scale.municipalities,
            "courses_per_municipality_per_year": scale.courses_per_municipality_per_year,
            "years": scale.years,
            "ramp_up": list(scale.ramp_up),
        }
        manifest["what_if"] = [c.as_dict() for c in changes]
        manifest_path.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return target


def zip_folder(folder: Path) -> bytes:
    """A run folder as the bytes of a zip archive (files in sorted order, under its name)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, Path(folder.name) / path.relative_to(folder))
    return buffer.getvalue()
