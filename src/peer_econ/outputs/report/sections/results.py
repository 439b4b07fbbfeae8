"""Results: costs, QALYs and the incremental analysis (CHEERS 2022 item 23), costs by item and
payer, and the cost-consequence readout that needs no utility mapping."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import pandas as pd

from peer_econ.outputs.report.blocks import Cell, Figure, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context


def build(ctx: Context) -> list[Section]:
    """Main results, costs by item and payer, cost-consequence."""
    return [_main(ctx), _costs(ctx), _consequences(ctx)]


def _main(ctx: Context) -> Section:
    head = ctx.run.table("headline")
    rows = []
    for r in head.to_dict("records"):
        is_ref = r["strategy"] == ctx.info.comparator
        rows.append(
            (
                Cell(ctx.strategy(r["strategy"])),
                Cell(ctx.number(r["cost"]), True),
                Cell(ctx.qaly(r["qaly"]), True),
                Cell("–" if is_ref else ctx.number(r["inc_cost"]), True),
                Cell("–" if is_ref else ctx.qaly(r["inc_qaly"]), True),
                Cell(
                    "–" if is_ref else ctx.icer_cell(r["inc_cost"], r["inc_qaly"], r["icer"]), True
                ),
                Cell(
                    "–"
                    if is_ref
                    else ctx.icer_cell(
                        r["det_cost"] - _ref(head, ctx, "det_cost"),
                        r["det_qaly"] - _ref(head, ctx, "det_qaly"),
                        r["det_icer"],
                    ),
                    True,
                ),  # fmt: skip
            )
        )
    headers = tuple(
        ctx.t(f"results.col_{k}", comparator=ctx.comparator)
        for k in ("option", "cost", "qaly", "inc_cost", "inc_qaly", "icer", "det_icer")
    )
    main = Table(
        headers,
        tuple(rows),
        ctx.t(
            "results.main_caption",
            horizon=ctx.sig(ctx.info.setting("horizon_months")),
            samples=ctx.number(ctx.info["n_samples"]),
        ),
        wide=True,
        note=ctx.t("results.main_note"),
    )
    blocks: list[Paragraph | Table | Figure] = [Paragraph(ctx.t("results.main_intro")), main]
    if ctx.run.has("icers"):
        blocks.append(_incremental(ctx))
    blocks.append(Figure("frontier", ctx.t("results.frontier_caption")))
    return Section("results", "results", ctx.t("results.title"), tuple(blocks), cheers=(23,))


def _ref(head: pd.DataFrame, ctx: Context, column: str) -> float:
    return float(head[head["strategy"] == ctx.info.comparator][column].iloc[0])


def _incremental(ctx: Context) -> Table:
    icers = ctx.run.table("icers")
    rows = []
    for r in icers.to_dict("records"):
        status = str(r["status"])
        note = str(r["note"]) if isinstance(r["note"], str) else ""
        rows.append(
            (
                Cell(ctx.strategy(r["strategy"])),
                Cell(ctx.number(r["cost"]), True),
                Cell(ctx.qaly(r["effect"]), True),
                Cell(_maybe(ctx.number, r["inc_cost"]), True),
                Cell(_maybe(ctx.qaly, r["inc_effect"]), True),
                Cell(_maybe(ctx.number, r["icer"]), True),
                Cell(_status_words(ctx, status, note)),
            )
        )
    headers = tuple(
        ctx.t(f"results.icer_col_{k}")
        for k in ("option", "cost", "qaly", "inc_cost", "inc_qaly", "icer", "status")
    )
    return Table(headers, tuple(rows), ctx.t("results.icers_caption"), wide=True)


def _maybe(formatter: object, value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "–" if not math.isfinite(number) else formatter(number)  # type: ignore[operator]


def _status_words(ctx: Context, status: str, note: str) -> str:
    """The status of a row of the incremental analysis in words, with strategy labels."""
    names = [n for n in ctx.info.strategy_names if n in note.replace(",", " ").split()]
    others = ctx.t("list.and").join(ctx.strategy(n) for n in names)
    if note == "reference":
        return ctx.t("results.status_reference")
    if status == "ND":
        return ctx.t("results.status_nd", rival=others)
    if status == "D":
        return ctx.t("results.status_d", rival=others)
    return ctx.t("results.status_ed", rival=others)


def _costs(ctx: Context) -> Section:
    items = ctx.run.table("cost_items")
    names = list(ctx.info.strategy_names)
    pivot = items.pivot_table(
        index=["item", "payer", "counted"], columns="strategy", values="cost", sort=False
    ).reset_index()
    pivot = pivot[(pivot[names] != 0).any(axis=1)]
    pivot["counted_first"] = pivot["counted"].astype(str) != "True"
    pivot = pivot.sort_values("counted_first", kind="stable")
    rows = []
    for r in pivot.to_dict("records"):
        counted = str(r["counted"]) == "True"
        rows.append(
            (
                Cell(ctx.label("cost_item", r["item"])),
                Cell(ctx.label("payer", r["payer"])),
                Cell(ctx.t("yes" if counted else "no")),
                *(Cell(ctx.number(r[n]), True) for n in names),
            )
        )
    headers = (
        ctx.t("results.item_col_item"),
        ctx.t("results.item_col_payer"),
        ctx.t("results.item_col_counted"),
        *(ctx.strategy(n) for n in names),
    )
    by_item = Table(headers, tuple(rows), ctx.t("results.items_caption"), wide=True,
                    note=ctx.t("results.items_note"))  # fmt: skip
    split = ctx.run.table("payer_split")
    wide = split.pivot_table(index="payer", columns="strategy", values="cost", sort=False)
    payer_rows = tuple(
        (
            Cell(ctx.label("payer", payer)),
            *(Cell(ctx.number(wide.loc[payer, n]), True) for n in names),
        )
        for payer in wide.index
    )
    by_payer = Table(
        (ctx.t("results.item_col_payer"), *(ctx.strategy(n) for n in names)),
        payer_rows,
        ctx.t("results.payers_caption"),
        wide=True,
    )
    blocks = (Paragraph(ctx.t("results.costs_intro")), by_item, by_payer)
    return Section("costs", "results", ctx.t("results.costs_title"), blocks, cheers=(23,))


def _consequences(ctx: Context) -> Section:
    frame = ctx.run.table("cost_consequence")
    rows = []
    for r in frame.to_dict("records"):
        rows.append(
            (
                Cell(ctx.strategy(r["strategy"])),
                Cell(ctx.number(r["inc_cost"]), True),
                Cell(_with_interval(ctx, r, "qpr15_md"), True),
                Cell(_with_interval(ctx, r, "mansa_md"), True),
                Cell(_with_interval(ctx, r, "wsas_md"), True),
                Cell(ctx.number(r["cost_per_qpr15_point"]), True),
            )
        )
    headers = tuple(
        ctx.t(f"results.cc_col_{k}", comparator=ctx.comparator)
        for k in ("option", "inc_cost", "qpr15", "mansa", "wsas", "per_point")
    )
    table = Table(headers, tuple(rows), ctx.t("results.cc_caption"), wide=True,
                  note=ctx.t("results.cc_note"))  # fmt: skip
    blocks = (Paragraph(ctx.t("results.cc_intro")), table)
    return Section("cost-consequence", "results", ctx.t("results.cc_title"), blocks, cheers=(23,))


def _with_interval(ctx: Context, row: Mapping[Hashable, object], column: str) -> str:
    return ctx.t(
        "interval",
        value=ctx.number(row[column], 1),
        low=ctx.number(row[f"{column}_p2_5"], 1),
        high=ctx.number(row[f"{column}_p97_5"], 1),
    )
