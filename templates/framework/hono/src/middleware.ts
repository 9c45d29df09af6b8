// Hono glue for the framework-neutral checks (src/http.ts, src/origins.ts, src/auth.ts): each sends their answer.
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { validateHostHeader } from '@modelcontextprotocol/server';
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import { every } from 'hono/combine';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { authenticate } from './auth.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import { checkMethod, checkRequestTarget, closeIfBodyUnread } from './http.js';
import type { Answer, McpEndpoint, McpRequest } from './http.js';
import { mcpCors, openCors } from './origins.js';
import type { Cors, CorsRequest } from './origins.js';

/** The app runs on Node (@hono/node-server): `c.env` holds the Node request and response. */
export type Env = { Bindings: HttpBindings };

function send(c: Context<Env>, { status, headers = {}, body }: Answer): Response {
  return body ? c.json(body, status as ContentfulStatusCode, headers) : c.body(null, status as StatusCode, headers);
}

/**
 * Every request, before Hono reads it: the connection is closed after an answer sent before the body was read;
 * 400 for a bad target or Host. An absolute-form target becomes the path and Host Hono then builds the URL from.
 */
export function checkRequest(next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    closeIfBodyUnread(req, res);
    const refusal = checkRequestTarget(req);
    if (refusal) return sendNode(res, refusal.status, refusal.body, refusal.headers);
    // `OPTIONS *` (RFC 9112 §3.2.4) names no resource here, and is no URL Hono can route: the 404 of any unknown path.
    if (req.url === '*') return sendNode(res, 404, { error: 'not_found' });
    next(req, res);
  };
}

function sendNode(
  res: ServerResponse,
  status: number,
  body: object | undefined,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body ?? {});
  res
    .writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
    .end(text);
}

/** Runs `handlers` for requests at exactly one of `paths`, others go on: paths come from MCP_RESOURCE and may hold characters Hono reads as route syntax. */
export function exactPath(paths: string[], ...handlers: MiddlewareHandler<Env>[]): MiddlewareHandler<Env> {
  const chain = every(...handlers);
  return (c, next) => (paths.includes(c.env.incoming.url!.split('?')[0]!) ? chain(c, next) : next());
}

export function allowMethods(methods: string[]): MiddlewareHandler<Env> {
  return async (c, next) => {
    const refusal = checkMethod(c.req.method, methods);
    if (refusal) return send(c, refusal);
    await next();
  };
}

/**
 * The SDK's Host check (DNS rebinding), answered as its Express and Hono middleware answer it, on the Host
 * checkRequestTarget() settled: for an absolute-form target its authority, which Hono's `c.req.header('Host')`
 * (read from the raw headers, as @modelcontextprotocol/hono's middleware does) would not show.
 */
export function hostCheck(hosts: string[]): MiddlewareHandler<Env> {
  return async (c, next) => {
    const result = validateHostHeader(c.env.incoming.headers.host, hosts);
    if (!result.ok) return c.json({ jsonrpc: '2.0', error: { code: -32000, message: result.message }, id: null }, 403);
    await next();
  };
}

function cors(decide: (request: CorsRequest) => Cors): MiddlewareHandler<Env> {
  return async (c, next) => {
    const { headers, answer } = decide({
      method: c.req.method,
      origin: c.req.header('Origin'),
      requestedHeaders: c.req.header('Access-Control-Request-Headers'),
    });
    // On the Node response: they reach Hono's answers and those the MCP handler writes itself.
    for (const [name, value] of Object.entries(headers)) c.env.outgoing.setHeader(name, value);
    if (answer) return send(c, answer);
    await next();
  };
}

/** CORS for public documents: any origin may read them. */
export const publicCors: MiddlewareHandler<Env> = cors(openCors);

/** Refuses foreign browser origins with 403; answers CORS for allowed ones. */
export function originCheck(config: Config, methods: string[]): MiddlewareHandler<Env> {
  return cors((request) => mcpCors(request, config, methods));
}

/** The bearer-token gate: 401 / 403 with the challenge MCP clients follow to sign in; sets `req.auth`. */
export function requireToken(config: Config, verifier: TokenVerifier): MiddlewareHandler<Env> {
  return async (c, next) => {
    const outcome = await authenticate(c.req.header('Authorization'), verifier, config);
    if (!outcome.ok) return send(c, outcome);
    (c.env.incoming as McpRequest).auth = outcome.authInfo;
    await next();
  };
}

/** Hands the request to a plain Node handler (an MCP endpoint of src/transport.ts), which writes the response itself. */
export function nodeHandler(handle: McpEndpoint['handle']): MiddlewareHandler<Env> {
  return async (c) => {
    await handle(c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  };
}

export const notFound: NotFoundHandler<Env> = (c) => c.json({ error: 'not_found' }, 404);

/** JSON errors without stack traces (Hono's default handler answers in plain text). */
export const errorHandler: ErrorHandler<Env> = (error, c) => {
  if (c.env.outgoing.headersSent) {
    console.error(error);
    c.env.outgoing.destroy();
    return RESPONSE_ALREADY_SENT;
  }
  const status = error instanceof HTTPException && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(error);
  return c.json({ error: status === 500 ? 'server_error' : 'invalid_request' }, status);
};
