import { createServer } from 'node:http';
import type { Server, ServerOptions } from 'node:http';
import express from 'express';
import type { Express } from 'express';
import { hostHeaderValidation } from '@modelcontextprotocol/express';
import { metadataPaths, protectedResourceMetadata } from './auth.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import { closeIfBodyUnread, errorHandler, exactPath, notFound, openCors, originCheck, requestTarget, requireToken } from './middleware.js';
import { allowedHosts } from './origins.js';
import { mountTransport } from './transport.js';
import { createVerifier } from './verifier.js';

export function createApp(config: Config, verifier: TokenVerifier = createVerifier(config)): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(closeIfBodyUnread, requestTarget);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Public metadata: browser-based clients read it from other origins.
  const metadata = protectedResourceMetadata(config);
  const metadataRoute = metadataPaths(config).map(exactPath);
  app.options(metadataRoute, openCors);
  app.get(metadataRoute, openCors, (_req, res) => {
    res.json(metadata);
  });

  mountTransport(app, config, [hostHeaderValidation(allowedHosts(config)), originCheck(config), requireToken(config, verifier)]);

  app.use(notFound, errorHandler);
  return app;
}

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
