"""One module per command: each wires inputs, the PEER model and the analysis toolkit together
and returns result objects (writing them through :mod:`peer_econ.outputs`)."""

from __future__ import annotations

from peer_econ.inputs.scenarios import read_scenarios
from peer_econ.runs.pipeline import RunResult, run
from peer_econ.runs.scenarios import run_scenarios, run_structural_matrix

__all__ = ["RunResult", "read_scenarios", "run", "run_scenarios", "run_structural_matrix"]
