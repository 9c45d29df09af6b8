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
  const api = await ManagementApi.connect({ endpoint: emulator.url, resource: emulator.managementResource, appId: M2M.id, appSecret: M2M.secret, sleep, ...options });
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
    expect(target).toMatchObject({ managementEndpoint: 'https://auth.example.invalid', resource: 'https://default.logto.app/api', deployment: 'self-hosted' });
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
      resolveManagementTarget({ issuer: 'https://auth.example.invalid/oidc', managementEndpoint: 'https://admin.example.invalid/', managementResource: 'https://x.example.invalid/api' }),
    ).toMatchObject({ managementEndpoint: 'https://admin.example.invalid', resource: 'https://x.example.invalid/api' });
  });

  it('refuses what cannot be a Logto endpoint', () => {
    expect(() => resolveManagementTarget({ issuer: 'https://abc123.logto.app' })).toThrow(/does not end in \/oidc/);
    expect(() => resolveManagementTarget({ issuer: 'http://abc123.logto.app/oidc' })).toThrow(/https/);
    expect(() => resolveManagementTarget({ issuer: 'https://abc123.logto.app/oidc', tenantId: 'ABC' })).toThrow(/tenant ID/);
  });
});

describe('ManagementApi', () => {
  it('authenticates with form-encoded Basic credentials and follows Total-Number across pages', async () => {
    const { api, emulator } = await connect();
    for (let index = 0; index < 230; index++) emulator.state.roles.push({ id: `r${index}`, name: `role ${index}`, description: 'd', type: 'User', isDefault: false });

    const roles = await api.listRoles();

    expect(roles).toHaveLength(230);
    expect(emulator.requests.map(({ query }) => query)).toEqual(['?page=1&page_size=100', '?page=2&page_size=100', '?page=3&page_size=100']);
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
    await expect(api.createResource({ name: 'x', indicator: 'http://localhost:1/mcp' })).resolves.toMatchObject({ indicator: 'http://localhost:1/mcp' });
  });

  it('maps a 404 to null where absence is an answer', async () => {
    const { api } = await connect();
    await expect(api.getApplication('nope')).resolves.toBeNull();
    await expect(api.getCimdConfig()).resolves.toBeNull();
    await expect(api.deleteRole('nope')).rejects.toBeInstanceOf(LogtoApiError);
  });

  it('never sends an empty consent list', async () => {
    const { api, emulator } = await connect();
    const app = await api.createApplication({ name: 'a', description: 'd', type: 'Native', isThirdParty: true, oidcClientMetadata: { redirectUris: [], postLogoutRedirectUris: [] } });
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
    expect(await call('POST', '/api/resources', { name: 'x', indicator: 'http://localhost:1/mcp', extra: 1 })).toEqual([400, 'guard.invalid_input']);
    expect(await call('POST', '/api/resources', { name: 'x', indicator: 'https://default.logto.app/api' })).toEqual([422, 'entity.unique_integrity_violation']);
    expect(await call('POST', '/api/roles', { name: 'no description' })).toEqual([400, 'guard.invalid_input']);
    expect(await call('GET', '/api/roles?page_size=101')).toEqual([400, 'guard.invalid_pagination']);
    expect(await call('POST', '/api/applications', { name: 'x', type: 'Native', isThirdParty: false })).toEqual([200, undefined]);
    const appId = emulator.state.applications[0]!.id;
    expect(await call('POST', `/api/applications/${appId}/user-consent-scopes`, { userScopes: ['profile'] })).toEqual([422, 'application.third_party_application_only']);
    expect(await call('POST', '/api/applications', { name: 'y', type: 'Traditional', isThirdParty: true, oidcClientMetadata: { redirectUris: ['cursor://x/cb'], postLogoutRedirectUris: [] } })).toEqual([
      400,
      'guard.invalid_input',
    ]);
    expect(await call('POST', '/api/applications', { name: 'z', type: 'Native', isThirdParty: true })).toEqual([200, undefined]);
    const thirdParty = emulator.state.applications.at(-1)!.id;
    expect(await call('POST', `/api/applications/${thirdParty}/user-consent-scopes`, { userScopes: [] })).toEqual([400, 'guard.invalid_input']);
    expect(await call('POST', `/api/applications/${thirdParty}/user-consent-scopes`, { resourceScopes: ['read:whoami'] })).toEqual([422, 'application.user_consent_scopes_not_found']);
    expect(await call('POST', `/api/applications/${thirdParty}/user-consent-scopes`, { resourceScopes: ['management-api-all'] })).toEqual([
      422,
      'application.consent_management_api_scopes_not_allowed',
    ]);
    expect(await call('GET', '/api/configs/cimd')).toEqual([404, undefined]);
  });

  it('issues tokens only to the right client for the right resource', async () => {
    emulator = await startManagementApiEmulator({ m2mApps: [M2M, { id: 'no-role', secret: 'x', managementAccess: false }] });
    const token = (form: Record<string, string>) =>
      fetch(`${emulator!.url}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) }).then(
        async (response) => [response.status, ((await response.json()) as { error?: string }).error],
      );
    const base = { grant_type: 'client_credentials', resource: emulator.managementResource, scope: 'all', client_id: M2M.id, client_secret: M2M.secret };
    expect(await token(base)).toEqual([200, undefined]);
    expect(await token({ ...base, client_secret: 'wrong' })).toEqual([401, 'invalid_client']);
    expect(await token({ ...base, resource: 'https://abc.logto.app/api' })).toEqual([400, 'invalid_target']);
    expect(await token({ ...base, grant_type: 'password' })).toEqual([400, 'unsupported_grant_type']);
    const noRole = await ManagementApi.connect({ endpoint: emulator.url, resource: emulator.managementResource, appId: 'no-role', appSecret: 'x' });
    await expect(noRole.listResources()).rejects.toMatchObject({ status: 403, code: 'auth.forbidden' });
  });
});

async function rawCall(target: Emulator, method: string, path: string, body?: unknown): Promise<{ status: number; code?: string }> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', resource: target.managementResource, scope: 'all', client_id: M2M.id, client_secret: M2M.secret });
  const tokenResponse = await fetch(`${target.url}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const response = await fetch(`${target.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${access_token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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
