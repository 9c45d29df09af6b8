// Which transports this server speaks, and where: Streamable HTTP at the resource's own URL, and HTTP+SSE below it
// (`/mcp/sse`, its messages at `/mcp/messages`). One resource covers both: MCP clients accept protected-resource
// metadata whose `resource` is the URL they were given or a prefix of it, so clients of either transport sign in
// for the same API resource in Logto, and one token serves both.
import type { Config } from './config.js';
import type { EndpointUrls, McpEndpoint } from './http.js';
import { sseEndpoints } from './sse.js';
import { streamableHttpEndpoints } from './streamable-http.js';

export function mcpEndpoints(config: Config): McpEndpoint[] {
  return [...streamableHttpEndpoints(config, config.mcpPath), ...sseEndpoints(config, `${config.mcpPath}/sse`)];
}

export function endpointUrls(config: Config): EndpointUrls {
  return { streamableHttp: config.resource, sse: `${config.resource}/sse` };
}
