"""The engine's bookkeeping (model/engine.py): blocks of samples, read-only outputs, payers
without spending, the trial-period horizon and the mapping-route guard."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs
from peer_econ.model import engine
from peer_econ.model.engine import evaluate
from peer_econ.model.spec import Inputs

INPUTS = Path(__file__).resolve().parents[1] / "inputs"


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return load_inputs(INPUTS)


def test_results_do_not_depend_on_the_block_size(
    inputs: Inputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of 7 samples give the same costs, QALYs, mean item costs and budgets as one
    block of all 20 (only the order of summation differs)."""
    draws = inputs.parameters.sample(20, 5)
    settings = replace(inputs.settings, downstream_resource_use=True)
    whole = evaluate(draws, inputs, settings=settings)
    monkeypatch.setattr(engine, "BLOCK_SIZE", 7)
    blocks = evaluate(draws, inputs, settings=settings)
    np.testing.assert_array_equal(blocks.cost, whole.cost)
    np.testing.assert_array_equal(blocks.qaly, whole.qaly)
    assert blocks.item_costs.keys() == whole.item_costs.keys()
    for key, value in whole.item_costs.items():
        assert blocks.item_costs[key] == pytest.approx(value, rel=1e-12), key
    for payer, spend in whole.budget_cost.items():
        np.testing.assert_allclose(blocks.budget_cost[payer], spend, rtol=1e-12)


def test_outputs_are_read_only(inputs: Inputs) -> None:
    out = evaluate(inputs.parameters.sample(3, 1), inputs)
    for arr in (out.cost, out.qaly, out.qaly_gain, out.utility_gain_post):
        assert not arr.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        out.cost[0, 0] = 1.0


def test_a_payer_without_spending_has_zero_budget(inputs: Inputs) -> None:
    """The region pays only for health care after the course, which is off in the base case."""
    out = evaluate(inputs.parameters.sample(4, 2), inputs)
    region = out.budget_cost["region"]
    assert region.shape == (4, len(inputs.strategy_names))
    np.testing.assert_array_equal(region, 0.0)


def test_trial_period_counts_downstream_use_to_its_own_horizon(inputs: Inputs) -> None:
    """With the horizon cut to the 3-month follow-up, an even first-year flow counts from 0 to
    0.25 years: -0.5 bed days x 6,000 DKK x ∫_0^0.25 1.035^-t dt."""
    draws = inputs.parameters.deterministic().with_values(
        {"delta_bed_days": -0.5, "psychiatric_bed_day": 6000.0}
    )
    settings = replace(inputs.settings, downstream_resource_use=True)
    out = evaluate(draws, inputs, settings=settings, horizon_months=3.0, durability="sustained")
    years = (1 - 1.035**-0.25) / math.log(1.035)
    got = out.item_costs[("peer_volunteer", "psychiatric_inpatient")]
    assert got == pytest.approx(-0.5 * 6000.0 * years, rel=1e-12)


def test_mapping_route_needs_the_mansa_outcome(inputs: Inputs) -> None:
    settings = replace(inputs.settings, utility_route="mapping", source_outcome="wsas")
    with pytest.raises(InputError, match="utility_route 'mapping' uses the MANSA mapping slope"):
        evaluate(inputs.parameters.deterministic(), inputs, settings=settings)


def test_trial_period_has_no_repeat_courses(inputs: Inputs) -> None:
    """The trial-period analysis is the trial as run: even repeats every 1.5 months (inside
    its 3 months) add no cost and no gain there."""
    draws = inputs.parameters.deterministic().with_values({"booster_uptake": 1.0})
    plain = evaluate(draws, inputs, horizon_months=3.0, durability="sustained")
    boosted_settings = replace(inputs.settings, booster_courses=2, booster_interval_months=1.5)
    boosted = evaluate(
        draws, inputs, settings=boosted_settings, horizon_months=3.0, durability="sustained"
    )
    np.testing.assert_array_equal(boosted.cost, plain.cost)
    np.testing.assert_array_equal(boosted.qaly_gain, plain.qaly_gain)
    full = evaluate(draws, inputs, settings=boosted_settings)
    assert np.all(full.cost[0, 1:] > evaluate(draws, inputs).cost[0, 1:])
