/**
 * Generate a project with the built CLI, install it, run its scripts, and start it, as a user
 * would. Every process started here runs in its own process group, and `stop()` ends the group.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

import { execa, type ResultPromise } from 'execa';

import type { Framework, Transport, Verifier } from '../../src/options/choices.js';
import { CLI, REPO_ROOT } from './cli.js';

export { CLI, REPO_ROOT };
/** One npm cache for every e2e install, so later runs install from it. */
export const NPM_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'e2e-npm');

/**
 * The environment for child processes: ours, without what the outer `npm test`/vitest put in it
 * (npm_* lifecycle variables, VITEST*, NODE_ENV=test), which would leak into the project's own
 * npm and vitest runs.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm_|VITEST|__VITEST|TINYPOOL)/i.test(key) || key === 'NODE_ENV' || key === 'NODE_OPTIONS' || key === 'TEST')
      continue;
    env[key] = value;
  }
  return {
    ...env,
    npm_config_cache: NPM_CACHE,
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
    ...extra,
  };
}

/** What a generated project is made from, TypeScript or Python. */
export interface ProjectOptions {
  issuer: string;
  resource: string;
  port: number;
  scopes?: string[];
  /** The CLI's default when not given. */
  framework?: Framework;
  transport?: Transport;
  verifier?: Verifier;
}

export interface GenerateOptions extends ProjectOptions {
  /** Let the CLI install the dependencies (with npm, from the shared cache), as a user's run does. */
  install?: boolean;
}

/** The arguments for `node` that run the built CLI non-interactively into `dir`, without git. */
export function cliArgs(dir: string, options: ProjectOptions): string[] {
  const args = [
    CLI,
    dir,
    '--yes',
    '--issuer',
    options.issuer,
    '--resource',
    options.resource,
    '--port',
    String(options.port),
    '--no-git',
  ];
  if (options.framework) args.push('--framework', options.framework);
  if (options.transport) args.push('--transport', options.transport);
  if (options.verifier) args.push('--verifier', options.verifier);
  if (options.scopes && options.scopes.length > 0) args.push('--scopes', options.scopes.join(' '));
  return args;
}

export interface GeneratedProject {
  /** The project folder. */
  dir: string;
  /** The temp folder holding it (removed by `remove`). */
  root: string;
  /** stdout of the CLI. */
  cliOutput: string;
  remove(): Promise<void>;
}

/** Run the built CLI non-interactively into a new temp folder. */
export async function generateProject(options: GenerateOptions): Promise<GeneratedProject> {
  const root = await mkdtemp(join(tmpdir(), 'create-logto-mcp-e2e-'));
  const dir = join(root, 'mcp-server');
  const args = cliArgs(dir, options);
  if (!options.install) args.push('--no-install');
  const result = await execa(process.execPath, args, {
    cwd: root,
    env: childEnv(),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0) {
    await rm(root, { recursive: true, force: true });
    throw new Error(`create-logto-mcp exited ${result.exitCode}\n${result.stdout}\n${result.stderr}`);
  }
  return { dir, root, cliOutput: result.stdout, remove: () => rm(root, { recursive: true, force: true }) };
}

export interface RunResult {
  exitCode: number | undefined;
  output: string;
}

/** Process groups started here and still running: ended if this process exits first. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Run a command in the project, in its own process group (ended whole if it outlives
 * `limitMs`, a safety net rather than an assertion). Never throws for a non-zero exit.
 */
export async function run(
  dir: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
  limitMs = 600_000,
): Promise<RunResult> {
  const child = execa(command, args, {
    cwd: dir,
    env: childEnv(env),
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    detached: true,
  });
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  const limit = setTimeout(() => pid !== undefined && killGroup(pid, 'SIGKILL'), limitMs);
  try {
    const result = await child;
    return { exitCode: result.exitCode, output: result.all ?? '' };
  } finally {
    clearTimeout(limit);
    if (pid !== undefined) {
      // npm may leave grandchildren (e.g. vitest workers) behind in the group.
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
    }
  }
}

/** `npm install` in a generated project, from the shared cache. */
export function npmInstall(dir: string): Promise<RunResult> {
  return run(dir, 'npm', ['install', '--loglevel=error']);
}

/** Read a .env file with Node's own parser, as the generated server does. */
export async function readDotenv(path: string): Promise<Record<string, string>> {
  return parseEnv(await readFile(path, 'utf8')) as Record<string, string>;
}

export interface RunningServer {
  baseUrl: string;
  /** The process started (the server itself when started as `node ...`, else npm). */
  pid: number | undefined;
  logs(): string;
  /** SIGTERM to the process group, SIGKILL if it is still there 10 s later (a safety net, not an assertion). */
  stop(): Promise<void>;
  /** How the process ended (undefined exit code when a signal ended it). */
  exited: Promise<{ exitCode: number | undefined; signal: string | undefined }>;
}

/**
 * `npm start` (or `command`) in the project (env from its `.env`, loaded by the server itself, plus
 * overrides), then wait until `/healthz` answers 200 or the process exits.
 */
export async function startProject(
  dir: string,
  port: number,
  overrides: Record<string, string> = {},
  [command, ...args]: [string, ...string[]] = ['npm', 'start'],
): Promise<RunningServer> {
  let output = '';
  const child: ResultPromise = execa(command, args, {
    cwd: dir,
    env: childEnv(overrides),
    extendEnv: false,
    reject: false,
    all: true,
    buffer: false,
    stdin: 'ignore',
    detached: true,
  });
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  child.all?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let exited = false;
  const done = child.then(({ exitCode, signal }) => {
    exited = true;
    return { exitCode, signal };
  });
  const end = async () => {
    if (pid !== undefined) {
      // npm start → sh → node: end the whole group, then make sure nothing of it is left.
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
    }
  };
  const baseUrl = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (!exited && pid !== undefined) {
      killGroup(pid, 'SIGTERM');
      const killer = setTimeout(() => killGroup(pid, 'SIGKILL'), 10_000);
      await done;
      clearTimeout(killer);
    }
    await end();
  };

  // Poll /healthz: bounded in count, and given up as soon as the process exits.
  for (let attempt = 0; attempt < 300; attempt++) {
    if (exited) break;
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      await response.body?.cancel();
      if (response.status === 200) return { baseUrl, pid, logs: () => output, stop, exited: done };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`the generated server did not become healthy at ${baseUrl}/healthz\n${output}`);
}
