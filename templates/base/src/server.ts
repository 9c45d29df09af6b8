import { McpServer } from '@modelcontextprotocol/server';
import type { Config } from './config.js';
import { registerGreet } from './tools/greet.js';
import { registerWhoami } from './tools/whoami.js';

/**
 * One MCP server with every tool; created per request (stateless serving). Register your tools here, and list
 * each in tool-scopes.json with the scopes it needs (`register` creates them in Logto).
 */
export function createMcpServer(config: Config): McpServer {
  const server = new McpServer({ name: config.name, version: config.version });
  registerWhoami(server, config);
  registerGreet(server, config);
  return server;
}
