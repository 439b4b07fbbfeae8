"""``peer-econ app``: options checked, loopback by default, telemetry off, settings handed over."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from peer_econ.app import launch as L
from peer_econ.app.browser import free_port
from peer_econ.app.config import AppConfig, config_from_env, config_to_env
from peer_econ.cli import app as cli
from peer_econ.errors import InputError


@pytest.mark.parametrize("port", [0, 65536, -1, True, 80.5])
def test_port_must_be_1_to_65535(port: object) -> None:
    with pytest.raises(InputError, match="give a whole number from 1 to 65535"):
        L.check_port(port)
    assert L.check_port(8765) == 8765


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts_get_no_warning(host: str) -> None:
    assert L.is_loopback(host) and L.host_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "peer.example.org"])
def test_other_hosts_get_a_warning(host: str) -> None:
    warning = L.host_warning(host)
    assert warning is not None and "without a password" in warning


def test_server_runs_headless_without_usage_statistics() -> None:
    command = L.streamlit_command("127.0.0.1", 8765, python="python")
    pairs = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[:5] == ["python", "-m", "streamlit", "run", str(L.page_script())]
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.headless"] == "true"
    assert pairs["--server.enableAgentApi"] == "false"
    assert pairs["--client.showErrorDetails"] == "type"  # no traceback in the page
    assert pairs["--server.address"] == "127.0.0.1" and pairs["--server.port"] == "8765"
    env = L.app_environment(AppConfig(n_samples=500, language="da"), {"PATH": "/bin"})
    assert env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false"
    assert config_from_env(env) == AppConfig(n_samples=500, language="da")
    assert L.page_script().is_file()


def test_project_config_keeps_a_direct_streamlit_run_quiet() -> None:
    """``streamlit run`` from the project folder reads .streamlit/config.toml."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["headless"] is True and config["server"]["address"] == "127.0.0.1"


@pytest.mark.parametrize(
    ("environ", "match"),
    [
        ({"PEER_ECON_APP_SAMPLES": "abc"}, "PEER_ECON_APP_SAMPLES = 'abc'"),
        ({"PEER_ECON_APP_SAMPLES": "20001"}, "from 1 to 20,000"),
        ({"PEER_ECON_APP_LANG": "de"}, "PEER_ECON_APP_LANG = 'de'"),
    ],
)
def test_bad_settings_are_input_errors(environ: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        config_from_env(environ)
    assert config_from_env(config_to_env(AppConfig())) == AppConfig()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "error: --port = 0; give a whole number from 1 to 65535"),
        (["--port", "70000"], "error: --port = 70000"),
        (["--n-samples", "0"], "error: --n-samples = 0"),
        (["--lang", "de"], "error: --lang = 'de'"),
        (["--inputs", "no-such-folder"], "error: "),
    ],
)
def test_cli_rejects_bad_options_without_starting(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    monkeypatch.setattr(L.subprocess, "Popen", lambda *a, **k: started.append(a))
    result = CliRunner().invoke(cli, ["app", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not started


class _Server:
    """Stands in for the Streamlit process: records its command and stops at once."""

    calls: list[tuple[list[str], dict[str, str]]] = []

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.calls.append((command, env))

    def wait(self) -> int:
        return 0


def test_cli_warns_beyond_loopback_and_hands_over_its_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(L.subprocess, "Popen", _Server)
    _Server.calls.clear()
    port = free_port()
    result = CliRunner().invoke(
        cli, ["app", "--host", "0.0.0.0", "--port", str(port), "--n-samples", "800", "--lang", "da"]
    )
    assert result.exit_code == 0, result.output
    assert "warning: --host 0.0.0.0: the app will answer every computer" in result.output
    command, env = _Server.calls[0]
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
    assert env["PEER_ECON_APP_SAMPLES"] == "800" and env["PEER_ECON_APP_LANG"] == "da"
    result = CliRunner().invoke(cli, ["app", "--port", str(port)])
    assert result.exit_code == 0 and "warning" not in result.output
    assert f"PEER app at http://127.0.0.1:{port}/" in result.output
