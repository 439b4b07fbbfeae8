"""The app's scenario layer: checks through the library, decisions equal to the library's, what
changed, and the exports (no Streamlit needed)."""

from __future__ import annotations

import dataclasses
import io
import json
import warnings

import numpy as np
import pytest

from peer_econ.analysis.cea import cea_curves, icer_table, incremental_nmb
from peer_econ.app import scenario as S
from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs
from peer_econ.model.capacity import DeliveryPlan
from peer_econ.outputs.report import RunWarning
from peer_econ.runs.budget_plan import run_budget
from peer_econ.runs.pipeline import run

N = 300


@pytest.fixture(scope="module")
def inputs():  # type: ignore[no-untyped-def]
    return load_inputs("inputs")


@pytest.fixture(scope="module")
def base(inputs) -> S.Scenario:  # type: ignore[no-untyped-def]
    return S.base_scenario(inputs, N)


def test_every_problem_is_reported_at_once(inputs, base) -> None:  # type: ignore[no-untyped-def]
    bad = dataclasses.replace(
        base,
        fixed=(("decay_months", -1.0), ("delivered_attendance_prop", 1.5)),
        municipalities=2.7,
        courses_per_year=1e12,
        years=11.0,
        wtp=-5.0,
        horizon_months=0.0,
        n_samples=0,
        strategy="nope",
    )
    with pytest.raises(InputError) as caught:
        S.prepare(inputs, bad)
    text = "\n".join(caught.value.problems)
    for expected in (
        "decay_months = -1 must be > 0",  # the library's domain check, as for --set
        "delivered_attendance_prop = 1.5 is outside [0, 1]",
        "municipalities = 2.7 must be a whole number",  # DeliveryPlan, as for peer-econ budget
        "courses per municipality per year = 1e+12; give at most 52",
        "years = 11; give a whole number from 1 to 10",
        "willingness to pay: value 1 is -5",
        "horizon_months = 0.0 must be a number in (0, 1200]",
        "PSA samples = 0",
        "delivery form 'nope'",
    ):
        assert expected in text, expected


def test_ramp_up_is_cut_to_the_budget_years(inputs, base) -> None:  # type: ignore[no-untyped-def]
    one_year = S.prepare(inputs, dataclasses.replace(base, years=1.0, ramp_up=(0.5, 0.75)))
    assert one_year.scale == DeliveryPlan(5, 4.0, 1, (0.5,))


def test_decision_equals_the_library(inputs, base) -> None:  # type: ignore[no-untyped-def]
    scenario = dataclasses.replace(base, fixed=(("participants_per_group", 10.0),), wtp=150_000.0)
    prepared = S.prepare(inputs, scenario)
    result = S.run_scenario(prepared)
    decision = S.decide(result, prepared.scale, scenario.wtp)
    ref = run(inputs, n_samples=N, overrides={"participants_per_group": 10.0})
    psa = ref.psa
    icers = icer_table(psa.cost, psa.qaly, psa.strategies).set_index("strategy")
    at = cea_curves(psa.cost, psa.qaly, psa.strategies, wtp=[150_000.0])
    inmb = incremental_nmb(psa.cost, psa.qaly, psa.strategies, [150_000.0], comparator="sau")
    options = decision.options.set_index("strategy")
    assert decision.recommended == at.optimal_strategy[0]
    for j, name in enumerate(psa.strategies):
        row = options.loc[name]
        assert row["status"] == icers.loc[name, "status"]
        np.testing.assert_equal(row["icer"], icers.loc[name, "icer"])
        assert row["prob_best"] == at.probability_best[0, j]
        if name != "sau":
            assert row["inc_nmb"] == inmb.set_index("strategy").loc[name, "inc_nmb"]
    # the ICER is against the previous frontier option, the rival the status words name
    assert icers.loc["peer_volunteer", "note"] == f"vs {options.at['peer_volunteer', 'rival']!s}"


def test_status_rests_on_an_assumption(inputs, base) -> None:  # type: ignore[no-untyped-def]
    prepared = S.prepare(inputs, base)
    result = S.run_scenario(prepared)
    options = S.decide(result, prepared.scale, base.wtp).options.set_index("strategy")
    # paid delivery is dominated because its effect is assumed equal to volunteers' (AS)
    assert options.loc["peer_paid", "status"] == "D"
    assert options.loc["peer_paid", "rival"] == "peer_volunteer"
    assert options.loc["peer_paid", "assumption"] == "paid_delivery_effect_multiplier"
    assert options.loc["peer_course_only", "assumption"] == "course_only_effect_multiplier"
    assert options.loc["peer_volunteer", "assumption"] == ""  # rests on the trial's effect
    assert options.loc["peer_course_only", "lower_neighbour"] == "sau"


def test_budget_view_and_scale_curve_come_from_the_library(inputs, base) -> None:  # type: ignore[no-untyped-def]
    scenario = dataclasses.replace(base, municipalities=3.0, courses_per_year=6.0, years=4.0)
    prepared = S.prepare(inputs, scenario)
    result = S.run_scenario(prepared)
    view = S.budget_view(result, prepared.scale, "peer_volunteer")
    plan = run_budget(result, DeliveryPlan(3, 6.0, 4, (1.0, 1.0)), ["peer_volunteer"])
    expected = plan.budgets["peer_volunteer"].by_payer()
    assert view.by_payer.equals(expected)
    assert set(view.capacity["year"]) == {1, 2, 3, 4}
    curve = S.scale_curve(result, prepared.scale, "peer_volunteer").set_index("courses_per_year")
    assert list(curve.index) == [1.0, 2.0, 4.0, 6.0, 8.0, 12.0]
    # the scenario's own point is the run itself: the model at 3 municipalities x 6 courses
    psa = result.psa
    j, ref = psa.strategies.index("peer_volunteer"), psa.strategies.index("sau")
    assert curve["cost_per_participant"][6.0] == pytest.approx(psa.cost[:, j].mean(), rel=1e-12)
    icer = (
        icer_table(psa.cost, psa.qaly, psa.strategies)
        .set_index("strategy")
        .loc["peer_volunteer", "icer"]
    )
    assert curve["icer"][6.0] == pytest.approx(icer, rel=1e-12)
    assert psa.cost[:, ref].mean() == 0.0
    # fixed programme costs spread over more courses: cheaper per participant at 12 than at 1
    assert curve["cost_per_participant"][12.0] < curve["cost_per_participant"][1.0]


def test_what_changed_lists_every_difference(inputs, base) -> None:  # type: ignore[no-untyped-def]
    assert S.what_changed(inputs, base) == ()
    scenario = dataclasses.replace(
        base,
        fixed=(("participants_per_group", 12.0), ("session_hours", 2.0)),
        wtp=250_000.0,
        municipalities=3.0,
    )
    changes = {c.name: c for c in S.what_changed(inputs, scenario)}
    # a fixed input set to its own value is no change
    assert set(changes) == {"participants_per_group", "wtp", "municipalities"}
    group = changes["participants_per_group"]
    assert (group.base, group.value, group.uncertain) == (8.0, 12.0, True)
    assert group.outside_evidence and (group.low, group.high) == (6.0, 10.0)
    assert changes["wtp"].as_dict()["base"] == 200_000.0
    json.dumps([c.as_dict() for c in changes.values()])  # manifest-ready


def test_workbook_export_carries_the_scenario(inputs, base) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    from peer_econ.app.export import workbook_bytes
    from peer_econ.outputs.language import Language

    scenario = dataclasses.replace(base, fixed=(("participants_per_group", 10.0),))
    prepared = S.prepare(inputs, scenario)
    result = S.run_scenario(prepared)
    changes = S.what_changed(inputs, scenario)
    data = workbook_bytes(result, prepared.scale, scenario.wtp, changes, Language("en"))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[-1] == "What I changed"
    cells = [c.value for c in book["What I changed"]["A"] if c.value]
    assert "Participants per group: fixed at 10 (inputs: uncertain, mean 8)" in cells
    summary = {r[0].value: r[1].value for r in book[book.sheetnames[0]].iter_rows(min_row=4)}
    assert summary["Municipalities"] == 5 and summary["Courses per municipality per year"] == 4


@pytest.mark.slow
def test_run_folder_export_has_the_what_if_banner(inputs, base, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from peer_econ.app.export import write_app_run

    scenario = dataclasses.replace(
        base, n_samples=200, fixed=(("participants_per_group", 12.0),), municipalities=3.0
    )
    prepared = S.prepare(inputs, scenario)
    result = S.run_scenario(prepared)
    changes = S.what_changed(inputs, scenario)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folder = write_app_run(result, prepared.scale, scenario.wtp, changes, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["command"] == "app"
    # warnings of the writers (none in the revised base case at 200 samples) are repeated after
    # the folder is in place and recorded in the manifest, never hidden
    assert sorted({str(w.message) for w in caught if issubclass(w.category, RunWarning)}) == sorted(
        manifest["warnings"]
    )
    assert manifest["what_if"][0]["name"] == "participants_per_group"
    assert manifest["scale"]["municipalities"] == 3
    report = (folder / "report.html").read_text()
    banner = report.index('<div class="callout whatif"')
    assert banner < report.index('<section id="decision"')  # in the header, before page one
    # the report's own banner, from run_info.json (so 'peer-econ report --lang da' re-words it)
    assert "Inputs were changed in the app." in report
    assert "Participants enrolled per group fixed at 12 (inputs: uncertain, mean 8)." in report
    assert "Outside the evidence range 6 to 10: a what-if, not a finding." in report
    assert "Municipalities set to 3 (inputs: 5)." in report
    by_payer = (folder / "budget_by_payer.csv").read_text()
    assert by_payer.startswith("strategy,year,payer") or "year" in by_payer.splitlines()[0]
    assert (folder / "what_if.csv").is_file() and not list(tmp_path.glob(".*tmp*"))
