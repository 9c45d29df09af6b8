/**
 * A bare-bones issuer for fault tests and the bench: Logto's discovery document and JWKS under `/oidc` on
 * 127.0.0.1, nothing else (no sign-in: tokens are signed here directly, shaped as Logto's). Unlike the oidc-provider
 * one, it can go down and come back on the same port, rotate its signing key, and it counts the requests that reach it.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import * as jose from 'jose';

/** Logto's default, and the other algorithm the generated verifiers accept. */
export type Alg = 'ES384' | 'RS256';

interface SigningKey {
  kid: string;
  alg: Alg;
  privateKey: Awaited<ReturnType<typeof jose.generateKeyPair>>['privateKey'];
  publicJwk: jose.JWK;
}

export interface KeyIssuer {
  /** `http://127.0.0.1:<port>/oidc` */
  issuer: string;
  /** Paths requested, in order (discovery and JWKS), while up. */
  requests: string[];
  /** How many requests fetched the JWKS. */
  jwksFetches(): number;
  /** The key tokens are signed with by default (the newest). */
  currentKid(): string;
  /** Adds a new signing key (ES384 unless told), published next to the old ones (as Logto rotates), made current. */
  rotate(alg?: Alg): Promise<string>;
  /** A Logto-shaped user access token for `audience`, signed with the current key (or as `header` says). */
  sign(audience: string, claims?: jose.JWTPayload, header?: Partial<jose.JWTHeaderParameters>): Promise<string>;
  /** The same, signed with the published key `kid`. */
  signWith(kid: string, audience: string, claims?: jose.JWTPayload): Promise<string>;
  /** A token naming a kid the issuer never published (signed with a key of its own). */
  signWithUnknownKid(audience: string): Promise<string>;
  /** Stops listening and drops open connections: the issuer's port refuses connections. */
  down(): Promise<void>;
  /** Listens again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

async function newKey(alg: Alg = 'ES384'): Promise<SigningKey> {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg);
  const kid = randomUUID();
  return { kid, alg, privateKey, publicJwk: { ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export async function startKeyIssuer(): Promise<KeyIssuer> {
  const keys = [await newKey()];
  const stranger = await newKey();
  const requests: string[] = [];
  let issuer = '';
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body =
      req.url === '/oidc/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : req.url === '/oidc/jwks'
          ? { keys: keys.map((key) => key.publicJwk) }
          : undefined;
    res
      .writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' })
      .end(JSON.stringify(body ?? { error: 'not_found' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  issuer = `http://127.0.0.1:${port}/oidc`;

  const sign = (
    key: SigningKey,
    audience: string,
    claims: jose.JWTPayload = {},
    header: Partial<jose.JWTHeaderParameters> = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      jti: randomUUID(),
      sub: 'fault-user',
      client_id: 'fault-client',
      scope: '',
      iss: issuer,
      aud: audience,
      iat: now,
      exp: now + 600,
      ...claims,
    };
    return new jose.SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header })
      .sign(key.privateKey);
  };
  const down = async () => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };

  return {
    issuer,
    requests,
    jwksFetches: () => requests.filter((path) => path === '/oidc/jwks').length,
    currentKid: () => keys.at(-1)!.kid,
    async rotate(alg) {
      keys.push(await newKey(alg));
      return keys.at(-1)!.kid;
    },
    sign: (audience, claims, header) => sign(keys.at(-1)!, audience, claims, header),
    signWith: (kid, audience, claims) =>
      sign(
        keys.find((key) => key.kid === kid)!,
        audience,
        claims,
      ),
    signWithUnknownKid: (audience) => sign(stranger, audience, {}, { kid: randomUUID() }),
    down,
    async up() {
      if (server.listening) return;
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    close: down,
  };
}
