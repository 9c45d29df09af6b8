import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCommandLine, type CommandDefinition } from '../src/cli/command-line.js';
import { registerCommand } from '../src/commands/register.js';
import { unregisterCommand } from '../src/commands/unregister.js';
import { UsageError } from '../src/errors.js';
import type { RegisterOptions } from '../src/register/options.js';
import {
  registerCommandLines,
  registerProject,
  SECRET_PLACEHOLDER,
  type RegisterSummary,
} from '../src/register/register.js';
import { trustEndpoint } from '../src/register/trusted-endpoints.js';
import { unregisterProject } from '../src/register/unregister.js';
import { cliInvocation } from '../src/invocation.js';
import { createUi } from '../src/ui.js';
import { captureOutput, makeProject, registerOptionsFor, removeProjects } from './support/management-api-fixtures.js';
import { startManagementApiEmulator, type Emulator, type EmulatorOptions } from './support/management-api-emulator.js';

const M2M_ID = 'm2m-app';
const M2M_SECRET = 'm2m-secret-DO-NOT-PRINT-7c1f';
const RESOURCE = 'http://localhost:3001/mcp';

let emulator: Emulator;
let capture: ReturnType<typeof captureOutput>;
const sleep = vi.fn(async (_ms: number) => {});
afterAll(removeProjects);

async function start(options: EmulatorOptions = {}) {
  emulator = await startManagementApiEmulator({
    m2mApps: [{ id: M2M_ID, secret: M2M_SECRET, managementAccess: true }],
    ...options,
  });
  // The project's .env names it, as if the user had registered there before (see trusted-endpoints.ts).
  await trustEndpoint(emulator.url);
  return emulator;
}

function optionsFor(overrides: Partial<RegisterOptions> = {}): RegisterOptions {
  return registerOptionsFor(
    {
      m2mAppId: M2M_ID,
      m2mAppSecret: M2M_SECRET,
      issuer: emulator.issuer,
      resource: RESOURCE,
      scopes: ['read:whoami'],
    },
    overrides,
  );
}

async function register(
  projectDir: string,
  overrides: Partial<RegisterOptions> = {},
  json = false,
): Promise<RegisterSummary> {
  return registerProject({ projectDir, options: optionsFor(overrides), ui: createUi({ json }), json, deps: { sleep } });
}

/** Unregisters as the command does with --yes: the issuer and the resource from the project's .env. */
async function unregister(projectDir: string) {
  const env = await readEnv(projectDir);
  const getOptions = async () => ({
    m2mAppId: M2M_ID,
    m2mAppSecret: M2M_SECRET,
    issuer: env.LOGTO_ISSUER!,
    resource: env.MCP_RESOURCE!,
    yes: true,
  });
  return unregisterProject({ projectDir, getOptions, ui: createUi(), deps: { sleep } });
}

const writes = () => emulator.requests.filter(({ method }) => method !== 'GET');
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, any>;
const readEnv = async (dir: string) =>
  parseEnv(await readFile(path.join(dir, '.env'), 'utf8')) as Record<string, string>;

/** Every file of the project except .env, as text: none of them may hold a secret. */
async function filesOtherThanEnv(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((name) => name !== '.env');
  return (await Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8')))).join('\n');
}

beforeEach(() => {
  capture = captureOutput();
  sleep.mockClear();
});

afterEach(async () => {
  capture.restore();
  await emulator?.close();
});

/** A command run in this process as the CLI runs it: its arguments parsed, then its work. */
async function runCommandLine(command: CommandDefinition, args: string[]): Promise<void> {
  const commandLine = parseCommandLine(command, args);
  if (commandLine.kind !== 'run') throw new Error(`expected a run, got ${commandLine.kind}`);
  await command.run(commandLine.argument, commandLine.flags);
}

describe('register', () => {
  it('creates the resource, its scopes, a role, a third-party native app and its consent scopes on a first run', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });

    const summary = await register(dir);

    const { state } = emulator;
    const resource = state.resources.find(({ indicator }) => indicator === RESOURCE)!;
    const scope = state.scopes.find(({ resourceId }) => resourceId === resource.id)!;
    expect(scope.name).toBe('read:whoami');
    expect(state.roles).toEqual([expect.objectContaining({ name: 'my-server user', type: 'User', isDefault: false })]);
    expect(state.rolesScopes).toEqual([{ roleId: state.roles[0]!.id, scopeId: scope.id }]);
    const app = state.applications[0]!;
    expect(app).toMatchObject({ name: 'my-server MCP client', type: 'Native', isThirdParty: true });
    expect(app.oidcClientMetadata.redirectUris).toContain('http://127.0.0.1/callback');
    expect(state.consent.get(app.id)).toEqual({ userScopes: ['profile', 'email'], resourceScopes: [scope.id] });

    expect(summary).toMatchObject({
      logto: { endpoint: emulator.url, managementResource: 'https://default.logto.app/api', deployment: 'self-hosted' },
      resource: { id: resource.id, indicator: RESOURCE, status: 'created' },
      scopes: [{ id: scope.id, name: 'read:whoami', status: 'created' }],
      role: { name: 'my-server user', status: 'created' },
      application: { id: app.id, type: 'native', thirdParty: true, hasSecret: false, status: 'created' },
      consentScopes: { userScopes: ['profile', 'email'], resourceScopes: ['read:whoami'], status: 'created' },
    });

    const env = await readEnv(dir);
    expect(env.LOGTO_APP_ID).toBe(app.id);
    expect(env.LOGTO_APP_SECRET).toBeUndefined();
    expect(env.MCP_RESOURCE).toBe(RESOURCE);
    expect((await stat(path.join(dir, '.env'))).mode & 0o777).toBe(0o600);
    const { logto } = await readJson(path.join(dir, 'logto-mcp.json'));
    expect(logto).toMatchObject({
      endpoint: emulator.url,
      resource: { id: resource.id },
      role: { id: state.roles[0]!.id },
      application: { id: app.id },
      created: { resource: resource.id, role: state.roles[0]!.id, application: app.id },
    });
    expect(capture.output.stdout).toContain('Self-hosted Logto');
    expect(capture.output.stdout).toContain(`app ID ${app.id}`);
  });

  it('changes nothing on a re-run and reports what already existed', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    await register(dir);
    const before = structuredClone({ ...emulator.state, consent: [...emulator.state.consent], signInExperiences: [] });
    const envBefore = await readFile(path.join(dir, '.env'), 'utf8');
    emulator.requests.length = 0;
    capture.output.stdout = '';

    const summary = await register(dir);

    expect(writes()).toEqual([]);
    expect({ ...emulator.state, consent: [...emulator.state.consent], signInExperiences: [] }).toEqual(before);
    expect(await readFile(path.join(dir, '.env'), 'utf8')).toBe(envBefore);
    expect(summary.resource.status).toBe('existing');
    expect(summary.scopes[0]!.status).toBe('existing');
    expect(summary.role!.status).toBe('existing');
    expect(summary.application.status).toBe('existing');
    expect(summary.consentScopes!.status).toBe('existing');
    expect(capture.output.stdout).toContain('already existed: API resource');
  });

  it('reuses what exists and creates only what is missing (resource there, app missing)', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    emulator.state.resources.push({
      id: 'handmade',
      name: 'Made by hand',
      indicator: RESOURCE,
      isDefault: false,
      accessTokenTtl: 3600,
    });

    const summary = await register(dir);

    expect(summary.resource).toMatchObject({ id: 'handmade', status: 'existing' });
    expect(summary.scopes[0]!.status).toBe('created');
    expect(summary.application.status).toBe('created');
    expect(emulator.state.resources.filter(({ indicator }) => indicator === RESOURCE)).toHaveLength(1);

    // The app disappears (deleted in the console); a re-run brings it back and reuses the rest.
    emulator.state.applications.length = 0;
    const again = await register(dir);
    expect(again.application.status).toBe('created');
    expect(again.role!.status).toBe('existing');
    expect(emulator.state.applications).toHaveLength(1);
    expect((await readEnv(dir)).LOGTO_APP_ID).toBe(again.application.id);

    // Unregister removes what register created and keeps the resource that was there before.
    const removed = await unregister(dir);
    expect(removed.kept).toEqual([{ kind: 'resource', id: 'handmade' }]);
    expect(emulator.state.resources.map(({ id }) => id)).toContain('handmade');
    expect(emulator.state.scopes.filter(({ resourceId }) => resourceId === 'handmade')).toEqual([]);
    expect(emulator.state.applications).toEqual([]);
    expect(emulator.state.roles).toEqual([]);
  });

  it('--adopt finds an app of the same name beyond the first page instead of creating another', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    for (let index = 0; index < 150; index++) {
      emulator.state.applications.push({
        id: `app${index}`,
        name: index === 120 ? 'my-server MCP client' : `other ${index}`,
        description: null,
        type: 'Native',
        isThirdParty: true,
        oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
        customClientMetadata: {},
        customData: {},
        createdAt: 0,
      });
    }

    const summary = await register(dir, { adopt: true });

    expect(summary.application).toMatchObject({ id: 'app120', status: 'updated' });
    expect((await readJson(path.join(dir, 'logto-mcp.json'))).logto.created).not.toHaveProperty('application');
    expect(emulator.state.applications).toHaveLength(150);
    expect(emulator.requests.some(({ method, path: p }) => method === 'POST' && p === '/api/applications')).toBe(false);
    expect(
      emulator.requests
        .filter(({ path: p, method }) => method === 'GET' && p === '/api/applications')
        .map(({ query }) => query),
    ).toEqual(['?page=1&page_size=100', '?page=2&page_size=100']);
  });

  it('does not take an app or role of the same name that this project did not create: two projects called g1', async () => {
    await start();
    const first = await makeProject({ issuer: emulator.issuer });
    const firstSummary = await register(first, { projectName: 'g1' });
    const other = await makeProject({ issuer: emulator.issuer, resource: 'http://localhost:3002/mcp' });
    const otherOptions = { projectName: 'g1', resource: 'http://localhost:3002/mcp', scopes: ['tools:write'] };
    emulator.requests.length = 0;

    // Refused before anything is created, naming both and both ways out.
    const error = (await register(other, otherOptions).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(
      `an app named "g1 MCP client" (${firstSummary.application.id}) that this project did not create`,
    );
    expect(error.message).toContain(
      `a role named "g1 user" (${firstSummary.role!.id}) that this project did not create`,
    );
    expect(error.message).toContain('Pass --app-name <name> for a new one, or --adopt to reuse it.');
    expect(error.message).toContain('Pass --role-name <name> for a new one, or --adopt to reuse it.');
    expect(writes()).toEqual([]);
    expect((await readJson(path.join(other, 'logto-mcp.json'))).logto).toBeUndefined();

    // With names of its own it gets its own app and role; the first project's role grants only its own scope.
    const otherSummary = await register(other, {
      ...otherOptions,
      appName: 'g1 (2) MCP client',
      roleName: 'g1 (2) user',
    });
    expect(otherSummary.application).toMatchObject({ name: 'g1 (2) MCP client', status: 'created' });
    expect(otherSummary.role).toMatchObject({ name: 'g1 (2) user', status: 'created' });
    const granted = (roleId: string) =>
      emulator.state.rolesScopes.filter((grant) => grant.roleId === roleId).map(({ scopeId }) => scopeId);
    expect(granted(firstSummary.role!.id)).toEqual([firstSummary.scopes[0]!.id]);
    expect(granted(otherSummary.role!.id)).toEqual([otherSummary.scopes[0]!.id]);

    // A re-run of either finds its own by the recorded IDs, without --adopt.
    expect((await register(first, { projectName: 'g1' })).application).toMatchObject({
      id: firstSummary.application.id,
      status: 'existing',
    });
    expect((await register(other, otherOptions)).application).toMatchObject({
      id: otherSummary.application.id,
      status: 'existing',
    });

    // Unregistering one leaves the other's app and role alone.
    await unregister(first);
    expect(emulator.state.applications.map(({ id }) => id)).toEqual([otherSummary.application.id]);
    expect(emulator.state.roles.map(({ id }) => id)).toEqual([otherSummary.role!.id]);
  });

  it('--adopt reuses an app and role of the same name, records them as existing, and unregister keeps them', async () => {
    await start();
    const first = await makeProject({ issuer: emulator.issuer });
    const firstSummary = await register(first);
    const other = await makeProject({ issuer: emulator.issuer, resource: 'http://localhost:3002/mcp' });

    const summary = await register(other, { resource: 'http://localhost:3002/mcp', adopt: true });

    expect(summary.application).toMatchObject({ id: firstSummary.application.id, status: 'existing' });
    expect(summary.role).toMatchObject({ id: firstSummary.role!.id, status: 'updated' });
    const { logto } = await readJson(path.join(other, 'logto-mcp.json'));
    expect(logto).toMatchObject({
      application: { id: firstSummary.application.id },
      role: { id: firstSummary.role!.id },
    });
    expect(logto.created).toEqual({
      resource: summary.resource.id,
      scopeIds: [summary.scopes[0]!.id],
      profileClaims: true,
      signature: expect.any(String),
    });

    // The record names them, but a committed file is no proof: Logto marks them as the first project's, so a re-run needs --adopt again.
    await expect(register(other, { resource: 'http://localhost:3002/mcp' })).rejects.toThrow(
      /that this project did not create.*--adopt/,
    );
    expect((await register(other, { resource: 'http://localhost:3002/mcp', adopt: true })).role).toMatchObject({
      id: firstSummary.role!.id,
      status: 'existing',
    });

    // The adopted role and app are the first project's and now use this resource's scope too: the resource stays.
    const removed = await unregister(other);
    expect(removed.kept).toEqual([
      {
        kind: 'resource',
        id: summary.resource.id,
        reason: 'also used by role "my-server user", app "my-server MCP client"',
      },
      { kind: 'application', id: firstSummary.application.id },
      { kind: 'role', id: firstSummary.role!.id },
    ]);
    expect(emulator.state.applications.map(({ id }) => id)).toEqual([firstSummary.application.id]);
    expect(emulator.state.roles.map(({ id }) => id)).toEqual([firstSummary.role!.id]);
    expect((await readEnv(first)).LOGTO_APP_ID).toBe(firstSummary.application.id);
  });

  it('finishes a run interrupted right after creating the app, from the record, without --adopt or a second app', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    emulator.failNext('POST', /\/user-consent-scopes$/, 500, 1);
    await expect(register(dir)).rejects.toThrow(/kept failing/);
    expect(emulator.state.applications).toHaveLength(1);
    const { logto } = await readJson(path.join(dir, 'logto-mcp.json'));
    expect(logto.created).toMatchObject({
      application: emulator.state.applications[0]!.id,
      role: emulator.state.roles[0]!.id,
    });

    const summary = await register(dir);

    expect(summary.application).toMatchObject({ id: emulator.state.applications[0]!.id, status: 'existing' });
    expect(summary.consentScopes!.status).toBe('updated');
    expect(emulator.state.applications).toHaveLength(1);
    expect(emulator.state.roles).toHaveLength(1);
  });

  it('grants the scopes through a default role when asked, and adds missing scopes to an existing role', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    await register(dir);

    const summary = await register(dir, { scopes: ['read:whoami', 'tools:write'], defaultRole: true });

    expect(summary.scopes.map(({ name, status }) => [name, status])).toEqual([
      ['read:whoami', 'existing'],
      ['tools:write', 'created'],
    ]);
    expect(summary.role).toMatchObject({ isDefault: true, status: 'updated' });
    expect(emulator.state.roles[0]!.isDefault).toBe(true);
    expect(emulator.state.rolesScopes).toHaveLength(2);
    const consent = emulator.state.consent.get(summary.application.id)!;
    expect(consent.resourceScopes).toHaveLength(2);
    expect(summary.consentScopes!.status).toBe('updated');
  });

  it('registers the resource without a role when the server requires no scopes', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer, scopes: '' });

    const summary = await register(dir, { scopes: [] });

    expect(summary.role).toBeNull();
    expect(summary.scopes).toEqual([]);
    expect(emulator.state.roles).toEqual([]);
    expect(emulator.state.consent.get(summary.application.id)).toEqual({
      userScopes: ['profile', 'email'],
      resourceScopes: [],
    });
    // No empty list was ever sent.
    const consentPost = emulator.requests.find(
      ({ path: p, method }) => method === 'POST' && p.endsWith('/user-consent-scopes'),
    )!;
    expect(consentPost.body).toEqual({ userScopes: ['profile', 'email'] });
  });

  it('reads the secret of a traditional app from the secrets endpoint into .env only', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });

    const summary = await register(dir, {
      appType: 'traditional',
      redirectUri: ['https://agent.example.invalid/callback'],
    });

    const appSecret = emulator.state.secrets.find(
      ({ applicationId }) => applicationId === summary.application.id,
    )!.value;
    expect((await readEnv(dir)).LOGTO_APP_SECRET).toBe(appSecret);
    expect(summary.application).toMatchObject({ type: 'traditional', hasSecret: true });
    expect(summary.application).not.toHaveProperty('secret');
    expect(emulator.state.applications[0]!.oidcClientMetadata.redirectUris).toEqual([
      'https://agent.example.invalid/callback',
    ]);
    for (const text of [
      capture.output.stdout,
      capture.output.stderr,
      await filesOtherThanEnv(dir),
      JSON.stringify(summary),
    ]) {
      expect(text).not.toContain(appSecret);
      expect(text).not.toContain(M2M_SECRET);
    }
  });

  it('sets consent-screen branding for a third-party app, once', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    const branding = {
      appLogo: 'https://cdn.example.invalid/logo.png',
      termsUrl: 'https://example.invalid/terms',
      privacyUrl: 'https://example.invalid/privacy',
      displayName: 'My Server',
    };

    const first = await register(dir, branding);
    const second = await register(dir, branding);

    expect(first.branding).toEqual({ status: 'created' });
    expect(second.branding).toEqual({ status: 'existing' });
    expect(emulator.state.signInExperiences.get(first.application.id)).toMatchObject({
      branding: { logoUrl: branding.appLogo },
      termsOfUseUrl: branding.termsUrl,
      privacyPolicyUrl: branding.privacyUrl,
      displayName: 'My Server',
    });
  });

  it('registers a first-party app without consent scopes', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });

    const summary = await register(dir, { firstParty: true });

    expect(summary.application.thirdParty).toBe(false);
    expect(summary.consentScopes).toBeNull();
    expect(emulator.requests.some(({ path: p }) => p.endsWith('/user-consent-scopes'))).toBe(false);
  });

  it('switches on dynamic apps and sets their consent scopes on a Logto that has them', async () => {
    await start({ cimd: true });
    const dir = await makeProject({ issuer: emulator.issuer });

    const summary = await register(dir, { enableDynamicApps: true });

    expect(summary.dynamicApps).toEqual({ status: 'updated' });
    expect(emulator.state.cimd.enabled).toBe(true);
    expect(emulator.state.cimdConsent).toEqual({
      userScopes: ['profile', 'email'],
      resourceScopes: [summary.scopes[0]!.id],
    });
    expect((await register(dir, { enableDynamicApps: true })).dynamicApps).toEqual({ status: 'existing' });
  });

  it('refuses dynamic apps on a Logto without them, before creating anything', async () => {
    await start({ cimd: false });
    const dir = await makeProject({ issuer: emulator.issuer });

    await expect(register(dir, { enableDynamicApps: true })).rejects.toThrow(/does not support dynamic apps.*1\.43/);
    expect(writes()).toEqual([]);
  });
});

describe('unregister', () => {
  it('removes what register created, then finds nothing to remove on a re-run', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    await register(dir, { appType: 'traditional', redirectUri: ['https://agent.example.invalid/callback'] });

    const summary = await unregister(dir);

    expect(summary.removed.map(({ kind }) => kind)).toEqual(['application', 'role', 'claims-block', 'resource']);
    expect(emulator.state.jwtCustomizers).toEqual({});
    expect(emulator.state.applications).toEqual([]);
    expect(emulator.state.roles).toEqual([]);
    expect(emulator.state.resources.map(({ indicator }) => indicator)).toEqual(['https://default.logto.app/api']);
    expect(emulator.state.scopes.map(({ name }) => name)).toEqual(['all']);
    const env = await readEnv(dir);
    expect(env).not.toHaveProperty('LOGTO_APP_ID');
    expect(env).not.toHaveProperty('LOGTO_APP_SECRET');
    expect(env.LOGTO_ISSUER).toBe(emulator.issuer);
    expect(await readJson(path.join(dir, 'logto-mcp.json'))).not.toHaveProperty('logto');

    emulator.requests.length = 0;
    expect(await unregister(dir)).toMatchObject({ nothingRecorded: true, removed: [] });
    expect(emulator.requests).toEqual([]);
  });

  it('finishes on a re-run after failing half-way', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    await register(dir);
    emulator.failNext('DELETE', /^\/api\/roles\//, 500, 4);

    await expect(unregister(dir)).rejects.toThrow(/kept failing.*run the same command again/);
    expect(emulator.state.applications).toEqual([]);
    expect(emulator.state.roles).toHaveLength(1);

    const summary = await unregister(dir);
    expect(summary.alreadyGone.map(({ kind }) => kind)).toEqual(['application']);
    expect(summary.removed.map(({ kind }) => kind)).toEqual(['role', 'claims-block', 'resource']);
    expect(emulator.state.roles).toEqual([]);
  });
});

describe('register errors', () => {
  it('says when the endpoint is unreachable', async () => {
    const closed = await startManagementApiEmulator();
    const issuer = closed.issuer;
    await closed.close();
    emulator = await startManagementApiEmulator();
    const dir = await makeProject({ issuer });

    await expect(register(dir, { issuer })).rejects.toThrow(
      /Cannot reach Logto at http:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED/,
    );
  });

  it('says when TLS fails', async () => {
    await start();
    const issuer = emulator.issuer.replace('http:', 'https:');
    const dir = await makeProject({ issuer });

    const error = await register(dir, { issuer }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/TLS connection to https:\/\/127\.0\.0\.1:\d+ failed/);
  });

  it('says the M2M credentials were rejected (invalid_client), without the secret', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    const wrong = 'wrong-secret-9f2e';

    const error = (await register(dir, { m2mAppSecret: wrong }).catch((e: unknown) => e)) as Error;

    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/rejected the M2M credentials for app ID "m2m-app" \(invalid_client\)/);
    expect(error.message).not.toContain(wrong);
    expect(capture.output.stdout + capture.output.stderr).not.toContain(wrong);
  });

  it('names the resource to use on invalid_target', async () => {
    await start({ managementResource: 'https://abc123.logto.app/api' });
    const dir = await makeProject({ issuer: emulator.issuer });

    await expect(register(dir)).rejects.toThrow(
      /Management API resource https:\/\/default\.logto\.app\/api \(invalid_target\).*--tenant-id/,
    );
    const summary = await register(dir, { managementResource: 'https://abc123.logto.app/api' });
    expect(summary.logto.managementResource).toBe('https://abc123.logto.app/api');
  });

  it('says the M2M app lacks the Management API access role (403)', async () => {
    await start({ m2mApps: [{ id: M2M_ID, secret: M2M_SECRET, managementAccess: false }] });
    const dir = await makeProject({ issuer: emulator.issuer });

    await expect(register(dir)).rejects.toThrow(
      /"m2m-app" may not use the Management API \(GET \/api\/applications → 403 auth\.forbidden.*Logto Management API access/,
    );
  });

  it('tells a duplicate from a quota', async () => {
    await start({ applicationLimit: 0 });
    const dir = await makeProject({ issuer: emulator.issuer });
    await expect(register(dir)).rejects.toThrow(
      /quota is used up \(POST \/api\/applications → 403 subscription\.limit_exceeded/,
    );

    emulator.failNext('POST', /^\/api\/resources$/, 422, 1, 'entity.unique_integrity_violation');
    const other = await makeProject({ issuer: emulator.issuer, resource: 'http://localhost:3002/mcp' });
    await expect(
      register(other, { resource: 'http://localhost:3002/mcp', projectName: 'other-server' }),
    ).rejects.toThrow(/already exists \(POST \/api\/resources → 422 entity\.unique_integrity_violation/);
  });

  it('retries 5xx with bounded backoff, then gives up cleanly', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    emulator.failNext('GET', /^\/api\/resources$/, 503, 2);
    await register(dir);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([500, 1000]);

    sleep.mockClear();
    emulator.failNext('GET', /^\/api\/applications$/, 500, 4);
    await expect(register(dir)).rejects.toThrow(/kept failing \(GET \/api\/applications → 500/);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([500, 1000, 2000]);
    // A POST is not retried on a plain 500: it may have been applied.
    sleep.mockClear();
    emulator.failNext('POST', /^\/api\/resources$/, 500, 1);
    const other = await makeProject({ issuer: emulator.issuer, resource: 'http://localhost:3002/mcp' });
    await expect(
      register(other, { resource: 'http://localhost:3002/mcp', projectName: 'other-server' }),
    ).rejects.toThrow(/kept failing/);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('explains an old Logto that takes only traditional third-party apps', async () => {
    await start({ thirdPartyTypes: ['Traditional'] });
    const dir = await makeProject({ issuer: emulator.issuer });

    await expect(register(dir)).rejects.toThrow(/native and SPA ones need Logto 1\.35.*--app-type traditional/);
  });

  it('checks its input before any request', async () => {
    const fetchSpy = vi.fn<typeof fetch>();
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    const attempt = (overrides: Partial<RegisterOptions>) =>
      registerProject({
        projectDir: dir,
        options: optionsFor(overrides),
        ui: createUi(),
        deps: { fetch: fetchSpy, sleep },
      });

    await expect(attempt({ issuer: 'http://logto.example.invalid/oidc' })).rejects.toThrow(/must use https/);
    await expect(attempt({ issuer: 'https://logto.example.invalid/' })).rejects.toThrow(/does not end in \/oidc/);
    await expect(attempt({ tenantId: 'Not A Tenant' })).rejects.toThrow(/tenant ID/);
    await expect(attempt({ appType: 'traditional' })).rejects.toThrow(/needs at least one --redirect-uri/);
    await expect(attempt({ redirectUri: ['http://agent.example.invalid/cb'] })).rejects.toThrow(
      /--redirect-uri.*https/,
    );
    await expect(attempt({ managementEndpoint: 'http://mgmt.example.invalid' })).rejects.toThrow(
      /--management-endpoint.*https/,
    );
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('register and unregister commands', () => {
  const run = runCommandLine;

  it('register reads the project config and prints JSON for scripts, with the secret only when asked', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer, scopes: 'read:whoami' });
    vi.stubEnv('LOGTO_M2M_APP_SECRET', M2M_SECRET);
    try {
      const base = [
        dir,
        '--m2m-app-id',
        M2M_ID,
        '--app-type',
        'traditional',
        '--redirect-uri',
        'https://agent.example.invalid/callback',
        '--json',
      ];
      await run(registerCommand(), base);
      const summary = JSON.parse(capture.output.stdout) as RegisterSummary;
      expect(Object.keys(summary)).toEqual([
        'logto',
        'resource',
        'scopes',
        'role',
        'application',
        'consentScopes',
        'branding',
        'dynamicApps',
        'profileClaims',
        'assignedUsers',
        'files',
        'nextSteps',
      ]);
      expect(summary.resource).toEqual({ id: expect.any(String), indicator: RESOURCE, status: 'created' });
      expect(summary.application).not.toHaveProperty('secret');
      const appSecret = (await readEnv(dir)).LOGTO_APP_SECRET!;
      expect(capture.output.stdout + capture.output.stderr).not.toContain(appSecret);
      expect(capture.output.stdout + capture.output.stderr).not.toContain(M2M_SECRET);

      capture.output.stdout = '';
      await run(registerCommand(), [...base, '--show-secret']);
      const again = JSON.parse(capture.output.stdout) as RegisterSummary;
      expect(again.application).toMatchObject({ secret: appSecret, status: 'existing' });
      expect(await filesOtherThanEnv(dir)).not.toContain(appSecret);

      capture.output.stdout = '';
      await run(unregisterCommand(), [dir, '--m2m-app-id', M2M_ID, '--yes', '--json']);
      expect(JSON.parse(capture.output.stdout)).toMatchObject({
        removed: [{ kind: 'application' }, { kind: 'role' }, { kind: 'claims-block' }, { kind: 'resource' }],
        nothingRecorded: false,
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('register names the missing credential when there is no terminal to ask in', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    vi.stubEnv('LOGTO_M2M_APP_ID', '');
    vi.stubEnv('LOGTO_M2M_APP_SECRET', '');
    try {
      await expect(run(registerCommand(), [dir])).rejects.toThrow(/Missing --m2m-app-id.*LOGTO_M2M_APP_ID/);
      await expect(run(registerCommand(), [dir, '--m2m-app-id', M2M_ID])).rejects.toThrow(
        /Missing --m2m-app-secret.*LOGTO_M2M_APP_SECRET/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
    expect(emulator.requests).toEqual([]);
  });

  it('register refuses a folder that is not a generated project', async () => {
    await expect(
      run(registerCommand(), ['/nonexistent-folder', '--m2m-app-id', 'x', '--m2m-app-secret', 'y']),
    ).rejects.toThrow(/no logto-mcp\.json/);
  });

  it('register flags override the project config, with a warning when they differ', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    await run(registerCommand(), [
      dir,
      '--m2m-app-id',
      M2M_ID,
      '--m2m-app-secret',
      M2M_SECRET,
      '--resource',
      'http://localhost:4000/mcp',
      '--scopes',
      'a:b c:d',
    ]);
    expect(emulator.state.resources.map(({ indicator }) => indicator)).toContain('http://localhost:4000/mcp');
    expect(emulator.state.scopes.map(({ name }) => name)).toEqual(['all', 'a:b', 'c:d']);
    expect(capture.output.stderr).toMatch(/reads MCP_RESOURCE=http:\/\/localhost:3001\/mcp from \.env/);
  });

  it('unregister asks for nothing when nothing is recorded', async () => {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    await run(unregisterCommand(), [dir]);
    expect(capture.output.stdout).toContain('Nothing to remove');
  });
});

describe('registerCommandLines', () => {
  const options = () =>
    optionsFor({
      tenantId: 'abc123',
      appType: 'traditional',
      redirectUri: ["https://x.invalid/cb?a='1'"],
      defaultRole: true,
      adopt: true,
      displayName: 'My Server',
    });
  const command =
    `${cliInvocation()} register 'my server' --m2m-app-id m2m-app --tenant-id abc123 --app-type traditional ` +
    `--redirect-uri 'https://x.invalid/cb?a='\\''1'\\''' --default-role --adopt --display-name 'My Server'`;

  it('gives every register flag that was used, never the secret, and a line exporting it first', async () => {
    await start();
    const lines = registerCommandLines('my server', options(), {});
    expect(lines).toEqual([`export LOGTO_M2M_APP_SECRET=${SECRET_PLACEHOLDER}`, command]);
    expect(lines.join('\n')).not.toContain(M2M_SECRET);
  });

  it('leaves out the export line when LOGTO_M2M_APP_SECRET is set already', async () => {
    await start();
    expect(registerCommandLines('my server', options(), { LOGTO_M2M_APP_SECRET: 'set' })).toEqual([command]);
  });

  it('runs this CLI as it was started: node and the bin from a clone, npx from an installed package', () => {
    expect(cliInvocation('/home/me/create-logto-mcp/bin/create-logto-mcp.js')).toBe(
      'node /home/me/create-logto-mcp/bin/create-logto-mcp.js',
    );
    expect(cliInvocation('/home/me/my clone/bin/create-logto-mcp.js')).toBe(
      "node '/home/me/my clone/bin/create-logto-mcp.js'",
    );
    expect(cliInvocation('/home/me/.npm/_npx/1a2b/node_modules/create-logto-mcp/bin/create-logto-mcp.js')).toBe(
      'npx create-logto-mcp',
    );
  });
});

describe('register re-run: what the project registered is the default', () => {
  const run = (args: string[]) => runCommandLine(registerCommand(), args);
  const credentials = ['--m2m-app-id', M2M_ID, '--m2m-app-secret', M2M_SECRET];
  const AGENT = 'https://agent.example.invalid/callback';

  async function registeredTraditional() {
    await start();
    const dir = await makeProject({ issuer: emulator.issuer });
    await run([
      dir,
      ...credentials,
      '--app-type',
      'traditional',
      '--redirect-uri',
      AGENT,
      '--app-name',
      'Agent',
      '--role-name',
      'Agent users',
    ]);
    emulator.requests.length = 0;
    capture.output.stdout = '';
    return dir;
  }

  it('with no flags, keeps the traditional app, its redirect URIs, app and role names, and makes no write request', async () => {
    const dir = await registeredTraditional();
    const state = structuredClone(emulator.state);
    const envBefore = await readFile(path.join(dir, '.env'), 'utf8');
    await run([dir, ...credentials, '--json']);
    const summary = JSON.parse(capture.output.stdout) as RegisterSummary;
    expect(emulator.requests.length).toBeGreaterThan(0);
    expect(writes()).toEqual([]);
    expect(emulator.state).toEqual(state);
    expect(await readFile(path.join(dir, '.env'), 'utf8')).toBe(envBefore);
    expect(summary.application).toMatchObject({
      name: 'Agent',
      type: 'traditional',
      thirdParty: true,
      redirectUris: [AGENT],
      hasSecret: true,
      status: 'existing',
    });
    expect(summary.role).toMatchObject({ name: 'Agent users', status: 'existing' });
  });

  it('a --redirect-uri that differs replaces the list (PATCH); a new --app-name renames the app and role, in place', async () => {
    const dir = await registeredTraditional();
    const other = 'https://agent.example.invalid/other';
    await run([
      dir,
      ...credentials,
      '--redirect-uri',
      other,
      '--app-name',
      'Agent 2',
      '--role-name',
      'Agent 2 users',
      '--json',
    ]);
    const summary = JSON.parse(capture.output.stdout) as RegisterSummary;
    expect(writes().map(({ method, path: p }) => `${method} ${p}`)).toEqual([
      `PATCH /api/roles/${summary.role!.id}`,
      `PATCH /api/applications/${summary.application.id}`,
    ]);
    expect(emulator.state.applications).toHaveLength(1);
    expect(emulator.state.applications[0]).toMatchObject({
      name: 'Agent 2',
      type: 'Traditional',
      oidcClientMetadata: { redirectUris: [other] },
    });
    expect(emulator.state.roles.map(({ name }) => name)).toEqual(['Agent 2 users']);
    expect(summary.application.status).toBe('updated');
  });

  it('refuses what Logto cannot change (the app type, first or third party) with the reason, before any write', async () => {
    const dir = await registeredTraditional();
    await expect(run([dir, ...credentials, '--app-type', 'native'])).rejects.toThrow(
      /is a third-party Traditional app, not a third-party Native one, and Logto cannot change that/,
    );
    await expect(run([dir, ...credentials, '--first-party'])).rejects.toThrow(/not a first-party Traditional one/);
    expect(writes()).toEqual([]);
  });

  it('a registered traditional app deleted in the Console is not silently replaced by a native one', async () => {
    const dir = await registeredTraditional();
    emulator.state.applications = [];
    await expect(run([dir, ...credentials])).rejects.toThrow(
      /The Traditional app the project registered \(\w+\) is no longer in Logto.*--app-type and --redirect-uri/,
    );
    expect(writes()).toEqual([]);
    await run([dir, ...credentials, '--app-type', 'traditional', '--redirect-uri', AGENT]);
    expect(emulator.state.applications).toHaveLength(1);
  });

  it('--assign-user gives existing users (by username or email) the role once; an unknown one stops the run before anything is created', async () => {
    await start();
    emulator.state.users.push(
      { id: 'u1', username: 'alice', primaryEmail: null, name: null, customData: {}, password: null, createdAt: 0 },
      {
        id: 'u2',
        username: null,
        primaryEmail: 'bob@example.invalid',
        name: null,
        customData: {},
        password: null,
        createdAt: 0,
      },
    );
    const dir = await makeProject({ issuer: emulator.issuer });
    await expect(run([dir, ...credentials, '--assign-user', 'alice', '--assign-user', 'carol'])).rejects.toThrow(
      /No Logto user has the username or email carol/,
    );
    expect(writes()).toEqual([]);

    capture.output.stdout = '';
    await run([dir, ...credentials, '--assign-user', 'alice', '--assign-user', 'bob@example.invalid', '--json']);
    const summary = JSON.parse(capture.output.stdout) as RegisterSummary;
    expect(summary.assignedUsers).toEqual([
      { id: 'u1', username: 'alice', status: 'created' },
      { id: 'u2', username: null, status: 'created' },
    ]);
    expect(emulator.state.usersRoles).toEqual([
      { userId: 'u1', roleId: summary.role!.id },
      { userId: 'u2', roleId: summary.role!.id },
    ]);
    emulator.requests.length = 0;
    await run([dir, ...credentials, '--assign-user', 'alice']);
    expect(writes()).toEqual([]);
  });
});
