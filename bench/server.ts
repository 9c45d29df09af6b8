/**
 * Child process of `npm run bench`, run under tsx with the generated project as working directory.
 * It serves the project's own app (whatever its framework and transport) on three loopback ports, through the seam its tests use
 * (`createApp(config, verifier)`):
 *   - `jwt`: with the generated verifier, as `src/index.ts` does;
 *   - `off`: with a verifier that accepts any token without crypto (the claims are read unverified,
 *     so `whoami` answers the same bytes as with auth on);
 *   - `control`: the same as `off`, on a third port: comparing it with `off` shows the measurement's own noise.
 * Prints one JSON line `{"jwt":<port>,"off":<port>,"control":<port>}` when both listen and the signing keys are loaded.
 * Exits when its stdin closes, so it cannot outlive the benchmark.
 */
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The shapes this file relies on (the generated project's types are not visible from here).
interface AuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  expiresAt?: number;
  extra?: Record<string, unknown>;
}
interface TokenVerifier {
  ready(): Promise<void>;
  verifyAccessToken(token: string): Promise<AuthInfo>;
}
type Config = { port: number };

const load = (file: string): Promise<unknown> => import(pathToFileURL(join(process.cwd(), 'src', file)).href);
const { loadConfig } = (await load('config.ts')) as { loadConfig(env: NodeJS.ProcessEnv): Config };
const { createApp } = (await load('app.ts')) as {
  createApp(config: Config, verifier?: TokenVerifier): RequestListener;
};
const { createVerifier } = (await load('verifier.ts')) as { createVerifier(config: Config): TokenVerifier };
const { subjectType } = (await load('auth.ts')) as { subjectType(claims: Record<string, unknown>): string };
const { createHttpServer } = (await load('http.ts')) as { createHttpServer(): Server };

let last: AuthInfo | undefined; // the benchmark sends one token to this port: decode it once
const acceptAnyToken: TokenVerifier = {
  async ready() {},
  async verifyAccessToken(token) {
    if (last?.token === token) return last;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      client_id?: string;
      scope?: string;
      exp?: number;
    };
    const extra = { claims, subjectType: subjectType(claims) };
    return (last = {
      token,
      clientId: claims.client_id ?? '',
      scopes: claims.scope?.split(' ').filter(Boolean) ?? [],
      expiresAt: claims.exp,
      extra,
    });
  },
};

const config = loadConfig(process.env);
const verifier = createVerifier(config);
await verifier.ready();

const listen = (app: RequestListener, port: number) =>
  new Promise<Server>((resolve, reject) => {
    // The project's own server, with its limits, as src/index.ts serves it.
    const server = createHttpServer().on('request', app).once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const portOf = (server: Server) => (server.address() as AddressInfo).port;

const jwt = await listen(createApp(config, verifier), config.port);
const off = await listen(createApp(config, acceptAnyToken), 0);
const control = await listen(createApp(config, acceptAnyToken), 0);
console.log(JSON.stringify({ jwt: portOf(jwt), off: portOf(off), control: portOf(control) }));

process.stdin.on('end', () => process.exit(0)).resume();

// The benchmark asks (over IPC) for the memory left after a full collection (run with --expose-gc) and the CPU used.
process.on('message', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  const { user, system } = process.cpuUsage();
  process.send?.({ rss, heapUsed, cpuMicros: user + system });
});
