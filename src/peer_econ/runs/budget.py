"""``peer-econ budget`` and the budget part of a run: the commissioner's kit written to a folder.

Tables (tidy CSV, machine-readable in every language), figures, an Excel workbook for the
meeting and a report section, all from :mod:`peer_econ.runs.budget_plan`.
"""

from __future__ import annotations

import csv
import functools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from peer_econ.errors import InputError
from peer_econ.model.capacity import DeliveryPlan
from peer_econ.model.results import RunResult
from peer_econ.outputs import html as H
from peer_econ.outputs.files import atomic_output_dir, default_run_dir, write_csv, write_manifest
from peer_econ.outputs.html import ReportSection
from peer_econ.outputs.language import Language
from peer_econ.outputs.workbook import Sheet, write_workbook
from peer_econ.runs.budget_plan import (
    BudgetResult,
    funding_comparison,
    programme_strategies,
    run_budget,
)

#: Budget horizon of the budget written with every run [years].
RUN_BUDGET_YEARS = 5

#: File names of the kit's tables, one writer per table.
KIT_TABLES = {
    "comparison": "funding_comparison.csv",
    "by_payer": "budget_by_payer.csv",
    "by_item": "budget_by_item.csv",
    "business": "business_case.csv",
    "capacity": "capacity.csv",
}
WORKBOOK_NAME = "peer_econ_workbook.xlsx"

#: Kit table columns that hold amounts of money [DKK].
DKK_COLUMNS = (
    "cash", "in_kind", "total", "total_lower", "total_upper", "investment", "savings", "net",
    "cumulative_net", "cumulative_lower", "cumulative_upper",
)  # fmt: skip


@dataclass(frozen=True)
class BudgetKit:
    """Everything ``peer-econ budget`` computes: the kit and its comparison table."""

    budget: BudgetResult
    comparison: pd.DataFrame
    tables: dict[str, pd.DataFrame]


def run_scale(result: RunResult, years: int = RUN_BUDGET_YEARS) -> DeliveryPlan:
    """The delivery plan of a run: the settings' delivery scale over ``years`` years."""
    settings = result.inputs.settings
    return DeliveryPlan(
        settings.municipalities, settings.courses_per_municipality_per_year, years=years
    )


def read_municipalities_file(path: Path, default_courses: float) -> tuple[int, float]:
    """Municipalities and their mean courses a year from a CSV file.

    The file has a header with ``municipality`` and optionally ``courses_per_year`` (courses
    per year in that municipality; default ``default_courses``), one row per municipality.

    Returns
    -------
    (int, float)
        Number of municipalities and mean courses per municipality per year.
    """
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the file as UTF-8 CSV") from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise InputError(f"{path}: no municipalities listed; give one row per municipality")
    if "municipality" not in rows[0]:
        raise InputError(f"{path}: header needs a 'municipality' column")
    courses = []
    for i, row in enumerate(rows, start=2):
        name = (row.get("municipality") or "").strip()
        if not name:
            raise InputError(f"{path} row {i}, column municipality: empty; give a name")
        raw = (row.get("courses_per_year") or "").strip()
        try:
            value = float(raw) if raw else default_courses
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{path} row {i}, column courses_per_year: {raw!r}; give a number > 0")
        courses.append(value)
    return len(rows), sum(courses) / len(courses)


def compute_kit(
    result: RunResult, scale: DeliveryPlan, strategies: Sequence[str] | None = None
) -> BudgetKit:
    """Capacity, budget, business case and funding comparison at ``scale``."""
    budget = run_budget(result, scale, strategies)
    comparison = funding_comparison(result, budget)
    tables = {
        "comparison": comparison,
        "by_payer": budget.by_payer(),
        "by_item": budget.by_item(),
        "business": budget.business_case(),
        "capacity": budget.capacity(),
    }
    return BudgetKit(budget, comparison, tables)


def headline_of(kit: BudgetKit) -> str:
    """The delivery form shown in the kit's figures: the first efficient one, else the first."""
    efficient = kit.comparison[kit.comparison["status"].str.startswith("efficient")]
    frame = efficient if len(efficient) else kit.comparison
    return str(frame["strategy"].iloc[0])


def write_kit_files(result: RunResult, kit: BudgetKit, folder: Path, lang: Language) -> None:
    """Write the kit's tables, figures and workbook into ``folder``."""
    from peer_econ.outputs import plots

    for key, name in KIT_TABLES.items():
        write_csv(kit.tables[key], folder / name)
    strategy = headline_of(kit)
    plan = kit.budget.budgets[strategy]
    payer_labels = {p: lang.t(f"payer.{p}") for p in (*_payers(kit), "total")}
    plots.save_axes(
        plots.plot_budget_years(plan.by_payer(), labels=payer_labels), folder, "budget_years"
    )
    case = plan.business_case()
    case = case.assign(authority=[lang.t(f"authority.{a}") for a in case["authority"]])
    payback = {lang.t(f"authority.{a}"): y for a, y in plan.payback().items()}
    plots.save_axes(plots.plot_cumulative_net(case, payback), folder, "business_case")
    write_workbook(folder / WORKBOOK_NAME, workbook_sheets(result, kit, lang))


def _payers(kit: BudgetKit) -> list[str]:
    by_payer = kit.tables["by_payer"]
    return [p for p in dict.fromkeys(by_payer["payer"]) if p != "total"]


def column_header(lang: Language, column: str) -> str:
    """Display name of a kit table column in ``lang`` (the column name when none is set)."""
    if column.startswith("prob_ce_"):
        return lang.t("column.prob_ce", wtp=lang.number(float(column.removeprefix("prob_ce_"))))
    payer = column.removeprefix("budget_")
    if column.startswith("budget_") and lang.has(f"payer.{payer}"):
        return lang.t("column.budget_payer", payer=lang.t(f"payer.{payer}"))
    return lang.t(f"column.{column}") if lang.has(f"column.{column}") else column


def localise(frame: pd.DataFrame, lang: Language, labels: dict[str, str]) -> pd.DataFrame:
    """A kit table with codes shown as words of ``lang``: strategies by their labels, payers,
    authorities, kinds, statuses and capacity quantities from the catalogue."""
    out = frame.copy()

    def words(column: str, prefix: str) -> None:
        if column in out.columns:
            out[column] = [
                lang.t(f"{prefix}.{v}") if lang.has(f"{prefix}.{v}") else v for v in out[column]
            ]

    words("payer", "payer")
    words("authority", "authority")
    words("kind", "kind")
    if "quantity" in out.columns and "label" in out.columns:
        out["label"] = [lang.t(f"capacity_quantity.{q}") for q in out["quantity"]]
    if "status_code" in out.columns:
        out["status"] = [
            lang.t(f"status_words.{code}")
            if code == "reference" or not by
            else lang.t(
                "status_words.ND_vs" if code == "ND" else f"status_words.{code}_by",
                by=labels.get(by, by),
            )
            for code, by in zip(out["status_code"], out["status_by"], strict=True)
        ]
    for column in ("strategy", "rests_on_against"):
        if column in out.columns:
            out[column] = [labels.get(v, v) for v in out[column]]
    return out


def _sheet(
    lang: Language,
    title_key: str,
    frame: pd.DataFrame,
    labels: dict[str, str],
    formats: dict[str, str] | None = None,
    notes: tuple[str, ...] = (),
) -> Sheet:
    shown = localise(frame, lang, labels)
    headers = {c: column_header(lang, c) for c in shown.columns}
    return Sheet(lang.t(title_key), shown, formats or {}, headers=headers, notes=notes)


def workbook_sheets(result: RunResult, kit: BudgetKit, lang: Language) -> list[Sheet]:
    """The meeting workbook: summary, comparison, budget, business case, capacity, costs,
    inputs and assumptions, numbers numeric with number formats, texts in ``lang``."""
    comparison = kit.comparison.drop(columns=["label"])
    labels = {s.name: s.label for s in result.inputs.strategies}
    prob_cols = {c: "probability" for c in comparison.columns if c.startswith("prob_ce_")}
    money_cols = {c: "dkk" for c in comparison.columns if c.startswith(("budget_", "cost_"))}
    scale = kit.budget.scale
    settings = result.inputs.settings
    facts = (
        ("municipalities", scale.municipalities),
        ("courses_per_year", scale.courses_per_municipality_per_year),
        ("years", scale.years),
        ("n_samples", result.n_samples),
        ("seed", result.seed),
        ("perspective", settings.perspective),
        ("comparator", labels.get(result.comparator, result.comparator)),
    )
    summary = pd.DataFrame(
        [{"item": lang.t(f"summary.{key}"), "value": value} for key, value in facts]
    )
    params = pd.DataFrame(
        [
            {
                "parameter": s.name,
                "value": s.value,
                "distribution": s.distribution.kind,
                "low": s.low,
                "high": s.high,
                "unit": s.unit,
                "source": s.source,
                "tag": s.tag,
            }
            for s in result.inputs.parameters.specs
        ]
    )
    dkk = dict.fromkeys(DKK_COLUMNS, "dkk")
    return [
        _sheet(lang, "workbook.summary", summary, labels, notes=(lang.t("budget.note"),)),
        _sheet(
            lang,
            "workbook.comparison",
            comparison,
            labels,
            {
                **money_cols,
                **prob_cols,
                "inc_qaly": "qaly",
                "icer": "dkk_per_qaly",
                "volunteers_trained_year1": "decimal",
                "coordinator_fte": "fte",
                "paid_peer_fte": "fte",
                "rests_on_swing": "dkk",
            },  # fmt: skip
        ),
        _sheet(
            lang, "workbook.budget", kit.tables["by_payer"], labels, dkk, (lang.t("budget.note"),)
        ),  # fmt: skip
        _sheet(
            lang,
            "workbook.business",
            kit.tables["business"],
            labels,
            {**dkk, "year": "year", "prob_paid_back": "probability"},
            (lang.t("business.note"),),
        ),  # fmt: skip
        _sheet(
            lang,
            "workbook.capacity",
            kit.tables["capacity"],
            labels,
            {
                "year": "year",
                "mean": "decimal",
                "lower": "decimal",
                "upper": "decimal",
                "rounded_up": "count",
            },
        ),  # fmt: skip
        _sheet(lang, "workbook.costs", result.cost_items(), labels, {"cost": "dkk"}),
        _sheet(lang, "workbook.inputs", params, labels),
        _sheet(lang, "workbook.assumptions", params[params["tag"] == "AS"], labels),
    ]


def budget_section(kit: BudgetKit, folder: Path, lang: Language) -> ReportSection:
    """Report section: funding comparison, yearly budget by payer and the business case."""
    comparison = kit.comparison
    strategy = headline_of(kit)
    plan = kit.budget.budgets[strategy]
    scale = kit.budget.scale
    by_payer = plan.by_payer()
    shown = by_payer[["year", "payer", "cash", "in_kind", "total", "total_lower", "total_upper"]]
    body = H.paragraph(
        f"Funding {scale.courses_per_municipality_per_year:g} courses a year in each of "
        f"{scale.municipalities} municipalities for {scale.years} years. " + lang.t("budget.note")
    )
    cols = ["label", "cost_per_participant", "budget_year1", "budget_steady_year",
            "coordinator_fte", "paid_peer_fte", "status"]  # fmt: skip
    body += H.table(
        comparison[cols],
        {
            "cost_per_participant": H.money,
            "budget_year1": H.money,
            "budget_steady_year": H.money,
            "coordinator_fte": functools.partial(lang.number, decimals=2),
            "paid_peer_fte": functools.partial(lang.number, decimals=2),
        },
        headers={
            "label": "delivery form",
            "cost_per_participant": "cost per participant (DKK)",
            "budget_year1": "year 1 (DKK)",
            "budget_steady_year": "later years (DKK)",
            "coordinator_fte": "coordinator FTE",
            "paid_peer_fte": "paid peer FTE",
        },  # fmt: skip
        caption="Funding comparison at this scale (spending minus service as usual, PSA means)",
    )
    body += H.table(
        shown,
        {c: H.money for c in shown.columns if c not in ("year", "payer")},
        headers={"in_kind": "in kind", "total_lower": "2.5 %", "total_upper": "97.5 %"},
        caption=f"Budget by year and payer: {strategy} (year 'all' sums the horizon)",
    )
    body += H.figure(folder / "budget_years.png", "Budget by year and payer")
    body += H.figure(folder / "business_case.png", "Cumulative net result by authority")
    total = by_payer[(by_payer["year"] == str(scale.years)) & (by_payer["payer"] == "total")]
    participants = float(plan.capacity.participants[-1].mean())
    first_year = float(sum(line.amounts[0] for line in plan.lines).mean())
    highlight = (
        f"Running {strategy} with {scale.courses_per_municipality_per_year:g} courses a year in "
        f"each of {scale.municipalities} municipalities (about {participants:,.0f} participants) "
        f"costs about {float(total['total'].iloc[0]):,.0f} DKK a year after the first year "
        f"({first_year:,.0f} DKK "
        "in year 1, with the first volunteer training)."
    )
    return ReportSection("budget", "Budget impact and who pays", body, 75, highlights=(highlight,))


def cost_definitions_section(result: RunResult, kit: BudgetKit) -> ReportSection:
    """Report section defining every cost-per-participant figure of the run, with its value."""
    settings = result.inputs.settings
    per = result.cost_per_participant().set_index("strategy").to_dict("index")
    programme = list(kit.budget.budgets)
    scale = (
        f"{settings.municipalities} municipalities x "
        f"{settings.courses_per_municipality_per_year:g} courses a year"
    )
    concepts = [
        ("expected", f"Expected cost per randomised participant (PSA mean) at {scale}",
         "the headline: key results, headline.csv, ICERs, scale curve at the base scale"),
        ("at_parameter_means", "Cost per randomised participant at the parameter means "
         "(deterministic)", "deterministic.csv, 'det ICER', threshold tables, tornado"),
        ("per_course", "Per course, without fixed programme costs (PSA mean)",
         "what one more course costs in a programme that already runs"),
        ("fixed_programme", f"Fixed programme cost per participant at {scale} (PSA mean)",
         "item programme_fixed: local coordination and annuitised set-up"),
        ("per_attending", "Per participant attending 8 or more sessions (expected / expected "
         "share attending)", "costs of all randomised participants carried by attenders"),
    ]  # fmt: skip
    rows = []
    for key, label, used in concepts:
        row: dict[str, object] = {"figure": label}
        row.update({name: per[name][key] for name in programme})
        row["used in"] = used
        rows.append(row)
    budget_row: dict[str, object] = {
        "figure": f"Budget per participant served in a running year at {scale} (cash and in "
        "kind, local coordination at this scale, no set-up; PSA mean)"
    }
    by_strategy = kit.comparison.set_index("strategy")["cost_per_participant"]
    budget_row.update({name: float(by_strategy[name]) for name in programme})
    budget_row["used in"] = "funding comparison, budget (funding_comparison.csv)"
    rows.append(budget_row)
    table = pd.DataFrame(rows)
    body = H.paragraph(
        "Every cost per participant in this report is one of these figures, and is labelled "
        "with which. They differ for stated reasons: the PSA mean exceeds the cost at the "
        "parameter means because costs divide by uncertain numbers (group size, volunteers per "
        "training cohort, courses per volunteer); the budget figure counts the programme's "
        "yearly local coordination at this scale but not the set-up, which falls in year 1 of "
        "the budget, where the cost-utility figures spread it over the programme's lifetime."
    ) + H.table(
        table,
        {name: H.money for name in programme},
        caption="Cost per participant: which number is which (DKK 2024)",
    )
    return ReportSection("cost-definitions", "Cost per participant: definitions", body, 42)


def write_budget_for_run(result: RunResult, folder: Path) -> list[ReportSection]:
    """Run-folder writer: the kit at the settings' scale and the cost definitions."""
    if not programme_strategies(result):
        return []
    kit = compute_kit(result, run_scale(result))
    lang = Language("en")
    write_kit_files(result, kit, folder, lang)
    return [budget_section(kit, folder, lang), cost_definitions_section(result, kit)]


def write_budget_run(
    result: RunResult,
    kit: BudgetKit,
    out: Path | None = None,
    *,
    lang: Language | None = None,
    force: bool = False,
) -> Path:
    """``peer-econ budget``: the kit's tables, figures, workbook and manifest, atomically."""
    started = time.perf_counter()
    language = lang or Language("en")
    target = default_run_dir(Path("reports"), "budget") if out is None else Path(out)
    scale = kit.budget.scale
    with atomic_output_dir(
        target, force=force, protect=result.inputs.files if out is not None else ()
    ) as folder:
        write_kit_files(result, kit, folder, language)
        write_manifest(
            folder,
            command="budget",
            seed=result.seed,
            n_samples=result.n_samples,
            inputs=list(result.inputs.files),
            wall_time_s=time.perf_counter() - started + result.wall_time_s,
            extra={
                "scale": {
                    "municipalities": scale.municipalities,
                    "courses_per_municipality_per_year": scale.courses_per_municipality_per_year,
                    "years": scale.years,
                    "ramp_up": list(scale.ramp_up),
                },
                "strategies": list(kit.budget.budgets),
                "comparator": result.comparator,
                "perspective": result.inputs.settings.perspective,
                "language": language.code,
                "prices": "DKK 2024, undiscounted (budget impact convention)",
            },
        )
    return target
