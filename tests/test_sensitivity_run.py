"""Smoke tests of the sensitivity orchestration (peer_econ.runs.sensitivity) into tmp_path."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pandas as pd
import pytest

from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs
from peer_econ.runs import sensitivity as run


@pytest.fixture(scope="module")
def peer():  # type: ignore[no-untyped-def]
    return load_inputs("inputs")


@pytest.fixture()
def plots() -> types.ModuleType:
    """The plotting module (kept as a fixture so tests state that they draw figures)."""
    from peer_econ.outputs import plots as real

    return real


def _manifest(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "manifest.json").read_text())


def test_owsa_writes_tables_figures_manifest(peer, plots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run.run_owsa(peer, tmp_path / "owsa", wtp=150_000.0)
    tor = pd.read_csv(out / "tornado.csv")
    assert set(tor["strategy"]) == {
        "peer_volunteer",
        "peer_paid",
        "peer_hybrid",
        "peer_course_only",
    }
    assert (out / "tornado_peer_volunteer.png").is_file()
    assert (out / "tornado_peer_volunteer.svg").is_file()
    man = _manifest(out)
    assert man["command"] == "sensitivity owsa" and man["wtp"] == 150_000.0
    assert man["figures_skipped"] == []
    assert any("baseline_utility" in n for n in man["notes"])


def test_twsa_default_grid(peer, plots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run.run_twsa(peer, tmp_path / "twsa", x_values=[0.0, 0.03, 0.06], y_values=[3.0, 12.0])
    curve = pd.read_csv(out / "twsa_threshold_curve.csv")
    assert set(curve["wtp"]) == {100_000.0, 200_000.0, 400_000.0}
    assert (out / "twsa_peer_volunteer.png").is_file()
    out2 = run.run_twsa(
        peer, tmp_path / "twsa2", x="participants_per_group", y="coordinator_hours_per_course",
        figures=False,
    )  # fmt: skip
    assert len(pd.read_csv(out2 / "twsa_optimal.csv")) == 121


def test_threshold(peer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run.run_threshold(peer, tmp_path / "thr")
    for name in ("thresholds", "wtp_thresholds", "max_cost", "durability_threshold"):
        assert (out / f"{name}.csv").is_file()
    thr = pd.read_csv(out / "thresholds.csv")
    assert "no threshold in range" in set(thr["status"])


def test_scenarios_and_structural(peer, plots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run.run_scenario_analysis(
        peer, tmp_path / "sc", names=["base", "societal", "venue_rented"], n_samples=300, seed=0
    )
    table = pd.read_csv(out / "scenarios.csv")
    assert list(dict.fromkeys(table["scenario"])) == ["base", "societal", "venue_rented"]
    assert (out / "scenarios_ceac_societal.png").is_file()
    assert (out / "scenarios_forest_peer_volunteer.png").is_file()
    man = _manifest(out)
    assert man["seed"] == 0 and any("scenarios.toml" in k for k in man["input_sha256"])
    out2 = run.run_structural(
        peer, tmp_path / "st", horizons=[12.0], durabilities=["none", "linear"], n_samples=200,
        figures=False,
    )  # fmt: skip
    assert len(pd.read_csv(out2 / "structural.csv")) == 3 * 2 * 1 * 4


def test_gsa_commands(peer, plots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run.run_sobol(peer, tmp_path / "sobol", n_base=128, convergence=True, seed=3)
    sob = pd.read_csv(out / "sobol.csv")
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(sob.columns)
    assert (out / "sobol_convergence.csv").is_file()
    man = _manifest(out)
    assert any("independent" in n for n in man["notes"])
    assert set(man["timings"]) == {"design", "mapping", "model", "analysis"}
    assert (out / "sobol_inmb_peer_volunteer.png").is_file()
    out = run.run_morris(peer, tmp_path / "morris", n_trajectories=10, seed=3)
    assert (out / "morris.csv").is_file() and (out / "morris_inmb_peer_volunteer.png").is_file()
    out = run.run_delta(peer, tmp_path / "delta", n_samples=200, num_resamples=2, seed=3)
    assert (out / "delta.csv").is_file()


def test_failure_leaves_nothing(peer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="unknown parameter"):
        run.run_owsa(peer, tmp_path / "bad", parameters=["nope"])
    with pytest.raises(InputError, match="unknown scenario"):
        run.run_scenario_analysis(peer, tmp_path / "bad2", names=["nope"])
    assert list(tmp_path.iterdir()) == []


def test_no_figures_when_switched_off(peer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = run.run_owsa(peer, tmp_path / "o", figures=False)
    assert not list(out.glob("*.png")) and not list(out.glob("*.svg"))
    assert _manifest(out)["figures"] == []
