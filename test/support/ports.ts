import { createServer, type AddressInfo, type Server } from 'node:net';

/**
 * A free TCP port on 127.0.0.1, for a server that must be told its port before it starts
 * (the generated project's `--port`/`--resource`). Bind-then-release: the kernel will not hand
 * the same ephemeral port out again immediately, so the window for a clash is small.
 */
export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Starts `server` on a free port of 127.0.0.1 and returns its origin, e.g. http://127.0.0.1:41234. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
