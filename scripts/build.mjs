// Bundles the CLI and all its dependencies into dist/, so `npm create logto-mcp` downloads a single
// package with no dependency tree (as create-vite does). Split into chunks: dist/index.js holds what
// every start needs, and what only some commands use (prompts, registration, installing) is imported
// when they run, so `--version` or a `--yes` run does not parse code it never calls.
import { build } from 'esbuild';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * src/render/precompiled.ts, filled: every templates/**\/*.hbs compiled to a JavaScript function
 * (src/render/compile-template.ts), one module per language (precompiled.ts's PRECOMPILED names the languages,
 * templateLanguage() says whose a template is), each under the template's path with the source it was compiled
 * from (as precompiled.ts looks them up). render.ts gives the functions the helpers and template-runtime.ts.
 */
const precompileTemplates = {
  name: 'precompile-templates',
  setup(plugin) {
    const renderDir = path.join(root, 'src', 'render');
    plugin.onLoad({ filter: /[\\/]src[\\/]render[\\/]precompiled\.ts$/ }, async (args) => {
      const { PRECOMPILED } = await loadModule(args.path);
      const loaders = Object.keys(PRECOMPILED).map(
        (language) => `  ${language}: () => import('precompiled:${language}').then((module) => module.default),`,
      );
      const original = await readFile(args.path, 'utf8');
      const contents = original.replace(
        /export const PRECOMPILED\b[\s\S]*?\n\};/,
        `export const PRECOMPILED = {\n${loaders.join('\n')}\n};`,
      );
      if (contents === original) throw new Error(`${args.path}: found no PRECOMPILED to fill`);
      return { contents, loader: 'ts' };
    });
    plugin.onResolve({ filter: /^precompiled:/ }, (args) => ({
      path: `precompiled-${args.path.slice('precompiled:'.length)}`,
      namespace: 'precompiled',
    }));
    plugin.onLoad({ filter: /.*/, namespace: 'precompiled' }, async (args) => {
      const [{ templateLanguage }, { compileTemplate }, { helpers }] = await Promise.all(
        ['precompiled.ts', 'compile-template.ts', 'helpers.ts'].map((file) => loadModule(path.join(renderDir, file))),
      );
      const language = args.path.slice('precompiled-'.length);
      const templates = path.join(root, 'templates');
      const entries = [];
      for (const file of (await readdir(templates, { recursive: true })).filter((name) => name.endsWith('.hbs'))) {
        const templatePath = file.split(path.sep).join('/');
        if (templateLanguage(templatePath) !== language) continue;
        const source = await readFile(path.join(templates, file), 'utf8');
        const render = compileTemplate(source, templatePath, Object.keys(helpers));
        entries.push(`${JSON.stringify(templatePath)}: { source: ${JSON.stringify(source)}, render: ${render} }`);
      }
      return {
        contents: `${await importStartup()}\nexport default {\n${entries.join(',\n')}\n};`,
        loader: 'js',
        resolveDir: renderDir,
      };
    });
  },
};

/**
 * Fewer files on start-up. esbuild puts each module into the chunk of the entry points that reach it; a
 * command or a template module loaded with import() is an entry point, and each reaches a different part of
 * what a start loads, so that part came out as a dozen small chunks, and Node loads each file with a few trips
 * through its thread pool. Every module loaded with import() from src/, and each language's compiled
 * templates, also imports what index.ts imports (the default command, create, included), so that all of it is
 * reached by the same entry points and makes one chunk. At run time this costs nothing (those modules are
 * loaded already), and a generation loads four files of ours.
 */
/** `import "...";` of each module index.ts imports, for a module's end. */
async function importStartup() {
  const src = path.join(root, 'src');
  const text = await readFile(path.join(src, 'index.ts'), 'utf8');
  return [...text.matchAll(/^import (?!type )[^;]* from '([^']+)';$/gm)]
    .map(([, specifier]) =>
      specifier.startsWith('.') ? path.resolve(src, specifier.replace(/\.js$/, '.ts')) : specifier,
    )
    .map((module) => `import ${JSON.stringify(module)};`)
    .join('\n');
}

const oneStartupChunk = {
  name: 'one-startup-chunk',
  async setup(plugin) {
    const src = path.join(root, 'src');
    const relative = (from, specifier) => path.resolve(path.dirname(from), specifier.replace(/\.js$/, '.ts'));
    const lazy = new Set();
    for (const file of (await readdir(src, { recursive: true })).filter((name) => name.endsWith('.ts'))) {
      const text = await readFile(path.join(src, file), 'utf8');
      for (const [, specifier] of text.matchAll(/import\('(\.\.?\/[^']+)'\)/g))
        lazy.add(relative(path.join(src, file), specifier));
    }
    const startup = await importStartup();
    plugin.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      if (!lazy.has(args.path)) return undefined;
      const contents = await readFile(args.path, 'utf8');
      return {
        contents: `${contents}\n${startup}\n`,
        loader: 'ts',
      };
    });
  },
};

/** A TypeScript module of this repository, bundled to a data: URL and imported (Node 20 cannot import .ts). */
async function loadModule(file) {
  const { outputFiles } = await build({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
}

await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ['src/index.ts'],
  outdir: 'dist',
  // Chunks sit beside index.js: src/render/render.ts finds templates/ relative to the file it is in.
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  define: { __CLI_VERSION__: JSON.stringify(version) },
  // Some bundled dependencies are CommonJS and call require() for Node built-ins.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  minify: true,
  plugins: [precompileTemplates, oneStartupChunk],
  logLevel: 'warning',
});
