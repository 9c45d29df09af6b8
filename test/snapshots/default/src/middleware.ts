import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { authenticate } from './auth.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import { isAllowedOrigin } from './origins.js';

/** Matches `path` literally: paths come from MCP_RESOURCE and may hold characters Express reads as route syntax. */
export function exactPath(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/**
 * Closes the connection after a response sent while the request body is still arriving (a refusal, a 404):
 * otherwise Node reads and discards the whole body to reuse the connection, however large it is announced.
 */
export const closeIfBodyUnread: RequestHandler = (req, res, next) => {
  const writeHead = res.writeHead;
  res.writeHead = function (this: typeof res, ...args: unknown[]) {
    const arriving = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > req.readableLength;
    if (!req.complete && arriving) this.setHeader('Connection', 'close');
    return writeHead.apply(this, args as Parameters<typeof writeHead>);
  } as typeof writeHead;
  next();
};

/**
 * What HTTP/1.1 requires of the request target and `Host` (RFC 9112 §3.2): 400 for more than one `Host`
 * or an invalid one (Node itself answers 400 when it is missing). An absolute-form target
 * (`POST http://host/mcp`) is accepted, its authority replacing `Host`, so the host checks see it.
 */
export const requestTarget: RequestHandler = (req, res, next) => {
  const hosts = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'host');
  if (hosts.length > 1) return badRequest(res, 'More than one Host header');
  if (req.headers.host !== undefined && !validAuthority(req.headers.host)) return badRequest(res, 'Invalid Host header');
  if (!req.url.startsWith('/') && req.url !== '*') {
    const target = parsedUrl(req.url);
    if (!target || (target.protocol !== 'http:' && target.protocol !== 'https:') || !validAuthority(target.host)) {
      return badRequest(res, 'Invalid request target');
    }
    req.headers.host = target.host;
    req.url = target.pathname + target.search;
  }
  next();
};

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

function badRequest(res: Response, description: string): void {
  res.status(400).json({ error: 'invalid_request', error_description: description });
}

/** 405 with `Allow` for any other method: some (TRACE, CONNECT) cannot even be handed to the MCP handler. */
export function allowMethods(methods: string[]): RequestHandler {
  return (req, res, next) => {
    if (methods.includes(req.method)) return next();
    res.status(405).set('Allow', methods.join(', ')).json({ error: 'method_not_allowed', error_description: `${req.method} is not allowed here` });
  };
}

/** CORS for public documents: any origin may read them. */
export const openCors: RequestHandler = (req, res, next) => {
  res.set({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, OPTIONS' });
  if (req.method !== 'OPTIONS') return next();
  const requested = req.get('Access-Control-Request-Headers');
  if (requested) res.set('Access-Control-Allow-Headers', requested);
  res.sendStatus(204);
};

/** Refuses foreign browser origins (DNS rebinding, cross-site calls) with 403; answers CORS for allowed ones. */
export function originCheck(config: Config, methods: string[]): RequestHandler {
  return (req, res, next) => {
    res.set('Access-Control-Expose-Headers', 'WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version');
    const origin = req.get('Origin');
    if (origin === undefined) return next();
    if (!isAllowedOrigin(origin, config)) {
      res.status(403).json({ error: 'forbidden', error_description: 'Origin not allowed' });
      return;
    }
    res.set({ 'Access-Control-Allow-Origin': origin, Vary: 'Origin' });
    if (req.method !== 'OPTIONS') return next();
    res.set({
      'Access-Control-Allow-Methods': methods.join(', '),
      'Access-Control-Allow-Headers': req.get('Access-Control-Request-Headers') ?? 'Authorization, Content-Type',
      'Access-Control-Max-Age': '600',
    });
    res.sendStatus(204);
  };
}

/** The bearer-token gate: 401 / 403 with the challenge MCP clients follow to sign in; sets `req.auth`. */
export function requireToken(config: Config, verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const outcome = await authenticate(req.get('Authorization'), verifier, config);
    if (!outcome.ok) {
      res.status(outcome.status).set(outcome.headers).json(outcome.body);
      return;
    }
    req.auth = outcome.authInfo;
    next();
  };
}

/** JSON 404 at once (Express's default one waits for the whole request body first). */
export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not_found' });
};

/** JSON errors without stack traces (Express's default handler sends them outside production). */
export const errorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(error);
  res.status(status).json({ error: status === 500 ? 'server_error' : 'invalid_request' });
};
