"""Editing ``value`` in parameters.csv is what a user does (DESIGN 2.8): it must give the same
base case as ``--set NAME=VALUE`` and move the centre of the PSA to VALUE.

Kinds (STYLE 3.3 item 7): (e) invariants between two routes to the same base case.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from peer_econ.inputs.load import load_inputs
from peer_econ.runs.pipeline import run

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
N_SAMPLES = 4_000
SEED = 11


def _edit_value(folder: Path, name: str, value: float) -> None:
    path = folder / "parameters.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    hits = [r for r in rows if r["name"] == name]
    assert len(hits) == 1 and not any(hits[0][c] for c in ("p1", "p2", "p3", "p4"))
    hits[0]["value"] = repr(value)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    ("name", "family", "value"),
    [
        ("mansa_d", "normal", 0.40),  # base 0.26
        ("coordinator_hours_per_course", "gamma", 60.0),  # base 30 (the review's example)
        ("overhead_rate", "beta", 0.35),  # base 0.25
    ],
)
def test_editing_value_equals_set(tmp_path: Path, name: str, family: str, value: float) -> None:
    folder = tmp_path / "inputs"
    shutil.copytree(INPUTS, folder)
    _edit_value(folder, name, value)
    edited_inputs = load_inputs(folder)
    spec = edited_inputs.parameters[name]
    assert spec.distribution.kind == family
    # the PSA distribution is fitted around the new value, with the row's standard error
    assert spec.distribution.mean == pytest.approx(value, rel=1e-12)
    assert spec.value == pytest.approx(value, rel=1e-12)
    original_sd = np.sqrt(load_inputs(INPUTS).parameters[name].distribution.variance)
    assert np.sqrt(spec.distribution.variance) == pytest.approx(original_sd, rel=1e-12)

    edited = run(edited_inputs, n_samples=N_SAMPLES, seed=SEED)
    fixed = run(INPUTS, n_samples=N_SAMPLES, seed=SEED, overrides={name: value})
    base = run(INPUTS, n_samples=N_SAMPLES, seed=SEED)
    # deterministic: identical to --set, and different from the unedited base case
    np.testing.assert_allclose(edited.deterministic.cost, fixed.deterministic.cost, rtol=1e-12)
    np.testing.assert_allclose(edited.deterministic.qaly, fixed.deterministic.qaly, rtol=1e-12)
    changed = (
        np.abs(edited.deterministic.cost - base.deterministic.cost).max()
        + np.abs(edited.deterministic.qaly - base.deterministic.qaly).max()
    )
    assert changed > 1e-6
    # PSA centre: the sampled parameter is centred on the new value (4 Monte Carlo SEs)
    draws = np.asarray(edited.draws[name])
    assert abs(draws.mean() - value) < 4 * draws.std() / np.sqrt(N_SAMPLES)
    # and so are the PSA means of cost and QALYs (linear in this parameter; 4 MC SEs)
    for attr in ("cost", "qaly_gain"):
        a, b = getattr(edited.psa, attr), getattr(fixed.psa, attr)
        se = np.sqrt(a.var(axis=0) / N_SAMPLES + b.var(axis=0) / N_SAMPLES) + 1e-12
        assert np.all(np.abs(a.mean(axis=0) - b.mean(axis=0)) < 4 * se), attr
