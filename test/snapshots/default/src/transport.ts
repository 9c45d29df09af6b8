// Which transports this server speaks, and where: Streamable HTTP at the resource's own URL.
import type { Config } from './config.js';
import type { EndpointUrls, McpEndpoint } from './http.js';
import { streamableHttpEndpoints } from './streamable-http.js';

export function mcpEndpoints(config: Config): McpEndpoint[] {
  return streamableHttpEndpoints(config, config.mcpPath);
}

export function endpointUrls(config: Config): EndpointUrls {
  return { streamableHttp: config.resource };
}
