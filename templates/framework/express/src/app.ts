import express from 'express';
import type { Express } from 'express';
import { hostHeaderValidation } from '@modelcontextprotocol/express';
import { metadataPaths, protectedResourceMetadata } from './auth.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';
import { errorHandler, exactPath, openCors, originCheck, requireToken } from './middleware.js';
import { allowedHosts } from './origins.js';
import { mountTransport } from './transport.js';
import { createVerifier } from './verifier.js';

export function createApp(config: Config, verifier: TokenVerifier = createVerifier(config)): Express {
  const app = express();
  app.disable('x-powered-by');

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

  app.use(errorHandler);
  return app;
}
