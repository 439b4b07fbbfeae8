"""Tests of the SALib bridge (peer_econ.analysis.gsa): Ishigami, a linear toy model, PEER."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pytest

from peer_econ.analysis import gsa
from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs
from peer_econ.model.adapter import PeerModel, model_table
from peer_econ.parameters.distributions import Fixed, Normal, Uniform
from peer_econ.parameters.table import ParameterSpec, ParameterTable

# Ishigami (REFERENCE-CASES.md): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])


def ishigami_table() -> ParameterTable:
    specs = tuple(
        ParameterSpec(f"x{i}", Uniform(-math.pi, math.pi), -math.pi, math.pi, "") for i in (1, 2, 3)
    )
    return ParameterTable((*specs, ParameterSpec("unused", Fixed(5.0), 5.0, 5.0, "")))


def ishigami(d: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    x1, x2, x3 = (np.asarray(d[k]) for k in ("x1", "x2", "x3"))
    return {"y": np.sin(x1) + 7.0 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)}


# Linear toy: Y = 1 * X1 + 2 * X2 + 0 * X3 with X1 ~ N(0, 1), X2 ~ N(0, 1), X3 ~ N(5, 1):
# V = 1 + 4 = 5, so S1 = ST = (0.2, 0.8, 0).
def linear_table() -> ParameterTable:
    return ParameterTable(
        (
            ParameterSpec("a", Normal(0.0, 1.0), -2, 2, ""),
            ParameterSpec("b", Normal(0.0, 1.0), -2, 2, ""),
            ParameterSpec("c", Normal(5.0, 1.0), 3, 7, ""),
        )
    )


def linear(d: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"y": np.asarray(d["a"]) + 2.0 * np.asarray(d["b"]) + 0.0 * np.asarray(d["c"])}


def _by_param(frame, col):  # type: ignore[no-untyped-def]
    return frame.set_index("parameter")[col]


def test_problem_from_table_excludes_fixed() -> None:
    names = gsa.gsa_names(ishigami_table())
    assert names == ("x1", "x2", "x3")
    prob = gsa.salib_problem(names)
    assert prob["num_vars"] == 3 and prob["bounds"] == [[0.0, 1.0]] * 3
    with pytest.raises(InputError, match="fixed"):
        gsa.gsa_names(ishigami_table(), ["unused"])
    with pytest.raises(InputError, match="unknown parameter"):
        gsa.gsa_names(ishigami_table(), ["nope"])


def test_indexed_design_equals_salib_design() -> None:
    table = linear_table()
    for second in (False, True):
        a = gsa.sobol_design(table, 64, calc_second_order=second, rng=5, method="indexed")
        b = gsa.sobol_design(table, 64, calc_second_order=second, rng=5, method="salib")
        assert a.n_rows == b.draws["a"].shape[0]
        for k in a.draws:
            np.testing.assert_array_equal(a.draws[k], b.draws[k])


def test_map_unit_respects_distributions() -> None:
    table = linear_table()
    u = np.array([[0.5, 0.975, 0.025]])
    d = gsa.map_unit(u, table, ("a", "b", "c"))
    assert d["a"][0] == pytest.approx(0.0)
    assert d["b"][0] == pytest.approx(1.959964, rel=1e-6)
    assert d["c"][0] == pytest.approx(5 - 1.959964, rel=1e-6)


def test_ishigami_sobol() -> None:
    res = gsa.sobol_indices(ishigami, ishigami_table(), 2**12, rng=0)
    s1 = _by_param(res.indices, "S1").to_numpy()
    st = _by_param(res.indices, "ST").to_numpy()
    np.testing.assert_allclose(s1, ISHIGAMI_S1, atol=0.04)
    np.testing.assert_allclose(st, ISHIGAMI_ST, atol=0.04)
    assert res.n_evaluations == 2**12 * 5
    assert gsa.INDEPENDENCE_NOTE in res.notes
    assert set(res.timings) == {"design", "mapping", "model", "analysis"}


@pytest.mark.slow
def test_ishigami_sobol_accurate() -> None:
    res = gsa.sobol_indices(ishigami, ishigami_table(), 2**14, rng=1, calc_second_order=True)
    np.testing.assert_allclose(_by_param(res.indices, "S1").to_numpy(), ISHIGAMI_S1, atol=0.02)
    np.testing.assert_allclose(_by_param(res.indices, "ST").to_numpy(), ISHIGAMI_ST, atol=0.02)
    s2 = res.second_order
    assert s2 is not None
    s13 = s2[(s2.parameter_a == "x1") & (s2.parameter_b == "x3")]["S2"].iloc[0]
    v = 49 / 8 + 0.1 * math.pi**4 / 5 + 0.01 * math.pi**8 / 18 + 0.5
    assert s13 == pytest.approx(0.01 * math.pi**8 * (1 / 18 - 1 / 50) / v, abs=0.03)


def test_linear_sobol_exact_values() -> None:
    res = gsa.sobol_indices(linear, linear_table(), 2**12, rng=3)
    np.testing.assert_allclose(_by_param(res.indices, "S1").to_numpy(), [0.2, 0.8, 0.0], atol=0.02)
    np.testing.assert_allclose(_by_param(res.indices, "ST").to_numpy(), [0.2, 0.8, 0.0], atol=0.02)


def test_sobol_seed_zero_reproducible_and_no_global_state() -> None:
    np.random.seed(123)  # noqa: NPY002
    state = np.random.get_state(legacy=False)["state"]  # noqa: NPY002
    before = (state["key"].copy(), state["pos"])
    a = gsa.sobol_indices(linear, linear_table(), 256, rng=0)
    b = gsa.sobol_indices(linear, linear_table(), 256, rng=0)
    assert a.indices.equals(b.indices)
    after = np.random.get_state(legacy=False)["state"]  # noqa: NPY002
    np.testing.assert_array_equal(after["key"], before[0])
    assert after["pos"] == before[1]


def test_sobol_convergence_reports_change() -> None:
    conv = gsa.sobol_convergence(linear, linear_table(), 512, rng=2)
    assert {"S1_n", "S1_2n", "S1_change", "ST_change"} <= set(conv.columns)
    assert (conv["S1_change"] >= 0).all() and conv["S1_change"].max() < 0.2


def test_morris_linear_uniform() -> None:
    """Y = x1 + 2 x2 with uniforms: elementary effects are constant, sigma = 0."""
    table = ParameterTable(
        (
            ParameterSpec("x1", Uniform(0, 1), 0, 1, ""),
            ParameterSpec("x2", Uniform(0, 1), 0, 1, ""),
            ParameterSpec("x3", Uniform(0, 1), 0, 1, ""),
        )
    )

    def f(d: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"y": np.asarray(d["x1"]) + 2 * np.asarray(d["x2"])}

    res = gsa.morris_indices(f, table, 20, rng=0, quantile_range=(0.0, 1.0))
    mu = _by_param(res.indices, "mu_star")
    np.testing.assert_allclose(mu.to_numpy(), [1.0, 2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(_by_param(res.indices, "sigma").to_numpy(), 0.0, atol=1e-9)


def test_delta_ranks_and_screens() -> None:
    res = gsa.delta_indices(linear, linear_table(), 512, rng=0, num_resamples=5)
    d = _by_param(res.indices, "delta")
    assert d["b"] > d["a"] > d["c"]
    est = _by_param(res.indices, "estimated")
    assert not est["c"] and est["a"] and est["b"]


def test_peer_outputs_and_independence_note() -> None:
    inputs = load_inputs("inputs")
    table = model_table(inputs)
    out = gsa.DecisionOutputs(
        PeerModel(inputs), inputs.strategy_names, "sau", 200_000.0, ("peer_volunteer",)
    )
    res = gsa.sobol_indices(out, table, 256, rng=1)
    assert set(res.indices["output"]) == {"inmb:peer_volunteer", "inc_qaly:peer_volunteer"}
    st = res.indices[res.indices.output == "inc_qaly:peer_volunteer"].set_index("parameter")["ST"]
    assert st["baseline_utility"] == pytest.approx(0.0, abs=1e-12)
    assert st["mansa_d"] > 0.1
    assert any("independent" in n for n in res.notes)
    with pytest.raises(InputError, match="strategy 'nope'"):
        gsa.DecisionOutputs(PeerModel(inputs), inputs.strategy_names, "sau", 1.0, ("nope",))
