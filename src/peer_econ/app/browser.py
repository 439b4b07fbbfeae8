"""The app in a real browser: headless Chromium loads the running page, for a screenshot or its
rendered HTML (``make app-screenshot``; the browser test).

Streamlit draws the page in the browser after its script ran on the server, which a
``--virtual-time-budget`` does not wait for (virtual time runs out while the page still waits for
the server). So Chromium is driven through its DevTools protocol over a pipe: the page is loaded,
and the screenshot and HTML are taken once it shows the expected text, no script runs and its
images are loaded (real time, at most :data:`PAGE_TIMEOUT_S`). Chromium runs with a fresh
profile and without background networking, component updates or sync; every request the page
makes is recorded, so a test can check that nothing left the machine.

Usage: ``python -m peer_econ.app.browser OUT.png [--lang da]``.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peer_econ.app.config import AppConfig
from peer_econ.app.launch import app_environment, streamlit_command
from peer_econ.errors import InputError
from peer_econ.outputs.language import Language
from peer_econ.outputs.report.pdf import HEADLESS_CHROMIUM_FLAGS

#: Chromium's switches: the unattended set of the PDF printer, scroll bars hidden.
CHROMIUM_FLAGS = (*HEADLESS_CHROMIUM_FLAGS, "--hide-scrollbars")
#: Longest wait for the page to draw [s] (real time: Streamlit's page runs its script on the
#: server and draws in the browser, which a virtual-time budget does not wait for).
PAGE_TIMEOUT_S = 90.0
#: Pause after the page reports ready, for the last layout pass [s].
SETTLE_S = 1.0
#: Browser window of the screenshot [pixels].
WINDOW = (1400, 2000)
#: Longest wait for the app's server to answer [s].
SERVER_TIMEOUT_S = 90.0


def find_chromium() -> str | None:
    """Path of the Chromium executable (Debian package ``chromium``), or None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise InputError(f"the app's server stopped with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise InputError(f"the app's server did not answer at {url} within {timeout:g} s")


@contextmanager
def running_app(config: AppConfig, port: int | None = None) -> Iterator[str]:
    """Run the app's server on 127.0.0.1 for the block; yields its URL."""
    port = free_port() if port is None else port
    env = app_environment(config, os.environ)
    process = subprocess.Popen(
        streamlit_command("127.0.0.1", port),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_healthy(url, process, SERVER_TIMEOUT_S)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Rendered:
    """What the browser showed.

    Attributes
    ----------
    html : str
        The page's HTML after its scripts ran.
    text : str
        The page's visible text.
    requests : tuple of str
        Every URL the page requested (to check that nothing left the machine).
    """

    html: str
    text: str
    requests: tuple[str, ...]


class _DevTools:
    """Chromium's DevTools protocol over ``--remote-debugging-pipe`` (file descriptors 3 and 4:
    JSON messages separated by NUL bytes), so no port and no WebSocket client are needed."""

    def __init__(self, chromium: str, profile: Path) -> None:
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()

        def use_pipes() -> None:  # in the child, before exec: the pipes become fds 3 and 4
            reading = fcntl.fcntl(to_browser, fcntl.F_DUPFD, 10)  # above 4, so dup2 clobbers none
            writing = fcntl.fcntl(from_browser, fcntl.F_DUPFD, 10)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   "--remote-debugging-pipe", "about:blank"]  # fmt: skip
        self.process = subprocess.Popen(
            command, pass_fds=(3, 4), preexec_fn=use_pipes,  # noqa: PLW1509 - no threads here
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise InputError("chromium did not answer in time")
            ready, _, _ = select.select([self._in], [], [], 0.5)
            if ready:
                chunk = os.read(self._in, 1 << 20)
                if not chunk:
                    raise InputError("chromium closed its DevTools pipe")
                self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events seen meanwhile are kept)."""
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            command["sessionId"] = session
        os.write(self._out, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + 60.0
        while True:
            message = self._message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise InputError(f"chromium: {method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def close(self) -> None:
        """Close the browser and the pipes."""
        with suppress(InputError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._out)
        os.close(self._in)


#: True once the page has drawn: the text is there, no script runs, no element waits for its
#: code (Streamlit's skeletons), and the figures are in and loaded.
_READY = """(() => {
  const text = document.body ? document.body.innerText : "";
  const running = document.querySelector('[data-testid="stStatusWidget"]');
  const waiting = document.querySelector('[data-testid="stSkeleton"]');
  const figures = Array.from(document.querySelectorAll('[data-testid="stImage"] img'));
  const drawn = figures.length >= %d && figures.every((i) => i.complete && i.naturalWidth > 0);
  return text.includes(%s) && !running && !waiting && drawn;
})()"""


def render(url: str, until: str, *, figures: int = 1, screenshot: Path | None = None) -> Rendered:
    """Load ``url`` in headless Chromium, wait (in real time) until the page shows ``until``
    and has finished drawing (at least ``figures`` figures loaded), then return its HTML, text
    and requests; optionally save a PNG.

    Raises
    ------
    InputError
        Chromium missing, or the page did not show ``until`` within :data:`PAGE_TIMEOUT_S`.
    """
    chromium = find_chromium()
    if chromium is None:
        raise InputError("chromium is not installed: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="peer-econ-chromium-") as profile:
        browser = _DevTools(chromium, Path(profile))
        try:
            target = browser.call("Target.createTarget", url="about:blank")["targetId"]
            session = browser.call("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
            browser.call("Network.enable", session)
            browser.call("Emulation.setDeviceMetricsOverride", session, width=WINDOW[0],
                         height=WINDOW[1], deviceScaleFactor=1, mobile=False)  # fmt: skip
            browser.call("Page.navigate", session, url=url)
            _wait(browser, session, _READY % (figures, json.dumps(until)))
            time.sleep(SETTLE_S)  # let the last layout and image decoding finish
            if screenshot is not None:
                shot = browser.call("Page.captureScreenshot", session, format="png")
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
            html = _evaluate(browser, session, "document.documentElement.outerHTML")
            text = _evaluate(browser, session, "document.body.innerText")
        finally:
            browser.close()
    requests = tuple(
        str(e["params"]["request"]["url"])
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    )
    return Rendered(str(html), str(text), requests)


def _evaluate(browser: _DevTools, session: str, expression: str) -> Any:
    answer = browser.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
    return answer.get("result", {}).get("value")


def _wait(browser: _DevTools, session: str, expression: str) -> None:
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    while time.monotonic() < deadline:
        if _evaluate(browser, session, expression) is True:
            return
        time.sleep(0.25)
    raise InputError(f"the page did not finish drawing within {PAGE_TIMEOUT_S:g} s")


def main(argv: list[str] | None = None) -> int:
    """``python -m peer_econ.app.browser OUT.png``: run the app and save a screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--lang", default="en", choices=("en", "da"))
    parser.add_argument("--inputs", default="inputs")
    parser.add_argument("--n-samples", type=int, default=5_000)
    args = parser.parse_args(argv)
    config = AppConfig(inputs=args.inputs, n_samples=args.n_samples, language=args.lang)
    try:
        with running_app(config) as url:
            render(url, Language(args.lang).t("app.decision.title"), screenshot=args.out)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
