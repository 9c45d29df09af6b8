import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { registerOptionSpecs, type RegisterOptions } from '../../src/register/options.js';

const projects: string[] = [];

/** Removes every project makeProject made. */
export async function removeProjects(): Promise<void> {
  await Promise.all(projects.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A minimal project as create-logto-mcp writes it: the files register reads and writes. */
export async function makeProject(env: { issuer: string; resource?: string; scopes?: string }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'logto-mcp-register-'));
  projects.push(dir);
  const lines = [
    '# Runtime configuration',
    `LOGTO_ISSUER=${env.issuer}`,
    `MCP_RESOURCE=${env.resource ?? 'http://localhost:3001/mcp'}`,
    `MCP_REQUIRED_SCOPES=${env.scopes ?? 'read:whoami'}`,
    'PORT=3001',
    'HOST=127.0.0.1',
    '',
  ];
  await writeFile(path.join(dir, '.env'), lines.join('\n'), { mode: 0o600 });
  await writeFile(path.join(dir, '.env.example'), lines.join('\n'));
  await writeFile(path.join(dir, '.gitignore'), 'node_modules/\n.env\n');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'my-server', private: true }, null, 2));
  const config = {
    generator: { name: 'create-logto-mcp', version: '0.1.0' },
    framework: 'express',
    transport: 'streamable-http',
    verifier: 'jwt',
  };
  await writeFile(path.join(dir, 'logto-mcp.json'), `${JSON.stringify(config, null, 2)}\n`);
  return dir;
}

/** Collects what is written to stdout and stderr (and keeps it off the test output) until restored. */
export function captureOutput() {
  const output = { stdout: '', stderr: '' };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.stderr += String(chunk);
    return true;
  });
  return {
    output,
    restore() {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

/**
 * RegisterOptions as the register command resolves them when only the credentials are given: every
 * default from the option declarations (src/register/options.ts), then the project's values and `overrides`.
 */
export function registerOptionsFor(
  project: Pick<RegisterOptions, 'm2mAppId' | 'm2mAppSecret' | 'issuer' | 'resource' | 'scopes'>,
  overrides: Partial<RegisterOptions> = {},
): RegisterOptions {
  const defaults = Object.fromEntries(
    Object.entries(registerOptionSpecs).flatMap(([key, spec]) => ('default' in spec ? [[key, spec.default]] : [])),
  );
  return { ...defaults, projectName: 'my-server', ...project, ...overrides } as RegisterOptions;
}
