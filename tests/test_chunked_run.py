"""Large PSAs run in chunks with spooled (memory-mapped) arrays: same numbers as drawing the
chunks by hand, per-sample tables written a chunk at a time, pages released without loss."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peer_econ._rng import check_rng
from peer_econ.inputs.load import load_inputs
from peer_econ.model.engine import evaluate
from peer_econ.outputs import report, run_folder
from peer_econ.outputs.spool import is_spooled, release_spooled, spooled_array
from peer_econ.runs import pipeline

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def inputs():  # type: ignore[no-untyped-def]
    return load_inputs(ROOT / "inputs")


@pytest.fixture(scope="module")
def chunked(inputs):  # type: ignore[no-untyped-def]
    """2,500 samples in chunks of 1,000 (the threshold lowered for the test)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "CHUNK_SAMPLES", 1_000)
        yield pipeline.run(inputs, n_samples=2_500, seed=7)


def test_chunks_equal_drawing_them_by_hand(inputs, chunked) -> None:  # type: ignore[no-untyped-def]
    """The chunked run draws chunk after chunk from the run's one generator: the result is the
    concatenation of three ordinary evaluations of 1,000, 1,000 and 500 samples."""
    rng = check_rng(7)
    parts = [inputs.parameters.sample(m, rng) for m in (1_000, 1_000, 500)]
    follow_up = inputs.settings.trial_followup_months
    psa = [evaluate(d, inputs) for d in parts]
    trial = [evaluate(d, inputs, horizon_months=follow_up, durability="sustained") for d in parts]
    np.testing.assert_array_equal(chunked.psa.cost, np.vstack([p.cost for p in psa]))
    np.testing.assert_array_equal(chunked.psa.qaly, np.vstack([p.qaly for p in psa]))
    np.testing.assert_array_equal(chunked.trial_psa.cost, np.vstack([p.cost for p in trial]))
    np.testing.assert_array_equal(chunked.trial_psa.qaly, np.vstack([p.qaly for p in trial]))
    for name in inputs.parameters.uncertain_names():
        expected = np.concatenate([np.asarray(d[name]) for d in parts])
        np.testing.assert_array_equal(chunked.draws[name], expected)
    for payer, values in chunked.psa.budget_cost.items():
        np.testing.assert_array_equal(values, np.vstack([p.budget_cost[payer] for p in psa]))
    # item means: sample-weighted means of the chunk means
    for key, mean in chunked.psa.item_costs.items():
        weighted = sum(
            p.item_costs.get(key, 0.0) * w for p, w in zip(psa, (1000, 1000, 500), strict=True)
        )
        assert mean == pytest.approx(weighted / 2500, rel=1e-12)
    assert is_spooled(chunked.psa.cost) and is_spooled(chunked.draws["mansa_d"])


def test_tables_of_a_chunked_run(chunked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_folder, "SAMPLE_ROWS_PER_CHUNK", 1_000)  # 3 chunks of 2,500 rows
        report.write_run_tables(chunked, tmp_path)
        (tmp_path / "csv").mkdir()
        report.write_run_tables(chunked, tmp_path / "csv", samples_format="csv")
    samples = pd.read_parquet(tmp_path / "psa_samples.parquet")
    pd.testing.assert_frame_equal(samples, chunked.samples())
    from_csv = pd.read_csv(tmp_path / "csv" / "psa_samples.csv.gz")
    pd.testing.assert_frame_equal(from_csv, chunked.samples(), check_dtype=False, rtol=1e-14)
    headline = pd.read_csv(tmp_path / "headline.csv")
    np.testing.assert_allclose(headline["cost"], chunked.psa.cost.mean(axis=0), rtol=1e-13)


def test_released_pages_keep_their_values() -> None:
    array = spooled_array((1000, 3))
    array[:] = np.arange(3000.0).reshape(1000, 3)
    release_spooled()
    array.flags.writeable = False
    release_spooled()
    np.testing.assert_array_equal(array, np.arange(3000.0).reshape(1000, 3))
    assert not is_spooled(np.zeros(3))


def test_evaluation_in_chunks_equals_one_evaluation(inputs) -> None:  # type: ignore[no-untyped-def]
    """Re-evaluations of a large run (scale curve, multiplier thresholds) go a chunk at a time:
    per-sample costs and QALYs identical to one call, item means the same to rounding; one
    chunk gives the single call's item means bit for bit."""
    draws = inputs.parameters.sample(25, check_rng(4))
    settings = inputs.settings.replace(courses_per_municipality_per_year=7.0)
    whole = evaluate(draws, inputs, settings=settings)
    parts = pipeline.evaluate_in_chunks(draws, inputs, settings, chunk=7)
    np.testing.assert_array_equal(parts.cost, whole.cost)
    np.testing.assert_array_equal(parts.qaly, whole.qaly)
    assert set(parts.item_costs) == set(whole.item_costs)
    for key, mean in whole.item_costs.items():
        assert parts.item_costs[key] == pytest.approx(mean, rel=1e-12, abs=1e-12), key
    one = pipeline.evaluate_in_chunks(draws, inputs, settings, chunk=25)
    assert dict(one.item_costs) == dict(whole.item_costs)
