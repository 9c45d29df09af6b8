// register adds the user's profile claims to this server's access tokens through a block of the tenant's one
// custom access-token claims script (src/register/claims-script.ts), and unregister takes out only that block.
// The scripts are run as Logto runs them (runClaimsScript of the Logto-like issuer), so "still works" is checked
// by running, not by reading.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseScript, profileClaimsBlock, renderScript } from '../src/register/claims-script.js';
import type { RegisterOptions } from '../src/register/options.js';
import { registerCommandLines, registerProject } from '../src/register/register.js';
import { trustEndpoint } from '../src/register/trusted-endpoints.js';
import { unregisterProject } from '../src/register/unregister.js';
import { createUi } from '../src/ui.js';
import { runClaimsScript } from './support/logto-like-issuer.js';
import { captureOutput, makeProject, registerOptionsFor, removeProjects } from './support/management-api-fixtures.js';
import { startManagementApiEmulator, type Emulator, type EmulatorOptions } from './support/management-api-emulator.js';

const M2M = { id: 'm2m-app', secret: 'm2m-secret-DO-NOT-PRINT-7c1f', managementAccess: true };
const RESOURCE = 'http://localhost:3001/mcp';
const OTHER_RESOURCE = 'http://localhost:3002/mcp';
const USER = { id: 'u1', username: 'ada', name: 'Ada Lovelace', primaryEmail: 'ada@example.com' };
const PROFILE = { username: 'ada', name: 'Ada Lovelace', email: 'ada@example.com' };
/** A script someone wrote in the Console: an environment variable, and a denial for suspended users. */
const FOREIGN = [
  'const getCustomJwtClaims = async ({ token, context, environmentVariables, api }) => {',
  "  if (context.user.isSuspended) api.denyAccess('suspended');",
  '  return { tier: environmentVariables.TIER };',
  '};',
].join('\n');

let emulator: Emulator;
let capture: ReturnType<typeof captureOutput>;
afterAll(removeProjects);
beforeEach(() => {
  capture = captureOutput();
});
afterEach(async () => {
  capture.restore();
  await emulator?.close();
});

async function start(options: EmulatorOptions = {}) {
  emulator = await startManagementApiEmulator({ m2mApps: [M2M], ...options });
  await trustEndpoint(emulator.url);
}

function optionsFor(overrides: Partial<RegisterOptions> = {}): RegisterOptions {
  return registerOptionsFor(
    { m2mAppId: M2M.id, m2mAppSecret: M2M.secret, issuer: emulator.issuer, resource: RESOURCE, scopes: [] },
    overrides,
  );
}

const register = (projectDir: string, overrides: Partial<RegisterOptions> = {}) =>
  registerProject({
    projectDir,
    options: optionsFor(overrides),
    ui: createUi(),
    deps: { sleep: vi.fn(async () => {}) },
  });

async function unregister(projectDir: string) {
  const env = parseEnv(await readFile(path.join(projectDir, '.env'), 'utf8')) as Record<string, string>;
  const getOptions = async () => ({
    m2mAppId: M2M.id,
    m2mAppSecret: M2M.secret,
    issuer: env.LOGTO_ISSUER!,
    resource: env.MCP_RESOURCE!,
    yes: true,
  });
  return unregisterProject({ projectDir, getOptions, ui: createUi(), deps: { sleep: vi.fn(async () => {}) } });
}

const stored = () => emulator.state.jwtCustomizers['jwt.accessToken'];
const claimsRequests = () => emulator.requests.filter(({ path: p }) => p.startsWith('/api/configs/jwt-customizer'));
const writes = () => emulator.requests.filter(({ method }) => method !== 'GET');
/** What a user's access token for `aud` gets from the stored script, run as Logto runs it. */
const claimsFor = (
  aud: string,
  user: Record<string, unknown> = USER,
  environmentVariables: Record<string, string> = {},
) =>
  runClaimsScript(stored()!.script, {
    token: { aud, accountId: user.id, scope: '' },
    context: { user },
    environmentVariables,
  });
const keyOf = async (dir: string) =>
  (parseEnv(await readFile(path.join(dir, '.env'), 'utf8')) as Record<string, string>).LOGTO_REGISTRATION_KEY!;

describe('register: profile claims', () => {
  it("installs this server's block: username, name and email in tokens for its resource only, recorded as created", async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer, scopes: '' });

    const summary = await register(dir);

    expect(summary.profileClaims).toEqual({ claims: ['username', 'name', 'email'], status: 'created' });
    expect(claimsRequests().map(({ method, status }) => `${method} ${status}`)).toEqual(['GET 404', 'PUT 201']);
    const script = stored()!.script;
    expect(script).toContain(
      `// >>> create-logto-mcp block: profile claims for "${RESOURCE}", registration ${await keyOf(dir)}`,
    );
    expect(await claimsFor(RESOURCE)).toEqual(PROFILE);
    expect(await claimsFor(OTHER_RESOURCE)).toEqual({});
    // Only what the user has: no empty claims.
    expect(await claimsFor(RESOURCE, { id: 'u2', username: null, name: 'Bo', primaryEmail: null })).toEqual({
      name: 'Bo',
    });
    const { logto } = JSON.parse(await readFile(path.join(dir, 'logto-mcp.json'), 'utf8'));
    expect(logto.created).toMatchObject({ profileClaims: true, signature: expect.any(String) });
    expect(capture.output.stdout).toContain(`created: username, name, email in access tokens for ${RESOURCE}`);
  });

  it('changes nothing on a re-run (no write), and puts back its block when someone edited it', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer, scopes: '' });
    await register(dir);
    const script = stored()!.script;
    emulator.requests.length = 0;

    expect((await register(dir)).profileClaims).toMatchObject({ status: 'existing' });
    expect(writes()).toEqual([]);
    expect(stored()!.script).toBe(script);

    emulator.state.jwtCustomizers['jwt.accessToken'] = {
      script: script.replace('claims.email = user.primaryEmail', 'claims.mail = user.primaryEmail'),
    };
    expect((await register(dir)).profileClaims).toMatchObject({ status: 'updated' });
    expect(stored()!.script).toBe(script);
  });

  it('keeps a script someone wrote working beside its block, with its settings, and unregister puts it back as it was', async () => {
    await start();
    emulator.state.jwtCustomizers['jwt.accessToken'] = {
      script: FOREIGN,
      environmentVariables: { TIER: 'gold' },
      blockIssuanceOnError: true,
    };
    const dir = await makeProject({ issuer: emulator.issuer, scopes: '' });

    expect((await register(dir)).profileClaims).toMatchObject({ status: 'created' });

    // PATCH, so Logto keeps the environment variables and settings.
    expect(claimsRequests().map(({ method }) => method)).toEqual(['GET', 'PATCH']);
    expect(stored()).toMatchObject({ environmentVariables: { TIER: 'gold' }, blockIssuanceOnError: true });
    expect(stored()!.script).toContain(FOREIGN);
    expect(await claimsFor(RESOURCE, USER, { TIER: 'gold' })).toEqual({ tier: 'gold', ...PROFILE });
    expect(await claimsFor(OTHER_RESOURCE, USER, { TIER: 'gold' })).toEqual({ tier: 'gold' });
    // Its denial still stops the token.
    await expect(claimsFor(RESOURCE, { ...USER, isSuspended: true }, { TIER: 'gold' })).rejects.toThrow(
      /denyAccess: suspended/,
    );

    const summary = await unregister(dir);
    expect(summary.removed.map(({ kind }) => kind)).toContain('claims-block');
    expect(stored()).toEqual({ script: FOREIGN, environmentVariables: { TIER: 'gold' }, blockIssuanceOnError: true });
  });

  it("leaves another server's block in place through its own register and unregister; the last unregister deletes the script", async () => {
    await start();
    const mine = await makeProject({ issuer: emulator.issuer, scopes: '' });
    const other = await makeProject({ issuer: emulator.issuer, resource: OTHER_RESOURCE, scopes: '' });
    await register(other, { resource: OTHER_RESOURCE, projectName: 'other-server' });
    const otherBlock = profileClaimsBlock({ resource: OTHER_RESOURCE, key: await keyOf(other) });

    await register(mine);
    expect(stored()!.script).toContain(otherBlock.body);
    expect(await claimsFor(RESOURCE)).toEqual(PROFILE);
    expect(await claimsFor(OTHER_RESOURCE)).toEqual(PROFILE);
    expect(await claimsFor('https://api.example.com')).toEqual({});

    await unregister(mine);
    expect(stored()!.script).toBe(renderScript([otherBlock]));
    expect(await claimsFor(RESOURCE)).toEqual({});
    expect(await claimsFor(OTHER_RESOURCE)).toEqual(PROFILE);

    await unregister(other);
    expect(stored()).toBeUndefined();
    expect(claimsRequests().at(-1)).toMatchObject({ method: 'DELETE', status: 204 });
  });

  it('two copies of one project (same resource, different keys) each keep their own block', async () => {
    await start();
    const first = await makeProject({ issuer: emulator.issuer, scopes: '' });
    const second = await makeProject({ issuer: emulator.issuer, scopes: '' });
    await register(first);
    await register(second, { projectName: 'my-server copy' });
    expect(parseScript(stored()!.script)).toMatchObject({ ok: true, blocks: [{}, {}] });

    await unregister(first);
    expect(stored()!.script).toBe(renderScript([profileClaimsBlock({ resource: RESOURCE, key: await keyOf(second) })]));
  });

  it('--no-profile-claims does not touch the claims script, and the printed register command keeps the flag', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer, scopes: '' });

    const summary = await register(dir, { profileClaims: false });

    expect(summary.profileClaims).toBeNull();
    expect(claimsRequests()).toEqual([]);
    expect(registerCommandLines(dir, optionsFor({ profileClaims: false }), {}).at(-1)).toContain(
      ' --no-profile-claims',
    );
    expect(registerCommandLines(dir, optionsFor(), {}).at(-1)).not.toContain('profile-claims');
    await unregister(dir);
    expect(claimsRequests()).toEqual([]);
  });

  it('says in one line that the plan does not include custom JWT claims, and finishes the registration', async () => {
    await start({ customJwtEnabled: false });
    const dir = await makeProject({ issuer: emulator.issuer, scopes: '' });

    const summary = await register(dir);

    expect(summary.profileClaims).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('subscription.limit_exceeded'),
    });
    expect(claimsRequests().map(({ method, status }) => `${method} ${status}`)).toEqual(['GET 404', 'PUT 403']);
    const warnings = capture.output.stderr.split('\n').filter((line) => line.includes('custom JWT claims'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/plan does not include custom JWT claims.*registration goes on/);
    expect(summary.application.status).toBe('created');
    expect((parseEnv(await readFile(path.join(dir, '.env'), 'utf8')) as Record<string, string>).LOGTO_APP_ID).toBe(
      summary.application.id,
    );
    const { logto } = JSON.parse(await readFile(path.join(dir, 'logto-mcp.json'), 'utf8'));
    expect(logto.created).not.toHaveProperty('profileClaims');

    emulator.requests.length = 0;
    await unregister(dir);
    expect(claimsRequests()).toEqual([]);
  });

  it('leaves alone a script it cannot merge safely, says why, and finishes the registration', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer, scopes: '' });
    for (const script of [
      'const claims = async () => ({});',
      'const getCustomJwtClaims = async ( => {};',
      `${renderScript([])}// added by hand\n`,
    ]) {
      emulator.state.jwtCustomizers['jwt.accessToken'] = { script };
      capture.output.stderr = '';
      const summary = await register(dir);
      expect(summary.profileClaims).toMatchObject({ status: 'refused' });
      expect(capture.output.stderr).toMatch(/custom access-token claims script was left as it is \(.+\)/);
      expect(stored()).toEqual({ script });
      expect(writes().filter(({ path: p }) => p.startsWith('/api/configs'))).toEqual([]);
    }
  });

  it('unregister counts a block someone removed in the Console as already gone', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer, scopes: '' });
    await register(dir);
    delete emulator.state.jwtCustomizers['jwt.accessToken'];

    const summary = await unregister(dir);
    expect(summary.alreadyGone).toContainEqual({ kind: 'claims-block', id: RESOURCE });
  });
});
