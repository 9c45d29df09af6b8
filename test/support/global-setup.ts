// Every test run gets a config folder of its own, so the CLI's remembered Logto endpoints
// (src/register/trusted-endpoints.ts) never come from, or go to, the real user's ~/.config.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clm-config-home-'));
  process.env.XDG_CONFIG_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
