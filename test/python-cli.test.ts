/**
 * --language python through the built CLI, without installing: the language and framework choices, hostile names
 * staying inert in pyproject.toml and the Python sources, identical answers giving identical projects, and a missing
 * Python refused before anything is written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createOptionSpecs, type CreateOptions } from '../src/options/create-options.js';
import { resolveOptions } from '../src/options/define.js';
import { planProject } from '../src/plan.js';
import { renderFiles } from '../src/render/render.js';
import { generatedPythonRequirements } from '../src/versions.js';
import { listTree, makeTempDir, removeDir, runCli } from './support/cli.js';
import { pythonVariants, variantName } from './support/variants.js';

const work = makeTempDir('python-cli');
afterAll(() => removeDir(work));
const ISSUER = ['--issuer', 'https://tenant.logto.app/oidc', '--skip-issuer-check', '--no-git'];

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(listTree(dir).map((file) => [file, readFileSync(path.join(dir, file), 'utf8')]));
}

describe('--language python', () => {
  it("refuses another language's framework, naming the language's own", async () => {
    const target = path.join(work, 'wrong-framework');
    const result = await runCli([
      target,
      '--yes',
      '--language',
      'python',
      '--framework',
      'express',
      ...ISSUER,
      '--no-install',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      '--framework "express" cannot be used here: it is a typescript framework; with --language python choose starlette.',
    );
    expect(existsSync(target)).toBe(false);
    const typescript = await runCli([
      target,
      '--yes',
      '--language',
      'typescript',
      '--framework',
      'starlette',
      ...ISSUER,
      '--no-install',
    ]);
    expect(typescript.stderr).toContain('with --language typescript choose express, hono.');
  });

  it('serves --transport both: Streamable HTTP at the resource and HTTP+SSE below it, for one resource', async () => {
    const target = path.join(work, 'both');
    const result = await runCli([
      target,
      '--yes',
      '--language',
      'python',
      '--transport',
      'both',
      ...ISSUER,
      '--no-install',
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      language: 'python',
      transport: 'both',
      resource: 'http://localhost:3001/mcp',
      streamableHttpUrl: 'http://localhost:3001/mcp',
      sseUrl: 'http://localhost:3001/mcp/sse',
    });
    const files = listTree(target);
    // Both transport modules, and the endpoints layer's transport.py serving them.
    for (const file of ['streamable_http.py', 'sse.py', 'transport.py']) expect(files).toContain(`src/both/${file}`);
    expect(files).toContain('tests/test_endpoints.py');
    const readme = readFileSync(path.join(target, 'README.md'), 'utf8');
    expect(readme).toContain(
      'Streamable HTTP endpoint: `http://localhost:3001/mcp`; HTTP+SSE endpoint (deprecated, for older clients): `http://localhost:3001/mcp/sse`',
    );
    expect(readme).toContain(
      'claude mcp add --transport http --client-id <app-id> --callback-port 8765 both http://localhost:3001/mcp',
    );
    expect(readme).toContain('**Clients that only speak HTTP+SSE** connect to `http://localhost:3001/mcp/sse` instead');
  });

  it("refuses another language's package manager, naming the language's own, before anything is written", async () => {
    const target = path.join(work, 'wrong-package-manager');
    const python = await runCli([target, '--yes', '--language', 'python', '--package-manager', 'npm', ...ISSUER]);
    expect(python.exitCode).toBe(1);
    expect(python.stderr).toContain(
      '--package-manager "npm" cannot be used here: it is a typescript package manager; with --language python choose uv, pip.',
    );
    const typescript = await runCli([target, '--yes', '--package-manager', 'uv', ...ISSUER, '--no-install']);
    expect(typescript.exitCode).toBe(1);
    expect(typescript.stderr).toContain(
      '--package-manager "uv" cannot be used here: it is a python package manager; with --language typescript choose npm, pnpm, yarn, bun.',
    );
    expect(existsSync(target)).toBe(false);
  });

  it('installs with uv when it is on PATH, else with pip, and says how to run the project with the one it chose', async () => {
    const bin = path.join(work, 'node-and-uv');
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const nextSteps = async (name: string, extra: string[] = []) => {
      const result = await runCli(
        [path.join(work, name), '--yes', '--language', 'python', ...ISSUER, '--no-install', ...extra],
        {
          env: { PATH: bin },
        },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      return result.stdout;
    };
    const withoutUv = await nextSteps('default-pip');
    expect(withoutUv).toContain('python3 -m venv .venv && .venv/bin/pip install -e . --group dev');
    expect(withoutUv).toContain('.venv/bin/default-pip');
    expect(withoutUv).not.toContain('uv run');
    // Found on PATH, not run: --no-install.
    writeFileSync(path.join(bin, 'uv'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const withUv = await nextSteps('default-uv');
    expect(withUv).toContain('uv run default-uv');
    expect(withUv).not.toContain('.venv/bin/');
    // The package manager changes how the project is installed, not what is generated.
    const chosen = ['uv', 'pip'].map((installer) => path.join(`chosen-${installer}`, 'server'));
    expect(await nextSteps(chosen[0]!, ['--package-manager', 'uv'])).toContain('uv run server');
    expect(await nextSteps(chosen[1]!, ['--package-manager', 'pip'])).toContain('.venv/bin/server');
    const [uvFiles, pipFiles] = chosen.map((dir) => {
      const files = tree(path.join(work, dir));
      return { ...files, '.env': files['.env']!.replace(/^LOGTO_REGISTRATION_KEY=.*$/m, '') };
    });
    expect(uvFiles).toEqual(pipFiles);
  });

  it('refuses --package-manager uv without uv on PATH before anything is written', async () => {
    const target = path.join(work, 'no-uv');
    const bin = path.join(work, 'node-and-python');
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    // The interpreter itself: python3 on PATH may be a shim that needs more of PATH.
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    symlinkSync(python, path.join(bin, 'python3'));
    const result = await runCli([target, '--yes', '--language', 'python', '--package-manager', 'uv', ...ISSUER], {
      env: { PATH: bin },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'uv is not on PATH: install uv (https://docs.astral.sh/uv/), or pass --package-manager pip or --no-install; nothing was written.',
    );
    expect(existsSync(target)).toBe(false);
  });

  it('workshop: Python starters, and how each attendee starts theirs with the chosen package manager', async () => {
    const folder = path.join(work, 'python-workshop');
    const result = await runCli([
      'workshop',
      folder,
      '--yes',
      '--language',
      'python',
      '--package-manager',
      'uv',
      '--attendees',
      '2',
      '--issuer',
      'https://tenant.logto.app/oidc',
      '--skip-issuer-check',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'Each attendee starts theirs as attendee-01 does: cd attendee-01 && uv run attendee-01',
    );
    for (const attendee of ['attendee-01', 'attendee-02']) {
      expect(readFileSync(path.join(folder, attendee, 'pyproject.toml'), 'utf8')).toContain(`name = "${attendee}"`);
    }
  });

  it('is implied by --framework starlette, and offers every transport', async () => {
    for (const transport of ['streamable-http', 'sse', 'both']) {
      const target = path.join(work, `implied-${transport}`);
      const result = await runCli([
        target,
        '--yes',
        '--framework',
        'starlette',
        '--transport',
        transport,
        ...ISSUER,
        '--no-install',
        '--json',
      ]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ language: 'python', framework: 'starlette', transport });
      expect(JSON.parse(readFileSync(path.join(target, 'logto-mcp.json'), 'utf8'))).toMatchObject({
        language: 'python',
        transport,
      });
      expect(existsSync(path.join(target, 'package.json'))).toBe(false);
    }
  });

  it('keeps a hostile folder name inert: pyproject.toml parses to the normalised name, and every Python file compiles', async () => {
    const target = path.join(work, 'a"b\'c`${x} """ {y}');
    const result = await runCli([target, '--yes', '--language', 'python', ...ISSUER, '--no-install']);
    expect(result.exitCode, result.stderr).toBe(0);
    const project = JSON.parse(
      execFileSync(
        'python3',
        [
          '-c',
          'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))["project"]))',
          path.join(target, 'pyproject.toml'),
        ],
        { encoding: 'utf8' },
      ),
    );
    expect(project).toMatchObject({
      name: 'a-b-c-x-y',
      'requires-python': '>=3.11',
      scripts: { 'a-b-c-x-y': 'a_b_c_x_y.__main__:main' },
    });
    const sources = listTree(target).filter((file) => file.endsWith('.py'));
    expect(sources).toContain('src/a_b_c_x_y/config.py');
    execFileSync('python3', [
      '-c',
      'import ast, sys\nfor f in sys.argv[1:]: ast.parse(open(f).read(), f)',
      ...sources.map((file) => path.join(target, file)),
    ]);
    expect(readFileSync(path.join(target, 'src/a_b_c_x_y/config.py'), 'utf8')).toContain('PROJECT_NAME = "a-b-c-x-y"');
  });

  it('gives identical projects for identical answers', async () => {
    const [first, second] = ['same-1', 'same-2'].map((name) => path.join(work, name, 'server'));
    for (const target of [first!, second!]) {
      const result = await runCli([target, '--yes', '--language', 'python', ...ISSUER, '--no-install']);
      expect(result.exitCode, result.stderr).toBe(0);
    }
    const withoutKey = (files: Record<string, string>) => ({
      ...files,
      '.env': files['.env']!.replace(/^LOGTO_REGISTRATION_KEY=.*$/m, ''),
    });
    expect(withoutKey(tree(first!))).toEqual(withoutKey(tree(second!)));
  });

  it('refuses to install without a python3, naming the version needed, before anything is written', async () => {
    const target = path.join(work, 'no-python');
    const bin = path.join(work, 'node-only');
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const result = await runCli([target, '--yes', '--language', 'python', ...ISSUER], { env: { PATH: bin } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'python3 is not on PATH: the Python project needs Python 3.11 or later to install. Install it, or pass --no-install; nothing was written.',
    );
    expect(existsSync(target)).toBe(false);
  });
});

describe.each(pythonVariants.map((variant) => [variantName(variant), variant] as const))(
  'the Python templates of %s',
  (_, variant) => {
    it('render a pyproject.toml whose every requirement comes from src/versions.ts, all of them used', async () => {
      const flags = { issuer: 'https://abc.logto.app/oidc', directory: 'variant', ...variant };
      const options = (await resolveOptions(createOptionSpecs, flags, {
        interactive: false,
        yes: true,
      })) as CreateOptions;
      const plan = planProject(options, work);
      const modules = { 'streamable-http': ['streamable-http'], sse: ['sse'], both: ['streamable-http', 'sse'] };
      expect(plan.layers).toEqual([
        'python/base',
        ...modules[variant.transport].map((module) => `python/transport/${module}`),
        `python/endpoints/${variant.transport}`,
        'python/framework/starlette',
        `python/verifier/${variant.verifier}`,
      ]);
      const pyproject = (await renderFiles(plan)).find((file) => file.path === 'pyproject.toml')!.content.toString();
      const code =
        'import json, sys, tomllib; t = tomllib.loads(sys.stdin.read()); print(json.dumps(t["project"]["dependencies"] + t["dependency-groups"]["dev"] + t["build-system"]["requires"]))';
      const requirements = JSON.parse(
        execFileSync('python3', ['-c', code], { input: pyproject, encoding: 'utf8' }),
      ) as string[];
      const quoted = requirements.map((requirement) => /^([A-Za-z0-9_.[\]-]+)(.*)$/.exec(requirement)!.slice(1));
      expect(Object.fromEntries(quoted)).toEqual(generatedPythonRequirements);
    });
  },
);
