// `try` in a terminal, as a person runs it: the system browser is opened (a stand-in `xdg-open`/`open` on PATH
// that records the URL it is given, which the scripted user then follows), the wait shows a countdown, and a
// 403 insufficient_scope is offered as a question; answering yes signs in again for the tool's scope.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeTempDir, removeDir } from './support/cli.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer } from './support/logto-like-issuer.js';
import { startReferenceServer, type ReferenceServer } from './support/reference-resource-server.js';
import { ScriptedUserAgent } from './support/user-agent.js';

const APP_ID = 'try-terminal-app';
let issuer: LogtoLikeIssuer;
let server: ReferenceServer;
let work: string;
let browserLog: string;

beforeAll(async () => {
  issuer = await startLogtoLikeIssuer({ resources: {} });
  server = await startReferenceServer({ issuer: issuer.issuer, requiredScopes: ['greet:write'] });
  issuer.addResource(server.resource, { scopes: ['greet:write'] });
  issuer.addClient({
    clientId: APP_ID,
    type: 'native',
    redirectUris: ['http://127.0.0.1/callback'],
    thirdParty: true,
    consentScopes: { userScopes: ['profile', 'email'], resourceScopes: { [server.resource]: ['greet:write'] } },
  });
  work = makeTempDir('try-tty');
  browserLog = path.join(work, 'opened.txt');
  for (const name of ['xdg-open', 'open']) {
    const file = path.join(work, name);
    writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$1" >> "$BROWSER_LOG"\n`);
    chmodSync(file, 0o755);
  }
});
afterAll(async () => {
  await server?.close();
  await issuer?.close();
  if (work) removeDir(work);
});

async function until<T>(what: string, probe: () => T | undefined, screen: () => string): Promise<T> {
  for (let tries = 0; tries < 2400; tries++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never saw ${what}; screen:\n${screen()}`);
}

describe('try in a terminal', () => {
  it('opens the browser, counts down, and asks before signing in again for a 403 insufficient_scope', async () => {
    issuer.setUserScopes([]);
    const env = {
      ...process.env,
      NO_COLOR: '1',
      PATH: `${work}:${process.env.PATH}`,
      BROWSER_LOG: browserLog,
      XDG_CONFIG_HOME: work,
    } as Record<string, string>;
    const terminal = pty.spawn('node', [CLI, 'try', server.url, '--app-id', APP_ID], {
      cwd: work,
      cols: 400,
      rows: 50,
      env,
    });
    let screen = '';
    terminal.onData((data) => {
      screen += data;
    });
    const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
    try {
      const opened = (count: number) => () => {
        const lines = existsSync(browserLog) ? readFileSync(browserLog, 'utf8').split('\n').filter(Boolean) : [];
        return lines.length >= count ? lines[count - 1] : undefined;
      };
      const first = await until('the browser opened', opened(1), () => screen);
      // The URL the browser got is also printed, on its own line.
      expect(screen.split(/\r?\n/)).toContain(first);
      await until(
        'the countdown',
        () => (/left; Ctrl-C to stop/.test(screen) ? true : undefined),
        () => screen,
      );
      const agent = new ScriptedUserAgent();
      await agent.visit(first);

      await until(
        'the step-up question',
        () => (screen.includes('Sign in again for those scopes?') ? true : undefined),
        () => screen,
      );
      expect(screen).toContain('403 insufficient_scope, scope="greet:write"');
      issuer.setUserScopes(['greet:write']); // the user is given the role meanwhile
      terminal.write('y\r');
      const second = await until('the browser opened again', opened(2), () => screen);
      expect(new URL(second).searchParams.get('scope')?.split(' ')).toContain('greet:write');
      await agent.visit(second);
      expect(await exited).toBe(0);
      expect(screen).toContain('Signed in; whoami answered:');
      expect(screen).toMatch(/scope\s+greet:write/);
    } finally {
      terminal.kill();
      issuer.setUserScopes(undefined);
    }
  });
});
