"""``--version`` and ``--help``: every command's help ends with a runnable-looking example."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from peer_econ import __version__
from peer_econ.cli import app

COMMANDS = [
    ["validate-inputs"],
    ["run"],
    ["report"],
    ["analyse"],
    ["voi"],
    ["budget"],
    ["app"],
    *[
        ["sensitivity", name]
        for name in ("owsa", "twsa", "threshold", "scenarios", "structural", "sobol", "morris",
                     "delta")
    ],
]  # fmt: skip


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"peer-econ {__version__}"


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_help_shows_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert re.search(rf"Example: peer-econ {' '.join(command)}\b", text), text[-400:]


def test_every_command_is_listed() -> None:
    """A new command must be added to COMMANDS (and so get an example)."""
    import typer.main

    group = typer.main.get_command(app)
    names = set(group.commands)  # type: ignore[attr-defined]
    sensitivity = set(group.commands["sensitivity"].commands)  # type: ignore[attr-defined]
    listed = {c[0] for c in COMMANDS} | {"sensitivity"}
    assert names == listed
    assert sensitivity == {c[1] for c in COMMANDS if c[0] == "sensitivity"}


def test_no_arguments_prints_help() -> None:
    result = CliRunner().invoke(app, [])
    assert "Usage" in result.output
    assert "error" not in result.output.lower()
