// `create-logto-mcp doctor`, through the built CLI, against the reference resource server (healthy, and with each
// misconfiguration doctor knows produced on purpose), the Logto-like issuer, and for the Logto checks the
// Management API emulator holding what register created.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/doctor/check.js';
import { makeTempDir, removeDir, runCli } from './support/cli.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer } from './support/logto-like-issuer.js';
import { startManagementApiEmulator, type Emulator } from './support/management-api-emulator.js';
import { startReferenceServer, type ReferenceServerOptions as ReferenceOptions, type ReferenceServer } from './support/reference-resource-server.js';

const M2M_ID = 'doctor-m2m';
const M2M_SECRET = 'doctor-m2m-secret-NEVER-SHOWN';
let issuer: LogtoLikeIssuer;
let healthy: ReferenceServer;
let home: string;
const servers: ReferenceServer[] = [];

beforeAll(async () => {
  issuer = await startLogtoLikeIssuer({ resources: {} });
  healthy = await startReferenceServer({ issuer: issuer.issuer });
  home = makeTempDir('doctor-home');
});
afterAll(async () => {
  for (const server of [healthy, ...servers]) await server?.close();
  await issuer?.close();
  if (home) removeDir(home);
});

interface Report {
  ok: boolean;
  checks: Check[];
}

async function doctor(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const result = await runCli(['doctor', ...args, '--json'], { cwd, env: { XDG_CONFIG_HOME: home, LOGTO_ISSUER: '', LOGTO_M2M_APP_ID: '', LOGTO_M2M_APP_SECRET: '', ...env } });
  const report = JSON.parse(result.stdout) as Report;
  const check = (id: string) => {
    const found = report.checks.find((c) => c.id === id);
    if (!found) throw new Error(`no check ${id} in ${JSON.stringify(report.checks.map((c) => c.id))}`);
    return found;
  };
  return { ...result, report, check };
}

async function misconfigured(misconfigure: NonNullable<ReferenceOptions['misconfigure']>): Promise<ReferenceServer> {
  const server = await startReferenceServer({ issuer: issuer.issuer, misconfigure });
  servers.push(server);
  return server;
}

describe('doctor: the server and the issuer', () => {
  it('passes a healthy server, and skips the Logto checks saying why', async () => {
    const { exitCode, report, check } = await doctor([healthy.url], { LOGTO_ISSUER: issuer.issuer });
    expect(exitCode).toBe(0);
    expect(report.ok).toBe(true);
    for (const id of ['server.challenge', 'server.cors', 'server.metadata.served', 'server.challenge.metadata', 'server.metadata.resource', 'server.metadata.authorization-servers', 'server.metadata.scopes', 'server.metadata.offline-access', 'issuer.advertised', 'issuer.discovery', 'issuer.exact', 'issuer.jwks']) {
      expect(check(id).status, `${id}: ${check(id).detail}`).toBe('pass');
    }
    // The discovery URLs MCP clients try for an issuer with a path, in their order, and which answered.
    const origin = issuer.origin;
    expect(check('issuer.discovery').detail).toContain(`${origin}/.well-known/oauth-authorization-server/oidc → HTTP 404; ${origin}/.well-known/openid-configuration/oidc → HTTP 404; ${issuer.issuer}/.well-known/openid-configuration → HTTP 200`);
    expect(check('issuer.jwks').detail).toContain('ES384');
    expect(check('logto.connect')).toMatchObject({ status: 'skipped', detail: expect.stringContaining('no M2M credentials') });
  });

  it('prints the checklist with the fix under each finding', async () => {
    const server = await misconfigured({ resource: (origin) => `${origin}/mcp/` });
    const result = await runCli(['doctor', server.url], { env: { XDG_CONFIG_HOME: home, LOGTO_ISSUER: issuer.issuer } });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("✖ fail  Metadata's resource equals the URL used: trailing slash: the URL used has no trailing slash, the metadata has a trailing slash");
    expect(result.stdout).toMatch(/\n {9}fix: Give clients the URL the server names, or set MCP_RESOURCE/);
    expect(result.stdout).toContain('- skipped  Management API reachable');
    expect(result.stdout).toMatch(/\d+ passed, 0 warnings, 1 failed, \d+ skipped\./);
  });

  const resourceCases: Array<[string, (origin: string) => string, string]> = [
    ['a trailing slash', (origin) => `${origin}/mcp/`, 'trailing slash: the URL used has no trailing slash, the metadata has a trailing slash'],
    ['localhost instead of 127.0.0.1', (origin) => `${origin.replace('127.0.0.1', 'localhost')}/mcp`, 'host: the URL used has 127.0.0.1, the metadata has localhost'],
    ['another path', (origin) => `${origin}/api`, 'path: the URL used has /mcp, the metadata has /api'],
    ['https instead of http', (origin) => `${origin.replace('http:', 'https:')}/mcp`, 'scheme: the URL used has http, the metadata has https'],
  ];
  for (const [name, resource, said] of resourceCases) {
    it(`names a resource with ${name}, saying which side has which`, async () => {
      const server = await misconfigured({ resource });
      const { exitCode, check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
      expect(exitCode).toBe(1);
      expect(check('server.metadata.resource')).toMatchObject({ status: 'fail', detail: expect.stringContaining(said), fix: expect.stringContaining('MCP_RESOURCE') });
    });
  }

  it('warns when offline_access is advertised (nothing required fails: exit 0)', async () => {
    const server = await misconfigured({ scopes: ['openid', 'profile', 'email', 'offline_access'] });
    const { exitCode, check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(check('server.metadata.offline-access')).toMatchObject({ status: 'warn', fix: expect.stringContaining('Remove offline_access') });
    expect(exitCode).toBe(0);
  });

  it('fails a server that advertises no scope, saying Logto then denies the sign-in', async () => {
    const server = await misconfigured({ scopes: [] });
    const { exitCode, check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(exitCode).toBe(1);
    expect(check('server.metadata.scopes')).toMatchObject({ status: 'fail', detail: expect.stringContaining('access_denied'), fix: expect.stringContaining('openid profile email') });
  });

  it('warns when the metadata is not at the root well-known URL', async () => {
    const server = await misconfigured({ noRootMetadata: true });
    const { check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(check('server.metadata.served')).toMatchObject({ status: 'warn', detail: expect.stringContaining('/.well-known/oauth-protected-resource answers HTTP 404') });
  });

  it('warns when CORS does not expose WWW-Authenticate', async () => {
    const server = await misconfigured({ hideWwwAuthenticate: true });
    const { check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(check('server.cors')).toMatchObject({ status: 'warn', fix: expect.stringContaining('Access-Control-Expose-Headers') });
  });

  it('fails a relative resource_metadata in the 401 challenge', async () => {
    const server = await misconfigured({ relativeResourceMetadata: true });
    const { exitCode, check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(exitCode).toBe(1);
    expect(check('server.challenge')).toMatchObject({ status: 'fail', detail: expect.stringContaining('not an absolute URL') });
  });

  it('fails an issuer that differs from LOGTO_ISSUER (a trailing slash), saying which side has which', async () => {
    const { exitCode, check } = await doctor([healthy.url], { LOGTO_ISSUER: `${issuer.issuer}/` });
    expect(exitCode).toBe(1);
    expect(check('issuer.advertised')).toMatchObject({ status: 'fail', detail: 'trailing slash: the metadata has no trailing slash, LOGTO_ISSUER has a trailing slash' });
  });

  it('fails when the issuer the server names has no discovery document', async () => {
    const server = await misconfigured({ authorizationServers: [`${issuer.origin}/tenant/oidc`] });
    const { exitCode, check } = await doctor([server.url]);
    expect(exitCode).toBe(1);
    expect(check('issuer.discovery')).toMatchObject({ status: 'fail', detail: expect.stringContaining(`${issuer.origin}/tenant/oidc/.well-known/openid-configuration → HTTP 404`) });
    expect(check('issuer.advertised').status).toBe('skipped');
    expect(check('issuer.jwks')).toMatchObject({ status: 'skipped', detail: 'no discovery document' });
  });

  it('fails when nothing answers at the URL', async () => {
    const server = await misconfigured({});
    const url = server.url;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const { exitCode, check } = await doctor([url]);
    expect(exitCode).toBe(1);
    expect(check('server.challenge')).toMatchObject({ status: 'fail', detail: expect.stringContaining('ECONNREFUSED'), fix: expect.stringContaining('Start the server') });
  });
});
