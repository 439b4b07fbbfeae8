"""Atomic output folders and run manifests.

Every command that writes results writes them into a hidden temporary folder beside the target and
renames it into place at the end, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from peer_econ.errors import InputError


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_inputs(paths: Sequence[Path]) -> dict[str, str]:
    """Map each input file (as given, POSIX style) to its SHA-256; folders are expanded."""
    hashes: dict[str, str] = {}
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                hashes[child.as_posix()] = sha256_file(child)
        elif path.is_file():
            hashes[path.as_posix()] = sha256_file(path)
    return hashes


def versions() -> dict[str, str]:
    """Versions of Python, the platform and the numerical libraries used."""
    import matplotlib
    import numpy
    import pandas
    import SALib
    import scipy

    from peer_econ._version import __version__

    return {
        "peer_econ": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "scipy": scipy.__version__,
        "SALib": getattr(SALib, "__version__", "unknown"),
        "matplotlib": matplotlib.__version__,
    }


def default_run_dir(root: Path, label: str = "run") -> Path:
    """A new folder name ``root/<UTC timestamp>-<label>-<short hash>`` that does not yet exist."""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    salt = hashlib.sha256(f"{stamp}{os.getpid()}{label}".encode()).hexdigest()[:7]
    return root / f"{stamp}-{label}-{salt}"


@contextmanager
def atomic_output_dir(target: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``target`` only if the block succeeds.

    Parameters
    ----------
    target : Path
        Final folder. An existing folder is replaced when ``overwrite`` is true.
    overwrite : bool
        If false and ``target`` exists, raise :class:`InputError`.

    Raises
    ------
    InputError
        If ``target`` exists as a file, or exists and ``overwrite`` is false.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise InputError(f"--out {target}: exists and is a file; give a folder path")
    if target.exists() and not overwrite:
        raise InputError(f"--out {target}: folder exists; choose a new folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(target)


def write_manifest(
    folder: Path,
    *,
    command: str,
    seed: int | None,
    n_samples: int | None,
    inputs: Sequence[Path] = (),
    wall_time_s: float | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``manifest.json``: seed, sizes, versions, input hashes, command line and timing.

    Timestamps and wall time live only here, so the result tables stay byte-identical between
    runs with the same inputs and seed.
    """
    manifest: dict[str, Any] = {
        "command": command,
        "argv": list(sys.argv),
        "seed": seed,
        "n_samples": n_samples,
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "wall_time_s": None if wall_time_s is None else round(wall_time_s, 3),
        "versions": versions(),
        "input_sha256": hash_inputs(list(inputs)),
    }
    if extra:
        manifest.update(extra)
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=False, default=str) + "\n")
    return path


def write_csv(frame: Any, path: Path, *, float_format: str = "%.15g") -> Path:
    """Write a DataFrame as CSV with a fixed float format (byte-stable across runs)."""
    frame.to_csv(path, index=False, float_format=float_format, lineterminator="\n")
    return path
