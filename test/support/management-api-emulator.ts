// A Logto Management API emulator on loopback, for registration tests. It follows Logto's routes
// (packages/core/src/routes/{resource,role,role.scope,applications/*,logto-config/cimd,logto-config/jwt-customizer,cimd,admin-user/*}.ts) and is
// strict: a request the real API would reject, it rejects. Where Logto silently strips unknown body
// keys, it refuses them, and it refuses empty consent-scope lists, which we promise never to send.
// Routes, body keys and response shapes are checked by `tsc` against the official @logto/api types.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { ListItem, Method, PathOf, PathParams, RequestBody, ResponseBody } from '../../src/logto/api-types.js';
import type { ApplicationType, UserScope } from '../../src/logto/management-api.js';
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
  /**
   * Whether the plan includes custom JWT claims (quota key customJwtEnabled; default true, as on self-hosted
   * Logto). false: PUT and PATCH /api/configs/jwt-customizer/... answer 403 subscription.limit_exceeded.
   */
  customJwtEnabled?: boolean;
}

interface Resource {
  id: string;
  name: string;
  indicator: string;
  isDefault: boolean;
  accessTokenTtl: number;
}
interface Scope {
  id: string;
  resourceId: string;
  name: string;
  description: string | null;
  createdAt: number;
}
interface Role {
  id: string;
  name: string;
  description: string;
  type: 'User' | 'MachineToMachine';
  isDefault: boolean;
}
interface Application {
  id: string;
  name: string;
  description: string | null;
  type: ApplicationType;
  isThirdParty: boolean;
  oidcClientMetadata: { redirectUris: string[]; postLogoutRedirectUris: string[] };
  customClientMetadata: Record<string, unknown>;
  /** Arbitrary JSON Logto keeps as given (applications.custom_data); register marks its apps here. */
  customData: Record<string, unknown>;
  createdAt: number;
}
interface User {
  id: string;
  username: string | null;
  primaryEmail: string | null;
  name: string | null;
  customData: Record<string, unknown>;
  /** Kept so that tests can sign the user in; Logto keeps only a hash and never returns it. */
  password: string | null;
  createdAt: number;
}
interface Secret {
  applicationId: string;
  name: string;
  value: string;
  createdAt: number;
  expiresAt: number | null;
}
interface Consent {
  userScopes: UserScope[];
  resourceScopes: string[];
}
type JwtCustomizer = ResponseBody<'get', '/api/configs/jwt-customizer/{tokenTypePath}'>;
type JwtCustomizerKey = 'jwt.accessToken' | 'jwt.clientCredentials';
const JWT_CUSTOMIZER_KEYS: Record<string, JwtCustomizerKey> = {
  'access-token': 'jwt.accessToken',
  'client-credentials': 'jwt.clientCredentials',
};

export interface EmulatorState {
  resources: Resource[];
  scopes: Scope[];
  roles: Role[];
  rolesScopes: Array<{ roleId: string; scopeId: string }>;
  applications: Application[];
  secrets: Secret[];
  consent: Map<string, Consent>;
  signInExperiences: Map<string, SignInExperience>;
  cimd: { enabled: boolean };
  cimdConsent: Consent;
  /** The custom JWT claims scripts, by Logto's config key (logto_configs rows jwt.accessToken, jwt.clientCredentials). */
  jwtCustomizers: Partial<Record<JwtCustomizerKey, JwtCustomizer>>;
  users: User[];
  usersRoles: Array<{ userId: string; roleId: string }>;
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
  /**
   * Answers the next `times` requests matching method and path with `status` and Logto error `code`, after letting
   * `after` of them through (e.g. a quota reached at the third app).
   */
  failNext(method: string, path: RegExp, status: number, times?: number, code?: string, after?: number): void;
  /**
   * Runs `effect` once, when the next request matching method and path has been handled and before it is answered:
   * to change the client's world mid-run (a file made unwritable, say). Not Logto behaviour: a test's hand.
   * Returns a function that forgets it, if it has not run.
   */
  whenAnswering(method: string, path: RegExp, effect: () => void): () => void;
  close(): Promise<void>;
}

const TENANT_ID = 'default';
// Every user scope the official types name, and no other.
const USER_SCOPES = new Set(
  Object.keys({
    profile: true,
    email: true,
    phone: true,
    address: true,
    custom_data: true,
    identities: true,
    roles: true,
    'urn:logto:scope:organizations': true,
    'urn:logto:scope:organization_roles': true,
    'urn:logto:scope:sessions': true,
  } satisfies Record<UserScope, true>),
);
const APP_TYPES = new Set(['Native', 'SPA', 'Traditional', 'MachineToMachine']);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message = code,
  ) {
    super(message);
  }
}

type Reply<T = unknown> = { status: number; body?: T; headers?: Record<string, string> };
type SignInExperience = ResponseBody<'get', '/api/applications/{applicationId}/sign-in-experience'>;
type ConsentBody = RequestBody<'post', '/api/applications/{applicationId}/user-consent-scopes'>;
type OidcClientMetadata = NonNullable<RequestBody<'post', '/api/applications'>['oidcClientMetadata']>;

type Check = (value: unknown) => boolean;
/** A body key Logto requires. */
interface Required {
  required: Check;
}
const required = (check: Check): Required => ({ required: check });
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends Pick<B, K>`: true exactly when K is optional
type OptionalKeys<B> = { [K in keyof B]-?: {} extends Pick<B, K> ? K : never }[keyof B];
/** The body keys this emulator accepts: the keys Logto requires (marked), and any of the optional ones. */
type BodySpec<B> = { [K in Exclude<keyof B, OptionalKeys<B>>]: Required } & { [K in OptionalKeys<B>]?: Check };

interface Route {
  method: string;
  pattern: RegExp;
  /** A plan feature (koaQuotaGuard) checked before the body, as Logto's middleware order does. */
  quota?: 'customJwtEnabled';
  body?: Record<string, Check | Required>;
  handle: (params: Record<string, string>, body: any, query: URLSearchParams) => Reply;
}
type Handler<M extends Method, P extends PathOf<M>> = (
  params: Exclude<PathParams<M, P>, undefined> & Record<string, string>,
  body: RequestBody<M, P>,
  query: URLSearchParams,
) => Reply<ResponseBody<M, P>>;

/** A documented route: its template, for a body its spec, and a handler whose reply has the documented shape. */
function route<M extends Method, P extends PathOf<M>>(
  method: M,
  path: P,
  ...rest: [RequestBody<M, P>] extends [never]
    ? [handler: Handler<M, P>]
    : [body: BodySpec<RequestBody<M, P>>, handler: Handler<M, P>]
): Route {
  const [body, handle] = rest.length === 2 ? rest : [undefined, rest[0]];
  const pattern = new RegExp(`^${path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
  return { method: method.toUpperCase(), pattern, body, handle: handle as Route['handle'] };
}

/** A route @logto/api does not describe (Logto 1.43+); the handler checks the body itself. */
function untypedRoute(method: string, path: string, handle: (body: any) => Reply): Route {
  return { method, pattern: new RegExp(`^${path}$`), handle: (_params, body) => handle(body) };
}

export async function startManagementApiEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const managementResource = options.managementResource ?? 'https://default.logto.app/api';
  const m2mApps = options.m2mApps ?? [];
  const thirdPartyTypes = new Set(options.thirdPartyTypes ?? ['Traditional', 'SPA', 'Native']);
  const id = () =>
    randomBytes(11)
      .toString('base64url')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')
      .slice(0, 21);
  const tokens = new Map<string, { scopes: string[] }>();
  const effects: Array<{ method: string; path: RegExp; effect: () => void }> = [];
  const failures: Array<{ method: string; path: RegExp; status: number; times: number; code: string; after: number }> =
    [];
  const requests: LoggedRequest[] = [];

  const state: EmulatorState = {
    resources: [
      {
        id: 'management-api',
        name: 'Logto Management API',
        indicator: managementResource,
        isDefault: false,
        accessTokenTtl: 3600,
      },
    ],
    scopes: [
      {
        id: 'management-api-all',
        resourceId: 'management-api',
        name: 'all',
        description: 'Default scope for Management API',
        createdAt: 0,
      },
    ],
    roles: [],
    rolesScopes: [],
    applications: [],
    secrets: [],
    consent: new Map(),
    signInExperiences: new Map(),
    cimd: { enabled: false },
    cimdConsent: { userScopes: [], resourceScopes: [] },
    jwtCustomizers: {},
    users: [],
    usersRoles: [],
  };

  const find = <T extends { id: string }>(list: T[], itemId: string, name: string): T => {
    const item = list.find((entry) => entry.id === itemId);
    if (!item)
      throw new HttpError(404, 'entity.not_exists_with_id', `The ${name} with ID \`${itemId}\` does not exist.`);
    return item;
  };

  const CONSENT_BODY: BodySpec<ConsentBody> = {
    userScopes: isNonEmptyStringArray,
    resourceScopes: isNonEmptyStringArray,
    organizationScopes: isNonEmptyStringArray,
    organizationResourceScopes: isNonEmptyStringArray,
  };

  // Each documented route is declared with its template from @logto/api, the body keys Logto accepts
  // (required ones marked) and a reply of the documented shape, so `tsc` refuses a route, a body key or
  // a response field the real API does not have.
  const routes: Route[] = [
    route('get', '/api/resources', (_p, _b, query) => paginate(state.resources.map(publicResource), query, true)),
    route(
      'post',
      '/api/resources',
      { name: required(isNonEmptyString), indicator: required(isAbsoluteUrl), accessTokenTtl: isNumber },
      (_p, body) => {
        if (state.resources.some((resource) => resource.indicator === body.indicator)) {
          throw new HttpError(422, 'entity.unique_integrity_violation', 'The entity already exists.');
        }
        const resource: Resource = { id: id(), isDefault: false, accessTokenTtl: 3600, ...body };
        state.resources.push(resource);
        return { status: 201, body: { ...publicResource(resource), scopes: [] } };
      },
    ),
    route('delete', '/api/resources/{id}', ({ id: resourceId }) => {
      find(state.resources, resourceId, 'resource');
      const scopeIds = new Set(
        state.scopes.filter((scope) => scope.resourceId === resourceId).map((scope) => scope.id),
      );
      state.resources = state.resources.filter((resource) => resource.id !== resourceId);
      removeScopes(scopeIds);
      return { status: 204 };
    }),
    route('get', '/api/resources/{resourceId}/scopes', ({ resourceId }, _b, query) =>
      paginate(state.scopes.filter((scope) => scope.resourceId === resourceId).map(publicScope), query, true),
    ),
    route(
      'post',
      '/api/resources/{resourceId}/scopes',
      { name: required(isNonEmptyString), description: isNullableString },
      ({ resourceId }, body) => {
        find(state.resources, resourceId, 'resource');
        if (/\s/.test(body.name))
          throw new HttpError(400, 'scope.name_with_space', 'The name of the scope cannot contain any spaces.');
        if (state.scopes.some((scope) => scope.resourceId === resourceId && scope.name === body.name)) {
          throw new HttpError(422, 'scope.name_exists', `The scope name ${body.name} is already in use.`);
        }
        const scope: Scope = {
          id: id(),
          resourceId,
          name: body.name,
          description: body.description ?? null,
          createdAt: Date.now(),
        };
        state.scopes.push(scope);
        return { status: 201, body: publicScope(scope) };
      },
    ),
    route('delete', '/api/resources/{resourceId}/scopes/{scopeId}', ({ scopeId }) => {
      find(state.scopes, scopeId, 'scope');
      removeScopes(new Set([scopeId]));
      return { status: 204 };
    }),
    route('get', '/api/roles', (_p, _b, query) => paginate(state.roles.map(listedRole), query, false)),
    route(
      'post',
      '/api/roles',
      {
        name: required(isNonEmptyString),
        description: required(isNonEmptyString),
        type: (v) => v === 'User' || v === 'MachineToMachine',
        isDefault: isBoolean,
        scopeIds: isNonEmptyStringArray,
      },
      (_p, body) => {
        if (state.roles.some((role) => role.name === body.name))
          throw new HttpError(422, 'role.name_in_use', `This role name ${body.name} is already in use`);
        for (const scopeId of body.scopeIds ?? []) find(state.scopes, scopeId, 'scope');
        const role: Role = {
          id: id(),
          name: body.name,
          description: body.description,
          type: body.type ?? 'User',
          isDefault: body.isDefault ?? false,
        };
        state.roles.push(role);
        for (const scopeId of body.scopeIds ?? []) state.rolesScopes.push({ roleId: role.id, scopeId });
        return { status: 200, body: publicRole(role) };
      },
    ),
    // Logto: packages/core/src/routes/role.ts, GET /roles/:id (404 entity.not_exists_with_id).
    route('get', '/api/roles/{id}', ({ id: roleId }) => ({
      status: 200,
      body: publicRole(find(state.roles, roleId, 'role')),
    })),
    route(
      'patch',
      '/api/roles/{id}',
      { name: isNonEmptyString, description: isNonEmptyString, isDefault: isBoolean },
      ({ id: roleId }, body) => {
        const role = find(state.roles, roleId, 'role');
        Object.assign(role, body);
        return { status: 200, body: publicRole(role) };
      },
    ),
    route('delete', '/api/roles/{id}', ({ id: roleId }) => {
      find(state.roles, roleId, 'role');
      state.roles = state.roles.filter((role) => role.id !== roleId);
      state.rolesScopes = state.rolesScopes.filter((relation) => relation.roleId !== roleId);
      state.usersRoles = state.usersRoles.filter((relation) => relation.roleId !== roleId);
      return { status: 204 };
    }),
    route('get', '/api/roles/{id}/scopes', ({ id: roleId }, _b, query) => {
      find(state.roles, roleId, 'role');
      const ids = new Set(
        state.rolesScopes.filter((relation) => relation.roleId === roleId).map((relation) => relation.scopeId),
      );
      const withResource = (scope: Scope) => ({
        ...publicScope(scope),
        resource: publicResource(find(state.resources, scope.resourceId, 'resource')),
      });
      return paginate(state.scopes.filter((scope) => ids.has(scope.id)).map(withResource), query, true);
    }),
    // GET /api/roles/{id}/users as @logto/api 1.42 describes it: the users holding a role, paginated, user profiles without secrets.
    route('get', '/api/roles/{id}/users', ({ id: roleId }, _b, query) => {
      find(state.roles, roleId, 'role');
      const ids = new Set(
        state.usersRoles.filter((relation) => relation.roleId === roleId).map((relation) => relation.userId),
      );
      return paginate(state.users.filter((user) => ids.has(user.id)).map(publicUser), query, true);
    }),
    route('post', '/api/roles/{id}/scopes', { scopeIds: required(isNonEmptyStringArray) }, ({ id: roleId }, body) => {
      find(state.roles, roleId, 'role');
      for (const scopeId of body.scopeIds) {
        find(state.scopes, scopeId, 'scope');
        if (state.rolesScopes.some((relation) => relation.roleId === roleId && relation.scopeId === scopeId)) {
          throw new HttpError(422, 'role.scope_exists', `The scope id ${scopeId} has already been added to this role.`);
        }
      }
      for (const scopeId of body.scopeIds) state.rolesScopes.push({ roleId, scopeId });
      return {
        status: 201,
        body: state.scopes
          .filter((scope) => state.rolesScopes.some((r) => r.roleId === roleId && r.scopeId === scope.id))
          .map(publicScope),
      };
    }),
    route('get', '/api/applications', (_p, _b, query) => paginate(state.applications.map(publicApp), query, true)),
    route(
      'post',
      '/api/applications',
      {
        name: required(isNonEmptyString),
        description: isNullableString,
        type: required(isString),
        isThirdParty: isBoolean,
        oidcClientMetadata: isObject,
        customClientMetadata: isObject,
        customData: isObject,
      },
      (_p, body) => {
        if (!APP_TYPES.has(body.type))
          throw new HttpError(400, 'guard.invalid_input', `Invalid application type ${body.type}`);
        if (options.applicationLimit !== undefined && state.applications.length >= options.applicationLimit) {
          throw new HttpError(
            403,
            'subscription.limit_exceeded',
            'You have reached the applications limit of your plan.',
          );
        }
        if (body.isThirdParty && !thirdPartyTypes.has(body.type)) {
          throw new HttpError(
            400,
            'application.invalid_third_party_application_type',
            'Only traditional web applications can be marked as a third-party app.',
          );
        }
        const metadata = checkClientMetadata(
          body.oidcClientMetadata ?? { redirectUris: [], postLogoutRedirectUris: [] },
          body.type,
        );
        const app: Application = {
          id: id(),
          name: body.name,
          description: body.description ?? null,
          type: body.type,
          isThirdParty: body.isThirdParty ?? false,
          oidcClientMetadata: metadata,
          customClientMetadata: body.customClientMetadata ?? {},
          customData: body.customData ?? {},
          createdAt: Date.now(),
        };
        state.applications.push(app);
        if (app.type === 'Traditional' || app.type === 'MachineToMachine') {
          state.secrets.push({
            applicationId: app.id,
            name: 'Default secret',
            value: randomBytes(24).toString('base64url'),
            createdAt: Date.now(),
            expiresAt: null,
          });
        }
        // Since Logto 1.42 the response carries no secret: it is read from /secrets.
        return { status: 200, body: publicApp(app) };
      },
    ),
    route('get', '/api/applications/{id}', ({ id: appId }) => ({
      status: 200,
      body: { ...publicApp(find(state.applications, appId, 'application')), isAdmin: false },
    })),
    route(
      'patch',
      '/api/applications/{id}',
      {
        name: isNonEmptyString,
        description: isNullableString,
        oidcClientMetadata: isObject,
        customClientMetadata: isObject,
        customData: isObject,
      },
      ({ id: appId }, body) => {
        const app = find(state.applications, appId, 'application');
        if (body.oidcClientMetadata) body.oidcClientMetadata = checkClientMetadata(body.oidcClientMetadata, app.type);
        Object.assign(app, body);
        return { status: 200, body: publicApp(app) };
      },
    ),
    route('delete', '/api/applications/{id}', ({ id: appId }) => {
      find(state.applications, appId, 'application');
      state.applications = state.applications.filter((app) => app.id !== appId);
      state.secrets = state.secrets.filter((secret) => secret.applicationId !== appId);
      state.consent.delete(appId);
      state.signInExperiences.delete(appId);
      return { status: 204 };
    }),
    route('get', '/api/applications/{id}/secrets', ({ id: appId }) => {
      find(state.applications, appId, 'application');
      return { status: 200, body: state.secrets.filter((secret) => secret.applicationId === appId).map(withTenant) };
    }),
    route(
      'post',
      '/api/applications/{id}/secrets',
      { name: required(isNonEmptyString), expiresAt: isNullableNumber },
      ({ id: appId }, body) => {
        const app = find(state.applications, appId, 'application');
        if (app.type === 'Native' || app.type === 'SPA')
          throw new HttpError(400, 'application.invalid_type', 'This application type has no secrets.');
        if (state.secrets.some((secret) => secret.applicationId === appId && secret.name === body.name)) {
          throw new HttpError(422, 'application.secret_name_exists', 'Secret name already exists.');
        }
        const secret: Secret = {
          applicationId: appId,
          name: body.name,
          value: randomBytes(24).toString('base64url'),
          createdAt: Date.now(),
          expiresAt: body.expiresAt ?? null,
        };
        state.secrets.push(secret);
        return { status: 201, body: withTenant(secret) };
      },
    ),
    route('get', '/api/applications/{applicationId}/user-consent-scopes', ({ applicationId }) => {
      find(state.applications, applicationId, 'application');
      return { status: 200, body: consentResponse(state.consent.get(applicationId)) };
    }),
    route('post', '/api/applications/{applicationId}/user-consent-scopes', CONSENT_BODY, ({ applicationId }, body) => {
      const app = find(state.applications, applicationId, 'application');
      if (!app.isThirdParty)
        throw new HttpError(
          422,
          'application.third_party_application_only',
          'The feature is only available for third-party applications.',
        );
      const consent = state.consent.get(applicationId) ?? { userScopes: [], resourceScopes: [] };
      addConsent(consent, body);
      state.consent.set(applicationId, consent);
      return { status: 201 };
    }),
    route('get', '/api/applications/{applicationId}/sign-in-experience', ({ applicationId }) => {
      find(state.applications, applicationId, 'application');
      const found = state.signInExperiences.get(applicationId);
      if (!found) throw new HttpError(404, 'entity.not_exists_with_id', 'Not found');
      return { status: 200, body: found };
    }),
    route(
      'put',
      '/api/applications/{applicationId}/sign-in-experience',
      {
        branding: isObject,
        color: isObject,
        customCss: isNullableString,
        termsOfUseUrl: required(isNullableUrlOrEmpty),
        privacyPolicyUrl: required(isNullableUrlOrEmpty),
        displayName: isNullableString,
      },
      ({ applicationId }, body) => {
        const app = find(state.applications, applicationId, 'application');
        if (!app.isThirdParty)
          throw new HttpError(
            422,
            'application.third_party_application_only',
            'The feature is only available for third-party applications.',
          );
        for (const [key, value] of Object.entries(body.branding ?? {})) {
          if (!['logoUrl', 'darkLogoUrl', 'favicon', 'darkFavicon'].includes(key) || !isAbsoluteUrl(value))
            throw new HttpError(400, 'guard.invalid_input', `branding.${key}`);
        }
        const existing = state.signInExperiences.get(applicationId);
        // Logto updates the given fields of an existing row, or inserts one with the defaults for the rest.
        const defaults = {
          tenantId: TENANT_ID,
          applicationId,
          color: {},
          branding: {},
          customCss: null,
          displayName: null,
        };
        const next: SignInExperience = { ...defaults, ...existing, ...body };
        state.signInExperiences.set(applicationId, next);
        return { status: existing ? 200 : 201, body: next };
      },
    ),
    // Logto: packages/core/src/routes/admin-user/search.ts (GET /users with koaPagination and utils/search.ts:
    // `search.<field>=<value>`, `mode.<field>=exact|like`; only user columns may be searched), basics.ts (POST /users:
    // every body key optional, username matching usernameRegEx, password min 1, 422 user.username_already_in_use /
    // user.email_already_in_use; DELETE /users/:userId 204, 404 when none) and role.ts (GET and POST
    // /users/:userId/roles: roleIds non-empty, roles the user holds already ignored, 422 user.invalid_role_type for a
    // machine-to-machine role, 201 {roleIds, addedRoleIds}).
    route('get', '/api/users', (_p, _b, query) => {
      let users = state.users;
      for (const [key, value] of query) {
        if (!key.startsWith('search.')) continue;
        const field = key.slice('search.'.length);
        if (!['username', 'primaryEmail', 'name', 'id'].includes(field))
          throw new HttpError(400, 'request.invalid_input', `Search field ${field} is not allowed`);
        const mode = query.get(`mode.${field}`) ?? 'like';
        if (mode !== 'exact' && mode !== 'like')
          throw new HttpError(400, 'request.invalid_input', `Search match mode \`${mode}\` is not valid`);
        users = users.filter((user) => {
          const actual = String(user[field as 'username' | 'primaryEmail' | 'name' | 'id'] ?? '').toLowerCase();
          return mode === 'exact'
            ? actual === value.toLowerCase()
            : actual.includes(value.toLowerCase().replaceAll('%', ''));
        });
      }
      return paginate(users.map(publicUser), query, false);
    }),
    route(
      'post',
      '/api/users',
      {
        primaryPhone: isString,
        primaryEmail: (v) => typeof v === 'string' && /^\S+@\S+\.\S+$/.test(v),
        username: (v) => typeof v === 'string' && /^[A-Z_a-z]\w*$/.test(v),
        password: isNonEmptyString,
        passwordDigest: isString,
        passwordAlgorithm: isString,
        name: isString,
        avatar: isNullableString,
        customData: isObject,
        profile: isObject,
      },
      (_p, body) => {
        if (body.password && body.passwordDigest)
          throw new HttpError(400, 'user.password_and_digest', 'Password and digest cannot both be given.');
        if (body.username && state.users.some((user) => user.username === body.username))
          throw new HttpError(422, 'user.username_already_in_use', 'This username is already in use.');
        if (body.primaryEmail && state.users.some((user) => user.primaryEmail === body.primaryEmail))
          throw new HttpError(422, 'user.email_already_in_use', 'This email is associated with an existing account.');
        const user: User = {
          id: id(),
          username: body.username ?? null,
          primaryEmail: body.primaryEmail ?? null,
          name: body.name ?? null,
          customData: (body.customData as Record<string, unknown>) ?? {},
          password: body.password ?? null,
          createdAt: Date.now(),
        };
        state.users.push(user);
        return { status: 200, body: publicUser(user) };
      },
    ),
    route('delete', '/api/users/{userId}', ({ userId }) => {
      find(state.users, userId, 'user');
      state.users = state.users.filter((user) => user.id !== userId);
      state.usersRoles = state.usersRoles.filter((relation) => relation.userId !== userId);
      return { status: 204 };
    }),
    route('get', '/api/users/{userId}/roles', ({ userId }, _b, query) => {
      find(state.users, userId, 'user');
      const ids = new Set(
        state.usersRoles.filter((relation) => relation.userId === userId).map((relation) => relation.roleId),
      );
      return paginate(
        state.roles.filter((role) => ids.has(role.id) && role.type === 'User').map(publicRole),
        query,
        false,
      );
    }),
    route('post', '/api/users/{userId}/roles', { roleIds: required(isNonEmptyStringArray) }, ({ userId }, body) => {
      find(state.users, userId, 'user');
      const toAdd = body.roleIds.filter(
        (roleId) => !state.usersRoles.some((relation) => relation.userId === userId && relation.roleId === roleId),
      );
      for (const roleId of toAdd) {
        if (find(state.roles, roleId, 'role').type !== 'User')
          throw new HttpError(422, 'user.invalid_role_type', 'Can not assign machine to machine role to user.');
      }
      for (const roleId of toAdd) state.usersRoles.push({ userId, roleId });
      return { status: 201, body: { roleIds: body.roleIds, addedRoleIds: toAdd } };
    }),
    // Logto: packages/core/src/routes/logto-config/jwt-customizer.ts. The body guard is accessTokenJwtCustomizerGuard
    // (@logto/schemas: script, environmentVariables, contextSample, tokenSample, all optional, .strict()); PUT
    // upserts the whole value (201 when there was none), PATCH merges into the stored one (404 when none), GET of
    // one answers 404 entity.not_exists_with_id when none, DELETE 204 (404 when none). PUT and PATCH pass
    // koaQuotaGuard({ key: 'customJwtEnabled' }) first: 403 subscription.limit_exceeded on plans without it.
    route('get', '/api/configs/jwt-customizer', () => ({
      status: 200,
      body: Object.entries(state.jwtCustomizers).map(([key, value]) => ({ key, value })),
    })),
    route('get', '/api/configs/jwt-customizer/{tokenTypePath}', ({ tokenTypePath }) => {
      const key = jwtCustomizerKey(tokenTypePath);
      const value = state.jwtCustomizers[key];
      if (!value)
        throw new HttpError(404, 'entity.not_exists_with_id', `The logto_config with ID \`${key}\` does not exist.`);
      return { status: 200, body: value };
    }),
    withQuota(
      route('put', '/api/configs/jwt-customizer/{tokenTypePath}', JWT_CUSTOMIZER_BODY, ({ tokenTypePath }, body) => {
        const key = jwtCustomizerKey(tokenTypePath);
        // Stricter than Logto, which stores a value without a script (and then adds no claims): we always send one.
        if (typeof body.script !== 'string') throw new HttpError(400, 'guard.invalid_input', 'Required: script');
        const existed = key in state.jwtCustomizers;
        state.jwtCustomizers[key] = structuredClone(body) as JwtCustomizer;
        return { status: existed ? 200 : 201, body: state.jwtCustomizers[key] };
      }),
    ),
    withQuota(
      route('patch', '/api/configs/jwt-customizer/{tokenTypePath}', JWT_CUSTOMIZER_BODY, ({ tokenTypePath }, body) => {
        const key = jwtCustomizerKey(tokenTypePath);
        const value = state.jwtCustomizers[key];
        if (!value)
          throw new HttpError(404, 'entity.not_exists_with_id', `The logto_config with ID \`${key}\` does not exist.`);
        state.jwtCustomizers[key] = { ...value, ...structuredClone(body) } as JwtCustomizer;
        return { status: 200, body: state.jwtCustomizers[key] };
      }),
    ),
    route('delete', '/api/configs/jwt-customizer/{tokenTypePath}', ({ tokenTypePath }) => {
      const key = jwtCustomizerKey(tokenTypePath);
      if (!(key in state.jwtCustomizers))
        throw new HttpError(404, 'entity.not_exists_with_id', `The logto_config with ID \`${key}\` does not exist.`);
      delete state.jwtCustomizers[key];
      return { status: 204 };
    }),
  ];

  // Logto 1.43+, not described by @logto/api 1.42: untyped.
  if (options.cimd) {
    routes.push(
      untypedRoute('GET', '/api/configs/cimd', () => ({ status: 200, body: state.cimd })),
      untypedRoute('PATCH', '/api/configs/cimd', (body) => {
        check(body, { enabled: isBoolean });
        Object.assign(state.cimd, body);
        return { status: 200, body: state.cimd };
      }),
      untypedRoute('GET', '/api/cimd/user-consent-scopes', () => ({
        status: 200,
        body: consentResponse(state.cimdConsent),
      })),
      untypedRoute('POST', '/api/cimd/user-consent-scopes', (body) => {
        check(body, CONSENT_BODY);
        addConsent(state.cimdConsent, body as ConsentBody);
        return { status: 201 };
      }),
    );
  }

  function withQuota(item: Route): Route {
    return { ...item, quota: 'customJwtEnabled' };
  }

  function removeScopes(scopeIds: Set<string>) {
    state.scopes = state.scopes.filter((scope) => !scopeIds.has(scope.id));
    state.rolesScopes = state.rolesScopes.filter((relation) => !scopeIds.has(relation.scopeId));
    for (const consent of [...state.consent.values(), state.cimdConsent]) {
      consent.resourceScopes = consent.resourceScopes.filter((scopeId) => !scopeIds.has(scopeId));
    }
  }

  function addConsent(consent: Consent, body: ConsentBody) {
    for (const scope of body.userScopes ?? []) {
      if (!USER_SCOPES.has(scope)) throw new HttpError(400, 'guard.invalid_input', `Invalid user scope ${scope}`);
    }
    const unknown = (body.resourceScopes ?? []).filter(
      (scopeId: string) => !state.scopes.some((scope) => scope.id === scopeId),
    );
    if (unknown.length > 0)
      throw new HttpError(422, 'application.user_consent_scopes_not_found', 'Invalid user consent scopes.');
    if (
      (body.resourceScopes ?? []).some(
        (scopeId: string) => state.scopes.find((scope) => scope.id === scopeId)?.resourceId === 'management-api',
      )
    ) {
      throw new HttpError(
        422,
        'application.consent_management_api_scopes_not_allowed',
        'Management API scopes are not allowed.',
      );
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
        return {
          resource: { id: rid, name, indicator },
          scopes: scopes
            .filter((scope) => scope.resourceId === rid)
            .map(({ id: sid, name: n, description }) => ({ id: sid, name: n, description })),
        };
      }),
    };
  }

  function token(request: http.IncomingMessage, raw: string): Reply {
    const oauthError = (status: number, error: string, description: string): Reply => ({
      status,
      body: { error, error_description: description },
    });
    if (request.method !== 'POST') return oauthError(405, 'invalid_request', 'only POST');
    if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded'))
      return oauthError(
        400,
        'invalid_request',
        'only application/x-www-form-urlencoded content-type bodies are supported',
      );
    const form = new URLSearchParams(raw);
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    if (basic) {
      if (clientSecret)
        return oauthError(400, 'invalid_request', 'client authentication must only be provided using one mechanism');
      const decoded = Buffer.from(basic, 'base64').toString();
      const colon = decoded.indexOf(':');
      // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
    const client = m2mApps.find((app) => app.id === clientId);
    if (!client || client.secret !== clientSecret)
      return oauthError(401, 'invalid_client', 'client authentication failed');
    if (form.get('grant_type') !== 'client_credentials')
      return oauthError(400, 'unsupported_grant_type', 'unsupported grant_type requested');
    if (form.get('resource') !== managementResource)
      return oauthError(400, 'invalid_target', 'resource indicator is missing, or unknown');
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (requested.some((scope) => scope !== 'all'))
      return oauthError(400, 'invalid_scope', `requested scope is not allowed`);
    const scopes = client.managementAccess ? requested : [];
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { scopes });
    return {
      status: 200,
      body: { access_token: accessToken, expires_in: 3600, token_type: 'Bearer', scope: scopes.join(' ') },
    };
  }

  function api(request: http.IncomingMessage, pathname: string, query: URLSearchParams, raw: string): Reply {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!bearer) throw new HttpError(401, 'auth.authorization_header_missing', 'Authorization header is missing.');
    const grant = tokens.get(bearer);
    if (!grant) throw new HttpError(401, 'auth.unauthorized', 'Unauthorized. Please check credentials and its scope.');
    if (!grant.scopes.includes('all'))
      throw new HttpError(403, 'auth.forbidden', 'Forbidden. Please check your user roles and permissions.');
    for (const { method, pattern, body: spec, handle, quota } of routes) {
      const match = method === request.method ? pattern.exec(pathname) : null;
      if (!match) continue;
      if (quota === 'customJwtEnabled' && options.customJwtEnabled === false) {
        throw new HttpError(403, 'subscription.limit_exceeded', 'You have exceeded the limit of your current plan.');
      }
      let body: unknown;
      if (raw) {
        if (!request.headers['content-type']?.startsWith('application/json'))
          throw new HttpError(400, 'guard.invalid_input', 'JSON body expected');
        try {
          body = JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'guard.invalid_input', 'invalid JSON');
        }
      } else if (['POST', 'PUT', 'PATCH'].includes(method)) {
        body = {};
      }
      if (spec) check(body, spec);
      const params = Object.fromEntries(
        Object.entries(match.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)]),
      );
      return handle(params, body, query);
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
      let failure = failures.find((f) => f.times > 0 && f.method === request.method && f.path.test(url.pathname));
      if (failure && failure.after > 0) {
        failure.after--;
        failure = undefined;
      }
      if (failure) {
        failure.times--;
        reply = { status: failure.status, body: { code: failure.code, message: 'Injected failure' } };
      } else {
        try {
          reply =
            url.pathname === '/oidc/token'
              ? token(request, raw)
              : url.pathname.startsWith('/api/')
                ? api(request, url.pathname, url.searchParams, raw)
                : { status: 404, body: 'Not Found' };
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          reply = { status: error.status, body: { code: error.code, message: error.message } };
        }
      }
      if (url.pathname.startsWith('/api/')) {
        requests.push({
          method: request.method ?? '',
          path: url.pathname,
          query: url.search,
          body: raw ? safeJson(raw) : undefined,
          status: reply.status,
        });
      }
      const effect = effects.findIndex((e) => e.method === request.method && e.path.test(url.pathname));
      if (effect >= 0) effects.splice(effect, 1)[0]!.effect();
      const text =
        reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
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
    failNext: (method, path, status, times = 1, code = 'unexpected', after = 0) =>
      failures.push({ method, path, status, times, code, after }),
    whenAnswering: (method, path, effect) => {
      const entry = { method, path, effect };
      effects.push(entry);
      return () => {
        const index = effects.indexOf(entry);
        if (index >= 0) effects.splice(index, 1);
      };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Logto's koaPagination: page (from 1) and page_size (at most 100, default 20); the total in Total-Number. */
function paginate<T>(items: T[], query: URLSearchParams, isOptional: boolean): Reply<T[]> {
  const page = query.get('page');
  const pageSize = query.get('page_size');
  if (isOptional && page === null && pageSize === null) return { status: 200, body: items };
  const number = page === null ? 1 : Number(page);
  const size = pageSize === null ? 20 : Number(pageSize);
  if (!Number.isInteger(number) || number < 1 || !Number.isInteger(size) || size < 1 || size > 100) {
    throw new HttpError(400, 'guard.invalid_pagination', 'The pagination value is not valid.');
  }
  return {
    status: 200,
    body: items.slice((number - 1) * size, number * size),
    headers: { 'Total-Number': String(items.length) },
  };
}

// What Logto returns for the records kept in the state: the official shapes.
function withTenant<T>(item: T): T & { tenantId: string } {
  return { ...item, tenantId: TENANT_ID };
}

function publicResource(resource: Resource): ListItem<'/api/resources'> {
  return withTenant(resource);
}

function publicScope(scope: Scope): ListItem<'/api/resources/{resourceId}/scopes'> {
  return withTenant(scope);
}

function publicRole(role: Role): ResponseBody<'post', '/api/roles'> {
  return withTenant(role);
}

function listedRole(role: Role): ListItem<'/api/roles'> {
  return { ...publicRole(role), usersCount: 0, featuredUsers: [], applicationsCount: 0, featuredApplications: [] };
}

function publicUser({ password: _, ...user }: User): ListItem<'/api/users'> {
  return {
    ...withTenant(user),
    primaryPhone: null,
    avatar: null,
    identities: {},
    lastSignInAt: null,
    updatedAt: user.createdAt,
    profile: {},
    applicationId: null,
    isSuspended: false,
    hasPassword: _ !== null,
    ssoIdentities: [],
  };
}

function publicApp(app: Application): ListItem<'/api/applications'> {
  return { ...withTenant(app), protectedAppMetadata: null, appLevelAccessControlEnabled: false };
}

function checkClientMetadata(metadata: any, type: string) {
  const spec: BodySpec<OidcClientMetadata> = {
    redirectUris: required(isStringArray),
    postLogoutRedirectUris: required(isStringArray),
  };
  check(metadata, spec);
  for (const uri of metadata.redirectUris as string[]) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new HttpError(400, 'guard.invalid_input', `Invalid redirect URI ${uri}`);
    }
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    if (url.hash || (!web && type !== 'Native'))
      throw new HttpError(400, 'guard.invalid_input', `Invalid redirect URI ${uri} for a ${type} app`);
  }
  return metadata as Application['oidcClientMetadata'];
}

const isString: Check = (v) => typeof v === 'string';
const isNonEmptyString: Check = (v) => typeof v === 'string' && v.length > 0;
const isNullableString: Check = (v) => v === null || typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number';
const isNullableNumber: Check = (v) => v === null || isNumber(v);
const isBoolean: Check = (v) => typeof v === 'boolean';
const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray: Check = (v) => Array.isArray(v) && v.every(isString);
const isNonEmptyStringArray: Check = (v) =>
  isStringArray(v) && (v as string[]).length > 0 && (v as string[]).every(isNonEmptyString);
const isAbsoluteUrl: Check = (v) => {
  try {
    return typeof v === 'string' && Boolean(new URL(v));
  } catch {
    return false;
  }
};
const isNullableUrlOrEmpty: Check = (v) => v === null || v === '' || isAbsoluteUrl(v);

const isStringRecord: Check = (v) => isObject(v) && Object.values(v as object).every(isString);
const JWT_CUSTOMIZER_BODY: BodySpec<RequestBody<'put', '/api/configs/jwt-customizer/{tokenTypePath}'>> = {
  script: isString,
  environmentVariables: isStringRecord,
  contextSample: isObject,
  tokenSample: isObject,
  blockIssuanceOnError: isBoolean,
};

/** `access-token` → `jwt.accessToken`; another path is refused as Logto's params guard (z.nativeEnum) does. */
function jwtCustomizerKey(tokenTypePath: string): JwtCustomizerKey {
  const key = JWT_CUSTOMIZER_KEYS[tokenTypePath];
  if (!key) throw new HttpError(400, 'guard.invalid_input', `Invalid tokenTypePath ${tokenTypePath}`);
  return key;
}

/** Refuses unknown keys, missing required keys and values of the wrong kind. */
function check(body: any, spec: Record<string, Check | Required>) {
  if (!isObject(body)) throw new HttpError(400, 'guard.invalid_input', 'The request body must be an object.');
  for (const key of Object.keys(body)) {
    const entry = spec[key];
    if (!entry) throw new HttpError(400, 'guard.invalid_input', `Unrecognized key: ${key}`);
    if (!(typeof entry === 'function' ? entry : entry.required)(body[key]))
      throw new HttpError(400, 'guard.invalid_input', `Invalid ${key}`);
  }
  for (const [key, entry] of Object.entries(spec)) {
    if (typeof entry !== 'function' && !(key in body))
      throw new HttpError(400, 'guard.invalid_input', `Required: ${key}`);
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
