// The create path against bad input, through the built CLI as a process: every case ends with one line
// (the path, the cause, the fix), a non-zero exit, and nothing half-written; or, where the input is
// fine after all (an existing empty folder, a mount point, a closed stdout), with the work done.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { firstUnprintable } from '../src/printable.js';
import { CLI, listTree, makeTempDir, removeDir, runCli } from './support/cli.js';
import { startMisbehavingIssuer } from './support/misbehaving-issuer.js';

const ISSUER = 'https://abc123.logto.app/oidc';
const NO_WORK = ['--no-install', '--no-git'];
const OFFLINE = ['--issuer', ISSUER, '--skip-issuer-check', ...NO_WORK];

const work = makeTempDir('hostile');
afterAll(() => removeDir(work));

/** The run failed with exactly one line on stderr, no stack, and nothing raw for the terminal. */
function expectOneLineError(
  result: { exitCode: number | undefined; stderr: string; stdout: string },
  message: RegExp,
): void {
  expect(result.exitCode).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^✖ /);
  expect(lines[0]).not.toMatch(/Unexpected error|\n\s+at /);
  expect(lines[0]).toMatch(message);
  expect(firstUnprintable(result.stderr.trimEnd())).toBeUndefined();
}

/** Nothing the CLI would write: no project files and no staging folder below `dir`. */
function expectNothingWrittenIn(dir: string, before: string[] = []): void {
  expect(readdirSync(dir, { recursive: true }).map(String).sort()).toEqual(before);
}

/**
 * A small tmpfs gives a real read-only or full file system. Mounting needs CAP_SYS_ADMIN: the tests and CI
 * run as root on these machines, so a failed mount fails the test rather than skipping it.
 */
function mountTmpfs(dir: string, options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function withTmpfs(name: string, options: string, use: (dir: string) => Promise<void>): Promise<void> {
  const dir = path.join(work, name);
  mkdirSync(dir);
  mountTmpfs(dir, options);
  try {
    await use(dir);
  } finally {
    execFileSync('umount', [dir]);
  }
}

describe('filesystem trouble is one line naming the path, before anything is written', () => {
  it('a folder name longer than 255 bytes', async () => {
    const dir = path.join(work, 'long');
    mkdirSync(dir);
    const result = await runCli([path.join(dir, 'a'.repeat(280), 'project'), ...OFFLINE]);
    expectOneLineError(
      result,
      /the name "a{40}…" is 280 bytes long; file systems allow at most 255 bytes per name\. Choose a shorter one\.$/,
    );
    expectNothingWrittenIn(dir);
  });

  it('a file where a folder is needed (ENOTDIR)', async () => {
    const dir = path.join(work, 'notdir');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const result = await runCli([path.join(dir, 'notes.txt', 'project'), ...OFFLINE]);
    expectOneLineError(
      result,
      /notdir\/notes\.txt is a file, not a folder, so .*notes\.txt\/project cannot be created in it\.$/,
    );
    expectNothingWrittenIn(dir, ['notes.txt']);
  });

  it('a dangling symbolic link as the target, and a link loop', async () => {
    const dir = path.join(work, 'links');
    mkdirSync(dir);
    symlinkSync('gone', path.join(dir, 'project'));
    const dangling = await runCli([path.join(dir, 'project'), ...OFFLINE]);
    expectOneLineError(
      dangling,
      /links\/project is a symbolic link to gone, which does not exist\. Remove the link, or create the folder it points to\.$/,
    );
    symlinkSync('loop', path.join(dir, 'loop'));
    const loop = await runCli([path.join(dir, 'loop'), ...OFFLINE]);
    expectOneLineError(loop, /Cannot use .*links\/loop: too many symbolic links .*\(ELOOP\)\./);
    expectNothingWrittenIn(dir, ['loop', 'project']);
  });

  it('a file system that takes no new folders (/proc answers ENOENT, not "no such file")', async () => {
    const result = await runCli(['/proc/project', ...OFFLINE]);
    expectOneLineError(
      result,
      /Cannot create folders in \/proc: its file system does not take new entries \(it answers ENOENT, as \/proc does\)\. Choose a folder on a writable disk\.$/,
    );
  });

  it('a read-only file system (EROFS)', async () => {
    await withTmpfs('read-only', 'ro,size=64k', async (dir) => {
      const result = await runCli([path.join(dir, 'project'), ...OFFLINE]);
      expectOneLineError(
        result,
        /Cannot create folders in .*read-only: the file system is read-only \(EROFS\)\. Choose a folder on a writable disk\.$/,
      );
      expectNothingWrittenIn(dir);
    });
  });

  it('a full disk (ENOSPC), leaving nothing behind', async () => {
    await withTmpfs('full', 'size=16k', async (dir) => {
      const result = await runCli([path.join(dir, 'project'), ...OFFLINE]);
      expectOneLineError(
        result,
        /Cannot write .*full\/project\/\S+: no space left on the device \(ENOSPC\)\. Nothing was written\. Free some space, or choose a folder on another disk\.$/,
      );
      expectNothingWrittenIn(dir);
    });
  });

  it('a mount point as the target is written into, and stays the mount point it was', async () => {
    await withTmpfs('mounted', 'size=2m,mode=0750', async (dir) => {
      const before = statSync(dir);
      const result = await runCli([dir, ...OFFLINE]);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const after = statSync(dir);
      expect([after.dev, after.ino, after.mode]).toEqual([before.dev, before.ino, before.mode]);
      expect(after.dev).not.toBe(statSync(work).dev);
      expect(listTree(dir)).toContain('package.json');
    });
  });
});

describe('an existing empty folder is written into, never replaced', () => {
  it('`.` keeps its inode, mode and owner, so the shell inside it and the printed steps still work', async () => {
    const dir = path.join(work, 'here');
    mkdirSync(dir);
    chmodSync(dir, 0o751);
    const before = statSync(dir);
    const result = await runCli(['.', ...OFFLINE], { cwd: dir });
    expect(result.exitCode).toBe(0);
    const after = statSync(dir);
    expect([after.ino, after.mode, after.uid, after.gid]).toEqual([before.ino, before.mode, before.uid, before.gid]);
    expect(listTree(dir)).toContain('package.json');
    expect(readdirSync(dir).filter((name) => name.includes('-creating-'))).toEqual([]);
    // The next steps start from here: no `cd`, and the folder the shell is in is the project.
    expect(result.stdout).not.toMatch(/^\s+cd /m);
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name).toBe('here');
  });
});

describe('--force finds conflicts before moving anything', () => {
  it.each([
    [
      'a file named src where the project needs a folder',
      'src',
      'file',
      /src is a file where the project needs a folder \(for src\/\S+\)\. Move or remove it, then run again; nothing was written\.$/,
    ],
    [
      'a folder named package.json where the project needs a file',
      'package.json',
      'folder',
      /package\.json is a folder where the project needs a file\. Move or remove it/,
    ],
  ])('%s', async (_what, name, kind, message) => {
    const dir = path.join(work, `force-${kind}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'README.md'), 'my notes');
    if (kind === 'file') writeFileSync(path.join(dir, name), 'mine');
    else mkdirSync(path.join(dir, name));
    const result = await runCli([dir, '--force', ...OFFLINE]);
    expectOneLineError(result, message);
    expectNothingWrittenIn(dir, ['README.md', name].sort());
    expect(readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('my notes');
  });

  it.each([
    [
      'corrupt',
      '{"generator": ',
      /logto-mcp\.json: it is not valid JSON \(.+\)\. Fix or remove it, then run again; nothing was written\.$/,
    ],
    ['null', 'null', /logto-mcp\.json: it holds null, not a JSON object\./],
    ['list', '[]', /logto-mcp\.json: it holds \[\], not a JSON object\./],
  ])('a %s logto-mcp.json is named, not a bare SyntaxError', async (what, text, message) => {
    const dir = path.join(work, `force-json-${what.replace(' ', '-')}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'logto-mcp.json'), text);
    const result = await runCli([dir, '--force', ...OFFLINE]);
    expectOneLineError(result, message);
    expectNothingWrittenIn(dir, ['logto-mcp.json']);
  });
});

describe('folder names', () => {
  it.each([
    ['an escape sequence', 'x\u001b[2Jy', '\\u{1b}'],
    ['a bidi override', 'tool\u202Egnp.js', '\\u{202e}'],
    ['a bell', 'ding\u0007', '\\u{7}'],
  ])('with %s are refused, naming the character printably', async (_what, name, shown) => {
    const result = await runCli([path.join(work, name), ...OFFLINE]);
    expectOneLineError(
      result,
      new RegExp(
        `contains the invisible or control character ${shown.replace(/[\\{}]/g, '\\$&')}\\. Choose a name without it\\.$`,
      ),
    );
    expect(existsSync(path.join(work, name))).toBe(false);
  });

  it('with a backslash are refused', async () => {
    const result = await runCli([path.join(work, 'a\\b'), ...OFFLINE]);
    expectOneLineError(result, /contains a backslash \(\\\), a folder separator on Windows and an escape in shells\./);
  });

  it('starting with a dash get ./ in the printed cd, then shell quoting', async () => {
    const dir = path.join(work, 'dash');
    mkdirSync(dir);
    const plain = await runCli([...OFFLINE, '--', '-weird'], { cwd: dir });
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toMatch(/^ {2}cd \.\/-weird$/m);
    const spaced = await runCli([...OFFLINE, '--', "-my tool's"], { cwd: dir });
    expect(spaced.exitCode).toBe(0);
    expect(spaced.stdout).toContain(`  cd './-my tool'\\''s'`);
    // The printed line works in a shell.
    await execa('sh', ['-c', `cd './-my tool'\\''s' && test -f package.json`], { cwd: dir });
  });
});

describe('issuers that misbehave', () => {
  const withIssuer = async (
    misbehaviour: Parameters<typeof startMisbehavingIssuer>[0],
    run: (server: Awaited<ReturnType<typeof startMisbehavingIssuer>>) => Promise<void>,
  ) => {
    const server = await startMisbehavingIssuer(misbehaviour);
    try {
      await run(server);
    } finally {
      await server.close();
    }
  };

  it('a redirect is refused, saying to where, with the issuer to use when it is the same one spelled otherwise', async () => {
    await withIssuer({ redirect: '/oidc/.well-known/openid-configuration' }, async (server) => {
      const target = path.join(work, 'redirected');
      const result = await runCli([target, '--issuer', `${server.origin}/old/oidc`, ...NO_WORK]);
      expectOneLineError(
        result,
        new RegExp(
          `redirects \\(HTTP 301\\) to ${server.origin}/oidc/\\.well-known/openid-configuration: .*Use --issuer ${server.origin}/oidc \\(`,
        ),
      );
      expect(existsSync(target)).toBe(false);
    });
  });

  it('a body that never ends is cut at 5 s, and said so', { timeout: 20_000 }, async () => {
    await withIssuer({ drip: true }, async (server) => {
      const target = path.join(work, 'dripped');
      const started = Date.now();
      const result = await runCli([target, '--issuer', server.issuer, ...NO_WORK]);
      expect(Date.now() - started).toBeLessThan(12_000);
      expectOneLineError(result, /did not finish sending its discovery document within 5 s\. Check the issuer/);
      expect(existsSync(target)).toBe(false);
    });
  });

  it('a body over 1 MB is refused', async () => {
    await withIssuer({ bytes: 2 * 1024 * 1024 }, async (server) => {
      const result = await runCli([path.join(work, 'huge'), '--issuer', server.issuer, ...NO_WORK]);
      expectOneLineError(result, /sent more than 1 MB, which is no discovery document\./);
    });
  });

  it('a null body is "not a JSON object", not a TypeError', async () => {
    await withIssuer({ body: 'null' }, async (server) => {
      const target = path.join(work, 'null-body');
      const result = await runCli([target, '--issuer', server.issuer, ...NO_WORK]);
      expectOneLineError(result, /did not return a JSON object \(it sent null\): is .* a Logto issuer\?/);
      expect(existsSync(target)).toBe(false);
    });
  });

  it('a trailing-slash issuer: the advice, followed, works, and .env holds it byte for byte', async () => {
    await withIssuer({ body: JSON.stringify({ issuer: 'SELF/', jwks_uri: 'SELF/jwks' }) }, async (server) => {
      const target = path.join(work, 'slash');
      const first = await runCli([target, '--issuer', server.issuer, ...NO_WORK]);
      expectOneLineError(
        first,
        new RegExp(
          `names the issuer "${server.issuer}/", not "${server.issuer}"; .*Use --issuer ${server.issuer}/\\.$`,
        ),
      );
      const advised = /Use --issuer (\S+)\.$/.exec(first.stderr.trim())![1]!;
      const second = await runCli([target, '--issuer', advised, ...NO_WORK]);
      expect(second.exitCode).toBe(0);
      expect(parseEnv(readFileSync(path.join(target, '.env'), 'utf8')).LOGTO_ISSUER).toBe(`${server.issuer}/`);
    });
  });

  it('what the server sent reaches the terminal only through printable()', async () => {
    const hostile = '\u001b]8;;https://evil.invalid\u0007here\u001b]8;;\u0007\u009b2J\u202E';
    await withIssuer({ body: JSON.stringify({ issuer: hostile, jwks_uri: 'x' }) }, async (server) => {
      const result = await runCli([path.join(work, 'hostile-issuer'), '--issuer', server.issuer, ...NO_WORK]);
      expectOneLineError(
        result,
        /names the issuer "\\u001b\]8;;https:\/\/evil\.invalid\\u0007here.*\\u\{9b\}2J\\u\{202e\}"/,
      );
    });
  });
});

it('--port 80 builds the default resource without the port, and passes', async () => {
  const target = path.join(work, 'port-80');
  const result = await runCli([target, '--port', '80', ...OFFLINE]);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  expect(parseEnv(readFileSync(path.join(target, '.env'), 'utf8'))).toMatchObject({
    MCP_RESOURCE: 'http://localhost/mcp',
    PORT: '80',
  });
});

describe('a stdout closed early', () => {
  /** A package manager that records that it ran, and prints, as npm does. */
  const fakeNpm = () => {
    const bin = path.join(work, 'fake-npm');
    if (!existsSync(bin)) {
      mkdirSync(bin);
      writeFileSync(path.join(bin, 'npm'), '#!/bin/sh\necho ran > installed.marker\necho "added 1 package"\n', {
        mode: 0o755,
      });
    }
    return {
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
      NO_COLOR: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      npm_config_user_agent: '',
    };
  };

  it('before anything is printed (| true): the work still finishes, install and git included', async () => {
    const target = path.join(work, 'closed-pipe');
    const child = spawn('node', [CLI, target, '--issuer', ISSUER, '--skip-issuer-check', '--package-manager', 'npm'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...fakeNpm() },
    });
    child.stdout.destroy(); // the reading end is closed before the CLI writes anything
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const [exitCode] = await once(child, 'exit');
    expect(stderr).not.toMatch(/Unexpected error|EPIPE/);
    expect(exitCode).toBe(0);
    expect(existsSync(path.join(target, 'installed.marker'))).toBe(true);
    expect(existsSync(path.join(target, '.git'))).toBe(true);
  });

  it('after the first line (| head -1), through a real shell pipe: the exit code is the work’s', async () => {
    const target = path.join(work, 'head-pipe');
    const script = `set -o pipefail; node "$CLI" "$TARGET" --issuer ${ISSUER} --skip-issuer-check --package-manager npm | head -1`;
    const result = await execa('bash', ['-c', script], { env: { ...fakeNpm(), CLI, TARGET: target }, reject: false });
    expect(result.stdout.split('\n')).toHaveLength(1);
    expect(result.exitCode).toBe(0);
    expect(existsSync(path.join(target, 'installed.marker'))).toBe(true);
    expect(existsSync(path.join(target, '.git'))).toBe(true);
  });

  it('with --json, stdout is the result: the work finishes, but a result that could not be written exits 1', async () => {
    const target = path.join(work, 'closed-json');
    const script = `set -o pipefail; node "$CLI" "$TARGET" --issuer ${ISSUER} --skip-issuer-check --package-manager npm --json | true`;
    const result = await execa('bash', ['-c', script], { env: { ...fakeNpm(), CLI, TARGET: target }, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('stdout was closed before the JSON result was written; the work itself is done.');
    expect(existsSync(path.join(target, 'installed.marker'))).toBe(true);
    expect(existsSync(path.join(target, '.git'))).toBe(true);
  });

  it('--help | head exits 0: nothing was skipped', async () => {
    const result = await execa('bash', ['-c', 'set -o pipefail; node "$CLI" --help | head -1'], {
      env: { CLI },
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: create-logto-mcp/);
  });
});

describe('Ctrl-C during install', () => {
  it('stops the package manager, keeps the written project, says how to finish, and exits 130', async () => {
    const bin = path.join(work, 'slow-npm');
    mkdirSync(bin);
    // A package manager that says it started, then waits; on SIGINT it records that it was stopped.
    writeFileSync(
      path.join(bin, 'npm'),
      '#!/bin/sh\ntrap "echo stopped > ../npm-stopped.marker; exit 130" INT TERM\necho started > ../npm-started.marker\nwhile :; do sleep 0.1; done\n',
      { mode: 0o755 },
    );
    const target = path.join(work, 'interrupted-install', 'project');
    mkdirSync(path.dirname(target));
    const child = spawn(
      'node',
      [CLI, target, '--issuer', ISSUER, '--skip-issuer-check', '--package-manager', 'npm', '--no-git'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          PATH: `${bin}${path.delimiter}${process.env.PATH}`,
          NO_COLOR: '1',
          npm_config_user_agent: '',
        },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const started = path.join(work, 'interrupted-install', 'npm-started.marker');
    while (!existsSync(started)) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT'); // only the CLI: it must stop the package manager itself
    const [exitCode] = await once(child, 'exit');
    expect(exitCode).toBe(130);
    expect(stderr).toContain(`Interrupted while installing. The project is written in ${target}; install it with`);
    expect(stderr).toContain('npm install');
    expect(existsSync(path.join(target, 'package.json'))).toBe(true);
    const stopped = path.join(work, 'interrupted-install', 'npm-stopped.marker');
    for (let i = 0; i < 100 && !existsSync(stopped); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(stopped)).toBe(true);
  });
});
