// The workshop's "done" moment: in a generated project, installed, started and registered with register,
// `npm run try` signs the user in through the consent screen and shows their own claims (the profile claims
// included, from the claims script register installed); with --tool greet --step-up it gets the tool's scope.
// The Logto-like issuer serves what the Management API emulator holds after registration.
import { execa } from 'execa';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transportPaths, type Transport } from '../src/options/choices.js';
import type { RegisterSummary } from '../src/register/register.js';
import { CLI, makeTempDir, removeDir, REPO_ROOT, runCli } from './support/cli.js';
import {
  childEnv,
  generateProject,
  run,
  startProject,
  type GeneratedProject,
  type RunningServer,
} from './support/generated-project.js';
import { configureIssuerFromEmulator } from './support/issuer-from-emulator.js';
import { startLogtoLikeIssuer, type LogtoLikeIssuer } from './support/logto-like-issuer.js';
import { startManagementApiEmulator, type Emulator } from './support/management-api-emulator.js';
import { getFreePort } from './support/ports.js';
import { lineWatcher, ScriptedUserAgent } from './support/user-agent.js';

const M2M = { id: 'try-e2e-m2m', secret: 'try-e2e-m2m-secret', managementAccess: true };

for (const transport of ['streamable-http', 'sse'] as Transport[]) {
  describe(`npm run try in a generated, registered project (${transport})`, () => {
    let issuer: LogtoLikeIssuer;
    let emulator: Emulator;
    let project: GeneratedProject | undefined;
    let server: RunningServer | undefined;
    let home: string;
    let summary: RegisterSummary;
    let resource: string;

    beforeAll(async () => {
      issuer = await startLogtoLikeIssuer({ resources: {} });
      emulator = await startManagementApiEmulator({ m2mApps: [M2M] });
      home = makeTempDir('try-e2e-home');
      const port = await getFreePort();
      resource = `http://127.0.0.1:${port}${transportPaths[transport]}`;
      project = await generateProject({ issuer: issuer.issuer, resource, port, transport, install: true });
      // `npx create-logto-mcp` in the script finds this clone as the project's own create-logto-mcp, as it finds an
      // installed one; npm runs offline, so it can never fetch a package of that name instead.
      await mkdir(join(project.dir, 'node_modules', '.bin'), { recursive: true });
      await symlink(REPO_ROOT, join(project.dir, 'node_modules', 'create-logto-mcp'));
      await symlink(CLI, join(project.dir, 'node_modules', '.bin', 'create-logto-mcp'));
      const registered = await runCli(['register', project.dir, '--management-endpoint', emulator.url, '--json'], {
        env: { LOGTO_M2M_APP_ID: M2M.id, LOGTO_M2M_APP_SECRET: M2M.secret, XDG_CONFIG_HOME: home },
      });
      expect(registered.exitCode, registered.stderr).toBe(0);
      summary = JSON.parse(registered.stdout) as RegisterSummary;
      const built = await run(project.dir, 'npm', ['run', 'build']);
      expect(built.exitCode, built.output).toBe(0);
      server = await startProject(project.dir, port);
    }, 900_000);

    afterAll(async () => {
      await server?.stop();
      await emulator?.close();
      await issuer?.close();
      await project?.remove();
      if (home) removeDir(home);
    });

    const npmRunTry = (args: string[]) =>
      execa('npm', ['run', '--silent', 'try', '--', '--no-open', ...args], {
        cwd: project!.dir,
        reject: false,
        stdin: 'ignore',
        extendEnv: false,
        env: childEnv({ XDG_CONFIG_HOME: home, npm_config_offline: 'true' }),
      });

    it('signs in through login and consent and shows the user their own claims', async () => {
      // The user holds the role register made.
      configureIssuerFromEmulator(issuer, emulator.state, summary.application.id, [summary.role!.id]);
      const child = npmRunTry([]);
      const stdout = lineWatcher(child.stdout);
      const url = await stdout.next((line) => line.startsWith(`${issuer.issuer}/auth?`));
      expect(new URL(url).searchParams.get('resource')).toBe(resource);
      await new ScriptedUserAgent().visit(url);
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const { sub, username, name, email } = issuer.user;
      expect(result.stdout).toContain('Signed in; whoami answered:');
      for (const [claim, value] of Object.entries({
        sub,
        username,
        name,
        email,
        client_id: summary.application.id,
        subjectType: 'user',
      })) {
        expect(result.stdout).toMatch(new RegExp(`\\n\\s+${claim}\\s+${value.replace(/[.]/g, '\\.')}(\\n|$)`));
      }
      expect(result.stdout).not.toContain('missingProfileClaims');
      expect(
        issuer.interactions.filter((step) => step.clientId === summary.application.id).map((step) => step.prompt),
      ).toContain('consent');
    });

    it('doctor passes the generated server and its registration (the role has no user yet: a warning)', async () => {
      const result = await runCli(['doctor', project!.dir, '--management-endpoint', emulator.url, '--json'], {
        env: { LOGTO_M2M_APP_ID: M2M.id, LOGTO_M2M_APP_SECRET: M2M.secret, XDG_CONFIG_HOME: home, LOGTO_ISSUER: '' },
      });
      const report = JSON.parse(result.stdout) as {
        ok: boolean;
        checks: Array<{ id: string; status: string; detail: string }>;
      };
      const notPassed = report.checks.filter((check) => check.status !== 'pass');
      expect(notPassed.map(({ id, status }) => ({ id, status }))).toEqual([{ id: 'logto.role.users', status: 'warn' }]);
      expect(report.ok).toBe(true);
      expect(result.exitCode).toBe(0);
    });

    it('calls greet with --tool, signing in again for greet:write with --step-up', async () => {
      configureIssuerFromEmulator(issuer, emulator.state, summary.application.id, [summary.role!.id]);
      const child = npmRunTry(['--tool', 'greet', '--step-up', '--json']);
      const stderr = lineWatcher(child.stderr);
      const agent = new ScriptedUserAgent();
      const isUrl = (line: string) => line.startsWith(`${issuer.issuer}/auth?`);
      await agent.visit(await stderr.next(isUrl));
      const second = await stderr.next(isUrl);
      expect(new URL(second).searchParams.get('scope')?.split(' ')).toContain('greet:write');
      await agent.visit(second);
      const result = await child;
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const output = JSON.parse(String(result.stdout)) as { result: string; signIns: number };
      expect(output).toMatchObject({ result: `Hello, ${issuer.user.name}!`, signIns: 2 });
    });
  });
}
