"""Threshold analysis of peer_econ.analysis.dsa against answers known exactly: the bisection
(its stopping rule, exact zeros, iteration cap), the scan for sign changes, the roots and the
side on which a strategy is cost-effective for INMB curves with known roots, the threshold curve
of a two-parameter model and the WTP intervals in which each strategy is optimal."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pytest

from peer_econ.analysis import dsa
from peer_econ.errors import InputError
from peer_econ.parameters.distributions import Fixed
from peer_econ.parameters.table import ParameterSpec, ParameterTable

# --- bisection --------------------------------------------------------------------------------


class Counted:
    """``f(x, idx) = x - targets[idx]``, counting its calls."""

    def __init__(self, *targets: float) -> None:
        self.targets = np.array(targets, dtype=float)
        self.calls = 0

    def __call__(self, x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        self.calls += 1
        return np.asarray(x, dtype=float) - self.targets[idx]


def test_bisect_rows_returns_exact_zeros_as_is() -> None:
    """A zero at the upper end, at the lower end and at the first midpoint is returned exactly
    (not a nearby midpoint), next to an ordinary root."""
    f = Counted(0.0, 0.0, 0.0, 0.3)
    roots = dsa.bisect_rows(f, [-1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 1.0, 1.0], xtol=1e-12)
    assert roots[:3].tolist() == [0.0, 0.0, 0.0]
    assert roots[3] == pytest.approx(0.3, abs=1e-12)


def test_bisect_rows_stops_at_the_tolerance() -> None:
    """From [0, 1] the bracket is 2^-k wide after k halvings (one call each, after the two calls
    at the ends). With xtol = 2^-10 and rtol = 0 it stops at k = 10, where the width equals the
    tolerance; with xtol = 0 and rtol = 2^-10 near the root 0.7 (|mid| in (0.5, 1)) at k = 11."""
    f = Counted(0.3)
    root = dsa.bisect_rows(f, [0.0], [1.0], xtol=2.0**-10, rtol=0.0)
    assert f.calls == 2 + 10
    assert abs(root[0] - 0.3) <= 2.0**-11  # the midpoint of the last bracket
    f = Counted(0.7)
    root = dsa.bisect_rows(f, [0.0], [1.0], xtol=0.0, rtol=2.0**-10)
    assert f.calls == 2 + 11
    assert abs(root[0] - 0.7) <= 2.0**-12
    # defaults: xtol = 1e-10
    assert dsa.bisect_rows(Counted(0.3), [0.0], [1.0])[0] == pytest.approx(0.3, abs=1e-10)


def test_bisect_rows_iteration_cap_returns_the_last_midpoint() -> None:
    """Three halvings of [0, 1] towards 0.3: [0, 0.5], [0.25, 0.5], [0.25, 0.375]; the answer
    is that bracket's midpoint 0.3125."""
    f = Counted(0.3)
    root = dsa.bisect_rows(f, [0.0], [1.0], xtol=0.0, rtol=0.0, max_iter=3)
    assert root.tolist() == [0.3125]
    assert f.calls == 2 + 3


def test_bisect_rows_leaves_its_inputs_alone_and_takes_integers() -> None:
    lo, hi = np.array([0.0, -5.0]), np.array([1.0, 5.0])
    roots = dsa.bisect_rows(Counted(0.3, 2.0), lo, hi, xtol=1e-12)
    assert lo.tolist() == [0.0, -5.0] and hi.tolist() == [1.0, 5.0]
    np.testing.assert_allclose(roots, [0.3, 2.0], atol=1e-12)
    # integer brackets are bisected in floating point, not truncated
    roots = dsa.bisect_rows(Counted(0.3, 2.0), [0, -5], [1, 5], xtol=1e-12)
    np.testing.assert_allclose(roots, [0.3, 2.0], atol=1e-12)


# --- scan for sign changes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        # a zero inside (x = 1), a sign change (3 -> 4), small values of one sign (4 -> 5 -> 6),
        # a zero at the end (x = 6): each crossing once, zeros as (x, x)
        ([-1.0, 0.0, 1.0, 2.0, -0.5, -0.25, 0.0], [(1.0, 1.0), (3.0, 4.0), (6.0, 6.0)]),
        ([1.0, 1.0, -1.0], [(1.0, 2.0)]),  # a sign change in the last interval
        ([1.0, 0.0, 1.0], [(1.0, 1.0)]),  # a touching zero, not at the end
    ],
)
def test_brackets_each_crossing_once(f: list[float], expected: list[tuple[float, float]]) -> None:
    xs = np.arange(len(f), dtype=float)
    assert dsa._brackets(xs, np.array(f)) == expected


# --- thresholds of INMB curves with known roots -----------------------------------------------


def inmb_model(
    g: Callable[[np.ndarray], np.ndarray],
) -> Callable[[Mapping[str, np.ndarray]], tuple[np.ndarray, np.ndarray]]:
    """Two strategies, "ref" and "new", with dE = 0 and dC = -g(x): INMB(x) = g(x) at any WTP."""

    def model(d: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(d["x"], dtype=float)
        cost = np.column_stack([np.zeros(x.shape), -g(x)])
        return cost, np.zeros((x.shape[0], 2))

    return model


def one_range(base: float, low: float, high: float) -> ParameterTable:
    return ParameterTable((ParameterSpec("x", Fixed(base), low, high, "u"),))


SEVERAL, FOUND = "several thresholds", "threshold found"


@pytest.mark.parametrize(
    ("g", "base", "low", "threshold", "roots", "when", "status"),
    [
        # scan points k/8 on [0, 4] hit the roots 1, 3, 2, 1.125 exactly
        (lambda x: -64 * (x - 1) * (x - 3), 2.9, 0.0, 3.0, "1;3", "below", SEVERAL),  # -17 | 15
        (lambda x: -64 * (x - 2) ** 2, 1.0, 0.0, 2.0, "2", "at threshold only", FOUND),
        (lambda x: (x - 1) / 64, 0.0, 0.0, 1.0, "1", "above", FOUND),  # 1/512 above the root
        (lambda x: (1 - x) / 64, 0.0, 0.0, 1.0, "1", "below", FOUND),
        # zeros at two neighbouring scan points, negative elsewhere: positive on neither side
        (lambda x: -64 * (x - 1) * (x - 1.125), 1.0, 0.0, 1.0, "1;1.125", "at threshold only",
         SEVERAL),
        (lambda x: -64 * (x - 1) * (x - 1.125), 1.125, 0.0, 1.125, "1;1.125",
         "at threshold only", SEVERAL),
        # negative roots -3 and -1 on [-4, 0]; -3 is closer to the base -2.5
        (lambda x: -64 * (x + 3) * (x + 1), -2.5, -4.0, -3.0, "-3;-1", "above", SEVERAL),
        # a root in the last scan interval (3.875, 4), found by bisection
        (lambda x: 64 * (x - 3.95), 0.0, 0.0, 3.95, None, "above", FOUND),
    ],
)  # fmt: skip
def test_thresholds_of_known_roots(
    g: Callable[[np.ndarray], np.ndarray],
    base: float,
    low: float,
    threshold: float,
    roots: str | None,
    when: str,
    status: str,
) -> None:
    """The root closest to the base value, every root, and the side on which INMB > 0 judged
    from the scan points next to that root."""
    res = dsa.thresholds(
        inmb_model(g), one_range(base, low, low + 4.0), ("ref", "new"), comparator="ref", wtp=1.0
    ).iloc[0]
    assert res["threshold"] == pytest.approx(threshold, abs=1e-8)
    if roots is not None:
        assert res["all_thresholds"] == roots
    assert res["n_thresholds"] == (roots or "x").count(";") + 1
    assert (res["cost_effective_when"], res["status"]) == (when, status)


@pytest.mark.parametrize(("sign", "when"), [(1.0, "always"), (-1.0, "never")])
def test_thresholds_without_root(sign: float, when: str) -> None:
    """INMB = +-1/64 DKK everywhere: no threshold; cost-effective always or never."""
    model = inmb_model(lambda x: np.full(x.shape, sign / 64))
    res = dsa.thresholds(model, one_range(2.0, 0.0, 4.0), ("ref", "new"), comparator="ref", wtp=1.0)
    assert res["threshold"].dtype == np.float64 and np.isnan(res["threshold"].iloc[0])
    row = res.iloc[0]
    assert (row["n_thresholds"], row["all_thresholds"]) == (0, "")
    assert (row["cost_effective_when"], row["status"]) == (when, dsa.NO_THRESHOLD)


def test_thresholds_bisection_tolerance_is_relative_to_the_range() -> None:
    """Two scan points on [1, 3] bracket the root 1.3; xtol = 2^-10 of the width 2 is 2^-9,
    reached after 10 halvings of the width-2 bracket: the scan, the two ends, 10 midpoints."""
    calls: list[int] = []
    model = inmb_model(lambda x: x - 1.3)

    def counted(d: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        calls.append(1)
        return model(d)

    res = dsa.thresholds(
        counted, one_range(2.0, 1.0, 3.0), ("ref", "new"), comparator="ref", wtp=1.0,
        n_grid=2, xtol=2.0**-10,
    )  # fmt: skip
    assert len(calls) == 1 + 2 + 10
    assert abs(res["threshold"].iloc[0] - 1.3) <= 2.0**-10  # half the last bracket
    with pytest.raises(InputError, match=r"^n_grid = 1: use at least 2 scan points$"):
        dsa.thresholds(
            model, one_range(2.0, 1.0, 3.0), ("ref", "new"), comparator="ref", wtp=1.0, n_grid=1
        )


# --- threshold curve --------------------------------------------------------------------------


def curve_model(d: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """INMB = -64 (x - y)(x - y - 2): positive for y < x < y + 2, at any WTP."""
    x, y = np.asarray(d["x"], dtype=float), np.asarray(d["y"], dtype=float)
    cost = np.column_stack([np.zeros(x.shape), 64 * (x - y) * (x - y - 2)])
    return cost, np.zeros((x.shape[0], 2))


def test_threshold_curve_smallest_root_per_y_and_wtp() -> None:
    """Roots y and y + 2 within x in [0, 4] (scan points k/4 hit them): the smallest is the
    curve's x; for y = 5 both are outside (no threshold)."""
    table = ParameterTable(
        (
            ParameterSpec("x", Fixed(1.0), 0.0, 4.0, "u"),
            ParameterSpec("y", Fixed(0.0), 0.0, 6.0, "u"),
        )
    )
    res = dsa.threshold_curve(
        curve_model, table, ("ref", "new"), comparator="ref", wtp=[1000.0, 2000.0], x="x",
        x_bounds=(0.0, 4.0), y="y", y_values=[0.5, 1.0, 5.0],
    )  # fmt: skip
    rows = [
        {"y_value": y, "wtp": w, "strategy": "new", "x_threshold": x,
         "status": dsa.NO_THRESHOLD if np.isnan(x) else "threshold found"}
        for w in (1000.0, 2000.0) for y, x in ((0.5, 0.5), (1.0, 1.0), (5.0, np.nan))
    ]  # fmt: skip
    pd.testing.assert_frame_equal(res, pd.DataFrame(rows), atol=1e-12)
    with pytest.raises(InputError, match=r"grid of 'y': give at least one finite value"):
        dsa.threshold_curve(
            curve_model, table, ("ref", "new"), comparator="ref", wtp=1.0, x="x",
            x_bounds=(0.0, 4.0), y="y", y_values=[],
        )  # fmt: skip


# --- WTP intervals ----------------------------------------------------------------------------


def test_wtp_thresholds_herc_whole_table() -> None:
    """HERC example (REFERENCE-CASES.md): frontier UC -> B -> D -> E at 5000/12500/20000
    DKK/QALY; A and C are never optimal; ICERs vs UC by hand (e.g. A: 7000 / 0.5 = 14000)."""
    names = ("UC", "A", "B", "C", "D", "E")
    cost = [5000.0, 12000.0, 10000.0, 25000.0, 35000.0, 55000.0]
    effect = [1.0, 1.5, 2.0, 3.0, 4.0, 5.0]
    res = dsa.wtp_thresholds(cost, effect, names, comparator="UC")
    nan, inf = np.nan, np.inf
    expected = pd.DataFrame(
        {
            "strategy": list(names),
            "cost": cost,
            "effect": effect,
            "icer_vs_comparator": [nan, 14000.0, 5000.0, 10000.0, 10000.0, 12500.0],
            "wtp_optimal_from": [0.0, nan, 5000.0, nan, 12500.0, 20000.0],
            "wtp_optimal_to": [5000.0, nan, 12500.0, nan, 20000.0, inf],
            "ever_optimal": [True, False, True, False, True, True],
        }
    )
    pd.testing.assert_frame_equal(res, expected, rtol=1e-12)


def test_wtp_thresholds_equal_effects_and_a_single_point() -> None:
    """Equal QALYs: the costlier never is optimal (C by 0.5 DKK, D2 by 1 DKK), of an exact tie
    the first listed (A before B) is; a cheaper strategy listed later than a costlier one of
    the same effect (A after C) still is. On a straight frontier X -> Y -> Z the middle one is
    optimal at one WTP only (100 DKK/QALY, where all three tie)."""
    names = ("C", "A", "B", "D", "D2")
    res = dsa.wtp_thresholds(
        [100.5, 100.0, 100.0, 300.0, 301.0], [1.0, 1.0, 1.0, 2.0, 2.0], names, comparator="A"
    ).set_index("strategy")
    assert res["ever_optimal"].to_dict() == {
        "C": False, "A": True, "B": False, "D": True, "D2": False
    }  # fmt: skip
    assert res.loc["A", ["wtp_optimal_from", "wtp_optimal_to"]].tolist() == [0.0, 200.0]
    assert res.loc["D", ["wtp_optimal_from", "wtp_optimal_to"]].tolist() == [200.0, np.inf]
    assert res.loc[["C", "B", "D2"], ["wtp_optimal_from", "wtp_optimal_to"]].isna().all().all()
    res = dsa.wtp_thresholds([0.0, 100.0, 200.0], [0.0, 1.0, 2.0], ("X", "Y", "Z"), comparator="X")
    assert res["ever_optimal"].tolist() == [True, True, True]
    assert res["wtp_optimal_from"].tolist() == [0.0, 100.0, 100.0]
    assert res["wtp_optimal_to"].tolist() == [100.0, 100.0, np.inf]
