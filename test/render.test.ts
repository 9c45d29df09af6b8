import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planProject } from '../src/plan.js';
import { createOptionSpecs, type CreateOptions } from '../src/options/create-options.js';
import { resolveOptions } from '../src/options/define.js';
import { renderFiles, writeProject } from '../src/render/render.js';
import { makeTempDir, removeDir } from './support/cli.js';

const work = makeTempDir('render');
afterAll(() => removeDir(work));

async function optionsFor(flags: Record<string, unknown>): Promise<CreateOptions> {
  return (await resolveOptions(createOptionSpecs, { issuer: 'https://abc.logto.app/oidc', ...flags }, { interactive: false, yes: true })) as CreateOptions;
}

describe('planProject', () => {
  it('picks the layers and variables from the options alone', async () => {
    const plan = planProject(await optionsFor({ directory: 'My Server', scopes: 'read:whoami', packageManager: 'pnpm' }), '/somewhere');
    expect(plan.targetDir).toBe('/somewhere/My Server');
    expect(plan.layers).toEqual(['base', 'framework/express', 'verifier/jwt']);
    expect(plan.variables).toMatchObject({ projectName: 'my-server', requiredScopes: ['read:whoami'], run: 'pnpm', resource: 'http://localhost:3001/mcp', port: 3001, host: '127.0.0.1' });
  });

  it('binds the IPv6 loopback address when the resource names it', async () => {
    const plan = planProject(await optionsFor({ directory: 'v6', resource: 'http://[::1]:4300/mcp' }), '/somewhere');
    expect(plan.variables).toMatchObject({ host: '::1', port: 4300 });
  });
});

describe('renderFiles', () => {
  it('renders .hbs files, renames _dotfiles and lets later layers replace earlier files', async () => {
    const templates = path.join(work, 'templates');
    for (const [file, text] of Object.entries({
      'base/_gitignore': '.env\n',
      'base/hello.txt.hbs': 'name={{json projectName}} {{#if (eq framework "express")}}express{{/if}}',
      'base/src/same.ts': 'from base',
      'framework/express/src/same.ts': 'from express',
      'verifier/jwt/raw.ts': 'const x = "{{not rendered}}";',
    })) {
      mkdirSync(path.dirname(path.join(templates, file)), { recursive: true });
      writeFileSync(path.join(templates, file), text);
    }
    const plan = planProject(await optionsFor({ directory: 'x"y' }), work);
    const files = Object.fromEntries((await renderFiles(plan, templates)).map((f) => [f.path, f.content.toString()]));
    expect(files).toEqual({
      '.gitignore': '.env\n',
      'hello.txt': 'name="x-y" express',
      'src/same.ts': 'from express',
      'raw.ts': 'const x = "{{not rendered}}";',
    });
  });

  it('fails on a variable the plan does not provide, instead of rendering an empty string', async () => {
    const templates = path.join(work, 'strict');
    mkdirSync(path.join(templates, 'base'), { recursive: true });
    mkdirSync(path.join(templates, 'framework/express'), { recursive: true });
    mkdirSync(path.join(templates, 'verifier/jwt'), { recursive: true });
    writeFileSync(path.join(templates, 'base/x.hbs'), '{{misspelled}}');
    const plan = planProject(await optionsFor({ directory: 'strict' }), work);
    await expect(renderFiles(plan, templates)).rejects.toThrow(/misspelled/);
  });
});

describe('writeProject', () => {
  it('leaves nothing behind when a file cannot be written', async () => {
    const target = path.join(work, 'half', 'project');
    // "a" is both a file and a folder: the second write fails after the first succeeded.
    const files = [
      { path: 'a', content: Buffer.from('file') },
      { path: 'a/b', content: Buffer.from('nested') },
    ];
    await expect(writeProject(target, files)).rejects.toThrow();
    expect(existsSync(target)).toBe(false);
    expect(existsSync(path.join(work, 'half'))).toBe(false); // the parent it created is gone too
  });

  it('writes into an existing empty folder and keeps .env private', async () => {
    const target = path.join(work, 'empty');
    mkdirSync(target);
    await writeProject(target, [
      { path: '.env', content: Buffer.from('A=1\n') },
      { path: 'src/x.ts', content: Buffer.from('export {};\n') },
    ]);
    expect(readFileSync(path.join(target, 'src/x.ts'), 'utf8')).toBe('export {};\n');
    expect(statSync(path.join(target, '.env')).mode & 0o777).toBe(0o600);
    expect(readdirSync(work).filter((name) => name.includes('-creating-'))).toEqual([]);
  });
});
