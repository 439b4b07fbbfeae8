"""peer_econ: cost-utility model of the PEER peer-support course and a decision-analysis toolkit.

``peer_econ.run(...)`` runs the PEER model (base case, PSA, trial period) exactly as
``peer-econ run`` does; ``peer_econ.analysis`` holds the model-agnostic decision analysis.
"""

from __future__ import annotations

__version__ = "0.1.0"

from peer_econ.runs.pipeline import RunResult, run  # noqa: E402

__all__ = ["RunResult", "__version__", "run"]
