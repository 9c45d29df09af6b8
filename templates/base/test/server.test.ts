// The server's contract, over real HTTP, against a local issuer: no Logto tenant or network needed.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { startApp } from './helpers/app.js';
import type { TestApp } from './helpers/app.js';
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

describe('protected-resource metadata', () => {
  it.each(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'])('is served at %s, readable from any origin', async (path) => {
    const response = await fetch(open.origin + path, { headers: { Origin: 'https://elsewhere.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toEqual({
      resource: open.config.resource,
      authorization_servers: [issuer.issuer],
      scopes_supported: ['openid', 'profile', 'email'],
      bearer_methods_supported: ['header'],
      resource_name: open.config.name,
    });
  });

  it('answers a CORS preflight', async () => {
    const response = await fetch(`${open.origin}/.well-known/oauth-protected-resource/mcp`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'mcp-protocol-version' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toBe('mcp-protocol-version');
  });

  it('advertises the required scopes, never offline_access', async () => {
    const metadata = (await (await fetch(`${scoped.origin}/.well-known/oauth-protected-resource/mcp`)).json()) as { scopes_supported: string[] };
    expect(metadata.scopes_supported).toEqual(['openid', 'profile', 'email', 'read:whoami']);
  });
});

describe('POST /mcp', () => {
  it('answers 401 with the metadata URL when there is no token', async () => {
    const response = await postMcp(open, { Origin: 'http://localhost:6274' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${open.origin}/.well-known/oauth-protected-resource/mcp"`);
    expect(response.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
  });

  it('names the scopes to request in the 401 when scopes are required', async () => {
    const response = await postMcp(scoped);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${scoped.origin}/.well-known/oauth-protected-resource/mcp", scope="openid profile email read:whoami"`,
    );
  });

  it('answers 403 insufficient_scope to a valid token without the required scope', async () => {
    const response = await postMcp(scoped, bearer(await issuer.token(scoped.config.resource, { scope: 'other' })));
    expect(response.status).toBe(403);
    const challenge = response.headers.get('www-authenticate');
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="openid profile email read:whoami"');
    expect(challenge).toContain(`resource_metadata="${scoped.origin}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('serves MCP to a valid token', async () => {
    const response = await postMcp(scoped, bearer(await issuer.token(scoped.config.resource, { scope: 'read:whoami' })));
    expect(response.status).toBe(200);
  });

  it('refuses a foreign Origin with 403, even with a valid token', async () => {
    const response = await postMcp(open, { Origin: 'https://evil.example', ...bearer(await issuer.token(open.config.resource)) });
    expect(response.status).toBe(403);
  });

  it('allows loopback origins with CORS', async () => {
    const response = await postMcp(open, { Origin: 'http://localhost:6274', ...bearer(await issuer.token(open.config.resource)) });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
  });

  it('refuses a foreign Host header with 403 (DNS rebinding)', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const url = new URL(open.config.resource);
      request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { Host: 'rebound.example' } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });

  it.each(['GET', 'DELETE'])('answers %s with 405 (stateless server)', async (method) => {
    const response = await fetch(open.config.resource, { method, headers: bearer(await issuer.token(open.config.resource)) });
    expect(response.status).toBe(405);
  });
});

describe('whoami', () => {
  it('returns the verified claims through the official MCP client', async () => {
    const token = await issuer.token(scoped.config.resource, { sub: 'user-42', scope: 'read:whoami' });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(scoped.config.resource), { requestInit: { headers: bearer(token) } }));
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      expect(result.structuredContent).toMatchObject({
        sub: 'user-42',
        client_id: 'test-client',
        scope: 'read:whoami',
        iss: issuer.issuer,
        aud: scoped.config.resource,
      });
      expect(result.content).toEqual([{ type: 'text', text: JSON.stringify(result.structuredContent, null, 2) }]);
    } finally {
      await client.close();
    }
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

it('GET /healthz answers 200 without a token', async () => {
  expect((await fetch(`${open.origin}/healthz`)).status).toBe(200);
});
