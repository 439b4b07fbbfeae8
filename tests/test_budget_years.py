"""Multi-year budget by item and payer and the business case by authority: hand calculations."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import Rectangle

from peer_econ.analysis.budget import (
    BudgetLine,
    budget_by_item,
    budget_by_payer,
    business_case,
    payback_year,
)
from peer_econ.errors import InputError


def _line(
    item: str, payer: str, kind: str, per_year: list[list[float]], cash: bool = True
) -> BudgetLine:
    return BudgetLine(item, payer, kind, cash, np.asarray(per_year, dtype=float))


def _example() -> list[BudgetLine]:
    """Three years, two samples: NGO start-up 100 in year 1, NGO running 50 a year, a venue lent
    by the municipality (in kind) 10 a year, and regional savings of 30 then 60 a year."""
    return [
        _line("setup", "ngo_grant", "start-up", [[100, 120], [0, 0], [0, 0]]),
        _line("coordination", "ngo_grant", "running", [[50, 50], [50, 50], [50, 50]]),
        _line("venue", "municipality", "running", [[10, 10], [10, 10], [10, 10]], cash=False),
        _line("inpatient", "region", "saving", [[-30, -30], [-60, -60], [-60, -60]]),
    ]


def test_budget_by_item_keeps_every_line_and_year() -> None:
    table = budget_by_item(_example())
    assert len(table) == 3 * 4
    setup = table[(table["item"] == "setup") & (table["year"] == 1)].iloc[0]
    assert setup["mean"] == 110.0
    assert setup["kind"] == "start-up"
    venue = table[table["item"] == "venue"].iloc[0]
    assert not venue["cash"]


def test_budget_by_payer_separates_cash_and_in_kind() -> None:
    table = budget_by_payer(_example()).set_index(["year", "payer"])
    assert table.loc[("1", "ngo_grant"), "cash"] == 160.0
    assert table.loc[("1", "municipality"), "cash"] == 0.0
    assert table.loc[("1", "municipality"), "in_kind"] == 10.0
    assert table.loc[("1", "total"), "total"] == 160.0 + 10.0 - 30.0
    assert table.loc[("all", "ngo_grant"), "total"] == 110.0 + 150.0
    assert table.loc[("all", "total"), "total"] == 260.0 + 30.0 - 150.0
    # totals are the sum over payers in every year
    for year in ("1", "2", "3", "all"):
        payers = table.loc[year].drop(index="total")
        assert payers["total"].sum() == pytest.approx(table.loc[(year, "total"), "total"])


def test_budget_by_payer_interval_is_of_the_sum() -> None:
    lines = [
        _line("a", "ngo_grant", "running", [list(np.arange(100.0))]),
        _line("b", "ngo_grant", "running", [list(99.0 - np.arange(100.0))]),
    ]
    row = budget_by_payer(lines, level=0.9).iloc[0]
    assert row["total"] == 99.0
    assert row["total_lower"] == row["total_upper"] == 99.0


def test_business_case_by_hand() -> None:
    """Kommune: invests 10 a year (in kind), no savings -> cumulative -10, -20, -30, never paid
    back. Region: saves 30, 60, 60 -> cumulative 30, 90, 150, paid back in year 1. NGO: invests
    160, 50, 50 -> cumulative -160, -210, -260."""
    authorities = {"municipality": "kommune", "region": "region", "ngo_grant": "NGO/grant"}
    table = business_case(_example(), authorities)
    by = {a: g.reset_index(drop=True) for a, g in table.groupby("authority", sort=False)}
    assert list(by) == ["kommune", "region", "NGO/grant"]
    np.testing.assert_allclose(by["kommune"]["cumulative_net"], [-10, -20, -30])
    np.testing.assert_allclose(by["region"]["savings"], [30, 60, 60])
    np.testing.assert_allclose(by["region"]["cumulative_net"], [30, 90, 150])
    np.testing.assert_allclose(by["NGO/grant"]["investment"], [160, 50, 50])
    np.testing.assert_allclose(by["NGO/grant"]["cumulative_net"], [-160, -210, -260])
    np.testing.assert_allclose(by["region"]["prob_paid_back"], [1, 1, 1])
    np.testing.assert_allclose(by["kommune"]["prob_paid_back"], [0, 0, 0])
    assert payback_year(by["region"]["cumulative_net"]) == 1
    assert payback_year(by["kommune"]["cumulative_net"]) is None


def test_business_case_probability_over_samples() -> None:
    """One authority, two samples: savings 100 vs 0 against investment 50 -> half pay back."""
    lines = [
        _line("run", "municipality", "running", [[50, 50]]),
        _line("saved", "municipality", "saving", [[-100, 0]]),
    ]
    row = business_case(lines, {"municipality": "kommune"}).iloc[0]
    assert row["net"] == 0.0
    assert row["prob_paid_back"] == 0.5


@pytest.mark.parametrize(
    ("cumulative", "expected"),
    [([-5, -1, 3, 4], 3), ([1, 2], 1), ([-1, -2], None), ([-1, 2, -1, 1], 4), ([-1, 0], 2)],
)
def test_payback_year(cumulative: list[float], expected: int | None) -> None:
    assert payback_year(cumulative) == expected


def test_bad_lines() -> None:
    with pytest.raises(InputError, match="kind"):
        _line("x", "region", "gift", [[1.0]])
    with pytest.raises(InputError, match="NaN"):
        _line("x", "region", "running", [[float("nan")]])
    with pytest.raises(InputError, match="shape"):
        budget_by_item(
            [_line("a", "r", "running", [[1.0]]), _line("b", "r", "running", [[1.0, 2.0]])]
        )
    with pytest.raises(InputError, match="no budget lines"):
        budget_by_payer([])
    with pytest.raises(InputError, match="coverage"):
        business_case(_example(), {"region": "region"}, level=1.5)


def test_budget_figure_shows_savings_below_zero_without_cutting() -> None:
    from peer_econ.outputs import plots

    ax = plots.plot_budget_years(budget_by_payer(_example()), labels={"region": "Region"})
    low, high = ax.get_ylim()
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    heights = [p.get_height() for p in bars]
    bottoms = [p.get_y() for p in bars]
    assert min(heights) == -60.0  # the region's savings are drawn below zero
    assert low <= min(b + min(h, 0.0) for b, h in zip(bottoms, heights, strict=True))
    assert high >= max(b + max(h, 0.0) for b, h in zip(bottoms, heights, strict=True))
    legend = ax.get_legend()
    assert legend is not None
    assert "Region" in [t.get_text() for t in legend.get_texts()]
    assert any(p.get_hatch() for p in ax.patches)  # the lent venue is hatched (in kind)


def test_cumulative_net_figure_marks_payback() -> None:
    from peer_econ.outputs import plots

    authorities = {"municipality": "kommune", "region": "region"}
    table = business_case(_example(), authorities)
    ax = plots.plot_cumulative_net(table, {"region": 1, "kommune": None})
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["pays back in year 1"]
