"""Open real browser sessions against a running app server (the loopback load test).

A browser talks to Streamlit over one websocket per tab (``/_stcore/stream``): it sends a
``BackMsg`` asking for a script run and receives ``ForwardMsg`` deltas (the page's elements) until
``script_finished``. :func:`open_sessions` does the same for many tabs at once, so a test or a
benchmark measures what the server does for that many people opening the page together: their
script runs, the shared caches (one PSA for all) and the websocket traffic. It needs only the
``websockets`` client that Streamlit itself depends on.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

#: Seconds a server may take to answer its health check after it starts.
START_TIMEOUT_S = 120.0
#: Largest websocket message accepted from the server [bytes] (figures arrive as PNG inline).
MAX_MESSAGE_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Session:
    """What one session received for its first script run.

    Attributes
    ----------
    seconds : float
        From opening the websocket to ``script_finished`` [s].
    status : str
        The ``script_finished`` status (``FINISHED_SUCCESSFULLY`` when the page ran through).
    headings : tuple of str
        Headings (title, headers, subheaders) of the page, in order.
    elements : int
        Elements (deltas) received.
    exceptions : tuple of str
        Messages of exception elements: a bug shown in the page.
    errors : tuple of str
        Bodies of error alerts: a refused input shown in the page.
    """

    seconds: float
    status: str
    headings: tuple[str, ...]
    elements: int
    exceptions: tuple[str, ...]
    errors: tuple[str, ...]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def app_server(
    inputs: Path | str, n_samples: int, *, port: int | None = None, log: Path | None = None
) -> Iterator[str]:
    """``peer-econ app`` in a subprocess on a free loopback port; yields its base URL.

    The server is the one people use (the launcher, Streamlit headless, no usage statistics);
    it is stopped with SIGINT, as Ctrl+C stops it, and killed if it does not stop.
    """
    port = port or free_port()
    command = [sys.executable, "-m", "peer_econ", "app", "--inputs", str(inputs),
               "--port", str(port), "--n-samples", str(n_samples)]  # fmt: skip
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # its own process group: the launcher and its Streamlit server stop together, as under Ctrl+C
    process = subprocess.Popen(
        command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(f"the app server stopped with status {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app server did not answer within {START_TIMEOUT_S:g} s")
            time.sleep(0.25)
        yield url
    finally:
        _stop_group(process)
        if log:
            out.close()  # type: ignore[union-attr]


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGINT to the server's process group (Ctrl+C), SIGKILL to what is left after 20 s."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    with suppress(ProcessLookupError):  # a server the launcher did not stop in time
        os.killpg(process.pid, signal.SIGKILL)


def _rerun_request(query_string: str) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    message.rerun_script.query_string = query_string
    message.rerun_script.page_script_hash = ""
    return bytes(message.SerializeToString())


async def _session(url: str, query_string: str, timeout: float) -> Session:
    """One browser tab: open the websocket, ask for the page, read until the run finishes."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    stream = url.replace("http://", "ws://", 1) + "/_stcore/stream"
    headings: list[str] = []
    exceptions: list[str] = []
    errors: list[str] = []
    elements = 0
    start = time.perf_counter()
    async with connect(stream, subprotocols=["streamlit"], max_size=MAX_MESSAGE_BYTES,  # type: ignore[list-item]
                       open_timeout=timeout) as socket_:  # fmt: skip
        await socket_.send(_rerun_request(query_string))
        async with asyncio.timeout(timeout):
            while True:
                message = ForwardMsg()
                message.ParseFromString(await socket_.recv())
                kind = message.WhichOneof("type")
                if kind == "script_finished":
                    status = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
                    break
                if kind != "delta" or message.delta.WhichOneof("type") != "new_element":
                    continue
                elements += 1
                element = message.delta.new_element
                what = element.WhichOneof("type")
                if what == "heading":
                    headings.append(element.heading.body)
                elif what == "exception":
                    exceptions.append(element.exception.message)
                elif what == "alert" and element.alert.format == element.alert.ERROR:
                    errors.append(element.alert.body)
    return Session(time.perf_counter() - start, status, tuple(headings), elements,
                   tuple(exceptions), tuple(errors))  # fmt: skip


async def _all(
    url: str, n: int, query_string: str, timeout: float
) -> list[Session | BaseException]:
    return await asyncio.gather(
        *(_session(url, query_string, timeout) for _ in range(n)), return_exceptions=True
    )


def open_sessions(
    url: str, n: int, *, query_string: str = "", timeout: float = 600.0
) -> tuple[list[Session | BaseException], float]:
    """Open ``n`` sessions at once against the server at ``url`` and wait for each page.

    Returns
    -------
    sessions : list of Session or BaseException
        What each session received, or why it failed (a refused or dropped connection, a
        timeout), in the order they were opened.
    wall : float
        Wall time from the first connection to the last page finished [s].
    """
    start = time.perf_counter()
    sessions = asyncio.run(_all(url, n, query_string, timeout))
    return sessions, time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank: a time some session really took)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(sessions: list[Session | BaseException], wall: float) -> Mapping[str, float]:
    """Sessions answered, failed, and their times [s]."""
    done = [s for s in sessions if isinstance(s, Session)]
    times = [s.seconds for s in done] or [float("nan")]
    return {
        "sessions": len(sessions),
        "answered": sum(s.status == "FINISHED_SUCCESSFULLY" and not s.exceptions for s in done),
        "failed": len(sessions) - len(done),
        "wall_s": wall,
        "p50_s": percentile(times, 0.5),
        "p95_s": percentile(times, 0.95),
        "max_s": max(times),
    }
