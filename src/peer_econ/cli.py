"""The ``peer-econ`` command line (typer lives only here): parse, call the library, print.

User errors (:class:`~peer_econ.errors.InputError`) print one line per problem on stderr and exit
with status 2; nothing is written when a command fails.
"""

from __future__ import annotations

import functools
import math
import sys
import warnings
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
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", UserWarning)
                try:
                    return func(*args, **kwargs)
                finally:
                    _echo_warnings(caught)
        except InputError as exc:
            for problem in exc.problems:
                typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(code=2) from None
        except PeerEconError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]


def _echo_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Print each distinct warning once as a ``warning: ...`` line on stderr."""
    seen: set[str] = set()
    for item in caught:
        text = str(item.message)
        if issubclass(item.category, UserWarning) and text not in seen:
            seen.add(text)
            typer.echo(f"warning: {text}", err=True)


def _version_callback(value: bool) -> None:
    if value:
        from peer_econ._version import __version__

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
    from peer_econ.outputs.report import RunWriter
    from peer_econ.runs.pipeline import RunResult


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
    """Writers that add decision analysis, sensitivity, VOI and budget impact to a run."""
    from peer_econ.runs.full import RUN_WRITERS

    return RUN_WRITERS


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
    for col in (
        "strategy",
        "cost DKK",
        "QALY",
        "inc cost",
        "inc QALY",
        "ICER DKK/QALY",
        "det ICER",
        "trial-period ICER",
    ):
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
    if math.isnan(icer):  # the comparator itself
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
    from peer_econ.inputs.load import load_inputs

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
    """PEER base case, PSA and trial period, with decision analysis, sensitivity, VOI, budget
    impact and report.html in one run folder."""
    from peer_econ.inputs.load import load_inputs, parse_overrides
    from peer_econ.outputs.report import write_run
    from peer_econ.runs.pipeline import run

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
    evppi: Annotated[
        list[str] | None,
        typer.Option(
            "--evppi",
            help="EVPPI of NAME or NAME+NAME (a group), repeatable; 'each' for every parameter. "
            "Needs --parameters.",
        ),
    ] = None,
) -> None:
    """Decision analysis of your own PSA: ICERs, CEAC, CEAF, expected loss, EVPI, figures."""
    from peer_econ.runs.analyse import Population, analyse_csv

    people = None if population is None else Population(population, horizon, discount)
    result = analyse_csv(
        cost,
        effect,
        parameters=parameters,
        wtp=wtp,
        out=out,
        figures=figures,
        population=people,
        evppi_specs=evppi or (),
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


def _parse_numbers(text: str | None, option: str) -> list[float] | None:
    """``"a,b,c"`` -> floats, with a one-line error naming the option."""
    if text is None:
        return None
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"{option} {text!r}: give numbers separated by commas") from None


@app.command("voi")
@user_errors
def voi_command(
    inputs: Annotated[Path, typer.Option(help="Inputs folder.")] = Path("inputs"),
    n_samples: Annotated[
        int | None, typer.Option("--n-samples", help="PSA samples (default: settings.toml).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: settings.toml).")] = None,
    wtp: Annotated[
        float | None,
        typer.Option("--wtp", help="WTP of the ranking [DKK/QALY] (default: settings.toml)."),
    ] = None,
    sample_sizes: Annotated[
        str | None,
        typer.Option("--sample-sizes", help="Participants per arm of the proposed trial: a,b,c."),
    ] = None,
    evsi: Annotated[bool, typer.Option("--evsi/--no-evsi", help="Compute EVSI and ENBS.")] = True,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: reports/<run-id>/).")
    ] = None,
) -> None:
    """Value of information for PEER: EVPPI by parameter and group, population VOI, EVSI/ENBS."""
    from peer_econ.inputs.load import load_inputs
    from peer_econ.runs.pipeline import run
    from peer_econ.runs.voi import DEFAULT_SAMPLE_SIZES, run_voi, write_voi_run

    sizes = _parse_numbers(sample_sizes, "--sample-sizes") or list(DEFAULT_SAMPLE_SIZES)
    if any(n < 2 or n != int(n) for n in sizes):
        raise InputError(f"--sample-sizes {sample_sizes!r}: whole numbers >= 2 per arm")
    loaded = load_inputs(inputs)
    with _progress("PSA and value of information") as done:
        result = run(loaded, n_samples=n_samples, seed=seed)
        voi = run_voi(result, wtp_point=wtp, sample_sizes=[int(n) for n in sizes], evsi=evsi)
        done()
    folder = write_voi_run(result, out, voi=voi)
    top = voi.ranking.head(10)
    typer.echo(f"EVPPI per person at {voi.wtp_point:,.0f} DKK/QALY (EVPI "
               f"{float(top['evpi'].iloc[0]):,.0f} DKK):")  # fmt: skip
    for row in top.itertuples(index=False):
        typer.echo(f"  {row.rank:>2}. {row.name:<44} {row.evppi:>10,.0f}  ({row.kind})")
    if evsi and len(voi.optimal):
        best = voi.optimal[voi.optimal["wtp"] == voi.wtp_point]
        if len(best):
            n_opt = float(best["n_optimal"].iloc[0])
            typer.echo(
                f"proposed trial: optimal size {n_opt:,.0f} per arm"
                if n_opt > 0
                else "proposed trial: no size has a positive expected net benefit of sampling"
            )
    typer.echo(f"wrote {folder}")


@app.command("budget")
@user_errors
def budget_command(
    inputs: Annotated[Path, typer.Option(help="Inputs folder.")] = Path("inputs"),
    strategy: Annotated[
        str | None, typer.Option(help="Strategy to fund (default: headline_strategy).")
    ] = None,
    courses_per_year: Annotated[
        float, typer.Option("--courses-per-year", help="Courses per municipality per year.")
    ] = 4.0,
    municipalities: Annotated[int, typer.Option(help="Municipalities running PEER.")] = 5,
    years: Annotated[int, typer.Option(help="Budget horizon [years].")] = 5,
    ramp_up: Annotated[
        str | None,
        typer.Option(
            "--ramp-up",
            help="Share of planned courses delivered in years 1, 2, ...: "
            "e.g. 0.5,0.75 (later years 1).",
        ),
    ] = None,  # fmt: skip
    n_samples: Annotated[
        int | None, typer.Option("--n-samples", help="PSA samples (default: settings.toml).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: settings.toml).")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default: reports/<run-id>/).")
    ] = None,
) -> None:
    """Budget impact of funding a PEER variant: spending per year by payer, with intervals."""
    from peer_econ.analysis.budget import BudgetPlan
    from peer_econ.inputs.load import load_inputs
    from peer_econ.runs.budget import write_budget_run
    from peer_econ.runs.pipeline import run

    loaded = load_inputs(inputs)
    strategy = strategy or loaded.settings.headline_strategy
    plan = BudgetPlan(
        strategy,
        courses_per_year,
        municipalities,
        years,
        tuple(_parse_numbers(ramp_up, "--ramp-up") or ()),
    )
    result = run(loaded, n_samples=n_samples, seed=seed)
    folder, table = write_budget_run(result, plan, out)
    typer.echo(f"budget impact of {strategy}: {plan.courses_per_year_total:g} courses a year")
    for row in table[table["payer"] == "total"].itertuples(index=False):
        typer.echo(f"  year {row.year:>3}: {row.budget_impact:>14,.0f} DKK "
                   f"(95% interval {row.lower:,.0f} to {row.upper:,.0f})")  # fmt: skip
    typer.echo(f"wrote {folder}")


sensitivity_app = typer.Typer(
    help="Sensitivity analyses of PEER: owsa, twsa, threshold, scenarios, structural, sobol, "
    "morris, delta.",
    no_args_is_help=True,
)
app.add_typer(sensitivity_app, name="sensitivity")

InputsOpt = Annotated[Path, typer.Option("--inputs", help="Inputs folder.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output folder.")]
WtpOpt = Annotated[
    float | None, typer.Option("--wtp", help="WTP [DKK/QALY] (default: settings.toml).")
]
JobsOpt = Annotated[int, typer.Option("--jobs", help="Local worker processes.")]
SchedulerOpt = Annotated[
    str | None, typer.Option("--scheduler", help="Address of a Dask distributed scheduler.")
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed (default: settings.toml).")]
ParamOpt = Annotated[
    list[str] | None, typer.Option("--parameter", help="Restrict to parameter(s) (repeatable).")
]
StrategyOpt = Annotated[
    list[str] | None,
    typer.Option("--strategy", help="PEER strategy to analyse (repeatable; 'all' for every one)."),
]
FiguresOpt = Annotated[bool, typer.Option("--figures/--no-figures", help="Write figures.")]


def _sensitivity(command: str, inputs: Path, out: Path | None, **kwargs: Any) -> None:
    from peer_econ.inputs.load import load_inputs
    from peer_econ.outputs.files import default_run_dir
    from peer_econ.runs.sensitivity import COMMANDS

    loaded = load_inputs(inputs)
    target = default_run_dir(Path("reports"), f"sensitivity-{command}") if out is None else out
    folder = COMMANDS[command](loaded, target, progress=sys.stderr.isatty(), **kwargs)
    typer.echo(f"wrote {folder}")


def _options(jobs: int, scheduler: str | None) -> Any:
    from peer_econ.analysis.parallel import ExecutionOptions

    return ExecutionOptions(jobs=jobs, scheduler=scheduler)


def _strategies(values: list[str] | None) -> Any:
    from peer_econ.runs.sensitivity import DEFAULT_GSA_STRATEGIES

    if not values:
        return DEFAULT_GSA_STRATEGIES
    return None if values == ["all"] else values


@sensitivity_app.command("owsa")
@user_errors
def owsa_command(
    inputs: InputsOpt = Path("inputs"),
    wtp: WtpOpt = None,
    interval: Annotated[
        str | None,
        typer.Option(help="Use PSA percentiles instead of low/high, e.g. 0.025,0.975."),
    ] = None,
    parameter: ParamOpt = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
) -> None:
    """One-way sensitivity analysis and tornado diagrams for every PEER strategy vs SAU."""
    bounds = _parse_numbers(interval, "--interval")
    if bounds is not None and len(bounds) != 2:
        raise InputError(f"--interval {interval!r}: give two probabilities, e.g. 0.025,0.975")
    _sensitivity(
        "owsa", inputs, out, wtp=wtp, interval=None if bounds is None else tuple(bounds),
        parameters=parameter, options=_options(jobs, scheduler), figures=figures,
    )  # fmt: skip


@sensitivity_app.command("twsa")
@user_errors
def twsa_command(
    inputs: InputsOpt = Path("inputs"),
    x: Annotated[str | None, typer.Option(help="Parameter on the x axis.")] = None,
    y: Annotated[str | None, typer.Option(help="Parameter on the y axis.")] = None,
    x_values: Annotated[str | None, typer.Option(help="x grid: a,b,c.")] = None,
    y_values: Annotated[str | None, typer.Option(help="y grid: a,b,c.")] = None,
    wtp: Annotated[
        str | None,
        typer.Option(
            "--wtp", help="WTP value(s) [DKK/QALY] for the surface and break-even curves: a,b,c."
        ),
    ] = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
) -> None:
    """Two-way grid (default: utility gain at course end x durability) with break-even curves."""
    wtps = _parse_numbers(wtp, "--wtp")
    _sensitivity(
        "twsa", inputs, out, x=x, y=y, wtp=wtps,
        x_values=_parse_numbers(x_values, "--x-values"),
        y_values=_parse_numbers(y_values, "--y-values"),
        curve_wtp=wtps,
        options=_options(jobs, scheduler), figures=figures,
    )  # fmt: skip


@sensitivity_app.command("threshold")
@user_errors
def threshold_command(
    inputs: InputsOpt = Path("inputs"),
    wtp: WtpOpt = None,
    parameter: ParamOpt = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    out: OutOpt = None,
) -> None:
    """Break-even value of each parameter (INMB = 0); WTP, cost and durability thresholds."""
    _sensitivity(
        "threshold", inputs, out, wtp=wtp, parameters=parameter,
        options=_options(jobs, scheduler),
    )  # fmt: skip


@sensitivity_app.command("scenarios")
@user_errors
def scenarios_command(
    inputs: InputsOpt = Path("inputs"),
    file: Annotated[
        Path | None, typer.Option("--file", help="Scenario file (default: inputs/scenarios.toml).")
    ] = None,
    name: Annotated[
        list[str] | None, typer.Option("--name", help="Run only these scenarios (repeatable).")
    ] = None,
    n_samples: Annotated[int | None, typer.Option("--n-samples", help="PSA samples.")] = None,
    seed: SeedOpt = None,
    wtp: WtpOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
) -> None:
    """Named scenarios, each deterministic and with PSA: table, forest plot, CEAC each."""
    _sensitivity(
        "scenarios", inputs, out, scenario_file=file, names=name, n_samples=n_samples,
        seed=seed, wtp=wtp, figures=figures,
    )  # fmt: skip


@sensitivity_app.command("structural")
@user_errors
def structural_command(
    inputs: InputsOpt = Path("inputs"),
    n_samples: Annotated[int, typer.Option("--n-samples", help="PSA samples per cell.")] = 2000,
    seed: SeedOpt = None,
    wtp: WtpOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
) -> None:
    """Structural scenario matrix: source outcome x durability x horizon, a PSA per cell."""
    _sensitivity(
        "structural", inputs, out, n_samples=n_samples, seed=seed, wtp=wtp, figures=figures
    )


@sensitivity_app.command("sobol")
@user_errors
def sobol_command(
    inputs: InputsOpt = Path("inputs"),
    n_base: Annotated[int, typer.Option("--n-base", help="Base samples N (a power of 2).")] = 2**14,
    wtp: WtpOpt = None,
    strategy: StrategyOpt = None,
    second_order: Annotated[bool, typer.Option("--second-order", help="Also S2.")] = False,
    convergence: Annotated[
        bool, typer.Option("--convergence", help="Also run 2N and report the change.")
    ] = False,
    seed: SeedOpt = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
) -> None:
    """Sobol indices (first, total, optional second order) of INMB and incremental QALYs."""
    _sensitivity(
        "sobol", inputs, out, n_base=n_base, wtp=wtp, strategies=_strategies(strategy),
        second_order=second_order, convergence=convergence, seed=seed,
        options=_options(jobs, scheduler), figures=figures,
    )  # fmt: skip


@sensitivity_app.command("morris")
@user_errors
def morris_command(
    inputs: InputsOpt = Path("inputs"),
    trajectories: Annotated[int, typer.Option("--trajectories", help="Morris trajectories.")] = 200,
    levels: Annotated[int, typer.Option("--levels", help="Grid levels.")] = 4,
    wtp: WtpOpt = None,
    strategy: StrategyOpt = None,
    seed: SeedOpt = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
) -> None:
    """Morris elementary effects (mu*, sigma) of INMB and incremental QALYs."""
    _sensitivity(
        "morris", inputs, out, n_trajectories=trajectories, num_levels=levels, wtp=wtp,
        strategies=_strategies(strategy), seed=seed, options=_options(jobs, scheduler),
        figures=figures,
    )  # fmt: skip


@sensitivity_app.command("delta")
@user_errors
def delta_command(
    inputs: InputsOpt = Path("inputs"),
    n_samples: Annotated[int, typer.Option("--n-samples", help="Samples.")] = 1024,
    wtp: WtpOpt = None,
    strategy: StrategyOpt = None,
    seed: SeedOpt = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
) -> None:
    """Moment-independent delta measure (Borgonovo) of INMB and incremental QALYs."""
    _sensitivity(
        "delta", inputs, out, n_samples=n_samples, wtp=wtp, strategies=_strategies(strategy),
        seed=seed, options=_options(jobs, scheduler), figures=figures,
    )  # fmt: skip


@app.command("app")
@user_errors
def app_command(
    inputs: Annotated[Path, typer.Option(help="Inputs folder.")] = Path("inputs"),
    host: Annotated[str, typer.Option(help="Address to listen on (local only by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 8765,
) -> None:
    """Local web app for commissioners: sliders in, costs, ICERs and budget out."""
    from peer_econ.app.server import make_server
    from peer_econ.inputs.load import load_inputs

    loaded = load_inputs(inputs)
    try:
        server = make_server(loaded, host, port)
    except OSError as exc:
        raise InputError(f"--host {host} --port {port}: cannot listen there ({exc})") from None
    bound_host, bound_port = server.server_address[:2]
    address = f"http://{bound_host!s}:{bound_port}/"
    typer.echo(f"PEER app at {address} (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        server.server_close()
