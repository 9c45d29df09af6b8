import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeTempDir, removeDir } from './support/cli.js';

/** The CLI in a pseudo-terminal, answered prompt by prompt as a person would. */
function startInTerminal(args: string[], cwd: string) {
  const terminal = pty.spawn('node', [CLI, ...args], { cwd, cols: 120, rows: 40, env: { ...process.env, NO_COLOR: '1' } as Record<string, string> });
  let screen = '';
  let seen = 0;
  const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
  terminal.onData((data) => {
    screen += data;
  });
  return {
    /** Waits until `text` appears after what was already consumed, then types `keys`. */
    async answer(text: string, keys: string) {
      for (let tries = 0; ; tries++) {
        const at = screen.indexOf(text, seen);
        if (at >= 0) {
          seen = at + text.length;
          break;
        }
        if (tries > 400) throw new Error(`never saw ${JSON.stringify(text)} on screen:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      terminal.write(keys);
    },
    exited,
    screen: () => screen,
    kill: () => terminal.kill(),
  };
}

const ENTER = '\r';
let work: string;
beforeAll(() => {
  work = makeTempDir('tty');
});
afterAll(() => removeDir(work));

describe('in a terminal', () => {
  it('asks only for what the flags did not give, re-asks on an invalid answer, and generates the project', async () => {
    const session = startInTerminal(['--skip-issuer-check', '--no-install', '--no-git', '--framework', 'express'], work);
    try {
      await session.answer('Project folder', `my-agent-server${ENTER}`);
      await session.answer('Logto issuer endpoint', `http://tenant.invalid/oidc${ENTER}`);
      await session.answer('must use https unless its host is localhost', '\x15'); // Ctrl-U clears the line
      await session.answer('Logto issuer endpoint', `https://tenant.invalid/oidc${ENTER}`);
      await session.answer('MCP transport', ENTER);
      await session.answer('Token verification', ENTER);
      await session.answer('Public URL of the MCP server', ENTER); // accept http://localhost:3001/mcp
      await session.answer('Scopes every request requires', `read:whoami${ENTER}`);
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    expect(session.screen()).not.toContain('Web framework'); // given as a flag
    const env = parseEnv(readFileSync(path.join(work, 'my-agent-server', '.env'), 'utf8'));
    expect(env).toMatchObject({ LOGTO_ISSUER: 'https://tenant.invalid/oidc', MCP_RESOURCE: 'http://localhost:3001/mcp', MCP_REQUIRED_SCOPES: 'read:whoami' });
  });

  it('exits non-zero on Ctrl-C at a prompt and writes nothing', async () => {
    const session = startInTerminal(['cancelled', '--no-install', '--no-git'], work);
    try {
      await session.answer('Logto issuer endpoint', '\x03');
      expect(await session.exited).toBe(130);
    } finally {
      session.kill();
    }
    expect(session.screen()).toContain('Cancelled; nothing was written.');
    expect(existsSync(path.join(work, 'cancelled'))).toBe(false);
  });
});
