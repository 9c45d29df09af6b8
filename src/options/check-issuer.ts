import { UsageError } from '../errors.js';
import { printable } from '../printable.js';
import { parseIssuer } from './create-options.js';

export type IssuerCheck = { status: 'ok'; jwksUri: string } | { status: 'unreachable'; reason: string };

/** A discovery document is a few kilobytes; an answer larger than this is not one. */
export const MAX_DISCOVERY_BYTES = 1024 * 1024;
const WELL_KNOWN = '/.well-known/openid-configuration';

/**
 * Fetches the issuer's OpenID discovery document and checks that it names this exact issuer and has a
 * JWKS URI: the generated server trusts exactly that. An unreachable host is not fatal (scaffolding
 * offline is fine; the server checks again when it starts); a host that answers wrongly is: a redirect,
 * an error status, an answer that is not a JSON object, too large, or not finished in time.
 * Everything the server sent reaches messages through printable().
 */
export async function checkIssuer(issuer: string, { timeoutMs = 5000 } = {}): Promise<IssuerCheck> {
  // OpenID Connect Discovery §4: a trailing slash of the issuer is dropped before the well-known path.
  const discoveryUrl = `${issuer.replace(/\/+$/, '')}${WELL_KNOWN}`;
  // RFC 6761: names under .invalid never resolve, so no lookup is made for them.
  if (new URL(issuer).hostname.endsWith('.invalid'))
    return { status: 'unreachable', reason: 'the .invalid domain never resolves' };

  // One deadline for the whole exchange, the body included, so a server that trickles its answer cannot hold us.
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(discoveryUrl, { signal, redirect: 'manual', headers: { accept: 'application/json' } });
  } catch (error) {
    return { status: 'unreachable', reason: describeFetchError(error) };
  }
  const hint =
    'Check the issuer in Logto Console (Applications > your app > Issuer endpoint), or pass --skip-issuer-check.';
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw redirected(issuer, discoveryUrl, response, hint);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new UsageError(`${discoveryUrl} answered HTTP ${response.status}: is ${issuer} a Logto issuer? ${hint}`);
  }
  const body = await readBody(response, discoveryUrl, signal, timeoutMs, hint);
  let metadata: unknown;
  try {
    metadata = JSON.parse(body);
  } catch {
    throw new UsageError(`${discoveryUrl} did not return JSON: is ${issuer} a Logto issuer? ${hint}`);
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new UsageError(
      `${discoveryUrl} did not return a JSON object (it sent ${printable(body, 40)}): is ${issuer} a Logto issuer? ${hint}`,
    );
  }
  const { issuer: named, jwks_uri: jwksUri } = metadata as Record<string, unknown>;
  if (named !== issuer) {
    // Tokens carry this issuer in `iss`, byte for byte, and --issuer is taken as typed: the advice, once followed, passes.
    const advice = typeof named === 'string' && usableIssuer(named) ? `Use --issuer ${named}.` : hint;
    throw new UsageError(
      `The discovery document at ${discoveryUrl} names the issuer ${printable(JSON.stringify(named) ?? 'undefined', 200)}, not ${JSON.stringify(issuer)}; ` +
        `tokens are checked against it exactly. ${advice}`,
    );
  }
  if (typeof jwksUri !== 'string')
    throw new UsageError(`The discovery document at ${discoveryUrl} has no jwks_uri. ${hint}`);
  return { status: 'ok', jwksUri };
}

/** A redirect is refused: the server trusts the issuer it is given, so it must be the one that answers. */
function redirected(issuer: string, discoveryUrl: string, response: Response, hint: string): UsageError {
  const location = response.headers.get('location') ?? '';
  const target = URL.canParse(location, discoveryUrl) ? new URL(location, discoveryUrl).href : location;
  const start = `${discoveryUrl} redirects (HTTP ${response.status}) to ${printable(target, 200) || 'nowhere'}`;
  // The same host under another spelling (case, path, http → https) is a typo we can name; another host is not ours to suggest.
  const pointsTo = target.endsWith(WELL_KNOWN) ? target.slice(0, -WELL_KNOWN.length) : undefined;
  if (pointsTo && usableIssuer(pointsTo) && new URL(pointsTo).host === new URL(issuer).host) {
    return new UsageError(
      `${start}: the issuer must be given as it answers. Use --issuer ${pointsTo} (and check it in Logto Console).`,
    );
  }
  return new UsageError(`${start}; the issuer must answer itself. ${hint}`);
}

/** Whether `text` is an issuer --issuer takes as it is written, so that advice to use it can be followed. */
function usableIssuer(text: string): boolean {
  try {
    return parseIssuer(text) === text;
  } catch {
    return false;
  }
}

/** The body as text: at most MAX_DISCOVERY_BYTES, within the deadline of the whole request. */
async function readBody(
  response: Response,
  discoveryUrl: string,
  signal: AbortSignal,
  timeoutMs: number,
  hint: string,
): Promise<string> {
  const tooLarge = new UsageError(
    `${discoveryUrl} sent more than ${MAX_DISCOVERY_BYTES / 1024 / 1024} MB, which is no discovery document. ${hint}`,
  );
  if (Number(response.headers.get('content-length')) > MAX_DISCOVERY_BYTES) {
    await response.body?.cancel();
    throw tooLarge;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // Leaving the loop early (throw) cancels the stream.
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > MAX_DISCOVERY_BYTES) throw tooLarge;
      chunks.push(chunk);
    }
  } catch (error) {
    if (error === tooLarge) throw error;
    if (signal.aborted)
      throw new UsageError(
        `${discoveryUrl} did not finish sending its discovery document within ${timeoutMs / 1000} s. ${hint}`,
      );
    throw new UsageError(
      `${discoveryUrl} broke off its answer (${printable(describeFetchError(error), 200)}). ${hint}`,
    );
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if ((error as Error).name === 'TimeoutError') return 'no answer in time';
  return printable(cause?.code ?? cause?.message ?? (error as Error).message, 200);
}
