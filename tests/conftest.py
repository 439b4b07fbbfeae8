"""Shared pytest configuration: headless plotting, the ``--runslow`` switch and the test order
under mutation testing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# Property tests explore a fixed sequence of examples, so a CI run is reproducible and a failure
# seen once is seen again; no deadline, since a loaded 2-core machine is slow at times.
hypothesis_settings.register_profile("peer_econ", derandomize=True, deadline=None)
hypothesis_settings.load_profile("peer_econ")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")


def _fastest_first_under_mutmut(items: list[pytest.Item]) -> None:
    """Under mutmut (which sets ``MUTANT_UNDER_TEST`` and runs from ``mutants/``, stopping at
    the first failure), run the tests in the order of their durations in mutmut's last stats,
    so a mutant is noticed by its fastest failing test; mutmut passes them in no set order."""
    stats = Path("mutmut-stats.json")
    if "MUTANT_UNDER_TEST" not in os.environ or not stats.is_file():
        return
    durations: dict[str, float] = json.loads(stats.read_text(encoding="utf-8")).get(
        "duration_by_test", {}
    )
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _fastest_first_under_mutmut(items)
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)
