"""The commissioner's kit: funding comparison, budget by year and payer, business case."""

from __future__ import annotations

from peer_econ.analysis.budget import payback_year
from peer_econ.outputs.report.blocks import (
    Block,
    Bullets,
    Cell,
    Figure,
    Paragraph,
    Section,
    Table,
)
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import budget_scale, scale_phrase


def build(ctx: Context) -> list[Section]:
    """Budget impact and who pays (absent when the run has no programme to budget)."""
    scale = budget_scale(ctx)
    comparison = ctx.run.maybe("funding_comparison")
    if scale is None or comparison is None:
        return []
    prob = f"prob_ce_{ctx.wtp:.0f}"
    rows = tuple(
        (
            Cell(ctx.strategy(r["strategy"])),
            Cell(ctx.number(r["cost_per_participant"]), True),
            Cell(ctx.number(r["budget_year1"]), True),
            Cell(ctx.number(r["budget_steady_year"]), True),
            Cell(ctx.number(r["coordinator_fte"], 2), True),
            Cell(ctx.number(r["paid_peer_fte"], 2), True),
            Cell(ctx.number(r["volunteers_trained_year1"]), True),
            Cell(ctx.chance(r[prob]) if prob in r else "–", True),
        )
        for r in comparison.to_dict("records")
    )
    headers = tuple(
        ctx.t(f"budget.col_{k}", wtp=ctx.wtp_text(), comparator=ctx.comparator)
        for k in ("option", "per_participant", "year1", "later", "coordinator", "paid",
                  "volunteers", "chance")
    )  # fmt: skip
    funding = Table(headers, rows, ctx.t("budget.comparison_caption"), wide=True,
                    note=ctx.t("budget.comparison_note"))  # fmt: skip
    by_payer = ctx.run.table("budget_by_payer")
    mine = by_payer[by_payer["strategy"] == scale.strategy]
    yearly = tuple(
        (
            Cell(ctx.t("budget.all_years") if str(r["year"]) == "all" else str(r["year"])),
            Cell(
                ctx.t("budget.total") if r["payer"] == "total" else ctx.label("payer", r["payer"])
            ),
            Cell(ctx.number(r["cash"]), True),
            Cell(ctx.number(r["in_kind"]), True),
            Cell(ctx.number(r["total"]), True),
            Cell(
                ctx.t("range", low=ctx.number(r["total_lower"]), high=ctx.number(r["total_upper"])),
                True,
            ),
        )
        for r in mine.to_dict("records")
    )
    headers = tuple(
        ctx.t(f"budget.year_col_{k}")
        for k in ("year", "payer", "cash", "in_kind", "total", "interval")
    )
    budget = Table(
        headers,
        yearly,
        ctx.t("budget.by_year_caption", option=ctx.strategy(scale.strategy)),
        wide=True,
    )
    blocks: tuple[Block, ...] = (
        Paragraph(ctx.t("budget.intro", scale=scale_phrase(ctx, scale), years=scale.years)),
        Paragraph(ctx.t("budget.definitions"), "note"),
        funding,
        budget,
        Figure("budget_years", ctx.t("budget.years_figure", option=ctx.strategy(scale.strategy))),
        Paragraph(ctx.t("budget.business")),
        *_payback(ctx, scale.strategy),
        Figure(
            "business_case", ctx.t("budget.business_figure", option=ctx.strategy(scale.strategy))
        ),
    )
    return [Section("budget", "budget", ctx.t("budget.title"), blocks)]


#: Authorities of ``business_case.csv`` -> their payer code in ``labels.csv``.
AUTHORITY_PAYERS = {"kommune": "municipality", "region": "region", "stat": "state",
                    "ngo_grant": "ngo_grant"}  # fmt: skip


def _payback(ctx: Context, strategy: str) -> tuple[Bullets, ...]:
    """Payback or no payback for each authority that spends on ``strategy`` (business case)."""
    case = ctx.run.maybe("business_case")
    if case is None:
        return ()
    lines = []
    for authority, rows in case[case["strategy"] == strategy].groupby("authority", sort=False):
        if not (rows["investment"] > 0).any():
            continue
        last = rows.iloc[-1]
        year = payback_year(rows["cumulative_net"].to_numpy(dtype=float))
        values = {
            "authority": ctx.label("payer", AUTHORITY_PAYERS.get(str(authority), authority)),
            "year": year,
            "years": int(last["year"]),
            "net": ctx.dkk(last["cumulative_net"]),
            "chance": ctx.chance(last["prob_paid_back"]),
        }
        lines.append(ctx.t("budget.payback" if year is not None else "budget.no_payback", **values))
    return (Bullets(tuple(lines)),) if lines else ()
