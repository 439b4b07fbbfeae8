"""The commissioner page (Streamlit): controls in the sidebar; decision, curves, budget, export.

Started by ``peer-econ app`` (:mod:`peer_econ.app.launch`), which runs the script
``streamlit_app.py``. Every number comes from :mod:`peer_econ.app.scenario` (library calls) and
every text from the message catalogue (``outputs/locale/<lang>/app.toml``). When a control holds
a value the library refuses, the page shows the problems and nothing else: never results beside
an error, never a traceback (only the library's InputError is caught; anything else is a bug and
shows as one).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import streamlit as st

from peer_econ.app import sections
from peer_econ.app.compute import compute, inputs_of
from peer_econ.app.config import config_from_env
from peer_econ.app.controls import controls, defaults, language_control, md
from peer_econ.errors import InputError
from peer_econ.outputs.language import Language


def show_problems(problems: Sequence[str], lang: Language) -> None:
    """The problems, in place of any result."""
    lines = "\n".join(f"- {md(p)}" for p in problems)
    st.error(lang.t("app.error.title") + "\n\n" + lines)


def main() -> None:
    """Build the page once (Streamlit reruns this on every change of a control)."""
    st.set_page_config(page_title="PEER", layout="wide")
    try:
        config = config_from_env(os.environ)
        inputs = inputs_of(config.inputs)
    except InputError as exc:
        show_problems(exc.problems, Language("en"))
        return
    defaults(inputs, config)
    lang = language_control()
    st.title(lang.t("app.title"))
    scenario = controls(inputs, config, lang)
    try:
        view = compute(config.inputs, inputs, scenario)
    except InputError as exc:
        show_problems(exc.problems, lang)
        return
    sections.show_all(view, lang, config)
