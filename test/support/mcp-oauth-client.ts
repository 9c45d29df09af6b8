/**
 * Drives a real MCP SDK client (v2 `@modelcontextprotocol/client` or v1 `@modelcontextprotocol/sdk`)
 * through the whole OAuth flow headlessly, as a desktop MCP client would with a browser:
 *
 *   POST /mcp → 401 → protected-resource metadata → authorization-server metadata →
 *   authorization request (code + PKCE + resource) → [the "browser": follow redirects with
 *   fetch and a cookie jar until the redirect to the client's loopback redirect_uri] →
 *   finishAuth(callback) → token → reconnect → tools/call whoami.
 *
 * Every request the SDK makes goes through a recording fetch, so a test can assert what the
 * client did (discovery URLs tried, scope requested, challenges seen) and not only the result.
 * Only loopback URLs are ever fetched: any other host makes the fetch throw before sending.
 */
import * as jose from 'jose';

import {
  Client as ClientV2,
  SSEClientTransport as SSEClientTransportV2,
  StreamableHTTPClientTransport as StreamableHTTPClientTransportV2,
  type OAuthClientProvider as OAuthClientProviderV2,
  type OAuthClientMetadata,
  type OAuthDiscoveryState,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as SSEClientTransportV1 } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientProvider as OAuthClientProviderV1 } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthTokens as OAuthTokensV1 } from '@modelcontextprotocol/sdk/shared/auth.js';

export type SdkVersion = 'v2' | 'v1';

export interface FetchRecord {
  method: string;
  url: string;
  status: number;
  /** `WWW-Authenticate` of the response, if any. */
  wwwAuthenticate?: string;
  /** Body of the request when it was form-encoded (token requests), for observations. */
  form?: Record<string, string>;
}

export interface AuthorizationRound {
  /** The authorization URL the SDK asked the "browser" to open. */
  authorizationUrl: URL;
  /** The URL the authorization server finally redirected to (client redirect_uri + query). */
  callbackUrl: URL;
  /** Every hop the browser followed (URL and status). */
  hops: Array<{ url: string; status: number }>;
}

export interface OAuthFlowObservations {
  sdk: SdkVersion;
  rounds: AuthorizationRound[];
  /** `scope` of the first authorization request (`undefined` when the client sent none). */
  requestedScope: string | undefined;
  /** `resource` of the first authorization request. */
  requestedResource: string | undefined;
  fetchLog: FetchRecord[];
  tokens?: { access_token: string; scope?: string; token_type: string; refresh_token?: string };
  tokenHeader?: jose.ProtectedHeaderParameters;
  tokenClaims?: jose.JWTPayload;
  /** Every tool call made, in order, with the `scope` of the token it was made with ('' for none) and whether it succeeded. */
  toolCalls: Array<{ name: string; ok: boolean; tokenScope: string | undefined }>;
}

export type OAuthFlowResult =
  | { ok: true; whoami: unknown; whoamiRaw: unknown; observations: OAuthFlowObservations }
  | { ok: false; error: Error; observations: OAuthFlowObservations };

export interface OAuthFlowOptions {
  sdk: SdkVersion;
  /** The client transport: Streamable HTTP (default), or the deprecated HTTP+SSE (`serverUrl` is then the stream's URL). */
  transport?: 'streamable-http' | 'sse';
  /** The MCP endpoint, exactly as a user would configure it in a client. */
  serverUrl: string;
  /** The pre-registered public client at the authorization server. */
  clientId: string;
  /** Loopback redirect URI; the port need not listen: the "browser" stops at the redirect. */
  redirectUri?: string;
  /** Tool to call once connected. */
  toolName?: string;
  /** Tools to call before it, on each connection (their outcomes are in `observations.toolCalls`). */
  callFirst?: string[];
  /** v2 only: speak the 2026-07-28 revision (server/discover, Mcp-Method and Mcp-Name headers) instead of the 2025 default. */
  modern?: boolean;
  /** How many times the browser step may run (step-up re-authorization needs 2). Default 2. */
  maxAuthorizationRounds?: number;
  /** Called before each browser step, e.g. to grant the user a role between rounds. */
  beforeAuthorization?: (round: number, authorizationUrl: URL) => void | Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function assertLoopback(url: string | URL): URL {
  const parsed = new URL(url);
  if (!LOOPBACK_HOSTS.has(parsed.hostname)) {
    throw new Error(`refusing to fetch a non-loopback URL in tests: ${parsed.href}`);
  }
  return parsed;
}

/** A fetch that only reaches loopback and records what it did. */
export function recordingFetch(log: FetchRecord[]): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    assertLoopback(request.url);
    let form: Record<string, string> | undefined;
    if (init?.body instanceof URLSearchParams) form = Object.fromEntries(init.body);
    else if (
      typeof init?.body === 'string' &&
      request.headers.get('content-type')?.includes('application/x-www-form-urlencoded')
    ) {
      form = Object.fromEntries(new URLSearchParams(init.body));
    }
    const response = await fetch(input, init);
    log.push({
      method: request.method,
      url: request.url,
      status: response.status,
      wwwAuthenticate: response.headers.get('www-authenticate') ?? undefined,
      form,
    });
    return response;
  };
}

/** Minimal cookie jar, per origin, enough for oidc-provider's interaction and session cookies. */
export class CookieJar {
  #cookies = new Map<string, Map<string, string>>();

  store(url: URL, response: Response): void {
    const jar = this.#cookies.get(url.origin) ?? new Map<string, string>();
    this.#cookies.set(url.origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', val = ''] = attribute.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  header(url: URL): string | undefined {
    const jar = this.#cookies.get(url.origin);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * The browser step: GET the authorization URL and follow redirects (manually, with cookies)
 * until one points at `redirectUri` (same origin and path; any port on loopback when the
 * registered URI has none). Returns that final URL without requesting it.
 */
export async function followAuthorization(
  authorizationUrl: URL,
  redirectUri: string,
  jar: CookieJar = new CookieJar(),
  maxHops = 20,
): Promise<Omit<AuthorizationRound, 'authorizationUrl'>> {
  const target = new URL(redirectUri);
  const hops: Array<{ url: string; status: number }> = [];
  let current = new URL(authorizationUrl);
  for (let hop = 0; hop < maxHops; hop++) {
    if (
      current.hostname === target.hostname &&
      current.pathname === target.pathname &&
      (!target.port || current.port === target.port)
    ) {
      return { callbackUrl: current, hops };
    }
    assertLoopback(current);
    const cookie = jar.header(current);
    const response = await fetch(current, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    jar.store(current, response);
    hops.push({ url: current.href, status: response.status });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      const body = await response.text();
      throw new Error(`authorization stopped at ${current.href}: HTTP ${response.status} ${body.slice(0, 500)}`);
    }
    await response.body?.cancel();
    current = new URL(location, current);
  }
  throw new Error(`authorization did not reach ${redirectUri} within ${maxHops} redirects`);
}

class HeadlessOAuthProvider {
  readonly rounds: AuthorizationRound[] = [];
  readonly jar = new CookieJar();
  savedTokens: StoredOAuthTokens | OAuthTokensV1 | undefined;
  #codeVerifier: string | undefined;
  #state: string | undefined;
  #discovery: OAuthDiscoveryState | undefined;

  constructor(
    private readonly clientId: string,
    private readonly redirect: string,
    private readonly maxRounds: number,
    private readonly beforeAuthorization?: OAuthFlowOptions['beforeAuthorization'],
  ) {}

  get redirectUrl(): string {
    return this.redirect;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'create-logto-mcp e2e client',
      redirect_uris: [this.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  state(): string {
    this.#state = crypto.randomUUID();
    return this.#state;
  }

  clientInformation(): { client_id: string } {
    return { client_id: this.clientId };
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.savedTokens;
  }

  saveTokens(tokens: StoredOAuthTokens | OAuthTokensV1): void {
    this.savedTokens = tokens;
  }

  saveCodeVerifier(verifier: string): void {
    this.#codeVerifier = verifier;
  }

  codeVerifier(): string {
    if (!this.#codeVerifier) throw new Error('no PKCE code verifier saved');
    return this.#codeVerifier;
  }

  // v2 (SEP-2352): bind the callback leg to the authorization server discovered at redirect time.
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.savedTokens = undefined;
    if (scope === 'all' || scope === 'verifier') this.#codeVerifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.#discovery = undefined;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    if (this.rounds.length >= this.maxRounds) {
      throw new Error(`authorization requested more than ${this.maxRounds} times: ${authorizationUrl.href}`);
    }
    await this.beforeAuthorization?.(this.rounds.length, authorizationUrl);
    const result = await followAuthorization(authorizationUrl, this.redirect, this.jar);
    const state = result.callbackUrl.searchParams.get('state');
    if (this.#state !== undefined && state !== this.#state) {
      throw new Error(`state mismatch in the authorization response: ${result.callbackUrl.href}`);
    }
    this.rounds.push({ authorizationUrl, ...result });
  }
}

function parseToolResult(result: unknown): unknown {
  const r = result as {
    structuredContent?: unknown;
    content?: Array<{ type: string; text?: string }>;
    isError?: boolean;
  };
  if (r.isError) throw new Error(`tool returned an error: ${JSON.stringify(result)}`);
  if (r.structuredContent !== undefined) return r.structuredContent;
  const text = r.content?.find((c) => c.type === 'text')?.text;
  if (text === undefined) return result;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Connect a real SDK client to `serverUrl`, authorize headlessly, and call `whoami`
 * (or `toolName`). Never throws for a flow failure: the error is in the result, with
 * everything observed up to that point.
 */
export async function runOAuthFlow(options: OAuthFlowOptions): Promise<OAuthFlowResult> {
  const redirectUri = options.redirectUri ?? 'http://127.0.0.1:53682/callback';
  const provider = new HeadlessOAuthProvider(
    options.clientId,
    redirectUri,
    options.maxAuthorizationRounds ?? 2,
    options.beforeAuthorization,
  );
  const fetchLog: FetchRecord[] = [];
  const loggedFetch = recordingFetch(fetchLog);
  const url = new URL(options.serverUrl);
  const toolName = options.toolName ?? 'whoami';

  const observations = (): OAuthFlowObservations => {
    const first = provider.rounds[0]?.authorizationUrl;
    const tokens = provider.savedTokens;
    let tokenHeader: jose.ProtectedHeaderParameters | undefined;
    let tokenClaims: jose.JWTPayload | undefined;
    if (tokens?.access_token && tokens.access_token.split('.').length === 3) {
      tokenHeader = jose.decodeProtectedHeader(tokens.access_token);
      tokenClaims = jose.decodeJwt(tokens.access_token);
    }
    return {
      sdk: options.sdk,
      rounds: provider.rounds,
      requestedScope: first?.searchParams.get('scope') ?? undefined,
      requestedResource: first?.searchParams.get('resource') ?? undefined,
      fetchLog,
      tokens,
      tokenHeader,
      tokenClaims,
      toolCalls,
    };
  };
  const toolCalls: OAuthFlowObservations['toolCalls'] = [];
  const tokenScope = () => {
    const token = (provider.savedTokens as { access_token?: string } | undefined)?.access_token;
    // '' for a JWT without a scope claim (oidc-provider leaves an empty one out).
    if (!token || token.split('.').length !== 3) return undefined;
    const { scope } = jose.decodeJwt(token);
    return typeof scope === 'string' ? scope : '';
  };
  /** Calls `callFirst`, then the tool; returns the last result. */
  const callTools = async (client: {
    callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  }) => {
    let raw: unknown;
    for (const name of [...(options.callFirst ?? []), toolName]) {
      const scope = tokenScope();
      try {
        raw = await client.callTool({ name, arguments: {} });
      } catch (error) {
        toolCalls.push({ name, ok: false, tokenScope: scope });
        throw error;
      }
      toolCalls.push({ name, ok: !(raw as { isError?: boolean }).isError, tokenScope: scope });
    }
    return raw;
  };

  const maxAttempts = (options.maxAuthorizationRounds ?? 2) + 1;
  try {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const roundsBefore = provider.rounds.length;
      if (options.sdk === 'v2') {
        const transportOptions = { authProvider: provider as unknown as OAuthClientProviderV2, fetch: loggedFetch };
        const transport =
          options.transport === 'sse'
            ? new SSEClientTransportV2(url, transportOptions)
            : new StreamableHTTPClientTransportV2(url, transportOptions);
        const client = new ClientV2(
          { name: 'create-logto-mcp-e2e', version: '0.0.0' },
          options.modern ? { versionNegotiation: { mode: 'auto' } } : {},
        );
        try {
          await client.connect(transport);
          const raw = await callTools(client);
          return { ok: true, whoami: parseToolResult(raw), whoamiRaw: raw, observations: observations() };
        } catch (error) {
          // Only an error that started a new authorization round is the client asking us to sign in.
          const round = provider.rounds.at(-1);
          if (!round || provider.rounds.length === roundsBefore) throw error;
          await transport.finishAuth(round.callbackUrl.searchParams);
        } finally {
          await client.close().catch(() => undefined);
        }
      } else {
        const transportOptions = { authProvider: provider as unknown as OAuthClientProviderV1, fetch: loggedFetch };
        const transport =
          options.transport === 'sse'
            ? new SSEClientTransportV1(url, transportOptions)
            : new StreamableHTTPClientTransportV1(url, transportOptions);
        const client = new ClientV1({ name: 'create-logto-mcp-e2e', version: '0.0.0' });
        try {
          await client.connect(transport);
          const raw = await callTools(client);
          return { ok: true, whoami: parseToolResult(raw), whoamiRaw: raw, observations: observations() };
        } catch (error) {
          const round = provider.rounds.at(-1);
          if (!round || provider.rounds.length === roundsBefore) throw error;
          const params = round.callbackUrl.searchParams;
          const code = params.get('code');
          if (!code) throw new Error(`authorization failed: ${round.callbackUrl.search}`);
          await transport.finishAuth(code);
        } finally {
          await client.close().catch(() => undefined);
        }
      }
    }
    throw new Error(`no successful connection after ${maxAttempts} attempts`);
  } catch (error) {
    return {
      ok: false,
      error: error instanceof Error ? error : new Error(String(error)),
      observations: observations(),
    };
  }
}
