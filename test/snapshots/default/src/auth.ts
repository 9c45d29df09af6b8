// Framework-neutral pieces of the OAuth resource server: the protected-resource metadata (RFC 9728)
// and the bearer-token gate (RFC 6750) with the challenges MCP clients act on.
import { getOAuthProtectedResourceMetadataUrl, OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import type { AuthInfo, OAuthTokenVerifier } from '@modelcontextprotocol/server';
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

export async function authenticate(authorization: string | undefined, verifier: TokenVerifier, config: Config): Promise<AuthOutcome> {
  const token = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
  // RFC 6750 §3.1: no error code when the request carried no credentials at all.
  if (!token) return challenge(config, 401, undefined, 'Missing bearer token');

  let authInfo: AuthInfo;
  try {
    authInfo = await verifier.verifyAccessToken(token);
  } catch (error) {
    if (error instanceof OAuthError && error.code === OAuthErrorCode.InvalidToken) return challenge(config, 401, 'invalid_token', error.message);
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
    return challenge(config, 401, 'insufficient_user_authentication', 'The token was issued to an application, not a user (see MCP_ALLOW_MACHINE_TOKENS)');
  }
  const missing = config.requiredScopes.filter((scope) => !authInfo.scopes.includes(scope));
  if (missing.length > 0) return challenge(config, 403, 'insufficient_scope', `Missing scope: ${missing.join(' ')}`);
  return { ok: true, authInfo: { ...authInfo, resourceMetadataUrl: metadataUrl(config) } };
}

type ChallengeError = 'invalid_token' | 'insufficient_scope' | 'insufficient_user_authentication'; // the last: RFC 9470

function challenge(config: Config, status: 401 | 403, error: ChallengeError | undefined, description: string): AuthOutcome {
  const params = error ? [`error="${error}"`, `error_description="${quoted(description)}"`] : [];
  params.push(`resource_metadata="${quoted(metadataUrl(config))}"`);
  // The scope to request; clients fall back to scopes_supported when it is absent.
  if (config.requiredScopes.length > 0) params.push(`scope="${config.scopesSupported.join(' ')}"`);
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
