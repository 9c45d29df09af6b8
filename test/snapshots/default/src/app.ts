import express from 'express';
import type { Express } from 'express';
import { hostHeaderValidation } from '@modelcontextprotocol/express';
import { metadataPaths, protectedResourceMetadata } from './auth.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import {
  allowMethods,
  checkRequest,
  errorHandler,
  exactPath,
  notFound,
  originCheck,
  publicCors,
  requireToken,
} from './middleware.js';
import { allowedHosts } from './origins.js';
import { mcpEndpoints } from './transport.js';

/** The HTTP app: a Node request listener (src/index.ts and the tests serve it with createHttpServer). */
export function createApp(config: Config, verifier: TokenVerifier): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(checkRequest);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Public metadata: browser-based clients read it from other origins.
  const metadata = protectedResourceMetadata(config);
  const metadataRoute = metadataPaths(config).map(exactPath);
  app.options(metadataRoute, publicCors);
  app.get(metadataRoute, publicCors, (_req, res) => {
    res.json(metadata);
  });

  for (const endpoint of mcpEndpoints(config)) {
    const guards = [
      hostHeaderValidation(allowedHosts(config)),
      originCheck(config, endpoint.methods),
      requireToken(config, verifier),
    ];
    app.all(exactPath(endpoint.path), allowMethods(endpoint.methods), ...guards, (req, res) =>
      endpoint.handle(req, res),
    );
  }

  app.use(notFound, errorHandler);
  return app;
}
