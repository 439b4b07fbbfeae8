"""The app's sentences: statuses, parameters and changes in words, in the page's language.

Every text comes from the message catalogue (``app.toml`` and the shared ``common.toml`` of
``outputs/locale/<lang>/``); numbers are formatted by :class:`~peer_econ.outputs.language.Language`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peer_econ.app.scenario import Change
from peer_econ.model.spec import Inputs
from peer_econ.outputs.language import LANGUAGES, Language


def label(lang: Language, key: str, default: str) -> str:
    """The catalogue text of ``key`` (English when this language lacks it), else ``default``."""
    if lang.has(key) or Language(LANGUAGES[0]).has(key):
        return lang.t(key)
    return default


def parameter_label(lang: Language, name: str) -> str:
    """A parameter's label (``app.param.<name>``), else its name."""
    return label(lang, f"app.param.{name}", name)


def perspective_label(lang: Language, name: str) -> str:
    """A perspective's label (``app.perspective.<name>``), else its name."""
    return label(lang, f"app.perspective.{name}", name)


def strategy_labels(inputs: Inputs) -> dict[str, str]:
    """Display name of every strategy (the ``label`` column of ``strategies.csv``)."""
    return {s.name: s.label for s in inputs.strategies}


def status_words(lang: Language, row: Mapping[Any, Any], labels: Mapping[str, str]) -> str:
    """A strategy's status in words from a row of :attr:`Decision.options`."""
    status, note = str(row["status"]), str(row["note"])
    rival = labels.get(str(row["rival"]), str(row["rival"]))
    if note == "reference":
        words = lang.t("app.status.reference")
    elif note == "dominant":
        words = lang.t("status.dominant")
    elif status == "ND":
        words = lang.t("app.status.efficient", rival=rival)
    elif status == "D":
        words = lang.t("app.status.dominated", rival=rival)
    elif status == "ED":
        lower = labels.get(str(row["lower_neighbour"]), str(row["lower_neighbour"]))
        words = lang.t("app.status.extended", lower=lower, rival=rival)
    else:
        words = status
    assumption = str(row.get("assumption") or "")
    if assumption:
        assumed = parameter_label(lang, assumption)
        words = lang.t("status.by_assumption", status=words, assumption=assumed)
    return words


def _value(lang: Language, name: str, value: object) -> str:
    if name == "perspective":
        return perspective_label(lang, str(value))
    if name == "wtp":
        return lang.dkk(value)
    if isinstance(value, tuple | list):
        return ", ".join(lang.significant(v, 3) for v in value)
    if isinstance(value, int | float):
        return lang.significant(value, 4)
    return str(value)


def change_words(lang: Language, change: Change) -> str:
    """One line of the "what I changed" list."""
    if change.kind == "parameter":
        text = lang.t(
            "app.change.parameter_uncertain" if change.uncertain else "app.change.parameter",
            name=parameter_label(lang, change.name),
            value=_value(lang, change.name, change.value),
            base=_value(lang, change.name, change.base),
        )
        if change.outside_evidence:
            text += " " + lang.t(
                "app.change.outside",
                low=lang.significant(change.low, 4),
                high=lang.significant(change.high, 4),
            )
        return text
    return lang.t(
        "app.change.setting",
        name=lang.t(f"app.change.name.{change.name}"),
        value=_value(lang, change.name, change.value),
        base=_value(lang, change.name, change.base),
    )
