/**
 * The real end-to-end test: the built CLI generates a project (express, streamable-http, jwt),
 * which is installed, type-checked, tested with its own suite, built and started as a user would;
 * then real MCP SDK clients (v2 and v1) sign in through a Logto-like OpenID Provider on loopback
 * and call `whoami`, and every row of the HTTP contract (DESIGN.md §3) is checked with real
 * requests against the running server.
 *
 * Two projects: one requiring no scope, one generated with `--scopes read:whoami` (step-up).
 * Everything listens on 127.0.0.1; every process started here is stopped in afterAll.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describeContract } from './support/contract-checks.js';
import { generateProject, readDotenv, run, startProject, type GeneratedProject, type RunningServer } from './support/generated-project.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer } from './support/logto-like-issuer.js';
import { runOAuthFlow, type OAuthFlowResult } from './support/mcp-oauth-client.js';
import { getFreePort } from './support/ports.js';

const SCOPE = 'read:whoami';
const INSTALL_LIMIT = 600_000;
const SCRIPT_LIMIT = 300_000;

let issuer: LogtoLikeIssuer;

beforeAll(async () => {
  issuer = await startLogtoLikeIssuer({});
});
afterAll(async () => {
  await issuer?.close();
});

function expectSignedIn(result: OAuthFlowResult, resource: string): Record<string, unknown> {
  if (!result.ok) {
    const log = result.observations.fetchLog.map((r) => `${r.status} ${r.method} ${r.url} ${r.wwwAuthenticate ?? ''}`).join('\n');
    throw new Error(`OAuth flow failed: ${result.error.message}\n${log}`, { cause: result.error });
  }
  const whoami = result.whoami as Record<string, unknown>;
  expect(whoami.sub).toBe(issuer.user.sub);
  expect(whoami.iss).toBe(issuer.issuer);
  expect(whoami.aud).toBe(resource);
  expect(whoami.client_id).toBe(issuer.clientId);
  const o = result.observations;
  expect(o.requestedResource).toBe(resource);
  expect(o.tokenHeader).toMatchObject({ alg: 'ES384', typ: 'at+jwt', kid: issuer.publicJwk.kid });
  expect(o.tokenClaims).toMatchObject({ iss: issuer.issuer, aud: resource, sub: issuer.user.sub });
  return whoami;
}

for (const variant of [
  { name: 'no required scope', scopes: [] as string[] },
  { name: `--scopes ${SCOPE}`, scopes: [SCOPE] },
]) {
  describe(`generated server (express, streamable-http, jwt), ${variant.name}`, () => {
    let port: number;
    let resource: string;
    let project: GeneratedProject | undefined;
    let server: RunningServer | undefined;

    beforeAll(async () => {
      port = await getFreePort();
      resource = `http://127.0.0.1:${port}/mcp`;
      issuer.addResource(resource, { scopes: [SCOPE] });
      // The CLI installs the dependencies itself, as in a user's run.
      project = await generateProject({ issuer: issuer.issuer, resource, port, scopes: variant.scopes, install: true });
    }, INSTALL_LIMIT);

    afterAll(async () => {
      await server?.stop();
      await project?.remove();
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

    it('type-checks', async () => {
      const result = await run(project!.dir, 'npm', ['run', 'typecheck'], {}, SCRIPT_LIMIT);
      expect(result.exitCode, result.output).toBe(0);
    }, SCRIPT_LIMIT);

    it('passes its own tests (no Logto tenant needed)', async () => {
      const result = await run(project!.dir, 'npm', ['test'], {}, SCRIPT_LIMIT);
      expect(result.exitCode, result.output).toBe(0);
      expect(result.output).toMatch(/Tests\s+\d+ passed/);
      expect(result.output).not.toMatch(/\d+ (failed|skipped)/);
    }, SCRIPT_LIMIT);

    it('builds', async () => {
      const result = await run(project!.dir, 'npm', ['run', 'build'], {}, SCRIPT_LIMIT);
      expect(result.exitCode, result.output).toBe(0);
      expect((await stat(join(project!.dir, 'dist', 'index.js'))).isFile()).toBe(true);
    }, SCRIPT_LIMIT);

    describe('running (npm start)', () => {
      beforeAll(async () => {
        server = await startProject(project!.dir, port);
      }, 120_000);

      describeContract(() => ({ resource, issuer, requiredScopes: variant.scopes }));

      if (variant.scopes.length === 0) {
        for (const sdk of ['v2', 'v1'] as const) {
          it(`SDK ${sdk} client: 401 → metadata → authorization code + PKCE + resource → token → whoami`, async () => {
            issuer.setUserScopes(undefined);
            const result = await runOAuthFlow({ sdk, serverUrl: resource, clientId: issuer.clientId });
            expectSignedIn(result, resource);
            const o = result.observations;
            // No scope in the 401 challenge: the client falls back to scopes_supported.
            const first = o.fetchLog[0]!;
            expect(first.status).toBe(401);
            expect(first.wwwAuthenticate).not.toMatch(/scope=/);
            const requested = o.requestedScope?.split(' ') ?? [];
            expect(requested).toContain('openid');
            expect(requested.includes('offline_access')).toBe(sdk === 'v2');
            expect(o.rounds).toHaveLength(1);
          });
        }
      } else {
        for (const sdk of ['v2', 'v1'] as const) {
          it(`SDK ${sdk} client, user without the role: token without the scope, 403 insufficient_scope, step-up fails`, async () => {
            issuer.setUserScopes([]);
            const result = await runOAuthFlow({ sdk, serverUrl: resource, clientId: issuer.clientId });
            expect(result.ok).toBe(false);
            const o = result.observations;
            expect(o.requestedScope?.split(' ')).toEqual(expect.arrayContaining(['openid', SCOPE]));
            expect(o.tokenClaims?.aud).toBe(resource);
            expect(o.tokenClaims?.scope ?? '').not.toContain(SCOPE);
            const stepUp = o.fetchLog.find((r) => r.status === 403);
            expect(stepUp?.wwwAuthenticate).toMatch(/error="insufficient_scope"/);
            expect(stepUp?.wwwAuthenticate).toMatch(new RegExp(`scope="[^"]*${SCOPE}`));
            expect(stepUp?.wwwAuthenticate).toContain(`resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp"`);
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
            const result = await runOAuthFlow({ sdk, serverUrl: resource, clientId: issuer.clientId });
            const whoami = expectSignedIn(result, resource);
            expect(whoami.scope).toBe(SCOPE);
            expect(result.observations.fetchLog.some((r) => r.status === 403)).toBe(false);
            expect(result.observations.rounds).toHaveLength(1);
            // The 401 challenge names the scope to request (with openid, so Logto can always grant something).
            expect(result.observations.fetchLog[0]!.wwwAuthenticate).toMatch(new RegExp(`scope="[^"]*\\bopenid\\b[^"]*${SCOPE}`));
          });
        }
      }

      it('is still serving after everything above', async () => {
        const health = await fetch(`${server!.baseUrl}/healthz`);
        expect(health.status).toBe(200);
        await health.body?.cancel();
      });
    });
  });
}
