import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { dotenv } from './encoders.js';
import type { TemplateFile } from './render.js';

type Merge = (old: string, fresh: string) => { content: string; kept: string[] };

/** The files that hold what `register` wrote, and how to carry that into their new version. */
const MERGES: Record<string, Merge> = {
  // Variables the new .env does not set: LOGTO_APP_ID, LOGTO_APP_SECRET, anything the user added.
  '.env': (old, fresh) => {
    const missing = Object.entries(parseEnv(old)).filter(([name]) => !(name in parseEnv(fresh)));
    const lines = missing.map(([name, value]) => `${name}=${dotenv(value)}\n`);
    return { content: `${fresh.replace(/\n?$/, '\n')}${lines.join('')}`, kept: missing.map(([name]) => `${name} in .env`) };
  },
  // The record of what was created in Logto, without which `unregister` would not know what to remove.
  'logto-mcp.json': (old, fresh) => {
    const { logto } = JSON.parse(old) as { logto?: unknown };
    if (logto === undefined) return { content: fresh, kept: [] };
    return { content: `${JSON.stringify({ ...JSON.parse(fresh), logto }, null, 2)}\n`, kept: ['the Logto registration record in logto-mcp.json'] };
  },
};

/** When a project is generated again over an existing one (--force), what `register` wrote survives. */
export async function keepExistingState(targetDir: string, files: TemplateFile[]): Promise<{ files: TemplateFile[]; kept: string[] }> {
  const kept: string[] = [];
  const result: TemplateFile[] = [];
  for (const file of files) {
    const merge = MERGES[file.path];
    const old = merge && (await readFile(path.join(targetDir, file.path), 'utf8').catch(() => undefined));
    if (!merge || old === undefined) {
      result.push(file);
      continue;
    }
    const merged = merge(old, file.content.toString('utf8'));
    kept.push(...merged.kept);
    result.push({ ...file, content: Buffer.from(merged.content) });
  }
  return { files: result, kept };
}
