// A workshop registered with `workshop --register --users` against the Management API emulator; the Logto-like
// OpenID Provider is then configured only from what the emulator holds (as Logto would serve it), attendee 2's
// starter is installed and started, and a real MCP SDK client signs in with attendee 2's app and calls whoami.
// Everything listens on 127.0.0.1; every process started here is stopped in afterAll.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { CLI, makeTempDir, removeDir } from './support/cli.js';
import { childEnv, readDotenv, run, startProject, type RunningServer } from './support/generated-project.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer, type UserRole } from './support/logto-like-issuer.js';
import { startManagementApiEmulator, type Emulator, type EmulatorState } from './support/management-api-emulator.js';
import { runOAuthFlow } from './support/mcp-oauth-client.js';
import { getFreePort } from './support/ports.js';

const M2M = { id: 'ws-m2m', secret: 'ws-m2m-secret', managementAccess: true };
const SCOPE = 'read:whoami';
let issuer: LogtoLikeIssuer;
let emulator: Emulator;
let snapshot: EmulatorState;
let server: RunningServer | undefined;
const root = makeTempDir('workshop-sign-in');
const folder = path.join(root, 'ws');

beforeAll(async () => {
  [issuer, emulator] = await Promise.all([startLogtoLikeIssuer({}), startManagementApiEmulator({ m2mApps: [M2M] })]);
  snapshot = structuredClone(emulator.state);
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([issuer?.close(), emulator?.close()]);
  removeDir(root);
});

describe('workshop sign-in', () => {
  it("attendee 2 signs in with attendee 2's app (and the role their user holds) and calls whoami", async () => {
    const port = await getFreePort();
    const resource = `http://127.0.0.1:${port}/mcp`;
    // --install installs every starter with the shared e2e npm cache (childEnv), as the CLI's own e2e tests do.
    const env = childEnv({
      LOGTO_M2M_APP_ID: M2M.id,
      LOGTO_M2M_APP_SECRET: M2M.secret,
      XDG_CONFIG_HOME: path.join(root, 'config'),
    });
    const args = [
      CLI,
      'workshop',
      folder,
      '--yes',
      '--issuer',
      issuer.issuer,
      '--management-endpoint',
      emulator.url,
      '--skip-issuer-check',
    ];
    const result = await execa(
      process.execPath,
      [...args, '--resource', resource, '--scopes', SCOPE, '--attendees', '2', '--install', '--register', '--users'],
      {
        env,
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    for (const name of ['attendee-01', 'attendee-02'])
      expect(existsSync(path.join(folder, name, 'node_modules', '@modelcontextprotocol')), name).toBe(true);

    const dir = path.join(folder, 'attendee-02');
    const appId = (await readDotenv(path.join(dir, '.env'))).LOGTO_APP_ID!;
    const { state } = emulator;
    const app = state.applications.find(({ id }) => id === appId)!;
    const user = state.users.find(({ name }) => name === 'attendee-02')!;
    expect(app.name).toBe('attendee-02 MCP client');

    // The issuer serves what the emulator holds: the resource and its scopes, attendee 2's app and its consent scopes,
    // and the roles attendee 2's user holds.
    const scopesByResource = (scopeIds: string[]): UserRole => {
      const roles: UserRole = {};
      for (const scope of state.scopes.filter(({ id }) => scopeIds.includes(id))) {
        (roles[state.resources.find(({ id }) => id === scope.resourceId)!.indicator] ??= []).push(scope.name);
      }
      return roles;
    };
    issuer.addResource(resource, {
      scopes: state.scopes.filter(({ resourceId }) => resourceId !== 'management-api').map(({ name }) => name),
    });
    const consent = state.consent.get(appId)!;
    issuer.addClient({
      clientId: appId,
      type: 'native',
      redirectUris: app.oidcClientMetadata.redirectUris,
      thirdParty: app.isThirdParty,
      consentScopes: { userScopes: consent.userScopes, resourceScopes: scopesByResource(consent.resourceScopes) },
    });
    const roleIds = state.usersRoles.filter(({ userId }) => userId === user.id).map(({ roleId }) => roleId);
    issuer.setUserRoles(
      roleIds.map((roleId) =>
        scopesByResource(state.rolesScopes.filter((r) => r.roleId === roleId).map((r) => r.scopeId)),
      ),
    );
    issuer.setAccessTokenClaimsScript(state.jwtCustomizers['jwt.accessToken']?.script);

    const build = await run(dir, 'npm', ['run', 'build']);
    expect(build.exitCode, build.output).toBe(0);
    server = await startProject(dir, port);
    const flow = await runOAuthFlow({ sdk: 'v2', serverUrl: resource, clientId: appId, toolName: 'whoami' });
    if (!flow.ok) throw flow.error;
    const whoami = flow.whoami as Record<string, unknown>;
    expect(whoami).toMatchObject({
      client_id: appId,
      aud: resource,
      iss: issuer.issuer,
      username: issuer.user.username,
    });
    expect(String(whoami.scope).split(' ')).toContain(SCOPE);
    expect(issuer.interactions.filter(({ clientId }) => clientId === appId).at(-1)).toEqual({
      clientId: appId,
      prompt: 'consent',
    });

    // After the workshop: --cleanup finds the Management API where the workshop recorded it (no --management-endpoint).
    const cleanup = await execa(process.execPath, [CLI, 'workshop', folder, '--cleanup', '--yes'], {
      env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    expect(emulator.state).toEqual(snapshot);
  }, 600_000);
});
