// The project's own files that registration reads and writes. Everything committed to a repository
// (logto-mcp.json, .env.example, a tracked .env) is untrusted: anyone who can open a pull request can
// change it. So this module never hands such a file's values to code that sends credentials or deletes:
// the record is only a list of hints (checked against Logto before use), and values that steer where
// credentials go come from the user's flags or the project's private, git-ignored .env.
import { randomBytes } from 'node:crypto';
import { lstat, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import * as v from 'valibot';
import { UsageError } from '../errors.js';
import { printable } from '../printable.js';
import { dotenv } from '../render/encoders.js';
import { fileSystemReason } from '../render/fs-errors.js';
import { OIDC_SCOPES, SCOPE_TOKEN } from '../options/create-options.js';
import { REGISTRATION_KEY } from './ownership.js';

export const CONFIG_FILE = 'logto-mcp.json';
/** Which scopes each tool of the server needs (the server reads it too: src/config.ts of the project). */
export const TOOL_SCOPES_FILE = 'tool-scopes.json';

// Logto IDs are short words (`k3x9...`, `management-api`); anything else in the file is refused, so no escape sequence is ever printed.
const Id = v.pipe(v.string(), v.regex(/^[\w-]{1,128}$/));
export const LogtoRecordSchema = v.object({
  endpoint: v.string(),
  managementEndpoint: v.string(),
  managementResource: v.string(),
  resource: v.optional(v.object({ id: Id, indicator: v.string() })),
  /** Scope name → scope ID. */
  scopes: v.optional(v.record(v.string(), Id)),
  role: v.optional(v.object({ id: Id, name: v.string() })),
  application: v.optional(v.object({ id: Id, name: v.string(), type: v.string(), thirdParty: v.boolean() })),
  dynamicApps: v.optional(v.boolean()),
  /** IDs of what register created (not what already existed): what unregister may remove, once Logto confirms each is this project's. */
  created: v.object({
    resource: v.optional(Id),
    scopeIds: v.optional(v.array(Id)),
    role: v.optional(Id),
    application: v.optional(Id),
    /** This copy's block of the tenant's custom access-token claims script (claims-script.ts). */
    profileClaims: v.optional(v.boolean()),
    /** HMAC of these IDs under the project's registration key (ownership.ts). */
    signature: v.optional(v.pipe(v.string(), v.regex(/^[\w-]{1,100}$/))),
  }),
});

/** What register created and found in Logto, kept under "logto" in logto-mcp.json. Never holds a secret; never proof of anything. */
export type LogtoRecord = v.InferOutput<typeof LogtoRecordSchema>;

export interface Project {
  dir: string;
  /** The package name, else the folder name. */
  name: string;
  /** The project's private .env (empty when there is none, or when it is committed to git and so not private). */
  env: Record<string, string>;
  /** Why `env` is empty although the project has configuration: said in errors that ask for a value. */
  envNote?: string;
  /** The committed .env.example's values: untrusted, a default only for what steers neither credentials nor deletions (the scopes). */
  exampleEnv: Record<string, string>;
  config: Record<string, unknown>;
  record?: LogtoRecord;
  /**
   * tool-scopes.json: tool name → the scopes it needs, validated (scope tokens, no OpenID Connect scope); empty
   * without the file (a project made before it existed). Committed, so untrusted: only names of scopes to
   * create on this project's own resource, printed before they are.
   */
  toolScopes: Record<string, string[]>;
}

export async function readProject(dir: string): Promise<Project> {
  const configPath = path.join(dir, CONFIG_FILE);
  const configText = await readRegularFile(configPath);
  if (configText === undefined) {
    throw new UsageError(`${path.resolve(dir)} is not a project made by create-logto-mcp: it has no ${CONFIG_FILE}.`);
  }
  const config = parseConfig(configText, configPath);
  const parsedRecord = config.logto === undefined ? undefined : v.safeParse(LogtoRecordSchema, config.logto);
  if (parsedRecord && !parsedRecord.success) {
    const issue = parsedRecord.issues[0];
    const where = v.getDotPath(issue) ?? '';
    throw new UsageError(
      `${configPath}: "logto${where ? `.${printable(where, 100)}` : ''}" is not what register writes (${printable(issue.message)}). ` +
        `Fix or remove the "logto" entry; unregister and register use it only as hints.`,
    );
  }

  const { env, envNote } = await readPrivateEnv(dir);
  // Checked now, before anything is sent: register writes .gitignore at the end.
  await readRegularFile(path.join(dir, '.gitignore'));
  const example = await readRegularFile(path.join(dir, '.env.example'));
  const exampleEnv = example === undefined ? {} : (parseEnv(example) as Record<string, string>);
  const name = (await packageName(dir)) ?? path.basename(path.resolve(dir));
  const toolScopes = await readToolScopes(dir);
  return { dir, name, env, envNote, exampleEnv, config, record: parsedRecord?.output, toolScopes };
}

const ToolScopesSchema = v.object({
  tools: v.record(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,128}$/, 'a tool name is letters, digits, _ . - (at most 128)')),
    v.pipe(
      v.array(
        v.pipe(
          v.string(),
          v.regex(SCOPE_TOKEN, 'not a valid OAuth scope (printable ASCII, no spaces, quotes or backslashes)'),
          v.check((scope) => !OIDC_SCOPES.has(scope), 'an OpenID Connect scope, which Logto handles itself'),
        ),
      ),
      v.maxLength(100),
    ),
  ),
});

async function readToolScopes(dir: string): Promise<Record<string, string[]>> {
  const file = path.join(dir, TOOL_SCOPES_FILE);
  const text = await readRegularFile(file);
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${printable((error as Error).message, 120)}).`);
  }
  const parsed = v.safeParse(ToolScopesSchema, value);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = v.getDotPath(issue);
    throw new UsageError(
      `${file}: ${where ? `"${printable(where, 100)}" is ` : ''}${printable(issue.message)}. It lists each tool's scopes: {"tools": {"greet": ["greet:write"]}}.`,
    );
  }
  return Object.fromEntries(Object.entries(parsed.output.tools).map(([tool, scopes]) => [tool, [...new Set(scopes)]]));
}

/** The name in package.json, if it has a usable one; a missing or broken package.json is not register's business. */
async function packageName(dir: string): Promise<string | undefined> {
  try {
    const text = await readRegularFile(path.join(dir, 'package.json'));
    const name = text === undefined ? undefined : (JSON.parse(text) as { name?: unknown } | null)?.name;
    return typeof name === 'string' && /^[\w@./-]{1,214}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

function parseConfig(text: string, file: string): Record<string, unknown> {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not valid JSON (${printable((error as Error).message, 120)}). Fix it, or generate the project again with --force.`,
    );
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new UsageError(
      `${file} must hold a JSON object, as create-logto-mcp writes it. Fix it, or generate the project again with --force.`,
    );
  }
  return config as Record<string, unknown>;
}

/**
 * The .env the server reads, which only this machine has: git-ignored, mode 0600. A .env that git
 * tracks came with the clone like any committed file, so its values are not used.
 */
async function readPrivateEnv(dir: string): Promise<{ env: Record<string, string>; envNote?: string }> {
  const text = await readRegularFile(path.join(dir, '.env'));
  if (text === undefined) {
    return {
      env: {},
      envNote:
        'the project has no .env (its committed .env.example is not read: anyone who can change the repository controls it)',
    };
  }
  if (await isTrackedByGit(dir, '.env')) {
    return { env: {}, envNote: "the project's .env is committed to git, so it came with the clone and is not trusted" };
  }
  const env = parseEnv(text) as Record<string, string>;
  // A registration key copied from the committed example would let the repository choose the mark.
  const example = await readRegularFile(path.join(dir, '.env.example'));
  if (example !== undefined && parseEnv(example)[REGISTRATION_KEY] === env[REGISTRATION_KEY])
    delete env[REGISTRATION_KEY];
  return { env };
}

async function isTrackedByGit(dir: string, file: string): Promise<boolean> {
  // core.fsmonitor in a repository's own .git/config is a command git runs when it reads the index.
  const args = ['-c', 'core.fsmonitor=false', 'ls-files', '--error-unmatch', '--', file];
  const { execa } = await import('execa');
  const result = await execa('git', args, { cwd: dir, reject: false, stdin: 'ignore' }).catch(() => undefined);
  return result?.exitCode === 0;
}

/** The file's text; undefined when it does not exist. A symlink is refused: writing through it would change another file. */
export async function readRegularFile(file: string): Promise<string | undefined> {
  const stats = await lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UsageError(`Cannot read ${file}: ${error.code ?? error.message}.`);
  });
  if (!stats) return undefined;
  if (stats.isSymbolicLink())
    throw new UsageError(
      `${file} is a symbolic link; register and unregister read and write only regular files. Replace it with a file.`,
    );
  if (!stats.isFile()) throw new UsageError(`${file} is not a regular file.`);
  return readFile(file, 'utf8');
}

/**
 * Replaces a file by writing a new one beside it and renaming it over the old, so the content and the
 * mode are never seen half-done, and a symlink in its place is replaced rather than followed.
 */
export async function writeFileAtomically(file: string, text: string, mode: number): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { mode, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UsageError(
      `Cannot write ${file}: ${fileSystemReason(error)}. Check that it and its folder are writable and the disk has room.`,
    );
  }
}

/** Writes the record under "logto" (or removes it), keeping the rest of logto-mcp.json as it was. */
export async function saveRecord(dir: string, record: LogtoRecord | undefined): Promise<void> {
  const configPath = path.join(dir, CONFIG_FILE);
  const config = parseConfig((await readRegularFile(configPath)) ?? '{}', configPath);
  delete config.logto;
  if (record) {
    const { created, ...found } = record;
    config.logto = { ...found, created };
  }
  await writeFileAtomically(configPath, `${JSON.stringify(config, null, 2)}\n`, 0o644);
}

/**
 * Sets (or, for undefined, removes) variables in the project's .env and leaves every other byte as it
 * was. A project without .env gets one made from .env.example with `whenCreated` set on top, so the
 * server keeps the example's other settings but never a committed issuer or resource.
 * The file is mode 0600 and git-ignored: it holds the app secret.
 */
export async function setEnvValues(
  dir: string,
  values: Record<string, string | undefined>,
  whenCreated: Record<string, string> = {},
): Promise<void> {
  const envPath = path.join(dir, '.env');
  const existing = await readRegularFile(envPath);
  let text = existing ?? (await readRegularFile(path.join(dir, '.env.example'))) ?? '';
  for (const [key, value] of Object.entries({ ...(existing === undefined ? whenCreated : {}), ...values })) {
    text = setEnvLine(text, key, value);
  }
  // A re-run that changes nothing writes nothing.
  if (text !== existing) await writeFileAtomically(envPath, text, 0o600);
  await ensureGitIgnored(dir);
}

function setEnvLine(text: string, key: string, value: string | undefined): string {
  const line = new RegExp(`^[ \\t]*(?:export[ \\t]+)?${key}[ \\t]*=.*$`, 'm');
  const lineWithBreak = new RegExp(`^[ \\t]*(?:export[ \\t]+)?${key}[ \\t]*=.*(?:\\r?\\n|$)`, 'gm');
  if (value === undefined) return text.replace(lineWithBreak, '');
  const assignment = `${key}=${dotenv(value)}`;
  if (!line.test(text)) return `${text}${text && !text.endsWith('\n') ? '\n' : ''}${assignment}\n`;
  // Replace the first assignment and drop later ones, which would otherwise win.
  let seen = false;
  return text.replace(lineWithBreak, (match) => {
    if (seen) return '';
    seen = true;
    return match.replace(line, () => assignment);
  });
}

const ENV_IGNORES = new Set(['.env', '/.env', '.env*', '/.env*', '*.env']);

/** Appends `.env` unless the last rule about it ignores it (a later `!.env` would let git commit the secret). */
async function ensureGitIgnored(dir: string): Promise<void> {
  const ignorePath = path.join(dir, '.gitignore');
  const text = (await readRegularFile(ignorePath)) ?? '';
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => ENV_IGNORES.has(line.replace(/^!/, '')));
  if (rules.length > 0 && !rules.at(-1)!.startsWith('!')) return;
  await writeFileAtomically(ignorePath, `${text}${text && !text.endsWith('\n') ? '\n' : ''}.env\n`, 0o644);
}
