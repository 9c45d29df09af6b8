"""Framework-neutral pieces of the OAuth resource server: the protected-resource metadata (RFC 9728) and the
bearer-token gate (RFC 6750) with the challenges MCP clients act on."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from mcp.server.auth.provider import AccessToken

from .config import Config, ConfigError
from .http import Answer

logger = logging.getLogger(__name__)

SubjectType = Literal["user", "machine"]


class InvalidToken(Exception):
    """The token is not one this server accepts: answered 401 `invalid_token` with this message."""


@dataclass(frozen=True)
class VerifiedToken:
    claims: dict[str, Any]
    scopes: tuple[str, ...]
    client_id: str


class TokenVerifier(Protocol):
    """Verifies access tokens. `verify` raises `InvalidToken` for a bad token; any other error means the issuer
    could not be consulted (answered 503)."""

    async def ready(self) -> None:
        """Fetches what verification needs from the issuer now, so a misconfiguration shows at start-up."""

    async def verify(self, token: str) -> VerifiedToken: ...


def subject_type(claims: dict[str, Any]) -> SubjectType:
    """Logto's client-credentials tokens name the application as their subject (`sub` = `client_id`); user tokens
    name the user."""
    sub = claims.get("sub")
    return "user" if isinstance(sub, str) and sub != claims.get("client_id") else "machine"


def protected_resource_metadata(config: Config) -> dict[str, Any]:
    return {
        "resource": config.resource,
        "authorization_servers": [config.issuer],
        "scopes_supported": list(config.scopes_supported),
        "bearer_methods_supported": ["header"],
        "resource_name": config.name,
    }


def metadata_url(config: Config) -> str:
    """The metadata URL named in challenges: the resource's path inserted after the well-known prefix (RFC 9728)."""
    parts = urlsplit(config.resource)
    path = "" if parts.path in ("", "/") else parts.path.removesuffix("/")
    return f"{parts.scheme}://{parts.netloc}/.well-known/oauth-protected-resource{path}"


def metadata_paths(config: Config) -> list[str]:
    """Paths the metadata is served at: the path-inserted one, and the root one for clients that only try that."""
    return list(dict.fromkeys([urlsplit(metadata_url(config)).path, "/.well-known/oauth-protected-resource"]))


async def authenticate(authorization: str | None, verifier: TokenVerifier, config: Config) -> AccessToken | Answer:
    """The verified token as the MCP SDK carries it, or the challenge to answer."""
    match = re.fullmatch(r"Bearer +(\S+) *", authorization or "", re.IGNORECASE)
    # RFC 6750 §3.1: no error code when the request carried no credentials at all.
    if not match:
        return challenge(config, 401, None, "Missing bearer token")
    token = match.group(1)
    try:
        verified = await verifier.verify(token)
    except InvalidToken as error:
        return challenge(config, 401, "invalid_token", str(error))
    except Exception as error:  # the issuer could not be consulted: not the token's fault
        logger.error("Cannot verify tokens: %s", error)
        return Answer(
            503,
            {"Retry-After": "5"},
            {"error": "temporarily_unavailable", "error_description": "Token verification is unavailable"},
        )

    # Without a required scope, any machine-to-machine app of the tenant can get a token for this resource.
    if subject_type(verified.claims) != "user" and not config.allow_machine_tokens:
        return challenge(
            config,
            401,
            "insufficient_user_authentication",
            "The token was issued to an application, not a user (see MCP_ALLOW_MACHINE_TOKENS)",
        )
    missing = [scope for scope in config.required_scopes if scope not in verified.scopes]
    if missing:
        return challenge(config, 403, "insufficient_scope", f"Missing scope: {' '.join(missing)}")
    return AccessToken(
        token=token,
        client_id=verified.client_id,
        scopes=list(verified.scopes),
        expires_at=verified.claims.get("exp"),
        resource=config.resource,
        subject=verified.claims.get("sub"),
        claims=verified.claims,
    )


def tool_scope_challenge(config: Config, body: bytes, scopes: list[str]) -> Answer | None:
    """The step-up challenge for a `tools/call` of a tool that needs scopes of its own (tool-scopes.json) which the
    token lacks, read from the JSON-RPC body before it is dispatched (2026-07-28 clients also name the tool in
    `Mcp-Name`, which the SDK checks against the body). Its `scope` is everything to request: the sign-in scopes and
    the tool's, since Logto's new token carries only what is asked for. A batch is checked message by message."""
    try:
        message = json.loads(body)
    except ValueError:
        return None  # the SDK answers the parse error
    for call in message if isinstance(message, list) else [message]:
        if not isinstance(call, dict) or call.get("method") != "tools/call" or not isinstance(call.get("params"), dict):
            continue
        tool = call["params"].get("name")
        needed = config.tool_scopes.get(tool, ()) if isinstance(tool, str) else ()
        missing = [scope for scope in needed if scope not in scopes]
        if missing:
            description = f"The tool {tool} needs the scope {' '.join(missing)}"
            return challenge(config, 403, "insufficient_scope", description, [*config.sign_in_scopes, *needed])
    return None


def check_tools_declared(config: Config, tools: list[str]) -> None:
    """Raises at start-up for a tool that tool-scopes.json does not list, so no tool escapes the declaration."""
    for tool in tools:
        if tool not in config.tool_scopes:
            raise ConfigError(
                f"The tool {tool} is not listed in tool-scopes.json; add it, with the scopes it needs ([] for none)."
            )


ChallengeError = Literal["invalid_token", "insufficient_scope", "insufficient_user_authentication"]  # last: RFC 9470


def challenge(
    config: Config, status: int, error: ChallengeError | None, description: str, scopes: list[str] | None = None
) -> Answer:
    params = [f'error="{error}"', f'error_description="{_quoted(description)}"'] if error else []
    params.append(f'resource_metadata="{_quoted(metadata_url(config))}"')
    # What to request: by default the sign-in scopes, not scopes_supported, which also lists every tool's scope: a
    # client gets those when it calls the tool (step-up), so the user consents to each only when it is needed.
    params.append(f'scope="{" ".join(dict.fromkeys(scopes or config.sign_in_scopes))}"')
    return Answer(
        status,
        {"WWW-Authenticate": f"Bearer {', '.join(params)}"},
        {"error": error or "invalid_token", "error_description": description},
    )


def _quoted(value: str) -> str:
    return re.sub(r"[^\x20-\x7e]", " ", re.sub(r'([\\"])', r"\\\1", value))
