// Verifies Logto access tokens (JWTs) locally against the issuer's signing keys.
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';

// Logto signs with ES384 by default, RS256 on RSA tenants. Never HMAC or `none`.
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256'];
const CLOCK_TOLERANCE_SECONDS = 5;
// Verifying an ES384 signature costs about as much as serving the MCP request, so verified tokens are remembered.
const CACHE_SIZE = 1000;

export function createVerifier(config: Config): TokenVerifier {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const getKeys = () => {
    keys ??= discoverKeys(config.issuer).catch((error: unknown) => {
      keys = undefined; // retry on the next request
      throw error;
    });
    return keys;
  };
  const verified = new Map<string, AuthInfo>(); // key: SHA-256 of the token

  return {
    async ready() {
      await (await getKeys()).reload();
    },

    async verifyAccessToken(token) {
      const key = createHash('sha256').update(token).digest('base64url');
      const cached = verified.get(key);
      if (cached && cached.expiresAt! > Date.now() / 1000) return cached;
      verified.delete(key);

      const jwks = await getKeys();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: config.issuer,
          audience: config.resource,
          typ: 'at+jwt', // RFC 9068: an ID token signed by the same keys is not an access token
          algorithms: ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw invalidToken(error);
      }

      const authInfo: AuthInfo = {
        token,
        clientId: typeof payload.client_id === 'string' ? payload.client_id : '',
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        expiresAt: payload.exp,
        resource: new URL(config.resource),
        extra: { claims: payload },
      };
      if (verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(key, authInfo);
      return authInfo;
    },
  };
}

/** Reads `jwks_uri` from the issuer's discovery document, whose `issuer` must be LOGTO_ISSUER exactly. */
async function discoverKeys(issuer: string) {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch((error: Error) => {
    throw new Error(`Cannot reach ${url}: ${error.cause instanceof Error ? error.cause.message : error.message}`);
  });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const discovery = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (discovery.issuer !== issuer) {
    throw new Error(`${url} names the issuer ${JSON.stringify(discovery.issuer)}, but LOGTO_ISSUER is ${JSON.stringify(issuer)}: they must be equal`);
  }
  if (typeof discovery.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
  // Cached; refetched when a token names an unknown key, at most once per cooldown (30 s).
  return createRemoteJWKSet(new URL(discovery.jwks_uri));
}

const CLAIM_ERRORS: Record<string, string> = {
  aud: 'was not issued for MCP_RESOURCE (aud)',
  iss: 'was not issued by LOGTO_ISSUER (iss)',
  nbf: 'is not valid yet (nbf)',
  exp: 'has no valid expiry (exp)',
  typ: 'is not an access token (typ must be at+jwt)',
};

/** Maps a jose rejection of the token to `invalid_token`; anything else (issuer unreachable, ...) passes through. */
function invalidToken(error: unknown): unknown {
  if (!(error instanceof errors.JOSEError) || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return error;
  if (error instanceof errors.JWTExpired) return new OAuthError(OAuthErrorCode.InvalidToken, 'The token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = CLAIM_ERRORS[error.claim] ?? `has an invalid ${error.claim} claim`;
    return new OAuthError(OAuthErrorCode.InvalidToken, `The token ${reason}`);
  }
  return new OAuthError(OAuthErrorCode.InvalidToken, 'The token is invalid');
}
