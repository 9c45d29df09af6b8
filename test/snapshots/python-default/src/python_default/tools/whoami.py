from __future__ import annotations

from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations

from ..auth import subject_type

#: The user's profile claims. Logto's access tokens carry them only through a custom claims script (README,
#: "Profile claims").
PROFILE_CLAIMS = ("username", "name", "email")

NAME = "whoami"


def register(server: MCPServer) -> None:
    @server.tool(
        name=NAME,
        title="Who am I",
        description=(
            "Returns the identity claims (sub, username, name, email, client_id, scope, ...) of the access token this "
            'request was made with, and subjectType: "user", or "machine" for an application acting for itself. '
            "Profile claims the token lacks are listed in missingProfileClaims."
        ),
        annotations=ToolAnnotations(readOnlyHint=True, openWorldHint=False),
        structured_output=True,
    )
    def whoami() -> dict[str, Any]:
        """The claims of the verified access token the request came with, and whether it stands for a user or a
        machine; for a user, the profile claims the token lacks (`missingProfileClaims`) and why (`note`)."""
        token = get_access_token()
        if token is None or token.claims is None:
            raise ValueError("No verified access token on this request.")
        identity: dict[str, Any] = {**token.claims, "subjectType": subject_type(token.claims)}
        missing = [claim for claim in PROFILE_CLAIMS if not isinstance(identity.get(claim), str) or not identity[claim]]
        if identity["subjectType"] == "user" and missing:
            identity["missingProfileClaims"] = missing
            identity["note"] = (
                f"The access token carries no {', '.join(missing)}. Logto adds them when `register` installed the "
                'custom claims script and the user has them in Logto; see README "Profile claims".'
            )
        return identity
