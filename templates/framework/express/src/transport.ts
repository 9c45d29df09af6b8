// Streamable HTTP, stateless: every request gets a fresh MCP server. The SDK handler serves the
// 2026-07-28 revision and falls back to 2025-era stateless serving (GET and DELETE answer 405).
import type { Express, RequestHandler } from 'express';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { Config } from './config.js';
import { exactPath } from './middleware.js';
import { createMcpServer } from './server.js';

export function mountTransport(app: Express, config: Config, guards: RequestHandler[]): void {
  const serve = toNodeHandler(
    createMcpHandler(() => createMcpServer(config), {
      onerror: (error) => console.error('MCP error:', error.message),
    }),
  );
  app.all(exactPath(config.mcpPath), ...guards, (req, res) => serve(req, res));
}
