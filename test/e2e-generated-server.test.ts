/**
 * The real end-to-end test: for every framework × transport × verifier the CLI accepts (derived from
 * the declared choices, test/support/variants.ts), the built CLI generates a project, which is
 * installed, type-checked, tested with its own suite, built and started as a user would;
 * then real MCP SDK clients (v2 and v1) sign in through a Logto-like OpenID Provider on loopback
 * and call `whoami`, and every row of the HTTP contract (DESIGN.md §3) is checked with real
 * requests against the running server.
 *
 * Each combination requiring no scope; the default one also generated with `--scopes read:whoami`
 * (step-up), which is also registered with the CLI's `register` against the Management API emulator, and the
 * OpenID Provider is then configured only from what the emulator holds, as Logto would serve it: the
 * closest we can come here to "register, then sign in through the consent screen" against a real Logto.
 * Everything listens on 127.0.0.1; every process started here is stopped in afterAll.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { endpointUrls, transportPaths } from '../src/options/choices.js';
import type { RegisterSummary } from '../src/register/register.js';
import { startServer as startBenchServer } from '../bench/throughput.js';
import { expectBenchServerServes } from './support/bench-server.js';
import { runCli } from './support/cli.js';
import {
  callToolWithToken,
  describeAttacks,
  describeContract,
  describeHardening,
  machineToken,
  prmUrlFor,
  toolJson,
} from './support/contract-checks.js';
import { describeFaults } from './support/fault-checks.js';
import { configureIssuerFromEmulator } from './support/issuer-from-emulator.js';
import {
  generateProject,
  readDotenv,
  run,
  startProject,
  type GeneratedProject,
  type RunningServer,
} from './support/generated-project.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer } from './support/logto-like-issuer.js';
import { startManagementApiEmulator, type Emulator, type EmulatorState } from './support/management-api-emulator.js';
import { runOAuthFlow, type OAuthFlowResult } from './support/mcp-oauth-client.js';
import { getFreePort } from './support/ports.js';
import { defaultVariant, variantName, variants } from './support/variants.js';

const SCOPE = 'read:whoami';
/** The scope the template's greet tool needs (its tool-scopes.json), which whoami does not. */
const TOOL_SCOPE = 'greet:write';
const INSTALL_LIMIT = 600_000;
const SCRIPT_LIMIT = 300_000;

let issuer: LogtoLikeIssuer;

beforeAll(async () => {
  issuer = await startLogtoLikeIssuer({});
});
afterAll(async () => {
  await issuer?.close();
});

function expectSignedIn(
  result: OAuthFlowResult,
  resource: string,
  clientId = issuer.clientId,
): Record<string, unknown> {
  if (!result.ok) {
    const log = result.observations.fetchLog
      .map((r) => `${r.status} ${r.method} ${r.url} ${r.wwwAuthenticate ?? ''}`)
      .join('\n');
    throw new Error(`OAuth flow failed: ${result.error.message}\n${log}`, { cause: result.error });
  }
  const whoami = result.whoami as Record<string, unknown>;
  expect(whoami.sub).toBe(issuer.user.sub);
  expect(whoami.iss).toBe(issuer.issuer);
  expect(whoami.aud).toBe(resource);
  expect(whoami.client_id).toBe(clientId);
  const o = result.observations;
  expect(o.requestedResource).toBe(resource);
  expect(o.tokenHeader).toMatchObject({ alg: 'ES384', typ: 'at+jwt', kid: issuer.publicJwk.kid });
  expect(o.tokenClaims).toMatchObject({ iss: issuer.issuer, aud: resource, sub: issuer.user.sub });
  return whoami;
}

// The scope cases are not multiplied across the matrix: scopes are checked by base/src/auth.ts, whatever the variant.
const cases = variants.flatMap((choices) => [
  { ...choices, name: 'no required scope', scopes: [] as string[] },
  ...(choices === defaultVariant ? [{ ...choices, name: `--scopes ${SCOPE}`, scopes: [SCOPE] }] : []),
]);

for (const variant of cases) {
  describe(`generated server (${variantName(variant)}), ${variant.name}`, () => {
    let port: number;
    let resource: string;
    let project: GeneratedProject | undefined;
    let server: RunningServer | undefined;
    // Where clients of each transport connect (--transport both serves the two, sharing one resource).
    let endpoints: ReturnType<typeof endpointUrls>;
    // The transport the contract is checked with: Streamable HTTP when the server has it, at `resource`.
    const primaryKind = variant.transport === 'sse' ? 'sse' : 'streamable-http';

    beforeAll(async () => {
      port = await getFreePort();
      // The path the CLI's default resource has for this transport (/mcp, /sse).
      resource = `http://127.0.0.1:${port}${transportPaths[variant.transport]}`;
      endpoints = endpointUrls(variant.transport, resource);
      issuer.addResource(resource, { scopes: [SCOPE, TOOL_SCOPE] });
      // The CLI installs the dependencies itself, as in a user's run.
      const { framework, transport, verifier, scopes } = variant;
      project = await generateProject({
        issuer: issuer.issuer,
        resource,
        port,
        framework,
        transport,
        verifier,
        scopes,
        install: true,
      });
    }, INSTALL_LIMIT);

    afterAll(async () => {
      await server?.stop();
      await project?.remove();
    });

    it('serves its app from the benchmark server (bench/server.ts): JWT, auth off and the control', async () => {
      const env = { LOGTO_ISSUER: issuer.issuer, MCP_RESOURCE: resource, PORT: String(port) };
      await expectBenchServerServes(await startBenchServer(project!.dir, env), resource);
    });

    it('records the choices in logto-mcp.json', async () => {
      const record = JSON.parse(await readFile(join(project!.dir, 'logto-mcp.json'), 'utf8'));
      expect(record).toMatchObject({
        framework: variant.framework,
        transport: variant.transport,
        verifier: variant.verifier,
      });
    });

    it('writes .env with the given issuer, resource, scopes and port, readable by the owner only', async () => {
      const envPath = join(project!.dir, '.env');
      const env = await readDotenv(envPath);
      expect(env).toMatchObject({
        LOGTO_ISSUER: issuer.issuer,
        MCP_RESOURCE: resource,
        MCP_REQUIRED_SCOPES: variant.scopes.join(' '),
        PORT: String(port),
        HOST: '127.0.0.1',
      });
      expect((await stat(envPath)).mode & 0o777).toBe(0o600);
    });

    it(
      'type-checks',
      async () => {
        const result = await run(project!.dir, 'npm', ['run', 'typecheck'], {}, SCRIPT_LIMIT);
        expect(result.exitCode, result.output).toBe(0);
      },
      SCRIPT_LIMIT,
    );

    it(
      'passes its own tests (no Logto tenant needed)',
      async () => {
        const result = await run(project!.dir, 'npm', ['test'], {}, SCRIPT_LIMIT);
        expect(result.exitCode, result.output).toBe(0);
        expect(result.output).toMatch(/Tests\s+\d+ passed/);
        expect(result.output).not.toMatch(/\d+ (failed|skipped)/);
      },
      SCRIPT_LIMIT,
    );

    it(
      'builds',
      async () => {
        const result = await run(project!.dir, 'npm', ['run', 'build'], {}, SCRIPT_LIMIT);
        expect(result.exitCode, result.output).toBe(0);
        expect((await stat(join(project!.dir, 'dist', 'index.js'))).isFile()).toBe(true);
      },
      SCRIPT_LIMIT,
    );

    it('shuts down on SIGTERM: exit code 0, and the port no longer accepts connections', async () => {
      const shutdownPort = await getFreePort();
      const node = await startProject(project!.dir, shutdownPort, { PORT: String(shutdownPort) }, [
        'node',
        'dist/index.js',
      ]);
      await node.stop(); // SIGTERM
      expect(await node.exited, node.logs()).toEqual({ exitCode: 0, signal: undefined });
      expect(node.logs()).toContain('SIGTERM received, shutting down');
      await expect(fetch(`${node.baseUrl}/healthz`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    });

    // Its own server processes and issuers, from the built dist/; once per variant.
    if (variant.scopes.length === 0) describeFaults(() => ({ dir: project!.dir }), variant.transport);

    describe('running (npm start)', () => {
      beforeAll(async () => {
        server = await startProject(project!.dir, port);
      }, 120_000);

      describeContract(() => ({ resource, issuer, requiredScopes: variant.scopes, transport: primaryKind }));
      describeHardening(() => ({ resource, issuer, requiredScopes: variant.scopes, transport: primaryKind }));
      describeAttacks(
        () => ({ resource, issuer, requiredScopes: variant.scopes, transport: primaryKind }),
        primaryKind,
      );

      if (variant.scopes.length === 0) {
        it('with MCP_ALLOW_MACHINE_TOKENS=true, a machine-to-machine token is served and whoami says machine', async () => {
          const m2mPort = await getFreePort();
          const m2mResource = `http://127.0.0.1:${m2mPort}${transportPaths[variant.transport]}`;
          issuer.addResource(m2mResource, { scopes: [SCOPE] });
          const node = await startProject(
            project!.dir,
            m2mPort,
            { PORT: String(m2mPort), MCP_RESOURCE: m2mResource, MCP_ALLOW_MACHINE_TOKENS: 'true' },
            ['node', 'dist/index.js'],
          );
          try {
            const target = { resource: m2mResource, issuer, requiredScopes: [] };
            const { token, clientId } = await machineToken(target);
            const identity = toolJson(await callToolWithToken(m2mResource, token, 'whoami', primaryKind));
            expect(identity).toMatchObject({ subjectType: 'machine', sub: clientId, client_id: clientId });
          } finally {
            await node.stop();
          }
        });
      }

      if (variant.scopes.length === 0) {
        for (const sdk of ['v2', 'v1'] as const) {
          it(`SDK ${sdk} client: 401 → metadata → authorization code + PKCE + resource → token → whoami`, async () => {
            issuer.setUserScopes(undefined);
            const result = await runOAuthFlow({
              transport: primaryKind,
              sdk,
              serverUrl: resource,
              clientId: issuer.clientId,
            });
            const whoami = expectSignedIn(result, resource);
            // No claims script installed for this resource: whoami says which profile claims are missing, and why.
            expect(whoami).toMatchObject({
              missingProfileClaims: ['username', 'name', 'email'],
              note: expect.stringContaining('custom claims script'),
            });
            const o = result.observations;
            // The 401 challenge asks for the sign-in scopes only: a tool's scope is asked for when the tool is called.
            const first = o.fetchLog[0]!;
            expect(first.status).toBe(401);
            expect(first.wwwAuthenticate).toMatch(/scope="openid profile email"/);
            const requested = o.requestedScope?.split(' ') ?? [];
            expect(requested).toContain('openid');
            expect(requested).not.toContain(TOOL_SCOPE);
            expect(requested.includes('offline_access')).toBe(sdk === 'v2');
            expect(o.rounds).toHaveLength(1);
          });
        }

        if (variant.transport === 'both') {
          for (const sdk of ['v2', 'v1'] as const) {
            it(`SDK ${sdk} SSE client at the SSE endpoint below the resource: signs in for the same resource and calls whoami`, async () => {
              issuer.setUserScopes(undefined);
              const result = await runOAuthFlow({
                transport: 'sse',
                sdk,
                serverUrl: endpoints.sse!,
                clientId: issuer.clientId,
              });
              expectSignedIn(result, resource);
              expect(result.observations.fetchLog[0]).toMatchObject({ status: 401, url: endpoints.sse });
              expect(result.observations.fetchLog[0]!.wwwAuthenticate).toContain(
                `resource_metadata="${prmUrlFor(resource)}"`,
              );
            });
          }

          it('the SSE endpoint refuses what the Streamable HTTP one refuses: no token, a token for another resource', async () => {
            const none = await fetch(endpoints.sse!, { headers: { Accept: 'text/event-stream' } });
            expect(none.status).toBe(401);
            expect(none.headers.get('www-authenticate')).toContain(`resource_metadata="${prmUrlFor(resource)}"`);
            await none.body?.cancel();
            // The SSE URL is not a resource of its own: a token for it is for another audience.
            const misdirected = await issuer.signToken({ aud: endpoints.sse!, scope: '' });
            const refused = await fetch(endpoints.sse!, {
              headers: { Accept: 'text/event-stream', Authorization: `Bearer ${misdirected}` },
            });
            expect(refused.status).toBe(401);
            expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
            await refused.body?.cancel();
          });
        }

        if (variant.transport !== 'streamable-http') {
          // The SDK's SSE clients do not act on a 403 (only on a 401): the step-up challenge reaches them as an error.
          for (const sdk of ['v2', 'v1'] as const) {
            it(`SDK ${sdk} SSE client: whoami without ${TOOL_SCOPE}; greet answers the 403 step-up challenge on the POST, nothing else`, async () => {
              issuer.setUserScopes([TOOL_SCOPE]);
              const result = await runOAuthFlow({
                transport: 'sse',
                sdk,
                serverUrl: endpoints.sse!,
                clientId: issuer.clientId,
                callFirst: ['whoami'],
                toolName: 'greet',
              });
              expect(result.ok).toBe(false);
              const o = result.observations;
              expect(o.toolCalls).toEqual([
                { name: 'whoami', ok: true, tokenScope: '' },
                { name: 'greet', ok: false, tokenScope: '' },
              ]);
              const stepUp = o.fetchLog.find((r) => r.status === 403);
              expect(stepUp?.method).toBe('POST');
              expect(new URL(stepUp!.url).pathname).toBe(endpoints.sseMessagesPath);
              expect(stepUp?.wwwAuthenticate).toMatch(/error="insufficient_scope"/);
              expect(stepUp?.wwwAuthenticate).toContain(`scope="openid profile email ${TOOL_SCOPE}"`);
              expect(stepUp?.wwwAuthenticate).toContain(`resource_metadata="${prmUrlFor(resource)}"`);
              expect(o.rounds).toHaveLength(1);
              issuer.setUserScopes(undefined);
            });
          }
        }
        if (variant.transport !== 'sse') {
          for (const [sdk, modern] of [
            ['v2', true],
            ['v2', false],
            ['v1', false],
          ] as const) {
            it(`SDK ${sdk} client${modern ? ' speaking 2026-07-28 (Mcp-Name)' : ' speaking 2025 (no Mcp-Name)'}: whoami without ${TOOL_SCOPE}, greet answers the step-up challenge, then works once re-authorized`, async () => {
              issuer.setUserScopes([TOOL_SCOPE]); // the user holds the role granting it
              const result = await runOAuthFlow({
                transport: primaryKind,
                sdk,
                modern,
                serverUrl: resource,
                clientId: issuer.clientId,
                callFirst: ['whoami'],
                toolName: 'greet',
              });
              if (!result.ok) throw result.error;
              const o = result.observations;
              // First token: the sign-in scopes only; whoami works with it, greet does not.
              expect(o.toolCalls.slice(0, 2)).toEqual([
                { name: 'whoami', ok: true, tokenScope: '' },
                { name: 'greet', ok: false, tokenScope: '' },
              ]);
              const stepUp = o.fetchLog.find((r) => r.status === 403);
              expect(stepUp?.wwwAuthenticate).toMatch(/error="insufficient_scope"/);
              expect(stepUp?.wwwAuthenticate).toContain(`scope="openid profile email ${TOOL_SCOPE}"`);
              expect(stepUp?.wwwAuthenticate).toContain(`resource_metadata="${prmUrlFor(resource)}"`);
              // The client re-authorized for the challenged scopes, and greet then ran with the new token.
              expect(o.rounds).toHaveLength(2);
              expect(o.rounds[1]!.authorizationUrl.searchParams.get('scope')?.split(' ')).toEqual(
                expect.arrayContaining(['openid', TOOL_SCOPE]),
              );
              expect(o.toolCalls.at(-1)).toEqual({ name: 'greet', ok: true, tokenScope: TOOL_SCOPE });
              expect(result.whoamiRaw).toMatchObject({
                content: [{ type: 'text', text: expect.stringMatching(/^Hello, /) }],
              });
            });
          }

          it(`a user without the role granting ${TOOL_SCOPE}: the step-up gives a token still without it, and greet stays refused`, async () => {
            issuer.setUserScopes([]);
            const result = await runOAuthFlow({
              transport: primaryKind,
              sdk: 'v2',
              modern: true,
              serverUrl: resource,
              clientId: issuer.clientId,
              callFirst: ['whoami'],
              toolName: 'greet',
            });
            expect(result.ok).toBe(false);
            const o = result.observations;
            expect(o.toolCalls[0]).toEqual({ name: 'whoami', ok: true, tokenScope: '' });
            expect(o.rounds).toHaveLength(2);
            expect(o.toolCalls.filter(({ name, ok }) => name === 'greet' && ok)).toEqual([]);
            expect(o.fetchLog.filter((r) => r.status === 403).length).toBeGreaterThanOrEqual(2);
            issuer.setUserScopes(undefined);
          });
        }
      } else {
        for (const sdk of ['v2', 'v1'] as const) {
          it(`SDK ${sdk} client, user without the role: token without the scope, 403 insufficient_scope, step-up fails`, async () => {
            issuer.setUserScopes([]);
            const result = await runOAuthFlow({
              transport: primaryKind,
              sdk,
              serverUrl: resource,
              clientId: issuer.clientId,
            });
            expect(result.ok).toBe(false);
            const o = result.observations;
            expect(o.requestedScope?.split(' ')).toEqual(expect.arrayContaining(['openid', SCOPE]));
            expect(o.tokenClaims?.aud).toBe(resource);
            expect(o.tokenClaims?.scope ?? '').not.toContain(SCOPE);
            const stepUp = o.fetchLog.find((r) => r.status === 403);
            expect(stepUp?.wwwAuthenticate).toMatch(/error="insufficient_scope"/);
            expect(stepUp?.wwwAuthenticate).toMatch(new RegExp(`scope="[^"]*${SCOPE}`));
            expect(stepUp?.wwwAuthenticate).toContain(`resource_metadata="${prmUrlFor(resource)}"`);
            // The client re-authorized for the challenged scope (the step-up), still in vain.
            expect(o.rounds).toHaveLength(2);
            expect(o.rounds[1]!.authorizationUrl.searchParams.get('scope')?.split(' ')).toContain(SCOPE);
          });

          it(`SDK ${sdk} client, user granted the role during step-up: whoami works`, async () => {
            const result = await runOAuthFlow({
              sdk,
              serverUrl: resource,
              clientId: issuer.clientId,
              beforeAuthorization: (round) => issuer.setUserScopes(round === 0 ? [] : [SCOPE]),
            });
            const whoami = expectSignedIn(result, resource);
            expect(whoami.scope).toBe(SCOPE);
            expect(result.observations.fetchLog.some((r) => r.status === 403)).toBe(true);
            expect(result.observations.rounds).toHaveLength(2);
          });

          it(`SDK ${sdk} client, user holding the role: whoami at once`, async () => {
            issuer.setUserScopes([SCOPE]);
            const result = await runOAuthFlow({
              transport: primaryKind,
              sdk,
              serverUrl: resource,
              clientId: issuer.clientId,
            });
            const whoami = expectSignedIn(result, resource);
            expect(whoami.scope).toBe(SCOPE);
            expect(result.observations.fetchLog.some((r) => r.status === 403)).toBe(false);
            expect(result.observations.rounds).toHaveLength(1);
            // The 401 challenge names the scope to request (with openid, so Logto can always grant something).
            expect(result.observations.fetchLog[0]!.wwwAuthenticate).toMatch(
              new RegExp(`scope="[^"]*\\bopenid\\b[^"]*${SCOPE}`),
            );
          });
        }
      }

      if (variant.scopes.length > 0) {
        describe('registered with `create-logto-mcp register`, signed in with the registered app', () => {
          const M2M = { id: 'e2e-m2m', secret: 'e2e-m2m-secret', managementAccess: true };
          const credentials = { LOGTO_M2M_APP_ID: M2M.id, LOGTO_M2M_APP_SECRET: M2M.secret };
          let emulator: Emulator;
          let before: EmulatorState;
          let summary: RegisterSummary;
          // The project's LOGTO_ISSUER is the Logto-like issuer; the Management API is the emulator. Both
          // are self-hosted-like (127.0.0.1), so the Management API resource is https://default.logto.app/api.
          const register = () =>
            runCli(['register', project!.dir, '--management-endpoint', emulator.url, '--json'], { env: credentials });

          beforeAll(async () => {
            emulator = await startManagementApiEmulator({ m2mApps: [M2M] });
            before = structuredClone(emulator.state);
          });
          afterAll(async () => {
            issuer.setUserScopes(undefined);
            issuer.setAccessTokenClaimsScript(undefined);
            await emulator?.close();
          });

          it('register creates the API resource, its scope, a role and a third-party native app', async () => {
            const result = await register();
            expect(result.exitCode, result.stderr).toBe(0);
            summary = JSON.parse(result.stdout);
            expect(summary).toMatchObject({
              resource: { indicator: resource, status: 'created' },
              // The required scope, and the greet tool's from tool-scopes.json.
              scopes: [
                { name: SCOPE, status: 'created' },
                { name: TOOL_SCOPE, status: 'created' },
              ],
              role: { status: 'created' },
              application: { type: 'native', thirdParty: true, status: 'created' },
              consentScopes: { resourceScopes: [SCOPE, TOOL_SCOPE], status: 'created' },
              profileClaims: { claims: ['username', 'name', 'email'], status: 'created' },
            });
            expect(emulator.state.jwtCustomizers['jwt.accessToken']?.script).toContain(resource);
            expect((await readDotenv(join(project!.dir, '.env'))).LOGTO_APP_ID).toBe(summary.application.id);
          });

          for (const sdk of ['v2', 'v1'] as const) {
            it(`SDK ${sdk} client: the registered app signs in through the consent screen and calls whoami`, async () => {
              configureIssuerFromEmulator(issuer, emulator.state, summary.application.id, [summary.role!.id]); // the user holds the registered role
              const result = await runOAuthFlow({
                transport: primaryKind,
                sdk,
                serverUrl: resource,
                clientId: summary.application.id,
              });
              const whoami = expectSignedIn(result, resource, summary.application.id);
              expect(String(whoami.scope).split(' ')).toContain(SCOPE);
              // The claims script register installed put the user's profile into the token, and whoami returns it.
              const { username, name, email } = issuer.user;
              expect(result.observations.tokenClaims).toMatchObject({ username, name, email });
              expect(whoami).toMatchObject({ username, name, email, subjectType: 'user' });
              expect(whoami).not.toHaveProperty('missingProfileClaims');
              expect(issuer.claimsScriptErrors).toEqual([]);
              expect(issuer.interactions.filter(({ clientId }) => clientId === summary.application.id).at(-1)).toEqual({
                clientId: summary.application.id,
                prompt: 'consent',
              });
            });
          }

          it(`SDK v2 client (2026-07-28): the registered third-party app gets ${TOOL_SCOPE} only by step-up, through the consent screen`, async () => {
            configureIssuerFromEmulator(issuer, emulator.state, summary.application.id, [summary.role!.id]);
            const result = await runOAuthFlow({
              transport: primaryKind,
              sdk: 'v2',
              modern: true,
              serverUrl: resource,
              clientId: summary.application.id,
              callFirst: ['whoami'],
              toolName: 'greet',
            });
            if (!result.ok) throw result.error;
            const o = result.observations;
            expect(o.toolCalls[0]).toMatchObject({ name: 'whoami', ok: true });
            expect(o.toolCalls[0]!.tokenScope?.split(' ')).not.toContain(TOOL_SCOPE);
            expect(o.fetchLog.find((r) => r.status === 403)?.wwwAuthenticate).toContain(
              `scope="openid profile email ${SCOPE} ${TOOL_SCOPE}"`,
            );
            expect(o.toolCalls.at(-1)!.ok).toBe(true);
            expect(o.toolCalls.at(-1)!.tokenScope?.split(' ')).toEqual(expect.arrayContaining([SCOPE, TOOL_SCOPE]));
            expect(issuer.interactions.filter(({ clientId }) => clientId === summary.application.id).at(-1)).toEqual({
              clientId: summary.application.id,
              prompt: 'consent',
            });
          });

          it('a re-run of register changes nothing', async () => {
            const writes = emulator.requests.filter(({ method }) => method !== 'GET').length;
            const state = structuredClone(emulator.state);
            const result = await register();
            expect(result.exitCode, result.stderr).toBe(0);
            expect(JSON.parse(result.stdout)).toMatchObject({
              resource: { status: 'existing' },
              scopes: [{ status: 'existing' }, { status: 'existing' }],
              role: { status: 'existing' },
              application: { status: 'existing' },
              consentScopes: { status: 'existing' },
              profileClaims: { status: 'existing' },
            });
            expect(emulator.requests.filter(({ method }) => method !== 'GET')).toHaveLength(writes);
            expect(emulator.state).toEqual(state);
          });

          it('unregister removes everything register created', async () => {
            const result = await runCli(['unregister', project!.dir, '--management-endpoint', emulator.url, '--yes'], {
              env: credentials,
            });
            expect(result.exitCode, result.stderr).toBe(0);
            expect(emulator.state).toEqual(before);
            expect((await readDotenv(join(project!.dir, '.env'))).LOGTO_APP_ID).toBeUndefined();
            expect(JSON.parse(await readFile(join(project!.dir, 'logto-mcp.json'), 'utf8'))).not.toHaveProperty(
              'logto',
            );
          });
        });
      }

      it('is still serving after everything above', async () => {
        const health = await fetch(`${server!.baseUrl}/healthz`);
        expect(health.status).toBe(200);
        await health.body?.cancel();
      });
    });
  });
}
