import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveManagementTarget } from '../src/logto/endpoints.js';
import { LogtoApiError, ManagementApi } from '../src/logto/management-api.js';
import { startManagementApiEmulator, type Emulator } from './support/management-api-emulator.js';

const M2M = { id: 'm2m', secret: 's3cret:with/odd+chars', managementAccess: true };
let emulator: Emulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function connect(options: { retries?: number } = {}) {
  emulator = await startManagementApiEmulator({ m2mApps: [M2M] });
  const sleep = vi.fn(async (_ms: number) => {});
  const api = await ManagementApi.connect({
    endpoint: emulator.url,
    resource: emulator.managementResource,
    appId: M2M.id,
    appSecret: M2M.secret,
    sleep,
    ...options,
  });
  return { api, sleep, emulator };
}

describe('resolveManagementTarget', () => {
  it('derives the tenant from a Logto Cloud host', () => {
    expect(resolveManagementTarget({ issuer: 'https://abc123.logto.app/oidc' })).toMatchObject({
      logtoEndpoint: 'https://abc123.logto.app',
      managementEndpoint: 'https://abc123.logto.app',
      resource: 'https://abc123.logto.app/api',
      deployment: 'cloud',
      explanation: expect.stringContaining('Logto Cloud tenant abc123 (from the host name)'),
    });
  });

  it('uses the fixed resource on self-hosted Logto and says how to reach a Cloud tenant behind a custom domain', () => {
    const target = resolveManagementTarget({ issuer: 'https://auth.example.invalid/oidc' });
    expect(target).toMatchObject({
      managementEndpoint: 'https://auth.example.invalid',
      resource: 'https://default.logto.app/api',
      deployment: 'self-hosted',
    });
    expect(target.explanation).toContain('--tenant-id');
  });

  it('sends a custom-domain Cloud tenant to its logto.app host with --tenant-id', () => {
    expect(resolveManagementTarget({ issuer: 'https://auth.example.invalid/oidc', tenantId: 'abc123' })).toMatchObject({
      logtoEndpoint: 'https://auth.example.invalid',
      managementEndpoint: 'https://abc123.logto.app',
      resource: 'https://abc123.logto.app/api',
      deployment: 'cloud',
    });
  });

  it('takes --management-endpoint and --management-resource as given', () => {
    expect(
      resolveManagementTarget({
        issuer: 'https://auth.example.invalid/oidc',
        managementEndpoint: 'https://admin.example.invalid/',
        managementResource: 'https://x.example.invalid/api',
      }),
    ).toMatchObject({ managementEndpoint: 'https://admin.example.invalid', resource: 'https://x.example.invalid/api' });
  });

  it('refuses what cannot be a Logto endpoint', () => {
    expect(() => resolveManagementTarget({ issuer: 'https://abc123.logto.app' })).toThrow(/does not end in \/oidc/);
    expect(() => resolveManagementTarget({ issuer: 'http://abc123.logto.app/oidc' })).toThrow(/https/);
    expect(() => resolveManagementTarget({ issuer: 'https://abc123.logto.app/oidc', tenantId: 'ABC' })).toThrow(
      /tenant ID/,
    );
  });
});

describe('ManagementApi', () => {
  it('authenticates with form-encoded Basic credentials and follows Total-Number across pages', async () => {
    const { api, emulator } = await connect();
    for (let index = 0; index < 230; index++)
      emulator.state.roles.push({
        id: `r${index}`,
        name: `role ${index}`,
        description: 'd',
        type: 'User',
        isDefault: false,
      });

    const roles = await api.listRoles();

    expect(roles).toHaveLength(230);
    expect(emulator.requests.map(({ query }) => query)).toEqual([
      '?page=1&page_size=100',
      '?page=2&page_size=100',
      '?page=3&page_size=100',
    ]);
  });

  it('retries a GET on 5xx but not a POST, which may have been applied', async () => {
    const { api, sleep, emulator } = await connect({ retries: 2 });
    emulator.failNext('GET', /^\/api\/resources$/, 500, 1);
    await expect(api.listResources()).resolves.toHaveLength(1);
    expect(sleep).toHaveBeenCalledTimes(1);

    emulator.failNext('POST', /^\/api\/resources$/, 500, 1);
    const error = await api.createResource({ name: 'x', indicator: 'http://localhost:1/mcp' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'http', status: 500 });
    expect(emulator.state.resources).toHaveLength(1);

    emulator.failNext('POST', /^\/api\/resources$/, 503, 1);
    await expect(api.createResource({ name: 'x', indicator: 'http://localhost:1/mcp' })).resolves.toMatchObject({
      indicator: 'http://localhost:1/mcp',
    });
  });

  it('maps a 404 to null where absence is an answer', async () => {
    const { api } = await connect();
    await expect(api.getApplication('nope')).resolves.toBeNull();
    await expect(api.getCimdConfig()).resolves.toBeNull();
    await expect(api.deleteRole('nope')).rejects.toBeInstanceOf(LogtoApiError);
  });

  it('never sends an empty consent list', async () => {
    const { api, emulator } = await connect();
    const app = await api.createApplication({
      name: 'a',
      description: 'd',
      type: 'Native',
      isThirdParty: true,
      oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] },
    });
    await api.addConsentScopes(app.id, { userScopes: ['profile'], resourceScopes: [] });
    expect(emulator.requests.at(-1)!.body).toEqual({ userScopes: ['profile'] });
  });
});

describe('the emulator is strict', () => {
  it('refuses what Logto refuses', async () => {
    const { emulator } = await connect();
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await rawCall(emulator, method, path, body);
      return [response.status, response.code];
    };
    expect(await call('POST', '/api/resources', { name: 'x', indicator: 'http://localhost:1/mcp', extra: 1 })).toEqual([
      400,
      'guard.invalid_input',
    ]);
    expect(await call('POST', '/api/resources', { name: 'x', indicator: 'https://default.logto.app/api' })).toEqual([
      422,
      'entity.unique_integrity_violation',
    ]);
    expect(await call('POST', '/api/roles', { name: 'no description' })).toEqual([400, 'guard.invalid_input']);
    expect(await call('GET', '/api/roles?page_size=101')).toEqual([400, 'guard.invalid_pagination']);
    expect(await call('POST', '/api/applications', { name: 'x', type: 'Native', isThirdParty: false })).toEqual([
      200,
      undefined,
    ]);
    const appId = emulator.state.applications[0]!.id;
    expect(await call('POST', `/api/applications/${appId}/user-consent-scopes`, { userScopes: ['profile'] })).toEqual([
      422,
      'application.third_party_application_only',
    ]);
    expect(
      await call('POST', '/api/applications', {
        name: 'y',
        type: 'Traditional',
        isThirdParty: true,
        oidcClientMetadata: { redirectUris: ['cursor://x/cb'], postLogoutRedirectUris: [] },
      }),
    ).toEqual([400, 'guard.invalid_input']);
    expect(await call('POST', '/api/applications', { name: 'z', type: 'Native', isThirdParty: true })).toEqual([
      200,
      undefined,
    ]);
    const thirdParty = emulator.state.applications.at(-1)!.id;
    expect(await call('POST', `/api/applications/${thirdParty}/user-consent-scopes`, { userScopes: [] })).toEqual([
      400,
      'guard.invalid_input',
    ]);
    expect(
      await call('POST', `/api/applications/${thirdParty}/user-consent-scopes`, { resourceScopes: ['read:whoami'] }),
    ).toEqual([422, 'application.user_consent_scopes_not_found']);
    expect(
      await call('POST', `/api/applications/${thirdParty}/user-consent-scopes`, {
        resourceScopes: ['management-api-all'],
      }),
    ).toEqual([422, 'application.consent_management_api_scopes_not_allowed']);
    expect(await call('GET', '/api/configs/cimd')).toEqual([404, undefined]);
  });

  it('issues tokens only to the right client for the right resource', async () => {
    emulator = await startManagementApiEmulator({
      m2mApps: [M2M, { id: 'no-role', secret: 'x', managementAccess: false }],
    });
    const token = (form: Record<string, string>) =>
      fetch(`${emulator!.url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      }).then(async (response) => [response.status, ((await response.json()) as { error?: string }).error]);
    const base = {
      grant_type: 'client_credentials',
      resource: emulator.managementResource,
      scope: 'all',
      client_id: M2M.id,
      client_secret: M2M.secret,
    };
    expect(await token(base)).toEqual([200, undefined]);
    expect(await token({ ...base, client_secret: 'wrong' })).toEqual([401, 'invalid_client']);
    expect(await token({ ...base, resource: 'https://abc.logto.app/api' })).toEqual([400, 'invalid_target']);
    expect(await token({ ...base, grant_type: 'password' })).toEqual([400, 'unsupported_grant_type']);
    const noRole = await ManagementApi.connect({
      endpoint: emulator.url,
      resource: emulator.managementResource,
      appId: 'no-role',
      appSecret: 'x',
    });
    await expect(noRole.listResources()).rejects.toMatchObject({ status: 403, code: 'auth.forbidden' });
  });
});

async function rawCall(
  target: Emulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; code?: string }> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    resource: target.managementResource,
    scope: 'all',
    client_id: M2M.id,
    client_secret: M2M.secret,
  });
  const tokenResponse = await fetch(`${target.url}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${access_token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code };
}

describe('ManagementApi: the custom access-token claims script (as the emulator follows Logto)', () => {
  it('reads none as null, creates with PUT (201), merges with PATCH, lists it, and deletes it (then 404)', async () => {
    const { api, emulator } = await connect();
    expect(await api.getAccessTokenClaims()).toBeNull();
    await expect(api.patchAccessTokenClaims({ script: 'x' })).rejects.toMatchObject({
      status: 404,
      code: 'entity.not_exists_with_id',
    });

    expect(
      await api.putAccessTokenClaims({
        script: 'const getCustomJwtClaims = async () => ({});',
        environmentVariables: { A: '1' },
      }),
    ).toMatchObject({ script: expect.any(String) });
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'PUT', status: 201 });
    await api.patchAccessTokenClaims({ script: 'const getCustomJwtClaims = async () => ({ a: 1 });' });
    expect(await api.getAccessTokenClaims()).toEqual({
      script: 'const getCustomJwtClaims = async () => ({ a: 1 });',
      environmentVariables: { A: '1' },
    });
    const list = await fetch(`${emulator.url}/api/configs/jwt-customizer`, {
      headers: { authorization: `Bearer ${await tokenOf(emulator)}` },
    });
    expect(await list.json()).toEqual([
      { key: 'jwt.accessToken', value: emulator.state.jwtCustomizers['jwt.accessToken'] },
    ]);

    await api.deleteAccessTokenClaims();
    expect(await api.getAccessTokenClaims()).toBeNull();
    await expect(api.deleteAccessTokenClaims()).rejects.toMatchObject({ status: 404 });
  });

  it('is strict about the body, as accessTokenJwtCustomizerGuard (.strict()) is', async () => {
    const { api } = await connect();
    await expect(api.putAccessTokenClaims({ script: 'x', extra: true } as never)).rejects.toMatchObject({
      status: 400,
      code: 'guard.invalid_input',
    });
    await expect(api.putAccessTokenClaims({ script: 42 })).rejects.toMatchObject({ status: 400 });
    await expect(api.putAccessTokenClaims({ script: 'x', environmentVariables: { A: 1 } })).rejects.toMatchObject({
      status: 400,
    });
    await expect(api.putAccessTokenClaims({})).rejects.toMatchObject({ status: 400 });
  });

  it('answers 403 subscription.limit_exceeded on a plan without custom JWT claims, before reading the body', async () => {
    emulator = await startManagementApiEmulator({ m2mApps: [M2M], customJwtEnabled: false });
    const api = await ManagementApi.connect({
      endpoint: emulator.url,
      resource: emulator.managementResource,
      appId: M2M.id,
      appSecret: M2M.secret,
    });
    await expect(api.putAccessTokenClaims({ script: 1 })).rejects.toMatchObject({
      status: 403,
      code: 'subscription.limit_exceeded',
    });
    expect(await api.getAccessTokenClaims()).toBeNull();
  });

  it('refuses an answer without the shape Logto documents', async () => {
    const { api, emulator } = await connect();
    emulator.state.jwtCustomizers['jwt.accessToken'] = { script: 7 } as never;
    await expect(api.getAccessTokenClaims()).rejects.toBeInstanceOf(LogtoApiError);
  });
});

/** A Management API token from the emulator, for a request the client has no method for. */
async function tokenOf(emulator: Emulator): Promise<string> {
  const basic = Buffer.from(`${encodeURIComponent(M2M.id)}:${encodeURIComponent(M2M.secret)}`).toString('base64');
  const response = await fetch(`${emulator.url}/oidc/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      resource: emulator.managementResource,
      scope: 'all',
    }).toString(),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
