"""Tests of ``peer_econ._rng.check_rng`` and ``peer_econ.parameters.table``.

Kinds (STYLE 3.3 item 7): (d) seeded reproducibility, (c) the Gaussian copula reproduces the
requested Spearman correlations and keeps the marginals, (e) invariants (fixed parameters constant,
draws read-only) and (f) ``pytest.raises(InputError, match=...)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from peer_econ._rng import check_rng
from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs
from peer_econ.parameters.distributions import (
    Beta,
    Distribution,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
    Triangular,
    TruncatedNormal,
    Uniform,
)
from peer_econ.parameters.table import Draws, ParameterSpec, ParameterTable

INPUTS = Path(__file__).resolve().parents[1] / "inputs"


def spec(name: str, dist: Distribution, low: float = -1e9, high: float = 1e9) -> ParameterSpec:
    return ParameterSpec(name=name, distribution=dist, low=low, high=high, unit="unit")


def small_table(correlations: tuple[tuple[str, str, float], ...] = ()) -> ParameterTable:
    """Gamma(16, 75) cost (mean 1200), Beta(12, 12) probability (mean 0.5), a fixed count,
    a lognormal, a normal and a uniform."""
    return ParameterTable(
        (
            spec("cost", Gamma(16.0, 75.0)),
            spec("prob", Beta(12.0, 12.0)),
            spec("count", Fixed(8.0)),
            spec("ratio", LogNormal(0.0, 0.3)),
            spec("effect", Normal(0.3, 0.1)),
            spec("share", Uniform(0.2, 0.6)),
        ),
        correlations,
    )


# --- check_rng ----------------------------------------------------------------------------------


def test_check_rng_seed_zero_is_a_seed() -> None:
    """seed = 0 must seed PCG64 with 0 (SALib's ``if seed:`` bug treats it as None)."""
    a = check_rng(0).random(5)
    b = check_rng(0).random(5)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, np.random.default_rng(0).random(5))


def test_check_rng_same_seed_same_numbers_different_seeds_differ() -> None:
    np.testing.assert_array_equal(check_rng(42).random(10), check_rng(42).random(10))
    assert not np.array_equal(check_rng(42).random(10), check_rng(43).random(10))


def test_check_rng_numpy_integer_seed() -> None:
    np.testing.assert_array_equal(
        check_rng(np.int64(7)).random(3),
        np.random.default_rng(7).random(3),
    )


def test_check_rng_generator_passes_through() -> None:
    gen = np.random.default_rng(3)
    assert check_rng(gen) is gen


def test_check_rng_none_gives_fresh_generator() -> None:
    gen = check_rng(None)
    assert isinstance(gen, np.random.Generator)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (-1, r"seed -1 is negative"),
        (True, r"rng True is not a seed"),
        (False, r"rng False is not a seed"),
        (1.5, r"rng 1\.5 is not a seed"),
        ("12", r"rng '12' is not a seed"),
        (np.random.RandomState(0), r"is not a seed"),
    ],
)
def test_check_rng_rejects(bad: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        check_rng(bad)  # type: ignore[arg-type]


# --- sampling: reproducibility and invariants ---------------------------------------------------


def test_same_seed_identical_arrays() -> None:
    table = small_table((("cost", "prob", 0.6),))
    a = table.sample(500, 11)
    b = table.sample(500, 11)
    assert list(a) == list(table.names)
    for name in table.names:
        np.testing.assert_array_equal(a[name], b[name])


def test_seed_zero_reproducible_and_differs_from_none() -> None:
    table = small_table()
    a = table.sample(100, 0)
    b = table.sample(100, 0)
    np.testing.assert_array_equal(a["cost"], b["cost"])
    c = table.sample(100, None)
    assert not np.array_equal(a["cost"], c["cost"])


def test_generator_argument_equals_int_seed() -> None:
    table = small_table((("cost", "prob", 0.6),))
    a = table.sample(200, 5)
    b = table.sample(200, np.random.default_rng(5))
    for name in table.names:
        np.testing.assert_array_equal(a[name], b[name])


def test_different_seeds_differ() -> None:
    table = small_table((("cost", "prob", 0.6),))
    a = table.sample(200, 1)
    b = table.sample(200, 2)
    for name in table.uncertain_names():
        assert not np.array_equal(a[name], b[name]), name


def test_fixed_parameters_are_constant() -> None:
    draws = small_table().sample(1000, 3)
    np.testing.assert_array_equal(draws["count"], np.full(1000, 8.0))
    assert "count" not in small_table().uncertain_names()


def test_draws_shapes_and_n1() -> None:
    table = small_table((("cost", "prob", 0.6),))
    for n in (1, 7):
        draws = table.sample(n, 9)
        assert draws.n_samples == n
        assert len(draws) == len(table)
        for name in table.names:
            assert draws[name].shape == (n,)
            assert draws[name].dtype == np.float64


def test_draws_arrays_read_only() -> None:
    draws = small_table((("cost", "prob", 0.6),)).sample(10, 4)
    for name in draws:
        assert not draws[name].flags.writeable
        with pytest.raises(ValueError):
            draws[name][0] = 1.0
    with pytest.raises(TypeError):
        draws.arrays["cost"] = np.zeros(10)  # type: ignore[index]


def test_draws_copies_writeable_input() -> None:
    src = np.arange(3.0)
    draws = Draws({"x": src}, 3)
    src[0] = 99.0
    assert draws["x"][0] == 0.0


def test_draws_wrong_shape_rejected() -> None:
    with pytest.raises(InputError, match=r"parameter 'x' has shape \(2,\); expected \(3,\)"):
        Draws({"x": np.zeros(2)}, 3)


def test_draws_unknown_key() -> None:
    draws = small_table().sample(2, 0)
    with pytest.raises(KeyError, match="no parameter 'nope'"):
        draws["nope"]


@pytest.mark.parametrize(
    ("n", "match"),
    [
        (0, r"n_samples = 0 must be >= 1"),
        (-5, r">= 1"),
        (True, r"whole number"),
        (2.0, r"whole number"),
    ],
)
def test_sample_rejects_bad_n(n: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        small_table().sample(n, 0)  # type: ignore[arg-type]


def test_sample_rejects_bad_seed() -> None:
    with pytest.raises(InputError, match="negative"):
        small_table().sample(10, -3)


def test_default_inputs_sample_reproducible() -> None:
    table = load_inputs(INPUTS).parameters
    a = table.sample(50, 2025)
    b = table.sample(50, 2025)
    for name in table.names:
        np.testing.assert_array_equal(a[name], b[name])
        assert np.all(np.isfinite(a[name])), name


# --- deterministic and with_fixed ---------------------------------------------------------------


def test_deterministic_equals_distribution_means() -> None:
    """Means: Gamma(16, 75) -> 1200; Beta(12, 12) -> 0.5; Fixed 8; LogNormal(0, 0.3) ->
    exp(0.045) = 1.046027860; Normal 0.3; Uniform(0.2, 0.6) -> 0.4;
    TruncatedNormal and Triangular(1, 2, 6) -> 3."""
    table = ParameterTable(
        small_table().specs
        + (
            spec("tn", TruncatedNormal(0.0, 1.0, 0.0, math.inf)),
            spec("tri", Triangular(1.0, 2.0, 6.0)),
        )
    )
    det = table.deterministic()
    assert det.n_samples == 1
    expected = {
        "cost": 1200.0,
        "prob": 0.5,
        "count": 8.0,
        "ratio": math.exp(0.045),
        "effect": 0.3,
        "share": 0.4,
        "tn": math.sqrt(2.0 / math.pi),  # half-normal mean
        "tri": 3.0,
    }
    for name, value in expected.items():
        assert det[name].shape == (1,)
        assert det[name][0] == pytest.approx(value, rel=1e-12), name
        assert det[name][0] == pytest.approx(table[name].distribution.mean, rel=1e-15)
        assert table[name].value == pytest.approx(value, rel=1e-12)


def test_with_fixed_fixes_value_and_drops_correlations() -> None:
    table = small_table((("cost", "prob", 0.6), ("ratio", "effect", -0.4)))
    fixed = table.with_fixed({"cost": 1500.0})
    assert fixed["cost"].distribution == Fixed(1500.0)
    assert fixed["cost"].value == 1500.0
    assert not fixed["cost"].is_uncertain
    assert fixed.correlations == (("ratio", "effect", -0.4),)
    assert "fixed at 1500.0 by the user" in fixed["cost"].notes
    # the original table is unchanged
    assert table["cost"].distribution == Gamma(16.0, 75.0)
    assert len(table.correlations) == 2
    draws = fixed.sample(100, 1)
    np.testing.assert_array_equal(draws["cost"], np.full(100, 1500.0))
    assert fixed.deterministic()["cost"][0] == 1500.0


def test_with_fixed_widens_range_to_include_value() -> None:
    table = ParameterTable((spec("p", Beta(2.0, 2.0), low=0.2, high=0.8),))
    assert (table.with_fixed({"p": 0.9})["p"].low, table.with_fixed({"p": 0.9})["p"].high) == (
        0.2,
        0.9,
    )
    assert table.with_fixed({"p": 0.1})["p"].low == 0.1


def test_with_fixed_unknown_name() -> None:
    with pytest.raises(InputError, match=r"unknown parameter 'nope'"):
        small_table().with_fixed({"nope": 1.0})


# --- table validation ---------------------------------------------------------------------------


def test_duplicate_name_rejected() -> None:
    with pytest.raises(InputError, match=r"duplicate parameter name 'a'"):
        ParameterTable((spec("a", Fixed(1.0)), spec("a", Fixed(2.0))))


def test_correlation_unknown_parameter_rejected() -> None:
    with pytest.raises(InputError, match=r"correlation names unknown parameter 'ghost'"):
        small_table((("cost", "ghost", 0.3),))


@pytest.mark.parametrize("rho", [1.0, -1.0, 1.5])
def test_correlation_out_of_range_rejected(rho: float) -> None:
    with pytest.raises(InputError, match=r"must lie in \(-1, 1\)"):
        small_table((("cost", "prob", rho),))


def test_impossible_correlations_raise_input_error() -> None:
    """rho(a,b) = rho(a,c) = 0.9 and rho(b,c) = -0.9 cannot hold together: the normal-score
    matrix with r = 2 sin(pi 0.9 / 6) = 0.9079 has determinant
    1 - 3 r^2 - 2 r^3 < 0 (r_bc = -r), so it is not positive definite."""
    table = small_table((("cost", "prob", 0.9), ("cost", "ratio", 0.9), ("prob", "ratio", -0.9)))
    with pytest.raises(InputError, match=r"not jointly possible.*positive definite"):
        table.sample(10, 0)


def test_correlation_matrix_uses_kruskal_conversion() -> None:
    """r = 2 sin(pi rho / 6): rho = 0.6 -> 2 sin(0.1 pi) = 2 * 0.309017 = 0.618034;
    rho = -0.4 -> 2 sin(-pi/15) = -0.415823."""
    table = small_table((("cost", "prob", 0.6), ("ratio", "effect", -0.4)))
    mat = table.correlation_matrix(["cost", "prob", "ratio", "effect"])
    assert mat[0, 1] == pytest.approx(0.6180339887, rel=1e-9)
    assert mat[1, 0] == mat[0, 1]
    assert mat[2, 3] == pytest.approx(-0.4158233816, rel=1e-9)
    assert mat[0, 2] == 0.0
    np.testing.assert_array_equal(np.diag(mat), 1.0)


# --- copula -------------------------------------------------------------------------------------

N_COPULA = 100_000


@pytest.fixture(scope="module")
def copula_draws() -> Draws:
    table = small_table((("cost", "prob", 0.6), ("ratio", "effect", -0.4)))
    return table.sample(N_COPULA, 20250695)


@pytest.mark.parametrize(("a", "b", "rho"), [("cost", "prob", 0.6), ("ratio", "effect", -0.4)])
def test_copula_spearman_matches_request(copula_draws: Draws, a: str, b: str, rho: float) -> None:
    """Sampling SE of Spearman's rho at n = 100,000 is about (1 - rho^2)/sqrt(n) = 0.002."""
    got = stats.spearmanr(copula_draws[a], copula_draws[b]).statistic
    assert abs(got - rho) < 0.01


def test_copula_uncorrelated_pairs_stay_independent(copula_draws: Draws) -> None:
    for a, b in (("cost", "ratio"), ("prob", "effect"), ("cost", "share")):
        assert abs(stats.spearmanr(copula_draws[a], copula_draws[b]).statistic) < 0.015


@pytest.mark.parametrize(
    ("name", "ref"),
    [
        ("cost", stats.gamma(a=16.0, scale=75.0)),
        ("prob", stats.beta(12.0, 12.0)),
        ("ratio", stats.lognorm(s=0.3, scale=1.0)),
        ("effect", stats.norm(0.3, 0.1)),
        ("share", stats.uniform(0.2, 0.4)),
    ],
)
def test_copula_preserves_marginals(copula_draws: Draws, name: str, ref) -> None:  # type: ignore[no-untyped-def]
    """Each marginal: mean within 4 MC standard errors and a KS test against the target."""
    x = copula_draws[name]
    assert abs(x.mean() - ref.mean()) < 4.0 * math.sqrt(ref.var() / N_COPULA)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-3


def test_correlation_with_fixed_parameter_is_ignored_in_sampling() -> None:
    """A correlation whose partner is fixed leaves the other parameter independent."""
    table = ParameterTable((spec("a", Gamma(4.0, 1.0)), spec("b", Fixed(2.0))), (("a", "b", 0.5),))
    draws = table.sample(2000, 0)
    np.testing.assert_array_equal(draws["b"], 2.0)
    assert stats.kstest(draws["a"], stats.gamma(a=4.0).cdf).pvalue > 1e-3


def test_table_and_draws_pickle_round_trip() -> None:
    """Worker processes receive tables and draws by pickling."""
    import pickle
    from pathlib import Path

    from peer_econ.inputs.load import load_inputs

    inputs = load_inputs(Path(__file__).resolve().parents[1] / "inputs")
    draws = inputs.parameters.sample(20, 4)
    table = pickle.loads(pickle.dumps(inputs.parameters))
    again = pickle.loads(pickle.dumps(draws))
    assert table.names == inputs.parameters.names
    assert table["mansa_d"] == inputs.parameters["mansa_d"]
    for name in draws:
        np.testing.assert_array_equal(again[name], draws[name])
        assert not again[name].flags.writeable
