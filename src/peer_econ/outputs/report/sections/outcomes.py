"""Methods: selection, measurement and valuation of outcomes (CHEERS 2022 items 11, 12, 13)."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Cell, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import mapping_phrase

#: The trial's outcomes as the model holds them: (outcome, mean difference, standardised d).
TRIAL_OUTCOMES = (
    ("qpr15", "qpr15_md", "qpr15_d"),
    ("mansa", "mansa_md", "mansa_d"),
    ("wsas", "wsas_md", "wsas_d"),
)


def build(ctx: Context) -> list[Section]:
    """Outcomes chosen, how the trial measured them, and how they become QALYs."""
    selection = Section(
        "outcomes",
        "methods",
        ctx.t("outcomes.title"),
        (Paragraph(ctx.t("outcomes.selection")), Paragraph(ctx.t("outcomes.consequences"))),
        cheers=(11,),
    )
    measurement = Section(
        "measurement",
        "methods",
        ctx.t("outcomes.measurement_title"),
        (Paragraph(ctx.t("outcomes.measurement")), _trial_table(ctx)),
        cheers=(12,),
    )
    return [selection, measurement, _valuation(ctx)]


def _trial_table(ctx: Context) -> Table:
    """The trial's reported effects as the model uses them (printed as reported)."""
    rows = []
    for outcome, md, d in TRIAL_OUTCOMES:
        diff, smd = ctx.row("parameters", name=md), ctx.row("parameters", name=d)
        if diff is None or smd is None:
            continue
        rows.append(
            (
                Cell(ctx.label("outcome", outcome)),
                Cell(
                    ctx.t(
                        "outcomes.interval",
                        value=ctx.sig(diff["value"]),
                        low=ctx.sig(diff["low"]),
                        high=ctx.sig(diff["high"]),
                    ),
                    True,
                ),
                Cell(ctx.sig(smd["value"], 2), True),
                Cell(str(diff["source"]), cite=True),
            )
        )
    headers = tuple(ctx.t(f"outcomes.col_{k}") for k in ("outcome", "difference", "d", "source"))
    return Table(headers, tuple(rows), ctx.t("outcomes.trial_caption"))


def _valuation(ctx: Context) -> Section:
    sd = ctx.row("parameters", name="sd_eq5d_target")
    lines = [ctx.t("outcomes.valuation", mapping=mapping_phrase(ctx))]
    if sd is not None:
        lines.append(
            ctx.t(
                "outcomes.sd",
                value=ctx.sig(sd["value"], 2),
                low=ctx.sig(sd["p2_5"], 2),
                high=ctx.sig(sd["p97_5"], 2),
            )
        )
    lines += [ctx.t("outcomes.value_set"), ctx.t("outcomes.lambda"), ctx.t("outcomes.independence")]
    blocks = tuple(Paragraph(line) for line in lines)
    return Section("valuation", "methods", ctx.t("outcomes.valuation_title"), blocks, (13,))
