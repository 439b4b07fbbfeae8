"""The app under misuse (issue 14): labels from the inputs reach the page as text, never as
markup; absurd values and links are refused with a message, never a traceback.

The page runs headless under Streamlit's AppTest with PEER_ECON_APP_SAMPLES=300. Streamlit reads
Markdown in headings, captions, alerts, widget labels and ``st.table`` cells, and HTML only where
``unsafe_allow_html=True`` (or ``st.html``, components) asks for it; the page uses none of those,
and escapes every text it builds from the inputs (:func:`peer_econ.app.controls.md`).
"""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("streamlit", reason="the app extra is not installed: pip install -e '.[app]'")

from streamlit.testing.v1 import AppTest  # noqa: E402

from peer_econ.app import scenario as S  # noqa: E402
from peer_econ.app.controls import md  # noqa: E402
from peer_econ.errors import InputError  # noqa: E402
from peer_econ.inputs.load import load_inputs  # noqa: E402

N = 300
ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "src" / "peer_econ" / "app"
SCRIPT = APP / "streamlit_app.py"

#: Strategy labels an inputs folder could hold: script, an event handler, a link to a script,
#: an image that would be fetched from elsewhere, and a mathtext formula that is not valid.
HOSTILE = {
    "peer_volunteer": "<script>alert(1)</script>",
    "peer_paid": "<img src=x onerror=alert(1)>",
    "peer_hybrid": "[click](javascript:alert(1)) ![x](http://evil.example/x.png) $\\frac{x$",
}
#: Raw markup that must never reach a text Streamlit reads as Markdown or HTML.
RAW_MARKUP = re.compile(r"(?<!\\)<(script|img)|(?<!\\)\]\((javascript|http)")
#: Elements whose text is shown as plain text (an interactive grid; option lists).
PLAIN = {"dataframe"}
CHOICES = {"selectbox", "radio", "multiselect"}


def _hostile_inputs(folder: Path) -> Path:
    """A copy of inputs/ whose strategy labels (and their Danish labels) are hostile."""
    shutil.copytree(ROOT / "inputs", folder)
    for name, key in (("strategies.csv", "strategy"), ("labels.csv", "name")):
        with (folder / name).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            if row[key] in HOSTILE and (key == "strategy" or row["kind"] == "strategy"):
                row["label" if key == "strategy" else "label_da"] = HOSTILE[row[key]]
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


def _page(monkeypatch: pytest.MonkeyPatch, inputs: Path | str = "inputs") -> AppTest:
    monkeypatch.setenv("PEER_ECON_APP_SAMPLES", str(N))
    monkeypatch.setenv("PEER_ECON_APP_INPUTS", str(inputs))
    return AppTest.from_file(str(SCRIPT), default_timeout=180)


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    for child in (children or {}).values():
        yield from _nodes(child)


def _markdown_texts(page: AppTest) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown (or would render as HTML)."""
    texts: list[str] = []
    for node in (*_nodes(page.main), *_nodes(page.sidebar)):
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind == "table":
            frame = node.value
            texts += [str(c) for c in frame.columns]
            texts += [c for c in frame.to_numpy().ravel() if isinstance(c, str)]
        elif kind in CHOICES and proto is not None:
            texts += [proto.label, proto.help]
        elif kind not in PLAIN and proto is not None:
            texts.append(str(proto))  # every string field, Markdown bodies and labels
    return texts


def _allow_html(page: AppTest) -> list[str]:
    """Elements asking Streamlit to render HTML."""
    found = []
    for node in (*_nodes(page.main), *_nodes(page.sidebar)):
        proto = getattr(node, "proto", None)
        if proto is not None and "allow_html" in proto.DESCRIPTOR.fields_by_name:
            if proto.allow_html:
                found.append(str(proto))
    return found


def test_the_app_asks_streamlit_for_no_html() -> None:
    """No source of the app renders HTML: the hostile-label test below then covers every text."""
    unsafe = re.compile(r"unsafe_allow_html\s*=\s*True|\bst\.html\b|components\.v1|\.iframe\(")
    for source in sorted(APP.glob("*.py")):
        assert not unsafe.search(source.read_text(encoding="utf-8")), source.name


def test_hostile_labels_reach_the_page_escaped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    page = _page(monkeypatch, _hostile_inputs(tmp_path / "inputs"))
    shown: list[str] = []
    page.run()
    steps = [
        {},  # the page as opened: the decision, the budget of PEER with volunteers
        {"curves_tab": "Tornado", "budget_tab": "Business case by authority"},
        {"curves_tab": "Scale", "strategy": "peer_paid"},
        {"curves_tab": "Cost-effectiveness plane", "strategy": "peer_hybrid"},
        {"lang": "da"},
    ]
    for step in steps:
        for key, value in step.items():
            page.session_state[key] = value
        page.run()
        assert not page.exception, [e.value for e in page.exception]
        assert not page.error, [e.value for e in page.error]
        assert not _allow_html(page)
        texts = _markdown_texts(page)
        raw = [t for t in texts if RAW_MARKUP.search(t)]
        assert not raw, raw[:3]
        shown += texts
        # the figures were drawn, the mathtext label included (as text, not a formula)
        assert page.get("image")
    escaped = {name: md(label) for name, label in HOSTILE.items()}
    # each label is shown, escaped, in the decision table and in the budget's heading
    for label in escaped.values():
        assert any(label in text for text in shown), label
    headings = [h.value for h in page.header]
    assert any(h.endswith(": " + escaped["peer_hybrid"]) for h in headings), headings
    # the same text as the user wrote it is what a reader sees (escapes only)
    assert escaped["peer_volunteer"] == "\\<script\\>alert\\(1\\)\\</script\\>"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("courses", 1e308, "give at most 52"),
        ("courses", -4.0, "must be a number in \\(0, 52\\]"),
        ("municipalities", 1e308, "municipalities = 1e\\+308 must be a whole number from 1 to 98"),
        ("municipalities", -3.0, "municipalities = \\-3 must be a whole number from 1 to 98"),
        ("years", 1e308, "years = 1e\\+308; give a whole number from 1 to 10"),
        ("wtp", 1e308, "willingness to pay 1e\\+308: give a finite number in \\[0, 1e\\+12\\]"),
        ("horizon", 1e308, "horizon\\_months = 1e\\+308 must be a number in \\(0, 1200\\]"),
        ("ramp_1", 1e308, "ramp\\-up share of year 1 = 1e\\+308; give a number in \\[0, 1\\]"),
        ("ramp_2", -1.0, "ramp\\-up share of year 2 = \\-1\\.0; give a number in \\[0, 1\\]"),
        ("n_samples", 10**9, "PSA samples = 1000000000; give a whole number from 1 to 20,000"),
        ("n_samples", -5, "PSA samples = \\-5"),
        ("seed", -1, "seed = \\-1 must be a whole number \\>= 0"),
        ("lever_group_size", 1e308, "participants\\_per\\_group = 1e\\+308: give a finite number"),
        ("lever_group_size", -1e308, "participants\\_per\\_group = \\-1e\\+308: give a finite"),
        ("lever_durability", 0.0, "decay\\_months = 0 must be \\> 0"),
    ],
)
def test_absurd_values_are_refused_with_a_message(
    monkeypatch: pytest.MonkeyPatch, key: str, value: float, message: str
) -> None:
    page = _page(monkeypatch)
    page.run()
    page.number_input(key=key).set_value(value).run()
    assert not page.exception, [e.value for e in page.exception]
    assert len(page.error) == 1 and message in page.error[0].value, page.error[0].value
    assert "no results are shown" in page.error[0].value
    assert not page.table and not page.dataframe and not page.get("image")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("wtp", float("nan"), "willingness to pay: value 1 is nan; values must be finite"),
        ("wtp", float("inf"), "willingness to pay: value 1 is inf"),
        ("courses_per_year", float("nan"), "courses_per_municipality_per_year = nan"),
        ("municipalities", float("nan"), "municipalities = nan must be a whole number"),
        ("years", float("nan"), "years = nan; give a whole number from 1 to 10"),
        ("horizon_months", float("nan"), "horizon_months = nan must be a number in (0, 1200]"),
        ("ramp_up", (float("nan"), 1.0), "ramp-up share of year 1 = nan"),
        ("fixed", (("participants_per_group", float("nan")),), "participants_per_group = nan"),
        ("seed", 2**80, "seed = 1208925819614629174706176; give a whole number from 0 to"),
    ],
)
def test_values_a_browser_cannot_send_are_refused_by_the_library(
    field: str, value: object, message: str
) -> None:
    """NaN, infinities and integers beyond 2**53 never reach the page: Streamlit's number
    widgets turn them into 0 (a value then checked like any other). The page's checks refuse
    them all the same, in case another caller builds a scenario."""
    inputs = load_inputs(ROOT / "inputs")
    bad = dataclasses.replace(S.base_scenario(inputs, N), **{field: value})  # type: ignore[arg-type]
    with pytest.raises(InputError) as caught:
        S.prepare(inputs, bad)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    "query",
    [
        {"lang": "xx"},
        {"lang": "<script>alert(1)</script>"},
        {"lang": "da" * 50_000},
        {"lang": ["da", "en"]},
        {f"p{i}": "x" * 1_000 for i in range(200)},
    ],
    ids=["unknown", "markup", "oversized", "repeated", "many-parameters"],
)
def test_odd_links_open_the_english_page(
    monkeypatch: pytest.MonkeyPatch, query: dict[str, Any]
) -> None:
    """A link's language that is not ``en`` or ``da`` is ignored: the page opens in English
    (the launcher's default), and other query parameters are not read at all."""
    page = _page(monkeypatch)
    for name, value in query.items():
        page.query_params[name] = value
    page.run()
    assert not page.exception and not page.error
    assert page.radio(key="lang").value == "en"
    assert page.title[0].value == "PEER: is it worth funding?"
    assert not [t for t in _markdown_texts(page) if RAW_MARKUP.search(t)]


def test_a_link_may_open_the_danish_page(monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(monkeypatch)
    page.query_params["lang"] = "da"
    page.run()
    assert not page.exception and page.radio(key="lang").value == "da"
