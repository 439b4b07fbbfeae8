"""peer_econ: cost-utility model of the PEER peer-support course and a decision-analysis toolkit."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
