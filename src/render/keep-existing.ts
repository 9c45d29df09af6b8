import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { dotenv } from './encoders.js';
import type { TemplateFile } from './render.js';

/**
 * When a project is generated again over an existing one (--force), what `register` wrote must
 * survive: variables in the old .env that the new one does not set (LOGTO_APP_ID, LOGTO_APP_SECRET,
 * anything the user added) are carried over, and so is the `logto` record in logto-mcp.json, without
 * which `unregister` would not know what to remove.
 */
export async function keepExistingState(targetDir: string, files: TemplateFile[]): Promise<{ files: TemplateFile[]; kept: string[] }> {
  const kept: string[] = [];
  const updated = await Promise.all(
    files.map(async (file) => {
      const old = await readFile(path.join(targetDir, file.path), 'utf8').catch(() => undefined);
      if (old === undefined) return file;
      if (file.path === '.env') {
        const fresh = file.content.toString('utf8');
        const missing = Object.entries(parseEnv(old)).filter(([name]) => !(name in parseEnv(fresh)));
        if (missing.length === 0) return file;
        kept.push(...missing.map(([name]) => `${name} in .env`));
        const lines = missing.map(([name, value]) => `${name}=${dotenv(value)}`);
        return { ...file, content: Buffer.from(`${fresh.replace(/\n?$/, '\n')}${lines.join('\n')}\n`) };
      }
      if (file.path === 'logto-mcp.json') {
        const record = (JSON.parse(old) as { logto?: unknown }).logto;
        if (record === undefined) return file;
        kept.push('the Logto registration record in logto-mcp.json');
        const fresh = JSON.parse(file.content.toString('utf8')) as Record<string, unknown>;
        return { ...file, content: Buffer.from(`${JSON.stringify({ ...fresh, logto: record }, null, 2)}\n`) };
      }
      return file;
    }),
  );
  return { files: updated, kept };
}
