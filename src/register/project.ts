import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from '../errors.js';
import { dotenv } from '../render/encoders.js';

export const CONFIG_FILE = 'logto-mcp.json';

/** What register created and found in Logto, kept under "logto" in logto-mcp.json. Never holds a secret. */
export interface LogtoRecord {
  endpoint: string;
  managementEndpoint: string;
  managementResource: string;
  resource?: { id: string; indicator: string };
  /** Scope name → scope ID. */
  scopes?: Record<string, string>;
  role?: { id: string; name: string };
  application?: { id: string; name: string; type: string; thirdParty: boolean };
  dynamicApps?: boolean;
  /** IDs of what this tool created (not what already existed): unregister removes exactly these. */
  created: { resource?: string; scopeIds?: string[]; role?: string; application?: string };
}

export interface Project {
  dir: string;
  /** The package name, else the folder name. */
  name: string;
  /** The project's .env values, or .env.example's when there is no .env. */
  env: Record<string, string>;
  config: Record<string, unknown>;
  record?: LogtoRecord;
}

export async function readProject(dir: string): Promise<Project> {
  const configPath = path.join(dir, CONFIG_FILE);
  if (!existsSync(configPath)) {
    throw new UsageError(`${path.resolve(dir)} is not a project made by create-logto-mcp: it has no ${CONFIG_FILE}.`);
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`Cannot read ${configPath}: ${(error as Error).message}`);
  }
  const envFile = ['.env', '.env.example'].map((name) => path.join(dir, name)).find((file) => existsSync(file));
  const env = envFile ? (parseEnv(await readFile(envFile, 'utf8')) as Record<string, string>) : {};
  const packageName = await readFile(path.join(dir, 'package.json'), 'utf8').then(
    (text) => (JSON.parse(text) as { name?: unknown }).name,
    () => undefined,
  );
  const name = typeof packageName === 'string' && packageName ? packageName : path.basename(path.resolve(dir));
  return { dir, name, env, config, record: config.logto as LogtoRecord | undefined };
}

/** Writes the record under "logto" (or removes it), keeping the rest of logto-mcp.json as it was. */
export async function saveRecord(dir: string, record: LogtoRecord | undefined): Promise<void> {
  const configPath = path.join(dir, CONFIG_FILE);
  const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  delete config.logto;
  if (record) {
    const { created, ...found } = record;
    config.logto = { ...found, created };
  }
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
}

/**
 * Sets (or, for undefined, removes) variables in the project's .env and leaves every other byte as it
 * was. A project without .env gets one made from .env.example, so the server keeps its settings.
 * The file is mode 0600 and git-ignored: it holds the app secret.
 */
export async function setEnvValues(dir: string, values: Record<string, string | undefined>): Promise<void> {
  const envPath = path.join(dir, '.env');
  const examplePath = path.join(dir, '.env.example');
  let text = existsSync(envPath) ? await readFile(envPath, 'utf8') : existsSync(examplePath) ? await readFile(examplePath, 'utf8') : '';
  for (const [key, value] of Object.entries(values)) {
    const line = new RegExp(`^[ \\t]*(?:export[ \\t]+)?${key}[ \\t]*=.*$`, 'm');
    const lineWithBreak = new RegExp(`^[ \\t]*(?:export[ \\t]+)?${key}[ \\t]*=.*(?:\\r?\\n|$)`, 'gm');
    if (value === undefined) {
      text = text.replace(lineWithBreak, '');
      continue;
    }
    const assignment = `${key}=${dotenv(value)}`;
    if (line.test(text)) {
      // Replace the first assignment and drop later ones, which would otherwise win.
      let seen = false;
      text = text.replace(lineWithBreak, (match) => {
        if (seen) return '';
        seen = true;
        return match.replace(line, assignment);
      });
    } else {
      text += `${text && !text.endsWith('\n') ? '\n' : ''}${assignment}\n`;
    }
  }
  await writeFile(envPath, text, { mode: 0o600 });
  await chmod(envPath, 0o600);
  await ensureGitIgnored(dir);
}

const ENV_IGNORES = new Set(['.env', '/.env', '.env*', '/.env*', '*.env']);

async function ensureGitIgnored(dir: string): Promise<void> {
  const ignorePath = path.join(dir, '.gitignore');
  const text = existsSync(ignorePath) ? await readFile(ignorePath, 'utf8') : '';
  if (text.split(/\r?\n/).some((line) => ENV_IGNORES.has(line.trim()))) return;
  await writeFile(ignorePath, `${text}${text && !text.endsWith('\n') ? '\n' : ''}.env\n`);
}
