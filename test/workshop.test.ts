// `create-logto-mcp workshop`, through the built CLI, against the strict Management API emulator.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listTree, makeTempDir, removeDir, runCli } from './support/cli.js';
import { startManagementApiEmulator, type Emulator, type EmulatorState } from './support/management-api-emulator.js';

const M2M = { id: 'ws-m2m', secret: 'ws-m2m-secret-DO-NOT-PRINT-41d9', managementAccess: true };
const root = makeTempDir('workshop');
const config = makeTempDir('workshop-config');
// The CLI remembers the Logto endpoints it may send credentials to under XDG_CONFIG_HOME.
const env = { LOGTO_M2M_APP_ID: M2M.id, LOGTO_M2M_APP_SECRET: M2M.secret, XDG_CONFIG_HOME: config };
afterAll(() => {
  removeDir(root);
  removeDir(config);
});

let emulator: Emulator;
let snapshot: EmulatorState;
let folder: string;
let n = 0;
beforeEach(async () => {
  emulator = await startManagementApiEmulator({ m2mApps: [M2M] });
  snapshot = structuredClone(emulator.state);
  folder = path.join(root, `ws${++n}`);
});
afterEach(() => emulator.close());

const workshop = (...args: string[]) => runCli(['workshop', folder, '--yes', ...args], { env });
const firstRun = (count: number, ...more: string[]) =>
  workshop(
    '--issuer',
    emulator.issuer,
    '--skip-issuer-check',
    '--scopes',
    'read:whoami',
    '--attendees',
    String(count),
    '--register',
    '--users',
    ...more,
  );
const writes = () => emulator.requests.filter(({ method }) => method !== 'GET');
const appsOf = (state: EmulatorState) => state.applications;
const envOf = (name: string) =>
  parseEnv(readFileSync(path.join(folder, name, '.env'), 'utf8')) as Record<string, string>;
const csv = () =>
  readFileSync(path.join(folder, 'attendees.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(','));

/** Every file of the workshop (the starters' git objects included) except attendees.csv, as text. */
function everyOtherFile(): string {
  return listTree(folder)
    .filter((file) => file !== 'attendees.csv')
    .map((file) => readFileSync(path.join(folder, file)).toString('latin1'))
    .join('\n');
}

describe('workshop', () => {
  it('generates byte-identical starters (apart from their names), each a git repository with a first commit, without installing', async () => {
    const result = await workshop(
      '--issuer',
      'https://logto.example.invalid/oidc',
      '--skip-issuer-check',
      '--attendees',
      '3',
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const names = ['attendee-01', 'attendee-02', 'attendee-03'];
    expect(readdirSync(folder).sort()).toEqual(
      ['.gitignore', '.workshop-key', ...names, 'attendees.csv', 'workshop.json'].sort(),
    );
    const tree = (name: string) => listTree(path.join(folder, name)).filter((file) => !file.startsWith('.git/'));
    expect(tree('attendee-02')).toEqual(tree('attendee-01'));
    expect(tree('attendee-01')).not.toContain('node_modules/.package-lock.json');
    for (const file of tree('attendee-01')) {
      const [a, b] = names.slice(0, 2).map((name) => readFileSync(path.join(folder, name, file), 'utf8'));
      expect(b!.replaceAll('attendee-02', 'attendee-01').replaceAll('attendee\\-02', 'attendee\\-01'), file).toBe(a);
    }
    for (const name of names)
      expect(
        listTree(path.join(folder, name)).some((file) => file.startsWith('.git/refs/heads/')),
        name,
      ).toBe(true);
    expect(emulator.requests).toEqual([]);
    expect(result.stdout).toMatch(/attendee-03 +\S+attendee-03 +3001/);
  });

  it('--register --users: one resource, role and claims block, an app and a user per attendee; re-run writes nothing; 5 adds two; --cleanup restores Logto', async () => {
    const result = await firstRun(3);
    expect(result.exitCode, result.stderr).toBe(0);
    const { state } = emulator;
    expect(state.resources.map(({ indicator }) => indicator)).toEqual([
      emulator.managementResource,
      'http://localhost:3001/mcp',
    ]);
    expect(state.scopes.map(({ name }) => name).sort()).toEqual(['all', 'greet:write', 'read:whoami']);
    expect(state.roles).toHaveLength(1);
    expect(appsOf(state)).toHaveLength(3);
    expect(state.users).toHaveLength(3);
    expect(state.usersRoles).toEqual(state.users.map(({ id }) => ({ userId: id, roleId: state.roles[0]!.id })));
    expect(state.jwtCustomizers['jwt.accessToken']?.script).toContain('http://localhost:3001/mcp');
    const apps = ['attendee-01', 'attendee-02', 'attendee-03'].map((name) => {
      const app = appsOf(state).find(({ id }) => id === envOf(name).LOGTO_APP_ID)!;
      expect(app, name).toMatchObject({ name: `${name} MCP client`, type: 'Native', isThirdParty: true });
      expect(state.consent.get(app.id)?.resourceScopes).toHaveLength(2);
      return app.id;
    });
    expect(new Set(apps).size).toBe(3);

    // attendees.csv: the owner's only; the passwords are the users' and appear nowhere else.
    expect(statSync(path.join(folder, 'attendees.csv')).mode & 0o777).toBe(0o600);
    const rows = csv();
    expect(rows[0]).toEqual(['name', 'folder', 'app_id', 'username', 'password']);
    expect(rows.slice(1).map((row) => row.slice(0, 4))).toEqual(
      ['01', '02', '03'].map((i, k) => [`attendee-${i}`, `attendee-${i}`, apps[k], `ws${n}_attendee_${i}`]),
    );
    const passwords = rows.slice(1).map((row) => row[4]!);
    expect(state.users.map(({ password }) => password)).toEqual(passwords);
    for (const password of passwords) expect(password).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z\d]{20}$/);
    const others = everyOtherFile();
    for (const secret of [...passwords, M2M.secret]) {
      expect(result.stdout + result.stderr).not.toContain(secret);
      expect(others).not.toContain(secret);
    }

    // A re-run finds everything and writes nothing.
    const before = structuredClone(emulator.state);
    emulator.requests.length = 0;
    const again = await workshop();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(emulator.requests.length).toBeGreaterThan(0);
    expect(writes()).toEqual([]);
    expect(emulator.state).toEqual(before);
    expect(csv()).toEqual(rows);

    // Raising --attendees adds the new ones only; --json holds the passwords only with --show-secret.
    const more = await workshop('--attendees', '5', '--json');
    expect(more.exitCode, more.stderr).toBe(0);
    expect(appsOf(emulator.state)).toHaveLength(5);
    expect(emulator.state.users).toHaveLength(5);
    expect(emulator.state.resources).toHaveLength(2);
    expect(emulator.state.roles).toHaveLength(1);
    const manifest = JSON.parse(more.stdout) as {
      attendees: Array<{ name: string; appId: string; password?: string }>;
    };
    expect(manifest.attendees.map(({ name }) => name)).toEqual(
      ['01', '02', '03', '04', '05'].map((i) => `attendee-${i}`),
    );
    expect(manifest.attendees.every((attendee) => !('password' in attendee))).toBe(true);
    const shown = JSON.parse((await workshop('--json', '--show-secret')).stdout) as typeof manifest;
    expect(shown.attendees.map(({ password }) => password)).toEqual(
      csv()
        .slice(1)
        .map((row) => row[4]),
    );

    // --cleanup removes exactly what the workshop made, and says what; without a terminal only with --yes.
    const unconfirmed = await runCli(['workshop', folder, '--cleanup'], { env });
    expect(unconfirmed.exitCode).toBe(1);
    expect(unconfirmed.stderr).toMatch(
      /--cleanup would remove what the workshop created in Logto \(5 apps, 5 users, .*pass --yes/,
    );
    expect(emulator.state.applications).toHaveLength(5);
    const cleaned = await workshop('--cleanup');
    expect(cleaned.exitCode, cleaned.stderr).toBe(0);
    expect(emulator.state).toEqual(snapshot);
    expect(cleaned.stdout.match(/removed user/g)).toHaveLength(5);
    expect(cleaned.stdout.match(/removed application/g)).toHaveLength(5);
    expect(cleaned.stdout).toMatch(/removed role[\s\S]*removed claims-block[\s\S]*removed resource/);
    expect(envOf('attendee-02').LOGTO_APP_ID).toBeUndefined();
    expect(readdirSync(folder)).toContain('attendee-05');
    expect(
      csv()
        .slice(1)
        .every((row) => row[4] === ''),
    ).toBe(true);
  });

  it('an interrupted run (a quota at the third app) says so, and the same command completes it without duplicates', async () => {
    emulator.failNext('POST', /^\/api\/applications$/, 403, 1, 'subscription.limit_exceeded', 2);
    const failed = await firstRun(4);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/limit|quota/i);
    expect(failed.stderr).toContain('The workshop is not complete');
    expect(failed.stderr).toContain('Run the same command again to finish it');
    expect(appsOf(emulator.state)).toHaveLength(2);
    expect(JSON.parse(readFileSync(path.join(folder, 'workshop.json'), 'utf8')).incomplete).toMatch(/limit|quota/i);

    const completed = await workshop();
    expect(completed.exitCode, completed.stderr).toBe(0);
    expect(appsOf(emulator.state)).toHaveLength(4);
    expect(emulator.state.users).toHaveLength(4);
    expect(emulator.state.roles).toHaveLength(1);
    expect(
      new Set(['attendee-01', 'attendee-02', 'attendee-03', 'attendee-04'].map((name) => envOf(name).LOGTO_APP_ID))
        .size,
    ).toBe(4);
    expect(JSON.parse(readFileSync(path.join(folder, 'workshop.json'), 'utf8'))).not.toHaveProperty('incomplete');
  });

  it('Ctrl-C while writing the starters: the same command writes the rest, each committed once', async () => {
    const { execa } = await import('execa');
    const { CLI } = await import('./support/cli.js');
    const args = [
      CLI,
      'workshop',
      folder,
      '--yes',
      '--issuer',
      'https://logto.example.invalid/oidc',
      '--skip-issuer-check',
      '--attendees',
      '20',
    ];
    const child = execa(process.execPath, args, { env: { ...env, NO_COLOR: '1' }, reject: false, stdin: 'ignore' });
    const generated = () => {
      try {
        return (
          JSON.parse(readFileSync(path.join(folder, 'workshop.json'), 'utf8')) as {
            attendees: Array<{ generated: boolean }>;
          }
        ).attendees.filter((a) => a.generated).length;
      } catch {
        return 0; // not written yet
      }
    };
    // Stopped as soon as its first manifest is written (before the first starter): SIGINT is then handled the
    // moment it resumes, so it is interrupted part-way however fast or loaded the machine is.
    while (!existsSync(path.join(folder, 'workshop.json')) && child.exitCode === null)
      await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGSTOP');
    child.kill('SIGINT');
    child.kill('SIGCONT');
    const stopped = await child;
    expect(stopped.exitCode ?? stopped.signal, 'the run ended before it could be interrupted').not.toBe(0);
    expect(generated()).toBeLessThan(20);

    const completed = await workshop();
    expect(completed.exitCode, completed.stderr).toBe(0);
    expect(generated()).toBe(20);
    expect(
      readdirSync(folder)
        .filter((name) => name.startsWith('.'))
        .sort(),
    ).toEqual(['.gitignore', '.workshop-key']);
    const { execaSync } = await import('execa');
    for (let i = 1; i <= 20; i++) {
      const dir = path.join(folder, `attendee-${String(i).padStart(2, '0')}`);
      expect(execaSync('git', ['rev-list', '--count', 'HEAD'], { cwd: dir }).stdout, dir).toBe('1');
      expect(execaSync('git', ['status', '--porcelain'], { cwd: dir }).stdout, dir).toBe('');
    }
  });

  it('refuses bad input before writing anything: a name that cannot be a folder, --users without --register, no attendees', async () => {
    const names = path.join(root, `names-${n}.txt`);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(names, 'Ana\n../escape\n');
    const base = ['--issuer', 'https://logto.example.invalid/oidc', '--skip-issuer-check'];
    const bad = await workshop(...base, '--names', names);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/--names: "\.\.\/escape" cannot be a folder name/);
    const users = await workshop(...base, '--attendees', '2', '--users');
    expect(users.stderr).toMatch(/--users makes Logto users, which needs --register/);
    const none = await workshop(...base);
    expect(none.stderr).toMatch(/pass --attendees <n> or --names <file>/);
    expect(existsSync(folder)).toBe(false);

    writeFileSync(names, 'Ana\nBruno Costa\n');
    const named = await workshop(...base, '--names', names, '--attendees', '3');
    expect(named.exitCode, named.stderr).toBe(0);
    expect(
      readdirSync(folder)
        .filter((name) => !name.includes('.'))
        .sort(),
    ).toEqual(['Ana', 'Bruno Costa', 'attendee-01']);
    expect(JSON.parse(readFileSync(path.join(folder, 'Bruno Costa', 'package.json'), 'utf8')).name).toBe('bruno-costa');
  });

  it('refuses a changed workshop.json, and a re-run flag that differs from the recorded answers, doing nothing', async () => {
    expect((await firstRun(2)).exitCode).toBe(0);
    emulator.requests.length = 0;
    const changed = await workshop('--framework', 'hono');
    expect(changed.exitCode).toBe(1);
    expect(changed.stderr).toMatch(/generated with framework express; a re-run cannot change it/);
    const file = path.join(folder, 'workshop.json');
    const text = readFileSync(file, 'utf8');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, text.replace('"http://localhost:3001/mcp"', '"http://localhost:3999/mcp"'));
    const tampered = await workshop('--cleanup');
    expect(tampered.exitCode).toBe(1);
    expect(tampered.stderr).toMatch(/is not signed with this workshop's \.workshop-key/);
    expect(emulator.requests).toEqual([]);
  });

  it('a re-run takes a recorded --no-git without it being repeated (it does not read as a change)', async () => {
    const base = ['--issuer', 'https://logto.example.invalid/oidc', '--skip-issuer-check'];
    expect((await workshop(...base, '--no-git', '--attendees', '1')).exitCode).toBe(0);
    const more = await workshop('--attendees', '2');
    expect(more.exitCode, more.stderr).toBe(0);
    expect(existsSync(path.join(folder, 'attendee-02', 'package.json'))).toBe(true);
    expect(existsSync(path.join(folder, 'attendee-02', '.git'))).toBe(false);
  });

  it('--distinct-ports: each starter its own port, resource and claims block; one role grants them all; each app consents to its own', async () => {
    const result = await firstRun(3, '--distinct-ports');
    expect(result.exitCode, result.stderr).toBe(0);
    const { state } = emulator;
    const resources = ['3001', '3002', '3003'].map((port) => `http://localhost:${port}/mcp`);
    expect(state.resources.map(({ indicator }) => indicator)).toEqual([emulator.managementResource, ...resources]);
    expect(state.roles).toHaveLength(1);
    expect(state.rolesScopes).toHaveLength(6);
    ['attendee-01', 'attendee-02', 'attendee-03'].forEach((name, i) => {
      expect(envOf(name)).toMatchObject({ PORT: String(3001 + i), MCP_RESOURCE: resources[i] });
      const resourceId = state.resources.find(({ indicator }) => indicator === resources[i])!.id;
      const consented = state.consent.get(envOf(name).LOGTO_APP_ID!)!.resourceScopes;
      expect(consented.map((id) => state.scopes.find((scope) => scope.id === id)!.resourceId)).toEqual([
        resourceId,
        resourceId,
      ]);
    });
    for (const resource of resources) expect(state.jwtCustomizers['jwt.accessToken']?.script).toContain(resource);
    emulator.requests.length = 0;
    expect((await workshop()).exitCode).toBe(0);
    expect(writes()).toEqual([]);
    const cleaned = await workshop('--cleanup');
    expect(cleaned.exitCode, cleaned.stderr).toBe(0);
    expect(emulator.state).toEqual(snapshot);
  });
});

describe('the default port beside a self-hosted Logto on 3001', () => {
  it('create and workshop move the server to 3002 and say so; a given --port or --resource is kept', async () => {
    const issuer = 'http://127.0.0.1:3001/oidc';
    const dir = path.join(root, 'beside-logto');
    const created = await runCli(
      [dir, '--yes', '--issuer', issuer, '--skip-issuer-check', '--no-install', '--no-git'],
      { env },
    );
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stdout).toContain(
      "listens on port 3001 (self-hosted Logto's default), so the server gets port 3002",
    );
    expect(parseEnv(readFileSync(path.join(dir, '.env'), 'utf8'))).toMatchObject({
      PORT: '3002',
      MCP_RESOURCE: 'http://localhost:3002/mcp',
    });

    const kept = await runCli(
      [`${dir}-kept`, '--yes', '--issuer', issuer, '--skip-issuer-check', '--no-install', '--no-git', '--port', '3001'],
      { env },
    );
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stdout).not.toContain('so the server gets port');
    expect(parseEnv(readFileSync(path.join(`${dir}-kept`, '.env'), 'utf8')).PORT).toBe('3001');

    const ws = await runCli(
      [
        'workshop',
        path.join(root, 'ws-beside'),
        '--yes',
        '--issuer',
        issuer,
        '--skip-issuer-check',
        '--attendees',
        '1',
      ],
      { env },
    );
    expect(ws.exitCode, ws.stderr).toBe(0);
    expect(ws.stdout).toContain('so the server gets port 3002');
    expect(parseEnv(readFileSync(path.join(root, 'ws-beside', 'attendee-01', '.env'), 'utf8')).PORT).toBe('3002');
  });
});
