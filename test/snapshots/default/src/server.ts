import { McpServer } from '@modelcontextprotocol/server';
import type { Config } from './config.js';
import { registerWhoami } from './tools/whoami.js';

/** One MCP server with every tool; created per request (stateless serving). Register your tools here. */
export function createMcpServer(config: Config): McpServer {
  const server = new McpServer({ name: config.name, version: config.version });
  registerWhoami(server);
  return server;
}
