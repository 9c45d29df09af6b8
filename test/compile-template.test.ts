/**
 * The templates compiled to JavaScript at build time (src/render/compile-template.ts) render exactly what
 * Handlebars renders: every template, for every variant's variables and more, and a corpus of the constructs
 * they may use, with Handlebars' own compile (strict, no escaping) as the reference.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { createOptionSpecs, type CreateOptions } from '../src/options/create-options.js';
import { resolveOptions } from '../src/options/define.js';
import { planProject } from '../src/plan.js';
import { compileTemplate } from '../src/render/compile-template.js';
import { helpers } from '../src/render/helpers.js';
import { COMPILE_OPTIONS } from '../src/render/precompiled.js';
import { TEMPLATES_DIR } from '../src/render/render.js';
import * as runtime from '../src/render/template-runtime.js';
import { pythonVariants, variants, type Variant } from './support/variants.js';

const handlebars = Handlebars.create();
handlebars.registerHelper(helpers);

type Outcome = { text: string } | { threw: true };
function outcome(render: () => string): Outcome {
  try {
    return { text: render() };
  } catch {
    return { threw: true };
  }
}

/** Both ways of rendering a source: Handlebars (the reference) and the compiled function. */
function renderBoth(source: string, name = 'test.hbs') {
  const reference = handlebars.compile(source, { ...COMPILE_OPTIONS });
  const code = compileTemplate(source, name, Object.keys(helpers));
  const compiled = new Function(`return ${code};`)() as (
    variables: object,
    h: typeof helpers,
    rt: typeof runtime,
  ) => string;
  return (variables: object) => ({
    handlebars: outcome(() => reference(variables)),
    compiled: outcome(() => compiled(variables, helpers, runtime)),
  });
}

const templates = readdirSync(TEMPLATES_DIR, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.hbs'))
  .map((file) => file.split(path.sep).join('/'))
  .sort();

async function variablesFor(language: 'typescript' | 'python', variant: Variant, flags: Record<string, unknown>) {
  const options: CreateOptions = await resolveOptions(
    createOptionSpecs,
    { directory: 'my-server', issuer: 'https://abc.logto.app/oidc', language, ...variant, ...flags },
    { interactive: false, yes: true },
  );
  return planProject(options, '/projects').variables;
}

describe('templates compiled at build time', () => {
  it('render every template as Handlebars does, for every variant, scope list, package manager and resource', async () => {
    expect(templates.length).toBeGreaterThan(20);
    const renderers = new Map(
      templates.map((name) => [name, renderBoth(readFileSync(path.join(TEMPLATES_DIR, name), 'utf8'), name)]),
    );
    const extras: Record<string, unknown>[] = [
      {},
      { scopes: 'read:whoami' },
      { scopes: 'read:whoami write:notes admin' },
      { resource: 'https://mcp.example.invalid/tools/mcp', port: '8080' },
      { resource: 'http://[::1]:4000/mcp' },
    ];
    let compared = 0;
    for (const [language, matrix, managers] of [
      ['typescript', variants, ['npm', 'pnpm', 'yarn', 'bun']],
      ['python', pythonVariants, ['uv', 'pip']],
    ] as const) {
      for (const variant of matrix) {
        for (const [index, extra] of extras.entries()) {
          const variables = await variablesFor(language, variant, {
            packageManager: managers[index % managers.length],
            ...extra,
          });
          for (const [name, render] of renderers) {
            if (!name.startsWith('python/') !== (language === 'typescript')) continue;
            const { handlebars: expected, compiled } = render(variables);
            expect(compiled, `${name} for ${JSON.stringify(variant)} ${JSON.stringify(extra)}`).toEqual(expected);
            if ('text' in expected) compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(400);
  });

  it('render the constructs they may use as Handlebars does, whatever the values', () => {
    const corpus = [
      'a {{name}} b',
      '{{#if flag}}yes{{else}}no{{/if}}',
      '{{#unless flag}}no{{else}}yes{{/unless}}',
      '{{#if list}}some{{else if flag}}flag{{else}}none{{/if}}',
      '{{#if list.length}}{{list.length}}{{/if}}',
      '{{#each list}}{{@index}}:{{this}}{{#unless @last}}, {{/unless}}{{/each}}',
      '{{#each list}}{{#if @first}}[{{/if}}{{json this}}{{#if @last}}]{{/if}}{{else}}empty{{/each}}',
      '{{json name}} {{mdCode name}} {{md name}} {{shell name}} {{env name}} {{py name}} {{toml name}}',
      '{{#if (eq name "x")}}x{{/if}}{{toml (concat "src/" name ".py")}}',
      '{{version "jose"}} {{requirement "mcp"}} {{requiresPython}}',
      '{{missing}}',
      '{{json missing}}',
      '{{#if missing}}m{{/if}}',
      '{{nested.inner}}',
      '{{count}} {{flag}} {{{name}}}',
      '{{! a comment }}line\n  {{#if flag}}\n  standalone\n  {{/if}}\n{{#each list}}\n- {{this}}\n{{/each}}\n',
    ];
    const values = fc.record(
      {
        name: fc.oneof(fc.constant('x'), fc.string({ maxLength: 8 })),
        flag: fc.oneof(fc.boolean(), fc.constantFrom(0, 1, '', 'y', null, undefined)),
        list: fc.oneof(fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }), fc.constantFrom('', undefined)),
        count: fc.integer({ min: -2, max: 2 }),
        nested: fc.oneof(fc.record({ inner: fc.string({ maxLength: 3 }) }), fc.constant(undefined)),
      },
      { requiredKeys: [] },
    );
    for (const source of corpus) {
      const render = renderBoth(source);
      fc.assert(
        fc.property(values, (variables) => {
          const { handlebars: expected, compiled } = render(variables);
          expect(compiled, source).toEqual(expected);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('refuse at build time, naming the template and line, what they would not render as Handlebars does', () => {
    const refusals: Array<[string, RegExp]> = [
      ['line\n{{> partial}}', /^t\.hbs:2: PartialStatement is not supported/],
      ['{{#with a}}x{{/with}}', /the block \{\{#with\}\}/],
      ['{{json a pretty=true}}', /a hash argument/],
      ['{{#each list}}{{../name}}{{/each}}', /the parent context \(\.\.\/name\)/],
      ['{{nosuch a}}', /the helper nosuch \(src\/render\/helpers\.ts has no such helper\)/],
      ['{{@index}}', /@index outside #each/],
      ['{{#each list as |item|}}{{item}}{{/each}}', /block parameters/],
      ['{{#if a b}}x{{/if}}', /#if without exactly one argument/],
      ['{{"literal"}}', /a literal in place of a name/],
      ['{{log}}', /\{\{log\}\}, one of Handlebars' own helpers/],
      ['{{#if a}}{{lookup}}{{/if}}', /\{\{lookup\}\}, one of Handlebars' own helpers/],
    ];
    for (const [source, message] of refusals)
      expect(() => compileTemplate(source, 't.hbs', Object.keys(helpers)), source).toThrow(message);
  });
});
