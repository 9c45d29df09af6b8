import { expect } from 'vitest';
import type { BenchServer } from '../../bench/throughput.js';

/**
 * The bench (bench/server-speed.ts) serves a generated project's own app from bench/server.ts or bench/server.py,
 * through the templates' seams; the end-to-end suites start it on each variant so that it cannot break unnoticed
 * (it once did, when the Python HTTP_LIMITS gained a setting uvicorn.Config does not take). Stops it.
 */
export async function expectBenchServerServes(bench: BenchServer, resource: string): Promise<void> {
  try {
    for (const [mode, port] of Object.entries(bench.ports))
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status, mode).toBe(200);
    const challenge = await fetch(`http://127.0.0.1:${bench.ports.jwt}${new URL(resource).pathname}`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata=/);
    expect((await bench.stats()).rss).toBeGreaterThan(0);
  } finally {
    await bench.stop();
  }
}
