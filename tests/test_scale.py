"""What keeps large runs fast: the VOI subsample and its reported error, coarser interval grids
for very large PSAs, and Sobol warnings instead of timing tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peer_econ.analysis.cea import evpi
from peer_econ.analysis.voi import evppi_curves
from peer_econ.outputs.cea_tables import MAX_INTERVAL_WTP, MIN_INTERVAL_WTP, interval_points
from peer_econ.runs import voi as voi_run
from peer_econ.runs.pipeline import run
from peer_econ.runs.sensitivity import sobol_warnings

ROOT = Path(__file__).resolve().parents[1]


def test_interval_points() -> None:
    """101 WTP values up to 198,019 samples (default runs unchanged), then fewer, never < 11."""
    assert interval_points(10_000) == MAX_INTERVAL_WTP == 101
    assert interval_points(198_019) == 101
    assert interval_points(198_020) == 100
    assert interval_points(1_000_000) == 20
    assert interval_points(10_000_000) == MIN_INTERVAL_WTP == 11


def test_evpi_and_standard_error_by_hand() -> None:
    """Two strategies, four samples, WTP 10: NMB = 10 q - c.

    NMB A = [0, 10, 20, 30], B = [15, 5, 25, 15]: means 15 and 15 -> best A (first on ties);
    loss = max - NMB_A = [15, 0, 5, 0]: EVPI 5, sample SD sqrt(50) -> SE sqrt(50) / 2.
    """
    cost = np.array([[0.0, 5.0], [0.0, 15.0], [0.0, 5.0], [0.0, 15.0]])
    qaly = np.array([[0.0, 2.0], [1.0, 2.0], [2.0, 3.0], [3.0, 3.0]])
    mean, se = voi_run._evpi_and_se(cost, qaly, 10.0)
    assert mean == pytest.approx(5.0, rel=1e-12)
    assert se == pytest.approx(np.sqrt(50.0) / 2.0, rel=1e-12)
    assert mean == pytest.approx(_evpi_at(cost, qaly, 10.0), rel=1e-12)


def _evpi_at(cost: np.ndarray, qaly: np.ndarray, wtp: float) -> float:
    """Per-person EVPI at one WTP from the library's public function [DKK]."""
    names = [f"s{j}" for j in range(np.shape(cost)[1])]
    return float(evpi(cost, qaly, names, wtp=[wtp])["evpi"].iloc[0])


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return run(ROOT / "inputs", n_samples=400, seed=3)


def test_voi_uses_the_first_samples_and_reports_the_error(result, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With the cap at 200 of 400 samples, EVPPI equals the regression on the first 200 rows and
    voi_sampling compares EVPI on those rows with EVPI on all of them."""
    monkeypatch.setattr(voi_run, "VOI_MAX_SAMPLES", 200)
    voi = voi_run.run_voi(result, evsi=False)
    sampling = voi.sampling
    assert (sampling.n_samples_psa, sampling.n_samples_voi) == (400, 200)
    w = voi.wtp_point
    cost, qaly = result.psa.cost, result.psa.qaly
    assert sampling.evpi_psa == pytest.approx(_evpi_at(cost, qaly, w), rel=1e-12)
    assert sampling.evpi_voi == pytest.approx(_evpi_at(cost[:200], qaly[:200], w), rel=1e-12)
    name = str(voi.ranking["name"].iloc[0])
    if voi.ranking["kind"].iloc[0] == "parameter":
        frame = pd.DataFrame({name: np.asarray(result.draws[name])[:200]})
        direct = evppi_curves(cost[:200], qaly[:200], frame, [w], strategies=result.psa.strategies)
        assert float(voi.ranking["evppi"].iloc[0]) == pytest.approx(
            float(direct["evppi"].iloc[0]), rel=1e-9
        )
    table = sampling.to_frame()
    assert list(table.columns) == [
        "n_samples_psa", "n_samples_voi", "wtp", "evpi_psa", "evpi_voi", "evpi_voi_se"
    ]  # fmt: skip


def test_voi_below_the_cap_uses_every_sample(result) -> None:  # type: ignore[no-untyped-def]
    sampling = voi_run.run_voi(result, evsi=False).sampling
    assert sampling.n_samples_voi == sampling.n_samples_psa == 400
    assert sampling.evpi_voi == sampling.evpi_psa
    assert "all 400 PSA samples" in voi_run.sampling_sentence(sampling)


def test_sobol_warns_when_intervals_are_wider_than_indices() -> None:
    indices = pd.DataFrame(
        {
            "output": ["inmb", "inmb", "inmb"],
            "parameter": ["a", "b", "c"],
            "S1": [0.50, 0.05, 0.001],
            "S1_conf": [0.02, 0.20, 0.5],
            "ST": [0.55, 0.06, 0.002],
            "ST_conf": [0.03, 0.01, 0.5],
        }
    )
    (warning,) = sobol_warnings(indices)
    assert "inmb" in warning and "b (S1 0.050 +/- 0.200)" in warning and "--n-base" in warning
    assert "a (" not in warning and "c (" not in warning  # tight, or negligible indices
    assert sobol_warnings(indices.assign(S1_conf=0.0, ST_conf=0.0)) == []
