import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { dotenv } from './encoders.js';
import { fileSystemError } from './fs-errors.js';
import { UsageError } from '../errors.js';
import { printable } from '../printable.js';
import type { TemplateFile } from './render.js';

type Merge = (old: string, fresh: string) => { content: string; kept: string[] };

/** The files that hold what `register` wrote, and how to carry that into their new version. */
const MERGES: Record<string, Merge> = {
  // Variables the new .env does not set: LOGTO_APP_ID, LOGTO_APP_SECRET, anything the user added.
  '.env': (old, fresh) => {
    const missing = Object.entries(parseEnv(old)).filter(([name]) => !(name in parseEnv(fresh)));
    const lines = missing.map(([name, value]) => {
      try {
        return `${name}=${dotenv(value)}\n`;
      } catch {
        throw new Error(
          `${printable(name, 60)} holds a value that cannot be written back (a line break, or every kind of quote)`,
        );
      }
    });
    return {
      content: `${fresh.replace(/\n?$/, '\n')}${lines.join('')}`,
      kept: missing.map(([name]) => `${name} in .env`),
    };
  },
  // The record of what was created in Logto, without which `unregister` would not know what to remove.
  'logto-mcp.json': (old, fresh) => {
    let record: unknown;
    try {
      record = JSON.parse(old);
    } catch (error) {
      throw new Error(`it is not valid JSON (${printable((error as Error).message, 120)})`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record))
      throw new Error(`it holds ${printable(old.trim(), 40)}, not a JSON object`);
    const { logto } = record as { logto?: unknown };
    if (logto === undefined) return { content: fresh, kept: [] };
    return {
      content: `${JSON.stringify({ ...JSON.parse(fresh), logto }, null, 2)}\n`,
      kept: ['the Logto registration record in logto-mcp.json'],
    };
  },
};

/**
 * When a project is generated again over an existing one (--force), what `register` wrote survives.
 * A file that cannot be read or merged stops the run, naming it, before anything is written.
 */
export async function keepExistingState(
  targetDir: string,
  files: TemplateFile[],
): Promise<{ files: TemplateFile[]; kept: string[] }> {
  const kept: string[] = [];
  const result: TemplateFile[] = [];
  for (const file of files) {
    const merge = MERGES[file.path];
    const where = path.join(targetDir, file.path);
    const old = merge && readExisting(where);
    if (!merge || old === undefined) {
      result.push(file);
      continue;
    }
    let merged: ReturnType<Merge>;
    try {
      merged = merge(old, file.content.toString('utf8'));
    } catch (error) {
      throw new UsageError(
        `Cannot keep what is in ${printable(where)}: ${(error as Error).message}. Fix or remove it, then run again; nothing was written.`,
      );
    }
    kept.push(...merged.kept);
    result.push({ ...file, content: Buffer.from(merged.content) });
  }
  return { files: result, kept };
}

/** The file's text, or undefined when there is none (a folder of that name is reported by writeProject). */
function readExisting(where: string): string | undefined {
  try {
    return readFileSync(where, 'utf8'); // synchronous, as render.ts reads and writes
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    throw fileSystemError(error, 'read', where, 'Nothing was written.');
  }
}
