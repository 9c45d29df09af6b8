// The machine's memory of the Logto endpoints its user named (src/register/trusted-endpoints.ts).
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  endpointSource,
  isTrustedEndpoint,
  trustedEndpointsFile,
  trustEndpoint,
} from '../src/register/trusted-endpoints.js';
import { makeTempDir, removeDir } from './support/cli.js';

const dir = makeTempDir('trusted');
afterAll(() => removeDir(dir));

describe('where the file is', () => {
  it('is under an absolute XDG_CONFIG_HOME, else ~/.config; a relative XDG_CONFIG_HOME (it could point into a project) is ignored', () => {
    expect(trustedEndpointsFile({ XDG_CONFIG_HOME: '/x/config' })).toBe(
      '/x/config/create-logto-mcp/trusted-endpoints.json',
    );
    const home = path.join(os.homedir(), '.config', 'create-logto-mcp', 'trusted-endpoints.json');
    expect(trustedEndpointsFile({ XDG_CONFIG_HOME: 'project/config' })).toBe(home);
    expect(trustedEndpointsFile({})).toBe(home);
  });
});

describe('remembering', () => {
  it('remembers an endpoint once, in a file only its owner can read', async () => {
    const file = path.join(dir, 'a', 'trusted-endpoints.json');
    expect(await isTrustedEndpoint('https://t.logto.app', file)).toBe(false);
    await trustEndpoint('https://t.logto.app', file);
    await trustEndpoint('https://t.logto.app', file);
    expect(await isTrustedEndpoint('https://t.logto.app', file)).toBe(true);
    expect(await isTrustedEndpoint('https://t.logto.app.invalid', file)).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ endpoints: ['https://t.logto.app'] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a corrupt or wrongly shaped file trusts nothing, and is replaced by a good one on the next remember', async () => {
    for (const content of ['{', 'null', '{"endpoints": "https://t.logto.app"}', '{"endpoints": [1]}']) {
      const file = path.join(dir, `corrupt-${content.length}`, 'trusted-endpoints.json');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      expect(await isTrustedEndpoint('https://t.logto.app', file)).toBe(false);
      await trustEndpoint('https://u.logto.app', file);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ endpoints: ['https://u.logto.app'] });
    }
  });
});

describe('endpointSource: did this run name the Logto?', () => {
  const projectEnv = { LOGTO_ISSUER: 'https://t.logto.app/oidc' };
  it.each([
    ['--issuer', { issuer: 'https://t.logto.app/oidc' }, {}, 'given'],
    ['--tenant-id', { tenantId: 't' }, {}, 'given'],
    ['--management-endpoint', { managementEndpoint: 'https://t.logto.app' }, {}, 'given'],
    ['LOGTO_ISSUER naming another Logto than .env', {}, { LOGTO_ISSUER: 'https://u.logto.app/oidc' }, 'given'],
    [
      'LOGTO_ISSUER equal to .env (.env exported into the shell)',
      {},
      { LOGTO_ISSUER: 'https://t.logto.app/oidc' },
      'project-env',
    ],
    ['only .env', {}, {}, 'project-env'],
    [
      '--management-resource alone (it does not change where the credentials go)',
      { managementResource: 'https://x.invalid/api' },
      {},
      'project-env',
    ],
  ] as const)('%s', (_name, flags, env, expected) => {
    expect(endpointSource(flags, projectEnv, env)).toBe(expected);
  });

  it('a project with no issuer in .env was asked for one (or given it): that is named by the user', () => {
    expect(endpointSource({}, {}, {})).toBe('given');
  });
});
