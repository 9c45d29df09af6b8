import type { ErrorRequestHandler, RequestHandler } from 'express';
import { authenticate } from './auth.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import { isAllowedOrigin } from './origins.js';

/** Matches `path` literally: paths come from MCP_RESOURCE and may hold characters Express reads as route syntax. */
export function exactPath(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
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
export function originCheck(config: Config): RequestHandler {
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
      'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
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

/** JSON errors without stack traces (Express's default handler sends them outside production). */
export const errorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) return next(error);
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) console.error(error);
  res.status(status).json({ error: status === 500 ? 'server_error' : 'invalid_request' });
};
