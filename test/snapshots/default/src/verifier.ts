// Verifies Logto access tokens (JWTs) locally against the issuer's signing keys.
import { createHash } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { subjectType } from './auth.js';
import type { TokenVerifier } from './auth.js';
import type { Config } from './config.js';

// Logto signs with ES384 by default, RS256 on RSA tenants. Never HMAC or `none`.
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256'];
const CLOCK_TOLERANCE_SECONDS = 5;
// Logto's access tokens live 3600 s by default and at most 86400 s (set per API resource): a token
// issued longer ago, or meant to live longer, is not one Logto issued as configured.
const MAX_LIFETIME_SECONDS = 86_400;
// Verifying an ES384 signature costs about as much as serving the MCP request, so verified tokens are
// remembered: at most CACHE_SIZE of them, each until it expires but no longer than CACHE_SECONDS, so a
// key Logto has withdrawn stops being trusted soon.
export const CACHE_SIZE = 1000;
const CACHE_SECONDS = 300;
// After the issuer could not be reached, wait this long before asking again.
const DISCOVERY_RETRY_MS = 5000;

export function createVerifier(config: Config, { cacheSize = CACHE_SIZE } = {}): TokenVerifier {
  let keys: ReturnType<typeof discoverKeys> | undefined;
  let failure: { at: number; error: unknown } | undefined;
  const getKeys = async () => {
    if (!keys) {
      if (failure && Date.now() - failure.at < DISCOVERY_RETRY_MS) throw failure.error;
      keys = discoverKeys(config.issuer).catch((error: unknown) => {
        keys = undefined;
        failure = { at: Date.now(), error };
        throw error;
      });
    }
    return keys;
  };
  const verified = new Map<string, { authInfo: AuthInfo; until: number }>(); // key: SHA-256 of the token

  return {
    async ready() {
      await (await getKeys()).reload();
    },

    async verifyAccessToken(token) {
      const key = createHash('sha256').update(token).digest('base64url');
      const nowSeconds = Date.now() / 1000;
      const cached = verified.get(key);
      if (cached && cached.until > nowSeconds) return cached.authInfo;
      verified.delete(key);

      // A token that cannot be one of ours is refused without asking the issuer anything.
      checkHeader(token);
      const jwks = await getKeys();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: config.issuer,
          audience: config.resource,
          typ: 'at+jwt', // RFC 9068: an ID token signed by the same keys is not an access token
          algorithms: ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ['exp', 'sub', 'client_id'], // RFC 9068 §2.2; `iat` is required by maxTokenAge
          maxTokenAge: MAX_LIFETIME_SECONDS, // also requires `iat` (RFC 9068) and refuses it in the future
        }));
      } catch (error) {
        throw invalidToken(error);
      }
      if (payload.exp! - payload.iat! > MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS) {
        throw new OAuthError(OAuthErrorCode.InvalidToken, 'The token lives longer than 24 hours (exp - iat)');
      }
      // Logto issues one audience per token; one naming other audiences too could be replayed by them.
      if (Array.isArray(payload.aud) && payload.aud.length !== 1) {
        throw new OAuthError(OAuthErrorCode.InvalidToken, 'The token names other audiences besides MCP_RESOURCE (aud)');
      }

      const authInfo: AuthInfo = {
        token,
        clientId: typeof payload.client_id === 'string' ? payload.client_id : '',
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        expiresAt: payload.exp,
        resource: new URL(config.resource),
        extra: { claims: payload, subjectType: subjectType(payload) },
      };
      if (cacheSize > 0) {
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
        verified.set(key, { authInfo, until: Math.min(payload.exp!, nowSeconds + CACHE_SECONDS) });
      }
      return authInfo;
    },
  };
}

function checkHeader(token: string): void {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new OAuthError(OAuthErrorCode.InvalidToken, 'The token is not a JWT');
  }
  if (!ALGORITHMS.includes(String(header.alg)))
    throw new OAuthError(OAuthErrorCode.InvalidToken, `The token's algorithm ${String(header.alg)} is not accepted`);
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
    throw new Error(
      `${url} names the issuer ${JSON.stringify(discovery.issuer)}, but LOGTO_ISSUER is ${JSON.stringify(issuer)}: they must be equal`,
    );
  }
  if (typeof discovery.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
  // Cached; refetched when a token names an unknown key, at most once per cooldown (30 s), and once they are 10 minutes old.
  const remote = createRemoteJWKSet(new URL(discovery.jwks_uri));
  // jose refuses to use keys due for that refresh when the issuer cannot serve it: keep verifying with the keys we
  // have (an issuer outage must not stop the server), and ask again only after DISCOVERY_RETRY_MS.
  let refreshFailedAt = -Infinity;
  const keys: JWTVerifyGetKey = async (header, token) => {
    const known = remote.jwks();
    if (!known || remote.fresh) return remote(header, token);
    if (Date.now() - refreshFailedAt < DISCOVERY_RETRY_MS) return createLocalJWKSet(known)(header, token);
    try {
      return await remote(header, token);
    } catch (error) {
      if (BAD_TOKEN_ERRORS.some((type) => error instanceof type)) throw error;
      refreshFailedAt = Date.now();
      return createLocalJWKSet(known)(header, token);
    }
  };
  return Object.assign(keys, { reload: () => remote.reload() });
}

const CLAIM_ERRORS: Record<string, string> = {
  aud: 'was not issued for MCP_RESOURCE (aud)',
  iss: 'was not issued by LOGTO_ISSUER (iss)',
  nbf: 'is not valid yet (nbf)',
  exp: 'has no valid expiry (exp)',
  iat: 'has no valid issue time (iat)',
  typ: 'is not an access token (typ must be at+jwt)',
  sub: 'names no subject (sub)',
  client_id: 'names no client (client_id)',
};

/** jose's verdicts on the token itself; any other error (the issuer's keys could not be fetched, ...) is ours, not the token's. */
const BAD_TOKEN_ERRORS = [
  errors.JWSInvalid,
  errors.JWTInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
];

/** Maps a jose rejection of the token to `invalid_token`; anything else passes through and is answered 503. */
function invalidToken(error: unknown): unknown {
  if (error instanceof errors.JWTExpired) {
    return new OAuthError(
      OAuthErrorCode.InvalidToken,
      error.claim === 'iat' ? 'The token was issued more than 24 hours ago (iat)' : 'The token has expired',
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = CLAIM_ERRORS[error.claim] ?? `has an invalid ${error.claim} claim`;
    return new OAuthError(OAuthErrorCode.InvalidToken, `The token ${reason}`);
  }
  if (BAD_TOKEN_ERRORS.some((type) => error instanceof type))
    return new OAuthError(OAuthErrorCode.InvalidToken, 'The token is invalid');
  return error;
}
