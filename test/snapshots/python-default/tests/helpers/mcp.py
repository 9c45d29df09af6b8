"""What the transport-neutral tests need: the resource's path, and how to reach the server, over Streamable HTTP."""

from .streamable_http import call_tool, mcp_request, tool_call_request

__all__ = ["RESOURCE_PATH", "call_tool", "mcp_request", "tool_call_request"]

#: The path of the resource the tests serve.
RESOURCE_PATH = "/mcp"
