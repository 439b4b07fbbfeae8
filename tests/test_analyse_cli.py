"""Tests of ``peer-econ analyse`` and the PSA CSV reader (CliRunner into tmp_path)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from peer_econ.cli import app
from peer_econ.errors import InputError
from peer_econ.inputs.psa_files import read_psa_csv, read_psa_files
from peer_econ.outputs.cea_tables import write_cea_outputs
from peer_econ.runs.analyse import analyse_csv, parse_wtp_spec

runner = CliRunner()

TABLES = (
    "summary.csv",
    "icers.csv",
    "ceac.csv",
    "ceaf.csv",
    "evpi.csv",
    "expected_loss.csv",
    "enmb.csv",
)


def psa_frames(n: int = 200, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    names = ["SAU", "PEER volunteer", "PEER paid"]
    cost = pd.DataFrame(rng.normal([0.0, 2000.0, 4000.0], 500.0, (n, 3)), columns=names)
    effect = pd.DataFrame(rng.normal([1.0, 1.03, 1.04], 0.02, (n, 3)), columns=names)
    return cost, effect


@pytest.fixture(autouse=True)
def _input_folder(tmp_path: Path) -> None:
    """Input files live in ``tmp_path/in``: an output folder may not lie inside an input
    file's folder, so outputs go beside it."""
    (tmp_path / "in").mkdir()


def write_psa(folder: Path, n: int = 200) -> tuple[Path, Path]:
    """Write a PSA into ``folder/in`` (outputs go to other subfolders of ``folder``)."""
    cost, effect = psa_frames(n)
    folder = folder / "in"
    folder.mkdir(exist_ok=True)
    c_path, e_path = folder / "cost.csv", folder / "effect.csv"
    cost.to_csv(c_path, index=False)
    effect.to_csv(e_path, index=False)
    return c_path, e_path


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, ["analyse", *map(str, args)])


# --------------------------------------------------------------------------------------------
# happy paths
# --------------------------------------------------------------------------------------------


def test_analyse_writes_tables_figures_and_manifest(tmp_path: Path) -> None:
    c_path, e_path = write_psa(tmp_path)
    out = tmp_path / "out"
    result = invoke("--cost", c_path, "--effect", e_path, "--wtp", "0:100000:5000", "--out", out)
    assert result.exit_code == 0, result.output
    for name in TABLES:
        assert (out / name).is_file(), name
    for stem in ("ce_plane", "ceac", "evpi", "expected_loss", "frontier"):
        assert (out / f"{stem}.png").stat().st_size > 1000
        assert (out / f"{stem}.svg").stat().st_size > 1000
    icers = pd.read_csv(out / "icers.csv")
    assert list(icers.columns[:7]) == [
        "strategy",
        "cost",
        "effect",
        "inc_cost",
        "inc_effect",
        "icer",
        "status",
    ]
    ceac = pd.read_csv(out / "ceac.csv")
    assert list(ceac.columns) == ["wtp", "strategy", "probability", "on_frontier"]
    assert len(ceac) == 21 * 3
    np.testing.assert_allclose(ceac.groupby("wtp")["probability"].sum(), 1.0)
    assert list(pd.read_csv(out / "ceaf.csv").columns) == ["wtp", "strategy", "probability"]
    assert list(pd.read_csv(out / "evpi.csv").columns) == ["wtp", "evpi"]
    assert list(pd.read_csv(out / "expected_loss.csv").columns) == [
        "wtp",
        "strategy",
        "expected_loss",
    ]
    assert list(pd.read_csv(out / "enmb.csv").columns) == ["wtp", "strategy", "enmb"]
    summary = pd.read_csv(out / "summary.csv")
    assert {"strategy", "cost", "effect", "cost_lower", "inc_cost_upper", "p_ne"} <= set(
        summary.columns
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "analyse"
    assert manifest["n_samples"] == 200
    assert manifest["strategies"] == ["SAU", "PEER volunteer", "PEER paid"]
    assert manifest["index_columns_dropped"] == {}
    assert "PEER paid" in result.output
    assert not list(tmp_path.glob(".out.tmp-*"))


def test_identical_inputs_give_byte_identical_tables(tmp_path: Path) -> None:
    c_path, e_path = write_psa(tmp_path)
    for out in ("a", "b"):
        result = invoke(
            "--cost", c_path, "--effect", e_path, "--out", tmp_path / out, "--no-figures"
        )
        assert result.exit_code == 0, result.output
    for name in TABLES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_default_wtp_grid_and_default_out_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    c_path, e_path = write_psa(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = invoke("--cost", c_path, "--effect", e_path, "--no-figures")
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "reports").iterdir()
    assert folder.name.endswith(folder.name.split("-")[-1]) and "analyse" in folder.name
    evpi = pd.read_csv(folder / "evpi.csv")
    assert len(evpi) == 101
    assert evpi["wtp"].iloc[-1] == 1_000_000


def test_single_row_gives_the_icer_table(tmp_path: Path) -> None:
    (tmp_path / "in" / "c.csv").write_text("UC,A,B,C,D,E\n5000,12000,10000,25000,35000,55000\n")
    (tmp_path / "in" / "e.csv").write_text("UC,A,B,C,D,E\n1,1.5,2,3,4,5\n")
    out = tmp_path / "out"
    result = invoke(
        "--cost", tmp_path / "in" / "c.csv", "--effect", tmp_path / "in" / "e.csv", "--out", out
    )
    assert result.exit_code == 0, result.output
    icers = pd.read_csv(out / "icers.csv", keep_default_na=False)
    assert list(icers["strategy"]) == ["UC", "B", "D", "E", "A", "C"]
    assert list(icers["status"]) == ["ND", "ND", "ND", "ND", "D", "ED"]
    assert list(icers["icer"][:4]) == ["", "5000", "12500", "20000"]


def test_index_columns_bom_crlf_and_reordered_columns(tmp_path: Path) -> None:
    cost, effect = psa_frames(20)
    c_text = cost.to_csv(index_label="iteration", lineterminator="\r\n")
    (tmp_path / "in" / "c.csv").write_bytes(b"\xef\xbb\xbf" + c_text.encode() + b"\r\n\r\n")
    effect[list(reversed(effect.columns))].to_csv(tmp_path / "in" / "e.csv")  # empty index header
    out = tmp_path / "out"
    result = invoke(
        "--cost",
        tmp_path / "in" / "c.csv",
        "--effect",
        tmp_path / "in" / "e.csv",
        "--out",
        out,
        "--no-figures",
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["index_columns_dropped"] == {"cost": "iteration", "effect": ""}
    assert any("reordered" in note for note in manifest["notes"])
    summary = pd.read_csv(out / "summary.csv").set_index("strategy")
    np.testing.assert_allclose(summary.loc[list(cost.columns), "cost"], cost.mean(), rtol=1e-9)
    np.testing.assert_allclose(summary.loc[list(cost.columns), "effect"], effect.mean(), rtol=1e-9)


def test_parameters_file_is_validated_and_recorded(tmp_path: Path) -> None:
    c_path, e_path = write_psa(tmp_path, n=30)
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.normal(size=(30, 2)), columns=["d", "lambda"]).to_csv(
        tmp_path / "in" / "p.csv", index_label="sim"
    )
    out = tmp_path / "out"
    result = invoke(
        "--cost",
        c_path,
        "--effect",
        e_path,
        "--parameters",
        tmp_path / "in" / "p.csv",
        "--out",
        out,
        "--no-figures",
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["names"] == ["d", "lambda"]
    assert manifest["index_columns_dropped"] == {"parameters": "sim"}


# --------------------------------------------------------------------------------------------
# bad input: exit 2, one line naming file/row/column, nothing written
# --------------------------------------------------------------------------------------------

GOOD = "A,B\n1,2\n3,4\n"

BAD_CASES = {
    "row_count": ("A,B\n1,2\n3,4\n5,6\n", GOOD, "has 2 data rows but --cost"),
    "names": ("A,B\n1,2\n3,4\n", "A,C\n1,2\n3,4\n", "strategies ['C'] are not in --cost"),
    "nan": ("A,B\n1,2\n3,NaN\n", GOOD, "row 2 (line 3), column 'B': 'NaN' is not a finite"),
    "inf": ("A,B\n1,inf\n3,4\n", GOOD, "row 1 (line 2), column 'B': 'inf' is not a finite"),
    "text": ("A,B\n1,2\nabc,4\n", GOOD, "row 2 (line 3), column 'A': 'abc' is not a finite"),
    "empty_cell": ("A,B\n1,\n3,4\n", GOOD, "row 1 (line 2), column 'B': empty cell"),
    "duplicate": ("A,A\n1,2\n3,4\n", GOOD, "name 'A' appears in columns 1 and 2"),
    "empty_name": ("A,,C\n1,2,3\n3,4,5\n", GOOD, "column 2: empty strategy name"),
    "empty_file": ("", GOOD, "file is empty"),
    "header_only": ("A,B\n", GOOD, "header but no data rows"),
    "ragged": ("A,B\n1,2\n3,4,5\n", GOOD, "line 3: 3 fields but the header has 2"),
    "short_row": ("A,B\n1\n3,4\n", GOOD, "line 2: 1 field but the header has 2"),
    "semicolons": ("A;B\n1,5;2\n", GOOD, "looks semicolon-separated"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_files_exit_2_with_one_line_and_write_nothing(tmp_path: Path, case: str) -> None:
    cost_text, effect_text, message = BAD_CASES[case]
    (tmp_path / "in" / "c.csv").write_text(cost_text)
    (tmp_path / "in" / "e.csv").write_text(effect_text)
    out = tmp_path / "out"
    result = invoke(
        "--cost", tmp_path / "in" / "c.csv", "--effect", tmp_path / "in" / "e.csv", "--out", out
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert message in lines[0]
    assert "c.csv" in lines[0] or "e.csv" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["c.csv", "e.csv"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("-10:100:10", "start -10 is negative"),
        ("0,-5", "must be >= 0"),
        ("0,20,10", "strictly increasing"),
        ("0,10,10", "strictly increasing"),
        ("0:100:0", "step 0 must be > 0"),
        ("100:0:10", "stop 0 is below start 100"),
        ("0:100", "three parts"),
        ("a,b", "'a' is not a number"),
        ("0,nan", "not finite"),
    ],
)
def test_bad_wtp_specs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str, message: str
) -> None:
    c_path, e_path = write_psa(tmp_path, n=10)
    monkeypatch.chdir(tmp_path)
    result = invoke("--cost", c_path, "--effect", e_path, "--wtp", spec)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert lines[0].startswith("error: --wtp")
    assert not (tmp_path / "reports").exists()


def test_missing_file_and_bad_parameters(tmp_path: Path) -> None:
    c_path, e_path = write_psa(tmp_path, n=10)
    result = invoke(
        "--cost", tmp_path / "in" / "nope.csv", "--effect", e_path, "--out", tmp_path / "o"
    )
    assert result.exit_code == 2
    assert "nope.csv: file not found" in result.stderr
    (tmp_path / "in" / "p.csv").write_text("x,y\n1,2\n")
    result = invoke(
        "--cost",
        c_path,
        "--effect",
        e_path,
        "--parameters",
        tmp_path / "in" / "p.csv",
        "--out",
        "o",
    )
    assert result.exit_code == 2
    assert "--parameters" in result.stderr and "1 data rows" in result.stderr
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------------------------
# library functions behind the command
# --------------------------------------------------------------------------------------------


def test_parse_wtp_spec_inclusive_ranges() -> None:
    np.testing.assert_array_equal(parse_wtp_spec("0:1000000:10000"), np.arange(0, 1_000_001, 1e4))
    np.testing.assert_allclose(parse_wtp_spec("0:1:0.1"), np.linspace(0, 1, 11))
    assert parse_wtp_spec("0:1:0.1")[-1] == 1.0
    np.testing.assert_array_equal(parse_wtp_spec(" 5, 10 ,20"), [5.0, 10.0, 20.0])
    np.testing.assert_array_equal(parse_wtp_spec("0:25:10"), [0.0, 10.0, 20.0])
    assert not parse_wtp_spec("0:1:1").flags.writeable


def test_read_psa_csv_reports_several_cells(tmp_path: Path) -> None:
    path = tmp_path / "in" / "c.csv"
    path.write_text("A,B\n" + "x,y\n" * 10)
    with pytest.raises(InputError) as info:
        read_psa_csv(path, label="--cost")
    problems = info.value.problems
    assert len(problems) == 6
    assert problems[-1].endswith("15 more cells are not valid numbers")


def test_read_psa_files_all_problems_at_once(tmp_path: Path) -> None:
    (tmp_path / "in" / "c.csv").write_text("A,B\n1,x\n")
    (tmp_path / "in" / "e.csv").write_text("")
    with pytest.raises(InputError) as info:
        read_psa_files(tmp_path / "in" / "c.csv", tmp_path / "in" / "e.csv")
    assert len(info.value.problems) == 2


def test_write_cea_outputs_reusable_for_run(tmp_path: Path) -> None:
    cost, effect = psa_frames(50)
    out = write_cea_outputs(
        tmp_path, cost.to_numpy(), effect.to_numpy(), list(cost.columns), [0.0, 1e4], figures=False
    )
    assert {p.name for p in out.files} >= set(TABLES)
    assert out.curves.evpi.shape == (2,)
    with pytest.raises(InputError, match="does not exist"):
        write_cea_outputs(tmp_path / "missing", cost.to_numpy(), effect.to_numpy(), ["a", "b", "c"])


def test_analyse_csv_population_evpi(tmp_path: Path) -> None:
    c_path, e_path = write_psa(tmp_path, n=50)
    result = analyse_csv(c_path, e_path, wtp="0,50000", out=tmp_path / "o", figures=False)
    assert result.folder == tmp_path / "o"
    assert all(p.parent == tmp_path / "o" and p.exists() for p in result.files)


def test_population_evpi_from_the_command_line(tmp_path: Path) -> None:
    c_path, e_path = write_psa(tmp_path, n=50)
    out = tmp_path / "out"
    args: list[str | Path] = [
        "--cost", c_path, "--effect", e_path, "--out", out, "--no-figures", "--wtp", "0,5e4"
    ]  # fmt: skip
    result = invoke(*args, "--population", "1000", "--horizon", "3", "--discount", "0.035")
    assert result.exit_code == 0, result.output
    evpi = pd.read_csv(out / "evpi.csv")
    factor = 1000 * (1 + 1 / 1.035 + 1 / 1.035**2)
    np.testing.assert_allclose(evpi["population_evpi"], evpi["evpi"] * factor, rtol=1e-9)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["population"]["discounted_population"] == pytest.approx(factor)
    bad = invoke(*args[:-2], "--population", "-5")
    assert bad.exit_code == 2
    assert bad.stderr.strip().startswith("error: --population -5")
