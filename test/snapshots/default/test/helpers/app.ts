// Starts the app on a free port on 127.0.0.1, with MCP_RESOURCE pointing at it (`path` on that origin).
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Config } from '../../src/config.js';
import { createHttpServer, HTTP_LIMITS } from '../../src/http.js';
import { createVerifier } from '../../src/verifier.js';

export interface TestApp {
  /** e.g. http://127.0.0.1:41235 */
  origin: string;
  config: Config;
  close(): Promise<void>;
}

export async function startApp(
  env: Record<string, string>,
  path = '/mcp',
  limits: Partial<typeof HTTP_LIMITS> = {},
): Promise<TestApp> {
  const server = createHttpServer({ ...HTTP_LIMITS, ...limits });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ MCP_RESOURCE: origin + path, ...env });
  server.on('request', createApp(config, createVerifier(config)));
  return {
    origin,
    config,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
