import { existsSync, readFileSync } from 'node:fs';

export interface Config {
  /** The Logto issuer, e.g. `https://abc123.logto.app/oidc`; tokens' `iss` must equal it. */
  issuer: string;
  /** The public URL of the MCP endpoint: the Logto API resource indicator and the tokens' `aud`, byte for byte. */
  resource: string;
  /** The path the MCP endpoint is served at, taken from `resource`. */
  mcpPath: string;
  /** Scopes every token must carry. */
  requiredScopes: string[];
  /** The scopes each tool needs besides the required ones, from tool-scopes.json (tool name -> scopes). */
  toolScopes: Record<string, string[]>;
  /** What clients are told to request at sign-in: `openid profile email` and the required scopes (never empty: Logto denies a request for no scope). */
  signInScopes: string[];
  /** Every scope the server knows: the sign-in scopes and every tool's (the metadata's `scopes_supported`). */
  scopesSupported: string[];
  port: number;
  host: string;
  /** Browser origins allowed to call the MCP endpoint besides the resource's own origin and loopback. */
  allowedOrigins: string[];
  /** Whether tokens issued to an application itself (client credentials: no user) are accepted. */
  allowMachineTokens: boolean;
  /** Name and version of this server (from package.json). */
  name: string;
  version: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What Logto's guide for third-party apps requests; `openid` is required by Logto to authorize at all. */
const BASE_SCOPES = ['openid', 'profile', 'email'];
/** OpenID Connect scopes: Logto grants them itself; they are never scopes of this API resource. */
const OIDC_SCOPES = [...BASE_SCOPES, 'phone', 'address', 'offline_access'];
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/; // MCP tool names
/** Which scopes each tool needs: read here at start-up, and by `create-logto-mcp register`, which creates them in Logto. */
export const TOOL_SCOPES_FILE = new URL('../tool-scopes.json', import.meta.url);
const ORIGIN = /^[a-z][a-z\d+.-]*:\/\/[^/?#\s]+$/i;
/** Loopback host names: plain http is acceptable to them, and the MCP endpoint always answers to them. */
export const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** Loads `.env` from the working directory when present; variables already set in the environment win. */
export function loadEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** Reads and validates the configuration; throws a `ConfigError` naming the offending variable or file. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  toolScopes = readToolScopes(),
): Config {
  const issuer = httpUrl(env, 'LOGTO_ISSUER');
  // The signing keys come from the issuer: over plain HTTP anyone on the way could swap them.
  if (new URL(issuer).protocol === 'http:' && !LOOPBACK.includes(new URL(issuer).hostname)) {
    throw new ConfigError(
      `LOGTO_ISSUER must be an https URL (http only for localhost, 127.0.0.1 or [::1]), got ${JSON.stringify(issuer)}`,
    );
  }
  const resource = httpUrl(env, 'MCP_RESOURCE');
  const requiredScopes = list(env.MCP_REQUIRED_SCOPES);
  for (const scope of requiredScopes) {
    if (!SCOPE_TOKEN.test(scope))
      throw new ConfigError(`MCP_REQUIRED_SCOPES: ${JSON.stringify(scope)} is not a valid scope`);
    if (scope === 'offline_access')
      throw new ConfigError('MCP_REQUIRED_SCOPES: offline_access is not a resource scope');
  }
  const signInScopes = [...new Set([...BASE_SCOPES, ...requiredScopes])];
  const allowedOrigins = list(env.MCP_ALLOWED_ORIGINS).map((origin) => {
    const trimmed = origin.replace(/\/$/, '');
    if (!ORIGIN.test(trimmed))
      throw new ConfigError(
        `MCP_ALLOWED_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://app.example.com`,
      );
    return trimmed.toLowerCase();
  });
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };

  return {
    issuer,
    resource,
    mcpPath: new URL(resource).pathname.replace(/(.)\/$/, '$1'),
    requiredScopes,
    toolScopes,
    signInScopes,
    scopesSupported: [...new Set([...signInScopes, ...Object.values(toolScopes).flat()])],
    port: port(env.PORT),
    // Loopback only by default: nothing on the network can reach a development server by accident.
    host: env.HOST?.trim() || '127.0.0.1',
    allowedOrigins,
    allowMachineTokens: flag(env, 'MCP_ALLOW_MACHINE_TOKENS'),
    name: pkg.name,
    version: pkg.version,
  };
}

/** Reads tool-scopes.json; throws a `ConfigError` when it is missing or invalid. */
export function readToolScopes(file: URL = TOOL_SCOPES_FILE): Record<string, string[]> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `tool-scopes.json: cannot read it (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return parseToolScopes(value);
}

/** `{ "tools": { "<tool>": ["<scope>", ...] } }`: each scope an RFC 6749 scope token, never an OpenID Connect scope. */
export function parseToolScopes(value: unknown): Record<string, string[]> {
  const tools = (value as { tools?: unknown } | null)?.tools;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof tools !== 'object' ||
    tools === null ||
    Array.isArray(tools)
  ) {
    throw new ConfigError(
      'tool-scopes.json must be an object like {"tools": {"whoami": [], "greet": ["greet:write"]}}',
    );
  }
  const result: Array<[string, string[]]> = [];
  for (const [tool, scopes] of Object.entries(tools)) {
    if (!TOOL_NAME.test(tool))
      throw new ConfigError(`tool-scopes.json: ${JSON.stringify(tool)} is not a tool name (letters, digits, _ . -)`);
    if (!Array.isArray(scopes))
      throw new ConfigError(`tool-scopes.json: the scopes of ${tool} must be an array of strings`);
    for (const scope of scopes) {
      if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope))
        throw new ConfigError(`tool-scopes.json: ${JSON.stringify(scope)} (tool ${tool}) is not a valid scope`);
      if (OIDC_SCOPES.includes(scope))
        throw new ConfigError(
          `tool-scopes.json: ${scope} (tool ${tool}) is an OpenID Connect scope, not a scope of this API resource`,
        );
    }
    result.push([tool, [...new Set(scopes as string[])]]);
  }
  return Object.fromEntries(result);
}

function httpUrl(env: Record<string, string | undefined>, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is required (see .env.example)`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got ${JSON.stringify(value)}`);
  }
  // Not echoed: the value holds a password.
  if (url.username || url.password) throw new ConfigError(`${name} must not contain credentials (user:password@)`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  if (/[?#]/.test(value))
    throw new ConfigError(`${name} must not have a query or fragment, got ${JSON.stringify(value)}`);
  return value;
}

function flag(env: Record<string, string | undefined>, name: string): boolean {
  const value = env[name]?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

/** Space-separated (commas are accepted too). */
function list(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

function port(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3001;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`PORT must be a port number, got ${JSON.stringify(value)}`);
  return n;
}
