/**
 * Tests of the end-to-end fixtures themselves, fast and without installing anything:
 * the Logto-like issuer behaves like Logto where the e2e tests rely on it, the headless
 * MCP SDK clients complete the OAuth flow, and the contract checks pass against a
 * reference resource server (so a failure against the generated server is the server's).
 */
import { createHash, randomBytes } from 'node:crypto';

import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describeContract, prmUrlFor } from './support/contract-checks.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer } from './support/logto-like-issuer.js';
import { CookieJar, followAuthorization, runOAuthFlow, type OAuthFlowResult } from './support/mcp-oauth-client.js';
import { startReferenceServer, type ReferenceServer } from './support/reference-resource-server.js';

const SCOPE = 'read:whoami';

/** A plain authorization-code + PKCE flow with fetch, for checking the issuer itself. */
async function authorize(issuer: LogtoLikeIssuer, params: Record<string, string | undefined>, jar = new CookieJar()) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const url = new URL(`${issuer.issuer}/auth`);
  const all: Record<string, string | undefined> = {
    client_id: issuer.clientId,
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:40001/callback',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st',
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  const { callbackUrl } = await followAuthorization(url, all.redirect_uri!, jar);
  return { callback: callbackUrl.searchParams, verifier, redirectUri: all.redirect_uri! };
}

async function exchange(
  issuer: LogtoLikeIssuer,
  code: string,
  verifier: string,
  redirectUri: string,
  resource?: string,
  clientId = issuer.clientId,
) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
    client_id: clientId,
  });
  if (resource) body.set('resource', resource);
  const response = await fetch(`${issuer.issuer}/token`, { method: 'POST', body });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('Logto-like issuer', () => {
  let issuer: LogtoLikeIssuer;
  const resource = 'http://127.0.0.1:1/mcp'; // an indicator only: nothing is served there

  beforeAll(async () => {
    issuer = await startLogtoLikeIssuer({
      resources: { [resource]: { scopes: [SCOPE, 'write:things'] } },
      userScopes: [SCOPE],
    });
  });
  afterAll(async () => issuer?.close());

  it('publishes discovery under /oidc like Logto, and 404 at the root-inserted variants', async () => {
    const discovery = await fetch(issuer.discoveryUrl);
    expect(discovery.status).toBe(200);
    const metadata = (await discovery.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(issuer.issuer);
    expect(metadata.jwks_uri).toBe(issuer.jwksUri);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));

    const asMetadata = await fetch(`${issuer.issuer}/.well-known/oauth-authorization-server`);
    expect(asMetadata.status).toBe(200);
    expect(((await asMetadata.json()) as { issuer: string }).issuer).toBe(issuer.issuer);

    for (const path of [
      '/.well-known/oauth-authorization-server/oidc',
      '/.well-known/openid-configuration/oidc',
      '/.well-known/openid-configuration',
    ]) {
      const response = await fetch(issuer.origin + path);
      expect(response.status, path).toBe(404);
      await response.body?.cancel();
    }

    const jwks = (await (await fetch(issuer.jwksUri)).json()) as { keys: jose.JWK[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: issuer.publicJwk.kid, alg: 'ES384', crv: 'P-384' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('issues an at+jwt ES384 access token for a registered resource, carrying only the scopes the user holds', async () => {
    const { callback, verifier, redirectUri } = await authorize(issuer, {
      scope: `openid profile ${SCOPE} write:things`,
      resource,
    });
    expect(callback.get('iss')).toBe(issuer.issuer);
    expect(callback.get('state')).toBe('st');
    const token = await exchange(issuer, callback.get('code')!, verifier, redirectUri, resource);
    expect(token.status).toBe(200);
    const header = jose.decodeProtectedHeader(token.body.access_token!);
    expect(header).toMatchObject({ alg: 'ES384', typ: 'at+jwt', kid: issuer.publicJwk.kid });
    const { payload } = await jose.jwtVerify(
      token.body.access_token!,
      jose.createLocalJWKSet({ keys: [issuer.publicJwk] }),
      {
        issuer: issuer.issuer,
        audience: resource,
        typ: 'at+jwt',
      },
    );
    expect(payload).toMatchObject({ sub: issuer.user.sub, client_id: issuer.clientId, scope: SCOPE });
    expect(payload).not.toHaveProperty('email');
  });

  it('grants an empty scope when the user holds no role for the requested scope', async () => {
    issuer.setUserScopes([]);
    try {
      const { callback, verifier, redirectUri } = await authorize(issuer, { scope: `openid ${SCOPE}`, resource });
      const token = await exchange(issuer, callback.get('code')!, verifier, redirectUri, resource);
      expect(token.status).toBe(200);
      const claims = jose.decodeJwt(token.body.access_token!);
      expect(claims.aud).toBe(resource);
      expect(claims.scope ?? '').toBe('');
    } finally {
      issuer.setUserScopes([SCOPE]);
    }
  });

  it('rejects an unregistered resource indicator with invalid_target', async () => {
    const { callback } = await authorize(issuer, { scope: 'openid', resource: 'http://127.0.0.1:2/not-registered' });
    expect(callback.get('error')).toBe('invalid_target');
    expect(callback.get('code')).toBeNull();
  });

  it('requires PKCE for the public client', async () => {
    const { callback } = await authorize(issuer, {
      scope: 'openid',
      resource,
      code_challenge: undefined,
      code_challenge_method: undefined,
    });
    expect(callback.get('error')).toBe('invalid_request');
    expect(callback.get('error_description')).toMatch(/PKCE/);
  });

  it('issues an opaque access token when no resource is requested', async () => {
    const { callback, verifier, redirectUri } = await authorize(issuer, { scope: 'openid profile email' });
    const token = await exchange(issuer, callback.get('code')!, verifier, redirectUri);
    expect(token.status).toBe(200);
    expect(token.body.access_token!.split('.')).toHaveLength(1);
    const userinfo = await fetch(`${issuer.issuer}/me`, {
      headers: { authorization: `Bearer ${token.body.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ sub: issuer.user.sub, email: issuer.user.email });
  });

  it('signs crafted tokens with its real key', async () => {
    const token = await issuer.signToken({ aud: resource, scope: SCOPE });
    const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(issuer.jwksUri)), {
      issuer: issuer.issuer,
      audience: resource,
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload.sub).toBe(issuer.user.sub);
  });

  it('optionally registers a confidential third-party-like client with exact redirect URIs', async () => {
    const redirect = 'http://127.0.0.1:40002/agent/callback';
    const withApp = await startLogtoLikeIssuer({
      resources: { [resource]: { scopes: [SCOPE] } },
      confidentialClient: { redirectUris: [redirect] },
    });
    try {
      const app = withApp.confidentialClient!;
      const wrongPort = await authorize(withApp, {
        client_id: app.clientId,
        redirect_uri: 'http://127.0.0.1:40003/agent/callback',
        scope: 'openid',
      }).catch((e: Error) => e);
      // An unregistered redirect URI is not redirected to: the error is shown at the provider.
      expect(wrongPort).toBeInstanceOf(Error);
      expect((wrongPort as Error).message).toMatch(/redirect_uri/);

      const { callback, verifier } = await authorize(withApp, {
        client_id: app.clientId,
        redirect_uri: redirect,
        scope: `openid ${SCOPE}`,
        resource,
      });
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.get('code')!,
        code_verifier: verifier,
        redirect_uri: redirect,
        resource,
      });
      const basic = Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64');
      const response = await fetch(`${withApp.issuer}/token`, {
        method: 'POST',
        body,
        headers: { authorization: `Basic ${basic}` },
      });
      expect(response.status).toBe(200);
      const token = (await response.json()) as { access_token: string };
      expect(jose.decodeJwt(token.access_token)).toMatchObject({
        aud: resource,
        client_id: app.clientId,
        scope: SCOPE,
      });
    } finally {
      await withApp.close();
    }
  });

  describe('an application added as Logto holds it (third-party Native, with consent scopes)', () => {
    const appId = 'registered-native-app';
    beforeAll(() => {
      issuer.addClient({
        clientId: appId,
        type: 'native',
        thirdParty: true,
        redirectUris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
        consentScopes: { userScopes: ['profile'], resourceScopes: { [resource]: [SCOPE] } },
      });
    });
    afterAll(() => issuer.setUserScopes([SCOPE]));

    it('accepts loopback redirects on any port (RFC 8252), localhost too, and asks for consent', async () => {
      issuer.setUserRoles([{ [resource]: [SCOPE] }]);
      const { callback, verifier, redirectUri } = await authorize(issuer, {
        client_id: appId,
        redirect_uri: 'http://localhost:40123/callback',
        scope: `openid profile ${SCOPE}`,
        resource,
      });
      const token = await exchange(issuer, callback.get('code')!, verifier, redirectUri, resource, appId);
      expect(jose.decodeJwt(token.body.access_token!)).toMatchObject({ client_id: appId, aud: resource, scope: SCOPE });
      expect(issuer.interactions.filter(({ clientId }) => clientId === appId).map(({ prompt }) => prompt)).toEqual([
        'login',
        'consent',
      ]);
    });

    it('refuses an OIDC scope outside its consent scopes at /oidc/auth', async () => {
      const { callback } = await authorize(issuer, { client_id: appId, scope: 'openid profile email', resource });
      expect(callback.get('error')).toBe('invalid_scope');
      expect(callback.get('code')).toBeNull();
    });

    it("issues only the resource scopes the user's roles grant and the app was consented", async () => {
      // write:things: the role grants it, but it is not among the app's consent scopes.
      issuer.setUserRoles([{ [resource]: [SCOPE, 'write:things'] }]);
      const consented = await authorize(issuer, { client_id: appId, scope: `openid ${SCOPE} write:things`, resource });
      const token = await exchange(
        issuer,
        consented.callback.get('code')!,
        consented.verifier,
        consented.redirectUri,
        resource,
        appId,
      );
      expect(jose.decodeJwt(token.body.access_token!).scope).toBe(SCOPE);

      // A role granting the scope on another resource grants nothing here.
      issuer.setUserRoles([{ 'http://127.0.0.1:2/other': [SCOPE] }]);
      const other = await authorize(issuer, { client_id: appId, scope: `openid ${SCOPE}`, resource });
      const empty = await exchange(
        issuer,
        other.callback.get('code')!,
        other.verifier,
        other.redirectUri,
        resource,
        appId,
      );
      expect(jose.decodeJwt(empty.body.access_token!).scope ?? '').toBe('');
    });
  });

  it('issues a machine-to-machine app a token without a user: sub = client_id, empty scope (client credentials)', async () => {
    const secret = randomBytes(16).toString('hex');
    issuer.addClient({
      clientId: 'fixture-m2m',
      clientSecret: secret,
      type: 'machine-to-machine',
      redirectUris: [],
      thirdParty: false,
    });
    const response = await fetch(`${issuer.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`fixture-m2m:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource }),
    });
    const body = (await response.json()) as Record<string, string>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(jose.decodeProtectedHeader(body.access_token!)).toMatchObject({ alg: 'ES384', typ: 'at+jwt' });
    const claims = jose.decodeJwt(body.access_token!);
    expect(claims).toMatchObject({ sub: 'fixture-m2m', client_id: 'fixture-m2m', aud: resource, iss: issuer.issuer });
    expect(claims.scope ?? '').toBe('');
  });

  it('can sign with RS256 like an RSA tenant', async () => {
    const rsa = await startLogtoLikeIssuer({ resources: { [resource]: { scopes: [SCOPE] } }, alg: 'RS256' });
    try {
      const { callback, verifier, redirectUri } = await authorize(rsa, { scope: `openid ${SCOPE}`, resource });
      const token = await exchange(rsa, callback.get('code')!, verifier, redirectUri, resource);
      expect(jose.decodeProtectedHeader(token.body.access_token!)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
      const jwks = (await (await fetch(rsa.jwksUri)).json()) as { keys: jose.JWK[] };
      expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    } finally {
      await rsa.close();
    }
  });
});

function expectWhoami(result: OAuthFlowResult, issuer: LogtoLikeIssuer, resource: string): Record<string, unknown> {
  if (!result.ok) throw result.error;
  const whoami = result.whoami as Record<string, unknown>;
  expect(whoami.sub).toBe(issuer.user.sub);
  const claims = result.observations.tokenClaims!;
  expect(claims).toMatchObject({ iss: issuer.issuer, aud: resource, sub: issuer.user.sub, client_id: issuer.clientId });
  expect(result.observations.tokenHeader).toMatchObject({ alg: 'ES384', typ: 'at+jwt' });
  return whoami;
}

describe('reference server, no required scope', () => {
  let issuer: LogtoLikeIssuer;
  let server: ReferenceServer;
  beforeAll(async () => {
    issuer = await startLogtoLikeIssuer({});
    server = await startReferenceServer({ issuer: issuer.issuer });
    issuer.addResource(server.resource, { scopes: [SCOPE] });
  });
  afterAll(async () => {
    await server?.close();
    await issuer?.close();
  });

  describeContract(() => ({ resource: server.resource, issuer, requiredScopes: [] }));

  it('SDK v2 client: full OAuth flow to whoami, discovery as observed against Logto', async () => {
    const result = await runOAuthFlow({ sdk: 'v2', serverUrl: server.url, clientId: issuer.clientId });
    expectWhoami(result, issuer, server.resource);
    const o = result.observations;
    // v2 asks for what the challenge advertised, plus offline_access with prompt=consent.
    expect(o.requestedScope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);
    expect(o.rounds[0]!.authorizationUrl.searchParams.get('prompt')).toBe('consent');
    expect(o.requestedResource).toBe(server.resource);
    expect(o.rounds[0]!.authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const urls = o.fetchLog.map((r) => `${r.status} ${r.method} ${r.url}`);
    expect(urls.slice(0, 5)).toEqual([
      `401 POST ${server.url}`,
      `200 GET ${prmUrlFor(server.resource)}`,
      `404 GET ${issuer.origin}/.well-known/oauth-authorization-server/oidc`,
      `404 GET ${issuer.origin}/.well-known/openid-configuration/oidc`,
      `200 GET ${issuer.issuer}/.well-known/openid-configuration`,
    ]);
    const tokenRequest = o.fetchLog.find((r) => r.url === `${issuer.issuer}/token`);
    expect(tokenRequest?.form).toMatchObject({
      grant_type: 'authorization_code',
      resource: server.resource,
      client_id: issuer.clientId,
    });
    expect(o.tokens?.refresh_token).toBeTruthy();
  });

  it('SDK v1 client: full OAuth flow to whoami', async () => {
    const result = await runOAuthFlow({ sdk: 'v1', serverUrl: server.url, clientId: issuer.clientId });
    expectWhoami(result, issuer, server.resource);
    const o = result.observations;
    // v1 asks for exactly what the challenge advertised.
    expect(o.requestedScope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(o.requestedResource).toBe(server.resource);
    const tokenRequest = o.fetchLog.find((r) => r.url === `${issuer.issuer}/token`);
    expect(tokenRequest?.form).toMatchObject({ grant_type: 'authorization_code', resource: server.resource });
  });
});

describe('reference server, read:whoami required', () => {
  let issuer: LogtoLikeIssuer;
  let server: ReferenceServer;
  beforeAll(async () => {
    issuer = await startLogtoLikeIssuer({ userScopes: [] });
    server = await startReferenceServer({ issuer: issuer.issuer, requiredScopes: [SCOPE] });
    issuer.addResource(server.resource, { scopes: [SCOPE] });
  });
  afterAll(async () => {
    await server?.close();
    await issuer?.close();
  });

  describeContract(() => ({ resource: server.resource, issuer, requiredScopes: [SCOPE] }));

  for (const sdk of ['v2', 'v1'] as const) {
    it(`SDK ${sdk}: a user without the role is refused with 403 insufficient_scope (step-up), and gets in once granted it`, async () => {
      issuer.setUserScopes([]);
      const denied = await runOAuthFlow({ sdk, serverUrl: server.url, clientId: issuer.clientId });
      expect(denied.ok).toBe(false);
      const o = denied.observations;
      expect(o.requestedScope?.split(' ')).toContain(SCOPE);
      expect(o.tokenClaims?.scope ?? '').toBe('');
      const stepUp = o.fetchLog.find((r) => r.status === 403);
      expect(stepUp?.wwwAuthenticate).toMatch(/error="insufficient_scope"/);
      expect(stepUp?.wwwAuthenticate).toContain(`scope="`);
      expect(stepUp?.wwwAuthenticate).toContain(SCOPE);
      // Both SDKs re-authorize after the 403, asking for the challenged scope (v2 adds
      // offline_access) and dropping openid: for a user still without the role, oidc-provider
      // (like Logto) then has nothing to grant to v1 and answers access_denied.
      expect(o.rounds).toHaveLength(2);
      const stepUpScope = o.rounds[1]!.authorizationUrl.searchParams.get('scope')?.split(' ').sort();
      expect(stepUpScope).toEqual(sdk === 'v2' ? ['offline_access', SCOPE] : [SCOPE]);
      if (sdk === 'v1') expect(o.rounds[1]!.callbackUrl.searchParams.get('error')).toBe('access_denied');

      // The role is granted while the client is re-authorizing after the step-up challenge.
      issuer.setUserScopes([]);
      const granted = await runOAuthFlow({
        sdk,
        serverUrl: server.url,
        clientId: issuer.clientId,
        beforeAuthorization: (round) => issuer.setUserScopes(round === 0 ? [] : [SCOPE]),
      });
      const whoami = expectWhoami(granted, issuer, server.resource);
      expect(whoami.scope).toBe(SCOPE);
      expect(granted.observations.rounds).toHaveLength(2);
      expect(granted.observations.fetchLog.some((r) => r.status === 403)).toBe(true);
    });

    it(`SDK ${sdk}: a user holding the role gets whoami at once`, async () => {
      issuer.setUserScopes([SCOPE]);
      const result = await runOAuthFlow({ sdk, serverUrl: server.url, clientId: issuer.clientId });
      const whoami = expectWhoami(result, issuer, server.resource);
      expect(result.observations.tokenClaims?.scope).toBe(SCOPE);
      expect(whoami.scope).toBe(SCOPE);
      expect(result.observations.rounds).toHaveLength(1);
    });
  }
});
