"""A small local web app for commissioners: move sliders, see PEER's results update.

Runs on the standard library's HTTP server (no extra dependency), bound to 127.0.0.1 by default.
``GET /`` serves one self-contained page; ``POST /api/evaluate`` takes JSON
``{"overrides": {name: value}, "settings": {key: value}, "wtp": float, "n_samples": int,
"plan": {"strategy", "courses_per_year", "municipalities"}}`` and returns the headline table,
the probability that each strategy is cost-effective at ``wtp`` and the yearly budget by payer.
Every request goes through :func:`peer_econ.runs.pipeline.run`, like the command line.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

import numpy as np

from peer_econ.analysis.budget import BudgetPlan, budget_impact
from peer_econ.analysis.cea import cea_curves
from peer_econ.errors import InputError
from peer_econ.model.spec import Inputs
from peer_econ.runs.pipeline import run

#: Largest PSA a request may ask for (keeps the page responsive).
MAX_APP_SAMPLES = 20_000
#: Settings a request may change.
APP_SETTINGS = ("perspective", "durability", "source_outcome", "horizon_months", "shrinkage")
#: Sliders shown on the page: parameter, label, step.
SLIDERS = (
    ("participants_per_group", "Participants enrolled per group", 1.0),
    ("coordinator_hours_per_course", "Coordinator hours per course", 1.0),
    ("courses_per_volunteer", "Courses each trained volunteer runs", 0.5),
    ("decay_months", "Months until the gain has faded (linear)", 1.0),
    ("venue_per_session", "Venue cost per session (DKK)", 50.0),
    ("delivered_attendance_prop", "Share attending 8+ sessions", 0.02),
)


def evaluate_request(inputs: Inputs, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Run the model for one request and summarise it (JSON-ready).

    Raises
    ------
    InputError
        Unknown keys, parameters or settings; values out of range.
    """
    if not isinstance(payload, Mapping):
        raise InputError("request body must be a JSON object")
    unknown = sorted(set(payload) - {"overrides", "settings", "wtp", "n_samples", "plan", "seed"})
    if unknown:
        raise InputError(f"unknown request key(s) {unknown}")
    overrides = payload.get("overrides", {}) or {}
    settings = payload.get("settings", {}) or {}
    if not isinstance(overrides, Mapping) or not isinstance(settings, Mapping):
        raise InputError("'overrides' and 'settings' must be JSON objects")
    bad = sorted(set(settings) - set(APP_SETTINGS))
    if bad:
        raise InputError(f"settings {bad} cannot be changed here; allowed: {list(APP_SETTINGS)}")
    values = {str(name): _number(value, f"override {name}") for name, value in overrides.items()}
    n_samples = _whole(payload.get("n_samples", 2000), "n_samples", 1, MAX_APP_SAMPLES)
    seed = _whole(payload.get("seed", inputs.settings.seed), "seed", 0, 2**32 - 1)
    wtp = _number(payload.get("wtp", inputs.settings.wtp_point), "wtp")
    if not (np.isfinite(wtp) and wtp >= 0):
        raise InputError(f"wtp = {wtp!r} must be a number >= 0")
    prepared = inputs.with_settings(**dict(settings)) if settings else inputs
    result = run(prepared, n_samples=n_samples, seed=seed, overrides=values)
    headline = result.summary()
    labels = {s.name: s.label for s in result.inputs.strategies}
    curves = cea_curves(result.psa.cost, result.psa.qaly, result.psa.strategies, wtp=[wtp])
    out: dict[str, Any] = {
        "wtp": wtp,
        "n_samples": result.n_samples,
        "strategies": [
            {
                "strategy": row["strategy"],
                "label": labels[str(row["strategy"])],
                "cost": _num(row["cost"]),
                "qaly": _num(row["qaly"]),
                "inc_cost": _num(row["inc_cost"]),
                "inc_qaly": _num(row["inc_qaly"]),
                "icer": _num(row["icer"]),
                "probability_best": float(curves.probability_best[0, j]),
            }
            for j, row in enumerate(headline.to_dict("records"))
        ],
        "optimal": curves.optimal_strategy[0],
    }
    plan_in = payload.get("plan")
    if plan_in is not None:
        if not isinstance(plan_in, Mapping):
            raise InputError("'plan' must be a JSON object")
        plan = BudgetPlan(
            str(plan_in.get("strategy", inputs.settings.headline_strategy)),
            _number(plan_in.get("courses_per_year", 4), "courses_per_year"),
            _whole(plan_in.get("municipalities", 5), "municipalities", 1, 98),
            1,
        )
        table = budget_impact(
            result.psa.budget_cost, result.psa.strategies, plan,
            result.draws["participants_per_group"], comparator=result.comparator,
        )  # fmt: skip
        year = table[table["year"] == "1"]
        out["budget"] = [
            {"payer": r["payer"], "per_year": _num(r["budget_impact"]),
             "lower": _num(r["lower"]), "upper": _num(r["upper"])}
            for r in year.to_dict("records")
        ]  # fmt: skip
    return out


def _whole(value: Any, name: str, low: int, high: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not np.isfinite(value)
        or int(value) != value
    ):
        raise InputError(f"{name} = {value!r} must be a whole number")
    if not low <= int(value) <= high:
        raise InputError(f"{name} = {value!r} must lie between {low} and {high}")
    return int(value)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise InputError(f"{name} = {value!r} must be a finite number")
    return float(value)


def _num(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None


def page(inputs: Inputs) -> str:
    """The single HTML page (sliders, results table, budget), with its script inline."""
    sliders = []
    for name, label, step in SLIDERS:
        if name not in inputs.parameters:
            continue
        spec = inputs.parameters[name]
        low = np.floor(min(spec.low, spec.value) / step) * step
        high = np.ceil(max(spec.high, spec.value) / step) * step
        if low == high:
            continue
        sliders.append(
            f'<label>{label}: <output id="o_{name}">{spec.value:g} (base case)</output>'
            f'<input type="range" data-param="{name}" min="{low:g}" max="{high:g}" '
            f'step="{step:g}" value="{spec.value:g}"></label>'
        )
    options = "".join(
        f'<option value="{s.name}">{s.label}</option>' for s in inputs.strategies if s.programme
    )
    template = (resources.files("peer_econ.app") / "page.html").read_text(encoding="utf-8")
    return (
        template.replace("{{SLIDERS}}", "".join(sliders))
        .replace("{{OPTIONS}}", options)
        .replace("{{WTP}}", f"{inputs.settings.wtp_point:g}")
    )


def make_server(inputs: Inputs, host: str = "127.0.0.1", port: int = 8765) -> ThreadingHTTPServer:
    """An HTTP server for the app (call ``serve_forever``; port 0 picks a free port)."""
    html = page(inputs).encode("utf-8")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # quiet: the command line prints the address once

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if self.path in ("/", "/index.html"):
                self._send(200, html, "text/html; charset=utf-8")
            else:
                self._send(404, b'{"error": "not found"}', "application/json")

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            if self.path != "/api/evaluate":
                self._send(404, b'{"error": "not found"}', "application/json")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > 1_000_000:
                self._send(413, b'{"error": "request too large"}', "application/json")
                return
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
                with lock:  # one model run at a time keeps memory bounded
                    result = evaluate_request(inputs, payload)
                self._send(200, json.dumps(result).encode(), "application/json")
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                self._send(400, json.dumps({"error": f"invalid JSON: {exc}"}).encode(),
                           "application/json")  # fmt: skip
            except InputError as exc:
                self._send(400, json.dumps({"error": "; ".join(exc.problems)}).encode(),
                           "application/json")  # fmt: skip
            except Exception:
                # A fault of ours, not of the request: answer 500 and let the server log the
                # traceback (socketserver's handle_error) instead of blaming the user.
                self._send(500, b'{"error": "internal error"}', "application/json")
                raise

    return ThreadingHTTPServer((host, port), Handler)
