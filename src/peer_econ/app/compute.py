"""The page's results: library calls cached on the values they depend on.

Each cached function takes the cache key (the scenario's values it depends on) and, unhashed
(a leading underscore tells Streamlit not to hash it), the objects computed from those values.
So moving the WTP does not rerun the PSA, moving a lever reruns what depends on parameters,
and switching the language recomputes only the figures' words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from peer_econ.analysis.cea import CEACurves
from peer_econ.app import scenario as S
from peer_econ.inputs.load import load_inputs
from peer_econ.model.results import RunResult
from peer_econ.model.spec import Inputs
from peer_econ.outputs import plots

#: Resolution of the page's figures [dots per inch].
FIG_DPI = 100
#: PSA runs kept in memory (about 4 MB each at 5,000 samples).
RUN_CACHE = 12
#: Derived tables and figures kept per kind.
DATA_CACHE = 64


@st.cache_resource(show_spinner=False, max_entries=4)
def inputs_of(folder: str) -> Inputs:
    return load_inputs(folder)


@st.cache_resource(show_spinner=False, max_entries=RUN_CACHE)
def _run(run_key: tuple[object, ...], _prepared: S.Prepared) -> RunResult:
    return S.run_scenario(_prepared)


@st.cache_data(show_spinner=False, max_entries=DATA_CACHE)
def _curves(run_key: tuple[object, ...], _result: RunResult) -> CEACurves:
    return S.curves(_result)


@st.cache_data(show_spinner=False, max_entries=DATA_CACHE)
def _decision(
    run_key: tuple[object, ...], scale_key: tuple[object, ...], wtp: float,
    _result: RunResult, _prepared: S.Prepared,
) -> S.Decision:  # fmt: skip
    return S.decide(_result, _prepared.scale, wtp)


@st.cache_data(show_spinner=False, max_entries=DATA_CACHE)
def _tornado(
    run_key: tuple[object, ...], strategy: str, wtp: float, _result: RunResult
) -> pd.DataFrame:
    return S.tornado(_result, strategy, wtp)


@st.cache_data(show_spinner=False, max_entries=DATA_CACHE)
def _budget(
    run_key: tuple[object, ...], scale_key: tuple[object, ...], strategy: str,
    _result: RunResult, _prepared: S.Prepared,
) -> S.BudgetView:  # fmt: skip
    return S.budget_view(_result, _prepared.scale, strategy)


@st.cache_data(show_spinner=False, max_entries=DATA_CACHE)
def _scale_curve(
    run_key: tuple[object, ...], scale_key: tuple[object, ...], strategy: str,
    _result: RunResult, _prepared: S.Prepared,
) -> pd.DataFrame:  # fmt: skip
    return S.scale_curve(_result, _prepared.scale, strategy)


@st.cache_data(show_spinner=False, max_entries=DATA_CACHE)
def figure_png(key: tuple[object, ...], _draw: Callable[[], Any]) -> bytes:
    """PNG bytes of the Axes ``_draw()`` returns; ``key`` names everything drawn."""
    ax = _draw()
    figure = ax.get_figure()
    png = plots.png_bytes(figure, dpi=FIG_DPI)
    plots.close_figure(figure)
    return png


@dataclass(frozen=True)
class View:
    """Everything the page shows for one scenario (all from library calls)."""

    scenario: S.Scenario
    prepared: S.Prepared
    result: RunResult
    run_key: tuple[object, ...]
    decision: S.Decision
    curves: CEACurves
    budget: S.BudgetView
    changes: tuple[S.Change, ...]

    def tornado(self) -> pd.DataFrame:
        """One-way sensitivity of the delivery form shown (computed when first asked for)."""
        scenario = self.scenario
        return _tornado(self.run_key, scenario.strategy, float(scenario.wtp), self.result)

    def scale_curve(self) -> pd.DataFrame:
        """Cost per participant and ICER against courses a year (computed when asked for)."""
        scenario = self.scenario
        return _scale_curve(
            self.run_key, scenario.scale_key, scenario.strategy, self.result, self.prepared
        )


def compute(folder: str, inputs: Inputs, scenario: S.Scenario) -> View:
    """Check the scenario and gather its results (cached parts reused). Raises InputError."""
    prepared = S.prepare(inputs, scenario)
    run_key = (folder, *scenario.run_key)
    result = _run(run_key, prepared)
    strategy, wtp = scenario.strategy, float(scenario.wtp)
    return View(
        scenario=scenario,
        prepared=prepared,
        result=result,
        run_key=run_key,
        decision=_decision(run_key, scenario.scale_key, wtp, result, prepared),
        curves=_curves(run_key, result),
        budget=_budget(run_key, scenario.scale_key, strategy, result, prepared),
        changes=S.what_changed(inputs, scenario),
    )
