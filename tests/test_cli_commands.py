"""CLI tests of voi, budget, sensitivity and analyse --evppi (CliRunner into tmp_path)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from test_cli_foundation import assert_user_error, invoke

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"


def test_voi_command_writes_tables(tmp_path: Path) -> None:
    out = tmp_path / "voi"
    result = invoke(
        "voi", "--inputs", INPUTS, "--n-samples", "2000", "--seed", "3",
        "--sample-sizes", "50,200,800", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ranking = pd.read_csv(out / "evppi_ranking.csv")
    evppi = pd.read_csv(out / "evppi.csv")
    assert {"parameters", "wtp", "evppi", "se", "method"} <= set(evppi.columns)
    assert (ranking["evppi"] <= ranking["evpi"] + 1e-9).all()
    assert (ranking["evppi"] >= 0).all()
    assert "baseline_utility" not in set(ranking["name"])
    assert ranking["evppi"].is_monotonic_decreasing
    evsi = pd.read_csv(out / "evsi.csv")
    assert sorted(set(evsi["n_per_arm"])) == [50, 200, 800]
    fixed, per_person = 2_000_000, 6_000
    np.testing.assert_allclose(evsi["study_cost"], fixed + 2 * evsi["n_per_arm"] * per_person)
    np.testing.assert_allclose(evsi["enbs"], evsi["population_evsi"] - evsi["study_cost"])
    assert (out / "evppi_ranking.png").is_file() and (out / "enbs.svg").is_file()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and manifest["n_samples"] == 2000
    assert "EVPPI per person" in result.output


def test_voi_rejects_bad_sample_sizes(tmp_path: Path) -> None:
    out = tmp_path / "voi"
    errors = assert_user_error(invoke("voi", "--sample-sizes", "10,x", "--out", out))
    assert "--sample-sizes" in errors[0]
    assert not out.exists()
    errors = assert_user_error(invoke("voi", "--sample-sizes", "1", "--out", out))
    assert "whole numbers from 2 to 100000" in errors[0]


def test_voi_too_few_samples(tmp_path: Path) -> None:
    out = tmp_path / "voi"
    errors = assert_user_error(invoke("voi", "--n-samples", "50", "--out", out))
    assert "--n-samples 50: give a whole number from 200" in errors[0]
    assert not out.exists()


def test_budget_command(tmp_path: Path) -> None:
    """Year 1 at half capacity; totals add up over payers and years; workbook equals the CSVs."""
    import openpyxl

    out = tmp_path / "budget"
    result = invoke(
        "budget", "--n-samples", "500", "--courses-per-year", "2", "--municipalities", "3",
        "--years", "2", "--ramp-up", "0.5", "--strategy", "peer_course_only", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Funding comparison: 3 municipalities x 2 courses a year" in result.output
    assert "Budget by year and payer" in result.output
    table = pd.read_csv(out / "budget_by_payer.csv", dtype={"year": str})
    total = table[table["payer"] == "total"].set_index("year")["total"]
    running = pd.read_csv(out / "budget_by_item.csv")
    per_course = (running["kind"] == "running") & (running["item"] != "local_coordination")
    per_year = running[per_course].groupby("year")["mean"].sum()
    # course-only delivery: costs per course scale with the courses (half in year 1); local
    # coordination runs from year 1 at its full level
    assert per_year[1] == pytest.approx(0.5 * per_year[2])
    assert total["1"] > 0.5 * total["2"]  # the first training cohorts come on top
    assert total["all"] == pytest.approx(total["1"] + total["2"])
    payers = table[(table["year"] == "2") & (table["payer"] != "total")]
    assert payers["total"].sum() == pytest.approx(total["2"])
    comparison = pd.read_csv(out / "funding_comparison.csv")
    assert comparison["strategy"].tolist() == ["peer_course_only"]
    for name in ("budget_years.png", "business_case.png", "capacity.csv", "business_case.csv"):
        assert (out / name).is_file(), name
    sheet = openpyxl.load_workbook(out / "peer_econ_workbook.xlsx")["Budget by year and payer"]
    header = next(
        i for i, row in enumerate(sheet.iter_rows(values_only=True), 1) if row[0] == "Delivery form"
    )
    cells = list(sheet.iter_rows(min_row=header + 1, values_only=True))
    book_total = {r[1]: r[5] for r in cells if r[2] == "Total"}
    assert book_total["2"] == pytest.approx(total["2"])
    assert all(isinstance(r[5], float) for r in cells)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--strategy", "nope"], "--strategy 'nope'"),
        (["--courses-per-year", "0"], "--courses-per-year 0"),
        (["--ramp-up", "2"], "ramp-up"),
        (["--years", "11"], "1 to 10"),
        (["--municipalities", "0"], "municipalities"),
        (["--participants", "-5"], "participants per year"),
        (["--participants", "100", "--courses-per-year", "2"], "not both"),
        (["--set", "participants_per_group=1.5", "--participants", "100"], "at least 2"),
        (["--perspective", "nope"], "perspective"),
    ],
)
def test_budget_bad_input(tmp_path: Path, args: list[str], match: str) -> None:
    out = tmp_path / "b"
    errors = assert_user_error(invoke("budget", "--n-samples", "50", *args, "--out", out))
    assert match in errors[0]
    assert not out.exists()


def _deterministic() -> pd.DataFrame:
    """Deterministic cost and QALYs per strategy at the parameter means (indexed by strategy)."""
    from peer_econ.inputs.load import load_inputs
    from peer_econ.model.adapter import PeerModel, model_table

    inputs = load_inputs(INPUTS)
    cost, qaly = PeerModel(inputs)(model_table(inputs).deterministic())
    return pd.DataFrame({"cost": cost[0], "qaly": qaly[0]}, index=list(inputs.strategy_names))


def _check_owsa(out: Path, det: pd.DataFrame) -> None:
    """Base INMB of each tornado = 150,000 x incremental QALYs - incremental cost."""
    for strategy in det.index[1:]:
        tor = pd.read_csv(out / f"tornado_{strategy}.csv")
        inc = det.loc[strategy] - det.loc["sau"]
        base = 150_000.0 * inc["qaly"] - inc["cost"]
        np.testing.assert_allclose(tor["base_outcome"], base, rtol=1e-12)


def _check_threshold(out: Path, det: pd.DataFrame) -> None:
    """WTP threshold of each PEER strategy = its deterministic ICER vs SAU."""
    wtp = pd.read_csv(out / "threshold_wtp.csv").set_index("strategy")
    inc = det.loc["peer_volunteer"] - det.loc["sau"]
    icer = inc["cost"] / inc["qaly"]
    assert wtp.loc["peer_volunteer", "icer_vs_comparator"] == pytest.approx(icer, rel=1e-12)


def _check_twsa(out: Path, det: pd.DataFrame) -> None:
    """Every cell: INMB = WTP x incremental QALYs - incremental cost at the settings' WTP
    point; no utility gain, no QALYs gained."""
    grid = pd.read_csv(out / "twsa_grid.csv")
    assert set(grid["wtp"]) == {200_000.0}
    np.testing.assert_allclose(grid["inmb"], grid["wtp"] * grid["inc_qaly"] - grid["inc_cost"])
    assert (grid.loc[grid["x_value"] == 0, "inc_qaly"] == 0).all()


def _check_morris(out: Path, det: pd.DataFrame) -> None:
    """One row per output and parameter; mu* >= |mu| (mean of absolute >= absolute mean)."""
    morris = pd.read_csv(out / "morris.csv")
    assert (morris["mu_star"] >= morris["mu"].abs() - 1e-9).all()
    assert not morris.duplicated(["output", "parameter"]).any()


@pytest.mark.parametrize(
    ("command", "files", "check"),
    [
        (["owsa", "--wtp", "150000"], ["owsa.csv", "tornado_peer_volunteer.csv"], _check_owsa),
        (
            ["threshold"],
            ["thresholds.csv", "threshold_max_cost.csv", "threshold_durability.csv"],
            _check_threshold,
        ),
        (["twsa", "--no-figures"], ["twsa_grid.csv", "twsa_threshold_curve.csv"], _check_twsa),
        (["morris", "--trajectories", "20", "--no-figures"], ["morris.csv"], _check_morris),
    ],
)
def test_sensitivity_commands(
    tmp_path: Path,
    command: list[str],
    files: list[str],
    check: Callable[[Path, pd.DataFrame], None],
) -> None:
    out = tmp_path / "s"
    result = invoke("sensitivity", *command, "--out", out)
    assert result.exit_code == 0, result.output
    for name in files:
        assert (out / name).is_file(), sorted(p.name for p in out.iterdir())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == f"sensitivity {command[0]}"
    check(out, _deterministic())


def test_sensitivity_scenarios_unknown_name(tmp_path: Path) -> None:
    out = tmp_path / "s"
    errors = assert_user_error(invoke("sensitivity", "scenarios", "--name", "nope", "--out", out))
    assert "nope" in errors[0]
    assert not out.exists()


def test_sensitivity_unknown_parameter(tmp_path: Path) -> None:
    out = tmp_path / "s"
    errors = assert_user_error(
        invoke("sensitivity", "owsa", "--parameter", "no_such", "--out", out)
    )
    assert "no_such" in errors[0]
    assert not out.exists()


def _psa_files(folder: Path, n: int = 3000) -> tuple[Path, Path, Path]:
    """Two strategies; B's incremental net benefit depends on p1 only (p2 is noise)."""
    rng = np.random.default_rng(1)
    p1, p2 = rng.normal(0, 1, n), rng.normal(0, 1, n)
    cost = pd.DataFrame({"A": np.zeros(n), "B": 1000 + 500 * p1})
    effect = pd.DataFrame({"A": np.zeros(n), "B": 0.01 + 0.0 * p2})
    params = pd.DataFrame({"p1": p1, "p2": p2})
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / "cost.csv", folder / "effect.csv", folder / "params.csv")
    for frame, path in zip((cost, effect, params), paths, strict=True):
        frame.to_csv(path, index=False)
    return paths


def test_analyse_evppi(tmp_path: Path) -> None:
    """EVPPI of p1 equals EVPI (it carries all the uncertainty); p2 has EVPPI ~ 0."""
    cost, effect, params = _psa_files(tmp_path / "in")
    out = tmp_path / "a"
    result = invoke(
        "analyse", "--cost", cost, "--effect", effect, "--parameters", params,
        "--evppi", "each", "--evppi", "p1+p2", "--wtp", "100000", "--no-figures", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "evppi.csv")
    evpi = pd.read_csv(out / "evpi.csv")["evpi"].iloc[0]
    by = table.set_index("parameters")["evppi"]
    assert by["p1"] == pytest.approx(evpi, rel=0.03)
    assert by["p2"] == pytest.approx(0.0, abs=0.03 * evpi)
    assert by["p1+p2"] == pytest.approx(evpi, rel=0.03)


def test_analyse_evppi_needs_parameters(tmp_path: Path) -> None:
    cost, effect, _ = _psa_files(tmp_path / "in")
    out = tmp_path / "a"
    errors = assert_user_error(
        invoke("analyse", "--cost", cost, "--effect", effect, "--evppi", "p1", "--out", out)
    )
    assert "--parameters" in errors[0]
    assert not out.exists()


def test_analyse_evppi_unknown_name(tmp_path: Path) -> None:
    cost, effect, params = _psa_files(tmp_path / "in")
    out = tmp_path / "a"
    errors = assert_user_error(
        invoke("analyse", "--cost", cost, "--effect", effect, "--parameters", params,
               "--evppi", "p1+zz", "--out", out)
    )  # fmt: skip
    assert "zz" in errors[0]
    assert not out.exists()


def test_run_folder_has_report_and_decision_outputs(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = invoke("run", "--n-samples", "400", "--seed", "2", "--out", out)
    assert result.exit_code == 0, result.output
    for name in (
        "report.html",
        "icers.csv",
        "ceac.csv",
        "evpi.csv",
        "tornado_peer_volunteer.csv",
        "scenarios.csv",
        "evppi_ranking.csv",
        "budget_by_payer.csv",
        "funding_comparison.csv",
        "peer_econ_workbook.xlsx",
        "headline.csv",
        "run_info.json",
        "decision_points.csv",
    ):
        assert (out / name).is_file(), name
    # the tables agree with each other and with the model at the parameter means
    det = _deterministic()
    table = pd.read_csv(out / "deterministic.csv").set_index("strategy")
    np.testing.assert_allclose(table["cost"], det["cost"], rtol=1e-12)
    np.testing.assert_allclose(table["qaly"], det["qaly"], rtol=1e-12)
    head = pd.read_csv(out / "headline.csv").set_index("strategy")
    np.testing.assert_allclose(
        head["icer"].iloc[1:], (head["inc_cost"] / head["inc_qaly"]).iloc[1:]
    )
    np.testing.assert_allclose(head["det_icer"].iloc[1:], table["icer"].iloc[1:], rtol=1e-12)
    inc = det.loc["peer_volunteer"] - det.loc["sau"]
    tornado = pd.read_csv(out / "tornado_peer_volunteer.csv")
    np.testing.assert_allclose(tornado["base_outcome"], 200_000.0 * inc["qaly"] - inc["cost"])
    wtp = pd.read_csv(out / "threshold_wtp.csv").set_index("strategy")
    assert wtp.loc["peer_volunteer", "icer_vs_comparator"] == pytest.approx(
        table.loc["peer_volunteer", "icer"], rel=1e-12
    )
    html = (out / "report.html").read_text()
    assert (
        "<html" in html and "The decision at 200,000" in html and "data:image/png;base64," in html
    )
    assert "Key messages" in html and "depends most on" in html and "CHEERS 2022 checklist" in html
    assert 'src="http' not in html  # self-contained: nothing fetched at view time


@pytest.mark.parametrize(
    ("setting", "match"),
    [
        ("lambda_share=5", "outside [0, 1]"),
        ("delivered_attendance_prop=1.5", "outside [0, 1]"),
        ("decay_months=0", "must be > 0"),
        ("participants_per_group=0", "must be > 0"),
        ("refreshments_per_session=-10", "must be >= 0"),
        ("coordinator_salary_annual=-1", "must be >= 0"),
        ("facilitators_per_group=3", "strategies table"),
    ],
)
def test_set_rejects_impossible_values(tmp_path: Path, setting: str, match: str) -> None:
    out = tmp_path / "r"
    errors = assert_user_error(invoke("run", "--n-samples", "20", "--set", setting, "--out", out))
    assert match in errors[0] and setting.split("=")[0] in errors[0]
    assert not out.exists()


def test_set_allows_what_if_outside_judgement_ranges(tmp_path: Path) -> None:
    """Triangular ranges are judgements: 12 participants per group is a legitimate what-if."""
    out = tmp_path / "r"
    result = invoke("run", "--n-samples", "20", "--set", "participants_per_group=12", "--out", out)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("parameters", "match"),
    [
        ("eligible_share_per_year = 0.5", "not a model input"),
        ("lambda_share = 5", "outside [0, 1]"),
        ("decay_months = -3", "must be > 0"),
    ],
)
def test_scenario_rejects_bad_overrides(tmp_path: Path, parameters: str, match: str) -> None:
    (tmp_path / "in").mkdir()
    scenarios = tmp_path / "in" / "s.toml"
    scenarios.write_text(f"[scenarios.bad]\nparameters = {{ {parameters} }}\n")
    out = tmp_path / "o"
    errors = assert_user_error(
        invoke("sensitivity", "scenarios", "--file", scenarios, "--n-samples", "20", "--out", out)
    )
    assert "[scenarios.bad]" in errors[0] and match in errors[0]
    assert not out.exists()


def test_gsa_rejects_comparator_as_strategy(tmp_path: Path) -> None:
    out = tmp_path / "g"
    errors = assert_user_error(
        invoke("sensitivity", "morris", "--strategy", "sau", "--trajectories", "4", "--out", out)
    )
    assert "comparator" in errors[0]
    assert not out.exists()


def test_voi_rejects_negative_wtp(tmp_path: Path) -> None:
    out = tmp_path / "v"
    errors = assert_user_error(invoke("voi", "--n-samples", "300", "--wtp", "-5", "--out", out))
    assert "--wtp" in errors[0]
    assert not out.exists()


def test_owsa_repeated_parameter_counts_once(tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = invoke(
        "sensitivity", "owsa", "--parameter", "mansa_d", "--parameter", "mansa_d",
        "--no-figures", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for strategy in ("peer_volunteer", "peer_paid", "peer_hybrid", "peer_course_only"):
        table = pd.read_csv(out / f"tornado_{strategy}.csv")
        assert list(table["parameter"]) == ["mansa_d"]


def test_twsa_custom_axes_use_the_given_wtp(tmp_path: Path) -> None:
    out = tmp_path / "t"
    result = invoke(
        "sensitivity", "twsa", "--x", "mansa_d", "--y", "decay_months", "--x-values", "0.1,0.3",
        "--y-values", "6,12", "--wtp", "50000", "--no-figures", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    grid = pd.read_csv(out / "twsa_grid.csv")
    assert set(grid["wtp"]) == {50_000}


@pytest.mark.slow
def test_unreachable_scheduler_is_a_user_error(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    out = tmp_path / "o"
    errors = assert_user_error(
        invoke("sensitivity", "owsa", "--scheduler", "tcp://127.0.0.1:9", "--out", out)
    )
    assert "cannot reach a Dask scheduler" in errors[0]
    assert not out.exists()


def test_budget_in_danish(tmp_path: Path) -> None:
    """--lang da: Danish tables and workbook titles, Danish number formats on screen, numeric
    workbook cells, machine-readable English CSVs."""
    import openpyxl

    out = tmp_path / "da"
    result = invoke(
        "budget", "--n-samples", "300", "--years", "2", "--strategy", "peer_paid",
        "--lang", "da", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Budget pr. år og betaler" in result.output
    assert "Kommune" in result.output and "alle år" in result.output
    book = openpyxl.load_workbook(out / "peer_econ_workbook.xlsx")
    assert book.sheetnames == [
        "Resumé", "Finansieringsmodeller", "Budget pr. år og betaler", "Business case",
        "Kapacitet", "Omkostninger pr. post", "Input", "Antagelser",
    ]  # fmt: skip
    sheet = book["Budget pr. år og betaler"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "Leveranceform")
    assert rows[header][:3] == ("Leveranceform", "År", "Betaler")
    body = rows[header + 1 :]
    assert {r[2] for r in body} >= {"Kommune", "NGO / puljemidler", "I alt"}
    assert all(isinstance(r[5], float) for r in body)
    csv_payers = set(pd.read_csv(out / "budget_by_payer.csv")["payer"])
    assert "municipality" in csv_payers  # CSVs stay machine-readable
    status = book["Finansieringsmodeller"]
    texts = [c for row in status.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(t.startswith("domineret af") for t in texts)


def test_budget_bad_language(tmp_path: Path) -> None:
    errors = assert_user_error(invoke("budget", "--lang", "de", "--out", tmp_path / "x"))
    assert "--lang = 'de'" in errors[0]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "no municipalities listed"),
        ("municipality\n", "no municipalities listed"),
        ("name\nAarhus\n", "'municipality' column"),
        ("municipality,courses_per_year\nAarhus,0\n", "row 2, column courses_per_year"),
        ("municipality,courses_per_year\n,4\n", "row 2, column municipality"),
    ],
)
def test_budget_bad_municipalities_file(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "kommuner.csv"
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "b"
    errors = assert_user_error(
        invoke("budget", "--n-samples", "50", "--municipalities-file", path, "--out", out)
    )
    assert match in errors[0]
    assert not out.exists()


def test_budget_municipalities_file_sets_the_scale(tmp_path: Path) -> None:
    path = tmp_path / "kommuner.csv"
    path.write_text("municipality,courses_per_year\nAarhus,6\nOdense,2\nVejle,\n", encoding="utf-8")
    out = tmp_path / "b"
    result = invoke(
        "budget", "--n-samples", "100", "--municipalities-file", path, "--courses-per-year", "4",
        "--strategy", "peer_volunteer", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    capacity = pd.read_csv(out / "capacity.csv")
    groups = capacity[(capacity["quantity"] == "groups") & (capacity["year"] == 1)]["mean"]
    assert float(groups.iloc[0]) == pytest.approx(12.0)  # 6 + 2 + 4 courses a year


def test_budget_rejects_groups_below_two(tmp_path: Path) -> None:
    errors = assert_user_error(
        invoke("budget", "--set", "participants_per_group=1", "--out", tmp_path / "b")
    )
    assert "at least 2 participants" in errors[0]


def test_owsa_prints_what_matters_most(tmp_path: Path) -> None:
    """The sensitivity commands say what they found, not only where they wrote it: the top
    inputs of the tornado by label, with their swing in DKK, read from tornado_<strategy>.csv."""
    out = tmp_path / "owsa"
    result = invoke("sensitivity", "owsa", "--out", out)
    assert result.exit_code == 0, result.output
    tornado = pd.read_csv(out / "tornado_peer_volunteer.csv")
    first = tornado.iloc[0]
    line = next(x for x in result.output.splitlines() if x.startswith("PEER (volunteer peers):"))
    assert "most influential (swing of net benefit, DKK)" in line
    assert f"({first['swing']:,.0f})" in line
    assert first["parameter"] not in line  # labels, not code names
