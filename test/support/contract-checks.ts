/**
 * The generated server's HTTP contract (DESIGN.md §3) as real HTTP requests against a running
 * server. `describeContract(() => target)` registers one vitest test per row inside the current
 * `describe`; the target is read lazily, so it can be set up in `beforeAll`.
 *
 * Every rejection row also checks that the server is still serving afterwards (health check and
 * an authenticated MCP request both succeed) and that the error body carries no stack trace.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { connect } from 'node:net';

import * as jose from 'jose';
import { expect, it } from 'vitest';

import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import type { Transport } from '../../src/options/choices.js';

import type { LogtoLikeIssuer } from './logto-like-issuer.js';
import { assertLoopback } from './mcp-oauth-client.js';
import { listenOnLoopback } from './ports.js';

export interface ContractTarget {
  /** `http://127.0.0.1:<port>/mcp`: the MCP endpoint and the resource indicator. */
  resource: string;
  issuer: LogtoLikeIssuer;
  /** Scopes the server was configured to require (empty: any valid token). */
  requiredScopes: string[];
  /** How MCP is carried (default streamable-http); for `sse`, `resource` is the event stream's URL. */
  transport?: Transport;
}

/** `Bearer a="b", c="d"` → `{ scheme: 'bearer', params: { a: 'b', c: 'd' } }` */
export function parseWwwAuthenticate(
  header: string | null,
): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined;
  const match = /^\s*(\S+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const m of (match[2] ?? '').matchAll(re)) {
    params[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

export function prmUrlFor(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'contract-check', version: '0.0.0' } },
};

/** POST an MCP `initialize` to the endpoint with the given headers (loopback only). */
export async function postMcp(
  resource: string,
  headers: Record<string, string> = {},
  body: unknown = INITIALIZE,
): Promise<Response> {
  assertLoopback(resource);
  return fetch(resource, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * A request to the MCP endpoint, as the checks in front of the transport see it: POST `initialize` (Streamable
 * HTTP), or GET the event stream (SSE; an opened stream is closed at once and answered as an empty 200).
 */
export async function mcpRequest(
  target: Pick<ContractTarget, 'resource' | 'transport'>,
  headers: Record<string, string> = {},
): Promise<Response> {
  if (target.transport !== 'sse') return postMcp(target.resource, headers);
  assertLoopback(target.resource);
  const response = await fetch(target.resource, { headers: { accept: 'text/event-stream', ...headers } });
  if (response.status !== 200) return response;
  await response.body?.cancel();
  return new Response(null, { status: 200, headers: response.headers });
}

/** The path clients POST their messages to: the endpoint itself, or for SSE the messages endpoint next to the stream. */
export function postPath(target: Pick<ContractTarget, 'resource' | 'transport'>): string {
  return new URL(target.transport === 'sse' ? 'messages' : target.resource, target.resource).pathname;
}

/** A token the server must accept: the issuer's real key, `aud` = resource, the required scopes. */
export function validToken(target: ContractTarget, claims: jose.JWTPayload = {}): Promise<string> {
  return target.issuer.signToken({ aud: target.resource, scope: target.requiredScopes.join(' '), ...claims });
}

/** Call a tool with a static bearer token through the real v2 SDK client of the transport. */
export async function callToolWithToken(
  resource: string,
  token: string,
  name = 'whoami',
  kind: Transport = 'streamable-http',
): Promise<unknown> {
  assertLoopback(resource);
  const authProvider = { token: async () => token };
  const transport =
    kind === 'sse'
      ? new SSEClientTransport(new URL(resource), { authProvider })
      : new StreamableHTTPClientTransport(new URL(resource), { authProvider });
  const client = new Client({ name: 'contract-check', version: '0.0.0' });
  try {
    await client.connect(transport);
    return await client.callTool({ name, arguments: {} });
  } finally {
    await client.close().catch(() => undefined);
  }
}

function unsignedToken(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc(header)}.${enc(payload)}.${signature}`;
}

/** The invalid tokens of the contract table, each one wrong in exactly one way. */
export async function invalidTokens(target: ContractTarget): Promise<Array<{ name: string; token: string }>> {
  const { issuer, resource } = target;
  const now = Math.floor(Date.now() / 1000);
  const scope = target.requiredScopes.join(' ');
  const good = {
    jti: randomUUID(),
    sub: issuer.user.sub,
    client_id: issuer.clientId,
    iss: issuer.issuer,
    aud: resource,
    scope,
    iat: now,
    exp: now + 600,
  };
  const kid = issuer.publicJwk.kid!;

  // Same kid as the issuer's key, signed with another key of the same type.
  const { privateKey: otherKey } = await jose.generateKeyPair(issuer.alg);
  const badSignature = await new jose.SignJWT(good)
    .setProtectedHeader({ alg: issuer.alg, typ: 'at+jwt', kid })
    .sign(otherKey);
  const unknownKid = await new jose.SignJWT(good)
    .setProtectedHeader({ alg: issuer.alg, typ: 'at+jwt', kid: 'unknown-' + randomUUID() })
    .sign(otherKey);

  // alg confusion: HMAC keyed with the issuer's public key (as PEM and as its JWK JSON).
  const publicKey = await jose.importJWK(issuer.publicJwk, issuer.alg);
  const pem = await jose.exportSPKI(publicKey as Parameters<typeof jose.exportSPKI>[0]);
  const hs256 = await new jose.SignJWT(good)
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
    .sign(new TextEncoder().encode(pem));
  const hs256Jwk = (() => {
    const signingInput = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid })).toString('base64url')}.${Buffer.from(JSON.stringify(good)).toString('base64url')}`;
    const sig = createHmac('sha256', JSON.stringify(issuer.publicJwk)).update(signingInput).digest('base64url');
    return `${signingInput}.${sig}`;
  })();

  const real = (claims: Record<string, unknown>) => issuer.signToken({ aud: resource, scope, ...claims });

  const realToken = await real({});
  const [h, p, s] = realToken.split('.') as [string, string, string];
  const flipped = Buffer.from(s, 'base64url');
  flipped[10]! ^= 0x01;

  return [
    { name: 'bad signature (another key, same kid)', token: badSignature },
    { name: 'alg none', token: unsignedToken({ alg: 'none', typ: 'at+jwt', kid }, good) },
    {
      name: 'alg none with the real signature kept',
      token: `${unsignedToken({ alg: 'none', typ: 'at+jwt', kid }, good).slice(0, -1)}.${realToken.split('.')[2]}`,
    },
    { name: 'HS256 keyed with the public key PEM', token: hs256 },
    { name: 'HS256 keyed with the public JWK', token: hs256Jwk },
    { name: 'unknown kid', token: unknownKid },
    { name: 'wrong iss', token: await real({ iss: 'http://127.0.0.1:9/oidc' }) },
    { name: 'iss with a trailing slash', token: await real({ iss: issuer.issuer + '/' }) },
    { name: 'wrong aud (another resource)', token: await real({ aud: new URL('/other', resource).href }) },
    { name: 'aud with another host spelling', token: await real({ aud: resource.replace('127.0.0.1', 'localhost') }) },
    { name: 'no aud', token: await issuer.signToken({ scope }) },
    { name: 'aud naming another audience too', token: await real({ aud: ['https://other.example/api', resource] }) },
    { name: 'expired', token: await real({ iat: now - 7200, exp: now - 3600 }) },
    { name: 'not yet valid (nbf in the future)', token: await real({ nbf: now + 3600 }) },
    {
      name: 'not an access token (typ JWT, as an ID token)',
      token: await issuer.signToken({ aud: resource, scope }, { header: { typ: 'JWT' } }),
    },
    {
      name: 'an ID token (aud = the client, typ JWT)',
      token: await issuer.signToken(
        { aud: issuer.clientId, nonce: randomUUID(), auth_time: now },
        { header: { typ: 'JWT' } },
      ),
    },
    { name: 'flipped signature (one bit)', token: `${h}.${p}.${flipped.toString('base64url')}` },
    {
      name: 'crit names an extension the server does not know',
      token: await issuer.signToken(
        { aud: resource, scope },
        {
          header: { crit: ['urn:example:ext'], 'urn:example:ext': true },
          signOptions: { crit: { 'urn:example:ext': true } },
        },
      ),
    },
    { name: 'an opaque token (as Logto issues without a resource)', token: await opaqueToken(target) },
    { name: 'malformed: not a JWT', token: 'not-a-jwt' },
    { name: 'malformed: three garbage segments', token: 'abc.def.ghi' },
    { name: 'malformed: payload is not JSON', token: `${h}.${Buffer.from('not json').toString('base64url')}.sig` },
    {
      name: 'malformed: payload tampered',
      token: `${h}.${Buffer.from(JSON.stringify({ ...jose.decodeJwt(realToken), sub: 'someone-else' })).toString('base64url')}.${s}`,
    },
    { name: 'malformed: header only', token: `${h}` },
    { name: 'malformed: empty payload segment', token: `${h}..${s}` },
  ];
}

async function expectNoStack(response: Response): Promise<string> {
  const body = await response.text();
  expect(body).not.toMatch(/\n\s+at\s/);
  expect(body).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+/);
  return body;
}

/** The server still answers: health check and an authenticated MCP request. */
export async function expectStillServing(target: ContractTarget): Promise<void> {
  const health = await fetch(new URL('/healthz', target.resource));
  expect(health.status).toBe(200);
  await health.body?.cancel();
  const ok = await mcpRequest(target, { authorization: `Bearer ${await validToken(target)}` });
  expect(ok.status).toBe(200);
  await ok.body?.cancel();
}

function expectChallenge(response: Response, target: ContractTarget, error?: string): Record<string, string> {
  const challenge = parseWwwAuthenticate(response.headers.get('www-authenticate'));
  expect(challenge, 'WWW-Authenticate header').toBeDefined();
  expect(challenge!.scheme).toBe('bearer');
  expect(challenge!.params.resource_metadata).toBe(prmUrlFor(target.resource));
  if (error) expect(challenge!.params.error).toBe(error);
  else expect(challenge!.params.error).toBeUndefined();
  return challenge!.params;
}

/** Register the contract rows as tests in the current `describe`. */
export function describeContract(get: () => ContractTarget): void {
  it('GET /healthz answers 200 without a token', async () => {
    const response = await fetch(new URL('/healthz', get().resource));
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  for (const which of ['path-inserted', 'root'] as const) {
    it(`serves protected-resource metadata at the ${which} URL, with open CORS`, async () => {
      const target = get();
      const url =
        which === 'root'
          ? new URL('/.well-known/oauth-protected-resource', target.resource).href
          : prmUrlFor(target.resource);
      const response = await fetch(url, { headers: { origin: 'http://localhost:6274' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(response.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:6274)$/);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.resource).toBe(target.resource);
      expect(body.authorization_servers).toEqual([target.issuer.issuer]);
      expect(body.bearer_methods_supported).toEqual(['header']);
      expect(typeof body.resource_name).toBe('string');
      const scopes = body.scopes_supported as string[];
      expect(Array.isArray(scopes)).toBe(true);
      // Logto denies an authorization that requests no scope: something must be advertised.
      expect(scopes.length).toBeGreaterThan(0);
      expect(scopes).not.toContain('offline_access');
      for (const scope of target.requiredScopes) expect(scopes).toContain(scope);

      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'GET' },
      });
      expect(preflight.status).toBeLessThan(300);
      expect(preflight.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:6274)$/);
      await preflight.body?.cancel();
    });
  }

  it('an MCP request without a token: 401 with resource_metadata (and scope when scopes are required)', async () => {
    const target = get();
    const response = await mcpRequest(target);
    expect(response.status).toBe(401);
    const params = expectChallenge(response, target);
    if (target.requiredScopes.length > 0) {
      expect(params.scope?.split(' ')).toEqual(expect.arrayContaining(target.requiredScopes));
    }
    const exposed = response.headers.get('access-control-expose-headers') ?? '';
    expect(exposed.toLowerCase()).toContain('www-authenticate');
    await expectNoStack(response);
    await expectStillServing(target);
  });

  it('an MCP request with a non-Bearer Authorization: 401 with a challenge', async () => {
    const target = get();
    const response = await mcpRequest(target, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(response.status).toBe(401);
    const challenge = parseWwwAuthenticate(response.headers.get('www-authenticate'));
    expect(challenge?.scheme).toBe('bearer');
    expect(challenge?.params.resource_metadata).toBe(prmUrlFor(target.resource));
    await expectNoStack(response);
    await expectStillServing(target);
  });

  it('every invalid token of the table: 401 invalid_token, no stack trace, server keeps serving', async () => {
    const target = get();
    const tokens = await invalidTokens(target);
    const failures: string[] = [];
    for (const { name, token } of tokens) {
      const response = await mcpRequest(target, { authorization: `Bearer ${token}` });
      const challenge = parseWwwAuthenticate(response.headers.get('www-authenticate'));
      const body = await response.text();
      const problems: string[] = [];
      if (response.status !== 401) problems.push(`status ${response.status}`);
      if (challenge?.scheme !== 'bearer')
        problems.push(`WWW-Authenticate ${JSON.stringify(response.headers.get('www-authenticate'))}`);
      else {
        if (challenge.params.error !== 'invalid_token')
          problems.push(`error=${JSON.stringify(challenge.params.error)}`);
        if (challenge.params.resource_metadata !== prmUrlFor(target.resource))
          problems.push(`resource_metadata=${JSON.stringify(challenge.params.resource_metadata)}`);
      }
      if (/\n\s+at\s|node_modules/.test(body)) problems.push('stack trace in body');
      if (problems.length > 0)
        failures.push(
          `${name}: expected 401 Bearer error="invalid_token", got ${problems.join(', ')}; body ${body.slice(0, 200)}`,
        );
      await expectStillServing(target);
    }
    expect(failures).toEqual([]);
  });

  it('a token lacking a required scope: 403 insufficient_scope with scope and resource_metadata (step-up)', async () => {
    const target = get();
    if (target.requiredScopes.length === 0) {
      // No scope is required: a token with no resource scope at all is enough.
      const response = await mcpRequest(target, { authorization: `Bearer ${await validToken(target, { scope: '' })}` });
      expect(response.status).toBe(200);
      await response.body?.cancel();
      return;
    }
    for (const scope of ['', 'unrelated:scope']) {
      const response = await mcpRequest(target, { authorization: `Bearer ${await validToken(target, { scope })}` });
      expect(response.status).toBe(403);
      const params = expectChallenge(response, target, 'insufficient_scope');
      expect(params.scope?.split(' ')).toEqual(expect.arrayContaining(target.requiredScopes));
      await expectNoStack(response);
    }
    await expectStillServing(target);
  });

  it('a disallowed Origin: 403 even with a valid token', async () => {
    const target = get();
    // Only a header value: nothing is ever sent to this origin.
    const response = await mcpRequest(target, {
      origin: 'http://evil.example',
      authorization: `Bearer ${await validToken(target)}`,
    });
    expect(response.status).toBe(403);
    await expectNoStack(response);
    const sameOrigin = await mcpRequest(target, {
      origin: new URL(target.resource).origin,
      authorization: `Bearer ${await validToken(target)}`,
    });
    expect(sameOrigin.status).toBe(200);
    await sameOrigin.body?.cancel();
    await expectStillServing(target);
  });

  it('a valid token: the MCP request is served and whoami returns the caller', async () => {
    const target = get();
    const token = await validToken(target);
    const result = (await callToolWithToken(target.resource, token, 'whoami', target.transport)) as {
      isError?: boolean;
    };
    expect(result.isError).toBeFalsy();
    const identity = toolJson(result);
    expect(identity.sub).toBe(target.issuer.user.sub);
  });
}

/**
 * A machine-to-machine token for the target's resource, from the issuer's token endpoint with the
 * client-credentials grant, as a Logto M2M app gets one: no user, `sub` = `client_id`, empty `scope`.
 */
export async function machineToken(target: ContractTarget): Promise<{ token: string; clientId: string }> {
  const clientId = 'm2m-' + randomUUID().slice(0, 8);
  const clientSecret = randomBytes(24).toString('base64url');
  target.issuer.addClient({ clientId, clientSecret, type: 'machine-to-machine', redirectUris: [], thirdParty: false });
  const tokenUrl = assertLoopback(`${target.issuer.issuer}/token`);
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: target.resource }),
  });
  const body = (await response.json()) as { access_token?: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return { token: body.access_token!, clientId };
}

/** An opaque access token from the issuer's token endpoint: client credentials with no `resource`, as Logto issues one. */
async function opaqueToken(target: ContractTarget): Promise<string> {
  const clientId = 'opaque-' + randomUUID().slice(0, 8);
  const clientSecret = randomBytes(24).toString('base64url');
  target.issuer.addClient({ clientId, clientSecret, type: 'machine-to-machine', redirectUris: [], thirdParty: false });
  const response = await fetch(assertLoopback(`${target.issuer.issuer}/token`), {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as { access_token?: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  expect(body.access_token!.split('.')).toHaveLength(1); // not a JWT
  return body.access_token!;
}

/** Sends raw bytes (for requests fetch cannot make); resolves with what came back once the server closed, or after `waitMs`. */
export function rawHttp(
  resource: string,
  text: string,
  waitMs = 2000,
): Promise<{ status: number; head: string; closed: boolean; ms: number }> {
  const url = assertLoopback(resource);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
        head: received.split('\r\n\r\n')[0] ?? '',
        closed,
        ms: Date.now() - started,
      });
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => done(true));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' && received ? done(true) : reject(error),
    );
    socket.write(text);
  });
}

/**
 * Rows of the hardened contract (issue 11) that the generated server answers and the reference server
 * does not: tokens without a user, malformed HTTP, bodies announced but never sent.
 */
export function describeHardening(get: () => ContractTarget): void {
  const request = (target: ContractTarget, lines: string[], body = '') => {
    const { host } = new URL(target.resource);
    return [lines[0], `Host: ${host}`, ...lines.slice(1), '', body].join('\r\n');
  };

  it('a machine-to-machine token (client credentials, no user): 401 insufficient_user_authentication', async () => {
    const target = get();
    const { token, clientId } = await machineToken(target);
    const claims = jose.decodeJwt(token);
    expect(claims.sub).toBe(clientId);
    expect(claims.client_id).toBe(clientId);
    const response = await mcpRequest(target, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    const params = expectChallenge(response, target, 'insufficient_user_authentication');
    expect(params.error_description).toBeTruthy();
    await expectNoStack(response);
    await expectStillServing(target);
  });

  it('whoami tells a user: subjectType user', async () => {
    const target = get();
    const identity = toolJson(
      await callToolWithToken(target.resource, await validToken(target), 'whoami', target.transport),
    );
    expect(identity).toMatchObject({ subjectType: 'user', sub: target.issuer.user.sub });
  });

  it('two Host headers: 400', async () => {
    const target = get();
    const response = await rawHttp(
      target.resource,
      request(target, ['GET /healthz HTTP/1.1', 'Host: rebound.invalid', 'Connection: close']),
    );
    expect(response.status).toBe(400);
    await expectStillServing(target);
  });

  it('an absolute-form target naming another host: refused; TRACE: 405 with Allow', async () => {
    const target = get();
    const { pathname } = new URL(target.resource);
    const token = await validToken(target);
    const method = target.transport === 'sse' ? 'GET' : 'POST'; // the stream is opened with GET
    const absolute = await rawHttp(
      target.resource,
      request(
        target,
        [
          `${method} http://rebound.invalid${pathname} HTTP/1.1`,
          `Authorization: Bearer ${token}`,
          'Content-Type: application/json',
          'Content-Length: 2',
          'Connection: close',
        ],
        '{}',
      ),
    );
    expect([400, 403]).toContain(absolute.status);
    const trace = await rawHttp(
      target.resource,
      request(target, [`TRACE ${pathname} HTTP/1.1`, `Authorization: Bearer ${token}`, 'Connection: close']),
    );
    expect(trace.status).toBe(405);
    expect(trace.head).toMatch(target.transport === 'sse' ? /^Allow: GET, OPTIONS/im : /^Allow: .*POST/im);
    await expectStillServing(target);
  });

  it('a body announced as 1 GB, barely sent: answered at once, and the connection closed', async () => {
    const target = get();
    const pathname = postPath(target);
    for (const auth of [[], [`Authorization: Bearer ${await validToken(target)}`]]) {
      const response = await rawHttp(
        target.resource,
        request(
          target,
          [`POST ${pathname} HTTP/1.1`, ...auth, 'Content-Type: application/json', `Content-Length: ${1024 ** 3}`],
          '{"jsonrpc":',
        ),
      );
      expect(response.status).toBe(auth.length ? 413 : 401);
      expect(response.closed).toBe(true);
      expect(response.ms).toBeLessThan(2000);
    }
    await expectStillServing(target);
  });
}

/** The JSON a tool returned (structured content, else the first text block parsed). */
export function toolJson(result: unknown): Record<string, unknown> {
  const r = result as { structuredContent?: Record<string, unknown>; content?: Array<{ type: string; text?: string }> };
  if (r.structuredContent) return r.structuredContent;
  const text = r.content?.find((c) => c.type === 'text')?.text ?? '';
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Sends a request of any size in 64 KiB chunks, stopping as soon as the server answers or closes (a server refusing
 * oversized headers answers and closes early: writing on would only earn a reset that can drop its answer).
 */
function sendLarge(resource: string, text: string, waitMs = 10_000): Promise<{ status: number; closed: boolean }> {
  const url = assertLoopback(resource);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    let finished = false;
    const done = (closed: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), closed });
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => done(true));
    socket.on('error', () => done(true));
    let offset = 0;
    const writeNext = () => {
      if (finished || received || offset >= text.length) return;
      const chunk = text.slice(offset, (offset += 65536));
      socket.write(chunk, (error) => (error ? done(true) : writeNext()));
    };
    socket.once('connect', writeNext);
  });
}

/** A loopback server that records every request it gets: where forged `jku`/`x5u` headers point. */
async function startTrap(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  const origin = await listenOnLoopback(server);
  return { url: origin, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The SSE event stream opened with `token`: the messages URL its first event names, and a way to drop it. */
export async function openSseSession(resource: string, token: string): Promise<{ messages: string; close(): void }> {
  assertLoopback(resource);
  const controller = new AbortController();
  const response = await fetch(resource, {
    headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  // Lines end in LF or CRLF (the SSE format allows both; the Python SDK's server sends CRLF).
  while (!/^event: endpoint\r?\ndata: [^\r\n]+[\r\n]/m.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before naming its messages endpoint: ${text}`);
    text += value;
  }
  const endpoint = /^event: endpoint\r?\ndata: ([^\r\n]+)/m.exec(text)![1]!;
  return { messages: new URL(endpoint, resource).href, close: () => controller.abort() };
}

const whoamiCall = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
const postJson = (url: string, token: string) =>
  fetch(assertLoopback(url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(whoamiCall),
  });

/**
 * Hostile requests beyond the contract table (issue 10): credentials in the wrong place or twice, keys the token
 * points at itself, oversized tokens and headers, and (SSE) sessions that are not the caller's.
 */
export function describeAttacks(get: () => ContractTarget, transport: Transport): void {
  it('no token, an empty one, or another scheme: 401 with a challenge naming no error, no stack trace', async () => {
    const target = get();
    for (const authorization of [
      '',
      'Bearer',
      'Bearer ',
      'Bearer    ',
      'bearer',
      'Token abc',
      'Bearer a b',
      'Basic dXNlcjpwYXNz',
      'DPoP abc',
    ]) {
      const response = await mcpRequest(target, { authorization });
      expect(response.status, JSON.stringify(authorization)).toBe(401);
      const params = expectChallenge(response, target);
      expect(params.scope).toBeTruthy();
      await expectNoStack(response);
    }
    await expectStillServing(target);
  });

  it('two Authorization headers: 400 invalid_request, whichever one is valid', async () => {
    const target = get();
    const { host, pathname } = new URL(target.resource);
    const valid = `Bearer ${await validToken(target)}`;
    const method = target.transport === 'sse' ? 'GET' : 'POST';
    for (const pair of [
      [valid, 'Bearer forged'],
      ['Bearer forged', valid],
      [valid, valid],
    ]) {
      const head = [
        `${method} ${pathname} HTTP/1.1`,
        `Host: ${host}`,
        ...pair.map((value) => `Authorization: ${value}`),
        'Accept: application/json, text/event-stream',
        'Content-Type: application/json',
        `Content-Length: ${JSON.stringify(INITIALIZE).length}`,
        'Connection: close',
      ];
      const response = await rawHttp(target.resource, [...head, '', JSON.stringify(INITIALIZE)].join('\r\n'));
      expect(response.status).toBe(400);
      expect(response.head).toMatch(/^WWW-Authenticate: Bearer error="invalid_request"/im);
    }
    await expectStillServing(target);
  });

  it('a valid token in the query string (access_token) instead of the header: 401, as if none was sent', async () => {
    const target = get();
    const url = new URL(target.resource);
    url.searchParams.set('access_token', await validToken(target));
    const response = await mcpRequest({ ...target, resource: url.href });
    expect(response.status).toBe(401);
    expectChallenge(response, target);
    await expectNoStack(response);
    await expectStillServing(target);
  });

  it('a token carrying its own key (embedded jwk) or pointing at one (jku, x5u): 401 invalid_token, and nothing is fetched', async () => {
    const target = get();
    const trap = await startTrap();
    try {
      const { privateKey, publicKey } = await jose.generateKeyPair(target.issuer.alg);
      const attackerJwk = { ...(await jose.exportJWK(publicKey)), kid: target.issuer.publicJwk.kid };
      const claims = {
        sub: target.issuer.user.sub,
        client_id: target.issuer.clientId,
        iss: target.issuer.issuer,
        aud: target.resource,
        scope: target.requiredScopes.join(' '),
      };
      const forge = (header: Record<string, unknown>) =>
        new jose.SignJWT(claims)
          .setProtectedHeader({ alg: target.issuer.alg, typ: 'at+jwt', ...header })
          .setIssuedAt()
          .setExpirationTime('10m')
          .setJti(randomUUID())
          .sign(privateKey);
      const forged = {
        'embedded jwk, the issuer kid': await forge({ jwk: attackerJwk, kid: attackerJwk.kid }),
        'embedded jwk, no kid': await forge({ jwk: attackerJwk }),
        'jku to an attacker JWKS, the issuer kid': await forge({ jku: `${trap.url}/jwks`, kid: attackerJwk.kid }),
        'jku, a new kid': await forge({ jku: `${trap.url}/jwks`, kid: randomUUID() }),
        'x5u to an attacker certificate': await forge({ x5u: `${trap.url}/cert.pem`, kid: randomUUID() }),
      };
      const failures: string[] = [];
      for (const [name, token] of Object.entries(forged)) {
        const response = await mcpRequest(target, { authorization: `Bearer ${token}` });
        const error = parseWwwAuthenticate(response.headers.get('www-authenticate'))?.params.error;
        if (response.status !== 401 || error !== 'invalid_token')
          failures.push(`${name}: ${response.status} error=${error}`);
        await expectNoStack(response);
      }
      expect(failures).toEqual([]);
      expect(trap.hits).toEqual([]);
      await expectStillServing(target);
    } finally {
      await trap.close();
    }
  });

  for (const size of [1, 10]) {
    it(`a ${size} MB token, and ${size} MB of other headers: 431 and the connection closed, the server still serving`, async () => {
      const target = get();
      const { host, pathname } = new URL(target.resource);
      const filler = 'a'.repeat(size * 1024 * 1024);
      for (const header of [`Authorization: Bearer ${filler}`, `X-Filler: ${filler}`]) {
        const request = [`GET ${pathname} HTTP/1.1`, `Host: ${host}`, header, '', ''].join('\r\n');
        const response = await sendLarge(target.resource, request);
        expect(response.closed).toBe(true);
        // Node answers 431 past 16 KiB and closes; the bytes still arriving then reset the connection, which can
        // drop that answer before the client reads it (status 0). Either way the request was refused, not served.
        expect([431, 0]).toContain(response.status);
      }
      await expectStillServing(target);
    });
  }

  if (transport !== 'sse') return;
  it("posting to another user's session, a guessed one or a closed one: 404, nothing else", async () => {
    const target = get();
    const owner = await validToken(target);
    const session = await openSseSession(target.resource, owner);
    try {
      const intruder = await validToken(target, { sub: 'intruder-' + randomUUID().slice(0, 8) });
      const theirs = await postJson(session.messages, intruder);
      expect(theirs.status).toBe(404);
      expect(await expectNoStack(theirs)).not.toContain(target.issuer.user.sub);
      const guessed = new URL(session.messages);
      // The session's one query parameter (`sessionId`, or the Python SDK's `session_id`), guessed.
      for (const [name] of [...guessed.searchParams]) guessed.searchParams.set(name, randomUUID());
      expect((await postJson(guessed.href, owner)).status).toBe(404);
      // The owner's own post is accepted, so the refusals above are about the session, not the request.
      expect((await postJson(session.messages, owner)).status).toBe(202);
    } finally {
      session.close();
    }
    // Closed: refused once the server has seen the stream end (never the SDK's 500 for a dead stream).
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 50 && statuses.at(-1) !== 404; attempt++) {
      const response = await postJson(session.messages, owner);
      await response.body?.cancel();
      statuses.push(response.status);
      if (response.status !== 404) await new Promise((r) => setTimeout(r, 100));
    }
    expect(statuses.at(-1)).toBe(404);
    expect(statuses.filter((status) => status !== 202 && status !== 404)).toEqual([]);
    await expectStillServing(target);
  });
}
