import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignJWT } from 'jose';
import { loadConfig } from '../src/config.js';
import { createVerifier } from '../src/verifier.js';
import { startApp } from './helpers/app.js';
import type { TestApp } from './helpers/app.js';
import { startIssuer } from './helpers/issuer.js';
import type { TestIssuer } from './helpers/issuer.js';
import { mcpRequest, RESOURCE_PATH } from './helpers/mcp.js';

let issuer: TestIssuer;
let app: TestApp;

beforeAll(async () => {
  issuer = await startIssuer();
  app = await startApp({ LOGTO_ISSUER: issuer.issuer }, RESOURCE_PATH);
});
afterAll(async () => {
  await app?.close();
  await issuer?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A request to the MCP endpoint (test/helpers/mcp.ts, of the transport) with `token`. */
function callWith(token: string) {
  return mcpRequest(app, { Authorization: `Bearer ${token}` });
}

const invalidTokens: Record<string, () => Promise<string>> = {
  'a bad signature': async () => {
    const [header, payload] = (await issuer.token(app.config.resource)).split('.');
    const signature = (await issuer.token(app.config.resource, { sub: 'someone-else' })).split('.')[2];
    return `${header}.${payload}.${signature}`;
  },
  'alg none': async () =>
    `${base64url({ alg: 'none', typ: 'at+jwt' })}.${(await issuer.token(app.config.resource)).split('.')[1]}.`,
  'an HMAC signature': async () =>
    new SignJWT({ sub: 'user-1', iss: issuer.issuer, aud: app.config.resource, exp: now() + 3600 })
      .setProtectedHeader({ alg: 'HS256', kid: 'test-es384' })
      .sign(new TextEncoder().encode('any shared secret')),
  'an unknown kid': () => issuer.token(app.config.resource, {}, { kid: 'rotated-away' }),
  'a wrong issuer': () => issuer.token(app.config.resource, { iss: 'https://other.logto.app/oidc' }),
  'a wrong audience': () => issuer.token('http://127.0.0.1:1/other-mcp'),
  'an expired token': () => issuer.token(app.config.resource, { iat: now() - 7200, exp: now() - 3600 }),
  'a token not yet valid': () => issuer.token(app.config.resource, { nbf: now() + 3600 }),
  'no exp': () => issuer.token(app.config.resource, { exp: undefined }),
  // Bounded like Logto's tokens: issued at most 24 h ago, never in the future, living 24 h at most.
  'no iat': () => issuer.token(app.config.resource, { iat: undefined }),
  'no sub': () => issuer.token(app.config.resource, { sub: undefined }),
  'no client_id': () => issuer.token(app.config.resource, { client_id: undefined }),
  'an iat an hour in the future': () => issuer.token(app.config.resource, { iat: now() + 3600, exp: now() + 7200 }),
  'an iat over 24 hours ago': () => issuer.token(app.config.resource, { iat: now() - 86_400 - 60, exp: now() + 600 }),
  'an exp of 1e20': () => issuer.token(app.config.resource, { exp: 1e20 }),
  'a lifetime of 24 hours and a minute': () =>
    issuer.token(app.config.resource, { iat: now(), exp: now() + 86_400 + 60 }),
  // An ID token or any other JWT from the same issuer is not an access token (RFC 9068 §4).
  'a typ other than at+jwt': () => issuer.token(app.config.resource, {}, { typ: 'JWT' }),
  'other audiences besides this one': () =>
    issuer.token(app.config.resource, { aud: ['https://other.example.com/api', app.config.resource] }),
  'a malformed token': async () => 'not-a-jwt',
  'malformed segments': async () => 'eyJhbGciOiJFUzM4NCJ9.bm90IGpzb24.c2ln',
};

describe('a token with', () => {
  it.each(Object.keys(invalidTokens))('%s is refused with 401 invalid_token', async (name) => {
    const response = await callWith(await invalidTokens[name]!());
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate');
    expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]*", resource_metadata="/);
    const body = response.body;
    expect(JSON.parse(body)).toMatchObject({ error: 'invalid_token' });
    expect(body).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
  });

  it('a lifetime of 24 hours, or an iat a moment ahead of our clock, is accepted', async () => {
    expect((await callWith(await issuer.token(app.config.resource, { iat: now(), exp: now() + 86_400 }))).status).toBe(
      200,
    );
    expect((await callWith(await issuer.token(app.config.resource, { iat: now() + 3 }))).status).toBe(200);
  });

  it('a valid signature is accepted after all those, ES384 and RS256', async () => {
    expect((await callWith(await issuer.token(app.config.resource))).status).toBe(200);
    expect((await callWith(await issuer.token(app.config.resource, {}, { alg: 'RS256' }))).status).toBe(200);
  });
});

describe('createVerifier', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('remembers a verified token until it expires', async () => {
    const verifier = createVerifier(app.config);
    const token = await issuer.token(app.config.resource, { exp: now() + 60 });
    const first = await verifier.verifyAccessToken(token);
    expect(await verifier.verifyAccessToken(token)).toBe(first);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 120_000);
    await expect(verifier.verifyAccessToken(token)).rejects.toMatchObject({
      code: 'invalid_token',
      message: 'The token has expired',
    });
  });

  it('remembers a verified token for five minutes at most, even if it lives longer', async () => {
    const verifier = createVerifier(app.config);
    const token = await issuer.token(app.config.resource, { exp: now() + 3600 });
    const first = await verifier.verifyAccessToken(token);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 301_000);
    const again = await verifier.verifyAccessToken(token);
    expect(again).not.toBe(first); // verified afresh
    expect(again.extra).toEqual(first.extra);
  });

  it('tells a user from a machine: a token whose sub is its client_id is an application acting for itself', async () => {
    const verifier = createVerifier(app.config);
    const user = await verifier.verifyAccessToken(
      await issuer.token(app.config.resource, { sub: 'user-1', client_id: 'app-1' }),
    );
    const machine = await verifier.verifyAccessToken(
      await issuer.token(app.config.resource, { sub: 'app-1', client_id: 'app-1' }),
    );
    expect(user.extra).toMatchObject({ subjectType: 'user', claims: { sub: 'user-1' } });
    expect(machine.extra).toMatchObject({ subjectType: 'machine', claims: { sub: 'app-1' } });
  });

  it('verifies every time with cacheSize 0', async () => {
    const verifier = createVerifier(app.config, { cacheSize: 0 });
    const token = await issuer.token(app.config.resource);
    expect(await verifier.verifyAccessToken(token)).not.toBe(await verifier.verifyAccessToken(token));
  });

  it('answers 503, not invalid_token, to a valid token when the issuer cannot serve its keys', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failing = await startIssuer();
    const server = await startApp({ LOGTO_ISSUER: failing.issuer }, RESOURCE_PATH);
    try {
      failing.setStatus('/oidc/jwks', 500);
      const token = await failing.token(server.config.resource);
      const response = await mcpRequest(server, { Authorization: `Bearer ${token}` });
      expect(response.status).toBe(503);
    } finally {
      log.mockRestore();
      await server.close();
      await failing.close();
    }
  });

  it('waits a little before asking an issuer that failed again', async () => {
    const flaky = await startIssuer();
    try {
      flaky.setStatus('/oidc/.well-known/openid-configuration', 502);
      const verifier = createVerifier(loadConfig({ LOGTO_ISSUER: flaky.issuer, MCP_RESOURCE: app.config.resource }));
      const token = await flaky.token(app.config.resource);
      const attempts = await Promise.allSettled(Array.from({ length: 10 }, () => verifier.verifyAccessToken(token)));
      expect(attempts.every((attempt) => attempt.status === 'rejected')).toBe(true);
      await expect(verifier.verifyAccessToken(token)).rejects.toThrow(/answered 502/);
      expect(flaky.requests.filter((path) => path.endsWith('openid-configuration'))).toHaveLength(1);

      // Once the issuer is back and the pause is over, verification works again.
      flaky.setStatus('/oidc/.well-known/openid-configuration', 200);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 6000);
      await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ clientId: 'test-client' });
    } finally {
      await flaky.close();
    }
  });

  it('keeps verifying with the keys it has when the issuer is down as they come due for a refresh (10 minutes)', async () => {
    const source = await startIssuer();
    try {
      const verifier = createVerifier(loadConfig({ LOGTO_ISSUER: source.issuer, MCP_RESOURCE: app.config.resource }));
      await verifier.ready();
      const fetches = () => source.requests.filter((path) => path === '/oidc/jwks').length;
      source.setStatus('/oidc/jwks', 503);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 11 * 60_000);
      for (let i = 0; i < 3; i++)
        await expect(verifier.verifyAccessToken(await source.token(app.config.resource))).resolves.toMatchObject({
          clientId: 'test-client',
        });
      expect(fetches()).toBe(2); // the start-up fetch and one refresh attempt, not one per token
      // A token naming a key the server never had is still refused.
      await expect(
        verifier.verifyAccessToken(await source.token(app.config.resource, {}, { kid: 'unknown' })),
      ).rejects.toMatchObject({ code: 'invalid_token' });

      // Once the pause is over and the issuer is back, the keys are refreshed.
      source.setStatus('/oidc/jwks', 200);
      vi.setSystemTime(Date.now() + 6000);
      await verifier.verifyAccessToken(await source.token(app.config.resource));
      expect(fetches()).toBe(3);
    } finally {
      vi.useRealTimers();
      await source.close();
    }
  });

  it('requires the discovery document to name LOGTO_ISSUER exactly', async () => {
    const verifier = createVerifier(
      loadConfig({ LOGTO_ISSUER: `${issuer.issuer}/`, MCP_RESOURCE: app.config.resource }),
    );
    await expect(verifier.ready()).rejects.toThrow(/must be equal/);
  });

  it('answers 503 while the issuer is unreachable, and keeps serving', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const gone = await startIssuer();
    await gone.close();
    const offline = await startApp({ LOGTO_ISSUER: gone.issuer }, RESOURCE_PATH);
    try {
      const response = await mcpRequest(offline, {
        Authorization: `Bearer ${await gone.token(offline.config.resource)}`,
      });
      expect(response.status).toBe(503);
      expect((await fetch(`${offline.origin}/healthz`)).status).toBe(200);
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/Cannot reach/));
      // Something that is not a JWT at all is refused at once, without waiting for the issuer.
      const garbage = await mcpRequest(offline, { Authorization: 'Bearer garbage' });
      expect(garbage.status).toBe(401);
    } finally {
      log.mockRestore();
      await offline.close();
    }
  });
});
