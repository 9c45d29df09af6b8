// `create-logto-mcp doctor`, through the built CLI, against the reference resource server (healthy, and with each
// misconfiguration doctor knows produced on purpose), the Logto-like issuer, and for the Logto checks the
// Management API emulator holding what register created.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/doctor/check.js';
import { makeTempDir, removeDir, runCli } from './support/cli.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer } from './support/logto-like-issuer.js';
import { startManagementApiEmulator, type Emulator } from './support/management-api-emulator.js';
import { startMisbehavingIssuer } from './support/misbehaving-issuer.js';
import {
  startReferenceServer,
  type ReferenceServerOptions as ReferenceOptions,
  type ReferenceServer,
} from './support/reference-resource-server.js';

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
  const result = await runCli(['doctor', ...args, '--json'], {
    cwd,
    env: { XDG_CONFIG_HOME: home, LOGTO_ISSUER: '', LOGTO_M2M_APP_ID: '', LOGTO_M2M_APP_SECRET: '', ...env },
  });
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
    for (const id of [
      'server.challenge',
      'server.cors',
      'server.metadata.served',
      'server.challenge.metadata',
      'server.metadata.resource',
      'server.metadata.authorization-servers',
      'server.metadata.scopes',
      'server.metadata.offline-access',
      'issuer.advertised',
      'issuer.discovery',
      'issuer.exact',
      'issuer.pkce',
      'issuer.jwks',
    ]) {
      expect(check(id).status, `${id}: ${check(id).detail}`).toBe('pass');
    }
    // The discovery URLs MCP clients try for an issuer with a path, in their order, and which answered.
    const origin = issuer.origin;
    expect(check('issuer.discovery').detail).toContain(
      `${origin}/.well-known/oauth-authorization-server/oidc → HTTP 404; ${origin}/.well-known/openid-configuration/oidc → HTTP 404; ${issuer.issuer}/.well-known/openid-configuration → HTTP 200`,
    );
    expect(check('issuer.jwks').detail).toContain('ES384');
    expect(check('logto.connect')).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining('no M2M credentials'),
    });
  });

  it('prints the checklist with the fix under each finding', async () => {
    const server = await misconfigured({ resource: (origin) => `${origin}/mcp/` });
    const result = await runCli(['doctor', server.url], {
      env: { XDG_CONFIG_HOME: home, LOGTO_ISSUER: issuer.issuer },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      "✖ fail  Metadata's resource equals the URL used: trailing slash: the URL used has no trailing slash, the metadata has a trailing slash",
    );
    expect(result.stdout).toMatch(/\n {9}fix: Give clients the URL the server names, or set MCP_RESOURCE/);
    expect(result.stdout).toContain('- skipped  Management API reachable');
    expect(result.stdout).toMatch(/\d+ passed, 0 warnings, 1 failed, \d+ skipped\./);
  });

  const resourceCases: Array<[string, (origin: string) => string, string]> = [
    [
      'a trailing slash',
      (origin) => `${origin}/mcp/`,
      'trailing slash: the URL used has no trailing slash, the metadata has a trailing slash',
    ],
    [
      'localhost instead of 127.0.0.1',
      (origin) => `${origin.replace('127.0.0.1', 'localhost')}/mcp`,
      'host: the URL used has 127.0.0.1, the metadata has localhost',
    ],
    ['another path', (origin) => `${origin}/api`, 'path: the URL used has /mcp, the metadata has /api'],
    [
      'https instead of http',
      (origin) => `${origin.replace('http:', 'https:')}/mcp`,
      'scheme: the URL used has http, the metadata has https',
    ],
  ];
  for (const [name, resource, said] of resourceCases) {
    it(`names a resource with ${name}, saying which side has which`, async () => {
      const server = await misconfigured({ resource });
      const { exitCode, check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
      expect(exitCode).toBe(1);
      expect(check('server.metadata.resource')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(said),
        fix: expect.stringContaining('MCP_RESOURCE'),
      });
    });
  }

  it('warns when offline_access is advertised (nothing required fails: exit 0)', async () => {
    const server = await misconfigured({ scopes: ['openid', 'profile', 'email', 'offline_access'] });
    const { exitCode, check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(check('server.metadata.offline-access')).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('Remove offline_access'),
    });
    expect(exitCode).toBe(0);
  });

  it('fails a server that advertises no scope, saying Logto then denies the sign-in', async () => {
    const server = await misconfigured({ scopes: [] });
    const { exitCode, check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(exitCode).toBe(1);
    expect(check('server.metadata.scopes')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('access_denied'),
      fix: expect.stringContaining('openid profile email'),
    });
  });

  it('warns when the metadata is not at the root well-known URL', async () => {
    const server = await misconfigured({ noRootMetadata: true });
    const { check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(check('server.metadata.served')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('/.well-known/oauth-protected-resource answers HTTP 404'),
    });
  });

  it('warns when CORS does not expose WWW-Authenticate', async () => {
    const server = await misconfigured({ hideWwwAuthenticate: true });
    const { check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(check('server.cors')).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('Access-Control-Expose-Headers'),
    });
  });

  it('fails a relative resource_metadata in the 401 challenge', async () => {
    const server = await misconfigured({ relativeResourceMetadata: true });
    const { exitCode, check } = await doctor([server.url], { LOGTO_ISSUER: issuer.issuer });
    expect(exitCode).toBe(1);
    expect(check('server.challenge')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('not an absolute URL'),
    });
  });

  it('fails an issuer that differs from LOGTO_ISSUER (a trailing slash), saying which side has which', async () => {
    const { exitCode, check } = await doctor([healthy.url], { LOGTO_ISSUER: `${issuer.issuer}/` });
    expect(exitCode).toBe(1);
    expect(check('issuer.advertised')).toMatchObject({
      status: 'fail',
      detail: 'trailing slash: the metadata has no trailing slash, LOGTO_ISSUER has a trailing slash',
    });
  });

  it('fails when the issuer the server names has no discovery document', async () => {
    const server = await misconfigured({ authorizationServers: [`${issuer.origin}/tenant/oidc`] });
    const { exitCode, check } = await doctor([server.url]);
    expect(exitCode).toBe(1);
    expect(check('issuer.discovery')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`${issuer.origin}/tenant/oidc/.well-known/openid-configuration → HTTP 404`),
    });
    expect(check('issuer.advertised').status).toBe('skipped');
    expect(check('issuer.jwks')).toMatchObject({ status: 'skipped', detail: 'no discovery document' });
  });

  it('names an issuer whose document spells its issuer otherwise, lacks S256 and has no signing key', async () => {
    const body = JSON.stringify({
      issuer: 'SELF/',
      jwks_uri: 'SELF/jwks',
      code_challenge_methods_supported: ['plain'],
    });
    const wrongIssuer = await startMisbehavingIssuer({ body });
    try {
      const server = await misconfigured({ authorizationServers: [wrongIssuer.issuer] });
      const { exitCode, check } = await doctor([server.url], { LOGTO_ISSUER: wrongIssuer.issuer });
      expect(exitCode).toBe(1);
      expect(check('issuer.discovery').status).toBe('pass');
      expect(check('issuer.exact')).toMatchObject({
        status: 'fail',
        detail:
          "trailing slash: the discovery document has a trailing slash, the server's metadata has no trailing slash",
      });
      expect(check('issuer.pkce')).toMatchObject({ status: 'fail', detail: expect.stringContaining('without S256') });
      expect(check('issuer.jwks')).toMatchObject({ status: 'fail', detail: expect.stringContaining('0 key(s)') });
    } finally {
      await wrongIssuer.close();
    }
  });

  it('fails when nothing answers at the URL', async () => {
    const server = await misconfigured({});
    const url = server.url;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const { exitCode, check } = await doctor([url]);
    expect(exitCode).toBe(1);
    expect(check('server.challenge')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('ECONNREFUSED'),
      fix: expect.stringContaining('Start the server'),
    });
  });
});

describe('doctor: what Logto holds (Management API, with M2M credentials)', () => {
  let emulator: Emulator;
  let work: string;
  let dir: string;
  const credentials = { LOGTO_M2M_APP_ID: M2M_ID, LOGTO_M2M_APP_SECRET: M2M_SECRET };
  const managementFlags = () => ['--management-endpoint', emulator.url];
  const logtoDoctor = (extra: string[] = []) => doctor([dir, ...managementFlags(), ...extra], credentials);
  const app = () => emulator.state.applications.find((a) => a.isThirdParty)!;

  beforeAll(async () => {
    emulator = await startManagementApiEmulator({
      m2mApps: [{ id: M2M_ID, secret: M2M_SECRET, managementAccess: true }],
    });
    work = makeTempDir('doctor-logto');
    dir = path.join(work, 'registered');
    // A generated project (its tool-scopes.json: greet needs greet:write), registered by register as users run it.
    const created = await runCli(
      [
        dir,
        '--yes',
        '--issuer',
        issuer.issuer,
        '--resource',
        healthy.url,
        '--scopes',
        'read:whoami',
        '--skip-issuer-check',
        '--no-install',
        '--no-git',
        '--register',
        ...managementFlags(),
      ],
      { env: { ...credentials, XDG_CONFIG_HOME: home } },
    );
    expect(created.stderr).not.toMatch(/✖/);
    expect(created.exitCode).toBe(0);
  });
  afterAll(async () => {
    await emulator?.close();
    if (work) removeDir(work);
  });

  const LOGTO_CHECKS = [
    'logto.connect',
    'logto.resource',
    'logto.scopes',
    'logto.app',
    'logto.app.third-party',
    'logto.app.consent',
    'logto.app.redirects',
    'logto.role',
    'logto.profile-claims',
  ];

  it('passes a registered project; warns while no user holds the role, and passes once one does', async () => {
    const before = await logtoDoctor();
    for (const id of LOGTO_CHECKS) expect(before.check(id).status, `${id}: ${before.check(id).detail}`).toBe('pass');
    expect(before.check('logto.scopes').detail).toBe('read:whoami greet:write');
    expect(before.check('logto.role.users')).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('Assign the role'),
    });
    expect(before.exitCode).toBe(0);
    expect(`${before.stdout}${before.stderr}`).not.toContain(M2M_SECRET);

    const role = emulator.state.roles.find((r) => r.type === 'User')!;
    emulator.state.users.push({
      id: 'u1',
      username: 'ada',
      primaryEmail: 'ada@example.com',
      name: 'Ada',
      customData: {},
      password: null,
      createdAt: 0,
    });
    emulator.state.usersRoles.push({ userId: 'u1', roleId: role.id });
    try {
      const after = await logtoDoctor();
      expect(after.check('logto.role.users')).toMatchObject({ status: 'pass', detail: '1 user(s)' });
      expect(after.report.ok).toBe(true);
    } finally {
      emulator.state.usersRoles = [];
    }
  });

  it('names a resource registered with another host spelling (localhost vs 127.0.0.1)', async () => {
    const resource = emulator.state.resources.find((r) => r.indicator === healthy.url)!;
    resource.indicator = healthy.url.replace('127.0.0.1', 'localhost');
    try {
      const { exitCode, check } = await logtoDoctor();
      expect(exitCode).toBe(1);
      expect(check('logto.resource')).toMatchObject({
        status: 'fail',
        detail: 'host: Logto has localhost, the server has 127.0.0.1',
        fix: expect.stringContaining('Use one spelling'),
      });
      expect(check('logto.scopes').status).toBe('skipped');
    } finally {
      resource.indicator = healthy.url;
    }
  });

  it('names a scope the app was not granted as a consent scope', async () => {
    const consent = emulator.state.consent.get(app().id)!;
    const saved = consent.resourceScopes;
    const greet = emulator.state.scopes.find((s) => s.name === 'greet:write')!;
    consent.resourceScopes = saved.filter((id) => id !== greet.id);
    try {
      const { exitCode, check } = await logtoDoctor();
      expect(exitCode).toBe(1);
      expect(check('logto.app.consent')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('not among its consent scopes: greet:write'),
      });
    } finally {
      consent.resourceScopes = saved;
    }
  });

  it('names the missing role and the missing scopes', async () => {
    const saved = emulator.state.rolesScopes;
    emulator.state.rolesScopes = [];
    const greet = emulator.state.scopes.find((s) => s.name === 'greet:write')!;
    emulator.state.scopes = emulator.state.scopes.filter((s) => s !== greet);
    try {
      const { check } = await logtoDoctor();
      expect(check('logto.scopes')).toMatchObject({
        status: 'fail',
        detail: 'missing: greet:write',
        fix: expect.stringContaining('Run register again'),
      });
      expect(check('logto.role').status).toBe('skipped');
      emulator.state.scopes.push(greet);
      const again = await logtoDoctor();
      expect(again.check('logto.role')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('no user role grants read:whoami greet:write'),
      });
    } finally {
      if (!emulator.state.scopes.includes(greet)) emulator.state.scopes.push(greet);
      emulator.state.rolesScopes = saved;
    }
  });

  it('names a Native app without loopback redirect URIs, a web app, and a first-party app', async () => {
    const registered = app();
    const saved = { ...registered, oidcClientMetadata: { ...registered.oidcClientMetadata } };
    try {
      registered.oidcClientMetadata.redirectUris = ['https://agent.example.com/callback'];
      const native = await logtoDoctor();
      expect(native.check('logto.app.redirects')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('no loopback redirect URI'),
        fix: expect.stringContaining('http://127.0.0.1/callback'),
      });
      registered.type = 'Traditional';
      const web = await logtoDoctor();
      expect(web.check('logto.app.redirects')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('Traditional: Logto matches its redirect URIs exactly'),
      });
      registered.isThirdParty = false;
      const firstParty = await doctor([dir, ...managementFlags(), '--app-id', registered.id], credentials);
      expect(firstParty.check('logto.app.third-party')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('first-party'),
      });
    } finally {
      Object.assign(registered, saved);
    }
  });

  it('names an app that does not exist', async () => {
    const { exitCode, check } = await logtoDoctor(['--app-id', 'no-such-app']);
    expect(exitCode).toBe(1);
    expect(check('logto.app')).toMatchObject({
      status: 'fail',
      detail: 'no app with ID no-such-app in this Logto',
      fix: expect.stringContaining('Run register'),
    });
  });

  it('names a missing profile-claims script that register had installed', async () => {
    const saved = emulator.state.jwtCustomizers['jwt.accessToken'];
    delete emulator.state.jwtCustomizers['jwt.accessToken'];
    try {
      const { exitCode, check } = await logtoDoctor();
      expect(exitCode).toBe(1);
      expect(check('logto.profile-claims')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('although register installed one'),
        fix: expect.stringContaining('Profile claims'),
      });
    } finally {
      emulator.state.jwtCustomizers['jwt.accessToken'] = saved;
    }
  });

  it('does not send the M2M credentials to a Logto this machine never named (the rules register follows)', async () => {
    // Without --management-endpoint, the credentials would go to the issuer's host, which was never named here.
    const tokenRequests = () => issuer.requests.filter((r) => r.url.startsWith('/oidc/token')).length;
    const before = tokenRequests();
    const { exitCode, check } = await doctor([dir], credentials);
    expect(exitCode).toBe(1);
    expect(check('logto.connect')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('have not been sent from this machine before'),
    });
    expect(check('logto.resource')).toMatchObject({ status: 'skipped' });
    expect(tokenRequests()).toBe(before);
  });
});
