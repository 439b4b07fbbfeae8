"""What the ranking of the delivery forms rests on: the effect-multiplier thresholds.

The trial tested volunteer delivery with companionship; the other forms take their effect from an
assumed multiplier of it. ``multiplier_thresholds.csv`` gives, per form, the multiplier at which
its standing would change (course-only: where it becomes efficient; paid and hybrid: where it is
worth its extra cost over volunteer delivery). Page one quotes the same sentence.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

from peer_econ.outputs.report.blocks import Bullets, Cell, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context

#: Standings of the incremental analysis, by their code in icers.csv.
STATUS_KEYS = {"ND": "efficient", "ED": "extended", "D": "dominated"}


def build(ctx: Context) -> list[Section]:
    """The thresholds table and one sentence per form (absent without the table)."""
    table = ctx.run.maybe("multiplier_thresholds")
    if table is None or table.empty:
        return []
    rows = table.to_dict("records")
    cells = tuple(
        (
            Cell(ctx.strategy(r["strategy"])),
            Cell(ctx.parameter(r["parameter"])),
            Cell(ctx.number(r["assumed"], 2), True),
            Cell(ctx.t(f"assumptions.status_{STATUS_KEYS.get(str(r['status']), 'efficient')}")),
            Cell(_threshold_cell(ctx, r), True),
            Cell(ctx.chance(r["prob_best"]), True),
        )
        for r in rows
    )
    headers = tuple(
        ctx.t(f"assumptions.col_{k}", wtp=ctx.wtp_text())
        for k in ("option", "parameter", "assumed", "status", "threshold", "best")
    )
    blocks: list[Paragraph | Table | Bullets] = [
        Paragraph(ctx.t("assumptions.intro")),
        Table(headers, cells, ctx.t("assumptions.caption"), wide=True),
        Bullets(tuple(sentence(ctx, r) for r in rows)),
    ]
    noise = ctx.info.fact("frontier_noise") or {}
    for name, versus in sorted(noise.items()):
        blocks.append(
            Paragraph(
                ctx.t("assumptions.noise", option=ctx.strategy(name), rival=ctx.strategy(versus))
            )  # fmt: skip
        )
    return [Section("ranking-assumptions", "results", ctx.t("assumptions.title"), tuple(blocks))]


def _threshold_cell(ctx: Context, row: Mapping[Hashable, Any]) -> str:
    threshold = float(row["threshold"])
    return ctx.t("assumptions.never") if not math.isfinite(threshold) else ctx.number(threshold, 2)


def sentence(ctx: Context, row: Mapping[Hashable, Any]) -> str:
    """The conclusion for one form, the assumption it rests on, and where it would change."""
    name = ctx.strategy(row["strategy"])
    rival = ctx.strategy(row["reference"])
    assumed, threshold = float(row["assumed"]), float(row["threshold"])
    values = {
        "option": name,
        "rival": rival,
        "parameter": ctx.in_text("parameter", row["parameter"]),
        "assumed": ctx.number(assumed, 2),
        "threshold": ctx.number(threshold, 2),
        "more": ctx.number(100 * (threshold - 1)),
        "limit": ctx.sig(ctx.info.fact("assumptions", "max_multiplier", default=math.nan)),
        "extra": ctx.dkk(row["cost_vs_reference"]),
        "wtp": ctx.wtp_text(row["wtp"]),
        "best": ctx.chance(row["prob_best"]),
    }
    finite = "" if math.isfinite(threshold) else "_never"
    if row["question"] == "efficient":
        status = STATUS_KEYS.get(str(row["status"]), "efficient")
        return ctx.t(f"assumptions.efficient_{status}{finite}", **values)
    equal = "_equal" if abs(assumed - 1.0) < 1e-9 else ""
    return ctx.t(f"assumptions.worth{equal}{finite}", **values)


def could_change(ctx: Context, name: str) -> str:
    """Page one's 'what could change the answer' for a form whose standing rests on an assumed
    effect multiplier ("" for a form without one)."""
    row = ctx.row("multiplier_thresholds", strategy=name)
    return "" if row is None else sentence(ctx, row.to_dict())
