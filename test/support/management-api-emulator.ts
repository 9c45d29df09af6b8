// A Logto Management API emulator on loopback, for registration tests. It follows Logto's routes
// (packages/core/src/routes/{resource,role,role.scope,applications/*,logto-config/cimd,cimd}.ts) and is
// strict: a request the real API would reject, it rejects. Where Logto silently strips unknown body
// keys, it refuses them, and it refuses empty consent-scope lists, which we promise never to send.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { listenOnLoopback } from './ports.js';

export interface M2mApp {
  id: string;
  secret: string;
  /** Whether the app holds the Management API access role: without it, tokens work but every API call is 403. */
  managementAccess: boolean;
}

export interface EmulatorOptions {
  /** The Management API resource indicator; self-hosted Logto always uses https://default.logto.app/api. */
  managementResource?: string;
  m2mApps?: M2mApp[];
  /** Logto 1.43+: Client ID Metadata Document routes (/api/configs/cimd, /api/cimd/...). */
  cimd?: boolean;
  /** Types that may be third-party: all three since Logto 1.35, Traditional only before. */
  thirdPartyTypes?: string[];
  /** A plan quota on applications: creating one more answers 403 subscription.limit_exceeded. */
  applicationLimit?: number;
}

interface Resource { id: string; name: string; indicator: string; isDefault: boolean; accessTokenTtl: number }
interface Scope { id: string; resourceId: string; name: string; description: string | null; createdAt: number }
interface Role { id: string; name: string; description: string; type: 'User' | 'MachineToMachine'; isDefault: boolean }
interface Application {
  id: string;
  name: string;
  description: string | null;
  type: string;
  isThirdParty: boolean;
  oidcClientMetadata: { redirectUris: string[]; postLogoutRedirectUris: string[] };
  customClientMetadata: Record<string, unknown>;
  createdAt: number;
}
interface Secret { applicationId: string; name: string; value: string; createdAt: number; expiresAt: number | null }
interface Consent { userScopes: string[]; resourceScopes: string[] }

export interface EmulatorState {
  resources: Resource[];
  scopes: Scope[];
  roles: Role[];
  rolesScopes: Array<{ roleId: string; scopeId: string }>;
  applications: Application[];
  secrets: Secret[];
  consent: Map<string, Consent>;
  signInExperiences: Map<string, Record<string, unknown>>;
  cimd: { enabled: boolean };
  cimdConsent: Consent;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  /** Parsed JSON body of /api requests; token request bodies are not kept. */
  body: unknown;
  status: number;
}

export interface Emulator {
  /** The Logto endpoint, e.g. http://127.0.0.1:1234 (issuer: `${url}/oidc`). */
  url: string;
  issuer: string;
  managementResource: string;
  state: EmulatorState;
  requests: LoggedRequest[];
  /** Answers the next `times` requests matching method and path with `status` and Logto error `code`. */
  failNext(method: string, path: RegExp, status: number, times?: number, code?: string): void;
  close(): Promise<void>;
}

const USER_SCOPES = new Set(['profile', 'email', 'phone', 'address', 'custom_data', 'identities', 'roles', 'urn:logto:scope:organizations', 'urn:logto:scope:organization_roles']);
const APP_TYPES = new Set(['Native', 'SPA', 'Traditional', 'MachineToMachine']);

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message = code) {
    super(message);
  }
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Handler = (params: string[], body: any, query: URLSearchParams) => Reply;

export async function startManagementApiEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const managementResource = options.managementResource ?? 'https://default.logto.app/api';
  const m2mApps = options.m2mApps ?? [];
  const thirdPartyTypes = new Set(options.thirdPartyTypes ?? ['Traditional', 'SPA', 'Native']);
  const id = () => randomBytes(11).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x').slice(0, 21);
  const tokens = new Map<string, { scopes: string[] }>();
  const failures: Array<{ method: string; path: RegExp; status: number; times: number; code: string }> = [];
  const requests: LoggedRequest[] = [];

  const state: EmulatorState = {
    resources: [{ id: 'management-api', name: 'Logto Management API', indicator: managementResource, isDefault: false, accessTokenTtl: 3600 }],
    scopes: [{ id: 'management-api-all', resourceId: 'management-api', name: 'all', description: 'Default scope for Management API', createdAt: 0 }],
    roles: [],
    rolesScopes: [],
    applications: [],
    secrets: [],
    consent: new Map(),
    signInExperiences: new Map(),
    cimd: { enabled: false },
    cimdConsent: { userScopes: [], resourceScopes: [] },
  };

  const find = <T extends { id: string }>(list: T[], itemId: string, name: string): T => {
    const item = list.find((entry) => entry.id === itemId);
    if (!item) throw new HttpError(404, 'entity.not_exists_with_id', `The ${name} with ID \`${itemId}\` does not exist.`);
    return item;
  };

  const routes: Array<[string, RegExp, Handler]> = [
    ['GET', /^\/api\/resources$/, (_p, _b, query) => paginate(state.resources, query, true)],
    [
      'POST',
      /^\/api\/resources$/,
      (_p, body) => {
        check(body, { name: isNonEmptyString, indicator: isAbsoluteUrl, accessTokenTtl: isNumber, isDefault: isBoolean }, ['name', 'indicator']);
        if (state.resources.some((resource) => resource.indicator === body.indicator)) {
          throw new HttpError(422, 'entity.unique_integrity_violation', 'The entity already exists.');
        }
        const resource: Resource = { id: id(), isDefault: false, accessTokenTtl: 3600, ...body };
        state.resources.push(resource);
        return { status: 201, body: { ...resource, scopes: [] } };
      },
    ],
    [
      'DELETE',
      /^\/api\/resources\/([^/]+)$/,
      ([resourceId]) => {
        find(state.resources, resourceId!, 'resource');
        const scopeIds = new Set(state.scopes.filter((scope) => scope.resourceId === resourceId).map((scope) => scope.id));
        state.resources = state.resources.filter((resource) => resource.id !== resourceId);
        removeScopes(scopeIds);
        return { status: 204 };
      },
    ],
    ['GET', /^\/api\/resources\/([^/]+)\/scopes$/, ([resourceId], _b, query) => paginate(state.scopes.filter((scope) => scope.resourceId === resourceId), query, true)],
    [
      'POST',
      /^\/api\/resources\/([^/]+)\/scopes$/,
      ([resourceId], body) => {
        check(body, { name: isNonEmptyString, description: isNullableString }, ['name']);
        find(state.resources, resourceId!, 'resource');
        if (/\s/.test(body.name)) throw new HttpError(400, 'scope.name_with_space', 'The name of the scope cannot contain any spaces.');
        if (state.scopes.some((scope) => scope.resourceId === resourceId && scope.name === body.name)) {
          throw new HttpError(422, 'scope.name_exists', `The scope name ${body.name} is already in use.`);
        }
        const scope: Scope = { id: id(), resourceId: resourceId!, name: body.name, description: body.description ?? null, createdAt: Date.now() };
        state.scopes.push(scope);
        return { status: 201, body: scope };
      },
    ],
    [
      'DELETE',
      /^\/api\/resources\/([^/]+)\/scopes\/([^/]+)$/,
      ([, scopeId]) => {
        find(state.scopes, scopeId!, 'scope');
        removeScopes(new Set([scopeId!]));
        return { status: 204 };
      },
    ],
    ['GET', /^\/api\/roles$/, (_p, _b, query) => paginate(state.roles, query, false)],
    [
      'POST',
      /^\/api\/roles$/,
      (_p, body) => {
        check(body, { name: isNonEmptyString, description: isNonEmptyString, type: (v) => v === 'User' || v === 'MachineToMachine', isDefault: isBoolean, scopeIds: isNonEmptyStringArray }, ['name', 'description']);
        if (state.roles.some((role) => role.name === body.name)) throw new HttpError(422, 'role.name_in_use', `This role name ${body.name} is already in use`);
        for (const scopeId of body.scopeIds ?? []) find(state.scopes, scopeId, 'scope');
        const role: Role = { id: id(), name: body.name, description: body.description, type: body.type ?? 'User', isDefault: body.isDefault ?? false };
        state.roles.push(role);
        for (const scopeId of body.scopeIds ?? []) state.rolesScopes.push({ roleId: role.id, scopeId });
        return { status: 200, body: role };
      },
    ],
    [
      'PATCH',
      /^\/api\/roles\/([^/]+)$/,
      ([roleId], body) => {
        check(body, { name: isNonEmptyString, description: isNonEmptyString, isDefault: isBoolean }, []);
        const role = find(state.roles, roleId!, 'role');
        Object.assign(role, body);
        return { status: 200, body: role };
      },
    ],
    [
      'DELETE',
      /^\/api\/roles\/([^/]+)$/,
      ([roleId]) => {
        find(state.roles, roleId!, 'role');
        state.roles = state.roles.filter((role) => role.id !== roleId);
        state.rolesScopes = state.rolesScopes.filter((relation) => relation.roleId !== roleId);
        return { status: 204 };
      },
    ],
    [
      'GET',
      /^\/api\/roles\/([^/]+)\/scopes$/,
      ([roleId], _b, query) => {
        find(state.roles, roleId!, 'role');
        const ids = new Set(state.rolesScopes.filter((relation) => relation.roleId === roleId).map((relation) => relation.scopeId));
        return paginate(state.scopes.filter((scope) => ids.has(scope.id)), query, true);
      },
    ],
    [
      'POST',
      /^\/api\/roles\/([^/]+)\/scopes$/,
      ([roleId], body) => {
        check(body, { scopeIds: isNonEmptyStringArray }, ['scopeIds']);
        find(state.roles, roleId!, 'role');
        for (const scopeId of body.scopeIds as string[]) {
          find(state.scopes, scopeId, 'scope');
          if (state.rolesScopes.some((relation) => relation.roleId === roleId && relation.scopeId === scopeId)) {
            throw new HttpError(422, 'role.scope_exists', `The scope id ${scopeId} has already been added to this role.`);
          }
        }
        for (const scopeId of body.scopeIds as string[]) state.rolesScopes.push({ roleId: roleId!, scopeId });
        return { status: 201, body: state.scopes.filter((scope) => state.rolesScopes.some((r) => r.roleId === roleId && r.scopeId === scope.id)) };
      },
    ],
    ['GET', /^\/api\/applications$/, (_p, _b, query) => paginate(state.applications.map(publicApp), query, true)],
    [
      'POST',
      /^\/api\/applications$/,
      (_p, body) => {
        check(body, { name: isNonEmptyString, description: isNullableString, type: isString, isThirdParty: isBoolean, oidcClientMetadata: isObject, customClientMetadata: isObject }, ['name', 'type']);
        if (!APP_TYPES.has(body.type)) throw new HttpError(400, 'guard.invalid_input', `Invalid application type ${body.type}`);
        if (options.applicationLimit !== undefined && state.applications.length >= options.applicationLimit) {
          throw new HttpError(403, 'subscription.limit_exceeded', 'You have reached the applications limit of your plan.');
        }
        if (body.isThirdParty && !thirdPartyTypes.has(body.type)) {
          throw new HttpError(400, 'application.invalid_third_party_application_type', 'Only traditional web applications can be marked as a third-party app.');
        }
        const metadata = checkClientMetadata(body.oidcClientMetadata ?? { redirectUris: [], postLogoutRedirectUris: [] }, body.type);
        const app: Application = {
          id: id(),
          name: body.name,
          description: body.description ?? null,
          type: body.type,
          isThirdParty: body.isThirdParty ?? false,
          oidcClientMetadata: metadata,
          customClientMetadata: body.customClientMetadata ?? {},
          createdAt: Date.now(),
        };
        state.applications.push(app);
        if (app.type === 'Traditional' || app.type === 'MachineToMachine') {
          state.secrets.push({ applicationId: app.id, name: 'Default secret', value: randomBytes(24).toString('base64url'), createdAt: Date.now(), expiresAt: null });
        }
        // Since Logto 1.42 the response carries no secret: it is read from /secrets.
        return { status: 200, body: publicApp(app) };
      },
    ],
    ['GET', /^\/api\/applications\/([^/]+)$/, ([appId]) => ({ status: 200, body: { ...publicApp(find(state.applications, appId!, 'application')), isAdmin: false } })],
    [
      'PATCH',
      /^\/api\/applications\/([^/]+)$/,
      ([appId], body) => {
        check(body, { name: isNonEmptyString, description: isNullableString, oidcClientMetadata: isObject, customClientMetadata: isObject }, []);
        const app = find(state.applications, appId!, 'application');
        if (body.oidcClientMetadata) body.oidcClientMetadata = checkClientMetadata(body.oidcClientMetadata, app.type);
        Object.assign(app, body);
        return { status: 200, body: publicApp(app) };
      },
    ],
    [
      'DELETE',
      /^\/api\/applications\/([^/]+)$/,
      ([appId]) => {
        find(state.applications, appId!, 'application');
        state.applications = state.applications.filter((app) => app.id !== appId);
        state.secrets = state.secrets.filter((secret) => secret.applicationId !== appId);
        state.consent.delete(appId!);
        state.signInExperiences.delete(appId!);
        return { status: 204 };
      },
    ],
    [
      'GET',
      /^\/api\/applications\/([^/]+)\/secrets$/,
      ([appId]) => {
        find(state.applications, appId!, 'application');
        return { status: 200, body: state.secrets.filter((secret) => secret.applicationId === appId) };
      },
    ],
    [
      'POST',
      /^\/api\/applications\/([^/]+)\/secrets$/,
      ([appId], body) => {
        check(body, { name: isNonEmptyString, expiresAt: isNumber }, ['name']);
        const app = find(state.applications, appId!, 'application');
        if (app.type === 'Native' || app.type === 'SPA') throw new HttpError(400, 'application.invalid_type', 'This application type has no secrets.');
        if (state.secrets.some((secret) => secret.applicationId === appId && secret.name === body.name)) {
          throw new HttpError(422, 'application.secret_name_exists', 'Secret name already exists.');
        }
        const secret: Secret = { applicationId: appId!, name: body.name, value: randomBytes(24).toString('base64url'), createdAt: Date.now(), expiresAt: body.expiresAt ?? null };
        state.secrets.push(secret);
        return { status: 201, body: secret };
      },
    ],
    [
      'GET',
      /^\/api\/applications\/([^/]+)\/user-consent-scopes$/,
      ([appId]) => {
        find(state.applications, appId!, 'application');
        return { status: 200, body: consentResponse(state.consent.get(appId!)) };
      },
    ],
    [
      'POST',
      /^\/api\/applications\/([^/]+)\/user-consent-scopes$/,
      ([appId], body) => {
        const app = find(state.applications, appId!, 'application');
        if (!app.isThirdParty) throw new HttpError(422, 'application.third_party_application_only', 'The feature is only available for third-party applications.');
        const consent = state.consent.get(appId!) ?? { userScopes: [], resourceScopes: [] };
        addConsent(consent, body);
        state.consent.set(appId!, consent);
        return { status: 201 };
      },
    ],
    [
      'GET',
      /^\/api\/applications\/([^/]+)\/sign-in-experience$/,
      ([appId]) => {
        find(state.applications, appId!, 'application');
        const found = state.signInExperiences.get(appId!);
        if (!found) throw new HttpError(404, 'entity.not_exists_with_id', 'Not found');
        return { status: 200, body: found };
      },
    ],
    [
      'PUT',
      /^\/api\/applications\/([^/]+)\/sign-in-experience$/,
      ([appId], body) => {
        check(body, { branding: isObject, color: isObject, termsOfUseUrl: isNullableUrlOrEmpty, privacyPolicyUrl: isNullableUrlOrEmpty, displayName: isNullableString }, []);
        const app = find(state.applications, appId!, 'application');
        if (!app.isThirdParty) throw new HttpError(422, 'application.third_party_application_only', 'The feature is only available for third-party applications.');
        for (const [key, value] of Object.entries(body.branding ?? {})) {
          if (!['logoUrl', 'darkLogoUrl', 'favicon', 'darkFavicon'].includes(key) || !isAbsoluteUrl(value)) throw new HttpError(400, 'guard.invalid_input', `branding.${key}`);
        }
        const existed = state.signInExperiences.has(appId!);
        const next = { applicationId: appId, branding: {}, ...state.signInExperiences.get(appId!), ...body };
        state.signInExperiences.set(appId!, next);
        return { status: existed ? 200 : 201, body: next };
      },
    ],
  ];

  if (options.cimd) {
    routes.push(
      ['GET', /^\/api\/configs\/cimd$/, () => ({ status: 200, body: state.cimd })],
      [
        'PATCH',
        /^\/api\/configs\/cimd$/,
        (_p, body) => {
          check(body, { enabled: isBoolean }, []);
          Object.assign(state.cimd, body);
          return { status: 200, body: state.cimd };
        },
      ],
      ['GET', /^\/api\/cimd\/user-consent-scopes$/, () => ({ status: 200, body: consentResponse(state.cimdConsent) })],
      [
        'POST',
        /^\/api\/cimd\/user-consent-scopes$/,
        (_p, body) => {
          addConsent(state.cimdConsent, body);
          return { status: 201 };
        },
      ],
    );
  }

  function removeScopes(scopeIds: Set<string>) {
    state.scopes = state.scopes.filter((scope) => !scopeIds.has(scope.id));
    state.rolesScopes = state.rolesScopes.filter((relation) => !scopeIds.has(relation.scopeId));
    for (const consent of [...state.consent.values(), state.cimdConsent]) {
      consent.resourceScopes = consent.resourceScopes.filter((scopeId) => !scopeIds.has(scopeId));
    }
  }

  function addConsent(consent: Consent, body: any) {
    check(body, { userScopes: isNonEmptyStringArray, resourceScopes: isNonEmptyStringArray, organizationScopes: isNonEmptyStringArray, organizationResourceScopes: isNonEmptyStringArray }, []);
    for (const scope of body.userScopes ?? []) {
      if (!USER_SCOPES.has(scope)) throw new HttpError(400, 'guard.invalid_input', `Invalid user scope ${scope}`);
    }
    const unknown = (body.resourceScopes ?? []).filter((scopeId: string) => !state.scopes.some((scope) => scope.id === scopeId));
    if (unknown.length > 0) throw new HttpError(422, 'application.user_consent_scopes_not_found', 'Invalid user consent scopes.');
    if ((body.resourceScopes ?? []).some((scopeId: string) => state.scopes.find((scope) => scope.id === scopeId)?.resourceId === 'management-api')) {
      throw new HttpError(422, 'application.consent_management_api_scopes_not_allowed', 'Management API scopes are not allowed.');
    }
    // Logto inserts these relations with "on conflict do nothing".
    consent.userScopes = [...new Set([...consent.userScopes, ...(body.userScopes ?? [])])];
    consent.resourceScopes = [...new Set([...consent.resourceScopes, ...(body.resourceScopes ?? [])])];
  }

  function consentResponse(consent: Consent | undefined) {
    const scopes = state.scopes.filter((scope) => consent?.resourceScopes.includes(scope.id));
    const resourceIds = [...new Set(scopes.map((scope) => scope.resourceId))];
    return {
      organizationScopes: [],
      organizationResourceScopes: [],
      userScopes: consent?.userScopes ?? [],
      resourceScopes: resourceIds.map((resourceId) => {
        const { id: rid, name, indicator } = find(state.resources, resourceId, 'resource');
        return { resource: { id: rid, name, indicator }, scopes: scopes.filter((scope) => scope.resourceId === rid).map(({ id: sid, name: n, description }) => ({ id: sid, name: n, description })) };
      }),
    };
  }

  function token(request: http.IncomingMessage, raw: string): Reply {
    const oauthError = (status: number, error: string, description: string): Reply => ({ status, body: { error, error_description: description } });
    if (request.method !== 'POST') return oauthError(405, 'invalid_request', 'only POST');
    if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return oauthError(400, 'invalid_request', 'only application/x-www-form-urlencoded content-type bodies are supported');
    const form = new URLSearchParams(raw);
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    if (basic) {
      if (clientSecret) return oauthError(400, 'invalid_request', 'client authentication must only be provided using one mechanism');
      const decoded = Buffer.from(basic, 'base64').toString();
      const colon = decoded.indexOf(':');
      // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
    const client = m2mApps.find((app) => app.id === clientId);
    if (!client || client.secret !== clientSecret) return oauthError(401, 'invalid_client', 'client authentication failed');
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'unsupported grant_type requested');
    if (form.get('resource') !== managementResource) return oauthError(400, 'invalid_target', 'resource indicator is missing, or unknown');
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (requested.some((scope) => scope !== 'all')) return oauthError(400, 'invalid_scope', `requested scope is not allowed`);
    const scopes = client.managementAccess ? requested : [];
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { scopes });
    return { status: 200, body: { access_token: accessToken, expires_in: 3600, token_type: 'Bearer', scope: scopes.join(' ') } };
  }

  function api(request: http.IncomingMessage, pathname: string, query: URLSearchParams, raw: string): Reply {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!bearer) throw new HttpError(401, 'auth.authorization_header_missing', 'Authorization header is missing.');
    const grant = tokens.get(bearer);
    if (!grant) throw new HttpError(401, 'auth.unauthorized', 'Unauthorized. Please check credentials and its scope.');
    if (!grant.scopes.includes('all')) throw new HttpError(403, 'auth.forbidden', 'Forbidden. Please check your user roles and permissions.');
    for (const [method, pattern, handler] of routes) {
      const match = method === request.method ? pattern.exec(pathname) : null;
      if (!match) continue;
      let body: unknown;
      if (raw) {
        if (!request.headers['content-type']?.startsWith('application/json')) throw new HttpError(400, 'guard.invalid_input', 'JSON body expected');
        try {
          body = JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'guard.invalid_input', 'invalid JSON');
        }
      } else if (['POST', 'PUT', 'PATCH'].includes(method)) {
        body = {};
      }
      return handler(match.slice(1).map(decodeURIComponent), body, query);
    }
    return { status: 404, body: 'Not Found' };
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      let reply: Reply;
      const failure = failures.find((f) => f.times > 0 && f.method === request.method && f.path.test(url.pathname));
      if (failure) {
        failure.times--;
        reply = { status: failure.status, body: { code: failure.code, message: 'Injected failure' } };
      } else {
        try {
          reply = url.pathname === '/oidc/token' ? token(request, raw) : url.pathname.startsWith('/api/') ? api(request, url.pathname, url.searchParams, raw) : { status: 404, body: 'Not Found' };
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          reply = { status: error.status, body: { code: error.code, message: error.message } };
        }
      }
      if (url.pathname.startsWith('/api/')) {
        requests.push({ method: request.method ?? '', path: url.pathname, query: url.search, body: raw ? safeJson(raw) : undefined, status: reply.status });
      }
      const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      response.writeHead(reply.status, {
        ...(text ? { 'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json' } : {}),
        ...reply.headers,
      });
      response.end(text);
    });
  });
  const url = await listenOnLoopback(server);

  return {
    url,
    issuer: `${url}/oidc`,
    managementResource,
    state,
    requests,
    failNext: (method, path, status, times = 1, code = 'unexpected') => failures.push({ method, path, status, times, code }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Logto's koaPagination: page (from 1) and page_size (at most 100, default 20); the total in Total-Number. */
function paginate<T>(items: T[], query: URLSearchParams, isOptional: boolean): Reply {
  const page = query.get('page');
  const pageSize = query.get('page_size');
  if (isOptional && page === null && pageSize === null) return { status: 200, body: items };
  const number = page === null ? 1 : Number(page);
  const size = pageSize === null ? 20 : Number(pageSize);
  if (!Number.isInteger(number) || number < 1 || !Number.isInteger(size) || size < 1 || size > 100) {
    throw new HttpError(400, 'guard.invalid_pagination', 'The pagination value is not valid.');
  }
  return { status: 200, body: items.slice((number - 1) * size, number * size), headers: { 'Total-Number': String(items.length) } };
}

function publicApp(app: Application) {
  return { ...app, tenantId: 'default', protectedAppMetadata: null, customData: {}, isAdmin: undefined };
}

function checkClientMetadata(metadata: any, type: string) {
  check(metadata, { redirectUris: isStringArray, postLogoutRedirectUris: isStringArray }, ['redirectUris', 'postLogoutRedirectUris']);
  for (const uri of metadata.redirectUris as string[]) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new HttpError(400, 'guard.invalid_input', `Invalid redirect URI ${uri}`);
    }
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    if (url.hash || (!web && type !== 'Native')) throw new HttpError(400, 'guard.invalid_input', `Invalid redirect URI ${uri} for a ${type} app`);
  }
  return metadata as Application['oidcClientMetadata'];
}

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isNonEmptyString: Check = (v) => typeof v === 'string' && v.length > 0;
const isNullableString: Check = (v) => v === null || typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number';
const isBoolean: Check = (v) => typeof v === 'boolean';
const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray: Check = (v) => Array.isArray(v) && v.every(isString);
const isNonEmptyStringArray: Check = (v) => isStringArray(v) && (v as string[]).length > 0 && (v as string[]).every(isNonEmptyString);
const isAbsoluteUrl: Check = (v) => {
  try {
    return typeof v === 'string' && Boolean(new URL(v));
  } catch {
    return false;
  }
};
const isNullableUrlOrEmpty: Check = (v) => v === null || v === '' || isAbsoluteUrl(v);

/** Refuses unknown keys, missing required keys and values of the wrong kind. */
function check(body: any, shape: Record<string, Check>, required: string[]) {
  if (!isObject(body)) throw new HttpError(400, 'guard.invalid_input', 'The request body must be an object.');
  for (const key of Object.keys(body)) {
    if (!(key in shape)) throw new HttpError(400, 'guard.invalid_input', `Unrecognized key: ${key}`);
    if (!shape[key]!(body[key])) throw new HttpError(400, 'guard.invalid_input', `Invalid ${key}`);
  }
  for (const key of required) {
    if (!(key in body)) throw new HttpError(400, 'guard.invalid_input', `Required: ${key}`);
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
