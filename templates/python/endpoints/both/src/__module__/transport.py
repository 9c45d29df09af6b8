"""Which transports this server speaks, and where: Streamable HTTP at the resource's own URL, and HTTP+SSE below it
(`/mcp/sse`, its messages at `/mcp/messages`). One resource covers both: MCP clients accept protected-resource
metadata whose `resource` is the URL they were given or a prefix of it, so clients of either transport sign in for
the same API resource in Logto, and one token serves both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .config import Config
from .http import EndpointUrls, McpTransport
from .sse import sse_transport
from .streamable_http import streamable_http_transport

#: Where the SSE stream is, below the resource's path.
SSE_PATH = "/sse"


def mcp_transport(config: Config) -> McpTransport:
    streamable_http = streamable_http_transport(config, config.mcp_path)
    sse = sse_transport(config, config.mcp_path.rstrip("/") + SSE_PATH)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        # Streamable HTTP's session manager must run while serving; SSE's streams need nothing.
        async with streamable_http.lifespan(), sse.lifespan():
            yield

    return McpTransport([*streamable_http.endpoints, *sse.endpoints], lifespan)


def endpoint_urls(config: Config) -> EndpointUrls:
    return EndpointUrls(streamable_http=config.resource, sse=config.resource.rstrip("/") + SSE_PATH)
