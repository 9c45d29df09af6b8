"""DNS-rebinding and cross-site protection for the MCP endpoint (MCP transports spec: servers MUST validate Origin),
and CORS. Framework-neutral: the framework layer sets the headers and sends the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .config import LOOPBACK, Config
from .http import Answer


def _host_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return f"[{host}]" if ":" in host else host


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_hosts(config: Config) -> list[str]:
    """Host names the MCP endpoint answers to: the resource's own host (also when it is public) and loopback."""
    return list(dict.fromkeys([_host_of(config.resource), *LOOPBACK]))


def host_allowed(host_header: str, config: Config) -> bool:
    """Whether a `Host` header names an allowed host (any port)."""
    return _host_of(f"http://{host_header}") in allowed_hosts(config)


def is_allowed_origin(origin: str, config: Config) -> bool:
    """A browser `Origin` is allowed when it is the resource's origin, a loopback origin (any port) or listed in
    MCP_ALLOWED_ORIGINS."""
    value = origin.lower()
    if value == _origin_of(config.resource) or value in config.allowed_origins:
        return True
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (validates the port)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and _host_of(value) in LOOPBACK


@dataclass(frozen=True)
class Cors:
    """Headers to set on the response, and the answer when the request ends here (a refusal, a preflight)."""

    headers: dict[str, str] = field(default_factory=dict)
    answer: Answer | None = None


def open_cors(method: str, requested_headers: str | None) -> Cors:
    """CORS for public documents (the metadata): any origin may read them."""
    headers = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, OPTIONS"}
    if method != "OPTIONS":
        return Cors(headers)
    if requested_headers:
        headers["Access-Control-Allow-Headers"] = requested_headers
    return Cors(headers, Answer(204))


def mcp_cors(
    method: str, origin: str | None, requested_headers: str | None, config: Config, methods: list[str]
) -> Cors:
    """For an MCP endpoint: a foreign browser origin (DNS rebinding, cross-site calls) is refused with 403; an allowed
    one gets CORS."""
    headers = {"Access-Control-Expose-Headers": "WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version"}
    if origin is None:
        return Cors(headers)
    if not is_allowed_origin(origin, config):
        return Cors(headers, Answer(403, {}, {"error": "forbidden", "error_description": "Origin not allowed"}))
    headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
    if method != "OPTIONS":
        return Cors(headers)
    headers.update(
        {
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Allow-Headers": requested_headers or "Authorization, Content-Type",
            "Access-Control-Max-Age": "600",
        }
    )
    return Cors(headers, Answer(204))
