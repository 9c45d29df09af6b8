// Framework-neutral pieces of the OAuth resource server: the protected-resource metadata (RFC 9728)
// and the bearer-token gate (RFC 6750) with the challenges MCP clients act on.
import { getOAuthProtectedResourceMetadataUrl, OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import type { AuthInfo, OAuthTokenVerifier, ScopeChallengeHandler } from '@modelcontextprotocol/server';
import { ConfigError } from './config.js';
import type { Config } from './config.js';

/**
 * Verifies access tokens. `verifyAccessToken` rejects a bad token with an `OAuthError` of code
 * `invalid_token`; any other error means the issuer could not be consulted (answered 503).
 * The verified claims are in `authInfo.extra.claims`, and who they stand for in `authInfo.extra.subjectType`.
 */
export interface TokenVerifier extends OAuthTokenVerifier {
  /** Fetches what verification needs from the issuer now, so a misconfiguration shows at start-up. */
  ready(): Promise<void>;
}

/** `user`: signed in as a user. `machine`: an application acting for itself (client credentials), with no user. */
export type SubjectType = 'user' | 'machine';

/** Logto's client-credentials tokens name the application as their subject (`sub` = `client_id`); user tokens name the user. */
export function subjectType(claims: { sub?: unknown; client_id?: unknown }): SubjectType {
  return typeof claims.sub === 'string' && claims.sub !== claims.client_id ? 'user' : 'machine';
}

export function protectedResourceMetadata(config: Config) {
  return {
    resource: config.resource,
    authorization_servers: [config.issuer],
    scopes_supported: config.scopesSupported,
    bearer_methods_supported: ['header'],
    resource_name: config.name,
  };
}

/** The metadata URL named in challenges: the resource's path inserted after the well-known prefix. */
export function metadataUrl(config: Config): string {
  return getOAuthProtectedResourceMetadataUrl(new URL(config.resource));
}

/** Paths the metadata is served at: the path-inserted one, and the root one for clients that only try that. */
export function metadataPaths(config: Config): string[] {
  return [...new Set([new URL(metadataUrl(config)).pathname, '/.well-known/oauth-protected-resource'])];
}

export type AuthOutcome =
  | { ok: true; authInfo: AuthInfo }
  | { ok: false; status: number; headers: Record<string, string>; body: { error: string; error_description: string } };

export async function authenticate(
  authorization: string | undefined,
  verifier: TokenVerifier,
  config: Config,
): Promise<AuthOutcome> {
  const token = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
  // RFC 6750 §3.1: no error code when the request carried no credentials at all.
  if (!token) return challenge(config, 401, undefined, 'Missing bearer token');

  let authInfo: AuthInfo;
  try {
    authInfo = await verifier.verifyAccessToken(token);
  } catch (error) {
    if (error instanceof OAuthError && error.code === OAuthErrorCode.InvalidToken)
      return challenge(config, 401, 'invalid_token', error.message);
    console.error(`Cannot verify tokens: ${error instanceof Error ? error.message : String(error)}`);
    return {
      ok: false,
      status: 503,
      headers: { 'Retry-After': '5' },
      body: { error: 'temporarily_unavailable', error_description: 'Token verification is unavailable' },
    };
  }

  // Without a required scope, any machine-to-machine app of the tenant can get a token for this resource.
  if (authInfo.extra?.subjectType !== 'user' && !config.allowMachineTokens) {
    return challenge(
      config,
      401,
      'insufficient_user_authentication',
      'The token was issued to an application, not a user (see MCP_ALLOW_MACHINE_TOKENS)',
    );
  }
  const missing = config.requiredScopes.filter((scope) => !authInfo.scopes.includes(scope));
  if (missing.length > 0) return challenge(config, 403, 'insufficient_scope', `Missing scope: ${missing.join(' ')}`);
  return { ok: true, authInfo: { ...authInfo, resourceMetadataUrl: metadataUrl(config) } };
}

/**
 * The step-up challenge of a tool that needs scopes of its own (tool-scopes.json), for `registerTool`'s
 * `scopeChallenge`. The SDK asks it before dispatching a `tools/call`, with the JSON-RPC body it has parsed
 * (2025-era clients send nothing else; 2026-07-28 clients also name the tool in `Mcp-Name`, which the SDK
 * checks against the body), and answers 403 `insufficient_scope` with `resource_metadata` (the URL
 * `authenticate()` stamps on the token) and, as `scope`, everything to request: the sign-in scopes and
 * the tool's, since Logto's new token carries only what is asked for. Throws at start-up for a tool that
 * tool-scopes.json does not list, so no tool escapes the declaration.
 */
export function toolScopeChallenge(config: Config, tool: string): ScopeChallengeHandler {
  const needed = config.toolScopes[tool];
  if (!Object.hasOwn(config.toolScopes, tool) || !needed)
    throw new ConfigError(
      `The tool ${tool} is not listed in tool-scopes.json; add it, with the scopes it needs ([] for none).`,
    );
  const scopes = [...new Set([...config.signInScopes, ...needed])] as [string, ...string[]];
  return ({ authInfo }) => {
    const missing = needed.filter((scope) => !authInfo?.scopes.includes(scope));
    if (missing.length === 0) return undefined;
    return { scopes, errorDescription: `The tool ${tool} needs the scope ${missing.join(' ')}` };
  };
}

type ChallengeError = 'invalid_token' | 'insufficient_scope' | 'insufficient_user_authentication'; // the last: RFC 9470

function challenge(
  config: Config,
  status: 401 | 403,
  error: ChallengeError | undefined,
  description: string,
): AuthOutcome {
  const params = error ? [`error="${error}"`, `error_description="${quoted(description)}"`] : [];
  params.push(`resource_metadata="${quoted(metadataUrl(config))}"`);
  // What to request at sign-in; not scopes_supported, which also lists every tool's scope: a client gets
  // those when it calls the tool (step-up), so the user consents to each only when it is needed.
  params.push(`scope="${config.signInScopes.join(' ')}"`);
  return {
    ok: false,
    status,
    headers: { 'WWW-Authenticate': `Bearer ${params.join(', ')}` },
    body: { error: error ?? 'invalid_token', error_description: description },
  };
}

function quoted(value: string): string {
  return value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, ' ');
}
