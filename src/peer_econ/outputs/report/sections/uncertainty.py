"""Results: the effect of uncertainty (CHEERS 2022 item 24): the PSA, acceptability, EVPI,
one-way sensitivity and thresholds, scenarios and structural uncertainty."""

from __future__ import annotations

import math

from peer_econ.outputs.report.blocks import Cell, Figure, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import headline_strategy, scenario_label


def build(ctx: Context) -> list[Section]:
    """PSA and acceptability, sensitivity, scenarios, structural uncertainty."""
    out = [_psa(ctx)] if ctx.run.has("decision_points") else []
    if ctx.run.has("tornado"):
        out.append(_sensitivity(ctx))
    if ctx.run.has("scenarios"):
        out.append(_scenarios(ctx))
    if ctx.run.has("structural"):
        out.append(_structural(ctx))
    return out


def _psa(ctx: Context) -> Section:
    frame = ctx.run.table("decision_points")
    names = list(ctx.info.strategy_names)
    rows = []
    for wtp, group in frame.groupby("wtp", sort=True):
        by = group.set_index("strategy")
        optimal = by[by["optimal"].astype(bool)].index[0]
        rows.append(
            (
                Cell(ctx.number(wtp), True),
                *(Cell(ctx.chance(by.loc[n, "prob_best"]), True) for n in names),
                Cell(ctx.strategy(optimal)),
                Cell(ctx.number(by["evpi"].iloc[0]), True),
                Cell(ctx.number(by["population_evpi"].iloc[0]), True),
            )
        )
    headers = (
        ctx.t("uncertainty.col_wtp"),
        *(ctx.strategy(n) for n in names),
        ctx.t("uncertainty.col_optimal"),
        ctx.t("uncertainty.col_evpi"),
        ctx.t("uncertainty.col_population_evpi"),
    )
    best = Table(headers, tuple(rows), ctx.t("uncertainty.best_caption", n=len(names)),
                 wide=True, note=ctx.t("uncertainty.best_note"))  # fmt: skip
    ce_rows = []
    programme = list(ctx.info.programme_names)
    for wtp, group in frame.groupby("wtp", sort=True):
        by = group.set_index("strategy")
        ce_rows.append(
            (
                Cell(ctx.number(wtp), True),
                *(Cell(ctx.chance(by.loc[n, "prob_ce"]), True) for n in programme),
            )
        )
    pairwise = Table(
        (ctx.t("uncertainty.col_wtp"), *(ctx.strategy(n) for n in programme)),
        tuple(ce_rows),
        ctx.t("uncertainty.ce_caption", comparator=ctx.comparator),
        wide=True,
    )
    population = ctx.info.fact("population")
    blocks: list[Paragraph | Table | Figure] = [
        Paragraph(ctx.t("uncertainty.intro", samples=ctx.number(ctx.info["n_samples"]))),
        Paragraph(ctx.t("uncertainty.two_chances", comparator=ctx.comparator)),
        best,
        pairwise,
    ]
    if population:
        blocks.append(
            Paragraph(
                ctx.t(
                    "uncertainty.population",
                    per_year=ctx.number(population["per_year"]),
                    years=population["horizon_years"],
                    factor=ctx.number(population["factor"]),
                )
            )
        )
    blocks += [
        Figure(
            "ce_plane_incremental",
            ctx.t("uncertainty.plane_caption", comparator=ctx.comparator, wtp=ctx.wtp_text()),
        ),
        Figure("ceac", ctx.t("uncertainty.ceac_caption")),
        Figure("evpi", ctx.t("uncertainty.evpi_caption")),
        Figure("expected_loss", ctx.t("uncertainty.loss_caption")),
    ]
    return Section("psa", "results", ctx.t("uncertainty.title"), tuple(blocks), cheers=(24,))


def _sensitivity(ctx: Context) -> Section:
    strategy = headline_strategy(ctx)
    blocks: list[Paragraph | Table | Figure] = [
        Paragraph(
            ctx.t(
                "sensitivity.intro",
                option=ctx.strategy(strategy),
                comparator=ctx.comparator,
                wtp=ctx.wtp_text(),
            )
        )
    ]
    rows: tuple[tuple[Cell, ...], ...]
    tornado = ctx.run.maybe("tornado")
    if tornado is not None:
        rows = tuple(
            (
                Cell(ctx.parameter(r["parameter"])),
                Cell(ctx.t("range", low=ctx.sig(r["low"], 4), high=ctx.sig(r["high"], 4)), True),
                Cell(ctx.number(r["outcome_low"]), True),
                Cell(ctx.number(r["outcome_high"]), True),
            )
            for r in tornado.head(10).to_dict("records")
        )
        headers = tuple(
            ctx.t(f"sensitivity.col_{k}") for k in ("parameter", "range", "low", "high")
        )
        blocks += [
            Table(headers, rows, ctx.t("sensitivity.tornado_caption"), wide=True),
            Figure("tornado", ctx.t("sensitivity.tornado_figure")),
        ]
    max_cost = ctx.run.maybe("threshold_max_cost")
    if max_cost is not None:
        rows = tuple(
            (
                Cell(ctx.strategy(r["strategy"])),
                Cell(ctx.qaly(r["inc_qaly"]), True),
                Cell(ctx.number(r["inc_cost"]), True),
                Cell(ctx.number(r["max_inc_cost"]), True),
                Cell(ctx.number(r["headroom"]), True),
            )
            for r in max_cost.to_dict("records")
        )
        headers = tuple(
            ctx.t(f"sensitivity.max_col_{k}", comparator=ctx.comparator)
            for k in ("option", "qaly", "cost", "max", "headroom")
        )
        blocks.append(
            Table(headers, rows, ctx.t("sensitivity.max_caption", wtp=ctx.wtp_text()), wide=True)
        )
    durability = ctx.run.maybe("threshold_durability")
    if durability is not None:
        rows = tuple(
            (
                Cell(ctx.strategy(r["strategy"])),
                Cell(
                    ctx.months(r["threshold"])
                    if math.isfinite(float(r["threshold"]))
                    else ctx.t("sensitivity.no_threshold"),
                    True,
                ),
                Cell(ctx.number(r["base_inmb"]), True),
            )
            for r in durability.to_dict("records")
        )
        headers = tuple(ctx.t(f"sensitivity.dur_col_{k}") for k in ("option", "threshold", "inmb"))
        blocks.append(
            Table(
                headers,
                rows,
                ctx.t("sensitivity.dur_caption", wtp=ctx.wtp_text(), comparator=ctx.comparator),
            )
        )
    blocks += [
        Paragraph(ctx.t("sensitivity.two_way")),
        Figure("utility_durability", ctx.t("sensitivity.two_way_figure")),
    ]
    return Section(
        "sensitivity", "results", ctx.t("sensitivity.title"), tuple(blocks), cheers=(24,)
    )


def _scenarios(ctx: Context) -> Section:
    frame = ctx.run.table("scenarios")
    strategy = str(ctx.info.fact("scenarios", "strategy", default=headline_strategy(ctx)))
    mine = frame[frame["strategy"] == strategy]
    rows = tuple(
        (
            Cell(scenario_label(ctx, r["scenario"], r["label"])),
            Cell(ctx.icer_cell(r["det_inc_cost"], r["det_inc_qaly"], r["det_icer"]), True),
            Cell(ctx.icer_cell(r["psa_inc_cost"], r["psa_inc_qaly"], r["psa_icer"]), True),
            Cell(ctx.number(r["psa_inmb"]), True),
            Cell(ctx.chance(r["prob_cost_effective"]), True),
        )
        for r in mine.to_dict("records")
    )
    samples = ctx.info.fact("scenarios", "n_samples", default=ctx.info["n_samples"])
    headers = tuple(
        ctx.t(f"scenarios.col_{k}", comparator=ctx.comparator, wtp=ctx.wtp_text())
        for k in ("scenario", "det_icer", "psa_icer", "inmb", "ce")
    )
    one = Table(
        headers, rows,
        ctx.t("scenarios.caption", option=ctx.strategy(strategy), comparator=ctx.comparator,
              wtp=ctx.wtp_text(), samples=ctx.number(samples)),
        wide=True,
    )  # fmt: skip
    programme = list(ctx.info.programme_names)
    every_rows = []
    for scenario, group in frame.groupby("scenario", sort=False):
        by = group.set_index("strategy")
        every_rows.append(
            (
                Cell(scenario_label(ctx, str(scenario), by["label"].iloc[0])),
                *(
                    Cell(
                        ctx.icer_cell(
                            by.loc[n, "psa_inc_cost"],
                            by.loc[n, "psa_inc_qaly"],
                            by.loc[n, "psa_icer"],
                        ),
                        True,
                    )
                    for n in programme
                    if n in by.index
                ),
            )
        )
    every = Table(
        (ctx.t("scenarios.col_scenario"), *(ctx.strategy(n) for n in programme)),
        tuple(every_rows),
        ctx.t("scenarios.every_caption", comparator=ctx.comparator),
        wide=True,
    )
    blocks = (
        Paragraph(ctx.t("scenarios.intro")),
        one,
        every,
        Figure("scenarios_forest", ctx.t("scenarios.figure")),
    )
    return Section("scenarios", "results", ctx.t("scenarios.title"), blocks, cheers=(20, 24))


def _structural(ctx: Context) -> Section:
    frame = ctx.run.table("structural")
    strategy = str(ctx.info.fact("structural", "strategy", default=headline_strategy(ctx)))
    mine = frame[frame["strategy"] == strategy]
    horizons = sorted(mine["horizon_months"].unique())
    rows = []
    for (outcome, shape), group in mine.groupby(["source_outcome", "durability"], sort=False):
        by = group.set_index("horizon_months")
        rows.append(
            (
                Cell(ctx.label("outcome", outcome)),
                Cell(ctx.label("durability", shape)),
                *(
                    Cell(
                        ctx.icer_cell(
                            by.loc[h, "psa_inc_cost"],
                            by.loc[h, "psa_inc_qaly"],
                            by.loc[h, "psa_icer"],
                        ),
                        True,
                    )
                    for h in horizons
                ),
                *(Cell(ctx.chance(by.loc[h, "prob_cost_effective"]), True) for h in horizons),
            )
        )
    headers = (
        ctx.t("structural.col_outcome"),
        ctx.t("structural.col_durability"),
        *(ctx.t("structural.col_icer", months=ctx.sig(h)) for h in horizons),
        *(ctx.t("structural.col_ce", months=ctx.sig(h)) for h in horizons),
    )
    samples = ctx.info.fact("structural", "n_samples", default=ctx.info["n_samples"])
    table = Table(
        headers, tuple(rows),
        ctx.t("structural.caption", option=ctx.strategy(strategy), comparator=ctx.comparator,
              wtp=ctx.wtp_text(), samples=ctx.number(samples)),
        wide=True,
    )  # fmt: skip
    blocks = (Paragraph(ctx.t("structural.intro")), table)
    return Section("structural", "results", ctx.t("structural.title"), blocks, cheers=(20, 24))
