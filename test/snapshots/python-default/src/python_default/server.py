"""The MCP server with every tool. Register your tools here, and list each in tool-scopes.json with the scopes it needs
(`create-logto-mcp register` creates them in Logto; the server asks for them by step-up when the tool is called)."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from .auth import check_tools_declared
from .config import Config
from .tools import greet, whoami

TOOLS = (whoami, greet)


def create_mcp_server(config: Config) -> MCPServer:
    check_tools_declared(config, [tool.NAME for tool in TOOLS])
    server = MCPServer(name=config.name, version=config.version, log_level="WARNING")
    for tool in TOOLS:
        tool.register(server)
    return server
