"""The PEER budget by hand: course costs, programme costs at the plan's scale, first training
cohorts and in-kind venues; and the model's budget spending per participant."""

from __future__ import annotations

import numpy as np
import pytest

import peer_econ
from peer_econ.inputs.load import load_inputs
from peer_econ.model.capacity import DeliveryPlan
from peer_econ.runs.budget_plan import strategy_budget

HOURLY = 498_908 * 1.009 * 1.25 / 1_650  # coordinator cost per productive hour [DKK]
COURSE_CASH = 2_957.062018 - 375  # cash per participant without fixed costs; venue in kind
SEAT = (40 * HOURLY + 4_000) / 10  # trainer time and venue per volunteer trained [DKK]


@pytest.fixture(scope="module")
def fixed_result() -> peer_econ.RunResult:
    inputs = load_inputs("inputs")
    table = inputs.parameters
    fixed = inputs.with_parameters(table.with_fixed({s.name: s.value for s in table.specs}))
    return peer_econ.run(fixed, n_samples=3, seed=1)


def _by(plan: object, year: int) -> dict[tuple[str, str, bool], float]:
    out: dict[tuple[str, str, bool], float] = {}
    for line in plan.lines:  # type: ignore[attr-defined]
        key = (line.item, line.payer, line.cash)
        out[key] = out.get(key, 0.0) + float(line.amounts[year - 1][0])
    return out


def test_programme_budget_by_hand(fixed_result: peer_econ.RunResult) -> None:
    """PEER with volunteers at the base scale, every input at its base value (no spread).

    participants a year = 5 municipalities x 4 courses x 8 enrolled = 160
    course costs (cash)  = 160 x 2,582.062                              = 413,129.9 DKK/yr
    local coordination   = 5 x 40 h x 381.3623                          =  76,272.5 DKK/yr
    set-up (year 1 only, not annuitised) = 5 x (80 h x 381.3623 + 5,000) = 177,544.9 DKK
    first volunteers: 40 places, a volunteer leads 2.5 x 0.4 = 1 course a year, so 40 are
    trained in year 1 against 40 / 2.5 = 16 in a running year: 24 x 1,925.45 = 46,210.8 DKK
    in kind: the lent venue, 160 x 375 = 60,000 DKK a year (municipality)
    """
    plan = strategy_budget(fixed_result, "peer_volunteer", DeliveryPlan(5, 4, years=3))
    local = 5 * 40 * HOURLY
    setup = 5 * (80 * HOURLY + 5_000)
    course = 160 * COURSE_CASH
    assert course == pytest.approx(413_129.9, abs=0.1)
    year1, year2 = _by(plan, 1), _by(plan, 2)
    cash1 = sum(v for (_, _, cash), v in year1.items() if cash)
    cash2 = sum(v for (_, _, cash), v in year2.items() if cash)
    assert cash2 == pytest.approx(course + local, rel=1e-8)
    assert cash1 == pytest.approx(course + local + setup + 24 * SEAT, rel=1e-8)
    assert year1[("setup", "ngo_grant", True)] == pytest.approx(setup, rel=1e-12)
    assert ("setup", "ngo_grant", True) not in year2 or year2[("setup", "ngo_grant", True)] == 0
    assert year2[("venue", "municipality", False)] == pytest.approx(60_000)
    kinds = {line.item: line.kind for line in plan.lines}
    assert kinds["setup"] == "start-up" and kinds["local_coordination"] == "running"


def test_programme_budget_at_another_scale_uses_that_scale(
    fixed_result: peer_econ.RunResult,
) -> None:
    """Fixed costs follow the plan's scale, not the settings': 1 municipality x 8 courses ->
    local coordination 40 h x 381.36 for one municipality; course costs 64 x 2,582.06."""
    plan = strategy_budget(fixed_result, "peer_volunteer", DeliveryPlan(1, 8, years=2))
    cash2 = sum(v for (_, _, cash), v in _by(plan, 2).items() if cash)
    assert cash2 == pytest.approx(64 * COURSE_CASH + 40 * HOURLY, rel=1e-8)


def test_peer_budget_uses_only_budget_categories() -> None:
    """Participants' and volunteers' time never enter the budget, whatever the perspective;
    cash plus in-kind spending is the cost under the health and social care perspective."""
    from peer_econ.runs.pipeline import run

    societal = run("inputs", n_samples=200, seed=3, perspective="societal")
    base = run("inputs", n_samples=200, seed=3)
    for payer, arr in base.psa.budget_cost.items():
        np.testing.assert_allclose(societal.psa.budget_cost[payer], arr)
    assert "volunteers_participants" not in base.psa.budget_cost
    j = base.psa.strategies.index("peer_volunteer")
    total = sum(arr[:, j] for arr in base.psa.budget_cost.values())
    in_kind = sum(arr[:, j] for arr in base.psa.in_kind_cost.values())
    np.testing.assert_allclose(total + in_kind, base.psa.cost[:, j])
