"""Readouts several sections share, so a number or a sentence is made in one place only."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from peer_econ.outputs.report.context import Context


def points_at(ctx: Context, wtp: float | None = None, *, trial: bool = False) -> pd.DataFrame:
    """Rows of the decision table at ``wtp`` (default the reference WTP), one per strategy."""
    key = "trial_decision_points" if trial else "decision_points"
    frame = ctx.run.maybe(key)
    if frame is None:
        return pd.DataFrame()
    target = ctx.wtp if wtp is None else wtp
    return frame[frame["wtp"] == target].set_index("strategy")


def optimal_at(ctx: Context, wtp: float | None = None) -> str:
    """The strategy with the highest expected net benefit at ``wtp`` (default the reference):
    ``wtp x mean QALYs - mean cost`` of the headline table (probabilistic means), the same
    choice as the decision table's ``optimal`` column."""
    head = ctx.run.table("headline")
    target = ctx.wtp if wtp is None else wtp
    net = target * head["qaly"].astype(float) - head["cost"].astype(float)
    return str(head["strategy"].iloc[int(net.to_numpy().argmax())])


def parameter_value(ctx: Context, name: str) -> float | None:
    """Base value of a parameter as used, ``None`` when the run has no such parameter."""
    row = ctx.row("parameters", name=name)
    return None if row is None else float(row["value"])


def durability_phrase(ctx: Context) -> str:
    """How the gain behaves after the course under the run's settings, in words."""
    shape = str(ctx.info.setting("durability"))
    if shape == "linear":
        months = parameter_value(ctx, "decay_months")
        return ctx.t("durability.linear", months=ctx.sig(months if months is not None else 0))
    if shape == "exponential":
        months = parameter_value(ctx, "half_life_months")
        return ctx.t("durability.exponential", months=ctx.sig(months if months is not None else 0))
    return ctx.t(f"durability.{shape}")


def mapping_phrase(ctx: Context) -> str:
    """How utility is obtained under the run's settings, in words."""
    route = str(ctx.info.setting("utility_route"))
    outcome = ctx.label("outcome", ctx.info.setting("source_outcome"))
    return ctx.t(f"mapping.{route}", outcome=outcome)


@dataclass(frozen=True)
class Scale:
    """The delivery scale of the run's budget."""

    municipalities: int
    courses: float
    years: int
    strategy: str


def budget_scale(ctx: Context) -> Scale | None:
    """Scale of the commissioner's kit in the folder (``None`` without a budget)."""
    fact = ctx.info.fact("budget")
    if not fact:
        return None
    return Scale(
        int(fact["municipalities"]),
        float(fact["courses_per_municipality_per_year"]),
        int(fact["years"]),
        str(fact["strategy"]),
    )


def participants_per_year(ctx: Context, strategy: str) -> float | None:
    """Participants enrolled in a full year of delivery (capacity table, last year)."""
    frame = ctx.run.maybe("capacity")
    if frame is None:
        return None
    rows = frame[(frame["strategy"] == strategy) & (frame["quantity"] == "participants")]
    return None if rows.empty else float(rows.iloc[-1]["mean"])


def scale_phrase(ctx: Context, scale: Scale) -> str:
    """``4 courses a year in each of 5 municipalities (about 160 participants a year)``."""
    people = participants_per_year(ctx, scale.strategy)
    return ctx.t(
        "scale",
        courses=ctx.sig(scale.courses),
        municipalities=scale.municipalities,
        participants=ctx.number(people if people is not None else math.nan),
    )


def payer_amounts(ctx: Context, strategy: str) -> list[tuple[str, float]]:
    """Later-year budget by payer of a delivery form (funding comparison), largest first."""
    row = ctx.row("funding_comparison", strategy=strategy)
    if row is None:
        return []
    amounts = [
        (column.removeprefix("budget_"), float(row[column]))
        for column in row.index
        if column.startswith("budget_")
        and column not in ("budget_year1", "budget_steady_year")
        and float(row[column]) > 0
    ]
    return sorted(amounts, key=lambda pair: -pair[1])


def who_pays(ctx: Context, strategy: str) -> str:
    """Who pays a delivery form's yearly budget, with shares."""
    amounts = payer_amounts(ctx, strategy)
    total = sum(amount for _, amount in amounts)
    if not amounts or total <= 0:
        return ctx.t("decision.nobody_pays")
    if len(amounts) == 1:
        return ctx.t("decision.one_payer", payer=ctx.label("payer", amounts[0][0]))
    return "; ".join(
        ctx.t(
            "decision.payer_share",
            payer=ctx.label("payer", payer),
            amount=ctx.dkk(amount),
            share=ctx.chance(amount / total),
        )
        for payer, amount in amounts
    )


def headline_strategy(ctx: Context) -> str:
    """The delivery form the sensitivity analyses follow (the run's choice)."""
    fact = ctx.info.fact("sensitivity", "strategy")
    if fact:
        return str(fact)
    return ctx.info.programme_names[0]


def wtp_ranges(values: list[float], step: float) -> list[tuple[float, float]]:
    """Contiguous runs of a sorted WTP grid subset, as ``(first, last)`` pairs."""
    runs: list[tuple[float, float]] = []
    for value in sorted(values):
        if runs and math.isclose(value - runs[-1][1], step, rel_tol=1e-9):
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def range_text(ctx: Context, runs: list[tuple[float, float]]) -> str:
    """WTP ranges in words (``130,000 to 190,000 DKK per QALY``)."""
    parts = [
        ctx.t("wtp_range.one", wtp=ctx.number(a))
        if a == b
        else ctx.t("wtp_range.span", low=ctx.number(a), high=ctx.number(b))
        for a, b in runs
    ]
    return ctx.t("wtp_range.unit", ranges=ctx.t("list.and").join(parts))


def trial_messages(ctx: Context) -> list[str]:
    """The value-of-information messages, each naming the WTP range it holds for.

    One source for the key messages and the value-of-information section, so they cannot
    contradict each other.
    """
    out: list[str] = []
    evpi = points_at(ctx)
    if not evpi.empty:
        first = evpi.iloc[0]
        out.append(
            ctx.t(
                "voi.evpi_message",
                wtp=ctx.wtp_text(),
                amount=ctx.dkk(first["evpi"]),
                population=ctx.t(
                    "unit.million_dkk", amount=ctx.number(first["population_evpi"] / 1e6, 1)
                ),
            )
        )
    ranking = ctx.run.maybe("evppi_ranking")
    if ranking is not None and len(ranking):
        top = ranking.iloc[0]
        kind = "voi_group" if top["kind"] == "group" else "parameter"
        out.append(
            ctx.t(
                "voi.top_message",
                name=ctx.in_text(kind, top["name"]),
                amount=ctx.dkk(top["evppi"]),
                wtp=ctx.wtp_text(),
                share=ctx.chance(top["share"]),
            )
        )
    optimal = ctx.run.maybe("evsi_optimal")
    if optimal is not None and len(optimal):
        worth = optimal[optimal["n_optimal"] > 0]
        step = float(ctx.info.setting("wtp_step"))
        months = ctx.info.fact("voi", "study_followup_months", default=[3, 12])
        follow = ctx.t("list.and").join(ctx.sig(m) for m in months)
        at_point = optimal[optimal["wtp"] == ctx.wtp]
        n_at_point = float(at_point["n_optimal"].iloc[0]) if len(at_point) else 0.0
        if worth.empty:
            out.append(ctx.t("voi.trial_never", months=follow))
        else:
            ranges = range_text(ctx, wtp_ranges(list(worth["wtp"].astype(float)), step))
            sizes = ctx.number(float(worth["n_optimal"].median()))
            key = "voi.trial_at_point" if n_at_point > 0 else "voi.trial_not_at_point"
            out.append(
                ctx.t(key, months=follow, ranges=ranges, size=sizes, wtp=ctx.wtp_text(),
                      n=ctx.number(n_at_point))
            )  # fmt: skip
    return out


def scenario_label(ctx: Context, name: str, english: object) -> str:
    """A scenario's label: ``labels.csv`` in this language, else the scenario file's label."""
    return ctx.info.label("scenario", name, ctx.lang.code) or str(english)
