"""The commissioner's kit on the PEER model: budget lines re-use the cost model, add up, and
time training as budget practice requires; the funding comparison reads the PSA correctly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import peer_econ
from peer_econ.errors import InputError
from peer_econ.model.capacity import DeliveryPlan
from peer_econ.runs.budget_plan import (
    decision_rival,
    funding_comparison,
    run_budget,
    strategy_budget,
)
from reference.cells import number


@pytest.fixture(scope="module")
def result() -> peer_econ.RunResult:
    return peer_econ.run("inputs", n_samples=400, seed=3)


def _budget_cost(result: peer_econ.RunResult, strategy: str) -> np.ndarray:
    """Cash and in-kind budget spending per participant without the model's fixed programme
    cost per participant (which the budget replaces by the plan's programme costs)."""
    psa = result.psa
    j = psa.strategies.index(strategy)
    cash = np.sum([arr[:, j] for arr in psa.budget_cost.values()], axis=0)
    in_kind = np.sum([arr[:, j] for arr in psa.in_kind_cost.values()], axis=0)
    fixed = np.sum([arr[:, j] for arr in psa.programme_fixed_cost.values()], axis=0)
    return np.asarray(cash + in_kind - fixed, dtype=np.float64)


def _local_coordination(result: peer_econ.RunResult, municipalities: int) -> np.ndarray:
    d = result.draws
    hourly = (
        d["coordinator_salary_annual"] * d["wage_index_2023_to_2024"] * (1 + d["overhead_rate"])
        / d["productive_hours_per_year"]
    )  # fmt: skip
    return np.asarray(
        municipalities * d["local_coordination_hours_per_municipality_year"] * hourly,
        dtype=np.float64,
    )


@pytest.mark.parametrize("strategy", ["peer_volunteer", "peer_paid", "peer_hybrid"])
def test_steady_year_equals_cost_model_at_scale(result: peer_econ.RunResult, strategy: str) -> None:
    """A steady year = the model's budget spending per participant (without its fixed cost per
    participant) x participants + local coordination at the plan's scale, per sample."""
    plan = strategy_budget(result, strategy, DeliveryPlan(5, 4, years=3))
    steady = sum(line.amounts[2] for line in plan.lines)
    participants = plan.capacity.participants[2]
    expected = _budget_cost(result, strategy) * participants + _local_coordination(result, 5)
    np.testing.assert_allclose(steady, expected, rtol=1e-12)


def test_first_year_adds_the_first_training_cohorts(result: peer_econ.RunResult) -> None:
    """Year 1 - year 2 = set-up + (trained in year 1 - trained in a steady year) x cost per
    trained volunteer = set-up + (40 / (K a) - 40 / K) x trainer cost per cohort / volunteers
    per cohort."""
    plan = strategy_budget(result, "peer_volunteer", DeliveryPlan(5, 4, years=2))
    year1 = sum(line.amounts[0] for line in plan.lines)
    year2 = sum(line.amounts[1] for line in plan.lines)
    d = result.draws
    coordinator_hourly = (
        d["coordinator_salary_annual"] * d["wage_index_2023_to_2024"] * (1 + d["overhead_rate"])
        / d["productive_hours_per_year"]
    )  # fmt: skip
    cohort = (
        d["trainer_hours_per_training_cohort"] * coordinator_hourly + d["training_venue_per_cohort"]
    )
    k, a = d["courses_per_volunteer"], d["volunteer_annual_attrition"]
    active = 40.0 / (k * np.minimum(a, 1.0))
    extra = (active - 40.0 / k) * cohort / d["volunteers_per_training_cohort"]
    setup = 5 * (
        d["setup_hours_per_municipality"] * coordinator_hourly
        + d["setup_materials_per_municipality"]
    )
    np.testing.assert_allclose(year1 - year2, extra + setup, rtol=1e-10)
    kinds = {line.item: line.kind for line in plan.lines if line.kind == "start-up"}
    assert kinds == {"volunteer_training": "start-up", "setup": "start-up"}


def test_tables_add_up(result: peer_econ.RunResult) -> None:
    budget = run_budget(result, DeliveryPlan(3, 6, years=4, ramp_up=(0.5,)))
    items, payers = budget.by_item(), budget.by_payer()
    for strategy in budget.budgets:
        for year in range(1, 5):
            item_sum = items[(items["strategy"] == strategy) & (items["year"] == year)][
                "mean"
            ].sum()
            rows = payers[(payers["strategy"] == strategy) & (payers["year"] == str(year))]
            total = rows[rows["payer"] == "total"].iloc[0]
            assert total["total"] == pytest.approx(item_sum, rel=1e-12)
            assert rows[rows["payer"] != "total"]["total"].sum() == pytest.approx(total["total"])
            assert total["cash"] + total["in_kind"] == pytest.approx(total["total"])
    case = budget.business_case()
    volunteer = case[(case["strategy"] == "peer_volunteer") & (case["authority"] == "ngo_grant")]
    # no savings in the base case: the cumulative net is minus the cumulative spending
    grant = payers[(payers["strategy"] == "peer_volunteer") & (payers["payer"] == "ngo_grant")]
    spend = grant[grant["year"] != "all"]["total"].to_numpy()
    np.testing.assert_allclose(volunteer["cumulative_net"], -np.cumsum(spend))
    assert (volunteer["savings"] == 0).all()


def test_savings_only_in_scenarios(result: peer_econ.RunResult) -> None:
    base = run_budget(result, DeliveryPlan(5, 4, years=2), ["peer_volunteer"])
    assert not [line for b in base.budgets.values() for line in b.lines if line.kind == "saving"]
    inputs = result.inputs.with_settings(downstream_resource_use=True)
    deltas = {"delta_gp_visits": 0.0, "delta_outpatient_visits": 0.0, "delta_support_hours": 0.0}
    inputs = inputs.with_parameters(
        inputs.parameters.with_fixed({**deltas, "delta_bed_days": -0.5})
    )
    scenario = peer_econ.run(inputs, n_samples=200, seed=3)
    plan = run_budget(scenario, DeliveryPlan(5, 4, years=2), ["peer_volunteer"])
    savings = [line for line in plan.budgets["peer_volunteer"].lines if line.kind == "saving"]
    assert [line.item for line in savings] == ["psychiatric_inpatient"]
    # 0.5 bed days x price x participants of the year, undiscounted (budget convention)
    participants = plan.budgets["peer_volunteer"].capacity.participants[0]
    expected = -0.5 * np.asarray(scenario.draws["psychiatric_bed_day"]) * participants
    np.testing.assert_allclose(savings[0].amounts[0], expected, rtol=1e-12)


def test_funding_comparison(result: peer_econ.RunResult) -> None:
    budget = run_budget(result, DeliveryPlan(5, 4, years=3))
    table = funding_comparison(result, budget, wtp=[100_000.0, 300_000.0]).set_index("strategy")
    assert list(table.index) == ["peer_volunteer", "peer_paid", "peer_hybrid", "peer_course_only"]
    psa = result.psa
    j, ref = psa.strategies.index("peer_paid"), psa.strategies.index("sau")
    inmb = 300_000.0 * (psa.qaly[:, j] - psa.qaly[:, ref]) - (psa.cost[:, j] - psa.cost[:, ref])
    assert table.loc["peer_paid", "prob_ce_300000"] == pytest.approx(np.mean(inmb > 0))
    assert table.loc["peer_paid", "status"] == "dominated by PEER (volunteer peers)"
    assert table.loc["peer_paid", "rests_on_against"] == "peer_volunteer"
    assert table.loc["peer_paid", "assumed_effect"] == "paid_delivery_effect_multiplier"
    # hybrid differs from volunteers only by Monte Carlo noise (equal effect assumed)
    assert table.loc["peer_hybrid", "status"] == "dominated by PEER (volunteer peers)"
    assert np.isnan(number(table.loc["peer_hybrid", "icer"]))
    assert str(table.loc["peer_volunteer", "status"]).startswith("efficient")
    paid_fte = number(table.loc["peer_paid", "paid_peer_fte"])
    assert paid_fte > 0 == number(table.loc["peer_volunteer", "paid_peer_fte"])
    participants = budget.budgets["peer_volunteer"].capacity.participants[-1]
    per_participant = (
        _budget_cost(result, "peer_volunteer") + _local_coordination(result, 5) / participants
    )
    assert table.loc["peer_volunteer", "cost_per_participant"] == pytest.approx(
        per_participant.mean()
    )


@pytest.mark.parametrize(
    ("status", "note", "rival"),
    [
        ("ND", "vs sau", "sau"),
        ("ND", "reference", "sau"),
        ("D", "dominated by peer_volunteer", "peer_volunteer"),
        ("ED", "extendedly dominated by sau and peer_volunteer", "peer_volunteer"),
    ],
)
def test_decision_rival(status: str, note: str, rival: str) -> None:
    assert decision_rival(status, note, "sau") == rival


def test_unknown_strategy(result: peer_econ.RunResult) -> None:
    with pytest.raises(InputError, match="strategy 'nope'"):
        strategy_budget(result, "nope", DeliveryPlan(5, 4))


def test_first_samples_are_views_of_the_first_rows(result: peer_econ.RunResult) -> None:
    """Every per-sample array cut to its first rows; the run itself when n covers it."""
    head = result.first_samples(150)
    assert head.n_samples == 150 and result.first_samples(400) is result
    for name in ("participants_per_group", "mansa_d"):
        np.testing.assert_array_equal(head.draws[name], result.draws[name][:150])
    for part in ("psa", "trial_psa"):
        full, cut = getattr(result, part), getattr(head, part)
        for field in ("cost", "qaly", "qaly_gain", "utility_gain_post"):
            np.testing.assert_array_equal(getattr(cut, field), getattr(full, field)[:150])
        for field in ("effect_scale", "budget_cost", "in_kind_cost", "programme_fixed_cost"):
            got, whole = getattr(cut, field), getattr(full, field)
            assert set(got) == set(whole)
            for key in whole:
                np.testing.assert_array_equal(got[key], np.asarray(whole[key])[:150])
    assert head.deterministic is result.deterministic
    with pytest.raises(ValueError, match="at least 1"):
        result.first_samples(0)


def test_budget_uses_at_most_the_first_budget_samples(
    result: peer_econ.RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the cap the budget is that of the first samples, and says how many it used; the
    funding comparison's chances stay those of the whole PSA."""
    from peer_econ.runs import budget_plan

    scale = DeliveryPlan(5, 4.0, years=3)
    uncapped = run_budget(result.first_samples(120), scale)
    monkeypatch.setattr(budget_plan, "BUDGET_MAX_SAMPLES", 120)
    capped = run_budget(result, scale)
    assert (capped.n_samples, uncapped.n_samples) == (120, 120)
    for table in ("by_payer", "by_item", "business_case", "capacity"):
        pd.testing.assert_frame_equal(getattr(capped, table)(), getattr(uncapped, table)())
    comparison = funding_comparison(result, capped, wtp=[200_000.0])
    psa = result.psa
    j, ref = psa.strategies.index("peer_volunteer"), psa.strategies.index("sau")
    inmb = 200_000.0 * (psa.qaly[:, j] - psa.qaly[:, ref]) - (psa.cost[:, j] - psa.cost[:, ref])
    row = comparison.set_index("strategy").loc["peer_volunteer"]
    assert number(row["prob_ce_200000"]) == pytest.approx(float(np.mean(inmb > 0)), abs=0)
