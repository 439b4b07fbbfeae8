"""The PEER engine presented as a model-agnostic ``model(draws) -> (cost, qaly)`` callable.

The sensitivity and VOI engines of :mod:`peer_econ.analysis` take any such callable; this adapter
is the only place that ties them to the PEER model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from peer_econ.model.engine import evaluate
from peer_econ.model.spec import Inputs, ModelSettings, domain_problem
from peer_econ.parameters.table import ParameterTable

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PeerModel:
    """The PEER engine as a picklable ``model(draws) -> (cost, qaly)`` callable.

    Parameters
    ----------
    inputs : Inputs
        Strategies, cost items and default settings.
    settings : ModelSettings, optional
        Structural switches; ``inputs.settings`` when omitted.
    """

    inputs: Inputs
    settings: ModelSettings | None = None

    @property
    def strategies(self) -> tuple[str, ...]:
        """Strategy names, the column order of the outputs."""
        return self.inputs.strategy_names

    @property
    def comparator(self) -> str:
        """Comparator of the settings in force."""
        return (self.settings or self.inputs.settings).comparator

    def __reduce__(self) -> tuple[Any, ...]:
        # ParameterTable holds a mappingproxy, which pickle rejects; the engine does not read
        # the table (values come from the draws), so workers get the model without it.
        return (
            _rebuild_peer_model,
            (self.inputs.strategies, self.inputs.cost_items, self.inputs.settings, self.settings),
        )

    def value_problem(self, name: str, value: float) -> str | None:
        """Why ``value`` is impossible for parameter ``name`` (``None`` when allowed or unknown)."""
        table = self.inputs.parameters
        return domain_problem(table[name], value) if name in table else None

    def __call__(self, draws: Mapping[str, FloatArray]) -> tuple[FloatArray, FloatArray]:
        out = evaluate(draws, self.inputs, settings=self.settings)
        return np.asarray(out.cost), np.asarray(out.qaly)


def _rebuild_peer_model(
    strategies: Any, cost_items: Any, base: ModelSettings, settings: ModelSettings | None
) -> PeerModel:
    return PeerModel(Inputs(ParameterTable(()), strategies, cost_items, base), settings)


def model_table(inputs: Inputs) -> ParameterTable:
    """The parameters that enter the PEER model (``module == "model"``)."""
    return inputs.parameters.select("model")
