"""Methods and results on heterogeneity (CHEERS 2022 item 18) and distributional effects
(item 19): what subgroup evidence exists and what the model can say; who gains and who pays,
including the volunteers' unpaid time."""

from __future__ import annotations

import pandas as pd

from peer_econ.outputs.report.blocks import Bullets, Cell, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import headline_strategy, scenario_label

#: Scenarios that speak to differences between groups of participants or places.
HETEROGENEITY_SCENARIOS = ("attendance_030", "attendance_060", "larger_groups", "venue_rented")
#: Costs that fall on volunteers and participants (counted only in wider perspectives).
UNPAID_ITEMS = ("volunteer_time", "participant_time", "participant_transport")


def build(ctx: Context) -> list[Section]:
    """Heterogeneity and distributional effects."""
    return [_heterogeneity(ctx), _distribution(ctx)]


def _heterogeneity(ctx: Context) -> Section:
    blocks: list[Paragraph | Bullets] = [
        Paragraph(ctx.t("equity.evidence")),
        Paragraph(ctx.t("equity.model_cannot")),
    ]
    frame = ctx.run.maybe("scenarios")
    strategy = headline_strategy(ctx)
    if frame is not None:
        rows = frame[frame["strategy"] == strategy].set_index("scenario")
        items = [
            ctx.t(
                "equity.scenario_line",
                scenario=scenario_label(ctx, name, rows.loc[name, "label"]),
                icer=ctx.icer(
                    rows.loc[name, "psa_inc_cost"],
                    rows.loc[name, "psa_inc_qaly"],
                    rows.loc[name, "psa_icer"],
                ),
                ce=ctx.chance(rows.loc[name, "prob_cost_effective"]),
                wtp=ctx.wtp_text(rows.loc[name, "wtp"]),
                comparator=ctx.comparator,
            )
            for name in HETEROGENEITY_SCENARIOS
            if name in rows.index
        ]
        if items:
            blocks.append(Paragraph(ctx.t("equity.model_can", option=ctx.strategy(strategy))))
            blocks.append(Bullets(tuple(items)))
    return Section("heterogeneity", "methods", ctx.t("equity.heterogeneity_title"), tuple(blocks),
                   cheers=(18,))  # fmt: skip


def _distribution(ctx: Context) -> Section:
    items = ctx.run.maybe("cost_items")
    blocks: list[Paragraph | Table] = [Paragraph(ctx.t("equity.gains"))]
    if items is not None:
        blocks.append(_who_pays_table(ctx, items))
    blocks.append(Paragraph(ctx.t("equity.volunteers")))
    blocks.append(Paragraph(ctx.t("equity.paid_peers")))
    return Section("distribution", "methods", ctx.t("equity.distribution_title"), tuple(blocks),
                   cheers=(19,))  # fmt: skip


def _who_pays_table(ctx: Context, items: pd.DataFrame) -> Table:
    """Per delivery form: counted cost by payer, and the unpaid time and costs of volunteers
    and participants (whether or not the perspective counts them)."""
    counted = items[items["counted"].astype(str) == "True"]
    payers = [
        p
        for p in dict.fromkeys(counted["payer"])
        if counted[counted["payer"] == p]["cost"].abs().sum() > 0
    ]
    rows = []
    for name in ctx.info.programme_names:
        mine = items[items["strategy"] == name]
        cells = [Cell(ctx.strategy(name))]
        for payer in payers:
            paid = mine[(mine["payer"] == payer) & (mine["counted"].astype(str) == "True")]
            cells.append(Cell(ctx.number(paid["cost"].sum()), True))
        for item in UNPAID_ITEMS:
            cost = mine[mine["item"] == item]["cost"].sum()
            cells.append(Cell(ctx.number(cost), True))
        rows.append(tuple(cells))
    headers = (
        ctx.t("equity.col_option"),
        *(ctx.t("equity.col_payer", payer=ctx.label("payer", p)) for p in payers),
        *(ctx.t("equity.col_unpaid", item=ctx.label("cost_item", i)) for i in UNPAID_ITEMS),
    )
    return Table(headers, tuple(rows), ctx.t("equity.table_caption"), wide=True,
                 note=ctx.t("equity.table_note"))  # fmt: skip
