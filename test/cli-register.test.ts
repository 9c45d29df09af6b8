import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_PLACEHOLDER } from '../src/register/register.js';
import { shell } from '../src/render/encoders.js';
import { CLI, listTree, makeTempDir, removeDir, runCli } from './support/cli.js';
import { startManagementApiEmulator, type Emulator } from './support/management-api-emulator.js';

// Registration through the built binary, against the Management API emulator on loopback.
const M2M_ID = 'workshop-m2m';
const M2M_SECRET = 'm2m-secret-NEVER-SHOWN-41d9';
const credentials = { LOGTO_M2M_APP_ID: M2M_ID, LOGTO_M2M_APP_SECRET: M2M_SECRET };

let emulator: Emulator;
let work: string;
beforeAll(async () => {
  emulator = await startManagementApiEmulator({
    m2mApps: [{ id: M2M_ID, secret: M2M_SECRET, managementAccess: true }],
  });
  work = makeTempDir('cli-register');
});
afterAll(async () => {
  await emulator.close();
  removeDir(work);
});

const createArgs = (dir: string, resource: string, { register = true } = {}) => [
  dir,
  '--issuer',
  emulator.issuer,
  '--resource',
  resource,
  '--scopes',
  'read:whoami',
  '--skip-issuer-check',
  '--no-install',
  '--no-git',
  ...(register ? ['--register'] : []),
];
const fileText = (dir: string) =>
  listTree(dir)
    .map((file) => readFileSync(path.join(dir, file), 'utf8'))
    .join('\n');
/** How the CLI names itself when run from this clone: never `npx create-logto-mcp`, which would fetch whatever holds that name. */
const invocation = `node ${shell(CLI)}`;
/** The indented lines printed after "To finish registering, run:". */
const finishingLines = (stderr: string) =>
  stderr
    .split('To finish registering, run:\n')[1]!
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.slice(2));
/** Runs text as a user pasting it into a shell would, with no M2M credentials in the environment but those given. */
const runInShell = (script: string, env: Record<string, string> = {}) =>
  execa('sh', ['-c', script], {
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1', npm_config_user_agent: '', LOGTO_M2M_APP_ID: '', LOGTO_M2M_APP_SECRET: '', ...env },
  });

describe('create --register, register and unregister as a user runs them', () => {
  it('creates the project and registers it: app ID in .env, IDs in logto-mcp.json, the secret nowhere', async () => {
    const dir = path.join(work, 'registered');
    const resource = 'http://localhost:3101/mcp';
    const result = await runCli(createArgs(dir, resource), { env: credentials });
    expect(result.stderr).not.toMatch(/✖/);
    expect(result.exitCode).toBe(0);

    const app = emulator.state.applications.find((a) => a.isThirdParty);
    expect(emulator.state.resources.map((r) => r.indicator)).toContain(resource);
    expect(app?.type).toBe('Native');
    expect(parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).LOGTO_APP_ID).toBe(app?.id);
    expect(result.stdout).toContain(`MCP clients sign in with the Logto app ${app?.id}`);
    expect(result.stdout).not.toContain('In Logto, create:');
    const record = JSON.parse(readFileSync(path.join(dir, 'logto-mcp.json'), 'utf8'));
    expect(JSON.stringify(record.logto)).toContain(app!.id);
    for (const text of [result.stdout, result.stderr, fileText(dir)]) expect(text).not.toContain(M2M_SECRET);
  });

  it('keeps the project when registration fails, and prints the command that finishes it (without the secret)', async () => {
    const dir = path.join(work, 'rejected');
    const result = await runCli(createArgs(dir, 'http://localhost:3102/mcp'), {
      env: { ...credentials, LOGTO_M2M_APP_SECRET: 'wrong-secret-XYZ' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Registration in Logto failed: .*credentials/i);
    // LOGTO_M2M_APP_SECRET is set already, so the command alone.
    expect(finishingLines(result.stderr)).toEqual([`${invocation} register ${shell(dir)} --m2m-app-id ${M2M_ID}`]);
    expect(result.stderr).not.toContain('npx');
    expect(`${result.stdout}${result.stderr}`).not.toContain('wrong-secret-XYZ');
    expect(existsSync(path.join(dir, 'package.json'))).toBe(true);

    // The printed command, run as printed with the right secret exported, finishes the job.
    const finish = await runInShell(finishingLines(result.stderr).join('\n'), { LOGTO_M2M_APP_SECRET: M2M_SECRET });
    expect(finish.stderr).not.toMatch(/✖/);
    expect(finish.exitCode).toBe(0);
    const appId = parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).LOGTO_APP_ID;
    expect(emulator.state.applications.find((app) => app.id === appId)?.name).toBe('rejected MCP client');
  });

  it('without LOGTO_M2M_APP_SECRET set, the finishing command starts by exporting it, and runs once the secret is filled in', async () => {
    const dir = path.join(work, 'rejected-flag');
    const result = await runCli(
      [...createArgs(dir, 'http://localhost:3105/mcp'), '--m2m-app-id', M2M_ID, '--m2m-app-secret', 'wrong-secret-XYZ'],
      {
        env: { LOGTO_M2M_APP_ID: '', LOGTO_M2M_APP_SECRET: '' },
      },
    );
    expect(result.exitCode).toBe(1);
    const lines = finishingLines(result.stderr);
    expect(lines).toEqual([
      `export LOGTO_M2M_APP_SECRET=${SECRET_PLACEHOLDER}`,
      `${invocation} register ${shell(dir)} --m2m-app-id ${M2M_ID}`,
    ]);
    expect(result.stderr).not.toContain('wrong-secret-XYZ');

    // The user replaces the placeholder with the secret and pastes both lines; nothing else is in the environment.
    const finish = await runInShell(lines.join('\n').replace(SECRET_PLACEHOLDER, M2M_SECRET));
    expect(finish.stderr).not.toMatch(/✖/);
    expect(finish.exitCode).toBe(0);
    const appId = parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).LOGTO_APP_ID;
    expect(emulator.state.applications.find((app) => app.id === appId)?.name).toBe('rejected-flag MCP client');
  });

  it('asks for nothing without a terminal: missing credentials exit 1 naming the flag and the variable, writing nothing', async () => {
    const dir = path.join(work, 'no-credentials');
    const result = await runCli(createArgs(dir, 'http://localhost:3103/mcp'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Missing --m2m-app-id.*LOGTO_M2M_APP_ID/);
    expect(existsSync(dir)).toBe(false);
  });

  it('register is idempotent and unregister removes what it created', async () => {
    const dir = path.join(work, 'lifecycle');
    expect(
      (
        await runCli([
          dir,
          '--issuer',
          emulator.issuer,
          '--resource',
          'http://localhost:3104/mcp',
          '--skip-issuer-check',
          '--no-install',
          '--no-git',
        ])
      ).exitCode,
    ).toBe(0);

    const first = await runCli(['register', dir, '--json'], { env: credentials });
    expect(first.exitCode).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.application.status).toBe('created');
    const unregisterLine = `${invocation} unregister ${shell(dir)}`;
    expect(summary.nextSteps).toContain(`To remove what register created: ${unregisterLine}`);
    expect(summary.application).not.toHaveProperty('secret');
    const countsAfterFirst = {
      resources: emulator.state.resources.length,
      applications: emulator.state.applications.length,
    };

    const again = await runCli(['register', dir, '--json'], { env: credentials });
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout).application.status).toBe('existing');
    expect({ resources: emulator.state.resources.length, applications: emulator.state.applications.length }).toEqual(
      countsAfterFirst,
    );

    // The printed unregister command, run as printed, plus --yes: there is no terminal here to confirm in.
    const removed = await runInShell(`${unregisterLine} --yes`, credentials);
    expect(removed.stderr).not.toMatch(/✖/);
    expect(removed.exitCode).toBe(0);
    expect(emulator.state.applications.some((a) => a.id === summary.application.id)).toBe(false);
    expect(emulator.state.resources.some((r) => r.indicator === 'http://localhost:3104/mcp')).toBe(false);
    expect(parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).LOGTO_APP_ID).toBeUndefined();
  });

  describe('an unwritable .env (immutable: root writes anywhere else), said with what Logto has', () => {
    const immutable = (file: string, on: boolean) => execFileSync('chattr', [on ? '+i' : '-i', file]);
    const createProject = async (dir: string, port: number) => {
      const created = await runCli(createArgs(dir, `http://localhost:${port}/mcp`, { register: false }));
      expect(created.exitCode, created.stderr).toBe(0);
      return path.join(dir, '.env');
    };
    const writes = (from: number) => emulator.requests.slice(from).filter((request) => request.method !== 'GET');

    it('before the run: nothing is sent to Logto, and nothing in the project changes', async () => {
      const dir = path.join(work, 'env-unwritable');
      const env = await createProject(dir, 3110);
      const before = { files: listTree(dir), env: readFileSync(env, 'utf8'), requests: emulator.requests.length };
      immutable(env, true);
      try {
        const result = await runCli(['register', dir], { env: credentials });
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toContain(
          `Cannot write ${env}: the operation is not permitted there (EPERM). Check that it and its folder are writable and the disk has room. Nothing was sent to Logto. Fix that, then run register again.`,
        );
        expect(result.stderr).not.toMatch(/\n\s+at /);
      } finally {
        immutable(env, false);
      }
      expect(emulator.requests.length).toBe(before.requests);
      expect({ files: listTree(dir), env: readFileSync(env, 'utf8') }).toEqual({
        files: before.files,
        env: before.env,
      });
    });

    it('during the run: says Logto has everything and a re-run finishes, which then writes .env and nothing in Logto', async () => {
      const dir = path.join(work, 'env-unwritable-later');
      const env = await createProject(dir, 3111);
      // The registration key goes into .env first; then, while the app is being created, .env becomes unwritable.
      let madeUnwritable = false;
      const forget = emulator.whenAnswering('POST', /^\/api\/applications$/, () => {
        immutable(env, true);
        madeUnwritable = true;
      });
      let result: Awaited<ReturnType<typeof runCli>>;
      try {
        result = await runCli(
          ['register', dir, '--app-type', 'traditional', '--redirect-uri', 'https://agent.example/callback'],
          { env: credentials },
        );
      } finally {
        forget();
        if (madeUnwritable) immutable(env, false);
      }
      expect(madeUnwritable, result.stderr).toBe(true);
      const app = emulator.state.applications.find((a) => a.name === 'env-unwritable-later MCP client')!;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        `Logto has everything (the app is ${app.id}), but the project's .env could not be updated: Cannot write ${env}: the operation is not permitted there (EPERM).`,
      );
      expect(result.stderr).toContain('writes the app ID and secret to .env.');
      const secret = emulator.state.secrets.find((s) => s.applicationId === app.id)!.value;
      for (const text of [result.stdout, result.stderr, fileText(dir)]) expect(text).not.toContain(secret);
      expect(parseEnv(readFileSync(env, 'utf8')).LOGTO_APP_ID).toBeUndefined();
      expect(listTree(dir).filter((file) => file.endsWith('.tmp'))).toEqual([]);

      const from = emulator.requests.length;
      const again = await runCli(['register', dir], { env: credentials });
      expect(again.stderr).not.toMatch(/✖/);
      expect(again.exitCode).toBe(0);
      expect(writes(from)).toEqual([]);
      expect(parseEnv(readFileSync(env, 'utf8'))).toMatchObject({ LOGTO_APP_ID: app.id, LOGTO_APP_SECRET: secret });
    });
  });

  it('two projects called g1 in different folders do not share an app or role unless --adopt is given', async () => {
    const [a, b] = ['a', 'b'].map((folder) => path.join(work, folder, 'g1'));
    for (const [dir, port] of [
      [a, 3106],
      [b, 3107],
    ] as const) {
      expect((await runCli(createArgs(dir!, `http://localhost:${port}/mcp`, { register: false }))).exitCode).toBe(0);
    }
    const registered = await runCli(['register', a!, '--json'], { env: credentials });
    expect(registered.exitCode).toBe(0);
    const own = JSON.parse(registered.stdout);
    const counts = () => ({
      resources: emulator.state.resources.length,
      roles: emulator.state.roles.length,
      applications: emulator.state.applications.length,
    });
    const before = counts();

    const refused = await runCli(['register', b!], { env: credentials });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      `an app named "g1 MCP client" (${own.application.id}) that this project did not create`,
    );
    expect(refused.stderr).toContain('Pass --role-name <name> for a new one, or --adopt to reuse it.');
    expect(counts()).toEqual(before);

    const adopted = await runCli(['register', b!, '--adopt', '--json'], { env: credentials });
    expect(adopted.exitCode).toBe(0);
    expect(JSON.parse(adopted.stdout)).toMatchObject({
      application: { id: own.application.id, status: 'existing' },
      role: { id: own.role.id },
    });

    const removed = await runCli(['unregister', b!, '--yes', '--json'], { env: credentials });
    expect(removed.exitCode).toBe(0);
    // The adopted role and app are a's and now use b's scope too: b's resource stays.
    expect(JSON.parse(removed.stdout).kept).toEqual([
      { kind: 'resource', id: expect.any(String), reason: 'also used by role "g1 user", app "g1 MCP client"' },
      { kind: 'application', id: own.application.id },
      { kind: 'role', id: own.role.id },
    ]);
    expect(emulator.state.applications.some(({ id }) => id === own.application.id)).toBe(true);
    expect(emulator.state.roles.some(({ id }) => id === own.role.id)).toBe(true);
  });
});
