/**
 * Generate a Python project with the built CLI and let it install itself, as a user's run does: with uv when it is on
 * PATH, else `python3 -m venv` and pip. The uv and pip caches are shared between variants (and runs), so only the
 * first install downloads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { execa } from 'execa';

import type { Variant } from './variants.js';
import { CLI, REPO_ROOT, childEnv, type GeneratedProject } from './generated-project.js';

export const PYTHON_CACHES = {
  UV_CACHE_DIR: join(REPO_ROOT, 'node_modules', '.cache', 'e2e-uv'),
  PIP_CACHE_DIR: join(REPO_ROOT, 'node_modules', '.cache', 'e2e-pip'),
};

/** PATH without the folders that hold a `uv` (to take the pip path). */
export async function pathWithoutUv(): Promise<string> {
  const folders = (process.env.PATH ?? '').split(delimiter);
  const kept: string[] = [];
  for (const folder of folders) {
    const found = await execa('test', ['-x', join(folder, 'uv')], { reject: false });
    if (found.exitCode !== 0) kept.push(folder);
  }
  return kept.join(delimiter);
}

export async function generatePythonProject(
  options: { issuer: string; resource: string; port: number; scopes?: string[]; withUv: boolean } & Variant,
): Promise<GeneratedProject> {
  const root = await mkdtemp(join(tmpdir(), 'create-logto-mcp-py-'));
  const dir = join(root, 'mcp-server');
  const args = [
    CLI,
    dir,
    '--yes',
    '--issuer',
    options.issuer,
    '--resource',
    options.resource,
    '--port',
    String(options.port),
    '--no-git',
  ];
  // --framework starlette alone means --language python.
  args.push('--framework', options.framework, '--transport', options.transport, '--verifier', options.verifier);
  if (options.scopes?.length) args.push('--scopes', options.scopes.join(' '));
  const env = childEnv({ ...PYTHON_CACHES, ...(options.withUv ? {} : { PATH: await pathWithoutUv() }) });
  const result = await execa(process.execPath, args, {
    cwd: root,
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    all: true,
  });
  if (result.exitCode !== 0) {
    await rm(root, { recursive: true, force: true });
    throw new Error(`create-logto-mcp exited ${result.exitCode}\n${result.all}`);
  }
  return { dir, root, cliOutput: result.stdout, remove: () => rm(root, { recursive: true, force: true }) };
}
