// The Node HTTP server every framework's app runs in, and what a transport hands the framework to mount.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/server';

/** Limits that keep slow, oversized or too many requests from holding the server (Node's defaults allow minutes). */
export const HTTP_LIMITS = {
  headersTimeout: 10_000, // ms to send the request headers
  requestTimeout: 30_000, // ms to send the whole request
  keepAliveTimeout: 5_000, // ms an idle connection is kept open
  connectionsCheckingInterval: 1_000, // how often the two timeouts above are checked
  maxHeaderSize: 16 * 1024, // larger headers are answered 431
  maxConnections: 1000,
};

export function createHttpServer({ maxConnections, ...options }: ServerOptions & { maxConnections: number } = HTTP_LIMITS): Server {
  const server = createServer(options);
  server.maxConnections = maxConnections;
  return server;
}

/** A request as an MCP endpoint receives it: past the Host, Origin and token checks, with the verified token. */
export type McpRequest = IncomingMessage & { auth?: AuthInfo };

/** An MCP endpoint of the transport (src/transport.ts): a plain Node handler, which any framework can mount. */
export interface McpEndpoint {
  /** Served literally (it comes from MCP_RESOURCE). */
  path: string;
  /** The methods it answers; any other gets 405 with `Allow`. */
  methods: string[];
  handle(req: McpRequest, res: ServerResponse): Promise<void>;
}
