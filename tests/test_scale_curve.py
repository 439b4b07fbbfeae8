"""The scale curve (DESIGN 2.2a): cost per participant and ICER against the delivery scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peer_econ.runs.pipeline import RunResult, run
from peer_econ.runs.scale_curve import scale_curve, write_scale_curve_for_run


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run("inputs", n_samples=600, seed=5)


@pytest.fixture(scope="module")
def table(result: RunResult):  # type: ignore[no-untyped-def]
    return scale_curve(result)


def test_base_point_is_the_run(result: RunResult, table) -> None:  # type: ignore[no-untyped-def]
    """At the settings' scale (4 courses, 5 municipalities) the curve is the run's PSA."""
    names = list(result.psa.strategies)
    for axis, value in (("courses_per_municipality_per_year", 4.0), ("municipalities", 5.0)):
        rows = table[(table["axis"] == axis) & (table["value"] == value)].set_index("strategy")
        for name in rows.index:
            j = names.index(name)
            assert rows.loc[name, "cost"] == pytest.approx(result.psa.cost[:, j].mean(), rel=1e-12)


def test_fixed_cost_spreads_over_courses_not_municipalities(table) -> None:  # type: ignore[no-untyped-def]
    """Fixed cost per participant = F / (M x c x n): x 4 / c against courses (exactly, sample
    by sample), and independent of M (every fixed cost is per municipality)."""
    vol = table[table["strategy"] == "peer_volunteer"]
    courses = vol[vol["axis"] == "courses_per_municipality_per_year"].set_index("value")
    base = courses.loc[4.0, "fixed_cost"]
    for c in (1.0, 2.0, 8.0, 12.0):
        assert courses.loc[c, "fixed_cost"] == pytest.approx(base * 4 / c, rel=1e-12)
        assert courses.loc[c, "cost"] - courses.loc[4.0, "cost"] == pytest.approx(
            base * 4 / c - base, rel=1e-9
        )
    assert list(courses.index) == [float(c) for c in range(1, 13)]
    towns = vol[vol["axis"] == "municipalities"]
    assert towns["cost"].max() - towns["cost"].min() < 1e-9 * towns["cost"].mean()
    assert np.all(np.diff(courses["cost"].to_numpy()) < 0)  # more courses, lower cost


def test_icer_words_never_negative(table) -> None:  # type: ignore[no-untyped-def]
    assert not table["icer_label"].str.startswith("-").any()
    ne = (table["inc_cost"] > 0) & (table["inc_qaly"] > 0)
    np.testing.assert_allclose(
        table.loc[ne, "icer"], table.loc[ne, "inc_cost"] / table.loc[ne, "inc_qaly"], rtol=1e-12
    )
    assert table["prob_cost_effective"].between(0, 1).all()
    assert (table["cost_p2_5"] <= table["cost"]).all() and (
        table["cost"] <= table["cost_p97_5"]
    ).all()


def test_written_with_figure_and_section(result: RunResult, tmp_path: Path) -> None:
    """The writer writes the table; the run draws the figure from it and the report's scale
    section reads them back and shows the cost per participant of each scale as written."""
    import re

    from peer_econ.outputs.report import write_run

    assert write_scale_curve_for_run(result, tmp_path) == {"scale_curve": {"n_samples": 600}}
    assert (tmp_path / "scale_curve.csv").is_file()
    folder = write_run(result, tmp_path / "run", writers=(write_scale_curve_for_run,))
    assert (folder / "scale_curve.png").is_file() and (folder / "scale_curve.svg").is_file()
    html = (folder / "report.html").read_text(encoding="utf-8")
    start = html.index('<section id="scale"')
    tags_removed = re.sub(r"<[^>]+>", " ", html[start : html.index("</section>", start)])
    text = re.sub(r"\s+", " ", tags_removed)
    assert "does not change the cost per participant" in text
    written = pd.read_csv(folder / "scale_curve.csv")
    row = written[
        (written["axis"] == "courses_per_municipality_per_year")
        & (written["strategy"] == "peer_volunteer")
        & (written["value"] == 1)
    ]
    assert f"{float(row['cost'].iloc[0]):,.0f}" in text
    section = html[start : html.index("</section>", start)]
    assert '<img alt="Scale curve: cost per participant and ICER' in section  # figure embedded


def test_curve_uses_at_most_its_sample_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the bound the curve is that of the run's first samples."""
    from peer_econ.runs import scale_curve as module

    result = run("inputs", n_samples=90, seed=2)
    head = module.scale_curve(result.first_samples(40), courses=(2.0,), municipalities=(5,))
    whole = module.scale_curve(result, courses=(2.0,), municipalities=(5,))
    monkeypatch.setattr(module, "SCALE_CURVE_MAX_SAMPLES", 40)
    capped = module.scale_curve(result, courses=(2.0,), municipalities=(5,))
    pd.testing.assert_frame_equal(capped, head)
    assert not capped["cost_p97_5"].equals(whole["cost_p97_5"])
