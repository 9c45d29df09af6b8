// register reads the tools' scopes from the project's tool-scopes.json (the file the generated server reads):
// it creates them on the API resource, grants them through the role and adds them to the consent scopes.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../src/errors.js';
import type { RegisterOptions } from '../src/register/options.js';
import { registerProject } from '../src/register/register.js';
import { trustEndpoint } from '../src/register/trusted-endpoints.js';
import { createUi } from '../src/ui.js';
import { captureOutput, makeProject, registerOptionsFor, removeProjects } from './support/management-api-fixtures.js';
import { startManagementApiEmulator, type Emulator } from './support/management-api-emulator.js';

const M2M = { id: 'm2m-app', secret: 'm2m-secret-DO-NOT-PRINT-7c1f', managementAccess: true };
const RESOURCE = 'http://localhost:3001/mcp';

let emulator: Emulator;
let capture: ReturnType<typeof captureOutput>;
afterAll(removeProjects);
beforeEach(async () => {
  capture = captureOutput();
  emulator = await startManagementApiEmulator({ m2mApps: [M2M] });
  await trustEndpoint(emulator.url);
});
afterEach(async () => {
  capture.restore();
  await emulator?.close();
});

function register(projectDir: string, overrides: Partial<RegisterOptions> = {}) {
  const options = registerOptionsFor(
    { m2mAppId: M2M.id, m2mAppSecret: M2M.secret, issuer: emulator.issuer, resource: RESOURCE, scopes: [] },
    overrides,
  );
  return registerProject({ projectDir, options, ui: createUi(), deps: { sleep: vi.fn(async () => {}) } });
}

async function projectWith(toolScopes: unknown, scopes = '') {
  const dir = await makeProject({ issuer: emulator.issuer, scopes });
  await writeFile(
    path.join(dir, 'tool-scopes.json'),
    typeof toolScopes === 'string' ? toolScopes : JSON.stringify(toolScopes),
  );
  return dir;
}

const resourceScopes = () => {
  const resource = emulator.state.resources.find(({ indicator }) => indicator === RESOURCE)!;
  return emulator.state.scopes.filter(({ resourceId }) => resourceId === resource.id);
};
const scopeNames = () =>
  resourceScopes()
    .map(({ name }) => name)
    .sort();

describe('register with tool-scopes.json', () => {
  it("creates each tool's scopes, grants them through the role, and adds them to the app's consent scopes", async () => {
    const dir = await projectWith({
      tools: { whoami: [], greet: ['greet:write'], notes: ['notes:read', 'greet:write'] },
    });
    const summary = await register(dir);

    const { state } = emulator;
    expect(scopeNames()).toEqual(['greet:write', 'notes:read']);
    const ids = resourceScopes()
      .map(({ id }) => id)
      .sort();
    expect(summary.scopes.map(({ name, status }) => ({ name, status }))).toEqual([
      { name: 'greet:write', status: 'created' },
      { name: 'notes:read', status: 'created' },
    ]);
    expect(summary.role).toMatchObject({ status: 'created' });
    expect(state.rolesScopes.map(({ scopeId }) => scopeId).sort()).toEqual(ids);
    expect([...state.consent.get(summary.application.id)!.resourceScopes].sort()).toEqual(ids);
    expect(summary.consentScopes).toMatchObject({ resourceScopes: ['greet:write', 'notes:read'] });
    // Said before anything is created.
    expect(capture.output.stderr + capture.output.stdout).toContain(
      'tool-scopes.json: greet needs greet:write, notes needs notes:read greet:write.',
    );
  });

  it('adds them to the required scopes, which stay the only required ones in .env', async () => {
    const dir = await projectWith({ tools: { whoami: [], greet: ['greet:write'] } }, 'read:whoami');
    const summary = await register(dir, { scopes: ['read:whoami'] });
    expect(summary.scopes.map(({ name }) => name)).toEqual(['read:whoami', 'greet:write']);
    expect(summary.consentScopes?.resourceScopes).toEqual(['read:whoami', 'greet:write']);
    expect(emulator.state.rolesScopes).toHaveLength(2);
  });

  it('a tool scope added later is created, granted and consented on the next run; the rest is left as it was', async () => {
    const dir = await projectWith({ tools: { whoami: [], greet: ['greet:write'] } });
    await register(dir);
    await writeFile(
      path.join(dir, 'tool-scopes.json'),
      JSON.stringify({ tools: { whoami: [], greet: ['greet:write'], notes: ['notes:read'] } }),
    );
    const summary = await register(dir);
    expect(summary.scopes.map(({ name, status }) => `${name} ${status}`)).toEqual([
      'greet:write existing',
      'notes:read created',
    ]);
    expect(summary.role?.status).toBe('updated');
    expect(summary.consentScopes?.status).toBe('updated');
    expect(emulator.state.rolesScopes).toHaveLength(2);
    expect(emulator.state.consent.get(summary.application.id)!.resourceScopes).toHaveLength(2);
  });

  it('without tool scopes or required scopes, no role is made (as before)', async () => {
    const summary = await register(await projectWith({ tools: { whoami: [] } }));
    expect(summary.scopes).toEqual([]);
    expect(summary.role).toBeNull();
  });

  it.each([
    ['not JSON', '{tools:', /tool-scopes\.json is not valid JSON/],
    ['no tools map', { greet: ['greet:write'] }, /tool-scopes\.json: .*"tools"/],
    ['an OpenID Connect scope', { tools: { greet: ['openid'] } }, /OpenID Connect scope/],
    ['offline_access', { tools: { greet: ['offline_access'] } }, /OpenID Connect scope/],
    ['a scope with a space', { tools: { greet: ['greet write'] } }, /not a valid OAuth scope/],
    ['a scope with a quote', { tools: { greet: ['greet"write'] } }, /not a valid OAuth scope/],
    ['a control character in a tool name', { tools: { 'gr\u001b[31meet': ['greet:write'] } }, /tool name/],
    ['scopes that are not a list', { tools: { greet: 'greet:write' } }, /tool-scopes\.json: "tools\.greet"/],
  ])('refuses %s, before sending anything', async (_, content, message) => {
    const dir = await projectWith(content);
    const error = await register(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\u001b');
    expect(emulator.requests).toEqual([]);
  });
});
