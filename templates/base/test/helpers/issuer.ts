// A stand-in for a Logto tenant: its own keys, a discovery document and a JWKS under /oidc,
// on 127.0.0.1. It mints access tokens shaped like Logto's (header `typ: at+jwt`, claims sub, client_id, scope, ...).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWTPayload } from 'jose';

export interface TestIssuer {
  /** The issuer, e.g. http://127.0.0.1:41234/oidc. */
  issuer: string;
  /** Signs an access token for `audience` with Logto-like defaults; `claims` overrides them (undefined removes one). */
  token(
    audience: string,
    claims?: JWTPayload,
    options?: { alg?: 'ES384' | 'RS256'; kid?: string; typ?: string },
  ): Promise<string>;
  /** Paths requested so far. */
  requests: string[];
  /** Makes `path` (e.g. /oidc/jwks) answer with this status and no body; 200 restores it. */
  setStatus(path: string, status: number): void;
  close(): Promise<void>;
}

export async function startIssuer(): Promise<TestIssuer> {
  const keys = {
    ES384: { kid: 'test-es384', ...(await generateKeyPair('ES384')) },
    RS256: { kid: 'test-rs256', ...(await generateKeyPair('RS256')) },
  };
  const jwks = {
    keys: await Promise.all(
      Object.entries(keys).map(async ([alg, key]) => ({
        ...(await exportJWK(key.publicKey)),
        kid: key.kid,
        alg,
        use: 'sig',
      })),
    ),
  };

  let issuer = '';
  const failing = new Map<string, number>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const status = failing.get(req.url ?? '');
    if (status) return res.writeHead(status).end();
    const body =
      req.url === '/oidc/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : req.url === '/oidc/jwks'
          ? jwks
          : undefined;
    res
      .writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' })
      .end(JSON.stringify(body ?? { error: 'not_found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`;

  return {
    issuer,
    requests,
    setStatus: (path, status) => {
      if (status === 200) failing.delete(path);
      else failing.set(path, status);
    },
    async token(audience, claims = {}, { alg = 'ES384', kid, typ = 'at+jwt' } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        jti: randomUUID(),
        sub: 'user-1',
        client_id: 'test-client',
        scope: '',
        iss: issuer,
        aud: audience,
        iat: now,
        exp: now + 3600,
        ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload)
        .setProtectedHeader({ alg, typ, kid: kid ?? keys[alg].kid })
        .sign(keys[alg].privateKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
