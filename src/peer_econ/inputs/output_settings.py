"""The ``[output]`` table of ``settings.toml``: how results are shown, never what the model reads.

``language`` is the default output language of ``run``, ``budget`` and the app (``en`` or
``da``); ``--lang`` on the command line overrides it. The model settings
(:func:`peer_econ.inputs.load.read_settings`) leave this table alone.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from peer_econ.errors import InputError
from peer_econ.inputs.text import read_text

#: Output languages with a message catalogue (``peer_econ.outputs.language.LANGUAGES``; a test
#: keeps the two in step, as inputs may not import outputs).
OUTPUT_LANGUAGES = ("en", "da")
#: Language when settings.toml sets none.
DEFAULT_LANGUAGE = "en"
#: Keys of ``[output]``.
OUTPUT_KEYS = ("language",)


def output_problems(path: Path) -> list[str]:
    """Every problem of the ``[output]`` table of ``path`` (none when the table is absent)."""
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError:
        return []  # read_settings reports the syntax error
    table = data.get("output", {})
    if not isinstance(table, dict):
        return [f"{path}: [output] must be a table (an [output] section)"]
    problems = [
        f"{path} [output]: unknown key {key!r}; allowed: {list(OUTPUT_KEYS)}"
        for key in table
        if key not in OUTPUT_KEYS
    ]
    language = table.get("language", DEFAULT_LANGUAGE)
    if language not in OUTPUT_LANGUAGES:
        problems.append(
            f"{path} [output]: language = {language!r}; allowed: {list(OUTPUT_LANGUAGES)}"
        )
    return problems


def read_output_language(path: Path) -> str:
    """The ``[output] language`` of a settings file (``en`` when unset).

    Raises
    ------
    InputError
        An unknown language or key, naming the file, the key and the allowed values.
    """
    problems = output_problems(path)
    if problems:
        raise InputError(problems)
    data = tomllib.loads(read_text(path))
    return str(data.get("output", {}).get("language", DEFAULT_LANGUAGE))


def default_language(folder: Path | str) -> str:
    """The output language an inputs folder's ``settings.toml`` sets (``en`` without one)."""
    path = Path(folder) / "settings.toml"
    return read_output_language(path) if path.is_file() else DEFAULT_LANGUAGE
