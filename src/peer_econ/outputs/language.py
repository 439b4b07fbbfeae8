"""Output languages: keyed message catalogues and locale-aware number formats.

Every user-facing string of the report, workbook, app and CLI tables comes from a catalogue
(the TOML files of ``outputs/locale/<code>/``, tables of ``key = "text"``), never from
branches on the language. A key missing in a language falls back to English. Numbers are
formatted with Babel's CLDR data (Danish: ``1.234.567,89``; English: ``1,234,567.89``). CSV
tables stay machine-readable in every language (``.`` decimals, English column names); only
pages and workbooks are translated.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from peer_econ.errors import InputError

#: Languages with a catalogue; the first is the fallback for missing keys.
LANGUAGES = ("en", "da")

#: Babel locale of each language.
LOCALES: Mapping[str, str] = MappingProxyType({"en": "en_GB", "da": "da_DK"})

#: Shown for a missing or non-finite number.
MISSING = "–"


def check_language(code: object, *, where: str = "--lang") -> str:
    """``code`` if it names a supported language, else a one-line :class:`InputError`."""
    if code not in LANGUAGES:
        raise InputError(f"{where} = {code!r}; choose one of {list(LANGUAGES)}")
    return str(code)


@cache
def _catalogue(code: str) -> Mapping[str, str]:
    """Every ``*.toml`` file of ``outputs/locale/<code>/`` merged into one flat mapping (one file
    per part of the product, e.g. ``common``, ``report``, ``app``; a key defined twice is a
    programming error)."""
    folder = resources.files("peer_econ.outputs").joinpath("locale").joinpath(code)
    flat: dict[str, str] = {}

    def walk(prefix: str, node: Mapping[str, Any], source: str) -> None:
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, Mapping):
                walk(name, value, source)
            elif name in flat:
                raise KeyError(f"catalogue {code}: key {name!r} defined twice ({source})")
            else:
                flat[name] = str(value)

    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            walk("", tomllib.loads(entry.read_text(encoding="utf-8")), entry.name)
    return MappingProxyType(flat)


@dataclass(frozen=True)
class Language:
    """Texts and number formats of one output language.

    Attributes
    ----------
    code : str
        ``en`` or ``da``.
    """

    code: str = "en"

    def __post_init__(self) -> None:
        check_language(self.code)

    @property
    def locale(self) -> str:
        """Babel locale name (e.g. ``da_DK``)."""
        return LOCALES[self.code]

    def has(self, key: str) -> bool:
        """Whether this language's own catalogue holds ``key`` (no fallback)."""
        return key in _catalogue(self.code)

    def t(self, key: str, **values: object) -> str:
        """The text of ``key`` with ``{name}`` fields filled from ``values``.

        Falls back to English when this language lacks the key; an unknown key is a
        programming error (``KeyError``).
        """
        own = _catalogue(self.code)
        text = own[key] if key in own else _catalogue(LANGUAGES[0])[key]
        return text.format(**values) if values else text

    def keys(self) -> frozenset[str]:
        """Every key of this language's own catalogue."""
        return frozenset(_catalogue(self.code))

    # --- numbers ---------------------------------------------------------------------------

    def number(self, value: object, decimals: int = 0) -> str:
        """``value`` with the language's grouping and decimal marks, ``decimals`` places."""
        from babel.numbers import format_decimal

        number = _finite(value)
        if number is None:
            return MISSING
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        rounded = round(number, decimals) + 0.0  # avoid "-0"
        return str(format_decimal(rounded, format=pattern, locale=self.locale))

    def dkk(self, value: object, decimals: int = 0) -> str:
        """An amount in Danish kroner with the language's currency word."""
        number = _finite(value)
        if number is None:
            return MISSING
        return self.t("unit.dkk_amount", amount=self.number(number, decimals))

    def percent(self, value: object, decimals: int = 0) -> str:
        """A proportion as a percentage (0.391 -> ``39 %``)."""
        number = _finite(value)
        if number is None:
            return MISSING
        return self.t("unit.percent", value=self.number(100.0 * number, decimals))

    def qaly(self, value: object) -> str:
        """QALYs to four decimals (increments of a few hundredths need them)."""
        return self.number(value, 4)

    def significant(self, value: object, digits: int = 3) -> str:
        """``value`` to ``digits`` significant figures without float artefacts (5.1, 0.22)."""
        number = _finite(value)
        if number is None:
            return MISSING
        if number == 0:
            return self.number(0.0)
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(number))))
        text = self.number(round(number, decimals), decimals)
        return _strip_zeros(text, self.t("unit.decimal_mark")) if decimals else text


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _strip_zeros(text: str, mark: str) -> str:
    if mark not in text:
        return text
    text = text.rstrip("0")
    return text[:-1] if text.endswith(mark) else text
