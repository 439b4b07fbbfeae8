"""Settings of the app, passed from the launcher to the page through environment variables.

Streamlit runs the page script in its own process, so ``peer-econ app`` hands its options over
as environment variables (documented in the README):

``PEER_ECON_APP_INPUTS``
    Inputs folder (default ``inputs``).
``PEER_ECON_APP_SAMPLES``
    PSA samples of every scenario (default :data:`DEFAULT_SAMPLES`; tests use a few hundred).
``PEER_ECON_APP_LANG``
    Language the page opens in, ``en`` or ``da`` (default ``en``).
``PEER_ECON_APP_OUT``
    Folder under which exported run folders are written (default ``reports``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from peer_econ.errors import InputError
from peer_econ.outputs.language import check_language

ENV_INPUTS = "PEER_ECON_APP_INPUTS"
ENV_SAMPLES = "PEER_ECON_APP_SAMPLES"
ENV_LANG = "PEER_ECON_APP_LANG"
ENV_OUT = "PEER_ECON_APP_OUT"

#: PSA samples of a scenario unless the launcher says otherwise (issue 12: a 5,000-sample
#: scenario recomputes in about a second).
DEFAULT_SAMPLES = 5_000
#: Largest PSA the app runs per scenario (memory and response time on a laptop).
MAX_SAMPLES = 20_000


@dataclass(frozen=True)
class AppConfig:
    """What the page needs from its launcher.

    Attributes
    ----------
    inputs : str
        Inputs folder.
    n_samples : int
        PSA samples per scenario, 1 to :data:`MAX_SAMPLES`.
    language : str
        ``en`` or ``da``: the language the page opens in.
    out : str
        Folder that receives exported run folders.
    """

    inputs: str = "inputs"
    n_samples: int = DEFAULT_SAMPLES
    language: str = "en"
    out: str = "reports"


def check_samples(value: object, where: str = "--n-samples") -> int:
    """``value`` as a whole number of PSA samples in [1, MAX_SAMPLES], else an InputError."""
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_SAMPLES:
        raise InputError(f"{where} = {value!r}; give a whole number from 1 to {MAX_SAMPLES:,}")
    return int(text)


def config_from_env(environ: Mapping[str, str]) -> AppConfig:
    """The app's settings from environment variables (defaults where unset)."""
    defaults = AppConfig()
    samples = environ.get(ENV_SAMPLES)
    return AppConfig(
        inputs=environ.get(ENV_INPUTS) or defaults.inputs,
        n_samples=defaults.n_samples if not samples else check_samples(samples, ENV_SAMPLES),
        language=check_language(environ.get(ENV_LANG) or defaults.language, where=ENV_LANG),
        out=environ.get(ENV_OUT) or defaults.out,
    )


def config_to_env(config: AppConfig) -> dict[str, str]:
    """The environment variables that carry ``config`` to the page."""
    return {
        ENV_INPUTS: config.inputs,
        ENV_SAMPLES: str(config.n_samples),
        ENV_LANG: config.language,
        ENV_OUT: config.out,
    }
