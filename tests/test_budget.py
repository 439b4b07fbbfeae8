"""Budget impact: hand calculations, ramp-up, payer split and validation."""

from __future__ import annotations

import numpy as np
import pytest

from peer_econ.analysis.budget import BudgetPlan, budget_impact
from peer_econ.errors import InputError


def _costs() -> dict[str, np.ndarray]:
    """Two samples x 3 strategies; strategy b is funded, a is the comparator.

    municipality: b - a = (100 - 10, 300 - 30) = (90, 270) per participant
    ngo:          b - a = (50, 50)
    """
    return {
        "municipality": np.array([[10.0, 100.0, 0.0], [30.0, 300.0, 0.0]]),
        "ngo": np.array([[0.0, 50.0, 7.0], [0.0, 50.0, 7.0]]),
    }


def test_budget_impact_by_hand() -> None:
    """2 courses x 3 municipalities x 8 participants = 48 participants a year.

    municipality: 48 x mean(90, 270) = 48 x 180 = 8,640; ngo: 48 x 50 = 2,400; total 11,040.
    Year 1 at 50 % ramp-up: half of each. Horizon (3 years: 0.5 + 1 + 1 = 2.5 years' worth):
    total 2.5 x 11,040 = 27,600.
    """
    plan = BudgetPlan("b", courses_per_year=2, municipalities=3, years=3, ramp_up=(0.5,))
    table = budget_impact(_costs(), ["a", "b", "c"], plan, 8.0, comparator="a")
    get = table.set_index(["year", "payer"])["budget_impact"]
    assert get[("2", "municipality")] == pytest.approx(8_640)
    assert get[("2", "ngo")] == pytest.approx(2_400)
    assert get[("2", "total")] == pytest.approx(11_040)
    assert get[("1", "total")] == pytest.approx(5_520)
    assert get[("all", "total")] == pytest.approx(27_600)
    parts = table.set_index(["year", "payer"])["participants"]
    assert parts[("1", "total")] == pytest.approx(24)
    assert parts[("all", "total")] == pytest.approx(120)


def test_interval_brackets_mean_and_varies_with_group_size() -> None:
    rng = np.random.default_rng(0)
    n = 4_000
    costs = {"m": np.column_stack([np.zeros(n), rng.gamma(20, 100, n)])}
    group = rng.triangular(6, 8, 10, n)
    plan = BudgetPlan("b", 1, 1, 1)
    table = budget_impact(costs, ["a", "b"], plan, group, comparator="a")
    row = table[(table["year"] == "1") & (table["payer"] == "total")].iloc[0]
    assert row["lower"] < row["budget_impact"] < row["upper"]
    assert row["budget_impact"] == pytest.approx(np.mean(group * costs["m"][:, 1]))


def test_comparator_spending_is_subtracted() -> None:
    plan = BudgetPlan("a", 1, 1, 1)
    table = budget_impact(_costs(), ["a", "b", "c"], plan, 1.0, comparator="a")
    assert np.allclose(table["budget_impact"], 0.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"courses_per_year": 0}, "courses per year"),
        ({"municipalities": 0}, "municipalities"),
        ({"years": 0}, "years"),
        ({"ramp_up": (1.5,)}, "ramp-up"),
    ],
)
def test_plan_validation(kwargs: dict[str, object], match: str) -> None:
    base: dict[str, object] = {
        "strategy": "b", "courses_per_year": 1, "municipalities": 1, "years": 1,
    }  # fmt: skip
    base.update(kwargs)
    with pytest.raises(InputError, match=match):
        BudgetPlan(**base)  # type: ignore[arg-type]


def test_unknown_strategy_and_bad_shapes() -> None:
    with pytest.raises(InputError, match="strategy 'x'"):
        budget_impact(_costs(), ["a", "b", "c"], BudgetPlan("x", 1, 1, 1), 8, comparator="a")
    with pytest.raises(InputError, match="comparator 'z'"):
        budget_impact(_costs(), ["a", "b", "c"], BudgetPlan("b", 1, 1, 1), 8, comparator="z")
    with pytest.raises(InputError, match="shape"):
        budget_impact(_costs(), ["a", "b"], BudgetPlan("b", 1, 1, 1), 8, comparator="a")


def test_peer_budget_uses_only_budget_categories() -> None:
    """Participants' and volunteers' time never enter the budget, whatever the perspective."""
    from peer_econ.runs.pipeline import run

    societal = run("inputs", n_samples=200, seed=3, perspective="societal")
    base = run("inputs", n_samples=200, seed=3)
    for payer, arr in base.psa.budget_cost.items():
        np.testing.assert_allclose(societal.psa.budget_cost[payer], arr)
    assert "volunteers_participants" not in base.psa.budget_cost
    j = base.psa.strategies.index("peer_volunteer")
    cash = sum(arr[:, j] for arr in base.psa.budget_cost.values())
    in_kind = sum(arr[:, j] for arr in base.psa.in_kind_cost.values())
    assert np.all(in_kind > 0)  # the lent venue
    total = cash + in_kind
    np.testing.assert_allclose(total, base.psa.cost[:, j])


@pytest.mark.parametrize(
    ("costs", "group", "match"),
    [
        ({"m": np.array([[0.0, np.nan]])}, 8.0, "NaN"),
        ({"total": np.array([[0.0, 1.0]])}, 8.0, "reserved"),
        ({"m": np.array([[0.0, 1.0]])}, -1.0, ">= 0"),
        ({"m": np.array([[0.0, 1.0]])}, np.array([8.0, 9.0]), "one per sample"),
    ],
)
def test_budget_rejects_bad_arrays(costs: dict[str, np.ndarray], group: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        budget_impact(costs, ["a", "b"], BudgetPlan("b", 1, 1, 1), group, comparator="a")


def test_plan_rejects_long_ramp_up_and_booleans() -> None:
    with pytest.raises(InputError, match="at most one share per year"):
        BudgetPlan("b", 1, 1, 2, ramp_up=(0.5, 0.5, 0.5))
    with pytest.raises(InputError, match="years"):
        BudgetPlan("b", 1, 1, True)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="courses per year"):
        BudgetPlan("b", "x", 1, 1)  # type: ignore[arg-type]


def test_programme_budget_by_hand() -> None:
    """PEER with volunteers at the base scale, every input at its base value (no spread).

    per participant, cash, without fixed costs = 2,957.062 - venue 375 (in kind) = 2,582.062
    participants a year = 5 municipalities x 4 courses x 8 enrolled = 160
    course costs     = 160 x 2,582.062                                  = 413,129.9 DKK/yr
    local coordination = 5 x 40 h x 381.3623                            =  76,272.5 DKK/yr
    set-up (year 1 only, not annuitised) = 5 x (80 h x 381.3623 + 5,000) = 177,544.9 DKK
    year 1 cash = 666,947.3; later years 489,402.4; in kind 160 x 375 = 60,000 DKK a year
    (all NGO/grant cash; the municipality's venue is in kind).
    """
    from peer_econ.inputs.load import load_inputs
    from peer_econ.runs.budget import budget_table, default_plan
    from peer_econ.runs.pipeline import run

    inputs = load_inputs("inputs")
    table = inputs.parameters
    fixed = inputs.with_parameters(table.with_fixed({s.name: s.value for s in table.specs}))
    result = run(fixed, n_samples=3, seed=1)
    plan = default_plan(result, years=3)
    out = budget_table(result, plan).set_index(["year", "payer", "kind"])
    hourly = 498_908 * 1.009 * 1.25 / 1_650
    course = 160 * (2_957.062018 - 375)
    local = 5 * 40 * hourly
    setup = 5 * (80 * hourly + 5_000)
    assert course == pytest.approx(413_129.9, abs=0.1)
    assert out.loc[("1", "total", "cash"), "budget_impact"] == pytest.approx(
        course + local + setup, rel=1e-8
    )
    assert out.loc[("1", "total", "cash"), "setup"] == pytest.approx(setup, rel=1e-12)
    assert out.loc[("2", "ngo_grant", "cash"), "budget_impact"] == pytest.approx(
        course + local, rel=1e-8
    )
    assert out.loc[("2", "municipality", "cash"), "budget_impact"] == pytest.approx(0.0)
    assert out.loc[("2", "municipality", "in kind"), "budget_impact"] == pytest.approx(60_000)
    assert out.loc[("all", "total", "cash"), "budget_impact"] == pytest.approx(
        3 * (course + local) + setup, rel=1e-8
    )
    assert out.loc[("2", "total", "cash"), "participants"] == pytest.approx(160)


def test_programme_budget_at_another_scale_uses_that_scale() -> None:
    """Fixed costs follow the plan's scale, not the settings': 1 municipality x 8 courses ->
    local coordination 40 h x 381.36 for one municipality; course costs 64 x 2,582.06."""
    from peer_econ.analysis.budget import BudgetPlan
    from peer_econ.inputs.load import load_inputs
    from peer_econ.runs.budget import budget_table
    from peer_econ.runs.pipeline import run

    inputs = load_inputs("inputs")
    table = inputs.parameters
    fixed = inputs.with_parameters(table.with_fixed({s.name: s.value for s in table.specs}))
    result = run(fixed, n_samples=2, seed=1)
    out = budget_table(result, BudgetPlan("peer_volunteer", 8, 1, 2)).set_index(
        ["year", "payer", "kind"]
    )
    hourly = 498_908 * 1.009 * 1.25 / 1_650
    expected = 64 * (2_957.062018 - 375) + 40 * hourly
    assert out.loc[("2", "total", "cash"), "budget_impact"] == pytest.approx(expected, rel=1e-8)
    sau = budget_table(result, BudgetPlan("sau", 8, 1, 2))
    assert np.allclose(sau["budget_impact"], 0.0)
