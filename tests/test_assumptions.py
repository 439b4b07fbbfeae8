"""Effect-multiplier thresholds: where the ranking of the assumed-effect variants would change.

Kinds (STYLE 3.3 item 7): (a) hand calculations from the PSA means, (b) brute force with the
model at the threshold, (e) invariants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peer_econ.analysis.cea import icer_table
from peer_econ.model.adapter import PeerModel
from peer_econ.runs.assumptions import linear_means, multiplier_thresholds
from peer_econ.runs.pipeline import RunResult, run
from reference.cells import number

WTP = 200_000.0


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run("inputs", n_samples=1_000, seed=8)


def _means(result: RunResult) -> tuple[dict[str, float], dict[str, float]]:
    cost = dict(zip(result.psa.strategies, result.psa.cost.mean(axis=0), strict=True))
    qaly = dict(zip(result.psa.strategies, result.psa.qaly.mean(axis=0), strict=True))
    return cost, qaly


def test_means_are_linear_in_the_multiplier(result: RunResult) -> None:
    """The model at multiplier 0.37 equals the line through 0 and 1 (what makes the
    thresholds exact)."""
    means = linear_means(result, "course_only_effect_multiplier")
    cost, qaly = PeerModel(result.inputs)(
        result.draws.with_values({"course_only_effect_multiplier": 0.37})
    )
    line_cost, line_qaly = means.at(0.37)
    np.testing.assert_allclose(cost.mean(axis=0), line_cost, rtol=1e-12)
    np.testing.assert_allclose(qaly.mean(axis=0), line_qaly, rtol=1e-12)


def test_course_only_efficiency_threshold_by_hand(result: RunResult) -> None:
    """Course only (cost C_c) sits between SAU (0) and volunteers (C_v, gain G): with gain
    m x G it is on the frontier iff C_c / (m G) <= (C_v - C_c) / ((1 - m) G), i.e. m >= C_c / C_v
    (costs do not depend on the multiplier with the offsets off)."""
    table = multiplier_thresholds(result, wtp=WTP).set_index("strategy")
    row = table.loc["peer_course_only"]
    cost, _ = _means(result)
    expected = (cost["peer_course_only"] - cost["sau"]) / (cost["peer_volunteer"] - cost["sau"])
    assert row["question"] == "efficient"
    assert row["threshold"] == pytest.approx(expected, rel=1e-9)
    assert 0.9 < row["threshold"] < 1.0  # base: just above the assumed mean 0.9
    assert row["status"] == "ED"
    means = linear_means(result, "course_only_effect_multiplier")
    names = result.psa.strategies
    threshold = number(row["threshold"])
    for m, status in ((threshold * 1.001, "ND"), (threshold * 0.999, "ED")):
        c, q = means.at(m)
        assert icer_table(c, q, names).set_index("strategy").loc["peer_course_only", "status"] == (
            status
        )


def test_paid_head_to_head_threshold_by_hand(result: RunResult) -> None:
    """Paid vs volunteers at 200,000 DKK/QALY: with gain m x G the mean INMB is
    w (m - 1) G - (C_p - C_v) = 0 at m = 1 + (C_p - C_v) / (w G). At that multiplier the model
    itself gives INMB 0 (brute force)."""
    table = multiplier_thresholds(result, wtp=WTP).set_index("strategy")
    cost, qaly = _means(result)
    means = linear_means(result, "paid_delivery_effect_multiplier")
    names = result.psa.strategies
    gain = means.qaly_slope[names.index("peer_paid")]  # G: QALYs per unit multiplier
    expected = 1 + (cost["peer_paid"] - cost["peer_volunteer"]) / (WTP * gain)
    row = table.loc["peer_paid"]
    assert row["question"] == "worth its extra cost vs peer_volunteer"
    assert row["threshold"] == pytest.approx(expected, rel=1e-9)
    c, q = PeerModel(result.inputs)(
        result.draws.with_values({"paid_delivery_effect_multiplier": number(row["threshold"])})
    )
    j, v = names.index("peer_paid"), names.index("peer_volunteer")
    inmb = WTP * (q[:, j] - q[:, v]).mean() - (c[:, j] - c[:, v]).mean()
    assert abs(inmb) < 1e-6 * (c[:, j] - c[:, v]).mean()
    assert table.loc["peer_hybrid", "threshold"] < row["threshold"]  # cheaper: breaks even sooner
    assert 0 <= row["prob_best"] <= 1


def test_sentences_name_the_assumption(result: RunResult, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The report's ranking section and page one say what the standing of each delivery form
    rests on, with the threshold of multiplier_thresholds.csv."""
    import re

    from peer_econ.outputs.report import write_run
    from peer_econ.runs.assumptions import write_assumptions_for_run

    folder = write_run(result, tmp_path / "run", writers=(write_assumptions_for_run,))
    html = (folder / "report.html").read_text(encoding="utf-8")
    start = html.index('<section id="ranking-assumptions"')
    text = re.sub(r"<[^>]+>", " ", html[start : html.index("</section>", start)])
    text = re.sub(r"\s+", " ", text).replace("\u00a0", " ")
    table = pd.read_csv(folder / "multiplier_thresholds.csv").set_index("strategy")
    assert "by assumption of equal effect" in text
    assert "Effect of paid peers relative to volunteers" in text  # parameter labels, not codes
    assert "Effect of the course without companionship relative to full PEER" in text
    course = number(table.loc["peer_course_only", "threshold"])
    assert 0.9 < course < 1.0
    assert f"would be efficient with an effect of at least {course:.2f} times" in text
    paid = number(table.loc["peer_paid", "threshold"])
    assert f"only if it were {100 * (paid - 1):.0f} % more effective" in text
    assert f"(multiplier {paid:.2f})" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
