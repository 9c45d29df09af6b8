// The server's contract, over real HTTP, against a local issuer: no Logto tenant or network needed. Transport-neutral:
// what is particular to the transport is in test/streamable-http.test.ts or test/sse.test.ts, and test/helpers/mcp.ts says how to reach it.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../src/http.js';
import { startApp } from './helpers/app.js';
import type { TestApp } from './helpers/app.js';
import { hostOf, rawRequest } from './helpers/raw-http.js';
import { startIssuer } from './helpers/issuer.js';
import type { TestIssuer } from './helpers/issuer.js';
import { connectClient, mcpRequest, RESOURCE_PATH } from './helpers/mcp.js';

let issuer: TestIssuer;
let open: TestApp; // no required scope
let scoped: TestApp; // MCP_REQUIRED_SCOPES=read:whoami

beforeAll(async () => {
  issuer = await startIssuer();
  open = await startApp({ LOGTO_ISSUER: issuer.issuer }, RESOURCE_PATH);
  scoped = await startApp({ LOGTO_ISSUER: issuer.issuer, MCP_REQUIRED_SCOPES: 'read:whoami' }, RESOURCE_PATH);
});
afterAll(async () => {
  await Promise.all([open?.close(), scoped?.close()]);
  await issuer?.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const metadataPath = `/.well-known/oauth-protected-resource${RESOURCE_PATH}`;

describe('protected-resource metadata', () => {
  it.each([metadataPath, '/.well-known/oauth-protected-resource'])(
    'is served at %s, readable from any origin',
    async (path) => {
      const response = await fetch(open.origin + path, { headers: { Origin: 'https://elsewhere.example' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toEqual({
        resource: open.config.resource,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['openid', 'profile', 'email', 'greet:write'],
        bearer_methods_supported: ['header'],
        resource_name: open.config.name,
      });
    },
  );

  it('answers a CORS preflight', async () => {
    const response = await fetch(open.origin + metadataPath, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://elsewhere.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'mcp-protocol-version',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toBe('mcp-protocol-version');
  });

  it("advertises the required scopes and every tool's (tool-scopes.json), never offline_access", async () => {
    const metadata = (await (await fetch(scoped.origin + metadataPath)).json()) as { scopes_supported: string[] };
    expect(metadata.scopes_supported).toEqual(['openid', 'profile', 'email', 'read:whoami', 'greet:write']);
  });
});

describe('the MCP endpoint', () => {
  it('answers 401 with the metadata URL and the sign-in scopes (no tool scope) when there is no token', async () => {
    const response = await mcpRequest(open, { Origin: 'http://localhost:6274' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${open.origin}${metadataPath}", scope="openid profile email"`,
    );
    expect(response.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
  });

  it('names the scopes to request in the 401 when scopes are required', async () => {
    const response = await mcpRequest(scoped);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${scoped.origin}${metadataPath}", scope="openid profile email read:whoami"`,
    );
  });

  it('answers 403 insufficient_scope to a valid token without the required scope', async () => {
    const response = await mcpRequest(scoped, bearer(await issuer.token(scoped.config.resource, { scope: 'other' })));
    expect(response.status).toBe(403);
    const challenge = response.headers.get('www-authenticate');
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="openid profile email read:whoami"');
    expect(challenge).toContain(`resource_metadata="${scoped.origin}${metadataPath}"`);
  });

  it('serves MCP to a valid token', async () => {
    const response = await mcpRequest(
      scoped,
      bearer(await issuer.token(scoped.config.resource, { scope: 'read:whoami' })),
    );
    expect(response.status).toBe(200);
  });

  it('refuses a foreign Origin with 403, even with a valid token', async () => {
    const response = await mcpRequest(open, {
      Origin: 'https://evil.example',
      ...bearer(await issuer.token(open.config.resource)),
    });
    expect(response.status).toBe(403);
  });

  it('allows loopback origins with CORS', async () => {
    const response = await mcpRequest(open, {
      Origin: 'http://localhost:6274',
      ...bearer(await issuer.token(open.config.resource)),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
  });

  it('refuses a foreign Host header with 403 (DNS rebinding)', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const url = new URL(open.config.resource);
      request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { Host: 'rebound.example' } },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });
});

describe('whoami', () => {
  it('returns the verified claims through the official MCP client', async () => {
    const token = await issuer.token(scoped.config.resource, { sub: 'user-42', scope: 'read:whoami' });
    const client = await connectClient(scoped, token);
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      expect(result.structuredContent).toMatchObject({
        subjectType: 'user',
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

  const callWhoami = async (claims: Record<string, unknown>) => {
    const client = await connectClient(open, await issuer.token(open.config.resource, { sub: 'user-7', ...claims }));
    try {
      return (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as Record<string, unknown>;
    } finally {
      await client.close();
    }
  };

  it('returns the profile claims a custom claims script put into the token, and no note', async () => {
    const identity = await callWhoami({ username: 'ada', name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(identity).toMatchObject({
      subjectType: 'user',
      sub: 'user-7',
      username: 'ada',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    expect(identity).not.toHaveProperty('missingProfileClaims');
    expect(identity).not.toHaveProperty('note');
  });

  it('names the profile claims the token lacks (absent or empty), and says why', async () => {
    const identity = await callWhoami({ username: 'ada', name: '' });
    expect(identity).toMatchObject({ username: 'ada', missingProfileClaims: ['name', 'email'] });
    expect(identity.note).toMatch(/custom claims script/);
  });
});

it('GET /healthz answers 200 without a token', async () => {
  expect((await fetch(`${open.origin}/healthz`)).status).toBe(200);
});

describe('tokens issued to an application (client credentials: sub = client_id, no user)', () => {
  const machineToken = (app: TestApp) => issuer.token(app.config.resource, { sub: 'm2m-app', client_id: 'm2m-app' });

  it('are refused by default with 401 insufficient_user_authentication (RFC 9470)', async () => {
    for (const app of [open, scoped]) {
      const response = await mcpRequest(
        app,
        bearer(await issuer.token(app.config.resource, { sub: 'm2m-app', client_id: 'm2m-app', scope: 'read:whoami' })),
      );
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(
        new RegExp(
          `^Bearer error="insufficient_user_authentication", error_description="[^"]+", resource_metadata="${app.origin}/\\.well-known/oauth-protected-resource${RESOURCE_PATH}"`,
        ),
      );
      expect(JSON.parse(response.body)).toMatchObject({ error: 'insufficient_user_authentication' });
    }
  });

  it('are accepted with MCP_ALLOW_MACHINE_TOKENS=true, and whoami says subjectType machine', async () => {
    const app = await startApp({ LOGTO_ISSUER: issuer.issuer, MCP_ALLOW_MACHINE_TOKENS: 'true' }, RESOURCE_PATH);
    try {
      const client = await connectClient(app, await machineToken(app));
      try {
        const result = await client.callTool({ name: 'whoami', arguments: {} });
        expect(result.structuredContent).toMatchObject({
          subjectType: 'machine',
          sub: 'm2m-app',
          client_id: 'm2m-app',
        });
        // An application has no profile: nothing is reported missing.
        expect(result.structuredContent).not.toHaveProperty('missingProfileClaims');
      } finally {
        await client.close();
      }
      // User tokens still work, and say so.
      expect((await mcpRequest(app, bearer(await issuer.token(app.config.resource)))).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('HTTP requests the server must not trust (raw sockets)', () => {
  it('answers 400 to two Host headers, whichever comes first', async () => {
    const token = await issuer.token(open.config.resource);
    for (const hosts of [
      [hostOf(open), 'rebound.example'],
      ['rebound.example', hostOf(open)],
      [hostOf(open), hostOf(open)],
    ]) {
      const head = [
        `GET ${RESOURCE_PATH} HTTP/1.1`,
        ...hosts.map((host) => `Host: ${host}`),
        `Authorization: Bearer ${token}`,
        'Connection: close',
        '',
      ].join('\n');
      expect((await rawRequest(open, head)).status).toBe(400);
    }
  });

  it('answers 400 to a missing or invalid Host header', async () => {
    expect((await rawRequest(open, 'GET /healthz HTTP/1.1\nConnection: close\n')).status).toBe(400);
    expect((await rawRequest(open, 'GET /healthz HTTP/1.1\nHost: a b\nConnection: close\n')).status).toBe(400);
    expect((await rawRequest(open, 'GET /healthz HTTP/1.1\nHost: user@127.0.0.1\nConnection: close\n')).status).toBe(
      400,
    );
  });

  it('takes the host of an absolute-form target (RFC 9112 §3.2.2): a foreign one is refused', async () => {
    const token = await issuer.token(open.config.resource);
    const head = [
      `GET http://rebound.invalid${RESOURCE_PATH} HTTP/1.1`,
      `Host: ${hostOf(open)}`,
      `Authorization: Bearer ${token}`,
      'Connection: close',
      '',
    ].join('\n');
    expect((await rawRequest(open, head)).status).toBe(403);
    expect(
      (
        await rawRequest(
          open,
          [`GET ftp://x${RESOURCE_PATH} HTTP/1.1`, `Host: ${hostOf(open)}`, 'Connection: close', ''].join('\n'),
        )
      ).status,
    ).toBe(400);
  });

  it('takes the asterisk-form target (*) only with OPTIONS (RFC 9112 §3.2.4)', async () => {
    const asterisk = (method: string) =>
      rawRequest(open, [`${method} * HTTP/1.1`, `Host: ${hostOf(open)}`, 'Connection: close', ''].join('\n'));
    expect((await asterisk('GET')).status).toBe(400);
    expect((await asterisk('POST')).status).toBe(400);
    expect((await asterisk('OPTIONS')).status).not.toBe(400);
  });

  it('answers TRACE with 405 and Allow, with or without a token', async () => {
    const token = await issuer.token(open.config.resource);
    for (const auth of [[], [`Authorization: Bearer ${token}`]]) {
      const response = await rawRequest(
        open,
        [`TRACE ${RESOURCE_PATH} HTTP/1.1`, `Host: ${hostOf(open)}`, ...auth, 'Connection: close', ''].join('\n'),
      );
      expect(response.status).toBe(405);
      expect(response.headers).toMatch(/^Allow: GET, .*OPTIONS$/im);
    }
  });

  it('answers 404 to an unknown path at once, without reading the body', async () => {
    const head = [`POST /elsewhere HTTP/1.1`, `Host: ${hostOf(open)}`, `Content-Length: ${1024 ** 3}`, ''].join('\n');
    const response = await rawRequest(open, head, { body: 'x' });
    expect(response.status).toBe(404);
    expect(response.closed).toBe(true);
  });

  it('answers 431 to headers over 16 KiB', async () => {
    const response = await rawRequest(
      open,
      `GET /healthz HTTP/1.1\nHost: ${hostOf(open)}\nX-Filler: ${'x'.repeat(17 * 1024)}\n`,
    );
    expect(response.status).toBe(431);
  });

  it('closes connections whose headers or body arrive too slowly', async () => {
    const slow = await startApp({ LOGTO_ISSUER: issuer.issuer }, RESOURCE_PATH, {
      headersTimeout: 300,
      requestTimeout: 600,
      connectionsCheckingInterval: 50,
    });
    try {
      const headers = await rawRequest(slow, `GET /healthz HTTP/1.1\nHost: ${hostOf(slow)}`, { waitMs: 3000 }); // the headers never end
      expect(headers.closed).toBe(true);
      expect(headers.ms).toBeLessThan(2000);
      const body = await rawRequest(
        slow,
        `POST /elsewhere/nothing HTTP/1.1\nHost: ${hostOf(slow)}\nContent-Length: 10\n`,
        { body: 'x', waitMs: 3000 },
      );
      expect(body.closed).toBe(true);
      expect(body.ms).toBeLessThan(2000);
    } finally {
      await slow.close();
    }
  });

  it('has these limits by default', () => {
    const server = createHttpServer();
    expect(server).toMatchObject({
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
      maxConnections: 1000,
    });
  });
});

describe('per-tool scopes (tool-scopes.json): greet needs greet:write, whoami nothing more', () => {
  it('every tool the server has is listed in tool-scopes.json, and every listed tool exists', async () => {
    const client = await connectClient(open, await issuer.token(open.config.resource));
    try {
      const { tools } = await client.listTools();
      expect(tools.map(({ name }) => name).sort()).toEqual(Object.keys(open.config.toolScopes).sort());
    } finally {
      await client.close();
    }
  });

  it('a token without greet:write calls whoami, not greet; a token with it calls greet', async () => {
    const without = await connectClient(open, await issuer.token(open.config.resource, { scope: '' }));
    try {
      expect((await without.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy();
      await expect(without.callTool({ name: 'greet', arguments: {} })).rejects.toThrow(
        /403|insufficient_scope|greet:write/,
      );
    } finally {
      await without.close();
    }
    const granted = await connectClient(
      open,
      await issuer.token(open.config.resource, { sub: 'user-7', scope: 'greet:write' }),
    );
    try {
      expect((await granted.callTool({ name: 'greet', arguments: {} })).content).toEqual([
        { type: 'text', text: 'Hello, user-7!' },
      ]);
    } finally {
      await granted.close();
    }
  });
});
