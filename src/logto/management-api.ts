// A small typed client for the parts of the Logto Management API that registration needs.
// Shapes follow Logto's routes (packages/core/src/routes/...) and @logto/schemas; only the fields we use are typed.

export type ApplicationType = 'Native' | 'SPA' | 'Traditional' | 'MachineToMachine' | 'Protected' | 'SAML';

export interface Resource {
  id: string;
  name: string;
  indicator: string;
}

export interface Scope {
  id: string;
  resourceId: string;
  name: string;
  description: string | null;
}

export interface Role {
  id: string;
  name: string;
  description: string;
  type: 'User' | 'MachineToMachine';
  isDefault?: boolean;
}

export interface OidcClientMetadata {
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export interface Application {
  id: string;
  name: string;
  type: ApplicationType;
  isThirdParty: boolean;
  description: string | null;
  oidcClientMetadata: OidcClientMetadata;
  /** Only a legacy secret (Logto before 1.42 returned the secret here); see the secrets endpoint. */
  secret?: string;
}

export interface ApplicationSecret {
  name: string;
  value: string;
  expiresAt: number | null;
}

export interface UserConsentScopes {
  userScopes: string[];
  resourceScopes: Array<{ resource: { id: string; indicator: string }; scopes: Array<{ id: string; name: string }> }>;
}

export interface ConsentScopesInput {
  userScopes?: string[];
  resourceScopes?: string[];
}

export interface AppSignInExperience {
  branding?: { logoUrl?: string; darkLogoUrl?: string; favicon?: string; darkFavicon?: string };
  termsOfUseUrl?: string | null;
  privacyPolicyUrl?: string | null;
  displayName?: string | null;
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
    const response = await api.#send('POST', `${options.endpoint}/oidc/token`, 'POST /oidc/token', {
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
  listResources = () => this.#listAll<Resource>('/api/resources');
  createResource = (body: { name: string; indicator: string }) => this.#call<Resource>('POST', '/api/resources', body);
  deleteResource = (id: string) => this.#call<void>('DELETE', `/api/resources/${enc(id)}`);
  listScopes = (resourceId: string) => this.#listAll<Scope>(`/api/resources/${enc(resourceId)}/scopes`);
  createScope = (resourceId: string, body: { name: string; description: string }) =>
    this.#call<Scope>('POST', `/api/resources/${enc(resourceId)}/scopes`, body);
  deleteScope = (resourceId: string, scopeId: string) => this.#call<void>('DELETE', `/api/resources/${enc(resourceId)}/scopes/${enc(scopeId)}`);

  // Roles
  listRoles = () => this.#listAll<Role>('/api/roles');
  createRole = (body: { name: string; description: string; type: 'User'; isDefault?: boolean; scopeIds?: string[] }) =>
    this.#call<Role>('POST', '/api/roles', body);
  updateRole = (id: string, body: { isDefault?: boolean }) => this.#call<Role>('PATCH', `/api/roles/${enc(id)}`, body);
  deleteRole = (id: string) => this.#call<void>('DELETE', `/api/roles/${enc(id)}`);
  listRoleScopes = (roleId: string) => this.#listAll<Scope>(`/api/roles/${enc(roleId)}/scopes`);
  addRoleScopes = (roleId: string, scopeIds: string[]) => this.#call<Scope[]>('POST', `/api/roles/${enc(roleId)}/scopes`, { scopeIds });

  // Applications
  listApplications = () => this.#listAll<Application>('/api/applications');
  getApplication = (id: string) => this.#optional(this.#call<Application>('GET', `/api/applications/${enc(id)}`));
  createApplication = (body: {
    name: string;
    description: string;
    type: ApplicationType;
    isThirdParty: boolean;
    oidcClientMetadata: OidcClientMetadata;
  }) => this.#call<Application>('POST', '/api/applications', body);
  updateApplication = (id: string, body: { oidcClientMetadata: OidcClientMetadata }) =>
    this.#call<Application>('PATCH', `/api/applications/${enc(id)}`, body);
  deleteApplication = (id: string) => this.#call<void>('DELETE', `/api/applications/${enc(id)}`);
  listSecrets = (id: string) => this.#call<ApplicationSecret[]>('GET', `/api/applications/${enc(id)}/secrets`);
  createSecret = (id: string, name: string) => this.#call<ApplicationSecret>('POST', `/api/applications/${enc(id)}/secrets`, { name });
  getConsentScopes = (id: string) => this.#call<UserConsentScopes>('GET', `/api/applications/${enc(id)}/user-consent-scopes`);
  addConsentScopes = (id: string, body: ConsentScopesInput) =>
    this.#call<void>('POST', `/api/applications/${enc(id)}/user-consent-scopes`, nonEmpty(body));
  getSignInExperience = (id: string) =>
    this.#optional(this.#call<AppSignInExperience>('GET', `/api/applications/${enc(id)}/sign-in-experience`));
  putSignInExperience = (id: string, body: AppSignInExperience) =>
    this.#call<AppSignInExperience>('PUT', `/api/applications/${enc(id)}/sign-in-experience`, body);

  // Client ID Metadata Documents ("dynamic apps", Logto 1.43+): null when this Logto has no such routes.
  getCimdConfig = () => this.#optional(this.#call<{ enabled: boolean }>('GET', '/api/configs/cimd'));
  updateCimdConfig = (body: { enabled: boolean }) => this.#call<{ enabled: boolean }>('PATCH', '/api/configs/cimd', body);
  getCimdConsentScopes = () => this.#call<UserConsentScopes>('GET', '/api/cimd/user-consent-scopes');
  addCimdConsentScopes = (body: ConsentScopesInput) => this.#call<void>('POST', '/api/cimd/user-consent-scopes', nonEmpty(body));

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
  async #listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const { body, total } = await this.#request<T[]>('GET', `${path}?page=${page}&page_size=${PAGE_SIZE}`);
      items.push(...body);
      if (body.length === 0 || total === undefined || items.length >= total) return items;
    }
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.#request<T>(method, path, body)).body;
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<{ body: T; total?: number }> {
    const label = `${method} ${path.split('?')[0]}`;
    const response = await this.#send(method, `${this.#options.endpoint}${path}`, label, {
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
  async #send(method: string, url: string, label: string, init: { headers: Record<string, string>; body?: string }): Promise<Response> {
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

function enc(id: string): string {
  return encodeURIComponent(id);
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
