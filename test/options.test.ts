import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from './support/cli.js';
import { checkCreateOptions, createOptionSpecs, detectPackageManager, packageNameFor, parseScopes, type CreateOptions } from '../src/options/create-options.js';
import { resolveOptions } from '../src/options/define.js';
import { UsageError } from '../src/errors.js';

const scratch = makeTempDir('options');
afterAll(() => removeDir(scratch));
const nonInteractive = { interactive: false, yes: false };
const resolve = (flags: Record<string, unknown>, context = nonInteractive) => resolveOptions(createOptionSpecs, flags, context);
const issuer = 'https://abc123.logto.app/oidc';

describe('create options', () => {
  it('takes every answer from flags, and defaults the rest', async () => {
    const options = await resolve({ directory: path.join(scratch, 'fresh'), issuer: `${issuer}/` });
    expect(options).toMatchObject({
      issuer, // trailing slash dropped
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
    expect(await resolve({ directory: dir, issuer, port: '4100' })).toMatchObject({ resource: 'http://localhost:4100/mcp', port: 4100 });
    expect(await resolve({ directory: dir, issuer, resource: 'http://127.0.0.1:4200/mcp' })).toMatchObject({ port: 4200 });
    expect(await resolve({ directory: dir, issuer, resource: 'https://mcp.example.com/mcp' })).toMatchObject({ port: 3001 });
    // An https resource on loopback sits behind a local TLS proxy: the server's port is its own.
    expect(await resolve({ directory: dir, issuer, resource: 'https://localhost/mcp' })).toMatchObject({ port: 3001 });
    expect(await resolve({ directory: dir, issuer, resource: 'https://localhost/mcp', port: '3005' })).toMatchObject({ port: 3005 });
  });

  it('names the flag when a required answer is missing and there is no terminal', async () => {
    await expect(resolve({ directory: path.join(scratch, 'x') })).rejects.toThrow(/Missing --issuer \(Logto issuer endpoint.*\)\. To go on, pass --issuer \(there is no terminal to ask in\)\./);
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

  it('refuses a --port that the loopback --resource does not use', async () => {
    const options = await resolve({ directory: path.join(scratch, 'm'), issuer, resource: 'http://localhost:4000/mcp', port: '5000' });
    expect(() => checkCreateOptions(options as CreateOptions)).toThrow(/--port 5000 does not match the port of --resource/);
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
