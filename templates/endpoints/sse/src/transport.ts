// Which transports this server speaks, and where: HTTP+SSE, its event stream at the resource's own URL.
import type { Config } from './config.js';
import type { EndpointUrls, McpEndpoint } from './http.js';
import { sseEndpoints } from './sse.js';

export function mcpEndpoints(config: Config): McpEndpoint[] {
  return sseEndpoints(config, config.mcpPath);
}

export function endpointUrls(config: Config): EndpointUrls {
  return { sse: config.resource };
}
