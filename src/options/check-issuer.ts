import { UsageError } from '../errors.js';

export type IssuerCheck =
  | { status: 'ok'; jwksUri: string }
  | { status: 'unreachable'; reason: string };

/**
 * Fetches the issuer's OpenID discovery document and checks that it names this exact issuer and has a
 * JWKS URI: the generated server trusts exactly that. An unreachable host is not fatal (scaffolding
 * offline is fine; the server checks again when it starts); a host that answers wrongly is.
 */
export async function checkIssuer(issuer: string, { timeoutMs = 5000 } = {}): Promise<IssuerCheck> {
  const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  // RFC 6761: names under .invalid never resolve, so no lookup is made for them.
  if (new URL(issuer).hostname.endsWith('.invalid')) return { status: 'unreachable', reason: 'the .invalid domain never resolves' };

  let response: Response;
  try {
    response = await fetch(discoveryUrl, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
  } catch (error) {
    return { status: 'unreachable', reason: describeFetchError(error) };
  }
  const hint = 'Check the issuer in Logto Console (Applications > your app > Issuer endpoint), or pass --skip-issuer-check.';
  if (!response.ok) throw new UsageError(`${discoveryUrl} answered HTTP ${response.status}: is ${issuer} a Logto issuer? ${hint}`);
  let metadata: { issuer?: unknown; jwks_uri?: unknown };
  try {
    metadata = (await response.json()) as typeof metadata;
  } catch {
    throw new UsageError(`${discoveryUrl} did not return JSON: is ${issuer} a Logto issuer? ${hint}`);
  }
  if (metadata.issuer !== issuer) {
    throw new UsageError(
      `The discovery document at ${discoveryUrl} names the issuer ${JSON.stringify(metadata.issuer)}, not ${JSON.stringify(issuer)}; ` +
        `tokens are checked against it exactly. ${typeof metadata.issuer === 'string' ? `Use --issuer ${metadata.issuer}.` : hint}`,
    );
  }
  if (typeof metadata.jwks_uri !== 'string') throw new UsageError(`The discovery document at ${discoveryUrl} has no jwks_uri. ${hint}`);
  return { status: 'ok', jwksUri: metadata.jwks_uri };
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
