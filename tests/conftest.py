"""Shared pytest configuration: headless plotting and the ``--runslow`` switch."""

from __future__ import annotations

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)
