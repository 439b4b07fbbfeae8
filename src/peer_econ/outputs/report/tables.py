"""Read a run folder back into :class:`RunTables`: the only input of the report.

The report never sees in-memory results: ``peer-econ run`` writes the folder, then builds the
report from it exactly as ``peer-econ report RUN_DIR`` does later, so both give the same bytes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from peer_econ.errors import InputError
from peer_econ.outputs.run_files import RUN_INFO, TABLES, TORNADO, figure_stems


@dataclass(frozen=True)
class RunInfo:
    """The contents of ``run_info.json`` (see :func:`peer_econ.outputs.run_folder.run_info`).

    Attributes
    ----------
    raw : mapping
        The whole document.
    """

    raw: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        """A top-level value, ``default`` when absent."""
        return self.raw.get(key, default)

    @property
    def settings(self) -> Mapping[str, Any]:
        """The model settings as used."""
        return MappingProxyType(self.raw["settings"])

    def setting(self, key: str) -> Any:
        """One setting."""
        return self.raw["settings"][key]

    @property
    def comparator(self) -> str:
        """Reference strategy of the increments."""
        return str(self.raw["comparator"])

    @property
    def strategies(self) -> tuple[Mapping[str, Any], ...]:
        """Strategy rows in table order."""
        return tuple(MappingProxyType(s) for s in self.raw["strategies"])

    @property
    def strategy_names(self) -> tuple[str, ...]:
        """Strategy identifiers in table order."""
        return tuple(str(s["name"]) for s in self.raw["strategies"])

    @property
    def programme_names(self) -> tuple[str, ...]:
        """Strategies other than the comparator (the delivery forms to decide on)."""
        return tuple(n for n in self.strategy_names if n != self.comparator)

    def fact(self, *path: str, default: Any = None) -> Any:
        """A fact reported by a run writer (``facts`` of ``run_info.json``)."""
        node: Any = self.raw.get("facts", {})
        for key in path:
            if not isinstance(node, Mapping) or key not in node:
                return default
            node = node[key]
        return node

    def label(self, kind: str, name: str, language: str) -> str:
        """The label of a code in ``language`` ("" when none is given)."""
        entry = self.raw.get("labels", {}).get(kind, {}).get(name, {})
        return str(entry.get(language, ""))

    def statement(self, key: str) -> str:
        """What the analyst states for a reporting item ("" = not provided)."""
        return str(self.raw.get("statements", {}).get(key, "")).strip()


@dataclass(frozen=True)
class RunTables:
    """A run folder read back: settings and facts, every known table, and the figures.

    Attributes
    ----------
    folder : Path
    info : RunInfo
    tables : mapping of str to DataFrame
        Tables of :data:`peer_econ.outputs.run_files.TABLES` present in the folder, by key.
    figures : mapping of str to str
        Base64 PNG of each figure present, by stem.
    """

    folder: Path
    info: RunInfo
    tables: Mapping[str, pd.DataFrame]
    figures: Mapping[str, str]

    def has(self, key: str) -> bool:
        """Whether table ``key`` is in the folder."""
        return key in self.tables

    def table(self, key: str) -> pd.DataFrame:
        """Table ``key`` (a copy; ``KeyError`` when the folder lacks it)."""
        return self.tables[key].copy()

    def maybe(self, key: str) -> pd.DataFrame | None:
        """Table ``key`` or ``None``."""
        return self.tables[key].copy() if key in self.tables else None


def read_run_info(folder: Path) -> RunInfo:
    """Parse ``run_info.json`` of a run folder."""
    path = folder / RUN_INFO
    if not path.is_file():
        raise InputError(
            f"{folder}: no {RUN_INFO}; give a folder written by 'peer-econ run' (this version)"
        )
    try:
        return RunInfo(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None


def read_run_folder(folder: Path | str) -> RunTables:
    """Read every known table and figure of a run folder.

    Raises
    ------
    InputError
        The folder does not exist or has no ``run_info.json`` or no headline table.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: run folder not found")
    info = read_run_info(folder)
    names = dict(TABLES)
    strategy = info.fact("sensitivity", "strategy")
    stems = figure_stems(None if strategy is None else str(strategy))
    if strategy is not None:  # the run's tornado is the headline strategy's
        names[TORNADO] = f"{stems[TORNADO]}.csv"
    tables = {
        key: pd.read_csv(folder / name, keep_default_na=False, na_values=[""])
        for key, name in names.items()
        if (folder / name).is_file()
    }
    if "headline" not in tables:
        raise InputError(f"{folder}: no {TABLES['headline']}; not a complete run folder")
    figures = {
        key: base64.b64encode((folder / f"{stem}.png").read_bytes()).decode("ascii")
        for key, stem in stems.items()
        if (folder / f"{stem}.png").is_file()
    }
    return RunTables(folder, info, MappingProxyType(tables), MappingProxyType(figures))
