"""The ``peer-econ`` command line (typer lives only here): parse, call the library, print.

User errors (:class:`~peer_econ.errors.InputError`) print one line per problem on stderr and exit
with status 2; nothing is written when a command fails.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

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


if TYPE_CHECKING:
    from peer_econ.pipeline import RunResult
    from peer_econ.report import RunWriter


@contextmanager
def _progress(label: str) -> Iterator[Callable[[], None]]:
    """A spinner on stderr while long work runs (only on an interactive terminal)."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn(label), TimeElapsedColumn(), transient=True
    ) as progress:
        task = progress.add_task(label, total=1)
        yield lambda: progress.update(task, completed=1)


def _run_writers() -> tuple[RunWriter, ...]:
    """Writers that add decision-analysis tables and figures to a run folder."""
    writers: list[RunWriter] = []
    try:
        from peer_econ.run_outputs import RUN_WRITERS
    except ImportError:
        return ()
    writers.extend(RUN_WRITERS)
    return tuple(writers)


def _print_summary(result: RunResult) -> None:
    from rich.console import Console
    from rich.table import Table

    summary = result.summary()
    trial = result.summary(trial_period=True)
    months = result.inputs.settings.horizon_months
    table = Table(
        title=f"PEER vs {result.comparator}: {result.n_samples} PSA samples, seed {result.seed}, "
        f"{result.inputs.settings.perspective}, {months:g}-month horizon",
    )
    for col in ("strategy", "cost DKK", "QALY", "inc cost", "inc QALY", "ICER DKK/QALY",
                "det ICER", "trial-period ICER"):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    for (_, row), (_, trow) in zip(summary.iterrows(), trial.iterrows(), strict=True):
        table.add_row(
            str(row["strategy"]),
            f"{row['cost']:,.0f}",
            f"{row['qaly']:.4f}",
            f"{row['inc_cost']:,.0f}",
            f"{row['inc_qaly']:.4f}",
            _fmt_icer(row["icer"], row["inc_cost"], row["inc_qaly"]),
            _fmt_icer(row["det_icer"], row["det_cost"], row["det_qaly"]),
            _fmt_icer(trow["icer"], trow["inc_cost"], trow["inc_qaly"]),
        )
    Console(width=140).print(table)


def _fmt_icer(icer: float, inc_cost: float, inc_qaly: float) -> str:
    if icer != icer:  # NaN: the comparator itself
        return "-"
    if inc_cost <= 0 and inc_qaly > 0:
        return "dominant"
    if inc_cost >= 0 and inc_qaly < 0:
        return "dominated"
    return f"{icer:,.0f}"


# --- commands -------------------------------------------------------------------------------
# Each command is a few lines: parse options, call one library function, print a summary.


@app.command("validate-inputs")
@user_errors
def validate_inputs(
    inputs: Annotated[Path, typer.Option(help="Inputs folder.")] = Path("inputs"),
) -> None:
    """Check an inputs folder and report every problem at once."""
    from peer_econ.load import load_inputs

    loaded = load_inputs(inputs)
    typer.echo(
        f"{inputs}: OK ({len(loaded.parameters)} parameters, {len(loaded.strategies)} "
        f"strategies, {len(loaded.cost_items)} cost items)"
    )


@app.command("run")
@user_errors
def run_command(
    inputs: Annotated[Path, typer.Option(help="Inputs folder.")] = Path("inputs"),
    n_samples: Annotated[
        int | None, typer.Option("--n-samples", help="PSA samples (default: settings.toml).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: settings.toml).")] = None,
    perspective: Annotated[
        str | None,
        typer.Option(help="health_and_social_care, limited_societal or societal."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="NAME=VALUE: fix a parameter (repeatable)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: reports/<run-id>/).")
    ] = None,
) -> None:
    """Base case, PSA and trial-period result for PEER; writes a run folder."""
    from peer_econ.load import load_inputs, parse_overrides
    from peer_econ.pipeline import run
    from peer_econ.report import write_run

    loaded = load_inputs(inputs)
    overrides = parse_overrides(set_ or [], loaded.parameters)
    with _progress("PSA and model") as done:
        result = run(
            loaded, n_samples=n_samples, seed=seed, perspective=perspective, overrides=overrides
        )
        done()
    folder = write_run(result, out, command="run", writers=_run_writers())
    _print_summary(result)
    typer.echo(f"wrote {folder}")


@app.command("analyse")
@user_errors
def analyse(
    cost: Annotated[
        Path, typer.Option("--cost", help="CSV: header of strategy names, one row per sample.")
    ],
    effect: Annotated[Path, typer.Option("--effect", help="CSV of effects, same layout.")],
    parameters: Annotated[
        Path | None,
        typer.Option("--parameters", help="CSV of parameter draws, one row per sample."),
    ] = None,
    wtp: Annotated[
        str | None,
        typer.Option(
            "--wtp", help="WTP grid: a,b,c or start:stop:step (inclusive); default 0:1e6:10000."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default: new folder in reports/).")
    ] = None,
    figures: Annotated[bool, typer.Option("--figures/--no-figures", help="Write figures.")] = True,
    population: Annotated[
        float | None,
        typer.Option("--population", help="People facing the decision per year (population EVPI)."),
    ] = None,
    horizon: Annotated[
        int, typer.Option("--horizon", help="Years the decision applies (population EVPI).")
    ] = 10,
    discount: Annotated[
        float, typer.Option("--discount", help="Annual discount rate (population EVPI).")
    ] = 0.035,
) -> None:
    """Decision analysis of your own PSA: ICERs, CEAC, CEAF, expected loss, EVPI, figures."""
    from peer_econ.analysis.cea_outputs import Population, analyse_csv

    people = None if population is None else Population(population, horizon, discount)
    result = analyse_csv(
        cost, effect, parameters=parameters, wtp=wtp, out=out, figures=figures, population=people
    )
    table = result.icers
    lines = [f"{'strategy':<24}{'cost':>14}{'effect':>12}{'ICER':>14}  status"]
    for row in table.to_dict("records"):
        icer = "-" if row["icer"] != row["icer"] else f"{row['icer']:,.0f}"
        lines.append(
            f"{str(row['strategy'])[:23]:<24}{row['cost']:>14,.2f}{row['effect']:>12.4f}"
            f"{icer:>14}  {row['status']} {row['note']}"
        )
    typer.echo("\n".join(lines))
    typer.echo(f"wrote {result.folder}")
