import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otherCommands } from '../src/commands/other-commands.js';
import { listTree, makeTempDir, removeDir, runCli, startDiscoveryServer } from './support/cli.js';

const OFFLINE = ['--skip-issuer-check', '--no-install', '--no-git'];
const ISSUER = 'https://abc123.logto.app/oidc';
const packageVersion = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;

let work: string;
beforeAll(() => {
  work = makeTempDir('cli');
});
afterAll(() => removeDir(work));

describe('the built CLI', () => {
  it('--help lists every option and how to run it without prompts', async () => {
    const result = await runCli(['--help']);
    expect(result.exitCode).toBe(0);
    for (const flag of [
      '--issuer',
      '--resource',
      '--port',
      '--framework',
      '--transport',
      '--verifier',
      '--scopes',
      '--package-manager',
      '--no-install',
      '--no-git',
      '--yes',
      '--force',
      '--skip-issuer-check',
    ]) {
      expect(result.stdout).toContain(flag);
    }
    expect(result.stdout).toContain('Non-interactive usage');
  });

  it('lists every other command in --help and -yh, and runs each by the name it is listed under', async () => {
    const names = Object.keys(otherCommands);
    for (const name of names) expect((await otherCommands[name]!()).name).toBe(name);
    for (const helpFlag of ['--help', '-yh']) {
      const result = await runCli([helpFlag]);
      expect(result.exitCode).toBe(0);
      const commandsSection = result.stdout.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
      const listed = [...commandsSection.matchAll(/^ {2}([a-z]+) /gm)].map(([, name]) => name);
      expect(listed).toEqual(names);
    }
    for (const name of names) {
      const result = await runCli([name, '--help']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(`Usage: create-logto-mcp ${name} `);
    }
  });

  it('refuses a command name after flags, where it would be taken for the project folder, writing nothing', async () => {
    const result = await runCli(['--yes', 'doctor'], { cwd: work });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('doctor is a command: put it first (create-logto-mcp doctor [options])');
    expect(existsSync(path.join(work, 'doctor'))).toBe(false);
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(packageVersion);
  });

  it('generates a project from flags alone, with .env private and the generator stamped', async () => {
    const target = path.join(work, 'from-flags');
    const result = await runCli([
      target,
      '--issuer',
      ISSUER,
      '--scopes',
      'read:whoami,write:notes',
      '--port',
      '4100',
      ...OFFLINE,
    ]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('npm run dev');

    const files = listTree(target);
    expect(files).toEqual(
      expect.arrayContaining([
        '.env',
        '.env.example',
        '.gitignore',
        'package.json',
        'logto-mcp.json',
        'README.md',
        'tsconfig.json',
      ]),
    );
    expect(statSync(path.join(target, '.env')).mode & 0o777).toBe(0o600);
    expect(statSync(target).mode & 0o777).toBe(0o755);
    expect(parseEnv(readFileSync(path.join(target, '.env'), 'utf8'))).toMatchObject({
      LOGTO_ISSUER: ISSUER,
      MCP_RESOURCE: 'http://localhost:4100/mcp',
      MCP_REQUIRED_SCOPES: 'read:whoami write:notes',
      PORT: '4100',
    });
    expect(readFileSync(path.join(target, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
    const record = JSON.parse(readFileSync(path.join(target, 'logto-mcp.json'), 'utf8'));
    expect(record).toMatchObject({
      generator: { name: 'create-logto-mcp', version: packageVersion },
      framework: 'express',
      transport: 'streamable-http',
      verifier: 'jwt',
    });
    expect(JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8'))).toMatchObject({
      name: 'from-flags',
      engines: { node: '^20.19 || >=22.12' },
    });
    // Nothing left beside it from the staging step.
    expect(listTree(work).filter((file) => file.includes('-creating-'))).toEqual([]);
  });

  it('generates byte-identical projects from identical answers (workshops hand out many)', async () => {
    const args = ['--yes', '--issuer', ISSUER, '--port', '4200', ...OFFLINE];
    const first = path.join(work, 'seat-1', 'starter');
    const second = path.join(work, 'seat-2', 'starter');
    expect((await runCli([first, ...args])).exitCode).toBe(0);
    expect((await runCli([second, ...args])).exitCode).toBe(0);
    const files = listTree(first);
    expect(listTree(second)).toEqual(files);
    for (const file of files)
      expect(readFileSync(path.join(second, file)), file).toEqual(readFileSync(path.join(first, file)));
  });

  it('prints one JSON object with --json', async () => {
    const target = path.join(work, 'as-json');
    const result = await runCli([target, '--json', '--issuer', ISSUER, ...OFFLINE]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      projectDir: target,
      projectName: 'as-json',
      resource: 'http://localhost:3001/mcp',
      installed: false,
      git: 'skipped',
    });
  });

  it("refuses --verifier userinfo (the seed guide's design) with the reason and what to use instead, writing nothing", async () => {
    const target = path.join(work, 'userinfo');
    const result = await runCli([target, '--yes', '--issuer', ISSUER, '--verifier', 'userinfo', ...OFFLINE]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      '--verifier "userinfo" is not available: Logto\'s userinfo endpoint refuses access tokens issued for an API resource',
    );
    expect(result.stderr).toContain('Use --verifier jwt');
    expect(existsSync(target)).toBe(false);
    expect((await runCli(['--help'])).stdout.replace(/\s+/g, ' ')).toContain(
      'userinfo: not available, and choosing it says why',
    );
  });

  it('exits 1 naming the flag when a required answer is missing and there is no terminal', async () => {
    const target = path.join(work, 'missing');
    const result = await runCli([target, ...OFFLINE]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Missing --issuer/);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a folder with files in it, touching nothing, and writes into it with --force', async () => {
    const target = path.join(work, 'occupied');
    mkdirSync(target);
    writeFileSync(path.join(target, 'README.md'), 'my notes');
    writeFileSync(path.join(target, 'keep.txt'), 'keep me');

    const refused = await runCli([target, '--issuer', ISSUER, ...OFFLINE]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/is not empty.*--force/);
    expect(listTree(target)).toEqual(['README.md', 'keep.txt']);
    expect(readFileSync(path.join(target, 'README.md'), 'utf8')).toBe('my notes');

    const forced = await runCli([target, '--issuer', ISSUER, '--force', ...OFFLINE]);
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(path.join(target, 'keep.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(path.join(target, 'README.md'), 'utf8')).not.toBe('my notes');
    expect(statSync(path.join(target, '.env')).mode & 0o777).toBe(0o600);
  });

  it('keeps what register wrote when a project is generated again with --force', async () => {
    const target = path.join(work, 'regenerated');
    expect((await runCli([target, '--issuer', ISSUER, ...OFFLINE])).exitCode).toBe(0);
    // As `register` leaves it: the app ID in .env, the record of what it created in logto-mcp.json.
    writeFileSync(
      path.join(target, '.env'),
      `${readFileSync(path.join(target, '.env'), 'utf8')}LOGTO_APP_ID='app-123'\n`,
    );
    const record = JSON.parse(readFileSync(path.join(target, 'logto-mcp.json'), 'utf8'));
    writeFileSync(
      path.join(target, 'logto-mcp.json'),
      JSON.stringify({ ...record, logto: { created: { application: 'app-123' } } }),
    );

    const again = await runCli([target, '--issuer', 'https://other.logto.app/oidc', '--force', ...OFFLINE]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(
      'Kept from the existing project: LOGTO_APP_ID in .env, the Logto registration record in logto-mcp.json.',
    );
    expect(parseEnv(readFileSync(path.join(target, '.env'), 'utf8'))).toMatchObject({
      LOGTO_ISSUER: 'https://other.logto.app/oidc',
      LOGTO_APP_ID: 'app-123',
    });
    expect(JSON.parse(readFileSync(path.join(target, 'logto-mcp.json'), 'utf8'))).toMatchObject({
      generator: record.generator,
      logto: { created: { application: 'app-123' } },
    });
  });

  it('keeps a hostile folder name inert: only data files differ from a plain project, and they still parse', async () => {
    const hostile = path.join(work, 'a"b\'c`${process.exit(1)}');
    const plain = path.join(work, 'plain');
    expect((await runCli([hostile, '--issuer', ISSUER, ...OFFLINE])).exitCode).toBe(0);
    expect((await runCli([plain, '--issuer', ISSUER, ...OFFLINE])).exitCode).toBe(0);

    expect(listTree(hostile)).toEqual(listTree(plain));
    const differing = listTree(plain).filter(
      (file) => readFileSync(path.join(hostile, file), 'utf8') !== readFileSync(path.join(plain, file), 'utf8'),
    );
    expect(differing.every((file) => ['package.json', 'README.md'].includes(file))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(hostile, 'package.json'), 'utf8')).name).toBe('a-b-c-process.exit-1');
  });

  describe('issuer check', () => {
    it('accepts an issuer whose discovery document names it exactly', async () => {
      const server = await startDiscoveryServer((issuer) => ({
        status: 200,
        body: { issuer, jwks_uri: `${issuer}/jwks` },
      }));
      try {
        const result = await runCli([
          path.join(work, 'checked'),
          '--issuer',
          server.issuer,
          '--no-install',
          '--no-git',
        ]);
        expect(result.exitCode).toBe(0);
        expect(server.requests).toEqual(['/oidc/.well-known/openid-configuration']);
      } finally {
        await server.close();
      }
    });

    it('refuses an issuer whose discovery document names another, and says which to use', async () => {
      const server = await startDiscoveryServer((issuer) => ({
        status: 200,
        body: { issuer: `${issuer}-other`, jwks_uri: `${issuer}/jwks` },
      }));
      const target = path.join(work, 'mismatch');
      try {
        const result = await runCli([target, '--issuer', server.issuer, '--no-install', '--no-git']);
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toContain(`Use --issuer ${server.issuer}-other`);
        expect(existsSync(target)).toBe(false);
      } finally {
        await server.close();
      }
    });

    it.each([
      [404, { error: 'not found' }, /answered HTTP 404/],
      [200, 'not json', /did not return JSON/],
      [200, { issuer: 'SELF' }, /has no jwks_uri/],
    ])('refuses a host that answers %i %j', async (status, body, reason) => {
      const server = await startDiscoveryServer((issuer) => ({
        status,
        body: body === 'not json' ? '<html>' : JSON.parse(JSON.stringify(body).replace('SELF', issuer)),
      }));
      const target = path.join(work, `bad-${status}-${typeof body}`);
      try {
        const result = await runCli([target, '--issuer', server.issuer, '--no-install', '--no-git']);
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toMatch(reason);
        expect(result.stderr).toContain('--skip-issuer-check');
        expect(existsSync(target)).toBe(false);
      } finally {
        await server.close();
      }
    });

    it('goes on with a warning when the issuer cannot be reached', async () => {
      const server = await startDiscoveryServer(() => ({ status: 500, body: {} }));
      await server.close(); // nothing listens on this port any more
      const result = await runCli([path.join(work, 'offline'), '--issuer', server.issuer, '--no-install', '--no-git']);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toMatch(/Could not reach .*ECONNREFUSED.*going on/);
    });

    it('makes no request for a .invalid host and refuses plain http to a remote host before any request', async () => {
      const invalid = await runCli([
        path.join(work, 'invalid-host'),
        '--issuer',
        'https://tenant.invalid/oidc',
        '--no-install',
        '--no-git',
      ]);
      expect(invalid.exitCode).toBe(0);
      expect(invalid.stderr).toMatch(
        /Could not reach https:\/\/tenant\.invalid\/oidc \(the \.invalid domain never resolves\)/,
      );

      const insecure = await runCli([
        path.join(work, 'insecure'),
        '--issuer',
        'http://tenant.invalid/oidc',
        '--no-install',
        '--no-git',
      ]);
      expect(insecure.exitCode).toBe(1);
      expect(insecure.stderr).toMatch(/must use https unless its host is localhost/);
      expect(existsSync(path.join(work, 'insecure'))).toBe(false);
    });

    it('warns when the issuer does not end in /oidc', async () => {
      const result = await runCli([path.join(work, 'no-oidc'), '--issuer', 'https://auth.example.com', ...OFFLINE]);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toMatch(/does not end in \/oidc/);
    });
  });

  it('shows what the package manager printed when the install fails, and keeps the project', async () => {
    const fakeBin = path.join(work, 'fake-bin');
    mkdirSync(fakeBin);
    writeFileSync(path.join(fakeBin, 'npm'), '#!/bin/sh\necho "npm error fake registry failure" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const target = path.join(work, 'install-fails');
    const result = await runCli(
      [target, '--json', '--issuer', ISSUER, '--skip-issuer-check', '--package-manager', 'npm'],
      {
        env: { PATH: `${fakeBin}${path.delimiter}${process.env.PATH}` },
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /npm install failed\. The project is written; install it yourself with `cd .*install-fails && npm install`/,
    );
    expect(result.stderr).toContain('npm error fake registry failure');
    expect(existsSync(path.join(target, 'package.json'))).toBe(true);
    // The rest still happened, and --json still printed its one object.
    expect(existsSync(path.join(target, '.git'))).toBe(true);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ installed: false, errors: [expect.stringMatching(/npm install failed/)] });
  });

  describe('git', () => {
    it('commits when git has an identity, and only stages when it has none', async () => {
      const identity = path.join(work, 'gitconfig-with-identity');
      writeFileSync(identity, '[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n');
      const noIdentity = path.join(work, 'gitconfig-empty');
      writeFileSync(noIdentity, '');
      const gitEnv = (config: string) => ({ GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: '1' });

      const committed = path.join(work, 'git-committed');
      const first = await runCli([committed, '--issuer', ISSUER, '--skip-issuer-check', '--no-install'], {
        env: gitEnv(identity),
      });
      expect(first.exitCode).toBe(0);
      const log = await execa('git', ['log', '--format=%s'], { cwd: committed });
      expect(log.stdout).toBe('Initial commit from create-logto-mcp');
      const tracked = await execa('git', ['ls-files'], { cwd: committed });
      expect(tracked.stdout.split('\n')).not.toContain('.env');

      const staged = path.join(work, 'git-staged');
      const second = await runCli([staged, '--issuer', ISSUER, '--skip-issuer-check', '--no-install'], {
        env: { ...gitEnv(noIdentity), HOME: work },
      });
      expect(second.exitCode).toBe(0);
      expect(second.stderr).toMatch(/no user\.name\/user\.email.*staged/);
      const status = await execa('git', ['status', '--porcelain'], { cwd: staged, env: gitEnv(noIdentity) });
      expect(status.stdout).toMatch(/^A {2}package\.json$/m);
    });
  });
});
