"""An MCP server protected by Logto: protected-resource metadata, token verification and a whoami tool."""
