// A cloned project's committed files (logto-mcp.json, .env.example, a tracked .env) are written by
// whoever can open a pull request. Through the built CLI: they never choose where the M2M credentials
// go, and IDs in them never make register or unregister touch what this project did not create.
import { execa } from 'execa';
import { appendFileSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newRegistrationKey, REGISTRATION_KEY } from '../src/register/ownership.js';
import { trustEndpoint } from '../src/register/trusted-endpoints.js';
import { makeTempDir, removeDir, runCli } from './support/cli.js';
import { makeProject, removeProjects } from './support/management-api-fixtures.js';
import { startManagementApiEmulator, type Emulator } from './support/management-api-emulator.js';
import { listenOnLoopback } from './support/ports.js';

const M2M_ID = 'clone-m2m';
const M2M_SECRET = 'm2m-secret-MUST-NOT-LEAVE-9d2e';
const credentials = { LOGTO_M2M_APP_ID: M2M_ID, LOGTO_M2M_APP_SECRET: M2M_SECRET };
const RESOURCE = 'http://localhost:3001/mcp';

/** A listener that records everything sent to it, and answers like a Logto that grants everything. */
async function startRecorder() {
  const requests: Array<{ method: string; url: string; authorization?: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(req.url === '/oidc/token' ? '{"access_token":"granted"}' : '[]');
  });
  const url = await listenOnLoopback(server);
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let emulator: Emulator;
let recorder: Awaited<ReturnType<typeof startRecorder>>;
let outside: string;
beforeAll(async () => {
  recorder = await startRecorder();
  outside = makeTempDir('outside');
});
afterAll(async () => {
  await recorder.close();
  await removeProjects();
  removeDir(outside);
});
beforeEach(async () => {
  emulator = await startManagementApiEmulator({
    m2mApps: [{ id: M2M_ID, secret: M2M_SECRET, managementAccess: true }],
  });
  // The user's own Logto, which they have used from this machine before; the recorder never is.
  await trustEndpoint(emulator.url);
  recorder.requests.length = 0;
});
afterEach(() => emulator.close());

const configPath = (dir: string) => path.join(dir, 'logto-mcp.json');
function plantRecord(dir: string, logto: unknown) {
  const config = JSON.parse(readFileSync(configPath(dir), 'utf8'));
  writeFileSync(configPath(dir), JSON.stringify({ ...config, logto }, null, 2));
}
const record = (endpoint: string, created: Record<string, unknown>) => ({
  endpoint,
  managementEndpoint: endpoint,
  managementResource: 'https://default.logto.app/api',
  created,
});
const snapshot = () =>
  structuredClone({
    ...emulator.state,
    consent: [...emulator.state.consent],
    signInExperiences: [...emulator.state.signInExperiences],
  });
const writes = () => emulator.requests.filter(({ method }) => method !== 'GET');
/** One line, the CLI's own message: no stack trace, no "Unexpected error". */
function expectOneCleanError(stderr: string) {
  expect(stderr).not.toMatch(/Unexpected error|TypeError|SyntaxError|\n\s+at /);
  expect(stderr).toMatch(/^✖ /);
}

/** What a third party and another project have in the tenant, which a hostile record names as "created". */
function plantOthersObjects() {
  emulator.state.applications.push({
    id: 'someone-elses-app',
    name: "Someone else's agent",
    description: null,
    type: 'Native',
    isThirdParty: true,
    oidcClientMetadata: { redirectUris: ['http://127.0.0.1/theirs'], postLogoutRedirectUris: [] },
    customClientMetadata: {},
    customData: {},
    createdAt: 0,
  });
  emulator.state.roles.push({
    id: 'admins',
    name: 'Tenant admins',
    description: 'Manage the tenant',
    type: 'User',
    isDefault: false,
  });
  emulator.state.rolesScopes.push({ roleId: 'admins', scopeId: 'management-api-all' });
}

describe("a clone's committed files never choose where the M2M credentials go", () => {
  it('no .env: register and unregister ignore .env.example and the record, send nothing, and say why', async () => {
    const dir = await makeProject({ issuer: `${recorder.url}/oidc` });
    rmSync(path.join(dir, '.env')); // a fresh clone: only the committed .env.example names an issuer
    plantRecord(
      dir,
      record(recorder.url, {
        application: 'someone-elses-app',
        role: 'admins',
        resource: 'management-api',
        scopeIds: ['management-api-all'],
      }),
    );

    const registered = await runCli(['register', dir], { env: credentials });
    expect(registered.exitCode).toBe(1);
    expect(registered.stderr).toMatch(/Missing --issuer .*\.env\.example is not read/s);
    expectOneCleanError(registered.stderr);

    const unregistered = await runCli(['unregister', dir, '--yes'], { env: credentials });
    expect(unregistered.exitCode).toBe(1);
    expect(unregistered.stderr).toMatch(/Missing --issuer .*\.env\.example is not read/s);

    expect(recorder.requests).toEqual([]);
    for (const output of [registered, unregistered]) expect(output.stdout + output.stderr).not.toContain(M2M_SECRET);
  });

  it("with the user's own .env, a record naming another endpoint is refused with the file and the field, before any request", async () => {
    const dir = await makeProject({ issuer: emulator.issuer });
    plantRecord(dir, record(recorder.url, { application: 'someone-elses-app' }));
    plantOthersObjects();

    const result = await runCli(['unregister', dir, '--yes'], { env: credentials });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'logto-mcp.json records the registration somewhere other than this run would send the M2M credentials',
    );
    expect(result.stderr).toContain(`"logto.endpoint" is "${recorder.url}"; this run uses "${emulator.url}"`);
    expect(result.stderr).toContain('Nothing was sent anywhere: a committed file does not choose where credentials go');
    expect(result.stderr).toContain(
      `If you trust the file's values, pass them yourself: --issuer ${recorder.url}/oidc --management-endpoint ${recorder.url}`,
    );
    expect(recorder.requests).toEqual([]);
    expect(emulator.requests).toEqual([]);
    expect(emulator.state.applications.map(({ id }) => id)).toEqual(['someone-elses-app']);
  });

  it('a .env committed to git came with the clone: it is not trusted either, and asking git runs nothing of the folder', async () => {
    const dir = await makeProject({ issuer: `${recorder.url}/oidc` });
    await execa('git', ['init', '-q'], { cwd: dir });
    await execa('git', ['add', '-f', '.env'], { cwd: dir });
    // A command git would run while reading the index, were the folder's own configuration obeyed.
    const marker = path.join(outside, 'fsmonitor-ran');
    await execa('git', ['config', 'core.fsmonitor', `touch ${marker}; false`], { cwd: dir });

    const result = await runCli(['register', dir], { env: credentials });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Missing --issuer .*\.env is committed to git/s);
    expect(recorder.requests).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('an issuer in .env that this machine never sent credentials to: maybe a copy of the committed .env.example', () => {
  it('a copied .env.example with no git around: refused without a terminal, naming the flag that confirms it; nothing is sent', async () => {
    const dir = await makeProject({ issuer: `${recorder.url}/oidc` });
    writeFileSync(path.join(dir, '.env'), readFileSync(path.join(dir, '.env.example'))); // as the README says: cp .env.example .env

    for (const args of [
      ['register', dir],
      ['unregister', dir, '--yes'],
    ]) {
      if (args[0] === 'unregister') plantRecord(dir, record(recorder.url, { application: 'someone-elses-app' }));
      const result = await runCli(args, { env: credentials });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        `LOGTO_ISSUER in the project's .env is ${recorder.url}/oidc: the M2M credentials would go to ${recorder.url}, where they have not been sent from this machine before.`,
      );
      expect(result.stderr).toContain(`pass --issuer ${recorder.url}/oidc (or set LOGTO_ISSUER). Nothing was sent.`);
      expectOneCleanError(result.stderr);
    }
    expect(recorder.requests).toEqual([]);
  });

  it('--issuer names it: then it is used, and remembered for the next run; .env exported into the shell does not count', async () => {
    const other = await startManagementApiEmulator({
      m2mApps: [{ id: M2M_ID, secret: M2M_SECRET, managementAccess: true }],
    });
    try {
      const dir = await makeProject({ issuer: other.issuer });
      expect((await runCli(['register', dir], { env: credentials })).exitCode).toBe(1);
      // LOGTO_ISSUER equal to .env's is .env exported (direnv, set -a), not a choice.
      expect((await runCli(['register', dir], { env: { ...credentials, LOGTO_ISSUER: other.issuer } })).exitCode).toBe(
        1,
      );
      expect(other.state.applications).toEqual([]);
      expect(other.requests).toEqual([]);

      expect((await runCli(['register', dir, '--issuer', other.issuer], { env: credentials })).exitCode).toBe(0);
      expect(other.state.applications).toHaveLength(1);
      const again = await runCli(['register', dir, '--json'], { env: credentials });
      expect(again.exitCode).toBe(0);
      expect(JSON.parse(again.stdout).application.status).toBe('existing');
    } finally {
      await other.close();
    }
  });
});

describe("IDs in logto-mcp.json are hints: Logto must show that an object is this project's", () => {
  it('unregister deletes nothing when the record names objects the project did not create, and names them', async () => {
    const dir = await makeProject({ issuer: emulator.issuer });
    appendFileSync(path.join(dir, '.env'), `${REGISTRATION_KEY}=${newRegistrationKey()}\n`); // as register leaves it
    plantOthersObjects();
    plantRecord(
      dir,
      record(emulator.url, {
        application: 'someone-elses-app',
        role: 'admins',
        resource: 'management-api',
        scopeIds: ['management-api-all'],
      }),
    );
    const before = snapshot();

    const result = await runCli(['unregister', dir, '--yes'], { env: credentials });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Nothing was removed: logto-mcp.json lists as created by register');
    expect(result.stderr).toContain(`application "Someone else's agent" (someone-elses-app)`);
    expect(result.stderr).toContain('role "Tenant admins" (admins)');
    expect(writes()).toEqual([]);
    expect(snapshot()).toEqual(before);
    expect(JSON.parse(readFileSync(configPath(dir), 'utf8')).logto.created.application).toBe('someone-elses-app');
  });

  it("register neither reuses nor changes an app or role the record names but Logto does not mark as this project's", async () => {
    const dir = await makeProject({ issuer: emulator.issuer });
    plantOthersObjects();
    plantRecord(dir, {
      ...record(emulator.url, { application: 'someone-elses-app', role: 'admins' }),
      application: { id: 'someone-elses-app', name: "Someone else's agent", type: 'Native', thirdParty: true },
      role: { id: 'admins', name: 'Tenant admins' },
    });
    const theirs = structuredClone({
      app: emulator.state.applications[0],
      roleScopes: emulator.state.rolesScopes.filter((r) => r.roleId === 'admins'),
    });

    const result = await runCli(['register', dir, '--json'], { env: credentials });

    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      'logto-mcp.json names an app someone-elses-app that Logto does not mark as made by this copy of the project',
    );
    expect(result.stderr).toContain(
      'logto-mcp.json names a role admins that Logto does not mark as made by this copy of the project',
    );
    const summary = JSON.parse(result.stdout);
    expect(summary.application.id).not.toBe('someone-elses-app');
    expect(summary.role.id).not.toBe('admins');
    expect(emulator.state.applications[0]).toEqual(theirs.app);
    expect(emulator.state.rolesScopes.filter((r) => r.roleId === 'admins')).toEqual(theirs.roleScopes);
    expect(emulator.state.consent.has('someone-elses-app')).toBe(false);
    expect(writes().some(({ path: p }) => p.includes('someone-elses-app') || p.includes('/roles/admins'))).toBe(false);
    // The record now lists only what Logto marks as this project's, so unregister removes exactly that.
    const removed = await runCli(['unregister', dir, '--yes', '--json'], { env: credentials });
    expect(removed.exitCode).toBe(0);
    expect(emulator.state.applications.map(({ id }) => id)).toEqual(['someone-elses-app']);
    expect(emulator.state.roles.map(({ id }) => id)).toEqual(['admins']);
  });

  it("two projects on the same resource URL (the default) cannot claim or delete each other's objects; the shared resource stays while used", async () => {
    const [a, b] = [await makeProject({ issuer: emulator.issuer }), await makeProject({ issuer: emulator.issuer })];
    expect((await runCli(['register', a], { env: credentials })).exitCode).toBe(0);
    const second = await runCli(['register', b, '--app-name', 'b MCP client', '--role-name', 'b user', '--json'], {
      env: credentials,
    });
    expect(second.exitCode).toBe(0);
    const [appA, appB] = emulator.state.applications;
    const [roleA] = emulator.state.roles;
    const resourceId = emulator.state.resources.find(({ indicator }) => indicator === RESOURCE)!.id;
    expect(JSON.parse(second.stdout).application.id).toBe(appB!.id);

    // b's record is changed to name a's objects as its own: refused, nothing removed.
    const bRecord = JSON.parse(readFileSync(configPath(b), 'utf8')).logto;
    plantRecord(b, { ...bRecord, created: { application: appA!.id, role: roleA!.id, resource: resourceId } });
    const before = snapshot();
    const refused = await runCli(['unregister', b, '--yes'], { env: credentials });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      `application "my-server MCP client" (${appA!.id}): not marked as made by this copy of the project`,
    );
    expect(refused.stderr).toContain(
      `role "my-server user" (${roleA!.id}): not marked as made by this copy of the project`,
    );
    expect(snapshot()).toEqual(before);

    // With its own record, b removes its app and role; the resource, which a created, stays.
    plantRecord(b, bRecord);
    const removedB = await runCli(['unregister', b, '--yes', '--json'], { env: credentials });
    expect(removedB.exitCode).toBe(0);
    expect(JSON.parse(removedB.stdout).kept).toEqual([{ kind: 'resource', id: resourceId }]);
    expect(emulator.state.applications.map(({ id }) => id)).toEqual([appA!.id]);
    expect(emulator.state.roles.map(({ id }) => id)).toEqual([roleA!.id]);
    expect(emulator.state.resources.some(({ id }) => id === resourceId)).toBe(true);

    // a created the resource: while b's role and app use it, a's unregister keeps it; once they are gone, it goes.
    expect(
      (await runCli(['register', b, '--app-name', 'b MCP client', '--role-name', 'b user'], { env: credentials }))
        .exitCode,
    ).toBe(0);
    const keptByA = await runCli(['unregister', a, '--yes', '--json'], { env: credentials });
    expect(JSON.parse(keptByA.stdout).kept).toEqual([
      { kind: 'resource', id: resourceId, reason: 'also used by role "b user", app "b MCP client"' },
    ]);
    expect(emulator.state.resources.some(({ id }) => id === resourceId)).toBe(true);
    expect((await runCli(['unregister', b, '--yes'], { env: credentials })).exitCode).toBe(0);
    expect(emulator.state.resources.some(({ id }) => id === resourceId)).toBe(true); // b did not create it
    expect(emulator.state.applications).toEqual([]);
  });

  it("a teammate's clone carries the author's signed record: it is not theirs, so their unregister leaves the author's resource alone", async () => {
    const author = await makeProject({ issuer: emulator.issuer });
    expect((await runCli(['register', author], { env: credentials })).exitCode).toBe(0);
    const resourceId = emulator.state.resources.find(({ indicator }) => indicator === RESOURCE)!.id;
    const [authorApp] = emulator.state.applications;
    const mate = await makeProject({ issuer: emulator.issuer });
    writeFileSync(configPath(mate), readFileSync(configPath(author))); // committed with the project

    const registered = await runCli(['register', mate, '--app-name', 'mate MCP client', '--role-name', 'mate user'], {
      env: credentials,
    });
    expect(registered.exitCode).toBe(0);
    expect(registered.stderr).toContain(
      'lists objects as created by register that this copy of the project did not record',
    );
    expect(JSON.parse(readFileSync(configPath(mate), 'utf8')).logto.created).not.toHaveProperty('resource');

    expect((await runCli(['unregister', mate, '--yes'], { env: credentials })).exitCode).toBe(0);
    expect(emulator.state.resources.some(({ id }) => id === resourceId)).toBe(true);
    expect(emulator.state.applications).toEqual([authorApp]);

    // Listing the author's resource as created by hand does not make it the mate's either: it is kept, with the reason.
    expect(
      (
        await runCli(['register', mate, '--app-name', 'mate MCP client', '--role-name', 'mate user'], {
          env: credentials,
        })
      ).exitCode,
    ).toBe(0);
    const mateRecord = JSON.parse(readFileSync(configPath(mate), 'utf8')).logto;
    plantRecord(mate, { ...mateRecord, created: { ...mateRecord.created, resource: resourceId } });
    const removed = await runCli(['unregister', mate, '--yes', '--json'], { env: credentials });
    expect(removed.exitCode).toBe(0);
    expect(JSON.parse(removed.stdout).kept).toContainEqual({
      kind: 'resource',
      id: resourceId,
      reason: "logto-mcp.json lists it, but not signed with this copy's key",
    });
    expect(emulator.state.resources.some(({ id }) => id === resourceId)).toBe(true);
  });

  it('a registration key copied from .env.example is not used: register makes a new one', async () => {
    const dir = await makeProject({ issuer: emulator.issuer });
    const planted = newRegistrationKey();
    for (const file of ['.env', '.env.example'])
      appendFileSync(path.join(dir, file), `${REGISTRATION_KEY}=${planted}\n`);
    expect((await runCli(['register', dir], { env: credentials })).exitCode).toBe(0);
    const key = parseEnv(readFileSync(path.join(dir, '.env'), 'utf8'))[REGISTRATION_KEY];
    expect(key).toMatch(/^[\w-]{22}$/);
    expect(key).not.toBe(planted);
    expect(JSON.stringify(emulator.state.applications[0]!.customData)).not.toContain(planted);
  });

  it("a fresh clone (no .env) registers the example's scopes, not none, and its new .env says so", async () => {
    const dir = await makeProject({ issuer: emulator.issuer, scopes: 'read:x write:y' });
    rmSync(path.join(dir, '.env'));
    const result = await runCli(['register', dir, '--issuer', emulator.issuer, '--resource', RESOURCE], {
      env: credentials,
    });
    expect(result.exitCode).toBe(0);
    expect(emulator.state.scopes.map(({ name }) => name)).toEqual(['all', 'read:x', 'write:y']);
    expect(parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).MCP_REQUIRED_SCOPES).toBe('read:x write:y');
  });

  it('register refuses to use the Management API itself as the MCP resource, before any request', async () => {
    const dir = await makeProject({ issuer: emulator.issuer, resource: 'https://default.logto.app/api' });
    const result = await runCli(['register', dir], { env: credentials });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("is one of Logto's own APIs");
    expect(emulator.requests).toEqual([]);
  });
});

describe('unregister lists what it will delete and asks; without a terminal it needs --yes', () => {
  it('refuses without --yes, listing the objects, then removes them with --yes', async () => {
    const dir = await makeProject({ issuer: emulator.issuer });
    expect((await runCli(['register', dir], { env: credentials })).exitCode).toBe(0);
    const before = snapshot();
    const app = emulator.state.applications[0]!;

    const refused = await runCli(['unregister', dir], { env: credentials });

    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain(`To remove from Logto at ${emulator.url}:`);
    expect(refused.stdout).toContain(`  - application "${app.name}" (${app.id})`);
    expect(refused.stdout).toMatch(/ {2}- role "my-server user" \(\w+\)/);
    expect(refused.stdout).toMatch(/ {2}- API resource http:\/\/localhost:3001\/mcp \(\w+\) and its scopes/);
    expect(refused.stderr).toContain('pass --yes to confirm (there is no terminal to ask in)');
    expect(snapshot()).toEqual(before);

    const removed = await runCli(['unregister', dir, '--yes'], { env: credentials });
    expect(removed.exitCode).toBe(0);
    expect(emulator.state.applications).toEqual([]);
    expect(emulator.state.resources.map(({ indicator }) => indicator)).not.toContain(RESOURCE);
  });
});

describe("the project's files under bad input", () => {
  it('refuses a .env that is a symbolic link, leaving its target as it was', async () => {
    const dir = await makeProject({ issuer: emulator.issuer });
    const target = path.join(outside, 'elsewhere.env');
    writeFileSync(target, readFileSync(path.join(dir, '.env')));
    const original = readFileSync(target, 'utf8');
    rmSync(path.join(dir, '.env'));
    symlinkSync(target, path.join(dir, '.env'));

    const result = await runCli(['register', dir], { env: credentials });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${path.join(dir, '.env')} is a symbolic link`);
    expectOneCleanError(result.stderr);
    expect(readFileSync(target, 'utf8')).toBe(original);
    expect(emulator.requests).toEqual([]);
  });

  it.each([
    ['null', 'must hold a JSON object'],
    ['[1, 2]', 'must hold a JSON object'],
    ['{"generator": ', 'is not valid JSON'],
    ['{"logto": null}', '"logto" is not what register writes'],
    [
      '{"logto": {"endpoint": 1, "managementEndpoint": "x", "managementResource": "y", "created": {}}}',
      '"logto.endpoint" is not what register writes',
    ],
    [
      '{"logto": {"endpoint": "a", "managementEndpoint": "b", "managementResource": "c", "created": {"scopeIds": "s1"}}}',
      '"logto.created.scopeIds" is not what register writes',
    ],
  ])('a logto-mcp.json of %s ends in one line naming the file, with no request', async (content, message) => {
    const dir = await makeProject({ issuer: emulator.issuer });
    writeFileSync(configPath(dir), content);
    for (const command of ['register', 'unregister']) {
      const result = await runCli([command, dir, '--yes'].slice(0, command === 'register' ? 2 : 3), {
        env: credentials,
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(configPath(dir));
      expect(result.stderr).toContain(message);
      expectOneCleanError(result.stderr);
    }
    expect(emulator.requests).toEqual([]);
  });
});

describe('a Management API that misbehaves, through the built CLI: one clear line, exit 1, nothing written', () => {
  /** Hands out a token, then answers every API call with `answer`; counts the calls. */
  async function misbehaving(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
    let calls = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      if (req.url === '/oidc/token')
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"t"}');
      calls++;
      answer(req, res);
    });
    const url = await listenOnLoopback(server);
    return { url, calls: () => calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it.each([
    [
      'answers HTML',
      (_q: http.IncomingMessage, res: http.ServerResponse) =>
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Welcome</html>'),
      'answered HTML, not JSON',
    ],
    [
      'answers null',
      (_q: http.IncomingMessage, res: http.ServerResponse) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('null'),
      'answered null',
    ],
    [
      'pages forever behind a lying Total-Number',
      (req: http.IncomingMessage, res: http.ServerResponse) => {
        const page = new URL(req.url!, 'http://x').searchParams.get('page');
        const metadata = { redirectUris: [], postLogoutRedirectUris: [] };
        const items = Array.from({ length: 100 }, (_, i) => ({
          id: `a${page}-${i}`,
          name: 'app',
          type: 'Native',
          isThirdParty: false,
          oidcClientMetadata: metadata,
        }));
        res
          .writeHead(200, { 'content-type': 'application/json', 'total-number': '1000000000' })
          .end(JSON.stringify(items));
      },
      'answered more than 100 pages',
    ],
    [
      'sends escape sequences in its error',
      (_q: http.IncomingMessage, res: http.ServerResponse) =>
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: 'x', message: 'bad\u001b[2J\u001b]0;pwned\u0007\u202e' })),
      'bad\\u{1b}[2J',
    ],
  ])('a Management API that %s', async (_name, answer, message) => {
    const server = await misbehaving(answer);
    try {
      const dir = await makeProject({ issuer: emulator.issuer });
      const before = readFileSync(configPath(dir), 'utf8');
      const result = await runCli(['register', dir, '--management-endpoint', server.url], { env: credentials });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(message);
      expectOneCleanError(result.stderr);
      expect(result.stderr + result.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
      expect(server.calls()).toBeLessThanOrEqual(101);
      expect(readFileSync(configPath(dir), 'utf8')).toBe(before);
    } finally {
      await server.close();
    }
  });
});

describe('what a hostile record or project file can still try', () => {
  it("unregister never takes Logto's own Management API for the project's resource, nor deletes its objects", async () => {
    const dir = await makeProject({ issuer: emulator.issuer, resource: 'https://default.logto.app/api' });
    plantRecord(dir, record(emulator.url, { resource: 'management-api', scopeIds: ['management-api-all'] }));
    const before = snapshot();

    const result = await runCli(['unregister', dir, '--yes'], { env: credentials });

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("is one of Logto's own APIs, not this server's; nothing was removed");
    expect(snapshot()).toEqual(before);
    expect(writes()).toEqual([]);
  });

  it('IDs in the record that are not plain Logto IDs (escape sequences) are refused before anything is printed or sent', async () => {
    const dir = await makeProject({ issuer: emulator.issuer });
    plantRecord(dir, record(emulator.url, { application: 'x\u001b]0;pwned\u0007' }));
    const result = await runCli(['unregister', dir, '--yes'], { env: credentials });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('"logto.created.application" is not what register writes');
    expect(result.stdout + result.stderr).not.toMatch(/[\u001b\u0007]/);
    expect(emulator.requests).toEqual([]);
  });

  it("a broken package.json is not register's business: the folder name is used", async () => {
    const dir = await makeProject({ issuer: emulator.issuer });
    writeFileSync(path.join(dir, 'package.json'), '{"name": ');
    const result = await runCli(['register', dir, '--json'], { env: credentials });
    expect(result.stderr).not.toMatch(/Unexpected error|SyntaxError/);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout).application.name).toBe(`${path.basename(dir)} MCP client`);
  });

  it('a symlinked .gitignore or .env.example is refused before any request, not after registering', async () => {
    for (const file of ['.gitignore', '.env.example']) {
      const dir = await makeProject({ issuer: emulator.issuer });
      rmSync(path.join(dir, file));
      symlinkSync(path.join(outside, 'anything'), path.join(dir, file));
      const result = await runCli(['register', dir], { env: credentials });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`${path.join(dir, file)} is a symbolic link`);
    }
    expect(emulator.requests).toEqual([]);
  });

  it('a .gitignore that un-ignores .env (!.env) gets .env ignored again, so the app secret is not committed', async () => {
    const dir = await makeProject({ issuer: emulator.issuer });
    writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n.env\n!.env\n');
    const result = await runCli(
      ['register', dir, '--app-type', 'traditional', '--redirect-uri', 'https://agent.invalid/cb'],
      { env: credentials },
    );
    expect(result.exitCode).toBe(0);
    await execa('git', ['init', '-q'], { cwd: dir });
    expect((await execa('git', ['check-ignore', '-q', '.env'], { cwd: dir, reject: false })).exitCode).toBe(0);
  });
});
