"""The ``peer-econ`` command line (typer lives only here): parse, call the library, print.

Every failure ends in one ``error: ...`` line per problem on stderr and a non-zero exit status,
never a traceback: user errors (:class:`~peer_econ.errors.InputError` and malformed options)
exit with status 2; SIGINT, SIGTERM and SIGHUP exit with 128 + the signal number after the
temporary output folder is removed; nothing is written when a command fails.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

try:  # typer >= 0.26 ships its own copy of click
    from typer._click import exceptions as _parse_errors
except ImportError:  # pragma: no cover - older typer runs on click itself
    from click import exceptions as _parse_errors  # type: ignore[no-redef]

from peer_econ.errors import InputError, PeerEconError

#: Signals that stop a command cleanly (temporary output removed, one-line message).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """Raised in the main thread when SIGTERM or SIGHUP arrives (SIGINT raises
    ``KeyboardInterrupt``); a ``BaseException`` so that no ``except Exception`` swallows it and
    every ``finally`` and output clean-up runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _single_threaded_blas() -> None:
    """One BLAS thread per process unless the user chose otherwise (before numpy is imported).

    The value-of-information regressions are tall, thin QR factorisations that multi-threaded
    OpenBLAS makes several times slower on a busy machine (13 s instead of 4 s at 20,000
    samples on 2 shared cores); parallel work uses processes (``--jobs``, Dask) instead.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


class OneLineErrors(TyperGroup):
    """Typer's command group with malformed options reported in one line (exit status 2).

    Click's usage errors (an unknown option, a missing value, a value of the wrong type) print
    a usage block and a framed message by default; here they print ``error: <command>: <what>
    (see --help)`` like every other error of peer_econ.
    """

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        _single_threaded_blas()
        try:
            code = super().main(
                args=args, prog_name=prog_name, complete_var=complete_var,
                standalone_mode=False, **extra,
            )  # fmt: skip
        except _parse_errors.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
                typer.echo(ctx.get_help())
                code = 0
            else:
                where = f"{ctx.command_path}: " if ctx is not None else ""
                hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
                message = _one_line(exc.format_message())
                typer.echo(f"error: {where}{message}{hint}", err=True)
                code = exc.exit_code
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="peer-econ",
    cls=OneLineErrors,
    help="Cost-utility model of PEER and decision analysis for any PSA.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Options several commands share: one definition, one help text.
InputsOption = Annotated[Path, typer.Option(help="Inputs folder.")]
SeedOption = Annotated[int | None, typer.Option(help="Seed (default: settings.toml).")]
OutOption = Annotated[Path | None, typer.Option(help="Output folder (default: reports/<run-id>/).")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="NAME=VALUE: fix a parameter (repeatable)."),
]

F = TypeVar("F", bound=Callable[..., Any])


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP raise :class:`Interrupted` (main thread only).

    A signal the process was started with ignored (``nohup`` ignores SIGHUP) stays ignored.
    """
    previous: dict[int, Any] = {}
    try:
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, _raise_interrupted)
    except ValueError:  # not the main thread (e.g. a test runner's worker thread)
        pass
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def user_errors(func: F) -> F:
    """The one error boundary of a command: one stderr line per problem, no traceback.

    :class:`InputError` and other :class:`PeerEconError` exit with status 2; an interruption by
    SIGINT, SIGTERM or SIGHUP with 128 + the signal number; a failing disk or missing memory
    with status 1.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        say = _framing(kwargs)

        def error(message: str) -> None:
            typer.echo(say("cli.error", message=message), err=True)

        try:
            with warnings.catch_warnings(record=True) as caught, _stop_signals_raise():
                warnings.simplefilter("always", UserWarning)
                try:
                    return func(*args, **kwargs)
                finally:
                    _echo_warnings(caught, say)
        except InputError as exc:
            for problem in exc.problems:
                error(_one_line(problem))
            raise typer.Exit(code=2) from None
        except PeerEconError as exc:
            error(_one_line(str(exc)))
            raise typer.Exit(code=2) from None
        except (KeyboardInterrupt, Interrupted) as exc:
            signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT.value
            error(say("cli.interrupted", signal=signal.Signals(signum).name))
            raise typer.Exit(code=128 + signum) from None
        except MemoryError:
            error(say("cli.out_of_memory"))
            raise typer.Exit(code=1) from None
        except OSError as exc:
            target = f" ({exc.filename})" if exc.filename else ""
            error(f"{exc.strerror or exc}{target}")
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def _framing(options: Mapping[str, Any]) -> Callable[..., str]:
    """The catalogue text function of the language a command frames its output in: its
    ``--lang``, else the ``[output] language`` of its inputs folder's settings, else English
    (an unreadable setting or unknown code falls back to English here; the command itself
    reports it)."""
    from peer_econ.inputs.output_settings import DEFAULT_LANGUAGE, default_language
    from peer_econ.outputs.language import LANGUAGES, Language

    code = options.get("lang")
    if code is None:
        try:
            code = default_language(options.get("inputs") or Path("inputs"))
        except (PeerEconError, OSError):
            code = DEFAULT_LANGUAGE
    return Language(code if code in LANGUAGES else DEFAULT_LANGUAGE).t


def _language(lang: str | None, inputs: Path) -> str:
    """``--lang`` when given, else the ``[output] language`` of ``inputs/settings.toml``."""
    from peer_econ.inputs.output_settings import default_language
    from peer_econ.outputs.language import check_language

    return check_language(lang if lang is not None else default_language(inputs))


def _wrote(path: object, lang: str = "en") -> None:
    """The ``wrote PATH`` line of a command in its language."""
    from peer_econ.outputs.language import Language

    typer.echo(Language(lang).t("cli.wrote", path=path))


def _echo_warnings(caught: list[warnings.WarningMessage], say: Callable[..., str]) -> None:
    """Print each distinct warning once as a ``warning: ...`` line on stderr."""
    seen: set[str] = set()
    for item in caught:
        text = str(item.message)
        if issubclass(item.category, UserWarning) and text not in seen:
            seen.add(text)
            typer.echo(say("cli.warning", message=text), err=True)


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
def _stages(total: int) -> Iterator[Callable[[str], None]]:
    """A ``rich`` progress bar on stderr, advanced stage by stage (interactive terminals only).

    Yields a function called with the label of each stage as it starts.
    """
    if not sys.stderr.isatty():
        yield lambda label: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=Console(stderr=True), transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("starting", total=total)
        started = [False]

        def stage(label: str) -> None:
            if started[0]:
                progress.advance(task)
            started[0] = True
            progress.update(task, description=label)

        yield stage


def _run_writers() -> tuple[RunWriter, ...]:
    """Writers that add decision analysis, sensitivity, VOI and budget impact to a run."""
    from peer_econ.runs.full import RUN_WRITERS

    return RUN_WRITERS


def _target(out: Path | None, force: bool, protect: Sequence[Path | str]) -> Path | None:
    """Check ``--out`` before any work starts (it is checked again when the folder is written)."""
    if out is None:
        return None
    from peer_econ.outputs.files import check_output_target

    check_output_target(out, force=force, protect=protect)
    return out


def _load(inputs: Path) -> Any:
    """The inputs folder, checked as a run checks it (``inputs.validate.validate_folder``)."""
    from peer_econ.inputs.validate import validate_folder

    return validate_folder(inputs)


def _samples(n_samples: int | None, option: str = "--n-samples", low: int = 1) -> int | None:
    from peer_econ.inputs.options import MAX_SAMPLES, check_int

    return check_int(n_samples, option, low, MAX_SAMPLES)


def _seed(seed: int | None) -> int | None:
    from peer_econ.inputs.options import MAX_SEED, check_int

    return check_int(seed, "--seed", 0, MAX_SEED)


def _wtp_point(wtp: float | None) -> float | None:
    from peer_econ.inputs.options import check_wtp

    return check_wtp(wtp)


def _print_summary(result: RunResult) -> None:
    from rich.console import Console
    from rich.table import Table

    from peer_econ.analysis.quadrants import icer_label

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
    ref = summary[summary["strategy"] == result.comparator].iloc[0]
    for (_, row), (_, trow) in zip(summary.iterrows(), trial.iterrows(), strict=True):
        is_ref = row["strategy"] == result.comparator
        table.add_row(
            str(row["strategy"]),
            f"{row['cost']:,.0f}",
            f"{row['qaly']:.4f}",
            f"{row['inc_cost']:,.0f}",
            f"{row['inc_qaly']:.4f}",
            "-" if is_ref else icer_label(row["inc_cost"], row["inc_qaly"]),
            "-"
            if is_ref
            else icer_label(row["det_cost"] - ref["det_cost"], row["det_qaly"] - ref["det_qaly"]),
            "-" if is_ref else icer_label(trow["inc_cost"], trow["inc_qaly"]),
        )
    Console(width=140).print(table)
    typer.echo(
        "cost: expected cost per randomised participant (PSA mean) at "
        f"{result.inputs.settings.municipalities} municipalities x "
        f"{result.inputs.settings.courses_per_municipality_per_year:g} courses a year"
    )


ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace the --out folder if it holds a previous output.")
]


# --- commands -------------------------------------------------------------------------------
# Each command is a few lines: check options, call one library function, print a summary. The
# epilog of each shows an example (`--help`).


@app.command("validate-inputs", epilog="Example: peer-econ validate-inputs --inputs my-inputs")
@user_errors
def validate_inputs(
    inputs: InputsOption = Path("inputs"),
) -> None:
    """Check an inputs folder as a run would and report every problem at once (codes without
    a label in labels.csv are warnings)."""
    from peer_econ.inputs.display import warn_missing_labels
    from peer_econ.outputs.language import Language

    loaded = _load(inputs)
    warn_missing_labels(loaded)
    say = Language(_language(None, inputs)).t
    typer.echo(
        say(
            "cli.inputs_ok", folder=inputs, parameters=len(loaded.parameters),
            strategies=len(loaded.strategies), cost_items=len(loaded.cost_items),
        )
    )  # fmt: skip


@app.command(
    "run",
    epilog="Example: peer-econ run --n-samples 2000 --perspective societal "
    "--set participants_per_group=10 --out reports/societal",
)
@user_errors
def run_command(
    inputs: InputsOption = Path("inputs"),
    n_samples: Annotated[
        int | None,
        typer.Option("--n-samples", help="PSA samples, 1 to 10,000,000 (default: settings.toml)."),
    ] = None,
    seed: SeedOption = None,
    perspective: Annotated[
        str | None,
        typer.Option(help="health_and_social_care, limited_societal or societal."),
    ] = None,
    set_: SetOption = None,
    samples_format: Annotated[
        str,
        typer.Option(
            "--samples-format",
            help="Per-sample table: parquet (psa_samples.parquet) or csv (psa_samples.csv.gz).",
        ),
    ] = "parquet",
    out: OutOption = None,
    force: ForceOpt = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="Language of report.html and figures: en or da (default: settings.toml)."
        ),
    ] = None,
) -> None:
    """PEER base case, PSA and trial period, with decision analysis, sensitivity, VOI, budget
    impact and report.html in one run folder."""
    from peer_econ.inputs.load import parse_overrides
    from peer_econ.outputs.report import SAMPLE_FORMATS, write_run
    from peer_econ.runs.pipeline import describe_changes, run

    started = time.perf_counter()
    if samples_format not in SAMPLE_FORMATS:
        raise InputError(
            f"--samples-format {samples_format!r}: choose one of {list(SAMPLE_FORMATS)}"
        )
    language = _language(lang, inputs)
    n, s = _samples(n_samples), _seed(seed)
    _target(out, force, [inputs])
    loaded = _load(inputs)
    overrides = parse_overrides(set_ or [], loaded.parameters)
    writers = _run_writers()
    with _stages(len(writers) + 4) as stage:
        stage("PSA and model")
        result = run(loaded, n_samples=n, seed=s, perspective=perspective, overrides=overrides)
        folder = write_run(
            result, out, command="run", writers=writers, force=force,
            samples_format=samples_format, on_stage=stage, started=started, lang=language,
            what_if=describe_changes(loaded, result, source="cli"),
        )  # fmt: skip
    _print_summary(result)
    _wrote(folder, language)


@app.command("report", epilog="Example: peer-econ report reports/my-run --lang da --pdf")
@user_errors
def report_command(
    run_dir: Annotated[Path, typer.Argument(help="Run folder written by 'peer-econ run'.")],
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="en or da (default: the language of the run)."),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print the report to PDF (headless Chromium).")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="HTML file to write (default: report.html in the run folder)."),
    ] = None,
) -> None:
    """Rebuild report.html of a run folder from its tables, without recomputing (and a PDF)."""
    from peer_econ.outputs.language import Language, check_language
    from peer_econ.outputs.report import write_report
    from peer_econ.outputs.report.pdf import PdfUnavailable, print_pdf

    page = write_report(run_dir, None if lang is None else check_language(lang), out)
    say = Language(check_language(lang) if lang is not None else "en").t
    typer.echo(say("cli.wrote", path=page))
    if pdf:
        try:
            typer.echo(say("cli.wrote", path=print_pdf(page)))
        except PdfUnavailable as exc:
            typer.echo(say("cli.no_pdf", reason=exc), err=True)


@app.command(
    "analyse",
    epilog="Example: peer-econ analyse --cost cost.csv --effect qaly.csv --parameters draws.csv "
    "--wtp 0:500000:5000 --evppi each --out reports/my-psa",
)
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
            "--wtp",
            help="WTP grid: a,b,c or start:stop:step (inclusive, at most 10,001 points); "
            "default 0:1e6:10000.",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default: new folder in reports/).")
    ] = None,
    force: ForceOpt = False,
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
    from peer_econ.errors import MAX_ABS_VALUE
    from peer_econ.inputs.options import YEARS_RANGE, check_discount, check_float, check_int
    from peer_econ.runs.analyse import Population, analyse_csv

    check_float(population, "--population", 0.0, MAX_ABS_VALUE, open_low=True, unit="persons")
    check_int(horizon, "--horizon", *YEARS_RANGE)
    check_discount(discount)
    _target(out, force, [p for p in (cost, effect, parameters) if p is not None])
    people = None if population is None else Population(population, horizon, discount)
    result = analyse_csv(
        cost,
        effect,
        parameters=parameters,
        wtp=wtp,
        out=out,
        force=force,
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


def _parse_numbers(text: str | None, option: str, **bounds: Any) -> list[float] | None:
    """``"a,b,c"`` -> floats within bounds, with a one-line error naming the option."""
    from peer_econ.inputs.options import parse_numbers

    return parse_numbers(text, option, **bounds)


@app.command("voi", epilog="Example: peer-econ voi --sample-sizes 50,100,200,400 --out reports/voi")
@user_errors
def voi_command(
    inputs: InputsOption = Path("inputs"),
    n_samples: Annotated[
        int | None,
        typer.Option("--n-samples", help="PSA samples, 200 to 10,000,000 (default: settings)."),
    ] = None,
    seed: SeedOption = None,
    wtp: Annotated[
        float | None,
        typer.Option("--wtp", help="WTP of the ranking [DKK/QALY] (default: settings.toml)."),
    ] = None,
    sample_sizes: Annotated[
        str | None,
        typer.Option(
            "--sample-sizes", help="Participants per arm of the proposed trial: a,b,c (2-100,000)."
        ),
    ] = None,
    evsi: Annotated[bool, typer.Option("--evsi/--no-evsi", help="Compute EVSI and ENBS.")] = True,
    out: OutOption = None,
    force: ForceOpt = False,
) -> None:
    """Value of information for PEER: EVPPI by parameter and group, population VOI, EVSI/ENBS."""
    from peer_econ.inputs.options import check_sample_sizes
    from peer_econ.runs.pipeline import run
    from peer_econ.runs.voi import DEFAULT_SAMPLE_SIZES, MIN_VOI_SAMPLES, run_voi, write_voi_run

    sizes = check_sample_sizes(sample_sizes) or list(DEFAULT_SAMPLE_SIZES)
    n, s, point = _samples(n_samples, low=MIN_VOI_SAMPLES), _seed(seed), _wtp_point(wtp)
    _target(out, force, [inputs])
    loaded = _load(inputs)
    with _stages(3) as stage:
        stage("PSA and model")
        result = run(loaded, n_samples=n, seed=s)
        stage("value of information (EVPPI regressions, EVSI)")
        voi = run_voi(result, wtp_point=point, sample_sizes=sizes, evsi=evsi)
        stage("writing tables and figures")
        folder = write_voi_run(result, out, voi=voi, force=force)
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


@app.command(
    "budget",
    epilog="Example: peer-econ budget --strategy all --courses-per-year 6 "
    "--municipalities 3 --years 5 --ramp-up 0.5",
)
@user_errors
def budget_command(
    inputs: InputsOption = Path("inputs"),
    strategy: Annotated[
        str, typer.Option(help="Delivery form to fund, or 'all' to compare every form.")
    ] = "all",
    municipalities: Annotated[
        int | None, typer.Option(help="Municipalities running PEER (default: settings.toml).")
    ] = None,
    municipalities_file: Annotated[
        Path | None,
        typer.Option(
            "--municipalities-file",
            help="CSV with a 'municipality' column and optional 'courses_per_year'.",
        ),
    ] = None,
    courses_per_year: Annotated[
        float | None,
        typer.Option(
            "--courses-per-year", help="Courses per municipality per year (default: settings.toml)."
        ),
    ] = None,
    participants: Annotated[
        float | None,
        typer.Option(help="Participants enrolled per year (instead of --courses-per-year)."),
    ] = None,
    years: Annotated[int, typer.Option(help="Budget horizon, 1 to 10 years.")] = 5,
    ramp_up: Annotated[
        str | None,
        typer.Option(
            "--ramp-up",
            help="Share of planned courses delivered in years 1, 2, ...: "
            "e.g. 0.5,0.75 (later years 1).",
        ),
    ] = None,  # fmt: skip
    perspective: Annotated[
        str | None,
        typer.Option(help="Perspective of the cost-utility columns (ICER, chance)."),
    ] = None,
    set_: SetOption = None,
    n_samples: Annotated[
        int | None, typer.Option("--n-samples", help="PSA samples (default: settings.toml).")
    ] = None,
    seed: SeedOption = None,
    out: OutOption = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of tables, figures and workbook: en or da (default: settings.toml).",
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Funding comparison, capacity, budget by year and payer, business case and an Excel
    workbook for the meeting.

    Example: peer-econ budget --strategy all --municipalities 3 --courses-per-year 6 --years 5
    --ramp-up 0.5
    """
    from peer_econ.inputs.load import parse_overrides
    from peer_econ.inputs.options import (
        BUDGET_YEARS_RANGE,
        COURSES_PER_YEAR_MAX,
        MUNICIPALITIES_RANGE,
        check_float,
        check_int,
    )
    from peer_econ.outputs.language import Language
    from peer_econ.runs.budget import compute_kit, write_budget_run
    from peer_econ.runs.pipeline import run

    language = Language(_language(lang, inputs))
    check_int(years, "--years", *BUDGET_YEARS_RANGE)
    check_int(municipalities, "--municipalities", *MUNICIPALITIES_RANGE)
    check_float(courses_per_year, "--courses-per-year", 0.0, COURSES_PER_YEAR_MAX, open_low=True)
    n, s = _samples(n_samples), _seed(seed)
    _target(out, force, [inputs])
    loaded = _load(inputs)
    overrides = parse_overrides(set_ or [], loaded.parameters)
    scale = _delivery_scale(
        loaded, municipalities, municipalities_file, courses_per_year, participants, years,
        ramp_up, overrides,
    )  # fmt: skip
    names = [s.name for s in loaded.strategies if s.programme]
    if strategy != "all" and strategy not in names:
        raise InputError(
            f"--strategy {strategy!r}: not a delivery form of {inputs / 'strategies.csv'}; "
            f"choose 'all' or one of {names}"
        )
    with _stages(2) as stage:
        stage("PSA and model")
        result = run(loaded, n_samples=n, seed=s, perspective=perspective, overrides=overrides)
        stage("budget")
        kit = compute_kit(result, scale, None if strategy == "all" else [strategy])
    folder = write_budget_run(result, kit, out, lang=language, force=force)
    _print_kit(kit, language, {s.name: s.label for s in loaded.strategies})
    _wrote(folder, language.code)


def _delivery_scale(
    loaded: Any,
    municipalities: int | None,
    municipalities_file: Path | None,
    courses_per_year: float | None,
    participants: float | None,
    years: int,
    ramp_up: str | None,
    overrides: dict[str, float],
) -> Any:
    """The delivery scale from the budget options (one-line errors for bad combinations)."""
    from peer_econ.model.capacity import DeliveryPlan
    from peer_econ.runs.budget import read_municipalities_file

    if municipalities is not None and municipalities_file is not None:
        raise InputError("give --municipalities or --municipalities-file, not both")
    if participants is not None and courses_per_year is not None:
        raise InputError("give --participants or --courses-per-year, not both")
    group = overrides.get(
        "participants_per_group", loaded.parameters["participants_per_group"].value
    )
    if group < 2:
        raise InputError(
            f"participants_per_group = {group:g}; a group needs at least 2 participants"
        )
    settings = loaded.settings
    courses = (
        settings.courses_per_municipality_per_year if courses_per_year is None else courses_per_year
    )
    count = settings.municipalities if municipalities is None else municipalities
    if municipalities_file is not None:
        count, courses = read_municipalities_file(municipalities_file, courses)
    shares = tuple(_parse_numbers(ramp_up, "--ramp-up", low=0.0, high=1.0, max_count=years) or ())
    if participants is not None:
        return DeliveryPlan.from_participants(
            participants, count, group, years=years, ramp_up=shares
        )
    return DeliveryPlan(count, courses, years=years, ramp_up=shares)


def _print_kit(kit: Any, lang: Any, labels: dict[str, str]) -> None:
    """The funding comparison and the yearly budget of each form as rich tables in ``lang``."""
    from rich.console import Console
    from rich.table import Table

    from peer_econ.runs.budget import column_header, localise

    console = Console()
    scale = kit.budget.scale
    comparison = localise(kit.comparison, lang, labels)
    prob_cols = [c for c in comparison.columns if c.startswith("prob_ce_")]
    columns = ["strategy", "cost_per_participant", "budget_year1", "budget_steady_year",
               "coordinator_fte", "paid_peer_fte", "inc_qaly", "icer", "status", *prob_cols,
               "rests_on"]  # fmt: skip
    formats = {
        "cost_per_participant": lang.number, "budget_year1": lang.number,
        "budget_steady_year": lang.number, "icer": lang.number, "inc_qaly": lang.qaly,
        "coordinator_fte": functools.partial(lang.number, decimals=2),
        "paid_peer_fte": functools.partial(lang.number, decimals=2),
        **{c: lang.percent for c in prob_cols},
    }  # fmt: skip
    table = Table(
        title=lang.t("comparison.title")
        + ": "
        + lang.t(
            "comparison.scale",
            municipalities=scale.municipalities,
            courses=lang.significant(scale.courses_per_municipality_per_year),
        )
    )
    for column in columns:
        table.add_column(
            column_header(lang, column), justify="right" if column in formats else "left"
        )
    for row in comparison.to_dict("records"):
        table.add_row(*[formats.get(c, str)(row[c]) for c in columns])
    console.print(table)
    by_payer = localise(kit.tables["by_payer"], lang, labels)
    yearly = Table(title=lang.t("budget.title"))
    payers = [p for p in dict.fromkeys(by_payer["payer"]) if p != lang.t("payer.total")]
    yearly.add_column(column_header(lang, "strategy"), justify="left")
    for header in (column_header(lang, "year"), *payers, column_header(lang, "total"), "95 %"):
        yearly.add_column(header, justify="right")
    for (name, year), rows in by_payer.groupby(["strategy", "year"], sort=False):
        by = rows.set_index("payer")
        total = by.loc[lang.t("payer.total")]
        shown_year = lang.t("budget.all_years") if year == "all" else str(year)
        yearly.add_row(
            str(name),
            shown_year,
            *[lang.number(by.loc[p, "total"]) if p in by.index else "0" for p in payers],
            lang.number(total["total"]),
            f"{lang.number(total['total_lower'])} – {lang.number(total['total_upper'])}",
        )
    console.print(yearly)
    for name, plan in kit.budget.budgets.items():
        lines = []
        for authority, year in plan.payback().items():
            spent = plan.business_case()
            rows = spent[spent["authority"] == authority]
            if not (rows["investment"].abs().sum() or rows["savings"].abs().sum()):
                continue  # neither spends nor saves
            who = lang.t(f"authority.{authority}")
            lines.append(
                lang.t("business.payback", authority=who, year=year)
                if year is not None
                else lang.t("business.no_payback", authority=who, years=scale.years)
            )
        console.print(f"{labels.get(name, name)}: " + " ".join(lines))
    if not any(line.kind == "saving" for b in kit.budget.budgets.values() for line in b.lines):
        console.print(lang.t("business.no_savings"))


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
JobsOpt = Annotated[int, typer.Option("--jobs", help="Local worker processes (1-256).")]
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


def _sensitivity(command: str, inputs: Path, out: Path | None, force: bool, **kwargs: Any) -> None:
    from peer_econ.outputs.files import default_run_dir
    from peer_econ.runs.sensitivity import COMMANDS, summary_lines

    protect: list[Path] = [inputs]
    if kwargs.get("scenario_file") is not None:
        protect.append(kwargs["scenario_file"])
    _target(out, force, protect)
    loaded = _load(inputs)
    target = default_run_dir(Path("reports"), f"sensitivity-{command}") if out is None else out
    folder = COMMANDS[command](loaded, target, progress=sys.stderr.isatty(), force=force, **kwargs)
    for line in summary_lines(command, Path(folder), loaded):
        typer.echo(line)
    typer.echo(f"wrote {folder}")


def _options(jobs: int, scheduler: str | None) -> Any:
    from peer_econ.analysis.parallel import ExecutionOptions
    from peer_econ.inputs.options import MAX_JOBS, check_int

    check_int(jobs, "--jobs", 1, MAX_JOBS)
    return ExecutionOptions(jobs=jobs, scheduler=scheduler)


def _strategies(values: list[str] | None) -> Any:
    from peer_econ.runs.sensitivity import DEFAULT_GSA_STRATEGIES

    if not values:
        return DEFAULT_GSA_STRATEGIES
    return None if values == ["all"] else values


@sensitivity_app.command(
    "owsa", epilog="Example: peer-econ sensitivity owsa --wtp 200000 --out reports/owsa"
)
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
    force: ForceOpt = False,
) -> None:
    """One-way sensitivity analysis and tornado diagrams for every PEER strategy vs SAU."""
    from peer_econ.inputs.options import check_probability_pair

    bounds = _parse_numbers(interval, "--interval", low=0.0, high=1.0)
    pair = None if bounds is None else check_probability_pair(bounds, "--interval")
    _sensitivity(
        "owsa", inputs, out, force, wtp=_wtp_point(wtp), interval=pair,
        parameters=parameter, options=_options(jobs, scheduler), figures=figures,
    )  # fmt: skip


@sensitivity_app.command(
    "twsa",
    epilog="Example: peer-econ sensitivity twsa --x participants_per_group --y decay_months "
    "--x-values 6,8,10,12 --y-values 3,6,12,24 --out reports/twsa",
)
@user_errors
def twsa_command(
    inputs: InputsOpt = Path("inputs"),
    x: Annotated[str | None, typer.Option(help="Parameter on the x axis.")] = None,
    y: Annotated[str | None, typer.Option(help="Parameter on the y axis.")] = None,
    x_values: Annotated[str | None, typer.Option(help="x grid: a,b,c (at most 201).")] = None,
    y_values: Annotated[str | None, typer.Option(help="y grid: a,b,c (at most 201).")] = None,
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
    force: ForceOpt = False,
) -> None:
    """Two-way grid (default: utility gain at course end x durability) with break-even curves."""
    from peer_econ.errors import MAX_ABS_VALUE

    wtps = _parse_numbers(wtp, "--wtp", low=0.0, high=MAX_ABS_VALUE, max_count=20)
    _sensitivity(
        "twsa", inputs, out, force, x=x, y=y, wtp=wtps,
        x_values=_parse_numbers(x_values, "--x-values"),
        y_values=_parse_numbers(y_values, "--y-values"),
        curve_wtp=wtps,
        options=_options(jobs, scheduler), figures=figures,
    )  # fmt: skip


@sensitivity_app.command(
    "threshold", epilog="Example: peer-econ sensitivity threshold --parameter decay_months"
)
@user_errors
def threshold_command(
    inputs: InputsOpt = Path("inputs"),
    wtp: WtpOpt = None,
    parameter: ParamOpt = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """Break-even value of each parameter (INMB = 0); WTP, cost and durability thresholds."""
    _sensitivity(
        "threshold", inputs, out, force, wtp=_wtp_point(wtp), parameters=parameter,
        options=_options(jobs, scheduler),
    )  # fmt: skip


@sensitivity_app.command(
    "scenarios",
    epilog="Example: peer-econ sensitivity scenarios --name societal --name horizon_60 "
    "--n-samples 2000",
)
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
    force: ForceOpt = False,
) -> None:
    """Named scenarios, each deterministic and with PSA: table, forest plot, CEAC each."""
    _sensitivity(
        "scenarios", inputs, out, force, scenario_file=file, names=name,
        n_samples=_samples(n_samples), seed=_seed(seed), wtp=_wtp_point(wtp), figures=figures,
    )  # fmt: skip


@sensitivity_app.command(
    "structural", epilog="Example: peer-econ sensitivity structural --n-samples 1000"
)
@user_errors
def structural_command(
    inputs: InputsOpt = Path("inputs"),
    n_samples: Annotated[int, typer.Option("--n-samples", help="PSA samples per cell.")] = 2000,
    seed: SeedOpt = None,
    wtp: WtpOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """Structural scenario matrix: source outcome x durability x horizon, a PSA per cell."""
    _sensitivity(
        "structural", inputs, out, force, n_samples=_samples(n_samples), seed=_seed(seed),
        wtp=_wtp_point(wtp), figures=figures,
    )  # fmt: skip


@sensitivity_app.command(
    "sobol",
    epilog="Example: peer-econ sensitivity sobol --n-base 16384 --jobs 2 "
    "(or --scheduler tcp://host:8786 for a Dask cluster)",
)
@user_errors
def sobol_command(
    inputs: InputsOpt = Path("inputs"),
    n_base: Annotated[
        int, typer.Option("--n-base", help="Base samples N (a power of 2, 256 to 65,536).")
    ] = 2**14,
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
    force: ForceOpt = False,
) -> None:
    """Sobol indices (first, total, optional second order) of INMB and incremental QALYs."""
    from peer_econ.inputs.options import check_sobol_base

    _sensitivity(
        "sobol", inputs, out, force, n_base=check_sobol_base(n_base), wtp=_wtp_point(wtp),
        strategies=_strategies(strategy), second_order=second_order, convergence=convergence,
        seed=_seed(seed), options=_options(jobs, scheduler), figures=figures,
    )  # fmt: skip


@sensitivity_app.command(
    "morris", epilog="Example: peer-econ sensitivity morris --trajectories 100 --levels 4"
)
@user_errors
def morris_command(
    inputs: InputsOpt = Path("inputs"),
    trajectories: Annotated[
        int, typer.Option("--trajectories", help="Morris trajectories (2-10,000).")
    ] = 200,
    levels: Annotated[int, typer.Option("--levels", help="Grid levels (2-100).")] = 4,
    wtp: WtpOpt = None,
    strategy: StrategyOpt = None,
    seed: SeedOpt = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """Morris elementary effects (mu*, sigma) of INMB and incremental QALYs."""
    from peer_econ.inputs.options import (
        MORRIS_LEVELS_RANGE,
        MORRIS_TRAJECTORIES_RANGE,
        check_int,
    )

    check_int(trajectories, "--trajectories", *MORRIS_TRAJECTORIES_RANGE)
    check_int(levels, "--levels", *MORRIS_LEVELS_RANGE)
    _sensitivity(
        "morris", inputs, out, force, n_trajectories=trajectories, num_levels=levels,
        wtp=_wtp_point(wtp), strategies=_strategies(strategy), seed=_seed(seed),
        options=_options(jobs, scheduler), figures=figures,
    )  # fmt: skip


@sensitivity_app.command("delta", epilog="Example: peer-econ sensitivity delta --n-samples 2048")
@user_errors
def delta_command(
    inputs: InputsOpt = Path("inputs"),
    n_samples: Annotated[int, typer.Option("--n-samples", help="Samples (200-1,000,000).")] = 1024,
    wtp: WtpOpt = None,
    strategy: StrategyOpt = None,
    seed: SeedOpt = None,
    jobs: JobsOpt = 1,
    scheduler: SchedulerOpt = None,
    figures: FiguresOpt = True,
    out: OutOpt = None,
    force: ForceOpt = False,
) -> None:
    """Moment-independent delta measure (Borgonovo) of INMB and incremental QALYs."""
    from peer_econ.inputs.options import DELTA_SAMPLES_RANGE, check_int

    check_int(n_samples, "--n-samples", *DELTA_SAMPLES_RANGE)
    _sensitivity(
        "delta", inputs, out, force, n_samples=n_samples, wtp=_wtp_point(wtp),
        strategies=_strategies(strategy), seed=_seed(seed), options=_options(jobs, scheduler),
        figures=figures,
    )  # fmt: skip


@app.command("app", epilog="Example: peer-econ app --port 8765 (then open http://127.0.0.1:8765/)")
@user_errors
def app_command(
    inputs: InputsOption = Path("inputs"),
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this computer only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port, 1 to 65535.")] = 8765,
    n_samples: Annotated[
        int, typer.Option("--n-samples", help="PSA samples per scenario (1 to 20,000).")
    ] = 5_000,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", help="Language the page opens in: en or da (default: settings.toml)."
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Folder that receives run folders exported from the app.")
    ] = Path("reports"),
) -> None:
    """Local web app for commissioners (Streamlit): the decision, curves, budget and business
    case of any what-if, with the workbook and a run folder to take away."""
    from peer_econ.app.config import AppConfig, check_samples
    from peer_econ.app.launch import launch

    config = AppConfig(
        inputs=str(inputs),
        n_samples=check_samples(n_samples),
        language=_language(lang, inputs),
        out=str(out),
    )
    status = launch(
        config,
        host,
        port,
        echo=typer.echo,
        warn=lambda text: typer.echo(f"warning: {text}", err=True),
    )
    if status not in (0, -2):  # -2: stopped by Ctrl+C
        raise typer.Exit(code=status)
