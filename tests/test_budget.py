"""Budget impact: hand calculations, ramp-up, payer split and validation."""

from __future__ import annotations

from typing import Any

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
    total = sum(arr[:, j] for arr in base.psa.budget_cost.values())
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
def test_budget_rejects_bad_arrays(costs: dict[str, np.ndarray], group: Any, match: str) -> None:
    with pytest.raises(InputError, match=match):
        budget_impact(costs, ["a", "b"], BudgetPlan("b", 1, 1, 1), group, comparator="a")


def test_plan_rejects_long_ramp_up_and_booleans() -> None:
    with pytest.raises(InputError, match="at most one share per year"):
        BudgetPlan("b", 1, 1, 2, ramp_up=(0.5, 0.5, 0.5))
    with pytest.raises(InputError, match="years"):
        BudgetPlan("b", 1, 1, True)
    with pytest.raises(InputError, match="courses per year"):
        BudgetPlan("b", "x", 1, 1)  # type: ignore[arg-type]
