"""The real app server on loopback (issue 14): 50 browser sessions at once all get the page;
odd requests (bad sizes, chunked uploads, oversized headers, bytes that are no HTTP or no
message, clients that never finish) are refused or wait, and the server keeps serving.

``peer-econ app`` runs in a subprocess on a free port with 300 PSA samples per scenario; each
session is a websocket at ``/_stcore/stream`` that asks for a script run and reads the page's
elements until ``script_finished``, as a browser tab does (:mod:`peer_econ.app.sessions`).
"""

from __future__ import annotations

import asyncio
import re
import socket
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


#: Requests no browser sends, each refused with a 4xx status (a size the server will not read,
#: a body where none is wanted, a file upload without the page's token, bytes that are no HTTP).
ODD_REQUESTS = {
    "negative Content-Length": b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
    "text Content-Length": b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n",
    "chunked upload": b"PUT /_stcore/upload_file/s/f HTTP/1.1\r\nHost: h\r\n"
    b"Transfer-Encoding: chunked\r\nContent-Type: multipart/form-data; boundary=x\r\n\r\n"
    b"100000\r\n" + b"a" * 0x100000 + b"\r\n0\r\n\r\n",
    "nested JSON": b"POST /_stcore/upload_file/s/f HTTP/1.1\r\nHost: h\r\n"
    b"Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n"
    + b"[" * 100_000
    + b"]" * 100_000,
    "200 kB header": b"GET / HTTP/1.1\r\nHost: h\r\nX-A: " + b"a" * 200_000 + b"\r\n\r\n",
    "200 kB address": b"GET /?" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: h\r\n\r\n",
    "no HTTP": b"\x00\x01\x02 nonsense\r\n\r\n",
}


def _status_line(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(request)
        return client.recv(256).split(b"\r\n")[0]


def test_odd_requests_are_refused_and_the_server_keeps_serving(server: str) -> None:
    from websockets.asyncio.client import connect

    port = int(server.rsplit(":", 1)[1])
    for name, request in ODD_REQUESTS.items():
        line = _status_line(port, request)
        assert re.match(rb"HTTP/1\.1 4\d\d ", line), (name, line)
    stream = server.replace("http://", "ws://") + "/_stcore/stream"

    async def send(payload: bytes | str) -> None:
        async with connect(stream, subprotocols=["streamlit"]) as socket_:  # type: ignore[list-item]
            await socket_.send(payload)
            await asyncio.wait_for(socket_.wait_closed(), timeout=30)

    for payload in (b"\xff\x00 not a protobuf \x13", "a text frame"):
        asyncio.run(send(payload))  # the server closes that connection, nothing else
    # clients that never finish their request hold a connection each, not the server: it is
    # asynchronous, so the pages below are served while they hang
    slow = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(20)]
    try:
        for client in slow:
            client.sendall(b"GET / HTTP/1.1\r\nHo")
        # a link with a huge query string and an unknown language opens the English page
        odd, _ = open_sessions(server, 2, query_string="lang=xx&q=" + "x" * 100_000, timeout=120)
        assert all(_page_shown(s) for s in odd), odd
        with urllib.request.urlopen(server + "/_stcore/health", timeout=10) as answer:
            assert answer.status == 200
        with urllib.request.urlopen(server + "/", timeout=10) as answer:
            assert answer.status == 200 and b"<html" in answer.read(4096).lower()
        sessions, _ = open_sessions(server, 3, timeout=120)
        assert all(_page_shown(s) for s in sessions)
    finally:
        for client in slow:
            client.close()
