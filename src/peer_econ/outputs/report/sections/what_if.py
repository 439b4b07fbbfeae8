"""The what-if banner: shown above page one when the run changed the inputs folder's values
(``--set``, ``--perspective``, a scenario or the app), naming each change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peer_econ.outputs.report.context import Context
from peer_econ.outputs.report.sections.model import setting_word

#: Settings whose values are codes with labels (kind of label).
LABELLED_SETTINGS = {
    "perspective": "perspective",
    "source_outcome": "outcome",
    "utility_route": "utility_route",
    "durability": "durability",
}


def lines(ctx: Context) -> list[str]:
    """Banner lines (none when nothing was changed)."""
    what_if: Mapping[str, Any] | None = ctx.info.get("what_if")
    if not what_if:
        return []
    out = [ctx.t(f"what_if.source_{what_if.get('source') or 'api'}")]
    if what_if.get("scenario"):
        out.append(ctx.t("what_if.scenario", name=str(what_if["scenario"])))
    for change in what_if.get("parameters", []):
        value = ctx.sig(change["value"], 4)
        name = ctx.parameter(change["name"])
        base = change.get("base")
        key = "what_if.parameter_uncertain" if change.get("uncertain") else "what_if.parameter"
        out.append(
            ctx.t(key, name=name, value=value, base=ctx.sig(base, 4))
            if base is not None
            else ctx.t("what_if.parameter_nobase", name=name, value=value)
        )
        if change.get("outside_evidence"):
            out.append(
                ctx.t("what_if.outside", low=ctx.sig(change["low"], 4),
                      high=ctx.sig(change["high"], 4))
            )  # fmt: skip
    for change in what_if.get("settings", []):
        key = str(change["name"])
        out.append(
            ctx.t(
                "what_if.setting",
                name=ctx.t(f"what_if.setting_{key}") if ctx.has(f"what_if.setting_{key}") else key,
                value=_setting_value(ctx, key, change["value"]),
                base=_setting_value(ctx, key, change.get("base")),
            )
        )
    out.append(ctx.t("what_if.caution"))
    return out


def _setting_value(ctx: Context, key: str, value: object) -> str:
    if key in LABELLED_SETTINGS:
        return ctx.label(LABELLED_SETTINGS[key], value)
    if isinstance(value, bool):
        return ctx.t("yes" if value else "no")
    if isinstance(value, (int, float)):
        return ctx.sig(value, 4)
    return setting_word(ctx, str(value))
