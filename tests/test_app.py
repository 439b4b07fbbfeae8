"""The app page driven headless by Streamlit's AppTest: what it shows equals the library's
results for the same inputs; a bad value shows an error and no results; Danish shows Danish.

The page runs with PEER_ECON_APP_SAMPLES=300 (the launcher's setting) to keep the suite quick.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("streamlit", reason="the app extra is not installed: pip install -e '.[app]'")

from streamlit.testing.v1 import AppTest  # noqa: E402

from peer_econ.analysis.cea import icer_table  # noqa: E402
from peer_econ.inputs.load import load_inputs  # noqa: E402
from peer_econ.model.capacity import DeliveryPlan  # noqa: E402
from peer_econ.outputs.language import Language  # noqa: E402
from peer_econ.runs.budget_plan import run_budget  # noqa: E402
from peer_econ.runs.pipeline import run  # noqa: E402

N = 300
SCRIPT = Path(__file__).resolve().parents[1] / "src" / "peer_econ" / "app" / "streamlit_app.py"
EN = Language("en")


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PEER_ECON_APP_SAMPLES", str(N))
    monkeypatch.setenv("PEER_ECON_APP_INPUTS", "inputs")
    page = AppTest.from_file(str(SCRIPT), default_timeout=180)
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    return page


@pytest.fixture(scope="module")
def inputs():  # type: ignore[no-untyped-def]
    return load_inputs("inputs")


def _cells(page: AppTest, i: int = 0) -> Any:
    """Table ``i`` as a reader sees it: ``st.table`` cells are Markdown, escaped by the page."""
    return page.table[i].value.map(
        lambda c: re.sub(r"\\(.)", r"\1", c) if isinstance(c, str) else c
    )


def _icer_column(page: AppTest, lang: Language = EN) -> dict[str, str]:
    """Option -> displayed ICER of the decision table."""
    table = _cells(page)
    return dict(zip(table[lang.t("app.col.option")], table[lang.t("app.col.icer")], strict=True))


def _status_column(page: AppTest) -> dict[str, str]:
    table = _cells(page)
    return dict(zip(table["Option"], table["Status"], strict=True))


def _library(inputs: Any, **overrides: float) -> Any:
    result = run(inputs, n_samples=N, overrides=overrides or None)
    return result, icer_table(result.psa.cost, result.psa.qaly, result.psa.strategies)


def test_decision_and_budget_equal_the_library(app: AppTest, inputs: Any) -> None:
    result, icers = _library(inputs)
    labels = {s.name: s.label for s in inputs.strategies}
    shown = _icer_column(app)
    for row in icers.itertuples():
        assert shown[labels[row.strategy]] == EN.number(row.icer)
    status = _status_column(app)
    assert status["PEER (volunteer peers)"] == "efficient (ICER against Service as usual)"
    assert status["PEER (paid peer workers)"] == (
        "dominated by PEER (volunteer peers), by assumption: "
        "Effect of paid peers relative to volunteers"
    )
    assert status["Service as usual"] == "reference (cheapest efficient option)"
    # at 200,000 DKK/QALY service as usual has the highest expected net benefit ...
    decision = [w.value for w in app.warning if "fund no delivery form" in w.value]
    assert decision and "Service as usual has the highest expected net benefit" in decision[0]
    # ... at 300,000 PEER with volunteers does (ICER about 225,000)
    app.number_input(key="wtp").set_value(300_000.0).run()
    assert "fund PEER \\(volunteer peers\\)" in app.success[0].value
    app.number_input(key="wtp").set_value(200_000.0).run()
    # budget by year and payer of the form shown, at the trial's scale, ten years
    plan = run_budget(result, DeliveryPlan(5, 4.0, 10, (1.0, 1.0)), ["peer_volunteer"])
    expected = plan.budgets["peer_volunteer"].by_payer().set_index(["year", "payer"])
    budget = app.dataframe[0].value.set_index(["Year", "Payer"])
    for year in ("1", "2", "10"):
        assert budget.loc[(year, "Total"), "Total (DKK)"] == EN.number(
            expected.loc[(year, "total"), "total"]
        )
        assert budget.loc[(year, "NGO / grant"), "Cash (DKK)"] == EN.number(
            expected.loc[(year, "ngo_grant"), "cash"]
        )


def test_a_lever_changes_the_results_and_can_be_released(app: AppTest, inputs: Any) -> None:
    app.number_input(key="lever_group_size").set_value(10.0).run()
    assert app.checkbox(key="fix_group_size").value  # typing a value fixed the lever
    _, icers = _library(inputs, participants_per_group=10.0)
    volunteer = icers.set_index("strategy").loc["peer_volunteer", "icer"]
    assert _icer_column(app)["PEER (volunteer peers)"] == EN.number(volunteer)
    assert "- Participants per group: fixed at 10 \\(inputs: uncertain, mean 8\\)" in [
        m.value for m in app.markdown
    ]
    app.checkbox(key="fix_group_size").uncheck().run()  # back to its PSA distribution
    _, base = _library(inputs)
    assert _icer_column(app)["PEER (volunteer peers)"] == EN.number(
        base.set_index("strategy").loc["peer_volunteer", "icer"]
    )


def test_a_value_outside_the_evidence_is_flagged(app: AppTest) -> None:
    app.number_input(key="lever_group_size").set_value(12.0).run()
    assert not app.error
    assert "outside the range the evidence supports" in app.warning[0].value
    assert "Outside the evidence range 6 to 10" in app.warning[0].value


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("lever_durability", -1.0, "decay\\_months = \\-1 must be \\> 0"),
        ("municipalities", 2.7, "municipalities = 2\\.7 must be a whole number"),
        ("courses", 1e12, "give at most 52"),
        ("wtp", -1.0, "willingness to pay: value 1 is \\-1"),
    ],
)
def test_an_invalid_value_shows_an_error_and_no_results(
    app: AppTest, key: str, value: float, message: str
) -> None:
    app.number_input(key=key).set_value(value).run()
    assert not app.exception
    assert len(app.error) == 1 and message in app.error[0].value
    assert "no results are shown" in app.error[0].value
    # nothing of the results is left beside the error
    assert not app.success and not app.table and not app.dataframe and not app.tabs
    assert not [h for h in app.header if h.value == "The decision"]


def test_danish_switch_shows_danish_texts_and_numbers(app: AppTest, inputs: Any) -> None:
    app.number_input(key="lever_group_size").set_value(9.0).run()
    app.radio(key="lang").set_value("da").run()
    # the scenario survives the switch
    assert app.number_input(key="lever_group_size").value == 9.0
    assert app.checkbox(key="fix_group_size").value
    app.checkbox(key="fix_group_size").uncheck().run()
    da = Language("da")
    assert app.title[0].value == "PEER: er det værd at finansiere?"
    headers = [h.value for h in app.header]
    assert "Beslutningen" in headers and "Eksport" in headers
    decision = [w.value for w in app.warning if "finansiér ingen" in w.value]
    assert decision and decision[0].startswith("Ved 200\\.000 kr\\. pr\\. QALY: finansiér ingen")
    _, icers = _library(inputs)
    shown = _icer_column(app, da)
    volunteer = icers.set_index("strategy").loc["peer_volunteer", "icer"]
    assert shown["PEER (volunteer peers)"] == da.number(volunteer)
    assert "." in shown["PEER (volunteer peers)"]  # Danish thousands mark
    assert _danish_status(app, da).startswith(
        "domineret af PEER (volunteer peers), under antagelsen"
    )
    keys = ("app.decision.title", "app.curves.title", "app.export.title", "app.icer.title",
            "app.export.what_if_title", "app.budget.title")  # fmt: skip
    english = {EN.t(k, option="PEER (volunteer peers)") for k in keys}
    titles = set(headers) | {s.value for s in app.subheader}
    assert len(titles) >= len(keys) and not english & titles
    assert app.number_input(key="wtp").label == "Betalingsvillighed (kr. pr. QALY)"


def _danish_status(app: AppTest, da: Language) -> str:
    table = _cells(app)
    rows = dict(zip(table[da.t("app.col.option")], table[da.t("app.col.status")], strict=True))
    return str(rows["PEER (paid peer workers)"])


def test_lazy_tabs_draw_tornado_scale_and_business_case(app: AppTest, inputs: Any) -> None:
    app.session_state["curves_tab"] = "Tornado"
    app.run()
    assert not app.exception
    assert any("one input at a time" in c.value for c in app.caption)
    app.session_state["curves_tab"] = "Scale"
    app.session_state["budget_tab"] = "Business case by authority"
    app.run()
    assert not app.exception
    assert any("against the courses a year" in c.value for c in app.caption)
    assert "- NGO / grant funder: no payback within 10 years\\." in [m.value for m in app.markdown]
    app.session_state["budget_tab"] = "What delivery needs"
    app.run()
    assert not app.exception
    result, _ = _library(inputs)
    plan = run_budget(result, DeliveryPlan(5, 4.0, 10, (1.0, 1.0)), ["peer_volunteer"])
    capacity = plan.capacity().set_index(["quantity", "year"])
    shown = app.dataframe[0].value
    trained = capacity.loc[("volunteers_trained", 1), "rounded_up"]
    assert shown.loc["Volunteers to recruit and train", "Year 1"] == EN.number(trained)
    fte = capacity.loc[("coordinator_fte", 10), "mean"]
    assert shown.loc["Coordinator full-time equivalents", "Year 10"] == EN.number(fte, 2)
    app.session_state["budget_tab"] = "Funding comparison"
    app.run()
    assert not app.exception and "Delivery form" in app.dataframe[0].value.columns
