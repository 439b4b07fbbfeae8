"""Results: value of information (CHEERS 2022 item 24): what is worth researching, and whether
a new trial pays, each message naming the WTP range it holds for."""

from __future__ import annotations

from peer_econ.outputs.report.blocks import Block, Bullets, Cell, Figure, Paragraph, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import trial_messages


def build(ctx: Context) -> list[Section]:
    """EVPPI ranking, EVSI and ENBS of a new trial, or why they were not computed."""
    title = ctx.t("voi.title")
    if not ctx.info.fact("voi", "computed", default=False) or not ctx.run.has("evppi_ranking"):
        note = ctx.t(
            "voi.not_computed",
            minimum=ctx.number(ctx.info.fact("voi", "min_samples", default=200)),
            samples=ctx.number(ctx.info["n_samples"]),
        )
        return [Section("voi", "results", title, (Paragraph(note),), cheers=(24,))]
    ranking = ctx.run.table("evppi_ranking").head(12)
    rows = tuple(
        (
            Cell(ctx.number(r["rank"]), True),
            Cell(ctx.label("voi_group" if r["kind"] == "group" else "parameter", r["name"])),
            Cell(ctx.t(f"voi.kind_{r['kind']}")),
            Cell(ctx.number(r["evppi"]), True),
            Cell(ctx.chance(r["share"]), True),
            Cell(ctx.number(r["population_evppi"]), True),
        )
        for r in ranking.to_dict("records")
    )
    headers = tuple(
        ctx.t(f"voi.col_{k}") for k in ("rank", "name", "kind", "evppi", "share", "population")
    )
    table = Table(headers, rows, ctx.t("voi.caption", wtp=ctx.wtp_text()), wide=True)
    inactive = ctx.run.maybe("evppi_inactive")
    blocks: tuple[Block, ...] = (
        Paragraph(ctx.t("voi.intro")),
        Bullets(tuple(trial_messages(ctx))),
        table,
        Paragraph(ctx.t("voi.inactive", count=0 if inactive is None else len(inactive)), "note"),
        *_sampling_note(ctx),
        Figure("evppi_ranking", ctx.t("voi.ranking_figure")),
        Figure("evppi_curves", ctx.t("voi.curves_figure")),
        Paragraph(ctx.t("voi.evsi_methods")),
        Figure("enbs", ctx.t("voi.enbs_figure", wtp=ctx.wtp_text())),
    )
    return [Section("voi", "results", title, blocks, cheers=(24,))]


def _sampling_note(ctx: Context) -> tuple[Paragraph, ...]:
    """How many PSA samples the VOI regressions used and, for a subsample, the error it
    causes (``voi_sampling.csv``: EVPI on the subsample against all samples)."""
    row = ctx.run.maybe("voi_sampling")
    if row is None or not len(row):
        return ()
    r = row.iloc[0]
    if int(r["n_samples_voi"]) >= int(r["n_samples_psa"]):
        return (Paragraph(ctx.t("voi.sampling_all", n=ctx.number(r["n_samples_psa"])), "note"),)
    text = ctx.t(
        "voi.sampling_subsample",
        used=ctx.number(r["n_samples_voi"]),
        total=ctx.number(r["n_samples_psa"]),
        wtp=ctx.wtp_text(r["wtp"]),
        evpi_used=ctx.dkk(r["evpi_voi"]),
        evpi_all=ctx.dkk(r["evpi_psa"]),
        se=ctx.dkk(r["evpi_voi_se"]),
    )
    return (Paragraph(text, "note"),)
