import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenOnLoopback } from './ports.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI, as users run it (npm test builds it first). */
export const CLI = path.join(REPO_ROOT, 'bin', 'create-logto-mcp.js');

/** Runs the built CLI with no terminal and no colours; never throws on a non-zero exit. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const { exitCode, stdout, stderr } = await execa('node', [CLI, ...args], {
    cwd: options.cwd,
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1', npm_config_user_agent: '', ...options.env },
  });
  return { exitCode, stdout, stderr };
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `clm-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Every file below dir, relative, sorted. */
export function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** A loopback HTTP server that answers the OpenID discovery request with `document(issuerUrl)`. */
export async function startDiscoveryServer(
  document: (issuer: string) => { status: number; body: unknown },
): Promise<{ issuer: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  let issuer = '';
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const { status, body } = document(issuer);
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  issuer = `${await listenOnLoopback(server)}/oidc`;
  return { issuer, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
