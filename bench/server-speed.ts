/**
 * The generated servers' speed, for every variant the CLI accepts (test/support/variants.ts): authenticated `whoami`
 * calls per second and their p50/p99 latency at a few concurrency levels, with the cached JWT verification of the
 * generated verifier against the same server with auth off (the ratio is the cost of auth), requests reaching the
 * issuer per 1,000 calls, and a load of 200 concurrent clients × 50 calls with the server's memory before and after.
 *
 * Each variant is generated with the built CLI, installed from the shared e2e npm cache, and served by
 * bench/server.ts (its own `createApp` on two ports: the generated verifier, and one accepting any token without
 * crypto). Both modes run in the same process, round by round in alternating order; a ratio is taken within a
 * round and the median over rounds reported, with the server's CPU time per call as a second, less noise-prone view.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { transportPaths } from '../src/options/choices.js';
import { childEnv, cliArgs, npmInstall, REPO_ROOT } from '../test/support/generated-project.js';
import { getFreePort } from '../test/support/ports.js';
import { PYTHON_CACHES } from '../test/support/python-project.js';
import { pythonVariants, variantName, variants, type Variant } from '../test/support/variants.js';
import {
  loadWith,
  quantile,
  startIssuer,
  startPythonServer,
  startServer,
  type BenchServer,
  type Issuer,
  type LoadResult,
} from './throughput.js';

export interface SpeedOptions {
  /** Concurrency levels (clients at once). */
  levels: number[];
  /** Calls per mode per round. */
  requests: number;
  rounds: number;
  /** Only the variants whose name contains this (all when absent). */
  only?: string;
}

/** The targets of issue 10. */
export const TARGETS = { authOverOff: 0.9, issuerRequestsPer1000: 0 };
const LOAD = { clients: 200, callsEach: 50 };
const ROUND_LIMIT_MS = 60_000;
const median = (xs: number[]) => quantile(xs, 0.5);
const run = promisify(execFile);

/** One MCP client's way of calling `whoami`: a stateless POST, or (SSE) a message on its session, answered on the stream. */
interface Caller {
  call(): Promise<void>;
  close(): void;
}

type Mode = 'jwt' | 'off' | 'control';
const MODES: Mode[] = ['jwt', 'off', 'control'];
/**
 * The order of the modes in a round: the six orders of the three in turn, so that over six rounds each mode runs as
 * often first, second and third, and after each of the others (the machine's load drifts, and a mode pays for the
 * garbage and idle connections the one before it left). Rotating one order would keep each mode's predecessor.
 */
const ORDERS: Mode[][] = [
  ['jwt', 'off', 'control'],
  ['control', 'off', 'jwt'],
  ['off', 'control', 'jwt'],
  ['jwt', 'control', 'off'],
  ['control', 'jwt', 'off'],
  ['off', 'jwt', 'control'],
];
const roundOrder = (round: number) => ORDERS[round % ORDERS.length]!;

const WHOAMI = { jsonrpc: '2.0', method: 'tools/call', params: { name: 'whoami', arguments: {} } };

function checkClaims(text: string, resource: string): void {
  const claims = (JSON.parse(text) as { result?: { structuredContent?: Record<string, unknown> } }).result
    ?.structuredContent;
  if (claims?.sub !== 'bench-user' || claims.aud !== resource)
    throw new Error(`not a whoami result: ${text.slice(0, 300)}`);
}

/** Streamable HTTP (2026-07-28 per-request envelope, JSON answer). */
function streamableCaller(url: string, token: string, resource: string, timeoutMs: number): Caller {
  const init: RequestInit = {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': 'tools/call',
      'Mcp-Name': 'whoami',
    },
    body: JSON.stringify({
      ...WHOAMI,
      id: 1,
      params: {
        ...WHOAMI.params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': {},
          'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
        },
      },
    }),
  };
  return {
    async call() {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`answered ${response.status}: ${text.slice(0, 300)}`);
      checkClaims(text, resource);
    },
    close() {},
  };
}

/** HTTP+SSE: one open stream per client (authenticated), each call POSTed to its session (authenticated again) and answered on the stream. */
async function sseCaller(url: string, token: string, resource: string, timeoutMs: number): Promise<Caller> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  if (response.status !== 200) throw new Error(`the stream answered ${response.status}`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const waiting = new Map<number, { resolve(text: string): void; reject(error: unknown): void }>();
  let buffer = '';
  let messages: string | undefined;
  let ready = () => {};
  const endpoint = new Promise<void>((resolve) => (ready = resolve));
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        // Events end with a blank line; lines end with LF (the TypeScript SDK) or CRLF (Python's sse-starlette).
        let end: RegExpExecArray | null;
        while ((end = /\r?\n\r?\n/.exec(buffer))) {
          const event = buffer.slice(0, end.index);
          buffer = buffer.slice(end.index + end[0].length);
          const data = /^data: (.*?)\r?$/m.exec(event)?.[1] ?? '';
          if (/^event: endpoint\r?$/m.test(event)) {
            messages = new URL(data, url).href;
            ready();
          } else if (data) {
            const id = (JSON.parse(data) as { id?: number }).id;
            if (id !== undefined) waiting.get(id)?.resolve(data);
            if (id !== undefined) waiting.delete(id);
          }
        }
      }
    } catch {
      // aborted by close()
    }
    for (const { reject } of waiting.values())
      reject(new Error(`the stream ended (${controller.signal.aborted ? 'closed by the client' : 'by the server'})`));
  })();
  await endpoint;
  let next = 0;
  /** POSTs a message to the session; a request's answer (it has an `id`) comes on the stream. */
  const send = async (message: object, id?: number) => {
    const answered =
      id === undefined ? undefined : new Promise<string>((resolve, reject) => waiting.set(id, { resolve, reject }));
    answered?.catch(() => undefined); // observed below, unless the POST fails first
    const posted = await fetch(messages!, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', ...message, ...(id === undefined ? {} : { id }) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await posted.body?.cancel();
    if (posted.status !== 202) throw new Error(`the message answered ${posted.status}`);
    return answered;
  };
  // The session is initialized first, as a client does (the Python SDK refuses requests before it).
  await send(
    {
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
    },
    ++next,
  );
  await send({ method: 'notifications/initialized' });
  return {
    async call() {
      checkClaims((await send(WHOAMI, ++next))!, resource);
    },
    close: () => controller.abort(),
  };
}

/** `count` calls from `clients` clients, each client its own caller (an SSE session, or a keep-alive POSTer). */
async function loadCallers(make: () => Promise<Caller>, count: number, clients: number): Promise<LoadResult> {
  const callers = await Promise.all(Array.from({ length: clients }, make));
  try {
    return await loadWith((_, worker) => callers[worker]!.call(), count, clients, ROUND_LIMIT_MS);
  } finally {
    for (const caller of callers) caller.close();
  }
}

interface Level {
  clients: number;
  /** Median over rounds. */
  jwt: { rps: number; p50: number; p99: number; cpuMicrosPerCall: number };
  off: { rps: number; p50: number; p99: number; cpuMicrosPerCall: number };
  /** Median of per-round jwt/off throughput ratios. */
  ratio: number;
  /** The same for control/off: two identical auth-off apps, so any distance from 1 is the measurement's noise. */
  controlRatio: number;
  /** off/jwt server CPU per call (1 = auth costs nothing). */
  cpuRatio: number;
  issuerRequestsPer1000: number;
}

export interface VariantSpeed {
  variant: string;
  levels: Level[];
  load: {
    clients: number;
    calls: number;
    errors: number;
    firstError?: string;
    seconds: number;
    rps: number;
    p99: number;
    heapBeforeMB: number;
    heapAfterMB: number;
    rssBeforeMB: number;
    rssAfterMB: number;
  };
}

type Language = 'typescript' | 'python';

async function benchVariant(
  root: string,
  variant: Variant,
  language: Language,
  issuer: Issuer,
  options: SpeedOptions,
): Promise<VariantSpeed> {
  const port = await getFreePort();
  const resource = `http://127.0.0.1:${port}${transportPaths[variant.transport]}`;
  const dir = join(root, `speed-${variant.framework}-${variant.transport}-${variant.verifier}`);
  await run(
    process.execPath,
    [
      ...cliArgs(dir, { issuer: issuer.issuer, resource, port, ...variant }),
      '--skip-issuer-check',
      // TypeScript: installed below from the shared e2e npm cache; Python: by the CLI, with uv, from the e2e caches.
      ...(language === 'typescript' ? ['--no-install'] : []),
    ],
    { env: childEnv(PYTHON_CACHES), timeout: 300_000 },
  );
  if (language === 'typescript') {
    const install = await npmInstall(dir);
    if (install.exitCode !== 0) throw new Error(`npm install of ${variantName(variant)} failed:\n${install.output}`);
  }

  const token = await issuer.sign('ES384', resource);
  const env = { LOGTO_ISSUER: issuer.issuer, MCP_RESOURCE: resource, PORT: String(port) };
  const server: BenchServer =
    language === 'typescript'
      ? await startServer(dir, env)
      : await startPythonServer(
          dir,
          (await readdir(join(dir, 'src'))).find((name) => !name.includes('.'))!,
          env,
        );
  try {
    const urlOf = (mode: Mode) => `http://127.0.0.1:${server.ports[mode]}${transportPaths[variant.transport]}`;
    const caller =
      (mode: Mode, timeoutMs = 10_000) =>
      () =>
        variant.transport === 'sse'
          ? sseCaller(urlOf(mode), token, resource, timeoutMs)
          : Promise.resolve(streamableCaller(urlOf(mode), token, resource, timeoutMs));
    // Sanity: auth is really on at one port (a bogus token is refused) and both answer whoami with the token's claims.
    const bogus = await fetch(urlOf('jwt'), {
      headers: { Authorization: 'Bearer bogus', Accept: 'text/event-stream' },
      method: variant.transport === 'sse' ? 'GET' : 'POST',
    });
    await bogus.body?.cancel();
    if (bogus.status !== 401)
      throw new Error(`${variantName(variant)}: the JWT port answered ${bogus.status} to a bogus token`);
    for (const mode of MODES) await loadCallers(caller(mode), 200, 4); // warm-up

    const levels: Level[] = [];
    for (const clients of options.levels) {
      const rounds: Array<Record<Mode, LoadResult & { cpu: number }>> = [];
      let issuerRequests = 0;
      let jwtCalls = 0;
      for (let round = 0; round < options.rounds; round++) {
        const result = {} as Record<Mode, LoadResult & { cpu: number }>;
        for (const mode of roundOrder(round)) {
          const [cpuBefore, issuerBefore] = [(await server.stats()).cpuMicros, issuer.requests()];
          const measured = await loadCallers(caller(mode), options.requests, clients);
          result[mode] = { ...measured, cpu: ((await server.stats()).cpuMicros - cpuBefore) / measured.requests };
          if (mode === 'jwt') {
            issuerRequests += issuer.requests() - issuerBefore;
            jwtCalls += measured.requests;
          }
        }
        rounds.push(result);
      }
      const summary = (mode: Mode) => ({
        rps: median(rounds.map((r) => r[mode].rps)),
        p50: median(rounds.map((r) => r[mode].p50)),
        p99: median(rounds.map((r) => r[mode].p99)),
        cpuMicrosPerCall: median(rounds.map((r) => r[mode].cpu)),
      });
      levels.push({
        clients,
        jwt: summary('jwt'),
        off: summary('off'),
        ratio: median(rounds.map((r) => r.jwt.rps / r.off.rps)),
        controlRatio: median(rounds.map((r) => r.control.rps / r.off.rps)),
        cpuRatio: median(rounds.map((r) => r.off.cpu / r.jwt.cpu)),
        issuerRequestsPer1000: (1000 * issuerRequests) / jwtCalls,
      });
    }

    // Load: 200 clients × 50 calls on the JWT port, every call checked; memory after a full collection, before and after.
    const before = await server.stats();
    let errors = 0;
    let firstError: string | undefined;
    // A minute per call: the load counts failures, not slowness (latency is reported).
    const callers = await Promise.all(Array.from({ length: LOAD.clients }, caller('jwt', 60_000)));
    const started = performance.now();
    const latencies: number[] = [];
    await Promise.all(
      callers.map(async (c) => {
        for (let i = 0; i < LOAD.callsEach; i++) {
          const began = performance.now();
          await c.call().then(
            () => latencies.push(performance.now() - began),
            (error: unknown) => {
              errors++;
              const cause =
                error instanceof Error && error.cause instanceof Error
                  ? `: ${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message}`
                  : '';
              firstError ??= error instanceof Error ? `${error.message}${cause}` : String(error);
            },
          );
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const c of callers) c.close();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let the server see the streams and connections close
    const after = await server.stats();
    const MB = (bytes: number) => bytes / 1024 / 1024;
    const calls = LOAD.clients * LOAD.callsEach;
    return {
      variant: variantName(variant),
      levels,
      load: {
        clients: LOAD.clients,
        calls,
        errors,
        firstError,
        seconds,
        rps: calls / seconds,
        p99: quantile(latencies, 0.99),
        heapBeforeMB: MB(before.heapUsed),
        heapAfterMB: MB(after.heapUsed),
        rssBeforeMB: MB(before.rss),
        rssAfterMB: MB(after.rss),
      },
    };
  } finally {
    await server.stop();
  }
}

export interface SpeedResults {
  variants: VariantSpeed[];
  /** Variants not measured, each with why (Python without python3 or uv). */
  skipped: string[];
}

/** Why the Python variants cannot be measured here, if they cannot: the CLI installs them with uv. */
async function pythonMissing(): Promise<string | undefined> {
  for (const [command, args] of [
    ['python3', ['-c', 'import sys; sys.exit(sys.version_info < (3, 11))']],
    ['uv', ['--version']],
  ] as const) {
    const found = await run(command, args).then(
      () => true,
      () => false,
    );
    if (!found) return command === 'uv' ? 'uv is not on PATH' : 'python3 (3.11 or later) is not on PATH';
  }
  return undefined;
}

export async function benchServerSpeed(root: string, options: SpeedOptions): Promise<SpeedResults> {
  const issuer = await startIssuer();
  try {
    const results: SpeedResults = { variants: [], skipped: [] };
    const missing = await pythonMissing();
    const all = [
      ...variants.map((variant) => ({ variant, language: 'typescript' as const })),
      ...pythonVariants.map((variant) => ({ variant, language: 'python' as const })),
    ];
    for (const { variant, language } of all) {
      if (options.only && !variantName(variant).includes(options.only)) continue;
      if (language === 'python' && missing) {
        results.skipped.push(`${variantName(variant)}: skipped, ${missing}`);
        console.log(`  ${results.skipped.at(-1)}`);
        continue;
      }
      console.log(`  ${variantName(variant)}...`);
      results.variants.push(await benchVariant(root, variant, language, issuer, options));
    }
    return results;
  } finally {
    await issuer.close();
  }
}

const pass = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** The table, as Markdown (also printed). */
export function speedTable({ variants: results, skipped }: SpeedResults): string {
  const rows = [
    '| variant | clients | JWT (cached) req/s | p50 / p99 ms | auth off req/s | p50 / p99 ms | JWT / off (target ≥ 0.9) | noise: off / off | server CPU per call, JWT / off µs | issuer requests per 1,000 calls (target 0) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { variant, levels } of results) {
    for (const l of levels) {
      rows.push(
        `| ${variant} | ${l.clients} | ${l.jwt.rps.toFixed(0)} | ${l.jwt.p50.toFixed(1)} / ${l.jwt.p99.toFixed(1)} | ${l.off.rps.toFixed(0)} | ${l.off.p50.toFixed(1)} / ${l.off.p99.toFixed(1)} | ` +
          `${l.ratio.toFixed(2)}× ${pass(l.ratio >= TARGETS.authOverOff)} | ${l.controlRatio.toFixed(2)}× | ${l.jwt.cpuMicrosPerCall.toFixed(0)} / ${l.off.cpuMicrosPerCall.toFixed(0)} (${l.cpuRatio.toFixed(2)}×) | ${l.issuerRequestsPer1000.toFixed(1)} ${pass(l.issuerRequestsPer1000 <= TARGETS.issuerRequestsPer1000)} |`,
      );
    }
  }
  rows.push(
    '',
    `| variant | load: clients × calls | errors (target 0) | req/s | p99 ms | heap after GC, before → after MB | RSS before → after MB |`,
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const { variant, load } of results) {
    rows.push(
      `| ${variant} | ${load.clients} × ${load.calls / load.clients} | ${load.errors} ${pass(load.errors === 0)}${load.firstError ? ` (${load.firstError.slice(0, 80).replaceAll('|', '/')})` : ''} | ${load.rps.toFixed(0)} | ${load.p99.toFixed(0)} | ${Number.isNaN(load.heapBeforeMB) ? 'n/a (Python)' : `${load.heapBeforeMB.toFixed(1)} → ${load.heapAfterMB.toFixed(1)}`} | ${load.rssBeforeMB.toFixed(0)} → ${load.rssAfterMB.toFixed(0)} |`,
    );
  }
  if (skipped.length > 0) rows.push('', ...skipped.map((line) => `Not measured: ${line}.`));
  return rows.join('\n');
}

/** Writes bench/results.md: the date, the command, the machine and the table. */
export async function writeSpeedResults(
  results: SpeedResults,
  options: SpeedOptions,
  command: string,
): Promise<string> {
  const file = join(REPO_ROOT, 'bench', 'results.md');
  const machine = `Node ${process.version}, ${process.platform}-${process.arch}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()[0]!.toFixed(1)} at the end`;
  const text = [
    '# Generated servers: speed',
    '',
    `Measured ${new Date().toISOString()} with \`${command}\` on ${machine}.`,
    '',
    `Authenticated \`tools/call whoami\`: each variant's own app served by bench/server.ts (TypeScript) or bench/server.py (Python, the`,
    "project's own .venv and uvicorn settings), with the generated JWT verifier (one ES384 token, so its verified-token cache answers",
    'after the first call) and with auth off (a verifier accepting any token, no crypto), in the same process.',
    `${options.requests} calls per mode per round, ${options.rounds} rounds, the modes in a different order each round (over six rounds each runs`,
    'as often first, second and third, and after each of the others); medians over rounds (the ratio is taken within each round).',
    'Streamable HTTP: stateless POSTs (2026-07-28). SSE: one open stream per client, every message POSTed with the token and',
    'answered on the stream. "noise: off / off" compares two identical auth-off apps of the same process measured the same way: how',
    'far it is from 1 is how much of the JWT / off ratio the machine\'s other work can explain. "Server CPU per call" is the server',
    "process's CPU time over the calls made: less sensitive than req/s to other work on the machine. The load rows: 200 clients at once",
    '× 50 calls each on the JWT port, every answer checked, with the heap after a full collection before and after (Node; Python',
    'reports RSS only).',
    '',
    speedTable(results),
    '',
  ].join('\n');
  await writeFile(file, text);
  return file;
}

// Run on its own (after `npm run build`): node --import tsx bench/server-speed.ts [levels] [requests] [rounds] [only]
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [levels = '1,16,64', requests = '250', rounds = '6', only] = process.argv.slice(2);
  const options: SpeedOptions = {
    levels: levels.split(',').map(Number),
    requests: Number(requests),
    rounds: Number(rounds),
    only,
  };
  const root = await mkdtemp(join(tmpdir(), 'create-logto-mcp-speed-'));
  process.env.XDG_CONFIG_HOME = join(root, 'config'); // the CLI remembers the Logto endpoints it is given: not in ~/.config
  try {
    const results = await benchServerSpeed(root, options);
    console.log(speedTable(results));
    console.log(
      `written to ${await writeSpeedResults(results, options, ['node --import tsx bench/server-speed.ts', ...process.argv.slice(2)].join(' '))}`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
