// A small client for the parts of the Logto Management API that registration needs. Paths, methods, bodies
// and responses are typed by the official @logto/api description (api-types.ts), so `tsc` refuses a request
// Logto does not document. Only the Client ID Metadata Document routes (Logto 1.43+) are typed here by hand:
// @logto/api 1.42, the latest, does not describe them yet.
import type { ListItem, Method, PathOf, PathParams, RequestBody, ResponseBody } from './api-types.js';

export type Resource = ListItem<'/api/resources'>;
export type Scope = ListItem<'/api/resources/{resourceId}/scopes'>;
export type Role = ListItem<'/api/roles'>;
export type Application = ListItem<'/api/applications'>;
export type ApplicationType = Application['type'];
export type OidcClientMetadata = Application['oidcClientMetadata'];
export type ApplicationSecret = ListItem<'/api/applications/{id}/secrets'>;
export type UserConsentScopes = ResponseBody<'get', '/api/applications/{applicationId}/user-consent-scopes'>;
export type ConsentScopesInput = RequestBody<'post', '/api/applications/{applicationId}/user-consent-scopes'>;
/** One of the OIDC user scopes an app's consent list may hold (`profile`, `email`, ...). */
export type UserScope = NonNullable<ConsentScopesInput['userScopes']>[number];
export type AppSignInExperience = ResponseBody<'get', '/api/applications/{applicationId}/sign-in-experience'>;
export type AppSignInExperienceInput = RequestBody<'put', '/api/applications/{applicationId}/sign-in-experience'>;

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
  /** Retries after the first attempt for a transient failure (5xx, 429, connection reset). */
  retries?: number;
}

export type LogtoErrorKind = 'network' | 'tls' | 'oauth' | 'http';

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

const PAGE_SIZE = 100;
const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|EPROTO|ERR_SSL/;
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']);

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
    };
  }

  /** Gets a client-credentials token for the Management API (`scope=all`). The secret is used once and not kept. */
  static async connect(options: ManagementApiOptions): Promise<ManagementApi> {
    const api = new ManagementApi(options);
    const basic = Buffer.from(`${encodeURIComponent(options.appId)}:${encodeURIComponent(options.appSecret)}`).toString('base64');
    const body = new URLSearchParams({ grant_type: 'client_credentials', resource: options.resource, scope: 'all' });
    const response = await api.#exchange('POST', `${options.endpoint}/oidc/token`, 'POST /oidc/token', {
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const json = (await readJson(response)) as { access_token?: string; error?: string; error_description?: string } | undefined;
    if (!response.ok || !json?.access_token) {
      const error = json?.error ?? `HTTP ${response.status}`;
      const detail = json?.error_description ? `: ${json.error_description}` : '';
      throw new LogtoApiError('oauth', 'POST /oidc/token', `${error}${detail}`, response.status, json?.error);
    }
    api.#token = json.access_token;
    return api;
  }

  // Resources and their scopes
  listResources = () => this.#listAll('/api/resources', {});
  createResource = (body: RequestBody<'post', '/api/resources'>) => this.#call('post', '/api/resources', { body });
  deleteResource = (id: string) => this.#call('delete', '/api/resources/{id}', { path: { id } });
  listScopes = (resourceId: string) => this.#listAll('/api/resources/{resourceId}/scopes', { path: { resourceId } });
  createScope = (resourceId: string, body: RequestBody<'post', '/api/resources/{resourceId}/scopes'>) =>
    this.#call('post', '/api/resources/{resourceId}/scopes', { path: { resourceId }, body });
  deleteScope = (resourceId: string, scopeId: string) => this.#call('delete', '/api/resources/{resourceId}/scopes/{scopeId}', { path: { resourceId, scopeId } });

  // Roles
  listRoles = () => this.#listAll('/api/roles', {});
  createRole = (body: RequestBody<'post', '/api/roles'>) => this.#call('post', '/api/roles', { body });
  updateRole = (id: string, body: RequestBody<'patch', '/api/roles/{id}'>) => this.#call('patch', '/api/roles/{id}', { path: { id }, body });
  deleteRole = (id: string) => this.#call('delete', '/api/roles/{id}', { path: { id } });
  listRoleScopes = (id: string) => this.#listAll('/api/roles/{id}/scopes', { path: { id } });
  addRoleScopes = (id: string, scopeIds: string[]) => this.#call('post', '/api/roles/{id}/scopes', { path: { id }, body: { scopeIds } });

  // Applications
  listApplications = () => this.#listAll('/api/applications', {});
  getApplication = (id: string) => this.#optional(this.#call('get', '/api/applications/{id}', { path: { id } }));
  createApplication = (body: RequestBody<'post', '/api/applications'>) => this.#call('post', '/api/applications', { body });
  updateApplication = (id: string, body: RequestBody<'patch', '/api/applications/{id}'>) =>
    this.#call('patch', '/api/applications/{id}', { path: { id }, body });
  deleteApplication = (id: string) => this.#call('delete', '/api/applications/{id}', { path: { id } });
  listSecrets = (id: string) => this.#call('get', '/api/applications/{id}/secrets', { path: { id } });
  createSecret = (id: string, name: string) => this.#call('post', '/api/applications/{id}/secrets', { path: { id }, body: { name } });
  getConsentScopes = (applicationId: string) =>
    this.#call('get', '/api/applications/{applicationId}/user-consent-scopes', { path: { applicationId } });
  addConsentScopes = (applicationId: string, body: ConsentScopesInput) =>
    this.#call('post', '/api/applications/{applicationId}/user-consent-scopes', { path: { applicationId }, body: nonEmpty(body) });
  getSignInExperience = (applicationId: string) =>
    this.#optional(this.#call('get', '/api/applications/{applicationId}/sign-in-experience', { path: { applicationId } }));
  putSignInExperience = (applicationId: string, body: AppSignInExperienceInput) =>
    this.#call('put', '/api/applications/{applicationId}/sign-in-experience', { path: { applicationId }, body });

  // Client ID Metadata Documents ("dynamic apps", Logto 1.43+): null when this Logto has no such routes.
  getCimdConfig = () => this.#optional(this.#send<CimdConfig>('GET', '/api/configs/cimd'));
  updateCimdConfig = (body: CimdConfig) => this.#send<CimdConfig>('PATCH', '/api/configs/cimd', body);
  getCimdConsentScopes = () => this.#send<UserConsentScopes>('GET', '/api/cimd/user-consent-scopes');
  addCimdConsentScopes = (body: ConsentScopesInput) => this.#send<void>('POST', '/api/cimd/user-consent-scopes', nonEmpty(body));

  /** Resolves to null on 404, so "does it exist?" reads as a value. */
  async #optional<T>(call: Promise<T>): Promise<T | null> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof LogtoApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** Every item of a paginated list, following `Total-Number` page by page. */
  async #listAll<P extends PathOf<'get'>>(path: P, init: Init<'get', P>): Promise<ResponseBody<'get', P>> {
    const items: unknown[] = [];
    for (let page = 1; ; page++) {
      const { body, total } = await this.#request<unknown[]>('GET', `${fill(path, init.path)}?page=${page}&page_size=${PAGE_SIZE}`);
      items.push(...body);
      if (body.length === 0 || total === undefined || items.length >= total) return items as unknown as ResponseBody<'get', P>;
    }
  }

  /** One documented operation: `path` is the template (`/api/roles/{id}`), filled from `init.path`. */
  async #call<M extends Method, P extends PathOf<M>>(method: M, path: P, init: Init<M, P>): Promise<ResponseBody<M, P>> {
    return this.#send(method.toUpperCase(), fill(path, init.path), init.body);
  }

  async #send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.#request<T>(method, path, body)).body;
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<{ body: T; total?: number }> {
    const label = `${method} ${path.split('?')[0]}`;
    const response = await this.#exchange(method, `${this.#options.endpoint}${path}`, label, {
      headers: { authorization: `Bearer ${this.#token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await readJson(response);
    if (!response.ok) {
      const { code, message } = (json ?? {}) as { code?: string; message?: string };
      const text = message ?? (response.status === 404 ? 'not found' : `HTTP ${response.status}`);
      throw new LogtoApiError('http', label, text, response.status, code);
    }
    const total = response.headers.get('total-number');
    return { body: json as T, total: total === null ? undefined : Number(total) };
  }

  /**
   * One HTTP exchange with bounded retries and exponential backoff. POSTs are retried only on statuses a
   * gateway sends before the request reaches Logto (429, 502-504), so a retry cannot create a duplicate.
   */
  async #exchange(method: string, url: string, label: string, init: { headers: Record<string, string>; body?: string }): Promise<Response> {
    const { retries, sleep } = this.#options;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries;
      let response: Response;
      try {
        response = await this.#options.fetch(url, { method, headers: { accept: 'application/json', ...init.headers }, body: init.body });
      } catch (error) {
        const failure = networkError(error, label, url);
        if (last || failure.kind !== 'network' || !TRANSIENT_NETWORK_CODES.has(failure.causeCode ?? '')) throw failure;
        await sleep(backoff(attempt));
        continue;
      }
      const transient = method === 'POST' ? [429, 502, 503, 504].includes(response.status) : response.status >= 500 || response.status === 429;
      if (!transient || last) return response;
      await response.body?.cancel();
      await sleep(backoff(attempt));
    }
  }
}

function backoff(attempt: number): number {
  return 500 * 2 ** attempt;
}

/** What an operation takes besides its path: path parameters and a JSON body, each exactly when documented. */
type Init<M extends Method, P extends PathOf<M>> = (PathParams<M, P> extends undefined ? { path?: undefined } : { path: PathParams<M, P> }) &
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

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function networkError(error: unknown, label: string, url: string): LogtoApiError {
  // undici wraps the socket error: TypeError('fetch failed', { cause: { code, message } }).
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  const reason = cause?.message ?? (error as Error)?.message ?? String(error);
  const host = new URL(url).host;
  const kind = code && TLS_CODES.test(code) ? 'tls' : /certificate|ssl|tls/i.test(reason) ? 'tls' : 'network';
  return new LogtoApiError(kind, label, `${host}: ${reason}${code && !reason.includes(code) ? ` (${code})` : ''}`, undefined, undefined, code);
}
