/**
 * The built bundle (npm test builds it first): the templates it compiled at build time are the ones on
 * disk, each language's in its own module, and a template changed after the build is compiled from its
 * source, not served stale.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { PRECOMPILED, templateLanguage, type PrecompiledTemplates } from '../src/render/precompiled.js';
import { makeTempDir, removeDir, REPO_ROOT } from './support/cli.js';

const DIST = path.join(REPO_ROOT, 'dist');
const TEMPLATES = path.join(REPO_ROOT, 'templates');
const work = makeTempDir('bundle');
afterAll(() => removeDir(work));

describe('the bundle', () => {
  it('holds every template compiled, a module per language, under the path and source render.ts looks it up by', async () => {
    const templates = readdirSync(TEMPLATES, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.hbs'))
      .map((name) => name.split(path.sep).join('/'));
    expect(templates.length).toBeGreaterThan(0);
    for (const language of Object.keys(PRECOMPILED) as (keyof typeof PRECOMPILED)[]) {
      const chunk = readdirSync(DIST).find((name) => name.startsWith(`precompiled-${language}-`));
      expect(chunk, `dist/precompiled-${language}-*.js`).toBeDefined();
      const { default: compiled } = (await import(pathToFileURL(path.join(DIST, chunk!)).href)) as {
        default: PrecompiledTemplates;
      };
      const own = templates.filter((name) => templateLanguage(name) === language);
      expect(own.length).toBeGreaterThan(0);
      expect(Object.keys(compiled).sort()).toEqual(own.sort());
      for (const name of own) expect(compiled[name]!.source).toBe(readFileSync(path.join(TEMPLATES, name), 'utf8'));
    }
  });

  it('renders a template edited after the build from its source', async () => {
    const copy = path.join(work, 'package');
    for (const part of ['bin', 'dist', 'templates', 'package.json'])
      cpSync(path.join(REPO_ROOT, part), path.join(copy, part), { recursive: true });
    const readme = path.join(copy, 'templates', 'base', 'README.md.hbs');
    writeFileSync(readme, `${readFileSync(readme, 'utf8')}\nEdited after the build: {{md projectName}}\n`);
    const result = await execa(
      'node',
      [
        path.join(copy, 'bin', 'create-logto-mcp.js'),
        'edited',
        '--yes',
        '--issuer',
        'https://tenant.invalid/oidc',
        '--skip-issuer-check',
        '--no-install',
        '--no-git',
      ],
      {
        cwd: work,
        reject: false,
        env: { NO_COLOR: '1', XDG_CONFIG_HOME: path.join(work, 'config') },
      },
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(readFileSync(path.join(work, 'edited', 'README.md'), 'utf8')).toContain(
      '\nEdited after the build: edited\n',
    );
  }, 60_000);
});
