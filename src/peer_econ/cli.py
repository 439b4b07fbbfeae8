"""The ``peer-econ`` command line (typer lives only here): parse, call the library, print.

User errors (:class:`~peer_econ.errors.InputError`) print one line per problem on stderr and exit
with status 2; nothing is written when a command fails.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from peer_econ.errors import InputError, PeerEconError

app = typer.Typer(
    name="peer-econ",
    help="Cost-utility model of PEER and decision analysis for any PSA.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(func: F) -> F:
    """Turn :class:`InputError` into one stderr line per problem and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            for problem in exc.problems:
                typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(code=2) from None
        except PeerEconError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


def _version_callback(value: bool) -> None:
    if value:
        from peer_econ import __version__

        typer.echo(f"peer-econ {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version."
    ),
) -> None:
    """peer_econ: is the PEER peer-support course worth its cost?"""


def _echo_table(text: str) -> None:
    sys.stdout.write(text + "\n")


# --- commands -------------------------------------------------------------------------------
# Each command is a few lines: parse options, call one library function, print a summary.
