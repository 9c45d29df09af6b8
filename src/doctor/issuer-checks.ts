// What a client does with the issuer the server names, and what the server does with the one it is configured
// with: the discovery URLs the MCP SDK clients try, in their order; the document's issuer, compared byte for
// byte; and the JWKS the server verifies tokens with.
import { importJWK, type JWK } from 'jose';
import { printable } from '../printable.js';
import { fail, pass, skipped, warn, type Checklist } from './check.js';
import { urlDifferences } from './compare-urls.js';
import { request, said } from './http.js';

/** The algorithms the generated server accepts (DESIGN §3): Logto signs ES384 by default, RS256 on RSA tenants. */
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256'];

/**
 * The discovery URLs of RFC 8414 §3.1 and OpenID Connect Discovery, in the order the MCP SDK clients (v1 and v2)
 * try them for an issuer with a path; for one without, the two root URLs.
 */
export function discoveryUrls(issuer: string): string[] {
  const { origin, pathname } = new URL(issuer);
  const path = pathname.replace(/\/+$/, '');
  if (path === '')
    return [`${origin}/.well-known/oauth-authorization-server`, `${origin}/.well-known/openid-configuration`];
  return [
    `${origin}/.well-known/oauth-authorization-server${path}`,
    `${origin}/.well-known/openid-configuration${path}`,
    `${origin}${path}/.well-known/openid-configuration`,
  ];
}

export async function checkIssuer(
  list: Checklist,
  { advertised, configured }: { advertised?: string; configured?: string },
  fetchFn?: typeof fetch,
): Promise<{ issuer?: string; document?: Record<string, unknown> }> {
  const compareTitle = "The server's metadata names the configured issuer";
  if (advertised && configured) {
    const differences = urlDifferences('the metadata', advertised, 'LOGTO_ISSUER', configured);
    if (differences.length === 0) list.add(pass('issuer.advertised', compareTitle, configured));
    else
      list.add(
        fail(
          'issuer.advertised',
          compareTitle,
          differences.join('; '),
          `Make LOGTO_ISSUER and the server's authorization_servers[0] the same string: the issuer of ${advertised}/.well-known/openid-configuration.`,
        ),
      );
  } else
    list.add(
      skipped(
        'issuer.advertised',
        compareTitle,
        advertised ? 'no LOGTO_ISSUER in the project and no --issuer' : 'the server named no issuer',
      ),
    );

  const issuer = advertised ?? configured;
  const discoveryTitle = 'Issuer discovery answers';
  if (!issuer || !URL.canParse(issuer)) {
    for (const [id, title] of [
      ['issuer.discovery', discoveryTitle],
      ['issuer.exact', 'Discovery issuer equals it byte for byte'],
      ['issuer.pkce', 'PKCE with S256 supported'],
      ['issuer.jwks', 'JWKS answers with usable keys'],
    ]) {
      list.add(skipped(id!, title!, 'no issuer to check (none in the metadata, no LOGTO_ISSUER, no --issuer)'));
    }
    return {};
  }

  const tried: string[] = [];
  let document: Record<string, unknown> | undefined;
  let foundAt: string | undefined;
  for (const url of discoveryUrls(issuer)) {
    const answer = await request(url, {}, fetchFn);
    tried.push(`${url} → ${said(answer)}`);
    if (answer.status === 200 && answer.json) {
      document = answer.json;
      foundAt = url;
      break;
    }
  }
  if (!document) {
    list.add(
      fail(
        'issuer.discovery',
        discoveryTitle,
        tried.join('; '),
        `Check the issuer ${issuer}: it is the Logto endpoint followed by /oidc (Console > Applications > an app > Issuer endpoint).`,
      ),
    );
    list.add(skipped('issuer.exact', 'Discovery issuer equals it byte for byte', 'no discovery document'));
    list.add(skipped('issuer.pkce', 'PKCE with S256 supported', 'no discovery document'));
    list.add(skipped('issuer.jwks', 'JWKS answers with usable keys', 'no discovery document'));
    return { issuer };
  }
  const first = discoveryUrls(issuer)[0];
  const meaning =
    foundAt === first
      ? ''
      : ` Clients try the earlier URLs first and go on after a 404, as they do on Logto (it answers only at ${issuer}/.well-known/openid-configuration).`;
  list.add(pass('issuer.discovery', discoveryTitle, `${tried.join('; ')}.${meaning}`));

  const found = typeof document.issuer === 'string' ? document.issuer : '';
  const exactTitle = 'Discovery issuer equals it byte for byte';
  const differences = urlDifferences(
    'the discovery document',
    found,
    advertised ? "the server's metadata" : 'LOGTO_ISSUER',
    issuer,
  );
  if (differences.length === 0) list.add(pass('issuer.exact', exactTitle, found));
  else {
    list.add(
      fail(
        'issuer.exact',
        exactTitle,
        differences.join('; '),
        `Use "${printable(found)}" exactly, in LOGTO_ISSUER and the server's metadata: clients and the token's iss check compare it as a string.`,
      ),
    );
  }

  const pkceTitle = 'PKCE with S256 supported';
  const methods = Array.isArray(document.code_challenge_methods_supported)
    ? document.code_challenge_methods_supported
    : [];
  if (methods.includes('S256'))
    list.add(pass('issuer.pkce', pkceTitle, `code_challenge_methods_supported: ${methods.map(String).join(' ')}`));
  else if (methods.length === 0) {
    // The MCP spec has clients refuse an authorization server without the field; the TypeScript SDK goes on.
    const detail =
      'the discovery document has no code_challenge_methods_supported: clients following the MCP spec refuse it';
    list.add(
      warn('issuer.pkce', pkceTitle, detail, 'Point LOGTO_ISSUER at Logto itself: its discovery document lists S256.'),
    );
  } else {
    const detail = `code_challenge_methods_supported is ${printable(methods.map(String).join(' '))}: MCP clients refuse an authorization server without S256`;
    list.add(
      fail('issuer.pkce', pkceTitle, detail, 'Point LOGTO_ISSUER at Logto itself: its discovery document lists S256.'),
    );
  }

  const jwksTitle = 'JWKS answers with usable keys';
  const jwksUri = typeof document.jwks_uri === 'string' ? document.jwks_uri : undefined;
  if (!jwksUri) {
    list.add(
      fail(
        'issuer.jwks',
        jwksTitle,
        'the discovery document has no jwks_uri',
        'Point LOGTO_ISSUER at Logto itself: its discovery always names the JWKS.',
      ),
    );
    return { issuer, document };
  }
  const jwks = await request(jwksUri, {}, fetchFn);
  const keys = Array.isArray(jwks.json?.keys) ? (jwks.json.keys as JWK[]) : [];
  const usable: string[] = [];
  for (const key of keys) {
    const alg =
      key.alg ??
      (key.kty === 'EC'
        ? { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[key.crv ?? '']
        : key.kty === 'RSA'
          ? 'RS256'
          : undefined);
    if (!alg || !ALGORITHMS.includes(alg) || (key.use && key.use !== 'sig')) continue;
    try {
      await importJWK(key, alg);
      usable.push(`${alg}${key.kid ? ` (kid ${printable(String(key.kid), 60)})` : ''}`);
    } catch {
      // Not a usable key: counted below.
    }
  }
  if (jwks.status !== 200)
    list.add(
      fail(
        'issuer.jwks',
        jwksTitle,
        `${jwksUri} answers ${said(jwks)}`,
        'Check that the issuer is reachable from here; the server fetches this URL to verify tokens.',
      ),
    );
  else if (usable.length === 0) {
    list.add(
      fail(
        'issuer.jwks',
        jwksTitle,
        `${jwksUri}: ${keys.length} key(s), none a signing key in ${ALGORITHMS.join(', ')}`,
        "Rotate the tenant's signing keys in Logto Console (Tenant settings > Signing keys).",
      ),
    );
  } else list.add(pass('issuer.jwks', jwksTitle, `${jwksUri}: ${usable.join(', ')}`));
  return { issuer, document };
}
