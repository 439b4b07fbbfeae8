"""``peer-econ app``: start Streamlit's server for the page, local, headless and quiet.

The server binds 127.0.0.1 unless told otherwise (another address prints a warning: the page
then answers anyone who can reach that address), opens no browser, and sends no usage
statistics: ``browser.gatherUsageStats`` is off on the command line and in the environment, so
nothing leaves the machine.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from peer_econ.app.config import AppConfig, config_to_env
from peer_econ.errors import InputError

#: Streamlit options the app always runs with (``streamlit run --<name> <value>``).
SERVER_OPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "server.headless": "true",  # no browser window, no first-run e-mail prompt
        "browser.gatherUsageStats": "false",  # no usage statistics leave the machine
        "server.enableAgentApi": "false",  # the page is for people in a browser only
        "server.fileWatcherType": "none",  # the installed page does not change while it runs
        "server.runOnSave": "false",
        "global.developmentMode": "false",
        "client.toolbarMode": "minimal",  # no deploy or developer menu for commissioners
        # a bug shows its type in the page and its traceback in the terminal only
        "client.showErrorDetails": "type",
        "theme.base": "light",
    }
)

#: Environment twin of the usage-statistics switch (read by Streamlit before its config files).
QUIET_ENV: Mapping[str, str] = MappingProxyType({"STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"})

INSTALL_HINT = (
    "the app needs Streamlit, the optional extra 'app': run `make run` (it installs it) or "
    "`pip install -e '.[app]'`"
)


def check_port(port: object) -> int:
    """``port`` if it is a whole number from 1 to 65535, else an :class:`InputError`."""
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InputError(f"--port = {port!r}; give a whole number from 1 to 65535")
    return port


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8 or ``::1``)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def host_warning(host: str) -> str | None:
    """The warning to print when the app listens beyond this machine (None on loopback)."""
    if is_loopback(host):
        return None
    return (
        f"--host {host}: the app will answer every computer that can reach this address, "
        "without a password; use the default 127.0.0.1 unless you mean to share it"
    )


def page_script() -> Path:
    """The Streamlit script of the page (inside the installed package)."""
    return Path(__file__).with_name("streamlit_app.py")


def streamlit_command(host: str, port: int, *, python: str = sys.executable) -> list[str]:
    """The ``python -m streamlit run`` command line of the app's server."""
    command = [python, "-m", "streamlit", "run", str(page_script())]
    options = {**SERVER_OPTIONS, "server.address": host, "server.port": str(port)}
    for name, value in options.items():
        command += [f"--{name}", value]
    return command


def app_environment(config: AppConfig, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` plus the app's settings and the telemetry switch."""
    return {**base, **config_to_env(config), **QUIET_ENV}


def _check_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise InputError(f"--host {host} --port {port}: cannot listen there ({exc})") from None


def launch(
    config: AppConfig,
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    echo: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
) -> int:
    """Check the options and inputs, then run the app's server until it stops.

    Returns
    -------
    int
        The server's exit status.

    Raises
    ------
    InputError
        Bad port, address in use, Streamlit missing or invalid inputs (before anything starts).
    """
    from peer_econ.inputs.load import load_inputs

    check_port(port)
    if importlib.util.find_spec("streamlit") is None:
        raise InputError(INSTALL_HINT)
    load_inputs(Path(config.inputs))  # bad inputs fail here, in the terminal, not in the page
    warning = host_warning(host)
    if warning:
        warn(warning)
    _check_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    echo(f"PEER app at http://{shown}:{port}/ (Ctrl+C to stop)")
    env = app_environment(config, os.environ)
    process = subprocess.Popen(streamlit_command(host, port), env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        # Ctrl+C in a terminal reaches the server too; a signal sent to this process alone
        # must still stop it
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            return process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()
