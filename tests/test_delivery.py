"""Programme costs at a delivery scale (DESIGN 2.2a): the hand calculations of EVIDENCE 3a,
the annuity, timing and discounting of the fixed cost, and the delivery scenarios.

Kinds (STYLE 3.3 item 7): (a) hand calculations with the arithmetic in the docstring, (c)
analytic cases, (e) invariants, (f) input errors.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from peer_econ.errors import InputError
from peer_econ.inputs import scenarios as scenario_files
from peer_econ.inputs.load import load_inputs
from peer_econ.model import evaluate
from peer_econ.model.delivery import (
    DeliveryScale,
    annuity_factor,
    coordinator_hourly_cost,
    participants_per_year,
    programme_fixed_costs,
)
from peer_econ.model.spec import DiscountSchedule, Inputs
from peer_econ.runs.scenarios import evaluate_scenario

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
#: EVIDENCE 3a: coordinator hourly cost 498,908 x 1.009 x 1.25 / 1,650 [DKK/h]
HOURLY = 498_908 * 1.009 * 1.25 / 1_650


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return load_inputs(INPUTS)


def _j(inputs: Inputs, name: str) -> int:
    return inputs.strategy_names.index(name)


def test_evidence_3a_fixed_cost_per_participant(inputs: Inputs) -> None:
    """EVIDENCE 3a, base scale 5 municipalities x 4 courses x 8 enrolled = 160 a year:
    hourly 381.36; local coordination 5 x 40 x 381.36 = 76,272 DKK/yr; set-up
    5 x (80 x 381.36 + 5,000) = 177,544 DKK; annuity (1 - 1.035^-5) / 0.035 = 4.5151 ->
    39,322 DKK/yr; (76,272 + 39,322) / 160 = 722 DKK per participant."""
    det = inputs.parameters.deterministic()
    assert coordinator_hourly_cost(det)[0] == pytest.approx(381.4, abs=0.05)
    fixed = programme_fixed_costs(det, DeliveryScale(5, 4), discount_rate=0.035)
    assert fixed.participants_per_year[0] == 160
    assert fixed.yearly[0] == pytest.approx(76_272, abs=1)
    assert fixed.setup[0] == pytest.approx(177_544, abs=1)
    assert float(annuity_factor(0.035, 5)) == pytest.approx(4.5151, abs=1e-4)
    assert fixed.annualised_setup[0] == pytest.approx(39_322, abs=1)
    assert fixed.per_participant[0] == pytest.approx(722, abs=0.5)
    exact = (5 * 40 * HOURLY + 5 * (80 * HOURLY + 5_000) / annuity_factor(0.035, 5)) / 160
    assert fixed.per_participant[0] == pytest.approx(float(exact), rel=1e-12)
    # the model carries it as one cost item of every programme strategy (payer NGO/grant)
    out = evaluate(det, inputs)
    for name in ("peer_volunteer", "peer_paid", "peer_hybrid", "peer_course_only"):
        assert out.item_costs[(name, "programme_fixed")] == pytest.approx(float(exact))
    assert ("sau", "programme_fixed") not in out.item_costs
    item = next(c for c in inputs.cost_items if c.item == "programme_fixed")
    assert (item.payer, item.category, item.in_kind) == ("ngo_grant", "intervention", False)
    j = _j(inputs, "peer_volunteer")
    assert out.programme_fixed_cost["ngo_grant"][0, j] == pytest.approx(float(exact))


def test_evidence_3a_venue_per_participant(inputs: Inputs) -> None:
    """EVIDENCE 3a: venue 10 sessions x 300 DKK / 8 enrolled = 375 DKK per participant."""
    out = evaluate(inputs.parameters.deterministic(), inputs)
    assert out.item_costs[("peer_volunteer", "venue")] == pytest.approx(375.0, rel=1e-12)


def test_annuity_factor_cases() -> None:
    """(1 - 1.035^-1) / 0.035 = 1 / 1.035; rate 0 -> n; a perpetuity-like long life -> 1 / r."""
    assert float(annuity_factor(0.035, 1)) == pytest.approx(1 / 1.035, rel=1e-12)
    np.testing.assert_array_equal(annuity_factor(0.0, np.array([3.0, 5.0])), [3.0, 5.0])
    assert float(annuity_factor(0.05, 2000)) == pytest.approx(20.0, rel=1e-12)
    np.testing.assert_allclose(
        annuity_factor(0.035, np.array([5.0, 10.0])),
        [sum(1.035**-t for t in range(1, 6)), sum(1.035**-t for t in range(1, 11))],
        rtol=1e-12,
    )


def test_fixed_cost_annuitised_at_the_first_year_cost_rate(inputs: Inputs) -> None:
    """The set-up annuity uses the first-year rate of the *cost* schedule: at 0 % the set-up is
    spread evenly (177,544 / 5 = 35,509 DKK/yr -> (76,272 + 35,509) / 160 = 698.6); the
    effects schedule does not touch it. A test that fails if the annuity ignored the rate."""
    det = inputs.parameters.deterministic()
    j = _j(inputs, "peer_volunteer")
    zero = DiscountSchedule((0.0,), (0.0,))
    base = evaluate(det, inputs)
    no_cost_discount = evaluate(det, inputs, settings=replace(inputs.settings, discount_costs=zero))
    no_effect_discount = evaluate(
        det, inputs, settings=replace(inputs.settings, discount_effects=zero)
    )
    flat = (5 * 40 * HOURLY + 5 * (80 * HOURLY + 5_000) / 5) / 160
    assert flat == pytest.approx(698.6, abs=0.05)
    assert no_cost_discount.item_costs[("peer_volunteer", "programme_fixed")] == pytest.approx(flat)
    assert (
        no_effect_discount.item_costs[("peer_volunteer", "programme_fixed")]
        == base.item_costs[("peer_volunteer", "programme_fixed")]
    )
    assert base.cost[0, j] - no_cost_discount.cost[0, j] == pytest.approx(
        base.item_costs[("peer_volunteer", "programme_fixed")] - flat, rel=1e-9
    )


def test_fixed_cost_falls_at_time_zero_like_course_costs(inputs: Inputs) -> None:
    """Intervention costs fall at time 0 (undiscounted): the fixed cost per participant is the
    same over a 3-month, 36-month or 480-month horizon and in the trial period; repeat courses
    repeat it x uptake, discounted to their start, like every course cost."""
    det = inputs.parameters.deterministic()
    key = ("peer_volunteer", "programme_fixed")
    values = [
        evaluate(det, inputs, settings=replace(inputs.settings, horizon_months=h)).item_costs[key]
        for h in (3.0, 36.0, 480.0)
    ]
    values.append(evaluate(det, inputs, horizon_months=3.0, durability="sustained").item_costs[key])
    assert max(values) == pytest.approx(min(values), rel=1e-15)
    boosted = evaluate(
        det,
        inputs,
        settings=replace(inputs.settings, booster_courses=2, booster_interval_months=12.0),
    )
    factor = 1 + 0.5 * (1.035**-1 + 1.035**-2)
    assert boosted.item_costs[key] == pytest.approx(values[0] * factor, rel=1e-9)


def test_fixed_cost_scales_with_courses_not_municipalities(inputs: Inputs) -> None:
    """Every fixed cost is per municipality, so the number of municipalities cancels; courses
    per municipality divide it: at 8 courses the fixed cost per participant halves."""
    det = inputs.parameters.deterministic()
    base = programme_fixed_costs(det, DeliveryScale(5, 4), discount_rate=0.035)
    for municipalities in (1, 20, 98):
        other = programme_fixed_costs(det, DeliveryScale(municipalities, 4), discount_rate=0.035)
        assert other.per_participant[0] == pytest.approx(base.per_participant[0], rel=1e-12)
        assert other.yearly[0] == pytest.approx(base.yearly[0] * municipalities / 5)
    doubled = programme_fixed_costs(det, DeliveryScale(5, 8), discount_rate=0.035)
    assert doubled.per_participant[0] == pytest.approx(base.per_participant[0] / 2, rel=1e-12)
    draws = inputs.parameters.sample(100, 2)
    np.testing.assert_allclose(
        participants_per_year(DeliveryScale(5, 4), draws["participants_per_group"]),
        20 * np.asarray(draws["participants_per_group"]),
    )
    out = evaluate(
        det, inputs, settings=replace(inputs.settings, courses_per_municipality_per_year=8.0)
    )
    assert out.item_costs[("peer_volunteer", "programme_fixed")] == pytest.approx(
        base.per_participant[0] / 2
    )


def test_dedicated_coordinator_post(inputs: Inputs) -> None:
    """0.5 FTE per municipality in place of per-course and local coordination hours:
    0.5 x 498,908 x 1.009 x 1.25 = 314,624 DKK per municipality a year;
    (5 x 314,624 + 39,322.9) / 160 = 10,077.8 DKK per participant; no per-course
    coordination item."""
    det = inputs.parameters.deterministic()
    settings = replace(inputs.settings, local_coordination="dedicated_post")
    out = evaluate(det, inputs, settings=settings)
    post = 0.5 * 498_908 * 1.009 * 1.25
    setup = 5 * (80 * HOURLY + 5_000) / float(annuity_factor(0.035, 5))
    expected = (5 * post + setup) / 160
    assert expected == pytest.approx(10_077.8, abs=0.05)
    assert out.item_costs[("peer_volunteer", "programme_fixed")] == pytest.approx(expected)
    assert ("peer_volunteer", "coordination") not in out.item_costs


def test_delivery_scenarios(inputs: Inputs) -> None:
    """'existing infrastructure' removes the fixed cost (722.47 DKK); 'dedicated coordinator'
    swaps 30 h x 381.36 / 8 = 1,430.1 per-course coordination and 722.47 for 10,077.8."""
    scenarios = {
        s.name: s for s in scenario_files.read_scenarios(INPUTS / "scenarios.toml", inputs)
    }
    draws = inputs.parameters.sample(10, 1)
    (base_det, _), _ = evaluate_scenario(inputs, scenarios["base"], draws)
    (existing, _), _ = evaluate_scenario(inputs, scenarios["existing_infrastructure"], draws)
    (post, _), _ = evaluate_scenario(inputs, scenarios["dedicated_coordinator"], draws)
    j = _j(inputs, "peer_volunteer")
    fixed = (5 * 40 * HOURLY + 5 * (80 * HOURLY + 5_000) / float(annuity_factor(0.035, 5))) / 160
    assert base_det[0, j] - existing[0, j] == pytest.approx(fixed, rel=1e-9)
    assert post[0, j] - base_det[0, j] == pytest.approx(
        10_077.8 - fixed - 30 * HOURLY / 8, abs=0.05
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("municipalities = 5 ", "municipalities = 0 ", r"municipalities = 0 must be a whole"),
        ("municipalities = 5 ", "municipalities = 99 ", r"from 1 to 98"),
        (
            "courses_per_municipality_per_year = 4 ",
            "courses_per_municipality_per_year = 0 ",
            r"courses_per_municipality_per_year = 0\.0 must be a number in \(0, 52\]",
        ),
        ('local_coordination = "hours"', 'local_coordination = "none"', r"choose one of"),
        ("municipalities = 5 ", "municipalities = 2.5 ", r"municipalities = 2\.5 must be a int"),
    ],
)
def test_delivery_settings_validated(tmp_path: Path, old: str, new: str, message: str) -> None:
    import shutil

    folder = tmp_path / "inputs"
    shutil.copytree(INPUTS, folder)
    path = folder / "settings.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_inputs(folder)


def test_delivery_scale_object_validates() -> None:
    with pytest.raises(InputError, match="municipalities"):
        DeliveryScale(0, 4)
    assert DeliveryScale(5, 4).courses_per_year == 20


def test_delivery_scale_bounds_and_types() -> None:
    """52 courses a year (one a week) and 98 municipalities are allowed, one more is not; a
    bool is not a number of courses or municipalities."""
    assert DeliveryScale(98, 52).courses_per_year == 98 * 52
    assert DeliveryScale(1, 52.0).courses_per_year == 52.0
    for municipalities, courses, message in [
        (5, 52.5, r"courses_per_municipality_per_year = 52\.5"),
        (5, True, "courses_per_municipality_per_year = True"),
        (True, 4, "municipalities = True"),
        (5, float("inf"), "courses_per_municipality_per_year = inf"),
    ]:
        with pytest.raises(InputError, match=message):
            DeliveryScale(municipalities, courses)


def test_whole_number_inputs_give_float_arrays() -> None:
    """Years and group sizes given as whole numbers still give float arrays (the model's
    arrays are float64 throughout)."""
    zero_rate = annuity_factor(0.0, 5)
    assert zero_rate.dtype == np.float64 and float(zero_rate) == 5.0
    assert annuity_factor(0.035, np.array([5])).dtype == np.float64
    people = participants_per_year(DeliveryScale(5, 4), np.array([8]))
    assert people.dtype == np.float64 and people.tolist() == [160.0]
