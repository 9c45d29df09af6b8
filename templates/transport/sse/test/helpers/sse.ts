// Reaching the HTTP+SSE endpoints (test/helpers/mcp.ts hands these to the transport-neutral tests).
import { Client, SSEClientTransport } from '@modelcontextprotocol/client';
import { endpointUrls } from '../../src/transport.js';
import type { TestApp } from './app.js';

/** The URL of the event stream. */
export const sseUrl = (app: TestApp): string => endpointUrls(app.config).sse!;

export interface McpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** A request to the MCP endpoint, as the checks in front of the transport see it: GET the stream (closed at once when it opens). */
export async function mcpRequest(app: TestApp, headers: Record<string, string> = {}): Promise<McpAnswer> {
  const response = await fetch(sseUrl(app), { headers: { Accept: 'text/event-stream', ...headers } });
  if (response.status === 200) {
    await response.body?.cancel();
    return { status: 200, headers: response.headers, body: '' };
  }
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The official client, connected with a static bearer token. */
export async function connectClient(app: TestApp, token: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(sseUrl(app)), { authProvider: { token: async () => token } }));
  return client;
}
