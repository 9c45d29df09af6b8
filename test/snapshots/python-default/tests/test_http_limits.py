"""The limits of HTTP_LIMITS (`__main__.py`), on raw connections: slow headers and bodies are answered 408 and their
connection closed, oversized headers 431; a request arriving in time is served."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest
from starlette.types import Receive, Scope, Send

from python_default.__main__ import HTTP_LIMITS, create_server

from .helpers.app import free_port, running

#: Far below the defaults, so that a test waiting ten times as long still sees the default limits never fire.
QUICK = {"headers_timeout": 0.3, "request_timeout": 0.6}
WAIT_SECONDS = 5


class BodyReader:
    """An app that reads the whole body before answering with its size, as an MCP endpoint does."""

    def __init__(self) -> None:
        self.seen: list[str] = []  # per request: the size read, or "disconnect"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.seen.append("disconnect")
                return
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        self.seen.append(str(size))
        body = json.dumps({"size": size}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def reader() -> Iterator[tuple[BodyReader, int]]:
    app, port = BodyReader(), free_port()
    with running(app, port, QUICK):
        yield app, port


def exchange(port: int, *parts: bytes, pause: float = 0) -> tuple[bytes, bool]:
    """Sends the parts (`pause` s apart), then reads until the server closes (True) or WAIT_SECONDS pass (False)."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT_SECONDS) as connection:
        for index, part in enumerate(parts):
            if index:
                time.sleep(pause)
            connection.sendall(part)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except TimeoutError:
            return received, False
        return received, True


def test_headers_that_never_end_are_answered_408_and_the_connection_closed(reader: tuple[BodyReader, int]) -> None:
    app, port = reader
    received, closed = exchange(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
    assert closed
    assert received.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b'"error": "request_timeout"' in received
    assert app.seen == []


def test_a_connection_that_sends_nothing_is_closed_too(reader: tuple[BodyReader, int]) -> None:
    received, closed = exchange(reader[1])
    assert closed
    assert received.startswith(b"HTTP/1.1 408")


def test_a_body_that_never_ends_is_answered_408_and_the_app_told_the_client_left(
    reader: tuple[BodyReader, int],
) -> None:
    app, port = reader
    received, closed = exchange(port, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{")
    assert closed
    assert received.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert app.seen == ["disconnect"]


def test_requests_in_time_are_served_and_each_gets_its_own_clock(reader: tuple[BodyReader, int]) -> None:
    app, port = reader
    request = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n%s\r\n{}"
    # The second request comes after longer than headers_timeout: an idle connection kept alive is not a slow one.
    first, last = request % b"", request % b"Connection: close\r\n"
    received, closed = exchange(port, first, last, pause=2 * QUICK["headers_timeout"])
    assert closed
    assert received.count(b"HTTP/1.1 200 OK") == 2, received
    assert app.seen == ["2", "2"]


def test_headers_over_16_kib_are_answered_431(reader: tuple[BodyReader, int]) -> None:
    app, port = reader
    filler = b"a" * 17 * 1024  # small enough to be read whole before the answer (more would reset the connection)
    for head in [  # complete (arriving in one read, which h11 alone would let through), and never ending
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: %s\r\n\r\n" % filler,
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: %s" % filler,
    ]:
        received, closed = exchange(port, head)
        assert closed
        assert received.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert app.seen == []


def test_these_limits_by_default() -> None:
    assert HTTP_LIMITS["headers_timeout"] == 10
    assert HTTP_LIMITS["request_timeout"] == 30
    server = create_server(BodyReader(), "127.0.0.1", 1)
    protocol = server.config.http
    assert not isinstance(protocol, str)
    assert (protocol.headers_timeout, protocol.request_timeout) == (10, 30)  # type: ignore[attr-defined]
    assert server.config.timeout_keep_alive == 5
    assert server.config.limit_concurrency == 1000
    assert server.config.h11_max_incomplete_event_size == 16 * 1024
