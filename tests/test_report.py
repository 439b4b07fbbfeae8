"""Run folder writer: atomic output, warnings recorded, HTML report self-contained."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from peer_econ.outputs.html import ReportSection, render, table
from peer_econ.outputs.report import RunWarning, write_run
from peer_econ.runs.pipeline import run


@pytest.fixture(scope="module")
def small_run():  # type: ignore[no-untyped-def]
    return run("inputs", n_samples=50, seed=9)


def test_warnings_of_writers_are_recorded(small_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def noisy(result, folder):  # type: ignore[no-untyped-def]
        warnings.warn("fit was poor", UserWarning, stacklevel=1)
        return [ReportSection("extra", "Extra", "<p>body</p>", 50)]

    with pytest.warns(RunWarning, match="fit was poor"):
        folder = write_run(small_run, tmp_path / "r", writers=(noisy,))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["warnings"] == ["fit was poor"]
    html = (folder / "report.html").read_text()
    assert "fit was poor" in html and "<p>body</p>" in html


def test_failing_writer_leaves_nothing(small_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def broken(result, folder):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_run(small_run, tmp_path / "r", writers=(broken,))
    assert not (tmp_path / "r").exists()
    assert not list(tmp_path.iterdir())


def test_html_escapes_user_text() -> None:
    import pandas as pd

    html = table(pd.DataFrame({"name": ["<script>x</script>"]}))
    assert "<script>" not in html and "&lt;script&gt;" in html
    page = render("T <b>", "s", [ReportSection("a", "A & B", "<p>x</p>")], "f")
    assert "T &lt;b&gt;" in page and "A &amp; B" in page and page.startswith("<!DOCTYPE html>")
