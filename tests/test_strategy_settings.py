"""Strategies are data: the comparator and the headline strategy are settings, filled in and
checked when an inputs folder is loaded, and no code names a strategy."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs

ROOT = Path(__file__).resolve().parents[1]


def _inputs_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "inputs"
    shutil.copytree(ROOT / "inputs", folder)
    settings = folder / "settings.toml"
    text = settings.read_text(encoding="utf-8")
    assert old in text
    settings.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_headline_strategy_is_read_from_the_settings(tmp_path: Path) -> None:
    assert load_inputs(ROOT / "inputs").settings.headline_strategy == "peer_volunteer"
    folder = _inputs_with(
        tmp_path, 'headline_strategy = "peer_volunteer"', 'headline_strategy = "peer_paid"'
    )
    assert load_inputs(folder).settings.headline_strategy == "peer_paid"


def test_empty_names_default_to_the_table(tmp_path: Path) -> None:
    """Without the keys: the comparator is the first strategy without the programme, the
    headline the first other strategy of strategies.csv (the trial's arm in the base inputs)."""
    folder = _inputs_with(tmp_path, 'headline_strategy = "peer_volunteer"', "")
    text = (folder / "settings.toml").read_text(encoding="utf-8")
    (folder / "settings.toml").write_text(
        re.sub(r'^comparator = "sau".*$', "", text, flags=re.M), encoding="utf-8"
    )
    settings = load_inputs(folder).settings
    assert (settings.comparator, settings.headline_strategy) == ("sau", "peer_volunteer")


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ('"nope"', r"headline_strategy = 'nope' is not a strategy in strategies.csv"),
        ('"sau"', r"headline_strategy = 'sau' is the comparator"),
        ("3", r"headline_strategy = 3 must be a str"),
    ],
)
def test_bad_headline_strategy_is_an_input_error(tmp_path: Path, value: str, match: str) -> None:
    folder = _inputs_with(
        tmp_path, 'headline_strategy = "peer_volunteer"', f"headline_strategy = {value}"
    )
    with pytest.raises(InputError, match=match):
        load_inputs(folder)


def test_no_strategy_name_in_the_code() -> None:
    """Strategy names live in inputs/ and tests/ only (issue 16)."""
    names = [
        line.split(",", 1)[0]
        for line in (ROOT / "inputs" / "strategies.csv").read_text().splitlines()[1:]
        if line
    ]
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "src").rglob("*.py")
        for name in names
        if re.search(rf"\b{re.escape(name)}\b", path.read_text(encoding="utf-8"))
    ]
    assert names and found == []
