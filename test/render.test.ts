import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { planProject } from '../src/plan.js';
import { createOptionSpecs, type CreateOptions } from '../src/options/create-options.js';
import { resolveOptions } from '../src/options/define.js';
import { renderFiles, TEMPLATES_DIR, writeProject, type ProjectFs } from '../src/render/render.js';
import { keepExistingState } from '../src/render/keep-existing.js';
import { mergePackageJson } from '../src/render/package-json.js';
import { generatedVersions } from '../src/versions.js';
import { UsageError } from '../src/errors.js';
import { makeTempDir, removeDir, REPO_ROOT } from './support/cli.js';
import { pythonVariants, variantName, variants } from './support/variants.js';

const work = makeTempDir('render');
afterAll(() => removeDir(work));

async function optionsFor(flags: Record<string, unknown>): Promise<CreateOptions> {
  return await resolveOptions(
    createOptionSpecs,
    { issuer: 'https://abc.logto.app/oidc', ...flags },
    { interactive: false, yes: true },
  );
}

describe('planProject', () => {
  it('picks the layers and variables from the options alone', async () => {
    const plan = planProject(
      await optionsFor({ directory: 'My Server', scopes: 'read:whoami', packageManager: 'pnpm' }),
      '/somewhere',
    );
    expect(plan.targetDir).toBe('/somewhere/My Server');
    expect(plan.layers).toEqual([
      'base',
      'transport/streamable-http',
      'endpoints/streamable-http',
      'framework/express',
      'verifier/jwt',
    ]);
    // --transport both: the two transport modules, and the endpoints layer serving them (SSE below the resource).
    const both = planProject(await optionsFor({ directory: 'b', transport: 'both' }), '/somewhere');
    expect(both.layers).toEqual([
      'base',
      'transport/streamable-http',
      'transport/sse',
      'endpoints/both',
      'framework/express',
      'verifier/jwt',
    ]);
    expect(both.variables).toMatchObject({
      resource: 'http://localhost:3001/mcp',
      streamableHttpUrl: 'http://localhost:3001/mcp',
      sseUrl: 'http://localhost:3001/mcp/sse',
      sseMessagesPath: '/mcp/messages',
      clientUrl: 'http://localhost:3001/mcp',
    });
    expect(plan.variables).toMatchObject({
      projectName: 'my-server',
      requiredScopes: ['read:whoami'],
      run: 'pnpm',
      resource: 'http://localhost:3001/mcp',
      port: 3001,
      host: '127.0.0.1',
    });
  });

  it('binds the IPv6 loopback address when the resource names it', async () => {
    const plan = planProject(await optionsFor({ directory: 'v6', resource: 'http://[::1]:4300/mcp' }), '/somewhere');
    expect(plan.variables).toMatchObject({ host: '::1', port: 4300 });
  });
});

describe.each(variants.map((variant) => [variantName(variant), variant] as const))(
  'the templates of %s',
  (_, variant) => {
    it('exist for every layer the plan names, and render a package.json whose versions come from src/versions.ts', async () => {
      const plan = planProject(await optionsFor({ directory: 'variant', ...variant }), work);
      for (const layer of plan.layers)
        expect(statSync(path.join(TEMPLATES_DIR, layer)).isDirectory(), `templates/${layer}`).toBe(true);
      const files = await renderFiles(plan);
      const manifest = JSON.parse(files.find((file) => file.path === 'package.json')!.content.toString());
      for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
        expect(range, name).toBe(generatedVersions[name as keyof typeof generatedVersions]);
      }
    });
  },
);

it.each([
  ...variants.map((variant) => ['typescript', variant] as const),
  ...pythonVariants.map((variant) => ['python', variant] as const),
])("every layer of %s (%o) owns its files: none replaces another layer's", async (language, variant) => {
  const plan = planProject(await optionsFor({ directory: 'owned', language, ...variant }), work);
  const owners = new Map<string, string[]>();
  for (const layer of plan.layers) {
    for (const entry of readdirSync(path.join(TEMPLATES_DIR, layer), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      // `x.py` and `x.py.hbs` would both write `x.py`.
      const file = path
        .relative(path.join(TEMPLATES_DIR, layer), path.join(entry.parentPath, entry.name))
        .replace(/\.hbs$/, '');
      if (file !== 'package.json') owners.set(file, [...(owners.get(file) ?? []), layer]);
    }
  }
  expect([...owners].filter(([, layers]) => layers.length > 1)).toEqual([]);
});

it('every version src/versions.ts lists is used by some combination of the declared choices', async () => {
  const used = new Set<string>();
  for (const variant of variants) {
    const files = await renderFiles(planProject(await optionsFor({ directory: 'variant', ...variant }), work));
    const manifest = JSON.parse(files.find((file) => file.path === 'package.json')!.content.toString());
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) used.add(name);
  }
  expect([...used].sort()).toEqual(Object.keys(generatedVersions).sort());
});

describe('renderFiles', () => {
  it('renders .hbs files, renames _dotfiles and lets later layers replace earlier files', async () => {
    const templates = path.join(work, 'templates');
    for (const [file, text] of Object.entries({
      'base/_gitignore': '.env\n',
      'base/hello.txt.hbs': 'name={{json projectName}} {{#if (eq framework "express")}}express{{/if}}',
      'base/src/same.ts': 'from base',
      'transport/streamable-http/src/same.ts': 'from the transport',
      'endpoints/streamable-http/src/same.ts': 'from the endpoints',
      'framework/express/src/same.ts': 'from express',
      'verifier/jwt/raw.ts': 'const x = "{{not rendered}}";',
      'base/package.json.hbs': '{"name": {{json projectName}}, "dependencies": {"b": "1"}}',
      'verifier/jwt/package.json.hbs': '{"dependencies": {"a": {{version "jose"}} } }',
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
      // A later layer's package.json is a fragment, merged into the earlier ones, not a replacement.
      'package.json': `${JSON.stringify({ name: 'x-y', dependencies: { a: generatedVersions.jose, b: '1' } }, null, 2)}\n`,
    });
  });

  it('fails on a variable the plan does not provide, instead of rendering an empty string', async () => {
    const templates = path.join(work, 'strict');
    mkdirSync(path.join(templates, 'base'), { recursive: true });
    mkdirSync(path.join(templates, 'transport/streamable-http'), { recursive: true });
    mkdirSync(path.join(templates, 'endpoints/streamable-http'), { recursive: true });
    mkdirSync(path.join(templates, 'framework/express'), { recursive: true });
    mkdirSync(path.join(templates, 'verifier/jwt'), { recursive: true });
    writeFileSync(path.join(templates, 'base/x.hbs'), '{{misspelled}}');
    const plan = planProject(await optionsFor({ directory: 'strict' }), work);
    await expect(renderFiles(plan, templates)).rejects.toThrow(/misspelled/);
  });
});

describe('mergePackageJson', () => {
  const merge = (...fragments: object[]) =>
    JSON.parse(
      mergePackageJson(
        fragments.map((value, i) => ({ source: `layer${i}/package.json.hbs`, text: JSON.stringify(value) })),
      ),
    );

  it('merges objects key by key in layer order, the later layer winning; keys keep their first place', () => {
    const merged = merge(
      { name: 'p', scripts: { dev: 'a', test: 'vitest' }, files: ['dist'] },
      { scripts: { dev: 'b', lint: 'x' }, files: ['src'], type: 'module' },
    );
    expect(merged).toEqual({
      name: 'p',
      scripts: { dev: 'b', test: 'vitest', lint: 'x' },
      files: ['src'],
      type: 'module',
    });
    expect(Object.keys(merged)).toEqual(['name', 'scripts', 'files', 'type']);
    expect(Object.keys(merged.scripts)).toEqual(['dev', 'test', 'lint']);
  });

  it('sorts every dependency map by name, whichever layer brought a package, and lists a package once', () => {
    const merged = merge(
      { dependencies: { zod: '1', '@scope/b': '1' }, devDependencies: { vitest: '4', jose: '6', '@types/node': '20' } },
      {
        dependencies: { express: '5', jose: '6' },
        devDependencies: { '@types/express': '5' },
        peerDependencies: { y: '1', x: '1' },
      },
    );
    expect(Object.keys(merged.dependencies)).toEqual(['@scope/b', 'express', 'jose', 'zod']);
    expect(Object.keys(merged.devDependencies)).toEqual(['@types/express', '@types/node', 'vitest']); // jose: a runtime dependency
    expect(Object.keys(merged.peerDependencies)).toEqual(['x', 'y']);
  });

  it('writes two-space JSON ending with a newline, as npm does', () => {
    expect(
      mergePackageJson([{ source: 'base/package.json.hbs', text: '{"name":"p","engines":{"node":">=20"}}' }]),
    ).toBe('{\n  "name": "p",\n  "engines": {\n    "node": ">=20"\n  }\n}\n');
  });

  it('names the template whose fragment is not a JSON object', () => {
    expect(() => mergePackageJson([{ source: 'framework/x/package.json.hbs', text: '{"dependencies": {},}' }])).toThrow(
      /^templates\/framework\/x\/package\.json\.hbs does not render to JSON/,
    );
    expect(() => mergePackageJson([{ source: 'verifier/y/package.json.hbs', text: '[]' }])).toThrow(
      'templates/verifier/y/package.json.hbs must render to a JSON object',
    );
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

  it.each([
    [
      'ENOSPC',
      /^Cannot write .*\/full\/project\/src\/b\.ts: no space left on the device \(ENOSPC\)\. Nothing was written\. Free some space/,
    ],
    [
      'EDQUOT',
      /^Cannot write .*\/full\/project\/src\/b\.ts: your disk quota is used up \(EDQUOT\)\. Nothing was written\./,
    ],
    [
      'EROFS',
      /^Cannot write .*\/full\/project\/src\/b\.ts: the file system is read-only \(EROFS\)\. Nothing was written\. Choose a folder on a writable disk\.$/,
    ],
    ['EACCES', /^Cannot write .*\/full\/project\/src\/b\.ts: permission denied \(EACCES\)\./],
  ])('turns %s from a write into one line naming the file, and leaves nothing behind', async (code, message) => {
    const target = path.join(work, 'full', 'project');
    // Node's write errors (ENOSPC from write(2)) carry no path; the message names the file anyway, as the user knows it.
    const failingFs: ProjectFs = {
      ...fs,
      writeFileSync: ((file: Parameters<typeof fs.writeFileSync>[0], ...rest: [never, never]) => {
        if (typeof file === 'string' && file.endsWith('b.ts'))
          throw Object.assign(new Error(`${code}: failed, write`), { code, syscall: 'write' });
        return fs.writeFileSync(file, ...rest);
      }) as ProjectFs['writeFileSync'],
    };
    const files = ['src/a.ts', 'src/b.ts'].map((file) => ({ path: file, content: Buffer.from('export {};\n') }));
    const error = (await writeProject(target, files, failingFs).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
    expect(existsSync(path.join(work, 'full'))).toBe(false);
  });

  it('on Ctrl-C while writing, removes what it wrote, says so and exits 130', async () => {
    // In a process of its own, which writeProject ends; the signal arrives while the third file is written.
    const target = path.join(work, 'interrupted', 'project');
    const script = `
      import * as fs from 'node:fs';
      import { writeProject } from ${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'src/render/render.ts')).href)};
      let writes = 0;
      const files = ['a.ts', 'src/b.ts', 'src/c.ts', 'test/d.ts'].map((file) => ({ path: file, content: Buffer.from('x') }));
      await writeProject(${JSON.stringify(target)}, files, {
        ...fs,
        writeFileSync(...args) {
          fs.writeFileSync(...args);
          if (++writes === 3) process.kill(process.pid, 'SIGINT');
        },
      });
      console.log('finished');`;
    const result = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      reject: false,
    });
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('\nInterrupted. Nothing was written.');
    expect(result.exitCode).toBe(130);
    expect(existsSync(path.join(work, 'interrupted'))).toBe(false);
  });

  it('writes into an existing folder without replacing it, staging inside it', async () => {
    const target = path.join(work, 'kept-inode');
    mkdirSync(target, { mode: 0o751 });
    chmodSync(target, 0o751);
    const before = statSync(target);
    await writeProject(target, [{ path: 'src/x.ts', content: Buffer.from('export {};\n') }]);
    const after = statSync(target);
    expect([after.ino, after.mode, after.uid]).toEqual([before.ino, before.mode, before.uid]);
    expect(readdirSync(target)).toEqual(['src']);
  });

  it('finds a file where a folder goes, or a folder where a file goes, before moving anything', async () => {
    const target = path.join(work, 'conflicts');
    mkdirSync(path.join(target, 'package.json'), { recursive: true });
    writeFileSync(path.join(target, 'src'), 'mine');
    const files = ['README.md', 'package.json', 'src/index.ts'].map((file) => ({
      path: file,
      content: Buffer.from('new'),
    }));
    await expect(writeProject(target, files)).rejects.toThrow(
      /^Cannot write into .*conflicts: package\.json is a folder where the project needs a file\. Move or remove it, then run again; nothing was written\.$/,
    );
    rmSync(path.join(target, 'package.json'), { recursive: true });
    await expect(writeProject(target, files)).rejects.toThrow(
      /src is a file where the project needs a folder \(for src\/index\.ts\)/,
    );
    expect(readdirSync(target)).toEqual(['src']); // README.md was not moved in first
    expect(readFileSync(path.join(target, 'src'), 'utf8')).toBe('mine');
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

describe('keepExistingState', () => {
  it.each([
    [
      '{"generator":',
      /logto-mcp\.json: it is not valid JSON \(.*\)\. Fix or remove it, then run again; nothing was written\.$/,
    ],
    ['null', /logto-mcp\.json: it holds null, not a JSON object\./],
    ['[1, 2]', /it holds \[1, 2\], not a JSON object/],
    ['"\u202Egnp"', /it holds "\\u\{202e\}gnp", not a JSON object/], // a raw bidi override is valid JSON
  ])('refuses a logto-mcp.json of %s, naming the file, in one line', async (old, message) => {
    const target = path.join(work, `keep-${Math.random().toString(36).slice(2)}`);
    mkdirSync(target);
    writeFileSync(path.join(target, 'logto-mcp.json'), old);
    const error = (await keepExistingState(target, [{ path: 'logto-mcp.json', content: Buffer.from('{}') }]).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(path.join(target, 'logto-mcp.json'));
  });

  it('leaves a folder named .env to writeProject, which names it', async () => {
    const target = path.join(work, 'env-folder');
    mkdirSync(path.join(target, '.env'), { recursive: true });
    const files = [{ path: '.env', content: Buffer.from('A=1\n') }];
    const { files: merged } = await keepExistingState(target, files);
    await expect(writeProject(target, merged)).rejects.toThrow(/\.env is a folder where the project needs a file/);
  });
});
