"""The package layers are import contracts (pyproject ``[tool.importlinter]``), checked here so a
wrong import fails CI, and the analysis toolkit imports on its own."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(project: Path, src: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(src), "PATH": str(LINT_IMPORTS.parent), "HOME": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")
def test_import_contracts_hold() -> None:
    proc = _lint_imports(ROOT, ROOT / "src")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")
@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("analysis/cea.py", "import peer_econ.model.engine", "model-agnostic"),
        ("model/costs.py", "import peer_econ.inputs.load", "never reads files"),
        ("runs/budget.py", "import typer", "typer is imported by cli only"),
        ("inputs/load.py", "import matplotlib", "matplotlib is imported by outputs only"),
    ],
)
def test_a_wrong_import_breaks_a_contract(
    tmp_path: Path, module: str, bad_import: str, contract: str
) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src" / "peer_econ", tmp_path / "src" / "peer_econ")
    target = tmp_path / "src" / "peer_econ" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{bad_import}\n", encoding="utf-8")
    proc = _lint_imports(tmp_path, tmp_path / "src")
    assert proc.returncode != 0
    broken = proc.stdout.split("Broken contracts", 1)[1]
    assert contract in " ".join(broken.split())


def test_analysis_imports_alone() -> None:
    """``peer_econ.analysis`` on its own loads neither the PEER model, its readers, the
    outputs, matplotlib nor typer."""
    code = (
        "import json, sys; import peer_econ.analysis; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.startswith(('peer_econ', 'matplotlib', 'typer')))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = json.loads(proc.stdout)
    assert "peer_econ.analysis.cea" in loaded
    for forbidden in (
        "peer_econ.model",
        "peer_econ.inputs",
        "peer_econ.runs",
        "peer_econ.outputs",
        "matplotlib",
        "typer",
    ):
        assert not [m for m in loaded if m == forbidden or m.startswith(forbidden + ".")], loaded


#: Every function of the package fits in 80 lines, docstring included (issue 16).
PACKAGE = ROOT / "src" / "peer_econ"
MAX_FUNCTION_LINES = 80

#: Functions being split on another branch (``path:name``). The test fails when one of them
#: fits: then remove it here, so the list only ever shrinks.
PENDING_SPLITS: frozenset[str] = frozenset()


def _is_typer_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated ``@<app>.command(...)``: a typer command of ``cli.py``."""
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "command"
        for d in node.decorator_list
    )


def _counted_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[int, int]:
    """First line counted and the number of lines of a function.

    A function counts from its ``def`` line to its last line. A typer command counts from its
    docstring: its parameter list is a table of data (one ``typer.Option`` with its help text
    per command-line option), which the reader looks up, not holds in their head.
    """
    first = node.body[0].lineno if _is_typer_command(node) else node.lineno
    return first, (node.end_lineno or node.lineno) - first + 1


def test_functions_fit_in_eighty_lines() -> None:
    """A function a reader can hold in their head: no function of src/peer_econ over 80 lines
    (a typer command's option table aside, see :func:`_counted_lines`)."""
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50
    long, pending, n_functions, n_commands = [], set(), 0, 0
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n_functions += 1
                n_commands += _is_typer_command(node)
                _, n_lines = _counted_lines(node)
                if n_lines <= MAX_FUNCTION_LINES:
                    continue
                if f"{path.relative_to(ROOT)}:{node.name}" in PENDING_SPLITS:
                    pending.add(f"{path.relative_to(ROOT)}:{node.name}")
                else:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n_lines})")
    assert n_functions > 500
    assert n_commands > 10
    assert long == [], "\n".join(long)
    assert pending == PENDING_SPLITS, (
        f"fit now, remove from PENDING_SPLITS: {PENDING_SPLITS - pending}"
    )


def test_a_typer_command_counts_from_its_docstring() -> None:
    """The option table of a command is not counted; its docstring and body are, and a plain
    function counts from ``def``."""
    code = textwrap.dedent(
        '''
        @app.command("x")
        @user_errors
        def cmd(
            a: int = 1,
            b: int = 2,
        ) -> None:
            """Doc."""
            return None


        def plain(
            a: int,
        ) -> None:
            pass
        '''
    )
    command, plain = (n for n in ast.parse(code).body if isinstance(n, ast.FunctionDef))
    assert _is_typer_command(command)
    assert not _is_typer_command(plain)
    assert _counted_lines(command) == (8, 2)
    assert _counted_lines(plain) == (12, 4)
