import { ConfigError, loadConfig, loadEnvFile } from './config.js';
import type { Config } from './config.js';
import { createApp } from './app.js';
import { createHttpServer } from './http.js';
import { createMcpServer } from './server.js';
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
  console.log(`MCP server listening on ${config.host} port ${config.port}, path ${config.mcpPath}`);
  console.log(`MCP clients connect to ${config.resource} (MCP_RESOURCE); tokens come from ${config.issuer}`);
});

// Fail loudly but keep serving: verification retries on the next request once the issuer is reachable.
verifier.ready().then(
  () => console.log('Signing keys loaded from the issuer.'),
  (error: unknown) =>
    console.error(`Cannot load the issuer's signing keys (LOGTO_ISSUER=${config.issuer}): ${error instanceof Error ? error.message : String(error)}\nRequests with a token will answer 503 until this succeeds.`),
);

function shutdown(signal: string) {
  console.log(`${signal} received, shutting down`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 5_000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
