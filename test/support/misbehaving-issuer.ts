import http from 'node:http';
import { listenOnLoopback } from './ports.js';

export type Misbehaviour =
  /** Answers the discovery request with this status and Location header. */
  | { redirect: string; status?: number }
  /** Sends headers and `{`, then a space every 50 ms, never finishing. */
  | { drip: true }
  /** Sends this many spaces, in chunks and without a Content-Length. */
  | { bytes: number }
  /** Sends this text as a JSON answer; `SELF` is replaced by the issuer. */
  | { body: string };

/**
 * A loopback issuer that misbehaves on purpose, on a free port of 127.0.0.1; `close()` also ends a
 * connection still dripping.
 */
export async function startMisbehavingIssuer(
  misbehaviour: Misbehaviour,
): Promise<{ origin: string; issuer: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  let issuer = '';
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if ('redirect' in misbehaviour) {
      res.writeHead(misbehaviour.status ?? 301, { location: misbehaviour.redirect }).end();
    } else if ('drip' in misbehaviour) {
      res.writeHead(200, { 'content-type': 'application/json' }).write('{');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    } else if ('bytes' in misbehaviour) {
      // In chunks, with no Content-Length: the size is found while reading.
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let sent = 0; sent < misbehaviour.bytes; sent += 65536)
        res.write(' '.repeat(Math.min(65536, misbehaviour.bytes - sent)));
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(misbehaviour.body.replaceAll('SELF', issuer));
    }
  });
  const origin = await listenOnLoopback(server);
  issuer = `${origin}/oidc`;
  return {
    origin,
    issuer,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
