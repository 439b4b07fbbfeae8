"""``peer-econ budget`` and the budget part of a run: the commissioner's kit written to a folder.

Tables (tidy CSV, machine-readable in every language), figures and an Excel workbook for the
meeting, all from :mod:`peer_econ.runs.budget_plan`; the report presents them from the folder.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from peer_econ.errors import InputError
from peer_econ.model.capacity import DeliveryPlan
from peer_econ.model.results import RunResult
from peer_econ.outputs.files import atomic_output_dir, default_run_dir, write_csv, write_manifest
from peer_econ.outputs.language import Language
from peer_econ.outputs.run_files import TABLES
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
    "comparison": TABLES["funding_comparison"],
    "by_payer": TABLES["budget_by_payer"],
    "by_item": TABLES["budget_by_item"],
    "business": TABLES["business_case"],
    "capacity": TABLES["capacity"],
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


def write_kit_files(
    result: RunResult, kit: BudgetKit, folder: Path, lang: Language, *, figures: bool = True
) -> None:
    """Write the kit's tables, workbook and (``figures``) figures in ``lang`` into ``folder``."""
    for key, name in KIT_TABLES.items():
        write_csv(kit.tables[key], folder / name)
    if figures:
        write_kit_figures(kit, folder, lang)
    write_workbook(folder / WORKBOOK_NAME, workbook_sheets(result, kit, lang))


def write_kit_figures(kit: BudgetKit, folder: Path, lang: Language) -> None:
    """The yearly budget by payer and the business case of the headline delivery form."""
    from peer_econ.outputs import plots

    strategy = headline_of(kit)
    plan = kit.budget.budgets[strategy]
    payer_labels = {p: lang.t(f"payer.{p}") for p in (*_payers(kit), "total")}
    plots.save_axes(
        plots.plot_budget_years(plan.by_payer(), labels=payer_labels, lang=lang),
        folder,
        "budget_years",
    )
    case = plan.business_case()
    case = case.assign(authority=[lang.t(f"authority.{a}") for a in case["authority"]])
    payback = {lang.t(f"authority.{a}"): y for a, y in plan.payback().items()}
    plots.save_axes(plots.plot_cumulative_net(case, payback, lang=lang), folder, "business_case")


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


def _summary_frame(
    result: RunResult, kit: BudgetKit, lang: Language, labels: dict[str, str]
) -> pd.DataFrame:
    """The workbook's summary sheet: ``item, value`` rows of the scale (municipalities,
    courses per year, years), the PSA (samples, seed), perspective and comparator (by its
    label), items named in ``lang``."""
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
    return pd.DataFrame(
        [{"item": lang.t(f"summary.{key}"), "value": value} for key, value in facts]
    )


def _parameter_frame(result: RunResult) -> pd.DataFrame:
    """The workbook's inputs sheet: one row per parameter, ``parameter, value, distribution,
    low, high, unit, source, tag`` (value, low and high in the parameter's unit)."""
    return pd.DataFrame(
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


def workbook_sheets(result: RunResult, kit: BudgetKit, lang: Language) -> list[Sheet]:
    """The meeting workbook: summary, comparison, budget, business case, capacity, costs,
    inputs and assumptions, numbers numeric with number formats, texts in ``lang``."""
    comparison = kit.comparison.drop(columns=["label"])
    labels = {s.name: s.label for s in result.inputs.strategies}
    prob_cols = {c: "probability" for c in comparison.columns if c.startswith("prob_ce_")}
    money_cols = {c: "dkk" for c in comparison.columns if c.startswith(("budget_", "cost_"))}
    summary = _summary_frame(result, kit, lang, labels)
    params = _parameter_frame(result)
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


#: Cost-per-participant figures of a run (key, where it is used), defined in words by the
#: report's ``cost_definitions`` texts.
COST_CONCEPTS = (
    ("expected", "headline.csv, ICERs, scale curve at the base scale"),
    ("at_parameter_means", "deterministic.csv, threshold tables, tornado"),
    ("per_course", "one more course in a programme that already runs"),
    ("fixed_programme", "cost item programme_fixed"),
    ("per_attending", "cost_per_participant of attenders"),
    ("budget_running_year", "funding_comparison.csv"),
)


def cost_definitions_table(result: RunResult, kit: BudgetKit) -> pd.DataFrame:
    """Every cost-per-participant figure of the run with its value per programme variant.

    The first five come from the cost-utility model (:meth:`RunResult.cost_per_participant`):
    expected (PSA mean) and at the parameter means at the settings' delivery scale, per course
    without fixed programme costs, the fixed programme cost alone, and per participant attending
    8 or more sessions. The last is the kit's budget per participant served in a running year
    (cash and in kind, local coordination at this scale, no set-up), the figure of
    ``funding_comparison.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per figure and programme variant: ``concept``, ``strategy``,
        ``cost_per_participant`` [DKK 2024], ``municipalities``,
        ``courses_per_municipality_per_year`` and ``used_in``.
    """
    settings = result.inputs.settings
    per = result.cost_per_participant().set_index("strategy")
    budget = kit.comparison.set_index("strategy")["cost_per_participant"]
    rows = []
    for concept, used_in in COST_CONCEPTS:
        for name in kit.budget.budgets:
            value = budget[name] if concept == "budget_running_year" else per.at[name, concept]
            rows.append(
                {
                    "concept": concept,
                    "strategy": name,
                    "cost_per_participant": float(str(value)),
                    "municipalities": settings.municipalities,
                    "courses_per_municipality_per_year": settings.courses_per_municipality_per_year,
                    "used_in": used_in,
                }
            )
    return pd.DataFrame(rows)


def write_budget_for_run(result: RunResult, folder: Path) -> dict[str, object] | None:
    """Run-folder writer: the kit at the settings' scale (see :func:`write_kit_for_run`)."""
    if not programme_strategies(result):
        return None
    return write_kit_for_run(result, compute_kit(result, run_scale(result)), folder)


def write_kit_for_run(result: RunResult, kit: BudgetKit, folder: Path) -> dict[str, object]:
    """The kit's tables and ``cost_definitions.csv`` in a run folder (the figures are drawn from
    the folder afterwards, in the run's language); returns the scale and the delivery form its
    figures show (the run's ``budget`` fact)."""
    write_kit_files(result, kit, folder, Language("en"), figures=False)
    write_csv(cost_definitions_table(result, kit), folder / TABLES["cost_definitions"])
    scale = kit.budget.scale
    return {
        "budget": {
            "municipalities": scale.municipalities,
            "courses_per_municipality_per_year": scale.courses_per_municipality_per_year,
            "years": scale.years,
            "strategy": headline_of(kit),
            "n_samples": kit.budget.n_samples,
        }
    }


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
