// Pieces of the throughput benchmark: a Logto-like issuer, the server child process, the load loop,
// and the cost of one jose verification.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { generateKeyPair, jwtVerify, SignJWT } from 'jose';

import { childEnv } from '../test/support/generated-project.js';
import { startKeyIssuer, type Alg } from '../test/support/key-issuer.js';

export type { Alg };

export interface Issuer {
  issuer: string;
  /** Requests that reached the issuer so far (discovery and JWKS). */
  requests(): number;
  /** A Logto-shaped access token for `audience`, each one distinct (own `jti`), valid for an hour. */
  sign(alg: Alg, audience: string): Promise<string>;
  close(): Promise<void>;
}

/** The fault tests' issuer (discovery and JWKS under `/oidc` on 127.0.0.1) with an ES384 key and an RS256 one. */
export async function startIssuer(): Promise<Issuer> {
  const issuer = await startKeyIssuer();
  const kids = { ES384: issuer.currentKid(), RS256: await issuer.rotate('RS256') };
  return {
    issuer: issuer.issuer,
    requests: () => issuer.requests.length,
    sign: (alg, audience) =>
      issuer.signWith(kids[alg], audience, {
        sub: 'bench-user',
        client_id: 'bench-client',
        exp: Math.floor(Date.now() / 1000) + 3600,
      }),
    close: issuer.close,
  };
}

export interface BenchServer {
  /** `control`: a second auth-off app, for an A/A comparison (the measurement's own noise). */
  ports: { jwt: number; off: number; control: number };
  /** The server's memory after a full garbage collection, and the CPU time it has used (µs). */
  stats(): Promise<{ rss: number; heapUsed: number; cpuMicros: number }>;
  stop(): Promise<void>;
}

const SERVER_ENTRY = fileURLToPath(new URL('server.ts', import.meta.url));
const PYTHON_SERVER_ENTRY = fileURLToPath(new URL('server.py', import.meta.url));
/** `BENCH_CPU_PROF=<folder>`: the TypeScript servers write a V8 CPU profile there when they stop (see bench/results.md). */
const CPU_PROF = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

type Stats = Awaited<ReturnType<BenchServer['stats']>>;

/** Starts bench/server.ts under the project's tsx, in the project's folder. */
export function startServer(projectDir: string, env: Record<string, string>): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--expose-gc', ...CPU_PROF, '--import', 'tsx', SERVER_ENTRY], {
    cwd: projectDir,
    env: childEnv(env),
    stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
  });
  const stats = () =>
    new Promise<Stats>((resolve) => {
      child.once('message', (message) => resolve(message as Stats));
      child.send('stats');
    });
  return started(child, () => stats());
}

/** Starts bench/server.py with the project's own interpreter (.venv/bin/python), in the project's folder. */
export function startPythonServer(projectDir: string, pkg: string, env: Record<string, string>): Promise<BenchServer> {
  const child = spawn(join(projectDir, '.venv', 'bin', 'python'), [PYTHON_SERVER_ENTRY, pkg], {
    cwd: projectDir,
    env: childEnv({ PYTHONUNBUFFERED: '1', ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // After the ports, each `stats` line on stdin is answered with one JSON line.
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(stats: Stats) => void> = [];
  let listening = false;
  lines.on('line', (line) => {
    if (!listening) return void (listening = true);
    const { rss, heapUsed, cpuMicros } = JSON.parse(line) as {
      rss: number;
      heapUsed: number | null;
      cpuMicros: number;
    };
    waiting.shift()?.({ rss, heapUsed: heapUsed ?? NaN, cpuMicros });
  });
  const stats = () =>
    new Promise<Stats>((resolve) => {
      waiting.push(resolve);
      child.stdin.write('stats\n');
    });
  return started(child, stats, lines);
}

/** Waits for the server's first line (its ports); `stop()` closes its stdin (it exits), then signals it. */
async function started(
  child: ChildProcess,
  stats: BenchServer['stats'],
  lines = createInterface({ input: child.stdout! }),
): Promise<BenchServer> {
  const kill = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.once('exit', kill);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.stdin!.end();
    const term = setTimeout(() => child.kill('SIGTERM'), 5_000);
    const timer = setTimeout(kill, 10_000);
    await exited;
    clearTimeout(term);
    clearTimeout(timer);
  };

  const firstLine = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before listening:\n${stderr}`)));
    setTimeout(() => reject(new Error(`the bench server did not start within 60 s:\n${stderr}`)), 60_000).unref();
  });
  try {
    return { ports: JSON.parse(await firstLine) as BenchServer['ports'], stats, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** Latency of one request, in ms. */
  p50: number;
  p99: number;
}

export function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/**
 * Sends `count` requests (request i from `init(i)`) with `concurrency` workers over keep-alive
 * connections; stops early at `limitMs`. Every answer must be 200, or the whole load fails.
 */
export async function load(
  url: string,
  init: (i: number) => RequestInit,
  count: number,
  concurrency: number,
  limitMs: number,
): Promise<LoadResult> {
  return loadWith(
    async (i) => {
      const response = await fetch(url, { ...init(i), signal: AbortSignal.timeout(10_000) });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`request ${i} answered ${response.status}: ${body.slice(0, 300)}`);
    },
    count,
    concurrency,
    limitMs,
  );
}

/**
 * Runs `count` calls of `call(i, worker)` with `concurrency` workers (each worker's calls in sequence); stops early at
 * `limitMs`. Any failing call fails the whole load.
 */
export async function loadWith(
  call: (i: number, worker: number) => Promise<void>,
  count: number,
  concurrency: number,
  limitMs: number,
): Promise<LoadResult> {
  let sent = 0;
  let failure: unknown;
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + limitMs;
  const worker = async (w: number) => {
    while (sent < count && failure === undefined && performance.now() < deadline) {
      const i = sent++;
      const began = performance.now();
      try {
        await call(i, w);
        latencies.push(performance.now() - began);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  if (failure !== undefined) throw failure;
  const seconds = (performance.now() - start) / 1000;
  return {
    requests: sent,
    seconds,
    rps: sent / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

/** Mean time of one `jwtVerify` with a local public key (no JWKS, no cache), in microseconds. */
export async function verifyCost(alg: Alg, count: number): Promise<number> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const token = await new SignJWT({ sub: 'bench-user', aud: 'urn:bench', iss: 'urn:issuer' })
    .setProtectedHeader({ alg, typ: 'at+jwt' })
    .setExpirationTime('1h')
    .sign(privateKey);
  const verify = () => jwtVerify(token, publicKey, { issuer: 'urn:issuer', audience: 'urn:bench', algorithms: [alg] });
  for (let i = 0; i < 50; i++) await verify();
  const start = performance.now();
  for (let i = 0; i < count; i++) await verify();
  return ((performance.now() - start) / count) * 1000;
}
