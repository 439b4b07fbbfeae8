"""Methods: resources and costs (item 14), the model with a diagram drawn from the configuration
(item 16), analytics and assumptions (item 17) and how uncertainty was characterised (item 20)."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from peer_econ.outputs.report.blocks import Bullets, Cell, Paragraph, Raw, Section, Table
from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.common import (
    durability_phrase,
    mapping_phrase,
    parameter_value,
)

#: Structural switches of the settings shown as fixed assumptions (name -> kind of label).
SWITCHES = (
    "source_outcome",
    "utility_route",
    "durability",
    "attendance_scaling",
    "attendance_model",
    "local_coordination",
    "shrinkage",
    "downstream_resource_use",
    "wellbeing_offset",
    "booster_courses",
)


def build(ctx: Context) -> list[Section]:
    """Costs, model structure, assumptions and uncertainty methods."""
    costs = Section(
        "costing",
        "methods",
        ctx.t("model.costs_title"),
        (Paragraph(ctx.t("model.costs")), Paragraph(ctx.t("model.costs_payers"))),
        cheers=(14,),
    )
    structure = Section(
        "model",
        "methods",
        ctx.t("model.title"),
        (
            Paragraph(ctx.t("model.rationale")),
            Raw(diagram(ctx), ctx.t("model.diagram_caption")),
            Paragraph(
                ctx.t(
                    "model.time_course",
                    durability=durability_phrase(ctx),
                    mapping=mapping_phrase(ctx),
                )
            ),  # fmt: skip
        ),
        cheers=(16,),
    )
    return [costs, structure, _assumptions(ctx), _uncertainty(ctx)]


def _assumptions(ctx: Context) -> Section:
    settings = ctx.info.settings
    switches = []
    for key in SWITCHES:
        value = settings.get(key)
        if value is None:
            continue
        if key in ("source_outcome",):
            shown = ctx.label("outcome", value)
        elif key in ("utility_route", "durability"):
            shown = ctx.label(key, value)
        elif isinstance(value, bool):
            shown = ctx.t("yes" if value else "no")
        elif isinstance(value, str):
            shown = setting_word(ctx, value)
        else:
            shown = ctx.number(value)
        switches.append((Cell(ctx.t(f"model.switch.{key}")), Cell(shown)))
    table = Table(
        (ctx.t("model.switch_col"), ctx.t("model.setting_col")),
        tuple(switches),
        ctx.t("model.switches_caption"),
    )
    frame = ctx.run.maybe("parameters")
    rows = []
    if frame is not None:
        chosen = frame[(frame["tag"] == "AS") & (frame["module"] == "model")]
        for record in chosen.to_dict("records"):
            rows.append(
                (
                    Cell(ctx.parameter(record["name"])),
                    Cell(ctx.sig(record["value"], 4), True),
                    Cell(
                        ctx.t(
                            "range", low=ctx.sig(record["low"], 4), high=ctx.sig(record["high"], 4)
                        ),
                        True,
                    ),
                    Cell(ctx.label("unit", record["unit"])),
                )
            )
    headers = tuple(ctx.t(f"model.assumption_{k}") for k in ("name", "value", "range", "unit"))
    assumptions = Table(headers, tuple(rows), ctx.t("model.assumptions_caption"), wide=True)
    blocks = (
        Paragraph(ctx.t("model.analytics")),
        Bullets(tuple(ctx.t(f"model.analytic_{i}") for i in range(1, 6))),
        table,
        assumptions,
    )
    return Section("assumptions", "methods", ctx.t("model.assumptions_title"), blocks, (17,))


def setting_word(ctx: Context, value: str) -> str:
    """A switch value in words (catalogue ``model.value.<value>``), else the value as given."""
    return ctx.t(f"model.value.{value}") if ctx.has(f"model.value.{value}") else value


def _uncertainty(ctx: Context) -> Section:
    samples = ctx.number(ctx.info["n_samples"])
    scenario_n = ctx.info.fact("scenarios", "n_samples")
    lines = [
        ctx.t("model.psa", samples=samples, seed=ctx.info["seed"]),
        ctx.t("model.owsa"),
        ctx.t("model.thresholds"),
        ctx.t(
            "model.scenarios",
            samples=ctx.number(scenario_n) if scenario_n else samples,
        ),
        ctx.t("model.voi_methods"),
    ]
    blocks = (Bullets(tuple(lines)),)
    return Section(
        "uncertainty-methods", "methods", ctx.t("model.uncertainty_title"), blocks, (20,)
    )


# --- the diagram ---------------------------------------------------------------------------


def diagram(ctx: Context) -> Markup:
    """An inline SVG of the model as configured: the options compared and the path of the
    utility gain over time (ramp over the course, durability after it, trial follow-up and
    horizon marked). Every text is escaped."""
    settings = ctx.info.settings
    names = ctx.info.strategy_names
    weeks = parameter_value(ctx, "course_weeks") or 10.0
    course = weeks * 12.0 / 52.1775
    horizon = float(settings["horizon_months"])
    trial = float(settings["trial_followup_months"])
    width, box_h, gap = 640, 22, 6
    left_h = len(names) * (box_h + gap) + 30
    height = max(left_h, 190) + 40
    parts = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(ctx.t("model.diagram_caption"))}" class="diagram">',
        f'<text x="10" y="16" class="d-title">{escape(ctx.t("model.diagram_options"))}</text>',
    ]
    for i, name in enumerate(names):
        y = 26 + i * (box_h + gap)
        cls = "d-box ref" if name == ctx.info.comparator else "d-box"
        parts.append(f'<rect x="10" y="{y}" width="230" height="{box_h}" rx="4" class="{cls}"/>')
        parts.append(
            f'<text x="18" y="{y + 15}" class="d-label">{escape(ctx.strategy(name))}</text>'
        )
        parts.append(f'<line x1="240" y1="{y + box_h / 2}" x2="270" y2="{y + box_h / 2}" '
                     'class="d-arrow"/>')  # fmt: skip
    parts.append(_gain_path(ctx, 280, 26, width - 290, 150, course, trial, horizon))
    parts.append(
        f'<text x="280" y="{height - 10}" class="d-note">'
        f"{escape(ctx.t('model.diagram_costs'))}</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _gain_path(
    ctx: Context,
    x0: float,
    y0: float,
    w: float,
    h: float,
    course: float,
    trial: float,
    horizon: float,
) -> str:
    """The utility gain over months as a polyline under the run's durability setting."""
    shape = str(ctx.info.setting("durability"))
    decay = parameter_value(ctx, "decay_months") or 12.0
    half = parameter_value(ctx, "half_life_months") or 12.0
    steps = 120

    def gain(t: float) -> float:
        if t <= course:
            return t / course
        after = t - course
        if shape == "linear":
            return max(0.0, 1.0 - after / decay)
        if shape == "exponential":
            return math.exp(-math.log(2.0) * after / half)
        if shape == "sustained":
            return 1.0
        return 1.0 if t <= trial else 0.0

    def sx(t: float) -> float:
        return x0 + w * t / horizon

    def sy(g: float) -> float:
        return y0 + 20 + (h - 40) * (1.0 - g)

    times = sorted({horizon * k / steps for k in range(steps + 1)} | {course, trial})
    points = " ".join(f"{sx(t):.1f},{sy(gain(t)):.1f}" for t in times if t <= horizon)
    base = sy(0.0)
    out = [
        f'<text x="{x0}" y="{y0 - 10}" class="d-title">'
        f"{escape(ctx.t('model.diagram_gain'))}</text>",
        f'<line x1="{x0}" y1="{base:.1f}" x2="{x0 + w}" y2="{base:.1f}" class="d-axis"/>',
        f'<line x1="{x0}" y1="{y0:.1f}" x2="{x0}" y2="{base:.1f}" class="d-axis"/>',
        f'<polyline points="{points}" class="d-path"/>',
    ]
    for t, key in ((course, "model.diagram_course_end"), (trial, "model.diagram_trial")):
        out.append(
            f'<line x1="{sx(t):.1f}" y1="{y0 + 10:.1f}" x2="{sx(t):.1f}" y2="{base:.1f}" '
            'class="d-mark"/>'
        )
        anchor = "start" if key.endswith("trial") else "end"
        dx = 3 if anchor == "start" else -3
        out.append(
            f'<text x="{sx(t) + dx:.1f}" y="{y0 + 18:.1f}" text-anchor="{anchor}" '
            f'class="d-small">{escape(ctx.t(key, months=ctx.sig(t, 2)))}</text>'
        )
    out.append(
        f'<text x="{x0 + w}" y="{base + 14:.1f}" text-anchor="end" class="d-small">'
        f"{escape(ctx.t('model.diagram_horizon', months=ctx.sig(horizon)))}</text>"
    )
    out.append(
        f'<text x="{x0 + 4}" y="{base + 14:.1f}" class="d-small">0</text>'
        f'<text x="{x0 + 6}" y="{sy(1.0) - 4:.1f}" class="d-small">'
        f"{escape(ctx.t('model.diagram_peak'))}</text>"
    )
    return "".join(out)
