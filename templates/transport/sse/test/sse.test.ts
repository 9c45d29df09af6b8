// What is particular to the HTTP+SSE transport (src/sse.ts): both SDKs' SSE clients, the sessions (each belongs to
// the token that opened it; bounded in number and idle time), the messages endpoint's limits and the per-tool step-up.
// The transport-neutral contract is in test/server.test.ts.
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client, SSEClientTransport } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as SSEClientTransportV1 } from '@modelcontextprotocol/sdk/client/sse.js';
import { SESSION_LIMITS } from '../src/sse.js';
import { startApp } from './helpers/app.js';
import { RESOURCE_PATH } from './helpers/mcp.js';
import { sseUrl } from './helpers/sse.js';
import type { TestApp } from './helpers/app.js';
import { startIssuer } from './helpers/issuer.js';
import type { TestIssuer } from './helpers/issuer.js';

let issuer: TestIssuer;
let app: TestApp;
const limits = { ...SESSION_LIMITS };

beforeAll(async () => {
  issuer = await startIssuer();
  app = await startApp({ LOGTO_ISSUER: issuer.issuer }, RESOURCE_PATH);
});
afterAll(async () => {
  await app?.close();
  await issuer?.close();
});
afterEach(() => Object.assign(SESSION_LIMITS, limits));

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
/** Where messages are posted: next to the stream (`/sse` -> `/messages`). */
const messagesPath = (target: TestApp) => new URL('messages', sseUrl(target)).pathname;
const callWhoami = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } };
const callGreet = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'greet', arguments: {} } };

/** Opens the event stream with `token`; resolves with the messages URL its first event names, the events so far and a way to close it. */
async function openSession(target: TestApp, token: string) {
  const controller = new AbortController();
  const response = await fetch(sseUrl(target), {
    headers: { Accept: 'text/event-stream', ...bearer(token) },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const events: string[] = [];
  const read = async (until: (text: string) => boolean) => {
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) return false;
      text += value;
    }
    return true;
  };
  await read((t) => t.includes('\n\n'));
  const endpoint = /^event: endpoint\ndata: (.+)$/m.exec(text)![1]!;
  return {
    messages: new URL(endpoint, sseUrl(target)).href,
    events,
    /** Resolves once the stream carries `needle`, or false when it ends first. */
    waitFor: (needle: string) => read((t) => t.includes(needle)),
    ended: () =>
      read(() => false).then(
        () => true,
        () => true,
      ),
    close: () => controller.abort(),
  };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('SDK SSE clients', () => {
  it('v2 (@modelcontextprotocol/client) calls whoami', async () => {
    const token = await issuer.token(app.config.resource, { sub: 'user-1' });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new SSEClientTransport(new URL(sseUrl(app)), { authProvider: { token: async () => token } }));
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      expect(result.structuredContent).toMatchObject({ subjectType: 'user', sub: 'user-1', aud: app.config.resource });
    } finally {
      await client.close();
    }
  });

  it('v1 (@modelcontextprotocol/sdk) calls whoami and greet', async () => {
    const token = await issuer.token(app.config.resource, { sub: 'user-2', scope: 'greet:write' });
    const withToken: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), ...bearer(token) } });
    const client = new ClientV1({ name: 'test', version: '1.0.0' });
    await client.connect(
      new SSEClientTransportV1(new URL(sseUrl(app)), { fetch: withToken, eventSourceInit: { fetch: withToken } }),
    );
    try {
      expect((await client.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({
        sub: 'user-2',
      });
      expect((await client.callTool({ name: 'greet', arguments: {} })).content).toEqual([
        { type: 'text', text: 'Hello, user-2!' },
      ]);
    } finally {
      await client.close();
    }
  });
});

describe('sessions', () => {
  it('serves the token that opened the session: 202, and the answer on the stream', async () => {
    const token = await issuer.token(app.config.resource, { sub: 'owner' });
    const session = await openSession(app, token);
    try {
      expect(new URL(session.messages).pathname).toBe(messagesPath(app));
      expect((await post(session.messages, { jsonrpc: '2.0', id: 1, method: 'ping' }, bearer(token))).status).toBe(202);
      expect(await session.waitFor('"result":{}')).toBe(true);
    } finally {
      session.close();
    }
  });

  it("refuses another user's token, another client's token and no token, with nothing on the stream", async () => {
    const session = await openSession(app, await issuer.token(app.config.resource, { sub: 'owner' }));
    try {
      const otherUser = await post(
        session.messages,
        callWhoami,
        bearer(await issuer.token(app.config.resource, { sub: 'intruder' })),
      );
      expect(otherUser.status).toBe(404);
      expect(await otherUser.text()).not.toContain('owner');
      const otherClient = await post(
        session.messages,
        callWhoami,
        bearer(await issuer.token(app.config.resource, { sub: 'owner', client_id: 'other-client' })),
      );
      expect(otherClient.status).toBe(404);
      const none = await post(session.messages, callWhoami);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain(
        `resource_metadata="${app.origin}/.well-known/oauth-protected-resource${RESOURCE_PATH}"`,
      );
    } finally {
      session.close();
    }
  });

  it('refuses a guessed or missing sessionId with 404', async () => {
    const token = await issuer.token(app.config.resource);
    expect(
      (await post(`${app.origin}${messagesPath(app)}?sessionId=${crypto.randomUUID()}`, callWhoami, bearer(token)))
        .status,
    ).toBe(404);
    expect((await post(`${app.origin}${messagesPath(app)}`, callWhoami, bearer(token))).status).toBe(404);
  });

  it("frees a closed stream's session at once: posting to it is 404 (not the SDK's 500)", async () => {
    const token = await issuer.token(app.config.resource);
    const session = await openSession(app, token);
    session.close();
    await expect.poll(async () => (await post(session.messages, callWhoami, bearer(token))).status).toBe(404);
  });

  it('answers 503 beyond SESSION_LIMITS.maxSessions open streams', async () => {
    SESSION_LIMITS.maxSessions = 2;
    const small = await startApp({ LOGTO_ISSUER: issuer.issuer }, RESOURCE_PATH);
    try {
      const token = await issuer.token(small.config.resource);
      const sessions = [await openSession(small, token), await openSession(small, token)];
      const refused = await fetch(sseUrl(small), { headers: bearer(token) });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBeTruthy();
      sessions[0]!.close();
      await expect
        .poll(async () => {
          const response = await fetch(sseUrl(small), { headers: bearer(token) });
          await response.body?.cancel();
          return response.status;
        })
        .toBe(200);
      sessions[1]!.close();
    } finally {
      await small.close();
    }
  });

  it('closes a stream idle for SESSION_LIMITS.idleMs, and forgets its session', async () => {
    SESSION_LIMITS.idleMs = 300;
    const quick = await startApp({ LOGTO_ISSUER: issuer.issuer }, RESOURCE_PATH);
    try {
      const token = await issuer.token(quick.config.resource);
      const session = await openSession(quick, token);
      expect(await session.ended()).toBe(true);
      expect((await post(session.messages, callWhoami, bearer(token))).status).toBe(404);
    } finally {
      await quick.close();
    }
  });
});

describe('per-tool scopes: greet needs greet:write', () => {
  it('a post calling greet without it gets the 403 step-up challenge, and nothing runs', async () => {
    const token = await issuer.token(app.config.resource, { scope: '' });
    const session = await openSession(app, token);
    try {
      const response = await post(session.messages, callGreet, bearer(token));
      expect(response.status).toBe(403);
      const challenge = response.headers.get('www-authenticate');
      expect(challenge).toMatch(/^Bearer error="insufficient_scope"/);
      expect(challenge).toContain('scope="openid profile email greet:write"');
      expect(challenge).toContain(
        `resource_metadata="${app.origin}/.well-known/oauth-protected-resource${RESOURCE_PATH}"`,
      );
      expect(await response.text()).toContain('greet:write');
      // whoami still works on the same session.
      expect((await post(session.messages, callWhoami, bearer(token))).status).toBe(202);
      expect(await session.waitFor('"id":1')).toBe(true);
    } finally {
      session.close();
    }
  });
});

describe('the messages endpoint (raw sockets)', () => {
  const raw = (head: string, body = '') =>
    new Promise<{ status: number; head: string; closed: boolean }>((resolve, reject) => {
      const socket = connect(Number(new URL(app.origin).port), '127.0.0.1');
      let text = '';
      const done = (closed: boolean) => {
        clearTimeout(timer);
        socket.destroy();
        resolve({
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
          head: text.split('\r\n\r\n')[0] ?? '',
          closed,
        });
      };
      const timer = setTimeout(() => done(false), 2000);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => done(true));
      socket.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' && text ? done(true) : reject(error),
      );
      socket.write(head.replaceAll('\n', '\r\n') + '\r\n' + body);
    });
  const host = () => new URL(app.origin).host;

  it('answers a body announced as 1 GB at once and closes the connection: 401 without a token, 413 with one', async () => {
    const token = await issuer.token(app.config.resource);
    const session = await openSession(app, token);
    try {
      const target = new URL(session.messages);
      for (const [auth, expected] of [
        [[], 401],
        [[`Authorization: Bearer ${token}`], 413],
      ] as const) {
        const head = [
          `POST ${target.pathname}${target.search} HTTP/1.1`,
          `Host: ${host()}`,
          ...auth,
          'Content-Type: application/json',
          `Content-Length: ${1024 ** 3}`,
          '',
        ].join('\n');
        const response = await raw(head, '{"jsonrpc":');
        expect(response.status).toBe(expected);
        expect(response.closed).toBe(true);
      }
    } finally {
      session.close();
    }
  });

  it('answers other methods than POST and OPTIONS with 405 and Allow', async () => {
    const response = await raw(
      [`GET ${messagesPath(app)} HTTP/1.1`, `Host: ${host()}`, 'Connection: close', ''].join('\n'),
    );
    expect(response.status).toBe(405);
    expect(response.head).toMatch(/^Allow: POST, OPTIONS$/im);
  });
});

it('serves a resource at a longer path: the messages endpoint is next to the stream', async () => {
  const nested = await startApp({ LOGTO_ISSUER: issuer.issuer }, '/v1/sse');
  try {
    expect(await (await fetch(`${nested.origin}/.well-known/oauth-protected-resource/v1/sse`)).json()).toMatchObject({
      resource: nested.config.resource,
    });
    const token = await issuer.token(nested.config.resource);
    const session = await openSession(nested, token);
    expect(new URL(session.messages).pathname).toBe(messagesPath(nested));
    expect((await post(session.messages, callWhoami, bearer(token))).status).toBe(202);
    session.close();
  } finally {
    await nested.close();
  }
});
