import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import type { RequestListener } from 'node:http';
import { metadataPaths, protectedResourceMetadata } from './auth.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import {
  allowMethods,
  checkRequest,
  errorHandler,
  exactPath,
  hostCheck,
  nodeHandler,
  notFound,
  originCheck,
  publicCors,
  requireToken,
} from './middleware.js';
import type { Env } from './middleware.js';
import { allowedHosts } from './origins.js';
import { mcpEndpoints } from './transport.js';

/** The HTTP app: a Node request listener (src/index.ts and the tests serve it with createHttpServer). */
export function createApp(config: Config, verifier: TokenVerifier): RequestListener {
  const app = new Hono<Env>();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Public metadata: browser-based clients read it from other origins.
  const metadata = protectedResourceMetadata(config);
  const serveMetadata: MiddlewareHandler<Env> = async (c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' ? c.json(metadata) : next();
  app.use(exactPath(metadataPaths(config), publicCors, serveMetadata));

  for (const endpoint of mcpEndpoints(config)) {
    const guards = [
      hostCheck(allowedHosts(config)),
      originCheck(config, endpoint.methods),
      requireToken(config, verifier),
    ];
    app.use(exactPath([endpoint.path], allowMethods(endpoint.methods), ...guards, nodeHandler(endpoint.handle)));
  }

  app.notFound(notFound);
  app.onError(errorHandler);
  // Node's own Request and Response stay the globals (the MCP handler builds its own with them).
  return checkRequest(getRequestListener(app.fetch, { overrideGlobalObjects: false }));
}
