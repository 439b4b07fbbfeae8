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
from peer_econ.model.spec import Inputs


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
    ref = run(inputs, n_samples=300, seed=3, overrides={"participants_per_group": 10}).summary()
    got = {s["strategy"]: s for s in out["strategies"]}
    assert got["peer_volunteer"]["cost"] == pytest.approx(ref.set_index("strategy").loc[
        "peer_volunteer", "cost"])  # fmt: skip
    assert sum(s["probability_best"] for s in out["strategies"]) == pytest.approx(1.0)
    total = next(b for b in out["budget"] if b["payer"] == "total")
    # 2 courses x 10 participants x cost per participant
    assert total["per_year"] == pytest.approx(20 * got["peer_volunteer"]["cost"], rel=1e-9)


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
    ("payload", "match"),
    [
        ({"n_samples": float("nan")}, r"n_samples = nan must be a whole number"),
        ({"wtp": float("inf")}, r"wtp = inf must be a finite number"),
        ({"settings": {"shrinkage": "false"}}, r"shrinkage = 'false' must be true or false"),
        ({"plan": {"strategy": "nope"}}, r"nope"),
    ],
)
def test_non_finite_and_mistyped_values_are_rejected(inputs, payload, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=match):
        evaluate_request(inputs, payload)


def test_a_fault_of_the_app_is_not_blamed_on_the_request(
    inputs: Inputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A programming error (here a TypeError inside the model run) answers 500, not 400."""
    import peer_econ.app.server as server_module

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("a bug, not a bad request")

    monkeypatch.setattr(server_module, "evaluate_request", broken)
    srv = make_server(inputs, "127.0.0.1", 0)
    srv.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    host, port = srv.server_address[:2]
    try:
        req = urllib.request.Request(
            f"http://{host!s}:{port}/api/evaluate", data=b"{}", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=10)
        assert err.value.code == 500
        assert json.loads(err.value.read()) == {"error": "internal error"}
    finally:
        srv.shutdown()
        srv.server_close()
