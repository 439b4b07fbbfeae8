"""Writes a PEER run folder ``reports/<run-id>/`` atomically (the only writer of results).

Tables are tidy CSVs with a fixed float format, so the same inputs and seed give byte-identical
tables; timestamps and timings live only in ``manifest.json``.
"""

from __future__ import annotations

import gzip
import io
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from peer_econ.model.results import RunResult
from peer_econ.model.spec import ModelSettings
from peer_econ.outputs import html as H
from peer_econ.outputs.files import (
    atomic_output_dir,
    default_run_dir,
    escape_text_columns,
    peak_memory_mib,
    versions,
    write_csv,
    write_manifest,
    write_parquet_chunks,
)
from peer_econ.outputs.html import ReportSection
from peer_econ.outputs.spool import release_spooled

#: Extra writers (decision analysis, sensitivity, budget) called with (result, folder); each
#: writes its files and returns the report sections that present them.
RunWriter = Callable[[RunResult, Path], Sequence[ReportSection]]


#: Formats of the per-sample table: Parquet (default; columnar, fast, compact) or gzip CSV.
SAMPLE_FORMATS = ("parquet", "csv")


#: Rows of the per-sample table written at a time (one Parquet row group each).
SAMPLE_ROWS_PER_CHUNK = 1_000_000


def write_gzip_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Gzip-compressed CSV with a zero timestamp in the header (byte-stable)."""
    return write_gzip_csv_chunks(iter([frame]), path)


def write_gzip_csv_chunks(frames: Iterator[pd.DataFrame], path: Path) -> Path:
    """Gzip-compressed CSV written a chunk of rows at a time (header from the first chunk)."""
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        for number, frame in enumerate(frames):
            buffer = io.StringIO()
            escape_text_columns(frame).to_csv(
                buffer, index=False, header=number == 0, float_format="%.15g",
                lineterminator="\n",
            )  # fmt: skip
            handle.write(buffer.getvalue().encode("utf-8"))
    return path


def sample_chunks(result: RunResult, rows: int = SAMPLE_ROWS_PER_CHUNK) -> Iterator[pd.DataFrame]:
    """The per-sample table (columns of :meth:`RunResult.samples`) a chunk of rows at a time,
    so ten million samples never sit in one data frame."""
    if result.n_samples <= rows:
        yield result.samples()
        return
    psa = result.psa
    names = result.inputs.parameters.uncertain_names()
    for start in range(0, result.n_samples, rows):
        part = slice(start, min(start + rows, result.n_samples))
        data: dict[str, np.ndarray] = {"sample": np.arange(part.start, part.stop)}
        data.update({f"cost_{s}": psa.cost[part, j] for j, s in enumerate(psa.strategies)})
        data.update({f"qaly_{s}": psa.qaly[part, j] for j, s in enumerate(psa.strategies)})
        data.update({name: np.asarray(result.draws[name])[part] for name in names})
        yield pd.DataFrame(data)
        release_spooled()


def deterministic_table(result: RunResult) -> pd.DataFrame:
    """``strategy, cost, qaly, inc_cost, inc_qaly, icer`` at the parameter means."""
    summary = result.summary()
    ref = result.psa.strategies.index(result.comparator)
    cost = summary["det_cost"].to_numpy(dtype=float)
    qaly = summary["det_qaly"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "strategy": summary["strategy"],
            "cost": cost,
            "qaly": qaly,
            "inc_cost": cost - cost[ref],
            "inc_qaly": qaly - qaly[ref],
            "icer": summary["det_icer"],
        }
    )


def write_run_tables(result: RunResult, folder: Path, *, samples_format: str = "parquet") -> None:
    """Write the model tables of a run into ``folder``.

    The per-sample table is ``psa_samples.parquet`` or, with ``samples_format="csv"``,
    ``psa_samples.csv.gz`` (same columns).
    """
    write_csv(deterministic_table(result), folder / "deterministic.csv")
    write_csv(result.summary(), folder / "headline.csv")
    write_csv(result.summary(trial_period=True), folder / "trial_period.csv")
    write_csv(result.psa_summary(), folder / "psa_summary.csv")
    write_csv(result.cost_items(), folder / "cost_items.csv")
    write_csv(result.payer_split(), folder / "payer_split.csv")
    write_csv(result.cost_consequence(), folder / "cost_consequence.csv")
    if samples_format == "csv":
        write_gzip_csv_chunks(sample_chunks(result), folder / "psa_samples.csv.gz")
    else:
        write_parquet_chunks(sample_chunks(result), folder / "psa_samples.parquet")
    release_spooled()
    params = pd.DataFrame(
        [
            {
                "name": s.name,
                "value": s.value,
                "distribution": s.distribution.kind,
                "low": s.low,
                "high": s.high,
                "unit": s.unit,
                "tag": s.tag,
                "source": s.source,
            }
            for s in result.inputs.parameters.specs
        ]
    )
    write_csv(params, folder / "parameters_used.csv")


def write_run(
    result: RunResult,
    out: Path | None = None,
    *,
    command: str = "run",
    writers: tuple[RunWriter, ...] = (),
    force: bool = False,
    samples_format: str = "parquet",
    on_stage: Callable[[str], None] | None = None,
) -> Path:
    """Write every table of ``result`` (and extra writers' output) to ``out`` atomically.

    Parameters
    ----------
    result : RunResult
        Output of :func:`peer_econ.runs.pipeline.run`.
    out : Path, optional
        Target folder (default a new ``reports/<timestamp>-run-<hash>/``).
    command : str
        Command name recorded in the manifest.
    writers : tuple of callables
        Further writers called as ``writer(result, folder)`` inside the temporary folder.
    force : bool
        Replace ``out`` if it holds a previous peer_econ output (see
        :func:`peer_econ.outputs.files.atomic_output_dir`).
    samples_format : {"parquet", "csv"}
        Format of the per-sample table.
    on_stage : callable, optional
        Called with a label as each stage starts (progress display).

    Returns
    -------
    Path
        The folder written.
    """
    target = default_run_dir(Path("reports"), command) if out is None else Path(out)
    stage = on_stage or (lambda label: None)
    timings: dict[str, float] = {}
    peaks: dict[str, float] = {}
    with atomic_output_dir(
        target, force=force, protect=result.inputs.files if out is not None else ()
    ) as folder:
        started = time.perf_counter()
        stage("model tables")
        write_run_tables(result, folder, samples_format=samples_format)
        sections = list(core_sections(result))
        timings["model_tables"] = time.perf_counter() - started
        peaks["model_tables"] = peak_memory_mib()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for writer in writers:
                label = writer.__name__.removeprefix("write_").removesuffix("_for_run")
                stage(label.replace("_", " "))
                started = time.perf_counter()
                sections.extend(writer(result, folder))
                timings[label] = time.perf_counter() - started
                peaks[label] = peak_memory_mib()
                release_spooled()
        notes = list(dict.fromkeys(str(w.message) for w in caught))
        messages = [h for section in sections for h in section.highlights]
        if messages:
            sections.append(
                ReportSection("key-messages", "Key messages for commissioners",
                              H.bullet_list(messages), 1)
            )  # fmt: skip
        if notes:
            sections.append(
                ReportSection("warnings", "Warnings raised during the analysis",
                              H.bullet_list(notes), 95)
            )  # fmt: skip
        stage("report")
        (folder / "report.html").write_text(render_report(result, sections), encoding="utf-8")
        write_manifest(
            folder,
            command=command,
            seed=result.seed,
            n_samples=result.n_samples,
            inputs=list(result.inputs.files),
            wall_time_s=result.wall_time_s,
            extra={
                "settings": result.inputs.settings.as_dict(),
                "overrides": dict(result.overrides),
                "strategies": list(result.psa.strategies),
                "warnings": notes,
                "timings_s": {k: round(v, 3) for k, v in timings.items()},
                "peak_memory_mib_after": peaks,
                "samples_file": "psa_samples.csv.gz"
                if samples_format == "csv"
                else "psa_samples.parquet",
            },
        )
    for note in notes:
        warnings.warn(note, RunWarning, stacklevel=2)
    return target


class RunWarning(UserWarning):
    """A warning raised while writing a run, repeated once after the folder is in place."""


# --- the HTML report -------------------------------------------------------------------------

_LABELS = {
    "strategy": "Strategy",
    "cost": "Cost (DKK)",
    "qaly": "QALYs",
    "inc_cost": "Incremental cost (DKK)",
    "inc_qaly": "Incremental QALYs",
    "icer": "ICER (DKK/QALY)",
    "det_cost": "Deterministic cost",
    "det_qaly": "Deterministic QALYs",
    "det_icer": "Deterministic ICER",
}


def _label_of(result: RunResult) -> dict[str, str]:
    return {s.name: s.label for s in result.inputs.strategies}


def core_sections(result: RunResult) -> list[ReportSection]:
    """Report sections built from the model results alone (CHEERS items 1-17, 19-21)."""
    settings = result.inputs.settings
    labels = _label_of(result)
    head = result.summary()
    trial = result.summary(trial_period=True)
    ref = result.comparator
    first = head[head["strategy"] != ref].iloc[0]
    first_trial = trial[trial["strategy"] == first["strategy"]].iloc[0]
    money = H.money
    key = (
        f"<div class='key'><p><b>{H.esc(labels[first['strategy']])}</b> costs "
        f"<b>{money(first['inc_cost'])} DKK</b> more per randomised participant than "
        f"{H.esc(labels[ref])} and gains <b>{first['inc_qaly']:.4f} QALYs</b> over "
        f"{settings.horizon_months:g} months: an ICER of "
        f"<b>{money(first['icer'])} DKK per QALY</b> (probabilistic, {result.n_samples:,} "
        f"samples; {money(first['det_icer'])} at the parameter means). Over the "
        f"{settings.trial_followup_months:g}-month trial period alone, without "
        f"extrapolation, the ICER is {money(first_trial['icer'])} DKK per QALY.</p>"
        f"{_currency_note(result, float(first['icer']))}</div>"
        "<div class='warn'><p>The trial measured no preference-based outcome (no EQ-5D) and "
        "followed people for 3 months. The QALY gain therefore rests on labelled assumptions: "
        f"{H.esc(_mapping_phrase(settings))}, the durability of the effect after the course "
        "and the group size. The cost-consequence table needs no utility mapping; the "
        "trial-period result needs no assumption about durability.</p></div>"
    )
    headline = H.table(
        head,
        {c: (H.qaly if "qaly" in c else money) for c in head.columns if c != "strategy"},
        headers=_LABELS,
        caption="Costs and QALYs per randomised participant (DKK 2024, discounted)",
    )
    trial_table = H.table(
        trial[["strategy", "cost", "qaly", "inc_cost", "inc_qaly", "icer"]],
        {"cost": money, "qaly": H.qaly, "inc_cost": money, "inc_qaly": H.qaly, "icer": money},
        headers=_LABELS,
        caption=f"Trial period ({settings.trial_followup_months:g} months, no extrapolation)",
    )
    strategies = pd.DataFrame(
        [
            {
                "strategy": s.name,
                "label": s.label,
                "paid peers": s.paid_facilitators,
                "volunteers": s.volunteer_facilitators,
                "companionship": s.companionship,
                "description": s.description,
            }
            for s in result.inputs.strategies
        ]
    )
    items = result.cost_items()
    pivot = items.pivot_table(
        index=["item", "payer", "category"], columns="strategy", values="cost", sort=False
    ).reset_index()
    pivot = pivot[(pivot[list(result.psa.strategies)] != 0).any(axis=1)]
    counted_items = set(result.psa.counted_items)
    pivot.insert(0, "counted", ["yes" if i in counted_items else "no" for i in pivot["item"]])
    pivot = pivot.sort_values("counted", ascending=False, kind="stable")
    pivot = pivot[["item", "counted", "category", "payer", *result.psa.strategies]]
    payers = (
        result.payer_split()
        .pivot_table(index="payer", columns="strategy", values="cost", sort=False)
        .reset_index()
    )
    consequence = result.cost_consequence()
    cc_cols = ["strategy", "inc_cost", "qpr15_md", "mansa_md", "wsas_md", "cost_per_qpr15_point"]
    assumptions = pd.DataFrame(
        [
            {"parameter": s.name, "value": s.value, "low": s.low, "high": s.high,
             "unit": s.unit, "notes": s.notes or s.source}
            for s in result.inputs.parameters.specs
            if s.tag == "AS" and s.module == "model"
        ]
    )  # fmt: skip
    cost_steps, effect_steps = (
        ", ".join(
            f"{100 * r:.1f} % from year {start:g}"
            for start, r in zip(schedule.starts, schedule.rates, strict=True)
        )
        for schedule in (settings.discount_costs, settings.discount_effects)
    )
    discounting = (
        f"Discounting: continuous within years at {cost_steps} (costs and effects)."
        if cost_steps == effect_steps
        else f"Discounting: costs at {cost_steps}; effects at {effect_steps} (continuous "
        "within years)."
    )
    methods = H.bullet_list(
        [
            "Population: adults using Danish municipal social psychiatry or self-referring, as "
            "randomised in the PEER trial (n = 296; 145 PEER, 151 service as usual).",
            f"Perspective: {settings.perspective} (counts {', '.join(settings.categories)}); "
            "payers are reported separately and never decide what counts.",
            f"Time horizon: {settings.horizon_months:g} months; trial period "
            f"{settings.trial_followup_months:g} months reported beside it.",
            discounting,
            "Currency and price year: DKK, 2024 prices (2023 salaries indexed by "
            "wage_index_2023_to_2024).",
            f"Utility: {_mapping_phrase(settings)}.",
            f"Durability after the 10-week course: '{settings.durability}' (base: linear decay to "
            "zero over decay_months, Gamma mean 12).",
            "Costs per randomised participant (intention to treat): group costs divided by the "
            "number enrolled per group.",
            f"PSA: {result.n_samples:,} samples, seed {result.seed}; deterministic values equal "
            "the PSA means.",
        ]
    )
    validation = pd.DataFrame(
        [
            ("A. Conceptual model", "Face validity against the trial report and DESIGN; "
             "structure (no health states) follows the trial's null findings on admissions."),
            ("B. Input data", "Every parameter carries a source or an AS tag, unit and price year; "
             "the loader rejects impossible distributions; base values equal PSA means."),
            ("C. Implemented software", "Hand calculations of cost and QALYs in tests; an "
             "independent plain-Python re-computation (also on random PSA draws); closed-form "
             "QALYs against numerical quadrature; TECH-VER black-box tests (zero effect, doubled "
             "unit costs, durability-free trial period, baseline utility)."),
            ("D. Model outcomes", "Cost per participant compared with the illustrative "
             "micro-costing of the evidence table (about 2,570 DKK); no published PEER "
             "cost-effectiveness result exists to compare with."),
            ("E. Other", "Reproducible runs: same inputs and seed give byte-identical tables; "
             "manifest with input hashes."),
        ],
        columns=["AdViSHE part", "what was done"],
    )  # fmt: skip
    gaps = H.bullet_list(
        [
            "No EQ-5D in the trial: utilities come from re-expressing an effect size (assumption).",
            "Durability beyond 3 months is extrapolated (assumption).",
            "Group size, coordinator hours and training amortisation were not reported "
            "(assumptions, in the one-way and value-of-information analyses).",
            "Downstream service use: the trial found no difference in admissions; offsets appear "
            "only in scenarios.",
        ]
    )
    return [
        ReportSection("key-results", "Key results", key + headline + trial_table, 0),
        ReportSection("methods", "Setting, perspective and methods", methods, 10),
        ReportSection(
            "comparators",
            "Comparators",
            H.table(strategies, caption="Strategies (inputs/strategies.csv)"),
            20,
        ),
        ReportSection(
            "costs",
            "Resource use and costs",
            H.table(
                pivot,
                {s: money for s in result.psa.strategies},
                caption="Mean cost per randomised participant by item (DKK 2024); items "
                "marked 'no' lie outside the perspective and are not in the totals",
            )
            + H.table(
                payers,
                {s: money for s in result.psa.strategies},
                caption="Counted cost by payer (who pays)",
            ),
            40,
        ),  # fmt: skip
        ReportSection(
            "cost-consequence",
            "Cost-consequence (no utility mapping needed)",
            H.table(
                consequence[cc_cols],
                {"inc_cost": money, "cost_per_qpr15_point": money},
                headers={
                    "qpr15_md": "QPR-15 difference",
                    "mansa_md": "MANSA difference",
                    "wsas_md": "WSAS difference (lower is better)",
                    "inc_cost": "Incremental cost (DKK)",
                    "cost_per_qpr15_point": "DKK per QPR-15 point",
                },
            )
            + H.paragraph(
                "Mean differences at the end of the course, scaled by each "
                "strategy's effect multiplier."
            ),
            45,
        ),  # fmt: skip
        ReportSection(
            "assumptions",
            "Assumptions (inputs tagged AS)",
            H.table(
                assumptions,
                {"value": H.esc, "low": H.esc, "high": H.esc},
                caption="Placeholders to vary, not findings; all but baseline utility (which "
                "moves absolute QALYs only) are in the one-way analysis",
            ),
            80,
        ),  # fmt: skip
        ReportSection(
            "validation",
            "Validation (AdViSHE) and evidence gaps",
            H.table(validation) + gaps,
            90,
        ),
    ]


def _mapping_phrase(settings: ModelSettings) -> str:
    """How utility is obtained under the settings, in words."""
    source = {"mansa": "MANSA", "wsas": "WSAS", "qpr15": "QPR-15"}[settings.source_outcome]
    if settings.utility_route == "smd":
        return (
            f"the {source} effect size re-expressed on EQ-5D (delta_u = d x SD(EQ-5D) x lambda, "
            "lambda = r + (1 - r) x Beta(2, 5); Lu, Brazier & Ades 2013)"
        )
    if settings.utility_route == "mapping":
        return "a linear mapping of the MANSA difference to EQ-5D (mapping_slope_mansa)"
    return "a directly given utility difference (direct_delta_u)"


def _currency_note(result: RunResult, icer: float) -> str:
    """The headline ICER in EUR and GBP and the NICE range in DKK (display only)."""
    table = result.inputs.parameters
    if "eur_dkk" not in table or "gbp_dkk" not in table or icer != icer:
        return ""
    eur, gbp = table["eur_dkk"].value, table["gbp_dkk"].value
    low, high = result.inputs.settings.nice_band_gbp
    return H.paragraph(
        f"For comparison: {icer / eur:,.0f} EUR or {icer / gbp:,.0f} GBP per QALY (at {eur:g} "
        f"DKK/EUR and {gbp:g} DKK/GBP). Denmark has no official threshold; NICE's GBP "
        f"{low:,.0f}-{high:,.0f} per QALY is {low * gbp:,.0f}-{high * gbp:,.0f} DKK."
    )


def render_report(result: RunResult, sections: Sequence[ReportSection]) -> str:
    """The run's HTML page (``report.html``)."""
    vers = versions()
    footer = (
        f"peer_econ {H.esc(vers['peer_econ'])}; seed {result.seed}; {result.n_samples:,} PSA "
        f"samples; Python {H.esc(vers['python'])}, numpy {H.esc(vers['numpy'])}. Input file "
        "hashes are in manifest.json. Structured along CHEERS 2022 (Husereau et al. 2022)."
    )
    return H.render(
        "Is PEER worth its cost? A cost-utility analysis of the PEER peer-support course",
        f"PEER (Paths to Everyday Life) + service as usual vs service as usual; Denmark; "
        f"{result.inputs.settings.perspective} perspective; DKK 2024.",
        sections,
        footer,
    )
