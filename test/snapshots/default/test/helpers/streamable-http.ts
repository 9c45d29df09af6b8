// Reaching the Streamable HTTP endpoint (test/helpers/mcp.ts hands these to the transport-neutral tests).
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { endpointUrls } from '../../src/transport.js';
import type { TestApp } from './app.js';

/** The URL of the Streamable HTTP endpoint. */
export const streamableHttpUrl = (app: TestApp): string => endpointUrls(app.config).streamableHttp!;

export interface McpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1.0.0' } },
};

/** A request to the MCP endpoint, as the checks in front of the transport see it: POST initialize. */
export async function mcpRequest(app: TestApp, headers: Record<string, string> = {}): Promise<McpAnswer> {
  const response = await fetch(streamableHttpUrl(app), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(initialize),
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The official client, connected with a static bearer token. */
export async function connectClient(app: TestApp, token: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(streamableHttpUrl(app)), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}
