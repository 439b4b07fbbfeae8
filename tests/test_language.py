"""Output languages: catalogues in step, Danish and English number formats."""

from __future__ import annotations

import pytest

from peer_econ.errors import InputError
from peer_econ.outputs.language import LANGUAGES, Language, check_language


def test_danish_catalogue_translates_every_english_key() -> None:
    english, danish = Language("en").keys(), Language("da").keys()
    assert sorted(english - danish) == []
    assert sorted(danish - english) == []  # no stray keys that English lacks


@pytest.mark.parametrize(
    ("code", "amount", "share", "qaly", "reported"),
    [
        ("en", "1,234,568 DKK", "39 %", "0.0167", "5.1"),
        ("da", "1.234.568 kr.", "39 %", "0,0167", "5,1"),
    ],
)
def test_number_formats(code: str, amount: str, share: str, qaly: str, reported: str) -> None:
    lang = Language(code)
    assert lang.dkk(1_234_567.891) == amount
    assert lang.percent(0.391) == share
    assert lang.qaly(0.016_67) == qaly
    assert lang.significant(5.097_02) == reported  # the trial's 5.1, no float artefacts
    assert lang.significant(40.000_000_000_000_01) == "40"
    assert lang.number(1_234_567.891, 2) == ("1,234,567.89" if code == "en" else "1.234.567,89")
    assert lang.dkk(float("nan")) == "–"
    assert lang.number(-0.0001) == "0"


def test_fill_and_fallback() -> None:
    assert Language("da").t("business.payback", authority="Region", year=3) == (
        "Region: tilbagebetalingstid 3 år."
    )
    with pytest.raises(KeyError):
        Language("en").t("no.such.key")


def test_unknown_language_is_an_input_error() -> None:
    assert check_language("da") == "da"
    with pytest.raises(InputError, match=r"--lang = 'de'; choose one of \['en', 'da'\]"):
        check_language("de")
    with pytest.raises(InputError, match=r"--lang = 'fr'; choose one of"):
        Language("fr")
    assert LANGUAGES[0] == "en"
