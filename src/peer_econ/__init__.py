"""peer_econ: cost-utility model of the PEER peer-support course and a decision-analysis toolkit.

``peer_econ.run(...)`` runs the PEER model (base case, PSA, trial period) exactly as
``peer-econ run`` does; ``peer_econ.analysis`` holds the model-agnostic decision analysis.
``run`` and ``RunResult`` are loaded on first use, so importing ``peer_econ.analysis`` alone
does not load the PEER model or its input readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from peer_econ._version import __version__

if TYPE_CHECKING:
    from peer_econ.runs.pipeline import RunResult, run

__all__ = ["RunResult", "__version__", "run"]


def __getattr__(name: str) -> Any:
    if name in ("run", "RunResult"):
        from peer_econ.runs import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'peer_econ' has no attribute {name!r}")
