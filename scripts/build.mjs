// Bundles the CLI and all its dependencies into dist/, so `npm create logto-mcp` downloads a single
// package with no dependency tree (as create-vite does). Split into chunks: dist/index.js holds what
// every start needs, and what only some commands use (prompts, registration, installing) is imported
// when they run, so `--version` or a `--yes` run does not parse code it never calls.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';

const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

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
  logLevel: 'warning',
});
