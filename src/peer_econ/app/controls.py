"""The sidebar: language, decision, delivery scale, levers and PSA size, read into a scenario.

Widgets take their first values from the inputs (via the session state) and hold what the user
types as typed: checking is the library's job (:func:`peer_econ.app.scenario.prepare`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from peer_econ.app import scenario as S
from peer_econ.app.config import AppConfig
from peer_econ.app.text import parameter_label, perspective_label, strategy_labels
from peer_econ.model.spec import Inputs
from peer_econ.outputs.language import LANGUAGES, Language

#: Sidebar widget keys other than the levers' (reset together).
CONTROL_KEYS = ("strategy", "wtp", "perspective", "horizon", "municipalities", "courses",
                "years", "ramp_1", "ramp_2", "n_samples", "seed")  # fmt: skip
#: Markdown characters escaped in texts that come from inputs or error messages.
_MARKDOWN = "\\`*_{}[]<>()#+-.!|~$"


def md(text: object) -> str:
    """``text`` with Markdown (and Streamlit's LaTeX ``$``) characters escaped."""
    return "".join("\\" + c if c in _MARKDOWN else c for c in str(text))


def defaults(inputs: Inputs, config: AppConfig) -> None:
    """Put the inputs' values into the session state once (widgets then read them)."""
    base = S.base_scenario(inputs, config.n_samples)
    values: dict[str, object] = {
        "lang": config.language,
        "strategy": base.strategy,
        "wtp": base.wtp,
        "perspective": base.perspective,
        "horizon": base.horizon_months,
        "municipalities": base.municipalities,
        "courses": base.courses_per_year,
        "years": base.years,
        "ramp_1": base.ramp_up[0],
        "ramp_2": base.ramp_up[1],
        "n_samples": base.n_samples,
        "seed": base.seed,
    }
    for lever, spec in S.available_levers(inputs.parameters):
        values[f"lever_{lever.key}"] = float(spec.value)
        values[f"fix_{lever.key}"] = False
    asked = st.query_params.get("lang")  # a link may open the page in a language: ?lang=da
    if asked in LANGUAGES:
        values["lang"] = asked
    for key, value in values.items():
        st.session_state.setdefault(key, value)


def _reset(inputs: Inputs) -> None:
    """Back to the inputs as they stand (the language stays)."""
    for key in list(st.session_state):
        if key in CONTROL_KEYS or str(key).startswith(("lever_", "fix_")):
            del st.session_state[key]


def _fix_lever(key: str) -> None:
    """Typing a value fixes the lever at it (untick "fix at value" to release it)."""
    st.session_state[f"fix_{key}"] = True


def language_control() -> Language:
    code = st.sidebar.radio(
        "Language / Sprog",
        LANGUAGES,
        format_func=lambda c: Language(c).t("app.language_name"),
        horizontal=True,
        key="lang",
    )
    return Language(str(code))


def _decision_controls(inputs: Inputs, lang: Language) -> dict[str, Any]:
    side = st.sidebar
    labels = strategy_labels(inputs)
    side.header(lang.t("app.controls.decision"))
    return {
        "strategy": side.selectbox(
            lang.t("app.control.strategy"), S.programme_names(inputs),
            format_func=lambda n: labels.get(n, n), key="strategy",
        ),
        "wtp": side.number_input(
            lang.t("app.control.wtp"), step=10_000.0, format="%.0f", key="wtp"
        ),
        "perspective": side.selectbox(
            lang.t("app.control.perspective"), tuple(inputs.settings.perspectives),
            format_func=lambda p: perspective_label(lang, p), key="perspective",
        ),
        "horizon_months": side.number_input(
            lang.t("app.control.horizon"), step=6.0, format="%g", key="horizon"
        ),
    }  # fmt: skip


def _delivery_controls(lang: Language) -> dict[str, Any]:
    side = st.sidebar
    side.header(lang.t("app.controls.delivery"))
    values: dict[str, Any] = {
        "municipalities": side.number_input(
            lang.t("app.control.municipalities"), step=1.0, format="%g", key="municipalities"
        ),
        "courses_per_year": side.number_input(
            lang.t("app.control.courses"), step=1.0, format="%g", key="courses"
        ),
        "years": side.number_input(lang.t("app.control.years"), step=1.0, format="%g", key="years"),
    }
    side.caption(lang.t("app.control.ramp_up_help"))
    first, second = side.columns(2)
    ramp = (
        first.number_input(lang.t("app.control.ramp_1"), step=0.05, format="%.2f", key="ramp_1"),
        second.number_input(lang.t("app.control.ramp_2"), step=0.05, format="%.2f", key="ramp_2"),
    )
    values["ramp_up"] = tuple(float(r) for r in ramp)
    return values


def _lever_controls(inputs: Inputs, lang: Language) -> tuple[tuple[str, float], ...]:
    side = st.sidebar
    side.header(lang.t("app.controls.levers"))
    side.caption(lang.t("app.controls.levers_help"))
    fixed = []
    for lever, spec in S.available_levers(inputs.parameters):
        value = side.number_input(
            parameter_label(lang, spec.name), step=lever.step, format=f"%.{lever.decimals}f",
            key=f"lever_{lever.key}", on_change=_fix_lever, args=(lever.key,),
        )  # fmt: skip
        is_fixed = side.checkbox(lang.t("app.control.fix"), key=f"fix_{lever.key}")
        low, high = lang.significant(spec.low, 4), lang.significant(spec.high, 4)
        if is_fixed:
            fixed.append((spec.name, float(value)))
            if S.outside_evidence(spec, float(value)):
                side.caption(":orange[" + md(lang.t("app.lever.outside", low=low, high=high)) + "]")
            else:
                side.caption(md(lang.t("app.lever.fixed", low=low, high=high)))
        elif spec.is_uncertain:
            kind = spec.distribution.kind
            side.caption(md(lang.t("app.lever.psa", kind=kind, low=low, high=high)))
        else:
            value_text = lang.significant(spec.value, 4)
            side.caption(md(lang.t("app.lever.input_fixed", value=value_text, low=low, high=high)))
    return tuple(fixed)


def controls(inputs: Inputs, config: AppConfig, lang: Language) -> S.Scenario:
    """The sidebar's controls, read into a scenario (not yet checked)."""
    decision = _decision_controls(inputs, lang)
    delivery = _delivery_controls(lang)
    fixed = _lever_controls(inputs, lang)
    with st.sidebar.expander(lang.t("app.controls.psa")):
        n_samples = st.number_input(lang.t("app.control.n_samples"), step=500, key="n_samples")
        seed = st.number_input(lang.t("app.control.seed"), step=1, key="seed")
    st.sidebar.button(lang.t("app.control.reset"), on_click=_reset, args=(inputs,), key="reset")
    return S.Scenario(
        strategy=str(decision["strategy"]),
        wtp=float(decision["wtp"]),
        perspective=str(decision["perspective"]),
        horizon_months=float(decision["horizon_months"]),
        municipalities=float(delivery["municipalities"]),
        courses_per_year=float(delivery["courses_per_year"]),
        years=float(delivery["years"]),
        ramp_up=delivery["ramp_up"],
        fixed=fixed,
        n_samples=int(n_samples),
        seed=int(seed),
    )
