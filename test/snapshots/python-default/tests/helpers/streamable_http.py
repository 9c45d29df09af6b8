"""Streamable HTTP for the tests, at the endpoint's URL: one request every check in front of the transport sees, and
the SDK's own client."""

from __future__ import annotations

from typing import Any

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}},
}


def mcp_request(resource: str, headers: dict[str, str] | None = None, body: Any = INITIALIZE) -> httpx2.Response:
    """POST an `initialize` to the endpoint."""
    request_headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        **(headers or {}),
    }
    return httpx2.post(resource, json=body, headers=request_headers)


async def call_tool(resource: str, token: str, name: str) -> Any:
    """Calls a tool with a bearer token through the SDK's Streamable HTTP client."""
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
        async with (
            streamable_http_client(resource, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await session.call_tool(name, {})


def tool_call_request(resource: str, token: str, tool: str) -> httpx2.Response:
    """The POST carrying a `tools/call` (stateless: no session to open first)."""
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": tool, "arguments": {}}}
    return mcp_request(resource, {"Authorization": f"Bearer {token}", "Mcp-Protocol-Version": "2025-06-18"}, call)
