import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTree, makeTempDir, removeDir, runCli } from './support/cli.js';
import { startManagementApiEmulator, type Emulator } from './support/management-api-emulator.js';

// Registration through the built binary, against the Management API emulator on loopback.
const M2M_ID = 'workshop-m2m';
const M2M_SECRET = 'm2m-secret-NEVER-SHOWN-41d9';
const credentials = { LOGTO_M2M_APP_ID: M2M_ID, LOGTO_M2M_APP_SECRET: M2M_SECRET };

let emulator: Emulator;
let work: string;
beforeAll(async () => {
  emulator = await startManagementApiEmulator({ m2mApps: [{ id: M2M_ID, secret: M2M_SECRET, managementAccess: true }] });
  work = makeTempDir('cli-register');
});
afterAll(async () => {
  await emulator.close();
  removeDir(work);
});

const createArgs = (dir: string, resource: string) => [dir, '--issuer', emulator.issuer, '--resource', resource, '--scopes', 'read:whoami', '--skip-issuer-check', '--no-install', '--no-git', '--register'];
const fileText = (dir: string) => listTree(dir).map((file) => readFileSync(path.join(dir, file), 'utf8')).join('\n');

describe('create --register, register and unregister as a user runs them', () => {
  it('creates the project and registers it: app ID in .env, IDs in logto-mcp.json, the secret nowhere', async () => {
    const dir = path.join(work, 'registered');
    const resource = 'http://localhost:3101/mcp';
    const result = await runCli(createArgs(dir, resource), { env: credentials });
    expect(result.stderr).not.toMatch(/✖/);
    expect(result.exitCode).toBe(0);

    const app = emulator.state.applications.find((a) => a.isThirdParty);
    expect(emulator.state.resources.map((r) => r.indicator)).toContain(resource);
    expect(app?.type).toBe('Native');
    expect(parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).LOGTO_APP_ID).toBe(app?.id);
    expect(result.stdout).toContain(`MCP clients sign in with the Logto app ${app?.id}`);
    expect(result.stdout).not.toContain('In Logto, create:');
    const record = JSON.parse(readFileSync(path.join(dir, 'logto-mcp.json'), 'utf8'));
    expect(JSON.stringify(record.logto)).toContain(app!.id);
    for (const text of [result.stdout, result.stderr, fileText(dir)]) expect(text).not.toContain(M2M_SECRET);
  });

  it('keeps the project when registration fails, and prints the command that finishes it (without the secret)', async () => {
    const dir = path.join(work, 'rejected');
    const result = await runCli(createArgs(dir, 'http://localhost:3102/mcp'), { env: { ...credentials, LOGTO_M2M_APP_SECRET: 'wrong-secret-XYZ' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Registration in Logto failed: .*credentials/i);
    expect(result.stderr).toContain(`LOGTO_M2M_APP_SECRET=<secret> npx create-logto-mcp register ${dir} --m2m-app-id ${M2M_ID}`);
    expect(`${result.stdout}${result.stderr}`).not.toContain('wrong-secret-XYZ');
    expect(existsSync(path.join(dir, 'package.json'))).toBe(true);

    // The printed command finishes the job.
    const finish = await runCli(['register', dir], { env: credentials });
    expect(finish.exitCode).toBe(0);
    expect(parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).LOGTO_APP_ID).toBeTruthy();
  });

  it('asks for nothing without a terminal: missing credentials exit 1 naming the flag and the variable, writing nothing', async () => {
    const dir = path.join(work, 'no-credentials');
    const result = await runCli(createArgs(dir, 'http://localhost:3103/mcp'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Missing --m2m-app-id.*LOGTO_M2M_APP_ID/);
    expect(existsSync(dir)).toBe(false);
  });

  it('register is idempotent and unregister removes what it created', async () => {
    const dir = path.join(work, 'lifecycle');
    expect((await runCli([dir, '--issuer', emulator.issuer, '--resource', 'http://localhost:3104/mcp', '--skip-issuer-check', '--no-install', '--no-git'])).exitCode).toBe(0);

    const first = await runCli(['register', dir, '--json'], { env: credentials });
    expect(first.exitCode).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.application.status).toBe('created');
    expect(summary.application).not.toHaveProperty('secret');
    const countsAfterFirst = { resources: emulator.state.resources.length, applications: emulator.state.applications.length };

    const again = await runCli(['register', dir, '--json'], { env: credentials });
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout).application.status).toBe('existing');
    expect({ resources: emulator.state.resources.length, applications: emulator.state.applications.length }).toEqual(countsAfterFirst);

    const removed = await runCli(['unregister', dir], { env: credentials });
    expect(removed.exitCode).toBe(0);
    expect(emulator.state.applications.some((a) => a.id === summary.application.id)).toBe(false);
    expect(emulator.state.resources.some((r) => r.indicator === 'http://localhost:3104/mcp')).toBe(false);
    expect(parseEnv(readFileSync(path.join(dir, '.env'), 'utf8')).LOGTO_APP_ID).toBeUndefined();
  });
});
