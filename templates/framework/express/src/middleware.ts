// Express glue for the framework-neutral checks (src/http.ts, src/origins.ts, src/auth.ts): each sends their answer.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { authenticate } from './auth.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import { checkMethod, checkRequestTarget, closeIfBodyUnread } from './http.js';
import type { Answer } from './http.js';
import { mcpCors, openCors } from './origins.js';
import type { Cors, CorsRequest } from './origins.js';

/** Matches `path` literally: paths come from MCP_RESOURCE and may hold characters Express reads as route syntax. */
export function exactPath(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

function send(res: Response, { status, headers = {}, body }: Answer): void {
  res.status(status).set(headers);
  if (body) res.json(body);
  else res.sendStatus(status);
}

/** Every request: the connection is closed after an answer sent before the body was read; 400 for a bad target or Host. */
export const checkRequest: RequestHandler = (req, res, next) => {
  closeIfBodyUnread(req, res);
  const refusal = checkRequestTarget(req);
  if (refusal) return send(res, refusal);
  next();
};

export function allowMethods(methods: string[]): RequestHandler {
  return (req, res, next) => {
    const refusal = checkMethod(req.method, methods);
    if (refusal) return send(res, refusal);
    next();
  };
}

function cors(decide: (request: CorsRequest) => Cors): RequestHandler {
  return (req, res, next) => {
    const { headers, answer } = decide({
      method: req.method,
      origin: req.get('Origin'),
      requestedHeaders: req.get('Access-Control-Request-Headers'),
    });
    res.set(headers);
    if (answer) return send(res, answer);
    next();
  };
}

/** CORS for public documents: any origin may read them. */
export const publicCors: RequestHandler = cors(openCors);

/** Refuses foreign browser origins with 403; answers CORS for allowed ones. */
export function originCheck(config: Config, methods: string[]): RequestHandler {
  return cors((request) => mcpCors(request, config, methods));
}

/** The bearer-token gate: 401 / 403 with the challenge MCP clients follow to sign in; sets `req.auth`. */
export function requireToken(config: Config, verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const outcome = await authenticate(req.get('Authorization'), verifier, config);
    if (!outcome.ok) return send(res, outcome);
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
