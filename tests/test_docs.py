"""The user guide cannot rot: every ```sh block of docs/*.md runs, as written, and succeeds.

Each guide runs in a fresh copy of the project's ``inputs/`` and ``docs/examples/``, its blocks in
order in one shell (so a block may use files an earlier one wrote). Only sizes are rewritten to
keep the suite fast (``--n-samples`` to 300, ``--n-base`` to 256, ``--trajectories`` to 10), and
the Dask scheduler address to a local cluster started here; everything else is the command a
reader types.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDES = sorted(DOCS.glob("*.md"))
DOC_SCHEDULER = "tcp://127.0.0.1:8786"
SMALLER = (
    (re.compile(r"--n-samples \d+"), "--n-samples 300"),
    (re.compile(r"--n-base \d+"), "--n-base 256"),
    (re.compile(r"--trajectories \d+"), "--trajectories 10"),
)


def sh_blocks(path: Path) -> list[str]:
    """The bodies of the fenced ```sh blocks of a Markdown file, in order."""
    return re.findall(r"^```sh\n(.*?)^```", path.read_text(encoding="utf-8"), re.M | re.S)


def smaller(script: str, scheduler: str | None) -> str:
    for pattern, replacement in SMALLER:
        script = pattern.sub(replacement, script)
    if scheduler is not None:
        script = script.replace(DOC_SCHEDULER, scheduler)
    return script


def test_every_guide_has_commands_and_the_index_lists_them() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for name in ("commissioner.md", "analyst.md", "model.md", "faq.md"):
        assert (DOCS / name).is_file()
        assert f"({name})" in index
    assert sh_blocks(DOCS / "commissioner.md") and sh_blocks(DOCS / "analyst.md")


def test_sizes_are_the_only_rewrite() -> None:
    script = "peer-econ run --n-samples 10000 --out x\npeer-econ sensitivity sobol --n-base 16384"
    assert smaller(script, None) == (
        "peer-econ run --n-samples 300 --out x\npeer-econ sensitivity sobol --n-base 256"
    )


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str | None]:
    """A local Dask cluster for the guide's cluster example (None without dask installed)."""
    try:
        from dask.distributed import LocalCluster
    except ImportError:  # pragma: no cover - dask is in the dev extra
        yield None
        return
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.slow
@pytest.mark.parametrize("guide", [p for p in GUIDES if sh_blocks(p)], ids=lambda p: p.stem)
def test_guide_commands_run(guide: Path, tmp_path: Path, scheduler: str | None) -> None:
    shutil.copytree(ROOT / "inputs", tmp_path / "inputs")
    shutil.copytree(DOCS / "examples", tmp_path / "docs" / "examples")
    script = "\n".join(sh_blocks(guide))
    if DOC_SCHEDULER in script and scheduler is None:  # pragma: no cover
        pytest.skip("dask.distributed is not installed")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", smaller(script, scheduler)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, f"{guide.name}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr
    written = [line for line in proc.stdout.splitlines() if line.startswith("wrote ")]
    assert written, proc.stdout
    for line in written:
        assert (tmp_path / line.removeprefix("wrote ").split(",")[0]).exists(), line
