/**
 * The Python server end to end: for every Python variant the CLI accepts (test/support/variants.ts), the built CLI
 * generates a project and installs it (alternately with uv and with python3 -m venv and pip, so both install paths
 * run); the project's own pytest suite and ruff pass; its installed command starts it from `.env`; every row of
 * the HTTP contract (DESIGN.md §3) is checked, and the server attacked and broken, with the same contract, attack and
 * fault checks as the TypeScript servers; and real MCP clients, the TypeScript SDK v2 client and the MCP Python SDK's
 * own client, sign in through the Logto-like issuer and call `whoami` (and `greet`, by step-up); with
 * `--transport both`, both SDKs' SSE clients also sign in at the SSE endpoint below the resource, for the same
 * resource. The first variant is also registered with `register` against the
 * Management API emulator, and the registered app signs in. Everything listens on 127.0.0.1.
 */
import { execa } from 'execa';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { endpointUrls, transportPaths } from '../src/options/choices.js';
import type { RegisterSummary } from '../src/register/register.js';
import { expectBenchServerServes } from './support/bench-server.js';
import { CLI, runCli } from './support/cli.js';
import { describeAttacks, describeContract, describeHardening, prmUrlFor } from './support/contract-checks.js';
import { describeFaults } from './support/fault-checks.js';
import {
  readDotenv,
  run,
  startProject,
  type GeneratedProject,
  type RunningServer,
} from './support/generated-project.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer } from './support/logto-like-issuer.js';
import { startManagementApiEmulator, type Emulator } from './support/management-api-emulator.js';
import { runOAuthFlow } from './support/mcp-oauth-client.js';
import { getFreePort } from './support/ports.js';
import { generatePythonProject } from './support/python-project.js';
import { startPythonServer } from '../bench/throughput.js';
import { lineWatcher, ScriptedUserAgent } from './support/user-agent.js';
import { pythonVariants, variantName } from './support/variants.js';

const TOOL_SCOPE = 'greet:write';
const INSTALL_LIMIT = 600_000;
const SCRIPT_LIMIT = 300_000;
const DRIVER = join(import.meta.dirname, 'support', 'python-oauth-driver.py');
const COMMAND = 'mcp-server'; // the project's [project.scripts] entry: the folder's name

let issuer: LogtoLikeIssuer;

beforeAll(async () => {
  issuer = await startLogtoLikeIssuer({});
});
afterAll(async () => {
  await issuer?.close();
});

/** The MCP Python SDK's client, through the OAuth flow, in the project's own environment. */
async function pythonClient(dir: string, transport: string, resource: string, clientId: string, tool: string) {
  const result = await run(
    dir,
    join(dir, '.venv', 'bin', 'python'),
    [DRIVER, transport, resource, clientId, 'http://127.0.0.1:8765/callback', tool],
    {},
    SCRIPT_LIMIT,
  );
  const line = result.output.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as { ok: boolean; result?: Record<string, unknown>; error?: string; requests: string[] };
  } catch {
    throw new Error(`the Python driver printed no result (exit ${result.exitCode}):\n${result.output}`);
  }
}

pythonVariants.forEach((variant, index) => {
  // The transport the contract is checked with: Streamable HTTP when the server has it, at `resource`.
  const kind = variant.transport === 'sse' ? 'sse' : 'streamable-http';
  const withUv = index % 2 === 0;
  describe(`generated Python server (${variantName(variant)}), installed with ${withUv ? 'uv' : 'venv + pip'}`, () => {
    let port: number;
    let resource: string;
    // Where clients of each transport connect (--transport both serves the two, sharing one resource).
    let endpoints: ReturnType<typeof endpointUrls>;
    let project: GeneratedProject | undefined;
    let server: RunningServer | undefined;

    beforeAll(async () => {
      port = await getFreePort();
      resource = `http://127.0.0.1:${port}${transportPaths[variant.transport]}`;
      endpoints = endpointUrls(variant.transport, resource);
      issuer.addResource(resource, { scopes: [TOOL_SCOPE] });
      project = await generatePythonProject({ issuer: issuer.issuer, resource, port, withUv, ...variant });
    }, INSTALL_LIMIT);

    afterAll(async () => {
      await server?.stop();
      await project?.remove();
    });

    it('writes a pyproject.toml, the .env (owner only) and the record register reads', async () => {
      const pyproject = await readFile(join(project!.dir, 'pyproject.toml'), 'utf8');
      expect(pyproject).toContain('requires-python = ">=3.11"');
      expect(pyproject).toContain(`[project.scripts]\n"${COMMAND}" = "mcp_server.__main__:main"`);
      const env = await readDotenv(join(project!.dir, '.env'));
      expect(env).toMatchObject({
        LOGTO_ISSUER: issuer.issuer,
        MCP_RESOURCE: resource,
        PORT: String(port),
        HOST: '127.0.0.1',
      });
      expect((await stat(join(project!.dir, '.env'))).mode & 0o777).toBe(0o600);
      const record = JSON.parse(await readFile(join(project!.dir, 'logto-mcp.json'), 'utf8'));
      expect(record).toMatchObject({
        language: 'python',
        framework: variant.framework,
        transport: variant.transport,
        verifier: variant.verifier,
      });
      expect(project!.cliOutput).toContain(withUv ? `uv run ${COMMAND}` : `.venv/bin/${COMMAND}`);
    });

    it(
      'passes its own tests (pytest, no Logto tenant needed) and ruff',
      async () => {
        const tests = await run(project!.dir, '.venv/bin/pytest', ['-q'], {}, SCRIPT_LIMIT);
        expect(tests.exitCode, tests.output).toBe(0);
        expect(tests.output).toMatch(/\d+ passed/);
        expect(tests.output).not.toMatch(/\d+ (failed|skipped|error)/);
        const lint = await run(project!.dir, '.venv/bin/ruff', ['check', '.'], {}, SCRIPT_LIMIT);
        expect(lint.exitCode, lint.output).toBe(0);
      },
      SCRIPT_LIMIT,
    );

    it('serves its app from the benchmark server (bench/server.py): JWT, auth off and the control', async () => {
      const env = { LOGTO_ISSUER: issuer.issuer, MCP_RESOURCE: resource, PORT: String(port) };
      await expectBenchServerServes(await startPythonServer(project!.dir, 'mcp_server', env), resource);
    });

    // Its own server processes and issuers, as for the TypeScript servers.
    describeFaults(() => ({ dir: project!.dir }), variant.transport, { command: [`.venv/bin/${COMMAND}`] });

    describe(`running (.venv/bin/${COMMAND})`, () => {
      beforeAll(async () => {
        server = await startProject(project!.dir, port, {}, [join(project!.dir, '.venv', 'bin', COMMAND)]);
      }, 120_000);

      describeContract(() => ({ resource, issuer, requiredScopes: [], transport: kind }));
      describeHardening(() => ({ resource, issuer, requiredScopes: [], transport: kind }));
      describeAttacks(() => ({ resource, issuer, requiredScopes: [], transport: kind }), kind);

      for (const modern of variant.transport === 'sse' ? [false] : [true, false]) {
        it(`TypeScript SDK v2 client${modern ? ' speaking 2026-07-28' : ''}: 401 → metadata → authorization code + PKCE + resource → token → whoami`, async () => {
          issuer.setUserScopes(undefined);
          const result = await runOAuthFlow({
            transport: kind,
            sdk: 'v2',
            modern,
            serverUrl: resource,
            clientId: issuer.clientId,
          });
          if (!result.ok) throw result.error;
          const whoami = result.whoami as Record<string, unknown>;
          expect(whoami).toMatchObject({
            sub: issuer.user.sub,
            iss: issuer.issuer,
            aud: resource,
            client_id: issuer.clientId,
            subjectType: 'user',
          });
          expect(whoami.missingProfileClaims).toEqual(['username', 'name', 'email']);
          expect(result.observations.requestedResource).toBe(resource);
          expect(result.observations.fetchLog[0]!.wwwAuthenticate).toMatch(/scope="openid profile email"/);
        });
      }

      if (variant.transport !== 'sse') {
        it(`TypeScript SDK v2 client: greet answers the step-up challenge for ${TOOL_SCOPE}, then works once re-authorized`, async () => {
          issuer.setUserScopes([TOOL_SCOPE]);
          const result = await runOAuthFlow({
            transport: kind,
            sdk: 'v2',
            modern: true,
            serverUrl: resource,
            clientId: issuer.clientId,
            callFirst: ['whoami'],
            toolName: 'greet',
          });
          issuer.setUserScopes(undefined);
          if (!result.ok) throw result.error;
          const o = result.observations;
          expect(o.toolCalls[0]).toEqual({ name: 'whoami', ok: true, tokenScope: '' });
          const stepUp = o.fetchLog.find((r) => r.status === 403);
          expect(stepUp?.wwwAuthenticate).toContain(`scope="openid profile email ${TOOL_SCOPE}"`);
          expect(stepUp?.wwwAuthenticate).toContain(`resource_metadata="${prmUrlFor(resource)}"`);
          expect(o.rounds).toHaveLength(2);
          expect(o.toolCalls.at(-1)).toEqual({ name: 'greet', ok: true, tokenScope: TOOL_SCOPE });
        });
      }

      it("the MCP Python SDK's own client (OAuthClientProvider): signs in through the issuer and calls whoami", async () => {
        issuer.setUserScopes(undefined);
        const outcome = await pythonClient(project!.dir, kind, resource, issuer.clientId, 'whoami');
        expect(outcome.ok, `${outcome.error}\n${outcome.requests.join('\n')}`).toBe(true);
        expect(outcome.result).toMatchObject({
          sub: issuer.user.sub,
          aud: resource,
          client_id: issuer.clientId,
          subjectType: 'user',
        });
        expect(outcome.requests.some((request) => /^200 POST \S+\/oidc\/token/.test(request))).toBe(true);
        expect(outcome.requests[0]).toMatch(/^401 .* resource_metadata="[^"]+", scope="openid profile email"$/);
      }, 120_000);

      // The SDK's SSE client does not act on a 403 to a POST: it waits on the stream for an answer that never comes.
      if (variant.transport !== 'sse') {
        it(`the MCP Python SDK's client, user holding the role: greet answers the step-up challenge, the client re-authorizes for ${TOOL_SCOPE}, and greet works`, async () => {
          issuer.setUserScopes([TOOL_SCOPE]);
          const outcome = await pythonClient(project!.dir, kind, resource, issuer.clientId, 'greet');
          issuer.setUserScopes(undefined);
          expect(outcome.ok, `${outcome.error}\n${outcome.requests.join('\n')}`).toBe(true);
          expect(outcome.result).toEqual({ text: `Hello, ${issuer.user.sub}!` });
          expect(outcome.requests.find((request) => request.startsWith('403 POST'))).toContain(
            `scope="openid profile email ${TOOL_SCOPE}"`,
          );
          expect(outcome.requests.filter((request) => /^200 POST \S+\/oidc\/token/.test(request))).toHaveLength(2);
        }, 120_000);

        it(`the MCP Python SDK's client, user without the role granting ${TOOL_SCOPE}: greet gets the 403 step-up challenge and stays refused`, async () => {
          issuer.setUserScopes([]);
          const outcome = await pythonClient(project!.dir, kind, resource, issuer.clientId, 'greet');
          issuer.setUserScopes(undefined);
          expect(outcome.ok).toBe(false);
          const stepUp = outcome.requests.find((request) => request.startsWith('403 POST'));
          expect(stepUp, outcome.requests.join('\n')).toContain(`error="insufficient_scope"`);
          expect(stepUp).toContain(`scope="openid profile email ${TOOL_SCOPE}"`);
        }, 120_000);
      }

      if (variant.transport === 'both') {
        it('logs where clients of each transport connect', () => {
          expect(server!.logs()).toContain(`Streamable HTTP clients connect to ${endpoints.streamableHttp}`);
          expect(server!.logs()).toContain(`HTTP+SSE clients (deprecated transport) connect to ${endpoints.sse}`);
        });

        it('TypeScript SDK v2 SSE client at the SSE endpoint below the resource: signs in for the same resource and calls whoami', async () => {
          issuer.setUserScopes(undefined);
          const result = await runOAuthFlow({
            transport: 'sse',
            sdk: 'v2',
            serverUrl: endpoints.sse!,
            clientId: issuer.clientId,
          });
          if (!result.ok) throw result.error;
          expect(result.whoami).toMatchObject({ sub: issuer.user.sub, aud: resource, subjectType: 'user' });
          expect(result.observations.requestedResource).toBe(resource);
          expect(result.observations.fetchLog[0]).toMatchObject({ status: 401, url: endpoints.sse });
          expect(result.observations.fetchLog[0]!.wwwAuthenticate).toContain(
            `resource_metadata="${prmUrlFor(resource)}"`,
          );
        });

        it("the MCP Python SDK's SSE client at the SSE endpoint: signs in for the same resource and calls whoami", async () => {
          issuer.setUserScopes(undefined);
          const outcome = await pythonClient(project!.dir, 'sse', endpoints.sse!, issuer.clientId, 'whoami');
          expect(outcome.ok, `${outcome.error}\n${outcome.requests.join('\n')}`).toBe(true);
          expect(outcome.result).toMatchObject({ sub: issuer.user.sub, aud: resource, subjectType: 'user' });
          expect(outcome.requests[0]).toContain(
            `GET ${endpoints.sse} Bearer resource_metadata="${prmUrlFor(resource)}"`,
          );
          const tokenRequest = outcome.requests.find((request) => /^200 POST \S+\/oidc\/token/.test(request));
          expect(tokenRequest, outcome.requests.join('\n')).toBeDefined();
        }, 120_000);

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

      if (index === 0) {
        describe('registered with `create-logto-mcp register`, signed in with the registered app', () => {
          const M2M = { id: 'e2e-m2m', secret: 'e2e-m2m-secret', managementAccess: true };
          const credentials = { LOGTO_M2M_APP_ID: M2M.id, LOGTO_M2M_APP_SECRET: M2M.secret };
          let emulator: Emulator;
          let summary: RegisterSummary;

          beforeAll(async () => {
            emulator = await startManagementApiEmulator({ m2mApps: [M2M] });
          });
          afterAll(async () => {
            issuer.setAccessTokenClaimsScript(undefined);
            await emulator?.close();
          });

          it('register creates the API resource, the tool scope, a role and a third-party native app', async () => {
            const result = await runCli(['register', project!.dir, '--management-endpoint', emulator.url, '--json'], {
              env: credentials,
            });
            expect(result.exitCode, result.stderr).toBe(0);
            summary = JSON.parse(result.stdout);
            expect(summary).toMatchObject({
              resource: { indicator: resource, status: 'created' },
              scopes: [{ name: TOOL_SCOPE, status: 'created' }],
              application: { type: 'native', thirdParty: true, status: 'created' },
              profileClaims: { claims: ['username', 'name', 'email'], status: 'created' },
            });
            expect((await readDotenv(join(project!.dir, '.env'))).LOGTO_APP_ID).toBe(summary.application.id);
            expect(JSON.parse(await readFile(join(project!.dir, 'logto-mcp.json'), 'utf8'))).toMatchObject({
              language: 'python',
              logto: expect.any(Object),
            });
          });

          it('the registered app signs in through the consent screen, and whoami returns the profile claims register installed', async () => {
            const state = emulator.state;
            const app = state.applications.find(({ id }) => id === summary.application.id)!;
            const consent = state.consent.get(app.id);
            const scopeNames = (ids: string[]) =>
              state.scopes.filter(({ id }) => ids.includes(id)).map(({ name }) => name);
            issuer.addClient({
              clientId: app.id,
              type: 'native',
              redirectUris: app.oidcClientMetadata.redirectUris,
              thirdParty: app.isThirdParty,
              consentScopes: consent && {
                userScopes: consent.userScopes,
                resourceScopes: { [resource]: scopeNames(consent.resourceScopes) },
              },
            });
            issuer.setAccessTokenClaimsScript(state.jwtCustomizers['jwt.accessToken']?.script);
            const result = await runOAuthFlow({ transport: kind, sdk: 'v2', serverUrl: resource, clientId: app.id });
            if (!result.ok) throw result.error;
            const { username, name, email } = issuer.user;
            expect(result.whoami).toMatchObject({
              sub: issuer.user.sub,
              client_id: app.id,
              username,
              name,
              email,
              subjectType: 'user',
            });
            expect(result.whoami).not.toHaveProperty('missingProfileClaims');
            expect(issuer.interactions.filter(({ clientId }) => clientId === app.id).at(-1)).toEqual({
              clientId: app.id,
              prompt: 'consent',
            });
          });

          it('`create-logto-mcp try` in the project signs in through login and consent and shows the user their claims', async () => {
            // The issuer knows the registered app from the previous test; the user consents again.
            const child = execa('node', [CLI, 'try', project!.dir, '--no-open'], {
              reject: false,
              stdin: 'ignore',
              env: { NO_COLOR: '1' },
            });
            const url = await lineWatcher(child.stdout).next((line) => line.startsWith(`${issuer.issuer}/auth?`));
            expect(new URL(url).searchParams.get('resource')).toBe(resource);
            await new ScriptedUserAgent().visit(url);
            const result = await child;
            expect(result.exitCode, String(result.stderr)).toBe(0);
            expect(result.stdout).toContain('Signed in; whoami answered:');
            for (const [claim, value] of Object.entries({
              sub: issuer.user.sub,
              username: issuer.user.username,
              client_id: summary.application.id,
              subjectType: 'user',
            })) {
              expect(result.stdout).toMatch(new RegExp(`\\n\\s+${claim}\\s+${value.replace(/[.]/g, '\\.')}(\\n|$)`));
            }
          }, 120_000);

          it('unregister removes what register created', async () => {
            const result = await runCli(['unregister', project!.dir, '--management-endpoint', emulator.url, '--yes'], {
              env: credentials,
            });
            expect(result.exitCode, result.stderr).toBe(0);
            expect(emulator.state.applications.some(({ id }) => id === summary.application.id)).toBe(false);
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
});
