import Handlebars from 'handlebars';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProjectPlan } from '../plan.js';
import { generatedVersions } from '../versions.js';
import { dotenv, json, markdown, markdownCode, shell } from './encoders.js';

/** templates/ at the package root, found from dist/index.js (bundled) or src/render/ (from source). */
export const TEMPLATES_DIR = fileURLToPath(
  new URL(import.meta.url.includes('/src/render/') ? '../../templates/' : '../templates/', import.meta.url),
);

/** Files only their owner may read: they hold configuration and, after registration, an app secret. */
const PRIVATE_FILES = new Set(['.env']);

const handlebars = Handlebars.create();
handlebars.registerHelper({
  json: (value: unknown) => json(value),
  env: (value: unknown) => dotenv(value),
  md: (value: unknown) => markdown(value),
  mdCode: (value: unknown) => markdownCode(value),
  shell: (value: unknown) => shell(value),
  eq: (a: unknown, b: unknown) => a === b,
  version(name: unknown) {
    const range = generatedVersions[name as keyof typeof generatedVersions];
    if (!range) throw new Error(`templates ask for the version of ${String(name)}, which src/versions.ts does not list`);
    return json(range);
  },
});

export interface TemplateFile {
  /** Path in the generated project, with `/` separators. */
  path: string;
  content: Buffer;
}

/** The project's files: every layer's files, later layers replacing earlier ones; `.hbs` files rendered. */
export async function renderFiles(plan: ProjectPlan, templatesDir = TEMPLATES_DIR): Promise<TemplateFile[]> {
  const files = new Map<string, TemplateFile>();
  for (const layer of plan.layers) {
    const layerDir = path.join(templatesDir, layer);
    for (const relative of await listFiles(layerDir)) {
      const source = await readFile(path.join(layerDir, relative));
      const target = outputPath(relative);
      const content = relative.endsWith('.hbs')
        ? Buffer.from(handlebars.compile(source.toString('utf8'), { noEscape: true, strict: true })(plan.variables))
        : source;
      files.set(target, { path: target, content });
    }
  }
  return [...files.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** `_gitignore` → `.gitignore` (npm publishing drops dotfiles), `x.ts.hbs` → `x.ts`. */
function outputPath(relative: string): string {
  return relative
    .split(path.sep)
    .map((part) => part.replace(/^_/, '.').replace(/\.hbs$/, ''))
    .join('/');
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const relative = path.join(prefix, entry.name);
      return entry.isDirectory() ? listFiles(dir, relative) : [relative];
    }),
  );
  return nested.flat();
}

/**
 * Writes the files into a hidden folder beside the target and moves them into place only once all are
 * written, so a failure or Ctrl-C leaves no half-written project. Into an existing folder (empty, or
 * with --force) files are moved one by one, replacing those of the same name and keeping the others.
 */
export async function writeProject(targetDir: string, files: TemplateFile[]): Promise<void> {
  const parent = path.dirname(targetDir);
  const createdParent = await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(targetDir)}-creating-`));
  await chmod(staging, 0o755); // mkdtemp makes it private; the project folder should not be.
  const cleanUp = () => rm(staging, { recursive: true, force: true });
  const onSignal = () => {
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  try {
    for (const file of files) {
      const destination = path.join(staging, file.path);
      await mkdir(path.dirname(destination), { recursive: true });
      await writeFile(destination, file.content, { mode: PRIVATE_FILES.has(file.path) ? 0o600 : 0o644 });
    }
    await moveIntoPlace(staging, targetDir, files);
  } catch (error) {
    await cleanUp();
    if (createdParent) await rm(createdParent, { recursive: true, force: true });
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

async function moveIntoPlace(staging: string, targetDir: string, files: TemplateFile[]): Promise<void> {
  try {
    await rename(staging, targetDir);
    return;
  } catch (error) {
    // The target exists (empty, or --force): move file by file.
    if (!['EEXIST', 'ENOTEMPTY', 'EISDIR', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  for (const file of files) {
    const destination = path.join(targetDir, file.path);
    await mkdir(path.dirname(destination), { recursive: true });
    await rename(path.join(staging, file.path), destination);
    if (PRIVATE_FILES.has(file.path)) await chmod(destination, 0o600);
  }
  await rm(staging, { recursive: true, force: true });
}
