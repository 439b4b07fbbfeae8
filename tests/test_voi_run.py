"""PEER value of information: study design, independent study noise, EVSI bounds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from peer_econ.analysis.voi import evppi
from peer_econ.inputs.load import load_inputs
from peer_econ.runs.pipeline import run
from peer_econ.runs.voi import run_voi, study_design, study_draws, study_rng


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return run("inputs", n_samples=3000, seed=11)


def test_study_measures_gain_at_each_follow_up(result) -> None:  # type: ignore[no-untyped-def]
    design = study_design(result)
    assert design.followup_months == (3.0, 12.0)
    draws = study_draws(result, design)
    # linear decay over T months after a 10-week course: g(12) = 1 - (12 - 2.3)/T (>= 0)
    c_months = 70 / 365.25 * 12
    t = np.asarray(result.draws["decay_months"])
    expected = np.clip(1 - (12 - c_months) / t, 0, 1)
    np.testing.assert_allclose(draws["remaining_fraction_12m"], expected, rtol=1e-12)
    assert np.all(draws["remaining_fraction_3m"] < 1.0)


def test_study_sees_beyond_a_short_model_horizon() -> None:
    inputs = load_inputs("inputs")
    short = inputs.with_settings(horizon_months=6.0)
    res = run(short, n_samples=500, seed=2)
    draws = study_draws(res, study_design(res))
    assert np.mean(draws["remaining_fraction_12m"] > 0) > 0.5


def test_study_noise_is_independent_of_the_psa_stream() -> None:
    psa_normals = np.random.default_rng(11).standard_normal(1000)
    study_normals = study_rng(11).standard_normal(1000)
    assert abs(np.corrcoef(psa_normals, study_normals)[0, 1]) < 0.1
    np.testing.assert_array_equal(
        study_rng(11).standard_normal(5), study_rng(11).standard_normal(5)
    )


def test_follow_up_at_twelve_months_is_one_measurement() -> None:
    inputs = load_inputs("inputs")
    res = run(replace(inputs, settings=replace(inputs.settings, trial_followup_months=12.0)),
              n_samples=400, seed=1)  # fmt: skip
    assert study_design(res).followup_months == (3.0, 12.0)
    voi = run_voi(res, sample_sizes=(50, 200))
    table = voi.evsi
    assert sorted(set(table["n_per_arm"])) == [50, 200]
    assert len(table) == 2 * table["wtp"].nunique()
    assert (table["evsi"] >= 0).all() and (table["evsi"] <= table["evpi"] + 1e-9).all()
    np.testing.assert_allclose(table["enbs"], table["population_evsi"] - table["study_cost"])
    positive = table["evsi"] > 0
    ratio = table.loc[positive, "population_evsi"] / table.loc[positive, "evsi"]
    np.testing.assert_allclose(ratio, ratio.iloc[0], rtol=1e-12)  # one population multiplier


def test_evsi_bounded_by_evppi_of_what_the_study_measures(result) -> None:  # type: ignore[no-untyped-def]
    """EVSI <= EVPPI of the quantities the study informs, and grows with n."""
    voi = run_voi(result, sample_sizes=(25, 200, 2000))
    draws = study_draws(result, study_design(result))
    at = voi.evsi[np.isclose(voi.evsi["wtp"], 200_000)].sort_values("n_per_arm")
    bound = evppi(
        result.psa.cost, result.psa.qaly, pd.DataFrame(draws), [200_000.0],
        strategies=result.psa.strategies,
    ).evppi[0]  # fmt: skip
    assert np.all(np.diff(at["evsi"]) > 0)
    assert at["evsi"].max() <= bound * 1.05
    assert at["evsi"].iloc[-1] > 0.5 * bound
