"""The PEER cost-utility model: pure functions vectorised along the sample axis."""

from __future__ import annotations

from peer_econ.model.engine import Outcomes, evaluate

__all__ = ["Outcomes", "evaluate"]
