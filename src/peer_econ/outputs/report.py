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

from peer_econ.analysis.quadrants import icer_label
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
from peer_econ.parameters.distributions import Distribution

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
                "sd": float(np.sqrt(s.distribution.variance)),
                "psa_2_5": s.distribution.quantiles(0.025, 0.975)[0],
                "psa_97_5": s.distribution.quantiles(0.025, 0.975)[1],
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
    started: float | None = None,
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
    started : float, optional
        ``time.perf_counter()`` when the command started; the manifest's ``wall_time_s`` then
        covers the whole command. Without it, it covers sampling, model and everything written
        here (all but reading the inputs).
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
    begin = time.perf_counter()
    target = default_run_dir(Path("reports"), command) if out is None else Path(out)
    stage = on_stage or (lambda label: None)
    timings: dict[str, float] = {}
    peaks: dict[str, float] = {}
    with atomic_output_dir(
        target, force=force, protect=result.inputs.files if out is not None else ()
    ) as folder:
        stage_start = time.perf_counter()
        stage("model tables")
        write_run_tables(result, folder, samples_format=samples_format)
        sections = list(core_sections(result))
        timings["model_tables"] = time.perf_counter() - stage_start
        peaks["model_tables"] = peak_memory_mib()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for writer in writers:
                label = writer.__name__.removeprefix("write_").removesuffix("_for_run")
                stage(label.replace("_", " "))
                stage_start = time.perf_counter()
                sections.extend(writer(result, folder))
                timings[label] = time.perf_counter() - stage_start
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
            wall_time_s=(
                time.perf_counter() - started
                if started is not None
                else result.wall_time_s + time.perf_counter() - begin
            ),
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


def _distribution_text(distribution: Distribution) -> str:
    """A PSA distribution in a few words: family and its 95 % interval, or 'fixed'."""
    if distribution.is_fixed:
        return "fixed"
    low, high = distribution.quantiles(0.025, 0.975)
    return f"{distribution.kind}, 95 % {low:.3g} to {high:.3g}"


def _label_of(result: RunResult) -> dict[str, str]:
    return {s.name: s.label for s in result.inputs.strategies}


def _key_results(result: RunResult) -> str:
    """The key-results box, the headline table and the trial-period table (HTML)."""
    settings = result.inputs.settings
    labels = _label_of(result)
    head = result.summary()
    trial = result.summary(trial_period=True)
    ref = result.comparator
    first = head[head["strategy"] != ref].iloc[0]
    first_trial = trial[trial["strategy"] == first["strategy"]].iloc[0]
    money = H.money
    scale = (
        f"{settings.municipalities} municipalities x "
        f"{settings.courses_per_municipality_per_year:g} courses a year"
    )
    ref_row = head[head["strategy"] == ref].iloc[0]
    first_icer = _icer_phrase(float(first["inc_cost"]), float(first["inc_qaly"]))
    first_det = _icer_phrase(
        float(first["det_cost"] - ref_row["det_cost"]),
        float(first["det_qaly"] - ref_row["det_qaly"]),
    )
    trial_icer = _icer_phrase(float(first_trial["inc_cost"]), float(first_trial["inc_qaly"]))
    key = (
        f"<div class='key'><p><b>{H.esc(labels[first['strategy']])}</b> "
        + (
            f"costs <b>{money(first['inc_cost'])} DKK</b> more per randomised participant than "
            if first["inc_cost"] >= 0
            else f"saves <b>{money(-first['inc_cost'])} DKK</b> per randomised participant "
            "compared with "
        )
        + f"{H.esc(labels[ref])} (expected cost, the PSA mean, at {scale}; see 'Cost per "
        f"participant: definitions') and gains <b>{first['inc_qaly']:.4f} QALYs</b> over "
        f"{settings.horizon_months:g} months: an ICER of "
        f"<b>{H.esc(first_icer)}</b> (probabilistic, {result.n_samples:,} "
        f"samples; {H.esc(first_det)} at the parameter means). Over the "
        f"{settings.trial_followup_months:g}-month trial period alone, without "
        f"extrapolation, the ICER is {H.esc(trial_icer)}.</p>"
        f"{_currency_note(result, float(first['icer']))}</div>"
        "<div class='warn'><p>The trial measured no preference-based outcome (no EQ-5D) and "
        "followed people for 3 months. The QALY gain therefore rests on labelled assumptions: "
        f"{H.esc(_mapping_phrase(settings))}, the durability of the effect after the course "
        "and the group size. The cost-consequence table needs no utility mapping; the "
        "trial-period result needs no assumption about durability.</p></div>"
    )
    shown_head = _icers_in_words(head, ref)
    headline = H.table(
        shown_head,
        {c: (H.qaly if "qaly" in c else money) for c in shown_head.columns
         if c not in ("strategy", "icer", "det_icer")},
        headers=_LABELS,
        caption="Costs and QALYs per randomised participant (DKK 2024, discounted): 'cost' is "
        f"the expected cost (PSA mean) at {scale}, 'deterministic cost' the cost at the "
        "parameter means; ICERs vs service as usual, in words where there is no trade-off",
    )  # fmt: skip
    trial_table = H.table(
        _icers_in_words(trial, ref)[["strategy", "cost", "qaly", "inc_cost", "inc_qaly", "icer"]],
        {"cost": money, "qaly": H.qaly, "inc_cost": money, "inc_qaly": H.qaly},
        headers=_LABELS,
        caption=f"Trial period ({settings.trial_followup_months:g} months, no extrapolation)",
    )
    return key + headline + trial_table


def core_sections(result: RunResult) -> list[ReportSection]:
    """Report sections built from the model results alone (CHEERS items 1-17, 19-21)."""
    settings = result.inputs.settings
    money = H.money
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
             "PSA": _distribution_text(s.distribution), "unit": s.unit,
             "notes": s.notes or s.source}
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
            ("D. Model outcomes", "Cost per participant checked against the hand "
             "calculations of the evidence table (EVIDENCE 3 and 3a: course costs, venue 375 DKK "
             "and fixed programme costs 722 DKK per participant at the base scale, in tests); "
             "no published PEER cost-effectiveness result exists to compare with."),
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
        ReportSection("key-results", "Key results", _key_results(result), 0),
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
                "moves absolute QALYs only) are in the one-way analysis, and all but the "
                "structural switches below have a PSA distribution",
            )
            + H.table(
                structural_switches(result),
                caption="Structural switches: fixed in the PSA (not uncertain quantities but "
                "choices), each analysed in scenarios, the structural matrix or the scale curve",
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


def _icer_phrase(inc_cost: float, inc_qaly: float) -> str:
    """'157,169 DKK per QALY', or the quadrant in words (never a negative number)."""
    return icer_label(inc_cost, inc_qaly, unit=" DKK per QALY")


def _icers_in_words(frame: pd.DataFrame, comparator: str) -> pd.DataFrame:
    """A summary table with its ICER columns in words (never a negative number)."""
    out = frame.copy()
    out["icer"] = [
        "-" if s == comparator else icer_label(float(c), float(q))
        for s, c, q in zip(frame["strategy"], frame["inc_cost"], frame["inc_qaly"], strict=True)
    ]
    if "det_icer" in frame.columns:
        ref = frame[frame["strategy"] == comparator].iloc[0]
        out["det_icer"] = [
            "-" if s == comparator else icer_label(float(c - ref["det_cost"]),
                                                   float(q - ref["det_qaly"]))
            for s, c, q in zip(frame["strategy"], frame["det_cost"], frame["det_qaly"],
                               strict=True)
        ]  # fmt: skip
    return out


def structural_switches(result: RunResult) -> pd.DataFrame:
    """What stays fixed in the PSA and why: the settings' structural choices and the
    assumption-tagged parameters marked ``Structural`` in ``parameters.csv`` (DESIGN 2.8)."""
    settings = result.inputs.settings
    rows = [
        ("source_outcome", settings.source_outcome,
         "which trial outcome carries the effect to utility: a modelling choice, analysed in "
         "the structural matrix and scenarios"),
        ("utility_route", settings.utility_route, "how utility is obtained (a method choice)"),
        ("durability", settings.durability,
         "shape of the gain after the course: analysed in the structural matrix; its length "
         "(decay_months) is sampled"),
        ("horizon_months", f"{settings.horizon_months:g}", "analysis horizon: a choice"),
        ("attendance_model", settings.attendance_model,
         "how attendance scales the effect: the dose-response option is a scenario"),
        ("perspective", settings.perspective, "which costs count: a choice, with scenarios"),
        ("municipalities x courses", f"{settings.municipalities} x "
         f"{settings.courses_per_municipality_per_year:g}",
         "the delivery scale a commissioner plans: shown along the scale curve"),
        ("local_coordination", settings.local_coordination,
         "how local coordination is organised: a scenario brackets it"),
        ("booster_courses", str(settings.booster_courses), "repeat courses: a scenario"),
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=["switch", "value", "why it is not sampled"])
    params = [
        {"switch": s.name, "value": f"{s.value:g}",
         "why it is not sampled": s.notes.removeprefix("Structural (").split(")", 1)[0]}
        for s in result.inputs.parameters.specs
        if s.tag == "AS" and s.module == "model" and not s.is_uncertain
    ]  # fmt: skip
    return pd.concat([out, pd.DataFrame(params)], ignore_index=True)


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
