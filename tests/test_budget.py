"""The model's budget spending per participant: budget categories only, whatever the perspective."""

from __future__ import annotations

import numpy as np


def test_peer_budget_uses_only_budget_categories() -> None:
    """Participants' and volunteers' time never enter the budget, whatever the perspective."""
    from peer_econ.runs.pipeline import run

    societal = run("inputs", n_samples=200, seed=3, perspective="societal")
    base = run("inputs", n_samples=200, seed=3)
    for payer, arr in base.psa.budget_cost.items():
        np.testing.assert_allclose(societal.psa.budget_cost[payer], arr)
    assert "volunteers_participants" not in base.psa.budget_cost
    j = base.psa.strategies.index("peer_volunteer")
    total = sum(arr[:, j] for arr in base.psa.budget_cost.values())
    np.testing.assert_allclose(total, base.psa.cost[:, j])
