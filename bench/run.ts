/**
 * `npm run bench`: the CLI's generation and start-up time against create-vite's, the CLI's install
 * footprint, and the generated server's throughput with JWT verification against the same server with auth off. Ratios are measured
 * within this one run (modes interleaved round by round); absolute numbers are for context only.
 * Everything listens on 127.0.0.1; the only other network use is `npm install` of the generated
 * project, from the shared e2e npm cache. Prints a table and writes .bench-results/<date>.json.
 *
 *   npm run bench -- [--only cli] [--instructions] [--cli-runs 15] [--requests 2000] [--rounds 5] [--concurrency 16] [--era 2026-07-28|2025-11-25|both]
 *
 * `--only cli`: the CLI figures (1 and 2) alone, in about a minute.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';

import { childEnv, CLI, cliArgs, npmInstall, REPO_ROOT } from '../test/support/generated-project.js';
import { cliEnv, extraCaCertsNote } from './cli-env.js';
import { getFreePort } from '../test/support/ports.js';
import { countInstructions, valgrindMissing } from './cli-instructions.js';
import { benchServerSpeed, speedTable, writeSpeedResults } from './server-speed.js';
import { load, startIssuer, startServer, verifyCost } from './throughput.js';
import type { Alg, Issuer, LoadResult } from './throughput.js';

const { values: args } = parseArgs({
  options: {
    'cli-runs': { type: 'string', default: '15' },
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    era: { type: 'string', default: 'both' },
    only: { type: 'string' },
    instructions: { type: 'boolean', default: false }, // bench/cli-instructions.ts
    // The generated servers' speed, every variant (bench/server-speed.ts).
    'speed-levels': { type: 'string', default: '1,16,64' },
    'speed-requests': { type: 'string', default: '250' },
    'speed-rounds': { type: 'string', default: '6' },
  },
});
if (args.only !== undefined && args.only !== 'cli') throw new Error('--only takes cli');
const SPEED = {
  levels: args['speed-levels'].split(',').map(Number),
  requests: Number(args['speed-requests']),
  rounds: Number(args['speed-rounds']),
};
if (![...SPEED.levels, SPEED.requests, SPEED.rounds].every((n) => Number.isInteger(n) && n > 0))
  throw new Error('--speed-levels (comma-separated), --speed-requests and --speed-rounds must be positive integers');
const CLI_RUNS = Number(args['cli-runs']);
const REQUESTS = Number(args.requests);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
const ERAS = (args.era === 'both' ? ['2026-07-28', '2025-11-25'] : [args.era]) as Era[];
if (![CLI_RUNS, REQUESTS, ROUNDS, CONCURRENCY].every((n) => Number.isInteger(n) && n > 0))
  throw new Error('--cli-runs, --requests, --rounds and --concurrency must be positive integers');
if (!ERAS.every((era) => era === '2026-07-28' || era === '2025-11-25'))
  throw new Error('--era must be 2026-07-28, 2025-11-25 or both');
const WARMUP_REQUESTS = 500;
const ROUND_LIMIT_MS = 60_000; // a round stops here even if its requests are not all sent
const VERIFY_COUNT = 300;

const run = promisify(execFile);
const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

// ---- 1. CLI speed against create-vite, and 2. install footprint ------------------------------

const CREATE_VITE = join(REPO_ROOT, 'node_modules', 'create-vite', 'index.js');
/** Targets from issue 10: this CLI's time over create-vite's, medians of the same run. */
const CLI_TARGETS = { generation: 1.3, startup: 1.2 };

const CPU_TIME_PRELOAD = join(REPO_ROOT, 'bench', 'cpu-time.cjs');

/** Wall time as the user waits for it, and the process's own CPU time (see bench/cpu-time.cjs). */
async function timeNode(args: string[], cwd: string): Promise<{ wall: number; cpu: number }> {
  const cpuFile = join(cwd, 'cpu-time.txt');
  await rm(cpuFile, { force: true });
  const start = performance.now();
  await run(process.execPath, ['--require', CPU_TIME_PRELOAD, ...args], {
    cwd,
    env: cliEnv({ BENCH_CPU_TIME_FILE: cpuFile }),
    timeout: 60_000,
  });
  const wall = performance.now() - start;
  return { wall, cpu: Number(await readFile(cpuFile, 'utf8')) };
}

/** The commands measured, each given the run's number (a folder of its own to generate into). */
const CLI_COMMANDS = {
  node: (_i: number) => ['-e', ''],
  viteGenerate: (i: number) => [
    CREATE_VITE,
    `vite-${i}`,
    '--template',
    'react-ts',
    '--no-interactive',
    '--no-immediate',
  ],
  cliGenerate: (i: number) => [
    CLI,
    `gen-${i}`,
    '--yes',
    '--issuer',
    'https://bench.invalid/oidc',
    '--skip-issuer-check',
    '--no-install',
    '--no-git',
  ],
  viteStartup: (_i: number) => [CREATE_VITE, '--help'],
  cliStartup: (_i: number) => [CLI, '--version'],
};

/**
 * Generation: this CLI with `--yes --no-install --no-git` against create-vite scaffolding `react-ts`
 * (it has no install step without `--immediate`). Start-up: our `--version` against create-vite's
 * `--help` (it has no `--version`; `--help` is its cheapest way to start and exit). Bare `node -e ""`
 * is the floor both stand on. The commands alternate, in an order rotated every run, so all see the
 * same machine noise; the first two runs are a warm-up. The targets are for wall time.
 */
async function benchCliSpeed(root: string) {
  const commands = CLI_COMMANDS;
  type Key = keyof typeof commands;
  const keys = Object.keys(commands) as Key[];
  const wall = Object.fromEntries(keys.map((key) => [key, [] as number[]])) as Record<Key, number[]>;
  const cpu = Object.fromEntries(keys.map((key) => [key, [] as number[]])) as Record<Key, number[]>;
  for (let i = -2; i < CLI_RUNS; i++) {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[(k + i + 2) % keys.length]!;
      const time = await timeNode(commands[key](i + 2), root);
      if (i < 0) continue;
      wall[key].push(time.wall);
      cpu[key].push(time.cpu);
    }
  }
  const entries = await readdir(root);
  await Promise.all(
    entries
      .filter((name) => /^(vite|gen)-\d+$/.test(name))
      .map((name) => rm(join(root, name), { recursive: true, force: true })),
  );
  const stats = (key: Key) => ({
    median: median(wall[key]),
    p90: quantile(wall[key], 0.9),
    cpuMedian: median(cpu[key]),
  });
  const ratios = (samples: Record<Key, number[]>) => ({
    generation: median(samples.cliGenerate) / median(samples.viteGenerate),
    startup: median(samples.cliStartup) / median(samples.viteStartup),
  });
  return {
    runs: CLI_RUNS,
    ms: Object.fromEntries(keys.map((key) => [key, stats(key)])) as Record<Key, ReturnType<typeof stats>>,
    ratios: ratios(wall),
    cpuRatios: ratios(cpu),
    targets: CLI_TARGETS,
  };
}

const INSTRUCTION_RUNS = 3;

async function benchCliInstructions(root: string) {
  const skipped = await valgrindMissing();
  if (skipped) return { skipped };
  console.log(`Counting the CLI's instructions under callgrind (${INSTRUCTION_RUNS} runs each, about 4 minutes)...`);
  const counts = {} as Record<keyof typeof CLI_COMMANDS, number>;
  for (const [key, args] of Object.entries(CLI_COMMANDS) as [keyof typeof CLI_COMMANDS, (i: number) => string[]][])
    counts[key] = await countInstructions((i) => args(1000 + i), root, INSTRUCTION_RUNS);
  return { runs: INSTRUCTION_RUNS, millions: counts };
}

function reportCliInstructions(result: Awaited<ReturnType<typeof benchCliInstructions>>): void {
  if ('skipped' in result) {
    console.log(`\n1a. CLI instructions: skipped, ${result.skipped}`);
    return;
  }
  const m = result.millions;
  const line = (label: string, ours: number, theirs: number) =>
    `  ${label}: ${ours.toFixed(0)} M against ${theirs.toFixed(0)} M, ${times(ours / theirs)}; beyond Node's own start (${m.node.toFixed(0)} M), ${times((ours - m.node) / (theirs - m.node))}`;
  console.log(`\n1a. CLI instructions (callgrind, user space only, median of ${result.runs} runs)`);
  console.log(line('generation, CLI / create-vite', m.cliGenerate, m.viteGenerate));
  console.log(line('start-up, --version / create-vite --help', m.cliStartup, m.viteStartup));
}

// ---- 1b. Workshop generation time --------------------------------------------------------

/** `workshop <folder> --attendees 30` without install or registration: 30 starters, each with git init and a first commit. */
async function benchWorkshop(root: string, attendees = 30, runs = 3) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const folder = join(root, `workshop-${i}`);
    times.push(
      (
        await timeNode(
          [
            CLI,
            'workshop',
            folder,
            '--yes',
            '--issuer',
            'https://bench.invalid/oidc',
            '--skip-issuer-check',
            '--attendees',
            String(attendees),
          ],
          root,
        )
      ).wall,
    );
    await rm(folder, { recursive: true, force: true });
  }
  return { attendees, runs, ms: { median: median(times), max: Math.max(...times) } };
}

/** dist/index.js and the chunks it imports statically (a start loads them all; the rest load with import()). */
async function startupFiles(): Promise<{ startupFiles: number; startupBytes: number }> {
  const seen = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await readFile(join(REPO_ROOT, 'dist', file), 'utf8');
    for (const [, imported] of text.matchAll(/(?:^|[;}\n])import(?:[^"'();]*?from)?\s*["']\.\/([^"']+)["']/g))
      await visit(imported!);
  };
  await visit('index.js');
  const sizes = await Promise.all([...seen].map(async (file) => (await stat(join(REPO_ROOT, 'dist', file))).size));
  return { startupFiles: seen.size, startupBytes: sizes.reduce((sum, size) => sum + size, 0) };
}

async function benchFootprint() {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO_ROOT,
    env: childEnv(),
    timeout: 120_000,
  });
  const [pack] = JSON.parse(stdout) as {
    size: number;
    unpackedSize: number;
    entryCount: number;
    files: { path: string; size: number }[];
  }[];
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const dist = pack!.files.filter((file) => file.path.startsWith('dist/'));
  return {
    packedBytes: pack!.size,
    unpackedBytes: pack!.unpackedSize,
    files: pack!.entryCount,
    ...(await startupFiles()),
    distBytes: dist.reduce((sum, file) => sum + file.size, 0),
    distFiles: dist.length,
    runtimeDependencies: Object.keys(pkg.dependencies ?? {}).length,
  };
}

function reportCliSpeed(
  speed: Awaited<ReturnType<typeof benchCliSpeed>>,
  instructions: Awaited<ReturnType<typeof benchCliInstructions>> | undefined,
  footprint: Awaited<ReturnType<typeof benchFootprint>>,
): void {
  const verdict = (ratio: number, target: number) =>
    `${times(ratio)} (target ≤ ${times(target)}: ${ratio <= target ? 'met' : 'NOT met'})`;
  const row = (label: string, key: keyof typeof speed.ms) => [
    label,
    ms(speed.ms[key].median),
    ms(speed.ms[key].p90),
    ms(speed.ms[key].cpuMedian),
  ];
  console.log(`1. CLI speed against create-vite (${speed.runs} runs after 2 warm-ups, alternated)`);
  if (extraCaCertsNote) console.log(`  (${extraCaCertsNote})`);
  console.log(
    table([
      ['', 'wall median', 'wall p90', 'CPU median'],
      row('node -e "" (the floor)', 'node'),
      row('create-vite <dir> --template react-ts', 'viteGenerate'),
      row('create-logto-mcp <dir> --yes ... --no-install --no-git', 'cliGenerate'),
      row('create-vite --help', 'viteStartup'),
      row('create-logto-mcp --version', 'cliStartup'),
    ]),
  );
  console.log(
    `  generation, CLI / create-vite (wall medians): ${verdict(speed.ratios.generation, speed.targets.generation)}; CPU ${times(speed.cpuRatios.generation)}`,
  );
  console.log(
    `  start-up, --version / create-vite --help (wall medians): ${verdict(speed.ratios.startup, speed.targets.startup)}; CPU ${times(speed.cpuRatios.startup)}`,
  );
  if (instructions) reportCliInstructions(instructions);
  console.log('\n2. CLI install footprint (npm pack --dry-run)');
  console.log(
    table([
      ['packed tarball', kB(footprint.packedBytes)],
      ['unpacked', kB(footprint.unpackedBytes)],
      ['files', footprint.files],
      [
        `dist/index.js and its static imports (${footprint.startupFiles} files, loaded on every start)`,
        kB(footprint.startupBytes),
      ],
      [`dist/ (${footprint.distFiles} files, loaded as a command needs them)`, kB(footprint.distBytes)],
      ['runtime dependencies', footprint.runtimeDependencies],
    ]),
  );
}

// ---- 3. Generated server throughput -------------------------------------------------------

type Era = '2026-07-28' | '2025-11-25';

/** A stateless `tools/call whoami`: the 2026-07-28 per-request envelope, or a 2025-era request (served statelessly, as SSE). */
function whoamiRequest(era: Era, token: string): RequestInit {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    'MCP-Protocol-Version': era,
  };
  const params: Record<string, unknown> = { name: 'whoami', arguments: {} };
  if (era === '2026-07-28') {
    Object.assign(headers, { 'Mcp-Method': 'tools/call', 'Mcp-Name': 'whoami' });
    params._meta = {
      'io.modelcontextprotocol/protocolVersion': era,
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
    };
  }
  return { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }) };
}

/** Throws unless the answer is a whoami result carrying the token's claims. */
async function checkWhoami(url: string, init: RequestInit, resource: string): Promise<void> {
  const response = await fetch(url, init);
  const text = await response.text();
  const json = response.headers.get('content-type')?.startsWith('text/event-stream')
    ? /^data: (.*)$/m.exec(text)?.[1]
    : text;
  const claims = (JSON.parse(json ?? 'null') as { result?: { structuredContent?: Record<string, unknown> } } | null)
    ?.result?.structuredContent;
  if (response.status !== 200 || claims?.sub !== 'bench-user' || claims.aud !== resource)
    throw new Error(`not a whoami result from ${url}: ${response.status} ${text.slice(0, 500)}`);
}

interface Mode {
  key: string;
  label: string;
  port: 'jwt' | 'off';
  /** The token of request i. */
  token: (i: number) => string;
}

async function signMany(issuer: Issuer, alg: Alg, audience: string, count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, () => issuer.sign(alg, audience)));
}

async function benchThroughput(root: string) {
  const issuer = await startIssuer();
  try {
    const port = await getFreePort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    const dir = join(root, 'server');
    await run(
      process.execPath,
      [...cliArgs(dir, { issuer: issuer.issuer, resource, port }), '--skip-issuer-check', '--no-install'],
      { env: childEnv(), timeout: 60_000 },
    );
    const install = await npmInstall(dir);
    if (install.exitCode !== 0) throw new Error(`npm install of the generated project failed:\n${install.output}`);

    // "New token per request" defeats the verifier's cache only if the tokens outnumber its entries.
    const { CACHE_SIZE: cacheSize = 0 } = (await import(pathToFileURL(join(dir, 'src', 'verifier.ts')).href)) as {
      CACHE_SIZE?: number;
    };
    const distinct = Math.max(REQUESTS, 2 * cacheSize + CONCURRENCY);
    const [esOne, esMany, rsMany] = await Promise.all([
      issuer.sign('ES384', resource),
      signMany(issuer, 'ES384', resource, distinct),
      signMany(issuer, 'RS256', resource, distinct),
    ]);
    // Each mode keeps its own counter across warm-up and rounds, so a distinct token is never reused within `distinct` requests.
    const counters = new Map<string, number>();
    const modes: Mode[] = [
      { key: 'a', label: 'a. JWT ES384, as generated (same token: cached)', port: 'jwt', token: () => esOne },
      {
        key: 'c',
        label: 'c. JWT ES384, new token per request (1 verify each)',
        port: 'jwt',
        token: (i) => esMany[i % distinct]!,
      },
      {
        key: 'd',
        label: 'd. JWT RS256, new token per request (1 verify each)',
        port: 'jwt',
        token: (i) => rsMany[i % distinct]!,
      },
      { key: 'b', label: 'b. auth off (injected verifier, no crypto)', port: 'off', token: () => esOne },
    ];

    const server = await startServer(dir, { LOGTO_ISSUER: issuer.issuer, MCP_RESOURCE: resource, PORT: String(port) });
    try {
      const url = (mode: Mode) => `http://127.0.0.1:${server.ports[mode.port]}/mcp`;
      const sendLoad = (mode: Mode, era: Era, count: number) => {
        const offset = counters.get(mode.key) ?? 0;
        counters.set(mode.key, offset + count);
        return load(url(mode), (i) => whoamiRequest(era, mode.token(offset + i)), count, CONCURRENCY, ROUND_LIMIT_MS);
      };

      // Sanity: auth is really on at one port and off at the other, and every mode gets a real whoami result.
      const bogus = await fetch(url(modes[0]!), whoamiRequest(ERAS[0]!, 'not-a-token'));
      if (bogus.status !== 401) throw new Error(`the JWT server answered ${bogus.status} to a bogus token`);
      for (const era of ERAS)
        for (const mode of modes) await checkWhoami(url(mode), whoamiRequest(era, mode.token(0)), resource);

      const results: Record<string, Record<string, LoadResult[]>> = {};
      for (const era of ERAS) {
        for (const mode of modes) await sendLoad(mode, era, WARMUP_REQUESTS);
        results[era] = {};
        for (let round = 0; round < ROUNDS; round++) {
          // Rotate the order each round, so no mode always runs first (or right after the slowest).
          const order = modes.map((_, k) => modes[(k + round) % modes.length]!);
          for (const mode of order) (results[era][mode.key] ??= []).push(await sendLoad(mode, era, REQUESTS));
        }
      }

      // A ratio to b is taken within each round (measurements seconds apart), then the median over rounds.
      const eras = ERAS.map((era) => {
        const rounds = (key: string) => results[era]![key]!;
        const vsB = (key: string) => median(rounds(key).map((r, round) => r.rps / rounds('b')[round]!.rps));
        return {
          era,
          modes: modes.map((m) => ({
            key: m.key,
            label: m.label,
            medianRps: median(rounds(m.key).map((r) => r.rps)),
            vsB: vsB(m.key),
            rounds: rounds(m.key),
          })),
          ratios: { 'a/b': vsB('a'), 'c/b': vsB('c'), 'd/b': vsB('d') },
        };
      });
      return {
        requests: REQUESTS,
        rounds: ROUNDS,
        concurrency: CONCURRENCY,
        warmup: WARMUP_REQUESTS,
        distinctTokens: distinct,
        verifierCacheSize: cacheSize,
        eras,
      };
    } finally {
      await server.stop();
    }
  } finally {
    await issuer.close();
  }
}

// ---- report -------------------------------------------------------------------------------

function table(rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map(String));
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]?.length ?? 0)));
  return cells
    .map(
      (row) => '  ' + row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '),
    )
    .join('\n');
}
const ms = (x: number) => `${x.toFixed(0)} ms`;
const kB = (x: number) => `${(x / 1024).toFixed(1)} kB`;
const times = (x: number) => `${x.toFixed(2)}×`;

const started = performance.now();
const loadStart = loadavg()[0]!; // other work on the machine: context for the noise
const root = await mkdtemp(join(tmpdir(), 'create-logto-mcp-bench-'));
// The CLI remembers the Logto endpoints it is given (src/register/trusted-endpoints.ts): not the bench's, in the user's ~/.config.
process.env.XDG_CONFIG_HOME = join(root, 'config');
// Interrupted: exit through the 'exit' handlers (they stop the child processes), leaving no temp folder.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  });
}
try {
  console.log('Measuring the CLI against create-vite...');
  const cliSpeed = await benchCliSpeed(root);
  const instructions = args.instructions ? await benchCliInstructions(root) : undefined;
  console.log('Measuring workshop generation time...');
  const workshop = await benchWorkshop(root);
  console.log('Measuring the install footprint...');
  const footprint = await benchFootprint();
  const servers = args.only !== 'cli';
  let verifyMicros: { ES384: number; RS256: number } | undefined;
  let throughput: Awaited<ReturnType<typeof benchThroughput>> | undefined;
  let speed: Awaited<ReturnType<typeof benchServerSpeed>> | undefined;
  if (servers) {
    console.log('Measuring verification cost (jose jwtVerify, local key)...');
    verifyMicros = { ES384: await verifyCost('ES384', VERIFY_COUNT), RS256: await verifyCost('RS256', VERIFY_COUNT) };
    console.log('Generating and installing a project, then measuring its throughput...');
    throughput = await benchThroughput(root);
    console.log("Measuring every variant's speed (auth on vs off, load)...");
    speed = await benchServerSpeed(root, SPEED);
  }
  const seconds = (performance.now() - started) / 1000;

  const machine = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    loadAverage: { start: loadStart, end: loadavg()[0]! },
  };
  console.log(
    `\ncreate-logto-mcp benchmark: Node ${machine.node}, ${machine.platform}, ${machine.cores} cores (${machine.cpu}), load average ${loadStart.toFixed(1)} at start, ${machine.loadAverage.end.toFixed(1)} at end\n`,
  );
  reportCliSpeed(cliSpeed, instructions, footprint);
  console.log(
    `\n1b. workshop <folder> --attendees ${workshop.attendees} (no install, git init + commit each; ${workshop.runs} runs): median ${ms(workshop.ms.median)}, max ${ms(workshop.ms.max)}`,
  );
  if (throughput && verifyMicros) {
    console.log(
      `\n3. Generated server throughput: tools/call whoami, ${throughput.requests} requests × ${throughput.rounds} rounds per mode (interleaved, after ${throughput.warmup} warm-up), concurrency ${throughput.concurrency}`,
    );
    for (const era of throughput.eras) {
      console.log(
        `\n  MCP-Protocol-Version ${era.era}${era.era === '2026-07-28' ? ' (per-request envelope, JSON answer)' : ' (stateless 2025-era fallback, SSE answer)'}`,
      );
      console.log(
        table([
          ['mode', 'req/s (median)', 'req/s per round', 'vs b (median of per-round ratios)'],
          ...era.modes.map((m) => [
            m.label,
            m.medianRps.toFixed(0),
            m.rounds.map((r) => r.rps.toFixed(0)).join(' / '),
            times(m.vsB),
          ]),
        ]),
      );
      console.log(
        `  ratios: a/b ${times(era.ratios['a/b'])}, c/b ${times(era.ratios['c/b'])}, d/b ${times(era.ratios['d/b'])}`,
      );
    }
    console.log(
      `\n  one jwtVerify (local key, sequential, ${VERIFY_COUNT} runs): ES384 ${verifyMicros.ES384.toFixed(0)} µs, RS256 ${verifyMicros.RS256.toFixed(0)} µs`,
    );
    if (throughput.verifierCacheSize === 0)
      console.log(
        '  note: no CACHE_SIZE found in the generated verifier; a and c measure the same thing if it has no cache',
      );
  }

  if (speed) {
    console.log(
      `\n4. Every variant: whoami with JWT (cached) vs auth off, ${SPEED.requests} calls × ${SPEED.rounds} rounds per mode and level; load 200 × 50\n`,
    );
    console.log(speedTable(speed));
    console.log(
      `\n  written to ${await writeSpeedResults(speed, SPEED, ['npm run bench', ...process.argv.slice(2)].join(' '))}`,
    );
  }

  const date = new Date().toISOString();
  const file = join(REPO_ROOT, '.bench-results', `${date.replace(/[:.]/g, '-')}.json`);
  await mkdir(join(REPO_ROOT, '.bench-results'), { recursive: true });
  await writeFile(
    file,
    JSON.stringify(
      {
        date,
        seconds,
        machine: { ...machine, extraCaCertsLeftOut: Boolean(extraCaCertsNote) },
        cliSpeed,
        instructions,
        workshop,
        footprint,
        verifyMicros,
        throughput,
        speed,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`\nTook ${seconds.toFixed(0)} s. Results: ${file}`);
} finally {
  await rm(root, { recursive: true, force: true });
}
