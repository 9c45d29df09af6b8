// A small client for the parts of the Logto Management API that registration needs. Paths, methods, bodies
// and responses are typed by the official @logto/api description (api-types.ts), so `tsc` refuses a request
// Logto does not document. Only the Client ID Metadata Document routes (Logto 1.43+) are typed here by hand:
// @logto/api 1.42, the latest, does not describe them yet.
import * as v from 'valibot';
import { printable } from '../printable.js';
import type { ListItem, Method, PathOf, PathParams, RequestBody, ResponseBody } from './api-types.js';

export type Resource = ListItem<'/api/resources'>;
export type Scope = ListItem<'/api/resources/{resourceId}/scopes'>;
export type Role = ListItem<'/api/roles'>;
export type Application = ListItem<'/api/applications'>;
export type User = ListItem<'/api/users'>;
export type ApplicationType = Application['type'];
export type OidcClientMetadata = Application['oidcClientMetadata'];
export type ApplicationSecret = ListItem<'/api/applications/{id}/secrets'>;
export type UserConsentScopes = ResponseBody<'get', '/api/applications/{applicationId}/user-consent-scopes'>;
export type ConsentScopesInput = RequestBody<'post', '/api/applications/{applicationId}/user-consent-scopes'>;
/** One of the OIDC user scopes an app's consent list may hold (`profile`, `email`, ...). */
export type UserScope = NonNullable<ConsentScopesInput['userScopes']>[number];
export type AppSignInExperience = ResponseBody<'get', '/api/applications/{applicationId}/sign-in-experience'>;
export type AppSignInExperienceInput = RequestBody<'put', '/api/applications/{applicationId}/sign-in-experience'>;

/** The tenant's custom access-token claims script and its settings (Logto Console > Custom JWT). */
export type JwtCustomizer = ResponseBody<'get', '/api/configs/jwt-customizer/{tokenTypePath}'>;
export type JwtCustomizerInput = RequestBody<'put', '/api/configs/jwt-customizer/{tokenTypePath}'>;

/** Logto 1.43+ (`/api/configs/cimd`, `/api/cimd/user-consent-scopes`), not in @logto/api 1.42. */
export interface CimdConfig {
  enabled: boolean;
}

export interface ManagementApiOptions {
  /** Where /oidc/token and /api live, without a trailing slash. */
  endpoint: string;
  /** The Management API resource indicator. */
  resource: string;
  appId: string;
  appSecret: string;
  fetch?: typeof fetch;
  /** Waits between retries; tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Retries after the first attempt for a transient failure (5xx, 429, connection reset, no answer). */
  retries?: number;
  /** How long one attempt may take, reading the body included (30 s); all attempts together get twice that. */
  timeoutMs?: number;
}

/** `response`: the server answered 2xx with something that is not what Logto answers (HTML, null, an item without ID). */
export type LogtoErrorKind = 'network' | 'tls' | 'oauth' | 'http' | 'response';

/** A failed call. The message never holds a credential: it names the request, the status and Logto's code. */
export class LogtoApiError extends Error {
  override name = 'LogtoApiError';
  constructor(
    readonly kind: LogtoErrorKind,
    readonly request: string,
    message: string,
    readonly status?: number,
    /** Logto's error code (`entity.unique_integrity_violation`) or the OAuth error (`invalid_client`). */
    readonly code?: string,
    /** The low-level cause code, e.g. ECONNREFUSED or DEPTH_ZERO_SELF_SIGNED_CERT. */
    readonly causeCode?: string,
  ) {
    super(message);
  }
}

const ACCESS_TOKEN = { tokenTypePath: 'access-token' } as const;
const PAGE_SIZE = 100;
/** 10,000 items: far more than a tenant has, few enough that a server that pages forever is stopped soon. */
const MAX_PAGES = 100;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** An error answer is only read for its code and message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|EPROTO|ERR_SSL/;
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']);

// What each answer must hold: the fields this CLI reads, as Logto documents them. Other fields pass
// (loose objects), so a newer Logto that adds fields is fine; a server that answers HTML, null, or an item
// without an ID is stopped here instead of failing later with a TypeError.
const id = v.pipe(v.string(), v.nonEmpty());
const uris = v.array(v.string());
const Shape = {
  token: v.looseObject({ access_token: v.pipe(v.string(), v.nonEmpty()) }),
  resource: v.looseObject({ id, name: v.string(), indicator: v.string() }),
  scope: v.looseObject({ id, name: v.string() }),
  role: v.looseObject({ id, name: v.string(), type: v.string(), isDefault: v.boolean() }),
  application: v.looseObject({
    id,
    name: v.string(),
    type: v.string(),
    isThirdParty: v.boolean(),
    oidcClientMetadata: v.looseObject({ redirectUris: uris, postLogoutRedirectUris: uris }),
    secret: v.optional(v.string()),
    customData: v.optional(v.looseObject({})),
  }),
  secret: v.looseObject({ value: v.pipe(v.string(), v.nonEmpty()), expiresAt: v.nullable(v.number()) }),
  consentScopes: v.looseObject({
    userScopes: v.array(v.string()),
    resourceScopes: v.array(v.looseObject({ scopes: v.array(v.looseObject({ id })) })),
  }),
  signInExperience: v.looseObject({
    branding: v.optional(v.looseObject({ logoUrl: v.optional(v.string()) })),
    termsOfUseUrl: v.nullish(v.string()),
    privacyPolicyUrl: v.nullish(v.string()),
    displayName: v.nullish(v.string()),
  }),
  cimdConfig: v.looseObject({ enabled: v.boolean() }),
  user: v.looseObject({
    id,
    username: v.nullable(v.string()),
    primaryEmail: v.nullable(v.string()),
    customData: v.optional(v.looseObject({})),
  }),
  // Logto's guard makes every field optional (jwtCustomizerGuard is partial); a stored one has a script.
  jwtCustomizer: v.looseObject({ script: v.optional(v.string()) }),
  /** For answers nothing is read from (204, or a body the CLI ignores): any JSON or none, but not HTML. */
  anything: v.unknown(),
};
type Schema = v.GenericSchema;
/** A list item: paging checks that a page does not repeat by its items' IDs. */
type ItemSchema = v.GenericSchema<unknown, { id: string }>;

export class ManagementApi {
  readonly #options: Required<Omit<ManagementApiOptions, 'appSecret'>>;
  #token?: string;

  /** Use `ManagementApi.connect`, which gets the token first. */
  private constructor(options: ManagementApiOptions) {
    this.#options = {
      endpoint: options.endpoint,
      resource: options.resource,
      appId: options.appId,
      fetch: options.fetch ?? globalThis.fetch,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      retries: options.retries ?? 3,
      timeoutMs: options.timeoutMs ?? 30_000,
    };
  }

  /** Gets a client-credentials token for the Management API (`scope=all`). The secret is used once and not kept. */
  static async connect(options: ManagementApiOptions): Promise<ManagementApi> {
    const api = new ManagementApi(options);
    const basic = Buffer.from(`${encodeURIComponent(options.appId)}:${encodeURIComponent(options.appSecret)}`).toString(
      'base64',
    );
    const body = new URLSearchParams({ grant_type: 'client_credentials', resource: options.resource, scope: 'all' });
    const label = 'POST /oidc/token';
    const reply = await api.#exchange('POST', `${options.endpoint}/oidc/token`, label, {
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    if (!reply.ok) {
      const error = textField(reply.text, 'error', 100);
      const description = textField(reply.text, 'error_description');
      throw new LogtoApiError(
        'oauth',
        label,
        `${error ?? `HTTP ${reply.status}`}${description ? `: ${description}` : ''}`,
        reply.status,
        error,
      );
    }
    api.#token = parseAnswer(reply, label, Shape.token).access_token;
    return api;
  }

  // Resources and their scopes
  listResources = () => this.#listAll('/api/resources', {}, Shape.resource);
  createResource = (body: RequestBody<'post', '/api/resources'>) =>
    this.#call('post', '/api/resources', { body }, Shape.resource);
  deleteResource = (id: string) => this.#call('delete', '/api/resources/{id}', { path: { id } }, Shape.anything);
  listScopes = (resourceId: string) =>
    this.#listAll('/api/resources/{resourceId}/scopes', { path: { resourceId } }, Shape.scope);
  createScope = (resourceId: string, body: RequestBody<'post', '/api/resources/{resourceId}/scopes'>) =>
    this.#call('post', '/api/resources/{resourceId}/scopes', { path: { resourceId }, body }, Shape.scope);
  deleteScope = (resourceId: string, scopeId: string) =>
    this.#call(
      'delete',
      '/api/resources/{resourceId}/scopes/{scopeId}',
      { path: { resourceId, scopeId } },
      Shape.anything,
    );

  // Roles
  listRoles = () => this.#listAll('/api/roles', {}, Shape.role);
  getRole = (id: string) => this.#optional(this.#call('get', '/api/roles/{id}', { path: { id } }, Shape.role));
  createRole = (body: RequestBody<'post', '/api/roles'>) => this.#call('post', '/api/roles', { body }, Shape.role);
  updateRole = (id: string, body: RequestBody<'patch', '/api/roles/{id}'>) =>
    this.#call('patch', '/api/roles/{id}', { path: { id }, body }, Shape.role);
  deleteRole = (id: string) => this.#call('delete', '/api/roles/{id}', { path: { id } }, Shape.anything);
  listRoleScopes = (id: string) => this.#listAll('/api/roles/{id}/scopes', { path: { id } }, Shape.scope);
  listRoleUsers = (id: string) => this.#listAll('/api/roles/{id}/users', { path: { id } }, Shape.user);
  addRoleScopes = (id: string, scopeIds: string[]) =>
    this.#call('post', '/api/roles/{id}/scopes', { path: { id }, body: { scopeIds } }, Shape.anything);

  // Applications
  listApplications = () => this.#listAll('/api/applications', {}, Shape.application);
  getApplication = (id: string) =>
    this.#optional(this.#call('get', '/api/applications/{id}', { path: { id } }, Shape.application));
  createApplication = (body: RequestBody<'post', '/api/applications'>) =>
    this.#call('post', '/api/applications', { body }, Shape.application);
  updateApplication = (id: string, body: RequestBody<'patch', '/api/applications/{id}'>) =>
    this.#call('patch', '/api/applications/{id}', { path: { id }, body }, Shape.application);
  deleteApplication = (id: string) => this.#call('delete', '/api/applications/{id}', { path: { id } }, Shape.anything);
  listSecrets = (id: string) =>
    this.#call('get', '/api/applications/{id}/secrets', { path: { id } }, v.array(Shape.secret));
  createSecret = (id: string, name: string) =>
    this.#call('post', '/api/applications/{id}/secrets', { path: { id }, body: { name } }, Shape.secret);
  getConsentScopes = (applicationId: string) =>
    this.#call(
      'get',
      '/api/applications/{applicationId}/user-consent-scopes',
      { path: { applicationId } },
      Shape.consentScopes,
    );
  addConsentScopes = (applicationId: string, body: ConsentScopesInput) =>
    this.#call(
      'post',
      '/api/applications/{applicationId}/user-consent-scopes',
      { path: { applicationId }, body: nonEmpty(body) },
      Shape.anything,
    );
  getSignInExperience = (applicationId: string) =>
    this.#optional(
      this.#call(
        'get',
        '/api/applications/{applicationId}/sign-in-experience',
        { path: { applicationId } },
        Shape.signInExperience,
      ),
    );
  putSignInExperience = (applicationId: string, body: AppSignInExperienceInput) =>
    this.#call(
      'put',
      '/api/applications/{applicationId}/sign-in-experience',
      { path: { applicationId }, body },
      Shape.signInExperience,
    );

  // Users (packages/core/src/routes/admin-user/{search,basics,role}.ts): a search is `search.<field>=<value>` with
  // `mode.<field>=exact` (utils/search.ts); a new user's password is not checked against the sign-in password policy.
  findUsers = (field: 'username' | 'primaryEmail', value: string) =>
    this.#listAll(
      '/api/users',
      {},
      Shape.user,
      new URLSearchParams({ [`search.${field}`]: value, [`mode.${field}`]: 'exact' }).toString(),
    );
  createUser = (body: RequestBody<'post', '/api/users'>) => this.#call('post', '/api/users', { body }, Shape.user);
  deleteUser = (userId: string) => this.#call('delete', '/api/users/{userId}', { path: { userId } }, Shape.anything);
  listUserRoles = (userId: string) => this.#listAll('/api/users/{userId}/roles', { path: { userId } }, Shape.role);
  assignUserRoles = (userId: string, roleIds: string[]) =>
    this.#call('post', '/api/users/{userId}/roles', { path: { userId }, body: { roleIds } }, Shape.anything);

  // The access-token claims script (packages/core/src/routes/logto-config/jwt-customizer.ts): GET is null when there
  // is none (404); PUT creates or replaces it (201 or 200); PATCH merges the given fields into the stored ones (404
  // when none), so its environment variables and samples are kept; DELETE removes it (204). On Logto Cloud, PUT and
  // PATCH answer 403 subscription.limit_exceeded on plans without custom JWT claims (koaQuotaGuard customJwtEnabled).
  getAccessTokenClaims = () =>
    this.#optional(
      this.#call('get', '/api/configs/jwt-customizer/{tokenTypePath}', { path: ACCESS_TOKEN }, Shape.jwtCustomizer),
    );
  putAccessTokenClaims = (body: JwtCustomizerInput) =>
    this.#call('put', '/api/configs/jwt-customizer/{tokenTypePath}', { path: ACCESS_TOKEN, body }, Shape.jwtCustomizer);
  patchAccessTokenClaims = (body: RequestBody<'patch', '/api/configs/jwt-customizer/{tokenTypePath}'>) =>
    this.#call(
      'patch',
      '/api/configs/jwt-customizer/{tokenTypePath}',
      { path: ACCESS_TOKEN, body },
      Shape.jwtCustomizer,
    );
  deleteAccessTokenClaims = () =>
    this.#call('delete', '/api/configs/jwt-customizer/{tokenTypePath}', { path: ACCESS_TOKEN }, Shape.anything);

  // Client ID Metadata Documents ("dynamic apps", Logto 1.43+): null when this Logto has no such routes.
  getCimdConfig = () => this.#optional(this.#send<CimdConfig>('GET', '/api/configs/cimd', Shape.cimdConfig));
  updateCimdConfig = (body: CimdConfig) => this.#send<CimdConfig>('PATCH', '/api/configs/cimd', Shape.cimdConfig, body);
  getCimdConsentScopes = () =>
    this.#send<UserConsentScopes>('GET', '/api/cimd/user-consent-scopes', Shape.consentScopes);
  addCimdConsentScopes = (body: ConsentScopesInput) =>
    this.#send<void>('POST', '/api/cimd/user-consent-scopes', Shape.anything, nonEmpty(body));

  /** Resolves to null on 404, so "does it exist?" reads as a value. */
  async #optional<T>(call: Promise<T>): Promise<T | null> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof LogtoApiError && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * Every item of a paginated list, following `Total-Number` page by page. It stops at a short page, at
   * `Total-Number`, and fails on a page that repeats the previous one or past MAX_PAGES, so a server that
   * lies about the total cannot keep it paging forever.
   */
  async #listAll<P extends PathOf<'get'>>(
    path: P,
    init: Init<'get', P>,
    item: ItemSchema,
    query = '',
  ): Promise<ResponseBody<'get', P>> {
    const filled = fill(path, init.path);
    const label = `GET ${filled}`;
    const items: { id: string }[] = [];
    let previous = '';
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { body, total } = await this.#request<{ id: string }[]>(
        'GET',
        `${filled}?${query ? `${query}&` : ''}page=${page}&page_size=${PAGE_SIZE}`,
        v.array(item),
      );
      const ids = JSON.stringify(body.map((entry) => entry.id));
      if (ids === previous)
        throw new LogtoApiError(
          'response',
          label,
          `${label} answered page ${page} with the same items as page ${page - 1}`,
        );
      items.push(...body);
      if (body.length < PAGE_SIZE || total === undefined || items.length >= total)
        return items as unknown as ResponseBody<'get', P>;
      previous = ids;
    }
    throw new LogtoApiError(
      'response',
      label,
      `${label} answered more than ${MAX_PAGES} pages of ${PAGE_SIZE} items; stopped there`,
    );
  }

  /** One documented operation: `path` is the template (`/api/roles/{id}`), filled from `init.path`; `schema` checks the answer. */
  async #call<M extends Method, P extends PathOf<M>>(
    method: M,
    path: P,
    init: Init<M, P>,
    schema: Schema,
  ): Promise<ResponseBody<M, P>> {
    return this.#send(method.toUpperCase(), fill(path, init.path), schema, init.body);
  }

  async #send<T>(method: string, path: string, schema: Schema, body?: unknown): Promise<T> {
    return (await this.#request<T>(method, path, schema, body)).body;
  }

  async #request<T>(
    method: string,
    path: string,
    schema: Schema,
    body?: unknown,
  ): Promise<{ body: T; total?: number }> {
    const label = `${method} ${path.split('?')[0]}`;
    const reply = await this.#exchange(method, `${this.#options.endpoint}${path}`, label, {
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!reply.ok) {
      const message = textField(reply.text, 'message');
      const text = message ?? (reply.status === 404 ? 'not found' : `HTTP ${reply.status}`);
      throw new LogtoApiError('http', label, text, reply.status, textField(reply.text, 'code', 100));
    }
    return { body: parseAnswer(reply, label, schema) as T, total: totalNumber(reply, label) };
  }

  /**
   * One HTTP exchange, its body read, with bounded retries and exponential backoff. POSTs are retried only
   * on statuses a gateway sends before the request reaches Logto (429, 502-504), so a retry cannot create a
   * duplicate. Each attempt, body included, has `timeoutMs`; all attempts and waits together twice that.
   */
  async #exchange(
    method: string,
    url: string,
    label: string,
    init: { headers: Record<string, string>; body?: string },
  ): Promise<Reply> {
    const { retries, sleep, timeoutMs } = this.#options;
    const started = Date.now();
    const deadline = started + 2 * timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const signal = AbortSignal.timeout(Math.max(1, Math.min(timeoutMs, deadline - Date.now())));
      // Decided once an attempt has failed, so that the wait and the next attempt still fit before the deadline.
      const mayRetry = () => attempt < retries && Date.now() + backoff(attempt) < deadline;
      try {
        // Never followed: a redirect would carry the credentials, or the token, to wherever it points.
        const response = await this.#options.fetch(url, {
          method,
          headers: { accept: 'application/json', ...init.headers },
          body: init.body,
          signal,
          redirect: 'manual',
        });
        if (response.status >= 300 && response.status < 400) {
          void response.body?.cancel().catch(() => {});
          const location = printable(response.headers.get('location') ?? '(no Location)', 200);
          throw new LogtoApiError(
            'response',
            label,
            `${label} answered a redirect (${response.status}) to ${location}, which is not followed: give the Management API's own address with --management-endpoint`,
          );
        }
        const transient =
          method === 'POST'
            ? [429, 502, 503, 504].includes(response.status)
            : response.status >= 500 || response.status === 429;
        if (transient && mayRetry()) {
          void response.body?.cancel().catch(() => {});
        } else {
          const { text, complete } = await readBody(response, response.ok ? MAX_BODY_BYTES : MAX_ERROR_BODY_BYTES);
          if (!complete && response.ok)
            throw new LogtoApiError(
              'response',
              label,
              `${label} answered more than ${MAX_BODY_BYTES / 1024 / 1024} MB`,
            );
          return { status: response.status, ok: response.ok, headers: response.headers, text };
        }
      } catch (error) {
        if (error instanceof LogtoApiError) throw error;
        // A POST that got no answer may have been applied: only other methods are retried then.
        if (signal.aborted) {
          const failure = new LogtoApiError(
            'network',
            label,
            `${new URL(url).host}: no answer in ${seconds(Date.now() - started)}`,
            undefined,
            undefined,
            'TIMEOUT',
          );
          if (method === 'POST' || !mayRetry()) throw failure;
        } else {
          const failure = networkError(error, label, url);
          if (failure.kind !== 'network' || !TRANSIENT_NETWORK_CODES.has(failure.causeCode ?? '') || !mayRetry())
            throw failure;
        }
      }
      await sleep(backoff(attempt));
    }
  }
}

interface Reply {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
}

function backoff(attempt: number): number {
  return 500 * 2 ** attempt;
}

/** What an operation takes besides its path: path parameters and a JSON body, each exactly when documented. */
type Init<M extends Method, P extends PathOf<M>> = (PathParams<M, P> extends undefined
  ? { path?: undefined }
  : { path: PathParams<M, P> }) &
  ([RequestBody<M, P>] extends [never] ? { body?: undefined } : { body: RequestBody<M, P> });

/** `/api/roles/{id}/scopes` with `{ id: 'a b' }` → `/api/roles/a%20b/scopes`. */
function fill(template: string, params: unknown): string {
  const values = (params ?? {}) as Record<string, string>;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (values[name] === undefined) throw new Error(`missing path parameter ${name} for ${template}`);
    return encodeURIComponent(values[name]);
  });
}

/** Logto treats an empty list as "nothing"; we never send one (and the emulator refuses it). */
function nonEmpty(body: ConsentScopesInput): ConsentScopesInput {
  return Object.fromEntries(Object.entries(body).filter(([, list]) => list && list.length > 0));
}

/** The body as text, at most `limit` bytes of it: a body that never ends cannot fill the memory. */
async function readBody(response: Response, limit: number): Promise<{ text: string; complete: boolean }> {
  if (!response.body) return { text: '', complete: true };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: Buffer.concat(chunks).toString('utf8'), complete: true };
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      return { text: Buffer.concat(chunks).toString('utf8'), complete: false };
    }
    chunks.push(value);
  }
}

function parseJson(text: string): { json?: unknown; valid: boolean } {
  if (text.trim() === '') return { valid: true };
  try {
    return { json: JSON.parse(text), valid: true };
  } catch {
    return { valid: false };
  }
}

/** A text field of an error answer (`message`, `error_description`), made safe to print; undefined when absent. */
function textField(text: string, name: string, maxLength?: number): string | undefined {
  const { json } = parseJson(text);
  const value = json && typeof json === 'object' ? (json as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value !== '' ? printable(value, maxLength) : undefined;
}

/** The JSON body of a 2xx answer, checked against `schema`; a `response` error saying what is wrong otherwise. */
function parseAnswer<S extends Schema>(reply: Reply, label: string, schema: S): v.InferOutput<S> {
  const { json, valid } = parseJson(reply.text);
  if (!valid) {
    const html = /html/i.test(reply.headers.get('content-type') ?? '') || reply.text.trimStart().startsWith('<');
    throw new LogtoApiError('response', label, `${label} answered ${html ? 'HTML' : 'text'}, not JSON`);
  }
  const result = v.safeParse(schema, json);
  if (!result.success)
    throw new LogtoApiError('response', label, `${label} answered ${describeIssue(result.issues[0])}`);
  return result.output;
}

/** `Total-Number`, the count of all items of a list; undefined when absent. */
function totalNumber(reply: Reply, label: string): number | undefined {
  const header = reply.headers.get('total-number');
  if (header === null) return undefined;
  if (!/^\d{1,15}$/.test(header.trim()))
    throw new LogtoApiError(
      'response',
      label,
      `${label} answered Total-Number "${printable(header, 40)}", not a count`,
    );
  return Number(header);
}

/** `null, not a list`, `a list whose item 3 has no id`, `an object whose oidcClientMetadata.redirectUris[0] is a number, not a string`. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = issue.path ?? [];
  if (path.length === 0) return `${kindOf(issue.input)}, not ${expected(issue)}`;
  const answer = kindOf(path[0]!.input);
  const last = path.at(-1)!;
  if (issue.received === 'undefined' && last.type === 'object') {
    const owner = pathText(path.slice(0, -1));
    return `${answer} ${owner ? `whose ${owner} has` : 'with'} no ${printable(String(last.key), 40)}`;
  }
  const problem = issue.type === 'non_empty' ? 'is empty' : `is ${kindOf(issue.input)}, not ${expected(issue)}`;
  return `${answer} whose ${pathText(path)} ${problem}`;
}

/** `item 3's oidcClientMetadata.redirectUris[0]` (items counted from 1, as a person counts). */
function pathText(path: readonly v.IssuePathItem[]): string {
  return path
    .map((step, index) => {
      const key = printable(String(step.key), 40);
      if (step.type === 'array') return index === 0 ? `item ${Number(step.key) + 1}` : `[${key}]`;
      if (index === 0) return key;
      return index === 1 && path[0]!.type === 'array' ? `'s ${key}` : `.${key}`;
    })
    .join('');
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function expected(issue: v.BaseIssue<unknown>): string {
  const names: Record<string, string> = {
    array: 'a list',
    loose_object: 'an object',
    string: 'a string',
    boolean: 'a boolean',
    number: 'a number',
  };
  return names[issue.type] ?? printable(issue.expected ?? issue.type, 40);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function networkError(error: unknown, label: string, url: string): LogtoApiError {
  // undici wraps the socket error: TypeError('fetch failed', { cause: { code, message } }).
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  const reason = printable(cause?.message ?? (error as Error)?.message ?? String(error), 200);
  const host = new URL(url).host;
  const kind = code && TLS_CODES.test(code) ? 'tls' : /certificate|ssl|tls/i.test(reason) ? 'tls' : 'network';
  return new LogtoApiError(
    kind,
    label,
    `${host}: ${reason}${code && !reason.includes(code) ? ` (${code})` : ''}`,
    undefined,
    undefined,
    code,
  );
}
