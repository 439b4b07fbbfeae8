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


def test_manifest_wall_time_covers_the_writers(small_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """wall_time_s counts the writers too (it once held only the 0.03 s of sampling)."""
    import time

    def slow(result, folder):  # type: ignore[no-untyped-def]
        time.sleep(0.3)
        return []

    folder = write_run(small_run, tmp_path / "r", writers=(slow,))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["wall_time_s"] >= small_run.wall_time_s + 0.3
    started = time.perf_counter() - 5.0  # a command that started 5 s ago
    folder = write_run(small_run, tmp_path / "s", writers=(slow,), started=started)
    assert json.loads((folder / "manifest.json").read_text())["wall_time_s"] >= 5.3


def test_a_negative_icer_is_never_printed(tmp_path: Path) -> None:
    """0.6 fewer bed days x 6,000 DKK saves more than PEER costs: PEER is dominant. The
    headline ICER is NaN in the table and 'dominant (...)' in the report, never negative."""
    import pandas as pd

    from peer_econ.inputs.load import load_inputs

    inputs = load_inputs("inputs").with_settings(downstream_resource_use=True)
    result = run(inputs, n_samples=50, seed=9, overrides={"delta_bed_days": -0.6})
    head = result.summary().set_index("strategy")
    assert head.loc["peer_volunteer", "inc_cost"] < 0 < head.loc["peer_volunteer", "inc_qaly"]
    assert pd.isna(head.loc["peer_volunteer", "icer"])
    folder = write_run(result, tmp_path / "r")
    html = (folder / "report.html").read_text()
    assert "an ICER of <b>dominant (cost-saving and more effective)</b>" in html
    assert ">dominant (cost-saving and more effective)</td>" in html  # headline table
    assert "<b>PEER (volunteer peers)</b> saves <b>" in html
    headline = pd.read_csv(folder / "headline.csv")
    assert not (headline["icer"].dropna() < 0).any()


def test_cost_per_participant_concepts(small_run) -> None:  # type: ignore[no-untyped-def]
    """Each figure is defined once: expected = the headline cost; per course + fixed =
    expected; at the means = the deterministic cost; per attender = expected / share."""
    import numpy as np

    per = small_run.cost_per_participant().set_index("strategy")
    head = small_run.summary().set_index("strategy")
    for name in ("peer_volunteer", "peer_paid"):
        assert per.loc[name, "expected"] == pytest.approx(head.loc[name, "cost"], rel=1e-12)
        assert per.loc[name, "at_parameter_means"] == head.loc[name, "det_cost"]
        assert per.loc[name, "per_course"] + per.loc[name, "fixed_programme"] == pytest.approx(
            per.loc[name, "expected"], rel=1e-12
        )
        assert per.loc[name, "fixed_programme"] > 0
        share = np.mean(small_run.draws["delivered_attendance_prop"])
        assert per.loc[name, "per_attending"] == pytest.approx(
            per.loc[name, "expected"] / share, rel=1e-12
        )
    assert per.loc["sau", "expected"] == 0.0
