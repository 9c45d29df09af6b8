"""Which transports this server speaks, and where: Streamable HTTP at the resource's own URL."""

from __future__ import annotations

from .config import Config
from .http import EndpointUrls, McpTransport
from .streamable_http import streamable_http_transport


def mcp_transport(config: Config) -> McpTransport:
    return streamable_http_transport(config, config.mcp_path)


def endpoint_urls(config: Config) -> EndpointUrls:
    return EndpointUrls(streamable_http=config.resource)
