"""Tests of named scenarios and the structural matrix (peer_econ.runs.scenarios)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peer_econ.errors import InputError
from peer_econ.inputs import scenarios as scenario_files
from peer_econ.inputs.load import load_inputs
from peer_econ.model.adapter import PeerModel, model_table
from peer_econ.runs import scenarios as scen

SRC = "inputs/scenarios.toml"


@pytest.fixture(scope="module")
def peer():  # type: ignore[no-untyped-def]
    return load_inputs("inputs")


@pytest.fixture(scope="module")
def all_scenarios(peer):  # type: ignore[no-untyped-def]
    return scenario_files.read_scenarios(SRC, peer)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.toml"
    path.write_text(text)
    return path


def test_default_file_has_required_scenarios(all_scenarios) -> None:  # type: ignore[no-untyped-def]
    names = {s.name for s in all_scenarios}
    required = {
        "base", "societal", "limited_societal", "source_wsas", "source_qpr15", "shrinkage",
        "lambda_one", "durability_none", "durability_linear_6", "durability_exponential",
        "durability_sustained", "horizon_12", "horizon_60", "trial_period", "attendance_030",
        "attendance_060", "venue_rented", "downstream_bed_days", "wellbeing_offset",
    }  # fmt: skip
    assert required <= names


def test_overrides_applied(peer, all_scenarios) -> None:  # type: ignore[no-untyped-def]
    """Venue 500 instead of 300 DKK x 10 sessions / 8 enrolled = +250 DKK per participant for
    every PEER arm."""
    chosen = scenario_files.select_scenarios(all_scenarios, ["base", "venue_rented", "horizon_12"])
    res = scen.run_scenarios(peer, chosen, n_samples=500, rng=1)
    s = res.summary.set_index(["scenario", "strategy"])
    diff = (
        s.loc[("venue_rented", "peer_volunteer"), "det_inc_cost"]
        - s.loc[("base", "peer_volunteer"), "det_inc_cost"]
    )
    assert diff == pytest.approx((500 - 300) * 10 / 8)
    # PSA: fixed in the PSA too, on the shared draws (CRN): the sampled venue cost is
    # replaced by 500 x 10 / group size in each draw
    draws = model_table(peer).sample(500, np.random.default_rng(1))
    venue = np.asarray(draws["venue_per_session"])
    expected = float(np.mean((500 - venue) * 10 / draws["participants_per_group"]))
    psa_diff = (
        s.loc[("venue_rented", "peer_paid"), "psa_inc_cost"]
        - s.loc[("base", "peer_paid"), "psa_inc_cost"]
    )
    assert psa_diff == pytest.approx(expected)
    assert (
        s["det_inc_qaly"][("horizon_12", "peer_volunteer")]
        < s["det_inc_qaly"][("base", "peer_volunteer")]
    )
    # base scenario equals the plain model at the means
    table = model_table(peer)
    c, e = PeerModel(peer)(table.deterministic())
    assert s.loc[("base", "peer_volunteer"), "det_inc_cost"] == pytest.approx(c[0, 1] - c[0, 0])
    # CEAC rows sum to one per scenario and WTP
    sums = res.ceac.groupby(["scenario", "wtp"])["prob_best"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    assert set(res.settings["key"]) == {"venue_per_session", "horizon_months"}


def test_structural_settings_change_results(peer, all_scenarios) -> None:  # type: ignore[no-untyped-def]
    chosen = scenario_files.select_scenarios(
        all_scenarios, ["base", "societal", "shrinkage", "lambda_one", "durability_none"]
    )
    s = scen.run_scenarios(peer, chosen, n_samples=200, rng=2).summary
    s = s[s.strategy == "peer_volunteer"].set_index("scenario")
    assert s["det_inc_cost"]["societal"] > s["det_inc_cost"]["base"]
    assert s.loc["shrinkage", "det_inc_qaly"] == pytest.approx(
        s.loc["base", "det_inc_qaly"] * 0.20 / 0.43, rel=1e-6
    )
    # lambda = 0.5 at base (0.3 + 0.7 * 2/7), 1 with share = 1
    assert s.loc["lambda_one", "det_inc_qaly"] == pytest.approx(
        2.0 * s.loc["base", "det_inc_qaly"], rel=1e-6
    )
    assert s["det_inc_qaly"]["durability_none"] < s["det_inc_qaly"]["base"]


X = "[scenarios.x]\n"
W = r"\[scenarios\.x\]: "


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (X + "lable = 'typo'\n", W + r"unknown key\(s\) \['lable'\]"),
        (X + "parameters = { venue = 5 }\n", W + "unknown parameter 'venue'"),
        (X + "settings = { horizon = 5 }\n", W + "unknown setting 'horizon'"),
        (X + "settings = { durability = 'forever' }\n", W + "durability = 'forever'"),
        (X + "settings = { shrinkage = 'yes' }\n", W + "setting shrinkage = 'yes' must be a bool"),
        (X + "settings = { horizon_months = -3 }\n", W + "horizon_months = -3.0"),
        (X + "parameters = { venue_per_session = 'a' }\n", "venue_per_session = 'a' must be"),
        (
            X + "settings = { utility_route = 'mapping', source_outcome = 'wsas' }\n",
            W + "utility_route = 'mapping' needs source_outcome = 'mansa'",
        ),
        ("[other]\n", "unknown top-level key"),
        (
            X + "settings = { wellbeing_offset = true, downstream_resource_use = true }\n",
            "mutually exclusive",
        ),
    ],
)
def test_validation_errors(peer, tmp_path: Path, text: str, pattern: str) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=pattern) as info:
        scenario_files.read_scenarios(path, peer)
    assert all(str(path.as_posix()) in p for p in info.value.problems)


def test_all_problems_collected(peer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path,
        "[scenarios.a]\nparameters = { nope = 1 }\n[scenarios.b]\nsettings = { nope = 1 }\n",
    )
    with pytest.raises(InputError) as info:
        scenario_files.read_scenarios(path, peer)
    assert len(info.value.problems) == 2


def test_missing_and_invalid_file(peer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="file not found"):
        scenario_files.read_scenarios(tmp_path / "none.toml", peer)
    with pytest.raises(InputError, match="not valid TOML"):
        scenario_files.read_scenarios(_write(tmp_path, "[scenarios.x\n"), peer)
    with pytest.raises(InputError, match="unknown scenario"):
        scenario_files.select_scenarios(scenario_files.read_scenarios(SRC, peer), ["zzz"])


def test_structural_matrix(peer) -> None:  # type: ignore[no-untyped-def]
    res = scen.run_structural_matrix(peer, n_samples=300, rng=0)
    assert len(res.summary) == 3 * 4 * 3 * 4
    assert {"source_outcome", "durability", "horizon_months"} <= set(res.summary.columns)
    assert set(res.summary["horizon_months"]) == {12.0, 36.0, 60.0}
    vol = res.summary[res.summary.strategy == "peer_volunteer"].set_index(
        ["source_outcome", "durability", "horizon_months"]
    )
    # sustained gains grow with the horizon; costs fall at time 0 and do not
    assert (
        vol["det_inc_qaly"][("mansa", "sustained", 60.0)]
        > vol["det_inc_qaly"][("mansa", "sustained", 12.0)]
    )
    assert vol["det_inc_cost"].nunique() == 1
    assert res.ceac["scenario"].nunique() == 36
