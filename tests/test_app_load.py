"""The real app server on loopback (issue 14): 50 browser sessions at once all get the page, and
odd clients (a huge query string, bytes that are no message, a text frame) leave it serving.

``peer-econ app`` runs in a subprocess on a free port with 300 PSA samples per scenario; each
session is a websocket at ``/_stcore/stream`` that asks for a script run and reads the page's
elements until ``script_finished``, as a browser tab does (:mod:`peer_econ.app.sessions`).
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="the app extra is not installed: pip install -e '.[app]'")

from peer_econ.app.sessions import (  # noqa: E402
    Session,
    app_server,
    open_sessions,
    summary,
)

ROOT = Path(__file__).resolve().parents[1]
SESSIONS = 50
N_SAMPLES = 300

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("app") / "server.log"
    with app_server(ROOT / "inputs", N_SAMPLES, log=log) as url:
        yield url


def _page_shown(session: Session | BaseException) -> bool:
    return (
        isinstance(session, Session)
        and session.status == "FINISHED_SUCCESSFULLY"
        and not session.exceptions
        and not session.errors
        and "The decision" in session.headings
        and "ICER table with dominance" in session.headings
    )


def test_fifty_parallel_sessions_all_get_the_page(server: str) -> None:
    sessions, wall = open_sessions(server, SESSIONS, timeout=300)
    figures = summary(sessions, wall)
    print(
        f"\n{SESSIONS} parallel sessions: {figures['answered']:.0f} answered in {wall:.1f} s "
        f"(per session p50 {figures['p50_s']:.1f} s, p95 {figures['p95_s']:.1f} s)"
    )
    failed = [s for s in sessions if not _page_shown(s)]
    assert not failed, failed[:3]
    assert figures["answered"] == SESSIONS
    # every session got the same page: the same elements, whatever the order of the runs
    assert len({s.elements for s in sessions if isinstance(s, Session)}) == 1


def test_odd_clients_leave_the_server_serving(server: str) -> None:
    from websockets.asyncio.client import connect

    stream = server.replace("http://", "ws://") + "/_stcore/stream"

    async def send(payload: bytes | str) -> None:
        async with connect(stream, subprotocols=["streamlit"]) as socket_:  # type: ignore[list-item]
            await socket_.send(payload)
            await asyncio.wait_for(socket_.wait_closed(), timeout=30)

    for payload in (b"\xff\x00 not a protobuf \x13", "a text frame"):
        asyncio.run(send(payload))  # the server closes the connection, nothing else
    # a link with a huge query string and an unknown language opens the English page
    odd, _ = open_sessions(server, 2, query_string="lang=xx&q=" + "x" * 100_000, timeout=120)
    assert all(_page_shown(s) for s in odd), odd
    with urllib.request.urlopen(server + "/_stcore/health", timeout=10) as answer:
        assert answer.status == 200
    with urllib.request.urlopen(server + "/", timeout=10) as answer:
        assert answer.status == 200 and b"<html" in answer.read(4096).lower()
    sessions, _ = open_sessions(server, 3, timeout=120)
    assert all(_page_shown(s) for s in sessions)
