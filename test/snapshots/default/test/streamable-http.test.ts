// What is particular to Streamable HTTP (src/streamable-http.ts): stateless serving, the request body's limits, and the
// per-tool step-up challenge in both protocol eras. The transport-neutral contract is in test/server.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { startApp } from './helpers/app.js';
import type { TestApp } from './helpers/app.js';
import { hostOf, rawRequest } from './helpers/raw-http.js';
import { startIssuer } from './helpers/issuer.js';
import type { TestIssuer } from './helpers/issuer.js';

let issuer: TestIssuer;
let open: TestApp; // no required scope
let scoped: TestApp; // MCP_REQUIRED_SCOPES=read:whoami

beforeAll(async () => {
  issuer = await startIssuer();
  open = await startApp({ LOGTO_ISSUER: issuer.issuer });
  scoped = await startApp({ LOGTO_ISSUER: issuer.issuer, MCP_REQUIRED_SCOPES: 'read:whoami' });
});
afterAll(async () => {
  await Promise.all([open?.close(), scoped?.close()]);
  await issuer?.close();
});

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1.0.0' } },
};

function postMcp(app: TestApp, headers: Record<string, string> = {}, body: unknown = initialize) {
  return fetch(app.config.resource, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('POST /mcp', () => {
  it.each(['GET', 'DELETE'])('answers %s with 405 (stateless server)', async (method) => {
    const response = await fetch(open.config.resource, {
      method,
      headers: bearer(await issuer.token(open.config.resource)),
    });
    expect(response.status).toBe(405);
  });
});

it.each(['/v1/mcp:tools(beta)', ''])('serves a resource at %j, path taken literally', async (path) => {
  const app = await startApp({ LOGTO_ISSUER: issuer.issuer }, path);
  try {
    const metadata = await fetch(`${app.origin}/.well-known/oauth-protected-resource${path}`);
    expect(await metadata.json()).toMatchObject({ resource: app.origin + path });
    expect((await postMcp(app, bearer(await issuer.token(app.config.resource)))).status).toBe(200);
  } finally {
    await app.close();
  }
});

describe('request bodies (raw sockets)', () => {
  const post = (app: TestApp, target: string, headers: string[], body = '{}') =>
    [
      `POST ${target} HTTP/1.1`,
      ...headers,
      'Content-Type: application/json',
      'Accept: application/json, text/event-stream',
      `Content-Length: ${body.length}`,
      'Connection: close',
      '',
      body,
    ].join('\n');

  it('serves an absolute-form target naming its own host', async () => {
    const token = await issuer.token(open.config.resource);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const own = await rawRequest(
      open,
      post(open, `${open.origin}/mcp`, [`Host: ${hostOf(open)}`, `Authorization: Bearer ${token}`], ping),
      { waitMs: 500 },
    );
    expect(own.status).toBe(200);
    expect(own.text).toContain('"result":{}');
  });

  it.each([
    ['without a token: 401', 401, [] as string[]],
    ['with a valid token: 413', 413, ['valid token']],
  ])('answers a body announced as 1 GB at once and closes the connection, %s', async (_, expected, auth) => {
    const token = auth.length ? [`Authorization: Bearer ${await issuer.token(open.config.resource)}`] : [];
    // Announced, never sent: only the first bytes go out.
    const head = [
      `POST /mcp HTTP/1.1`,
      `Host: ${hostOf(open)}`,
      ...token,
      'Content-Type: application/json',
      `Content-Length: ${1024 ** 3}`,
      '',
    ].join('\n');
    const response = await rawRequest(open, head, { body: '{"jsonrpc":"2.0",' });
    expect(response.status).toBe(expected);
    expect(response.headers).toMatch(/^Connection: close$/im);
    expect(response.closed).toBe(true);
    expect(response.ms).toBeLessThan(1500);
  });

  it('answers 413 to a chunked body over 1 MB', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = Array.from({ length: 17 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const head = [
      `POST /mcp HTTP/1.1`,
      `Host: ${hostOf(open)}`,
      `Authorization: Bearer ${await issuer.token(open.config.resource)}`,
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
      '',
    ].join('\n');
    const response = await rawRequest(open, head, { body: chunks });
    expect(response.status).toBe(413);
    expect(response.closed).toBe(true);
  });

  it('keeps the connection open after a refusal whose body was read', async () => {
    const response = await rawRequest(
      open,
      [`POST /mcp HTTP/1.1`, `Host: ${hostOf(open)}`, 'Content-Type: application/json', 'Content-Length: 2', ''].join(
        '\n',
      ),
      { body: '{}', waitMs: 300 },
    );
    expect(response.status).toBe(401);
    expect(response.closed).toBe(false);
  });
});

describe('per-tool scopes (tool-scopes.json): greet needs greet:write, whoami nothing more', () => {
  const callGreet = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'greet', arguments: {} } };
  const legacy = { 'MCP-Protocol-Version': '2025-06-18' };
  const expectStepUp = (app: TestApp, challenge: string | null, scopes: string) => {
    expect(challenge).toMatch(/^Bearer error="insufficient_scope", error_description="[^"]*greet:write[^"]*"/);
    // Everything to request in one challenge: what sign-in asks for, and the tool's scope.
    expect(challenge).toContain(`scope="${scopes}"`);
    expect(challenge).toContain(`resource_metadata="${app.origin}/.well-known/oauth-protected-resource/mcp"`);
  };

  /** The v2 client speaking 2026-07-28 (it sends Mcp-Method and Mcp-Name), recording each response and the Mcp-Name it sent. */
  async function v2Client(app: TestApp, token: string, rewrite: (headers: Headers) => void = () => {}) {
    const log: Array<{ status: number; mcpName: string | null; challenge: string | null }> = [];
    const recording: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      rewrite(headers);
      const response = await fetch(input, { ...init, headers });
      log.push({
        status: response.status,
        mcpName: headers.get('mcp-name'),
        challenge: response.headers.get('www-authenticate'),
      });
      return response;
    };
    const client = new Client({ name: 'test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(app.config.resource), {
        fetch: recording,
        requestInit: { headers: bearer(token) },
      }),
    );
    return { client, log };
  }

  it('a 2026-07-28 client (Mcp-Name: greet) without greet:write gets the 403 step-up challenge; whoami still works', async () => {
    const { client, log } = await v2Client(open, await issuer.token(open.config.resource, { scope: '' }));
    try {
      expect((await client.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy();
      await expect(client.callTool({ name: 'greet', arguments: {} })).rejects.toThrow();
      const refused = log.find(({ status }) => status === 403);
      expect(refused?.mcpName).toBe('greet');
      expectStepUp(open, refused!.challenge, 'openid profile email greet:write');
    } finally {
      await client.close();
    }
  });

  it('a 2025-era request (no Mcp-Method or Mcp-Name: the tool is read from the JSON-RPC body) gets the same challenge', async () => {
    const response = await postMcp(
      open,
      { ...legacy, ...bearer(await issuer.token(open.config.resource, { scope: '' })) },
      callGreet,
    );
    expect(response.status).toBe(403);
    expectStepUp(open, response.headers.get('www-authenticate'), 'openid profile email greet:write');
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('names the required scopes too, so the new token still carries them', async () => {
    const response = await postMcp(
      scoped,
      { ...legacy, ...bearer(await issuer.token(scoped.config.resource, { scope: 'read:whoami' })) },
      callGreet,
    );
    expect(response.status).toBe(403);
    expectStepUp(scoped, response.headers.get('www-authenticate'), 'openid profile email read:whoami greet:write');
  });

  it('serves greet to a token with greet:write, in both eras', async () => {
    const token = await issuer.token(open.config.resource, { sub: 'user-7', scope: 'greet:write' });
    const { client } = await v2Client(open, token);
    try {
      expect((await client.callTool({ name: 'greet', arguments: {} })).content).toEqual([
        { type: 'text', text: 'Hello, user-7!' },
      ]);
    } finally {
      await client.close();
    }
    const response = await postMcp(open, { ...legacy, ...bearer(token) }, callGreet);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Hello, user-7!');
  });

  it('a header naming another tool than the body does not get greet served', async () => {
    const token = await issuer.token(open.config.resource, { scope: '' });
    // 2026-07-28: the SDK checks Mcp-Name against the body.
    const { client, log } = await v2Client(open, token, (headers) => {
      if (headers.get('mcp-name') === 'greet') headers.set('mcp-name', 'whoami');
    });
    try {
      await expect(client.callTool({ name: 'greet', arguments: {} })).rejects.toThrow();
      expect(log.at(-1)?.status).toBeGreaterThanOrEqual(400);
    } finally {
      await client.close();
    }
    // 2025 era: the body decides.
    const response = await postMcp(
      open,
      { ...legacy, 'Mcp-Method': 'tools/call', 'Mcp-Name': 'whoami', ...bearer(token) },
      callGreet,
    );
    expect(response.status).toBe(403);
  });
});
