from __future__ import annotations

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations

NAME = "greet"


def register(server: MCPServer) -> None:
    @server.tool(
        name=NAME,
        title="Greet",
        description="Says hello to the signed-in user. Needs the greet:write scope.",
        annotations=ToolAnnotations(readOnlyHint=True, openWorldHint=False),
        structured_output=False,  # a greeting is text
    )
    def greet() -> str:
        """Greets the signed-in user. It needs the scope tool-scopes.json lists for it (greet:write), which `whoami`
        does not: a client whose token lacks it gets a 403 step-up challenge, and calls it once the user consents."""
        token = get_access_token()
        claims = (token.claims if token else None) or {}
        name = next(
            (value for key in ("name", "username", "sub") if isinstance(value := claims.get(key), str) and value),
            "there",
        )
        return f"Hello, {name}!"
