"""inputs/labels.csv and inputs/report.toml: read, validated, and checked by validate-inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peer_econ.cli import app
from peer_econ.inputs.display import label_problems, scenario_names
from peer_econ.inputs.load import load_inputs


@pytest.fixture()
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    shutil.copytree("inputs", folder)
    return folder


def _drop_label_rows(folder: Path, *prefixes: str) -> None:
    path = folder / "labels.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if not x.startswith(prefixes)), encoding="utf-8")


def test_shipped_inputs_label_every_code_in_both_languages() -> None:
    loaded = load_inputs("inputs")
    assert label_problems(loaded, scenario_names(loaded)) == []
    assert loaded.display.label("parameter", "decay_months", "da").startswith("Hvor længe")
    assert loaded.display.label("payer", "ngo_grant", "en") == "NGO or grant funder"
    assert dict(loaded.display.statements) == dict.fromkeys(
        ("analysis_plan", "engagement_approach", "engagement_effect", "funding",
         "conflicts_of_interest"), "",
    )  # fmt: skip


def test_validate_inputs_warns_about_a_missing_label(inputs: Path) -> None:
    _drop_label_rows(inputs, "parameter,decay_months,")
    path = inputs / "labels.csv"
    text = path.read_text(encoding="utf-8").replace(
        "payer,region,Region,Region", "payer,region,Region,"
    )
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate-inputs", "--inputs", str(inputs)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: labels.csv: parameter 'decay_months' has no label or label_da; pages will "
        "show the code instead",
        "warning: labels.csv: payer 'region' has no label_da; pages will show the code instead",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("colour,red,Red,Rød\n", "column 'kind': 'colour'; choose one of"),
        ("payer,region,Region,Region\n", "payer 'region' is listed twice"),
        ("payer,,Region,Region\n", "column 'name': empty"),
    ],
)
def test_bad_label_rows_are_input_errors(inputs: Path, line: str, message: str) -> None:
    with (inputs / "labels.csv").open("a", encoding="utf-8") as handle:
        handle.write(line)
    result = CliRunner().invoke(app, ["validate-inputs", "--inputs", str(inputs)])
    assert result.exit_code == 2
    assert message in result.output and "labels.csv row" in result.output


def test_report_toml_rejects_unknown_keys_and_non_text(inputs: Path) -> None:
    (inputs / "report.toml").write_text('[report]\nfunding = 3\nsponsor = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["validate-inputs", "--inputs", str(inputs)])
    assert result.exit_code == 2
    assert "unknown key 'sponsor'" in result.output
    assert "funding = 3 must be text" in result.output


def test_display_files_are_optional(inputs: Path) -> None:
    (inputs / "labels.csv").unlink()
    (inputs / "report.toml").unlink()
    loaded = load_inputs(inputs)
    assert loaded.display.labels == ()
    assert all(text == "" for _, text in loaded.display.statements)
