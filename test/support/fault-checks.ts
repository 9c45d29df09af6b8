/**
 * Faults a running generated server must survive (issue 10), started by its command (`nodeServer`: the TypeScript
 * server's built `dist/`; the Python server's installed command) with an issuer of its own
 * (test/support/key-issuer.ts) that can go down, come back, rotate its key and count what reaches it.
 * `describeFaults(get, transport, server)` registers the tests in the current `describe`; they run in
 * order, and the key-rotation test comes last because jose refetches the JWKS for an unknown `kid` only once its
 * 30 s cooldown since the last fetch has passed: the other tests fill that wait.
 */
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { transportPaths, type Transport } from '../../src/options/choices.js';
import { mcpRequest, openSseSession, parseWwwAuthenticate } from './contract-checks.js';
import { startProject, type RunningServer } from './generated-project.js';
import { startKeyIssuer, type KeyIssuer } from './key-issuer.js';
import { assertLoopback } from './mcp-oauth-client.js';
import { getFreePort } from './ports.js';

/** jose's default cooldown between two JWKS fetches (createRemoteJWKSet's cooldownDuration), and the Python verifier's. */
const JWKS_COOLDOWN_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Started {
  server: RunningServer;
  resource: string;
  issuer: KeyIssuer;
}

/** How the server starts in the project's folder, reading its `.env` (the environment given overrides it). */
export interface ServerCommand {
  command: [string, ...string[]];
  /**
   * The same with the process's memory capped, so that a leak ends it rather than growing lazily; none for a Python
   * server (CPython frees by reference counting: its resident size is the measure).
   */
  capped?: [string, ...string[]];
}

/** The TypeScript server: its built `dist/`, and with a 48 MB heap. */
export const nodeServer: ServerCommand = {
  command: ['node', 'dist/index.js'],
  capped: ['node', '--max-old-space-size=48', 'dist/index.js'],
};

/** Starts the server on a free port, trusting `issuer`. */
async function startWith(
  dir: string,
  transport: Transport,
  issuer: KeyIssuer,
  command: [string, ...string[]],
): Promise<Started> {
  const port = await getFreePort();
  const resource = `http://127.0.0.1:${port}${transportPaths[transport]}`;
  const server = await startProject(
    dir,
    port,
    { PORT: String(port), MCP_RESOURCE: resource, LOGTO_ISSUER: issuer.issuer },
    command,
  );
  return { server, resource, issuer };
}

/** Waits (bounded) until the server's log contains `text`. */
async function logged(server: RunningServer, text: string): Promise<void> {
  for (let attempt = 0; attempt < 200 && !server.logs().includes(text); attempt++) await sleep(100);
  expect(server.logs()).toContain(text);
}

/** The status of an MCP request with `token` (body read, so the connection is reusable). */
async function statusWith(
  s: Pick<Started, 'resource'>,
  transport: Transport,
  token: string,
): Promise<{ status: number; error?: string; retryAfter: string | null; body: string }> {
  const response = await mcpRequest({ resource: s.resource, transport }, { authorization: `Bearer ${token}` });
  const body = await response.text();
  return {
    status: response.status,
    error: parseWwwAuthenticate(response.headers.get('www-authenticate'))?.params.error,
    retryAfter: response.headers.get('retry-after'),
    body,
  };
}

/** Opens a connection, sends `head`, then `drip` one character a second, never finishing; resolves when the server closes it. */
function dripRequest(resource: string, head: string, limitMs = 90_000): Promise<{ closed: boolean; status: number }> {
  const url = assertLoopback(resource);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (closed: boolean) => {
      clearInterval(timer);
      clearTimeout(limit);
      socket.destroy();
      resolve({ closed, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0) });
    };
    const limit = setTimeout(() => done(false), limitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.once('close', () => done(true));
    socket.on('error', () => undefined); // the close that follows is what counts
    socket.once('connect', () => {
      socket.write(head);
      timer = setInterval(() => socket.writable && socket.write('x'), 1000);
    });
  });
}

/** The resident set size of a process, from /proc (Linux). */
async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

/** Opens `count` event streams (`parallel` at a time) with `token`, each dropped as soon as it names its session. */
async function abandonStreams(resource: string, token: string, count: number, parallel = 50): Promise<void> {
  let opened = 0;
  const worker = async () => {
    while (opened < count) {
      opened++;
      (await openSseSession(resource, token)).close();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export function describeFaults(
  get: () => { dir: string },
  transport: Transport,
  { command, capped }: ServerCommand = nodeServer,
): void {
  describe('faults: issuer outages, key rotation, slow clients', () => {
    let main: Started;
    let keysLoadedAt: number;
    let slowBody: Promise<{ closed: boolean; status: number }>;
    let held: { close(): void } | undefined;

    beforeAll(async () => {
      main = await startWith(get().dir, transport, await startKeyIssuer(), command);
      await logged(main.server, 'Signing keys loaded from the issuer.');
      keysLoadedAt = Date.now();
      // Started now, checked later: a body that never arrives is held until the request timeout (30 s).
      const { host } = new URL(main.resource);
      const token = await main.issuer.sign(main.resource);
      let path = new URL(main.resource).pathname;
      if (transport === 'sse') {
        const session = await openSseSession(main.resource, token);
        held = session;
        path = new URL(session.messages).pathname + new URL(session.messages).search;
      }
      slowBody = dripRequest(
        main.resource,
        [
          `POST ${path} HTTP/1.1`,
          `Host: ${host}`,
          `Authorization: Bearer ${token}`,
          'Content-Type: application/json',
          'Content-Length: 100000',
          '',
          '',
        ].join('\r\n'),
      );
    }, 120_000);

    afterAll(async () => {
      held?.close();
      await main?.server.stop();
      await main?.issuer.close();
    });

    it('loads the keys once at start-up, then no request reaches the issuer per call (100 calls, each a new token)', async () => {
      expect(main.issuer.requests).toEqual(['/oidc/.well-known/openid-configuration', '/oidc/jwks']);
      for (let i = 0; i < 100; i++)
        expect((await statusWith(main, transport, await main.issuer.sign(main.resource))).status).toBe(200);
      expect(main.issuer.requests).toHaveLength(2);
    });

    it('the issuer goes down after the keys are cached: new valid tokens are still served, forged ones still refused', async () => {
      await main.issuer.down();
      try {
        for (let i = 0; i < 5; i++)
          expect((await statusWith(main, transport, await main.issuer.sign(main.resource))).status).toBe(200);
        expect(
          await statusWith(main, transport, await main.issuer.sign(main.resource, { aud: 'http://127.0.0.1:9/other' })),
        ).toMatchObject({ status: 401, error: 'invalid_token' });
      } finally {
        await main.issuer.up();
      }
    });

    it('a client sending its headers one byte a second is cut off (headers timeout)', async () => {
      const { host } = new URL(main.resource);
      const response = await dripRequest(main.resource, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
      expect(response.closed).toBe(true);
      expect(response.status).toBe(408);
      expect((await fetch(new URL('/healthz', main.resource))).status).toBe(200);
    }, 120_000);

    it('the issuer is down at start-up: the server starts, says so, answers 503 with Retry-After, and recovers when the issuer returns', async () => {
      const issuer = await startKeyIssuer();
      await issuer.down();
      const late = await startWith(get().dir, transport, issuer, command);
      try {
        await logged(late.server, "Cannot load the issuer's signing keys");
        const token = await issuer.sign(late.resource);
        const refused = await statusWith(late, transport, token);
        expect(refused).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
        expect(refused.body).not.toMatch(/\n\s+at\s|node_modules/);
        await issuer.up();
        // The server retries discovery a few seconds after a failure: poll, bounded.
        let status = 0;
        for (let attempt = 0; attempt < 60 && status !== 200; attempt++) {
          status = (await statusWith(late, transport, token)).status;
          if (status !== 200) await sleep(500);
        }
        expect(status).toBe(200);
        expect(issuer.jwksFetches()).toBe(1);
      } finally {
        await late.server.stop();
        await issuer.close();
      }
    }, 120_000);

    if (transport === 'sse') {
      it(`1,000 event streams opened and abandoned: every session is freed, and memory stays bounded${capped ? ' under a 48 MB heap cap' : ''}`, async () => {
        // A process of its own; for Node, one whose heap cannot grow past 48 MB: V8 must collect what the streams
        // left, and a leak would end it (out of memory), where without the cap the heap would just grow lazily.
        const own = await startWith(get().dir, transport, main.issuer, capped ?? command);
        try {
          const token = await main.issuer.sign(own.resource);
          await abandonStreams(own.resource, token, 200); // warm-up
          const baseline = await rssBytes(own.server.pid!);
          await abandonStreams(own.resource, token, 1000);
          const after = await rssBytes(own.server.pid!);
          // The server holds at most 1,000 sessions: had the abandoned ones been kept, this stream would be refused (503).
          (await openSseSession(own.resource, token)).close();
          expect(after - baseline, `RSS ${baseline} -> ${after}`).toBeLessThan(48 * 1024 * 1024);
          expect((await statusWith(own, transport, await main.issuer.sign(own.resource))).status).toBe(200);
          expect(own.server.logs()).not.toMatch(/heap out of memory|MemoryError/i);
        } finally {
          await own.server.stop();
        }
      }, 180_000);
    }

    it('a body that never finishes is cut off (request timeout)', async () => {
      const response = await slowBody;
      expect(response.closed).toBe(true);
      expect(response.status).toBe(408);
    }, 120_000);

    it('signing-key rotation: a token with the new kid is accepted after one JWKS refetch; a flood of unknown kids makes at most one per cooldown', async () => {
      // Past the cooldown since the keys were loaded at start-up (the tests above took most of it).
      await sleep(Math.max(0, keysLoadedAt + JWKS_COOLDOWN_MS + 1000 - Date.now()));
      const before = main.issuer.jwksFetches();
      await main.issuer.rotate();
      const fresh = await main.issuer.sign(main.resource);
      const unknown = await Promise.all(
        Array.from({ length: 50 }, () => main.issuer.signWithUnknownKid(main.resource)),
      );
      const [rotated, ...flood] = await Promise.all(
        [fresh, ...unknown].map((token) => statusWith(main, transport, token)),
      );
      expect(rotated!.status).toBe(200);
      expect(flood.filter(({ status, error }) => status !== 401 || error !== 'invalid_token')).toEqual([]);
      expect(main.issuer.jwksFetches() - before).toBe(1);
      // Within the cooldown: more unknown kids reach nothing at the issuer; new tokens of the new key are served.
      const again = await Promise.all(Array.from({ length: 50 }, () => main.issuer.signWithUnknownKid(main.resource)));
      expect(
        (await Promise.all(again.map((token) => statusWith(main, transport, token)))).filter(
          ({ status }) => status !== 401,
        ),
      ).toEqual([]);
      expect((await statusWith(main, transport, await main.issuer.sign(main.resource))).status).toBe(200);
      expect(main.issuer.jwksFetches() - before).toBe(1);
    }, 120_000);
  });
}
