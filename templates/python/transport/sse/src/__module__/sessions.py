"""Limits on the SSE transport's sessions, around the SDK's two endpoints: at most `max_sessions` event streams open at
once (more are answered 503), and a stream to which no message was accepted for `idle_seconds` is closed, freeing its
session. A stream the client closes frees its session at once (the SDK sees it go)."""

from __future__ import annotations

import re
from uuid import UUID

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Read when the transport is created (tests lower them).
SESSION_LIMITS = {
    "max_sessions": 1000,  # open streams at most; more are answered 503
    "idle_seconds": 10 * 60,  # a stream no message was posted to for this long is closed
}

#: The first event of a stream names its session: `data: /messages?session_id=<32 hex digits>`.
SESSION_ID = re.compile(rb"[?&]session_id=([0-9a-f]{32})")


class SessionLimits:
    def __init__(self) -> None:
        self.max_sessions = SESSION_LIMITS["max_sessions"]
        self.idle_seconds = SESSION_LIMITS["idle_seconds"]
        self.open_streams = 0
        #: Each session's stream, cancelled past its deadline (pushed back by every accepted message).
        self.streams: dict[str, anyio.CancelScope] = {}

    def stream(self, app: ASGIApp) -> ASGIApp:
        """The event stream endpoint, refusing a stream beyond `max_sessions` and closing one left idle."""

        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            if self.open_streams >= self.max_sessions:
                refusal = {"error": "temporarily_unavailable", "error_description": "Too many open sessions"}
                return await JSONResponse(refusal, 503, {"Retry-After": "30"})(scope, receive, send)
            idle = anyio.CancelScope(deadline=anyio.current_time() + self.idle_seconds)
            session: str | None = None
            open_response = False

            async def watched(message: Message) -> None:
                nonlocal session, open_response
                if message["type"] == "http.response.start":
                    open_response = True
                elif message["type"] == "http.response.body":
                    open_response = message.get("more_body", False)
                    found = SESSION_ID.search(message.get("body", b"")) if session is None else None
                    if found:
                        session = found.group(1).decode()
                        self.streams[session] = idle
                await send(message)

            self.open_streams += 1
            try:
                with idle:
                    await app(scope, receive, watched)
            finally:
                self.open_streams -= 1
                if session is not None:
                    self.streams.pop(session, None)
            if idle.cancelled_caught and open_response:
                await send({"type": "http.response.body", "body": b"", "more_body": False})  # ends the stream

        return limited

    def messages(self, app: ASGIApp) -> ASGIApp:
        """The messages endpoint: a message accepted for a session (202) keeps its stream open for `idle_seconds`."""

        async def touching(scope: Scope, receive: Receive, send: Send) -> None:
            session = _session_id(Request(scope).query_params.get("session_id", ""))

            async def watched(message: Message) -> None:
                stream = self.streams.get(session) if session else None
                if message["type"] == "http.response.start" and message["status"] == 202 and stream is not None:
                    stream.deadline = anyio.current_time() + self.idle_seconds
                await send(message)

            await app(scope, receive, watched)

        return touching


def _session_id(value: str) -> str | None:
    """The session as the SDK reads it (any spelling of the UUID), as the stream named it."""
    try:
        return UUID(hex=value).hex
    except ValueError:
        return None
