"""Output folders never destroy what the user did not ask to replace, and never stay half-written.

Covers ``--force``, ordinary permissions, formula escaping in every CSV writer, and a real
subprocess interrupted by SIGTERM, SIGHUP and SIGINT.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from peer_econ.cli import app
from peer_econ.errors import InputError
from peer_econ.outputs.files import (
    atomic_output_dir,
    check_output_target,
    escape_formula,
    write_csv,
    write_manifest,
)

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def _psa(folder: Path, names: tuple[str, str] = ("sau", "peer")) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    header = ",".join(f'"{n}"' for n in names)
    cost, effect = folder / "cost.csv", folder / "effect.csv"
    cost.write_text(f"{header}\n100,900\n120,1100\n90,950\n", encoding="utf-8")
    effect.write_text(f"{header}\n1.0,1.1\n1.0,1.05\n0.9,1.0\n", encoding="utf-8")
    return cost, effect


def _analyse(cost: Path, effect: Path, out: Path, *extra: str) -> Result:
    return _invoke(
        "analyse", "--cost", cost, "--effect", effect, "--out", out, "--no-figures", *extra
    )


# --- --force ------------------------------------------------------------------------------------


def test_previous_output_needs_force(tmp_path: Path) -> None:
    cost, effect = _psa(tmp_path / "psa")
    out = tmp_path / "out"
    assert _analyse(cost, effect, out).exit_code == 0
    first = (out / "icers.csv").read_bytes()
    (out / "icers.csv").write_text("edited by hand")
    refused = _analyse(cost, effect, out)
    assert refused.exit_code == 2
    assert "holds a previous peer_econ output; add --force" in refused.stderr
    assert (out / "icers.csv").read_text() == "edited by hand"
    replaced = _analyse(cost, effect, out, "--force")
    assert replaced.exit_code == 0, replaced.stderr
    assert (out / "icers.csv").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "psa"]


def test_force_never_replaces_a_user_folder(tmp_path: Path) -> None:
    cost, effect = _psa(tmp_path / "psa")
    user = tmp_path / "thesis"
    user.mkdir()
    (user / "chapter1.txt").write_text("years of work")
    result = _analyse(cost, effect, user, "--force")
    assert result.exit_code == 2
    assert "not a peer_econ output (no manifest.json)" in result.stderr
    assert (user / "chapter1.txt").read_text() == "years of work"


def test_empty_folder_is_used(tmp_path: Path) -> None:
    cost, effect = _psa(tmp_path / "psa")
    out = tmp_path / "empty"
    out.mkdir()
    assert _analyse(cost, effect, out).exit_code == 0
    assert (out / "manifest.json").is_file()


def test_foreign_manifest_is_not_a_peer_econ_output(tmp_path: Path) -> None:
    folder = tmp_path / "other-tool"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"name": "some other program"}')
    with pytest.raises(InputError, match="not a peer_econ output"):
        check_output_target(folder, force=True)


def test_symlink_to_inputs_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(INPUTS, target_is_directory=True)
    with pytest.raises(InputError, match="input folder"):
        check_output_target(link / "reports", protect=[INPUTS])


# --- permissions and clean-up ---------------------------------------------------------------------


def test_output_folder_has_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_output_dir(tmp_path / "out") as folder:
            write_manifest(folder, command="test", seed=None, n_samples=None)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755


def test_created_parents_are_removed_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out"
    with pytest.raises(RuntimeError), atomic_output_dir(target):
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_location_is_one_line_error(tmp_path: Path) -> None:
    """/proc refuses new folders even for root; the error is one line and nothing is left."""
    with pytest.raises(InputError, match="cannot write there") as info:
        with atomic_output_dir(Path("/proc/peer-econ-test/out")):
            pass
    assert "\n" not in str(info.value)


def test_read_only_folder(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; /proc covers this case")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(InputError, match="cannot write there"):
            with atomic_output_dir(folder / "out"):
                pass
    finally:
        folder.chmod(0o755)


# --- formula injection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tlabel", "'\tlabel"),
        ("\rlabel", "'\rlabel"),
        ("-5", "-5"),
        ("+1.5e3", "+1.5e3"),
        ("peer", "peer"),
        ("", ""),
    ],
)
def test_escape_formula(text: str, expected: str) -> None:
    assert escape_formula(text) == expected


def test_write_csv_escapes_text_but_not_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"strategy": ["=1+1", "ok"], "cost": [-5.0, 2.5], "=col": [1, 2]})
    path = write_csv(frame, tmp_path / "t.csv")
    assert path.read_text().splitlines() == ["strategy,cost,'=col", "'=1+1,-5,1", "ok,2.5,2"]
    assert frame["strategy"].tolist() == ["=1+1", "ok"]  # the caller's frame is not changed


def test_analyse_escapes_strategy_labels(tmp_path: Path) -> None:
    cost, effect = _psa(tmp_path / "psa", names=("=cmd|' /C calc'!A0", "@peer"))
    out = tmp_path / "out"
    result = _analyse(cost, effect, out)
    assert result.exit_code == 0, result.stderr
    for name in ("icers.csv", "ceac.csv", "summary.csv", "incremental_nmb.csv"):
        for line in (out / name).read_text().splitlines():
            for cell in line.split(","):
                assert not cell.startswith(("=", "@", "+")), (name, line)
    icers = pd.read_csv(out / "icers.csv")
    assert set(icers["strategy"]) == {"'=cmd|' /C calc'!A0", "'@peer"}
    assert pd.api.types.is_float_dtype(icers["cost"])


# --- signals ------------------------------------------------------------------------------------


def _start_run(out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "peer_econ", "run", "--inputs", str(INPUTS)]
    cmd += ["--n-samples", "20000", "--out", str(out)]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        preexec_fn=_default_signals,
    )  # fmt: skip


def _default_signals() -> None:
    """Default handling of SIGINT and SIGHUP in the child, however the test runner was started
    (a shell's background job ignores SIGINT, and an ignored signal stays ignored)."""
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_signal_removes_temporary_folder(tmp_path: Path, signum: signal.Signals) -> None:
    """Interrupted while writing: exit 128 + signal, one line, no ``.tmp-*`` folder left."""
    out = tmp_path / "out"
    proc = _start_run(out)
    deadline = time.monotonic() + 120
    try:
        while not any(p.name.startswith(".out.tmp-") for p in tmp_path.iterdir()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # pragma: no cover - only if the test fails
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + signum.value, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [f"error: interrupted by {signum.name}; no output was written"], err
    assert list(tmp_path.iterdir()) == []


def test_default_folder_beside_inputs_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CSV files in the working folder and no --out: the new reports/<run-id> replaces nothing,
    so it is written; an explicit --out inside that folder is refused."""
    monkeypatch.chdir(tmp_path)
    _psa(tmp_path)
    result = _invoke("analyse", "--cost", "cost.csv", "--effect", "effect.csv", "--no-figures")
    assert result.exit_code == 0, result.stderr
    (folder,) = (tmp_path / "reports").iterdir()
    assert (folder / "manifest.json").is_file()
    refused = _analyse(Path("cost.csv"), Path("effect.csv"), Path("reports/mine"))
    assert refused.exit_code == 2
    assert "input folder" in refused.stderr


def test_ignored_hangup_stays_ignored() -> None:
    """Under nohup (SIGHUP ignored) a command is not stopped by a hangup; SIGTERM still is."""
    from peer_econ.cli import _stop_signals_raise

    old_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    old_term = signal.getsignal(signal.SIGTERM)
    try:
        with _stop_signals_raise():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_IGN, signal.SIG_DFL)
        assert signal.getsignal(signal.SIGTERM) == old_term
    finally:
        signal.signal(signal.SIGHUP, old_hup)
