from __future__ import annotations

import pytest

from python_default.config import ConfigError, load_config, parse_tool_scopes, read_tool_scopes

BASE = {"LOGTO_ISSUER": "https://tenant.logto.app/oidc", "MCP_RESOURCE": "http://localhost:3001/mcp"}


def test_reads_the_environment() -> None:
    config = load_config(
        {**BASE, "MCP_REQUIRED_SCOPES": "read:a, read:b", "PORT": "4000", "MCP_ALLOW_MACHINE_TOKENS": "true"}
    )
    assert config.required_scopes == ("read:a", "read:b")
    assert config.sign_in_scopes == ("openid", "profile", "email", "read:a", "read:b")
    assert config.scopes_supported == ("openid", "profile", "email", "read:a", "read:b", "greet:write")
    assert (config.port, config.host, config.mcp_path, config.allow_machine_tokens) == (4000, "127.0.0.1", "/mcp", True)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOGTO_ISSUER": ""}, "LOGTO_ISSUER is required"),
        ({"LOGTO_ISSUER": "http://tenant.example/oidc"}, "must be an https URL"),
        ({"MCP_RESOURCE": "ftp://x/mcp"}, "must be an http(s) URL"),
        ({"MCP_RESOURCE": "http://user:secret@localhost/mcp"}, "must not contain credentials"),
        ({"MCP_RESOURCE": "http://localhost/mcp?x=1"}, "must not have a query"),
        ({"MCP_REQUIRED_SCOPES": 'a"b'}, "is not a valid scope"),
        ({"MCP_REQUIRED_SCOPES": "offline_access"}, "not a resource scope"),
        ({"MCP_ALLOWED_ORIGINS": "not an origin"}, "is not an origin"),
        ({"PORT": "70000"}, "PORT must be a port number"),
        ({"MCP_ALLOW_MACHINE_TOKENS": "yes"}, "must be true or false"),
    ],
)
def test_refuses_bad_values_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        load_config({**BASE, **env})
    assert "secret" not in str(error.value)


def test_loopback_issuer_may_be_http() -> None:
    assert load_config({**BASE, "LOGTO_ISSUER": "http://[::1]:3002/oidc"}).issuer == "http://[::1]:3002/oidc"


def test_tool_scopes_file() -> None:
    assert read_tool_scopes() == {"whoami": (), "greet": ("greet:write",)}
    for bad, message in [
        ([], "must be an object"),
        ({"tools": {"who am i": []}}, "is not a tool name"),
        ({"tools": {"greet": "greet:write"}}, "must be an array"),
        ({"tools": {"greet": ["email"]}}, "OpenID Connect scope"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_tool_scopes(bad)
