"""The server's configuration: the environment (and `.env`), validated, and tool-scopes.json."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

#: The distribution name in pyproject.toml: the metadata's `resource_name`, the MCP server's name.
PROJECT_NAME = "python-default"

#: What Logto's guide for third-party apps requests; `openid` is required by Logto to authorize at all.
BASE_SCOPES = ("openid", "profile", "email")
#: OpenID Connect scopes: Logto grants them itself; they are never scopes of this API resource.
OIDC_SCOPES = (*BASE_SCOPES, "phone", "address", "offline_access")
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")  # RFC 6749 §3.3
TOOL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")  # MCP tool names
ORIGIN = re.compile(r"^[a-z][a-z\d+.-]*://[^/?#\s]+$", re.IGNORECASE)
#: Loopback host names: plain http is acceptable to them, and the MCP endpoint always answers to them.
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
#: Which scopes each tool needs: read here at start-up, and by `create-logto-mcp register`, which creates them in
#: Logto. It sits at the project's root, beside pyproject.toml.
TOOL_SCOPES_FILE = Path(__file__).resolve().parents[2] / "tool-scopes.json"


class ConfigError(Exception):
    """A variable or file of the configuration is missing or invalid; the message names it."""


@dataclass(frozen=True)
class Config:
    #: The Logto issuer, e.g. `https://abc123.logto.app/oidc`; tokens' `iss` must equal it.
    issuer: str
    #: The public URL of the MCP endpoint: the Logto API resource indicator and the tokens' `aud`, byte for byte.
    resource: str
    #: The path the MCP endpoint is served at, taken from `resource`.
    mcp_path: str
    #: Scopes every token must carry.
    required_scopes: tuple[str, ...]
    #: The scopes each tool needs besides the required ones, from tool-scopes.json (tool name -> scopes).
    tool_scopes: dict[str, tuple[str, ...]]
    #: What clients are told to request at sign-in: `openid profile email` and the required scopes.
    sign_in_scopes: tuple[str, ...]
    #: Every scope the server knows: the sign-in scopes and every tool's (the metadata's `scopes_supported`).
    scopes_supported: tuple[str, ...]
    port: int
    host: str
    #: Browser origins allowed to call the MCP endpoint besides the resource's own origin and loopback.
    allowed_origins: tuple[str, ...]
    #: Whether tokens issued to an application itself (client credentials: no user) are accepted.
    allow_machine_tokens: bool
    name: str
    version: str


def load_env_file(path: str = ".env") -> None:
    """Loads `.env` from the working directory when present; variables already set in the environment win."""
    if os.path.exists(path):
        load_dotenv(path, override=False)


def load_config(env: dict[str, str] | None = None, tool_scopes: dict[str, tuple[str, ...]] | None = None) -> Config:
    """Reads and validates the configuration; raises `ConfigError` naming the offending variable or file."""
    env = dict(os.environ) if env is None else env
    tool_scopes = read_tool_scopes() if tool_scopes is None else tool_scopes
    issuer = _http_url(env, "LOGTO_ISSUER")
    # The signing keys come from the issuer: over plain HTTP anyone on the way could swap them.
    if urlsplit(issuer).scheme == "http" and _hostname(issuer) not in LOOPBACK:
        raise ConfigError(
            f"LOGTO_ISSUER must be an https URL (http only for localhost, 127.0.0.1 or [::1]), got {json.dumps(issuer)}"
        )
    resource = _http_url(env, "MCP_RESOURCE")
    required_scopes = _list(env.get("MCP_REQUIRED_SCOPES"))
    for scope in required_scopes:
        if not SCOPE_TOKEN.match(scope):
            raise ConfigError(f"MCP_REQUIRED_SCOPES: {json.dumps(scope)} is not a valid scope")
        if scope == "offline_access":
            raise ConfigError("MCP_REQUIRED_SCOPES: offline_access is not a resource scope")
    sign_in_scopes = _unique([*BASE_SCOPES, *required_scopes])
    allowed_origins = []
    for origin in _list(env.get("MCP_ALLOWED_ORIGINS")):
        trimmed = origin.removesuffix("/")
        if not ORIGIN.match(trimmed):
            raise ConfigError(
                f"MCP_ALLOWED_ORIGINS: {json.dumps(origin)} is not an origin like https://app.example.com"
            )
        allowed_origins.append(trimmed.lower())
    path = urlsplit(resource).path or "/"
    return Config(
        issuer=issuer,
        resource=resource,
        mcp_path=path[:-1] if len(path) > 1 and path.endswith("/") else path,
        required_scopes=required_scopes,
        tool_scopes=tool_scopes,
        sign_in_scopes=sign_in_scopes,
        scopes_supported=_unique([*sign_in_scopes, *(scope for scopes in tool_scopes.values() for scope in scopes)]),
        port=_port(env.get("PORT")),
        # Loopback only by default: nothing on the network can reach a development server by accident.
        host=(env.get("HOST") or "").strip() or "127.0.0.1",
        allowed_origins=tuple(allowed_origins),
        allow_machine_tokens=_flag(env, "MCP_ALLOW_MACHINE_TOKENS"),
        name=PROJECT_NAME,
        version=_version(),
    )


def read_tool_scopes(file: Path = TOOL_SCOPES_FILE) -> dict[str, tuple[str, ...]]:
    """Reads tool-scopes.json; raises `ConfigError` when it is missing or invalid."""
    try:
        value = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"tool-scopes.json: cannot read it ({error})") from None
    return parse_tool_scopes(value)


def parse_tool_scopes(value: object) -> dict[str, tuple[str, ...]]:
    """`{"tools": {"<tool>": ["<scope>", ...]}}`: each scope an RFC 6749 scope token, never an OpenID Connect scope."""
    tools = value.get("tools") if isinstance(value, dict) else None
    if not isinstance(tools, dict):
        raise ConfigError('tool-scopes.json must be an object like {"tools": {"whoami": [], "greet": ["greet:write"]}}')
    result: dict[str, tuple[str, ...]] = {}
    for tool, scopes in tools.items():
        if not TOOL_NAME.match(tool):
            raise ConfigError(f"tool-scopes.json: {json.dumps(tool)} is not a tool name (letters, digits, _ . -)")
        if not isinstance(scopes, list):
            raise ConfigError(f"tool-scopes.json: the scopes of {tool} must be an array of strings")
        for scope in scopes:
            if not isinstance(scope, str) or not SCOPE_TOKEN.match(scope):
                raise ConfigError(f"tool-scopes.json: {json.dumps(scope)} (tool {tool}) is not a valid scope")
            if scope in OIDC_SCOPES:
                raise ConfigError(
                    f"tool-scopes.json: {scope} (tool {tool}) is an OpenID Connect scope, "
                    "not a scope of this API resource"
                )
        result[tool] = _unique(scopes)
    return result


def _http_url(env: dict[str, str], name: str) -> str:
    value = (env.get(name) or "").strip()
    if not value:
        raise ConfigError(f"{name} is required (see .env.example)")
    try:
        url = urlsplit(value)
        url.port  # noqa: B018 (validates the port)
    except ValueError:
        raise ConfigError(f"{name} must be an absolute URL, got {json.dumps(value)}") from None
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(f"{name} must be an http(s) URL, got {json.dumps(value)}")
    # Not echoed: the value holds a password.
    if url.username is not None or url.password is not None:
        raise ConfigError(f"{name} must not contain credentials (user:password@)")
    if "?" in value or "#" in value:
        raise ConfigError(f"{name} must not have a query or fragment, got {json.dumps(value)}")
    return value


def _hostname(url: str) -> str:
    """The host as URLs write it: `[::1]` for IPv6."""
    host = urlsplit(url).hostname or ""
    return f"[{host}]" if ":" in host else host


def _flag(env: dict[str, str], name: str) -> bool:
    value = (env.get(name) or "").strip().lower()
    if value in ("", "false"):
        return False
    if value == "true":
        return True
    raise ConfigError(f"{name} must be true or false, got {json.dumps(env.get(name))}")


def _list(value: str | None) -> tuple[str, ...]:
    """Space-separated (commas are accepted too)."""
    return tuple(item for item in re.split(r"[\s,]+", value or "") if item)


def _unique(items: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))  # type: ignore[arg-type]


def _port(value: str | None) -> int:
    if value is None or not value.strip():
        return 3001
    if not value.strip().isdigit() or int(value) > 65535:
        raise ConfigError(f"PORT must be a port number, got {json.dumps(value)}")
    return int(value)


def _version() -> str:
    try:
        return version(PROJECT_NAME)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0.0.0"
