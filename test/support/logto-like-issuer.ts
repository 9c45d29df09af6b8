/**
 * A real OpenID Provider on loopback, built with `oidc-provider` and configured the way Logto
 * is (DESIGN.md §4), so tests can drive real MCP SDK clients through a real OAuth flow without
 * a Logto tenant:
 *
 * - issuer `http://127.0.0.1:<port>/oidc`, the provider mounted under `/oidc`; discovery at
 *   `/oidc/.well-known/openid-configuration` (and `/oidc/.well-known/oauth-authorization-server`,
 *   as Logto ≥ 1.42); the path-inserted variants at the origin root answer 404, as on Logto;
 * - resource indicators: a JWT access token (`typ: at+jwt`, ES384 by default, RS256 on request)
 *   with `aud` = the requested resource, only for registered indicators (others:
 *   `invalid_target`); without `resource` the access token is opaque;
 * - the token carries only the resource scopes that the test user "holds through a role"
 *   (`userScopes`, changeable per test with `setUserScopes`, or per resource with `setUserRoles`),
 *   as observed on Logto;
 * - scopes `openid profile email offline_access`; PKCE required; a pre-registered native public
 *   client (`token_endpoint_auth_method: none`, loopback redirect on any port) and optionally a
 *   confidential third-party-like client;
 * - applications added later as Logto holds them (`addClient`), mapped to OIDC clients as Logto
 *   does: Native → native public client (loopback redirects on any port, RFC 8252 §7.3), SPA →
 *   web public client, Traditional → web client with a secret, machine-to-machine → a client of the
 *   client-credentials grant only (its tokens: `sub` = `client_id`, no user). A third-party app may request only
 *   `openid`, `offline_access` and its consented user scopes (others: `invalid_scope` at
 *   `/oidc/auth`), and its tokens carry only consented resource scopes (others are dropped);
 * - one test user who signs in and consents automatically: the interaction URL completes login
 *   and consent programmatically, so a headless client can follow the redirects with fetch;
 * - custom JWT claims (`setAccessTokenClaimsScript`): the tenant's access-token script is run for every user
 *   access token as Logto runs it (packages/core/src/libraries/jwt-customizer.ts and utils/custom-jwt/local-vm.ts:
 *   the script evaluated with node:vm in a fresh context, `getCustomJwtClaims({ token, context: { user },
 *   environmentVariables, api })` with a time limit, `token` holding the access token's payload fields, the
 *   result merged into the token through oidc-provider's extraTokenClaims, the standard claims winning). A
 *   script that fails adds nothing, as on Logto; its errors are kept in `claimsScriptErrors`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { runInNewContext } from 'node:vm';

import * as jose from 'jose';
import Provider, {
  errors,
  type Adapter,
  type AdapterPayload,
  type ClientMetadata,
  type Configuration,
  type ErrorOut,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { listenOnLoopback } from './ports.js';

export type SigningAlg = 'ES384' | 'RS256';

export interface LogtoLikeIssuerOptions {
  /** Registered API resources (Logto "API resources"), by indicator, with their scope names. */
  resources?: Record<string, { scopes: string[]; accessTokenTTL?: number }>;
  /**
   * Resource scope names the test user holds through a role. Default: every scope of every
   * resource. A token only ever carries the intersection of what was requested and this.
   */
  userScopes?: string[];
  /** Access-token signing algorithm; Logto signs ES384 by default, RS256 on RSA tenants. */
  alg?: SigningAlg;
  /** Also register a confidential, third-party-like client with exact redirect URIs. */
  confidentialClient?: { redirectUris: string[] };
  /** Extra redirect URIs for the native client (loopback ones match on any port). */
  nativeRedirectUris?: string[];
}

/** An application as Logto holds it (Management API `/api/applications` and its consent scopes). */
export interface RegisteredApp {
  clientId: string;
  type: 'native' | 'traditional' | 'spa' | 'machine-to-machine';
  redirectUris: string[];
  /** Traditional and machine-to-machine apps only. */
  clientSecret?: string;
  thirdParty: boolean;
  /** A third-party app's consent scopes: OIDC user scopes, and resource scope names by indicator. */
  consentScopes?: { userScopes: string[]; resourceScopes: Record<string, string[]> };
}

/** A role the test user holds: resource scope names by indicator. */
export type UserRole = Record<string, string[]>;

export interface TestUser {
  sub: string;
  username: string;
  name: string;
  email: string;
}

export interface SignTokenOptions {
  /** Override header fields (e.g. `kid`, `typ`). `alg` comes from the issuer's key. */
  header?: Partial<jose.JWTHeaderParameters>;
  /** Seconds from now until `exp` (default 600). Ignored when `claims.exp` is given. */
  expiresIn?: number;
  /** Drop these claims from the defaults (e.g. `['exp']`). */
  omit?: string[];
  /** Passed to jose's `sign` (e.g. `crit`, to sign a header extension jose would otherwise refuse). */
  signOptions?: jose.SignOptions;
}

export interface LogtoLikeIssuer {
  /** `http://127.0.0.1:<port>/oidc` */
  issuer: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  jwksUri: string;
  discoveryUrl: string;
  /** The native public client (`token_endpoint_auth_method: none`). */
  clientId: string;
  /** The native client's registered redirect URI (loopback; any port is accepted). */
  redirectUri: string;
  confidentialClient?: { clientId: string; clientSecret: string; redirectUris: string[] };
  user: TestUser;
  alg: SigningAlg;
  /** The public signing JWK (with `kid`). */
  publicJwk: jose.JWK;
  /** Register another API resource (e.g. once a server's port is known). */
  addResource(indicator: string, resource: { scopes: string[]; accessTokenTTL?: number }): void;
  /** Change which resource scopes the test user holds (by name, on any resource), effective for later authorizations. */
  setUserScopes(scopes: string[] | undefined): void;
  /** Give the test user exactly these roles (scopes by resource), effective for later authorizations. */
  setUserRoles(roles: UserRole[]): void;
  /** Register an application as Logto holds it, effective at once. */
  addClient(app: RegisteredApp): void;
  /** The tenant's custom access-token claims script (Management API `/api/configs/jwt-customizer/access-token`), or none. */
  setAccessTokenClaimsScript(script: string | undefined): void;
  /** Errors of the claims script, in order (Logto logs them and issues the token without custom claims). */
  claimsScriptErrors: string[];
  /**
   * Whether the test user accepts the consent screen (default) or declines it. Declining ends the interaction as
   * oidc-provider's example app's abort route does (`interactionFinished` with `access_denied`, "End-User aborted
   * interaction"), so the client is redirected with error=access_denied (RFC 6749 §4.1.2.1), the answer a client
   * of Logto (built on oidc-provider) gets when the user does not consent.
   */
  setConsentAnswer(answer: 'accept' | 'decline'): void;
  /** The login and consent steps the issuer went through, in order (client ID and prompt name). */
  interactions: Array<{ clientId: string; prompt: string }>;
  /**
   * Sign a token with the issuer's real key, with Logto-like defaults
   * (`iss`, `sub`, `client_id`, `iat`, `exp`, `jti`; header `typ: at+jwt`, `kid`).
   * `claims` are merged over the defaults; `aud` and `scope` are the caller's to give.
   */
  signToken(claims?: jose.JWTPayload & Record<string, unknown>, opts?: SignTokenOptions): Promise<string>;
  /** Requests seen by the issuer (method, path with query), in order: for observations. */
  requests: Array<{ method: string; url: string; status: number }>;
  close(): Promise<void>;
}

const NATIVE_CLIENT_ID = 'mcp-native-client';
const CONFIDENTIAL_CLIENT_ID = 'mcp-third-party-app';
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export async function startLogtoLikeIssuer(options: LogtoLikeIssuerOptions): Promise<LogtoLikeIssuer> {
  const alg: SigningAlg = options.alg ?? 'ES384';
  const resources: LogtoLikeIssuerOptions['resources'] = { ...options.resources };
  // Whether the user holds a resource scope through a role. By scope name on any resource (no list: every scope).
  const byName = (names: string[] | undefined) => (_indicator: string, scope: string) =>
    names === undefined || names.includes(scope);
  let holds = byName(options.userScopes);
  // Applications added with addClient: their OIDC client metadata, and the consent scopes of third-party ones.
  const registered = new Map<string, ClientMetadata>();
  const consentedResourceScopes = new Map<string, Record<string, string[]>>();

  const user: TestUser = {
    sub: 'test-user-' + randomUUID().slice(0, 8),
    username: 'test.user',
    name: 'Test User',
    email: 'test.user@example.com',
  };
  let claimsScript: string | undefined;
  const claimsScriptErrors: string[] = [];

  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const privateJwk = await jose.exportJWK(privateKey);
  const kid = await jose.calculateJwkThumbprint(privateJwk);
  privateJwk.kid = kid;
  privateJwk.alg = alg;
  privateJwk.use = 'sig';
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;

  const server = createServer();
  const origin = await listenOnLoopback(server);
  const issuer = `${origin}/oidc`;
  const redirectUri = 'http://127.0.0.1/callback';

  const confidential = options.confidentialClient
    ? {
        clientId: CONFIDENTIAL_CLIENT_ID,
        clientSecret: randomBytes(24).toString('base64url'),
        redirectUris: options.confidentialClient.redirectUris,
      }
    : undefined;

  const clients: ClientMetadata[] = [
    {
      client_id: NATIVE_CLIENT_ID,
      client_name: 'MCP native client',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [redirectUri, 'http://localhost/callback', ...(options.nativeRedirectUris ?? [])],
    },
  ];
  if (confidential) {
    clients.push({
      client_id: confidential.clientId,
      client_secret: confidential.clientSecret,
      client_name: 'MCP third-party app',
      application_type: 'web',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: confidential.redirectUris,
    });
  }

  const configuration: Configuration = {
    clients,
    adapter: memoryAdapter(registered),
    jwks: { keys: [privateJwk] },
    scopes: OIDC_SCOPES,
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    clientDefaults: { id_token_signed_response_alg: alg },
    enabledJWA: { idTokenSigningAlgValues: [alg] },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Like Logto: no default resource (an opaque token for userinfo when none is asked for).
        defaultResource: async (_ctx: KoaContextWithOIDC, _client: unknown, oneOf?: readonly string[]) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx: KoaContextWithOIDC, indicator: string, client?: { clientId: string }) => {
          const resource = resources[indicator];
          if (!resource) throw new errors.InvalidTarget();
          // Only the scopes the user holds through a role, for user grants (Logto's behaviour), and for a
          // third-party app only those in its consent scopes (Logto's filterResourceScopesForTheThirdPartyApplication).
          const userBound = ctx.oidc.route !== 'token' || ctx.oidc.params?.grant_type !== 'client_credentials';
          const consented = client && consentedResourceScopes.get(client.clientId);
          const scopes = resource.scopes
            .filter((scope) => !userBound || holds(indicator, scope))
            .filter((scope) => !consented || (consented[indicator] ?? []).includes(scope));
          return {
            scope: scopes.join(' '),
            audience: indicator,
            accessTokenTTL: resource.accessTokenTTL ?? 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg } },
          };
        },
      },
    },
    // Logto's getExtraTokenClaimsForJwtCustomization: user access tokens only (client credentials have their own script).
    extraTokenClaims: async (ctx: KoaContextWithOIDC, token) => {
      if (!claimsScript || !(token instanceof ctx.oidc.provider.AccessToken) || token.accountId !== user.sub)
        return undefined;
      const fields = (ctx.oidc.provider.AccessToken as unknown as { IN_PAYLOAD: string[] }).IN_PAYLOAD;
      const payload = Object.fromEntries(
        fields
          .filter((field) => Reflect.get(token, field) !== undefined)
          .map((field) => [field, Reflect.get(token, field)]),
      );
      try {
        return await runClaimsScript(claimsScript, {
          token: payload,
          context: { user: logtoUserContext(user) },
          environmentVariables: {},
        });
      } catch (error) {
        claimsScriptErrors.push(error instanceof Error ? error.message : String(error));
        return undefined;
      }
    },
    findAccount: async (_ctx: KoaContextWithOIDC, sub: string) => {
      if (sub !== user.sub) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, name: user.name, email: user.email, email_verified: true }),
      };
    },
    interactions: {
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/oidc/interaction/${interaction.uid}`,
    },
    ttl: {
      AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 86400,
    },
    renderError: async (ctx: KoaContextWithOIDC, out: ErrorOut) => {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(out);
    },
  };

  const provider = new Provider(issuer, configuration);
  // Loopback HTTP is fine here; the provider otherwise insists on https for some cookies.
  provider.proxy = false;
  const callback = provider.callback();

  const requests: LogtoLikeIssuer['requests'] = [];

  const interactions: LogtoLikeIssuer['interactions'] = [];
  let consentAnswer: 'accept' | 'decline' = 'accept';

  async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const prompt = details.prompt;
    interactions.push({ clientId: String(details.params.client_id), prompt: prompt.name });
    if (prompt.name === 'login') {
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (prompt.name === 'consent' && consentAnswer === 'decline') {
      const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    if (prompt.name === 'consent') {
      const accountId = details.session?.accountId ?? user.sub;
      const clientId = String(details.params.client_id);
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
        : new provider.Grant({ accountId, clientId });
      const missing = prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        // missingResourceScopes is already narrowed to what getResourceServerInfo allows.
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    res.statusCode = 500;
    res.end(`unexpected prompt ${prompt.name}`);
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    res.on('finish', () => requests.push({ method: req.method ?? 'GET', url, status: res.statusCode }));

    if (path !== '/oidc' && !path.startsWith('/oidc/')) {
      res.statusCode = 404;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ code: 'guard.not_found', message: 'Not found' }));
      return;
    }
    if (path.startsWith('/oidc/interaction/')) {
      interaction(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.statusCode = 500;
        res.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      return;
    }
    // Express-style mounting: the provider derives its mount path from originalUrl vs url.
    const inner = url.slice('/oidc'.length) || '/';
    const rewritten = inner.startsWith('/.well-known/oauth-authorization-server')
      ? inner.replace('/.well-known/oauth-authorization-server', '/.well-known/openid-configuration')
      : inner;
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = '/oidc' + rewritten;
    req.url = rewritten;
    void callback(req, res);
  });

  const signKey = privateKey;

  async function signToken(
    claims: jose.JWTPayload & Record<string, unknown> = {},
    opts: SignTokenOptions = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const defaults: Record<string, unknown> = {
      jti: randomUUID(),
      sub: user.sub,
      iat: now,
      exp: now + (opts.expiresIn ?? 600),
      client_id: NATIVE_CLIENT_ID,
      iss: issuer,
    };
    for (const key of opts.omit ?? []) delete defaults[key];
    const payload = { ...defaults, ...claims };
    return new jose.SignJWT(payload)
      .setProtectedHeader({ alg, typ: 'at+jwt', kid, ...opts.header })
      .sign(signKey, opts.signOptions);
  }

  return {
    issuer,
    origin,
    jwksUri: `${issuer}/jwks`,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    clientId: NATIVE_CLIENT_ID,
    redirectUri,
    confidentialClient: confidential,
    user,
    alg,
    publicJwk,
    addResource(indicator, resource) {
      resources[indicator] = resource;
    },
    setUserScopes(scopes) {
      holds = byName(scopes);
    },
    setUserRoles(roles) {
      holds = (indicator, scope) => roles.some((role) => role[indicator]?.includes(scope) ?? false);
    },
    addClient(app) {
      // As Logto's getConstantClientMetadata and its client adapter map an application.
      registered.set(app.clientId, {
        client_id: app.clientId,
        ...(app.clientSecret ? { client_secret: app.clientSecret } : {}),
        application_type: app.type === 'native' ? 'native' : 'web',
        token_endpoint_auth_method:
          app.type === 'traditional' || app.type === 'machine-to-machine' ? 'client_secret_basic' : 'none',
        ...(app.type === 'machine-to-machine'
          ? { grant_types: ['client_credentials'], response_types: [] }
          : { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }),
        redirect_uris: app.redirectUris,
        // A third-party app's OP scopes: oidc-provider refuses any other OIDC scope at /oidc/auth.
        ...(app.thirdParty
          ? { scope: ['openid', 'offline_access', ...(app.consentScopes?.userScopes ?? [])].join(' ') }
          : {}),
      });
      if (app.thirdParty) consentedResourceScopes.set(app.clientId, app.consentScopes?.resourceScopes ?? {});
      else consentedResourceScopes.delete(app.clientId);
    },
    setAccessTokenClaimsScript(script) {
      claimsScript = script;
    },
    claimsScriptErrors,
    setConsentAnswer(answer) {
      consentAnswer = answer;
    },
    interactions,
    signToken,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The user as Logto's script context has it (jwtCustomizerUserContextGuard; the fields a test user has). */
function logtoUserContext(user: TestUser) {
  return {
    id: user.sub,
    username: user.username,
    primaryEmail: user.email,
    primaryPhone: null,
    name: user.name,
    avatar: null,
    customData: {},
    identities: {},
    profile: {},
    applicationId: null,
    isSuspended: false,
    hasPassword: true,
    ssoIdentities: [],
    mfaVerificationFactors: [],
    roles: [],
    organizations: [],
    organizationRoles: [],
  };
}

const CLAIMS_SCRIPT_TIMEOUT_MS = 3000;

/**
 * Runs a custom JWT claims script as Logto's local VM does (runScriptFunctionInLocalVm): the script and
 * `;getCustomJwtClaims;` evaluated in a fresh context, the function called with the payload and
 * `api.denyAccess`, within 3 s; the result must be a plain object, returned as a copy in this realm.
 */
export async function runClaimsScript(
  script: string,
  payload: {
    token: Record<string, unknown>;
    context: { user: Record<string, unknown> };
    environmentVariables?: Record<string, string>;
  },
): Promise<Record<string, unknown>> {
  const customFunction: unknown = runInNewContext(`${script};getCustomJwtClaims;`, Object.freeze({}), {
    timeout: CLAIMS_SCRIPT_TIMEOUT_MS,
  });
  if (typeof customFunction !== 'function')
    throw new TypeError('The script does not have a function named `getCustomJwtClaims`');
  const api = Object.freeze({
    denyAccess: (message = 'Access denied') => {
      throw new Error(`denyAccess: ${message}`);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const run = runInNewContext(
    '(async () => customFunction(payload))();',
    Object.freeze({ customFunction, payload: { ...payload, api } }),
    {
      timeout: CLAIMS_SCRIPT_TIMEOUT_MS,
    },
  ) as Promise<unknown>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the script took more than ${CLAIMS_SCRIPT_TIMEOUT_MS} ms`)),
      CLAIMS_SCRIPT_TIMEOUT_MS,
    );
  });
  try {
    const result = await Promise.race([run, timeout]);
    if (typeof result !== 'object' || result === null || Array.isArray(result))
      throw new TypeError('getCustomJwtClaims did not return an object');
    return JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * oidc-provider's storage, in memory: clients added with addClient (looked up after the static ones),
 * and sessions, interactions, grants, codes and tokens. Nothing is evicted: an issuer lives for one test file.
 */
function memoryAdapter(clients: Map<string, ClientMetadata>) {
  const store = new Map<string, AdapterPayload>();
  return (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`;
    const findBy = (field: 'uid' | 'userCode', value: string) =>
      [...store].find(([k, payload]) => k.startsWith(`${model}:`) && payload[field] === value)?.[1];
    return {
      upsert: async (id, payload) => void store.set(key(id), payload),
      find: async (id) => (model === 'Client' ? clients.get(id) : store.get(key(id))),
      findByUid: async (uid) => findBy('uid', uid),
      findByUserCode: async (userCode) => findBy('userCode', userCode),
      consume: async (id) => {
        const payload = store.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => void store.delete(key(id)),
      revokeByGrantId: async (grantId) => {
        for (const [k, payload] of store) if (payload.grantId === grantId) store.delete(k);
      },
    };
  };
}
