import type Handlebars from 'handlebars';
import * as nodeFs from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ProjectPlan } from '../plan.js';
import { helpers } from './helpers.js';
import * as templateRuntime from './template-runtime.js';
import { fileSystemError } from './fs-errors.js';
import { mergePackageJson, type PackageJsonFragment } from './package-json.js';
import { UsageError } from '../errors.js';
import { STAGING_PREFIX } from '../options/target.js';
import { COMPILE_OPTIONS, precompiledRender } from './precompiled.js';
import { printable } from '../printable.js';

/** templates/ at the package root, found from dist/index.js (bundled) or src/render/ (from source). */
export const TEMPLATES_DIR = fileURLToPath(
  new URL(import.meta.url.includes('/src/render/') ? '../../templates' : '../templates', import.meta.url),
);

/** Files only their owner may read: they hold configuration and, after registration, an app secret. */
const PRIVATE_FILES = new Set(['.env']);

let compiler: typeof Handlebars | undefined;

/** A template's render function: compiled at build time when the bundle has it, else compiled now by Handlebars. */
async function compileTemplate(templatePath: string, source: string): Promise<(variables: object) => string> {
  const render = await precompiledRender(templatePath, source);
  if (render) return (variables) => render(variables, helpers, templateRuntime);
  if (!compiler) {
    compiler = (await import('handlebars')).default.create();
    compiler.registerHelper(helpers);
  }
  return compiler.compile(source, { ...COMPILE_OPTIONS }); // a copy: Handlebars adds to the options it is given
}

export interface TemplateFile {
  /** Path in the generated project, with `/` separators. */
  path: string;
  content: Buffer;
}

/**
 * The project's files: every layer's files, later layers replacing earlier ones; `.hbs` files rendered.
 * Except package.json: each layer's is a fragment, and the fragments are merged in layer order.
 */
export async function renderFiles(plan: ProjectPlan, templatesDir = TEMPLATES_DIR): Promise<TemplateFile[]> {
  const files = new Map<string, TemplateFile>();
  const packageJson: PackageJsonFragment[] = [];
  for (const layer of plan.layers) {
    const layerDir = under(templatesDir, layer);
    for (const relative of listFiles(layerDir)) {
      const templatePath = `${layer}/${relative}`;
      const source = readFileSync(under(layerDir, relative));
      const target = outputPath(relative, plan.variables.pythonModule);
      const content = relative.endsWith('.hbs')
        ? Buffer.from((await compileTemplate(templatePath, source.toString('utf8')))(plan.variables))
        : source;
      if (target === 'package.json') packageJson.push({ source: templatePath, text: content.toString('utf8') });
      else files.set(target, { path: target, content });
    }
  }
  if (packageJson.length > 0)
    files.set('package.json', { path: 'package.json', content: Buffer.from(mergePackageJson(packageJson)) });
  return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)); // not localeCompare: see package-json.ts
}

/**
 * `_gitignore` → `.gitignore` (npm publishing drops dotfiles), `x.ts.hbs` → `x.ts`; a `__module__` folder is the
 * Python project's import package. (`__init__.py` and `__main__.py` keep their names.)
 */
function outputPath(relative: string, pythonModule: string): string {
  return relative
    .split('/')
    .map((part) =>
      part === '__module__'
        ? pythonModule
        : part.startsWith('__')
          ? part.replace(/\.hbs$/, '')
          : part.replace(/^_/, '.').replace(/\.hbs$/, ''),
    )
    .join('/');
}

// The template files are small and few: read, and below written, with synchronous calls, as create-vite
// does. Each asynchronous call is a round trip through libuv's thread pool, and a project's few hundred of
// them, one after another, took longer than the rest of the run.
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(prefix ? under(dir, prefix) : dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(dir, relative) : [relative];
  });
}

/**
 * A `/`-separated relative path (names read from templates/, never `.` or `..`) under a folder that is already
 * absolute and normal: joined as it is. path.join normalizes what it joins character by character, and the
 * hundred-odd calls of a generation cost more instructions than reading the templates (callgrind).
 */
function under(folder: string, relative: string): string {
  return `${folder}${path.sep}${path.sep === '/' ? relative : relative.replaceAll('/', path.sep)}`;
}

/** The file-system calls writeProject makes: a seam, so that a test can make one fail (a full disk, a read-only folder). */
export type ProjectFs = Pick<
  typeof nodeFs,
  'chmodSync' | 'lstatSync' | 'mkdirSync' | 'mkdtempSync' | 'renameSync' | 'rmSync' | 'statSync' | 'writeFileSync'
>;

/**
 * Writes the files into a staging folder and moves them into place only once all are written, so a
 * failure or Ctrl-C leaves no half-written project. A new folder is the staging folder, renamed. An
 * existing folder (empty, or with --force; `.`, a mount point) is never replaced, so its inode, owner
 * and mode stay and a shell inside it stays valid: the staging folder is made inside it, and once no file
 * is found to need a folder's place (or a folder a file's), the files are moved in one by one, replacing
 * those of the same name and keeping the others. Errors are one line naming the path (see fs-errors.ts).
 * The calls are synchronous (see listFiles). A Ctrl-C is handled when the event loop next takes its turn:
 * once after the writes and once after the moves (a turn after each file made writing five times slower).
 */
export async function writeProject(targetDir: string, files: TemplateFile[], fs: ProjectFs = nodeFs): Promise<void> {
  const existing = isFolder(targetDir, fs);
  const parent = existing ? targetDir : path.dirname(targetDir);
  let createdParent: string | undefined;
  let staging: string | undefined;
  let moved = 0;
  let current = targetDir; // what is being written, as the user will know it (errors such as ENOSPC name no path)
  const cleanUp = () => {
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
    if (createdParent) fs.rmSync(createdParent, { recursive: true, force: true });
  };
  const writtenSoFar = () =>
    moved > 0
      ? `${moved} of ${files.length} files were already moved into ${printable(targetDir)}.`
      : 'Nothing was written.';
  const onSignal = () => {
    try {
      cleanUp();
    } finally {
      process.stderr.write(`\nInterrupted. ${writtenSoFar()}\n`);
      process.exit(130);
    }
  };
  process.once('SIGINT', onSignal);
  try {
    if (existing) {
      const conflict = findConflict(targetDir, files, fs);
      if (conflict)
        throw new UsageError(
          `Cannot write into ${printable(targetDir)}: ${printable(conflict)}. Move or remove it, then run again; nothing was written.`,
        );
    } else {
      createdParent = fs.mkdirSync(parent, { recursive: true });
    }
    staging = fs.mkdtempSync(path.join(parent, STAGING_PREFIX));
    fs.chmodSync(staging, 0o755); // mkdtemp makes it private; the project folder should not be.
    const folders = new Set<string>();
    const makeFolderOf = (file: string) => {
      const folder = file.slice(0, file.lastIndexOf(path.sep));
      if (!folders.has(folder)) fs.mkdirSync(folder, { recursive: true });
      folders.add(folder);
    };
    for (const file of files) {
      current = under(targetDir, file.path);
      const destination = under(staging, file.path);
      makeFolderOf(destination);
      fs.writeFileSync(destination, file.content, { mode: PRIVATE_FILES.has(file.path) ? 0o600 : 0o644 });
    }
    await handleSignals(); // a Ctrl-C while writing is handled here, before anything is moved into place
    if (!existing) {
      current = targetDir;
      fs.renameSync(staging, targetDir);
      return;
    }
    for (const file of files) {
      const destination = (current = under(targetDir, file.path));
      makeFolderOf(destination);
      fs.renameSync(under(staging, file.path), destination);
      moved += 1;
    }
    await handleSignals();
    fs.rmSync(staging, { recursive: true, force: true });
  } catch (error) {
    cleanUp();
    throw fileSystemError(error, 'write', current, writtenSoFar());
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/**
 * Lets the event loop handle a signal that came during synchronous calls. Two turns: the first may end
 * before the loop has polled for signals (when this is called from the poll phase).
 */
async function handleSignals(): Promise<void> {
  await nextTurn();
  await nextTurn();
}

function isFolder(targetDir: string, fs: ProjectFs): boolean {
  try {
    if (fs.statSync(targetDir).isDirectory()) return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fileSystemError(error, 'write', targetDir);
  }
  throw new UsageError(`${printable(targetDir)} exists and is not a folder.`);
}

/**
 * The first file of the project that an existing entry is in the way of: a file (or a link) where the
 * project needs a folder, or a folder where it needs a file. Found before anything is moved.
 */
function findConflict(targetDir: string, files: TemplateFile[], fs: ProjectFs): string | undefined {
  for (const file of files) {
    const parts = file.path.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const relative = parts.slice(0, depth).join('/');
      const entry = fs.lstatSync(under(targetDir, relative), { throwIfNoEntry: false });
      if (!entry) break;
      const needsFolder = depth < parts.length;
      if (needsFolder && !entry.isDirectory()) {
        return `${relative} is ${entry.isSymbolicLink() ? 'a symbolic link' : 'a file'} where the project needs a folder (for ${file.path})`;
      }
      if (!needsFolder && entry.isDirectory()) return `${relative} is a folder where the project needs a file`;
    }
  }
  return undefined;
}
