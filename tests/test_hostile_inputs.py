"""Hostile inputs: broken files, absurd options and dangerous output targets.

Every case must end with exit status 2, ``error:`` lines on stderr (each a single line) of which
one names the file or option and the key, no traceback, and nothing written: no output folder,
no hidden temporary folder, no change to the files given.
"""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from peer_econ.cli import app

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"


def _invoke(args: list[str]) -> Result:
    return CliRunner().invoke(app, args)


def _stderr(result: Result) -> str:
    try:
        return result.stderr
    except ValueError:  # pragma: no cover - click < 8.2 mixes the streams
        return result.output


def assert_refused(result: Result, *fragments: str) -> list[str]:
    """Exit 2, one-line ``error:`` messages, one of them holding every fragment, no traceback."""
    err = _stderr(result)
    assert result.exit_code == 2, (result.exit_code, result.output, err)
    assert "Traceback" not in err + result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "no message on stderr"
    assert all(line.startswith("error: ") for line in lines), lines
    assert any(all(f in line for f in fragments) for line in lines), (fragments, lines)
    return lines


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- inputs folder ------------------------------------------------------------------------------

Mutation = Callable[[Path], None]


def _edit(name: str, old: str, new: str) -> Mutation:
    def mutate(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def _bytes(name: str, transform: Callable[[bytes], bytes]) -> Mutation:
    def mutate(folder: Path) -> None:
        path = folder / name
        path.write_bytes(transform(path.read_bytes()))

    return mutate


def _append(name: str, text: str) -> Mutation:
    def mutate(folder: Path) -> None:
        with (folder / name).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return mutate


def _utf16(raw: bytes) -> bytes:
    return codecs.BOM_UTF16_LE + raw.decode("utf-8").encode("utf-16-le")


def _latin1_comment(raw: bytes) -> bytes:
    return raw + "# kommentar: \u00e6bler\n".encode("latin-1")


def _nul(raw: bytes) -> bytes:
    return raw[:40] + b"\x00" + raw[40:]


def _replace_row(name: str, row_name: str, new_row: str) -> Mutation:
    def mutate(folder: Path) -> None:
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines()
        hits = [i for i, line in enumerate(lines) if line.startswith(row_name + ",")]
        assert hits, row_name
        lines[hits[0]] = new_row
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return mutate


SALARY_ROW = (
    "coordinator_salary_annual,1e308,fixed,,,,,1e308,1e308,DKK per year,2023,municipality,"
    "model,,hostile test,AS,"
)
SD_ROW = (
    "mansa_d,0.26,normal,1e300,,,,,,,0.0326,0.4874,SD units,,,model,utility_gain,hostile test,DR,"
)
NAN_ROW = "mansa_d,nan,normal,0.116,,,,,,,0.0326,0.4874,SD units,,,model,utility_gain,x,DR,"


def _only_comparator(folder: Path) -> None:
    path = folder / "strategies.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")


def _impossible_correlations(folder: Path) -> None:
    (folder / "correlations.csv").write_text(
        "parameter_a,parameter_b,spearman_rho,source,tag,notes\n"
        "mansa_d,wsas_d,0.9,x,AS,\n"
        "mansa_d,qpr15_d,0.9,x,AS,\n"
        "wsas_d,qpr15_d,-0.9,x,AS,\n",
        encoding="utf-8",
    )


@dataclass(frozen=True)
class InputCase:
    mutate: Mutation
    fragments: tuple[str, ...]


INPUT_CASES = {
    "parameters-utf16": InputCase(_bytes("parameters.csv", _utf16), ("parameters.csv", "UTF-16")),
    "parameters-latin1": InputCase(
        _bytes("parameters.csv", _latin1_comment), ("parameters.csv", "not valid UTF-8")
    ),
    "parameters-nul": InputCase(_bytes("parameters.csv", _nul), ("parameters.csv", "NUL byte")),
    "settings-utf16": InputCase(_bytes("settings.toml", _utf16), ("settings.toml", "UTF-16")),
    "settings-latin1": InputCase(
        _bytes("settings.toml", _latin1_comment), ("settings.toml", "line", "not valid UTF-8")
    ),
    "settings-nul": InputCase(_bytes("settings.toml", _nul), ("settings.toml", "NUL byte")),
    "scenarios-utf16": InputCase(_bytes("scenarios.toml", _utf16), ("scenarios.toml", "UTF-16")),
    "scenarios-latin1": InputCase(
        _bytes("scenarios.toml", _latin1_comment), ("scenarios.toml", "not valid UTF-8")
    ),
    "scenarios-syntax": InputCase(
        _append("scenarios.toml", "[scenarios.broken\n"), ("scenarios.toml", "not valid TOML")
    ),
    "scenarios-unknown-parameter": InputCase(
        _append("scenarios.toml", "[scenarios.x]\nparameters = { no_such_thing = 1 }\n"),
        ("scenarios.toml", "[scenarios.x]", "no_such_thing"),
    ),
    "scenarios-impossible-value": InputCase(
        _append("scenarios.toml", "[scenarios.x]\nparameters = { lambda_share = 5 }\n"),
        ("scenarios.toml", "[scenarios.x]", "lambda_share"),
    ),
    "scenarios-unknown-setting": InputCase(
        _append("scenarios.toml", "[scenarios.x]\nsettings = { warp_drive = true }\n"),
        ("scenarios.toml", "[scenarios.x]", "warp_drive"),
    ),
    "scenarios-nan-parameter": InputCase(
        _append("scenarios.toml", "[scenarios.x]\nparameters = { venue_per_session = nan }\n"),
        ("scenarios.toml", "venue_per_session", "finite"),
    ),
    "scenarios-huge-parameter": InputCase(
        _append("scenarios.toml", "[scenarios.x]\nparameters = { venue_per_session = 1e308 }\n"),
        ("scenarios.toml", "venue_per_session", "1e+12"),
    ),
    "scenarios-nan-horizon": InputCase(
        _append("scenarios.toml", "[scenarios.x]\nsettings = { horizon_months = nan }\n"),
        ("scenarios.toml", "horizon_months"),
    ),
    "strategies-only-comparator": InputCase(
        _only_comparator, ("strategies.csv", "only the comparator 'sau'")
    ),
    "wtp-point-nan": InputCase(
        _edit("settings.toml", "point = 200000", "point = nan"), ("settings.toml", "[wtp]", "point")
    ),
    "wtp-stop-inf": InputCase(
        _edit("settings.toml", "stop = 1000000", "stop = inf"), ("settings.toml", "[wtp]", "stop")
    ),
    "wtp-grid-too-fine": InputCase(
        _edit("settings.toml", "step = 10000", "step = 0.5"),
        ("settings.toml", "[wtp]", "grid points"),
    ),
    "psa-n-samples-zero": InputCase(
        _edit("settings.toml", "n_samples = 10000", "n_samples = 0"),
        ("settings.toml", "n_samples"),
    ),
    "psa-n-samples-huge": InputCase(
        _edit("settings.toml", "n_samples = 10000", "n_samples = 1000000000"),
        ("settings.toml", "[psa]", "n_samples"),
    ),
    "psa-seed-negative": InputCase(
        _edit("settings.toml", "seed = 20250695", "seed = -1"), ("settings.toml", "seed")
    ),
    "discount-rate-absurd": InputCase(
        _edit("settings.toml", "costs = [[0, 0.035]", "costs = [[0, 5.0]"),
        ("settings.toml", "[discount] costs", "rates"),
    ),
    "horizon-zero": InputCase(
        _edit("settings.toml", "horizon_months = 36", "horizon_months = 0"),
        ("settings.toml", "horizon_months"),
    ),
    "settings-unknown-section": InputCase(
        _append("settings.toml", "[turbo]\nspeed = 1\n"), ("settings.toml", "unknown section")
    ),
    "fixed-salary-overflow": InputCase(
        _replace_row("parameters.csv", "coordinator_salary_annual", SALARY_ROW),
        ("parameters.csv", "row", "'value'", "limit"),
    ),
    "normal-sd-overflow": InputCase(
        _replace_row("parameters.csv", "mansa_d", SD_ROW),
        ("parameters.csv", "row 2", "'se'", "limit"),
    ),
    "parameter-value-nan": InputCase(
        _replace_row("parameters.csv", "mansa_d", NAN_ROW),
        ("parameters.csv", "row 2", "'value'", "finite"),
    ),
    "correlations-impossible": InputCase(
        _impossible_correlations, ("correlations.csv", "rows 2-4", "not jointly possible")
    ),
    "correlations-unknown": InputCase(
        _append("correlations.csv", "mansa_d,nope,0.5,x,AS,\n"),
        ("correlations.csv", "parameter_b", "nope"),
    ),
    "parameters-semicolons": InputCase(
        _bytes("parameters.csv", lambda raw: raw.replace(b",", b";")),
        ("parameters.csv", "row 1", "';'"),
    ),
    "cost-items-empty": InputCase(
        _bytes("cost_items.csv", lambda raw: b""), ("cost_items.csv", "file is empty")
    ),
}


@pytest.fixture
def inputs_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    shutil.copytree(INPUTS, folder)
    return folder


@pytest.mark.parametrize("case", list(INPUT_CASES), ids=list(INPUT_CASES))
def test_broken_inputs_refused_by_validate_and_run(inputs_copy: Path, case: str) -> None:
    """validate-inputs reports what run would reject, and run rejects it before writing."""
    spec = INPUT_CASES[case]
    spec.mutate(inputs_copy)
    before = snapshot(inputs_copy.parent)
    assert_refused(_invoke(["validate-inputs", "--inputs", str(inputs_copy)]), *spec.fragments)
    out = inputs_copy.parent / "out"
    result = _invoke(["run", "--inputs", str(inputs_copy), "--n-samples", "50", "--out", str(out)])
    assert_refused(result, *spec.fragments)
    assert snapshot(inputs_copy.parent) == before


# --- options ------------------------------------------------------------------------------------

OPTION_CASES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "run-n-samples-zero": (["run", "--n-samples", "0"], ("--n-samples 0",)),
    "run-n-samples-huge": (["run", "--n-samples", "20000000"], ("--n-samples", "10,000,000")),
    "run-n-samples-text": (["run", "--n-samples", "many"], ("--n-samples", "valid integer")),
    "run-seed-negative": (["run", "--seed", "-1"], ("--seed -1",)),
    "run-perspective": (["run", "--perspective", "cosmic"], ("perspective", "cosmic")),
    "run-set-unknown": (["run", "--set", "foo=1"], ("--set 'foo=1'", "unknown parameter")),
    "run-set-overflow": (
        ["run", "--set", "coordinator_salary_annual=1e308"],
        ("--set", "coordinator_salary_annual", "limit"),
    ),
    "run-samples-format": (["run", "--samples-format", "xlsx"], ("--samples-format", "xlsx")),
    "run-unknown-option": (["run", "--turbo"], ("peer-econ run", "--turbo")),
    "voi-sample-size-one": (["voi", "--sample-sizes", "1"], ("--sample-sizes", "'1'")),
    "voi-sample-size-huge": (["voi", "--sample-sizes", "1e9"], ("--sample-sizes", "1e9")),
    "voi-sample-size-text": (["voi", "--sample-sizes", "a,b"], ("--sample-sizes", "'a'")),
    "voi-wtp-nan": (["voi", "--wtp", "nan"], ("--wtp nan",)),
    "voi-wtp-negative": (["voi", "--wtp", "-5"], ("--wtp -5",)),
    "voi-too-few-samples": (["voi", "--n-samples", "100"], ("--n-samples 100",)),
    "budget-courses-overflow": (
        ["budget", "--courses-per-year", "1e308"],
        ("--courses-per-year",),
    ),
    "budget-municipalities-zero": (["budget", "--municipalities", "0"], ("--municipalities 0",)),
    "budget-years-zero": (["budget", "--years", "0"], ("--years 0",)),
    "budget-ramp-up-above-one": (["budget", "--ramp-up", "2"], ("--ramp-up", "'2'")),
    "budget-unknown-strategy": (
        ["budget", "--strategy", "nope", "--n-samples", "10"],
        ("--strategy 'nope'", "strategies.csv"),
    ),
    "sobol-n-base-not-power": (["sensitivity", "sobol", "--n-base", "1000"], ("--n-base 1000",)),
    "sobol-n-base-tiny": (["sensitivity", "sobol", "--n-base", "8"], ("--n-base 8",)),
    "delta-n-samples-tiny": (["sensitivity", "delta", "--n-samples", "10"], ("--n-samples 10",)),
    "morris-levels-one": (["sensitivity", "morris", "--levels", "1"], ("--levels 1",)),
    "owsa-interval-reversed": (
        ["sensitivity", "owsa", "--interval", "0.9,0.1"],
        ("--interval",),
    ),
    "owsa-jobs-zero": (["sensitivity", "owsa", "--jobs", "0"], ("--jobs 0",)),
    "twsa-infinite-grid": (["sensitivity", "twsa", "--x-values", "1,inf"], ("--x-values",)),
    "structural-n-samples-zero": (
        ["sensitivity", "structural", "--n-samples", "0"],
        ("--n-samples 0",),
    ),
    "app-port-too-high": (["app", "--port", "70000"], ("--port = 70000",)),
    "app-port-zero": (["app", "--port", "0"], ("--port = 0",)),
}


@pytest.mark.parametrize("case", list(OPTION_CASES), ids=list(OPTION_CASES))
def test_bad_options_refused(tmp_path: Path, case: str) -> None:
    args, fragments = OPTION_CASES[case]
    out = tmp_path / "out"
    extra = [] if args[0] == "app" else ["--out", str(out)]
    result = _invoke([*args, "--inputs", str(INPUTS), *extra])
    assert_refused(result, *fragments)
    assert list(tmp_path.iterdir()) == []


# --- analyse files ------------------------------------------------------------------------------

COST = "sau,peer\n100,900\n120,1100\n90,950\n"
EFFECT = "sau,peer\n1.0,1.1\n1.0,1.05\n0.9,1.0\n"


def _write_psa(folder: Path, cost: bytes | str = COST, effect: bytes | str = EFFECT) -> None:
    for name, body in (("cost.csv", cost), ("effect.csv", effect)):
        path = folder / name
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")


ANALYSE_CASES: dict[str, tuple[dict[str, bytes | str], list[str], tuple[str, ...]]] = {
    "cost-cell-overflow": (
        {"cost": "sau,peer\n100,900\n1e308,1100\n90,950\n"},
        [],
        ("--cost", "row 2", "'sau'", "limit"),
    ),
    "two-overflowing-cells": (
        {"cost": "sau,peer\n1e308,1e308\n120,1100\n90,950\n"},
        [],
        ("--cost", "row 1", "limit"),
    ),
    "cost-utf16": ({"cost": _utf16(COST.encode())}, [], ("--cost", "UTF-16")),
    "cost-nul": ({"cost": COST.encode()[:5] + b"\x00" + COST.encode()[5:]}, [], ("NUL byte",)),
    "cost-latin1": (
        {"cost": "s\u00e6u,peer\n1,2\n".encode("latin-1")},
        [],
        ("--cost", "not valid UTF-8"),
    ),
    "effect-nan": ({"effect": "sau,peer\n1,nan\n1,1\n1,1\n"}, [], ("--effect", "'peer'")),
    "ragged-row": ({"cost": "sau,peer\n1,2\n3\n4,5\n"}, [], ("--cost", "line 3")),
    "duplicate-names": ({"cost": "sau,sau\n1,2\n3,4\n5,6\n"}, [], ("--cost", "'sau'", "unique")),
    "row-count-mismatch": (
        {"effect": "sau,peer\n1,1\n"},
        [],
        ("--effect", "1 data rows", "3"),
    ),
    "wtp-too-many-points": ({}, ["--wtp", "0:1e9:1"], ("--wtp", "at most 10001")),
    "wtp-nan": ({}, ["--wtp", "0,nan"], ("--wtp", "'nan'")),
    "wtp-overflow": ({}, ["--wtp", "0,1e300"], ("--wtp", "limit")),
    "discount-absurd": ({}, ["--discount", "5"], ("--discount 5",)),
    "horizon-zero": ({}, ["--horizon", "0"], ("--horizon 0",)),
    "population-negative": ({}, ["--population", "-1"], ("--population -1",)),
    "evppi-without-parameters": ({}, ["--evppi", "each"], ("--evppi", "--parameters")),
}


@pytest.mark.parametrize("case", list(ANALYSE_CASES), ids=list(ANALYSE_CASES))
def test_hostile_analyse_refused(tmp_path: Path, case: str) -> None:
    files, extra, fragments = ANALYSE_CASES[case]
    data = tmp_path / "psa"
    data.mkdir()
    _write_psa(data, files.get("cost", COST), files.get("effect", EFFECT))
    before = snapshot(tmp_path)
    out = tmp_path / "out"
    args = ["analyse", "--cost", str(data / "cost.csv"), "--effect", str(data / "effect.csv")]
    result = _invoke([*args, *extra, "--out", str(out), "--no-figures"])
    assert_refused(result, *fragments)
    assert snapshot(tmp_path) == before


def test_two_overflowing_cells_cannot_make_a_strategy_dominated(tmp_path: Path) -> None:
    """The case a probe found: two 1e308 cells made the cheaper strategy 'dominated'. The same
    file with large but representable cells gives the arithmetic answer."""
    data = tmp_path / "psa"
    data.mkdir()
    _write_psa(data, cost="sau,peer\n1e11,1e11\n1e11,1e11\n", effect="sau,peer\n1,2\n1,2\n")
    out = tmp_path / "out"
    args = ["analyse", "--cost", str(data / "cost.csv"), "--effect"]
    result = _invoke([*args, str(data / "effect.csv"), "--out", str(out), "--no-figures"])
    assert result.exit_code == 0, _stderr(result)
    import pandas as pd

    icers = pd.read_csv(out / "icers.csv").set_index("strategy")
    # equal costs, one more QALY: peer dominates sau (cost difference 0, ICER 0)
    assert icers.loc["peer", "status"] == "ND"
    assert icers.loc["sau", "status"] == "D"
    assert np.isfinite(icers["cost"]).all()


# --- output targets -----------------------------------------------------------------------------


def _target_cases(tmp_path: Path, inputs: Path) -> dict[str, tuple[Path | str, str]]:
    user = tmp_path / "user-folder"
    user.mkdir()
    (user / "thesis.docx").write_text("years of work")
    afile = tmp_path / "afile"
    afile.write_text("x")
    return {
        "inputs-folder": (inputs, "input folder"),
        "inside-inputs": (inputs / "results", "input folder"),
        "above-inputs": (tmp_path, "current folder"),
        "user-folder": (user, "not a peer_econ output"),
        "under-a-file": (afile / "sub", "is a file"),
        "name-300": (tmp_path / ("r" * 300), "300 bytes"),
        "dot": (".", "current folder"),
    }


TARGETS = ["inputs-folder", "inside-inputs", "above-inputs", "user-folder", "under-a-file",
           "name-300", "dot"]  # fmt: skip


@pytest.mark.parametrize("target", TARGETS, ids=TARGETS)
@pytest.mark.parametrize("command", ["run", "voi", "budget", "owsa", "analyse"])
def test_dangerous_out_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, target: str
) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs)
    _write_psa(inputs)  # analyse reads cost.csv and effect.csv from the inputs folder
    out, fragment = _target_cases(tmp_path, inputs)[target]
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    if command == "analyse":
        args = [
            "analyse",
            "--cost",
            str(inputs / "cost.csv"),
            "--effect",
            str(inputs / "effect.csv"),
        ]
    elif command == "owsa":
        args = ["sensitivity", "owsa", "--inputs", str(inputs)]
    else:
        args = [command, "--inputs", str(inputs)]
    result = _invoke([*args, "--out", str(out)])
    assert_refused(result, "--out", fragment)
    assert snapshot(tmp_path) == before
