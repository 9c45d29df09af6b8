/**
 * Generate a Python project with the built CLI and let it install itself, as a user's run does: with uv, or
 * `python3 -m venv` and pip (`--package-manager`). The uv and pip caches are shared between variants (and runs), so only the
 * first install downloads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { execa } from 'execa';

import type { Variant } from './variants.js';
import { REPO_ROOT, childEnv, cliArgs, type GeneratedProject, type ProjectOptions } from './generated-project.js';

export const PYTHON_CACHES = {
  UV_CACHE_DIR: join(REPO_ROOT, 'node_modules', '.cache', 'e2e-uv'),
  PIP_CACHE_DIR: join(REPO_ROOT, 'node_modules', '.cache', 'e2e-pip'),
};

export async function generatePythonProject(
  options: ProjectOptions & Variant & { withUv: boolean },
): Promise<GeneratedProject> {
  const root = await mkdtemp(join(tmpdir(), 'create-logto-mcp-py-'));
  const dir = join(root, 'mcp-server');
  // The framework is always given: --framework starlette alone means --language python.
  const args = cliArgs(dir, options);
  args.push('--package-manager', options.withUv ? 'uv' : 'pip');
  const env = childEnv(PYTHON_CACHES);
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
