import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeTempDir, removeDir, runCli } from './support/cli.js';
import { startManagementApiEmulator } from './support/management-api-emulator.js';

/** The CLI in a pseudo-terminal, answered prompt by prompt as a person would. */
function startInTerminal(args: string[], cwd: string, env: Record<string, string> = {}) {
  const terminal = pty.spawn('node', [CLI, ...args], {
    cwd,
    cols: 120,
    rows: 40,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
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
    const session = startInTerminal(
      ['--skip-issuer-check', '--no-install', '--no-git', '--framework', 'express'],
      work,
    );
    try {
      await session.answer('Project folder', `my-agent-server${ENTER}`);
      await session.answer('Logto issuer endpoint', `http://tenant.invalid/oidc${ENTER}`);
      await session.answer('must use https unless its host is localhost', '\x15'); // Ctrl-U clears the line
      await session.answer('Logto issuer endpoint', `https://tenant.invalid/oidc${ENTER}`);
      await session.answer('MCP transport', ENTER);
      await session.answer('Token verification', ENTER);
      await session.answer('Public URL of the MCP server', ENTER); // accept http://localhost:3001/mcp
      await session.answer('Scopes every request requires', `read:whoami${ENTER}`);
      await session.answer('Register the server in Logto now', ENTER); // default no
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    expect(session.screen()).not.toContain('Web framework'); // given as a flag
    expect(session.screen()).toContain('(not available: see --help)'); // the userinfo verifier, listed but disabled
    const env = parseEnv(readFileSync(path.join(work, 'my-agent-server', '.env'), 'utf8'));
    expect(env).toMatchObject({
      LOGTO_ISSUER: 'https://tenant.invalid/oidc',
      MCP_RESOURCE: 'http://localhost:3001/mcp',
      MCP_REQUIRED_SCOPES: 'read:whoami',
    });
  });

  it('asks for the M2M credentials when registering, never shows the secret, and asks before unregister deletes', async () => {
    const secret = 'typed-secret-NEVER-ON-SCREEN-93';
    const emulator = await startManagementApiEmulator({ m2mApps: [{ id: 'm2m', secret, managementAccess: true }] });
    const dir = path.join(work, 'to-register');
    try {
      const created = await runCli([
        dir,
        '--issuer',
        emulator.issuer,
        '--skip-issuer-check',
        '--no-install',
        '--no-git',
      ]);
      expect(created.exitCode).toBe(0);
      const session = startInTerminal(['register', dir], work, { LOGTO_M2M_APP_ID: '', LOGTO_M2M_APP_SECRET: '' });
      try {
        await session.answer('M2M app ID', `m2m${ENTER}`);
        await session.answer('M2M app secret', `${secret}${ENTER}`);
        expect(await session.exited).toBe(0);
      } finally {
        session.kill();
      }
      expect(session.screen()).not.toContain(secret);
      expect(parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).LOGTO_APP_ID).toBe(
        emulator.state.applications[0]?.id,
      );

      // unregister lists what it would delete (app, the role granting greet's scope, the claims-script block, the resource) and asks, defaulting to no; then yes removes it.
      const credentials = { LOGTO_M2M_APP_ID: 'm2m', LOGTO_M2M_APP_SECRET: secret };
      const declined = startInTerminal(['unregister', dir], work, credentials);
      try {
        await declined.answer(`application "${emulator.state.applications[0]!.name}"`, '');
        await declined.answer('Remove these 4 objects from Logto? (y/N)', ENTER);
        expect(await declined.exited).toBe(1);
      } finally {
        declined.kill();
      }
      expect(declined.screen()).toContain('Not confirmed; nothing was removed.');
      expect(emulator.state.applications).toHaveLength(1);
      const confirmed = startInTerminal(['unregister', dir], work, credentials);
      try {
        await confirmed.answer('Remove these 4 objects from Logto? (y/N)', `y${ENTER}`);
        expect(await confirmed.exited).toBe(0);
      } finally {
        confirmed.kill();
      }
      expect(emulator.state.applications).toEqual([]);
    } finally {
      await emulator.close();
    }
  });

  it('create asks whether to register now (default no); yes asks for the M2M credentials, the secret hidden, and registers', async () => {
    const secret = 'typed-secret-AT-CREATE-77';
    const emulator = await startManagementApiEmulator({ m2mApps: [{ id: 'm2m', secret, managementAccess: true }] });
    const dir = path.join(work, 'registered-at-create');
    const given = [
      '--issuer',
      emulator.issuer,
      '--skip-issuer-check',
      '--no-install',
      '--no-git',
      '--framework',
      'express',
      '--transport',
      'streamable-http',
      '--verifier',
      'jwt',
      '--resource',
      'http://localhost:3001/mcp',
      '--scopes',
      'read:whoami',
    ];
    try {
      const session = startInTerminal([dir, ...given], work, { LOGTO_M2M_APP_ID: '', LOGTO_M2M_APP_SECRET: '' });
      try {
        await session.answer('Register the server in Logto now', `y${ENTER}`);
        await session.answer('M2M app ID', `m2m${ENTER}`);
        await session.answer('M2M app secret', `${secret}${ENTER}`);
        expect(await session.exited).toBe(0);
      } finally {
        session.kill();
      }
      expect(session.screen()).not.toContain(secret);
      expect(emulator.state.applications).toHaveLength(1);
      expect(parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).LOGTO_APP_ID).toBe(
        emulator.state.applications[0]!.id,
      );
    } finally {
      await emulator.close();
    }
  });

  it('asks before sending the M2M credentials to an issuer from .env this machine never used, defaulting to no; yes is remembered', async () => {
    const secret = 'm2m-secret-ASKED-FIRST-51';
    const [known, unknown] = await Promise.all(
      [0, 1].map(() => startManagementApiEmulator({ m2mApps: [{ id: 'm2m', secret, managementAccess: true }] })),
    );
    const dir = path.join(work, 'copied-env');
    try {
      expect(
        (await runCli([dir, '--issuer', known!.issuer, '--skip-issuer-check', '--no-install', '--no-git'])).exitCode,
      ).toBe(0);
      // As if .env had been copied from a .env.example that names another Logto.
      const envPath = path.join(dir, '.env');
      writeFileSync(envPath, readFileSync(envPath, 'utf8').replace(known!.issuer, unknown!.issuer));
      const session = startInTerminal(['register', dir], work, {
        LOGTO_M2M_APP_ID: 'm2m',
        LOGTO_M2M_APP_SECRET: secret,
      });
      try {
        await session.answer(`Send the M2M credentials to ${unknown!.url}? (y/N)`, ENTER);
        expect(await session.exited).toBe(1);
      } finally {
        session.kill();
      }
      expect(session.screen()).toContain('where they have not been sent from this machine before');
      expect(session.screen()).toContain('Not confirmed; nothing was sent.');
      expect(unknown!.state.applications).toEqual([]);
      expect(unknown!.requests).toEqual([]);

      // Yes registers there and remembers it: the next run, even without a terminal, does not ask.
      const accepted = startInTerminal(['register', dir], work, {
        LOGTO_M2M_APP_ID: 'm2m',
        LOGTO_M2M_APP_SECRET: secret,
      });
      try {
        await accepted.answer(`Send the M2M credentials to ${unknown!.url}? (y/N)`, `y${ENTER}`);
        expect(await accepted.exited).toBe(0);
      } finally {
        accepted.kill();
      }
      expect(unknown!.state.applications).toHaveLength(1);
      expect(
        (await runCli(['register', dir], { env: { LOGTO_M2M_APP_ID: 'm2m', LOGTO_M2M_APP_SECRET: secret } })).exitCode,
      ).toBe(0);
    } finally {
      await Promise.all([known!.close(), unknown!.close()]);
    }
  });

  it('asks for the language first; Python offers only its own framework', async () => {
    const session = startInTerminal(
      ['py-server', '--skip-issuer-check', '--no-install', '--no-git', '--issuer', 'https://tenant.invalid/oidc'],
      work,
    );
    try {
      await session.answer('Language', `\x1b[B${ENTER}`); // down: Python
      await session.answer('Web framework', ENTER);
      for (const prompt of [
        'MCP transport',
        'Token verification',
        'Public URL of the MCP server',
        'Scopes every request requires',
        'Register the server in Logto now', // default no
      ]) {
        await session.answer(prompt, ENTER);
      }
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    expect(session.screen()).toContain('Starlette');
    expect(session.screen()).not.toContain('Hono');
    expect(JSON.parse(readFileSync(path.join(work, 'py-server', 'logto-mcp.json'), 'utf8'))).toMatchObject({
      language: 'python',
      framework: 'starlette',
    });
  });

  it('exits non-zero on Ctrl-C at a prompt and writes nothing', async () => {
    const session = startInTerminal(['cancelled', '--no-install', '--no-git'], work);
    try {
      await session.answer('Language', ENTER); // asked first: TypeScript
      await session.answer('Logto issuer endpoint', '\x03');
      expect(await session.exited).toBe(130);
    } finally {
      session.kill();
    }
    expect(session.screen()).toContain('Cancelled; nothing was written.');
    expect(existsSync(path.join(work, 'cancelled'))).toBe(false);
  });
});
