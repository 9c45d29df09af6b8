"""The HTTP+SSE transport (MCP 2024-11-05; deprecated by later revisions, kept for clients that still speak it):
`GET <stream>` opens an event stream, whose first event names `POST <messages>?session_id=...`, where the client
sends its JSON-RPC messages; the answers come back on the stream. The SDK binds each session to the token's client,
issuer and subject: another user's posts to it are answered as for an unknown session (404)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from posixpath import dirname, join

from mcp.server.transport_security import TransportSecuritySettings
from starlette.routing import Mount

from .config import Config, ConfigError
from .http import MAX_BODY_BYTES, McpEndpoint, McpTransport
from .server import create_mcp_server
from .sessions import SessionLimits


@asynccontextmanager
async def _nothing() -> AsyncIterator[None]:
    yield


def messages_path(stream_path: str) -> str:
    """Where messages are posted: `messages` next to the stream (`/sse` -> `/messages`)."""
    return join(dirname(stream_path), "messages")


def sse_transport(config: Config, stream_path: str) -> McpTransport:
    """The stream at `stream_path`, and the messages endpoint next to it."""
    messages = messages_path(stream_path)
    if messages == stream_path:
        raise ConfigError(f"MCP_RESOURCE: the SSE stream cannot be at {messages}, where its messages are posted")
    server = create_mcp_server(config)
    # Host and Origin are checked in front of the transport (origins.py), so the SDK's own check is off.
    app = server.sse_app(
        sse_path=stream_path,
        message_path=messages,
        max_request_body_size=MAX_BODY_BYTES,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    # The app serves the stream; its messages endpoint is mounted there (where `/messages` itself would be redirected
    # to `/messages/`), so it is taken out and served at its exact path.
    post_message = next(route.app for route in app.routes if isinstance(route, Mount))
    sessions = SessionLimits()  # SESSION_LIMITS: how many streams may be open, how long one may idle
    endpoints = [
        McpEndpoint(stream_path, ["GET", "OPTIONS"], sessions.stream(app)),
        McpEndpoint(messages, ["POST", "OPTIONS"], sessions.messages(post_message)),
    ]
    return McpTransport(endpoints, _nothing)
