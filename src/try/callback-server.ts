// The loopback redirect of a native app (RFC 8252 §7.3): a one-shot HTTP listener on 127.0.0.1, on a port the
// system picks. Logto matches a Native app's loopback redirect URIs on any port, so http://127.0.0.1/callback,
// which register gives every native app, covers it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';

export interface CallbackServer {
  /** `http://127.0.0.1:<port>/callback` */
  redirectUrl: string;
  /** The query of the first request to /callback carrying `state`; rejects on `signal` abort. */
  waitForCallback(state: string, signal: AbortSignal): Promise<URLSearchParams>;
  close(): Promise<void>;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:system-ui;margin:3em"><h1>${title}</h1><p>${text}</p></body>`;

export async function startCallbackServer(requestedPort = 0): Promise<CallbackServer> {
  let pending: { state: string; resolve: (params: URLSearchParams) => void } | undefined;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const answer = (status: number, title: string, text: string) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'close',
      });
      res.end(PAGE(title, text));
    };
    if (req.method !== 'GET' || url.pathname !== '/callback')
      return answer(404, 'Not found', 'This is the sign-in callback of create-logto-mcp try.');
    if (!pending || url.searchParams.get('state') !== pending.state) {
      return answer(
        400,
        'Unexpected sign-in answer',
        'This answer does not belong to the sign-in create-logto-mcp try is waiting for.',
      );
    }
    const denied = url.searchParams.get('error');
    answer(
      200,
      denied ? 'Sign-in refused' : 'Signed in',
      denied ? 'Go back to the terminal to see why.' : 'You can close this tab and go back to the terminal.',
    );
    const { resolve } = pending;
    pending = undefined;
    resolve(url.searchParams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(`Port ${requestedPort} on 127.0.0.1 is in use; free it or choose another --port.`)
          : error,
      ),
    );
    server.listen(requestedPort, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    redirectUrl: `http://127.0.0.1:${port}/callback`,
    waitForCallback(state, signal) {
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(abortReason(signal));
        signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true });
        pending = { state, resolve };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The reason the signal was aborted with (a CancelledError, a timeout's error), always as an Error. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}
