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


GUIDES_WITH_COMMANDS = [p for p in GUIDES if sh_blocks(p)]


@pytest.mark.slow
@pytest.mark.docs
def test_guide_commands_run(tmp_path: Path, scheduler: str | None) -> None:
    """Each guide in its own project copy; the guides run at the same time (two cores)."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    running: dict[str, tuple[Path, subprocess.Popen[str]]] = {}
    for guide in GUIDES_WITH_COMMANDS:
        work = tmp_path / guide.stem
        shutil.copytree(ROOT / "inputs", work / "inputs")
        shutil.copytree(DOCS / "examples", work / "docs" / "examples")
        script = "\n".join(sh_blocks(guide))
        if DOC_SCHEDULER in script and scheduler is None:  # pragma: no cover
            pytest.skip("dask.distributed is not installed")
        proc = subprocess.Popen(
            ["bash", "-e", "-o", "pipefail", "-c", smaller(script, scheduler)],
            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        running[guide.name] = (work, proc)
    for name, (work, proc) in running.items():
        out, err = proc.communicate(timeout=1200)
        assert proc.returncode == 0, f"{name}:\n{out[-3000:]}\n{err[-3000:]}"
        assert "Traceback" not in err
        written = [line for line in out.splitlines() if line.startswith("wrote ")]
        assert written, out
        for line in written:
            assert (work / line.removeprefix("wrote ").split(",")[0]).exists(), line
