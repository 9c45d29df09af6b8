import { mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from './support/cli.js';
import { startMisbehavingIssuer, type Misbehaviour } from './support/misbehaving-issuer.js';
import {
  checkCreateOptions,
  createOptionSpecs,
  detectPackageManager,
  packageNameFor,
  parseIssuer,
  parseScopes,
  type CreateOptions,
} from '../src/options/create-options.js';
import { checkIssuer, MAX_DISCOVERY_BYTES } from '../src/options/check-issuer.js';
import { resolveOptions } from '../src/options/define.js';
import { UsageError } from '../src/errors.js';
import { firstUnprintable } from '../src/printable.js';

const scratch = makeTempDir('options');
afterAll(() => removeDir(scratch));
const nonInteractive = { interactive: false, yes: false };
const resolve = (flags: Record<string, unknown>, context = nonInteractive) =>
  resolveOptions(createOptionSpecs, flags, context);
const issuer = 'https://abc123.logto.app/oidc';

describe('create options', () => {
  it('takes every answer from flags, and defaults the rest', async () => {
    const options = await resolve({ directory: path.join(scratch, 'fresh'), issuer });
    expect(options).toMatchObject({
      issuer,
      framework: 'express',
      transport: 'streamable-http',
      verifier: 'jwt',
      resource: 'http://localhost:3001/mcp',
      port: 3001,
      scopes: [],
      install: true,
      git: true,
      force: false,
    });
  });

  it('derives the resource from --port and the port from --resource', async () => {
    const dir = path.join(scratch, 'p');
    expect(await resolve({ directory: dir, issuer, port: '4100' })).toMatchObject({
      resource: 'http://localhost:4100/mcp',
      port: 4100,
    });
    // The default resource's path follows the transport.
    expect(await resolve({ directory: dir, issuer, transport: 'sse' })).toMatchObject({
      resource: 'http://localhost:3001/sse',
      port: 3001,
    });
    expect(await resolve({ directory: dir, issuer, transport: 'sse', port: '4100' })).toMatchObject({
      resource: 'http://localhost:4100/sse',
    });
    // Both transports: the resource is Streamable HTTP's, and SSE is served below it.
    expect(await resolve({ directory: dir, issuer, transport: 'both' })).toMatchObject({
      resource: 'http://localhost:3001/mcp',
    });
    expect(await resolve({ directory: dir, issuer, resource: 'http://127.0.0.1:4200/mcp' })).toMatchObject({
      port: 4200,
    });
    expect(await resolve({ directory: dir, issuer, resource: 'https://mcp.example.com/mcp' })).toMatchObject({
      port: 3001,
    });
    // An https resource on loopback sits behind a local TLS proxy: the server's port is its own.
    expect(await resolve({ directory: dir, issuer, resource: 'https://localhost/mcp' })).toMatchObject({ port: 3001 });
    expect(await resolve({ directory: dir, issuer, resource: 'https://localhost/mcp', port: '3005' })).toMatchObject({
      port: 3005,
    });
  });

  it('names the flag when a required answer is missing and there is no terminal', async () => {
    await expect(resolve({ directory: path.join(scratch, 'x') })).rejects.toThrow(
      /Missing --issuer \(Logto issuer endpoint.*\)\. To go on, pass --issuer \(there is no terminal to ask in\)\./,
    );
    // --yes takes defaults, but the issuer has none.
    await expect(resolve({}, { interactive: false, yes: true })).rejects.toThrow(/--issuer/);
    expect(await resolve({ issuer })).toMatchObject({ directory: 'logto-mcp-server' });
  });

  it.each([
    ['issuer', 'abc123.logto.app/oidc', /not an absolute URL/],
    ['issuer', 'ftp://abc123.logto.app/oidc', /http\(s\)/],
    ['issuer', 'http://abc123.logto.app/oidc', /https unless its host is localhost/],
    ['issuer', 'https://user:pw@abc123.logto.app/oidc', /user name or password/],
    ['issuer', 'https://abc123.logto.app/oidc?x=1', /query or fragment/],
    ['resource', 'http://mcp.example.com/mcp', /https/],
    ['resource', 'http://127.0.0.2:3001/mcp', /https unless its host is localhost, 127\.0\.0\.1 or \[::1\]/],
    ['resource', 'https://mcp.example.com', /include the MCP endpoint path/],
    ['resource', 'https://mcp.example.com/mcp/', /trailing slash/],
    ['resource', 'http://LOCALHOST:3004/mcp', /write it as http:\/\/localhost:3004\/mcp:/],
    ['resource', 'https://mcp.example.com:443/mcp', /write it as https:\/\/mcp\.example\.com\/mcp:/],
    ['resource', 'https://mcp.example.com/my tools', /write it as https:\/\/mcp\.example\.com\/my%20tools:/],
    ['port', '0', /not a port/],
    ['port', '70000', /not a port/],
    ['port', '3e3', /not a port/],
    ['scopes', 'read:whoami openid', /OpenID Connect scope/],
    ['scopes', 'bad"scope', /not a valid OAuth scope/],
    ['framework', 'koa', /choose one of express/],
    ['directory', '../escape', /goes up/],
    ['directory', 'a/../../b', /goes up/],
    ['directory', 'node_modules', /cannot be an npm package name/],
  ])('rejects --%s %s with the reason', async (key, value, reason) => {
    const flags: Record<string, unknown> = { directory: path.join(scratch, 'ok'), issuer, [key]: value };
    const error = await resolve(flags).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(reason);
  });

  it('refuses a folder with files in it unless --force', async () => {
    const full = mkdtempSync(path.join(scratch, 'full-'));
    writeFileSync(path.join(full, 'keep.txt'), 'mine');
    await expect(resolve({ directory: full, issuer })).rejects.toThrow(/is not empty.*--force/);
    await expect(resolve({ directory: full, issuer, force: true })).resolves.toMatchObject({ directory: full });
  });

  it('takes the issuer byte for byte as typed: a trailing slash is kept, a spelling URL would rewrite is refused', async () => {
    const dir = path.join(scratch, 'i');
    // Tokens carry the discovery document's issuer in `iss` exactly, so advice to use `.../oidc/` must be followable.
    expect(await resolve({ directory: dir, issuer: `${issuer}/` })).toMatchObject({ issuer: `${issuer}/` });
    expect(await resolve({ directory: dir, issuer: 'https://auth.example.com' })).toMatchObject({
      issuer: 'https://auth.example.com',
    });
    expect(await resolve({ directory: dir, issuer: 'https://auth.example.com/' })).toMatchObject({
      issuer: 'https://auth.example.com/',
    });
    await expect(resolve({ directory: dir, issuer: 'https://ABC123.logto.app/oidc' })).rejects.toThrow(
      /write it as https:\/\/abc123\.logto\.app\/oidc:/,
    );
    await expect(resolve({ directory: dir, issuer: 'https://Auth.example.com' })).rejects.toThrow(
      /write it as https:\/\/auth\.example\.com:/,
    );
    await expect(resolve({ directory: dir, issuer: 'https://abc123.logto.app:443/oidc' })).rejects.toThrow(
      /write it as https:\/\/abc123\.logto\.app\/oidc:/,
    );
  });

  it('builds the default resource for --port 80 without the default port, and accepts it', async () => {
    const options = await resolve({ directory: path.join(scratch, 'p80'), issuer, port: '80' });
    expect(options).toMatchObject({ resource: 'http://localhost/mcp', port: 80 });
    expect(() => checkCreateOptions(options as CreateOptions)).not.toThrow();
  });

  it.each([
    ['an escape sequence', 'a\u001b[31mred', /the invisible or control character \\u\{1b\}/],
    ['a bidi override', 'abc\u202Egnp.exe', /the invisible or control character \\u\{202e\}/],
    ['a zero-width space', 'a\u200Bb', /\\u\{200b\}/],
    ['a line break', 'a\nb', /\\u\{a\}/],
    ['a backslash', 'a\\b', /a backslash \(\\\)/],
  ])('refuses a folder name with %s, naming it printably', async (_what, name, reason) => {
    const error = (await resolve({ directory: path.join(scratch, name), issuer }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(reason);
    expect(firstUnprintable(error.message)).toBeUndefined();
  });

  it('checks that the folder can be written before anything is asked', async () => {
    writeFileSync(path.join(scratch, 'a-file'), '');
    await expect(resolve({ directory: path.join(scratch, 'a-file', 'x'), issuer })).rejects.toThrow(
      /a-file is a file, not a folder, so .*x cannot be created in it/,
    );
    await expect(resolve({ directory: path.join(scratch, 'n'.repeat(256), 'x'), issuer })).rejects.toThrow(
      /is 256 bytes long; file systems allow at most 255 bytes per name/,
    );
    // 255 bytes in one name is fine (here in two-byte characters, in a parent folder).
    await expect(
      resolve({ directory: path.join(scratch, `${'é'.repeat(127)}x`, 'ok'), issuer }),
    ).resolves.toBeDefined();
    symlinkSync(path.join(scratch, 'nowhere'), path.join(scratch, 'dangling'));
    await expect(resolve({ directory: path.join(scratch, 'dangling'), issuer })).rejects.toThrow(
      /dangling is a symbolic link to .*nowhere, which does not exist/,
    );
    await expect(resolve({ directory: path.join(scratch, 'dangling', 'below'), issuer })).rejects.toThrow(
      /dangling is a symbolic link/,
    );
    // Nothing is left from the check.
    expect(readdirSync(scratch).filter((name) => name.includes('-creating-'))).toEqual([]);
  });

  it('refuses an SSE stream at the path its messages are posted to, and defaults the SSE resource to /sse', async () => {
    const sse = await resolve({
      directory: path.join(scratch, 's1'),
      issuer,
      transport: 'sse',
      resource: 'http://localhost:3001/v1/messages',
    });
    expect(() => checkCreateOptions(sse as CreateOptions)).toThrow(
      /cannot be an SSE stream: its messages are posted there.*http:\/\/localhost:3001\/v1\/sse/,
    );
    const byDefault = await resolve({ directory: path.join(scratch, 's2'), issuer, transport: 'sse' });
    expect(byDefault.resource).toBe('http://localhost:3001/sse');
    expect(() => checkCreateOptions(byDefault as CreateOptions)).not.toThrow();
  });

  it('refuses a --port that the loopback --resource does not use', async () => {
    const options = await resolve({
      directory: path.join(scratch, 'm'),
      issuer,
      resource: 'http://localhost:4000/mcp',
      port: '5000',
    });
    expect(() => checkCreateOptions(options as CreateOptions)).toThrow(
      /--port 5000 does not match the port of --resource/,
    );
  });
});

describe('package names', () => {
  it('derives a valid npm name from the folder', () => {
    expect(packageNameFor('My Server')).toBe('my-server');
    expect(packageNameFor('/tmp/x/_Under.Score')).toBe('under.score');
    expect(packageNameFor('a"b\'c`${process.exit(1)}')).toBe('a-b-c-process.exit-1');
  });
});

describe('scopes', () => {
  it('splits on spaces and commas and drops duplicates', () => {
    expect(parseScopes('read:whoami, write:notes read:whoami')).toEqual(['read:whoami', 'write:notes']);
    expect(parseScopes('  ')).toEqual([]);
  });
});

describe('package manager detection', () => {
  it('reads npm_config_user_agent as create-vite does', () => {
    expect(detectPackageManager('pnpm/9.1.0 npm/? node/v20.19.0 linux x64')).toBe('pnpm');
    expect(detectPackageManager('yarn/1.22.22 npm/? node/v20.19.0')).toBe('yarn');
    expect(detectPackageManager('bun/1.1.0')).toBe('bun');
    expect(detectPackageManager('npm/11.0.0 node/v20.19.0')).toBe('npm');
    expect(detectPackageManager(undefined)).toBe('npm');
    expect(detectPackageManager('deno/2.0')).toBe('npm');
  });
});

describe('issuer check against issuers that misbehave', () => {
  const check = async (
    misbehaviour: Misbehaviour,
    options?: { timeoutMs: number },
    issuerOf = (server: { origin: string; issuer: string }) => server.issuer,
  ) => {
    const server = await startMisbehavingIssuer(misbehaviour);
    try {
      return {
        server,
        outcome: await checkIssuer(issuerOf(server), options).catch((error: unknown) => error as Error),
      };
    } finally {
      await server.close();
    }
  };

  it('refuses a redirect, saying where to, and names the issuer it points to when only the spelling differs', async () => {
    const { server, outcome } = await check(
      { redirect: '/oidc/.well-known/openid-configuration' },
      undefined,
      (s) => `${s.origin}/OIDC`,
    );
    expect(outcome).toBeInstanceOf(UsageError);
    expect((outcome as Error).message).toBe(
      `${server.origin}/OIDC/.well-known/openid-configuration redirects (HTTP 301) to ${server.origin}/oidc/.well-known/openid-configuration: ` +
        `the issuer must be given as it answers. Use --issuer ${server.origin}/oidc (and check it in Logto Console).`,
    );
    const elsewhere = await check({
      redirect: 'https://login.elsewhere.invalid/oidc/.well-known/openid-configuration',
      status: 302,
    });
    expect((elsewhere.outcome as Error).message).toMatch(
      /redirects \(HTTP 302\) to https:\/\/login\.elsewhere\.invalid\/oidc\/\.well-known\/openid-configuration; the issuer must answer itself\. Check the issuer/,
    );
    expect((elsewhere.outcome as Error).message).not.toContain('Use --issuer');
  });

  it('bounds the time of the whole answer, the body included, and says so', async () => {
    const started = Date.now();
    const { outcome } = await check({ drip: true }, { timeoutMs: 400 });
    expect((outcome as Error).message).toMatch(/did not finish sending its discovery document within 0\.4 s/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('bounds the size of the answer', async () => {
    const { outcome } = await check({ bytes: MAX_DISCOVERY_BYTES + 1 });
    expect((outcome as Error).message).toMatch(/sent more than 1 MB, which is no discovery document/);
    const { outcome: fits } = await check({ bytes: MAX_DISCOVERY_BYTES });
    expect((fits as Error).message).toMatch(/did not return JSON/); // read whole, then found not to be JSON
  });

  it.each(['null', '[]', '42', '"text"'])('refuses a JSON answer that is not an object: %s', async (body) => {
    const { outcome } = await check({ body });
    expect(outcome).toBeInstanceOf(UsageError);
    expect((outcome as Error).message).toMatch(/did not return a JSON object/);
  });

  it('advises the discovery document’s issuer byte for byte, trailing slash included, and the advice passes', async () => {
    const body = JSON.stringify({ issuer: 'SELF/', jwks_uri: 'SELF/jwks' });
    const { server, outcome } = await check({ body });
    expect((outcome as Error).message).toContain(`Use --issuer ${server.issuer}/.`);
    // Following it: the issuer is taken as typed and the well-known path is found without the slash.
    const followed = await startMisbehavingIssuer({ body });
    try {
      expect(await checkIssuer(parseIssuer(`${followed.issuer}/`))).toMatchObject({ status: 'ok' });
      expect(followed.requests).toEqual(['/oidc/.well-known/openid-configuration']);
    } finally {
      await followed.close();
    }
  });

  it('shows what the server sent only through printable()', async () => {
    const { outcome } = await check({
      body: JSON.stringify({ issuer: '\u001b]8;;https://evil.invalid\u0007click\u001b[2J\u202e', jwks_uri: 'x' }),
    });
    const message = (outcome as Error).message;
    expect(firstUnprintable(message)).toBeUndefined();
    expect(message).toContain('click\\u001b[2J\\u{202e}'); // JSON-escaped, then printable()
    expect(message).not.toContain('Use --issuer'); // no advice to paste what cannot be typed
    const { outcome: notObject } = await check({ body: '"\u009b31m\u202e"' });
    expect(firstUnprintable((notObject as Error).message)).toBeUndefined();
  });
});
