"""CLI smoke tests (STYLE 3.3 item 7g) for ``validate-inputs`` and ``run``, into ``tmp_path``.

User errors must print ``error: ...`` lines on stderr, exit with status 2, show no traceback and
leave no output folder behind.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from peer_econ.cli import app

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
INPUT_FILES = (
    "parameters.csv",
    "strategies.csv",
    "cost_items.csv",
    "settings.toml",
    "correlations.csv",
    "scenarios.toml",
    "labels.csv",
    "report.toml",
)


def make_runner() -> CliRunner:
    """Click < 8.2 mixes stderr into output unless ``mix_stderr=False``; 8.2+ always separates
    ``result.stderr`` and has no such argument."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def stderr_of(result: Result) -> str:
    try:
        return result.stderr
    except ValueError:  # stderr not captured separately
        return result.output


def invoke(*args: str | Path) -> Result:
    return make_runner().invoke(app, [str(a) for a in args])


def assert_user_error(result: Result) -> list[str]:
    """Exit 2, ``error:`` lines on stderr, no traceback; returns the error lines."""
    err = stderr_of(result)
    assert result.exit_code == 2, (result.exit_code, result.output, err)
    assert "Traceback" not in result.output
    assert "Traceback" not in err
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "no message on stderr"
    assert all(line.startswith("error: ") for line in lines), lines
    return lines


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    """Two runs with the same seed into two folders (shared by the tests below)."""
    base = tmp_path_factory.mktemp("runs")
    first = invoke(
        "run", "--inputs", INPUTS, "--n-samples", "200", "--seed", "1", "--out", base / "r"
    )
    second = invoke(
        "run", "--inputs", INPUTS, "--n-samples", "200", "--seed", "1", "--out", base / "again"
    )
    assert second.exit_code == 0, stderr_of(second)
    return base / "r", base / "again", first


# --- validate-inputs ----------------------------------------------------------------------------


def test_validate_inputs_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """No options: reads ./inputs of the project."""
    monkeypatch.chdir(ROOT)
    result = invoke("validate-inputs")
    assert result.exit_code == 0, stderr_of(result)
    assert "inputs: OK (" in result.output
    assert "strategies" in result.output


def test_validate_inputs_explicit_folder() -> None:
    result = invoke("validate-inputs", "--inputs", INPUTS)
    assert result.exit_code == 0, stderr_of(result)
    assert "OK" in result.output


def test_validate_inputs_broken_copy(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    shutil.copytree(INPUTS, folder)
    path = folder / "parameters.csv"
    lines = path.read_text().splitlines()
    assert lines[1].startswith("mansa_d,0.26,normal,")
    lines[1] = lines[1].replace("mansa_d,0.26,normal,", "mansa_d,0.26,gama,", 1)
    path.write_text("\n".join(lines) + "\n")
    result = invoke("validate-inputs", "--inputs", folder)
    errors = assert_user_error(result)
    assert any(
        str(path) in e
        and "row 2" in e
        and "column 'distribution'" in e
        and "unknown distribution 'gama'" in e
        for e in errors
    ), errors
    assert "OK" not in result.output


def test_validate_inputs_reports_every_problem(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    shutil.copytree(INPUTS, folder)
    settings = folder / "settings.toml"
    text = settings.read_text()
    text = text.replace('durability = "linear"', 'durability = "forever"')
    settings.write_text(text)
    strategies = folder / "strategies.csv"
    strategies.write_text(strategies.read_text().replace(",2,0,paid,", ",2,0,robot,"))
    errors = assert_user_error(invoke("validate-inputs", "--inputs", folder))
    assert len(errors) >= 2
    assert any("durability = 'forever'" in e for e in errors)
    assert any(str(strategies) in e and "row 4, column 'companionship'" in e for e in errors)


def test_validate_inputs_missing_folder(tmp_path: Path) -> None:
    errors = assert_user_error(invoke("validate-inputs", "--inputs", tmp_path / "nowhere"))
    assert "inputs folder not found" in errors[0]


# --- run ----------------------------------------------------------------------------------------


def test_run_exit_zero_and_files(run_dirs: tuple[Path, Path, Result]) -> None:
    out, _, result = run_dirs
    assert result.exit_code == 0, (result.output, stderr_of(result))
    assert f"wrote {out}" in result.output
    for name in (
        "manifest.json",
        "deterministic.csv",
        "psa_summary.csv",
        "cost_items.csv",
        "psa_samples.parquet",
        "cost_consequence.csv",
        "trial_period.csv",
    ):
        assert (out / name).is_file(), name
    assert not list(out.parent.glob(".r.tmp-*")), "temporary folder left behind"


def test_run_manifest(run_dirs: tuple[Path, Path, Result]) -> None:
    out = run_dirs[0]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 1
    assert manifest["n_samples"] == 200
    assert isinstance(manifest["versions"], dict)
    assert {"peer_econ", "python", "numpy", "scipy", "pandas"} <= set(manifest["versions"])
    hashes = manifest["input_sha256"]
    assert len(hashes) == len(INPUT_FILES)
    assert sorted(Path(k).name for k in hashes) == sorted(INPUT_FILES)
    assert all(len(v) == 64 and int(v, 16) >= 0 for v in hashes.values())


def test_run_tables_columns(run_dirs: tuple[Path, Path, Result]) -> None:
    out = run_dirs[0]
    det = pd.read_csv(out / "deterministic.csv")
    assert {"strategy", "cost", "qaly"} <= set(det.columns)
    assert len(det) == 5
    assert det["strategy"].iloc[0] == "sau"
    items = pd.read_csv(out / "cost_items.csv")
    assert {"strategy", "item", "payer", "cost"} <= set(items.columns)
    assert len(pd.read_csv(out / "psa_summary.csv")) == 5
    assert len(pd.read_csv(out / "trial_period.csv")) == 5
    assert len(pd.read_csv(out / "cost_consequence.csv")) >= 1


def test_run_psa_samples_rows(run_dirs: tuple[Path, Path, Result]) -> None:
    samples = pd.read_parquet(run_dirs[0] / "psa_samples.parquet")
    assert len(samples) == 200
    assert samples["sample"].tolist() == list(range(200))
    headline = pd.read_csv(run_dirs[0] / "headline.csv")
    # the per-sample table holds the numbers the headline means are made of
    assert samples["cost_peer_volunteer"].mean() == pytest.approx(
        float(headline.loc[headline["strategy"] == "peer_volunteer", "cost"].iloc[0]), rel=1e-12
    )


def test_run_samples_as_csv_equal_parquet(
    run_dirs: tuple[Path, Path, Result], tmp_path: Path
) -> None:
    out = tmp_path / "csv"
    result = invoke(
        "run", "--inputs", INPUTS, "--n-samples", "200", "--seed", "1", "--samples-format", "csv",
        "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, stderr_of(result)
    assert not (out / "psa_samples.parquet").exists()
    with gzip.open(out / "psa_samples.csv.gz", "rb") as handle:
        from_csv = pd.read_csv(io.BytesIO(handle.read()))
    from_parquet = pd.read_parquet(run_dirs[0] / "psa_samples.parquet")
    pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=False, rtol=1e-14)


def test_run_same_seed_byte_identical(run_dirs: tuple[Path, Path, Result]) -> None:
    first, second, _ = run_dirs
    files = sorted(
        p.relative_to(first) for p in first.rglob("*") if p.name.endswith((".csv", ".parquet"))
    )
    assert Path("psa_samples.parquet") in files
    assert len(files) >= 7
    for rel in files:
        assert (second / rel).read_bytes() == (first / rel).read_bytes(), rel
    again = sorted(
        p.relative_to(second) for p in second.rglob("*") if p.name.endswith((".csv", ".parquet"))
    )
    assert again == files


def test_run_other_seed_differs(run_dirs: tuple[Path, Path, Result], tmp_path: Path) -> None:
    result = invoke(
        "run", "--inputs", INPUTS, "--n-samples", "200", "--seed", "2", "--out", tmp_path / "s2"
    )
    assert result.exit_code == 0, stderr_of(result)
    name = "psa_summary.csv"
    assert (tmp_path / "s2" / name).read_bytes() != (run_dirs[0] / name).read_bytes()
    # the deterministic result does not depend on the seed
    det = "deterministic.csv"
    assert (tmp_path / "s2" / det).read_bytes() == (run_dirs[0] / det).read_bytes()


def test_run_one_sample(tmp_path: Path) -> None:
    out = tmp_path / "one"
    result = invoke("run", "--inputs", INPUTS, "--n-samples", "1", "--seed", "0", "--out", out)
    assert result.exit_code == 0, (result.output, stderr_of(result))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["n_samples"] == 1
    assert manifest["seed"] == 0
    assert len(pd.read_parquet(out / "psa_samples.parquet")) == 1


def test_run_bad_set_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "bad"
    errors = assert_user_error(
        invoke("run", "--inputs", INPUTS, "--n-samples", "20", "--set", "foo=1", "--out", out)
    )
    assert any("--set 'foo=1': unknown parameter 'foo'" in e for e in errors), errors
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_run_set_without_equals(tmp_path: Path) -> None:
    out = tmp_path / "bad"
    errors = assert_user_error(
        invoke("run", "--inputs", INPUTS, "--n-samples", "20", "--set", "mansa_d", "--out", out)
    )
    assert "use NAME=VALUE" in errors[0]
    assert not out.exists()


def test_run_bad_perspective(tmp_path: Path) -> None:
    out = tmp_path / "bad"
    errors = assert_user_error(
        invoke(
            "run",
            "--inputs",
            INPUTS,
            "--n-samples",
            "20",
            "--perspective",
            "nonsense",
            "--out",
            out,
        )
    )
    assert any("perspective = 'nonsense'" in e for e in errors), errors
    assert not out.exists()


def test_run_missing_inputs_folder(tmp_path: Path) -> None:
    out = tmp_path / "bad"
    errors = assert_user_error(
        invoke("run", "--inputs", tmp_path / "nowhere", "--n-samples", "20", "--out", out)
    )
    assert "inputs folder not found" in errors[0]
    assert not out.exists()


@pytest.mark.parametrize(("option", "value"), [("--n-samples", "0"), ("--seed", "-1")])
def test_run_bad_numbers(tmp_path: Path, option: str, value: str) -> None:
    out = tmp_path / "bad"
    args = ["run", "--inputs", str(INPUTS), "--out", str(out), option, value]
    if option != "--n-samples":
        args += ["--n-samples", "20"]
    assert_user_error(invoke(*args))
    assert not out.exists()


def test_run_out_is_a_file(tmp_path: Path) -> None:
    out = tmp_path / "file.txt"
    out.write_text("keep me")
    errors = assert_user_error(invoke("run", "--inputs", INPUTS, "--n-samples", "2", "--out", out))
    assert "exists and is a file" in errors[0]
    assert out.read_text() == "keep me"


# --- atomic_output_dir --------------------------------------------------------------------------


def test_atomic_output_dir_success_and_replace(tmp_path: Path) -> None:
    from peer_econ.outputs.files import atomic_output_dir, write_manifest

    target = tmp_path / "out"
    with atomic_output_dir(target) as folder:
        assert folder != target and not target.exists()
        (folder / "a.csv").write_text("1\n")
        write_manifest(folder, command="test", seed=None, n_samples=None)
    assert (target / "a.csv").read_text() == "1\n"
    with atomic_output_dir(target, force=True) as folder:
        (folder / "b.csv").write_text("2\n")
    assert sorted(p.name for p in target.iterdir()) == ["b.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_output_dir_failure_leaves_nothing(tmp_path: Path) -> None:
    from peer_econ.outputs.files import atomic_output_dir

    target = tmp_path / "out"
    with pytest.raises(RuntimeError, match="boom"), atomic_output_dir(target) as folder:
        (folder / "half.csv").write_text("x")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_dir_failure_keeps_previous(tmp_path: Path) -> None:
    from peer_econ.outputs.files import atomic_output_dir, write_manifest

    target = tmp_path / "out"
    target.mkdir()
    (target / "old.csv").write_text("old")
    write_manifest(target, command="test", seed=None, n_samples=None)
    with pytest.raises(KeyError), atomic_output_dir(target, force=True) as folder:
        (folder / "new.csv").write_text("new")
        raise KeyError("x")
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "old.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_output_dir_refuses(tmp_path: Path) -> None:
    from peer_econ.errors import InputError
    from peer_econ.outputs.files import atomic_output_dir

    existing = tmp_path / "exists"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a peer_econ output"):
        with atomic_output_dir(existing):
            pass
    assert (existing / "notes.txt").read_text() == "mine"
    afile = tmp_path / "f.txt"
    afile.write_text("x")
    with pytest.raises(InputError, match="exists and is a file"):
        with atomic_output_dir(afile):
            pass
