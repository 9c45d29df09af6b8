"""ASGI glue for the framework-neutral checks (http.py, origins.py, auth.py): each sends their answer."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.authentication import AuthCredentials
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import TokenVerifier, authenticate, tool_scope_challenge
from .config import Config
from .http import (
    MAX_BODY_BYTES,
    Answer,
    McpEndpoint,
    bad_request,
    body_too_large,
    check_method,
    check_request_target,
    header,
    valid_authority,
)
from .origins import host_allowed, mcp_cors


async def send_answer(send: Send, answer: Answer, extra_headers: dict[str, str] | None = None) -> None:
    """Sends an Answer."""
    headers = {**(extra_headers or {}), **answer.headers}
    body = b"" if answer.body is None else json.dumps(answer.body).encode()
    if answer.body is not None:
        headers["Content-Type"] = "application/json"
    raw = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestChecks:
    """Every request: one valid Host (RFC 9112 §3.2); an absolute-form target (`POST http://host/mcp`) is accepted,
    its authority replacing `Host`, so the host checks see it. An answer sent before the request body was received (a
    refusal, a 404) closes the connection after it: uvicorn would otherwise keep it for the next request, waiting
    for a body the client may never send (one waiting for `100 Continue`, say) until `request_timeout`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refusal = check_request_target(scope)
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        if refusal is None and not raw_path.startswith(b"/"):
            target = urlsplit(raw_path.decode("latin-1"))
            if target.scheme not in ("http", "https") or not valid_authority(target.netloc):
                refusal = bad_request("Invalid request target")
            else:
                headers = [(name, value) for name, value in scope["headers"] if name != b"host"]
                path = target.path or "/"
                scope = {
                    **scope,
                    "headers": [(b"host", target.netloc.encode()), *headers],
                    "path": path,
                    "raw_path": path.encode(),
                }
        receive, send = _close_if_body_unread(scope, receive, send)
        if refusal:
            return await send_answer(send, refusal)
        await self.app(scope, receive, send)


def _close_if_body_unread(scope: Scope, receive: Receive, send: Send) -> tuple[Receive, Send]:
    """`receive` and `send` for RequestChecks: a response started before the whole body was received, of a request
    announcing one, says `Connection: close` (and uvicorn closes the connection once it is sent)."""
    unread = header(scope, "content-length") not in (None, "0") or header(scope, "transfer-encoding") is not None

    async def receive_noting_the_end() -> Message:
        nonlocal unread
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            unread = False
        return message

    async def send_closing_if_unread(message: Message) -> None:
        if message["type"] == "http.response.start" and unread:
            message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
        await send(message)

    return receive_noting_the_end, send_closing_if_unread


class ExactPath(BaseRoute):
    """A route matching one path literally, as MCP_RESOURCE spells it (percent-encoding included); Starlette's own
    paths would read `{...}` in it as a parameter."""

    def __init__(self, path: str, app: ASGIApp) -> None:
        self.path = path
        self.app = app

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        if scope["type"] == "http" and raw_path.decode("latin-1") == self.path:
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NotImplementedError

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class McpGate:
    """In front of an MCP endpoint, in order: the method, the Host (DNS rebinding), the Origin with CORS, the bearer
    token (401 / 403 with the challenge MCP clients follow to sign in), and for a message carrying a `tools/call`, the
    tool's own scopes (403 step-up). What passes reaches the endpoint with the verified token as the SDK's user."""

    def __init__(self, endpoint: McpEndpoint, config: Config, verifier: TokenVerifier) -> None:
        self.endpoint = endpoint
        self.config = config
        self.verifier = verifier
        self.app = AuthContextMiddleware(endpoint.app)  # makes the token readable with get_access_token() in tools

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        refusal = check_method(method, self.endpoint.methods)
        if refusal:
            return await send_answer(send, refusal)
        if not host_allowed(header(scope, "host") or "", self.config):
            answer = Answer(403, {}, {"error": "forbidden", "error_description": "Host not allowed"})
            return await send_answer(send, answer)
        cors = mcp_cors(
            method,
            header(scope, "origin"),
            header(scope, "access-control-request-headers"),
            self.config,
            self.endpoint.methods,
        )
        if cors.answer:
            return await send_answer(send, cors.answer, cors.headers)
        outcome = await authenticate(header(scope, "authorization"), self.verifier, self.config)
        if isinstance(outcome, Answer):
            return await send_answer(send, outcome, cors.headers)

        if method == "POST":
            too_large = body_too_large(scope)
            if too_large:
                return await send_answer(send, too_large, cors.headers)
            try:
                body = await _read_body(receive)
            except ClientLeft:
                return  # before sending the whole body: nothing is dispatched, and there is no one to answer
            if body is None:
                answer = Answer(
                    413, {}, {"error": "invalid_request", "error_description": "The request body is too large"}
                )
                return await send_answer(send, answer, cors.headers)
            step_up = tool_scope_challenge(self.config, body, outcome.scopes)
            if step_up:
                return await send_answer(send, step_up, cors.headers)
            receive = _replay(body, receive)

        scope = {**scope, "user": AuthenticatedUser(outcome), "auth": AuthCredentials(outcome.scopes)}
        await self.app(scope, receive, _with_headers(send, cors.headers))


class ClientLeft(Exception):
    """The client disconnected (or was cut off for being too slow) before sending the whole body."""


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None past MAX_BODY_BYTES (a chunked body announces no length)."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientLeft
        body.extend(message.get("body", b""))
        if len(body) > MAX_BODY_BYTES:
            return None
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body already read, then whatever comes next (the client disconnecting)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    extra = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return send_with_headers
