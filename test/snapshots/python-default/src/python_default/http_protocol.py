"""uvicorn's h11 protocol with what uvicorn lacks to face slow and oversized requests, as Node's HTTP server does.

- `headers_timeout`: a client must send its request headers within this many seconds of their first byte, and
  `request_timeout`: the whole request within this many, or it is answered 408 and the connection closed (a client
  sending one byte a second would otherwise hold a connection for as long as it likes).
- A request head larger than uvicorn's `h11_max_incomplete_event_size` is answered 431 and the connection closed.
"""

from __future__ import annotations

import asyncio
import json
import re
from http import HTTPStatus

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_END = re.compile(rb"\n\r?\n")  # as h11 finds it


class LimitedH11Protocol(H11Protocol):
    """Set the two timeouts on a subclass (`create_server` in `__main__.py` makes one from HTTP_LIMITS)."""

    headers_timeout: float = 10
    request_timeout: float = 30

    _request_started: float | None = None  # loop time of the request's first byte (or of the connection)
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._follow_request()

    def data_received(self, data: bytes) -> None:
        self._follow_request()  # the first byte of the next request on a connection kept alive starts its clock
        if self.conn.their_state is h11.IDLE and self._head_too_large(data):
            return self._refuse(431, "request_header_fields_too_large", "The request headers are too large")
        super().data_received(data)
        self._follow_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is not h11.IDLE:
            self._follow_request()  # a pipelined request read from the buffer

    def connection_lost(self, exc: Exception | None) -> None:
        self._set_deadline(None)
        super().connection_lost(exc)

    def _head_too_large(self, data: bytes) -> bool:
        """Whether the request head, with `data`, is past the limit. h11 measures a head only while it is incomplete
        (and uvicorn answers that 400): one arriving whole in a single read would pass."""
        limit = self.config.h11_max_incomplete_event_size
        if limit is None:
            return False
        received = self.conn.trailing_data[0] + data
        end = HEAD_END.search(received)
        return (end.start() if end else len(received)) > limit

    def _follow_request(self) -> None:
        """Headers arriving: `headers_timeout` from the first byte; the body: `request_timeout`; then none."""
        state = self.conn.their_state
        if state is h11.IDLE or state is h11.SEND_BODY:
            if self._request_started is None:
                self._request_started = self.loop.time()
            timeout = self.headers_timeout if state is h11.IDLE else self.request_timeout
            self._set_deadline(self._request_started + timeout)
        else:
            self._set_deadline(None)
            self._request_started = None

    def _set_deadline(self, when: float | None) -> None:
        if self._deadline is not None and self._deadline.when() == when:
            return
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None if when is None else self.loop.call_at(when, self._timed_out)

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle if self.conn.their_state is h11.SEND_BODY else None
        if cycle is not None and cycle.response_started:
            self.transport.close()  # answered already: only the connection is left to end
            return
        if cycle is not None:
            # The app waiting for the rest of the body is told the client left; what it sends then is dropped.
            cycle.disconnected = True
            cycle.message_event.set()
        self.logger.info("A request did not arrive in time: answered 408, connection closed")
        self._refuse(408, "request_timeout", "The request did not arrive in time")

    def _refuse(self, status: int, error: str, description: str) -> None:
        """Answers with a JSON error and closes the connection."""
        body = json.dumps({"error": error, "error_description": description}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        response = h11.Response(status_code=status, headers=headers, reason=HTTPStatus(status).phrase)
        try:
            for event in (response, h11.Data(data=body), h11.EndOfMessage()):
                self.transport.write(self.conn.send(event) or b"")
        except h11.LocalProtocolError:
            pass  # h11 cannot answer in this state: the connection is closed without an answer
        self.transport.close()
