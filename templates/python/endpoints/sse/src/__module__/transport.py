"""Which transports this server speaks, and where: HTTP+SSE, its event stream at the resource's own URL."""

from __future__ import annotations

from .config import Config
from .http import EndpointUrls, McpTransport
from .sse import sse_transport


def mcp_transport(config: Config) -> McpTransport:
    return sse_transport(config, config.mcp_path)


def endpoint_urls(config: Config) -> EndpointUrls:
    return EndpointUrls(sse=config.resource)
