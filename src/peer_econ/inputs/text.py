"""Read an input text file as UTF-8, with one-line errors for other encodings and binary files.

Every reader of ``inputs/`` (CSV and TOML) and of PSA files goes through :func:`read_text`, so a
file saved as UTF-16, Latin-1 or with NUL bytes is refused with a message naming the file, the
line and what to do, instead of being read with replacement characters or ending in a traceback.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from peer_econ.errors import InputError

_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def decode_text(raw: bytes, where: str) -> str:
    """Decode ``raw`` as UTF-8 (an optional byte-order mark is dropped).

    Parameters
    ----------
    raw : bytes
        File contents.
    where : str
        The file as named in messages.

    Raises
    ------
    InputError
        UTF-16/UTF-32 byte-order marks, NUL bytes, or bytes that are not UTF-8.
    """
    for bom, name in _UTF16_32_BOMS:
        if raw.startswith(bom):
            raise InputError(f"{where}: the file is encoded as {name}; save it as UTF-8 text")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputError(
            f"{where} line {_line_of(raw, nul)}: contains a NUL byte (at byte {nul}); the file "
            "looks binary or UTF-16; save it as UTF-8 text"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} line {_line_of(raw, exc.start)}: byte {exc.start} (0x{raw[exc.start]:02x}) "
            "is not valid UTF-8 (Latin-1 or Windows-1252?); save the file as UTF-8"
        ) from None


def read_text(path: Path, where: str | None = None) -> str:
    """Read a UTF-8 text file; see :func:`decode_text` for what is refused.

    Raises
    ------
    InputError
        Missing file, a folder, an unreadable file, or an encoding problem.
    """
    label = str(path) if where is None else where
    if not path.exists():
        raise InputError(f"{label}: file not found")
    if not path.is_file():
        raise InputError(f"{label}: is not a regular file; give the path of a text file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    return decode_text(raw, label)
