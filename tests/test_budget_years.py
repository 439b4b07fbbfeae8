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


def _spread() -> list[BudgetLine]:
    """Two years, 100 samples: coordination 0, 1, ..., 99 DKK (mean 49.5) in year 1 and twice
    that in year 2; a saving of 60 a year in every sample."""
    values = np.arange(100.0)
    return [
        _line("coordination", "municipality", "running", [list(values), list(2 * values)]),
        _line("saved", "municipality", "saving", [[-60.0] * 100, [-60.0] * 100]),
    ]


def test_budget_by_item_intervals_are_percentiles_at_the_level() -> None:
    """Percentiles of 0..99 (linear interpolation): 2.5 % / 97.5 % = 2.475 / 96.525 (default
    95 %), 5 % / 95 % = 4.95 / 94.05 at 90 %; every column of a row is the line's."""
    row = budget_by_item(_spread()).iloc[0].to_dict()
    assert row == {
        "year": 1, "item": "coordination", "payer": "municipality", "kind": "running",
        "cash": True, "mean": 49.5, "lower": pytest.approx(2.475), "upper": pytest.approx(96.525),
    }  # fmt: skip
    narrow = budget_by_item(_spread(), level=0.9).iloc[0]
    assert (narrow["lower"], narrow["upper"]) == (pytest.approx(4.95), pytest.approx(94.05))
    second = budget_by_item(_spread()).iloc[2]
    assert (second["year"], second["item"], second["mean"]) == (2, "coordination", 99.0)


def test_business_case_cumulative_interval_and_payback_at_zero() -> None:
    """Net per sample = 60 - v in year 1 and 60 - 2v in year 2 (v = 0..99): cumulative
    120 - 3v; 41 of 100 samples (v <= 40) have a cumulative net >= 0 in year 2 (v = 40 gives
    exactly 0, which counts as paid back); 61 in year 1 (v <= 60). The interval is of the
    cumulative net: 2.5 % / 97.5 % of 120 - 3v = 120 - 3 x 96.525 / 120 - 3 x 2.475."""
    table = business_case(_spread(), {"municipality": "kommune", "region": "region"})
    assert table["authority"].tolist() == ["kommune", "kommune", "region", "region"]
    kommune = table[table["authority"] == "kommune"].reset_index(drop=True)
    assert kommune["year"].tolist() == [1, 2]
    np.testing.assert_allclose(kommune["investment"], [49.5, 99.0])
    np.testing.assert_allclose(kommune["savings"], [60.0, 60.0])
    np.testing.assert_allclose(kommune["net"], [10.5, -39.0])
    np.testing.assert_allclose(kommune["cumulative_net"], [10.5, -28.5])
    np.testing.assert_allclose(kommune["prob_paid_back"], [0.61, 0.41])
    assert kommune["cumulative_lower"][1] == pytest.approx(120 - 3 * 96.525)
    assert kommune["cumulative_upper"][1] == pytest.approx(120 - 3 * 2.475)
    region = table[table["authority"] == "region"]
    assert region["investment"].tolist() == [0.0, 0.0]
    assert region["prob_paid_back"].tolist() == [1.0, 1.0]
    narrow = business_case(_spread(), {"municipality": "kommune"}, level=0.9)
    assert narrow["cumulative_upper"][1] == pytest.approx(120 - 3 * 4.95)


def test_business_case_sums_payers_of_one_authority() -> None:
    """Two payers of one authority are one business case; payers not listed are left out."""
    lines = [
        _line("a", "municipality", "running", [[10.0]]),
        _line("b", "jobcentre", "saving", [[-4.0]]),
        _line("c", "region", "running", [[100.0]]),
    ]
    table = business_case(lines, {"municipality": "kommune", "jobcentre": "kommune"})
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["investment"], row["savings"], row["net"]) == (10.0, 4.0, -6.0)


def test_budget_shapes_and_messages() -> None:
    with pytest.raises(InputError, match=r"^cumulative_net has shape \(1, 2\); expected"):
        payback_year([[1.0, 2.0]])
    with pytest.raises(InputError, match=r"amounts have shape \(2,\); expected \(n_years"):
        BudgetLine("x", "region", "running", True, np.array([1.0, 2.0]))
    with pytest.raises(InputError, match=r"'b' \(r\) has shape \(1, 2\); expected \(1, 1\)"):
        budget_by_payer(
            [_line("a", "r", "running", [[1.0]]), _line("b", "r", "running", [[1.0, 2.0]])]
        )
    for level in (0.0, 1.0):
        with pytest.raises(InputError, match="coverage between 0 and 1"):
            budget_by_item(_spread(), level=level)


def test_one_line_budget_and_amounts_as_float_arrays() -> None:
    """A budget of one line works; amounts given as nested lists of whole numbers become a
    float array; no lines at all is an error with its own message."""
    line = BudgetLine("x", "region", "running", True, [[1, 2], [3, 4]])  # type: ignore[arg-type]
    assert isinstance(line.amounts, np.ndarray) and line.amounts.dtype == np.float64
    table = budget_by_item([line])
    assert table["mean"].tolist() == [1.5, 3.5]
    with pytest.raises(InputError, match=r"^budget: no budget lines given$"):
        budget_by_item([])
