"""HTTP+SSE for the tests, at the stream's URL: one request every check in front of the transport sees, and the
SDK's own client."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import httpx2
from mcp import ClientSession
from mcp.client.sse import sse_client


def mcp_request(resource: str, headers: dict[str, str] | None = None) -> httpx2.Response:
    """GET the event stream; an opened stream is closed at once (its status and headers are what the checks said)."""
    with httpx2.stream("GET", resource, headers={"Accept": "text/event-stream", **(headers or {})}) as response:
        if response.status_code != 200:
            response.read()
        return response


async def call_tool(resource: str, token: str, name: str) -> Any:
    """Calls a tool with a bearer token through the SDK's SSE client."""
    headers = {"Authorization": f"Bearer {token}"}
    async with sse_client(resource, headers=headers) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        return await session.call_tool(name, {})


def tool_call_request(resource: str, token: str, tool: str) -> httpx2.Response:
    """The POST carrying a `tools/call`, to an unknown session: the tool's scopes are checked before the session is
    looked up (so a missing one answers 403, an unknown session 404)."""
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": tool, "arguments": {}}}
    messages = urljoin(resource, "messages")
    return httpx2.post(f"{messages}?session_id={'0' * 32}", json=call, headers={"Authorization": f"Bearer {token}"})
