import { execa } from 'execa';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTree, makeTempDir, removeDir, REPO_ROOT } from './support/cli.js';

// The package as npm publishes it, installed and run the way `npm create logto-mcp` runs it.
let work: string;
let tarball: string;
beforeAll(async () => {
  work = makeTempDir('package');
  const { stdout } = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO_ROOT });
  tarball = path.join(work, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
}, 120_000);
afterAll(() => removeDir(work));

describe('the published package', () => {
  it('has no runtime dependencies and ships the templates with their dotfile stand-ins', async () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    const { stdout } = await execa('tar', ['-tzf', tarball]);
    const files = stdout.split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/bin/create-logto-mcp.js',
        'package/dist/index.js',
        'package/templates/base/_gitignore',
        'package/templates/base/_env.hbs',
      ]),
    );
    expect(files.filter((file) => /^package\/(src|test|bench)\//.test(file))).toEqual([]);
    // The bundle is split into chunks that load one another (scripts/build.mjs): all of them must ship.
    const chunks = readdirSync(path.join(REPO_ROOT, 'dist')).map((name) => `package/dist/${name}`);
    expect(chunks.length).toBeGreaterThan(1);
    expect(files).toEqual(expect.arrayContaining(chunks));
  });

  it('installs without a registry and generates a project from the installed copy', async () => {
    const consumer = path.join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(path.join(consumer, 'package.json'), '{ "name": "consumer", "private": true }\n');
    // No dependencies to fetch: --offline proves the package is self-contained.
    await execa('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: consumer });
    const bin = path.join(consumer, 'node_modules', '.bin', 'create-logto-mcp');
    const result = await execa(
      bin,
      ['starter', '--yes', '--issuer', 'https://tenant.invalid/oidc', '--no-install', '--no-git'],
      {
        cwd: consumer,
        reject: false,
        env: { NO_COLOR: '1' },
      },
    );
    expect(result.stderr).not.toMatch(/✖/);
    expect(result.exitCode).toBe(0);
    const files = listTree(path.join(consumer, 'starter'));
    expect(files).toEqual(
      expect.arrayContaining(['.gitignore', '.env', '.env.example', 'package.json', 'src/index.ts']),
    );
    expect(files.filter((file) => file.endsWith('.hbs') || path.basename(file).startsWith('_'))).toEqual([]);
  }, 120_000);
});
