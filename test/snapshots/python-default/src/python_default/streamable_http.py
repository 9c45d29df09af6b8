"""Streamable HTTP, stateless: every POST is served on its own. The SDK's session manager serves the 2026-07-28
revision and falls back to 2025-era stateless serving."""

from __future__ import annotations

from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings

from .config import Config
from .http import MAX_BODY_BYTES, McpEndpoint, McpTransport
from .server import create_mcp_server


def streamable_http_transport(config: Config, path: str) -> McpTransport:
    """One endpoint, at `path`; the session manager runs while the server serves."""
    server = create_mcp_server(config)
    # Host and Origin are checked in front of the transport (origins.py), so the SDK's own check is off.
    server.streamable_http_app(
        streamable_http_path=path,
        stateless_http=True,
        json_response=True,
        max_request_body_size=MAX_BODY_BYTES,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    manager = server.session_manager
    endpoint = McpEndpoint(path, ["GET", "POST", "DELETE", "OPTIONS"], StreamableHTTPASGIApp(manager))
    return McpTransport([endpoint], manager.run)
