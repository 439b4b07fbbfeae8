"""What every section builder gets: the run folder's tables, the language, and one formatter
for every kind of number and code.

All words come from the catalogue (``report.*`` keys of ``outputs/locale/<lang>/``) and all
labels of codes from ``run_info.json`` (``inputs/labels.csv``); all numbers go through
:class:`~peer_econ.outputs.language.Language`, so a figure looks the same wherever it appears.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from peer_econ.outputs.language import MISSING, Language
from peer_econ.outputs.report.tables import RunInfo, RunTables

#: Probabilities closer than this to 0 or 1 are shown as "< 1 %" and "> 99 %" (a rounded 0 %
#: or 100 % would claim certainty the PSA does not give).
CERTAINTY_MARGIN = 0.005


@dataclass(frozen=True)
class Context:
    """Tables, language and formatters of one report.

    Attributes
    ----------
    run : RunTables
    lang : Language
    """

    run: RunTables
    lang: Language

    # --- words ----------------------------------------------------------------------------

    @property
    def info(self) -> RunInfo:
        """``run_info.json`` of the folder."""
        return self.run.info

    def t(self, key: str, **values: object) -> str:
        """Catalogue text ``report.<key>`` with fields filled."""
        return self.lang.t(f"report.{key}", **values)

    def has(self, key: str) -> bool:
        """Whether the catalogue has ``report.<key>`` (in this language or English)."""
        return self.lang.has(f"report.{key}") or Language("en").has(f"report.{key}")

    def label(self, kind: str, name: object) -> str:
        """Display name of a code: its label in this language, else in English, else the code."""
        code = str(name)
        return (
            self.info.label(kind, code, self.lang.code) or self.info.label(kind, code, "en") or code
        )

    def strategy(self, name: object) -> str:
        """Label of a strategy."""
        return self.label("strategy", name)

    def parameter(self, name: object) -> str:
        """Label of a parameter."""
        return self.label("parameter", name)

    def in_text(self, kind: str, name: object) -> str:
        """Label of a code as it reads inside a sentence (see :func:`mid_sentence`)."""
        return mid_sentence(self.label(kind, name))

    @property
    def comparator(self) -> str:
        """Label of the comparator as it reads inside a sentence ("service as usual")."""
        return mid_sentence(self.strategy(self.info.comparator))

    @property
    def wtp(self) -> float:
        """The reference willingness to pay of the run [DKK/QALY]."""
        return float(self.info.setting("wtp_point"))

    # --- numbers --------------------------------------------------------------------------

    def number(self, value: object, decimals: int = 0) -> str:
        """A number with the language's marks."""
        return self.lang.number(value, decimals)

    def dkk(self, value: object) -> str:
        """Whole kroner with the currency word (``2,632 DKK`` / ``2.632 kr.``), never split
        across lines."""
        number = _finite(value)
        return MISSING if number is None else self.t("unit.dkk", amount=self.number(number))

    def per_qaly(self, value: object) -> str:
        """An amount per QALY (``157,055 DKK per QALY``)."""
        return self.t("unit.per_qaly", amount=self.number(value))

    def wtp_text(self, value: object | None = None) -> str:
        """A willingness to pay in words (default the reference one)."""
        return self.per_qaly(self.wtp if value is None else value)

    def qaly(self, value: object) -> str:
        """QALYs to four decimals."""
        return self.lang.qaly(value)

    def sig(self, value: object, digits: int = 3) -> str:
        """A parameter or reported figure to ``digits`` significant figures, no float artefacts."""
        return self.lang.significant(value, digits)

    def months(self, value: object) -> str:
        """A duration in months to one decimal (``8.7 months``)."""
        return self.t("unit.months", value=self.number(value, 1))

    def chance(self, value: object) -> str:
        """A probability as a whole percentage; near-certainties as ``< 1 %`` / ``> 99 %``."""
        number = _finite(value)
        if number is None:
            return MISSING
        if 0.0 < number < CERTAINTY_MARGIN:
            return self.t("unit.below_one_percent")
        if 1.0 - CERTAINTY_MARGIN < number < 1.0:
            return self.t("unit.above_99_percent")
        return self.t("unit.percent", value=self.number(100.0 * number))

    def icer(self, inc_cost: object, inc_qaly: object, icer: object = None) -> str:
        """An ICER in words that never shows a negative ratio.

        ``dominant`` when the option costs no more and gains more, ``dominated`` when it costs
        no less and gains no more, otherwise the ratio per QALY.
        """
        cost, gain = _finite(inc_cost), _finite(inc_qaly)
        if cost is None or gain is None:
            return MISSING
        if gain > 0 and cost <= 0:
            return self.t("icer.dominant")
        if gain <= 0 and cost >= 0:
            return self.t("icer.dominated")
        if gain < 0:  # saves money and loses health: a ratio of savings per QALY lost
            return self.t("icer.saves", amount=self.number(cost / gain))
        ratio = _finite(icer) if icer is not None else cost / gain
        return self.per_qaly(ratio if ratio is not None else cost / gain)

    def icer_cell(self, inc_cost: object, inc_qaly: object, icer: object = None) -> str:
        """An ICER for a table cell: the number alone, or the dominance word."""
        text = self.icer(inc_cost, inc_qaly, icer)
        cost, gain = _finite(inc_cost), _finite(inc_qaly)
        if cost is not None and gain is not None and gain > 0 and cost > 0:
            ratio = _finite(icer) if icer is not None else None
            return self.number(ratio if ratio is not None else cost / gain)
        return text

    # --- tables ---------------------------------------------------------------------------

    def row(self, key: str, **where: Any) -> pd.Series | None:
        """The first row of table ``key`` matching ``where`` (``None`` when absent)."""
        frame = self.run.maybe(key)
        if frame is None:
            return None
        mask = pd.Series(True, index=frame.index)
        for column, value in where.items():
            if column not in frame.columns:
                return None
            mask &= frame[column] == value
        hits = frame[mask]
        return None if hits.empty else hits.iloc[0]


def mid_sentence(label: str) -> str:
    """A label inside a sentence: a capitalised first word is lowered unless it is an acronym
    or a name in capitals (``Service as usual`` -> ``service as usual``; ``PEER`` stays)."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    """Whether two model outputs are equal up to floating-point noise."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
