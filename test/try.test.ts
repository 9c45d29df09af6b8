// `create-logto-mcp try`, run as users run it (the built CLI, a child process, --no-open), against the Logto-like
// issuer and the reference resource server on loopback; a scripted user agent follows the printed URL through
// login and consent, as a person at a browser does.
import { execa, type ResultPromise } from 'execa';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeTempDir, removeDir } from './support/cli.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer } from './support/logto-like-issuer.js';
import { startReferenceServer, type ReferenceServer } from './support/reference-resource-server.js';
import { getFreePort } from './support/ports.js';
import { lineWatcher, ScriptedUserAgent } from './support/user-agent.js';

const APP_ID = 'try-third-party-app';
let issuer: LogtoLikeIssuer;
let server: ReferenceServer;
let stepUpServer: ReferenceServer;
let home: string;

beforeAll(async () => {
  issuer = await startLogtoLikeIssuer({ resources: {} });
  server = await startReferenceServer({ issuer: issuer.issuer });
  stepUpServer = await startReferenceServer({ issuer: issuer.issuer, requiredScopes: ['greet:write'] });
  issuer.addResource(server.resource, { scopes: [] });
  issuer.addResource(stepUpServer.resource, { scopes: ['greet:write'] });
  // As register makes it: a third-party Native app with the loopback redirect and its consent scopes.
  issuer.addClient({
    clientId: APP_ID,
    type: 'native',
    redirectUris: ['http://127.0.0.1/callback'],
    thirdParty: true,
    consentScopes: { userScopes: ['profile', 'email'], resourceScopes: { [stepUpServer.resource]: ['greet:write'] } },
  });
  home = makeTempDir('try-home');
});

afterAll(async () => {
  await server?.close();
  await stepUpServer?.close();
  await issuer?.close();
  if (home) removeDir(home);
});

function startTry(
  args: string[],
  cwd?: string,
): { child: ResultPromise; stdout: ReturnType<typeof lineWatcher>; stderr: ReturnType<typeof lineWatcher> } {
  const child = execa('node', [CLI, 'try', ...args], {
    cwd,
    reject: false,
    stdin: 'ignore',
    env: { NO_COLOR: '1', XDG_CONFIG_HOME: home, LOGTO_APP_ID: '', LOGTO_APP_SECRET: '' },
  });
  return { child, stdout: lineWatcher(child.stdout), stderr: lineWatcher(child.stderr) };
}

const isAuthorizationUrl = (line: string) => line.startsWith(`${issuer.issuer}/auth?`);

function redirectPort(url: string): number {
  return Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('try', () => {
  it('signs in through the printed URL (login and consent) and prints whoami', async () => {
    issuer.setConsentAnswer('accept');
    const { child, stdout } = startTry([server.url, '--app-id', APP_ID, '--no-open']);
    const url = await stdout.next(isAuthorizationUrl);
    const authorization = new URL(url);
    // What a spec-following MCP client sends, found from the server's 401 and metadata.
    expect(authorization.searchParams.get('resource')).toBe(server.resource);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('client_id')).toBe(APP_ID);
    expect(authorization.searchParams.get('scope')).toBe('openid profile email');
    expect(new URL(authorization.searchParams.get('redirect_uri')!).hostname).toBe('127.0.0.1');

    const agent = new ScriptedUserAgent();
    const visit = await agent.visit(url);
    expect(visit.callbackStatus).toBe(200);
    const result = await child;
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Signed in; whoami answered:');
    expect(result.stdout).toMatch(new RegExp(`sub\\s+${issuer.user.sub}`));
    expect(result.stdout).toMatch(new RegExp(`client_id\\s+${APP_ID}`));
    // A third-party app always goes through the consent step.
    expect(issuer.interactions.filter((step) => step.clientId === APP_ID).map((step) => step.prompt)).toContain(
      'consent',
    );
    // No token is printed (they are JWTs: three base64url parts).
    expect(result.stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(await portIsClosed(redirectPort(url))).toBe(true);
  });

  it('reads the URL and the app from the project folder, and prints JSON with --json', async () => {
    const dir = makeTempDir('try-project');
    try {
      writeFileSync(path.join(dir, 'logto-mcp.json'), JSON.stringify({ transport: 'streamable-http' }));
      writeFileSync(
        path.join(dir, '.env'),
        `LOGTO_ISSUER=${issuer.issuer}\nMCP_RESOURCE=${server.url}\nLOGTO_APP_ID=${APP_ID}\n`,
      );
      const { child, stderr } = startTry(['--no-open', '--json', '--scope', 'openid profile'], dir);
      const url = await stderr.next(isAuthorizationUrl);
      expect(new URL(url).searchParams.get('scope')).toBe('openid profile');
      await new ScriptedUserAgent().visit(url);
      const result = await child;
      expect(result.exitCode).toBe(0);
      const output = JSON.parse(String(result.stdout)) as {
        tool: string;
        result: { sub: string; aud: string };
        isError: boolean;
        signIns: number;
      };
      expect(output).toMatchObject({
        tool: 'whoami',
        isError: false,
        signIns: 1,
        result: { sub: issuer.user.sub, aud: server.resource },
      });
    } finally {
      removeDir(dir);
    }
  });

  it('says what was refused when the user declines the consent', async () => {
    issuer.setConsentAnswer('decline');
    try {
      const { child, stdout } = startTry([server.url, '--app-id', APP_ID, '--no-open']);
      const url = await stdout.next(isAuthorizationUrl);
      await new ScriptedUserAgent().visit(url);
      const result = await child;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('Logto refused the sign-in: access_denied (End-User aborted interaction)');
      expect(result.stderr).toContain(
        'The user declined the consent screen or the sign-in, or nothing requested (openid profile email) could be granted',
      );
      expect(await portIsClosed(redirectPort(url))).toBe(true);
    } finally {
      issuer.setConsentAnswer('accept');
    }
  });

  it('stops after --timeout with a clear message, freeing the port', async () => {
    const { child, stdout } = startTry([server.url, '--app-id', APP_ID, '--no-open', '--timeout', '2s']);
    const url = await stdout.next(isAuthorizationUrl);
    const result = await child;
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('Waiting up to 2s for the sign-in');
    expect(result.stderr).toContain('No sign-in within 2s; nothing was kept.');
    expect(await portIsClosed(redirectPort(url))).toBe(true);
  });

  it('stops on Ctrl-C (SIGINT) with exit code 130, freeing the port', async () => {
    const { child, stdout } = startTry([server.url, '--app-id', APP_ID, '--no-open']);
    const url = await stdout.next(isAuthorizationUrl);
    await stdout.next((line) => line.startsWith('Waiting up to'));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('Cancelled');
    expect(await portIsClosed(redirectPort(url))).toBe(true);
  });

  it('shows a 403 insufficient_scope challenge and, without --step-up, stops naming it', async () => {
    issuer.setUserScopes([]);
    try {
      const { child, stdout } = startTry([stepUpServer.url, '--app-id', APP_ID, '--no-open']);
      await new ScriptedUserAgent().visit(await stdout.next(isAuthorizationUrl));
      const result = await child;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('403 insufficient_scope, scope="greet:write"');
      expect(result.stderr).toContain('run again with --step-up');
    } finally {
      issuer.setUserScopes(undefined);
    }
  });

  it('with --step-up signs in again for the scopes the challenge names and calls the tool', async () => {
    issuer.setUserScopes([]);
    try {
      const { child, stderr } = startTry([stepUpServer.url, '--app-id', APP_ID, '--no-open', '--step-up', '--json']);
      const agent = new ScriptedUserAgent();
      // The user lacks the role at first, so the token lacks greet:write and the server answers 403.
      await agent.visit(await stderr.next(isAuthorizationUrl));
      // Given the role in Logto, the user signs in again through the second URL.
      issuer.setUserScopes(['greet:write']);
      const second = await stderr.next(isAuthorizationUrl);
      expect(new URL(second).searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['greet:write']));
      await agent.visit(second);
      const result = await child;
      expect(result.exitCode).toBe(0);
      const output = JSON.parse(String(result.stdout)) as {
        signIns: number;
        grantedScope: string;
        result: { scope: string };
      };
      expect(output.signIns).toBe(2);
      expect(output.result.scope.split(' ')).toContain('greet:write');
    } finally {
      issuer.setUserScopes(undefined);
    }
  });

  it('with --step-up, stops when the new token still lacks the scope (the user holds no role granting it)', async () => {
    issuer.setUserScopes([]);
    try {
      const { child, stderr } = startTry([stepUpServer.url, '--app-id', APP_ID, '--no-open', '--step-up', '--json']);
      const agent = new ScriptedUserAgent();
      await agent.visit(await stderr.next(isAuthorizationUrl));
      await agent.visit(await stderr.next(isAuthorizationUrl));
      const result = await child;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'Signed in again, but the token still lacks what whoami needs ("greet:write"): the user holds no role granting it',
      );
      expect(agent.visits).toHaveLength(2);
    } finally {
      issuer.setUserScopes(undefined);
    }
  });

  it('signs in with a Traditional app: its secret from .env, on the --port its exact redirect URI names', async () => {
    const port = await getFreePort();
    const secret = 'traditional-secret-NEVER-PRINTED';
    issuer.addClient({
      clientId: 'try-web-app',
      type: 'traditional',
      clientSecret: secret,
      redirectUris: [`http://127.0.0.1:${port}/callback`],
      thirdParty: true,
      consentScopes: { userScopes: ['profile', 'email'], resourceScopes: {} },
    });
    const dir = makeTempDir('try-web');
    try {
      writeFileSync(path.join(dir, 'logto-mcp.json'), JSON.stringify({ transport: 'streamable-http' }));
      writeFileSync(
        path.join(dir, '.env'),
        `LOGTO_ISSUER=${issuer.issuer}\nMCP_RESOURCE=${server.url}\nLOGTO_APP_ID=try-web-app\nLOGTO_APP_SECRET=${secret}\n`,
      );
      const { child, stdout } = startTry(['--no-open', '--port', String(port)], dir);
      const url = await stdout.next(isAuthorizationUrl);
      expect(new URL(url).searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
      await new ScriptedUserAgent().visit(url);
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(result.stdout).toMatch(/client_id\s+try-web-app/);
      expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
    } finally {
      removeDir(dir);
    }
  });

  it("does not use the app secret with a Logto other than the project's LOGTO_ISSUER", async () => {
    const dir = makeTempDir('try-secret');
    try {
      writeFileSync(path.join(dir, 'logto-mcp.json'), JSON.stringify({ transport: 'streamable-http' }));
      // The server's metadata names the Logto-like issuer; the project's app belongs to another Logto.
      const env = `LOGTO_ISSUER=http://127.0.0.1:9/oidc\nMCP_RESOURCE=${server.url}\nLOGTO_APP_ID=${APP_ID}\nLOGTO_APP_SECRET=app-secret-NEVER-SENT\n`;
      writeFileSync(path.join(dir, '.env'), env);
      const before = issuer.requests.length;
      const result = await startTry(['--no-open'], dir).child;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        `The server's metadata sends the sign-in to ${issuer.origin}, not to LOGTO_ISSUER http://127.0.0.1:9/oidc`,
      );
      expect(result.stdout).not.toContain('/oidc/auth?');
      // Discovery only: nothing was posted to the issuer, so the secret went nowhere.
      expect(issuer.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
      expect(`${result.stdout}${result.stderr}`).not.toContain('app-secret-NEVER-SENT');
    } finally {
      removeDir(dir);
    }
  });

  it('says to start the server when nothing answers at the URL', async () => {
    const stopped = await startReferenceServer({ issuer: issuer.issuer });
    await stopped.close();
    const result = await startTry([stopped.url, '--app-id', APP_ID, '--no-open']).child;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Nothing answers at ${stopped.url}: start the server first`);
  });

  it("names doctor when the MCP client refuses the server's metadata (a resource with another path)", async () => {
    const wrong = await startReferenceServer({
      issuer: issuer.issuer,
      misconfigure: { resource: (origin) => `${origin}/other` },
    });
    try {
      const result = await startTry([wrong.url, '--app-id', APP_ID, '--no-open']).child;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        /The MCP client refused the server's metadata: Protected resource .*\/other does not match .*; run doctor/,
      );
      expect(result.stdout).not.toContain('/oidc/auth?');
    } finally {
      await wrong.close();
    }
  });

  it('explains the refusal when the server advertises no scope', async () => {
    const scopeless = await startReferenceServer({ issuer: issuer.issuer, misconfigure: { scopes: [] } });
    issuer.addResource(scopeless.resource, { scopes: [] });
    try {
      const { child, stdout } = startTry([scopeless.url, '--app-id', APP_ID, '--no-open']);
      await new ScriptedUserAgent().visit(await stdout.next(isAuthorizationUrl));
      const result = await child;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'Logto refused the sign-in: access_denied. Nothing was requested: the server advertises no scope',
      );
    } finally {
      await scopeless.close();
    }
  });

  it('names register when the project has no app', async () => {
    const dir = makeTempDir('try-noapp');
    try {
      writeFileSync(path.join(dir, 'logto-mcp.json'), JSON.stringify({ transport: 'streamable-http' }));
      writeFileSync(path.join(dir, '.env'), `MCP_RESOURCE=${server.url}\n`);
      const { child } = startTry(['--no-open'], dir);
      const result = await child;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        /No Logto app to sign in with: the project's \.env has no LOGTO_APP_ID\. Run `.* register` in the project first/,
      );
    } finally {
      removeDir(dir);
    }
  });
});
