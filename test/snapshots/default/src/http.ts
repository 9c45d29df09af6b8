// The Node HTTP server every framework's app runs in, the HTTP/1.1 checks its app applies to every request,
// and what a transport hands the framework to mount. Framework-neutral: the framework layer only sends the answers.
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

export function createHttpServer({
  maxConnections,
  ...options
}: ServerOptions & { maxConnections: number } = HTTP_LIMITS): Server {
  const server = createServer(options);
  server.maxConnections = maxConnections;
  return server;
}

/** A request as an MCP endpoint receives it: past the Host, Origin and token checks, with the verified token. */
export type McpRequest = IncomingMessage & { auth?: AuthInfo };

/** The URL MCP clients connect to, for each transport the server speaks (src/transport.ts). */
export interface EndpointUrls {
  streamableHttp?: string;
  sse?: string;
}

/** An MCP endpoint of the transport (src/transport.ts): a plain Node handler, which any framework can mount. */
export interface McpEndpoint {
  /** Served literally (it comes from MCP_RESOURCE). */
  path: string;
  /** The methods it answers; any other gets 405 with `Allow`. */
  methods: string[];
  handle(req: McpRequest, res: ServerResponse): Promise<void>;
}

/** What a check answers instead of letting the request go on: frameworks send it as is, `body` as JSON. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: { error: string; error_description: string };
}

/**
 * Closes the connection after a response sent while the request body is still arriving (a refusal, a 404):
 * otherwise Node reads and discards the whole body to reuse the connection, however large it is announced.
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const arriving =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > req.readableLength;
    if (!req.complete && arriving) this.setHeader('Connection', 'close');
    return writeHead.apply(this, args as Parameters<typeof writeHead>);
  };
}

/**
 * What HTTP/1.1 requires of the request target and `Host` (RFC 9112 §3.2): 400 for more than one `Host`
 * or an invalid one (Node itself answers 400 when it is missing). An absolute-form target
 * (`POST http://host/mcp`) is accepted, its authority replacing `Host`, so the host checks see it.
 * Also 400 for more than one `Authorization` (RFC 6750 §3.1): Node keeps the first, a proxy may pick another.
 */
export function checkRequestTarget(req: IncomingMessage): Answer | undefined {
  const named = (name: string) =>
    req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === name);
  if (named('host').length > 1) return badRequest('More than one Host header');
  if (named('authorization').length > 1) {
    return {
      ...badRequest('More than one Authorization header'),
      headers: {
        'WWW-Authenticate': 'Bearer error="invalid_request", error_description="More than one Authorization header"',
      },
    };
  }
  if (req.headers.host !== undefined && !validAuthority(req.headers.host)) return badRequest('Invalid Host header');
  const url = req.url ?? '/';
  if (url === '*' && req.method !== 'OPTIONS') return badRequest('The asterisk-form target is for OPTIONS only'); // RFC 9112 §3.2.4
  if (!url.startsWith('/') && url !== '*') {
    const target = parsedUrl(url);
    if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:') || !validAuthority(target.host)) {
      return badRequest('Invalid request target');
    }
    req.headers.host = target.host;
    req.url = target.pathname + target.search;
  }
  return undefined;
}

/** 405 with `Allow` for any other method: some (TRACE, CONNECT) cannot even be handed to the MCP handler. */
export function checkMethod(method: string | undefined, methods: string[]): Answer | undefined {
  if (method !== undefined && methods.includes(method)) return undefined;
  return {
    status: 405,
    headers: { Allow: methods.join(', ') },
    body: { error: 'method_not_allowed', error_description: `${method} is not allowed here` },
  };
}

function validAuthority(value: string): boolean {
  return value !== '' && !/[\s/?#@\\]/.test(value) && URL.canParse(`http://${value}`);
}

function parsedUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function badRequest(description: string): Answer {
  return { status: 400, body: { error: 'invalid_request', error_description: description } };
}
