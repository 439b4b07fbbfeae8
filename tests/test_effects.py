"""The time course of the gain, written out by hand (model/effects.py): the share of the gain a
study would see at a time, repeat-course start times and the mapping route with shrinkage."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from peer_econ.inputs.load import load_inputs
from peer_econ.model.effects import booster_starts, remaining_fraction, utility_gain_post
from peer_econ.model.spec import Inputs, ModelSettings

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
#: Course length [years]: 10 weeks x 7 days / 365.25 days (0.19165 years = 2.30 months).
COURSE_YEARS = 10 * 7 / 365.25


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return load_inputs(INPUTS)


def _draws(inputs: Inputs, **values: float) -> dict[str, np.ndarray]:
    base = {"course_weeks": 10.0, "decay_months": 9.0, "half_life_months": 6.0}
    return dict(inputs.parameters.deterministic().with_values(base | values))


def _settings(inputs: Inputs, **changes: object) -> ModelSettings:
    base: dict[str, object] = {"horizon_months": 36.0, "trial_followup_months": 3.0}
    return replace(inputs.settings, **(base | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("durability", "months", "expected"),
    [
        # during the course: the ramp t / c
        ("linear", 1.0, (1 / 12) / COURSE_YEARS),
        # linear decay over 9 months after the course: 1 - (t - c) / 0.75
        ("linear", 6.0, 1 - (0.5 - COURSE_YEARS) / 0.75),
        ("linear", 12.0, 0.0),
        # exponential, half-life 6 months: 2^-((t - c) / 0.5)
        ("exponential", 12.0, 2 ** -((1.0 - COURSE_YEARS) / 0.5)),
        # none: held to the trial follow-up (3 months) inclusive, then 0
        ("none", 3.0, 1.0),
        ("none", 3.5, 0.0),
        ("sustained", 30.0, 1.0),
    ],
)
def test_remaining_fraction_by_hand(
    inputs: Inputs, durability: str, months: float, expected: float
) -> None:
    settings = _settings(inputs, durability=durability)
    got = remaining_fraction(months, _draws(inputs), settings)
    assert got.shape == (1,)
    assert got[0] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_remaining_fraction_at_and_beyond_the_horizon(inputs: Inputs) -> None:
    """Within the model (default) the share is 0 beyond the horizon (36 months) and still
    counted at it; a study sees the durability function itself."""
    settings = _settings(inputs, durability="sustained")
    draws = _draws(inputs)
    assert remaining_fraction(36.0, draws, settings)[0] == 1.0
    assert remaining_fraction(37.0, draws, settings)[0] == 0.0
    assert remaining_fraction(37.0, draws, settings, within_horizon=False)[0] == 1.0
    short = _settings(inputs, durability="linear", horizon_months=6.0)
    assert remaining_fraction(9.0, draws, short)[0] == 0.0
    seen = remaining_fraction(9.0, draws, short, within_horizon=False)[0]
    assert seen == pytest.approx(1 - (0.75 - COURSE_YEARS) / 0.75, rel=1e-12)


def test_repeat_courses_start_before_the_horizon_only(inputs: Inputs) -> None:
    """Courses every 12 months: at 12 and 24 within 36 months; one exactly at the horizon
    would add cost and no gain, so it is left out."""
    settings = _settings(inputs, booster_courses=5, booster_interval_months=12.0)
    assert booster_starts(settings, 36.0) == (12.0, 24.0)
    assert booster_starts(settings, 36.5) == (12.0, 24.0, 36.0)
    assert booster_starts(replace(settings, booster_courses=1), 36.0) == (12.0,)


def test_mapping_route_with_shrinkage(inputs: Inputs) -> None:
    """Mapping route: gain = slope x MANSA mean difference x shrinkage x attendance ratio:
    0.03 x 0.4 x 0.5 x (0.23 / 0.46) = 0.003."""
    draws = _draws(
        inputs, mapping_slope_mansa=0.03, mansa_md=0.4, shrinkage_factor=0.5,
        delivered_attendance_prop=0.23, trial_attendance_prop=0.46,
    )  # fmt: skip
    settings = _settings(inputs, utility_route="mapping", shrinkage=True, attendance_scaling=True)
    assert utility_gain_post(draws, settings)[0] == pytest.approx(0.003, rel=1e-12)
    plain = _settings(inputs, utility_route="mapping", shrinkage=False, attendance_scaling=False)
    assert utility_gain_post(draws, plain)[0] == pytest.approx(0.012, rel=1e-12)


def test_attendance_factor_off_is_one_per_sample(inputs: Inputs) -> None:
    """Without attendance scaling the factor is 1 for every sample, shape (n_samples,), so the
    gains keep the sample shape whatever the route."""
    from peer_econ.model.effects import attendance_factor

    draws = dict(inputs.parameters.sample(7, 1))
    factor = attendance_factor(draws, _settings(inputs, attendance_scaling=False))
    assert factor.shape == (7,)
    np.testing.assert_array_equal(factor, np.ones(7))
