// Streamable HTTP, stateless: every request gets a fresh MCP server. The SDK handler serves the
// 2026-07-28 revision and falls back to 2025-era stateless serving (GET and DELETE answer 405).
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { Config } from './config.js';
import type { McpEndpoint } from './http.js';
import { createMcpServer } from './server.js';

// Larger request bodies are answered 413 (before reading them when Content-Length says so).
const MAX_BODY_BYTES = 1024 * 1024;

/** The Streamable HTTP endpoint, at `path`. */
export function streamableHttpEndpoints(config: Config, path: string): McpEndpoint[] {
  const handle = toNodeHandler(
    createMcpHandler(() => createMcpServer(config), {
      onerror: (error) => console.error('MCP error:', error.message),
    }),
    { maxRequestBodySize: MAX_BODY_BYTES, onerror: (error) => console.error('MCP request failed:', error.message) },
  );
  return [{ path, methods: ['GET', 'POST', 'DELETE', 'OPTIONS'], handle }];
}
