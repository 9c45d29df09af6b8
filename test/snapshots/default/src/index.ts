import { ConfigError, loadConfig, loadEnvFile } from './config.js';
import type { Config } from './config.js';
import { createApp } from './app.js';
import { createHttpServer } from './http.js';
import { createMcpServer } from './server.js';
import { endpointUrls } from './transport.js';
import { createVerifier } from './verifier.js';

function readConfig(): Config {
  loadEnvFile();
  try {
    const config = loadConfig();
    // Once now, so a tool missing from tool-scopes.json stops the start-up rather than every request.
    void createMcpServer(config).close();
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Configuration error: ${error.message}`);
    process.exit(1);
  }
}

const config = readConfig();
const verifier = createVerifier(config);
const server = createHttpServer().on('request', createApp(config, verifier));
server.once('error', (error) => {
  console.error(`Cannot listen on ${config.host}:${config.port}: ${error.message}`);
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const { streamableHttp, sse } = endpointUrls(config);
  console.log(
    `MCP server listening on ${config.host} port ${config.port}; tokens come from ${config.issuer}, for ${config.resource} (MCP_RESOURCE)`,
  );
  if (streamableHttp) console.log(`Streamable HTTP clients connect to ${streamableHttp}`);
  if (sse) console.log(`HTTP+SSE clients (deprecated transport) connect to ${sse}`);
});

// Fail loudly but keep serving: verification retries on the next request once the issuer is reachable.
verifier.ready().then(
  () => console.log('Signing keys loaded from the issuer.'),
  (error: unknown) =>
    console.error(
      `Cannot load the issuer's signing keys (LOGTO_ISSUER=${config.issuer}): ${error instanceof Error ? error.message : String(error)}\nRequests with a token will answer 503 until this succeeds.`,
    ),
);

function shutdown(signal: string) {
  console.log(`${signal} received, shutting down`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 5_000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
