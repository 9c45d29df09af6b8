"""What a check answers instead of letting the request go on, and the HTTP/1.1 checks every request gets.

Framework-neutral: they read the ASGI scope, and the framework layer sends the answers.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Scope

#: Larger request bodies are answered 413 (before reading them when Content-Length says so).
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Answer:
    """A status, headers, and a JSON body (`{"error", "error_description"}`) or none."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] | None = None


def header_values(scope: Scope, name: str) -> list[str]:
    """Every value of one request header (ASGI keeps repeated headers apart)."""
    key = name.lower().encode("latin-1")
    return [value.decode("latin-1") for header, value in scope["headers"] if header == key]


def header(scope: Scope, name: str) -> str | None:
    values = header_values(scope, name)
    return values[0] if values else None


def check_request_target(scope: Scope) -> Answer | None:
    """What HTTP/1.1 requires of `Host` (RFC 9112 §3.2): 400 for none, more than one, or an invalid one. Also 400 for
    more than one `Authorization` (RFC 6750 §3.1): the server would read one, a proxy in front of it maybe another."""
    hosts = header_values(scope, "host")
    if len(hosts) != 1:
        return bad_request("A request needs exactly one Host header")
    if not valid_authority(hosts[0]):
        return bad_request("Invalid Host header")
    if len(header_values(scope, "authorization")) > 1:
        description = "More than one Authorization header"
        challenge = f'Bearer error="invalid_request", error_description="{description}"'
        return Answer(400, {"WWW-Authenticate": challenge}, bad_request(description).body)
    return None


def check_method(method: str, methods: list[str]) -> Answer | None:
    """405 with `Allow` for any other method."""
    if method in methods:
        return None
    return Answer(
        405,
        {"Allow": ", ".join(methods)},
        {"error": "method_not_allowed", "error_description": f"{method} is not allowed here"},
    )


def body_too_large(scope: Scope) -> Answer | None:
    """413 for a body announced larger than MAX_BODY_BYTES."""
    length = header(scope, "content-length")
    if length is not None and length.strip().isdigit() and int(length) > MAX_BODY_BYTES:
        return Answer(413, {}, {"error": "invalid_request", "error_description": "The request body is too large"})
    return None


def valid_authority(value: str) -> bool:
    if not value or any(char in value for char in " \t/?#@\\"):
        return False
    try:
        parsed = urlsplit(f"http://{value}")
        parsed.port  # noqa: B018 (validates the port)
    except ValueError:
        return False
    return bool(parsed.hostname)


def bad_request(description: str) -> Answer:
    return Answer(400, {}, {"error": "invalid_request", "error_description": description})


@dataclass(frozen=True)
class McpEndpoint:
    """An MCP endpoint of the transport (transport.py): an ASGI app, which the framework mounts behind the checks."""

    #: Served literally (it comes from MCP_RESOURCE), compared with the request's raw path.
    path: str
    #: The methods it answers; any other gets 405 with `Allow`.
    methods: list[str]
    #: Gets requests past the Host, Origin and token checks, with the verified token as the SDK's `scope["user"]`.
    app: ASGIApp


@dataclass(frozen=True)
class McpTransport:
    """What a transport module returns, and transport.py's `mcp_transport(config)` for all it serves: the endpoints,
    and what runs while the server serves."""

    endpoints: list[McpEndpoint]
    lifespan: Callable[[], AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class EndpointUrls:
    """What transport.py's `endpoint_urls(config)` returns: the URL clients of each transport it serves connect to."""

    streamable_http: str | None = None
    sse: str | None = None
