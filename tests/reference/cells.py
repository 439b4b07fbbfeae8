"""Typed access to single table cells in tests.

pandas-stubs types one cell of a frame as the union of every scalar pandas knows, so tests
read numeric cells through :func:`number`, which also fails loudly on a non-numeric cell.
"""

from __future__ import annotations

import numpy as np


def number(cell: object) -> float:
    """A numeric table cell (or a one-element selection) as a float."""
    return float(np.asarray(cell, dtype=np.float64).item())
