// What the transport-neutral tests (test/server.test.ts) need of the transport: HTTP+SSE.
import { Client, SSEClientTransport } from '@modelcontextprotocol/client';
import type { TestApp } from './app.js';

/** The path of the MCP endpoint (the event stream) in the resource the tests serve. */
export const RESOURCE_PATH = '/sse';

export interface McpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/** A request to the MCP endpoint, as the checks in front of the transport see it: GET the stream (closed at once when it opens). */
export async function mcpRequest(app: TestApp, headers: Record<string, string> = {}): Promise<McpAnswer> {
  const response = await fetch(app.config.resource, { headers: { Accept: 'text/event-stream', ...headers } });
  if (response.status === 200) {
    await response.body?.cancel();
    return { status: 200, headers: response.headers, body: '' };
  }
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The official client, connected with a static bearer token. */
export async function connectClient(app: TestApp, token: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(app.config.resource), { authProvider: { token: async () => token } }));
  return client;
}
