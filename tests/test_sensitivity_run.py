"""The sensitivity orchestration (peer_econ.runs.sensitivity) into tmp_path: files, and the
numbers in them recomputed from the model with the parameter moved by hand."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from peer_econ.analysis.dsa import owsa
from peer_econ.errors import EstimationWarning, InputError
from peer_econ.inputs.load import load_inputs
from peer_econ.model.adapter import PeerModel, model_table
from peer_econ.model.spec import Inputs
from peer_econ.runs import sensitivity as run

PEER_STRATEGIES = ("peer_volunteer", "peer_paid", "peer_hybrid", "peer_course_only")


@pytest.fixture(scope="module")
def peer() -> Inputs:
    return load_inputs("inputs")


def inmb_at(peer: Inputs, strategy: str, wtp: float, **values: float) -> float:
    """INMB of ``strategy`` vs SAU at ``wtp`` with some parameters moved, everything else at
    its base value: wtp x (QALY_s - QALY_sau) - (cost_s - cost_sau) [DKK]."""
    table = model_table(peer)
    cost, qaly = PeerModel(peer)(table.deterministic().with_values(values))
    j = peer.strategy_names.index(strategy)
    return float(wtp * (qaly[0, j] - qaly[0, 0]) - (cost[0, j] - cost[0, 0]))


@pytest.fixture()
def plots() -> types.ModuleType:
    """The plotting module (kept as a fixture so tests state that they draw figures)."""
    from peer_econ.outputs import plots as real

    return real


def _manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text())


def test_owsa_writes_tables_figures_manifest(peer, plots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """One tornado table and figure per strategy; every end of every bar is the INMB of the
    model with that one parameter at that end (recomputed here)."""
    out = run.run_owsa(peer, tmp_path / "owsa", wtp=150_000.0)
    for strategy in PEER_STRATEGIES:
        tor = pd.read_csv(out / f"tornado_{strategy}.csv")
        assert set(tor["strategy"]) == {strategy}
        assert (out / f"tornado_{strategy}.png").is_file()
        assert (out / f"tornado_{strategy}.svg").is_file()
        swing = (tor["outcome_high"] - tor["outcome_low"]).abs()
        assert list(tor["swing"]) == pytest.approx(list(swing), rel=1e-12)
        assert list(tor["swing"]) == sorted(tor["swing"], reverse=True)
        base = inmb_at(peer, strategy, 150_000.0)
        assert tor["base_outcome"].to_numpy() == pytest.approx(base, rel=1e-12)
    tor = pd.read_csv(out / "tornado_peer_volunteer.csv")
    for row in tor.head(3).to_dict("records"):
        low = inmb_at(peer, "peer_volunteer", 150_000.0, **{row["parameter"]: row["low"]})
        high = inmb_at(peer, "peer_volunteer", 150_000.0, **{row["parameter"]: row["high"]})
        assert row["outcome_low"] == pytest.approx(low, rel=1e-12)
        assert row["outcome_high"] == pytest.approx(high, rel=1e-12)
    assert not (out / "tornado.csv").exists()
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
    """Each threshold is where the recomputed INMB crosses zero; WTP thresholds are the
    deterministic ICERs; the maximum cost is WTP x incremental QALYs."""
    out = run.run_threshold(peer, tmp_path / "thr", wtp=200_000.0)
    names = ("thresholds", "threshold_wtp", "threshold_max_cost", "threshold_durability")
    assert sorted(p.stem for p in out.glob("*.csv")) == sorted(names)
    thr = pd.read_csv(out / "thresholds.csv")
    assert "no threshold in range" in set(thr["status"])
    found = thr[(thr["status"] == "threshold found") & (thr["strategy"] == "peer_volunteer")]
    for row in found.head(3).to_dict("records"):
        at = inmb_at(peer, "peer_volunteer", 200_000.0, **{row["parameter"]: row["threshold"]})
        scale = abs(row["inmb_high"] - row["inmb_low"])
        assert abs(at) <= 1e-6 * scale, (row["parameter"], at)
    table = model_table(peer)
    cost, qaly = PeerModel(peer)(table.deterministic())
    j = peer.strategy_names.index("peer_volunteer")
    icer = (cost[0, j] - cost[0, 0]) / (qaly[0, j] - qaly[0, 0])
    wtp = pd.read_csv(out / "threshold_wtp.csv").set_index("strategy")
    assert wtp.loc["peer_volunteer", "icer_vs_comparator"] == pytest.approx(icer, rel=1e-12)
    cap = pd.read_csv(out / "threshold_max_cost.csv").set_index("strategy")
    expected = 200_000.0 * (qaly[0, j] - qaly[0, 0])
    assert cap.loc["peer_volunteer", "max_inc_cost"] == pytest.approx(expected, rel=1e-12)
    dur = pd.read_csv(out / "threshold_durability.csv").set_index("strategy")
    months = float(dur["threshold"]["peer_volunteer"])
    assert 0.05 < months < 240.0
    # bisection stops within 1e-9 of the range width: INMB within 1e-6 of its swing of zero
    scale = abs(dur["inmb_high"]["peer_volunteer"] - dur["inmb_low"]["peer_volunteer"])
    at = inmb_at(peer, "peer_volunteer", 200_000.0, decay_months=months)
    assert abs(at) <= 1e-6 * scale


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


def inert_parameters(peer: Inputs) -> set[str]:
    """Ranged parameters whose one-way swing leaves every strategy's incremental cost and QALYs
    exactly as at the base case (the active model does not read them)."""
    one_way = owsa(
        PeerModel(peer), model_table(peer), peer.strategy_names, comparator="sau", wtp=1.0
    ).table
    base = one_way[one_way["bound"] == "base"].set_index("strategy")[["inc_cost", "inc_qaly"]]
    moved = one_way[one_way["bound"] != "base"]
    diff = (moved[["inc_cost", "inc_qaly"]] - base.loc[moved["strategy"]].to_numpy()).abs()
    still = diff.max(axis=1).groupby(moved["parameter"]).max() == 0.0
    return set(still.index[still])


def test_gsa_commands(peer, plots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Sobol, Morris and delta on the PEER model: every index of a parameter the model does not
    read is exactly 0, and the parameter with the largest one-way swing has a positive index in
    each method."""
    inert = inert_parameters(peer)
    assert {"wsas_d", "qpr15_d"} <= inert and "mansa_d" not in inert
    with pytest.warns(EstimationWarning, match="confidence intervals wider than the indices"):
        out = run.run_sobol(peer, tmp_path / "sobol", n_base=128, convergence=True, seed=3)
    sob = pd.read_csv(out / "sobol.csv")
    assert list(sob.columns) == ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert set(sob["output"]) == {"inmb:peer_volunteer", "inc_qaly:peer_volunteer"}
    still = sob["parameter"].isin(inert)
    assert still.sum() >= 2 * 2
    assert (sob.loc[still, ["S1", "ST", "S1_conf", "ST_conf"]] == 0.0).all().all()
    top = sob[sob["parameter"] == "mansa_d"]
    assert (top["ST"] > 0).all() and (top["ST"] >= top["S1"] - top["S1_conf"]).all()
    conv = pd.read_csv(out / "sobol_convergence.csv")
    assert set(conv["n_base"]) == {128} and len(conv) == len(sob)
    man = _manifest(out)
    assert any("independent" in n for n in man["notes"])
    assert set(man["timings"]) == {"design", "mapping", "model", "analysis"}
    assert (out / "sobol_inmb_peer_volunteer.png").is_file()
    out = run.run_morris(peer, tmp_path / "morris", n_trajectories=10, seed=3)
    mor = pd.read_csv(out / "morris.csv")
    still = mor["parameter"].isin(inert)
    assert (mor.loc[still, ["mu", "mu_star", "sigma"]] == 0.0).all().all()
    assert (mor.loc[mor["parameter"] == "mansa_d", "mu_star"] > 0).all()
    assert (out / "morris_inmb_peer_volunteer.png").is_file()
    with pytest.warns(UserWarning, match="Potential Bias Notice"):
        out = run.run_delta(peer, tmp_path / "delta", n_samples=200, num_resamples=2, seed=3)
    delta = pd.read_csv(out / "delta.csv")
    still = delta["parameter"].isin(inert)
    assert (delta.loc[still, ["delta", "S1"]] == 0.0).all().all()
    assert not delta.loc[still, "estimated"].any()
    assert (delta.loc[delta["parameter"] == "mansa_d", "delta"] > 0).all()


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
