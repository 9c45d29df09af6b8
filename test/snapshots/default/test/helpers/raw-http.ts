// Raw HTTP over a socket, for the requests fetch cannot make (two Host headers, absolute-form targets, TRACE,
// a body announced but not sent). Shared by the contract tests and each transport's own tests.
import { connect } from 'node:net';
import type { TestApp } from './app.js';

/**
 * Sends `head` (and `body`, if any) over a raw socket, for requests fetch cannot make. Resolves once the server
 * has answered and closed the connection; `closed` is false when it had not `waitMs` after the answer began.
 */
export function rawRequest(app: TestApp, head: string, { body = '', waitMs = 2000 } = {}) {
  return new Promise<{ status: number; headers: string; text: string; closed: boolean; ms: number }>(
    (resolve, reject) => {
      const started = Date.now();
      const socket = connect(Number(new URL(app.origin).port), '127.0.0.1');
      let text = '';
      const done = (closed: boolean) => {
        clearTimeout(timer);
        socket.destroy();
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
        resolve({ status, headers: text.split('\r\n\r\n')[0] ?? '', text, closed, ms: Date.now() - started });
      };
      // The wait restarts with the answer's first bytes: a slow answer on a busy machine is not taken for an open connection.
      let timer = setTimeout(() => done(false), waitMs);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        if (!text) {
          clearTimeout(timer);
          timer = setTimeout(() => done(false), waitMs);
        }
        text += chunk;
      });
      socket.on('end', () => done(true));
      // A reset after the answer is a close too (the server does not read the rest of the body).
      socket.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' && text ? done(true) : reject(error),
      );
      socket.write(head.replaceAll('\n', '\r\n') + '\r\n' + body);
    },
  );
}

export const hostOf = (app: TestApp) => new URL(app.origin).host;
