"""The local web app: page, JSON API, validation, served over loopback."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from peer_econ.app.server import evaluate_request, make_server, page
from peer_econ.errors import InputError
from peer_econ.inputs.load import load_inputs


@pytest.fixture(scope="module")
def inputs():  # type: ignore[no-untyped-def]
    return load_inputs("inputs")


def test_evaluate_request_matches_the_pipeline(inputs) -> None:  # type: ignore[no-untyped-def]
    from peer_econ.runs.pipeline import run

    out = evaluate_request(
        inputs,
        {"overrides": {"participants_per_group": 10}, "n_samples": 300, "seed": 3,
         "plan": {"strategy": "peer_volunteer", "courses_per_year": 2, "municipalities": 1}},
    )  # fmt: skip
    ref_result = run(inputs, n_samples=300, seed=3, overrides={"participants_per_group": 10})
    ref = ref_result.summary()
    got = {s["strategy"]: s for s in out["strategies"]}
    assert got["peer_volunteer"]["cost"] == pytest.approx(ref.set_index("strategy").loc[
        "peer_volunteer", "cost"])  # fmt: skip
    assert sum(s["probability_best"] for s in out["strategies"]) == pytest.approx(1.0)
    total = next(b for b in out["budget"] if b["payer"] == "total")
    # a running year of the same kit the CLI writes (1 municipality x 2 courses)
    from peer_econ.model.capacity import DeliveryPlan
    from peer_econ.runs.budget_plan import run_budget

    kit = run_budget(ref_result, DeliveryPlan(1, 2, years=2), ["peer_volunteer"]).by_payer()
    expected = kit[(kit["year"] == "2") & (kit["payer"] == "total")]["total"].iloc[0]
    assert total["per_year"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        ({"colour": 1}, "unknown request key"),
        ({"overrides": {"nope": 1}}, "unknown parameter"),
        ({"overrides": {"decay_months": -1}}, "must be > 0"),
        ({"settings": {"comparator": "x"}}, "cannot be changed"),
        ({"settings": {"perspective": "x"}}, "perspective"),
        ({"n_samples": 10**9}, "n_samples"),
        ({"wtp": "a"}, "wtp"),
    ],
)
def test_evaluate_request_rejects_bad_input(inputs, payload, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=match):
        evaluate_request(inputs, payload)


def test_page_has_sliders(inputs) -> None:  # type: ignore[no-untyped-def]
    html = page(inputs)
    assert 'data-param="participants_per_group"' in html and "/api/evaluate" in html
    assert "{{" not in html


@pytest.fixture()
def server(inputs) -> Iterator[str]:  # type: ignore[no-untyped-def]
    srv = make_server(inputs, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    host, port = srv.server_address[:2]
    yield f"http://{host!s}:{port}"
    srv.shutdown()
    srv.server_close()


def test_served_over_loopback(server: str) -> None:
    with urllib.request.urlopen(server + "/", timeout=10) as resp:
        assert resp.status == 200 and b"<html" in resp.read()
    body = json.dumps({"n_samples": 200}).encode()
    req = urllib.request.Request(server + "/api/evaluate", data=body, method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        data = json.loads(resp.read())
    assert {s["strategy"] for s in data["strategies"]} >= {"sau", "peer_volunteer"}
    bad = urllib.request.Request(server + "/api/evaluate", data=b"{not json", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(bad, timeout=10)
    assert err.value.code == 400


@pytest.mark.parametrize(
    "payload",
    [{"n_samples": float("nan")}, {"wtp": float("inf")}, {"settings": {"shrinkage": "false"}}],
)
def test_non_finite_and_mistyped_values_are_rejected(inputs, payload) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        evaluate_request(inputs, payload)
