"""Tests of chunked evaluation on processes and Dask (peer_econ.analysis.parallel)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from peer_econ.analysis import dsa, gsa
from peer_econ.analysis.parallel import ExecutionOptions, chunk_bounds, evaluate_rows
from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs
from peer_econ.model.adapter import PeerModel, model_table


def row_sum(d: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"s": np.asarray(d["a"]) + np.asarray(d["b"]), "p": np.asarray(d["a"]) * 2.0}


def pair(d: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(d["a"])
    return np.column_stack([a, -a]), np.exp(np.column_stack([a, a]))


@pytest.fixture(scope="module")
def peer():  # type: ignore[no-untyped-def]
    return load_inputs("inputs")


def test_chunk_bounds_cover() -> None:
    assert chunk_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunk_bounds(4, 4) == [(0, 4)]


def test_structures_and_constants() -> None:
    d = {"a": np.arange(10.0), "b": np.broadcast_to(np.float64(3.0), (10,))}
    out = evaluate_rows(row_sum, d, options=ExecutionOptions(chunk_size=3))
    np.testing.assert_array_equal(out["s"], np.arange(10.0) + 3)
    c, e = evaluate_rows(pair, d, options=ExecutionOptions(chunk_size=4))
    assert c.shape == (10, 2) and e.shape == (10, 2)
    seen: list[int] = []
    evaluate_rows(row_sum, d, options=ExecutionOptions(chunk_size=4), on_chunk=seen.append)
    assert seen == [4, 4, 2]


def test_options_validation() -> None:
    with pytest.raises(InputError, match="--jobs"):
        ExecutionOptions(jobs=0)
    with pytest.raises(InputError, match="chunk_size"):
        ExecutionOptions(chunk_size=0)
    with pytest.raises(InputError, match="no rows"):
        evaluate_rows(row_sum, {"a": np.array([]), "b": np.array([])})
    with pytest.raises(InputError, match="different lengths"):
        evaluate_rows(row_sum, {"a": np.zeros(2), "b": np.zeros(3)})


def test_processes_identical_to_serial(peer) -> None:  # type: ignore[no-untyped-def]
    table = model_table(peer)
    draws = table.sample(3000, 7)
    model = PeerModel(peer)
    serial = dsa.run_model(model, draws, options=ExecutionOptions(chunk_size=700))
    procs = dsa.run_model(model, draws, options=ExecutionOptions(jobs=2, chunk_size=700))
    one = model(draws)
    for a, b, c in zip(serial, procs, one, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-13)


def test_dask_local_cluster_identical(peer) -> None:  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("dask.distributed")
    table = model_table(peer)
    outputs = gsa.DecisionOutputs(
        PeerModel(peer), peer.strategy_names, "sau", 200_000.0, ("peer_volunteer",)
    )
    local = gsa.sobol_indices(
        outputs, table, 128, rng=11, options=ExecutionOptions(chunk_size=1000)
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        opts = ExecutionOptions(scheduler=cluster.scheduler_address, chunk_size=1000)
        remote = gsa.sobol_indices(outputs, table, 128, rng=11, options=opts)
        owsa_local = dsa.owsa(
            PeerModel(peer), table, peer.strategy_names, comparator="sau", wtp=1e5
        )
        owsa_remote = dsa.owsa(
            PeerModel(peer),
            table,
            peer.strategy_names,
            comparator="sau",
            wtp=1e5,
            options=ExecutionOptions(scheduler=cluster.scheduler_address, chunk_size=20),
        )
    assert local.indices.equals(remote.indices)
    assert owsa_local.table.equals(owsa_remote.table)
